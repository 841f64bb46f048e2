//! How an error is printed: `error: …`, where it is, the offending line under a caret, and a
//! hint.

use std::io::{IsTerminal, Write};

use crate::error::{Error, printable};

/// Prints an error as `error: …`, `  --> file:line:column`, the offending line, and a hint;
/// several errors one after the other, then how many there were.
pub fn print_error(e: &Error) {
    let mut err = std::io::stderr().lock();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let style = if color {
        ("\x1b[31;1m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    match e {
        Error::Input(ie) => print_input_error(&mut err, ie, style),
        Error::Several(all) => {
            for ie in all {
                print_input_error(&mut err, ie, style);
            }
            let more = if all.len() >= crate::error::MAX_ERRORS {
                format!(
                    " (the first {}; fix them and run again for more)",
                    all.len()
                )
            } else {
                String::new()
            };
            let _ = writeln!(err, "{} errors{more}", all.len());
        }
        other => {
            let (red, bold, reset) = style;
            let _ = writeln!(
                err,
                "{red}error{reset}{bold}: {}{reset}",
                printable(&other.to_string(), MAX_MESSAGE_CHARS)
            );
            if let Some(h) = other.hint() {
                let _ = writeln!(err, "  = hint: {}", printable(h, MAX_MESSAGE_CHARS));
            }
        }
    }
}

/// Longest message, hint or location printed whole (characters); longer ones are cut.
const MAX_MESSAGE_CHARS: usize = 1000;
/// Characters of an offending source line shown around its column.
const SNIPPET_CHARS: usize = 120;

fn print_input_error(
    err: &mut impl Write,
    ie: &crate::error::InputError,
    (red, bold, reset): (&str, &str, &str),
) {
    let _ = writeln!(
        err,
        "{red}error{reset}{bold}: {}{reset}",
        printable(&ie.message, MAX_MESSAGE_CHARS)
    );
    if let Some(loc) = ie.location() {
        let _ = writeln!(err, "  --> {}", printable(&loc, MAX_MESSAGE_CHARS));
    }
    if let (Some(text), Some(line)) = (&ie.source_line, ie.line) {
        let width = line.to_string().len();
        let (shown, caret) = snippet(text, ie.column);
        let _ = writeln!(err, "{:width$} |", "");
        let _ = writeln!(err, "{line} | {shown}");
        if let Some(col) = caret {
            // spaces written out: a column of any size (no format width, which stops at 65,535)
            let _ = writeln!(err, "{:width$} | {}^", "", " ".repeat(col - 1));
        }
    }
    if let Some(h) = &ie.hint {
        let _ = writeln!(err, "  = hint: {}", printable(h, MAX_MESSAGE_CHARS));
    }
}

/// The part of an offending line shown under an error: at most [`SNIPPET_CHARS`] characters
/// around the 1-based `column` (`…` marks what is cut), each control character shown as one
/// replacement character so the caret stays under its column. Returns the text and the caret's
/// 1-based column in it.
fn snippet(text: &str, column: Option<usize>) -> (String, Option<usize>) {
    let total = text.chars().count();
    let col = column.unwrap_or(1).max(1);
    let (start, end) = if total <= SNIPPET_CHARS {
        (1, total)
    } else {
        let start = col
            .saturating_sub(SNIPPET_CHARS / 2)
            .max(1)
            .min(total + 1 - SNIPPET_CHARS);
        (start, start + SNIPPET_CHARS - 1)
    };
    let mut shown = String::new();
    if start > 1 {
        shown.push('…');
    }
    for c in text.chars().skip(start - 1).take(end + 1 - start) {
        shown.push(match c {
            '\t' => ' ',
            c if c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                '\u{fffd}'
            }
            c => c,
        });
    }
    if end < total {
        shown.push('…');
    }
    let caret = column.map(|_| {
        let at = col.clamp(start, end + 1) - start + 1;
        at + usize::from(start > 1)
    });
    (shown, caret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_shows_the_column_of_any_size_under_a_caret() {
        // a short line is shown whole; a tab and an escape become one character each
        assert_eq!(
            snippet("ab\tc\x1bd", Some(4)),
            ("ab c\u{fffd}d".to_string(), Some(4))
        );
        // 100,000 characters, the error at column 70,000: 120 around it, cut on both sides
        let line = "x".repeat(69_999) + "!" + &"y".repeat(30_000);
        let (shown, caret) = snippet(&line, Some(70_000));
        assert_eq!(shown.chars().count(), 122);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        let caret = caret.unwrap();
        assert_eq!(shown.chars().nth(caret - 1), Some('!'));
        // past the end of the line: the caret just after it
        let (shown, caret) = snippet("abc", Some(9));
        assert_eq!((shown.as_str(), caret), ("abc", Some(4)));
    }
}
