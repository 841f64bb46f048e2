//! `kymsim track SCENARIO --observed FILE`: the arguments and what is printed; the update is
//! [`crate::track`].

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use super::batch::SamplerArg;
use crate::batch::thread_pool;
use crate::engine::sampler::SamplerKind;
use crate::error::Result;
use crate::i18n::{Lang, Msg};
use crate::input::TextFile;
use crate::output::fmt_num;
use crate::track::{Outcome, Request};

/// Arguments of `kymsim track`.
#[derive(Debug, Args, Clone)]
pub struct TrackArgs {
    /// Scenario name or .toml file
    #[arg(value_name = "SCENARIO|FILE")]
    pub scenario: String,
    /// Observed inventory figures: year,variable,kt,sd_kt,provenance (import-alas --observed-out
    /// writes them)
    #[arg(long, value_name = "FILE")]
    pub observed: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Samples of the prior (the batch's N)
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub samples: u64,
    /// Sampler (as the batch's)
    #[arg(long, value_enum, default_value_t = SamplerArg::Mc)]
    pub sampler: SamplerArg,
    /// Random seed (as the batch's): the same seed gives the same bytes, whatever the thread count
    #[arg(long, short = 's', default_value_t = super::DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Output folder (results go to <OUT>/track/)
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub lang: super::LangArg,
}

/// Runs `kymsim track`: exit 0 with the update written, 1 when the observations lie outside the
/// ensemble or leave too few effective samples (nothing written).
pub fn track_cmd(args: TrackArgs) -> Result<i32> {
    let region = args.input.region()?;
    let lang = args.lang.resolve(&region);
    let models = args
        .input
        .models(&region, std::slice::from_ref(&args.scenario))?;
    let (scenario, model) = &models[0];
    let observed = TextFile::read(&args.observed)?;
    let req = Request {
        region: &region,
        scenario,
        model,
        observed: &observed,
        samples: args.samples,
        seed: args.seed,
        sampler: match args.sampler {
            SamplerArg::Mc => SamplerKind::MonteCarlo,
            SamplerArg::Lhs => SamplerKind::LatinHypercube,
        },
    };
    let pool = thread_pool(args.threads)?;
    let outcome = pool.install(|| crate::track::track(&req, &args.out, lang))?;
    let shown = lang
        .pick(&scenario.name, scenario.name_fi.as_deref())
        .to_string();
    print_outcome(&outcome, model, &shown, lang, args.quiet);
    Ok(match outcome {
        Outcome::Updated(_) => 0,
        _ => 1,
    })
}

fn print_outcome(
    outcome: &Outcome,
    model: &crate::model::Model,
    shown: &str,
    lang: Lang,
    quiet: bool,
) {
    match outcome {
        Outcome::Updated(post) => {
            if quiet {
                return;
            }
            let (a, b) = post.p_target_met();
            println!(
                "{}",
                lang.fill(
                    Msg::TrackPrinted,
                    &[
                        ("scenario", &shown),
                        ("ess", &lang.thousands(post.effective.round())),
                        ("n", &lang.thousands(post.ensemble.n as f64)),
                        ("before", &lang.percent(a)),
                        ("after", &lang.percent(b)),
                    ],
                )
            );
            let n = model.criteria.list.len();
            for (k, c) in model.criteria.list.iter().enumerate() {
                let (a, b) = post.p_criterion(k, n);
                println!(
                    "  {}: {} → {}",
                    c.label(lang),
                    lang.percent(a),
                    lang.percent(b)
                );
            }
        }
        Outcome::OutsideEnsemble(list) => {
            eprintln!("{}", lang.t(Msg::TrackOutsideHead));
            for o in list {
                let ob = &o.observation;
                eprintln!(
                    "  {}",
                    lang.fill(
                        Msg::TrackOutsideLine,
                        &[
                            ("year", &ob.year),
                            ("variable", &ob.variable),
                            ("kt", &fmt_num(ob.kt)),
                            ("sd", &fmt_num(ob.sd_kt)),
                            ("sigmas", &lang.fixed(o.sigmas, 1)),
                            ("lo", &fmt_num(o.range.0)),
                            ("hi", &fmt_num(o.range.1)),
                        ],
                    )
                );
            }
            eprintln!("{}", lang.t(Msg::TrackOutsideHint));
        }
        Outcome::TooFewEffective { effective, needed } => {
            eprintln!(
                "{}",
                lang.fill(
                    Msg::TrackTooFew,
                    &[
                        ("ess", &lang.fixed(*effective, 1)),
                        ("min", &crate::track::MIN_EFFECTIVE_SAMPLES),
                        ("needed", &needed),
                    ],
                )
            );
        }
    }
}
