//! The look shared by every chart: embedded font, colour-blind-safe palettes, sizes scaled to the
//! image, number formatting, the title/plot/legend layout and the legend itself.
//!
//! Colours come from Paul Tol's colour-blind-safe schemes (muted, bright, light) and the
//! Okabe–Ito palette. A sector, carrier, pillar or scenario keeps its colour in every chart of an
//! output folder: the colour depends on the name (known names have fixed colours) and on the
//! sorted set of names of the folder, never on which chart draws it.
//!
//! Here: the font, [`Style`] (sizes and fonts scaled to the image, its language) and the line
//! and fill styles; in submodules, re-exported here: colours and colour maps (`palette`),
//! number formats (`format`), the frame and legend layout (`legend`), and the axes (`axes`).

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

mod axes;
mod format;
mod legend;
mod palette;

pub use axes::*;
pub use format::*;
pub use legend::*;
pub use palette::*;

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

    /// This style with every length and font `factor` times as large (a legend that needs more
    /// room than its column has).
    pub fn shrunk(mut self, factor: f64) -> Style {
        self.scale *= factor;
        self
    }

    /// The font size of legend entries, px.
    pub fn legend_font_px(&self) -> f64 {
        19.0 * self.scale
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
