//! Per scenario: final energy stacked by carrier, so electrification and fuel switches show.

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::Ctx;
use super::emissions::by_size;
use super::load::ScenarioData;
use super::style::{DrawResult, Entry, band, fill, frame, legend, line, padded, time_axes};

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    ctx: &Ctx,
    sc: &ScenarioData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let n = ctx.data.years.len();
    let xs = ctx.xs();
    let carriers = by_size(sc.energy_by_carrier().into_iter().collect());
    let total: Vec<f64> = (0..n)
        .map(|i| carriers.iter().map(|(_, v)| v[i]).sum())
        .collect();
    let hi = total.iter().copied().fold(0.0, f64::max);
    let (y0, y1) = padded(0.0, hi);

    let electric: Vec<f64> = (0..n)
        .map(|i| {
            carriers
                .iter()
                .filter(|(c, _)| c.to_lowercase().contains("electric"))
                .map(|(_, v)| v[i])
                .sum()
        })
        .collect();
    let share = |i: usize| {
        if total[i] > 0.0 {
            electric[i] / total[i]
        } else {
            0.0
        }
    };
    let subtitle = match (ctx.data.years.first(), ctx.data.years.last()) {
        (Some(a), Some(b)) if n > 0 => st.fill(
            Msg::EnergySubtitle,
            &[
                ("first", a),
                ("p_first", &st.pct(share(0))),
                ("last", b),
                ("p_last", &st.pct(share(n - 1))),
            ],
        ),
        _ => st.t(Msg::EnergySubtitleShort).to_string(),
    };
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::EnergyTitle,
            &[
                ("region", &ctx.data.meta.region),
                ("scenario", &ctx.scenario_name(&sc.name)),
            ],
        ),
        &subtitle,
    )?;
    let (x0, x1) = (
        ctx.data
            .years
            .first()
            .copied()
            .unwrap_or(ctx.data.meta.base_year),
        ctx.data
            .years
            .last()
            .copied()
            .unwrap_or(ctx.data.meta.end_year),
    );
    let mut chart = time_axes(
        &f.plot,
        st,
        (x0, x1.max(x0 + 1)),
        (y0, y1),
        st.t(Msg::AxisEnergy),
    )?;
    let mut cum = vec![0.0; n];
    let mut entries = Vec::new();
    for (name, v) in &carriers {
        let upper: Vec<f64> = cum.iter().zip(v).map(|(c, x)| c + x).collect();
        let c = ctx.carriers.get(name);
        chart.draw_series(std::iter::once(band(&xs, &upper, &cum, fill(c))))?;
        chart.draw_series(LineSeries::new(
            xs.iter().copied().zip(upper.iter().copied()),
            line(WHITE, st.width(1.0)),
        ))?;
        entries.push(Entry::area(ctx.name(name), c));
        cum = upper;
    }
    entries.push(Entry::heading(st.t(Msg::Carriers)));
    entries.reverse();
    legend(&f.legend, st, &entries)
}
