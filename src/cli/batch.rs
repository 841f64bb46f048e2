//! `kymsim batch`: Monte Carlo batches with statistics, whole or one shard at a time — the
//! arguments and what is printed; the pipeline is [`crate::batch`].

use std::ops::Range;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::batch_table::print_outputs;
use super::{InputArgs, signals};
use crate::batch::part::{Origin, PARTS_DIR, Part, PartHeader, part_name, same_shard, shard_range};
use crate::batch::shard::{Picked, env_vars, pick};
use crate::batch::{Finished, KeepSamples, Plan, Prepared, already_done, finish, write_outputs};
use crate::engine::sampler::SamplerKind;
use crate::engine::stats::{Binning, Partial};
use crate::error::{Error, InputError, Result};
use crate::i18n::{Lang, Msg};
use crate::output::OutputSet;

/// Sampling method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplerArg {
    /// Monte Carlo: independent draws
    Mc,
    /// Latin hypercube: stratified per parameter
    Lhs,
}

/// Arguments of `kymsim batch`.
#[derive(Debug, Args, Clone)]
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
    #[arg(long, short = 's', default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Output folder (results go to <OUT>/batch/)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Also write every sample's top-level variables to batch/samples.csv and its drawn inputs
    /// to batch/inputs.csv
    #[arg(long)]
    pub keep_samples: bool,
    /// Compute only shard K of N → <OUT>/batch/parts/part-K-of-N.kpart (combine with `kymsim
    /// merge`); default: from SLURM_ARRAY_TASK_ID/COUNT/MIN or JOB_COMPLETION_INDEX
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Number of shards when the shard index comes from JOB_COMPLETION_INDEX (env KYMSIM_SHARDS)
    #[arg(long, value_name = "N")]
    pub shards: Option<u64>,
    /// Recompute even when the outputs (or the shard's part) already hold these inputs' results
    #[arg(long)]
    pub force: bool,
    /// Samples per parallel work item (results do not depend on it)
    #[arg(long, default_value_t = 256, hide = true)]
    pub chunk: usize,
    /// Exact quantiles up to this many values (samples × cells); histograms above
    #[arg(long, default_value_t = crate::engine::stats::EXACT_LIMIT, hide = true)]
    pub exact_limit: u64,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub lang: super::LangArg,
}

/// The sampler of `--sampler`.
pub(super) fn sampler_kind(s: SamplerArg) -> SamplerKind {
    match s {
        SamplerArg::Mc => SamplerKind::MonteCarlo,
        SamplerArg::Lhs => SamplerKind::LatinHypercube,
    }
}

impl BatchArgs {
    /// The sampling plan of these arguments.
    pub fn plan(&self) -> Plan {
        Plan {
            samples: self.samples,
            sampler: sampler_kind(self.sampler),
            seed: self.seed,
            chunk: self.chunk,
            exact_limit: self.exact_limit,
        }
    }
}

/// Checks the arguments, loads and compiles the inputs and starts the threads; also the
/// language of what is printed.
pub fn prepare(args: &BatchArgs) -> Result<(Prepared, Lang)> {
    let plan = args.plan();
    plan.check()?;
    crate::output::check_out_dir(&args.out)?;
    let region = args.input.region()?;
    let lang = args.lang.resolve(&region);
    let models = args.input.models(&region, &args.names)?;
    args.input.announce_in(&region, args.quiet, lang);
    Ok((Prepared::new(&region, models, plan, args.threads)?, lang))
}

/// Computes the samples of `range` (all when `None`) of scenario `i`, with a progress bar on a
/// terminal.
pub(super) fn compute(
    prep: &Prepared,
    args: &BatchArgs,
    i: usize,
    binning: &Binning,
    range: Option<Range<u64>>,
) -> Result<Partial> {
    let show = !args.quiet && super::stderr_is_terminal();
    let len = range.as_ref().map_or(args.samples, |r| r.end - r.start);
    let bar = progress_bar(show, len, &prep.models[i].1.scenario);
    let partial = prep.compute(i, binning, range, signals::cancel_flag(), &|n| bar.inc(n))?;
    bar.finish_and_clear();
    Ok(partial)
}

/// Runs `kymsim batch`.
pub fn batch(args: BatchArgs) -> Result<i32> {
    let picked = pick(args.shard.as_deref(), args.shards, &env_vars())?;
    let (prep, lang) = prepare(&args)?;
    if let Some(picked) = picked {
        return run_shard(&args, &prep, picked, lang);
    }
    if !args.force && already_done(&args.out, &prep.identity, args.keep_samples) {
        if !args.quiet {
            println!(
                "{} already holds the results of these inputs (same files, seed, samples and sampler): nothing to do (--force recomputes)",
                args.out.join("batch").display()
            );
        }
        return Ok(0);
    }
    let binnings = prep.binnings();
    let mut finished: Vec<Finished> = Vec::new();
    for (i, b) in binnings.iter().enumerate() {
        finished.push(finish(compute(&prep, &args, i, b, None)?, b));
    }
    let rows = write_outputs(
        &args.out,
        &args.input.provenance(),
        &prep.models,
        &prep.identity,
        &finished,
        args.keep_samples.then_some(KeepSamples {
            pool: &prep.pool,
            sampler: prep.plan.sampler,
        }),
        signals::cancel_flag(),
    )?;
    if !args.quiet {
        let names = super::display_names(&prep.models, lang);
        print_outputs(&args.out, &prep.identity, &rows, lang, &names);
    }
    Ok(0)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The origin of a batch's input arguments: where a merge re-reads them.
pub fn origin_of(input: &InputArgs, names: &[String]) -> Origin {
    Origin {
        data: input.data.as_deref().map(absolute),
        // the folder the scenarios were resolved from (none: the bundled set)
        scenarios: input.scenario_source().dir().map(absolute),
        names: names
            .iter()
            .map(|n| {
                if n.ends_with(".toml") && Path::new(n).exists() {
                    absolute(Path::new(n)).to_string_lossy().into_owned()
                } else {
                    n.clone()
                }
            })
            .collect(),
    }
}

/// Runs one shard of a batch: writes `<out>/batch/parts/part-K-of-N.kpart`, or skips when a
/// complete part of the same inputs is there.
pub fn run_shard(args: &BatchArgs, prep: &Prepared, picked: Picked, lang: Lang) -> Result<i32> {
    let Picked { k, n, source } = picked;
    if n > args.samples {
        return Err(InputError::new(format!(
            "{n} shards for {} samples: more shards than samples",
            args.samples
        ))
        .hint("use fewer shards")
        .into());
    }
    if args.keep_samples {
        return Err(
            InputError::new("--keep-samples is not available for a shard")
                .hint("run the batch unsharded to keep every sample")
                .into(),
        );
    }
    let range = shard_range(k, n, args.samples);
    let rel = format!("{PARTS_DIR}/{}", part_name(k, n));
    let path = args.out.join(&rel);
    if !args.quiet {
        eprintln!(
            "{}",
            lang.fill(
                Msg::ShardHead,
                &[
                    ("k", &k),
                    ("n", &n),
                    ("source", &source),
                    ("from", &range.start),
                    ("to", &range.end),
                    ("samples", &args.samples)
                ]
            )
        );
    }
    let binnings = prep.binnings();
    let header = PartHeader {
        identity: prep.identity.clone(),
        shard: k,
        shards: n,
        binnings,
        origin: origin_of(&args.input, &args.names),
    };
    if !args.force && path.exists() {
        match Part::read(&path) {
            Ok(old) if same_shard(&old.header, &header) => {
                if !args.quiet {
                    eprintln!(
                        "{}",
                        lang.fill(
                            Msg::ShardSkip,
                            &[("path", &path.display()), ("k", &k), ("n", &n)]
                        )
                    );
                }
                return Ok(0);
            }
            Ok(_) => {
                if !args.quiet {
                    eprintln!(
                        "{}",
                        lang.fill(Msg::ShardOther, &[("path", &path.display())])
                    );
                }
            }
            Err(_) => {
                if !args.quiet {
                    eprintln!(
                        "{}",
                        lang.fill(Msg::ShardDamaged, &[("path", &path.display())])
                    );
                }
            }
        }
    }
    let mut partials = Vec::new();
    for (i, bin) in header.binnings.iter().enumerate() {
        partials.push(compute(prep, args, i, bin, Some(range.clone()))?);
    }
    let part = Part { header, partials };
    let mut set = OutputSet::new(&args.out)?;
    set.stage(&rel, &part.to_bytes())?;
    if signals::interrupted() {
        return Err(Error::Interrupted);
    }
    set.commit()?;
    if !args.quiet {
        eprintln!(
            "{}",
            lang.fill(Msg::ShardWrote, &[("path", &path.display())])
        );
    }
    Ok(0)
}

pub(super) fn progress_bar(show: bool, len: u64, name: &str) -> ProgressBar {
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
