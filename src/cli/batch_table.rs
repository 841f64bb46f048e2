//! The summary table a batch prints, after `kymsim batch` and after `kymsim merge`.

use std::path::Path;

use crate::batch::Identity;
use crate::i18n::{Lang, Msg};
use crate::output::batch::BatchSummaryRow;

/// Prints the summary table of a written batch.
pub(super) fn print_outputs(
    out_dir: &Path,
    identity: &Identity,
    rows: &[BatchSummaryRow],
    lang: Lang,
    names: &std::collections::BTreeMap<String, String>,
) {
    print_table(identity, rows, lang, names);
    println!(
        "\n{}",
        lang.fill(
            Msg::PrintWrote,
            &[("dir", &out_dir.join("batch").display())]
        )
    );
}

fn print_table(
    identity: &Identity,
    rows: &[BatchSummaryRow],
    lang: Lang,
    names: &std::collections::BTreeMap<String, String>,
) {
    println!(
        "{}",
        lang.fill(
            Msg::PrintBatchHead,
            &[
                ("n", &identity.samples),
                ("sampler", &identity.sampler),
                ("seed", &identity.seed)
            ]
        )
    );
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    let kt = |s: &str| match lang {
        Lang::En => s.to_string(),
        Lang::Fi => lang.fixed(num(s), 1),
    };
    let pct = |v: f64| match lang {
        Lang::En => format!("{:.1}%", v * 100.0),
        Lang::Fi => format!("{}\u{a0}%", lang.fixed(v * 100.0, 1)),
    };
    let line = |s: String| println!("{}", s.trim_end());
    let w = rows
        .iter()
        .map(|r| super::shown(names, &r.scenario).chars().count())
        .max()
        .unwrap_or(0)
        .max(16);
    line(format!(
        "{:<w$} {:>9} {:>8} {:>11} {:>11} {:>11}  {:<14}",
        lang.t(Msg::PrintHeadScenario),
        lang.t(Msg::PrintHeadP),
        "± SE",
        lang.t(Msg::PrintHeadNetP5),
        lang.t(Msg::PrintHeadNetP50),
        lang.t(Msg::PrintHeadNetP95),
        lang.t(Msg::PrintHeadNeutralP50)
    ));
    for r in rows {
        let p = num(&r.p_target_met);
        line(format!(
            "{:<w$} {:>9} {:>8} {:>11} {:>11} {:>11}  {:<14}",
            super::shown(names, &r.scenario),
            pct(p),
            pct(crate::output::batch::standard_error(p, r.samples)),
            kt(&r.net_kt_p5),
            kt(&r.net_kt_p50),
            kt(&r.net_kt_p95),
            if r.neutrality_p50.is_empty() {
                lang.t(Msg::Never).to_string()
            } else {
                r.neutrality_p50.clone()
            }
        ));
    }
    println!("{}", lang.t(Msg::PrintSeNote));
}
