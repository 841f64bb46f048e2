//! `kymsim sensitivity`: Sobol indices (the default) or Morris screening of target-year net
//! emissions for every uncertain parameter — the arguments and the printed tables around
//! [`crate::pipeline::sensitivity`].

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::InputArgs;
use crate::decision::morris::{MorrisOptions, MorrisRow};
use crate::decision::{self, SensitivityRow, SobolOptions};
use crate::error::Result;
use crate::i18n::{Lang, Msg};
use crate::model::Model;
use crate::pipeline::sensitivity::{self as pipeline, parameter_label};
use crate::scenario::Scenario;

/// Sensitivity method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Sobol first- and total-order indices with bootstrap intervals → sensitivity.csv
    Sobol,
    /// Morris elementary effects (μ*, σ), a cheap screening → morris.csv and charts/morris_<s>
    Morris,
}

/// Arguments of `kymsim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario names (bundled, or in --scenarios) or paths to .toml files; default: all
    #[arg(value_name = "SCENARIO|FILE")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub lang: super::LangArg,
    /// Method
    #[arg(long, value_enum, default_value_t = Method::Sobol)]
    pub method: Method,
    /// Morris: trajectories r (cost r·(k + 1) evaluations)
    #[arg(long, value_name = "R", default_value_t = 20, value_parser = clap::value_parser!(u64).range(2..=10_000))]
    pub trajectories: u64,
    /// Morris: candidate trajectories the r most spread out are chosen from
    #[arg(long, value_name = "M", default_value_t = 100, value_parser = clap::value_parser!(u64).range(2..=2_000))]
    pub candidates: u64,
    /// Morris: grid levels per parameter (even)
    #[arg(long, value_name = "P", default_value_t = 4, value_parser = clap::value_parser!(u64).range(2..=64))]
    pub levels: u64,
    /// Sobol: base sample size N; the cost is N·(k + 2) evaluations for k uncertain parameters
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(2..=100_000_000))]
    pub samples: u64,
    /// Seed of the draws and the bootstrap
    #[arg(long, short = 's', value_name = "S", default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
    /// Sobol: bootstrap resamples for the 95 % confidence intervals
    #[arg(long, value_name = "R", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub resamples: u64,
    /// Output folder (sensitivity.csv is written there)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Worker threads (default: one per core); results do not depend on it
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `kymsim sensitivity`.
pub fn sensitivity(args: SensitivityArgs) -> Result<i32> {
    crate::output::check_out_dir(&args.out)?;
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
    let lang = args.lang.resolve(&region);
    args.input.announce_in(&region, args.quiet, lang);
    if args.method == Method::Morris {
        let opts = MorrisOptions {
            trajectories: args.trajectories as usize,
            candidates: args.candidates as usize,
            levels: args.levels as usize,
            seed: args.seed,
        };
        let results = pipeline::morris(&args.out, &region, &models, &opts, args.threads, lang)?;
        if !args.quiet {
            print_morris(&args, &models, region.target.year, &opts, &results, lang);
        }
        return Ok(0);
    }
    let opts = SobolOptions {
        samples: args.samples as usize,
        seed: args.seed,
        resamples: args.resamples as usize,
    };
    let results = pipeline::sobol(&args.out, &region, &models, &opts, args.threads)?;
    if !args.quiet {
        print_sobol(&args, &models, region.target.year, &opts, &results, lang);
    }
    Ok(0)
}

/// The ten largest Sobol indices of each scenario with their intervals.
fn print_sobol(
    args: &SensitivityArgs,
    models: &[(Scenario, Model)],
    target_year: i32,
    opts: &SobolOptions,
    results: &pipeline::ByScenario<SensitivityRow>,
    lang: Lang,
) {
    let names = super::display_names(models, lang);
    for (scenario, rows) in results {
        if rows.is_empty() {
            println!(
                "{}",
                lang.fill(Msg::PrintNoUncertain, &[("scenario", scenario)])
            );
            continue;
        }
        let evaluations = opts.samples * (rows.len() + 2);
        println!(
            "{}",
            lang.fill(
                Msg::PrintSobolHead,
                &[
                    ("scenario", &super::shown(&names, scenario)),
                    ("year", &target_year),
                    ("n", &opts.samples),
                    ("seed", &opts.seed),
                    ("evaluations", &evaluations),
                ]
            )
        );
        let labels = top_labels(models, scenario, rows.iter().map(|r| &r.parameter), lang);
        let w = label_width(&labels);
        println!(
            "  {:<w$} {:>22} {:>22}",
            lang.t(Msg::PrintHeadParameter),
            lang.t(Msg::PrintHeadFirstOrder),
            lang.t(Msg::PrintHeadTotalOrder)
        );
        let f = |v: f64| match lang {
            Lang::En => format!("{v:>6.3}"),
            Lang::Fi => format!("{:>6}", lang.fixed(v, 3)),
        };
        for (r, l) in rows.iter().zip(&labels) {
            let x = &r.index;
            let pad = w.saturating_sub(l.chars().count());
            println!(
                "  {l}{} {} [{}, {}] {} [{}, {}]",
                " ".repeat(pad),
                f(x.first),
                f(x.first_lo),
                f(x.first_hi),
                f(x.total),
                f(x.total_lo),
                f(x.total_hi)
            );
        }
        more(rows.len(), decision::SENSITIVITY_CSV, lang);
    }
    println!(
        "\n{}",
        lang.fill(
            Msg::PrintWrote,
            &[("dir", &args.out.join(decision::SENSITIVITY_CSV).display())]
        )
    );
}

/// The ten largest Morris effects of each scenario.
fn print_morris(
    args: &SensitivityArgs,
    models: &[(Scenario, Model)],
    target_year: i32,
    opts: &MorrisOptions,
    results: &pipeline::ByScenario<MorrisRow>,
    lang: Lang,
) {
    let names = super::display_names(models, lang);
    for (scenario, rows) in results {
        if rows.is_empty() {
            println!(
                "{}",
                lang.fill(Msg::PrintNoUncertain, &[("scenario", scenario)])
            );
            continue;
        }
        println!(
            "{}",
            lang.fill(
                Msg::PrintMorrisHead,
                &[
                    ("scenario", &super::shown(&names, scenario)),
                    ("year", &target_year),
                    ("r", &opts.trajectories),
                    ("m", &opts.candidates),
                    ("levels", &opts.levels),
                    ("seed", &opts.seed),
                    ("evaluations", &(opts.trajectories * (rows.len() + 1))),
                ]
            )
        );
        let labels = top_labels(models, scenario, rows.iter().map(|r| &r.parameter), lang);
        let w = label_width(&labels);
        println!(
            "  {:<w$} {:>12} {:>12} {:>12}",
            lang.t(Msg::PrintHeadParameter),
            "μ* kt",
            "μ kt",
            "σ kt"
        );
        let f = |v: f64| match lang {
            Lang::En => format!("{v:>12.3}"),
            Lang::Fi => format!("{:>12}", lang.fixed(v, 3)),
        };
        for (r, l) in rows.iter().zip(&labels) {
            let x = &r.index;
            let pad = w.saturating_sub(l.chars().count());
            println!(
                "  {l}{} {} {} {}",
                " ".repeat(pad),
                f(x.mu_star),
                f(x.mu),
                f(x.sigma)
            );
        }
        more(rows.len(), decision::MORRIS_CSV, lang);
    }
    println!(
        "\n{}",
        lang.fill(
            Msg::PrintWrote,
            &[("dir", &args.out.join(decision::MORRIS_CSV).display())]
        )
    );
}

/// The names of the first ten parameters, as the charts give them.
fn top_labels<'a>(
    models: &[(Scenario, Model)],
    scenario: &str,
    parameters: impl Iterator<Item = &'a String>,
    lang: Lang,
) -> Vec<String> {
    parameters
        .take(10)
        .map(|p| parameter_label(models, scenario, p, lang))
        .collect()
}

/// The width of the name column: the longest name, at least 40.
fn label_width(labels: &[String]) -> usize {
    labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(40)
}

/// The line saying how many more rows `file` holds, when there are more than ten.
fn more(rows: usize, file: &str, lang: Lang) {
    if rows > 10 {
        println!(
            "{}",
            lang.fill(Msg::PrintMoreIn, &[("n", &(rows - 10)), ("file", &file)])
        );
    }
}
