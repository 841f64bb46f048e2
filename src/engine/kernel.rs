//! The evaluation kernel: one parameter vector → the model's leaf rows, on preallocated arrays.
//!
//! Nothing here allocates: a [`Workspace`] is made once per thread and reused for every sample.
//! Every array is `[row × year]` in standard layout; rows are read as `ndarray` views and
//! combined with [`Zip`], named by the model's typed indices.

use ndarray::{Array1, Array2, ArrayView1, ArrayViewMut1, Axis, Zip};

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
            self.ratio
                .row(d.0)
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
                .fill(base, full, contiguous(self.adoption.row_mut(m.0)));
        }

        // source fields
        self.act.assign(&model.act0);
        for &d in &model.dyn_drivers {
            driver_ratio(&model.drivers[d.0], p, contiguous(self.ratio.row_mut(d.0)));
        }
        for (pw, mut row) in model.dyn_pow.iter().zip(self.pow.rows_mut()) {
            let ratio = self.ratio.row(pw.driver.0);
            if pw.elasticity == 1.0 {
                row.assign(&ratio);
            } else {
                let e = pw.elasticity;
                Zip::from(&mut row)
                    .and(&ratio)
                    .for_each(|o, r| *o = r.powf(e));
            }
        }
        for da in &model.dyn_activity {
            let activity = da.activity;
            Zip::from(self.act.row_mut(da.source.0))
                .and(self.pow.row(da.power.0))
                .for_each(|a, r| *a = activity * r);
        }
        self.int.assign(&model.int0);
        Zip::from(self.def.rows_mut())
            .and(&model.def0)
            .for_each(|mut row, &d| row.fill(d));
        self.cap.fill(1.0);
        // uncertainty factors: one scale per source and field, applied to whole rows
        self.scale.fill(1.0);
        for f in &model.source_factors {
            self.scale[[field_slot(f.field), f.source.0]] *= p[f.param];
        }
        for (field, array) in [&mut self.act, &mut self.int, &mut self.def]
            .into_iter()
            .enumerate()
        {
            Zip::from(array.rows_mut())
                .and(self.scale.row(field))
                .for_each(|row, &f| scale_row(row, f));
        }
        for op in &model.mult_ops {
            let array = match op.field {
                Field::Activity => &mut self.act,
                Field::Intensity => &mut self.int,
                Field::DirectEf => &mut self.def,
                Field::Capture => &mut self.cap,
            };
            reduce_row(
                array.row_mut(op.source.0),
                p[op.value],
                self.adoption.row(op.measure.0),
            );
        }

        // energy shares and fuel switches
        Zip::from(self.share.rows_mut())
            .and(&model.slot_share)
            .for_each(|mut row, &sh| row.fill(sh));
        for op in &model.fuel_switches {
            let ratio = op.ratio.map_or(1.0, |r| p[r]);
            switch_rows(
                &mut self.share,
                op.from.0,
                op.to.0,
                p[op.value],
                ratio,
                self.adoption.row(op.measure.0),
            );
        }

        // carrier emission factors: fuels, then mixes in dependency order
        self.ef.assign(&model.ef0);
        for f in &model.carrier_factors {
            scale_row(self.ef.row_mut(f.carrier.0), p[f.param]);
        }
        for op in &model.carrier_ops {
            reduce_row(
                self.ef.row_mut(op.carrier.0),
                p[op.value],
                self.adoption.row(op.measure.0),
            );
        }
        for (mut row, c) in self
            .mix_share
            .rows_mut()
            .into_iter()
            .zip(&model.mix_components)
        {
            row.fill(c.share);
        }
        for op in &model.mix_switches {
            switch_rows(
                &mut self.mix_share,
                op.from.0,
                op.to.0,
                p[op.value],
                1.0,
                self.adoption.row(op.measure.0),
            );
        }
        for mix in &model.mixes {
            let c = mix.carrier.0;
            // components come earlier in dependency order, but may sit anywhere in `ef`
            let (before, rest) = self.ef.view_mut().split_at(Axis(0), c);
            let (mut target, after) = rest.split_at(Axis(0), 1);
            let mut target = target.row_mut(0);
            target.fill(0.0);
            for r in mix.rows.clone() {
                let comp = &model.mix_components[r];
                let k = comp.carrier.0;
                let kef = if k < c {
                    before.row(k)
                } else {
                    after.row(k - c - 1)
                };
                let ipo = comp.input_per_output;
                Zip::from(&mut target)
                    .and(self.mix_share.row(r))
                    .and(kef)
                    .for_each(|t, s, e| *t += s * ipo * e);
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
            let mut out = src_out.row_mut(s);
            let a = self.act.row(s);
            let def = self.def.row(s);
            if model.source_is_removal[s] {
                Zip::from(&mut out)
                    .and(a)
                    .and(def)
                    .for_each(|o, a, d| *o = a * d / 1000.0);
                continue;
            }
            Zip::from(&mut out)
                .and(a)
                .and(def)
                .for_each(|o, a, d| *o = a * d);
            let i = self.int.row(s);
            for slot in model.source_slots[s].clone() {
                let c = model.slot_carrier[slot].0;
                Zip::from(&mut out)
                    .and(energy_out.row_mut(slot))
                    .and(a)
                    .and(i)
                    .and(self.share.row(slot))
                    .and(self.ef.row(c))
                    .for_each(|o, e, a, i, w, ef| {
                        let mwh = a * i * w;
                        *e = mwh * 1e-3;
                        *o += mwh * ef;
                    });
            }
            Zip::from(&mut out)
                .and(self.cap.row(s))
                .for_each(|o, c| *o *= c * 1e-3);
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
                scale_row(src_out.row_mut(s.0), k);
                for slot in model.source_slots[s.0].clone() {
                    scale_row(energy_out.row_mut(slot), k);
                }
            }
        }
        for (op, mut out) in model.removal_ops.iter().zip(rem_out.rows_mut()) {
            let v = p[op.value];
            Zip::from(&mut out)
                .and(self.adoption.row(op.measure.0))
                .for_each(|o, u| *o = v * u);
        }
        // blend slots by component: the slot's energy × the component's share that year
        for (leaf, mut out) in model.blend_leaves.iter().zip(blend_out.rows_mut()) {
            Zip::from(&mut out)
                .and(energy_out.row(leaf.slot.0))
                .and(self.mix_share.row(leaf.row.0))
                .for_each(|o, e, w| *o = e * w);
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
        self.vars
            .row(v)
            .to_slice()
            .expect("the workspace's arrays are in standard layout")
    }

    /// The leaf rows as one `[leaf × year]` slice, row after row.
    pub fn leaves_flat(&self) -> &[f64] {
        self.leaves
            .as_slice()
            .expect("the workspace's arrays are in standard layout")
    }

    /// The variables as one `[variable × year]` slice, row after row.
    pub fn vars_flat(&self) -> &[f64] {
        self.vars
            .as_slice()
            .expect("the workspace's arrays are in standard layout")
    }
}

fn field_slot(field: Field) -> usize {
    match field {
        Field::Activity => 0,
        Field::Intensity => 1,
        Field::DirectEf | Field::Capture => 2,
    }
}

/// A row of a standard-layout array as a slice, for the routines shared with the compiler.
fn contiguous(row: ArrayViewMut1<'_, f64>) -> &mut [f64] {
    row.into_slice()
        .expect("the workspace's arrays are in standard layout")
}

/// `row *= f`, skipped when f = 1.
fn scale_row(mut row: ArrayViewMut1<'_, f64>, f: f64) {
    if f != 1.0 {
        row.map_inplace(|x| *x *= f);
    }
}

/// `row *= 1 − v·u(y)` for every year.
fn reduce_row(mut row: ArrayViewMut1<'_, f64>, v: f64, u: ArrayView1<'_, f64>) {
    Zip::from(&mut row)
        .and(u)
        .for_each(|x, u| *x *= 1.0 - v * u);
}

/// moved = v·u·w[from]; w[from] −= moved; w[to] += moved·ratio — for every year.
fn switch_rows(
    w: &mut Array2<f64>,
    from: usize,
    to: usize,
    v: f64,
    ratio: f64,
    u: ArrayView1<'_, f64>,
) {
    debug_assert_ne!(from, to);
    // two distinct rows borrowed at once: split between them
    let (lo, hi) = w.view_mut().split_at(Axis(0), from.max(to));
    let (low, high) = (
        lo.index_axis_move(Axis(0), from.min(to)),
        hi.index_axis_move(Axis(0), 0),
    );
    let (a, b) = if from < to { (low, high) } else { (high, low) };
    Zip::from(a).and(b).and(u).for_each(|a, b, u| {
        let moved = v * u * *a;
        *a -= moved;
        *b += moved * ratio;
    });
}
