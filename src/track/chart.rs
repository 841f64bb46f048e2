//! `track`'s chart: gross emissions of one scenario, the prior fan (the batch's ensemble), the
//! posterior fan (weighted by the observed years), the observations with their ±2 sd bars and
//! the target path.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Posterior;
use crate::charts::style::{
    DrawResult, Entry, Style, band, fill, frame, legend, line, padded, register_fonts, time_axes,
};
use crate::data::Region;
use crate::error::{Error, Result};
use crate::i18n::{Lang, Msg};
use crate::model::Model;
use crate::output::OutputSet;

/// The size of the chart, as `plot`'s default.
const SIZE: (u32, u32) = (1600, 900);

/// The chart's stem: `track/charts/track_<scenario>`.
pub fn stem(scenario: &str) -> String {
    format!("track/charts/track_{scenario}")
}

struct View<'a> {
    /// The scenario's name in the chart's language.
    shown: &'a str,
    region: &'a Region,
    model: &'a Model,
    post: &'a Posterior,
    st: Style,
}

fn draw<DB: DrawingBackend>(v: &View, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let st = &v.st;
    let m = v.model;
    let fans = crate::track::fans(v.post, m.ny);
    let xs: Vec<f64> = (0..m.ny)
        .map(|y| f64::from(m.base_year + y as i32))
        .collect();
    let gross_row = crate::engine::TotalRows::of(m).gross;
    let obs: Vec<_> = v
        .post
        .observations
        .iter()
        .filter(|o| o.row == gross_row)
        .collect();
    let path = v
        .region
        .target_path(
            v.region
                .base_inventory_kt()
                .unwrap_or(v.post.central_gross[0]),
        )
        .unwrap_or_default();
    let all = fans
        .iter()
        .flat_map(|(a, b)| [a[0], a[2], b[0], b[2]])
        .chain(
            obs.iter()
                .flat_map(|o| [o.kt - 2.0 * o.sd_kt, o.kt + 2.0 * o.sd_kt]),
        )
        .chain(path.iter().map(|p| p.1));
    let (lo, hi) = all.fold((0.0f64, 0.0f64), |(l, h), x| (l.min(x), h.max(x)));
    let (y0, y1) = padded(lo, hi);
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::TrackTitle,
            &[("region", &m.region), ("scenario", &v.shown)],
        ),
        &st.fill(
            Msg::TrackSubtitle,
            &[
                ("n", &st.num(v.post.ensemble.n as f64)),
                ("ess", &st.num(v.post.effective.round())),
            ],
        ),
    )?;
    let x1 = m.base_year + m.ny as i32 - 1;
    let mut chart = time_axes(
        &f.plot,
        st,
        (m.base_year, x1),
        (y0, y1),
        st.t(Msg::TrackAxisGross),
    )?;
    let prior = RGBColor(150, 150, 150);
    let posterior = RGBColor(31, 119, 180);
    let target = RGBColor(200, 30, 30);
    let observed = RGBColor(0, 0, 0);
    let col = |k: usize, post: bool| -> Vec<f64> {
        fans.iter()
            .map(|(a, b)| if post { b[k] } else { a[k] })
            .collect()
    };
    chart.draw_series(std::iter::once(band(
        &xs,
        &col(2, false),
        &col(0, false),
        fill(prior.mix(0.3)),
    )))?;
    chart.draw_series(std::iter::once(band(
        &xs,
        &col(2, true),
        &col(0, true),
        fill(posterior.mix(0.35)),
    )))?;
    chart.draw_series(LineSeries::new(
        xs.iter().copied().zip(col(1, false)),
        line(prior, st.width(2.0)),
    ))?;
    chart.draw_series(LineSeries::new(
        xs.iter().copied().zip(col(1, true)),
        line(posterior, st.width(3.0)),
    ))?;
    if !path.is_empty() {
        chart.draw_series(DashedLineSeries::new(
            path.iter().map(|&(y, kt)| (f64::from(y), kt)),
            st.px(10.0),
            st.px(6.0),
            line(target, st.width(2.5)),
        ))?;
    }
    for o in &obs {
        let x = f64::from(o.year);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, o.kt - 2.0 * o.sd_kt), (x, o.kt + 2.0 * o.sd_kt)],
            line(observed, st.width(2.0)),
        )))?;
        chart.draw_series(std::iter::once(Circle::new(
            (x, o.kt),
            st.px(6.0),
            observed.filled(),
        )))?;
    }
    let mut entries = vec![
        Entry::area(st.t(Msg::TrackPriorBand), prior.mix(0.3)),
        Entry::line(st.t(Msg::TrackPriorMedian), prior, st.width(2.0)),
        Entry::area(st.t(Msg::TrackPosteriorBand), posterior.mix(0.35)),
        Entry::line(st.t(Msg::TrackPosteriorMedian), posterior, st.width(3.0)),
    ];
    if !path.is_empty() {
        entries.push(Entry::dashed(
            st.t(Msg::TrackTargetPath),
            target,
            st.width(2.5),
        ));
    }
    if !obs.is_empty() {
        entries.push(Entry::point(st.t(Msg::TrackObserved), observed));
    }
    legend(&f.legend, st, &entries)
}

fn draw_error(path: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("cannot draw {path}: {e}"))
}

/// Draws the chart as SVG and PNG and stages both in `set`; `shown` is the scenario's name in
/// `lang` (its `name_fi` in Finnish when given).
pub fn stage(
    set: &mut OutputSet,
    shown: &str,
    region: &Region,
    model: &Model,
    post: &Posterior,
    lang: Lang,
) -> Result<()> {
    register_fonts().map_err(|e| Error::internal(format!("cannot load the fonts: {e}")))?;
    let v = View {
        shown,
        region,
        model,
        post,
        st: Style::new(SIZE).with_lang(lang),
    };
    let stem = stem(&model.scenario);
    let (w, h) = SIZE;
    let svg_path = format!("{stem}.svg");
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        draw(&v, &root).map_err(|e| draw_error(&svg_path, e))?;
        root.present().map_err(|e| draw_error(&svg_path, e))?;
    }
    set.stage(&svg_path, s.as_bytes())?;
    let png_path = format!("{stem}.png");
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw(&v, &root).map_err(|e| draw_error(&png_path, e))?;
        root.present().map_err(|e| draw_error(&png_path, e))?;
    }
    let png = crate::charts::encode_png(&buf, w, h).map_err(|e| draw_error(&png_path, e))?;
    set.stage(&png_path, &png)
}
