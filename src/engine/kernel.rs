//! One parameter vector at a time: the block kernel ([`super::block`]) with a single lane.
//!
//! With one lane, the block kernel's `[row × year × lane]` arrays are `[row × year]`: the leaf
//! rows and variables are laid out as they are written (`results.csv` order), and every caller
//! that evaluates one parameter set (the central run, goal seek, the explorer, the difference
//! view, sampled Shapley walks) shares the arithmetic of the batches bit for bit.

use super::block::BlockWorkspace;
use crate::model::Model;

/// Preallocated arrays for one evaluation at a time (nothing allocates after construction).
#[derive(Debug, Clone)]
pub struct Workspace {
    block: BlockWorkspace<1>,
}

impl Workspace {
    /// Allocates everything a model needs.
    pub fn new(model: &Model) -> Workspace {
        Workspace {
            block: BlockWorkspace::new(model),
        }
    }

    /// After [`Workspace::evaluate`]: the first driver recomputed for the sample whose path is
    /// below zero or not finite, as (driver index, year index).
    pub fn bad_driver(&self, model: &Model) -> Option<(usize, usize)> {
        self.block.bad_driver_at(model, 0)
    }

    /// Evaluates the model at parameters `p` into the leaf rows.
    pub fn evaluate(&mut self, model: &Model, p: &[f64]) {
        self.block.lane_mut(0).copy_from_slice(p);
        self.block.evaluate_leaves(model);
    }

    /// Sums the leaf rows into the output variables.
    pub fn evaluate_variables(&mut self, model: &Model) {
        self.block.evaluate_variables(model);
    }

    /// One variable's row.
    pub fn var(&self, v: usize) -> &[f64] {
        let ny = self.block.ny();
        &self.vars_flat()[v * ny..(v + 1) * ny]
    }

    /// The leaf rows as one `[leaf × year]` slice, row after row.
    pub fn leaves_flat(&self) -> &[f64] {
        self.block.leaves_flat()
    }

    /// The variables as one `[variable × year]` slice, row after row.
    pub fn vars_flat(&self) -> &[f64] {
        self.block.vars_flat()
    }

    /// The variables and leaf rows, `[row × year]` each, row after row.
    pub fn into_flat(self) -> (Vec<f64>, Vec<f64>) {
        let (leaves, vars) = self.block.into_arrays();
        (
            vars.into_raw_vec_and_offset().0,
            leaves.into_raw_vec_and_offset().0,
        )
    }
}
