//! Goal seek: how far must one measure be pushed, all else at its central value, to meet the
//! target? Bisection on the measure's value (the smallest value that meets it) or on its `full`
//! year (the latest completion year that meets it).

use crate::engine::{Summary, TotalRows, Workspace, summarize};
use crate::error::{InputError, Result};
use crate::model::criteria::{Criterion, Role, Test};
use crate::model::{MeasureIx, Model};
use crate::output::fmt_num;

use super::variable_at;

/// Tolerance on a measure value.
pub const VALUE_TOLERANCE: f64 = 1e-6;
/// Tolerance on a completion year.
pub const FULL_TOLERANCE: f64 = 0.01;

/// Which parameter of the measure is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lever {
    /// The value v (a fraction, or kt/yr for a removal): the smallest that meets the target.
    Value,
    /// The completion year of a linear or logistic adoption: the latest that meets the target.
    Full,
}

impl Lever {
    /// Name as on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Lever::Value => "value",
            Lever::Full => "full",
        }
    }
}

/// Which criteria of the region's list ([`crate::model::criteria`]) goal seek must meet: the
/// `--target` flag names a subset of the target's criteria ([`Role::Target`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// The target's net-zero criterion (`net_zero_met`).
    Net,
    /// The target's gross-limit criterion (`gross_met`).
    Gross,
    /// Every criterion of the target.
    Both,
}

impl Goal {
    /// The criteria of `model`'s list it asks for, in list order. Errors (bad input): `gross`
    /// when the target sets no gross limit, `net` when it does not ask for net zero, and a
    /// target with no criterion at all.
    pub fn criteria(self, model: &Model) -> Result<Vec<Criterion>> {
        let target = model
            .criteria
            .list
            .iter()
            .filter(|c| c.role == Role::Target);
        let is_gross = |c: &&Criterion| matches!(c.test, Test::GrossAtMost { .. });
        let is_net = |c: &&Criterion| matches!(c.test, Test::NetZero { .. });
        let chosen: Vec<Criterion> = match self {
            Goal::Gross => target.filter(is_gross).cloned().collect(),
            Goal::Net => target.filter(is_net).cloned().collect(),
            Goal::Both => target.cloned().collect(),
        };
        if chosen.is_empty() {
            return Err(match self {
                Goal::Gross => InputError::new("the region's target sets no gross-emission limit")
                    .hint("use `--target net`"),
                Goal::Net => InputError::new("the region's target does not ask for net zero")
                    .hint("use `--target gross`"),
                Goal::Both => InputError::new("the region's target sets no criterion to meet"),
            }
            .into());
        }
        Ok(chosen)
    }
}

/// The outcome of a goal seek.
#[derive(Debug, Clone)]
pub struct GoalSeek {
    /// Measure index.
    pub measure: usize,
    /// Lever searched.
    pub lever: Lever,
    /// The lever's allowed range (for `full`: just after `start` … 2300).
    pub bounds: (f64, f64),
    /// The lever's central value in the scenario.
    pub central: f64,
    /// Whether the target can be met by this lever alone.
    pub met: bool,
    /// Whether it is met even at the weakest setting (value 0, or the latest `full`).
    pub met_without_effort: bool,
    /// Whether the strongest setting is further from the target than the weakest: the lever
    /// works against the target (e.g. a switch to a dirtier carrier), so more of it cannot help.
    pub counterproductive: bool,
    /// The answer when met; otherwise the strongest setting tried.
    pub x: f64,
    /// The tolerance of `x`.
    pub tolerance: f64,
    /// The target-year figures at `x`.
    pub summary: Summary,
    /// The gross limit checked (None when not asked or not set).
    pub gross_limit_kt: Option<f64>,
    /// Whether net ≤ 0 was asked.
    pub net_zero: bool,
    /// Evaluations made.
    pub evaluations: usize,
}

struct Probe {
    model: Model,
    p: Vec<f64>,
    param: usize,
    ws: Workspace,
    rows: TotalRows,
    criteria: Vec<Criterion>,
    evaluations: usize,
}

impl Probe {
    /// max over the criteria of (figure − limit): ≤ 0 means met. Only the rows the criteria
    /// read are summed from the leaves.
    fn margin(&mut self, x: f64) -> f64 {
        self.p[self.param] = x;
        self.ws.evaluate(&self.model, &self.p);
        self.evaluations += 1;
        let (m, leaves) = (&self.model, self.ws.leaves_flat());
        let at = |row: usize, year: i32| variable_at(m, row, leaves, (year - m.base_year) as usize);
        let mut g = f64::NEG_INFINITY;
        for c in &self.criteria {
            let figure = match c.test {
                Test::GrossAtMost { year, .. } => at(self.rows.gross, year),
                Test::NetZero { year } => at(self.rows.net, year),
                Test::Cumulative {
                    from_year,
                    to_year,
                    basis,
                    ..
                } => {
                    let row = match basis {
                        crate::data::BudgetBasis::Gross => self.rows.gross,
                        crate::data::BudgetBasis::Net => self.rows.net,
                    };
                    (from_year..=to_year).map(|y| at(row, y)).sum()
                }
            };
            g = g.max(figure - c.limit_kt());
        }
        g
    }

    fn summary(&mut self, x: f64) -> Summary {
        self.p[self.param] = x;
        self.ws.evaluate(&self.model, &self.p);
        self.ws.evaluate_variables(&self.model);
        summarize(&self.model, self.rows, self.ws.vars_flat())
    }
}

/// Searches measure `measure`'s `lever` for the criteria `goal` names, every other parameter at
/// its central value.
///
/// Assumes the target-year response is monotone in the lever (more value or an earlier `full`
/// year never raises emissions); this is checked at the ends of the range. Errors (bad input):
/// `full` on a measure without a linear or logistic adoption; `gross` when the region's target
/// sets no gross limit; `net` when it does not ask for net zero.
pub fn goal_seek(model: &Model, measure: usize, lever: Lever, goal: Goal) -> Result<GoalSeek> {
    let info = &model.measures[measure];
    let param = match lever {
        Lever::Value => info.value,
        Lever::Full => info.full.ok_or_else(|| {
            InputError::new(format!(
                "measure `{}` has no `full` year to move (its adoption is a step or a table)",
                info.id
            ))
            .hint("use `--param value`, or give the measure a linear or logistic adoption")
        })?,
    };
    let criteria = goal.criteria(model)?;
    // what the account names: the gross limit and net zero asked for
    let gross_limit = criteria.iter().find_map(|c| match c.test {
        Test::GrossAtMost { limit_kt, .. } => Some(limit_kt),
        _ => None,
    });
    let net_zero = criteria
        .iter()
        .any(|c| matches!(c.test, Test::NetZero { .. }));
    let mut m = model.clone();
    if lever == Lever::Full && !m.dyn_adoption.contains(&MeasureIx(measure)) {
        // the full year now varies: recompute this measure's adoption on every evaluation
        m.dyn_adoption.push(MeasureIx(measure));
    }
    let central = model.params[param].central;
    let bounds = match model.params[param].bounds {
        // an open-ended value (a removal in kt/yr): ten times the reference emissions is
        // more than any target can ask of one lever
        (lo, hi) if hi.is_infinite() => (
            lo,
            (10.0 * model.target.reference_kt)
                .max(10.0 * central)
                .max(lo + 1.0),
        ),
        b => b,
    };
    let tolerance = match lever {
        Lever::Value => VALUE_TOLERANCE,
        Lever::Full => FULL_TOLERANCE,
    };
    // (weak, strong): no effort and the most effort the bounds allow
    let (weak, strong) = match lever {
        Lever::Value => (bounds.0, bounds.1),
        Lever::Full => (bounds.1, bounds.0),
    };
    let mut probe = Probe {
        ws: Workspace::new(&m),
        rows: TotalRows::of(&m),
        p: m.central(),
        model: m,
        param: param.get(),
        criteria,
        evaluations: 0,
    };
    let g_weak = probe.margin(weak);
    let g_strong = probe.margin(strong);
    let counterproductive = g_strong > g_weak;
    let result = |probe: &mut Probe, x: f64, met: bool, met_without_effort: bool| {
        let summary = probe.summary(x);
        GoalSeek {
            measure,
            lever,
            bounds,
            central,
            met,
            met_without_effort,
            counterproductive,
            x,
            tolerance,
            summary,
            gross_limit_kt: gross_limit,
            net_zero,
            evaluations: probe.evaluations,
        }
    };
    if g_weak <= 0.0 {
        return Ok(result(&mut probe, weak, true, true));
    }
    if g_strong > 0.0 {
        return Ok(result(&mut probe, strong, false, false));
    }
    // g(weak) > 0 ≥ g(strong): bisect, keeping `miss` failing and `hit` meeting the target
    let (mut miss, mut hit) = (weak, strong);
    while (hit - miss).abs() > tolerance {
        let mid = 0.5 * (miss + hit);
        if mid == miss || mid == hit {
            break;
        }
        if probe.margin(mid) <= 0.0 {
            hit = mid;
        } else {
            miss = mid;
        }
    }
    Ok(result(&mut probe, hit, true, false))
}

impl GoalSeek {
    /// A plain-language account of the outcome (several lines, no trailing newline).
    pub fn describe(&self, model: &Model) -> String {
        let info = &model.measures[self.measure];
        let s = &self.summary;
        let x = match self.lever {
            Lever::Value => fmt_num(self.x),
            Lever::Full => format!("{:.2}", self.x),
        };
        let mut criteria = Vec::new();
        if let Some(l) = self.gross_limit_kt {
            criteria.push(format!("gross ≤ {} kt", fmt_num(l)));
        }
        if self.net_zero {
            criteria.push("net ≤ 0".to_string());
        }
        let want = format!("{} in {}", criteria.join(" and "), s.target_year);
        let unit = match (self.lever, info.kind) {
            (Lever::Full, _) => "",
            (Lever::Value, crate::scenario::MeasureKind::Removal) => " kt/yr",
            (Lever::Value, _) => "",
        };
        let mut out = Vec::new();
        let central = match self.lever {
            Lever::Value => fmt_num(self.central),
            Lever::Full => format!("{:.2}", self.central),
        };
        out.push(format!(
            "measure `{}` ({}), {}: central {central}{unit}; target: {want}",
            info.id,
            info.name,
            self.lever.as_str()
        ));
        if self.met_without_effort {
            out.push(match self.lever {
                Lever::Value => format!(
                    "the target is met even with this measure off (value {x}{unit}): it is not needed"
                ),
                Lever::Full => format!(
                    "the target is met even with the latest completion year allowed ({x})"
                ),
            });
        } else if self.met {
            out.push(match self.lever {
                Lever::Value => format!(
                    "smallest value that meets it: {x}{unit} (± {})",
                    fmt_num(self.tolerance)
                ),
                Lever::Full => format!(
                    "latest completion year that meets it: {x} (± {})",
                    fmt_num(self.tolerance)
                ),
            });
        } else if self.counterproductive {
            out.push(format!(
                "the target cannot be met by this measure: pushing its {} further moves the {} figures away from the target",
                self.lever.as_str(),
                s.target_year
            ));
        } else {
            out.push(match self.lever {
                Lever::Value => format!(
                    "the target cannot be met by this measure alone: it is missed even at its largest value, {x}{unit}"
                ),
                Lever::Full => format!(
                    "the target cannot be met by this measure alone: it is missed even with adoption complete right after its start (full = {x})"
                ),
            });
        }
        out.push(format!(
            "at {} = {x}{unit}: {} gross {} kt, removals {} kt, net {} kt; {}",
            self.lever.as_str(),
            s.target_year,
            fmt_kt(s.gross_kt),
            fmt_kt(s.removals_kt),
            fmt_kt(s.net_kt),
            match s.neutrality_year {
                Some(y) => format!("carbon neutral from {y}"),
                None => "not carbon neutral within the horizon".to_string(),
            }
        ));
        out.join("\n")
    }
}

fn fmt_kt(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" { "0.00".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::testutil::tiny_model;

    // Tinyland 2030 without measures: cars 10 kt, district heat 12.5 kt, cows 5 kt, forest −2 kt:
    // gross 27.5 kt (limit 50), net 25.5 kt.
    const SCENARIO: &str = r#"
[[measures]]
id = "sink"
pillar = "bioeconomy"
kind = "removal"
sector = "Biochar"
value = 10
adoption = { curve = "linear", start = 2020, full = 2030 }

[[measures]]
id = "cars"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "cows"
pillar = "bioeconomy"
kind = "activity"
targets = ["agriculture.cows"]
value = 0.2
adoption = { curve = "linear", start = 2020, full = 2030 }
"#;

    #[test]
    fn removal_value_is_minimal() {
        let model = tiny_model("gs", SCENARIO);
        // with cars (−5) and cows (−1): net 2030 = 25.5 − 5 − 1 − sink = 19.5 − sink; so 19.5 kt
        let r = goal_seek(&model, 0, Lever::Value, Goal::Net).unwrap();
        assert!(r.met && !r.met_without_effort);
        assert!((r.x - 19.5).abs() <= VALUE_TOLERANCE, "{}", r.x);
        assert!(r.summary.net_kt <= 0.0);
        let mut p = model.central();
        p[model.measures[0].value] = r.x - VALUE_TOLERANCE;
        let mut ws = Workspace::new(&model);
        ws.evaluate(&model, &p);
        ws.evaluate_variables(&model);
        let s = summarize(&model, TotalRows::of(&model), ws.vars_flat());
        assert!(s.net_kt > 0.0, "value − tol must miss the target");
    }

    #[test]
    fn fraction_value_cannot_reach_net_zero_alone() {
        let model = tiny_model("gs", SCENARIO);
        // cows fully cut saves 5 kt: net 25.5 − 5 (cars) − 10 (sink) − 5 = 5.5 > 0
        let r = goal_seek(&model, 2, Lever::Value, Goal::Net).unwrap();
        assert!(!r.met);
        assert_eq!(r.x, 1.0);
        assert!((r.summary.net_kt - 5.5).abs() < 1e-9);
        // gross 27.5 − 5 − 1 = 21.5 is within the 50 kt limit without the measure
        let g = goal_seek(&model, 2, Lever::Value, Goal::Gross).unwrap();
        assert!(g.met && g.met_without_effort && g.x == 0.0);
    }

    #[test]
    fn latest_full_year_is_maximal() {
        let model = tiny_model("gs", &SCENARIO.replace("value = 10", "value = 30"));
        // 2030 sink = 30 · (2030 − 2020)/(full − 2020) for full > 2030 must reach 19.5:
        // full = 2020 + 300/19.5 = 2035.3846…
        let r = goal_seek(&model, 0, Lever::Full, Goal::Net).unwrap();
        assert!(r.met && !r.met_without_effort);
        let exact = 2020.0 + 300.0 / 19.5;
        assert!(r.x <= exact && exact - r.x <= FULL_TOLERANCE, "{}", r.x);
        assert!(r.summary.net_kt <= 0.0);
        // a later year (+ tol) misses
        let mut m2 = model.clone();
        m2.dyn_adoption.push(MeasureIx(0));
        let mut p = m2.central();
        p[model.measures[0].full.unwrap()] = r.x + FULL_TOLERANCE;
        let mut ws = Workspace::new(&m2);
        ws.evaluate(&m2, &p);
        let net = variable_at(&m2, TotalRows::of(&m2).net, ws.leaves_flat(), 10);
        assert!(net > 0.0);
    }

    #[test]
    fn a_lever_that_raises_emissions_is_reported() {
        // with energy_ratio 3, a fuel switch from district heat (0.125 t/MWh) to diesel raises
        // emissions: 0.125 → 3 × 0.25 = 0.75 t per MWh replaced
        let model = tiny_model(
            "worse",
            r#"
[[measures]]
id = "to_diesel"
pillar = "other"
kind = "fuel_switch"
targets = ["heating.district"]
from = "district_heat"
to = "diesel"
energy_ratio = 3
value = 0.1
adoption = { curve = "step", year = 2020 }
"#,
        );
        let r = goal_seek(&model, 0, Lever::Value, Goal::Net).unwrap();
        assert!(!r.met && r.counterproductive);
        assert!(r.describe(&model).contains("moves the 2030 figures away"));
    }

    #[test]
    fn step_adoption_has_no_full_year() {
        let model = tiny_model("gs", SCENARIO);
        let e = goal_seek(&model, 1, Lever::Full, Goal::Both).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
