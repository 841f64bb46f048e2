//! A batch run as a real Slurm job array (4 shards + merge job) gives exactly the bytes of the
//! single-machine batch. Needs a running Slurm (`bash tests/slurm/setup.sh up`, as root): without
//! one the test prints `SKIPPED` and passes, unless `CI` is set, when it fails.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;

const OUTPUTS: [&str; 4] = [
    "batch/stats.csv",
    "batch/summary.csv",
    "batch/distributions.csv",
    "batch/identity.json",
];

/// Why Slurm cannot be used here, if it cannot.
fn unavailable() -> Option<String> {
    for tool in ["sbatch", "sinfo", "squeue", "scontrol"] {
        let found = Command::new(tool).arg("--version").output();
        if !found.is_ok_and(|o| o.status.success()) {
            return Some(format!("`{tool}` is not available"));
        }
    }
    let states = Command::new("sinfo").args(["-h", "-o", "%t"]).output();
    let states = match states {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => {
            return Some(format!(
                "sinfo failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Err(e) => return Some(format!("sinfo failed: {e}")),
    };
    if !states.lines().any(|s| s.trim() == "idle") {
        return Some(format!(
            "no idle Slurm node (sinfo states: {})",
            states.split_whitespace().collect::<Vec<_>>().join(", ")
        ));
    }
    None
}

fn run(cmd: &mut Command) -> String {
    let o = cmd.output().expect("command runs");
    assert!(
        o.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Waits until none of the jobs is queued or running.
fn wait_for(jobs: &[&str], logs: &Path) {
    let start = Instant::now();
    loop {
        let o = Command::new("squeue")
            .args(["-h", "-j", &jobs.join(",")])
            .output()
            .expect("squeue runs");
        if o.status.success() && String::from_utf8_lossy(&o.stdout).trim().is_empty() {
            return;
        }
        if start.elapsed() > Duration::from_secs(120) {
            for j in jobs {
                let _ = Command::new("scancel").arg(j).status();
            }
            panic!(
                "Slurm jobs {} not done after 120 s; logs in {}",
                jobs.join(","),
                logs.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn logs_of(dir: &Path) -> String {
    let mut s = String::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            s.push_str(&format!(
                "--- {}\n{}\n",
                e.path().display(),
                std::fs::read_to_string(e.path()).unwrap_or_default()
            ));
        }
    }
    s
}

fn slurm_batch_equals_single_machine(tmp: &Path, label: &str, extra: &[&str]) {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny");
    let scen = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/batch");
    let mut args: Vec<&str> = vec![
        "--data",
        data,
        "--scenarios",
        scen,
        "-n",
        "3000",
        "--sampler",
        "lhs",
    ];
    args.extend_from_slice(extra);
    let single = tmp.join(format!("{label}-single"));
    let cluster = tmp.join(format!("{label}-cluster"));
    let scripts = tmp.join(format!("{label}-scripts"));
    cargo_bin_cmd!("kymsim")
        .arg("batch")
        .args(&args)
        .args(["-q", "--threads", "2", "--out"])
        .arg(&single)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .assert()
        .success();
    cargo_bin_cmd!("kymsim")
        .arg("slurm")
        .args(&args)
        .args(["--shards", "4", "--time", "00:05:00", "--out"])
        .arg(&cluster)
        .arg("--script-dir")
        .arg(&scripts)
        .assert()
        .success();
    let out = run(Command::new("bash").arg(scripts.join("submit.sh")));
    // "array job 12 (4 shards), merge job 13"
    let line = out
        .lines()
        .find(|l| l.starts_with("array job "))
        .unwrap_or_else(|| panic!("submit.sh said: {out}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let (array, merge) = (words[2], words[words.len() - 1]);
    eprintln!("{label}: submitted array job {array}, merge job {merge}");
    let logs = scripts.join("logs");
    wait_for(&[array, merge], &logs);
    for f in OUTPUTS {
        let a = std::fs::read(single.join(f)).unwrap();
        let b = std::fs::read(cluster.join(f)).unwrap_or_else(|e| {
            let job = Command::new("scontrol")
                .args(["show", "job", merge])
                .output();
            panic!(
                "{label}: {f} not written by the Slurm jobs ({e})\n{}\n{}",
                job.map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap_or_default(),
                logs_of(&logs)
            )
        });
        assert!(
            a == b,
            "{label}: {f} differs between the Slurm run and the single machine"
        );
    }
    for k in 1..=4 {
        assert!(
            cluster
                .join(format!("batch/parts/part-{k}-of-4.kpart"))
                .is_file()
        );
    }
    let shard_logs = logs_of(&logs);
    assert!(
        shard_logs.contains("from SLURM_ARRAY_TASK_ID="),
        "{shard_logs}"
    );
}

#[test]
fn slurm_job_array_equals_single_machine_batch() {
    if let Some(why) = unavailable() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "Slurm is required under CI (run `bash tests/slurm/setup.sh up` as root first): {why}"
            );
        }
        eprintln!(
            "\n*** SKIPPED: Slurm test not run: {why}. Start Slurm with `sudo bash tests/slurm/setup.sh up`. ***\n"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // exact quantiles, then histograms
    slurm_batch_equals_single_machine(tmp.path(), "exact", &[]);
    slurm_batch_equals_single_machine(tmp.path(), "hist", &["--exact-limit", "1000"]);
}
