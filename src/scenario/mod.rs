//! Scenarios: the TOML types, the library of bundled or user scenarios, inheritance.
//!
//! The format is described in `docs/scenario-format.md`.

mod dist;
mod measure;
mod write;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::Spanned;

pub use dist::{Dist, Prepared, ValueSpec, normal_cdf, normal_quantile};
pub use measure::{
    CarrierTargets, Ccs, FuelSwitch, LandManagement, LandUseChange, MeasureAction, MeasureCommon,
    MeasureKind, MeasureSpec, MixSwitch, Owner, Removal, SourceTargets,
};
pub use write::{measure_definition, measure_toml};

use crate::data::load_toml_error;
use crate::error::{Error, InputError, IoKind, Result, did_you_mean, name_list};
use crate::input::TextFile;

/// The scenarios compiled into the binary: (file stem, text).
const BUNDLED: &[(&str, &str)] = &[
    ("baseline", include_str!("../../scenarios/baseline.toml")),
    ("programme", include_str!("../../scenarios/programme.toml")),
    (
        "neutral2040",
        include_str!("../../scenarios/neutral2040.toml"),
    ),
];

/// The programme pillar a measure belongs to (used for wedges and charts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pillar {
    /// Transport links and mobility.
    Transport,
    /// Logistics: the port, freight, TEN-T.
    Logistics,
    /// Bio- and circular economy, sinks.
    Bioeconomy,
    /// Digitalisation.
    Digitalisation,
    /// Energy production and use.
    Energy,
    /// Anything else.
    Other,
}

impl Pillar {
    /// All pillars in display order.
    pub const ALL: [Pillar; 6] = [
        Pillar::Logistics,
        Pillar::Bioeconomy,
        Pillar::Transport,
        Pillar::Digitalisation,
        Pillar::Energy,
        Pillar::Other,
    ];

    /// Lower-case name as in the TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::Transport => "transport",
            Pillar::Logistics => "logistics",
            Pillar::Bioeconomy => "bioeconomy",
            Pillar::Digitalisation => "digitalisation",
            Pillar::Energy => "energy",
            Pillar::Other => "other",
        }
    }
}

/// An adoption curve u(y) ∈ [0, 1].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "curve", rename_all = "lowercase", deny_unknown_fields)]
pub enum Adoption {
    /// Linear from `start` (0) to `full` (1).
    Linear {
        /// Year adoption begins.
        start: i32,
        /// Year adoption is complete (may be uncertain).
        full: ValueSpec,
    },
    /// Normalised logistic between `start` and `full` with steepness `k` (default 8).
    Logistic {
        /// Year adoption begins.
        start: i32,
        /// Year adoption is complete (may be uncertain).
        full: ValueSpec,
        /// Steepness.
        k: Option<f64>,
    },
    /// 0 before `year`, 1 from it.
    Step {
        /// The year it takes effect.
        year: i32,
    },
    /// Linear between points, held outside.
    Table {
        /// `{ 2025 = 0.1, 2035 = 0.6 }`.
        points: BTreeMap<String, f64>,
    },
}

impl Adoption {
    /// The curve's name as a scenario writes it (`curve = "linear"`).
    pub fn curve(&self) -> &'static str {
        match self {
            Adoption::Linear { .. } => "linear",
            Adoption::Logistic { .. } => "logistic",
            Adoption::Step { .. } => "step",
            Adoption::Table { .. } => "table",
        }
    }

    /// The year adoption starts (linear and logistic).
    pub fn start(&self) -> Option<i32> {
        match self {
            Adoption::Linear { start, .. } | Adoption::Logistic { start, .. } => Some(*start),
            Adoption::Step { .. } | Adoption::Table { .. } => None,
        }
    }
}

/// One `[[uncertainty]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    /// Optional id (replaces an inherited uncertainty with the same id).
    pub id: Option<String>,
    /// What it stands for.
    pub description: Option<String>,
    /// What it stands for, in Finnish (its chart label under `--lang fi`).
    pub description_fi: Option<String>,
    /// `source:<glob>:activity|intensity|direct_ef`, `carrier:<glob>:ef` or `driver:<id>`.
    pub target: Spanned<String>,
    /// The multiplicative factor.
    pub factor: Spanned<ValueSpec>,
    /// Split group (e.g. `inventory`): the sources this factor selects are rescaled together in
    /// each sample so that their base-year emissions keep their central total — the factor
    /// moves the split between sectors, not the inventory total.
    pub split: Option<Spanned<String>>,
}

/// A `[drivers.<id>]` override.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverOverride {
    /// Replaces the data points from the first year given.
    pub points: Option<BTreeMap<String, f64>>,
    /// Constant yearly growth from the base year.
    pub growth: Option<Spanned<ValueSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioToml {
    name: Option<Spanned<String>>,
    name_fi: Option<String>,
    description: Option<String>,
    description_fi: Option<String>,
    extends: Option<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    drivers: BTreeMap<Spanned<String>, Spanned<DriverOverride>>,
    #[serde(default)]
    uncertainty: Vec<Spanned<UncertaintySpec>>,
}

/// An item with the file and byte span it was written at.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The item.
    pub item: T,
    /// The file it is in.
    pub file: Arc<TextFile>,
    /// Byte span of the item in the file.
    pub span: Range<usize>,
}

impl<T> Located<T> {
    /// An error pointing at this item.
    pub fn error(&self, message: impl Into<String>) -> InputError {
        self.file.error_at(self.span.start, message)
    }

    /// An error pointing at a span inside this item's file.
    pub fn error_at(&self, span: &Range<usize>, message: impl Into<String>) -> InputError {
        self.file.error_at(span.start, message)
    }
}

/// A scenario with inheritance resolved.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name (`[a-z0-9_-]+`).
    pub name: String,
    /// Finnish display name (`name_fi`; none: the name).
    pub name_fi: Option<String>,
    /// Description.
    pub description: String,
    /// Finnish description (`description_fi`; none: the description).
    pub description_fi: Option<String>,
    /// The parent's name, if any.
    pub extends: Option<String>,
    /// The files read, child first.
    pub files: Vec<Arc<TextFile>>,
    /// Driver overrides by driver id.
    pub drivers: Vec<(String, Located<DriverOverride>)>,
    /// Measures in application order (inherited first, replacements in place).
    pub measures: Vec<Located<MeasureSpec>>,
    /// Uncertainty factors.
    pub uncertainties: Vec<Located<UncertaintySpec>>,
}

impl Scenario {
    /// A scenario with no measures, drivers or uncertainties: the data as they are.
    pub fn empty(name: &str) -> Scenario {
        Scenario {
            name: name.to_string(),
            name_fi: None,
            description:
                "no measures: the base-year data carried forward by their drivers and trends".into(),
            description_fi: Some(
                "ei toimenpiteitä: perusvuoden tiedot jatkuvat ajureidensa ja kehityssuuntiensa mukaan"
                    .into(),
            ),
            extends: None,
            files: Vec::new(),
            drivers: Vec::new(),
            measures: Vec::new(),
            uncertainties: Vec::new(),
        }
    }
}

/// The longest `extends` chain (a scenario, its parent, its grandparent, …) kymsim follows.
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// Where scenarios are looked up by name (for `run NAME` and `extends`).
#[derive(Debug, Clone)]
pub struct ScenarioLibrary {
    entries: BTreeMap<String, Arc<TextFile>>,
    origin: String,
    /// The hint of a failed lookup when the library is empty on purpose ([`ScenarioLibrary::none`]).
    missing_hint: Option<String>,
}

impl ScenarioLibrary {
    /// The scenarios compiled into the binary.
    pub fn bundled() -> ScenarioLibrary {
        let entries = BUNDLED
            .iter()
            .map(|(name, text)| {
                let file = TextFile::from_bytes(
                    format!("embedded:scenarios/{name}.toml"),
                    text.as_bytes(),
                )
                .expect("bundled scenarios are UTF-8");
                (name.to_string(), Arc::new(file))
            })
            .collect();
        ScenarioLibrary {
            entries,
            origin: "the bundled scenarios".into(),
            missing_hint: None,
        }
    }

    /// A library with no scenarios: files given by path still resolve (without `extends`), a
    /// name fails with `why` and `hint`. Used for a dataset that brings no scenario folder,
    /// so that scenarios written for another region are never applied to it silently.
    pub fn none(why: impl Into<String>, hint: impl Into<String>) -> ScenarioLibrary {
        ScenarioLibrary {
            entries: BTreeMap::new(),
            origin: why.into(),
            missing_hint: Some(hint.into()),
        }
    }

    /// Whether the library holds no scenario (see [`ScenarioLibrary::none`]).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The error of asking an empty library for its scenarios.
    pub fn empty_error(&self) -> Error {
        InputError::new(format!("no scenarios to run: {}", self.origin))
            .hint(
                self.missing_hint
                    .clone()
                    .unwrap_or_else(|| "name a scenario or give a path to a .toml file".into()),
            )
            .into()
    }

    /// Every `*.toml` in `dir`.
    pub fn from_dir(dir: &Path) -> Result<ScenarioLibrary> {
        let mut entries = BTreeMap::new();
        let read = std::fs::read_dir(dir).map_err(|e| Error::io(IoKind::Read, dir, e))?;
        for entry in read {
            let entry = entry.map_err(|e| Error::io(IoKind::Read, dir, e))?;
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            {
                entries.insert(stem.to_string(), Arc::new(TextFile::read(&path)?));
            }
        }
        if entries.is_empty() {
            return Err(InputError::new(format!(
                "no scenario files (*.toml) in `{}`",
                dir.display()
            ))
            .hint("point --scenarios at a folder of scenario TOML files")
            .into());
        }
        Ok(ScenarioLibrary {
            entries,
            origin: format!("`{}`", dir.display()),
            missing_hint: None,
        })
    }

    /// Scenario names (file stems), sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Resolves a scenario named in the library, or given as a path to a `.toml` file.
    pub fn resolve(&self, name_or_path: &str) -> Result<Scenario> {
        let path = Path::new(name_or_path);
        if name_or_path.ends_with(".toml") || path.components().count() > 1 {
            let file = Arc::new(TextFile::read(path)?);
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario")
                .to_string();
            return self.resolve_file(
                file,
                stem,
                path.parent().map(Path::to_path_buf),
                &mut Vec::new(),
            );
        }
        let file = self.lookup(name_or_path, None)?;
        self.resolve_file(file, name_or_path.to_string(), None, &mut Vec::new())
    }

    /// Resolves a scenario given as the bytes of a file named `file_name` (parents from the library).
    pub fn resolve_bytes(&self, file_name: &str, bytes: &[u8]) -> Result<Scenario> {
        let file = Arc::new(TextFile::from_bytes(file_name, bytes)?);
        let stem = Path::new(file_name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario")
            .to_string();
        self.resolve_file(file, stem, None, &mut Vec::new())
    }

    fn lookup(&self, name: &str, sibling_dir: Option<&Path>) -> Result<Arc<TextFile>> {
        if let Some(dir) = sibling_dir {
            let p = dir.join(format!("{name}.toml"));
            if p.is_file() {
                return Ok(Arc::new(TextFile::read(&p)?));
            }
        }
        if let Some(hint) = &self.missing_hint {
            return Err(
                InputError::new(format!("no scenario named `{name}`: {}", self.origin))
                    .hint(hint.clone())
                    .into(),
            );
        }
        self.entries.get(name).cloned().ok_or_else(|| {
            InputError::new(format!("no scenario named `{name}` in {}", self.origin))
                .hint(did_you_mean(name, self.names()).unwrap_or_else(|| {
                    format!(
                        "known scenarios: {} (or give a path to a .toml file)",
                        name_list(self.names())
                    )
                }))
                .into()
        })
    }

    fn resolve_file(
        &self,
        file: Arc<TextFile>,
        stem: String,
        dir: Option<PathBuf>,
        chain: &mut Vec<String>,
    ) -> Result<Scenario> {
        // measures are read kind by kind from the spanned document (see `measure.rs`)
        let mut doc =
            toml::de::DeTable::parse(&file.text).map_err(|e| load_toml_error(&file, e))?;
        let measures = match doc.get_mut().remove("measures") {
            Some(v) => measure::measures_from_toml(&file, v)?,
            None => Vec::new(),
        };
        let toml = ScenarioToml::deserialize(doc.into_deserializer())
            .map_err(|e| load_toml_error(&file, e))?;
        let name = match &toml.name {
            Some(n) => {
                if !valid_name(n.get_ref()) {
                    return Err(file
                        .error_at(n.span().start, format!("scenario name `{}` is not allowed", n.get_ref()))
                        .hint("names use lower-case letters, digits, `_` and `-` only (they become file and column names)")
                        .into());
                }
                n.get_ref().clone()
            }
            None if valid_name(&stem) => stem.clone(),
            None => {
                return Err(file
                    .error(format!(
                        "the file name `{stem}` is not a valid scenario name"
                    ))
                    .hint("add `name = \"...\"` with lower-case letters, digits, `_` and `-`")
                    .into());
            }
        };
        chain.push(stem.clone());
        let mut scenario = match &toml.extends {
            Some(parent) => {
                let pname = parent.get_ref();
                if chain.len() >= MAX_EXTENDS_DEPTH {
                    return Err(file
                        .error_at(
                            parent.span().start,
                            format!(
                                "`extends` chain is deeper than {MAX_EXTENDS_DEPTH} scenarios ({} → … → {pname})",
                                chain[0]
                            ),
                        )
                        .hint("flatten the chain: let scenarios extend a common parent rather than each other in a long line")
                        .into());
                }
                if chain.contains(pname) {
                    let mut cycle = chain.clone();
                    cycle.push(pname.clone());
                    return Err(file
                        .error_at(
                            parent.span().start,
                            format!("`extends` forms a cycle: {}", cycle.join(" → ")),
                        )
                        .hint("a scenario cannot extend itself, directly or through its parents")
                        .into());
                }
                let pfile = self.lookup(pname, dir.as_deref()).map_err(|e| match e {
                    Error::Input(ie) => Error::Input(Box::new(InputError {
                        file: Some(file.name.clone()),
                        line: Some(crate::error::line_col(&file.text, parent.span().start).0),
                        column: Some(crate::error::line_col(&file.text, parent.span().start).1),
                        ..*ie
                    })),
                    other => other,
                })?;
                self.resolve_file(pfile, pname.clone(), dir.clone(), chain)?
            }
            None => Scenario::empty(""),
        };
        chain.pop();
        scenario.extends = toml.extends.as_ref().map(|p| p.get_ref().clone());
        scenario.name = name;
        scenario.description = toml.description.clone().unwrap_or_default();
        // a Finnish name or description is the scenario's own, never its parent's
        scenario.name_fi = toml.name_fi.clone().filter(|n| !n.trim().is_empty());
        scenario.description_fi = toml.description_fi.clone().filter(|d| !d.trim().is_empty());
        scenario.files.insert(0, file.clone());
        let locate = |span: Range<usize>| (file.clone(), span);

        // disable inherited measures
        for d in &toml.disable {
            let id = d.get_ref();
            match scenario.measures.iter().position(|m| m.item.id() == id) {
                Some(i) => {
                    scenario.measures.remove(i);
                }
                None => {
                    let inherited: Vec<&str> =
                        scenario.measures.iter().map(|m| m.item.id()).collect();
                    return Err(file
                        .error_at(
                            d.span().start,
                            format!("`disable` names `{id}`, which is not an inherited measure"),
                        )
                        .hint(
                            did_you_mean(id, inherited.iter().copied()).unwrap_or_else(|| {
                                if inherited.is_empty() {
                                    "this scenario inherits no measures".into()
                                } else {
                                    format!(
                                        "inherited measures: {}",
                                        name_list(inherited.iter().copied())
                                    )
                                }
                            }),
                        )
                        .into());
                }
            }
        }
        // own measures replace inherited ones with the same id, in place
        let mut own = HashSet::new();
        for m in measures {
            let span = m.span();
            let item = m.into_inner();
            let id = item.id().to_string();
            if !valid_measure_id(&id) {
                return Err(file
                    .error_at(
                        item.common.id.span().start,
                        format!("measure id `{id}` is not allowed"),
                    )
                    .hint("ids use lower-case letters, digits and `_`")
                    .into());
            }
            if !own.insert(id.clone()) {
                return Err(file
                    .error_at(item.common.id.span().start, format!("measure id `{id}` is used twice in this file"))
                    .hint("give each measure its own id; reuse an inherited id only to replace that measure")
                    .into());
            }
            let (file, span) = locate(span);
            let located = Located { item, file, span };
            match scenario.measures.iter().position(|x| x.item.id() == id) {
                Some(i) => scenario.measures[i] = located,
                None => scenario.measures.push(located),
            }
        }
        let mut own_uncertainty = HashSet::new();
        for u in toml.uncertainty {
            let span = u.span();
            let item = u.into_inner();
            if let Some(id) = &item.id
                && !own_uncertainty.insert(id.clone())
            {
                return Err(file
                    .error_at(span.start, format!("uncertainty id `{id}` is used twice in this file"))
                    .hint("give each [[uncertainty]] its own id; reuse an inherited id only to replace that uncertainty")
                    .into());
            }
            let (file, span) = locate(span);
            let replace = item.id.as_ref().and_then(|id| {
                scenario
                    .uncertainties
                    .iter()
                    .position(|x| x.item.id.as_ref() == Some(id))
            });
            let located = Located { item, file, span };
            match replace {
                Some(i) => scenario.uncertainties[i] = located,
                None => scenario.uncertainties.push(located),
            }
        }
        for (id, o) in toml.drivers {
            let span = o.span();
            let (file, span) = locate(span);
            let located = Located {
                item: o.into_inner(),
                file,
                span,
            };
            let id = id.into_inner();
            match scenario.drivers.iter().position(|(d, _)| *d == id) {
                Some(i) => scenario.drivers[i].1 = located,
                None => scenario.drivers.push((id, located)),
            }
        }
        Ok(scenario)
    }
}

/// Whether `name` is a scenario name: 1–64 of `[a-z0-9_-]`. Names become file names and HTML
/// ids, so a name read back from any file is checked with this too.
pub fn is_scenario_name(name: &str) -> bool {
    valid_name(name)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn valid_measure_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests;
