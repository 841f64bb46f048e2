//! `kymsim run`: central evaluation of scenarios.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::batch::samples::SampleRef;
use crate::charts;
use crate::decision;
use crate::error::Result;
use crate::i18n::{Lang, Msg};
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
    print_summary(&runs, &p.region, lang, &done.batch, &names);
    for c in done.maccs.iter().filter(|c| c.costed().next().is_some()) {
        println!(
            "{}",
            lang.fill(
                Msg::PrintMacc,
                &[
                    ("scenario", &super::shown(&names, &c.scenario)),
                    ("kt", &dec(lang, c.total_abatement_kt(), 1)),
                    ("year", &c.target_year),
                    ("meur", &dec(lang, c.total_annual_cost_meur(), 2)),
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
                        &dec(lang, d.reference_net[yi] - d.scenario_net[yi], 1)
                    ),
                    (
                        "own",
                        &dec(lang, regional().map(|s| s.kt[yi]).sum::<f64>(), 1)
                    ),
                    (
                        "cost",
                        &dec(
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

/// `v` with `d` decimals: as Rust formats it in English (the printed table is read by scripts),
/// with a decimal comma, grouped thousands and a minus sign in Finnish.
fn dec(lang: Lang, v: f64, d: usize) -> String {
    match lang {
        Lang::En => format!("{v:.d$}"),
        Lang::Fi => lang.fixed(v, d),
    }
}

/// A milestone's basis (`−80 % from 2007`) in `lang`.
pub(crate) fn basis_words(basis: &str, lang: Lang) -> String {
    lang.milestone_basis(basis)
}

/// The table of `kymsim run`, and each scenario's verdict with its probability when a current
/// batch gives one (`batch`: its `batch/summary.csv` rows; empty: verdicts at central values).
fn print_summary(
    runs: &[(&crate::model::Model, &crate::engine::CentralResult)],
    region: &crate::data::Region,
    lang: Lang,
    batch: &std::collections::BTreeMap<String, crate::output::schema::BatchSummaryRecord>,
    names: &std::collections::BTreeMap<String, String>,
) {
    let Some((m0, _)) = runs.first() else { return };
    let t = &m0.target;
    // the reference is known to about ±1 %: whole kilotonnes are all the precision it carries
    let net = if t.net_zero {
        lang.t(Msg::PrintNetZero)
    } else {
        ""
    };
    println!(
        "{}",
        lang.fill(
            Msg::PrintTarget,
            &[
                ("region", &region.name),
                ("year", &t.year),
                (
                    "limit",
                    &dec(lang, t.gross_limit_kt().unwrap_or(f64::NAN), 0)
                ),
                (
                    "pct",
                    &dec(
                        lang,
                        t.max_gross_fraction.map_or(0.0, |f| (1.0 - f) * 100.0),
                        0
                    )
                ),
                ("reference", &t.reference_year),
                ("net", &net),
            ]
        )
    );
    for m in &m0.milestones {
        println!(
            "{}",
            lang.fill(
                Msg::PrintMilestone,
                &[
                    ("year", &m.year),
                    ("limit", &dec(lang, m.gross_limit_kt, 0)),
                    ("basis", &basis_words(&m.basis, lang)),
                ]
            )
        );
    }
    let basis = region
        .accounting
        .clone()
        .unwrap_or_else(|| lang.t(Msg::AsTheData).to_string());
    let counted = lang.t(if region.count_ets_removals {
        Msg::PrintCounted
    } else {
        Msg::PrintNotCounted
    });
    println!(
        "{}",
        lang.fill(
            Msg::PrintAccounting,
            &[("basis", &basis), ("counted", &counted)]
        )
    );
    // columns: (header, left-aligned, minimum width); the English widths are those scripts
    // have always read, and a column widens to its longest cell
    let english = lang == Lang::En;
    let ry = t.reference_year;
    let mut heads: Vec<(String, bool, usize)> =
        vec![(lang.t(Msg::PrintHeadScenario).into(), true, 16)];
    if !batch.is_empty() {
        heads.push((lang.t(Msg::PrintHeadP).into(), false, 9));
    }
    heads.extend([
        (lang.t(Msg::PrintHeadGross).into(), false, 10),
        (lang.t(Msg::PrintHeadLand).into(), false, 12),
        (lang.t(Msg::PrintHeadRemoval).into(), false, 10),
        (lang.t(Msg::PrintHeadNet).into(), false, 10),
        (
            if english {
                "vs ref".to_string()
            } else {
                lang.fill(Msg::PrintHeadVsRef, &[("year", &ry)])
            },
            false,
            10,
        ),
        (lang.t(Msg::PrintHeadTarget).into(), true, 8),
        (lang.t(Msg::PrintHeadNeutral).into(), true, 10),
    ]);
    for m in &m0.milestones {
        heads.push((
            lang.fill(Msg::PrintHeadMilestone, &[("year", &m.year)]),
            true,
            8,
        ));
    }
    let percent = |v: f64| match lang {
        Lang::En => format!("{v:.1}%"),
        Lang::Fi => format!("{}\u{a0}%", lang.fixed(v, 1)),
    };
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(m, r)| {
            let s = &r.summary;
            let mut row = vec![super::shown(names, &m.scenario).to_string()];
            if !batch.is_empty() {
                row.push(
                    batch
                        .get(&m.scenario)
                        .map_or("–".to_string(), |b| percent(b.p_target_met * 100.0)),
                );
            }
            row.extend([
                dec(lang, s.gross_kt, 1),
                dec(lang, s.land_kt, 1),
                dec(lang, s.removals_kt, 1),
                dec(lang, s.net_kt, 1),
                percent(-s.reduction_vs_reference * 100.0),
                lang.yes_no(s.target_met).to_string(),
                s.neutrality_year
                    .map_or(lang.t(Msg::Never).to_string(), |y| y.to_string()),
            ]);
            row.extend(r.milestones.iter().map(|&met| lang.yes_no(met).to_string()));
            row
        })
        .collect();
    let widths: Vec<usize> = heads
        .iter()
        .enumerate()
        .map(|(i, (h, _, min))| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .chain([h.chars().count(), *min])
                .max()
                .unwrap_or(*min)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let (_, left, _) = &heads[i];
            let w = widths[i];
            let pad = w.saturating_sub(cell.chars().count());
            if i > 0 {
                // two spaces before a text column that follows a number column, one otherwise
                let gap = if *left && !heads[i - 1].1 { 2 } else { 1 };
                out.push_str(&" ".repeat(gap));
            }
            if *left {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.trim_end().to_string()
    };
    println!(
        "{}",
        line(heads.iter().map(|(h, _, _)| h.as_str()).collect())
    );
    for r in &rows {
        println!("{}", line(r.iter().map(String::as_str).collect()));
    }
    if batch.is_empty() {
        println!("{}", lang.t(Msg::PrintCentralNote));
    }
    for (m, r) in runs {
        let Some(b) = batch.get(&m.scenario) else {
            continue;
        };
        let p = b.p_target_met;
        let se = crate::output::batch::standard_error(p, b.samples);
        let central = crate::i18n::Verdict::Central(r.summary.target_met).text(lang);
        println!(
            "{}",
            lang.fill(
                Msg::PrintVerdict,
                &[
                    ("scenario", &super::shown(names, &m.scenario)),
                    ("year", &t.year),
                    (
                        "verdict",
                        &crate::i18n::Verdict::new(r.summary.target_met, Some(p)).text(lang)
                    ),
                    ("se", &lang.percent(se)),
                    ("n", &lang.thousands(b.samples as f64)),
                    ("file", &crate::output::batch::BATCH_SUMMARY_CSV),
                    ("central", &central),
                ]
            )
        );
    }
    print_budget(runs, region, lang, batch, names);
    for (m, _) in runs {
        for e in &m.excluded {
            let reason = match lang {
                Lang::En => e.reason.clone(),
                Lang::Fi => lang.fill(
                    Msg::ExcludedEts,
                    &[(
                        "basis",
                        &region.accounting.clone().unwrap_or_else(|| "alueen".into()),
                    )],
                ),
            };
            println!(
                "{}",
                lang.fill(
                    Msg::PrintExcluded,
                    &[
                        ("scenario", &super::shown(names, &m.scenario)),
                        ("id", &e.id),
                        ("reason", &reason)
                    ]
                )
            );
        }
    }
}

/// The carbon budget in words, per scenario: what its central projection uses and leaves, the
/// year it runs out, and P(within the budget) when a current batch gives it.
fn print_budget(
    runs: &[(&crate::model::Model, &crate::engine::CentralResult)],
    region: &crate::data::Region,
    lang: Lang,
    batch: &std::collections::BTreeMap<String, crate::output::schema::BatchSummaryRecord>,
    names: &std::collections::BTreeMap<String, String>,
) {
    let Some(b) = &region.budget else { return };
    let b = charts::metadata::BudgetMeta::of(b);
    for (m, r) in runs {
        let Some(used) = r.summary.budget else {
            continue;
        };
        let p = batch.get(&m.scenario).and_then(|s| s.p_within_budget);
        println!(
            "{}: {}",
            super::shown(names, &m.scenario),
            charts::report_budget::budget_words(&b, m.target.year, used, p, lang)
        );
    }
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
