//! The layout of a chart image — title, subtitle, plot area and the legend column — and the
//! legend itself: entries, shortening and wrapping of long labels.

use super::*;

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
    // a subtitle too long for the width is drawn a little smaller, else on two lines (split at
    // the ` · ` nearest its middle, or a space), the plot moving down by a line
    let room = st.size.0 as i32 - 2 * m;
    let width = |t: &str, font: &TextStyle| {
        root.estimate_text_size(t, font)
            .map_or(0, |(w, _)| w as i32)
    };
    let mut font = st.subtitle_font();
    let mut lines = vec![subtitle.to_string()];
    if width(subtitle, &font) > room {
        let smaller = st.shrunk(0.86).subtitle_font();
        if width(subtitle, &smaller) <= room {
            font = smaller;
        } else {
            lines = split_line(subtitle);
        }
    }
    let sub = font.pos(Pos::new(HPos::Left, VPos::Top));
    let line_h = st.px(27.0);
    for (k, l) in lines.iter().enumerate() {
        root.draw_text(l, &sub, (m, st.px(64.0) + k as i32 * line_h))?;
    }
    let (_, body) = root.split_vertically(st.px(100.0) + (lines.len() as i32 - 1) * line_h);
    let w = st.size.0 as i32;
    let (plot, legend) = body.split_horizontally(w - st.legend_width());
    Ok(Frame { plot, legend })
}

/// The strokes of a 45° hatch across the box `[left, top, right, bottom]` (px), `gap` apart,
/// each clipped to the box.
///
/// ```
/// use kymsim::charts::style::hatch;
/// // a 10 × 10 box, strokes 10 apart: the one through the bottom-left corner to the top-right,
/// // and the one starting 10 px further right, outside the box, is left out
/// assert_eq!(hatch([0, 0, 10, 10], 10), vec![[(0, 10), (10, 0)]]);
/// ```
pub fn hatch(b: [i32; 4], gap: i32) -> Vec<[(i32, i32); 2]> {
    let [x0, y0, x1, y1] = b;
    let h = y1 - y0;
    let gap = gap.max(2);
    let mut out = Vec::new();
    // a stroke rises from (c, y1) to (c + h, y0); it is seen where its x is within the box
    let mut c = x0 - h;
    while c <= x1 {
        let t0 = (x0 - c).max(0);
        let t1 = (x1 - c).min(h);
        if t1 > t0 {
            out.push([(c + t0, y1 - t0), (c + t1, y1 - t1)]);
        }
        c += gap;
    }
    out
}

/// `text` in two lines: split at the ` · ` nearest its middle, else at the space nearest it.
fn split_line(text: &str) -> Vec<String> {
    let mid = text.chars().count() / 2;
    let best = |sep: &str| {
        text.match_indices(sep)
            .map(|(i, _)| i)
            .min_by_key(|&i| text[..i].chars().count().abs_diff(mid))
            .map(|i| (i, sep.len()))
    };
    match best(" · ").or_else(|| best(" ")) {
        Some((i, n)) => vec![text[..i].to_string(), text[i + n..].to_string()],
        None => vec![text.to_string()],
    }
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
    /// A hollow square (a milestone).
    Square(RGBAColor),
    /// A pale, hatched swatch (a measure of the state or the EU).
    Hatched(RGBAColor),
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
    /// A pale, hatched swatch.
    pub fn hatched(label: impl Into<String>, c: impl Color) -> Entry {
        Entry {
            label: label.into(),
            mark: Mark::Hatched(c.to_rgba()),
        }
    }
    /// A hollow square.
    pub fn square(label: impl Into<String>, c: impl Color) -> Entry {
        Entry {
            label: label.into(),
            mark: Mark::Square(c.to_rgba()),
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

/// The most lines a legend label wraps into.
const MAX_LINES: usize = 3;

/// Splits `text` into at most [`MAX_LINES`] lines of `max` pixels (the last shortened with `…`).
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
    let words: Vec<&str> = text.split(' ').collect();
    let mut lines = Vec::new();
    let mut k = 0;
    while k < words.len() {
        if lines.len() + 1 == MAX_LINES {
            lines.push(fit(area, &words[k..].join(" "), font, max));
            break;
        }
        let mut line = String::new();
        while k < words.len() {
            let next = if line.is_empty() {
                words[k].to_string()
            } else {
                format!("{line} {}", words[k])
            };
            if width(&next) > max && !line.is_empty() {
                break;
            }
            line = next;
            k += 1;
        }
        lines.push(fit(area, &line, font, max));
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The smallest legend text, px: a legend that needs more room than its column shrinks to it at
/// most.
const MIN_LEGEND_FONT_PX: f64 = 11.0;

/// Draws a legend, top-aligned, in the legend column; when its entries need more height than
/// the column has, it is drawn smaller (text down to [`MIN_LEGEND_FONT_PX`]) so that none is
/// cut.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    entries: &[Entry],
) -> DrawResult<DB> {
    let (_, h) = area.dim_in_pixel();
    let mut st = *st;
    let fits = |st: &Style, pitch: f64| legend_height(area, st, entries, pitch) <= h as i32;
    for _ in 0..8 {
        if fits(&st, 1.0) || st.shrunk(0.94).legend_font_px() < MIN_LEGEND_FONT_PX {
            break;
        }
        st = st.shrunk(0.94);
    }
    // at the smallest text, the entries close up (to three quarters of their spacing, still a
    // line apart; the lines of one entry keep theirs)
    let pitch = [1.0, 0.92, 0.85, 0.8, 0.75]
        .into_iter()
        .find(|p| fits(&st, *p))
        .unwrap_or(0.75);
    draw_legend(area, &st, entries, pitch)
}

/// The font of an entry.
fn entry_font(st: &Style, e: &Entry) -> TextStyle<'static> {
    let font = if matches!(e.mark, Mark::Heading) {
        st.legend_heading_font()
    } else {
        st.legend_font()
    };
    font.pos(Pos::new(HPos::Left, VPos::Center))
}

/// The room of a label beside its mark, px.
fn text_room<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, st: &Style) -> i32 {
    let (w, _) = area.dim_in_pixel();
    w as i32 - st.px(16.0) - st.px(34.0) - st.px(10.0) - st.px(12.0)
}

/// The height a legend needs, px.
fn legend_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    entries: &[Entry],
    pitch: f64,
) -> i32 {
    let (row, line_h) = (st.px(31.0 * pitch), st.px(23.0));
    let mut y = st.px(24.0);
    for e in entries {
        if matches!(e.mark, Mark::Heading) {
            if y > st.px(24.0) {
                y += st.px(8.0);
            }
            let (w, _) = area.dim_in_pixel();
            let room = w as i32 - st.px(16.0) - st.px(12.0);
            let n = wrap(area, &e.label, &entry_font(st, e), room).len() as i32;
            y += row + (n - 1) * line_h;
        } else {
            let n = wrap(area, &e.label, &entry_font(st, e), text_room(area, st)).len() as i32;
            y += row + (n - 1) * line_h;
        }
    }
    y
}

/// Draws the legend with rows `pitch` times their usual spacing.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    entries: &[Entry],
    pitch: f64,
) -> DrawResult<DB> {
    let x0 = st.px(16.0);
    let sw = st.px(34.0);
    let gap = st.px(10.0);
    let row = st.px(31.0 * pitch);
    let line_h = st.px(23.0);
    let (w, _) = area.dim_in_pixel();
    let text_max = text_room(area, st);
    let mut y = st.px(24.0);
    for e in entries {
        let cy = y + row / 2;
        let font = entry_font(st, e);
        match &e.mark {
            Mark::Heading => {
                if y > st.px(24.0) {
                    y += st.px(8.0);
                }
                let lines = wrap(area, &e.label, &font, w as i32 - x0 - st.px(12.0));
                for (k, t) in lines.iter().enumerate() {
                    area.draw_text(t, &font, (x0, y + row / 2 + k as i32 * line_h))?;
                }
                y += row + (lines.len() as i32 - 1) * line_h;
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
            Mark::Hatched(c) => {
                let r = [x0, cy - st.px(10.0), x0 + sw, cy + st.px(10.0)];
                area.draw(&Rectangle::new(
                    [(r[0], r[1]), (r[2], r[3])],
                    fill(c.mix(0.3)),
                ))?;
                for seg in hatch(r, st.px(12.0)) {
                    area.draw(&PathElement::new(
                        seg.to_vec(),
                        line(c.mix(0.55), st.width(1.0)),
                    ))?;
                }
            }
            Mark::Square(c) => {
                let (cx, r) = (x0 + sw / 2, st.px(7.0));
                area.draw(&Rectangle::new(
                    [(cx - r, cy - r), (cx + r, cy + r)],
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
        for (k, t) in lines.iter().enumerate() {
            area.draw_text(t, &font, (x0 + sw + gap, cy + k as i32 * line_h))?;
        }
        y += row + (lines.len() as i32 - 1) * line_h;
    }
    Ok(())
}
