//! The region's target criteria as one list: the target-year gross limit, target-year net ≤ 0,
//! each milestone and the carbon budget. The engine evaluates them, the statistics count them,
//! the CSV columns and the batch part's counts follow the list, and goal seek, `plan` and
//! `track` read it: a new criterion is a variant here and its words in the catalogue.

use crate::data::{Budget, BudgetBasis, Milestone, Target};
use crate::i18n::{Lang, Msg};

/// What a criterion tests, in a variable table of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Gross emissions in `year` at most `limit_kt`.
    GrossAtMost {
        /// The year tested.
        year: i32,
        /// The limit, kt CO2e.
        limit_kt: f64,
    },
    /// Net emissions in `year` at most 0.
    NetZero {
        /// The year tested.
        year: i32,
    },
    /// Gross or net emissions summed from `from_year` through `to_year` at most `kt`.
    Cumulative {
        /// The first year counted.
        from_year: i32,
        /// The last year counted (the target year).
        to_year: i32,
        /// The budget, kt CO2e.
        kt: f64,
        /// What is summed.
        basis: BudgetBasis,
    },
}

/// What a criterion is part of: the target (all of its criteria make "target met"), a milestone
/// or the budget, each reported on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A criterion of the target year: P(target met) needs every one of them.
    Target,
    /// An interim milestone.
    Milestone,
    /// The carbon budget.
    Budget,
}

/// One criterion of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// Its id, the stem of its CSV columns: `gross_met`, `net_zero_met`, `milestone_<year>`,
    /// `within_budget` (`batch/summary.csv` writes `p_<id>`).
    pub id: String,
    /// What it is part of.
    pub role: Role,
    /// What it tests.
    pub test: Test,
}

/// The rows of the totals a criterion reads, in a variable table `[var × year]` of `ny` years.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    /// Row of gross emissions.
    pub gross: usize,
    /// Row of net emissions.
    pub net: usize,
}

impl Criterion {
    /// Whether it is met in `vars` (`[var × year]`, years from `base_year`, `ny` per row).
    /// Allocates nothing.
    #[inline]
    pub fn met(&self, base_year: i32, ny: usize, rows: Rows, vars: &[f64]) -> bool {
        let at = |row: usize, year: i32| vars[row * ny + (year - base_year) as usize];
        match self.test {
            Test::GrossAtMost { year, limit_kt } => at(rows.gross, year) <= limit_kt,
            Test::NetZero { year } => at(rows.net, year) <= 0.0,
            Test::Cumulative { .. } => {
                let used = self.cumulative_kt(base_year, ny, rows, vars);
                used <= self.limit_kt()
            }
        }
    }

    /// The limit it sets: a gross limit, 0 for net zero, the budget in kt.
    pub fn limit_kt(&self) -> f64 {
        match self.test {
            Test::GrossAtMost { limit_kt, .. } => limit_kt,
            Test::NetZero { .. } => 0.0,
            Test::Cumulative { kt, .. } => kt,
        }
    }

    /// The year it is judged in (for a budget, the last year counted).
    pub fn year(&self) -> i32 {
        match self.test {
            Test::GrossAtMost { year, .. } | Test::NetZero { year } => year,
            Test::Cumulative { to_year, .. } => to_year,
        }
    }

    /// For a budget, the emissions counted from its first year through its last; for the
    /// others, the figure compared with the limit. Allocates nothing.
    pub fn cumulative_kt(&self, base_year: i32, ny: usize, rows: Rows, vars: &[f64]) -> f64 {
        let at = |row: usize, year: i32| vars[row * ny + (year - base_year) as usize];
        match self.test {
            Test::GrossAtMost { year, .. } => at(rows.gross, year),
            Test::NetZero { year } => at(rows.net, year),
            Test::Cumulative {
                from_year,
                to_year,
                basis,
                ..
            } => {
                let row = match basis {
                    BudgetBasis::Gross => rows.gross,
                    BudgetBasis::Net => rows.net,
                };
                let from = (from_year - base_year) as usize;
                let to = (to_year - base_year) as usize;
                vars[row * ny + from..=row * ny + to].iter().sum()
            }
        }
    }

    /// Its name in the reader's language, e.g. "Milestone 2030: gross ≤ 329 kt".
    pub fn label(&self, lang: Lang) -> String {
        let kt = lang.thousands(self.limit_kt());
        match &self.test {
            Test::GrossAtMost { year, .. } if self.role == Role::Milestone => lang.fill(
                Msg::CriterionMilestone,
                &[("year", &year.to_string()), ("kt", &kt)],
            ),
            Test::GrossAtMost { year, .. } => lang.fill(
                Msg::CriterionGross,
                &[("year", &year.to_string()), ("kt", &kt)],
            ),
            Test::NetZero { year } => {
                lang.fill(Msg::CriterionNetZero, &[("year", &year.to_string())])
            }
            Test::Cumulative {
                from_year,
                to_year,
                basis,
                ..
            } => lang.fill(
                match basis {
                    BudgetBasis::Gross => Msg::CriterionBudgetGross,
                    BudgetBasis::Net => Msg::CriterionBudgetNet,
                },
                &[
                    ("from", &from_year.to_string()),
                    ("to", &to_year.to_string()),
                    ("kt", &kt),
                ],
            ),
        }
    }
}

/// The list of criteria of a region, in a fixed order: the target's (gross, then net zero),
/// the milestones by year, then the budget.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Criteria {
    /// The criteria, in order.
    pub list: Vec<Criterion>,
}

impl Criteria {
    /// The criteria of a target, its milestones and a budget.
    pub fn of(target: &Target, milestones: &[Milestone], budget: Option<&Budget>) -> Criteria {
        let mut list = Vec::new();
        if let Some(limit_kt) = target.gross_limit_kt() {
            list.push(Criterion {
                id: "gross_met".into(),
                role: Role::Target,
                test: Test::GrossAtMost {
                    year: target.year,
                    limit_kt,
                },
            });
        }
        if target.net_zero {
            list.push(Criterion {
                id: "net_zero_met".into(),
                role: Role::Target,
                test: Test::NetZero { year: target.year },
            });
        }
        for m in milestones {
            list.push(Criterion {
                id: format!("milestone_{}", m.year),
                role: Role::Milestone,
                test: Test::GrossAtMost {
                    year: m.year,
                    limit_kt: m.gross_limit_kt,
                },
            });
        }
        if let Some(b) = budget {
            list.push(Criterion {
                id: "within_budget".into(),
                role: Role::Budget,
                test: Test::Cumulative {
                    from_year: b.from_year,
                    to_year: target.year,
                    kt: b.kt,
                    basis: b.basis,
                },
            });
        }
        Criteria { list }
    }

    /// The criteria reported on their own, after the target's: milestones, then the budget.
    /// Their order is that of the per-criterion columns and of a batch part's counts.
    pub fn reported(&self) -> impl Iterator<Item = &Criterion> + '_ {
        self.list.iter().filter(|c| c.role != Role::Target)
    }

    /// The criterion with this id.
    pub fn get(&self, id: &str) -> Option<&Criterion> {
        self.list.iter().find(|c| c.id == id)
    }

    /// The budget, if the region has one.
    pub fn budget(&self) -> Option<&Criterion> {
        self.list.iter().find(|c| c.role == Role::Budget)
    }

    /// Whether each criterion is met, in list order. Allocates nothing.
    pub fn each_met<'a>(
        &'a self,
        base_year: i32,
        ny: usize,
        rows: Rows,
        vars: &'a [f64],
    ) -> impl Iterator<Item = bool> + 'a {
        self.list
            .iter()
            .map(move |c| c.met(base_year, ny, rows, vars))
    }

    /// Whether the target is met: every criterion of [`Role::Target`] (true when there is none).
    pub fn target_met(&self, base_year: i32, ny: usize, rows: Rows, vars: &[f64]) -> bool {
        self.list
            .iter()
            .filter(|c| c.role == Role::Target)
            .all(|c| c.met(base_year, ny, rows, vars))
    }

    /// Whether every criterion is met: the target, every milestone and the budget.
    pub fn all_met(&self, base_year: i32, ny: usize, rows: Rows, vars: &[f64]) -> bool {
        self.list.iter().all(|c| c.met(base_year, ny, rows, vars))
    }
}

/// How a budget stands in one evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetUse {
    /// Emissions counted from the budget's first year through the target year, kt.
    pub used_kt: f64,
    /// The budget less `used_kt` (negative: overspent), kt.
    pub left_kt: f64,
    /// The first year in which the emissions counted since the first year exceed the budget,
    /// looking to the end of the horizon (None: never within it).
    pub exhausted_year: Option<i32>,
}

impl BudgetUse {
    /// The budget's use in `vars` (`[var × year]`). Allocates nothing.
    pub fn of(c: &Criterion, base_year: i32, ny: usize, rows: Rows, vars: &[f64]) -> BudgetUse {
        let used_kt = c.cumulative_kt(base_year, ny, rows, vars);
        let kt = c.limit_kt();
        let mut exhausted_year = None;
        if let Test::Cumulative {
            from_year, basis, ..
        } = c.test
        {
            let row = match basis {
                BudgetBasis::Gross => rows.gross,
                BudgetBasis::Net => rows.net,
            };
            let mut sum = 0.0;
            for y in (from_year - base_year) as usize..ny {
                sum += vars[row * ny + y];
                if sum > kt {
                    exhausted_year = Some(base_year + y as i32);
                    break;
                }
            }
        }
        BudgetUse {
            used_kt,
            left_kt: kt - used_kt,
            exhausted_year,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            year: 2023,
            reference_year: 1990,
            reference_kt: 100.0,
            max_gross_fraction: Some(0.5),
            net_zero: true,
        }
    }

    fn budget(kt: f64, basis: BudgetBasis) -> Budget {
        Budget {
            from_year: 2021,
            kt,
            basis,
            source: "test".into(),
        }
    }

    // two rows (gross, net) over 2020–2024
    const VARS: [f64; 10] = [
        90.0, 80.0, 70.0, 60.0, 50.0, // gross
        20.0, 10.0, 5.0, 0.0, -5.0, // net
    ];
    const ROWS: Rows = Rows { gross: 0, net: 1 };

    fn criteria(budget_kt: f64) -> Criteria {
        let ms = [Milestone {
            year: 2022,
            gross_limit_kt: 70.0,
            basis: "test".into(),
        }];
        Criteria::of(&target(), &ms, Some(&budget(budget_kt, BudgetBasis::Gross)))
    }

    #[test]
    fn the_list_holds_target_milestones_and_budget_in_order() {
        let c = criteria(210.0);
        let ids: Vec<&str> = c.list.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "gross_met",
                "net_zero_met",
                "milestone_2022",
                "within_budget"
            ]
        );
        let reported: Vec<&str> = c.reported().map(|c| c.id.as_str()).collect();
        assert_eq!(reported, ["milestone_2022", "within_budget"]);
    }

    #[test]
    fn each_criterion_is_judged_on_its_own_year_and_row() {
        // gross 2023 = 60 > 0.5 × 100 = 50: missed; net 2023 = 0 ≤ 0: met; gross 2022 = 70 ≤ 70:
        // met; gross 2021..=2023 = 80 + 70 + 60 = 210 ≤ 210: met
        let c = criteria(210.0);
        let met: Vec<bool> = c.each_met(2020, 5, ROWS, &VARS).collect();
        assert_eq!(met, [false, true, true, true]);
        assert!(!c.target_met(2020, 5, ROWS, &VARS));
        assert!(!c.all_met(2020, 5, ROWS, &VARS));
        // a budget of 209.9 is overspent by 0.1
        let tight = criteria(209.9);
        assert!(!tight.budget().unwrap().met(2020, 5, ROWS, &VARS));
    }

    #[test]
    fn budget_use_counts_through_the_target_year_and_finds_the_year_it_runs_out() {
        // used 80 + 70 + 60 = 210; left 250 − 210 = 40; running sum 80, 150, 210, 270 > 250 in 2024
        let c = criteria(250.0);
        let u = BudgetUse::of(c.budget().unwrap(), 2020, 5, ROWS, &VARS);
        assert_eq!(u.used_kt, 210.0);
        assert_eq!(u.left_kt, 40.0);
        assert_eq!(u.exhausted_year, Some(2024));
        // a budget of 300 lasts the horizon: 270 ≤ 300
        let u = BudgetUse::of(criteria(300.0).budget().unwrap(), 2020, 5, ROWS, &VARS);
        assert_eq!(u.exhausted_year, None);
    }

    #[test]
    fn a_net_budget_sums_the_net_row() {
        // net 2021..=2023 = 10 + 5 + 0 = 15
        let c = Criteria::of(&target(), &[], Some(&budget(14.0, BudgetBasis::Net)));
        let b = c.budget().unwrap();
        assert_eq!(b.cumulative_kt(2020, 5, ROWS, &VARS), 15.0);
        assert!(!b.met(2020, 5, ROWS, &VARS));
    }
}
