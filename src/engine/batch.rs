//! Monte Carlo batches: samples evaluated in parallel into mergeable statistics.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::block::{BLOCK, BlockWorkspace};
use super::sampler::{Sampler, SamplerKind};
use super::stats::{Accumulator, Binning, EXACT_LIMIT, NEVER, PILOT, Partial};
use super::{TotalRows, Workspace, reported_met, summarize};
use crate::error::{Error, InputError, Result};
use crate::model::Model;

/// What to sample.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Samples in the whole batch (N).
    pub samples: u64,
    /// Sampler.
    pub sampler: SamplerKind,
    /// Seed.
    pub seed: u64,
    /// The samples to compute (all, or one shard's).
    pub range: Range<u64>,
    /// Samples per parallel work item.
    pub chunk: usize,
    /// Quantiles are exact up to this many values (samples × cells), else from histograms.
    pub exact_limit: u64,
}

impl BatchOptions {
    /// All `samples` samples, chunks of 256.
    pub fn new(samples: u64, sampler: SamplerKind, seed: u64) -> BatchOptions {
        BatchOptions {
            samples,
            sampler,
            seed,
            range: 0..samples,
            chunk: 256,
            exact_limit: EXACT_LIMIT,
        }
    }
}

/// Draws sample `i` into `p` and evaluates it into `ws` (model and output variables): the one
/// sample → evaluate step of every loop over samples (statistics, pilot, kept samples,
/// discovery).
#[inline]
pub fn evaluate_sample(
    model: &Model,
    sampler: &Sampler,
    i: u64,
    ws: &mut Workspace,
    p: &mut [f64],
) {
    sampler.fill(i, p);
    ws.evaluate(model, p);
    ws.evaluate_variables(model);
}

/// The first lane among `0..lanes` of an evaluated block whose driver went negative or whose
/// variables are not finite or implausibly large (`lane` is scratch for one sample's variables).
fn first_bad_lane<const B: usize>(
    model: &Model,
    ws: &BlockWorkspace<B>,
    lanes: usize,
    limit: f64,
    lane: &mut [f64],
) -> Option<usize> {
    // padding lanes repeat lane 0: the whole block passing means every lane passes
    if ws.bad_driver_lane(model, B).is_none() && all_finite_below(ws.vars_flat(), limit) {
        return None;
    }
    let driver = ws.bad_driver_lane(model, lanes);
    (0..lanes).find(|&b| {
        driver == Some(b) || {
            ws.lane_vars(b, lane);
            !all_finite_below(lane, limit)
        }
    })
}

/// Number of statistic cells (variables × years) of a model.
pub fn cells(model: &Model) -> usize {
    model.variables.vars.len() * model.ny
}

/// How quantiles will be computed for a batch of `samples` samples: exact when the values fit
/// [`EXACT_LIMIT`], else histograms over ranges from a pilot of the first [`PILOT`] samples.
pub fn binning(model: &Model, opts: &BatchOptions) -> Binning {
    let cells = cells(model);
    if opts.samples.saturating_mul(cells as u64) <= opts.exact_limit {
        return Binning::Exact;
    }
    let sampler = Sampler::new(model, opts.sampler, opts.seed, opts.samples);
    let pilot_n = PILOT.min(opts.samples) as usize;
    let mut pilot = vec![0.0; pilot_n * cells];
    pilot
        .par_chunks_mut(BLOCK * cells)
        .enumerate()
        .for_each_init(
            || BlockWorkspace::<BLOCK>::new(model),
            |ws, (k, out)| {
                let lanes = out.len() / cells;
                ws.draw(model, &sampler, (k * BLOCK) as u64, lanes);
                for (b, out) in out.chunks_exact_mut(cells).enumerate() {
                    ws.lane_vars(b, out);
                }
            },
        );
    Binning::from_pilot(&pilot, cells)
}

/// The error for sample `i`, whose driver went negative or whose result is not finite: the
/// driver or variable and year, and the values
/// the sample drew for each uncertain parameter.
fn non_finite_sample(model: &Model, sampler: &Sampler, i: u64) -> InputError {
    let mut p = model.central();
    let mut ws = Workspace::new(model);
    evaluate_sample(model, sampler, i, &mut ws, &mut p);
    let what = match (
        ws.bad_driver(model),
        super::first_implausible(model, ws.vars_flat()),
    ) {
        (Some((d, y)), _) => format!(
            "driver `{}` becomes negative in {}",
            model.drivers[d].id,
            model.base_year + y as i32
        ),
        (None, Some((var, year, what))) => format!("`{var}` in {year} is {what}"),
        (None, None) => "the result is not finite".into(),
    };
    let drawn: Vec<String> = model
        .uncertain_params()
        .into_iter()
        .map(|k| format!("{} = {}", model.params[k].name, p[k]))
        .collect();
    InputError::new(format!(
        "scenario `{}`, sample {i}: {what}; the sample drew {}",
        model.scenario,
        drawn.join(", ")
    ))
    .hint("narrow the distributions of these parameters so that every draw gives a meaningful model (no negative driver, no overflow)")
}

/// Evaluates the samples of `opts.range` in parallel. `progress` is called with the number of
/// samples finished after each chunk; `cancel` stops the work (→ [`Error::Interrupted`]).
pub fn run_batch(
    model: &Model,
    opts: &BatchOptions,
    binning: &Binning,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Partial> {
    let cells = cells(model);
    let n = (opts.range.end - opts.range.start) as usize;
    let chunk = opts.chunk.max(1);
    let sampler = Sampler::new(model, opts.sampler, opts.seed, opts.samples);
    let rows = TotalRows::of(model);
    let exact = matches!(binning, Binning::Exact);
    let stride = if exact { cells } else { 1 };

    let mut net = vec![0.0; n];
    let mut neutrality = vec![0u16; n];
    let mut values = vec![0.0; n * stride];
    let base = model.base_year;
    let first = opts.range.start;

    // one worker per thread, each with one workspace and one accumulator for its whole life,
    // taking chunks from a shared queue until none are left: no thread waits for another's
    // large piece at the end. The statistics merge exactly in any order, and each chunk's
    // per-sample figures land at its own place, so the result is the same for any thread count.
    let queue = Mutex::new(
        net.chunks_mut(chunk)
            .zip(neutrality.chunks_mut(chunk))
            .zip(values.chunks_mut(chunk * stride))
            .enumerate(),
    );
    // the first sample (lowest index) whose result is not finite or implausibly large
    let limit = crate::data::MAX_ABS_VALUE;
    let bad: Mutex<Option<u64>> = Mutex::new(None);
    let workers = rayon::current_num_threads().min(n.div_ceil(chunk)).max(1);
    let partials: Vec<Partial> = (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut ws = BlockWorkspace::<BLOCK>::new(model);
            let mut acc = Partial::new(first, cells, binning);
            acc.reported_met = vec![0; model.criteria.reported().count()];
            let mut scratch = Accumulator::new(cells, binning);
            let mut lane = vec![0.0; cells];
            let total_rows = rows.in_lane_order();
            let mut totals = vec![0.0; total_rows.len() * model.ny];
            let lane_rows = TotalRows::LANE;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some((ci, ((net_c, neut_c), val_c))) = next else {
                    break;
                };
                let start = first + (ci * chunk) as u64;
                // chunks leave the queue in sample order: once a sample failed, later chunks
                // cannot hold an earlier failure, so they are skipped
                if bad
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .is_some_and(|b| b < start)
                {
                    break;
                }
                for k0 in (0..net_c.len()).step_by(BLOCK) {
                    let lanes = BLOCK.min(net_c.len() - k0);
                    ws.draw(model, &sampler, start + k0 as u64, lanes);
                    if let Some(b) = first_bad_lane(model, &ws, lanes, limit, &mut lane) {
                        let mut bad = bad.lock().unwrap_or_else(|e| e.into_inner());
                        let i = start + (k0 + b) as u64;
                        *bad = Some(bad.map_or(i, |b| b.min(i)));
                        break;
                    }
                    scratch.add_block::<BLOCK>(ws.vars_flat(), lanes);
                    for b in 0..lanes {
                        let k = k0 + b;
                        if exact {
                            ws.lane_vars(b, &mut val_c[k * cells..(k + 1) * cells]);
                        }
                        ws.gather_vars(b, &total_rows, &mut totals);
                        let s = summarize(model, lane_rows, &totals);
                        net_c[k] = s.net_kt;
                        neut_c[k] = s.neutrality_year.map_or(NEVER, |y| (y - base) as u16);
                        acc.gross_met += u64::from(s.gross_met.unwrap_or(true));
                        acc.net_met += u64::from(s.net_zero_met.unwrap_or(true));
                        acc.target_met += u64::from(s.target_met);
                        for (n, met) in acc
                            .reported_met
                            .iter_mut()
                            .zip(reported_met(model, lane_rows, &totals))
                        {
                            *n += u64::from(met);
                        }
                    }
                }
                progress(net_c.len() as u64);
            }
            scratch.flush(&mut acc);
            acc
        })
        .collect();
    let mut partials = partials.into_iter();
    let mut acc = partials
        .next()
        .unwrap_or_else(|| Partial::new(first, cells, binning));
    for p in partials {
        acc.merge_accumulators(&p);
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    if let Some(i) = bad.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(non_finite_sample(model, &sampler, i).into());
    }
    acc.count = n as u64;
    acc.net_target = net;
    acc.neutrality = neutrality;
    if exact {
        acc.values = values;
    }
    Ok(acc)
}

/// Every sample's drawn inputs and target verdict, for scenario discovery.
#[derive(Debug, Clone)]
pub struct SampleOutcomes {
    /// The model parameter indices of the inputs (columns), in draw order.
    pub params: Vec<usize>,
    /// Drawn values, `[sample × params.len()]`.
    pub inputs: Vec<f64>,
    /// Whether each sample meets the target (every criterion).
    pub target_met: Vec<bool>,
    /// Target-year net emissions of each sample, kt.
    pub net_kt: Vec<f64>,
}

/// Evaluates the samples of `opts.range` in parallel like [`run_batch`] (same sampler, so sample
/// i has the same inputs as in a batch of the same seed, N and sampler), keeping each sample's
/// drawn inputs and verdict instead of statistics. The result does not depend on the thread
/// count: every sample writes its own slots.
pub fn sample_outcomes(
    model: &Model,
    opts: &BatchOptions,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SampleOutcomes> {
    let sampler = Sampler::new(model, opts.sampler, opts.seed, opts.samples);
    let params: Vec<usize> = sampler.param_indices().collect();
    let k = params.len();
    let n = (opts.range.end - opts.range.start) as usize;
    let chunk = opts.chunk.max(1);
    let rows = TotalRows::of(model);
    let first = opts.range.start;
    let mut inputs = vec![0.0; n * k];
    let mut target_met = vec![false; n];
    let mut net_kt = vec![0.0; n];
    let total_rows = rows.in_lane_order();
    inputs
        .par_chunks_mut((chunk * k).max(1))
        .zip(target_met.par_chunks_mut(chunk))
        .zip(net_kt.par_chunks_mut(chunk))
        .enumerate()
        .for_each_init(
            || {
                (
                    BlockWorkspace::<BLOCK>::new(model),
                    vec![0.0; total_rows.len() * model.ny],
                )
            },
            |(ws, totals), (ci, ((in_c, met_c), net_c))| {
                if cancel.load(Ordering::Relaxed) {
                    return;
                }
                let start = first + (ci * chunk) as u64;
                for s0 in (0..met_c.len()).step_by(BLOCK) {
                    let lanes = BLOCK.min(met_c.len() - s0);
                    ws.draw(model, &sampler, start + s0 as u64, lanes);
                    for b in 0..lanes {
                        let s = s0 + b;
                        let p = ws.lane(b);
                        for (x, &j) in in_c[s * k..(s + 1) * k].iter_mut().zip(&params) {
                            *x = p[j];
                        }
                        ws.gather_vars(b, &total_rows, totals);
                        let summary = summarize(model, TotalRows::LANE, totals);
                        met_c[s] = summary.target_met;
                        net_c[s] = summary.net_kt;
                    }
                }
                progress(met_c.len() as u64);
            },
        );
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    Ok(SampleOutcomes {
        params,
        inputs,
        target_met,
        net_kt,
    })
}

/// Whether every value is finite and below `limit` in magnitude. A lane-wise sum of |x| decides
/// at vector speed (every |x| is at most that sum; a NaN or infinity makes it non-finite); the
/// exact per-value test runs only when the sum is not clearly below the limit.
pub(crate) fn all_finite_below(xs: &[f64], limit: f64) -> bool {
    const LANES: usize = 8;
    let mut acc = [0.0f64; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x.abs();
        }
    }
    let total: f64 = acc.iter().sum::<f64>() + rest.iter().map(|x| x.abs()).sum::<f64>();
    if total.is_finite() && total < limit {
        return true;
    }
    xs.iter().all(|x| x.is_finite() && x.abs() < limit)
}

#[cfg(test)]
mod finite_tests {
    use super::all_finite_below;

    #[test]
    fn finite_check_agrees_with_the_per_value_test() {
        // 1e15 limit: the sum of 20 values of 6e14 passes 1e15 although each is below it
        let big = vec![6e14; 20];
        assert!(all_finite_below(&big, 1e15));
        let mut v: Vec<f64> = (0..37).map(|i| i as f64 - 18.0).collect();
        assert!(all_finite_below(&v, 1e15));
        v[3] = f64::NAN;
        assert!(!all_finite_below(&v, 1e15));
        v[3] = f64::NEG_INFINITY;
        assert!(!all_finite_below(&v, 1e15));
        // in the remainder after the 8-lane chunks
        v[3] = 0.0;
        v[36] = 2e15;
        assert!(!all_finite_below(&v, 1e15));
        v[36] = -1e15;
        assert!(!all_finite_below(&v, 1e15));
    }
}
