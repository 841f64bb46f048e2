//! The command line: clap definitions, one module per subcommand, error printing and exit codes.

mod batch;
mod batch_table;
mod check;
mod discover;
mod errors;
mod goal_seek;
mod import_alas;
mod list;
mod manual;
pub use errors::print_error;
pub mod panic;
mod plan;
mod plot;
mod run;
mod sensitivity;
mod serve;
pub mod shard;
pub mod signals;
mod slurm;
mod summary;
mod track;
mod validate;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::data::Region;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::pipeline::inputs::Inputs;
use crate::scenario::{Scenario, ScenarioLibrary};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  `check` found differences, or `--require-target` and a scenario misses the target, or
     `track`'s observations lie outside the ensemble or leave too few effective samples
  2  bad input: a data or scenario file, an argument (the message names file, line and column)
  3  an output could not be written (disk full, permissions) or an internal error
  130/143  interrupted by Ctrl-C / SIGTERM (no partial results are left behind)
  141  the output pipe was closed (`kymsim list measures | head -1`)";

/// kymsim — does a Finnish region reach carbon neutrality in 2040, and how?
///
/// Projects a region's greenhouse-gas emissions year by year under scenarios of measures, and
/// reports whether, when and how the target is met. The embedded default region is Kymenlaakso.
#[derive(Debug, Parser)]
#[command(name = "kymsim", version, about, long_about, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate scenarios at their central values → results, summary, wedges, MACC, manifest
    Run(run::RunArgs),
    /// Monte Carlo batch: uncertainty → batch/stats.csv, batch/summary.csv, batch/distributions.csv
    Batch(batch::BatchArgs),
    /// Check a dataset and scenarios, and show the base-year calibration
    Validate(validate::ValidateArgs),
    /// List the dataset's sources or carriers, or the scenarios and their measures
    List(list::ListArgs),
    /// Redraw the charts and report.html of an output folder from its files
    Plot(plot::PlotArgs),
    /// Find how far one measure must go, alone, to meet the target (exit 1: it cannot)
    GoalSeek(goal_seek::GoalSeekArgs),
    /// Sobol indices (→ sensitivity.csv) or Morris screening (→ morris.csv) of target-year net emissions
    Sensitivity(sensitivity::SensitivityArgs),
    /// Under which conditions is the target missed? PRIM on a batch → discovery.csv, chart, verdict
    Discover(discover::DiscoverArgs),
    /// The cheapest measures of a menu that meet the target with probability P → plan/plan.toml, costs, bound (exit 1: none does)
    Plan(plan::PlanArgs),
    /// Are we on track? Observed inventory years update the forecast → track/ (exit 1: not trusted)
    Track(track::TrackArgs),
    /// Explore a scenario in the browser: a slider per measure, the verdict redrawn at once
    Serve(serve::ServeArgs),
    /// Build a region dataset from Syke's ALas municipal emission results
    ImportAlas(import_alas::ImportAlasArgs),
    /// Combine the part files of a sharded batch into batch/ (the unsharded run's bytes)
    Merge(shard::MergeArgs),
    /// Write sbatch scripts running a batch as a Slurm job array plus a merge job
    Slurm(slurm::SlurmArgs),
    /// Compare two result sets within tolerances (regression tests, CI); exit 1 on differences
    #[command(long_about = check::CHECK_ABOUT)]
    Check(check::CheckArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(manual::CompletionsArgs),
    /// Print the manual page, or write one page per command with --out DIR
    Man(manual::ManArgs),
}

/// The seed of every sampling command (`batch`, `sensitivity`, the sampled Shapley attribution
/// of `run`) when `-s/--seed` is not given.
pub const DEFAULT_SEED: u64 = 2040;

/// Exit code of a process whose output pipe was closed (128 + SIGPIPE), as shell tools give.
pub const EXIT_BROKEN_PIPE: i32 = 141;

/// Where the region dataset and the scenarios come from.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Region dataset folder (default: the embedded Kymenlaakso dataset); its scenarios/
    /// folder, when present, holds the scenarios
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Folder of scenario TOML files (default: DIR/scenarios/ of --data, else ./scenarios/ when
    /// present, else the bundled Kymenlaakso scenarios)
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// Use the scenarios compiled into kymsim, even when ./scenarios/ exists
    #[arg(long, conflicts_with = "scenarios")]
    pub bundled_scenarios: bool,
}

/// The language of what a command draws and prints for people.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct LangArg {
    /// Language of the charts, report.html and the printed summary: en or fi (default: `lang`
    /// of region.toml, else en)
    #[arg(long, value_name = "en|fi", value_parser = parse_lang)]
    pub lang: Option<crate::i18n::Lang>,
}

fn parse_lang(s: &str) -> std::result::Result<crate::i18n::Lang, String> {
    s.parse()
}

impl LangArg {
    /// `--lang`, else the region's `lang`, else English.
    pub fn resolve(&self, region: &Region) -> crate::i18n::Lang {
        self.lang.or(region.lang).unwrap_or_default()
    }
}

pub use crate::pipeline::inputs::{SCENARIOS_DIR, ScenarioSource};

impl InputArgs {
    /// The inputs these arguments name.
    pub fn inputs(&self) -> Inputs {
        Inputs {
            data: self.data.clone(),
            scenarios: self.scenarios.clone(),
            bundled_scenarios: self.bundled_scenarios,
        }
    }

    /// Loads the region ([`Inputs::region`]).
    pub fn region(&self) -> Result<Region> {
        self.inputs().region()
    }

    /// [`Inputs::provenance`].
    pub fn provenance(&self) -> crate::batch::Provenance {
        self.inputs().provenance()
    }

    /// [`Inputs::dataset_description`].
    pub fn dataset_description(&self) -> String {
        self.inputs().dataset_description()
    }

    /// [`Inputs::scenario_source`].
    pub fn scenario_source(&self) -> ScenarioSource {
        self.inputs().scenario_source()
    }

    /// [`Inputs::library`].
    pub fn library(&self) -> Result<ScenarioLibrary> {
        self.inputs().library()
    }

    /// [`Inputs::models`].
    pub fn models(&self, region: &Region, names: &[String]) -> Result<Vec<(Scenario, Model)>> {
        self.inputs().models(region, names)
    }

    /// The one stderr line saying where the dataset and the scenarios come from (not when `quiet`).
    pub fn announce(&self, region: &Region, quiet: bool) {
        self.announce_in(region, quiet, crate::i18n::Lang::En);
    }

    /// [`InputArgs::announce`] in `lang`.
    pub fn announce_in(&self, region: &Region, quiet: bool, lang: crate::i18n::Lang) {
        if quiet {
            return;
        }
        match lang {
            crate::i18n::Lang::En => eprintln!(
                "dataset: {} ({}); scenarios: {}",
                self.dataset_description(),
                region.name,
                self.scenario_source().describe()
            ),
            crate::i18n::Lang::Fi => eprintln!(
                "aineisto: {} ({}); skenaariot: {}",
                match &self.data {
                    Some(d) => d.display().to_string(),
                    None => "ohjelmaan sisältyvä `data/kymenlaakso`".into(),
                },
                region.name,
                self.scenario_source().describe_fi()
            ),
        }
    }
}

/// The results of earlier commands in `dir` that this command reads
/// ([`crate::output::prior::prior_results`]); says on stderr, unless `quiet`, which it skips and
/// why, and which it reads.
pub fn read_prior(
    dir: &std::path::Path,
    current: Option<crate::output::prior::Current>,
    quiet: bool,
) -> Result<crate::output::prior::PriorResults> {
    read_prior_in(dir, current, quiet, crate::i18n::Lang::En)
}

/// [`read_prior`] with its notes in `lang`.
pub fn read_prior_in(
    dir: &std::path::Path,
    current: Option<crate::output::prior::Current>,
    quiet: bool,
    lang: crate::i18n::Lang,
) -> Result<crate::output::prior::PriorResults> {
    let prior = crate::output::prior::prior_results(dir, current)?;
    if !quiet {
        for line in prior.notes_in(lang) {
            eprintln!("{line}");
        }
    }
    Ok(prior)
}

/// Each scenario's name as printed in `lang`: its `name_fi` in Finnish when given, else its
/// name (a scenario not in the map prints as its name).
pub(crate) fn display_names(
    models: &[(Scenario, crate::model::Model)],
    lang: crate::i18n::Lang,
) -> std::collections::BTreeMap<String, String> {
    models
        .iter()
        .map(|(s, _)| {
            (
                s.name.clone(),
                lang.pick(&s.name, s.name_fi.as_deref()).to_string(),
            )
        })
        .collect()
}

/// The printed name of scenario `name` (see [`display_names`]).
pub(crate) fn shown<'a>(
    names: &'a std::collections::BTreeMap<String, String>,
    name: &'a str,
) -> &'a str {
    names.get(name).map_or(name, String::as_str)
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
        }
    };
    signals::install();
    crate::output::on_lock_wait(|dir| {
        eprintln!(
            "waiting for another kymsim writing into {} to finish",
            dir.display()
        )
    });
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Batch(a) => batch::batch(a),
        Command::Validate(a) => validate::validate(a),
        Command::List(a) => list::list(a),
        Command::Plot(a) => plot::plot(a),
        Command::GoalSeek(a) => goal_seek::goal_seek_cmd(a),
        Command::Track(a) => track::track_cmd(a),
        Command::Sensitivity(a) => sensitivity::sensitivity(a),
        Command::Discover(a) => discover::discover(a),
        Command::Plan(a) => plan::plan(a),
        Command::Serve(a) => serve::serve_cmd(a),
        Command::ImportAlas(a) => import_alas::import_alas(a),
        Command::Merge(a) => shard::merge(a),
        Command::Slurm(a) => slurm::slurm(a),
        Command::Check(a) => check::check(a),
        Command::Completions(a) => manual::completions(a),
        Command::Man(a) => manual::man(a),
    };
    match result {
        Ok(code) => code,
        Err(Error::Interrupted) => {
            print_error(&Error::Interrupted);
            signals::exit_code()
        }
        Err(e) => {
            print_error(&e);
            e.exit_code()
        }
    }
}

/// Whether progress output may go to stderr.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
