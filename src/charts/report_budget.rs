//! The report's words on the carbon budget: for each scenario, what its central projection uses
//! of the budget, what is left and the year it runs out (`summary.csv`), and the probability of
//! staying within it when a current batch gives one (`batch/summary.csv`).

use std::fmt::Write;

use super::load::ChartData;
use crate::i18n::{Lang, Msg, Verdict};

/// kt in words, as the report's tables write it: whole numbers from 100 up, one decimal below.
fn kt(v: f64, lang: Lang) -> String {
    if v.abs() >= 100.0 {
        lang.thousands(v)
    } else {
        lang.thousands((v * 10.0).round() / 10.0)
    }
}

/// One paragraph per scenario with a budget figure (nothing without a budget); `esc` is the
/// report's escaping of text for HTML (handed over: `report.rs` calls this file).
pub(super) fn note(out: &mut String, data: &ChartData, lang: Lang, esc: fn(&str) -> String) {
    let meta = &data.meta;
    let Some(b) = &meta.budget else { return };
    for sc in &data.scenarios {
        let Some(used) = sc.summary.as_ref().and_then(|s| s.budget) else {
            continue;
        };
        let text = budget_words(
            b,
            meta.target.year,
            used,
            data.batch_summary
                .get(&sc.name)
                .and_then(|r| r.p_within_budget),
            lang,
        );
        let _ = writeln!(
            out,
            "<p>{}: {}</p>",
            esc(&meta.scenario_name(&sc.name, lang)),
            esc(&text)
        );
    }
}

/// The budget in words: its span, size and basis, what the central projection uses and leaves,
/// the year it runs out (or that it lasts), and P(within the budget) in words when given.
pub fn budget_words(
    b: &super::metadata::BudgetMeta,
    target_year: i32,
    used: crate::model::criteria::BudgetUse,
    p: Option<f64>,
    lang: Lang,
) -> String {
    let basis = lang.t(if b.basis == "net" {
        Msg::BasisNet
    } else {
        Msg::BasisGross
    });
    let (msg, year) = match used.exhausted_year {
        Some(y) if used.left_kt < 0.0 => (Msg::BudgetOverspent, y.to_string()),
        Some(y) => (Msg::TrackBudget, y.to_string()),
        None => (Msg::TrackBudgetLasts, String::new()),
    };
    let mut text = lang.fill(
        msg,
        &[
            ("from", &b.from_year),
            ("to", &target_year),
            ("kt", &lang.thousands(b.kt)),
            ("basis", &basis),
            ("used", &kt(used.used_kt, lang)),
            ("left", &kt(used.left_kt, lang)),
            ("over", &kt(-used.left_kt, lang)),
            ("year", &year),
        ],
    );
    if let Some(p) = p {
        text.push(' ');
        text.push_str(&lang.fill(
            Msg::BudgetKept,
            &[("verdict", &Verdict::Probability(p).text(lang))],
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::metadata::BudgetMeta;
    use crate::model::criteria::BudgetUse;

    #[test]
    fn the_budget_in_words_left_overspent_and_with_its_probability() {
        let b = BudgetMeta {
            from_year: 2021,
            kt: 100.0,
            basis: "gross".into(),
        };
        // 120 kt used of 100: 20 kt over, run out in 2030
        let over = BudgetUse {
            used_kt: 120.0,
            left_kt: -20.0,
            exhausted_year: Some(2030),
        };
        let text = budget_words(&b, 2040, over, Some(0.25), Lang::En);
        assert!(
            text.starts_with(
                "Carbon budget 2021–2040: 100 kt (gross emissions); the central projection uses \
                 120 kt, 20 kt over the budget; runs out in 2030. Staying within the budget: \
                 likely missed: met with probability 25"
            ),
            "{text}"
        );
        // 80 kt used of a net budget of 100: 20 kt left, lasts the horizon, no batch
        let net = BudgetMeta {
            basis: "net".into(),
            ..b
        };
        let left = BudgetUse {
            used_kt: 80.0,
            left_kt: 20.0,
            exhausted_year: None,
        };
        assert_eq!(
            budget_words(&net, 2040, left, None, Lang::Fi),
            "Hiilibudjetti 2021–2040: 100 kt (nettopäästöt); keskiennuste käyttää 80 kt, \
             jäljellä 20 kt; riittää tarkastelujakson loppuun."
        );
    }
}
