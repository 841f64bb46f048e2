//! The look shared by every chart: embedded font, colour-blind-safe palettes, sizes scaled to the
//! image, number formatting, the title/plot/legend layout and the legend itself.
//!
//! Colours come from Paul Tol's colour-blind-safe schemes (muted, bright, light) and the
//! Okabe–Ito palette. A sector, carrier, pillar or scenario keeps its colour in every chart of an
//! output folder: the colour depends on the name (known names have fixed colours) and on the
//! sorted set of names of the folder, never on which chart draws it.

use crate::scenario::Pillar;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{
    KeyPointHint, KeyPointWeight, NoDefaultFormatting, Ranged, ValueFormatter,
};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Result of drawing on a backend.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The family every chart uses, registered with the embedded DejaVu Sans. In SVG it is a CSS
/// font list, so a viewer without DejaVu Sans falls back to its sans-serif face.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Registers the embedded DejaVu Sans (regular and bold) once per process.
pub fn register_fonts() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| "the embedded DejaVu Sans font is invalid".to_string())?;
        plotters::style::register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold())
            .map_err(|_| "the embedded DejaVu Sans Bold font is invalid".to_string())
    })
    .clone()
}

/// `#rrggbb` to a colour.
const fn hex(v: u32) -> RGBColor {
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// Text and axes.
pub const INK: RGBColor = hex(0x222222);
/// Secondary text.
pub const MUTED: RGBColor = hex(0x666666);
/// Grid lines.
pub const GRID: RGBColor = hex(0xE3E3E3);
/// Target markers.
pub const TARGET: RGBColor = hex(0xB2182B);

/// Paul Tol's muted scheme (colour-blind safe), for emission sectors.
const SECTOR_POOL: [RGBColor; 10] = [
    hex(0xCC6677), // rose: transport
    hex(0x332288), // indigo: electricity
    hex(0xDDCC77), // sand: heating
    hex(0x117733), // green: land use
    hex(0x88CCEE), // cyan: machinery
    hex(0x882255), // wine: industry
    hex(0x44AA99), // teal: waste
    hex(0x999933), // olive: agriculture
    hex(0xAA4499), // purple: f-gases
    hex(0xBBBBBB), // grey: other
];

/// Sector names (lower case, matched as a prefix) with a fixed colour of [`SECTOR_POOL`].
const SECTOR_KNOWN: [(&str, usize); 14] = [
    ("transport", 0),
    ("electricity", 1),
    ("energy", 1),
    ("heating", 2),
    ("buildings", 2),
    ("land use", 3),
    ("lulucf", 3),
    ("forest", 3),
    ("machinery", 4),
    ("industry", 5),
    ("waste", 6),
    ("agriculture", 7),
    ("f-gases", 8),
    ("other", 9),
];

/// Greens and blues for removal sectors (drawn below zero).
const REMOVAL_POOL: [RGBColor; 6] = [
    hex(0x117733), // green: land use, forests
    hex(0x44AA99), // teal: BECCS
    hex(0x88CCEE), // cyan: DACCS, technical
    hex(0x999933), // olive: soils, agriculture
    hex(0x332288), // indigo
    hex(0x6699CC), // blue
];

/// Removal sector names (lower case, prefix) with a fixed colour of [`REMOVAL_POOL`].
const REMOVAL_KNOWN: [(&str, usize); 7] = [
    ("land use", 0),
    ("lulucf", 0),
    ("forest", 0),
    ("beccs", 1),
    ("daccs", 2),
    ("dac", 2),
    ("agriculture", 3),
];

/// Carrier colours, grouped by family (electricity blue, heat red, fossil greys and oranges,
/// biogenic greens); a pool large enough that each carrier of a region has its own.
const CARRIER_POOL: [RGBColor; 20] = [
    hex(0x4477AA), // 0 blue: electricity
    hex(0xEE6677), // 1 red: district heat
    hex(0x555555), // 2 dark grey: diesel
    hex(0xAAAAAA), // 3 grey: petrol
    hex(0x228833), // 4 green: wood
    hex(0xCCBB44), // 5 yellow: natural gas
    hex(0x66CCEE), // 6 cyan: biogas
    hex(0x997744), // 7 brown: peat
    hex(0xAA3377), // 8 purple: hydrogen
    hex(0x99DDFF), // 9 light blue: heat pumps, ambient heat
    hex(0x44BB99), // 10 mint: renewable diesel, HVO
    hex(0xEE8866), // 11 orange: light fuel oil
    hex(0xBBCC33), // 12 pear: ethanol
    hex(0x222222), // 13 black: coal
    hex(0x994455), // 14 wine: heavy fuel oil
    hex(0x225522), // 15 dark green: firewood
    hex(0xDDAA33), // 16 ochre: LPG
    hex(0x77AADD), // 17 sky
    hex(0xFFAABB), // 18 pink
    hex(0x6699CC), // 19 steel blue
];

/// Carrier names (lower case; matched exactly first, then as a substring, in this order) with
/// a colour of [`CARRIER_POOL`].
const CARRIER_KNOWN: [(&str, usize); 24] = [
    ("district", 1),
    ("heat pump", 9),
    ("ambient", 9),
    ("electric", 0),
    ("renewable diesel", 10),
    ("hvo", 10),
    ("biodiesel", 10),
    ("diesel", 2),
    ("petrol", 3),
    ("gasoline", 3),
    ("firewood", 15),
    ("wood", 4),
    ("biomass", 4),
    ("biogas", 6),
    ("biomethane", 6),
    ("natural gas", 5),
    ("lpg", 16),
    ("peat", 7),
    ("hydrogen", 8),
    ("ethanol", 12),
    ("heavy fuel oil", 14),
    ("light fuel oil", 11),
    ("oil", 11),
    ("coal", 13),
];

/// Okabe–Ito, for scenarios (in the folder's scenario order).
const SCENARIO_POOL: [RGBColor; 7] = [
    hex(0x0072B2),
    hex(0xD55E00),
    hex(0x009E73),
    hex(0xCC79A7),
    hex(0xE69F00),
    hex(0x56B4E9),
    hex(0x000000),
];

/// FNV-1a, 64-bit: a hash that never changes between builds or platforms.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The colour of a pillar (Okabe–Ito; fixed for every chart).
pub fn pillar_color(pillar: Pillar) -> RGBColor {
    match pillar {
        Pillar::Logistics => hex(0x0072B2),
        Pillar::Bioeconomy => hex(0x009E73),
        Pillar::Transport => hex(0xE69F00),
        Pillar::Digitalisation => hex(0xCC79A7),
        Pillar::Energy => hex(0xD55E00),
        Pillar::Other => hex(0x999999),
    }
}

/// The pillar written `name` in files (`logistics`, …), if it is one.
pub fn pillar_named(name: &str) -> Option<Pillar> {
    Pillar::ALL.into_iter().find(|p| p.as_str() == name)
}

/// A name → colour map built from all names of an output folder.
#[derive(Debug, Clone, Default)]
pub struct ColorMap {
    colors: BTreeMap<String, RGBColor>,
}

impl ColorMap {
    /// Known names take their fixed colour unless another name already has it; the rest take
    /// unused pool colours in sorted order (cycling only when the pool runs out).
    fn build(
        names: impl IntoIterator<Item = String>,
        pool: &[RGBColor],
        known: &[(&str, usize)],
        prefix: bool,
    ) -> ColorMap {
        let names: std::collections::BTreeSet<String> = names.into_iter().collect();
        let mut colors = BTreeMap::new();
        let mut used = vec![false; pool.len()];
        let mut rest = Vec::new();
        // exact names first, so `Diesel` gets diesel's colour before `Renewable Diesel` matches
        let matched = |lower: &str, exact: bool| {
            known.iter().find(|(k, _)| {
                if exact {
                    lower == *k
                } else if prefix {
                    lower.starts_with(k)
                } else {
                    lower.contains(k)
                }
            })
        };
        let mut pending: Vec<&String> = Vec::new();
        for n in &names {
            match matched(&n.to_lowercase(), true) {
                Some(&(_, i)) if !used[i] => {
                    used[i] = true;
                    colors.insert(n.clone(), pool[i]);
                }
                _ => pending.push(n),
            }
        }
        for n in pending {
            match matched(&n.to_lowercase(), false) {
                Some(&(_, i)) if !used[i] => {
                    used[i] = true;
                    colors.insert(n.clone(), pool[i]);
                }
                _ => rest.push(n.clone()),
            }
        }
        let free: Vec<usize> = (0..pool.len()).filter(|&i| !used[i]).collect();
        for (j, n) in rest.into_iter().enumerate() {
            let i = if free.is_empty() {
                j % pool.len()
            } else {
                free[j % free.len()]
            };
            colors.insert(n, pool[i]);
        }
        ColorMap { colors }
    }

    /// Colours of top-level emission sectors.
    pub fn sectors(names: impl IntoIterator<Item = String>) -> ColorMap {
        ColorMap::build(names, &SECTOR_POOL, &SECTOR_KNOWN, true)
    }

    /// Colours of top-level removal sectors.
    pub fn removals(names: impl IntoIterator<Item = String>) -> ColorMap {
        ColorMap::build(names, &REMOVAL_POOL, &REMOVAL_KNOWN, true)
    }

    /// Colours of carriers.
    pub fn carriers(names: impl IntoIterator<Item = String>) -> ColorMap {
        ColorMap::build(names, &CARRIER_POOL, &CARRIER_KNOWN, false)
    }

    /// Colours of scenarios, fixed by name so that a scenario looks the same in every output
    /// folder: the bundled scenarios have their own, any other name the pool colour its hash
    /// picks. Where two names of one run would share a colour, the later one by name takes the
    /// next free colour (while any is free).
    pub fn scenarios<'a>(names: impl IntoIterator<Item = &'a str>) -> ColorMap {
        let mut names: Vec<&str> = names.into_iter().collect();
        names.sort_unstable();
        names.dedup();
        let mut used = [false; SCENARIO_POOL.len()];
        let mut colors = BTreeMap::new();
        for n in names {
            let own = match n {
                "baseline" => 0,
                "neutral2040" => 1,
                "programme" => 2,
                _ => (fnv1a(n) % SCENARIO_POOL.len() as u64) as usize,
            };
            let free = (0..SCENARIO_POOL.len())
                .map(|k| (own + k) % SCENARIO_POOL.len())
                .find(|&i| !used[i])
                .unwrap_or(own);
            used[free] = true;
            colors.insert(n.to_string(), SCENARIO_POOL[free]);
        }
        ColorMap { colors }
    }

    /// The colour of a name (grey when unknown).
    pub fn get(&self, name: &str) -> RGBColor {
        self.colors.get(name).copied().unwrap_or(hex(0x999999))
    }
}

/// A line style.
pub fn line(color: impl Color, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: color.to_rgba(),
        filled: false,
        stroke_width: width,
    }
}

/// A fill style.
pub fn fill(color: impl Color) -> ShapeStyle {
    ShapeStyle {
        color: color.to_rgba(),
        filled: true,
        stroke_width: 0,
    }
}

/// Formats an axis number with a space as the thousands separator and a true minus sign:
/// `12 500`, `−1 200`, `0.25`.
///
/// ```
/// use kymsim::charts::style::thousands;
/// assert_eq!(thousands(1234567.0), "1 234 567");
/// assert_eq!(thousands(-2500.0), "−2 500");
/// assert_eq!(thousands(0.25), "0.25");
/// assert_eq!(thousands(-0.0), "0");
/// ```
pub fn thousands(v: f64) -> String {
    crate::i18n::Lang::En.thousands(v)
}

/// Formats a year tick (blank between whole years).
pub fn year_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{}", v.round() as i64)
    } else {
        String::new()
    }
}

/// Sizes scaled to the image: every length is `px(base)` with `base` at 1600×900.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Image size.
    pub size: (u32, u32),
    scale: f64,
    /// Language of every text and number.
    pub lang: crate::i18n::Lang,
}

impl Style {
    /// The style of an image of `size`.
    pub fn new(size: (u32, u32)) -> Style {
        let scale = (size.0 as f64 / 1600.0).min(size.1 as f64 / 900.0).max(0.2);
        Style {
            size,
            scale,
            lang: crate::i18n::Lang::En,
        }
    }

    /// This style in language `lang`.
    pub fn with_lang(mut self, lang: crate::i18n::Lang) -> Style {
        self.lang = lang;
        self
    }

    /// A number in the chart's language ([`crate::i18n::Lang::thousands`]).
    pub fn num(&self, v: f64) -> String {
        self.lang.thousands(v)
    }

    /// A share as a percentage in the chart's language.
    pub fn pct(&self, share: f64) -> String {
        self.lang.percent(share)
    }

    /// A message of the catalogue in the chart's language.
    pub fn t(&self, m: crate::i18n::Msg) -> &'static str {
        self.lang.t(m)
    }

    /// A message with its placeholders filled, in the chart's language.
    pub fn fill(&self, m: crate::i18n::Msg, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.lang.fill(m, args)
    }

    /// A length scaled from 1600×900.
    pub fn px(&self, base: f64) -> i32 {
        (base * self.scale).round().max(1.0) as i32
    }

    /// A line width scaled from 1600×900.
    pub fn width(&self, base: f64) -> u32 {
        (base * self.scale).round().max(1.0) as u32
    }

    fn font(&self, base: f64, bold: bool) -> FontDesc<'static> {
        let style = if bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        FontDesc::new(FontFamily::Name(FAMILY), base * self.scale, style)
    }

    /// Chart title.
    pub fn title_font(&self) -> TextStyle<'static> {
        self.font(34.0, true).color(&INK)
    }

    /// Subtitle under the title.
    pub fn subtitle_font(&self) -> TextStyle<'static> {
        self.font(21.0, false).color(&MUTED)
    }

    /// Axis descriptions (with units).
    pub fn axis_font(&self) -> TextStyle<'static> {
        self.font(22.0, false).color(&INK)
    }

    /// Tick labels.
    pub fn tick_font(&self) -> TextStyle<'static> {
        self.font(19.0, false).color(&INK)
    }

    /// Legend entries.
    pub fn legend_font(&self) -> TextStyle<'static> {
        self.font(19.0, false).color(&INK)
    }

    /// Legend section headings.
    pub fn legend_heading_font(&self) -> TextStyle<'static> {
        self.font(19.0, true).color(&INK)
    }

    /// Annotations in the plot.
    pub fn note_font(&self) -> TextStyle<'static> {
        self.font(17.0, false).color(&MUTED)
    }

    /// Width of the legend column.
    pub fn legend_width(&self) -> i32 {
        self.px(380.0)
    }
}

/// The parts of a chart image: the plot area and the legend column to its right.
pub struct Frame<DB: DrawingBackend> {
    /// Where the chart goes.
    pub plot: DrawingArea<DB, Shift>,
    /// Where the legend goes (outside the plot, so it never hides data).
    pub legend: DrawingArea<DB, Shift>,
}

/// Fills the background, draws the title and subtitle, and splits the rest into plot and legend.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &Style,
    title: &str,
    subtitle: &str,
) -> Result<Frame<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let m = st.px(28.0);
    let top = st.title_font().pos(Pos::new(HPos::Left, VPos::Top));
    root.draw_text(title, &top, (m, st.px(20.0)))?;
    let sub = st.subtitle_font().pos(Pos::new(HPos::Left, VPos::Top));
    root.draw_text(subtitle, &sub, (m, st.px(64.0)))?;
    let (_, body) = root.split_vertically(st.px(100.0));
    let w = st.size.0 as i32;
    let (plot, legend) = body.split_horizontally(w - st.legend_width());
    Ok(Frame { plot, legend })
}

/// How a legend entry is drawn.
#[derive(Debug, Clone)]
pub enum Mark {
    /// A filled swatch.
    Area(RGBAColor),
    /// A line.
    Line(RGBAColor, u32),
    /// A dashed line.
    Dashed(RGBAColor, u32),
    /// A point.
    Point(RGBAColor),
    /// A hollow ring (a target point).
    Ring(RGBAColor),
    /// A bold heading without a mark.
    Heading,
}

/// A legend entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The text.
    pub label: String,
    /// The mark.
    pub mark: Mark,
}

impl Entry {
    /// A filled swatch.
    pub fn area(label: impl Into<String>, c: impl Color) -> Entry {
        Entry {
            label: label.into(),
            mark: Mark::Area(c.to_rgba()),
        }
    }
    /// A line.
    pub fn line(label: impl Into<String>, c: impl Color, w: u32) -> Entry {
        Entry {
            label: label.into(),
            mark: Mark::Line(c.to_rgba(), w),
        }
    }
    /// A dashed line.
    pub fn dashed(label: impl Into<String>, c: impl Color, w: u32) -> Entry {
        Entry {
            label: label.into(),
            mark: Mark::Dashed(c.to_rgba(), w),
        }
    }
    /// A hollow ring.
    pub fn ring(label: impl Into<String>, c: impl Color) -> Entry {
        Entry {
            label: label.into(),
            mark: Mark::Ring(c.to_rgba()),
        }
    }
    /// A point.
    pub fn point(label: impl Into<String>, c: impl Color) -> Entry {
        Entry {
            label: label.into(),
            mark: Mark::Point(c.to_rgba()),
        }
    }
    /// A heading.
    pub fn heading(label: impl Into<String>) -> Entry {
        Entry {
            label: label.into(),
            mark: Mark::Heading,
        }
    }
}

/// Shortens `text` with `…` until it fits `max` pixels in `font`.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle,
    max: i32,
) -> String {
    let width = |t: &str| {
        area.estimate_text_size(t, font)
            .map_or(0, |(w, _)| w as i32)
    };
    if width(text) <= max {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let t: String = chars.iter().collect::<String>() + "…";
        if width(&t) <= max {
            return t;
        }
    }
    "…".into()
}

/// Splits `text` into at most two lines of `max` pixels (the second shortened with `…`).
fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle,
    max: i32,
) -> Vec<String> {
    let width = |t: &str| {
        area.estimate_text_size(t, font)
            .map_or(0, |(w, _)| w as i32)
    };
    if width(text) <= max {
        return vec![text.to_string()];
    }
    let words: Vec<&str> = text.split(' ').collect();
    let mut first = String::new();
    let mut k = 0;
    while k < words.len() {
        let next = if first.is_empty() {
            words[k].to_string()
        } else {
            format!("{first} {}", words[k])
        };
        if width(&next) > max && !first.is_empty() {
            break;
        }
        first = next;
        k += 1;
    }
    let rest = words[k..].join(" ");
    let first = fit(area, &first, font, max);
    if rest.is_empty() {
        vec![first]
    } else {
        vec![first, fit(area, &rest, font, max)]
    }
}

/// Draws a legend, top-aligned, in the legend column.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    entries: &[Entry],
) -> DrawResult<DB> {
    let x0 = st.px(16.0);
    let sw = st.px(34.0);
    let gap = st.px(10.0);
    let row = st.px(31.0);
    let (w, _) = area.dim_in_pixel();
    let text_max = w as i32 - x0 - sw - gap - st.px(12.0);
    let mut y = st.px(24.0);
    for e in entries {
        let cy = y + row / 2;
        let font = if matches!(e.mark, Mark::Heading) {
            st.legend_heading_font()
        } else {
            st.legend_font()
        };
        let font = font.pos(Pos::new(HPos::Left, VPos::Center));
        match &e.mark {
            Mark::Heading => {
                if y > st.px(24.0) {
                    y += st.px(8.0);
                }
                let t = fit(area, &e.label, &font, w as i32 - x0 - st.px(12.0));
                area.draw_text(&t, &font, (x0, y + row / 2))?;
                y += row;
                continue;
            }
            Mark::Area(c) => {
                area.draw(&Rectangle::new(
                    [(x0, cy - st.px(10.0)), (x0 + sw, cy + st.px(10.0))],
                    fill(*c),
                ))?;
            }
            Mark::Line(c, lw) => {
                area.draw(&PathElement::new(
                    vec![(x0, cy), (x0 + sw, cy)],
                    line(*c, *lw),
                ))?;
            }
            Mark::Dashed(c, lw) => {
                let dash = sw / 4;
                let mut x = x0;
                while x < x0 + sw {
                    area.draw(&PathElement::new(
                        vec![(x, cy), ((x + dash).min(x0 + sw), cy)],
                        line(*c, *lw),
                    ))?;
                    x += dash * 2;
                }
            }
            Mark::Ring(c) => {
                area.draw(&Circle::new(
                    (x0 + sw / 2, cy),
                    st.px(8.0),
                    line(*c, st.width(3.0)),
                ))?;
            }
            Mark::Point(c) => {
                area.draw(&Circle::new((x0 + sw / 2, cy), st.px(7.0), fill(*c)))?;
                area.draw(&Circle::new(
                    (x0 + sw / 2, cy),
                    st.px(7.0),
                    line(WHITE, st.width(1.5)),
                ))?;
            }
        }
        let lines = wrap(area, &e.label, &font, text_max);
        let line_h = st.px(23.0);
        for (k, t) in lines.iter().enumerate() {
            area.draw_text(t, &font, (x0 + sw + gap, cy + k as i32 * line_h))?;
        }
        y += row + (lines.len() as i32 - 1) * line_h;
    }
    Ok(())
}

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
}

impl Ticked {
    /// An axis over `range` with ticks at `ticks`.
    pub fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Ticked {
        Ticked {
            inner: range.clone().into(),
            range,
            ticks,
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
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
    let xr = (f64::from(x.0) - 0.5)..(f64::from(x.1) + 0.5);
    let mut chart = ChartBuilder::on(area)
        .margin_top(st.px(12.0))
        .margin_right(st.px(20.0))
        .margin_left(st.px(12.0))
        .margin_bottom(st.px(8.0))
        .x_label_area_size(st.px(72.0))
        .y_label_area_size(st.px(120.0))
        .build_cartesian_2d(Ticked::new(xr, year_ticks(x.0, x.1)), y.0..y.1)?;
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

/// Percent with no decimals when ≥ 10, one otherwise: `45 %`, `2.5 %` (English).
pub fn percent(share: f64) -> String {
    crate::i18n::Lang::En.percent(share)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_scenario_keeps_its_colour_in_every_folder() {
        let alone = ColorMap::scenarios(["programme"]);
        let with_others = ColorMap::scenarios(["zeta", "baseline", "programme", "alpha"]);
        assert_eq!(alone.get("programme"), with_others.get("programme"));
        assert_eq!(alone.get("programme"), SCENARIO_POOL[2]);
        // an unknown name: the same colour whatever else runs, as long as it is free
        let a = ColorMap::scenarios(["my_scenario"]).get("my_scenario");
        let b = ColorMap::scenarios(["baseline", "my_scenario"]).get("my_scenario");
        assert_eq!(a, b);
        // names of one run never share a colour while the pool lasts
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let m = ColorMap::scenarios(names);
        let mut seen: Vec<RGBColor> = names.iter().map(|n| m.get(n)).collect();
        seen.sort_by_key(|c| (c.0, c.1, c.2));
        seen.dedup();
        assert_eq!(seen.len(), 7);
    }

    use super::*;

    #[test]
    fn thousands_groups_digits_and_signs() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1 000");
        assert_eq!(thousands(-1000.4), "−1 000");
        assert_eq!(thousands(12.5), "12.5");
        assert_eq!(thousands(-0.5), "−0.5");
        assert_eq!(thousands(2.0), "2");
    }

    #[test]
    fn known_names_keep_their_colour_whatever_else_is_present() {
        let a = ColorMap::sectors(["Transport".to_string(), "Zeta".to_string()]);
        let b = ColorMap::sectors([
            "Alpha".to_string(),
            "Transport".to_string(),
            "Waste".to_string(),
        ]);
        assert_eq!(a.get("Transport"), b.get("Transport"));
        let names = [
            "Electricity",
            "District Heat",
            "Diesel",
            "Renewable Diesel",
            "Wood",
            "Firewood",
            "Light Fuel Oil",
            "Heavy Fuel Oil",
            "Coal",
            "Gasoline",
            "Ethanol",
            "Peat",
        ];
        let c = ColorMap::carriers(names.map(String::from));
        let distinct: std::collections::BTreeSet<_> =
            names.iter().map(|n| format!("{:?}", c.get(n))).collect();
        assert_eq!(
            distinct.len(),
            names.len(),
            "every carrier has its own colour"
        );
        assert_eq!(c.get("Diesel"), CARRIER_POOL[2]);
        assert_eq!(c.get("Renewable Diesel"), CARRIER_POOL[10]);
    }

    #[test]
    fn year_ticks_step_to_at_most_thirteen() {
        assert_eq!(
            year_ticks(2020, 2030),
            (2020..=2030).map(f64::from).collect::<Vec<_>>()
        );
        assert_eq!(year_ticks(1990, 2050)[..3], [1990.0, 1995.0, 2000.0]);
        assert_eq!(year_ticks(1991, 2050)[0], 1995.0);
    }

    #[test]
    fn year_ticks_are_whole_years() {
        assert_eq!(year_tick(2040.0), "2040");
        assert_eq!(year_tick(2040.5), "");
    }
}
