//! Evaluating a portfolio of levels exactly as `kymsim batch` evaluates `plan.toml`: the plan
//! scenario compiled with those levels, its samples drawn by the batch sampler (same seed, N
//! and scenario name), each sample's verdict from the block kernel's totals.

use rayon::prelude::*;

use super::candidates::level_value;
use super::oracle::Oracle;
use crate::data::Region;
use crate::engine::block::{BLOCK, BlockWorkspace};
use crate::engine::sampler::{Sampler, SamplerKind};
use crate::engine::{TotalRows, milestones_met, summarize};
use crate::error::Result;
use std::sync::Mutex;

use crate::model::criteria::{Criterion, Role};
use crate::model::{Level, Model, ParamIx, compile};
use crate::scenario::Scenario;

/// Whether one sample meets what the plan asks: the region's target (every criterion) and,
/// with `milestones`, every milestone. The one place a plan decides "met".
pub fn meets(model: &Model, totals: &[f64], milestones: bool) -> bool {
    summarize(model, TotalRows::LANE, totals).target_met
        && (!milestones || milestones_met(model, TotalRows::LANE, totals).all(|m| m))
}

/// The plan scenario at any levels, and the samples to judge it on.
pub struct PlanModels<'a> {
    /// The plan model compiled once, re-leveled for each portfolio the search evaluates.
    pub compiled: Mutex<Model>,
    /// Per candidate: its value parameter in `compiled` (None: the model leaves the measure out,
    /// e.g. a removal at an ETS installation not counted), its central value before the level,
    /// and where its level starts.
    pub values: Vec<Option<(ParamIx, f64, f64)>>,
    /// The region.
    pub region: &'a Region,
    /// `plan.toml` as resolved, every candidate with a `level`.
    pub template: Scenario,
    /// Index in `template.measures` of each candidate.
    pub positions: Vec<usize>,
    /// Levels per candidate besides 0.
    pub steps: u8,
    /// Seed of the samples.
    pub seed: u64,
    /// Number of samples.
    pub samples: u64,
    /// Whether the milestones must be met too.
    pub milestones: bool,
}

impl PlanModels<'_> {
    /// The plan scenario with candidate c at level `levels[c]`: what `plan.toml` of these
    /// levels resolves to (a level is written as the shortest decimal of the same double).
    pub fn scenario(&self, levels: &[u8]) -> Scenario {
        let mut sc = self.template.clone();
        for (&i, &l) in self.positions.iter().zip(levels) {
            if let Some(level) = sc.measures[i].item.common.level.as_mut() {
                *level.get_mut() = level_value(l, self.steps);
            }
        }
        sc
    }

    /// The compiled plan model at `levels`.
    pub fn model(&self, levels: &[u8]) -> Result<Model> {
        compile(self.region, &self.scenario(levels))
    }

    /// Puts `model` (the plan compiled at any levels) at `levels`: each candidate's value
    /// parameter gets the level and the central value `compile` gives it at that level. Nothing
    /// else of a compiled model depends on a measure's value (the static arrays hold drivers and
    /// adoption curves), so this is the model of [`PlanModels::model`] without compiling.
    pub fn relevel(&self, model: &mut Model, levels: &[u8]) {
        for (v, &l) in self.values.iter().zip(levels) {
            if let Some((i, central, from)) = *v {
                let level = Level {
                    from,
                    at: level_value(l, self.steps),
                };
                let p = &mut model.params[i.0];
                p.level = Some(level);
                p.central = level.apply(central);
            }
        }
    }

    /// Evaluates `samples` (indices below `n`, drawn with `seed`) block by block on the rayon
    /// pool; `visit` gets each sample's index and totals (`[var × year]`, lane order) and adds
    /// what it keeps to the output, which comes back in the order of `samples`.
    fn each_sample<T: Send>(
        model: &Model,
        seed: u64,
        n: u64,
        samples: &[u32],
        visit: impl Fn(u32, &[f64], &mut Vec<T>) + Sync,
    ) -> Vec<T> {
        let sampler = Sampler::new(model, SamplerKind::MonteCarlo, seed, n);
        let rows = TotalRows::of(model).in_lane_order();
        samples
            .par_chunks(256)
            .map_init(
                || {
                    (
                        BlockWorkspace::<BLOCK>::new(model),
                        vec![0.0; rows.len() * model.ny],
                    )
                },
                |(ws, totals), part| {
                    let mut out = Vec::new();
                    for block in part.chunks(BLOCK) {
                        for (b, &s) in block.iter().enumerate() {
                            sampler.fill(u64::from(s), ws.lane_mut(b));
                        }
                        ws.pad_from(block.len());
                        ws.evaluate(model);
                        for (b, &s) in block.iter().enumerate() {
                            ws.gather_vars(b, &rows, totals);
                            visit(s, totals, &mut out);
                        }
                    }
                    out
                },
            )
            .flatten_iter()
            .collect()
    }

    /// Of `samples` (indices below `n`, drawn with `seed`), those `model` meets, ascending.
    pub fn met_in(model: &Model, seed: u64, n: u64, samples: &[u32], milestones: bool) -> Vec<u32> {
        Self::each_sample(model, seed, n, samples, |s, totals, met| {
            if meets(model, totals, milestones) {
                met.push(s);
            }
        })
    }

    /// The criteria a plan is judged on: the target's, and the milestones with `milestones`.
    pub fn criteria_of(model: &Model, milestones: bool) -> Vec<&Criterion> {
        model
            .criteria
            .list
            .iter()
            .filter(|c| c.role == Role::Target || (milestones && c.role == Role::Milestone))
            .collect()
    }

    /// Of `samples`, each one's margin on each criterion of [`PlanModels::criteria_of`] — the
    /// figure minus its limit, `[sample × criterion]`: a sample meets exactly when every margin
    /// is ≤ 0 (the comparison [`meets`] makes).
    pub fn margins_in(
        model: &Model,
        seed: u64,
        n: u64,
        samples: &[u32],
        milestones: bool,
    ) -> Vec<f64> {
        let criteria = Self::criteria_of(model, milestones);
        let (by, ny, crows) = (model.base_year, model.ny, TotalRows::LANE.criteria());
        Self::each_sample(model, seed, n, samples, |_, totals, out| {
            out.extend(
                criteria
                    .iter()
                    .map(|c| c.cumulative_kt(by, ny, crows, totals) - c.limit_kt()),
            );
        })
    }

    /// The compiled plan model, locked, at `levels`.
    fn at_levels(&self, levels: &[u8]) -> Result<std::sync::MutexGuard<'_, Model>> {
        let mut model = self.compiled.lock().map_err(|_| {
            crate::error::Error::Internal("the plan model's lock is poisoned".into())
        })?;
        self.relevel(&mut model, levels);
        Ok(model)
    }
}

impl Oracle for PlanModels<'_> {
    fn met(&self, levels: &[u8], samples: &[u32]) -> Result<Vec<u32>> {
        let model = self.at_levels(levels)?;
        Ok(Self::met_in(
            &model,
            self.seed,
            self.samples,
            samples,
            self.milestones,
        ))
    }

    /// Evaluates `samples` in rounds of [`ROUND`], stopping once enough meet or too many miss
    /// for the rest to make up: the same answer as counting them all.
    fn at_least(&self, levels: &[u8], samples: &[u32], count: u32) -> Result<bool> {
        let model = self.at_levels(levels)?;
        let (mut met, mut left) = (0usize, samples.len());
        let count = count as usize;
        for round in samples.chunks(ROUND) {
            if met >= count || met + left < count {
                break;
            }
            met += Self::met_in(&model, self.seed, self.samples, round, self.milestones).len();
            left -= round.len();
        }
        Ok(met >= count)
    }

    fn criteria(&self) -> usize {
        let model = self
            .compiled
            .lock()
            .map(|m| Self::criteria_of(&m, self.milestones).len());
        model.unwrap_or(0)
    }

    fn margins(&self, levels: &[u8], samples: &[u32]) -> Result<Option<Vec<f64>>> {
        let model = self.at_levels(levels)?;
        Ok(Some(Self::margins_in(
            &model,
            self.seed,
            self.samples,
            samples,
            self.milestones,
        )))
    }
}

/// Samples evaluated between two looks at whether a count is decided (a few blocks per
/// thread).
const ROUND: usize = 512;
