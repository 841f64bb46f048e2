//! All scenarios: net emissions side by side with the target; with batch
//! results, each scenario's 5–95 % band and median (a fan chart).

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::Ctx;
use super::emissions::{draw_target, target_entries, time_range};
use super::style::{DrawResult, Entry, band, fill, frame, legend, line, padded, time_axes};
use crate::model::variables::NET;

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(ctx: &Ctx, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let st = &ctx.st;
    let data = ctx.data;
    let n = data.years.len();
    let xs = ctx.xs();
    let nets: Vec<(&str, Vec<f64>)> = data
        .scenarios
        .iter()
        .map(|s| (s.name.as_str(), s.values(NET, n)))
        .collect();
    let bands: Vec<(&str, &super::load::Band)> = data
        .scenarios
        .iter()
        .filter_map(|s| data.bands.get(&s.name).map(|b| (s.name.as_str(), b)))
        .collect();

    // net emissions only: the inventory's history is of gross emissions (the emissions charts
    // show it), so it is not drawn on a net axis here
    let (x0, x1) = time_range(ctx, false);
    let all = nets.iter().flat_map(|(_, v)| v.iter().copied()).chain(
        bands
            .iter()
            .flat_map(|(_, b)| b.p5.iter().chain(&b.p95).copied()),
    );
    let (lo, hi) = all.fold((0.0f64, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
    let (y0, y1) = padded(lo, hi);

    let subtitle = if bands.is_empty() {
        st.t(Msg::NetAllSubtitle).to_string()
    } else {
        st.t(Msg::NetAllSubtitleBatch).to_string()
    };
    let f = frame(
        root,
        st,
        &st.fill(Msg::NetAllTitle, &[("region", &data.meta.region)]),
        &subtitle,
    )?;
    let mut chart = time_axes(&f.plot, st, (x0, x1), (y0, y1), st.t(Msg::AxisNetKt))?;

    let mut entries = Vec::new();
    if !bands.is_empty() {
        for (name, b) in &bands {
            let c = ctx.scenarios.get(name);
            let bx: Vec<f64> = b.years.iter().map(|&y| f64::from(y)).collect();
            chart.draw_series(std::iter::once(band(&bx, &b.p95, &b.p5, fill(c.mix(0.16)))))?;
        }
    }
    draw_target(
        ctx,
        &mut chart,
        (f64::from(x0) - 0.5, f64::from(x1) + 0.5),
        (y0, y1),
        false,
    )?;
    entries.push(Entry::heading(st.t(Msg::ScenariosCentral)));
    for (name, v) in &nets {
        let c = ctx.scenarios.get(name);
        chart.draw_series(LineSeries::new(
            xs.iter().copied().zip(v.iter().copied()),
            line(c, st.width(3.5)),
        ))?;
        entries.push(Entry::line(ctx.scenario_name(name), c, st.width(3.5)));
    }
    if !bands.is_empty() {
        entries.push(Entry::heading(st.t(Msg::Batch)));
        for (name, b) in &bands {
            let c = ctx.scenarios.get(name);
            let bx: Vec<f64> = b.years.iter().map(|&y| f64::from(y)).collect();
            chart.draw_series(DashedLineSeries::new(
                bx.into_iter().zip(b.p50.iter().copied()),
                st.px(10.0),
                st.px(6.0),
                line(c, st.width(2.0)),
            ))?;
            entries.push(Entry::dashed(
                st.fill(Msg::Median, &[("name", &ctx.scenario_name(name))]),
                c,
                st.width(2.0),
            ));
            entries.push(Entry::area(
                st.fill(Msg::Range595, &[("name", &ctx.scenario_name(name))]),
                c.mix(0.16),
            ));
        }
    }
    entries.push(Entry::heading(st.t(Msg::LegendTarget)));
    entries.extend(target_entries(ctx, false));
    legend(&f.legend, st, &entries)
}
