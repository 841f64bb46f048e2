//! Adoption curves u(y) ∈ [0, 1] (DESIGN §4).

/// A compiled adoption curve; `full` years may be sampled, so they are passed in.
#[derive(Debug, Clone, PartialEq)]
pub enum Curve {
    /// 0 for y ≤ start, 1 for y ≥ full, linear between.
    Linear {
        /// Start year.
        start: f64,
    },
    /// Normalised logistic with steepness `k` between start and full.
    Logistic {
        /// Start year.
        start: f64,
        /// Steepness.
        k: f64,
    },
    /// 0 before `year`, 1 from it.
    Step {
        /// The year.
        year: f64,
    },
    /// Linear between points, held outside.
    Table {
        /// Sorted points.
        points: Vec<(i32, f64)>,
    },
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Curve {
    /// Adoption in `year`, with the completion year `full` (ignored by step and table).
    ///
    /// ```
    /// use kymsim::model::Curve;
    /// let c = Curve::Linear { start: 2020.0 };
    /// assert_eq!(c.at(2025.0, 2030.0), 0.5);
    /// ```
    pub fn at(&self, year: f64, full: f64) -> f64 {
        match self {
            Curve::Linear { start } => ((year - start) / (full - start)).clamp(0.0, 1.0),
            Curve::Logistic { start, k } => {
                let x = ((year - start) / (full - start)).clamp(0.0, 1.0);
                if x == 0.0 || x == 1.0 {
                    return x;
                }
                let lo = sigmoid(-k / 2.0);
                let hi = sigmoid(k / 2.0);
                ((sigmoid(k * (x - 0.5)) - lo) / (hi - lo)).clamp(0.0, 1.0)
            }
            Curve::Step { year: y0 } => {
                if year >= *y0 {
                    1.0
                } else {
                    0.0
                }
            }
            Curve::Table { points } => crate::data::interpolate(points, year),
        }
    }

    /// Fills `out[i]` with adoption in year `first_year + i`.
    pub fn fill(&self, first_year: i32, full: f64, out: &mut [f64]) {
        if let Curve::Logistic { start, k } = self {
            // the normalising ends do not depend on the year: compute them once
            let lo = sigmoid(-k / 2.0);
            let scale = 1.0 / (sigmoid(k / 2.0) - lo);
            let span = full - start;
            for (i, u) in out.iter_mut().enumerate() {
                let x = (((first_year + i as i32) as f64 - start) / span).clamp(0.0, 1.0);
                *u = if x == 0.0 {
                    0.0
                } else if x == 1.0 {
                    1.0
                } else {
                    ((sigmoid(k * (x - 0.5)) - lo) * scale).clamp(0.0, 1.0)
                };
            }
            return;
        }
        for (i, u) in out.iter_mut().enumerate() {
            *u = self.at((first_year + i as i32) as f64, full);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear() {
        let c = Curve::Linear { start: 2022.0 };
        // (2026 − 2022)/(2030 − 2022) = 0.5
        assert_eq!(c.at(2026.0, 2030.0), 0.5);
        assert_eq!(c.at(2022.0, 2030.0), 0.0);
        assert_eq!(c.at(2010.0, 2030.0), 0.0);
        assert_eq!(c.at(2031.0, 2030.0), 1.0);
    }

    #[test]
    fn logistic_hits_ends_and_midpoint() {
        let c = Curve::Logistic {
            start: 2020.0,
            k: 8.0,
        };
        assert_eq!(c.at(2020.0, 2040.0), 0.0);
        assert!((c.at(2040.0, 2040.0) - 1.0).abs() < 1e-15);
        // symmetric: the midpoint is exactly 0.5
        assert!((c.at(2030.0, 2040.0) - 0.5).abs() < 1e-15);
        // x = 0.25: σ(−2) = 0.119202922, σ(−4) = 0.017986210, σ(4) = 0.982013790
        // u = (0.119202922 − 0.017986210)/(0.982013790 − 0.017986210) = 0.104993585
        assert!((c.at(2025.0, 2040.0) - 0.104993585).abs() < 1e-8);
    }

    #[test]
    fn step_and_table() {
        let s = Curve::Step { year: 2030.0 };
        assert_eq!(s.at(2029.0, 0.0), 0.0);
        assert_eq!(s.at(2030.0, 0.0), 1.0);
        let t = Curve::Table {
            points: vec![(2025, 0.1), (2035, 0.6)],
        };
        assert_eq!(t.at(2020.0, 0.0), 0.1);
        // 0.1 + (0.6 − 0.1)·(2030 − 2025)/10 = 0.35
        assert!((t.at(2030.0, 0.0) - 0.35).abs() < 1e-15);
        assert_eq!(t.at(2040.0, 0.0), 0.6);
    }
}
