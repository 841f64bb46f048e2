//! `report.html`: one self-contained file — summary table, every chart as inline SVG, each
//! scenario's description and measures, the inventory and the data provenance. No scripts, no
//! external styles, fonts or images: it opens offline.

use std::fmt::Write;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::load::{ChartData, ScenarioData};
use super::style::{pillar_color, pillar_named};

mod plan;
use crate::decision::difference::RESIDUAL;
use crate::i18n::{Lang, Msg, Verdict};
use crate::scenario::Pillar;

/// Escapes text for HTML element content and attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
:root { --ink:#222; --muted:#666; --line:#ddd; --met:#1a7f37; --missed:#b2182b; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', Verdana, 'Segoe UI', Arial, sans-serif; color: var(--ink);
  margin: 0; line-height: 1.45; background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.9rem; margin: 0.2em 0; }
h2 { font-size: 1.45rem; margin-top: 2.2em; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
h3 { font-size: 1.15rem; margin-top: 1.6em; }
p.lead { color: var(--muted); margin-top: 0; }
p.own { font-size: 1.05rem; border-left: 4px solid var(--ink); padding-left: 10px; }
nav ul { columns: 2; padding-left: 1.2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92rem; width: 100%; }
.wide { overflow-x: auto; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.met { color: var(--met); font-weight: bold; white-space: nowrap; }
.missed { color: var(--missed); font-weight: bold; white-space: nowrap; }
.uncertain { color: #8a5a00; font-weight: bold; }
.unlikely { color: #b34700; font-weight: bold; }
td .met, td .missed { white-space: normal; }
figure { margin: 1.4em 0; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 4px; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; vertical-align: -0.05em; }
.provenance pre { white-space: pre-wrap; background: #f7f7f7; padding: 8px; }
.provenance code { background: #f3f3f3; padding: 0 3px; }
footer { color: var(--muted); font-size: 0.85rem; margin-top: 3em; }
";

/// kt for tables: whole numbers from 100 up, one decimal below (`614`, `−56.6`).
fn kt(v: f64, lang: Lang) -> String {
    if v.abs() >= 100.0 {
        lang.thousands(v)
    } else {
        lang.thousands((v * 10.0).round() / 10.0)
    }
}

fn yes_no(v: Option<bool>, lang: Lang) -> String {
    match v {
        Some(true) => format!("<span class=\"met\">✓ {}</span>", lang.t(Msg::Met)),
        Some(false) => format!("<span class=\"missed\">✗ {}</span>", lang.t(Msg::Missed)),
        None => "–".into(),
    }
}

/// The verdict on the target with its probability when a batch is current, coloured by band.
fn verdict_cell(met_at_central: bool, p: Option<f64>, lang: Lang) -> String {
    let v = Verdict::new(met_at_central, p);
    format!(
        "<span class=\"{}\">{} {}</span>",
        v.band(),
        v.mark(),
        esc(&v.text(lang))
    )
}

/// A measure kind in words (the catalogue's; an unknown kind as written, `_` as spaces).
fn kind_words(kind: &str, lang: Lang) -> String {
    crate::scenario::MeasureKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind)
        .map_or_else(
            || kind.replace('_', " "),
            |k| lang.measure_kind(k).to_string(),
        )
}

/// Elements and attributes of the SVG that plotters writes: the only ones inlined.
const SVG_ELEMENTS: [&str; 7] = [
    "svg", "rect", "line", "polyline", "polygon", "circle", "text",
];
const SVG_ATTRIBUTES: [&str; 23] = [
    "width",
    "height",
    "viewBox",
    "xmlns",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "points",
    "opacity",
    "fill",
    "stroke",
    "stroke-width",
    "dy",
    "text-anchor",
    "font-family",
    "font-size",
    "transform",
];

/// Whether `svg` holds nothing but drawing: the elements and attributes plotters writes
/// (plus `font-weight`/`font-style`), attribute values without markup, no comments, CDATA,
/// processing instructions (after an optional XML declaration), scripts, links, styles or
/// event handlers. Only such an SVG is inlined into the report, whoever wrote it.
pub(super) fn svg_is_inert(svg: &str) -> bool {
    let mut rest = svg.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml ") {
        match after.find("?>") {
            Some(i) if !after[..i].contains('<') => rest = &after[i + 2..],
            _ => return false,
        }
    }
    let name_end = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(s.len())
    };
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(closing) = rest.strip_prefix('/') {
            let n = name_end(closing);
            if !SVG_ELEMENTS.contains(&&closing[..n]) || !closing[n..].starts_with('>') {
                return false;
            }
            rest = &closing[n + 1..];
            continue;
        }
        let n = name_end(rest);
        if !SVG_ELEMENTS.contains(&&rest[..n]) {
            return false;
        }
        rest = &rest[n..];
        loop {
            rest = rest.trim_start_matches([' ', '\n', '\t', '\r']);
            if let Some(r) = rest.strip_prefix("/>").or_else(|| rest.strip_prefix('>')) {
                rest = r;
                break;
            }
            let n = name_end(rest);
            let name = &rest[..n];
            if !(SVG_ATTRIBUTES.contains(&name) || name == "font-weight" || name == "font-style") {
                return false;
            }
            let Some(value) = rest[n..].strip_prefix("=\"") else {
                return false;
            };
            let Some(end) = value.find('"') else {
                return false;
            };
            let v = &value[..end];
            if v.contains('<') || v.to_ascii_lowercase().contains("url(") {
                return false;
            }
            rest = &value[end + 1..];
        }
    }
    true
}

pub(super) fn figure(out: &mut String, svgs: &[(String, &[u8])], stem: &str, caption: &str) {
    let Some((_, bytes)) = svgs.iter().find(|(s, _)| s == stem) else {
        return;
    };
    let svg = String::from_utf8_lossy(bytes);
    // anything but plain drawing (a script, a link, an event handler) is not inlined
    if !svg_is_inert(&svg) {
        return;
    }
    // drop an XML declaration, which is not allowed inside HTML
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => &svg[..],
    };
    let _ = write!(
        out,
        "<figure id=\"fig-{stem}\" role=\"img\" aria-label=\"{}\">\n{svg}\n<figcaption>{} \
         (<code>charts/{stem}.png</code>, <code>charts/{stem}.svg</code>)</figcaption>\n</figure>\n",
        esc(caption),
        esc(caption),
        stem = esc(stem),
    );
}

/// Whether a link target may become a link in the report: `http:`, `https:` or a relative
/// reference (a path, `#fragment`, `?query`). Browsers ignore tabs and line breaks inside a
/// scheme and its case, so those are removed before looking.
pub(super) fn link_allowed(url: &str) -> bool {
    let plain: String = url
        .trim_matches(|c: char| c.is_ascii_whitespace() || c.is_control())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    match plain.find([':', '/', '?', '#']) {
        Some(i) if plain[i..].starts_with(':') => {
            let scheme = &plain[..i];
            scheme == "http" || scheme == "https"
        }
        // no scheme: relative; anything odd before the first delimiter is no scheme either
        _ => !plain.chars().any(char::is_control),
    }
}

fn markdown(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    // raw HTML is shown as text, and images become their alt text: nothing may load; a link
    // whose scheme is not http(s) (javascript:, data:, …) keeps its text, not its target
    let mut links_kept: Vec<bool> = Vec::new();
    let events = parser.filter_map(move |e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Some(Event::Text(s)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let keep = link_allowed(dest_url);
            links_kept.push(keep);
            keep.then_some(e)
        }
        Event::End(TagEnd::Link) => links_kept.pop().unwrap_or(false).then_some(e),
        e => Some(e),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn summary_table(out: &mut String, data: &ChartData, lang: Lang) {
    let t = &data.meta.target;
    let y = &t.year;
    let batch = !data.batch_summary.is_empty();
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th>",
        lang.t(Msg::ColScenario)
    );
    // P(target met) second: the verdict is read with its probability
    if batch {
        let _ = write!(
            out,
            "<th class=\"num\">{}</th>",
            esc(lang.t(Msg::ColPTarget))
        );
    }
    let _ = write!(
        out,
        "<th>{}</th><th>{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th>{}</th><th>{}</th>",
        lang.t(Msg::ColTargetMet),
        lang.t(Msg::ColNeutralFrom),
        esc(&lang.fill(Msg::ColGross, &[("year", y)])),
        esc(&lang.fill(Msg::ColRemovals, &[("year", y)])),
        esc(&lang.fill(Msg::ColNet, &[("year", y)])),
        esc(&lang.fill(Msg::ColGrossVs, &[("year", &t.reference_year)])),
        esc(lang.t(Msg::ColGrossLimit)),
        esc(lang.t(Msg::ColNetZero)),
    );
    for m in &data.meta.milestones {
        let _ = write!(
            out,
            "<th>{}</th>",
            esc(&lang.fill(
                Msg::ColMilestone,
                &[("year", &m.year), ("kt", &lang.thousands(m.gross_limit_kt))]
            ))
        );
    }
    if batch {
        let _ = write!(
            out,
            "<th class=\"num\">{}</th>",
            esc(&lang.fill(Msg::ColNetRange, &[("year", y)]))
        );
    }
    let costs = data.macc.is_some();
    if costs {
        let _ = write!(
            out,
            "<th class=\"num\">{}</th>",
            esc(lang.t(Msg::ColAnnualCost))
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for sc in &data.scenarios {
        let Some(s) = &sc.summary else {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td colspan=\"8\">{}</td></tr>",
                esc(&sc.name),
                lang.t(Msg::NoSummary)
            );
            continue;
        };
        let b = data.batch_summary.get(&sc.name);
        let _ = write!(
            out,
            "<tr><td><a href=\"#scenario-{}\">{}</a></td>",
            esc(&sc.name),
            esc(&data.meta.scenario_name(&sc.name, lang))
        );
        if batch {
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                b.map_or("–".to_string(), |b| lang.percent(b.p_target_met))
            );
        }
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td>",
            verdict_cell(s.target_met, b.map(|b| b.p_target_met), lang),
            s.neutrality_year
                .map_or(lang.t(Msg::NeverByEnd).to_string(), |y| y.to_string()),
            kt(s.gross_kt, lang),
            kt(s.removals_kt, lang),
            kt(s.net_kt, lang),
            lang.percent(-s.reduction_vs_reference),
            yes_no(s.gross_met, lang),
            yes_no(s.net_zero_met, lang),
        );
        for i in 0..data.meta.milestones.len() {
            let _ = write!(
                out,
                "<td>{}</td>",
                yes_no(s.milestones.get(i).copied().flatten(), lang)
            );
        }
        if batch {
            match b {
                Some(b) => {
                    let _ = write!(
                        out,
                        "<td class=\"num\">{}</td>",
                        lang.fill(
                            Msg::RangeTo,
                            &[
                                ("lo", &kt(b.net_kt_p5, lang)),
                                ("hi", &kt(b.net_kt_p95, lang))
                            ]
                        )
                    );
                }
                None => out.push_str("<td>–</td>"),
            }
        }
        if costs {
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                lang.fixed(data.annual_cost_meur(&sc.name), 1)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    milestone_note(out, data, lang);
    super::report_budget::note(out, data, lang, esc);
    accounting_note(out, data, lang);
}

/// A sentence per milestone stricter than the target-year gross limit: the target path rises
/// after it, which a reader of the emissions chart should not take for a slip.
fn milestone_note(out: &mut String, data: &ChartData, lang: Lang) {
    let t = &data.meta.target;
    let Some(limit) = t.gross_limit_kt else {
        return;
    };
    for m in data
        .meta
        .milestones
        .iter()
        .filter(|m| m.year < t.year && m.gross_limit_kt < limit)
    {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            esc(&lang.fill(
                Msg::MilestoneStricterNote,
                &[
                    ("year", &m.year),
                    ("kt", &lang.thousands(m.gross_limit_kt)),
                    ("basis", &lang.milestone_basis(&m.basis)),
                    ("target", &t.year),
                    ("limit", &lang.thousands(limit)),
                ]
            ))
        );
    }
}

/// The accounting basis, what it leaves out, and the unallocated share of the base year.
fn accounting_note(out: &mut String, data: &ChartData, lang: Lang) {
    let meta = &data.meta;
    let basis = meta
        .accounting
        .clone()
        .unwrap_or_else(|| lang.t(Msg::AsTheData).to_string());
    let counted = lang.t(if meta.count_ets_removals {
        Msg::AreCounted
    } else {
        Msg::AreNotCounted
    });
    let mut note = esc(&lang.fill(
        Msg::AccountingNote,
        &[("basis", &basis), ("counted", &counted)],
    ));
    for sc in &data.scenarios {
        for e in &sc.meta.excluded {
            let name = lang.pick(&e.name, e.name_fi.as_deref());
            note.push_str(&esc(&lang.fill(
                Msg::LeftOut,
                &[
                    ("scenario", &meta.scenario_name(&sc.name, lang)),
                    ("name", &name),
                    ("id", &e.id),
                ],
            )));
        }
    }
    let base = |sector: &str| {
        meta.history
            .iter()
            .find(|h| h.year == meta.base_year && h.sector == sector)
            .map(|h| h.kt)
    };
    if let (Some(u), Some(total)) = (base("Unallocated"), base("Total"))
        && total > 0.0
    {
        note.push_str(&esc(&lang.fill(
            Msg::Unallocated,
            &[
                ("year", &meta.base_year),
                ("kt", &kt(u, lang)),
                ("pct", &lang.percent(u / total)),
            ],
        )));
    }
    let _ = writeln!(out, "<p>{note}</p>");
}

/// Each measure's contribution in the target year (from `wedges.csv`, the Shapley attribution
/// against no measures) and its cost per tonne from the metadata.
fn measures_table(out: &mut String, data: &ChartData, sc: &ScenarioData, lang: Lang) {
    if sc.meta.measures.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", lang.t(Msg::NoMeasures));
        return;
    }
    let year = data.meta.target.year;
    let abatement = |id: &str| -> Option<f64> {
        data.wedges
            .as_ref()?
            .iter()
            .find(|w| w.scenario == sc.name && w.measure == id && w.year == year)
            .map(|w| w.kt)
    };
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th class=\"num\">{}</th><th>{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        lang.t(Msg::ColMeasure),
        lang.t(Msg::ColOwner),
        lang.t(Msg::ColPillar),
        lang.t(Msg::ColKind),
        lang.t(Msg::ColTargets),
        lang.t(Msg::ColCentral),
        lang.t(Msg::ColAdoption),
        esc(&lang.fill(Msg::ColAbatement, &[("year", &year)])),
        lang.t(Msg::ColCost),
        lang.t(Msg::ColMeasureAnnualCost),
    );
    for m in &sc.meta.measures {
        let value = if m.kind == "removal" {
            lang.fill(Msg::KtPerYear, &[("v", &lang.thousands(m.value))])
        } else {
            lang.percent(m.value)
        };
        let pillar = pillar_named(&m.pillar).unwrap_or(Pillar::Other);
        let color = pillar_color(pillar);
        let ab = abatement(&m.id);
        // annual cost = abatement (kt) × cost (€/t) / 1000 = M€ per year
        let annual = match (ab, m.cost_eur_per_t) {
            (Some(a), Some(c)) => lang.fixed(a * c / 1000.0, 2),
            _ => "–".into(),
        };
        let _ = writeln!(
            out,
            "<tr><td><strong>{}</strong> <code>{}</code><br>{}</td><td>{}</td>\
             <td><span class=\"swatch\" style=\"background:#{:02x}{:02x}{:02x}\"></span>{}</td>\
             <td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(lang.pick(&m.name, m.name_fi.as_deref())),
            esc(&m.id),
            esc(lang.pick(&m.description, m.description_fi.as_deref())),
            m.owner
                .as_deref()
                .and_then(crate::scenario::Owner::parse)
                .map_or("–", |o| lang.owner(o)),
            color.0,
            color.1,
            color.2,
            esc(lang.pillar(pillar)),
            esc(&kind_words(&m.kind, lang)),
            esc(&m
                .targets
                .iter()
                .map(|t| data.meta.target_name(t, lang))
                .collect::<Vec<_>>()
                .join(", ")),
            value,
            esc(&lang.adoption(&m.adoption)),
            ab.map_or("–".to_string(), |a| kt(a, lang)),
            m.cost_eur_per_t
                .map_or("–".to_string(), |c| lang.thousands(c)),
            annual,
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// A scenario's gap to its reference in one year split by who takes the measures
/// (`difference.csv` rows): the region's own (council and municipalities), national and EU
/// measures, and the rest (other assumptions, and measures whose owner is not given).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OwnShares {
    /// kt CO2e/yr of the region's own measures.
    pub own_kt: f64,
    /// Their added annual cost, M€/yr.
    pub own_cost_meur: f64,
    /// kt CO2e/yr of national and EU measures.
    pub other_kt: f64,
    /// Their added annual cost, M€/yr.
    pub other_cost_meur: f64,
    /// kt CO2e/yr of the other assumptions (drivers, uncertainty factors).
    pub rest_kt: f64,
    /// kt CO2e/yr of measures whose owner is not known: pillar rows (whose measures may have
    /// different owners) and measures that do not say.
    pub unassigned_kt: f64,
}

impl OwnShares {
    /// Sums the rows of one scenario and year.
    pub fn of(rows: &[&super::load::DifferenceRow]) -> OwnShares {
        let mut o = OwnShares::default();
        for r in rows {
            let cost = r.annual_cost_meur.unwrap_or(0.0);
            match r.owner {
                Some(w) if w.is_regional() => {
                    o.own_kt += r.kt;
                    o.own_cost_meur += cost;
                }
                Some(_) => {
                    o.other_kt += r.kt;
                    o.other_cost_meur += cost;
                }
                None if r.measure == RESIDUAL => o.rest_kt += r.kt,
                None => o.unassigned_kt += r.kt,
            }
        }
        o
    }
}

/// The gap to the reference scenario by measure in the target year (`difference.csv`).
fn difference_table(out: &mut String, data: &ChartData, sc: &ScenarioData, lang: Lang) {
    let Some(rows) = &data.difference else { return };
    let year = data.meta.target.year;
    let mut mine: Vec<_> = rows
        .iter()
        .filter(|r| r.scenario == sc.name && r.year == year)
        .collect();
    // largest share first; the scenario's other settings last
    mine.sort_by(|a, b| {
        (a.measure == RESIDUAL)
            .cmp(&(b.measure == RESIDUAL))
            .then_with(|| b.kt.total_cmp(&a.kt))
    });
    let Some(reference) = rows
        .iter()
        .find(|r| r.scenario == sc.name)
        .map(|r| r.reference.clone())
    else {
        return;
    };
    let net = sc.summary.as_ref().map_or(0.0, |s| s.net_kt);
    let gap: f64 = mine.iter().map(|r| r.kt).sum();
    let _ = writeln!(
        out,
        "<h3>{}</h3>\n<p>{}</p>",
        esc(&lang.fill(
            Msg::DifferenceHeading,
            &[("reference", &data.meta.scenario_name(&reference, lang))]
        )),
        esc(&lang.fill(
            Msg::DifferenceLead,
            &[
                ("year", &year),
                ("scenario", &data.meta.scenario_name(&sc.name, lang)),
                ("net", &kt(net, lang)),
                ("reference", &data.meta.scenario_name(&reference, lang)),
                ("net_ref", &kt(net + gap, lang)),
                ("gap", &kt(gap, lang)),
            ]
        ))
    );
    if !mine.is_empty() {
        let own = OwnShares::of(&mine);
        let _ = writeln!(
            out,
            "<p class=\"own\">{}</p>",
            esc(&lang.fill(
                if own.other_kt.abs() < 0.05 && own.other_cost_meur.abs() < 0.05 {
                    Msg::OwnAbatementOnly
                } else {
                    Msg::OwnAbatement
                },
                &[
                    ("year", &year),
                    ("own", &kt(own.own_kt, lang)),
                    ("reference", &data.meta.scenario_name(&reference, lang)),
                    ("cost", &lang.fixed(own.own_cost_meur, 1)),
                    ("other", &kt(own.other_kt, lang)),
                    ("other_cost", &lang.fixed(own.other_cost_meur, 1)),
                    ("rest", &kt(own.rest_kt, lang)),
                ]
            )) + &if own.unassigned_kt.abs() > 0.05 {
                esc(&lang.fill(Msg::OwnUnassigned, &[("kt", &kt(own.unassigned_kt, lang))]))
            } else {
                String::new()
            }
        );
    }
    if mine.is_empty() {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            esc(&lang.fill(
                Msg::SameMeasures,
                &[("reference", &data.meta.scenario_name(&reference, lang))]
            ))
        );
        return;
    }
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        lang.t(Msg::ColMeasure),
        lang.t(Msg::ColOwner),
        lang.t(Msg::ColPillar),
        esc(&lang.fill(Msg::ColContribution, &[("year", &year)])),
        lang.t(Msg::ColMeasureAnnualCost),
    );
    for r in &mine {
        let name = if r.measure == RESIDUAL {
            lang.t(Msg::OtherSettings).to_string()
        } else if r.measure.is_empty() {
            lang.pillar(r.pillar).to_string()
        } else {
            data.meta
                .measure_of(&sc.name, &reference, &r.measure)
                .map_or(r.measure.clone(), |m| {
                    lang.pick(&m.name, m.name_fi.as_deref()).to_string()
                })
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&name),
            r.owner.map_or("–", |o| lang.owner(o)),
            esc(lang.pillar(r.pillar)),
            kt(r.kt, lang),
            r.annual_cost_meur
                .map_or("–".to_string(), |c| lang.fixed(c, 2))
        );
    }
    let cost: f64 = mine.iter().filter_map(|r| r.annual_cost_meur).sum();
    let _ = writeln!(
        out,
        "<tr><th>{}</th><th></th><th></th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr>\n</tbody>\n</table>",
        lang.t(Msg::Total),
        kt(gap, lang),
        lang.fixed(cost, 2)
    );
}

/// The projection years of the inventory table: every fifth year after the base year up to
/// the target year (and the target year itself).
fn projection_years(data: &ChartData) -> Vec<i32> {
    let (base, target) = (data.meta.base_year, data.meta.target.year);
    let mut years: Vec<i32> = (base + 1..=target)
        .filter(|y| y % 5 == 0 && target - y < 15)
        .collect();
    if !years.contains(&target) && target > base {
        years.push(target);
    }
    years.retain(|y| data.year_index(*y).is_some());
    years
}

/// The inventory as a sector × year table, with the projection of the first scenario (the
/// reference of the difference view when it is run) in the years after the base year.
fn inventory_table(out: &mut String, data: &ChartData, lang: Lang) {
    let meta = &data.meta;
    let mut years: Vec<i32> = meta.history.iter().map(|h| h.year).collect();
    years.sort_unstable();
    years.dedup();
    let mut sectors: Vec<&str> = meta
        .history
        .iter()
        .map(|h| h.sector.as_str())
        .filter(|s| *s != "Total")
        .collect();
    sectors.sort_unstable();
    sectors.dedup();
    sectors.push("Total");
    let reference = data
        .difference
        .iter()
        .flatten()
        .next()
        .map(|r| r.reference.as_str());
    let projected = reference
        .and_then(|r| data.scenarios.iter().find(|s| s.name == r))
        .or(data.scenarios.first());
    let proj_years: Vec<i32> = if projected.is_some() {
        projection_years(data)
    } else {
        Vec::new()
    };
    if let Some(sc) = projected {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            esc(&lang.fill(
                Msg::InventoryNote,
                &[
                    ("scenario", &meta.scenario_name(&sc.name, lang)),
                    ("base", &(meta.base_year + 1))
                ]
            ))
        );
    }
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th>",
        lang.t(Msg::ColSector)
    );
    for y in &years {
        let _ = write!(out, "<th class=\"num\">{y}</th>");
    }
    for y in &proj_years {
        let _ = write!(out, "<th class=\"num\">{y}*</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let n = data.years.len();
    for sector in &sectors {
        let label = if *sector == "Total" {
            lang.t(Msg::Total).to_string()
        } else {
            lang.pick(sector, meta.finnish(sector)).replace('|', " › ")
        };
        let total = *sector == "Total";
        let _ = write!(
            out,
            "<tr><t{c}>{}</t{c}>",
            esc(&label),
            c = if total { 'h' } else { 'd' }
        );
        for y in &years {
            let cell = meta
                .history
                .iter()
                .find(|h| h.year == *y && h.sector == *sector);
            match cell {
                Some(h) => {
                    // the tooltip: the provenance as written (English), or its class in
                    // words in Finnish
                    let title = match lang {
                        Lang::En => h.provenance.clone(),
                        Lang::Fi => {
                            class_words(&super::metadata::provenance_class(&h.provenance), lang)
                                .to_string()
                        }
                    };
                    let _ = write!(
                        out,
                        "<td class=\"num\" title=\"{}\">{}</td>",
                        esc(&title),
                        kt(h.kt, lang)
                    );
                }
                None => out.push_str("<td class=\"num\">–</td>"),
            }
        }
        if let Some(sc) = projected {
            let var = if total {
                crate::model::variables::GROSS.to_string()
            } else {
                format!("{}|{sector}", crate::model::variables::GROSS)
            };
            let values = sc.vars.get(&var).map(|_| sc.values(&var, n));
            for y in &proj_years {
                match (&values, data.year_index(*y)) {
                    (Some(v), Some(i)) => {
                        let _ = write!(out, "<td class=\"num\">{}</td>", kt(v[i], lang));
                    }
                    _ => out.push_str("<td class=\"num\">–</td>"),
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// A provenance class in words.
fn class_words(class: &str, lang: Lang) -> &'static str {
    lang.t(match class {
        "sourced" => Msg::ClassSourced,
        "derived" => Msg::ClassDerived,
        "calibrated" => Msg::ClassCalibrated,
        "derived/estimated" => Msg::ClassDerivedEstimated,
        _ => Msg::ClassEstimated,
    })
}

/// The provenance appendix generated from the data, in `lang`: every emission source with its
/// sector and the class of its numbers (the Finnish report shows this instead of the English
/// prose of `SOURCES.md`, which stays the reference for the derivations).
fn provenance_from_data(out: &mut String, data: &ChartData, lang: Lang) {
    let meta = &data.meta;
    let _ = writeln!(
        out,
        "<p>{}</p>\n<p>{}</p>",
        esc(&lang.fill(
            Msg::ProvenanceIntro,
            &[
                ("region", &meta.region),
                ("code", &meta.code),
                ("base", &meta.base_year)
            ]
        )),
        esc(lang.t(Msg::ProvenanceClasses))
    );
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        lang.t(Msg::ColSource),
        lang.t(Msg::ColSector),
        lang.t(Msg::ColClass)
    );
    for s in &meta.sources {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(lang.pick(&s.name, s.name_fi.as_deref())),
            esc(&lang
                .pick(&s.sector, meta.finnish(&s.sector))
                .replace('|', " › ")),
            class_words(&s.class, lang)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The report in `lang`; `svgs` are (chart stem, SVG bytes) in chart order.
pub(super) fn html(data: &ChartData, svgs: &[(String, &[u8])], lang: Lang) -> String {
    let meta = &data.meta;
    let t = &meta.target;
    let mut out = String::new();
    let title = lang.fill(Msg::ReportTitle, &[("region", &meta.region)]);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        lang.code(),
        esc(&title),
        esc(&title)
    );
    let mut target = lang.fill(Msg::ReportLeadTarget, &[("year", &t.year)]);
    if let (Some(l), Some(f)) = (t.gross_limit_kt, t.max_gross_fraction) {
        target.push_str(&lang.fill(
            Msg::ReportGrossTarget,
            &[
                ("limit", &lang.thousands(l)),
                ("pct", &lang.thousands(((1.0 - f) * 100.0).round())),
                ("reference_kt", &lang.thousands(t.reference_kt)),
                ("reference", &t.reference_year),
            ],
        ));
        if t.net_zero {
            target.push_str(lang.t(Msg::ReportAnd));
        }
    }
    if t.net_zero {
        target.push_str(lang.t(Msg::ReportNetTarget));
    }
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} ({}) · {} {}–{} · {}.</p>",
        esc(&meta.region),
        esc(&meta.code),
        lang.t(Msg::ReportYears),
        meta.base_year,
        meta.end_year,
        esc(&target)
    );

    let _ = write!(
        out,
        "<nav><h2>{}</h2><ul>\n<li><a href=\"#summary\">{}</a></li>\n<li><a href=\"#all\">{}</a></li>\n",
        lang.t(Msg::Contents),
        lang.t(Msg::Summary),
        lang.t(Msg::AllScenarios)
    );
    plan::nav(&mut out, data, lang);
    for sc in &data.scenarios {
        let _ = writeln!(
            out,
            "<li><a href=\"#scenario-{}\">{}</a></li>",
            esc(&sc.name),
            esc(&lang.fill(
                Msg::ScenarioHeading,
                &[("name", &meta.scenario_name(&sc.name, lang))]
            ))
        );
    }
    let _ = write!(
        out,
        "<li><a href=\"#history\">{}</a></li>\n<li><a href=\"#provenance\">{}</a></li>\n</ul></nav>\n",
        lang.t(Msg::Inventory),
        lang.t(Msg::Provenance)
    );

    let _ = writeln!(
        out,
        "<section id=\"summary\">\n<h2>{}</h2>",
        lang.t(Msg::Summary)
    );
    summary_table(&mut out, data, lang);
    let _ = writeln!(
        out,
        "</section>\n<section id=\"all\">\n<h2>{}</h2>",
        lang.t(Msg::AllScenarios)
    );
    figure(&mut out, svgs, "net_all", lang.t(Msg::CapNetAll));
    out.push_str("</section>\n");
    plan::section(&mut out, data, svgs, lang);
    let helpers = super::report_track::Html {
        esc,
        kt,
        svg_is_inert,
    };
    super::report_track::section(&mut out, data, lang, &helpers);

    for sc in &data.scenarios {
        let n = esc(&sc.name);
        let _ = writeln!(
            out,
            "<section id=\"scenario-{n}\">\n<h2>{}</h2>",
            esc(&lang.fill(
                Msg::ScenarioHeading,
                &[("name", &meta.scenario_name(&sc.name, lang))]
            ))
        );
        let description = lang.pick(&sc.meta.description, sc.meta.description_fi.as_deref());
        if !description.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", esc(description));
        }
        if let Some(p) = &sc.meta.extends {
            let link = format!(
                "<a href=\"#scenario-{}\">{}</a>",
                esc(p),
                esc(&meta.scenario_name(p, lang))
            );
            let _ = writeln!(
                out,
                "<p>{}</p>",
                esc(lang.t(Msg::BuildsOn)).replace("{parent}", &link)
            );
        }
        let name = &sc.name;
        let reference = data
            .difference
            .iter()
            .flatten()
            .find(|r| &r.scenario == name)
            .map(|r| r.reference.clone())
            .unwrap_or_default();
        for (stem, caption) in [
            (
                format!("emissions_{name}"),
                lang.t(Msg::CapEmissions).to_string(),
            ),
            (format!("energy_{name}"), lang.t(Msg::CapEnergy).to_string()),
            (format!("wedges_{name}"), lang.t(Msg::CapWedges).to_string()),
            (
                format!("difference_{name}"),
                lang.fill(
                    Msg::CapDifference,
                    &[("reference", &meta.scenario_name(&reference, lang))],
                ),
            ),
            (format!("macc_{name}"), lang.t(Msg::CapMacc).to_string()),
            (format!("batch_{name}"), lang.t(Msg::CapBatch).to_string()),
            (
                format!("sensitivity_{name}"),
                lang.t(Msg::CapSensitivity).to_string(),
            ),
            (format!("morris_{name}"), lang.t(Msg::CapMorris).to_string()),
            (
                format!("discovery_{name}"),
                lang.t(Msg::CapDiscovery).to_string(),
            ),
        ] {
            figure(&mut out, svgs, &stem, &caption);
        }
        difference_table(&mut out, data, sc, lang);
        let _ = writeln!(out, "<h3>{}</h3>", lang.t(Msg::Measures));
        measures_table(&mut out, data, sc, lang);
        out.push_str("</section>\n");
    }

    let _ = writeln!(
        out,
        "<section id=\"history\">\n<h2>{}</h2>",
        lang.t(Msg::Inventory)
    );
    if meta.history.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", lang.t(Msg::NoInventory));
    } else {
        inventory_table(&mut out, data, lang);
    }
    let _ = writeln!(
        out,
        "</section>\n<section id=\"provenance\" class=\"provenance\">\n<h2>{}</h2>",
        lang.t(Msg::Provenance)
    );
    match &meta.sources_md {
        // in Finnish, the appendix is generated from the data: SOURCES.md is English prose
        _ if lang == Lang::Fi && !meta.sources.is_empty() => {
            provenance_from_data(&mut out, data, lang);
        }
        Some(md) => out.push_str(&markdown(md)),
        None => {
            let _ = writeln!(out, "<p>{}</p>", lang.t(Msg::NoSources));
        }
    }
    let _ = write!(
        out,
        "</section>\n<footer>{}</footer>\n</main>\n</body>\n</html>\n",
        esc(&lang.fill(Msg::Footer, &[("version", &env!("CARGO_PKG_VERSION"))]))
    );
    // every table (also those of SOURCES.md) scrolls sideways on its own, never the page
    out.replace("<table>", "<div class=\"wide\"><table>")
        .replace("</table>", "</table></div>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_tables_and_neutralises_html_and_images() {
        let h = markdown(
            "# Sources\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>x</script>\n\n![logo](http://example.org/x.png)\n",
        );
        assert!(h.contains("<h1>Sources</h1>"), "{h}");
        assert!(h.contains("<table>"), "{h}");
        assert!(!h.contains("<script>"), "{h}");
        assert!(!h.contains("<img"), "{h}");
    }

    #[test]
    fn links_keep_only_http_https_and_relative_targets() {
        let h = markdown(
            "[a](javascript:alert(1)) [b](https://syke.fi/x) [c](JaVa\tScRiPt:x) \
             [d](data:text/html,x) [e](#history) [f](docs/model.md) <javascript:alert(2)> \
             [g][r]\n\n[r]: vbscript:x\n",
        );
        assert!(!h.to_ascii_lowercase().contains("href=\"javascript"), "{h}");
        assert!(!h.contains("href=\"data:"), "{h}");
        assert!(!h.contains("vbscript"), "{h}");
        assert!(h.contains("<a href=\"https://syke.fi/x\">b</a>"), "{h}");
        assert!(h.contains("<a href=\"#history\">e</a>"), "{h}");
        assert!(h.contains("<a href=\"docs/model.md\">f</a>"), "{h}");
        // the text of a refused link stays
        assert!(h.contains(">a<") || h.contains("a "), "{h}");
        for bad in [
            "javascript:x",
            " javascript:x",
            "java\nscript:x",
            "data:x",
            "file:///etc",
        ] {
            assert!(!link_allowed(bad), "{bad}");
        }
        for good in [
            "http://x",
            "HTTPS://x",
            "#a",
            "a/b.md",
            "?q=1",
            "a:b/c".split(':').next().unwrap(),
        ] {
            assert!(link_allowed(good), "{good}");
        }
    }

    #[test]
    fn only_plain_drawing_svgs_are_inert() {
        let plain = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n\
            <rect x=\"0\" y=\"0\" width=\"1\" height=\"1\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\n\
            <text x=\"1\" y=\"2\" dy=\"0.76em\" text-anchor=\"start\" font-family=\"sans-serif\" font-size=\"9\" opacity=\"1\" fill=\"#000000\">a &lt; b</text>\n</svg>\n";
        assert!(svg_is_inert(plain));
        assert!(svg_is_inert(&format!("<?xml version=\"1.0\"?>\n{plain}")));
        for bad in [
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=\"alert(1)\"></svg>",
            "<svg><a href=\"javascript:x\"><text>t</text></a></svg>",
            "<svg><rect fill=\"url(javascript:x)\"/></svg>",
            "<svg><!-- x --></svg>",
            "<svg><foreignObject></foreignObject></svg>",
            "<svg><rect x=1/></svg>",
            "<svg><rect x=\"1\"/></svg><script>x</script>",
            "<svg><style>*{}</style></svg>",
            "<SCRIPT>x</SCRIPT>",
        ] {
            assert!(!svg_is_inert(bad), "{bad}");
        }
    }

    #[test]
    fn table_numbers_round_to_one_decimal_below_100() {
        assert_eq!(kt(-56.58, Lang::En), "−56.6");
        assert_eq!(kt(613.6, Lang::En), "614");
        assert_eq!(kt(1707.3, Lang::En), "1 707");
        // Finnish: decimal comma, no-break space between thousands
        assert_eq!(kt(-56.58, Lang::Fi), "−56,6");
        assert_eq!(kt(1707.3, Lang::Fi), "1\u{a0}707");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
