//! Yearly trajectories given at a few points: linear between them, held outside.

/// Points `(year, value)` sorted by year, at least one.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    points: Vec<(i32, f64)>,
}

impl Trajectory {
    /// A trajectory from points sorted by strictly increasing year (checked by the loaders).
    pub fn new(points: Vec<(i32, f64)>) -> Trajectory {
        debug_assert!(!points.is_empty());
        debug_assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        Trajectory { points }
    }

    /// A constant.
    pub fn constant(year: i32, value: f64) -> Trajectory {
        Trajectory {
            points: vec![(year, value)],
        }
    }

    /// The points.
    pub fn points(&self) -> &[(i32, f64)] {
        &self.points
    }

    /// The value in `year` (fractional years allowed): linear between points, held outside.
    ///
    /// ```
    /// use kymsim::data::Trajectory;
    /// let t = Trajectory::new(vec![(2020, 10.0), (2030, 20.0)]);
    /// assert_eq!(t.at(2025.0), 15.0);
    /// assert_eq!(t.at(2010.0), 10.0);
    /// assert_eq!(t.at(2040.0), 20.0);
    /// ```
    pub fn at(&self, year: f64) -> f64 {
        interpolate(&self.points, year)
    }
}

/// Linear interpolation over sorted `(year, value)` points, held outside their range.
pub fn interpolate(points: &[(i32, f64)], year: f64) -> f64 {
    let (first, last) = (points[0], points[points.len() - 1]);
    if year <= first.0 as f64 {
        return first.1;
    }
    if year >= last.0 as f64 {
        return last.1;
    }
    let i = points.partition_point(|p| (p.0 as f64) <= year);
    let (y0, v0) = points[i - 1];
    let (y1, v1) = points[i];
    v0 + (v1 - v0) * (year - y0 as f64) / (y1 - y0) as f64
}
