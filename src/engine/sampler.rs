//! Drawing parameter vectors: Monte Carlo or Latin hypercube, counter-based.
//!
//! The draws of sample `i` depend only on (seed, scenario name, i, N, sampler): each sample has
//! its own ChaCha8 stream, and the Latin hypercube's strata come from a keyed permutation of
//! `0..N` computed per index (no shared state), so results never depend on threads, chunking or
//! sharding.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

use crate::model::{Level, Model};
use crate::scenario::Prepared;

/// Monte Carlo or Latin hypercube.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplerKind {
    /// Independent uniform draws.
    MonteCarlo,
    /// Latin hypercube: each parameter's N draws fall one in each of N equal-probability strata.
    LatinHypercube,
}

/// Draws parameter vectors for one scenario.
#[derive(Debug, Clone)]
pub struct Sampler {
    kind: SamplerKind,
    key: u64,
    n: u64,
    params: Vec<Drawn>,
}

/// One parameter the sampler draws: its index, distribution, range and plan level.
#[derive(Debug, Clone)]
struct Drawn {
    index: usize,
    dist: Prepared,
    bounds: (f64, f64),
    level: Option<Level>,
}

/// SplitMix64: a strong 64-bit mixer.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of a string, for keying streams by scenario name.
fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A uniform in (0, 1) from 64 random bits (never exactly 0 or 1).
pub fn unit(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

/// A keyed bijection of `0..n` (a Feistel network with cycle walking): `permute(i)` for each i
/// is a permutation, computed without storing it.
pub fn permute(i: u64, n: u64, key: u64) -> u64 {
    debug_assert!(i < n);
    if n <= 1 {
        return 0;
    }
    let bits = 64 - (n - 1).leading_zeros();
    let half = bits.div_ceil(2);
    let mask = (1u64 << half) - 1;
    let mut x = i;
    loop {
        let (mut l, mut r) = (x >> half, x & mask);
        for round in 0..4u64 {
            let f = mix64(r ^ key.wrapping_add(round.wrapping_mul(0x9e37_79b9))) & mask;
            (l, r) = (r, l ^ f);
        }
        x = (l << half) | r;
        // the network permutes 0..2^(2·half); walk until we land inside 0..n
        if x < n {
            return x;
        }
    }
}

impl Sampler {
    /// A sampler for `model`'s uncertain parameters.
    pub fn new(model: &Model, kind: SamplerKind, seed: u64, n: u64) -> Sampler {
        let params = model
            .uncertain_params()
            .into_iter()
            .filter_map(|i| {
                model.params[i].spec.dist().map(|d| Drawn {
                    index: i,
                    dist: d.prepare(),
                    bounds: model.params[i].bounds,
                    level: model.params[i].level,
                })
            })
            .collect();
        Sampler {
            kind,
            key: mix64(seed ^ mix64(hash_str(&model.scenario))),
            n,
            params,
        }
    }

    /// Number of uncertain parameters.
    pub fn dims(&self) -> usize {
        self.params.len()
    }

    /// The model parameter indices it draws, in draw order (the model's parameter order).
    pub fn param_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.params.iter().map(|d| d.index)
    }

    /// Writes sample `i`'s draws into `p` (which holds the central values elsewhere).
    pub fn fill(&self, i: u64, p: &mut [f64]) {
        let mut rng = ChaCha8Rng::seed_from_u64(self.key);
        rng.set_stream(i);
        for (j, d) in self.params.iter().enumerate() {
            let r = unit(rng.next_u64());
            let u = match self.kind {
                SamplerKind::MonteCarlo => r,
                SamplerKind::LatinHypercube => {
                    let stratum = permute(i, self.n, mix64(self.key ^ (j as u64 + 1)));
                    (stratum as f64 + r) / self.n as f64
                }
            };
            let x = d.dist.quantile(u).clamp(d.bounds.0, d.bounds.1);
            // a plan level moves the value, not the draw: the stream is the same at every level
            p[d.index] = d.level.map_or(x, |l| l.apply(x));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_is_a_bijection() {
        for n in [1u64, 2, 3, 10, 97, 1000] {
            let mut seen: Vec<u64> = (0..n).map(|i| permute(i, n, 42)).collect();
            seen.sort();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
        // a different key gives a different order
        let a: Vec<u64> = (0..50).map(|i| permute(i, 50, 1)).collect();
        let b: Vec<u64> = (0..50).map(|i| permute(i, 50, 2)).collect();
        assert_ne!(a, b);
    }

    #[test]
    fn unit_is_open() {
        assert!(unit(0) > 0.0 && unit(u64::MAX) < 1.0);
    }
}
