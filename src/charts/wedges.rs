//! Per scenario: wedges from the no-measure counterfactual down to the scenario's net
//! emissions, by pillar (from `wedges.csv`: Σ kt of the pillar's measures per year); the
//! region's own measures (its council and municipalities) next to the net line, the state's and
//! the EU's pale above them.

use crate::i18n::Msg;
use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Ctx;
use super::load::ScenarioData;
use super::style::{
    DrawResult, Entry, INK, band, fill, frame, legend, line, padded, pillar_color, time_axes,
};
use crate::model::variables::NET;
use crate::scenario::Pillar;

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    ctx: &Ctx,
    sc: &ScenarioData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let data = ctx.data;
    let n = data.years.len();
    let xs = ctx.xs();
    let net = sc.values(NET, n);
    // (pillar, the region's own?) → kt per year of the results
    let mut by_pillar: BTreeMap<(Pillar, bool), Vec<f64>> = BTreeMap::new();
    for r in data
        .wedges
        .iter()
        .flatten()
        .filter(|r| r.scenario == sc.name)
    {
        if let Some(i) = data.year_index(r.year) {
            let own = super::own_measure(sc, &r.measure);
            by_pillar
                .entry((r.pillar, own))
                .or_insert_with(|| vec![0.0; n])[i] += r.kt;
        }
    }
    // the region's own wedges next to its net line, the state's and the EU's above them
    let pillars: Vec<((Pillar, bool), Vec<f64>)> = [true, false]
        .into_iter()
        .flat_map(|own| Pillar::ALL.iter().map(move |p| (*p, own)))
        .filter_map(|k| by_pillar.remove(&k).map(|v| (k, v)))
        .collect();
    let own_kt = |i: usize| {
        pillars
            .iter()
            .filter(|((_, own), _)| *own)
            .map(|(_, v)| v[i])
            .sum::<f64>()
    };
    let shared = pillars.iter().any(|((_, own), _)| !own);
    let counterfactual: Vec<f64> = (0..n)
        .map(|i| net[i] + pillars.iter().map(|(_, v)| v[i]).sum::<f64>())
        .collect();
    let mut lo = 0.0f64;
    let mut hi = 0.0f64;
    let mut cum = net.clone();
    for v in net.iter().chain(&counterfactual) {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    for (_, v) in &pillars {
        for i in 0..n {
            cum[i] += v[i];
            lo = lo.min(cum[i]);
            hi = hi.max(cum[i]);
        }
    }
    let (y0, y1) = padded(lo, hi);
    let target_i = data.year_index(data.meta.target.year);
    let subtitle = match target_i {
        Some(i) => format!(
            "{}{}",
            st.fill(
                Msg::WedgesSubtitle,
                &[
                    ("year", &data.meta.target.year),
                    ("kt", &st.num(counterfactual[i] - net[i])),
                ],
            ),
            if shared {
                st.fill(Msg::WedgesOwnShare, &[("kt", &st.num(own_kt(i)))])
            } else {
                String::new()
            }
        ),
        None => st.t(Msg::WedgesSubtitleShort).to_string(),
    };
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::WedgesTitle,
            &[
                ("region", &data.meta.region),
                ("scenario", &ctx.scenario_name(&sc.name)),
            ],
        ),
        &subtitle,
    )?;
    let (x0, x1) = (
        data.years.first().copied().unwrap_or(data.meta.base_year),
        data.years.last().copied().unwrap_or(data.meta.end_year),
    );
    let mut chart = time_axes(
        &f.plot,
        st,
        (x0, x1.max(x0 + 1)),
        (y0, y1),
        st.t(Msg::AxisNetKt),
    )?;
    chart.draw_series(LineSeries::new(
        [(f64::from(x0) - 0.5, 0.0), (f64::from(x1) + 0.5, 0.0)],
        line(INK, st.width(1.5)),
    ))?;
    let mut own_entries = Vec::new();
    let mut other_entries = Vec::new();
    let mut lower = net.clone();
    for ((p, own), v) in &pillars {
        let upper: Vec<f64> = lower.iter().zip(v).map(|(a, b)| a + b).collect();
        // the state's and the EU's wedges pale, the region's own in full colour
        let c = pillar_color(*p).mix(if *own { 0.85 } else { 0.3 });
        chart.draw_series(std::iter::once(band(&xs, &upper, &lower, fill(c))))?;
        if *own {
            own_entries.push(Entry::area(st.lang.pillar(*p), c));
        } else {
            other_entries.push(Entry::area(st.lang.pillar(*p), c));
        }
        lower = upper;
    }
    // the top of the stack is listed first, as it is drawn
    let mut entries = Vec::new();
    if shared {
        entries.push(Entry::heading(st.t(Msg::ReductionStateEu)));
        entries.extend(other_entries.into_iter().rev());
        entries.push(Entry::heading(st.t(Msg::ReductionOwn)));
    } else {
        entries.push(Entry::heading(st.t(Msg::ReductionByPillar)));
    }
    entries.extend(own_entries.into_iter().rev());
    chart.draw_series(DashedLineSeries::new(
        xs.iter().copied().zip(counterfactual.iter().copied()),
        st.px(12.0),
        st.px(7.0),
        line(INK, st.width(2.5)),
    ))?;
    chart.draw_series(LineSeries::new(
        xs.iter().copied().zip(net.iter().copied()),
        line(INK, st.width(3.5)),
    ))?;
    entries.push(Entry::heading(st.t(Msg::NetEmissions)));
    entries.push(Entry::dashed(
        st.t(Msg::WithoutMeasures),
        INK,
        st.width(2.5),
    ));
    entries.push(Entry::line(
        st.fill(
            Msg::ScenarioNamed,
            &[("name", &ctx.scenario_name(&sc.name))],
        ),
        INK,
        st.width(3.5),
    ));
    entries.push(Entry::line(st.t(Msg::NetZero), INK, st.width(1.5)));
    legend(&f.legend, st, &entries)
}
