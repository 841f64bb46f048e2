//! Global sensitivity: Sobol first- and total-order indices with bootstrap confidence intervals.
//!
//! Saltelli's scheme: two independent N × k matrices A and B of uniform draws and, for each input
//! i, A_B^i = A with column i taken from B; N(k + 2) evaluations. With f_A = f(A_j) etc. and
//! V the variance of all f_A and f_B values:
//!
//! - first order (Saltelli et al. 2010): S_i = (1/N) Σ_j f_B (f_{A_B^i} − f_A) / V
//! - total order (Jansen 1999): S_Ti = (1/2N) Σ_j (f_A − f_{A_B^i})² / V
//!
//! f_B is centred by the mean of all f_A and f_B values before the product (it does not change
//! the estimator's expectation, and it removes the variance that the mean would add).
//! Confidence intervals: percentile bootstrap over the N rows, with a fixed seed.
//!
//! Every row j draws its 2k uniforms from its own ChaCha8 stream (seed, stream j), and every
//! bootstrap resample from its own stream too, so results are the same for any thread count.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::InputError;
use crate::model::Model;
use crate::output::fmt_num;

use super::{UnitInputs, csv_bytes, sort_by_influence};
use crate::engine::sampler::unit as open_uniform;

/// Sample size, seed and bootstrap resamples.
#[derive(Debug, Clone)]
pub struct SobolOptions {
    /// N: rows of each of A and B (the cost is N·(k + 2) evaluations).
    pub samples: usize,
    /// The seed of the draws and of the bootstrap.
    pub seed: u64,
    /// Bootstrap resamples for the 95 % intervals.
    pub resamples: usize,
}

impl Default for SobolOptions {
    fn default() -> Self {
        SobolOptions {
            samples: 1024,
            seed: 0,
            resamples: 200,
        }
    }
}

/// First- and total-order indices of one input with their 95 % bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index S_i.
    pub first: f64,
    /// 2.5 % bootstrap quantile of S_i.
    pub first_lo: f64,
    /// 97.5 % bootstrap quantile of S_i.
    pub first_hi: f64,
    /// Total-order index S_Ti.
    pub total: f64,
    /// 2.5 % bootstrap quantile of S_Ti.
    pub total_lo: f64,
    /// 97.5 % bootstrap quantile of S_Ti.
    pub total_hi: f64,
}

/// Streams at or above this are the bootstrap's; rows use the streams below it.
const BOOTSTRAP_STREAM: u64 = 1 << 63;

/// Sobol indices of `f` on the unit hypercube (0, 1)^k. See [`sobol_with`].
///
/// ```
/// use kymsim::decision::{SobolOptions, sobol};
/// // f = x0 + 2·x1 (uniform inputs): S = (1/5, 4/5), no interactions
/// let s = sobol(2, &SobolOptions { samples: 4096, ..Default::default() }, |u| u[0] + 2.0 * u[1]);
/// assert!((s[0].first - 0.2).abs() < 0.05 && (s[1].total - 0.8).abs() < 0.05);
/// ```
pub fn sobol<F>(k: usize, opts: &SobolOptions, f: F) -> Vec<SobolIndex>
where
    F: Fn(&[f64]) -> f64 + Sync + Send,
{
    sobol_with(
        k,
        opts,
        || (),
        |_, points, out| each_point(k, &f, points, out),
    )
}

/// `out[j] = f(point j)` for points `[point × k]`: a function of one point as a function of many.
pub(crate) fn each_point<F>(k: usize, f: &F, points: &[f64], out: &mut [f64])
where
    F: Fn(&[f64]) -> f64,
{
    for (o, u) in out.iter_mut().zip(points.chunks(k.max(1))) {
        *o = f(u);
    }
}

/// Sobol indices of a function on (0, 1)^k, evaluated many points at a time:
/// `f(state, points, out)` writes `out[j]` for each point `j` of `points` (`[point × k]`); `init`
/// makes one state per worker thread (e.g. a block workspace), so `f` need not allocate.
pub fn sobol_with<S, I, F>(k: usize, opts: &SobolOptions, init: I, f: F) -> Vec<SobolIndex>
where
    I: Fn() -> S + Sync + Send,
    F: Fn(&mut S, &[f64], &mut [f64]) + Sync + Send,
{
    let n = opts.samples;
    if k == 0 || n == 0 {
        return Vec::new();
    }
    let width = k + 2;
    // row j: f(A_j), f(B_j), f(A_B^0_j) … f(A_B^{k−1}_j)
    let mut vals = vec![0.0; n * width];
    vals.par_chunks_mut(width).enumerate().for_each_init(
        || (init(), vec![0.0; 2 * k], vec![0.0; width * k]),
        |(state, ab, points), (j, out)| {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            rng.set_stream(j as u64);
            for u in ab.iter_mut() {
                *u = open_uniform(rng.next_u64());
            }
            let (a, b) = ab.split_at(k);
            // the points A_j, B_j, then A_j with input i from B_j, for each i
            let (ab_points, mixed) = points.split_at_mut(2 * k);
            ab_points.copy_from_slice(ab);
            for (i, x) in mixed.chunks_exact_mut(k).enumerate() {
                x.copy_from_slice(a);
                x[i] = b[i];
            }
            f(state, points, out);
        },
    );
    let all: Vec<usize> = (0..n).collect();
    let (first, total) = estimate(&vals, k, &all);
    let boots: Vec<(Vec<f64>, Vec<f64>)> = (0..opts.resamples)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            rng.set_stream(BOOTSTRAP_STREAM + r as u64);
            let rows: Vec<usize> = (0..n)
                .map(|_| ((rng.next_u64() as u128 * n as u128) >> 64) as usize)
                .collect();
            estimate(&vals, k, &rows)
        })
        .collect();
    (0..k)
        .map(|i| {
            let mut s: Vec<f64> = boots.iter().map(|b| b.0[i]).collect();
            let mut t: Vec<f64> = boots.iter().map(|b| b.1[i]).collect();
            s.sort_by(f64::total_cmp);
            t.sort_by(f64::total_cmp);
            SobolIndex {
                first: first[i],
                first_lo: quantile(&s, 0.025).unwrap_or(first[i]),
                first_hi: quantile(&s, 0.975).unwrap_or(first[i]),
                total: total[i],
                total_lo: quantile(&t, 0.025).unwrap_or(total[i]),
                total_hi: quantile(&t, 0.975).unwrap_or(total[i]),
            }
        })
        .collect()
}

/// (first-order, total-order) estimates from the given rows (with repeats for the bootstrap).
fn estimate(vals: &[f64], k: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let width = k + 2;
    let n = rows.len() as f64;
    let mut mean = 0.0;
    for &j in rows {
        mean += vals[j * width] + vals[j * width + 1];
    }
    mean /= 2.0 * n;
    let mut var = 0.0;
    for &j in rows {
        let (a, b) = (vals[j * width] - mean, vals[j * width + 1] - mean);
        var += a * a + b * b;
    }
    var /= 2.0 * n;
    let mut first = vec![0.0; k];
    let mut total = vec![0.0; k];
    if !(var > 0.0 && var.is_finite()) {
        // a constant output: no input explains any variance
        return (first, total);
    }
    for &j in rows {
        let row = &vals[j * width..(j + 1) * width];
        let (fa, fb) = (row[0], row[1] - mean);
        for i in 0..k {
            let d = row[2 + i] - fa;
            first[i] += fb * d;
            total[i] += d * d;
        }
    }
    for i in 0..k {
        first[i] /= n * var;
        total[i] /= 2.0 * n * var;
    }
    (first, total)
}

/// numpy's default (linear) quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = q * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The Sobol indices of one uncertain model parameter.
#[derive(Debug, Clone)]
pub struct SensitivityRow {
    /// Parameter name, e.g. `measure.ev_cars.value`.
    pub parameter: String,
    /// Its indices.
    pub index: SobolIndex,
}

/// The most model results a Sobol analysis keeps, N·(k + 2) (2²⁷ values = 1 GiB).
pub const MAX_SOBOL_VALUES: usize = 1 << 27;

/// The number k of uncertain parameters (with a distribution) a Sobol analysis varies.
pub fn uncertain_count(model: &Model) -> usize {
    model
        .uncertain_params()
        .into_iter()
        .filter(|&i| model.params[i].spec.dist().is_some())
        .count()
}

/// Sobol indices of target-year net emissions for every uncertain parameter of `model`
/// (`model.uncertain_params()`), each drawn as `Dist::quantile(u)` clamped to its bounds, every
/// other parameter at its central value. Sorted by total order, largest first (ties by name).
/// N·(k + 2) must not exceed [`MAX_SOBOL_VALUES`] (the caller checks). A draw that makes a
/// driver negative or a result non-finite or beyond ±1e15 is an error: indices computed over
/// such values would mean nothing.
pub fn model_sensitivity(
    model: &Model,
    opts: &SobolOptions,
) -> crate::error::Result<Vec<SensitivityRow>> {
    let bad = std::sync::atomic::AtomicBool::new(false);
    let inputs = UnitInputs::of(model);
    let indices = sobol_with(
        inputs.len(),
        opts,
        || inputs.state(),
        |state, points, out| {
            if !inputs.nets_at(state, points, out) {
                bad.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
    );
    if bad.into_inner() {
        return Err(InputError::new(format!(
            "scenario `{}`: some draws of the sensitivity analysis make a driver negative or the net emissions not a finite number",
            model.scenario
        ))
        .hint(format!(
            "run `kymsim batch {}` to find such a sample and its draws, then narrow those distributions",
            model.scenario
        ))
        .into());
    }
    let mut rows: Vec<SensitivityRow> = inputs
        .names()
        .zip(indices)
        .map(|(parameter, index)| SensitivityRow { parameter, index })
        .collect();
    sort_by_influence(&mut rows, |r| r.index.total, |r| &r.parameter);
    Ok(rows)
}

#[derive(Debug, Serialize)]
struct CsvRow<'a> {
    scenario: &'a str,
    parameter: &'a str,
    first_order: String,
    first_order_lo: String,
    first_order_hi: String,
    total_order: String,
    total_order_lo: String,
    total_order_hi: String,
}

/// `sensitivity.csv`: `scenario,parameter,first_order,first_order_lo,first_order_hi,total_order,
/// total_order_lo,total_order_hi`, by scenario, then as given (total order descending).
pub fn sensitivity_csv(results: &[(&str, &[SensitivityRow])]) -> Vec<u8> {
    let mut results: Vec<&(&str, &[SensitivityRow])> = results.iter().collect();
    results.sort_by(|a, b| a.0.cmp(b.0));
    csv_bytes(|w| {
        w.write_record(crate::output::schema::SENSITIVITY_COLUMNS)?;
        for (scenario, rows) in results {
            for r in rows.iter() {
                let x = &r.index;
                w.serialize(CsvRow {
                    scenario,
                    parameter: &r.parameter,
                    first_order: fmt_num(x.first),
                    first_order_lo: fmt_num(x.first_lo),
                    first_order_hi: fmt_num(x.first_hi),
                    total_order: fmt_num(x.total),
                    total_order_lo: fmt_num(x.total_lo),
                    total_order_hi: fmt_num(x.total_hi),
                })?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Ishigami: f = sin x1 + a sin² x2 + b x3⁴ sin x1, x ~ U(−π, π)³, a = 7, b = 0.1.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn ishigami_matches_analytic_indices() {
        // V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2 = 13.8446; V1 = (1 + bπ⁴/5)²/2 = 4.3459,
        // V2 = a²/8 = 6.125, V13 = b²π⁸(1/18 − 1/50) = 3.3737:
        // S1 = 0.3139, S2 = 0.4424, S3 = 0; ST1 = (V1 + V13)/V = 0.5576, ST2 = 0.4424,
        // ST3 = V13/V = 0.2437
        let opts = SobolOptions {
            samples: 8192,
            seed: 1,
            resamples: 200,
        };
        let s = sobol(3, &opts, ishigami);
        let first = [0.3139, 0.4424, 0.0];
        let total = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let x = s[i];
            assert!(
                x.first_lo <= first[i] && first[i] <= x.first_hi,
                "S{} = {} [{}, {}] vs {}",
                i + 1,
                x.first,
                x.first_lo,
                x.first_hi,
                first[i]
            );
            assert!(
                x.total_lo <= total[i] && total[i] <= x.total_hi,
                "ST{} = {} [{}, {}] vs {}",
                i + 1,
                x.total,
                x.total_lo,
                x.total_hi,
                total[i]
            );
            assert!(x.first_hi - x.first_lo < 0.1 && x.total_hi - x.total_lo < 0.1);
        }
    }

    #[test]
    fn same_result_for_any_thread_count() {
        let opts = SobolOptions {
            samples: 500,
            seed: 3,
            resamples: 50,
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| sobol(3, &opts, ishigami))
        };
        assert_eq!(run(1), run(4));
    }

    #[test]
    fn constant_and_unused_inputs_get_zero() {
        let s = sobol(2, &SobolOptions::default(), |u| 3.0 * u[0]);
        // f depends on x0 only: S0 = ST0 = 1 (up to sampling error); x1 is a dummy: exactly 0
        assert!((s[0].first - 1.0).abs() < 0.05 && (s[0].total - 1.0).abs() < 0.05);
        assert_eq!((s[1].first, s[1].total), (0.0, 0.0));
        let c = sobol(2, &SobolOptions::default(), |_| 1.0);
        assert_eq!(c[0].total, 0.0);
    }

    #[test]
    fn model_indices_rank_the_driving_parameter_first() {
        let model = crate::decision::testutil::tiny_model(
            "unc",
            r#"
[[measures]]
id = "cars"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = { dist = "uniform", min = 0.0, max = 0.8 }
adoption = { curve = "step", year = 2020 }
cost_eur_per_t = { dist = "uniform", min = 10, max = 20 }

[[uncertainty]]
target = "source:agriculture.cows:direct_ef"
factor = { dist = "uniform", min = 0.95, max = 1.05 }
"#,
        );
        let opts = SobolOptions {
            samples: 1000,
            ..Default::default()
        };
        let rows = model_sensitivity(&model, &opts).unwrap();
        assert_eq!(rows.len(), 3);
        // cars: 10 kt × U(0, 0.8) (sd 2.31 kt) dwarfs cows: 5 kt × U(0.95, 1.05) (sd 0.14 kt)
        assert_eq!(rows[0].parameter, "measure.cars.value");
        assert!(rows[0].index.total > 0.9);
        // the cost does not change emissions: exactly zero
        assert_eq!(rows[2].parameter, "measure.cars.cost");
        assert_eq!(rows[2].index.total, 0.0);
        let csv = String::from_utf8(sensitivity_csv(&[("unc", &rows)])).unwrap();
        assert!(csv.starts_with("scenario,parameter,first_order,first_order_lo,first_order_hi,total_order,total_order_lo,total_order_hi\nunc,measure.cars.value,"));
    }
}
