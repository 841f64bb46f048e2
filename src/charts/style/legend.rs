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
