//! Reading and validating a region dataset from a folder or from the embedded default.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::*;
use crate::error::{Error, InputError, Result, did_you_mean, name_list};
use crate::input::TextFile;

/// Where a dataset's files come from.
#[derive(Debug, Clone)]
pub enum DataSource {
    /// The Kymenlaakso dataset compiled into the binary.
    Embedded,
    /// A folder with the same files.
    Dir(PathBuf),
    /// Files in memory, by file name (for tools and fuzzing).
    Memory(std::collections::BTreeMap<String, Vec<u8>>),
}

/// The embedded default dataset: (file name, text).
const EMBEDDED: &[(&str, &str)] = &[
    (
        "region.toml",
        include_str!("../../data/kymenlaakso/region.toml"),
    ),
    (
        "sources.csv",
        include_str!("../../data/kymenlaakso/sources.csv"),
    ),
    (
        "energy_mix.csv",
        include_str!("../../data/kymenlaakso/energy_mix.csv"),
    ),
    (
        "carriers.csv",
        include_str!("../../data/kymenlaakso/carriers.csv"),
    ),
    (
        "carrier_ef.csv",
        include_str!("../../data/kymenlaakso/carrier_ef.csv"),
    ),
    (
        "carrier_mix.csv",
        include_str!("../../data/kymenlaakso/carrier_mix.csv"),
    ),
    (
        "drivers.csv",
        include_str!("../../data/kymenlaakso/drivers.csv"),
    ),
    (
        "history.csv",
        include_str!("../../data/kymenlaakso/history.csv"),
    ),
    (
        "SOURCES.md",
        include_str!("../../data/kymenlaakso/SOURCES.md"),
    ),
];

impl DataSource {
    /// The embedded dataset's files as a [`DataSource::Memory`], to modify in memory.
    pub fn embedded_files() -> std::collections::BTreeMap<String, Vec<u8>> {
        EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    /// Reads one file; `Ok(None)` when an optional file is absent.
    fn read(&self, name: &str) -> Result<Option<TextFile>> {
        match self {
            DataSource::Embedded => EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(n, text)| {
                    TextFile::from_bytes(format!("embedded:data/kymenlaakso/{n}"), text.as_bytes())
                })
                .transpose(),
            DataSource::Dir(dir) => {
                let path = dir.join(name);
                if !path.exists() {
                    return Ok(None);
                }
                TextFile::read(&path).map(Some)
            }
            DataSource::Memory(files) => files
                .get(name)
                .map(|bytes| TextFile::from_bytes(format!("memory:{name}"), bytes))
                .transpose(),
        }
    }

    fn require(&self, name: &str) -> Result<TextFile> {
        self.read(name)?.ok_or_else(|| {
            let dir = match self {
                DataSource::Dir(d) => d.display().to_string(),
                DataSource::Embedded => "the embedded dataset".into(),
                DataSource::Memory(_) => "memory".into(),
            };
            InputError::new(format!("the dataset has no `{name}`"))
                .in_file(Path::new(&dir).join(name).display().to_string())
                .hint("a dataset folder needs region.toml, sources.csv, carriers.csv and energy_mix.csv (see docs/data-format.md)")
                .into()
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionToml {
    name: String,
    code: String,
    base_year: i32,
    end_year: i32,
    accounting: Option<String>,
    boundary: Option<String>,
    description: Option<String>,
    land_area_ha: Option<f64>,
    #[serde(default)]
    count_ets_removals: bool,
    /// Land categories left out of net emissions, each with its reason.
    #[serde(default)]
    uncounted_land: Vec<UncountedLandToml>,
    /// Language of charts, report and printed tables (`--lang` overrides it).
    lang: Option<crate::lang::Lang>,
    target: TargetToml,
    #[serde(default)]
    milestones: Vec<MilestoneToml>,
    budget: Option<BudgetToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetToml {
    from_year: i32,
    kt: f64,
    counts: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UncountedLandToml {
    /// A `land` source's id.
    source: String,
    /// Why the accounting leaves it out.
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MilestoneToml {
    year: i32,
    max_gross_kt: Option<f64>,
    reduction: Option<f64>,
    reference_year: Option<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetToml {
    year: i32,
    reference_year: i32,
    reference_kt: f64,
    max_gross_fraction: Option<f64>,
    #[serde(default)]
    net_zero: bool,
}

/// Turns a toml error into an input error located in `file`.
pub(crate) fn load_toml_error(file: &TextFile, e: toml::de::Error) -> Error {
    let msg = e.message().trim_end().to_string();
    let err = match e.span() {
        Some(span) => file.error_at(span.start, msg),
        None => file.error(msg),
    };
    let hint = if err.message.starts_with("unknown field") {
        Some("remove the key or check its spelling against docs/")
    } else if err.message.contains("invalid type") {
        Some("check the value's type: numbers unquoted, text in quotes, lists in [ ]")
    } else {
        None
    };
    err.maybe_hint(hint.map(str::to_string)).into()
}

/// Loads and validates a region dataset.
pub fn load_region(source: &DataSource) -> Result<Region> {
    let mut inputs = Vec::new();
    let mut note = |f: &TextFile| inputs.push((f.name.clone(), f.sha256.clone()));

    let region_file = source.require("region.toml")?;
    note(&region_file);
    let rt: RegionToml =
        toml::from_str(&region_file.text).map_err(|e| load_toml_error(&region_file, e))?;
    let target = check_region_toml(&region_file, &rt)?;

    let carriers_file = source.require("carriers.csv")?;
    note(&carriers_file);
    let mut carriers = read_carriers(&carriers_file)?;

    if let Some(f) = source.read("carrier_ef.csv")? {
        note(&f);
        read_carrier_ef(&f, &mut carriers)?;
    }

    let drivers = match source.read("drivers.csv")? {
        Some(f) => {
            note(&f);
            read_drivers(&f)?
        }
        None => Vec::new(),
    };

    let sources_file = source.require("sources.csv")?;
    note(&sources_file);
    let mut sources = read_sources(&sources_file, &drivers)?;

    let mix_file = source.require("energy_mix.csv")?;
    note(&mix_file);
    let energy_mix = read_energy_mix(&mix_file, &sources, &carriers)?;

    let mix_file = source.read("carrier_mix.csv")?;
    let carrier_mix = match &mix_file {
        Some(f) => {
            note(f);
            read_carrier_mix(f, &carriers)?
        }
        None => Vec::new(),
    };
    check_mix_carriers(&carriers_file, mix_file.as_ref(), &carriers, &carrier_mix)?;

    if let Some(land) = rt.land_area_ha {
        check_land_area(&sources_file, &region_file, land, &sources)?;
    }
    let uncounted_land = leave_out_land(&region_file, &rt.uncounted_land, &mut sources)?;

    let history = match source.read("history.csv")? {
        Some(f) => {
            note(&f);
            read_history(&f)?
        }
        None => Vec::new(),
    };
    let milestones = read_milestones(&region_file, &rt, &history)?;
    let budget = read_budget(&region_file, &rt)?;
    let sources_md = source.read("SOURCES.md")?.map(|f| {
        note(&f);
        f.text
    });

    Ok(Region {
        name: rt.name,
        code: rt.code,
        base_year: rt.base_year,
        end_year: rt.end_year,
        accounting: rt.accounting,
        boundary: rt.boundary,
        description: rt.description,
        target,
        milestones,
        budget,
        land_area_ha: rt.land_area_ha,
        count_ets_removals: rt.count_ets_removals,
        uncounted_land,
        lang: rt.lang,
        sources,
        carriers,
        energy_mix,
        carrier_mix,
        drivers,
        history,
        inputs,
        dir: match source {
            DataSource::Dir(d) => Some(d.clone()),
            DataSource::Embedded | DataSource::Memory(_) => None,
        },
        sources_md,
    })
}

fn key_error(file: &TextFile, key: &str, message: String) -> Error {
    key_input_error(file, key, message).into()
}

/// An error at the first line that starts with `key` (or the file).
fn key_input_error(file: &TextFile, key: &str, message: String) -> InputError {
    // point at the key's line when we can find it
    let offset = file
        .text
        .lines()
        .scan(0usize, |pos, l| {
            let start = *pos;
            *pos += l.len() + 1;
            Some((start, l))
        })
        .find(|(_, l)| l.trim_start().starts_with(key))
        .map(|(s, l)| s + (l.len() - l.trim_start().len()));
    match offset {
        Some(o) => file.error_at(o, message),
        None => file.error(message),
    }
}

/// The longest region name or code, in characters (it is repeated on every results row).
pub const MAX_REGION_NAME_CHARS: usize = 200;

fn check_region_toml(file: &TextFile, rt: &RegionToml) -> Result<Target> {
    if rt.name.trim().is_empty() {
        return Err(key_error(file, "name", "`name` is empty".into()));
    }
    for (key, text) in [("name", &rt.name), ("code", &rt.code)] {
        let too_long = text.chars().count() > MAX_REGION_NAME_CHARS;
        if let Some(what) = super::table::check_text(text)
            .or_else(|| too_long.then(|| format!("more than {MAX_REGION_NAME_CHARS} characters")))
        {
            return Err(key_error(file, key, format!("`{key}` has {what}")));
        }
    }
    if !(1900..=2200).contains(&rt.base_year) {
        return Err(key_error(
            file,
            "base_year",
            format!("`base_year` = {} is out of range 1900–2200", rt.base_year),
        ));
    }
    if rt.end_year <= rt.base_year || rt.end_year > rt.base_year + 150 {
        return Err(key_error(
            file,
            "end_year",
            format!(
                "`end_year` = {} must be after `base_year` = {} and at most 150 years later",
                rt.end_year, rt.base_year
            ),
        ));
    }
    let t = &rt.target;
    if t.year < rt.base_year || t.year > rt.end_year {
        return Err(key_error(
            file,
            "year",
            format!(
                "target `year` = {} is outside the modelled years {}–{}",
                t.year, rt.base_year, rt.end_year
            ),
        ));
    }
    if !(t.reference_kt.is_finite() && t.reference_kt > 0.0) {
        return Err(key_error(
            file,
            "reference_kt",
            "`reference_kt` must be a positive number".into(),
        ));
    }
    if let Some(f) = t.max_gross_fraction
        && !(0.0..=1.0).contains(&f)
    {
        return Err(key_error(
            file,
            "max_gross_fraction",
            format!("`max_gross_fraction` = {f} must be between 0 and 1"),
        ));
    }
    Ok(Target {
        year: t.year,
        reference_year: t.reference_year,
        reference_kt: t.reference_kt,
        max_gross_fraction: t.max_gross_fraction,
        net_zero: t.net_zero,
    })
}

/// The land balance must fit in the region's land area: the land categories and every other
/// area-based source (activity unit `ha`) that does not lie on a land category.
fn check_land_area(
    sources_file: &TextFile,
    region_file: &TextFile,
    land: f64,
    sources: &[Source],
) -> Result<()> {
    if !(land.is_finite() && land > 0.0) {
        return Err(key_error(
            region_file,
            "land_area_ha",
            format!("`land_area_ha` = {land} must be a positive number of hectares"),
        ));
    }
    let area: Vec<&Source> = sources
        .iter()
        .filter(|s| s.activity_unit == "ha" && s.land.is_none())
        .collect();
    let total: f64 = area.iter().map(|s| s.activity).sum();
    if total > land * (1.0 + 1e-9) {
        let parts: Vec<String> = area
            .iter()
            .map(|s| format!("{} {} ha", s.id, round6(s.activity)))
            .collect();
        return Err(sources_file
            .error(format!(
                "area-based sources cover {} ha, more than the region's land area of {} ha (region.toml `land_area_ha`): {}",
                round6(total),
                round6(land),
                parts.join(", ")
            ))
            .hint("land categories and other sources with activity unit `ha` must fit in the land area together; a source on a land category's hectares names it in the `land` column")
            .into());
    }
    Ok(())
}

/// Removes the land categories that region.toml's `[[uncounted_land]]` leaves out, returning
/// them with their reasons; a source that lay on one keeps its own hectares.
fn leave_out_land(
    region_file: &TextFile,
    uncounted: &[UncountedLandToml],
    sources: &mut Vec<Source>,
) -> Result<Vec<UncountedLand>> {
    let mut out: Vec<UncountedLand> = Vec::new();
    for u in uncounted {
        let Some(i) = sources.iter().position(|s| s.id == u.source) else {
            let ids = sources
                .iter()
                .filter(|s| s.kind == SourceKind::Land)
                .map(|s| s.id.as_str());
            return Err(key_input_error(
                region_file,
                "[[uncounted_land]]",
                format!(
                    "`uncounted_land` names `{}`, which is not a source",
                    u.source
                ),
            )
            .maybe_hint(did_you_mean(&u.source, ids))
            .into());
        };
        if sources[i].kind != SourceKind::Land {
            return Err(key_error(
                region_file,
                "[[uncounted_land]]",
                format!(
                    "`uncounted_land` names `{}`, a `{}` source: only land categories can be left out",
                    u.source,
                    sources[i].kind.as_str()
                ),
            ));
        }
        if u.reason.trim().is_empty() {
            return Err(key_error(
                region_file,
                "[[uncounted_land]]",
                format!(
                    "`uncounted_land` leaves out `{}` without a `reason`",
                    u.source
                ),
            ));
        }
        if out.iter().any(|o| o.id == u.source) {
            continue;
        }
        out.push(UncountedLand {
            id: u.source.clone(),
            name: sources[i].name.clone(),
            reason: u.reason.clone(),
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let kept: Vec<bool> = sources
        .iter()
        .map(|s| !out.iter().any(|o| o.id == s.id))
        .collect();
    // indices of the kept sources after the removal
    let mut new_index = vec![None; sources.len()];
    let mut next = 0;
    for (i, &k) in kept.iter().enumerate() {
        if k {
            new_index[i] = Some(next);
            next += 1;
        }
    }
    let mut i = 0;
    sources.retain(|_| {
        i += 1;
        kept[i - 1]
    });
    for s in sources.iter_mut() {
        s.land = s.land.and_then(|l| new_index[l]);
    }
    Ok(out)
}

/// Resolves `[[milestones]]`: a gross ceiling in kt, a reduction from a history year, or both.
fn read_milestones(
    file: &TextFile,
    rt: &RegionToml,
    history: &[HistoryPoint],
) -> Result<Vec<Milestone>> {
    let mut out: Vec<Milestone> = Vec::new();
    for m in &rt.milestones {
        let bad = |msg: String| key_error(file, "[[milestones]]", msg);
        if m.year < rt.base_year || m.year > rt.end_year {
            return Err(bad(format!(
                "milestone year {} is outside the modelled years {}–{}",
                m.year, rt.base_year, rt.end_year
            )));
        }
        if out.iter().any(|o| o.year == m.year) {
            return Err(bad(format!("two milestones for {}", m.year)));
        }
        let mut limit = f64::INFINITY;
        let mut basis = Vec::new();
        if let Some(kt) = m.max_gross_kt {
            if !(kt.is_finite() && kt >= 0.0) {
                return Err(bad(format!(
                    "milestone {}: `max_gross_kt` = {kt} must be a number ≥ 0",
                    m.year
                )));
            }
            limit = kt;
            basis.push(format!("gross ≤ {} kt", round6(kt)));
        }
        match (m.reduction, m.reference_year) {
            (Some(r), Some(ry)) => {
                if !(0.0..=1.0).contains(&r) {
                    return Err(bad(format!(
                        "milestone {}: `reduction` = {r} must be between 0 and 1",
                        m.year
                    )));
                }
                let Some(h) = history.iter().find(|h| h.year == ry && h.sector == "Total") else {
                    return Err(bad(format!(
                        "milestone {}: no `Total` in history.csv for reference year {ry}",
                        m.year
                    )));
                };
                limit = limit.min((1.0 - r) * h.kt);
                basis.push(format!("−{} % from {ry}", round6(r * 100.0)));
            }
            (None, None) => {}
            _ => {
                return Err(bad(format!(
                    "milestone {}: `reduction` and `reference_year` go together",
                    m.year
                )));
            }
        }
        if basis.is_empty() {
            return Err(bad(format!(
                "milestone {} sets no limit: give `max_gross_kt`, or `reduction` with `reference_year`",
                m.year
            )));
        }
        out.push(Milestone {
            year: m.year,
            gross_limit_kt: limit,
            basis: basis.join(" and "),
        });
    }
    out.sort_by_key(|m| m.year);
    Ok(out)
}

/// Resolves `[budget]`: a year within the target period, a finite kt ≥ 0, `gross` or `net`, and
/// a stated source.
fn read_budget(file: &TextFile, rt: &RegionToml) -> Result<Option<Budget>> {
    let Some(b) = &rt.budget else {
        return Ok(None);
    };
    let bad = |msg: String, hint: &str| -> Error {
        key_input_error(file, "[budget]", msg).hint(hint).into()
    };
    if b.from_year < rt.base_year || b.from_year > rt.target.year {
        return Err(bad(
            format!(
                "budget `from_year` = {} is outside {}–{} (the base year to the target year)",
                b.from_year, rt.base_year, rt.target.year
            ),
            "a budget counts emissions from `from_year` through the target year",
        ));
    }
    if !(b.kt.is_finite() && b.kt >= 0.0) {
        return Err(bad(
            format!("budget `kt` = {} must be a number ≥ 0", b.kt),
            "give the budget in kt CO2e, e.g. `kt = 10168`",
        ));
    }
    let basis = match b.counts.as_str() {
        "gross" => BudgetBasis::Gross,
        "net" => BudgetBasis::Net,
        other => {
            return Err(bad(
                format!("budget `counts` = `{other}` is neither `gross` nor `net`"),
                "`counts = \"gross\"` sums Emissions|Kyoto Gases, `counts = \"net\"` Net Emissions|Kyoto Gases",
            ));
        }
    };
    if b.source.trim().is_empty() {
        return Err(bad(
            "budget `source` is empty".into(),
            "say where the figure comes from or how it was derived",
        ));
    }
    Ok(Some(Budget {
        from_year: b.from_year,
        kt: b.kt,
        basis,
        source: b.source.clone(),
    }))
}

fn check_id(row: &Row, column: &str) -> Result<String> {
    let id = row.required_str(column)?;
    if !is_valid_id(id) {
        return Err(row
            .error(column, format!("`{id}` is not a valid id"))
            .hint("ids are lower-case letters, digits and `_`, in parts joined by `.` (e.g. `transport.road.cars`)")
            .into());
    }
    Ok(id.to_string())
}

fn read_carriers(file: &TextFile) -> Result<Vec<Carrier>> {
    let table = Table::read(
        file,
        &["id", "name", "kind", "ef"],
        &["name_fi", "bio_ef", "provenance"],
    )?;
    let mut carriers: Vec<Carrier> = Vec::new();
    let mut names = HashSet::new();
    for row in table.rows() {
        let id = check_id(&row, "id")?;
        if carriers.iter().any(|c| c.id == id) {
            return Err(row
                .error("id", format!("carrier `{id}` is defined twice"))
                .into());
        }
        let name = row.required_str("name")?.to_string();
        if !names.insert(name.clone()) {
            return Err(row
                .error("name", format!("carrier name `{name}` is used twice"))
                .hint("carrier names become output variable names and must be unique")
                .into());
        }
        if name.contains('|') {
            return Err(row
                .error("name", "a carrier name may not contain `|`")
                .into());
        }
        let kind = match row.required_str("kind")? {
            "fuel" => CarrierKind::Fuel,
            "mix" => CarrierKind::Mix,
            "blend" => CarrierKind::Blend,
            other => {
                return Err(row
                    .error("kind", format!("unknown carrier kind `{other}`"))
                    .hint("`kind` is `fuel` (own emission factor), `mix` (production mix from carrier_mix.csv) or `blend` (fuels sold blended, from carrier_mix.csv)")
                    .into());
            }
        };
        let ef = row.opt_f64("ef")?;
        let ef = match (kind, ef) {
            (CarrierKind::Fuel, None) => {
                return Err(row
                    .error("ef", format!("fuel carrier `{id}` needs an emission factor `ef`"))
                    .hint("t CO2e per MWh; 0 for carriers counted as zero (biomass, hydrogen from clean power)")
                    .into());
            }
            (CarrierKind::Fuel, Some(v)) if v < 0.0 => {
                return Err(row
                    .error("ef", format!("emission factor {v} is negative"))
                    .into());
            }
            (CarrierKind::Fuel, Some(v)) => Some(Trajectory::constant(0, v)),
            (CarrierKind::Mix | CarrierKind::Blend, Some(_)) => {
                return Err(row
                    .error(
                        "ef",
                        format!("mix or blend carrier `{id}` must leave `ef` empty"),
                    )
                    .hint("its emission factor is computed from carrier_mix.csv")
                    .into());
            }
            (CarrierKind::Mix | CarrierKind::Blend, None) => None,
        };
        let bio_ef = row.f64_or("bio_ef", 0.0)?;
        if !(0.0..=10.0).contains(&bio_ef) {
            return Err(row
                .error("bio_ef", format!("biogenic CO2 factor {bio_ef} is outside 0…10 t/MWh"))
                .hint("t of biogenic CO2 released per MWh of fuel burnt, e.g. 0.403 for wood (IPCC 2006: 112 t/TJ)")
                .into());
        }
        if bio_ef > 0.0 && kind != CarrierKind::Fuel {
            return Err(row
                .error("bio_ef", format!("mix or blend carrier `{id}` must leave `bio_ef` empty"))
                .hint("a mix or blend burns its components: give `bio_ef` to the fuels in carrier_mix.csv")
                .into());
        }
        carriers.push(Carrier {
            id,
            name,
            name_fi: name_fi(&row)?,
            kind,
            ef,
            bio_ef,
            provenance: row.str("provenance").to_string(),
        });
    }
    if carriers.is_empty() {
        return Err(file.error("no carriers are defined").into());
    }
    Ok(carriers)
}

fn lookup<'a>(
    row: &Row,
    column: &str,
    what: &str,
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Result<usize> {
    let id = row.required_str(column)?;
    match ids.clone().position(|x| x == id) {
        Some(i) => Ok(i),
        None => Err(row
            .error(column, format!("unknown {what} `{id}`"))
            .hint(
                did_you_mean(id, ids.clone())
                    .unwrap_or_else(|| format!("known {what}s: {}", name_list(ids))),
            )
            .into()),
    }
}

fn read_carrier_ef(file: &TextFile, carriers: &mut [Carrier]) -> Result<()> {
    let table = Table::read(file, &["carrier", "year", "ef"], &["provenance"])?;
    let mut points: BTreeMap<usize, Vec<(i32, f64, usize)>> = BTreeMap::new();
    for row in table.rows() {
        let c = lookup(
            &row,
            "carrier",
            "carrier",
            carriers.iter().map(|c| c.id.as_str()),
        )?;
        if carriers[c].kind.is_composite() {
            return Err(row
                .error(
                    "carrier",
                    format!("`{}` is a mix or blend carrier", carriers[c].id),
                )
                .hint("a mix carrier's emission factor comes from carrier_mix.csv")
                .into());
        }
        let year = row.year("year")?;
        let ef = row.f64("ef")?;
        if ef < 0.0 {
            return Err(row
                .error("ef", format!("emission factor {ef} is negative"))
                .into());
        }
        let list = points.entry(c).or_default();
        if list.iter().any(|p| p.0 == year) {
            return Err(row
                .error(
                    "year",
                    format!("carrier `{}` has year {year} twice", carriers[c].id),
                )
                .into());
        }
        list.push((year, ef, row.line()));
    }
    for (c, mut list) in points {
        list.sort_by_key(|p| p.0);
        carriers[c].ef = Some(Trajectory::new(list.iter().map(|p| (p.0, p.1)).collect()));
    }
    Ok(())
}

fn read_drivers(file: &TextFile) -> Result<Vec<Driver>> {
    let table = Table::read(file, &["driver", "year", "value"], &["provenance"])?;
    let mut points: Vec<(String, Vec<(i32, f64)>)> = Vec::new();
    for row in table.rows() {
        let id = check_id(&row, "driver")?;
        let year = row.year("year")?;
        let value = row.f64("value")?;
        if value <= 0.0 {
            return Err(row
                .error("value", format!("driver value {value} must be positive"))
                .hint("activities scale with the ratio of a driver to its base-year value")
                .into());
        }
        let i = match points.iter().position(|p| p.0 == id) {
            Some(i) => i,
            None => {
                points.push((id.clone(), Vec::new()));
                points.len() - 1
            }
        };
        if points[i].1.iter().any(|p| p.0 == year) {
            return Err(row
                .error("year", format!("driver `{id}` has year {year} twice"))
                .into());
        }
        points[i].1.push((year, value));
    }
    Ok(points
        .into_iter()
        .map(|(id, mut p)| {
            p.sort_by_key(|x| x.0);
            Driver {
                id,
                trajectory: Trajectory::new(p),
            }
        })
        .collect())
}

/// The optional Finnish name of a row (`name_fi`; empty: none, the English name is shown).
fn name_fi(row: &super::Row) -> Result<Option<String>> {
    let v = row.str("name_fi").trim();
    if v.is_empty() {
        return Ok(None);
    }
    if let Some(what) = super::table::check_text(v) {
        return Err(row.error("name_fi", format!("`name_fi` has {what}")).into());
    }
    Ok(Some(v.to_string()))
}

/// The optional Finnish sector path (`sector_fi`): the same number of `|` parts as `sector`,
/// part by part its Finnish name (`Liikenne|Tieliikenne|Henkilöautot`).
fn sector_fi(row: &super::Row, sector: &str) -> Result<Option<String>> {
    let fi = row.str("sector_fi").trim();
    if fi.is_empty() {
        return Ok(None);
    }
    let (n_en, n_fi) = (sector.split('|').count(), fi.split('|').count());
    if n_en != n_fi || fi.split('|').any(|p| p.trim().is_empty() || p.trim() != p) {
        return Err(row
            .error(
                "sector_fi",
                format!(
                    "`sector_fi` `{fi}` does not match `sector` `{sector}` part by part ({n_fi} against {n_en} parts)"
                ),
            )
            .hint("give the Finnish name of each part of `sector`, separated by `|` in the same order (e.g. `Liikenne|Tieliikenne`), or leave it empty")
            .into());
    }
    Ok(Some(fi.to_string()))
}

fn read_sources(file: &TextFile, drivers: &[Driver]) -> Result<Vec<Source>> {
    let table = Table::read(
        file,
        &[
            "id",
            "name",
            "sector",
            "kind",
            "activity_unit",
            "activity",
            "driver",
            "elasticity",
            "intensity",
            "intensity_trend",
            "direct_ef",
        ],
        &["name_fi", "sector_fi", "land", "provenance"],
    )?;
    let mut sources: Vec<Source> = Vec::new();
    // (row index, land category id, column) of the sources that lie on a land category
    let mut on_land: Vec<(usize, String, Row)> = Vec::new();
    let mut paths: Vec<(SourceKind, String, usize)> = Vec::new();
    for row in table.rows() {
        let id = check_id(&row, "id")?;
        if sources.iter().any(|s| s.id == id) {
            return Err(row
                .error("id", format!("source `{id}` is defined twice"))
                .into());
        }
        let sector = row.required_str("sector")?.to_string();
        if sector
            .split('|')
            .any(|p| p.trim().is_empty() || p.trim() != p)
        {
            return Err(row
                .error("sector", format!("sector path `{sector}` has an empty or padded part"))
                .hint("write parts joined by `|` with no spaces around them, e.g. `Transport|Road|Buses`")
                .into());
        }
        let kind = match row.required_str("kind")? {
            "emission" => SourceKind::Emission,
            "removal" => SourceKind::Removal,
            "land" => SourceKind::Land,
            other => {
                return Err(row
                    .error("kind", format!("unknown source kind `{other}`"))
                    .hint("`kind` is `emission`, `removal` (a sink) or `land` (a land category of the land balance, in ha)")
                    .into());
            }
        };
        let non_negative = |col: &str, default: f64| -> Result<f64> {
            let v = row.f64_or(col, default)?;
            if v < 0.0 {
                return Err(row
                    .error(col, format!("`{col}` = {v} must not be negative"))
                    .into());
            }
            Ok(v)
        };
        let activity = row.f64("activity")?;
        if activity < 0.0 {
            return Err(row
                .error(
                    "activity",
                    format!("activity {activity} must not be negative"),
                )
                .hint("a sink is a `removal` source with a positive activity")
                .into());
        }
        let intensity = non_negative("intensity", 0.0)?;
        // a land category's or a sink's net flux per unit may have either sign (a forest can
        // be a net source); an emission source's factor cannot
        let direct_ef = if kind == SourceKind::Emission {
            non_negative("direct_ef", 0.0)?
        } else {
            let v = row.f64_or("direct_ef", 0.0)?;
            if v.abs() > MAX_FLUX_PER_UNIT {
                return Err(row
                    .error("direct_ef", format!("`direct_ef` = {v} is outside ±{MAX_FLUX_PER_UNIT} t CO2e per unit"))
                    .hint("a land category's net flux is t CO2e per hectare a year (cultivated peat ~25, forest ~−0.4)")
                    .into());
            }
            v
        };
        let intensity_trend = row.f64_or("intensity_trend", 0.0)?;
        if !(-0.5..=0.5).contains(&intensity_trend) {
            return Err(row
                .error(
                    "intensity_trend",
                    format!("intensity_trend {intensity_trend} is outside −0.5…0.5"),
                )
                .hint("the trend is a yearly fraction: −0.01 is 1 % less energy per unit each year")
                .into());
        }
        let elasticity = row.f64_or("elasticity", 1.0)?;
        if elasticity.abs() > 10.0 {
            return Err(row
                .error(
                    "elasticity",
                    format!("elasticity {elasticity} is outside −10…10"),
                )
                .into());
        }
        let driver = if row.str("driver").is_empty() {
            None
        } else {
            Some(lookup(
                &row,
                "driver",
                "driver",
                drivers.iter().map(|d| d.id.as_str()),
            )?)
        };
        if kind != SourceKind::Emission && intensity > 0.0 {
            return Err(row
                .error(
                    "intensity",
                    format!("a {} source cannot use energy", kind.as_str()),
                )
                .hint("model the energy use as a separate emission source")
                .into());
        }
        let unit = row.str("activity_unit");
        if kind == SourceKind::Land && unit != "ha" {
            return Err(row
                .error(
                    "activity_unit",
                    format!("land category `{id}` is measured in `{unit}`, not `ha`"),
                )
                .hint("a `land` source is an area: activity_unit = ha, direct_ef = net t CO2e per hectare a year")
                .into());
        }
        let land_ref = row.str("land");
        if !land_ref.is_empty() {
            if kind == SourceKind::Land || unit != "ha" {
                return Err(row
                    .error("land", format!("source `{id}` cannot lie on land category `{land_ref}`"))
                    .hint("`land` is for emission or removal sources measured in `ha` that lie on a land category's hectares (e.g. the N2O of organic fields)")
                    .into());
            }
            on_land.push((sources.len(), land_ref.to_string(), row));
        }
        for (k, p, line) in &paths {
            if *k != kind || *p == sector {
                continue;
            }
            let (short, long) = if p.len() < sector.len() {
                (p, &sector)
            } else {
                (&sector, p)
            };
            if long.starts_with(&format!("{short}|")) {
                return Err(row
                    .error("sector", format!(
                        "sector path `{sector}` and `{p}` (line {line}) nest: one is a prefix of the other"
                    ))
                    .hint("every aggregate must be the sum of its children: give the shorter one its own leaf, e.g. `…|Other`")
                    .into());
            }
        }
        paths.push((kind, sector.clone(), row.line()));
        let sector_fi = sector_fi(&row, &sector)?;
        sources.push(Source {
            id,
            name: row.required_str("name")?.to_string(),
            name_fi: name_fi(&row)?,
            sector,
            sector_fi,
            kind,
            activity_unit: row.str("activity_unit").to_string(),
            activity,
            driver,
            elasticity,
            intensity,
            intensity_trend,
            direct_ef,
            land: None,
            provenance: row.str("provenance").to_string(),
        });
    }
    if sources.is_empty() {
        return Err(file.error("no sources are defined").into());
    }
    for (i, land_id, row) in on_land {
        let Some(l) = sources
            .iter()
            .position(|s| s.id == land_id && s.kind == SourceKind::Land)
        else {
            let ids = sources
                .iter()
                .filter(|s| s.kind == SourceKind::Land)
                .map(|s| s.id.as_str());
            return Err(row
                .error("land", format!("`{land_id}` is not a land category"))
                .hint(did_you_mean(&land_id, ids.clone()).unwrap_or_else(|| {
                    format!("land categories (kind `land`): {}", name_list(ids))
                }))
                .into());
        };
        if sources[i].activity > sources[l].activity * (1.0 + 1e-9) {
            return Err(row
                .error(
                    "activity",
                    format!(
                        "source `{}` covers {} ha, more than the {} ha of land category `{land_id}` it lies on",
                        sources[i].id,
                        round6(sources[i].activity),
                        round6(sources[l].activity)
                    ),
                )
                .into());
        }
        sources[i].land = Some(l);
    }
    Ok(sources)
}

/// The largest net flux per unit of a sink or land category, t CO2e (far above any real
/// hectare's: cultivated peat emits ~30 t CO2e/ha a year).
pub const MAX_FLUX_PER_UNIT: f64 = 1000.0;

const SHARE_TOLERANCE: f64 = 1e-6;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn read_energy_mix(
    file: &TextFile,
    sources: &[Source],
    carriers: &[Carrier],
) -> Result<Vec<EnergyShare>> {
    let table = Table::read(file, &["source", "carrier", "share"], &["provenance"])?;
    let mut shares: Vec<EnergyShare> = Vec::new();
    let mut first_line: HashMap<usize, usize> = HashMap::new();
    for row in table.rows() {
        let s = lookup(
            &row,
            "source",
            "source",
            sources.iter().map(|s| s.id.as_str()),
        )?;
        let c = lookup(
            &row,
            "carrier",
            "carrier",
            carriers.iter().map(|c| c.id.as_str()),
        )?;
        let share = row.f64("share")?;
        if !(0.0..=1.0).contains(&share) {
            return Err(row
                .error("share", format!("share {share} is outside 0…1"))
                .into());
        }
        if shares.iter().any(|x| x.source == s && x.carrier == c) {
            return Err(row
                .error(
                    "carrier",
                    format!(
                        "source `{}` lists carrier `{}` twice",
                        sources[s].id, carriers[c].id
                    ),
                )
                .into());
        }
        if sources[s].intensity == 0.0 {
            return Err(row
                .error(
                    "source",
                    format!(
                        "source `{}` has no energy intensity, so it has no energy mix",
                        sources[s].id
                    ),
                )
                .hint("give the source an `intensity` in sources.csv or remove these rows")
                .into());
        }
        first_line.entry(s).or_insert(row.line());
        shares.push(EnergyShare {
            source: s,
            carrier: c,
            share,
        });
    }
    for (i, src) in sources.iter().enumerate() {
        if src.intensity == 0.0 {
            continue;
        }
        let sum: f64 = shares
            .iter()
            .filter(|x| x.source == i)
            .map(|x| x.share)
            .sum();
        match first_line.get(&i) {
            None => {
                return Err(file
                    .error(format!(
                        "source `{}` uses energy but has no energy mix",
                        src.id
                    ))
                    .hint("add rows `source,carrier,share` whose shares sum to 1")
                    .into());
            }
            Some(&line) if (sum - 1.0).abs() > SHARE_TOLERANCE => {
                return Err(file
                    .error(format!(
                        "the shares of source `{}` sum to {}, not 1",
                        src.id,
                        round6(sum)
                    ))
                    .at(line, 1)
                    .hint("shares are fractions of the source's final energy and must add up to 1")
                    .into());
            }
            _ => {}
        }
    }
    Ok(shares)
}

fn read_carrier_mix(file: &TextFile, carriers: &[Carrier]) -> Result<Vec<MixComponent>> {
    let table = Table::read(
        file,
        &["carrier", "component", "share"],
        &["input_per_output", "provenance"],
    )?;
    let mut comps: Vec<MixComponent> = Vec::new();
    let mut first_line: HashMap<usize, usize> = HashMap::new();
    for row in table.rows() {
        let ids = carriers.iter().map(|c| c.id.as_str());
        let c = lookup(&row, "carrier", "carrier", ids.clone())?;
        if !carriers[c].kind.is_composite() {
            return Err(row
                .error(
                    "carrier",
                    format!(
                        "`{}` is a fuel carrier; only `mix` and `blend` carriers have components",
                        carriers[c].id
                    ),
                )
                .hint("set its `kind` to `mix` or `blend` in carriers.csv, or remove these rows")
                .into());
        }
        let k = lookup(&row, "component", "carrier", ids)?;
        let blend = carriers[c].kind == CarrierKind::Blend;
        if blend && carriers[k].kind != CarrierKind::Fuel {
            return Err(row
                .error(
                    "component",
                    format!(
                        "blend `{}` can only hold fuels; `{}` is a mix or blend",
                        carriers[c].id, carriers[k].id
                    ),
                )
                .hint("a blend's components are the fuels sold in it (e.g. gasoline and ethanol)")
                .into());
        }
        if k == c {
            return Err(row
                .error("component", "a mix carrier cannot be its own component")
                .into());
        }
        let share = row.f64("share")?;
        if !(0.0..=1.0).contains(&share) {
            return Err(row
                .error("share", format!("share {share} is outside 0…1"))
                .into());
        }
        let ipo = row.f64_or("input_per_output", 1.0)?;
        if blend && ipo != 1.0 {
            return Err(row
                .error(
                    "input_per_output",
                    format!("input_per_output {ipo} in blend `{}`", carriers[c].id),
                )
                .hint(
                    "a blend's components are its final energy: leave input_per_output empty or 1",
                )
                .into());
        }
        if ipo <= 0.0 || ipo > 100.0 {
            return Err(row
                .error("input_per_output", format!("input_per_output {ipo} must be in (0, 100]"))
                .hint("MWh of the component needed per MWh of the mix carrier (e.g. 1.1 for a boiler, 0.33 for a heat pump)")
                .into());
        }
        if comps.iter().any(|x| x.carrier == c && x.component == k) {
            return Err(row
                .error("component", "component listed twice for this carrier")
                .into());
        }
        first_line.entry(c).or_insert(row.line());
        comps.push(MixComponent {
            carrier: c,
            component: k,
            share,
            input_per_output: ipo,
        });
    }
    for (&c, &line) in &first_line {
        let sum: f64 = comps
            .iter()
            .filter(|x| x.carrier == c)
            .map(|x| x.share)
            .sum();
        if (sum - 1.0).abs() > SHARE_TOLERANCE {
            return Err(file
                .error(format!(
                    "the shares of mix carrier `{}` sum to {}, not 1",
                    carriers[c].id,
                    round6(sum)
                ))
                .at(line, 1)
                .into());
        }
    }
    Ok(comps)
}

fn check_mix_carriers(
    file: &TextFile,
    mix_file: Option<&TextFile>,
    carriers: &[Carrier],
    mix: &[MixComponent],
) -> Result<()> {
    for (i, c) in carriers.iter().enumerate() {
        if c.kind.is_composite() && !mix.iter().any(|m| m.carrier == i) {
            return Err(file
                .error(format!("mix or blend carrier `{}` has no components", c.id))
                .hint("add its components to carrier_mix.csv")
                .into());
        }
    }
    mix_order(carriers.len(), mix.iter().map(|m| (m.carrier, m.component))).map_err(|cycle| {
        let names: Vec<&str> = cycle.iter().map(|&i| carriers[i].id.as_str()).collect();
        Error::from(
            mix_file.unwrap_or(file).error(format!("mix carriers form a cycle: {}", names.join(" → ")))
                .hint("a mix carrier's components must not depend on it, directly or through other mixes"),
        )
    })?;
    Ok(())
}

/// Orders carriers so each mix comes after its components; `Err` holds a cycle.
pub fn mix_order(
    n: usize,
    edges: impl Iterator<Item = (usize, usize)>,
) -> Result<Vec<usize>, Vec<usize>> {
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (mix, comp) in edges {
        if !deps[mix].contains(&comp) {
            deps[mix].push(comp);
        }
    }
    // 0 = unvisited, 1 = on stack, 2 = done
    let mut state = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    fn visit(
        v: usize,
        deps: &[Vec<usize>],
        state: &mut [u8],
        order: &mut Vec<usize>,
        stack: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match state[v] {
            2 => return Ok(()),
            1 => {
                let start = stack.iter().position(|&x| x == v).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(v);
                return Err(cycle);
            }
            _ => {}
        }
        state[v] = 1;
        stack.push(v);
        for &d in &deps[v] {
            visit(d, deps, state, order, stack)?;
        }
        stack.pop();
        state[v] = 2;
        order.push(v);
        Ok(())
    }
    let mut stack = Vec::new();
    for v in 0..n {
        visit(v, &deps, &mut state, &mut order, &mut stack)?;
    }
    Ok(order)
}

fn read_history(file: &TextFile) -> Result<Vec<HistoryPoint>> {
    let table = Table::read(file, &["year", "sector", "kt"], &["basis", "provenance"])?;
    let mut out: Vec<HistoryPoint> = Vec::new();
    // (year, sector) pairs seen: one hash look-up per row keeps the loader linear
    let mut seen: std::collections::HashSet<(i32, String)> = std::collections::HashSet::new();
    for row in table.rows() {
        let year = row.year("year")?;
        let sector = row.required_str("sector")?.to_string();
        let kt = row.f64("kt")?;
        if !seen.insert((year, sector.clone())) {
            return Err(row
                .error("sector", format!("history has `{sector}` in {year} twice"))
                .into());
        }
        let independent = match row.str("basis") {
            "" | "independent" => true,
            "reconstructed" => false,
            other => {
                return Err(row
                    .error("basis", format!("unknown basis `{other}`"))
                    .hint("`independent` (a published or measured figure, the default) or `reconstructed` (derived from the same data as sources.csv)")
                    .into());
            }
        };
        out.push(HistoryPoint {
            year,
            sector,
            kt,
            independent,
            provenance: row.str("provenance").to_string(),
        });
    }
    out.sort_by(|a, b| a.sector.cmp(&b.sector).then(a.year.cmp(&b.year)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_order_puts_components_first_and_finds_cycles() {
        // 2 = mix of {0, 3}; 3 = mix of {1}
        let order = mix_order(4, [(2, 0), (2, 3), (3, 1)].into_iter()).unwrap();
        let pos = |x| order.iter().position(|&v| v == x).unwrap();
        assert!(pos(0) < pos(2) && pos(3) < pos(2) && pos(1) < pos(3));
        let cycle = mix_order(3, [(0, 1), (1, 2), (2, 0)].into_iter()).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4);
    }
}
