//! Phases 4 and 5: the rows the kernel works on — energy slots, mix component rows, the
//! operations on them — and the static `[row × year]` arrays at the central values.

use ndarray::{Array1, Array2};

use super::measures::{Action, CompiledMeasures};
use super::*;
use crate::data::{CarrierKind, mix_order};

/// Phase 4's output: slots, mixes and every measure's operations on their rows.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ops {
    /// Measure operations on source fields, in measure order.
    pub mult_ops: Vec<MultOp>,
    /// carrier_ef operations.
    pub carrier_ops: Vec<CarrierOp>,
    /// Removal measures.
    pub removal_ops: Vec<RemovalOp>,
    /// What the `ccs` removals follow.
    pub ccs_flows: Vec<CcsFlow>,
    /// What the `land_management` removals follow.
    pub land_management: Vec<LandManagementOp>,
    /// Land-use changes.
    pub land_moves: Vec<SwitchOp<SourceIx>>,
    /// Carrier of each slot.
    pub slot_carrier: Vec<CarrierIx>,
    /// Slots of each source.
    pub source_slots: Vec<Range<usize>>,
    /// Base share of each slot.
    pub slot_share: Array1<f64>,
    /// Fuel switches on slots.
    pub fuel_switches: Vec<SwitchOp<SlotIx>>,
    /// Mix carriers in dependency order.
    pub mixes: Vec<Mix>,
    /// Mix component rows.
    pub mix_components: Vec<MixComponent>,
    /// Mix switches on component rows.
    pub mix_switches: Vec<SwitchOp<MixRowIx>>,
    /// Blend slots by component.
    pub blend_leaves: Vec<BlendLeaf>,
}

/// Phase 4: lays out one slot per (source, carrier) and one row per (mix, component), mixes in
/// dependency order, and turns each measure into operations on those rows. Fails only when
/// mix switches make the mixes form a cycle.
pub(super) fn lay_out_ops(
    region: &Region,
    scenario: &Scenario,
    compiled: &CompiledMeasures,
    counted_until: &[Option<usize>],
) -> Result<Ops> {
    let energy = &compiled.energy;
    // slots: each source's in a contiguous range, base mix first
    let mut slot_carrier = Vec::new();
    let mut slot_share = Vec::new();
    let mut source_slots = Vec::with_capacity(energy.slots.len());
    for uses in &energy.slots {
        let start = slot_carrier.len();
        for u in uses {
            slot_carrier.push(u.carrier);
            slot_share.push(u.share);
        }
        source_slots.push(start..slot_carrier.len());
    }
    let (mixes, mix_components) = lay_out_mixes(region, scenario, compiled)?;
    let slot_of = |s: SourceIx, c: CarrierIx| -> SlotIx {
        SlotIx(
            source_slots[s.0]
                .clone()
                .find(|&i| slot_carrier[i] == c)
                .expect("validation added every switched carrier to the source's slots"),
        )
    };
    let rows_of = |c: CarrierIx| -> Range<usize> {
        mixes
            .iter()
            .find(|m| m.carrier == c)
            .map(|m| m.rows.clone())
            .expect("every composite carrier is laid out")
    };
    let row_of = |c: CarrierIx, k: CarrierIx| -> MixRowIx {
        MixRowIx(
            rows_of(c)
                .find(|&i| mix_components[i].carrier == k)
                .expect("validation added every switched component to the mix"),
        )
    };

    let mut ops = Ops {
        mult_ops: Vec::new(),
        carrier_ops: Vec::new(),
        removal_ops: Vec::new(),
        ccs_flows: Vec::new(),
        land_management: Vec::new(),
        land_moves: Vec::new(),
        slot_carrier: Vec::new(),
        source_slots: Vec::new(),
        slot_share: Array1::zeros(0),
        fuel_switches: Vec::new(),
        mixes: Vec::new(),
        mix_components: Vec::new(),
        mix_switches: Vec::new(),
        blend_leaves: Vec::new(),
    };
    for (mi, c) in compiled.measures.iter().enumerate() {
        let measure = MeasureIx(mi);
        let value = c.params.value;
        match &c.action {
            Action::Sources { field, sources } => {
                ops.mult_ops.extend(sources.iter().map(|&source| MultOp {
                    field: *field,
                    source,
                    measure,
                    value,
                }));
            }
            Action::FuelSwitch { from, to, sources } => {
                ops.fuel_switches.extend(sources.iter().map(|&s| SwitchOp {
                    from: slot_of(s, *from),
                    to: slot_of(s, *to),
                    measure,
                    value,
                    ratio: c.params.energy_ratio,
                }));
            }
            Action::CarrierEf { carriers } => {
                ops.carrier_ops
                    .extend(carriers.iter().map(|&carrier| CarrierOp {
                        carrier,
                        measure,
                        value,
                    }));
            }
            Action::MixSwitch { from, to, mixes } => {
                ops.mix_switches.extend(mixes.iter().map(|&mix| SwitchOp {
                    from: row_of(mix, *from),
                    to: row_of(mix, *to),
                    measure,
                    value,
                    ratio: None,
                }));
            }
            Action::Removal { .. } => ops.removal_ops.push(RemovalOp {
                measure,
                value,
                basis: RemovalBasis::Fixed,
                counted_until: counted_until[mi],
            }),
            Action::Ccs { carriers, .. } => {
                // the fossil part: the fuels' emission factors fall by v·u
                ops.carrier_ops
                    .extend(carriers.iter().map(|&carrier| CarrierOp {
                        carrier,
                        measure,
                        value,
                    }));
                ops.removal_ops.push(RemovalOp {
                    measure,
                    value,
                    basis: RemovalBasis::Flow(ops.ccs_flows.len()),
                    counted_until: counted_until[mi],
                });
                ops.ccs_flows.push(ccs_flow(
                    region,
                    carriers,
                    &mixes,
                    &mix_components,
                    &slot_carrier,
                ));
            }
            Action::LandUseChange { from, to, on } => {
                ops.land_moves.push(SwitchOp {
                    from: *from,
                    to: *to,
                    measure,
                    value,
                    ratio: None,
                });
                // the sources on the hectares that leave lose the same share of their area
                ops.mult_ops.extend(on.iter().map(|&source| MultOp {
                    field: Field::Activity,
                    source,
                    measure,
                    value,
                }));
            }
            Action::LandManagement {
                sources,
                drain_per_ha,
                ..
            } => {
                ops.removal_ops.push(RemovalOp {
                    measure,
                    value,
                    basis: RemovalBasis::Land(ops.land_management.len()),
                    counted_until: counted_until[mi],
                });
                ops.land_management.push(LandManagementOp {
                    sources: sources.clone(),
                    drain_per_ha: *drain_per_ha,
                    avoided: c
                        .params
                        .avoided
                        .expect("land_management lays out `avoided`"),
                });
            }
        }
    }
    // blend slots are reported by component: one leaf per (slot, component row)
    for (slot, &c) in slot_carrier.iter().enumerate() {
        if region.carriers[c.0].kind == CarrierKind::Blend {
            ops.blend_leaves.extend(rows_of(c).map(|r| BlendLeaf {
                slot: SlotIx(slot),
                row: MixRowIx(r),
            }));
        }
    }
    ops.slot_carrier = slot_carrier;
    ops.source_slots = source_slots;
    ops.slot_share = Array1::from(slot_share);
    ops.mixes = mixes;
    ops.mix_components = mix_components;
    Ok(ops)
}

/// Mixes and blends in dependency order (a mix after every mix among its components), with
/// their component rows; a cycle that mix switches made is refused at the last of them.
fn lay_out_mixes(
    region: &Region,
    scenario: &Scenario,
    compiled: &CompiledMeasures,
) -> Result<(Vec<Mix>, Vec<MixComponent>)> {
    let energy = &compiled.energy;
    let nc = region.carriers.len();
    let edges: Vec<(usize, usize)> = (0..nc)
        .flat_map(|c| energy.components[c].iter().map(move |x| (c, x.carrier.0)))
        .collect();
    let order = mix_order(nc, edges.into_iter()).map_err(|cycle| {
        let names: Vec<&str> = cycle
            .iter()
            .map(|&i| region.carriers[i].id.as_str())
            .collect();
        let msg = format!(
            "mix switches make mix carriers form a cycle: {}",
            names.join(" → ")
        );
        let last_switch = compiled
            .measures
            .iter()
            .rposition(|c| matches!(c.action, Action::MixSwitch { .. }));
        match last_switch {
            Some(mi) => scenario.measures[mi].error(msg),
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
        mix_components.extend(energy.components[c].iter().copied());
        mixes.push(Mix {
            carrier: CarrierIx(c),
            rows: start..mix_components.len(),
        });
    }
    Ok((mixes, mix_components))
}

/// What a `ccs` on `fuels` follows: the fuels' biogenic CO2 factors, every mix or blend that
/// contains one of them (directly or through another mix) with the component rows that do, in
/// dependency order, and the slots that burn any of these carriers.
fn ccs_flow(
    region: &Region,
    fuels: &[CarrierIx],
    mixes: &[Mix],
    mix_components: &[MixComponent],
    slot_carrier: &[CarrierIx],
) -> CcsFlow {
    let mut holds = vec![false; region.carriers.len()];
    for f in fuels {
        holds[f.0] = true;
    }
    let mut flow_mixes = Vec::new();
    for mix in mixes {
        let rows: Vec<MixRowIx> = mix
            .rows
            .clone()
            .filter(|&r| holds[mix_components[r].carrier.0])
            .map(MixRowIx)
            .collect();
        if !rows.is_empty() {
            holds[mix.carrier.0] = true;
            flow_mixes.push((mix.carrier, rows));
        }
    }
    CcsFlow {
        fuels: fuels
            .iter()
            .map(|&f| (f, region.carriers[f.0].bio_ef))
            .collect(),
        mixes: flow_mixes,
        slots: (0..slot_carrier.len())
            .filter(|&s| holds[slot_carrier[s].0])
            .map(SlotIx)
            .collect(),
    }
}

/// Phase 5's output: the arrays every evaluation starts from, and what it must recompute.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct StaticArrays {
    /// Activity `[source × year]` with the drivers at their central paths.
    pub act0: Array2<f64>,
    /// Intensity with its trend `[source × year]`.
    pub int0: Array2<f64>,
    /// Carrier EF `[carrier × year]`.
    pub ef0: Array2<f64>,
    /// Adoption `[measure × year]` at the central `full` years.
    pub adoption0: Array2<f64>,
    /// Drivers with an uncertain growth or factor.
    pub dyn_drivers: Vec<DriverIx>,
    /// Distinct (driver, elasticity) pairs of sources on those drivers.
    pub dyn_pow: Vec<DriverPower>,
    /// Sources on those drivers.
    pub dyn_activity: Vec<DynActivity>,
    /// Measures with an uncertain `full` year.
    pub dyn_adoption: Vec<MeasureIx>,
}

/// Phase 5: the static arrays at the central parameters, and the rows each sample recomputes.
pub(super) fn static_arrays(
    region: &Region,
    drivers: &[DriverPlan],
    params: &[Param],
    measures: &[MeasureInfo],
) -> StaticArrays {
    let ny = region.n_years();
    let base = region.base_year;
    let central: Vec<f64> = params.iter().map(|p| p.central).collect();
    let uncertain = |p: ParamIx| params[p].is_uncertain();
    let dyn_driver: Vec<bool> = drivers
        .iter()
        .map(|d| d.growth.is_some_and(uncertain) || d.factors.iter().any(|&p| uncertain(p)))
        .collect();
    let mut ratio = vec![0.0; drivers.len() * ny];
    for (plan, row) in drivers.iter().zip(ratio.chunks_exact_mut(ny.max(1))) {
        driver_ratio(plan, &central, row);
    }
    let ns = region.sources.len();
    let mut act0 = Array2::zeros((ns, ny));
    let mut int0 = Array2::zeros((ns, ny));
    let mut dyn_activity = Vec::new();
    let mut dyn_pow: Vec<DriverPower> = Vec::new();
    for (s, src) in region.sources.iter().enumerate() {
        for y in 0..ny {
            let r = src.driver.map_or(1.0, |d| ratio[d * ny + y]);
            act0[[s, y]] = src.activity * r.powf(src.elasticity);
            int0[[s, y]] = src.intensity * (1.0 + src.intensity_trend).powi(y as i32);
        }
        if let Some(d) = src.driver
            && dyn_driver[d]
        {
            let pow = DriverPower {
                driver: DriverIx(d),
                elasticity: src.elasticity,
            };
            let power = match dyn_pow.iter().position(|p| *p == pow) {
                Some(i) => i,
                None => {
                    dyn_pow.push(pow);
                    dyn_pow.len() - 1
                }
            };
            dyn_activity.push(DynActivity {
                source: SourceIx(s),
                power: PowerIx(power),
                activity: src.activity,
            });
        }
    }
    let mut ef0 = Array2::zeros((region.carriers.len(), ny));
    for (car, mut row) in region.carriers.iter().zip(ef0.rows_mut()) {
        if let Some(t) = &car.ef {
            for (y, e) in row.iter_mut().enumerate() {
                *e = t.at((base + y as i32) as f64);
            }
        }
    }
    let mut adoption0 = Array2::zeros((measures.len(), ny));
    let mut dyn_adoption = Vec::new();
    for (mi, (info, mut row)) in measures.iter().zip(adoption0.rows_mut()).enumerate() {
        let full = info.full.map_or(0.0, |p| central[p]);
        info.curve.fill(base, full, row_slice(&mut row));
        if info.full.is_some_and(uncertain) {
            dyn_adoption.push(MeasureIx(mi));
        }
    }
    StaticArrays {
        act0,
        int0,
        ef0,
        adoption0,
        dyn_drivers: (0..drivers.len())
            .filter(|&d| dyn_driver[d])
            .map(DriverIx)
            .collect(),
        dyn_pow,
        dyn_activity,
        dyn_adoption,
    }
}

/// A row of a standard-layout array as a slice (every array here is made in standard layout).
fn row_slice<'a>(row: &'a mut ndarray::ArrayViewMut1<'_, f64>) -> &'a mut [f64] {
    row.as_slice_mut()
        .expect("rows of a standard-layout array are contiguous")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compile::measures::compile_measures;
    use crate::model::compile::tests::{measure, tiny, tiny_scenario};

    fn ops_of(text: &str) -> Ops {
        let region = tiny();
        let sc = tiny_scenario(text);
        let compiled = compile_measures(&region, &sc, &mut ParamTable::default()).unwrap();
        let counted = vec![None; sc.measures.len()];
        lay_out_ops(&region, &sc, &compiled, &counted).unwrap()
    }

    #[test]
    fn each_source_gets_a_contiguous_slot_range_with_switched_carriers_last() {
        let ops = ops_of(&measure(
            "ev",
            "fuel_switch",
            "targets = [\"transport.cars\"]\nfrom = \"diesel\"\nto = \"electricity\"\nvalue = 0.5",
        ));
        // cars: diesel (data), electricity (switch); district heat: the mix; others: none
        assert_eq!(ops.source_slots, [0..2, 2..3, 3..3, 3..3]);
        assert_eq!(ops.slot_carrier, [CarrierIx(0), CarrierIx(1), CarrierIx(3)]);
        assert_eq!(ops.slot_share.to_vec(), [1.0, 0.0, 1.0]);
        assert_eq!(
            ops.fuel_switches,
            [SwitchOp {
                from: SlotIx(0),
                to: SlotIx(1),
                measure: MeasureIx(0),
                value: ParamIx(0),
                ratio: None
            }]
        );
    }

    #[test]
    fn mix_switches_act_on_component_rows_and_source_measures_on_sources() {
        let ops = ops_of(&format!(
            "{}{}",
            measure(
                "hp",
                "mix_switch",
                "targets = [\"district_heat\"]\nfrom = \"diesel\"\nto = \"electricity\"\ninput_per_output = 0.5\nvalue = 1"
            ),
            measure(
                "a",
                "activity",
                "targets = [\"agriculture.*\", \"transport.cars\"]\nvalue = 0.1"
            )
        ));
        // district heat's rows: wood 0, diesel 1, electricity 2 (added)
        assert_eq!(
            ops.mixes,
            [Mix {
                carrier: CarrierIx(3),
                rows: 0..3
            }]
        );
        assert_eq!(
            (ops.mix_switches[0].from, ops.mix_switches[0].to),
            (MixRowIx(1), MixRowIx(2))
        );
        assert_eq!(
            ops.mult_ops
                .iter()
                .map(|o| (o.source, o.measure, o.value))
                .collect::<Vec<_>>(),
            [
                (SourceIx(2), MeasureIx(1), ParamIx(1)),
                (SourceIx(0), MeasureIx(1), ParamIx(1))
            ]
        );
    }

    #[test]
    fn static_arrays_follow_the_central_driver_and_adoption() {
        let region = tiny();
        let sc = tiny_scenario(&format!(
            "[[uncertainty]]\ntarget = \"driver:population\"\nfactor = {{ dist = \"uniform\", min = 0.9, max = 1.1 }}\n{}",
            measure(
                "a",
                "activity",
                "targets = [\"transport.cars\"]\nvalue = 0.1"
            )
        ));
        let m = compile(&region, &sc).unwrap();
        // population 100 → 80 linearly: 2025 ratio 0.9, cars' activity 100 · 0.9 = 90 Mvkm
        assert!((m.act0[[0, 5]] - 90.0).abs() < 1e-12);
        // no driver: district heat keeps 100,000 MWh; cars' intensity 500 with no trend
        assert_eq!(m.act0[[1, 10]], 100_000.0);
        assert_eq!(m.int0[[0, 7]], 500.0);
        // electricity's EF falls 0.1 → 0 over ten years: 0.05 in 2025
        assert!((m.ef0[[1, 5]] - 0.05).abs() < 1e-15);
        // the step adoption: 0 in 2024, 1 from 2025
        assert_eq!((m.adoption0[[0, 4]], m.adoption0[[0, 5]]), (0.0, 1.0));
        // the uncertain factor makes the population recomputed per sample, with the cars on it
        assert_eq!(m.dyn_drivers, [DriverIx(0)]);
        assert_eq!(
            m.dyn_activity,
            [DynActivity {
                source: SourceIx(0),
                power: PowerIx(0),
                activity: 100.0
            }]
        );
    }
}
