//! The region dataset: types, loading from CSV/TOML (embedded or a folder), validation.
//!
//! The files and their columns are described in `docs/data-format.md`.

mod load;
mod read;
mod table;
mod trajectory;

use std::path::PathBuf;

pub use load::{DataSource, load_region};
pub use read::carrier_mix::mix_order;
pub(crate) use read::load_toml_error;
pub use read::sources::{MAX_FLUX_PER_UNIT, SOURCES_COLUMNS, SOURCES_OPTIONAL};
pub use table::{MAX_ABS_VALUE, Row, Table, field_column, field_column_with, nth_line};
pub use trajectory::{Trajectory, interpolate};

/// Whether a source emits or removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Emits greenhouse gases.
    Emission,
    /// A sink: removes CO2 (reported as a positive removal).
    Removal,
    /// A land category of the land balance (forest land on mineral soils, cultivated organic
    /// soils, …): an area in hectares with a net flux per hectare, positive when the land emits
    /// and negative when it removes (reported under `Emissions|Land Use`, added to net
    /// emissions, not to gross).
    Land,
}

impl SourceKind {
    /// The word used in `sources.csv` and in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Emission => "emission",
            SourceKind::Removal => "removal",
            SourceKind::Land => "land",
        }
    }
}

/// An emission source or sink.
#[derive(Debug, Clone)]
pub struct Source {
    /// Dotted id, e.g. `transport.road.cars`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Finnish name (`name_fi`), if given.
    pub name_fi: Option<String>,
    /// IAMC sub-path, e.g. `Transport|Road|Passenger Cars`.
    pub sector: String,
    /// Finnish sector path (`sector_fi`, part by part as `sector`), if given.
    pub sector_fi: Option<String>,
    /// Emission or removal.
    pub kind: SourceKind,
    /// Unit of `activity`.
    pub activity_unit: String,
    /// Base-year activity.
    pub activity: f64,
    /// Index into [`Region::drivers`], if the activity follows a driver.
    pub driver: Option<usize>,
    /// Elasticity of activity to the driver.
    pub elasticity: f64,
    /// MWh of final energy per unit of activity.
    pub intensity: f64,
    /// Autonomous yearly change of intensity (−0.01 = −1 %/yr).
    pub intensity_trend: f64,
    /// t CO2e per unit of activity (process emissions, or removal per unit for sinks, or the
    /// net flux per hectare of a land category: + emits, − removes).
    pub direct_ef: f64,
    /// The land category (index into [`Region::sources`], a `land` source) whose hectares this
    /// area-based source lies on (`land` column): its area counts there, not again in the land
    /// balance, and a land-use change on that category moves its hectares too.
    pub land: Option<usize>,
    /// Where the numbers come from.
    pub provenance: String,
}

/// Whether a carrier has its own emission factor or one computed from a production mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarrierKind {
    /// Own EF (possibly a trajectory).
    Fuel,
    /// EF from components (e.g. district heat).
    Mix,
    /// A blend of fuels sold as one product (e.g. petrol with ethanol): EF from its components
    /// like a mix (each with `input_per_output` 1), and final energy reported by component.
    Blend,
}

impl CarrierKind {
    /// Mixes and blends: carriers whose EF comes from components in `carrier_mix.csv`.
    pub fn is_composite(self) -> bool {
        matches!(self, CarrierKind::Mix | CarrierKind::Blend)
    }
}

/// An energy carrier.
#[derive(Debug, Clone)]
pub struct Carrier {
    /// Id, e.g. `diesel`.
    pub id: String,
    /// Display name used in output variables.
    pub name: String,
    /// Finnish name (`name_fi`), if given.
    pub name_fi: Option<String>,
    /// Fuel, mix or blend.
    pub kind: CarrierKind,
    /// For fuels: the EF trajectory (t CO2e/MWh). For mixes and blends: empty.
    pub ef: Option<Trajectory>,
    /// For fuels: biogenic CO2 released per MWh burnt (t/MWh, `bio_ef`), not counted in `ef`;
    /// a `ccs` measure that captures it makes a removal. 0 for fossil fuels, mixes and blends.
    pub bio_ef: f64,
    /// Where the numbers come from.
    pub provenance: String,
}

/// A base-year share of a carrier in a source's final energy.
#[derive(Debug, Clone)]
pub struct EnergyShare {
    /// Index into [`Region::sources`].
    pub source: usize,
    /// Index into [`Region::carriers`].
    pub carrier: usize,
    /// Share, 0–1; a source's shares sum to 1.
    pub share: f64,
}

/// A component of a mix carrier's production.
#[derive(Debug, Clone)]
pub struct MixComponent {
    /// The mix carrier (index into [`Region::carriers`]).
    pub carrier: usize,
    /// The component carrier.
    pub component: usize,
    /// Share of the mix produced from this component; a mix's shares sum to 1.
    pub share: f64,
    /// MWh of component per MWh of the mix.
    pub input_per_output: f64,
}

/// A driver trajectory (population, freight volume, …).
#[derive(Debug, Clone)]
pub struct Driver {
    /// Id, e.g. `population`.
    pub id: String,
    /// The data trajectory.
    pub trajectory: Trajectory,
}

/// A historical inventory figure.
#[derive(Debug, Clone)]
pub struct HistoryPoint {
    /// Year.
    pub year: i32,
    /// `Total` or an IAMC sector path.
    pub sector: String,
    /// kt CO2e.
    pub kt: f64,
    /// Whether the figure comes from a source independent of the model's own data (`basis =
    /// independent`, the default) or is a reconstruction from the same figures the sources are
    /// built from (`basis = reconstructed`): `validate` compares the model only with the former.
    pub independent: bool,
    /// Where it comes from.
    pub provenance: String,
}

/// The region's target (Kymenlaakso: −80 % from 1990 and net zero in 2040).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Target year.
    pub year: i32,
    /// Reference year of `reference_kt`.
    pub reference_year: i32,
    /// Gross emissions in the reference year, kt CO2e.
    pub reference_kt: f64,
    /// Gross emissions may be at most this fraction of `reference_kt` (if set).
    pub max_gross_fraction: Option<f64>,
    /// Net emissions must be ≤ 0.
    pub net_zero: bool,
}

impl Target {
    /// The gross limit in kt, if there is one.
    pub fn gross_limit_kt(&self) -> Option<f64> {
        self.max_gross_fraction.map(|f| f * self.reference_kt)
    }
}

/// An interim milestone (e.g. Hinku's −80 % from 2007 by 2030): a ceiling on gross emissions.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    /// The year it applies to.
    pub year: i32,
    /// Gross emissions may be at most this, kt CO2e (the tighter of `max_gross_kt` and the
    /// reduction from the reference year's history total).
    pub gross_limit_kt: f64,
    /// How the limit was set, for reports (e.g. `−80 % from 2007`).
    pub basis: String,
}

/// What a carbon budget counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetBasis {
    /// Gross emissions (`Emissions|Kyoto Gases`).
    Gross,
    /// Net emissions (`Net Emissions|Kyoto Gases`).
    Net,
}

impl BudgetBasis {
    /// The word region.toml uses: `gross` or `net`.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetBasis::Gross => "gross",
            BudgetBasis::Net => "net",
        }
    }
}

/// A carbon budget (`[budget]` in region.toml): the emissions the region may still release from
/// `from_year` through the target year, summed year by year.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// The first year counted.
    pub from_year: i32,
    /// The budget, kt CO2e, from `from_year` through the target year inclusive.
    pub kt: f64,
    /// What is counted: gross or net emissions.
    pub basis: BudgetBasis,
    /// Where the figure comes from, or how it was derived.
    pub source: String,
}

/// A land category left out of the model by the region's accounting (`[[uncounted_land]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct UncountedLand {
    /// The land source's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Why the accounting leaves it out, as region.toml states it.
    pub reason: String,
}

/// A region dataset, validated.
#[derive(Debug, Clone)]
pub struct Region {
    /// Region name (the IAMC `region`).
    pub name: String,
    /// NUTS 3 code.
    pub code: String,
    /// First modelled year; the base-year values are for this year.
    pub base_year: i32,
    /// Last modelled year.
    pub end_year: i32,
    /// Accounting framework of the totals (e.g. `Hinku`).
    pub accounting: Option<String>,
    /// Which municipalities the figures cover.
    pub boundary: Option<String>,
    /// Free description.
    pub description: Option<String>,
    /// The target.
    pub target: Target,
    /// Interim milestones, by year.
    pub milestones: Vec<Milestone>,
    /// The carbon budget, if region.toml states one.
    pub budget: Option<Budget>,
    /// Land area in hectares, if stated: area-based sources (activity unit `ha`) must fit in it.
    pub land_area_ha: Option<f64>,
    /// Whether removals at installations in the EU emissions trading system count (Hinku: no,
    /// since their emissions are outside the accounting).
    pub count_ets_removals: bool,
    /// Land categories the region's accounting leaves out of net emissions
    /// (`[[uncounted_land]]` in region.toml), with the reason: they are not among `sources`.
    pub uncounted_land: Vec<UncountedLand>,
    /// Language of the charts, the report and the printed tables (`lang` in region.toml;
    /// `--lang` overrides it).
    pub lang: Option<crate::lang::Lang>,
    /// Sources and sinks, in file order.
    pub sources: Vec<Source>,
    /// Carriers, in file order.
    pub carriers: Vec<Carrier>,
    /// Base-year energy shares.
    pub energy_mix: Vec<EnergyShare>,
    /// Mix carriers' production mixes.
    pub carrier_mix: Vec<MixComponent>,
    /// Drivers.
    pub drivers: Vec<Driver>,
    /// Historical inventory.
    pub history: Vec<HistoryPoint>,
    /// The files read, with their hashes (for the manifest).
    pub inputs: Vec<(String, String)>,
    /// The folder it came from (`None` when embedded).
    pub dir: Option<PathBuf>,
    /// The text of `SOURCES.md`, if present (for the report).
    pub sources_md: Option<String>,
}

impl Region {
    /// Number of modelled years.
    pub fn n_years(&self) -> usize {
        (self.end_year - self.base_year + 1) as usize
    }

    /// The modelled years.
    pub fn years(&self) -> impl Iterator<Item = i32> + use<> {
        self.base_year..=self.end_year
    }

    /// Index of a source by id.
    pub fn source_index(&self, id: &str) -> Option<usize> {
        self.sources.iter().position(|s| s.id == id)
    }

    /// Index of a carrier by id.
    pub fn carrier_index(&self, id: &str) -> Option<usize> {
        self.carriers.iter().position(|c| c.id == id)
    }

    /// Index of a driver by id.
    pub fn driver_index(&self, id: &str) -> Option<usize> {
        self.drivers.iter().position(|d| d.id == id)
    }

    /// The target path: gross emissions falling in straight lines from `base_kt` in the base
    /// year through each milestone's limit to the target year's gross limit, one value per year
    /// from the base year to the target year (a milestone at or before the base year, or after
    /// the target year, is not on it). `None` when the target sets no gross limit. Callers pass
    /// the base-year inventory ([`Region::base_inventory_kt`]) or, without one, the model's
    /// base-year gross. A milestone stricter than the target-year limit makes the path rise
    /// after it: the path joins the stated limits and invents none.
    pub fn target_path(&self, base_kt: f64) -> Option<Vec<(i32, f64)>> {
        let end = self.target.gross_limit_kt()?;
        let mut points = vec![(self.base_year, base_kt)];
        let mut ms: Vec<&Milestone> = self
            .milestones
            .iter()
            .filter(|m| m.year > self.base_year && m.year < self.target.year)
            .collect();
        ms.sort_by_key(|m| m.year);
        points.extend(ms.iter().map(|m| (m.year, m.gross_limit_kt)));
        points.push((self.target.year, end));
        let path = (self.base_year..=self.target.year)
            .map(|y| {
                let i = points.iter().rposition(|p| p.0 <= y).unwrap_or(0);
                let (y0, v0) = points[i];
                let value = match points.get(i + 1) {
                    Some(&(y1, v1)) => v0 + (v1 - v0) * f64::from(y - y0) / f64::from(y1 - y0),
                    None => v0,
                };
                (y, value)
            })
            .collect();
        Some(path)
    }

    /// Every prefix of every source's sector path with its Finnish name (from `sector_fi`); the
    /// first source naming a path decides.
    pub fn sector_names_fi(&self) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        for s in &self.sources {
            let Some(fi) = &s.sector_fi else { continue };
            let (en, fi): (Vec<&str>, Vec<&str>) =
                (s.sector.split('|').collect(), fi.split('|').collect());
            for k in 1..=en.len().min(fi.len()) {
                out.entry(en[..k].join("|"))
                    .or_insert_with(|| fi[..k].join("|"));
            }
        }
        out
    }

    /// The inventory's total gross emissions in the base year (history.csv `Total`), if given.
    pub fn base_inventory_kt(&self) -> Option<f64> {
        self.history
            .iter()
            .find(|h| h.year == self.base_year && h.sector == "Total")
            .map(|h| h.kt)
    }
}

/// Whether `id` is a valid dotted id: `[a-z0-9_]+` parts joined by `.`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::{DataSource, load_region};

    #[test]
    fn target_path_joins_the_base_year_the_milestone_and_the_target_year_limit() {
        let region = load_region(&DataSource::Embedded).unwrap();
        // history.csv: 2021 Total 1,032.9 kt
        let base = region.base_inventory_kt().unwrap();
        assert_eq!(base, 1032.9);
        let path = region.target_path(base).unwrap();
        assert_eq!(path.len(), 20); // 2021..=2040
        assert_eq!(path[0], (2021, 1032.9));
        // 2030 milestone: 0.2 × 1,645 (2007 Total) = 329 kt
        assert!((path[9].1 - 329.0).abs() < 1e-9, "{:?}", path[9]);
        // 2025: 1,032.9 + (329 − 1,032.9)·4/9 = 1,032.9 − 312.8444… = 720.0556
        assert!(
            (path[4].1 - 720.055_555_555_6).abs() < 1e-6,
            "{:?}",
            path[4]
        );
        // 2040: 0.2 × 1,707.3 = 341.46 kt, reached from 329 in a straight line
        assert_eq!(path[19].0, 2040);
        assert!((path[19].1 - 341.46).abs() < 1e-9);
        // 2035: 329 + (341.46 − 329)/2 = 335.23
        assert!((path[14].1 - 335.23).abs() < 1e-9);
    }

    #[test]
    fn the_embedded_budget_is_what_the_target_path_emits_2021_to_2040() {
        // region.toml: 2021–2030 10 × (1,032.9 + 329) / 2 = 6,809.5; 2031–2040
        // 10 × 329 + 12.46 × 5.5 = 3,358.53; 10,168.03 kt in all
        let region = load_region(&DataSource::Embedded).unwrap();
        let budget = region.budget.clone().unwrap();
        let path = region
            .target_path(region.base_inventory_kt().unwrap())
            .unwrap();
        let total: f64 = path
            .iter()
            .filter(|(y, _)| *y >= budget.from_year)
            .map(|(_, kt)| kt)
            .sum();
        assert!((total - 10_168.03).abs() < 1e-6, "{total}");
        assert!((budget.kt - total).abs() < 1e-6);
        assert_eq!(budget.basis, super::BudgetBasis::Gross);
    }

    #[test]
    fn no_gross_limit_means_no_target_path() {
        let mut region = load_region(&DataSource::Embedded).unwrap();
        region.target.max_gross_fraction = None;
        assert!(region.target_path(1000.0).is_none());
    }
}
