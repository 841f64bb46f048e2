//! Per scenario, against the reference scenario of `difference.csv`: the net emissions of both
//! and the gap between them split into the measures (or pillars) that make it, stacked from the
//! reference's line: what lowers the scenario's emissions below the line, what raises them above
//! it, so that every band shows whole.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Ctx;
use super::emissions::time_range;
use super::load::{DifferenceRow, ScenarioData};
use super::style::{
    DrawResult, Entry, INK, band, fill, frame, legend, line, padded, pillar_color, time_axes,
};
use crate::decision::difference::RESIDUAL;
use crate::i18n::Msg;
use crate::model::variables::NET;
use crate::scenario::Pillar;

/// The display name of a share.
fn share_name(ctx: &Ctx, r: &DifferenceRow) -> String {
    if r.measure == RESIDUAL {
        return ctx.st.t(Msg::OtherSettings).to_string();
    }
    if r.measure.is_empty() {
        return ctx.st.lang.pillar(r.pillar).to_string();
    }
    ctx.data
        .meta
        .measure_of(&r.scenario, &r.reference, &r.measure)
        .map_or_else(|| r.measure.clone(), |m| ctx.measure_name(m))
}

/// The most shares drawn one by one; the rest are one band (the legend must fit the smallest
/// image; `difference.csv` and the report list them all).
const MAX_BANDS: usize = 10;

/// A band of the chart: name, pillar (None: the band of the other measures), kt per year.
type Band = (String, Option<Pillar>, Vec<f64>);

/// The shares of the gap of `scenario` per year of the results, in file order; beyond
/// [`MAX_BANDS`] the largest in the target year (by magnitude) and one band of the others.
fn shares(ctx: &Ctx, scenario: &str, ti: usize) -> Vec<Band> {
    let n = ctx.data.years.len();
    let mut out: Vec<Band> = Vec::new();
    for r in ctx
        .data
        .difference
        .iter()
        .flatten()
        .filter(|r| r.scenario == scenario)
    {
        let name = share_name(ctx, r);
        let Some(i) = ctx.data.year_index(r.year) else {
            continue;
        };
        match out.iter_mut().find(|(m, _, _)| *m == name) {
            Some((_, _, v)) => v[i] += r.kt,
            None => {
                let mut v = vec![0.0; n];
                v[i] = r.kt;
                out.push((name, Some(r.pillar), v));
            }
        }
    }
    if out.len() > MAX_BANDS + 1 {
        let at = |b: &Band| b.2.get(ti).copied().unwrap_or(0.0).abs();
        out.sort_by(|a, b| at(b).total_cmp(&at(a)).then_with(|| a.0.cmp(&b.0)));
        let rest = out.split_off(MAX_BANDS);
        let mut sum = vec![0.0; n];
        for (_, _, v) in &rest {
            for (s, x) in sum.iter_mut().zip(v) {
                *s += x;
            }
        }
        out.push((
            ctx.st.fill(Msg::OtherMeasures, &[("n", &rest.len())]),
            None,
            sum,
        ));
    }
    out
}

/// Colours of the bands: each pillar's colour, lighter for each further measure of the pillar;
/// grey for the other measures.
fn band_colors(bands: &[Band]) -> Vec<RGBColor> {
    bands
        .iter()
        .enumerate()
        .map(|(i, (_, pillar, _))| match pillar {
            None => RGBColor(0xBB, 0xBB, 0xBB),
            Some(p) => {
                let same = bands.iter().filter(|b| b.1 == *pillar).count();
                let rank = bands[..i].iter().filter(|b| b.1 == *pillar).count();
                let t = if same > 1 {
                    0.65 * rank as f64 / (same - 1) as f64
                } else {
                    0.0
                };
                let c = pillar_color(*p);
                let light = |x: u8| (f64::from(x) + (255.0 - f64::from(x)) * t).round() as u8;
                RGBColor(light(c.0), light(c.1), light(c.2))
            }
        })
        .collect()
}

/// Where a share is drawn, per year: its part that raises the scenario's emissions as a band
/// `up` = (lower, upper) above the reference line, its part that lowers them as `down` =
/// (upper, lower) below it.
#[derive(Debug, Clone, PartialEq)]
struct Stacked {
    up: (Vec<f64>, Vec<f64>),
    down: (Vec<f64>, Vec<f64>),
}

/// Stacks the shares from the reference's net line: each year, what lowers the scenario's
/// emissions (a positive share) downwards from the line, what raises them (a negative share)
/// upwards from it, in the order of `shares`. So every band is seen whole, none is painted over
/// and no abatement is drawn above the reference line; the scenario's net lies at the line
/// minus the lowering plus the raising.
fn stack_from_reference(ref_net: &[f64], shares: &[Band]) -> Vec<Stacked> {
    let mut above = ref_net.to_vec();
    let mut below = ref_net.to_vec();
    shares
        .iter()
        .map(|(_, _, v)| {
            let up_to: Vec<f64> = above
                .iter()
                .zip(v)
                .map(|(a, s)| a + (-s).max(0.0))
                .collect();
            let down_to: Vec<f64> = below.iter().zip(v).map(|(b, s)| b - s.max(0.0)).collect();
            let st = Stacked {
                up: (above.clone(), up_to.clone()),
                down: (below.clone(), down_to.clone()),
            };
            above = up_to;
            below = down_to;
            st
        })
        .collect()
}

/// The reference scenario of `scenario` in `difference.csv`.
pub(super) fn reference_of<'d>(ctx: &Ctx<'d>, scenario: &str) -> Option<&'d str> {
    ctx.data
        .difference
        .iter()
        .flatten()
        .find(|r| r.scenario == scenario)
        .map(|r| r.reference.as_str())
}

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
    let reference = reference_of(ctx, &sc.name).unwrap_or_default();
    let ti = data
        .year_index(data.meta.target.year)
        .unwrap_or(n.saturating_sub(1));
    let mut shares = shares(ctx, &sc.name, ti);
    // the reference's net = the scenario's + every share (they add up to the gap)
    let ref_net: Vec<f64> = (0..n)
        .map(|i| net[i] + shares.iter().map(|(_, _, v)| v[i]).sum::<f64>())
        .collect();
    // raising shares first (upwards from the reference), then the lowering ones by pillar,
    // largest first; the other measures last
    let pillar_rank = |p: &Option<Pillar>| {
        p.map_or(Pillar::ALL.len(), |p| {
            Pillar::ALL.iter().position(|q| *q == p).unwrap_or(0)
        })
    };
    shares.sort_by(|a, b| {
        let (va, vb) = (
            a.2.get(ti).copied().unwrap_or(0.0),
            b.2.get(ti).copied().unwrap_or(0.0),
        );
        (va >= 0.0)
            .cmp(&(vb >= 0.0))
            .then_with(|| pillar_rank(&a.1).cmp(&pillar_rank(&b.1)))
            .then_with(|| vb.abs().total_cmp(&va.abs()))
            .then_with(|| a.0.cmp(&b.0))
    });
    let bands = stack_from_reference(&ref_net, &shares);
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in net
        .iter()
        .chain(&ref_net)
        .chain(bands.iter().flat_map(|b| b.down.1.iter().chain(&b.up.1)))
    {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    let (y0, y1) = padded(lo, hi);
    let gap = ref_net.get(ti).copied().unwrap_or(0.0) - net.get(ti).copied().unwrap_or(0.0);
    let f = frame(
        root,
        st,
        &st.fill(
            Msg::DifferenceTitle,
            &[
                ("region", &data.meta.region),
                ("scenario", &ctx.scenario_name(&sc.name)),
                ("reference", &ctx.scenario_name(reference)),
            ],
        ),
        &st.fill(
            Msg::DifferenceSubtitle,
            &[("year", &data.meta.target.year), ("kt", &st.num(gap))],
        ),
    )?;
    let (x0, x1) = time_range(ctx, false);
    let mut chart = time_axes(&f.plot, st, (x0, x1), (y0, y1), st.t(Msg::AxisNetKt))?;
    chart.draw_series(LineSeries::new(
        [(f64::from(x0) - 0.5, 0.0), (f64::from(x1) + 0.5, 0.0)],
        line(INK, st.width(1.5)),
    ))?;
    let colors = band_colors(&shares);
    let mut entries = vec![Entry::heading(
        st.t(
            if data
                .difference
                .iter()
                .flatten()
                .any(|r| r.scenario == sc.name && r.measure.is_empty())
            {
                Msg::GapByPillar
            } else {
                Msg::GapByMeasure
            },
        ),
    )];
    // what raises the scenario's emissions above the reference line, what lowers them below
    // it, each group under its heading
    let raises = |v: &[f64]| v.get(ti).copied().unwrap_or(0.0) < 0.0;
    let any_raise = shares.iter().any(|(_, _, v)| raises(v));
    if any_raise {
        entries.clear();
    }
    for raising in [true, false] {
        if any_raise {
            entries.push(Entry::heading(st.t(if raising {
                Msg::GapRaises
            } else {
                Msg::GapLowers
            })));
        }
        for ((name, _, v), &c) in shares.iter().zip(&colors) {
            if raises(v) == raising {
                entries.push(Entry::area(name.clone(), c.mix(0.85)));
            }
        }
    }
    for (b, &c) in bands.iter().zip(&colors) {
        for (upper, lower) in [(&b.up.1, &b.up.0), (&b.down.0, &b.down.1)] {
            if upper.iter().zip(lower.iter()).any(|(u, l)| u - l > 1e-9) {
                chart.draw_series(std::iter::once(band(&xs, upper, lower, fill(c.mix(0.85)))))?;
            }
        }
    }
    let sc_color = ctx.scenarios.get(&sc.name);
    let ref_color = ctx.scenarios.get(reference);
    chart.draw_series(DashedLineSeries::new(
        xs.iter().copied().zip(ref_net.iter().copied()),
        st.px(12.0),
        st.px(7.0),
        line(ref_color, st.width(3.0)),
    ))?;
    chart.draw_series(LineSeries::new(
        xs.iter().copied().zip(net.iter().copied()),
        line(sc_color, st.width(3.5)),
    ))?;
    entries.push(Entry::heading(st.t(Msg::NetEmissions)));
    entries.push(Entry::dashed(
        st.fill(
            Msg::ReferenceNamed,
            &[("name", &ctx.scenario_name(reference))],
        ),
        ref_color,
        st.width(3.0),
    ));
    entries.push(Entry::line(
        st.fill(
            Msg::ScenarioNamed,
            &[("name", &ctx.scenario_name(&sc.name))],
        ),
        sc_color,
        st.width(3.5),
    ));
    entries.push(Entry::line(st.t(Msg::NetZero), INK, st.width(1.5)));
    legend(&f.legend, st, &entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowering_shares_stack_below_the_reference_and_raising_ones_above() {
        // reference 100 kt in both years; a measure lowering by 10 then 20, other settings
        // raising by 5 then 4, a measure lowering by 3 in the second year only
        let shares: Vec<Band> = vec![
            ("port".into(), None, vec![10.0, 20.0]),
            ("other".into(), None, vec![-5.0, -4.0]),
            ("heat".into(), None, vec![0.0, 3.0]),
        ];
        let s = stack_from_reference(&[100.0, 100.0], &shares);
        // port: 100 → 90, 100 → 80 below; nothing above
        assert_eq!(s[0].down, (vec![100.0, 100.0], vec![90.0, 80.0]));
        assert_eq!(s[0].up, (vec![100.0, 100.0], vec![100.0, 100.0]));
        // other settings: above the line, 100 → 105 and 100 → 104; nothing more below
        assert_eq!(s[1].up, (vec![100.0, 100.0], vec![105.0, 104.0]));
        assert_eq!(s[1].down, (vec![90.0, 80.0], vec![90.0, 80.0]));
        // heat continues below port: 80 → 77 in the second year
        assert_eq!(s[2].down, (vec![90.0, 80.0], vec![90.0, 77.0]));
        // the scenario's net, 100 − 20 + 4 − 3 = 81, lies between the stacks' ends (77, 104)
    }
}
