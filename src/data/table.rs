//! A small CSV table reader: checks the header, keeps line numbers, parses cells with exact locations.

use std::collections::HashMap;

use crate::error::{InputError, Result, did_you_mean, name_list};
use crate::input::TextFile;

/// A CSV file read into rows, with each row's line and the column names checked.
pub struct Table<'a> {
    file: &'a TextFile,
    index: HashMap<String, usize>,
    rows: Vec<(usize, csv::StringRecord)>,
}

/// One row of a [`Table`].
#[derive(Clone, Copy)]
pub struct Row<'t> {
    table: &'t Table<'t>,
    line: usize,
    record: &'t csv::StringRecord,
}

impl<'a> Table<'a> {
    /// Reads `file`; `required` columns must be present, `optional` may be; nothing else is allowed.
    /// Column order is free.
    pub fn read(file: &'a TextFile, required: &[&str], optional: &[&str]) -> Result<Table<'a>> {
        // csv's positions drift on CRLF: parse a copy with LF endings (line numbers are the same)
        let normalized;
        let text: &str = if file.text.contains('\r') {
            normalized = file.text.replace("\r\n", "\n");
            &normalized
        } else {
            &file.text
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            None => {
                return Err(file
                    .error("the file is empty")
                    .hint(format!(
                        "the first line must name the columns: {}",
                        required.join(",")
                    ))
                    .into());
            }
            Some(r) => r.map_err(|e| csv_error(file, e))?,
        };
        let columns: Vec<String> = header.iter().map(|c| c.trim().to_string()).collect();
        let mut index = HashMap::new();
        let allowed: Vec<&str> = required.iter().chain(optional).copied().collect();
        for (i, c) in columns.iter().enumerate() {
            if !allowed.contains(&c.as_str()) {
                let hint = did_you_mean(c, allowed.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "the columns of this file are {}",
                        name_list(allowed.iter().copied())
                    )
                });
                return Err(file
                    .error(format!("unknown column `{c}`"))
                    .at(1, field_column(first_line(&file.text), i))
                    .with_source_line(&file.text)
                    .hint(hint)
                    .into());
            }
            if index.insert(c.clone(), i).is_some() {
                return Err(file
                    .error(format!("column `{c}` appears twice"))
                    .at(1, field_column(first_line(&file.text), i))
                    .with_source_line(&file.text)
                    .into());
            }
        }
        for r in required {
            if !index.contains_key(*r) {
                return Err(file
                    .error(format!("missing column `{r}`"))
                    .at_line(1)
                    .hint(format!(
                        "the first line must name the columns: {}",
                        required.join(",")
                    ))
                    .into());
            }
        }
        let mut rows = Vec::new();
        // csv's own line numbers drift on blank lines and CRLF; count newlines up to each record
        let bytes = text.as_bytes();
        let (mut at_byte, mut at_line) = (0usize, 1usize);
        for rec in records {
            let rec = rec.map_err(|e| csv_error(file, e))?;
            let mut byte = rec
                .position()
                .map_or(at_byte, |p| p.byte() as usize)
                .min(bytes.len());
            // the position may point at blank lines skipped before the record
            while byte < bytes.len() && bytes[byte] == b'\n' {
                byte += 1;
            }
            at_line += bytes[at_byte.min(byte)..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            at_byte = byte;
            let line = at_line;
            // a line of only blanks (often the last line of a hand-edited file) is skipped
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            check_cells(file, line, &rec, &columns)?;
            rows.push((line, rec));
        }
        Ok(Table { file, index, rows })
    }

    /// The rows in file order.
    pub fn rows(&'a self) -> impl Iterator<Item = Row<'a>> + 'a {
        self.rows.iter().map(move |(line, record)| Row {
            table: self,
            line: *line,
            record,
        })
    }

    /// The file this table came from.
    pub fn file(&self) -> &TextFile {
        self.file
    }

    /// Whether the file has this column.
    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }
}

impl Row<'_> {
    /// 1-based line of this row.
    pub fn line(&self) -> usize {
        self.line
    }

    /// An error located at `column` of this row.
    pub fn error(&self, column: &str, message: impl Into<String>) -> InputError {
        let col = self.table.index.get(column).copied().unwrap_or(0);
        let text = nth_line(&self.table.file.text, self.line);
        self.table
            .file
            .error_at_line(self.line, field_column(text, col), message)
    }

    /// An error located at this row's start.
    pub fn row_error(&self, message: impl Into<String>) -> InputError {
        self.table.file.error_at_line(self.line, 1, message)
    }

    /// The trimmed text of a cell ("" when the column is absent).
    pub fn str(&self, column: &str) -> &str {
        self.table
            .index
            .get(column)
            .and_then(|&i| self.record.get(i))
            .map_or("", str::trim)
    }

    /// A non-empty text cell.
    pub fn required_str(&self, column: &str) -> Result<&str> {
        let s = self.str(column);
        if s.is_empty() {
            return Err(self.error(column, format!("`{column}` is empty")).into());
        }
        Ok(s)
    }

    /// A number, or `None` when the cell is empty.
    pub fn opt_f64(&self, column: &str) -> Result<Option<f64>> {
        let s = self.str(column);
        if s.is_empty() {
            return Ok(None);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() < MAX_ABS_VALUE => Ok(Some(v)),
            Ok(v) if v.is_finite() => Err(self
                .error(column, format!("`{column}` = {s} is implausibly large"))
                .hint("values must be below 1e15 in magnitude; check the unit")
                .into()),
            Ok(_) => Err(self
                .error(
                    column,
                    format!("`{column}` must be a finite number, not `{s}`"),
                )
                .into()),
            Err(_) => {
                let hint = if s.contains(',') || s.contains(' ') {
                    "use `.` as the decimal point and no thousands separators"
                } else {
                    "write a plain number such as 0.25 or 1500"
                };
                Err(self
                    .error(column, format!("`{column}` must be a number, not `{s}`"))
                    .hint(hint)
                    .into())
            }
        }
    }

    /// A required number.
    pub fn f64(&self, column: &str) -> Result<f64> {
        self.opt_f64(column)?
            .ok_or_else(|| self.error(column, format!("`{column}` is empty")).into())
    }

    /// A number with a default for an empty cell.
    pub fn f64_or(&self, column: &str, default: f64) -> Result<f64> {
        Ok(self.opt_f64(column)?.unwrap_or(default))
    }

    /// A year (whole number between 1800 and 2300).
    pub fn year(&self, column: &str) -> Result<i32> {
        let s = self.required_str(column)?;
        match s.parse::<i32>() {
            Ok(y) if (1800..=2300).contains(&y) => Ok(y),
            _ => Err(self
                .error(
                    column,
                    format!("`{column}` must be a year between 1800 and 2300, not `{s}`"),
                )
                .into()),
        }
    }
}

/// Numbers in data tables, and every result kymsim writes, stay below this magnitude: what
/// kymsim writes it can read back (`plot`, `check`).
pub const MAX_ABS_VALUE: f64 = 1e15;

/// The longest cell of a data table, in characters (names, provenance notes).
pub const MAX_CELL_CHARS: usize = 4096;

/// Checks a record's text: no control characters (a NUL, a line break inside quotes, …) and no
/// cell longer than [`MAX_CELL_CHARS`]; names travel into every output row and file.
pub fn check_text(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|&c| c.is_control() && c != '\t') {
        return Some(format!("a control character (U+{:04X})", c as u32));
    }
    let n = text.chars().count();
    (n > MAX_CELL_CHARS).then(|| format!("{n} characters (at most {MAX_CELL_CHARS})"))
}

fn check_cells(
    file: &TextFile,
    line: usize,
    rec: &csv::StringRecord,
    columns: &[String],
) -> Result<()> {
    for (i, cell) in rec.iter().enumerate() {
        if let Some(what) = check_text(cell) {
            let column = columns.get(i).map_or("?", String::as_str);
            let at = field_column(nth_line(&file.text, line), i);
            return Err(file
                .error_at_line(line, at, format!("`{column}` has {what}"))
                .hint("cells hold plain text on one line: remove the character or shorten the cell")
                .into());
        }
    }
    Ok(())
}

fn csv_error(file: &TextFile, e: csv::Error) -> crate::error::Error {
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this row has {len} fields but the header has {expected_len}"),
        _ => format!("malformed CSV: {e}"),
    };
    let mut err = file
        .error(message)
        .hint("every row needs one value per column; quote a value that contains a comma");
    if let Some(l) = line {
        err = err.at(l, 1);
    }
    err.into()
}

fn first_line(text: &str) -> &str {
    nth_line(text, 1)
}

/// Line `line` (1-based) of `text`, without its line ending.
pub fn nth_line(text: &str, line: usize) -> &str {
    text.split('\n')
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim_end_matches('\r')
}

/// 1-based character column where field `index` of a CSV line starts (quotes respected).
pub fn field_column(line: &str, index: usize) -> usize {
    field_column_with(line, index, ',')
}

/// 1-based character column where field `index` of a `delimiter`-separated line starts.
pub fn field_column_with(line: &str, index: usize, delimiter: char) -> usize {
    let mut field = 0;
    let mut quoted = false;
    for (col, ch) in line.chars().enumerate() {
        if field == index {
            return col + 1;
        }
        if ch == '"' {
            quoted = !quoted;
        } else if ch == delimiter && !quoted {
            field += 1;
        }
    }
    line.chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn file(text: &str) -> TextFile {
        TextFile::from_bytes("t.csv", text.as_bytes()).unwrap()
    }

    fn input_err(r: Result<impl Sized>) -> InputError {
        match r {
            Err(Error::Input(e)) => *e,
            _ => panic!("expected an input error"),
        }
    }

    #[test]
    fn field_columns_respect_quotes() {
        assert_eq!(field_column("a,\"b,c\",d", 0), 1);
        assert_eq!(field_column("a,\"b,c\",d", 1), 3);
        assert_eq!(field_column("a,\"b,c\",d", 2), 9);
    }

    #[test]
    fn reads_rows_in_any_column_order_with_crlf() {
        let f = file("b,a\r\n2,x\r\n\r\n3,y\r\n");
        let t = Table::read(&f, &["a", "b"], &[]).unwrap();
        let rows: Vec<(usize, String, f64)> = t
            .rows()
            .map(|r| (r.line(), r.str("a").to_string(), r.f64("b").unwrap()))
            .collect();
        assert_eq!(rows, vec![(2, "x".into(), 2.0), (4, "y".into(), 3.0)]);
    }

    #[test]
    fn unknown_column_is_located_with_suggestion() {
        let f = file("id,shre\nx,1\n");
        let e = input_err(Table::read(&f, &["id", "share"], &[]));
        assert_eq!((e.line, e.column), (Some(1), Some(4)));
        assert_eq!(e.hint.as_deref(), Some("did you mean `share`?"));
    }

    #[test]
    fn bad_number_points_at_the_cell() {
        let f = file("id,share\nx,0,5\n");
        let e = input_err(Table::read(&f, &["id", "share"], &[]));
        assert!(e.message.contains("3 fields"), "{}", e.message);
        let f = file("id,share\nx,\"0,5\"\n");
        let t = Table::read(&f, &["id", "share"], &[]).unwrap();
        let row = t.rows().next().unwrap();
        let e = input_err(row.f64("share"));
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        assert!(e.hint.unwrap().contains("decimal point"));
        let f = file("id,share\nx,NaN\n");
        let t = Table::read(&f, &["id", "share"], &[]).unwrap();
        let e = input_err(t.rows().next().unwrap().f64("share"));
        assert!(e.message.contains("finite"));
    }

    #[test]
    fn empty_file_and_missing_column() {
        let f = file("");
        assert!(
            input_err(Table::read(&f, &["id"], &[]))
                .message
                .contains("empty")
        );
        let f = file("id\nx\n");
        let e = input_err(Table::read(&f, &["id", "share"], &[]));
        assert_eq!(e.message, "missing column `share`");
    }
}
