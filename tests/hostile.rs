//! Hostile files, folders and requests, tried as an attacker would: nothing is deleted or
//! replaced outside `--out` or through links, nothing a file holds runs as script in the
//! report, no special file blocks a reader, no position or total makes kymsim panic or write a
//! number past its limit, and damaged values behind a valid checksum are refused. The explorer's
//! cases are in `tests/serve_hostile.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin!("kymsim").to_path_buf()
}

fn tiny() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny")
}

fn scenarios() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/batch")
}

/// `kymsim run uncertain` of the tiny dataset into `out`, without charts unless asked.
fn run_tiny(out: &Path, charts: bool) -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.args(["run", "-q", "uncertain", "--data", tiny(), "--scenarios"])
        .arg(scenarios())
        .arg("--out")
        .arg(out);
    if !charts {
        c.arg("--no-charts");
    }
    c
}

/// `kymsim run uncertain --no-charts` into `out`, notes on stderr.
fn run_tiny_with_notes(out: &Path) -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.args([
        "run",
        "uncertain",
        "--no-charts",
        "--data",
        tiny(),
        "--scenarios",
    ])
    .arg(scenarios())
    .arg("--out")
    .arg(out);
    c
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

/// Runs kymsim with `args`, killing it after `limit`: a reader that blocks fails the test
/// instead of hanging it.
fn bounded(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kymsim {args:?} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---- 1: nothing deleted outside --out ----

#[test]
fn a_charts_folder_moved_away_and_linked_back_keeps_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    run_tiny(&out, true).assert().success();
    // the real charts now live elsewhere; charts/ in --out is a link to them
    let elsewhere = tmp.path().join("kept-charts");
    std::fs::rename(out.join("charts"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("charts")).unwrap();
    let before = std::fs::read_dir(&elsewhere).unwrap().count();
    assert!(before >= 4, "{before} charts");
    run_tiny_with_notes(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "leads through the symbolic link `charts`",
        ));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), before);
}

#[test]
fn a_manifest_entry_through_a_linked_folder_removes_nothing_outside_out() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    run_tiny(&out, false).assert().success();
    let victim_dir = tmp.path().join("home");
    std::fs::create_dir(&victim_dir).unwrap();
    std::fs::write(victim_dir.join("victim.txt"), "mine\n").unwrap();
    std::os::unix::fs::symlink(&victim_dir, out.join("evil")).unwrap();
    // an earlier manifest listing evil/victim.txt, and a deeper link on the way
    let manifest = out.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    m["outputs"]
        .as_array_mut()
        .unwrap()
        .extend(["evil/victim.txt".into(), "evil/../home/victim.txt".into()]);
    std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
    run_tiny_with_notes(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "`evil/victim.txt` leads through the symbolic link `evil`",
        ))
        .stderr(predicate::str::contains(
            "`evil/../home/victim.txt` is not a plain relative path inside the output folder",
        ));
    assert_eq!(
        std::fs::read_to_string(victim_dir.join("victim.txt")).unwrap(),
        "mine\n"
    );
}

#[test]
fn a_manifest_entry_outside_out_is_ignored_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    run_tiny(&out, false).assert().success();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "mine\n").unwrap();
    let manifest = out.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    m["outputs"].as_array_mut().unwrap().extend([
        s(&victim).into(),
        "../victim.txt".into(),
        "old.csv".into(),
    ]);
    std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
    // a file of an earlier run inside --out is still removed
    std::fs::write(out.join("old.csv"), "x\n").unwrap();
    let o = bounded(
        &[
            "run",
            "uncertain",
            "--no-charts",
            "--data",
            tiny(),
            "--scenarios",
            scenarios(),
            "--out",
            s(&out),
        ],
        Duration::from_secs(120),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("`../victim.txt` is not a plain relative path"),
        "{err}"
    );
    assert!(err.contains("removed 1 file(s)"), "{err}");
    assert!(victim.exists());
    assert!(!out.join("old.csv").exists());
}

// ---- 2: writers never replace special files ----

#[test]
fn check_junit_never_replaces_a_fifo() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("a.csv");
    std::fs::write(
        &csv,
        "model,scenario,region,variable,unit,2030\nm,s,R,Net,kt,1\n",
    )
    .unwrap();
    let fifo = tmp.path().join("junit.xml");
    mkfifo(&fifo);
    let o = bounded(
        &["check", s(&csv), s(&csv), "--junit", s(&fifo)],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("junit.xml` is not a regular file (a FIFO (named pipe)); kymsim replaces only regular files")
            || stderr(&o).contains("is a FIFO (named pipe); kymsim replaces only regular files"),
        "{}",
        stderr(&o)
    );
    assert!(is_fifo(&fifo), "the FIFO is still there");
}

#[test]
fn run_never_replaces_a_fifo_at_an_output_name() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir(&out).unwrap();
    mkfifo(&out.join("summary.csv"));
    let o = bounded(
        &[
            "run",
            "-q",
            "uncertain",
            "--no-charts",
            "--data",
            tiny(),
            "--scenarios",
            scenarios(),
            "--out",
            s(&out),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("kymsim replaces only regular files"));
    assert!(is_fifo(&out.join("summary.csv")));
    assert!(!out.join("results.csv").exists(), "nothing written");
}

// ---- 3: no script in report.html ----

fn manifest_inputs(out: &Path) -> serde_json::Value {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    m["inputs"].clone()
}

fn plant_discovery(out: &Path, svg: &str, inputs: serde_json::Value) {
    std::fs::create_dir_all(out.join("charts")).unwrap();
    std::fs::write(out.join("charts/discovery_uncertain.svg"), svg).unwrap();
    let identity = serde_json::json!({
        "kymsim_version": env!("CARGO_PKG_VERSION"),
        "scenario": "uncertain",
        "inputs": inputs,
    });
    std::fs::write(
        out.join("discovery_identity.json"),
        serde_json::to_vec(&identity).unwrap(),
    )
    .unwrap();
}

const PLAIN_SVG: &str = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" opacity=\"1\" fill=\"#ABCDEF\" stroke=\"none\"/>\n<text x=\"1\" y=\"5\" fill=\"#000000\">planted-plain</text>\n</svg>\n";

#[test]
fn a_planted_chart_whose_identity_lists_no_inputs_is_not_inlined() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    // a plain drawing: only the empty input list keeps it out
    plant_discovery(&out, PLAIN_SVG, serde_json::json!([]));
    run_tiny(&out, true).assert().success();
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!report.contains("planted-plain"));
    assert!(!report.contains("fig-discovery_uncertain"));
}

#[test]
fn a_chart_with_a_script_is_not_inlined_even_when_its_inputs_match() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    run_tiny(&out, false).assert().success();
    let inputs = manifest_inputs(&out);
    // the same identity with a plain drawing is shown: the rule is about the content
    plant_discovery(&out, PLAIN_SVG, inputs.clone());
    run_tiny(&out, true).assert().success();
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("planted-plain"), "the plain chart is shown");
    plant_discovery(
        &out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.domain)</script><text>planted-script</text></svg>",
        inputs,
    );
    run_tiny(&out, true).assert().success();
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!report.contains("planted-script"));
    assert!(!report.contains("<script"));
}

/// `run --no-charts` into `out`, then `results.csv` and `summary.csv` with the scenario renamed.
fn rename_scenario_in(out: &Path, name: &str) {
    run_tiny(out, false).assert().success();
    for f in ["results.csv", "summary.csv"] {
        let p = out.join(f);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(
            &p,
            text.replace(",uncertain,", &format!(",{name},"))
                .replace("\nuncertain,", &format!("\n{name},")),
        )
        .unwrap();
    }
}

#[test]
fn plot_refuses_a_scenario_name_with_markup_before_writing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    rename_scenario_in(&out, "<img src=x onerror=alert(1)>");
    cargo_bin_cmd!("kymsim")
        .arg("plot")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`<img src=x onerror=alert(1)>` is not a scenario name",
        ))
        .stderr(predicate::str::contains("results.csv:2:"));
    assert!(!out.join("report.html").exists());
    assert!(!out.join("charts").exists());
}

#[test]
fn plot_refuses_a_scenario_name_with_dots_before_creating_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    rename_scenario_in(&out, "..");
    cargo_bin_cmd!("kymsim")
        .arg("plot")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`..` is not a scenario name"));
    assert!(!out.join("charts").exists(), "charts/ not even created");
}

#[test]
fn a_javascript_link_in_sources_md_is_text_in_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for e in std::fs::read_dir(tiny()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
    }
    std::fs::write(
        data.join("SOURCES.md"),
        "# Sources\n\n[click me](javascript:alert(1)) [data](DATA:text/html,x) <javascript:alert(2)> [Syke](https://www.syke.fi/)\n",
    )
    .unwrap();
    let out = tmp.path().join("o");
    cargo_bin_cmd!("kymsim")
        .args([
            "run",
            "-q",
            "uncertain",
            "--scenarios",
            scenarios(),
            "--data",
        ])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    let lower = report.to_ascii_lowercase();
    assert!(!lower.contains("href=\"javascript"), "no javascript: link");
    assert!(!lower.contains("href=\"data:"), "no data: link");
    assert!(report.contains("click me"), "the text stays");
    assert!(report.contains("<a href=\"https://www.syke.fi/\">Syke</a>"));
}

// ---- 5: readers check the type and size of what they read ----

#[test]
fn check_refuses_a_fifo_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("a.csv");
    std::fs::write(
        &csv,
        "model,scenario,region,variable,unit,2030\nm,s,R,Net,kt,1\n",
    )
    .unwrap();
    let fifo = tmp.path().join("b.csv");
    mkfifo(&fifo);
    let o = bounded(&["check", s(&csv), s(&fifo)], Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("b.csv` is not a regular file (a FIFO (named pipe))"));
}

#[test]
fn check_refuses_a_device() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("a.csv");
    std::fs::write(
        &csv,
        "model,scenario,region,variable,unit,2030\nm,s,R,Net,kt,1\n",
    )
    .unwrap();
    let o = bounded(&["check", s(&csv), "/dev/zero"], Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("`/dev/zero` is not a regular file (a character device)"));
    // also as a tolerances file
    let o = bounded(
        &["check", s(&csv), s(&csv), "--tolerances", "/dev/zero"],
        Duration::from_secs(30),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn check_refuses_a_line_longer_than_its_bound_without_holding_it() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.csv");
    std::fs::write(
        &a,
        "model,scenario,region,variable,unit,2030\nm,s,R,Net,kt,1\n",
    )
    .unwrap();
    // 17 MiB without a line break
    let b = tmp.path().join("b.csv");
    std::fs::write(&b, vec![b'x'; 17 << 20]).unwrap();
    let o = bounded(&["check", s(&a), s(&b)], Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a line is longer than 16 MiB"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_does_not_walk_into_linked_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let (e, a) = (tmp.path().join("e"), tmp.path().join("a"));
    for d in [&e, &a] {
        std::fs::create_dir(d).unwrap();
        std::fs::write(
            d.join("results.csv"),
            "model,scenario,region,variable,unit,2030\nm,s,R,Net,kt,1\n",
        )
        .unwrap();
    }
    // a link to the root of the disk and one to the folder itself: neither is entered
    std::os::unix::fs::symlink("/", e.join("root")).unwrap();
    std::os::unix::fs::symlink(".", e.join("loop")).unwrap();
    let o = bounded(&["check", "-q", s(&e), s(&a)], Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_fifo_named_manifest_json_in_out_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir(&out).unwrap();
    mkfifo(&out.join("manifest.json"));
    let o = bounded(
        &[
            "run",
            "-q",
            "uncertain",
            "--data",
            tiny(),
            "--scenarios",
            scenarios(),
            "--out",
            s(&out),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("manifest.json` is not a regular file (a FIFO (named pipe))"));
    assert!(is_fifo(&out.join("manifest.json")));
}

#[test]
fn a_fifo_named_discovery_identity_json_in_out_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir(&out).unwrap();
    mkfifo(&out.join("discovery_identity.json"));
    let o = bounded(
        &[
            "run",
            "-q",
            "uncertain",
            "--data",
            tiny(),
            "--scenarios",
            scenarios(),
            "--out",
            s(&out),
        ],
        Duration::from_secs(120),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("discovery_identity.json` is not a regular file"));
    assert!(!out.join("results.csv").exists(), "nothing written");
}

#[test]
fn a_tolerances_file_of_too_many_rules_is_refused_quickly_and_a_large_one_reads_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("a.csv");
    std::fs::write(
        &csv,
        "model,scenario,region,variable,unit,2030\nm,s,R,Net,kt,1\n",
    )
    .unwrap();
    let rules = |n: usize| {
        (0..n)
            .map(|i| format!("\"Var|{i}|*\" = {{ rtol = 1e-3 }}\n"))
            .collect::<String>()
    };
    let many = tmp.path().join("many.toml");
    std::fs::write(&many, rules(100_000)).unwrap();
    let start = Instant::now();
    let o = bounded(
        &["check", s(&csv), s(&csv), "--tolerances", s(&many)],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("100000 rules; a tolerances file holds at most 10000"));
    // the limit itself: 10,000 rules, located line by line, well within a few seconds
    let max = tmp.path().join("max.toml");
    std::fs::write(&max, rules(10_000)).unwrap();
    let o = bounded(
        &["check", "-q", s(&csv), s(&csv), "--tolerances", s(&max)],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(start.elapsed() < Duration::from_secs(30));
}

// ---- 7: error positions of any size ----

#[test]
fn an_error_past_column_65535_in_a_scenario_is_printed_without_panicking() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sc");
    std::fs::create_dir(&dir).unwrap();
    let long = "x".repeat(70_000);
    std::fs::write(
        dir.join("wide.toml"),
        format!("description = \"{long}\" trailing\n"),
    )
    .unwrap();
    let o = bounded(
        &["validate", "--data", tiny(), "--scenarios", s(&dir)],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(err.contains("wide.toml:1:700"), "{err}");
    // the line is shown around the caret, not whole
    assert!(err.len() < 2_000, "{} bytes", err.len());
    assert!(err.contains('…') && err.contains('^'), "{err}");
}

#[test]
fn an_error_past_column_65535_in_a_checked_csv_is_printed_without_panicking() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.csv");
    let long = "m".repeat(70_000);
    std::fs::write(
        &a,
        format!("model,scenario,region,variable,unit,2030\n{long},s,R,Net,kt,not-a-number\n"),
    )
    .unwrap();
    let o = bounded(&["check", s(&a), s(&a)], Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(err.contains("not-a-number"), "{err}");
    assert!(err.len() < 2_000, "{} bytes", err.len());
}

// ---- 8: totals past the finiteness limit ----

#[test]
fn a_cumulative_total_past_the_limit_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for e in std::fs::read_dir(tiny()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
    }
    // cows: 1.9e14 head × 5000 t/head = 9.5e14 kt a year, below 1e15; 11 years sum to 1.05e16
    let sources = std::fs::read_to_string(data.join("sources.csv")).unwrap();
    std::fs::write(
        data.join("sources.csv"),
        sources.replace(
            "agriculture.cows,Cows,Agriculture,emission,head,1000,,,,,5,",
            "agriculture.cows,Cows,Agriculture,emission,head,190000000000000,,,,,5000,",
        ),
    )
    .unwrap();
    let sc = tmp.path().join("sc");
    std::fs::create_dir(&sc).unwrap();
    std::fs::write(sc.join("none.toml"), "description = \"no measures\"\n").unwrap();
    for charts in [false, true] {
        let out = tmp.path().join(format!("o-{charts}"));
        let mut c = cargo_bin_cmd!("kymsim");
        c.args([
            "run",
            "-q",
            "--data",
            s(&data),
            "--scenarios",
            s(&sc),
            "--out",
            s(&out),
        ]);
        if !charts {
            c.arg("--no-charts");
        }
        c.assert()
            .code(2)
            .stderr(predicate::str::contains(
                "summary.csv would hold 10450000000000238 in column `cumulative_net_kt` (row 2, scenario `none`)",
            ))
            .stderr(predicate::str::contains("summary.csv:2").not());
        assert!(!out.join("summary.csv").exists());
        assert!(!out.join("manifest.json").exists());
    }
}

// ---- 9: merge checks the values of every part ----

fn shard(out: &Path, k: u32) {
    cargo_bin_cmd!("kymsim")
        .args(["batch", "-q", "uncertain", "-n", "40", "--data", tiny()])
        .args([
            "--scenarios",
            scenarios(),
            "--shard",
            &format!("{k}/2"),
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

#[test]
fn merge_refuses_a_nan_behind_a_valid_checksum() {
    use kymsim::batch::part::Part;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    shard(&out, 1);
    shard(&out, 2);
    let file = out.join("batch/parts/part-2-of-2.kpart");
    let mut part = Part::from_bytes(&std::fs::read(&file).unwrap(), "p").unwrap();
    part.partials[0].net_target[3] = f64::NAN;
    // re-encoded: its checksum is valid
    std::fs::write(&file, part.to_bytes()).unwrap();
    let into = tmp.path().join("m");
    cargo_bin_cmd!("kymsim")
        .args(["merge", "-q"])
        .arg(out.join("batch/parts"))
        .arg("--out")
        .arg(&into)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "scenario `uncertain`: a target-year net emission of NaN",
        ));
    assert!(!into.join("batch/stats.csv").exists());
}

#[test]
fn damaged_values_behind_a_valid_checksum_are_refused() {
    use kymsim::batch::part::Part;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    shard(&out, 1);
    let bytes = std::fs::read(out.join("batch/parts/part-1-of-2.kpart")).unwrap();
    let good = Part::from_bytes(&bytes, "p").unwrap();
    let p = &good.partials[0];
    // each kind of insane value, one at a time, re-encoded with a valid checksum
    type Damage = Box<dyn Fn(&mut Part)>;
    let damage: Vec<(&str, Damage)> = vec![
        ("min NaN", Box::new(|q| q.partials[0].min[0] = f64::NAN)),
        (
            "max inf",
            Box::new(|q| q.partials[0].max[1] = f64::INFINITY),
        ),
        (
            "min above max",
            Box::new(|q| q.partials[0].min[2] = q.partials[0].max[2] + 1.0),
        ),
        ("huge value", Box::new(|q| q.partials[0].max[0] = 1e300)),
        (
            "sum beyond the range",
            Box::new(|q| q.partials[0].sums[0] = i128::MAX / 2),
        ),
        ("net 1e16", Box::new(|q| q.partials[0].net_target[0] = 1e16)),
        (
            "neutrality index",
            Box::new(|q| q.partials[0].neutrality[0] = 60_000),
        ),
        (
            "more met than samples",
            Box::new(|q| q.partials[0].target_met = q.partials[0].count + 1),
        ),
    ];
    assert!(p.count > 0);
    for (what, hurt) in damage {
        let mut bad = good.clone();
        hurt(&mut bad);
        assert!(
            Part::from_bytes(&bad.to_bytes(), "p").is_err(),
            "{what} was accepted"
        );
    }
}

// ---- 11: smaller findings ----

#[test]
fn list_scenarios_shows_control_characters_as_escapes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sc");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("odd.toml"),
        "description = \"red \\u001b[31mALERT\\u001b[0m \\u0007 done\"\n",
    )
    .unwrap();
    let o = bounded(
        &[
            "list",
            "scenarios",
            "--data",
            tiny(),
            "--scenarios",
            s(&dir),
        ],
        Duration::from_secs(30),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(
        out.contains("red \\u{1b}[31mALERT\\u{1b}[0m \\u{7} done"),
        "{out}"
    );
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn outputs_honour_the_umask() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let man = tmp.path().join("man");
    let script = format!(
        "umask 022 && {k} run -q uncertain --no-charts --data {d} --scenarios {s} --out {o} && {k} man --out {m}",
        k = bin().display(),
        d = tiny(),
        s = scenarios(),
        o = out.display(),
        m = man.display(),
    );
    assert!(
        Command::new("sh")
            .args(["-c", &script])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(mode(&out.join("summary.csv")), 0o644);
    assert_eq!(mode(&out.join("manifest.json")), 0o644);
    assert_eq!(mode(&man.join("kymsim.1")), 0o644);
    let out = tmp.path().join("o2");
    let script = format!(
        "umask 077 && {k} run -q uncertain --no-charts --data {d} --scenarios {s} --out {o}",
        k = bin().display(),
        d = tiny(),
        s = scenarios(),
        o = out.display(),
    );
    assert!(
        Command::new("sh")
            .args(["-c", &script])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(mode(&out.join("summary.csv")), 0o600);
}

#[test]
fn a_ten_megabyte_offending_line_is_shortened_in_the_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sc");
    std::fs::create_dir(&dir).unwrap();
    let long = "y".repeat(10 << 20);
    std::fs::write(
        dir.join("big.toml"),
        format!("description = \"{long}\"\nunknown_key = 1\nbad = \"{long}\" x\n"),
    )
    .unwrap();
    let o = bounded(
        &["validate", "--data", tiny(), "--scenarios", s(&dir)],
        Duration::from_secs(120),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stderr.len() < 4_000, "{} bytes of stderr", o.stderr.len());
}

#[test]
fn extends_with_a_scenarios_folder_looks_only_in_that_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sc");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("child.toml"),
        "description = \"a child\"\nextends = \"baseline\"\n",
    )
    .unwrap();
    // `baseline` is bundled, but the library is the folder: documented in scenario-format.md
    cargo_bin_cmd!("kymsim")
        .args(["validate", "--scenarios", s(&dir)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no scenario named `baseline`"));
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/scenario-format.md"
    ))
    .unwrap();
    assert!(!doc.contains("in the same folder, or bundled"));
}
