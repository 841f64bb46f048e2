//! The evaluation engine: central runs and their summary figures.

pub mod batch;
pub mod block;
mod kernel;
mod reach;
pub mod sampler;
pub mod stats;

pub use kernel::Workspace;

use crate::model::criteria::{self, BudgetUse, Role};
use crate::model::{Model, variables};

/// The target-year figures and verdicts of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Target year.
    pub target_year: i32,
    /// Gross emissions in the target year, kt.
    pub gross_kt: f64,
    /// Removals in the target year, kt.
    pub removals_kt: f64,
    /// Net flux of the land categories in the target year, kt (+ emits, − removes).
    pub land_kt: f64,
    /// Net emissions in the target year, kt: gross + land − removals.
    pub net_kt: f64,
    /// Gross reduction vs the reference year (0.8 = −80 %).
    pub reduction_vs_reference: f64,
    /// Whether gross ≤ the limit (None when the target sets no limit).
    pub gross_met: Option<bool>,
    /// Whether net ≤ 0 (None when the target does not ask for it).
    pub net_zero_met: Option<bool>,
    /// Whether every criterion is met.
    pub target_met: bool,
    /// First year from which net ≤ 0 holds to the end (None: never).
    pub neutrality_year: Option<i32>,
    /// Σ net emissions from the base year to the target year inclusive, kt.
    pub cumulative_net_kt: f64,
    /// How the carbon budget stands (None when the region has none).
    pub budget: Option<BudgetUse>,
}

/// Row indices of the totals in a model's variable table.
#[derive(Debug, Clone, Copy)]
pub struct TotalRows {
    /// Gross emissions.
    pub gross: usize,
    /// Removals.
    pub removals: usize,
    /// Net flux of the land categories.
    pub land: usize,
    /// Net emissions.
    pub net: usize,
}

impl TotalRows {
    /// The rows of the four totals gathered one after another (gross, removals, land, net),
    /// as [`block::BlockWorkspace::gather_vars`] copies one lane's.
    pub const LANE: TotalRows = TotalRows {
        gross: 0,
        removals: 1,
        land: 2,
        net: 3,
    };

    /// The rows in the order of [`TotalRows::LANE`].
    pub fn in_lane_order(&self) -> [usize; 4] {
        [self.gross, self.removals, self.land, self.net]
    }

    /// The rows the target criteria read.
    pub fn criteria(&self) -> criteria::Rows {
        criteria::Rows {
            gross: self.gross,
            net: self.net,
        }
    }

    /// Looks the totals up in a model's variables.
    pub fn of(model: &Model) -> TotalRows {
        let v = &model.variables;
        TotalRows {
            gross: v.index(variables::GROSS).expect("gross always exists"),
            removals: v.index(variables::REMOVALS).expect("removals always exist"),
            land: v.index(variables::LAND).expect("land use always exists"),
            net: v.index(variables::NET).expect("net always exists"),
        }
    }
}

/// Computes the summary from a variable table `[var × year]`: the target-year figures and
/// the verdicts of the target's criteria ([`Model::criteria`]). Allocates nothing.
pub fn summarize(model: &Model, rows: TotalRows, vars: &[f64]) -> Summary {
    let ny = model.ny;
    let t = model.target_index();
    let gross = &vars[rows.gross * ny..(rows.gross + 1) * ny];
    let removals = &vars[rows.removals * ny..(rows.removals + 1) * ny];
    let land = &vars[rows.land * ny..(rows.land + 1) * ny];
    let net = &vars[rows.net * ny..(rows.net + 1) * ny];
    let target = &model.target;
    let (by, crows) = (model.base_year, rows.criteria());
    let verdict = |id: &str| model.criteria.get(id).map(|c| c.met(by, ny, crows, vars));
    let gross_met = verdict("gross_met");
    let net_zero_met = verdict("net_zero_met");
    let target_met = model.criteria.target_met(by, ny, crows, vars);
    // the first year from which net stays ≤ 0 to the end
    let mut neutrality_year = None;
    for y in (0..ny).rev() {
        if net[y] <= 0.0 {
            neutrality_year = Some(model.base_year + y as i32);
        } else {
            break;
        }
    }
    Summary {
        target_year: target.year,
        gross_kt: gross[t],
        removals_kt: removals[t],
        land_kt: land[t],
        net_kt: net[t],
        reduction_vs_reference: 1.0 - gross[t] / target.reference_kt,
        gross_met,
        net_zero_met,
        target_met,
        neutrality_year,
        cumulative_net_kt: net[..=t].iter().sum(),
        budget: model
            .criteria
            .budget()
            .map(|c| BudgetUse::of(c, by, ny, crows, vars)),
    }
}

/// Whether each of the model's milestones is met (gross ≤ its limit in its year), in order.
/// Allocates nothing.
pub fn milestones_met<'a>(
    model: &'a Model,
    rows: TotalRows,
    vars: &'a [f64],
) -> impl Iterator<Item = bool> + 'a {
    let (by, ny, crows) = (model.base_year, model.ny, rows.criteria());
    model
        .criteria
        .list
        .iter()
        .filter(|c| c.role == Role::Milestone)
        .map(move |c| c.met(by, ny, crows, vars))
}

/// Whether each criterion reported on its own ([`criteria::Criteria::reported`]: the
/// milestones, then the budget) is met, in order. Allocates nothing.
pub fn reported_met<'a>(
    model: &'a Model,
    rows: TotalRows,
    vars: &'a [f64],
) -> impl Iterator<Item = bool> + 'a {
    let (by, ny, crows) = (model.base_year, model.ny, rows.criteria());
    model
        .criteria
        .reported()
        .map(move |c| c.met(by, ny, crows, vars))
}

/// The central evaluation of one scenario.
#[derive(Debug, Clone)]
pub struct CentralResult {
    /// Variables `[var × year]`.
    pub vars: Vec<f64>,
    /// Leaf rows `[leaf × year]`.
    pub leaves: Vec<f64>,
    /// Summary figures.
    pub summary: Summary,
    /// Whether each of the model's milestones is met.
    pub milestones: Vec<bool>,
}

/// The first result among `vars` (`[variable × year]`) that is not a finite number below
/// [`crate::data::MAX_ABS_VALUE`] in magnitude: (variable name, year, what is wrong).
pub fn first_implausible(model: &Model, vars: &[f64]) -> Option<(String, i32, String)> {
    let limit = crate::data::MAX_ABS_VALUE;
    let i = vars
        .iter()
        .position(|x| !(x.is_finite() && x.abs() < limit))?;
    let name = model.variables.vars[i / model.ny].name.clone();
    let what = if vars[i].is_finite() {
        format!(
            "{:.3e}, beyond the ±{limit:e} any result may reach",
            vars[i]
        )
    } else {
        "not a finite number".to_string()
    };
    Some((name, model.base_year + (i % model.ny) as i32, what))
}

/// Refuses a model whose central values give a result that is not finite (NaN or ±inf) or
/// implausibly large: such a number must never reach a file. Refuses as well a split group
/// whose sources emit nothing in the base year at the central values: it has no total to keep
/// (its scale would be 1 in every evaluation and its total factor ignored).
pub fn check_central(model: &Model) -> crate::error::Result<()> {
    check_central_result(model, &run_central(model))
}

/// [`check_central`] on a central run already made (`r` = [`run_central`] of `model`).
pub fn check_central_result(model: &Model, r: &CentralResult) -> crate::error::Result<()> {
    if let Some((var, year, what)) = first_implausible(model, &r.vars) {
        return Err(crate::error::InputError::new(format!(
            "scenario `{}`: `{var}` in {year} is {what} at the central values",
            model.scenario
        ))
        .hint("a value or a product of values is too large or undefined; check the data and the measures and uncertainties that feed this variable")
        .into());
    }
    check_split_totals(model, &r.leaves)
}

/// Refuses a split group whose base-year total is 0 in `leaves` (`[leaf × year]`, sources
/// first) of the central run. The rescaled total is T·f (or T when the scale falls back to 1),
/// so it is 0 exactly when the central total T is.
fn check_split_totals(model: &Model, leaves: &[f64]) -> crate::error::Result<()> {
    for g in &model.split_groups {
        let total: f64 = g.members.iter().map(|s| leaves[s.0 * model.ny]).sum();
        if total == 0.0 {
            let members: Vec<&str> = g
                .members
                .iter()
                .map(|s| model.source_ids[s.0].as_str())
                .collect();
            let mut e = (*g.named_at).clone();
            e.message = format!(
                "split group `{}` of scenario `{}` has base-year emissions 0 at the central values: it has no total to keep",
                g.name, model.scenario
            );
            return Err(e
                .hint(format!(
                    "its sources ({}) emit nothing in {} at the central values, so their factors have no split to move and `split:{}` nothing to scale; remove `split = \"{}\"` from their factors",
                    crate::error::name_list(members.iter().copied()),
                    model.base_year,
                    g.name,
                    g.name
                ))
                .into());
        }
    }
    Ok(())
}

/// Evaluates a model at its central parameters.
pub fn run_central(model: &Model) -> CentralResult {
    run_at(model, &model.central())
}

/// Evaluates a model at parameters `p` (one value per [`Model::params`]) with the arithmetic of
/// a batch sample: split groups keep the totals of the central parameters, as in every sample.
/// `kymsim run --sample` evaluates a kept sample this way.
pub fn run_at(model: &Model, p: &[f64]) -> CentralResult {
    let mut ws = Workspace::new(model);
    ws.evaluate(model, p);
    ws.evaluate_variables(model);
    let rows = TotalRows::of(model);
    let summary = summarize(model, rows, ws.vars_flat());
    let milestones = milestones_met(model, rows, ws.vars_flat()).collect();
    let (vars, leaves) = ws.into_flat();
    CentralResult {
        vars,
        leaves,
        summary,
        milestones,
    }
}

/// One line of the base-year calibration table.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationRow {
    /// `Total` or a sector path.
    pub sector: String,
    /// Modelled base-year kt (None when the model has no such sector).
    pub modelled_kt: Option<f64>,
    /// Inventory kt from history.csv for the base year (None when absent).
    pub inventory_kt: Option<f64>,
    /// Whether the inventory figure is independent of the model's data (history.csv `basis`);
    /// a reconstruction from the same figures is shown but not compared.
    pub independent: bool,
}

impl CalibrationRow {
    /// Relative difference modelled/inventory − 1, when both exist and the inventory figure is
    /// independent of the model's data (comparing a reconstruction with the model that made it
    /// would show agreement by construction).
    pub fn difference(&self) -> Option<f64> {
        match (self.modelled_kt, self.inventory_kt) {
            (Some(m), Some(i)) if i != 0.0 && self.independent => Some(m / i - 1.0),
            _ => None,
        }
    }
}

/// The base year as modelled from the data alone (no measures) beside the inventory:
/// every top-level sector, every sector the history names for the base year, and the total.
pub fn calibration(region: &crate::data::Region) -> crate::error::Result<Vec<CalibrationRow>> {
    let model = crate::model::compile(region, &crate::scenario::Scenario::empty("data"))?;
    let result = run_central(&model);
    let base = |name: &str| {
        model
            .variables
            .index(name)
            .map(|v| result.vars[v * model.ny])
    };
    // sets and a map rather than list searches: a history of many sectors stays linear
    let mut sectors: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for s in &region.sources {
        if s.kind == crate::data::SourceKind::Emission {
            let top = s.sector.split('|').next().unwrap_or_default();
            sectors.insert(top.to_string());
        }
    }
    let mut base_year: std::collections::HashMap<&str, (f64, bool)> =
        std::collections::HashMap::new();
    for h in region.history.iter().filter(|h| h.year == region.base_year) {
        // the first entry wins, as a search from the front would find it
        base_year
            .entry(h.sector.as_str())
            .or_insert((h.kt, h.independent));
        if h.sector != "Total" {
            sectors.insert(h.sector.clone());
        }
    }
    let inventory = |sector: &str| base_year.get(sector).map(|x| x.0);
    let independent = |sector: &str| base_year.get(sector).is_none_or(|x| x.1);
    let mut rows: Vec<CalibrationRow> = sectors
        .iter()
        .map(|s| CalibrationRow {
            sector: s.clone(),
            modelled_kt: base(&format!("{}|{s}", variables::GROSS))
                .or_else(|| base(&format!("{}|{s}", variables::REMOVALS)))
                .or_else(|| base(&format!("{}|{s}", variables::LAND))),
            inventory_kt: inventory(s),
            independent: independent(s),
        })
        .collect();
    rows.push(CalibrationRow {
        sector: "Total".into(),
        modelled_kt: base(variables::GROSS),
        inventory_kt: inventory("Total"),
        independent: independent("Total"),
    });
    Ok(rows)
}
