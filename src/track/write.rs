//! The files of `DIR/track/`: observations, posterior, summary, deviation, the fans of the
//! chart and the identity, staged and committed together.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Posterior, Request, ensemble};
use crate::error::Result;
use crate::model::Model;
use crate::output::{OutputSet, csv_bytes, fmt_num};

/// The folder of `track`'s files inside `--out`.
pub const TRACK_DIR: &str = "track";
/// `track/observations.csv`.
pub const OBSERVATIONS_CSV: &str = crate::output::schema::TRACK_OBSERVATIONS_CSV;
/// `track/posterior.csv`.
pub const POSTERIOR_CSV: &str = "track/posterior.csv";
/// `track/summary.csv`.
pub const SUMMARY_CSV: &str = crate::output::schema::TRACK_SUMMARY_CSV;
/// `track/deviation.csv`.
pub const DEVIATION_CSV: &str = crate::output::schema::TRACK_DEVIATION_CSV;
/// `track/fan.csv`: p5/p50/p95 of gross emissions per year, prior and posterior.
pub const FAN_CSV: &str = "track/fan.csv";
/// `track/identity.json`: the inputs the update read.
pub const IDENTITY_JSON: &str = crate::output::schema::TRACK_IDENTITY_JSON;

/// `track/observations.csv`'s columns.
pub const OBSERVATIONS_COLUMNS: [&str; 8] = crate::output::schema::TRACK_OBSERVATIONS_COLUMNS;
/// `track/posterior.csv`'s columns.
pub const POSTERIOR_COLUMNS: [&str; 6] = [
    "parameter",
    "name",
    "prior_mean",
    "prior_sd",
    "posterior_mean",
    "posterior_sd",
];
/// `track/deviation.csv`'s columns.
pub const DEVIATION_COLUMNS: [&str; 5] = crate::output::schema::TRACK_DEVIATION_COLUMNS;

/// The quantiles of the bands.
const BAND: [f64; 3] = [0.05, 0.5, 0.95];

#[derive(Serialize)]
struct ObservationRow<'a> {
    year: i32,
    variable: &'a str,
    observed_kt: String,
    sd_kt: String,
    p5: String,
    p50: String,
    p95: String,
    percentile: String,
}

/// `track/observations.csv`: each observation with the prior band and the share of prior
/// samples below it.
pub fn observations_csv(post: &Posterior) -> Vec<u8> {
    let e = &post.ensemble;
    let k = post.observations.len();
    csv_bytes(|w| {
        w.write_record(OBSERVATIONS_COLUMNS)?;
        for (j, o) in post.observations.iter().enumerate() {
            let at: Vec<f64> = e.at_observed.iter().skip(j).step_by(k).copied().collect();
            let q = ensemble::quantiles(&at, None, &BAND);
            let below = at.iter().filter(|&&m| m < o.kt).count() as f64 / at.len() as f64;
            w.serialize(ObservationRow {
                year: o.year,
                variable: &o.variable,
                observed_kt: fmt_num(o.kt),
                sd_kt: fmt_num(o.sd_kt),
                p5: fmt_num(q[0]),
                p50: fmt_num(q[1]),
                p95: fmt_num(q[2]),
                percentile: fmt_num(below),
            })?;
        }
        Ok(())
    })
}

#[derive(Serialize)]
struct PosteriorRow {
    parameter: String,
    name: String,
    prior_mean: String,
    prior_sd: String,
    posterior_mean: String,
    posterior_sd: String,
}

/// A drawn input's name for people: the measure's display name for a measure's parameter, the
/// id otherwise.
fn param_name(model: &Model, id: &str) -> String {
    let mut parts = id.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("measure"), Some(m), Some(field)) => model
            .measures
            .iter()
            .find(|x| x.id == m)
            .map_or_else(|| id.to_string(), |x| format!("{} ({field})", x.name)),
        _ => id.to_string(),
    }
}

/// `track/posterior.csv`: every drawn input's prior and posterior mean and sd.
pub fn posterior_csv(model: &Model, post: &Posterior) -> Vec<u8> {
    csv_bytes(|w| {
        w.write_record(POSTERIOR_COLUMNS)?;
        for (j, &p) in post.ensemble.params.iter().enumerate() {
            let ((pm, ps), (qm, qs)) = post.input(j);
            let id = &model.params[p].name;
            w.serialize(PosteriorRow {
                parameter: id.clone(),
                name: param_name(model, id),
                prior_mean: fmt_num(pm),
                prior_sd: fmt_num(ps),
                posterior_mean: fmt_num(qm),
                posterior_sd: fmt_num(qs),
            })?;
        }
        Ok(())
    })
}

/// The columns of `track/summary.csv`, generated from the criteria list: a prior and posterior
/// probability for the target and for each criterion of the list (the target's, each
/// milestone, the budget).
pub fn summary_columns(model: &Model) -> Vec<String> {
    let mut cols: Vec<String> = ["scenario", "samples", "effective_samples"]
        .map(String::from)
        .to_vec();
    let ids = std::iter::once("target_met".to_string())
        .chain(model.criteria.list.iter().map(|c| c.id.clone()));
    for id in ids {
        cols.push(format!("prior_p_{id}"));
        cols.push(format!("posterior_p_{id}"));
    }
    for when in ["prior", "posterior"] {
        for q in ["p5", "p50", "p95"] {
            cols.push(format!("{when}_net_kt_{q}"));
        }
    }
    cols
}

/// `track/summary.csv`: one row.
pub fn summary_csv(model: &Model, post: &Posterior) -> Vec<u8> {
    let mut row = vec![
        model.scenario.clone(),
        post.ensemble.n.to_string(),
        fmt_num(post.effective),
    ];
    let (a, b) = post.p_target_met();
    row.extend([fmt_num(a), fmt_num(b)]);
    let n = model.criteria.list.len();
    for k in 0..n {
        let (a, b) = post.p_criterion(k, n);
        row.extend([fmt_num(a), fmt_num(b)]);
    }
    let net = &post.ensemble.net_target;
    for w in [None, Some(post.weights.as_slice())] {
        row.extend(ensemble::quantiles(net, w, &BAND).into_iter().map(fmt_num));
    }
    csv_bytes(|w| {
        w.write_record(summary_columns(model))?;
        w.write_record(&row)
    })
}

#[derive(Serialize)]
struct DeviationRow<'a> {
    year: i32,
    variable: &'a str,
    observed_kt: String,
    central_kt: String,
    deviation_kt: String,
}

/// `track/deviation.csv`: for the latest observed year, observed − central projection of each
/// observed variable, the largest excess first (ties by variable).
pub fn deviation_csv(post: &Posterior) -> Vec<u8> {
    let latest = post.observations.iter().map(|o| o.year).max().unwrap_or(0);
    let mut rows: Vec<(usize, f64)> = post
        .observations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.year == latest)
        .map(|(j, o)| (j, o.kt - post.central_at_observed[j]))
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    csv_bytes(|w| {
        w.write_record(DEVIATION_COLUMNS)?;
        for (j, d) in rows {
            let o = &post.observations[j];
            w.serialize(DeviationRow {
                year: o.year,
                variable: &o.variable,
                observed_kt: fmt_num(o.kt),
                central_kt: fmt_num(post.central_at_observed[j]),
                deviation_kt: fmt_num(d),
            })?;
        }
        Ok(())
    })
}

/// The p5, p50 and p95 of gross emissions in each year, prior (unweighted) and posterior:
/// `[year] → (prior, posterior)`.
pub fn fans(post: &Posterior, ny: usize) -> Vec<([f64; 3], [f64; 3])> {
    let e = &post.ensemble;
    (0..ny)
        .map(|y| {
            let x: Vec<f64> = e.gross.iter().skip(y).step_by(ny).copied().collect();
            let a = ensemble::quantiles(&x, None, &BAND);
            let b = ensemble::quantiles(&x, Some(&post.weights), &BAND);
            ([a[0], a[1], a[2]], [b[0], b[1], b[2]])
        })
        .collect()
}

/// `track/fan.csv`: the fans of gross emissions and the central projection, per year.
pub fn fan_csv(model: &Model, post: &Posterior) -> Vec<u8> {
    csv_bytes(|w| {
        w.write_record([
            "year",
            "central_kt",
            "prior_p5",
            "prior_p50",
            "prior_p95",
            "posterior_p5",
            "posterior_p50",
            "posterior_p95",
        ])?;
        for (y, (a, b)) in fans(post, model.ny).into_iter().enumerate() {
            let mut rec = vec![
                (model.base_year + y as i32).to_string(),
                fmt_num(post.central_gross[y]),
            ];
            rec.extend(a.into_iter().chain(b).map(fmt_num));
            w.write_record(&rec)?;
        }
        Ok(())
    })
}

#[derive(Serialize)]
struct Identity<'a> {
    kymsim_version: &'a str,
    scenario: &'a str,
    samples: u64,
    seed: u64,
    sampler: &'a str,
    inputs: Vec<crate::output::recorded::InputHash>,
    observed: crate::output::recorded::InputHash,
}

/// Stages every file of `track/` and commits them together.
pub fn write_all(
    out_dir: &Path,
    req: &Request,
    post: &Posterior,
    lang: crate::i18n::Lang,
) -> Result<Vec<PathBuf>> {
    let model = req.model;
    let mut set = OutputSet::new(out_dir)?;
    set.stage(OBSERVATIONS_CSV, &observations_csv(post))?;
    set.stage(POSTERIOR_CSV, &posterior_csv(model, post))?;
    set.stage(SUMMARY_CSV, &summary_csv(model, post))?;
    set.stage(DEVIATION_CSV, &deviation_csv(post))?;
    set.stage(FAN_CSV, &fan_csv(model, post))?;
    let identity = Identity {
        kymsim_version: env!("CARGO_PKG_VERSION"),
        scenario: &model.scenario,
        samples: req.samples,
        seed: req.seed,
        sampler: crate::batch::sampler_name(req.sampler),
        inputs: crate::output::recorded::input_hashes(req.region, &[req.scenario]),
        observed: crate::output::recorded::InputHash::new(
            req.observed.name.clone(),
            req.observed.sha256.clone(),
        ),
    };
    set.stage(IDENTITY_JSON, &crate::output::pretty_json(&identity))?;
    let shown = lang.pick(&req.scenario.name, req.scenario.name_fi.as_deref());
    super::chart::stage(&mut set, shown, req.region, model, post, lang)?;
    set.commit()
}
