//! `kymsim list`: discover sources, carriers, measures and scenarios.

use clap::{Args, ValueEnum};

use super::{InputArgs, LangArg};
use crate::data::{CarrierKind, SourceKind};
use crate::error::{Result, printable};
use crate::i18n::{Lang, Msg};
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
    #[command(flatten)]
    pub lang: LangArg,
    /// Leave out the header line and the line saying where the inputs come from
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `kymsim list`.
pub fn list(args: ListArgs) -> Result<i32> {
    match args.what {
        What::Sources => list_sources(&args)?,
        What::Carriers => list_carriers(&args)?,
        What::Measures => list_measures(&args)?,
        What::Scenarios => list_scenarios(&args)?,
    }
    Ok(0)
}

/// The sources with their base-year emissions as the data give them: emission sources emit,
/// removals remove, land categories emit (+) or remove (−).
fn list_sources(args: &ListArgs) -> Result<()> {
    let region = args.input.region()?;
    let lang = args.lang.resolve(&region);
    let model = crate::model::compile(&region, &crate::scenario::Scenario::empty("data"))?;
    let central = crate::engine::run_central(&model);
    header(
        args.quiet,
        format_args!(
            "{:<32} {:<8} {:<44} {:>12} {:<8} {:>12}",
            lang.t(Msg::ListId),
            lang.t(Msg::ListKind),
            lang.t(Msg::ListSector),
            lang.t(Msg::ListActivity),
            lang.t(Msg::ListUnit),
            format!("{} kt", region.base_year)
        ),
    );
    for (i, s) in region.sources.iter().enumerate() {
        let (root, kind) = match s.kind {
            SourceKind::Emission => (Msg::ListGross, Msg::ListSourceEmission),
            SourceKind::Removal => (Msg::ListRemovals, Msg::ListSourceRemoval),
            SourceKind::Land => (Msg::ListLand, Msg::ListSourceLand),
        };
        let path = lang.pick(&s.sector, s.sector_fi.as_deref());
        let sector = format!("{}|{path}", lang.t(root));
        // + 0.0: an empty category prints 0.0, not −0.0
        let kt = central.leaves[i * model.ny] + 0.0;
        println!(
            "{:<32} {:<8} {:<44} {:>12} {:<8} {:>12}",
            id(&s.id, lang),
            lang.t(kind),
            printable(&sector, 200),
            number(s.activity, lang),
            unit(&s.activity_unit, lang),
            super::summary::dec(lang, kt, 1)
        );
    }
    Ok(())
}

/// The carriers with their base-year emission factors.
fn list_carriers(args: &ListArgs) -> Result<()> {
    let region = args.input.region()?;
    let lang = args.lang.resolve(&region);
    header(
        args.quiet,
        format_args!(
            "{:<20} {:<24} {:<5} {:>12}",
            lang.t(Msg::ListId),
            lang.t(Msg::ListName),
            lang.t(Msg::ListKind),
            lang.t(Msg::ListEf)
        ),
    );
    for c in &region.carriers {
        let (kind, ef) = match (&c.kind, &c.ef) {
            (CarrierKind::Fuel, Some(t)) => {
                (Msg::ListFuel, number(t.at(region.base_year as f64), lang))
            }
            (CarrierKind::Blend, _) => (Msg::ListBlend, lang.t(Msg::ListFromBlend).to_string()),
            _ => (Msg::ListMix, lang.t(Msg::ListFromMix).to_string()),
        };
        println!(
            "{:<20} {:<24} {:<5} {:>12}",
            id(&c.id, lang),
            printable(lang.pick(&c.name, c.name_fi.as_deref()), 200),
            lang.t(kind),
            ef
        );
    }
    Ok(())
}

/// Each scenario's measures, inherited ones marked.
fn list_measures(args: &ListArgs) -> Result<()> {
    let region = args.input.region()?;
    let lang = args.lang.resolve(&region);
    let models = args.input.models(&region, &[])?;
    args.input.announce_in(&region, args.quiet, lang);
    let names = super::display_names(&models, lang);
    // columns as wide as their widest entry (Finnish kinds are longer than the English ones)
    let all = || models.iter().flat_map(|(_, m)| &m.measures);
    let kind_w = all()
        .map(|mi| lang.measure_kind(mi.kind).chars().count())
        .max()
        .unwrap_or(0)
        .max(12);
    let pillar_w = all()
        .map(|mi| lang.pillar(mi.pillar).chars().count())
        .max()
        .unwrap_or(0)
        .max(15);
    for (sc, m) in &models {
        println!("{}:", super::shown(&names, &sc.name));
        for mi in &m.measures {
            let inherited = if sc.files.first().is_some_and(|f| f.name != mi.file) {
                lang.t(Msg::ListInherited)
            } else {
                ""
            };
            let targets = printable(&mi.targets.to_string(), 2000);
            // a removal's target is its sector (`Carbon Removal|Biochar`), named in Finnish;
            // other targets are ids, in backquotes: names in the data, not words
            let targets = match lang {
                Lang::En => targets,
                Lang::Fi => (mi.kind == crate::scenario::MeasureKind::Removal)
                    .then(|| removal_sector_fi(sc, &mi.id))
                    .flatten()
                    .unwrap_or(format!("`{targets}`")),
            };
            println!(
                "  {:<28} {:<kind_w$} {:<pillar_w$} {targets}{inherited}",
                id(&mi.id, lang),
                lang.measure_kind(mi.kind),
                lang.pillar(mi.pillar),
            );
        }
    }
    Ok(())
}

/// The Finnish sector of removal measure `id` of `sc` (`Nielut|Biohiili`), when it has one.
fn removal_sector_fi(sc: &crate::scenario::Scenario, id: &str) -> Option<String> {
    let spec = sc.measures.iter().find(|m| m.item.id() == id)?;
    let (_, fi) = spec.item.action.removal_sector()?;
    let fi = fi?.trim();
    (!fi.is_empty()).then(|| format!("{}|{fi}", Lang::Fi.t(Msg::ListRemovals)))
}

/// The scenarios with their descriptions.
fn list_scenarios(args: &ListArgs) -> Result<()> {
    let lib = args.input.library()?;
    if lib.is_empty() {
        return Err(lib.empty_error());
    }
    let lang = args.lang.lang.unwrap_or_default();
    if !args.quiet {
        let from = match lang {
            Lang::En => args.input.scenario_source().describe(),
            Lang::Fi => args.input.scenario_source().describe_fi(),
        };
        eprintln!("{}", lang.fill(Msg::ListScenariosFrom, &[("from", &from)]));
    }
    for name in lib.names() {
        let sc = lib.resolve(name)?;
        let parent = sc.extends.as_ref().map_or(String::new(), |p| {
            let shown = match lang {
                Lang::En => p.clone(),
                Lang::Fi => lib
                    .resolve(p)
                    .ok()
                    .and_then(|ps| ps.name_fi.clone())
                    .unwrap_or_else(|| format!("`{p}`")),
            };
            lang.fill(Msg::ValidateExtends, &[("parent", &shown)])
        });
        let parent = match lang {
            // ` (extends programme)` as `list` always wrote it
            Lang::En => parent.replacen(", extends", " (extends", 1) + ")",
            Lang::Fi => parent,
        };
        let shown = lang.pick(&sc.name, sc.name_fi.as_deref());
        let description = lang.pick(&sc.description, sc.description_fi.as_deref());
        // a description is the user's text: its control characters are shown as escapes
        println!("{:<16} {}{parent}", shown, printable(description, 2000));
    }
    Ok(())
}

/// An id as `list` prints it: in backquotes in Finnish (a name in the data, not a word).
pub(super) fn id(id: &str, lang: Lang) -> String {
    match lang {
        Lang::En => id.to_string(),
        Lang::Fi => format!("`{id}`"),
    }
}

/// A number as `list` prints it: as written in English, with a decimal comma in Finnish.
fn number(v: f64, lang: Lang) -> String {
    match lang {
        Lang::En => fmt_num(v),
        Lang::Fi => fmt_num(v).replace('.', ","),
    }
}

/// An activity unit in Finnish where it is a word (`person` → `asukas`).
fn unit(u: &str, lang: Lang) -> &str {
    match (lang, u) {
        (Lang::Fi, "person") => "asukas",
        (Lang::Fi, "head") => "eläin",
        (Lang::Fi, "LU") => "ey",
        (_, u) => u,
    }
}

/// Prints a table's header line unless `quiet`.
fn header(quiet: bool, line: std::fmt::Arguments) {
    if !quiet {
        println!("{line}");
    }
}
