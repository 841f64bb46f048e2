//! Compiles a region and a scenario into dense arrays and a parameter table.
//!
//! Names are resolved to typed indices here, once; the [`crate::engine`] kernel then touches
//! only `ndarray` arrays laid out `[row × year]`.

mod adoption;
pub(crate) mod compile;
pub mod criteria;
mod ix;
pub mod potential;
pub(crate) mod rows;
mod settings;
pub mod variables;

use std::ops::Range;

use ndarray::{Array1, Array2};

pub use adoption::Curve;
pub use compile::{compile, driver_ratio, glob_match};
pub use criteria::{Criteria, Criterion};
pub use ix::{CarrierIx, DriverIx, MeasureIx, MixRowIx, ParamIx, PowerIx, SlotIx, SourceIx};
pub use settings::MeasureSetting;
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
    /// A measure's plan level: every value (drawn or central) is moved from `from` toward it by
    /// `at` (docs/scenario-format.md, `level`); the draws keep their place in the sample stream
    /// at every level, so that a plan's levels never change the other parameters' draws.
    pub level: Option<Level>,
}

/// A plan's level of a measure's value: `from + at · (x − from)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// The value at level 0.
    pub from: f64,
    /// The level, 0–1.
    pub at: f64,
}

impl Level {
    /// The value `x` taken to this level.
    pub fn apply(self, x: f64) -> f64 {
        self.from + self.at * (x - self.from)
    }
}

impl Param {
    /// A value of the parameter's distribution (or its fixed number), clamped to its range,
    /// taken to its level: what a sample of the model holds.
    pub fn leveled(&self, x: f64) -> f64 {
        let x = x.clamp(self.bounds.0, self.bounds.1);
        match self.level {
            Some(l) => l.apply(x),
            None => x,
        }
    }

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
    pub value: ParamIx,
    /// Parameter of the cost per tonne, if given.
    pub cost: Option<ParamIx>,
    /// Adoption curve.
    pub curve: Curve,
    /// Parameter of the completion year (linear/logistic), if any.
    pub full: Option<ParamIx>,
    /// The IAMC path under `Carbon Removal|` of the removal it adds (`removal`, `ccs`,
    /// `land_management`).
    pub removal_sector: Option<String>,
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

/// `target row *= 1 − v·u(y)` for a measure on a source field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MultOp {
    /// Field.
    pub field: Field,
    /// Source whose row it scales.
    pub source: SourceIx,
    /// Measure whose adoption row u it follows.
    pub measure: MeasureIx,
    /// Parameter of v.
    pub value: ParamIx,
}

/// A share switch between two rows of one share array: fuel_switch on energy slots
/// (`R` = [`SlotIx`]), mix_switch on mix component rows (`R` = [`MixRowIx`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwitchOp<R> {
    /// Row moved from.
    pub from: R,
    /// Row moved to.
    pub to: R,
    /// Measure whose adoption row u it follows.
    pub measure: MeasureIx,
    /// Parameter of v.
    pub value: ParamIx,
    /// Parameter of the energy ratio (`None`: 1).
    pub ratio: Option<ParamIx>,
}

/// `ef row *= 1 − v·u(y)`: a `carrier_ef` measure on one fuel carrier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CarrierOp {
    /// Carrier whose emission factor it scales.
    pub carrier: CarrierIx,
    /// Measure.
    pub measure: MeasureIx,
    /// Parameter of v.
    pub value: ParamIx,
}

/// What a removal row follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RemovalBasis {
    /// `removal`: v·u(y) kt, v in kt/yr.
    Fixed,
    /// `ccs`: v·u(y) × the biogenic CO2 of the captured fuels burnt that year
    /// (`Model::ccs_flows[i]`).
    Flow(usize),
    /// `land_management`: v·u(y) × the harvest drain left standing on the managed share of the
    /// land categories (`Model::land_management[i]`).
    Land(usize),
}

/// A removal measure's own sink row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RemovalOp {
    /// Measure.
    pub measure: MeasureIx,
    /// Parameter of v (kt/yr for `Fixed`, a fraction otherwise).
    pub value: ParamIx,
    /// What the row follows.
    pub basis: RemovalBasis,
    /// The first year index from which the region's accounting no longer counts the removal
    /// (an installation that joins the EU ETS), if any; 0: never counted.
    pub counted_until: Option<usize>,
}

/// Where a `ccs` measure's captured biogenic CO2 comes from: the fuels it captures, the mixes
/// and blends made from them, and the energy slots that burn either.
#[derive(Debug, Clone, PartialEq)]
pub struct CcsFlow {
    /// Each captured fuel with its biogenic CO2 per MWh (t/MWh).
    pub fuels: Vec<(CarrierIx, f64)>,
    /// Mixes and blends that contain a captured fuel (directly or through another), in
    /// dependency order, each with its component rows that do.
    pub mixes: Vec<(CarrierIx, Vec<MixRowIx>)>,
    /// The slots whose carrier is a captured fuel or one of those mixes.
    pub slots: Vec<SlotIx>,
}

/// A `land_management` measure's basis: the land categories it manages, with the harvest
/// drain per hectare and the share of it that stays.
#[derive(Debug, Clone, PartialEq)]
pub struct LandManagementOp {
    /// The land categories.
    pub sources: Vec<SourceIx>,
    /// Harvest drain per hectare at each category's data flux, t CO2/ha a year.
    pub drain_per_ha: f64,
    /// Parameter of the share of the drain that stays on a managed hectare.
    pub avoided: ParamIx,
}

/// An uncertainty factor on one field of one source (the whole row is scaled).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceFactor {
    /// Field: activity, intensity or direct EF.
    pub field: Field,
    /// Source.
    pub source: SourceIx,
    /// The factor's parameter.
    pub param: ParamIx,
}

/// An uncertainty factor on a fuel carrier's emission factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CarrierFactor {
    /// Carrier.
    pub carrier: CarrierIx,
    /// The factor's parameter.
    pub param: ParamIx,
}

/// A distinct (driver, elasticity) pair whose power ratio^elasticity is computed per sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriverPower {
    /// Driver recomputed per sample.
    pub driver: DriverIx,
    /// Elasticity of the sources that share this row.
    pub elasticity: f64,
}

/// A source whose activity follows a driver recomputed per sample:
/// `act[source] = activity · pow[power]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynActivity {
    /// Source.
    pub source: SourceIx,
    /// Its row of driver powers.
    pub power: PowerIx,
    /// Base-year activity.
    pub activity: f64,
}

/// A mix or blend carrier and its component rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    /// The mix carrier.
    pub carrier: CarrierIx,
    /// Its rows of `Model::mix_components` (a [`MixRowIx`] range).
    pub rows: Range<usize>,
}

/// One component of a mix carrier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixComponent {
    /// Component carrier.
    pub carrier: CarrierIx,
    /// Base share of the mix's output.
    pub share: f64,
    /// MWh of the component per MWh of the mix.
    pub input_per_output: f64,
}

/// The energy of a blend slot by one component: a leaf row of its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlendLeaf {
    /// The slot that uses the blend.
    pub slot: SlotIx,
    /// The blend's component row.
    pub row: MixRowIx,
}

/// A driver's path: static, or recomputed per sample.
#[derive(Debug, Clone)]
pub struct DriverPlan {
    /// Id.
    pub id: String,
    /// The path with data and `points` overrides, `[year]`.
    pub path: Vec<f64>,
    /// `growth` parameter: path = path[0]·(1+g)^t.
    pub growth: Option<ParamIx>,
    /// Uncertainty factors on the change from the base year.
    pub factors: Vec<ParamIx>,
}

/// Emission sources whose base-year total is held at its central value (times an optional total
/// factor) in every evaluation: their factors move the split between sectors, not the total.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitGroup {
    /// Group name (e.g. `inventory`).
    pub name: String,
    /// Member sources, sorted.
    pub members: Vec<SourceIx>,
    /// Parameter scaling the group's total (`split:<name>` uncertainty), if any.
    pub total_factor: Option<ParamIx>,
    /// Where the group is first named (the `split` key of its first factor): an error located
    /// there, for the checks made once the model is evaluated.
    pub named_at: Box<crate::error::InputError>,
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
    /// Whether the whole measure is left out (a `removal` at an ETS installation from the
    /// base year on), rather than its removal from some year.
    pub whole: bool,
}

/// A scenario compiled against a region.
///
/// Dense data are `ndarray` arrays with one row per source, carrier, slot, mix row or measure
/// and one column per year (standard layout: a row is contiguous). Operations name their rows
/// with typed indices ([`SourceIx`], [`CarrierIx`], [`ParamIx`] …). See docs/model.md, "The
/// model's layout".
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
    /// The region's target criteria as one list (target, milestones, budget).
    pub criteria: criteria::Criteria,
    /// The region's accounting basis (region.toml `accounting`).
    pub accounting: Option<String>,
    /// Whether the region counts removals at EU ETS installations.
    pub count_ets_removals: bool,
    /// Measures of the scenario that the region's accounting leaves out (removals at ETS
    /// installations when `count_ets_removals` is false), with the reason.
    pub excluded: Vec<ExcludedMeasure>,
    /// Parameters by [`ParamIx`]; `params[i].central` is the central vector.
    pub params: Vec<Param>,
    /// Measures in application order, by [`MeasureIx`].
    pub measures: Vec<MeasureInfo>,
    /// Source ids, by [`SourceIx`].
    pub source_ids: Vec<String>,
    /// Whether each source's activity is an area in hectares.
    pub source_in_ha: Vec<bool>,
    /// Whether each source's row is activity × direct EF alone (a sink or a land category,
    /// in kt), rather than an emission source's energy and process emissions.
    pub source_direct_only: Vec<bool>,
    /// Base activity × driver ratio^elasticity `[source × year]` (static drivers).
    pub act0: Array2<f64>,
    /// Drivers whose path is recomputed per sample.
    pub dyn_drivers: Vec<DriverIx>,
    /// Distinct (driver, elasticity) pairs of sources whose driver is recomputed per sample.
    pub dyn_pow: Vec<DriverPower>,
    /// Sources whose driver is recomputed per sample.
    pub dyn_activity: Vec<DynActivity>,
    /// Intensity × (1 + trend)^t `[source × year]`.
    pub int0: Array2<f64>,
    /// Direct EF `[source]`, as in the data (a `land_management` reads a sample's flux
    /// against it).
    pub def0: Array1<f64>,
    /// Uncertainty factors on source fields.
    pub source_factors: Vec<SourceFactor>,
    /// Split groups: the emission sources whose base-year total is held at its central value in
    /// every evaluation (see [`crate::scenario::UncertaintySpec::split`]), with the group names.
    pub split_groups: Vec<SplitGroup>,
    /// Measure operations on source fields, in declaration order.
    pub mult_ops: Vec<MultOp>,
    /// Carrier of each slot, by [`SlotIx`].
    pub slot_carrier: Vec<CarrierIx>,
    /// Slots of each source (a [`SlotIx`] range), by [`SourceIx`].
    pub source_slots: Vec<Range<usize>>,
    /// Base share of each slot `[slot]`.
    pub slot_share: Array1<f64>,
    /// Fuel switches on slots, in order.
    pub fuel_switches: Vec<SwitchOp<SlotIx>>,
    /// Carrier EF trajectories `[carrier × year]` (0 rows for mixes).
    pub ef0: Array2<f64>,
    /// Uncertainty factors on carrier EFs.
    pub carrier_factors: Vec<CarrierFactor>,
    /// carrier_ef measures.
    pub carrier_ops: Vec<CarrierOp>,
    /// Mix carriers in dependency order, each with its component rows.
    pub mixes: Vec<Mix>,
    /// Mix component rows, by [`MixRowIx`].
    pub mix_components: Vec<MixComponent>,
    /// Mix switches on component rows, in order.
    pub mix_switches: Vec<SwitchOp<MixRowIx>>,
    /// Energy of a blend slot by component, one leaf row each.
    pub blend_leaves: Vec<BlendLeaf>,
    /// Removal measures, each with a leaf row of its own.
    pub removal_ops: Vec<RemovalOp>,
    /// What the `ccs` removals follow.
    pub ccs_flows: Vec<CcsFlow>,
    /// What the `land_management` removals follow.
    pub land_management: Vec<LandManagementOp>,
    /// Land-use changes: hectares moved between land categories (activity rows), in order.
    pub land_moves: Vec<SwitchOp<SourceIx>>,

    /// Drivers, by [`DriverIx`].
    pub drivers: Vec<DriverPlan>,
    /// Source → driver, for sources with a driver.
    pub source_driver: Vec<Option<DriverIx>>,
    /// Static adoption `[measure × year]` at central `full`.
    pub adoption0: Array2<f64>,
    /// Measures whose adoption is recomputed per sample (uncertain `full`).
    pub dyn_adoption: Vec<MeasureIx>,
    /// Number of carriers.
    pub n_carriers: usize,
    /// Carrier ids, by [`CarrierIx`].
    pub carrier_ids: Vec<String>,
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
