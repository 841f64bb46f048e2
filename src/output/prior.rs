//! Results of earlier commands that `run` and `plot` read from the output folder — an explicit,
//! recorded input rather than a hidden one.
//!
//! A planner runs `kymsim batch` and then `kymsim run` and sees P(target met) in the report: the
//! batch's files in `--out` are inputs of that run. [`prior_results`] is the one place that
//! decides which of them are read:
//!
//! - `batch/` (`stats.csv`, `distributions.csv`, `summary.csv`) and `sensitivity.csv` when every
//!   input their identity file records is an input of this run with the same SHA-256 (see
//!   [`super::recorded`]); otherwise they are skipped with a reason;
//! - the charts of `kymsim discover` and `kymsim sensitivity --method morris`
//!   (`charts/discovery_<s>.svg`, `charts/morris_<s>.svg`) when their identity file records
//!   the same kymsim version and input files (by file name and content).
//!
//! The command says on stderr which files it read, and `run` lists them with their SHA-256 in
//! `manifest.json` (`prior_results`).

use std::path::Path;

use super::recorded::{DERIVED, InputHash, Skipped, read_record, stale_derived};
use super::schema::{DISCOVERY_IDENTITY_JSON, MORRIS_IDENTITY_JSON, PLAN_IDENTITY_JSON};
use crate::error::Result;

/// The inputs of the command that reads: its kymsim version and input files.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    /// kymsim version.
    pub version: &'a str,
    /// Input files and their SHA-256.
    pub inputs: &'a [InputHash],
}

/// What a command reads of the results already in its output folder.
#[derive(Debug, Clone, Default)]
pub struct PriorResults {
    /// The files read (relative to the output folder) and their SHA-256, in reading order.
    pub read: Vec<InputHash>,
    /// Derived outputs present but not read, and why.
    pub skipped: Vec<Skipped>,
    /// The charts of other commands shown in the report: (stem, path relative to the folder).
    pub attached: Vec<(String, String)>,
}

impl PriorResults {
    /// The files of skipped derived outputs (not to be read).
    pub fn skip_files(&self) -> Vec<&'static str> {
        self.skipped
            .iter()
            .flat_map(|s| s.derived.files.iter().copied())
            .collect()
    }

    /// The stderr lines: one per skipped derived output, then the files read.
    pub fn notes(&self) -> Vec<String> {
        self.notes_in(crate::i18n::Lang::En)
    }

    /// [`PriorResults::notes`] in `lang`.
    pub fn notes_in(&self, lang: crate::i18n::Lang) -> Vec<String> {
        let mut lines: Vec<String> = self.skipped.iter().map(|s| s.message_in(lang)).collect();
        if !self.read.is_empty() {
            let names: Vec<&str> = self.read.iter().map(|i| i.path.as_str()).collect();
            lines.push(match lang {
                crate::i18n::Lang::En => {
                    format!("reading results of earlier commands: {}", names.join(", "))
                }
                crate::i18n::Lang::Fi => {
                    format!("luetaan aiempien komentojen tulokset: {}", names.join(", "))
                }
            });
        }
        lines
    }
}

/// SHA-256 of a regular file in `dir` (`None` when absent or a link; a FIFO, device or folder
/// at its name is refused).
fn hash_of(dir: &Path, rel: &str) -> Result<Option<InputHash>> {
    let path = dir.join(rel);
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Ok(None);
    }
    let bytes = if rel.ends_with(".csv") {
        match std::fs::symlink_metadata(&path) {
            Err(_) => return Ok(None),
            Ok(_) => crate::input::read_regular(&path, crate::input::MAX_INPUT_BYTES)?,
        }
    } else {
        match read_record(&path)? {
            Some(b) => b,
            None => return Ok(None),
        }
    };
    Ok(Some(InputHash::new(rel, crate::input::sha256_hex(&bytes))))
}

/// Decides which results of earlier commands in `dir` are read, against `current` (the inputs of
/// the reading command; `None`: nothing to compare with, as for `plot` on a folder without
/// `manifest.json` — derived files are then read unchecked and no other command's charts are
/// shown).
///
/// A FIFO, device or folder at the name of a file it would read is a bad input, refused at
/// once (nothing waits on it).
pub fn prior_results(dir: &Path, current: Option<Current>) -> Result<PriorResults> {
    let skipped = match current {
        Some(c) => stale_derived(dir, c.inputs)?,
        None => Vec::new(),
    };
    let mut read: Vec<InputHash> = Vec::new();
    for d in DERIVED
        .iter()
        .filter(|d| !skipped.iter().any(|s| s.derived.identity == d.identity))
    {
        for f in d.files {
            read.extend(hash_of(dir, f)?);
        }
    }
    let attached = match current {
        Some(c) => attached_charts(dir, c)?,
        None => Vec::new(),
    };
    for (_, rel) in &attached {
        read.extend(hash_of(dir, rel)?);
    }
    // the tables of a current plan are read for the report's "cheapest plan" section
    if let Some(c) = current
        && read_record(&dir.join(PLAN_IDENTITY_JSON))?
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|id| identity_matches(&id, c))
    {
        for f in [super::schema::PLAN_CSV, super::schema::PORTFOLIO_CSV] {
            read.extend(hash_of(dir, f)?);
        }
    }
    Ok(PriorResults {
        read,
        skipped,
        attached,
    })
}

/// The version and input list of a manifest or identity file.
fn version_and_inputs(v: &serde_json::Value) -> Option<(String, Vec<InputHash>)> {
    let inputs = v.get("inputs")?.as_array()?;
    Some((
        v.get("kymsim_version")?.as_str()?.to_string(),
        inputs
            .iter()
            .map(|i| {
                Some(InputHash::new(
                    i.get("path")?.as_str()?,
                    i.get("sha256")?.as_str()?,
                ))
            })
            .collect::<Option<Vec<_>>>()?,
    ))
}

/// Whether the files recorded by an identity (`discovery_identity.json`, `morris_identity.json`)
/// belong to `current`: the same kymsim version, and every input file the identity lists is
/// among the current ones with the same SHA-256. Files are compared by file name and content,
/// not by the path they were given as (`--scenarios DIR` relative or absolute names the same
/// file).
pub fn identity_matches(identity: &serde_json::Value, current: Current) -> bool {
    let key = |i: &InputHash| {
        let name = i.path.rsplit(['/', '\\']).next().unwrap_or(&i.path);
        (name.to_string(), i.sha256.clone())
    };
    let now: Vec<(String, String)> = current.inputs.iter().map(key).collect();
    // an empty list would match any run: it proves nothing
    version_and_inputs(identity).is_some_and(|(version, inputs)| {
        version == current.version
            && !inputs.is_empty()
            && inputs.iter().all(|i| now.contains(&key(i)))
    })
}

/// The charts of `kymsim discover` and `kymsim sensitivity --method morris` in `dir` whose
/// identity file matches `current`, as (stem, path relative to `dir`) of each SVG present.
/// A scenario name the identity records that is not a scenario name (`[a-z0-9_-]+`) names no
/// chart; a FIFO, device or folder at an identity's name is refused.
pub fn attached_charts(dir: &Path, current: Current) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (identity, prefix) in [
        (DISCOVERY_IDENTITY_JSON, "discovery_"),
        (MORRIS_IDENTITY_JSON, "morris_"),
        (PLAN_IDENTITY_JSON, "frontier_"),
    ] {
        let Some(id) = read_record(&dir.join(identity))?
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        else {
            continue;
        };
        if !identity_matches(&id, current) {
            continue;
        }
        let scenarios: Vec<String> = match (id.get("scenario"), id.get("scenarios")) {
            (Some(s), _) => s.as_str().map(String::from).into_iter().collect(),
            (None, Some(list)) => list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(String::from))
                .collect(),
            (None, None) => Vec::new(),
        };
        for s in scenarios
            .into_iter()
            .filter(|s| crate::scenario::is_scenario_name(s))
        {
            let stem = format!("{prefix}{s}");
            let rel = format!("charts/{stem}.svg");
            if std::fs::symlink_metadata(dir.join(&rel)).is_ok_and(|m| m.is_file()) {
                out.push((stem, rel));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(path: &str, sha: &str) -> InputHash {
        InputHash::new(path, sha)
    }

    #[test]
    fn current_batch_files_are_read_and_stale_ones_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("batch")).unwrap();
        std::fs::write(d.join("batch/summary.csv"), "abc").unwrap();
        std::fs::write(
            d.join("batch/identity.json"),
            r#"{"inputs": [{"path": "a.csv", "sha256": "1"}]}"#,
        )
        .unwrap();
        std::fs::write(d.join("sensitivity.csv"), "x").unwrap();
        std::fs::write(
            d.join("sensitivity-identity.json"),
            r#"{"inputs": [{"path": "a.csv", "sha256": "2"}]}"#,
        )
        .unwrap();
        let inputs = [h("a.csv", "1")];
        let p = prior_results(
            d,
            Some(Current {
                version: "0.1.0",
                inputs: &inputs,
            }),
        )
        .unwrap();
        // SHA-256 of the three bytes "abc" (FIPS 180-2 test vector)
        assert_eq!(
            p.read,
            vec![h(
                "batch/summary.csv",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            )]
        );
        assert_eq!(p.skip_files(), vec!["sensitivity.csv"]);
        let notes = p.notes();
        assert_eq!(notes.len(), 2);
        assert!(notes[0].starts_with("note: sensitivity.csv is not drawn"));
        assert_eq!(
            notes[1],
            "reading results of earlier commands: batch/summary.csv"
        );
        // without inputs to compare with, everything present is read unchecked
        let p = prior_results(d, None).unwrap();
        assert_eq!(p.read.len(), 2);
        assert!(p.skipped.is_empty());
    }

    #[test]
    fn attached_charts_need_the_same_version_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("charts")).unwrap();
        std::fs::write(d.join("charts/discovery_programme.svg"), "<svg/>").unwrap();
        std::fs::write(
            d.join(DISCOVERY_IDENTITY_JSON),
            r#"{"kymsim_version": "0.1.0", "scenario": "programme",
                "inputs": [{"path": "/abs/scenarios/programme.toml", "sha256": "9"}]}"#,
        )
        .unwrap();
        let inputs = [h("scenarios/programme.toml", "9")];
        let now = Current {
            version: "0.1.0",
            inputs: &inputs,
        };
        assert_eq!(
            attached_charts(d, now).unwrap(),
            vec![(
                "discovery_programme".to_string(),
                "charts/discovery_programme.svg".to_string()
            )]
        );
        let other = Current {
            version: "0.2.0",
            ..now
        };
        assert!(attached_charts(d, other).unwrap().is_empty());
        let changed = [h("scenarios/programme.toml", "8")];
        let changed = Current {
            inputs: &changed,
            ..now
        };
        assert!(attached_charts(d, changed).unwrap().is_empty());
    }

    #[test]
    fn an_identity_with_no_inputs_or_a_name_that_is_no_scenario_attaches_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("charts")).unwrap();
        std::fs::write(d.join("charts/discovery_programme.svg"), "<svg/>").unwrap();
        let inputs = [h("scenarios/programme.toml", "9")];
        let now = Current {
            version: "0.1.0",
            inputs: &inputs,
        };
        // an empty input list would match any run
        std::fs::write(
            d.join(DISCOVERY_IDENTITY_JSON),
            r#"{"kymsim_version": "0.1.0", "scenario": "programme", "inputs": []}"#,
        )
        .unwrap();
        assert!(attached_charts(d, now).unwrap().is_empty());
        // a recorded "scenario" that climbs out of charts/
        std::fs::write(d.join("x.svg"), "<svg/>").unwrap();
        std::fs::write(
            d.join(DISCOVERY_IDENTITY_JSON),
            r#"{"kymsim_version": "0.1.0", "scenario": "/../../x",
                "inputs": [{"path": "programme.toml", "sha256": "9"}]}"#,
        )
        .unwrap();
        assert!(attached_charts(d, now).unwrap().is_empty());
    }
}
