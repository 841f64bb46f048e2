//! The command line: clap definitions, one module per subcommand, error printing and exit codes.

mod batch;
mod check;
mod discover;
mod goal_seek;
mod import_alas;
mod list;
mod plot;
mod run;
mod sensitivity;
mod shard;
pub mod signals;
mod slurm;
mod validate;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::data::{DataSource, Region, load_region};
use crate::error::{Error, Result};
use crate::model::{Model, compile};
use crate::scenario::{Scenario, ScenarioLibrary};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  `check` found differences, or `--require-target` and a scenario misses the target
  2  bad input: a data or scenario file, an argument (the message names file, line and column)
  3  an output could not be written (disk full, permissions) or an internal error
  130/143  interrupted by Ctrl-C / SIGTERM (no partial results are left behind)";

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
    /// Build a region dataset from Syke's ALas municipal emission results
    ImportAlas(import_alas::ImportAlasArgs),
    /// Combine the part files of a sharded batch into batch/ (the unsharded run's bytes)
    Merge(shard::MergeArgs),
    /// Write sbatch scripts running a batch as a Slurm job array plus a merge job
    Slurm(slurm::SlurmArgs),
    /// Compare two result sets within tolerances (regression tests, CI); exit 1 on differences
    #[command(long_about = check::CHECK_ABOUT)]
    Check(check::CheckArgs),
}

/// Where the region dataset and the scenarios come from.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Region dataset folder (default: the embedded Kymenlaakso dataset)
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Folder of scenario TOML files to use instead of the bundled ones
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
}

impl InputArgs {
    /// Loads the region.
    pub fn region(&self) -> Result<Region> {
        match &self.data {
            Some(d) => load_region(&DataSource::Dir(d.clone())),
            None => load_region(&DataSource::Embedded),
        }
    }

    /// The scenario library.
    pub fn library(&self) -> Result<ScenarioLibrary> {
        match &self.scenarios {
            Some(d) => ScenarioLibrary::from_dir(d),
            None => Ok(ScenarioLibrary::bundled()),
        }
    }

    /// Resolves the named scenarios (all in the library when `names` is empty) and compiles them.
    pub fn models(&self, region: &Region, names: &[String]) -> Result<Vec<(Scenario, Model)>> {
        let lib = self.library()?;
        let names: Vec<String> = if names.is_empty() {
            lib.names().map(String::from).collect()
        } else {
            names.to_vec()
        };
        let mut out: Vec<(Scenario, Model)> = Vec::new();
        for n in &names {
            let sc = lib.resolve(n)?;
            if out.iter().any(|(s, _)| s.name == sc.name) {
                return Err(crate::error::InputError::new(format!(
                    "scenario `{}` is given twice",
                    sc.name
                ))
                .hint("each scenario name may appear once in a run")
                .into());
            }
            let model = compile(region, &sc)?;
            out.push((sc, model));
        }
        Ok(out)
    }
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
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Batch(a) => batch::batch(a),
        Command::Validate(a) => validate::validate(a),
        Command::List(a) => list::list(a),
        Command::Plot(a) => plot::plot(a),
        Command::GoalSeek(a) => goal_seek::goal_seek_cmd(a),
        Command::Sensitivity(a) => sensitivity::sensitivity(a),
        Command::Discover(a) => discover::discover(a),
        Command::ImportAlas(a) => import_alas::import_alas(a),
        Command::Merge(a) => shard::merge(a),
        Command::Slurm(a) => slurm::slurm(a),
        Command::Check(a) => check::check(a),
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

/// Prints an error as `error: …`, `  --> file:line:column`, the offending line, and a hint.
pub fn print_error(e: &Error) {
    let mut err = std::io::stderr().lock();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (red, bold, reset) = if color {
        ("\x1b[31;1m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let message = match e {
        Error::Input(ie) => ie.message.clone(),
        other => other.to_string(),
    };
    let _ = writeln!(err, "{red}error{reset}{bold}: {message}{reset}");
    if let Error::Input(ie) = e {
        if let Some(loc) = ie.location() {
            let _ = writeln!(err, "  --> {loc}");
        }
        if let (Some(text), Some(line)) = (&ie.source_line, ie.line) {
            let width = line.to_string().len();
            let _ = writeln!(err, "{:width$} |", "");
            let _ = writeln!(err, "{line} | {text}");
            if let Some(col) = ie.column {
                let _ = writeln!(err, "{:width$} | {:>col$}", "", "^");
            }
        }
    }
    if let Some(h) = e.hint() {
        let _ = writeln!(err, "  = hint: {h}");
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
