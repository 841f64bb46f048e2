//! The command line: each command, determinism of the outputs, exit codes.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

fn kymsim() -> assert_cmd::Command {
    cargo_bin_cmd!("kymsim")
}

#[test]
fn run_writes_results_summary_manifest_identically_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        kymsim()
            .args(["run", "--no-charts", "--out"])
            .arg(out)
            .assert()
            .success()
            .stdout(predicate::str::contains("neutral2040"));
    }
    for f in ["results.csv", "summary.csv"] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(!x.is_empty());
        assert_eq!(x, y, "{f} differs between identical runs");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["region"], "Kymenlaakso");
    assert_eq!(manifest["scenarios"].as_array().unwrap().len(), 3);
    let inputs = manifest["inputs"].as_array().unwrap();
    assert!(
        inputs
            .iter()
            .any(|i| i["path"] == "embedded:data/kymenlaakso/sources.csv")
    );
    assert!(
        inputs
            .iter()
            .all(|i| i["sha256"].as_str().unwrap().len() == 64)
    );
    let results = std::fs::read_to_string(a.join("results.csv")).unwrap();
    assert!(results.starts_with("model,scenario,region,variable,unit,2021,"));
    assert!(results.lines().next().unwrap().ends_with(",2050"));
    // no temporary files left behind
    let names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn run_one_scenario_by_name_and_by_file() {
    let tmp = tempfile::tempdir().unwrap();
    kymsim()
        .args(["run", "baseline", "-q", "--no-charts", "--out"])
        .arg(tmp.path())
        .assert()
        .success()
        .stdout("");
    let summary = std::fs::read_to_string(tmp.path().join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 2);
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/programme.toml");
    kymsim()
        .args(["run", file, "-q", "--no-charts", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    let summary = std::fs::read_to_string(tmp.path().join("summary.csv")).unwrap();
    assert!(
        summary
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("programme,2040,")
    );
}

#[test]
fn require_target_exits_1_when_missed() {
    let tmp = tempfile::tempdir().unwrap();
    kymsim()
        .args([
            "run",
            "baseline",
            "-q",
            "--no-charts",
            "--require-target",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .code(1);
    // a scenario that meets the target: neutral2040 with 400 kt/yr of removals from 2030
    let met = tmp.path().join("met.toml");
    std::fs::write(
        &met,
        "extends = \"neutral2040\"\n[[measures]]\nid = \"dac\"\npillar = \"other\"\nkind = \"removal\"\nsector = \"DACCS\"\nvalue = 400\nadoption = { curve = \"step\", year = 2030 }\n",
    )
    .unwrap();
    kymsim()
        .args(["run", "-q", "--no-charts", "--require-target", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&met)
        .assert()
        .code(0);
}

#[test]
fn unknown_scenario_is_exit_2_with_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    kymsim()
        .args(["run", "basline", "--out"])
        .arg(tmp.path().join("o"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no scenario named `basline`")
                .and(predicate::str::contains("did you mean `baseline`?")),
        );
    assert!(!tmp.path().join("o").exists());
}

#[test]
fn validate_shows_calibration() {
    kymsim().arg("validate").assert().success().stdout(
        predicate::str::contains("base-year calibration (2021)")
            .and(predicate::str::contains("scenario neutral2040")),
    );
}

#[test]
fn list_commands() {
    kymsim()
        .args(["list", "sources"])
        .assert()
        .success()
        .stdout(predicate::str::contains("transport.road.cars"));
    kymsim()
        .args(["list", "carriers"])
        .assert()
        .success()
        .stdout(predicate::str::contains("electricity"));
    kymsim()
        .args(["list", "scenarios"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("programme")
                .and(predicate::str::contains("(extends baseline)")),
        );
    kymsim()
        .args(["list", "measures"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(inherited)"));
    kymsim().args(["list", "things"]).assert().code(2);
}

#[test]
fn help_and_version_exit_0_and_document_exit_codes() {
    kymsim()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
    kymsim().arg("--version").assert().success();
    kymsim().assert().code(2);
}
