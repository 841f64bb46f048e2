//! The summary `kymsim run` prints: the target, the table of scenarios, the verdicts with their
//! probability, the carbon budget and the removals left out.

use crate::charts;
use crate::data::Region;
use crate::engine::CentralResult;
use crate::i18n::{Lang, Msg};
use crate::model::Model;

/// A scenario's model with its evaluation.
type Run<'a> = (&'a Model, &'a CentralResult);
/// A current batch's `batch/summary.csv` rows, by scenario.
type Batch = std::collections::BTreeMap<String, crate::output::schema::BatchSummaryRecord>;
/// Each scenario's printed name.
type Names = std::collections::BTreeMap<String, String>;

/// `v` with `d` decimals: as Rust formats it in English (the printed table is read by scripts),
/// with a decimal comma, grouped thousands and a minus sign in Finnish.
pub(super) fn dec(lang: Lang, v: f64, d: usize) -> String {
    match lang {
        Lang::En => format!("{v:.d$}"),
        Lang::Fi => lang.fixed(v, d),
    }
}

/// A milestone's basis (`−80 % from 2007`) in `lang`.
pub(crate) fn basis_words(basis: &str, lang: Lang) -> String {
    lang.milestone_basis(basis)
}

/// The table of `kymsim run`, and each scenario's verdict with its probability when a current
/// batch gives one (`batch`: its `batch/summary.csv` rows; empty: verdicts at central values).
pub(super) fn print_summary(
    runs: &[Run],
    region: &Region,
    lang: Lang,
    batch: &Batch,
    names: &Names,
) {
    let Some((m0, _)) = runs.first() else { return };
    print_target(m0, region, lang);
    print_table(runs, lang, batch, names);
    print_verdicts(runs, &m0.target, lang, batch, names);
    print_budget(runs, region, lang, batch, names);
    print_excluded(runs, region, lang, names);
}

/// The target, the milestones and the accounting rule.
fn print_target(m0: &Model, region: &Region, lang: Lang) {
    let t = &m0.target;
    // the reference is known to about ±1 %: whole kilotonnes are all the precision it carries
    let net = if t.net_zero {
        lang.t(Msg::PrintNetZero)
    } else {
        ""
    };
    println!(
        "{}",
        lang.fill(
            Msg::PrintTarget,
            &[
                ("region", &region.name),
                ("year", &t.year),
                (
                    "limit",
                    &dec(lang, t.gross_limit_kt().unwrap_or(f64::NAN), 0)
                ),
                (
                    "pct",
                    &dec(
                        lang,
                        t.max_gross_fraction.map_or(0.0, |f| (1.0 - f) * 100.0),
                        0
                    )
                ),
                ("reference", &t.reference_year),
                ("net", &net),
            ]
        )
    );
    for m in &m0.milestones {
        println!(
            "{}",
            lang.fill(
                Msg::PrintMilestone,
                &[
                    ("year", &m.year),
                    ("limit", &dec(lang, m.gross_limit_kt, 0)),
                    ("basis", &basis_words(&m.basis, lang)),
                ]
            )
        );
    }
    let basis = region
        .accounting
        .clone()
        .unwrap_or_else(|| lang.t(Msg::AsTheData).to_string());
    let counted = lang.t(if region.count_ets_removals {
        Msg::PrintCounted
    } else {
        Msg::PrintNotCounted
    });
    println!(
        "{}",
        lang.fill(
            Msg::PrintAccounting,
            &[("basis", &basis), ("counted", &counted)]
        )
    );
}

/// The table: one row per scenario, P(target met) second when a batch is current.
fn print_table(runs: &[Run], lang: Lang, batch: &Batch, names: &Names) {
    let m0 = runs[0].0;
    let t = &m0.target;
    // columns: (header, left-aligned, minimum width); the English widths are those scripts
    // have always read, and a column widens to its longest cell
    let english = lang == Lang::En;
    let ry = t.reference_year;
    let mut heads: Vec<(String, bool, usize)> =
        vec![(lang.t(Msg::PrintHeadScenario).into(), true, 16)];
    if !batch.is_empty() {
        heads.push((lang.t(Msg::PrintHeadP).into(), false, 9));
    }
    heads.extend([
        (lang.t(Msg::PrintHeadGross).into(), false, 10),
        (lang.t(Msg::PrintHeadLand).into(), false, 12),
        (lang.t(Msg::PrintHeadRemoval).into(), false, 10),
        (lang.t(Msg::PrintHeadNet).into(), false, 10),
        (
            if english {
                "vs ref".to_string()
            } else {
                lang.fill(Msg::PrintHeadVsRef, &[("year", &ry)])
            },
            false,
            10,
        ),
        (lang.t(Msg::PrintHeadTarget).into(), true, 8),
        (lang.t(Msg::PrintHeadNeutral).into(), true, 10),
    ]);
    for m in &m0.milestones {
        heads.push((
            lang.fill(Msg::PrintHeadMilestone, &[("year", &m.year)]),
            true,
            8,
        ));
    }
    let percent = |v: f64| match lang {
        Lang::En => format!("{v:.1}%"),
        Lang::Fi => format!("{}\u{a0}%", lang.fixed(v, 1)),
    };
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(m, r)| {
            let s = &r.summary;
            let mut row = vec![super::shown(names, &m.scenario).to_string()];
            if !batch.is_empty() {
                row.push(
                    batch
                        .get(&m.scenario)
                        .map_or("–".to_string(), |b| percent(b.p_target_met * 100.0)),
                );
            }
            row.extend([
                dec(lang, s.gross_kt, 1),
                dec(lang, s.land_kt, 1),
                dec(lang, s.removals_kt, 1),
                dec(lang, s.net_kt, 1),
                percent(-s.reduction_vs_reference * 100.0),
                lang.yes_no(s.target_met).to_string(),
                s.neutrality_year
                    .map_or(lang.t(Msg::Never).to_string(), |y| y.to_string()),
            ]);
            row.extend(r.milestones.iter().map(|&met| lang.yes_no(met).to_string()));
            row
        })
        .collect();
    let widths: Vec<usize> = heads
        .iter()
        .enumerate()
        .map(|(i, (h, _, min))| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .chain([h.chars().count(), *min])
                .max()
                .unwrap_or(*min)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let (_, left, _) = &heads[i];
            let w = widths[i];
            let pad = w.saturating_sub(cell.chars().count());
            if i > 0 {
                // two spaces before a text column that follows a number column, one otherwise
                let gap = if *left && !heads[i - 1].1 { 2 } else { 1 };
                out.push_str(&" ".repeat(gap));
            }
            if *left {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.trim_end().to_string()
    };
    println!(
        "{}",
        line(heads.iter().map(|(h, _, _)| h.as_str()).collect())
    );
    for r in &rows {
        println!("{}", line(r.iter().map(String::as_str).collect()));
    }
    if batch.is_empty() {
        println!("{}", lang.t(Msg::PrintCentralNote));
    }
}

/// Each scenario's verdict with its probability and Monte Carlo error, where a batch gives one.
fn print_verdicts(runs: &[Run], t: &crate::data::Target, lang: Lang, batch: &Batch, names: &Names) {
    for (m, r) in runs {
        let Some(b) = batch.get(&m.scenario) else {
            continue;
        };
        let p = b.p_target_met;
        let se = crate::output::batch::standard_error(p, b.samples);
        let central = crate::i18n::Verdict::Central(r.summary.target_met).text(lang);
        println!(
            "{}",
            lang.fill(
                Msg::PrintVerdict,
                &[
                    ("scenario", &super::shown(names, &m.scenario)),
                    ("year", &t.year),
                    (
                        "verdict",
                        &crate::i18n::Verdict::new(r.summary.target_met, Some(p)).text(lang)
                    ),
                    ("se", &lang.percent(se)),
                    ("n", &lang.thousands(b.samples as f64)),
                    ("file", &crate::output::batch::BATCH_SUMMARY_CSV),
                    ("central", &central),
                ]
            )
        );
    }
}

/// The removals the accounting leaves out, with why.
fn print_excluded(runs: &[Run], region: &Region, lang: Lang, names: &Names) {
    for (m, _) in runs {
        for e in &m.excluded {
            let reason = match lang {
                Lang::En => e.reason.clone(),
                Lang::Fi => lang.fill(
                    Msg::ExcludedEts,
                    &[(
                        "basis",
                        &region.accounting.clone().unwrap_or_else(|| "alueen".into()),
                    )],
                ),
            };
            println!(
                "{}",
                lang.fill(
                    Msg::PrintExcluded,
                    &[
                        ("scenario", &super::shown(names, &m.scenario)),
                        ("id", &e.id),
                        ("reason", &reason)
                    ]
                )
            );
        }
    }
}

/// The carbon budget in words, per scenario: what its central projection uses and leaves, the
/// year it runs out, and P(within the budget) when a current batch gives it.
fn print_budget(runs: &[Run], region: &Region, lang: Lang, batch: &Batch, names: &Names) {
    let Some(b) = &region.budget else { return };
    let b = charts::metadata::BudgetMeta::of(b);
    for (m, r) in runs {
        let Some(used) = r.summary.budget else {
            continue;
        };
        let p = batch.get(&m.scenario).and_then(|s| s.p_within_budget);
        println!(
            "{}: {}",
            super::shown(names, &m.scenario),
            charts::report_budget::budget_words(&b, m.target.year, used, p, lang)
        );
    }
}
