//! `kymsim sensitivity`: Sobol indices (the default) or Morris screening of target-year net
//! emissions for every uncertain parameter.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::InputArgs;
use crate::charts::morris::MorrisChart;
use crate::charts::{DEFAULT_SIZE, Standalone, render_standalone};
use crate::decision::morris::{MorrisOptions, MorrisRow, model_morris, morris_csv};
use crate::decision::{self, SobolOptions, model_sensitivity, sensitivity_csv};
use crate::error::{InputError, Result};
use crate::i18n::{Lang, Msg};
use crate::model::Model;
use crate::output::pretty_json;
use crate::output::recorded::{InputHash, input_hashes};
use crate::output::{OutputSet, recorded};
use crate::scenario::Scenario;

pub use crate::output::schema::MORRIS_IDENTITY_JSON;

/// Everything that determines the Morris files: equal identities give equal files.
#[derive(Debug, Serialize)]
struct MorrisIdentity<'a> {
    kymsim_version: &'a str,
    region: &'a str,
    scenarios: Vec<&'a str>,
    trajectories: usize,
    candidates: usize,
    levels: usize,
    seed: u64,
    inputs: Vec<InputHash>,
}

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

/// What produced `sensitivity.csv` (deterministic: no timestamp); `run` and `plot` draw the
/// indices only while its inputs match theirs.
#[derive(Debug, Serialize)]
struct SensitivityIdentity {
    kymsim_version: String,
    region: String,
    scenarios: Vec<String>,
    samples: u64,
    seed: u64,
    resamples: u64,
    inputs: Vec<recorded::InputHash>,
}

/// Runs `kymsim sensitivity`.
pub fn sensitivity(args: SensitivityArgs) -> Result<i32> {
    crate::output::check_out_dir(&args.out)?;
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
    let lang = args.lang.resolve(&region);
    args.input.announce_in(&region, args.quiet, lang);
    if args.method == Method::Morris {
        return morris(&args, &region, &models);
    }
    for (_, m) in &models {
        let k = decision::uncertain_count(m);
        let values = (args.samples as u128) * (k as u128 + 2);
        if values > decision::MAX_SOBOL_VALUES as u128 {
            return Err(InputError::new(format!(
                "--samples {} with {k} uncertain parameters in `{}` needs {values} stored results ({} MiB); the limit is {} ({} MiB)",
                args.samples,
                m.scenario,
                (values * 8) >> 20,
                decision::MAX_SOBOL_VALUES,
                (decision::MAX_SOBOL_VALUES * 8) >> 20,
            ))
            .hint(format!(
                "give at most --samples {}",
                decision::MAX_SOBOL_VALUES / (k + 2)
            ))
            .into());
        }
    }
    let opts = SobolOptions {
        samples: args.samples as usize,
        seed: args.seed,
        resamples: args.resamples as usize,
    };
    let pool = crate::batch::thread_pool(args.threads)?;
    let results: Vec<_> = pool.install(|| {
        models
            .iter()
            .map(|(_, m)| Ok((m.scenario.as_str(), model_sensitivity(m, &opts)?)))
            .collect::<Result<_>>()
    })?;
    let borrowed: Vec<(&str, &[decision::SensitivityRow])> =
        results.iter().map(|(s, r)| (*s, r.as_slice())).collect();
    let scenarios: Vec<&crate::scenario::Scenario> = models.iter().map(|(s, _)| s).collect();
    let identity = SensitivityIdentity {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        region: region.name.clone(),
        scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
        samples: args.samples,
        seed: args.seed,
        resamples: args.resamples,
        inputs: recorded::input_hashes(&region, &scenarios),
    };
    let mut set = OutputSet::new(&args.out)?;
    set.stage(decision::SENSITIVITY_CSV, &sensitivity_csv(&borrowed))?;
    set.stage(
        recorded::SENSITIVITY_IDENTITY_JSON,
        &crate::output::pretty_json(&identity),
    )?;
    set.commit()?;

    if !args.quiet {
        let names = super::display_names(&models, lang);
        let mut sorted: Vec<&(&str, Vec<decision::SensitivityRow>)> = results.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let target_year = region.target.year;
        for (scenario, rows) in sorted {
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
            let labels: Vec<String> = rows
                .iter()
                .take(10)
                .map(|r| label(&models, scenario, &r.parameter, lang))
                .collect();
            let w = labels
                .iter()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0)
                .max(40);
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
            if rows.len() > 10 {
                println!(
                    "{}",
                    lang.fill(
                        Msg::PrintMoreIn,
                        &[
                            ("n", &(rows.len() - 10)),
                            ("file", &decision::SENSITIVITY_CSV)
                        ]
                    )
                );
            }
        }
        println!(
            "\n{}",
            lang.fill(
                Msg::PrintWrote,
                &[("dir", &args.out.join(decision::SENSITIVITY_CSV).display())]
            )
        );
    }
    Ok(0)
}

/// A parameter's name as the charts give it (the id when the scenario is not found).
fn label(compiled: &[(Scenario, Model)], scenario: &str, parameter: &str, lang: Lang) -> String {
    compiled
        .iter()
        .find(|(_, m)| m.scenario == scenario)
        .map_or_else(
            || parameter.to_string(),
            |(sc, m)| crate::charts::metadata::model_parameter_label(m, sc, parameter, lang),
        )
}

/// `--method morris`: `morris.csv` and one chart per scenario with uncertain parameters.
fn morris(
    args: &SensitivityArgs,
    region: &crate::data::Region,
    compiled: &[(Scenario, Model)],
) -> Result<i32> {
    let models: Vec<&Model> = compiled.iter().map(|(_, m)| m).collect();
    let lang = args.lang.resolve(region);
    if args.levels % 2 != 0 {
        return Err(InputError::new(format!("--levels {} is odd", args.levels))
            .hint("give an even number of levels (4 is usual): each step moves half of them")
            .into());
    }
    if args.candidates < args.trajectories {
        return Err(InputError::new(format!(
            "--candidates {} is fewer than --trajectories {}",
            args.candidates, args.trajectories
        ))
        .hint("the trajectories are chosen among the candidates: give at least as many candidates")
        .into());
    }
    let opts = MorrisOptions {
        trajectories: args.trajectories as usize,
        candidates: args.candidates as usize,
        levels: args.levels as usize,
        seed: args.seed,
    };
    let pool = crate::batch::thread_pool(args.threads)?;
    let results: Vec<(&str, Vec<MorrisRow>)> = pool.install(|| {
        models
            .iter()
            .map(|m| (m.scenario.as_str(), model_morris(m, &opts)))
            .collect()
    });
    let borrowed: Vec<(&str, &[MorrisRow])> =
        results.iter().map(|(s, r)| (*s, r.as_slice())).collect();
    let target_year = region.target.year;
    let mut set = OutputSet::new(&args.out)?;
    set.stage(decision::MORRIS_CSV, &morris_csv(&borrowed))?;
    let mut sorted: Vec<&(&str, Vec<MorrisRow>)> = results.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (scenario, rows) in &sorted {
        if rows.is_empty() {
            continue;
        }
        let chart = Standalone::Morris(MorrisChart {
            region: region.name.clone(),
            scenario: scenario.to_string(),
            target_year,
            trajectories: opts.trajectories,
            evaluations: opts.trajectories * (rows.len() + 1),
            rows: rows
                .iter()
                .map(|r| {
                    let label = compiled
                        .iter()
                        .find(|(_, m)| m.scenario == *scenario)
                        .map_or_else(
                            || r.parameter.clone(),
                            |(sc, m)| {
                                crate::charts::metadata::model_parameter_label(
                                    m,
                                    sc,
                                    &r.parameter,
                                    lang,
                                )
                            },
                        );
                    (label, r.index.mu_star, r.index.sigma)
                })
                .collect(),
        });
        for r in render_standalone(&chart, &format!("morris_{scenario}"), DEFAULT_SIZE, lang)? {
            set.stage(&r.path, &r.bytes)?;
        }
    }
    let scenarios: Vec<&Scenario> = compiled.iter().map(|(s, _)| s).collect();
    let identity = MorrisIdentity {
        kymsim_version: env!("CARGO_PKG_VERSION"),
        region: &region.name,
        scenarios: models.iter().map(|m| m.scenario.as_str()).collect(),
        trajectories: opts.trajectories,
        candidates: opts.candidates,
        levels: opts.levels,
        seed: opts.seed,
        inputs: input_hashes(region, &scenarios),
    };
    set.stage(MORRIS_IDENTITY_JSON, &pretty_json(&identity))?;
    set.commit()?;
    if !args.quiet {
        let names = super::display_names(compiled, lang);
        for (scenario, rows) in sorted {
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
            let labels: Vec<String> = rows
                .iter()
                .take(10)
                .map(|r| label(compiled, scenario, &r.parameter, lang))
                .collect();
            let w = labels
                .iter()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0)
                .max(40);
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
            if rows.len() > 10 {
                println!(
                    "{}",
                    lang.fill(
                        Msg::PrintMoreIn,
                        &[("n", &(rows.len() - 10)), ("file", &decision::MORRIS_CSV)]
                    )
                );
            }
        }
        println!(
            "\n{}",
            lang.fill(
                Msg::PrintWrote,
                &[("dir", &args.out.join(decision::MORRIS_CSV).display())]
            )
        );
    }
    Ok(0)
}
