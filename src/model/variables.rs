//! The IAMC output variables and how each sums the model's leaf rows.

use std::collections::BTreeMap;
use std::ops::Range;

use ndarray::{ArrayView2, ArrayViewMut2};

use super::rows::{flat, flat_mut, nth, split_row_mut};

use crate::data::{CarrierKind, Region, SourceKind};
use crate::model::{BlendLeaf, CarrierIx, MeasureInfo, MixComponent, RemovalOp};

/// IAMC name of gross emissions.
pub const GROSS: &str = "Emissions|Kyoto Gases";
/// IAMC name of total removals.
pub const REMOVALS: &str = "Carbon Removal";
/// IAMC name of the land balance's net flux: the land categories (`land` sources), + emits and
/// − removes. Not part of gross emissions; added to net emissions.
pub const LAND: &str = "Emissions|Land Use";
/// IAMC name of net emissions: gross + land use − removals.
pub const NET: &str = "Net Emissions|Kyoto Gases";
/// IAMC name of total final energy.
pub const FINAL_ENERGY: &str = "Final Energy";
/// Unit of emission variables.
pub const UNIT_KT: &str = "kt CO2e/yr";
/// Unit of energy variables.
pub const UNIT_GWH: &str = "GWh/yr";

/// One output variable.
#[derive(Debug, Clone)]
pub struct Variable {
    /// IAMC name.
    pub name: String,
    /// Unit.
    pub unit: &'static str,
    /// Leaf rows that are direct children (indices into `VariablePlan::leaf_index`).
    pub leaves: Range<usize>,
    /// Variables that are direct children (indices into `VariablePlan::child_index`).
    pub children: Range<usize>,
    /// Every leaf below it that adds (indices into `VariablePlan::flat_index`).
    pub plus: Range<usize>,
    /// Every leaf below it that subtracts (only net emissions has these).
    pub minus: Range<usize>,
}

/// All output variables, sorted by name, and how to sum them child-first.
#[derive(Debug, Clone)]
pub struct VariablePlan {
    /// Variables sorted by name.
    pub vars: Vec<Variable>,
    /// Leaf indices referenced by `Variable::leaves`.
    pub leaf_index: Vec<u32>,
    /// Variable indices referenced by `Variable::children`.
    pub child_index: Vec<u32>,
    /// Evaluation order: every variable after its children.
    pub order: Vec<u32>,
    /// (net, gross, removals) variable indices: net = gross + land − removals.
    pub net: (usize, usize, usize),
    /// The land-use variable's index ([`LAND`]).
    pub land: usize,
    /// Leaf indices referenced by `Variable::plus`/`minus`, for evaluating one variable alone.
    pub flat_index: Vec<u32>,
}

impl VariablePlan {
    /// Builds the plan. Leaf rows: sources `0..S`, removal measures `S..S+R`, energy slots after
    /// them, then one row per blend slot and component (`blend_leaves`). A blend slot's own row
    /// is not reported: its energy appears by component (e.g. gasoline and ethanol).
    pub fn build(
        region: &Region,
        measures: &[MeasureInfo],
        removal_ops: &[RemovalOp],
        slot_carrier: &[CarrierIx],
        source_slots: &[Range<usize>],
        blend_leaves: &[BlendLeaf],
        mix_components: &[MixComponent],
    ) -> VariablePlan {
        let ns = region.sources.len();
        let nr = removal_ops.len();
        // name → (unit, direct leaves)
        let mut direct: BTreeMap<String, (&'static str, Vec<u32>)> = BTreeMap::new();
        let mut add = |root: &str, path: &str, unit: &'static str, leaf: usize| {
            direct
                .entry(format!("{root}|{path}"))
                .or_insert((unit, Vec::new()))
                .1
                .push(leaf as u32);
            // every prefix and the root exist as aggregates
            let mut end = path.len();
            while let Some(i) = path[..end].rfind('|') {
                direct
                    .entry(format!("{root}|{}", &path[..i]))
                    .or_insert((unit, Vec::new()));
                end = i;
            }
        };
        for (s, src) in region.sources.iter().enumerate() {
            match src.kind {
                SourceKind::Emission => add(GROSS, &src.sector, UNIT_KT, s),
                SourceKind::Removal => add(REMOVALS, &src.sector, UNIT_KT, s),
                SourceKind::Land => add(LAND, &src.sector, UNIT_KT, s),
            }
            for slot in source_slots[s].clone() {
                let carrier = &region.carriers[slot_carrier[slot].0];
                if carrier.kind == CarrierKind::Blend {
                    continue;
                }
                add(
                    FINAL_ENERGY,
                    &format!("{}|{}", src.sector, carrier.name),
                    UNIT_GWH,
                    ns + nr + slot,
                );
            }
        }
        let nslots = slot_carrier.len();
        for (i, leaf) in blend_leaves.iter().enumerate() {
            let s = source_slots
                .iter()
                .position(|r| r.contains(&leaf.slot.0))
                .expect("slot belongs to a source");
            let component = &region.carriers[mix_components[leaf.row.0].carrier.0].name;
            add(
                FINAL_ENERGY,
                &format!("{}|{component}", region.sources[s].sector),
                UNIT_GWH,
                ns + nr + nslots + i,
            );
        }
        for (r, op) in removal_ops.iter().enumerate() {
            let sector = measures[op.measure.0]
                .removal_sector
                .as_deref()
                .expect("a removal row's measure names its sector");
            add(REMOVALS, sector, UNIT_KT, ns + r);
        }
        for (root, unit) in [
            (GROSS, UNIT_KT),
            (REMOVALS, UNIT_KT),
            (LAND, UNIT_KT),
            (FINAL_ENERGY, UNIT_GWH),
            (NET, UNIT_KT),
        ] {
            direct.entry(root.into()).or_insert((unit, Vec::new()));
        }
        let names: Vec<String> = direct.keys().cloned().collect();
        let index = |n: &str| names.binary_search_by(|x| x.as_str().cmp(n)).ok();
        let mut vars = Vec::with_capacity(names.len());
        let mut leaf_index = Vec::new();
        let mut child_index = Vec::new();
        let roots = [GROSS, REMOVALS, LAND, FINAL_ENERGY];
        for (v, (name, (unit, leaves))) in direct.iter().enumerate() {
            let a = leaf_index.len();
            leaf_index.extend_from_slice(leaves);
            let c = child_index.len();
            if name != NET {
                let prefix = format!("{name}|");
                for (i, other) in names.iter().enumerate() {
                    if i != v && other.starts_with(&prefix) && !other[prefix.len()..].contains('|')
                    {
                        child_index.push(i as u32);
                    }
                }
            }
            debug_assert!(roots.contains(&name.as_str()) || name == NET || name.contains('|'));
            vars.push(Variable {
                name: name.clone(),
                unit,
                leaves: a..leaf_index.len(),
                children: c..child_index.len(),
                plus: 0..0,
                minus: 0..0,
            });
        }
        // deeper names first: a child always has more `|` than its parent; net last
        let mut order: Vec<u32> = (0..vars.len() as u32)
            .filter(|&v| vars[v as usize].name != NET)
            .collect();
        order.sort_by_key(|&v| std::cmp::Reverse(vars[v as usize].name.matches('|').count()));
        let net = (
            index(NET).expect("net"),
            index(GROSS).expect("gross"),
            index(REMOVALS).expect("removals"),
        );
        let land = index(LAND).expect("land");
        order.push(net.0 as u32);
        // every leaf below each variable, for evaluating one variable on its own
        let mut below: Vec<Vec<u32>> = vec![Vec::new(); vars.len()];
        for &v in &order {
            let v = v as usize;
            if v == net.0 {
                continue;
            }
            let mut all = leaf_index[vars[v].leaves.clone()].to_vec();
            for &c in &child_index[vars[v].children.clone()] {
                all.extend_from_slice(&below[c as usize]);
            }
            below[v] = all;
        }
        let mut flat_index = Vec::new();
        for (v, var) in vars.iter_mut().enumerate() {
            let (plus, minus) = if v == net.0 {
                let mut plus = below[net.1].clone();
                plus.extend_from_slice(&below[land]);
                (plus, below[net.2].clone())
            } else {
                (below[v].clone(), Vec::new())
            };
            let a = flat_index.len();
            flat_index.extend(plus);
            let b = flat_index.len();
            flat_index.extend(minus);
            var.plus = a..b;
            var.minus = b..flat_index.len();
        }
        VariablePlan {
            vars,
            leaf_index,
            child_index,
            order,
            net,
            land,
            flat_index,
        }
    }

    /// Index of a variable by name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.vars
            .binary_search_by(|v| v.name.as_str().cmp(name))
            .ok()
    }

    /// Computes every variable `[var × year]` from the leaf rows `[leaf × year]`, children first.
    pub fn evaluate(&self, leaves: ArrayView2<'_, f64>, mut out: ArrayViewMut2<'_, f64>) {
        // rows are read through flat slices, split once per variable: views split per variable
        // cost measurably more in this loop (docs/model.md)
        let ny = out.ncols();
        let leaves = flat(&leaves);
        let out = flat_mut(&mut out);
        for &v in &self.order {
            let v = v as usize;
            let var = &self.vars[v];
            // the variable's row, with the rows before and after it to read children from
            let (done, target, later) = split_row_mut(out, ny, v);
            let other = |i: usize| {
                if i < v {
                    nth(done, ny, i)
                } else {
                    nth(later, ny, i - v - 1)
                }
            };
            if v == self.net.0 {
                let (_, g, r) = self.net;
                for (((o, g), l), r) in target
                    .iter_mut()
                    .zip(other(g))
                    .zip(other(self.land))
                    .zip(other(r))
                {
                    *o = g + l - r;
                }
                continue;
            }
            // the first two terms are added into the row in one pass, the others added to it
            // (a + b, then + c …: the order of a copy followed by additions)
            let mut terms = self.leaf_index[var.leaves.clone()]
                .iter()
                .map(|&l| nth(leaves, ny, l as usize))
                .chain(
                    self.child_index[var.children.clone()]
                        .iter()
                        .map(|&c| other(c as usize)),
                );
            match (terms.next(), terms.next()) {
                (None, _) => target.fill(0.0),
                (Some(a), None) => target.copy_from_slice(a),
                (Some(a), Some(b)) => {
                    for ((o, a), b) in target.iter_mut().zip(a).zip(b) {
                        *o = a + b;
                    }
                    for src in terms {
                        for (o, x) in target.iter_mut().zip(src) {
                            *o += x;
                        }
                    }
                }
            }
        }
    }
}
