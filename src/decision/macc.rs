//! The marginal abatement cost curve: each measure's target-year abatement (its stand-alone
//! reduction: the measure alone against none, [`super::shapley::standalone`]) against its cost
//! per tonne. The stand-alone abatement makes a scenario's annual cost a sum of terms each of
//! which depends on one measure only, so that `kymsim plan` can bound it (docs/decision-support.md).

use serde::Serialize;

use crate::model::Model;
use crate::output::fmt_num;

use super::csv_bytes;
use super::shapley::standalone;

/// One measure on the cost curve.
#[derive(Debug, Clone, PartialEq)]
pub struct MaccRow {
    /// Measure id.
    pub measure: String,
    /// Display name.
    pub name: String,
    /// Pillar (lower case).
    pub pillar: &'static str,
    /// Abatement in the target year (stand-alone: the measure alone against no measure), kt.
    pub abatement_kt: f64,
    /// Central cost, € per tonne (None: the measure has no cost and is not on the curve).
    pub cost_eur_per_t: Option<f64>,
}

impl MaccRow {
    /// abatement_kt · 1000 t/kt · cost €/t / 1e6 = M€ per year (None without a cost).
    pub fn annual_cost_meur(&self) -> Option<f64> {
        self.cost_eur_per_t
            .map(|c| self.abatement_kt * 1000.0 * c / 1e6)
    }
}

/// The cost curve of one scenario in the target year.
#[derive(Debug, Clone)]
pub struct Macc {
    /// Scenario name.
    pub scenario: String,
    /// The target year.
    pub target_year: i32,
    /// Measures with a cost by cost ascending (ties by id), then those without, by id.
    pub rows: Vec<MaccRow>,
}

impl Macc {
    /// The measures on the curve (those with a cost).
    pub fn costed(&self) -> impl Iterator<Item = &MaccRow> {
        self.rows.iter().filter(|r| r.cost_eur_per_t.is_some())
    }

    /// Σ abatement of the measures on the curve, kt.
    pub fn total_abatement_kt(&self) -> f64 {
        self.costed().map(|r| r.abatement_kt).sum()
    }

    /// Σ annual cost of the measures on the curve, M€/yr.
    pub fn total_annual_cost_meur(&self) -> f64 {
        self.costed().filter_map(MaccRow::annual_cost_meur).sum()
    }
}

/// Builds the cost curve of a scenario at parameters `p` (usually `model.central()`), at the
/// central cost of each measure.
pub fn macc(model: &Model, p: &[f64]) -> Macc {
    let abatement = standalone(model, p);
    let mut rows: Vec<MaccRow> = model
        .measures
        .iter()
        .enumerate()
        .map(|(m, info)| MaccRow {
            measure: info.id.clone(),
            name: info.name.clone(),
            pillar: info.pillar.as_str(),
            abatement_kt: abatement[m],
            cost_eur_per_t: info.cost.map(|c| model.params[c].central),
        })
        .collect();
    rows.sort_by(|a, b| match (a.cost_eur_per_t, b.cost_eur_per_t) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.measure.cmp(&b.measure)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.measure.cmp(&b.measure),
    });
    Macc {
        scenario: model.scenario.clone(),
        target_year: model.target.year,
        rows,
    }
}

#[derive(Debug, Serialize)]
struct MaccCsvRow<'a> {
    scenario: &'a str,
    measure: &'a str,
    name: &'a str,
    pillar: &'a str,
    target_year: i32,
    abatement_kt: String,
    cost_eur_per_t: String,
    annual_cost_meur: String,
}

/// `macc.csv`: `scenario,measure,name,pillar,target_year,abatement_kt,cost_eur_per_t,
/// annual_cost_meur`, by scenario, then as in [`Macc::rows`] (costed by cost, uncosted last with
/// empty cost cells).
pub fn macc_csv(maccs: &[Macc]) -> Vec<u8> {
    let mut maccs: Vec<&Macc> = maccs.iter().collect();
    maccs.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    csv_bytes(|w| {
        w.write_record(crate::output::schema::MACC_COLUMNS)?;
        for m in maccs {
            for r in &m.rows {
                w.serialize(MaccCsvRow {
                    scenario: &m.scenario,
                    measure: &r.measure,
                    name: &r.name,
                    pillar: r.pillar,
                    target_year: m.target_year,
                    abatement_kt: fmt_num(r.abatement_kt),
                    cost_eur_per_t: r.cost_eur_per_t.map_or(String::new(), fmt_num),
                    annual_cost_meur: r.annual_cost_meur().map_or(String::new(), fmt_num),
                })?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::testutil::tiny_model;

    #[test]
    fn sorted_by_cost_with_uncosted_last() {
        let model = tiny_model(
            "costs",
            r#"
[[measures]]
id = "cows"
name = "Fewer cows"
pillar = "bioeconomy"
kind = "activity"
targets = ["agriculture.cows"]
value = 0.4
adoption = { curve = "step", year = 2020 }
cost_eur_per_t = { dist = "uniform", min = 100, max = 200 }

[[measures]]
id = "sink"
pillar = "bioeconomy"
kind = "removal"
sector = "Biochar"
value = 3
adoption = { curve = "step", year = 2025 }
cost_eur_per_t = 50

[[measures]]
id = "cars"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }
"#,
        );
        let c = macc(&model, &model.central());
        let ids: Vec<&str> = c.rows.iter().map(|r| r.measure.as_str()).collect();
        assert_eq!(ids, ["sink", "cows", "cars"]);
        // sink: 3 kt · 1000 · 50 €/t / 1e6 = 0.15 M€; cows: 0.4 · 5 kt = 2 kt at the central
        // 150 €/t: 2 · 1000 · 150 / 1e6 = 0.3 M€; total 0.45 M€ for 5 kt
        assert!((c.rows[0].annual_cost_meur().unwrap() - 0.15).abs() < 1e-12);
        assert!((c.rows[1].annual_cost_meur().unwrap() - 0.3).abs() < 1e-12);
        assert_eq!(c.rows[2].annual_cost_meur(), None);
        assert!((c.total_annual_cost_meur() - 0.45).abs() < 1e-12);
        assert!((c.total_abatement_kt() - 5.0).abs() < 1e-12);
        let text = String::from_utf8(macc_csv(&[c])).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "scenario,measure,name,pillar,target_year,abatement_kt,cost_eur_per_t,annual_cost_meur"
        );
        assert_eq!(lines[1], "costs,sink,sink,bioeconomy,2030,3,50,0.15");
        assert_eq!(lines[2], "costs,cows,Fewer cows,bioeconomy,2030,2,150,0.3");
        // cars: 0.5 · 10 kt in 2030
        assert_eq!(lines[3], "costs,cars,cars,transport,2030,5,,");
    }
}
