//! `kymsim list`: discover sources, carriers, measures and scenarios.

use crate::model::variables;
use clap::{Args, ValueEnum};

use super::InputArgs;
use crate::data::{CarrierKind, SourceKind};
use crate::error::{Result, printable};
use crate::output::fmt_num;

/// What to list.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum What {
    /// Emission sources and sinks of the dataset
    Sources,
    /// Energy carriers and their base-year emission factors
    Carriers,
    /// Measures of each scenario (inherited ones included)
    Measures,
    /// Scenarios
    Scenarios,
}

/// Arguments of `kymsim list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to list
    #[arg(value_enum)]
    pub what: What,
    #[command(flatten)]
    pub input: InputArgs,
    /// Leave out the header line and the line saying where the inputs come from
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `kymsim list`.
pub fn list(args: ListArgs) -> Result<i32> {
    match args.what {
        What::Sources => {
            let region = args.input.region()?;
            // the base year as the data give it: emission sources emit, removals remove, land
            // categories emit (+) or remove (−)
            let model = crate::model::compile(&region, &crate::scenario::Scenario::empty("data"))?;
            let central = crate::engine::run_central(&model);
            header(
                args.quiet,
                format_args!(
                    "{:<32} {:<8} {:<44} {:>12} {:<8} {:>12}",
                    "id",
                    "kind",
                    "sector",
                    "activity",
                    "unit",
                    format!("{} kt", region.base_year)
                ),
            );
            for (i, s) in region.sources.iter().enumerate() {
                let sector = match s.kind {
                    SourceKind::Emission => format!("{}|{}", variables::GROSS, s.sector),
                    SourceKind::Removal => format!("{}|{}", variables::REMOVALS, s.sector),
                    SourceKind::Land => format!("{}|{}", variables::LAND, s.sector),
                };
                println!(
                    "{:<32} {:<8} {:<44} {:>12} {:<8} {:>12.1}",
                    s.id,
                    s.kind.as_str(),
                    printable(&sector, 200),
                    fmt_num(s.activity),
                    s.activity_unit,
                    // + 0.0: an empty category prints 0.0, not −0.0
                    central.leaves[i * model.ny] + 0.0
                );
            }
        }
        What::Carriers => {
            let region = args.input.region()?;
            header(
                args.quiet,
                format_args!(
                    "{:<20} {:<24} {:<5} {:>12}",
                    "id", "name", "kind", "ef t/MWh"
                ),
            );
            for c in &region.carriers {
                let (kind, ef) = match (&c.kind, &c.ef) {
                    (CarrierKind::Fuel, Some(t)) => {
                        ("fuel", fmt_num(t.at(region.base_year as f64)))
                    }
                    (CarrierKind::Blend, _) => ("blend", "from blend".to_string()),
                    _ => ("mix", "from mix".to_string()),
                };
                println!(
                    "{:<20} {:<24} {:<5} {:>12}",
                    c.id,
                    printable(&c.name, 200),
                    kind,
                    ef
                );
            }
        }
        What::Measures => {
            let region = args.input.region()?;
            let models = args.input.models(&region, &[])?;
            args.input.announce(&region, args.quiet);
            for (sc, m) in models {
                println!("{}:", sc.name);
                for mi in &m.measures {
                    let inherited = if sc.files.first().is_some_and(|f| f.name != mi.file) {
                        " (inherited)"
                    } else {
                        ""
                    };
                    println!(
                        "  {:<28} {:<12} {:<15} {}{inherited}",
                        mi.id,
                        mi.kind.as_str(),
                        mi.pillar.as_str(),
                        printable(&mi.targets.to_string(), 2000)
                    );
                }
            }
        }
        What::Scenarios => {
            let lib = args.input.library()?;
            if lib.is_empty() {
                return Err(lib.empty_error());
            }
            if !args.quiet {
                eprintln!("scenarios: {}", args.input.scenario_source().describe());
            }
            for name in lib.names() {
                let sc = lib.resolve(name)?;
                let parent = sc
                    .extends
                    .as_ref()
                    .map_or(String::new(), |p| format!(" (extends {p})"));
                // a description is the user's text: its control characters are shown as escapes
                println!(
                    "{:<16} {}{parent}",
                    sc.name,
                    printable(&sc.description, 2000)
                );
            }
        }
    }
    Ok(0)
}

/// Prints a table's header line unless `quiet`.
fn header(quiet: bool, line: std::fmt::Arguments) {
    if !quiet {
        println!("{line}");
    }
}
