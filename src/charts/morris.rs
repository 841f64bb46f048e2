//! Morris screening of one scenario: μ* (mean absolute elementary effect) and σ (their spread,
//! from interactions and non-linearity) per parameter, most influential on top.

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{DrawResult, Entry, Style, fill, frame, legend, ranked_axes};

/// At most this many parameters are shown.
const MAX_ROWS: usize = 15;
const MU_STAR: RGBColor = RGBColor(0x44, 0xAA, 0x99);
const SIGMA: RGBColor = RGBColor(0x88, 0x22, 0x55);

/// What the Morris chart shows.
#[derive(Debug, Clone)]
pub struct MorrisChart {
    /// Region name.
    pub region: String,
    /// Scenario name.
    pub scenario: String,
    /// The target year (the output is net emissions in it).
    pub target_year: i32,
    /// Trajectories and model evaluations.
    pub trajectories: usize,
    /// Model evaluations.
    pub evaluations: usize,
    /// (parameter, μ*, σ), μ* descending.
    pub rows: Vec<(String, f64, f64)>,
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    c: &MorrisChart,
    st: &Style,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let hidden = c.rows.len().saturating_sub(MAX_ROWS);
    let rows = &c.rows[..c.rows.len().min(MAX_ROWS)];
    let n = rows.len();
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::MorrisTitle,
            &[("region", &c.region), ("scenario", &c.scenario)],
        ),
        &format!(
            "{}{}",
            st.fill(
                Msg::MorrisSubtitle,
                &[
                    ("year", &c.target_year),
                    ("trajectories", &st.num(c.trajectories as f64)),
                    ("runs", &st.num(c.evaluations as f64)),
                ],
            ),
            if hidden > 0 {
                st.fill(Msg::HiddenParameters, &[("n", &hidden)])
            } else {
                String::new()
            }
        ),
    )?;
    let xmax = rows
        .iter()
        .map(|r| r.1.max(r.2))
        .fold(0.0, f64::max)
        .max(1e-6)
        * 1.08;
    let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut chart = ranked_axes(
        &f.plot,
        st,
        &labels,
        xmax,
        &st.fill(Msg::MorrisAxis, &[("year", &c.target_year)]),
    )?;
    for (k, r) in rows.iter().enumerate() {
        let y = (n - 1 - k) as f64;
        chart.draw_series([
            Rectangle::new([(0.0, y + 0.5), (r.1.max(0.0), y + 0.86)], fill(MU_STAR)),
            Rectangle::new([(0.0, y + 0.14), (r.2.max(0.0), y + 0.5)], fill(SIGMA)),
        ])?;
    }
    let entries = vec![
        Entry::heading(st.t(Msg::ElementaryEffects)),
        Entry::area(st.t(Msg::MuStar), MU_STAR),
        Entry::area(st.t(Msg::SigmaSpread), SIGMA),
    ];
    legend(&f.legend, st, &entries)
}
