//! `kymsim validate`: check inputs, show the base-year calibration.

use clap::Args;

use super::InputArgs;
use crate::engine::calibration;
use crate::error::Result;

/// Arguments of `kymsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario names or .toml files to check; default: all
    #[arg(value_name = "SCENARIO|FILE")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Print nothing but errors (exit 0: the inputs are valid)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `kymsim validate`. The scenarios are checked before anything is printed, so an error
/// is never buried under the calibration table.
pub fn validate(args: ValidateArgs) -> Result<i32> {
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
    args.input.announce(&region, args.quiet);
    let rows = calibration(&region)?;
    if args.quiet {
        return Ok(0);
    }
    println!(
        "dataset {} ({}): {} sources, {} carriers, {} drivers, years {}–{}, accounting {}",
        region.name,
        region.code,
        region.sources.len(),
        region.carriers.len(),
        region.drivers.len(),
        region.base_year,
        region.end_year,
        region.accounting.as_deref().unwrap_or("not stated")
    );
    println!("\nbase-year calibration ({}), kt CO2e:", region.base_year);
    println!(
        "{:<28} {:>10} {:>10} {:<13} {:>8}",
        "sector", "modelled", "inventory", "basis", "diff"
    );
    for row in rows {
        let f = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.1}"));
        let d = row
            .difference()
            .map_or("–".to_string(), |d| format!("{:+.1}%", d * 100.0));
        let basis = match (row.inventory_kt, row.independent) {
            (None, _) => "",
            (Some(_), true) => "independent",
            (Some(_), false) => "reconstructed",
        };
        println!(
            "{:<28} {:>10} {:>10} {:<13} {:>8}",
            row.sector,
            f(row.modelled_kt),
            f(row.inventory_kt),
            basis,
            d
        );
    }
    println!(
        "(a reconstructed figure comes from the same data as the sources and is not compared; history.csv `basis`)"
    );
    print_calibrated(&region)?;
    println!();
    for (sc, m) in &models {
        let uncertain = m.uncertain_params().len();
        println!(
            "scenario {:<14} ok: {} measures, {} uncertain parameters{}",
            sc.name,
            m.measures.len(),
            uncertain,
            sc.extends
                .as_ref()
                .map_or(String::new(), |p| format!(", extends {p}"))
        );
    }
    for (sc, m) in &models {
        print_potential(&sc.name, m);
    }
    Ok(0)
}

/// Each measure's share of its physical potential (docs/model.md, "Physical potential").
fn print_potential(scenario: &str, model: &crate::model::Model) {
    let uses = crate::model::potential::potential_use(model);
    if uses.iter().all(|u| u.what.is_none()) {
        return;
    }
    println!(
        "\n{scenario}: share of physical potential used (all measures on the same thing, central / upper values)"
    );
    for u in uses {
        let Some(what) = &u.what else { continue };
        println!(
            "  {:<28} {:>5.0} % / {:>5.0} %  of the {what}",
            model.measures[u.measure].id,
            u.central * 100.0,
            u.upper * 100.0
        );
    }
}

/// Names the sources fitted to the inventory total (provenance `CALIBRATED…`) with their share.
fn print_calibrated(region: &crate::data::Region) -> Result<()> {
    let model = crate::model::compile(region, &crate::scenario::Scenario::empty("data"))?;
    let r = crate::engine::run_central(&model);
    let gross = model
        .variables
        .index(crate::model::variables::GROSS)
        .map_or(f64::NAN, |v| r.vars[v * model.ny]);
    for (s, src) in region.sources.iter().enumerate() {
        if src
            .provenance
            .to_ascii_lowercase()
            .starts_with("calibrated")
        {
            let kt = r.leaves[s * model.ny];
            println!(
                "calibrated residual `{}` ({}): {kt:.1} kt, {:.1} % of {} gross; no measure acts on it unless a scenario says so",
                src.id,
                src.sector,
                kt / gross * 100.0,
                region.base_year
            );
        }
    }
    Ok(())
}
