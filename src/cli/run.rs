//! `kymsim run`: central evaluation of scenarios.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::charts;
use crate::decision;
use crate::engine::run_central;
use crate::error::Result;
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
}

/// Runs `kymsim run`.
pub fn run(args: RunArgs) -> Result<i32> {
    check_args(&args)?;
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
    args.input.announce(&region, args.quiet);
    let results: Vec<_> = models.iter().map(|(_, m)| run_central(m)).collect();
    let runs: Vec<_> = models.iter().map(|(_, m)| m).zip(results.iter()).collect();

    // decision support: Shapley wedges of each measure and the cost curve
    let shapley = decision::ShapleyOptions {
        seed: args.seed,
        permutations: args.permutations,
        ..Default::default()
    };
    let attributions: Vec<_> = models
        .iter()
        .map(|(_, m)| decision::attribute(m, &m.central(), &shapley))
        .collect();
    let maccs: Vec<_> = models
        .iter()
        .zip(&attributions)
        .map(|((_, m), a)| decision::macc(m, a))
        .collect();
    let wedges: Vec<_> = models.iter().map(|(_, m)| m).zip(&attributions).collect();
    let sampled = attributions
        .iter()
        .any(|a| matches!(a.method, decision::ShapleyMethod::Sampled { .. }));

    let scenarios: Vec<&crate::scenario::Scenario> = models.iter().map(|(s, _)| s).collect();
    let inputs = output::recorded::input_hashes(&region, &scenarios);
    // what an earlier run wrote here, to remove what this run no longer writes
    let previous = output::recorded::previous_outputs(&args.out.join(output::MANIFEST_JSON));

    let mut set = OutputSet::new(&args.out)?;
    let staged: [(&str, Vec<u8>); 5] = [
        (output::RESULTS_CSV, output::results_csv(&runs)),
        (output::SUMMARY_CSV, output::summary_csv(&runs)),
        (decision::WEDGES_CSV, decision::wedges_csv(&wedges)),
        (decision::MACC_CSV, decision::macc_csv(&maccs)),
        (
            charts::METADATA_JSON,
            charts::Metadata::new(&region, &models).to_bytes(),
        ),
    ];
    let mut outputs: Vec<String> = Vec::new();
    for (name, bytes) in &staged {
        set.stage(name, bytes)?;
        outputs.push((*name).into());
    }
    let version = env!("CARGO_PKG_VERSION");
    let mut prior_read = Vec::new();
    if !args.no_charts {
        // results of earlier commands in --out (batch, sensitivity, discover, Morris): read only
        // when they come from these inputs, and recorded in the manifest
        let prior = super::read_prior(
            &args.out,
            Some(output::prior::Current {
                version,
                inputs: &inputs,
            }),
            args.quiet,
        );
        let skip = prior.skip_files();
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
    };
    set.stage(output::MANIFEST_JSON, &manifest.to_bytes())?;
    if super::signals::interrupted() {
        return Err(crate::error::Error::Interrupted);
    }
    set.commit()?;
    if let Some(previous) = previous {
        let removed = output::recorded::remove_unlisted(&args.out, &previous, &outputs)?;
        if !args.quiet && !removed.is_empty() {
            eprintln!(
                "removed {} file(s) an earlier run wrote and this one did not (e.g. {})",
                removed.len(),
                removed[0]
            );
        }
    }

    if !args.quiet {
        print_summary(&runs, &region);
        for c in maccs.iter().filter(|c| c.costed().next().is_some()) {
            println!(
                "{}: measures with a cost abate {:.1} kt in {} for {:.2} M€/yr (see {})",
                c.scenario,
                c.total_abatement_kt(),
                c.target_year,
                c.total_annual_cost_meur(),
                decision::MACC_CSV
            );
        }
        println!("\nwrote {}", args.out.display());
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

fn print_summary(
    runs: &[(&crate::model::Model, &crate::engine::CentralResult)],
    region: &crate::data::Region,
) {
    let Some((m0, _)) = runs.first() else { return };
    let t = &m0.target;
    // the reference is known to about ±1 %: whole kilotonnes are all the precision it carries
    println!(
        "{}: target {} = gross ≤ {:.0} kt (−{:.0} % from {}){}",
        region.name,
        t.year,
        t.gross_limit_kt().unwrap_or(f64::NAN),
        t.max_gross_fraction.map_or(0.0, |f| (1.0 - f) * 100.0),
        t.reference_year,
        if t.net_zero { " and net ≤ 0" } else { "" }
    );
    for m in &m0.milestones {
        println!(
            "milestone {}: gross ≤ {:.0} kt ({})",
            m.year, m.gross_limit_kt, m.basis
        );
    }
    println!(
        "accounting: {}; removals at EU ETS installations {}",
        region.accounting.as_deref().unwrap_or("as the data"),
        if region.count_ets_removals {
            "counted"
        } else {
            "not counted"
        }
    );
    let mut header = format!(
        "{:<16} {:>10} {:>10} {:>10} {:>10}  {:<8} {:<10}",
        "scenario", "gross kt", "removal kt", "net kt", "vs ref", "target", "neutral in"
    );
    for m in &m0.milestones {
        header.push_str(&format!(" {:<8}", format!("m{}", m.year)));
    }
    println!("{}", header.trim_end());
    for (m, r) in runs {
        let s = &r.summary;
        let mut line = format!(
            "{:<16} {:>10.1} {:>10.1} {:>10.1} {:>9.1}%  {:<8} {:<10}",
            m.scenario,
            s.gross_kt,
            s.removals_kt,
            s.net_kt,
            -s.reduction_vs_reference * 100.0,
            if s.target_met { "met" } else { "missed" },
            s.neutrality_year
                .map_or("never".to_string(), |y| y.to_string())
        );
        for &met in &r.milestones {
            line.push_str(&format!(" {:<8}", if met { "met" } else { "missed" }));
        }
        println!("{}", line.trim_end());
    }
    for (m, _) in runs {
        for e in &m.excluded {
            println!("{}: `{}` not counted: {}", m.scenario, e.id, e.reason);
        }
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
