//! `region.toml`: name, years, accounting, the target, milestones, the carbon budget, the land
//! area and land left uncounted.

use serde::Deserialize;

use crate::data::*;
use crate::error::{Error, Result, did_you_mean};
use crate::input::TextFile;

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegionToml {
    pub(crate) name: String,
    pub(crate) code: String,
    pub(crate) base_year: i32,
    pub(crate) end_year: i32,
    pub(crate) accounting: Option<String>,
    pub(crate) boundary: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) land_area_ha: Option<f64>,
    #[serde(default)]
    pub(crate) count_ets_removals: bool,
    /// Land categories left out of net emissions, each with its reason.
    #[serde(default)]
    pub(crate) uncounted_land: Vec<UncountedLandToml>,
    /// Language of charts, report and printed tables (`--lang` overrides it).
    pub(crate) lang: Option<crate::lang::Lang>,
    pub(crate) target: TargetToml,
    #[serde(default)]
    pub(crate) milestones: Vec<MilestoneToml>,
    pub(crate) budget: Option<BudgetToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BudgetToml {
    pub(crate) from_year: i32,
    pub(crate) kt: f64,
    pub(crate) counts: String,
    pub(crate) source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UncountedLandToml {
    /// A `land` source's id.
    pub(crate) source: String,
    /// Why the accounting leaves it out.
    pub(crate) reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MilestoneToml {
    pub(crate) year: i32,
    pub(crate) max_gross_kt: Option<f64>,
    pub(crate) reduction: Option<f64>,
    pub(crate) reference_year: Option<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TargetToml {
    pub(crate) year: i32,
    pub(crate) reference_year: i32,
    pub(crate) reference_kt: f64,
    pub(crate) max_gross_fraction: Option<f64>,
    #[serde(default)]
    pub(crate) net_zero: bool,
}

/// The longest region name or code, in characters (it is repeated on every results row).
pub const MAX_REGION_NAME_CHARS: usize = 200;

pub(crate) fn check_region_toml(file: &TextFile, rt: &RegionToml) -> Result<Target> {
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
pub(crate) fn check_land_area(
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
pub(crate) fn leave_out_land(
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
pub(crate) fn read_milestones(
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
pub(crate) fn read_budget(file: &TextFile, rt: &RegionToml) -> Result<Option<Budget>> {
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
