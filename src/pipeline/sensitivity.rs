//! `kymsim sensitivity` as library functions: Sobol indices ([`sobol`]) or Morris screening
//! ([`morris`]) of target-year net emissions for every uncertain parameter, written with their
//! identity (and Morris's charts) in one commit.

use std::path::Path;

use serde::Serialize;

use crate::charts::morris::MorrisChart;
use crate::charts::{DEFAULT_SIZE, Standalone, render_standalone};
use crate::data::Region;
use crate::decision::morris::{MorrisOptions, MorrisRow, model_morris, morris_csv};
use crate::decision::{self, SensitivityRow, SobolOptions, model_sensitivity, sensitivity_csv};
use crate::error::{InputError, Result};
use crate::i18n::Lang;
use crate::model::Model;
use crate::output::recorded::{self, InputHash, input_hashes};
use crate::output::schema::MORRIS_IDENTITY_JSON;
use crate::output::{OutputSet, pretty_json};
use crate::scenario::Scenario;

/// What produced `sensitivity.csv` (deterministic: no timestamp); `run` and `plot` draw the
/// indices only while its inputs match theirs.
#[derive(Debug, Serialize)]
struct SensitivityIdentity {
    kymsim_version: String,
    region: String,
    scenarios: Vec<String>,
    samples: u64,
    seed: u64,
    resamples: u64,
    inputs: Vec<InputHash>,
}

/// Everything that determines the Morris files: equal identities give equal files.
#[derive(Debug, Serialize)]
struct MorrisIdentity<'a> {
    kymsim_version: &'a str,
    region: &'a str,
    scenarios: Vec<&'a str>,
    trajectories: usize,
    candidates: usize,
    levels: usize,
    seed: u64,
    inputs: Vec<InputHash>,
}

/// Each scenario's rows, sorted by scenario name.
pub type ByScenario<R> = Vec<(String, Vec<R>)>;

/// Sobol first- and total-order indices of every model, written to `out/sensitivity.csv` with
/// its identity. Refuses, before any work, a sample size whose stored results exceed
/// [`decision::MAX_SOBOL_VALUES`].
pub fn sobol(
    out: &Path,
    region: &Region,
    models: &[(Scenario, Model)],
    opts: &SobolOptions,
    threads: Option<usize>,
) -> Result<ByScenario<SensitivityRow>> {
    for (_, m) in models {
        let k = decision::uncertain_count(m);
        let values = (opts.samples as u128) * (k as u128 + 2);
        if values > decision::MAX_SOBOL_VALUES as u128 {
            return Err(InputError::new(format!(
                "--samples {} with {k} uncertain parameters in `{}` needs {values} stored results ({} MiB); the limit is {} ({} MiB)",
                opts.samples,
                m.scenario,
                (values * 8) >> 20,
                decision::MAX_SOBOL_VALUES,
                (decision::MAX_SOBOL_VALUES * 8) >> 20,
            ))
            .hint(format!(
                "give at most --samples {}",
                decision::MAX_SOBOL_VALUES / (k + 2)
            ))
            .into());
        }
    }
    let pool = crate::batch::thread_pool(threads)?;
    let results: Vec<(String, Vec<SensitivityRow>)> = pool.install(|| {
        models
            .iter()
            .map(|(_, m)| Ok((m.scenario.clone(), model_sensitivity(m, opts)?)))
            .collect::<Result<_>>()
    })?;
    let borrowed: Vec<(&str, &[SensitivityRow])> = results
        .iter()
        .map(|(s, r)| (s.as_str(), r.as_slice()))
        .collect();
    let scenarios: Vec<&Scenario> = models.iter().map(|(s, _)| s).collect();
    let identity = SensitivityIdentity {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        region: region.name.clone(),
        scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
        samples: opts.samples as u64,
        seed: opts.seed,
        resamples: opts.resamples as u64,
        inputs: input_hashes(region, &scenarios),
    };
    let mut set = OutputSet::new(out)?;
    set.stage(decision::SENSITIVITY_CSV, &sensitivity_csv(&borrowed))?;
    set.stage(recorded::SENSITIVITY_IDENTITY_JSON, &pretty_json(&identity))?;
    set.commit()?;
    Ok(sorted(results))
}

/// Morris elementary effects of every model, written to `out/morris.csv` with one chart per
/// scenario with uncertain parameters (in `lang`) and the identity. Refuses an odd number of
/// levels and fewer candidates than trajectories before any work.
pub fn morris(
    out: &Path,
    region: &Region,
    compiled: &[(Scenario, Model)],
    opts: &MorrisOptions,
    threads: Option<usize>,
    lang: Lang,
) -> Result<ByScenario<MorrisRow>> {
    if opts.levels % 2 != 0 {
        return Err(InputError::new(format!("--levels {} is odd", opts.levels))
            .hint("give an even number of levels (4 is usual): each step moves half of them")
            .into());
    }
    if opts.candidates < opts.trajectories {
        return Err(InputError::new(format!(
            "--candidates {} is fewer than --trajectories {}",
            opts.candidates, opts.trajectories
        ))
        .hint("the trajectories are chosen among the candidates: give at least as many candidates")
        .into());
    }
    let pool = crate::batch::thread_pool(threads)?;
    let results: Vec<(String, Vec<MorrisRow>)> = pool.install(|| {
        compiled
            .iter()
            .map(|(_, m)| (m.scenario.clone(), model_morris(m, opts)))
            .collect()
    });
    let borrowed: Vec<(&str, &[MorrisRow])> = results
        .iter()
        .map(|(s, r)| (s.as_str(), r.as_slice()))
        .collect();
    let mut set = OutputSet::new(out)?;
    set.stage(decision::MORRIS_CSV, &morris_csv(&borrowed))?;
    let results = sorted(results);
    for (scenario, rows) in &results {
        if rows.is_empty() {
            continue;
        }
        let chart = Standalone::Morris(MorrisChart {
            region: region.name.clone(),
            scenario: scenario.clone(),
            target_year: region.target.year,
            trajectories: opts.trajectories,
            evaluations: opts.trajectories * (rows.len() + 1),
            rows: rows
                .iter()
                .map(|r| {
                    let label = parameter_label(compiled, scenario, &r.parameter, lang);
                    (label, r.index.mu_star, r.index.sigma)
                })
                .collect(),
        });
        for r in render_standalone(&chart, &format!("morris_{scenario}"), DEFAULT_SIZE, lang)? {
            set.stage(&r.path, &r.bytes)?;
        }
    }
    let scenarios: Vec<&Scenario> = compiled.iter().map(|(s, _)| s).collect();
    let identity = MorrisIdentity {
        kymsim_version: env!("CARGO_PKG_VERSION"),
        region: &region.name,
        scenarios: compiled.iter().map(|(_, m)| m.scenario.as_str()).collect(),
        trajectories: opts.trajectories,
        candidates: opts.candidates,
        levels: opts.levels,
        seed: opts.seed,
        inputs: input_hashes(region, &scenarios),
    };
    set.stage(MORRIS_IDENTITY_JSON, &pretty_json(&identity))?;
    set.commit()?;
    Ok(results)
}

/// `rows` by scenario name.
fn sorted<R>(mut rows: ByScenario<R>) -> ByScenario<R> {
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// A parameter's name as the charts give it (the id when the scenario is not found).
pub fn parameter_label(
    compiled: &[(Scenario, Model)],
    scenario: &str,
    parameter: &str,
    lang: Lang,
) -> String {
    compiled
        .iter()
        .find(|(_, m)| m.scenario == scenario)
        .map_or_else(
            || parameter.to_string(),
            |(sc, m)| crate::charts::metadata::model_parameter_label(m, sc, parameter, lang),
        )
}
