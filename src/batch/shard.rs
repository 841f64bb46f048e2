//! Which shard a job computes: `--shard K/N`, or the scheduler's environment (a Slurm job
//! array, a Kubernetes indexed job).

use crate::error::{InputError, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
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
