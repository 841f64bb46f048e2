//! The block kernel: `B` parameter vectors (lanes) evaluated in one pass.
//!
//! Every array is `[row × year × lane]` in standard layout: a row holds `ny · B` values, year
//! after year, and each year's `B` lanes are contiguous. An operation of the model (a measure's
//! reduction, a fuel switch, a mix, a sum of leaves) is then one loop over the row's `ny · B`
//! values instead of `B` loops over `ny`: its setup (indices, the row lookups) is paid once per
//! block, the lanes of a year run in vector registers, and the output variables come out
//! sample-minor, `[cell × lane]`, the layout the statistics add a block at a time
//! ([`super::stats::Accumulator::add_block`]).
//!
//! **Same numbers.** Each lane goes through the operations of docs/model.md in the same order
//! whatever the block size (nothing is fused or reordered across operations; `pow`, `exp` and the
//! adoption curves are the same scalar calls per lane; a factor of 1 in some lanes is applied as
//! `× 1`), so lane `b`'s results are bit for bit those of evaluating lane `b`'s parameters alone,
//! in a block of one lane ([`Workspace`](super::Workspace)). Rows that do not depend on the
//! lanes' parameters (a driver path or an adoption curve whose parameters are equal in every
//! lane) are computed once per block and copied to the lanes. The unit tests below compare
//! blocks of 4, 8 and 16 lanes with one-lane evaluations; docs/batch.md lists the outputs checked
//! byte for byte against the one-sample kernel this replaced.
//!
//! **Rows kept between evaluations.** A workspace recomputes a source's emission and energy
//! rows only when a parameter that reaches it (`Reach`, `src/engine/reach.rs`) differs from the
//! parameters those rows were computed with, and a driver's path (with its powers) or an uncertain
//! adoption curve only when its own parameters differ in some lane; kept rows hold exactly what
//! the same operations would write again (docs/batch.md, "Sources the lanes do not change").
//!
//! Nothing here allocates after [`BlockWorkspace::new`].

use ndarray::{Array2, ArrayViewMut2, Axis};

use super::reach::Reach;
use super::sampler::Sampler;
use crate::model::rows::{flat, flat_mut, row, row_mut, two_rows_mut};
use crate::model::{DriverPlan, Field, Model, RemovalBasis, driver_ratio};

/// Lanes per block where many parameter sets are evaluated (batches, Shapley attribution,
/// sensitivity, discovery): the size measured fastest (docs/batch.md).
pub const BLOCK: usize = 8;

/// Preallocated arrays for evaluating `B` parameter vectors at a time.
#[derive(Debug, Clone)]
pub struct BlockWorkspace<const B: usize> {
    ny: usize,
    /// Each lane's parameter vector, `[lane × param]`: set with [`BlockWorkspace::lane_mut`].
    params: Array2<f64>,
    /// The same, sample-minor `[param × lane]` (made by [`BlockWorkspace::evaluate`]).
    lanes: Array2<f64>,
    /// Adoption `[measure × year × lane]`.
    adoption: Array2<f64>,
    /// Driver ratios D(y)/D(base) `[driver × year × lane]` (recomputed drivers only).
    ratio: Array2<f64>,
    /// Whether the driver's ratio row is the same in every lane.
    ratio_uniform: Vec<bool>,
    /// Per driver: its parameters' bits `[param × lane]` when its row was last computed (empty
    /// before that), and whether this evaluation kept the row.
    driver_last: Vec<Vec<u64>>,
    ratio_kept: Vec<bool>,
    /// Per measure with a recomputed adoption row: its `full` year's bits per lane when the row
    /// was last computed (empty before that).
    adoption_last: Vec<Vec<u64>>,
    /// Driver ratio^elasticity `[power × year × lane]`.
    pow: Array2<f64>,
    /// Activity, intensity, direct EF, share not captured `[source × year × lane]`.
    act: Array2<f64>,
    int: Array2<f64>,
    def: Array2<f64>,
    cap: Array2<f64>,
    /// Carrier shares `[slot × year × lane]`.
    share: Array2<f64>,
    /// Carrier EFs `[carrier × year × lane]`.
    ef: Array2<f64>,
    /// Mix component shares `[mix row × year × lane]`.
    mix_share: Array2<f64>,
    /// Biogenic CO2 a `ccs` captures per MWh of each carrier `[carrier × year × lane]` (no rows
    /// when the model has no `ccs`).
    bio: Array2<f64>,
    /// The starting values of the arrays above, copied in at every block.
    act0: Array2<f64>,
    int0: Array2<f64>,
    def0: Array2<f64>,
    share0: Array2<f64>,
    ef0: Array2<f64>,
    mix0: Array2<f64>,
    /// Which rows each evaluation writes, so that only those are reset (the others keep their
    /// starting values from one block to the next).
    plan: ResetPlan,
    /// Uncertainty scale of each source's activity, intensity and direct EF `[field·source × lane]`.
    scale: Array2<f64>,
    /// One scalar row `[year]`, for the per-lane scalar functions.
    scratch: Vec<f64>,
    /// Central base-year emissions of each split group (kt).
    split_total: Vec<f64>,
    /// Leaf rows `[leaf × year × lane]`.
    leaves: Array2<f64>,
    /// Output variables `[variable × year × lane]` = `[cell × lane]`.
    vars: Array2<f64>,
    /// The sources each parameter reaches.
    reach: Reach,
    /// The parameters (their bits) that `fresh` sources were computed with; empty until the
    /// first evaluation.
    reference: Vec<u64>,
    /// Per source: its leaf and energy rows hold, in every lane, its values at `reference`.
    fresh: Vec<bool>,
    /// Bit set of the sources reached by a parameter that differs from `reference` in some lane
    /// (live).
    live: Vec<u64>,
    /// Per source: recomputed in this evaluation (live, or not fresh).
    compute: Vec<bool>,
    /// Per split group member: its unscaled base-year value in each lane, when last computed.
    split_base: Vec<[f64; B]>,
    /// Per split group: its scale at the reference parameters (set with `reference`).
    split_ref: Vec<f64>,
}

impl<const B: usize> BlockWorkspace<B> {
    /// Allocates everything a model needs; every lane starts at the central parameters.
    pub fn new(model: &Model) -> BlockWorkspace<B> {
        assert!(B > 0, "a block has at least one lane");
        let ny = model.ny;
        let ns = model.source_ids.len();
        let rows = |n: usize| Array2::zeros((n, ny * B));
        // a `[row × year]` array, or one value per row, copied to every lane
        let spread = |a: &Array2<f64>| {
            let mut out = rows(a.nrows());
            for (r, src) in a.outer_iter().enumerate() {
                broadcast(
                    src.as_slice().expect("standard layout"),
                    row_mut(&mut out, r),
                );
            }
            out
        };
        let fill = |values: &mut dyn Iterator<Item = f64>| {
            let values: Vec<f64> = values.collect();
            let mut out = rows(values.len());
            for (r, v) in values.into_iter().enumerate() {
                row_mut(&mut out, r).fill(v);
            }
            out
        };
        let central = model.central();
        let np = central.len();
        let mut params = Array2::zeros((B, np));
        for mut lane in params.outer_iter_mut() {
            lane.assign(&ndarray::aview1(&central));
        }
        let reach = Reach::of(model);
        let live = vec![0; reach.words()];
        let mut ws = BlockWorkspace {
            ny,
            params,
            lanes: Array2::zeros((np, B)),
            adoption: spread(&model.adoption0),
            ratio: rows(model.drivers.len()),
            ratio_uniform: vec![false; model.drivers.len()],
            driver_last: vec![Vec::new(); model.drivers.len()],
            ratio_kept: vec![false; model.drivers.len()],
            adoption_last: vec![Vec::new(); model.measures.len()],
            pow: rows(model.dyn_pow.len()),
            act: spread(&model.act0),
            int: spread(&model.int0),
            def: fill(&mut model.def0.iter().copied()),
            cap: fill(&mut std::iter::repeat_n(1.0, ns)),
            share: fill(&mut model.slot_share.iter().copied()),
            ef: spread(&model.ef0),
            mix_share: fill(&mut model.mix_components.iter().map(|c| c.share)),
            bio: if model.ccs_flows.is_empty() {
                rows(0)
            } else {
                rows(model.n_carriers)
            },
            act0: spread(&model.act0),
            int0: spread(&model.int0),
            def0: fill(&mut model.def0.iter().copied()),
            share0: fill(&mut model.slot_share.iter().copied()),
            ef0: spread(&model.ef0),
            mix0: fill(&mut model.mix_components.iter().map(|c| c.share)),
            plan: ResetPlan::of(model),
            scale: Array2::zeros((3 * ns, B)),
            scratch: vec![0.0; ny],
            split_total: Vec::new(),
            leaves: rows(model.n_leaves()),
            vars: rows(model.variables.vars.len()),
            reach,
            reference: Vec::with_capacity(np),
            fresh: vec![false; ns],
            live,
            compute: vec![false; ns],
            split_base: vec![[0.0; B]; ns],
            split_ref: Vec::with_capacity(model.split_groups.len()),
        };
        if !model.split_groups.is_empty() {
            // the totals to keep: base-year emissions of each group at the central parameters
            // (computed while `split_total` is empty, so without the rescaling)
            ws.evaluate_leaves(model);
            let base_year = |s: usize| row(&ws.leaves, s)[0];
            ws.split_total = model
                .split_groups
                .iter()
                .map(|g| g.members.iter().map(|s| base_year(s.0)).sum())
                .collect();
            // those rows were not rescaled: none is fresh
            ws.reference.clear();
        }
        ws
    }

    /// Lane `b`'s parameter vector, to be set before [`BlockWorkspace::evaluate`].
    pub fn lane_mut(&mut self, b: usize) -> &mut [f64] {
        self.params
            .row_mut(b)
            .into_slice()
            .expect("standard layout")
    }

    /// Lane `b`'s parameter vector.
    pub fn lane(&self, b: usize) -> &[f64] {
        self.params.row(b).to_slice().expect("standard layout")
    }

    /// Sets lanes `from..B` to lane 0's parameters: padding for a last block of fewer samples,
    /// so that every lane evaluates a meaningful model.
    pub fn pad_from(&mut self, from: usize) {
        for b in from..B {
            let (first, mut rest) = self.params.view_mut().split_at(Axis(0), b);
            rest.row_mut(0).assign(&first.row(0));
        }
    }

    /// Draws samples `first..first + lanes` of `sampler` into the lanes (the rest padded with
    /// the first) and evaluates them, variables included.
    pub fn draw(&mut self, model: &Model, sampler: &Sampler, first: u64, lanes: usize) {
        for b in 0..lanes {
            sampler.fill(first + b as u64, self.lane_mut(b));
        }
        self.pad_from(lanes);
        self.evaluate(model);
    }

    /// The output variables, `[variable × year × lane]`: value of cell `c` in lane `b` at
    /// `c · B + b`.
    pub fn vars_flat(&self) -> &[f64] {
        flat(&self.vars)
    }

    /// Forgets what the rows were computed from, so that the next evaluation computes every
    /// row: the reference that the skipping of rows is tested against.
    #[cfg(test)]
    pub(crate) fn forget(&mut self) {
        self.reference.clear();
        self.driver_last.iter_mut().for_each(Vec::clear);
        self.adoption_last.iter_mut().for_each(Vec::clear);
    }

    /// Years per row (each holding `B` lanes).
    pub fn ny(&self) -> usize {
        self.ny
    }

    /// The leaf rows, `[leaf × year × lane]`.
    pub fn leaves_flat(&self) -> &[f64] {
        flat(&self.leaves)
    }

    /// Copies lane `b` of `rows` (variable indices) into `out`, `[row × year]` one after another:
    /// a few rows of one sample in the scalar layout.
    pub fn gather_vars(&self, b: usize, rows: &[usize], out: &mut [f64]) {
        let ny = self.ny;
        for (k, &v) in rows.iter().enumerate() {
            let src = row(&self.vars, v);
            for (o, lanes) in out[k * ny..(k + 1) * ny]
                .iter_mut()
                .zip(src.chunks_exact(B))
            {
                *o = lanes[b];
            }
        }
    }

    /// Copies lane `b`'s variables into `out`, `[variable × year]` as
    /// [`Workspace::vars_flat`](super::Workspace::vars_flat) lays them out.
    pub fn lane_vars(&self, b: usize, out: &mut [f64]) {
        for (o, lanes) in out.iter_mut().zip(flat(&self.vars).chunks_exact(B)) {
            *o = lanes[b];
        }
    }

    /// After [`BlockWorkspace::evaluate`]: lane `b`'s first recomputed driver whose path is
    /// below zero or not finite, as (driver index, year index).
    pub fn bad_driver_at(&self, model: &Model, b: usize) -> Option<(usize, usize)> {
        model.dyn_drivers.iter().find_map(|&d| {
            row(&self.ratio, d.0)
                .chunks_exact(B)
                .position(|y| !(y[b].is_finite() && y[b] >= 0.0))
                .map(|y| (d.0, y))
        })
    }

    /// After [`BlockWorkspace::evaluate`]: the first lane among `0..lanes` with a recomputed
    /// driver path below zero or not finite.
    pub fn bad_driver_lane(&self, model: &Model, lanes: usize) -> Option<usize> {
        (0..lanes).find(|&b| {
            model.dyn_drivers.iter().any(|&d| {
                row(&self.ratio, d.0)
                    .chunks_exact(B)
                    .any(|y| !(y[b].is_finite() && y[b] >= 0.0))
            })
        })
    }

    /// Evaluates the model for every lane's parameters into the leaf rows, then the variables.
    pub fn evaluate(&mut self, model: &Model) {
        self.evaluate_leaves(model);
        self.evaluate_variables(model);
    }

    /// Sums the leaf rows into the output variables, every lane at once.
    pub fn evaluate_variables(&mut self, model: &Model) {
        model
            .variables
            .evaluate(self.leaves.view(), self.vars.view_mut());
    }

    /// The leaf and variable arrays, `[row × year × lane]`.
    pub fn into_arrays(self) -> (Array2<f64>, Array2<f64>) {
        (self.leaves, self.vars)
    }

    /// Evaluates the model for every lane's parameters into the leaf rows: the steps of
    /// docs/model.md in its order, each lane by the same scalar operations. Which rows a step
    /// may keep from the last evaluation (the caching) is decided beside the step, in
    /// [`BlockWorkspace::mark_sources`], [`BlockWorkspace::adoption_kept`] and
    /// [`BlockWorkspace::driver_kept`].
    pub fn evaluate_leaves(&mut self, model: &Model) {
        self.transpose_params();
        self.mark_sources();
        // u_m(y): adoption curves with an uncertain `full` year
        self.adoption_curves(model);
        // A, I, DEF, cap: driver paths, uncertainty factors, measures, land-use changes
        self.source_fields(model);
        // s_{slot}: energy shares after fuel switches
        self.energy_shares(model);
        // EF_c: carrier factors, their measures, then mixes in dependency order
        self.carrier_factors(model);
        // E_s = A·(Σ I·s·EF + DEF)·cap, split-group scales, removals, blend components
        self.emissions_and_removals(model);
        debug_assert_eq!(self.scratch.len(), self.ny);
        for (s, (fresh, &compute)) in self.fresh.iter_mut().zip(&self.compute).enumerate() {
            if compute {
                *fresh = !is_set(&self.live, s);
            }
        }
    }

    /// Copies the lanes' parameter vectors `[lane × param]` into one lane vector per parameter
    /// `[param × lane]`.
    fn transpose_params(&mut self) {
        for (b, lane) in self.params.outer_iter().enumerate() {
            for (k, &x) in lane.iter().enumerate() {
                self.lanes[[k, b]] = x;
            }
        }
    }

    /// Adoption rows u_m(y) of the measures whose `full` year is uncertain; once for all lanes
    /// when every lane has the same year.
    fn adoption_curves(&mut self, model: &Model) {
        let base = model.base_year;
        for &m in &model.dyn_adoption {
            let info = &model.measures[m.0];
            if self.adoption_kept(model, m.0) {
                continue;
            }
            let p = |k: usize| -> &[f64; B] { lane_array(row(&self.lanes, k)) };
            let out = row_mut(&mut self.adoption, m.0);
            match info.full {
                Some(f) if !uniform(p(f.0)) => {
                    for b in 0..B {
                        info.curve.fill(base, p(f.0)[b], &mut self.scratch);
                        scatter(&self.scratch, out, b);
                    }
                }
                full => {
                    let full = full.map_or(0.0, |f| p(f.0)[0]);
                    info.curve.fill(base, full, &mut self.scratch);
                    broadcast(&self.scratch, out);
                }
            }
        }
    }

    /// Caching of [`BlockWorkspace::adoption_curves`]: whether measure `m`'s row is kept,
    /// because every lane's `full` year is the one it was computed with; when not, records
    /// the years it will be computed with.
    fn adoption_kept(&mut self, model: &Model, m: usize) -> bool {
        let info = &model.measures[m];
        let lanes = &self.lanes;
        let full_bits = |b: usize| info.full.map_or(0, |f| row(lanes, f.0)[b].to_bits());
        let last = &mut self.adoption_last[m];
        if !last.is_empty() && (0..B).all(|b| last[b] == full_bits(b)) {
            return true;
        }
        last.clear();
        last.extend((0..B).map(full_bits));
        false
    }

    /// Caching of driver paths: whether driver `d`'s ratio row (with its powers) is kept,
    /// because every lane's parameters are those it was computed with; when not, records the
    /// parameters it will be computed with.
    fn driver_kept(&mut self, model: &Model, d: usize) -> bool {
        let plan = &model.drivers[d];
        let lanes = &self.lanes;
        let bits =
            || driver_params(plan).flat_map(|k| lane_array::<B>(row(lanes, k)).map(f64::to_bits));
        let last = &mut self.driver_last[d];
        let kept = !last.is_empty() && bits().eq(last.iter().copied());
        if !kept {
            last.clear();
            last.extend(bits());
        }
        self.ratio_kept[d] = kept;
        kept
    }

    /// Activity, intensity, direct EF and the share not captured of every source that an
    /// operation writes: reset, driver paths D(y)/D(base) raised to their elasticities,
    /// uncertainty factors, measures' reductions, then land-use changes moving hectares.
    fn source_fields(&mut self, model: &Model) {
        // rows that some operation writes are reset first
        copy_rows(&self.plan.act, &self.act0, &mut self.act);
        self.driver_paths(model);
        copy_rows(&self.plan.int, &self.int0, &mut self.int);
        copy_rows(&self.plan.def, &self.def0, &mut self.def);
        for &s in &self.plan.cap {
            row_mut(&mut self.cap, s).fill(1.0);
        }
        self.uncertainty_factors(model);
        let p = |k: usize| -> &[f64; B] { lane_array(row(&self.lanes, k)) };
        for op in &model.mult_ops {
            let array = match op.field {
                Field::Activity => &mut self.act,
                Field::Intensity => &mut self.int,
                Field::DirectEf => &mut self.def,
                Field::Capture => &mut self.cap,
            };
            reduce_row(
                row_mut(array, op.source.0),
                p(op.value.0),
                row(&self.adoption, op.measure.0),
            );
        }
        // land-use changes: hectares moved between land categories, after every other
        // operation on activity
        let ones = [1.0; B];
        for op in &model.land_moves {
            let (from, to) = two_rows_mut(&mut self.act, op.from.0, op.to.0);
            switch_rows(
                from,
                to,
                p(op.value.0),
                &ones,
                row(&self.adoption, op.measure.0),
            );
        }
    }

    /// Driver-driven activity A_s(y) = A_s · (D(y)/D(base))^ε, for the drivers whose path
    /// depends on the lanes' parameters (once for all lanes when every lane has the same).
    fn driver_paths(&mut self, model: &Model) {
        for &d in &model.dyn_drivers {
            if self.driver_kept(model, d.0) {
                continue;
            }
            let plan = &model.drivers[d.0];
            let lanes = &self.lanes;
            let p = |k: usize| -> &[f64; B] { lane_array(row(lanes, k)) };
            let lane_params = |b: usize| self.params.row(b).to_slice().expect("standard layout");
            let out = row_mut(&mut self.ratio, d.0);
            let same = driver_params(plan).all(|k| uniform(p(k)));
            self.ratio_uniform[d.0] = same;
            if same {
                driver_ratio(plan, lane_params(0), &mut self.scratch);
                broadcast(&self.scratch, out);
            } else {
                for b in 0..B {
                    driver_ratio(plan, lane_params(b), &mut self.scratch);
                    scatter(&self.scratch, out, b);
                }
            }
        }
        for (i, pw) in model.dyn_pow.iter().enumerate() {
            if self.ratio_kept[pw.driver.0] {
                continue;
            }
            let ratio = row(&self.ratio, pw.driver.0);
            let out = row_mut(&mut self.pow, i);
            if pw.elasticity == 1.0 {
                out.copy_from_slice(ratio);
            } else if self.ratio_uniform[pw.driver.0] {
                for (o, r) in self.scratch.iter_mut().zip(ratio.chunks_exact(B)) {
                    *o = r[0].powf(pw.elasticity);
                }
                broadcast(&self.scratch, out);
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
    }

    /// Uncertainty factors: one scale per source, field and lane, applied to whole rows; a row
    /// not recomputed from a driver is reset and scaled in one pass (x0 · f).
    fn uncertainty_factors(&mut self, model: &Model) {
        let ns = model.source_ids.len();
        flat_mut(&mut self.scale).fill(1.0);
        for f in &model.source_factors {
            let s = row_mut(&mut self.scale, field_slot(f.field) * ns + f.source.0);
            for (s, x) in s.iter_mut().zip(row(&self.lanes, f.param.0)) {
                *s *= x;
            }
        }
        for (field, (array, start)) in [
            (&mut self.act, &self.act0),
            (&mut self.int, &self.int0),
            (&mut self.def, &self.def0),
        ]
        .into_iter()
        .enumerate()
        {
            for &(s, in_place) in &self.plan.scaled[field] {
                let f = lane_array::<B>(row(&self.scale, field * ns + s));
                if in_place {
                    scale_row(row_mut(array, s), f);
                } else {
                    scaled_copy(row(start, s), f, row_mut(array, s));
                }
            }
        }
    }

    /// Energy shares of each source's carrier slots, after fuel switches.
    fn energy_shares(&mut self, model: &Model) {
        let p = |k: usize| -> &[f64; B] { lane_array(row(&self.lanes, k)) };
        let ones = [1.0; B];
        copy_rows(&self.plan.share, &self.share0, &mut self.share);
        for op in &model.fuel_switches {
            let ratio = op.ratio.map_or(&ones, |r| p(r.0));
            let (from, to) = two_rows_mut(&mut self.share, op.from.0, op.to.0);
            switch_rows(
                from,
                to,
                p(op.value.0),
                ratio,
                row(&self.adoption, op.measure.0),
            );
        }
    }

    /// Carrier emission factors: fuels with their uncertainty factors and measures, then the
    /// mixes' component shares (after mix switches) and each mix's factor
    /// EF_mix = Σ share · input per output · EF_component, in dependency order.
    fn carrier_factors(&mut self, model: &Model) {
        let p = |k: usize| -> &[f64; B] { lane_array(row(&self.lanes, k)) };
        let ones = [1.0; B];
        copy_rows(&self.plan.ef, &self.ef0, &mut self.ef);
        for f in &model.carrier_factors {
            scale_row(row_mut(&mut self.ef, f.carrier.0), p(f.param.0));
        }
        for op in &model.carrier_ops {
            reduce_row(
                row_mut(&mut self.ef, op.carrier.0),
                p(op.value.0),
                row(&self.adoption, op.measure.0),
            );
        }
        copy_rows(&self.plan.mix, &self.mix0, &mut self.mix_share);
        for op in &model.mix_switches {
            let (from, to) = two_rows_mut(&mut self.mix_share, op.from.0, op.to.0);
            switch_rows(
                from,
                to,
                p(op.value.0),
                &ones,
                row(&self.adoption, op.measure.0),
            );
        }
        for mix in &model.mixes {
            let c = mix.carrier.0;
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
    }

    /// The leaf rows: each recomputed source's emissions and energy, split groups rescaled to
    /// their central base-year total, removals (v·u(y) times their basis), blend components.
    fn emissions_and_removals(&mut self, model: &Model) {
        let ns = model.source_ids.len();
        let nr = model.removal_ops.len();
        let nslots = model.slot_carrier.len();
        let (mut src_out, rest) = self.leaves.view_mut().split_at(Axis(0), ns);
        let (mut rem_out, rest) = rest.split_at(Axis(0), nr);
        let (mut energy_out, mut blend_out) = rest.split_at(Axis(0), nslots);
        let inputs = SourceInputs {
            act: &self.act,
            int: &self.int,
            def: &self.def,
            cap: &self.cap,
            share: &self.share,
            ef: &self.ef,
        };
        for s in (0..ns).filter(|&s| self.compute[s]) {
            // the others' rows still hold what these parameters give
            inputs.emit(model, s, &mut src_out, &mut energy_out);
        }
        let lanes = &self.lanes;
        let p = |k: usize| -> &[f64; B] { lane_array(row(lanes, k)) };
        // split groups: rescale each group's sources so their base-year total stays central,
        // lane by lane (a lane whose factor is 1 or unusable is left as it is: × 1). The total
        // reads every member's unscaled base-year values: those of members not recomputed are
        // kept in `split_base` from when they were.
        let first = self.split_ref.is_empty();
        for (gi, (g, &total)) in model.split_groups.iter().zip(&self.split_total).enumerate() {
            if !g.members.iter().any(|s| self.compute[s.0]) {
                continue; // every member holds its reference values, rescaled
            }
            for s in g.members.iter().filter(|s| self.compute[s.0]) {
                self.split_base[s.0] = lane_array::<B>(&row(&src_out, s.0)[..B]).to_owned();
            }
            let mut k = [1.0; B];
            for (b, k) in k.iter_mut().enumerate() {
                let sum: f64 = g.members.iter().map(|s| self.split_base[s.0][b]).sum();
                let f = g.total_factor.map_or(total, |f| total * p(f.0)[b]) / sum;
                if f.is_finite() && f > 0.0 {
                    *k = f;
                }
            }
            if first {
                self.split_ref.push(k[0]);
            }
            if !k
                .iter()
                .all(|k| k.to_bits() == self.split_ref[gi].to_bits())
            {
                // a new scale for the members not recomputed as well: none holds reference
                // values afterwards
                for s in &g.members {
                    if !self.compute[s.0] {
                        inputs.emit(model, s.0, &mut src_out, &mut energy_out);
                        self.compute[s.0] = true;
                    }
                    self.live[s.0 / 64] |= 1 << (s.0 % 64);
                }
            }
            for s in g.members.iter().filter(|s| self.compute[s.0]) {
                scale_row(row_mut(&mut src_out, s.0), &k);
                for slot in model.source_slots[s.0].clone() {
                    scale_row(row_mut(&mut energy_out, slot), &k);
                }
            }
        }
        for (r, op) in model.removal_ops.iter().enumerate() {
            let out = row_mut(&mut rem_out, r);
            match op.basis {
                RemovalBasis::Fixed => out.fill(1.0),
                RemovalBasis::Flow(f) => {
                    bio_flow(
                        &model.ccs_flows[f],
                        model,
                        &self.mix_share,
                        &energy_out,
                        &mut self.bio,
                        out,
                    );
                }
                RemovalBasis::Land(l) => {
                    let lm = &model.land_management[l];
                    managed_drain(lm, &model.def0, &self.act, &self.def, p(lm.avoided.0), out);
                }
            }
            // × v·u(y), and nothing from the year the accounting stops counting it
            let v = p(op.value.0);
            let u = row(&self.adoption, op.measure.0);
            for (o, u) in out.chunks_exact_mut(B).zip(u.chunks_exact(B)) {
                for b in 0..B {
                    o[b] *= v[b] * u[b];
                }
            }
            if let Some(y) = op.counted_until {
                let from = (y * B).min(out.len());
                out[from..].fill(0.0);
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
    }

    /// Decides which sources this evaluation recomputes: those reached by a parameter whose
    /// value in some lane differs from `reference` (live), and those whose rows do not hold
    /// the reference values (not fresh). A split group's other members follow when its scale
    /// differs from the reference one.
    fn mark_sources(&mut self) {
        if self.reference.is_empty() {
            self.reference
                .extend(self.params.row(0).iter().map(|x| x.to_bits()));
            self.fresh.fill(false);
            self.split_ref.clear();
        }
        self.live.fill(0);
        for (k, (&r, lanes)) in self
            .reference
            .iter()
            .zip(flat(&self.lanes).chunks_exact(B))
            .enumerate()
        {
            if lanes.iter().any(|x| x.to_bits() != r) {
                self.reach.add_to(k, &mut self.live);
            }
        }
        for (s, (c, &fresh)) in self.compute.iter_mut().zip(&self.fresh).enumerate() {
            *c = is_set(&self.live, s) || !fresh;
        }
    }
}

/// The rows an evaluation writes in each array, to be reset to their starting values.
#[derive(Debug, Clone, Default)]
struct ResetPlan {
    /// Activity rows written by a measure (not those recomputed from a driver, which are
    /// rewritten whole, nor those with an uncertainty factor).
    act: Vec<usize>,
    int: Vec<usize>,
    def: Vec<usize>,
    cap: Vec<usize>,
    /// Per field (activity, intensity, direct EF): the rows with an uncertainty factor, and
    /// whether the row is scaled in place (recomputed from a driver) or reset as x0 · f.
    scaled: [Vec<(usize, bool)>; 3],
    share: Vec<usize>,
    ef: Vec<usize>,
    mix: Vec<usize>,
}

impl ResetPlan {
    fn of(model: &Model) -> ResetPlan {
        let ns = model.source_ids.len();
        let dynamic: Vec<bool> = {
            let mut d = vec![false; ns];
            for da in &model.dyn_activity {
                d[da.source.0] = true;
            }
            d
        };
        let mut factor = [vec![false; ns], vec![false; ns], vec![false; ns]];
        for f in &model.source_factors {
            factor[field_slot(f.field)][f.source.0] = true;
        }
        let mut written = [
            vec![false; ns],
            vec![false; ns],
            vec![false; ns],
            vec![false; ns],
        ];
        for op in &model.mult_ops {
            let k = match op.field {
                Field::Activity => 0,
                Field::Intensity => 1,
                Field::DirectEf => 2,
                Field::Capture => 3,
            };
            written[k][op.source.0] = true;
        }
        for op in &model.land_moves {
            written[0][op.from.0] = true;
            written[0][op.to.0] = true;
        }
        let rows = |k: usize| -> Vec<usize> {
            (0..ns)
                .filter(|&s| written[k][s] && !(k < 3 && factor[k][s]) && !(k == 0 && dynamic[s]))
                .collect()
        };
        let scaled = |k: usize| -> Vec<(usize, bool)> {
            (0..ns)
                .filter(|&s| factor[k][s])
                .map(|s| (s, k == 0 && dynamic[s]))
                .collect()
        };
        let sorted = |mut v: Vec<usize>| {
            v.sort_unstable();
            v.dedup();
            v
        };
        ResetPlan {
            act: rows(0),
            int: rows(1),
            def: rows(2),
            cap: rows(3),
            scaled: [scaled(0), scaled(1), scaled(2)],
            share: sorted(
                model
                    .fuel_switches
                    .iter()
                    .flat_map(|op| [op.from.0, op.to.0])
                    .collect(),
            ),
            ef: sorted(
                model
                    .carrier_factors
                    .iter()
                    .map(|f| f.carrier.0)
                    .chain(model.carrier_ops.iter().map(|op| op.carrier.0))
                    .collect(),
            ),
            mix: sorted(
                model
                    .mix_switches
                    .iter()
                    .flat_map(|op| [op.from.0, op.to.0])
                    .collect(),
            ),
        }
    }
}

/// The arrays a source's leaf and energy rows are computed from.
struct SourceInputs<'a> {
    act: &'a Array2<f64>,
    int: &'a Array2<f64>,
    def: &'a Array2<f64>,
    cap: &'a Array2<f64>,
    share: &'a Array2<f64>,
    ef: &'a Array2<f64>,
}

impl SourceInputs<'_> {
    /// Source `s`'s emission row (kt) and the energy rows of its slots (GWh), every lane.
    #[inline(always)]
    fn emit(
        &self,
        model: &Model,
        s: usize,
        src_out: &mut ArrayViewMut2<f64>,
        energy_out: &mut ArrayViewMut2<f64>,
    ) {
        let out = row_mut(src_out, s);
        let a = row(self.act, s);
        let def = row(self.def, s);
        if model.source_direct_only[s] {
            for ((o, a), d) in out.iter_mut().zip(a).zip(def) {
                *o = a * d / 1000.0;
            }
            return;
        }
        for ((o, a), d) in out.iter_mut().zip(a).zip(def) {
            *o = a * d;
        }
        let i = row(self.int, s);
        for slot in model.source_slots[s].clone() {
            let w = row(self.share, slot);
            let ef = row(self.ef, model.slot_carrier[slot].0);
            let e_out = row_mut(energy_out, slot);
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
        for (o, c) in out.iter_mut().zip(row(self.cap, s)) {
            *o *= c * 1e-3;
        }
    }
}

/// `out` = the biogenic CO2 (kt) of the fuels of `flow` burnt in each year and lane: each
/// carrier's captured biogenic CO2 per MWh (the fuel's `bio_ef`; a mix's or blend's
/// Σ share·input_per_output·that of its components), times the energy (GWh) of each slot that
/// burns it. Reads the slots' energy after the split groups' scaling.
fn bio_flow(
    flow: &crate::model::CcsFlow,
    model: &Model,
    mix_share: &Array2<f64>,
    energy: &ArrayViewMut2<f64>,
    bio: &mut Array2<f64>,
    out: &mut [f64],
) {
    for &(c, f) in &flow.fuels {
        row_mut(bio, c.0).fill(f);
    }
    for (mix, rows) in &flow.mixes {
        let (before, rest) = bio.view_mut().split_at(Axis(0), mix.0);
        let (mut target, after) = rest.split_at(Axis(0), 1);
        let target = row_mut(&mut target, 0);
        target.fill(0.0);
        for r in rows {
            let comp = &model.mix_components[r.0];
            let k = comp.carrier.0;
            let kbio = if k < mix.0 {
                row(&before, k)
            } else {
                row(&after, k - mix.0 - 1)
            };
            let ipo = comp.input_per_output;
            for ((t, s), e) in target.iter_mut().zip(row(mix_share, r.0)).zip(kbio) {
                *t += s * ipo * e;
            }
        }
    }
    out.fill(0.0);
    for slot in &flow.slots {
        let c = model.slot_carrier[slot.0].0;
        for ((o, e), x) in out.iter_mut().zip(row(energy, slot.0)).zip(row(bio, c)) {
            // GWh × t/MWh = kt
            *o += e * x;
        }
    }
}

/// `out` = the harvest drain (kt) left standing on the whole area of `lm`'s land categories
/// per unit of managed share: Σ area × avoided × max(0, drain_per_ha + flux − data flux) / 1000.
/// A sample whose flux per hectare is above the data's (a weaker sink) is read as one with a
/// larger harvest drain, so the same management leaves more standing.
fn managed_drain<const B: usize>(
    lm: &crate::model::LandManagementOp,
    def0: &ndarray::Array1<f64>,
    act: &Array2<f64>,
    def: &Array2<f64>,
    avoided: &[f64; B],
    out: &mut [f64],
) {
    out.fill(0.0);
    for s in &lm.sources {
        let d0 = def0[s.0];
        for ((o, a), d) in out
            .chunks_exact_mut(B)
            .zip(row(act, s.0).chunks_exact(B))
            .zip(row(def, s.0).chunks_exact(B))
        {
            for b in 0..B {
                let drain = (lm.drain_per_ha + d[b] - d0).max(0.0);
                o[b] += a[b] * avoided[b] * drain / 1000.0;
            }
        }
    }
}

/// Whether bit `i` of the bit set `bits` is set.
#[inline]
fn is_set(bits: &[u64], i: usize) -> bool {
    bits[i / 64] >> (i % 64) & 1 == 1
}

/// Copies rows `rows` of `from` into `to`.
fn copy_rows(rows: &[usize], from: &Array2<f64>, to: &mut Array2<f64>) {
    for &r in rows {
        row_mut(to, r).copy_from_slice(row(from, r));
    }
}

/// `out = x0 · f[lane]` (a copy when every factor is 1: × 1 changes no value).
#[inline]
fn scaled_copy<const B: usize>(x0: &[f64], f: &[f64; B], out: &mut [f64]) {
    if f.iter().all(|&f| f == 1.0) {
        out.copy_from_slice(x0);
        return;
    }
    for (o, x) in out.chunks_exact_mut(B).zip(x0.chunks_exact(B)) {
        for b in 0..B {
            o[b] = x[b] * f[b];
        }
    }
}

/// A row of `B` lanes as an array.
#[inline(always)]
fn lane_array<const B: usize>(lanes: &[f64]) -> &[f64; B] {
    lanes.try_into().expect("a row of B lanes")
}

/// Whether every lane holds the same value (bit for bit).
#[inline]
fn uniform(x: &[f64]) -> bool {
    x.iter().all(|v| v.to_bits() == x[0].to_bits())
}

/// The parameters a driver's path reads.
fn driver_params(plan: &DriverPlan) -> impl Iterator<Item = usize> + '_ {
    plan.growth.iter().chain(&plan.factors).map(|k| k.0)
}

/// `out[y·B + b] = src[y]` for every lane `b`.
fn broadcast(src: &[f64], out: &mut [f64]) {
    let b = out.len() / src.len().max(1);
    for (o, s) in out.chunks_exact_mut(b.max(1)).zip(src) {
        o.fill(*s);
    }
}

/// `out[y·B + b] = src[y]` for lane `b` only.
fn scatter(src: &[f64], out: &mut [f64], b: usize) {
    let lanes = out.len() / src.len().max(1);
    for (o, s) in out.chunks_exact_mut(lanes.max(1)).zip(src) {
        o[b] = *s;
    }
}

fn field_slot(field: Field) -> usize {
    match field {
        Field::Activity => 0,
        Field::Intensity => 1,
        Field::DirectEf | Field::Capture => 2,
    }
}

/// `row *= f[lane]`, skipped when every lane's factor is 1 (× 1 changes no value).
#[inline]
fn scale_row<const B: usize>(row: &mut [f64], f: &[f64; B]) {
    if f.iter().all(|&f| f == 1.0) {
        return;
    }
    for x in row.chunks_exact_mut(B) {
        for b in 0..B {
            x[b] *= f[b];
        }
    }
}

/// `row *= 1 − v[lane]·u` for every year and lane.
#[inline]
fn reduce_row<const B: usize>(row: &mut [f64], v: &[f64; B], u: &[f64]) {
    for (x, u) in row.chunks_exact_mut(B).zip(u.chunks_exact(B)) {
        for b in 0..B {
            x[b] *= 1.0 - v[b] * u[b];
        }
    }
}

/// moved = v·u·w[from]; w[from] −= moved; w[to] += moved·ratio — for every year and lane.
#[inline]
fn switch_rows<const B: usize>(
    from: &mut [f64],
    to: &mut [f64],
    v: &[f64; B],
    ratio: &[f64; B],
    u: &[f64],
) {
    for ((a, c), u) in from
        .chunks_exact_mut(B)
        .zip(to.chunks_exact_mut(B))
        .zip(u.chunks_exact(B))
    {
        for b in 0..B {
            let moved = v[b] * u[b] * a[b];
            a[b] -= moved;
            c[b] += moved * ratio[b];
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::{DataSource, load_region};
    use crate::engine::Workspace;
    use crate::engine::sampler::{Sampler, SamplerKind};
    use crate::model::compile;
    use crate::scenario::ScenarioLibrary;

    /// The three bundled scenarios (with the inventory's split group) on the embedded region.
    pub(crate) fn models() -> Vec<Model> {
        let region = load_region(&DataSource::Embedded).unwrap();
        let lib = ScenarioLibrary::bundled();
        ["baseline", "programme", "neutral2040"]
            .iter()
            .map(|n| compile(&region, &lib.resolve(n).unwrap()).unwrap())
            .collect()
    }

    /// Evaluates samples `first..first + lanes` as one block and one by one; every leaf and
    /// variable of every lane must have the same bits. The block workspace is reused from the
    /// blocks before, so that rows left over from them would show.
    fn same_as_scalar<const B: usize>(
        block: &mut BlockWorkspace<B>,
        model: &Model,
        sampler: &Sampler,
        first: u64,
        lanes: usize,
    ) {
        block.draw(model, sampler, first, lanes);
        let mut ws = Workspace::new(model);
        let mut p = model.central();
        let mut lane = vec![0.0; crate::engine::batch::cells(model)];
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for b in 0..lanes {
            let i = first + b as u64;
            crate::engine::batch::evaluate_sample(model, sampler, i, &mut ws, &mut p);
            block.lane_vars(b, &mut lane);
            assert_eq!(
                bits(&lane),
                bits(ws.vars_flat()),
                "{} sample {i}",
                model.scenario
            );
            let leaves: Vec<f64> = block.leaves_flat().chunks_exact(B).map(|l| l[b]).collect();
            assert_eq!(
                bits(&leaves),
                bits(ws.leaves_flat()),
                "{} sample {i}",
                model.scenario
            );
        }
    }

    /// Samples of the test batches.
    const N: u64 = 1000;

    fn blocks_same_as_scalar<const B: usize>(model: &Model, sampler: &Sampler, firsts: &[u64]) {
        let mut block = BlockWorkspace::<B>::new(model);
        for &first in firsts {
            let lanes = B.min((N - first) as usize);
            same_as_scalar(&mut block, model, sampler, first, lanes);
        }
    }

    #[test]
    fn every_lane_has_the_bits_of_a_scalar_evaluation() {
        for model in models() {
            let sampler = Sampler::new(&model, SamplerKind::MonteCarlo, 7, N);
            blocks_same_as_scalar::<1>(&model, &sampler, &[0, 1, 2]);
            blocks_same_as_scalar::<4>(&model, &sampler, &[3, 7, 500]);
            blocks_same_as_scalar::<8>(&model, &sampler, &[100, 108, 116]);
            // a last block of 5 samples padded to 16 lanes, after full ones
            blocks_same_as_scalar::<16>(&model, &sampler, &[16, 979, 995]);
            let lhs = Sampler::new(&model, SamplerKind::LatinHypercube, 1, N);
            blocks_same_as_scalar::<8>(&model, &lhs, &[0, 56, 992]);
        }
    }

    #[test]
    fn uniform_rows_are_computed_once_and_equal_the_per_lane_result() {
        // every lane at the central values except one measure value: drivers and adoption
        // curves are the same in every lane and take the once-per-block path
        for model in models() {
            let mut block = BlockWorkspace::<4>::new(&model);
            let k = model.measures[0].value.0;
            for b in 0..4 {
                block.lane_mut(b)[k] *= 0.25 * b as f64;
            }
            block.evaluate(&model);
            assert!(model.dyn_drivers.iter().all(|d| block.ratio_uniform[d.0]));
            let mut ws = Workspace::new(&model);
            let mut lane = vec![0.0; crate::engine::batch::cells(&model)];
            for b in 0..4 {
                ws.evaluate(&model, block.lane(b));
                ws.evaluate_variables(&model);
                block.lane_vars(b, &mut lane);
                assert_eq!(lane, ws.vars_flat(), "{} lane {b}", model.scenario);
            }
        }
    }

    #[test]
    fn padding_copies_lane_zero() {
        let model = &models()[0];
        let mut block = BlockWorkspace::<4>::new(model);
        block.lane_mut(0)[0] = 42.0;
        block.pad_from(2);
        assert_eq!(block.lane(2)[0], 42.0);
        assert_eq!(block.lane(3)[0], 42.0);
        // lane 1 is not padding: it keeps the central value
        assert_eq!(block.lane(1)[0], model.central()[0]);
    }
}
