//! Benchmarks of the evaluation kernel: one central evaluation per bundled scenario, and the
//! block kernel's throughput (Monte Carlo samples drawn and evaluated, variables included) per
//! block size on `programme`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kymsim::data::{DataSource, load_region};
use kymsim::engine::Workspace;
use kymsim::engine::block::BlockWorkspace;
use kymsim::engine::sampler::{Sampler, SamplerKind};
use kymsim::model::{Model, compile};
use kymsim::scenario::ScenarioLibrary;

fn central(c: &mut Criterion) {
    let region = load_region(&DataSource::Embedded).unwrap();
    let lib = ScenarioLibrary::bundled();
    let mut group = c.benchmark_group("central_evaluation");
    group.throughput(Throughput::Elements(1));
    for name in ["baseline", "programme", "neutral2040"] {
        let model = compile(&region, &lib.resolve(name).unwrap()).unwrap();
        // the central values and the same nudged by one part in 10⁹, in turns: every source
        // is recomputed each time (a workspace skips the sources whose parameters did not
        // change since it last computed them)
        let p = model.central();
        let q: Vec<f64> = p.iter().map(|x| x * (1.0 + 1e-9) + 1e-12).collect();
        let pair = [p.clone(), q];
        let mut ws = Workspace::new(&model);
        let mut turn = 0;
        group.bench_function(format!("{name}/kernel"), |b| {
            b.iter(|| {
                turn ^= 1;
                ws.evaluate(&model, std::hint::black_box(&pair[turn]));
                std::hint::black_box(ws.leaves_flat()[0])
            })
        });
        group.bench_function(format!("{name}/kernel+variables"), |b| {
            b.iter(|| alternate(&model, &mut ws, &pair, &mut turn))
        });
        // one measure's value moved and back, as a slider of the explorer does: only the
        // sources it reaches are recomputed
        if let Some(m) = model.measures.first() {
            let k = m.value.0;
            let mut moved = p.clone();
            moved[k] *= 0.5;
            let pair = [p.clone(), moved];
            group.bench_function(format!("{name}/one_measure_moved"), |b| {
                b.iter(|| alternate(&model, &mut ws, &pair, &mut turn))
            });
        }
    }
    group.finish();
}

/// Evaluates the other parameter set of `pair` than last time, variables included.
fn alternate(model: &Model, ws: &mut Workspace, pair: &[Vec<f64>; 2], turn: &mut usize) -> f64 {
    *turn ^= 1;
    ws.evaluate(model, std::hint::black_box(&pair[*turn]));
    ws.evaluate_variables(model);
    std::hint::black_box(ws.vars_flat()[0])
}

/// Samples per measured iteration: a multiple of every block size.
const SAMPLES: u64 = 256;

/// Draws and evaluates `SAMPLES` samples, `B` at a time.
fn blocks<const B: usize>(model: &Model, sampler: &Sampler, ws: &mut BlockWorkspace<B>) -> f64 {
    let mut sum = 0.0;
    for first in (0..SAMPLES).step_by(B) {
        ws.draw(model, sampler, first, B);
        sum += ws.vars_flat()[0];
    }
    sum
}

fn block_sizes(c: &mut Criterion) {
    let region = load_region(&DataSource::Embedded).unwrap();
    let lib = ScenarioLibrary::bundled();
    let model = compile(&region, &lib.resolve("programme").unwrap()).unwrap();
    let sampler = Sampler::new(&model, SamplerKind::MonteCarlo, 1, SAMPLES);
    let mut group = c.benchmark_group("block_kernel");
    group.throughput(Throughput::Elements(SAMPLES));
    macro_rules! size {
        ($b:literal) => {
            let mut ws = BlockWorkspace::<$b>::new(&model);
            group.bench_function(BenchmarkId::new("programme", $b), |b| {
                b.iter(|| blocks(&model, &sampler, &mut ws))
            });
        };
    }
    size!(1);
    size!(4);
    size!(8);
    size!(16);
    size!(32);
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = central, block_sizes
}
criterion_main!(benches);
