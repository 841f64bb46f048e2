//! Phase 2b: the scenario's `[[uncertainty]]` factors on sources, carriers, drivers and split
//! groups, each a parameter.

use super::*;
use crate::data::CarrierKind;

/// The uncertainty factors, by what they scale.
#[derive(Debug, Default)]
pub(super) struct Factors {
    /// Factors on source fields.
    pub source: Vec<SourceFactor>,
    /// Factors on fuel carriers' emission factors.
    pub carrier: Vec<CarrierFactor>,
    /// Split groups, members sorted.
    pub split_groups: Vec<SplitGroup>,
}

/// Reads every uncertainty: each becomes a parameter; driver factors join `drivers`.
pub(super) fn factors(
    region: &Region,
    scenario: &Scenario,
    params: &mut ParamTable,
    drivers: &mut [DriverPlan],
) -> Result<Factors> {
    let ns = region.sources.len();
    let nc = region.carriers.len();
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
        let param_in = |b: &mut ParamTable, bounds: (f64, f64)| {
            b.param(pname.clone(), u.item.factor.get_ref(), bounds, |msg| {
                u.error_at(&fspan, msg)
            })
        };
        let param = |b: &mut ParamTable| param_in(b, (0.0, f64::INFINITY));
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
                    join_split_group(region, u, group, &matched, &mut split_groups)?;
                }
                // a sink's or a land category's net flux per unit may change sign (a forest can
                // turn into a source): factors on their direct_ef may be negative
                let sinks_only = matched
                    .iter()
                    .all(|&s| region.sources[s].kind != SourceKind::Emission);
                let p = if field == Field::DirectEf && sinks_only {
                    param_in(params, (-10.0, 10.0))?
                } else {
                    param(params)?
                };
                source_factors.extend(matched.into_iter().map(|s| SourceFactor {
                    field,
                    source: SourceIx(s),
                    param: p,
                }));
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
                let p = param(params)?;
                carrier_factors.extend(matched.into_iter().map(|c| CarrierFactor {
                    carrier: CarrierIx(c),
                    param: p,
                }));
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
                let p = param(params)?;
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
                split_groups[g].total_factor = Some(param(params)?);
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

    for g in &mut split_groups {
        g.members.sort_unstable();
    }
    Ok(Factors {
        source: source_factors,
        carrier: carrier_factors,
        split_groups,
    })
}

/// Puts the emission sources a `split = "<name>"` factor selects into that split group (made
/// on first use); a sink, or a source already in another group, is refused.
fn join_split_group(
    region: &Region,
    u: &Located<crate::scenario::UncertaintySpec>,
    group: &toml::Spanned<String>,
    matched: &[usize],
    split_groups: &mut Vec<SplitGroup>,
) -> Result<()> {
    let name = group.get_ref();
    if !is_split_name(name) {
        return Err(u
            .error_at(
                &group.span(),
                format!("split group `{name}` is not a valid name"),
            )
            .hint("a name of lower-case letters, digits and `_`, e.g. split = \"inventory\"")
            .into());
    }
    if let Some(&s) = matched
        .iter()
        .find(|&&s| region.sources[s].kind != SourceKind::Emission)
    {
        return Err(u
            .error_at(
                &group.span(),
                format!(
                    "split group `{name}` would hold sink `{}`",
                    region.sources[s].id
                ),
            )
            .hint("a split group holds emission sources: it keeps their base-year total")
            .into());
    }
    for &s in matched {
        if let Some(other) = split_groups
            .iter()
            .find(|g| g.name != *name && g.members.contains(&SourceIx(s)))
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
                named_at: Box::new(u.error_at(&group.span(), "")),
            });
            split_groups.len() - 1
        }
    };
    for &s in matched {
        if !split_groups[g].members.contains(&SourceIx(s)) {
            split_groups[g].members.push(SourceIx(s));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compile::tests::{tiny, tiny_scenario};

    #[test]
    fn a_source_glob_gives_one_parameter_for_every_match() {
        let region = tiny();
        let sc = tiny_scenario(
            "[[uncertainty]]\nid = \"act\"\ntarget = \"source:*:activity\"\nfactor = { dist = \"uniform\", min = 0.9, max = 1.1 }\n\n[[uncertainty]]\ntarget = \"carrier:d*:ef\"\nfactor = 1.0\n",
        );
        let mut params = ParamTable::default();
        let mut drivers = driver_plans(&region, &sc, &mut params).unwrap();
        let f = factors(&region, &sc, &mut params, &mut drivers).unwrap();
        // `*` matches all four tiny sources: one parameter, four factors
        assert_eq!(f.source.len(), 4);
        assert!(
            f.source
                .iter()
                .all(|x| x.param == ParamIx(0) && x.field == Field::Activity)
        );
        assert_eq!(
            f.source.iter().map(|x| x.source).collect::<Vec<_>>(),
            [SourceIx(0), SourceIx(1), SourceIx(2), SourceIx(3)]
        );
        // `d*` matches diesel and the mix district_heat; only the fuel counts
        assert_eq!(
            f.carrier,
            [CarrierFactor {
                carrier: CarrierIx(0),
                param: ParamIx(1)
            }]
        );
        assert_eq!(params.params[1].name, "uncertainty.carrier:d*:ef#2");
    }

    #[test]
    fn split_group_members_are_sorted_and_a_sink_is_refused() {
        let region = tiny();
        let sc = tiny_scenario(
            "[[uncertainty]]\ntarget = \"source:heating.*:activity\"\nfactor = 1.0\nsplit = \"inventory\"\n\n[[uncertainty]]\ntarget = \"source:transport.*:activity\"\nfactor = 1.0\nsplit = \"inventory\"\n",
        );
        let mut params = ParamTable::default();
        let f = factors(&region, &sc, &mut params, &mut []).unwrap();
        assert_eq!(f.split_groups.len(), 1);
        // heating.district (1) joined first, transport.cars (0) second; sorted: 0, 1
        assert_eq!(f.split_groups[0].members, [SourceIx(0), SourceIx(1)]);
        let sc = tiny_scenario(
            "[[uncertainty]]\ntarget = \"source:lulucf.*:activity\"\nfactor = 1.0\nsplit = \"inventory\"\n",
        );
        let e = factors(&region, &sc, &mut ParamTable::default(), &mut []).unwrap_err();
        assert!(
            e.to_string().contains("would hold sink `lulucf.forest`"),
            "{e}"
        );
    }
}
