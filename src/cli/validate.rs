//! `kymsim validate`: check inputs, show the base-year calibration.

use clap::Args;

use super::{InputArgs, LangArg};
use crate::engine::calibration;
use crate::error::Result;
use crate::i18n::{Lang, Msg};
use crate::model::potential::ClaimOn;

/// Arguments of `kymsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario names or .toml files to check; default: all
    #[arg(value_name = "SCENARIO|FILE")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub lang: LangArg,
    /// Print nothing but errors (exit 0: the inputs are valid)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `kymsim validate`. The scenarios are checked before anything is printed, so an error
/// is never buried under the calibration table.
pub fn validate(args: ValidateArgs) -> Result<i32> {
    let region = args.input.region()?;
    let models = args.input.models(&region, &args.names)?;
    let lang = args.lang.resolve(&region);
    args.input.announce_in(&region, args.quiet, lang);
    let rows = calibration(&region)?;
    if args.quiet {
        return Ok(0);
    }
    println!(
        "{}",
        lang.fill(
            Msg::ValidateDataset,
            &[
                ("name", &region.name),
                ("code", &region.code),
                ("sources", &region.sources.len()),
                ("carriers", &region.carriers.len()),
                ("drivers", &region.drivers.len()),
                ("from", &region.base_year),
                ("to", &region.end_year),
                (
                    "accounting",
                    &region
                        .accounting
                        .as_deref()
                        .unwrap_or(lang.t(Msg::ValidateNoAccounting))
                ),
            ]
        )
    );
    println!(
        "\n{}",
        lang.fill(Msg::ValidateCalibration, &[("year", &region.base_year)])
    );
    println!(
        "{:<28} {:>10} {:>10} {:<13} {:>8}",
        lang.t(Msg::ValidateColSector),
        lang.t(Msg::ValidateColModelled),
        lang.t(Msg::ValidateColInventory),
        lang.t(Msg::ValidateColBasis),
        lang.t(Msg::ValidateColDiff)
    );
    let sectors_fi = region.sector_names_fi();
    for row in rows {
        let f = |x: Option<f64>| x.map_or("–".to_string(), |v| super::summary::dec(lang, v, 1));
        let d = row.difference().map_or("–".to_string(), |d| match lang {
            Lang::En => format!("{:+.1}%", d * 100.0),
            Lang::Fi => format!(
                "{}{}{}%",
                if d >= 0.0 { "+" } else { "" },
                lang.fixed(d * 100.0, 1),
                crate::i18n::NBSP
            ),
        });
        let basis = match (row.inventory_kt, row.independent) {
            (None, _) => "",
            (Some(_), true) => lang.t(Msg::ValidateIndependent),
            (Some(_), false) => lang.t(Msg::ValidateReconstructed),
        };
        let sector = match (lang, row.sector.as_str()) {
            (_, "Total") => lang.t(Msg::ValidateTotal),
            (Lang::Fi, s) => sectors_fi.get(s).map_or(s, String::as_str),
            (Lang::En, s) => s,
        };
        println!(
            "{:<28} {:>10} {:>10} {:<13} {:>8}",
            sector,
            f(row.modelled_kt),
            f(row.inventory_kt),
            basis,
            d
        );
    }
    println!("{}", lang.t(Msg::ValidateReconstructedNote));
    print_calibrated(&region, lang)?;
    println!();
    let names = super::display_names(&models, lang);
    for (sc, m) in &models {
        let uncertain = m.uncertain_params().len();
        let extends = sc.extends.as_ref().map_or(String::new(), |p| {
            lang.fill(
                Msg::ValidateExtends,
                &[("parent", &shown_name(&names, p, lang))],
            )
        });
        let line = lang.fill(
            Msg::ValidateScenarioOk,
            &[
                ("name", &format!("{:<14}", super::shown(&names, &sc.name))),
                ("measures", &m.measures.len()),
                ("uncertain", &uncertain),
            ],
        );
        println!("{line}{extends}");
    }
    for (sc, m) in &models {
        print_potential(super::shown(&names, &sc.name), m, lang);
    }
    Ok(0)
}

/// A scenario's printed name; one not loaded is its id, in backquotes in Finnish (an id, not a
/// word).
fn shown_name(
    names: &std::collections::BTreeMap<String, String>,
    name: &str,
    lang: Lang,
) -> String {
    match (names.get(name), lang) {
        (Some(n), _) => n.clone(),
        (None, Lang::En) => name.to_string(),
        (None, Lang::Fi) => format!("`{name}`"),
    }
}

/// Each measure's share of its physical potential (docs/model.md, "Physical potential").
fn print_potential(scenario: &str, model: &crate::model::Model, lang: Lang) {
    let uses = crate::model::potential::potential_use(model);
    if uses.iter().all(|u| u.claim.is_none()) {
        return;
    }
    println!(
        "\n{}",
        lang.fill(Msg::ValidatePotentialHead, &[("scenario", &scenario)])
    );
    for u in uses {
        let Some((on, id)) = &u.claim else { continue };
        let msg = match on {
            ClaimOn::Hectares => Msg::ClaimHectares,
            ClaimOn::Capture => Msg::ClaimCapture,
            ClaimOn::ManagedArea => Msg::ClaimManagedArea,
            ClaimOn::Co2 => Msg::ClaimCo2,
        };
        // ids in backquotes in Finnish: they are names in the data, not words
        let id = super::list::id(id, lang);
        println!(
            "  {:<28} {:>5.0} % / {:>5.0} %  {}",
            super::list::id(&model.measures[u.measure].id, lang),
            u.central * 100.0,
            u.upper * 100.0,
            lang.fill(msg, &[("id", &id)])
        );
    }
}

/// Names the sources fitted to the inventory total (provenance `CALIBRATED…`) with their share.
fn print_calibrated(region: &crate::data::Region, lang: Lang) -> Result<()> {
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
            let share = match lang {
                Lang::En => format!("{:.1} %", kt / gross * 100.0),
                Lang::Fi => format!("{} %", lang.fixed(kt / gross * 100.0, 1)),
            };
            println!(
                "{}",
                lang.fill(
                    Msg::ValidateCalibrated,
                    &[
                        ("id", &src.id),
                        ("sector", &lang.pick(&src.sector, src.sector_fi.as_deref())),
                        ("kt", &super::summary::dec(lang, kt, 1)),
                        ("share", &share),
                        ("year", &region.base_year),
                    ]
                )
            );
        }
    }
    Ok(())
}
