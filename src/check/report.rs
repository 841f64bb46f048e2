//! The result of a comparison: per-file findings, the largest differences, test cases for JUnit,
//! and its plain-text and JSON renderings.

use std::fmt::Write as _;

use serde::Serialize;

/// How many differing cells a report keeps (the largest); the total is always counted.
pub const KEPT_DIFFERENCES: usize = 1000;

/// A cell value as found in a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CellValue {
    /// A number (NaN for an empty or `NaN` cell; JSON shows it as `null`).
    Number(f64),
    /// Text, compared exactly.
    Text(String),
}

impl std::fmt::Display for CellValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CellValue::Number(x) if x.is_nan() => f.write_str("NaN"),
            CellValue::Number(x) => write!(f, "{x}"),
            CellValue::Text(t) if t.is_empty() => f.write_str("(empty)"),
            CellValue::Text(t) => f.write_str(t),
        }
    }
}

/// One cell that differs beyond its tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellDiff {
    /// The file, relative to the compared folder.
    pub file: String,
    /// Scenario (empty when the file has none).
    pub scenario: String,
    /// Variable (with ` [statistic]` in batch statistics), or `key: column` in a summary-type CSV.
    pub variable: String,
    /// Year, when the cell has one.
    pub year: Option<String>,
    /// Expected value.
    pub expected: CellValue,
    /// Actual value.
    pub actual: CellValue,
    /// |actual − expected| (numbers only; infinite when one side is NaN).
    pub abs_diff: Option<f64>,
    /// |actual − expected| / |expected| (numbers only; infinite when expected is 0).
    pub rel_diff: Option<f64>,
    /// The allowance that was exceeded: atol + rtol·|expected| (+ the noise allowance).
    pub allowed: Option<f64>,
    /// abs_diff / allowed: how many times the tolerance was exceeded (infinite for text).
    #[serde(skip)]
    pub excess: f64,
    #[serde(skip)]
    pub(crate) order: u64,
}

impl CellDiff {
    /// A numeric difference.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn number(
        file: &str,
        scenario: String,
        variable: String,
        year: Option<String>,
        expected: f64,
        actual: f64,
        allowed: f64,
        order: u64,
    ) -> CellDiff {
        let abs = abs_diff(expected, actual);
        let rel = abs / expected.abs();
        let rel = if rel.is_nan() { f64::INFINITY } else { rel };
        let excess = Self::excess_of(expected, actual, allowed);
        CellDiff {
            file: file.to_string(),
            scenario,
            variable,
            year,
            expected: CellValue::Number(expected),
            actual: CellValue::Number(actual),
            abs_diff: Some(abs),
            rel_diff: Some(rel),
            allowed: Some(allowed),
            excess,
            order,
        }
    }

    /// How many times the allowance is exceeded (infinite when it is 0 or a side is NaN).
    pub(crate) fn excess_of(expected: f64, actual: f64, allowed: f64) -> f64 {
        let abs = abs_diff(expected, actual);
        if allowed > 0.0 {
            abs / allowed
        } else {
            f64::INFINITY
        }
    }

    /// A text difference.
    pub(crate) fn text(
        file: &str,
        scenario: String,
        variable: String,
        year: Option<String>,
        expected: String,
        actual: String,
        order: u64,
    ) -> CellDiff {
        CellDiff {
            file: file.to_string(),
            scenario,
            variable,
            year,
            expected: CellValue::Text(expected),
            actual: CellValue::Text(actual),
            abs_diff: None,
            rel_diff: None,
            allowed: None,
            excess: f64::INFINITY,
            order,
        }
    }

    /// One line for a message: `scenario / variable / year: expected … actual … (|Δ| …)`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if !self.scenario.is_empty() {
            let _ = write!(s, "{} / ", self.scenario);
        }
        s.push_str(&self.variable);
        if let Some(y) = &self.year {
            let _ = write!(s, " / {y}");
        }
        let _ = write!(s, ": expected {}, actual {}", self.expected, self.actual);
        if let (Some(a), Some(r), Some(t)) = (self.abs_diff, self.rel_diff, self.allowed) {
            let _ = write!(
                s,
                " (|diff| {}, rel {}, allowed {})",
                plain(a),
                plain(r),
                plain(t)
            );
        }
        s
    }

    /// Larger differences first; ties in file order.
    fn rank_cmp(&self, other: &CellDiff) -> std::cmp::Ordering {
        other
            .excess
            .total_cmp(&self.excess)
            .then(self.order.cmp(&other.order))
    }
}

/// Keeps the `k` largest differences (by how many times the tolerance is exceeded).
#[derive(Debug)]
pub(crate) struct TopDiffs {
    k: usize,
    items: Vec<CellDiff>,
    floor: f64,
}

impl TopDiffs {
    pub(crate) fn new(k: usize) -> TopDiffs {
        TopDiffs {
            k,
            items: Vec::new(),
            floor: f64::NEG_INFINITY,
        }
    }

    /// Whether a difference of this size could still be kept (saves building it).
    pub(crate) fn wants(&self, excess: f64) -> bool {
        self.items.len() < self.k || excess > self.floor
    }

    pub(crate) fn push(&mut self, d: CellDiff) {
        self.items.push(d);
        if self.items.len() >= 2 * self.k.max(1) {
            self.trim();
        }
    }

    fn trim(&mut self) {
        self.items.sort_by(CellDiff::rank_cmp);
        self.items.truncate(self.k);
        if self.items.len() == self.k
            && let Some(last) = self.items.last()
        {
            self.floor = last.excess;
        }
    }

    pub(crate) fn into_sorted(mut self) -> Vec<CellDiff> {
        self.trim();
        self.items
    }
}

/// A row of one file that has no counterpart in the other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowRef {
    /// Scenario.
    pub scenario: String,
    /// Variable (IAMC) or the non-scenario key values (summary-type CSV).
    pub variable: String,
    /// Further key parts that tell rows apart (`region`, `unit`, `statistic`), when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl std::fmt::Display for RowRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.variable)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        if !self.scenario.is_empty() {
            write!(f, " in scenario `{}`", self.scenario)?;
        }
        Ok(())
    }
}

/// What kind of CSV a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// IAMC wide format: rows keyed by scenario, region, variable, unit (and statistic).
    Iamc,
    /// A summary-type table: rows keyed by its key columns.
    Table,
}

/// One test case of the JUnit report: one scenario × variable of one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Scenario (the JUnit classname).
    pub scenario: String,
    /// Variable or column (the JUnit test name).
    pub variable: String,
    /// Cells compared.
    pub cells: u64,
    /// Cells beyond tolerance.
    pub failed: u64,
    /// The worst cell, when any failed.
    pub worst: Option<Box<CellDiff>>,
    /// Why it fails without a cell: missing from actual, extra in actual.
    pub problem: Option<String>,
}

impl Case {
    /// Whether this case fails.
    pub fn is_failure(&self) -> bool {
        self.failed > 0 || self.problem.is_some()
    }
}

/// The findings for one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// Path relative to the compared folder (or the file name).
    pub file: String,
    /// IAMC or summary-type.
    pub kind: FileKind,
    /// The file is in EXPECTED but not in ACTUAL.
    pub missing_in_actual: bool,
    /// Cells compared.
    pub cells_compared: u64,
    /// Cells beyond tolerance.
    pub cells_failed: u64,
    /// Scenarios in expected only.
    pub missing_scenarios: Vec<String>,
    /// Scenarios in actual only.
    pub extra_scenarios: Vec<String>,
    /// Rows in expected only (outside missing scenarios).
    pub missing_rows: Vec<RowRef>,
    /// Rows in actual only (outside extra scenarios).
    pub extra_rows: Vec<RowRef>,
    /// Year columns (IAMC) or columns (summary-type) in expected only.
    pub missing_columns: Vec<String>,
    /// Year columns or columns in actual only.
    pub extra_columns: Vec<String>,
    /// Remarks that do not fail the check (noise allowance in use, columns skipped).
    pub notes: Vec<String>,
    /// Test cases for JUnit (not in the JSON report).
    #[serde(skip)]
    pub cases: Vec<Case>,
}

impl FileReport {
    pub(crate) fn new(file: &str, kind: FileKind) -> FileReport {
        FileReport {
            file: file.to_string(),
            kind,
            missing_in_actual: false,
            cells_compared: 0,
            cells_failed: 0,
            missing_scenarios: Vec::new(),
            extra_scenarios: Vec::new(),
            missing_rows: Vec::new(),
            extra_rows: Vec::new(),
            missing_columns: Vec::new(),
            extra_columns: Vec::new(),
            notes: Vec::new(),
            cases: Vec::new(),
        }
    }

    /// Whether the file matches within tolerance, with nothing missing or extra.
    pub fn is_equal(&self) -> bool {
        !self.missing_in_actual
            && self.cells_failed == 0
            && self.missing_scenarios.is_empty()
            && self.extra_scenarios.is_empty()
            && self.missing_rows.is_empty()
            && self.extra_rows.is_empty()
            && self.missing_columns.is_empty()
            && self.extra_columns.is_empty()
    }

    /// Word for the columns of this kind of file.
    fn column_word(&self) -> &'static str {
        match self.kind {
            FileKind::Iamc => "year",
            FileKind::Table => "column",
        }
    }
}

/// The result of comparing EXPECTED with ACTUAL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Equal within tolerance, nothing missing or extra.
    pub equal: bool,
    /// The expected folder or file.
    pub expected: String,
    /// The actual folder or file.
    pub actual: String,
    /// Default relative tolerance.
    pub rtol: f64,
    /// Default absolute tolerance.
    pub atol: f64,
    /// Cells compared in all files.
    pub cells_compared: u64,
    /// Cells beyond tolerance in all files.
    pub cells_failed: u64,
    /// One entry per file of EXPECTED.
    pub files: Vec<FileReport>,
    /// CSV files in ACTUAL only (not compared, do not fail the check).
    pub extra_files: Vec<String>,
    /// The largest differences (by how many times the tolerance is exceeded), at most
    /// [`KEPT_DIFFERENCES`].
    pub differences: Vec<CellDiff>,
}

impl Report {
    pub(crate) fn finish(
        expected: String,
        actual: String,
        tol: &super::Tolerances,
        files: Vec<FileReport>,
        extra_files: Vec<String>,
        differences: Vec<CellDiff>,
    ) -> Report {
        Report {
            equal: files.iter().all(FileReport::is_equal),
            expected,
            actual,
            rtol: tol.default.rtol,
            atol: tol.default.atol,
            cells_compared: files.iter().map(|f| f.cells_compared).sum(),
            cells_failed: files.iter().map(|f| f.cells_failed).sum(),
            files,
            extra_files,
            differences,
        }
    }

    /// 0 when equal, 1 when not (the exit code of `kymsim check`).
    pub fn exit_code(&self) -> i32 {
        if self.equal { 0 } else { 1 }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("report serialises");
        s.push('\n');
        s
    }

    /// The one-line verdict.
    pub fn verdict(&self) -> String {
        let files = self.files.len();
        let files_word = if files == 1 { "file" } else { "files" };
        if self.equal {
            return format!(
                "OK: {} cells in {files} {files_word} equal within tolerance (rtol {}, atol {})",
                self.cells_compared,
                plain(self.rtol),
                plain(self.atol)
            );
        }
        let mut parts: Vec<String> = Vec::new();
        if self.cells_failed > 0 {
            parts.push(format!(
                "{} of {} cells differ beyond tolerance",
                self.cells_failed, self.cells_compared
            ));
        }
        let count = |f: &dyn Fn(&FileReport) -> usize| -> usize { self.files.iter().map(f).sum() };
        let mut add = |n: usize, one: &str, many: &str, what: &str| {
            if n > 0 {
                parts.push(format!("{n} {} {what}", if n == 1 { one } else { many }));
            }
        };
        add(
            count(&|f| usize::from(f.missing_in_actual)),
            "file",
            "files",
            "missing",
        );
        add(
            count(&|f| f.missing_scenarios.len()),
            "scenario",
            "scenarios",
            "missing",
        );
        add(
            count(&|f| f.extra_scenarios.len()),
            "scenario",
            "scenarios",
            "extra",
        );
        add(count(&|f| f.missing_rows.len()), "row", "rows", "missing");
        add(count(&|f| f.extra_rows.len()), "row", "rows", "extra");
        add(
            count(&|f| f.missing_columns.len()),
            "year/column",
            "years/columns",
            "missing",
        );
        add(
            count(&|f| f.extra_columns.len()),
            "year/column",
            "years/columns",
            "extra",
        );
        format!(
            "FAILED: {} ({files} {files_word} compared)",
            parts.join(", ")
        )
    }

    /// The human report: per-file findings, the largest differences as a table (at most
    /// `max_rows`), and the verdict.
    pub fn render_text(&self, max_rows: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "expected: {}\nactual:   {}",
            self.expected, self.actual
        );
        for f in &self.files {
            if f.missing_in_actual {
                let _ = writeln!(out, "{}: missing in actual", f.file);
                continue;
            }
            let state = if f.is_equal() {
                "equal".to_string()
            } else if f.cells_failed == 1 {
                "1 cell differs".to_string()
            } else if f.cells_failed > 0 {
                format!("{} cells differ", f.cells_failed)
            } else {
                "differs".to_string()
            };
            let _ = writeln!(
                out,
                "{}: {} cells compared, {state}",
                f.file, f.cells_compared
            );
            let lists: [(&str, Vec<String>); 6] = [
                (
                    "missing in actual",
                    f.missing_scenarios
                        .iter()
                        .map(|s| format!("scenario `{s}`"))
                        .collect(),
                ),
                (
                    "extra in actual",
                    f.extra_scenarios
                        .iter()
                        .map(|s| format!("scenario `{s}`"))
                        .collect(),
                ),
                (
                    "missing in actual",
                    f.missing_rows.iter().map(|r| r.to_string()).collect(),
                ),
                (
                    "extra in actual",
                    f.extra_rows.iter().map(|r| r.to_string()).collect(),
                ),
                (
                    "missing in actual",
                    f.missing_columns
                        .iter()
                        .map(|c| format!("{} {c}", f.column_word()))
                        .collect(),
                ),
                (
                    "extra in actual",
                    f.extra_columns
                        .iter()
                        .map(|c| format!("{} {c}", f.column_word()))
                        .collect(),
                ),
            ];
            for (what, items) in lists {
                for it in items.iter().take(max_rows.max(1)) {
                    let _ = writeln!(out, "  {what}: {it}");
                }
                if items.len() > max_rows.max(1) {
                    let _ = writeln!(out, "  … and {} more {what}", items.len() - max_rows.max(1));
                }
            }
            for n in &f.notes {
                let _ = writeln!(out, "  note: {n}");
            }
        }
        for e in &self.extra_files {
            let _ = writeln!(out, "{e}: in actual only (not compared)");
        }
        if !self.differences.is_empty() && max_rows > 0 {
            out.push('\n');
            out.push_str(&self.differences_table(max_rows));
        }
        out.push('\n');
        out.push_str(&self.verdict());
        out.push('\n');
        out
    }

    /// The worst cell of each variable (per file), worst variables first: one variable that
    /// differs in every year fills one row, not the whole table. Variables are taken from the
    /// test cases, so every differing variable has its worst cell even when it is not among the
    /// [`KEPT_DIFFERENCES`] largest differences. Returns the rows and how many cells differ in
    /// each row's variable.
    pub fn worst_per_variable(&self) -> Vec<(&CellDiff, u64)> {
        let mut by_var: Vec<(&CellDiff, u64)> = Vec::new();
        let mut index: std::collections::HashMap<(&str, &str), usize> =
            std::collections::HashMap::new();
        for f in &self.files {
            for c in &f.cases {
                let Some(w) = c.worst.as_deref() else {
                    continue;
                };
                match index.get(&(f.file.as_str(), c.variable.as_str())) {
                    Some(&i) => {
                        let (best, n) = &mut by_var[i];
                        *n += c.failed;
                        if w.rank_cmp(best).is_lt() {
                            *best = w;
                        }
                    }
                    None => {
                        index.insert((f.file.as_str(), c.variable.as_str()), by_var.len());
                        by_var.push((w, c.failed));
                    }
                }
            }
        }
        if by_var.is_empty() {
            // reports built without test cases: one row per variable from the kept differences
            for d in &self.differences {
                match by_var
                    .iter_mut()
                    .find(|(b, _)| b.file == d.file && b.variable == d.variable)
                {
                    Some((_, n)) => *n += 1,
                    None => by_var.push((d, 1)),
                }
            }
        }
        by_var.sort_by(|a, b| a.0.rank_cmp(b.0));
        by_var
    }

    /// The differences as an aligned table: the worst cell of each variable, worst first
    /// (at most `max_rows` variables).
    pub fn differences_table(&self, max_rows: usize) -> String {
        let header = [
            "file", "scenario", "variable", "year", "expected", "actual", "abs diff", "rel diff",
            "cells",
        ];
        let worst = self.worst_per_variable();
        let rows: Vec<[String; 9]> = worst
            .iter()
            .take(max_rows)
            .map(|(d, n)| {
                [
                    d.file.clone(),
                    d.scenario.clone(),
                    d.variable.clone(),
                    d.year.clone().unwrap_or_default(),
                    d.expected.to_string(),
                    d.actual.to_string(),
                    d.abs_diff.map_or("text".into(), plain),
                    d.rel_diff.map_or("".into(), plain),
                    n.to_string(),
                ]
            })
            .collect();
        let mut width = header.map(|h| h.chars().count());
        for r in &rows {
            for (w, c) in width.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, cells: [&str; 9]| {
            for (i, c) in cells.iter().enumerate() {
                let pad = width[i].saturating_sub(c.chars().count());
                // numbers right-aligned, text left-aligned
                if i >= 4 {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(c);
                } else {
                    out.push_str(c);
                    if i + 1 < cells.len() {
                        out.push_str(&" ".repeat(pad));
                    }
                }
                if i + 1 < cells.len() {
                    out.push_str("  ");
                }
            }
            out.push('\n');
        };
        line(&mut out, header);
        for r in &rows {
            line(&mut out, r.each_ref().map(|s| s.as_str()));
        }
        let _ = writeln!(
            out,
            "(worst cell of {} of {} differing variables, {} differing cells in all; ranked by how many times the tolerance is exceeded)",
            rows.len(),
            worst.len(),
            self.cells_failed
        );
        out
    }
}

/// |actual − expected|, infinite when only one is NaN or the difference is not a number.
fn abs_diff(expected: f64, actual: f64) -> f64 {
    let abs = (actual - expected).abs();
    if abs.is_nan() { f64::INFINITY } else { abs }
}

/// A number in plain decimal with four significant digits (`3.202`, `0.00001234`, `1250000`),
/// `0` for zero: no exponent, so that the table reads like the CSV files it compares.
pub(crate) fn plain(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x.is_nan() {
        return "NaN".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 20) as usize;
    crate::output::trim_decimal_zeros(format!("{x:.decimals$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(excess: f64, order: u64) -> CellDiff {
        let mut d = CellDiff::number("f", "s".into(), "v".into(), None, 1.0, 2.0, 1.0, order);
        d.excess = excess;
        d
    }

    #[test]
    fn plain_numbers_have_four_significant_digits_and_no_exponent() {
        assert_eq!(plain(3.2021), "3.202");
        assert_eq!(plain(100.0 / 97.0), "1.031");
        assert_eq!(plain(0.5 / 108.0), "0.00463");
        assert_eq!(plain(1.234e-5), "0.00001234");
        assert_eq!(plain(1e-6), "0.000001");
        assert_eq!(plain(1_250_000.4), "1250000");
        assert_eq!(plain(-0.25), "-0.25");
        assert_eq!(plain(0.0), "0");
        assert_eq!(plain(f64::INFINITY), "inf");
    }

    #[test]
    fn top_diffs_keeps_the_largest_in_order() {
        let mut t = TopDiffs::new(3);
        for (i, e) in [1.0, 5.0, 3.0, 5.0, 0.5, 9.0, 2.0, 7.0].iter().enumerate() {
            if t.wants(*e) {
                t.push(diff(*e, i as u64));
            }
        }
        let kept: Vec<(f64, u64)> = t
            .into_sorted()
            .iter()
            .map(|d| (d.excess, d.order))
            .collect();
        // 9 (7th), 7 (8th), then the first of the two 5s
        assert_eq!(kept, vec![(9.0, 5), (7.0, 7), (5.0, 1)]);
    }

    #[test]
    fn numeric_diff_measures() {
        // |12.6 − 12.5| = 0.1; rel 0.1/12.5 = 0.008; allowed 0.01 → exceeded 10×
        let d = CellDiff::number("f", "s".into(), "v".into(), None, 12.5, 12.6, 0.01, 0);
        assert!((d.abs_diff.unwrap() - 0.1).abs() < 1e-12);
        assert!((d.rel_diff.unwrap() - 0.008).abs() < 1e-12);
        assert!((d.excess - 10.0).abs() < 1e-9);
        let n = CellDiff::number("f", "s".into(), "v".into(), None, f64::NAN, 1.0, 0.01, 0);
        assert_eq!(n.abs_diff, Some(f64::INFINITY));
    }
}
