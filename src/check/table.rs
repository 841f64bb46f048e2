//! Summary-type CSVs (`summary.csv`, `batch/summary.csv`, `wedges.csv`, `macc.csv`, …): rows
//! matched by their key columns, cells compared as numbers with tolerance when both sides are
//! numbers, and exactly as text otherwise.

use std::collections::{HashMap, HashSet};

use csv::ByteRecord;

use super::csvfile::{CsvSource, parse_number};
use super::report::{Case, CellDiff, FileKind, FileReport, RowRef};
use super::tolerances::{Tolerances, noise_allowance};
use super::{BatchNoise, Sink};
use crate::error::Result;
use crate::output::schema;

/// Key columns of the known summary-type files, by their path in the output schema; a file of
/// that name in any folder is matched by these keys.
pub const KNOWN_TABLES: [(&str, &[&str]); 6] = [
    (schema::SUMMARY_CSV, &["scenario"]),
    (schema::WEDGES_CSV, &["scenario", "measure", "year"]),
    (schema::MACC_CSV, &["scenario", "measure"]),
    (
        schema::DIFFERENCE_CSV,
        &["scenario", "reference", "measure", "year"],
    ),
    (
        schema::DISTRIBUTIONS_CSV,
        &["scenario", "quantity", "bin_lo", "bin_hi"],
    ),
    (schema::SENSITIVITY_CSV, &["scenario", "parameter"]),
];

/// The key columns of a known file name (the last part of its path in the output schema), if
/// it is one.
pub(crate) fn known_keys(file_name: &str) -> Option<&'static [&'static str]> {
    KNOWN_TABLES
        .iter()
        .find(|(path, _)| path.rsplit('/').next() == Some(file_name))
        .map(|(_, k)| *k)
}

/// A small CSV held as text.
#[derive(Debug)]
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn read(src: &CsvSource) -> Result<Table> {
        let mut rdr = src.reader()?;
        let header: Vec<String> = rdr
            .byte_headers()
            .map_err(|e| src.csv_error(e))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let mut rows = Vec::new();
        let mut rec = ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(src.csv_error(e)),
            }
            rows.push(
                rec.iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_string())
                    .collect(),
            );
        }
        Ok(Table { header, rows })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Leading columns with no number in them ("first text columns"); none when the first
    /// column holds numbers (rows are then matched by position).
    fn guess_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for (c, h) in self.header.iter().enumerate() {
            let numeric = self
                .rows
                .iter()
                .any(|r| !r[c].is_empty() && parse_number(r[c].as_bytes()).is_some());
            if numeric {
                break;
            }
            keys.push(h.clone());
        }
        if keys.len() == self.header.len() {
            // all text: the first column is the key
            keys.truncate(1);
        }
        keys
    }

    /// Row keys (key values joined, with an occurrence number for repeats).
    fn keys(&self, key_cols: &[usize]) -> Vec<String> {
        let mut count: HashMap<String, usize> = HashMap::new();
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut k: String = key_cols
                    .iter()
                    .map(|&c| r[c].as_str())
                    .collect::<Vec<_>>()
                    .join("\u{1f}");
                if key_cols.is_empty() {
                    k = format!("row {}", i + 1);
                }
                let n = count.entry(k.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    k.push_str(&format!("\u{1f}#{n}"));
                }
                k
            })
            .collect()
    }
}

/// What a table comparison needs besides the two tables.
pub(crate) struct TableCheck<'a> {
    /// Labels the file in the report.
    pub name: &'a str,
    /// The file's name, which picks its known key columns.
    pub file_name: &'a str,
    /// Tolerances.
    pub tol: &'a Tolerances,
    /// The two sides' sample counts when they sampled differently (batch summaries).
    pub noise: Option<&'a BatchNoise>,
}

/// One side of a comparison: its source (for error locations) and its table.
pub(crate) type Side<'a> = (&'a CsvSource, &'a Table);

/// Compares two summary-type tables: rows matched by their key columns (the known ones of the
/// file name, else guessed), value columns by name.
pub(crate) fn compare(
    check: &TableCheck,
    (esrc, e): Side,
    (asrc, a): Side,
    sink: &mut Sink,
) -> Result<FileReport> {
    let mut report = FileReport::new(check.name, FileKind::Table);
    if e.header.is_empty() || a.header.is_empty() {
        rows_of_the_other_side(e, a, &mut report);
        return Ok(report);
    }
    let key_names: Vec<String> = match known_keys(check.file_name) {
        Some(k) => k.iter().map(|s| s.to_string()).collect(),
        None => e.guess_keys(),
    };
    let keys = Keys {
        ekc: check.locate_keys(&key_names, e, esrc)?,
        akc: check.locate_keys(&key_names, a, asrc)?,
        scen: key_names.iter().position(|k| k == "scenario"),
        year: key_names.iter().position(|k| k == "year"),
    };
    let pairs = value_columns(e, a, &keys.ekc, &mut report);
    let col_tol: Vec<super::Tol> = pairs
        .iter()
        .map(|&(ce, _)| check.tol.for_variable(&e.header[ce]))
        .collect();

    let (ekeys, akeys) = (e.keys(&keys.ekc), a.keys(&keys.akc));
    let index: HashMap<&str, usize> = ekeys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let e_scen: Vec<String> = (0..e.rows.len())
        .map(|r| keys.scenario_of(e, &keys.ekc, r))
        .collect();
    let a_scen: Vec<String> = (0..a.rows.len())
        .map(|r| keys.scenario_of(a, &keys.akc, r))
        .collect();
    let e_set: HashSet<&str> = e_scen.iter().map(String::as_str).collect();
    let a_set: HashSet<&str> = a_scen.iter().map(String::as_str).collect();
    if keys.scen.is_some() {
        scenarios_on_one_side(&e_scen, &a_scen, &mut report);
    }

    // cases: one per scenario × column (or × key label) in expected order
    let mut cases = TableCases::default();
    let mut seen = vec![false; e.rows.len()];
    let mut noted: HashSet<String> = HashSet::new();
    let mut problems: Vec<(usize, &str)> = Vec::new();
    // histogram bins move with the samples: rows of such scenarios are not matched at all
    let unmatched = |scenario: &str| {
        check.file_name == "distributions.csv"
            && check.noise.and_then(|n| n.sizes(scenario)).is_some()
    };
    let mut skipped: Vec<String> = Vec::new();
    for (ai, k) in akeys.iter().enumerate() {
        if unmatched(&a_scen[ai]) {
            if !skipped.contains(&a_scen[ai]) {
                skipped.push(a_scen[ai].clone());
            }
            continue;
        }
        let Some(&ei) = index.get(k.as_str()) else {
            let r = keys.row_ref(a, &keys.akc, ai);
            let c = cases.get(&r.scenario, r.variable.clone());
            if e_set.contains(r.scenario.as_str()) || keys.scen.is_none() {
                report.extra_rows.push(r);
                problems.push((c, "extra in actual"));
            } else {
                problems.push((c, "scenario extra in actual"));
            }
            continue;
        };
        seen[ei] = true;
        let scenario = &e_scen[ei];
        let sizes = check.noise.and_then(|n| n.sizes(scenario));
        if let (Some(n), Some(_)) = (check.noise, sizes)
            && noted.insert(scenario.clone())
        {
            report.notes.push(n.note(scenario, check.tol.noise_k));
        }
        let row = MatchedRow {
            ei,
            ai,
            scenario,
            label: keys.label_of(e, &keys.ekc, ei),
            year: keys.year_of(e, &keys.ekc, ei),
            sizes,
        };
        check.compare_cells(
            (e, a),
            &row,
            (&pairs, &col_tol),
            &mut cases,
            &mut report,
            sink,
        );
    }
    for (ei, was_seen) in seen.iter().enumerate() {
        if *was_seen {
            continue;
        }
        if unmatched(&e_scen[ei]) {
            if !skipped.contains(&e_scen[ei]) {
                skipped.push(e_scen[ei].clone());
            }
            continue;
        }
        let r = keys.row_ref(e, &keys.ekc, ei);
        let c = cases.get(&r.scenario, r.variable.clone());
        if a_set.contains(r.scenario.as_str()) || keys.scen.is_none() {
            report.missing_rows.push(r);
            problems.push((c, "missing in actual"));
        } else {
            problems.push((c, "scenario missing in actual"));
        }
    }
    for (c, p) in problems {
        cases.add_problem(c, p);
    }
    for scenario in skipped {
        report.notes.push(format!(
            "scenario `{scenario}`: histogram not compared (different samples or seeds)"
        ));
    }
    report.cases = cases.list;
    Ok(report)
}

/// An empty file (a run without scenarios): every row of the other side differs.
fn rows_of_the_other_side(e: &Table, a: &Table, report: &mut FileReport) {
    let (side, list) = if e.header.is_empty() {
        (a, &mut report.extra_rows)
    } else {
        (e, &mut report.missing_rows)
    };
    for i in 0..side.rows.len() {
        list.push(RowRef {
            scenario: String::new(),
            variable: format!("row {}", i + 1),
            detail: None,
        });
    }
}

/// The value columns (not keys) matched by name, as (expected, actual) positions; the columns
/// of one side only are listed in the report.
fn value_columns(
    e: &Table,
    a: &Table,
    ekc: &[usize],
    report: &mut FileReport,
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (ce, h) in e.header.iter().enumerate() {
        if ekc.contains(&ce) {
            continue;
        }
        match a.col(h) {
            Some(ca) => pairs.push((ce, ca)),
            None => report.missing_columns.push(h.clone()),
        }
    }
    for h in &a.header {
        if e.col(h).is_none() {
            report.extra_columns.push(h.clone());
        }
    }
    pairs
}

/// Lists the scenarios found on one side only.
fn scenarios_on_one_side(e_scen: &[String], a_scen: &[String], report: &mut FileReport) {
    let e_set: HashSet<&str> = e_scen.iter().map(String::as_str).collect();
    let a_set: HashSet<&str> = a_scen.iter().map(String::as_str).collect();
    let mut seen = HashSet::new();
    for s in e_scen {
        if !a_set.contains(s.as_str()) && seen.insert(s) {
            report.missing_scenarios.push(s.clone());
        }
    }
    for s in a_scen {
        if !e_set.contains(s.as_str()) && seen.insert(s) {
            report.extra_scenarios.push(s.clone());
        }
    }
}

/// The key columns of both sides and where the scenario and year are among them.
struct Keys {
    /// Key column positions in the expected table.
    ekc: Vec<usize>,
    /// Key column positions in the actual table.
    akc: Vec<usize>,
    /// Which key is the scenario.
    scen: Option<usize>,
    /// Which key is the year.
    year: Option<usize>,
}

impl Keys {
    fn scenario_of(&self, t: &Table, kc: &[usize], row: usize) -> String {
        self.scen
            .map_or(String::new(), |p| t.rows[row][kc[p]].clone())
    }

    /// The non-scenario, non-year key values: "ev_cars", "net_kt/10/11".
    fn label_of(&self, t: &Table, kc: &[usize], row: usize) -> String {
        if kc.is_empty() {
            return format!("row {}", row + 1);
        }
        kc.iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != self.scen && Some(*i) != self.year)
            .map(|(_, &c)| t.rows[row][c].as_str())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn year_of(&self, t: &Table, kc: &[usize], row: usize) -> Option<String> {
        self.year.map(|p| t.rows[row][kc[p]].clone())
    }

    fn row_ref(&self, t: &Table, kc: &[usize], row: usize) -> RowRef {
        let mut variable = self.label_of(t, kc, row);
        if let Some(y) = self.year_of(t, kc, row) {
            variable = if variable.is_empty() {
                y
            } else {
                format!("{variable}/{y}")
            };
        }
        if variable.is_empty() {
            variable = "row".into();
        }
        RowRef {
            scenario: self.scenario_of(t, kc, row),
            variable,
            detail: None,
        }
    }
}

/// A row found on both sides.
struct MatchedRow<'a> {
    /// Row in the expected table.
    ei: usize,
    /// Row in the actual table.
    ai: usize,
    scenario: &'a str,
    /// The non-scenario, non-year key values.
    label: String,
    year: Option<String>,
    /// The two sides' sample counts when they sampled differently.
    sizes: Option<(u64, u64)>,
}

impl TableCheck<'_> {
    /// The positions of the key columns in `t`; a missing one is an error located in `src`.
    fn locate_keys(&self, key_names: &[String], t: &Table, src: &CsvSource) -> Result<Vec<usize>> {
        key_names
            .iter()
            .map(|k| {
                t.col(k).ok_or_else(|| {
                    src.error(format!("no `{k}` column"))
                        .at(1, 1)
                        .hint(format!(
                            "{} is compared by its key columns {}",
                            self.file_name,
                            key_names
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .into()
                })
            })
            .collect()
    }

    /// Compares the value cells of a matched row: equal text, or numbers within the column's
    /// tolerance (plus the sampling noise of batch summaries), else a failed cell.
    fn compare_cells(
        &self,
        (e, a): (&Table, &Table),
        row: &MatchedRow,
        (pairs, col_tol): (&[(usize, usize)], &[super::Tol]),
        cases: &mut TableCases,
        report: &mut FileReport,
        sink: &mut Sink,
    ) {
        let MatchedRow {
            ei,
            ai,
            scenario,
            sizes,
            ..
        } = *row;
        for (pi, &(ce, ca)) in pairs.iter().enumerate() {
            let column = &e.header[ce];
            if sizes.is_some() && (column == "samples" || column == "seed") {
                continue;
            }
            let variable = if row.label.is_empty() {
                column.clone()
            } else {
                format!("{}: {column}", row.label)
            };
            let c = cases.get(scenario, variable.clone());
            cases.list[c].cells += 1;
            report.cells_compared += 1;
            let (x, y) = (&e.rows[ei][ce], &a.rows[ai][ca]);
            if x == y {
                continue;
            }
            let numbers = match (parse_number(x.as_bytes()), parse_number(y.as_bytes())) {
                (Some(xn), Some(yn)) if !x.is_empty() && !y.is_empty() => Some((xn, yn)),
                _ => None,
            };
            let order = sink.next_order();
            match numbers {
                Some((xn, yn)) => {
                    let mut allowed = col_tol[pi].allowed(xn);
                    if let Some((ne, na)) = sizes {
                        allowed += summary_noise(e, ei, column, ne, na, self.tol.noise_k);
                    }
                    if xn == yn || (yn - xn).abs() <= allowed || (xn.is_nan() && yn.is_nan()) {
                        continue;
                    }
                    let excess = CellDiff::excess_of(xn, yn, allowed);
                    sink.offer(&mut cases.list[c], excess, || {
                        CellDiff::number(
                            self.name,
                            scenario.to_string(),
                            variable.clone(),
                            row.year.clone(),
                            xn,
                            yn,
                            allowed,
                            order,
                        )
                    });
                }
                None => {
                    sink.offer(&mut cases.list[c], f64::INFINITY, || {
                        CellDiff::text(
                            self.name,
                            scenario.to_string(),
                            variable.clone(),
                            row.year.clone(),
                            x.clone(),
                            y.clone(),
                            order,
                        )
                    });
                }
            }
            cases.list[c].failed += 1;
            report.cells_failed += 1;
        }
    }
}

/// Test cases (scenario × variable) in first-seen order.
#[derive(Default)]
struct TableCases {
    index: HashMap<(String, String), usize>,
    list: Vec<Case>,
}

impl TableCases {
    fn get(&mut self, scenario: &str, variable: String) -> usize {
        let list = &mut self.list;
        *self
            .index
            .entry((scenario.to_string(), variable.clone()))
            .or_insert_with(|| {
                list.push(Case {
                    scenario: scenario.to_string(),
                    variable,
                    cells: 0,
                    failed: 0,
                    worst: None,
                    problem: None,
                });
                list.len() - 1
            })
    }

    fn add_problem(&mut self, case: usize, problem: &str) {
        let p = &mut self.list[case].problem;
        match p {
            Some(old) if !old.contains(problem) => {
                old.push_str("; ");
                old.push_str(problem);
            }
            Some(_) => {}
            None => *p = Some(problem.to_string()),
        }
    }
}

/// The noise allowance of a cell of `batch/summary.csv` when the two sides used different
/// samples or seeds:
/// - `net_kt_mean`, `net_kt_p<NN>`, `neutrality_p<NN>`: as for batch statistics, with the spread
///   from the expected row's `…_p5` and `…_p95` (neutrality years: plus one year);
/// - probabilities `p_*`: `k · √(p(1−p)·(1/N_e + 1/N_a))` with `p` the expected value held
///   within [1/min N, 1 − 1/min N] (so that 0 and 1 still allow a few samples' worth).
fn summary_noise(e: &Table, row: usize, column: &str, ne: u64, na: u64, k: f64) -> f64 {
    let num = |c: &str| {
        e.col(c)
            .and_then(|i| parse_number(e.rows[row][i].as_bytes()))
            .filter(|x| x.is_finite())
    };
    for (prefix, extra) in [("net_kt_", 0.0), ("neutrality_", 1.0)] {
        if let Some(stat) = column.strip_prefix(prefix)
            && let (Some(p5), Some(p95)) =
                (num(&format!("{prefix}p5")), num(&format!("{prefix}p95")))
            && let Some(a) = noise_allowance(k, stat, p5, p95, ne, na)
        {
            return a + extra;
        }
    }
    if column.starts_with("p_")
        && let Some(p) = num(column)
    {
        let n = ne.min(na).max(1) as f64;
        let p = p.clamp(1.0 / n, 1.0 - 1.0 / n);
        return k * (p * (1.0 - p) * (1.0 / ne.max(1) as f64 + 1.0 / na.max(1) as f64)).sqrt();
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_files_are_found_by_the_last_part_of_their_schema_path() {
        // batch/distributions.csv in the schema: matched as distributions.csv in any folder
        assert_eq!(
            known_keys("distributions.csv"),
            Some(&["scenario", "quantity", "bin_lo", "bin_hi"][..])
        );
        assert_eq!(
            known_keys("difference.csv"),
            Some(&["scenario", "reference", "measure", "year"][..])
        );
        assert_eq!(known_keys("results.csv"), None);
        assert_eq!(known_keys("batch/distributions.csv"), None);
    }

    fn table(text: &str) -> (CsvSource, Table) {
        let src = CsvSource::from_bytes("t.csv", text.as_bytes());
        let t = Table::read(&src).unwrap();
        (src, t)
    }

    fn check_of(file_name: &str) -> TableCheck<'_> {
        static TOL: std::sync::LazyLock<Tolerances> = std::sync::LazyLock::new(Tolerances::default);
        TableCheck {
            name: file_name,
            file_name,
            tol: &TOL,
            noise: None,
        }
    }

    fn run(file_name: &str, e: &str, a: &str) -> FileReport {
        let (es, et) = table(e);
        let (as_, at) = table(a);
        compare(
            &check_of(file_name),
            (&es, &et),
            (&as_, &at),
            &mut Sink::new(),
        )
        .unwrap()
    }

    #[test]
    fn wedges_match_by_scenario_measure_and_year() {
        let e = "scenario,measure,pillar,year,kt\ns,ev,transport,2030,1.5\ns,ev,transport,2040,2\n";
        // rows swapped, one value changed, a year missing and one extra
        let a = "scenario,measure,pillar,year,kt\ns,ev,transport,2040,2.5\ns,ev,transport,2050,3\n";
        let r = run("wedges.csv", e, a);
        assert_eq!(r.cells_failed, 1);
        assert_eq!(r.missing_rows[0].variable, "ev/2030");
        assert_eq!(r.extra_rows[0].variable, "ev/2050");
        let failing: Vec<&Case> = r.cases.iter().filter(|c| c.failed > 0).collect();
        assert_eq!(failing[0].variable, "ev: kt");
        assert_eq!(
            failing[0].worst.as_ref().unwrap().year.as_deref(),
            Some("2040")
        );
    }

    #[test]
    fn unknown_tables_are_keyed_by_leading_text_columns() {
        let (_, t) = table("scenario,parameter,first_order\ns,a,0.5\ns,b,0.25\n");
        assert_eq!(t.guess_keys(), vec!["scenario", "parameter"]);
        let (_, n) = table("bin,count\n1,5\n2,7\n");
        assert!(n.guess_keys().is_empty());
        // repeated keys match in order
        let r = run("other.csv", "q,count\nx,1\nx,2\n", "q,count\nx,1\nx,3\n");
        assert_eq!(r.cells_failed, 1);
    }

    #[test]
    fn missing_key_column_is_bad_input() {
        let (es, et) = table("scenario,net_kt\ns,1\n");
        let (as_, at) = table("name,net_kt\ns,1\n");
        let err = compare(
            &check_of("summary.csv"),
            (&es, &et),
            (&as_, &at),
            &mut Sink::new(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("no `scenario` column"), "{err}");
    }
}
