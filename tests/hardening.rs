//! Hardening: interruption leaves old or new complete results, a full disk gives a clear error
//! and leaves no temporary files, huge requests are refused, output stays inside `--out`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin!("kymsim").to_path_buf()
}

fn hidden_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            if name.starts_with('.') {
                out.push(name.clone());
            }
            if e.path().is_dir() {
                out.extend(hidden_files(&e.path()));
            }
        }
    }
    out
}

#[test]
fn interrupted_batch_keeps_previous_complete_results() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    cargo_bin_cmd!("kymsim")
        .args(["batch", "-q", "programme", "-n", "64", "--out"])
        .arg(&out)
        .assert()
        .success();
    let previous = std::fs::read(out.join("batch/stats.csv")).unwrap();
    for (delay_ms, signal) in [(150u64, "INT"), (600, "TERM"), (1200, "INT")] {
        let child = Command::new(bin())
            .args(["batch", "-q", "programme", "-n", "2000000", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let output = child.wait_with_output().unwrap();
        let expected = if signal == "INT" { 130 } else { 143 };
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("interrupted"));
        // the previous results are whole and unchanged, and nothing temporary is left
        assert_eq!(
            std::fs::read(out.join("batch/stats.csv")).unwrap(),
            previous
        );
        assert_eq!(hidden_files(&out), Vec::<String>::new());
    }
}

#[test]
fn full_disk_is_a_clear_error_and_leaves_nothing() {
    let root = unsafe_is_root();
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = root
        && Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16k", "tmpfs"])
            .arg(&mnt)
            .status()
            .is_ok_and(|s| s.success());
    if !mounted {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to mount a small tmpfs (run as root)"
        );
        eprintln!(
            "SKIPPED: full_disk_is_a_clear_error_and_leaves_nothing needs root to mount a 16 KiB tmpfs"
        );
        return;
    }
    let result = cargo_bin_cmd!("kymsim")
        .args(["run", "-q", "--no-charts", "--out"])
        .arg(&mnt)
        .output()
        .unwrap();
    let listing: Vec<String> = std::fs::read_dir(&mnt)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let _ = Command::new("umount").arg(&mnt).status();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("disk is not full"),
        "{stderr}"
    );
    assert_eq!(listing, Vec::<String>::new(), "files left on the full disk");
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn huge_sample_counts_are_refused() {
    cargo_bin_cmd!("kymsim")
        .args([
            "batch",
            "-n",
            "1000000000000",
            "--out",
            "/nonexistent/never",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--samples 1000000000000 is out of range",
        ));
}

#[test]
fn too_many_measures_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..501 {
        text.push_str(&format!(
            "[[measures]]\nid = \"m{i}\"\npillar = \"other\"\nkind = \"activity\"\ntargets = [\"transport.cars\"]\nvalue = 0.001\nadoption = {{ curve = \"step\", year = 2025 }}\n"
        ));
    }
    let file = tmp.path().join("many.toml");
    std::fs::write(&file, text).unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny");
    cargo_bin_cmd!("kymsim")
        .args(["validate", "--data", data])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has 501 measures; at most 500"));
}

#[test]
fn run_writes_only_inside_out() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    cargo_bin_cmd!("kymsim")
        .current_dir(tmp.path())
        .args(["run", "-q", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let top: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(top, vec!["out".to_string()]);
}

/// A panic is a bug: exit code 3 and a report naming what to send, never Rust's 101. The test
/// build honours `KYMSIM_DEBUG_PANIC` (release builds ignore it) to panic on purpose.
#[test]
fn a_panic_exits_3_with_a_bug_report() {
    let out = cargo_bin_cmd!("kymsim")
        .args(["list", "scenarios"])
        .env("KYMSIM_DEBUG_PANIC", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("internal error: kymsim ") && stderr.contains("stopped at a bug"),
        "{stderr}"
    );
    assert!(stderr.contains("KYMSIM_DEBUG_PANIC is set"), "{stderr}");
    assert!(
        stderr.contains("the command line: ") && stderr.contains(" list scenarios"),
        "{stderr}"
    );
    // the place of the panic, file:line:column
    assert!(stderr.contains("--> src/cli/panic.rs:"), "{stderr}");
    assert!(out.stdout.is_empty(), "the command did not run");
    // without the variable the same command runs
    cargo_bin_cmd!("kymsim")
        .args(["list", "scenarios", "-q"])
        .assert()
        .success();
}
