//! Per scenario: a tornado chart of the Sobol indices from `sensitivity.csv` — total-order
//! and first-order index of each parameter, each with its 95 % bootstrap interval as whiskers,
//! most influential on top.

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::Ctx;
use super::load::{ScenarioData, SensitivityRow};
use super::style::{DrawResult, Entry, INK, fill, frame, legend, line, ranked_axes};

/// At most this many parameters are shown.
const MAX_ROWS: usize = 15;
const TOTAL: RGBColor = RGBColor(0x88, 0xCC, 0xEE);
const FIRST: RGBColor = RGBColor(0x33, 0x22, 0x88);
/// The first-order interval, drawn over the light total-order bar and beyond the dark
/// first-order one: a red of Tol's muted scheme that reads on both.
const FIRST_WHISKER: RGBColor = RGBColor(0xCC, 0x66, 0x77);

/// A readable label for a parameter of this scenario (see [`super::parameter_label`]).
fn label(ctx: &Ctx, sc: &ScenarioData, parameter: &str) -> String {
    super::parameter_label(
        parameter,
        ctx.st.lang,
        |id| {
            sc.meta
                .measures
                .iter()
                .find(|m| m.id == id)
                .map(|m| ctx.measure_name(m))
        },
        |p| {
            sc.meta
                .uncertainties
                .iter()
                .find(|u| u.parameter == p)
                .map(|u| {
                    ctx.st
                        .lang
                        .pick(&u.description, u.description_fi.as_deref())
                        .to_string()
                })
        },
    )
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    ctx: &Ctx,
    sc: &ScenarioData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let data = ctx.data;
    let mut rows: Vec<&SensitivityRow> = data
        .sensitivity
        .iter()
        .flatten()
        .filter(|r| r.scenario == sc.name)
        .collect();
    rows.sort_by(|a, b| {
        b.total
            .0
            .total_cmp(&a.total.0)
            .then_with(|| a.parameter.cmp(&b.parameter))
    });
    let hidden = rows.len().saturating_sub(MAX_ROWS);
    rows.truncate(MAX_ROWS);
    let n = rows.len();
    let labels: Vec<String> = rows.iter().map(|r| label(ctx, sc, &r.parameter)).collect();
    let xmax = rows
        .iter()
        .map(|r| r.total.2.max(r.total.0).max(r.first.2))
        .fold(0.0, f64::max)
        .max(0.05)
        * 1.08;
    let xmax = xmax.clamp(0.1, 1.05);
    let subtitle = format!(
        "{}{}",
        st.fill(
            Msg::SensitivitySubtitle,
            &[("year", &data.meta.target.year)]
        ),
        if hidden > 0 {
            st.fill(Msg::HiddenParameters, &[("n", &hidden)])
        } else {
            String::new()
        }
    );
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::SensitivityTitle,
            &[
                ("region", &data.meta.region),
                ("scenario", &ctx.scenario_name(&sc.name)),
            ],
        ),
        &subtitle,
    )?;
    let mut chart = ranked_axes(&f.plot, st, &labels, xmax, st.t(Msg::SobolAxis))?;
    for (k, r) in rows.iter().enumerate() {
        let y = (n - 1 - k) as f64;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y + 0.14), (r.total.0.max(0.0), y + 0.86)],
            fill(TOTAL),
        )))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y + 0.36), (r.first.0.max(0.0), y + 0.64)],
            fill(FIRST),
        )))?;
        // each index's 95 % bootstrap interval: the total order's across the wide bar, the
        // first order's across the narrow one
        for ((_, lo, hi), (y_lo, y_hi), c) in [
            (r.total, (y + 0.3, y + 0.7), INK),
            (r.first, (y + 0.4, y + 0.6), FIRST_WHISKER),
        ] {
            let (lo, hi) = (lo.max(0.0), hi.min(xmax));
            if hi > lo {
                let yc = (y_lo + y_hi) / 2.0;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(lo, yc), (hi, yc)],
                    line(c, st.width(1.5)),
                )))?;
                for x in [lo, hi] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, y_lo), (x, y_hi)],
                        line(c, st.width(1.5)),
                    )))?;
                }
            }
        }
    }
    let entries = vec![
        Entry::heading(st.t(Msg::SobolIndex)),
        Entry::area(st.t(Msg::TotalOrder), TOTAL),
        Entry::area(st.t(Msg::FirstOrder), FIRST),
        Entry::line(st.t(Msg::TotalOrderInterval), INK, st.width(1.5)),
        Entry::line(st.t(Msg::FirstOrderInterval), FIRST_WHISKER, st.width(1.5)),
    ];
    legend(&f.legend, st, &entries)
}
