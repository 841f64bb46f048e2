//! Charts (PNG and SVG, drawn with plotters) and the self-contained HTML report.
//!
//! The charts read [`ChartData`] — parsed from an output folder's files by [`load`] — never the
//! model, so `kymsim plot DIR` redraws them from `results.csv`, `summary.csv` and
//! `metadata.json` (plus the optional wedges, MACC, sensitivity and batch files) alone.
//! Every chart is drawn once per format, in parallel; the bytes are deterministic.
//!
//! Files (relative to the output folder), `<s>` being a scenario name:
//!
//! | file | when |
//! |---|---|
//! | `charts/emissions_<s>.{png,svg}` | always: gross by sector, removals, net, history, target |
//! | `charts/net_all.{png,svg}` | always: every scenario's net, with the batch 5–95 % band when `batch/stats.csv` exists |
//! | `charts/energy_<s>.{png,svg}` | always: final energy by carrier |
//! | `charts/wedges_<s>.{png,svg}` | with `wedges.csv` |
//! | `charts/difference_<s>.{png,svg}` | with `difference.csv`: against the reference scenario |
//! | `charts/batch_<s>.{png,svg}` | with `batch/distributions.csv` |
//! | `charts/macc_<s>.{png,svg}` | with `macc.csv` |
//! | `charts/sensitivity_<s>.{png,svg}` | with `sensitivity.csv` |
//! | `report.html` | always |
//! | `report.xlsx` | always: the report's tables as a workbook ([`xlsx`]) |
//!
//! `kymsim discover` and `kymsim sensitivity --method morris` draw charts of their own data
//! with [`render_standalone`]: `charts/discovery_<s>` and `charts/morris_<s>`.

mod difference;
pub mod discovery;
mod distribution;
mod emissions;
mod energy;
pub mod load;
pub mod load_plan;
pub mod load_track;
mod macc;
pub mod metadata;
pub mod morris;
mod net;
mod report;
pub mod report_budget;
pub mod report_track;
mod sensitivity;
pub mod style;
mod wedges;
pub mod xlsx;

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use crate::output::prior;
use crate::output::recorded::InputHash;

pub use load::{ChartData, OutputFiles};
pub use metadata::{METADATA_JSON, Metadata};

use crate::error::{Error, InputError, Result};
use crate::i18n::{Lang, Msg};
use style::{ColorMap, DrawResult, Style};

/// Folder of the charts, relative to the output folder.
pub const CHARTS_DIR: &str = "charts";
/// File name of the report.
pub const REPORT_HTML: &str = "report.html";
/// Default image size.
pub const DEFAULT_SIZE: (u32, u32) = (1600, 900);

/// Parses `WxH` (e.g. `1600x900`): width 1040–8000, height 585–8000 pixels ([`MIN_SIZE`]).
///
/// ```
/// assert_eq!(kymsim::charts::parse_size("1200x675").unwrap(), (1200, 675));
/// assert!(kymsim::charts::parse_size("12x").is_err());
/// ```
pub fn parse_size(s: &str) -> std::result::Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("`{s}` is not WIDTHxHEIGHT, e.g. 1600x900"))?;
    let parse = |v: &str, min: u32, side: &str| -> std::result::Result<u32, String> {
        let n: u32 = v
            .trim()
            .parse()
            .map_err(|_| format!("`{v}` in `{s}` is not a whole number of pixels"))?;
        if (min..=MAX_SIDE).contains(&n) {
            Ok(n)
        } else {
            Err(format!(
                "a {side} of {n} pixels is outside {min}–{MAX_SIDE}: below {}x{} the smallest text would be under 11 px",
                MIN_SIZE.0, MIN_SIZE.1
            ))
        }
    };
    Ok((
        parse(w, MIN_SIZE.0, "width")?,
        parse(h, MIN_SIZE.1, "height")?,
    ))
}

/// A readable name for a model parameter: `Measure name (effect)` for `measure.<id>.value` (and
/// `cost`, `completion year`, `energy ratio`), the first clause of an uncertainty's description
/// (up to `:` or `;`, at most 48 characters), `<driver> growth`; the raw name otherwise.
pub fn parameter_label(
    parameter: &str,
    lang: Lang,
    measure_name: impl Fn(&str) -> Option<String>,
    uncertainty_description: impl Fn(&str) -> Option<String>,
) -> String {
    if let Some((id, field)) = parameter
        .strip_prefix("measure.")
        .and_then(|rest| rest.rsplit_once('.'))
        && let Some(name) = measure_name(id)
    {
        let field = match field {
            "value" => lang.t(Msg::FieldEffect),
            "full" => lang.t(Msg::FieldCompletion),
            "cost" => lang.t(Msg::FieldCost),
            "energy_ratio" => lang.t(Msg::FieldEnergyRatio),
            f => f,
        };
        return format!("{name} ({field})");
    }
    if parameter.starts_with("uncertainty.")
        && let Some(d) = uncertainty_description(parameter)
    {
        let first = d.split([':', ';']).next().unwrap_or_default().trim();
        if !first.is_empty() {
            let chars: Vec<char> = first.chars().collect();
            return if chars.len() > 48 {
                format!("{}…", chars[..47].iter().collect::<String>().trim_end())
            } else {
                first.to_string()
            };
        }
    }
    if let Some(id) = parameter
        .strip_prefix("driver.")
        .and_then(|r| r.strip_suffix(".growth"))
    {
        return lang.fill(Msg::DriverGrowth, &[("driver", &id.replace('_', " "))]);
    }
    parameter.to_string()
}

/// The smallest image: text is drawn at sizes scaled from 1600×900, the smallest (notes) at
/// 17 px, so 0.65 of that size keeps every text at 11 px or more.
pub const MIN_SIZE: (u32, u32) = (1040, 585);
/// The largest image side.
pub const MAX_SIDE: u32 = 8000;

/// A rendered file, relative to the output folder.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Relative path, e.g. `charts/net_all.png`.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// What a chart shows.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Emissions(usize),
    Net,
    Energy(usize),
    Wedges(usize),
    Difference(usize),
    Distribution(usize),
    Macc(usize),
    Sensitivity(usize),
}

/// One chart to draw.
#[derive(Debug, Clone)]
struct Job {
    stem: String,
    kind: Kind,
}

/// What every chart shares: the data, the sizes and the colour maps.
pub(crate) struct Ctx<'a> {
    data: &'a ChartData,
    st: Style,
    sectors: ColorMap,
    removals: ColorMap,
    land: ColorMap,
    carriers: ColorMap,
    scenarios: ColorMap,
}

impl Ctx<'_> {
    fn xs(&self) -> Vec<f64> {
        self.data.years.iter().map(|&y| f64::from(y)).collect()
    }

    /// A sector path or carrier name in the chart's language (the English name when the data
    /// gives no Finnish one).
    fn name(&self, en: &str) -> String {
        self.st
            .lang
            .pick(en, self.data.meta.finnish(en))
            .to_string()
    }

    /// A scenario's name in the chart's language (`name_fi` in Finnish when given).
    fn scenario_name(&self, name: &str) -> String {
        self.data.meta.scenario_name(name, self.st.lang)
    }

    /// A measure's name in the chart's language.
    fn measure_name(&self, m: &metadata::MeasureMeta) -> String {
        self.st.lang.pick(&m.name, m.name_fi.as_deref()).to_string()
    }
}

/// Whether the region itself (its council or municipalities) takes measure `id` of a scenario;
/// a measure that names no owner counts as the region's.
fn own_measure(sc: &load::ScenarioData, id: &str) -> bool {
    sc.meta
        .measures
        .iter()
        .find(|m| m.id == id)
        .and_then(|m| m.owner.as_deref())
        .and_then(crate::scenario::Owner::parse)
        .is_none_or(crate::scenario::Owner::is_regional)
}

fn jobs(data: &ChartData) -> Vec<Job> {
    let mut jobs = vec![Job {
        stem: "net_all".into(),
        kind: Kind::Net,
    }];
    for (i, sc) in data.scenarios.iter().enumerate() {
        let n = &sc.name;
        jobs.push(Job {
            stem: format!("emissions_{n}"),
            kind: Kind::Emissions(i),
        });
        jobs.push(Job {
            stem: format!("energy_{n}"),
            kind: Kind::Energy(i),
        });
        let wedges = data
            .wedges
            .as_ref()
            .is_some_and(|w| w.iter().any(|r| &r.scenario == n));
        if wedges {
            jobs.push(Job {
                stem: format!("wedges_{n}"),
                kind: Kind::Wedges(i),
            });
        }
        if data
            .difference
            .as_ref()
            .is_some_and(|d| d.iter().any(|r| &r.scenario == n))
        {
            jobs.push(Job {
                stem: format!("difference_{n}"),
                kind: Kind::Difference(i),
            });
        }
        if data
            .distributions
            .get(n)
            .is_some_and(|d| !d.net_kt.is_empty() || !d.neutrality_year.is_empty())
        {
            jobs.push(Job {
                stem: format!("batch_{n}"),
                kind: Kind::Distribution(i),
            });
        }
        if data
            .macc
            .as_ref()
            .is_some_and(|m| m.iter().any(|r| &r.scenario == n))
        {
            jobs.push(Job {
                stem: format!("macc_{n}"),
                kind: Kind::Macc(i),
            });
        }
        if data
            .sensitivity
            .as_ref()
            .is_some_and(|m| m.iter().any(|r| &r.scenario == n))
        {
            jobs.push(Job {
                stem: format!("sensitivity_{n}"),
                kind: Kind::Sensitivity(i),
            });
        }
    }
    jobs
}

impl Job {
    fn draw<DB: DrawingBackend>(&self, ctx: &Ctx, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        match self.kind {
            Kind::Emissions(i) => emissions::draw(ctx, &ctx.data.scenarios[i], root),
            Kind::Net => net::draw(ctx, root),
            Kind::Energy(i) => energy::draw(ctx, &ctx.data.scenarios[i], root),
            Kind::Wedges(i) => wedges::draw(ctx, &ctx.data.scenarios[i], root),
            Kind::Difference(i) => difference::draw(ctx, &ctx.data.scenarios[i], root),
            Kind::Distribution(i) => distribution::draw(ctx, &ctx.data.scenarios[i], root),
            Kind::Macc(i) => macc::draw(ctx, &ctx.data.scenarios[i], root),
            Kind::Sensitivity(i) => sensitivity::draw(ctx, &ctx.data.scenarios[i], root),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Png,
    Svg,
}

/// A chart that could not be drawn: a failure of kymsim's drawing, not of the input or the disk.
fn draw_error(path: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("drawing `{path}` failed: {e}"))
}

/// Something drawn on any backend.
trait Chart: Sync {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// A chart of an output folder.
struct InFolder<'a> {
    ctx: &'a Ctx<'a>,
    job: &'a Job,
}

impl Chart for InFolder<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        self.job.draw(self.ctx, root)
    }
}

/// A chart drawn from data of its own rather than an output folder's files.
#[derive(Debug, Clone)]
pub enum Standalone {
    /// The PRIM peeling trajectory of `kymsim discover`.
    Discovery(discovery::DiscoveryChart),
    /// Morris screening (`kymsim sensitivity --method morris`).
    Morris(morris::MorrisChart),
}

struct Sized<'a> {
    chart: &'a Standalone,
    st: Style,
}

impl Chart for Sized<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        match self.chart {
            Standalone::Discovery(c) => discovery::draw(c, &self.st, root),
            Standalone::Morris(c) => morris::draw(c, &self.st, root),
        }
    }
}

/// Draws a standalone chart as `charts/<stem>.png` and `charts/<stem>.svg` (in that order).
pub fn render_standalone(
    chart: &Standalone,
    stem: &str,
    size: (u32, u32),
    lang: Lang,
) -> Result<Vec<Rendered>> {
    style::register_fonts().map_err(|e| Error::internal(format!("cannot load the fonts: {e}")))?;
    let sized = Sized {
        chart,
        st: Style::new(size).with_lang(lang),
    };
    [Format::Png, Format::Svg]
        .into_iter()
        .map(|f| {
            let ext = if f == Format::Png { "png" } else { "svg" };
            Ok(Rendered {
                path: format!("{CHARTS_DIR}/{stem}.{ext}"),
                bytes: render_one(&sized, stem, size, f)?,
            })
        })
        .collect()
}

fn render_one(
    chart: &impl Chart,
    stem: &str,
    (w, h): (u32, u32),
    format: Format,
) -> Result<Vec<u8>> {
    match format {
        Format::Svg => {
            let path = format!("{CHARTS_DIR}/{stem}.svg");
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
                chart.draw_on(&root).map_err(|e| draw_error(&path, e))?;
                root.present().map_err(|e| draw_error(&path, e))?;
            }
            Ok(s.into_bytes())
        }
        Format::Png => {
            let path = format!("{CHARTS_DIR}/{stem}.png");
            let mut buf = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                chart.draw_on(&root).map_err(|e| draw_error(&path, e))?;
                root.present().map_err(|e| draw_error(&path, e))?;
            }
            encode_png(&buf, w, h).map_err(|e| draw_error(&path, e))
        }
    }
}

pub(crate) fn encode_png(
    rgb: &[u8],
    w: u32,
    h: u32,
) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// The inputs of an output folder as `manifest.json` lists them: the kymsim version and the
/// (path, SHA-256) of every input file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentInputs {
    /// kymsim version.
    pub version: String,
    /// (path, SHA-256) of every input file.
    pub inputs: Vec<(String, String)>,
}

impl CurrentInputs {
    /// From the bytes of a `manifest.json` (`None` when it cannot be read).
    pub fn from_manifest(bytes: &[u8]) -> Option<CurrentInputs> {
        let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let inputs = v.get("inputs")?.as_array()?;
        Some(CurrentInputs {
            version: v.get("kymsim_version")?.as_str()?.to_string(),
            inputs: inputs
                .iter()
                .map(|i| {
                    Some((
                        i.get("path")?.as_str()?.to_string(),
                        i.get("sha256")?.as_str()?.to_string(),
                    ))
                })
                .collect::<Option<Vec<_>>>()?,
        })
    }

    fn hashes(&self) -> Vec<InputHash> {
        self.inputs
            .iter()
            .map(|(path, sha256)| InputHash::new(path, sha256))
            .collect()
    }

    /// Whether the files recorded by an identity (`discovery_identity.json`,
    /// `morris_identity.json`) belong to these inputs (see [`prior::identity_matches`]).
    pub fn matches(&self, identity: &serde_json::Value) -> bool {
        let inputs = self.hashes();
        prior::identity_matches(
            identity,
            prior::Current {
                version: &self.version,
                inputs: &inputs,
            },
        )
    }
}

/// The charts of `kymsim discover` and `kymsim sensitivity --method morris` in `dir` whose
/// identity file matches `current`, as (stem, SVG bytes) for the report; which ones is decided by
/// [`prior::attached_charts`]. A FIFO, device or folder at such a name is refused; a chart
/// that is not plain drawing is not inlined by the report.
pub fn attached_charts(
    dir: &std::path::Path,
    current: &CurrentInputs,
) -> Result<Vec<(String, Vec<u8>)>> {
    let inputs = current.hashes();
    let now = prior::Current {
        version: &current.version,
        inputs: &inputs,
    };
    let mut out = Vec::new();
    for (stem, rel) in prior::attached_charts(dir, now)? {
        if let Some(svg) = crate::output::recorded::read_record(&dir.join(rel))? {
            out.push((stem, svg));
        }
    }
    Ok(out)
}

/// Draws every chart (PNG and SVG) and the report. Files come in a fixed order: each chart's
/// PNG then SVG, in chart order, then `report.html`.
pub fn render(data: &ChartData, size: (u32, u32), lang: Lang) -> Result<Vec<Rendered>> {
    render_with(data, size, lang, &[])
}

/// [`render`], with `attached` (stem, SVG) charts drawn by other commands shown in the report.
pub fn render_with(
    data: &ChartData,
    size: (u32, u32),
    lang: Lang,
    attached: &[(String, Vec<u8>)],
) -> Result<Vec<Rendered>> {
    style::register_fonts().map_err(|e| Error::internal(format!("cannot load the fonts: {e}")))?;
    let ctx = Ctx {
        data,
        st: Style::new(size).with_lang(lang),
        sectors: ColorMap::sectors(data.all_sectors(crate::model::variables::GROSS)),
        removals: ColorMap::removals(data.all_sectors(crate::model::variables::REMOVALS)),
        land: ColorMap::land(data.all_sectors(crate::model::variables::LAND)),
        carriers: ColorMap::carriers(data.all_carriers()),
        scenarios: ColorMap::scenarios(
            data.scenarios.iter().map(|s| s.name.as_str()).chain(
                data.difference
                    .iter()
                    .flatten()
                    .map(|r| r.reference.as_str()),
            ),
        ),
    };
    let jobs = jobs(data);
    let tasks: Vec<(usize, Format)> = (0..jobs.len())
        .flat_map(|j| [(j, Format::Png), (j, Format::Svg)])
        .collect();
    let drawn: Vec<Result<Vec<u8>>> = tasks
        .par_iter()
        .map(|&(j, f)| {
            let chart = InFolder {
                ctx: &ctx,
                job: &jobs[j],
            };
            render_one(&chart, &jobs[j].stem, ctx.st.size, f)
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len() + 1);
    for (&(j, f), bytes) in tasks.iter().zip(drawn) {
        let ext = if f == Format::Png { "png" } else { "svg" };
        out.push(Rendered {
            path: format!("{CHARTS_DIR}/{}.{ext}", jobs[j].stem),
            bytes: bytes?,
        });
    }
    let svgs: Vec<(String, &[u8])> = out
        .iter()
        .filter(|r| r.path.ends_with(".svg"))
        .map(|r| {
            let stem = r
                .path
                .trim_start_matches("charts/")
                .trim_end_matches(".svg");
            (stem.to_string(), r.bytes.as_slice())
        })
        .chain(attached.iter().map(|(s, b)| (s.clone(), b.as_slice())))
        .collect();
    let html = report::html(data, &svgs, lang);
    out.push(Rendered {
        path: REPORT_HTML.into(),
        bytes: html.into_bytes(),
    });
    out.push(Rendered {
        path: xlsx::REPORT_XLSX.into(),
        bytes: xlsx::workbook(data, lang)?,
    });
    Ok(out)
}

/// Reads an output folder's files and draws everything (what `kymsim plot` does), leaving out
/// the optional files named in `skip`, in `lang` (None: the language of the run, recorded in
/// `metadata.json`). The report shows the charts of `discover` and `sensitivity --method
/// morris` whose identity matches the folder's `manifest.json`.
pub fn render_dir(
    dir: &std::path::Path,
    size: (u32, u32),
    lang: Option<Lang>,
    skip: &[&str],
) -> Result<Vec<Rendered>> {
    let files = OutputFiles::read_dir(dir)?.without(skip);
    let mut data = ChartData::parse(&files)?;
    let lang = lang.unwrap_or(data.meta.lang);
    let current = crate::output::recorded::read_record(&dir.join(crate::output::MANIFEST_JSON))?
        .and_then(|b| CurrentInputs::from_manifest(&b));
    if let Some(c) = &current {
        data.plan = load_plan::read(dir, |id| c.matches(id))?;
    }
    let attached = match current {
        Some(c) => attached_charts(dir, &c)?,
        None => Vec::new(),
    };
    render_with(&data, size, lang, &attached)
}

/// Draws everything from the files a run has just staged (not yet on disk) and, for the
/// optional inputs not staged, those already in `dir` — the same parse as [`render_dir`], so
/// `kymsim plot` later gives identical files. `staged` holds (relative path, bytes) and must
/// include `results.csv`, `summary.csv` and `metadata.json`; it may include `wedges.csv`,
/// `macc.csv`, `sensitivity.csv`, `batch/stats.csv`, `batch/distributions.csv`. Optional files
/// named in `skip` are not read from `dir`.
pub fn render_run(
    dir: &std::path::Path,
    staged: &[(&str, &[u8])],
    size: (u32, u32),
    skip: &[&str],
    current: &CurrentInputs,
) -> Result<Vec<Rendered>> {
    use crate::input::TextFile;
    let named = |n: &str| -> Result<Option<TextFile>> {
        staged
            .iter()
            .find(|(p, _)| *p == n)
            .map(|(_, b)| TextFile::from_bytes(dir.join(n).display().to_string(), b))
            .transpose()
    };
    let core = |n: &str| -> Result<TextFile> {
        named(n)?.ok_or_else(|| InputError::new(format!("{n} was not staged")).into())
    };
    let mut files = OutputFiles::with_core(
        dir,
        core(crate::output::RESULTS_CSV)?,
        core(crate::output::SUMMARY_CSV)?,
        core(METADATA_JSON)?,
    )?
    .without(skip);
    for (name, slot) in [
        (load::WEDGES_CSV, &mut files.wedges),
        (load::MACC_CSV, &mut files.macc),
        (load::SENSITIVITY_CSV, &mut files.sensitivity),
        (load::STATS_CSV, &mut files.stats),
        (load::DISTRIBUTIONS_CSV, &mut files.distributions),
        (load::DIFFERENCE_CSV, &mut files.difference),
    ] {
        if let Some(f) = named(name)? {
            *slot = Some(f);
        }
    }
    let mut data = ChartData::parse(&files)?;
    data.plan = load_plan::read(dir, |id| current.matches(id))?;
    render_with(&data, size, data.meta.lang, &attached_charts(dir, current)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_matches_only_the_same_version_and_contents() {
        let current = CurrentInputs::from_manifest(
            br#"{"kymsim_version": "1.0", "inputs": [
                {"path": "data/region.toml", "sha256": "aa"},
                {"path": "/abs/scen/s.toml", "sha256": "bb"},
                {"path": "scen/t.toml", "sha256": "cc"}]}"#,
        )
        .unwrap();
        let id = |version: &str, inputs: &str| -> serde_json::Value {
            serde_json::from_str(&format!(
                r#"{{"kymsim_version": "{version}", "inputs": {inputs}}}"#
            ))
            .unwrap()
        };
        // a subset, the scenario named by another path: current
        let ok =
            r#"[{"path": "region.toml", "sha256": "aa"}, {"path": "scen/s.toml", "sha256": "bb"}]"#;
        assert!(current.matches(&id("1.0", ok)));
        // another version, a changed file, a file the run does not have: stale
        assert!(!current.matches(&id("1.1", ok)));
        assert!(!current.matches(&id("1.0", r#"[{"path": "scen/s.toml", "sha256": "b0"}]"#)));
        assert!(!current.matches(&id("1.0", r#"[{"path": "scen/u.toml", "sha256": "bb"}]"#)));
        // no input list: not an identity
        assert!(!current.matches(&serde_json::json!({"kymsim_version": "1.0"})));
    }
}
