//! Which emission sources each parameter can change: the block kernel recomputes a source's
//! leaf rows only when a parameter that reaches it differs from the parameters its rows were
//! last computed with (docs/batch.md, "Sources the lanes do not change").
//!
//! A parameter reaches a source through every operation of docs/model.md that reads it:
//!
//! - a measure's value or ratio: the source its operation writes (activity, intensity, direct
//!   EF, capture), the sources of both energy slots of a fuel switch, or — for an operation on a
//!   carrier's EF or a mix's shares — every source with an energy slot whose carrier is that
//!   carrier or a mix made (directly or through other mixes) from it;
//! - an uncertain adoption `full` year: everything its measure's operations reach;
//! - a driver's growth or scenario factor: the sources whose activity follows the driver;
//! - an uncertainty factor on a source's field: that source; on a carrier's EF: as a carrier
//!   operation;
//! - a split group's total factor: the group's members;
//! - a land-use change's value or `full` year: its `from` and `to` categories; and anything that
//!   reaches `from` reaches `to` too (the hectares moved carry it).
//!
//! A split group's other members are recomputed too when its scale moves (the kernel compares
//! it with the reference scale). Removals and blend slots are recomputed at every evaluation:
//! they are cheap and read only rows that every evaluation leaves right (the activity and
//! direct-EF arrays, rewritten each time, and energy rows, kept or recomputed).
//!
//! Reaching too many sources costs only time; reaching too few would leave stale rows, so the
//! unit tests compare every bundled scenario's evaluations with and without the skipping.
//! (Drivers and adoption curves need no such map: the block kernel compares their own
//! parameters.)

use crate::model::Model;

/// Sources reached by each parameter, as one bit set (a bit per source) per parameter.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reach {
    /// 64-bit words per bit set.
    words: usize,
    /// Parameter k's sources as a bit set: `masks[k · words..(k + 1) · words]`.
    masks: Vec<u64>,
}

impl Reach {
    /// The sources each of `model`'s parameters reaches.
    pub(crate) fn of(model: &Model) -> Reach {
        let ns = model.source_ids.len();
        let np = model.params.len();
        let mut by_param: Vec<Vec<u32>> = vec![Vec::new(); np];
        let mut slot_source = vec![0u32; model.slot_carrier.len()];
        for (s, slots) in model.source_slots.iter().enumerate() {
            for slot in slots.clone() {
                slot_source[slot] = s as u32;
            }
        }
        let carrier = |c: usize| carrier_sources(model, c);
        let mix_row = |r: usize| {
            model
                .mixes
                .iter()
                .find(|m| m.rows.contains(&r))
                .map_or_else(Vec::new, |m| carrier(m.carrier.0))
        };
        // what each measure's operations reach, for an uncertain adoption
        let mut by_measure: Vec<Vec<u32>> = vec![Vec::new(); model.measures.len()];
        for op in &model.mult_ops {
            by_param[op.value.0].push(op.source.0 as u32);
            by_measure[op.measure.0].push(op.source.0 as u32);
        }
        for op in &model.fuel_switches {
            let reached = [slot_source[op.from.0], slot_source[op.to.0]];
            for k in std::iter::once(op.value).chain(op.ratio) {
                by_param[k.0].extend(reached);
            }
            by_measure[op.measure.0].extend(reached);
        }
        for op in &model.land_moves {
            let reached = [op.from.0 as u32, op.to.0 as u32];
            by_param[op.value.0].extend(reached);
            by_measure[op.measure.0].extend(reached);
        }
        for op in &model.carrier_ops {
            let reached = carrier(op.carrier.0);
            by_param[op.value.0].extend(&reached);
            by_measure[op.measure.0].extend(reached);
        }
        for op in &model.mix_switches {
            let reached: Vec<u32> = mix_row(op.from.0)
                .into_iter()
                .chain(mix_row(op.to.0))
                .collect();
            for k in std::iter::once(op.value).chain(op.ratio) {
                by_param[k.0].extend(&reached);
            }
            by_measure[op.measure.0].extend(reached);
        }
        for &m in &model.dyn_adoption {
            if let Some(f) = model.measures[m.0].full {
                let reached = by_measure[m.0].clone();
                by_param[f.0].extend(reached);
            }
        }
        for &d in &model.dyn_drivers {
            let plan = &model.drivers[d.0];
            let reached: Vec<u32> = model
                .dyn_activity
                .iter()
                .filter(|da| model.dyn_pow[da.power.0].driver == d)
                .map(|da| da.source.0 as u32)
                .collect();
            for k in plan.growth.iter().chain(&plan.factors) {
                by_param[k.0].extend(&reached);
            }
        }
        for f in &model.source_factors {
            by_param[f.param.0].push(f.source.0 as u32);
        }
        for f in &model.carrier_factors {
            by_param[f.param.0].extend(carrier(f.carrier.0));
        }
        for g in &model.split_groups {
            if let Some(f) = g.total_factor {
                by_param[f.0].extend(g.members.iter().map(|s| s.0 as u32));
            }
        }
        // hectares moved out of a land category carry whatever changed the category's area
        // into the category they join (in the moves' order, so chains follow)
        for op in &model.land_moves {
            let (from, to) = (op.from.0 as u32, op.to.0 as u32);
            for sources in by_param.iter_mut() {
                if sources.contains(&from) && !sources.contains(&to) {
                    sources.push(to);
                }
            }
        }
        let words = ns.div_ceil(64);
        let mut masks = vec![0; np * words];
        for (k, sources) in by_param.into_iter().enumerate() {
            for s in sources {
                debug_assert!((s as usize) < ns);
                masks[k * words + s as usize / 64] |= 1 << (s % 64);
            }
        }
        Reach { words, masks }
    }

    /// The sources parameter `k` reaches, in order.
    #[cfg(test)]
    pub(crate) fn sources(&self, k: usize) -> Vec<u32> {
        let mask = &self.masks[k * self.words..(k + 1) * self.words];
        (0..self.words as u32 * 64)
            .filter(|&s| mask[s as usize / 64] >> (s % 64) & 1 == 1)
            .collect()
    }

    /// 64-bit words in a set of sources.
    pub(crate) fn words(&self) -> usize {
        self.words
    }

    /// Adds the sources parameter `k` reaches to the bit set `live`.
    #[inline]
    pub(crate) fn add_to(&self, k: usize, live: &mut [u64]) {
        let mask = &self.masks[k * self.words..(k + 1) * self.words];
        for (l, m) in live.iter_mut().zip(mask) {
            *l |= m;
        }
    }
}

/// The sources with an energy slot whose carrier is `c` or a mix made from `c` (through other
/// mixes too).
fn carrier_sources(model: &Model, c: usize) -> Vec<u32> {
    let mut reached = vec![false; model.n_carriers];
    reached[c] = true;
    // mixes come in dependency order, but a fixed point does not rely on it
    let mut changed = true;
    while changed {
        changed = false;
        for mix in &model.mixes {
            let uses = mix
                .rows
                .clone()
                .any(|r| reached[model.mix_components[r].carrier.0]);
            if uses && !reached[mix.carrier.0] {
                reached[mix.carrier.0] = true;
                changed = true;
            }
        }
    }
    let mut sources: Vec<u32> = model
        .source_slots
        .iter()
        .enumerate()
        .filter(|(_, slots)| (*slots).clone().any(|k| reached[model.slot_carrier[k].0]))
        .map(|(s, _)| s as u32)
        .collect();
    sources.dedup();
    sources
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataSource, load_region};
    use crate::engine::block::BlockWorkspace;
    use crate::model::compile;
    use crate::scenario::ScenarioLibrary;

    /// The tiny fixture: sources cars (0, diesel, follows population), district heat (1, the
    /// district_heat mix of wood and diesel), cows (2), forest (3, a sink).
    fn tiny_model(text: &str) -> Model {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        let region = load_region(&DataSource::Dir(dir)).unwrap();
        let sc = ScenarioLibrary::bundled()
            .resolve_bytes("s.toml", text.as_bytes())
            .unwrap();
        compile(&region, &sc).unwrap()
    }

    fn reached(model: &Model, name: &str) -> Vec<u32> {
        let k = model.params.iter().position(|p| p.name == name);
        let names: Vec<&str> = model.params.iter().map(|p| p.name.as_str()).collect();
        let k = k.unwrap_or_else(|| panic!("no parameter {name} in {names:?}"));
        Reach::of(model).sources(k)
    }

    #[test]
    fn each_parameter_reaches_the_sources_its_operations_change() {
        let model = tiny_model(
            "[[measures]]\nid = \"ev\"\npillar = \"other\"\nkind = \"fuel_switch\"\n\
             adoption = { curve = \"logistic\", start = 2021, full = { dist = \"uniform\", min = 2025, max = 2030 } }\n\
             targets = [\"transport.cars\"]\nfrom = \"diesel\"\nto = \"electricity\"\nvalue = 0.5\n\n\
             [[measures]]\nid = \"clean\"\npillar = \"other\"\nkind = \"carrier_ef\"\n\
             adoption = { curve = \"step\", year = 2025 }\ntargets = [\"wood\"]\nvalue = 0.5\n\n\
             [[uncertainty]]\ntarget = \"carrier:diesel:ef\"\nfactor = 1.1\n\n\
             [[uncertainty]]\ntarget = \"driver:population\"\nfactor = { dist = \"uniform\", min = 0.9, max = 1.1 }\n\n\
             [[uncertainty]]\ntarget = \"source:agriculture.cows:direct_ef\"\nfactor = 1.2\n",
        );
        // the switch moves cars' diesel slot to electricity: cars only, for its value and for
        // its uncertain adoption year
        assert_eq!(reached(&model, "measure.ev.value"), [0]);
        assert_eq!(reached(&model, "measure.ev.full"), [0]);
        // wood is only in district heat's mix; diesel is used by cars and by that mix
        assert_eq!(reached(&model, "measure.clean.value"), [1]);
        assert_eq!(reached(&model, "uncertainty.carrier:diesel:ef#1"), [0, 1]);
        // only cars follow population
        assert_eq!(reached(&model, "uncertainty.driver:population#2"), [0]);
        assert_eq!(
            reached(&model, "uncertainty.source:agriculture.cows:direct_ef#3"),
            [2]
        );
    }

    /// Evaluates the lanes of `ws` and of a new workspace that recomputes every row;
    /// every leaf of every lane must have the same bits.
    fn same_as_new<const B: usize>(ws: &mut BlockWorkspace<B>, model: &Model, what: &str) {
        let mut new = BlockWorkspace::<B>::new(model);
        new.forget();
        for b in 0..B {
            new.lane_mut(b).copy_from_slice(ws.lane(b));
        }
        ws.evaluate(model);
        new.evaluate(model);
        // the first value whose bits differ, as (index, skipping, full)
        let first_difference = |a: &[f64], b: &[f64]| {
            (a.len() != b.len())
                .then_some((usize::MAX, 0.0, 0.0))
                .or_else(|| {
                    a.iter()
                        .zip(b)
                        .position(|(x, y)| x.to_bits() != y.to_bits())
                        .map(|i| (i, a[i], b[i]))
                })
        };
        let sc = &model.scenario;
        let leaves = first_difference(ws.leaves_flat(), new.leaves_flat());
        assert_eq!(leaves, None, "{sc}: {what}: leaves");
        let vars = first_difference(ws.vars_flat(), new.vars_flat());
        assert_eq!(vars, None, "{sc}: {what}: variables");
    }

    #[test]
    fn skipped_sources_hold_what_a_full_evaluation_gives() {
        for model in crate::engine::block::tests::models() {
            let central = model.central();
            let mut ws = BlockWorkspace::<4>::new(&model);
            same_as_new(&mut ws, &model, "central");
            for (k, p) in model.params.iter().enumerate() {
                // one parameter moved in lanes 1 and 3 (within its bounds where it has them),
                // then all lanes back at the central values
                let (lo, hi) = p.bounds;
                let moved = (central[k] * 1.37 + 0.11).clamp(lo, hi.min(central[k] + 1e6));
                ws.lane_mut(1)[k] = moved;
                ws.lane_mut(3)[k] = moved;
                same_as_new(&mut ws, &model, &p.name);
                ws.lane_mut(1)[k] = central[k];
                ws.lane_mut(3)[k] = central[k];
                same_as_new(&mut ws, &model, &format!("{} back", p.name));
            }
            // every parameter moved at once, then one lane back at the centre
            for b in 0..4 {
                for (k, x) in ws.lane_mut(b).iter_mut().enumerate() {
                    let (lo, hi) = model.params[k].bounds;
                    *x = (central[k] * (1.0 + 0.05 * b as f64)).clamp(lo, hi);
                }
            }
            same_as_new(&mut ws, &model, "all moved");
            ws.lane_mut(2).copy_from_slice(&central);
            same_as_new(&mut ws, &model, "lane 2 central");
        }
    }
}
