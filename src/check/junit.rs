//! JUnit XML for CI servers: one `<testsuite>` per compared file, one `<testcase>` per
//! scenario × variable (classname = scenario, name = variable; in summary-type files the
//! variable is the column). A failing case carries its worst cell in the failure message.

use std::fmt::Write as _;
use std::path::Path;

use super::report::{Case, FileReport, Report};
use crate::error::Result;
use crate::output::OutputSet;

/// The JUnit XML of a report.
pub fn junit_xml(report: &Report) -> String {
    let suites: Vec<(&FileReport, Vec<Case>)> =
        report.files.iter().map(|f| (f, cases_of(f))).collect();
    let total: usize = suites.iter().map(|(_, c)| c.len()).sum();
    let failures: usize = suites
        .iter()
        .map(|(_, c)| c.iter().filter(|c| c.is_failure()).count())
        .sum();
    let mut x = String::with_capacity(256 + total * 128);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"kymsim check\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\">"
    );
    for (f, cases) in &suites {
        let fails = cases.iter().filter(|c| c.is_failure()).count();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" errors=\"0\" skipped=\"0\">",
            escape(&f.file),
            cases.len()
        );
        for c in cases {
            let classname = if c.scenario.is_empty() {
                &f.file
            } else {
                &c.scenario
            };
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" assertions=\"{}\"",
                escape(classname),
                escape(&c.variable),
                escape(&f.file),
                c.cells
            );
            if !c.is_failure() {
                x.push_str("/>\n");
                continue;
            }
            let mut message = String::new();
            if let Some(p) = &c.problem {
                message.push_str(p);
            }
            if let Some(w) = &c.worst {
                if !message.is_empty() {
                    message.push_str("; ");
                }
                let _ = write!(
                    message,
                    "{} of {} cells beyond tolerance; worst: {}",
                    c.failed,
                    c.cells,
                    w.describe()
                );
            }
            let _ = writeln!(
                x,
                ">\n      <failure type=\"difference\" message=\"{}\">{}</failure>\n    </testcase>",
                escape(&message),
                escape(&message)
            );
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// The cases of a file; a file that differs without a failing case (e.g. an extra year
/// column) gets one failing case for the whole file.
fn cases_of(f: &FileReport) -> Vec<Case> {
    let mut cases = f.cases.clone();
    if !f.is_equal() && !cases.iter().any(Case::is_failure) {
        let mut what: Vec<String> = Vec::new();
        if !f.missing_columns.is_empty() {
            what.push(format!(
                "missing in actual: {}",
                f.missing_columns.join(", ")
            ));
        }
        if !f.extra_columns.is_empty() {
            what.push(format!("extra in actual: {}", f.extra_columns.join(", ")));
        }
        if !f.missing_rows.is_empty() || !f.extra_rows.is_empty() {
            what.push(format!(
                "{} rows missing, {} extra",
                f.missing_rows.len(),
                f.extra_rows.len()
            ));
        }
        cases.push(Case {
            scenario: String::new(),
            variable: "(columns)".into(),
            cells: 0,
            failed: 0,
            worst: None,
            problem: Some(what.join("; ")),
        });
    }
    cases
}

/// Writes the JUnit XML of a report to `path` (atomically: a temporary file renamed into place).
pub fn write_junit(report: &Report, path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or("junit.xml".into(), |n| n.to_string_lossy().into_owned());
    let mut set = OutputSet::new(dir)?;
    set.stage(&name, junit_xml(report).as_bytes())?;
    set.commit()?;
    Ok(())
}

/// Escapes text for XML attributes and content; characters XML 1.0 forbids become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&#10;\u{fffd}"
        );
    }
}
