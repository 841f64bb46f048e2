//! The report's section "On track?" ("Olemmeko aikataulussa?"): what `kymsim track` found, read
//! from `DIR/track/` when it is current (its `identity.json` records the inputs of this run:
//! the rule of [`crate::output::recorded::DERIVED`], as for a batch). The chart of `track`, the
//! effective sample size, P(target met) and each criterion before and after the observations
//! (in words and percent), target-year net emissions, the observations against the prior band
//! and the sectors furthest from the central projection.

use std::fmt::Write;
use std::path::Path;

use super::load::ChartData;
use super::report::{esc, kt, svg_is_inert};
use crate::data::Table;
use crate::error::{InputError, Result};
use crate::i18n::{Lang, Msg, Verdict};
use crate::input::TextFile;
use crate::model::criteria::{Criterion, Role, Test};
use crate::model::variables::{FINAL_ENERGY, GROSS};
use crate::output::schema::{
    TRACK_DEVIATION_COLUMNS, TRACK_DEVIATION_CSV, TRACK_OBSERVATIONS_COLUMNS,
    TRACK_OBSERVATIONS_CSV, TRACK_SUMMARY_CSV,
};

/// The files of `DIR/track/` the report reads.
#[derive(Debug)]
pub struct TrackFiles {
    /// `track/summary.csv`.
    pub summary: TextFile,
    /// `track/observations.csv`.
    pub observations: TextFile,
    /// `track/deviation.csv`.
    pub deviation: TextFile,
    /// `track/charts/track_<scenario>.svg`, when present.
    pub chart: Option<TextFile>,
}

impl TrackFiles {
    /// The files of `dir/track/` (None unless all three CSV files are there). The chart is the
    /// one of the scenario `track/summary.csv` names.
    pub fn read(dir: &Path) -> Result<Option<TrackFiles>> {
        let [summary, observations, deviation] = [
            TRACK_SUMMARY_CSV,
            TRACK_OBSERVATIONS_CSV,
            TRACK_DEVIATION_CSV,
        ]
        .map(|f| {
            let p = dir.join(f);
            p.is_file().then(|| TextFile::read(&p))
        });
        let (Some(summary), Some(observations), Some(deviation)) =
            (summary, observations, deviation)
        else {
            return Ok(None);
        };
        let summary = summary?;
        // the scenario of the first row names the chart; a name that is not a scenario name
        // names no file
        let scenario = summary
            .text
            .lines()
            .nth(1)
            .and_then(|l| l.split(',').next())
            .filter(|s| crate::scenario::is_scenario_name(s))
            .map(str::to_string);
        let chart = match scenario {
            Some(s) => {
                let p = dir.join(format!("track/charts/track_{s}.svg"));
                if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                    Some(TextFile::read(&p)?)
                } else {
                    None
                }
            }
            None => None,
        };
        Ok(Some(TrackFiles {
            summary,
            observations: observations?,
            deviation: deviation?,
            chart,
        }))
    }

    /// Parses the files.
    pub fn parse(&self) -> Result<TrackData> {
        let mut data = parse_summary(&self.summary)?;
        data.observations = parse_observations(&self.observations)?;
        data.deviation = parse_deviation(&self.deviation)?;
        data.chart_svg = self.chart.as_ref().map(|c| c.text.clone());
        Ok(data)
    }
}

/// One row of `track/observations.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackObservation {
    /// The year.
    pub year: i32,
    /// The variable of `results.csv`.
    pub variable: String,
    /// The observed figure.
    pub observed: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// The prior's 5th, 50th and 95th percentile at it.
    pub band: [f64; 3],
    /// The share of prior samples below it.
    pub percentile: f64,
}

/// One row of `track/deviation.csv`: observed − central projection in the latest year.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackDeviation {
    /// The year.
    pub year: i32,
    /// The variable.
    pub variable: String,
    /// Observed − central, kt.
    pub kt: f64,
}

/// What the report shows of `track/`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackData {
    /// The scenario updated.
    pub scenario: String,
    /// Prior samples.
    pub samples: f64,
    /// Kish's effective sample size.
    pub effective: f64,
    /// (criterion id, prior P, posterior P), `target_met` first, in the file's order.
    pub probabilities: Vec<(String, f64, f64)>,
    /// Target-year net emissions, p5/p50/p95, before the observations.
    pub net_prior: [f64; 3],
    /// The same after.
    pub net_posterior: [f64; 3],
    /// The observations.
    pub observations: Vec<TrackObservation>,
    /// The deviations of the latest year, the largest excess first.
    pub deviation: Vec<TrackDeviation>,
    /// The chart (SVG text).
    pub chart_svg: Option<String>,
}

const NET_COLUMNS: [&str; 6] = [
    "prior_net_kt_p5",
    "prior_net_kt_p50",
    "prior_net_kt_p95",
    "posterior_net_kt_p5",
    "posterior_net_kt_p50",
    "posterior_net_kt_p95",
];

fn parse_summary(file: &TextFile) -> Result<TrackData> {
    // the probability columns follow the criteria list: `prior_p_<id>`, `posterior_p_<id>`
    let header: Vec<&str> = file
        .text
        .lines()
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .collect();
    let ids: Vec<&str> = header
        .iter()
        .filter_map(|c| c.strip_prefix("prior_p_"))
        .collect();
    let probability_cols: Vec<String> = ids
        .iter()
        .flat_map(|id| [format!("prior_p_{id}"), format!("posterior_p_{id}")])
        .collect();
    let mut required = vec!["scenario", "samples", "effective_samples"];
    required.extend(NET_COLUMNS);
    required.extend(probability_cols.iter().map(String::as_str));
    let table = Table::read(file, &required, &[])?;
    let Some(row) = table.rows().next() else {
        return Err(InputError::new(format!("{}: no rows", file.name))
            .hint("rerun `kymsim track` to write it again")
            .into());
    };
    let net = |k: usize| -> Result<[f64; 3]> {
        Ok([
            row.f64(NET_COLUMNS[k])?,
            row.f64(NET_COLUMNS[k + 1])?,
            row.f64(NET_COLUMNS[k + 2])?,
        ])
    };
    let probabilities = ids
        .iter()
        .map(|id| {
            Ok((
                id.to_string(),
                row.f64(&format!("prior_p_{id}"))?,
                row.f64(&format!("posterior_p_{id}"))?,
            ))
        })
        .collect::<Result<_>>()?;
    Ok(TrackData {
        scenario: row.required_str("scenario")?.to_string(),
        samples: row.f64("samples")?,
        effective: row.f64("effective_samples")?,
        probabilities,
        net_prior: net(0)?,
        net_posterior: net(3)?,
        ..TrackData::default()
    })
}

fn parse_observations(file: &TextFile) -> Result<Vec<TrackObservation>> {
    let table = Table::read(file, &TRACK_OBSERVATIONS_COLUMNS, &[])?;
    table
        .rows()
        .map(|r| {
            Ok(TrackObservation {
                year: r.year("year")?,
                variable: r.required_str("variable")?.to_string(),
                observed: r.f64("observed_kt")?,
                sd: r.f64("sd_kt")?,
                band: [r.f64("p5")?, r.f64("p50")?, r.f64("p95")?],
                percentile: r.f64("percentile")?,
            })
        })
        .collect()
}

fn parse_deviation(file: &TextFile) -> Result<Vec<TrackDeviation>> {
    let table = Table::read(file, &TRACK_DEVIATION_COLUMNS, &[])?;
    table
        .rows()
        .map(|r| {
            Ok(TrackDeviation {
                year: r.year("year")?,
                variable: r.required_str("variable")?.to_string(),
                kt: r.f64("deviation_kt")?,
            })
        })
        .collect()
}

/// A variable of `results.csv` in words: gross emissions, a sector path in `lang` (`Transport ›
/// Road`), final energy of a carrier; anything else as written, in code type.
fn variable_words(data: &ChartData, variable: &str, lang: Lang) -> String {
    let meta = &data.meta;
    if variable == GROSS {
        return esc(lang.t(Msg::ColGrossTotal));
    }
    if let Some(sector) = variable
        .strip_prefix(GROSS)
        .and_then(|s| s.strip_prefix('|'))
    {
        return esc(&format!(
            "{} › {}",
            lang.t(Msg::ColGrossTotal),
            lang.pick(sector, meta.finnish(sector))
        )
        .replace('|', " › "));
    }
    if let Some(carrier) = variable
        .strip_prefix(FINAL_ENERGY)
        .and_then(|s| s.strip_prefix('|'))
    {
        return esc(&format!(
            "{} › {}",
            lang.t(Msg::CapEnergy),
            lang.pick(carrier, meta.finnish(carrier))
                .replace('|', " › ")
        ));
    }
    format!("<code>{}</code>", esc(variable))
}

/// A criterion of `track/summary.csv` by its id, in words (None for an id the metadata cannot
/// name: its row is left out).
fn criterion_words(data: &ChartData, id: &str, lang: Lang) -> Option<String> {
    let t = &data.meta.target;
    let criterion = |role, test| Criterion {
        id: id.to_string(),
        role,
        test,
    };
    let c = match id {
        "target_met" => return Some(lang.fill(Msg::TrackTargetRow, &[("year", &t.year)])),
        "gross_met" => criterion(
            Role::Target,
            Test::GrossAtMost {
                year: t.year,
                limit_kt: t.gross_limit_kt?,
            },
        ),
        "net_zero_met" => criterion(Role::Target, Test::NetZero { year: t.year }),
        "within_budget" => data.meta.budget.as_ref()?.criterion(t.year),
        _ => {
            let year: i32 = id.strip_prefix("milestone_")?.parse().ok()?;
            let m = data.meta.milestones.iter().find(|m| m.year == year)?;
            criterion(
                Role::Milestone,
                Test::GrossAtMost {
                    year,
                    limit_kt: m.gross_limit_kt,
                },
            )
        }
    };
    Some(c.label(lang))
}

/// A probability in words and percent, coloured by band.
fn probability_cell(p: f64, lang: Lang) -> String {
    let v = Verdict::Probability(p);
    format!(
        "<td><span class=\"{}\">{} {}</span></td>",
        v.band(),
        v.mark(),
        esc(&v.text(lang))
    )
}

/// The section, when `track/` is current (nothing otherwise).
pub(super) fn section(out: &mut String, data: &ChartData, lang: Lang) {
    let Some(tr) = &data.track else { return };
    let meta = &data.meta;
    let name = meta.scenario_name(&tr.scenario, lang);
    let _ = writeln!(
        out,
        "<section id=\"track\">\n<h2>{} — {}</h2>",
        esc(lang.t(Msg::TrackHeading)),
        esc(&lang.fill(Msg::ScenarioHeading, &[("name", &name)]))
    );
    let mut years: Vec<i32> = tr.observations.iter().map(|o| o.year).collect();
    years.dedup();
    let years = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "<p>{}</p>",
        esc(&lang.fill(
            Msg::TrackIntro,
            &[
                ("years", &years),
                ("n", &lang.thousands(tr.samples)),
                ("scenario", &name),
                ("ess", &lang.thousands(tr.effective.round())),
            ]
        ))
    );
    chart(out, tr, lang);
    probabilities(out, data, tr, lang);
    observations(out, data, tr, lang);
    behind(out, data, tr, lang);
    out.push_str("</section>\n");
}

fn chart(out: &mut String, tr: &TrackData, lang: Lang) {
    let Some(svg) = tr.chart_svg.as_deref().filter(|s| svg_is_inert(s)) else {
        return;
    };
    let svg = svg.find("<svg").map_or(svg, |i| &svg[i..]);
    let caption = lang.t(Msg::TrackCaption);
    let _ = write!(
        out,
        "<figure id=\"fig-track\" role=\"img\" aria-label=\"{c}\">\n{svg}\n<figcaption>{c} \
         (<code>track/charts/track_{s}.png</code>, <code>track/charts/track_{s}.svg</code>)\
         </figcaption>\n</figure>\n",
        c = esc(caption),
        s = esc(&tr.scenario),
    );
}

/// P(target met) and each criterion, before and after; target-year net emissions.
fn probabilities(out: &mut String, data: &ChartData, tr: &TrackData, lang: Lang) {
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        lang.t(Msg::TrackColCriterion),
        lang.t(Msg::TrackColBefore),
        lang.t(Msg::TrackColAfter),
    );
    for (id, before, after) in &tr.probabilities {
        let Some(words) = criterion_words(data, id, lang) else {
            continue;
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td>{}{}</tr>",
            esc(&words),
            probability_cell(*before, lang),
            probability_cell(*after, lang)
        );
    }
    let band = |q: &[f64; 3]| {
        q.iter()
            .map(|v| kt(*v, lang))
            .collect::<Vec<_>>()
            .join(" – ")
    };
    let _ = writeln!(
        out,
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n</tbody>\n</table>",
        esc(&lang.fill(Msg::TrackNetRange, &[("year", &data.meta.target.year)])),
        band(&tr.net_prior),
        band(&tr.net_posterior),
    );
}

/// Each observation with the prior band at it and the share of prior samples below it.
fn observations(out: &mut String, data: &ChartData, tr: &TrackData, lang: Lang) {
    let _ = write!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        lang.t(Msg::Year),
        lang.t(Msg::TrackColVariable),
        lang.t(Msg::TrackColObserved),
        lang.t(Msg::TrackColSd),
        lang.t(Msg::TrackColPriorBand),
        lang.t(Msg::TrackColPercentile),
    );
    for o in &tr.observations {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            o.year,
            variable_words(data, &o.variable, lang),
            kt(o.observed, lang),
            kt(o.sd, lang),
            o.band
                .iter()
                .map(|v| kt(*v, lang))
                .collect::<Vec<_>>()
                .join(" – "),
            lang.percent(o.percentile),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Which observed variables lie above the central projection in the latest year (behind), the
/// largest excess first, and which below.
fn behind(out: &mut String, data: &ChartData, tr: &TrackData, lang: Lang) {
    let Some(year) = tr.deviation.first().map(|d| d.year) else {
        return;
    };
    let list: Vec<String> = tr
        .deviation
        .iter()
        .map(|d| {
            let msg = if d.kt > 0.0 {
                Msg::TrackAbove
            } else {
                Msg::TrackBelow
            };
            lang.fill(
                msg,
                &[
                    ("variable", &variable_words(data, &d.variable, lang)),
                    ("kt", &kt(d.kt.abs(), lang)),
                ],
            )
        })
        .collect();
    // the variable words are HTML already; the rest of the sentence is escaped
    let sentence = lang
        .fill(Msg::TrackBehind, &[("year", &year), ("list", &"\u{1}")])
        .split('\u{1}')
        .map(esc)
        .collect::<Vec<_>>()
        .join(list.join("; ").as_str());
    let _ = writeln!(out, "<p>{sentence}</p>");
}
