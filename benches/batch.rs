//! Batch throughput: samples per second for each bundled scenario with 1 and 2 threads,
//! statistics included (exact quantiles at 4,096 samples; histograms at 40,960).

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
        for samples in [4_096u64, 40_960] {
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
