//! The IAMC output variables and how each sums the model's leaf rows.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::data::{Region, SourceKind};
use crate::model::MeasureInfo;

/// IAMC name of gross emissions.
pub const GROSS: &str = "Emissions|Kyoto Gases";
/// IAMC name of total removals.
pub const REMOVALS: &str = "Carbon Removal";
/// IAMC name of net emissions.
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
    /// The leaf rows it sums (positive).
    pub plus: Range<usize>,
    /// The leaf rows it subtracts (only net emissions has these).
    pub minus: Range<usize>,
}

/// All output variables, sorted by name, with a flat list of leaf indices.
#[derive(Debug, Clone)]
pub struct VariablePlan {
    /// Variables sorted by name.
    pub vars: Vec<Variable>,
    /// Leaf indices referenced by `Variable::plus`/`minus`.
    pub leaf_index: Vec<u32>,
}

impl VariablePlan {
    /// Builds the plan. Leaf rows: sources `0..S`, removal measures `S..S+R`, energy slots after.
    pub fn build(
        region: &Region,
        measures: &[MeasureInfo],
        removal_ops: &[(usize, usize)],
        slot_carrier: &[usize],
        source_slots: &[Range<usize>],
    ) -> VariablePlan {
        let ns = region.sources.len();
        let nr = removal_ops.len();
        let mut sums: BTreeMap<String, (&'static str, Vec<u32>)> = BTreeMap::new();
        // a leaf adds to its variable, every prefix of its sub-path, and the root
        let mut add = |root: &str, path: &str, unit: &'static str, leaf: usize| {
            let mut end = path.len();
            loop {
                sums.entry(format!("{root}|{}", &path[..end]))
                    .or_insert((unit, Vec::new()))
                    .1
                    .push(leaf as u32);
                match path[..end].rfind('|') {
                    Some(i) => end = i,
                    None => break,
                }
            }
            sums.entry(root.to_string())
                .or_insert((unit, Vec::new()))
                .1
                .push(leaf as u32);
        };
        let mut gross_leaves = Vec::new();
        let mut removal_leaves = Vec::new();
        for (s, src) in region.sources.iter().enumerate() {
            match src.kind {
                SourceKind::Emission => {
                    add(GROSS, &src.sector, UNIT_KT, s);
                    gross_leaves.push(s as u32);
                }
                SourceKind::Removal => {
                    add(REMOVALS, &src.sector, UNIT_KT, s);
                    removal_leaves.push(s as u32);
                }
            }
            for slot in source_slots[s].clone() {
                let carrier = &region.carriers[slot_carrier[slot]].name;
                add(
                    FINAL_ENERGY,
                    &format!("{}|{carrier}", src.sector),
                    UNIT_GWH,
                    ns + nr + slot,
                );
            }
        }
        for (r, &(mi, _)) in removal_ops.iter().enumerate() {
            let sector = measures[mi].targets.trim_start_matches("Carbon Removal|");
            add(REMOVALS, sector, UNIT_KT, ns + r);
            removal_leaves.push((ns + r) as u32);
        }
        // totals exist even when empty
        sums.entry(GROSS.into()).or_insert((UNIT_KT, Vec::new()));
        sums.entry(REMOVALS.into()).or_insert((UNIT_KT, Vec::new()));
        sums.entry(FINAL_ENERGY.into())
            .or_insert((UNIT_GWH, Vec::new()));
        let mut vars = Vec::new();
        let mut leaf_index = Vec::new();
        let mut push =
            |name: String, unit, plus: &[u32], minus: &[u32], vars: &mut Vec<Variable>| {
                let a = leaf_index.len();
                leaf_index.extend_from_slice(plus);
                let b = leaf_index.len();
                leaf_index.extend_from_slice(minus);
                vars.push(Variable {
                    name,
                    unit,
                    plus: a..b,
                    minus: b..leaf_index.len(),
                });
            };
        sums.insert(NET.into(), (UNIT_KT, Vec::new()));
        for (name, (unit, leaves)) in &sums {
            if name == NET {
                push(
                    name.clone(),
                    UNIT_KT,
                    &gross_leaves,
                    &removal_leaves,
                    &mut vars,
                );
            } else {
                push(name.clone(), unit, leaves, &[], &mut vars);
            }
        }
        VariablePlan { vars, leaf_index }
    }

    /// Index of a variable by name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.vars
            .binary_search_by(|v| v.name.as_str().cmp(name))
            .ok()
    }

    /// Computes every variable `[var × year]` from the leaf rows `[leaf × year]`.
    pub fn evaluate(&self, leaves: &[f64], ny: usize, out: &mut [f64]) {
        for (v, var) in self.vars.iter().enumerate() {
            let row = &mut out[v * ny..(v + 1) * ny];
            row.fill(0.0);
            for &l in &self.leaf_index[var.plus.clone()] {
                let src = &leaves[l as usize * ny..(l as usize + 1) * ny];
                for (o, x) in row.iter_mut().zip(src) {
                    *o += x;
                }
            }
            for &l in &self.leaf_index[var.minus.clone()] {
                let src = &leaves[l as usize * ny..(l as usize + 1) * ny];
                for (o, x) in row.iter_mut().zip(src) {
                    *o -= x;
                }
            }
        }
    }
}
