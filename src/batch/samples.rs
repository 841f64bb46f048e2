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
