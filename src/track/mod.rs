//! `kymsim track`: observed inventory years update the scenario's uncertain inputs and
//! P(target met). The prior is the batch's ensemble (same sampler, seed and N); each sample is
//! weighted by the Gaussian likelihood of the observations; the posterior is the weighted
//! ensemble (docs/track.md).

mod chart;
pub mod ensemble;
pub mod observed;
mod write;

use std::path::Path;

pub use ensemble::Ensemble;
pub use observed::{Observation, read_observations};
pub use write::{
    DEVIATION_CSV, FAN_CSV, IDENTITY_JSON, OBSERVATIONS_CSV, POSTERIOR_CSV, SUMMARY_CSV, TRACK_DIR,
    fans,
};

use crate::data::Region;
use crate::engine::sampler::SamplerKind;
use crate::error::Result;
use crate::input::TextFile;
use crate::model::Model;
use crate::scenario::Scenario;

/// The effective sample size below which the posterior is not trusted.
pub const MIN_EFFECTIVE_SAMPLES: f64 = 100.0;

/// An observation no prior sample comes within this many of its standard deviations of lies
/// outside the ensemble: it is reported, not weighted.
pub const OUTSIDE_SIGMAS: f64 = 5.0;

/// What to update.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The region.
    pub region: &'a Region,
    /// The scenario and its model.
    pub scenario: &'a Scenario,
    /// Its model.
    pub model: &'a Model,
    /// The observations file.
    pub observed: &'a TextFile,
    /// Samples (N of the batch).
    pub samples: u64,
    /// Seed of the batch.
    pub seed: u64,
    /// Sampler of the batch.
    pub sampler: SamplerKind,
}

/// An observation outside the prior ensemble.
#[derive(Debug, Clone, PartialEq)]
pub struct Outside {
    /// The observation.
    pub observation: Observation,
    /// The nearest prior sample's distance, in the observation's standard deviations.
    pub sigmas: f64,
    /// The prior's range at the observation (min, max).
    pub range: (f64, f64),
}

/// How the update ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The posterior, written.
    Updated(Box<Posterior>),
    /// Observations lie outside the ensemble: nothing weighted, nothing written.
    OutsideEnsemble(Vec<Outside>),
    /// The effective sample size is below [`MIN_EFFECTIVE_SAMPLES`]: nothing written.
    TooFewEffective {
        /// The effective sample size.
        effective: f64,
        /// The samples that would give about [`MIN_EFFECTIVE_SAMPLES`].
        needed: u64,
    },
}

/// The update's figures (what the CSV files hold).
#[derive(Debug, Clone)]
pub struct Posterior {
    /// The observations.
    pub observations: Vec<Observation>,
    /// The prior ensemble.
    pub ensemble: Ensemble,
    /// The importance weights (largest 1).
    pub weights: Vec<f64>,
    /// Kish's effective sample size.
    pub effective: f64,
    /// The central run's values at each observation.
    pub central_at_observed: Vec<f64>,
    /// The central run's gross emissions per year.
    pub central_gross: Vec<f64>,
}

impl Posterior {
    /// P(target met), prior and posterior.
    pub fn p_target_met(&self) -> (f64, f64) {
        let met = || self.ensemble.target_met.iter().copied();
        (
            ensemble::probability(met(), None),
            ensemble::probability(met(), Some(&self.weights)),
        )
    }

    /// P(criterion `k` of the list ([`crate::model::Model::criteria`], `n` of them) met), prior
    /// and posterior.
    pub fn p_criterion(&self, k: usize, n: usize) -> (f64, f64) {
        let met = || {
            self.ensemble
                .criteria_met
                .iter()
                .skip(k)
                .step_by(n)
                .copied()
        };
        (
            ensemble::probability(met(), None),
            ensemble::probability(met(), Some(&self.weights)),
        )
    }

    /// Prior and posterior mean and sd of drawn input `j`.
    pub fn input(&self, j: usize) -> ((f64, f64), (f64, f64)) {
        let k = self.ensemble.params.len();
        let x = self.ensemble.inputs.iter().skip(j).step_by(k).copied();
        (
            ensemble::mean_sd(x.clone(), None),
            ensemble::mean_sd(x, Some(&self.weights)),
        )
    }
}

/// Evaluates the prior, weighs it by the observations and decides whether the posterior can be
/// trusted. Deterministic for a given seed, whatever the thread count.
pub fn update(req: &Request) -> Result<Outcome> {
    let model = req.model;
    let observations = read_observations(req.observed, model)?;
    let e = ensemble::evaluate(model, req.sampler, req.seed, req.samples, &observations)?;
    let k = observations.len();
    // an observation no sample comes near is reported, not weighted into oblivion
    let mut outside = Vec::new();
    for (j, o) in observations.iter().enumerate() {
        let at = || e.at_observed.iter().skip(j).step_by(k).copied();
        let nearest = at().map(|m| (m - o.kt).abs()).fold(f64::INFINITY, f64::min);
        let sigmas = nearest / o.sd_kt;
        if sigmas > OUTSIDE_SIGMAS {
            let lo = at().fold(f64::INFINITY, f64::min);
            let hi = at().fold(f64::NEG_INFINITY, f64::max);
            outside.push(Outside {
                observation: o.clone(),
                sigmas,
                range: (lo, hi),
            });
        }
    }
    if !outside.is_empty() {
        return Ok(Outcome::OutsideEnsemble(outside));
    }
    let weights = ensemble::weights(&e, &observations);
    let effective = ensemble::effective_samples(&weights);
    if effective < MIN_EFFECTIVE_SAMPLES {
        // importance sampling's effective size grows in proportion to N
        let needed = (req.samples as f64 * MIN_EFFECTIVE_SAMPLES / effective.max(1e-9)).ceil();
        return Ok(Outcome::TooFewEffective {
            effective,
            needed: needed.min(u64::MAX as f64) as u64,
        });
    }
    let central = crate::engine::run_central(model);
    let ny = model.ny;
    let central_at_observed = observations
        .iter()
        .map(|o| central.vars[o.row * ny + (o.year - model.base_year) as usize])
        .collect();
    let gross = crate::engine::TotalRows::of(model).gross;
    let central_gross = central.vars[gross * ny..(gross + 1) * ny].to_vec();
    Ok(Outcome::Updated(Box::new(Posterior {
        observations,
        ensemble: e,
        weights,
        effective,
        central_at_observed,
        central_gross,
    })))
}

/// The whole of `kymsim track` below the command line: updates, and writes `DIR/track/` when
/// the posterior can be trusted (nothing otherwise).
pub fn track(req: &Request, out_dir: &Path, lang: crate::i18n::Lang) -> Result<Outcome> {
    if req.samples == 0 || req.samples > 100_000_000 {
        return Err(crate::error::InputError::new(format!(
            "--samples {} is out of range",
            req.samples
        ))
        .hint("give 1 to 100,000,000 samples (the batch's N)")
        .into());
    }
    let outcome = update(req)?;
    if let Outcome::Updated(post) = &outcome {
        write(out_dir, req, post, lang)?;
    }
    Ok(outcome)
}

/// Writes `DIR/track/` (CSV files, identity, the chart) atomically.
pub fn write(
    out_dir: &Path,
    req: &Request,
    post: &Posterior,
    lang: crate::i18n::Lang,
) -> Result<Vec<std::path::PathBuf>> {
    write::write_all(out_dir, req, post, lang)
}
