//! Benchmarks of the explorer's answer to a slider move: `Explorer::evaluate` on `programme`
//! with two measures changed (a value and a completion year), each time at settings not asked
//! before (the slider's case: nothing cached), at the last settings again (cached) and as
//! written. docs/serve.md reports the figures.

use std::collections::BTreeMap;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kymsim::data::{DataSource, load_region};
use kymsim::model::compile;
use kymsim::scenario::ScenarioLibrary;
use kymsim::serve::{Explorer, ExplorerOptions, Override, Request};

fn explorer() -> Explorer {
    let region = load_region(&DataSource::Embedded).unwrap();
    let library = ScenarioLibrary::bundled();
    let compiled = library
        .names()
        .map(|n| {
            let sc = library.resolve(n).unwrap();
            let model = compile(&region, &sc).unwrap();
            (sc, model)
        })
        .collect();
    Explorer::new(
        region,
        library,
        compiled,
        ExplorerOptions {
            seed: 2040,
            permutations: 2000,
            background_threads: 1,
        },
    )
    .unwrap()
}

/// `programme` with port electrification at `value` by 2030 and rail freight at 0.15.
fn request(value: f64) -> Request {
    let mut overrides = BTreeMap::new();
    overrides.insert(
        "port_electrification".to_string(),
        Override {
            value: Some(value),
            full: Some(2030.0),
        },
    );
    overrides.insert(
        "rail_freight_shift".to_string(),
        Override {
            value: Some(0.15),
            full: None,
        },
    );
    Request {
        scenario: "programme".into(),
        overrides,
        attribution: false,
        name: None,
        samples: None,
        seed: None,
    }
}

fn evaluate(c: &mut Criterion) {
    let explorer = explorer();
    let mut group = c.benchmark_group("explorer_evaluate");
    group.throughput(Throughput::Elements(1));
    // 10,000 distinct values in turn: far more than the explorer's caches keep
    let fresh: Vec<Request> = (0..10_000)
        .map(|i| request(f64::from(i + 1) / 10_002.0))
        .collect();
    let mut turn = 0;
    group.bench_function("programme/new_setting", |b| {
        b.iter(|| {
            turn = (turn + 1) % fresh.len();
            let ev = explorer.evaluate(&fresh[turn]).unwrap();
            std::hint::black_box(ev.summary.net_kt)
        })
    });
    let recent = request(0.9);
    group.bench_function("programme/recent_setting", |b| {
        b.iter(|| std::hint::black_box(explorer.evaluate(&recent).unwrap().summary.net_kt))
    });
    let written = Request {
        overrides: BTreeMap::new(),
        ..request(0.9)
    };
    group.bench_function("programme/as_written", |b| {
        b.iter(|| std::hint::black_box(explorer.evaluate(&written).unwrap().summary.net_kt))
    });
    group.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
