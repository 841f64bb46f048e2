//! Typed errors of the core: bad input (with file, line, column and a hint), I/O failures (with
//! what was being done, as an [`IoKind`]) and internal errors.
//!
//! Only the command line turns these into messages and exit codes; see [`Error::exit_code`]:
//! 2 bad input (and a missing input file), 3 I/O or internal error, 130/143 interrupted. A
//! panic is a bug: the hook of [`crate::cli::panic`] reports it and exits 3 as well.

use std::fmt;
use std::path::PathBuf;

/// A problem with something the user gave us: a data file, a scenario, an argument.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file it is in, as the user would name it.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// 1-based column (characters) in `line`.
    pub column: Option<usize>,
    /// What to do about it.
    pub hint: Option<String>,
    /// The text of the offending line, for a snippet under the message.
    pub source_line: Option<String>,
}

impl InputError {
    /// A new error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            message: message.into(),
            file: None,
            line: None,
            column: None,
            hint: None,
            source_line: None,
        }
    }

    /// Names the file the problem is in.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets line and column (both 1-based).
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Attaches the offending line's text (shown under the message).
    pub fn with_source_line(mut self, text: &str) -> Self {
        if let Some(l) = self.line {
            self.source_line = text
                .split('\n')
                .nth(l - 1)
                .map(|s| s.trim_end_matches('\r').to_string());
        }
        self
    }

    /// Sets the line only.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Adds a hint, replacing any earlier one.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint only if `hint` is `Some`.
    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    /// `file:line:column`, as much of it as is known.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(l), None) => format!("{file}:{l}"),
            _ => file.clone(),
        })
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(loc) = self.location() {
            write!(f, " ({loc})")?;
        }
        Ok(())
    }
}

/// Every error the core can return.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: exit code 2.
    #[error("{0}")]
    Input(Box<InputError>),
    /// Reading or writing a file failed: exit code 3 for writes, 2 for reads of missing input.
    #[error("cannot {kind} `{}`: {source}", path.display())]
    Io {
        /// What we were doing.
        kind: IoKind,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The user interrupted the work (Ctrl-C); nothing partial was kept.
    #[error("interrupted; no partial results were kept")]
    Interrupted,
    /// Several bad inputs found in one pass (at most [`MAX_ERRORS`]): exit code 2.
    #[error("{} errors, the first: {}", .0.len(), .0.first().map_or(String::new(), |e| e.to_string()))]
    Several(Vec<InputError>),
    /// Something kymsim itself failed at, not the input: exit code 3.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What kymsim was doing when an I/O operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoKind {
    /// Reading an input file or folder.
    Read,
    /// Writing an output file.
    Write,
    /// Creating an output folder.
    CreateFolder,
    /// Locking the output folder.
    Lock,
    /// Removing a file an earlier run wrote.
    Remove,
    /// Finding the kymsim executable (for job scripts).
    FindExecutable,
    /// Listening for connections (`kymsim serve`).
    Listen,
}

impl fmt::Display for IoKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoKind::Read => "read",
            IoKind::Write => "write",
            IoKind::CreateFolder => "create folder",
            IoKind::Lock => "lock",
            IoKind::Remove => "remove",
            IoKind::FindExecutable => "find",
            IoKind::Listen => "serve on",
        })
    }
}

/// The most errors reported at once where a reader can go on after an error.
pub const MAX_ERRORS: usize = 20;

/// Collects errors where reading can go on after one, up to [`MAX_ERRORS`].
#[derive(Debug, Default)]
pub struct Errors {
    found: Vec<Error>,
}

impl Errors {
    /// Keeps the error of `result`, if any; returns whether to go on (fewer than the limit).
    pub fn keep<T>(&mut self, result: Result<T>) -> bool {
        if let Err(e) = result {
            self.found.push(e);
        }
        self.found.len() < MAX_ERRORS
    }

    /// `Ok` when nothing was kept; the one error; or all of them as [`Error::Several`].
    pub fn finish(mut self) -> Result<()> {
        match self.found.len() {
            0 => Ok(()),
            1 => Err(self.found.remove(0)),
            _ => {
                let mut inputs = Vec::new();
                for e in self.found {
                    match e {
                        Error::Input(ie) => inputs.push(*ie),
                        Error::Several(v) => inputs.extend(v),
                        // anything but bad input ends the run as it is
                        other => return Err(other),
                    }
                }
                inputs.truncate(MAX_ERRORS);
                Err(Error::Several(inputs))
            }
        }
    }
}

impl Error {
    /// An internal error: a failure of kymsim or its environment, not of the input.
    pub fn internal(what: impl Into<String>) -> Self {
        Error::Internal(what.into())
    }

    /// Shorthand for an I/O error.
    pub fn io(kind: IoKind, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            kind,
            path: path.into(),
            source,
        }
    }

    /// The exit code documented in `kymsim --help`: 2 bad input, 3 I/O or internal, 130 interrupted.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Io { kind, source, .. } => {
                if *kind == IoKind::Read && source.kind() == std::io::ErrorKind::NotFound {
                    2
                } else {
                    3
                }
            }
            Error::Interrupted => 130,
            Error::Several(_) => 2,
            Error::Internal(_) => 3,
        }
    }

    /// The hint, if this error has one.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Input(e) => e.hint.as_deref(),
            Error::Io {
                kind: IoKind::Read,
                path,
                source,
            } => Some(match source.kind() {
                std::io::ErrorKind::NotFound if path.extension().is_some_and(|e| e == "toml") => {
                    "check the path; `kymsim list scenarios` lists the scenarios found by name"
                }
                std::io::ErrorKind::NotFound => {
                    "check the path (a relative path starts from the working directory)"
                }
                std::io::ErrorKind::PermissionDenied => "check the file's permissions",
                _ => "check the path",
            }),
            Error::Io { .. } => Some("check that the folder is writable and the disk is not full"),
            Error::Interrupted | Error::Several(_) => None,
            Error::Internal(_) => Some(
                "this is a bug or a failure of the machine: please report it with the command line and this message",
            ),
        }
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(Box::new(e))
    }
}

/// The result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// "did you mean `x`?" for the candidate closest to `word`, if any is close enough.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

/// A list of names for a hint, cut after ten.
pub fn name_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let all: Vec<&str> = names.into_iter().collect();
    let shown: Vec<String> = all.iter().take(10).map(|n| format!("`{n}`")).collect();
    let mut s = shown.join(", ");
    if all.len() > 10 {
        s.push_str(&format!(" and {} more", all.len() - 10));
    }
    s
}

/// `s` made safe to print on a terminal and short enough to read: control characters are
/// written as escapes (`\n`, `\t`, `\u{1b}`), so no user string can move the cursor or change
/// colours, and text beyond `max` characters is cut with a count of what was left out.
pub fn printable(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max + 32));
    for (shown, c) in s.chars().enumerate() {
        if shown == max {
            let rest = s.chars().count() - shown;
            out.push_str(&format!("… ({rest} more characters)"));
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Characters that reorder the text shown around them (bidirectional overrides and isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_control_characters_and_cuts_long_text() {
        assert_eq!(printable("a\x1b[31mb\n", 100), "a\\u{1b}[31mb\\n");
        assert_eq!(printable("\u{202e}x", 100), "\\u{202e}x");
        assert_eq!(printable("äbcdef", 3), "äbc… (3 more characters)");
        assert_eq!(printable("abc", 3), "abc");
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nä = 1\nx";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // "ä" is two bytes: byte 5 is the space after it, character column 2
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, text.len()), (3, 2));
    }

    #[test]
    fn suggests_near_names_only() {
        let names = ["diesel", "gasoline", "electricity"];
        assert_eq!(
            did_you_mean("diesl", names).as_deref(),
            Some("did you mean `diesel`?")
        );
        assert_eq!(did_you_mean("hydrogen", names), None);
    }

    #[test]
    fn exit_codes_follow_the_kind_of_failure() {
        let missing = || std::io::Error::from(std::io::ErrorKind::NotFound);
        // a missing input file is bad input; a missing file while writing is the machine's
        assert_eq!(Error::io(IoKind::Read, "a.toml", missing()).exit_code(), 2);
        assert_eq!(
            Error::io(IoKind::Write, "out/a.csv", missing()).exit_code(),
            3
        );
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = Error::io(IoKind::Read, "a.csv", denied);
        assert_eq!(e.exit_code(), 3);
        assert_eq!(e.hint(), Some("check the file's permissions"));
        assert_eq!(
            Error::io(IoKind::CreateFolder, "out", std::io::Error::other("x")).to_string(),
            "cannot create folder `out`: x"
        );
        let e = Error::internal("cannot start worker threads: no memory");
        assert_eq!(e.exit_code(), 3);
        assert_eq!(
            e.to_string(),
            "internal error: cannot start worker threads: no memory"
        );
        assert_eq!(Error::from(InputError::new("bad")).exit_code(), 2);
        assert_eq!(Error::Interrupted.exit_code(), 130);
    }

    #[test]
    fn location_formats() {
        let e = InputError::new("bad").in_file("a.csv").at(3, 7);
        assert_eq!(e.location().as_deref(), Some("a.csv:3:7"));
        assert_eq!(e.to_string(), "bad (a.csv:3:7)");
    }
}
