//! Axes and coordinates: padded value ranges, year and round ticks, and the time, value and
//! ranked (tornado) charts every chart module builds on; filled bands between two series.

use super::*;

/// A padded range `[lo, hi]` that always contains 0 (with a little room below and above).
pub fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let lo = lo.min(0.0);
    let hi = hi.max(0.0);
    let span = (hi - lo).max(1e-9);
    let lo = if lo < 0.0 {
        lo - 0.06 * span
    } else {
        -0.03 * span
    };
    let hi = hi + 0.08 * span;
    if hi - lo < 1e-6 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    }
}

/// An f64 axis with ticks exactly where we want them (whole years, category centres).
#[derive(Clone)]
pub struct Ticked {
    inner: RangedCoordf64,
    range: std::ops::Range<f64>,
    ticks: Vec<f64>,
    squeeze: Option<Squeeze>,
}

/// A squeezed stretch at the start of an axis: values before `from` take `factor` of their
/// room, so that a few history years far back do not leave most of a time axis empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Squeeze {
    /// Where the squeeze ends (values at or after it keep their room).
    pub from: f64,
    /// The share of its room each unit before `from` keeps (0 < factor ≤ 1).
    pub factor: f64,
}

impl Squeeze {
    /// Where `v` sits on the axis once squeezed.
    ///
    /// ```
    /// use kymsim::charts::style::Squeeze;
    /// let s = Squeeze { from: 2020.5, factor: 0.25 };
    /// // 1990 is 30.5 years before the break: 30.5 × 0.25 = 7.625 before it
    /// assert_eq!(s.apply(1990.0), 2020.5 - 7.625);
    /// assert_eq!(s.apply(2030.0), 2030.0);
    /// ```
    pub fn apply(&self, v: f64) -> f64 {
        if v < self.from {
            self.from - (self.from - v) * self.factor
        } else {
            v
        }
    }
}

impl Ticked {
    /// An axis over `range` with ticks at `ticks`.
    pub fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Ticked {
        Ticked {
            inner: range.clone().into(),
            range,
            ticks,
            squeeze: None,
        }
    }

    /// An axis over `range` with ticks at `ticks`, squeezed before `squeeze.from`.
    pub fn squeezed(range: std::ops::Range<f64>, ticks: Vec<f64>, squeeze: Squeeze) -> Ticked {
        Ticked {
            inner: (squeeze.apply(range.start)..range.end).into(),
            range,
            ticks,
            squeeze: Some(squeeze),
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        match &self.squeeze {
            Some(s) => self.inner.map(&s.apply(*value), limit),
            None => self.inner.map(value, limit),
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        match hint.weight() {
            KeyPointWeight::Bold => self.ticks.clone(),
            KeyPointWeight::Any => Vec::new(),
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

impl ValueFormatter<f64> for Ticked {
    fn format(value: &f64) -> String {
        thousands(*value)
    }
}

/// Coordinates of a time chart: whole-year ticks on x, f64 on y.
pub type TimeCoord = Cartesian2d<Ticked, RangedCoordf64>;

/// Year ticks for `[lo, hi]`: a step of 1, 2, 5, 10 or 20 years giving at most 13 ticks.
pub fn year_ticks(lo: i32, hi: i32) -> Vec<f64> {
    year_ticks_n(lo, hi, 12)
}

/// Year ticks with a step of 1, 2, 5, 10 or 20 years and at most `max_steps` steps.
pub fn year_ticks_n(lo: i32, hi: i32, max_steps: i32) -> Vec<f64> {
    let span = (hi - lo).max(1);
    let step = [1, 2, 5, 10, 20, 50]
        .into_iter()
        .find(|s| span / s <= max_steps)
        .unwrap_or(100);
    let first = lo.div_euclid(step) * step + if lo.rem_euclid(step) == 0 { 0 } else { step };
    (first..=hi).step_by(step as usize).map(f64::from).collect()
}

/// About `max_n` round ticks (steps of 1, 2 or 5 × 10^k) within `[lo, hi]`.
///
/// ```
/// use kymsim::charts::style::nice_ticks;
/// assert_eq!(nice_ticks(0.0, 25.0, 6), vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0]);
/// assert_eq!(nice_ticks(-2.2, 3.1, 6), vec![-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]);
/// ```
pub fn nice_ticks(lo: f64, hi: f64, max_n: usize) -> Vec<f64> {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return vec![lo];
    }
    let mag = 10f64.powf((span / max_n.max(1) as f64).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0, 20.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= max_n as f64)
        .unwrap_or(50.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            // clean binary noise (0.30000000000000004) and −0
            let v = (v / mag * 1e6).round() / 1e6 * mag;
            if v == 0.0 { 0.0 } else { v }
        })
        .collect()
}

/// Builds a time chart on `area` with years `x` (inclusive), values `y`, and draws its mesh.
pub fn time_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    x: (i32, i32),
    y: (f64, f64),
    y_desc: &str,
) -> Result<ChartContext<'a, DB, TimeCoord>, DrawingAreaErrorKind<DB::ErrorType>> {
    time_axes_from(area, st, x, None, y, y_desc)
}

/// How much room a history year keeps before the projection on a squeezed time axis.
pub const HISTORY_SQUEEZE: f64 = 0.3;

/// A time chart whose years before `projection` (the first projected year), when given and
/// after `x.0`, are squeezed to [`HISTORY_SQUEEZE`] of their room, ticked every ten years, with
/// a break mark on the axis where the projection starts.
pub fn time_axes_from<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    x: (i32, i32),
    projection: Option<i32>,
    y: (f64, f64),
    y_desc: &str,
) -> Result<ChartContext<'a, DB, TimeCoord>, DrawingAreaErrorKind<DB::ErrorType>> {
    let xr = (f64::from(x.0) - 0.5)..(f64::from(x.1) + 0.5);
    let axis = match projection.filter(|p| *p > x.0 + 1) {
        Some(p) => {
            // history every ten years, none within eight years of the projection (its labels
            // would run into the projection's first)
            let mut ticks: Vec<f64> = year_ticks_n(x.0, p - 1, 3)
                .into_iter()
                .filter(|t| f64::from(p) - t >= 8.0)
                .collect();
            ticks.extend(year_ticks(p, x.1));
            Ticked::squeezed(
                xr,
                ticks,
                Squeeze {
                    from: f64::from(p) - 0.5,
                    factor: HISTORY_SQUEEZE,
                },
            )
        }
        None => Ticked::new(xr, year_ticks(x.0, x.1)),
    };
    let mut chart = ChartBuilder::on(area)
        .margin_top(st.px(12.0))
        .margin_right(st.px(20.0))
        .margin_left(st.px(12.0))
        .margin_bottom(st.px(8.0))
        .x_label_area_size(st.px(72.0))
        .y_label_area_size(st.px(120.0))
        .build_cartesian_2d(axis, y.0..y.1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(line(GRID, 1))
        .light_line_style(line(WHITE.mix(0.0), 0))
        .axis_style(line(MUTED, st.width(1.2)))
        .x_desc(st.t(crate::i18n::Msg::Year))
        .y_desc(y_desc)
        .axis_desc_style(st.axis_font())
        .label_style(st.tick_font())
        .x_label_formatter(&|v| year_tick(*v))
        .y_label_formatter(&|v| st.num(*v))
        .y_labels(9)
        .draw()?;
    if let Some(p) = projection.filter(|p| *p > x.0 + 1) {
        // the break: two short slanted strokes across the x axis where the squeeze ends
        let at = f64::from(p) - 0.5;
        let (bx, by) = chart.backend_coord(&(at, y.0));
        let (h, d) = (st.px(9.0), st.px(4.0));
        let plot = chart.plotting_area().strip_coord_spec();
        let (ox, oy) = plot.get_base_pixel();
        for dx in [-d - st.px(2.0), d - st.px(2.0)] {
            plot.draw(&PathElement::new(
                vec![
                    (bx - ox + dx - d, by - oy + h),
                    (bx - ox + dx + d, by - oy - h),
                ],
                line(MUTED, st.width(2.0)),
            ))?;
        }
    }
    Ok(chart)
}

/// Coordinates of a value chart: chosen ticks on x, f64 on y.
pub type ValueCoord = Cartesian2d<Ticked, RangedCoordf64>;

/// A chart context or a drawing error.
pub type ChartResult<'a, DB, C> =
    Result<ChartContext<'a, DB, C>, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The axes of a value chart (bars, histograms).
pub struct ValueAxes<'f> {
    /// x range.
    pub x: (f64, f64),
    /// y range.
    pub y: (f64, f64),
    /// x description with unit.
    pub x_desc: String,
    /// y description with unit.
    pub y_desc: &'f str,
    /// x ticks.
    pub x_ticks: Vec<f64>,
    /// x tick labels.
    pub x_fmt: &'f dyn Fn(&f64) -> String,
}

/// A value chart (bars, histograms) with chosen x ticks and labels.
pub fn value_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    axes: ValueAxes,
) -> ChartResult<'a, DB, ValueCoord> {
    let ValueAxes {
        x,
        y,
        x_desc,
        y_desc,
        x_ticks,
        x_fmt,
    } = axes;
    let mut chart = builder(area, st, st.px(110.0))
        .build_cartesian_2d(Ticked::new(x.0..x.1, x_ticks), y.0..y.1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(line(GRID, 1))
        .light_line_style(line(WHITE.mix(0.0), 0))
        .axis_style(line(MUTED, st.width(1.2)))
        .x_desc(x_desc.as_str())
        .y_desc(y_desc)
        .axis_desc_style(st.axis_font())
        .label_style(st.tick_font())
        .x_label_formatter(x_fmt)
        .y_label_formatter(&|v| st.num(*v))
        .y_labels(9)
        .draw()?;
    Ok(chart)
}

/// A chart builder with the margins every chart uses and `y_label` pixels for the y labels.
pub fn builder<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    y_label: i32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin_top(st.px(12.0))
        .margin_right(st.px(24.0))
        .margin_left(st.px(12.0))
        .margin_bottom(st.px(8.0))
        .x_label_area_size(st.px(72.0))
        .y_label_area_size(y_label);
    b
}

/// Coordinates of a ranked bar chart: f64 on x, one row per label on y.
pub type RankedCoord = Cartesian2d<RangedCoordf64, Ticked>;

/// The axes of a ranked bar chart (a tornado): x from 0 to `xmax`, one row per label with the
/// first label on top. Row k (0-based from the top) spans y ∈ [n − 1 − k, n − k].
pub fn ranked_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    labels: &[String],
    xmax: f64,
    x_desc: &str,
) -> ChartResult<'a, DB, RankedCoord> {
    let n = labels.len().max(1);
    let tick = st.tick_font();
    let (pw, _) = area.dim_in_pixel();
    let label_w = labels
        .iter()
        .filter_map(|l| area.estimate_text_size(l, &tick).ok())
        .map(|(w, _)| w as i32)
        .max()
        .unwrap_or(0)
        .clamp(st.px(80.0), pw as i32 * 45 / 100)
        + st.px(24.0);
    let keys: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    let mut chart = builder(area, st, label_w)
        .build_cartesian_2d(0.0..xmax, Ticked::new(0.0..n as f64, keys))?;
    let label_of = |v: &f64| -> String {
        let k = n as i64 - 1 - (v - 0.5).round() as i64;
        usize::try_from(k)
            .ok()
            .and_then(|k| labels.get(k))
            .cloned()
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .bold_line_style(line(GRID, 1))
        .light_line_style(line(WHITE.mix(0.0), 0))
        .axis_style(line(MUTED, st.width(1.2)))
        .x_desc(x_desc)
        .axis_desc_style(st.axis_font())
        .label_style(st.tick_font())
        .x_label_formatter(&|v| st.num(*v))
        .y_label_formatter(&label_of)
        .x_labels(8)
        .draw()?;
    Ok(chart)
}

/// A filled band between `upper` and `lower` over `xs`.
pub fn band(xs: &[f64], upper: &[f64], lower: &[f64], style: ShapeStyle) -> Polygon<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = xs.iter().copied().zip(upper.iter().copied()).collect();
    pts.extend(xs.iter().copied().zip(lower.iter().copied()).rev());
    Polygon::new(pts, style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_ticks_step_to_at_most_thirteen() {
        assert_eq!(
            year_ticks(2020, 2030),
            (2020..=2030).map(f64::from).collect::<Vec<_>>()
        );
        assert_eq!(year_ticks(1990, 2050)[..3], [1990.0, 1995.0, 2000.0]);
        assert_eq!(year_ticks(1991, 2050)[0], 1995.0);
    }
}
