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

mod accumulate;
mod quantiles;

pub use accumulate::{Accumulator, LEARN, TILE};
pub use quantiles::{CellStats, finish_cells, quantile_sorted, select_quantiles};

#[cfg(test)]
mod tests;
