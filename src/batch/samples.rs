//! Kept samples (`--keep-samples`): `batch/samples.csv` (every sample's top-level variables,
//! IAMC rows with a `sample` column) and `batch/inputs.csv` (every sample's drawn uncertain
//! inputs), streamed in sample order while blocks of samples are recomputed in parallel.
//!
//! Both are written through the `csv` crate, with the numbers formatted as every other output
//! formats them ([`fmt_num`] for results, the shortest round-trip form for drawn inputs).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::engine::Workspace;
use crate::engine::batch::evaluate_sample;
use crate::engine::sampler::{Sampler, SamplerKind};
use crate::model::{Model, variables};
use crate::output::schema::{IAMC_COLUMNS, INPUTS_COLUMNS, SAMPLE_COLUMN};
use crate::output::{csv_bytes, fmt_num, model_name};
use crate::scenario::Scenario;

/// The top-level variables `batch/samples.csv` keeps, in row order; each removal sector
/// (`Carbon Removal|<sector>`) follows them.
pub const SAMPLE_VARIABLES: [&str; 5] = [
    variables::GROSS,
    variables::LAND,
    variables::REMOVALS,
    variables::NET,
    variables::FINAL_ENERGY,
];

/// The rows of `batch/samples.csv` for `m`: [`SAMPLE_VARIABLES`], then the direct children of
/// `Carbon Removal` in name order.
fn sample_rows(m: &Model) -> std::io::Result<Vec<usize>> {
    let mut rows = SAMPLE_VARIABLES
        .iter()
        .map(|v| {
            m.variables.index(v).ok_or_else(|| {
                std::io::Error::other(format!("internal: no variable `{v}` in the model"))
            })
        })
        .collect::<std::io::Result<Vec<usize>>>()?;
    let prefix = format!("{}|", variables::REMOVALS);
    rows.extend(m.variables.vars.iter().enumerate().filter_map(|(i, v)| {
        v.name
            .strip_prefix(&prefix)
            .is_some_and(|rest| !rest.contains('|'))
            .then_some(i)
    }));
    Ok(rows)
}

/// Samples computed in parallel per block; a block's rows are written before the next starts.
const BLOCK: u64 = 4096;
/// Samples formatted by one parallel work item.
const PIECE: u64 = 64;

/// What to recompute: samples `0..samples` of the plan, on `pool`, stopping when `cancel` is set.
pub struct SampleStream<'a> {
    /// Worker threads.
    pub pool: &'a rayon::ThreadPool,
    /// Samples per scenario.
    pub samples: u64,
    /// Sampler.
    pub sampler: SamplerKind,
    /// Seed.
    pub seed: u64,
    /// Set by a signal: the stream stops with [`std::io::ErrorKind::Interrupted`].
    pub cancel: &'a AtomicBool,
}

/// A writer of one kept-samples file.
pub type Writer = fn(&mut dyn Write, &SampleStream, &[&Model]) -> std::io::Result<()>;

/// The models sorted by scenario name: the row order of the per-sample files.
pub fn by_scenario(models: &[(Scenario, Model)]) -> Vec<&Model> {
    let mut sorted: Vec<&Model> = models.iter().map(|(_, m)| m).collect();
    sorted.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    sorted
}

impl SampleStream<'_> {
    /// Streams the CSV records of samples `0..samples` in sample order, formatting pieces of
    /// samples in parallel: `rows` writes sample i's records, with one `state` per worker
    /// (made by `init`).
    fn stream<S, I, R>(&self, w: &mut dyn Write, init: I, rows: R) -> std::io::Result<()>
    where
        I: Fn() -> S + Sync + Send,
        R: Fn(&mut S, u64, &mut csv::Writer<Vec<u8>>) -> csv::Result<()> + Sync + Send,
    {
        let mut start = 0;
        while start < self.samples {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "interrupted",
                ));
            }
            let end = (start + BLOCK).min(self.samples);
            let pieces: Vec<Vec<u8>> = self.pool.install(|| {
                (start..end)
                    .step_by(PIECE as usize)
                    .collect::<Vec<u64>>()
                    .into_par_iter()
                    .map_init(&init, |state, from| {
                        csv_bytes(|c| {
                            for i in from..(from + PIECE).min(end) {
                                rows(state, i, c)?;
                            }
                            Ok(())
                        })
                    })
                    .collect()
            });
            for piece in pieces {
                w.write_all(&piece)?;
            }
            start = end;
        }
        Ok(())
    }
}

/// Writes one header record.
fn header<'a>(w: &mut dyn Write, fields: impl IntoIterator<Item = &'a str>) -> std::io::Result<()> {
    w.write_all(&csv_bytes(|c| c.write_record(fields)))
}

/// `batch/samples.csv`: every sample's [`SAMPLE_VARIABLES`] and removal sectors as IAMC rows with a `sample`
/// column, scenarios in the order of `sorted`, samples in order.
pub fn write_samples(
    w: &mut dyn Write,
    stream: &SampleStream,
    sorted: &[&Model],
) -> std::io::Result<()> {
    let Some(first) = sorted.first() else {
        return Ok(());
    };
    let years: Vec<String> = first.years().map(|y| y.to_string()).collect();
    header(
        w,
        IAMC_COLUMNS
            .into_iter()
            .chain([SAMPLE_COLUMN])
            .chain(years.iter().map(String::as_str)),
    )?;
    let name = model_name();
    for &m in sorted {
        let sampler = Sampler::new(m, stream.sampler, stream.seed, stream.samples);
        let rows = sample_rows(m)?;
        stream.stream(
            w,
            || (Workspace::new(m), m.central()),
            |(ws, p), i, c| {
                evaluate_sample(m, &sampler, i, ws, p);
                let sample = i.to_string();
                for &v in &rows {
                    let head = [
                        name.as_str(),
                        m.scenario.as_str(),
                        m.region.as_str(),
                        m.variables.vars[v].name.as_str(),
                        m.variables.vars[v].unit,
                        sample.as_str(),
                    ];
                    c.write_record(
                        head.into_iter()
                            .map(str::to_string)
                            .chain(ws.var(v).iter().map(|x| fmt_num(*x))),
                    )?;
                }
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// The columns of `batch/inputs.csv` after `scenario,sample`: every uncertain parameter's name,
/// scenario by scenario (sorted by name), each scenario's in model order, each name once.
pub fn input_columns(models: &[&Model]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for m in models {
        for i in m.uncertain_params() {
            if !columns.contains(&m.params[i].name) {
                columns.push(m.params[i].name.clone());
            }
        }
    }
    columns
}

/// `batch/inputs.csv`: every sample's drawn inputs, `scenario,sample` and one column per
/// uncertain parameter (see [`input_columns`]), empty where the parameter is not uncertain in
/// that scenario. Values are written in Rust's shortest round-trip form, so that reading them
/// back gives the very numbers the model was evaluated with.
pub fn write_inputs(
    w: &mut dyn Write,
    stream: &SampleStream,
    sorted: &[&Model],
) -> std::io::Result<()> {
    let columns = input_columns(sorted);
    header(
        w,
        INPUTS_COLUMNS
            .into_iter()
            .chain(columns.iter().map(String::as_str)),
    )?;
    for &m in sorted {
        let sampler = Sampler::new(m, stream.sampler, stream.seed, stream.samples);
        let drawn: Vec<usize> = sampler.param_indices().collect();
        let at: Vec<Option<usize>> = columns
            .iter()
            .map(|c| drawn.iter().copied().find(|&i| m.params[i].name == *c))
            .collect();
        stream.stream(
            w,
            || m.central(),
            |p, i, c| {
                sampler.fill(i, p);
                c.write_record(
                    [m.scenario.clone(), i.to_string()].into_iter().chain(
                        at.iter()
                            .map(|j| j.map_or(String::new(), |j| p[j].to_string())),
                    ),
                )
            },
        )?;
    }
    Ok(())
}

/// `FILE:N` of `kymsim run --sample`: sample N (0-based, the `sample` column of
/// `batch/samples.csv`) of a kept `batch/inputs.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRef {
    /// The kept inputs file.
    pub file: std::path::PathBuf,
    /// The sample's index.
    pub sample: u64,
}

impl std::str::FromStr for SampleRef {
    type Err = String;

    /// Reads `FILE:N`, splitting at the last `:`.
    ///
    /// ```
    /// use kymsim::batch::samples::SampleRef;
    /// let s: SampleRef = "output/batch/inputs.csv:17".parse().unwrap();
    /// assert_eq!((s.file.to_str(), s.sample), (Some("output/batch/inputs.csv"), 17));
    /// assert!("output/batch/inputs.csv".parse::<SampleRef>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<SampleRef, String> {
        let usage = "give FILE:SAMPLE, e.g. output/batch/inputs.csv:17";
        let Some((file, n)) = s.rsplit_once(':') else {
            return Err(format!("`{s}` names no sample; {usage}"));
        };
        if file.is_empty() {
            return Err(format!("`{s}` names no file; {usage}"));
        }
        let sample = n
            .parse::<u64>()
            .map_err(|_| format!("`{n}` is not a sample number (0, 1, 2, …); {usage}"))?;
        Ok(SampleRef {
            file: file.into(),
            sample,
        })
    }
}

/// One kept sample read back for `kymsim run --sample`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptSample {
    /// The file it was read from, as given.
    pub file: String,
    /// SHA-256 of that file (hex).
    pub sha256: String,
    /// The sample's index.
    pub sample: u64,
    /// Each model's parameter vector: its central values, every uncertain parameter replaced by
    /// the value the batch drew for this sample. In the order of the models given.
    pub params: Vec<Vec<f64>>,
}

const STALE_HINT: &str = "the file must come from `kymsim batch --keep-samples` over the same data and scenarios; run the batch again if they have changed";

/// Reads sample `at.sample` of each model's scenario from the kept inputs `at.file`
/// (`batch/inputs.csv`, [`write_inputs`]).
///
/// Every uncertain parameter of a model must have a value in its scenario's row, within the
/// parameter's range, and the row may hold no value for a parameter the model does not draw:
/// anything else means the scenario has changed since the batch, and is refused with the line
/// and column of the cell. When the folder of the file holds the batch's `identity.json`, every
/// input file the models read must be one the batch read, with the same content (SHA-256).
/// The file is read as a stream, up to the last row needed.
pub fn read_kept_sample(
    at: &SampleRef,
    models: &[&Model],
    inputs: &[crate::output::recorded::InputHash],
) -> crate::error::Result<KeptSample> {
    use crate::error::{Error, InputError, IoKind};
    let path = &at.file;
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(IoKind::Read, path, e))?;
    if !meta.is_file() {
        return Err(InputError::new(format!("`{name}` is not a regular file"))
            .hint("give the batch/inputs.csv that `kymsim batch --keep-samples` wrote")
            .into());
    }
    let sha256 = {
        use sha2::Digest;
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| Error::io(IoKind::Read, path, e))?;
        let mut hasher = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| Error::io(IoKind::Read, path, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let f = std::fs::File::open(path).map_err(|e| Error::io(IoKind::Read, path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(std::io::BufReader::new(f));
    let at_cell = |line: u64, rec: &csv::StringRecord, col: usize, msg: String| {
        // the record as kymsim writes it (no cell needs quotes), for the column and the snippet
        let text: Vec<&str> = rec.iter().collect();
        let text = text.join(",");
        let mut e = InputError::new(msg).in_file(&name).at(
            (line as usize).max(1),
            crate::data::field_column(&text, col),
        );
        e.source_line = Some(text);
        e
    };
    let csv_error = |e: csv::Error| -> Error {
        let line = e.position().map_or(1, |p| p.line() as usize);
        InputError::new(format!("cannot read the kept inputs: {e}"))
            .in_file(&name)
            .at_line(line)
            .hint(STALE_HINT)
            .into()
    };
    let mut records = reader.records();
    let header = match records.next() {
        Some(h) => h.map_err(csv_error)?,
        None => {
            return Err(InputError::new("the file is empty")
                .in_file(&name)
                .hint("give the batch/inputs.csv that `kymsim batch --keep-samples` wrote")
                .into());
        }
    };
    if header.iter().take(2).ne(INPUTS_COLUMNS) {
        return Err(at_cell(
            1,
            &header,
            0,
            format!(
                "not a file of kept inputs: its first columns are not `{}`",
                INPUTS_COLUMNS.join(",")
            ),
        )
        .hint("give the batch/inputs.csv that `kymsim batch --keep-samples` wrote")
        .into());
    }
    let sample = at.sample.to_string();
    // per model: (line, record) of its row; per scenario in the file: its last sample
    let mut found: Vec<Option<(u64, csv::StringRecord)>> = vec![None; models.len()];
    let mut held: Vec<(String, String)> = Vec::new();
    for rec in records {
        let rec = rec.map_err(csv_error)?;
        let line = rec.position().map_or(0, |p| p.line());
        match held.last_mut() {
            Some((s, last)) if *s == rec[0] => *last = rec[1].to_string(),
            _ => held.push((rec[0].to_string(), rec[1].to_string())),
        }
        if rec[1] == *sample {
            for (m, slot) in models.iter().zip(found.iter_mut()) {
                if m.scenario == rec[0] && slot.is_none() {
                    *slot = Some((line, rec.clone()));
                }
            }
            if found.iter().all(Option::is_some) {
                break;
            }
        }
    }
    // a scenario the batch did not keep first, then files the batch did not read, then the rows
    for (m, row) in models.iter().zip(&found) {
        if row.is_none() {
            let hint = match held.iter().find(|(s, _)| *s == m.scenario) {
                Some((_, last)) => format!("it holds samples 0 to {last} of `{}`", m.scenario),
                None if held.is_empty() => "it holds no samples".to_string(),
                None => format!(
                    "it holds the samples of {}; keep this scenario's with `kymsim batch {} --keep-samples`",
                    crate::error::name_list(held.iter().map(|(s, _)| s.as_str())),
                    m.scenario
                ),
            };
            return Err(InputError::new(format!(
                "no row for scenario `{}`, sample {sample}",
                m.scenario
            ))
            .in_file(&name)
            .hint(hint)
            .into());
        }
    }
    check_identity(path, inputs)?;
    let mut params = Vec::with_capacity(models.len());
    // every model has its row now
    for (m, (line, rec)) in models.iter().zip(found.into_iter().flatten()) {
        let uncertain = m.uncertain_params();
        let mut p = m.central();
        for &i in &uncertain {
            let param = &m.params[i];
            let Some(col) = header.iter().position(|h| h == param.name) else {
                return Err(at_cell(
                    1,
                    &header,
                    0,
                    format!(
                        "no column `{}`, an uncertain parameter of scenario `{}`",
                        param.name, m.scenario
                    ),
                )
                .hint(STALE_HINT)
                .into());
            };
            let cell = rec.get(col).unwrap_or("").trim();
            let bad = |msg: String| at_cell(line, &rec, col, msg).hint(STALE_HINT);
            let v: f64 = match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ if cell.is_empty() => {
                    return Err(bad(format!(
                        "`{}` is empty in sample {sample} of scenario `{}`",
                        param.name, m.scenario
                    ))
                    .into());
                }
                _ => {
                    return Err(bad(format!(
                        "`{}` = `{cell}` is not a finite number",
                        param.name
                    ))
                    .into());
                }
            };
            let (lo, hi) = param.bounds;
            if !(lo..=hi).contains(&v) {
                return Err(bad(format!(
                    "`{}` = {v} lies outside the parameter's range [{lo}, {hi}]",
                    param.name
                ))
                .into());
            }
            p[i] = v;
        }
        for (col, h) in header.iter().enumerate().skip(INPUTS_COLUMNS.len()) {
            let drawn = uncertain.iter().any(|&i| m.params[i].name == h);
            if !drawn && !rec.get(col).unwrap_or("").trim().is_empty() {
                return Err(at_cell(
                    line,
                    &rec,
                    col,
                    format!(
                        "sample {sample} of scenario `{}` has a value for `{h}`, which the scenario does not draw",
                        m.scenario
                    ),
                )
                .hint(STALE_HINT)
                .into());
            }
        }
        params.push(p);
    }
    Ok(KeptSample {
        file: name,
        sha256,
        sample: at.sample,
        params,
    })
}

/// When the folder of `inputs_csv` holds the batch's `identity.json`: refuses another kymsim
/// version than the batch's, and inputs (data and scenario files, `inputs`) that the batch did
/// not read with the same content.
fn check_identity(
    inputs_csv: &std::path::Path,
    inputs: &[crate::output::recorded::InputHash],
) -> crate::error::Result<()> {
    let file_name = std::path::Path::new(super::IDENTITY_JSON)
        .file_name()
        .expect("a file name");
    let identity_path = inputs_csv
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join(file_name);
    let Ok(text) = std::fs::read_to_string(&identity_path) else {
        return Ok(());
    };
    let identity: super::Identity = serde_json::from_str(&text).map_err(|e| {
        crate::error::InputError::new(format!("cannot read the batch's identity: {e}"))
            .in_file(identity_path.display().to_string())
    })?;
    let version = env!("CARGO_PKG_VERSION");
    if identity.kymsim_version != version {
        return Err(crate::error::InputError::new(format!(
            "the batch was run by kymsim {}, this is kymsim {version}",
            identity.kymsim_version
        ))
        .in_file(identity_path.display().to_string())
        .hint("a kept sample is reproduced by the version that drew it: run the batch again with --keep-samples")
        .into());
    }
    for i in inputs {
        if !identity.inputs.iter().any(|b| b.sha256 == i.sha256) {
            return Err(crate::error::InputError::new(format!(
                "`{}` is not a file the batch read: the batch recorded other contents (or no such file) in {}",
                i.path,
                identity_path.display()
            ))
            .hint("a kept sample is reproduced only with the data and scenarios its batch read: restore them, or run the batch again with --keep-samples")
            .into());
        }
    }
    Ok(())
}

/// Evaluates each model at its kept sample's parameters (`params`, as [`read_kept_sample`]
/// gives them) with the arithmetic of the batch ([`crate::engine::run_at`]); refuses a result
/// that is not a finite number below 10¹⁵, which no batch keeps (the file was edited).
pub fn evaluate_kept(
    models: &[&Model],
    params: &[Vec<f64>],
) -> crate::error::Result<Vec<crate::engine::CentralResult>> {
    let mut out = Vec::with_capacity(models.len());
    for (m, p) in models.iter().zip(params) {
        let r = crate::engine::run_at(m, p);
        if let Some((var, year, what)) = crate::engine::first_implausible(m, &r.vars) {
            return Err(crate::error::InputError::new(format!(
                "scenario `{}`: `{var}` in {year} is {what} at the sample's values",
                m.scenario
            ))
            .hint("check the kept inputs: the batch keeps no such sample")
            .into());
        }
        out.push(r);
    }
    Ok(out)
}
