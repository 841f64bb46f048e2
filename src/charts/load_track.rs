//! Reading `DIR/track/` for the report's "On track?" section (`super::report_track`):
//! `track/summary.csv`, `track/observations.csv`, `track/deviation.csv` and the chart, parsed
//! as `src/charts/load.rs` parses the other outputs.

use std::path::Path;

use crate::data::Table;
use crate::error::{InputError, Result};
use crate::input::TextFile;
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
