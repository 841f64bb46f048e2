//! Security and integrity: outputs cannot be redirected through planted links, concurrent
//! writers take turns, generated scripts run no injected commands, damaged parts and outputs
//! are detected, hostile sizes are refused before allocating. Each test reproduces one finding.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

// ---- finding 1: a symlink planted at the temporary name ----

#[test]
fn a_link_planted_at_the_old_temporary_name_is_not_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir(&out).unwrap();
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, "V\n").unwrap();
    // the shell's pid becomes kymsim's pid through `exec`: the name the old writer used
    let script = format!(
        "ln -s {v} {o}/.summary.csv.tmp-$$ && exec {k} run -q uncertain --no-charts --data {d} --scenarios {s} --out {o}",
        v = victim.display(),
        o = out.display(),
        k = bin().display(),
        d = tiny(),
        s = scenarios(),
    );
    let status = Command::new("bash").args(["-c", &script]).status().unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "V\n");
    let meta = std::fs::symlink_metadata(out.join("summary.csv")).unwrap();
    assert!(meta.is_file(), "summary.csv must be a plain file");
}

#[test]
fn a_link_at_an_output_name_is_replaced_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir(&out).unwrap();
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, "V\n").unwrap();
    std::os::unix::fs::symlink(&victim, out.join("results.csv")).unwrap();
    run_tiny(&out, false).assert().success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "V\n");
    let meta = std::fs::symlink_metadata(out.join("results.csv")).unwrap();
    assert!(meta.is_file());
    assert!(
        std::fs::read_to_string(out.join("results.csv"))
            .unwrap()
            .starts_with("model,scenario,region")
    );
}

// ---- finding 2: a planted charts/ link ----

#[test]
fn a_planted_charts_link_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let elsewhere = tmp.path().join("vd");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("charts")).unwrap();
    run_tiny(&out, true)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"))
        .stderr(predicate::str::contains("charts"));
    assert!(listing(&elsewhere).is_empty(), "written through the link");
    // all or nothing: no other output appeared either
    assert_eq!(listing(&out), vec!["charts"]);
}

// ---- finding 7: concurrent writers ----

#[test]
fn a_second_writer_waits_for_the_lock_on_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir(&out).unwrap();
    // hold the lock kymsim takes (flock(2) on the folder) from another process until told
    let mut holder = Command::new("flock")
        .arg("-x")
        .arg(&out)
        .args(["-c", "echo locked; read -r line || :"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the flock(1) tool of util-linux");
    let mut said = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut said,
    )
    .unwrap();
    assert_eq!(said, "locked\n");
    let mut child = Command::new(bin())
        .args(["run", "-q", "uncertain", "--no-charts", "--data", tiny()])
        .arg("--scenarios")
        .arg(scenarios())
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the first line on stderr says it waits; nothing is written while the lock is held
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
    assert!(line.contains("waiting for another kymsim"), "{line}");
    assert!(listing(&out).is_empty());
    // releasing the lock lets the waiting writer finish
    drop(holder.stdin.take());
    assert!(holder.wait().unwrap().success());
    assert!(child.wait().unwrap().success());
    assert!(out.join("results.csv").is_file() && out.join("summary.csv").is_file());
}

// ---- finding 9: stray temporary files of a killed run ----

#[test]
fn stray_temporary_files_of_a_killed_run_are_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir_all(out.join("batch")).unwrap();
    let stray = [
        out.join("batch/.samples.csv.tmp-4242"),
        out.join(".results.csv.Xy12Ab34Cd.kymsim-tmp"),
    ];
    for f in &stray {
        std::fs::write(f, "partial").unwrap();
    }
    let mine = out.join("notes.txt");
    std::fs::write(&mine, "mine").unwrap();
    run_tiny(&out, false).assert().success();
    for f in &stray {
        assert!(!f.exists(), "{} left", f.display());
    }
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "mine");
}

// ---- finding 12: --out on a dangling link ----

#[test]
fn out_on_a_dangling_link_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::os::unix::fs::symlink(tmp.path().join("gone"), &out).unwrap();
    run_tiny(&out, false)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"))
        .stderr(predicate::str::contains("does not exist"));
}

// ---- finding 3: command injection through generated scripts ----

/// A fake `sbatch` that prints a job id, so `submit.sh` runs to its end without Slurm.
fn fake_sbatch(dir: &Path) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let f = bin.join("sbatch");
    std::fs::write(&f, "#!/bin/sh\necho 42\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn slurm_scripts_do_not_run_commands_hidden_in_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let scripts = tmp.path().join("s$(touch PWNED1)`touch PWNED2`");
    let out = "o$(touch PWNED3)`touch PWNED4`'q\"";
    cargo_bin_cmd!("kymsim")
        .current_dir(tmp.path())
        .args(["slurm", "-q", "uncertain", "-n", "4", "--shards", "2"])
        .args(["--data", tiny(), "--scenarios", scenarios()])
        .args(["--kymsim", "/bin/true", "--out", out, "--script-dir"])
        .arg(&scripts)
        .assert()
        .success();
    let fakebin = fake_sbatch(tmp.path());
    let path = format!(
        "{}:{}",
        fakebin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for script in ["submit.sh", "shards.sbatch", "merge.sbatch"] {
        let file = scripts.join(script);
        let syntax = Command::new("bash").arg("-n").arg(&file).status().unwrap();
        assert!(syntax.success(), "{script} is not valid shell");
        // run it for real: its kymsim is /bin/true, its sbatch the fake
        let o = Command::new("bash")
            .arg(&file)
            .current_dir(tmp.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        if script == "submit.sh" {
            let said = String::from_utf8_lossy(&o.stdout);
            assert!(
                said.contains("$(touch PWNED3)`touch PWNED4`'q\"/batch"),
                "{said}"
            );
        }
    }
    let found = Command::new("find")
        .arg(tmp.path())
        .args(["-name", "PWNED*"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&found.stdout), "");
}

#[test]
fn slurm_refuses_a_path_with_a_line_break() {
    let tmp = tempfile::tempdir().unwrap();
    let scripts = tmp.path().join("s");
    cargo_bin_cmd!("kymsim")
        .current_dir(tmp.path())
        .args(["slurm", "-q", "uncertain", "-n", "4", "--shards", "2"])
        .args(["--data", tiny(), "--scenarios", scenarios()])
        .args(["--out", "o\ntouch PWNED\n", "--script-dir"])
        .arg(&scripts)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("control character"));
    assert!(!scripts.exists());
}

// ---- finding 5: damaged shard parts ----

fn shard(out: &Path, k: u32) -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.args(["batch", "uncertain", "-n", "40", "--data", tiny()])
        .args([
            "--scenarios",
            scenarios(),
            "--shard",
            &format!("{k}/2"),
            "--out",
        ])
        .arg(out);
    c
}

/// `kymsim merge` of the parts under `out` into `into`.
fn merge(out: &Path, into: &Path) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("kymsim")
        .args(["merge", "-q"])
        .arg(out.join("batch/parts"))
        .arg("--out")
        .arg(into)
        .assert()
}

#[test]
fn a_damaged_part_is_refused_by_merge_and_recomputed_by_its_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    shard(&out, 1).assert().success();
    shard(&out, 2).assert().success();
    let part = out.join("batch/parts/part-1-of-2.kpart");
    let good = std::fs::read(&part).unwrap();
    // 16 bytes flipped at 20 % of the file, as in the report
    let mut bad = good.clone();
    let at = bad.len() / 5;
    for b in &mut bad[at..at + 16] {
        *b = !*b;
    }
    std::fs::write(&part, &bad).unwrap();
    let merged = tmp.path().join("m");
    merge(&out, &merged)
        .code(2)
        .stderr(predicate::str::contains("checksum does not match"));
    assert!(!merged.join("batch").exists());
    // resuming the shard redoes the damaged part instead of skipping it
    shard(&out, 1)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "incomplete or damaged: recomputing",
        ));
    assert_eq!(std::fs::read(&part).unwrap(), good);
    merge(&out, &merged).success();
}

#[test]
fn a_part_cut_short_is_refused_by_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    shard(&out, 1).assert().success();
    shard(&out, 2).assert().success();
    let part = out.join("batch/parts/part-2-of-2.kpart");
    let bytes = std::fs::read(&part).unwrap();
    std::fs::write(&part, &bytes[..bytes.len() - 1]).unwrap();
    merge(&out, &tmp.path().join("m"))
        .code(2)
        .stderr(predicate::str::contains("part-2-of-2.kpart"));
}

// ---- finding 6: a truncated output kept as up to date ----

#[test]
fn a_truncated_batch_output_is_recomputed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let batch = || {
        let mut c = cargo_bin_cmd!("kymsim");
        c.args(["batch", "uncertain", "-n", "40", "--data", tiny()])
            .args(["--scenarios", scenarios(), "--out"])
            .arg(&out);
        c
    };
    batch().assert().success();
    let stats = out.join("batch/stats.csv");
    let good = std::fs::read(&stats).unwrap();
    // unchanged outputs are recognised as up to date
    batch()
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to do"));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&stats)
        .unwrap()
        .set_len(1000.min(good.len() as u64 - 1))
        .unwrap();
    batch()
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to do").not());
    assert_eq!(std::fs::read(&stats).unwrap(), good);
    // the checksums can be checked with sha256sum from inside batch/
    let sums = std::fs::read_to_string(out.join("batch/checksums.sha256")).unwrap();
    assert!(sums.contains("  stats.csv\n"), "{sums}");
}

// ---- finding 8: aborts instead of clean errors ----

#[test]
fn permutations_out_of_range_are_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    for n in ["0", "1000000000000"] {
        run_tiny(&out, false)
            .args(["--permutations", n])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--permutations {n} is out of range"
            )));
    }
    assert!(!out.exists());
}

#[test]
fn a_deep_extends_chain_is_refused_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    // s0 extends s1 extends … s39: 40 files, deeper than the limit of 32
    for i in 0..40 {
        let text = if i == 39 {
            String::new()
        } else {
            format!("extends = \"s{}\"\n", i + 1)
        };
        std::fs::write(tmp.path().join(format!("s{i}.toml")), text).unwrap();
    }
    cargo_bin_cmd!("kymsim")
        .args(["validate", "s0", "--data", tiny(), "--scenarios"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`extends` chain is deeper than 32 scenarios (s0 → … → s32)",
        ));
    // a chain within the limit resolves
    cargo_bin_cmd!("kymsim")
        .args(["validate", "s20", "--data", tiny(), "--scenarios"])
        .arg(tmp.path())
        .assert()
        .success();
}

#[test]
fn sensitivity_beyond_its_memory_bound_is_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    // `uncertain` has k = 6 uncertain parameters: N·(k + 2) = 100,000,000 · 8 = 8e8 values,
    // above 2^27 = 134,217,728; the largest N allowed is 134,217,728 / 8 = 16,777,216
    cargo_bin_cmd!("kymsim")
        .args(["sensitivity", "uncertain", "--samples", "100000000"])
        .args(["--data", tiny(), "--scenarios", scenarios(), "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("6 uncertain parameters"))
        .stderr(predicate::str::contains("give at most --samples 16777216"));
    assert!(!out.exists());
}

// ---- finding 12: written before refusing ----

#[test]
fn run_with_a_missing_check_folder_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    run_tiny(&out, false)
        .arg("--check")
        .arg(tmp.path().join("nonexistent"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is not a folder of expected results",
        ));
    assert!(!out.exists());
}

#[test]
fn import_alas_writes_nothing_outside_out() {
    let tmp = tempfile::tempdir().unwrap();
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir(&scratch).unwrap();
    let alas = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/alas");
    cargo_bin_cmd!("kymsim")
        .env("TMPDIR", &scratch)
        .current_dir(tmp.path())
        .arg("import-alas")
        .arg("--municipalities")
        .arg(format!("{alas}/asukasluvut_2023.csv"))
        .arg(format!("{alas}/kunta_075.csv"))
        .args(["--region", "Kymenlaakso", "--out", "kymi"])
        .assert()
        .success();
    assert!(listing(&scratch).is_empty(), "{:?}", listing(&scratch));
    assert_eq!(listing(tmp.path()), vec!["kymi", "tmp"]);
}

#[test]
fn repeated_alas_rows_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let alas = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/alas");
    let text = std::fs::read_to_string(format!("{alas}/kunta_075.csv")).unwrap();
    // every data row twice: 26 rows, 26 repeats; the first repeat is line 3, of line 2
    let mut lines = text.lines();
    let mut doubled = format!("{}\n", lines.next().unwrap());
    for l in lines {
        doubled.push_str(&format!("{l}\n{l}\n"));
    }
    let file = tmp.path().join("kunta_075.csv");
    std::fs::write(&file, doubled).unwrap();
    cargo_bin_cmd!("kymsim")
        .arg("import-alas")
        .arg("--municipalities")
        .arg(format!("{alas}/asukasluvut_2023.csv"))
        .arg(&file)
        .args(["--region", "Kymenlaakso", "--out"])
        .arg(tmp.path().join("kymi"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "this row repeats line 2 exactly (26 repeated row(s) in the file)",
        ))
        .stderr(predicate::str::contains("kunta_075.csv:3:1"));
    assert!(!tmp.path().join("kymi").exists());
}

// ---- finding 10 and 12: what a data file may be ----

/// A copy of the tiny dataset in `dir`, with `history.csv` removed.
fn tiny_copy(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for e in std::fs::read_dir(tiny()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
    }
    std::fs::remove_file(data.join("history.csv")).unwrap();
    data
}

#[test]
fn a_data_file_that_is_a_folder_is_a_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_copy(tmp.path());
    std::fs::create_dir(data.join("history.csv")).unwrap();
    cargo_bin_cmd!("kymsim")
        .args(["validate", "--scenarios", scenarios(), "--data"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("history.csv` is a folder"));
}

#[test]
fn a_fifo_as_a_data_file_is_refused_without_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_copy(tmp.path());
    let made = Command::new("mkfifo")
        .arg(data.join("history.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    // a read would block forever with no writer: the type is checked before opening
    cargo_bin_cmd!("kymsim")
        .args(["validate", "--scenarios", scenarios(), "--data"])
        .arg(&data)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a regular file"));
}

#[test]
fn a_long_history_loads_and_its_duplicates_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_copy(tmp.path());
    // 160 sectors × 500 years (1801–2300) = 80,000 rows, plus the 1990 and 2020 totals
    let mut text = String::from("year,sector,kt\n1990,Total,100\n2020,Total,30\n");
    for s in 0..160 {
        for y in 1801..=2300 {
            text.push_str(&format!("{y},S{s},1\n"));
        }
    }
    std::fs::write(data.join("history.csv"), &text).unwrap();
    cargo_bin_cmd!("kymsim")
        .args(["validate", "--scenarios", scenarios(), "--data"])
        .arg(&data)
        .assert()
        .success()
        .stdout(predicate::str::contains("S159"));
    // the same row again at the end: line 1 header + 2 totals + 80,000 rows + 1 = 80,004
    text.push_str("2300,S159,2\n");
    std::fs::write(data.join("history.csv"), &text).unwrap();
    cargo_bin_cmd!("kymsim")
        .args(["validate", "--scenarios", scenarios(), "--data"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("history has `S159` in 2300 twice"))
        .stderr(predicate::str::contains("history.csv:80004"));
}

// ---- finding 4: NaN and inf must never reach a file ----

/// Runs `kymsim ARGS… s --data tiny --scenarios DIR --out DIR/o` with `s.toml` = `text`.
fn with_scenario(text: &str, args: &[&str]) -> (tempfile::TempDir, assert_cmd::assert::Assert) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), text).unwrap();
    let assert = cargo_bin_cmd!("kymsim")
        .args(args)
        .args(["s", "--data", tiny(), "--scenarios"])
        .arg(tmp.path())
        .arg("--out")
        .arg(tmp.path().join("o"))
        .assert();
    (tmp, assert)
}

const REMOVAL: &str = "kind = \"removal\"\npillar = \"bioeconomy\"\nsector = \"BECCS\"\nadoption = { curve = \"step\", year = 2025 }\n";

#[test]
fn huge_removals_are_refused_naming_the_measure() {
    let text = format!(
        "[[measures]]\nid = \"r1\"\nvalue = 1e308\n{REMOVAL}\n[[measures]]\nid = \"r2\"\nvalue = 1e308\n{REMOVAL}"
    );
    let (tmp, a) = with_scenario(&text, &["run", "-q"]);
    a.code(2).stderr(predicate::str::contains(
        "`measure.r1.value` can reach 1e308, beyond the limit of ±1e6 on any value",
    ));
    assert!(!tmp.path().join("o").exists());
}

#[test]
fn a_huge_cost_is_refused_naming_the_measure() {
    let text = format!("[[measures]]\nid = \"r1\"\nvalue = 5\ncost_eur_per_t = 1e308\n{REMOVAL}");
    let (_tmp, a) = with_scenario(&text, &["run", "-q"]);
    a.code(2).stderr(predicate::str::contains(
        "`measure.r1.cost` can reach 1e308",
    ));
}

#[test]
fn a_flat_logistic_curve_is_refused() {
    let text = "[[measures]]\nid = \"ev\"\npillar = \"transport\"\nkind = \"activity\"\ntargets = [\"transport.cars\"]\nvalue = 0.5\nadoption = { curve = \"logistic\", start = 2021, full = 2030, k = 1e-300 }\n";
    let (_tmp, a) = with_scenario(text, &["run", "-q"]);
    a.code(2)
        .stderr(predicate::str::contains("logistic steepness k ="))
        .stderr(predicate::str::contains("must be in [0.01, 100]"));
}

#[test]
fn a_driver_factor_with_an_enormous_spread_is_refused() {
    let text = "[[uncertainty]]\nid = \"pop\"\ntarget = \"driver:population\"\nfactor = { dist = \"lognormal\", median = 1, sigma = 1000 }\n";
    let (_tmp, a) = with_scenario(text, &["batch", "-q", "-n", "10"]);
    a.code(2)
        .stderr(predicate::str::contains("`uncertainty.pop` can reach"));
}

#[test]
fn a_driver_factor_that_can_make_the_driver_negative_is_refused() {
    // population 100 (2020) → 80 (2030), −2 a year; a factor f gives 100 + f·(−2t), below zero
    // for f → 6 once t > 100/12 = 8.3, i.e. in 2029
    let text = "[[uncertainty]]\nid = \"pop\"\ntarget = \"driver:population\"\nfactor = { dist = \"uniform\", min = 0, max = 6 }\n";
    let (tmp, a) = with_scenario(text, &["batch", "-q", "-n", "10"]);
    a.code(2).stderr(predicate::str::contains(
        "driver `population` becomes negative in 2029 when `uncertainty.pop` = 5.99",
    ));
    assert!(!tmp.path().join("o").exists());
}

/// Two factors on the tiny dataset's population (100 in 2020 → 80 in 2030). Each alone (the
/// other central, 1.2) keeps it ≥ 100 − 20·2.4·1.2 = 42.4; together they scale the change by
/// f1·f2, below zero in 2030 when f1·f2 > 5 (≈ 0.9 % of the draws).
const TWO_FACTORS: &str = "[[uncertainty]]\nid = \"f1\"\ntarget = \"driver:population\"\nfactor = { dist = \"uniform\", min = 0, max = 2.4 }\n\n[[uncertainty]]\nid = \"f2\"\ntarget = \"driver:population\"\nfactor = { dist = \"uniform\", min = 0, max = 2.4 }\n";

#[test]
fn a_sample_that_makes_a_driver_negative_stops_the_batch_naming_it() {
    let text = TWO_FACTORS;
    let mut first: Option<String> = None;
    for threads in ["1", "2"] {
        let (tmp, a) = with_scenario(text, &["batch", "-q", "-n", "2000", "-j", threads]);
        let out = a.code(2).get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            stderr.contains("scenario `s`, sample ")
                && stderr.contains("driver `population` becomes negative in")
                && stderr.contains("uncertainty.f1 = ")
                && stderr.contains("uncertainty.f2 = "),
            "{stderr}"
        );
        assert!(!tmp.path().join("o").exists());
        // the same sample is named whatever the thread count
        match &first {
            None => first = Some(stderr),
            Some(f) => assert_eq!(f, &stderr),
        }
    }
}

// ---- finding 9: a signal while the files are written ----

#[test]
fn a_signal_while_samples_are_written_exits_130_and_keeps_the_previous_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let batch = |n: &str| {
        let mut c = Command::new(bin());
        c.args(["batch", "-q", "uncertain", "--keep-samples", "-n", n])
            .args(["--data", tiny(), "--scenarios", scenarios(), "--out"])
            .arg(&out);
        c
    };
    assert!(batch("20").status().unwrap().success());
    let previous = std::fs::read(out.join("batch/samples.csv")).unwrap();
    let mut child = batch("400000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // wait until the samples file is being written (its temporary file exists), then interrupt
    let writing = || {
        listing(&out.join("batch"))
            .iter()
            .any(|f| f.starts_with(".samples.csv.") && f.ends_with(".kymsim-tmp"))
    };
    while !writing() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the batch ended before writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!stderr.contains("disk"), "{stderr}");
    assert_eq!(
        std::fs::read(out.join("batch/samples.csv")).unwrap(),
        previous
    );
    assert!(
        !listing(&out.join("batch"))
            .iter()
            .any(|f| f.starts_with('.')),
        "{:?}",
        listing(&out.join("batch"))
    );
}

#[test]
fn central_results_that_overflow_are_refused_naming_the_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_copy(tmp.path());
    // cars: activity 100 × intensity 500 give the tiny dataset's 12.5 kt in 2020; activity and
    // intensity of 1e14 each (both accepted, below 1e15) give 12.5 × 1e28 / 5e4 = 2.5e24 kt,
    // which no reader of results.csv would accept back
    let sources = std::fs::read_to_string(data.join("sources.csv"))
        .unwrap()
        .replace(
            "transport.cars,Cars,Transport|Cars,emission,Mvkm,100,population,,500,",
            "transport.cars,Cars,Transport|Cars,emission,Mvkm,1e14,population,,1e14,",
        );
    std::fs::write(data.join("sources.csv"), sources).unwrap();
    std::fs::write(tmp.path().join("s.toml"), "").unwrap();
    let out = tmp.path().join("o");
    cargo_bin_cmd!("kymsim")
        .args(["run", "-q", "s", "--scenarios"])
        .arg(tmp.path())
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "scenario `s`: `Emissions|Kyoto Gases` in 2020 is 2.500e24, beyond the ±1e15 any result may reach at the central values",
        ));
    assert!(!out.exists());
}

#[test]
fn sensitivity_refuses_draws_that_make_a_driver_negative() {
    let (tmp, a) = with_scenario(TWO_FACTORS, &["sensitivity", "-q"]);
    a.code(2).stderr(predicate::str::contains(
        "scenario `s`: some draws of the sensitivity analysis make a driver negative",
    ));
    assert!(!tmp.path().join("o").exists());
}

// ---- the part reader against damaged bytes (a deterministic complement to the fuzz target) ----

#[test]
fn the_part_reader_refuses_every_cut_and_flip_without_panicking() {
    use kymsim::batch::part::{Part, check_parts, with_checksum};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    shard(&out, 1).assert().success();
    let bytes = std::fs::read(out.join("batch/parts/part-1-of-2.kpart")).unwrap();
    assert!(Part::from_bytes(&bytes, "p").is_ok());
    // shorter files and single flipped bytes are refused (the checksum covers all): every
    // position in the head, then a spread of positions through the payload
    let positions = || (0..64).chain((64..bytes.len()).step_by(61));
    for cut in positions() {
        assert!(
            Part::from_bytes(&bytes[..cut], "p").is_err(),
            "cut at {cut}"
        );
    }
    for i in positions() {
        let mut b = bytes.clone();
        b[i] ^= 0x5a;
        assert!(Part::from_bytes(&b, "p").is_err(), "flip at {i}");
    }
    // damaged payloads with a valid checksum reach the decoder and the header checks: an error
    // or a part, never a panic
    let payload = &bytes[44..];
    for i in (0..payload.len()).step_by(3) {
        let mut p = payload.to_vec();
        p[i] ^= 0xff;
        if let Ok(part) = Part::from_bytes(&with_checksum(&p), "p") {
            let _ = check_parts(vec![("p".into(), part)]);
        }
    }
}
