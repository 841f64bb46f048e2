//! IAMC wide CSV (`results.csv`, `batch/stats.csv`): reading into dense arrays, and comparing
//! two of them row by row by key (scenario, region, variable, unit, and statistic when present;
//! the `model` column is ignored) and year by year.

use super::csvfile::{CsvSource, Row, RowSink, parse_number};
use super::report::{Case, CellDiff, FileKind, FileReport, RowRef};
use super::tolerances::{Tolerances, noise_allowance, standard_error_factor};
use super::{BatchNoise, FastMap, FastSet, Hashed, PreHashedMap, Sink, fx_hash};
use crate::error::{Error, Result};

/// Separates the parts of a row key.
const SEP: u8 = 0x1f;

/// The key columns, in key order.
const KEY_COLUMNS: [&str; 4] = ["scenario", "region", "variable", "unit"];

/// Whether a header has the IAMC key columns.
pub(crate) fn is_iamc_header(header: &[String]) -> bool {
    KEY_COLUMNS
        .iter()
        .all(|k| header.iter().any(|h| h.eq_ignore_ascii_case(k)))
}

/// One IAMC file in memory.
#[derive(Debug)]
pub(crate) struct Iamc {
    /// Year columns: (year, header label), in file order.
    years: Vec<(i64, String)>,
    /// Other columns (not model, not key, not a year), compared as text.
    text_columns: Vec<String>,
    has_statistic: bool,
    /// Row keys: scenario␟variable␟region␟unit[␟statistic].
    keys: Keys,
    /// [`fx_hash`] of each key.
    hashes: Vec<u64>,
    /// Length of each key's scenario␟variable prefix, and its hash.
    prefixes: Vec<(u32, u64)>,
    /// Line of each row in the file.
    lines: Vec<u64>,
    /// rows × years.
    values: Vec<f64>,
    /// rows × text columns.
    texts: Vec<Box<str>>,
}

impl Iamc {
    /// Parses a file. Errors: missing IAMC columns, bad CSV, a year cell that is not a number.
    pub fn read(src: &CsvSource) -> Result<Iamc> {
        let header = src.header()?;
        if header.is_empty() {
            // an empty file: no scenarios (kymsim writes one when a run has none)
            return Ok(Iamc {
                years: Vec::new(),
                text_columns: Vec::new(),
                has_statistic: false,
                keys: Keys::default(),
                hashes: Vec::new(),
                prefixes: Vec::new(),
                lines: Vec::new(),
                values: Vec::new(),
                texts: Vec::new(),
            });
        }
        let find = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let mut key_cols = Vec::with_capacity(5);
        for k in KEY_COLUMNS {
            match find(k) {
                Some(i) => key_cols.push(i),
                None => {
                    let missing: Vec<&str> = KEY_COLUMNS
                        .iter()
                        .copied()
                        .filter(|k| find(k).is_none())
                        .collect();
                    return Err(src
                        .error(format!(
                            "not an IAMC CSV: no {} column{}",
                            missing
                                .iter()
                                .map(|m| format!("`{m}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            if missing.len() > 1 { "s" } else { "" }
                        ))
                        .at(1, 1)
                        .hint(
                            "an IAMC CSV has the columns model,scenario,region,variable,unit \
                             and one column per year",
                        )
                        .into());
                }
            }
        }
        // key order: scenario, variable, region, unit (, statistic), so that scenario and
        // variable, which name a test case, are a prefix of the key
        key_cols.swap(1, 2);
        let has_statistic = find("statistic").is_some();
        if let Some(i) = find("statistic") {
            key_cols.push(i);
        }
        let model_col = find("model");
        let mut years = Vec::new();
        let mut year_cols = Vec::new();
        let mut text_columns = Vec::new();
        let mut text_cols = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if key_cols.contains(&i) || Some(i) == model_col {
                continue;
            }
            match h.parse::<i64>() {
                Ok(y) => {
                    if years.iter().any(|(y0, _)| *y0 == y) {
                        return Err(src
                            .error(format!("year {y} appears twice in the header"))
                            .at(1, 1)
                            .into());
                    }
                    years.push((y, h.clone()));
                    year_cols.push(i);
                }
                Err(_) => {
                    text_columns.push(h.clone());
                    text_cols.push(i);
                }
            }
        }
        let ny = years.len();
        let mut rows = RowBuilder {
            src,
            key_cols,
            year_cols,
            text_cols,
            years: &years,
            keys: Keys::default(),
            hashes: Vec::new(),
            prefixes: Vec::new(),
            lines: Vec::new(),
            // a row is about 10 bytes per year cell: reserve once instead of growing 80 MB
            values: Vec::with_capacity(src.size_hint() / 12),
            texts: Vec::new(),
            key: Vec::with_capacity(256),
        };
        src.for_each_row(header.len(), &mut rows)?;
        let RowBuilder {
            keys,
            hashes,
            prefixes,
            lines,
            values,
            texts,
            ..
        } = rows;
        debug_assert_eq!(values.len(), keys.len() * ny);
        Ok(Iamc {
            years,
            text_columns,
            has_statistic,
            keys,
            hashes,
            prefixes,
            lines,
            values,
            texts,
        })
    }

    fn rows(&self) -> usize {
        self.keys.len()
    }

    /// The key of `row` with its hash, for the maps.
    fn hashed(&self, row: usize) -> Hashed<'_> {
        Hashed {
            hash: self.hashes[row],
            bytes: self.keys.get(row),
        }
    }

    /// The scenario part of a key.
    fn scenario<'k>(&self, key: &'k [u8]) -> &'k [u8] {
        let end = memchr::memchr(SEP, key).unwrap_or(key.len());
        &key[..end]
    }

    fn row_values(&self, row: usize) -> &[f64] {
        let ny = self.years.len();
        &self.values[row * ny..(row + 1) * ny]
    }
}

/// Row keys in one buffer (no allocation per row).
#[derive(Debug, Default)]
struct Keys {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Keys {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    fn push(&mut self, key: &[u8]) {
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len());
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Builds the arrays of an [`Iamc`] row by row.
struct RowBuilder<'a> {
    src: &'a CsvSource,
    key_cols: Vec<usize>,
    year_cols: Vec<usize>,
    text_cols: Vec<usize>,
    years: &'a [(i64, String)],
    keys: Keys,
    hashes: Vec<u64>,
    prefixes: Vec<(u32, u64)>,
    lines: Vec<u64>,
    values: Vec<f64>,
    texts: Vec<Box<str>>,
    key: Vec<u8>,
}

impl RowSink for RowBuilder<'_> {
    #[inline]
    fn row(&mut self, row: &Row) -> Result<()> {
        self.key.clear();
        let mut prefix = 0;
        for (n, &c) in self.key_cols.iter().enumerate() {
            if n > 0 {
                self.key.push(SEP);
            }
            self.key.extend_from_slice(row.field(c).trim_ascii());
            if n == 1 {
                prefix = self.key.len();
            }
        }
        // hashing here, on the parsing threads, spares the single-threaded comparison
        self.hashes.push(fx_hash(&self.key));
        self.prefixes
            .push((prefix as u32, fx_hash(&self.key[..prefix])));
        self.keys.push(&self.key);
        self.lines.push(row.line);
        for (j, &c) in self.year_cols.iter().enumerate() {
            match parse_number(row.field(c)) {
                Some(x) => self.values.push(x),
                None => return Err(bad_cell(self.src, row, c, &self.years[j].1)),
            }
        }
        for &c in &self.text_cols {
            self.texts
                .push(String::from_utf8_lossy(row.field(c)).into());
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.keys.clear();
        self.hashes.clear();
        self.prefixes.clear();
        self.lines.clear();
        self.values.clear();
        self.texts.clear();
    }
}

#[cold]
fn bad_cell(src: &CsvSource, row: &Row, col: usize, year: &str) -> Error {
    let text = String::from_utf8_lossy(row.field(col));
    src.cell_error(
        row.line,
        col,
        format!("the {year} cell `{text}` is not a number"),
    )
}

/// The parts of a key: scenario, region, variable, unit, statistic (may be absent).
struct KeyParts<'a> {
    scenario: &'a [u8],
    region: &'a [u8],
    variable: &'a [u8],
    unit: &'a [u8],
    statistic: Option<&'a [u8]>,
}

fn split_key(key: &[u8]) -> KeyParts<'_> {
    let mut it = key.split(|&b| b == SEP);
    KeyParts {
        scenario: it.next().unwrap_or_default(),
        variable: it.next().unwrap_or_default(),
        region: it.next().unwrap_or_default(),
        unit: it.next().unwrap_or_default(),
        statistic: it.next(),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl KeyParts<'_> {
    /// The variable as shown in the differences table: `Variable [p5]` in batch statistics.
    fn label(&self) -> String {
        match self.statistic {
            Some(s) => format!("{} [{}]", text(self.variable), text(s)),
            None => text(self.variable),
        }
    }

    fn row_ref(&self) -> RowRef {
        let mut detail = format!("{}, {}", text(self.unit), text(self.region));
        if let Some(s) = self.statistic {
            detail = format!("{}, {detail}", text(s));
        }
        RowRef {
            scenario: text(self.scenario),
            variable: text(self.variable),
            detail: Some(detail),
        }
    }
}

/// Cases (scenario × variable) in first-seen order, keyed by the key prefix.
struct Cases<'a> {
    index: PreHashedMap<'a, usize>,
    list: Vec<Case>,
}

impl<'a> Cases<'a> {
    /// The case of row `row` of `data`.
    fn get(&mut self, data: &'a Iamc, row: usize) -> usize {
        let (len, hash) = data.prefixes[row];
        let key = Hashed {
            hash,
            bytes: &data.keys.get(row)[..len as usize],
        };
        let list = &mut self.list;
        *self.index.entry(key).or_insert_with(|| {
            let p = split_key(data.keys.get(row));
            list.push(Case {
                scenario: text(p.scenario),
                variable: text(p.variable),
                cells: 0,
                failed: 0,
                worst: None,
                problem: None,
            });
            list.len() - 1
        })
    }

    fn add_problem(&mut self, case: usize, problem: String) {
        let p = &mut self.list[case].problem;
        match p {
            Some(old) => {
                if !old.contains(&problem) {
                    old.push_str("; ");
                    old.push_str(&problem);
                }
            }
            None => *p = Some(problem),
        }
    }
}

/// Compares two IAMC files. `name` labels the file in the report.
pub(crate) fn compare(
    name: &str,
    (esrc, e): (&CsvSource, &Iamc),
    (asrc, a): (&CsvSource, &Iamc),
    tol: &Tolerances,
    noise: Option<&BatchNoise>,
    sink: &mut Sink,
) -> Result<FileReport> {
    let mut report = FileReport::new(name, FileKind::Iamc);

    // years and text columns, matched by value / name
    let (pairs, text_pairs) = matched_columns(e, a, &mut report);
    same_statistic_column(e, a, asrc)?;

    // index of the expected rows
    let mut index: PreHashedMap<u32> =
        PreHashedMap::with_capacity_and_hasher(e.rows(), Default::default());
    for i in 0..e.rows() {
        if index.insert(e.hashed(i), i as u32).is_some() {
            return Err(duplicate(esrc, e, i));
        }
    }
    let mut e_scenarios: Vec<&[u8]> = Vec::new();
    let mut e_scen_set: FastSet<&[u8]> = FastSet::default();
    let mut cases = Cases {
        index: PreHashedMap::with_capacity_and_hasher(e.rows(), Default::default()),
        list: Vec::with_capacity(e.rows()),
    };
    let mut case_of: Vec<u32> = Vec::with_capacity(e.rows());
    let mut last: &[u8] = &[];
    for (i, k) in e.keys.iter().enumerate() {
        let scenario = e.scenario(k);
        // rows come grouped by scenario: look up only when it changes
        if (i == 0 || scenario != last) && e_scen_set.insert(scenario) {
            e_scenarios.push(scenario);
        }
        last = scenario;
        case_of.push(cases.get(e, i) as u32);
    }
    let mut a_scen_set: FastSet<&[u8]> = FastSet::default();
    for (i, k) in a.keys.iter().enumerate() {
        let s = a.scenario(k);
        if (i == 0 || s != last) && a_scen_set.insert(s) && !e_scen_set.contains(s) {
            report.extra_scenarios.push(text(s));
        }
        last = s;
    }
    for s in &e_scenarios {
        if !a_scen_set.contains(s) {
            report.missing_scenarios.push(text(s));
        }
    }

    // noise allowance per scenario, when the two sides differ in samples or seed
    let mut noted: FastSet<&[u8]> = FastSet::default();
    let mut noise_row: Vec<f64> = vec![0.0; e.years.len()];
    let mut stat_key: Vec<u8> = Vec::new();

    let mut seen = vec![false; e.rows()];
    let mut compared: u64 = 0;
    let mut failed: u64 = 0;
    let mut tol_cache: FastMap<&[u8], super::Tol> = FastMap::default();
    for (ai, key) in a.keys.iter().enumerate() {
        let Some(&ei) = index.get(&a.hashed(ai)) else {
            let p = split_key(key);
            if e_scen_set.contains(p.scenario) {
                report.extra_rows.push(p.row_ref());
            }
            let c = cases.get(a, ai);
            let problem = if e_scen_set.contains(p.scenario) {
                "extra in actual"
            } else {
                "scenario extra in actual"
            };
            cases.add_problem(c, problem.into());
            continue;
        };
        let ei = ei as usize;
        if std::mem::replace(&mut seen[ei], true) {
            return Err(duplicate(asrc, a, ai));
        }
        let p = split_key(key);
        let t = if tol.rules.is_empty() {
            tol.default
        } else {
            *tol_cache
                .entry(p.variable)
                .or_insert_with(|| tol.for_variable(&String::from_utf8_lossy(p.variable)))
        };

        // noise allowance of this row, if any
        let mut widened = false;
        if let (Some(noise), Some(stat)) = (noise, p.statistic)
            && let Some((ne, na)) = noise.sizes(&String::from_utf8_lossy(p.scenario))
            && standard_error_factor(&String::from_utf8_lossy(stat)).is_some()
        {
            let base_len = key.len() - stat.len();
            let mut row_of = |q: &[u8]| {
                stat_key.clear();
                stat_key.extend_from_slice(&key[..base_len]);
                stat_key.extend_from_slice(q);
                index
                    .get(&Hashed {
                        hash: fx_hash(&stat_key),
                        bytes: &stat_key,
                    })
                    .copied()
            };
            if let (Some(r5), Some(r95)) = (row_of(b"p5"), row_of(b"p95")) {
                let stat = String::from_utf8_lossy(stat);
                let (v5, v95) = (e.row_values(r5 as usize), e.row_values(r95 as usize));
                for j in 0..noise_row.len() {
                    noise_row[j] =
                        noise_allowance(tol.noise_k, &stat, v5[j], v95[j], ne, na).unwrap_or(0.0);
                }
                widened = true;
            }
            if noted.insert(p.scenario) {
                report
                    .notes
                    .push(noise.note(&String::from_utf8_lossy(p.scenario), tol.noise_k));
            }
        }

        let case = case_of[ei] as usize;
        let (ev, av) = (e.row_values(ei), a.row_values(ai));
        let mut row_failed = 0u64;
        for &(je, ja) in &pairs {
            let (x, y) = (ev[je], av[ja]);
            if x == y {
                continue;
            }
            let mut allowed = t.allowed(x);
            if widened {
                allowed += noise_row[je];
            }
            if (y - x).abs() <= allowed || (x.is_nan() && y.is_nan()) {
                continue;
            }
            row_failed += 1;
            let order = sink.next_order();
            let excess = CellDiff::excess_of(x, y, allowed);
            sink.offer(&mut cases.list[case], excess, || {
                CellDiff::number(
                    name,
                    text(p.scenario),
                    p.label(),
                    Some(e.years[je].1.clone()),
                    x,
                    y,
                    allowed,
                    order,
                )
            });
        }
        row_failed += compare_texts(
            name,
            &p,
            (e, ei),
            (a, ai),
            &text_pairs,
            sink,
            &mut cases.list[case],
        );
        let n = (pairs.len() + text_pairs.len()) as u64;
        compared += n;
        failed += row_failed;
        let c = &mut cases.list[case];
        c.cells += n;
        c.failed += row_failed;
    }
    for (ei, key) in e.keys.iter().enumerate() {
        if seen[ei] {
            continue;
        }
        let p = split_key(key);
        let case = case_of[ei] as usize;
        if a_scen_set.contains(p.scenario) {
            report.missing_rows.push(p.row_ref());
            cases.add_problem(case, "missing in actual".into());
        } else {
            cases.add_problem(case, "scenario missing in actual".into());
        }
    }
    report.cells_compared = compared;
    report.cells_failed = failed;
    report.cases = cases.list;
    Ok(report)
}

/// Compares the text cells of expected row `ei` with actual row `ai`, offering each difference
/// to the sink; returns how many differ.
fn compare_texts(
    name: &str,
    p: &KeyParts,
    (e, ei): (&Iamc, usize),
    (a, ai): (&Iamc, usize),
    text_pairs: &[ColumnPair],
    sink: &mut Sink,
    case: &mut Case,
) -> u64 {
    let mut failed = 0;
    for &(ce, ca) in text_pairs {
        let (x, y) = (
            &e.texts[ei * e.text_columns.len() + ce],
            &a.texts[ai * a.text_columns.len() + ca],
        );
        if x != y {
            failed += 1;
            let order = sink.next_order();
            sink.offer(case, f64::INFINITY, || {
                CellDiff::text(
                    name,
                    text(p.scenario),
                    format!("{}: {}", p.label(), e.text_columns[ce]),
                    None,
                    x.to_string(),
                    y.to_string(),
                    order,
                )
            });
        }
    }
    failed
}

/// A column's position in the expected and in the actual file.
type ColumnPair = (usize, usize);

/// The year columns (matched by year) and text columns (by name) of both sides, as (expected,
/// actual) positions; the columns of one side only are listed in the report.
fn matched_columns(
    e: &Iamc,
    a: &Iamc,
    report: &mut FileReport,
) -> (Vec<ColumnPair>, Vec<ColumnPair>) {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (je, (y, label)) in e.years.iter().enumerate() {
        match a.years.iter().position(|(ya, _)| ya == y) {
            Some(ja) => pairs.push((je, ja)),
            None => report.missing_columns.push(label.clone()),
        }
    }
    for (y, label) in &a.years {
        if !e.years.iter().any(|(ye, _)| ye == y) {
            report.extra_columns.push(label.clone());
        }
    }
    let mut text_pairs: Vec<(usize, usize)> = Vec::new();
    for (ce, c) in e.text_columns.iter().enumerate() {
        match a.text_columns.iter().position(|x| x == c) {
            Some(ca) => text_pairs.push((ce, ca)),
            None => report.missing_columns.push(c.clone()),
        }
    }
    for c in &a.text_columns {
        if !e.text_columns.contains(c) {
            report.extra_columns.push(c.clone());
        }
    }
    (pairs, text_pairs)
}

/// Refuses batch statistics (a `statistic` column) compared with plain results.
fn same_statistic_column(e: &Iamc, a: &Iamc, asrc: &CsvSource) -> Result<()> {
    if e.has_statistic != a.has_statistic && e.rows() > 0 && a.rows() > 0 {
        let (has, lacks) = if e.has_statistic {
            ("expected", "actual")
        } else {
            ("actual", "expected")
        };
        return Err(asrc
            .error(format!(
                "the {has} file has a `statistic` column and the {lacks} file does not"
            ))
            .hint("compare batch statistics with batch statistics")
            .into());
    }
    Ok(())
}

#[cold]
fn duplicate(src: &CsvSource, data: &Iamc, row: usize) -> Error {
    let p = split_key(data.keys.get(row));
    let mut what = format!(
        "row `{}` of scenario `{}` appears twice",
        text(p.variable),
        text(p.scenario)
    );
    if let Some(s) = p.statistic {
        what.push_str(&format!(" (statistic `{}`)", text(s)));
    }
    src.row_error(data.lines[row], what)
        .hint("each scenario, region, variable and unit (and statistic) may have one row")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iamc(text: &str) -> (CsvSource, Iamc) {
        let src = CsvSource::from_bytes("t.csv", text.as_bytes());
        let data = Iamc::read(&src).unwrap();
        (src, data)
    }

    #[test]
    fn reads_years_and_keys() {
        let (_, d) = iamc(
            "model,scenario,region,variable,unit,2020,2030\n\
             m,s,R,Emissions,kt,1.5,\n",
        );
        assert_eq!(d.years, vec![(2020, "2020".into()), (2030, "2030".into())]);
        assert_eq!(d.keys.get(0), b"s\x1fEmissions\x1fR\x1fkt");
        assert_eq!(d.values[0], 1.5);
        assert!(d.values[1].is_nan());
    }

    #[test]
    fn bad_number_is_located() {
        let src = CsvSource::from_bytes(
            "t.csv",
            b"model,scenario,region,variable,unit,2020\nm,s,R,\"E|x\",kt,abc\n",
        );
        let Err(Error::Input(e)) = Iamc::read(&src) else {
            panic!()
        };
        assert_eq!((e.line, e.column), (Some(2), Some(16)));
        assert!(e.message.contains("2020") && e.message.contains("abc"));
    }

    #[test]
    fn model_column_is_ignored_and_order_does_not_matter() {
        let (es, e) = iamc(
            "model,scenario,region,variable,unit,2020,2030\nm1,s,R,A,kt,1,2\nm1,s,R,B,kt,3,4\n",
        );
        let (as_, a) = iamc(
            "scenario,model,variable,region,unit,2030,2020\ns,m2,B,R,kt,4,3\ns,m2,A,R,kt,2,1\n",
        );
        let mut sink = Sink::new();
        let r = compare(
            "t.csv",
            (&es, &e),
            (&as_, &a),
            &Tolerances::default(),
            None,
            &mut sink,
        )
        .unwrap();
        assert!(r.is_equal(), "{r:?}");
        assert_eq!(r.cells_compared, 4);
    }
}
