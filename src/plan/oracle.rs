//! What the search asks of the model: which samples a portfolio of levels meets, and by how
//! much (docs/decision-support.md §7).

use crate::error::Result;

/// Which samples meet the criteria for a portfolio of levels.
pub trait Oracle: Sync {
    /// Of `samples` (ascending indices), those that meet the criteria when candidate c is at
    /// level `levels[c]`, ascending.
    fn met(&self, levels: &[u8], samples: &[u32]) -> Result<Vec<u32>>;

    /// Whether at least `count` of `samples` meet the criteria at `levels`. The answer is that
    /// of [`Oracle::met`]; an oracle may stop evaluating as soon as it is decided (enough met,
    /// or too many missed for the rest to make up).
    fn at_least(&self, levels: &[u8], samples: &[u32], count: u32) -> Result<bool> {
        Ok(self.met(levels, samples)?.len() as u32 >= count)
    }

    /// How many criteria a sample is judged on (0: the oracle gives no margins).
    fn criteria(&self) -> usize {
        0
    }

    /// Each sample's margin on each criterion at `levels` — the figure minus its limit, met
    /// when every margin is ≤ 0 — `[sample × criterion]` in the order of `samples`; None when
    /// the oracle gives only verdicts (then only the separable bound is used).
    fn margins(&self, _levels: &[u8], _samples: &[u32]) -> Result<Option<Vec<f64>>> {
        Ok(None)
    }
}
