//! Speed of `kymsim check`: comparing two result folders of ~100 MB each.
//!
//! The folders are generated once into a temp dir: 400 scenarios × 600 variables × 31 years
//! (2020–2050) of IAMC wide CSV, numbers with up to 6 decimals as kymsim writes them. The
//! actual side holds the same rows in another order with one cell changed, so that every row
//! goes through the key lookup and the report has one difference. Target: under 2 s.

use std::fmt::Write as _;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kymsim::check::{Tolerances, compare_dirs};

const SCENARIOS: usize = 400;
const VARIABLES: usize = 600;
const YEARS: std::ops::RangeInclusive<i32> = 2020..=2050;

/// Writes `results.csv` into `dir`; `reverse` writes the scenarios in reverse order, `perturb`
/// changes one cell. Returns the file size.
fn generate(dir: &Path, reverse: bool, perturb: bool) -> u64 {
    let mut t = String::with_capacity(110 << 20);
    t.push_str("model,scenario,region,variable,unit");
    for y in YEARS {
        let _ = write!(t, ",{y}");
    }
    t.push('\n');
    let scenarios: Vec<usize> = if reverse {
        (0..SCENARIOS).rev().collect()
    } else {
        (0..SCENARIOS).collect()
    };
    for s in scenarios {
        for v in 0..VARIABLES {
            let _ = write!(
                t,
                "kymsim 0.1.0,scenario_{s:03},Kymenlaakso,Emissions|Kyoto Gases|Sector {}|Source {v},kt CO2e/yr",
                v / 20
            );
            for (j, _) in YEARS.enumerate() {
                // deterministic values with 6 decimals, like fmt_num
                let mut x = 1000.0 + (s * 7 + v * 13) as f64 * 0.123_457 - j as f64 * 3.25;
                if perturb && s == 123 && v == 456 && j == 10 {
                    x += 0.5;
                }
                let _ = write!(t, ",{x:.6}");
            }
            t.push('\n');
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("results.csv"), &t).unwrap();
    t.len() as u64
}

fn bench_compare(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let (e, a) = (tmp.path().join("expected"), tmp.path().join("actual"));
    let bytes = generate(&e, false, false) + generate(&a, true, true);
    let tol = Tolerances::default();
    let report = compare_dirs(&e, &a, &tol).unwrap();
    assert_eq!(report.cells_failed, 1);
    assert_eq!(
        report.cells_compared,
        (SCENARIOS * VARIABLES * YEARS.count()) as u64
    );

    let mut g = c.benchmark_group("check");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(20));
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("compare_dirs_2x100MB", |b| {
        b.iter(|| compare_dirs(&e, &a, &tol).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // no plots: criterion's plotters would need a registered font
    config = Criterion::default().without_plots();
    targets = bench_compare
}
criterion_main!(benches);
