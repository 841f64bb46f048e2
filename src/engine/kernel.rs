//! The evaluation kernel: one parameter vector → the model's leaf rows, on preallocated arrays.
//!
//! Nothing here allocates: a [`Workspace`] is made once per thread and reused for every sample.

use crate::model::{Field, Model, driver_ratio};

/// Preallocated scratch and output arrays for one evaluation at a time.
#[derive(Debug, Clone)]
pub struct Workspace {
    ny: usize,
    adoption: Vec<f64>,
    ratio: Vec<f64>,
    pow: Vec<f64>,
    act: Vec<f64>,
    int: Vec<f64>,
    def: Vec<f64>,
    cap: Vec<f64>,
    share: Vec<f64>,
    ef: Vec<f64>,
    mix_share: Vec<f64>,
    scale: Vec<f64>,
    /// Central base-year emissions of each split group (kt), which every evaluation keeps.
    split_total: Vec<f64>,
    /// Leaf rows `[leaf × year]`: source emissions or removals (kt), removal measures (kt),
    /// energy slots (GWh).
    pub leaves: Vec<f64>,
    /// Output variables `[variable × year]` (filled by [`Workspace::evaluate_variables`]).
    pub vars: Vec<f64>,
}

impl Workspace {
    /// Allocates everything a model needs.
    pub fn new(model: &Model) -> Workspace {
        let ny = model.ny;
        let ns = model.source_ids.len();
        let mut ws = Workspace {
            ny,
            adoption: model.adoption0.clone(),
            ratio: vec![0.0; model.drivers.len() * ny],
            pow: vec![0.0; model.dyn_pow.len() * ny],
            act: vec![0.0; ns * ny],
            int: vec![0.0; ns * ny],
            def: vec![0.0; ns * ny],
            cap: vec![0.0; ns * ny],
            share: vec![0.0; model.slot_carrier.len() * ny],
            ef: vec![0.0; model.n_carriers * ny],
            mix_share: vec![0.0; model.mix_components.len() * ny],
            scale: vec![0.0; ns * 3],
            split_total: Vec::new(),
            leaves: vec![0.0; model.n_leaves() * ny],
            vars: vec![0.0; model.variables.vars.len() * ny],
        };
        if !model.split_groups.is_empty() {
            // the totals to keep: base-year emissions of each group at the central parameters
            ws.evaluate(model, &model.central());
            ws.split_total = model
                .split_groups
                .iter()
                .map(|g| g.members.iter().map(|&s| ws.leaves[s * ny]).sum())
                .collect();
        }
        ws
    }

    /// After [`Workspace::evaluate`]: the first driver recomputed for the sample whose path is
    /// below zero or not finite, as (driver index, year index).
    pub fn bad_driver(&self, model: &Model) -> Option<(usize, usize)> {
        model.dyn_drivers.iter().find_map(|&d| {
            self.ratio[d * self.ny..(d + 1) * self.ny]
                .iter()
                .position(|r| !(r.is_finite() && *r >= 0.0))
                .map(|y| (d, y))
        })
    }

    /// Evaluates the model at parameters `p` into `self.leaves`.
    pub fn evaluate(&mut self, model: &Model, p: &[f64]) {
        let ny = self.ny;
        let ns = model.source_ids.len();
        let base = model.base_year;

        // adoption: static rows are kept from construction; uncertain `full` years recomputed
        for &m in &model.dyn_adoption {
            let info = &model.measures[m];
            let full = info.full.map_or(0.0, |f| p[f]);
            info.curve
                .fill(base, full, &mut self.adoption[m * ny..(m + 1) * ny]);
        }

        // source fields
        self.act.copy_from_slice(&model.act0);
        for &d in &model.dyn_drivers {
            driver_ratio(&model.drivers[d], p, &mut self.ratio[d * ny..(d + 1) * ny]);
        }
        for (i, &(d, elasticity)) in model.dyn_pow.iter().enumerate() {
            let ratio = &self.ratio[d * ny..(d + 1) * ny];
            let row = &mut self.pow[i * ny..(i + 1) * ny];
            if elasticity == 1.0 {
                row.copy_from_slice(ratio);
            } else {
                for (o, r) in row.iter_mut().zip(ratio) {
                    *o = r.powf(elasticity);
                }
            }
        }
        for &(s, i, activity) in &model.dyn_activity {
            let pow = &self.pow[i * ny..(i + 1) * ny];
            for (a, r) in self.act[s * ny..(s + 1) * ny].iter_mut().zip(pow) {
                *a = activity * r;
            }
        }
        self.int.copy_from_slice(&model.int0);
        for s in 0..ns {
            self.def[s * ny..(s + 1) * ny].fill(model.def0[s]);
        }
        self.cap.fill(1.0);
        // uncertainty factors: one scale per source and field, applied to whole rows
        self.scale.fill(1.0);
        for &(field, s, prm) in &model.source_factors {
            self.scale[field_slot(field) * ns + s] *= p[prm];
        }
        for s in 0..ns {
            scale_row(&mut self.act[s * ny..(s + 1) * ny], self.scale[s]);
            scale_row(&mut self.int[s * ny..(s + 1) * ny], self.scale[ns + s]);
            scale_row(&mut self.def[s * ny..(s + 1) * ny], self.scale[2 * ns + s]);
        }
        for op in &model.mult_ops {
            let v = p[op.value];
            let u = &self.adoption[op.measure * ny..(op.measure + 1) * ny];
            let row = match op.field {
                Field::Activity => &mut self.act[op.source * ny..(op.source + 1) * ny],
                Field::Intensity => &mut self.int[op.source * ny..(op.source + 1) * ny],
                Field::DirectEf => &mut self.def[op.source * ny..(op.source + 1) * ny],
                Field::Capture => &mut self.cap[op.source * ny..(op.source + 1) * ny],
            };
            for (x, u) in row.iter_mut().zip(u) {
                *x *= 1.0 - v * u;
            }
        }

        // energy shares and fuel switches
        for (slot, &sh) in model.slot_share.iter().enumerate() {
            self.share[slot * ny..(slot + 1) * ny].fill(sh);
        }
        for op in &model.fuel_switches {
            let v = p[op.value];
            let ratio = op.ratio.map_or(1.0, |r| p[r]);
            let u = &self.adoption[op.measure * ny..(op.measure + 1) * ny];
            switch_rows(&mut self.share, op.from, op.to, ny, v, ratio, u);
        }

        // carrier emission factors: fuels, then mixes in dependency order
        self.ef.copy_from_slice(&model.ef0);
        for &(c, prm) in &model.carrier_factors {
            scale_row(&mut self.ef[c * ny..(c + 1) * ny], p[prm]);
        }
        for &(c, m, prm) in &model.carrier_ops {
            let v = p[prm];
            let u = &self.adoption[m * ny..(m + 1) * ny];
            for (x, u) in self.ef[c * ny..(c + 1) * ny].iter_mut().zip(u) {
                *x *= 1.0 - v * u;
            }
        }
        for (row, &(_, sh, _)) in model.mix_components.iter().enumerate() {
            self.mix_share[row * ny..(row + 1) * ny].fill(sh);
        }
        for op in &model.mix_switches {
            let u = &self.adoption[op.measure * ny..(op.measure + 1) * ny];
            switch_rows(&mut self.mix_share, op.from, op.to, ny, p[op.value], 1.0, u);
        }
        for (c, rows) in &model.mixes {
            let (c, rows) = (*c, rows.clone());
            let (before, rest) = self.ef.split_at_mut(c * ny);
            let (target, after) = rest.split_at_mut(ny);
            target.fill(0.0);
            for r in rows {
                let (k, _, ipo) = model.mix_components[r];
                // components come earlier in dependency order, but may sit anywhere in `ef`
                let kef = if k < c {
                    &before[k * ny..(k + 1) * ny]
                } else {
                    &after[(k - c - 1) * ny..(k - c) * ny]
                };
                let share = &self.mix_share[r * ny..(r + 1) * ny];
                for ((t, s), e) in target.iter_mut().zip(share).zip(kef) {
                    *t += s * ipo * e;
                }
            }
        }

        // emissions, removals, energy
        let nr = model.removal_ops.len();
        let (src_out, rest) = self.leaves.split_at_mut(ns * ny);
        let (rem_out, energy_out) = rest.split_at_mut(nr * ny);
        for s in 0..ns {
            let out = &mut src_out[s * ny..(s + 1) * ny];
            let a = &self.act[s * ny..(s + 1) * ny];
            let def = &self.def[s * ny..(s + 1) * ny];
            if model.source_is_removal[s] {
                for y in 0..ny {
                    out[y] = a[y] * def[y] / 1000.0;
                }
                continue;
            }
            for ((o, a), d) in out.iter_mut().zip(a).zip(def) {
                *o = a * d;
            }
            let i = &self.int[s * ny..(s + 1) * ny];
            for slot in model.source_slots[s].clone() {
                let c = model.slot_carrier[slot];
                let w = &self.share[slot * ny..(slot + 1) * ny];
                let ef = &self.ef[c * ny..(c + 1) * ny];
                let e_out = &mut energy_out[slot * ny..(slot + 1) * ny];
                for ((((o, e), a), (i, w)), ef) in out
                    .iter_mut()
                    .zip(e_out.iter_mut())
                    .zip(a)
                    .zip(i.iter().zip(w))
                    .zip(ef)
                {
                    let mwh = a * i * w;
                    *e = mwh * 1e-3;
                    *o += mwh * ef;
                }
            }
            let cap = &self.cap[s * ny..(s + 1) * ny];
            for (o, c) in out.iter_mut().zip(cap) {
                *o *= c * 1e-3;
            }
        }
        // split groups: rescale each group's sources so their base-year total stays central
        // (an empty `split_total` while the central totals themselves are being computed)
        for (g, &total) in model.split_groups.iter().zip(&self.split_total) {
            let members = &g.members;
            let sum: f64 = members.iter().map(|&s| src_out[s * ny]).sum();
            let k = g.total_factor.map_or(total, |f| total * p[f]) / sum;
            if k == 1.0 || !(k.is_finite() && k > 0.0) {
                continue;
            }
            for &s in members {
                scale_row(&mut src_out[s * ny..(s + 1) * ny], k);
                for slot in model.source_slots[s].clone() {
                    scale_row(&mut energy_out[slot * ny..(slot + 1) * ny], k);
                }
            }
        }
        for (r, &(m, prm)) in model.removal_ops.iter().enumerate() {
            let v = p[prm];
            let u = &self.adoption[m * ny..(m + 1) * ny];
            for (o, u) in rem_out[r * ny..(r + 1) * ny].iter_mut().zip(u) {
                *o = v * u;
            }
        }
        // blend slots by component: the slot's energy × the component's share that year
        let nslots = model.slot_carrier.len();
        let (energy_out, blend_out) = energy_out.split_at_mut(nslots * ny);
        for (i, &(slot, row)) in model.blend_leaves.iter().enumerate() {
            let e = &energy_out[slot * ny..(slot + 1) * ny];
            let w = &self.mix_share[row * ny..(row + 1) * ny];
            for ((o, e), w) in blend_out[i * ny..(i + 1) * ny].iter_mut().zip(e).zip(w) {
                *o = e * w;
            }
        }
        // removal sources still have energy slots only if they use energy (they cannot)
    }

    /// Sums the leaf rows into the output variables (`self.vars`).
    pub fn evaluate_variables(&mut self, model: &Model) {
        model
            .variables
            .evaluate(&self.leaves, self.ny, &mut self.vars);
    }

    /// One variable's row.
    pub fn var(&self, v: usize) -> &[f64] {
        &self.vars[v * self.ny..(v + 1) * self.ny]
    }
}

fn field_slot(field: Field) -> usize {
    match field {
        Field::Activity => 0,
        Field::Intensity => 1,
        Field::DirectEf | Field::Capture => 2,
    }
}

fn scale_row(row: &mut [f64], f: f64) {
    if f != 1.0 {
        for x in row {
            *x *= f;
        }
    }
}

/// moved = v·u·w[from]; w[from] −= moved; w[to] += moved·ratio — for every year.
fn switch_rows(w: &mut [f64], from: usize, to: usize, ny: usize, v: f64, ratio: f64, u: &[f64]) {
    debug_assert_ne!(from, to);
    let (a, b) = if from < to {
        let (lo, hi) = w.split_at_mut(to * ny);
        (&mut lo[from * ny..(from + 1) * ny], &mut hi[..ny])
    } else {
        let (lo, hi) = w.split_at_mut(from * ny);
        (&mut hi[..ny], &mut lo[to * ny..(to + 1) * ny])
    };
    for y in 0..ny {
        let moved = v * u[y] * a[y];
        a[y] -= moved;
        b[y] += moved * ratio;
    }
}
