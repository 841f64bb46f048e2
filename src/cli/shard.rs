//! `kymsim merge`: the part files of a sharded batch combined into the outputs of the
//! unsharded batch — argument handling and printing around [`crate::batch::part`]. The shards
//! themselves are computed by `kymsim batch --shard K/N` ([`super::batch`]).

use std::path::PathBuf;

use clap::Args;

use super::batch_table::print_outputs;
use super::{InputArgs, LangArg, signals};
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
