//! `GET /api/scenarios`: the region, its target and every scenario with its measures, typed
//! from the resolved scenario (`MeasureSpec`) and the compiled model, and written once at
//! start-up.

use std::collections::BTreeMap;

use serde::Serialize;

use super::view::{AdoptionInfo, DistributionInfo, MeasureView, SummaryView};
use super::{BATCH_SAMPLES, DEFAULT_BATCH_SAMPLES, MAX_FULL_YEAR, MAX_REMOVAL_KT};
use crate::data::Region;
use crate::model::Model;
use crate::scenario::{Adoption, MeasureSpec, Owner, Pillar, ValueSpec};

/// The answer of `GET /api/scenarios`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Catalogue {
    pub region: RegionView,
    pub target: TargetView,
    pub milestones: Vec<MilestoneLimit>,
    pub years: Vec<i32>,
    /// The reference scenario (`baseline` when the library has one).
    pub reference: Option<String>,
    /// The scenario the page opens.
    pub default: Option<String>,
    /// Each pillar's colour, as in the report's charts.
    pub pillars: BTreeMap<&'static str, String>,
    /// Carrier names by id.
    pub carriers: BTreeMap<String, CarrierName>,
    pub limits: Limits,
    pub scenarios: Vec<ScenarioView>,
}

/// The region.
#[derive(Debug, Clone, Serialize)]
pub(super) struct RegionView {
    pub name: String,
    pub code: String,
    pub base_year: i32,
    pub end_year: i32,
    pub accounting: Option<String>,
}

/// The region's target.
#[derive(Debug, Clone, Serialize)]
pub(super) struct TargetView {
    pub year: i32,
    pub reference_year: i32,
    pub reference_kt: f64,
    pub gross_limit_kt: Option<f64>,
    pub net_zero: bool,
}

/// An interim milestone.
#[derive(Debug, Clone, Serialize)]
pub(super) struct MilestoneLimit {
    pub year: i32,
    pub gross_limit_kt: f64,
    pub basis: String,
}

/// A carrier's names.
#[derive(Debug, Clone, Serialize)]
pub(super) struct CarrierName {
    pub name: String,
    pub name_fi: Option<String>,
}

/// What one request may ask for.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Limits {
    pub batch_samples: [u64; 2],
    pub default_batch_samples: u64,
}

/// A measure the region's accounting leaves out.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ExcludedView {
    pub id: String,
    pub name: String,
    pub reason: String,
}

/// One scenario with its central figures and measures.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ScenarioView {
    pub name: String,
    pub description: String,
    pub extends: Option<String>,
    pub color: String,
    pub net_kt: Vec<f64>,
    pub gross_kt: Vec<f64>,
    pub summary: SummaryView,
    pub excluded: Vec<ExcludedView>,
    pub measures: Vec<MeasureView>,
}

impl Catalogue {
    /// The region's part of the listing, around `scenarios`.
    pub fn new(
        region: &Region,
        reference: Option<String>,
        default: Option<String>,
        pillar_color: impl Fn(Pillar) -> String,
        scenarios: Vec<ScenarioView>,
    ) -> Catalogue {
        let t = &region.target;
        Catalogue {
            region: RegionView {
                name: region.name.clone(),
                code: region.code.clone(),
                base_year: region.base_year,
                end_year: region.end_year,
                accounting: region.accounting.clone(),
            },
            target: TargetView {
                year: t.year,
                reference_year: t.reference_year,
                reference_kt: t.reference_kt,
                gross_limit_kt: t.gross_limit_kt(),
                net_zero: t.net_zero,
            },
            milestones: region
                .milestones
                .iter()
                .map(|m| MilestoneLimit {
                    year: m.year,
                    gross_limit_kt: m.gross_limit_kt,
                    basis: m.basis.clone(),
                })
                .collect(),
            years: (region.base_year..=region.end_year).collect(),
            reference,
            default,
            pillars: Pillar::ALL
                .iter()
                .map(|&p| (p.as_str(), pillar_color(p)))
                .collect(),
            carriers: region
                .carriers
                .iter()
                .map(|c| {
                    let names = CarrierName {
                        name: c.name.clone(),
                        name_fi: c.name_fi.clone(),
                    };
                    (c.id.clone(), names)
                })
                .collect(),
            limits: Limits {
                batch_samples: [*BATCH_SAMPLES.start(), *BATCH_SAMPLES.end()],
                default_batch_samples: DEFAULT_BATCH_SAMPLES,
            },
            scenarios,
        }
    }
}

/// Measure `m` of `model` as the page shows it, from its definition `spec`.
pub(super) fn measure_view(
    model: &Model,
    m: usize,
    spec: &MeasureSpec,
    end_year: i32,
) -> MeasureView {
    let info = &model.measures[m];
    let p = &model.params[info.value.0];
    let removal = !info.kind.value_is_fraction();
    let distribution = match &p.spec {
        ValueSpec::Fixed(_) => None,
        ValueSpec::Dist(d) => Some(DistributionInfo {
            dist: d.name(),
            p5: p.leveled(d.quantile(0.05)),
            p95: p.leveled(d.quantile(0.95)),
        }),
    };
    let (range, slider_max) = if removal {
        let hi = distribution.as_ref().map_or(p.central, |d| d.p95);
        (
            [0.0, MAX_REMOVAL_KT],
            nice_ceil((2.0 * p.central).max(hi).max(10.0)),
        )
    } else {
        ([0.0, 1.0], 1.0)
    };
    let adoption = spec.common.adoption.get_ref();
    let start = info.full.and(adoption.start());
    let full = info.full.map(|f| model.params[f.0].central);
    let (from, to) = spec.action.from_to().unzip();
    MeasureView {
        id: info.id.clone(),
        name: info.name.clone(),
        name_fi: spec.name_fi().map(String::from),
        description: info.description.clone(),
        pillar: info.pillar.as_str(),
        kind: info.kind.as_str(),
        targets: spec
            .action
            .targets()
            .iter()
            .map(|t| t.get_ref().clone())
            .collect(),
        from: from.map(String::from),
        to: to.map(String::from),
        unit: if removal { "kt CO2e/yr" } else { "fraction" },
        value: p.central,
        range,
        slider_max,
        distribution,
        adoption: AdoptionInfo {
            curve: adoption.curve(),
            start,
            full,
            full_min: start.map(|s| f64::from(s) + 1.0),
            full_max: full.map(|f| MAX_FULL_YEAR.min(f.max(f64::from(end_year)) + 10.0).max(f)),
            year: match adoption {
                Adoption::Step { year } if info.full.is_none() => Some(*year),
                _ => None,
            },
        },
        cost_eur_per_t: info.cost.map(|c| model.params[c.0].central),
        owner: spec.owner().map(Owner::as_str),
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at or above `x`.
fn nice_ceil(x: f64) -> f64 {
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|f| f * p)
        .find(|&v| v >= x)
        .unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceil_rounds_up_to_1_2_2_5_5() {
        assert_eq!(nice_ceil(7.0), 10.0);
        assert_eq!(nice_ceil(10.0), 10.0);
        assert_eq!(nice_ceil(11.0), 20.0);
        assert_eq!(nice_ceil(240.0), 250.0);
        assert_eq!(nice_ceil(260.0), 500.0);
    }
}
