//! `kymsim run` as a library function: resolve the inputs, evaluate every scenario at its
//! central values (or at one kept batch sample), attribute, cost and compare it, and write
//! results, charts, report and manifest into the output folder in one atomic commit.
//!
//! [`prepare`] loads and checks everything before anything is written; [`execute`] does the
//! work and says what it found, for the command line to print.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::batch::samples::{KeptSample, SampleRef, evaluate_kept, read_kept_sample};
use crate::charts;
use crate::data::Region;
use crate::decision;
use crate::engine::{CentralResult, run_central};
use crate::error::{Error, InputError, Result};
use crate::i18n::Lang;
use crate::model::Model;
use crate::output::recorded::InputHash;
use crate::output::{self, Manifest, OutputSet};
use crate::scenario::Scenario;

use super::inputs::Inputs;

/// The reference of the difference view when `--against` is not given (and it is run).
pub const DEFAULT_REFERENCE: &str = "baseline";

/// The most permutations of the sampled Shapley attribution (its work lists grow with them).
pub const MAX_PERMUTATIONS: usize = 10_000_000;

/// What a run is asked to do.
#[derive(Debug, Clone)]
pub struct RunRequest<'a> {
    /// Where the dataset and the scenarios come from.
    pub inputs: &'a Inputs,
    /// Scenario names or files; empty: every scenario of the library.
    pub names: &'a [String],
    /// The output folder.
    pub out: &'a Path,
    /// The language asked for (none: the region's, else English).
    pub lang: Option<Lang>,
    /// Leave out charts and report.
    pub no_charts: bool,
    /// Chart size in pixels.
    pub size: (u32, u32),
    /// Seed of the sampled Shapley attribution.
    pub seed: u64,
    /// Permutations of the sampled Shapley attribution.
    pub permutations: usize,
    /// The reference of the difference view: a scenario, `none`, or the default.
    pub against: Option<&'a str>,
    /// One kept batch sample to evaluate instead of the central values.
    pub sample: Option<&'a SampleRef>,
}

/// The inputs of a run, loaded and checked: nothing is written yet.
pub struct Prepared {
    /// The region.
    pub region: Region,
    /// The language the run draws and prints in.
    pub lang: Lang,
    /// The scenarios with their compiled models.
    pub models: Vec<(Scenario, Model)>,
    /// The reference of the difference view, if any.
    pub reference: Option<(Scenario, Model)>,
    /// The kept sample evaluated instead of the central values, if one was asked for.
    pub kept: Option<KeptSample>,
    /// The input files with their SHA-256.
    pub hashes: Vec<InputHash>,
}

/// Loads the region and the scenarios, the reference and the kept sample, and checks the
/// request, before any work.
pub fn prepare(req: &RunRequest) -> Result<Prepared> {
    if req.permutations == 0 || req.permutations > MAX_PERMUTATIONS {
        return Err(InputError::new(format!(
            "--permutations {} is out of range",
            req.permutations
        ))
        .hint(format!("give 1 to {MAX_PERMUTATIONS} permutations"))
        .into());
    }
    let region = req.inputs.region()?;
    let lang = req.lang.or(region.lang).unwrap_or_default();
    let models = req.inputs.models(&region, req.names)?;
    let reference = reference(req, &region, &models)?;
    let scenarios: Vec<&Scenario> = models.iter().map(|(s, _)| s).collect();
    let hashes = output::recorded::input_hashes(&region, &scenarios);
    let kept = match req.sample {
        Some(at) => {
            let ms: Vec<&Model> = models.iter().map(|(_, m)| m).collect();
            Some(read_kept_sample(at, &ms, &hashes)?)
        }
        None => None,
    };
    Ok(Prepared {
        region,
        lang,
        models,
        reference,
        kept,
        hashes,
    })
}

/// The reference of the difference view: `--against NAME` (compiled here when it is not
/// among the scenarios run), `none` for no reference; without the flag `baseline` when it is
/// run.
fn reference(
    req: &RunRequest,
    region: &Region,
    models: &[(Scenario, Model)],
) -> Result<Option<(Scenario, Model)>> {
    // a kept sample has no counterpart in the reference scenario
    if req.sample.is_some() {
        return Ok(None);
    }
    let name = match req.against {
        Some("none") => return Ok(None),
        Some(n) => n,
        None => DEFAULT_REFERENCE,
    };
    if let Some(found) = models.iter().find(|(s, _)| s.name == name) {
        return Ok(Some(found.clone()));
    }
    if req.against.is_none() {
        return Ok(None);
    }
    let mut compiled = req.inputs.models(region, &[name.to_string()])?;
    Ok(compiled.pop())
}

/// What a run computed and wrote.
pub struct RunOutcome {
    /// Each scenario's evaluation, in the order of [`Prepared::models`].
    pub results: Vec<CentralResult>,
    /// Each scenario's cost curve.
    pub maccs: Vec<decision::Macc>,
    /// Each scenario against the reference (none without one).
    pub differences: Vec<decision::Difference>,
    /// The rows of a current `batch/summary.csv`, by scenario (empty without one): the
    /// probability of each verdict.
    pub batch: std::collections::BTreeMap<String, charts::load::BatchSummaryRecord>,
    /// What the run says about the results of earlier commands it read or skipped.
    pub prior_notes: Vec<String>,
    /// Files of an earlier run that this one no longer writes, removed.
    pub removed: Vec<String>,
    /// Entries of an earlier manifest left alone, and why.
    pub ignored: Vec<String>,
    /// The bytes of `results.csv` and `summary.csv` written.
    pub results_csv: Vec<u8>,
    /// See [`RunOutcome::results_csv`].
    pub summary_csv: Vec<u8>,
}

/// Evaluates, attributes, costs and compares the prepared scenarios and writes every output
/// into `req.out` in one commit; `cancel` set before the commit stops it with nothing written.
pub fn execute(req: &RunRequest, p: &Prepared, cancel: &AtomicBool) -> Result<RunOutcome> {
    let models = &p.models;
    // the parameters evaluated: the central values, or those of one kept batch sample
    let params: Vec<Vec<f64>> = match &p.kept {
        Some(k) => k.params.clone(),
        None => models.iter().map(|(_, m)| m.central()).collect(),
    };
    let results: Vec<CentralResult> = match &p.kept {
        Some(k) => {
            let ms: Vec<&Model> = models.iter().map(|(_, m)| m).collect();
            evaluate_kept(&ms, &k.params)?
        }
        None => models.iter().map(|(_, m)| run_central(m)).collect(),
    };
    let runs: Vec<(&Model, &CentralResult)> =
        models.iter().map(|(_, m)| m).zip(results.iter()).collect();

    // decision support: Shapley wedges of each measure and the cost curve
    let shapley = decision::ShapleyOptions {
        seed: req.seed,
        permutations: req.permutations,
        ..Default::default()
    };
    let attributions: Vec<_> = models
        .iter()
        .zip(&params)
        .map(|((_, m), x)| decision::attribute(m, x, &shapley))
        .collect();
    let maccs: Vec<_> = models
        .iter()
        .zip(&params)
        .map(|((_, m), x)| decision::macc(m, x))
        .collect();
    let wedges: Vec<_> = models.iter().map(|(_, m)| m).zip(&attributions).collect();
    let sampled = attributions
        .iter()
        .any(|a| matches!(a.method, decision::ShapleyMethod::Sampled { .. }));
    // each scenario against the reference: the gap in net emissions by differing measure
    let differences: Vec<decision::Difference> = match &p.reference {
        Some((rs, rm)) => models
            .iter()
            .filter(|(s, _)| s.name != rs.name)
            .map(|(s, m)| decision::difference(&p.region, s, m, rs, rm))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };

    // what an earlier run wrote here, to remove what this run no longer writes
    let previous = output::recorded::previous_outputs(&req.out.join(output::MANIFEST_JSON))?;

    let mut set = OutputSet::new(req.out)?;
    let mut metadata = charts::Metadata::new(&p.region, models);
    metadata.lang = p.lang;
    metadata.add_reference_measures(p.reference.as_ref().map(|(s, m)| (s, m)), models);
    let mut staged: Vec<(&str, Vec<u8>)> = vec![
        (output::RESULTS_CSV, output::results_csv(&runs)),
        (output::SUMMARY_CSV, output::summary_csv(&runs)),
        (decision::WEDGES_CSV, decision::wedges_csv(&wedges)),
        (decision::MACC_CSV, decision::macc_csv(&maccs)),
        (charts::METADATA_JSON, metadata.to_bytes()),
    ];
    if p.reference.is_some() {
        staged.push((
            decision::DIFFERENCE_CSV,
            decision::difference_csv(&differences),
        ));
    }
    let mut outputs: Vec<String> = Vec::new();
    for (name, bytes) in &staged {
        set.stage(name, bytes)?;
        outputs.push((*name).into());
    }
    let mut drawn = Drawn::default();
    // the charts and the report label what they show as central values: none for a sample
    if !req.no_charts && p.kept.is_none() {
        drawn = draw(req, p, &staged)?;
        for f in drawn.files.drain(..) {
            set.stage(&f.path, &f.bytes)?;
            outputs.push(f.path);
        }
    }
    let manifest = Manifest {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        created: output::now_rfc3339(),
        region: p.region.name.clone(),
        dataset: req.inputs.dataset_description(),
        scenarios_from: req.inputs.scenario_source().describe(),
        scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
        seed: sampled.then_some(req.seed),
        samples: None,
        inputs: p.hashes.clone(),
        prior_results: drawn.prior_read,
        outputs: outputs.clone(),
        accounting: output::ManifestAccounting::new(models.iter().map(|(_, m)| m)),
        sample: p.kept.as_ref().map(|k| output::ManifestSample {
            file: k.file.clone(),
            sha256: k.sha256.clone(),
            sample: k.sample,
        }),
    };
    set.stage(output::MANIFEST_JSON, &manifest.to_bytes())?;
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    set.commit()?;
    let (removed, ignored) = match previous {
        Some(previous) => {
            let done = output::recorded::remove_unlisted(req.out, &previous, &outputs)?;
            (done.removed, done.ignored)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut staged = staged.into_iter().map(|(_, b)| b);
    let results_csv = staged.next().unwrap_or_default();
    let summary_csv = staged.next().unwrap_or_default();
    Ok(RunOutcome {
        results,
        maccs,
        differences,
        batch: drawn.batch,
        prior_notes: drawn.prior_notes,
        removed,
        ignored,
        results_csv,
        summary_csv,
    })
}

/// The charts and the report of a run, with what they read of earlier commands.
#[derive(Default)]
struct Drawn {
    files: Vec<charts::Rendered>,
    prior_read: Vec<InputHash>,
    prior_notes: Vec<String>,
    batch: std::collections::BTreeMap<String, charts::load::BatchSummaryRecord>,
}

/// Draws the charts and the report from the staged outputs, with the results of earlier
/// commands in the output folder (batch, sensitivity, discover, Morris) that come from these
/// very inputs.
fn draw(req: &RunRequest, p: &Prepared, staged: &[(&str, Vec<u8>)]) -> Result<Drawn> {
    let version = env!("CARGO_PKG_VERSION");
    let prior = output::prior::prior_results(
        req.out,
        Some(output::prior::Current {
            version,
            inputs: &p.hashes,
        }),
    )?;
    let mut skip = prior.skip_files();
    // without a reference, a difference.csv of an earlier run is not this run's
    if p.reference.is_none() {
        skip.push(charts::load::DIFFERENCE_CSV);
    }
    // a current batch gives each verdict its probability in the printed table
    let mut batch = std::collections::BTreeMap::new();
    if prior
        .read
        .iter()
        .any(|i| i.path == output::batch::BATCH_SUMMARY_CSV)
    {
        let milestones: Vec<i32> = p.region.milestones.iter().map(|m| m.year).collect();
        batch = charts::load::read_batch_summary(req.out, &milestones).unwrap_or_default();
    }
    let staged: Vec<(&str, &[u8])> = staged.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    // the report shows `discover` and Morris charts recorded for these very inputs
    let current = charts::CurrentInputs {
        version: version.into(),
        inputs: p
            .hashes
            .iter()
            .map(|i| (i.path.clone(), i.sha256.clone()))
            .collect(),
    };
    let files = charts::render_run(req.out, &staged, req.size, &skip, &current)?;
    Ok(Drawn {
        files,
        prior_notes: prior.notes_in(p.lang),
        prior_read: prior.read,
        batch,
    })
}
