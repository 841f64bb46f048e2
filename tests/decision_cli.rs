//! Command-line tests of the decision support: wedges and MACC from `run`, `goal-seek`,
//! `sensitivity`, on the tiny region and the scenarios in `tests/fixtures/decision/`.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::str::contains;

const DATA: &str = "tests/fixtures/tiny";
const SCENARIOS: &str = "tests/fixtures/decision";

fn kymsim() -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// (measure, year) → (kt, se_kt) of one scenario in wedges.csv.
fn wedges(text: &str, scenario: &str) -> Vec<(String, i32, f64, f64)> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("scenario,measure,pillar,year,kt,se_kt"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[0] == scenario)
        .map(|f| {
            (
                f[1].to_string(),
                f[3].parse().unwrap(),
                f[4].parse().unwrap(),
                f[5].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn run_writes_wedges_and_macc() {
    let out = tempfile::tempdir().unwrap();
    kymsim()
        .args([
            "run",
            "--data",
            DATA,
            "--scenarios",
            SCENARIOS,
            "wedges",
            "many",
        ])
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .stdout(contains(
            "wedges: measures with a cost abate 12.5 kt in 2030",
        ));
    let text = read(out.path(), "wedges.csv");
    let w = wedges(&text, "wedges");
    let at = |m: &str, y: i32| {
        w.iter()
            .find(|r| r.0 == m && r.1 == y)
            .map(|r| r.2)
            .unwrap()
    };
    // Cars: 100 Mvkm × 500 MWh × 0.25 t/MWh = 12.5 kt in 2020, × population 80/100 = 10 kt in
    // 2030. car_pool and remote_work each halve the activity: together 1 − 0.5·0.5 = 0.75 of it,
    // 7.5 kt in 2030, shared equally (symmetry): 3.75 each; in 2020 0.75 · 12.5 / 2 = 4.6875.
    assert_eq!(at("car_pool", 2030), 3.75);
    assert_eq!(at("remote_work", 2030), 3.75);
    assert_eq!(at("car_pool", 2020), 4.6875);
    // a process cut on a source without process emissions changes nothing (dummy): 0
    assert!(w.iter().filter(|r| r.0 == "no_effect").all(|r| r.2 == 0.0));
    // herd: 0.4 (central of U(0.2, 0.6)) × 5 kt × linear adoption 2020→2030: 1 kt in 2025
    assert_eq!(at("herd", 2025), 1.0);
    assert_eq!(at("herd", 2030), 2.0);
    // biochar: 3 kt × adoption (2025 − 2020)/(2030 − 2020) = 1.5 kt in 2025
    assert_eq!(at("biochar", 2025), 1.5);
    // exact: every standard error is 0
    assert!(w.iter().all(|r| r.3 == 0.0));
    // efficiency: the 2030 sum 3.75 + 3.75 + 0 + 2 + 3 = 12.5 = counterfactual net
    // (10 + 12.5 + 5 − 2 = 25.5) − scenario net (13, in summary.csv)
    let sum: f64 = w.iter().filter(|r| r.1 == 2030).map(|r| r.2).sum();
    assert!((sum - 12.5).abs() < 1e-9);
    assert!(read(out.path(), "summary.csv").contains("\nwedges,2030,18,5,13,"));

    // many: 16 measures > 14, sampled, with standard errors
    let many = wedges(&text, "many");
    assert_eq!(many.len(), 16 * 11);
    assert!(many.iter().any(|r| r.3 > 0.0));

    let macc = read(out.path(), "macc.csv");
    let rows: Vec<&str> = macc.lines().filter(|l| l.starts_with("wedges,")).collect();
    assert_eq!(
        rows,
        [
            "wedges,remote_work,Remote work,digitalisation,2030,3.75,10,0.0375",
            "wedges,car_pool,Car pooling,transport,2030,3.75,40,0.15",
            "wedges,biochar,Biochar sink,bioeconomy,2030,3,90,0.27",
            "wedges,herd,Smaller herd,bioeconomy,2030,2,120,0.24",
            "wedges,no_effect,Process cut on a source without process emissions,other,2030,0,,",
        ]
    );
    let manifest = read(out.path(), "manifest.json");
    assert!(manifest.contains("\"wedges.csv\"") && manifest.contains("\"macc.csv\""));
    assert!(
        manifest.contains("\"seed\": 2040"),
        "sampled wedges record the seed (the default of every sampling command)"
    );
}

#[test]
fn sampled_wedges_are_reproducible_and_seeded() {
    let run = |seed: &str| {
        let out = tempfile::tempdir().unwrap();
        kymsim()
            .args([
                "run",
                "-q",
                "--data",
                DATA,
                "--scenarios",
                SCENARIOS,
                "many",
            ])
            .args(["--permutations", "200", "--seed", seed, "--out"])
            .arg(out.path())
            .assert()
            .success();
        read(out.path(), "wedges.csv")
    };
    let a = run("5");
    assert_eq!(a, run("5"));
    assert_ne!(a, run("6"));
}

#[test]
fn goal_seek_finds_the_smallest_removal() {
    // 2030 net 13 kt with the central 3 kt of biochar: 16 kt are needed
    kymsim()
        .args([
            "goal-seek",
            "wedges",
            "--data",
            DATA,
            "--scenarios",
            SCENARIOS,
        ])
        .args(["--measure", "biochar", "--target", "net"])
        .assert()
        .success()
        .stdout(contains("smallest value that meets it: 16"))
        .stdout(contains("carbon neutral from 2030"));
}

#[test]
fn goal_seek_says_when_the_lever_cannot_reach_the_target() {
    // herd at 100 %: 5 kt less, net 13 − (5 − 2) = 10 kt > 0
    kymsim()
        .args([
            "goal-seek",
            "wedges",
            "--data",
            DATA,
            "--scenarios",
            SCENARIOS,
        ])
        .args(["--measure", "herd"])
        .assert()
        .code(1)
        .stdout(contains("cannot be met by this measure alone"))
        .stdout(contains("net 10.00 kt"));
}

#[test]
fn goal_seek_rejects_bad_requests() {
    kymsim()
        .args([
            "goal-seek",
            "wedges",
            "--data",
            DATA,
            "--scenarios",
            SCENARIOS,
        ])
        .args(["--measure", "hedr"])
        .assert()
        .code(2)
        .stderr(contains("has no measure `hedr`"))
        .stderr(contains("did you mean `herd`?"));
    kymsim()
        .args([
            "goal-seek",
            "wedges",
            "--data",
            DATA,
            "--scenarios",
            SCENARIOS,
        ])
        .args(["--measure", "car_pool", "--param", "full"])
        .assert()
        .code(2)
        .stderr(contains("no `full` year"));
}

#[test]
fn sensitivity_is_the_same_for_any_thread_count() {
    let run = |threads: &str| {
        let out = tempfile::tempdir().unwrap();
        kymsim()
            .args([
                "sensitivity",
                "wedges",
                "--data",
                DATA,
                "--scenarios",
                SCENARIOS,
            ])
            .args([
                "--samples",
                "300",
                "--seed",
                "9",
                "--threads",
                threads,
                "--out",
            ])
            .arg(out.path())
            .assert()
            .success()
            .stdout(contains("measure.herd.value"));
        read(out.path(), "sensitivity.csv")
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let lines: Vec<&str> = one.lines().collect();
    assert_eq!(
        lines[0],
        "scenario,parameter,first_order,first_order_lo,first_order_hi,total_order,total_order_lo,total_order_hi"
    );
    // four uncertain parameters, sorted by total order; the cost does not move emissions
    assert_eq!(lines.len(), 5);
    assert!(lines[4].starts_with("wedges,measure.remote_work.cost,0,0,0,0,0,0"));
    let totals: Vec<f64> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(5).unwrap().parse().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]));
}
