//! `kymsim sensitivity`: Sobol indices of target-year net emissions for every uncertain parameter.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::decision::{self, SobolOptions, model_sensitivity, sensitivity_csv};
use crate::error::{InputError, Result};
use crate::output::{OutputSet, recorded};
use serde::Serialize;

/// Arguments of `kymsim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario names (bundled, or in --scenarios) or paths to .toml files; default: all
    #[arg(value_name = "SCENARIO|FILE")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Base sample size N; the cost is N·(k + 2) evaluations for k uncertain parameters
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(2..=100_000_000))]
    pub samples: u64,
    /// Seed of the draws and the bootstrap
    #[arg(long, short = 's', value_name = "S", default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
    /// Bootstrap resamples for the 95 % confidence intervals
    #[arg(long, value_name = "R", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub resamples: u64,
    /// Output folder (sensitivity.csv is written there)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Worker threads (default: one per core); results do not depend on it
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

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
    inputs: Vec<recorded::InputHash>,
}

/// Runs `kymsim sensitivity`.
pub fn sensitivity(args: SensitivityArgs) -> Result<i32> {
    crate::output::check_out_dir(&args.out)?;
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
    for (_, m) in &models {
        let k = decision::uncertain_count(m);
        let values = (args.samples as u128) * (k as u128 + 2);
        if values > decision::MAX_SOBOL_VALUES as u128 {
            return Err(InputError::new(format!(
                "--samples {} with {k} uncertain parameters in `{}` needs {values} stored results ({} MiB); the limit is {} ({} MiB)",
                args.samples,
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
    args.input.announce(&region, args.quiet);
    let opts = SobolOptions {
        samples: args.samples as usize,
        seed: args.seed,
        resamples: args.resamples as usize,
    };
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        if t == 0 {
            return Err(InputError::new("--threads must be at least 1").into());
        }
        pool = pool.num_threads(t);
    }
    let pool = pool
        .build()
        .map_err(|e| InputError::new(format!("cannot start worker threads: {e}")))?;
    let results: Vec<_> = pool.install(|| {
        models
            .iter()
            .map(|(_, m)| Ok((m.scenario.as_str(), model_sensitivity(m, &opts)?)))
            .collect::<Result<_>>()
    })?;
    let borrowed: Vec<(&str, &[decision::SensitivityRow])> =
        results.iter().map(|(s, r)| (*s, r.as_slice())).collect();
    let scenarios: Vec<&crate::scenario::Scenario> = models.iter().map(|(s, _)| s).collect();
    let identity = SensitivityIdentity {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        region: region.name.clone(),
        scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
        samples: args.samples,
        seed: args.seed,
        resamples: args.resamples,
        inputs: recorded::input_hashes(&region, &scenarios),
    };
    let mut set = OutputSet::new(&args.out)?;
    set.stage(decision::SENSITIVITY_CSV, &sensitivity_csv(&borrowed))?;
    set.stage(
        recorded::SENSITIVITY_IDENTITY_JSON,
        &crate::output::pretty_json(&identity),
    )?;
    set.commit()?;

    if !args.quiet {
        let mut sorted: Vec<&(&str, Vec<decision::SensitivityRow>)> = results.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let target_year = region.target.year;
        for (scenario, rows) in sorted {
            if rows.is_empty() {
                println!("{scenario}: no uncertain parameters");
                continue;
            }
            println!(
                "{scenario}: Sobol indices of {target_year} net emissions, N = {}, seed {} ({} evaluations)",
                opts.samples,
                opts.seed,
                opts.samples * (rows.len() + 2)
            );
            println!(
                "  {:<40} {:>22} {:>22}",
                "parameter", "first order [95 % CI]", "total order [95 % CI]"
            );
            for r in rows.iter().take(10) {
                let x = &r.index;
                println!(
                    "  {:<40} {:>6.3} [{:>6.3}, {:>6.3}] {:>6.3} [{:>6.3}, {:>6.3}]",
                    r.parameter, x.first, x.first_lo, x.first_hi, x.total, x.total_lo, x.total_hi
                );
            }
            if rows.len() > 10 {
                println!(
                    "  … and {} more in {}",
                    rows.len() - 10,
                    decision::SENSITIVITY_CSV
                );
            }
        }
        println!(
            "\nwrote {}",
            args.out.join(decision::SENSITIVITY_CSV).display()
        );
    }
    Ok(0)
}
