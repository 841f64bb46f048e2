//! `[[measures]]` entries: the fields every measure has, and one type per kind with the fields
//! that kind takes, so that a field a kind does not take cannot be written.
//!
//! A measure is read in two steps, to keep every error located in the file: the entry is first
//! parsed into a spanned TOML table, its `kind` is read, and each key is checked against that
//! kind's fields (an unknown or misplaced key names the field, the kind and the fields the kind
//! takes); then the common fields and the kind's own struct are deserialized from the table with
//! `deny_unknown_fields`, their spans intact. (serde's internally tagged enums would buffer the
//! table and lose the spans.)

use serde::Deserialize;
use serde::de::{self, IntoDeserializer, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Adoption, Pillar, ValueSpec};
use crate::data::load_toml_error;
use crate::error::{Result, did_you_mean};
use crate::input::TextFile;

/// What a measure acts on and how (DESIGN §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// Reduces a source's activity by v·u.
    Activity,
    /// Reduces a source's energy intensity by v·u.
    Efficiency,
    /// Moves v·u of a source's `from` carrier share to `to`.
    FuelSwitch,
    /// Reduces a source's direct (process) emission factor by v·u.
    Process,
    /// Captures v·u of a source's emissions.
    Capture,
    /// Reduces a fuel carrier's emission factor by v·u.
    CarrierEf,
    /// Moves v·u of a mix carrier's `from` component share to `to`.
    MixSwitch,
    /// Adds a sink of v·u kt/yr.
    Removal,
    /// Captures v·u of the CO2 of the fuels a plant burns: their emission factor falls by v·u
    /// and their biogenic CO2 captured is a removal (it follows the fuel burnt each year).
    Ccs,
    /// Moves v·u of a land category's hectares to another category.
    LandUseChange,
    /// Manages v·u of a land category's area so that part of its harvest drain stays: a
    /// removal that follows the area and the category's drawn flux.
    LandManagement,
}

impl MeasureKind {
    /// Every kind, in the order of docs/scenario-format.md.
    pub const ALL: [MeasureKind; 11] = [
        MeasureKind::Activity,
        MeasureKind::Efficiency,
        MeasureKind::FuelSwitch,
        MeasureKind::Process,
        MeasureKind::Capture,
        MeasureKind::CarrierEf,
        MeasureKind::MixSwitch,
        MeasureKind::Removal,
        MeasureKind::Ccs,
        MeasureKind::LandUseChange,
        MeasureKind::LandManagement,
    ];

    /// Snake-case name as in the TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Activity => "activity",
            MeasureKind::Efficiency => "efficiency",
            MeasureKind::FuelSwitch => "fuel_switch",
            MeasureKind::Process => "process",
            MeasureKind::Capture => "capture",
            MeasureKind::CarrierEf => "carrier_ef",
            MeasureKind::MixSwitch => "mix_switch",
            MeasureKind::Removal => "removal",
            MeasureKind::Ccs => "ccs",
            MeasureKind::LandUseChange => "land_use_change",
            MeasureKind::LandManagement => "land_management",
        }
    }

    /// Whether the measure's value is a fraction (0–1); a `removal`'s is kt CO2e a year.
    pub fn value_is_fraction(self) -> bool {
        self != MeasureKind::Removal
    }

    /// Whether the measure adds a row of its own under `Carbon Removal|`.
    pub fn removes(self) -> bool {
        matches!(
            self,
            MeasureKind::Removal | MeasureKind::Ccs | MeasureKind::LandManagement
        )
    }

    /// The keys of this kind's own struct (besides the common ones and `kind`).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            MeasureKind::Activity
            | MeasureKind::Efficiency
            | MeasureKind::Process
            | MeasureKind::Capture => fields_of::<SourceTargets>(),
            MeasureKind::CarrierEf => fields_of::<CarrierTargets>(),
            MeasureKind::FuelSwitch => fields_of::<FuelSwitch>(),
            MeasureKind::MixSwitch => fields_of::<MixSwitch>(),
            MeasureKind::Removal => fields_of::<Removal>(),
            MeasureKind::Ccs => fields_of::<Ccs>(),
            MeasureKind::LandUseChange => fields_of::<LandUseChange>(),
            MeasureKind::LandManagement => fields_of::<LandManagement>(),
        }
    }
}

/// The fields every measure has, whatever its kind. A new common field goes here only.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureCommon {
    /// Unique id within the scenario.
    pub id: Spanned<String>,
    /// Display name (defaults to the id).
    pub name: Option<String>,
    /// Finnish display name (defaults to `name`).
    pub name_fi: Option<String>,
    /// What the measure stands for.
    pub description: Option<String>,
    /// What the measure stands for, in Finnish.
    pub description_fi: Option<String>,
    /// Who takes the measure: the region, its municipalities, the state or the EU.
    pub owner: Option<Owner>,
    /// Programme pillar.
    pub pillar: Pillar,
    /// The value v: a fraction, or kt/yr for `removal`.
    pub value: Spanned<ValueSpec>,
    /// Adoption curve.
    pub adoption: Spanned<Adoption>,
    /// Cost per tonne abated, for the MACC.
    pub cost_eur_per_t: Option<Spanned<ValueSpec>>,
    /// A plan's level of the measure (`kymsim plan`), 0–1: every value drawn or fixed is moved
    /// from `level_from` toward it by this fraction, `from + level · (value − from)`.
    pub level: Option<Spanned<f64>>,
    /// Where the level starts: the value the measure has at level 0 (default 0, the measure off).
    pub level_from: Option<Spanned<f64>>,
}

/// Who takes a measure and pays for it: what the region's programme can claim as its own is
/// the measures of the region and its municipalities; national and EU measures happen anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    /// The regional council, the region's companies and organisations under its programme.
    Region,
    /// The region's municipalities (their buildings, transport, land use and utilities).
    Municipality,
    /// The state: national law, taxes, subsidies and state-owned infrastructure.
    National,
    /// The European Union: ETS, regulations on vehicles, fuels and ships.
    Eu,
}

impl Owner {
    /// Every owner, the region's own first.
    pub const ALL: [Owner; 4] = [
        Owner::Region,
        Owner::Municipality,
        Owner::National,
        Owner::Eu,
    ];

    /// Lower-case name as in the TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Region => "region",
            Owner::Municipality => "municipality",
            Owner::National => "national",
            Owner::Eu => "eu",
        }
    }

    /// Whether the region itself (the council or its municipalities) takes the measure.
    pub fn is_regional(self) -> bool {
        matches!(self, Owner::Region | Owner::Municipality)
    }

    /// Reads `region`, `municipality`, `national` or `eu` (as written in metadata.json).
    pub fn parse(s: &str) -> Option<Owner> {
        Owner::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// `activity`, `efficiency`, `process`, `capture`: the sources acted on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceTargets {
    /// Source ids or globs.
    #[serde(default)]
    pub targets: Vec<Spanned<String>>,
}

/// `carrier_ef`: the fuel carriers acted on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarrierTargets {
    /// Carrier ids or globs.
    #[serde(default)]
    pub targets: Vec<Spanned<String>>,
}

/// `fuel_switch`: moves a share of the targets' energy from one carrier to another.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuelSwitch {
    /// Source ids or globs.
    #[serde(default)]
    pub targets: Vec<Spanned<String>>,
    /// Carrier moved from.
    pub from: Spanned<String>,
    /// Carrier moved to.
    pub to: Spanned<String>,
    /// MWh of `to` per MWh of `from` replaced (default 1).
    pub energy_ratio: Option<Spanned<ValueSpec>>,
}

/// `mix_switch`: moves a share of a mix carrier's components from one carrier to another.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixSwitch {
    /// Mix or blend carrier ids or globs.
    #[serde(default)]
    pub targets: Vec<Spanned<String>>,
    /// Component moved from.
    pub from: Spanned<String>,
    /// Component moved to.
    pub to: Spanned<String>,
    /// input_per_output of `to` when it is not yet in the mix.
    pub input_per_output: Option<Spanned<f64>>,
}

/// `removal`: a sink of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    /// IAMC path under `Carbon Removal|`.
    pub sector: Spanned<String>,
    /// The same path in Finnish (`Metsät|Metsänhoito`), for charts and the report.
    pub sector_fi: Option<String>,
    /// The capture happens at an installation in the EU emissions trading system, whose
    /// emissions the region's accounting may leave out (`count_ets_removals`).
    pub ets: Option<Spanned<bool>>,
    /// The installation joins the EU ETS in this year (e.g. waste incineration from 2028):
    /// from then on the accounting rule of `ets` applies.
    pub ets_from: Option<Spanned<i32>>,
}

/// `ccs`: carbon capture and storage at a plant, acting on the fuels it burns.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ccs {
    /// The fuel carriers whose flue gas is captured (ids or globs).
    #[serde(default)]
    pub targets: Vec<Spanned<String>>,
    /// IAMC path under `Carbon Removal|` of the captured biogenic CO2.
    pub sector: Spanned<String>,
    /// The same path in Finnish, for charts and the report.
    pub sector_fi: Option<String>,
    /// The plant is an installation in the EU ETS (see [`Removal::ets`]).
    pub ets: Option<Spanned<bool>>,
    /// The plant joins the EU ETS in this year.
    pub ets_from: Option<Spanned<i32>>,
}

/// `land_use_change`: moves hectares from one land category to another.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandUseChange {
    /// Land category the hectares leave.
    pub from: Spanned<String>,
    /// Land category they join.
    pub to: Spanned<String>,
}

/// `land_management`: part of a land category's harvest drain left standing on the managed
/// share of its area.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandManagement {
    /// Land categories (ids or globs).
    #[serde(default)]
    pub targets: Vec<Spanned<String>>,
    /// IAMC path under `Carbon Removal|`.
    pub sector: Spanned<String>,
    /// The same path in Finnish, for charts and the report.
    pub sector_fi: Option<String>,
    /// The harvest drain per hectare at the category's data flux, t CO2/ha a year (> 0).
    pub drain_per_ha: Spanned<f64>,
    /// Share of the drain that stays on a managed hectare, after leakage (0–1).
    pub avoided: Spanned<ValueSpec>,
}

/// What a measure does: its kind with that kind's own fields.
#[derive(Debug, Clone)]
pub enum MeasureAction {
    /// Reduces the targets' activity.
    Activity(SourceTargets),
    /// Reduces the targets' energy intensity.
    Efficiency(SourceTargets),
    /// Moves energy of the targets between carriers.
    FuelSwitch(FuelSwitch),
    /// Reduces the targets' direct emission factor.
    Process(SourceTargets),
    /// Captures a share of the targets' emissions.
    Capture(SourceTargets),
    /// Reduces fuel carriers' emission factors.
    CarrierEf(CarrierTargets),
    /// Changes a mix carrier's components.
    MixSwitch(MixSwitch),
    /// Adds a sink.
    Removal(Removal),
    /// Captures the CO2 of the fuels a plant burns.
    Ccs(Ccs),
    /// Moves hectares between land categories.
    LandUseChange(LandUseChange),
    /// Leaves part of a land category's harvest drain standing.
    LandManagement(LandManagement),
}

impl MeasureAction {
    /// The kind.
    pub fn kind(&self) -> MeasureKind {
        match self {
            MeasureAction::Activity(_) => MeasureKind::Activity,
            MeasureAction::Efficiency(_) => MeasureKind::Efficiency,
            MeasureAction::FuelSwitch(_) => MeasureKind::FuelSwitch,
            MeasureAction::Process(_) => MeasureKind::Process,
            MeasureAction::Capture(_) => MeasureKind::Capture,
            MeasureAction::CarrierEf(_) => MeasureKind::CarrierEf,
            MeasureAction::MixSwitch(_) => MeasureKind::MixSwitch,
            MeasureAction::Removal(_) => MeasureKind::Removal,
            MeasureAction::Ccs(_) => MeasureKind::Ccs,
            MeasureAction::LandUseChange(_) => MeasureKind::LandUseChange,
            MeasureAction::LandManagement(_) => MeasureKind::LandManagement,
        }
    }

    /// The `Carbon Removal|` path a measure of this kind writes to and its Finnish form
    /// (`removal`, `ccs`, `land_management`), else none.
    pub fn removal_sector(&self) -> Option<(&str, Option<&str>)> {
        match self {
            MeasureAction::Removal(r) => Some((r.sector.get_ref(), r.sector_fi.as_deref())),
            MeasureAction::Ccs(c) => Some((c.sector.get_ref(), c.sector_fi.as_deref())),
            MeasureAction::LandManagement(l) => Some((l.sector.get_ref(), l.sector_fi.as_deref())),
            _ => None,
        }
    }

    /// `ets` and `ets_from` of a measure that removes at a plant (`removal`, `ccs`).
    #[allow(clippy::type_complexity)]
    pub fn ets_keys(&self) -> Option<(&Option<Spanned<bool>>, &Option<Spanned<i32>>)> {
        match self {
            MeasureAction::Removal(r) => Some((&r.ets, &r.ets_from)),
            MeasureAction::Ccs(c) => Some((&c.ets, &c.ets_from)),
            _ => None,
        }
    }

    /// The carriers (`fuel_switch`, `mix_switch`) or land categories (`land_use_change`) the
    /// measure moves from and to, as written; none for the other kinds.
    pub fn from_to(&self) -> Option<(&str, &str)> {
        match self {
            MeasureAction::FuelSwitch(f) => Some((f.from.get_ref(), f.to.get_ref())),
            MeasureAction::MixSwitch(m) => Some((m.from.get_ref(), m.to.get_ref())),
            MeasureAction::LandUseChange(l) => Some((l.from.get_ref(), l.to.get_ref())),
            MeasureAction::Activity(_)
            | MeasureAction::Efficiency(_)
            | MeasureAction::Process(_)
            | MeasureAction::Capture(_)
            | MeasureAction::CarrierEf(_)
            | MeasureAction::Removal(_)
            | MeasureAction::Ccs(_)
            | MeasureAction::LandManagement(_) => None,
        }
    }

    /// The targets as written (none for a removal or a land-use change).
    pub fn targets(&self) -> &[Spanned<String>] {
        match self {
            MeasureAction::Activity(t)
            | MeasureAction::Efficiency(t)
            | MeasureAction::Process(t)
            | MeasureAction::Capture(t) => &t.targets,
            MeasureAction::CarrierEf(t) => &t.targets,
            MeasureAction::FuelSwitch(f) => &f.targets,
            MeasureAction::MixSwitch(m) => &m.targets,
            MeasureAction::Ccs(c) => &c.targets,
            MeasureAction::LandManagement(l) => &l.targets,
            MeasureAction::Removal(_) | MeasureAction::LandUseChange(_) => &[],
        }
    }
}

/// One `[[measures]]` entry as written.
#[derive(Debug, Clone)]
pub struct MeasureSpec {
    /// The fields every kind has.
    pub common: MeasureCommon,
    /// The kind and its own fields.
    pub action: MeasureAction,
}

impl MeasureSpec {
    /// The measure's id.
    pub fn id(&self) -> &str {
        self.common.id.get_ref()
    }

    /// The kind.
    pub fn kind(&self) -> MeasureKind {
        self.action.kind()
    }

    /// The Finnish display name, if given and not blank.
    pub fn name_fi(&self) -> Option<&str> {
        self.common
            .name_fi
            .as_deref()
            .filter(|n| !n.trim().is_empty())
    }

    /// The Finnish description, if given and not blank.
    pub fn description_fi(&self) -> Option<&str> {
        self.common
            .description_fi
            .as_deref()
            .filter(|d| !d.trim().is_empty())
    }

    /// Who takes the measure, if the scenario says.
    pub fn owner(&self) -> Option<Owner> {
        self.common.owner
    }

    /// Reads one `[[measures]]` entry of `file` (spans are offsets into `file.text`).
    pub(crate) fn from_toml(file: &TextFile, entry: Spanned<DeValue<'_>>) -> Result<MeasureSpec> {
        let span = entry.span();
        let DeValue::Table(table) = entry.get_ref() else {
            return Err(file
                .error_at(
                    span.start,
                    format!("a measure is a table, not {}", entry.get_ref().type_str()),
                )
                .hint("write each measure under its own [[measures]] header")
                .into());
        };
        let id = table
            .get("id")
            .and_then(|v| v.get_ref().as_str())
            .map(str::to_string);
        let Some(kind_value) = table.get("kind") else {
            return Err(file
                .error_at(span.start, format!("{} needs a `kind`", measure_name(&id)))
                .hint(format!("kind = one of {}", kind_list()))
                .into());
        };
        let kind = MeasureKind::deserialize(kind_value.clone().into_deserializer())
            .map_err(|e| load_toml_error(file, e))?;
        check_keys(file, table, kind)?;

        let (common, own): (DeTable<'_>, DeTable<'_>) = table
            .iter()
            .filter(|(k, _)| k.get_ref() != "kind")
            .map(|(k, v)| (k.clone(), v.clone()))
            .partition(|(k, _)| fields_of::<MeasureCommon>().contains(&k.get_ref().as_ref()));
        let missing = |e: toml::de::Error| missing_field(file, span.start, kind, id.as_deref(), e);
        let common: MeasureCommon = from_table(common, &span).map_err(missing)?;
        let action = match kind {
            MeasureKind::Activity => from_table(own, &span).map(MeasureAction::Activity),
            MeasureKind::Efficiency => from_table(own, &span).map(MeasureAction::Efficiency),
            MeasureKind::Process => from_table(own, &span).map(MeasureAction::Process),
            MeasureKind::Capture => from_table(own, &span).map(MeasureAction::Capture),
            MeasureKind::CarrierEf => from_table(own, &span).map(MeasureAction::CarrierEf),
            MeasureKind::FuelSwitch => from_table(own, &span).map(MeasureAction::FuelSwitch),
            MeasureKind::MixSwitch => from_table(own, &span).map(MeasureAction::MixSwitch),
            MeasureKind::Removal => from_table(own, &span).map(MeasureAction::Removal),
            MeasureKind::Ccs => from_table(own, &span).map(MeasureAction::Ccs),
            MeasureKind::LandUseChange => from_table(own, &span).map(MeasureAction::LandUseChange),
            MeasureKind::LandManagement => {
                from_table(own, &span).map(MeasureAction::LandManagement)
            }
        }
        .map_err(missing)?;
        Ok(MeasureSpec { common, action })
    }
}

/// `a measure` or `measure `id``, for messages about an entry that may lack its id.
fn measure_name(id: &Option<String>) -> String {
    match id {
        Some(id) => format!("measure `{id}`"),
        None => "a measure".to_string(),
    }
}

/// Every kind as `` `a` | `b` … ``.
fn kind_list() -> String {
    MeasureKind::ALL
        .iter()
        .map(|k| format!("`{}`", k.as_str()))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Every key a measure of `kind` takes, common ones first, as `` `a`, `b` … ``.
fn accepted_list(kind: MeasureKind) -> String {
    accepted(kind)
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn accepted(kind: MeasureKind) -> impl Iterator<Item = &'static str> + Clone {
    fields_of::<MeasureCommon>()
        .iter()
        .copied()
        .chain(["kind"])
        .chain(kind.fields().iter().copied())
}

/// Refuses a key that `kind` does not take, the first in the file: a key of another kind
/// "does not apply" (pointing at its value), any other key is unknown (pointing at the key).
fn check_keys(file: &TextFile, table: &DeTable<'_>, kind: MeasureKind) -> Result<()> {
    let Some((key, value)) = table
        .iter()
        .filter(|(k, _)| !accepted(kind).any(|f| f == k.get_ref()))
        .min_by_key(|(k, _)| k.span().start)
    else {
        return Ok(());
    };
    let name = key.get_ref().as_ref();
    let takes = format!(
        "a `{}` measure takes {}",
        kind.as_str(),
        accepted_list(kind)
    );
    let other_kind = MeasureKind::ALL.iter().any(|k| k.fields().contains(&name));
    if !other_kind {
        let hint = match did_you_mean(name, accepted(kind)) {
            Some(d) => format!("{d} ({takes})"),
            None => takes,
        };
        return Err(file
            .error_at(
                key.span().start,
                format!("unknown field `{name}` in a `{}` measure", kind.as_str()),
            )
            .hint(hint)
            .into());
    }
    // point at the value, or at the first element of a list
    let at = match value.get_ref() {
        DeValue::Array(a) if !a.is_empty() => a[0].span().start,
        _ => value.span().start,
    };
    let (message, hint) = match (kind, name) {
        (MeasureKind::Removal, "targets") => (
            "a `removal` measure has no `targets`".to_string(),
            "it adds its own sink; name its IAMC path with `sector`".to_string(),
        ),
        (_, "ets" | "ets_from") => (
            format!("`{name}` does not apply to a `{}` measure", kind.as_str()),
            "`ets = true` or `ets_from = YEAR` marks a `removal` or `ccs` at an installation in the EU ETS".to_string(),
        ),
        _ => (
            format!("`{name}` does not apply to a `{}` measure", kind.as_str()),
            format!("remove it: {takes} (docs/scenario-format.md)"),
        ),
    };
    Err(file.error_at(at, message).hint(hint).into())
}

/// A missing required field named in the domain's words; any other error as toml gives it.
fn missing_field(
    file: &TextFile,
    at: usize,
    kind: MeasureKind,
    id: Option<&str>,
    e: toml::de::Error,
) -> crate::error::Error {
    let Some(field) = e
        .message()
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    else {
        return load_toml_error(file, e);
    };
    let who = measure_name(&id.map(str::to_string));
    let (message, hint) = match field {
        "sector" => (
            format!("{} {who} needs a `sector`", kind.as_str()),
            "the IAMC path under `Carbon Removal|`, e.g. sector = \"BECCS\"".to_string(),
        ),
        "from" | "to" => (
            format!("{who} ({}) needs `{field}`", kind.as_str()),
            "name the carrier, e.g. from = \"diesel\", to = \"electricity\"".to_string(),
        ),
        _ => (
            format!("{who} ({}) needs `{field}`", kind.as_str()),
            format!(
                "a `{}` measure takes {}",
                kind.as_str(),
                accepted_list(kind)
            ),
        ),
    };
    file.error_at(at, message).hint(hint).into()
}

/// Deserializes `T` from a table, keeping the spans of its values; `span` is the entry's.
fn from_table<T: de::DeserializeOwned>(
    table: DeTable<'_>,
    span: &std::ops::Range<usize>,
) -> std::result::Result<T, toml::de::Error> {
    T::deserialize(Spanned::new(span.clone(), DeValue::Table(table)).into_deserializer())
}

/// The field names of a struct that derives `Deserialize` (as serde's derive lists them).
fn fields_of<T: de::DeserializeOwned>() -> &'static [&'static str] {
    let mut probe = FieldProbe(&[]);
    // the probe answers every request with an error after noting the struct's fields
    let _ = T::deserialize(&mut probe);
    probe.0
}

struct FieldProbe(&'static [&'static str]);

impl<'de> de::Deserializer<'de> for &mut FieldProbe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> std::result::Result<V::Value, Self::Error> {
        self.0 = fields;
        Err(de::Error::custom("fields noted"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// Reads the `measures` array of a scenario document.
pub(crate) fn measures_from_toml(
    file: &TextFile,
    value: Spanned<DeValue<'_>>,
) -> Result<Vec<Spanned<MeasureSpec>>> {
    let DeValue::Array(entries) = value.get_ref() else {
        return Err(file
            .error_at(
                value.span().start,
                format!(
                    "`measures` is a list of tables, not {}",
                    value.get_ref().type_str()
                ),
            )
            .hint("write each measure under its own [[measures]] header")
            .into());
    };
    entries
        .iter()
        .map(|e| {
            let span = e.span();
            MeasureSpec::from_toml(file, e.clone()).map(|m| Spanned::new(span, m))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, InputError};
    use crate::scenario::ScenarioLibrary;

    const STEP: &str = "adoption = { curve = \"step\", year = 2025 }\n";

    fn parse(text: &str) -> Result<Vec<MeasureSpec>> {
        ScenarioLibrary::bundled()
            .resolve_bytes("s.toml", text.as_bytes())
            .map(|s| s.measures.into_iter().map(|m| m.item).collect())
    }

    fn error(text: &str) -> InputError {
        match parse(text) {
            Err(Error::Input(e)) => *e,
            Err(e) => panic!("expected an input error, got {e}"),
            Ok(_) => panic!("expected an error"),
        }
    }

    #[test]
    fn each_kind_reads_its_own_fields() {
        let text = format!(
            "[[measures]]\nid = \"ev\"\npillar = \"transport\"\nkind = \"fuel_switch\"\ntargets = [\"a\"]\nfrom = \"diesel\"\nto = \"electricity\"\nenergy_ratio = 0.3\nvalue = 0.5\n{STEP}\n[[measures]]\nid = \"r\"\npillar = \"bioeconomy\"\nkind = \"removal\"\nsector = \"BECCS\"\nets = true\nvalue = 10\n{STEP}"
        );
        let m = parse(&text).unwrap();
        let MeasureAction::FuelSwitch(f) = &m[0].action else {
            panic!("{:?}", m[0].action)
        };
        assert_eq!(
            (f.from.get_ref().as_str(), f.to.get_ref().as_str()),
            ("diesel", "electricity")
        );
        assert_eq!(
            f.energy_ratio.as_ref().map(|r| r.get_ref().central()),
            Some(0.3)
        );
        assert_eq!(m[0].action.targets().len(), 1);
        let MeasureAction::Removal(r) = &m[1].action else {
            panic!("{:?}", m[1].action)
        };
        assert_eq!(r.sector.get_ref(), "BECCS");
        assert_eq!(r.ets.as_ref().map(|e| *e.get_ref()), Some(true));
        assert_eq!(m[1].kind(), MeasureKind::Removal);
        assert!(m[1].action.targets().is_empty());
    }

    #[test]
    fn a_field_of_another_kind_does_not_apply_and_points_at_its_value() {
        // line 7: `from = "diesel"`, the value at column 8
        let e = error(&format!(
            "[[measures]]\nid = \"a\"\npillar = \"transport\"\nkind = \"activity\"\ntargets = [\"x\"]\nvalue = 0.5\nfrom = \"diesel\"\n{STEP}"
        ));
        assert_eq!(e.message, "`from` does not apply to a `activity` measure");
        assert_eq!((e.line, e.column), (Some(7), Some(8)));
        let hint = e.hint.unwrap();
        assert!(
            hint.contains("a `activity` measure takes `id`, `name`, `name_fi`, `description`, `description_fi`, `owner`, `pillar`, `value`, `adoption`, `cost_eur_per_t`, `level`, `level_from`, `kind`, `targets`"),
            "{hint}"
        );
    }

    #[test]
    fn an_unknown_field_names_the_kind_and_its_fields_with_a_suggestion() {
        let e = error(&format!(
            "[[measures]]\nid = \"a\"\npillar = \"energy\"\nkind = \"removal\"\nsector = \"BECCS\"\nvalue = 1\nsectr = \"x\"\n{STEP}"
        ));
        assert_eq!(e.message, "unknown field `sectr` in a `removal` measure");
        assert_eq!((e.line, e.column), (Some(7), Some(1)));
        assert_eq!(
            e.hint.as_deref(),
            Some(
                "did you mean `sector`? (a `removal` measure takes `id`, `name`, `name_fi`, `description`, `description_fi`, `owner`, `pillar`, `value`, `adoption`, `cost_eur_per_t`, `level`, `level_from`, `kind`, `sector`, `sector_fi`, `ets`, `ets_from`)"
            )
        );
    }

    #[test]
    fn missing_fields_are_named_for_the_kind() {
        let e = error(&format!(
            "[[measures]]\nid = \"a\"\npillar = \"energy\"\nkind = \"fuel_switch\"\ntargets = [\"x\"]\nto = \"wood\"\nvalue = 1\n{STEP}"
        ));
        assert_eq!(e.message, "measure `a` (fuel_switch) needs `from`");
        assert_eq!((e.line, e.column), (Some(1), Some(1)));
        let e = error("[[measures]]\nid = \"a\"\npillar = \"energy\"\nvalue = 1\n");
        assert_eq!(e.message, "measure `a` needs a `kind`");
        assert!(e.hint.unwrap().contains("`fuel_switch` | `process`"));
    }

    #[test]
    fn field_lists_come_from_the_structs() {
        assert_eq!(
            MeasureKind::FuelSwitch.fields(),
            ["targets", "from", "to", "energy_ratio"]
        );
        assert_eq!(MeasureKind::Capture.fields(), ["targets"]);
        assert_eq!(
            fields_of::<MeasureCommon>(),
            [
                "id",
                "name",
                "name_fi",
                "description",
                "description_fi",
                "owner",
                "pillar",
                "value",
                "adoption",
                "cost_eur_per_t",
                "level",
                "level_from"
            ]
        );
    }
}
