//! Per scenario: the marginal abatement cost curve from `macc.csv` — one bar per measure, width =
//! abatement (kt CO2e/yr), height = cost (€/t CO2e), sorted by cost, coloured by pillar.

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use super::load::{MaccRow, ScenarioData};
use super::style::{
    DrawResult, Entry, INK, ValueAxes, fill, frame, legend, line, padded, pillar_color, value_axes,
};
use crate::scenario::Pillar;

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    ctx: &Ctx,
    sc: &ScenarioData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let data = ctx.data;
    let mut rows: Vec<&MaccRow> = data
        .macc
        .iter()
        .flatten()
        .filter(|r| r.scenario == sc.name && r.abatement_kt > 0.0)
        .collect();
    rows.sort_by(|a, b| {
        a.cost_eur_per_t
            .total_cmp(&b.cost_eur_per_t)
            .then_with(|| a.measure.cmp(&b.measure))
    });
    let total: f64 = rows.iter().map(|r| r.abatement_kt).sum();
    let year = rows
        .first()
        .map_or(data.meta.target.year, |r| r.target_year);
    let (lo, hi) = rows.iter().fold((0.0f64, 0.0f64), |(l, h), r| {
        (l.min(r.cost_eur_per_t), h.max(r.cost_eur_per_t))
    });
    let (y0, y1) = padded(lo, hi);
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::MaccTitle,
            &[
                ("region", &data.meta.region),
                ("scenario", &ctx.scenario_name(&sc.name)),
            ],
        ),
        &st.fill(
            Msg::MaccSubtitle,
            &[
                ("year", &year),
                ("kt", &st.num(total)),
                ("meur", &st.num(data.annual_cost_meur(&sc.name))),
            ],
        ),
    )?;
    let x1 = if total > 0.0 { total * 1.02 } else { 1.0 };
    let mut chart = value_axes(
        &f.plot,
        st,
        ValueAxes {
            x: (0.0, x1),
            y: (y0, y1),
            x_desc: st.fill(Msg::MaccX, &[("year", &year)]),
            y_desc: st.t(Msg::MaccY),
            x_ticks: super::style::nice_ticks(0.0, x1, 10),
            x_fmt: &|v| st.num(*v),
        },
    )?;
    let mut x = 0.0;
    let mut bars = Vec::new();
    for r in &rows {
        bars.push((x, x + r.abatement_kt, r));
        x += r.abatement_kt;
    }
    chart.draw_series(bars.iter().map(|(a, b, r)| {
        Rectangle::new(
            [(*a, 0.0), (*b, r.cost_eur_per_t)],
            fill(pillar_color(r.pillar)),
        )
    }))?;
    chart.draw_series(bars.iter().map(|(a, b, r)| {
        Rectangle::new(
            [(*a, 0.0), (*b, r.cost_eur_per_t)],
            line(WHITE, st.width(1.5)),
        )
    }))?;
    chart.draw_series(LineSeries::new(
        [(0.0, 0.0), (x1, 0.0)],
        line(INK, st.width(1.5)),
    ))?;
    // measure names, read upwards inside each bar wide enough for a line of text (or beside its
    // end when the bar is too short), shortened with "…" to the room there is
    let font = st.note_font();
    let ink = font.clone().color(&INK);
    let line_h = chart
        .plotting_area()
        .estimate_text_size("Hg", &font)
        .map_or(st.px(17.0), |(_, h)| h as i32);
    let (top, bottom) = {
        let (_, t) = chart.backend_coord(&(0.0, y1));
        let (_, b) = chart.backend_coord(&(0.0, y0));
        (t, b)
    };
    let (_, zero) = chart.backend_coord(&(0.0, 0.0));
    for (a, b, r) in &bars {
        let (pa, _) = chart.backend_coord(&(*a, 0.0));
        let (pb, _) = chart.backend_coord(&(*b, 0.0));
        if pb - pa < line_h + st.px(2.0) {
            continue;
        }
        let name = &match sc.meta.measures.iter().find(|m| m.id == r.measure) {
            Some(m) => ctx.measure_name(m),
            None if r.name.is_empty() => r.measure.clone(),
            None => r.name.clone(),
        };
        let (_, end) = chart.backend_coord(&(0.0, r.cost_eur_per_t));
        let pad = st.px(6.0);
        let up = r.cost_eur_per_t >= 0.0;
        // inside the bar when it is tall enough for the whole name, else beyond its end
        let inside = (zero - end).abs() - 2 * pad;
        let width = |t: &str| {
            chart
                .plotting_area()
                .estimate_text_size(t, &font)
                .map_or(i32::MAX, |(w, _)| w as i32)
        };
        let full = width(name);
        let (start, room) = if full <= inside {
            (if up { zero - pad } else { zero + pad }, inside)
        } else if up {
            (end - pad, end - top - pad)
        } else {
            (end + pad, bottom - end - pad)
        };
        let Some(text) = shorten(name, room, width) else {
            continue;
        };
        let x = (pa + pb) / 2;
        let style = ink
            .clone()
            .transform(if up {
                FontTransform::Rotate270
            } else {
                FontTransform::Rotate90
            })
            .pos(Pos::new(HPos::Left, VPos::Center));
        let (bx, by) = root.get_base_pixel();
        root.draw_text(&text, &style, (x - bx, start - by))?;
    }
    let mut entries = vec![Entry::heading(st.t(Msg::Pillar))];
    for p in Pillar::ALL {
        if rows.iter().any(|r| r.pillar == p) {
            entries.push(Entry::area(st.lang.pillar(p), pillar_color(p)));
        }
    }
    legend(&f.legend, st, &entries)
}

/// `name`, or its longest prefix ending in "…", that is at most `room` wide; None when not even
/// one character fits.
fn shorten(name: &str, room: i32, width: impl Fn(&str) -> i32) -> Option<String> {
    if width(name) <= room {
        return Some(name.to_string());
    }
    let chars: Vec<char> = name.chars().collect();
    (1..chars.len())
        .rev()
        .map(|n| format!("{}…", chars[..n].iter().collect::<String>().trim_end()))
        .find(|t| width(t) <= room)
}
