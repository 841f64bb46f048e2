//! Per scenario: the marginal abatement cost curve from `macc.csv` — one bar per measure, width =
//! abatement (kt CO2e/yr), height = cost (€/t CO2e), sorted by cost, coloured by pillar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use super::load::{MaccRow, ScenarioData};
use super::style::{
    DrawResult, Entry, INK, PILLARS, ValueAxes, fill, frame, legend, line, padded, pillar_color,
    pillar_label, thousands, value_axes,
};

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
        &format!("{}: abatement cost curve — {}", data.meta.region, sc.name),
        &format!(
            "Measures sorted by cost · bar width = abatement in {year}, total {} kt CO2e per year",
            thousands(total)
        ),
    )?;
    let x1 = if total > 0.0 { total * 1.02 } else { 1.0 };
    let mut chart = value_axes(
        &f.plot,
        st,
        ValueAxes {
            x: (0.0, x1),
            y: (y0, y1),
            x_desc: format!("Cumulative abatement in {year} (kt CO2e per year)"),
            y_desc: "Cost (€ per t CO2e)",
            x_ticks: super::style::nice_ticks(0.0, x1, 10),
            x_fmt: &|v| thousands(*v),
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
            fill(pillar_color(&r.pillar)),
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
    // measure names where the bar is wide enough
    let font = st.note_font();
    let mut labels = Vec::new();
    for (a, b, r) in &bars {
        let (pa, _) = chart.backend_coord(&(*a, 0.0));
        let (pb, _) = chart.backend_coord(&(*b, 0.0));
        let label = if r.name.is_empty() {
            &r.measure
        } else {
            &r.name
        };
        let fits = chart
            .plotting_area()
            .estimate_text_size(label, &font)
            .is_ok_and(|(w, _)| (w as i32) < pb - pa - st.px(4.0));
        if !fits {
            continue;
        }
        let up = r.cost_eur_per_t >= 0.0;
        let pos = if up {
            Pos::new(HPos::Center, VPos::Bottom)
        } else {
            Pos::new(HPos::Center, VPos::Top)
        };
        labels.push(Text::new(
            label.clone(),
            ((a + b) / 2.0, r.cost_eur_per_t),
            font.clone().color(&INK).pos(pos),
        ));
    }
    chart.draw_series(labels)?;
    let mut entries = vec![Entry::heading("Pillar")];
    for p in PILLARS {
        if rows.iter().any(|r| r.pillar == p) {
            entries.push(Entry::area(pillar_label(p), pillar_color(p)));
        }
    }
    legend(&f.legend, st, &entries)
}
