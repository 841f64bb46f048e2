//! `kymsim batch`: Monte Carlo batches with statistics, whole or one shard at a time — the
//! arguments and what is printed; the pipeline is [`crate::batch`].

use std::ops::Range;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{InputArgs, signals};
use crate::batch::shard::{env_vars, pick};
use crate::batch::{
    Finished, Identity, KeepSamples, Plan, Prepared, already_done, finish, write_outputs,
};
use crate::engine::sampler::SamplerKind;
use crate::engine::stats::{Binning, Partial};
use crate::error::Result;
use crate::i18n::{Lang, Msg};
use crate::output::batch::BatchSummaryRow;

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

/// Prints the summary table of a written batch.
pub(super) fn print_outputs(
    out_dir: &Path,
    identity: &Identity,
    rows: &[BatchSummaryRow],
    lang: Lang,
    names: &std::collections::BTreeMap<String, String>,
) {
    print_table(identity, rows, lang, names);
    println!(
        "\n{}",
        lang.fill(
            Msg::PrintWrote,
            &[("dir", &out_dir.join("batch").display())]
        )
    );
}

fn print_table(
    identity: &Identity,
    rows: &[BatchSummaryRow],
    lang: Lang,
    names: &std::collections::BTreeMap<String, String>,
) {
    println!(
        "{}",
        lang.fill(
            Msg::PrintBatchHead,
            &[
                ("n", &identity.samples),
                ("sampler", &identity.sampler),
                ("seed", &identity.seed)
            ]
        )
    );
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    let kt = |s: &str| match lang {
        Lang::En => s.to_string(),
        Lang::Fi => lang.fixed(num(s), 1),
    };
    let pct = |v: f64| match lang {
        Lang::En => format!("{:.1}%", v * 100.0),
        Lang::Fi => format!("{}\u{a0}%", lang.fixed(v * 100.0, 1)),
    };
    let line = |s: String| println!("{}", s.trim_end());
    let w = rows
        .iter()
        .map(|r| super::shown(names, &r.scenario).chars().count())
        .max()
        .unwrap_or(0)
        .max(16);
    line(format!(
        "{:<w$} {:>9} {:>8} {:>11} {:>11} {:>11}  {:<14}",
        lang.t(Msg::PrintHeadScenario),
        lang.t(Msg::PrintHeadP),
        "± SE",
        lang.t(Msg::PrintHeadNetP5),
        lang.t(Msg::PrintHeadNetP50),
        lang.t(Msg::PrintHeadNetP95),
        lang.t(Msg::PrintHeadNeutralP50)
    ));
    for r in rows {
        let p = num(&r.p_target_met);
        line(format!(
            "{:<w$} {:>9} {:>8} {:>11} {:>11} {:>11}  {:<14}",
            super::shown(names, &r.scenario),
            pct(p),
            pct(crate::output::batch::standard_error(p, r.samples)),
            kt(&r.net_kt_p5),
            kt(&r.net_kt_p50),
            kt(&r.net_kt_p95),
            if r.neutrality_p50.is_empty() {
                lang.t(Msg::Never).to_string()
            } else {
                r.neutrality_p50.clone()
            }
        ));
    }
    println!("{}", lang.t(Msg::PrintSeNote));
}

/// Runs `kymsim batch`.
pub fn batch(args: BatchArgs) -> Result<i32> {
    let picked = pick(args.shard.as_deref(), args.shards, &env_vars())?;
    let (prep, lang) = prepare(&args)?;
    if let Some(picked) = picked {
        return super::shard::run_shard(&args, &prep, picked, lang);
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
