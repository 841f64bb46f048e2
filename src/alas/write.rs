//! Turning an [`Aggregate`] into the files of a kymsim region dataset (in memory; the command
//! stages them in an `OutputSet`).
//!
//! - `history.csv`: every year, `Total` (gross) and every sector path and its prefixes, plus
//!   `Wind Credits` under a credit framework.
//! - `sources.csv`: one source per mapped ALas sector with base-year values. A source whose
//!   base-year rows report energy gets activity = GWh × 1000 MWh, intensity 1 and its own fuel
//!   carrier `<id>_mix` whose EF is kt/GWh of those rows (rows without energy go to `direct_ef`
//!   per MWh); any other source gets activity 1 (`kt/yr-equivalent`) and direct_ef = kt × 1000.
//! - Wind credits (framework `hinku`) become a removal `credits.wind` (`Wind Credits`), so
//!   kymsim's net emissions equal the Hinku figure with credits.

use serde::Serialize;

use super::aggregate::{Aggregate, Issue, IssueKind, Member, year_list};
use super::mapping::{self, RULES, SOURCES};
use super::reader::MunicipalityList;

/// Everything about the output that does not come from the ALas rows.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Region name.
    pub name: String,
    /// NUTS 3 code ("" when unknown).
    pub code: String,
    /// Base year (in the data).
    pub base_year: i32,
    /// Last modelled year.
    pub end_year: i32,
    /// Target year.
    pub target_year: i32,
    /// Reference year of the target.
    pub reference_year: i32,
    /// Reference emissions, kt.
    pub reference_kt: f64,
    /// Where `reference_kt` came from (for SOURCES.md).
    pub reference_note: String,
    /// Gross emissions at most this fraction of the reference in the target year.
    pub max_gross_fraction: Option<f64>,
    /// Net emissions ≤ 0 in the target year.
    pub net_zero: bool,
    /// The boundary rule in words.
    pub boundary: String,
    /// A canonical command line (file names only) for SOURCES.md.
    pub command: String,
}

/// One input file, for SOURCES.md.
#[derive(Debug, Clone)]
pub struct InputInfo {
    /// File name (no folder).
    pub name: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// What it is / how it was used.
    pub role: String,
}

/// The id of the removal that holds wind credits.
pub const WIND_CREDIT_ID: &str = "credits.wind";
/// Its sector path (a `Carbon Removal|…` variable in results).
pub const WIND_CREDIT_SECTOR: &str = "Wind Credits";

/// Formats a number for a dataset file: at most 10 decimals, trailing zeros trimmed, no `-0`.
///
/// ```
/// use kymsim::alas::write::fmt_data;
/// assert_eq!(fmt_data(0.1 + 0.2), "0.3");
/// assert_eq!(fmt_data(2.0), "2");
/// assert_eq!(fmt_data(1.0 / 3.0), "0.3333333333");
/// ```
pub fn fmt_data(x: f64) -> String {
    let mut s = crate::output::trim_decimal_zeros(format!("{x:.10}"));
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// A data file's bytes: its header, then its rows.
fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    crate::output::csv_bytes(|w| {
        w.write_record(header)?;
        for r in rows {
            w.write_record(r)?;
        }
        Ok(())
    })
}

/// A planned source row (base year).
#[derive(Debug, Clone)]
struct SourceRow {
    id: String,
    name: String,
    sector: String,
    kind: &'static str,
    activity_unit: &'static str,
    activity: f64,
    intensity: Option<f64>,
    direct_ef: f64,
    provenance: String,
    /// `(carrier id, carrier name, ef, provenance)` for energy sources.
    carrier: Option<(String, String, f64, String)>,
}

#[derive(Serialize)]
struct RegionToml<'a> {
    name: &'a str,
    code: &'a str,
    base_year: i32,
    end_year: i32,
    accounting: &'a str,
    boundary: &'a str,
    description: String,
    target: TargetToml,
}

#[derive(Serialize)]
struct TargetToml {
    year: i32,
    reference_year: i32,
    reference_kt: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_gross_fraction: Option<f64>,
    net_zero: bool,
}

/// The files of the dataset (relative path, bytes) and the problems found while building them.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Files in writing order.
    pub files: Vec<(String, Vec<u8>)>,
    /// Problems (e.g. negative base-year values kymsim cannot hold), added to the aggregate's.
    pub issues: Vec<Issue>,
}

impl Dataset {
    /// The text of a file, if present.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, b)| std::str::from_utf8(b).ok())
    }
}

/// Every sector path of the sources and all their prefixes, sorted.
pub(super) fn sector_paths(agg: &Aggregate) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for &s in &agg.sources {
        let parts: Vec<&str> = SOURCES[s].sector.split('|').collect();
        for n in 1..=parts.len() {
            let p = parts[..n].join("|");
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
    }
    paths.sort();
    paths
}

pub(super) fn path_total(agg: &Aggregate, path: &str, year: i32) -> f64 {
    agg.sources
        .iter()
        .filter(|&&s| {
            let sec = SOURCES[s].sector;
            sec == path || sec.starts_with(&format!("{path}|"))
        })
        .map(|&s| agg.cell(s, year).kt)
        .sum()
}

/// Builds every file of the dataset.
pub fn build(
    agg: &Aggregate,
    members: &[Member],
    list: &MunicipalityList,
    list_file_name: &str,
    inputs: &[InputInfo],
    settings: &Settings,
) -> Dataset {
    let base = settings.base_year;
    let mut issues: Vec<Issue> = Vec::new();
    let base_members: Vec<&Member> = members.iter().filter(|m| m.covers(base)).collect();

    let sources = source_rows(agg, settings, &mut issues);
    let with_credit = agg.framework.with_credits() && agg.has_credits();
    let sources_csv = sources_csv(&sources);
    let (carriers_csv, mix_csv) = carriers_and_mix(&sources);
    let (drivers_csv, population_note) = drivers(list, &base_members, base, list_file_name);
    let history_csv = history_csv(agg, members, with_credit);
    let region_toml = region_toml(agg, members, settings);

    let scenario = "# No measures: the imported base year held constant (no source follows a driver).\n\
                    description = \"No measures: the ALas base year held constant\"\n";

    let mut all_issues = agg.issues.clone();
    all_issues.extend(issues.iter().cloned());
    let sources_md = sources_md(
        agg,
        members,
        inputs,
        settings,
        &sources,
        &population_note,
        &all_issues,
    );

    Dataset {
        files: vec![
            ("region.toml".into(), region_toml.into_bytes()),
            ("sources.csv".into(), sources_csv),
            ("carriers.csv".into(), carriers_csv),
            ("energy_mix.csv".into(), mix_csv),
            ("drivers.csv".into(), drivers_csv),
            ("history.csv".into(), history_csv),
            ("SOURCES.md".into(), sources_md.into_bytes()),
            (
                "scenarios/baseline.toml".into(),
                scenario.as_bytes().to_vec(),
            ),
        ],
        issues,
    }
}

/// The base-year sources (and the wind credit's removal under a credit framework); values
/// kymsim cannot hold are reported in `issues`.
fn source_rows(agg: &Aggregate, settings: &Settings, issues: &mut Vec<Issue>) -> Vec<SourceRow> {
    let base = settings.base_year;
    let fw = agg.framework.name();
    let sourced = format!("sourced: Syke ALas {base}");
    let mut sources: Vec<SourceRow> = Vec::new();
    for &s in &agg.sources {
        let def = &SOURCES[s];
        let c = agg.cell(s, base);
        let id = def.id;
        let non_negative = |issues: &mut Vec<Issue>, what: &str, v: f64| -> f64 {
            if v < 0.0 {
                issues.push(Issue {
                    kind: IssueKind::Unrepresentable,
                    message: format!(
                        "{id} has {what} {} in {base}; kymsim sources cannot be negative, so sources.csv holds 0 (history.csv keeps the value)",
                        fmt_data(v)
                    ),
                });
                0.0
            } else {
                v
            }
        };
        if c.gwh > 0.0 {
            let ef = non_negative(issues, "energy emissions", c.kt_energy) / c.gwh;
            let direct = non_negative(issues, "non-energy emissions", c.kt - c.kt_energy) / c.gwh;
            let carrier_id = format!("{}_mix", def.id);
            let carrier_name = format!("{} (ALas mix)", def.name);
            sources.push(SourceRow {
                id: def.id.into(),
                name: def.name.into(),
                sector: def.sector.into(),
                kind: "emission",
                activity_unit: "MWh",
                activity: c.gwh * 1000.0,
                intensity: Some(1.0),
                direct_ef: direct,
                provenance: format!(
                    "{sourced} ({fw}): {} GWh and {} kt over {} row(s); activity = GWh x 1000 MWh, intensity 1{}",
                    fmt_data(c.gwh),
                    fmt_data(c.kt),
                    c.rows,
                    if c.kt != c.kt_energy {
                        format!(
                            "; direct_ef = {} kt without energy / {} GWh",
                            fmt_data(c.kt - c.kt_energy),
                            fmt_data(c.gwh)
                        )
                    } else {
                        String::new()
                    }
                ),
                carrier: Some((
                    carrier_id,
                    carrier_name,
                    ef,
                    format!(
                        "derived: Syke ALas {base} ({fw}) {} kt / {} GWh of {} (t CO2e/MWh)",
                        fmt_data(c.kt_energy),
                        fmt_data(c.gwh),
                        def.id
                    ),
                )),
            });
        } else {
            if c.gwh < 0.0 {
                issues.push(Issue {
                    kind: IssueKind::Unrepresentable,
                    message: format!(
                        "{} has negative energy {} GWh in {base}; it is imported as direct emissions",
                        def.id,
                        fmt_data(c.gwh)
                    ),
                });
            }
            let kt = non_negative(issues, "emissions", c.kt);
            sources.push(SourceRow {
                id: def.id.into(),
                name: def.name.into(),
                sector: def.sector.into(),
                kind: "emission",
                activity_unit: "kt/yr-equivalent",
                activity: 1.0,
                intensity: None,
                direct_ef: kt * 1000.0,
                provenance: format!(
                    "{sourced} ({fw}): {} kt over {} row(s); activity 1, direct_ef = kt x 1000 t",
                    fmt_data(c.kt),
                    c.rows
                ),
                carrier: None,
            });
        }
    }
    if agg.framework.with_credits() && agg.has_credits() {
        let mut credit = agg.credit(base);
        if credit < 0.0 {
            issues.push(Issue {
                kind: IssueKind::Unrepresentable,
                message: format!(
                    "the wind credit in {base} is {} kt (an addition); the removal {WIND_CREDIT_ID} holds 0",
                    fmt_data(credit)
                ),
            });
            credit = 0.0;
        }
        sources.push(SourceRow {
            id: WIND_CREDIT_ID.into(),
            name: "Wind-power emission credits (Hinku)".into(),
            sector: WIND_CREDIT_SECTOR.into(),
            kind: "removal",
            activity_unit: "kt/yr-equivalent",
            activity: 1.0,
            intensity: None,
            direct_ef: credit * 1000.0,
            provenance: format!(
                "{sourced} (hinku): wind credit {} kt (Tuu rows and kt_tuuli); a removal so that net = the Hinku total",
                fmt_data(credit)
            ),
            carrier: None,
        });
    }

    sources
}

/// `sources.csv`.
fn sources_csv(sources: &[SourceRow]) -> Vec<u8> {
    let source_rows: Vec<Vec<String>> = sources
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.name.clone(),
                s.sector.clone(),
                s.kind.into(),
                s.activity_unit.into(),
                fmt_data(s.activity),
                String::new(),
                String::new(),
                s.intensity.map_or(String::new(), fmt_data),
                String::new(),
                fmt_data(s.direct_ef),
                s.provenance.clone(),
            ]
        })
        .collect();
    // the columns the dataset reader requires, in its order, then the provenance
    let columns: Vec<&str> = crate::data::SOURCES_COLUMNS
        .iter()
        .copied()
        .chain(["provenance"])
        .collect();
    csv_bytes(&columns, &source_rows)
}

/// `carriers.csv` and `energy_mix.csv`: each energy source's own mix carrier (a placeholder
/// carrier when none reports energy).
fn carriers_and_mix(sources: &[SourceRow]) -> (Vec<u8>, Vec<u8>) {
    let mut carrier_rows: Vec<Vec<String>> = Vec::new();
    let mut mix_rows: Vec<Vec<String>> = Vec::new();
    for s in sources {
        if let Some((id, name, ef, prov)) = &s.carrier {
            carrier_rows.push(vec![
                id.clone(),
                name.clone(),
                "fuel".into(),
                fmt_data(*ef),
                prov.clone(),
            ]);
            mix_rows.push(vec![
                s.id.clone(),
                id.clone(),
                "1".into(),
                format!("derived: all of {}'s ALas energy on one carrier", s.id),
            ]);
        }
    }
    if carrier_rows.is_empty() {
        // the loader needs at least one carrier
        carrier_rows.push(vec![
            "none".into(),
            "No energy (placeholder)".into(),
            "fuel".into(),
            "0".into(),
            "estimated: placeholder; no imported source reports energy in the base year".into(),
        ]);
    }
    (
        csv_bytes(&["id", "name", "kind", "ef", "provenance"], &carrier_rows),
        csv_bytes(&["source", "carrier", "share", "provenance"], &mix_rows),
    )
}

/// `drivers.csv` (the members' population, when the list gives it) and the note on it for
/// SOURCES.md.
fn drivers(
    list: &MunicipalityList,
    base_members: &[&Member],
    base: i32,
    list_file_name: &str,
) -> (Vec<u8>, String) {
    let mut driver_rows: Vec<Vec<String>> = Vec::new();
    let mut population_note =
        "the municipality list has no population column, so drivers.csv is empty".to_string();
    if let Some(col) = &list.population_column {
        let pops: Vec<Option<f64>> = base_members
            .iter()
            .map(|m| list.get(m.number).and_then(|x| x.population))
            .collect();
        let total: f64 = pops.iter().flatten().sum();
        if pops.iter().all(Option::is_some) && total > 0.0 {
            let year = list.population_year.unwrap_or(base);
            driver_rows.push(vec![
                "population".into(),
                year.to_string(),
                fmt_data(total),
                format!(
                    "sourced: {list_file_name} column {col}, sum of {} municipalities",
                    pops.len()
                ),
            ]);
            population_note = format!(
                "population {} in {year} = the sum of `{col}` in {list_file_name} over the base-year members (one point, so the trajectory is constant; no source follows it until a scenario says so)",
                fmt_data(total)
            );
        } else {
            population_note = format!(
                "the `{col}` column of {list_file_name} is missing for some members, so drivers.csv is empty"
            );
        }
    }
    (
        csv_bytes(&["driver", "year", "value", "provenance"], &driver_rows),
        population_note,
    )
}

/// `history.csv`: every year, the total, every sector path and its prefixes, and the wind
/// credit under a credit framework.
fn history_csv(agg: &Aggregate, members: &[Member], with_credit: bool) -> Vec<u8> {
    let fw = agg.framework.name();
    let paths = sector_paths(agg);
    let mut history_rows: Vec<Vec<String>> = Vec::new();
    for &y in &agg.years {
        let n = members.iter().filter(|m| m.covers(y)).count();
        let prov = format!("sourced: Syke ALas {y} ({fw}, {n} municipalities)");
        history_rows.push(vec![
            y.to_string(),
            "Total".into(),
            fmt_data(agg.gross(y)),
            prov.clone(),
        ]);
        for p in &paths {
            history_rows.push(vec![
                y.to_string(),
                p.clone(),
                fmt_data(path_total(agg, p, y)),
                prov.clone(),
            ]);
        }
        if with_credit {
            history_rows.push(vec![
                y.to_string(),
                WIND_CREDIT_SECTOR.into(),
                fmt_data(agg.credit(y)),
                format!("{prov}; wind credit, positive = a reduction"),
            ]);
        }
    }
    csv_bytes(&["year", "sector", "kt", "provenance"], &history_rows)
}

/// `region.toml`.
fn region_toml(agg: &Aggregate, members: &[Member], settings: &Settings) -> String {
    let base = settings.base_year;
    let fw = agg.framework.name();
    let description = format!(
        "Imported from Syke ALas municipal results ({} municipalities, {}–{}), framework {fw}: {}",
        members.len(),
        agg.years.first().copied().unwrap_or(base),
        agg.years.last().copied().unwrap_or(base),
        agg.framework.description()
    );
    let region = RegionToml {
        name: &settings.name,
        code: &settings.code,
        base_year: base,
        end_year: settings.end_year,
        accounting: fw,
        boundary: &settings.boundary,
        description,
        target: TargetToml {
            year: settings.target_year,
            reference_year: settings.reference_year,
            reference_kt: fmt_data(settings.reference_kt)
                .parse()
                .unwrap_or(settings.reference_kt),
            max_gross_fraction: settings.max_gross_fraction,
            net_zero: settings.net_zero,
        },
    };
    format!(
        "# Imported by `kymsim import-alas` from Syke ALas; see SOURCES.md.\n{}",
        toml::to_string(&region).expect("region.toml serializes")
    )
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn sources_md(
    agg: &Aggregate,
    members: &[Member],
    inputs: &[InputInfo],
    settings: &Settings,
    sources: &[SourceRow],
    population_note: &str,
    issues: &[Issue],
) -> String {
    let base = settings.base_year;
    let fw = agg.framework;
    let mut s = String::new();
    let first = agg.years.first().copied().unwrap_or(base);
    let last = agg.years.last().copied().unwrap_or(base);
    s.push_str(&format!(
        "# {} — imported from Syke ALas\n\n",
        settings.name
    ));
    s.push_str(&format!(
        "Built by `kymsim import-alas` (kymsim {}) from Syke's ALas municipal greenhouse-gas \
         results, {first}–{last}. Every number in this folder is an ALas figure or a sum or ratio \
         of them; nothing was estimated. The rules are documented in `docs/alas-import.md` of kymsim.\n\n",
        env!("CARGO_PKG_VERSION")
    ));
    s.push_str("```\n");
    s.push_str(&settings.command);
    s.push_str("\n```\n\n");

    s.push_str("## Accounting\n\n");
    s.push_str(&format!(
        "Framework `{}`: {}.\n\n",
        fw.name(),
        fw.description()
    ));
    if fw.with_credits() {
        s.push_str(
            "Wind-power credits (`Tuu` rows: their `kt_tuuli`, or `kt` when that is missing; and \
             `kt_tuuli − kt` of any other row) are not an emission source. They are kept apart: \
             `history.csv` has them as `Wind Credits` (positive = a reduction) and `sources.csv` as \
             the removal `credits.wind`, so kymsim's net emissions equal the Hinku total with credits. \
             `Total` in `history.csv` is the gross before credits.\n\n",
        );
    } else {
        s.push_str("Wind-power credit rows (`Tuu`) are not counted.\n\n");
    }

    s.push_str("## Boundary\n\n");
    s.push_str(&settings.boundary);
    s.push_str(
        "\n\n| number | municipality | in the region | rows for years |\n|---|---|---|---|\n",
    );
    for m in members {
        let ys: Vec<i32> = agg
            .years
            .iter()
            .copied()
            .filter(|&y| agg.by_municipality.contains_key(&(m.number, y)))
            .collect();
        s.push_str(&format!(
            "| {:03} | {} | {} | {} |\n",
            m.number,
            md_escape(&m.name),
            m.describe_periods(),
            if ys.is_empty() {
                "none".to_string()
            } else {
                year_list(&ys)
            }
        ));
    }

    s.push_str("\n## Input files\n\n| file | used as | SHA-256 |\n|---|---|---|\n");
    for i in inputs {
        s.push_str(&format!(
            "| {} | {} | `{}` |\n",
            md_escape(&i.name),
            md_escape(&i.role),
            i.sha256
        ));
    }

    s.push_str(&format!(
        "\n## Totals by year (kt CO2e, framework `{}`)\n\n| year | gross | wind credit | total | municipalities |\n|---|---|---|---|---|\n",
        fw.name()
    ));
    for &y in &agg.years {
        let n = members.iter().filter(|m| m.covers(y)).count();
        s.push_str(&format!(
            "| {y} | {} | {} | {} | {n} |\n",
            fmt_data(agg.gross(y)),
            fmt_data(agg.credit(y)),
            fmt_data(agg.total(y))
        ));
    }
    s.push_str(&format!(
        "\nThese totals were checked against an independent sum of the input rows (per year, relative tolerance {:e}). \
         {} rows belong to the region's municipalities and years; {} are counted under `{}`; {} counted rows had no `kt` (read as 0).\n",
        super::aggregate::CHECK_TOLERANCE,
        agg.rows_member,
        agg.rows_used,
        fw.name(),
        agg.rows_missing_kt
    ));

    s.push_str(&format!("\n## Base year {base} and the target\n\n"));
    s.push_str(&format!(
        "`region.toml`: base year {base}, end year {}, target {}: gross ≤ {} × reference and {}; \
         reference {} = {} kt ({}).\n\n",
        settings.end_year,
        settings.target_year,
        settings
            .max_gross_fraction
            .map_or("(no limit)".into(), fmt_data),
        if settings.net_zero {
            "net ≤ 0"
        } else {
            "no net-zero condition"
        },
        settings.reference_year,
        fmt_data(settings.reference_kt),
        settings.reference_note
    ));
    s.push_str(
        "`sources.csv` holds the base year. A source whose rows report energy (`GWh`) has activity = \
         GWh × 1000 MWh, intensity 1 and its own fuel carrier `<id>_mix` (in `carriers.csv` and \
         `energy_mix.csv`) whose emission factor is kt / GWh of those rows (t CO2e/MWh); emissions of \
         its rows without energy are `direct_ef` per MWh. Any other source has activity 1 \
         (`kt/yr-equivalent`) and direct_ef = kt × 1000 (t). No source follows a driver: scenarios \
         add the change.\n\n",
    );
    s.push_str(&format!("Drivers: {population_note}.\n\n"));
    s.push_str("| source | sector | activity | unit | emission factor / direct_ef |\n|---|---|---|---|---|\n");
    for src in sources {
        let ef = match &src.carrier {
            Some((_, _, ef, _)) => format!(
                "{} t/MWh + direct {}",
                fmt_data(*ef),
                fmt_data(src.direct_ef)
            ),
            None => format!("direct {}", fmt_data(src.direct_ef)),
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            src.id,
            md_escape(&src.sector),
            fmt_data(src.activity),
            src.activity_unit,
            ef
        ));
    }

    s.push_str("\n## Mapping of ALas codes\n\nFirst matching rule wins.\n\n| ALas codes | source | sector |\n|---|---|---|\n");
    for r in RULES {
        let (id, sector) = match r.source {
            Some(id) => {
                let d = &SOURCES[mapping::source_index(id).unwrap_or(mapping::UNMAPPED)];
                (format!("`{}`", d.id), md_escape(d.sector))
            }
            None => ("wind credit".into(), "Wind Credits (removal)".into()),
        };
        s.push_str(&format!(
            "| {} | {id} | {sector} |\n",
            mapping::describe_rule(r)
        ));
    }
    s.push_str("| any other taso_3 | `other.unmapped` | Other\\|Unmapped |\n");

    s.push_str("\n## Problems found\n\n");
    if issues.is_empty() {
        s.push_str("None: every member municipality has every year, and every code is known.\n");
    } else {
        for i in issues {
            s.push_str(&format!("- {}\n", i.message));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alas::aggregate::{Cell, Framework};
    use crate::alas::mapping::source_index;
    use std::collections::BTreeMap;

    fn settings() -> Settings {
        Settings {
            name: "Testmaa".into(),
            code: String::new(),
            base_year: 2022,
            end_year: 2050,
            target_year: 2040,
            reference_year: 2022,
            reference_kt: 10.0,
            reference_note: "test".into(),
            max_gross_fraction: Some(0.2),
            net_zero: true,
            boundary: "test".into(),
            command: "kymsim import-alas".into(),
        }
    }

    fn aggregate(cells: &[(&str, Cell)]) -> Aggregate {
        let mut map = BTreeMap::new();
        let mut sources = Vec::new();
        for (id, c) in cells {
            let i = source_index(id).unwrap();
            sources.push(i);
            map.insert((i, 2022), *c);
        }
        sources.sort_unstable();
        Aggregate {
            framework: Framework::All,
            years: vec![2022],
            sources,
            cells: map,
            credits: BTreeMap::new(),
            by_municipality: BTreeMap::new(),
            rows_member: 0,
            rows_used: 0,
            rows_missing_kt: 0,
            issues: vec![],
        }
    }

    fn list() -> MunicipalityList {
        MunicipalityList {
            municipalities: vec![],
            population_column: None,
            population_year: None,
        }
    }

    #[test]
    fn energy_and_direct_parts_reproduce_the_kt() {
        // industry: rows with energy 6 kt on 20 GWh, rows without energy 2 kt →
        // activity 20,000 MWh; ef 6 / 20 = 0.3 t/MWh; direct_ef 2 / 20 = 0.1 t/MWh
        // (20,000 MWh × 0.3 / 1000 = 6 kt and 20,000 × 0.1 / 1000 = 2 kt)
        let industry = Cell {
            kt: 8.0,
            kt_energy: 6.0,
            gwh: 20.0,
            rows: 3,
        };
        // F-gases: no energy, 0.5 kt → activity 1, direct_ef 500 t
        let fgases = Cell {
            kt: 0.5,
            kt_energy: 0.0,
            gwh: 0.0,
            rows: 1,
        };
        let agg = aggregate(&[("industry", industry), ("fgases", fgases)]);
        let d = build(&agg, &[], &list(), "list.csv", &[], &settings());
        assert!(d.issues.is_empty());
        let sources = d.text("sources.csv").unwrap();
        assert!(
            sources.contains("industry,Industry,Industry,emission,MWh,20000,,,1,,0.1,"),
            "{sources}"
        );
        assert!(sources.contains("fgases,F-gases,F-Gases,emission,kt/yr-equivalent,1,,,,,500,"));
        let carriers = d.text("carriers.csv").unwrap();
        assert!(carriers.contains("industry_mix,Industry (ALas mix),fuel,0.3,"));
        let history = d.text("history.csv").unwrap();
        assert!(history.contains("2022,Total,8.5,"));
        assert!(history.contains("2022,Industry,8,"));
        assert_eq!(
            d.text("drivers.csv"),
            Some("driver,year,value,provenance\n")
        );
    }

    #[test]
    fn negative_values_are_reported_and_zeroed() {
        let odd = Cell {
            kt: -1.0,
            kt_energy: 0.0,
            gwh: 0.0,
            rows: 1,
        };
        let agg = aggregate(&[("waste.other", odd)]);
        let d = build(&agg, &[], &list(), "list.csv", &[], &settings());
        assert_eq!(d.issues.len(), 1);
        assert_eq!(d.issues[0].kind, IssueKind::Unrepresentable);
        assert!(
            d.text("sources.csv")
                .unwrap()
                .contains(",kt/yr-equivalent,1,,,,,0,")
        );
        // history keeps the real value; a placeholder carrier keeps the dataset loadable
        assert!(
            d.text("history.csv")
                .unwrap()
                .contains("2022,Waste|Other,-1,")
        );
        assert!(
            d.text("carriers.csv")
                .unwrap()
                .contains("none,No energy (placeholder),fuel,0,")
        );
    }
}
