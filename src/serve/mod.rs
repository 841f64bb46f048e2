//! `kymsim serve`: an interactive explorer — a local web page where each measure of a scenario is
//! a slider and the target verdict and charts follow the hand.
//!
//! [`Explorer`] holds the region and the compiled scenarios and answers the JSON API of
//! `docs/serve.md` without knowing HTTP; [`http`] serves it and the page's embedded assets.
//!
//! Every answer for changed settings is computed from the scenario TOML that `POST /api/export`
//! writes (parsed, resolved against the same library and compiled), so the page's figures are
//! those `kymsim run` gives for the exported file, to the last bit.

mod export;
pub mod http;

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::charts::style::{ColorMap, pillar_color};
use crate::data::Region;
use crate::decision::{self, ShapleyMethod, ShapleyOptions};
use crate::engine::batch::{BatchOptions, binning, run_batch};
use crate::engine::sampler::SamplerKind;
use crate::engine::stats::{NEVER, QUANTILES, finish_cells, quantile_sorted};
use crate::engine::{CentralResult, TotalRows, check_central, run_central};
use crate::error::{Error, did_you_mean, name_list};
use crate::model::variables::{GROSS, NET, REMOVALS};
use crate::model::{Model, compile};
use crate::scenario::{MeasureKind, Scenario, ScenarioLibrary, ValueSpec};

/// The largest value of a `removal` measure the API accepts, kt CO2e/yr: the limit every
/// scenario value keeps (docs/scenario-format.md).
pub const MAX_REMOVAL_KT: f64 = 1e6;
/// The latest completion year (`full`) the API accepts, as `goal-seek --param full` searches.
pub const MAX_FULL_YEAR: f64 = 2300.0;
/// Samples of an uncertainty batch when the request does not say.
pub const DEFAULT_BATCH_SAMPLES: u64 = 10_000;
/// The fewest and the most samples one batch request may ask for.
pub const BATCH_SAMPLES: std::ops::RangeInclusive<u64> = 100..=100_000;
/// Compiled models kept for recent settings (attribution and batches reuse them).
const MODEL_CACHE: usize = 16;
/// Attributions kept for recent settings.
const ATTRIBUTION_CACHE: usize = 32;

/// How the explorer computes what is not a plain central run.
#[derive(Debug, Clone)]
pub struct ExplorerOptions {
    /// Seed of the sampled Shapley attribution and the default batch seed (as `kymsim run`).
    pub seed: u64,
    /// Permutations of the sampled Shapley attribution (as `kymsim run`).
    pub permutations: usize,
    /// Threads for attributions and batches (the rest stay free for slider moves).
    pub background_threads: usize,
}

/// A rejected request: what is wrong, naming the field (`{"error": …, "field": …}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    /// The message, starting with the field it concerns.
    pub error: String,
    /// The request field at fault (`scenario`, `overrides.ev_cars.value`, …), when there is one.
    pub field: Option<String>,
}

impl ApiError {
    /// An error in `field`.
    pub fn field(field: impl Into<String>, message: impl std::fmt::Display) -> ApiError {
        let field = field.into();
        ApiError {
            error: format!("{field}: {message}"),
            field: Some(field),
        }
    }

    /// An error of the request as a whole.
    pub fn request(message: impl Into<String>) -> ApiError {
        ApiError {
            error: message.into(),
            field: None,
        }
    }
}

/// One measure's changed settings.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The measure's value (a fraction; kt CO2e/yr for a `removal`), fixed: it is no longer
    /// drawn from the measure's distribution.
    pub value: Option<f64>,
    /// The completion year of a linear or logistic adoption, fixed.
    pub full: Option<f64>,
}

/// The body of `POST /api/evaluate`, `/api/export` and `/api/batch`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The scenario explored (a name of the library, as `kymsim run NAME` takes).
    pub scenario: String,
    /// Changed measures by id (a measure named twice is an error, not the last one kept).
    #[serde(default, deserialize_with = "unique_overrides")]
    pub overrides: BTreeMap<String, Override>,
    /// `evaluate`: add the Shapley attribution and the cost curve (≈ 0.1–0.5 s).
    #[serde(default)]
    pub attribution: bool,
    /// `export`: the new scenario's name (default `<scenario>-explored`).
    pub name: Option<String>,
    /// `batch`: samples (default [`DEFAULT_BATCH_SAMPLES`]).
    pub samples: Option<u64>,
    /// `batch`: seed (default: the explorer's seed, 2040).
    pub seed: Option<u64>,
}

/// Reads the `overrides` object, refusing a measure id given twice: JSON leaves repeated keys
/// undefined, and silently keeping one of them would evaluate settings nobody asked for.
fn unique_overrides<'de, D>(de: D) -> Result<BTreeMap<String, Override>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Unique;
    impl<'de> serde::de::Visitor<'de> for Unique {
        type Value = BTreeMap<String, Override>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of measure ids")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(id) = map.next_key::<String>()? {
                let o: Override = map.next_value()?;
                if out.insert(id.clone(), o).is_some() {
                    return Err(serde::de::Error::custom(format!(
                        "measure `{}` is given twice; give each measure once",
                        crate::error::printable(&id, 80)
                    )));
                }
            }
            Ok(out)
        }
    }
    de.deserialize_map(Unique)
}

impl Request {
    /// Parses a JSON body; a bad one names the field and says what was expected.
    pub fn parse(body: &[u8]) -> Result<Request, ApiError> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let parsed: Result<Request, _> = serde_path_to_error::deserialize(&mut de);
        match parsed {
            Ok(r) => {
                de.end()
                    .map_err(|e| ApiError::request(format!("body: {e} after the JSON object")))?;
                Ok(r)
            }
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                // `?` marks a place the parser did not reach: the JSON itself is broken
                let field = if path == "." || path.is_empty() || path.contains('?') {
                    "body".to_string()
                } else {
                    path
                };
                let hint = if field == "body" {
                    " (send a JSON object such as {\"scenario\": \"programme\", \"overrides\": {}})"
                } else {
                    ""
                };
                Err(ApiError::field(field, format!("{inner}{hint}")))
            }
        }
    }
}

/// A measure's changed settings, checked against its definition.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Change {
    /// Index into the scenario's measures.
    measure: usize,
    value: Option<f64>,
    full: Option<f64>,
}

/// How a measure's adoption may be changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdoptionInfo {
    /// `linear`, `logistic`, `step` or `table`.
    pub curve: String,
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
    pub dist: String,
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
    pub owner: Option<String>,
}

/// One scenario as compiled at start-up.
struct Entry {
    /// Library name (file stem), as `extends` and `kymsim run NAME` take it.
    name: String,
    scenario: Scenario,
    model: Arc<Model>,
    central: CentralResult,
    measures: Vec<MeasureView>,
    /// Each measure's definition as written (its `[[measures]]` table), for the export.
    definitions: Vec<toml::Table>,
}

/// A small least-recently-used cache.
struct Recent<V> {
    entries: Mutex<VecDeque<(String, V)>>,
    capacity: usize,
}

impl<V: Clone> Recent<V> {
    fn new(capacity: usize) -> Self {
        Recent {
            entries: Mutex::new(VecDeque::new()),
            capacity,
        }
    }

    fn get(&self, key: &str) -> Option<V> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let i = e.iter().position(|(k, _)| k == key)?;
        let item = e.remove(i)?;
        let v = item.1.clone();
        e.push_front(item);
        Some(v)
    }

    fn put(&self, key: String, v: V) {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        e.retain(|(k, _)| *k != key);
        e.push_front((key, v));
        e.truncate(self.capacity);
    }
}

/// The region, its scenarios compiled, and the caches of recent answers.
pub struct Explorer {
    region: Region,
    library: ScenarioLibrary,
    entries: Vec<Entry>,
    reference: Option<usize>,
    sector_colors: ColorMap,
    removal_colors: ColorMap,
    scenario_colors: ColorMap,
    options: ExplorerOptions,
    pool: rayon::ThreadPool,
    models: Recent<Arc<Model>>,
    attributions: Recent<Arc<AttributionView>>,
    catalogue: Vec<u8>,
    /// Finnish names of sector paths (`sector_fi` of sources.csv).
    sectors_fi: std::collections::BTreeMap<String, String>,
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

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The top-level children of `root` in a variable table: (segment, values by year).
fn top_level(model: &Model, vars: &[f64], root: &str) -> Vec<(String, Vec<f64>)> {
    let prefix = format!("{root}|");
    model
        .variables
        .vars
        .iter()
        .enumerate()
        .filter_map(|(v, var)| {
            let rest = var.name.strip_prefix(&prefix)?;
            (!rest.contains('|')).then(|| {
                (
                    rest.to_string(),
                    vars[v * model.ny..(v + 1) * model.ny].to_vec(),
                )
            })
        })
        .collect()
}

/// A variable's values by year.
fn row(model: &Model, vars: &[f64], name: &str) -> Vec<f64> {
    model
        .variables
        .index(name)
        .map(|v| vars[v * model.ny..(v + 1) * model.ny].to_vec())
        .unwrap_or_else(|| vec![0.0; model.ny])
}

/// The `[[measures]]` table defining `id` in `file` (the text of a scenario file).
fn measure_view(model: &Model, m: usize, table: &toml::Table, end_year: i32) -> MeasureView {
    let info = &model.measures[m];
    let p = &model.params[info.value];
    let removal = info.kind == MeasureKind::Removal;
    let distribution = match &p.spec {
        ValueSpec::Fixed(_) => None,
        ValueSpec::Dist(d) => Some(DistributionInfo {
            dist: format!("{d:?}")
                .split([' ', '{'])
                .next()
                .unwrap_or_default()
                .to_lowercase(),
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
    let text = |key: &str| {
        table
            .get(key)
            .and_then(toml::Value::as_str)
            .map(String::from)
    };
    let adoption = table.get("adoption").and_then(toml::Value::as_table);
    let curve = adoption
        .and_then(|a| a.get("curve"))
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
        .to_string();
    let int = |key: &str| {
        adoption
            .and_then(|a| a.get(key))
            .and_then(toml::Value::as_integer)
            .and_then(|v| i32::try_from(v).ok())
    };
    let start = info.full.and(int("start"));
    let full = info.full.map(|f| model.params[f].central);
    MeasureView {
        id: info.id.clone(),
        name: info.name.clone(),
        name_fi: text("name_fi"),
        description: info.description.clone(),
        pillar: info.pillar.as_str(),
        kind: info.kind.as_str(),
        targets: table
            .get("targets")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(toml::Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        from: text("from"),
        to: text("to"),
        unit: if removal { "kt CO2e/yr" } else { "fraction" },
        value: p.central,
        range,
        slider_max,
        distribution,
        adoption: AdoptionInfo {
            curve,
            start,
            full,
            full_min: start.map(|s| f64::from(s) + 1.0),
            full_max: full.map(|f| MAX_FULL_YEAR.min(f.max(f64::from(end_year)) + 10.0).max(f)),
            year: (info.full.is_none()).then(|| int("year")).flatten(),
        },
        cost_eur_per_t: info.cost.map(|c| model.params[c].central),
        owner: text("owner"),
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

impl Explorer {
    /// Compiles every scenario of the library (all of them must compile, as for `kymsim run`).
    pub fn new(
        region: Region,
        library: ScenarioLibrary,
        compiled: Vec<(Scenario, Model)>,
        options: ExplorerOptions,
    ) -> crate::error::Result<Explorer> {
        let names: Vec<String> = library.names().map(String::from).collect();
        let mut entries = Vec::new();
        for ((scenario, model), name) in compiled.into_iter().zip(names) {
            let mut definitions = Vec::new();
            for info in &model.measures {
                let table = scenario
                    .files
                    .iter()
                    .filter(|f| f.name == info.file)
                    .find_map(|f| crate::scenario::measure_definition(&f.text, &info.id))
                    .ok_or_else(|| {
                        crate::error::InputError::new(format!(
                            "scenario `{name}`: the definition of measure `{}` was not found in `{}`",
                            info.id, info.file
                        ))
                    })?;
                definitions.push(table);
            }
            let measures = (0..model.measures.len())
                .map(|m| measure_view(&model, m, &definitions[m], region.end_year))
                .collect();
            let central = run_central(&model);
            entries.push(Entry {
                name,
                scenario,
                model: Arc::new(model),
                central,
                measures,
                definitions,
            });
        }
        let mut sectors = Vec::new();
        let mut removals = Vec::new();
        for e in &entries {
            sectors.extend(
                top_level(&e.model, &e.central.vars, GROSS)
                    .into_iter()
                    .map(|s| s.0),
            );
            removals.extend(
                top_level(&e.model, &e.central.vars, REMOVALS)
                    .into_iter()
                    .map(|s| s.0),
            );
        }
        let reference = entries.iter().position(|e| e.name == "baseline");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.background_threads.max(1))
            .thread_name(|i| format!("kymsim-serve-{i}"))
            .build()
            .map_err(|e| {
                crate::error::Error::internal(format!("cannot start worker threads: {e}"))
            })?;
        let sectors_fi = region.sector_names_fi();
        let mut explorer = Explorer {
            scenario_colors: ColorMap::scenarios(entries.iter().map(|e| e.name.as_str())),
            region,
            library,
            entries,
            reference,
            sector_colors: ColorMap::sectors(sectors),
            removal_colors: ColorMap::removals(removals),
            options,
            pool,
            models: Recent::new(MODEL_CACHE),
            attributions: Recent::new(ATTRIBUTION_CACHE),
            catalogue: Vec::new(),
            sectors_fi,
        };
        explorer.catalogue = serde_json::to_vec(&explorer.catalogue_value())
            .map_err(|e| crate::error::InputError::new(format!("cannot list scenarios: {e}")))?;
        Ok(explorer)
    }

    /// The region's name.
    pub fn region_name(&self) -> &str {
        &self.region.name
    }

    /// Scenario names, as the page lists them.
    pub fn scenario_names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// `GET /api/scenarios`: the region, its target and every scenario with its measures.
    pub fn catalogue(&self) -> &[u8] {
        &self.catalogue
    }

    fn catalogue_value(&self) -> serde_json::Value {
        let t = &self.region.target;
        let reference = self.reference.map(|r| self.entries[r].name.clone());
        // the page opens a scenario that builds on the reference, else the first
        let default = self
            .entries
            .iter()
            .find(|e| reference.is_some() && e.scenario.extends == reference)
            .or(self.entries.first())
            .map(|e| e.name.clone());
        let scenarios: Vec<serde_json::Value> = self
            .entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "name": e.name,
                    "description": e.scenario.description,
                    "extends": e.scenario.extends,
                    "color": hex(self.scenario_colors.get(&e.name)),
                    "net_kt": row(&e.model, &e.central.vars, NET),
                    "gross_kt": row(&e.model, &e.central.vars, GROSS),
                    "summary": self.summary(e, &e.model, &e.central),
                    "excluded": e.model.excluded.iter().map(|x| serde_json::json!({
                        "id": x.id, "name": x.name, "reason": x.reason
                    })).collect::<Vec<_>>(),
                    "measures": e.measures,
                })
            })
            .collect();
        let pillars: serde_json::Map<String, serde_json::Value> = crate::scenario::Pillar::ALL
            .iter()
            .map(|p| (p.as_str().to_string(), hex(pillar_color(*p)).into()))
            .collect();
        serde_json::json!({
            "region": {
                "name": self.region.name,
                "code": self.region.code,
                "base_year": self.region.base_year,
                "end_year": self.region.end_year,
                "accounting": self.region.accounting,
            },
            "target": {
                "year": t.year,
                "reference_year": t.reference_year,
                "reference_kt": t.reference_kt,
                "gross_limit_kt": t.gross_limit_kt(),
                "net_zero": t.net_zero,
            },
            "milestones": self.region.milestones.iter().map(|m| serde_json::json!({
                "year": m.year, "gross_limit_kt": m.gross_limit_kt, "basis": m.basis
            })).collect::<Vec<_>>(),
            "years": (self.region.base_year..=self.region.end_year).collect::<Vec<_>>(),
            "reference": reference,
            "default": default,
            "pillars": pillars,
            "carriers": self.region.carriers.iter().map(|c| (c.id.clone(), serde_json::json!({
                "name": c.name, "name_fi": c.name_fi
            }))).collect::<serde_json::Map<String, serde_json::Value>>(),
            "limits": {
                "batch_samples": [BATCH_SAMPLES.start(), BATCH_SAMPLES.end()],
                "default_batch_samples": DEFAULT_BATCH_SAMPLES,
            },
            "scenarios": scenarios,
        })
    }

    fn entry(&self, name: &str) -> Result<&Entry, ApiError> {
        self.entries.iter().find(|e| e.name == name).ok_or_else(|| {
            let hint = did_you_mean(name, self.scenario_names()).unwrap_or_else(|| {
                format!("known scenarios: {}", name_list(self.scenario_names()))
            });
            ApiError::field("scenario", format!("no scenario named `{name}`; {hint}"))
        })
    }

    /// Checks a request (scenario, overrides) without computing anything.
    pub fn validate(&self, req: &Request) -> Result<(), ApiError> {
        self.check(req).map(|_| ())
    }

    /// Checks a batch request (scenario, overrides, samples) without computing anything.
    pub fn validate_batch(&self, req: &Request) -> Result<(), ApiError> {
        self.check(req)?;
        batch_samples(req).map(|_| ())
    }

    /// Checks the overrides against the scenario's measures.
    fn check(&self, req: &Request) -> Result<(&Entry, Vec<Change>), ApiError> {
        let entry = self.entry(&req.scenario)?;
        let mut changes = Vec::new();
        for (id, o) in &req.overrides {
            let field = format!("overrides.{id}");
            let m = entry
                .measures
                .iter()
                .position(|v| v.id == *id)
                .ok_or_else(|| {
                    let hint = did_you_mean(id, entry.measures.iter().map(|v| v.id.as_str()))
                        .unwrap_or_else(|| {
                            format!(
                                "its measures: {}",
                                name_list(entry.measures.iter().map(|v| v.id.as_str()))
                            )
                        });
                    ApiError::field(
                        &field,
                        format!("no measure `{id}` in scenario `{}`; {hint}", entry.name),
                    )
                })?;
            let view = &entry.measures[m];
            if let Some(v) = o.value {
                let [lo, hi] = view.range;
                if !(v.is_finite() && (lo..=hi).contains(&v)) {
                    let unit = if view.unit == "fraction" {
                        "a fraction".to_string()
                    } else {
                        format!("in {}", view.unit)
                    };
                    return Err(ApiError::field(
                        format!("{field}.value"),
                        format!("{v} is outside the measure's range {lo}–{hi} ({unit})"),
                    ));
                }
            }
            if let Some(f) = o.full {
                let a = &view.adoption;
                let Some(start) = a.start else {
                    return Err(ApiError::field(
                        format!("{field}.full"),
                        format!(
                            "measure `{id}` has a {} adoption, which has no completion year",
                            a.curve
                        ),
                    ));
                };
                if !(f.is_finite() && f > f64::from(start) && f <= MAX_FULL_YEAR) {
                    return Err(ApiError::field(
                        format!("{field}.full"),
                        format!(
                            "{f} is outside the measure's completion years: after {start}, at most {MAX_FULL_YEAR}"
                        ),
                    ));
                }
            }
            if o.value.is_some() || o.full.is_some() {
                changes.push(Change {
                    measure: m,
                    value: o.value,
                    full: o.full,
                });
            }
        }
        Ok((entry, changes))
    }

    /// The exported scenario's name: the request's, or `<scenario>-explored`.
    fn export_name(&self, entry: &Entry, req: &Request) -> Result<String, ApiError> {
        match &req.name {
            Some(n) => {
                let ok = !n.is_empty()
                    && n.len() <= 64
                    && n.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                    });
                if !ok {
                    return Err(ApiError::field(
                        "name",
                        format!(
                            "`{n}` is not a scenario name: use 1–64 lower-case letters, digits, `_` and `-`"
                        ),
                    ));
                }
                if self.library.names().any(|x| x == n) {
                    return Err(ApiError::field(
                        "name",
                        format!(
                            "`{n}` is already a scenario of the library; choose another name so that the file can sit beside it"
                        ),
                    ));
                }
                Ok(n.clone())
            }
            None => {
                let mut base = entry.name.clone();
                base.truncate(64 - "-explored".len());
                Ok(format!("{base}-explored"))
            }
        }
    }

    /// `POST /api/export`: the settings as a scenario TOML extending the scenario picked.
    pub fn export(&self, req: &Request) -> Result<(String, String), ApiError> {
        let (entry, changes) = self.check(req)?;
        let name = self.export_name(entry, req)?;
        Ok((export::scenario_toml(entry, &changes, &name), name))
    }

    /// The model of the settings: the scenario's own when nothing changed, else the exported
    /// TOML compiled (cached).
    fn model(&self, entry: &Entry, changes: &[Change]) -> Result<Arc<Model>, ApiError> {
        if changes.is_empty() {
            return Ok(entry.model.clone());
        }
        let key = cache_key(entry, changes);
        if let Some(m) = self.models.get(&key) {
            return Ok(m);
        }
        let name = format!("{}-explored", entry.name);
        let text = export::scenario_toml(entry, changes, &name);
        let model = self
            .library
            .resolve_bytes(&format!("{name}.toml"), text.as_bytes())
            .and_then(|sc| compile(&self.region, &sc))
            .and_then(|m| check_central(&m).map(|()| m))
            .map_err(|e| ApiError::field("overrides", error_text(&e)))?;
        let model = Arc::new(model);
        self.models.put(key, model.clone());
        Ok(model)
    }

    fn summary(&self, entry: &Entry, model: &Model, r: &CentralResult) -> SummaryView {
        let s = &r.summary;
        SummaryView {
            scenario: entry.name.clone(),
            target_year: s.target_year,
            gross_kt: s.gross_kt,
            removals_kt: s.removals_kt,
            net_kt: s.net_kt,
            reference_kt: model.target.reference_kt,
            reduction_vs_reference: s.reduction_vs_reference,
            gross_limit_kt: model.target.gross_limit_kt(),
            gross_met: s.gross_met,
            net_zero_met: s.net_zero_met,
            target_met: s.target_met,
            neutrality_year: s.neutrality_year,
            cumulative_net_kt: s.cumulative_net_kt,
            milestones: model
                .milestones
                .iter()
                .zip(&r.milestones)
                .map(|(m, &met)| (format!("milestone_{}", m.year), met))
                .collect(),
        }
    }

    fn sector_series(&self, model: &Model, vars: &[f64], root: &str) -> Vec<SectorSeries> {
        let colors = if root == GROSS {
            &self.sector_colors
        } else {
            &self.removal_colors
        };
        top_level(model, vars, root)
            .into_iter()
            .map(|(name, kt)| SectorSeries {
                color: hex(colors.get(&name)),
                name_fi: self.sectors_fi.get(&name).cloned(),
                name,
                kt,
            })
            .collect()
    }

    /// `POST /api/evaluate`: the central run of the settings.
    pub fn evaluate(&self, req: &Request) -> Result<Evaluation, ApiError> {
        let (entry, changes) = self.check(req)?;
        let model = self.model(entry, &changes)?;
        let r = if changes.is_empty() {
            entry.central.clone()
        } else {
            run_central(&model)
        };
        let attribution = if req.attribution {
            Some(AttributionView::clone(
                &self.attribution(entry, &changes, &model),
            ))
        } else {
            None
        };
        let ny = model.ny;
        let rows = TotalRows::of(&model);
        let gross = &r.vars[rows.gross * ny..(rows.gross + 1) * ny];
        Ok(Evaluation {
            scenario: entry.name.clone(),
            years: model.years().collect(),
            summary: self.summary(entry, &model, &r),
            milestones: model
                .milestones
                .iter()
                .zip(&r.milestones)
                .map(|(m, &met)| MilestoneView {
                    year: m.year,
                    gross_limit_kt: m.gross_limit_kt,
                    gross_kt: gross[(m.year - model.base_year) as usize],
                    met,
                    basis: m.basis.clone(),
                })
                .collect(),
            series: Series {
                gross_kt: gross.to_vec(),
                removals_kt: r.vars[rows.removals * ny..(rows.removals + 1) * ny].to_vec(),
                net_kt: r.vars[rows.net * ny..(rows.net + 1) * ny].to_vec(),
            },
            sectors: self.sector_series(&model, &r.vars, GROSS),
            removal_sectors: self.sector_series(&model, &r.vars, REMOVALS),
            attribution,
        })
    }

    /// The Shapley attribution and cost curve of the settings, as `kymsim run` computes them
    /// (cached).
    fn attribution(
        &self,
        entry: &Entry,
        changes: &[Change],
        model: &Model,
    ) -> Arc<AttributionView> {
        let key = cache_key(entry, changes);
        if let Some(a) = self.attributions.get(&key) {
            return a;
        }
        let opts = ShapleyOptions {
            seed: self.options.seed,
            permutations: self.options.permutations,
            ..Default::default()
        };
        let a = self
            .pool
            .install(|| decision::attribute(model, &model.central(), &opts));
        let macc = decision::macc(model, &model.central());
        let t = model.target_index();
        let (method, permutations, seed) = match a.method {
            ShapleyMethod::Exact => ("exact", None, None),
            ShapleyMethod::Sampled { permutations, seed } => {
                ("sampled", Some(permutations), Some(seed))
            }
        };
        let view = Arc::new(AttributionView {
            method,
            permutations,
            seed,
            counterfactual_net_kt: a.counterfactual_net.clone(),
            measures: model
                .measures
                .iter()
                .enumerate()
                .map(|(m, info)| {
                    let cost = info.cost.map(|c| model.params[c].central);
                    let kt = a.contribution(m).to_vec();
                    Wedge {
                        id: info.id.clone(),
                        annual_cost_meur: cost.map(|c| kt[t] * 1000.0 * c / 1e6),
                        kt,
                        se_kt: a.standard_error(m).to_vec(),
                        cost_eur_per_t: cost,
                    }
                })
                .collect(),
            costed_abatement_kt: macc.total_abatement_kt(),
            annual_cost_meur: macc.total_annual_cost_meur(),
        });
        self.attributions.put(key, view.clone());
        view
    }

    /// `POST /api/batch`: a Monte Carlo batch of the settings — the same samples as `kymsim
    /// batch -n N --seed S` of the exported scenario. `cancel` stops it.
    pub fn batch(&self, req: &Request, cancel: &AtomicBool) -> Result<BatchView, ApiError> {
        let (entry, changes) = self.check(req)?;
        let samples = batch_samples(req)?;
        let seed = req.seed.unwrap_or(self.options.seed);
        let model = self.model(entry, &changes)?;
        let started = std::time::Instant::now();
        let opts = BatchOptions::new(samples, SamplerKind::MonteCarlo, seed);
        let (partial, bins) = self
            .pool
            .install(|| {
                let bins = binning(&model, &opts);
                run_batch(&model, &opts, &bins, cancel, &|_| {}).map(|p| (p, bins))
            })
            .map_err(|e| ApiError::request(error_text(&e)))?;
        let cells = self.pool.install(|| finish_cells(&partial, &bins));
        let n = partial.count as f64;
        let ny = model.ny;
        let net = TotalRows::of(&model).net;
        let q = |label: &str| {
            let i = QUANTILES
                .iter()
                .position(|(_, l)| *l == label)
                .unwrap_or_default();
            cells.quantiles[i][net * ny..(net + 1) * ny].to_vec()
        };
        let mut sorted = partial.net_target.clone();
        sorted.sort_by(f64::total_cmp);
        Ok(BatchView {
            samples,
            seed,
            sampler: "mc",
            p_target_met: partial.target_met as f64 / n,
            p_gross_met: partial.gross_met as f64 / n,
            p_net_zero_met: partial.net_met as f64 / n,
            net_kt_p5: quantile_sorted(&sorted, 0.05),
            net_kt_p50: quantile_sorted(&sorted, 0.5),
            net_kt_p95: quantile_sorted(&sorted, 0.95),
            p_never: partial.neutrality.iter().filter(|&&i| i == NEVER).count() as f64 / n,
            fan: Fan {
                p5: q("p5"),
                p25: q("p25"),
                p50: q("p50"),
                p75: q("p75"),
                p95: q("p95"),
            },
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// A key naming the settings exactly (shortest round-trip floats).
/// The samples of a batch request, checked against [`BATCH_SAMPLES`].
fn batch_samples(req: &Request) -> Result<u64, ApiError> {
    let samples = req.samples.unwrap_or(DEFAULT_BATCH_SAMPLES);
    if !BATCH_SAMPLES.contains(&samples) {
        return Err(ApiError::field(
            "samples",
            format!(
                "{samples} is outside {}–{} (run `kymsim batch` on the exported scenario for more)",
                BATCH_SAMPLES.start(),
                BATCH_SAMPLES.end()
            ),
        ));
    }
    Ok(samples)
}

fn cache_key(entry: &Entry, changes: &[Change]) -> String {
    let mut key = entry.name.clone();
    for c in changes {
        key.push_str(&format!("\n{}={:?},{:?}", c.measure, c.value, c.full));
    }
    key
}

/// An error's message with its hint, on one line.
fn error_text(e: &Error) -> String {
    match (e.to_string(), e.hint()) {
        (m, Some(h)) => format!("{m} ({h})"),
        (m, None) => m,
    }
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

    #[test]
    fn bad_bodies_name_the_field() {
        let e = Request::parse(b"{\"scenario\": 3}").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("scenario"));
        let e =
            Request::parse(b"{\"scenario\": \"x\", \"overrides\": {\"a\": {\"value\": \"high\"}}}")
                .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("overrides.a.value"));
        assert!(
            e.error
                .starts_with("overrides.a.value: invalid type: string"),
            "{}",
            e.error
        );
        let e = Request::parse(b"{\"scenario\": \"x\", \"overides\": {}}").unwrap_err();
        assert!(e.error.contains("unknown field `overides`"), "{}", e.error);
        let e = Request::parse(b"{\"scenario\": \"x\", \"overrides\": {\"a\": {\"value\": 1,")
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"), "{}", e.error);
        let e = Request::parse(b"not json").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
        let e = Request::parse(b"{\"scenario\": \"x\"} trailing").unwrap_err();
        assert!(e.error.starts_with("body: "), "{}", e.error);
        let r = Request::parse(b"{\"scenario\": \"x\", \"overrides\": {\"a\": {\"full\": 2035}}}")
            .unwrap();
        assert_eq!(
            r.overrides["a"],
            Override {
                value: None,
                full: Some(2035.0)
            }
        );
    }
}
