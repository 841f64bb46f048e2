//! Decision support: which measures matter (Shapley attribution, wedges), what they cost (MACC),
//! how far a measure must go to reach the target (goal seek), and which uncertainties drive the
//! result (Sobol indices, Morris screening), and under which conditions the target fails (PRIM
//! scenario discovery).
//!
//! The methods and formulas are documented in `docs/decision-support.md`. Nothing here knows of
//! the command line; `crate::cli` calls these functions and writes their CSV output.

pub mod difference;
pub mod goalseek;
pub mod macc;
pub mod morris;
pub mod prim;
pub mod shapley;
pub mod sobol;

pub use difference::{DIFFERENCE_CSV, Difference, difference, difference_csv};
pub use goalseek::{Goal, GoalSeek, Lever, goal_seek};
pub use macc::{Macc, MaccRow, macc, macc_csv};
pub use shapley::{Attribution, ShapleyMethod, ShapleyOptions, attribute, wedges_csv};
pub use sobol::{
    MAX_SOBOL_VALUES, SensitivityRow, SobolIndex, SobolOptions, model_sensitivity, sensitivity_csv,
    sobol, sobol_with, uncertain_count,
};

use crate::engine::block::{BLOCK, BlockWorkspace};
use crate::model::Model;

pub use crate::output::schema::{
    DISCOVERY_CSV, DISCOVERY_TRAJECTORY_CSV, MACC_CSV, MORRIS_CSV, SENSITIVITY_CSV, WEDGES_CSV,
};

/// Sums variable `v`'s leaf rows into `out[year]`, in the same order as
/// [`crate::model::Variable::plus`] lists them (to the last bit it may differ from the
/// child-first sums of `results.csv`).
pub(crate) fn variable_row(model: &Model, v: usize, leaves: &[f64], out: &mut [f64]) {
    variable_rows(model, v, leaves, out);
}

/// [`variable_row`] for leaf rows of any length (`out.len()`): `[year × lane]` rows of the block
/// kernel give every lane's row, each value summed in the same order.
pub(crate) fn variable_rows(model: &Model, v: usize, leaves: &[f64], out: &mut [f64]) {
    let len = out.len();
    let var = &model.variables.vars[v];
    let idx = &model.variables.flat_index;
    out.fill(0.0);
    for &l in &idx[var.plus.clone()] {
        let src = &leaves[l as usize * len..(l as usize + 1) * len];
        for (o, x) in out.iter_mut().zip(src) {
            *o += x;
        }
    }
    for &l in &idx[var.minus.clone()] {
        let src = &leaves[l as usize * len..(l as usize + 1) * len];
        for (o, x) in out.iter_mut().zip(src) {
            *o -= x;
        }
    }
}

/// Variable `v` in year index `y` (same summation order as [`variable_row`]).
pub(crate) fn variable_at(model: &Model, v: usize, leaves: &[f64], y: usize) -> f64 {
    variable_at_in(model, v, leaves, model.ny, y)
}

/// [`variable_at`] at index `i` of leaf rows `len` values long (`[year × lane]` rows of the
/// block kernel: i = year · lanes + lane).
pub(crate) fn variable_at_in(model: &Model, v: usize, leaves: &[f64], len: usize, i: usize) -> f64 {
    let var = &model.variables.vars[v];
    let idx = &model.variables.flat_index;
    let mut s = 0.0;
    for &l in &idx[var.plus.clone()] {
        s += leaves[l as usize * len + i];
    }
    for &l in &idx[var.minus.clone()] {
        s -= leaves[l as usize * len + i];
    }
    s
}

/// A model's uncertain parameters as inputs on the unit hypercube, for the sensitivity methods:
/// input i is parameter `params[i]` drawn as `Dist::quantile(u_i)` clamped to its bounds, every
/// other parameter at its central value; the output is target-year net emissions.
pub(crate) struct UnitInputs<'m> {
    model: &'m Model,
    params: Vec<(usize, crate::scenario::Dist, (f64, f64))>,
    net: usize,
}

impl<'m> UnitInputs<'m> {
    /// The uncertain parameters of `model` (`model.uncertain_params()`).
    pub(crate) fn of(model: &'m Model) -> UnitInputs<'m> {
        UnitInputs {
            model,
            params: model
                .uncertain_params()
                .into_iter()
                .filter_map(|i| {
                    let p = &model.params[i];
                    p.spec.dist().map(|d| (i, d.clone(), p.bounds))
                })
                .collect(),
            net: crate::engine::TotalRows::of(model).net,
        }
    }

    /// Number of inputs.
    pub(crate) fn len(&self) -> usize {
        self.params.len()
    }

    /// The inputs' parameter names.
    pub(crate) fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.params
            .iter()
            .map(|(i, _, _)| self.model.params[*i].name.clone())
    }

    /// One worker's state: a block workspace.
    pub(crate) fn state(&self) -> BlockWorkspace<BLOCK> {
        BlockWorkspace::new(self.model)
    }

    /// Target-year net emissions at the unit points `points` (`[point × input]`) into `out`,
    /// [`BLOCK`] points per pass of the block kernel (allocation-free). Returns whether every
    /// point gave a meaningful model: no driver below zero, every value finite and below ±1e15.
    pub(crate) fn nets_at(
        &self,
        ws: &mut BlockWorkspace<BLOCK>,
        points: &[f64],
        out: &mut [f64],
    ) -> bool {
        let k = self.params.len().max(1);
        let len = self.model.ny * BLOCK;
        let t = self.model.target_index();
        let mut ok = true;
        for (pts, out) in points.chunks(k * BLOCK).zip(out.chunks_mut(BLOCK)) {
            let lanes = out.len();
            for (b, u) in pts.chunks(k).enumerate() {
                let p = ws.lane_mut(b);
                for ((i, dist, _), &u) in self.params.iter().zip(u) {
                    p[*i] = self.model.params[*i].leveled(dist.quantile(u));
                }
            }
            ws.pad_from(lanes);
            ws.evaluate_leaves(self.model);
            ok &= ws.bad_driver_lane(self.model, lanes).is_none();
            for (b, o) in out.iter_mut().enumerate() {
                *o = variable_at_in(self.model, self.net, ws.leaves_flat(), len, t * BLOCK + b);
                ok &= o.is_finite() && o.abs() < crate::data::MAX_ABS_VALUE;
            }
        }
        ok
    }
}

/// Sorts rows by `key` descending, ties by `name`: the order of the sensitivity tables.
pub(crate) fn sort_by_influence<R>(
    rows: &mut [R],
    key: impl Fn(&R) -> f64,
    name: impl Fn(&R) -> &str,
) {
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)).then_with(|| name(a).cmp(name(b))));
}

pub(crate) use crate::output::csv_bytes;

#[cfg(test)]
pub(crate) mod testutil {
    //! Compiles scenarios written inline against the tiny test region.
    use crate::data::{DataSource, load_region};
    use crate::model::{Model, compile};
    use crate::scenario::ScenarioLibrary;

    /// Writes `toml` as `<name>.toml` in a temporary folder and compiles it against the tiny region.
    pub fn tiny_model(name: &str, toml: &str) -> Model {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(format!("{name}.toml")), toml).unwrap();
        let region = load_region(&DataSource::Dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny"),
        ))
        .unwrap();
        let sc = ScenarioLibrary::from_dir(dir.path())
            .unwrap()
            .resolve(name)
            .unwrap();
        compile(&region, &sc).unwrap()
    }
}
