//! The report's section "On track?" ("Olemmeko aikataulussa?"): what `kymsim track` found, read
//! from `DIR/track/` when it is current (its `identity.json` records the inputs of this run:
//! the rule of [`crate::output::recorded::DERIVED`], as for a batch). The chart of `track`, the
//! effective sample size, P(target met) and each criterion before and after the observations
//! (in words and percent), target-year net emissions, the observations against the prior band
//! and the sectors furthest from the central projection.

use std::fmt::Write;

use super::load::ChartData;
use super::load_track::TrackData;
use crate::i18n::{Lang, Msg, Verdict};
use crate::model::criteria::{Criterion, Role, Test};
use crate::model::variables::{FINAL_ENERGY, GROSS};

/// The report's helpers this section uses, handed over by `report.rs` (which calls this file,
/// so this file does not call it back).
pub(super) struct Html {
    /// Escapes text for HTML.
    pub esc: fn(&str) -> String,
    /// kt for tables.
    pub kt: fn(f64, Lang) -> String,
    /// Whether an SVG is plain drawing, safe to inline.
    pub svg_is_inert: fn(&str) -> bool,
}

/// A variable of `results.csv` in words: gross emissions, a sector path in `lang` (`Transport ›
/// Road`), final energy of a carrier; anything else as written, in code type.
fn variable_words(h: &Html, data: &ChartData, variable: &str, lang: Lang) -> String {
    let esc = h.esc;
    let meta = &data.meta;
    if variable == GROSS {
        return esc(lang.t(Msg::ColGrossTotal));
    }
    if let Some(sector) = variable
        .strip_prefix(GROSS)
        .and_then(|s| s.strip_prefix('|'))
    {
        return esc(&format!(
            "{} › {}",
            lang.t(Msg::ColGrossTotal),
            lang.pick(sector, meta.finnish(sector))
        )
        .replace('|', " › "));
    }
    if let Some(carrier) = variable
        .strip_prefix(FINAL_ENERGY)
        .and_then(|s| s.strip_prefix('|'))
    {
        return esc(&format!(
            "{} › {}",
            lang.t(Msg::CapEnergy),
            lang.pick(carrier, meta.finnish(carrier))
                .replace('|', " › ")
        ));
    }
    format!("<code>{}</code>", esc(variable))
}

/// A criterion of `track/summary.csv` by its id, in words (None for an id the metadata cannot
/// name: its row is left out).
fn criterion_words(data: &ChartData, id: &str, lang: Lang) -> Option<String> {
    let t = &data.meta.target;
    let criterion = |role, test| Criterion {
        id: id.to_string(),
        role,
        test,
    };
    let c = match id {
        "target_met" => return Some(lang.fill(Msg::TrackTargetRow, &[("year", &t.year)])),
        "gross_met" => criterion(
            Role::Target,
            Test::GrossAtMost {
                year: t.year,
                limit_kt: t.gross_limit_kt?,
            },
        ),
        "net_zero_met" => criterion(Role::Target, Test::NetZero { year: t.year }),
        "within_budget" => data.meta.budget.as_ref()?.criterion(t.year),
        _ => {
            let year: i32 = id.strip_prefix("milestone_")?.parse().ok()?;
            let m = data.meta.milestones.iter().find(|m| m.year == year)?;
            criterion(
                Role::Milestone,
                Test::GrossAtMost {
                    year,
                    limit_kt: m.gross_limit_kt,
                },
            )
        }
    };
    Some(c.label(lang))
}

/// A probability in words and percent, coloured by band.
fn probability_cell(h: &Html, p: f64, lang: Lang) -> String {
    let esc = h.esc;
    let v = Verdict::Probability(p);
    format!(
        "<td><span class=\"{}\">{} {}</span></td>",
        v.band(),
        v.mark(),
        esc(&v.text(lang))
    )
}

/// The section, when `track/` is current (nothing otherwise).
pub(super) fn section(out: &mut String, data: &ChartData, lang: Lang, h: &Html) {
    let esc = h.esc;
    let Some(tr) = &data.track else { return };
    let meta = &data.meta;
    let name = meta.scenario_name(&tr.scenario, lang);
    let _ = writeln!(
        out,
        "<section id=\"track\">\n<h2>{} — {}</h2>",
        esc(lang.t(Msg::TrackHeading)),
        esc(&lang.fill(Msg::ScenarioHeading, &[("name", &name)]))
    );
    let mut years: Vec<i32> = tr.observations.iter().map(|o| o.year).collect();
    years.dedup();
    let years = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "<p>{}</p>",
        esc(&lang.fill(
            Msg::TrackIntro,
            &[
                ("years", &years),
                ("n", &lang.thousands(tr.samples)),
                ("scenario", &name),
                ("ess", &lang.thousands(tr.effective.round())),
            ]
        ))
    );
    chart(h, out, tr, lang);
    probabilities(h, out, data, tr, lang);
    observations(h, out, data, tr, lang);
    behind(h, out, data, tr, lang);
    out.push_str("</section>\n");
}

fn chart(h: &Html, out: &mut String, tr: &TrackData, lang: Lang) {
    let esc = h.esc;
    let Some(svg) = tr.chart_svg.as_deref().filter(|s| (h.svg_is_inert)(s)) else {
        return;
    };
    let svg = svg.find("<svg").map_or(svg, |i| &svg[i..]);
    let caption = lang.t(Msg::TrackCaption);
    let _ = write!(
        out,
        "<figure id=\"fig-track\" role=\"img\" aria-label=\"{c}\">\n{svg}\n<figcaption>{c} \
         (<code>track/charts/track_{s}.png</code>, <code>track/charts/track_{s}.svg</code>)\
         </figcaption>\n</figure>\n",
        c = esc(caption),
        s = esc(&tr.scenario),
    );
}

/// P(target met) and each criterion, before and after; target-year net emissions.
fn probabilities(h: &Html, out: &mut String, data: &ChartData, tr: &TrackData, lang: Lang) {
    let (esc, kt) = (h.esc, h.kt);
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        lang.t(Msg::TrackColCriterion),
        lang.t(Msg::TrackColBefore),
        lang.t(Msg::TrackColAfter),
    );
    for (id, before, after) in &tr.probabilities {
        let Some(words) = criterion_words(data, id, lang) else {
            continue;
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td>{}{}</tr>",
            esc(&words),
            probability_cell(h, *before, lang),
            probability_cell(h, *after, lang)
        );
    }
    let band = |q: &[f64; 3]| {
        q.iter()
            .map(|v| kt(*v, lang))
            .collect::<Vec<_>>()
            .join(" – ")
    };
    let _ = writeln!(
        out,
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n</tbody>\n</table>",
        esc(&lang.fill(Msg::TrackNetRange, &[("year", &data.meta.target.year)])),
        band(&tr.net_prior),
        band(&tr.net_posterior),
    );
}

/// Each observation with the prior band at it and the share of prior samples below it.
fn observations(h: &Html, out: &mut String, data: &ChartData, tr: &TrackData, lang: Lang) {
    let kt = h.kt;
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        lang.t(Msg::Year),
        lang.t(Msg::TrackColVariable),
        lang.t(Msg::TrackColObserved),
        lang.t(Msg::TrackColSd),
        lang.t(Msg::TrackColPriorBand),
        lang.t(Msg::TrackColPercentile),
    );
    for o in &tr.observations {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            o.year,
            variable_words(h, data, &o.variable, lang),
            kt(o.observed, lang),
            kt(o.sd, lang),
            o.band
                .iter()
                .map(|v| kt(*v, lang))
                .collect::<Vec<_>>()
                .join(" – "),
            lang.percent(o.percentile),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Which observed variables lie above the central projection in the latest year (behind), the
/// largest excess first, and which below.
fn behind(h: &Html, out: &mut String, data: &ChartData, tr: &TrackData, lang: Lang) {
    let (esc, kt) = (h.esc, h.kt);
    let Some(year) = tr.deviation.first().map(|d| d.year) else {
        return;
    };
    let list: Vec<String> = tr
        .deviation
        .iter()
        .map(|d| {
            let msg = if d.kt > 0.0 {
                Msg::TrackAbove
            } else {
                Msg::TrackBelow
            };
            lang.fill(
                msg,
                &[
                    ("variable", &variable_words(h, data, &d.variable, lang)),
                    ("kt", &kt(d.kt.abs(), lang)),
                ],
            )
        })
        .collect();
    // the variable words are HTML already; the rest of the sentence is escaped
    let sentence = lang
        .fill(Msg::TrackBehind, &[("year", &year), ("list", &"\u{1}")])
        .split('\u{1}')
        .map(esc)
        .collect::<Vec<_>>()
        .join(list.join("; ").as_str());
    let _ = writeln!(out, "<p>{sentence}</p>");
}
