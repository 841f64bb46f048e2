//! Compiles a region and a scenario into dense arrays and a parameter table.
//!
//! Names are resolved to indices here, once; the [`crate::engine`] kernel then touches only
//! flat `f64` arrays laid out `[row × year]`.

mod adoption;
pub(crate) mod compile;
pub mod variables;

pub use adoption::Curve;
pub use compile::{compile, driver_ratio, glob_match};
pub use variables::{Variable, VariablePlan};

use crate::scenario::{MeasureKind, Pillar, ValueSpec};

/// One scenario value the model depends on: fixed, or drawn from a distribution in batches.
#[derive(Debug, Clone)]
pub struct Param {
    /// Stable name, e.g. `measure.ev_cars.value`, `uncertainty.road_activity`.
    pub name: String,
    /// Number or distribution.
    pub spec: ValueSpec,
    /// The central value (used by `run`).
    pub central: f64,
    /// Allowed range; draws are clamped to it.
    pub bounds: (f64, f64),
}

impl Param {
    /// Whether this value varies between samples.
    pub fn is_uncertain(&self) -> bool {
        match &self.spec {
            ValueSpec::Fixed(_) => false,
            ValueSpec::Dist(d) => {
                let (lo, hi) = d.support();
                lo < hi
            }
        }
    }
}

/// What the report and charts need to know of a measure.
#[derive(Debug, Clone)]
pub struct MeasureInfo {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Pillar.
    pub pillar: Pillar,
    /// Kind.
    pub kind: MeasureKind,
    /// Resolved target ids (sources or carriers), comma-joined.
    pub targets: String,
    /// Parameter of the value.
    pub value: usize,
    /// Parameter of the cost per tonne, if given.
    pub cost: Option<usize>,
    /// Adoption curve.
    pub curve: Curve,
    /// Parameter of the completion year (linear/logistic), if any.
    pub full: Option<usize>,
    /// The file it was defined in.
    pub file: String,
}

/// Which field of a source a multiplicative operation scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Activity.
    Activity,
    /// Energy intensity.
    Intensity,
    /// Direct emission factor.
    DirectEf,
    /// Share of emissions not captured.
    Capture,
}

/// `target row *= 1 − v·u(y)` for a measure.
#[derive(Debug, Clone, Copy)]
pub struct MultOp {
    /// Field.
    pub field: Field,
    /// Source index.
    pub source: usize,
    /// Measure index.
    pub measure: usize,
    /// Parameter index of v.
    pub value: usize,
}

/// A share switch (fuel_switch on slots, mix_switch on mix components).
#[derive(Debug, Clone, Copy)]
pub struct SwitchOp {
    /// Row moved from.
    pub from: usize,
    /// Row moved to.
    pub to: usize,
    /// Measure index.
    pub measure: usize,
    /// Parameter index of v.
    pub value: usize,
    /// Parameter index of the energy ratio (`None`: 1).
    pub ratio: Option<usize>,
}

/// A driver's path: static, or recomputed per sample.
#[derive(Debug, Clone)]
pub struct DriverPlan {
    /// Id.
    pub id: String,
    /// The path with data and `points` overrides, `[year]`.
    pub path: Vec<f64>,
    /// `growth` parameter: path = path[0]·(1+g)^t.
    pub growth: Option<usize>,
    /// Uncertainty factors on the change from the base year.
    pub factors: Vec<usize>,
}

/// Emission sources whose base-year total is held at its central value (times an optional total
/// factor) in every evaluation: their factors move the split between sectors, not the total.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitGroup {
    /// Group name (e.g. `inventory`).
    pub name: String,
    /// Member sources, sorted.
    pub members: Vec<usize>,
    /// Parameter scaling the group's total (`split:<name>` uncertainty), if any.
    pub total_factor: Option<usize>,
}

/// A measure left out of the model by the region's accounting rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ExcludedMeasure {
    /// Measure id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Why it does not count.
    pub reason: String,
}

/// A scenario compiled against a region.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Parent scenario, if any.
    pub extends: Option<String>,
    /// Region name.
    pub region: String,
    /// First year.
    pub base_year: i32,
    /// Number of years.
    pub ny: usize,
    /// The region's target.
    pub target: crate::data::Target,
    /// The region's interim milestones.
    pub milestones: Vec<crate::data::Milestone>,
    /// The region's accounting basis (region.toml `accounting`).
    pub accounting: Option<String>,
    /// Whether the region counts removals at EU ETS installations.
    pub count_ets_removals: bool,
    /// Measures of the scenario that the region's accounting leaves out (removals at ETS
    /// installations when `count_ets_removals` is false), with the reason.
    pub excluded: Vec<ExcludedMeasure>,
    /// Parameters; `params[i].central` is the central vector.
    pub params: Vec<Param>,
    /// Measures in application order.
    pub measures: Vec<MeasureInfo>,
    /// Source ids.
    pub source_ids: Vec<String>,
    /// Whether each source is a removal.
    pub source_is_removal: Vec<bool>,
    /// Base activity × driver ratio^elasticity `[source × year]` (static drivers).
    pub act0: Vec<f64>,
    /// Drivers whose path is recomputed per sample.
    pub dyn_drivers: Vec<usize>,
    /// Distinct (driver, elasticity) pairs of sources whose driver is recomputed per sample.
    pub dyn_pow: Vec<(usize, f64)>,
    /// Sources whose driver is recomputed per sample: (source, index into `dyn_pow`, activity).
    pub dyn_activity: Vec<(usize, usize, f64)>,
    /// Intensity × (1 + trend)^t `[source × year]`.
    pub int0: Vec<f64>,
    /// Direct EF per source.
    pub def0: Vec<f64>,
    /// Uncertainty factors on source fields: (field, source, param).
    pub source_factors: Vec<(Field, usize, usize)>,
    /// Split groups: the emission sources whose base-year total is held at its central value in
    /// every evaluation (see [`crate::scenario::UncertaintySpec::split`]), with the group names.
    pub split_groups: Vec<SplitGroup>,
    /// Measure operations on source fields, in declaration order.
    pub mult_ops: Vec<MultOp>,
    /// Carrier of each slot.
    pub slot_carrier: Vec<usize>,
    /// Slots of each source.
    pub source_slots: Vec<std::ops::Range<usize>>,
    /// Base share of each slot.
    pub slot_share: Vec<f64>,
    /// Fuel switches on slots, in order.
    pub fuel_switches: Vec<SwitchOp>,
    /// Carrier EF trajectories `[carrier × year]` (0 rows for mixes).
    pub ef0: Vec<f64>,
    /// Uncertainty factors on carrier EFs: (carrier, param).
    pub carrier_factors: Vec<(usize, usize)>,
    /// carrier_ef measures: (carrier, measure, value param).
    pub carrier_ops: Vec<(usize, usize, usize)>,
    /// Mix carriers in dependency order, each with its component rows.
    pub mixes: Vec<(usize, std::ops::Range<usize>)>,
    /// Mix component rows: (component carrier, base share, input per output).
    pub mix_components: Vec<(usize, f64, f64)>,
    /// Mix switches on component rows, in order.
    pub mix_switches: Vec<SwitchOp>,
    /// Energy of a blend slot by component: (slot, mix component row), one leaf row each.
    pub blend_leaves: Vec<(usize, usize)>,
    /// Removal measures: (measure, value param).
    pub removal_ops: Vec<(usize, usize)>,
    /// Drivers.
    pub drivers: Vec<DriverPlan>,
    /// Source → driver index, for sources with a driver.
    pub source_driver: Vec<Option<usize>>,
    /// Static adoption `[measure × year]` at central `full`.
    pub adoption0: Vec<f64>,
    /// Measures whose adoption is recomputed per sample (uncertain `full`).
    pub dyn_adoption: Vec<usize>,
    /// Number of carriers.
    pub n_carriers: usize,
    /// Output variables.
    pub variables: VariablePlan,
}

impl Model {
    /// The central parameter vector.
    pub fn central(&self) -> Vec<f64> {
        self.params.iter().map(|p| p.central).collect()
    }

    /// The modelled years.
    pub fn years(&self) -> impl Iterator<Item = i32> + use<> {
        let b = self.base_year;
        b..b + self.ny as i32
    }

    /// Index of the target year.
    pub fn target_index(&self) -> usize {
        (self.target.year - self.base_year) as usize
    }

    /// Number of output leaf rows: sources, removal measures, energy slots, blend components.
    pub fn n_leaves(&self) -> usize {
        self.source_ids.len()
            + self.removal_ops.len()
            + self.slot_carrier.len()
            + self.blend_leaves.len()
    }

    /// Indices of the parameters that vary between samples.
    pub fn uncertain_params(&self) -> Vec<usize> {
        (0..self.params.len())
            .filter(|&i| self.params[i].is_uncertain())
            .collect()
    }
}
