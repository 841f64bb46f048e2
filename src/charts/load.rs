//! Reading an output folder into [`ChartData`]: the one place that parses `results.csv`,
//! `summary.csv`, `metadata.json` and the optional `wedges.csv`, `macc.csv`,
//! `sensitivity.csv`, `batch/stats.csv` and `batch/distributions.csv`.
//!
//! `kymsim run` parses the bytes it has just staged through the same functions, so `run` and
//! a later `kymsim plot` draw from identical data and give identical files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::metadata::{METADATA_JSON, Metadata, ScenarioMeta};
use super::style::pillar_named;
use crate::data::{Row, Table};
use crate::engine::Summary;
use crate::error::{InputError, Result};
use crate::input::TextFile;
use crate::model::variables::{FINAL_ENERGY, NET};
pub use crate::output::schema::DIFFERENCE_CSV;
use crate::output::schema::{
    self, BATCH_SUMMARY_COLUMNS, IAMC_COLUMNS, SUMMARY_COLUMNS, columns_except,
};
pub use crate::output::schema::{
    BATCH_SUMMARY_CSV, BatchSummaryRecord, DISTRIBUTIONS_CSV, MACC_CSV, SENSITIVITY_CSV, STATS_CSV,
    SummaryRecord, WEDGES_CSV,
};
use crate::scenario::{Owner, Pillar};

/// The files the charts read; the optional ones are `None` when absent.
#[derive(Debug)]
pub struct OutputFiles {
    /// `results.csv`.
    pub results: TextFile,
    /// `summary.csv`.
    pub summary: TextFile,
    /// `metadata.json`.
    pub metadata: TextFile,
    /// `wedges.csv`.
    pub wedges: Option<TextFile>,
    /// `macc.csv`.
    pub macc: Option<TextFile>,
    /// `sensitivity.csv`.
    pub sensitivity: Option<TextFile>,
    /// `batch/stats.csv`.
    pub stats: Option<TextFile>,
    /// `batch/distributions.csv`.
    pub distributions: Option<TextFile>,
    /// `batch/summary.csv`.
    pub batch_summary: Option<TextFile>,
    /// `difference.csv`.
    pub difference: Option<TextFile>,
    /// `track/` (summary, observations, deviation and the chart).
    pub track: Option<super::load_track::TrackFiles>,
}

fn read_required(dir: &Path, name: &str) -> Result<TextFile> {
    let path = dir.join(name);
    // present but not a regular file (a FIFO, a device): refused by the reader, never waited on
    if !path.exists() {
        return Err(InputError::new(format!(
            "`{}` is missing: it is not a kymsim output folder",
            path.display()
        ))
        .hint("run `kymsim run --out DIR` first; `kymsim plot DIR` redraws the charts of DIR")
        .into());
    }
    TextFile::read(&path)
}

fn read_optional(dir: &Path, name: &str) -> Result<Option<TextFile>> {
    let path = dir.join(name);
    if path.exists() {
        TextFile::read(&path).map(Some)
    } else {
        Ok(None)
    }
}

impl OutputFiles {
    /// Reads every chart input present in `dir`.
    pub fn read_dir(dir: &Path) -> Result<OutputFiles> {
        Ok(OutputFiles {
            results: read_required(dir, crate::output::RESULTS_CSV)?,
            summary: read_required(dir, crate::output::SUMMARY_CSV)?,
            metadata: read_required(dir, METADATA_JSON)?,
            ..OutputFiles::optional_only(dir)?
        })
    }

    /// The given core files plus the optional files found in `dir`.
    pub fn with_core(
        dir: &Path,
        results: TextFile,
        summary: TextFile,
        metadata: TextFile,
    ) -> Result<OutputFiles> {
        Ok(OutputFiles {
            results,
            summary,
            metadata,
            ..OutputFiles::optional_only(dir)?
        })
    }

    /// Forgets the optional files named in `skip` (stale derived outputs: not drawn).
    pub fn without(mut self, skip: &[&str]) -> OutputFiles {
        for (name, slot) in [
            (WEDGES_CSV, &mut self.wedges),
            (MACC_CSV, &mut self.macc),
            (SENSITIVITY_CSV, &mut self.sensitivity),
            (STATS_CSV, &mut self.stats),
            (DISTRIBUTIONS_CSV, &mut self.distributions),
            (BATCH_SUMMARY_CSV, &mut self.batch_summary),
            (DIFFERENCE_CSV, &mut self.difference),
        ] {
            if skip.contains(&name) {
                *slot = None;
            }
        }
        if skip.contains(&schema::TRACK_SUMMARY_CSV) {
            self.track = None;
        }
        self
    }

    fn optional_only(dir: &Path) -> Result<OutputFiles> {
        let empty = || TextFile::from_bytes("", b"");
        Ok(OutputFiles {
            results: empty()?,
            summary: empty()?,
            metadata: empty()?,
            wedges: read_optional(dir, WEDGES_CSV)?,
            macc: read_optional(dir, MACC_CSV)?,
            sensitivity: read_optional(dir, SENSITIVITY_CSV)?,
            stats: read_optional(dir, STATS_CSV)?,
            distributions: read_optional(dir, DISTRIBUTIONS_CSV)?,
            batch_summary: read_optional(dir, BATCH_SUMMARY_CSV)?,
            difference: read_optional(dir, DIFFERENCE_CSV)?,
            track: super::load_track::TrackFiles::read(dir)?,
        })
    }
}

/// P(target met) and the sample count of each scenario in `dir`'s `batch/summary.csv` (none
/// when it is absent), for a region with milestones in `milestones`. The caller decides
/// whether the batch is current (`output::prior`).
pub fn read_batch_summary(
    dir: &Path,
    milestones: &[i32],
) -> Result<BTreeMap<String, BatchSummaryRecord>> {
    match read_optional(dir, BATCH_SUMMARY_CSV)? {
        Some(f) => parse_batch_summary(&f, milestones),
        None => Ok(BTreeMap::new()),
    }
}

fn parse_batch_summary(
    file: &TextFile,
    milestones: &[i32],
) -> Result<BTreeMap<String, BatchSummaryRecord>> {
    let milestone_cols: Vec<String> = milestones
        .iter()
        .map(|&y| schema::p_milestone_column(y))
        .collect();
    const REQUIRED: [&str; 5] = [
        "scenario",
        "samples",
        "p_target_met",
        "net_kt_p5",
        "net_kt_p95",
    ];
    let mut optional = columns_except(&BATCH_SUMMARY_COLUMNS, &REQUIRED);
    optional.extend(milestone_cols.iter().map(String::as_str));
    optional.push("p_within_budget");
    let table = Table::read(file, &REQUIRED, &optional)?;
    let mut out = BTreeMap::new();
    for row in table.rows() {
        let rec = BatchSummaryRecord {
            samples: row.f64("samples")? as u64,
            p_target_met: row.f64("p_target_met")?,
            p_net_zero_met: row.opt_f64("p_net_zero_met")?,
            net_kt_p5: row.f64("net_kt_p5")?,
            net_kt_p95: row.f64("net_kt_p95")?,
            p_milestones: milestone_cols
                .iter()
                .map(|c| row.opt_f64(c))
                .collect::<Result<_>>()?,
            p_within_budget: row.opt_f64("p_within_budget")?,
        };
        out.insert(scenario_name(&row, "scenario")?.to_string(), rec);
    }
    Ok(out)
}

/// One scenario's results and description.
#[derive(Debug, Clone)]
pub struct ScenarioData {
    /// Name.
    pub name: String,
    /// Description and measures.
    pub meta: ScenarioMeta,
    /// Variable → (unit, values per year of [`ChartData::years`]).
    pub vars: BTreeMap<String, (String, Vec<f64>)>,
    /// The summary row, if present.
    pub summary: Option<SummaryRecord>,
}

impl ScenarioData {
    /// A variable's values (zeros when absent).
    pub fn values(&self, var: &str, n: usize) -> Vec<f64> {
        self.vars
            .get(var)
            .map_or_else(|| vec![0.0; n], |(_, v)| v.clone())
    }

    /// Top-level children of `root` (e.g. `Transport` of `Emissions|Kyoto Gases|Transport`).
    pub fn top_level(&self, root: &str) -> Vec<(String, Vec<f64>)> {
        let prefix = format!("{root}|");
        self.vars
            .iter()
            .filter_map(|(k, (_, v))| {
                let rest = k.strip_prefix(&prefix)?;
                (!rest.contains('|')).then(|| (rest.to_string(), v.clone()))
            })
            .collect()
    }

    /// Final energy summed by carrier over the leaf variables `Final Energy|…|<Carrier>`.
    pub fn energy_by_carrier(&self) -> BTreeMap<String, Vec<f64>> {
        let prefix = format!("{FINAL_ENERGY}|");
        let names: Vec<&String> = self
            .vars
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .collect();
        let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for (i, k) in names.iter().enumerate() {
            // a leaf has no child: the next name in sorted order does not extend it
            let child = format!("{k}|");
            let is_leaf = names.get(i + 1).is_none_or(|n| !n.starts_with(&child));
            if !is_leaf {
                continue;
            }
            let carrier = k.rsplit('|').next().unwrap_or(k).to_string();
            let v = &self.vars[*k].1;
            let acc = out.entry(carrier).or_insert_with(|| vec![0.0; v.len()]);
            for (a, x) in acc.iter_mut().zip(v) {
                *a += x;
            }
        }
        out
    }
}

/// A row of `wedges.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct WedgeRow {
    /// Scenario.
    pub scenario: String,
    /// Measure id.
    pub measure: String,
    /// Pillar.
    pub pillar: Pillar,
    /// Year.
    pub year: i32,
    /// Contribution to the reduction of net emissions, kt CO2e/yr.
    pub kt: f64,
}

/// A row of `macc.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct MaccRow {
    /// Scenario.
    pub scenario: String,
    /// Measure id.
    pub measure: String,
    /// Measure name.
    pub name: String,
    /// Pillar.
    pub pillar: Pillar,
    /// Year of the abatement.
    pub target_year: i32,
    /// Abatement, kt CO2e/yr.
    pub abatement_kt: f64,
    /// Cost, € per t CO2e.
    pub cost_eur_per_t: f64,
}

/// A row of `difference.csv`: one share of the gap between a scenario and its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct DifferenceRow {
    /// Scenario.
    pub scenario: String,
    /// Reference scenario.
    pub reference: String,
    /// Year.
    pub year: i32,
    /// Measure id (empty: the pillar's measures together).
    pub measure: String,
    /// Pillar.
    pub pillar: Pillar,
    /// Contribution to reference net − scenario net, kt CO2e/yr.
    pub kt: f64,
    /// Who takes the measure (none: unknown, the rest, or a pillar row).
    pub owner: Option<Owner>,
    /// Added annual cost, M€/yr (none: no cost given).
    pub annual_cost_meur: Option<f64>,
}

/// A row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// Scenario.
    pub scenario: String,
    /// Parameter name.
    pub parameter: String,
    /// First-order index and its 95 % CI.
    pub first: (f64, f64, f64),
    /// Total-order index and its 95 % CI.
    pub total: (f64, f64, f64),
}

/// A bin of `batch/distributions.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    /// Lower edge (None: the "never" bin).
    pub lo: Option<f64>,
    /// Upper edge.
    pub hi: Option<f64>,
    /// Samples in the bin.
    pub count: u64,
}

/// Batch distributions of one scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distributions {
    /// Target-year net emissions.
    pub net_kt: Vec<Bin>,
    /// Neutrality year (the "never" bin has no edges).
    pub neutrality_year: Vec<Bin>,
}

/// Batch percentiles of net emissions of one scenario, per year of [`Band::years`].
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Years.
    pub years: Vec<i32>,
    /// 5th percentile.
    pub p5: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 95th percentile.
    pub p95: Vec<f64>,
}

/// Everything the charts and the report draw.
#[derive(Debug, Clone)]
pub struct ChartData {
    /// Region, target, history, descriptions, provenance.
    pub meta: Metadata,
    /// Years of the results.
    pub years: Vec<i32>,
    /// Scenarios in run order.
    pub scenarios: Vec<ScenarioData>,
    /// Wedges by scenario (None: no `wedges.csv`).
    pub wedges: Option<Vec<WedgeRow>>,
    /// MACC rows (None: no `macc.csv`).
    pub macc: Option<Vec<MaccRow>>,
    /// Sobol indices (None: no `sensitivity.csv`).
    pub sensitivity: Option<Vec<SensitivityRow>>,
    /// Net-emission percentiles by scenario (empty: no batch).
    pub bands: BTreeMap<String, Band>,
    /// Batch distributions by scenario (empty: no batch).
    pub distributions: BTreeMap<String, Distributions>,
    /// Batch probabilities by scenario (empty: no batch).
    pub batch_summary: BTreeMap<String, BatchSummaryRecord>,
    /// Shares of the gap to the reference scenario (None: no `difference.csv`).
    pub difference: Option<Vec<DifferenceRow>>,
    /// The plan of `plan/` while it is current (set by the caller, who knows the inputs).
    pub plan: Option<super::load_plan::PlanSection>,
    /// The update by observed years (None: no current `track/`).
    pub track: Option<super::load_track::TrackData>,
}

impl ChartData {
    /// Parses the files.
    pub fn parse(files: &OutputFiles) -> Result<ChartData> {
        let meta = parse_metadata(&files.metadata)?;
        let (years, mut results) = parse_results(&files.results)?;
        let milestone_years: Vec<i32> = meta.milestones.iter().map(|m| m.year).collect();
        let mut summary = parse_summary(&files.summary, &milestone_years)?;
        // run order from the metadata, then any scenario it does not know, by name
        let mut order: Vec<String> = meta
            .scenarios
            .iter()
            .map(|s| s.name.clone())
            .filter(|n| results.contains_key(n))
            .collect();
        for n in results.keys() {
            if !order.contains(n) {
                order.push(n.clone());
            }
        }
        let scenarios = order
            .into_iter()
            .map(|name| {
                let vars = results.remove(&name).unwrap_or_default();
                let sc_meta = meta.scenario(&name).cloned().unwrap_or(ScenarioMeta {
                    name: name.clone(),
                    name_fi: None,
                    description: String::new(),
                    description_fi: None,
                    extends: None,
                    measures: Vec::new(),
                    excluded: Vec::new(),
                    uncertainties: Vec::new(),
                });
                ScenarioData {
                    summary: summary.remove(&name),
                    name,
                    meta: sc_meta,
                    vars,
                }
            })
            .collect();
        Ok(ChartData {
            meta,
            years,
            scenarios,
            wedges: files.wedges.as_ref().map(parse_wedges).transpose()?,
            macc: files.macc.as_ref().map(parse_macc).transpose()?,
            sensitivity: files
                .sensitivity
                .as_ref()
                .map(parse_sensitivity)
                .transpose()?,
            bands: files
                .stats
                .as_ref()
                .map(parse_stats)
                .transpose()?
                .unwrap_or_default(),
            distributions: files
                .distributions
                .as_ref()
                .map(parse_distributions)
                .transpose()?
                .unwrap_or_default(),
            batch_summary: files
                .batch_summary
                .as_ref()
                .map(|f| parse_batch_summary(f, &milestone_years))
                .transpose()?
                .unwrap_or_default(),
            difference: files
                .difference
                .as_ref()
                .map(parse_difference)
                .transpose()?,
            plan: None,
            track: files.track.as_ref().map(|t| t.parse()).transpose()?,
        })
    }

    /// Every top-level sector under `root` (gross emissions or removals) of every scenario.
    pub fn all_sectors(&self, root: &str) -> BTreeSet<String> {
        self.scenarios
            .iter()
            .flat_map(|sc| sc.top_level(root).into_iter().map(|(n, _)| n))
            .collect()
    }

    /// Every carrier of every scenario, sorted.
    pub fn all_carriers(&self) -> BTreeSet<String> {
        self.scenarios
            .iter()
            .flat_map(|s| s.energy_by_carrier().into_keys())
            .collect()
    }

    /// Historical totals (`Total` rows), sorted by year.
    pub fn history_totals(&self) -> Vec<(i32, f64)> {
        let mut h: Vec<(i32, f64)> = self
            .meta
            .history
            .iter()
            .filter(|h| h.sector == "Total")
            .map(|h| (h.year, h.kt))
            .collect();
        h.sort_by_key(|p| p.0);
        h
    }

    /// The annual cost of a scenario's costed measures in the MACC year, M€/yr: Σ abatement ×
    /// cost / 1000 over its `macc.csv` rows (0 without them).
    pub fn annual_cost_meur(&self, scenario: &str) -> f64 {
        self.macc
            .iter()
            .flatten()
            .filter(|r| r.scenario == scenario)
            .map(|r| r.abatement_kt * r.cost_eur_per_t / 1000.0)
            .sum()
    }

    /// Index of `year` in [`ChartData::years`].
    pub fn year_index(&self, year: i32) -> Option<usize> {
        self.years.iter().position(|&y| y == year)
    }

    /// The net emissions variable name.
    pub fn net_var() -> &'static str {
        NET
    }
}

/// A scenario name read from an output file: checked like a name given on the command line
/// (`[a-z0-9_-]+`), since it becomes chart file names and the report's ids and text.
fn scenario_name<'r>(row: &'r Row, column: &str) -> Result<&'r str> {
    let name = row.required_str(column)?;
    if crate::scenario::is_scenario_name(name) {
        return Ok(name);
    }
    Err(row
        .error(
            column,
            format!(
                "`{}` is not a scenario name",
                crate::error::printable(name, 80)
            ),
        )
        .hint(NAME_HINT)
        .into())
}

const NAME_HINT: &str = "scenario names use lower-case letters, digits, `_` and `-` only; \
     the folder was not written by `kymsim run` or was edited since: rerun `kymsim run`";

fn parse_metadata(file: &TextFile) -> Result<Metadata> {
    let meta: Metadata = serde_json::from_str(&file.text).map_err(|e| {
        file.error_at_line(
            e.line(),
            e.column().max(1),
            format!("invalid metadata: {e}"),
        )
        .hint("metadata.json is written by `kymsim run`; run it again to rewrite it")
    })?;
    for sc in &meta.scenarios {
        for name in std::iter::once(&sc.name).chain(sc.extends.as_ref()) {
            if !crate::scenario::is_scenario_name(name) {
                return Err(file
                    .error(format!(
                        "`{}` is not a scenario name",
                        crate::error::printable(name, 80)
                    ))
                    .hint(NAME_HINT)
                    .into());
            }
        }
    }
    Ok(meta)
}

/// The header's year columns (`2020`, `2021`, …) in file order.
fn year_columns(file: &TextFile) -> Vec<String> {
    let first = file.text.lines().next().unwrap_or("");
    first
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_string())
        .filter(|c| c.parse::<i32>().is_ok())
        .collect()
}

/// Reads a file of fixed columns `all` (the schema's), of which `optional` may be absent.
fn read_with_schema<'a>(file: &'a TextFile, all: &[&str], optional: &[&str]) -> Result<Table<'a>> {
    let required = columns_except(all, optional);
    Table::read(file, &required, optional)
}

type Results = BTreeMap<String, BTreeMap<String, (String, Vec<f64>)>>;

fn parse_results(file: &TextFile) -> Result<(Vec<i32>, Results)> {
    let ycols = year_columns(file);
    let mut required = IAMC_COLUMNS.to_vec();
    required.extend(ycols.iter().map(String::as_str));
    let table = Table::read(file, &required, &[])?;
    let years: Vec<i32> = ycols.iter().map(|y| y.parse().unwrap_or(0)).collect();
    let mut out: Results = BTreeMap::new();
    for row in table.rows() {
        let values = ycols
            .iter()
            .map(|y| row.f64(y))
            .collect::<Result<Vec<f64>>>()?;
        out.entry(scenario_name(&row, "scenario")?.to_string())
            .or_default()
            .insert(
                row.required_str("variable")?.to_string(),
                (row.str("unit").to_string(), values),
            );
    }
    Ok((years, out))
}

fn opt_bool(row: &Row, col: &str) -> Result<Option<bool>> {
    match row.str(col) {
        "" => Ok(None),
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        s => Err(row
            .error(col, format!("`{col}` = {s} is not true, false or empty"))
            .into()),
    }
}

fn parse_summary(file: &TextFile, milestones: &[i32]) -> Result<BTreeMap<String, SummaryRecord>> {
    let milestone_cols: Vec<String> = milestones
        .iter()
        .map(|&y| schema::milestone_column(y))
        .collect();
    const REQUIRED: [&str; 7] = [
        "scenario",
        "target_year",
        "gross_kt",
        "removals_kt",
        "net_kt",
        "reduction_vs_reference",
        "target_met",
    ];
    let mut optional = columns_except(&SUMMARY_COLUMNS, &REQUIRED);
    optional.extend(milestone_cols.iter().map(String::as_str));
    optional.push("within_budget");
    optional.extend(schema::BUDGET_COLUMNS);
    let table = Table::read(file, &REQUIRED, &optional)?;
    let mut out = BTreeMap::new();
    for row in table.rows() {
        let summary = Summary {
            target_year: row.year("target_year")?,
            gross_kt: row.f64("gross_kt")?,
            removals_kt: row.f64("removals_kt")?,
            land_kt: row.opt_f64("land_use_kt")?.unwrap_or(0.0),
            net_kt: row.f64("net_kt")?,
            reduction_vs_reference: row.f64("reduction_vs_reference")?,
            gross_met: opt_bool(&row, "gross_met")?,
            net_zero_met: opt_bool(&row, "net_zero_met")?,
            target_met: opt_bool(&row, "target_met")?.unwrap_or(false),
            neutrality_year: match row.str("neutrality_year") {
                "" => None,
                _ => Some(row.year("neutrality_year")?),
            },
            cumulative_net_kt: row.opt_f64("cumulative_net_kt")?.unwrap_or(f64::NAN),
            budget: match (
                row.opt_f64("budget_used_kt")?,
                row.opt_f64("budget_left_kt")?,
            ) {
                (Some(used_kt), Some(left_kt)) => Some(crate::model::criteria::BudgetUse {
                    used_kt,
                    left_kt,
                    exhausted_year: match row.str("budget_exhausted_year") {
                        "" => None,
                        _ => Some(row.year("budget_exhausted_year")?),
                    },
                }),
                _ => None,
            },
        };
        let rec = SummaryRecord {
            summary,
            milestones: milestone_cols
                .iter()
                .map(|c| opt_bool(&row, c))
                .collect::<Result<_>>()?,
        };
        out.insert(scenario_name(&row, "scenario")?.to_string(), rec);
    }
    Ok(out)
}

fn pillar(row: &Row, col: &str) -> Result<Pillar> {
    let p = row.required_str(col)?;
    if let Some(pillar) = pillar_named(p) {
        Ok(pillar)
    } else {
        let names = Pillar::ALL.map(Pillar::as_str);
        let hint = crate::error::did_you_mean(p, names.iter().copied())
            .unwrap_or_else(|| format!("pillars are {}", names.join(", ")));
        Err(row
            .error(col, format!("unknown pillar `{p}`"))
            .hint(hint)
            .into())
    }
}

fn parse_wedges(file: &TextFile) -> Result<Vec<WedgeRow>> {
    let table = read_with_schema(file, &schema::WEDGES_COLUMNS, &["se_kt"])?;
    table
        .rows()
        .map(|row| {
            Ok(WedgeRow {
                scenario: scenario_name(&row, "scenario")?.to_string(),
                measure: row.str("measure").to_string(),
                pillar: pillar(&row, "pillar")?,
                year: row.year("year")?,
                kt: row.f64("kt")?,
            })
        })
        .collect()
}

fn parse_macc(file: &TextFile) -> Result<Vec<MaccRow>> {
    let table = read_with_schema(file, &schema::MACC_COLUMNS, &["annual_cost_meur"])?;
    // a measure without a cost has an empty cost cell: it has no bar on the curve
    let mut out = Vec::new();
    for row in table.rows() {
        let Some(cost) = row.opt_f64("cost_eur_per_t")? else {
            continue;
        };
        out.push(MaccRow {
            scenario: scenario_name(&row, "scenario")?.to_string(),
            measure: row.str("measure").to_string(),
            name: row.str("name").to_string(),
            pillar: pillar(&row, "pillar")?,
            target_year: row.year("target_year")?,
            abatement_kt: row.f64("abatement_kt")?,
            cost_eur_per_t: cost,
        });
    }
    Ok(out)
}

fn parse_difference(file: &TextFile) -> Result<Vec<DifferenceRow>> {
    // `owner` and `annual_cost_meur` are optional: folders of earlier versions lack them
    let table = read_with_schema(
        file,
        &schema::DIFFERENCE_COLUMNS,
        &["owner", "annual_cost_meur"],
    )?;
    table
        .rows()
        .map(|row| {
            Ok(DifferenceRow {
                scenario: scenario_name(&row, "scenario")?.to_string(),
                reference: scenario_name(&row, "reference")?.to_string(),
                year: row.year("year")?,
                measure: row.str("measure").to_string(),
                pillar: pillar(&row, "pillar")?,
                kt: row.f64("contribution_kt")?,
                owner: Owner::parse(row.str("owner")),
                annual_cost_meur: row.opt_f64("annual_cost_meur")?,
            })
        })
        .collect()
}

fn parse_sensitivity(file: &TextFile) -> Result<Vec<SensitivityRow>> {
    let table = read_with_schema(
        file,
        &schema::SENSITIVITY_COLUMNS,
        &[
            "first_order_lo",
            "first_order_hi",
            "total_order_lo",
            "total_order_hi",
        ],
    )?;
    table
        .rows()
        .map(|row| {
            let trio = |c: &str| -> Result<(f64, f64, f64)> {
                let v = row.f64(c)?;
                Ok((
                    v,
                    row.opt_f64(&format!("{c}_lo"))?.unwrap_or(v),
                    row.opt_f64(&format!("{c}_hi"))?.unwrap_or(v),
                ))
            };
            Ok(SensitivityRow {
                scenario: scenario_name(&row, "scenario")?.to_string(),
                parameter: row.required_str("parameter")?.to_string(),
                first: trio("first_order")?,
                total: trio("total_order")?,
            })
        })
        .collect()
}

fn parse_stats(file: &TextFile) -> Result<BTreeMap<String, Band>> {
    let ycols = year_columns(file);
    let mut required = IAMC_COLUMNS.to_vec();
    required.push(schema::STATISTIC_COLUMN);
    required.extend(ycols.iter().map(String::as_str));
    let table = Table::read(file, &required, &[])?;
    let years: Vec<i32> = ycols.iter().map(|y| y.parse().unwrap_or(0)).collect();
    let mut raw: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    for row in table.rows() {
        if row.str("variable") != NET {
            continue;
        }
        let stat = row.str("statistic");
        if !["p5", "p50", "p95"].contains(&stat) {
            continue;
        }
        let values = ycols
            .iter()
            .map(|y| row.f64(y))
            .collect::<Result<Vec<f64>>>()?;
        raw.entry(scenario_name(&row, "scenario")?.to_string())
            .or_default()
            .insert(stat.to_string(), values);
    }
    Ok(raw
        .into_iter()
        .filter_map(|(sc, mut m)| {
            Some((
                sc,
                Band {
                    years: years.clone(),
                    p5: m.remove("p5")?,
                    p50: m.remove("p50")?,
                    p95: m.remove("p95")?,
                },
            ))
        })
        .collect())
}

fn parse_distributions(file: &TextFile) -> Result<BTreeMap<String, Distributions>> {
    let table = read_with_schema(file, &schema::DISTRIBUTIONS_COLUMNS, &[])?;
    let mut out: BTreeMap<String, Distributions> = BTreeMap::new();
    for row in table.rows() {
        let count = row.f64("count")?;
        if count < 0.0 || count.fract() != 0.0 {
            return Err(row
                .error("count", "`count` must be a whole number ≥ 0")
                .into());
        }
        let bin = Bin {
            lo: row.opt_f64("bin_lo")?,
            hi: row.opt_f64("bin_hi")?,
            count: count as u64,
        };
        let d = out
            .entry(scenario_name(&row, "scenario")?.to_string())
            .or_default();
        match row.str("quantity") {
            "net_kt" => {
                if bin.lo.is_none() || bin.hi.is_none() {
                    return Err(row
                        .row_error("a `net_kt` bin needs both `bin_lo` and `bin_hi`")
                        .into());
                }
                d.net_kt.push(bin)
            }
            "neutrality_year" => d.neutrality_year.push(bin),
            q => {
                return Err(row
                    .error("quantity", format!("unknown quantity `{q}`"))
                    .hint("quantities are net_kt and neutrality_year")
                    .into());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> TextFile {
        TextFile::from_bytes(name, text.as_bytes()).unwrap()
    }

    #[test]
    fn energy_sums_leaves_by_carrier_name() {
        let (years, mut r) = parse_results(&file(
            "results.csv",
            "model,scenario,region,variable,unit,2020,2021\n\
             m,a,R,Final Energy,GWh/yr,60,60\n\
             m,a,R,Final Energy|Heat,GWh/yr,20,20\n\
             m,a,R,Final Energy|Heat|Diesel,GWh/yr,20,15\n\
             m,a,R,Final Energy|Heat|Electricity,GWh/yr,0,5\n\
             m,a,R,Final Energy|Transport,GWh/yr,40,40\n\
             m,a,R,Final Energy|Transport|Diesel,GWh/yr,40,30\n\
             m,a,R,Final Energy|Transport|Electricity,GWh/yr,0,10\n",
        ))
        .unwrap();
        assert_eq!(years, vec![2020, 2021]);
        let sc = ScenarioData {
            name: "a".into(),
            meta: ScenarioMeta {
                name: "a".into(),
                name_fi: None,
                description: String::new(),
                description_fi: None,
                extends: None,
                measures: vec![],
                excluded: vec![],
                uncertainties: vec![],
            },
            vars: r.remove("a").unwrap(),
            summary: None,
        };
        let e = sc.energy_by_carrier();
        // diesel 20 + 40 = 60, then 15 + 30 = 45; electricity 0 + 0, then 5 + 10 = 15
        assert_eq!(e["Diesel"], vec![60.0, 45.0]);
        assert_eq!(e["Electricity"], vec![0.0, 15.0]);
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn distribution_never_bin_has_no_edges_and_bad_pillar_is_located() {
        let d = parse_distributions(&file(
            "d.csv",
            "scenario,quantity,bin_lo,bin_hi,count\na,net_kt,-1,0,3\na,neutrality_year,2030,2031,2\na,neutrality_year,,,5\n",
        ))
        .unwrap();
        assert_eq!(d["a"].neutrality_year[1].lo, None);
        assert_eq!(d["a"].net_kt[0].count, 3);
        let e = parse_wedges(&file(
            "w.csv",
            "scenario,measure,pillar,year,kt\na,m,energi,2030,1\n",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("unknown pillar"), "{e}");
    }
}
