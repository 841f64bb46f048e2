//! Shapley attribution of the emission reduction to a scenario's measures ("wedges").
//!
//! The game: the players are the scenario's measures; the worth of a coalition S is
//! v(S)[y] = net_∅[y] − net_S[y], the reduction of net emissions in year y when only the measures
//! in S are on (every other measure's value parameter set to 0). net_∅ is the no-measure
//! counterfactual. Each measure's Shapley value is its average marginal contribution over all
//! orders in which the measures could be switched on; the values add up to v(N), the scenario's
//! whole reduction.
//!
//! Up to [`ShapleyOptions::max_exact`] measures (default 14) the values are exact: all 2^n
//! coalitions are evaluated once, in Gray-code order so that one measure flips per evaluation.
//! Above that, antithetic permutation sampling estimates them, with a standard error.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use crate::engine::block::{BLOCK, BlockWorkspace};
use crate::engine::{TotalRows, Workspace};
use crate::model::Model;
use crate::output::fmt_num;

use super::{csv_bytes, variable_row, variable_rows};

/// How the attribution is computed.
#[derive(Debug, Clone)]
pub struct ShapleyOptions {
    /// The largest number of measures computed exactly (2^n evaluations); above it, sampling.
    pub max_exact: usize,
    /// Sample even when exact enumeration is possible (for tests and comparisons).
    pub force_sampling: bool,
    /// Permutations when sampling (rounded up to an even number: each is paired with its reverse).
    pub permutations: usize,
    /// Seed of the permutation sampler.
    pub seed: u64,
}

impl Default for ShapleyOptions {
    fn default() -> Self {
        ShapleyOptions {
            max_exact: 14,
            force_sampling: false,
            permutations: 2000,
            seed: 0,
        }
    }
}

/// How a set of Shapley values was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapleyMethod {
    /// Exact, by enumerating every coalition.
    Exact,
    /// Estimated from antithetic permutation pairs.
    Sampled {
        /// Permutations evaluated (twice the number of pairs).
        permutations: usize,
        /// The seed.
        seed: u64,
    },
}

/// The Shapley values of every measure of a scenario, for every year.
#[derive(Debug, Clone)]
pub struct Attribution {
    /// Scenario name.
    pub scenario: String,
    /// First year.
    pub base_year: i32,
    /// Number of years.
    pub ny: usize,
    /// How the values were computed.
    pub method: ShapleyMethod,
    /// Number of measures (= `model.measures.len()`); rows below follow the model's order.
    pub n_measures: usize,
    /// Contribution of each measure to the net reduction, kt `[measure × year]`.
    pub kt: Vec<f64>,
    /// Standard error of each contribution, kt `[measure × year]` (0 when exact).
    pub se_kt: Vec<f64>,
    /// Net emissions with no measure on, kt `[year]`.
    pub counterfactual_net: Vec<f64>,
    /// Net emissions with every measure on, kt `[year]`.
    pub scenario_net: Vec<f64>,
}

impl Attribution {
    /// Measure `m`'s contributions by year.
    pub fn contribution(&self, m: usize) -> &[f64] {
        &self.kt[m * self.ny..(m + 1) * self.ny]
    }

    /// Measure `m`'s standard errors by year.
    pub fn standard_error(&self, m: usize) -> &[f64] {
        &self.se_kt[m * self.ny..(m + 1) * self.ny]
    }

    /// The reduction to be shared out in year index `y`: counterfactual net − scenario net.
    pub fn total_reduction(&self, y: usize) -> f64 {
        self.counterfactual_net[y] - self.scenario_net[y]
    }
}

/// What one player switches: (parameter index, value when off, value when on).
pub type Switch = (usize, f64, f64);

/// Evaluates net emissions with one player switched on or off at a time. A player is usually
/// one measure (its value parameter between 0 and its value); [`exact_between`] plays any sets
/// of parameter switches.
struct Game<'a> {
    model: &'a Model,
    /// The switches of each player.
    players: Vec<Vec<Switch>>,
    net: usize,
}

impl<'a> Game<'a> {
    fn new(model: &'a Model, p: &[f64]) -> Game<'a> {
        let players = model
            .measures
            .iter()
            .map(|m| vec![(m.value.get(), 0.0, p[m.value])])
            .collect();
        Game {
            model,
            players,
            net: TotalRows::of(model).net,
        }
    }

    fn n(&self) -> usize {
        self.players.len()
    }

    /// `p` with every player off.
    fn all_off(&self, p: &[f64]) -> Vec<f64> {
        let mut q = p.to_vec();
        for &(i, off, _) in self.players.iter().flatten() {
            q[i] = off;
        }
        q
    }

    fn set(&self, p: &mut [f64], player: usize, on: bool) {
        for &(i, off, on_value) in &self.players[player] {
            p[i] = if on { on_value } else { off };
        }
    }

    /// Net emissions at `p` into `out`.
    fn net(&self, ws: &mut Workspace, p: &[f64], out: &mut [f64]) {
        ws.evaluate(self.model, p);
        variable_row(self.model, self.net, ws.leaves_flat(), out);
    }
}

/// Attributes the reduction of net emissions (vs the no-measure counterfactual) to each of the
/// model's measures at parameters `p` (usually `model.central()`).
///
/// Exact for up to `opts.max_exact` measures; sampled above that (or when forced). Results do not
/// depend on the number of threads: work is split into fixed chunks and reduced in order.
pub fn attribute(model: &Model, p: &[f64], opts: &ShapleyOptions) -> Attribution {
    let game = Game::new(model, p);
    let ny = model.ny;
    let n = game.n();
    let mut ws = Workspace::new(model);
    let mut counterfactual_net = vec![0.0; ny];
    game.net(&mut ws, &game.all_off(p), &mut counterfactual_net);
    let mut all_on = game.all_off(p);
    for m in 0..n {
        game.set(&mut all_on, m, true);
    }
    let mut scenario_net = vec![0.0; ny];
    game.net(&mut ws, &all_on, &mut scenario_net);

    let (method, kt, se_kt) = if n == 0 {
        (ShapleyMethod::Exact, Vec::new(), Vec::new())
    } else if n <= opts.max_exact.min(MAX_EXACT_LIMIT) && !opts.force_sampling {
        let kt = exact(&game, p, &counterfactual_net);
        (ShapleyMethod::Exact, kt, vec![0.0; n * ny])
    } else {
        let pairs = opts.permutations.div_ceil(2).max(2);
        let (kt, se) = sampled(&game, p, &counterfactual_net, pairs, opts.seed);
        (
            ShapleyMethod::Sampled {
                permutations: 2 * pairs,
                seed: opts.seed,
            },
            kt,
            se,
        )
    };
    Attribution {
        scenario: model.scenario.clone(),
        base_year: model.base_year,
        ny,
        method,
        n_measures: n,
        kt,
        se_kt,
        counterfactual_net,
        scenario_net,
    }
}

/// Each measure's stand-alone reduction of net emissions in the target year at parameters `p`:
/// v({m}) = net_∅ − net_{m}, the counterfactual with no measure on against the one with only
/// measure m on (every other measure's value set to 0), in the order of `model.measures`. It
/// depends on m's own parameters and on the region and uncertainties, never on which other
/// measures a scenario holds: the cost definition a plan's bound needs (docs/decision-support.md).
pub fn standalone(model: &Model, p: &[f64]) -> Vec<f64> {
    let game = Game::new(model, p);
    let t = model.target_index();
    let mut ws = Workspace::new(model);
    let mut q = game.all_off(p);
    let mut off = vec![0.0; model.ny];
    game.net(&mut ws, &q, &mut off);
    let mut on = vec![0.0; model.ny];
    (0..game.n())
        .map(|m| {
            game.set(&mut q, m, true);
            game.net(&mut ws, &q, &mut on);
            game.set(&mut q, m, false);
            off[t] - on[t]
        })
        .collect()
}

/// Exact Shapley values of `players` (each a set of parameter switches) in `model` at
/// parameters `p`: the worth of a coalition is net(all off) − net(coalition on), per year.
/// Returns (values `[player × year]`, net with all off, net with all on); the values add up to
/// the difference of the two nets. At most [`MAX_EXACT_LIMIT`] players.
pub fn exact_between(
    model: &Model,
    p: &[f64],
    players: Vec<Vec<Switch>>,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    assert!(players.len() <= MAX_EXACT_LIMIT, "too many players");
    let game = Game {
        model,
        net: TotalRows::of(model).net,
        players,
    };
    let ny = model.ny;
    let mut ws = Workspace::new(model);
    let off = game.all_off(p);
    let mut net_off = vec![0.0; ny];
    game.net(&mut ws, &off, &mut net_off);
    let mut on = off.clone();
    for m in 0..game.n() {
        game.set(&mut on, m, true);
    }
    let mut net_on = vec![0.0; ny];
    game.net(&mut ws, &on, &mut net_on);
    let kt = if game.n() == 0 {
        Vec::new()
    } else {
        exact(&game, p, &net_off)
    };
    (kt, net_off, net_on)
}

/// Coalitions per parallel work item of the exact enumeration.
const EXACT_CHUNK: usize = 256;

/// The most measures computed exactly whatever [`ShapleyOptions::max_exact`] says: the worth of
/// every coalition is kept, 2^n × years values (2^20 × 31 years = 260 MB).
pub const MAX_EXACT_LIMIT: usize = 20;

/// φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S∪{i}) − v(S)).
///
/// First the worth of all 2^n coalitions, stored in coalition order, in parallel chunks of
/// coalitions that share their high bits: within a chunk the low bits run in Gray-code order
/// (one measure flips between consecutive evaluations, so the block kernel recomputes only the
/// sources that measure reaches). Then each measure's weighted marginal contributions, summed
/// in coalition order, reading the worths of S and S∪{i} as two forward streams. A measure that
/// changes nothing has v(S∪{i}) = v(S) bit for bit, so its value is exactly 0.
fn exact(game: &Game, p: &[f64], counterfactual: &[f64]) -> Vec<f64> {
    let n = game.n();
    let ny = game.model.ny;
    // w(s) = s!(n−s−1)!/n! = 1 / (n · C(n−1, s))
    let mut binom = vec![1.0f64; n];
    for s in 1..n {
        binom[s] = binom[s - 1] * (n - s) as f64 / s as f64;
    }
    let w: Vec<f64> = binom.iter().map(|c| 1.0 / (n as f64 * c)).collect();
    let total = 1usize << n;
    let chunk_len = EXACT_CHUNK.min(total);
    let off = game.all_off(p);
    // worth[c·ny + y] = v(c)[y]
    let mut worth = vec![0.0; total * ny];
    worth
        .par_chunks_mut(chunk_len * ny)
        .enumerate()
        .for_each_init(
            || {
                (
                    BlockWorkspace::<BLOCK>::new(game.model),
                    off.clone(),
                    vec![0.0; ny * BLOCK],
                )
            },
            |(ws, q, net), (chunk, out)| {
                let high = (chunk * chunk_len) as u64;
                // the chunk's first coalition (low bits 0), set from scratch
                for m in 0..n {
                    game.set(q, m, high >> m & 1 == 1);
                }
                // low bits in Gray-code order, in blocks of lanes
                let mut j = 0u64;
                while (j as usize) < chunk_len {
                    let lanes = BLOCK.min(chunk_len - j as usize);
                    for b in 0..lanes as u64 {
                        let g = j + b;
                        if g > 0 {
                            // consecutive Gray codes differ in the bit of g's lowest set bit
                            let m = g.trailing_zeros() as usize;
                            game.set(q, m, (g ^ (g >> 1)) >> m & 1 == 1);
                        }
                        ws.lane_mut(b as usize).copy_from_slice(q);
                    }
                    ws.pad_from(lanes);
                    ws.evaluate_leaves(game.model);
                    variable_rows(game.model, game.net, ws.leaves_flat(), net);
                    for b in 0..lanes {
                        let g = j + b as u64;
                        let low = (g ^ (g >> 1)) as usize;
                        let v = &mut out[low * ny..(low + 1) * ny];
                        if high == 0 && low == 0 {
                            v.fill(0.0); // v(∅) = 0
                            continue;
                        }
                        for (y, v) in v.iter_mut().enumerate() {
                            *v = counterfactual[y] - net[y * BLOCK + b];
                        }
                    }
                    j += lanes as u64;
                }
            },
        );
    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let bit = 1usize << i;
            let mut phi = vec![0.0; ny];
            // the coalitions without i, in order: runs of `bit` coalitions, each run followed by
            // the same run with i (`bit` coalitions further on)
            for run in (0..total).step_by(2 * bit) {
                for c in run..run + bit {
                    let weight = w[c.count_ones() as usize];
                    let without = &worth[c * ny..(c + 1) * ny];
                    let with = &worth[(c + bit) * ny..(c + bit + 1) * ny];
                    for ((phi, with), without) in phi.iter_mut().zip(with).zip(without) {
                        *phi += weight * (with - without);
                    }
                }
            }
            phi
        })
        .collect();
    rows.concat()
}

/// Permutation pairs per parallel work item of the sampler.
const PAIR_CHUNK: usize = 8;

/// Running mean and sum of squared deviations (Welford; merged with Chan's formula).
#[derive(Clone)]
struct Moments {
    count: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    fn new(len: usize) -> Moments {
        Moments {
            count: 0.0,
            mean: vec![0.0; len],
            m2: vec![0.0; len],
        }
    }

    fn push(&mut self, x: &[f64]) {
        self.count += 1.0;
        for ((m, s), &x) in self.mean.iter_mut().zip(self.m2.iter_mut()).zip(x) {
            let d = x - *m;
            *m += d / self.count;
            *s += d * (x - *m);
        }
    }

    fn merge(&mut self, other: &Moments) {
        if other.count == 0.0 {
            return;
        }
        let n = self.count + other.count;
        for i in 0..self.mean.len() {
            let d = other.mean[i] - self.mean[i];
            self.mean[i] += d * other.count / n;
            self.m2[i] += other.m2[i] + d * d * self.count * other.count / n;
        }
        self.count = n;
    }
}

/// A random permutation of 0..n for pair `k`: Fisher–Yates on a ChaCha8 stream of its own
/// (seed, stream k), so pair k's order depends on nothing else.
fn permutation(seed: u64, k: u64, order: &mut [usize]) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(k);
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    for i in (1..order.len()).rev() {
        // multiply-shift bounded draw; its bias (< 2^-58 for i < 64) is immaterial here
        let j = ((rng.next_u64() as u128 * (i as u128 + 1)) >> 64) as usize;
        order.swap(i, j);
    }
}

/// Antithetic permutation sampling: each pair is a random order and its reverse; a pair's
/// estimate is the mean of its two orders' marginal contributions. Returns (mean, standard error)
/// over pairs. Each order's marginal contributions add up to v(N), so the estimates do too.
fn sampled(
    game: &Game,
    p: &[f64],
    counterfactual: &[f64],
    pairs: usize,
    seed: u64,
) -> (Vec<f64>, Vec<f64>) {
    let n = game.n();
    let ny = game.model.ny;
    let chunks: Vec<usize> = (0..pairs.div_ceil(PAIR_CHUNK)).collect();
    let off = game.all_off(p);
    let partials: Vec<Moments> = chunks
        .par_iter()
        .map_init(
            || {
                (
                    BlockWorkspace::<BLOCK>::new(game.model),
                    off.clone(),
                    vec![0.0; ny],
                    vec![0.0; ny * BLOCK],
                    vec![0usize; n],
                    vec![0.0; n * ny],
                )
            },
            |(ws, q, prev, net, order, estimate), &chunk| {
                let mut moments = Moments::new(n * ny);
                for k in chunk * PAIR_CHUNK..((chunk + 1) * PAIR_CHUNK).min(pairs) {
                    permutation(seed, k as u64, order);
                    estimate.fill(0.0);
                    for reverse in [false, true] {
                        q.copy_from_slice(&off);
                        prev.copy_from_slice(counterfactual);
                        let measure = |step: usize| {
                            if reverse {
                                order[n - 1 - step]
                            } else {
                                order[step]
                            }
                        };
                        // the walk's steps in blocks of lanes: lane b adds one more measure
                        for s0 in (0..n).step_by(BLOCK) {
                            let lanes = BLOCK.min(n - s0);
                            for b in 0..lanes {
                                game.set(q, measure(s0 + b), true);
                                ws.lane_mut(b).copy_from_slice(q);
                            }
                            ws.pad_from(lanes);
                            ws.evaluate_leaves(game.model);
                            variable_rows(game.model, game.net, ws.leaves_flat(), net);
                            for b in 0..lanes {
                                let m = measure(s0 + b);
                                let row = &mut estimate[m * ny..(m + 1) * ny];
                                for y in 0..ny {
                                    let v = net[y * BLOCK + b];
                                    row[y] += 0.5 * (prev[y] - v);
                                    prev[y] = v;
                                }
                            }
                        }
                    }
                    moments.push(estimate);
                }
                moments
            },
        )
        .collect();
    let mut all = Moments::new(n * ny);
    for part in &partials {
        all.merge(part);
    }
    let c = all.count;
    let se = all
        .m2
        .iter()
        .map(|&s| (s / (c - 1.0) / c).max(0.0).sqrt())
        .collect();
    (all.mean, se)
}

/// One row of `wedges.csv`.
#[derive(Debug, Serialize)]
struct WedgeRow<'a> {
    scenario: &'a str,
    measure: &'a str,
    pillar: &'a str,
    year: i32,
    kt: String,
    se_kt: String,
}

/// `wedges.csv`: `scenario,measure,pillar,year,kt,se_kt`, sorted by scenario, then measures in
/// the scenario's order, then year. Σ kt over a scenario's measures in a year = counterfactual
/// net − scenario net.
pub fn wedges_csv(runs: &[(&Model, &Attribution)]) -> Vec<u8> {
    let mut runs: Vec<&(&Model, &Attribution)> = runs.iter().collect();
    runs.sort_by(|a, b| a.0.scenario.cmp(&b.0.scenario));
    csv_bytes(|w| {
        w.write_record(crate::output::schema::WEDGES_COLUMNS)?;
        for (model, attr) in runs {
            for (m, info) in model.measures.iter().enumerate() {
                let kt = attr.contribution(m);
                let se = attr.standard_error(m);
                for (y, year) in model.years().enumerate() {
                    w.serialize(WedgeRow {
                        scenario: &model.scenario,
                        measure: &info.id,
                        pillar: info.pillar.as_str(),
                        year,
                        kt: fmt_num(kt[y]),
                        se_kt: fmt_num(se[y]),
                    })?;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::testutil::tiny_model;

    const TWO_ACTIVITY: &str = r#"
[[measures]]
id = "a"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "b"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "dummy"
pillar = "other"
kind = "process"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "cows"
pillar = "bioeconomy"
kind = "activity"
targets = ["agriculture.cows"]
value = 0.4
adoption = { curve = "linear", start = 2020, full = 2030 }

[[measures]]
id = "sink"
pillar = "bioeconomy"
kind = "removal"
sector = "Biochar"
value = 3
adoption = { curve = "step", year = 2025 }
"#;

    fn at(attr: &Attribution, m: usize, year: i32) -> f64 {
        attr.contribution(m)[(year - attr.base_year) as usize]
    }

    #[test]
    fn hand_computed_two_measures_on_one_source() {
        let model = tiny_model("two", TWO_ACTIVITY);
        let attr = attribute(&model, &model.central(), &ShapleyOptions::default());
        assert_eq!(attr.method, ShapleyMethod::Exact);
        // Cars: 100 Mvkm × 500 MWh/Mvkm × 0.25 t/MWh = 12.5 kt in 2020; population 100 → 80,
        // so 10 kt in 2030. a and b each cut activity by half: together (1 − 0.5)(1 − 0.5) = 0.25
        // remains, a joint cut of 0.75 × 10 = 7.5 kt in 2030. v({a}) = v({b}) = 5,
        // v({a,b}) = 7.5: φ_a = ½·(5 − 0) + ½·(7.5 − 5) = 3.75 = φ_b (symmetry).
        // In 2020: 0.75 × 12.5 = 9.375, each 4.6875.
        for (year, each) in [(2030, 3.75), (2020, 4.6875)] {
            assert!((at(&attr, 0, year) - each).abs() < 1e-12);
            assert!((at(&attr, 1, year) - each).abs() < 1e-12);
        }
        // the process measure acts on a direct EF of 0: a dummy player, exactly 0
        for y in 0..attr.ny {
            assert_eq!(attr.contribution(2)[y], 0.0);
        }
        // cows: 1000 head × 5 t = 5 kt, cut by 0.4 × linear adoption (0.5 in 2025, 1 in 2030):
        // 1 kt in 2025, 2 kt in 2030; additive with everything else, so exactly its own effect.
        assert!((at(&attr, 3, 2025) - 1.0).abs() < 1e-12);
        assert!((at(&attr, 3, 2030) - 2.0).abs() < 1e-12);
        // the removal adds 3 kt from 2025 (step), 0 before
        assert!((at(&attr, 4, 2024)).abs() < 1e-12);
        assert!((at(&attr, 4, 2030) - 3.0).abs() < 1e-12);
        // efficiency: contributions add up to the whole reduction, every year
        for y in 0..attr.ny {
            let sum: f64 = (0..attr.n_measures).map(|m| attr.contribution(m)[y]).sum();
            assert!((sum - attr.total_reduction(y)).abs() < 1e-12);
        }
        // 2030 total: 7.5 + 2 + 3 = 12.5; counterfactual net 10 + 12.5 + 5 − 2 = 25.5
        assert!((attr.counterfactual_net[10] - 25.5).abs() < 1e-12);
        assert!((attr.total_reduction(10) - 12.5).abs() < 1e-12);
    }

    #[test]
    fn scenario_net_matches_the_central_run() {
        let model = tiny_model("two", TWO_ACTIVITY);
        let attr = attribute(&model, &model.central(), &ShapleyOptions::default());
        let run = crate::engine::run_central(&model);
        let net = TotalRows::of(&model).net;
        assert_eq!(
            attr.scenario_net,
            run.vars[net * model.ny..(net + 1) * model.ny]
        );
    }

    #[test]
    fn no_measures_gives_no_rows() {
        let model = tiny_model("none", "description = \"nothing\"\n");
        let attr = attribute(&model, &model.central(), &ShapleyOptions::default());
        assert_eq!(attr.n_measures, 0);
        assert!(attr.kt.is_empty());
        assert_eq!(attr.counterfactual_net, attr.scenario_net);
    }

    /// n interacting measures: `count` activity cuts on cars and a fuel switch, plus others.
    fn many_measures(count: usize) -> String {
        let mut s = String::new();
        let targets = ["transport.cars", "heating.district", "agriculture.cows"];
        for i in 0..count {
            let kind = if i % 4 == 3 { "efficiency" } else { "activity" };
            let target = if kind == "efficiency" {
                targets[i % 2]
            } else {
                targets[i % 3]
            };
            s.push_str(&format!(
                "[[measures]]\nid = \"m{i}\"\npillar = \"other\"\nkind = \"{kind}\"\n\
                 targets = [\"{target}\"]\nvalue = {}\n\
                 adoption = {{ curve = \"linear\", start = 2020, full = {} }}\n\n",
                0.05 + 0.03 * i as f64,
                2022 + i % 8
            ));
        }
        s.push_str(
            "[[measures]]\nid = \"mix\"\npillar = \"energy\"\nkind = \"mix_switch\"\n\
             targets = [\"district_heat\"]\nfrom = \"diesel\"\nto = \"wood\"\nvalue = 0.6\n\
             adoption = { curve = \"linear\", start = 2021, full = 2029 }\n",
        );
        s
    }

    /// Every estimate within `z` standard errors of the exact value (plus rounding: where the
    /// measures interact at most pairwise, an antithetic pair is exact and its SE is ~0), and
    /// not too many beyond 1.96 SE: about 5 % are expected, but the estimates share their
    /// permutations across measures and years, so the count varies a lot (9 % on average over
    /// seeds 0–9 for the 15-measure case, 0–21 % for single seeds).
    fn assert_within_se(est: &Attribution, exact: &Attribution, z: f64) {
        let (mut beyond, mut count) = (0, 0);
        for i in 0..exact.kt.len() {
            let d = (est.kt[i] - exact.kt[i]).abs();
            assert!(
                d <= z * est.se_kt[i] + 1e-9,
                "estimate {} vs exact {} (SE {})",
                est.kt[i],
                exact.kt[i],
                est.se_kt[i]
            );
            if est.se_kt[i] > 1e-9 {
                count += 1;
                beyond += usize::from(d > 1.96 * est.se_kt[i]);
            }
        }
        assert!(count > 0, "the test case should have sampling noise");
        assert!(beyond * 4 <= count, "{beyond} of {count} beyond 1.96 SE");
    }

    #[test]
    fn sampling_agrees_with_exact_within_its_standard_error() {
        let model = tiny_model("many", &many_measures(9));
        let p = model.central();
        let exact = attribute(&model, &p, &ShapleyOptions::default());
        let opts = ShapleyOptions {
            force_sampling: true,
            permutations: 400,
            seed: 7,
            ..ShapleyOptions::default()
        };
        let est = attribute(&model, &p, &opts);
        assert_eq!(
            est.method,
            ShapleyMethod::Sampled {
                permutations: 400,
                seed: 7
            }
        );
        assert_within_se(&est, &exact, 4.5);
        // the sampled estimates still add up to the whole reduction
        for y in 0..est.ny {
            let sum: f64 = (0..est.n_measures).map(|m| est.contribution(m)[y]).sum();
            assert!((sum - est.total_reduction(y)).abs() < 1e-9);
        }
        // and they are reproducible for a seed
        let again = attribute(&model, &p, &opts);
        assert_eq!(est.kt, again.kt);
        assert_eq!(est.se_kt, again.se_kt);
    }

    #[test]
    fn more_than_fourteen_measures_are_sampled_and_thread_count_does_not_matter() {
        // 14 + the mix switch = 15 measures: one more than the exact limit
        let model = tiny_model("many", &many_measures(14));
        let p = model.central();
        let opts = ShapleyOptions {
            permutations: 400,
            ..ShapleyOptions::default()
        };
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| attribute(&model, &p, &opts))
        };
        let one = run(1);
        let three = run(3);
        assert!(matches!(one.method, ShapleyMethod::Sampled { .. }));
        assert_eq!(one.kt, three.kt);
        assert_eq!(one.se_kt, three.se_kt);
        let exact_one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| {
                attribute(
                    &model,
                    &p,
                    &ShapleyOptions {
                        max_exact: 15,
                        ..ShapleyOptions::default()
                    },
                )
            });
        let exact_many = attribute(
            &model,
            &p,
            &ShapleyOptions {
                max_exact: 15,
                ..ShapleyOptions::default()
            },
        );
        assert_eq!(exact_one.kt, exact_many.kt);
        // exact with 15 players vs the sampled estimate
        assert_within_se(&one, &exact_one, 5.0);
    }

    #[test]
    fn wedges_csv_rows() {
        let model = tiny_model("two", TWO_ACTIVITY);
        let attr = attribute(&model, &model.central(), &ShapleyOptions::default());
        let text = String::from_utf8(wedges_csv(&[(&model, &attr)])).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "scenario,measure,pillar,year,kt,se_kt");
        assert_eq!(lines.len(), 1 + 5 * 11);
        assert_eq!(lines[11], "two,a,transport,2030,3.75,0");
        assert!(lines.contains(&"two,sink,bioeconomy,2030,3,0"));
    }
}
