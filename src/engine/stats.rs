//! Batch statistics: mergeable, order-independent partial results and their final figures.
//!
//! A [`Partial`] covers a contiguous range of samples and holds only integers, extrema and
//! per-sample scalars, so partials merge exactly in any order: the result is the same for any
//! thread count, chunk size or sharding.
//!
//! Quantiles follow numpy's default (linear interpolation between order statistics). They are
//! exact when all values fit the memory budget ([`EXACT_LIMIT`] values: N × cells); above it,
//! each cell's values are counted in [`BINS`] equal bins over a range fixed by a pilot of the
//! first [`PILOT`] samples (widened by [`MARGIN`] of its span on each side, with exact
//! under/overflow extrema), and the order statistics are interpolated within their bin: the error
//! is below one bin width, (1 + 2·MARGIN)/BINS of the pilot span (1/212). Means are exact sums
//! of the values rounded to 2⁻³² fixed point.

use serde::{Deserialize, Serialize};

/// Above this many values (samples × cells), quantiles come from histograms.
pub const EXACT_LIMIT: u64 = 1 << 26;
/// Bins per cell in histogram mode: with the under- and overflow slots, a cell's slot fits a
/// byte and its counts a kilobyte.
pub const BINS: usize = 254;
/// The histogram range is the pilot's range widened by this fraction of its span on each side.
pub const MARGIN: f64 = 0.1;
/// Samples of the pilot that fixes the histogram ranges.
pub const PILOT: u64 = 2048;
/// The quantiles reported, with their names.
pub const QUANTILES: [(f64, &str); 5] = [
    (0.05, "p5"),
    (0.25, "p25"),
    (0.5, "p50"),
    (0.75, "p75"),
    (0.95, "p95"),
];

const FIXED: f64 = 4_294_967_296.0; // 2^32

/// Sentinel neutrality index for "never".
pub const NEVER: u16 = u16::MAX;

/// How quantiles are computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Binning {
    /// Keep every value.
    Exact,
    /// Histograms: per cell the lower edge and bin width.
    Histogram {
        /// Lower edge per cell.
        lo: Vec<f64>,
        /// Bin width per cell.
        width: Vec<f64>,
    },
}

impl Binning {
    /// Chooses histogram ranges from pilot values `[sample × cell]`.
    pub fn from_pilot(pilot: &[f64], cells: usize) -> Binning {
        let n = pilot.len() / cells;
        let mut lo = vec![f64::INFINITY; cells];
        let mut hi = vec![f64::NEG_INFINITY; cells];
        for s in 0..n {
            for c in 0..cells {
                let x = pilot[s * cells + c];
                lo[c] = lo[c].min(x);
                hi[c] = hi[c].max(x);
            }
        }
        let mut width = vec![0.0; cells];
        for c in 0..cells {
            let span = (hi[c] - lo[c]).max(1e-9 * hi[c].abs().max(lo[c].abs()).max(1.0));
            lo[c] -= MARGIN * span;
            width[c] = (1.0 + 2.0 * MARGIN) * span / BINS as f64;
        }
        Binning::Histogram { lo, width }
    }
}

/// Mergeable statistics of a contiguous range of samples of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// First sample index covered.
    pub first: u64,
    /// Number of samples covered.
    pub count: u64,
    /// Cells (variables × years).
    pub cells: usize,
    /// Fixed-point (2⁻³²) sums per cell.
    pub sums: Vec<i128>,
    /// Minimum per cell.
    pub min: Vec<f64>,
    /// Maximum per cell.
    pub max: Vec<f64>,
    /// Histogram mode: counts per cell, `BINS + 2` each (underflow, bins…, overflow).
    pub hist: Vec<u32>,
    /// Exact mode: every value, `[sample × cell]`.
    pub values: Vec<f64>,
    /// Net emissions in the target year, per sample.
    pub net_target: Vec<f64>,
    /// Neutrality year index per sample ([`NEVER`] when never).
    pub neutrality: Vec<u16>,
    /// Samples meeting the gross criterion.
    pub gross_met: u64,
    /// Samples meeting the net-zero criterion.
    pub net_met: u64,
    /// Samples meeting the whole target.
    pub target_met: u64,
    /// Samples meeting each criterion reported on its own, in the order of
    /// [`crate::model::criteria::Criteria::reported`]: each milestone, then the budget.
    pub reported_met: Vec<u64>,
}

impl Partial {
    /// An empty partial starting at `first`.
    pub fn new(first: u64, cells: usize, binning: &Binning) -> Partial {
        let hist = match binning {
            Binning::Exact => Vec::new(),
            Binning::Histogram { .. } => vec![0; cells * (BINS + 2)],
        };
        Partial {
            first,
            count: 0,
            cells,
            sums: vec![0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
            hist,
            values: Vec::new(),
            net_target: Vec::new(),
            neutrality: Vec::new(),
            gross_met: 0,
            net_met: 0,
            target_met: 0,
            reported_met: Vec::new(),
        }
    }

    /// Adds a few samples' cell values `[sample × cell]` (a convenience for small inputs; batches
    /// keep one [`Accumulator`] per thread instead). Exact mode's `values` are filled by the
    /// caller, in sample order.
    pub fn add_cells(&mut self, values: &[f64], binning: &Binning) {
        let mut acc = Accumulator::new(self.cells, binning);
        for sample in values.chunks_exact(self.cells) {
            acc.add(sample);
        }
        acc.flush(self);
    }

    /// Merges the order-free accumulators (sums, extrema, counts) of `other`.
    pub fn merge_accumulators(&mut self, other: &Partial) {
        for c in 0..self.cells {
            self.sums[c] += other.sums[c];
            self.min[c] = self.min[c].min(other.min[c]);
            self.max[c] = self.max[c].max(other.max[c]);
        }
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            *a += b;
        }
        self.gross_met += other.gross_met;
        self.net_met += other.net_met;
        self.target_met += other.target_met;
        if self.reported_met.len() < other.reported_met.len() {
            self.reported_met.resize(other.reported_met.len(), 0);
        }
        for (a, b) in self.reported_met.iter_mut().zip(&other.reported_met) {
            *a += b;
        }
    }

    /// Merges `other`, which must start where `self` ends.
    pub fn merge(&mut self, other: Partial) -> Result<(), String> {
        if other.first != self.first + self.count || other.cells != self.cells {
            return Err(format!(
                "samples {}..{} do not follow {}..{}",
                other.first,
                other.first + other.count,
                self.first,
                self.first + self.count
            ));
        }
        self.count += other.count;
        self.merge_accumulators(&other);
        self.values.extend_from_slice(&other.values);
        self.net_target.extend_from_slice(&other.net_target);
        self.neutrality.extend_from_slice(&other.neutrality);
        Ok(())
    }
}

/// Samples whose histogram slots are counted together, cell by cell, so that each cell's counts
/// stay in cache while a whole tile of samples is added to them.
pub const TILE: usize = 256;

/// 1.5 · 2⁵²: adding it to a float below 2⁵¹ in magnitude leaves that float rounded to an
/// integer in the low mantissa bits.
const ROUNDER: f64 = 6_755_399_441_055_744.0;
/// 2⁵²: adding it to a float in [0, 2⁵²) rounds that float to an integer in the low bits.
const INTEGER: f64 = 4_503_599_627_370_496.0;
/// Values below this in magnitude (2¹⁹) take the vectorised fixed-point path: |x · 2³²| < 2⁵¹.
const FAST_LIMIT: f64 = 524_288.0;

/// x in 2⁻³² fixed point, rounded to the nearest (ties to even).
fn fixed(x: f64) -> i128 {
    (x * FIXED).round_ties_even() as i128
}

/// [`fixed`] for |x| < [`FAST_LIMIT`], with vector instructions: adding 1.5 · 2⁵² rounds
/// x · 2³² to an integer in the low mantissa bits (garbage, to be undone, for larger x).
#[inline(always)]
fn fixed_fast(x: f64) -> i64 {
    ((x * FIXED + ROUNDER).to_bits() as i64).wrapping_sub(ROUNDER.to_bits() as i64)
}

/// A value's histogram slot: 0 below the range, 1..=BINS the bins, BINS + 1 above (and 0 for
/// NaN). `off` is 1 − lo · inv, so that the slot is ⌊(x − lo) · inv⌋ + 1 within the range.
#[inline(always)]
fn slot(x: f64, off: f64, inv: f64) -> u8 {
    const TOP: f64 = (BINS + 1) as f64;
    let t = x * inv + off;
    let t = if t > 0.0 { t } else { 0.0 };
    let t = if t < TOP { t } else { TOP };
    // ⌊t⌋ with vector instructions: round to an integer by adding 2⁵², then step down where
    // that rounded up
    let shifted = t + INTEGER;
    let rounded = (shifted.to_bits() as i64).wrapping_sub(INTEGER.to_bits() as i64);
    let up = i64::from(shifted - INTEGER > t);
    (rounded - up) as u8
}

/// Per-thread scratch that adds samples to a [`Partial`] without allocating, one sample at a
/// time ([`Accumulator::add`]) or a block of samples at a time ([`Accumulator::add_block`]).
///
/// **Shared cells.** Many cells repeat another cell (an aggregate with one child) or a constant
/// (years before a measure starts, historical years without uncertainty). In histogram mode the
/// first [`LEARN`] samples are kept and compared: a cell equal to a constant in all of them, or
/// to an earlier cell, is only *checked* from then on (one comparison), and its statistics are
/// written at [`Accumulator::flush`] from the constant or from the cell it repeats. A cell that
/// stops matching is given statistics of its own on the spot, starting from the ones it shared.
/// Everything is exact, so this changes no figure, only the work.
///
/// **Own cells.** One pass over their values updates the extrema, adds the fixed-point values to
/// 64-bit tile sums (exactly the integers [`fixed`] gives, computed with the 1.5 · 2⁵² rounding
/// trick so the loop vectorises) and, in histogram mode, stores each cell's bin slot. Fed a block
/// of samples in the sample-minor layout, a cell's running state (tile sum, extrema, bin range)
/// is loaded once per block, its lanes are run from registers and the state is stored once: the
/// loop is bound by that state's memory traffic, not by its instructions. At most [`TILE`]
/// samples go into a tile; then the tile sums go into 128-bit totals and the slots (stored
/// `[own cell × TILE]`, a cell's lanes side by side) into the histograms, [`GROUP`] cells at a
/// time. A block that would not fit the current tile counts the tile first, so a block never
/// straddles two tiles. Everything added is an integer or an extremum (taken in sample order), so
/// the result depends neither on how samples are split between accumulators nor on how they are
/// grouped into blocks.
#[derive(Debug, Clone)]
pub struct Accumulator {
    cells: usize,
    /// Samples added since the last flush.
    added: u64,
    /// Histogram mode: the first [`LEARN`] samples, `[sample × cell]`, until shared cells are
    /// found (always empty in exact mode).
    learning: Vec<f64>,
    /// Whether the shared cells are known (from the start in exact mode).
    learned: bool,
    /// Cells with statistics of their own, in the order of the arrays below.
    own: Vec<u32>,
    /// Cells equal to a constant (its bits) in every sample so far.
    constant: Vec<(u32, u64)>,
    /// Cells equal to an own cell (its index in `own`) in every sample so far.
    alias: Vec<(u32, u32)>,
    /// Runs of consecutive cells: own cells (`at` their first index in `own`), constants (`at`
    /// into `constant_bits`) and repeats (`at` the first repeated cell).
    own_runs: Vec<Run>,
    constant_runs: Vec<Run>,
    constant_bits: Vec<u64>,
    alias_runs: Vec<Run>,
    /// Fixed-point sums of the current tile: at most [`TILE`] values below 2⁵¹ each.
    tile_sums: Vec<i64>,
    /// Fixed-point sums since the last flush.
    sums: Vec<i128>,
    /// Extrema since the last flush.
    min: Vec<f64>,
    max: Vec<f64>,
    /// Histogram mode: counts since the last flush, `BINS + 2` per own cell.
    hist: Vec<u32>,
    /// Histogram mode: offset (1 − lower edge · reciprocal width) and reciprocal bin width, per
    /// own cell for [`slot`], and per cell.
    off: Vec<f64>,
    inv: Vec<f64>,
    cell_off: Vec<f64>,
    cell_inv: Vec<f64>,
    /// Histogram mode: bin slots of the current tile, `[own cell × TILE]`.
    slots: Vec<u8>,
    /// Samples in the current tile.
    filled: usize,
    /// One lane of a block as a sample's row, while learning or separating shared cells.
    row: Vec<f64>,
    /// Scratch for ordering cells while learning, and for each cell's leader.
    order: Vec<u32>,
    leader: Vec<u32>,
}

/// Samples compared to find the shared cells.
pub const LEARN: usize = 8;

impl Accumulator {
    /// Scratch for `cells` cells counted as `binning` says.
    pub fn new(cells: usize, binning: &Binning) -> Accumulator {
        let (cell_off, cell_inv) = match binning {
            Binning::Exact => (Vec::new(), Vec::new()),
            Binning::Histogram { lo, width } => {
                let inv: Vec<f64> = width.iter().map(|w| 1.0 / w).collect();
                let off = lo
                    .iter()
                    .zip(&inv)
                    .map(|(lo, inv)| 1.0 - lo * inv)
                    .collect();
                (off, inv)
            }
        };
        let histogram = !cell_inv.is_empty();
        let per_cell = |bins: usize| if histogram { bins * cells } else { 0 };
        let mut acc = Accumulator {
            cells,
            added: 0,
            learning: Vec::with_capacity(per_cell(LEARN)),
            learned: !histogram,
            own: Vec::with_capacity(cells),
            constant: Vec::new(),
            alias: Vec::new(),
            own_runs: Vec::with_capacity(cells),
            constant_runs: Vec::with_capacity(cells),
            constant_bits: Vec::with_capacity(cells),
            alias_runs: Vec::with_capacity(cells),
            tile_sums: Vec::with_capacity(cells),
            sums: Vec::with_capacity(cells),
            min: Vec::with_capacity(cells),
            max: Vec::with_capacity(cells),
            hist: Vec::with_capacity(per_cell(BINS + 2)),
            off: Vec::with_capacity(cells),
            inv: Vec::with_capacity(cells),
            cell_off,
            cell_inv,
            slots: vec![0; per_cell(TILE)],
            filled: 0,
            row: Vec::with_capacity(if histogram { cells } else { 0 }),
            order: Vec::with_capacity(if histogram { cells } else { 0 }),
            leader: Vec::with_capacity(if histogram { cells } else { 0 }),
        };
        if !histogram {
            for c in 0..cells {
                acc.push_own(c);
            }
            acc.index_runs();
        }
        acc
    }

    /// Whether quantiles come from histograms (else from the values the caller keeps).
    fn histogram(&self) -> bool {
        !self.cell_inv.is_empty()
    }

    /// Gives cell `c` statistics of its own (empty); returns its index.
    fn push_own(&mut self, c: usize) -> usize {
        self.own.push(c as u32);
        self.tile_sums.push(0);
        self.sums.push(0);
        self.min.push(f64::INFINITY);
        self.max.push(f64::NEG_INFINITY);
        if self.histogram() {
            self.hist.extend(std::iter::repeat_n(0, BINS + 2));
            self.off.push(self.cell_off[c]);
            self.inv.push(self.cell_inv[c]);
        }
        self.own.len() - 1
    }

    /// Cell `c`'s offset and reciprocal bin width, in histogram mode.
    fn bins(&self, c: usize) -> Option<(f64, f64)> {
        self.histogram()
            .then(|| (self.cell_off[c], self.cell_inv[c]))
    }

    /// Adds one sample's cell values (to be moved into a [`Partial`] by
    /// [`Accumulator::flush`]; its `count` and exact-mode `values` are the caller's).
    pub fn add(&mut self, x: &[f64]) {
        self.add_block::<1>(x, 1);
    }

    /// Adds a block of samples given sample-minor: `x[c * B + b]` is cell `c`'s value in lane
    /// `b`. Lanes `0..lanes` are samples, in sample order; the others are padding and never
    /// read into the statistics (they may hold anything, NaN included). The result is bit for
    /// bit that of [`Accumulator::add`] called once per lane in lane order.
    ///
    /// # Panics
    ///
    /// When `x` does not hold `cells × B` values, `lanes` is not in `1..=B` or `B` exceeds
    /// [`TILE`] (a caller's bug, not bad input).
    pub fn add_block<const B: usize>(&mut self, x: &[f64], lanes: usize) {
        assert_eq!(x.len(), self.cells * B, "B values per cell");
        assert!(
            (1..=B).contains(&lanes) && B <= TILE,
            "1 ≤ lanes ≤ B ≤ TILE"
        );
        let mut from = 0;
        while !self.learned && from < lanes {
            self.learning
                .extend((0..self.cells).map(|c| x[c * B + from]));
            from += 1;
            if self.learning.len() == LEARN * self.cells {
                self.learn();
            }
        }
        if from < lanes {
            self.add_learned::<B>(x, from, lanes);
        }
    }

    /// Finds the shared cells among the kept samples, then adds those samples.
    fn learn(&mut self) {
        let cells = self.cells;
        let kept = std::mem::take(&mut self.learning);
        let samples = kept.len() / cells;
        let values = &kept[..];
        let (off, inv) = (&self.cell_off[..], &self.cell_inv[..]);
        // a cell's histogram range, then its values in every sample: cells can only share
        // counts made over the same bins
        let bits = |c: usize| {
            [off[c].to_bits(), inv[c].to_bits()]
                .into_iter()
                .chain((0..samples).map(move |s| values[s * cells + c].to_bits()))
        };
        // cells ordered by their bits, ties by cell: each run of equal cells is led by its
        // first cell
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(0..cells as u32);
        order.sort_unstable_by(|&a, &b| bits(a as usize).cmp(bits(b as usize)).then(a.cmp(&b)));
        let mut leader = std::mem::take(&mut self.leader);
        leader.clear();
        leader.resize(cells, 0);
        for (i, &c) in order.iter().enumerate() {
            let c = c as usize;
            leader[c] = if i > 0 && bits(c).eq(bits(order[i - 1] as usize)) {
                leader[order[i - 1] as usize]
            } else {
                c as u32
            };
        }
        const CONSTANT: u32 = u32::MAX;
        for c in 0..cells {
            let first = kept[c].to_bits();
            if bits(c).skip(2).all(|b| b == first) {
                leader[c] = CONSTANT;
            }
        }
        // in cell order: leaders get statistics of their own (and `leader` their index), the
        // other cells repeat their leader (which comes before them)
        for c in 0..cells {
            if leader[c] == CONSTANT {
                self.constant.push((c as u32, kept[c].to_bits()));
            } else if leader[c] as usize == c {
                leader[c] = self.push_own(c) as u32;
            } else {
                self.alias.push((c as u32, leader[leader[c] as usize]));
            }
        }
        self.learned = true;
        self.index_runs();
        for sample in kept.chunks_exact(cells) {
            self.add_learned::<1>(sample, 0, 1);
        }
        self.learning = kept;
        self.learning.clear();
        self.order = order;
        self.leader = leader;
    }

    /// Adds lanes `from..to` of a block once the shared cells are known: lane ranges that
    /// fit the current tile and in which every shared cell still matches, separating the shared
    /// cells at the first lane that does not match them.
    fn add_learned<const B: usize>(&mut self, x: &[f64], mut from: usize, to: usize) {
        while from < to {
            if self.filled + (to - from) > TILE {
                self.count_tile();
            }
            let matching = self.matching_lanes::<B>(x, from, to);
            if matching > from {
                if from == 0 && matching == B {
                    self.add_own::<B, true>(x, 0, B);
                } else {
                    self.add_own::<B, false>(x, from, matching);
                }
                from = matching;
            }
            if from < to {
                // lane `from` breaks a shared cell: give it statistics of its own, then go on
                // from that lane with the new runs
                let mut row = std::mem::take(&mut self.row);
                row.clear();
                row.extend((0..self.cells).map(|c| x[c * B + from]));
                self.separate(&row);
                self.row = row;
            }
        }
    }

    /// The first lane in `from..to` where a shared cell no longer matches (`to` when none):
    /// whole runs of cells, all lanes of a block at a time.
    fn matching_lanes<const B: usize>(&self, x: &[f64], from: usize, to: usize) -> usize {
        let mut differ = [0u64; B];
        for r in &self.constant_runs {
            let (c, at, len) = (r.cell as usize, r.at as usize, r.len as usize);
            let values = x[c * B..(c + len) * B].chunks_exact(B);
            for (v, &bits) in values.zip(&self.constant_bits[at..at + len]) {
                for (d, v) in differ.iter_mut().zip(v) {
                    *d |= v.to_bits() ^ bits;
                }
            }
        }
        for r in &self.alias_runs {
            let (c, at, len) = (r.cell as usize, r.at as usize, r.len as usize);
            let values = x[c * B..(c + len) * B].chunks_exact(B);
            let repeated = x[at * B..(at + len) * B].chunks_exact(B);
            for (v, w) in values.zip(repeated) {
                for ((d, v), w) in differ.iter_mut().zip(v).zip(w) {
                    *d |= v.to_bits() ^ w.to_bits();
                }
            }
        }
        (from..to).find(|&b| differ[b] != 0).unwrap_or(to)
    }

    /// Adds lanes `from..to` (all `B` when `FULL`, so that the lane loops have a fixed length)
    /// to the own cells, which must all fit the current tile: per cell, its state loaded once,
    /// the lanes run in registers, the state stored once.
    #[inline(always)]
    fn add_own<const B: usize, const FULL: bool>(&mut self, x: &[f64], from: usize, to: usize) {
        let (from, to) = if FULL { (0, B) } else { (from, to) };
        let lanes = to - from;
        let histogram = self.histogram();
        let filled = self.filled;
        // `fast` says whether every value suited the 64-bit sums
        let mut fast = true;
        for r in &self.own_runs {
            let (c, k, len) = (r.cell as usize, r.at as usize, r.len as usize);
            let values = x[c * B..(c + len) * B].chunks_exact(B);
            let sums = &mut self.tile_sums[k..k + len];
            let (min, max) = (&mut self.min[k..k + len], &mut self.max[k..k + len]);
            let state = sums.iter_mut().zip(min.iter_mut()).zip(max.iter_mut());
            for (v, ((sum, min), max)) in values.zip(state) {
                fast &= add_lanes(&v[from..to], sum, min, max);
            }
            if histogram {
                let (off, inv) = (&self.off[k..k + len], &self.inv[k..k + len]);
                let values = x[c * B..(c + len) * B].chunks_exact(B);
                let tiles = self.slots[k * TILE..(k + len) * TILE].chunks_exact_mut(TILE);
                for ((v, tile), (&off, &inv)) in values.zip(tiles).zip(off.iter().zip(inv)) {
                    let tile = &mut tile[filled..filled + lanes];
                    for (t, &v) in tile.iter_mut().zip(&v[from..to]) {
                        *t = slot(v, off, inv);
                    }
                }
            }
        }
        if !fast {
            // rare: huge or non-finite values; take the lanes back out of the 64-bit sums
            // (wrapping arithmetic undoes exactly) and add them to the 128-bit ones
            for (k, &c) in self.own.iter().enumerate() {
                let c = c as usize;
                for &v in &x[c * B + from..c * B + to] {
                    self.tile_sums[k] = self.tile_sums[k].wrapping_sub(fixed_fast(v));
                    self.sums[k] += fixed(v);
                }
            }
        }
        self.added += lanes as u64;
        self.filled += lanes;
        if self.filled == TILE {
            self.count_tile();
        }
    }

    /// Finds the runs of consecutive cells in `own`, `constant` and `alias`.
    fn index_runs(&mut self) {
        fn runs(pairs: impl Iterator<Item = (u32, u32)>, out: &mut Vec<Run>) {
            out.clear();
            for (cell, at) in pairs {
                match out.last_mut() {
                    Some(r) if r.cell + r.len == cell && r.at + r.len == at => r.len += 1,
                    _ => out.push(Run { cell, at, len: 1 }),
                }
            }
        }
        let own = &self.own;
        runs(
            own.iter().zip(0..).map(|(&c, k)| (c, k)),
            &mut self.own_runs,
        );
        runs(
            self.constant.iter().zip(0..).map(|(&(c, _), i)| (c, i)),
            &mut self.constant_runs,
        );
        self.constant_bits.clear();
        self.constant_bits
            .extend(self.constant.iter().map(|&(_, bits)| bits));
        runs(
            self.alias.iter().map(|&(c, r)| (c, own[r as usize])),
            &mut self.alias_runs,
        );
    }

    /// Gives the shared cells that `x` does not match statistics of their own, equal to the
    /// ones they shared so far.
    fn separate(&mut self, x: &[f64]) {
        // the tile's layout follows the own cells: count it before adding any
        self.count_tile();
        let added = self.added;
        let mut i = 0;
        while i < self.constant.len() {
            let (c, bits) = self.constant[i];
            if x[c as usize].to_bits() == bits {
                i += 1;
                continue;
            }
            self.constant.remove(i);
            let k = self.push_own(c as usize);
            let bins = self.bins(c as usize);
            let counts = if self.histogram() {
                &mut self.hist[k * (BINS + 2)..(k + 1) * (BINS + 2)]
            } else {
                &mut []
            };
            add_repeated(
                f64::from_bits(bits),
                added,
                &mut self.sums[k],
                &mut self.min[k],
                &mut self.max[k],
                counts,
                bins,
            );
        }
        let mut i = 0;
        while i < self.alias.len() {
            let (c, r) = self.alias[i];
            let r = r as usize;
            if x[c as usize].to_bits() == x[self.own[r] as usize].to_bits() {
                i += 1;
                continue;
            }
            self.alias.remove(i);
            let k = self.push_own(c as usize);
            self.sums[k] = self.sums[r];
            self.min[k] = self.min[r];
            self.max[k] = self.max[r];
            if self.histogram() {
                self.hist
                    .copy_within(r * (BINS + 2)..(r + 1) * (BINS + 2), k * (BINS + 2));
            }
        }
        self.index_runs();
    }

    /// Moves the current tile into the totals: tile sums into the 128-bit sums, slots into the
    /// histograms.
    fn count_tile(&mut self) {
        for (s, t) in self.sums.iter_mut().zip(&mut self.tile_sums) {
            *s += *t as i128;
            *t = 0;
        }
        if self.histogram() && self.filled > 0 {
            count_slots(
                &self.slots[..self.own.len() * TILE],
                self.filled,
                &mut self.hist,
            );
        }
        self.filled = 0;
    }

    /// Moves everything added so far into `p`'s sums, extrema and histograms.
    pub fn flush(&mut self, p: &mut Partial) {
        if !self.learned && !self.learning.is_empty() {
            self.learn();
        }
        self.count_tile();
        let added = self.added;
        let row = |c: usize| c * (BINS + 2)..(c + 1) * (BINS + 2);
        // shared cells first: the repeated ones are read before they are reset
        for &(c, bits) in &self.constant {
            let c = c as usize;
            let counts = if p.hist.is_empty() {
                &mut []
            } else {
                &mut p.hist[row(c)]
            };
            add_repeated(
                f64::from_bits(bits),
                added,
                &mut p.sums[c],
                &mut p.min[c],
                &mut p.max[c],
                counts,
                self.bins(c),
            );
        }
        for &(c, r) in &self.alias {
            let (c, r) = (c as usize, r as usize);
            p.sums[c] += self.sums[r];
            merge_extrema(&mut p.min[c], &mut p.max[c], self.min[r], self.max[r]);
            if self.histogram() {
                for (a, b) in p.hist[row(c)].iter_mut().zip(&self.hist[row(r)]) {
                    *a += b;
                }
            }
        }
        for (k, &c) in self.own.iter().enumerate() {
            let c = c as usize;
            p.sums[c] += std::mem::take(&mut self.sums[k]);
            merge_extrema(&mut p.min[c], &mut p.max[c], self.min[k], self.max[k]);
            self.min[k] = f64::INFINITY;
            self.max[k] = f64::NEG_INFINITY;
            if self.histogram() {
                for (a, b) in p.hist[row(c)].iter_mut().zip(&mut self.hist[row(k)]) {
                    *a += std::mem::take(b);
                }
            }
        }
        self.added = 0;
    }
}

/// Adds a cell's values `v` (lanes, in sample order) to its tile sum and extrema; true when
/// they all suited the 64-bit sum. The sum is an integer, so it is taken in any order (and
/// vectorises); the extrema are taken in sample order, so that of −0 and 0 the one seen first
/// stays, as when adding one sample at a time.
#[inline(always)]
fn add_lanes(v: &[f64], sum: &mut i64, min: &mut f64, max: &mut f64) -> bool {
    let mut total = *sum;
    let mut fast = true;
    for &v in v {
        total = total.wrapping_add(fixed_fast(v));
        fast &= v.abs() < FAST_LIMIT;
    }
    *sum = total;
    let (mut lo, mut hi) = (*min, *max);
    for &v in v {
        lo = if v < lo { v } else { lo };
        hi = if v > hi { v } else { hi };
    }
    (*min, *max) = (lo, hi);
    fast
}

/// Consecutive cells `cell..cell + len` that go with consecutive `at..at + len` (own-cell
/// indices, constants or repeated cells).
#[derive(Debug, Clone, Copy)]
struct Run {
    cell: u32,
    at: u32,
    len: u32,
}

/// Adds a value seen `times` times to a cell's sum, extrema and (in histogram mode, with the
/// cell's `off` and `inv` for [`slot`]) counts.
fn add_repeated(
    v: f64,
    times: u64,
    sum: &mut i128,
    min: &mut f64,
    max: &mut f64,
    counts: &mut [u32],
    bins: Option<(f64, f64)>,
) {
    if times == 0 {
        return;
    }
    *sum += fixed(v) * times as i128;
    merge_extrema(min, max, v, v);
    if let Some((off, inv)) = bins {
        counts[slot(v, off, inv) as usize] += times as u32;
    }
}

/// Widens extrema `min`, `max` to take in `lo`, `hi` (NaN never enters, as when adding).
fn merge_extrema(min: &mut f64, max: &mut f64, lo: f64, hi: f64) {
    *min = if lo < *min { lo } else { *min };
    *max = if hi > *max { hi } else { *max };
}

/// Counts the first `filled` slots of each cell's tile (`slots` is `[cell × TILE]`) into `hist`
/// (`BINS + 2` per cell): group by group, reading each cell's slots contiguously, the group's
/// counts in the first-level cache and its cells counted side by side (increments that do not
/// wait for each other).
fn count_slots(slots: &[u8], filled: usize, hist: &mut [u32]) {
    let cells = slots.len() / TILE;
    let mut groups = hist[..cells * (BINS + 2)]
        .chunks_mut(GROUP * (BINS + 2))
        .zip(slots.chunks(GROUP * TILE))
        .peekable();
    while let Some((counts, tiles)) = groups.next() {
        if let Some((next, _)) = groups.peek() {
            prefetch(next);
        }
        if let (Ok(counts), Ok(tiles)) = (
            <&mut [u32; GROUP * (BINS + 2)]>::try_from(&mut *counts),
            <&[u8; GROUP * TILE]>::try_from(tiles),
        ) {
            let mut rows = counts.chunks_exact_mut(BINS + 2);
            let mut rows: [&mut [u32; BINS + 2]; GROUP] = std::array::from_fn(|_| {
                rows.next()
                    .and_then(|r| r.try_into().ok())
                    .expect("a full group")
            });
            let tiles: [&[u8; TILE]; GROUP] = std::array::from_fn(|j| {
                tiles[j * TILE..(j + 1) * TILE]
                    .try_into()
                    .expect("a full tile")
            });
            for s in 0..filled.min(TILE) {
                for (counts, tile) in rows.iter_mut().zip(&tiles) {
                    counts[tile[s] as usize] += 1;
                }
            }
        } else {
            for (counts, tile) in counts.chunks_exact_mut(BINS + 2).zip(tiles.chunks(TILE)) {
                for &slot in &tile[..filled] {
                    counts[slot as usize] += 1;
                }
            }
        }
    }
}

/// Cells whose histograms are counted together.
const GROUP: usize = 16;

/// Touches every cache line of a cell's counts, so that they are on their way into cache before
/// they are counted into (the loads do not wait for each other).
fn prefetch(counts: &[u32]) {
    let mut any = 0;
    for line in counts.chunks_exact(16) {
        any |= line[0];
    }
    std::hint::black_box(any);
}

/// numpy's default quantile of sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let k = h.floor() as usize;
    if k + 1 >= n {
        return sorted[n - 1];
    }
    sorted[k] + (h - k as f64) * (sorted[k + 1] - sorted[k])
}

/// A float's place in the total order ([`f64::total_cmp`]) as an integer: ordering the keys
/// orders the floats, with plain integer comparisons.
fn key(x: f64) -> i64 {
    flip(x.to_bits() as i64)
}

/// The float whose [`key`] this is.
fn unkey(k: i64) -> f64 {
    f64::from_bits(flip(k) as u64)
}

/// Inverts the magnitude bits of negative numbers (its own inverse: the sign bit stays).
fn flip(b: i64) -> i64 {
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// numpy-linear quantiles of [`QUANTILES`] of some values, in any order.
pub fn select_quantiles(values: &[f64]) -> [f64; QUANTILES.len()] {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    column_quantiles(values, lo, hi, &mut Vec::new())
}

/// Bins of the exact quantile search.
const SEARCH_BINS: usize = 256;

/// Exact numpy-linear quantiles of one cell's values (`lo`, `hi` their extrema) without sorting
/// them all: the values are counted in [`SEARCH_BINS`] equal bins between the extrema (the bin is
/// a monotone function of the value, so it orders them coarsely), and only the values in the bins
/// that hold the needed order statistics are gathered (as [`key`]s) and sorted.
fn column_quantiles(
    col: &[f64],
    lo: f64,
    hi: f64,
    gathered: &mut Vec<i64>,
) -> [f64; QUANTILES.len()] {
    let n = col.len();
    if n == 0 {
        return [f64::NAN; QUANTILES.len()];
    }
    if hi <= lo {
        return [lo; QUANTILES.len()];
    }
    let inv = SEARCH_BINS as f64 / (hi - lo);
    let bin = |x: f64| (((x - lo) * inv) as usize).min(SEARCH_BINS - 1);
    let mut counts = [0u32; SEARCH_BINS];
    for &x in col {
        counts[bin(x)] += 1;
    }
    // the order statistics needed: k and k + 1 of each quantile
    let ranks = QUANTILES.map(|(p, _)| {
        let h = (n - 1) as f64 * p;
        let k = h.floor() as usize;
        (k, (k + 1).min(n - 1), h - k as f64)
    });
    let mut start = [0usize; SEARCH_BINS + 1];
    for b in 0..SEARCH_BINS {
        start[b + 1] = start[b] + counts[b] as usize;
    }
    let bin_of = |r: usize| start.partition_point(|&s| s <= r) - 1;
    let mut needed = [false; SEARCH_BINS];
    for &(k, k1, _) in &ranks {
        needed[bin_of(k)] = true;
        needed[bin_of(k1)] = true;
    }
    gathered.clear();
    gathered.extend(col.iter().filter(|&&x| needed[bin(x)]).map(|&x| key(x)));
    gathered.sort_unstable();
    // rank r sits in the gathered values after those of the needed bins below its own
    let mut offset = [0usize; SEARCH_BINS];
    let mut before = 0;
    for b in 0..SEARCH_BINS {
        offset[b] = before;
        if needed[b] {
            before += counts[b] as usize;
        }
    }
    let value = |r: usize| {
        let b = bin_of(r);
        unkey(gathered[offset[b] + r - start[b]])
    };
    ranks.map(|(k, k1, frac)| {
        let xk = value(k);
        if frac > 0.0 {
            xk + frac * (value(k1) - xk)
        } else {
            xk
        }
    })
}

/// The value of order statistic `rank` (0-based) from one cell's histogram.
fn ranked_from_hist(counts: &[u32], lo: f64, width: f64, min: f64, max: f64, rank: u64) -> f64 {
    let mut before = 0u64;
    for (slot, &c) in counts.iter().enumerate() {
        let c = c as u64;
        if rank < before + c {
            // bin bounds; under/overflow bins reach to the exact extrema
            let (a, b) = match slot {
                0 => (min, lo),
                s if s == BINS + 1 => (lo + BINS as f64 * width, max),
                s => (lo + (s - 1) as f64 * width, lo + s as f64 * width),
            };
            let (a, b) = (a.max(min), b.min(max));
            // values spread evenly within the bin
            let x = a + (b - a) * ((rank - before) as f64 + 0.5) / c as f64;
            return x.clamp(min, max);
        }
        before += c;
    }
    max
}

/// Final figures per cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellStats {
    /// Means.
    pub mean: Vec<f64>,
    /// Quantiles per [`QUANTILES`] entry, each per cell.
    pub quantiles: Vec<Vec<f64>>,
}

/// Computes means and quantiles from a complete partial.
pub fn finish_cells(p: &Partial, binning: &Binning) -> CellStats {
    let n = p.count;
    let cells = p.cells;
    let mean = p
        .sums
        .iter()
        .map(|&s| s as f64 / FIXED / n as f64)
        .collect();
    let mut quantiles = vec![vec![0.0; cells]; QUANTILES.len()];
    match binning {
        Binning::Exact => {
            // blocks of cells in parallel: gather each into columns (contiguous reads), then
            // select the ranks; each block's figures land in their own cells
            use rayon::prelude::*;
            const BLOCK: usize = 64;
            let n = n as usize;
            let blocks: Vec<Vec<[f64; QUANTILES.len()]>> = (0..cells.div_ceil(BLOCK))
                .into_par_iter()
                .map(|b| {
                    let c0 = b * BLOCK;
                    let width = BLOCK.min(cells - c0);
                    let mut columns = vec![0.0; width * n];
                    // through a square tile: each sample's row is read in one piece, each
                    // column written in one piece (a page or two per row, not one per value)
                    let mut tile = vec![0.0; BLOCK * BLOCK];
                    for s0 in (0..n).step_by(BLOCK) {
                        let rows = BLOCK.min(n - s0);
                        for r in 0..rows {
                            let at = (s0 + r) * cells + c0;
                            tile[r * BLOCK..r * BLOCK + width]
                                .copy_from_slice(&p.values[at..at + width]);
                        }
                        for (j, column) in columns.chunks_exact_mut(n).enumerate() {
                            for (r, x) in column[s0..s0 + rows].iter_mut().enumerate() {
                                *x = tile[r * BLOCK + j];
                            }
                        }
                    }
                    let mut gathered = Vec::new();
                    columns
                        .chunks_exact(n)
                        .enumerate()
                        .map(|(j, col)| {
                            let c = c0 + j;
                            column_quantiles(col, p.min[c], p.max[c], &mut gathered)
                        })
                        .collect()
                })
                .collect();
            for (b, block) in blocks.iter().enumerate() {
                for (j, qs) in block.iter().enumerate() {
                    for (q, v) in qs.iter().enumerate() {
                        quantiles[q][b * BLOCK + j] = *v;
                    }
                }
            }
        }
        Binning::Histogram { lo, width } => {
            // each cell on its own, in parallel (a function of the cell's counts alone)
            use rayon::prelude::*;
            let per_cell: Vec<[f64; QUANTILES.len()]> = (0..cells)
                .into_par_iter()
                .map(|c| {
                    let counts = &p.hist[c * (BINS + 2)..(c + 1) * (BINS + 2)];
                    let (min, max) = (p.min[c], p.max[c]);
                    if min == max {
                        return [min; QUANTILES.len()];
                    }
                    let ranked = |rank| ranked_from_hist(counts, lo[c], width[c], min, max, rank);
                    QUANTILES.map(|(prob, _)| {
                        let h = (n - 1) as f64 * prob;
                        let k = h.floor() as u64;
                        let xk = ranked(k);
                        xk + (h - k as f64) * (ranked((k + 1).min(n - 1)) - xk)
                    })
                })
                .collect();
            for (c, qs) in per_cell.iter().enumerate() {
                for (q, v) in qs.iter().enumerate() {
                    quantiles[q][c] = *v;
                }
            }
        }
    }
    CellStats { mean, quantiles }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_linear_quantiles() {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; 0.5 → 2.5; 0.95 → 3.85
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((quantile_sorted(&v, 0.25) - 1.75).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.95) - 3.85).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[7.0], 0.05), 7.0);
    }

    #[test]
    fn selection_equals_sorting() {
        let v: Vec<f64> = (0..1001)
            .map(|i| ((i * 7919) % 1001) as f64 * 0.37)
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let got = select_quantiles(&v);
        for (q, (p, _)) in QUANTILES.iter().enumerate() {
            assert_eq!(got[q], quantile_sorted(&sorted, *p));
        }
    }

    #[test]
    fn partials_merge_to_the_whole() {
        let b = Binning::Exact;
        let mut whole = Partial::new(0, 2, &b);
        let mut a = Partial::new(0, 2, &b);
        let mut c = Partial::new(3, 2, &b);
        for s in 0..6 {
            let cells = [s as f64 * 0.1, 10.0 - s as f64];
            whole.add_cells(&cells, &b);
            whole.count += 1;
            whole.values.extend_from_slice(&cells);
            let part = if s < 3 { &mut a } else { &mut c };
            part.add_cells(&cells, &b);
            part.values.extend_from_slice(&cells);
            part.count += 1;
        }
        a.merge(c.clone()).unwrap();
        assert_eq!(a, whole);
        // out of order is refused
        let mut c2 = c;
        assert!(c2.merge(whole).is_err());
    }

    #[test]
    fn histogram_quantiles_are_within_a_bin_of_exact() {
        // values 0..9999 (uniform): exact p5 = 499.95
        let cells = 1;
        let pilot: Vec<f64> = (0..2048).map(|i| i as f64 * 10000.0 / 2048.0).collect();
        let b = Binning::from_pilot(&pilot, cells);
        let mut p = Partial::new(0, cells, &b);
        for i in 0..10_000 {
            p.add_cells(&[i as f64], &b);
            p.count += 1;
        }
        let s = finish_cells(&p, &b);
        let Binning::Histogram { width, .. } = &b else {
            panic!()
        };
        assert!(
            (s.quantiles[0][0] - 499.95).abs() <= width[0],
            "{}",
            s.quantiles[0][0]
        );
        assert!((s.quantiles[2][0] - 4999.5).abs() <= width[0]);
        // the mean is exact: 4999.5
        assert!((s.mean[0] - 4999.5).abs() < 1e-9);
    }

    #[test]
    fn exact_search_equals_sorting_on_skewed_and_tied_values() {
        // a lognormal-like tail, many ties, negatives and one far outlier: most values share
        // a few search bins, which must still give the sorted answer exactly
        let mut v: Vec<f64> = (0..5000)
            .map(|i| {
                let u = ((i * 7919) % 5000) as f64 / 5000.0;
                if i % 3 == 0 {
                    1.25
                } else {
                    (4.0 * u).exp() - 20.0
                }
            })
            .collect();
        v.push(1e9);
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let got = select_quantiles(&v);
        for (q, (p, _)) in QUANTILES.iter().enumerate() {
            assert_eq!(got[q], quantile_sorted(&sorted, *p), "{p}");
        }
        // two values and a constant column
        assert_eq!(select_quantiles(&[3.0, 1.0])[2], 2.0);
        assert_eq!(select_quantiles(&[4.5; 7]), [4.5; 5]);
    }

    #[test]
    fn keys_order_like_total_cmp() {
        let xs = [-1e300, -2.5, -0.0, 0.0, 1e-310, 3.0, f64::INFINITY];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} < {}", w[0], w[1]);
        }
        for x in xs {
            assert_eq!(unkey(key(x)).to_bits(), x.to_bits());
        }
    }

    #[test]
    fn fast_fixed_point_equals_the_exact_rounding() {
        // 0.1 · 2³² = 429496729.6 → 429496730; −2.5 · 2⁻³² ·2³² = −2.5 → −2 (ties to even)
        assert_eq!(fixed_fast(0.1), 429_496_730);
        assert_eq!(fixed(0.1), 429_496_730);
        assert_eq!(fixed_fast(-2.5 / FIXED), -2);
        for x in [0.0, -0.0, 1.0, -123.456, 524_287.999, -524_287.999, 3.3e-12] {
            assert_eq!(i128::from(fixed_fast(x)), fixed(x), "{x}");
        }
    }

    #[test]
    fn huge_values_take_the_exact_path_without_changing_the_sums() {
        // one sample beyond 2¹⁹ among ordinary ones: sums equal adding each value's fixed()
        let b = Binning::Exact;
        let samples = [[1.5, -2.0], [1e12, 0.25], [0.5, 7.0]];
        let mut p = Partial::new(0, 2, &b);
        p.add_cells(samples.as_flattened(), &b);
        let want0 = fixed(1.5) + fixed(1e12) + fixed(0.5);
        let want1 = fixed(-2.0) + fixed(0.25) + fixed(7.0);
        assert_eq!(p.sums, vec![want0, want1]);
        assert_eq!((p.min[0], p.max[0]), (0.5, 1e12));
    }

    #[test]
    fn slots_split_the_range_into_bins() {
        // lo = 10, width 0.5 (inv 2): 9.99 → below (0); 10 → bin 1; 10.49 → 1; 10.5 → 2;
        // lo + BINS·width = 137 → above (BINS + 1); NaN → 0
        // (off = 1 − 10 · 2 = −19)
        let off = -19.0;
        assert_eq!(slot(9.99, off, 2.0), 0);
        assert_eq!(slot(10.0, off, 2.0), 1);
        assert_eq!(slot(10.49, off, 2.0), 1);
        assert_eq!(slot(10.5, off, 2.0), 2);
        assert_eq!(slot(136.99, off, 2.0), BINS as u8);
        assert_eq!(slot(137.0, off, 2.0), (BINS + 1) as u8);
        assert_eq!(slot(1e300, off, 2.0), (BINS + 1) as u8);
        assert_eq!(slot(-1e300, off, 2.0), 0);
        assert_eq!(slot(f64::NAN, off, 2.0), 0);
    }

    /// Statistics computed cell by cell, the plain way: what the accumulator must give.
    fn plain(values: &[f64], cells: usize, b: &Binning) -> Partial {
        let Binning::Histogram { lo, width } = b else {
            panic!("histogram binning")
        };
        let mut p = Partial::new(0, cells, b);
        for sample in values.chunks_exact(cells) {
            for (c, &x) in sample.iter().enumerate() {
                p.sums[c] += fixed(x);
                merge_extrema(&mut p.min[c], &mut p.max[c], x, x);
                let inv = 1.0 / width[c];
                p.hist[c * (BINS + 2) + slot(x, 1.0 - lo[c] * inv, inv) as usize] += 1;
            }
        }
        p
    }

    #[test]
    fn shared_cells_that_stop_matching_keep_exact_statistics() {
        // 6 cells over 700 samples (2 tiles and more): 0 varies; 1 repeats 0 until sample 20;
        // 2 is 5.0 until sample 300 (after the first tile); 3 is always −1.5; 4 always repeats
        // 0; 5 is always NaN. Every cell must get exactly the plain statistics.
        let cells = 6;
        let n = 700;
        let value = |s: usize, c: usize| {
            let v0 = ((s * 7919) % 1000) as f64 * 0.01 - 3.0;
            match c {
                0 | 4 => v0,
                1 if s < 20 => v0,
                1 => v0 + 1.0,
                2 if s < 300 => 5.0,
                2 => s as f64 * 0.001,
                3 => -1.5,
                _ => f64::NAN,
            }
        };
        let values: Vec<f64> = (0..n)
            .flat_map(|s| (0..cells).map(move |c| value(s, c)))
            .collect();
        // a pilot of 20 samples: cells 0, 1 and 4 get the same bins, and can share counts
        let b = Binning::from_pilot(&values[..20 * cells], cells);
        let mut acc = Accumulator::new(cells, &b);
        let mut p = Partial::new(0, cells, &b);
        for (s, sample) in values.chunks_exact(cells).enumerate() {
            acc.add(sample);
            if s == 10 {
                assert_eq!(acc.own, vec![0]);
                assert_eq!(acc.alias, vec![(1, 0), (4, 0)]);
                assert_eq!(acc.constant.len(), 3);
            }
        }
        acc.flush(&mut p);
        // learning found 3 and 5 constant, 2 constant so far, 1 and 4 repeating 0; 1 (at
        // sample 20), then 2 (at 300) were separated
        assert_eq!(acc.own, vec![0, 1, 2]);
        assert_eq!(acc.constant.len(), 2);
        assert_eq!(acc.alias, vec![(4, 0)]);
        let want = plain(&values, cells, &b);
        assert_eq!(p.sums, want.sums);
        assert_eq!(p.hist, want.hist);
        for c in 0..cells - 1 {
            assert_eq!((p.min[c], p.max[c]), (want.min[c], want.max[c]), "cell {c}");
        }
        // NaN never enters the extrema
        assert_eq!((p.min[5], p.max[5]), (f64::INFINITY, f64::NEG_INFINITY));
    }

    #[test]
    fn flushing_before_learning_ends_and_again_later_loses_nothing() {
        // 3 samples (fewer than LEARN) flushed, then 40 more into the same partial, flushed
        // twice: the sums of a cell that is 2.0 in the first 3 samples and varies after equal
        // the plain ones
        let cells = 3;
        let value = |s: usize, c: usize| match c {
            0 => 2.0 + if s < 3 { 0.0 } else { s as f64 },
            1 => 7.25,
            _ => -(s as f64),
        };
        let values: Vec<f64> = (0..43)
            .flat_map(|s| (0..cells).map(move |c| value(s, c)))
            .collect();
        let b = Binning::from_pilot(&values, cells);
        let mut acc = Accumulator::new(cells, &b);
        let mut p = Partial::new(0, cells, &b);
        for (s, sample) in values.chunks_exact(cells).enumerate() {
            acc.add(sample);
            if s == 2 {
                acc.flush(&mut p);
            }
        }
        acc.flush(&mut p);
        acc.flush(&mut p);
        let want = plain(&values, cells, &b);
        assert_eq!(p.sums, want.sums);
        assert_eq!(p.hist, want.hist);
        assert_eq!(p.min, want.min);
        assert_eq!(p.max, want.max);
        // 7.25 · 43 in 2⁻³² fixed point
        assert_eq!(p.sums[1], 7 * 43 * (1i128 << 32) + (43i128 << 30));
    }

    #[test]
    fn tiles_count_every_sample_once() {
        // 2 tiles + 3 samples over 20 cells (two groups, the second partial), flushed twice:
        // each cell's counts sum to the sample count and sit where slot() puts each value
        let cells = 20;
        let n = 2 * TILE + 3;
        let value = |s: usize, c: usize| ((s * 37 + c * 11) % 100) as f64 + 0.5;
        let pilot: Vec<f64> = (0..100)
            .flat_map(|s| (0..cells).map(move |c| value(s, c)))
            .collect();
        let b = Binning::from_pilot(&pilot, cells);
        let Binning::Histogram { lo, width } = &b else {
            panic!("histogram binning")
        };
        let mut p = Partial::new(0, cells, &b);
        let mut acc = Accumulator::new(cells, &b);
        let mut want = vec![0u32; cells * (BINS + 2)];
        for s in 0..n {
            let row: Vec<f64> = (0..cells).map(|c| value(s, c)).collect();
            acc.add(&row);
            for (c, &x) in row.iter().enumerate() {
                let inv = 1.0 / width[c];
                want[c * (BINS + 2) + slot(x, 1.0 - lo[c] * inv, inv) as usize] += 1;
            }
        }
        acc.flush(&mut p);
        acc.flush(&mut p);
        assert_eq!(p.hist, want);
        for c in 0..cells {
            let total: u32 = p.hist[c * (BINS + 2)..(c + 1) * (BINS + 2)].iter().sum();
            assert_eq!(total as usize, n);
        }
    }

    /// A synthetic cell value of sample `s`, by the cell's kind (`c % 8`): 0 varies; 1 is the
    /// constant 2.5; 2 repeats cell c − 2; 3 is 5.0 until sample 8 + c (so some stop matching
    /// inside the learning samples, some just after, in the middle of blocks), then varies; 4
    /// repeats cell c − 4 until sample 100 + c; 5 alternates 0 and −0 (which of them is the
    /// extremum depends on order); 6 varies with 1e12 (beyond 2¹⁹) at sample 333 + c and NaN at
    /// sample 400 + c; 7 is always NaN.
    fn synthetic(s: usize, c: usize) -> f64 {
        let v = |c: usize| ((s * 7919 + c * 104_729) % 1000) as f64 * 0.01 - 3.0;
        match c % 8 {
            0 => v(c),
            1 => 2.5,
            2 => v(c - 2),
            3 if s < 8 + c => 5.0,
            3 => v(c),
            4 if s < 100 + c => v(c - 4),
            4 => v(c - 4) + 1.0,
            5 if s % 2 == 0 => -0.0,
            5 => 0.0,
            6 if s == 333 + c => 1e12,
            6 if s == 400 + c => f64::NAN,
            6 => v(c),
            _ => f64::NAN,
        }
    }

    /// Padding lanes: anything, non-finite included.
    const JUNK: [f64; 5] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -0.0];

    /// Adds `values` (`[sample × cell]`) in blocks of `B` whose lane counts cycle through
    /// `lanes`, the padding lanes filled with [`JUNK`], every third block one sample at a time
    /// instead; flushes after the block that passes sample `flush_at`.
    fn by_blocks<const B: usize>(
        values: &[f64],
        cells: usize,
        b: &Binning,
        lanes: &[usize],
        flush_at: usize,
    ) -> (Partial, Accumulator) {
        let n = values.len() / cells;
        let mut acc = Accumulator::new(cells, b);
        let mut p = Partial::new(0, cells, b);
        let (mut s, mut i) = (0, 0);
        let mut x = vec![0.0; cells * B];
        while s < n {
            let k = lanes[i % lanes.len()].clamp(1, B).min(n - s);
            if i % 3 == 2 {
                for sample in values[s * cells..(s + k) * cells].chunks_exact(cells) {
                    acc.add(sample);
                }
            } else {
                for c in 0..cells {
                    for lane in 0..B {
                        x[c * B + lane] = if lane < k {
                            values[(s + lane) * cells + c]
                        } else {
                            JUNK[(c + lane) % JUNK.len()]
                        };
                    }
                }
                acc.add_block::<B>(&x, k);
            }
            if s <= flush_at && flush_at < s + k {
                acc.flush(&mut p);
            }
            s += k;
            i += 1;
        }
        acc.flush(&mut p);
        (p, acc)
    }

    /// Asserts two partials equal bit for bit (extrema by their bits: −0 is not 0).
    fn assert_identical(got: &Partial, want: &Partial, what: &str) {
        assert_eq!(got.sums, want.sums, "{what}: sums");
        assert_eq!(got.hist, want.hist, "{what}: hist");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got.min), bits(&want.min), "{what}: min");
        assert_eq!(bits(&got.max), bits(&want.max), "{what}: max");
    }

    /// Blocks of `B` against one sample at a time, exact and histogram mode, for several lane
    /// patterns: the same partial bit for bit, the same cells shared.
    fn blocks_match_samples<const B: usize>() {
        let cells = 40;
        let n = 700; // 2 tiles and more
        let values: Vec<f64> = (0..n)
            .flat_map(|s| (0..cells).map(move |c| synthetic(s, c)))
            .collect();
        let histogram = Binning::from_pilot(&values[..20 * cells], cells);
        for b in [Binning::Exact, histogram] {
            let (want, one) = by_blocks::<1>(&values, cells, &b, &[1], 250);
            if matches!(b, Binning::Histogram { .. }) {
                // one sample at a time is itself the plain statistics
                let plain = plain(&values, cells, &b);
                assert_eq!(
                    (want.sums.clone(), want.hist.clone()),
                    (plain.sums, plain.hist)
                );
            }
            for lanes in [&[B][..], &[B, B - 1, 3, B, 1, B, B, 2], &[5, B, 7]] {
                let what = format!("B = {B}, lanes {lanes:?}, {b:?}");
                let (got, acc) = by_blocks::<B>(&values, cells, &b, lanes, 250);
                assert_identical(&got, &want, &what);
                assert_eq!(
                    (&acc.own, &acc.constant, &acc.alias),
                    (&one.own, &one.constant, &one.alias),
                    "{what}"
                );
            }
        }
    }

    #[test]
    fn blocks_of_1_4_8_16_equal_samples_added_one_by_one() {
        blocks_match_samples::<1>();
        blocks_match_samples::<4>();
        blocks_match_samples::<8>();
        blocks_match_samples::<16>();
    }

    #[test]
    fn learning_ends_and_shared_cells_separate_in_the_middle_of_a_block() {
        // 3 cells, blocks of 16: cell 0 varies (s), cell 1 is the constant 1.0 until sample
        // 12, then 2.0; cell 2 repeats cell 0 until sample 13, then is 0. Learning ends at
        // lane 8 of the first block, cell 1 is separated at lane 12 and cell 2 at lane 13.
        let cells = 3;
        let value = |s: usize, c: usize| match c {
            0 => s as f64,
            1 if s < 12 => 1.0,
            1 => 2.0,
            2 if s < 13 => s as f64,
            _ => 0.0,
        };
        let values: Vec<f64> = (0..16)
            .flat_map(|s| (0..cells).map(move |c| value(s, c)))
            .collect();
        let b = Binning::from_pilot(&values[..8 * cells], cells);
        let (p, acc) = by_blocks::<16>(&values, cells, &b, &[16], usize::MAX);
        assert_eq!(acc.own, vec![0, 1, 2]);
        // sums: cell 0: 0 + … + 15 = 120; cell 1: 12 · 1 + 4 · 2 = 20; cell 2: 0 + … + 12 = 78
        let fixed_of = |v: i128| v << 32;
        assert_eq!(p.sums, vec![fixed_of(120), fixed_of(20), fixed_of(78)]);
        assert_eq!(
            (p.min.clone(), p.max.clone()),
            (vec![0.0, 1.0, 0.0], vec![15.0, 2.0, 12.0])
        );
        let (one, _) = by_blocks::<1>(&values, cells, &b, &[1], usize::MAX);
        assert_identical(&p, &one, "blocks of 16");
    }

    #[test]
    fn huge_and_nan_lanes_take_the_exact_path_and_padding_is_ignored() {
        // one cell, blocks of 4 with 3 samples (lane 3 is padding): 1.5, 1e12 (beyond 2¹⁹),
        // NaN. Sum = fixed(1.5) + fixed(1e12) + 0 (NaN counts as 0, as in `fixed`);
        // min 1.5, max 1e12. Every padding value gives the same result.
        let b = Binning::Exact;
        let want = fixed(1.5) + fixed(1e12);
        assert_eq!(want, (3i128 << 31) + (1_000_000_000_000i128 << 32));
        for junk in JUNK.into_iter().chain([0.0, -1e-300]) {
            let mut acc = Accumulator::new(1, &b);
            acc.add_block::<4>(&[1.5, 1e12, f64::NAN, junk], 3);
            let mut p = Partial::new(0, 1, &b);
            acc.flush(&mut p);
            assert_eq!(p.sums, vec![want], "padding {junk}");
            assert_eq!((p.min[0], p.max[0]), (1.5, 1e12), "padding {junk}");
        }
    }

    #[test]
    fn padding_lanes_neither_enter_the_statistics_nor_break_shared_cells() {
        // 2 cells, the second a constant 7.0 (found while learning); after 8 samples of 1.0, a
        // block of 8 with 1 sample of 2.0 and NaN/inf/huge padding: cell 0 sums 8 + 2 = 10 and
        // spans 1..2, cell 1 sums 9 · 7 = 63 and stays shared.
        let cells = 2;
        let b = Binning::from_pilot(&[0.0, 7.0, 10.0, 7.0], cells);
        let mut acc = Accumulator::new(cells, &b);
        for _ in 0..LEARN {
            acc.add(&[1.0, 7.0]);
        }
        let mut x = [0.0; 16];
        x[0] = 2.0;
        x[8] = 7.0;
        for lane in 1..8 {
            x[lane] = JUNK[lane % JUNK.len()];
            x[8 + lane] = JUNK[(lane + 1) % JUNK.len()];
        }
        acc.add_block::<8>(&x, 1);
        assert_eq!((acc.own.len(), acc.constant.len()), (1, 1));
        let mut p = Partial::new(0, cells, &b);
        acc.flush(&mut p);
        assert_eq!(p.sums, vec![10i128 << 32, 63i128 << 32]);
        assert_eq!(
            (p.min.clone(), p.max.clone()),
            (vec![1.0, 7.0], vec![2.0, 7.0])
        );
        let total: u32 = p.hist.iter().sum();
        assert_eq!(total, 2 * 9);
    }

    #[test]
    fn tile_boundaries_inside_blocks_count_every_sample_once() {
        // blocks of 16 after 8 single samples: the tile's 256th sample falls at lane 8 of a
        // block; 2 tiles + 40 samples, each cell's counts sum to 552 and equal the plain ones
        let cells = 20;
        let n = 2 * TILE + 40;
        let values: Vec<f64> = (0..n)
            .flat_map(|s| (0..cells).map(move |c| ((s * 37 + c * 11) % 100) as f64 + 0.5))
            .collect();
        let b = Binning::from_pilot(&values[..100 * cells], cells);
        let mut acc = Accumulator::new(cells, &b);
        for sample in values[..8 * cells].chunks_exact(cells) {
            acc.add(sample);
        }
        let mut x = vec![0.0; cells * 16];
        for s0 in (8..n).step_by(16) {
            let k = 16.min(n - s0);
            for c in 0..cells {
                for lane in 0..k {
                    x[c * 16 + lane] = values[(s0 + lane) * cells + c];
                }
            }
            acc.add_block::<16>(&x, k);
        }
        let mut p = Partial::new(0, cells, &b);
        acc.flush(&mut p);
        let want = plain(&values, cells, &b);
        assert_identical(&p, &want, "blocks of 16");
        for c in 0..cells {
            let total: u32 = p.hist[c * (BINS + 2)..(c + 1) * (BINS + 2)].iter().sum();
            assert_eq!(total as usize, n);
        }
    }
}
