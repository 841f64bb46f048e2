//! `kymsim run`: central evaluation of scenarios.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::batch::samples::SampleRef;
use crate::decision;
use crate::error::Result;
use crate::i18n::Msg;
use crate::output;
use crate::pipeline;
use crate::pipeline::run::{Prepared, RunOutcome, RunRequest};

/// Arguments of `kymsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario names (bundled, or in --scenarios) or paths to .toml files; default: all
    #[arg(value_name = "SCENARIO|FILE")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    /// Exit with code 1 when a scenario misses the target
    #[arg(long)]
    pub require_target: bool,
    /// Do not draw the charts (<out>/charts/) and report.html
    #[arg(long)]
    pub no_charts: bool,
    /// Chart image size, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", default_value = "1600x900", value_parser = crate::charts::parse_size)]
    pub size: (u32, u32),
    /// Seed of the sampled Shapley attribution (scenarios with more than 14 measures)
    #[arg(long, short = 's', value_name = "S", default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
    /// Permutations of the sampled Shapley attribution
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub permutations: usize,
    /// Compare the fresh output with the expected results in DIR (as `kymsim check DIR OUT`,
    /// plus DIR/check.toml when present); exit 1 on differences
    #[arg(long, value_name = "DIR")]
    pub check: Option<PathBuf>,
    /// With --check: rewrite DIR's results.csv and summary.csv from the fresh output
    #[arg(long, requires = "check")]
    pub bless: bool,
    /// Reference scenario of the difference view (difference.csv, charts/difference_<s>):
    /// a scenario name or file, or `none`; default: baseline when it is among the scenarios run
    #[arg(long, value_name = "NAME")]
    pub against: Option<String>,
    /// Evaluate one sample that a batch kept instead of the central values: FILE:N is sample N
    /// (0-based, as in batch/samples.csv) of a batch/inputs.csv written by `kymsim batch
    /// --keep-samples`; reproduces that sample's rows of batch/samples.csv. No difference view,
    /// charts or report.
    #[arg(long, value_name = "FILE:N", conflicts_with = "against")]
    pub sample: Option<SampleRef>,
    #[command(flatten)]
    pub lang: super::LangArg,
}

/// Runs `kymsim run`: [`crate::pipeline::run`], then the printed summary.
pub fn run(args: RunArgs) -> Result<i32> {
    check_args(&args)?;
    let inputs = args.input.inputs();
    let req = RunRequest {
        inputs: &inputs,
        names: &args.names,
        out: &args.out,
        lang: args.lang.lang,
        no_charts: args.no_charts,
        size: args.size,
        seed: args.seed,
        permutations: args.permutations,
        against: args.against.as_deref(),
        sample: args.sample.as_ref(),
    };
    let prepared = pipeline::run::prepare(&req)?;
    let lang = prepared.lang;
    args.input.announce_in(&prepared.region, args.quiet, lang);
    if let (Some(kept), false) = (&prepared.kept, args.quiet) {
        eprintln!(
            "{}",
            lang.fill(
                Msg::PrintKeptSample,
                &[("sample", &kept.sample), ("file", &kept.file)]
            )
        );
    }
    let done = pipeline::run::execute(&req, &prepared, super::signals::cancel_flag())?;
    if !args.quiet {
        for line in &done.prior_notes {
            eprintln!("{line}");
        }
        for why in &done.ignored {
            eprintln!("{}", lang.fill(Msg::PrintManifestIgnored, &[("why", why)]));
        }
        if let Some(first) = done.removed.first() {
            eprintln!(
                "{}",
                lang.fill(
                    Msg::PrintRemoved,
                    &[("n", &done.removed.len()), ("example", first)]
                )
            );
        }
        print_run(&args, &prepared, &done);
    }
    let missed = done.results.iter().any(|r| !r.summary.target_met);
    let mut code = if args.require_target && missed { 1 } else { 0 };
    if let Some(dir) = &args.check {
        let fresh: [(&str, &[u8]); 2] = [
            (output::RESULTS_CSV, &done.results_csv),
            (output::SUMMARY_CSV, &done.summary_csv),
        ];
        code = code.max(super::check::after_run(
            &args.out, dir, args.bless, &fresh, args.quiet,
        )?);
    }
    Ok(code)
}

/// What `run` prints after writing: the summary table, each cost curve's total and each
/// scenario's difference from the reference.
fn print_run(args: &RunArgs, p: &Prepared, done: &RunOutcome) {
    let lang = p.lang;
    let runs: Vec<_> = p
        .models
        .iter()
        .map(|(_, m)| m)
        .zip(done.results.iter())
        .collect();
    let names = super::display_names(&p.models, lang);
    super::summary::print_summary(&runs, &p.region, lang, &done.batch, &names);
    for c in done.maccs.iter().filter(|c| c.costed().next().is_some()) {
        println!(
            "{}",
            lang.fill(
                Msg::PrintMacc,
                &[
                    ("scenario", &super::shown(&names, &c.scenario)),
                    ("kt", &super::summary::dec(lang, c.total_abatement_kt(), 1)),
                    ("year", &c.target_year),
                    (
                        "meur",
                        &super::summary::dec(lang, c.total_annual_cost_meur(), 2)
                    ),
                    ("file", &decision::MACC_CSV),
                ]
            )
        );
    }
    let ty = runs.first().map(|(m, _)| (m.target.year, m.target_index()));
    for (d, (year, yi)) in done.differences.iter().zip(std::iter::repeat(ty).flatten()) {
        let regional = || d.shares.iter().filter(|s| s.is_regional());
        println!(
            "{}",
            lang.fill(
                Msg::PrintDifference,
                &[
                    ("scenario", &super::shown(&names, &d.scenario)),
                    ("reference", &super::shown(&names, &d.reference)),
                    ("year", &year),
                    (
                        "gap",
                        &super::summary::dec(lang, d.reference_net[yi] - d.scenario_net[yi], 1)
                    ),
                    (
                        "own",
                        &super::summary::dec(lang, regional().map(|s| s.kt[yi]).sum::<f64>(), 1)
                    ),
                    (
                        "cost",
                        &super::summary::dec(
                            lang,
                            regional()
                                .filter_map(|s| s.annual_cost_meur(yi))
                                .sum::<f64>(),
                            2
                        )
                    ),
                    ("file", &decision::DIFFERENCE_CSV),
                ]
            )
        );
    }
    println!(
        "\n{}",
        lang.fill(Msg::PrintWrote, &[("dir", &args.out.display())])
    );
}

/// Checks the arguments before any work, so a bad one writes nothing.
fn check_args(args: &RunArgs) -> Result<()> {
    // --bless creates the folder of expected results; without it the folder must be there
    if let Some(dir) = &args.check
        && args.bless
    {
        output::check_out_dir(dir)?;
    } else if let Some(dir) = &args.check
        && !dir.is_dir()
    {
        return Err(crate::error::InputError::new(format!(
            "--check `{}` is not a folder of expected results",
            dir.display()
        ))
        .hint("give the folder holding the expected results.csv and summary.csv")
        .into());
    }
    output::check_out_dir(&args.out)
}
