//! Writing a set of output files so that either all new files appear, or none do.
//!
//! Each file is written to a hidden temporary name in its final folder, flushed, and renamed
//! into place only when every file of the set has been written. Dropping an uncommitted set
//! removes its temporary files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A set of files staged for an all-or-nothing write into one output folder.
#[derive(Debug)]
pub struct OutputSet {
    dir: PathBuf,
    staged: Vec<(PathBuf, PathBuf)>,
}

impl OutputSet {
    /// A new set for `dir` (created when missing).
    pub fn new(dir: &Path) -> Result<OutputSet> {
        fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
        Ok(OutputSet {
            dir: dir.to_path_buf(),
            staged: Vec::new(),
        })
    }

    /// The output folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` to a temporary file that becomes `relative` on [`OutputSet::commit`].
    /// `relative` is a plain path below the folder (no `..`, not absolute).
    pub fn stage(&mut self, relative: &str, bytes: &[u8]) -> Result<()> {
        let rel = Path::new(relative);
        debug_assert!(
            rel.components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        );
        let target = self.dir.join(rel);
        let parent = target.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| Error::io("create folder", &parent, e))?;
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io("write", &target, e));
        }
        self.staged.push((tmp, target));
        Ok(())
    }

    /// Streams a file through `write` into a temporary file that becomes `relative` on commit.
    pub fn stage_with(
        &mut self,
        relative: &str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let target = self.dir.join(relative);
        let parent = target.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| Error::io("create folder", &parent, e))?;
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let result = (|| -> std::io::Result<()> {
            let f = fs::File::create(&tmp)?;
            let mut w = std::io::BufWriter::new(f);
            write(&mut w)?;
            w.flush()?;
            w.into_inner().map_err(|e| e.into_error())?.sync_all()
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io("write", &target, e));
        }
        self.staged.push((tmp, target));
        Ok(())
    }

    /// Renames every staged file into place, in staging order.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let staged = std::mem::take(&mut self.staged);
        let mut done = Vec::new();
        for (i, (tmp, target)) in staged.iter().enumerate() {
            if let Err(e) = fs::rename(tmp, target) {
                for (t, _) in &staged[i..] {
                    let _ = fs::remove_file(t);
                }
                return Err(Error::io("write", target, e));
            }
            done.push(target.clone());
        }
        Ok(done)
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        for (tmp, _) in &self.staged {
            let _ = fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit_and_drop_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = OutputSet::new(dir.path()).unwrap();
        set.stage("a.csv", b"1").unwrap();
        set.stage("sub/b.csv", b"2").unwrap();
        assert!(!dir.path().join("a.csv").exists());
        drop(set);
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("sub")]);
        assert_eq!(fs::read_dir(dir.path().join("sub")).unwrap().count(), 0);

        let mut set = OutputSet::new(dir.path()).unwrap();
        set.stage("a.csv", b"1").unwrap();
        set.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"1");
    }
}
