//! The explorer's answers as typed values, serialized as the JSON of docs/serve.md: a
//! measure as the page shows it, the central run of a setting, its attribution and its batch.

use std::collections::BTreeMap;

use serde::Serialize;

/// How a measure's adoption may be changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdoptionInfo {
    /// `linear`, `logistic`, `step` or `table`.
    pub curve: &'static str,
    /// Linear and logistic: the year adoption starts.
    pub start: Option<i32>,
    /// Linear and logistic: the central completion year.
    pub full: Option<f64>,
    /// The earliest completion year the page offers (the API takes any year after `start`).
    pub full_min: Option<f64>,
    /// The latest completion year accepted.
    pub full_max: Option<f64>,
    /// Step: the year it takes effect.
    pub year: Option<i32>,
}

/// A measure's uncertain value: the 5–95 % range of its distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistributionInfo {
    /// `uniform`, `triangular`, `normal` or `lognormal`.
    pub dist: &'static str,
    /// 5th percentile.
    pub p5: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// One measure as the page shows it (`GET /api/scenarios`).
#[derive(Debug, Clone, Serialize)]
pub struct MeasureView {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Finnish display name (`name_fi` of the measure's definition; null when absent).
    pub name_fi: Option<String>,
    /// What it stands for.
    pub description: String,
    /// Programme pillar.
    pub pillar: &'static str,
    /// Kind (`fuel_switch`, `removal`, …).
    pub kind: &'static str,
    /// Target sources or carriers as written.
    pub targets: Vec<String>,
    /// `fuel_switch` / `mix_switch`: carrier moved from.
    pub from: Option<String>,
    /// `fuel_switch` / `mix_switch`: carrier moved to.
    pub to: Option<String>,
    /// `fraction` (0–1) or `kt CO2e/yr` (removals).
    pub unit: &'static str,
    /// The central value.
    pub value: f64,
    /// The values accepted.
    pub range: [f64; 2],
    /// The end of the page's slider (the number field takes the whole range).
    pub slider_max: f64,
    /// The distribution the value is drawn from in batches (null when fixed).
    pub distribution: Option<DistributionInfo>,
    /// Adoption.
    pub adoption: AdoptionInfo,
    /// Central cost, €/t (null when none).
    pub cost_eur_per_t: Option<f64>,
    /// Who takes it: `region`, `municipality`, `national` or `eu` (null when not said).
    pub owner: Option<&'static str>,
}

/// A series of one top-level sector.
#[derive(Debug, Clone, Serialize)]
pub struct SectorSeries {
    /// Sector name (the IAMC path segment).
    pub name: String,
    /// Finnish name (`sector_fi` of sources.csv; null when the data give none).
    pub name_fi: Option<String>,
    /// Colour, as in the report's charts.
    pub color: String,
    /// kt CO2e/yr by year.
    pub kt: Vec<f64>,
}

/// Totals by year.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// Gross emissions, kt CO2e/yr.
    pub gross_kt: Vec<f64>,
    /// Removals, kt CO2e/yr.
    pub removals_kt: Vec<f64>,
    /// Net emissions, kt CO2e/yr.
    pub net_kt: Vec<f64>,
}

/// A milestone's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    /// Year.
    pub year: i32,
    /// Gross limit, kt.
    pub gross_limit_kt: f64,
    /// Gross emissions in that year, kt.
    pub gross_kt: f64,
    /// Whether gross ≤ the limit.
    pub met: bool,
    /// How the limit was set.
    pub basis: String,
}

/// The target-year figures, with the names of `summary.csv`'s columns.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryView {
    /// Scenario.
    pub scenario: String,
    /// Target year.
    pub target_year: i32,
    /// Gross emissions in the target year, kt.
    pub gross_kt: f64,
    /// Removals in the target year, kt.
    pub removals_kt: f64,
    /// Net emissions in the target year, kt.
    pub net_kt: f64,
    /// Reference-year gross emissions, kt.
    pub reference_kt: f64,
    /// 1 − gross / reference.
    pub reduction_vs_reference: f64,
    /// The gross limit (null when none).
    pub gross_limit_kt: Option<f64>,
    /// Gross criterion met (null when none).
    pub gross_met: Option<bool>,
    /// Net-zero criterion met (null when none).
    pub net_zero_met: Option<bool>,
    /// Every criterion met.
    pub target_met: bool,
    /// First year from which net ≤ 0 holds to the end (null: never).
    pub neutrality_year: Option<i32>,
    /// Σ net emissions from the base year to the target year, kt.
    pub cumulative_net_kt: f64,
    /// `milestone_<year>` columns: whether each milestone is met.
    #[serde(flatten)]
    pub milestones: BTreeMap<String, bool>,
}

/// One measure's share of the reduction.
#[derive(Debug, Clone, Serialize)]
pub struct Wedge {
    /// Measure id.
    pub id: String,
    /// Contribution to the net reduction by year, kt (Shapley value).
    pub kt: Vec<f64>,
    /// Standard error by year (0 when exact).
    pub se_kt: Vec<f64>,
    /// Central cost, €/t (null when none).
    pub cost_eur_per_t: Option<f64>,
    /// Target-year abatement × cost, M€/yr (null without a cost).
    pub annual_cost_meur: Option<f64>,
}

/// The Shapley attribution and cost of one setting.
#[derive(Debug, Clone, Serialize)]
pub struct AttributionView {
    /// `exact` or `sampled`.
    pub method: &'static str,
    /// Permutations when sampled.
    pub permutations: Option<usize>,
    /// Seed when sampled.
    pub seed: Option<u64>,
    /// Net emissions with no measure on, kt by year.
    pub counterfactual_net_kt: Vec<f64>,
    /// Per measure, in the scenario's order.
    pub measures: Vec<Wedge>,
    /// Σ target-year abatement of the measures with a cost, kt.
    pub costed_abatement_kt: f64,
    /// Σ annual cost of the measures with a cost, M€/yr (`kymsim run` prints the same).
    pub annual_cost_meur: f64,
}

/// The answer of `POST /api/evaluate`.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The scenario explored.
    pub scenario: String,
    /// Years.
    pub years: Vec<i32>,
    /// Target-year figures (`summary.csv`'s names).
    pub summary: SummaryView,
    /// Milestones with their limits.
    pub milestones: Vec<MilestoneView>,
    /// Totals by year.
    pub series: Series,
    /// Gross emissions by top-level sector.
    pub sectors: Vec<SectorSeries>,
    /// Removals by top-level sector.
    pub removal_sectors: Vec<SectorSeries>,
    /// The attribution, when asked for.
    pub attribution: Option<AttributionView>,
}

/// Quantiles of net emissions by year.
#[derive(Debug, Clone, Serialize)]
pub struct Fan {
    /// 5th percentile by year.
    pub p5: Vec<f64>,
    /// 25th.
    pub p25: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 75th.
    pub p75: Vec<f64>,
    /// 95th.
    pub p95: Vec<f64>,
}

/// The answer of `POST /api/batch`: what `kymsim batch` gives for the exported scenario.
#[derive(Debug, Clone, Serialize)]
pub struct BatchView {
    /// Samples.
    pub samples: u64,
    /// Seed.
    pub seed: u64,
    /// Sampler (`mc`).
    pub sampler: &'static str,
    /// P(every criterion met).
    pub p_target_met: f64,
    /// P(gross criterion met).
    pub p_gross_met: f64,
    /// P(net ≤ 0 in the target year).
    pub p_net_zero_met: f64,
    /// Target-year net emissions: p5, p50, p95.
    pub net_kt_p5: f64,
    /// Median.
    pub net_kt_p50: f64,
    /// 95th percentile.
    pub net_kt_p95: f64,
    /// P(never neutral within the horizon).
    pub p_never: f64,
    /// Net emissions by year.
    pub fan: Fan,
    /// Seconds the batch took.
    pub seconds: f64,
}
