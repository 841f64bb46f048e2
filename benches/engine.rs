//! Benchmarks of the evaluation kernel: one central evaluation per bundled scenario.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kymsim::data::{DataSource, load_region};
use kymsim::engine::Workspace;
use kymsim::model::compile;
use kymsim::scenario::ScenarioLibrary;

fn central(c: &mut Criterion) {
    let region = load_region(&DataSource::Embedded).unwrap();
    let lib = ScenarioLibrary::bundled();
    let mut group = c.benchmark_group("central_evaluation");
    group.throughput(Throughput::Elements(1));
    for name in ["baseline", "programme", "neutral2040"] {
        let model = compile(&region, &lib.resolve(name).unwrap()).unwrap();
        let p = model.central();
        let mut ws = Workspace::new(&model);
        group.bench_function(format!("{name}/kernel"), |b| {
            b.iter(|| {
                ws.evaluate(&model, std::hint::black_box(&p));
                std::hint::black_box(ws.leaves[[0, 0]])
            })
        });
        group.bench_function(format!("{name}/kernel+variables"), |b| {
            b.iter(|| {
                ws.evaluate(&model, std::hint::black_box(&p));
                ws.evaluate_variables(&model);
                std::hint::black_box(ws.vars[[0, 0]])
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = central
}
criterion_main!(benches);
