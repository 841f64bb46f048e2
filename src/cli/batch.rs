//! `kymsim batch`: Monte Carlo batches with statistics.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::{InputArgs, signals};
use crate::engine::Workspace;
use crate::engine::batch::{BatchOptions, binning, run_batch};
use crate::engine::sampler::{Sampler, SamplerKind};
use crate::engine::stats::{CellStats, Partial, finish_cells};
use crate::error::{Error, InputError, Result};
use crate::model::{Model, variables};
use crate::output::batch::{self as out, BatchOutcome};
use crate::output::{self, Manifest, ManifestInput, OutputSet, fmt_num, model_name};

/// Sampling method.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SamplerArg {
    /// Monte Carlo: independent draws
    Mc,
    /// Latin hypercube: stratified per parameter
    Lhs,
}

/// Arguments of `kymsim batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Scenario names or .toml files; default: all
    #[arg(value_name = "SCENARIO|FILE")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Samples per scenario
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub samples: u64,
    /// Sampler
    #[arg(long, value_enum, default_value_t = SamplerArg::Mc)]
    pub sampler: SamplerArg,
    /// Random seed: the same seed gives the same bytes, whatever the thread count
    #[arg(long, default_value_t = 2040)]
    pub seed: u64,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Output folder (results go to <OUT>/batch/)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Also write every sample's top-level variables to batch/samples.csv
    #[arg(long)]
    pub keep_samples: bool,
    /// Samples per parallel work item (results do not depend on it)
    #[arg(long, default_value_t = 256, hide = true)]
    pub chunk: usize,
    /// Exact quantiles up to this many values (samples × cells); histograms above
    #[arg(long, default_value_t = crate::engine::stats::EXACT_LIMIT, hide = true)]
    pub exact_limit: u64,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// The most samples a batch accepts (the summary keeps 10 bytes per sample and scenario).
pub const MAX_SAMPLES: u64 = 100_000_000;

fn sampler_kind(s: SamplerArg) -> (SamplerKind, &'static str) {
    match s {
        SamplerArg::Mc => (SamplerKind::MonteCarlo, "mc"),
        SamplerArg::Lhs => (SamplerKind::LatinHypercube, "lhs"),
    }
}

/// Runs `kymsim batch`.
pub fn batch(args: BatchArgs) -> Result<i32> {
    if args.samples == 0 || args.samples > MAX_SAMPLES {
        return Err(
            InputError::new(format!("--samples {} is out of range", args.samples))
                .hint(format!(
                    "give between 1 and {MAX_SAMPLES} samples per scenario"
                ))
                .into(),
        );
    }
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
    let (kind, sampler_name) = sampler_kind(args.sampler);
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        if t == 0 || t > 1024 {
            return Err(InputError::new(format!("--threads {t} is out of range"))
                .hint("give 1 to 1024 threads")
                .into());
        }
        pool = pool.num_threads(t);
    }
    let pool = pool
        .build()
        .map_err(|e| InputError::new(format!("cannot start threads: {e}")))?;
    let show = !args.quiet && super::stderr_is_terminal();

    let mut done: Vec<(&Model, Partial, CellStats)> = Vec::new();
    for (_, model) in &models {
        let opts = BatchOptions {
            chunk: args.chunk,
            ..BatchOptions::new(args.samples, kind, args.seed)
        };
        let bar = progress_bar(show, args.samples, &model.scenario);
        let (partial, cells) = pool.install(|| -> Result<_> {
            let binning = binning(model, &opts);
            let mut partial = run_batch(model, &opts, &binning, signals::cancel_flag(), &|n| {
                bar.inc(n)
            })?;
            let cells = finish_cells(&partial, &binning);
            partial.values = Vec::new();
            Ok((partial, cells))
        })?;
        bar.finish_and_clear();
        done.push((model, partial, cells));
    }

    let outcomes: Vec<BatchOutcome> = done
        .iter()
        .map(|(m, p, c)| BatchOutcome {
            model: m,
            partial: p,
            cells: c,
            seed: args.seed,
            sampler: sampler_name,
        })
        .collect();
    let mut set = OutputSet::new(&args.out)?;
    set.stage(out::STATS_CSV, &out::stats_csv(&outcomes))?;
    set.stage(out::BATCH_SUMMARY_CSV, &out::batch_summary_csv(&outcomes))?;
    set.stage(out::DISTRIBUTIONS_CSV, &out::distributions_csv(&outcomes))?;
    let mut outputs = vec![
        out::STATS_CSV.to_string(),
        out::BATCH_SUMMARY_CSV.into(),
        out::DISTRIBUTIONS_CSV.into(),
    ];
    if args.keep_samples {
        set.stage_with(out::SAMPLES_CSV, |w| {
            write_samples(w, &pool, &models, args.samples, kind, args.seed)
        })?;
        outputs.push(out::SAMPLES_CSV.into());
    }
    let mut inputs: Vec<ManifestInput> = region
        .inputs
        .iter()
        .map(|(p, h)| ManifestInput {
            path: p.clone(),
            sha256: h.clone(),
        })
        .collect();
    for (sc, _) in &models {
        for f in &sc.files {
            if !inputs.iter().any(|i| i.path == f.name) {
                inputs.push(ManifestInput {
                    path: f.name.clone(),
                    sha256: f.sha256.clone(),
                });
            }
        }
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        created: output::now_rfc3339(),
        region: region.name.clone(),
        scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
        seed: Some(args.seed),
        samples: Some(args.samples),
        inputs,
        outputs,
    };
    set.stage("batch/manifest.json", &manifest.to_bytes())?;
    if signals::interrupted() {
        return Err(Error::Interrupted);
    }
    set.commit()?;

    if !args.quiet {
        println!(
            "{} samples per scenario ({sampler_name}, seed {})",
            args.samples, args.seed
        );
        println!(
            "{:<16} {:>9} {:>11} {:>11} {:>11}  {:<14}",
            "scenario", "P(target)", "net p5", "net p50", "net p95", "neutral p50"
        );
        for o in &outcomes {
            let r = out::batch_summary_row(o);
            println!(
                "{:<16} {:>9} {:>11} {:>11} {:>11}  {:<14}",
                r.scenario,
                format!(
                    "{:.1}%",
                    r.p_target_met.parse::<f64>().unwrap_or(0.0) * 100.0
                ),
                r.net_kt_p5,
                r.net_kt_p50,
                r.net_kt_p95,
                if r.neutrality_p50.is_empty() {
                    "never".to_string()
                } else {
                    r.neutrality_p50.clone()
                }
            );
        }
        println!("\nwrote {}", args.out.join("batch").display());
    }
    Ok(0)
}

fn progress_bar(show: bool, len: u64, name: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} {per_sec} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(name.to_string());
    bar
}

/// Streams every sample's top-level variables as IAMC rows with a `sample` column, in sample
/// order, computing blocks of samples in parallel.
fn write_samples(
    w: &mut dyn Write,
    pool: &rayon::ThreadPool,
    models: &[(crate::scenario::Scenario, Model)],
    samples: u64,
    kind: SamplerKind,
    seed: u64,
) -> std::io::Result<()> {
    const TOP: [&str; 4] = [
        variables::GROSS,
        variables::REMOVALS,
        variables::NET,
        variables::FINAL_ENERGY,
    ];
    const BLOCK: u64 = 4096;
    let mut sorted: Vec<&Model> = models.iter().map(|(_, m)| m).collect();
    sorted.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    let Some(first) = sorted.first() else {
        return Ok(());
    };
    let years: Vec<String> = first.years().map(|y| y.to_string()).collect();
    writeln!(
        w,
        "model,scenario,region,variable,unit,sample,{}",
        years.join(",")
    )?;
    let name = model_name();
    for m in sorted {
        let sampler = Sampler::new(m, kind, seed, samples);
        let rows: Vec<(usize, &'static str)> = TOP
            .iter()
            .map(|v| (m.variables.index(v).expect("top-level variable"), *v))
            .collect();
        let mut start = 0;
        while start < samples {
            if signals::interrupted() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "interrupted",
                ));
            }
            let end = (start + BLOCK).min(samples);
            let texts: Vec<String> = pool.install(|| {
                (start..end)
                    .into_par_iter()
                    .map_init(
                        || (Workspace::new(m), m.central()),
                        |(ws, p), i| {
                            sampler.fill(i, p);
                            ws.evaluate(m, p);
                            ws.evaluate_variables(m);
                            let mut s = String::new();
                            for &(v, var) in &rows {
                                let unit = m.variables.vars[v].unit;
                                s.push_str(&format!(
                                    "{name},{},{},{var},{unit},{i}",
                                    m.scenario, m.region
                                ));
                                for x in ws.var(v) {
                                    s.push(',');
                                    s.push_str(&fmt_num(*x));
                                }
                                s.push('\n');
                            }
                            s
                        },
                    )
                    .collect()
            });
            for t in texts {
                w.write_all(t.as_bytes())?;
            }
            start = end;
        }
    }
    Ok(())
}
