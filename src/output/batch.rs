//! Batch outputs: `batch/stats.csv`, `batch/summary.csv`, `batch/distributions.csv`.

use serde::Serialize;

use super::schema::{DISTRIBUTIONS_COLUMNS, IAMC_COLUMNS, STATISTIC_COLUMN};
use super::{csv_bytes, fmt_num, model_name, schema};
use crate::engine::stats::{CellStats, NEVER, Partial, QUANTILES, quantile_sorted};
use crate::model::Model;

pub use super::schema::{BATCH_SUMMARY_CSV, DISTRIBUTIONS_CSV, INPUTS_CSV, SAMPLES_CSV, STATS_CSV};

/// One scenario's finished batch.
pub struct BatchOutcome<'a> {
    /// The model.
    pub model: &'a Model,
    /// The complete partial (all samples).
    pub partial: &'a Partial,
    /// Its cell statistics.
    pub cells: &'a CellStats,
    /// Seed used.
    pub seed: u64,
    /// Sampler name (`mc` or `lhs`).
    pub sampler: &'a str,
}

/// `batch/stats.csv`: IAMC plus `statistic` (mean, p5, p25, p50, p75, p95).
pub fn stats_csv(outcomes: &[BatchOutcome]) -> Vec<u8> {
    let mut sorted: Vec<&BatchOutcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| a.model.scenario.cmp(&b.model.scenario));
    csv_bytes(|w| {
        let Some(first) = sorted.first() else {
            return Ok(());
        };
        let mut header: Vec<String> = IAMC_COLUMNS
            .iter()
            .chain([&STATISTIC_COLUMN])
            .map(|c| c.to_string())
            .collect();
        header.extend(first.model.years().map(|y| y.to_string()));
        w.write_record(&header)?;
        let model = model_name();
        for o in sorted {
            let m = o.model;
            let ny = m.ny;
            for (v, var) in m.variables.vars.iter().enumerate() {
                let mut rows: Vec<(&str, &[f64])> =
                    vec![("mean", &o.cells.mean[v * ny..(v + 1) * ny])];
                for (q, (_, name)) in QUANTILES.iter().enumerate() {
                    rows.push((name, &o.cells.quantiles[q][v * ny..(v + 1) * ny]));
                }
                for (stat, vals) in rows {
                    let mut rec = vec![
                        model.clone(),
                        m.scenario.clone(),
                        m.region.clone(),
                        var.name.clone(),
                        var.unit.to_string(),
                        stat.to_string(),
                    ];
                    rec.extend(vals.iter().map(|&x| fmt_num(x)));
                    w.write_record(&rec)?;
                }
            }
        }
        Ok(())
    })
}

/// One row of `batch/summary.csv`.
#[derive(Debug, Serialize)]
pub struct BatchSummaryRow {
    /// Scenario.
    pub scenario: String,
    /// Samples.
    pub samples: u64,
    /// Seed.
    pub seed: u64,
    /// Sampler.
    pub sampler: String,
    /// Target year.
    pub target_year: i32,
    /// P(every criterion met).
    pub p_target_met: String,
    /// P(gross criterion met).
    pub p_gross_met: String,
    /// P(net ≤ 0 in the target year).
    pub p_net_zero_met: String,
    /// Mean target-year net emissions.
    pub net_kt_mean: String,
    /// Quantiles of target-year net emissions.
    pub net_kt_p5: String,
    /// p25.
    pub net_kt_p25: String,
    /// p50.
    pub net_kt_p50: String,
    /// p75.
    pub net_kt_p75: String,
    /// p95.
    pub net_kt_p95: String,
    /// Neutrality-year quantiles (empty when the quantile falls on "never").
    pub neutrality_p5: String,
    /// p50.
    pub neutrality_p50: String,
    /// p95.
    pub neutrality_p95: String,
    /// P(never neutral within the horizon).
    pub p_never: String,
    /// One `p_<criterion>` column per criterion reported on its own (milestones, budget) after
    /// the fixed ones: (column, probability).
    #[serde(skip)]
    pub p_criteria: Vec<(String, String)>,
}

fn neutrality_years(model: &Model, p: &Partial) -> Vec<f64> {
    let mut years: Vec<f64> = p
        .neutrality
        .iter()
        .map(|&i| {
            if i == NEVER {
                f64::INFINITY
            } else {
                (model.base_year + i as i32) as f64
            }
        })
        .collect();
    years.sort_by(f64::total_cmp);
    years
}

/// The summary row of one scenario's batch.
pub fn batch_summary_row(o: &BatchOutcome) -> BatchSummaryRow {
    let p = o.partial;
    let n = p.count as f64;
    let mut net = p.net_target.clone();
    net.sort_by(f64::total_cmp);
    let mean = net.iter().sum::<f64>() / n;
    let q = |x: f64| fmt_num(quantile_sorted(&net, x));
    let years = neutrality_years(o.model, p);
    let yq = |x: f64| {
        let v = quantile_sorted(&years, x);
        if v.is_finite() {
            fmt_num(v)
        } else {
            String::new()
        }
    };
    let never = p.neutrality.iter().filter(|&&i| i == NEVER).count() as f64;
    BatchSummaryRow {
        scenario: o.model.scenario.clone(),
        samples: p.count,
        seed: o.seed,
        sampler: o.sampler.to_string(),
        target_year: o.model.target.year,
        p_target_met: fmt_num(p.target_met as f64 / n),
        p_gross_met: fmt_num(p.gross_met as f64 / n),
        p_net_zero_met: fmt_num(p.net_met as f64 / n),
        net_kt_mean: fmt_num(mean),
        net_kt_p5: q(0.05),
        net_kt_p25: q(0.25),
        net_kt_p50: q(0.5),
        net_kt_p75: q(0.75),
        net_kt_p95: q(0.95),
        neutrality_p5: yq(0.05),
        neutrality_p50: yq(0.5),
        neutrality_p95: yq(0.95),
        p_never: fmt_num(never / n),
        p_criteria: o
            .model
            .criteria
            .reported()
            .enumerate()
            .map(|(i, c)| {
                let met = p.reported_met.get(i).copied().unwrap_or(0);
                (schema::p_criterion_column(c), fmt_num(met as f64 / n))
            })
            .collect(),
    }
}

/// `batch/summary.csv`, one row per scenario.
pub fn batch_summary_csv(outcomes: &[BatchOutcome]) -> Vec<u8> {
    let mut rows: Vec<BatchSummaryRow> = outcomes.iter().map(batch_summary_row).collect();
    rows.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    super::csv_with_extra(&rows, |r| r.p_criteria.clone())
}

/// Number of equal bins of the target-year net emission distribution.
pub const NET_BINS: usize = 40;

/// `batch/distributions.csv`: `scenario,quantity,bin_lo,bin_hi,count`.
pub fn distributions_csv(outcomes: &[BatchOutcome]) -> Vec<u8> {
    let mut sorted: Vec<&BatchOutcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| a.model.scenario.cmp(&b.model.scenario));
    csv_bytes(|w| {
        w.write_record(DISTRIBUTIONS_COLUMNS)?;
        for o in sorted {
            let p = o.partial;
            let name = &o.model.scenario;
            let lo = p.net_target.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = p
                .net_target
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let bins = if hi > lo { NET_BINS } else { 1 };
            let width = (hi - lo) / bins as f64;
            let mut counts = vec![0u64; bins];
            for &x in &p.net_target {
                let b = if width > 0.0 {
                    (((x - lo) / width) as usize).min(bins - 1)
                } else {
                    0
                };
                counts[b] += 1;
            }
            for (b, c) in counts.iter().enumerate() {
                let a = lo + b as f64 * width;
                let z = if b + 1 == bins {
                    hi
                } else {
                    lo + (b + 1) as f64 * width
                };
                w.write_record([
                    name.as_str(),
                    "net_kt",
                    &fmt_num(a),
                    &fmt_num(z),
                    &c.to_string(),
                ])?;
            }
            let mut years = std::collections::BTreeMap::new();
            for &i in &p.neutrality {
                *years.entry(i).or_insert(0u64) += 1;
            }
            for (i, c) in years {
                if i == NEVER {
                    w.write_record([name.as_str(), "neutrality_year", "", "", &c.to_string()])?;
                } else {
                    let y = o.model.base_year + i as i32;
                    w.write_record([
                        name.as_str(),
                        "neutrality_year",
                        &y.to_string(),
                        &(y + 1).to_string(),
                        &c.to_string(),
                    ])?;
                }
            }
        }
        Ok(())
    })
}

/// The Monte Carlo standard error of a share `p` of `n` independent samples, √(p(1 − p)/n)
/// (for a Latin hypercube an upper bound).
///
/// ```
/// // p = 0.5 of 10 000 samples: √(0.25 / 10 000) = 0.005
/// assert!((kymsim::output::batch::standard_error(0.5, 10_000) - 0.005).abs() < 1e-12);
/// ```
pub fn standard_error(p: f64, n: u64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    (p * (1.0 - p) / n as f64).sqrt()
}
