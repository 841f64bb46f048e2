//! `kymsim run`: central evaluation of scenarios.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::batch::samples::{SampleRef, evaluate_kept, read_kept_sample};
use crate::charts;
use crate::decision;
use crate::engine::run_central;
use crate::error::Result;
use crate::i18n::{Lang, Msg};
use crate::output::{self, Manifest, OutputSet};

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

/// Runs `kymsim run`.
pub fn run(args: RunArgs) -> Result<i32> {
    check_args(&args)?;
    let region = args.input.region()?;
    let lang = args.lang.resolve(&region);
    let models = args.input.models(&region, &args.names)?;
    let reference = reference(&args, &region, &models)?;
    args.input.announce_in(&region, args.quiet, lang);
    let scenarios: Vec<&crate::scenario::Scenario> = models.iter().map(|(s, _)| s).collect();
    let inputs = output::recorded::input_hashes(&region, &scenarios);
    // the parameters evaluated: the central values, or those of one kept batch sample
    let kept = match &args.sample {
        Some(at) => {
            let ms: Vec<&crate::model::Model> = models.iter().map(|(_, m)| m).collect();
            let kept = read_kept_sample(at, &ms, &inputs)?;
            if !args.quiet {
                eprintln!(
                    "evaluated at sample {} of {} (the values the batch drew), not at the central values; no charts or report",
                    kept.sample, kept.file
                );
            }
            Some(kept)
        }
        None => None,
    };
    let params: Vec<Vec<f64>> = match &kept {
        Some(k) => k.params.clone(),
        None => models.iter().map(|(_, m)| m.central()).collect(),
    };
    let results: Vec<_> = match &kept {
        Some(k) => {
            let ms: Vec<&crate::model::Model> = models.iter().map(|(_, m)| m).collect();
            evaluate_kept(&ms, &k.params)?
        }
        None => models.iter().map(|(_, m)| run_central(m)).collect(),
    };
    let runs: Vec<_> = models.iter().map(|(_, m)| m).zip(results.iter()).collect();

    // decision support: Shapley wedges of each measure and the cost curve
    let shapley = decision::ShapleyOptions {
        seed: args.seed,
        permutations: args.permutations,
        ..Default::default()
    };
    let attributions: Vec<_> = models
        .iter()
        .zip(&params)
        .map(|((_, m), p)| decision::attribute(m, p, &shapley))
        .collect();
    let maccs: Vec<_> = models
        .iter()
        .zip(&params)
        .map(|((_, m), p)| decision::macc(m, p))
        .collect();
    let wedges: Vec<_> = models.iter().map(|(_, m)| m).zip(&attributions).collect();
    let sampled = attributions
        .iter()
        .any(|a| matches!(a.method, decision::ShapleyMethod::Sampled { .. }));
    // each scenario against the reference: the gap in net emissions by differing measure
    let differences: Vec<decision::Difference> = match &reference {
        Some((rs, rm)) => models
            .iter()
            .filter(|(s, _)| s.name != rs.name)
            .map(|(s, m)| decision::difference(&region, s, m, rs, rm))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };

    // what an earlier run wrote here, to remove what this run no longer writes
    let previous = output::recorded::previous_outputs(&args.out.join(output::MANIFEST_JSON))?;

    let mut set = OutputSet::new(&args.out)?;
    let mut metadata = charts::Metadata::new(&region, &models);
    metadata.lang = lang;
    metadata.add_reference_measures(reference.as_ref().map(|(s, m)| (s, m)), &models);
    let mut staged: Vec<(&str, Vec<u8>)> = vec![
        (output::RESULTS_CSV, output::results_csv(&runs)),
        (output::SUMMARY_CSV, output::summary_csv(&runs)),
        (decision::WEDGES_CSV, decision::wedges_csv(&wedges)),
        (decision::MACC_CSV, decision::macc_csv(&maccs)),
        (charts::METADATA_JSON, metadata.to_bytes()),
    ];
    if reference.is_some() {
        staged.push((
            decision::DIFFERENCE_CSV,
            decision::difference_csv(&differences),
        ));
    }
    let mut outputs: Vec<String> = Vec::new();
    for (name, bytes) in &staged {
        set.stage(name, bytes)?;
        outputs.push((*name).into());
    }
    let version = env!("CARGO_PKG_VERSION");
    let mut prior_read = Vec::new();
    let mut batch = std::collections::BTreeMap::new();
    // the charts and the report label what they show as central values: none for a sample
    if !args.no_charts && kept.is_none() {
        // results of earlier commands in --out (batch, sensitivity, discover, Morris): read only
        // when they come from these inputs, and recorded in the manifest
        let prior = super::read_prior_in(
            &args.out,
            Some(output::prior::Current {
                version,
                inputs: &inputs,
            }),
            args.quiet,
            lang,
        )?;
        let mut skip = prior.skip_files();
        // without a reference, a difference.csv of an earlier run is not this run's
        if reference.is_none() {
            skip.push(charts::load::DIFFERENCE_CSV);
        }
        // a current batch gives each verdict its probability in the printed table
        if prior
            .read
            .iter()
            .any(|i| i.path == output::batch::BATCH_SUMMARY_CSV)
        {
            let milestones: Vec<i32> = region.milestones.iter().map(|m| m.year).collect();
            batch = charts::load::read_batch_summary(&args.out, &milestones).unwrap_or_default();
        }
        prior_read = prior.read;
        let staged: Vec<(&str, &[u8])> = staged.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        // the report shows `discover` and Morris charts recorded for these very inputs
        let current = charts::CurrentInputs {
            version: version.into(),
            inputs: inputs
                .iter()
                .map(|i| (i.path.clone(), i.sha256.clone()))
                .collect(),
        };
        for f in charts::render_run(&args.out, &staged, args.size, &skip, &current)? {
            set.stage(&f.path, &f.bytes)?;
            outputs.push(f.path);
        }
    }
    let manifest = Manifest {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        created: output::now_rfc3339(),
        region: region.name.clone(),
        dataset: args.input.dataset_description(),
        scenarios_from: args.input.scenario_source().describe(),
        scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
        seed: sampled.then_some(args.seed),
        samples: None,
        inputs,
        prior_results: prior_read,
        outputs: outputs.clone(),
        accounting: output::ManifestAccounting::new(models.iter().map(|(_, m)| m)),
        sample: kept.as_ref().map(|k| output::ManifestSample {
            file: k.file.clone(),
            sha256: k.sha256.clone(),
            sample: k.sample,
        }),
    };
    set.stage(output::MANIFEST_JSON, &manifest.to_bytes())?;
    if super::signals::interrupted() {
        return Err(crate::error::Error::Interrupted);
    }
    set.commit()?;
    if let Some(previous) = previous {
        let done = output::recorded::remove_unlisted(&args.out, &previous, &outputs)?;
        if !args.quiet {
            for why in &done.ignored {
                eprintln!("note: an earlier manifest.json lists {why}: left alone");
            }
        }
        let removed = done.removed;
        if !args.quiet && !removed.is_empty() {
            eprintln!(
                "{}",
                lang.fill(
                    Msg::PrintRemoved,
                    &[("n", &removed.len()), ("example", &removed[0])]
                )
            );
        }
    }

    if !args.quiet {
        let names = super::display_names(&models, lang);
        print_summary(&runs, &region, lang, &batch, &names);
        for c in maccs.iter().filter(|c| c.costed().next().is_some()) {
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
        for (d, (year, yi)) in differences.iter().zip(std::iter::repeat(ty).flatten()) {
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
                            &dec(
                                lang,
                                d.shares
                                    .iter()
                                    .filter(|s| s.is_regional())
                                    .map(|s| s.kt[yi])
                                    .sum::<f64>(),
                                1
                            )
                        ),
                        (
                            "cost",
                            &dec(
                                lang,
                                d.shares
                                    .iter()
                                    .filter(|s| s.is_regional())
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
    let missed = runs.iter().any(|(_, r)| !r.summary.target_met);
    let mut code = if args.require_target && missed { 1 } else { 0 };
    if let Some(dir) = &args.check {
        let fresh: [(&str, &[u8]); 2] = [
            (output::RESULTS_CSV, &staged[0].1),
            (output::SUMMARY_CSV, &staged[1].1),
        ];
        code = code.max(super::check::after_run(
            &args.out, dir, args.bless, &fresh, args.quiet,
        )?);
    }
    Ok(code)
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

/// The reference of the difference view: `--against NAME` (compiled here when it is not
/// among the scenarios run), `none` for no reference; without the flag `baseline` when it is
/// run.
fn reference(
    args: &RunArgs,
    region: &crate::data::Region,
    models: &[(crate::scenario::Scenario, crate::model::Model)],
) -> Result<Option<(crate::scenario::Scenario, crate::model::Model)>> {
    // a kept sample has no counterpart in the reference scenario
    if args.sample.is_some() {
        return Ok(None);
    }
    let name = match args.against.as_deref() {
        Some("none") => return Ok(None),
        Some(n) => n,
        None => DEFAULT_REFERENCE,
    };
    if let Some(found) = models.iter().find(|(s, _)| s.name == name) {
        return Ok(Some(found.clone()));
    }
    if args.against.is_none() {
        return Ok(None);
    }
    let mut compiled = args.input.models(region, &[name.to_string()])?;
    Ok(compiled.pop())
}

/// The reference of the difference view when `--against` is not given (and it is run).
pub const DEFAULT_REFERENCE: &str = "baseline";

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

/// The most permutations of the sampled Shapley attribution (its work lists grow with them).
pub const MAX_PERMUTATIONS: usize = 10_000_000;

/// Checks the arguments before any work, so a bad one writes nothing.
fn check_args(args: &RunArgs) -> Result<()> {
    if args.permutations == 0 || args.permutations > MAX_PERMUTATIONS {
        return Err(crate::error::InputError::new(format!(
            "--permutations {} is out of range",
            args.permutations
        ))
        .hint(format!("give 1 to {MAX_PERMUTATIONS} permutations"))
        .into());
    }
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
