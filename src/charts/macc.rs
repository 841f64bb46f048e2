//! Per scenario: the marginal abatement cost curve from `macc.csv` — one bar per measure, width =
//! abatement (kt CO2e/yr), height = cost (€/t CO2e), sorted by cost, coloured by pillar; the
//! measures of the state and the EU pale and hatched apart from the region's own. Every bar is
//! named, or numbered with a key beside the chart when its name has no room.

use crate::i18n::Msg;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use super::load::{MaccRow, ScenarioData};
use super::style::{
    DrawResult, Entry, INK, MUTED, ValueAxes, fill, frame, hatch, legend, line, padded,
    pillar_color, value_axes,
};
use crate::scenario::Pillar;

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    ctx: &Ctx,
    sc: &ScenarioData,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let st = &ctx.st;
    let data = ctx.data;
    let rows = sorted_rows(data, sc);
    let total: f64 = rows.iter().map(|r| r.abatement_kt).sum();
    let year = rows
        .first()
        .map_or(data.meta.target.year, |r| r.target_year);
    let (lo, hi) = rows.iter().fold((0.0f64, 0.0f64), |(l, h), r| {
        (l.min(r.cost_eur_per_t), h.max(r.cost_eur_per_t))
    });
    let (y0, y1) = padded(lo, hi);
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::MaccTitle,
            &[
                ("region", &data.meta.region),
                ("scenario", &ctx.scenario_name(&sc.name)),
            ],
        ),
        &format!(
            "{}{}",
            st.fill(
                Msg::MaccSubtitle,
                &[
                    ("year", &year),
                    ("kt", &st.num(total)),
                    ("meur", &st.num(data.annual_cost_meur(&sc.name))),
                ],
            ),
            if rows.iter().any(|r| !own(sc, r)) {
                // the region's own share, when the state and the EU take some of the measures
                let own_rows = rows.iter().filter(|r| own(sc, r));
                let kt: f64 = own_rows.clone().map(|r| r.abatement_kt).sum();
                let meur: f64 = own_rows
                    .map(|r| r.abatement_kt * r.cost_eur_per_t / 1000.0)
                    .sum();
                st.fill(
                    Msg::MaccOwnShare,
                    &[("kt", &st.num(kt)), ("meur", &st.num(meur))],
                )
            } else {
                String::new()
            }
        ),
    )?;
    let x1 = if total > 0.0 { total * 1.02 } else { 1.0 };
    let mut chart = value_axes(
        &f.plot,
        st,
        ValueAxes {
            x: (0.0, x1),
            y: (y0, y1),
            x_desc: st.fill(Msg::MaccX, &[("year", &year)]),
            y_desc: st.t(Msg::MaccY),
            x_ticks: super::style::nice_ticks(0.0, x1, 10),
            x_fmt: &|v| st.num(*v),
        },
    )?;
    let mut x = 0.0;
    let mut bars = Vec::new();
    for r in &rows {
        bars.push((x, x + r.abatement_kt, r));
        x += r.abatement_kt;
    }
    // the region's own measures in their pillar's colour; national and EU ones pale and hatched
    chart.draw_series(bars.iter().map(|(a, b, r)| {
        let c = pillar_color(r.pillar);
        Rectangle::new(
            [(*a, 0.0), (*b, r.cost_eur_per_t)],
            fill(if own(sc, r) { c.mix(1.0) } else { c.mix(0.3) }),
        )
    }))?;
    for (a, b, r) in bars.iter().filter(|(_, _, r)| !own(sc, r)) {
        let (x0, y0) = chart.backend_coord(&(*a, 0.0));
        let (x1, y1) = chart.backend_coord(&(*b, r.cost_eur_per_t));
        let (bx, by) = root.get_base_pixel();
        for seg in hatch([x0, y0.min(y1), x1, y0.max(y1)], st.px(12.0)) {
            root.draw(&PathElement::new(
                seg.iter()
                    .map(|&(x, y)| (x - bx, y - by))
                    .collect::<Vec<_>>(),
                line(pillar_color(r.pillar).mix(0.55), st.width(1.0)),
            ))?;
        }
    }
    chart.draw_series(bars.iter().map(|(a, b, r)| {
        Rectangle::new(
            [(*a, 0.0), (*b, r.cost_eur_per_t)],
            line(WHITE, st.width(1.5)),
        )
    }))?;
    chart.draw_series(LineSeries::new(
        [(0.0, 0.0), (x1, 0.0)],
        line(INK, st.width(1.5)),
    ))?;
    // every bar is identified: its whole name, read upwards inside the bar when the bar is wide
    // enough for a line of text and tall enough for the name, else beyond its end; a bar with
    // no room for its whole name, or whose name would touch another label, gets a number
    // beyond its end instead, named in the key beside the chart
    let font = st.note_font();
    let ink = font.clone().color(&INK);
    let area = chart.plotting_area();
    let size = |t: &str| {
        area.estimate_text_size(t, &font)
            .map_or((i32::MAX, st.px(17.0)), |(w, h)| (w as i32, h as i32))
    };
    let line_h = size("Hg").1;
    let (top, bottom) = {
        let (_, t) = chart.backend_coord(&(0.0, y1));
        let (_, b) = chart.backend_coord(&(0.0, y0));
        (t, b)
    };
    let (_, zero) = chart.backend_coord(&(0.0, 0.0));
    let pad = st.px(6.0);
    let mut placed = Placed::default();
    let mut key: Vec<(usize, &MaccRow, String)> = Vec::new();
    let (bx, by) = root.get_base_pixel();
    for (a, b, r) in &bars {
        let (pa, _) = chart.backend_coord(&(*a, 0.0));
        let (pb, _) = chart.backend_coord(&(*b, 0.0));
        let name = bar_name(ctx, sc, r);
        let (_, end) = chart.backend_coord(&(0.0, r.cost_eur_per_t));
        let up = r.cost_eur_per_t >= 0.0;
        let x = (pa + pb) / 2;
        let full = size(&name).0;
        let name_at = if pb - pa >= line_h + st.px(2.0) {
            let inside = (zero - end).abs() - 2 * pad;
            let (start, room) = if full <= inside {
                (if up { zero - pad } else { zero + pad }, inside)
            } else if up {
                (end - pad, end - top - pad)
            } else {
                (end + pad, bottom - end - pad)
            };
            let rect = if up {
                [x - line_h / 2, start - full, x + line_h / 2, start]
            } else {
                [x - line_h / 2, start, x + line_h / 2, start + full]
            };
            (full <= room && placed.free(rect)).then_some((start, rect))
        } else {
            None
        };
        if let Some((start, rect)) = name_at {
            placed.add(rect);
            let style = ink
                .clone()
                .transform(if up {
                    FontTransform::Rotate270
                } else {
                    FontTransform::Rotate90
                })
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw_text(&name, &style, (x - bx, start - by))?;
            continue;
        }
        let k = key.len() + 1;
        let label = k.to_string();
        let w = size(&label).0;
        // beyond the bar's end, further out while it would touch another label
        let mut y = if up {
            end - st.px(3.0)
        } else {
            end + st.px(3.0)
        };
        let rect_at = |y: i32| {
            if up {
                [x - w / 2, y - line_h, x + w / 2, y]
            } else {
                [x - w / 2, y, x + w / 2, y + line_h]
            }
        };
        while !placed.free(rect_at(y)) && y > top && y < bottom {
            y += if up { -line_h / 2 } else { line_h / 2 };
        }
        placed.add(rect_at(y));
        let style = ink.clone().pos(Pos::new(
            HPos::Center,
            if up { VPos::Bottom } else { VPos::Top },
        ));
        root.draw_text(&label, &style, (x - bx, y - by))?;
        key.push((k, r, name));
    }
    let entries = entries(ctx, sc, &rows, key);
    legend(&f.legend, st, &entries)
}

/// A bar's measure name in the chart's language.
fn bar_name(ctx: &Ctx, sc: &ScenarioData, r: &MaccRow) -> String {
    match sc.meta.measures.iter().find(|m| m.id == r.measure) {
        Some(m) => ctx.measure_name(m),
        None if r.name.is_empty() => r.measure.clone(),
        None => r.name.clone(),
    }
}

/// Whether the region itself takes the measure of a bar ([`super::own_measure`]).
fn own(sc: &ScenarioData, r: &MaccRow) -> bool {
    super::own_measure(sc, &r.measure)
}

/// The boxes of the labels drawn so far, px: `[left, top, right, bottom]`.
#[derive(Default)]
struct Placed(Vec<[i32; 4]>);

impl Placed {
    /// Whether `r` keeps a pixel clear of every box drawn so far.
    fn free(&self, r: [i32; 4]) -> bool {
        self.0
            .iter()
            .all(|p| r[2] + 1 < p[0] || p[2] + 1 < r[0] || r[3] + 1 < p[1] || p[3] + 1 < r[1])
    }

    fn add(&mut self, r: [i32; 4]) {
        self.0.push(r);
    }
}

/// The scenario's MACC rows with a positive abatement, cheapest first (ties by measure id).
fn sorted_rows<'a>(data: &'a super::ChartData, sc: &ScenarioData) -> Vec<&'a MaccRow> {
    let mut rows: Vec<&MaccRow> = data
        .macc
        .iter()
        .flatten()
        .filter(|r| r.scenario == sc.name && r.abatement_kt > 0.0)
        .collect();
    rows.sort_by(|a, b| {
        a.cost_eur_per_t
            .total_cmp(&b.cost_eur_per_t)
            .then_with(|| a.measure.cmp(&b.measure))
    });
    rows
}

/// The legend: the pillars shown, the owners when national or EU measures are among the bars,
/// and the key of the numbered bars.
fn entries(
    ctx: &Ctx,
    sc: &ScenarioData,
    rows: &[&MaccRow],
    key: Vec<(usize, &MaccRow, String)>,
) -> Vec<Entry> {
    let st = &ctx.st;
    let mut entries = vec![Entry::heading(st.t(Msg::Pillar))];
    for p in Pillar::ALL {
        if rows.iter().any(|r| r.pillar == p) {
            entries.push(Entry::area(st.lang.pillar(p), pillar_color(p)));
        }
    }
    if rows.iter().any(|r| !own(sc, r)) {
        entries.push(Entry::heading(st.t(Msg::ColOwner)));
        entries.push(Entry::area(st.t(Msg::OwnMeasures), MUTED));
        entries.push(Entry::hatched(st.t(Msg::NationalMeasures), MUTED));
    }
    if !key.is_empty() {
        entries.push(Entry::heading(st.t(Msg::MaccKey)));
        for (k, r, name) in key {
            let c = pillar_color(r.pillar);
            let label = format!("{k} {name}");
            entries.push(if own(sc, r) {
                Entry::area(label, c)
            } else {
                Entry::hatched(label, c)
            });
        }
    }
    entries
}
