//! Fuzzes `kymsim check`'s inputs: the first byte picks the file name (which decides IAMC or
//! keyed table), the rest is split at the first NUL byte into EXPECTED and ACTUAL, and at the
//! next into a tolerances file. Both files are compared, and a report is rendered as text,
//! JSON and JUnit XML. Errors are fine; a panic, a hang or unbounded memory is not.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use kymsim::check::{Tolerances, compare, junit::junit_xml};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 8] = [
    "results.csv",
    "summary.csv",
    "wedges.csv",
    "macc.csv",
    "difference.csv",
    "distributions.csv",
    "sensitivity.csv",
    "stats.csv",
];

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("kymsim-fuzz-check-{}", std::process::id()));
        std::fs::create_dir_all(d.join("e")).unwrap();
        std::fs::create_dir_all(d.join("a")).unwrap();
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |&b| b == 0);
    let expected = parts.next().unwrap_or_default();
    let actual = parts.next().unwrap_or(expected);
    let rules = parts.next();
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let dir = scratch();
    let (e, a) = (dir.join("e").join(name), dir.join("a").join(name));
    std::fs::write(&e, expected).unwrap();
    std::fs::write(&a, actual).unwrap();
    let mut tol = Tolerances::default();
    if let Some(rules) = rules {
        let t = dir.join("tolerances.toml");
        std::fs::write(&t, rules).unwrap();
        match tol.with_rules_file(&t) {
            Ok(t) => tol = t,
            Err(_) => return,
        }
    }
    if let Ok(report) = compare(&e, &a, &tol) {
        let _ = report.render_text(20);
        let _ = report.to_json();
        let xml = junit_xml(&report);
        assert!(!xml.contains('\u{0}'), "NUL in the JUnit report");
    }
    let _ = std::fs::remove_file(&e);
    let _ = std::fs::remove_file(&a);
});
