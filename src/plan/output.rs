//! The files of `kymsim plan` under `OUT/plan/`, written together atomically: `plan.toml`,
//! `plan.csv`, `portfolio.csv` and, with `--frontier`, `frontier.csv` and its chart.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::PlanReport;
use super::chart::{Frontier, stage};
use crate::error::Result;
use crate::output::recorded::InputHash;
use crate::output::schema::{
    FRONTIER_COLUMNS, FRONTIER_CSV, PLAN_COLUMNS, PLAN_CSV, PLAN_IDENTITY_JSON, PLAN_TOML,
    PORTFOLIO_COLUMNS, PORTFOLIO_CSV,
};
use crate::output::{OutputSet, csv_bytes};

/// What the plan's files were computed from: the report shows `plan/` only while every input
/// file recorded here is an input of the run with the same SHA-256, under the same kymsim
/// version. `scenario` (MENU) names the frontier chart `charts/frontier_<menu>`.
#[derive(Debug, Serialize)]
struct PlanIdentity<'a> {
    kymsim_version: &'a str,
    region: &'a str,
    scenario: &'a str,
    base: &'a str,
    probability: f64,
    samples: u64,
    seed: u64,
    steps: u8,
    milestones: bool,
    inputs: &'a [InputHash],
}

/// `plan/identity.json`.
pub fn identity_json(r: &PlanReport) -> Vec<u8> {
    let q = &r.request;
    let id = PlanIdentity {
        kymsim_version: env!("CARGO_PKG_VERSION"),
        region: &r.region,
        scenario: &q.menu,
        base: &q.base,
        probability: q.probability,
        samples: q.samples,
        seed: q.seed,
        steps: q.steps,
        milestones: q.milestones,
        inputs: &r.inputs,
    };
    crate::output::pretty_json(&id)
}

/// A number in the shortest form that reads back to the same double (costs and shares are
/// compared digit for digit with `run` and `batch`).
fn exact(x: f64) -> String {
    let s = format!("{x}");
    if s == "-0" { "0".into() } else { s }
}

/// `plan.csv`.
pub fn plan_csv(r: &PlanReport) -> Vec<u8> {
    let q = &r.request;
    let s = &r.solved;
    csv_bytes(|w| {
        w.write_record(PLAN_COLUMNS)?;
        w.write_record([
            q.menu.clone(),
            q.base.clone(),
            exact(q.probability),
            q.samples.to_string(),
            q.seed.to_string(),
            exact(r.in_sample.p),
            exact(r.out_of_sample.p),
            exact(r.out_of_sample.low),
            exact(r.out_of_sample.high),
            exact(s.cost),
            exact(s.lower_bound),
            exact(s.gap()),
            s.nodes.to_string(),
            format!("{:.3}", s.seconds),
        ])
    })
}

/// `portfolio.csv`.
pub fn portfolio_csv(r: &PlanReport) -> Vec<u8> {
    csv_bytes(|w| {
        w.write_record(PORTFOLIO_COLUMNS)?;
        for p in &r.portfolio {
            w.write_record([
                p.measure.clone(),
                p.name.clone(),
                exact(p.level),
                exact(p.value),
                exact(p.cost_meur_per_yr),
                exact(p.abatement_kt),
            ])?;
        }
        Ok(())
    })
}

/// `frontier.csv` (empty cells where no plan reaches the probability).
pub fn frontier_csv(r: &PlanReport) -> Vec<u8> {
    csv_bytes(|w| {
        w.write_record(FRONTIER_COLUMNS)?;
        for (p, s) in &r.frontier {
            let cells = match s {
                Some(s) => [exact(s.cost), exact(s.lower_bound), exact(s.gap())],
                None => Default::default(),
            };
            w.write_record([
                exact(*p),
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
            ])?;
        }
        Ok(())
    })
}

/// Writes the plan's files under `out`; returns their paths.
pub fn write(r: &PlanReport, out: &Path) -> Result<Vec<PathBuf>> {
    let mut set = OutputSet::new(out)?;
    set.stage(PLAN_TOML, r.plan_toml.as_bytes())?;
    set.stage(PLAN_CSV, &plan_csv(r))?;
    set.stage(PORTFOLIO_CSV, &portfolio_csv(r))?;
    set.stage(PLAN_IDENTITY_JSON, &identity_json(r))?;
    if !r.frontier.is_empty() {
        set.stage(FRONTIER_CSV, &frontier_csv(r))?;
        let q = &r.request;
        let frontier = Frontier {
            region: &r.region,
            menu: &q.menu,
            base: &q.base,
            samples: q.samples,
            steps: q.steps,
            points: &r.frontier,
        };
        stage(&mut set, &frontier, r.lang)?;
    }
    set.commit()
}
