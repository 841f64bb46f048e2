//! Batch statistics: mergeable, order-independent partial results and their final figures.
//!
//! A [`Partial`] covers a contiguous range of samples and holds only integers, extrema and
//! per-sample scalars, so partials merge exactly in any order: the result is the same for any
//! thread count, chunk size or sharding.
//!
//! Quantiles follow numpy's default (linear interpolation between order statistics). They are
//! exact when all values fit the memory budget ([`EXACT_LIMIT`] values: N × cells); above it,
//! each cell's values are counted in [`BINS`] equal bins over a range fixed by a pilot of the
//! first [`PILOT`] samples (widened by half its span, with exact under/overflow extrema), and the
//! order statistics are interpolated within their bin: the error is below one bin width,
//! 1/(2·BINS) of the pilot span. Means are exact sums in 2⁻³² fixed point.

use serde::{Deserialize, Serialize};

/// Above this many values (samples × cells), quantiles come from histograms.
pub const EXACT_LIMIT: u64 = 1 << 26;
/// Bins per cell in histogram mode.
pub const BINS: usize = 512;
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
            lo[c] -= 0.5 * span;
            width[c] = 2.0 * span / BINS as f64;
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

    /// Adds one sample's cell values to the sums, extrema and (histogram mode) counts.
    /// Exact mode's `values` are filled by the caller, in sample order.
    pub fn add_cells(&mut self, cells: &[f64], binning: &Binning) {
        self.add_block(cells, binning);
    }

    /// Adds a block of samples' cell values `[sample × cell]`, cell by cell so that each cell's
    /// histogram stays in cache while its values are counted.
    pub fn add_block(&mut self, block: &[f64], binning: &Binning) {
        let cells = self.cells;
        let k = block.len() / cells;
        for c in 0..cells {
            let (mut sum, mut lo_v, mut hi_v) = (0i128, self.min[c], self.max[c]);
            for s in 0..k {
                let x = block[s * cells + c];
                sum += (x * FIXED) as i64 as i128;
                lo_v = lo_v.min(x);
                hi_v = hi_v.max(x);
            }
            self.sums[c] += sum;
            self.min[c] = lo_v;
            self.max[c] = hi_v;
            if let Binning::Histogram { lo, width } = binning {
                let (l, inv) = (lo[c], 1.0 / width[c]);
                let hist = &mut self.hist[c * (BINS + 2)..(c + 1) * (BINS + 2)];
                for s in 0..k {
                    let b = (block[s * cells + c] - l) * inv;
                    let slot = if b < 0.0 {
                        0
                    } else if b >= BINS as f64 {
                        BINS + 1
                    } else {
                        b as usize + 1
                    };
                    hist[slot] += 1;
                }
            }
        }
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

/// numpy-linear quantiles of [`QUANTILES`] without a full sort: the needed order statistics are
/// selected in increasing rank order, each within the part of the slice above the previous one.
/// (The slice is reordered.)
pub fn select_quantiles(values: &mut [f64]) -> [f64; QUANTILES.len()] {
    let n = values.len();
    let mut out = [f64::NAN; QUANTILES.len()];
    if n == 0 {
        return out;
    }
    let mut from = 0;
    for (q, (prob, _)) in QUANTILES.iter().enumerate() {
        let h = (n - 1) as f64 * prob;
        let k = h.floor() as usize;
        if k >= from {
            values[from..].select_nth_unstable_by(k - from, f64::total_cmp);
            from = k;
        }
        let xk = values[k];
        let xk1 = if k + 1 < n {
            // the smallest value above rank k
            values[k + 1..]
                .iter()
                .copied()
                .min_by(f64::total_cmp)
                .unwrap_or(xk)
        } else {
            xk
        };
        out[q] = xk + (h - k as f64) * (xk1 - xk);
    }
    out
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
                    for s in 0..n {
                        let row = &p.values[s * cells + c0..s * cells + c0 + width];
                        for (j, &x) in row.iter().enumerate() {
                            columns[j * n + s] = x;
                        }
                    }
                    columns.chunks_mut(n).map(select_quantiles).collect()
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
        let mut v: Vec<f64> = (0..1001)
            .map(|i| ((i * 7919) % 1001) as f64 * 0.37)
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let got = select_quantiles(&mut v);
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
}
