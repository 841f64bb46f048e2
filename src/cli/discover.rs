//! `kymsim discover`: under which conditions does the target fail? A seeded batch keeps every
//! sample's inputs and verdict, PRIM finds the box of inputs where the outcome concentrates.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use serde::Serialize;

use super::batch::{SamplerArg, progress_bar, sampler_kind};
use super::{InputArgs, signals};
use crate::batch::{MAX_SAMPLES, sampler_name, thread_pool};
use crate::charts::discovery::DiscoveryChart;
use crate::charts::{DEFAULT_SIZE, Standalone, render_standalone};
use crate::decision::prim::{
    PrimBox, PrimError, PrimOptions, discovery_csv, prim, select_box, trajectory_csv,
};
use crate::decision::{DISCOVERY_CSV, DISCOVERY_TRAJECTORY_CSV};
use crate::engine::batch::{BatchOptions, sample_outcomes};
use crate::error::{Error, InputError, Result};
use crate::i18n::{Lang, Msg};
use crate::output::OutputSet;
use crate::output::pretty_json;
use crate::output::recorded::{InputHash, input_hashes};

/// The outcome PRIM explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    /// Samples that miss the target (any criterion)
    Missed,
    /// Samples that meet the target (every criterion)
    Met,
}

impl OutcomeArg {
    fn name(self) -> &'static str {
        match self {
            OutcomeArg::Missed => "missed",
            OutcomeArg::Met => "met",
        }
    }
}

/// Arguments of `kymsim discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Scenario name (bundled, or in --scenarios) or path to a .toml file
    #[arg(value_name = "SCENARIO|FILE")]
    pub scenario: String,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub lang: super::LangArg,
    /// Samples
    #[arg(long, short = 'n', default_value_t = 2000)]
    pub samples: u64,
    /// Sampler
    #[arg(long, value_enum, default_value_t = SamplerArg::Mc)]
    pub sampler: SamplerArg,
    /// Random seed: the same seed gives the same bytes, whatever the thread count
    #[arg(long, short = 's', default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Which samples to explain
    #[arg(long, value_enum, default_value_t = OutcomeArg::Missed)]
    pub outcome: OutcomeArg,
    /// Choose the densest box whose coverage is at least this share of the samples of interest
    #[arg(long, value_name = "SHARE", default_value_t = 0.8)]
    pub threshold_coverage: f64,
    /// Choose box K of the peeling trajectory instead (0 = the whole input space)
    #[arg(long = "box", value_name = "K")]
    pub pick: Option<usize>,
    /// Share of a box's samples removed per peel
    #[arg(long, value_name = "ALPHA", default_value_t = 0.05)]
    pub peel_alpha: f64,
    /// Share of a box's samples added per paste
    #[arg(long, value_name = "ALPHA", default_value_t = 0.05)]
    pub paste_alpha: f64,
    /// Peeling stops before a box holds less than this share of all samples
    #[arg(long, value_name = "SHARE", default_value_t = 0.05)]
    pub mass_min: f64,
    /// Output folder (discovery.csv, discovery_trajectory.csv, charts/discovery_<s>.*)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

pub use crate::output::schema::DISCOVERY_IDENTITY_JSON;

/// Everything that determines the discovery files: equal identities give equal files.
#[derive(Debug, Serialize)]
struct DiscoveryIdentity<'a> {
    kymsim_version: &'a str,
    region: &'a str,
    scenario: &'a str,
    samples: u64,
    seed: u64,
    sampler: &'a str,
    outcome: &'a str,
    peel_alpha: f64,
    paste_alpha: f64,
    mass_min: f64,
    /// `densest box with coverage >= C` or `box K`.
    selection: String,
    inputs: Vec<InputHash>,
}

/// The most samples `discover` accepts (it keeps every sample's inputs in memory).
pub const MAX_DISCOVER_SAMPLES: u64 = 1_000_000;

fn check_args(a: &DiscoverArgs) -> Result<()> {
    let bad = |m: String, h: &str| -> Result<()> { Err(InputError::new(m).hint(h).into()) };
    if !(20..=MAX_DISCOVER_SAMPLES.min(MAX_SAMPLES)).contains(&a.samples) {
        return bad(
            format!("--samples {} is out of range", a.samples),
            "give 20 to 1000000 samples; PRIM needs a few hundred samples of interest to find a box",
        );
    }
    if !(a.threshold_coverage > 0.0 && a.threshold_coverage <= 1.0) {
        return bad(
            format!(
                "--threshold-coverage {} is outside (0, 1]",
                a.threshold_coverage
            ),
            "give a share, e.g. 0.8 for boxes holding at least 80 % of the samples of interest",
        );
    }
    for (flag, v) in [
        ("--peel-alpha", a.peel_alpha),
        ("--paste-alpha", a.paste_alpha),
    ] {
        if !(v > 0.0 && v < 0.5) {
            return bad(
                format!("{flag} {v} is outside (0, 0.5)"),
                "the usual value is 0.05: 5 % of a box's samples per step",
            );
        }
    }
    if !(a.mass_min > 0.0 && a.mass_min < 1.0) {
        return bad(
            format!("--mass-min {} is outside (0, 1)", a.mass_min),
            "the usual value is 0.05: boxes keep at least 5 % of the samples",
        );
    }
    Ok(())
}

/// What a parameter's values measure, for the verdict's bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    /// A share (a measure's effect): shown in percent.
    Share,
    /// kt CO2e a year (a removal's size).
    KtPerYear,
    /// A year (a completion year).
    Year,
    /// € per t CO2e.
    EurPerT,
    /// A multiplicative factor (an uncertainty): `×1.05`.
    Factor,
    /// Growth per year (a driver's): shown in percent a year.
    GrowthPerYear,
    /// Anything else: the bare number.
    Plain,
}

/// The unit of parameter `name` of `model`.
fn unit_of(model: &crate::model::Model, name: &str) -> Unit {
    if name.starts_with("uncertainty.") {
        return Unit::Factor;
    }
    if name.starts_with("driver.") && name.ends_with(".growth") {
        return Unit::GrowthPerYear;
    }
    let Some((id, field)) = name
        .strip_prefix("measure.")
        .and_then(|r| r.rsplit_once('.'))
    else {
        return Unit::Plain;
    };
    match field {
        "value" => match model.measures.iter().find(|m| m.id == id) {
            Some(m) if m.kind == crate::scenario::MeasureKind::Removal => Unit::KtPerYear,
            _ => Unit::Share,
        },
        "full" => Unit::Year,
        "cost" => Unit::EurPerT,
        _ => Unit::Plain,
    }
}

/// A bound in its unit, to 3 significant digits: `81 %`, `2036`, `×1.05`, `120 kt/yr`.
fn bound(v: f64, unit: Unit, lang: Lang) -> String {
    let sig = |x: f64| {
        let r = crate::decision::prim::round_outwards(x, 3, x < 0.0);
        let d = if r.abs() >= 100.0 {
            0
        } else if r.abs() >= 10.0 {
            1
        } else if r.abs() >= 1.0 {
            2
        } else {
            3
        };
        lang.fixed(r, d)
    };
    let pct = if lang == Lang::Fi { "\u{a0}%" } else { " %" };
    match unit {
        Unit::Share => format!("{}{pct}", sig(v * 100.0)),
        Unit::GrowthPerYear => format!(
            "{}{pct}{}",
            sig(v * 100.0),
            if lang == Lang::Fi { "/v" } else { "/yr" }
        ),
        Unit::KtPerYear => format!(
            "{} {}",
            sig(v),
            if lang == Lang::Fi { "kt/v" } else { "kt/yr" }
        ),
        Unit::Year => format!("{}", v.round()),
        Unit::EurPerT => format!("{} €/t", sig(v)),
        Unit::Factor => format!("×{}", sig(v)),
        Unit::Plain => sig(v),
    }
}

/// The box's restrictions in words: `a ≥ 81 % and 0.2 ≤ b ≤ 0.4`.
fn conditions(names: &[String], units: &[Unit], b: &PrimBox, lang: Lang) -> String {
    let mut parts = Vec::new();
    for (j, name) in names.iter().enumerate() {
        let f = |v: f64| bound(v, units[j], lang);
        match (b.lower[j], b.upper[j]) {
            (Some(lo), Some(hi)) => parts.push(format!("{} ≤ {name} ≤ {}", f(lo), f(hi))),
            (Some(lo), None) => parts.push(format!("{name} ≥ {}", f(lo))),
            (None, Some(hi)) => parts.push(format!("{name} ≤ {}", f(hi))),
            (None, None) => {}
        }
    }
    parts.join(lang.t(Msg::ReportAnd))
}

/// Runs `kymsim discover`.
pub fn discover(args: DiscoverArgs) -> Result<i32> {
    check_args(&args)?;
    let region = args.input.region()?;
    let models = args
        .input
        .models(&region, std::slice::from_ref(&args.scenario))?;
    let (scenario, model) = &models[0];
    let pool = thread_pool(args.threads)?;
    let kind = sampler_kind(args.sampler);
    let sampler_name = sampler_name(kind);
    let opts = BatchOptions::new(args.samples, kind, args.seed);
    let show = !args.quiet && super::stderr_is_terminal();
    let bar = progress_bar(show, args.samples, &model.scenario);
    let outcomes =
        pool.install(|| sample_outcomes(model, &opts, signals::cancel_flag(), &|n| bar.inc(n)))?;
    bar.finish_and_clear();
    let names: Vec<String> = outcomes
        .params
        .iter()
        .map(|&i| model.params[i].name.clone())
        .collect();
    if names.is_empty() {
        return Err(InputError::new(format!(
            "scenario `{}` has no uncertain parameters: there is nothing to discover",
            model.scenario
        ))
        .hint("give measures or [[uncertainty]] entries distributions (docs/scenario-format.md)")
        .into());
    }
    let outcome = args.outcome.name();
    let interest: Vec<bool> = outcomes
        .target_met
        .iter()
        .map(|&met| met == (args.outcome == OutcomeArg::Met))
        .collect();
    let prim_opts = PrimOptions {
        peel_alpha: args.peel_alpha,
        paste_alpha: args.paste_alpha,
        mass_min: args.mass_min,
    };
    let result = pool
        .install(|| prim(&outcomes.inputs, names.len(), &interest, &prim_opts))
        .map_err(|e| -> Error {
            let n = args.samples;
            let other = if args.outcome == OutcomeArg::Met { "missed" } else { "met" };
            match e {
                PrimError::NoneOfInterest => InputError::new(format!(
                    "the target is {outcome} in none of the {n} samples of `{}`: there is no condition to find",
                    model.scenario
                ))
                .hint(format!("try --outcome {other}, or more samples (-n)"))
                .into(),
                PrimError::AllOfInterest => InputError::new(format!(
                    "the target is {outcome} in all {n} samples of `{}`: it is {outcome} whatever the uncertain inputs",
                    model.scenario
                ))
                .hint(format!("try --outcome {other}, or more samples (-n)"))
                .into(),
                other => InputError::new(other.to_string()).into(),
            }
        })?;
    let selected = match args.pick {
        Some(k) if k >= result.trajectory.len() => {
            return Err(InputError::new(format!(
                "--box {k}: the peeling trajectory has boxes 0 to {}",
                result.trajectory.len() - 1
            ))
            .hint("run without --box to see the trajectory, then pick one of its boxes")
            .into());
        }
        Some(k) => k,
        None => select_box(&result, args.threshold_coverage),
    };
    let chart = Standalone::Discovery(DiscoveryChart {
        region: region.name.clone(),
        scenario: model.scenario.clone(),
        outcome: outcome.to_string(),
        samples: args.samples,
        boxes: result
            .trajectory
            .iter()
            .map(|b| (b.coverage, b.density, b.restricted()))
            .collect(),
        pasted_from: result.pasted_from,
        selected,
        threshold: args.pick.is_none().then_some(args.threshold_coverage),
    });
    let stem = format!("discovery_{}", model.scenario);
    let rendered = render_standalone(&chart, &stem, DEFAULT_SIZE, args.lang.resolve(&region))?;
    let mut set = OutputSet::new(&args.out)?;
    set.stage(
        DISCOVERY_CSV,
        &discovery_csv(&model.scenario, outcome, &names, &result, selected),
    )?;
    set.stage(
        DISCOVERY_TRAJECTORY_CSV,
        &trajectory_csv(&model.scenario, outcome, &result, selected),
    )?;
    for r in &rendered {
        set.stage(&r.path, &r.bytes)?;
    }
    let identity = DiscoveryIdentity {
        kymsim_version: env!("CARGO_PKG_VERSION"),
        region: &region.name,
        scenario: &model.scenario,
        samples: args.samples,
        seed: args.seed,
        sampler: sampler_name,
        outcome,
        peel_alpha: args.peel_alpha,
        paste_alpha: args.paste_alpha,
        mass_min: args.mass_min,
        selection: match args.pick {
            Some(k) => format!("box {k}"),
            None => format!("densest box with coverage >= {}", args.threshold_coverage),
        },
        inputs: input_hashes(&region, &[scenario]),
    };
    set.stage(DISCOVERY_IDENTITY_JSON, &pretty_json(&identity))?;
    if signals::interrupted() {
        return Err(Error::Interrupted);
    }
    set.commit()?;

    if !args.quiet {
        let lang = args.lang.resolve(&region);
        // readable names in the verdict, each with its id as in discovery.csv
        let labels: Vec<String> = names
            .iter()
            .map(|n| {
                let l = crate::charts::metadata::model_parameter_label(model, scenario, n, lang);
                if l == *n { l } else { format!("{l} ({n})") }
            })
            .collect();
        let units: Vec<Unit> = names.iter().map(|n| unit_of(model, n)).collect();
        let all = &result.trajectory[0];
        let b = &result.trajectory[selected];
        let met = args.outcome == OutcomeArg::Met;
        let outcome_words = lang.t(if met {
            Msg::DiscoverOutcomeMet
        } else {
            Msg::DiscoverOutcomeMissed
        });
        println!(
            "{}",
            lang.fill(
                Msg::DiscoverHead,
                &[
                    (
                        "scenario",
                        &lang.pick(&scenario.name, scenario.name_fi.as_deref())
                    ),
                    ("n", &args.samples),
                    ("sampler", &sampler_name),
                    ("seed", &args.seed),
                    ("outcome", &outcome_words),
                    ("k", &all.of_interest),
                    ("p", &lang.percent(all.density)),
                ]
            )
        );
        if b.restricted() == 0 {
            println!(
                "{}",
                lang.fill(
                    Msg::DiscoverWholeSpace,
                    &[
                        ("k", &selected),
                        ("p", &lang.percent(args.threshold_coverage)),
                        ("outcome", &outcome_words),
                    ]
                )
            );
        } else {
            println!(
                "{}",
                lang.fill(
                    if met {
                        Msg::DiscoverBoxMet
                    } else {
                        Msg::DiscoverBoxMissed
                    },
                    &[
                        ("density", &lang.percent(b.density)),
                        ("conditions", &conditions(&labels, &units, b, lang)),
                        ("coverage", &lang.percent(b.coverage)),
                        ("k", &selected),
                        ("last", &(result.trajectory.len() - 1)),
                        ("mass", &lang.percent(b.mass)),
                    ]
                )
            );
        }
        println!(
            "\n{}",
            lang.fill(
                Msg::PrintWroteFiles,
                &[(
                    "files",
                    &[
                        args.out.join(DISCOVERY_CSV),
                        args.out.join(DISCOVERY_TRAJECTORY_CSV),
                        args.out.join("charts").join(format!("{stem}.png")),
                    ]
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
                )]
            )
        );
    }
    Ok(0)
}
