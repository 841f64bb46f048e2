//! Reading a CSV file whole into memory, and turning CSV and cell problems into located errors.

use std::path::Path;

use csv::ByteRecord;

use crate::error::{Error, InputError, Result};

/// A CSV file's bytes (byte-order mark skipped) and the name errors use.
#[derive(Debug)]
pub(crate) struct CsvBytes {
    pub name: String,
    bytes: Vec<u8>,
    start: usize,
}

impl CsvBytes {
    pub fn read(path: &Path) -> Result<CsvBytes> {
        let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        let start = if bytes.starts_with(b"\xef\xbb\xbf") {
            3
        } else {
            0
        };
        Ok(CsvBytes {
            name: path.display().to_string(),
            bytes,
            start,
        })
    }

    #[cfg(test)]
    pub fn from_bytes(name: &str, bytes: &[u8]) -> CsvBytes {
        CsvBytes {
            name: name.into(),
            bytes: bytes.to_vec(),
            start: 0,
        }
    }

    pub fn data(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    /// A reader over the data with a header row and equal-length rows.
    pub fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .buffer_capacity(1 << 16)
            .from_reader(self.data())
    }

    /// The header row, as text; an empty file has none.
    pub fn header(&self) -> Result<Vec<String>> {
        let mut r = self.reader();
        let h = r.byte_headers().map_err(|e| self.csv_error(e))?;
        Ok(h.iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect())
    }

    /// An error for the whole file.
    pub fn error(&self, message: impl Into<String>) -> InputError {
        InputError::new(message).in_file(&self.name)
    }

    /// Converts a CSV parse error into a located input error.
    pub fn csv_error(&self, e: csv::Error) -> Error {
        let line = e.position().map(|p| p.line() as usize);
        let byte = e.position().map(|p| p.byte() as usize);
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("this row has {len} fields but the header has {expected_len}"),
            csv::ErrorKind::Io(io) => {
                return Error::io(
                    "read",
                    &self.name,
                    std::io::Error::new(io.kind(), io.to_string()),
                );
            }
            _ => format!("bad CSV: {e}"),
        };
        let mut err = self
            .error(message)
            .hint("every row needs one field per header column; quote fields that contain commas");
        if let Some(l) = line {
            err = err.at(l, 1);
        }
        if let Some(b) = byte {
            err.source_line = Some(self.line_text(b));
        }
        err.into()
    }

    /// An error at field `field` of `record`.
    pub fn cell_error(&self, record: &ByteRecord, field: usize, message: String) -> Error {
        let mut err = self.error(message);
        if let Some(p) = record.position() {
            let text = self.line_text(p.byte() as usize);
            let column = field_column(&text, field);
            err = err.at(p.line() as usize, column);
            err.source_line = Some(text);
        }
        err.into()
    }

    /// An error on the line where `record` starts.
    pub fn row_error(&self, line: u64, message: String) -> InputError {
        let mut err = self.error(message).at_line(line as usize);
        if let Some(text) = self.nth_line(line as usize) {
            err.source_line = Some(text);
        }
        err
    }

    fn line_text(&self, byte: usize) -> String {
        let data = self.data();
        let start = byte.min(data.len());
        let end = data[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| start + i);
        String::from_utf8_lossy(&data[start..end])
            .trim_end_matches('\r')
            .to_string()
    }

    fn nth_line(&self, line: usize) -> Option<String> {
        let data = self.data();
        let mut start = 0;
        for _ in 1..line {
            start += data[start..].iter().position(|&b| b == b'\n')? + 1;
        }
        Some(self.line_text(start))
    }
}

/// 1-based character column where field `field` starts in a CSV line (quotes respected).
fn field_column(line: &str, field: usize) -> usize {
    let mut n = 0;
    let mut quoted = false;
    for (chars, c) in line.chars().enumerate() {
        if n == field {
            return chars + 1;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => n += 1,
            _ => {}
        }
    }
    line.chars().count() + 1
}

/// A number cell: trimmed; empty (or `NaN`) is NaN (a missing value). `None` when not a number.
#[inline]
pub(crate) fn parse_number(cell: &[u8]) -> Option<f64> {
    let cell = cell.trim_ascii();
    if cell.is_empty() {
        return Some(f64::NAN);
    }
    std::str::from_utf8(cell).ok()?.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_and_empty_is_missing() {
        assert_eq!(parse_number(b" 12.5 "), Some(12.5));
        assert_eq!(parse_number(b"-1e-3"), Some(-0.001));
        assert!(parse_number(b"").unwrap().is_nan());
        assert!(parse_number(b"NaN").unwrap().is_nan());
        assert_eq!(parse_number(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_number(b"12,5"), None);
        assert_eq!(parse_number(b"n/a"), None);
    }

    #[test]
    fn columns_respect_quotes() {
        let line = "a,\"b,c\",d";
        assert_eq!(field_column(line, 0), 1);
        assert_eq!(field_column(line, 1), 3);
        assert_eq!(field_column(line, 2), 9);
    }

    #[test]
    fn unequal_rows_are_located() {
        let f = CsvBytes::from_bytes("x.csv", b"a,b\n1,2\n3\n");
        let mut r = f.reader();
        let mut rec = ByteRecord::new();
        let mut err = None;
        loop {
            match r.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    err = Some(f.csv_error(e));
                    break;
                }
            }
        }
        let Some(Error::Input(e)) = err else { panic!() };
        assert_eq!(e.line, Some(3));
        assert_eq!(e.source_line.as_deref(), Some("3"));
    }
}
