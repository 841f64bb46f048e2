//! Resolving a scenario's names against a region and laying out the dense arrays.

use std::ops::Range;

use super::*;
use crate::data::{CarrierKind, Region, SourceKind, mix_order};
use crate::error::{InputError, Result, did_you_mean, name_list};
use crate::scenario::{Adoption, Located, MeasureSpec, Scenario, ValueSpec};

/// Whether `id` matches `pattern`, where `*` matches any run of characters (dots included).
///
/// ```
/// use kymsim::model::glob_match;
/// assert!(glob_match("transport.road.*", "transport.road.cars"));
/// assert!(glob_match("*.cars", "transport.road.cars"));
/// assert!(!glob_match("transport.rail", "transport.road.cars"));
/// ```
pub fn glob_match(pattern: &str, id: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == id;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !id.starts_with(first) || id.len() < first.len() + last.len() || !id.ends_with(last) {
        return false;
    }
    let mut rest = &id[first.len()..id.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

struct Builder<'a> {
    region: &'a Region,
    ny: usize,
    params: Vec<Param>,
}

/// The largest magnitude of any scenario value (removals in kt, costs in €/t, factors, years):
/// far above any real value, far below where sums of them overflow.
pub const MAX_MAGNITUDE: f64 = 1e6;

/// The probabilities at which a distribution's extremes are checked against the limits (the
/// samplers draw no closer to 0 or 1 in practice).
const EXTREME_P: f64 = 1e-12;

/// The gentlest logistic adoption curve: below it the curve's normalisation 0/0s.
pub const MIN_LOGISTIC_K: f64 = 0.01;

impl Builder<'_> {
    /// Adds a parameter after checking it lies within `bounds`.
    fn param(
        &mut self,
        name: String,
        spec: &ValueSpec,
        bounds: (f64, f64),
        err: impl Fn(String) -> InputError,
    ) -> Result<usize> {
        let (lo, hi) = bounds;
        if let ValueSpec::Dist(d) = spec {
            d.check().map_err(&err)?;
        }
        let central = spec.central();
        if !central.is_finite() || central < lo || central > hi {
            return Err(err(format!(
                "`{name}` = {central} is outside its range {}",
                range_text(lo, hi)
            ))
            .into());
        }
        let (q_lo, q_hi) = match spec {
            ValueSpec::Dist(d) => (d.quantile(EXTREME_P), d.quantile(1.0 - EXTREME_P)),
            ValueSpec::Fixed(v) => (*v, *v),
        };
        for x in [central, q_lo, q_hi] {
            if !(x.is_finite() && x.abs() <= MAX_MAGNITUDE) {
                return Err(err(format!(
                    "`{name}` can reach {x:e}, beyond the limit of ±{MAX_MAGNITUDE:e} on any value"
                ))
                .hint("check the unit and the distribution's spread (a lognormal `sigma` of a few units already spans many orders of magnitude)")
                .into());
            }
        }
        let (slo, shi) = spec.support();
        let clamped_normal_ok = match spec {
            ValueSpec::Dist(crate::scenario::Dist::Normal { mean, sd, .. }) => {
                mean - 5.0 * sd >= lo.max(slo) - 1e-12 && mean + 5.0 * sd <= hi.min(shi) + 1e-12
            }
            _ => false,
        };
        if (slo < lo || shi > hi) && !clamped_normal_ok {
            return Err(err(format!(
                "`{name}` can take values outside its range {}",
                range_text(lo, hi)
            ))
            .hint("keep the distribution within the range (truncate a normal or lognormal with `min`/`max`)")
            .into());
        }
        self.params.push(Param {
            name,
            spec: spec.clone(),
            central,
            bounds,
        });
        Ok(self.params.len() - 1)
    }
}

fn range_text(lo: f64, hi: f64) -> String {
    let f = |x: f64| {
        if x == f64::INFINITY {
            "∞".to_string()
        } else if x == f64::NEG_INFINITY {
            "−∞".to_string()
        } else {
            x.to_string()
        }
    };
    format!("[{}, {}]", f(lo), f(hi))
}

/// Resolves the measure's targets against `ids` (globs allowed); errors name the bad target.
fn resolve_targets<'a>(
    m: &Located<MeasureSpec>,
    ids: impl Iterator<Item = &'a str> + Clone,
    what: &str,
) -> Result<Vec<(usize, bool)>> {
    let spec = &m.item;
    if spec.targets.is_empty() {
        return Err(m
            .error(format!("measure `{}` has no `targets`", spec.id.get_ref()))
            .hint(format!(
                "list the {what} ids it acts on, e.g. targets = [\"…\"]"
            ))
            .into());
    }
    let mut out: Vec<(usize, bool)> = Vec::new();
    for t in &spec.targets {
        let pat = t.get_ref();
        let is_glob = pat.contains('*');
        let mut found = false;
        for (i, id) in ids.clone().enumerate() {
            if glob_match(pat, id) {
                found = true;
                if !out.iter().any(|(j, _)| *j == i) {
                    out.push((i, is_glob));
                }
            }
        }
        if !found {
            let hint = did_you_mean(pat, ids.clone())
                .unwrap_or_else(|| format!("known {what}s: {}", name_list(ids.clone())));
            let msg = if is_glob {
                format!(
                    "target `{pat}` of measure `{}` matches no {what}",
                    spec.id.get_ref()
                )
            } else {
                format!("unknown {what} `{pat}` in measure `{}`", spec.id.get_ref())
            };
            return Err(m.error_at(&t.span(), msg).hint(hint).into());
        }
    }
    Ok(out)
}

fn carrier_ref(m: &Located<MeasureSpec>, field: &str, region: &Region) -> Result<usize> {
    let spec = &m.item;
    let value = match field {
        "from" => &spec.from,
        _ => &spec.to,
    };
    let Some(v) = value else {
        return Err(m
            .error(format!(
                "measure `{}` ({}) needs `{field}`",
                spec.id.get_ref(),
                spec.kind.as_str()
            ))
            .hint("name the carrier, e.g. from = \"diesel\", to = \"electricity\"")
            .into());
    };
    region.carrier_index(v.get_ref()).ok_or_else(|| {
        let ids = region.carriers.iter().map(|c| c.id.as_str());
        m.error_at(
            &v.span(),
            format!(
                "unknown carrier `{}` in measure `{}`",
                v.get_ref(),
                spec.id.get_ref()
            ),
        )
        .hint(
            did_you_mean(v.get_ref(), ids.clone())
                .unwrap_or_else(|| format!("known carriers: {}", name_list(ids))),
        )
        .into()
    })
}

fn reject_field<T>(
    m: &Located<MeasureSpec>,
    field: &Option<toml::Spanned<T>>,
    name: &str,
) -> Result<()> {
    if let Some(f) = field {
        return Err(m
            .error_at(
                &f.span(),
                format!(
                    "`{name}` does not apply to a `{}` measure",
                    m.item.kind.as_str()
                ),
            )
            .hint("remove it; see docs/scenario-format.md for the keys of each measure kind")
            .into());
    }
    Ok(())
}

/// The most measures a scenario may have (attribution cost grows with their number).
pub const MAX_MEASURES: usize = 500;

/// Compiles `scenario` against `region` into a [`Model`].
pub fn compile(region: &Region, scenario: &Scenario) -> Result<Model> {
    if scenario.measures.len() > MAX_MEASURES {
        let m = &scenario.measures[MAX_MEASURES];
        return Err(m
            .error(format!(
                "scenario `{}` has {} measures; at most {MAX_MEASURES} are allowed",
                scenario.name,
                scenario.measures.len()
            ))
            .hint("group similar measures into one measure with several targets")
            .into());
    }
    // removals at ETS installations: checked, then left out when the accounting does not count them
    let mut excluded = Vec::new();
    for m in &scenario.measures {
        if let Some(ets) = &m.item.ets
            && m.item.kind != MeasureKind::Removal
        {
            return Err(m
                .error_at(
                    &ets.span(),
                    format!(
                        "`ets` does not apply to a `{}` measure",
                        m.item.kind.as_str()
                    ),
                )
                .hint("`ets = true` marks a `removal` captured at an installation in the EU ETS")
                .into());
        }
        if m.item.ets.as_ref().is_some_and(|e| *e.get_ref()) && !region.count_ets_removals {
            let id = m.item.id.get_ref().clone();
            excluded.push(ExcludedMeasure {
                name: m.item.name.clone().unwrap_or_else(|| id.clone()),
                id,
                reason: format!(
                    "a removal at an EU ETS installation, whose emissions the {} accounting leaves out (region.toml `count_ets_removals = false`)",
                    region.accounting.as_deref().unwrap_or("region's")
                ),
            });
        }
    }
    let filtered;
    let scenario = if excluded.is_empty() {
        scenario
    } else {
        let mut s = scenario.clone();
        s.measures
            .retain(|m| !excluded.iter().any(|e| e.id == *m.item.id.get_ref()));
        filtered = s;
        &filtered
    };
    let ny = region.n_years();
    let base = region.base_year;
    let mut b = Builder {
        region,
        ny,
        params: Vec::new(),
    };
    let ns = region.sources.len();
    let nc = region.carriers.len();

    // ---- drivers
    let mut drivers: Vec<DriverPlan> = region
        .drivers
        .iter()
        .map(|d| DriverPlan {
            id: d.id.clone(),
            path: (0..ny)
                .map(|i| d.trajectory.at((base + i as i32) as f64))
                .collect(),
            growth: None,
            factors: Vec::new(),
        })
        .collect();
    for (id, o) in &scenario.drivers {
        let Some(di) = region.driver_index(id) else {
            let ids = region.drivers.iter().map(|d| d.id.as_str());
            return Err(o
                .error(format!("unknown driver `{id}`"))
                .hint(
                    did_you_mean(id, ids.clone())
                        .unwrap_or_else(|| format!("known drivers: {}", name_list(ids))),
                )
                .into());
        };
        match (&o.item.points, &o.item.growth) {
            (Some(points), None) => {
                let mut pts: Vec<(i32, f64)> = Vec::new();
                for (k, v) in points {
                    let year = parse_year(k).ok_or_else(|| {
                        o.error(format!("driver `{id}` point `{k}` is not a year"))
                    })?;
                    if !(v.is_finite() && *v > 0.0) {
                        return Err(o
                            .error(format!(
                                "driver `{id}` value {v} in {year} must be positive"
                            ))
                            .into());
                    }
                    pts.push((year, *v));
                }
                pts.sort_by_key(|p| p.0);
                let first = pts[0].0;
                let data = &region.drivers[di].trajectory;
                let mut all: Vec<(i32, f64)> = data
                    .points()
                    .iter()
                    .copied()
                    .filter(|p| p.0 < first)
                    .collect();
                all.extend(pts);
                let traj = crate::data::Trajectory::new(all);
                drivers[di].path = (0..ny).map(|i| traj.at((base + i as i32) as f64)).collect();
            }
            (None, Some(g)) => {
                let p = b.param(
                    format!("driver.{id}.growth"),
                    g.get_ref(),
                    (-0.5, 0.5),
                    |msg| o.error_at(&g.span(), msg),
                )?;
                drivers[di].growth = Some(p);
            }
            _ => {
                return Err(o
                    .error(format!(
                        "driver override `{id}` needs exactly one of `points` or `growth`"
                    ))
                    .hint("points = { 2030 = 150000 } or growth = -0.005")
                    .into());
            }
        }
    }

    // ---- uncertainties (factors)
    let mut source_factors = Vec::new();
    let mut split_groups: Vec<SplitGroup> = Vec::new();
    let mut carrier_factors = Vec::new();
    for (ui, u) in scenario.uncertainties.iter().enumerate() {
        let target = u.item.target.get_ref();
        let tspan = u.item.target.span();
        let pname = format!(
            "uncertainty.{}",
            u.item
                .id
                .clone()
                .unwrap_or_else(|| format!("{}#{}", target, ui + 1))
        );
        let parts: Vec<&str> = target.split(':').collect();
        let bad = |msg: String| -> crate::error::Error {
            u.error_at(&tspan, msg)
                .hint("use `source:<glob>:activity|intensity|direct_ef`, `carrier:<glob>:ef`, `driver:<id>` or `split:<group>`")
                .into()
        };
        let fspan = u.item.factor.span();
        let param_in = |b: &mut Builder, bounds: (f64, f64)| {
            b.param(pname.clone(), u.item.factor.get_ref(), bounds, |msg| {
                u.error_at(&fspan, msg)
            })
        };
        let param = |b: &mut Builder| param_in(b, (0.0, f64::INFINITY));
        match parts.as_slice() {
            ["source", glob, field] => {
                let field = match *field {
                    "activity" => Field::Activity,
                    "intensity" => Field::Intensity,
                    "direct_ef" => Field::DirectEf,
                    other => {
                        return Err(bad(format!(
                            "unknown source field `{other}` in uncertainty target `{target}`"
                        )));
                    }
                };
                let matched: Vec<usize> = (0..ns)
                    .filter(|&s| glob_match(glob, &region.sources[s].id))
                    .collect();
                if matched.is_empty() {
                    let ids = region.sources.iter().map(|s| s.id.as_str());
                    return Err(u
                        .error_at(
                            &tspan,
                            format!("uncertainty target `{target}` matches no source"),
                        )
                        .hint(
                            did_you_mean(glob, ids.clone())
                                .unwrap_or_else(|| format!("known sources: {}", name_list(ids))),
                        )
                        .into());
                }
                if let Some(group) = &u.item.split {
                    let name = group.get_ref();
                    if !is_split_name(name) {
                        return Err(u
                            .error_at(&group.span(), format!("split group `{name}` is not a valid name"))
                            .hint("a name of lower-case letters, digits and `_`, e.g. split = \"inventory\"")
                            .into());
                    }
                    if let Some(&s) = matched
                        .iter()
                        .find(|&&s| region.sources[s].kind != SourceKind::Emission)
                    {
                        return Err(u
                            .error_at(&group.span(), format!("split group `{name}` would hold sink `{}`", region.sources[s].id))
                            .hint("a split group holds emission sources: it keeps their base-year total")
                            .into());
                    }
                    for &s in &matched {
                        if let Some(other) = split_groups
                            .iter()
                            .find(|g| g.name != *name && g.members.contains(&s))
                        {
                            return Err(u
                                .error_at(
                                    &group.span(),
                                    format!(
                                        "source `{}` is already in split group `{}`",
                                        region.sources[s].id, other.name
                                    ),
                                )
                                .hint("a source belongs to one split group")
                                .into());
                        }
                    }
                    let g = match split_groups.iter().position(|g| g.name == *name) {
                        Some(g) => g,
                        None => {
                            split_groups.push(SplitGroup {
                                name: name.clone(),
                                members: Vec::new(),
                                total_factor: None,
                            });
                            split_groups.len() - 1
                        }
                    };
                    for &s in &matched {
                        if !split_groups[g].members.contains(&s) {
                            split_groups[g].members.push(s);
                        }
                    }
                }
                // a sink's net flux per unit may change sign (a forest can turn into a source):
                // factors on sinks' direct_ef may be negative
                let sinks_only = matched
                    .iter()
                    .all(|&s| region.sources[s].kind == SourceKind::Removal);
                let p = if field == Field::DirectEf && sinks_only {
                    param_in(&mut b, (-10.0, 10.0))?
                } else {
                    param(&mut b)?
                };
                source_factors.extend(matched.into_iter().map(|s| (field, s, p)));
            }
            ["carrier", glob, "ef"] if u.item.split.is_none() => {
                let matched: Vec<usize> = (0..nc)
                    .filter(|&c| {
                        glob_match(glob, &region.carriers[c].id)
                            && region.carriers[c].kind == CarrierKind::Fuel
                    })
                    .collect();
                if matched.is_empty() {
                    return Err(bad(format!(
                        "uncertainty target `{target}` matches no fuel carrier"
                    )));
                }
                let p = param(&mut b)?;
                carrier_factors.extend(matched.into_iter().map(|c| (c, p)));
            }
            ["driver", id] if u.item.split.is_none() => {
                let Some(d) = region.driver_index(id) else {
                    let ids = region.drivers.iter().map(|d| d.id.as_str());
                    return Err(u
                        .error_at(
                            &tspan,
                            format!("unknown driver `{id}` in uncertainty target"),
                        )
                        .hint(
                            did_you_mean(id, ids.clone())
                                .unwrap_or_else(|| format!("known drivers: {}", name_list(ids))),
                        )
                        .into());
                };
                let p = param(&mut b)?;
                drivers[d].factors.push(p);
            }
            ["split", name] if u.item.split.is_none() => {
                let Some(g) = split_groups.iter().position(|g| g.name == *name) else {
                    return Err(u
                        .error_at(&tspan, format!("no split group `{name}` is defined before this factor"))
                        .hint("mark source factors with `split = \"<name>\"` first; `split:<name>` then scales that group's base-year total")
                        .into());
                };
                if split_groups[g].total_factor.is_some() {
                    return Err(bad(format!(
                        "split group `{name}` already has a total factor"
                    )));
                }
                split_groups[g].total_factor = Some(param(&mut b)?);
            }
            ["carrier" | "driver" | "split", ..] if let Some(g) = &u.item.split => {
                return Err(u
                    .error_at(&g.span(), "`split` applies to `source:` targets only")
                    .hint("a split group rescales sources; remove `split` from this factor")
                    .into());
            }
            _ => return Err(bad(format!("cannot read uncertainty target `{target}`"))),
        }
    }

    // ---- measures
    let source_ids = || region.sources.iter().map(|s| s.id.as_str());
    let mut measures: Vec<MeasureInfo> = Vec::new();
    let mut mult_ops = Vec::new();
    let mut carrier_ops = Vec::new();
    let mut removal_ops = Vec::new();
    let mut removal_sectors: Vec<(String, usize)> = Vec::new();
    // slots per source: base mix first, then carriers added by switches
    let mut slots: Vec<Vec<(usize, f64)>> = vec![Vec::new(); ns];
    for e in &region.energy_mix {
        slots[e.source].push((e.carrier, e.share));
    }
    // pending switches in (source, from carrier, to carrier) terms
    let mut pending_fuel: Vec<(usize, usize, usize, usize, usize, Option<usize>)> = Vec::new();
    // mix components per mix carrier
    let mut mixcomp: Vec<Vec<(usize, f64, f64)>> = vec![Vec::new(); nc];
    for m in &region.carrier_mix {
        mixcomp[m.carrier].push((m.component, m.share, m.input_per_output));
    }
    let mut pending_mix: Vec<(usize, usize, usize, usize, usize)> = Vec::new();

    // each measure is checked even after an error in another, so a file's errors come at once
    let mut errors = crate::error::Errors::default();
    for (mi, m) in scenario.measures.iter().enumerate() {
        let one = (|| -> Result<()> {
            let spec = &m.item;
            let id = spec.id.get_ref().clone();
            let vspan = spec.value.span();
            let kind = spec.kind;
            let value_bounds = if kind == MeasureKind::Removal {
                (0.0, f64::INFINITY)
            } else {
                (0.0, 1.0)
            };
            let value = b.param(
                format!("measure.{id}.value"),
                spec.value.get_ref(),
                value_bounds,
                |msg| {
                    let e = m.error_at(&vspan, msg);
                    if kind == MeasureKind::Removal {
                        e.hint("a removal's value is kt CO2e per year, ≥ 0")
                    } else {
                        e.hint("this kind's value is a fraction between 0 and 1")
                    }
                },
            )?;
            let cost = match &spec.cost_eur_per_t {
                Some(c) => Some(b.param(
                    format!("measure.{id}.cost"),
                    c.get_ref(),
                    (f64::NEG_INFINITY, f64::INFINITY),
                    |msg| m.error_at(&c.span(), msg),
                )?),
                None => None,
            };
            // adoption
            let aspan = spec.adoption.span();
            let (curve, full) = match spec.adoption.get_ref() {
                Adoption::Linear { start, full } | Adoption::Logistic { start, full, .. } => {
                    if !(1800..=2300).contains(start) {
                        return Err(m
                            .error_at(
                                &aspan,
                                format!("adoption start {start} is outside 1800–2300"),
                            )
                            .into());
                    }
                    let k = match spec.adoption.get_ref() {
                        Adoption::Logistic { k, .. } => Some(k.unwrap_or(8.0)),
                        _ => None,
                    };
                    if let Some(k) = k
                        && !(k.is_finite() && (MIN_LOGISTIC_K..=100.0).contains(&k))
                    {
                        return Err(m
                            .error_at(
                                &aspan,
                                format!(
                                    "logistic steepness k = {k} must be in [{MIN_LOGISTIC_K}, 100]"
                                ),
                            )
                            .into());
                    }
                    let p = b.param(
                        format!("measure.{id}.full"),
                        full,
                        (*start as f64 + 1e-9, 2300.0),
                        |msg| {
                            m.error_at(&aspan, msg)
                                .hint("`full` must come after `start`")
                        },
                    )?;
                    let curve = match k {
                        Some(k) => Curve::Logistic {
                            start: *start as f64,
                            k,
                        },
                        None => Curve::Linear {
                            start: *start as f64,
                        },
                    };
                    (curve, Some(p))
                }
                Adoption::Step { year } => {
                    if !(1800..=2300).contains(year) {
                        return Err(m
                            .error_at(&aspan, format!("adoption year {year} is outside 1800–2300"))
                            .into());
                    }
                    (Curve::Step { year: *year as f64 }, None)
                }
                Adoption::Table { points } => {
                    if points.is_empty() {
                        return Err(m
                            .error_at(&aspan, "an adoption table needs at least one point")
                            .into());
                    }
                    let mut pts = Vec::new();
                    for (k, v) in points {
                        let year = parse_year(k).ok_or_else(|| {
                            m.error_at(&aspan, format!("adoption point `{k}` is not a year"))
                        })?;
                        if !(0.0..=1.0).contains(v) {
                            return Err(m
                                .error_at(&aspan, format!("adoption {v} in {year} is outside 0…1"))
                                .hint("adoption points are fractions of the measure's full effect")
                                .into());
                        }
                        pts.push((year, *v));
                    }
                    pts.sort_by_key(|p| p.0);
                    (Curve::Table { points: pts }, None)
                }
            };

            let targets_text = match kind {
                MeasureKind::Activity
                | MeasureKind::Efficiency
                | MeasureKind::Process
                | MeasureKind::Capture => {
                    reject_field(m, &spec.from, "from")?;
                    reject_field(m, &spec.to, "to")?;
                    reject_field(m, &spec.energy_ratio, "energy_ratio")?;
                    reject_field(m, &spec.sector, "sector")?;
                    reject_field(m, &spec.input_per_output, "input_per_output")?;
                    let field = match kind {
                        MeasureKind::Activity => Field::Activity,
                        MeasureKind::Efficiency => Field::Intensity,
                        MeasureKind::Process => Field::DirectEf,
                        _ => Field::Capture,
                    };
                    let targets = resolve_targets(m, source_ids(), "source")?;
                    for &(s, _) in &targets {
                        let removal = region.sources[s].kind == SourceKind::Removal;
                        if removal && matches!(field, Field::Intensity | Field::Capture) {
                            return Err(m
                            .error(format!("`{}` measure `{id}` targets removal source `{}`", kind.as_str(), region.sources[s].id))
                            .hint("efficiency and capture act on emission sources; use `activity` or `process` on a sink")
                            .into());
                        }
                        mult_ops.push(MultOp {
                            field,
                            source: s,
                            measure: mi,
                            value,
                        });
                    }
                    targets
                        .iter()
                        .map(|&(s, _)| region.sources[s].id.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                }
                MeasureKind::FuelSwitch => {
                    reject_field(m, &spec.sector, "sector")?;
                    reject_field(m, &spec.input_per_output, "input_per_output")?;
                    let from = carrier_ref(m, "from", region)?;
                    let to = carrier_ref(m, "to", region)?;
                    if from == to {
                        return Err(m
                            .error(format!(
                                "measure `{id}` switches `{}` to itself",
                                region.carriers[from].id
                            ))
                            .into());
                    }
                    let ratio = match &spec.energy_ratio {
                    Some(r) => Some(b.param(format!("measure.{id}.energy_ratio"), r.get_ref(), (1e-6, 10.0), |msg| {
                        m.error_at(&r.span(), msg).hint("MWh of `to` per MWh of `from` replaced, e.g. 0.33 for electric cars")
                    })?),
                    None => None,
                };
                    let targets = resolve_targets(m, source_ids(), "source")?;
                    let mut applied = Vec::new();
                    for &(s, is_glob) in &targets {
                        if region.sources[s].intensity == 0.0 {
                            if is_glob {
                                continue;
                            }
                            return Err(m
                                .error(format!(
                                    "measure `{id}` switches fuel in `{}`, which uses no energy",
                                    region.sources[s].id
                                ))
                                .into());
                        }
                        if !slots[s].iter().any(|(c, _)| *c == from) {
                            if is_glob {
                                continue;
                            }
                            return Err(m
                            .error(format!(
                                "source `{}` does not use `{}`, so measure `{id}` cannot switch it",
                                region.sources[s].id, region.carriers[from].id
                            ))
                            .hint(format!(
                                "its carriers: {}",
                                name_list(
                                    slots[s]
                                        .iter()
                                        .map(|(c, _)| region.carriers[*c].id.as_str())
                                )
                            ))
                            .into());
                        }
                        if !slots[s].iter().any(|(c, _)| *c == to) {
                            slots[s].push((to, 0.0));
                        }
                        pending_fuel.push((s, from, to, mi, value, ratio));
                        applied.push(region.sources[s].id.as_str());
                    }
                    if applied.is_empty() {
                        return Err(m
                            .error(format!(
                                "no target of measure `{id}` uses `{}`",
                                region.carriers[from].id
                            ))
                            .hint("check `from` and `targets`")
                            .into());
                    }
                    applied.join(",")
                }
                MeasureKind::CarrierEf => {
                    reject_field(m, &spec.from, "from")?;
                    reject_field(m, &spec.to, "to")?;
                    reject_field(m, &spec.energy_ratio, "energy_ratio")?;
                    reject_field(m, &spec.sector, "sector")?;
                    reject_field(m, &spec.input_per_output, "input_per_output")?;
                    let targets = resolve_targets(
                        m,
                        region.carriers.iter().map(|c| c.id.as_str()),
                        "carrier",
                    )?;
                    for &(c, _) in &targets {
                        if region.carriers[c].kind.is_composite() {
                            return Err(m
                            .error(format!("`carrier_ef` measure `{id}` targets mix or blend carrier `{}`", region.carriers[c].id))
                            .hint("change a mix or blend through its components: use `mix_switch`, or `carrier_ef` on a component")
                            .into());
                        }
                        carrier_ops.push((c, mi, value));
                    }
                    targets
                        .iter()
                        .map(|&(c, _)| region.carriers[c].id.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                }
                MeasureKind::MixSwitch => {
                    reject_field(m, &spec.energy_ratio, "energy_ratio")?;
                    reject_field(m, &spec.sector, "sector")?;
                    let from = carrier_ref(m, "from", region)?;
                    let to = carrier_ref(m, "to", region)?;
                    let targets = resolve_targets(
                        m,
                        region.carriers.iter().map(|c| c.id.as_str()),
                        "carrier",
                    )?;
                    for &(c, _) in &targets {
                        if !region.carriers[c].kind.is_composite() {
                            return Err(m
                            .error(format!("`mix_switch` measure `{id}` targets fuel carrier `{}`", region.carriers[c].id))
                            .hint("mix_switch changes the components of a `mix` carrier such as district heat or of a `blend` such as petrol")
                            .into());
                        }
                        let blend = region.carriers[c].kind == CarrierKind::Blend;
                        if blend && region.carriers[to].kind != CarrierKind::Fuel {
                            return Err(m
                                .error(format!(
                                    "blend `{}` can only hold fuels; `{}` is a mix or blend",
                                    region.carriers[c].id, region.carriers[to].id
                                ))
                                .into());
                        }
                        if !mixcomp[c].iter().any(|x| x.0 == from) {
                            return Err(m
                                .error(format!(
                                    "`{}` is not a component of `{}`",
                                    region.carriers[from].id, region.carriers[c].id
                                ))
                                .hint(format!(
                                    "its components: {}",
                                    name_list(
                                        mixcomp[c].iter().map(|x| region.carriers[x.0].id.as_str())
                                    )
                                ))
                                .into());
                        }
                        if to == c {
                            return Err(m
                                .error("a mix carrier cannot be its own component")
                                .into());
                        }
                        if blend
                            && let Some(ipo) = &spec.input_per_output
                            && *ipo.get_ref() != 1.0
                        {
                            return Err(m
                                .error_at(
                                    &ipo.span(),
                                    format!("input_per_output {} in blend `{}`", ipo.get_ref(), region.carriers[c].id),
                                )
                                .hint("a blend's components are its final energy: leave input_per_output out or 1")
                                .into());
                        }
                        if blend && !mixcomp[c].iter().any(|x| x.0 == to) {
                            mixcomp[c].push((to, 0.0, 1.0));
                        }
                        if !mixcomp[c].iter().any(|x| x.0 == to) {
                            let Some(ipo) = &spec.input_per_output else {
                                return Err(m
                                .error(format!(
                                    "`{}` is not yet in the mix of `{}`: measure `{id}` needs `input_per_output`",
                                    region.carriers[to].id, region.carriers[c].id
                                ))
                                .hint("MWh of the new component per MWh of the mix, e.g. 0.33 for heat pumps")
                                .into());
                            };
                            let v = *ipo.get_ref();
                            if !(v > 0.0 && v <= 100.0) {
                                return Err(m
                                    .error_at(
                                        &ipo.span(),
                                        format!("input_per_output {v} must be in (0, 100]"),
                                    )
                                    .into());
                            }
                            mixcomp[c].push((to, 0.0, v));
                        }
                        pending_mix.push((c, from, to, mi, value));
                    }
                    targets
                        .iter()
                        .map(|&(c, _)| region.carriers[c].id.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                }
                MeasureKind::Removal => {
                    reject_field(m, &spec.from, "from")?;
                    reject_field(m, &spec.to, "to")?;
                    reject_field(m, &spec.energy_ratio, "energy_ratio")?;
                    reject_field(m, &spec.input_per_output, "input_per_output")?;
                    if let Some(t) = spec.targets.first() {
                        return Err(m
                            .error_at(&t.span(), "a `removal` measure has no `targets`")
                            .hint("it adds its own sink; name its IAMC path with `sector`")
                            .into());
                    }
                    let Some(sector) = &spec.sector else {
                        return Err(m
                            .error(format!("removal measure `{id}` needs a `sector`"))
                            .hint("the IAMC path under `Carbon Removal|`, e.g. sector = \"BECCS\"")
                            .into());
                    };
                    let s = sector.get_ref();
                    if s.is_empty() || s.split('|').any(|p| p.trim().is_empty() || p.trim() != p) {
                        return Err(m
                            .error_at(
                                &sector.span(),
                                format!("sector path `{s}` has an empty or padded part"),
                            )
                            .into());
                    }
                    removal_sectors.push((s.clone(), mi));
                    removal_ops.push((mi, value));
                    format!("Carbon Removal|{s}")
                }
            };
            measures.push(MeasureInfo {
                id: id.clone(),
                name: spec.name.clone().unwrap_or_else(|| id.clone()),
                description: spec.description.clone().unwrap_or_default(),
                pillar: spec.pillar,
                kind,
                targets: targets_text,
                value,
                cost,
                curve,
                full,
                file: m.file.name.clone(),
            });
            Ok(())
        })();
        if !errors.keep(one) {
            break;
        }
    }
    errors.finish()?;

    // removal paths must not nest with each other or with removal sources
    let mut removal_paths: Vec<(String, String)> = region
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Removal)
        .map(|s| (s.sector.clone(), format!("source `{}`", s.id)))
        .collect();
    for (s, mi) in &removal_sectors {
        for (p, owner) in &removal_paths {
            if p != s && (p.starts_with(&format!("{s}|")) || s.starts_with(&format!("{p}|"))) {
                let m = &scenario.measures[*mi];
                return Err(m
                    .error(format!("removal sector `{s}` nests with `{p}` of {owner}"))
                    .hint("every aggregate must be the sum of its children: use sibling paths")
                    .into());
            }
        }
        removal_paths.push((s.clone(), format!("measure `{}`", measures[*mi].id)));
    }

    // ---- slot layout
    let mut slot_carrier = Vec::new();
    let mut slot_share = Vec::new();
    let mut source_slots: Vec<Range<usize>> = Vec::with_capacity(ns);
    for list in &slots {
        let start = slot_carrier.len();
        for &(c, sh) in list {
            slot_carrier.push(c);
            slot_share.push(sh);
        }
        source_slots.push(start..slot_carrier.len());
    }
    let slot_of = |s: usize, c: usize| -> usize {
        source_slots[s]
            .clone()
            .find(|&i| slot_carrier[i] == c)
            .expect("slot exists")
    };
    let fuel_switches = pending_fuel
        .iter()
        .map(|&(s, from, to, measure, value, ratio)| SwitchOp {
            from: slot_of(s, from),
            to: slot_of(s, to),
            measure,
            value,
            ratio,
        })
        .collect();

    // ---- mixes in dependency order
    let edges: Vec<(usize, usize)> = (0..nc)
        .flat_map(|c| mixcomp[c].iter().map(move |x| (c, x.0)))
        .collect();
    let order = mix_order(nc, edges.into_iter()).map_err(|cycle| {
        let names: Vec<&str> = cycle
            .iter()
            .map(|&i| region.carriers[i].id.as_str())
            .collect();
        let m = pending_mix.last().map(|p| &scenario.measures[p.3]);
        let msg = format!(
            "mix switches make mix carriers form a cycle: {}",
            names.join(" → ")
        );
        match m {
            Some(m) => m.error(msg),
            None => InputError::new(msg),
        }
    })?;
    let mut mixes = Vec::new();
    let mut mix_components = Vec::new();
    for &c in &order {
        if !region.carriers[c].kind.is_composite() {
            continue;
        }
        let start = mix_components.len();
        mix_components.extend(mixcomp[c].iter().copied());
        mixes.push((c, start..mix_components.len()));
    }
    let comp_row = |c: usize, k: usize| -> usize {
        let (_, r) = mixes.iter().find(|(m, _)| *m == c).expect("mix");
        r.clone()
            .find(|&i| mix_components[i].0 == k)
            .expect("component")
    };
    let mix_switches = pending_mix
        .iter()
        .map(|&(c, from, to, measure, value)| SwitchOp {
            from: comp_row(c, from),
            to: comp_row(c, to),
            measure,
            value,
            ratio: None,
        })
        .collect();
    // blend slots are reported by component: one leaf per (slot, component row)
    let mut blend_leaves = Vec::new();
    for (slot, &c) in slot_carrier.iter().enumerate() {
        if region.carriers[c].kind == CarrierKind::Blend {
            let (_, rows) = mixes.iter().find(|(m, _)| *m == c).expect("blend");
            blend_leaves.extend(rows.clone().map(|r| (slot, r)));
        }
    }

    // ---- static arrays
    let central: Vec<f64> = b.params.iter().map(|p| p.central).collect();
    let dyn_driver: Vec<bool> = drivers
        .iter()
        .map(|d| {
            d.growth.is_some_and(|p| b.params[p].is_uncertain())
                || d.factors.iter().any(|&p| b.params[p].is_uncertain())
        })
        .collect();
    let mut ratio = vec![0.0; drivers.len() * ny];
    for (d, plan) in drivers.iter().enumerate() {
        driver_ratio(plan, &central, &mut ratio[d * ny..(d + 1) * ny]);
    }
    let mut act0 = vec![0.0; ns * ny];
    let mut int0 = vec![0.0; ns * ny];
    let mut dyn_activity = Vec::new();
    let mut dyn_pow: Vec<(usize, f64)> = Vec::new();
    for (s, src) in region.sources.iter().enumerate() {
        for y in 0..ny {
            let r = src.driver.map_or(1.0, |d| ratio[d * ny + y]);
            act0[s * ny + y] = src.activity * r.powf(src.elasticity);
            int0[s * ny + y] = src.intensity * (1.0 + src.intensity_trend).powi(y as i32);
        }
        if let Some(d) = src.driver
            && dyn_driver[d]
        {
            let pair = match dyn_pow
                .iter()
                .position(|&(pd, e)| pd == d && e == src.elasticity)
            {
                Some(i) => i,
                None => {
                    dyn_pow.push((d, src.elasticity));
                    dyn_pow.len() - 1
                }
            };
            dyn_activity.push((s, pair, src.activity));
        }
    }
    let mut ef0 = vec![0.0; nc * ny];
    for (c, car) in region.carriers.iter().enumerate() {
        if let Some(t) = &car.ef {
            for y in 0..ny {
                ef0[c * ny + y] = t.at((base + y as i32) as f64);
            }
        }
    }
    let mut adoption0 = vec![0.0; measures.len() * ny];
    let mut dyn_adoption = Vec::new();
    for (mi, info) in measures.iter().enumerate() {
        let full = info.full.map_or(0.0, |p| central[p]);
        info.curve
            .fill(base, full, &mut adoption0[mi * ny..(mi + 1) * ny]);
        if info.full.is_some_and(|p| b.params[p].is_uncertain()) {
            dyn_adoption.push(mi);
        }
    }

    let variables = VariablePlan::build(
        region,
        &measures,
        &removal_ops,
        &slot_carrier,
        &source_slots,
        &blend_leaves,
        &mix_components,
    );
    let _ = b.region;
    let _ = b.ny;
    check_driver_paths(&drivers, &b.params, base)?;
    Ok(Model {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        extends: scenario.extends.clone(),
        region: region.name.clone(),
        base_year: base,
        ny,
        target: region.target.clone(),
        milestones: region.milestones.clone(),
        accounting: region.accounting.clone(),
        count_ets_removals: region.count_ets_removals,
        excluded,
        params: b.params,
        measures,
        source_ids: region.sources.iter().map(|s| s.id.clone()).collect(),
        source_is_removal: region
            .sources
            .iter()
            .map(|s| s.kind == SourceKind::Removal)
            .collect(),
        act0,
        dyn_drivers: (0..dyn_driver.len()).filter(|&d| dyn_driver[d]).collect(),
        dyn_pow,
        dyn_activity,
        int0,
        def0: region.sources.iter().map(|s| s.direct_ef).collect(),
        source_factors,
        split_groups: split_groups
            .into_iter()
            .map(|mut g| {
                g.members.sort_unstable();
                g
            })
            .collect(),
        mult_ops,
        slot_carrier,
        source_slots,
        slot_share,
        fuel_switches,
        ef0,
        carrier_factors,
        carrier_ops,
        mixes,
        mix_components,
        mix_switches,
        blend_leaves,
        removal_ops,
        drivers,
        source_driver: region.sources.iter().map(|s| s.driver).collect(),
        adoption0,
        dyn_adoption,
        n_carriers: nc,
        variables,
    })
}

fn is_split_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// Refuses drivers that go negative or non-finite: at the central values, and with each of
/// their uncertain parameters (growth, factors) at its extremes while the others stay central.
/// A driver below zero has no meaning (a negative population) and its power is NaN.
fn check_driver_paths(drivers: &[DriverPlan], params: &[Param], base: i32) -> Result<()> {
    let mut p: Vec<f64> = params.iter().map(|x| x.central).collect();
    let mut ratio = vec![0.0; drivers.first().map_or(0, |d| d.path.len())];
    for d in drivers {
        if !d.path.first().is_some_and(|&d0| d0.is_finite() && d0 > 0.0) {
            continue;
        }
        let check = |p: &[f64], ratio: &mut [f64], what: &str| -> Result<()> {
            driver_ratio(d, p, ratio);
            if let Some(y) = ratio.iter().position(|r| !(r.is_finite() && *r >= 0.0)) {
                return Err(InputError::new(format!(
                    "driver `{}` becomes {} in {} {what}",
                    d.id,
                    if ratio[y].is_finite() { "negative" } else { "not a finite number" },
                    base + y as i32,
                ))
                .hint("check the driver's values (drivers.csv, `points`) and narrow any factor or growth on it so that it stays ≥ 0 (a factor f scales the change from the base year: d₀ + f·(d − d₀))")
                .into());
            }
            Ok(())
        };
        check(&p, &mut ratio, "at the central values")?;
        for &i in d.growth.iter().chain(&d.factors) {
            let Some(dist) = params[i].spec.dist() else {
                continue;
            };
            let (lo, hi) = params[i].bounds;
            for u in [EXTREME_P, 1.0 - EXTREME_P] {
                let x = dist.quantile(u).clamp(lo, hi);
                p[i] = x;
                check(&p, &mut ratio, &format!("when `{}` = {x}", params[i].name))?;
            }
            p[i] = params[i].central;
        }
    }
    Ok(())
}

/// Fills `out[y]` = D[y]/D[base] for a driver plan at parameters `p` (DESIGN §3 driver rules).
pub fn driver_ratio(plan: &DriverPlan, p: &[f64], out: &mut [f64]) {
    let d0 = plan.path[0];
    let growth = plan.growth.map(|g| 1.0 + p[g]);
    let mut compound = 1.0;
    for (y, o) in out.iter_mut().enumerate() {
        let mut d = match growth {
            Some(g) => {
                let d = d0 * compound;
                compound *= g;
                d
            }
            None => plan.path[y],
        };
        for &f in &plan.factors {
            d = d0 + p[f] * (d - d0);
        }
        *o = d / d0;
    }
}

fn parse_year(key: &str) -> Option<i32> {
    key.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1800..=2300).contains(y))
}
