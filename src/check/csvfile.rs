//! Reading a CSV file whole into memory, and turning CSV and cell problems into located errors.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::error::{Error, InputError, Result};

/// Where a CSV file's bytes come from.
#[derive(Debug)]
enum Origin {
    File(PathBuf),
    #[cfg(test)]
    Bytes(Vec<u8>),
}

/// A CSV file to be read as a stream (never held whole in memory), and the name errors use.
/// A UTF-8 byte-order mark is skipped.
#[derive(Debug)]
pub(crate) struct CsvSource {
    pub name: String,
    origin: Origin,
}

/// The stream a [`CsvSource`] reads.
pub(crate) type Stream = csv::Reader<Box<dyn Read + Send>>;

impl CsvSource {
    /// A file source; fails when the file cannot be opened.
    pub fn open(path: &Path) -> Result<CsvSource> {
        File::open(path).map_err(|e| Error::io("read", path, e))?;
        Ok(CsvSource {
            name: path.display().to_string(),
            origin: Origin::File(path.to_path_buf()),
        })
    }

    #[cfg(test)]
    pub fn from_bytes(name: &str, bytes: &[u8]) -> CsvSource {
        CsvSource {
            name: name.into(),
            origin: Origin::Bytes(bytes.to_vec()),
        }
    }

    fn raw(&self) -> Result<Box<dyn Read + Send>> {
        let mut inner: Box<dyn Read + Send> = match &self.origin {
            Origin::File(p) => Box::new(File::open(p).map_err(|e| Error::io("read", p, e))?),
            #[cfg(test)]
            Origin::Bytes(b) => Box::new(std::io::Cursor::new(b.clone())),
        };
        // skip a byte-order mark; give back whatever else the first bytes were
        let mut head = Vec::with_capacity(3);
        (&mut inner)
            .take(3)
            .read_to_end(&mut head)
            .map_err(|e| Error::io("read", &self.name, e))?;
        if head == b"\xef\xbb\xbf" {
            head.clear();
        }
        Ok(Box::new(std::io::Cursor::new(head).chain(inner)))
    }

    /// The size in bytes, when known (to reserve memory once).
    pub fn size_hint(&self) -> usize {
        match &self.origin {
            Origin::File(p) => std::fs::metadata(p).map_or(0, |m| m.len() as usize),
            #[cfg(test)]
            Origin::Bytes(b) => b.len(),
        }
    }

    /// A reader with a header row and equal-length rows.
    pub fn reader(&self) -> Result<Stream> {
        Ok(csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .buffer_capacity(1 << 18)
            .from_reader(self.raw()?))
    }

    /// The header row, as text; an empty file has none.
    pub fn header(&self) -> Result<Vec<String>> {
        let mut r = self.reader()?;
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
            err.source_line = self.line_text(l);
        }
        err.into()
    }

    /// An error at field `field` of `record`.
    pub fn cell_error(&self, record: &ByteRecord, field: usize, message: String) -> Error {
        let mut err = self.error(message);
        if let Some(p) = record.position() {
            let line = p.line() as usize;
            let text = self.line_text(line);
            let column = text.as_deref().map_or(1, |t| field_column(t, field));
            err = err.at(line, column);
            err.source_line = text;
        }
        err.into()
    }

    /// An error on a line.
    pub fn row_error(&self, line: u64, message: String) -> InputError {
        let mut err = self.error(message).at_line(line as usize);
        err.source_line = self.line_text(line as usize);
        err
    }

    /// The text of 1-based `line` (read again: only errors need it).
    fn line_text(&self, line: usize) -> Option<String> {
        let mut data = Vec::new();
        self.raw().ok()?.read_to_end(&mut data).ok()?;
        let text = data.split(|&b| b == b'\n').nth(line.checked_sub(1)?)?;
        Some(
            String::from_utf8_lossy(text)
                .trim_end_matches('\r')
                .to_string(),
        )
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
    fast_float2::parse::<f64, _>(cell).ok()
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
        let f = CsvSource::from_bytes("x.csv", b"\xef\xbb\xbfa,b\n1,2\n3\n");
        assert_eq!(f.header().unwrap(), vec!["a", "b"]);
        let mut r = f.reader().unwrap();
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
