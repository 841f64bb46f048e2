//! Per scenario: gross emissions stacked by top-level sector, removals stacked below zero, the
//! net line, the historical inventory, and the target markers (gross limit, zero, target year).

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use super::load::ScenarioData;
use super::style::{
    DrawResult, Entry, INK, MUTED, TARGET, TimeCoord, band, fill, frame, legend, line, padded,
    time_axes_from,
};
use crate::model::variables::{GROSS, LAND, NET, REMOVALS};

/// Series sorted by their first-year value, largest first (stacked at the bottom); ties by name.
pub(super) fn by_size(mut series: Vec<(String, Vec<f64>)>) -> Vec<(String, Vec<f64>)> {
    series.sort_by(|a, b| {
        let va = a.1.first().copied().unwrap_or(0.0);
        let vb = b.1.first().copied().unwrap_or(0.0);
        vb.total_cmp(&va).then_with(|| a.0.cmp(&b.0))
    });
    series
}

/// A one-line verdict on the target, for subtitles.
pub(super) fn verdict(ctx: &Ctx, sc: &ScenarioData) -> String {
    let t = &ctx.data.meta.target;
    let st = &ctx.st;
    match &sc.summary {
        None => String::new(),
        Some(s) => {
            let neutral = s
                .neutrality_year
                .map_or(st.t(Msg::NotNeutral).to_string(), |y| {
                    st.fill(Msg::NeutralFrom, &[("year", &y)])
                });
            // with a batch, the verdict carries its probability; without, it says it is the
            // answer at central values
            let p = ctx.data.batch_summary.get(&sc.name).map(|b| b.p_target_met);
            let verdict = crate::i18n::Verdict::new(s.target_met, p).text(st.lang);
            format!(
                "{} · {}",
                st.fill(
                    Msg::TargetVerdict,
                    &[("year", &t.year), ("verdict", &verdict)]
                ),
                neutral
            )
        }
    }
}

/// The target markers: a dashed gross-limit line, the zero line and the target year.
pub(super) fn draw_target<DB: DrawingBackend>(
    ctx: &Ctx,
    chart: &mut ChartContext<DB, TimeCoord>,
    x: (f64, f64),
    y: (f64, f64),
    gross_limit: bool,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let t = &ctx.data.meta.target;
    let ty = f64::from(t.year);
    // the target year
    chart.draw_series(DashedLineSeries::new(
        [(ty, y.0), (ty, y.1)],
        st.px(6.0),
        st.px(6.0),
        line(MUTED, st.width(1.5)),
    ))?;
    chart.draw_series(std::iter::once(Text::new(
        st.fill(Msg::TargetYearMark, &[("year", &t.year)]),
        (ty, y.1),
        st.note_font().pos(Pos::new(HPos::Right, VPos::Top)),
    )))?;
    // zero: the net target, thin and in the target colour so that it is never taken for the
    // (black) net-emission line
    chart.draw_series(LineSeries::new(
        [(x.0, 0.0), (x.1, 0.0)],
        line(if t.net_zero { TARGET } else { MUTED }, st.width(1.5)),
    ))?;
    if t.net_zero {
        chart.draw_series(std::iter::once(Circle::new(
            (ty, 0.0),
            st.px(8.0),
            line(TARGET, st.width(3.0)),
        )))?;
    }
    if let (true, Some(limit)) = (gross_limit, t.gross_limit_kt) {
        let path = &ctx.data.meta.target_path;
        // the target path leads to the limit; the limit line goes on from the target year
        let from = if path.is_empty() {
            ctx.data.years.first().map_or(x.0, |&y| f64::from(y))
        } else {
            ty
        };
        if path.len() > 1 {
            chart.draw_series(DashedLineSeries::new(
                path.iter().map(|&(y, kt)| (f64::from(y), kt)),
                st.px(5.0),
                st.px(5.0),
                line(TARGET, st.width(2.0)),
            ))?;
        }
        for m in &ctx.data.meta.milestones {
            let my = f64::from(m.year);
            chart.draw_series(DashedLineSeries::new(
                [(my, y.0), (my, y.1)],
                st.px(3.0),
                st.px(6.0),
                line(MUTED, st.width(1.2)),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                st.fill(
                    Msg::MilestoneMark,
                    &[("year", &m.year), ("kt", &st.num(m.gross_limit_kt))],
                ),
                (my, y.1),
                st.note_font().pos(Pos::new(HPos::Right, VPos::Top)),
            )))?;
            let r = st.px(7.0);
            chart.draw_series([
                EmptyElement::at((my, m.gross_limit_kt))
                    + Rectangle::new([(-r, -r), (r, r)], fill(WHITE)),
                EmptyElement::at((my, m.gross_limit_kt))
                    + Rectangle::new([(-r, -r), (r, r)], line(TARGET, st.width(3.0))),
            ])?;
        }
        chart.draw_series(DashedLineSeries::new(
            [(from, limit), (x.1, limit)],
            st.px(14.0),
            st.px(8.0),
            line(TARGET, st.width(2.5)),
        ))?;
        chart.draw_series(std::iter::once(Circle::new(
            (ty, limit),
            st.px(8.0),
            line(TARGET, st.width(3.0)),
        )))?;
    }
    Ok(())
}

/// The legend entries of the target markers.
pub(super) fn target_entries(ctx: &Ctx, gross_limit: bool) -> Vec<Entry> {
    let st = &ctx.st;
    let t = &ctx.data.meta.target;
    let mut e = Vec::new();
    if let (true, Some(limit), Some(f)) = (gross_limit, t.gross_limit_kt, t.max_gross_fraction) {
        e.push(Entry::dashed(
            st.fill(
                Msg::GrossLimit,
                &[
                    ("year", &t.year),
                    ("kt", &st.num(limit)),
                    ("pct", &st.num(((1.0 - f) * 100.0).round())),
                    ("reference", &t.reference_year),
                ],
            ),
            TARGET,
            st.width(2.5),
        ));
        let meta = &ctx.data.meta;
        if meta.target_path.len() > 1 {
            e.push(Entry::dashed(
                st.fill(
                    Msg::TargetPath,
                    &[("base", &meta.base_year), ("year", &t.year)],
                ),
                TARGET,
                st.width(2.0),
            ));
        }
        for m in &meta.milestones {
            let args: [(&str, &dyn std::fmt::Display); 4] = [
                ("year", &m.year),
                ("kt", &st.num(m.gross_limit_kt)),
                ("basis", &st.lang.milestone_basis(&m.basis)),
                ("target", &t.year),
            ];
            // a milestone stricter than the target-year limit says so: the path then rises
            e.push(Entry::square(
                if m.gross_limit_kt < limit && m.year < t.year {
                    st.fill(Msg::MilestoneStricter, &args)
                } else {
                    st.fill(Msg::MilestoneLegend, &args)
                },
                TARGET,
            ));
        }
    }
    if t.net_zero {
        e.push(Entry::line(
            st.fill(Msg::NetZeroTarget, &[("year", &t.year)]),
            TARGET,
            st.width(1.5),
        ));
    }
    if t.net_zero || (gross_limit && t.gross_limit_kt.is_some()) {
        e.push(Entry::ring(
            st.fill(Msg::TargetPoint, &[("year", &t.year)]),
            TARGET,
        ));
    }
    e.push(Entry::dashed(st.t(Msg::TargetYear), MUTED, st.width(1.5)));
    e
}

/// The x range of time charts: the first history year (or base year) to the last result year.
pub(super) fn time_range(ctx: &Ctx, with_history: bool) -> (i32, i32) {
    let years = &ctx.data.years;
    let mut lo = years.first().copied().unwrap_or(ctx.data.meta.base_year);
    let hi = years.last().copied().unwrap_or(ctx.data.meta.end_year);
    if with_history {
        if let Some(&(y, _)) = ctx.data.history_totals().first() {
            lo = lo.min(y);
        }
    }
    (lo, hi.max(lo + 1))
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    ctx: &Ctx,
    sc: &ScenarioData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let n = ctx.data.years.len();
    let xs = ctx.xs();
    let gross_sectors = by_size(sc.top_level(GROSS));
    let removal_sectors = by_size(sc.top_level(REMOVALS));
    // land categories that emit on balance stack above gross emissions, those that remove
    // below the removals (by the sign of their sum over the years)
    let (land_up, land_down): (Vec<_>, Vec<_>) = by_size(sc.top_level(LAND))
        .into_iter()
        .filter(|(_, v)| v.iter().any(|x| *x != 0.0))
        .partition(|(_, v)| v.iter().sum::<f64>() >= 0.0);
    let gross = sc.values(GROSS, n);
    let removals = sc.values(REMOVALS, n);
    let up_total: Vec<f64> = (0..n)
        .map(|y| gross[y] + land_up.iter().map(|(_, v)| v[y]).sum::<f64>())
        .collect();
    let down_total: Vec<f64> = (0..n)
        .map(|y| -removals[y] + land_down.iter().map(|(_, v)| v[y]).sum::<f64>())
        .collect();
    let net = sc.values(NET, n);
    let history = ctx.data.history_totals();
    let t = &ctx.data.meta.target;

    let (x0, x1) = time_range(ctx, true);
    let mut hi = up_total.iter().chain(&net).copied().fold(0.0, f64::max);
    hi = history.iter().map(|h| h.1).fold(hi, f64::max);
    if let Some(l) = t.gross_limit_kt {
        hi = hi.max(l);
    }
    let lo = down_total
        .iter()
        .chain(net.iter())
        .copied()
        .fold(0.0, f64::min);
    let (y0, y1) = padded(lo, hi);

    let f = frame(
        root,
        st,
        &st.fill(
            Msg::EmissionsTitle,
            &[
                ("region", &ctx.data.meta.region),
                ("scenario", &ctx.scenario_name(&sc.name)),
            ],
        ),
        &st.fill(Msg::EmissionsSubtitle, &[("verdict", &verdict(ctx, sc))]),
    )?;
    // history far back is squeezed before the first projected year
    let projection = ctx.data.years.first().copied().filter(|&p| p > x0);
    let mut chart = time_axes_from(
        &f.plot,
        st,
        (x0, x1),
        projection,
        (y0, y1),
        st.t(Msg::AxisEmissionsKt),
    )?;

    let mut cum = vec![0.0; n];
    let mut sector_entries = Vec::new();
    for (name, v) in &gross_sectors {
        let upper: Vec<f64> = cum.iter().zip(v).map(|(c, x)| c + x).collect();
        let c = ctx.sectors.get(name);
        chart.draw_series(std::iter::once(band(&xs, &upper, &cum, fill(c))))?;
        chart.draw_series(LineSeries::new(
            xs.iter().copied().zip(upper.iter().copied()),
            line(WHITE, st.width(1.0)),
        ))?;
        sector_entries.push(Entry::area(ctx.name(name), c));
        cum = upper;
    }
    let mut land_entries = Vec::new();
    if !land_up.is_empty() {
        for (name, v) in &land_up {
            let upper: Vec<f64> = cum.iter().zip(v).map(|(c, x)| c + x).collect();
            let c = ctx.land.get(name);
            chart.draw_series(std::iter::once(band(&xs, &upper, &cum, fill(c.mix(0.6)))))?;
            chart.draw_series(LineSeries::new(
                xs.iter().copied().zip(upper.iter().copied()),
                line(WHITE, st.width(1.0)),
            ))?;
            land_entries.push(Entry::area(ctx.name(name), c.mix(0.6)));
            cum = upper;
        }
    }
    // the top of the stack is listed first, as it is drawn
    let mut entries = Vec::new();
    if !land_entries.is_empty() {
        entries.push(Entry::heading(st.t(Msg::LandUseAbove)));
        entries.extend(land_entries.into_iter().rev());
    }
    entries.push(Entry::heading(st.t(Msg::GrossBySector)));
    entries.extend(sector_entries.into_iter().rev());
    let mut cum = vec![0.0; n];
    if !removal_sectors.is_empty() {
        entries.push(Entry::heading(st.t(Msg::RemovalsBelowZero)));
        for (name, v) in &removal_sectors {
            let lower: Vec<f64> = cum.iter().zip(v).map(|(c, x)| c - x).collect();
            let c = ctx.removals.get(name);
            chart.draw_series(std::iter::once(band(&xs, &cum, &lower, fill(c.mix(0.7)))))?;
            chart.draw_series(LineSeries::new(
                xs.iter().copied().zip(lower.iter().copied()),
                line(WHITE, st.width(1.0)),
            ))?;
            entries.push(Entry::area(ctx.name(name), c.mix(0.7)));
            cum = lower;
        }
    }
    if !land_down.is_empty() {
        entries.push(Entry::heading(st.t(Msg::LandUseBelow)));
        for (name, v) in &land_down {
            let lower: Vec<f64> = cum.iter().zip(v).map(|(c, x)| c + x).collect();
            let c = ctx.land.get(name);
            chart.draw_series(std::iter::once(band(&xs, &cum, &lower, fill(c.mix(0.6)))))?;
            chart.draw_series(LineSeries::new(
                xs.iter().copied().zip(lower.iter().copied()),
                line(WHITE, st.width(1.0)),
            ))?;
            entries.push(Entry::area(ctx.name(name), c.mix(0.6)));
            cum = lower;
        }
    }
    draw_target(
        ctx,
        &mut chart,
        (f64::from(x0) - 0.5, f64::from(x1) + 0.5),
        (y0, y1),
        true,
    )?;
    // net line on top, with a white halo so it reads over the areas
    chart.draw_series(LineSeries::new(
        xs.iter().copied().zip(net.iter().copied()),
        line(WHITE, st.width(7.0)),
    ))?;
    chart.draw_series(LineSeries::new(
        xs.iter().copied().zip(net.iter().copied()),
        line(INK, st.width(3.5)),
    ))?;
    for &(y, kt) in &history {
        let p = (f64::from(y), kt);
        chart.draw_series([
            Circle::new(p, st.px(7.0), fill(INK)),
            Circle::new(p, st.px(7.0), line(WHITE, st.width(1.5))),
        ])?;
    }
    entries.push(Entry::heading(st.t(Msg::TotalsAndTarget)));
    entries.push(Entry::line(st.t(Msg::NetEmissions), INK, st.width(3.5)));
    if !history.is_empty() {
        entries.push(Entry::point(st.t(Msg::InventoryGross), INK));
    }
    entries.extend(target_entries(ctx, true));
    legend(&f.legend, st, &entries)
}
