//! Morris screening: elementary effects along r one-at-a-time trajectories (Morris 1991), with
//! the trajectories chosen for spread among candidates (Campolongo, Cariboni & Saltelli 2007,
//! with the greedy selection of Ruano et al. 2012), and μ* (Campolongo et al. 2007).
//!
//! Each input lives on a grid of `p` levels in probability: level l ∈ {0, …, p − 1} stands for
//! the probability (l + ½)/p, the middle of the l-th of p equal-probability strata (so that
//! unbounded distributions have finite grid values). A trajectory starts at a random grid point
//! and moves each input once, in a random order, by p/2 levels (probability ½) up or down. The
//! elementary effect of input i is
//!
//! ```text
//! EE_i = (f(x after the move) − f(x before)) / (probability after − probability before)
//! ```
//!
//! i.e. the output change per unit of the input's probability scale. For a uniform input on
//! [lo, hi] entering linearly with coefficient c, EE_i = c·(hi − lo) exactly. Over r
//! trajectories: μ_i = mean EE_i, μ*_i = mean |EE_i|, σ_i = standard deviation of EE_i (n − 1).
//!
//! Every candidate trajectory comes from its own ChaCha8 stream (seed, candidate), the selection
//! is deterministic and evaluations land in fixed slots, so results do not depend on threads.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use super::{UnitInputs, csv_bytes, sort_by_influence};
use crate::model::Model;
use crate::output::fmt_num;

/// Design settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorrisOptions {
    /// r: trajectories kept (cost r·(k + 1) evaluations).
    pub trajectories: usize,
    /// Candidate trajectories the r are chosen from (≥ r).
    pub candidates: usize,
    /// p: grid levels per input (even, ≥ 2).
    pub levels: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for MorrisOptions {
    fn default() -> Self {
        MorrisOptions {
            trajectories: 20,
            candidates: 100,
            levels: 4,
            seed: 0,
        }
    }
}

/// μ, μ* and σ of one input's elementary effects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect (signed).
    pub mu: f64,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects (n − 1 denominator; 0 for r = 1).
    pub sigma: f64,
}

/// A trajectory: k + 1 grid points as level indices `[point × k]`, and which input each step
/// moves.
#[derive(Debug, Clone, PartialEq)]
struct Trajectory {
    levels: Vec<usize>,
    order: Vec<usize>,
}

fn probability(level: usize, p: usize) -> f64 {
    (level as f64 + 0.5) / p as f64
}

fn candidate(k: usize, opts: &MorrisOptions, c: usize) -> Trajectory {
    let p = opts.levels;
    let jump = p / 2;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    rng.set_stream(c as u64);
    let below =
        |rng: &mut ChaCha8Rng, n: usize| ((rng.next_u64() as u128 * n as u128) >> 64) as usize;
    // start level and direction: up from {0, …, p − 1 − jump} or down from {jump, …, p − 1}
    let mut start = vec![0; k];
    let mut up = vec![true; k];
    for i in 0..k {
        up[i] = rng.next_u64() & 1 == 0;
        let l = below(&mut rng, p - jump);
        start[i] = if up[i] { l } else { l + jump };
    }
    let mut order: Vec<usize> = (0..k).collect();
    for i in (1..k).rev() {
        order.swap(i, below(&mut rng, i + 1));
    }
    let mut levels = Vec::with_capacity((k + 1) * k);
    levels.extend_from_slice(&start);
    let mut cur = start;
    for &i in &order {
        cur[i] = if up[i] { cur[i] + jump } else { cur[i] - jump };
        levels.extend_from_slice(&cur);
    }
    Trajectory { levels, order }
}

/// Campolongo's distance: the sum of Euclidean distances between every point of one trajectory
/// and every point of the other (in probability).
fn distance(a: &Trajectory, b: &Trajectory, k: usize, p: usize) -> f64 {
    let mut d = 0.0;
    for pa in a.levels.chunks(k) {
        for pb in b.levels.chunks(k) {
            let s: f64 = pa
                .iter()
                .zip(pb)
                .map(|(&x, &y)| (probability(x, p) - probability(y, p)).powi(2))
                .sum();
            d += s.sqrt();
        }
    }
    d
}

/// Chooses r of the candidates greedily: the farthest pair first, then each time the candidate
/// with the largest summed distance to those chosen (ties: the lower index).
fn select(cands: &[Trajectory], r: usize, k: usize, p: usize) -> Vec<usize> {
    let m = cands.len();
    if r >= m {
        return (0..m).collect();
    }
    let dist: Vec<f64> = (0..m * m)
        .into_par_iter()
        .map(|ij| {
            let (i, j) = (ij / m, ij % m);
            if i < j {
                distance(&cands[i], &cands[j], k, p)
            } else {
                0.0
            }
        })
        .collect();
    let d = |i: usize, j: usize| {
        if i < j {
            dist[i * m + j]
        } else {
            dist[j * m + i]
        }
    };
    let (mut bi, mut bj, mut best) = (0, 1.min(m - 1), f64::NEG_INFINITY);
    for i in 0..m {
        for j in i + 1..m {
            if d(i, j) > best {
                (bi, bj, best) = (i, j, d(i, j));
            }
        }
    }
    let mut chosen = vec![bi, bj];
    let mut sum: Vec<f64> = (0..m).map(|c| d(c, bi) + d(c, bj)).collect();
    while chosen.len() < r {
        let mut pick = None;
        for c in 0..m {
            if chosen.contains(&c) {
                continue;
            }
            if pick.is_none_or(|q: usize| sum[c] > sum[q]) {
                pick = Some(c);
            }
        }
        let Some(c) = pick else { break };
        chosen.push(c);
        for (q, s) in sum.iter_mut().enumerate() {
            *s += d(q, c);
        }
    }
    chosen.truncate(r);
    chosen
}

/// Morris indices of `f(state, u)` for inputs u in (0, 1)^k (probabilities); `init` makes one
/// state per worker thread.
pub fn morris_with<S, I, F>(k: usize, opts: &MorrisOptions, init: I, f: F) -> Vec<MorrisIndex>
where
    I: Fn() -> S + Sync + Send,
    F: Fn(&mut S, &[f64], &mut [f64]) + Sync + Send,
{
    let (r, p) = (opts.trajectories, opts.levels);
    if k == 0 || r == 0 || p < 2 {
        return Vec::new();
    }
    let cands: Vec<Trajectory> = (0..opts.candidates.max(r))
        .into_par_iter()
        .map(|c| candidate(k, opts, c))
        .collect();
    let chosen = select(&cands, r, k, p);
    // outputs `[trajectory × (k + 1)]`
    let mut out = vec![0.0; chosen.len() * (k + 1)];
    out.par_chunks_mut(k + 1).zip(&chosen).for_each_init(
        || (init(), vec![0.0; (k + 1) * k]),
        |(state, points), (row, &c)| {
            for (x, &l) in points.iter_mut().zip(&cands[c].levels) {
                *x = probability(l, p);
            }
            f(state, points, row);
        },
    );
    let mut effects = vec![Vec::with_capacity(chosen.len()); k];
    for (t, &c) in chosen.iter().enumerate() {
        let tr = &cands[c];
        for (s, &i) in tr.order.iter().enumerate() {
            let (before, after) = (tr.levels[s * k + i], tr.levels[(s + 1) * k + i]);
            let dp = probability(after, p) - probability(before, p);
            let dy = out[t * (k + 1) + s + 1] - out[t * (k + 1) + s];
            effects[i].push(dy / dp);
        }
    }
    effects
        .iter()
        .map(|e| {
            let n = e.len() as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|v| v.abs()).sum::<f64>() / n;
            let sigma = if e.len() > 1 {
                (e.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            MorrisIndex { mu, mu_star, sigma }
        })
        .collect()
}

/// The Morris indices of one uncertain model parameter.
#[derive(Debug, Clone)]
pub struct MorrisRow {
    /// Parameter name, e.g. `uncertainty.road_activity`.
    pub parameter: String,
    /// Its indices (kt CO2e of target-year net emissions per unit of probability).
    pub index: MorrisIndex,
}

/// Morris indices of target-year net emissions for every uncertain parameter of `model`
/// (drawn as `Dist::quantile(probability)` clamped to its bounds; every other parameter
/// central). Sorted by μ*, largest first (ties by name).
pub fn model_morris(model: &Model, opts: &MorrisOptions) -> Vec<MorrisRow> {
    let inputs = UnitInputs::of(model);
    let indices = morris_with(
        inputs.len(),
        opts,
        || inputs.state(),
        |state, points, out| {
            inputs.nets_at(state, points, out);
        },
    );
    let mut rows: Vec<MorrisRow> = inputs
        .names()
        .zip(indices)
        .map(|(parameter, index)| MorrisRow { parameter, index })
        .collect();
    sort_by_influence(&mut rows, |r| r.index.mu_star, |r| &r.parameter);
    rows
}

#[derive(Debug, Serialize)]
struct CsvRow<'a> {
    scenario: &'a str,
    parameter: &'a str,
    mu_star: String,
    mu: String,
    sigma: String,
}

/// `morris.csv`: `scenario,parameter,mu_star,mu,sigma`, by scenario, then as given (μ*
/// descending).
pub fn morris_csv(results: &[(&str, &[MorrisRow])]) -> Vec<u8> {
    let mut results: Vec<&(&str, &[MorrisRow])> = results.iter().collect();
    results.sort_by(|a, b| a.0.cmp(b.0));
    csv_bytes(|w| {
        w.write_record(crate::output::schema::MORRIS_COLUMNS)?;
        for (scenario, rows) in results {
            for r in rows.iter() {
                w.serialize(CsvRow {
                    scenario,
                    parameter: &r.parameter,
                    mu_star: fmt_num(r.index.mu_star),
                    mu: fmt_num(r.index.mu),
                    sigma: fmt_num(r.index.sigma),
                })?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn morris(
        k: usize,
        opts: &MorrisOptions,
        f: impl Fn(&[f64]) -> f64 + Sync + Send,
    ) -> Vec<MorrisIndex> {
        morris_with(
            k,
            opts,
            || (),
            |_, points, out| crate::decision::sobol::each_point(k, &f, points, out),
        )
    }

    #[test]
    fn additive_linear_function_is_ranked_by_its_coefficients() {
        // y = 5·x1 − 3·x2 + 1·x3 + 0·x4 with x_i = lo_i + (hi_i − lo_i)·u_i (uniform inputs):
        // every elementary effect of x_i is c_i·(hi_i − lo_i) exactly, whatever the point:
        //   x1 ∈ [0, 2]:  5 · 2 = 10        x2 ∈ [1, 2]: −3 · 1 = −3
        //   x3 ∈ [0, 4]:  1 · 4 = 4         x4 ∈ [0, 9]:  0 · 9 = 0
        // so μ* = |c|·range = 10, 3, 4, 0, μ = 10, −3, 4, 0 and σ = 0; ranking x1, x3, x2, x4
        let range = [(0.0, 2.0), (1.0, 2.0), (0.0, 4.0), (0.0, 9.0)];
        let c = [5.0, -3.0, 1.0, 0.0];
        let f = |u: &[f64]| -> f64 {
            (0..4)
                .map(|i| c[i] * (range[i].0 + (range[i].1 - range[i].0) * u[i]))
                .sum()
        };
        let m = morris(4, &MorrisOptions::default(), f);
        let expect = [(10.0, 10.0), (-3.0, 3.0), (4.0, 4.0), (0.0, 0.0)];
        for (i, (mu, mu_star)) in expect.iter().enumerate() {
            assert!((m[i].mu - mu).abs() < 1e-9, "x{}: μ = {}", i + 1, m[i].mu);
            assert!(
                (m[i].mu_star - mu_star).abs() < 1e-9,
                "x{}: μ* = {}",
                i + 1,
                m[i].mu_star
            );
            assert!(m[i].sigma < 1e-9);
        }
        let mut rank: Vec<usize> = (0..4).collect();
        rank.sort_by(|&a, &b| m[b].mu_star.total_cmp(&m[a].mu_star));
        assert_eq!(rank, vec![0, 2, 1, 3]);
    }

    #[test]
    fn interaction_shows_in_sigma() {
        // y = u1·u2: the effect of u1 is u2, which varies between trajectories → σ > 0;
        // u3 does nothing → μ* = σ = 0
        let m = morris(3, &MorrisOptions::default(), |u| u[0] * u[1]);
        assert!(m[0].sigma > 0.05 && m[1].sigma > 0.05);
        assert_eq!((m[2].mu_star, m[2].sigma), (0.0, 0.0));
    }

    #[test]
    fn each_trajectory_moves_every_input_once_by_half_the_levels() {
        let opts = MorrisOptions::default();
        let t = candidate(5, &opts, 3);
        let mut sorted = t.order.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
        for s in 0..5 {
            let (a, b) = (
                &t.levels[s * 5..(s + 1) * 5],
                &t.levels[(s + 1) * 5..(s + 2) * 5],
            );
            for i in 0..5 {
                if i == t.order[s] {
                    // 4 levels: a jump of 2 levels, staying within 0…3
                    assert_eq!(a[i].abs_diff(b[i]), 2);
                    assert!(b[i] < 4);
                } else {
                    assert_eq!(a[i], b[i]);
                }
            }
        }
    }

    #[test]
    fn selection_prefers_spread_and_results_ignore_threads() {
        // the greedy choice never returns a duplicate, and picks r of them
        let opts = MorrisOptions {
            trajectories: 6,
            candidates: 30,
            ..Default::default()
        };
        let cands: Vec<Trajectory> = (0..30).map(|c| candidate(3, &opts, c)).collect();
        let chosen = select(&cands, 6, 3, 4);
        let mut d = chosen.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 6);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| morris(3, &opts, |u| u[0] * u[1] + u[2].sin()))
        };
        assert_eq!(run(1), run(3));
    }
}
