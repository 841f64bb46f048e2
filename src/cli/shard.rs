//! Sharded batches: `kymsim batch --shard K/N` writes one part file, `kymsim merge` combines
//! the parts into the outputs of the unsharded batch, byte for byte.
//!
//! Shard K of N computes samples [⌊(K−1)·S/N⌋, ⌊K·S/N⌋) of every scenario. A part file is
//! `KYMPART\n`, the format version (u32, little endian), the SHA-256 of the payload (32 bytes),
//! then the payload: with bincode the [`PartHeader`] and one [`Partial`] per scenario. A part
//! is complete only when its checksum matches and it deserialises to the end; `merge` and a
//! resumed shard both verify it, so a damaged part is refused or recomputed, never used.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::batch::{self as b, BatchArgs, Identity, Prepared};
use super::{InputArgs, signals};
use crate::engine::stats::{Binning, Partial};
use crate::error::{Error, InputError, Result};
use crate::output::OutputSet;

/// Magic bytes at the start of a part file.
pub const MAGIC: &[u8; 8] = b"KYMPART\n";
/// Part file format version.
pub const FORMAT: u32 = 4;
/// Bytes before the payload: magic, format, SHA-256 of the payload.
const HEAD: usize = 8 + 4 + 32;
/// Folder of the parts, relative to the output folder.
pub const PARTS_DIR: &str = "batch/parts";

/// Which shard to compute, and where that came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    /// Shard number, 1-based.
    pub k: u64,
    /// Number of shards.
    pub n: u64,
    /// Where K and N came from.
    pub source: String,
}

/// The environment variables the shard may come from.
pub fn env_vars() -> Vec<(String, String)> {
    [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "JOB_COMPLETION_INDEX",
        "KYMSIM_SHARDS",
    ]
    .iter()
    .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
    .collect()
}

fn number(what: &str, text: &str) -> Result<u64> {
    text.trim().parse::<u64>().map_err(|_| {
        InputError::new(format!("{what} `{text}` is not a whole number"))
            .hint("shards are numbered 1..N (Slurm: the array index; Kubernetes: from 0)")
            .into()
    })
}

/// Picks the shard: `--shard K/N`, else `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` + 1 of
/// `SLURM_ARRAY_TASK_COUNT`, else `JOB_COMPLETION_INDEX` + 1 of `--shards N` / `KYMSIM_SHARDS`.
/// `None`: not sharded.
pub fn pick(
    flag: Option<&str>,
    shards: Option<u64>,
    env: &[(String, String)],
) -> Result<Option<Picked>> {
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let picked = if let Some(f) = flag {
        let Some((k, n)) = f.split_once('/') else {
            return Err(InputError::new(format!("--shard `{f}` is not K/N"))
                .hint("for example --shard 2/4: the second of four shards")
                .into());
        };
        Picked {
            k: number("shard", k)?,
            n: number("shard count", n)?,
            source: "--shard".into(),
        }
    } else if let Some(id) = get("SLURM_ARRAY_TASK_ID") {
        let id = number("SLURM_ARRAY_TASK_ID", id)?;
        let Some(count) = get("SLURM_ARRAY_TASK_COUNT") else {
            return Err(InputError::new(
                "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not",
            )
            .hint("give --shard K/N")
            .into());
        };
        let n = number("SLURM_ARRAY_TASK_COUNT", count)?;
        let min = match get("SLURM_ARRAY_TASK_MIN") {
            Some(m) => number("SLURM_ARRAY_TASK_MIN", m)?,
            None => 0,
        };
        if id < min {
            return Err(InputError::new(format!(
                "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
            ))
            .into());
        }
        if let Some(s) = shards.filter(|&s| s != n) {
            return Err(InputError::new(format!(
                "--shards {s} disagrees with SLURM_ARRAY_TASK_COUNT {n}"
            ))
            .hint("leave out --shards inside a Slurm array")
            .into());
        }
        Picked {
            k: id - min + 1,
            n,
            source: format!(
                "SLURM_ARRAY_TASK_ID={id} − SLURM_ARRAY_TASK_MIN={min} + 1, SLURM_ARRAY_TASK_COUNT={n}"
            ),
        }
    } else if let Some(idx) = get("JOB_COMPLETION_INDEX") {
        let idx = number("JOB_COMPLETION_INDEX", idx)?;
        let (n, from) = match (shards, get("KYMSIM_SHARDS")) {
            (Some(n), _) => (n, "--shards".to_string()),
            (None, Some(v)) => (number("KYMSIM_SHARDS", v)?, format!("KYMSIM_SHARDS={v}")),
            (None, None) => {
                return Err(InputError::new(
                    "JOB_COMPLETION_INDEX is set but the number of shards is not",
                )
                .hint("give --shards N or set KYMSIM_SHARDS")
                .into());
            }
        };
        Picked {
            k: idx + 1,
            n,
            source: format!("JOB_COMPLETION_INDEX={idx} + 1, {from}"),
        }
    } else {
        return Ok(None);
    };
    if picked.n == 0 || picked.k == 0 || picked.k > picked.n {
        return Err(InputError::new(format!(
            "shard {} of {} does not exist ({})",
            picked.k, picked.n, picked.source
        ))
        .hint("shards are numbered 1 to N (a Slurm array must be contiguous: --array=1-N)")
        .into());
    }
    Ok(Some(picked))
}

/// Shard `k` of `n`'s samples out of `samples`: [⌊(k−1)·S/n⌋, ⌊k·S/n⌋).
pub fn shard_range(k: u64, n: u64, samples: u64) -> std::ops::Range<u64> {
    let at = |i: u64| (i as u128 * samples as u128 / n as u128) as u64;
    at(k - 1)..at(k)
}

/// The name of a part file.
pub fn part_name(k: u64, n: u64) -> String {
    format!("part-{k}-of-{n}.kpart")
}

/// Where the shard's inputs were given (to re-load them for the merge; not compared).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// `--data`, absolute.
    pub data: Option<PathBuf>,
    /// `--scenarios`, absolute.
    pub scenarios: Option<PathBuf>,
    /// Scenario names or files (files absolute).
    pub names: Vec<String>,
}

/// The header of a part file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartHeader {
    /// What determines the result (inputs, seed, samples, sampler, version).
    pub identity: Identity,
    /// Shard, 1-based.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// Each scenario's binning.
    pub binnings: Vec<Binning>,
    /// Where the inputs were given.
    pub origin: Origin,
}

/// A part file's contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Header.
    pub header: PartHeader,
    /// One partial per scenario, in the order of `header.identity.scenarios`.
    pub partials: Vec<Partial>,
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Origin {
    /// The origin of a batch's input arguments.
    pub fn of(input: &InputArgs, names: &[String]) -> Origin {
        Origin {
            data: input.data.as_deref().map(absolute),
            // the folder the scenarios were resolved from (none: the bundled set)
            scenarios: input.scenario_source().dir().map(absolute),
            names: names
                .iter()
                .map(|n| {
                    if n.ends_with(".toml") && Path::new(n).exists() {
                        absolute(Path::new(n)).to_string_lossy().into_owned()
                    } else {
                        n.clone()
                    }
                })
                .collect(),
        }
    }
}

/// A part file around `payload`: magic, format, the payload's SHA-256, the payload.
pub fn with_checksum(payload: &[u8]) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.extend_from_slice(&FORMAT.to_le_bytes());
    v.extend_from_slice(&sha2::Sha256::digest(payload));
    v.extend_from_slice(payload);
    v
}

impl Part {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        with_checksum(&bincode::serialize(self).expect("part serialises"))
    }

    /// Reads a part file; an incomplete, damaged or foreign file is an input error.
    pub fn read(path: &Path) -> Result<Part> {
        crate::input::check_regular_file(path)?;
        let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        Part::from_bytes(&bytes, &path.display().to_string())
    }

    /// Reads a part from its bytes (`name` is used in messages): checks the magic, the format,
    /// the checksum, the encoding and that the samples match the header.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Part> {
        let bad = |what: String| -> Error {
            InputError::new(format!("{name}: {what}"))
                .hint("recompute this shard (run its `kymsim batch --shard K/N` again)")
                .into()
        };
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(bad("not a kymsim part file".into()));
        }
        let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if format != FORMAT {
            return Err(bad(format!(
                "part format {format}, this kymsim reads format {FORMAT}"
            )));
        }
        if bytes.len() < HEAD {
            return Err(bad("truncated part file (no checksum)".into()));
        }
        let payload = &bytes[HEAD..];
        if sha2::Sha256::digest(payload).as_slice() != &bytes[12..HEAD] {
            return Err(bad(
                "damaged part file: its checksum does not match its contents".into(),
            ));
        }
        use bincode::Options;
        let mut rest = payload;
        let part: Part = bincode::options()
            .with_fixint_encoding()
            .with_limit(rest.len() as u64)
            .deserialize_from(&mut rest)
            .map_err(|e| bad(format!("truncated or damaged part file ({e})")))?;
        if !rest.is_empty() {
            return Err(bad(format!(
                "{} unexpected bytes after the part",
                rest.len()
            )));
        }
        let h = &part.header;
        // the header's shard numbers first: the sample range below divides by them
        let numbered = h.shard >= 1 && h.shard <= h.shards && h.identity.samples >= h.shards;
        let ok = numbered
            && part.partials.len() == h.identity.scenarios.len()
            && h.binnings.len() == part.partials.len()
            && part.partials.iter().all(|p| {
                let r = shard_range(h.shard, h.shards, h.identity.samples);
                p.first == r.start && p.count == r.end - r.start
            });
        if !ok {
            return Err(bad(
                "damaged part file (its samples do not match its header)".into(),
            ));
        }
        Ok(part)
    }
}

/// Runs one shard of a batch: writes `<out>/batch/parts/part-K-of-N.kpart`, or skips when a
/// complete part of the same inputs is there.
pub fn run_shard(args: &BatchArgs, prep: &Prepared, picked: Picked) -> Result<i32> {
    let Picked { k, n, source } = picked;
    if n > args.samples {
        return Err(InputError::new(format!(
            "{n} shards for {} samples: more shards than samples",
            args.samples
        ))
        .hint("use fewer shards")
        .into());
    }
    if args.keep_samples {
        return Err(
            InputError::new("--keep-samples is not available for a shard")
                .hint("run the batch unsharded to keep every sample")
                .into(),
        );
    }
    let range = shard_range(k, n, args.samples);
    let rel = format!("{PARTS_DIR}/{}", part_name(k, n));
    let path = args.out.join(&rel);
    if !args.quiet {
        eprintln!(
            "shard {k}/{n} (from {source}): samples {}..{} of {} per scenario",
            range.start, range.end, args.samples
        );
    }
    let binnings = prep.binnings(args);
    let header = PartHeader {
        identity: prep.identity.clone(),
        shard: k,
        shards: n,
        binnings,
        origin: Origin::of(&args.input, &args.names),
    };
    if !args.force && path.exists() {
        match Part::read(&path) {
            Ok(old)
                if old.header.identity == header.identity
                    && old.header.binnings == header.binnings
                    && (old.header.shard, old.header.shards) == (k, n) =>
            {
                if !args.quiet {
                    eprintln!(
                        "{} is complete for the same inputs: skipping shard {k}/{n} (--force recomputes)",
                        path.display()
                    );
                }
                return Ok(0);
            }
            Ok(_) => {
                if !args.quiet {
                    eprintln!("{} is from other inputs: recomputing", path.display());
                }
            }
            Err(_) => {
                if !args.quiet {
                    eprintln!("{} is incomplete or damaged: recomputing", path.display());
                }
            }
        }
    }
    let mut partials = Vec::new();
    for (i, bin) in header.binnings.iter().enumerate() {
        partials.push(b::compute(prep, args, i, bin, Some(range.clone()))?);
    }
    let part = Part { header, partials };
    let mut set = OutputSet::new(&args.out)?;
    set.stage(&rel, &part.to_bytes())?;
    if signals::interrupted() {
        return Err(Error::Interrupted);
    }
    set.commit()?;
    if !args.quiet {
        eprintln!("wrote {}", path.display());
    }
    Ok(0)
}

/// Arguments of `kymsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Part files, or folders of them (`*.kpart`; an output folder's batch/parts too)
    #[arg(value_name = "PART|DIR", required = true)]
    pub parts: Vec<PathBuf>,
    /// Output folder (results go to <OUT>/batch/)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Region dataset folder (default: the one the shards used)
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Scenario folder (default: the one the shards used)
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

fn part_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let dir = if p.join(PARTS_DIR).is_dir() {
                p.join(PARTS_DIR)
            } else {
                p.clone()
            };
            let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| Error::io("read", &dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "kpart") && f.is_file())
                .collect();
            if found.is_empty() {
                return Err(InputError::new(format!(
                    "no part files (*.kpart) in {}",
                    dir.display()
                ))
                .hint("point merge at the shards' <OUT>/batch/parts folder")
                .into());
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn refuse(msg: String, hint: &str) -> Error {
    InputError::new(msg).hint(hint).into()
}

/// Checks that the parts belong together and are complete, and orders them by shard.
pub fn check_parts(mut parts: Vec<(PathBuf, Part)>) -> Result<Vec<(PathBuf, Part)>> {
    let Some((p0, first)) = parts.first().cloned() else {
        return Err(refuse(
            "no parts to merge".into(),
            "give part files or folders",
        ));
    };
    let (a, n) = (&first.header.identity, first.header.shards);
    for (p, part) in &parts[1..] {
        let (b, h) = (&part.header.identity, &part.header);
        let differ = |what: &str, x: String, y: String| -> Error {
            refuse(
                format!(
                    "parts from different batches: {} has {what} {x}, {} has {y}",
                    p0.display(),
                    p.display()
                ),
                "merge only the parts of one batch (same inputs, seed, samples, sampler and kymsim version)",
            )
        };
        if a.kymsim_version != b.kymsim_version {
            return Err(differ(
                "kymsim version",
                a.kymsim_version.clone(),
                b.kymsim_version.clone(),
            ));
        }
        if a.seed != b.seed {
            return Err(differ("seed", a.seed.to_string(), b.seed.to_string()));
        }
        if a.samples != b.samples {
            return Err(differ(
                "samples",
                a.samples.to_string(),
                b.samples.to_string(),
            ));
        }
        if a.sampler != b.sampler {
            return Err(differ("sampler", a.sampler.clone(), b.sampler.clone()));
        }
        if a.scenarios != b.scenarios || a.region != b.region {
            return Err(differ(
                "scenarios",
                format!("{} {}", a.region, a.scenarios.join(", ")),
                format!("{} {}", b.region, b.scenarios.join(", ")),
            ));
        }
        if a.inputs != b.inputs {
            let changed: Vec<String> = a
                .inputs
                .iter()
                .filter(|i| !b.inputs.contains(i))
                .chain(b.inputs.iter().filter(|i| !a.inputs.contains(i)))
                .map(|i| i.path.clone())
                .collect();
            return Err(refuse(
                format!(
                    "parts from different batches: {} and {} were computed from different input files ({})",
                    p0.display(),
                    p.display(),
                    changed.join(", ")
                ),
                "merge only the parts of one batch (same inputs, seed, samples, sampler and kymsim version)",
            ));
        }
        if a != b || first.header.binnings != h.binnings {
            return Err(differ(
                "settings",
                "(exact limit, binning)".into(),
                "other ones".into(),
            ));
        }
        if h.shards != n {
            return Err(differ("shard count", n.to_string(), h.shards.to_string()));
        }
    }
    parts.sort_by_key(|(_, p)| p.header.shard);
    for w in parts.windows(2) {
        if w[0].1.header.shard == w[1].1.header.shard {
            return Err(refuse(
                format!(
                    "duplicate shard {} of {n}: {} and {}",
                    w[0].1.header.shard,
                    w[0].0.display(),
                    w[1].0.display()
                ),
                "give each shard once",
            ));
        }
    }
    // N comes from the files: count the missing shards and name only the first few, so that a
    // part claiming billions of shards costs no memory
    const NAMED: usize = 10;
    let present = parts
        .iter()
        .filter(|(_, p)| (1..=n).contains(&p.header.shard))
        .count() as u64;
    let missing_count = n.saturating_sub(present);
    if missing_count > 0 {
        let named: Vec<String> = (1..=n)
            .filter(|k| !parts.iter().any(|(_, p)| p.header.shard == *k))
            .take(NAMED)
            .map(|k| k.to_string())
            .collect();
        let more = missing_count - named.len() as u64;
        return Err(refuse(
            format!(
                "missing shard{} {}{} of {n}",
                if missing_count == 1 { "" } else { "s" },
                named.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
            "run the missing shards (`kymsim batch … --shard K/N`), then merge again",
        ));
    }
    Ok(parts)
}

/// Runs `kymsim merge`.
pub fn merge(args: MergeArgs) -> Result<i32> {
    crate::output::check_out_dir(&args.out)?;
    let files = part_files(&args.parts)?;
    let mut parts = Vec::new();
    for f in files {
        let part = Part::read(&f)?;
        parts.push((f, part));
    }
    let parts = check_parts(parts)?;
    let header = parts[0].1.header.clone();
    let id = &header.identity;
    let origin = &header.origin;
    let scenarios = args.scenarios.clone().or_else(|| origin.scenarios.clone());
    let data = args.data.clone().or_else(|| origin.data.clone());
    let input = InputArgs {
        // the shards record the folder their scenarios came from; none means the bundled set
        bundled_scenarios: scenarios.is_none() && data.is_none(),
        data,
        scenarios,
    };
    let region = input.region()?;
    let models = input.models(&region, &origin.names)?;
    input.announce(&region, args.quiet);
    let scenarios: Vec<_> = models.iter().map(|(s, _)| s).collect();
    let now = b::input_hashes(&region, &scenarios);
    let names: Vec<String> = models.iter().map(|(s, _)| s.name.clone()).collect();
    let mut want: Vec<&str> = id.inputs.iter().map(|i| i.sha256.as_str()).collect();
    let mut have: Vec<&str> = now.iter().map(|i| i.sha256.as_str()).collect();
    want.sort_unstable();
    have.sort_unstable();
    if names != id.scenarios || want != have || region.name != id.region {
        let changed: Vec<String> = now
            .iter()
            .filter(|i| !id.inputs.iter().any(|j| j.sha256 == i.sha256))
            .map(|i| i.path.clone())
            .collect();
        return Err(refuse(
            format!(
                "the input files differ from the ones the parts were computed from{}",
                if changed.is_empty() {
                    String::new()
                } else {
                    format!(": {}", changed.join(", "))
                }
            ),
            "merge with the region dataset and scenarios the shards used (--data, --scenarios)",
        ));
    }
    let mut per_scenario: Vec<Option<Partial>> = vec![None; id.scenarios.len()];
    for (path, part) in parts {
        for (slot, p) in per_scenario.iter_mut().zip(part.partials) {
            match slot {
                None => *slot = Some(p),
                Some(acc) => acc.merge(p).map_err(|e| {
                    refuse(format!("{}: {e}", path.display()), "recompute this shard")
                })?,
            }
        }
    }
    let finished: Vec<b::Finished> = per_scenario
        .into_iter()
        .zip(&header.binnings)
        .map(|(p, bin)| b::finish(p.expect("at least one part"), bin))
        .collect();
    if !args.quiet {
        eprintln!(
            "merging {} shards of {} samples per scenario",
            header.shards, id.samples
        );
    }
    b::write_outputs(&args.out, &input, &models, id, &finished, None, args.quiet)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn shard_ranges_cover_the_samples_once() {
        for (s, n) in [(10, 3), (7, 7), (1000, 4), (5, 1)] {
            let mut next = 0;
            for k in 1..=n {
                let r = shard_range(k, n, s);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, s);
        }
        assert_eq!(shard_range(2, 3, 10), 3..6);
    }

    #[test]
    fn shard_from_flag_and_environment() {
        let p = pick(Some("2/4"), None, &[]).unwrap().unwrap();
        assert_eq!((p.k, p.n), (2, 4));
        assert!(pick(Some("5/4"), None, &[]).is_err());
        assert!(pick(Some("0/4"), None, &[]).is_err());
        assert!(pick(Some("x"), None, &[]).is_err());
        assert_eq!(pick(None, None, &[]).unwrap(), None);
        // an array --array=4-7: index 5 is the second shard
        let e = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        let p = pick(None, None, &e).unwrap().unwrap();
        assert_eq!((p.k, p.n), (2, 4));
        assert!(p.source.contains("SLURM_ARRAY_TASK_MIN=4"));
        // the flag wins
        assert_eq!(pick(Some("1/2"), None, &e).unwrap().unwrap().k, 1);
        let e = env(&[("JOB_COMPLETION_INDEX", "0"), ("KYMSIM_SHARDS", "3")]);
        let p = pick(None, None, &e).unwrap().unwrap();
        assert_eq!((p.k, p.n), (1, 3));
        assert_eq!(pick(None, Some(5), &e).unwrap().unwrap().n, 5);
        assert!(pick(None, None, &env(&[("JOB_COMPLETION_INDEX", "0")])).is_err());
        assert!(pick(None, None, &env(&[("SLURM_ARRAY_TASK_ID", "1")])).is_err());
    }
}
