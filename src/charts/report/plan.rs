//! The report's "Cheapest plan" section: the chosen measures with level, value, cost and
//! abatement, the cost with its proven lower bound and gap, the shares of samples in and out of
//! sample with the 95 % interval, and the frontier chart (docs/decision-support.md §7).

use std::fmt::Write;

use super::{esc, figure};
use crate::charts::load::ChartData;
use crate::charts::load_plan::PlanMeasure;
use crate::i18n::{Lang, Msg};

/// A share with one decimal: `90.9 %`, `90,9 %`.
fn share(lang: Lang, p: f64) -> String {
    let sep = if lang == Lang::Fi {
        crate::i18n::NBSP
    } else {
        ' '
    };
    format!("{}{sep}%", lang.fixed(p * 100.0, 1))
}

/// The measure's name in `lang`: its Finnish name from any scenario of the run that has it.
fn measure_name(data: &ChartData, m: &PlanMeasure, lang: Lang) -> String {
    let fi = data
        .meta
        .scenarios
        .iter()
        .flat_map(|s| &s.measures)
        .find(|x| x.id == m.measure)
        .and_then(|x| x.name_fi.clone());
    lang.pick(&m.name, fi.as_deref()).to_string()
}

/// The section's entry in the contents, when the run's folder holds a current plan.
pub(super) fn nav(out: &mut String, data: &ChartData, lang: Lang) {
    if data.plan.is_some() {
        let _ = writeln!(
            out,
            "<li><a href=\"#plan\">{}</a></li>",
            lang.t(Msg::ReportPlanHeading)
        );
    }
}

/// The section, when the run's folder holds a current plan.
pub(super) fn section(out: &mut String, data: &ChartData, svgs: &[(String, &[u8])], lang: Lang) {
    let Some(p) = &data.plan else {
        return;
    };
    let name = |s: &str| esc(&data.meta.scenario_name(s, lang));
    let _ = writeln!(
        out,
        "<section id=\"plan\">\n<h2>{}</h2>\n<p>{}</p>",
        lang.t(Msg::ReportPlanHeading),
        esc(&lang.fill(
            Msg::ReportPlanIntro,
            &[
                ("menu", &name(&p.menu)),
                ("base", &name(&p.base)),
                ("goal", &share(lang, p.goal)),
                ("n", &lang.thousands(p.samples as f64)),
                ("seed", &p.seed),
                ("levels", &p.levels),
            ],
        ))
    );
    let _ = writeln!(
        out,
        "<p class=\"verdict\">{}<br>{}</p>",
        esc(&lang.fill(
            Msg::ReportPlanCost,
            &[
                ("cost", &lang.fixed(p.cost, 2)),
                ("bound", &lang.fixed(p.bound, 2)),
                ("gap", &share(lang, p.gap)),
            ],
        )),
        esc(&lang.fill(
            Msg::ReportPlanShares,
            &[
                ("inside", &share(lang, p.inside)),
                ("outside", &share(lang, p.outside.0)),
                ("low", &share(lang, p.outside.1)),
                ("high", &share(lang, p.outside.2)),
                ("n", &lang.thousands(p.samples as f64)),
            ],
        ))
    );
    if p.outside.2 < p.goal {
        let _ = writeln!(
            out,
            "<p class=\"warning\">{}</p>",
            esc(&lang.fill(Msg::ReportPlanShort, &[("goal", &share(lang, p.goal))]))
        );
    }
    let chosen: Vec<&PlanMeasure> = p.measures.iter().filter(|m| m.level > 0.0).collect();
    if chosen.is_empty() {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            esc(&lang.fill(Msg::ReportPlanNone, &[("base", &name(&p.base))]))
        );
    } else {
        let _ = writeln!(
            out,
            "<table>\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
             <th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>",
            lang.t(Msg::ReportPlanColMeasure),
            lang.t(Msg::ReportPlanColLevel),
            lang.t(Msg::ReportPlanColValue),
            lang.t(Msg::ReportPlanColCost),
            lang.t(Msg::ReportPlanColAbatement),
        );
        for m in chosen {
            let _ = writeln!(
                out,
                "<tr><td>{} <code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&measure_name(data, m, lang)),
                esc(&m.measure),
                share(lang, m.level),
                esc(&lang.thousands(m.value)),
                lang.fixed(m.cost, 2),
                lang.fixed(m.abatement, 1),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    figure(
        out,
        svgs,
        &format!("frontier_{}", p.menu),
        lang.t(Msg::CapFrontier),
    );
    let _ = writeln!(
        out,
        "<p>{} <code>plan/plan.toml</code>, <code>plan/plan.csv</code>, \
         <code>plan/portfolio.csv</code></p>\n</section>",
        lang.t(Msg::ReportPlanFiles)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_have_one_decimal_in_either_language() {
        // 0.9086 → 90.86 % → 90.9; the Finnish comma and no-break space
        assert_eq!(share(Lang::Fi, 0.9086), "90,9\u{a0}%");
        assert_eq!(share(Lang::En, 0.9), "90.0 %");
    }
}
