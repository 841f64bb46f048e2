//! `kymsim discover` as a library function: a seeded batch keeps every sample's inputs and
//! verdict, PRIM finds the box of inputs where the outcome concentrates, and the discovery
//! files, chart and identity are written in one commit.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::batch::{MAX_SAMPLES, sampler_name, thread_pool};
use crate::charts::discovery::DiscoveryChart;
use crate::charts::{DEFAULT_SIZE, Standalone, render_standalone};
use crate::data::Region;
use crate::decision::prim::{
    Prim, PrimError, PrimOptions, discovery_csv, prim, select_box, trajectory_csv,
};
use crate::decision::{DISCOVERY_CSV, DISCOVERY_TRAJECTORY_CSV};
use crate::engine::batch::{BatchOptions, sample_outcomes};
use crate::engine::sampler::SamplerKind;
use crate::error::{Error, InputError, Result};
use crate::i18n::Lang;
use crate::model::Model;
use crate::output::recorded::{InputHash, input_hashes};
use crate::output::schema::DISCOVERY_IDENTITY_JSON;
use crate::output::{OutputSet, pretty_json};
use crate::scenario::Scenario;

use super::inputs::Inputs;

/// The most samples `discover` accepts (it keeps every sample's inputs in memory).
pub const MAX_DISCOVER_SAMPLES: u64 = 1_000_000;

/// The outcome PRIM explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Samples that miss the target (any criterion).
    Missed,
    /// Samples that meet the target (every criterion).
    Met,
}

impl Outcome {
    /// The outcome's name in the files (`missed`, `met`).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Missed => "missed",
            Outcome::Met => "met",
        }
    }
}

/// What a discovery is asked to do.
#[derive(Debug, Clone)]
pub struct DiscoverRequest<'a> {
    /// Where the dataset and the scenarios come from.
    pub inputs: &'a Inputs,
    /// The scenario: a name or a file.
    pub scenario: &'a str,
    /// Samples.
    pub samples: u64,
    /// Sampler.
    pub sampler: SamplerKind,
    /// Seed.
    pub seed: u64,
    /// Worker threads (none: every core).
    pub threads: Option<usize>,
    /// The samples explained.
    pub outcome: Outcome,
    /// The densest box whose coverage is at least this share is chosen…
    pub threshold_coverage: f64,
    /// …unless box K of the trajectory is asked for.
    pub pick: Option<usize>,
    /// PRIM's peeling, pasting and minimum mass.
    pub prim: PrimOptions,
    /// The output folder.
    pub out: &'a Path,
    /// The language asked for (none: the region's, else English).
    pub lang: Option<Lang>,
}

/// Everything that determines the discovery files: equal identities give equal files.
#[derive(Debug, Serialize)]
struct DiscoveryIdentity<'a> {
    kymsim_version: &'a str,
    region: &'a str,
    scenario: &'a str,
    samples: u64,
    seed: u64,
    sampler: &'a str,
    outcome: &'a str,
    peel_alpha: f64,
    paste_alpha: f64,
    mass_min: f64,
    /// `densest box with coverage >= C` or `box K`.
    selection: String,
    inputs: Vec<InputHash>,
}

/// Checks the request's numbers before any work, so a bad one writes nothing.
pub fn check(req: &DiscoverRequest) -> Result<()> {
    let bad = |m: String, h: &str| -> Result<()> { Err(InputError::new(m).hint(h).into()) };
    if !(20..=MAX_DISCOVER_SAMPLES.min(MAX_SAMPLES)).contains(&req.samples) {
        return bad(
            format!("--samples {} is out of range", req.samples),
            "give 20 to 1000000 samples; PRIM needs a few hundred samples of interest to find a box",
        );
    }
    if !(req.threshold_coverage > 0.0 && req.threshold_coverage <= 1.0) {
        return bad(
            format!(
                "--threshold-coverage {} is outside (0, 1]",
                req.threshold_coverage
            ),
            "give a share, e.g. 0.8 for boxes holding at least 80 % of the samples of interest",
        );
    }
    for (flag, v) in [
        ("--peel-alpha", req.prim.peel_alpha),
        ("--paste-alpha", req.prim.paste_alpha),
    ] {
        if !(v > 0.0 && v < 0.5) {
            return bad(
                format!("{flag} {v} is outside (0, 0.5)"),
                "the usual value is 0.05: 5 % of a box's samples per step",
            );
        }
    }
    if !(req.prim.mass_min > 0.0 && req.prim.mass_min < 1.0) {
        return bad(
            format!("--mass-min {} is outside (0, 1)", req.prim.mass_min),
            "the usual value is 0.05: boxes keep at least 5 % of the samples",
        );
    }
    Ok(())
}

/// The inputs of a discovery, loaded and checked: nothing is computed or written yet.
pub struct Prepared {
    /// The region.
    pub region: Region,
    /// The language the chart and the verdict are in.
    pub lang: Lang,
    /// The scenario.
    pub scenario: Scenario,
    /// Its compiled model.
    pub model: Model,
}

/// Checks the request and loads the region and the scenario.
pub fn prepare(req: &DiscoverRequest) -> Result<Prepared> {
    check(req)?;
    let region = req.inputs.region()?;
    let lang = req.lang.or(region.lang).unwrap_or_default();
    let mut models = req.inputs.models(&region, &[req.scenario.to_string()])?;
    let (scenario, model) = models.remove(0);
    Ok(Prepared {
        region,
        lang,
        scenario,
        model,
    })
}

/// What a discovery found and wrote.
pub struct Discovery {
    /// The uncertain parameters' ids, in the order of PRIM's columns.
    pub names: Vec<String>,
    /// The peeling and pasting trajectory.
    pub prim: Prim,
    /// The chosen box of the trajectory.
    pub selected: usize,
    /// The sampler's name.
    pub sampler: &'static str,
    /// The chart's file stem (`discovery_<scenario>`).
    pub stem: String,
}

/// Samples the scenario, runs PRIM, chooses the box and writes `discovery.csv`,
/// `discovery_trajectory.csv`, the chart and the identity in one commit; `cancel` stops it
/// with nothing written, `progress` hears of every finished chunk of samples.
pub fn execute(
    req: &DiscoverRequest,
    p: &Prepared,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Discovery> {
    let model = &p.model;
    let pool = thread_pool(req.threads)?;
    let sampler = sampler_name(req.sampler);
    let opts = BatchOptions::new(req.samples, req.sampler, req.seed);
    let outcomes = pool.install(|| sample_outcomes(model, &opts, cancel, progress))?;
    let names: Vec<String> = outcomes
        .params
        .iter()
        .map(|&i| model.params[i].name.clone())
        .collect();
    if names.is_empty() {
        return Err(InputError::new(format!(
            "scenario `{}` has no uncertain parameters: there is nothing to discover",
            model.scenario
        ))
        .hint("give measures or [[uncertainty]] entries distributions (docs/scenario-format.md)")
        .into());
    }
    let outcome = req.outcome.name();
    let interest: Vec<bool> = outcomes
        .target_met
        .iter()
        .map(|&met| met == (req.outcome == Outcome::Met))
        .collect();
    let result = pool
        .install(|| prim(&outcomes.inputs, names.len(), &interest, &req.prim))
        .map_err(|e| prim_error(e, req, model))?;
    let selected = match req.pick {
        Some(k) if k >= result.trajectory.len() => {
            return Err(InputError::new(format!(
                "--box {k}: the peeling trajectory has boxes 0 to {}",
                result.trajectory.len() - 1
            ))
            .hint("run without --box to see the trajectory, then pick one of its boxes")
            .into());
        }
        Some(k) => k,
        None => select_box(&result, req.threshold_coverage),
    };
    let chart = Standalone::Discovery(DiscoveryChart {
        region: p.region.name.clone(),
        scenario: model.scenario.clone(),
        outcome: outcome.to_string(),
        samples: req.samples,
        boxes: result
            .trajectory
            .iter()
            .map(|b| (b.coverage, b.density, b.restricted()))
            .collect(),
        pasted_from: result.pasted_from,
        selected,
        threshold: req.pick.is_none().then_some(req.threshold_coverage),
    });
    let stem = format!("discovery_{}", model.scenario);
    let rendered = render_standalone(&chart, &stem, DEFAULT_SIZE, p.lang)?;
    let mut set = OutputSet::new(req.out)?;
    set.stage(
        DISCOVERY_CSV,
        &discovery_csv(&model.scenario, outcome, &names, &result, selected),
    )?;
    set.stage(
        DISCOVERY_TRAJECTORY_CSV,
        &trajectory_csv(&model.scenario, outcome, &result, selected),
    )?;
    for r in &rendered {
        set.stage(&r.path, &r.bytes)?;
    }
    let identity = DiscoveryIdentity {
        kymsim_version: env!("CARGO_PKG_VERSION"),
        region: &p.region.name,
        scenario: &model.scenario,
        samples: req.samples,
        seed: req.seed,
        sampler,
        outcome,
        peel_alpha: req.prim.peel_alpha,
        paste_alpha: req.prim.paste_alpha,
        mass_min: req.prim.mass_min,
        selection: match req.pick {
            Some(k) => format!("box {k}"),
            None => format!("densest box with coverage >= {}", req.threshold_coverage),
        },
        inputs: input_hashes(&p.region, &[&p.scenario]),
    };
    set.stage(DISCOVERY_IDENTITY_JSON, &pretty_json(&identity))?;
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    set.commit()?;
    Ok(Discovery {
        names,
        prim: result,
        selected,
        sampler,
        stem,
    })
}

/// PRIM's refusal in the user's terms.
fn prim_error(e: PrimError, req: &DiscoverRequest, model: &Model) -> Error {
    let n = req.samples;
    let outcome = req.outcome.name();
    let other = if req.outcome == Outcome::Met {
        "missed"
    } else {
        "met"
    };
    match e {
        PrimError::NoneOfInterest => InputError::new(format!(
            "the target is {outcome} in none of the {n} samples of `{}`: there is no condition to find",
            model.scenario
        ))
        .hint(format!("try --outcome {other}, or more samples (-n)"))
        .into(),
        PrimError::AllOfInterest => InputError::new(format!(
            "the target is {outcome} in all {n} samples of `{}`: it is {outcome} whatever the uncertain inputs",
            model.scenario
        ))
        .hint(format!("try --outcome {other}, or more samples (-n)"))
        .into(),
        other => InputError::new(other.to_string()).into(),
    }
}
