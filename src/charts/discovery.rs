//! The PRIM peeling trajectory of `kymsim discover`: coverage against density of every box, from
//! the whole input space (coverage 100 %) to the smallest peeled box, with the pasted boxes, the
//! coverage threshold and the selected box marked.

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    DrawResult, Entry, GRID, INK, MUTED, Style, TARGET, builder, fill, frame, legend, line,
};

/// What the trajectory chart shows.
#[derive(Debug, Clone)]
pub struct DiscoveryChart {
    /// Region name.
    pub region: String,
    /// Scenario name.
    pub scenario: String,
    /// The outcome of interest: `missed` or `met`.
    pub outcome: String,
    /// Samples evaluated.
    pub samples: u64,
    /// Every box: (coverage, density, number of restricted parameters).
    pub boxes: Vec<(f64, f64, usize)>,
    /// Index of the first pasted box.
    pub pasted_from: usize,
    /// Index of the selected box.
    pub selected: usize,
    /// The coverage threshold of the selection rule (`None`: the box was picked by number).
    pub threshold: Option<f64>,
}

/// Sequential colours (Paul Tol's YlOrBr) for 0, 1, 2, … restricted parameters (the last for
/// more).
const RESTRICTED: [RGBColor; 7] = [
    RGBColor(0xFE, 0xE3, 0x91),
    RGBColor(0xFE, 0xC4, 0x4F),
    RGBColor(0xFB, 0x9A, 0x29),
    RGBColor(0xEC, 0x70, 0x14),
    RGBColor(0xCC, 0x4C, 0x02),
    RGBColor(0x99, 0x34, 0x04),
    RGBColor(0x66, 0x25, 0x06),
];

fn restricted_color(r: usize) -> RGBColor {
    RESTRICTED[r.min(RESTRICTED.len() - 1)]
}

fn pct(v: f64, st: &Style) -> String {
    st.pct((v * 100.0).round() / 100.0)
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    c: &DiscoveryChart,
    st: &Style,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let sel = c.boxes.get(c.selected).copied().unwrap_or((1.0, 0.0, 0));
    let rule = match c.threshold {
        Some(t) => st.fill(Msg::DiscoveryRuleDensest, &[("p", &pct(t, st))]),
        None => st.t(Msg::DiscoveryRulePicked).to_string(),
    };
    let met = c.outcome == "met";
    let pick = |if_met: Msg, if_missed: Msg| if met { if_met } else { if_missed };
    let f = frame(
        root,
        st,
        &st.fill(
            pick(Msg::DiscoveryTitleMet, Msg::DiscoveryTitleMissed),
            &[("region", &c.region), ("scenario", &c.scenario)],
        ),
        &st.fill(
            Msg::DiscoverySubtitle,
            &[
                ("n", &st.num(c.samples as f64)),
                ("k", &c.selected),
                ("rule", &rule),
                ("coverage", &pct(sel.0, st)),
                ("density", &pct(sel.1, st)),
            ],
        ),
    )?;
    let ymin = c.boxes.iter().map(|b| b.1).fold(1.0, f64::min).min(0.9);
    let ymin = ((ymin - 0.05) * 10.0).floor().max(0.0) / 10.0;
    let mut chart = builder(&f.plot, st, st.px(110.0)).build_cartesian_2d(0.0..1.02, ymin..1.02)?;
    chart
        .configure_mesh()
        .bold_line_style(line(GRID, 1))
        .light_line_style(line(WHITE.mix(0.0), 0))
        .axis_style(line(MUTED, st.width(1.2)))
        .x_desc(st.t(pick(Msg::DiscoveryXMet, Msg::DiscoveryXMissed)))
        .y_desc(st.t(pick(Msg::DiscoveryYMet, Msg::DiscoveryYMissed)))
        .axis_desc_style(st.axis_font())
        .label_style(st.tick_font())
        .x_label_formatter(&|v| pct(*v, st))
        .y_label_formatter(&|v| pct(*v, st))
        .x_labels(11)
        .y_labels(11)
        .draw()?;
    if let Some(t) = c.threshold {
        chart.draw_series(DashedLineSeries::new(
            [(t, ymin), (t, 1.02)],
            st.px(6.0),
            st.px(6.0),
            line(TARGET, st.width(1.5)),
        ))?;
    }
    chart.draw_series(LineSeries::new(
        c.boxes.iter().map(|b| (b.0, b.1)),
        line(MUTED, st.width(1.2)),
    ))?;
    for (i, b) in c.boxes.iter().enumerate() {
        let p = (b.0, b.1);
        let col = restricted_color(b.2);
        if i >= c.pasted_from {
            chart.draw_series(std::iter::once(Circle::new(
                p,
                st.px(7.0),
                line(INK, st.width(2.0)),
            )))?;
        } else {
            chart.draw_series([
                Circle::new(p, st.px(7.0), fill(col)),
                Circle::new(p, st.px(7.0), line(INK.mix(0.6), st.width(1.0))),
            ])?;
        }
    }
    chart.draw_series(std::iter::once(Circle::new(
        (sel.0, sel.1),
        st.px(15.0),
        line(INK, st.width(2.5)),
    )))?;
    // the label below the ring, on the side with more room: the trajectory runs from the
    // bottom right (coverage 100 %) to the top left, so below-left and below-right stay clear
    let dy = 0.025 * (1.02 - ymin);
    let (anchor, x) = if sel.0 > 0.5 {
        (Pos::new(HPos::Right, VPos::Top), sel.0 - 0.012)
    } else {
        (Pos::new(HPos::Left, VPos::Top), sel.0 + 0.012)
    };
    chart.draw_series(std::iter::once(Text::new(
        st.fill(Msg::BoxNumber, &[("k", &c.selected)]),
        (x, sel.1 - dy),
        st.axis_font().pos(anchor),
    )))?;
    let most = c.boxes.iter().map(|b| b.2).max().unwrap_or(0);
    let mut entries = vec![Entry::heading(st.t(Msg::RestrictedParameters))];
    for r in 0..=most.min(RESTRICTED.len() - 1) {
        let label = if r == RESTRICTED.len() - 1 && most > r {
            st.fill(Msg::OrMore, &[("n", &r)])
        } else {
            r.to_string()
        };
        entries.push(Entry::point(label, restricted_color(r)));
    }
    entries.push(Entry::heading(st.t(Msg::Boxes)));
    entries.push(Entry::line(
        st.t(Msg::PeelingTrajectory),
        MUTED,
        st.width(1.2),
    ));
    if c.pasted_from < c.boxes.len() {
        entries.push(Entry::line(st.t(Msg::PastedBox), INK, st.width(2.0)));
    }
    entries.push(Entry::line(
        st.fill(Msg::SelectedBox, &[("k", &c.selected)]),
        INK,
        st.width(2.5),
    ));
    if let Some(t) = c.threshold {
        entries.push(Entry::dashed(
            st.fill(Msg::CoverageThreshold, &[("p", &pct(t, st))]),
            TARGET,
            st.width(1.5),
        ));
    }
    legend(&f.legend, st, &entries)
}
