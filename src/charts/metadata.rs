//! `metadata.json`: what the charts and the report need to know besides the numbers — the
//! region, its target and inventory, each scenario's description and measures, and the
//! dataset's provenance text — so that `kymsim plot` works from an output folder alone.
//!
//! Deterministic: no timestamp, scenarios in run order, measures in application order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

use crate::data::Region;
use crate::model::{Curve, Model};
use crate::scenario::Scenario;

pub use crate::output::schema::METADATA_JSON;

/// The contents of `metadata.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Region name.
    pub region: String,
    /// NUTS 3 code.
    pub code: String,
    /// First modelled year.
    pub base_year: i32,
    /// Last modelled year.
    pub end_year: i32,
    /// The target.
    pub target: TargetMeta,
    /// Historical inventory.
    pub history: Vec<HistoryMeta>,
    /// Scenarios in run order.
    pub scenarios: Vec<ScenarioMeta>,
    /// The dataset's `SOURCES.md`, if any.
    pub sources_md: Option<String>,
    /// Interim milestones, by year.
    #[serde(default)]
    pub milestones: Vec<MilestoneMeta>,
    /// The target path of gross emissions, kt CO2e per year from the base year to the target
    /// year ([`Region::target_path`] from the base-year inventory, six decimals); empty without a base-year
    /// inventory total or a gross limit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_path: Vec<(i32, f64)>,
    /// Accounting basis (region.toml `accounting`).
    #[serde(default)]
    pub accounting: Option<String>,
    /// Whether removals at EU ETS installations count.
    #[serde(default)]
    pub count_ets_removals: bool,
    /// The language the run drew in (`--lang`, else region.toml `lang`); `kymsim plot` draws
    /// in it unless given `--lang`. Absent: English.
    #[serde(default, skip_serializing_if = "is_english")]
    pub lang: Lang,
    /// Finnish names of sector paths (`Transport|Road` → `Liikenne|Tieliikenne`, every prefix),
    /// from `sector_fi` of sources.csv.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sectors_fi: BTreeMap<String, String>,
    /// Finnish names of carriers (by the carrier name of the results), from `name_fi` of
    /// carriers.csv.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub carriers_fi: BTreeMap<String, String>,
    /// The reference scenario of `difference.csv` when it is not among the scenarios run (its
    /// measures name the rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<ScenarioMeta>,
    /// Display names of the sources and carriers a measure can target, by id:
    /// (English name, Finnish name if the data give one).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub target_names: BTreeMap<String, (String, Option<String>)>,
    /// The dataset's emission sources with the class of their provenance, for the Finnish
    /// appendix of the report (generated from the data, as `SOURCES.md` is English prose).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceMeta>,
    /// The carbon budget (region.toml `[budget]`), for the report's words on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetMeta>,
}

/// The carbon budget as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetMeta {
    /// The first year counted (the last is the target year).
    pub from_year: i32,
    /// The budget, kt CO2e.
    pub kt: f64,
    /// What is counted: `gross` or `net`.
    pub basis: String,
}

impl BudgetMeta {
    /// The budget of region.toml.
    pub fn of(b: &crate::data::Budget) -> BudgetMeta {
        BudgetMeta {
            from_year: b.from_year,
            kt: b.kt,
            basis: b.basis.as_str().into(),
        }
    }

    /// The budget as a criterion of the list ([`crate::model::criteria`]), judged in
    /// `target_year`: its label is the report's name for it.
    pub fn criterion(&self, target_year: i32) -> crate::model::criteria::Criterion {
        use crate::model::criteria::{Criterion, Role, Test};
        Criterion {
            id: "within_budget".into(),
            role: Role::Budget,
            test: Test::Cumulative {
                from_year: self.from_year,
                to_year: target_year,
                kt: self.kt,
                basis: if self.basis == "net" {
                    crate::data::BudgetBasis::Net
                } else {
                    crate::data::BudgetBasis::Gross
                },
            },
        }
    }
}

/// An emission source of the dataset and how its numbers were obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Finnish name, if the data give one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_fi: Option<String>,
    /// Sector path.
    pub sector: String,
    /// The class its provenance starts with: `sourced`, `derived`, `estimated`, `calibrated`.
    pub class: String,
}

/// The class a provenance text starts with (`sourced:`, `derived:`, `estimated:`,
/// `CALIBRATED:`, `derived/estimated:`), lower-case; `estimated` when it names none.
pub fn provenance_class(provenance: &str) -> String {
    let head = provenance
        .split([':', ',', ' ', '('])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match head.as_str() {
        "sourced" | "derived" | "estimated" | "calibrated" | "derived/estimated" => head,
        _ => "estimated".to_string(),
    }
}

fn is_english(l: &Lang) -> bool {
    *l == Lang::En
}

/// An interim milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneMeta {
    /// Year.
    pub year: i32,
    /// Gross limit, kt CO2e.
    pub gross_limit_kt: f64,
    /// How the limit was set (e.g. `−80 % from 2007`).
    pub basis: String,
}

/// A measure the accounting left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcludedMeta {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Finnish display name (`name_fi` of the scenario), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_fi: Option<String>,
    /// Why it does not count.
    pub reason: String,
}

/// The region's target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetMeta {
    /// Target year.
    pub year: i32,
    /// Reference year.
    pub reference_year: i32,
    /// Gross emissions in the reference year, kt CO2e.
    pub reference_kt: f64,
    /// Gross limit as a fraction of the reference, if any.
    pub max_gross_fraction: Option<f64>,
    /// Gross limit in kt, if any.
    pub gross_limit_kt: Option<f64>,
    /// Net ≤ 0 required.
    pub net_zero: bool,
}

/// A historical inventory figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryMeta {
    /// Year.
    pub year: i32,
    /// `Total` or a sector path.
    pub sector: String,
    /// kt CO2e.
    pub kt: f64,
    /// Provenance.
    pub provenance: String,
}

/// A scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioMeta {
    /// Name.
    pub name: String,
    /// Finnish display name (`name_fi` of the scenario), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_fi: Option<String>,
    /// Description.
    pub description: String,
    /// Finnish description (`description_fi`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_fi: Option<String>,
    /// Parent scenario.
    pub extends: Option<String>,
    /// Measures in application order (inherited first).
    pub measures: Vec<MeasureMeta>,
    /// Measures the accounting left out.
    #[serde(default)]
    pub excluded: Vec<ExcludedMeta>,
    /// The scenario's `[[uncertainty]]` factors: parameter name and description.
    #[serde(default)]
    pub uncertainties: Vec<UncertaintyMeta>,
}

/// An uncertainty factor, for readable chart labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyMeta {
    /// Its parameter name (`uncertainty.<id>`), as in `sensitivity.csv`.
    pub parameter: String,
    /// Its description (empty when the scenario gives none).
    pub description: String,
    /// Its Finnish description (`description_fi`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_fi: Option<String>,
}

/// A measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureMeta {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Finnish display name (`name_fi` of the scenario), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_fi: Option<String>,
    /// Description.
    pub description: String,
    /// Finnish description (`description_fi`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_fi: Option<String>,
    /// Who takes the measure (`region`, `municipality`, `national`, `eu`), if the scenario says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Pillar (`logistics`, `bioeconomy`, …).
    pub pillar: String,
    /// Kind (`fuel_switch`, …).
    pub kind: String,
    /// Resolved target ids.
    pub targets: Vec<String>,
    /// Central value: a fraction, or kt/yr for removals.
    pub value: f64,
    /// Central cost, € per t CO2e, if given.
    pub cost_eur_per_t: Option<f64>,
    /// The adoption curve in words, e.g. `logistic 2022–2040`.
    pub adoption: String,
}

impl Metadata {
    /// The metadata of a run of `models` on `region`.
    pub fn new(region: &Region, models: &[(Scenario, Model)]) -> Metadata {
        let t = &region.target;
        Metadata {
            region: region.name.clone(),
            code: region.code.clone(),
            base_year: region.base_year,
            end_year: region.end_year,
            target: TargetMeta {
                year: t.year,
                reference_year: t.reference_year,
                reference_kt: t.reference_kt,
                max_gross_fraction: t.max_gross_fraction,
                gross_limit_kt: t.gross_limit_kt(),
                net_zero: t.net_zero,
            },
            history: region
                .history
                .iter()
                .map(|h| HistoryMeta {
                    year: h.year,
                    sector: h.sector.clone(),
                    kt: h.kt,
                    provenance: h.provenance.clone(),
                })
                .collect(),
            scenarios: models
                .iter()
                .map(|(sc, m)| {
                    let mut meta = scenario_meta(m);
                    meta.uncertainties = uncertainty_meta(sc);
                    name_measures_fi(&mut meta, sc);
                    meta
                })
                .collect(),
            sources_md: region.sources_md.clone(),
            milestones: region
                .milestones
                .iter()
                .map(|m| MilestoneMeta {
                    year: m.year,
                    gross_limit_kt: m.gross_limit_kt,
                    basis: m.basis.clone(),
                })
                .collect(),
            target_path: region
                .base_inventory_kt()
                .and_then(|kt| region.target_path(kt))
                .unwrap_or_default()
                .into_iter()
                // six decimals, as the CSV outputs: no binary noise (328.99999999999994)
                .map(|(y, kt)| (y, (kt * 1e6).round() / 1e6))
                .collect(),
            accounting: region.accounting.clone(),
            count_ets_removals: region.count_ets_removals,
            lang: region.lang.unwrap_or_default(),
            sectors_fi: {
                let mut fi = region.sector_names_fi();
                for (en, f) in removal_sectors_fi(models.iter().map(|(s, _)| s)) {
                    fi.entry(en).or_insert(f);
                }
                fi
            },
            carriers_fi: region
                .carriers
                .iter()
                .filter_map(|c| Some((c.name.clone(), c.name_fi.clone()?)))
                .collect(),
            reference: None,
            sources: region
                .sources
                .iter()
                .map(|s| SourceMeta {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    name_fi: s.name_fi.clone(),
                    sector: s.sector.clone(),
                    class: provenance_class(&s.provenance),
                })
                .collect(),
            target_names: region
                .sources
                .iter()
                .map(|s| (s.id.clone(), (s.name.clone(), s.name_fi.clone())))
                .chain(
                    region
                        .carriers
                        .iter()
                        .map(|c| (c.id.clone(), (c.name.clone(), c.name_fi.clone()))),
                )
                .collect(),
            budget: region.budget.as_ref().map(BudgetMeta::of),
        }
    }

    /// A scenario's display name in `lang` (its `name_fi` in Finnish when given).
    pub fn scenario_name(&self, name: &str, lang: Lang) -> String {
        let fi = self
            .scenario(name)
            .or(self.reference.as_ref().filter(|r| r.name == name))
            .and_then(|s| s.name_fi.as_deref());
        lang.pick(name, fi).to_string()
    }

    /// A measure target (a source or carrier id, or a removal's `Carbon Removal|…` path) by
    /// its name in `lang`; the id itself when the data do not name it.
    pub fn target_name(&self, target: &str, lang: Lang) -> String {
        if let Some(path) = target.strip_prefix("Carbon Removal|") {
            let head = lang.t(crate::i18n::Msg::RemovalsWord);
            return format!(
                "{head} › {}",
                lang.pick(path, self.finnish(path)).replace('|', " › ")
            );
        }
        match self.target_names.get(target) {
            Some((en, fi)) => lang.pick(en, fi.as_deref()).to_string(),
            None => target.to_string(),
        }
    }

    /// Records the reference scenario of the difference view when it is not among `models`.
    pub fn add_reference_measures(
        &mut self,
        reference: Option<(&Scenario, &Model)>,
        models: &[(Scenario, Model)],
    ) {
        if let Some((sc, m)) = reference
            && !models.iter().any(|(s, _)| s.name == sc.name)
        {
            let mut meta = scenario_meta(m);
            name_measures_fi(&mut meta, sc);
            self.reference = Some(meta);
        }
    }

    /// Measure `id` as `scenario` has it, else as `reference` has it (also when the reference
    /// was not run and is recorded under `reference`).
    pub fn measure_of(&self, scenario: &str, reference: &str, id: &str) -> Option<&MeasureMeta> {
        [scenario, reference]
            .into_iter()
            .filter_map(|n| {
                self.scenario(n)
                    .or(self.reference.as_ref().filter(|r| r.name == n))
            })
            .flat_map(|s| &s.measures)
            .find(|m| m.id == id)
    }

    /// The Finnish name of a sector path or carrier name, when the data gives one.
    pub fn finnish(&self, name: &str) -> Option<&str> {
        self.sectors_fi
            .get(name)
            .or_else(|| self.carriers_fi.get(name))
            .map(String::as_str)
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("metadata serialises");
        s.push('\n');
        s.into_bytes()
    }

    /// A scenario by name.
    pub fn scenario(&self, name: &str) -> Option<&ScenarioMeta> {
        self.scenarios.iter().find(|s| s.name == name)
    }
}

/// The Finnish names and descriptions of the scenario and its measures (`name_fi`,
/// `description_fi`), and who takes each measure (`owner`).
fn name_measures_fi(meta: &mut ScenarioMeta, sc: &Scenario) {
    meta.name_fi = sc.name_fi.clone();
    meta.description_fi = sc.description_fi.clone();
    let spec = |id: &str| sc.measures.iter().find(|spec| spec.item.id() == id);
    let fi = |id: &str| spec(id).and_then(|s| s.item.name_fi()).map(String::from);
    for mm in &mut meta.measures {
        mm.name_fi = fi(&mm.id);
        mm.description_fi = spec(&mm.id)
            .and_then(|s| s.item.description_fi())
            .map(String::from);
        mm.owner = spec(&mm.id)
            .and_then(|s| s.item.owner())
            .map(|o| o.as_str().to_string());
    }
    for e in &mut meta.excluded {
        e.name_fi = fi(&e.id);
    }
}

/// Every prefix of every removal measure's sector path (under `Carbon Removal|`) with its
/// Finnish name (`sector_fi`).
fn removal_sectors_fi<'a>(
    scenarios: impl Iterator<Item = &'a Scenario>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for sc in scenarios {
        for m in &sc.measures {
            let Some((sector, Some(fi))) = m.item.action.removal_sector() else {
                continue;
            };
            if fi.trim().is_empty() {
                continue;
            }
            let (en, fi): (Vec<&str>, Vec<&str>) =
                (sector.split('|').collect(), fi.split('|').collect());
            for k in 1..=en.len().min(fi.len()) {
                out.entry(en[..k].join("|"))
                    .or_insert_with(|| fi[..k].join("|"));
            }
        }
    }
    out
}

/// A readable name for one of `model`'s parameters (see [`super::parameter_label`]).
pub fn model_parameter_label(
    model: &Model,
    scenario: &Scenario,
    parameter: &str,
    lang: Lang,
) -> String {
    let uncertainties = uncertainty_meta(scenario);
    super::parameter_label(
        parameter,
        lang,
        |id| {
            let spec = scenario.measures.iter().find(|m| m.item.id() == id);
            model.measures.iter().find(|m| m.id == id).map(|m| {
                lang.pick(&m.name, spec.and_then(|s| s.item.name_fi()))
                    .to_string()
            })
        },
        |p| {
            uncertainties.iter().find(|u| u.parameter == p).map(|u| {
                lang.pick(&u.description, u.description_fi.as_deref())
                    .to_string()
            })
        },
    )
}

/// Each `[[uncertainty]]` of a scenario under its parameter name (the same naming as
/// `model::compile`: `uncertainty.<id>`, or `uncertainty.<target>#<position>` without an id).
fn uncertainty_meta(sc: &Scenario) -> Vec<UncertaintyMeta> {
    sc.uncertainties
        .iter()
        .enumerate()
        .map(|(i, u)| UncertaintyMeta {
            parameter: format!(
                "uncertainty.{}",
                u.item.id.clone().unwrap_or_else(|| format!(
                    "{}#{}",
                    u.item.target.get_ref(),
                    i + 1
                ))
            ),
            description: u.item.description.clone().unwrap_or_default(),
            description_fi: u
                .item
                .description_fi
                .clone()
                .filter(|d| !d.trim().is_empty()),
        })
        .collect()
}

fn scenario_meta(m: &Model) -> ScenarioMeta {
    ScenarioMeta {
        name: m.scenario.clone(),
        name_fi: None,
        description: m.description.clone(),
        description_fi: None,
        extends: m.extends.clone(),
        uncertainties: Vec::new(),
        excluded: m
            .excluded
            .iter()
            .map(|e| ExcludedMeta {
                id: e.id.clone(),
                name: e.name.clone(),
                name_fi: None,
                reason: e.reason.clone(),
            })
            .collect(),
        measures: m
            .measures
            .iter()
            .map(|mi| {
                let full = mi.full.map(|f| m.params[f].central);
                let adoption = match (&mi.curve, full) {
                    (Curve::Linear { start }, Some(f)) => format!("linear {start}–{f}"),
                    (Curve::Logistic { start, .. }, Some(f)) => format!("logistic {start}–{f}"),
                    (Curve::Linear { start }, None) => format!("linear from {start}"),
                    (Curve::Logistic { start, .. }, None) => format!("logistic from {start}"),
                    (Curve::Step { year }, _) => format!("step {year}"),
                    (Curve::Table { points }, _) => {
                        let p: Vec<String> = points
                            .iter()
                            .map(|(y, u)| format!("{y}: {}", crate::output::fmt_num(*u)))
                            .collect();
                        format!("table {}", p.join(", "))
                    }
                };
                MeasureMeta {
                    id: mi.id.clone(),
                    name: mi.name.clone(),
                    name_fi: None,
                    description: mi.description.clone(),
                    description_fi: None,
                    owner: None,
                    pillar: mi.pillar.as_str().to_string(),
                    kind: mi.kind.as_str().to_string(),
                    targets: mi
                        .targets
                        .split(',')
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                        .collect(),
                    value: m.params[mi.value].central,
                    cost_eur_per_t: mi.cost.map(|c| m.params[c].central),
                    adoption,
                }
            })
            .collect(),
    }
}
