//! `kymsim serve`: an interactive explorer — a local web page where each measure of a scenario is
//! a slider and the target verdict and charts follow the hand.
//!
//! [`Explorer`] holds the region and the compiled scenarios and answers the JSON API of
//! `docs/serve.md` without knowing HTTP; [`http`] serves it and the page's embedded assets.
//!
//! Each scenario is compiled once, at start-up. A changed setting is the compiled model with the
//! moved measures' parameters fixed at the numbers chosen ([`Model::with_params`], the slots a
//! batch's sampler draws), checked as compiling checks them; the scenario TOML that
//! `POST /api/export` writes fixes the same numbers, so the page's figures are those
//! `kymsim run` gives for the exported file, to the last bit.

mod catalogue;
mod export;
pub mod http;
mod request;
mod view;

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use crate::charts::style::{ColorMap, pillar_color};
use crate::data::Region;
use crate::decision::{self, ShapleyMethod, ShapleyOptions};
use crate::engine::batch::{BatchOptions, binning, run_batch};
use crate::engine::sampler::SamplerKind;
use crate::engine::stats::{NEVER, QUANTILES, finish_cells, quantile_sorted};
use crate::engine::{CentralResult, TotalRows, check_central_result, run_central};
use crate::error::{Error, did_you_mean, name_list};
use crate::model::variables::{GROSS, NET, REMOVALS};
use crate::model::{MeasureIx, MeasureSetting, Model};
use crate::scenario::{Scenario, ScenarioLibrary};
use catalogue::{Catalogue, ExcludedView, ScenarioView, measure_view};
use request::batch_samples;

pub use request::{ApiError, Override, Request};
pub use view::{
    AdoptionInfo, AttributionView, BatchView, DistributionInfo, Evaluation, Fan, MeasureView,
    MilestoneView, SectorSeries, Series, SummaryView, Wedge,
};

/// The largest value of a `removal` measure the API accepts, kt CO2e/yr: the limit every
/// scenario value keeps (docs/scenario-format.md).
pub const MAX_REMOVAL_KT: f64 = 1e6;
/// The latest completion year (`full`) the API accepts, as `goal-seek --param full` searches.
pub const MAX_FULL_YEAR: f64 = 2300.0;
/// Samples of an uncertainty batch when the request does not say.
pub const DEFAULT_BATCH_SAMPLES: u64 = 10_000;
/// The fewest and the most samples one batch request may ask for.
pub const BATCH_SAMPLES: std::ops::RangeInclusive<u64> = 100..=100_000;
/// Settings kept with their model and central run (attribution and batches reuse them).
const SETTING_CACHE: usize = 16;
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

/// A setting's model and its central run, checked as `kymsim run` checks a scenario.
#[derive(Clone)]
struct Evaluated {
    model: Arc<Model>,
    central: Arc<CentralResult>,
}

/// One scenario as compiled at start-up.
struct Entry {
    /// Library name (file stem), as `extends` and `kymsim run NAME` take it.
    name: String,
    scenario: Scenario,
    /// For each of the model's measures, its definition: an index into `scenario.measures`.
    specs: Vec<usize>,
    /// The scenario as written.
    written: Evaluated,
    measures: Vec<MeasureView>,
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
    sector_colors: ColorMap,
    removal_colors: ColorMap,
    options: ExplorerOptions,
    pool: rayon::ThreadPool,
    settings: Recent<Evaluated>,
    attributions: Recent<Arc<AttributionView>>,
    catalogue: Vec<u8>,
    /// Finnish names of sector paths (`sector_fi` of sources.csv).
    sectors_fi: std::collections::BTreeMap<String, String>,
}

/// One scenario's entry: its measures' definitions found, their views, its central run.
fn entry_of(
    region: &Region,
    name: String,
    scenario: Scenario,
    model: Model,
) -> crate::error::Result<Entry> {
    let mut specs = Vec::with_capacity(model.measures.len());
    for info in &model.measures {
        let i = scenario
            .measures
            .iter()
            .position(|m| m.item.id() == info.id)
            .ok_or_else(|| {
                Error::internal(format!(
                    "scenario `{name}`: measure `{}` of the model is not among the scenario's measures",
                    info.id
                ))
            })?;
        specs.push(i);
    }
    let measures = specs
        .iter()
        .enumerate()
        .map(|(m, &i)| measure_view(&model, m, &scenario.measures[i].item, region.end_year))
        .collect();
    let central = run_central(&model);
    Ok(Entry {
        name,
        scenario,
        specs,
        written: Evaluated {
            model: Arc::new(model),
            central: Arc::new(central),
        },
        measures,
    })
}

impl Explorer {
    /// Takes every scenario of the library compiled (all of them must compile, as for
    /// `kymsim run`), in the library's order.
    pub fn new(
        region: Region,
        library: ScenarioLibrary,
        compiled: Vec<(Scenario, Model)>,
        options: ExplorerOptions,
    ) -> crate::error::Result<Explorer> {
        let names: Vec<String> = library.names().map(String::from).collect();
        let entries = compiled
            .into_iter()
            .zip(names)
            .map(|((scenario, model), name)| entry_of(&region, name, scenario, model))
            .collect::<crate::error::Result<Vec<Entry>>>()?;
        let mut sectors = Vec::new();
        let mut removals = Vec::new();
        for e in &entries {
            let (model, vars) = (&e.written.model, &e.written.central.vars);
            sectors.extend(top_level(model, vars, GROSS).into_iter().map(|s| s.0));
            removals.extend(top_level(model, vars, REMOVALS).into_iter().map(|s| s.0));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.background_threads.max(1))
            .thread_name(|i| format!("kymsim-serve-{i}"))
            .build()
            .map_err(|e| Error::internal(format!("cannot start worker threads: {e}")))?;
        let sectors_fi = region.sector_names_fi();
        let mut explorer = Explorer {
            region,
            library,
            entries,
            sector_colors: ColorMap::sectors(sectors),
            removal_colors: ColorMap::removals(removals),
            options,
            pool,
            settings: Recent::new(SETTING_CACHE),
            attributions: Recent::new(ATTRIBUTION_CACHE),
            catalogue: Vec::new(),
            sectors_fi,
        };
        explorer.catalogue = serde_json::to_vec(&explorer.catalogue_value())
            .map_err(|e| crate::error::InputError::new(format!("cannot list scenarios: {e}")))?;
        Ok(explorer)
    }

    /// The listing of `GET /api/scenarios`.
    fn catalogue_value(&self) -> Catalogue {
        let reference = self
            .entries
            .iter()
            .find(|e| e.name == "baseline")
            .map(|e| e.name.clone());
        // the page opens a scenario that builds on the reference, else the first
        let default = self
            .entries
            .iter()
            .find(|e| reference.is_some() && e.scenario.extends == reference)
            .or(self.entries.first())
            .map(|e| e.name.clone());
        let colors = ColorMap::scenarios(self.entries.iter().map(|e| e.name.as_str()));
        let scenarios = self
            .entries
            .iter()
            .map(|e| {
                let (model, central) = (&e.written.model, &e.written.central);
                ScenarioView {
                    name: e.name.clone(),
                    description: e.scenario.description.clone(),
                    extends: e.scenario.extends.clone(),
                    color: hex(colors.get(&e.name)),
                    net_kt: row(model, &central.vars, NET),
                    gross_kt: row(model, &central.vars, GROSS),
                    summary: self.summary(e, model, central),
                    excluded: model
                        .excluded
                        .iter()
                        .map(|x| ExcludedView {
                            id: x.id.clone(),
                            name: x.name.clone(),
                            reason: x.reason.clone(),
                        })
                        .collect(),
                    measures: e.measures.clone(),
                }
            })
            .collect();
        Catalogue::new(
            &self.region,
            reference,
            default,
            |p| hex(pillar_color(p)),
            scenarios,
        )
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
    fn check(&self, req: &Request) -> Result<(&Entry, Vec<MeasureSetting>), ApiError> {
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
                changes.push(MeasureSetting {
                    measure: MeasureIx(m),
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
        Ok((export::scenario_toml(entry, &changes, &name)?, name))
    }

    /// The settings' model and central run: the scenario's own when nothing changed, else its
    /// compiled model with the changed parameters fixed, checked as compiling and `kymsim run`
    /// check a scenario (cached).
    fn setting(&self, entry: &Entry, changes: &[MeasureSetting]) -> Result<Evaluated, ApiError> {
        if changes.is_empty() {
            return Ok(entry.written.clone());
        }
        let key = cache_key(entry, changes);
        if let Some(s) = self.settings.get(&key) {
            return Ok(s);
        }
        let refused = |e: Error| ApiError::field("overrides", error_text(&e));
        let mut model = entry.written.model.with_params(changes).map_err(refused)?;
        // named as the export is: a batch keys its samples by the scenario's name, so that the
        // server's batch draws those of `kymsim batch` of the exported file
        model.scenario = format!("{}-explored", entry.name);
        let central = run_central(&model);
        check_central_result(&model, &central).map_err(refused)?;
        let s = Evaluated {
            model: Arc::new(model),
            central: Arc::new(central),
        };
        self.settings.put(key, s.clone());
        Ok(s)
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
        let Evaluated { model, central } = self.setting(entry, &changes)?;
        let r = &*central;
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
            summary: self.summary(entry, &model, r),
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
        changes: &[MeasureSetting],
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
        let model = self.setting(entry, &changes)?.model;
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
fn cache_key(entry: &Entry, changes: &[MeasureSetting]) -> String {
    let mut key = entry.name.clone();
    for c in changes {
        key.push_str(&format!("\n{}={:?},{:?}", c.measure.0, c.value, c.full));
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
