//! Adding samples to a [`Partial`]: the per-thread [`Accumulator`] with its fixed-point tile
//! sums, extrema and histogram slots, and the cells it shares.

use super::{BINS, Binning, FIXED, Partial};

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
pub(super) fn fixed(x: f64) -> i128 {
    (x * FIXED).round_ties_even() as i128
}

/// [`fixed`] for |x| < [`FAST_LIMIT`], with vector instructions: adding 1.5 · 2⁵² rounds
/// x · 2³² to an integer in the low mantissa bits (garbage, to be undone, for larger x).
#[inline(always)]
pub(super) fn fixed_fast(x: f64) -> i64 {
    ((x * FIXED + ROUNDER).to_bits() as i64).wrapping_sub(ROUNDER.to_bits() as i64)
}

/// A value's histogram slot: 0 below the range, 1..=BINS the bins, BINS + 1 above (and 0 for
/// NaN). `off` is 1 − lo · inv, so that the slot is ⌊(x − lo) · inv⌋ + 1 within the range.
#[inline(always)]
pub(super) fn slot(x: f64, off: f64, inv: f64) -> u8 {
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
    pub(super) own: Vec<u32>,
    /// Cells equal to a constant (its bits) in every sample so far.
    pub(super) constant: Vec<(u32, u64)>,
    /// Cells equal to an own cell (its index in `own`) in every sample so far.
    pub(super) alias: Vec<(u32, u32)>,
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
pub(super) fn merge_extrema(min: &mut f64, max: &mut f64, lo: f64, hi: f64) {
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
