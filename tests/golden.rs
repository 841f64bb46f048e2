//! Golden outputs of the bundled scenarios.
//!
//! `tests/golden/results.csv` and `summary.csv` hold the expected `kymsim run` output. Numbers
//! are compared within 2e-6 absolute (the files carry 6 decimals) plus 1e-9 relative; text exactly.
//! Regenerate after an intended change with `KYMSIM_BLESS=1 cargo test --test golden`, and
//! review the diff before committing.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

const RTOL: f64 = 1e-9;
/// Outputs carry 6 decimals, so a change of summation order may move the last digit.
const ATOL: f64 = 2e-6;

fn compare(expected: &str, actual: &str, file: &str) {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    assert_eq!(e.len(), a.len(), "{file}: row count");
    for (i, (le, la)) in e.iter().zip(&a).enumerate() {
        let (fe, fa): (Vec<&str>, Vec<&str>) = (le.split(',').collect(), la.split(',').collect());
        assert_eq!(fe.len(), fa.len(), "{file}:{}: field count", i + 1);
        for (ce, ca) in fe.iter().zip(&fa) {
            match (ce.parse::<f64>(), ca.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!(
                    (x - y).abs() <= ATOL + RTOL * x.abs(),
                    "{file}:{}: expected {x}, got {y}\n{le}\n{la}",
                    i + 1
                ),
                _ => {
                    // the model column carries the version, which may move
                    if !ce.starts_with("kymsim ") {
                        assert_eq!(ce, ca, "{file}:{}", i + 1)
                    }
                }
            }
        }
    }
}

#[test]
fn bundled_scenarios_match_golden_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("kymsim")
        .args(["run", "-q", "--no-charts", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for file in ["results.csv", "summary.csv"] {
        let actual = std::fs::read_to_string(tmp.path().join(file)).unwrap();
        if std::env::var_os("KYMSIM_BLESS").is_some() {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(golden.join(file), &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(golden.join(file)).unwrap_or_else(|_| {
            panic!("no tests/golden/{file}: run with KYMSIM_BLESS=1 to create it")
        });
        compare(&expected, &actual, file);
    }
}
