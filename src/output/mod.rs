//! Output files: IAMC results, the summary, the manifest; all written atomically.

mod atomic;
pub mod batch;
pub mod prior;
pub mod recorded;
pub mod schema;

pub use atomic::{
    OutputSet, TEMP_SUFFIX, check_out_dir, check_replaceable, is_temp_name, on_lock_wait,
};

use serde::Serialize;

use crate::engine::{CentralResult, Summary};
use crate::model::Model;

pub use schema::{MANIFEST_JSON, RESULTS_CSV, SUMMARY_CSV};

/// Formats a number for CSV: at most 6 decimals, trailing zeros trimmed, no `-0`.
///
/// ```
/// use kymsim::output::fmt_num;
/// assert_eq!(fmt_num(1033.25), "1033.25");
/// assert_eq!(fmt_num(2.0), "2");
/// assert_eq!(fmt_num(-0.0000001), "0");
/// assert_eq!(fmt_num(0.1 + 0.2), "0.3");
/// ```
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let mut s = trim_decimal_zeros(format!("{x:.6}"));
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// Drops the trailing zeros of a decimal number's fraction, and the point when nothing is
/// left after it (`"2.500"` → `"2.5"`, `"3.000"` → `"3"`; `"100"` stays).
pub fn trim_decimal_zeros(mut s: String) -> String {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// The IAMC `model` column value.
pub fn model_name() -> String {
    format!("kymsim {}", env!("CARGO_PKG_VERSION"))
}

/// The CSV dialect of every output: `,`, `\n` line ends, quotes only where needed, no header
/// written by serde (each writer writes its schema's columns, see [`schema`]).
fn csv_builder() -> csv::WriterBuilder {
    let mut b = csv::WriterBuilder::new();
    b.has_headers(false).terminator(csv::Terminator::Any(b'\n'));
    b
}

/// Writes records into CSV bytes in the outputs' dialect.
pub(crate) fn csv_bytes(
    rows: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
) -> Vec<u8> {
    let mut w = csv_builder().from_writer(Vec::new());
    rows(&mut w).expect("writing CSV to memory cannot fail");
    w.into_inner().expect("writing CSV to memory cannot fail")
}

/// `results.csv`: IAMC wide format, one row per scenario × variable, sorted by scenario then variable.
pub fn results_csv(runs: &[(&Model, &CentralResult)]) -> Vec<u8> {
    let mut runs: Vec<&(&Model, &CentralResult)> = runs.iter().collect();
    runs.sort_by(|a, b| a.0.scenario.cmp(&b.0.scenario));
    csv_bytes(|w| {
        let Some(first) = runs.first() else {
            return Ok(());
        };
        let mut header: Vec<String> = schema::IAMC_COLUMNS.map(String::from).to_vec();
        header.extend(first.0.years().map(|y| y.to_string()));
        w.write_record(&header)?;
        let model = model_name();
        for (m, r) in runs {
            for (v, var) in m.variables.vars.iter().enumerate() {
                let mut rec = vec![
                    model.clone(),
                    m.scenario.clone(),
                    m.region.clone(),
                    var.name.clone(),
                    var.unit.to_string(),
                ];
                rec.extend(r.vars[v * m.ny..(v + 1) * m.ny].iter().map(|&x| fmt_num(x)));
                w.write_record(&rec)?;
            }
        }
        Ok(())
    })
}

/// One row of `summary.csv`.
#[derive(Debug, Serialize)]
pub struct SummaryRow {
    /// Scenario.
    pub scenario: String,
    /// Target year.
    pub target_year: i32,
    /// Gross emissions in the target year.
    pub gross_kt: String,
    /// Removals in the target year.
    pub removals_kt: String,
    /// Net flux of the land categories in the target year (+ emits, − removes).
    pub land_use_kt: String,
    /// Net emissions in the target year: gross + land use − removals.
    pub net_kt: String,
    /// Reference-year gross emissions.
    pub reference_kt: String,
    /// 1 − gross/reference.
    pub reduction_vs_reference: String,
    /// The gross limit (empty when none).
    pub gross_limit_kt: String,
    /// Gross criterion met (empty when none).
    pub gross_met: String,
    /// Net-zero criterion met (empty when none).
    pub net_zero_met: String,
    /// Every criterion met.
    pub target_met: bool,
    /// Neutrality year (empty: never within the horizon).
    pub neutrality_year: String,
    /// Σ net emissions base year → target year.
    pub cumulative_net_kt: String,
    /// The columns of the criteria reported on their own after the fixed ones
    /// ([`schema::criterion_columns`]): (column, value).
    #[serde(skip)]
    pub criteria: Vec<(String, String)>,
}

impl SummaryRow {
    /// The row of a model's summary.
    pub fn new(model: &Model, s: &Summary, milestones: &[bool]) -> SummaryRow {
        let opt = |b: Option<bool>| b.map_or(String::new(), |b| b.to_string());
        SummaryRow {
            scenario: model.scenario.clone(),
            target_year: s.target_year,
            gross_kt: fmt_num(s.gross_kt),
            removals_kt: fmt_num(s.removals_kt),
            land_use_kt: fmt_num(s.land_kt),
            net_kt: fmt_num(s.net_kt),
            reference_kt: fmt_num(model.target.reference_kt),
            reduction_vs_reference: fmt_num(s.reduction_vs_reference),
            gross_limit_kt: model.target.gross_limit_kt().map_or(String::new(), fmt_num),
            gross_met: opt(s.gross_met),
            net_zero_met: opt(s.net_zero_met),
            target_met: s.target_met,
            neutrality_year: s.neutrality_year.map_or(String::new(), |y| y.to_string()),
            cumulative_net_kt: fmt_num(s.cumulative_net_kt),
            criteria: criterion_cells(model, s, milestones),
        }
    }
}

/// The cells of [`schema::criterion_columns`]: each milestone's verdict, then the budget's
/// verdict, kt used and left and the year it runs out (empty: not within the horizon).
fn criterion_cells(model: &Model, s: &Summary, milestones: &[bool]) -> Vec<(String, String)> {
    use crate::model::criteria::Role;
    let mut out = Vec::new();
    let mut milestones = milestones.iter();
    for c in model.criteria.reported() {
        match (c.role, s.budget) {
            (Role::Budget, Some(b)) => {
                let figures = [
                    (b.left_kt >= 0.0).to_string(),
                    fmt_num(b.used_kt),
                    fmt_num(b.left_kt),
                    b.exhausted_year.map_or(String::new(), |y| y.to_string()),
                ];
                let columns = std::iter::once(c.id.clone())
                    .chain(schema::BUDGET_COLUMNS.iter().map(|s| s.to_string()));
                out.extend(columns.zip(figures));
            }
            _ => {
                let met = milestones.next().copied().unwrap_or(false);
                out.push((c.id.clone(), met.to_string()));
            }
        }
    }
    out
}

/// The header and fields of one serde row, so that columns known only at run time (one per
/// milestone) can follow the fixed ones.
pub(crate) fn row_fields<T: Serialize>(row: &T) -> (Vec<String>, Vec<String>) {
    let mut w = csv_builder().has_headers(true).from_writer(Vec::new());
    w.serialize(row).expect("writing CSV to memory cannot fail");
    let bytes = w.into_inner().expect("writing CSV to memory cannot fail");
    let mut r = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let header = r
        .headers()
        .expect("a serialised row reads back")
        .iter()
        .map(str::to_string)
        .collect();
    let fields = r
        .records()
        .next()
        .and_then(|r| r.ok())
        .expect("a serialised row reads back")
        .iter()
        .map(str::to_string)
        .collect();
    (header, fields)
}

/// Writes rows of fixed serde columns, each followed by the columns known at run time
/// `(column, value)` (one per criterion; the same columns for every row).
pub(crate) fn csv_with_extra<T: Serialize>(
    rows: &[T],
    extra: impl Fn(&T) -> Vec<(String, String)>,
) -> Vec<u8> {
    csv_bytes(|w| {
        for (i, row) in rows.iter().enumerate() {
            let (mut header, mut fields) = row_fields(row);
            let extra = extra(row);
            if i == 0 {
                header.extend(extra.iter().map(|(c, _)| c.clone()));
                w.write_record(&header)?;
            }
            fields.extend(extra.into_iter().map(|(_, v)| v));
            w.write_record(&fields)?;
        }
        Ok(())
    })
}

/// `summary.csv`: one row per scenario, sorted by scenario.
pub fn summary_csv(runs: &[(&Model, &CentralResult)]) -> Vec<u8> {
    let mut rows: Vec<SummaryRow> = runs
        .iter()
        .map(|(m, r)| SummaryRow::new(m, &r.summary, &r.milestones))
        .collect();
    rows.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    csv_with_extra(&rows, |r| r.criteria.clone())
}

/// An input file in the manifest.
pub type ManifestInput = recorded::InputHash;

/// `manifest.json`: what produced the outputs. The only output with a timestamp.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// kymsim version.
    pub kymsim_version: String,
    /// The command line.
    pub command: Vec<String>,
    /// When it ran (UTC, RFC 3339).
    pub created: String,
    /// Region name.
    pub region: String,
    /// Where the dataset came from (`embedded:data/kymenlaakso` or the `--data` folder).
    pub dataset: String,
    /// Where the scenarios came from (a folder and why it was chosen, or the bundled set).
    pub scenarios_from: String,
    /// Scenario names.
    pub scenarios: Vec<String>,
    /// Random seed (batches only).
    pub seed: Option<u64>,
    /// Samples per scenario (batches only).
    pub samples: Option<u64>,
    /// Input files and hashes, sorted by path.
    pub inputs: Vec<ManifestInput>,
    /// Results of earlier commands read from the output folder (`run`: batch statistics,
    /// sensitivity indices, the charts of `discover` and Morris screening), relative to it, with
    /// their SHA-256; decided by [`prior::prior_results`]. Left out when none were read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prior_results: Vec<ManifestInput>,
    /// Output files written, relative to the output folder.
    pub outputs: Vec<String>,
    /// The accounting rules the figures follow.
    pub accounting: ManifestAccounting,
    /// `run --sample`: the kept batch sample evaluated instead of the central values. Left out
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<ManifestSample>,
}

/// The kept batch sample a `run --sample` evaluated, as recorded in `manifest.json`.
#[derive(Debug, Serialize)]
pub struct ManifestSample {
    /// The `batch/inputs.csv` read, as given on the command line.
    pub file: String,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// The sample's index (the `sample` column).
    pub sample: u64,
}

/// The accounting choices behind the figures, as recorded in `manifest.json`.
#[derive(Debug, Serialize)]
pub struct ManifestAccounting {
    /// Accounting basis (region.toml `accounting`, e.g. `Hinku`).
    pub basis: Option<String>,
    /// Whether removals at EU ETS installations count (region.toml `count_ets_removals`).
    pub count_ets_removals: bool,
    /// Measures left out by these rules: `scenario`, `measure`, `reason`.
    pub excluded_measures: Vec<ManifestExcluded>,
}

/// One measure left out by the accounting rules.
#[derive(Debug, Serialize)]
pub struct ManifestExcluded {
    /// Scenario.
    pub scenario: String,
    /// Measure id.
    pub measure: String,
    /// Why.
    pub reason: String,
}

impl ManifestAccounting {
    /// The region's rules (from the models, which all share one region) and what they leave
    /// out of `models`.
    pub fn new<'a>(models: impl IntoIterator<Item = &'a Model> + Clone) -> ManifestAccounting {
        let first = models.clone().into_iter().next();
        ManifestAccounting {
            basis: first.and_then(|m| m.accounting.clone()),
            count_ets_removals: first.is_some_and(|m| m.count_ets_removals),
            excluded_measures: models
                .into_iter()
                .flat_map(|m| {
                    m.excluded.iter().map(|e| ManifestExcluded {
                        scenario: m.scenario.clone(),
                        measure: e.id.clone(),
                        reason: e.reason.clone(),
                    })
                })
                .collect(),
        }
    }
}

impl Manifest {
    /// Serialises as pretty JSON with a trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        pretty_json(self)
    }
}

/// Pretty JSON with a trailing newline (manifests and identity files).
pub fn pretty_json(value: &impl Serialize) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(value).expect("plain records serialise");
    s.push('\n');
    s.into_bytes()
}

/// The current UTC time as RFC 3339 (`2026-11-29T22:00:00Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // civil-from-days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_to_six_decimals() {
        assert_eq!(fmt_num(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_num(-12.5), "-12.5");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(1e-7), "0");
    }

    #[test]
    fn timestamp_shape() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 20);
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
