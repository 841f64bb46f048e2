//! `kymsim discover`: under which conditions does the target fail? The arguments, and the
//! verdict in words around [`crate::pipeline::discover`].

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::batch::{SamplerArg, progress_bar, sampler_kind};
use super::{InputArgs, signals};
use crate::decision::prim::{PrimBox, PrimOptions};
use crate::decision::{DISCOVERY_CSV, DISCOVERY_TRAJECTORY_CSV};
use crate::error::Result;
use crate::i18n::{Lang, Msg};
use crate::pipeline::discover::{DiscoverRequest, Outcome};

/// The outcome PRIM explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    /// Samples that miss the target (any criterion)
    Missed,
    /// Samples that meet the target (every criterion)
    Met,
}

impl OutcomeArg {
    fn outcome(self) -> Outcome {
        match self {
            OutcomeArg::Missed => Outcome::Missed,
            OutcomeArg::Met => Outcome::Met,
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

/// Runs `kymsim discover`: [`crate::pipeline::discover`], then the verdict in words.
pub fn discover(args: DiscoverArgs) -> Result<i32> {
    let inputs = args.input.inputs();
    let req = DiscoverRequest {
        inputs: &inputs,
        scenario: &args.scenario,
        samples: args.samples,
        sampler: sampler_kind(args.sampler),
        seed: args.seed,
        threads: args.threads,
        outcome: args.outcome.outcome(),
        threshold_coverage: args.threshold_coverage,
        pick: args.pick,
        prim: PrimOptions {
            peel_alpha: args.peel_alpha,
            paste_alpha: args.paste_alpha,
            mass_min: args.mass_min,
        },
        out: &args.out,
        lang: args.lang.lang,
    };
    let p = crate::pipeline::discover::prepare(&req)?;
    let show = !args.quiet && super::stderr_is_terminal();
    let bar = progress_bar(show, args.samples, &p.model.scenario);
    let found =
        crate::pipeline::discover::execute(&req, &p, signals::cancel_flag(), &|n| bar.inc(n))?;
    bar.finish_and_clear();
    if !args.quiet {
        print_verdict(&args, &p, &found);
    }
    Ok(0)
}

/// The chosen box in words, with the files written.
fn print_verdict(
    args: &DiscoverArgs,
    p: &crate::pipeline::discover::Prepared,
    found: &crate::pipeline::discover::Discovery,
) {
    let (lang, model, scenario) = (p.lang, &p.model, &p.scenario);
    let (names, result, selected) = (&found.names, &found.prim, found.selected);
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
                ("sampler", &found.sampler),
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
    let files = [
        args.out.join(DISCOVERY_CSV),
        args.out.join(DISCOVERY_TRAJECTORY_CSV),
        args.out.join("charts").join(format!("{}.png", found.stem)),
    ];
    println!(
        "\n{}",
        lang.fill(
            Msg::PrintWroteFiles,
            &[(
                "files",
                &files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )]
        )
    );
}
