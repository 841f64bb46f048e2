//! The evaluation kernel: one parameter vector → the model's leaf rows, on preallocated arrays.
//!
//! Nothing here allocates: a [`Workspace`] is made once per thread and reused for every sample.
//! Every array is `[row × year]` in standard layout, its rows named by the model's typed
//! indices; outputs are split along rows (`split_at`) into sources, removals, slots and blends.
//! Loops read each row, or a whole array, as the contiguous slice of the array (`model::rows`):
//! with rows of a few dozen years, iterating slices measured fewer instructions than `Zip`,
//! `assign` and `fill` on 1-D views (docs/model.md, "The model's layout").

use ndarray::{Array1, Array2, Axis};

use crate::model::rows::{flat, flat_mut, row, row_mut, two_rows_mut};

use crate::model::{Field, Model, driver_ratio};

/// Preallocated scratch and output arrays for one evaluation at a time.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Adoption `[measure × year]`.
    adoption: Array2<f64>,
    /// Driver ratios D(y)/D(base) `[driver × year]` (rows of recomputed drivers only).
    ratio: Array2<f64>,
    /// Driver ratio^elasticity `[power × year]`.
    pow: Array2<f64>,
    /// Activity, intensity, direct EF, share not captured `[source × year]`.
    act: Array2<f64>,
    int: Array2<f64>,
    def: Array2<f64>,
    cap: Array2<f64>,
    /// Carrier shares `[slot × year]`.
    share: Array2<f64>,
    /// Carrier EFs `[carrier × year]`.
    ef: Array2<f64>,
    /// Mix component shares `[mix row × year]`.
    mix_share: Array2<f64>,
    /// Uncertainty scale of each source's activity, intensity and direct EF `[3 × source]`.
    scale: Array2<f64>,
    /// Central base-year emissions of each split group (kt), which every evaluation keeps.
    split_total: Array1<f64>,
    /// Leaf rows `[leaf × year]`: source emissions or removals (kt), removal measures (kt),
    /// energy slots (GWh), blend components (GWh).
    pub leaves: Array2<f64>,
    /// Output variables `[variable × year]` (filled by [`Workspace::evaluate_variables`]).
    pub vars: Array2<f64>,
}

impl Workspace {
    /// Allocates everything a model needs.
    pub fn new(model: &Model) -> Workspace {
        let ny = model.ny;
        let ns = model.source_ids.len();
        let rows = |n: usize| Array2::zeros((n, ny));
        let mut ws = Workspace {
            adoption: model.adoption0.clone(),
            ratio: rows(model.drivers.len()),
            pow: rows(model.dyn_pow.len()),
            act: rows(ns),
            int: rows(ns),
            def: rows(ns),
            cap: rows(ns),
            share: rows(model.slot_carrier.len()),
            ef: rows(model.n_carriers),
            mix_share: rows(model.mix_components.len()),
            scale: Array2::zeros((3, ns)),
            split_total: Array1::zeros(0),
            leaves: rows(model.n_leaves()),
            vars: rows(model.variables.vars.len()),
        };
        if !model.split_groups.is_empty() {
            // the totals to keep: base-year emissions of each group at the central parameters
            ws.evaluate(model, &model.central());
            let base_year = ws.leaves.column(0);
            ws.split_total = model
                .split_groups
                .iter()
                .map(|g| g.members.iter().map(|s| base_year[s.0]).sum())
                .collect();
        }
        ws
    }

    /// After [`Workspace::evaluate`]: the first driver recomputed for the sample whose path is
    /// below zero or not finite, as (driver index, year index).
    pub fn bad_driver(&self, model: &Model) -> Option<(usize, usize)> {
        model.dyn_drivers.iter().find_map(|&d| {
            row(&self.ratio, d.0)
                .iter()
                .position(|r| !(r.is_finite() && *r >= 0.0))
                .map(|y| (d.0, y))
        })
    }

    /// Evaluates the model at parameters `p` into `self.leaves`.
    pub fn evaluate(&mut self, model: &Model, p: &[f64]) {
        let base = model.base_year;

        // adoption: static rows are kept from construction; uncertain `full` years recomputed
        for &m in &model.dyn_adoption {
            let info = &model.measures[m.0];
            let full = info.full.map_or(0.0, |f| p[f]);
            info.curve
                .fill(base, full, row_mut(&mut self.adoption, m.0));
        }

        // source fields
        flat_mut(&mut self.act).copy_from_slice(flat(&model.act0));
        for &d in &model.dyn_drivers {
            driver_ratio(&model.drivers[d.0], p, row_mut(&mut self.ratio, d.0));
        }
        for (i, pw) in model.dyn_pow.iter().enumerate() {
            let ratio = row(&self.ratio, pw.driver.0);
            let out = row_mut(&mut self.pow, i);
            if pw.elasticity == 1.0 {
                out.copy_from_slice(ratio);
            } else {
                for (o, r) in out.iter_mut().zip(ratio) {
                    *o = r.powf(pw.elasticity);
                }
            }
        }
        for da in &model.dyn_activity {
            let pow = row(&self.pow, da.power.0);
            for (a, r) in row_mut(&mut self.act, da.source.0).iter_mut().zip(pow) {
                *a = da.activity * r;
            }
        }
        flat_mut(&mut self.int).copy_from_slice(flat(&model.int0));
        for (s, &d) in model.def0.iter().enumerate() {
            row_mut(&mut self.def, s).fill(d);
        }
        flat_mut(&mut self.cap).fill(1.0);
        // uncertainty factors: one scale per source and field, applied to whole rows
        flat_mut(&mut self.scale).fill(1.0);
        for f in &model.source_factors {
            self.scale[[field_slot(f.field), f.source.0]] *= p[f.param];
        }
        for (field, array) in [&mut self.act, &mut self.int, &mut self.def]
            .into_iter()
            .enumerate()
        {
            for (s, &f) in row(&self.scale, field).iter().enumerate() {
                scale_row(row_mut(array, s), f);
            }
        }
        for op in &model.mult_ops {
            let array = match op.field {
                Field::Activity => &mut self.act,
                Field::Intensity => &mut self.int,
                Field::DirectEf => &mut self.def,
                Field::Capture => &mut self.cap,
            };
            reduce_row(
                row_mut(array, op.source.0),
                p[op.value],
                row(&self.adoption, op.measure.0),
            );
        }

        // energy shares and fuel switches
        for (slot, &sh) in model.slot_share.iter().enumerate() {
            row_mut(&mut self.share, slot).fill(sh);
        }
        for op in &model.fuel_switches {
            let ratio = op.ratio.map_or(1.0, |r| p[r]);
            let (from, to) = two_rows_mut(&mut self.share, op.from.0, op.to.0);
            switch_rows(
                from,
                to,
                p[op.value],
                ratio,
                row(&self.adoption, op.measure.0),
            );
        }

        // carrier emission factors: fuels, then mixes in dependency order
        flat_mut(&mut self.ef).copy_from_slice(flat(&model.ef0));
        for f in &model.carrier_factors {
            scale_row(row_mut(&mut self.ef, f.carrier.0), p[f.param]);
        }
        for op in &model.carrier_ops {
            reduce_row(
                row_mut(&mut self.ef, op.carrier.0),
                p[op.value],
                row(&self.adoption, op.measure.0),
            );
        }
        for (r, c) in model.mix_components.iter().enumerate() {
            row_mut(&mut self.mix_share, r).fill(c.share);
        }
        for op in &model.mix_switches {
            let (from, to) = two_rows_mut(&mut self.mix_share, op.from.0, op.to.0);
            switch_rows(
                from,
                to,
                p[op.value],
                1.0,
                row(&self.adoption, op.measure.0),
            );
        }
        for mix in &model.mixes {
            let c = mix.carrier.0;
            // components come earlier in dependency order, but may sit anywhere in `ef`
            let (before, rest) = self.ef.view_mut().split_at(Axis(0), c);
            let (mut target, after) = rest.split_at(Axis(0), 1);
            let target = row_mut(&mut target, 0);
            target.fill(0.0);
            for r in mix.rows.clone() {
                let comp = &model.mix_components[r];
                let k = comp.carrier.0;
                let kef = if k < c {
                    row(&before, k)
                } else {
                    row(&after, k - c - 1)
                };
                let share = row(&self.mix_share, r);
                let ipo = comp.input_per_output;
                for ((t, s), e) in target.iter_mut().zip(share).zip(kef) {
                    *t += s * ipo * e;
                }
            }
        }

        // emissions, removals, energy
        let ns = model.source_ids.len();
        let nr = model.removal_ops.len();
        let nslots = model.slot_carrier.len();
        let (mut src_out, rest) = self.leaves.view_mut().split_at(Axis(0), ns);
        let (mut rem_out, rest) = rest.split_at(Axis(0), nr);
        let (mut energy_out, mut blend_out) = rest.split_at(Axis(0), nslots);
        for s in 0..ns {
            let out = row_mut(&mut src_out, s);
            let a = row(&self.act, s);
            let def = row(&self.def, s);
            if model.source_is_removal[s] {
                for ((o, a), d) in out.iter_mut().zip(a).zip(def) {
                    *o = a * d / 1000.0;
                }
                continue;
            }
            for ((o, a), d) in out.iter_mut().zip(a).zip(def) {
                *o = a * d;
            }
            let i = row(&self.int, s);
            for slot in model.source_slots[s].clone() {
                let w = row(&self.share, slot);
                let ef = row(&self.ef, model.slot_carrier[slot].0);
                let e_out = row_mut(&mut energy_out, slot);
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
            for (o, c) in out.iter_mut().zip(row(&self.cap, s)) {
                *o *= c * 1e-3;
            }
        }
        // split groups: rescale each group's sources so their base-year total stays central
        // (an empty `split_total` while the central totals themselves are being computed)
        for (g, &total) in model.split_groups.iter().zip(&self.split_total) {
            let members = &g.members;
            let sum: f64 = members.iter().map(|s| src_out[[s.0, 0]]).sum();
            let k = g.total_factor.map_or(total, |f| total * p[f]) / sum;
            if k == 1.0 || !(k.is_finite() && k > 0.0) {
                continue;
            }
            for s in members {
                scale_row(row_mut(&mut src_out, s.0), k);
                for slot in model.source_slots[s.0].clone() {
                    scale_row(row_mut(&mut energy_out, slot), k);
                }
            }
        }
        for (r, op) in model.removal_ops.iter().enumerate() {
            let v = p[op.value];
            let u = row(&self.adoption, op.measure.0);
            for (o, u) in row_mut(&mut rem_out, r).iter_mut().zip(u) {
                *o = v * u;
            }
        }
        // blend slots by component: the slot's energy × the component's share that year
        for (i, leaf) in model.blend_leaves.iter().enumerate() {
            let e = row(&energy_out, leaf.slot.0);
            let w = row(&self.mix_share, leaf.row.0);
            for ((o, e), w) in row_mut(&mut blend_out, i).iter_mut().zip(e).zip(w) {
                *o = e * w;
            }
        }
        // removal sources still have energy slots only if they use energy (they cannot)
    }

    /// Sums the leaf rows into the output variables (`self.vars`).
    pub fn evaluate_variables(&mut self, model: &Model) {
        model
            .variables
            .evaluate(self.leaves.view(), self.vars.view_mut());
    }

    /// One variable's row.
    pub fn var(&self, v: usize) -> &[f64] {
        row(&self.vars, v)
    }

    /// The leaf rows as one `[leaf × year]` slice, row after row.
    pub fn leaves_flat(&self) -> &[f64] {
        flat(&self.leaves)
    }

    /// The variables as one `[variable × year]` slice, row after row.
    pub fn vars_flat(&self) -> &[f64] {
        flat(&self.vars)
    }
}

fn field_slot(field: Field) -> usize {
    match field {
        Field::Activity => 0,
        Field::Intensity => 1,
        Field::DirectEf | Field::Capture => 2,
    }
}

/// `row *= f`, skipped when f = 1.
fn scale_row(row: &mut [f64], f: f64) {
    if f != 1.0 {
        for x in row {
            *x *= f;
        }
    }
}

/// `row *= 1 − v·u(y)` for every year.
fn reduce_row(row: &mut [f64], v: f64, u: &[f64]) {
    for (x, u) in row.iter_mut().zip(u) {
        *x *= 1.0 - v * u;
    }
}

/// moved = v·u·w[from]; w[from] −= moved; w[to] += moved·ratio — for every year.
fn switch_rows(from: &mut [f64], to: &mut [f64], v: f64, ratio: f64, u: &[f64]) {
    for ((a, b), u) in from.iter_mut().zip(to.iter_mut()).zip(u) {
        let moved = v * u * *a;
        *a -= moved;
        *b += moved * ratio;
    }
}
