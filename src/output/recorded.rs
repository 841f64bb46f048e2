//! What earlier commands recorded in an output folder: whether the files derived from the inputs
//! (batch statistics, sensitivity indices, …) still match the current inputs, and which files a
//! previous run wrote that this run no longer writes.
//!
//! A derived folder is *current* when every input file its identity file records is among the
//! current inputs with the same SHA-256. A file that was recorded but is no longer an input
//! (a scenario not run now, a scenario now read from another folder) makes it stale too:
//! nothing is drawn that cannot be shown to come from the inputs at hand.

use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use super::schema;
use crate::data::Region;
use crate::error::{Error, IoKind, Result};
use crate::scenario::Scenario;

/// An input file and its SHA-256, as manifests and identity files record them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputHash {
    /// Path as the manifest has it (`embedded:<path>` for compiled-in files).
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
}

impl InputHash {
    /// A file and its SHA-256 (hex).
    pub fn new(path: impl Into<String>, sha256: impl Into<String>) -> InputHash {
        InputHash {
            path: path.into(),
            sha256: sha256.into(),
        }
    }
}

/// The input files of a region and scenarios, as the manifest lists them.
pub fn input_hashes(region: &Region, scenarios: &[&Scenario]) -> Vec<InputHash> {
    let mut inputs: Vec<InputHash> = region
        .inputs
        .iter()
        .map(|(p, h)| InputHash {
            path: p.clone(),
            sha256: h.clone(),
        })
        .collect();
    for sc in scenarios {
        for f in &sc.files {
            if !inputs.iter().any(|i| i.path == f.name) {
                inputs.push(InputHash {
                    path: f.name.clone(),
                    sha256: f.sha256.clone(),
                });
            }
        }
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    inputs
}

/// Whether a derived folder's recorded inputs match the current ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Every recorded input is a current input with the same hash.
    Current,
    /// Recorded inputs differ; the text names them.
    Stale(String),
    /// The identity file is absent: nothing says what the files came from.
    Unrecorded,
}

/// The part of an identity file (or manifest) this check reads; other fields are ignored.
#[derive(Debug, Deserialize)]
struct Recorded {
    inputs: Vec<InputHash>,
}

/// Reads the `inputs` list of an identity file or a manifest (`None` when the file is absent).
pub fn read_recorded_inputs(file: &Path) -> Result<Option<Vec<InputHash>>> {
    let Some(bytes) = read_record(file)? else {
        return Ok(None);
    };
    let r: Recorded = serde_json::from_slice(&bytes).map_err(|e| {
        crate::error::InputError::new(format!("cannot read the recorded inputs: {e}"))
            .in_file(file.display().to_string())
            .hint("the file is written by kymsim; rerun the command that wrote it")
    })?;
    Ok(Some(r.inputs))
}

/// Compares recorded inputs with the current ones (see the module documentation).
pub fn compare_inputs(recorded: &[InputHash], current: &[InputHash]) -> Freshness {
    let mut changed = Vec::new();
    let mut absent = Vec::new();
    for r in recorded {
        match current.iter().find(|c| c.path == r.path) {
            Some(c) if c.sha256 == r.sha256 => {}
            Some(_) => changed.push(r.path.as_str()),
            None => absent.push(r.path.as_str()),
        }
    }
    if changed.is_empty() && absent.is_empty() {
        return Freshness::Current;
    }
    let list = |v: &[&str]| {
        let mut s = v
            .iter()
            .take(3)
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if v.len() > 3 {
            s.push_str(&format!(" and {} more", v.len() - 3));
        }
        s
    };
    let mut parts = Vec::new();
    if !changed.is_empty() {
        parts.push(format!("changed since: {}", list(&changed)));
    }
    if !absent.is_empty() {
        parts.push(format!("not inputs of this run: {}", list(&absent)));
    }
    Freshness::Stale(parts.join("; "))
}

/// Whether the folder whose identity file is `identity_file` was computed from `current`.
/// An identity file that cannot be read counts as stale.
pub fn recorded_inputs_match(identity_file: &Path, current: &[InputHash]) -> Freshness {
    match read_recorded_inputs(identity_file) {
        Ok(Some(recorded)) => compare_inputs(&recorded, current),
        Ok(None) => Freshness::Unrecorded,
        Err(e) => Freshness::Stale(e.to_string()),
    }
}

/// Files derived from a run's inputs by a separate command, drawn by `run` and `plot` only
/// while their identity file matches the current inputs.
#[derive(Debug, Clone, Copy)]
pub struct Derived {
    /// What the user calls it, and the command that remakes it.
    pub what: &'static str,
    /// The command that remakes it.
    pub command: &'static str,
    /// The identity file, relative to the output folder.
    pub identity: &'static str,
    /// The files drawn from, relative to the output folder.
    pub files: &'static [&'static str],
}

pub use super::schema::SENSITIVITY_IDENTITY_JSON;

/// The derived outputs `run` and `plot` may draw.
pub const DERIVED: &[Derived] = &[
    Derived {
        what: "batch/",
        command: "kymsim batch",
        identity: schema::BATCH_IDENTITY_JSON,
        files: &[
            schema::STATS_CSV,
            schema::DISTRIBUTIONS_CSV,
            schema::BATCH_SUMMARY_CSV,
        ],
    },
    Derived {
        what: "sensitivity.csv",
        command: "kymsim sensitivity",
        identity: SENSITIVITY_IDENTITY_JSON,
        files: &[schema::SENSITIVITY_CSV],
    },
    Derived {
        what: "track/",
        command: "kymsim track",
        identity: schema::TRACK_IDENTITY_JSON,
        files: &[
            schema::TRACK_SUMMARY_CSV,
            schema::TRACK_OBSERVATIONS_CSV,
            schema::TRACK_DEVIATION_CSV,
        ],
    },
];

/// A derived output that is present in a folder but not drawn, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// Which one.
    pub derived: Derived,
    /// Why (stale inputs or no record of them).
    pub reason: String,
    /// No identity file records its inputs (else: they differ from the current ones).
    pub unrecorded: bool,
}

impl Skipped {
    /// The one stderr line telling the user.
    pub fn message(&self) -> String {
        format!(
            "note: {} is not drawn: {}; rerun `{}` to update it",
            self.derived.what, self.reason, self.derived.command
        )
    }

    /// [`Skipped::message`] in `lang`.
    pub fn message_in(&self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::En => self.message(),
            crate::i18n::Lang::Fi => format!(
                "huom.: tulosta `{}` ei piirretä: {}; päivitä se komennolla `{}`",
                self.derived.what,
                if self.unrecorded {
                    "sen lähtötietoja ei ole kirjattu"
                } else {
                    "sen lähtötiedot eroavat tämän ajon lähtötiedoista"
                },
                self.derived.command
            ),
        }
    }
}

/// The derived outputs present in `dir` whose recorded inputs do not match `current`. An
/// identity file that is a FIFO, device or folder is refused (read without blocking).
pub fn stale_derived(dir: &Path, current: &[InputHash]) -> Result<Vec<Skipped>> {
    let mut out = Vec::new();
    for d in DERIVED {
        if !d.files.iter().any(|f| dir.join(f).is_file()) {
            continue;
        }
        let identity = dir.join(d.identity);
        // not readable as a record at all (a FIFO, a device): refused, not skipped
        read_record(&identity)?;
        let freshness = recorded_inputs_match(&identity, current);
        let unrecorded = matches!(freshness, Freshness::Unrecorded);
        let reason = match freshness {
            Freshness::Current => continue,
            Freshness::Stale(why) => format!("its inputs differ from this run's ({why})"),
            Freshness::Unrecorded => {
                format!("no `{}` records the inputs it came from", d.identity)
            }
        };
        out.push(Skipped {
            derived: *d,
            reason,
            unrecorded,
        });
    }
    Ok(out)
}

/// Reads a record kymsim wrote into an output folder (a manifest, an identity file, a chart of
/// another command): `None` when absent; a FIFO, device, folder or a file over
/// [`crate::input::MAX_RECORD_BYTES`] at its name is a bad input, refused without blocking.
pub fn read_record(file: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::symlink_metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    match crate::input::read_regular(file, crate::input::MAX_RECORD_BYTES) {
        Ok(b) => Ok(Some(b)),
        // a dangling link: as absent
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The outputs the manifest `file` lists (`None` when there is no manifest, or it does not
/// parse as one). A manifest that is not a regular file is refused (see [`read_record`]).
pub fn previous_outputs(file: &Path) -> Result<Option<Vec<String>>> {
    #[derive(Deserialize)]
    struct Listed {
        outputs: Vec<String>,
    }
    let Some(bytes) = read_record(file)? else {
        return Ok(None);
    };
    Ok(serde_json::from_slice::<Listed>(&bytes)
        .ok()
        .map(|l| l.outputs))
}

/// What [`remove_unlisted`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Removal {
    /// Files removed, as the earlier manifest listed them.
    pub removed: Vec<String>,
    /// Entries left alone, each with the reason (not a plain relative path, or a path through
    /// a symbolic link): one note line each.
    pub ignored: Vec<String>,
}

/// Whether a manifest entry is a plain relative path: `a/b.csv`, no `..`, `.`, root or prefix,
/// no empty component, no control character.
fn plain_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.chars().any(char::is_control)
        && !p.contains('\\')
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Removes from `dir` the files of `previous` (what an earlier manifest listed) that are not in
/// `now`. Only plain relative paths are considered (no `..`, no absolute path); the path is
/// walked from the opened output folder one component at a time without following any symbolic
/// link, so nothing outside `dir` is ever removed, whatever links lie on the way; only regular
/// files are removed, and nothing else in `dir` is touched. Entries that are not plain paths,
/// or that lead through a link, are ignored and named in [`Removal::ignored`].
pub fn remove_unlisted(dir: &Path, previous: &[String], now: &[String]) -> Result<Removal> {
    let mut done = Removal::default();
    for p in previous {
        if now.contains(p) {
            continue;
        }
        if !plain_relative(p) {
            done.ignored.push(format!(
                "`{}` is not a plain relative path inside the output folder",
                crate::error::printable(p, 200)
            ));
            continue;
        }
        match remove_inside(dir, p)? {
            Inside::Removed => done.removed.push(p.clone()),
            Inside::Absent => {}
            Inside::ThroughLink(at) => done.ignored.push(format!(
                "`{p}` leads through the symbolic link `{at}`; kymsim removes nothing through links"
            )),
        }
    }
    Ok(done)
}

enum Inside {
    Removed,
    Absent,
    ThroughLink(String),
}

/// Removes the regular file `rel` below `dir`, opening each folder on the way relative to the
/// one before with `O_NOFOLLOW`, and removing the last component from the folder so opened.
#[cfg(unix)]
fn remove_inside(dir: &Path, rel: &str) -> Result<Inside> {
    use rustix::fs::{AtFlags, FileType, Mode, OFlags, openat, statat, unlinkat};
    use rustix::io::Errno;
    let open_flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    // --out itself may be a link the user made (as everywhere); nothing below it is followed
    let mut cur = match openat(rustix::fs::CWD, dir, open_flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(Inside::Absent),
        Err(e) => return Err(Error::io(IoKind::Remove, dir, e.into())),
    };
    let parts: Vec<&str> = rel.split('/').collect();
    let (last, folders) = parts.split_last().expect("a plain path has a component");
    let mut walked = String::new();
    for part in folders {
        if !walked.is_empty() {
            walked.push('/');
        }
        walked.push_str(part);
        match openat(&cur, *part, open_flags | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => cur = fd,
            Err(Errno::NOENT) => return Ok(Inside::Absent),
            // a link (ELOOP) or a file where a folder was listed (ENOTDIR)
            Err(Errno::LOOP) | Err(Errno::NOTDIR) => {
                return Ok(
                    if statat(&cur, *part, AtFlags::SYMLINK_NOFOLLOW)
                        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
                    {
                        Inside::ThroughLink(walked)
                    } else {
                        Inside::Absent
                    },
                );
            }
            Err(e) => return Err(Error::io(IoKind::Remove, dir.join(&walked), e.into())),
        }
    }
    match statat(&cur, *last, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile => {}
        _ => return Ok(Inside::Absent),
    }
    // unlinkat never follows a link: were the file swapped for one meanwhile, the link goes
    match unlinkat(&cur, *last, AtFlags::empty()) {
        Ok(()) => Ok(Inside::Removed),
        Err(Errno::NOENT) => Ok(Inside::Absent),
        Err(e) => Err(Error::io(IoKind::Remove, dir.join(rel), e.into())),
    }
}

/// Without `openat`: every component is checked not to be a link before the file is removed.
#[cfg(not(unix))]
fn remove_inside(dir: &Path, rel: &str) -> Result<Inside> {
    let mut cur = dir.to_path_buf();
    let mut walked = String::new();
    for part in rel.split('/') {
        cur.push(part);
        if !walked.is_empty() {
            walked.push('/');
        }
        walked.push_str(part);
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => return Ok(Inside::ThroughLink(walked)),
            Ok(_) => {}
            Err(_) => return Ok(Inside::Absent),
        }
    }
    match std::fs::symlink_metadata(&cur) {
        Ok(m) if m.is_file() => {
            std::fs::remove_file(&cur).map_err(|e| Error::io(IoKind::Remove, &cur, e))?;
            Ok(Inside::Removed)
        }
        _ => Ok(Inside::Absent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(path: &str, sha: &str) -> InputHash {
        InputHash::new(path, sha)
    }

    #[test]
    fn recorded_subset_with_equal_hashes_is_current() {
        let recorded = [h("a.csv", "1"), h("s/x.toml", "2")];
        let current = [h("a.csv", "1"), h("s/x.toml", "2"), h("s/y.toml", "3")];
        assert_eq!(compare_inputs(&recorded, &current), Freshness::Current);
    }

    #[test]
    fn changed_hash_is_stale_and_named() {
        let recorded = [h("a.csv", "1"), h("s/x.toml", "2")];
        let current = [h("a.csv", "1"), h("s/x.toml", "9")];
        assert_eq!(
            compare_inputs(&recorded, &current),
            Freshness::Stale("changed since: `s/x.toml`".into())
        );
    }

    #[test]
    fn recorded_file_no_longer_an_input_is_stale() {
        // the same scenario now read from ./scenarios instead of the compiled-in copy
        let recorded = [h("embedded:scenarios/x.toml", "2")];
        let current = [h("scenarios/x.toml", "2")];
        assert_eq!(
            compare_inputs(&recorded, &current),
            Freshness::Stale("not inputs of this run: `embedded:scenarios/x.toml`".into())
        );
    }

    #[test]
    fn identity_file_absent_or_broken() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("identity.json");
        assert_eq!(recorded_inputs_match(&f, &[]), Freshness::Unrecorded);
        std::fs::write(&f, "{ not json").unwrap();
        assert!(matches!(
            recorded_inputs_match(&f, &[]),
            Freshness::Stale(_)
        ));
        std::fs::write(
            &f,
            r#"{"seed": 1, "inputs": [{"path": "a.csv", "sha256": "1"}]}"#,
        )
        .unwrap();
        assert_eq!(
            recorded_inputs_match(&f, &[h("a.csv", "1")]),
            Freshness::Current
        );
    }

    #[test]
    fn only_listed_plain_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("charts")).unwrap();
        for f in ["charts/old.png", "charts/kept.png", "mine.txt"] {
            std::fs::write(d.join(f), "x").unwrap();
        }
        std::fs::create_dir_all(d.join("charts/sub")).unwrap();
        let previous: Vec<String> = [
            "charts/old.png",
            "charts/kept.png",
            "../escape.txt",
            "/etc/passwd",
            "charts/sub",
            "gone.csv",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let now = vec!["charts/kept.png".to_string()];
        let done = remove_unlisted(d, &previous, &now).unwrap();
        assert_eq!(done.removed, vec!["charts/old.png".to_string()]);
        assert_eq!(done.ignored.len(), 2, "{:?}", done.ignored);
        assert!(!d.join("charts/old.png").exists());
        assert!(d.join("charts/kept.png").is_file());
        assert!(d.join("mine.txt").is_file(), "unlisted files stay");
        assert!(d.join("charts/sub").is_dir(), "folders stay");
    }
}
