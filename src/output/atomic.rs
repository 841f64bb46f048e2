//! Writing a set of output files so that either all new files appear, or none do — and only
//! where they were meant to.
//!
//! Each file is written to a temporary file created exclusively (`O_EXCL`) under an
//! unpredictable name in its final folder, flushed, and renamed into place only when every file
//! of the set has been written. A rename replaces a symbolic link planted at the target name
//! instead of writing through it, and no folder inside the output folder is entered through a
//! symbolic link. While a set is open it holds an advisory lock on the output folder, so two
//! kymsim processes writing into one folder take turns instead of mixing their files. Dropping
//! an uncommitted set removes its temporary files; temporary files a killed process left behind
//! are removed by the next set opened on the folder.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use tempfile::TempPath;

use crate::error::{Error, InputError, IoKind, Result};

/// Suffix of kymsim's temporary files: `.<name>.<random>.kymsim-tmp`.
pub const TEMP_SUFFIX: &str = ".kymsim-tmp";

/// Sub-folders of an output folder that kymsim writes into (cleaned of stray temporary files).
const KNOWN_SUBDIRS: [&str; 3] = ["charts", "batch", "batch/parts"];

/// A set of files staged for an all-or-nothing write into one output folder.
#[derive(Debug)]
pub struct OutputSet {
    dir: PathBuf,
    staged: Vec<(TempPath, PathBuf)>,
    // the advisory lock on `dir`, released when the set is committed or dropped
    _lock: Option<fs::File>,
}

/// Checks, before any work, that `dir` can be an output folder: missing (it will be created),
/// or a folder (possibly through a symbolic link the user made). A file, or a symbolic link
/// to nothing, is a bad argument.
pub fn check_out_dir(dir: &Path) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        // a file where a folder of the path should be: the output path is the problem
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            let file = dir
                .ancestors()
                .skip(1)
                .find(|a| fs::metadata(a).is_ok_and(|m| !m.is_dir()))
                .unwrap_or(dir);
            Err(InputError::new(format!(
                "output folder `{}` cannot be made: `{}` is a file, not a folder",
                dir.display(),
                file.display()
            ))
            .hint("choose another --out")
            .into())
        }
        Err(e) => Err(Error::io(IoKind::Read, dir, e)),
        Ok(m) if m.file_type().is_symlink() => match fs::metadata(dir) {
            Ok(t) if t.is_dir() => Ok(()),
            Ok(_) => Err(not_a_folder(dir)),
            Err(_) => {
                let to = fs::read_link(dir).unwrap_or_default();
                Err(InputError::new(format!(
                    "output folder `{}` is a symbolic link to `{}`, which does not exist",
                    dir.display(),
                    to.display()
                ))
                .hint("create the folder the link points to, remove the link, or choose another --out")
                .into())
            }
        },
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(not_a_folder(dir)),
    }
}

fn not_a_folder(dir: &Path) -> Error {
    InputError::new(format!(
        "output folder `{}` exists and is not a folder",
        dir.display()
    ))
    .hint("choose another --out, or remove the file")
    .into()
}

/// Whether a file name is one of kymsim's temporary files: `.<name>.<random>.kymsim-tmp`, or the
/// older `.<name>.tmp-<pid>`.
pub fn is_temp_name(name: &OsStr) -> bool {
    let Some(n) = name.to_str() else {
        return false;
    };
    if !n.starts_with('.') {
        return false;
    }
    if n.ends_with(TEMP_SUFFIX) && n.len() > TEMP_SUFFIX.len() + 1 {
        return true;
    }
    match n.rfind(".tmp-") {
        Some(i) if i > 0 => {
            let pid = &n[i + 5..];
            !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// Creates the folder `root/relative` one component at a time, refusing any component that is
/// a symbolic link or not a folder, so nothing is written outside `root` through a planted link.
fn ensure_dir(root: &Path, relative: &Path) -> Result<PathBuf> {
    let mut cur = root.to_path_buf();
    for c in relative.components() {
        let Component::Normal(part) = c else {
            return Err(InputError::new(format!(
                "output path `{}` is not a plain path below the output folder",
                relative.display()
            ))
            .into());
        };
        cur.push(part);
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(InputError::new(format!(
                    "`{}` inside the output folder is a symbolic link; kymsim does not write through links",
                    cur.display()
                ))
                .hint("remove the link (kymsim creates the folder itself), or choose another --out")
                .into());
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(InputError::new(format!(
                    "`{}` inside the output folder is a file where kymsim writes a folder",
                    cur.display()
                ))
                .hint("remove or rename it, or choose another --out")
                .into());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match fs::create_dir(&cur) {
                Ok(()) => {}
                // created meanwhile by another process: checked again on the next component
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if !fs::symlink_metadata(&cur).is_ok_and(|m| m.is_dir()) {
                        return Err(Error::io(IoKind::CreateFolder, &cur, e));
                    }
                }
                Err(e) => return Err(Error::io(IoKind::CreateFolder, &cur, e)),
            },
            Err(e) => return Err(Error::io(IoKind::CreateFolder, &cur, e)),
        }
    }
    Ok(cur)
}

/// Columns of kymsim's CSV files that hold names, not numbers (a scenario may be called `inf`).
const TEXT_COLUMNS: [&str; 21] = [
    "model",
    "scenario",
    "reference",
    "region",
    "variable",
    "unit",
    "measure",
    "pillar",
    "statistic",
    "parameter",
    "kind",
    "sampler",
    "id",
    "name",
    "source",
    "sector",
    "carrier",
    "description",
    "outcome",
    "dist",
    "seed",
];

/// Checks the numbers of a CSV file about to be written: every cell outside the name columns
/// that is written as a number (or as `NaN`, `inf`) must be finite and below
/// [`crate::data::MAX_ABS_VALUE`] (10¹⁵) in magnitude — the limit `plot` and `check` accept
/// when they read it back. A bad value is refused naming the file, column, row and scenario;
/// the file was not written, so no position in it is cited.
pub fn check_csv_numbers(relative: &str, bytes: &[u8]) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let Ok(header) = reader.headers().cloned() else {
        return Ok(());
    };
    let scenario = header.iter().position(|h| h == "scenario");
    let mut record = csv::StringRecord::new();
    let mut row = 1;
    while reader.read_record(&mut record).unwrap_or(false) {
        row += 1;
        for (i, cell) in record.iter().enumerate() {
            let column = header.get(i).unwrap_or("");
            if TEXT_COLUMNS.contains(&column) {
                continue;
            }
            let bad = match cell {
                "NaN" | "inf" | "-inf" => true,
                c if looks_numeric(c) => c
                    .parse::<f64>()
                    .is_ok_and(|x| !(x.is_finite() && x.abs() < crate::data::MAX_ABS_VALUE)),
                _ => false,
            };
            if bad {
                let of = scenario
                    .and_then(|s| record.get(s))
                    .map_or(String::new(), |s| format!(", scenario `{s}`"));
                return Err(InputError::new(format!(
                    "{relative} would hold {cell} in column `{column}` (row {row}{of}): written numbers must be finite and below 1e15 in magnitude"
                ))
                .hint("the inputs make a total or a derived figure overflow; check the data values, measures and uncertainties that feed it (nothing was written)")
                .into());
            }
        }
    }
    Ok(())
}

/// Whether a cell is written as a decimal number (`-12.5`, `1e20`).
fn looks_numeric(c: &str) -> bool {
    let c = c.strip_prefix('-').unwrap_or(c);
    c.starts_with(|ch: char| ch.is_ascii_digit())
        && c.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
}

/// Checks that the output `target` may be replaced: absent, a regular file, or a symbolic link
/// (replaced, never followed). A folder, FIFO, device or socket at an output's name is refused:
/// renaming over it would hand a reader of the FIFO nothing, or replace a device node.
pub fn check_replaceable(target: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(IoKind::Write, target, e)),
    };
    let t = meta.file_type();
    if t.is_file() || t.is_symlink() {
        return Ok(());
    }
    let what = if t.is_dir() {
        "a folder"
    } else {
        crate::input::special_file_kind(&meta)
    };
    Err(InputError::new(format!(
        "`{}` is {what}; kymsim replaces only regular files",
        target.display()
    ))
    .hint("remove it, or choose another output path")
    .into())
}

/// Told the folder whose lock another kymsim holds, before waiting for it (set once by the
/// command line, which prints it; the library itself prints nothing).
static WAIT_NOTICE: std::sync::OnceLock<fn(&Path)> = std::sync::OnceLock::new();

/// Sets what is done when an output folder's lock is held by another kymsim and the write
/// waits for it (the command line prints a line). Only the first call takes effect.
pub fn on_lock_wait(notice: fn(&Path)) {
    let _ = WAIT_NOTICE.set(notice);
}

/// Takes the advisory lock (`flock`) of an output folder, waiting (with a notice) while another
/// kymsim holds it. `None` where the folder cannot be locked (a file system without locks, or
/// not Unix): the write goes ahead unlocked rather than not at all.
#[cfg(unix)]
fn lock_dir(dir: &Path) -> Result<Option<fs::File>> {
    use rustix::fs::{FlockOperation, flock};
    use rustix::io::Errno;
    let Ok(f) = fs::File::open(dir) else {
        return Ok(None);
    };
    match flock(&f, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(Some(f)),
        Err(e) if e == Errno::WOULDBLOCK => {
            if let Some(notice) = WAIT_NOTICE.get() {
                notice(dir);
            }
            flock(&f, FlockOperation::LockExclusive)
                .map_err(|e| Error::io(IoKind::Lock, dir, e.into()))?;
            Ok(Some(f))
        }
        Err(_) => Ok(None),
    }
}

#[cfg(not(unix))]
fn lock_dir(_dir: &Path) -> Result<Option<fs::File>> {
    Ok(None)
}

/// Removes kymsim's temporary files left in `dir` and its known sub-folders by a process that
/// was killed (SIGKILL, power loss). Called with the folder's lock held, so no live writer's
/// files are touched. Links and foreign files are left alone.
fn remove_stray_temps(dir: &Path) {
    for sub in std::iter::once("").chain(KNOWN_SUBDIRS) {
        let folder = dir.join(sub);
        if !sub.is_empty() && !fs::symlink_metadata(&folder).is_ok_and(|m| m.file_type().is_dir()) {
            continue;
        }
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for e in entries.flatten() {
            if is_temp_name(&e.file_name()) && e.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

impl OutputSet {
    /// A new set for `dir` (created when missing): checks the folder, takes its lock and removes
    /// stray temporary files of earlier killed runs.
    pub fn new(dir: &Path) -> Result<OutputSet> {
        check_out_dir(dir)?;
        fs::create_dir_all(dir).map_err(|e| Error::io(IoKind::CreateFolder, dir, e))?;
        let lock = lock_dir(dir)?;
        // only under the lock: unlocked (a file system without locks) another writer's
        // temporary files could be in the folder, and are not stray
        if lock.is_some() {
            remove_stray_temps(dir);
        }
        Ok(OutputSet {
            dir: dir.to_path_buf(),
            staged: Vec::new(),
            _lock: lock,
        })
    }

    /// The output folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the temporary file of `relative` (exclusively, under a random name, in the
    /// target's folder), writes it through `write`, syncs it and stages it.
    fn stage_file(
        &mut self,
        relative: &str,
        mode: Option<u32>,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let rel = Path::new(relative);
        let name = rel
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| InputError::new(format!("output path `{relative}` has no file name")))?;
        let parent = ensure_dir(&self.dir, rel.parent().unwrap_or(Path::new("")))?;
        let target = parent.join(name);
        check_replaceable(&target)?;
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(TEMP_SUFFIX).rand_bytes(10);
        // created with the final mode (0666, or the script's 0755), which the umask then
        // narrows as for any file the user creates
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(mode.unwrap_or(0o666)));
        }
        let tmp = builder
            .tempfile_in(&parent)
            .map_err(|e| Error::io(IoKind::Write, &target, e))?;
        let (file, path) = tmp.into_parts();
        let result = (|| -> std::io::Result<()> {
            let mut w = std::io::BufWriter::new(file);
            write(&mut w)?;
            w.flush()?;
            let f = w.into_inner().map_err(|e| e.into_error())?;
            #[cfg(not(unix))]
            let _ = mode;
            f.sync_all()
        })();
        if let Err(e) = result {
            // `path` removes the temporary file when dropped
            drop(path);
            // a signal stopped the writer: report the interruption, not a write failure
            return Err(if e.kind() == std::io::ErrorKind::Interrupted {
                Error::Interrupted
            } else {
                Error::io(IoKind::Write, &target, e)
            });
        }
        self.staged.push((path, target));
        Ok(())
    }

    /// Writes `bytes` to a temporary file that becomes `relative` on [`OutputSet::commit`].
    /// `relative` is a plain path below the folder (no `..`, not absolute). A CSV file is
    /// checked first: every number in it must be finite and below 10¹⁵ in magnitude (see
    /// [`check_csv_numbers`]), so no total or derived column past the limit kymsim's own readers
    /// accept is ever written.
    pub fn stage(&mut self, relative: &str, bytes: &[u8]) -> Result<()> {
        if relative.ends_with(".csv") {
            check_csv_numbers(relative, bytes)?;
        }
        self.stage_file(relative, None, |w| w.write_all(bytes))
    }

    /// As [`OutputSet::stage`], for a file with permissions `mode` (Unix; e.g. `0o755` for a
    /// script), set before it appears under its name.
    pub fn stage_with_mode(&mut self, relative: &str, bytes: &[u8], mode: u32) -> Result<()> {
        self.stage_file(relative, Some(mode), |w| w.write_all(bytes))
    }

    /// Streams a file through `write` into a temporary file that becomes `relative` on commit.
    /// A writer failing with [`std::io::ErrorKind::Interrupted`] gives [`Error::Interrupted`].
    pub fn stage_with(
        &mut self,
        relative: &str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        self.stage_file(relative, None, write)
    }

    /// Renames every staged file into place, in staging order.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let staged = std::mem::take(&mut self.staged);
        let mut done = Vec::new();
        // on error the files not yet renamed are dropped, which removes them
        for (tmp, target) in staged {
            // checked again: a FIFO or device may have been put there while the files were written
            check_replaceable(&target)?;
            if let Err(e) = tmp.persist(&target) {
                return Err(Error::io(IoKind::Write, &target, e.error));
            }
            done.push(target);
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn nothing_appears_until_commit_and_drop_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = OutputSet::new(dir.path()).unwrap();
        set.stage("a.csv", b"1").unwrap();
        set.stage("sub/b.csv", b"2").unwrap();
        assert!(!dir.path().join("a.csv").exists());
        drop(set);
        assert_eq!(names(dir.path()), vec!["sub"]);
        assert_eq!(fs::read_dir(dir.path().join("sub")).unwrap().count(), 0);

        let mut set = OutputSet::new(dir.path()).unwrap();
        set.stage("a.csv", b"1").unwrap();
        set.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"1");
    }

    #[test]
    fn numbers_past_the_limit_are_not_staged() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = OutputSet::new(dir.path()).unwrap();
        // 30 years of 6.1e13 each: every year is fine, the cumulative total is 1.83e15
        let e = set
            .stage(
                "summary.csv",
                b"scenario,net_kt,cumulative_net_kt\nbig,61000000000000,1830000000000000\n",
            )
            .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let msg = e.to_string();
        assert!(
            msg.contains("summary.csv would hold 1830000000000000 in column `cumulative_net_kt` (row 2, scenario `big`)"),
            "{msg}"
        );
        for bad in ["NaN", "inf", "-inf", "-1e15"] {
            let csv = format!("scenario,x\ns,{bad}\n");
            assert!(set.stage("a.csv", csv.as_bytes()).is_err(), "{bad}");
        }
        // names are not numbers, and a value just below the limit passes
        set.stage("a.csv", b"scenario,x\ninf,999999999999999\n")
            .unwrap();
        drop(set);
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn temporary_names_are_recognised() {
        for yes in [
            ".summary.csv.tmp-123",
            ".summary.csv.AbC123xyz0.kymsim-tmp",
            ".a.x.kymsim-tmp",
        ] {
            assert!(is_temp_name(OsStr::new(yes)), "{yes}");
        }
        for no in [
            "summary.csv",
            "summary.csv.tmp-1",
            ".summary.csv.tmp-",
            ".summary.csv.tmp-1x",
            ".kymsim-tmp",
            ".lock",
        ] {
            assert!(!is_temp_name(OsStr::new(no)), "{no}");
        }
    }

    #[test]
    fn a_failing_writer_leaves_nothing_and_an_interrupted_one_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = OutputSet::new(dir.path()).unwrap();
        let e = set
            .stage_with("a.csv", |_| Err(std::io::Error::other("disk")))
            .unwrap_err();
        assert_eq!(e.exit_code(), 3);
        let e = set
            .stage_with("a.csv", |_| {
                Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "signal",
                ))
            })
            .unwrap_err();
        assert!(matches!(e, Error::Interrupted));
        assert!(names(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_the_folder_are_replaced_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o");
        let victim = dir.path().join("victim");
        fs::write(&victim, b"V").unwrap();
        fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&victim, out.join("a.csv")).unwrap();
        std::os::unix::fs::symlink(dir.path(), out.join("charts")).unwrap();
        let mut set = OutputSet::new(&out).unwrap();
        set.stage("a.csv", b"new").unwrap();
        let e = set.stage("charts/x.svg", b"<svg/>").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("symbolic link"), "{e}");
        set.commit().unwrap();
        // the link was replaced by a file; its target is untouched
        assert_eq!(fs::read(&victim).unwrap(), b"V");
        assert!(
            !fs::symlink_metadata(out.join("a.csv"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"new");
        assert!(!dir.path().join("x.svg").exists());
    }

    #[test]
    fn stray_temporary_files_are_removed_by_the_next_set() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("batch/parts")).unwrap();
        for f in [
            ".samples.csv.tmp-4242",
            "batch/.stats.csv.q1w2e3r4t5.kymsim-tmp",
            "batch/parts/.part-1-of-2.kpart.tmp-7",
            "keep.csv",
            ".hidden",
        ] {
            fs::write(dir.path().join(f), b"x").unwrap();
        }
        drop(OutputSet::new(dir.path()).unwrap());
        assert_eq!(names(dir.path()), vec![".hidden", "batch", "keep.csv"]);
        assert_eq!(names(&dir.path().join("batch")), vec!["parts"]);
        assert!(names(&dir.path().join("batch/parts")).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_or_a_file_as_the_folder_is_a_bad_argument() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("o");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        let e = OutputSet::new(&link).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("does not exist"), "{e}");
        let file = dir.path().join("f");
        fs::write(&file, b"").unwrap();
        let e = OutputSet::new(&file).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("not a folder"), "{e}");
    }
}
