//! Scenario discovery: PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), as the
//! EMA Workbench applies it to find the region of the input space where an outcome of interest
//! (e.g. "the target is missed") is concentrated.
//!
//! A *box* restricts some inputs to intervals. Of the N samples, those inside the box have a
//! *density* (the share of them that are of interest) and a *coverage* (the share of all samples of
//! interest that fall inside). Starting from the whole input space, **peeling** repeatedly cuts
//! off the `peel_alpha` share of the box's samples at the low or high end of one input, choosing
//! the cut that raises the density most per sample removed, until the box holds no more than
//! `mass_min` of all samples. **Pasting** then widens the last box again, one input side at a
//! time by `paste_alpha` of its samples, while that raises the density. Every box along the way
//! is the *peeling trajectory*, from which one box is chosen: the densest whose coverage reaches a
//! threshold ([`select_box`]), or a box picked by the analyst.
//!
//! Everything is deterministic: candidates are compared in input order (low side before high),
//! the first of equal candidates wins, and no randomness is used.

use crate::output::fmt_num;

/// Peeling and pasting settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimOptions {
    /// Share of the box's samples removed by one peel (EMA Workbench default 0.05).
    pub peel_alpha: f64,
    /// Share of the box's samples added by one paste (default 0.05).
    pub paste_alpha: f64,
    /// Peeling stops before the box would hold less than this share of all samples (0.05).
    pub mass_min: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        PrimOptions {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
        }
    }
}

/// One box of the trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// Per input: the lower bound (inclusive), `None` where the low side is not restricted.
    pub lower: Vec<Option<f64>>,
    /// Per input: the upper bound (inclusive), `None` where the high side is not restricted.
    pub upper: Vec<Option<f64>>,
    /// Samples inside.
    pub count: usize,
    /// Samples of interest inside.
    pub of_interest: usize,
    /// Share of all samples of interest that are inside.
    pub coverage: f64,
    /// Share of the samples inside that are of interest.
    pub density: f64,
    /// Share of all samples inside.
    pub mass: f64,
}

impl PrimBox {
    /// Whether input `j` is restricted on either side.
    pub fn restricts(&self, j: usize) -> bool {
        self.lower[j].is_some() || self.upper[j].is_some()
    }

    /// Number of restricted inputs.
    pub fn restricted(&self) -> usize {
        (0..self.lower.len()).filter(|&j| self.restricts(j)).count()
    }

    /// Whether a sample's inputs `x` lie inside.
    pub fn contains(&self, x: &[f64]) -> bool {
        x.iter().enumerate().all(|(j, v)| {
            self.lower[j].is_none_or(|lo| *v >= lo) && self.upper[j].is_none_or(|hi| *v <= hi)
        })
    }
}

/// The peeling trajectory: box 0 is the whole input space; peeled boxes follow, then pasted
/// ones from `pasted_from` on.
#[derive(Debug, Clone, PartialEq)]
pub struct Prim {
    /// The boxes in order.
    pub trajectory: Vec<PrimBox>,
    /// Index of the first pasted box (= `trajectory.len()` when pasting changed nothing).
    pub pasted_from: usize,
}

/// Why PRIM cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrimError {
    /// `x` is not `n × k` for `n = y.len()`, or k = 0.
    Shape,
    /// No sample is of interest.
    NoneOfInterest,
    /// Every sample is of interest: the whole space is the answer.
    AllOfInterest,
    /// An input is not a finite number.
    NotFinite,
    /// Options outside (0, 1) (peel/paste alpha below 0.5).
    Options,
}

impl std::fmt::Display for PrimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PrimError::Shape => "inputs and outcomes differ in number, or there are no inputs",
            PrimError::NoneOfInterest => "no sample has the outcome of interest",
            PrimError::AllOfInterest => "every sample has the outcome of interest",
            PrimError::NotFinite => "an input value is not a finite number",
            PrimError::Options => {
                "peel and paste alpha must lie in (0, 0.5) and the minimum mass in (0, 1)"
            }
        })
    }
}

impl std::error::Error for PrimError {}

/// The state of a box while peeling: its bounds and the indices of the samples inside.
struct Working<'a> {
    x: &'a [f64],
    k: usize,
    y: &'a [bool],
    total_interest: usize,
    lower: Vec<Option<f64>>,
    upper: Vec<Option<f64>>,
    inside: Vec<usize>,
}

/// A candidate change of one side of one input.
#[derive(Clone, Copy)]
struct Candidate {
    dim: usize,
    high: bool,
    bound: f64,
    count: usize,
    objective: f64,
}

impl Working<'_> {
    fn value(&self, i: usize, j: usize) -> f64 {
        self.x[i * self.k + j]
    }

    fn interest(&self) -> usize {
        self.inside.iter().filter(|&&i| self.y[i]).count()
    }

    fn snapshot(&self) -> PrimBox {
        let n = self.y.len();
        let count = self.inside.len();
        let of_interest = self.interest();
        PrimBox {
            lower: self.lower.clone(),
            upper: self.upper.clone(),
            count,
            of_interest,
            coverage: of_interest as f64 / self.total_interest as f64,
            density: if count == 0 {
                0.0
            } else {
                of_interest as f64 / count as f64
            },
            mass: count as f64 / n as f64,
        }
    }

    /// The best peel that leaves at least `min_count` samples, by the original objective
    /// (gain in density per sample removed).
    fn best_peel(&self, alpha: f64, min_count: usize) -> Option<Candidate> {
        let m = self.inside.len();
        let hits = self.interest();
        let density = hits as f64 / m as f64;
        let remove = ((alpha * m as f64).floor() as usize).max(1);
        if remove >= m {
            return None;
        }
        let mut sorted: Vec<(f64, bool)> = Vec::with_capacity(m);
        let mut best: Option<Candidate> = None;
        for j in 0..self.k {
            sorted.clear();
            sorted.extend(self.inside.iter().map(|&i| (self.value(i, j), self.y[i])));
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            // prefix counts of samples of interest
            for high in [false, true] {
                // low side: keep x ≥ bound; high side: keep x ≤ bound
                let (bound, removed) = if high {
                    let b = sorted[m - 1 - remove].0;
                    (b, m - sorted.partition_point(|s| s.0 <= b))
                } else {
                    let b = sorted[remove].0;
                    (b, sorted.partition_point(|s| s.0 < b))
                };
                if removed == 0 {
                    continue;
                }
                let removed_hits = if high {
                    sorted[m - removed..].iter().filter(|s| s.1).count()
                } else {
                    sorted[..removed].iter().filter(|s| s.1).count()
                };
                let count = m - removed;
                if count < min_count {
                    continue;
                }
                let of_interest = hits - removed_hits;
                let objective = (of_interest as f64 / count as f64 - density) / removed as f64;
                if best.is_none_or(|b| objective > b.objective) {
                    best = Some(Candidate {
                        dim: j,
                        high,
                        bound,
                        count,
                        objective,
                    });
                }
            }
        }
        best
    }

    fn apply_peel(&mut self, c: Candidate) {
        let (j, b) = (c.dim, c.bound);
        if c.high {
            self.upper[j] = Some(b);
            self.inside.retain(|&i| self.x[i * self.k + j] <= b);
        } else {
            self.lower[j] = Some(b);
            self.inside.retain(|&i| self.x[i * self.k + j] >= b);
        }
        debug_assert_eq!(self.inside.len(), c.count);
    }

    /// Samples outside the box only through input `j`'s bounds (inside on every other input).
    fn outside_only_in(&self, j: usize) -> Vec<usize> {
        (0..self.y.len())
            .filter(|&i| {
                (0..self.k).all(|d| {
                    let v = self.value(i, d);
                    d == j
                        || (self.lower[d].is_none_or(|lo| v >= lo)
                            && self.upper[d].is_none_or(|hi| v <= hi))
                })
            })
            .collect()
    }

    /// The best paste that raises the density, by gain in density per sample added.
    fn best_paste(&self, alpha: f64) -> Option<Candidate> {
        let m = self.inside.len();
        let hits = self.interest();
        let density = hits as f64 / m as f64;
        let add = ((alpha * m as f64).floor() as usize).max(1);
        let mut best: Option<Candidate> = None;
        for j in 0..self.k {
            if !self.restricts(j) {
                continue;
            }
            let slab = self.outside_only_in(j);
            for high in [false, true] {
                let bound_now = if high { self.upper[j] } else { self.lower[j] };
                let Some(now) = bound_now else { continue };
                // the samples beyond this side, nearest first
                let mut beyond: Vec<(f64, bool)> = slab
                    .iter()
                    .map(|&i| (self.value(i, j), self.y[i]))
                    .filter(|&(v, _)| if high { v > now } else { v < now })
                    .filter(|&(v, _)| {
                        let other = if high { self.lower[j] } else { self.upper[j] };
                        other.is_none_or(|o| if high { v >= o } else { v <= o })
                    })
                    .collect();
                if beyond.is_empty() {
                    continue;
                }
                beyond.sort_by(|a, b| {
                    if high {
                        a.0.total_cmp(&b.0)
                    } else {
                        b.0.total_cmp(&a.0)
                    }
                });
                let bound = beyond[add.min(beyond.len()) - 1].0;
                let taken: Vec<&(f64, bool)> = beyond
                    .iter()
                    .filter(|s| if high { s.0 <= bound } else { s.0 >= bound })
                    .collect();
                let added = taken.len();
                let of_interest = hits + taken.iter().filter(|s| s.1).count();
                let count = m + added;
                let gain = of_interest as f64 / count as f64 - density;
                if gain <= 0.0 {
                    continue;
                }
                let objective = gain / added as f64;
                if best.is_none_or(|b| objective > b.objective) {
                    best = Some(Candidate {
                        dim: j,
                        high,
                        bound,
                        count,
                        objective,
                    });
                }
            }
        }
        best
    }

    fn restricts(&self, j: usize) -> bool {
        self.lower[j].is_some() || self.upper[j].is_some()
    }

    fn apply_paste(&mut self, c: Candidate, global: &[(f64, f64)]) {
        let j = c.dim;
        // a side widened to every sample's value is no longer a restriction
        if c.high {
            self.upper[j] = (c.bound < global[j].1).then_some(c.bound);
        } else {
            self.lower[j] = (c.bound > global[j].0).then_some(c.bound);
        }
        let k = self.k;
        let (lower, upper) = (&self.lower, &self.upper);
        self.inside = (0..self.y.len())
            .filter(|&i| {
                (0..k).all(|d| {
                    let v = self.x[i * k + d];
                    lower[d].is_none_or(|lo| v >= lo) && upper[d].is_none_or(|hi| v <= hi)
                })
            })
            .collect();
        debug_assert_eq!(self.inside.len(), c.count);
    }
}

/// Runs PRIM on `n` samples of `k` inputs (`x` row-major, `n × k`) whose outcome of interest is
/// `y` (true = of interest).
///
/// ```
/// use kymsim::decision::prim::{PrimOptions, prim, select_box};
/// // one input 0, 1, …, 99; the outcome is of interest from 70 on
/// let x: Vec<f64> = (0..100).map(f64::from).collect();
/// let y: Vec<bool> = x.iter().map(|v| *v >= 70.0).collect();
/// let p = prim(&x, 1, &y, &PrimOptions::default()).unwrap();
/// let b = &p.trajectory[select_box(&p, 1.0)];
/// assert_eq!((b.lower[0], b.upper[0], b.density), (Some(70.0), None, 1.0));
/// ```
pub fn prim(x: &[f64], k: usize, y: &[bool], opts: &PrimOptions) -> Result<Prim, PrimError> {
    let n = y.len();
    if k == 0 || x.len() != n * k || n == 0 {
        return Err(PrimError::Shape);
    }
    let ok = |a: f64| a > 0.0 && a < 0.5;
    if !(ok(opts.peel_alpha) && ok(opts.paste_alpha) && opts.mass_min > 0.0 && opts.mass_min < 1.0)
    {
        return Err(PrimError::Options);
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(PrimError::NotFinite);
    }
    let total_interest = y.iter().filter(|&&v| v).count();
    if total_interest == 0 {
        return Err(PrimError::NoneOfInterest);
    }
    if total_interest == n {
        return Err(PrimError::AllOfInterest);
    }
    let global: Vec<(f64, f64)> = (0..k)
        .map(|j| {
            (0..n).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), i| {
                (lo.min(x[i * k + j]), hi.max(x[i * k + j]))
            })
        })
        .collect();
    let mut w = Working {
        x,
        k,
        y,
        total_interest,
        lower: vec![None; k],
        upper: vec![None; k],
        inside: (0..n).collect(),
    };
    let min_count = ((opts.mass_min * n as f64).ceil() as usize).max(1);
    let mut trajectory = vec![w.snapshot()];
    while let Some(c) = w.best_peel(opts.peel_alpha, min_count) {
        w.apply_peel(c);
        trajectory.push(w.snapshot());
    }
    let pasted_from = trajectory.len();
    while let Some(c) = w.best_paste(opts.paste_alpha) {
        w.apply_paste(c, &global);
        trajectory.push(w.snapshot());
    }
    Ok(Prim {
        trajectory,
        pasted_from,
    })
}

/// The box chosen by the stated rule: the densest box whose coverage is at least
/// `min_coverage`; of equally dense ones the one with the larger coverage, then the earlier.
/// Box 0 (coverage 1) always qualifies, so there is always an answer.
pub fn select_box(prim: &Prim, min_coverage: f64) -> usize {
    let mut best = 0;
    for (i, b) in prim.trajectory.iter().enumerate() {
        let cur = &prim.trajectory[best];
        if b.coverage >= min_coverage
            && (b.density > cur.density || (b.density == cur.density && b.coverage > cur.coverage))
        {
            best = i;
        }
    }
    best
}

/// `discovery.csv`: `scenario,outcome,box,parameter,lower,upper,coverage,density,selected`,
/// one row per restricted parameter of each box of the trajectory (box 0, the whole space, has
/// none), boxes in trajectory order, parameters in input order; `selected` is 1 on the rows of
/// the chosen box. `names` are the inputs' ids. An unrestricted side is empty; bounds are
/// inclusive, rounded outwards to 4 significant digits (the lower down, the upper up, so the
/// rounded box still holds its samples), coverage and density with 6 decimals.
pub fn discovery_csv(
    scenario: &str,
    outcome: &str,
    names: &[String],
    prim: &Prim,
    selected: usize,
) -> Vec<u8> {
    super::csv_bytes(|w| {
        w.write_record(crate::output::schema::DISCOVERY_COLUMNS)?;
        for (i, b) in prim.trajectory.iter().enumerate() {
            for (j, name) in names.iter().enumerate() {
                if !b.restricts(j) {
                    continue;
                }
                let side = |v: Option<f64>, up: bool| {
                    v.map_or(String::new(), |v| fmt_num(round_outwards(v, 4, up)))
                };
                w.write_record([
                    scenario.to_string(),
                    outcome.to_string(),
                    i.to_string(),
                    name.clone(),
                    side(b.lower[j], false),
                    side(b.upper[j], true),
                    fmt_num(b.coverage),
                    fmt_num(b.density),
                    u8::from(i == selected).to_string(),
                ])?;
            }
        }
        Ok(())
    })
}

/// `v` to `digits` significant digits, rounded up (`up`) or down.
///
/// ```
/// use kymsim::decision::prim::round_outwards;
/// assert_eq!(round_outwards(0.812345678, 4, false), 0.8123);
/// assert_eq!(round_outwards(0.812345678, 4, true), 0.8124);
/// assert_eq!(round_outwards(2036.4, 4, true), 2037.0);
/// assert_eq!(round_outwards(-1.23456, 3, false), -1.24);
/// ```
pub fn round_outwards(v: f64, digits: i32, up: bool) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let exp = digits - 1 - v.abs().log10().floor() as i32;
    let scale = 10f64.powi(exp);
    let scaled = v * scale;
    // a value already at the precision stays (up to float noise)
    let near = scaled.round();
    let r = if (scaled - near).abs() < 1e-9 * scaled.abs().max(1.0) {
        near
    } else if up {
        scaled.ceil()
    } else {
        scaled.floor()
    };
    if exp >= 0 {
        r / scale
    } else {
        r * 10f64.powi(-exp)
    }
}

/// `discovery_trajectory.csv`: `scenario,outcome,box,coverage,density,mass,samples,restricted,
/// pasted,selected`, one row per box of the trajectory.
pub fn trajectory_csv(scenario: &str, outcome: &str, prim: &Prim, selected: usize) -> Vec<u8> {
    super::csv_bytes(|w| {
        w.write_record(crate::output::schema::DISCOVERY_TRAJECTORY_COLUMNS)?;
        for (i, b) in prim.trajectory.iter().enumerate() {
            w.write_record([
                scenario.to_string(),
                outcome.to_string(),
                i.to_string(),
                fmt_num(b.coverage),
                fmt_num(b.density),
                fmt_num(b.mass),
                b.count.to_string(),
                b.restricted().to_string(),
                u8::from(i >= prim.pasted_from).to_string(),
                u8::from(i == selected).to_string(),
            ])?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::{Rng, SeedableRng};

    /// `n` samples of `k` independent uniforms on (0, 1), row-major.
    fn uniforms(n: usize, k: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n * k)
            .map(|_| crate::engine::sampler::unit(rng.next_u64()))
            .collect()
    }

    #[test]
    fn finds_the_failure_region_x1_above_0_7_and_ignores_noise() {
        // failure is x1 > 0.7; x2…x4 are noise. 4,000 samples: 30 % fail.
        let (n, k) = (4000, 4);
        let x = uniforms(n, k, 11);
        let y: Vec<bool> = (0..n).map(|i| x[i * k] > 0.7).collect();
        let p = prim(&x, k, &y, &PrimOptions::default()).unwrap();
        let b = &p.trajectory[select_box(&p, 0.8)];
        // one peel removes 5 % of a box of mass ≈ 0.3, i.e. ≈ 0.015 of x1's range: the bound
        // lands within 0.02 of 0.7 (stated tolerance)
        let lo = b.lower[0].expect("x1's lower bound is restricted");
        assert!((lo - 0.7).abs() <= 0.02, "x1 ≥ {lo}");
        assert_eq!(b.upper[0], None);
        for j in 1..k {
            assert!(!b.restricts(j), "noise x{} restricted: {b:?}", j + 1);
        }
        assert_eq!(b.restricted(), 1);
        assert!(b.coverage >= 0.8 && b.density >= 0.95, "{b:?}");
        // the first box is the whole space: coverage 1, density = the failure share
        let b0 = &p.trajectory[0];
        assert_eq!((b0.coverage, b0.count), (1.0, n));
        assert!((b0.density - 0.3).abs() < 0.03);
    }

    #[test]
    fn one_peel_step_by_hand() {
        // x = 0 … 19, of interest: x ≥ 10 except 15 (9 of 20). alpha 0.05 of 20 = 1 sample.
        // Low peel: drop x = 0 (not of interest) → 9/19; high peel: drop 19 (of interest) →
        // 8/19. The low peel wins: box x ≥ 1, 19 samples, density 9/19, coverage 9/9.
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let y: Vec<bool> = x.iter().map(|v| *v >= 10.0 && *v != 15.0).collect();
        let p = prim(&x, 1, &y, &PrimOptions::default()).unwrap();
        let b1 = &p.trajectory[1];
        assert_eq!((b1.lower[0], b1.upper[0]), (Some(1.0), None));
        assert_eq!((b1.count, b1.of_interest), (19, 9));
        assert_eq!(b1.density, 9.0 / 19.0);
        assert_eq!(b1.coverage, 1.0);
        // peeling stops before the mass falls below 0.05 · 20 = 1 sample: the last peeled box
        // holds ≥ 1 sample
        assert!(p.trajectory[p.pasted_from - 1].count >= 1);
    }

    #[test]
    fn pasting_widens_a_box_while_the_density_rises() {
        // the box x ≥ 12 over x = 0 … 19 (of interest: x ≥ 10 except 15) holds 8 samples, 7 of
        // interest (0.875). paste alpha 0.05 of 8 → 1 sample per paste: adding 11 → 8/9 =
        // 0.889 (rises), adding 10 → 9/10 = 0.9 (rises), adding 9 → 9/11 = 0.818 (falls: stop).
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let y: Vec<bool> = x.iter().map(|v| *v >= 10.0 && *v != 15.0).collect();
        let mut w = Working {
            x: &x,
            k: 1,
            y: &y,
            total_interest: 9,
            lower: vec![Some(12.0)],
            upper: vec![None],
            inside: (12..20).collect(),
        };
        let global = [(0.0, 19.0)];
        let mut bounds = Vec::new();
        while let Some(c) = w.best_paste(0.05) {
            w.apply_paste(c, &global);
            bounds.push(w.lower[0]);
        }
        assert_eq!(bounds, vec![Some(11.0), Some(10.0)]);
        let b = w.snapshot();
        assert_eq!((b.count, b.of_interest, b.density), (10, 9, 0.9));
    }

    #[test]
    fn selection_takes_the_densest_box_with_enough_coverage() {
        let mk = |coverage: f64, density: f64| PrimBox {
            lower: vec![None],
            upper: vec![None],
            count: 1,
            of_interest: 1,
            coverage,
            density,
            mass: 1.0,
        };
        let p = Prim {
            trajectory: vec![
                mk(1.0, 0.3),
                mk(0.95, 0.6),
                mk(0.9, 0.8),
                mk(0.85, 0.8),
                mk(0.5, 1.0),
            ],
            pasted_from: 5,
        };
        // coverage ≥ 0.8: boxes 0–3; densest 0.8 twice → the larger coverage, box 2
        assert_eq!(select_box(&p, 0.8), 2);
        assert_eq!(select_box(&p, 0.5), 4);
        assert_eq!(select_box(&p, 0.99), 0);
    }

    #[test]
    fn csv_lists_restricted_parameters_per_box() {
        let b = |lower: Option<f64>, upper: Option<f64>, coverage: f64, density: f64| PrimBox {
            lower: vec![None, lower],
            upper: vec![None, upper],
            count: 10,
            of_interest: 5,
            coverage,
            density,
            mass: 0.5,
        };
        let p = Prim {
            trajectory: vec![
                b(None, None, 1.0, 0.3),
                b(Some(0.25), None, 0.9, 0.5),
                b(Some(0.25), Some(2.5), 0.8, 0.75),
            ],
            pasted_from: 3,
        };
        let names = ["a".to_string(), "b".to_string()];
        assert_eq!(
            String::from_utf8(discovery_csv("s", "missed", &names, &p, 2)).unwrap(),
            "scenario,outcome,box,parameter,lower,upper,coverage,density,selected\n\
             s,missed,1,b,0.25,,0.9,0.5,0\ns,missed,2,b,0.25,2.5,0.8,0.75,1\n"
        );
        let t = String::from_utf8(trajectory_csv("s", "missed", &p, 2)).unwrap();
        assert_eq!(t.lines().nth(3), Some("s,missed,2,0.8,0.75,0.5,10,1,0,1"));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let o = PrimOptions::default();
        assert_eq!(prim(&[0.0, 1.0], 1, &[true], &o), Err(PrimError::Shape));
        assert_eq!(
            prim(&[0.0, 1.0], 1, &[false, false], &o),
            Err(PrimError::NoneOfInterest)
        );
        assert_eq!(
            prim(&[0.0, 1.0], 1, &[true, true], &o),
            Err(PrimError::AllOfInterest)
        );
        assert_eq!(
            prim(&[0.0, f64::NAN], 1, &[true, false], &o),
            Err(PrimError::NotFinite)
        );
        let bad = PrimOptions {
            peel_alpha: 0.5,
            ..o
        };
        assert_eq!(
            prim(&[0.0, 1.0], 1, &[true, false], &bad),
            Err(PrimError::Options)
        );
    }
}
