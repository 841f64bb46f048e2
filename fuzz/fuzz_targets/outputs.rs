//! Fuzzes `kymsim plot`'s inputs: the first byte picks one file of an output folder, the rest
//! replaces it in a real run's folder (`fuzz/base/`, made by `fuzz/run.sh`); the folder is
//! parsed as `plot` parses it and drawn (small charts) with the report. Whatever the files
//! hold, the report must hold no script, no event handler and no link other than http(s) or
//! relative, and every figure id must be a chart stem of a scenario name.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use kymsim::charts::load::{ChartData, OutputFiles};
use kymsim::i18n::Lang;
use kymsim::input::TextFile;
use libfuzzer_sys::fuzz_target;

const BASE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/base");

const FILES: [&str; 10] = [
    "results.csv",
    "summary.csv",
    "metadata.json",
    "wedges.csv",
    "macc.csv",
    "difference.csv",
    "batch/stats.csv",
    "batch/distributions.csv",
    "batch/summary.csv",
    "sensitivity.csv",
];

fn base() -> &'static BTreeMap<&'static str, Vec<u8>> {
    static B: OnceLock<BTreeMap<&'static str, Vec<u8>>> = OnceLock::new();
    B.get_or_init(|| {
        let m: BTreeMap<_, _> = FILES
            .iter()
            .filter_map(|f| std::fs::read(format!("{BASE}/{f}")).ok().map(|b| (*f, b)))
            .collect();
        assert!(
            m.contains_key("results.csv"),
            "no output folder in {BASE}: fuzz/run.sh makes it"
        );
        m
    })
}

fn text(name: &str, bytes: &[u8]) -> Option<TextFile> {
    TextFile::from_bytes(name, bytes).ok()
}

/// Every `<…>` tag of the report: no script, no `on…=` handler, links only http(s) or relative.
fn check_html(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script in the report");
    let mut rest = lower.as_str();
    while let Some(i) = rest.find('<') {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |j| i + j);
        let tag = &rest[i..tag_end];
        for attr in tag.split_whitespace().skip(1) {
            assert!(
                !(attr.starts_with("on") && attr.contains('=')),
                "an event handler in {tag}"
            );
            if let Some(v) = attr.strip_prefix("href=\"") {
                let scheme = v.split([':', '/', '?', '#']).next().unwrap_or("");
                let has_scheme = v[scheme.len()..].starts_with(':');
                assert!(
                    !has_scheme || scheme == "http" || scheme == "https",
                    "a link to {v}"
                );
            }
            if let Some(id) = attr.strip_prefix("id=\"fig-") {
                let id = id.trim_end_matches('"');
                assert!(
                    id.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'),
                    "figure id {id}"
                );
            }
        }
        rest = &rest[tag_end.min(rest.len())..];
        if rest.len() <= 1 {
            break;
        }
        rest = &rest[1..];
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let which = FILES[usize::from(pick) % FILES.len()];
    let b = base();
    let get = |f: &str| -> Option<Option<TextFile>> {
        if f == which {
            return text(f, rest).map(Some);
        }
        Some(b.get(f).and_then(|bytes| text(f, bytes)))
    };
    let (Some(Some(results)), Some(Some(summary)), Some(Some(metadata))) =
        (get("results.csv"), get("summary.csv"), get("metadata.json"))
    else {
        return;
    };
    let (Some(wedges), Some(macc), Some(difference), Some(stats), Some(distributions)) = (
        get("wedges.csv"),
        get("macc.csv"),
        get("difference.csv"),
        get("batch/stats.csv"),
        get("batch/distributions.csv"),
    ) else {
        return;
    };
    let (Some(batch_summary), Some(sensitivity)) = (get("batch/summary.csv"), get("sensitivity.csv"))
    else {
        return;
    };
    let files = OutputFiles {
        results,
        summary,
        metadata,
        wedges,
        macc,
        sensitivity,
        stats,
        distributions,
        batch_summary,
        difference,
    };
    let Ok(data) = ChartData::parse(&files) else {
        return;
    };
    for lang in [Lang::En, Lang::Fi] {
        if let Ok(out) = kymsim::charts::render(&data, (160, 90), lang) {
            let report = out
                .iter()
                .find(|r| r.path.ends_with("report.html"))
                .expect("a report");
            check_html(&String::from_utf8_lossy(&report.bytes));
        }
    }
});
