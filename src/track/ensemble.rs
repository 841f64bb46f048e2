//! The prior ensemble of `track` and its importance weights: the samples `batch` draws (same
//! sampler, seed and N), each evaluated once, weighted by how well it reproduces the
//! observations.

use rayon::prelude::*;

use super::observed::Observation;
use crate::engine::batch::all_finite_below;
use crate::engine::block::{BLOCK, BlockWorkspace};
use crate::engine::sampler::{Sampler, SamplerKind};
use crate::engine::{TotalRows, summarize};
use crate::error::{InputError, Result};
use crate::model::Model;

/// Samples per parallel work item; the result does not depend on it.
const CHUNK: usize = 256;

/// What `track` keeps of every prior sample.
#[derive(Debug, Clone)]
pub struct Ensemble {
    /// Samples.
    pub n: usize,
    /// The model parameter indices drawn (columns of `inputs`), in draw order.
    pub params: Vec<usize>,
    /// Drawn values, `[sample × params]`.
    pub inputs: Vec<f64>,
    /// The model's value at each observation, `[sample × observations]`.
    pub at_observed: Vec<f64>,
    /// Gross emissions, `[sample × year]` (the fans of the chart).
    pub gross: Vec<f64>,
    /// Target-year net emissions, per sample.
    pub net_target: Vec<f64>,
    /// Whether the target is met, per sample.
    pub target_met: Vec<bool>,
    /// Whether each criterion of [`Model::criteria`] is met, `[sample × criteria]`.
    pub criteria_met: Vec<bool>,
}

/// One chunk's share of an [`Ensemble`].
#[derive(Default)]
struct Piece {
    inputs: Vec<f64>,
    at_observed: Vec<f64>,
    gross: Vec<f64>,
    net_target: Vec<f64>,
    target_met: Vec<bool>,
    criteria_met: Vec<bool>,
    bad: Option<u64>,
}

/// Evaluates samples `0..n` of the batch sampler (`kind`, `seed`, N = `n`) in parallel with the
/// block kernel. Every chunk fills its own piece and the pieces are joined in order, so the
/// result is the same for any thread count.
pub fn evaluate(
    model: &Model,
    kind: SamplerKind,
    seed: u64,
    n: u64,
    observations: &[Observation],
) -> Result<Ensemble> {
    let sampler = Sampler::new(model, kind, seed, n);
    let params: Vec<usize> = sampler.param_indices().collect();
    let ny = model.ny;
    let totals = TotalRows::of(model);
    // the four totals in lane order, then the observed variables
    let mut rows: Vec<usize> = totals.in_lane_order().to_vec();
    rows.extend(observations.iter().map(|o| o.row));
    let ncriteria = model.criteria.list.len();
    let chunks = n.div_ceil(CHUNK as u64);
    let pieces: Vec<Piece> = (0..chunks)
        .into_par_iter()
        .map_init(
            || {
                (
                    BlockWorkspace::<BLOCK>::new(model),
                    vec![0.0; rows.len() * ny],
                )
            },
            |(ws, table), c| {
                let start = c * CHUNK as u64;
                let len = (n - start).min(CHUNK as u64) as usize;
                let mut p = Piece::default();
                for k0 in (0..len).step_by(BLOCK) {
                    let lanes = BLOCK.min(len - k0);
                    ws.draw(model, &sampler, start + k0 as u64, lanes);
                    for b in 0..lanes {
                        ws.gather_vars(b, &rows, table);
                        if !all_finite_below(table, crate::data::MAX_ABS_VALUE) {
                            p.bad = Some(start + (k0 + b) as u64);
                            return p;
                        }
                        let lane = ws.lane(b);
                        p.inputs.extend(params.iter().map(|&j| lane[j]));
                        for (i, o) in observations.iter().enumerate() {
                            let y = (o.year - model.base_year) as usize;
                            p.at_observed.push(table[(4 + i) * ny + y]);
                        }
                        p.gross.extend_from_slice(&table[..ny]);
                        let s = summarize(model, TotalRows::LANE, table);
                        p.net_target.push(s.net_kt);
                        p.target_met.push(s.target_met);
                        p.criteria_met.extend(model.criteria.each_met(
                            model.base_year,
                            ny,
                            TotalRows::LANE.criteria(),
                            table,
                        ));
                    }
                }
                p
            },
        )
        .collect();
    if let Some(i) = pieces.iter().find_map(|p| p.bad) {
        return Err(InputError::new(format!(
            "scenario `{}`, sample {i}: a result is not finite or beyond ±1e15",
            model.scenario
        ))
        .hint("`kymsim batch` with the same samples and seed names the driver or variable and the values drawn")
        .into());
    }
    let mut e = Ensemble {
        n: n as usize,
        params,
        inputs: Vec::new(),
        at_observed: Vec::new(),
        gross: Vec::new(),
        net_target: Vec::new(),
        target_met: Vec::new(),
        criteria_met: Vec::new(),
    };
    for p in pieces {
        e.inputs.extend(p.inputs);
        e.at_observed.extend(p.at_observed);
        e.gross.extend(p.gross);
        e.net_target.extend(p.net_target);
        e.target_met.extend(p.target_met);
        e.criteria_met.extend(p.criteria_met);
    }
    debug_assert_eq!(e.criteria_met.len(), e.n * ncriteria);
    Ok(e)
}

/// Importance weights of the samples given the observations: the Gaussian likelihood
/// `exp(−½ Σ_j ((y_j − m_ij)/σ_j)²)`, scaled so that the largest is 1. Summed in sample order.
pub fn weights(e: &Ensemble, observations: &[Observation]) -> Vec<f64> {
    let k = observations.len();
    let log: Vec<f64> = e
        .at_observed
        .chunks_exact(k.max(1))
        .map(|m| {
            -0.5 * m
                .iter()
                .zip(observations)
                .map(|(&m, o)| ((o.kt - m) / o.sd_kt).powi(2))
                .sum::<f64>()
        })
        .collect();
    let max = log.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    log.iter().map(|l| (l - max).exp()).collect()
}

/// Kish's effective sample size of weights: (Σw)² / Σw².
pub fn effective_samples(w: &[f64]) -> f64 {
    let s: f64 = w.iter().sum();
    let s2: f64 = w.iter().map(|x| x * x).sum();
    if s2 > 0.0 { s * s / s2 } else { 0.0 }
}

/// The weighted mean and standard deviation of `x` (equal weights when `w` is None).
pub fn mean_sd(x: impl Iterator<Item = f64> + Clone, w: Option<&[f64]>) -> (f64, f64) {
    let weight = |i: usize| w.map_or(1.0, |w| w[i]);
    let total: f64 = x.clone().enumerate().map(|(i, _)| weight(i)).sum();
    let mean = x
        .clone()
        .enumerate()
        .map(|(i, v)| weight(i) * v)
        .sum::<f64>()
        / total;
    let var = x
        .enumerate()
        .map(|(i, v)| weight(i) * (v - mean).powi(2))
        .sum::<f64>()
        / total;
    (mean, var.max(0.0).sqrt())
}

/// The weighted share of samples where `met` holds.
pub fn probability(met: impl Iterator<Item = bool>, w: Option<&[f64]>) -> f64 {
    let (mut yes, mut all) = (0.0, 0.0);
    for (i, m) in met.enumerate() {
        let wi = w.map_or(1.0, |w| w[i]);
        all += wi;
        if m {
            yes += wi;
        }
    }
    yes / all
}

/// Quantiles of `x` at each of `ps`. Without weights numpy's default (as `batch`); with weights
/// the inverse of the weighted distribution function, each sample's weight centred on its
/// value and the points between joined linearly (equal weights give the Hazen quantile).
pub fn quantiles(x: &[f64], w: Option<&[f64]>, ps: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let Some(w) = w else {
        let sorted: Vec<f64> = order.iter().map(|&i| x[i]).collect();
        return ps
            .iter()
            .map(|&p| crate::engine::stats::quantile_sorted(&sorted, p))
            .collect();
    };
    let total: f64 = w.iter().sum();
    // the centre of each sample's share of the cumulative weight
    let mut centres = Vec::with_capacity(x.len());
    let mut cum = 0.0;
    for &i in &order {
        centres.push((cum + w[i] / 2.0) / total);
        cum += w[i];
    }
    ps.iter()
        .map(|&p| {
            let k = centres.partition_point(|&c| c < p);
            if k == 0 {
                x[order[0]]
            } else if k == order.len() {
                x[order[order.len() - 1]]
            } else {
                let (c0, c1) = (centres[k - 1], centres[k]);
                let (x0, x1) = (x[order[k - 1]], x[order[k]]);
                if c1 > c0 {
                    x0 + (p - c0) / (c1 - c0) * (x1 - x0)
                } else {
                    x1
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kish_effective_size_of_two_equal_and_one_half_weight() {
        // (1 + 1 + 0.5)² / (1 + 1 + 0.25) = 6.25 / 2.25 = 2.777…
        let ess = effective_samples(&[1.0, 1.0, 0.5]);
        assert!((ess - 6.25 / 2.25).abs() < 1e-12);
    }

    #[test]
    fn weighted_mean_and_sd() {
        // weights 3 and 1 on 0 and 4: mean 1, variance (3·1 + 1·9)/4 = 3
        let (m, sd) = mean_sd([0.0, 4.0].into_iter(), Some(&[3.0, 1.0]));
        assert!((m - 1.0).abs() < 1e-12);
        assert!((sd - 3f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        // centres of the cumulative weight: 0 → 0.1, 10 → 0.6 (0.2 + 0.8/2); the median 0.5
        // lies between them at 0 + (0.5 − 0.1)/(0.6 − 0.1) × 10 = 8
        let q = quantiles(&[10.0, 0.0], Some(&[0.8, 0.2]), &[0.5, 0.05, 0.95]);
        assert!((q[0] - 8.0).abs() < 1e-12);
        assert_eq!(q[1], 0.0);
        assert_eq!(q[2], 10.0);
        // unweighted: numpy's median of 0 and 10 is 5
        assert_eq!(quantiles(&[10.0, 0.0], None, &[0.5]), vec![5.0]);
    }

    #[test]
    fn probability_weighs_the_samples_that_meet() {
        // met by the samples of weight 1 and 0.5 of 1 + 0.5 + 0.5: 1.5 / 2 = 0.75
        let p = probability([true, false, true].into_iter(), Some(&[1.0, 0.5, 0.5]));
        assert_eq!(p, 0.75);
    }
}
