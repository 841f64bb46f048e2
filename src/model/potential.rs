//! How much of its physical potential each measure uses: two measures cannot act on more
//! hectares, or more of a source, fuel or land category, than exists.
//!
//! A measure's claim is its value wherever the value is a share of something physical:
//!
//! | kind | what it claims a share of | claims added over |
//! | --- | --- | --- |
//! | `activity` on a source measured in `ha` | the source's hectares | every such measure and `land_use_change` on the source |
//! | `land_use_change` | the `from` category's hectares (and those of the sources on them) | as above |
//! | `land_management` | the target category's area | every `land_management` on the category |
//! | `capture` | the target's emissions | every `capture` on the source |
//! | `ccs` | the CO2 of the captured fuel | every `ccs` on the fuel |
//!
//! `activity` on other units, `efficiency`, `process`, `fuel_switch`, `mix_switch` and
//! `carrier_ef` scale what earlier measures left (their effects multiply, so together they never
//! take more than the whole), and a `removal`'s value is kt a year with no physical stock in the
//! data: they claim nothing here. The claims on one thing may add up to at most 1; the check uses
//! each value at its upper end (a distribution's maximum, or its 1 − 3·10⁻⁷ quantile, ≈ 5 sd
//! above a normal's mean, when it has none), so that no sample overlaps.

use super::{Field, Model};
use crate::scenario::{MeasureKind, ValueSpec};

/// What of a source or carrier measures claim shares of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimOn {
    /// A land category's or a source's hectares (land-use change, activity in ha).
    Hectares,
    /// A source's emissions, by capture.
    Capture,
    /// A land category's area, by land management.
    ManagedArea,
    /// A fuel's CO2, by CCS.
    Co2,
}

impl ClaimOn {
    /// The English words before the id (`hectares` of …).
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimOn::Hectares => "hectares",
            ClaimOn::Capture => "emissions (capture)",
            ClaimOn::ManagedArea => "managed area",
            ClaimOn::Co2 => "CO2",
        }
    }
}

/// One thing measures claim shares of.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// What is claimed, e.g. `hectares of agriculture.fields.organic`, `CO2 of municipal_waste`.
    pub what: String,
    /// What of it is claimed.
    pub on: ClaimOn,
    /// The source's or carrier's id.
    pub id: String,
    /// The measures claiming a share, with their values at the centre and at the upper end.
    pub by: Vec<(usize, f64, f64)>,
}

impl Claim {
    /// Σ of the claims at the central values.
    pub fn central(&self) -> f64 {
        self.by.iter().map(|c| c.1).sum()
    }

    /// Σ of the claims at their upper ends.
    pub fn upper(&self) -> f64 {
        self.by.iter().map(|c| c.2).sum()
    }
}

/// A measure's share of its physical potential: the largest total claimed on anything it acts
/// on (itself included), at the central values and at the upper ends.
#[derive(Debug, Clone, PartialEq)]
pub struct PotentialUse {
    /// The measure's index.
    pub measure: usize,
    /// What it shares most ([`Claim::what`]); `None` when the kind claims nothing.
    pub what: Option<String>,
    /// [`Claim::on`] and [`Claim::id`] of that claim.
    pub claim: Option<(ClaimOn, String)>,
    /// Σ claims on it at the central values.
    pub central: f64,
    /// Σ claims on it at the upper ends.
    pub upper: f64,
}

/// The quantile taken as the upper end of a distribution with no maximum.
const UPPER_P: f64 = 1.0 - 3e-7;

/// The upper end of a value, within its bounds.
fn upper(spec: &ValueSpec, bound: f64) -> f64 {
    let hi = match spec {
        ValueSpec::Fixed(v) => *v,
        ValueSpec::Dist(d) => {
            let (_, hi) = d.support();
            if hi.is_finite() {
                hi
            } else {
                d.quantile(UPPER_P)
            }
        }
    };
    hi.min(bound)
}

/// Every claim of the model's measures, in the order first claimed.
pub fn claims(model: &Model) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    let mut add = |on: ClaimOn, id: &str, measure: usize| {
        let p = &model.params[model.measures[measure].value.0];
        let c = (measure, p.central, upper(&p.spec, p.bounds.1));
        let what = format!("{} of {id}", on.as_str());
        match out.iter_mut().find(|x| x.what == what) {
            Some(x) => {
                if !x.by.iter().any(|b| b.0 == measure) {
                    x.by.push(c);
                }
            }
            None => out.push(Claim {
                what,
                on,
                id: id.to_string(),
                by: vec![c],
            }),
        }
    };
    let source = |s: usize| model.source_ids[s].as_str();
    for op in &model.land_moves {
        add(ClaimOn::Hectares, source(op.from.0), op.measure.0);
    }
    for op in &model.mult_ops {
        let on = match op.field {
            Field::Activity if model.source_in_ha[op.source.0] => ClaimOn::Hectares,
            Field::Capture => ClaimOn::Capture,
            _ => continue,
        };
        add(on, source(op.source.0), op.measure.0);
    }
    for (op, lm) in model.removal_ops.iter().filter_map(|op| match op.basis {
        super::RemovalBasis::Land(l) => Some((op, &model.land_management[l])),
        _ => None,
    }) {
        for s in &lm.sources {
            add(ClaimOn::ManagedArea, source(s.0), op.measure.0);
        }
    }
    for op in &model.carrier_ops {
        if model.measures[op.measure.0].kind == MeasureKind::Ccs {
            add(ClaimOn::Co2, &model.carrier_ids[op.carrier.0], op.measure.0);
        }
    }
    out
}

/// Each measure's use of its physical potential, in measure order.
pub fn potential_use(model: &Model) -> Vec<PotentialUse> {
    let claims = claims(model);
    (0..model.measures.len())
        .map(|m| {
            let most = claims
                .iter()
                .filter(|c| c.by.iter().any(|b| b.0 == m))
                .max_by(|a, b| a.upper().total_cmp(&b.upper()));
            PotentialUse {
                measure: m,
                what: most.map(|c| c.what.clone()),
                claim: most.map(|c| (c.on, c.id.clone())),
                central: most.map_or(0.0, Claim::central),
                upper: most.map_or(0.0, Claim::upper),
            }
        })
        .collect()
}

/// The first claim whose total at the upper ends exceeds the whole, with the measure that
/// pushed it over.
pub fn first_overclaim(model: &Model) -> Option<(Claim, usize)> {
    claims(model).into_iter().find_map(|c| {
        let mut sum = 0.0;
        for b in &c.by {
            sum += b.2;
            if sum > 1.0 + 1e-9 {
                return Some((c.clone(), b.0));
            }
        }
        None
    })
}

/// What to do about an overclaim: the hint of its error.
pub const OVERCLAIM_HINT: &str = "two measures cannot act on the same hectares or the same share of a source: lower their values, or let one act on what the other leaves (`kymsim validate` lists each measure's share of its potential)";

/// The message refusing `claim`, a claim over the whole: what is claimed, by whom, how much.
pub fn overclaim_message(model: &Model, claim: &Claim) -> String {
    let names: Vec<String> = claim
        .by
        .iter()
        .map(|b| format!("`{}` {}", model.measures[b.0].id, pct(b.2)))
        .collect();
    format!(
        "measures claim {} of the {} at their upper values ({}): more than there is",
        pct(claim.upper()),
        claim.what,
        names.join(" + ")
    )
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}
