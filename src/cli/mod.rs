//! The command line: clap definitions, one module per subcommand, error printing and exit codes.

mod batch;
mod check;
mod discover;
mod goal_seek;
mod import_alas;
mod list;
mod manual;
pub mod panic;
mod plan;
mod plot;
mod run;
mod sensitivity;
mod serve;
pub mod shard;
pub mod signals;
mod slurm;
mod track;
mod validate;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::data::{DataSource, Region, load_region};
use crate::error::{Error, Result, printable};
use crate::model::{Model, compile};
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

/// The folder name looked up in the working directory and in a dataset folder.
pub const SCENARIOS_DIR: &str = "scenarios";

/// Where a command's scenarios come from, in the order they are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioSource {
    /// `--scenarios DIR`.
    Given(PathBuf),
    /// `--bundled-scenarios`, or no `--data` and no `./scenarios/`.
    Bundled,
    /// `DIR/scenarios/` of `--data DIR`.
    Dataset(PathBuf),
    /// `./scenarios/` of the working directory.
    WorkingDir(PathBuf),
    /// `--data DIR` without `DIR/scenarios/`: none (the bundled set is for Kymenlaakso).
    Missing(PathBuf),
}

impl ScenarioSource {
    /// The folder the scenarios are read from, if any.
    pub fn dir(&self) -> Option<&std::path::Path> {
        match self {
            ScenarioSource::Given(d)
            | ScenarioSource::Dataset(d)
            | ScenarioSource::WorkingDir(d) => Some(d),
            ScenarioSource::Bundled | ScenarioSource::Missing(_) => None,
        }
    }

    /// How the stderr line names the source in Finnish.
    pub fn describe_fi(&self) -> String {
        match self {
            ScenarioSource::Given(d) => format!("`{}` (--scenarios)", d.display()),
            ScenarioSource::Bundled => "ohjelmaan sisältyvät Kymenlaakson skenaariot".into(),
            ScenarioSource::Dataset(d) => format!("`{}` (aineiston kansio)", d.display()),
            ScenarioSource::WorkingDir(d) => {
                format!("`./{}/` (työhakemistosta)", d.display())
            }
            ScenarioSource::Missing(d) => {
                format!(
                    "ei yhtään (kansiossa `{}` ei ole {SCENARIOS_DIR}/-kansiota)",
                    d.display()
                )
            }
        }
    }

    /// How the manifest and the stderr line name the source.
    pub fn describe(&self) -> String {
        match self {
            ScenarioSource::Given(d) => format!("{} (--scenarios)", d.display()),
            ScenarioSource::Bundled => "the bundled Kymenlaakso scenarios".into(),
            ScenarioSource::Dataset(d) => format!("{} (the dataset's folder)", d.display()),
            ScenarioSource::WorkingDir(d) => {
                format!("./{}/ (found in the working directory)", d.display())
            }
            ScenarioSource::Missing(d) => {
                format!("none (`{}` has no {SCENARIOS_DIR}/ folder)", d.display())
            }
        }
    }
}

impl InputArgs {
    /// Loads the region.
    pub fn region(&self) -> Result<Region> {
        match &self.data {
            Some(d) => load_region(&DataSource::Dir(d.clone())),
            None => load_region(&DataSource::Embedded),
        }
    }

    /// Where the dataset and scenarios came from, as a manifest records them.
    pub fn provenance(&self) -> crate::batch::Provenance {
        crate::batch::Provenance {
            dataset: self.dataset_description(),
            scenarios_from: self.scenario_source().describe(),
        }
    }

    /// How the manifest and the stderr line name the dataset.
    pub fn dataset_description(&self) -> String {
        match &self.data {
            Some(d) => d.display().to_string(),
            None => "embedded:data/kymenlaakso".into(),
        }
    }

    /// Where the scenarios come from: `--scenarios DIR`; `--bundled-scenarios`; with
    /// `--data DIR`, `DIR/scenarios/` (none when absent); `./scenarios/`; the bundled set.
    pub fn scenario_source(&self) -> ScenarioSource {
        if let Some(d) = &self.scenarios {
            return ScenarioSource::Given(d.clone());
        }
        if self.bundled_scenarios {
            return ScenarioSource::Bundled;
        }
        if let Some(data) = &self.data {
            let d = data.join(SCENARIOS_DIR);
            return if d.is_dir() {
                ScenarioSource::Dataset(d)
            } else {
                ScenarioSource::Missing(data.clone())
            };
        }
        let local = PathBuf::from(SCENARIOS_DIR);
        if local.is_dir() {
            ScenarioSource::WorkingDir(local)
        } else {
            ScenarioSource::Bundled
        }
    }

    /// The scenario library of [`InputArgs::scenario_source`].
    pub fn library(&self) -> Result<ScenarioLibrary> {
        match self.scenario_source() {
            ScenarioSource::Given(d)
            | ScenarioSource::Dataset(d)
            | ScenarioSource::WorkingDir(d) => ScenarioLibrary::from_dir(&d),
            ScenarioSource::Bundled => Ok(ScenarioLibrary::bundled()),
            ScenarioSource::Missing(data) => Ok(ScenarioLibrary::none(
                format!(
                    "the dataset `{}` has no {SCENARIOS_DIR}/ folder, and the bundled scenarios are written for Kymenlaakso",
                    data.display()
                ),
                format!(
                    "put the region's scenario files in `{}` (`kymsim import-alas` writes a starter baseline.toml), pass --scenarios DIR, or --bundled-scenarios to apply the Kymenlaakso ones anyway",
                    data.join(SCENARIOS_DIR).display()
                ),
            )),
        }
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

    /// Resolves the named scenarios (all in the library when `names` is empty) and compiles them.
    pub fn models(&self, region: &Region, names: &[String]) -> Result<Vec<(Scenario, Model)>> {
        let lib = self.library()?;
        if names.is_empty() && lib.is_empty() {
            return Err(lib.empty_error());
        }
        let names: Vec<String> = if names.is_empty() {
            lib.names().map(String::from).collect()
        } else {
            names.to_vec()
        };
        // every scenario is checked, so one run reports the errors of all of them
        let mut out: Vec<(Scenario, Model)> = Vec::new();
        let mut errors = crate::error::Errors::default();
        for n in &names {
            let one = lib.resolve(n).and_then(|sc| {
                if out.iter().any(|(s, _)| s.name == sc.name) {
                    return Err(crate::error::InputError::new(format!(
                        "scenario `{}` is given twice",
                        sc.name
                    ))
                    .hint("each scenario name may appear once in a run")
                    .into());
                }
                let model = compile(region, &sc)?;
                crate::engine::check_central(&model)?;
                out.push((sc, model));
                Ok(())
            });
            if !errors.keep(one) {
                break;
            }
        }
        errors.finish()?;
        Ok(out)
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

/// Prints an error as `error: …`, `  --> file:line:column`, the offending line, and a hint;
/// several errors one after the other, then how many there were.
pub fn print_error(e: &Error) {
    let mut err = std::io::stderr().lock();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let style = if color {
        ("\x1b[31;1m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    match e {
        Error::Input(ie) => print_input_error(&mut err, ie, style),
        Error::Several(all) => {
            for ie in all {
                print_input_error(&mut err, ie, style);
            }
            let more = if all.len() >= crate::error::MAX_ERRORS {
                format!(
                    " (the first {}; fix them and run again for more)",
                    all.len()
                )
            } else {
                String::new()
            };
            let _ = writeln!(err, "{} errors{more}", all.len());
        }
        other => {
            let (red, bold, reset) = style;
            let _ = writeln!(
                err,
                "{red}error{reset}{bold}: {}{reset}",
                printable(&other.to_string(), MAX_MESSAGE_CHARS)
            );
            if let Some(h) = other.hint() {
                let _ = writeln!(err, "  = hint: {}", printable(h, MAX_MESSAGE_CHARS));
            }
        }
    }
}

/// Longest message, hint or location printed whole (characters); longer ones are cut.
const MAX_MESSAGE_CHARS: usize = 1000;
/// Characters of an offending source line shown around its column.
const SNIPPET_CHARS: usize = 120;

fn print_input_error(
    err: &mut impl Write,
    ie: &crate::error::InputError,
    (red, bold, reset): (&str, &str, &str),
) {
    let _ = writeln!(
        err,
        "{red}error{reset}{bold}: {}{reset}",
        printable(&ie.message, MAX_MESSAGE_CHARS)
    );
    if let Some(loc) = ie.location() {
        let _ = writeln!(err, "  --> {}", printable(&loc, MAX_MESSAGE_CHARS));
    }
    if let (Some(text), Some(line)) = (&ie.source_line, ie.line) {
        let width = line.to_string().len();
        let (shown, caret) = snippet(text, ie.column);
        let _ = writeln!(err, "{:width$} |", "");
        let _ = writeln!(err, "{line} | {shown}");
        if let Some(col) = caret {
            // spaces written out: a column of any size (no format width, which stops at 65,535)
            let _ = writeln!(err, "{:width$} | {}^", "", " ".repeat(col - 1));
        }
    }
    if let Some(h) = &ie.hint {
        let _ = writeln!(err, "  = hint: {}", printable(h, MAX_MESSAGE_CHARS));
    }
}

/// The part of an offending line shown under an error: at most [`SNIPPET_CHARS`] characters
/// around the 1-based `column` (`…` marks what is cut), each control character shown as one
/// replacement character so the caret stays under its column. Returns the text and the caret's
/// 1-based column in it.
fn snippet(text: &str, column: Option<usize>) -> (String, Option<usize>) {
    let total = text.chars().count();
    let col = column.unwrap_or(1).max(1);
    let (start, end) = if total <= SNIPPET_CHARS {
        (1, total)
    } else {
        let start = col
            .saturating_sub(SNIPPET_CHARS / 2)
            .max(1)
            .min(total + 1 - SNIPPET_CHARS);
        (start, start + SNIPPET_CHARS - 1)
    };
    let mut shown = String::new();
    if start > 1 {
        shown.push('…');
    }
    for c in text.chars().skip(start - 1).take(end + 1 - start) {
        shown.push(match c {
            '\t' => ' ',
            c if c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                '\u{fffd}'
            }
            c => c,
        });
    }
    if end < total {
        shown.push('…');
    }
    let caret = column.map(|_| {
        let at = col.clamp(start, end + 1) - start + 1;
        at + usize::from(start > 1)
    });
    (shown, caret)
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
    fn a_snippet_shows_the_column_of_any_size_under_a_caret() {
        // a short line is shown whole; a tab and an escape become one character each
        assert_eq!(
            snippet("ab\tc\x1bd", Some(4)),
            ("ab c\u{fffd}d".to_string(), Some(4))
        );
        // 100,000 characters, the error at column 70,000: 120 around it, cut on both sides
        let line = "x".repeat(69_999) + "!" + &"y".repeat(30_000);
        let (shown, caret) = snippet(&line, Some(70_000));
        assert_eq!(shown.chars().count(), 122);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        let caret = caret.unwrap();
        assert_eq!(shown.chars().nth(caret - 1), Some('!'));
        // past the end of the line: the caret just after it
        let (shown, caret) = snippet("abc", Some(9));
        assert_eq!((shown.as_str(), caret), ("abc", Some(4)));
    }

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
