//! Sharded batches: `kymsim batch --shard K/N` computes one shard into a part file
//! ([`run_shard`]); `kymsim merge` combines the part files into the outputs of the unsharded
//! batch — argument handling and printing around [`crate::batch::part`].

use std::path::{Path, PathBuf};

use clap::Args;

use super::batch::{BatchArgs, compute, print_outputs};
use super::{InputArgs, LangArg, signals};
use crate::batch::Prepared;
use crate::batch::part::{Origin, PARTS_DIR, PartHeader, part_name, same_shard, shard_range};
use crate::batch::shard::Picked;
use crate::error::{Error, InputError};
use crate::i18n::{Lang, Msg};
use crate::output::OutputSet;
use crate::batch::part::{Part, check_inputs_unchanged, check_parts, merge_parts, part_files};
use crate::batch::write_outputs;
use crate::error::Result;

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
    #[command(flatten)]
    pub lang: LangArg,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
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
    let lang = args.lang.resolve(&region);
    input.announce_in(&region, args.quiet, lang);
    let scenarios: Vec<_> = models.iter().map(|(s, _)| s).collect();
    let now = crate::output::recorded::input_hashes(&region, &scenarios);
    let names: Vec<String> = models.iter().map(|(s, _)| s.name.clone()).collect();
    check_inputs_unchanged(id, &region.name, &names, &now)?;
    let finished = merge_parts(parts)?;
    if !args.quiet {
        eprintln!(
            "{}",
            lang.fill(
                crate::i18n::Msg::MergeMerging,
                &[("shards", &header.shards), ("samples", &id.samples)]
            )
        );
    }
    let rows = write_outputs(
        &args.out,
        &input.provenance(),
        &models,
        id,
        &finished,
        None,
        signals::cancel_flag(),
    )?;
    if !args.quiet {
        let names = super::display_names(&models, lang);
        print_outputs(&args.out, id, &rows, lang, &names);
    }
    Ok(0)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The origin of a batch's input arguments: where a merge re-reads them.
pub fn origin_of(input: &InputArgs, names: &[String]) -> Origin {
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

/// Runs one shard of a batch: writes `<out>/batch/parts/part-K-of-N.kpart`, or skips when a
/// complete part of the same inputs is there.
pub fn run_shard(args: &BatchArgs, prep: &Prepared, picked: Picked, lang: Lang) -> Result<i32> {
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
            "{}",
            lang.fill(
                Msg::ShardHead,
                &[
                    ("k", &k),
                    ("n", &n),
                    ("source", &source),
                    ("from", &range.start),
                    ("to", &range.end),
                    ("samples", &args.samples)
                ]
            )
        );
    }
    let binnings = prep.binnings();
    let header = PartHeader {
        identity: prep.identity.clone(),
        shard: k,
        shards: n,
        binnings,
        origin: origin_of(&args.input, &args.names),
    };
    if !args.force && path.exists() {
        match Part::read(&path) {
            Ok(old) if same_shard(&old.header, &header) => {
                if !args.quiet {
                    eprintln!(
                        "{}",
                        lang.fill(
                            Msg::ShardSkip,
                            &[("path", &path.display()), ("k", &k), ("n", &n)]
                        )
                    );
                }
                return Ok(0);
            }
            Ok(_) => {
                if !args.quiet {
                    eprintln!(
                        "{}",
                        lang.fill(Msg::ShardOther, &[("path", &path.display())])
                    );
                }
            }
            Err(_) => {
                if !args.quiet {
                    eprintln!(
                        "{}",
                        lang.fill(Msg::ShardDamaged, &[("path", &path.display())])
                    );
                }
            }
        }
    }
    let mut partials = Vec::new();
    for (i, bin) in header.binnings.iter().enumerate() {
        partials.push(compute(prep, args, i, bin, Some(range.clone()))?);
    }
    let part = Part { header, partials };
    let mut set = OutputSet::new(&args.out)?;
    set.stage(&rel, &part.to_bytes())?;
    if signals::interrupted() {
        return Err(Error::Interrupted);
    }
    set.commit()?;
    if !args.quiet {
        eprintln!(
            "{}",
            lang.fill(Msg::ShardWrote, &[("path", &path.display())])
        );
    }
    Ok(0)
}
