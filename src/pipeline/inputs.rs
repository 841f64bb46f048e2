//! Where a command's region dataset and scenarios come from, and loading them: the region, the
//! scenario library and the compiled, checked models every pipeline starts from.

use std::path::PathBuf;

use crate::data::{DataSource, Region, load_region};
use crate::error::Result;
use crate::model::{Model, compile};
use crate::scenario::{Scenario, ScenarioLibrary};

/// Where the region dataset and the scenarios come from (the command line's `--data`,
/// `--scenarios`, `--bundled-scenarios`).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Region dataset folder (none: the embedded Kymenlaakso dataset).
    pub data: Option<PathBuf>,
    /// Folder of scenario TOML files.
    pub scenarios: Option<PathBuf>,
    /// The scenarios compiled into kymsim, even when `./scenarios/` exists.
    pub bundled_scenarios: bool,
}

/// The folder name looked up in the working directory and in a dataset folder.
pub const SCENARIOS_DIR: &str = "scenarios";

/// Where a command's scenarios come from, in the order they are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioSource {
    /// `--scenarios DIR`.
    Given(PathBuf),
    /// `--bundled-scenarios`, or no `--data` and no `./scenarios/`.
    Bundled,
    /// `DIR/scenarios/` of `--data DIR`.
    Dataset(PathBuf),
    /// `./scenarios/` of the working directory.
    WorkingDir(PathBuf),
    /// `--data DIR` without `DIR/scenarios/`: none (the bundled set is for Kymenlaakso).
    Missing(PathBuf),
}

impl ScenarioSource {
    /// The folder the scenarios are read from, if any.
    pub fn dir(&self) -> Option<&std::path::Path> {
        match self {
            ScenarioSource::Given(d)
            | ScenarioSource::Dataset(d)
            | ScenarioSource::WorkingDir(d) => Some(d),
            ScenarioSource::Bundled | ScenarioSource::Missing(_) => None,
        }
    }

    /// How the stderr line names the source in Finnish.
    pub fn describe_fi(&self) -> String {
        match self {
            ScenarioSource::Given(d) => format!("`{}` (--scenarios)", d.display()),
            ScenarioSource::Bundled => "ohjelmaan sisältyvät Kymenlaakson skenaariot".into(),
            ScenarioSource::Dataset(d) => format!("`{}` (aineiston kansio)", d.display()),
            ScenarioSource::WorkingDir(d) => {
                format!("`./{}/` (työhakemistosta)", d.display())
            }
            ScenarioSource::Missing(d) => {
                format!(
                    "ei yhtään (kansiossa `{}` ei ole {SCENARIOS_DIR}/-kansiota)",
                    d.display()
                )
            }
        }
    }

    /// How the manifest and the stderr line name the source.
    pub fn describe(&self) -> String {
        match self {
            ScenarioSource::Given(d) => format!("{} (--scenarios)", d.display()),
            ScenarioSource::Bundled => "the bundled Kymenlaakso scenarios".into(),
            ScenarioSource::Dataset(d) => format!("{} (the dataset's folder)", d.display()),
            ScenarioSource::WorkingDir(d) => {
                format!("./{}/ (found in the working directory)", d.display())
            }
            ScenarioSource::Missing(d) => {
                format!("none (`{}` has no {SCENARIOS_DIR}/ folder)", d.display())
            }
        }
    }
}

impl Inputs {
    /// Loads the region.
    pub fn region(&self) -> Result<Region> {
        match &self.data {
            Some(d) => load_region(&DataSource::Dir(d.clone())),
            None => load_region(&DataSource::Embedded),
        }
    }

    /// Where the dataset and scenarios came from, as a manifest records them.
    pub fn provenance(&self) -> crate::batch::Provenance {
        crate::batch::Provenance {
            dataset: self.dataset_description(),
            scenarios_from: self.scenario_source().describe(),
        }
    }

    /// How the manifest and the stderr line name the dataset.
    pub fn dataset_description(&self) -> String {
        match &self.data {
            Some(d) => d.display().to_string(),
            None => "embedded:data/kymenlaakso".into(),
        }
    }

    /// Where the scenarios come from: `--scenarios DIR`; `--bundled-scenarios`; with
    /// `--data DIR`, `DIR/scenarios/` (none when absent); `./scenarios/`; the bundled set.
    pub fn scenario_source(&self) -> ScenarioSource {
        if let Some(d) = &self.scenarios {
            return ScenarioSource::Given(d.clone());
        }
        if self.bundled_scenarios {
            return ScenarioSource::Bundled;
        }
        if let Some(data) = &self.data {
            let d = data.join(SCENARIOS_DIR);
            return if d.is_dir() {
                ScenarioSource::Dataset(d)
            } else {
                ScenarioSource::Missing(data.clone())
            };
        }
        let local = PathBuf::from(SCENARIOS_DIR);
        if local.is_dir() {
            ScenarioSource::WorkingDir(local)
        } else {
            ScenarioSource::Bundled
        }
    }

    /// The scenario library of [`Inputs::scenario_source`].
    pub fn library(&self) -> Result<ScenarioLibrary> {
        match self.scenario_source() {
            ScenarioSource::Given(d)
            | ScenarioSource::Dataset(d)
            | ScenarioSource::WorkingDir(d) => ScenarioLibrary::from_dir(&d),
            ScenarioSource::Bundled => Ok(ScenarioLibrary::bundled()),
            ScenarioSource::Missing(data) => Ok(ScenarioLibrary::none(
                format!(
                    "the dataset `{}` has no {SCENARIOS_DIR}/ folder, and the bundled scenarios are written for Kymenlaakso",
                    data.display()
                ),
                format!(
                    "put the region's scenario files in `{}` (`kymsim import-alas` writes a starter baseline.toml), pass --scenarios DIR, or --bundled-scenarios to apply the Kymenlaakso ones anyway",
                    data.join(SCENARIOS_DIR).display()
                ),
            )),
        }
    }

    /// Resolves the named scenarios (all in the library when `names` is empty) and compiles them.
    pub fn models(&self, region: &Region, names: &[String]) -> Result<Vec<(Scenario, Model)>> {
        let lib = self.library()?;
        if names.is_empty() && lib.is_empty() {
            return Err(lib.empty_error());
        }
        let names: Vec<String> = if names.is_empty() {
            lib.names().map(String::from).collect()
        } else {
            names.to_vec()
        };
        // every scenario is checked, so one run reports the errors of all of them
        let mut out: Vec<(Scenario, Model)> = Vec::new();
        let mut errors = crate::error::Errors::default();
        for n in &names {
            let one = lib.resolve(n).and_then(|sc| {
                if out.iter().any(|(s, _)| s.name == sc.name) {
                    return Err(crate::error::InputError::new(format!(
                        "scenario `{}` is given twice",
                        sc.name
                    ))
                    .hint("each scenario name may appear once in a run")
                    .into());
                }
                let model = compile(region, &sc)?;
                crate::engine::check_central(&model)?;
                out.push((sc, model));
                Ok(())
            });
            if !errors.keep(one) {
                break;
            }
        }
        errors.finish()?;
        Ok(out)
    }
}
