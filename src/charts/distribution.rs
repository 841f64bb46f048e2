//! Per scenario, from a batch: the distribution of target-year net emissions and of the
//! neutrality year (from `batch/distributions.csv`), as shares of the samples.

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use super::load::{Bin, ScenarioData};
use super::style::{
    DrawResult, Entry, TARGET, ValueAxes, fill, frame, legend, line, nice_ticks, value_axes,
    year_tick, year_ticks_n,
};

const NEVER: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// The message for a share of the samples: `none` at 0, `all` at 1, `some` (with the
/// percentage) between, so that no subtitle reads "≤ 0 0 % of samples".
fn share_msg(p: f64, [none, some, all]: [Msg; 3]) -> Msg {
    if p <= 0.0 {
        none
    } else if p >= 1.0 {
        all
    } else {
        some
    }
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    ctx: &Ctx,
    sc: &ScenarioData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let data = ctx.data;
    let d = data
        .distributions
        .get(&sc.name)
        .cloned()
        .unwrap_or_default();
    let c = ctx.scenarios.get(&sc.name);
    let samples: u64 = d
        .net_kt
        .iter()
        .map(|b| b.count)
        .sum::<u64>()
        .max(d.neutrality_year.iter().map(|b| b.count).sum::<u64>());
    let total = samples.max(1) as f64;
    let t = &data.meta.target;
    let met: u64 = d
        .net_kt
        .iter()
        .filter(|b| b.hi.unwrap_or(f64::INFINITY) <= 0.0)
        .map(|b| b.count)
        .sum();
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::BatchTitle,
            &[
                ("region", &data.meta.region),
                ("scenario", &ctx.scenario_name(&sc.name)),
            ],
        ),
        &subtitle(ctx, sc, samples, met),
    )?;
    let (w, _) = f.plot.dim_in_pixel();
    let (left, right) = f.plot.split_horizontally(w as i32 * 56 / 100);

    // target-year net emissions
    let bins: Vec<(f64, f64, f64)> = d
        .net_kt
        .iter()
        .filter_map(|b| Some((b.lo?, b.hi?, b.count as f64 / total)))
        .collect();
    let (mut x0, mut x1) = bins
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), b| {
            (l.min(b.0), h.max(b.1))
        });
    if !x0.is_finite() {
        (x0, x1) = (-1.0, 1.0);
    }
    let span = (x1 - x0).max(1e-9);
    // show the target (zero) when it is near enough not to squash the histogram
    if x0 > 0.0 && x0 < span {
        x0 = 0.0;
    }
    if x1 < 0.0 && -x1 < span {
        x1 = 0.0;
    }
    let pad = (x1 - x0) * 0.03;
    let ymax = bins.iter().map(|b| b.2).fold(0.0, f64::max).max(1e-9) * 100.0 * 1.12;
    let mut chart = value_axes(
        &left,
        st,
        ValueAxes {
            x: (x0 - pad, x1 + pad),
            y: (0.0, ymax),
            x_desc: st.fill(Msg::BatchNetX, &[("year", &t.year)]),
            y_desc: st.t(Msg::ShareOfSamples),
            x_ticks: nice_ticks(x0 - pad, x1 + pad, 8),
            x_fmt: &|v| st.num(*v),
        },
    )?;
    chart.draw_series(
        bins.iter()
            .map(|&(lo, hi, s)| Rectangle::new([(lo, 0.0), (hi, s * 100.0)], fill(c.mix(0.85)))),
    )?;
    chart.draw_series(bins.iter().map(|&(lo, hi, s)| {
        Rectangle::new([(lo, 0.0), (hi, s * 100.0)], line(WHITE, st.width(1.0)))
    }))?;
    if (x0 - pad..=x1 + pad).contains(&0.0) {
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (0.0, ymax)],
            line(TARGET, st.width(2.5)),
        ))?;
    }

    neutrality(ctx, &right, &d, total, c)?;

    let entries = vec![
        Entry::heading(st.t(Msg::Samples)),
        Entry::area(
            st.fill(
                Msg::ScenarioNamed,
                &[("name", &ctx.scenario_name(&sc.name))],
            ),
            c.mix(0.85),
        ),
        Entry::area(
            st.fill(Msg::NotNeutralBy, &[("year", &data.meta.end_year)]),
            NEVER,
        ),
        Entry::heading(st.t(Msg::LegendTarget)),
        Entry::line(
            st.fill(Msg::BatchTargetLegend, &[("year", &t.year)]),
            TARGET,
            st.width(2.5),
        ),
    ];
    legend(&f.legend, st, &entries)
}

/// The subtitle: the exact shares of `batch/summary.csv`, or from the histogram bins alone the
/// share of bins wholly at or below zero.
fn subtitle(ctx: &Ctx, sc: &ScenarioData, samples: u64, met: u64) -> String {
    let st = &ctx.st;
    let data = ctx.data;
    let t = &data.meta.target;
    let total = samples.max(1) as f64;
    match data.batch_summary.get(&sc.name) {
        // the exact shares from batch/summary.csv
        Some(b) => format!(
            "{}{}",
            st.fill(
                share_msg(
                    b.p_target_met,
                    [
                        Msg::BatchSubtitleNone,
                        Msg::BatchSubtitleExact,
                        Msg::BatchSubtitleAll
                    ]
                ),
                &[
                    ("n", &st.num(b.samples as f64)),
                    ("year", &t.year),
                    ("p", &st.pct(b.p_target_met)),
                ],
            ),
            b.p_net_zero_met.map_or(String::new(), |p| st.fill(
                share_msg(
                    p,
                    [
                        Msg::BatchNetZeroNone,
                        Msg::BatchNetZeroShare,
                        Msg::BatchNetZeroAll
                    ]
                ),
                &[("p", &st.pct(p))]
            ))
        ),
        // histogram bins alone: the bins wholly at or below zero
        None if met == 0 => st.fill(
            Msg::BatchNearlyNone,
            &[("n", &st.num(samples as f64)), ("year", &t.year)],
        ),
        None => st.fill(
            Msg::BatchAtLeast,
            &[
                ("n", &st.num(samples as f64)),
                ("year", &t.year),
                ("p", &st.pct(met as f64 / total)),
            ],
        ),
    }
}

/// The right panel: the neutrality year of the samples, with "never" at the right and the
/// target year marked.
fn neutrality<DB: DrawingBackend>(
    ctx: &Ctx,
    right: &DrawingArea<DB, Shift>,
    d: &super::load::Distributions,
    total: f64,
    c: RGBColor,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let data = ctx.data;
    let t = &data.meta.target;
    // neutrality year, with "never" at the right
    let years: Vec<&Bin> = d
        .neutrality_year
        .iter()
        .filter(|b| b.lo.is_some())
        .collect();
    let never: u64 = d
        .neutrality_year
        .iter()
        .filter(|b| b.lo.is_none())
        .map(|b| b.count)
        .sum();
    let end = f64::from(data.meta.end_year);
    let y_lo = years
        .iter()
        .filter_map(|b| b.lo)
        .fold(end - 5.0, f64::min)
        .min(f64::from(t.year) - 2.0);
    let never_x = end + 2.0;
    let ymax2 = years
        .iter()
        .map(|b| b.count as f64)
        .chain([never as f64])
        .fold(0.0, f64::max)
        / total
        * 100.0
        * 1.18;
    // each year's bar is centred on its tick; the target line sits after the target year's bar
    let (w_right, _) = right.dim_in_pixel();
    let max_steps = (w_right as i32 / st.px(110.0)).max(2);
    let mut ticks = year_ticks_n(y_lo.round() as i32, end as i32, max_steps);
    // a year label right next to "never" would run into it
    ticks.retain(|&x| never_x - x >= 3.5);
    ticks.push(never_x);
    let mut chart = value_axes(
        right,
        st,
        ValueAxes {
            x: (y_lo - 0.6, never_x + 0.8),
            y: (0.0, ymax2.max(1.0)),
            x_desc: st.t(Msg::NeutralityYear).to_string(),
            y_desc: st.t(Msg::ShareOfSamples),
            x_ticks: ticks,
            x_fmt: &|v| {
                if *v > end + 0.5 {
                    st.t(Msg::Never).to_string()
                } else {
                    year_tick(*v)
                }
            },
        },
    )?;
    chart.draw_series(years.iter().filter_map(|b| {
        let y = b.lo?;
        Some(Rectangle::new(
            [(y - 0.42, 0.0), (y + 0.42, b.count as f64 / total * 100.0)],
            fill(c.mix(0.85)),
        ))
    }))?;
    let never_share = never as f64 / total * 100.0;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(never_x - 0.42, 0.0), (never_x + 0.42, never_share)],
        fill(NEVER),
    )))?;
    chart.draw_series(std::iter::once(Text::new(
        st.pct(never as f64 / total),
        (never_x, never_share),
        st.note_font().pos(Pos::new(HPos::Center, VPos::Bottom)),
    )))?;
    let target_x = f64::from(t.year) + 0.5;
    chart.draw_series(LineSeries::new(
        [(target_x, 0.0), (target_x, ymax2.max(1.0))],
        line(TARGET, st.width(2.5)),
    ))?;

    Ok(())
}
