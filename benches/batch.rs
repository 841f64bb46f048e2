//! Batch throughput: samples per second for each bundled scenario with 1 and 2 threads,
//! statistics included (exact quantiles at 4,096 samples; histograms at 40,960), and for
//! `programme` at 409,600 samples, where the per-batch setup and the final quantiles weigh
//! little: the rate of a large batch.

use std::sync::atomic::AtomicBool;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kymsim::data::{DataSource, load_region};
use kymsim::engine::batch::{BatchOptions, binning, run_batch};
use kymsim::engine::sampler::SamplerKind;
use kymsim::engine::stats::finish_cells;
use kymsim::model::compile;
use kymsim::scenario::ScenarioLibrary;

fn batches(c: &mut Criterion) {
    let region = load_region(&DataSource::Embedded).unwrap();
    let lib = ScenarioLibrary::bundled();
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    for name in ["baseline", "programme", "neutral2040"] {
        let model = compile(&region, &lib.resolve(name).unwrap()).unwrap();
        let sizes: &[u64] = if name == "programme" {
            &[4_096, 40_960, 409_600]
        } else {
            &[4_096, 40_960]
        };
        for &samples in sizes {
            let opts = BatchOptions::new(samples, SamplerKind::MonteCarlo, 1);
            let bins = binning(&model, &opts);
            group.throughput(Throughput::Elements(samples));
            for threads in [1usize, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let id = BenchmarkId::new(format!("{name}/{samples}"), format!("{threads}t"));
                group.bench_function(id, |b| {
                    b.iter(|| {
                        pool.install(|| {
                            let p = run_batch(&model, &opts, &bins, &cancel, &|_| {}).unwrap();
                            finish_cells(&p, &bins)
                        })
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = batches
}
criterion_main!(benches);
