//! `plan --frontier`'s chart: the annual cost of the cheapest plan found against the
//! probability goal, with the proven lower bound on that cost, `charts/frontier_<menu>`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Solved;
use crate::charts::style::{
    DrawResult, Entry, Style, ValueAxes, frame, legend, line, padded, register_fonts, value_axes,
};
use crate::error::{Error, Result};
use crate::i18n::{Lang, Msg};
use crate::output::OutputSet;

/// The size of the chart, as `plot`'s default.
const SIZE: (u32, u32) = (1600, 900);

/// The chart's stem, relative to the output folder: `charts/frontier_<menu>`.
pub fn stem(menu: &str) -> String {
    format!("charts/frontier_{menu}")
}

/// What the chart shows.
pub struct Frontier<'a> {
    /// Region name.
    pub region: &'a str,
    /// The menu and the base.
    pub menu: &'a str,
    /// The base.
    pub base: &'a str,
    /// Samples.
    pub samples: u64,
    /// Levels per measure besides 0.
    pub steps: u8,
    /// Per probability goal: the plan, or None where none reaches it.
    pub points: &'a [(f64, Option<Solved>)],
}

fn draw<DB: DrawingBackend>(
    v: &Frontier,
    st: &Style,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let solved: Vec<(f64, &Solved)> = v
        .points
        .iter()
        .filter_map(|(p, s)| s.as_ref().map(|s| (*p, s)))
        .collect();
    let (lo, hi) = solved
        .iter()
        .flat_map(|(_, s)| [s.cost, s.lower_bound])
        .fold((0.0f64, 0.0f64), |(l, h), x| (l.min(x), h.max(x)));
    let (y0, y1) = padded(lo, hi);
    let f = frame(
        root,
        st,
        &st.fill(Msg::FrontierTitle, &[("region", &v.region)]),
        &st.fill(
            Msg::FrontierSubtitle,
            &[
                ("menu", &v.menu),
                ("base", &v.base),
                ("n", &st.num(v.samples as f64)),
                ("levels", &(u32::from(v.steps) + 1)),
            ],
        ),
    )?;
    let ticks: Vec<f64> = v.points.iter().map(|(p, _)| *p).collect();
    let x0 = ticks.iter().copied().fold(1.0f64, f64::min) - 0.05;
    let x1 = ticks.iter().copied().fold(0.0f64, f64::max) + 0.05;
    let fmt = |x: &f64| st.pct(*x);
    let mut chart = value_axes(
        &f.plot,
        st,
        ValueAxes {
            x: (x0, x1),
            y: (y0, y1),
            x_desc: st.t(Msg::FrontierAxisGoal).to_string(),
            y_desc: st.t(Msg::FrontierAxisCost),
            x_ticks: ticks,
            x_fmt: &fmt,
        },
    )?;
    let cost = RGBColor(31, 119, 180);
    let bound = RGBColor(40, 40, 40);
    // the cost first, the bound over it: where they meet (gap 0) the dashes still show
    chart.draw_series(LineSeries::new(
        solved.iter().map(|(p, s)| (*p, s.cost)),
        line(cost, st.width(3.0)),
    ))?;
    chart.draw_series(
        solved
            .iter()
            .map(|(p, s)| Circle::new((*p, s.cost), st.px(7.0), cost.filled())),
    )?;
    chart.draw_series(DashedLineSeries::new(
        solved.iter().map(|(p, s)| (*p, s.lower_bound)),
        st.px(10.0),
        st.px(6.0),
        line(bound, st.width(2.5)),
    ))?;
    chart.draw_series(
        solved
            .iter()
            .map(|(p, s)| Circle::new((*p, s.lower_bound), st.px(9.0), line(bound, st.width(2.0)))),
    )?;
    let entries = vec![
        Entry::line(st.t(Msg::FrontierCost), cost, st.width(3.0)),
        Entry::dashed(st.t(Msg::FrontierBound), bound, st.width(2.5)),
    ];
    legend(&f.legend, st, &entries)
}

fn draw_error(path: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("cannot draw {path}: {e}"))
}

/// Draws the chart as SVG and PNG and stages both in `set` (nothing when no goal is reached).
pub fn stage(set: &mut OutputSet, v: &Frontier, lang: Lang) -> Result<()> {
    if v.points.iter().all(|(_, s)| s.is_none()) {
        return Ok(());
    }
    register_fonts().map_err(|e| Error::internal(format!("cannot load the fonts: {e}")))?;
    let st = Style::new(SIZE).with_lang(lang);
    let stem = stem(v.menu);
    let (w, h) = SIZE;
    let svg_path = format!("{stem}.svg");
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        draw(v, &st, &root).map_err(|e| draw_error(&svg_path, e))?;
        root.present().map_err(|e| draw_error(&svg_path, e))?;
    }
    set.stage(&svg_path, s.as_bytes())?;
    let png_path = format!("{stem}.png");
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw(v, &st, &root).map_err(|e| draw_error(&png_path, e))?;
        root.present().map_err(|e| draw_error(&png_path, e))?;
    }
    let png = crate::charts::encode_png(&buf, w, h).map_err(|e| draw_error(&png_path, e))?;
    set.stage(&png_path, &png)
}
