//! The final figures of a [`Partial`]: exact quantiles by selection, histogram quantiles by
//! interpolation within a bin, means from the fixed-point sums.

use super::{BINS, Binning, FIXED, Partial, QUANTILES};

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
pub(super) fn key(x: f64) -> i64 {
    flip(x.to_bits() as i64)
}

/// The float whose [`key`] this is.
pub(super) fn unkey(k: i64) -> f64 {
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
