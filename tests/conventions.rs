//! Command-line conventions: closed pipes, completions, manual pages, one set of short flags
//! and one seed default, `-q` on every command, and `kymsim slurm`'s options.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const BATCH_SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/batch");

/// The stdout of a successful `kymsim ARGS`.
fn stdout_of(args: &[&str]) -> String {
    let out = cargo_bin_cmd!("kymsim").args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn tiny() -> String {
    common::tiny_dir().to_string_lossy().into_owned()
}

#[test]
fn closed_pipe_ends_quietly() {
    // the reading end is closed before kymsim writes: every write fails with EPIPE
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("kymsim"))
        .args(["list", "measures", "--bundled-scenarios"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        matches!(status.code(), Some(0) | Some(141)),
        "exit {status:?}; stderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_kymsim()"),
        ("zsh", "#compdef kymsim"),
        ("fish", "complete -c kymsim"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let text = stdout_of(&["completions", shell]);
        assert!(text.contains(marker), "{shell}: lacks `{marker}`");
        assert!(text.contains("goal-seek"), "{shell}: lacks a subcommand");
        // fish writes long flags as `-l name`
        assert!(text.contains("bundled-scenarios"), "{shell}: lacks a flag");
    }
    cargo_bin_cmd!("kymsim")
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn man_page_to_stdout_and_one_per_command() {
    cargo_bin_cmd!("kymsim")
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH kymsim 1"))
        .stdout(predicate::str::contains("goal\\-seek"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man");
    cargo_bin_cmd!("kymsim")
        .args(["man", "-q", "--out"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let run = std::fs::read_to_string(dir.join("kymsim-run.1")).unwrap();
    assert!(run.contains(".TH kymsim-run 1"));
    assert!(run.contains("require\\-target"));
    for page in [
        "kymsim.1",
        "kymsim-batch.1",
        "kymsim-slurm.1",
        "kymsim-completions.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
}

fn identity(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn short_flags_and_seed_default_agree_across_sampling_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny();
    let common_args = ["--data", data.as_str(), "--scenarios", BATCH_SCENARIOS];
    // defaults: the same seed
    cargo_bin_cmd!("kymsim")
        .arg("batch")
        .args(common_args)
        .args(["-q", "-n", "8", "--out"])
        .arg(tmp.path().join("a"))
        .assert()
        .success();
    cargo_bin_cmd!("kymsim")
        .arg("sensitivity")
        .args(common_args)
        .args(["-q", "-n", "4", "--resamples", "2", "--out"])
        .arg(tmp.path().join("a"))
        .assert()
        .success();
    let a = tmp.path().join("a");
    assert_eq!(identity(&a.join("batch/identity.json"))["seed"], 2040);
    assert_eq!(identity(&a.join("sensitivity-identity.json"))["seed"], 2040);
    // the short forms
    for cmd in ["batch", "sensitivity"] {
        cargo_bin_cmd!("kymsim")
            .arg(cmd)
            .args(common_args)
            .args(["-q", "-n", "6", "-s", "7", "-j", "1", "--out"])
            .arg(tmp.path().join("b"))
            .assert()
            .success();
    }
    let b = tmp.path().join("b");
    let batch = identity(&b.join("batch/identity.json"));
    let sens = identity(&b.join("sensitivity-identity.json"));
    assert_eq!(
        (batch["seed"].clone(), batch["samples"].clone()),
        (7.into(), 6.into())
    );
    assert_eq!(
        (sens["seed"].clone(), sens["samples"].clone()),
        (7.into(), 6.into())
    );
    cargo_bin_cmd!("kymsim")
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-s, --seed <S>"))
        .stdout(predicate::str::contains("[default: 2040]"));
}

#[test]
fn quiet_on_validate_list_and_goal_seek() {
    let data = tiny();
    cargo_bin_cmd!("kymsim")
        .args([
            "validate",
            "-q",
            "--data",
            &data,
            "--scenarios",
            BATCH_SCENARIOS,
        ])
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::is_empty());
    // list -q: the ids without the header line
    let text = stdout_of(&["list", "carriers", "-q", "--data", &data]);
    assert!(!text.contains("ef t/MWh"));
    assert!(text.contains("diesel"));
    cargo_bin_cmd!("kymsim")
        .args([
            "goal-seek",
            "uncertain",
            "--measure",
            "ev",
            "-q",
            "--data",
            &data,
        ])
        .args(["--scenarios", BATCH_SCENARIOS])
        .assert()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::is_empty());
}

fn slurm(tmp: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.args(["slurm", "--data"])
        .arg(common::tiny_dir())
        .args([
            "--scenarios",
            BATCH_SCENARIOS,
            "-n",
            "100",
            "--shards",
            "4",
            "--out",
        ])
        .arg(tmp.join("out"))
        .arg("--script-dir")
        .arg(tmp.join("scripts"))
        .args(extra);
    c
}

#[test]
fn slurm_help_shows_only_options_that_apply() {
    let help = stdout_of(&["slurm", "--help"]);
    for gone in ["--shard ", "--keep-samples", "--threads"] {
        assert!(!help.contains(gone), "slurm --help lists {gone}");
    }
    for shown in ["--shards", "--time", "--sbatch-arg", "--array-throttle"] {
        assert!(help.contains(shown), "slurm --help lacks {shown}");
    }
}

#[test]
fn slurm_time_formats() {
    let tmp = tempfile::tempdir().unwrap();
    for good in ["90", "30:00", "01:30:00", "2-0", "2-12:30", "1-00:00:00"] {
        slurm(tmp.path(), &["-q", "--time", good])
            .assert()
            .success();
        let script = std::fs::read_to_string(tmp.path().join("scripts/shards.sbatch")).unwrap();
        assert!(
            script.contains(&format!("#SBATCH --time={good}\n")),
            "{good}"
        );
    }
    for bad in ["1h", "1:2:3:4", "1-", "1-2:3:4:5", "1.5", ""] {
        slurm(tmp.path(), &["--time", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a Slurm time"));
    }
}

#[test]
fn slurm_passes_extra_options_and_throttle() {
    let tmp = tempfile::tempdir().unwrap();
    slurm(
        tmp.path(),
        &[
            "-q",
            "--sbatch-arg=--qos=long",
            "--sbatch-arg",
            "--constraint=avx2",
            "--array-throttle",
            "2",
        ],
    )
    .assert()
    .success();
    let shards = std::fs::read_to_string(tmp.path().join("scripts/shards.sbatch")).unwrap();
    let merge = std::fs::read_to_string(tmp.path().join("scripts/merge.sbatch")).unwrap();
    assert!(shards.contains("#SBATCH --array=1-4%2\n"));
    for s in [&shards, &merge] {
        assert!(s.contains("#SBATCH --qos=long\n"));
        assert!(s.contains("#SBATCH --constraint=avx2\n"));
    }
    slurm(tmp.path(), &["--sbatch-arg", "qos=long"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an sbatch option"));
    slurm(tmp.path(), &["--sbatch-arg", "--mail-user=a b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has a space or a quote"));
    slurm(tmp.path(), &["--array-throttle", "0"])
        .assert()
        .code(2);
}
