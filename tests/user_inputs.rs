//! What a user edits is what runs: scenario folders found in the working directory or the
//! dataset, the line saying where the inputs come from, derived files drawn only while their
//! recorded inputs match, and files of earlier runs removed only when a manifest listed them.
//!
//! Numbers are compared between runs, never against the Kymenlaakso data's values.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

fn kymsim_in(cwd: &Path) -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.current_dir(cwd);
    c
}

/// Copies the repository's scenarios/ folder into `dir/scenarios`.
fn copy_repo_scenarios(dir: &Path) -> PathBuf {
    let dest = dir.join("scenarios");
    std::fs::create_dir_all(&dest).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&p, dest.join(p.file_name().unwrap())).unwrap();
        }
    }
    dest
}

/// summary.csv rows without the scenario column, by scenario.
fn summary(out: &Path) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[0].to_string(),
                x.iter().skip(1).map(String::from).collect(),
            )
        })
        .collect()
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn input_sha(m: &serde_json::Value, path: &str) -> Option<String> {
    m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == path)
        .map(|i| i["sha256"].as_str().unwrap().to_string())
}

#[test]
fn edited_scenario_in_working_directory_is_what_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = copy_repo_scenarios(tmp.path());
    let run = |out: &str| {
        kymsim_in(tmp.path())
            .args(["run", "baseline", "programme", "--no-charts", "--out", out])
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "scenarios: ./scenarios/ (found in the working directory)",
            ))
            .stderr(predicate::str::contains(
                "dataset: embedded:data/kymenlaakso",
            ));
    };
    run("before");
    let before = summary(&tmp.path().join("before"));
    // the programme adds measures to the baseline, so its target-year figures differ
    assert_ne!(before[0].1, before[1].1);

    // the edit: the programme becomes the baseline with nothing added
    let edited = "extends = \"baseline\"\ndescription = \"edited: nothing added\"\n";
    std::fs::write(sc.join("programme.toml"), edited).unwrap();
    run("after");
    let after = summary(&tmp.path().join("after"));
    assert_eq!(after[0].0, "baseline");
    assert_eq!(after[1].0, "programme");
    assert_eq!(
        after[0].1, after[1].1,
        "the edited programme equals the baseline"
    );
    assert_eq!(after[0].1, before[0].1, "the baseline is unchanged");

    let m = manifest(&tmp.path().join("after"));
    assert_eq!(
        input_sha(&m, "scenarios/programme.toml"),
        Some(kymsim::input::sha256_hex(edited.as_bytes()))
    );
    assert!(input_sha(&m, "embedded:scenarios/programme.toml").is_none());
    assert_eq!(
        m["scenarios_from"],
        "./scenarios/ (found in the working directory)"
    );
    assert_eq!(m["dataset"], "embedded:data/kymenlaakso");
}

#[test]
fn bundled_flag_and_no_local_folder_use_the_bundled_set() {
    let tmp = tempfile::tempdir().unwrap();
    // no scenarios/ here: the bundled set
    kymsim_in(tmp.path())
        .args(["run", "baseline", "--no-charts", "--out", "a"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "scenarios: the bundled Kymenlaakso scenarios",
        ));
    let m = manifest(&tmp.path().join("a"));
    assert!(input_sha(&m, "embedded:scenarios/baseline.toml").is_some());

    // a local folder, but --bundled-scenarios asks for the compiled-in set
    let sc = copy_repo_scenarios(tmp.path());
    std::fs::write(sc.join("baseline.toml"), "description = \"local\"\n").unwrap();
    kymsim_in(tmp.path())
        .args([
            "run",
            "baseline",
            "--bundled-scenarios",
            "--no-charts",
            "--out",
            "b",
        ])
        .assert()
        .success();
    let m = manifest(&tmp.path().join("b"));
    assert!(input_sha(&m, "embedded:scenarios/baseline.toml").is_some());
    assert!(input_sha(&m, "scenarios/baseline.toml").is_none());
    assert_eq!(m["scenarios_from"], "the bundled Kymenlaakso scenarios");
}

#[test]
fn dataset_without_scenarios_is_refused_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    // even with a scenarios/ folder in the working directory: --data picks DIR/scenarios/ only
    copy_repo_scenarios(tmp.path());
    let out = tmp.path().join("out");
    kymsim_in(tmp.path())
        .args(["run", "--data"])
        .arg(common::tiny_dir())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no scenarios/ folder"))
        .stderr(predicate::str::contains(
            "the bundled scenarios are written for Kymenlaakso",
        ))
        .stderr(predicate::str::contains("pass --scenarios DIR"));
    assert!(!out.exists(), "nothing written");
    // a bundled scenario named explicitly is refused the same way
    kymsim_in(tmp.path())
        .args(["validate", "baseline", "--data"])
        .arg(common::tiny_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no scenario named `baseline`"));
    kymsim_in(tmp.path())
        .args(["list", "scenarios", "--data"])
        .arg(common::tiny_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no scenarios/ folder"));
}

/// A copy of the tiny dataset with `scenarios/` holding the given files.
fn dataset_with(dir: &Path, scenarios: &[(&str, &str)]) -> PathBuf {
    let ds = dir.join("ds");
    std::fs::create_dir_all(ds.join("scenarios")).unwrap();
    for e in std::fs::read_dir(common::tiny_dir()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, ds.join(p.file_name().unwrap())).unwrap();
    }
    for (name, text) in scenarios {
        std::fs::write(ds.join("scenarios").join(format!("{name}.toml")), text).unwrap();
    }
    ds
}

const UNCERTAIN: &str = include_str!("fixtures/batch/uncertain.toml");

#[test]
fn dataset_scenarios_folder_is_used_and_quiet_hides_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset_with(tmp.path(), &[("one", "description = \"none\"\n")]);
    kymsim_in(tmp.path())
        .args(["run", "--no-charts", "--out", "o", "--data"])
        .arg(&ds)
        .assert()
        .success()
        .stderr(predicate::str::contains("scenarios: "))
        .stderr(predicate::str::contains("(the dataset's folder)"));
    let m = manifest(&tmp.path().join("o"));
    assert_eq!(m["scenarios"], serde_json::json!(["one"]));
    kymsim_in(tmp.path())
        .args(["run", "-q", "--no-charts", "--out", "o", "--data"])
        .arg(&ds)
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn stale_batch_is_reported_and_not_drawn() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset_with(tmp.path(), &[("uncertain", UNCERTAIN)]);
    let data = ds.to_str().unwrap();
    let run = |out: &str| {
        kymsim_in(tmp.path())
            .args(["run", "--size", "1040x585", "--data", data, "--out", out])
            .assert()
            .success()
    };
    // the central run alone: no band, no batch chart
    run("plain");
    kymsim_in(tmp.path())
        .args(["batch", "-q", "-n", "40", "--data", data, "--out", "o"])
        .assert()
        .success();
    run("o").stderr(predicate::str::contains("is not drawn").not());
    let o = tmp.path().join("o");
    assert!(o.join("charts/batch_uncertain.png").is_file());
    let plain_net = std::fs::read(tmp.path().join("plain/charts/net_all.svg")).unwrap();
    assert_ne!(
        std::fs::read(o.join("charts/net_all.svg")).unwrap(),
        plain_net
    );

    // edit the scenario: the batch no longer matches
    std::fs::write(
        ds.join("scenarios/uncertain.toml"),
        UNCERTAIN.replace("every kind of uncertainty", "an edit"),
    )
    .unwrap();
    run("o")
        .stderr(predicate::str::contains("note: batch/ is not drawn"))
        .stderr(predicate::str::contains("changed since: `"))
        .stderr(predicate::str::contains("uncertain.toml"))
        .stderr(predicate::str::contains("rerun `kymsim batch`"));
    // drawn exactly as without a batch; the batch chart of the earlier run is removed
    assert_eq!(
        std::fs::read(o.join("charts/net_all.svg")).unwrap(),
        plain_net
    );
    assert!(!o.join("charts/batch_uncertain.png").exists());
    assert!(o.join("batch/stats.csv").is_file(), "batch files are kept");

    // plot compares with the manifest of the run in the folder: stale too
    kymsim_in(tmp.path())
        .args(["plot", "o", "--size", "1040x585"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note: batch/ is not drawn"));
    assert_eq!(
        std::fs::read(o.join("charts/net_all.svg")).unwrap(),
        plain_net
    );
}

#[test]
fn a_run_names_and_records_the_batch_files_it_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset_with(tmp.path(), &[("uncertain", UNCERTAIN)]);
    let data = ds.to_str().unwrap();
    let run = || {
        kymsim_in(tmp.path())
            .args(["run", "--size", "1040x585", "--data", data, "--out", "o"])
            .assert()
            .success()
    };
    let o = tmp.path().join("o");
    // nothing of an earlier command: nothing said, nothing recorded
    run().stderr(predicate::str::contains("reading results of earlier commands").not());
    assert!(manifest(&o).get("prior_results").is_none());
    kymsim_in(tmp.path())
        .args(["batch", "-q", "-n", "40", "--data", data, "--out", "o"])
        .assert()
        .success();
    run().stderr(predicate::str::contains(
        "reading results of earlier commands: batch/stats.csv, batch/distributions.csv, batch/summary.csv",
    ));
    // each file with the SHA-256 the batch recorded for it in checksums.sha256
    let sums = std::fs::read_to_string(o.join("batch/checksums.sha256")).unwrap();
    let recorded: Vec<(String, String)> = manifest(&o)["prior_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap().to_string(),
                i["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = ["stats.csv", "distributions.csv", "summary.csv"]
        .iter()
        .map(|f| {
            let sha = sums
                .lines()
                .find_map(|l| l.strip_suffix(&format!("  {f}")))
                .unwrap();
            (format!("batch/{f}"), sha.to_string())
        })
        .collect();
    assert_eq!(recorded, want);
    // -q: read all the same, said nowhere
    kymsim_in(tmp.path())
        .args([
            "run", "-q", "--size", "1040x585", "--data", data, "--out", "o",
        ])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    assert_eq!(manifest(&o)["prior_results"].as_array().unwrap().len(), 3);
    // a stale batch is neither read nor recorded
    std::fs::write(
        ds.join("scenarios/uncertain.toml"),
        UNCERTAIN.replace("every kind of uncertainty", "an edit"),
    )
    .unwrap();
    run().stderr(predicate::str::contains("reading results of earlier commands").not());
    assert!(manifest(&o).get("prior_results").is_none());
}

#[test]
fn files_of_earlier_runs_are_removed_only_when_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset_with(
        tmp.path(),
        &[
            ("one", "description = \"one\"\n"),
            ("two", "description = \"two\"\n"),
        ],
    );
    let data = ds.to_str().unwrap();
    kymsim_in(tmp.path())
        .args([
            "run", "-q", "--size", "1040x585", "--data", data, "--out", "o",
        ])
        .assert()
        .success();
    let o = tmp.path().join("o");
    assert!(o.join("charts/emissions_two.svg").is_file());
    // the user's own files, in the folder and in charts/
    std::fs::write(o.join("notes.txt"), "mine").unwrap();
    std::fs::write(o.join("charts/emissions_three.svg"), "mine").unwrap();
    kymsim_in(tmp.path())
        .args([
            "run", "one", "--size", "1040x585", "--data", data, "--out", "o",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "an earlier run wrote and this one did not",
        ));
    assert!(!o.join("charts/emissions_two.svg").exists());
    assert!(!o.join("charts/energy_two.png").exists());
    assert!(o.join("charts/emissions_one.svg").is_file());
    assert_eq!(
        std::fs::read_to_string(o.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(o.join("charts/emissions_three.svg")).unwrap(),
        "mine"
    );
}

const LOGNORMAL_FRACTION: &str = r#"description = "a lognormal fraction"
[[measures]]
id = "fewer_cars"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = { dist = "lognormal", median = 0.1, sigma = 0.3, max = 1.0 }
adoption = { curve = "step", year = 2025 }
"#;

#[test]
fn truncated_lognormal_fraction_runs_at_its_median_and_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset_with(tmp.path(), &[("frac", LOGNORMAL_FRACTION)]);
    let data = ds.to_str().unwrap();
    kymsim_in(tmp.path())
        .args(["run", "-q", "--no-charts", "--data", data, "--out", "o"])
        .assert()
        .success();
    let results = std::fs::read_to_string(tmp.path().join("o/results.csv")).unwrap();
    let cars = results
        .lines()
        .find(|l| l.contains(",Emissions|Kyoto Gases|Transport|Cars,"))
        .unwrap();
    // cars 12.5 kt in 2020, × population 80/100 = 10 kt in 2030; the central value is the
    // median 0.1 (inside [0, 1]), so 2030 = 10 × (1 − 0.1) = 9 kt
    assert!(cars.ends_with(",9"), "{cars}");
    kymsim_in(tmp.path())
        .args(["batch", "-q", "-n", "200", "--data", data, "--out", "o"])
        .assert()
        .success();
    // untruncated, the same value can exceed 1 and is refused, with the way out in the hint
    std::fs::write(
        ds.join("scenarios/frac.toml"),
        LOGNORMAL_FRACTION.replace(", max = 1.0", ""),
    )
    .unwrap();
    kymsim_in(tmp.path())
        .args(["validate", "--data", data])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("outside its range [0, 1]"))
        .stderr(predicate::str::contains("frac.toml:7:9"))
        .stderr(predicate::str::contains("truncate a normal or lognormal"));
}

/// An activity measure on `targets` with `value`.
fn activity(id: &str, target: &str, value: &str) -> String {
    format!(
        "[[measures]]\nid = \"{id}\"\npillar = \"transport\"\nkind = \"activity\"\ntargets = [\"{target}\"]\nvalue = {value}\nadoption = {{ curve = \"step\", year = 2025 }}\n\n"
    )
}

#[test]
fn errors_of_every_measure_and_scenario_come_at_once_before_any_table() {
    let tmp = tempfile::tempdir().unwrap();
    let two = format!(
        "description = \"two bad measures\"\n{}{}",
        activity("a", "transport.carz", "0.5"),
        activity("b", "transport.cars", "1.5")
    );
    let other = format!(
        "description = \"one bad\"\n{}",
        activity("c", "transport.cars", "-0.5")
    );
    let ds = dataset_with(tmp.path(), &[("two", &two), ("other", &other)]);
    kymsim_in(tmp.path())
        .args(["validate", "--data"])
        .arg(&ds)
        .assert()
        .code(2)
        // nothing on stdout: no calibration table above the errors
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "unknown source `transport.carz` in measure `a`",
        ))
        .stderr(predicate::str::contains("two.toml:6:12"))
        .stderr(predicate::str::contains(
            "`measure.b.value` = 1.5 is outside its range",
        ))
        .stderr(predicate::str::contains(
            "`measure.c.value` = -0.5 is outside its range",
        ))
        .stderr(predicate::str::contains("\n3 errors\n"));
    // run reports the same and writes nothing
    kymsim_in(tmp.path())
        .args(["run", "--out", "o", "--data"])
        .arg(&ds)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("3 errors"));
    assert!(!tmp.path().join("o").exists());
}

#[test]
fn errors_stop_at_twenty() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("description = \"25 bad measures\"\n");
    for i in 0..25 {
        text.push_str(&activity(&format!("m{i}"), "transport.cars", "2"));
    }
    let ds = dataset_with(tmp.path(), &[("many", &text)]);
    let out = kymsim_in(tmp.path())
        .args(["validate", "--data"])
        .arg(&ds)
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.matches("error: ").count(), 20, "{stderr}");
    assert!(stderr.contains("`measure.m19.value` = 2"));
    assert!(!stderr.contains("`measure.m20.value`"));
    assert!(stderr.contains("20 errors (the first 20; fix them and run again for more)"));
}
