//! `kymsim run`: central evaluation of scenarios.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::charts;
use crate::decision;
use crate::engine::run_central;
use crate::error::Result;
use crate::output::{self, Manifest, ManifestInput, OutputSet, fmt_num};

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
    #[arg(long, value_name = "S", default_value_t = 0)]
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
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
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
    let mut inputs: Vec<ManifestInput> = region
        .inputs
        .iter()
        .map(|(p, h)| ManifestInput {
            path: p.clone(),
            sha256: h.clone(),
        })
        .collect();
    for (sc, _) in &models {
        for f in &sc.files {
            if !inputs.iter().any(|i| i.path == f.name) {
                inputs.push(ManifestInput {
                    path: f.name.clone(),
                    sha256: f.sha256.clone(),
                });
            }
        }
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    if !args.no_charts {
        let staged: Vec<(&str, &[u8])> = staged.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        // the report shows `discover` and Morris charts recorded for these very inputs
        let current = charts::CurrentInputs {
            version: env!("CARGO_PKG_VERSION").into(),
            inputs: inputs
                .iter()
                .map(|i| (i.path.clone(), i.sha256.clone()))
                .collect(),
        };
        for f in charts::render_run(&args.out, &staged, args.size, &current)? {
            set.stage(&f.path, &f.bytes)?;
            outputs.push(f.path);
        }
    }
    let manifest = Manifest {
        kymsim_version: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        created: output::now_rfc3339(),
        region: region.name.clone(),
        scenarios: models.iter().map(|(s, _)| s.name.clone()).collect(),
        seed: sampled.then_some(args.seed),
        samples: None,
        inputs,
        outputs,
    };
    set.stage(output::MANIFEST_JSON, &manifest.to_bytes())?;
    if super::signals::interrupted() {
        return Err(crate::error::Error::Interrupted);
    }
    set.commit()?;

    if !args.quiet {
        print_summary(&runs, &region.name);
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

fn print_summary(runs: &[(&crate::model::Model, &crate::engine::CentralResult)], region: &str) {
    let Some((m0, _)) = runs.first() else { return };
    let t = &m0.target;
    println!(
        "{region}: target {} = gross ≤ {} kt (−{:.0} % from {}){}",
        t.year,
        t.gross_limit_kt().map_or("–".into(), fmt_num),
        t.max_gross_fraction.map_or(0.0, |f| (1.0 - f) * 100.0),
        t.reference_year,
        if t.net_zero { " and net ≤ 0" } else { "" }
    );
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>10}  {:<8} {:<10}",
        "scenario", "gross kt", "removal kt", "net kt", "vs ref", "target", "neutral in"
    );
    for (m, r) in runs {
        let s = &r.summary;
        println!(
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
    }
}
