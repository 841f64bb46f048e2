//! `sources.csv`: the emission sources, removals and land categories. Its columns are
//! [`SOURCES_COLUMNS`] and [`SOURCES_OPTIONAL`], shared with the ALas import that writes the file.

use crate::data::*;
use crate::error::{Result, did_you_mean, name_list};
use crate::input::TextFile;

use super::*;

/// The required columns of `sources.csv`, in the order the ALas import writes them.
pub const SOURCES_COLUMNS: &[&str] = &[
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
];

/// The optional columns of `sources.csv`.
pub const SOURCES_OPTIONAL: &[&str] = &["name_fi", "sector_fi", "land", "provenance"];

pub(crate) fn read_sources(file: &TextFile, drivers: &[Driver]) -> Result<Vec<Source>> {
    let table = Table::read(file, SOURCES_COLUMNS, SOURCES_OPTIONAL)?;
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
        let source = source_of(&row, id, drivers)?;
        let (id, kind, unit) = (&source.id, source.kind, source.activity_unit.as_str());
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
        check_nesting(&row, &paths, kind, &source.sector)?;
        paths.push((kind, source.sector.clone(), row.line()));
        sources.push(source);
    }
    if sources.is_empty() {
        return Err(file.error("no sources are defined").into());
    }
    link_land(&mut sources, on_land)?;
    Ok(sources)
}

/// One row of `sources.csv` as a source, every value checked (not yet its land category).
fn source_of(row: &Row, id: String, drivers: &[Driver]) -> Result<Source> {
    let sector = row.required_str("sector")?.to_string();
    if sector
        .split('|')
        .any(|p| p.trim().is_empty() || p.trim() != p)
    {
        return Err(row
            .error(
                "sector",
                format!("sector path `{sector}` has an empty or padded part"),
            )
            .hint(
                "write parts joined by `|` with no spaces around them, e.g. `Transport|Road|Buses`",
            )
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
            row,
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
    let sector_fi = sector_fi(row, &sector)?;
    Ok(Source {
        id,
        name: row.required_str("name")?.to_string(),
        name_fi: name_fi(row)?,
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
    })
}

/// Refuses a sector path that nests in another of the same kind (one a prefix of the other):
/// every aggregate must be the sum of its children.
fn check_nesting(
    row: &Row,
    paths: &[(SourceKind, String, usize)],
    kind: SourceKind,
    sector: &str,
) -> Result<()> {
    for (k, p, line) in paths {
        if *k != kind || *p == sector {
            continue;
        }
        let (short, long) = if p.len() < sector.len() {
            (p.as_str(), sector)
        } else {
            (sector, p.as_str())
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
    Ok(())
}

/// Links each source that lies on a land category to it, and refuses one larger than its
/// category.
fn link_land(sources: &mut [Source], on_land: Vec<(usize, String, Row)>) -> Result<()> {
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
    Ok(())
}

/// The largest net flux per unit of a sink or land category, t CO2e (far above any real
/// hectare's: cultivated peat emits ~30 t CO2e/ha a year).
pub const MAX_FLUX_PER_UNIT: f64 = 1000.0;
