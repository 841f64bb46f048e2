//! Batches as a library: the sampling plan, the batch identity, computing and finishing the
//! scenarios' partial statistics, the files of `batch/` and the up-to-date check.
//!
//! `kymsim batch` (whole or one shard), `kymsim merge` and `kymsim slurm` call this module; the
//! command line only parses arguments and prints. An unsharded batch, the shards of
//! [`part`] and a merge share [`Prepared`] and [`write_outputs`], so merged shards give the
//! bytes of the unsharded run.
//!
//! - [`part`]: shard ranges, the part file format and the checks `merge` applies to parts;
//! - [`shard`]: which shard a job computes (`--shard K/N` or the scheduler's environment);
//! - [`samples`]: the kept samples (`batch/samples.csv`, `batch/inputs.csv`).

pub mod codec;
pub mod part;
pub mod samples;
pub mod shard;

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::data::Region;
use crate::engine::batch::{BatchOptions, binning, run_batch};
use crate::engine::sampler::SamplerKind;
use crate::engine::stats::{Binning, CellStats, Partial, finish_cells};
use crate::error::{Error, InputError, Result};
use crate::model::Model;
use crate::output::batch::{self as out, BatchOutcome, BatchSummaryRow};
use crate::output::recorded::{InputHash, input_hashes};
use crate::output::{self, Manifest, OutputSet};
use crate::scenario::Scenario;

/// The most samples a batch accepts (the summary keeps 10 bytes per sample and scenario).
pub const MAX_SAMPLES: u64 = 100_000_000;

pub use crate::output::schema::{
    BATCH_CHECKSUMS as CHECKSUMS, BATCH_IDENTITY_JSON as IDENTITY_JSON,
    BATCH_MANIFEST_JSON as MANIFEST_JSON,
};

/// The name a sampler is recorded under (`mc`, `lhs`).
pub fn sampler_name(kind: SamplerKind) -> &'static str {
    match kind {
        SamplerKind::MonteCarlo => "mc",
        SamplerKind::LatinHypercube => "lhs",
    }
}

/// What to sample: the same plan gives the same bytes, whatever the thread count or sharding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Samples per scenario (N).
    pub samples: u64,
    /// Sampler.
    pub sampler: SamplerKind,
    /// Seed.
    pub seed: u64,
    /// Samples per parallel work item (results do not depend on it).
    pub chunk: usize,
    /// Exact quantiles up to this many values (samples × cells); histograms above.
    pub exact_limit: u64,
}

impl Plan {
    /// Refuses a sample count outside 1…[`MAX_SAMPLES`].
    pub fn check(&self) -> Result<()> {
        if self.samples == 0 || self.samples > MAX_SAMPLES {
            return Err(
                InputError::new(format!("--samples {} is out of range", self.samples))
                    .hint(format!(
                        "give between 1 and {MAX_SAMPLES} samples per scenario"
                    ))
                    .into(),
            );
        }
        Ok(())
    }

    /// The options of scenario batches covering `range` (all samples when `None`).
    pub fn options(&self, range: Option<Range<u64>>) -> BatchOptions {
        let mut o = BatchOptions {
            chunk: self.chunk,
            exact_limit: self.exact_limit,
            ..BatchOptions::new(self.samples, self.sampler, self.seed)
        };
        if let Some(r) = range {
            o.range = r;
        }
        o
    }
}

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
    /// The identity of `plan` over `models` of `region`; the input hashes are the manifest's
    /// ([`input_hashes`]).
    pub fn new(region: &Region, models: &[(Scenario, Model)], plan: &Plan) -> Identity {
        let scenarios: Vec<&Scenario> = models.iter().map(|(s, _)| s).collect();
        Identity {
            kymsim_version: env!("CARGO_PKG_VERSION").into(),
            region: region.name.clone(),
            scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
            samples: plan.samples,
            seed: plan.seed,
            sampler: sampler_name(plan.sampler).into(),
            exact_limit: plan.exact_limit,
            inputs: input_hashes(region, &scenarios),
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> Vec<u8> {
        output::pretty_json(self)
    }
}

/// The worker threads of `--threads T` (all cores when `None`).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 || t > 1024 {
            return Err(InputError::new(format!("--threads {t} is out of range"))
                .hint("give 1 to 1024 threads")
                .into());
        }
        pool = pool.num_threads(t);
    }
    pool.build()
        .map_err(|e| Error::internal(format!("cannot start worker threads: {e}")))
}

/// A batch ready to compute: inputs compiled, threads started.
pub struct Prepared {
    /// Scenarios and their models, in run order.
    pub models: Vec<(Scenario, Model)>,
    /// What to sample.
    pub plan: Plan,
    /// Worker threads.
    pub pool: rayon::ThreadPool,
    /// What determines the result.
    pub identity: Identity,
}

impl Prepared {
    /// Checks the plan, starts `threads` worker threads and records the identity.
    pub fn new(
        region: &Region,
        models: Vec<(Scenario, Model)>,
        plan: Plan,
        threads: Option<usize>,
    ) -> Result<Prepared> {
        plan.check()?;
        let pool = thread_pool(threads)?;
        let identity = Identity::new(region, &models, &plan);
        Ok(Prepared {
            models,
            plan,
            pool,
            identity,
        })
    }

    /// Each scenario's binning (histogram ranges come from a deterministic pilot).
    pub fn binnings(&self) -> Vec<Binning> {
        let opts = self.plan.options(None);
        self.models
            .iter()
            .map(|(_, m)| self.pool.install(|| binning(m, &opts)))
            .collect()
    }

    /// Computes the samples of `range` (all when `None`) of scenario `i`; `progress` is called
    /// with the samples finished, `cancel` stops the work. Exact-mode values are kept in the
    /// partial.
    pub fn compute(
        &self,
        i: usize,
        binning: &Binning,
        range: Option<Range<u64>>,
        cancel: &AtomicBool,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Partial> {
        let opts = self.plan.options(range);
        let model = &self.models[i].1;
        self.pool
            .install(|| run_batch(model, &opts, binning, cancel, progress))
    }
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
pub fn expected_outputs(keep_samples: bool) -> Vec<&'static str> {
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
            let Some(want) = recorded_checksum(&sums, checksum_name(f)) else {
                return false;
            };
            file_sha256(&out_dir.join(f)).is_some_and(|h| h == want)
        })
}

/// The name a file has in [`CHECKSUMS`]: relative to `batch/`.
fn checksum_name(file: &str) -> &str {
    file.strip_prefix("batch/").unwrap_or(file)
}

/// The hash recorded for `name` in a `sha256sum` listing.
fn recorded_checksum<'a>(sums: &'a str, name: &str) -> Option<&'a str> {
    sums.lines().find_map(|l| {
        l.split_once("  ")
            .filter(|(_, n)| *n == name)
            .map(|(h, _)| h)
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

/// Where a batch's inputs came from, as the manifest records it.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The dataset (`embedded:data/kymenlaakso` or the `--data` folder).
    pub dataset: String,
    /// Where the scenarios were found.
    pub scenarios_from: String,
}

/// Kept samples to write with the statistics (`--keep-samples`).
pub struct KeepSamples<'a> {
    /// The threads that recompute the samples.
    pub pool: &'a rayon::ThreadPool,
    /// Sampler.
    pub sampler: SamplerKind,
}

/// Writes `batch/stats.csv`, `summary.csv`, `distributions.csv` (and `samples.csv`,
/// `inputs.csv` when `keep` is given), `checksums.sha256`, `manifest.json` and `identity.json`
/// from finished batches (one per model, in the order of `models`). Returns the rows of
/// `batch/summary.csv`, for the caller to print. `cancel` set before the files are renamed
/// into place gives [`Error::Interrupted`] and leaves the previous outputs.
pub fn write_outputs(
    out_dir: &Path,
    provenance: &Provenance,
    models: &[(Scenario, Model)],
    identity: &Identity,
    finished: &[Finished],
    keep: Option<KeepSamples>,
    cancel: &AtomicBool,
) -> Result<Vec<BatchSummaryRow>> {
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
        sums.push_str(&format!("{sha}  {}\n", checksum_name(file)));
    };
    for (file, bytes) in [
        (out::STATS_CSV, out::stats_csv(&outcomes)),
        (out::BATCH_SUMMARY_CSV, out::batch_summary_csv(&outcomes)),
        (out::DISTRIBUTIONS_CSV, out::distributions_csv(&outcomes)),
    ] {
        set.stage(file, &bytes)?;
        record(file, crate::input::sha256_hex(&bytes));
    }
    let keeping = keep.is_some();
    if let Some(k) = keep {
        let sorted = samples::by_scenario(models);
        let plan = samples::SampleStream {
            pool: k.pool,
            samples: identity.samples,
            sampler: k.sampler,
            seed: identity.seed,
            cancel,
        };
        let writers: [(&str, samples::Writer); 2] = [
            (out::SAMPLES_CSV, samples::write_samples),
            (out::INPUTS_CSV, samples::write_inputs),
        ];
        for (file, write) in writers {
            let mut sha = String::new();
            set.stage_with(file, |w| {
                let mut h = HashingWriter::new(w);
                write(&mut h, &plan, &sorted)?;
                sha = h.hex();
                Ok(())
            })?;
            record(file, sha);
        }
    }
    set.stage(CHECKSUMS, sums.as_bytes())?;
    let outputs: Vec<String> = expected_outputs(keeping)
        .iter()
        .map(|s| s.to_string())
        .chain([CHECKSUMS.to_string(), IDENTITY_JSON.to_string()])
        .collect();
    let manifest = Manifest {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        created: output::now_rfc3339(),
        region: identity.region.clone(),
        dataset: provenance.dataset.clone(),
        scenarios_from: provenance.scenarios_from.clone(),
        scenarios: identity.scenarios.clone(),
        seed: Some(identity.seed),
        samples: Some(identity.samples),
        inputs: identity.inputs.clone(),
        prior_results: Vec::new(),
        outputs,
        accounting: crate::output::ManifestAccounting::new(models.iter().map(|(_, m)| m)),
        sample: None,
    };
    set.stage(MANIFEST_JSON, &manifest.to_bytes())?;
    // last: a batch/ whose identity matches is complete
    set.stage(IDENTITY_JSON, &identity.to_json())?;
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    set.commit()?;
    Ok(outcomes.iter().map(out::batch_summary_row).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_checksum_is_found_by_its_exact_name() {
        let sums = "aa  stats.csv\nbb  summary.csv\ncc  samples.csv\n";
        assert_eq!(recorded_checksum(sums, "summary.csv"), Some("bb"));
        assert_eq!(recorded_checksum(sums, "summary"), None);
        assert_eq!(checksum_name("batch/stats.csv"), "stats.csv");
    }

    #[test]
    fn the_plan_refuses_zero_and_too_many_samples() {
        let plan = |samples| Plan {
            samples,
            sampler: SamplerKind::MonteCarlo,
            seed: 1,
            chunk: 256,
            exact_limit: 10,
        };
        assert!(plan(0).check().is_err());
        assert!(plan(MAX_SAMPLES + 1).check().is_err());
        assert!(plan(MAX_SAMPLES).check().is_ok());
        // a shard's range replaces the default 0..N
        assert_eq!(plan(100).options(Some(25..50)).range, 25..50);
        assert_eq!(plan(100).options(None).range, 0..100);
    }
}
