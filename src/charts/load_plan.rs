//! Reading what `kymsim plan` wrote under `plan/` for the report's "Cheapest plan" section:
//! `plan.csv` and `portfolio.csv`, only while `plan/identity.json` records the kymsim version and
//! the input files of the run (docs/decision-support.md §7). The section itself is drawn by
//! `report/plan.rs`.

use std::path::Path;

use crate::data::Table;
use crate::error::Result;
use crate::input::TextFile;
use crate::output::recorded::read_record;
use crate::output::schema::{
    PLAN_COLUMNS, PLAN_CSV, PLAN_IDENTITY_JSON, PORTFOLIO_COLUMNS, PORTFOLIO_CSV,
};

/// One candidate of the plan as `portfolio.csv` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanMeasure {
    /// Measure id.
    pub measure: String,
    /// Display name.
    pub name: String,
    /// Level, 0–1.
    pub level: f64,
    /// Central value at the level.
    pub value: f64,
    /// Annual cost, M€/yr.
    pub cost: f64,
    /// Stand-alone abatement, kt.
    pub abatement: f64,
}

/// What `plan.csv` and `portfolio.csv` hold, for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSection {
    /// The menu scenario.
    pub menu: String,
    /// The base scenario.
    pub base: String,
    /// The probability goal.
    pub goal: f64,
    /// Samples.
    pub samples: u64,
    /// Seed.
    pub seed: u64,
    /// Share in sample.
    pub inside: f64,
    /// Share out of sample and its 95 % interval.
    pub outside: (f64, f64, f64),
    /// Cost, M€/yr.
    pub cost: f64,
    /// Lower bound, M€/yr.
    pub bound: f64,
    /// Relative gap.
    pub gap: f64,
    /// Levels of each measure (K + 1, K from the identity file).
    pub levels: u64,
    /// Every candidate.
    pub measures: Vec<PlanMeasure>,
}

/// Reads `plan/` of `dir` when `plan/identity.json` matches `current` (`matches` decides, as
/// for the charts of `discover`); None when absent or stale.
pub fn read(
    dir: &Path,
    matches: impl Fn(&serde_json::Value) -> bool,
) -> Result<Option<PlanSection>> {
    let Some(id) = read_record(&dir.join(PLAN_IDENTITY_JSON))?
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
    else {
        return Ok(None);
    };
    let Some(steps) = id.get("steps").and_then(|s| s.as_u64()) else {
        return Ok(None);
    };
    if !matches(&id) {
        return Ok(None);
    }
    let (plan, portfolio) = (dir.join(PLAN_CSV), dir.join(PORTFOLIO_CSV));
    if !plan.is_file() || !portfolio.is_file() {
        return Ok(None);
    }
    parse(&TextFile::read(&plan)?, &TextFile::read(&portfolio)?, steps)
}

/// Parses `plan.csv` (its one row) and `portfolio.csv` of a plan of `steps` levels besides 0.
pub fn parse(plan: &TextFile, portfolio: &TextFile, steps: u64) -> Result<Option<PlanSection>> {
    let table = Table::read(plan, &PLAN_COLUMNS, &[])?;
    let Some(row) = table.rows().next() else {
        return Ok(None);
    };
    let whole = |c: &str| -> Result<u64> {
        let v = row.f64(c)?;
        if v >= 0.0 && v.fract() == 0.0 {
            Ok(v as u64)
        } else {
            Err(row.error(c, "not a whole number").into())
        }
    };
    let mut section = PlanSection {
        menu: row.required_str("menu")?.to_string(),
        base: row.required_str("base")?.to_string(),
        goal: row.f64("probability_goal")?,
        samples: whole("samples")?,
        seed: whole("seed")?,
        inside: row.f64("probability_in_sample")?,
        outside: (
            row.f64("probability_out_of_sample")?,
            row.f64("probability_out_of_sample_low")?,
            row.f64("probability_out_of_sample_high")?,
        ),
        cost: row.f64("cost_meur_per_yr")?,
        bound: row.f64("lower_bound_meur_per_yr")?,
        gap: row.f64("gap")?,
        levels: steps + 1,
        measures: Vec::new(),
    };
    let table = Table::read(portfolio, &PORTFOLIO_COLUMNS, &[])?;
    for row in table.rows() {
        section.measures.push(PlanMeasure {
            measure: row.required_str("measure")?.to_string(),
            name: row.str("name").to_string(),
            level: row.f64("level")?,
            value: row.f64("value")?,
            cost: row.f64("cost_meur_per_yr")?,
            abatement: row.f64("abatement_kt")?,
        });
    }
    Ok(Some(section))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_files_are_read_back_with_the_levels() {
        let plan = TextFile::from_bytes(
            "plan/plan.csv",
            format!(
                "{}\nmenu,base,0.9,200,7,0.905,0.88,0.828,0.92,3.5,3.4,0.02857142857142857,12,0.100\n",
                PLAN_COLUMNS.join(",")
            )
            .as_bytes(),
        )
        .unwrap();
        let portfolio = TextFile::from_bytes(
            "plan/portfolio.csv",
            format!(
                "{}\na,A,0.75,7.5,2,10\nb,B,0,0,0,0\nc,C,0.25,1,1.5,3\n",
                PORTFOLIO_COLUMNS.join(",")
            )
            .as_bytes(),
        )
        .unwrap();
        let s = parse(&plan, &portfolio, 4).unwrap().unwrap();
        assert_eq!((s.menu.as_str(), s.base.as_str()), ("menu", "base"));
        assert_eq!((s.samples, s.seed), (200, 7));
        assert_eq!(s.outside, (0.88, 0.828, 0.92));
        assert_eq!((s.cost, s.bound), (3.5, 3.4));
        // K = 4: five levels
        assert_eq!(s.levels, 5);
        assert_eq!(s.measures.len(), 3);
        assert_eq!(s.measures[0].abatement, 10.0);
    }
}
