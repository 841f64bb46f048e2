//! `kymsim plan`: the cheapest set of a menu's measures that meets the target with a stated
//! probability — the arguments and what is printed; the pipeline is [`crate::plan::run`].

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::error::Result;
use crate::i18n::{Lang, Msg};
use crate::plan::{PlanReport, PlanResult, Request, Separable, Unreachable};

/// Arguments of `kymsim plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scenario whose measures are the candidates (those BASE lacks or has with another value)
    #[arg(value_name = "MENU")]
    pub menu: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// The scenario the plan extends (one MENU builds on)
    #[arg(long, value_name = "BASE")]
    pub from: String,
    /// The share of samples that must meet the target, in (0, 1]
    #[arg(long, short = 'p', value_name = "P")]
    pub probability: f64,
    /// Samples, drawn as `kymsim batch -n N --seed SEED` draws them
    #[arg(long, short = 'n', default_value_t = 2000)]
    pub samples: u64,
    /// Random seed of the samples (out of sample: SEED + 1)
    #[arg(long, short = 's', default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
    /// Levels of each measure besides off: K + 1 levels from BASE's setting to MENU's
    #[arg(long, value_name = "K", default_value_t = 4)]
    pub steps: u8,
    /// Require every milestone too, with the same probability
    #[arg(long)]
    pub milestones: bool,
    /// Solve for P = 0.5, 0.6, 0.7, 0.8, 0.9, 0.95 too → plan/frontier.csv, charts/frontier_<MENU>
    #[arg(long)]
    pub frontier: bool,
    /// Relative gap between cost and lower bound at which the search stops
    #[arg(long, default_value_t = 0.01)]
    pub gap: f64,
    /// Nodes after which the search stops (the gap reached is reported)
    #[arg(long, default_value_t = 1_000_000, hide = true)]
    pub max_nodes: u64,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Output folder (files go to <OUT>/plan/)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Print nothing but errors (the exit code says whether a plan was found)
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub lang: super::LangArg,
}

/// Runs `kymsim plan`: exit 0 with a plan, 1 when no portfolio reaches the probability.
pub fn plan(args: PlanArgs) -> Result<i32> {
    let request = Request {
        menu: args.menu.clone(),
        base: args.from.clone(),
        probability: args.probability,
        samples: args.samples,
        seed: args.seed,
        steps: args.steps,
        milestones: args.milestones,
        gap: args.gap,
        max_nodes: args.max_nodes,
        frontier: args.frontier,
    };
    request.check()?;
    crate::output::check_out_dir(&args.out)?;
    let region = args.input.region()?;
    let lang = args.lang.resolve(&region);
    let library = args.input.library()?;
    args.input.announce_in(&region, args.quiet, lang);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| crate::error::Error::Internal(format!("thread pool: {e}")))?;
    let result = pool.install(|| crate::plan::run(&region, &library, &request, &args.out, lang))?;
    match result {
        PlanResult::Found(r) => {
            if !args.quiet {
                print_plan(&r, lang);
            }
            Ok(0)
        }
        PlanResult::Unreachable(u) => {
            if !args.quiet {
                print_unreachable(&request, &u, region.target.year, lang);
            }
            Ok(1)
        }
    }
}

fn money(lang: Lang, x: f64) -> String {
    lang.fixed(x, 2)
}

fn print_plan(r: &PlanReport, lang: Lang) {
    let q = &r.request;
    let s = &r.solved;
    println!(
        "{}",
        lang.fill(
            Msg::PlanVerdict,
            &[
                ("base", &q.base),
                ("menu", &q.menu),
                ("goal", &lang.percent(q.probability)),
                ("n", &q.samples),
                ("cost", &money(lang, s.cost)),
                ("bound", &money(lang, s.lower_bound)),
                ("gap", &lang.percent(s.gap())),
                ("nodes", &s.nodes),
                ("seconds", &lang.fixed(s.seconds, 1)),
            ]
        )
    );
    if let Some(why) = &r.separable {
        let why = match why {
            Separable::Reinforcing(pairs) => {
                let pairs: Vec<String> = pairs
                    .iter()
                    .map(|(a, b)| format!("`{a}` → `{b}`"))
                    .collect();
                lang.fill(Msg::PlanReinforcing, &[("pairs", &pairs.join(", "))])
            }
            Separable::BaseYear => lang.t(Msg::PlanBaseYear).to_string(),
        };
        eprintln!("{}", lang.fill(Msg::PlanSeparable, &[("why", &why)]));
    }
    let chosen: Vec<_> = r.portfolio.iter().filter(|p| p.level > 0.0).collect();
    if chosen.is_empty() {
        println!("{}", lang.fill(Msg::PlanNone, &[("base", &q.base)]));
    }
    for p in chosen {
        println!(
            "{}",
            lang.fill(
                Msg::PlanMeasure,
                &[
                    ("id", &p.measure),
                    ("level", &lang.fixed(p.level, 2)),
                    ("cost", &money(lang, p.cost_meur_per_yr)),
                    ("kt", &lang.fixed(p.abatement_kt, 1)),
                ]
            )
        );
    }
    println!(
        "{}",
        lang.fill(
            Msg::PlanShares,
            &[
                ("inside", &lang.percent(r.in_sample.p)),
                ("outside", &lang.percent(r.out_of_sample.p)),
                ("low", &lang.percent(r.out_of_sample.low)),
                ("high", &lang.percent(r.out_of_sample.high)),
                ("n", &q.samples),
                ("seed", &q.seed.wrapping_add(1)),
            ]
        )
    );
    if r.falls_short() {
        eprintln!(
            "{}",
            lang.fill(Msg::PlanShort, &[("goal", &lang.percent(q.probability))])
        );
    }
    if !r.frontier.is_empty() {
        println!(
            "{}",
            lang.fill(
                Msg::PlanFrontierHead,
                &[("file", &crate::output::schema::FRONTIER_CSV)]
            )
        );
        for (p, s) in &r.frontier {
            let line = match s {
                Some(s) => lang.fill(
                    Msg::PlanFrontier,
                    &[
                        ("goal", &lang.percent(*p)),
                        ("cost", &money(lang, s.cost)),
                        ("bound", &money(lang, s.lower_bound)),
                    ],
                ),
                None => lang.fill(Msg::PlanFrontierNone, &[("goal", &lang.percent(*p))]),
            };
            println!("{line}");
        }
    }
    if let Some(dir) = r.written.first().and_then(|p| p.parent()) {
        println!(
            "{}",
            lang.fill(Msg::PlanWritten, &[("dir", &dir.display())])
        );
    }
}

fn print_unreachable(q: &Request, u: &Unreachable, year: i32, lang: Lang) {
    let gross = match u.gross_over_kt {
        Some(kt) if kt > 0.0 => lang.fill(Msg::PlanGrossOver, &[("kt", &lang.fixed(kt, 1))]),
        _ => String::new(),
    };
    println!(
        "{}",
        lang.fill(
            Msg::PlanUnreachable,
            &[
                ("base", &q.base),
                ("menu", &q.menu),
                ("goal", &lang.percent(q.probability)),
                ("best", &lang.percent(u.best)),
                ("n", &q.samples),
                ("year", &year),
                ("net", &lang.fixed(u.net_kt, 1)),
                ("gross", &gross),
            ]
        )
    );
}
