//! Benchmarks of the batch statistics: an accumulator in histogram mode fed one sample at a
//! time against blocks of B samples in the sample-minor layout.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kymsim::engine::stats::{Accumulator, Binning, PILOT, Partial, TILE};

/// Cells of a realistic batch (variables × years), about 500 of them shared: every 14th from
/// cell 3 a constant, every 14th from cell 10 a repeat of the cell before it.
const CELLS: usize = 3500;
/// Distinct samples cycled through (one block of the largest B): the kernel's output is in cache.
const DISTINCT: usize = 32;
/// Samples added per iteration: two tiles.
const PER_ITER: usize = 2 * TILE;

/// Sample `s`'s value of cell `c`, below 2¹⁹ in magnitude (the 64-bit path).
fn value(s: usize, c: usize) -> f64 {
    match c % 14 {
        3 => 42.5,
        10 => value(s, c - 1),
        _ => {
            // splitmix64 of (s, c) scaled into [−500, 500)
            let mut z = (s as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ (c as u64).wrapping_mul(0xBF58_476D);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64 * 1000.0 - 500.0
        }
    }
}

/// An accumulator that has learned its shared cells, with histogram ranges from a pilot.
fn learned() -> Accumulator {
    let pilot: Vec<f64> = (0..PILOT as usize)
        .flat_map(|s| (0..CELLS).map(move |c| value(s, c)))
        .collect();
    let binning = Binning::from_pilot(&pilot, CELLS);
    let mut acc = Accumulator::new(CELLS, &binning);
    for sample in pilot.chunks_exact(CELLS).take(64) {
        acc.add(sample);
    }
    let mut p = Partial::new(0, CELLS, &binning);
    acc.flush(&mut p);
    acc
}

/// Blocks of B samples, `[cell × B]` each, over the distinct samples.
fn blocks<const B: usize>() -> Vec<Vec<f64>> {
    (0..DISTINCT / B)
        .map(|k| {
            (0..CELLS)
                .flat_map(|c| (0..B).map(move |b| value(k * B + b, c)))
                .collect()
        })
        .collect()
}

fn bench_blocks<const B: usize>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
) {
    let blocks = blocks::<B>();
    let mut acc = learned();
    group.bench_function(format!("add_block::<{B}>"), |b| {
        b.iter(|| {
            for block in blocks.iter().cycle().take(PER_ITER / B) {
                acc.add_block::<B>(std::hint::black_box(block), B);
            }
        })
    });
}

fn accumulate(c: &mut Criterion) {
    let mut group = c.benchmark_group("accumulator_3500_cells");
    group.throughput(Throughput::Elements(PER_ITER as u64));
    let rows: Vec<Vec<f64>> = (0..DISTINCT)
        .map(|s| (0..CELLS).map(|c| value(s, c)).collect())
        .collect();
    let mut acc = learned();
    group.bench_function("add", |b| {
        b.iter(|| {
            for row in rows.iter().cycle().take(PER_ITER) {
                acc.add(std::hint::black_box(row));
            }
        })
    });
    bench_blocks::<4>(&mut group);
    bench_blocks::<8>(&mut group);
    bench_blocks::<16>(&mut group);
    bench_blocks::<32>(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = accumulate
}
criterion_main!(benches);
