//! Phase 3: each measure in turn — resolve its targets, validate it for its kind, lay out its
//! parameters. Every measure is checked even after an error in another, so a file's errors
//! come at once.

use toml::Spanned;

use super::*;
use crate::data::CarrierKind;
use crate::scenario::Adoption;

/// A target matched by its id or by a glob (a glob may match sources a kind skips).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Matched<I> {
    /// What was matched.
    pub ix: I,
    /// Whether a glob matched it (rather than its id).
    pub by_glob: bool,
}

/// Phase 3a: a measure's names resolved to indices.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolved {
    /// activity, efficiency, process, capture.
    Sources {
        /// The source field it scales.
        field: Field,
        /// Sources matched.
        targets: Vec<Matched<SourceIx>>,
    },
    /// fuel_switch.
    FuelSwitch {
        /// Carrier moved from.
        from: CarrierIx,
        /// Carrier moved to.
        to: CarrierIx,
        /// Sources matched.
        targets: Vec<Matched<SourceIx>>,
    },
    /// carrier_ef.
    CarrierEf {
        /// Carriers matched.
        targets: Vec<Matched<CarrierIx>>,
    },
    /// mix_switch.
    MixSwitch {
        /// Component moved from.
        from: CarrierIx,
        /// Component moved to.
        to: CarrierIx,
        /// Mix carriers matched.
        targets: Vec<Matched<CarrierIx>>,
        /// MWh of `to` per MWh of the mix, when `to` is new to it.
        input_per_output: Option<Spanned<f64>>,
    },
    /// removal: no targets.
    Removal {
        /// IAMC path under `Carbon Removal|`, as written.
        sector: Spanned<String>,
    },
    /// ccs.
    Ccs {
        /// Carriers matched.
        targets: Vec<Matched<CarrierIx>>,
        /// IAMC path under `Carbon Removal|`, as written.
        sector: Spanned<String>,
    },
    /// land_use_change.
    LandUseChange {
        /// Land category the hectares leave.
        from: SourceIx,
        /// Land category they join.
        to: SourceIx,
    },
    /// land_management.
    LandManagement {
        /// Sources matched.
        targets: Vec<Matched<SourceIx>>,
        /// IAMC path under `Carbon Removal|`, as written.
        sector: Spanned<String>,
        /// Harvest drain per hectare.
        drain_per_ha: Spanned<f64>,
    },
}

/// Phase 3b: what a measure acts on, checked against the region for its kind.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Action {
    /// Scales `field` of each source.
    Sources {
        /// The source field.
        field: Field,
        /// The sources.
        sources: Vec<SourceIx>,
    },
    /// Moves energy of each source from one carrier to another.
    FuelSwitch {
        /// Carrier moved from.
        from: CarrierIx,
        /// Carrier moved to.
        to: CarrierIx,
        /// The sources that use `from` (a glob skips those that do not).
        sources: Vec<SourceIx>,
    },
    /// Scales each fuel carrier's emission factor.
    CarrierEf {
        /// The carriers.
        carriers: Vec<CarrierIx>,
    },
    /// Moves a share of each mix from one component to another.
    MixSwitch {
        /// Component moved from.
        from: CarrierIx,
        /// Component moved to.
        to: CarrierIx,
        /// The mix carriers.
        mixes: Vec<CarrierIx>,
    },
    /// Adds a sink under `Carbon Removal|<sector>`.
    Removal {
        /// IAMC path under `Carbon Removal|`.
        sector: String,
    },
    /// Captures the CO2 of fuel carriers; their captured biogenic CO2 is a removal under
    /// `Carbon Removal|<sector>`.
    Ccs {
        /// The fuels.
        carriers: Vec<CarrierIx>,
        /// IAMC path under `Carbon Removal|`.
        sector: String,
    },
    /// Moves hectares from one land category to another, with the sources on them.
    LandUseChange {
        /// Land category the hectares leave.
        from: SourceIx,
        /// Land category they join.
        to: SourceIx,
        /// Sources that lie on `from`'s hectares (their activity falls with it).
        on: Vec<SourceIx>,
    },
    /// Leaves part of the land categories' harvest drain standing: a removal under
    /// `Carbon Removal|<sector>`.
    LandManagement {
        /// The land categories.
        sources: Vec<SourceIx>,
        /// IAMC path under `Carbon Removal|`.
        sector: String,
        /// Harvest drain per hectare, t CO2/ha a year.
        drain_per_ha: f64,
    },
}

impl Action {
    /// The resolved targets as the report shows them, comma-joined.
    fn targets_text(&self, region: &Region) -> String {
        let sources = |s: &[SourceIx]| -> String {
            let ids: Vec<&str> = s.iter().map(|s| region.sources[s.0].id.as_str()).collect();
            ids.join(",")
        };
        let carriers = |c: &[CarrierIx]| -> String {
            let ids: Vec<&str> = c.iter().map(|c| region.carriers[c.0].id.as_str()).collect();
            ids.join(",")
        };
        match self {
            Action::Sources { sources: s, .. }
            | Action::FuelSwitch { sources: s, .. }
            | Action::LandManagement { sources: s, .. } => sources(s),
            Action::CarrierEf { carriers: c }
            | Action::MixSwitch { mixes: c, .. }
            | Action::Ccs { carriers: c, .. } => carriers(c),
            Action::Removal { sector } => format!("Carbon Removal|{sector}"),
            Action::LandUseChange { from, to, .. } => sources(&[*from, *to]),
        }
    }

    /// The path under `Carbon Removal|` of the removal row it adds, if any.
    pub(super) fn removal_sector(&self) -> Option<&str> {
        match self {
            Action::Removal { sector }
            | Action::Ccs { sector, .. }
            | Action::LandManagement { sector, .. } => Some(sector),
            _ => None,
        }
    }
}

/// One energy use of a source: a carrier and its base share (0 for one a switch adds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct SlotUse {
    /// Carrier.
    pub carrier: CarrierIx,
    /// Base share.
    pub share: f64,
}

/// The carriers each source uses and the components of each mix: the data's, then those the
/// switches add, in measure order. A later switch may move energy a former one brought in.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct EnergyUse {
    /// By source: its slots, base mix first.
    pub slots: Vec<Vec<SlotUse>>,
    /// By carrier: its components (empty for fuels), data first.
    pub components: Vec<Vec<MixComponent>>,
}

impl EnergyUse {
    /// The region's energy use before any measure.
    pub(super) fn of(region: &Region) -> EnergyUse {
        let mut slots = vec![Vec::new(); region.sources.len()];
        for e in &region.energy_mix {
            slots[e.source].push(SlotUse {
                carrier: CarrierIx(e.carrier),
                share: e.share,
            });
        }
        let mut components = vec![Vec::new(); region.carriers.len()];
        for m in &region.carrier_mix {
            components[m.carrier].push(MixComponent {
                carrier: CarrierIx(m.component),
                share: m.share,
                input_per_output: m.input_per_output,
            });
        }
        EnergyUse { slots, components }
    }

    fn uses(&self, s: SourceIx, c: CarrierIx) -> bool {
        self.slots[s.0].iter().any(|u| u.carrier == c)
    }

    fn has_component(&self, mix: CarrierIx, c: CarrierIx) -> bool {
        self.components[mix.0].iter().any(|x| x.carrier == c)
    }
}

/// Phase 3c: a measure's parameters and adoption curve.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MeasureParams {
    /// v.
    pub value: ParamIx,
    /// Cost per tonne.
    pub cost: Option<ParamIx>,
    /// Adoption curve.
    pub curve: Curve,
    /// Completion year (linear, logistic).
    pub full: Option<ParamIx>,
    /// fuel_switch: MWh of `to` per MWh of `from`.
    pub energy_ratio: Option<ParamIx>,
    /// land_management: the share of the drain that stays.
    pub avoided: Option<ParamIx>,
}

/// A measure through phase 3.
#[derive(Debug, Clone)]
pub(super) struct CompiledMeasure {
    /// What it acts on.
    pub action: Action,
    /// Its parameters.
    pub params: MeasureParams,
    /// What the report and charts know of it.
    pub info: MeasureInfo,
}

/// Every measure through phase 3, with the energy use the switches leave.
#[derive(Debug, Clone)]
pub(super) struct CompiledMeasures {
    /// In application order, by [`MeasureIx`].
    pub measures: Vec<CompiledMeasure>,
    /// Slots and mix components, switches' additions included.
    pub energy: EnergyUse,
}

/// Runs phase 3 on every measure, collecting errors, then checks the removal paths together.
pub(super) fn compile_measures(
    region: &Region,
    scenario: &Scenario,
    params: &mut ParamTable,
) -> Result<CompiledMeasures> {
    let mut energy = EnergyUse::of(region);
    let mut measures = Vec::with_capacity(scenario.measures.len());
    let mut errors = crate::error::Errors::default();
    for m in &scenario.measures {
        let one = resolve_targets(region, m)
            .and_then(|r| validate_kind(region, m, r, &mut energy))
            .and_then(|action| {
                let p = lay_out_params(params, m)?;
                Ok(CompiledMeasure {
                    info: MeasureInfo {
                        id: m.item.id().to_string(),
                        name: m
                            .item
                            .common
                            .name
                            .clone()
                            .unwrap_or_else(|| m.item.id().to_string()),
                        description: m.item.common.description.clone().unwrap_or_default(),
                        pillar: m.item.common.pillar,
                        kind: m.item.kind(),
                        targets: action.targets_text(region),
                        value: p.value,
                        cost: p.cost,
                        curve: p.curve.clone(),
                        full: p.full,
                        removal_sector: action.removal_sector().map(str::to_string),
                        file: m.file.name.clone(),
                    },
                    action,
                    params: p,
                })
            });
        match one {
            Ok(c) => measures.push(c),
            Err(e) => {
                if !errors.keep(Err::<(), _>(e)) {
                    break;
                }
            }
        }
    }
    errors.finish()?;
    check_removal_paths(region, scenario, &measures)?;
    Ok(CompiledMeasures { measures, energy })
}

/// Phase 3a: resolves the measure's targets and carriers; errors name the bad name.
pub(super) fn resolve_targets(region: &Region, m: &Located<MeasureSpec>) -> Result<Resolved> {
    let source_ids = || region.sources.iter().map(|s| s.id.as_str());
    let carrier_ids = || region.carriers.iter().map(|c| c.id.as_str());
    let sources = |targets: &[Spanned<String>], field: Field| -> Result<Resolved> {
        Ok(Resolved::Sources {
            field,
            targets: match_ids(m, targets, source_ids(), "source", SourceIx)?,
        })
    };
    Ok(match &m.item.action {
        MeasureAction::Activity(t) => sources(&t.targets, Field::Activity)?,
        MeasureAction::Efficiency(t) => sources(&t.targets, Field::Intensity)?,
        MeasureAction::Process(t) => sources(&t.targets, Field::DirectEf)?,
        MeasureAction::Capture(t) => sources(&t.targets, Field::Capture)?,
        MeasureAction::FuelSwitch(f) => Resolved::FuelSwitch {
            from: carrier_ref(m, &f.from, region)?,
            to: carrier_ref(m, &f.to, region)?,
            targets: match_ids(m, &f.targets, source_ids(), "source", SourceIx)?,
        },
        MeasureAction::CarrierEf(t) => Resolved::CarrierEf {
            targets: match_ids(m, &t.targets, carrier_ids(), "carrier", CarrierIx)?,
        },
        MeasureAction::MixSwitch(x) => Resolved::MixSwitch {
            from: carrier_ref(m, &x.from, region)?,
            to: carrier_ref(m, &x.to, region)?,
            targets: match_ids(m, &x.targets, carrier_ids(), "carrier", CarrierIx)?,
            input_per_output: x.input_per_output.clone(),
        },
        MeasureAction::Removal(r) => Resolved::Removal {
            sector: r.sector.clone(),
        },
        MeasureAction::Ccs(c) => Resolved::Ccs {
            targets: match_ids(m, &c.targets, carrier_ids(), "carrier", CarrierIx)?,
            sector: c.sector.clone(),
        },
        MeasureAction::LandUseChange(l) => Resolved::LandUseChange {
            from: source_ref(m, &l.from, region)?,
            to: source_ref(m, &l.to, region)?,
        },
        MeasureAction::LandManagement(l) => Resolved::LandManagement {
            targets: match_ids(m, &l.targets, source_ids(), "source", SourceIx)?,
            sector: l.sector.clone(),
            drain_per_ha: l.drain_per_ha.clone(),
        },
    })
}

/// A source named by `from` or `to`.
fn source_ref(
    m: &Located<MeasureSpec>,
    name: &Spanned<String>,
    region: &Region,
) -> Result<SourceIx> {
    let v = name.get_ref();
    region.source_index(v).map(SourceIx).ok_or_else(|| {
        let ids = region
            .sources
            .iter()
            .filter(|s| s.kind == SourceKind::Land)
            .map(|s| s.id.as_str());
        m.error_at(
            &name.span(),
            format!("unknown land category `{v}` in measure `{}`", m.item.id()),
        )
        .hint(
            did_you_mean(v, ids.clone())
                .unwrap_or_else(|| format!("land categories (kind `land`): {}", name_list(ids))),
        )
        .into()
    })
}

/// Matches `targets` against `ids` (globs allowed), each index once, in the order found.
fn match_ids<'a, I>(
    m: &Located<MeasureSpec>,
    targets: &[Spanned<String>],
    ids: impl Iterator<Item = &'a str> + Clone,
    what: &str,
    ix: impl Fn(usize) -> I,
) -> Result<Vec<Matched<I>>> {
    let id = m.item.id();
    if targets.is_empty() {
        return Err(m
            .error(format!("measure `{id}` has no `targets`"))
            .hint(format!(
                "list the {what} ids it acts on, e.g. targets = [\"…\"]"
            ))
            .into());
    }
    let mut out: Vec<(usize, bool)> = Vec::new();
    for t in targets {
        let pat = t.get_ref();
        let is_glob = pat.contains('*');
        let mut found = false;
        for (i, candidate) in ids.clone().enumerate() {
            if glob_match(pat, candidate) {
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
                format!("target `{pat}` of measure `{id}` matches no {what}")
            } else {
                format!("unknown {what} `{pat}` in measure `{id}`")
            };
            return Err(m.error_at(&t.span(), msg).hint(hint).into());
        }
    }
    Ok(out
        .into_iter()
        .map(|(i, by_glob)| Matched { ix: ix(i), by_glob })
        .collect())
}

/// A carrier named by `from` or `to`.
fn carrier_ref(
    m: &Located<MeasureSpec>,
    name: &Spanned<String>,
    region: &Region,
) -> Result<CarrierIx> {
    let v = name.get_ref();
    region.carrier_index(v).map(CarrierIx).ok_or_else(|| {
        let ids = region.carriers.iter().map(|c| c.id.as_str());
        m.error_at(
            &name.span(),
            format!("unknown carrier `{v}` in measure `{}`", m.item.id()),
        )
        .hint(
            did_you_mean(v, ids.clone())
                .unwrap_or_else(|| format!("known carriers: {}", name_list(ids))),
        )
        .into()
    })
}

/// Phase 3b: checks the resolved measure against the region for its kind; switches add the
/// carriers they bring in to `energy`.
pub(super) fn validate_kind(
    region: &Region,
    m: &Located<MeasureSpec>,
    resolved: Resolved,
    energy: &mut EnergyUse,
) -> Result<Action> {
    let id = m.item.id();
    let kind = m.item.kind();
    let source = |s: SourceIx| &region.sources[s.0];
    let carrier = |c: CarrierIx| &region.carriers[c.0];
    check_ets(m)?;
    match resolved {
        Resolved::Sources { field, targets } => {
            for t in &targets {
                let sk = source(t.ix).kind;
                if sk != SourceKind::Emission && matches!(field, Field::Intensity | Field::Capture)
                {
                    return Err(m
                        .error(format!("`{}` measure `{id}` targets {} source `{}`", kind.as_str(), sk.as_str(), source(t.ix).id))
                        .hint("efficiency and capture act on emission sources; use `activity` or `process` on a sink, and `land_use_change` or `land_management` on a land category")
                        .into());
                }
            }
            Ok(Action::Sources {
                field,
                sources: targets.iter().map(|t| t.ix).collect(),
            })
        }
        Resolved::FuelSwitch { from, to, targets } => {
            validate_fuel_switch(region, m, from, to, &targets, energy)
        }
        Resolved::CarrierEf { targets } => {
            for t in &targets {
                if carrier(t.ix).kind.is_composite() {
                    return Err(m
                        .error(format!("`carrier_ef` measure `{id}` targets mix or blend carrier `{}`", carrier(t.ix).id))
                        .hint("change a mix or blend through its components: use `mix_switch`, or `carrier_ef` on a component")
                        .into());
                }
            }
            Ok(Action::CarrierEf {
                carriers: targets.iter().map(|t| t.ix).collect(),
            })
        }
        Resolved::MixSwitch {
            from,
            to,
            targets,
            input_per_output,
        } => validate_mix_switch(
            region,
            m,
            from,
            to,
            &targets,
            input_per_output.as_ref(),
            energy,
        ),
        Resolved::Removal { sector } => Ok(Action::Removal {
            sector: check_sector(m, &sector)?,
        }),
        Resolved::Ccs { targets, sector } => {
            for t in &targets {
                if carrier(t.ix).kind != CarrierKind::Fuel {
                    return Err(m
                        .error(format!("`ccs` measure `{id}` targets mix or blend carrier `{}`", carrier(t.ix).id))
                        .hint("a plant captures the flue gas of the fuels it burns: name the fuels (e.g. municipal_waste), and the mixes made from them follow")
                        .into());
                }
            }
            Ok(Action::Ccs {
                carriers: targets.iter().map(|t| t.ix).collect(),
                sector: check_sector(m, &sector)?,
            })
        }
        Resolved::LandUseChange { from, to } => validate_land_use_change(region, m, from, to),
        Resolved::LandManagement {
            targets,
            sector,
            drain_per_ha,
        } => validate_land_management(region, m, &targets, &sector, &drain_per_ha),
    }
}

/// A `fuel_switch`: the targets that burn `from` (a source matched by a pattern that uses no
/// energy or not `from` is skipped), each given a slot for `to` where it has none.
fn validate_fuel_switch(
    region: &Region,
    m: &Located<MeasureSpec>,
    from: CarrierIx,
    to: CarrierIx,
    targets: &[Matched<SourceIx>],
    energy: &mut EnergyUse,
) -> Result<Action> {
    let id = m.item.id();
    let source = |s: SourceIx| &region.sources[s.0];
    let carrier = |c: CarrierIx| &region.carriers[c.0];
    if from == to {
        return Err(m
            .error(format!(
                "measure `{id}` switches `{}` to itself",
                carrier(from).id
            ))
            .into());
    }
    let mut sources = Vec::new();
    for t in targets {
        let s = t.ix;
        if source(s).intensity == 0.0 {
            if t.by_glob {
                continue;
            }
            return Err(m
                .error(format!(
                    "measure `{id}` switches fuel in `{}`, which uses no energy",
                    source(s).id
                ))
                .into());
        }
        if !energy.uses(s, from) {
            if t.by_glob {
                continue;
            }
            return Err(m
                .error(format!(
                    "source `{}` does not use `{}`, so measure `{id}` cannot switch it",
                    source(s).id,
                    carrier(from).id
                ))
                .hint(format!(
                    "its carriers: {}",
                    name_list(
                        energy.slots[s.0]
                            .iter()
                            .map(|u| carrier(u.carrier).id.as_str())
                    )
                ))
                .into());
        }
        if !energy.uses(s, to) {
            energy.slots[s.0].push(SlotUse {
                carrier: to,
                share: 0.0,
            });
        }
        sources.push(s);
    }
    if sources.is_empty() {
        return Err(m
            .error(format!(
                "no target of measure `{id}` uses `{}`",
                carrier(from).id
            ))
            .hint("check `from` and `targets`")
            .into());
    }
    Ok(Action::FuelSwitch { from, to, sources })
}

/// A `mix_switch`: mixes and blends that hold `from`, each given `to` as a component where it
/// has none (a mix needs `input_per_output` for it; a blend holds fuels only, at 1).
fn validate_mix_switch(
    region: &Region,
    m: &Located<MeasureSpec>,
    from: CarrierIx,
    to: CarrierIx,
    targets: &[Matched<CarrierIx>],
    input_per_output: Option<&Spanned<f64>>,
    energy: &mut EnergyUse,
) -> Result<Action> {
    let id = m.item.id();
    let carrier = |c: CarrierIx| &region.carriers[c.0];
    for t in targets {
        let c = t.ix;
        if !carrier(c).kind.is_composite() {
            return Err(m
                .error(format!("`mix_switch` measure `{id}` targets fuel carrier `{}`", carrier(c).id))
                .hint("mix_switch changes the components of a `mix` carrier such as district heat or of a `blend` such as petrol")
                .into());
        }
        let blend = carrier(c).kind == CarrierKind::Blend;
        if blend && carrier(to).kind != CarrierKind::Fuel {
            return Err(m
                .error(format!(
                    "blend `{}` can only hold fuels; `{}` is a mix or blend",
                    carrier(c).id,
                    carrier(to).id
                ))
                .into());
        }
        if !energy.has_component(c, from) {
            return Err(m
                .error(format!(
                    "`{}` is not a component of `{}`",
                    carrier(from).id,
                    carrier(c).id
                ))
                .hint(format!(
                    "its components: {}",
                    name_list(
                        energy.components[c.0]
                            .iter()
                            .map(|x| carrier(x.carrier).id.as_str())
                    )
                ))
                .into());
        }
        if to == c {
            return Err(m.error("a mix carrier cannot be its own component").into());
        }
        if blend
            && let Some(ipo) = &input_per_output
            && *ipo.get_ref() != 1.0
        {
            return Err(m
                .error_at(
                    &ipo.span(),
                    format!(
                        "input_per_output {} in blend `{}`",
                        ipo.get_ref(),
                        carrier(c).id
                    ),
                )
                .hint("a blend's components are its final energy: leave input_per_output out or 1")
                .into());
        }
        if !energy.has_component(c, to) {
            let input_per_output = if blend {
                1.0
            } else {
                let Some(ipo) = &input_per_output else {
                    return Err(m
                        .error(format!(
                            "`{}` is not yet in the mix of `{}`: measure `{id}` needs `input_per_output`",
                            carrier(to).id,
                            carrier(c).id
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
                v
            };
            energy.components[c.0].push(MixComponent {
                carrier: to,
                share: 0.0,
                input_per_output,
            });
        }
    }
    Ok(Action::MixSwitch {
        from,
        to,
        mixes: targets.iter().map(|t| t.ix).collect(),
    })
}

/// A `land_use_change`: two different land categories, with the sources lying on `from`.
fn validate_land_use_change(
    region: &Region,
    m: &Located<MeasureSpec>,
    from: SourceIx,
    to: SourceIx,
) -> Result<Action> {
    let id = m.item.id();
    let source = |s: SourceIx| &region.sources[s.0];
    for s in [from, to] {
        if source(s).kind != SourceKind::Land {
            return Err(m
                .error(format!(
                    "`land_use_change` measure `{id}` names `{}`, a `{}` source, not a land category",
                    source(s).id,
                    source(s).kind.as_str()
                ))
                .hint("`from` and `to` are sources of kind `land` (sources.csv)")
                .into());
        }
    }
    if from == to {
        return Err(m
            .error(format!(
                "measure `{id}` moves `{}` to itself",
                source(from).id
            ))
            .into());
    }
    let on = (0..region.sources.len())
        .filter(|&s| region.sources[s].land == Some(from.0))
        .map(SourceIx)
        .collect();
    Ok(Action::LandUseChange { from, to, on })
}

/// A `land_management`: the land categories among its targets (others matched by a pattern
/// are skipped) and a harvest drain per hectare in range.
fn validate_land_management(
    region: &Region,
    m: &Located<MeasureSpec>,
    targets: &[Matched<SourceIx>],
    sector: &Spanned<String>,
    drain_per_ha: &Spanned<f64>,
) -> Result<Action> {
    let id = m.item.id();
    let source = |s: SourceIx| &region.sources[s.0];
    let mut sources = Vec::new();
    for t in targets {
        if source(t.ix).kind != SourceKind::Land {
            if t.by_glob {
                continue;
            }
            return Err(m
                .error(format!(
                    "`land_management` measure `{id}` targets `{}`, a `{}` source, not a land category",
                    source(t.ix).id,
                    source(t.ix).kind.as_str()
                ))
                .hint("it manages land categories: sources of kind `land` (sources.csv)")
                .into());
        }
        sources.push(t.ix);
    }
    if sources.is_empty() {
        return Err(m
            .error(format!("no target of measure `{id}` is a land category"))
            .into());
    }
    let d = *drain_per_ha.get_ref();
    if !(d.is_finite() && d > 0.0 && d <= MAX_DRAIN_PER_HA) {
        return Err(m
            .error_at(
                &drain_per_ha.span(),
                format!("`drain_per_ha` = {d} must be in (0, {MAX_DRAIN_PER_HA}] t CO2/ha a year"),
            )
            .hint("the carbon a hectare's harvest removes each year, e.g. ~5 t CO2/ha for southern Finnish forest")
            .into());
    }
    Ok(Action::LandManagement {
        sources,
        sector: check_sector(m, sector)?,
        drain_per_ha: d,
    })
}

/// `ets` and `ets_from` say the same thing two ways: one of them, and a year in range.
fn check_ets(m: &Located<MeasureSpec>) -> Result<()> {
    let Some((ets, from)) = m.item.action.ets_keys() else {
        return Ok(());
    };
    if let Some(y) = from {
        if ets.is_some() {
            return Err(m
                .error_at(&y.span(), format!("measure `{}` sets both `ets` and `ets_from`", m.item.id()))
                .hint("`ets = true`: in the EU ETS from the start; `ets_from = YEAR`: from that year; give one")
                .into());
        }
        let v = *y.get_ref();
        if !(1800..=2300).contains(&v) {
            return Err(m
                .error_at(&y.span(), format!("`ets_from` = {v} is outside 1800–2300"))
                .into());
        }
    }
    Ok(())
}

/// The largest harvest drain per hectare a `land_management` measure may state, t CO2/ha a
/// year (the fastest-growing plantations remove less).
pub const MAX_DRAIN_PER_HA: f64 = 100.0;

/// A removal's sector path: parts joined by `|`, none empty or padded.
fn check_sector(m: &Located<MeasureSpec>, sector: &Spanned<String>) -> Result<String> {
    let s = sector.get_ref();
    if s.is_empty() || s.split('|').any(|p| p.trim().is_empty() || p.trim() != p) {
        return Err(m
            .error_at(
                &sector.span(),
                format!("sector path `{s}` has an empty or padded part"),
            )
            .into());
    }
    Ok(s.clone())
}

/// Removal paths must not nest with each other or with removal sources.
fn check_removal_paths(
    region: &Region,
    scenario: &Scenario,
    measures: &[CompiledMeasure],
) -> Result<()> {
    let mut removal_paths: Vec<(String, String)> = region
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Removal)
        .map(|s| (s.sector.clone(), format!("source `{}`", s.id)))
        .collect();
    for (mi, c) in measures.iter().enumerate() {
        let Some(s) = c.action.removal_sector() else {
            continue;
        };
        let s = &s.to_string();
        for (p, owner) in &removal_paths {
            if p != s && (p.starts_with(&format!("{s}|")) || s.starts_with(&format!("{p}|"))) {
                return Err(scenario.measures[mi]
                    .error(format!("removal sector `{s}` nests with `{p}` of {owner}"))
                    .hint("every aggregate must be the sum of its children: use sibling paths")
                    .into());
            }
        }
        removal_paths.push((s.clone(), format!("measure `{}`", c.info.id)));
    }
    Ok(())
}

/// Phase 3c: the measure's value, cost, adoption and energy ratio as parameters, in that order
/// (the order of the parameter table, hence of sample columns).
pub(super) fn lay_out_params(
    params: &mut ParamTable,
    m: &Located<MeasureSpec>,
) -> Result<MeasureParams> {
    let spec = &m.item.common;
    let id = m.item.id();
    let vspan = spec.value.span();
    let removal = !m.item.kind().value_is_fraction();
    let value_bounds = if removal {
        (0.0, f64::INFINITY)
    } else {
        (0.0, 1.0)
    };
    let value = params.param(
        format!("measure.{id}.value"),
        spec.value.get_ref(),
        value_bounds,
        |msg| {
            let e = m.error_at(&vspan, msg);
            if removal {
                e.hint("a removal's value is kt CO2e per year, ≥ 0")
            } else {
                e.hint("this kind's value is a fraction between 0 and 1")
            }
        },
    )?;
    measure_level(params, m, value, value_bounds)?;
    let cost = match &spec.cost_eur_per_t {
        Some(c) => Some(params.param(
            format!("measure.{id}.cost"),
            c.get_ref(),
            (f64::NEG_INFINITY, f64::INFINITY),
            |msg| m.error_at(&c.span(), msg),
        )?),
        None => None,
    };
    let (curve, full) = adoption_curve(params, m)?;
    let energy_ratio = match &m.item.action {
        MeasureAction::FuelSwitch(f) => match &f.energy_ratio {
            Some(r) => Some(params.param(
                format!("measure.{id}.energy_ratio"),
                r.get_ref(),
                (1e-6, 10.0),
                |msg| {
                    m.error_at(&r.span(), msg)
                        .hint("MWh of `to` per MWh of `from` replaced, e.g. 0.33 for electric cars")
                },
            )?),
            None => None,
        },
        _ => None,
    };
    let avoided = match &m.item.action {
        MeasureAction::LandManagement(l) => Some(params.param(
            format!("measure.{id}.avoided"),
            l.avoided.get_ref(),
            (0.0, 1.0),
            |msg| {
                m.error_at(&l.avoided.span(), msg)
                    .hint("the share of the harvest drain that stays on a managed hectare, after leakage: a fraction between 0 and 1")
            },
        )?),
        _ => None,
    };
    Ok(MeasureParams {
        value,
        cost,
        curve,
        full,
        energy_ratio,
        avoided,
    })
}

/// A plan level (`level`, `level_from`): checked and put on the value parameter.
fn measure_level(
    params: &mut ParamTable,
    m: &Located<MeasureSpec>,
    value: ParamIx,
    (lo, hi): (f64, f64),
) -> Result<()> {
    let spec = &m.item.common;
    let Some(level) = &spec.level else {
        if let Some(f) = &spec.level_from {
            return Err(m
                .error_at(&f.span(), "`level_from` without `level`")
                .hint("add `level = …` (0–1), or remove `level_from`")
                .into());
        }
        return Ok(());
    };
    let at = *level.get_ref();
    if !(0.0..=1.0).contains(&at) {
        return Err(m
            .error_at(&level.span(), format!("`level` = {at} is outside 0–1"))
            .hint(
                "a level is the fraction of the way from `level_from` to the value: 0, 0.25, …, 1",
            )
            .into());
    }
    let from = spec.level_from.as_ref().map_or(0.0, |f| *f.get_ref());
    if !(from.is_finite() && from >= lo && from <= hi) {
        let span = spec.level_from.as_ref().map_or(level.span(), |f| f.span());
        return Err(m
            .error_at(
                &span,
                format!("`level_from` = {from} is outside the value's range"),
            )
            .hint("`level_from` is a value the measure could take itself")
            .into());
    }
    params.set_level(value, crate::model::Level { from, at });
    Ok(())
}

/// The adoption curve, with its completion year as a parameter (linear, logistic).
fn adoption_curve(
    params: &mut ParamTable,
    m: &Located<MeasureSpec>,
) -> Result<(Curve, Option<ParamIx>)> {
    let adoption = &m.item.common.adoption;
    let id = m.item.id();
    let aspan = adoption.span();
    Ok(match adoption.get_ref() {
        Adoption::Linear { start, full } | Adoption::Logistic { start, full, .. } => {
            if !(1800..=2300).contains(start) {
                return Err(m
                    .error_at(
                        &aspan,
                        format!("adoption start {start} is outside 1800–2300"),
                    )
                    .into());
            }
            let k = match adoption.get_ref() {
                Adoption::Logistic { k, .. } => Some(k.unwrap_or(8.0)),
                _ => None,
            };
            if let Some(k) = k
                && !(k.is_finite() && (MIN_LOGISTIC_K..=100.0).contains(&k))
            {
                return Err(m
                    .error_at(
                        &aspan,
                        format!("logistic steepness k = {k} must be in [{MIN_LOGISTIC_K}, 100]"),
                    )
                    .into());
            }
            let p = params.param(
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compile::tests::{measure, tiny, tiny_scenario};

    fn matched<I>(ix: I, by_glob: bool) -> Matched<I> {
        Matched { ix, by_glob }
    }

    #[test]
    fn targets_resolve_by_id_and_glob_each_once() {
        let region = tiny();
        let sc = tiny_scenario(&measure(
            "a",
            "efficiency",
            "targets = [\"heating.*\", \"heating.district\", \"transport.cars\"]\nvalue = 0.1",
        ));
        let r = resolve_targets(&region, &sc.measures[0]).unwrap();
        assert_eq!(
            r,
            Resolved::Sources {
                field: Field::Intensity,
                targets: vec![matched(SourceIx(1), true), matched(SourceIx(0), false)],
            }
        );
    }

    #[test]
    fn an_unknown_target_or_carrier_is_named_with_a_suggestion() {
        let region = tiny();
        let sc = tiny_scenario(&measure(
            "a",
            "fuel_switch",
            "targets = [\"transport.cars\"]\nfrom = \"diesl\"\nto = \"electricity\"\nvalue = 0.1",
        ));
        let e = resolve_targets(&region, &sc.measures[0]).unwrap_err();
        let crate::error::Error::Input(e) = e else {
            panic!("{e}")
        };
        assert_eq!(e.message, "unknown carrier `diesl` in measure `a`");
        assert_eq!(e.hint.as_deref(), Some("did you mean `diesel`?"));
        // `from = "diesl"` is on line 7 of the generated measure, its value at column 8
        assert_eq!((e.line, e.column), (Some(7), Some(8)));
    }

    #[test]
    fn a_fuel_switch_glob_skips_sources_without_the_carrier_and_adds_the_new_one() {
        let region = tiny();
        let sc = tiny_scenario(&measure(
            "a",
            "fuel_switch",
            "targets = [\"*\"]\nfrom = \"diesel\"\nto = \"electricity\"\nvalue = 0.1",
        ));
        let mut energy = EnergyUse::of(&region);
        let r = resolve_targets(&region, &sc.measures[0]).unwrap();
        let action = validate_kind(&region, &sc.measures[0], r, &mut energy).unwrap();
        // only the cars burn diesel; heat uses the mix, cows and forest no energy
        assert_eq!(
            action,
            Action::FuelSwitch {
                from: CarrierIx(0),
                to: CarrierIx(1),
                sources: vec![SourceIx(0)],
            }
        );
        assert_eq!(
            energy.slots[0],
            [
                SlotUse {
                    carrier: CarrierIx(0),
                    share: 1.0
                },
                SlotUse {
                    carrier: CarrierIx(1),
                    share: 0.0
                }
            ]
        );
    }

    #[test]
    fn capture_on_a_sink_and_carrier_ef_on_a_mix_are_refused() {
        let region = tiny();
        let check = |text: &str| {
            let sc = tiny_scenario(text);
            let r = resolve_targets(&region, &sc.measures[0]).unwrap();
            let mut energy = EnergyUse::of(&region);
            validate_kind(&region, &sc.measures[0], r, &mut energy)
                .unwrap_err()
                .to_string()
        };
        let e = check(&measure(
            "c",
            "capture",
            "targets = [\"lulucf.forest\"]\nvalue = 0.5",
        ));
        assert!(e.contains("targets removal source `lulucf.forest`"), "{e}");
        let e = check(&measure(
            "c",
            "carrier_ef",
            "targets = [\"district_heat\"]\nvalue = 0.5",
        ));
        assert!(
            e.contains("targets mix or blend carrier `district_heat`"),
            "{e}"
        );
    }

    #[test]
    fn a_mix_switch_to_a_new_component_takes_its_input_per_output() {
        let region = tiny();
        let sc = tiny_scenario(&measure(
            "hp",
            "mix_switch",
            "targets = [\"district_heat\"]\nfrom = \"diesel\"\nto = \"electricity\"\ninput_per_output = 0.5\nvalue = 1",
        ));
        let mut energy = EnergyUse::of(&region);
        let r = resolve_targets(&region, &sc.measures[0]).unwrap();
        validate_kind(&region, &sc.measures[0], r, &mut energy).unwrap();
        // wood and diesel from the data, electricity added at 0 share
        assert_eq!(
            energy.components[3][2],
            MixComponent {
                carrier: CarrierIx(1),
                share: 0.0,
                input_per_output: 0.5
            }
        );
    }

    #[test]
    fn parameters_come_value_cost_full_ratio() {
        let sc = tiny_scenario(
            "[[measures]]\nid = \"ev\"\npillar = \"transport\"\nkind = \"fuel_switch\"\ntargets = [\"transport.cars\"]\nfrom = \"diesel\"\nto = \"electricity\"\nvalue = 0.5\nenergy_ratio = 0.3\ncost_eur_per_t = -20\nadoption = { curve = \"logistic\", start = 2020, full = { dist = \"uniform\", min = 2028, max = 2032 } }\n",
        );
        let mut params = ParamTable::default();
        let p = lay_out_params(&mut params, &sc.measures[0]).unwrap();
        assert_eq!(
            p,
            MeasureParams {
                value: ParamIx(0),
                cost: Some(ParamIx(1)),
                curve: Curve::Logistic {
                    start: 2020.0,
                    k: 8.0
                },
                full: Some(ParamIx(2)),
                energy_ratio: Some(ParamIx(3)),
                avoided: None,
            }
        );
        // the uniform's central value is its midpoint (2028 + 2032)/2
        assert_eq!(params.params[2].central, 2030.0);
        assert_eq!(params.params[1].bounds, (f64::NEG_INFINITY, f64::INFINITY));
    }
}
