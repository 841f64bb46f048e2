//! Reading Syke's ALas files: `;`-separated, decimal comma, `NA`/`NULL`/empty for missing values.
//!
//! Two kinds of file are read: the per-municipality results `kunta_<number>.csv` and the
//! municipality list (`asukasluvut_<year>.csv`). Every error names the file, line and column
//! (a bad number, a missing column, the wrong separator) and says what to do.

use crate::data::nth_line;
use std::path::Path;

use crate::error::{InputError, Result, name_list};
use crate::input::TextFile;

/// One row of a municipality's ALas results.
#[derive(Debug, Clone, PartialEq)]
pub struct AlasRow {
    /// Index of the file among those read (for messages).
    pub file: usize,
    /// 1-based line in that file.
    pub line: usize,
    /// Municipality number (`kuntanro`), e.g. 75 for Hamina.
    pub municipality: u32,
    /// Year (`vuosi`).
    pub year: i32,
    /// Emissions, kt CO2e (`kt`); `None` when the cell is `NA`/`NULL`/empty.
    pub kt: Option<f64>,
    /// Emissions with wind-power credits, kt CO2e (`kt_tuuli`).
    pub kt_wind: Option<f64>,
    /// Final energy, GWh (`GWh`).
    pub gwh: Option<f64>,
    /// Counted under the Hinku rules (`hinku_laskenta`); `None` when missing.
    pub hinku: Option<bool>,
    /// In the EU emissions-trading sector (`päästökauppa`); `None` when missing.
    pub ets: Option<bool>,
    /// Sector code, level 3 (`""` when missing).
    pub taso_3: String,
    /// Sector code, level 4.
    pub taso_4: String,
    /// Sector code, level 5.
    pub taso_5: String,
}

/// A municipality of the list file.
#[derive(Debug, Clone, PartialEq)]
pub struct Municipality {
    /// `kuntanro`.
    pub number: u32,
    /// `kunta_fi`.
    pub name: String,
    /// `maakunta_fi`: the region it belongs to now.
    pub region: String,
    /// Population, if the list has a population column.
    pub population: Option<f64>,
}

/// The municipality list file.
#[derive(Debug, Clone)]
pub struct MunicipalityList {
    /// The municipalities in file order.
    pub municipalities: Vec<Municipality>,
    /// The population column used, if any.
    pub population_column: Option<String>,
    /// The year of the population figures (from the file name, e.g. `asukasluvut_2023.csv`).
    pub population_year: Option<i32>,
}

impl MunicipalityList {
    /// The municipality with this number.
    pub fn get(&self, number: u32) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.number == number)
    }
}

/// The columns of a municipality file, each with the spellings accepted (compared after
/// lower-casing and turning `-` into `_`).
const VUOSI: &[&str] = &["vuosi"];
const KT: &[&str] = &["kt"];
const KT_WIND: &[&str] = &["kt_tuuli"];
const GWH: &[&str] = &["gwh"];
const HINKU: &[&str] = &["hinku_laskenta"];
const ETS: &[&str] = &["päästökauppa", "paastokauppa"];
const TASO_3: &[&str] = &["taso_3"];
const TASO_4: &[&str] = &["taso_4"];
const TASO_5: &[&str] = &["taso_5"];
const KUNTANRO: &[&str] = &["kuntanro", "kuntanumero"];

const MUNICIPALITY_COLUMNS: &str =
    "vuosi;kt;kt_tuuli;GWh;hinku_laskenta;päästökauppa;taso_3;taso_4;taso_5";

/// Population columns recognised in the list file, in order of preference.
const POPULATION: &[&str] = &[
    "asukasluku",
    "asukkaat",
    "väkiluku",
    "vakiluku",
    "väestö",
    "vaesto",
    "population",
];

/// A `;`-separated file read into rows with line numbers.
struct SemiTable<'a> {
    file: &'a TextFile,
    columns: Vec<String>,
    rows: Vec<(usize, csv::StringRecord)>,
}

fn normalize(name: &str) -> String {
    name.trim().to_lowercase().replace('-', "_")
}

/// 1-based character column where `;`-separated field `index` of `line` starts (quotes respected).
pub fn field_column(line: &str, index: usize) -> usize {
    crate::data::field_column_with(line, index, ';')
}

impl<'a> SemiTable<'a> {
    fn read(file: &'a TextFile, expected: &str) -> Result<SemiTable<'a>> {
        let header_line = nth_line(&file.text, 1);
        if header_line.trim().is_empty() {
            return Err(file
                .error("the file is empty or its first line is blank")
                .at(1, 1)
                .hint(format!("the first line must name the columns: {expected}"))
                .into());
        }
        if !header_line.contains(';') {
            for (sep, what) in [(',', "comma"), ('\t', "tab")] {
                if let Some(pos) = header_line.chars().position(|c| c == sep) {
                    return Err(file
                        .error_at_line(
                            1,
                            pos + 1,
                            format!("the file is {what}-separated; ALas files are `;`-separated"),
                        )
                        .hint("export with `;` between fields and `,` as the decimal mark (as Syke publishes them), e.g. a spreadsheet's \"CSV (semicolon)\"")
                        .into());
                }
            }
        }
        // csv's own line numbers drift on blank lines and CRLF: parse a copy with LF endings
        // (same line numbers) and count newlines up to each record's byte offset
        let text = file.text.replace("\r\n", "\n");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .flexible(false)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(r) => r.map_err(|e| csv_error(file, &text, e))?,
            None => {
                return Err(file.error("the file is empty").at(1, 1).into());
            }
        };
        let columns: Vec<String> = header.iter().map(normalize).collect();
        let mut rows = Vec::new();
        let mut counter = LineCounter::default();
        for rec in records {
            let rec = rec.map_err(|e| csv_error(file, &text, e))?;
            let line = rec
                .position()
                .map_or(0, |p| counter.line_of_record(&text, p.byte() as usize));
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            rows.push((line, rec));
        }
        Ok(SemiTable {
            file,
            columns,
            rows,
        })
    }

    fn find(&self, names: &[&str]) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| names.iter().any(|n| c == n))
    }

    fn require(&self, names: &[&str], expected: &str) -> Result<usize> {
        self.find(names).ok_or_else(|| {
            let header = nth_line(&self.file.text, 1);
            self.file
                .error_at_line(
                    1,
                    header.chars().count() + 1,
                    format!("missing column `{}`", names[0]),
                )
                .hint(format!(
                    "the first line must name the columns {expected}; this file has {}",
                    name_list(self.columns.iter().map(String::as_str))
                ))
                .into()
        })
    }

    fn cell<'r>(&self, rec: &'r csv::StringRecord, col: usize) -> &'r str {
        rec.get(col).map_or("", str::trim)
    }

    fn cell_error(&self, line: usize, col: usize, message: impl Into<String>) -> InputError {
        let column = field_column(nth_line(&self.file.text, line), col);
        self.file.error_at_line(line, column, message)
    }

    fn number(&self, line: usize, rec: &csv::StringRecord, col: usize) -> Result<Option<f64>> {
        let s = self.cell(rec, col);
        parse_decimal(s).map_err(|(msg, hint)| {
            self.cell_error(
                line,
                col,
                format!("`{}` must be a number, not `{s}`: {msg}", self.columns[col]),
            )
            .hint(hint)
            .into()
        })
    }

    fn flag(&self, line: usize, rec: &csv::StringRecord, col: usize) -> Result<Option<bool>> {
        let s = self.cell(rec, col);
        parse_bool(s).ok_or_else(|| {
            self.cell_error(
                line,
                col,
                format!("`{}` must be TRUE or FALSE, not `{s}`", self.columns[col]),
            )
            .hint("write TRUE/FALSE, true/false, 1/0 or kyllä/ei (NA for missing)")
            .into()
        })
    }

    fn integer(&self, line: usize, rec: &csv::StringRecord, col: usize, what: &str) -> Result<i64> {
        let s = self.cell(rec, col);
        s.parse::<i64>().map_err(|_| {
            self.cell_error(
                line,
                col,
                format!(
                    "`{}` must be a whole number ({what}), not `{s}`",
                    self.columns[col]
                ),
            )
            .into()
        })
    }
}

/// Line numbers of records, counted incrementally (records come in file order).
#[derive(Default)]
struct LineCounter {
    /// Byte offset counted up to.
    at_byte: usize,
    /// Newlines before `at_byte`.
    newlines: usize,
}

impl LineCounter {
    /// 1-based line of the record starting at byte `offset` (blank lines before it skipped).
    fn line_of_record(&mut self, text: &str, offset: usize) -> usize {
        let bytes = text.as_bytes();
        let mut at = offset.min(bytes.len());
        while at < bytes.len() && bytes[at] == b'\n' {
            at += 1;
        }
        if at < self.at_byte {
            // out of order (never for csv records): count from the start
            *self = LineCounter::default();
        }
        self.newlines += bytes[self.at_byte..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.at_byte = at;
        self.newlines + 1
    }
}

fn csv_error(file: &TextFile, text: &str, e: csv::Error) -> crate::error::Error {
    let line = e
        .position()
        .map(|p| LineCounter::default().line_of_record(text, p.byte() as usize));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this row has {len} fields but the header has {expected_len}"),
        _ => format!("malformed CSV: {e}"),
    };
    let mut err = file.error(message).hint(
        "fields are separated by `;` (the decimal mark is `,`); quote a value that contains `;`",
    );
    if let Some(l) = line {
        err = err.at(l, 1).with_source_line(&file.text);
    }
    err.into()
}

/// A decimal number as ALas writes it: decimal comma (a point is accepted too), `NA`, `NULL`
/// or empty for missing. `Err` holds a message and a hint.
///
/// ```
/// use kymsim::alas::reader::parse_decimal;
/// assert_eq!(parse_decimal("12,5"), Ok(Some(12.5)));
/// assert_eq!(parse_decimal("-0,25"), Ok(Some(-0.25)));
/// assert_eq!(parse_decimal("NA"), Ok(None));
/// assert!(parse_decimal("1.234,5").is_err());
/// ```
pub fn parse_decimal(s: &str) -> std::result::Result<Option<f64>, (String, String)> {
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("null") {
        return Ok(None);
    }
    let t = t.replace('\u{2212}', "-");
    if t.contains(',') && t.contains('.') {
        return Err((
            "it mixes `,` and `.`".into(),
            "write the decimal mark as `,` (or `.`) and no thousands separators, e.g. 1234,5"
                .into(),
        ));
    }
    let plain = t.replace(',', ".");
    let ok = plain
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match plain.parse::<f64>() {
        Ok(v) if ok && v.is_finite() && v.abs() < 1e12 => Ok(Some(v)),
        Ok(_) if ok => Err((
            "it is out of range".into(),
            "values are kt CO2e or GWh; check the unit".into(),
        )),
        _ => Err((
            "it is not a decimal number".into(),
            "write a number with a decimal comma, e.g. 12,5, or NA for a missing value".into(),
        )),
    }
}

/// A boolean flag: TRUE/FALSE, true/false, 1/0, kyllä/ei, on/ei, yes/no (any case).
/// `Some(None)` for a missing value (`NA`, `NULL`, empty), `None` for anything else.
///
/// ```
/// use kymsim::alas::reader::parse_bool;
/// assert_eq!(parse_bool("TRUE"), Some(Some(true)));
/// assert_eq!(parse_bool("ei"), Some(Some(false)));
/// assert_eq!(parse_bool("NA"), Some(None));
/// assert_eq!(parse_bool("maybe"), None);
/// ```
pub fn parse_bool(s: &str) -> Option<Option<bool>> {
    let t = s.trim().to_lowercase();
    match t.as_str() {
        "" | "na" | "null" => Some(None),
        "true" | "1" | "kyllä" | "kylla" | "on" | "yes" | "t" => Some(Some(true)),
        "false" | "0" | "ei" | "no" | "f" => Some(Some(false)),
        _ => None,
    }
}

/// The municipality number in a file name `kunta_<number>.csv` (leading zeros allowed).
///
/// ```
/// use kymsim::alas::reader::number_from_file_name;
/// assert_eq!(number_from_file_name(std::path::Path::new("x/kunta_075.csv")), Some(75));
/// assert_eq!(number_from_file_name(std::path::Path::new("kunta.csv")), None);
/// ```
pub fn number_from_file_name(path: &Path) -> Option<u32> {
    let stem = path.file_stem()?.to_str()?;
    let digits = stem.strip_prefix("kunta_")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The 4-digit year in a file name such as `asukasluvut_2023.csv`, if any.
pub fn year_from_file_name(path: &Path) -> Option<i32> {
    let stem = path.file_stem()?.to_str()?;
    stem.split(|c: char| !c.is_ascii_digit())
        .filter(|p| p.len() == 4)
        .filter_map(|p| p.parse::<i32>().ok())
        .find(|y| (1900..=2100).contains(y))
}

/// Refuses a file in which a row repeats an earlier one exactly: an ALas export lists each row
/// once, and a repeat would be counted twice in every total. The message gives the first repeat
/// and how many rows repeat.
fn check_repeated_rows(file: &TextFile, rows: &[(usize, csv::StringRecord)]) -> Result<()> {
    let mut first_seen: std::collections::HashMap<Vec<&str>, usize> =
        std::collections::HashMap::with_capacity(rows.len());
    let mut repeated = 0usize;
    let mut example = None;
    for (line, rec) in rows {
        let key: Vec<&str> = rec.iter().map(str::trim).collect();
        match first_seen.get(&key) {
            Some(&first) => {
                repeated += 1;
                example.get_or_insert((*line, first));
            }
            None => {
                first_seen.insert(key, *line);
            }
        }
    }
    match example {
        None => Ok(()),
        Some((line, first)) => Err(file
            .error_at_line(
                line,
                1,
                format!("this row repeats line {first} exactly ({repeated} repeated row(s) in the file)"),
            )
            .hint("an ALas export lists each row once; remove the repeated rows (they would be counted twice)")
            .into()),
    }
}

/// Reads one municipality's results. The municipality number is the row's `kuntanro` cell if
/// the file has that column, else the number in the file name (`kunta_<number>.csv`).
pub fn read_municipality_file(
    file: &TextFile,
    path: &Path,
    file_index: usize,
) -> Result<Vec<AlasRow>> {
    let table = SemiTable::read(file, MUNICIPALITY_COLUMNS)?;
    let col = |names: &[&str]| table.require(names, MUNICIPALITY_COLUMNS);
    let c_year = col(VUOSI)?;
    let c_kt = col(KT)?;
    let c_wind = col(KT_WIND)?;
    let c_gwh = col(GWH)?;
    let c_hinku = col(HINKU)?;
    let c_ets = col(ETS)?;
    let c_t3 = col(TASO_3)?;
    let c_t4 = col(TASO_4)?;
    let c_t5 = col(TASO_5)?;
    let c_number = table.find(KUNTANRO);
    let from_name = number_from_file_name(path);
    if c_number.is_none() && from_name.is_none() {
        return Err(file
            .error("cannot tell which municipality this file is for")
            .hint("name the file `kunta_<number>.csv` (as Syke does, e.g. kunta_075.csv) or add a `kuntanro` column")
            .into());
    }
    let code = |rec: &csv::StringRecord, c: usize| -> String {
        let s = table.cell(rec, c);
        if s.eq_ignore_ascii_case("na") || s.eq_ignore_ascii_case("null") {
            String::new()
        } else {
            s.to_string()
        }
    };
    let mut rows = Vec::with_capacity(table.rows.len());
    check_repeated_rows(file, &table.rows)?;
    for (line, rec) in &table.rows {
        let line = *line;
        let municipality = match c_number {
            Some(c) => {
                let n = table.integer(line, rec, c, "a municipality number")?;
                let n = u32::try_from(n).map_err(|_| {
                    table.cell_error(line, c, format!("municipality number {n} is negative"))
                })?;
                if let Some(f) = from_name
                    && f != n
                {
                    return Err(table
                        .cell_error(
                            line,
                            c,
                            format!(
                                "`kuntanro` {n} disagrees with the file name (municipality {f:03})"
                            ),
                        )
                        .hint("rename the file or fix the column")
                        .into());
                }
                n
            }
            None => from_name.unwrap_or_default(),
        };
        let year = table.integer(line, rec, c_year, "a year")?;
        if !(1900..=2100).contains(&year) {
            return Err(table
                .cell_error(
                    line,
                    c_year,
                    format!("`vuosi` = {year} is not a plausible year"),
                )
                .into());
        }
        rows.push(AlasRow {
            file: file_index,
            line,
            municipality,
            year: year as i32,
            kt: table.number(line, rec, c_kt)?,
            kt_wind: table.number(line, rec, c_wind)?,
            gwh: table.number(line, rec, c_gwh)?,
            hinku: table.flag(line, rec, c_hinku)?,
            ets: table.flag(line, rec, c_ets)?,
            taso_3: code(rec, c_t3),
            taso_4: code(rec, c_t4),
            taso_5: code(rec, c_t5),
        });
    }
    Ok(rows)
}

/// Reads the municipality list (`kuntanro`, `kunta_fi`, `maakunta_fi`, and optionally a
/// population column such as `asukasluku`).
pub fn read_municipality_list(file: &TextFile, path: &Path) -> Result<MunicipalityList> {
    const EXPECTED: &str = "kuntanro;kunta_fi;maakunta_fi (and optionally asukasluku)";
    let table = SemiTable::read(file, EXPECTED)?;
    let c_number = table.require(KUNTANRO, EXPECTED)?;
    let c_name = table.require(&["kunta_fi", "kunta"], EXPECTED)?;
    let c_region = table.require(&["maakunta_fi", "maakunta"], EXPECTED)?;
    let c_pop = POPULATION.iter().find_map(|p| {
        table
            .columns
            .iter()
            .position(|c| c == p || c.starts_with(&format!("{p}_")))
    });
    let mut municipalities: Vec<Municipality> = Vec::new();
    for (line, rec) in &table.rows {
        let line = *line;
        let n = table.integer(line, rec, c_number, "a municipality number")?;
        let number = u32::try_from(n).map_err(|_| {
            table.cell_error(
                line,
                c_number,
                format!("municipality number {n} is negative"),
            )
        })?;
        if municipalities.iter().any(|m| m.number == number) {
            return Err(table
                .cell_error(
                    line,
                    c_number,
                    format!("municipality {number:03} is listed twice"),
                )
                .into());
        }
        let name = table.cell(rec, c_name).to_string();
        let region = table.cell(rec, c_region).to_string();
        if name.is_empty() || region.is_empty() {
            let c = if name.is_empty() { c_name } else { c_region };
            return Err(table
                .cell_error(line, c, format!("`{}` is empty", table.columns[c]))
                .into());
        }
        let population = match c_pop {
            Some(c) => table.number(line, rec, c)?,
            None => None,
        };
        if let Some(p) = population
            && p < 0.0
        {
            return Err(table
                .cell_error(
                    line,
                    c_pop.unwrap_or(0),
                    format!("population {p} is negative"),
                )
                .into());
        }
        municipalities.push(Municipality {
            number,
            name,
            region,
            population,
        });
    }
    if municipalities.is_empty() {
        return Err(file.error("the municipality list has no rows").into());
    }
    Ok(MunicipalityList {
        municipalities,
        population_column: c_pop.map(|c| table.columns[c].clone()),
        population_year: year_from_file_name(path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn file(name: &str, text: &str) -> TextFile {
        TextFile::from_bytes(name, text.as_bytes()).unwrap()
    }

    fn input_err<T: std::fmt::Debug>(r: Result<T>) -> InputError {
        match r {
            Err(Error::Input(e)) => *e,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    const HEADER: &str = "vuosi;kt;kt_tuuli;GWh;hinku_laskenta;päästökauppa;taso_3;taso_4;taso_5\n";

    #[test]
    fn reads_decimal_commas_missing_values_and_flags() {
        let text = format!(
            "{HEADER}2020;1,5;NA;6,25;TRUE;false;Tie;Ti;Hen\n\n2020;NULL;;;1;0;Tuu;Tuu;NA\n"
        );
        let f = file("kunta_075.csv", &text);
        let rows = read_municipality_file(&f, Path::new("kunta_075.csv"), 0).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].municipality, 75);
        assert_eq!(rows[0].kt, Some(1.5));
        assert_eq!(rows[0].gwh, Some(6.25));
        assert_eq!((rows[0].hinku, rows[0].ets), (Some(true), Some(false)));
        assert_eq!(rows[1].line, 4);
        assert_eq!(
            (rows[1].kt, rows[1].kt_wind, rows[1].gwh),
            (None, None, None)
        );
        assert_eq!(rows[1].taso_5, "");
        let crlf = file("kunta_075.csv", &text.replace('\n', "\r\n"));
        let rows2 = read_municipality_file(&crlf, Path::new("kunta_075.csv"), 0).unwrap();
        assert_eq!(rows2, rows);
    }

    #[test]
    fn bad_number_is_located_at_its_cell() {
        let text = format!("{HEADER}2020;abc;NA;1;TRUE;FALSE;Tie;Ti;Hen\n");
        let f = file("kunta_075.csv", &text);
        let e = input_err(read_municipality_file(&f, Path::new("kunta_075.csv"), 0));
        // "2020;" is 5 characters, so `kt` starts at column 6
        assert_eq!((e.line, e.column), (Some(2), Some(6)));
        assert!(e.message.contains("`kt` must be a number"), "{}", e.message);
    }

    #[test]
    fn row_with_too_many_fields_is_located_after_a_blank_line() {
        let text = format!("{HEADER}\n2020;1;NA;1;TRUE;FALSE;Tie;Ti;Hen;extra\n");
        let f = file("kunta_075.csv", &text);
        let e = input_err(read_municipality_file(&f, Path::new("kunta_075.csv"), 0));
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("10 fields"), "{}", e.message);
    }

    #[test]
    fn comma_separated_file_is_rejected_at_the_first_comma() {
        let f = file("kunta_075.csv", "vuosi,kt,kt_tuuli\n2020,1.5,NA\n");
        let e = input_err(read_municipality_file(&f, Path::new("kunta_075.csv"), 0));
        assert_eq!((e.line, e.column), (Some(1), Some(6)));
        assert!(e.message.contains("comma-separated"));
    }

    #[test]
    fn missing_column_is_named() {
        let f = file("kunta_075.csv", "vuosi;kt\n2020;1\n");
        let e = input_err(read_municipality_file(&f, Path::new("kunta_075.csv"), 0));
        assert_eq!(e.message, "missing column `kt_tuuli`");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn municipality_number_from_column_must_agree_with_name() {
        let text = "kuntanro;vuosi;kt;kt_tuuli;GWh;hinku_laskenta;päästökauppa;taso_3;taso_4;taso_5\n286;2020;1;NA;NA;TRUE;FALSE;Tie;Ti;Hen\n";
        let f = file("kunta_075.csv", text);
        let e = input_err(read_municipality_file(&f, Path::new("kunta_075.csv"), 0));
        assert!(e.message.contains("disagrees"));
        let rows = read_municipality_file(&f, Path::new("alas.csv"), 0).unwrap();
        assert_eq!(rows[0].municipality, 286);
    }

    #[test]
    fn reads_the_list_with_population() {
        let text = "kuntanro;kunta_fi;maakunta_fi;asukasluku\n075;Hamina;Kymenlaakso;19534\n489;Miehikkälä;Kymenlaakso;1752\n";
        let f = file("asukasluvut_2023.csv", text);
        let l = read_municipality_list(&f, Path::new("asukasluvut_2023.csv")).unwrap();
        assert_eq!(l.municipalities.len(), 2);
        assert_eq!(l.get(489).unwrap().name, "Miehikkälä");
        assert_eq!(l.get(75).unwrap().population, Some(19534.0));
        assert_eq!(l.population_year, Some(2023));
        assert_eq!(l.population_column.as_deref(), Some("asukasluku"));
    }
}
