//! `kymsim track`: the update by observed years against a hidden truth, observations outside
//! the ensemble, too few effective samples, the outputs and one test per bad observations file.

mod common;

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use kymsim::data::{DataSource, load_region};
use kymsim::engine::run_at;
use kymsim::engine::sampler::SamplerKind;
use kymsim::input::TextFile;
use kymsim::model::{Model, compile};
use kymsim::scenario::{Scenario, ScenarioLibrary};
use kymsim::track::{Outcome, Posterior, Request, update};

const ROAD: &str = "Emissions|Kyoto Gases|Transport|Road";
const INPUT: &str = "uncertainty.road_activity";

fn neutral2040() -> (kymsim::data::Region, Scenario, Model) {
    let region = load_region(&DataSource::Embedded).unwrap();
    let sc = ScenarioLibrary::bundled().resolve("neutral2040").unwrap();
    let model = compile(&region, &sc).unwrap();
    (region, sc, model)
}

/// Observations made by the model itself with road activity at `truth` and every other input
/// at its central value: road transport and gross emissions in 2022–2024, each with sd 2 % of
/// its value. The activity factors form a split group (the base-year total is kept), so road
/// alone gives only its factor over the group's weighted sum.
fn hidden_truth_csv(model: &Model, truth: f64) -> String {
    let r = run_at(model, &truth_params(model, truth));
    let mut csv = String::from("year,variable,kt,sd_kt,provenance\n");
    for year in 2022..=2024 {
        for v in [ROAD, "Emissions|Kyoto Gases"] {
            let row = model.variables.index(v).unwrap();
            let kt = r.vars[row * model.ny + (year - model.base_year) as usize];
            if kt > 1.0 {
                csv.push_str(&format!("{year},{v},{kt},{},model\n", kt * 0.02));
            }
        }
    }
    csv
}

fn truth_params(model: &Model, truth: f64) -> Vec<f64> {
    let mut p = model.central();
    let k = model.params.iter().position(|p| p.name == INPUT).unwrap();
    p[k] = truth;
    p
}

/// Whether the hidden truth meets the gross criterion: the way P(gross met) should move.
fn truth_meets_gross(model: &Model, truth: f64) -> bool {
    run_at(model, &truth_params(model, truth))
        .summary
        .gross_met
        .unwrap()
}

fn posterior(
    model: &Model,
    region: &kymsim::data::Region,
    sc: &Scenario,
    csv: &str,
    n: u64,
) -> Outcome {
    let file = TextFile::from_bytes("observed.csv", csv.as_bytes()).unwrap();
    update(&Request {
        region,
        scenario: sc,
        model,
        observed: &file,
        samples: n,
        seed: 2040,
        sampler: SamplerKind::MonteCarlo,
    })
    .unwrap()
}

fn updated(o: Outcome) -> Box<Posterior> {
    match o {
        Outcome::Updated(p) => p,
        other => panic!("not updated: {other:?}"),
    }
}

/// The update of 4,000 samples on [`hidden_truth_csv`], and the column of [`INPUT`].
fn update_on_truth(
    model: &Model,
    region: &kymsim::data::Region,
    sc: &Scenario,
    truth: f64,
) -> (Box<Posterior>, usize) {
    let csv = hidden_truth_csv(model, truth);
    let post = updated(posterior(model, region, sc, &csv, 4000));
    let j = post
        .ensemble
        .params
        .iter()
        .position(|&k| model.params[k].name == INPUT)
        .unwrap();
    (post, j)
}

#[test]
fn hidden_truth_moves_the_input_to_the_truth_and_shrinks_its_spread() {
    let (region, sc, model) = neutral2040();
    // road activity's prior is about 1.0 ± 0.1; the truth lies 1.5 sd above
    let truth = 1.15;
    let (post, j) = update_on_truth(&model, &region, &sc, truth);
    let ((prior_mean, prior_sd), (mean, sd)) = post.input(j);
    assert!((prior_mean - 1.0).abs() < 0.01, "prior mean {prior_mean}");
    assert!(
        (mean - truth).abs() <= sd,
        "posterior {mean} ± {sd}, truth {truth}"
    );
    // the observations narrow it by a fifth at least (measured: 0.100 → 0.068)
    assert!(sd < 0.8 * prior_sd, "posterior sd {sd} vs prior {prior_sd}");
    // P(gross met) moves towards the truth's verdict
    let n = model.criteria.list.len();
    let k = model
        .criteria
        .list
        .iter()
        .position(|c| c.id == "gross_met")
        .unwrap();
    let (before, after) = post.p_criterion(k, n);
    if truth_meets_gross(&model, truth) {
        assert!(after > before, "P(gross met) {before} → {after}");
    } else {
        assert!(after < before, "P(gross met) {before} → {after}");
    }
    // the effective sample size is reported and lies between the threshold and N
    assert!(post.effective >= kymsim::track::MIN_EFFECTIVE_SAMPLES && post.effective < 4000.0);
}

#[test]
fn a_truth_below_the_centre_moves_the_input_down() {
    let (region, sc, model) = neutral2040();
    let truth = 0.88;
    let (post, j) = update_on_truth(&model, &region, &sc, truth);
    let ((_, prior_sd), (mean, sd)) = post.input(j);
    assert!(
        (mean - truth).abs() <= sd,
        "posterior {mean} ± {sd}, truth {truth}"
    );
    assert!(sd < prior_sd);
}

#[test]
fn the_update_is_the_same_for_any_thread_count() {
    let (region, sc, model) = neutral2040();
    let csv = hidden_truth_csv(&model, 1.1);
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let post = updated(pool.install(|| posterior(&model, &region, &sc, &csv, 1500)));
        (post.weights, post.ensemble.inputs)
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn an_observation_5_sd_outside_the_ensemble_is_reported_not_weighted() {
    let (region, sc, model) = neutral2040();
    // road transport 2024 is about 236 kt ± 20 % in the prior: 1,000 kt with sd 10 is far beyond
    let csv = format!("year,variable,kt,sd_kt,provenance\n2024,{ROAD},1000,10,test\n");
    match posterior(&model, &region, &sc, &csv, 500) {
        Outcome::OutsideEnsemble(list) => {
            assert_eq!(list.len(), 1);
            assert_eq!(list[0].observation.year, 2024);
            assert!(list[0].sigmas > 5.0);
            assert!(list[0].range.1 < 1000.0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_few_effective_samples_stop_and_say_how_many_are_needed() {
    let (region, sc, model) = neutral2040();
    // a truth pinned to 0.1 % with 200 samples leaves only a handful carrying weight
    let csv: String = hidden_truth_csv(&model, 1.1)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            if f[0] == "year" {
                format!("{l}\n")
            } else {
                let kt: f64 = f[2].parse().unwrap();
                format!("{},{},{},{},test\n", f[0], f[1], kt, kt * 0.001)
            }
        })
        .collect();
    match posterior(&model, &region, &sc, &csv, 200) {
        Outcome::TooFewEffective { effective, needed } => {
            assert!(effective < kymsim::track::MIN_EFFECTIVE_SAMPLES);
            // N × 100 / ESS, rounded up
            let want = (200.0 * 100.0 / effective).ceil() as u64;
            assert_eq!(needed, want);
        }
        Outcome::OutsideEnsemble(_) => {}
        other => panic!("{other:?}"),
    }
}

fn kymsim_track(dir: &Path, observed: &str, extra: &[&str]) -> std::process::Output {
    let file = dir.join("observed.csv");
    std::fs::write(&file, observed).unwrap();
    let mut cmd = cargo_bin_cmd!("kymsim");
    cmd.args([
        "track",
        "programme",
        "--bundled-scenarios",
        "-q",
        "-n",
        "300",
        "--observed",
    ])
    .arg(&file)
    .arg("--out")
    .arg(dir.join("out"))
    .args(extra);
    cmd.output().unwrap()
}

#[test]
fn track_writes_its_files_with_the_budget_and_every_criterion() {
    let dir = tempfile::tempdir().unwrap();
    let obs = "year,variable,kt,sd_kt,provenance\n2022,Emissions|Kyoto Gases,1035,30,test\n2023,Emissions|Kyoto Gases,1000,30,test\n2023,Emissions|Kyoto Gases|Transport|Road,240,,test\n";
    let out = kymsim_track(dir.path(), obs, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = dir.path().join("out/track");
    let summary = std::fs::read_to_string(t.join("summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    assert_eq!(
        header,
        "scenario,samples,effective_samples,prior_p_target_met,posterior_p_target_met,\
prior_p_gross_met,posterior_p_gross_met,prior_p_net_zero_met,posterior_p_net_zero_met,\
prior_p_milestone_2030,posterior_p_milestone_2030,prior_p_within_budget,posterior_p_within_budget,\
prior_net_kt_p5,prior_net_kt_p50,prior_net_kt_p95,posterior_net_kt_p5,posterior_net_kt_p50,posterior_net_kt_p95"
    );
    let obs_csv = std::fs::read_to_string(t.join("observations.csv")).unwrap();
    // the road figure without sd_kt gets the default: 5 % of 240 = 12 kt
    assert!(
        obs_csv.contains("2023,Emissions|Kyoto Gases|Transport|Road,240,12,"),
        "{obs_csv}"
    );
    let dev = std::fs::read_to_string(t.join("deviation.csv")).unwrap();
    // the latest year only: 2023, two variables
    assert_eq!(dev.lines().count(), 3, "{dev}");
    assert!(dev.lines().skip(1).all(|l| l.starts_with("2023,")));
    assert!(t.join("charts/track_programme.svg").is_file());
    assert!(t.join("charts/track_programme.png").is_file());
    // the same seed gives the same bytes with another thread count
    let first = std::fs::read(t.join("posterior.csv")).unwrap();
    let out = kymsim_track(dir.path(), obs, &["-j", "1"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(t.join("posterior.csv")).unwrap(), first);
}

#[test]
fn a_5_sd_miss_exits_1_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = kymsim_track(
        dir.path(),
        "year,variable,kt,sd_kt,provenance\n2023,Emissions|Kyoto Gases,2000,20,test\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("outside the ensemble"), "{err}");
    assert!(err.contains("2023 Emissions|Kyoto Gases"), "{err}");
    assert!(!dir.path().join("out/track").exists());
}

/// Runs track on a bad observations file: exit 2, the message names the file, line and column.
fn bad(observed: &str, line: usize, want: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = kymsim_track(dir.path(), observed, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("observed.csv:{line}:")), "{err}");
    assert!(err.contains(want), "{err}");
    assert!(!dir.path().join("out/track").exists());
}

const HEAD: &str = "year,variable,kt,sd_kt,provenance\n";

#[test]
fn bad_unknown_variable() {
    bad(
        &format!("{HEAD}2023,Emissions|Kyoto Gases|Transport|Raod,240,,x\n"),
        2,
        "unknown variable",
    );
}

#[test]
fn bad_year_at_the_base_year() {
    bad(
        &format!("{HEAD}2021,Emissions|Kyoto Gases,1000,,x\n"),
        2,
        "outside the years",
    );
}

#[test]
fn bad_year_after_the_horizon() {
    bad(
        &format!("{HEAD}2051,Emissions|Kyoto Gases,1000,,x\n"),
        2,
        "outside the years",
    );
}

#[test]
fn bad_duplicate_row() {
    bad(
        &format!("{HEAD}2023,Emissions|Kyoto Gases,1000,,x\n2023,Emissions|Kyoto Gases,990,,y\n"),
        3,
        "observed twice (first on line 2)",
    );
}

#[test]
fn bad_negative_value() {
    bad(
        &format!("{HEAD}2023,Emissions|Kyoto Gases,-5,,x\n"),
        2,
        "finite number ≥ 0",
    );
}

#[test]
fn bad_non_finite_value() {
    bad(
        &format!("{HEAD}2023,Emissions|Kyoto Gases,inf,,x\n"),
        2,
        "kt",
    );
}

#[test]
fn bad_zero_sd() {
    bad(
        &format!("{HEAD}2023,Emissions|Kyoto Gases,1000,0,x\n"),
        2,
        "`sd_kt` = 0",
    );
}

/// `kymsim run … --out DIR` after `track`: the report's "On track?" section while `track/` is
/// current, left out (with a note) once its recorded inputs are not this run's.
#[test]
fn the_report_shows_a_current_track_and_leaves_a_stale_one_out() {
    let dir = tempfile::tempdir().unwrap();
    let obs = "year,variable,kt,sd_kt,provenance\n2022,Emissions|Kyoto Gases,1035,30,test\n2023,Emissions|Kyoto Gases,1000,30,test\n";
    assert_eq!(kymsim_track(dir.path(), obs, &[]).status.code(), Some(0));
    let out = dir.path().join("out");
    let run = |scenario: &str| {
        cargo_bin_cmd!("kymsim")
            .args(["run", scenario, "--bundled-scenarios", "--out"])
            .arg(&out)
            .output()
            .unwrap()
    };
    // programme (extends baseline): the very inputs track recorded
    let o = run("programme");
    assert!(o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("track/summary.csv"), "{err}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<section id=\"track\">"));
    assert!(
        html.contains("<h2>On track? — Scenario programme</h2>"),
        "no heading"
    );
    // the observed years, the probabilities in words, the observations and the chart
    assert!(html.contains("The observed years 2022–2023 weigh the 300 samples"));
    assert!(html.contains("met with probability"));
    assert!(html.contains("<td>2023</td><td>Gross emissions</td><td class=\"num\">1 000</td>"));
    assert!(html.contains("<figure id=\"fig-track\""));
    assert!(html.contains("Compared with the central projection, 2023: Gross emissions"));
    // the budget in words under the summary
    assert!(html.contains("programme: Carbon budget 2021–2040: 10 168 kt (gross emissions)"));
    // baseline alone: programme's scenario file is not an input, so track/ is stale
    let o = run("baseline");
    assert!(o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("note: track/ is not drawn"), "{err}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<section id=\"track\">"));
}
