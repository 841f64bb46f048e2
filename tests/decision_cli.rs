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
            // stand-alone abatements: 5 + 5 + 3 + 2 (the two car cuts each alone cut half of 10 kt)
            "wedges: measures with a cost abate 15.0 kt in 2030",
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
    // gross 18, removals 5, land use 0 (the dataset has no land category), net 13
    assert!(read(out.path(), "summary.csv").contains("\nwedges,2030,18,5,0,13,"));

    // many: 16 measures > 14, sampled, with standard errors
    let many = wedges(&text, "many");
    assert_eq!(many.len(), 16 * 11);
    assert!(many.iter().any(|r| r.3 > 0.0));

    let macc = read(out.path(), "macc.csv");
    let rows: Vec<&str> = macc.lines().filter(|l| l.starts_with("wedges,")).collect();
    // each car cut alone: 0.5 · 10 kt = 5 kt (their Shapley shares are 3.75 each, since together
    // they cut 10 · (1 − 0.5 · 0.5) = 7.5 kt); 5 kt · 10 €/t = 0.05 M€, 5 kt · 40 €/t = 0.2 M€
    assert_eq!(
        rows,
        [
            "wedges,remote_work,Remote work,digitalisation,2030,5,10,0.05",
            "wedges,car_pool,Car pooling,transport,2030,5,40,0.2",
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
            // the parameter by the name its chart gives it
            .stdout(contains("Smaller herd (effect)"));
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

const DISCOVERY: &str = "tests/fixtures/discovery";

/// `discover SCENARIO` on the tiny region with the scenarios of `tests/fixtures/discovery`.
fn discover(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    kymsim()
        .args(["discover", "--data", DATA, "--scenarios", DISCOVERY])
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
}

/// The selected box of `discovery_trajectory.csv` and its rows of `discovery.csv`
/// (parameter, lower, upper).
fn selected_box(dir: &Path) -> (String, Vec<(String, String, String)>) {
    let traj = read(dir, "discovery_trajectory.csv");
    let sel = traj
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[9] == "1")
        .unwrap()[2]
        .to_string();
    let rows: Vec<(String, String, String)> = read(dir, "discovery.csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
        .filter(|f| f[2] == sel)
        .map(|f| (f[3].clone(), f[4].clone(), f[5].clone()))
        .collect();
    // discovery.csv marks the same box as selected
    let marked = read(dir, "discovery.csv")
        .lines()
        .skip(1)
        .filter(|l| l.ends_with(",1"))
        .count();
    assert_eq!(marked, rows.len());
    (sel, rows)
}

#[test]
fn discover_finds_the_removal_below_which_the_target_is_missed() {
    // missed iff r < 25.5 + 5·(f − 1) ∈ [25.25, 25.75] (see the fixture). One peel removes 5 % of
    // a box of about half the samples: 0.05 · 0.5 · 51 kt ≈ 1.3 kt of r, so the upper bound lands
    // within 1.5 kt of 25.5; the cost and the cows' factor are not restricted.
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("1"), tmp.path().join("2"));
    discover(&one, &["threshold", "-j", "1"])
        .success()
        .stdout(contains("the target is missed in"))
        // the measure's name (here its id `r`, as the fixture names it) with the parameter id
        .stdout(contains(
            "% of samples where r (effect) (measure.r.value) ≤ 2",
        ))
        .stdout(contains("of all misses"));
    discover(&two, &["threshold", "-j", "2", "-q"]).success();
    for f in [
        "discovery.csv",
        "discovery_trajectory.csv",
        "charts/discovery_threshold.png",
        "charts/discovery_threshold.svg",
        "discovery_identity.json",
    ] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f} depends on the thread count"
        );
    }
    let (_, rows) = selected_box(&one);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (param, lower, upper) = &rows[0];
    assert_eq!((param.as_str(), lower.as_str()), ("measure.r.value", ""));
    let upper: f64 = upper.parse().unwrap();
    assert!((upper - 25.5).abs() <= 1.5, "r ≤ {upper}");
    assert!(
        read(&one, "discovery.csv")
            .starts_with("scenario,outcome,box,parameter,lower,upper,coverage,density,selected\n")
    );
}

#[test]
fn discover_met_finds_the_lower_bound_and_box_picks_a_trajectory_box() {
    let tmp = tempfile::tempdir().unwrap();
    discover(tmp.path(), &["threshold", "--outcome", "met", "-q"]).success();
    let (_, rows) = selected_box(tmp.path());
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (param, lower, upper) = &rows[0];
    assert_eq!((param.as_str(), upper.as_str()), ("measure.r.value", ""));
    assert!((lower.parse::<f64>().unwrap() - 25.5).abs() <= 1.5);
    // --box 1: the first peel, which cuts 5 % of the samples off one side of r
    discover(tmp.path(), &["threshold", "--outcome", "met", "--box", "1"])
        .success()
        .stdout(contains("(box 1 of"));
    let (sel, rows) = selected_box(tmp.path());
    assert_eq!(sel, "1");
    assert_eq!(rows.len(), 1);
}

#[test]
fn discover_without_uncertain_parameters_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    discover(tmp.path(), &["certain"])
        .code(2)
        .stderr(contains("scenario `certain` has no uncertain parameters"));
    assert!(!tmp.path().join("discovery.csv").exists());
}

#[test]
fn discover_box_beyond_the_trajectory_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    discover(tmp.path(), &["threshold", "--box", "9999"])
        .code(2)
        .stderr(contains(
            "--box 9999: the peeling trajectory has boxes 0 to",
        ));
    assert!(!tmp.path().join("discovery.csv").exists());
}

#[test]
fn discover_coverage_threshold_out_of_range_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    discover(tmp.path(), &["threshold", "--threshold-coverage", "1.5"])
        .code(2)
        .stderr(contains("--threshold-coverage 1.5 is outside (0, 1]"));
}

#[test]
fn discover_too_few_samples_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    discover(tmp.path(), &["threshold", "-n", "5"])
        .code(2)
        .stderr(contains("--samples 5 is out of range"));
}

#[test]
fn discover_peel_alpha_out_of_range_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    discover(tmp.path(), &["threshold", "--peel-alpha", "0.5"])
        .code(2)
        .stderr(contains("--peel-alpha 0.5 is outside (0, 0.5)"));
}

#[test]
fn discover_outcome_that_never_happens_is_an_error() {
    // r ≥ 30 kt > 25.75 kt: the target is met in every sample, so no sample misses it
    let tmp = tempfile::tempdir().unwrap();
    let scen = tmp.path().join("s");
    std::fs::create_dir(&scen).unwrap();
    std::fs::write(
        scen.join("always.toml"),
        "[[measures]]\nid = \"r\"\npillar = \"bioeconomy\"\nkind = \"removal\"\nsector = \"BECCS\"\nvalue = { dist = \"uniform\", min = 30, max = 51 }\nadoption = { curve = \"step\", year = 2020 }\n",
    )
    .unwrap();
    kymsim()
        .args(["discover", "always", "--data", DATA, "--scenarios"])
        .arg(&scen)
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert()
        .code(2)
        .stderr(contains(
            "the target is missed in none of the 2000 samples of `always`",
        ))
        .stderr(contains("try --outcome met"));
    assert!(!tmp.path().join("o/discovery.csv").exists());
}

/// `sensitivity --method morris` on the discovery fixtures.
fn morris(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    kymsim()
        .args([
            "sensitivity",
            "--method",
            "morris",
            "--data",
            DATA,
            "--scenarios",
            DISCOVERY,
        ])
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
}

#[test]
fn morris_effects_of_the_linear_threshold_scenario_are_known() {
    // net 2030 = 25.5 + 5·(f − 1) − r with r = 51·u_r and f = 0.95 + 0.1·u_f (uniform inputs,
    // u the probability): every elementary effect per unit of probability is exact,
    //   r:    −51 → μ* = 51, μ = −51, σ = 0
    //   cows: 5 · 0.1 = 0.5 → μ* = μ = 0.5, σ = 0
    //   cost: changes nothing → 0
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("1"), tmp.path().join("2"));
    morris(&one, &["threshold", "--threads", "1"])
        .success()
        .stdout(contains(
            "threshold: Morris screening of 2030 net emissions",
        ));
    morris(&two, &["threshold", "--threads", "2", "-q"]).success();
    for f in [
        "morris.csv",
        "charts/morris_threshold.png",
        "charts/morris_threshold.svg",
    ] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f} depends on the thread count"
        );
    }
    let text = read(&one, "morris.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("scenario,parameter,mu_star,mu,sigma"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let expect = [
        ("measure.r.value", 51.0, -51.0),
        ("uncertainty.cows", 0.5, 0.5),
        ("measure.r.cost", 0.0, 0.0),
    ];
    assert_eq!(rows.len(), 3);
    let id: serde_json::Value = serde_json::from_str(&read(&one, "morris_identity.json")).unwrap();
    assert_eq!(id["scenarios"], serde_json::json!(["threshold"]));
    assert_eq!(
        (id["trajectories"].as_u64(), id["levels"].as_u64()),
        (Some(20), Some(4))
    );
    for (row, (name, mu_star, mu)) in rows.iter().zip(expect) {
        assert_eq!((row[0], row[1]), ("threshold", name));
        let v: Vec<f64> = row[2..].iter().map(|x| x.parse().unwrap()).collect();
        assert!((v[0] - mu_star).abs() < 1e-5, "{name}: μ* {}", v[0]);
        assert!((v[1] - mu).abs() < 1e-5, "{name}: μ {}", v[1]);
        assert!(v[2].abs() < 1e-5, "{name}: σ {}", v[2]);
    }
}

#[test]
fn morris_odd_levels_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    morris(tmp.path(), &["threshold", "--levels", "3"])
        .code(2)
        .stderr(contains("--levels 3 is odd"));
    assert!(!tmp.path().join("morris.csv").exists());
}

#[test]
fn morris_fewer_candidates_than_trajectories_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    morris(
        tmp.path(),
        &["threshold", "--trajectories", "30", "--candidates", "10"],
    )
    .code(2)
    .stderr(contains("--candidates 10 is fewer than --trajectories 30"));
    assert!(!tmp.path().join("morris.csv").exists());
}

#[test]
fn report_shows_discovery_and_morris_only_for_the_current_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let run = |scenarios: &Path| {
        kymsim()
            .args(["run", "threshold", "-q", "--data", DATA, "--scenarios"])
            .arg(scenarios)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
    };
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join(DISCOVERY);
    run(&fixtures);
    let report = || read(&out, "report.html");
    assert!(!report().contains("fig-discovery_threshold"));
    discover(&out, &["threshold", "-q"]).success();
    morris(&out, &["threshold", "-q"]).success();
    // `plot` and a new `run` of the same inputs show both, with the same bytes
    kymsim().arg("plot").arg(&out).arg("-q").assert().success();
    let plotted = report();
    assert!(plotted.contains("id=\"fig-discovery_threshold\""));
    assert!(plotted.contains("id=\"fig-morris_threshold\""));
    assert!(plotted.contains("under which conditions is the target missed? — threshold"));
    run(&fixtures);
    assert_eq!(report(), plotted);
    // the scenario changed since: its discovery and Morris files are stale and left out
    let changed = tmp.path().join("changed");
    std::fs::create_dir(&changed).unwrap();
    let text = std::fs::read_to_string(fixtures.join("threshold.toml")).unwrap();
    std::fs::write(
        changed.join("threshold.toml"),
        text.replace("min = 10, max = 50", "min = 11, max = 50"),
    )
    .unwrap();
    run(&changed);
    let stale = report();
    assert!(!stale.contains("fig-discovery_threshold"));
    assert!(!stale.contains("fig-morris_threshold"));
}
