//! The coupled bound: each sample's criteria relaxed to one linear constraint on the candidates'
//! levels, and the cost of a box bounded by the samples it must meet together.
//!
//! Within a box of levels (candidate c in `lo[c]..=hi[c]`), let V(x) be a sample's margin on a
//! criterion (the figure minus its limit: met when ≤ 0) and δ_c(ℓ) = V(hi with c at ℓ) − V(hi)
//! the rise of the margin when candidate c alone goes down to ℓ. When the candidates have
//! **diminishing returns** — a measure never abates more because another is also taken — every
//! portfolio x of the box has
//!
//! ```text
//! V(x) ≥ V(hi) + Σ_c δ_c(x_c)
//! ```
//!
//! (lower the candidates one by one from `hi`: each step raises V at least as much as it does
//! from `hi` itself). So a portfolio that meets the sample satisfies the linear constraint
//! Σ_c δ_c(x_c) ≤ −V(hi), and the cheapest portfolio of the box that does — bounded from below by
//! Lagrangian duality, max over λ ≥ 0 of Σ_c min_ℓ (cost_c(ℓ) + λ δ_c(ℓ)) − λ·(−V(hi)) — is a
//! lower bound `c_s` on the cost of any portfolio of the box meeting sample s. A feasible
//! portfolio meets at least `need` samples and costs at least `c_s` for each of them: at least
//! the `need`-th smallest `c_s` (docs/decision-support.md §7, "The coupled bound").
//!
//! Which menus have diminishing returns is decided from the measures' kinds
//! ([`interactions`]); a menu with a pair that may reinforce each other uses the separable
//! bound only.

use rayon::prelude::*;

use super::candidates::Candidate;
use super::oracle::Oracle;
use crate::data::{CarrierKind, Region};
use crate::error::Result;

/// Margins of the open samples at the top of a box and the rise of each when one candidate goes
/// down.
#[derive(Debug, Clone)]
pub struct Deltas {
    /// The box's top the rises are measured from.
    pub hi: Vec<u8>,
    /// The lowest level each candidate's rises are known for.
    pub lo: Vec<u8>,
    /// The samples (ascending).
    pub samples: Vec<u32>,
    /// Criteria per sample.
    pub criteria: usize,
    /// Margins at `hi`, `[sample × criterion]`.
    pub base: Vec<f64>,
    /// Per candidate and level (`lo[c]..hi[c]`; empty elsewhere): the rise of each margin,
    /// `[sample × criterion]`.
    pub rise: Vec<Vec<Vec<f64>>>,
}

impl Deltas {
    /// Measures the rises at `hi` for `samples` (every candidate, every level of `lo..hi`):
    /// 1 + Σ_c (hi_c − lo_c) evaluations. None when the oracle gives no margins.
    pub fn measure<O: Oracle>(
        oracle: &O,
        lo: &[u8],
        hi: &[u8],
        samples: &[u32],
    ) -> Result<Option<(Deltas, u64)>> {
        let Some(base) = oracle.margins(hi, samples)? else {
            return Ok(None);
        };
        let criteria = oracle.criteria();
        let mut evaluations = 1;
        let mut rise = Vec::with_capacity(hi.len());
        for c in 0..hi.len() {
            let mut levels = vec![Vec::new(); usize::from(hi[c]) + 1];
            for l in lo[c]..hi[c] {
                let mut x = hi.to_vec();
                x[c] = l;
                let Some(m) = oracle.margins(&x, samples)? else {
                    return Ok(None);
                };
                evaluations += 1;
                levels[usize::from(l)] = m.iter().zip(&base).map(|(a, b)| a - b).collect();
            }
            rise.push(levels);
        }
        Ok(Some((
            Deltas {
                hi: hi.to_vec(),
                lo: lo.to_vec(),
                samples: samples.to_vec(),
                criteria,
                base,
                rise,
            },
            evaluations,
        )))
    }

    /// The rise of margin `j` of the sample at position `i` when candidate c is at `l`.
    #[inline]
    fn at(&self, c: usize, l: u8, i: usize, j: usize) -> f64 {
        if l >= self.hi[c] {
            0.0
        } else {
            self.rise[c][usize::from(l)][i * self.criteria + j]
        }
    }

    /// A lower bound on the candidates' cost (without the fixed part) of any portfolio of
    /// `lo..=hi` (within the measured box) that keeps margin `j` of the sample at position `i`
    /// at most 0; +∞ when even `hi` does not.
    fn sample_bound(&self, costs: &[Vec<f64>], lo: &[u8], hi: &[u8], i: usize, j: usize) -> f64 {
        let slack = -self.base[i * self.criteria + j];
        if slack < 0.0 {
            return f64::INFINITY;
        }
        // g(λ) = Σ_c min_ℓ (cost + λ·rise) − λ·slack, and its slope Σ_c rise(ℓ*) − slack
        let dual = |lambda: f64| {
            let (mut g, mut slope) = (-lambda * slack, -slack);
            for c in 0..costs.len() {
                let (mut best, mut best_rise) = (f64::INFINITY, 0.0);
                for l in lo[c]..=hi[c] {
                    let r = self.at(c, l, i, j);
                    let v = costs[c][usize::from(l)] + lambda * r;
                    if v < best {
                        (best, best_rise) = (v, r);
                    }
                }
                g += best;
                slope += best_rise;
            }
            (g, slope)
        };
        let (g0, s0) = dual(0.0);
        let mut best = g0;
        if s0 <= 0.0 {
            return best;
        }
        // every g(λ) is a lower bound; find the top of the concave g by doubling and bisection
        let (mut a, mut b) = (0.0, 1e-4);
        loop {
            let (g, s) = dual(b);
            best = best.max(g);
            if s <= 0.0 || b > 1e12 {
                break;
            }
            (a, b) = (b, b * 2.0);
        }
        for _ in 0..40 {
            let mid = 0.5 * (a + b);
            let (g, s) = dual(mid);
            best = best.max(g);
            if s > 0.0 {
                a = mid;
            } else {
                b = mid;
            }
        }
        best
    }

    /// The samples of `open` that were measured, and for each a lower bound on the cost of
    /// any portfolio of `lo..=hi` meeting it (every criterion), fixed part included; +∞ for a
    /// sample the box cannot meet. `lo..=hi` must lie within the measured box.
    pub fn sample_bounds(
        &self,
        costs: &[Vec<f64>],
        fixed: f64,
        lo: &[u8],
        hi: &[u8],
        open: &[u32],
    ) -> (Vec<u32>, Vec<f64>) {
        debug_assert!(self.within(lo, hi));
        let positions: Vec<usize> = open
            .iter()
            .filter_map(|s| self.samples.binary_search(s).ok())
            .collect();
        let bounds = positions
            .par_iter()
            .map(|&i| {
                let worst = (0..self.criteria)
                    .map(|j| self.sample_bound(costs, lo, hi, i, j))
                    .fold(f64::NEG_INFINITY, f64::max);
                fixed + worst
            })
            .collect();
        (positions.iter().map(|&i| self.samples[i]).collect(), bounds)
    }

    /// Whether `lo..=hi` lies within the box the rises were measured in (same top, levels
    /// known): the rises then bound every portfolio of it.
    pub fn within(&self, lo: &[u8], hi: &[u8]) -> bool {
        hi == self.hi.as_slice() && lo.iter().zip(&self.lo).all(|(a, b)| a >= b)
    }

    /// The predicted margins of the sample at position `i` at `x` (the linear relaxation).
    fn predicted(&self, x: &[u8], i: usize, j: usize) -> f64 {
        self.base[i * self.criteria + j] + (0..x.len()).map(|c| self.at(c, x[c], i, j)).sum::<f64>()
    }

    /// A portfolio the relaxation says meets the samples at positions `keep`: from `hi`, each
    /// step down one level is taken, cheapest per unit of margin used first, while every margin
    /// of `keep` stays ≤ 0 by the relaxation. A starting point for an exact search, no more.
    pub fn greedy(&self, costs: &[Vec<f64>], keep: &[usize]) -> Vec<u8> {
        let mut x = self.hi.clone();
        let k = self.criteria;
        let mut margin: Vec<f64> = keep
            .iter()
            .flat_map(|&i| (0..k).map(move |j| (i, j)))
            .map(|(i, j)| self.predicted(&x, i, j))
            .collect();
        loop {
            let mut best: Option<(f64, usize)> = None;
            for c in 0..x.len() {
                if x[c] <= self.lo[c] {
                    continue;
                }
                let (now, down) = (x[c], x[c] - 1);
                let saving = costs[c][usize::from(now)] - costs[c][usize::from(down)];
                if saving <= 0.0 {
                    continue;
                }
                let mut used = 0.0;
                let mut fits = true;
                for (n, &i) in keep.iter().enumerate() {
                    for j in 0..k {
                        let step = self.at(c, down, i, j) - self.at(c, now, i, j);
                        if margin[n * k + j] + step > 0.0 {
                            fits = false;
                            break;
                        }
                        used += step.max(0.0);
                    }
                    if !fits {
                        break;
                    }
                }
                if !fits {
                    continue;
                }
                let score = saving / (used + 1e-9);
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, c));
                }
            }
            let Some((_, c)) = best else {
                return x;
            };
            let (now, down) = (x[c], x[c] - 1);
            for (n, &i) in keep.iter().enumerate() {
                for j in 0..k {
                    margin[n * k + j] += self.at(c, down, i, j) - self.at(c, now, i, j);
                }
            }
            x[c] = down;
        }
    }

    /// By the relaxation: how much the samples at `positions` that `x` misses come nearer to
    /// meeting (Σ of the fall of their largest positive margin) when candidate c goes to `up`.
    pub fn margin_won(&self, x: &[u8], c: usize, up: u8, positions: &[usize]) -> f64 {
        let mut y = x.to_vec();
        y[c] = up;
        positions
            .iter()
            .map(|&i| {
                let worst = |z: &[u8]| {
                    (0..self.criteria)
                        .map(|j| self.predicted(z, i, j))
                        .fold(0.0, f64::max)
                };
                worst(x) - worst(&y)
            })
            .sum()
    }

    /// The positions (in `self.samples`) of `samples`, in order of the bounds `sample_bounds`
    /// gave them (cheapest to meet first).
    pub fn easiest(&self, samples: &[u32], bounds: &[f64]) -> Vec<usize> {
        let mut positions: Vec<(usize, f64)> = samples
            .iter()
            .filter_map(|s| self.samples.binary_search(s).ok())
            .zip(bounds.iter().copied())
            .collect();
        positions.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        positions.into_iter().map(|(i, _)| i).collect()
    }
}

/// The `rank`-th smallest (1-based) of `values`; +∞ when there are fewer.
pub fn kth_smallest(values: &[f64], rank: usize) -> f64 {
    if rank == 0 {
        return f64::NEG_INFINITY;
    }
    if values.len() < rank {
        return f64::INFINITY;
    }
    let mut v = values.to_vec();
    let (_, x, _) = v.select_nth_unstable_by(rank - 1, |a, b| a.total_cmp(b));
    *x
}

/// Pairs of candidates that may reinforce each other — the second abating more when the first
/// is taken — by their kinds: the first moves a share or area *to* X (`fuel_switch`,
/// `mix_switch`, `land_use_change`) and the second acts on X, on a component of X (through any
/// depth of mixes and blends) or moves a share *from* X; or a `process` measure on a land
/// category a `land_management` candidate manages. Every other pair of kinds has
/// diminishing returns: their effects multiply or compete for the same emissions (docs/decision-
/// support.md §7). Empty: the coupled bound holds for this menu.
pub fn interactions(region: &Region, candidates: &[Candidate]) -> Vec<(String, String)> {
    let text =
        |c: &Candidate, key: &str| c.table.get(key).and_then(|v| v.as_str()).map(String::from);
    let targets = |c: &Candidate| -> Vec<String> {
        c.table
            .get("targets")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    // X and every carrier it is made of
    let made_of = |x: &str| -> Vec<String> {
        let mut out = vec![x.to_string()];
        let mut i = 0;
        while i < out.len() {
            if let Some(k) = region.carriers.iter().position(|c| c.id == out[i])
                && region.carriers[k].kind != CarrierKind::Fuel
            {
                for m in region.carrier_mix.iter().filter(|m| m.carrier == k) {
                    let id = &region.carriers[m.component].id;
                    if !out.contains(id) {
                        out.push(id.clone());
                    }
                }
            }
            i += 1;
        }
        out
    };
    let mut pairs = Vec::new();
    for a in candidates {
        let kind = text(a, "kind").unwrap_or_default();
        if !matches!(
            kind.as_str(),
            "fuel_switch" | "mix_switch" | "land_use_change"
        ) {
            continue;
        }
        let Some(to) = text(a, "to") else { continue };
        let reach = made_of(&to);
        for b in candidates {
            if std::ptr::eq(a, b) {
                continue;
            }
            let acts_on = targets(b).iter().any(|t| reach.contains(t))
                || text(b, "from").is_some_and(|f| reach.contains(&f));
            if acts_on {
                pairs.push((a.id.clone(), b.id.clone()));
            }
        }
    }
    // a managed category's removal follows its drawn flux through max(0, …): not linear in a
    // `process` measure on the same category
    for a in candidates
        .iter()
        .filter(|c| text(c, "kind").as_deref() == Some("process"))
    {
        for b in candidates
            .iter()
            .filter(|c| text(c, "kind").as_deref() == Some("land_management"))
        {
            if targets(a).iter().any(|t| targets(b).contains(t)) {
                pairs.push((a.id.clone(), b.id.clone()));
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataSource, load_region};

    #[test]
    fn a_sample_bound_by_hand() {
        // two candidates at levels 0..=1 costing 0/1 and 0/2; the sample's margin at the top is
        // −2 and rises by 3 when candidate 0 is off, by 1 when candidate 1 is. Continuously, 0 at
        // t ≥ 2/3 with 1 off meets: 3·(1 − t) + 1 ≤ 2 → t = 2/3 at cost 2/3, the LP bound.
        // (The grid's cheapest is 0 on, 1 off: cost 1.)
        let d = Deltas {
            hi: vec![1, 1],
            lo: vec![0, 0],
            samples: vec![7],
            criteria: 1,
            base: vec![-2.0],
            rise: vec![vec![vec![3.0], vec![]], vec![vec![1.0], vec![]]],
        };
        let costs = vec![vec![0.0, 1.0], vec![0.0, 2.0]];
        let (samples, bounds) = d.sample_bounds(&costs, 10.0, &[0, 0], &[1, 1], &[7]);
        assert_eq!(samples, [7]);
        assert!(
            (bounds[0] - (10.0 + 2.0 / 3.0)).abs() < 1e-9,
            "{}",
            bounds[0]
        );
        // with candidate 0 held on (lo = 1), the cheapest is 1 + 0: margin −2 + 1 ≤ 0
        let (_, bounds) = d.sample_bounds(&costs, 0.0, &[1, 0], &[1, 1], &[7]);
        assert!((bounds[0] - 1.0).abs() < 1e-12);
        // a sample the top misses cannot be met in the box
        let miss = Deltas {
            base: vec![0.5],
            ..d.clone()
        };
        let (_, bounds) = miss.sample_bounds(&costs, 0.0, &[0, 0], &[1, 1], &[7]);
        assert_eq!(bounds, [f64::INFINITY]);
        // the greedy keeps the sample met by the relaxation: 1 off (saves 2, uses 1), then 0
        // would use 3 more than the 1 left: [1, 0]
        assert_eq!(d.greedy(&costs, &[0]), [1, 0]);
    }

    #[test]
    fn kth_smallest_counts_from_one() {
        assert_eq!(kth_smallest(&[3.0, 1.0, 2.0], 1), 1.0);
        assert_eq!(kth_smallest(&[3.0, 1.0, 2.0], 3), 3.0);
        assert_eq!(kth_smallest(&[3.0], 2), f64::INFINITY);
        assert_eq!(kth_smallest(&[], 0), f64::NEG_INFINITY);
    }

    fn candidate(id: &str, toml_text: &str) -> Candidate {
        Candidate {
            id: id.into(),
            name: id.into(),
            from: None,
            central: 0.5,
            table: toml_text.parse().unwrap(),
        }
    }

    #[test]
    fn reinforcing_pairs_are_found_by_kind() {
        let region = load_region(&DataSource::Embedded).unwrap();
        // a switch to district heat and a cleaner wood (a component of district heat) reinforce
        // each other; a switch to electricity (a fuel) does not meet wood
        let to_dh = candidate(
            "to_dh",
            "kind = \"fuel_switch\"\ntargets = [\"heating.oil\"]\nfrom = \"fuel_oil\"\nto = \"district_heat\"",
        );
        let to_el = candidate(
            "to_el",
            "kind = \"fuel_switch\"\ntargets = [\"heating.oil\"]\nfrom = \"fuel_oil\"\nto = \"electricity\"",
        );
        let wood = candidate("wood", "kind = \"carrier_ef\"\ntargets = [\"wood\"]");
        let pairs = interactions(&region, &[to_dh.clone(), to_el.clone(), wood.clone()]);
        assert_eq!(pairs, [("to_dh".to_string(), "wood".to_string())]);
        // a switch away from electricity after one to it: a chain
        let from_el = candidate(
            "from_el",
            "kind = \"fuel_switch\"\ntargets = [\"heating.other\"]\nfrom = \"electricity\"\nto = \"wood\"",
        );
        let pairs = interactions(&region, &[to_el.clone(), from_el]);
        assert_eq!(pairs, [("to_el".to_string(), "from_el".to_string())]);
        // a process measure on a managed forest
        let manage = candidate(
            "manage",
            "kind = \"land_management\"\ntargets = [\"lulucf.forest.mineral\"]",
        );
        let process = candidate(
            "process",
            "kind = \"process\"\ntargets = [\"lulucf.forest.mineral\"]",
        );
        let pairs = interactions(&region, &[manage, process]);
        assert_eq!(pairs, [("process".to_string(), "manage".to_string())]);
        // nothing between two switches to a fuel and a measure elsewhere
        assert!(interactions(&region, &[to_el, wood]).is_empty());
    }

    #[test]
    fn the_bundled_menus_have_diminishing_returns() {
        let region = load_region(&DataSource::Embedded).unwrap();
        let library = crate::scenario::ScenarioLibrary::bundled();
        for (menu, base) in [("neutral2040", "baseline"), ("programme", "baseline")] {
            let m = library.resolve(menu).unwrap();
            let b = library.resolve(base).unwrap();
            let menu = super::super::Menu::new(&library, &m, &b).unwrap();
            assert_eq!(interactions(&region, &menu.candidates), []);
        }
    }
}
