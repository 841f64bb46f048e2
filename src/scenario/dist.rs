//! Values that are either a number or a probability distribution.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A probability distribution of a scenario value.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on [min, max] with its peak at `mode`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal, optionally truncated to [min, max].
    Normal {
        /// Mean (of the untruncated distribution).
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
        /// Truncation below.
        min: Option<f64>,
        /// Truncation above.
        max: Option<f64>,
    },
    /// Lognormal: exp of a normal with mean ln(median) and sd `sigma`, optionally truncated to
    /// [min, max].
    Lognormal {
        /// Median (of the untruncated distribution, > 0).
        median: f64,
        /// sd of the log (> 0).
        sigma: f64,
        /// Truncation below.
        min: Option<f64>,
        /// Truncation above.
        max: Option<f64>,
    },
}

/// A normal(`mean`, `sd`) truncated to [`lo`, `hi`] (infinite: no bound), with the CDF at its
/// bounds computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Truncated {
    mean: f64,
    sd: f64,
    lo: f64,
    hi: f64,
    /// Φ at the bounds.
    a: f64,
    b: f64,
}

impl Truncated {
    fn new(mean: f64, sd: f64, lo: f64, hi: f64) -> Truncated {
        let cdf = |x: f64| {
            if x == f64::NEG_INFINITY {
                0.0
            } else if x == f64::INFINITY {
                1.0
            } else {
                normal_cdf((x - mean) / sd)
            }
        };
        let (a, b) = (cdf(lo), cdf(hi));
        Truncated {
            mean,
            sd,
            lo,
            hi,
            a,
            b,
        }
    }

    /// The untruncated quantile of `Φ(lo) + p·(Φ(hi) − Φ(lo))`, clamped into the bounds against
    /// rounding.
    #[inline]
    fn quantile(&self, p: f64) -> f64 {
        let x = self.mean + self.sd * normal_quantile(self.a + p * (self.b - self.a));
        x.max(self.lo).min(self.hi)
    }
}

/// A distribution's inverse CDF with everything that does not depend on the probability
/// computed once (the CDF at truncation bounds), for samplers that draw the same distribution
/// many times; [`Dist::quantile`] prepares and draws once.
#[derive(Debug, Clone, PartialEq)]
pub enum Prepared {
    /// Uniform or triangular: nothing to compute ahead.
    Direct(Dist),
    /// Normal, truncated to its bounds.
    Normal(Truncated),
    /// Lognormal: X = median·exp(sigma·Z), Z a standard normal truncated to
    /// [(ln min − ln median)/sigma, (ln max − ln median)/sigma] (min ≤ 0 is no bound below);
    /// untruncated, Z = Φ⁻¹(p).
    Lognormal {
        /// Median and sd of the log.
        median: f64,
        sigma: f64,
        /// Truncation bounds (infinite where absent).
        lo: f64,
        hi: f64,
        /// Z.
        z: Truncated,
    },
}

impl Prepared {
    /// The value at probability `p` ∈ (0, 1).
    #[inline]
    pub fn quantile(&self, p: f64) -> f64 {
        match self {
            Prepared::Normal(t) => t.quantile(p),
            &Prepared::Lognormal {
                median,
                sigma,
                lo,
                hi,
                ref z,
            } => {
                let x = median * (sigma * z.quantile(p)).exp();
                x.max(lo.max(0.0)).min(hi)
            }
            &Prepared::Direct(Dist::Uniform { min, max }) => min + p * (max - min),
            &Prepared::Direct(Dist::Triangular { min, mode, max }) => {
                if max == min {
                    return min;
                }
                let fc = (mode - min) / (max - min);
                if p < fc {
                    min + (p * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
                }
            }
            // `Dist::prepare` makes these `Normal` and `Lognormal`
            Prepared::Direct(d @ (Dist::Normal { .. } | Dist::Lognormal { .. })) => {
                d.prepare().quantile(p)
            }
        }
    }
}

/// A lognormal's truncation bounds in the space of its standard normal.
fn log_bounds(median: f64, sigma: f64, lo: f64, hi: f64) -> (f64, f64) {
    let z = |b: f64| (b.ln() - median.ln()) / sigma;
    let z_lo = if lo > 0.0 { z(lo) } else { f64::NEG_INFINITY };
    let z_hi = if hi.is_finite() { z(hi) } else { f64::INFINITY };
    (z_lo, z_hi)
}

/// Truncation bounds as an interval (infinite where absent).
fn bounds(min: Option<f64>, max: Option<f64>) -> (f64, f64) {
    (
        min.unwrap_or(f64::NEG_INFINITY),
        max.unwrap_or(f64::INFINITY),
    )
}

/// Checks optional truncation bounds: finite, and min < max when both are given.
fn check_bounds(kind: &str, min: Option<f64>, max: Option<f64>) -> Result<(), String> {
    for (name, v) in [("min", min), ("max", max)] {
        if let Some(v) = v
            && !v.is_finite()
        {
            return Err(format!("`{name}` must be a finite number"));
        }
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo >= hi
    {
        return Err(format!("{kind} truncation needs min < max, got {lo}, {hi}"));
    }
    Ok(())
}

/// A number or a distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSpec {
    /// A fixed number.
    Fixed(f64),
    /// A distribution.
    Dist(Dist),
}

impl<'de> Deserialize<'de> for ValueSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a distribution table such as { dist = \"uniform\", min = 0.2, max = 0.4 }")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Fixed(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Fixed(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Fixed(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ValueSpec, A::Error> {
                Dist::deserialize(de::value::MapAccessDeserializer::new(map)).map(ValueSpec::Dist)
            }
        }
        d.deserialize_any(V)
    }
}

impl Dist {
    /// The distribution's name as a scenario writes it (`dist = "triangular"`).
    ///
    /// ```
    /// use kymsim::scenario::Dist;
    /// assert_eq!(Dist::Uniform { min: 0.1, max: 0.3 }.name(), "uniform");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Uniform { .. } => "uniform",
            Dist::Triangular { .. } => "triangular",
            Dist::Normal { .. } => "normal",
            Dist::Lognormal { .. } => "lognormal",
        }
    }

    /// The central value used by `run`: mean of uniform and normal, mode of triangular,
    /// median of lognormal. A truncated normal or lognormal keeps the central value of the
    /// untruncated distribution, clamped into [min, max].
    pub fn central(&self) -> f64 {
        match *self {
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { mode, .. } => mode,
            Dist::Normal { mean, min, max, .. } => {
                let (lo, hi) = bounds(min, max);
                mean.max(lo).min(hi)
            }
            Dist::Lognormal {
                median, min, max, ..
            } => {
                let (lo, hi) = bounds(min, max);
                median.max(lo).min(hi)
            }
        }
    }

    /// Lowest and highest possible value (infinite where unbounded).
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } => (min, max),
            Dist::Normal { min, max, .. } => bounds(min, max),
            Dist::Lognormal { min, max, .. } => {
                let (lo, hi) = bounds(min, max);
                (lo.max(0.0), hi)
            }
        }
    }

    /// Checks the parameters; the message names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let finite = |name: &str, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(format!("`{name}` must be a finite number"))
            }
        };
        match *self {
            Dist::Uniform { min, max } => {
                finite("min", min)?;
                finite("max", max)?;
                if min > max {
                    return Err(format!(
                        "uniform needs min ≤ max, got min = {min}, max = {max}"
                    ));
                }
            }
            Dist::Triangular { min, mode, max } => {
                finite("min", min)?;
                finite("mode", mode)?;
                finite("max", max)?;
                if !(min <= mode && mode <= max) {
                    return Err(format!(
                        "triangular needs min ≤ mode ≤ max, got {min}, {mode}, {max}"
                    ));
                }
            }
            Dist::Normal { mean, sd, min, max } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if sd <= 0.0 {
                    return Err(format!("normal needs sd > 0, got {sd}"));
                }
                check_bounds("normal", min, max)?;
                let (lo, hi) = bounds(min, max);
                // keep at least a sliver of probability inside the truncation
                if mean + 6.0 * sd < lo || mean - 6.0 * sd > hi {
                    return Err(format!(
                        "normal(mean = {mean}, sd = {sd}) has almost no probability within [{lo}, {hi}]"
                    ));
                }
            }
            Dist::Lognormal {
                median,
                sigma,
                min,
                max,
            } => {
                finite("median", median)?;
                finite("sigma", sigma)?;
                if median <= 0.0 {
                    return Err(format!("lognormal needs median > 0, got {median}"));
                }
                if sigma <= 0.0 {
                    return Err(format!("lognormal needs sigma > 0, got {sigma}"));
                }
                check_bounds("lognormal", min, max)?;
                if let Some(hi) = max
                    && hi <= 0.0
                {
                    return Err(format!(
                        "lognormal values are > 0, so max must be > 0, got {hi}"
                    ));
                }
                // as for the normal: at least a sliver of probability inside, in log space
                let (lo, hi) = bounds(min, max);
                let (m, s) = (median.ln(), 6.0 * sigma);
                if (lo > 0.0 && m + s < lo.ln()) || m - s > hi.ln() {
                    return Err(format!(
                        "lognormal(median = {median}, sigma = {sigma}) has almost no probability within [{lo}, {hi}]"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The value at probability `p` ∈ (0, 1) (inverse CDF). Used by the samplers.
    pub fn quantile(&self, p: f64) -> f64 {
        self.prepare().quantile(p)
    }

    /// This distribution with its truncation's CDF values computed once, for many draws.
    pub fn prepare(&self) -> Prepared {
        match *self {
            Dist::Normal { mean, sd, min, max } => {
                let (lo, hi) = bounds(min, max);
                Prepared::Normal(Truncated::new(mean, sd, lo, hi))
            }
            Dist::Lognormal {
                median,
                sigma,
                min,
                max,
            } => {
                let (lo, hi) = bounds(min, max);
                let (z_lo, z_hi) = log_bounds(median, sigma, lo, hi);
                Prepared::Lognormal {
                    median,
                    sigma,
                    lo,
                    hi,
                    z: Truncated::new(0.0, 1.0, z_lo, z_hi),
                }
            }
            Dist::Uniform { .. } | Dist::Triangular { .. } => Prepared::Direct(self.clone()),
        }
    }
}

impl ValueSpec {
    /// The central value.
    pub fn central(&self) -> f64 {
        match self {
            ValueSpec::Fixed(v) => *v,
            ValueSpec::Dist(d) => d.central(),
        }
    }

    /// Lowest and highest possible value.
    pub fn support(&self) -> (f64, f64) {
        match self {
            ValueSpec::Fixed(v) => (*v, *v),
            ValueSpec::Dist(d) => d.support(),
        }
    }

    /// The distribution, if the value is uncertain.
    pub fn dist(&self) -> Option<&Dist> {
        match self {
            ValueSpec::Fixed(_) => None,
            ValueSpec::Dist(d) => Some(d),
        }
    }
}

/// Standard normal CDF (via erfc; absolute error below 1e-15 in double precision is not needed —
/// this is accurate to ~1e-7, plenty for truncation bounds).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    // Numerical Recipes erfcc (Chebyshev), fractional error < 1.2e-7
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Standard normal quantile (Acklam's algorithm with one Halley refinement; ~1e-15 relative).
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239e0,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838e0,
        -2.549732539343734e0,
        4.374664141464968e0,
        2.938163982698783e0,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996e0,
        3.754408661907416e0,
    ];
    let plow = 0.02425;
    let x = if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // one Halley step against a precise erfc would need a precise erfc; Acklam alone is ~1.15e-9
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_values() {
        assert_eq!(Dist::Uniform { min: 0.2, max: 0.6 }.central(), 0.4);
        assert_eq!(
            Dist::Triangular {
                min: 0.5,
                mode: 0.7,
                max: 0.85
            }
            .central(),
            0.7
        );
        assert_eq!(
            Dist::Normal {
                mean: 1.0,
                sd: 0.1,
                min: None,
                max: None
            }
            .central(),
            1.0
        );
        assert_eq!(
            Dist::Lognormal {
                median: 2.0,
                sigma: 0.3,
                min: None,
                max: None
            }
            .central(),
            2.0
        );
    }

    fn lognormal(median: f64, sigma: f64, min: Option<f64>, max: Option<f64>) -> Dist {
        Dist::Lognormal {
            median,
            sigma,
            min,
            max,
        }
    }

    #[test]
    fn truncated_lognormal_central_value_is_the_median_clamped() {
        // a fraction: median 0.1 lies inside [0, 1], so the central value is the median
        assert_eq!(lognormal(0.1, 0.3, None, Some(1.0)).central(), 0.1);
        // median 2 above max 1.5: clamped to 1.5; median 0.2 below min 0.5: clamped to 0.5
        assert_eq!(lognormal(2.0, 0.3, None, Some(1.5)).central(), 1.5);
        assert_eq!(lognormal(0.2, 1.0, Some(0.5), None).central(), 0.5);
        assert_eq!(lognormal(0.1, 0.3, None, Some(1.0)).support(), (0.0, 1.0));
        assert_eq!(
            lognormal(0.1, 0.3, Some(-1.0), None).support(),
            (0.0, f64::INFINITY)
        );
    }

    #[test]
    fn truncated_lognormal_quantiles_follow_the_truncated_cdf() {
        // median 1, sigma 1, truncated below at 1 = the median: the upper half of the
        // untruncated distribution. Φ(0) = 0.5, so p = 0.5 maps to q = 0.5 + 0.5·(1 − 0.5) = 0.75
        // and X = exp(Φ⁻¹(0.75)) = exp(0.6744897502) = 1.963031
        let d = lognormal(1.0, 1.0, Some(1.0), None);
        assert!(
            (d.quantile(0.5) - 1.963031).abs() < 1e-5,
            "{}",
            d.quantile(0.5)
        );
        // p → 0 gives the bound itself
        assert!((d.quantile(1e-12) - 1.0).abs() < 1e-6);
        // untruncated quantiles are unchanged by the optional bounds: median·exp(σ·Φ⁻¹(p))
        let u = lognormal(2.0, 0.5, None, None);
        assert_eq!(u.quantile(0.9), 2.0 * (0.5 * normal_quantile(0.9)).exp());
    }

    #[test]
    fn truncated_lognormal_samples_stay_in_range_and_increase() {
        let d = lognormal(0.1, 0.8, Some(0.02), Some(0.3));
        let mut last = 0.0;
        for i in 0..=1000 {
            let p = (i as f64 / 1000.0).clamp(1e-12, 1.0 - 1e-12);
            let x = d.quantile(p);
            assert!((0.02..=0.3).contains(&x), "p = {p}: {x}");
            assert!(x >= last, "not increasing at p = {p}");
            last = x;
        }
        // the fraction of the issue: samples in (0, 1]
        let f = lognormal(0.1, 0.3, None, Some(1.0));
        assert!(f.quantile(1.0 - 1e-12) <= 1.0);
        assert!(f.quantile(1e-12) > 0.0);
    }

    #[test]
    fn bad_lognormal_truncations_are_named() {
        let err = |d: Dist| d.check().unwrap_err();
        assert!(err(lognormal(0.1, 0.3, None, Some(0.0))).contains("max must be > 0"));
        assert!(err(lognormal(0.1, 0.3, Some(0.5), Some(0.2))).contains("needs min < max"));
        // ln 0.1 + 6·0.1 = −1.70 < ln 10 = 2.30: no probability above 10
        assert!(err(lognormal(0.1, 0.1, Some(10.0), None)).contains("almost no probability"));
        assert!(err(lognormal(0.1, 0.3, Some(f64::NAN), None)).contains("finite"));
        assert!(lognormal(0.1, 0.3, None, Some(1.0)).check().is_ok());
    }

    #[test]
    fn prepared_quantiles_have_the_bits_of_the_direct_ones() {
        let dists = [
            Dist::Uniform { min: 1.0, max: 3.0 },
            Dist::Triangular {
                min: 0.0,
                mode: 0.2,
                max: 2.0,
            },
            Dist::Normal {
                mean: 1.0,
                sd: 0.3,
                min: None,
                max: None,
            },
            Dist::Normal {
                mean: 1.0,
                sd: 0.3,
                min: Some(0.5),
                max: Some(1.2),
            },
            Dist::Normal {
                mean: 0.0,
                sd: 2.0,
                min: None,
                max: Some(0.5),
            },
            Dist::Lognormal {
                median: 2.0,
                sigma: 0.5,
                min: None,
                max: None,
            },
            Dist::Lognormal {
                median: 2.0,
                sigma: 0.5,
                min: Some(1.0),
                max: Some(5.0),
            },
            Dist::Lognormal {
                median: 2.0,
                sigma: 0.5,
                min: Some(-1.0),
                max: None,
            },
        ];
        for d in &dists {
            let prepared = d.prepare();
            for i in 0..=1000 {
                // 0.0005 … 0.9995 and the extremes of the open interval
                let p = ((i as f64 + 0.5) / 1001.0).clamp(1e-12, 1.0 - 1e-12);
                assert_eq!(
                    prepared.quantile(p).to_bits(),
                    d.quantile(p).to_bits(),
                    "{d:?} at {p}"
                );
            }
        }
    }

    #[test]
    fn quantiles_invert_known_cdfs() {
        // triangular(0, 1, 2) is symmetric: median 1; P(X < 0.5) = 0.5²/2 = 0.125
        let t = Dist::Triangular {
            min: 0.0,
            mode: 1.0,
            max: 2.0,
        };
        assert!((t.quantile(0.5) - 1.0).abs() < 1e-12);
        assert!((t.quantile(0.125) - 0.5).abs() < 1e-12);
        // standard normal: Φ⁻¹(0.975) = 1.959963985
        assert!((normal_quantile(0.975) - 1.959963985).abs() < 1e-8);
        assert!((normal_cdf(1.959963985) - 0.975).abs() < 1e-7);
        // lognormal median 2: quantile(0.5) = 2
        assert!(
            (Dist::Lognormal {
                median: 2.0,
                sigma: 0.5,
                min: None,
                max: None
            }
            .quantile(0.5)
                - 2.0)
                .abs()
                < 1e-12
        );
        // truncated normal stays inside its bounds
        let n = Dist::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(-0.5),
            max: Some(0.5),
        };
        assert!(n.quantile(1e-9) >= -0.5 && n.quantile(1.0 - 1e-9) <= 0.5);
    }

    #[test]
    fn bad_parameters_are_named() {
        assert!(
            Dist::Triangular {
                min: 1.0,
                mode: 0.5,
                max: 2.0
            }
            .check()
            .unwrap_err()
            .contains("min ≤ mode ≤ max")
        );
        assert!(
            Dist::Normal {
                mean: 0.0,
                sd: 0.0,
                min: None,
                max: None
            }
            .check()
            .unwrap_err()
            .contains("sd > 0")
        );
        assert!(Dist::Uniform { min: 2.0, max: 1.0 }.check().is_err());
        assert!(
            Dist::Lognormal {
                median: -1.0,
                sigma: 0.1,
                min: None,
                max: None
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn a_distribution_is_named_as_a_scenario_writes_it() {
        for text in [
            "dist = \"uniform\"\nmin = 0.1\nmax = 0.3",
            "dist = \"triangular\"\nmin = 0.1\nmode = 0.2\nmax = 0.3",
            "dist = \"normal\"\nmean = 0.2\nsd = 0.05",
            "dist = \"lognormal\"\nmedian = 0.2\nsigma = 0.1",
        ] {
            let d: Dist = toml::from_str(text).unwrap();
            let written = text.split('"').nth(1).unwrap();
            assert_eq!(d.name(), written);
        }
    }

    #[test]
    fn parses_number_or_table() {
        #[derive(Deserialize)]
        struct T {
            a: ValueSpec,
            b: ValueSpec,
        }
        let t: T =
            toml::from_str("a = 3\nb = { dist = \"uniform\", min = 0.1, max = 0.3 }").unwrap();
        assert_eq!(t.a, ValueSpec::Fixed(3.0));
        assert_eq!(t.b, ValueSpec::Dist(Dist::Uniform { min: 0.1, max: 0.3 }));
        let e = toml::from_str::<T>("a = 3\nb = { dist = \"uniform\", min = 0.1, mx = 0.3 }")
            .err()
            .unwrap();
        assert!(e.message().contains("mx"), "{}", e.message());
        // a truncated lognormal, as for a fraction
        let t: T = toml::from_str(
            "a = 3\nb = { dist = \"lognormal\", median = 0.1, sigma = 0.3, max = 1.0 }",
        )
        .unwrap();
        assert_eq!(t.b, ValueSpec::Dist(lognormal(0.1, 0.3, None, Some(1.0))));
    }
}
