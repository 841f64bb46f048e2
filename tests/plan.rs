//! `kymsim plan` on the tiny region and the scenarios of `tests/fixtures/plan/` (five
//! candidates, one with an uncertain value, one replacing a base measure): the plan against an
//! enumeration of every portfolio with `run` and `batch`, the figures `run` and `batch` give for
//! `plan.toml`, plan levels in scenarios, bad input and an unreachable target.

mod common;
mod serve_common;

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use common::{run_tiny, tiny, tiny_error, var};
use kymsim::plan::{Request, prepare};
use kymsim::scenario::ScenarioLibrary;

const DATA: &str = "tests/fixtures/tiny";
const SCENARIOS: &str = "tests/fixtures/plan";

fn kymsim() -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn fixture(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(file)
}

/// `kymsim plan menu --from base` on the fixture with `args` into `out`.
fn plan(out: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    kymsim()
        .args(["plan", "menu", "--from", "base", "--data", DATA])
        .args(["--scenarios", SCENARIOS])
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
}

/// The cells of the one data row of a CSV file, by column name.
fn row(path: &Path, scenario: Option<&str>) -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let line = lines
        .find(|l| scenario.is_none_or(|s| l.starts_with(&format!("{s},"))))
        .unwrap();
    head.iter()
        .map(|h| h.to_string())
        .zip(line.split(',').map(String::from))
        .collect()
}

/// Σ annual_cost_meur of macc.csv (empty cells: no cost).
fn macc_total(dir: &Path) -> f64 {
    let text = std::fs::read_to_string(dir.join("macc.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next().unwrap().parse::<f64>().ok())
        .sum()
}

/// `run FILE` → Σ macc cost; `batch FILE -n 2000 --seed 2040` → p_target_met.
fn run_and_batch(file: &Path, out: &Path) -> (f64, f64) {
    kymsim()
        .args([
            "run",
            "--no-charts",
            "-q",
            "--data",
            DATA,
            "--scenarios",
            SCENARIOS,
        ])
        .arg(file)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    kymsim()
        .args([
            "batch", "-q", "-n", "2000", "--seed", "2040", "--data", DATA,
        ])
        .args(["--scenarios", SCENARIOS])
        .arg(file)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    let p = row(&out.join("batch/summary.csv"), Some("plan"))["p_target_met"]
        .parse()
        .unwrap();
    (macc_total(out), p)
}

fn request(probability: f64, steps: u8) -> Request {
    Request {
        menu: "menu".into(),
        base: "base".into(),
        probability,
        samples: 2000,
        seed: 2040,
        steps,
        milestones: false,
        gap: 0.0,
        max_nodes: 1_000_000,
        frontier: false,
    }
}

#[test]
fn plan_cost_equals_the_cheapest_feasible_portfolio_of_an_enumeration() {
    let out = tempfile::tempdir().unwrap();
    plan(
        out.path(),
        &["-p", "0.9", "--steps", "1", "--gap", "0", "-q"],
    )
    .success();
    let found: f64 = row(&out.path().join("plan/plan.csv"), None)["cost_meur_per_yr"]
        .parse()
        .unwrap();
    // every one of the 2^5 portfolios written as a scenario, run and batched
    let region = tiny();
    let library = ScenarioLibrary::from_dir(&fixture(SCENARIOS)).unwrap();
    let prep = prepare(&region, &library, &request(0.9, 1)).unwrap();
    assert_eq!(prep.menu.candidates.len(), 5);
    let work = tempfile::tempdir().unwrap();
    let mut cheapest = f64::INFINITY;
    let mut feasible = 0;
    for bits in 0u8..32 {
        let levels: Vec<u8> = (0..5).map(|c| (bits >> c) & 1).collect();
        let dir = work.path().join(format!("p{bits}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("plan.toml");
        std::fs::write(&file, prep.menu.plan_toml(&levels, 1)).unwrap();
        let (cost, p) = run_and_batch(&file, &dir);
        if p >= 0.9 {
            feasible += 1;
            cheapest = cheapest.min(cost);
        }
    }
    // some portfolios reach 90 %, not all: the choice matters
    assert!(feasible > 0 && feasible < 32, "{feasible} feasible");
    // macc.csv rounds each cost to 6 decimals: at most 5 rows × 5e-7 apart
    assert!((found - cheapest).abs() < 3e-6, "{found} vs {cheapest}");
}

#[test]
fn batch_and_run_of_plan_toml_give_the_plan_figures() {
    let out = tempfile::tempdir().unwrap();
    plan(out.path(), &["-p", "0.8", "-q"]).success();
    let figures = row(&out.path().join("plan/plan.csv"), None);
    let num = |k: &str| figures[k].parse::<f64>().unwrap();
    let file = out.path().join("plan/plan.toml");
    let check = tempfile::tempdir().unwrap();
    let (cost, p) = run_and_batch(&file, check.path());
    // the same samples, the same kernel: the very share
    assert_eq!(p, num("probability_in_sample"));
    assert!(p >= 0.8);
    assert!((cost - num("cost_meur_per_yr")).abs() < 3e-6);
    let (bound, c) = (num("lower_bound_meur_per_yr"), num("cost_meur_per_yr"));
    assert!(bound <= c);
    assert_eq!(num("gap"), (c - bound) / c.abs());
    assert!(num("gap") <= 0.01);
    // the out-of-sample share is a batch with the next seed, inside its interval
    let outside = num("probability_out_of_sample");
    assert!(num("probability_out_of_sample_low") <= outside);
    assert!(outside <= num("probability_out_of_sample_high"));
}

#[test]
fn the_search_cost_is_the_cost_run_reports_to_the_bit() {
    let region = tiny();
    let library = ScenarioLibrary::from_dir(&fixture(SCENARIOS)).unwrap();
    let req = request(0.9, 4);
    let prep = prepare(&region, &library, &req).unwrap();
    let solved = prep.solve(&req, 0.9).unwrap().unwrap();
    let text = prep.menu.plan_toml(&solved.levels, 4);
    let sc = library.resolve_bytes("plan.toml", text.as_bytes()).unwrap();
    let model = kymsim::model::compile(&region, &sc).unwrap();
    let macc = kymsim::decision::macc(&model, &model.central());
    assert_eq!(macc.total_annual_cost_meur(), solved.cost);
    // the cost table (fixed part + one term per candidate) gives the same cost
    let table: f64 = prep.fixed
        + solved
            .levels
            .iter()
            .enumerate()
            .map(|(c, &l)| prep.costs[c][l as usize])
            .sum::<f64>();
    assert!(
        (table - solved.cost).abs() < 1e-12,
        "{table} vs {}",
        solved.cost
    );
}

#[test]
fn frontier_costs_rise_with_the_probability() {
    let out = tempfile::tempdir().unwrap();
    plan(
        out.path(),
        &[
            "-p",
            "0.9",
            "--steps",
            "1",
            "--gap",
            "0",
            "--frontier",
            "-q",
        ],
    )
    .success();
    let text = std::fs::read_to_string(out.path().join("plan/frontier.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "probability_goal,cost_meur_per_yr,lower_bound_meur_per_yr,gap"
    );
    let goals: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(goals, ["0.5", "0.6", "0.7", "0.8", "0.9", "0.95"]);
    // solved exactly (gap 0), a higher probability never costs less
    let costs: Vec<f64> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]), "{costs:?}");
}

#[test]
fn finnish_verdict() {
    let out = tempfile::tempdir().unwrap();
    plan(out.path(), &["-p", "0.9", "--steps", "1", "--lang", "fi"])
        .success()
        .stdout(contains("halvin suunnitelma skenaariosta base"))
        .stdout(contains("otoksen ulkopuolella"));
}

#[test]
fn unreachable_target_exits_1_with_the_best_probability_and_the_gap() {
    // bundled data: neutral2040 with every measure at its maximum still emits ~300 kt net in
    // 2040 (docs/decision-support.md), so no sample meets net zero
    let out = tempfile::tempdir().unwrap();
    kymsim()
        .args([
            "plan",
            "neutral2040",
            "--from",
            "baseline",
            "-p",
            "0.9",
            "-n",
            "200",
        ])
        .args(["--bundled-scenarios", "--out"])
        .arg(out.path())
        .assert()
        .code(1)
        .stdout(contains("it is met in 0 % of 200 samples"))
        .stdout(contains("net 2040 emissions are"));
    assert!(!out.path().join("plan").exists());
}

fn refused(args: &[&str], message: &str, hint: &str) {
    let out = tempfile::tempdir().unwrap();
    plan(out.path(), args)
        .code(2)
        .stderr(contains(message))
        .stderr(contains(hint));
    assert!(!out.path().join("plan").exists());
}

#[test]
fn probability_zero_is_refused() {
    refused(
        &["-p", "0"],
        "--probability 0 is outside (0, 1]",
        "e.g. 0.9",
    );
}

#[test]
fn probability_above_one_is_refused() {
    refused(
        &["-p", "1.5"],
        "--probability 1.5 is outside (0, 1]",
        "e.g. 0.9",
    );
}

#[test]
fn zero_steps_are_refused() {
    refused(&["-p", "0.9", "--steps", "0"], "--steps 0", "K + 1 levels");
}

#[test]
fn too_few_samples_for_the_probability_are_refused() {
    // P = 0.9: 10 samples may miss → 10 / 0.1 = 100 samples
    refused(
        &["-p", "0.9", "-n", "50"],
        "-n 50 samples are too few for a probability of 0.9: 100 are needed",
        "use -n 100 or more",
    );
}

#[test]
fn a_menu_without_candidates_is_refused() {
    let out = tempfile::tempdir().unwrap();
    kymsim()
        .args([
            "plan", "base", "--from", "base", "-p", "0.9", "--data", DATA,
        ])
        .args(["--scenarios", SCENARIOS, "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(contains("has no measure that `base` lacks"))
        .stderr(contains("adds measures to BASE"));
}

#[test]
fn a_base_the_menu_does_not_extend_is_refused() {
    let out = tempfile::tempdir().unwrap();
    kymsim()
        .args([
            "plan", "menu", "--from", "apart", "-p", "0.9", "--data", DATA,
        ])
        .args(["--scenarios", SCENARIOS, "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(contains("scenario `menu` does not extend `apart`"))
        .stderr(contains("menu → base"));
}

const CAR_CUT: &str = "[[measures]]\nid = \"car_cut\"\npillar = \"transport\"\nkind = \"activity\"\ntargets = [\"transport.cars\"]\nvalue = 0.5\nadoption = { curve = \"step\", year = 2022 }\n";

#[test]
fn a_level_moves_the_value_from_level_from() {
    let (m, r) = run_tiny(&format!("{CAR_CUT}level = 0.5\nlevel_from = 0.1\n"));
    // 0.1 + 0.5 · (0.5 − 0.1) = 0.3 of 10 kt of cars in 2030: 10 · (1 − 0.3) = 7 kt
    let cars = var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars");
    assert!((cars[10] - 7.0).abs() < 1e-12, "{}", cars[10]);
}

#[test]
fn a_level_above_one_is_refused() {
    let e = tiny_error(&format!("{CAR_CUT}level = 1.5\n"));
    assert!(
        e.message.contains("`level` = 1.5 is outside 0–1"),
        "{}",
        e.message
    );
}

#[test]
fn level_from_without_level_is_refused() {
    let e = tiny_error(&format!("{CAR_CUT}level_from = 0.2\n"));
    assert!(
        e.message.contains("`level_from` without `level`"),
        "{}",
        e.message
    );
}

/// The tiny dataset with a milestone: gross emissions in 2025 at most 26 kt.
fn tiny_with_milestone() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixture(DATA)).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, d.path().join(p.file_name().unwrap())).unwrap();
    }
    let region = d.path().join("region.toml");
    let mut text = std::fs::read_to_string(&region).unwrap();
    text.push_str("\n[[milestones]]\nyear = 2025\nmax_gross_kt = 26\n");
    std::fs::write(&region, text).unwrap();
    d
}

/// `plan menu --from base` on the milestone fixture: (levels by measure, cost).
fn milestone_plan(data: &Path, extra: &[&str]) -> (Vec<(String, String)>, f64) {
    let out = tempfile::tempdir().unwrap();
    kymsim()
        .args(["plan", "menu", "--from", "base", "--data"])
        .arg(data)
        .args(["--scenarios", "tests/fixtures/plan_milestones"])
        .args(["-p", "0.9", "-n", "100", "--steps", "1", "--gap", "0", "-q"])
        .args(extra)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let cost = row(&out.path().join("plan/plan.csv"), None)["cost_meur_per_yr"]
        .parse()
        .unwrap();
    let text = std::fs::read_to_string(out.path().join("plan/portfolio.csv")).unwrap();
    let levels = text
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_string(), cells[2].to_string())
        })
        .collect();
    (levels, cost)
}

#[test]
fn milestones_are_required_too() {
    // No uncertainty: every sample is the central run, so a plan meets in all samples or none.
    // 2030 (the target: net ≤ 0): the base nets 10 + 12.5 + 5 − 2 = 25.5 kt; only capture brings
    // it below 0 (25.5 − 28 = −2.5; both cuts without it leave 25.5 − 5 − 10 = 10.5).
    // 2025 (the milestone: gross ≤ 26): cars 90 Mvkm × 500 × 0.25 t = 11.25 + heat 12.5 + cows
    // 5 = 28.75 kt, missed; no_cows makes it 23.75, heat_cut 18.75; capture changes no gross.
    let data = tiny_with_milestone();
    let levels = |l: [&str; 3]| -> Vec<(String, String)> {
        ["capture", "no_cows", "heat_cut"]
            .iter()
            .zip(l)
            .map(|(m, l)| (m.to_string(), l.to_string()))
            .collect()
    };
    // the target alone: capture only, 28 kt × 10 €/t = 0.28 M€/yr
    let (got, cost) = milestone_plan(data.path(), &[]);
    assert_eq!(got, levels(["1", "0", "0"]));
    assert!((cost - 0.28).abs() < 1e-9, "{cost}");
    // with the milestone: capture and the cheaper cut that keeps 2025 under 26 kt, no_cows
    // (5 kt × 100 €/t = 0.5 M€/yr, heat_cut would cost 10 kt × 100 €/t = 1.0): 0.78 M€/yr
    let (got, cost) = milestone_plan(data.path(), &["--milestones"]);
    assert_eq!(got, levels(["1", "1", "0"]));
    assert!((cost - 0.78).abs() < 1e-9, "{cost}");
}

#[test]
fn serve_loads_plan_toml_like_any_scenario() {
    let out = tempfile::tempdir().unwrap();
    plan(out.path(), &["-p", "0.8", "--steps", "2", "-q"]).success();
    // the plan beside the scenarios it builds on, as a user would put it
    let scenarios = tempfile::tempdir().unwrap();
    for f in ["base.toml", "menu.toml"] {
        std::fs::copy(fixture(SCENARIOS).join(f), scenarios.path().join(f)).unwrap();
    }
    std::fs::copy(
        out.path().join("plan/plan.toml"),
        scenarios.path().join("plan.toml"),
    )
    .unwrap();
    let data = fixture(DATA);
    let s = serve_common::Served::start(&[
        "--data",
        data.to_str().unwrap(),
        "--scenarios",
        scenarios.path().to_str().unwrap(),
    ]);
    let (status, cat) = s.get("/api/scenarios");
    assert_eq!(status, 200, "{cat}");
    let names: Vec<&str> = cat["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"plan"), "{names:?}");
    let (status, ev) = s.post("/api/evaluate", &serde_json::json!({"scenario": "plan"}));
    assert_eq!(status, 200, "{ev}");
    // the explorer's figures are those of `run` on the same file
    let checked = tempfile::tempdir().unwrap();
    kymsim()
        .args([
            "run",
            "plan",
            "--no-charts",
            "-q",
            "--data",
            DATA,
            "--scenarios",
        ])
        .arg(scenarios.path())
        .arg("--out")
        .arg(checked.path())
        .assert()
        .success();
    let summary = row(&checked.path().join("summary.csv"), Some("plan"));
    for col in ["gross_kt", "removals_kt", "net_kt"] {
        assert_eq!(
            kymsim::output::fmt_num(ev["summary"][col].as_f64().unwrap()),
            summary[col],
            "{col}"
        );
    }
}

#[test]
fn the_report_shows_a_current_plan_and_drops_a_stale_one() {
    let scenarios = tempfile::tempdir().unwrap();
    for f in ["base.toml", "menu.toml"] {
        std::fs::copy(fixture(SCENARIOS).join(f), scenarios.path().join(f)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let with = |cmd: &[&str]| {
        kymsim()
            .args(cmd)
            .args(["-q", "--data", DATA, "--scenarios"])
            .arg(scenarios.path())
            .arg("--out")
            .arg(out.path())
            .assert()
            .success();
    };
    with(&[
        "plan",
        "menu",
        "--from",
        "base",
        "-p",
        "0.8",
        "--steps",
        "1",
        "--frontier",
    ]);
    for f in [
        "plan/identity.json",
        "charts/frontier_menu.png",
        "charts/frontier_menu.svg",
    ] {
        assert!(out.path().join(f).is_file(), "{f}");
    }
    with(&["run", "base", "menu"]);
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let figures = row(&out.path().join("plan/plan.csv"), None);
    let section = &html[html.find("<section id=\"plan\">").expect("a plan section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("<h2>Cheapest plan</h2>"), "{section}");
    // the cost and bound with two decimals, both shares with one, the interval too
    let num = |k: &str| figures[k].parse::<f64>().unwrap();
    for text in [
        format!("Annual cost {:.2} M€", num("cost_meur_per_yr")),
        format!("less than {:.2} M€", num("lower_bound_meur_per_yr")),
        format!(
            "meets the target in {:.1} % of these samples",
            100.0 * num("probability_in_sample")
        ),
        format!(
            "95 % interval {:.1} %–{:.1} %",
            100.0 * num("probability_out_of_sample_low"),
            100.0 * num("probability_out_of_sample_high")
        ),
    ] {
        assert!(section.contains(&text), "{text} not in {section}");
    }
    assert!(section.contains("id=\"fig-frontier_menu\""), "{section}");
    assert!(html.contains("<a href=\"#plan\">Cheapest plan</a>"));
    // the manifest lists what the run read of the plan
    let manifest = std::fs::read_to_string(out.path().join("manifest.json")).unwrap();
    assert!(manifest.contains("plan/plan.csv"), "{manifest}");
    // a scenario the plan came from changes: the plan is stale and not shown
    let menu = scenarios.path().join("menu.toml");
    let mut text = std::fs::read_to_string(&menu).unwrap();
    text.push_str("\n# changed\n");
    std::fs::write(&menu, text).unwrap();
    with(&["run", "base", "menu"]);
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(!html.contains("<section id=\"plan\">"));
}

#[test]
fn a_count_decided_early_is_the_count_of_every_sample() {
    // `at_least` may stop evaluating once the answer is known: it must answer as `met` does,
    // at the count met, one more and one fewer, over rounds of samples and within one
    use kymsim::plan::Oracle;
    let region = tiny();
    let library = ScenarioLibrary::from_dir(&fixture(SCENARIOS)).unwrap();
    let prep = prepare(&region, &library, &request(0.8, 2)).unwrap();
    let all: Vec<u32> = (0..2000).collect();
    let some: Vec<u32> = (0..2000).step_by(7).collect();
    for levels in [[0u8; 5], [2; 5], [1, 2, 0, 2, 1], [2, 1, 1, 0, 2]] {
        for samples in [&all, &some] {
            let met = prep.models.met(&levels, samples).unwrap().len() as u32;
            for count in [0, met.saturating_sub(1), met, met + 1, samples.len() as u32] {
                assert_eq!(
                    prep.models.at_least(&levels, samples, count).unwrap(),
                    met >= count,
                    "{levels:?}: {met} met, at least {count}?"
                );
            }
        }
    }
}

#[test]
fn margins_give_the_verdicts_and_the_relaxation_bounds_the_real_model() {
    // The coupled bound rests on V(x) ≥ V(top) + Σ_c δ_c(x_c) for every sample's margins
    // (docs/decision-support.md §7). Checked on the bundled model itself — neutral2040's 42
    // candidates from baseline, the real target (gross limit and net zero in 2040) and the
    // milestone, 100 samples — at 12 portfolios spread over the grid; and each sample meets
    // exactly when all its margins are ≤ 0.
    use kymsim::data::{DataSource, load_region};
    use kymsim::plan::Oracle;
    let region = load_region(&DataSource::Embedded).unwrap();
    let library = ScenarioLibrary::bundled();
    let request = Request {
        menu: "neutral2040".into(),
        base: "baseline".into(),
        samples: 100,
        milestones: true,
        ..request(0.9, 2)
    };
    let prep = prepare(&region, &library, &request).unwrap();
    assert!(prep.coupled(), "{:?}", prep.interactions);
    let n = prep.menu.candidates.len();
    let k = prep.models.criteria();
    // gross 2040, net zero 2040, the 2030 milestone
    assert_eq!(k, 3);
    let samples: Vec<u32> = (0..100).collect();
    let top = vec![2u8; n];
    let base = prep.models.margins(&top, &samples).unwrap().unwrap();
    let mut rise = vec![vec![Vec::new(); 2]; n];
    for (c, levels) in rise.iter_mut().enumerate() {
        for (l, r) in levels.iter_mut().enumerate() {
            let mut x = top.clone();
            x[c] = l as u8;
            let m = prep.models.margins(&x, &samples).unwrap().unwrap();
            *r = m
                .iter()
                .zip(&base)
                .map(|(a, b)| a - b)
                .collect::<Vec<f64>>();
        }
    }
    let mut seed = 99u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as u8 % 3
    };
    let mut strict = 0;
    for _ in 0..12 {
        let x: Vec<u8> = (0..n).map(|_| next()).collect();
        let m = prep.models.margins(&x, &samples).unwrap().unwrap();
        let met = prep.models.met(&x, &samples).unwrap();
        for s in 0..100 {
            let row = &m[s * k..(s + 1) * k];
            assert_eq!(
                row.iter().all(|v| *v <= 0.0),
                met.contains(&(s as u32)),
                "sample {s}: margins {row:?}"
            );
            for j in 0..k {
                let predicted = base[s * k + j]
                    + (0..n)
                        .filter(|&c| x[c] < 2)
                        .map(|c| rise[c][x[c] as usize][s * k + j])
                        .sum::<f64>();
                // relative slack for rounding in sums of a few hundred kt
                assert!(
                    row[j] >= predicted - 1e-9 * predicted.abs().max(1.0),
                    "sample {s}, criterion {j}: {} below the relaxation's {predicted}",
                    row[j]
                );
                if row[j] > predicted + 1e-6 {
                    strict += 1;
                }
            }
        }
    }
    // measures do overlap: the relaxation is strict somewhere
    assert!(strict > 100, "{strict}");
}

#[test]
fn reinforcing_measures_fall_back_to_the_separable_bound_and_say_so() {
    // a switch of cars to electricity and cleaner electricity: the switch abates more once the
    // power is cleaner, so the coupled bound does not hold; the plan is still found and exact,
    // and the printed verdict says which bound it is and why (in both languages)
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("tests/fixtures/plan/menu.toml"),
        dir.path().join("menu.toml"),
    )
    .unwrap();
    std::fs::copy(
        fixture("tests/fixtures/plan/base.toml"),
        dir.path().join("base.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("reinforcing.toml"),
        r#"name = "reinforcing"
extends = "menu"

[[measures]]
id = "ev"
pillar = "transport"
kind = "fuel_switch"
targets = ["transport.cars"]
from = "diesel"
to = "electricity"
value = 0.8
adoption = { curve = "step", year = 2025 }
cost_eur_per_t = 80

[[measures]]
id = "green_power"
pillar = "energy"
kind = "carrier_ef"
targets = ["electricity"]
value = 0.5
adoption = { curve = "step", year = 2025 }
cost_eur_per_t = 40
"#,
    )
    .unwrap();
    for (lang, says) in [
        (
            "en",
            "the lower bound is the separable one only: these measures may reinforce each other: `ev` → `green_power`",
        ),
        (
            "fi",
            "alaraja on vain erillisten kustannusten alaraja: nämä toimenpiteet voivat vahvistaa toisiaan: `ev` → `green_power`",
        ),
    ] {
        let out = tempfile::tempdir().unwrap();
        kymsim()
            .args(["plan", "reinforcing", "--from", "base", "--data", DATA])
            .arg("--scenarios")
            .arg(dir.path())
            .args(["-p", "0.6", "--steps", "1", "--lang", lang, "--out"])
            .arg(out.path())
            .assert()
            .success()
            .stderr(contains(says));
    }
    // the fixture's own menu has no such pair: nothing is said
    let out = tempfile::tempdir().unwrap();
    plan(out.path(), &["-p", "0.9", "--steps", "1"])
        .success()
        .stderr(contains("separable").not());
}
