//! Regression comparison of two result sets: `kymsim check EXPECTED ACTUAL`.
//!
//! Rows are matched by key, never by position: IAMC files (`results.csv`, `batch/stats.csv`) by
//! scenario, region, variable, unit (and `statistic` when the file has that column; the `model`
//! column is ignored), summary-type files by their key columns (see [`KNOWN_TABLES`]). Every
//! year cell (every cell of a summary-type file) passes when
//! `|actual − expected| ≤ atol + rtol·|expected|`; text cells must be equal. Missing and extra
//! scenarios, rows, years and columns are differences too.
//!
//! Batch statistics get a wider tolerance when the two sides used different sample counts or
//! seeds (read from `batch/summary.csv`, else `manifest.json`): see
//! [`tolerances::noise_allowance`].
//!
//! ```
//! use kymsim::check::{Tolerances, compare_files};
//! let dir = tempfile::tempdir().unwrap();
//! let e = dir.path().join("expected.csv");
//! let a = dir.path().join("actual.csv");
//! std::fs::write(&e, "model,scenario,region,variable,unit,2030\nm,s,R,Net,kt,12.5\n").unwrap();
//! std::fs::write(&a, "model,scenario,region,variable,unit,2030\nm,s,R,Net,kt,12.6\n").unwrap();
//! let report = compare_files(&e, &a, &Tolerances::default()).unwrap();
//! assert!(!report.equal);
//! assert_eq!(report.differences[0].year.as_deref(), Some("2030"));
//! ```

mod csvfile;
mod iamc;
pub mod junit;
mod report;
mod table;
pub mod tolerances;

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};

pub use report::{
    Case, CellDiff, CellValue, FileKind, FileReport, KEPT_DIFFERENCES, Report, RowRef,
};
pub use table::KNOWN_TABLES;
pub use tolerances::{
    DEFAULT_ATOL, DEFAULT_NOISE_K, DEFAULT_RTOL, Rule, Tol, Tolerances, glob_match, noise_allowance,
};

use crate::error::{Error, InputError, IoKind, Result};
use csvfile::CsvSource;
use report::TopDiffs;

/// Files that must be IAMC CSVs, by name (any folder).
const IAMC_FILES: [&str; 2] = ["results.csv", "stats.csv"];

/// Folders skipped when looking for CSV files (charts are images).
const SKIPPED_DIRS: [&str; 1] = ["charts"];

/// Compares EXPECTED with ACTUAL, two folders or two CSV files.
pub fn compare(expected: &Path, actual: &Path, tol: &Tolerances) -> Result<Report> {
    if expected.is_dir() {
        compare_dirs(expected, actual, tol)
    } else {
        compare_files(expected, actual, tol)
    }
}

/// Compares two result folders: every CSV file in `expected` (below it too, except `charts/`)
/// with the file of the same path in `actual`. A file missing from `actual` is a difference;
/// CSV files only in `actual` are listed but not compared; `manifest.json` and charts are not
/// compared.
pub fn compare_dirs(expected: &Path, actual: &Path, tol: &Tolerances) -> Result<Report> {
    tol.validate()?;
    for (what, p) in [("EXPECTED", expected), ("ACTUAL", actual)] {
        if !p.exists() {
            return Err(Error::io(
                IoKind::Read,
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
            ));
        }
        if !p.is_dir() {
            return Err(InputError::new(format!(
                "{what} `{}` is a file, but the other side is a folder",
                p.display()
            ))
            .hint("compare two folders, or two CSV files")
            .into());
        }
    }
    let expected_files = csv_files(expected)?;
    if expected_files.is_empty() {
        return Err(InputError::new(format!(
            "no CSV files in the expected folder `{}`",
            expected.display()
        ))
        .hint("EXPECTED comes first: `kymsim check EXPECTED ACTUAL`")
        .into());
    }
    let actual_files = csv_files(actual)?;
    let (eb, ab) = (expected.join("batch"), actual.join("batch"));
    let noise = BatchNoise {
        expected: BatchSettings::load(&eb, &[&eb, expected]),
        actual: BatchSettings::load(&ab, &[&ab, actual]),
    };
    let mut sink = Sink::new();
    let mut files = Vec::new();
    for rel in &expected_files {
        let name = rel_name(rel);
        let a_path = actual.join(rel);
        if !a_path.is_file() {
            let kind = if table::known_keys(&file_name(rel)).is_some() {
                FileKind::Table
            } else {
                FileKind::Iamc
            };
            let mut r = FileReport::new(&name, kind);
            r.missing_in_actual = true;
            r.cases.push(Case {
                scenario: String::new(),
                variable: name.clone(),
                cells: 0,
                failed: 0,
                worst: None,
                problem: Some("file missing in actual".into()),
            });
            files.push(r);
            continue;
        }
        files.push(compare_pair(
            &name,
            &expected.join(rel),
            &a_path,
            tol,
            Some(&noise),
            false,
            &mut sink,
        )?);
    }
    let extra_files = actual_files
        .iter()
        .filter(|f| !expected_files.contains(f))
        .map(|f| rel_name(f))
        .collect();
    Ok(Report::finish(
        expected.display().to_string(),
        actual.display().to_string(),
        tol,
        files,
        extra_files,
        sink.into_sorted(),
    ))
}

/// Compares two CSV files. A file named like a summary-type file (see [`KNOWN_TABLES`]) is
/// compared by its key columns; any other must be an IAMC CSV. For batch statistics, the sample
/// counts and seeds are read from `summary.csv` beside each file (and `manifest.json` beside it
/// or one folder up).
pub fn compare_files(expected: &Path, actual: &Path, tol: &Tolerances) -> Result<Report> {
    tol.validate()?;
    for p in [expected, actual] {
        if p.is_dir() {
            return Err(InputError::new(format!(
                "`{}` is a folder, but the other side is a file",
                p.display()
            ))
            .hint("compare two folders, or two CSV files")
            .into());
        }
    }
    let beside = |p: &Path| {
        let dir = p.parent().unwrap_or(Path::new(".")).to_path_buf();
        let up = dir.parent().map(Path::to_path_buf).unwrap_or_default();
        BatchSettings::load(&dir, &[&dir, &up])
    };
    let noise = BatchNoise {
        expected: beside(expected),
        actual: beside(actual),
    };
    let name = file_name(expected);
    let mut sink = Sink::new();
    let file = compare_pair(&name, expected, actual, tol, Some(&noise), true, &mut sink)?;
    Ok(Report::finish(
        expected.display().to_string(),
        actual.display().to_string(),
        tol,
        vec![file],
        Vec::new(),
        sink.into_sorted(),
    ))
}

/// Compares one pair of files; `strict`: a file not known as summary-type must be IAMC.
fn compare_pair(
    name: &str,
    expected: &Path,
    actual: &Path,
    tol: &Tolerances,
    noise: Option<&BatchNoise>,
    strict: bool,
    sink: &mut Sink,
) -> Result<FileReport> {
    let fname = file_name(expected);
    let (esrc, asrc) = (CsvSource::open(expected)?, CsvSource::open(actual)?);
    let header = esrc.header()?;
    // results.csv and stats.csv must be IAMC; other unknown files may be tables in a folder
    let strict = strict || IAMC_FILES.contains(&fname.as_str());
    let is_table = table::known_keys(&fname).is_some()
        || (!strict && !header.is_empty() && !iamc::is_iamc_header(&header));
    if is_table {
        let (e, a) = (table::Table::read(&esrc)?, table::Table::read(&asrc)?);
        let check = table::TableCheck {
            name,
            file_name: &fname,
            tol,
            noise,
        };
        return table::compare(&check, (&esrc, &e), (&asrc, &a), sink);
    }
    // parse both sides at once: on two cores this halves the time of large files
    let (e, a) = std::thread::scope(|s| {
        let a = s.spawn(|| iamc::Iamc::read(&asrc));
        let e = iamc::Iamc::read(&esrc);
        (e, a.join().expect("parsing a file does not panic"))
    });
    let (e, a) = (e?, a?);
    iamc::compare(name, (&esrc, &e), (&asrc, &a), tol, noise, sink)
}

/// CSV files below `dir`, relative to it, sorted; hidden files and `charts/` skipped. A link to
/// a folder is not entered (a link to `/` or to a parent would walk the whole disk or loop); a
/// link to a file is compared like the file.
fn csv_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = dir.join(&rel);
        let entries = std::fs::read_dir(&abs).map_err(|e| Error::io(IoKind::Read, &abs, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(IoKind::Read, &abs, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let rel_path = rel.join(&*name);
            let linked = entry.file_type().is_ok_and(|t| t.is_symlink());
            if path.is_dir() {
                let skipped = rel.as_os_str().is_empty() && SKIPPED_DIRS.contains(&name.as_ref());
                if !(linked || skipped) {
                    stack.push(rel_path);
                }
            } else if name.to_ascii_lowercase().ends_with(".csv") {
                out.push(rel_path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn rel_name(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned())
}

/// A fast, non-cryptographic hasher for the row keys (Fx-style multiply-rotate over 8-byte
/// words, with a final avalanche so that the low bits used for buckets are well mixed).
/// Hash flooding is no concern here: the keys come from the user's own files.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // murmur3's fmix64
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The [`FxHasher`] hash of bytes.
#[inline]
pub(crate) fn fx_hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// A byte key with its hash computed beforehand (on the parsing threads).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hashed<'a> {
    pub hash: u64,
    pub bytes: &'a [u8],
}

impl PartialEq for Hashed<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.bytes == other.bytes
    }
}

impl Eq for Hashed<'_> {}

impl std::hash::Hash for Hashed<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Passes a precomputed `u64` hash through.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PassHasher(u64);

impl Hasher for PassHasher {
    fn write(&mut self, bytes: &[u8]) {
        // not used by `Hashed`; hash anything else properly
        self.0 = fx_hash(bytes) ^ self.0.rotate_left(17);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map from [`Hashed`] keys.
pub(crate) type PreHashedMap<'a, V> = HashMap<Hashed<'a>, V, BuildHasherDefault<PassHasher>>;

/// A hash map with [`FxHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A hash set with [`FxHasher`].
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// Collects the differences: the largest ones for the report, the worst one per test case.
pub(crate) struct Sink {
    top: TopDiffs,
    order: u64,
}

impl Sink {
    pub(crate) fn new() -> Sink {
        Sink {
            top: TopDiffs::new(KEPT_DIFFERENCES),
            order: 0,
        }
    }

    pub(crate) fn next_order(&mut self) -> u64 {
        self.order += 1;
        self.order
    }

    /// Offers a failing cell; `make` builds it only if it is kept somewhere.
    pub(crate) fn offer(&mut self, case: &mut Case, excess: f64, make: impl FnOnce() -> CellDiff) {
        let worse = case.worst.as_ref().is_none_or(|w| excess > w.excess);
        let top = self.top.wants(excess);
        if !(worse || top) {
            return;
        }
        let d = make();
        if worse {
            case.worst = Some(Box::new(d.clone()));
        }
        if top {
            self.top.push(d);
        }
    }

    fn into_sorted(self) -> Vec<CellDiff> {
        self.top.into_sorted()
    }
}

/// Sample count and seed of a batch, per scenario or for all.
#[derive(Debug, Default, Clone)]
pub(crate) struct BatchSettings {
    per_scenario: HashMap<String, (Option<u64>, Option<String>)>,
    all: (Option<u64>, Option<String>),
}

impl BatchSettings {
    /// From `batch_dir/summary.csv` (columns `scenario`, `samples`, `seed`), else the first
    /// `manifest.json` found in `manifest_dirs`. Unreadable files give no settings (the
    /// comparison then reports the files themselves).
    fn load(batch_dir: &Path, manifest_dirs: &[&Path]) -> BatchSettings {
        let mut s = BatchSettings::default();
        if let Ok(src) = CsvSource::open(&batch_dir.join("summary.csv"))
            && let Ok(mut rdr) = src.reader()
        {
            if let Ok(h) = rdr.headers().cloned() {
                let col = |n: &str| h.iter().position(|x| x.trim() == n);
                if let (Some(sc), Some(n)) = (col("scenario"), col("samples")) {
                    let seed = col("seed");
                    for rec in rdr.records().flatten() {
                        let samples = rec.get(n).and_then(|x| x.trim().parse().ok());
                        let seed = seed.and_then(|c| rec.get(c)).map(|x| x.trim().to_string());
                        s.per_scenario.insert(
                            rec.get(sc).unwrap_or("").trim().to_string(),
                            (samples, seed),
                        );
                    }
                }
            }
        }
        for d in manifest_dirs {
            if let Ok(Some(bytes)) = crate::output::recorded::read_record(&d.join("manifest.json"))
                && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
            {
                let seed = match &v["seed"] {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(x) => Some(x.clone()),
                    other => Some(other.to_string()),
                };
                s.all = (v["samples"].as_u64(), seed);
                break;
            }
        }
        s
    }

    fn get(&self, scenario: &str) -> (Option<u64>, Option<String>) {
        self.per_scenario
            .get(scenario)
            .cloned()
            .unwrap_or_else(|| self.all.clone())
    }
}

/// The batch settings of both sides, to tell when batch statistics need a noise allowance.
#[derive(Debug, Default, Clone)]
pub(crate) struct BatchNoise {
    expected: BatchSettings,
    actual: BatchSettings,
}

impl BatchNoise {
    /// `(N_expected, N_actual)` when both sample counts are known and the samples or seeds differ.
    pub(crate) fn sizes(&self, scenario: &str) -> Option<(u64, u64)> {
        let (ne, se) = self.expected.get(scenario);
        let (na, sa) = self.actual.get(scenario);
        let (ne, na) = (ne?, na?);
        (ne != na || se != sa).then_some((ne, na))
    }

    /// The note that tells the report a noise allowance is in use.
    pub(crate) fn note(&self, scenario: &str, k: f64) -> String {
        let (ne, se) = self.expected.get(scenario);
        let (na, sa) = self.actual.get(scenario);
        let show = |n: Option<u64>, s: Option<String>| {
            format!(
                "{} samples, seed {}",
                n.map_or("?".into(), |n| n.to_string()),
                s.unwrap_or_else(|| "?".into())
            )
        };
        format!(
            "scenario `{scenario}`: expected has {}, actual {}; mean and quantiles compared with \
             a noise allowance of k·c·sd·√(1/N_e + 1/N_a), k = {k}",
            show(ne, se),
            show(na, sa)
        )
    }
}
