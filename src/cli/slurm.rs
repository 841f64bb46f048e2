//! `kymsim slurm`: sbatch scripts that run a batch as a Slurm job array of shards plus a merge
//! job that starts when every shard has succeeded.

use std::path::{Path, PathBuf};

use clap::Args;

use super::batch::{BatchArgs, SamplerArg};
use crate::batch::part::PARTS_DIR;
use crate::error::{Error, InputError, IoKind, Result};
use crate::output::OutputSet;

/// Arguments of `kymsim slurm`. The batch options that each array task sets itself (its shard,
/// its threads) or that a sharded batch cannot give (`--keep-samples`) are hidden.
#[derive(Debug, Args)]
#[command(
    mut_arg("shard", |a| a.hide(true)),
    mut_arg("keep_samples", |a| a.hide(true)),
    mut_arg("threads", |a| a.hide(true))
)]
pub struct SlurmArgs {
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Slurm partition (sbatch --partition)
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit of each job (sbatch --time: MINUTES, MM:SS, HH:MM:SS, D-HH, D-HH:MM or
    /// D-HH:MM:SS)
    #[arg(long, value_parser = parse_time)]
    pub time: Option<String>,
    /// CPUs per shard (threads of each shard's batch)
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: u32,
    /// Billing account or project (sbatch --account)
    #[arg(long)]
    pub account: Option<String>,
    /// Memory per job (sbatch --mem, e.g. 4G)
    #[arg(long)]
    pub mem: Option<String>,
    /// Folder for the scripts (shards.sbatch, merge.sbatch, submit.sh) and job logs
    #[arg(long, value_name = "DIR")]
    pub script_dir: PathBuf,
    /// kymsim executable the jobs run (default: this one)
    #[arg(long, value_name = "PATH")]
    pub kymsim: Option<PathBuf>,
    /// At most N shards running at once (the array's `%N`)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub array_throttle: Option<u32>,
    /// Another sbatch option for both jobs, e.g. --sbatch-arg=--qos=long (repeatable)
    #[arg(long, value_name = "OPTION", allow_hyphen_values = true, value_parser = parse_sbatch_arg)]
    pub sbatch_arg: Vec<String>,
}

/// Checks a time limit against the formats sbatch accepts: `M`, `M:S`, `H:M:S`, `D-H`,
/// `D-H:M`, `D-H:M:S` (numbers only), or `infinite`/`unlimited`.
pub fn parse_time(s: &str) -> std::result::Result<String, String> {
    let num = |x: &str| !x.is_empty() && x.len() <= 9 && x.bytes().all(|b| b.is_ascii_digit());
    let ok = if s.eq_ignore_ascii_case("infinite") || s.eq_ignore_ascii_case("unlimited") {
        true
    } else if let Some((days, rest)) = s.split_once('-') {
        let parts: Vec<&str> = rest.split(':').collect();
        num(days) && parts.len() <= 3 && parts.iter().all(|p| num(p))
    } else {
        let parts: Vec<&str> = s.split(':').collect();
        parts.len() <= 3 && parts.iter().all(|p| num(p))
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a Slurm time: give minutes (90), MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS"
        ))
    }
}

/// Checks an extra sbatch option: one word starting with `-`, without spaces or quotes.
pub fn parse_sbatch_arg(s: &str) -> std::result::Result<String, String> {
    if !s.starts_with('-') {
        return Err(format!(
            "`{s}` is not an sbatch option: give it with its dashes, e.g. --sbatch-arg=--qos=long"
        ));
    }
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\'' || c == '"')
    {
        return Err(format!(
            "`{s}` has a space or a quote: an #SBATCH line takes one word per option"
        ));
    }
    Ok(s.to_string())
}

/// Quotes a word for a POSIX shell.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn abs(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

fn directive(lines: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        lines.push_str(&format!("#SBATCH --{name}={}\n", quote(v)));
    }
}

/// Checks a value written into an `#SBATCH` line.
fn plain(what: &str, v: &Option<String>) -> Result<()> {
    if let Some(v) = v {
        if v.is_empty()
            || v.chars()
                .any(|c| c.is_whitespace() || c == '\'' || c == '"')
        {
            return Err(
                InputError::new(format!("--{what} `{v}` is not a plain word"))
                    .hint("Slurm options take one word, without spaces or quotes")
                    .into(),
            );
        }
    }
    Ok(())
}

/// Refuses a word with a control character (a line break above all): quoting keeps `$(…)`,
/// backticks and spaces inert, but a line break would end a `#` comment or `#SBATCH` line.
fn one_line(word: &str) -> Result<()> {
    if word.chars().any(char::is_control) {
        return Err(InputError::new(format!(
            "{word:?} contains a control character (line break, tab, …), which a job script cannot carry"
        ))
        .hint("rename the file or folder, or give it through a path without such characters")
        .into());
    }
    Ok(())
}

/// The `kymsim batch` words of a shard (absolute paths, no threads or shard).
pub fn batch_words(a: &BatchArgs) -> Vec<String> {
    let mut w = vec!["batch".to_string()];
    for n in &a.names {
        if n.ends_with(".toml") && Path::new(n).exists() {
            w.push(abs(Path::new(n)));
        } else {
            w.push(n.clone());
        }
    }
    if let Some(d) = &a.input.data {
        w.extend(["--data".into(), abs(d)]);
    }
    // pin the scenarios resolved here: the jobs may start in another working directory
    match a.input.scenario_source().dir() {
        Some(s) => w.extend(["--scenarios".into(), abs(s)]),
        None if a.input.data.is_none() => w.push("--bundled-scenarios".into()),
        None => {}
    }
    w.extend([
        "--samples".into(),
        a.samples.to_string(),
        "--sampler".into(),
        match a.sampler {
            SamplerArg::Mc => "mc",
            SamplerArg::Lhs => "lhs",
        }
        .into(),
        "--seed".into(),
        a.seed.to_string(),
        "--out".into(),
        abs(&a.out),
    ]);
    if a.chunk != 256 {
        w.extend(["--chunk".into(), a.chunk.to_string()]);
    }
    if a.exact_limit != crate::engine::stats::EXACT_LIMIT {
        w.extend(["--exact-limit".into(), a.exact_limit.to_string()]);
    }
    if a.force {
        w.push("--force".into());
    }
    w
}

/// Runs `kymsim slurm`.
pub fn slurm(args: SlurmArgs) -> Result<i32> {
    let a = &args.batch;
    let Some(n) = a.shards else {
        return Err(InputError::new("give the number of shards: --shards N")
            .hint("each shard is one task of the job array")
            .into());
    };
    if n == 0 || n > 100_000 || n > a.samples {
        return Err(InputError::new(format!(
            "--shards {n} is out of range for {} samples",
            a.samples
        ))
        .hint("give 1 to min(samples, 100000) shards")
        .into());
    }
    if a.shard.is_some() || a.keep_samples || a.threads.is_some() {
        return Err(InputError::new(
            "--shard, --keep-samples and --threads do not apply to `kymsim slurm`",
        )
        .hint("each array task picks its shard and uses its --cpus-per-task threads")
        .into());
    }
    for (what, v) in [
        ("partition", &args.partition),
        ("time", &args.time),
        ("account", &args.account),
        ("mem", &args.mem),
    ] {
        plain(what, v)?;
    }
    if args.cpus_per_task == 0 {
        return Err(InputError::new("--cpus-per-task must be at least 1").into());
    }
    // check the inputs now rather than in every job
    super::batch::prepare(a)?;

    let exe = match &args.kymsim {
        Some(p) => abs(p),
        None => std::env::current_exe()
            .map_err(|e| Error::io(IoKind::FindExecutable, "the kymsim executable", e))?
            .to_string_lossy()
            .into_owned(),
    };
    let cwd = abs(Path::new("."));
    let dir = abs(&args.script_dir);
    let out = abs(&a.out);
    for word in [&exe, &cwd, &dir, &out].into_iter().chain(&batch_words(a)) {
        one_line(word)?;
    }
    crate::output::check_out_dir(Path::new(&dir))?;
    let logs = format!("{dir}/logs");
    std::fs::create_dir_all(&logs).map_err(|e| Error::io(IoKind::CreateFolder, &logs, e))?;

    let mut common = String::new();
    directive(&mut common, "partition", args.partition.as_deref());
    directive(&mut common, "time", args.time.as_deref());
    directive(&mut common, "account", args.account.as_deref());
    directive(&mut common, "mem", args.mem.as_deref());
    for extra in &args.sbatch_arg {
        common.push_str(&format!("#SBATCH {extra}\n"));
    }
    common.push_str(&format!("#SBATCH --chdir={}\n", quote(&cwd)));
    let throttle = args
        .array_throttle
        .map_or(String::new(), |t| format!("%{t}"));

    let words: Vec<String> = std::iter::once(exe.clone())
        .chain(batch_words(a))
        .map(|w| quote(&w))
        .collect();
    let shards = format!(
        "#!/bin/bash\n\
         # kymsim batch as a job array: task K computes shard K of {n} into {parts}\n\
         #SBATCH --job-name=kymsim-shards\n\
         #SBATCH --array=1-{n}{throttle}\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task={cpus}\n\
         {common}\
         #SBATCH --output={log}\n\
         set -euo pipefail\n\
         # the shard comes from SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT\n\
         exec {cmd} --threads \"${{SLURM_CPUS_PER_TASK:-1}}\"\n",
        parts = quote(&format!("{out}/{PARTS_DIR}")),
        cpus = args.cpus_per_task,
        log = quote(&format!("{logs}/shard-%A_%a.out")),
        cmd = words.join(" "),
    );
    let merge_cmd = [
        exe.clone(),
        "merge".into(),
        format!("{out}/{PARTS_DIR}"),
        "--out".into(),
        out.clone(),
    ]
    .iter()
    .map(|w| quote(w))
    .collect::<Vec<_>>()
    .join(" ");
    let merge = format!(
        "#!/bin/bash\n\
         # combines the {n} shards into {batch} (submitted by submit.sh after every shard succeeded)\n\
         #SBATCH --job-name=kymsim-merge\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task=1\n\
         {common}\
         #SBATCH --output={log}\n\
         set -euo pipefail\n\
         exec {merge_cmd}\n",
        batch = quote(&format!("{out}/batch")),
        log = quote(&format!("{logs}/merge-%j.out")),
    );
    let submit = format!(
        "#!/bin/bash\n\
         # Submits the {n} shards of the batch as a job array, then the merge, which runs\n\
         # only when every shard has succeeded. Prints both job ids.\n\
         set -euo pipefail\n\
         cd {dir_q}\n\
         array=$(sbatch --parsable shards.sbatch)\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --dependency=afterok:\"$array\" merge.sbatch)\n\
         merge=${{merge%%;*}}\n\
         echo \"array job $array ({n} shards), merge job $merge\"\n\
         echo results: {results_q}\n",
        dir_q = quote(&dir),
        results_q = quote(&format!("{out}/batch")),
    );
    let mut set = OutputSet::new(Path::new(&dir))?;
    for (name, text) in [
        ("shards.sbatch", &shards),
        ("merge.sbatch", &merge),
        ("submit.sh", &submit),
    ] {
        set.stage_with_mode(name, text.as_bytes(), 0o755)?;
    }
    set.commit()?;
    if !a.quiet {
        println!("wrote {dir}/shards.sbatch ({n} shards), {dir}/merge.sbatch, {dir}/submit.sh");
        println!("submit with: bash {}", quote(&format!("{dir}/submit.sh")));
    }
    Ok(0)
}
