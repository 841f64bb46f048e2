//! `kymsim plan`: the cheapest portfolio of a menu's measures that meets the target with a stated
//! probability, with a proven lower bound — resolve, compile, search, evaluate, write.
//!
//! The method and why its bound holds are in docs/decision-support.md ("The cheapest plan").

pub mod candidates;
pub mod chart;
pub mod eval;
pub mod oracle;
pub mod output;
pub mod relax;
pub mod search;

use std::path::Path;
use std::time::Instant;

pub use candidates::{Candidate, Menu, PLAN_NAME};
pub use eval::{PlanModels, meets};
pub use oracle::Oracle;
pub use search::{Found, Outcome, Problem, solve};

use crate::data::Region;
use crate::decision::macc;
use crate::error::{InputError, Result};
use crate::model::compile;
use crate::scenario::ScenarioLibrary;

/// The probabilities `--frontier` solves for.
pub const FRONTIER: [f64; 6] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/// What to plan.
#[derive(Debug, Clone)]
pub struct Request {
    /// The scenario whose measures are the candidates.
    pub menu: String,
    /// The scenario the plan extends.
    pub base: String,
    /// The share of samples that must meet the target.
    pub probability: f64,
    /// Samples.
    pub samples: u64,
    /// Seed of the in-sample draws (out of sample: `seed + 1`).
    pub seed: u64,
    /// Levels besides 0 (K).
    pub steps: u8,
    /// Whether every milestone must be met too.
    pub milestones: bool,
    /// Relative gap at which the search stops.
    pub gap: f64,
    /// Nodes after which the search stops.
    pub max_nodes: u64,
    /// Whether to solve the frontier too.
    pub frontier: bool,
}

impl Request {
    /// Checks the numbers: P in (0, 1], K ≥ 1, N large enough for P to mean something.
    pub fn check(&self) -> Result<()> {
        let p = self.probability;
        if !(p > 0.0 && p <= 1.0) {
            return Err(
                InputError::new(format!("--probability {p} is outside (0, 1]"))
                    .hint("the share of samples that must meet the target, e.g. 0.9")
                    .into(),
            );
        }
        if self.steps < 1 {
            return Err(InputError::new("--steps 0: a measure needs at least the levels off and on")
                .hint("--steps K chooses each measure at K + 1 levels; 1 is off or on, the default 4 quarters")
                .into());
        }
        let needed = samples_needed(p);
        if self.samples < needed {
            return Err(InputError::new(format!(
                "-n {} samples are too few for a probability of {p}: {needed} are needed",
                self.samples
            ))
            .hint(format!(
                "a probability P needs at least 10 samples that meet and 10 that may miss (300 for P = 1): use -n {needed} or more"
            ))
            .into());
        }
        if !(self.gap >= 0.0 && self.gap < 1.0) {
            return Err(
                InputError::new(format!("--gap {} is outside [0, 1)", self.gap))
                    .hint("the relative gap at which the search stops, e.g. 0.01")
                    .into(),
            );
        }
        Ok(())
    }
}

/// The fewest samples for which probability `p` means something: 10 samples on each side of
/// it (10 / min(p, 1 − p)), or 300 for p = 1 (no miss in 300 samples puts a miss below 1 % with
/// 95 % confidence, the rule of three).
pub fn samples_needed(p: f64) -> u64 {
    if p >= 1.0 {
        300
    } else {
        // 1 − 0.9 is 0.09999999999999998 in doubles: round away the last bits before the ceiling
        ((10.0 / p.min(1.0 - p) * 1e9).round() / 1e9).ceil() as u64
    }
}

/// The samples of `n` that must meet for a share of at least `p` (as `batch` reports it:
/// met / n).
pub fn samples_to_meet(p: f64, n: u64) -> u32 {
    let mut k = (p * n as f64).ceil() as u64;
    while k > 0 && (k - 1) as f64 / n as f64 >= p {
        k -= 1;
    }
    while k <= n && (k as f64 / n as f64) < p {
        k += 1;
    }
    k as u32
}

/// A share with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    /// met / n.
    pub p: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

impl Share {
    /// `met` of `n` with the Wilson interval at z = 1.96.
    pub fn wilson(met: u64, n: u64) -> Share {
        let (k, n) = (met as f64, n as f64);
        let z = 1.959_963_984_540_054_f64;
        let p = k / n;
        let d = 1.0 + z * z / n;
        let c = (p + z * z / (2.0 * n)) / d;
        let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
        Share {
            p,
            // at k = 0 (k = n) the bound is exactly 0 (1); c − h rounds a few ulps off it
            low: if met == 0 { 0.0 } else { (c - h).max(0.0) },
            high: if k == n { 1.0 } else { (c + h).min(1.0) },
        }
    }
}

/// One candidate of the chosen plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioRow {
    /// Measure id.
    pub measure: String,
    /// Display name.
    pub name: String,
    /// Level, 0–1.
    pub level: f64,
    /// Central value at that level.
    pub value: f64,
    /// Annual cost, M€/yr (0 without a cost).
    pub cost_meur_per_yr: f64,
    /// Stand-alone target-year abatement, kt.
    pub abatement_kt: f64,
}

/// A plan found for one probability goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    /// The probability goal.
    pub goal: f64,
    /// Levels per candidate.
    pub levels: Vec<u8>,
    /// Cost as `run` reports it for `plan.toml`, M€/yr.
    pub cost: f64,
    /// Lower bound on the cost of every feasible portfolio, M€/yr.
    pub lower_bound: f64,
    /// Nodes of the search.
    pub nodes: u64,
    /// Portfolios evaluated.
    pub evaluations: u64,
    /// Seconds the search took.
    pub seconds: f64,
}

impl Solved {
    /// The relative gap (cost − bound) / |cost| (0 when both are 0).
    pub fn gap(&self) -> f64 {
        gap(self.cost, self.lower_bound)
    }
}

fn gap(cost: f64, bound: f64) -> f64 {
    let d = (cost - bound).max(0.0);
    if d == 0.0 { 0.0 } else { d / cost.abs() }
}

/// No portfolio reaches the goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreachable {
    /// The share of samples met with every candidate at its maximum: the most any reaches.
    pub best: f64,
    /// Target-year net emissions of that portfolio at the central values, kt.
    pub net_kt: f64,
    /// Its gross emissions above the limit at the central values, kt (negative: below it).
    pub gross_over_kt: Option<f64>,
}

/// The outcome of `plan::run`.
#[derive(Debug, Clone)]
pub enum PlanResult {
    /// A plan was found and written.
    Found(Box<PlanReport>),
    /// No portfolio meets the target with the probability asked.
    Unreachable(Unreachable),
}

/// What `plan` found and wrote.
#[derive(Debug, Clone)]
pub struct PlanReport {
    /// The request.
    pub request: Request,
    /// The plan for the probability asked.
    pub solved: Solved,
    /// Its candidates.
    pub portfolio: Vec<PortfolioRow>,
    /// In-sample share (the batch of `plan.toml` with the same seed and N).
    pub in_sample: Share,
    /// Out-of-sample share (seed + 1).
    pub out_of_sample: Share,
    /// Per frontier probability: the plan, or None when none reaches it.
    pub frontier: Vec<(f64, Option<Solved>)>,
    /// `plan.toml`.
    pub plan_toml: String,
    /// The region's name (the frontier chart's title).
    pub region: String,
    /// The input files of the plan: the region's, MENU's and BASE's (`plan/identity.json`).
    pub inputs: Vec<crate::output::recorded::InputHash>,
    /// The language of the frontier chart.
    pub lang: crate::i18n::Lang,
    /// Why only the separable bound was used (None: the coupled bound was).
    pub separable: Option<Separable>,
    /// Files written.
    pub written: Vec<std::path::PathBuf>,
}

/// Why a search used the separable bound only (docs/decision-support.md §7).
#[derive(Debug, Clone, PartialEq)]
pub enum Separable {
    /// These pairs of candidates may reinforce each other.
    Reinforcing(Vec<(String, String)>),
    /// A candidate changes the base year.
    BaseYear,
}

impl PlanReport {
    /// Whether the out-of-sample share is below the goal by more than sampling error (its
    /// 95 % interval lies below it).
    pub fn falls_short(&self) -> bool {
        self.out_of_sample.high < self.request.probability
    }
}

/// The search's problem and evaluator for one request.
pub struct Prepared<'a> {
    /// The menu.
    pub menu: Menu,
    /// The plan models.
    pub models: PlanModels<'a>,
    /// Cost of each candidate at each level, M€/yr.
    pub costs: Vec<Vec<f64>>,
    /// Cost of the rest, M€/yr.
    pub fixed: f64,
    /// Pairs of candidates that may reinforce each other ([`relax::interactions`]); the
    /// coupled bound is used only when there is none.
    pub interactions: Vec<(String, String)>,
    /// Whether a candidate changes the base year (a split group's rescaling then depends on
    /// the levels, not linearly): the coupled bound is not used.
    pub acts_in_base_year: bool,
}

impl Prepared<'_> {
    /// Whether the coupled bound holds for this menu (docs/decision-support.md §7).
    pub fn coupled(&self) -> bool {
        self.separable().is_none()
    }

    /// Why the coupled bound does not hold for this menu; None when it does.
    pub fn separable(&self) -> Option<Separable> {
        if !self.interactions.is_empty() {
            Some(Separable::Reinforcing(self.interactions.clone()))
        } else if self.acts_in_base_year {
            Some(Separable::BaseYear)
        } else {
            None
        }
    }
}

/// Resolves MENU and BASE, lists the candidates and tabulates their costs.
pub fn prepare<'a>(
    region: &'a Region,
    library: &ScenarioLibrary,
    request: &Request,
) -> Result<Prepared<'a>> {
    request.check()?;
    let menu = library.resolve(&request.menu)?;
    let base = library.resolve(&request.base)?;
    // both must compile as they are
    compile(region, &menu)?;
    compile(region, &base)?;
    let menu = Menu::new(library, &menu, &base)?;
    let k = request.steps;
    let n = menu.candidates.len();
    let text = menu.plan_toml(&vec![k; n], k);
    let template = library.resolve_bytes("plan.toml", text.as_bytes())?;
    let positions = menu
        .candidates
        .iter()
        .map(|c| {
            template
                .measures
                .iter()
                .position(|m| m.item.id() == c.id)
                .expect("every candidate is in the plan")
        })
        .collect();
    let compiled = compile(region, &template)?;
    let values = menu
        .candidates
        .iter()
        .map(|c| {
            compiled.measures.iter().find(|m| m.id == c.id).map(|m| {
                let p = &compiled.params[m.value];
                (m.value, p.spec.central(), p.level.map_or(0.0, |l| l.from))
            })
        })
        .collect();
    let models = PlanModels {
        compiled: std::sync::Mutex::new(compiled),
        values,
        region,
        template,
        positions,
        steps: k,
        seed: request.seed,
        samples: request.samples,
        milestones: request.milestones,
    };
    // each candidate's cost depends on its own level only: one model per level gives them all
    let mut costs = vec![vec![0.0; usize::from(k) + 1]; n];
    let mut fixed = 0.0;
    for l in 0..=k {
        let model = models.model(&vec![l; n])?;
        crate::engine::check_central(&model)?;
        let curve = macc(&model, &model.central());
        for row in &curve.rows {
            let cost = row.annual_cost_meur().unwrap_or(0.0);
            match menu.candidates.iter().position(|c| c.id == row.measure) {
                Some(c) => costs[c][usize::from(l)] = cost,
                None if l == 0 => fixed += cost,
                None => {}
            }
        }
    }
    let interactions = relax::interactions(region, &menu.candidates);
    // every variable of the base year, with every candidate off and at its top
    let acts_in_base_year = {
        let at = |l: u8| -> Result<Vec<f64>> {
            let model = models.model(&vec![l; n])?;
            let vars = crate::engine::run_central(&model).vars;
            Ok(vars.iter().step_by(model.ny).copied().collect())
        };
        at(0)? != at(k)?
    };
    Ok(Prepared {
        menu,
        models,
        costs,
        fixed,
        interactions,
        acts_in_base_year,
    })
}

impl Prepared<'_> {
    /// Searches for the cheapest plan meeting `probability`.
    pub fn solve(&self, request: &Request, probability: f64) -> Result<Option<Solved>> {
        let start = Instant::now();
        let problem = Problem {
            costs: self.costs.clone(),
            fixed: self.fixed,
            samples: request.samples as u32,
            need: samples_to_meet(probability, request.samples),
            gap: request.gap,
            max_nodes: request.max_nodes,
            coupled: self.coupled(),
        };
        Ok(match solve(&problem, &self.models, request.steps)? {
            Outcome::Infeasible { .. } => None,
            Outcome::Found(f) => {
                // the cost as `run` reports it for plan.toml: its MACC, summed
                let model = self.models.model(&f.levels)?;
                let cost = macc(&model, &model.central()).total_annual_cost_meur();
                Some(Solved {
                    goal: probability,
                    levels: f.levels,
                    cost,
                    lower_bound: f.lower_bound.min(cost),
                    nodes: f.nodes,
                    evaluations: f.evaluations,
                    seconds: start.elapsed().as_secs_f64(),
                })
            }
        })
    }

    /// The most any portfolio reaches (every candidate at its maximum) and its central gap.
    pub fn unreachable(&self, request: &Request) -> Result<Unreachable> {
        let top = vec![request.steps; self.menu.candidates.len()];
        let model = self.models.model(&top)?;
        let all: Vec<u32> = (0..request.samples as u32).collect();
        let met = PlanModels::met_in(
            &model,
            request.seed,
            request.samples,
            &all,
            request.milestones,
        );
        let central = crate::engine::run_central(&model);
        let s = central.summary;
        Ok(Unreachable {
            best: met.len() as f64 / request.samples as f64,
            net_kt: s.net_kt,
            gross_over_kt: model.target.gross_limit_kt().map(|l| s.gross_kt - l),
        })
    }

    /// The candidates of a plan with their levels, values, costs and abatement.
    pub fn portfolio(&self, levels: &[u8]) -> Result<Vec<PortfolioRow>> {
        let model = self.models.model(levels)?;
        let curve = macc(&model, &model.central());
        Ok(self
            .menu
            .candidates
            .iter()
            .zip(levels)
            .map(|(c, &l)| {
                let level = candidates::level_value(l, self.models.steps);
                let value = match model.measures.iter().find(|m| m.id == c.id) {
                    Some(m) => model.params[m.value].central,
                    // a measure the model leaves out (a removal that does not count)
                    None => c.from.unwrap_or(0.0) + level * (c.central - c.from.unwrap_or(0.0)),
                };
                let row = curve.rows.iter().find(|r| r.measure == c.id);
                PortfolioRow {
                    measure: c.id.clone(),
                    name: c.name.clone(),
                    level,
                    value,
                    cost_meur_per_yr: row.and_then(|r| r.annual_cost_meur()).unwrap_or(0.0),
                    abatement_kt: row.map_or(0.0, |r| r.abatement_kt),
                }
            })
            .collect())
    }

    /// The share of `n` samples drawn with `seed` that the plan at `levels` meets.
    pub fn share(&self, levels: &[u8], seed: u64, n: u64) -> Result<Share> {
        let model = self.models.model(levels)?;
        let all: Vec<u32> = (0..n as u32).collect();
        let met = PlanModels::met_in(&model, seed, n, &all, self.models.milestones);
        Ok(Share::wilson(met.len() as u64, n))
    }
}

/// Plans: resolve → candidates and costs → search → exact shares → `OUT/plan/` (atomically).
/// Nothing is written when no portfolio reaches the goal.
pub fn run(
    region: &Region,
    library: &ScenarioLibrary,
    request: &Request,
    out: &Path,
    lang: crate::i18n::Lang,
) -> Result<PlanResult> {
    let prep = prepare(region, library, request)?;
    let Some(solved) = prep.solve(request, request.probability)? else {
        return Ok(PlanResult::Unreachable(prep.unreachable(request)?));
    };
    let portfolio = prep.portfolio(&solved.levels)?;
    let in_sample = prep.share(&solved.levels, request.seed, request.samples)?;
    let out_of_sample = prep.share(
        &solved.levels,
        request.seed.wrapping_add(1),
        request.samples,
    )?;
    let mut frontier = Vec::new();
    if request.frontier {
        for p in FRONTIER {
            let s = if p == request.probability {
                Some(solved.clone())
            } else {
                prep.solve(request, p)?
            };
            frontier.push((p, s));
        }
    }
    let plan_toml = prep.menu.plan_toml(&solved.levels, request.steps);
    let (menu, base) = (
        library.resolve(&request.menu)?,
        library.resolve(&request.base)?,
    );
    let inputs = crate::output::recorded::input_hashes(region, &[&menu, &base]);
    let mut report = PlanReport {
        request: request.clone(),
        solved,
        portfolio,
        in_sample,
        out_of_sample,
        frontier,
        plan_toml,
        region: region.name.clone(),
        inputs,
        lang,
        separable: prep.separable(),
        written: Vec::new(),
    };
    report.written = output::write(&report, out)?;
    Ok(PlanResult::Found(Box::new(report)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_needed_leave_ten_on_each_side() {
        // 10 / min(0.9, 0.1) = 100; 10 / 0.5 = 20; 10 / min(0.05, 0.95) = 200; P = 1: 300
        assert_eq!(samples_needed(0.9), 100);
        assert_eq!(samples_needed(0.5), 20);
        assert_eq!(samples_needed(0.05), 200);
        assert_eq!(samples_needed(1.0), 300);
    }

    #[test]
    fn samples_to_meet_is_the_smallest_share_at_least_p() {
        // 0.9 · 2000 = 1800; 0.333 · 10 = 3.33 → 4; P = 1 → all
        assert_eq!(samples_to_meet(0.9, 2000), 1800);
        assert_eq!(samples_to_meet(0.333, 10), 4);
        assert_eq!(samples_to_meet(1.0, 7), 7);
        // 0.07 · 100 = 7.000000000000001 in doubles (ceil 8), yet 7/100 = 0.07 meets 0.07
        assert_eq!(samples_to_meet(0.07, 100), 7);
    }

    #[test]
    fn wilson_interval_by_hand() {
        // 90 of 100, z = 1.96: centre (0.9 + 1.9208/200) / 1.038415 = 0.88529, half width
        // 1.96 · √(0.0009 + 0.00009604) / 1.038415 = 0.05957: 0.82563 … 0.94477
        let s = Share::wilson(90, 100);
        assert_eq!(s.p, 0.9);
        assert!((s.low - 0.825_634_338_495_086_5).abs() < 1e-12, "{}", s.low);
        assert!(
            (s.high - 0.944_770_862_939_324_9).abs() < 1e-12,
            "{}",
            s.high
        );
        // none met: the interval starts at 0
        assert_eq!(Share::wilson(0, 50).low, 0.0);
    }
}
