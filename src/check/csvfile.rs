//! Reading a CSV file whole into memory, and turning CSV and cell problems into located errors.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::error::{Error, InputError, IoKind, Result};

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

/// The largest CSV file `check` reads (64 GiB): it streams, so the bound is on time, not memory.
pub const MAX_CSV_BYTES: u64 = 64 << 30;
/// The longest line `check` reads (16 MiB): a line is held whole while it is parsed.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Opens a CSV file to compare: a regular file of at most [`MAX_CSV_BYTES`], opened without
/// blocking (a FIFO or device is refused at once).
fn open_csv(path: &Path) -> Result<File> {
    crate::input::open_regular(path, MAX_CSV_BYTES)
}

/// A reader that fails once a line grows past [`MAX_LINE_BYTES`], so that no file — however
/// large, with or without line breaks — makes a parser hold more than that.
struct LineBound<R> {
    inner: R,
    since_newline: usize,
    name: String,
}

impl<R> LineBound<R> {
    fn new(inner: R, name: &str) -> Self {
        LineBound {
            inner,
            since_newline: 0,
            name: name.to_string(),
        }
    }
}

impl<R: Read> Read for LineBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match memchr::memrchr(b'\n', &buf[..n]) {
            Some(i) => self.since_newline = n - i - 1,
            None => self.since_newline += n,
        }
        if self.since_newline > MAX_LINE_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{}: a line is longer than {} MiB; this is not a results CSV file",
                    self.name,
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        Ok(n)
    }
}

/// The stream a [`CsvSource`] reads.
pub(crate) type Stream = csv::Reader<Box<dyn Read + Send>>;

impl CsvSource {
    /// A file source; fails when the file cannot be opened.
    pub fn open(path: &Path) -> Result<CsvSource> {
        open_csv(path)?;
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
            Origin::File(p) => Box::new(LineBound::new(open_csv(p)?, &self.name)),
            #[cfg(test)]
            Origin::Bytes(b) => Box::new(std::io::Cursor::new(b.clone())),
        };
        // skip a byte-order mark; give back whatever else the first bytes were
        let mut head = Vec::with_capacity(3);
        (&mut inner)
            .take(3)
            .read_to_end(&mut head)
            .map_err(|e| Error::io(IoKind::Read, &self.name, e))?;
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
                return self.read_error(std::io::Error::new(io.kind(), io.to_string()));
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

    /// An error at field `field` of the row on `line`.
    pub fn cell_error(&self, line: u64, field: usize, message: String) -> Error {
        let line = line as usize;
        let text = self.line_text(line);
        let column = text.as_deref().map_or(1, |t| field_column(t, field));
        let mut err = self.error(message).at(line, column);
        err.source_line = text;
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
        use std::io::BufRead;
        // streamed: only that line is held (at most MAX_LINE_BYTES through the bound)
        let reader = std::io::BufReader::new(self.raw().ok()?);
        let mut text = reader.split(b'\n').nth(line.checked_sub(1)?)?.ok()?;
        if text.last() == Some(&b'\r') {
            text.pop();
        }
        Some(String::from_utf8_lossy(&text).into_owned())
    }

    /// A read error: a line past [`MAX_LINE_BYTES`] is a bad input (exit 2), anything else a
    /// failure to read (exit 3).
    fn read_error(&self, e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::InvalidData {
            return self
                .error(e.to_string())
                .hint("compare kymsim's result files (CSV with one row per line)")
                .into();
        }
        Error::io(IoKind::Read, &self.name, e)
    }
}

/// One data row: its fields (as byte ranges into `data`) and its line in the file.
pub(crate) struct Row<'a> {
    data: &'a [u8],
    bounds: &'a [(usize, usize)],
    /// 1-based line where the row starts.
    pub line: u64,
}

impl Row<'_> {
    /// Field `i` (untrimmed).
    #[inline]
    pub fn field(&self, i: usize) -> &[u8] {
        let (a, b) = self.bounds[i];
        &self.data[a..b]
    }
}

/// Receives the rows of a file; `reset` forgets every row received (the reader starts over).
pub(crate) trait RowSink {
    fn row(&mut self, row: &Row) -> Result<()>;
    fn reset(&mut self);
}

impl CsvSource {
    /// Feeds every row after the header to `sink`. Files without quotes take a fast path that
    /// splits lines and commas directly; a file with a quote (or a bare carriage return) is
    /// read again with the full CSV parser.
    pub fn for_each_row(&self, header_len: usize, sink: &mut dyn RowSink) -> Result<()> {
        if self.fast_rows(header_len, sink)? {
            return Ok(());
        }
        sink.reset();
        let mut rdr = self.reader()?;
        let mut rec = ByteRecord::new();
        let mut bounds: Vec<(usize, usize)> = Vec::new();
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => return Err(self.csv_error(e)),
            }
            bounds.clear();
            bounds.extend((0..rec.len()).map(|i| {
                let r = rec.range(i).expect("field in range");
                (r.start, r.end)
            }));
            let row = Row {
                data: rec.as_slice(),
                bounds: &bounds,
                line: rec.position().map_or(0, |p| p.line()),
            };
            sink.row(&row)?;
        }
    }

    /// The fast path; `Ok(false)` when the file needs the full parser.
    fn fast_rows(&self, header_len: usize, sink: &mut dyn RowSink) -> Result<bool> {
        let mut input = self.raw()?;
        let mut buf = vec![0u8; 1 << 20];
        let mut filled = 0;
        let mut line_no: u64 = 0;
        let mut header_seen = false;
        let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(header_len);
        let mut process = |line: &[u8], line_no: u64| -> Result<bool> {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if memchr::memchr2(b'"', b'\r', line).is_some() {
                return Ok(false);
            }
            if line.is_empty() {
                return Ok(true);
            }
            if !header_seen {
                header_seen = true;
                return Ok(true);
            }
            bounds.clear();
            let mut start = 0;
            for comma in memchr::memchr_iter(b',', line) {
                bounds.push((start, comma));
                start = comma + 1;
            }
            bounds.push((start, line.len()));
            if bounds.len() != header_len {
                let mut err = self
                    .error(format!(
                        "this row has {} fields but the header has {header_len}",
                        bounds.len()
                    ))
                    .at(line_no as usize, 1)
                    .hint("every row needs one field per header column; quote fields that contain commas");
                err.source_line = Some(String::from_utf8_lossy(line).into_owned());
                return Err(err.into());
            }
            sink.row(&Row {
                data: line,
                bounds: &bounds,
                line: line_no,
            })?;
            Ok(true)
        };
        loop {
            let n = read_some(&mut input, &mut buf[filled..]).map_err(|e| self.read_error(e))?;
            filled += n;
            let mut start = 0;
            while let Some(i) = memchr::memchr(b'\n', &buf[start..filled]) {
                line_no += 1;
                if !process(&buf[start..start + i], line_no)? {
                    return Ok(false);
                }
                start += i + 1;
            }
            if n == 0 {
                if start < filled {
                    line_no += 1;
                    if !process(&buf[start..filled], line_no)? {
                        return Ok(false);
                    }
                }
                return Ok(true);
            }
            buf.copy_within(start..filled, 0);
            filled -= start;
            if filled == buf.len() {
                // a line longer than the buffer
                buf.resize(buf.len() * 2, 0);
            }
        }
    }
}

/// Reads as much as is there, retrying on interruption; 0 only at the end.
fn read_some(input: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return r,
        }
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

    /// Collects rows as strings with their lines.
    #[derive(Default)]
    struct Collect(Vec<(u64, Vec<String>)>, usize);

    impl RowSink for Collect {
        fn row(&mut self, row: &Row) -> Result<()> {
            let fields = (0..row.bounds.len())
                .map(|i| String::from_utf8_lossy(row.field(i)).into_owned())
                .collect();
            self.0.push((row.line, fields));
            Ok(())
        }
        fn reset(&mut self) {
            self.0.clear();
            self.1 += 1;
        }
    }

    #[test]
    fn fast_path_agrees_with_the_csv_parser() {
        let plain = b"\xef\xbb\xbfa,b,c\r\n1,2,3\r\n\r\n4,,6\n7,8,9";
        let quoted = b"a,b,c\n1,\"x,y\",3\n\n4,,6\n7,8,9\n";
        let mut fast = Collect::default();
        CsvSource::from_bytes("p.csv", plain)
            .for_each_row(3, &mut fast)
            .unwrap();
        assert_eq!(fast.1, 0, "no fallback for a file without quotes");
        let mut slow = Collect::default();
        CsvSource::from_bytes("q.csv", quoted)
            .for_each_row(3, &mut slow)
            .unwrap();
        assert_eq!(slow.1, 1, "quotes need the full parser");
        let row = |l: u64, f: [&str; 3]| (l, f.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            fast.0,
            vec![
                row(2, ["1", "2", "3"]),
                row(4, ["4", "", "6"]),
                row(5, ["7", "8", "9"])
            ]
        );
        // the csv crate counts the line of a row after a blank line as the blank one: only the
        // fields are compared there
        let fields =
            |rows: Vec<(u64, Vec<String>)>| rows.into_iter().map(|r| r.1).collect::<Vec<_>>();
        let mut expected = fields(fast.0.clone());
        expected[0][1] = "x,y".into();
        assert_eq!(fields(slow.0), expected);
    }

    #[test]
    fn fast_path_locates_short_rows() {
        let f = CsvSource::from_bytes("x.csv", b"a,b\n1,2\n3\n");
        let Err(Error::Input(e)) = f.for_each_row(2, &mut Collect::default()) else {
            panic!()
        };
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("1 fields but the header has 2"));
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
