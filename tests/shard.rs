//! Sharded batches: merged shards equal the unsharded batch byte for byte; shard detection from
//! the environment; merge refusals; resume; damaged parts.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

const OUTPUTS: [&str; 4] = [
    "batch/stats.csv",
    "batch/summary.csv",
    "batch/distributions.csv",
    "batch/identity.json",
];

const ENV: [&str; 5] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "JOB_COMPLETION_INDEX",
    "KYMSIM_SHARDS",
];

fn scen_dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/batch").to_string()
}

fn cmd() -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    for v in ENV {
        c.env_remove(v);
    }
    c
}

fn base(samples: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "--data",
        tiny_dir().to_str().unwrap(),
        "--scenarios",
        &scen_dir(),
        "-n",
        samples,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn batch(args: &[String], out: &Path) -> assert_cmd::assert::Assert {
    cmd().arg("batch").args(args).arg("--out").arg(out).assert()
}

fn merge(parts: &[&Path], out: &Path) -> assert_cmd::assert::Assert {
    cmd()
        .arg("merge")
        .args(parts)
        .arg("--out")
        .arg(out)
        .assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn shard(args: &[String], k: u64, n: u64, out: &Path) -> PathBuf {
    let mut a = args.to_vec();
    a.extend(["--shard".into(), format!("{k}/{n}"), "-q".into()]);
    batch(&a, out).success();
    out.join(format!("batch/parts/part-{k}-of-{n}.kpart"))
}

fn same_outputs(a: &Path, b: &Path) {
    for f in OUTPUTS {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn merged_shards_equal_the_unsharded_batch() {
    let tmp = tempfile::tempdir().unwrap();
    // exact quantiles, then histograms (pilot ranges; a tiny exact limit)
    for (mode, extra) in [
        ("exact", vec!["--sampler", "lhs"]),
        ("hist", vec!["--exact-limit", "1000"]),
    ] {
        let args = base("2500", &extra);
        let whole = tmp.path().join(format!("{mode}-whole"));
        let mut a = args.clone();
        a.push("-q".into());
        batch(&a, &whole).success();
        for n in [1, 3, 4] {
            let shards = tmp.path().join(format!("{mode}-{n}"));
            // shards computed in reverse order: order does not matter
            for k in (1..=n).rev() {
                shard(&args, k, n, &shards);
            }
            let merged = tmp.path().join(format!("{mode}-{n}-merged"));
            let m = merge(&[&shards.join("batch/parts")], &merged).success();
            assert!(stdout(&m).contains("wrote"));
            same_outputs(&whole, &merged);
            assert!(merged.join("batch/manifest.json").is_file());
        }
    }
}

#[test]
fn shard_comes_from_slurm_array_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let args = base("400", &[]);
    // an array --array=4-7: index 5 is the second of four
    let a = cmd()
        .arg("batch")
        .args(&args)
        .arg("--out")
        .arg(tmp.path())
        .env("SLURM_ARRAY_TASK_ID", "5")
        .env("SLURM_ARRAY_TASK_MIN", "4")
        .env("SLURM_ARRAY_TASK_COUNT", "4")
        .assert()
        .success();
    let err = stderr(&a);
    assert!(err.contains("shard 2/4"), "{err}");
    assert!(err.contains("SLURM_ARRAY_TASK_MIN=4"), "{err}");
    assert!(tmp.path().join("batch/parts/part-2-of-4.kpart").is_file());
    // Kubernetes indexed jobs: 0-based index, count from KYMSIM_SHARDS
    let a = cmd()
        .arg("batch")
        .args(&args)
        .arg("--out")
        .arg(tmp.path())
        .env("JOB_COMPLETION_INDEX", "0")
        .env("KYMSIM_SHARDS", "4")
        .assert()
        .success();
    assert!(stderr(&a).contains("shard 1/4 (from JOB_COMPLETION_INDEX=0"));
    assert!(tmp.path().join("batch/parts/part-1-of-4.kpart").is_file());
    // an index outside the array
    let a = cmd()
        .arg("batch")
        .args(&args)
        .arg("--out")
        .arg(tmp.path())
        .env("SLURM_ARRAY_TASK_ID", "9")
        .env("SLURM_ARRAY_TASK_MIN", "4")
        .env("SLURM_ARRAY_TASK_COUNT", "4")
        .assert()
        .code(2);
    assert!(stderr(&a).contains("shard 6 of 4 does not exist"));
}

#[test]
fn merge_refuses_parts_that_do_not_belong_together() {
    let tmp = tempfile::tempdir().unwrap();
    let args = base("600", &[]);
    let good = tmp.path().join("good");
    let p: Vec<PathBuf> = (1..=4).map(|k| shard(&args, k, 4, &good)).collect();
    let out = tmp.path().join("out");

    // another seed
    let mut seeded = args.clone();
    seeded.extend(["--seed".into(), "7".into()]);
    let other = shard(&seeded, 2, 4, &tmp.path().join("seed"));
    let a = merge(&[&p[0], &other, &p[2], &p[3]], &out).code(2);
    assert!(stderr(&a).contains("seed 2040"), "{}", stderr(&a));
    assert!(stderr(&a).contains("parts from different batches"));

    // duplicate shard (same shard twice, from two folders)
    let copy = tmp.path().join("copy.kpart");
    std::fs::copy(&p[1], &copy).unwrap();
    let a = merge(&[&p[0], &p[1], &copy, &p[2], &p[3]], &out).code(2);
    assert!(
        stderr(&a).contains("duplicate shard 2 of 4"),
        "{}",
        stderr(&a)
    );

    // missing shards
    let a = merge(&[&p[0], &p[2]], &out).code(2);
    assert!(
        stderr(&a).contains("missing shards 2, 4 of 4"),
        "{}",
        stderr(&a)
    );

    // different inputs: a scenario file changed before shard 3 ran
    let changed = tmp.path().join("changed");
    std::fs::create_dir(&changed).unwrap();
    let text = std::fs::read_to_string(Path::new(&scen_dir()).join("uncertain.toml")).unwrap();
    std::fs::write(
        changed.join("uncertain.toml"),
        text.replace("sd = 0.03", "sd = 0.04"),
    )
    .unwrap();
    let mut changed_args = args.clone();
    changed_args[3] = changed.to_str().unwrap().to_string();
    let other = shard(&changed_args, 3, 4, &tmp.path().join("inputs"));
    let a = merge(&[&p[0], &p[1], &other, &p[3]], &out).code(2);
    let e = stderr(&a);
    assert!(
        e.contains("input files") && e.contains("uncertain.toml"),
        "{e}"
    );

    // different sample counts
    let other = shard(&base("601", &[]), 4, 4, &tmp.path().join("samples"));
    let a = merge(&[&p[0], &p[1], &p[2], &other], &out).code(2);
    assert!(stderr(&a).contains("samples 600"), "{}", stderr(&a));

    assert!(
        !out.join("batch").exists(),
        "a refused merge writes nothing"
    );
    merge(&[&good], &out).success();
}

#[test]
fn damaged_parts_are_rejected_and_recomputed() {
    let tmp = tempfile::tempdir().unwrap();
    let args = base("500", &[]);
    let dir = tmp.path().join("s");
    let p: Vec<PathBuf> = (1..=2).map(|k| shard(&args, k, 2, &dir)).collect();
    let bytes = std::fs::read(&p[1]).unwrap();
    std::fs::write(&p[1], &bytes[..bytes.len() / 2]).unwrap();
    let a = merge(&[&dir], &tmp.path().join("out")).code(2);
    let e = stderr(&a);
    assert!(
        e.contains("part-2-of-2.kpart") && e.contains("damaged part file"),
        "{e}"
    );
    std::fs::write(&p[1], b"hello").unwrap();
    let a = merge(&[&dir], &tmp.path().join("out")).code(2);
    assert!(stderr(&a).contains("not a kymsim part file"));

    // re-running the shard recomputes the damaged part
    std::fs::write(&p[1], &bytes[..bytes.len() - 1]).unwrap();
    let mut a2 = args.clone();
    a2.extend(["--shard".into(), "2/2".into()]);
    let a = batch(&a2, &dir).success();
    assert!(stderr(&a).contains("incomplete or damaged: recomputing"));
    assert_eq!(std::fs::read(&p[1]).unwrap(), bytes);
    merge(&[&dir], &tmp.path().join("out")).success();
}

#[test]
fn complete_results_are_not_recomputed() {
    let tmp = tempfile::tempdir().unwrap();
    let args = base("500", &[]);
    let dir = tmp.path().join("s");
    let part = shard(&args, 1, 2, &dir);
    let before = std::fs::metadata(&part).unwrap().modified().unwrap();
    let mut a2 = args.clone();
    a2.extend(["--shard".into(), "1/2".into()]);
    let a = batch(&a2, &dir).success();
    assert!(stderr(&a).contains("complete for the same inputs: skipping shard 1/2"));
    assert_eq!(
        std::fs::metadata(&part).unwrap().modified().unwrap(),
        before
    );
    // another seed: the part is recomputed
    let mut a3 = a2.clone();
    a3.extend(["--seed".into(), "1".into()]);
    let a = batch(&a3, &dir).success();
    assert!(stderr(&a).contains("from other inputs: recomputing"));

    // unsharded: batch/identity.json records the inputs
    let whole = tmp.path().join("w");
    batch(&args, &whole).success();
    let stats = std::fs::read(whole.join("batch/stats.csv")).unwrap();
    let a = batch(&args, &whole).success();
    assert!(stdout(&a).contains("already holds the results of these inputs"));
    let mut forced = args.clone();
    forced.push("--force".into());
    let a = batch(&forced, &whole).success();
    assert!(stdout(&a).contains("wrote"));
    assert_eq!(std::fs::read(whole.join("batch/stats.csv")).unwrap(), stats);
    // other samples: recomputed
    let a = batch(&base("501", &[]), &whole).success();
    assert!(!stdout(&a).contains("already holds"));
    // a lost output: recomputed
    std::fs::remove_file(whole.join("batch/summary.csv")).unwrap();
    let a = batch(&base("501", &[]), &whole).success();
    assert!(!stdout(&a).contains("already holds"));
    assert!(whole.join("batch/summary.csv").is_file());
}

#[test]
fn slurm_scripts_name_the_array_merge_and_dependency() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = base("1000", &[]);
    args.extend(
        [
            "--shards",
            "4",
            "--partition",
            "small",
            "--time",
            "00:15:00",
            "--account",
            "project_2001234",
            "--mem",
            "2G",
            "--cpus-per-task",
            "4",
            "--kymsim",
            "/opt/kymsim/bin/kymsim",
        ]
        .map(String::from),
    );
    let dir = tmp.path().join("scripts");
    cmd()
        .arg("slurm")
        .args(&args)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .arg("--script-dir")
        .arg(&dir)
        .assert()
        .success();
    let shards = std::fs::read_to_string(dir.join("shards.sbatch")).unwrap();
    for want in [
        "#SBATCH --array=1-4",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --partition=small",
        "#SBATCH --time=00:15:00",
        "#SBATCH --account=project_2001234",
        "#SBATCH --mem=2G",
        "/opt/kymsim/bin/kymsim batch",
        "--threads \"${SLURM_CPUS_PER_TASK:-1}\"",
        "--samples 1000",
    ] {
        assert!(shards.contains(want), "{want} not in\n{shards}");
    }
    assert!(!shards.contains("--shard "));
    let merge = std::fs::read_to_string(dir.join("merge.sbatch")).unwrap();
    assert!(merge.contains("/opt/kymsim/bin/kymsim merge"), "{merge}");
    let submit = std::fs::read_to_string(dir.join("submit.sh")).unwrap();
    assert!(submit.contains("sbatch --parsable shards.sbatch"));
    assert!(submit.contains("--dependency=afterok:\"$array\" merge.sbatch"));
    // without --kymsim: this executable
    cmd()
        .arg("slurm")
        .args(base("1000", &["--shards", "2"]))
        .arg("--script-dir")
        .arg(&dir)
        .assert()
        .success();
    let shards = std::fs::read_to_string(dir.join("shards.sbatch")).unwrap();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_kymsim")).unwrap();
    assert!(shards.contains(exe.to_str().unwrap()), "{shards}");
    // --shards is required
    cmd()
        .arg("slurm")
        .args(base("1000", &[]))
        .arg("--script-dir")
        .arg(&dir)
        .assert()
        .code(2);
}

#[test]
fn a_shard_keeps_no_samples() {
    // samples.csv and inputs.csv are written by unsharded batches only (docs/batch.md)
    let tmp = tempfile::tempdir().unwrap();
    let a = batch(
        &base("100", &["--keep-samples", "--shard", "1/2"]),
        tmp.path(),
    );
    let a = a.code(2);
    assert!(stderr(&a).contains("--keep-samples is not available for a shard"));
    assert!(!tmp.path().join("batch").exists());
}
