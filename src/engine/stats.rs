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
        }
    }

    /// Adds a few samples' cell values `[sample × cell]` (a convenience for small inputs; batches
    /// keep one [`Accumulator`] per thread instead). Exact mode's `values` are filled by the
    /// caller, in sample order.
    pub fn add_cells(&mut self, values: &[f64], binning: &Binning) {
        let mut acc = Accumulator::new(self.cells, binning);
        for sample in values.chunks_exact(self.cells) {
            acc.add(self, sample);
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

/// Per-thread scratch that adds samples to a [`Partial`] without allocating.
///
/// One pass over a sample's cells updates the extrema, adds the fixed-point values to 64-bit
/// tile sums (exactly the integers [`fixed`] gives, computed with the 1.5 · 2⁵² rounding trick
/// so the loop vectorises) and, in histogram mode, stores each cell's bin slot. Every [`TILE`]
/// samples (and at [`Accumulator::flush`]) the tile sums go into the 128-bit totals and the slots
/// into the histograms, [`GROUP`] cells at a time. Everything added is an integer or an extremum, so the
/// result does not depend on how samples are split between accumulators.
#[derive(Debug, Clone)]
pub struct Accumulator {
    cells: usize,
    /// Fixed-point sums of the current tile: at most [`TILE`] values below 2⁵¹ each.
    tile_sums: Vec<i64>,
    /// Histogram mode: bin slots of the current tile, `[sample × cell]`.
    slots: Vec<u8>,
    /// Samples in the current tile.
    filled: usize,
    /// Histogram mode: one block of the tile while it is counted, `[sample × cell of the block]`.
    block: Vec<u8>,
    /// Histogram mode: offset (1 − lower edge · reciprocal width) and reciprocal bin width per
    /// cell, for [`slot`].
    off: Vec<f64>,
    inv: Vec<f64>,
}

impl Accumulator {
    /// Scratch for `cells` cells counted as `binning` says.
    pub fn new(cells: usize, binning: &Binning) -> Accumulator {
        let (off, inv, slots) = match binning {
            Binning::Exact => (Vec::new(), Vec::new(), Vec::new()),
            Binning::Histogram { lo, width } => {
                let inv: Vec<f64> = width.iter().map(|w| 1.0 / w).collect();
                let off = lo
                    .iter()
                    .zip(&inv)
                    .map(|(lo, inv)| 1.0 - lo * inv)
                    .collect();
                (off, inv, vec![0; TILE * cells])
            }
        };
        let block = if slots.is_empty() {
            Vec::new()
        } else {
            vec![0; TILE * BLOCK]
        };
        Accumulator {
            cells,
            tile_sums: vec![0; cells],
            slots,
            filled: 0,
            block,
            off,
            inv,
        }
    }

    /// Adds one sample's cell values to `p` (its `count` and exact-mode `values` are the
    /// caller's).
    pub fn add(&mut self, p: &mut Partial, x: &[f64]) {
        let n = self.cells;
        assert_eq!(x.len(), n, "one value per cell");
        let (sums, min, max) = (&mut self.tile_sums[..n], &mut p.min[..n], &mut p.max[..n]);
        // one pass, all in vector lanes; `fast` says whether every value suited the 64-bit sums
        let mut fast = true;
        // the sum and extrema of one cell; true when the value suited the 64-bit sum
        #[inline(always)]
        fn update(v: f64, sum: &mut i64, min: &mut f64, max: &mut f64) -> bool {
            *sum = sum.wrapping_add(fixed_fast(v));
            *min = if v < *min { v } else { *min };
            *max = if v > *max { v } else { *max };
            v.abs() < FAST_LIMIT
        }
        if self.slots.is_empty() {
            for i in 0..n {
                fast &= update(x[i], &mut sums[i], &mut min[i], &mut max[i]);
            }
        } else {
            let row = &mut self.slots[self.filled * n..(self.filled + 1) * n];
            let (off, inv) = (&self.off[..n], &self.inv[..n]);
            for i in 0..n {
                fast &= update(x[i], &mut sums[i], &mut min[i], &mut max[i]);
                row[i] = slot(x[i], off[i], inv[i]);
            }
        }
        if !fast {
            // rare: huge or non-finite values; take the sample back out of the 64-bit sums
            // (wrapping arithmetic undoes exactly) and add it to the 128-bit ones
            for i in 0..n {
                sums[i] = sums[i].wrapping_sub(fixed_fast(x[i]));
                p.sums[i] += fixed(x[i]);
            }
        }
        self.filled += 1;
        if self.filled == TILE {
            self.flush(p);
        }
    }

    /// Moves the current tile into `p`'s sums and histograms.
    pub fn flush(&mut self, p: &mut Partial) {
        for (s, t) in p.sums.iter_mut().zip(&mut self.tile_sums) {
            *s += *t as i128;
            *t = 0;
        }
        if !self.slots.is_empty() && self.filled > 0 {
            let cells = self.cells;
            let slots = &self.slots[..self.filled * cells];
            let block = &mut self.block[..self.filled * BLOCK];
            // blocks of cells: each sample's slots of a block (a cache line of its row) are
            // copied into one piece of `block` (loads that do not wait for each other), then
            // counted group by group, the group's counts in the first-level cache
            let mut groups = p.hist.chunks_mut(GROUP * (BINS + 2)).enumerate().peekable();
            while let Some((g, counts)) = groups.next() {
                if let Some((_, next)) = groups.peek() {
                    prefetch(next);
                }
                let c0 = g * GROUP;
                let at = c0 % BLOCK;
                if at == 0 {
                    let rows = slots.chunks_exact(cells).zip(block.chunks_exact_mut(BLOCK));
                    if c0 + BLOCK <= cells {
                        // a fixed-size copy: a few vector moves, not a call
                        for (row, dst) in rows {
                            let src: &[u8; BLOCK] =
                                row[c0..c0 + BLOCK].try_into().expect("a full block");
                            *<&mut [u8; BLOCK]>::try_from(dst).expect("a block row") = *src;
                        }
                    } else {
                        for (row, dst) in rows {
                            dst[..cells - c0].copy_from_slice(&row[c0..]);
                        }
                    }
                }
                let width = GROUP.min(cells - c0);
                if width == GROUP {
                    let mut rows: [&mut [u32; BINS + 2]; GROUP] = {
                        let mut it = counts.chunks_exact_mut(BINS + 2);
                        std::array::from_fn(|_| {
                            it.next()
                                .and_then(|c| c.try_into().ok())
                                .expect("a full group")
                        })
                    };
                    for sample in block.chunks_exact(BLOCK) {
                        let sample: &[u8; GROUP] =
                            sample[at..at + GROUP].try_into().expect("a full group");
                        for (counts, &slot) in rows.iter_mut().zip(sample) {
                            counts[slot as usize] += 1;
                        }
                    }
                } else {
                    for sample in block.chunks_exact(BLOCK) {
                        for (j, &slot) in sample[at..at + width].iter().enumerate() {
                            counts[j * (BINS + 2) + slot as usize] += 1;
                        }
                    }
                }
            }
        }
        self.filled = 0;
    }
}

/// Cells whose histograms are counted together.
const GROUP: usize = 16;
/// Cells whose slots are copied out of the tile together: a cache line of each sample's row.
const BLOCK: usize = 64;

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
            for c in 0..cells {
                let counts = &p.hist[c * (BINS + 2)..(c + 1) * (BINS + 2)];
                if p.min[c] == p.max[c] {
                    for q in &mut quantiles {
                        q[c] = p.min[c];
                    }
                    continue;
                }
                for (q, (prob, _)) in QUANTILES.iter().enumerate() {
                    let h = (n - 1) as f64 * prob;
                    let k = h.floor() as u64;
                    let xk = ranked_from_hist(counts, lo[c], width[c], p.min[c], p.max[c], k);
                    let xk1 = ranked_from_hist(
                        counts,
                        lo[c],
                        width[c],
                        p.min[c],
                        p.max[c],
                        (k + 1).min(n - 1),
                    );
                    quantiles[q][c] = xk + (h - k as f64) * (xk1 - xk);
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
            acc.add(&mut p, &row);
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
}
