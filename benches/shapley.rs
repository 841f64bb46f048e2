//! Exact Shapley attribution of 14 measures over all years: 2^14 = 16,384 model evaluations.
//!
//! The measures are generated from the region's emission sources (two activity or efficiency
//! cuts per source, so that they interact), for the embedded region and the tiny test region.
//! `KYMSIM_BENCH_DATA=DIR` benchmarks another region folder as well.

use std::path::Path;

use criterion::{Criterion, Throughput};
use kymsim::data::{DataSource, Region, SourceKind, load_region};
use kymsim::decision::{ShapleyOptions, attribute};
use kymsim::model::{Model, compile};
use kymsim::scenario::ScenarioLibrary;

/// A scenario of `n` measures on the region's first emission sources, two per source.
fn scenario_toml(region: &Region, n: usize) -> String {
    let sources: Vec<&str> = region
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Emission)
        .map(|s| s.id.as_str())
        .collect();
    let mut s = String::from("description = \"benchmark: generated measures\"\n");
    for i in 0..n {
        let source = sources[(i / 2) % sources.len()];
        let uses_energy = region
            .sources
            .iter()
            .any(|x| x.id == source && x.intensity > 0.0);
        let kind = if i % 2 == 1 && uses_energy {
            "efficiency"
        } else {
            "activity"
        };
        s.push_str(&format!(
            "\n[[measures]]\nid = \"m{i}\"\npillar = \"other\"\nkind = \"{kind}\"\n\
             targets = [\"{source}\"]\nvalue = {}\n\
             adoption = {{ curve = \"logistic\", start = {}, full = {} }}\n",
            0.1 + 0.02 * i as f64,
            region.base_year + 1,
            region.base_year + 5 + (i % 10) as i32
        ));
    }
    s
}

fn model(region: &Region, n: usize) -> Model {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bench.toml"), scenario_toml(region, n)).unwrap();
    let sc = ScenarioLibrary::from_dir(dir.path())
        .unwrap()
        .resolve("bench")
        .unwrap();
    compile(region, &sc).unwrap()
}

fn bench(c: &mut Criterion) {
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    let mut regions = vec![
        ("embedded", load_region(&DataSource::Embedded).unwrap()),
        ("tiny", load_region(&DataSource::Dir(tiny)).unwrap()),
    ];
    if let Some(dir) = std::env::var_os("KYMSIM_BENCH_DATA") {
        let dir = std::path::PathBuf::from(dir);
        regions.push(("data", load_region(&DataSource::Dir(dir)).unwrap()));
    }
    let mut group = c.benchmark_group("shapley_exact_14");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1 << 14));
    for (name, region) in &regions {
        let m = model(region, 14);
        let p = m.central();
        let opts = ShapleyOptions::default();
        group.bench_function(format!("{name}_{}_years", m.ny), |b| {
            b.iter(|| attribute(&m, &p, &opts))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("shapley_sampled_20");
    group.sample_size(10);
    let (name, region) = &regions[0];
    let m = model(region, 20);
    let p = m.central();
    let opts = ShapleyOptions::default();
    // 2000 permutations × 20 measures
    group.throughput(Throughput::Elements(2000 * 20));
    group.bench_function(format!("{name}_{}_years", m.ny), |b| {
        b.iter(|| attribute(&m, &p, &opts))
    });
    group.finish();
}

fn main() {
    // criterion's own plotters would need a registered font: no plots
    let mut c = Criterion::default().without_plots().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
