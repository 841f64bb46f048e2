//! `report.html`: one self-contained file — summary table, every chart as inline SVG, each
//! scenario's description and measures, the inventory and the data provenance. No scripts, no
//! external styles, fonts or images: it opens offline.

use std::fmt::Write;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::load::{ChartData, ScenarioData};
use super::style::{percent, pillar_label, thousands};

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
nav ul { columns: 2; padding-left: 1.2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92rem; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.met { color: var(--met); font-weight: bold; white-space: nowrap; }
.missed { color: var(--missed); font-weight: bold; white-space: nowrap; }
figure { margin: 1.4em 0; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 4px; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; vertical-align: -0.05em; }
.provenance pre { white-space: pre-wrap; background: #f7f7f7; padding: 8px; }
.provenance code { background: #f3f3f3; padding: 0 3px; }
footer { color: var(--muted); font-size: 0.85rem; margin-top: 3em; }
";

/// kt for tables: whole numbers from 100 up, one decimal below (`614`, `−56.6`).
fn kt(v: f64) -> String {
    if v.abs() >= 100.0 {
        thousands(v)
    } else {
        thousands((v * 10.0).round() / 10.0)
    }
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "<span class=\"met\">✓ met</span>".into(),
        Some(false) => "<span class=\"missed\">✗ missed</span>".into(),
        None => "–".into(),
    }
}

fn figure(out: &mut String, svgs: &[(String, &[u8])], stem: &str, caption: &str) {
    let Some((_, bytes)) = svgs.iter().find(|(s, _)| s == stem) else {
        return;
    };
    let svg = String::from_utf8_lossy(bytes);
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
        esc(caption)
    );
}

fn markdown(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    // raw HTML is shown as text, and images become their alt text: nothing may load
    let events = parser.filter_map(|e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Some(Event::Text(s)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        e => Some(e),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn summary_table(out: &mut String, data: &ChartData) {
    let t = &data.meta.target;
    out.push_str("<table>\n<thead><tr><th>Scenario</th><th>Target met?</th>");
    let _ = write!(
        out,
        "<th>Carbon neutral from</th><th class=\"num\">Gross {y} (kt)</th>\
         <th class=\"num\">Removals {y} (kt)</th><th class=\"num\">Net {y} (kt)</th>\
         <th class=\"num\">Gross vs {r}</th><th>Gross ≤ limit</th><th>Net ≤ 0</th>",
        y = t.year,
        r = t.reference_year
    );
    for m in &data.meta.milestones {
        let _ = write!(
            out,
            "<th>Milestone {} (gross ≤ {} kt)</th>",
            m.year,
            thousands(m.gross_limit_kt)
        );
    }
    let batch = !data.batch_summary.is_empty();
    if batch {
        let _ = write!(
            out,
            "<th class=\"num\">P(target met)</th><th class=\"num\">Net {} (kt), 5–95 %</th>",
            t.year
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for sc in &data.scenarios {
        let Some(s) = &sc.summary else {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td colspan=\"8\">no summary</td></tr>",
                esc(&sc.name)
            );
            continue;
        };
        let _ = write!(
            out,
            "<tr><td><a href=\"#scenario-{n}\">{n}</a></td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td>",
            yes_no(Some(s.target_met)),
            s.neutrality_year
                .map_or("never (by the end year)".to_string(), |y| y.to_string()),
            kt(s.gross_kt),
            kt(s.removals_kt),
            kt(s.net_kt),
            percent(-s.reduction_vs_reference),
            yes_no(s.gross_met),
            yes_no(s.net_zero_met),
            n = esc(&sc.name),
        );
        for i in 0..data.meta.milestones.len() {
            let _ = write!(
                out,
                "<td>{}</td>",
                yes_no(s.milestones.get(i).copied().flatten())
            );
        }
        if batch {
            match data.batch_summary.get(&sc.name) {
                Some(b) => {
                    let _ = write!(
                        out,
                        "<td class=\"num\">{}</td><td class=\"num\">{} to {}</td>",
                        percent(b.p_target_met),
                        kt(b.net_kt_p5),
                        kt(b.net_kt_p95)
                    );
                }
                None => out.push_str("<td>–</td><td>–</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    accounting_note(out, data);
}

/// The accounting basis, what it leaves out, and the unallocated share of the base year.
fn accounting_note(out: &mut String, data: &ChartData) {
    let meta = &data.meta;
    let mut note = format!(
        "Accounting: {}; removals at EU emissions-trading installations {}.",
        esc(meta.accounting.as_deref().unwrap_or("as the data")),
        if meta.count_ets_removals {
            "are counted"
        } else {
            "are not counted"
        }
    );
    for sc in &data.scenarios {
        for e in &sc.meta.excluded {
            let _ = write!(
                note,
                " Left out of {}: {} ({}).",
                esc(&sc.name),
                esc(&e.name),
                esc(&e.id)
            );
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
        let _ = write!(
            note,
            " Of the {} inventory, {} kt ({}) is an unallocated residual that no measure acts on.",
            meta.base_year,
            kt(u),
            percent(u / total)
        );
    }
    let _ = writeln!(out, "<p>{note}</p>");
}

fn measures_table(out: &mut String, sc: &ScenarioData) {
    if sc.meta.measures.is_empty() {
        out.push_str("<p>No measures: this scenario follows the data's trends only.</p>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Measure</th><th>Pillar</th><th>Kind</th><th>Targets</th>\
         <th class=\"num\">Central value</th><th>Adoption</th><th class=\"num\">Cost (€/t)</th>\
         </tr></thead>\n<tbody>\n",
    );
    for m in &sc.meta.measures {
        let value = if m.kind == "removal" {
            format!("{} kt/yr", thousands(m.value))
        } else {
            percent(m.value)
        };
        let color = super::style::pillar_color(&m.pillar);
        let _ = writeln!(
            out,
            "<tr><td><strong>{}</strong> <code>{}</code><br>{}</td>\
             <td><span class=\"swatch\" style=\"background:#{:02x}{:02x}{:02x}\"></span>{}</td>\
             <td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(&m.name),
            esc(&m.id),
            esc(&m.description),
            color.0,
            color.1,
            color.2,
            esc(&pillar_label(&m.pillar)),
            esc(&m.kind.replace('_', " ")),
            esc(&m.targets.join(", ")),
            value,
            esc(&m.adoption),
            m.cost_eur_per_t.map_or("–".to_string(), thousands),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The report; `svgs` are (chart stem, SVG bytes) in chart order.
pub(super) fn html(data: &ChartData, svgs: &[(String, &[u8])]) -> String {
    let meta = &data.meta;
    let t = &meta.target;
    let mut out = String::new();
    let title = format!("{}: carbon-neutrality scenarios", meta.region);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let mut target = format!("Target {}: ", t.year);
    if let (Some(l), Some(f)) = (t.gross_limit_kt, t.max_gross_fraction) {
        let _ = write!(
            target,
            "gross emissions at most {} kt CO2e (−{:.0} % from {} kt in {})",
            thousands(l),
            (1.0 - f) * 100.0,
            thousands(t.reference_kt),
            t.reference_year
        );
        if t.net_zero {
            target.push_str(" and ");
        }
    }
    if t.net_zero {
        target.push_str("net emissions (gross − removals) at most zero");
    }
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} ({}) · years {}–{} · {}.</p>",
        esc(&meta.region),
        esc(&meta.code),
        meta.base_year,
        meta.end_year,
        esc(&target)
    );

    out.push_str("<nav><h2>Contents</h2><ul>\n<li><a href=\"#summary\">Summary</a></li>\n<li><a href=\"#all\">All scenarios</a></li>\n");
    for sc in &data.scenarios {
        let _ = writeln!(
            out,
            "<li><a href=\"#scenario-{n}\">Scenario {n}</a></li>",
            n = esc(&sc.name)
        );
    }
    out.push_str("<li><a href=\"#history\">Inventory</a></li>\n<li><a href=\"#provenance\">Data provenance</a></li>\n</ul></nav>\n");

    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    summary_table(&mut out, data);
    out.push_str("</section>\n<section id=\"all\">\n<h2>All scenarios</h2>\n");
    figure(
        &mut out,
        svgs,
        "net_all",
        "Net emissions of every scenario with the inventory and the target",
    );
    out.push_str("</section>\n");

    for sc in &data.scenarios {
        let n = esc(&sc.name);
        let _ = writeln!(out, "<section id=\"scenario-{n}\">\n<h2>Scenario {n}</h2>");
        if !sc.meta.description.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", esc(&sc.meta.description));
        }
        if let Some(p) = &sc.meta.extends {
            let _ = writeln!(
                out,
                "<p>Builds on <a href=\"#scenario-{p}\">{p}</a>: its measures are included below.</p>",
                p = esc(p)
            );
        }
        let name = &sc.name;
        for (stem, caption) in [
            (
                format!("emissions_{name}"),
                "Gross emissions by sector, removals, net emissions, inventory and target",
            ),
            (format!("energy_{name}"), "Final energy by carrier"),
            (
                format!("wedges_{name}"),
                "Reductions from the no-measure counterfactual, by pillar",
            ),
            (format!("macc_{name}"), "Marginal abatement cost curve"),
            (
                format!("batch_{name}"),
                "Batch: target-year net emissions and neutrality year",
            ),
            (
                format!("sensitivity_{name}"),
                "Sensitivity: Sobol indices of target-year net emissions",
            ),
            (
                format!("morris_{name}"),
                "Screening: Morris elementary effects of target-year net emissions (morris.csv)",
            ),
            (
                format!("discovery_{name}"),
                "Scenario discovery: PRIM peeling trajectory (the boxes are in discovery.csv)",
            ),
        ] {
            figure(&mut out, svgs, &stem, caption);
        }
        out.push_str("<h3>Measures</h3>\n");
        measures_table(&mut out, sc);
        out.push_str("</section>\n");
    }

    out.push_str("<section id=\"history\">\n<h2>Inventory</h2>\n");
    if meta.history.is_empty() {
        out.push_str("<p>The dataset has no historical inventory.</p>\n");
    } else {
        out.push_str("<table>\n<thead><tr><th>Year</th><th>Sector</th><th class=\"num\">kt CO2e</th><th>Provenance</th></tr></thead>\n<tbody>\n");
        for h in &meta.history {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                h.year,
                esc(&h.sector),
                kt(h.kt),
                esc(&h.provenance)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str(
        "</section>\n<section id=\"provenance\" class=\"provenance\">\n<h2>Data provenance</h2>\n",
    );
    match &meta.sources_md {
        Some(md) => out.push_str(&markdown(md)),
        None => out.push_str("<p>The dataset has no SOURCES.md.</p>\n"),
    }
    let _ = write!(
        out,
        "</section>\n<footer>Made with kymsim {}. Charts use the DejaVu Sans font (Bitstream Vera licence).</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
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
    fn table_numbers_round_to_one_decimal_below_100() {
        assert_eq!(kt(-56.58), "−56.6");
        assert_eq!(kt(613.6), "614");
        assert_eq!(kt(1707.3), "1 707");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
