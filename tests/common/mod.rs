//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kymsim::data::{DataSource, Region, load_region};
use kymsim::engine::{CentralResult, run_central};
use kymsim::model::{Model, compile};
use kymsim::scenario::ScenarioLibrary;

/// The tiny hand-computable dataset.
pub fn tiny_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny")
}

/// Loads the tiny dataset.
pub fn tiny() -> Region {
    load_region(&DataSource::Dir(tiny_dir())).unwrap()
}

/// Writes scenarios into a temp folder and returns it with the library.
pub fn scenarios(files: &[(&str, &str)]) -> (tempfile::TempDir, ScenarioLibrary) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    let lib = ScenarioLibrary::from_dir(dir.path()).unwrap();
    (dir, lib)
}

/// Compiles and runs one scenario text against the tiny dataset.
pub fn run_tiny(text: &str) -> (Model, CentralResult) {
    let (_d, lib) = scenarios(&[("s", text)]);
    let m = compile(&tiny(), &lib.resolve("s").unwrap()).unwrap();
    let r = run_central(&m);
    (m, r)
}

/// A variable's row.
pub fn var<'a>(m: &Model, r: &'a CentralResult, name: &str) -> &'a [f64] {
    let v = m
        .variables
        .index(name)
        .unwrap_or_else(|| panic!("no variable {name}"));
    &r.vars[v * m.ny..(v + 1) * m.ny]
}

/// The error message of compiling a scenario against the tiny dataset.
pub fn tiny_error(text: &str) -> kymsim::InputError {
    let (_d, lib) = scenarios(&[("s", text)]);
    let err = match lib.resolve("s") {
        Ok(sc) => compile(&tiny(), &sc).expect_err("expected an error"),
        Err(e) => e,
    };
    match err {
        kymsim::Error::Input(e) => *e,
        other => panic!("expected an input error, got {other}"),
    }
}

/// Asserts two floats agree to 1e-9 relative.
pub fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} != {b}");
}

/// Writes `batch/identity.json` and `sensitivity-identity.json` into `out`, recording the
/// inputs of a run of `scenarios` on `data`: hand-made batch and sensitivity files placed in
/// `out` then count as computed from those inputs, and `run`/`plot` draw them.
pub fn record_derived_inputs(out: &Path, data: &Path, scenarios: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    assert_cmd::cargo::cargo_bin_cmd!("kymsim")
        .args(["run", "-q", "--no-charts", "--data"])
        .arg(data)
        .arg("--scenarios")
        .arg(scenarios)
        .arg("--out")
        .arg(tmp.path())
        .assert()
        .success();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("manifest.json")).unwrap()).unwrap();
    let identity = serde_json::json!({ "inputs": manifest["inputs"] }).to_string();
    std::fs::create_dir_all(out.join("batch")).unwrap();
    std::fs::write(out.join("batch/identity.json"), &identity).unwrap();
    std::fs::write(out.join("sensitivity-identity.json"), &identity).unwrap();
}

/// Why the browser tests (Playwright driving Debian's Chromium from tests/browser) cannot run
/// here, or None when they can.
pub fn browser_missing() -> Option<String> {
    let browser_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !std::path::Path::new("/usr/bin/chromium").is_file()
        && std::env::var_os("CHROMIUM").is_none()
    {
        return Some("chromium is not installed (apt-get install -y chromium)".into());
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node is not installed (apt-get install -y nodejs npm)".into());
    }
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        return Some("playwright-core is not installed (cd tests/browser && npm ci)".into());
    }
    None
}
