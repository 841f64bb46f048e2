//! `kymsim batch`: Monte Carlo batches with statistics, whole or one shard at a time.
//!
//! The unsharded run, a shard (`--shard K/N`, see [`super::shard`]) and `kymsim merge` share
//! [`prepare`] (inputs, sampler, threads, identity) and [`write_outputs`] (the files of
//! `batch/` from finished partials), so merged shards give the bytes of the unsharded run.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{InputArgs, shard, signals};
use crate::engine::Workspace;
use crate::engine::batch::{BatchOptions, binning, run_batch};
use crate::engine::sampler::{Sampler, SamplerKind};
use crate::engine::stats::{Binning, CellStats, Partial, finish_cells};
use crate::error::{Error, InputError, Result};
use crate::model::{Model, variables};
use crate::output::batch::{self as out, BatchOutcome};
use crate::output::{self, Manifest, OutputSet, fmt_num, model_name};
use crate::scenario::Scenario;

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
}

/// The most samples a batch accepts (the summary keeps 10 bytes per sample and scenario).
pub const MAX_SAMPLES: u64 = 100_000_000;

/// File recording what produced `batch/` (deterministic: no timestamp).
pub const IDENTITY_JSON: &str = "batch/identity.json";

/// SHA-256 of each result file of `batch/`, in `sha256sum` format (`sha256sum -c` checks it
/// from inside `batch/`); the up-to-date check compares the files with it.
pub const CHECKSUMS: &str = "batch/checksums.sha256";

pub(super) fn sampler_kind(s: SamplerArg) -> (SamplerKind, &'static str) {
    match s {
        SamplerArg::Mc => (SamplerKind::MonteCarlo, "mc"),
        SamplerArg::Lhs => (SamplerKind::LatinHypercube, "lhs"),
    }
}

pub use crate::output::recorded::InputHash;

/// Everything that determines a batch's result bytes: equal identities give equal outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// kymsim version.
    pub kymsim_version: String,
    /// Region name.
    pub region: String,
    /// Scenario names, in run order.
    pub scenarios: Vec<String>,
    /// Samples per scenario.
    pub samples: u64,
    /// Seed.
    pub seed: u64,
    /// Sampler (`mc` or `lhs`).
    pub sampler: String,
    /// Exact-quantile limit (values).
    pub exact_limit: u64,
    /// Input files (region and scenarios), sorted by path.
    pub inputs: Vec<InputHash>,
}

impl Identity {
    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> Vec<u8> {
        output::pretty_json(self)
    }
}

pub(super) use crate::output::pretty_json;
pub use crate::output::recorded::input_hashes;

/// A batch ready to compute: inputs compiled, threads started.
pub struct Prepared {
    /// Scenarios and their models, in run order.
    pub models: Vec<(Scenario, Model)>,
    /// Sampler.
    pub kind: SamplerKind,
    /// Worker threads.
    pub pool: rayon::ThreadPool,
    /// What determines the result.
    pub identity: Identity,
}

impl Prepared {
    /// The options of scenario batches covering `range` (all samples when `None`).
    pub fn options(&self, args: &BatchArgs, range: Option<std::ops::Range<u64>>) -> BatchOptions {
        let mut o = BatchOptions {
            chunk: args.chunk,
            exact_limit: args.exact_limit,
            ..BatchOptions::new(args.samples, self.kind, args.seed)
        };
        if let Some(r) = range {
            o.range = r;
        }
        o
    }

    /// Each scenario's binning (histogram ranges come from a deterministic pilot).
    pub fn binnings(&self, args: &BatchArgs) -> Vec<Binning> {
        let opts = self.options(args, None);
        self.models
            .iter()
            .map(|(_, m)| self.pool.install(|| binning(m, &opts)))
            .collect()
    }
}

/// The worker threads of `--threads T` (all cores when `None`).
pub(super) fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 || t > 1024 {
            return Err(InputError::new(format!("--threads {t} is out of range"))
                .hint("give 1 to 1024 threads")
                .into());
        }
        pool = pool.num_threads(t);
    }
    Ok(pool
        .build()
        .map_err(|e| InputError::new(format!("cannot start threads: {e}")))?)
}

/// Checks the arguments, loads and compiles the inputs and starts the threads.
pub fn prepare(args: &BatchArgs) -> Result<Prepared> {
    if args.samples == 0 || args.samples > MAX_SAMPLES {
        return Err(
            InputError::new(format!("--samples {} is out of range", args.samples))
                .hint(format!(
                    "give between 1 and {MAX_SAMPLES} samples per scenario"
                ))
                .into(),
        );
    }
    crate::output::check_out_dir(&args.out)?;
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
    args.input.announce(&region, args.quiet);
    let (kind, sampler_name) = sampler_kind(args.sampler);
    let pool = thread_pool(args.threads)?;
    let scenarios: Vec<&Scenario> = models.iter().map(|(s, _)| s).collect();
    let identity = Identity {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        region: region.name.clone(),
        scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
        samples: args.samples,
        seed: args.seed,
        sampler: sampler_name.into(),
        exact_limit: args.exact_limit,
        inputs: input_hashes(&region, &scenarios),
    };
    Ok(Prepared {
        models,
        kind,
        pool,
        identity,
    })
}

/// Computes the samples of `range` (all when `None`) of scenario `i`. Exact-mode values are
/// kept in the partial.
pub fn compute(
    prep: &Prepared,
    args: &BatchArgs,
    i: usize,
    binning: &Binning,
    range: Option<std::ops::Range<u64>>,
) -> Result<Partial> {
    let show = !args.quiet && super::stderr_is_terminal();
    let opts = prep.options(args, range);
    let model = &prep.models[i].1;
    let bar = progress_bar(show, opts.range.end - opts.range.start, &model.scenario);
    let partial = prep.pool.install(|| {
        run_batch(model, &opts, binning, signals::cancel_flag(), &|n| {
            bar.inc(n)
        })
    })?;
    bar.finish_and_clear();
    Ok(partial)
}

/// One scenario's complete batch with its cell statistics (exact-mode values dropped).
pub struct Finished {
    /// All samples.
    pub partial: Partial,
    /// Cell statistics.
    pub cells: CellStats,
}

/// Finishes a complete partial (every sample of its scenario).
pub fn finish(mut partial: Partial, binning: &Binning) -> Finished {
    let cells = finish_cells(&partial, binning);
    partial.values = Vec::new();
    Finished { partial, cells }
}

/// The files a finished batch writes into `batch/` (besides the manifest and identity).
fn expected_outputs(keep_samples: bool) -> Vec<&'static str> {
    let mut v = vec![
        out::STATS_CSV,
        out::BATCH_SUMMARY_CSV,
        out::DISTRIBUTIONS_CSV,
    ];
    if keep_samples {
        v.push(out::SAMPLES_CSV);
        v.push(out::INPUTS_CSV);
    }
    v
}

/// Whether `<out>/batch/` already holds the complete outputs of `identity`: the identity matches
/// and every result file has the SHA-256 recorded in [`CHECKSUMS`] (a truncated or edited file
/// is recomputed).
pub fn already_done(out_dir: &Path, identity: &Identity, keep_samples: bool) -> bool {
    let Ok(found) = std::fs::read(out_dir.join(IDENTITY_JSON)) else {
        return false;
    };
    let Ok(sums) = std::fs::read_to_string(out_dir.join(CHECKSUMS)) else {
        return false;
    };
    found == identity.to_json()
        && expected_outputs(keep_samples).iter().all(|f| {
            let name = f.strip_prefix("batch/").unwrap_or(f);
            let Some(want) = sums.lines().find_map(|l| {
                l.split_once("  ")
                    .filter(|(_, n)| *n == name)
                    .map(|(h, _)| h)
            }) else {
                return false;
            };
            file_sha256(&out_dir.join(f)).is_some_and(|h| h == want)
        })
}

/// SHA-256 (hex) of a regular file, streamed; `None` when it cannot be read.
fn file_sha256(path: &Path) -> Option<String> {
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut hasher = HashingWriter::new(std::io::sink());
    let mut f = std::fs::File::open(path).ok()?;
    std::io::copy(&mut f, &mut hasher).ok()?;
    Some(hasher.hex())
}

/// A writer that hashes what passes through it (SHA-256).
struct HashingWriter<W> {
    inner: W,
    hasher: sha2::Sha256,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: sha2::Digest::new(),
        }
    }

    fn hex(self) -> String {
        let digest = sha2::Digest::finalize(self.hasher);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `batch/stats.csv`, `summary.csv`, `distributions.csv` (and `samples.csv` when
/// `samples` is given), `manifest.json` and `identity.json` from finished batches (one per
/// model, in the order of `models`), then prints the summary table.
pub fn write_outputs(
    out_dir: &Path,
    input: &InputArgs,
    models: &[(Scenario, Model)],
    identity: &Identity,
    finished: &[Finished],
    samples: Option<(&rayon::ThreadPool, SamplerKind)>,
    quiet: bool,
) -> Result<()> {
    let outcomes: Vec<BatchOutcome> = models
        .iter()
        .zip(finished)
        .map(|((_, m), f)| BatchOutcome {
            model: m,
            partial: &f.partial,
            cells: &f.cells,
            seed: identity.seed,
            sampler: &identity.sampler,
        })
        .collect();
    let mut set = OutputSet::new(out_dir)?;
    let mut sums = String::new();
    let mut record = |file: &str, sha: String| {
        let name = file.strip_prefix("batch/").unwrap_or(file);
        sums.push_str(&format!("{sha}  {name}\n"));
    };
    for (file, bytes) in [
        (out::STATS_CSV, out::stats_csv(&outcomes)),
        (out::BATCH_SUMMARY_CSV, out::batch_summary_csv(&outcomes)),
        (out::DISTRIBUTIONS_CSV, out::distributions_csv(&outcomes)),
    ] {
        set.stage(file, &bytes)?;
        record(file, crate::input::sha256_hex(&bytes));
    }
    if let Some((pool, kind)) = samples {
        let mut sha = String::new();
        set.stage_with(out::SAMPLES_CSV, |w| {
            let mut h = HashingWriter::new(w);
            write_samples(&mut h, pool, models, identity.samples, kind, identity.seed)?;
            sha = h.hex();
            Ok(())
        })?;
        record(out::SAMPLES_CSV, sha);
        let mut sha = String::new();
        set.stage_with(out::INPUTS_CSV, |w| {
            let mut h = HashingWriter::new(w);
            write_inputs(&mut h, pool, models, identity.samples, kind, identity.seed)?;
            sha = h.hex();
            Ok(())
        })?;
        record(out::INPUTS_CSV, sha);
    }
    set.stage(CHECKSUMS, sums.as_bytes())?;
    let outputs: Vec<String> = expected_outputs(samples.is_some())
        .iter()
        .map(|s| s.to_string())
        .chain([CHECKSUMS.to_string(), IDENTITY_JSON.to_string()])
        .collect();
    let manifest = Manifest {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        created: output::now_rfc3339(),
        region: identity.region.clone(),
        dataset: input.dataset_description(),
        scenarios_from: input.scenario_source().describe(),
        scenarios: identity.scenarios.clone(),
        seed: Some(identity.seed),
        samples: Some(identity.samples),
        inputs: identity.inputs.clone(),
        outputs,
        accounting: crate::output::ManifestAccounting::new(models.iter().map(|(_, m)| m)),
    };
    set.stage("batch/manifest.json", &manifest.to_bytes())?;
    // last: a batch/ whose identity matches is complete
    set.stage(IDENTITY_JSON, &identity.to_json())?;
    if signals::interrupted() {
        return Err(Error::Interrupted);
    }
    set.commit()?;

    if !quiet {
        print_table(identity, &outcomes);
        println!("\nwrote {}", out_dir.join("batch").display());
    }
    Ok(())
}

fn print_table(identity: &Identity, outcomes: &[BatchOutcome]) {
    println!(
        "{} samples per scenario ({}, seed {})",
        identity.samples, identity.sampler, identity.seed
    );
    println!(
        "{:<16} {:>9} {:>11} {:>11} {:>11}  {:<14}",
        "scenario", "P(target)", "net p5", "net p50", "net p95", "neutral p50"
    );
    for o in outcomes {
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
}

/// Runs `kymsim batch`.
pub fn batch(args: BatchArgs) -> Result<i32> {
    let picked = shard::pick(args.shard.as_deref(), args.shards, &shard::env_vars())?;
    let prep = prepare(&args)?;
    if let Some(picked) = picked {
        return shard::run_shard(&args, &prep, picked);
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
    let binnings = prep.binnings(&args);
    let mut finished = Vec::new();
    for (i, b) in binnings.iter().enumerate() {
        finished.push(finish(compute(&prep, &args, i, b, None)?, b));
    }
    write_outputs(
        &args.out,
        &args.input,
        &prep.models,
        &prep.identity,
        &finished,
        args.keep_samples.then_some((&prep.pool, prep.kind)),
        args.quiet,
    )?;
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

/// The models sorted by scenario name: the row order of the per-sample files.
fn by_scenario(models: &[(Scenario, Model)]) -> Vec<&Model> {
    let mut sorted: Vec<&Model> = models.iter().map(|(_, m)| m).collect();
    sorted.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    sorted
}

/// Streams the text of samples `0..samples` in sample order, computing blocks of samples in
/// parallel: `row` appends sample i's lines, with one `state` per worker (made by `init`).
fn stream_samples<S, I, R>(
    w: &mut dyn Write,
    pool: &rayon::ThreadPool,
    samples: u64,
    init: I,
    row: R,
) -> std::io::Result<()>
where
    I: Fn() -> S + Sync + Send,
    R: Fn(&mut S, u64, &mut String) + Sync + Send,
{
    const BLOCK: u64 = 4096;
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
                .map_init(&init, |state, i| {
                    let mut s = String::new();
                    row(state, i, &mut s);
                    s
                })
                .collect()
        });
        for t in texts {
            w.write_all(t.as_bytes())?;
        }
        start = end;
    }
    Ok(())
}

/// Streams every sample's top-level variables as IAMC rows with a `sample` column, in sample
/// order, computing blocks of samples in parallel.
fn write_samples(
    w: &mut dyn Write,
    pool: &rayon::ThreadPool,
    models: &[(Scenario, Model)],
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
    let sorted = by_scenario(models);
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
        stream_samples(
            w,
            pool,
            samples,
            || (Workspace::new(m), m.central()),
            |(ws, p), i, s| {
                sampler.fill(i, p);
                ws.evaluate(m, p);
                ws.evaluate_variables(m);
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

/// Streams every sample's drawn inputs: `scenario,sample` and one column per uncertain
/// parameter (see [`input_columns`]), empty where the parameter is not uncertain in that
/// scenario. Values are written in Rust's shortest round-trip form, so that reading them back
/// gives the very numbers the model was evaluated with.
fn write_inputs(
    w: &mut dyn Write,
    pool: &rayon::ThreadPool,
    models: &[(Scenario, Model)],
    samples: u64,
    kind: SamplerKind,
    seed: u64,
) -> std::io::Result<()> {
    let sorted = by_scenario(models);
    let columns = input_columns(&sorted);
    let mut header = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    header
        .write_record(
            ["scenario", "sample"]
                .into_iter()
                .chain(columns.iter().map(|c| c.as_str())),
        )
        .map_err(std::io::Error::other)?;
    w.write_all(
        &header
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?,
    )?;
    for m in sorted {
        let sampler = Sampler::new(m, kind, seed, samples);
        let drawn: Vec<usize> = sampler.param_indices().collect();
        let at: Vec<Option<usize>> = columns
            .iter()
            .map(|c| drawn.iter().copied().find(|&i| m.params[i].name == *c))
            .collect();
        stream_samples(
            w,
            pool,
            samples,
            || m.central(),
            |p, i, s| {
                sampler.fill(i, p);
                s.push_str(&format!("{},{i}", m.scenario));
                for c in &at {
                    s.push(',');
                    if let Some(j) = c {
                        s.push_str(&p[*j].to_string());
                    }
                }
                s.push('\n');
            },
        )?;
    }
    Ok(())
}
