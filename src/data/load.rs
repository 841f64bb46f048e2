//! Reading and validating a region dataset from a folder or from the embedded default.

use std::path::{Path, PathBuf};

use super::read::carrier_ef::read_carrier_ef;
use super::read::carrier_mix::{check_mix_carriers, read_carrier_mix};
use super::read::carriers::read_carriers;
use super::read::drivers::read_drivers;
use super::read::energy_mix::read_energy_mix;
use super::read::history::read_history;
use super::read::load_toml_error;
use super::read::region::{
    RegionToml, check_land_area, check_region_toml, leave_out_land, read_budget, read_milestones,
};
use super::read::sources::read_sources;
use super::*;
use crate::error::{InputError, Result};
use crate::input::TextFile;

/// Where a dataset's files come from.
#[derive(Debug, Clone)]
pub enum DataSource {
    /// The Kymenlaakso dataset compiled into the binary.
    Embedded,
    /// A folder with the same files.
    Dir(PathBuf),
    /// Files in memory, by file name (for tools and fuzzing).
    Memory(std::collections::BTreeMap<String, Vec<u8>>),
}

/// The embedded default dataset: (file name, text).
const EMBEDDED: &[(&str, &str)] = &[
    (
        "region.toml",
        include_str!("../../data/kymenlaakso/region.toml"),
    ),
    (
        "sources.csv",
        include_str!("../../data/kymenlaakso/sources.csv"),
    ),
    (
        "energy_mix.csv",
        include_str!("../../data/kymenlaakso/energy_mix.csv"),
    ),
    (
        "carriers.csv",
        include_str!("../../data/kymenlaakso/carriers.csv"),
    ),
    (
        "carrier_ef.csv",
        include_str!("../../data/kymenlaakso/carrier_ef.csv"),
    ),
    (
        "carrier_mix.csv",
        include_str!("../../data/kymenlaakso/carrier_mix.csv"),
    ),
    (
        "drivers.csv",
        include_str!("../../data/kymenlaakso/drivers.csv"),
    ),
    (
        "history.csv",
        include_str!("../../data/kymenlaakso/history.csv"),
    ),
    (
        "SOURCES.md",
        include_str!("../../data/kymenlaakso/SOURCES.md"),
    ),
];

impl DataSource {
    /// The embedded dataset's files as a [`DataSource::Memory`], to modify in memory.
    pub fn embedded_files() -> std::collections::BTreeMap<String, Vec<u8>> {
        EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    /// Reads one file; `Ok(None)` when an optional file is absent.
    fn read(&self, name: &str) -> Result<Option<TextFile>> {
        match self {
            DataSource::Embedded => EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(n, text)| {
                    TextFile::from_bytes(format!("embedded:data/kymenlaakso/{n}"), text.as_bytes())
                })
                .transpose(),
            DataSource::Dir(dir) => {
                let path = dir.join(name);
                if !path.exists() {
                    return Ok(None);
                }
                TextFile::read(&path).map(Some)
            }
            DataSource::Memory(files) => files
                .get(name)
                .map(|bytes| TextFile::from_bytes(format!("memory:{name}"), bytes))
                .transpose(),
        }
    }

    fn require(&self, name: &str) -> Result<TextFile> {
        self.read(name)?.ok_or_else(|| {
            let dir = match self {
                DataSource::Dir(d) => d.display().to_string(),
                DataSource::Embedded => "the embedded dataset".into(),
                DataSource::Memory(_) => "memory".into(),
            };
            InputError::new(format!("the dataset has no `{name}`"))
                .in_file(Path::new(&dir).join(name).display().to_string())
                .hint("a dataset folder needs region.toml, sources.csv, carriers.csv and energy_mix.csv (see docs/data-format.md)")
                .into()
        })
    }
}

/// Loads and validates a region dataset.
pub fn load_region(source: &DataSource) -> Result<Region> {
    let mut inputs = Vec::new();
    let mut note = |f: &TextFile| inputs.push((f.name.clone(), f.sha256.clone()));

    let region_file = source.require("region.toml")?;
    note(&region_file);
    let rt: RegionToml =
        toml::from_str(&region_file.text).map_err(|e| load_toml_error(&region_file, e))?;
    let target = check_region_toml(&region_file, &rt)?;

    let carriers_file = source.require("carriers.csv")?;
    note(&carriers_file);
    let mut carriers = read_carriers(&carriers_file)?;

    if let Some(f) = source.read("carrier_ef.csv")? {
        note(&f);
        read_carrier_ef(&f, &mut carriers)?;
    }

    let drivers = match source.read("drivers.csv")? {
        Some(f) => {
            note(&f);
            read_drivers(&f)?
        }
        None => Vec::new(),
    };

    let sources_file = source.require("sources.csv")?;
    note(&sources_file);
    let mut sources = read_sources(&sources_file, &drivers)?;

    let mix_file = source.require("energy_mix.csv")?;
    note(&mix_file);
    let energy_mix = read_energy_mix(&mix_file, &sources, &carriers)?;

    let mix_file = source.read("carrier_mix.csv")?;
    let carrier_mix = match &mix_file {
        Some(f) => {
            note(f);
            read_carrier_mix(f, &carriers)?
        }
        None => Vec::new(),
    };
    check_mix_carriers(&carriers_file, mix_file.as_ref(), &carriers, &carrier_mix)?;

    if let Some(land) = rt.land_area_ha {
        check_land_area(&sources_file, &region_file, land, &sources)?;
    }
    let uncounted_land = leave_out_land(&region_file, &rt.uncounted_land, &mut sources)?;

    let history = match source.read("history.csv")? {
        Some(f) => {
            note(&f);
            read_history(&f)?
        }
        None => Vec::new(),
    };
    let milestones = read_milestones(&region_file, &rt, &history)?;
    let budget = read_budget(&region_file, &rt)?;
    let sources_md = source.read("SOURCES.md")?.map(|f| {
        note(&f);
        f.text
    });

    Ok(Region {
        name: rt.name,
        code: rt.code,
        base_year: rt.base_year,
        end_year: rt.end_year,
        accounting: rt.accounting,
        boundary: rt.boundary,
        description: rt.description,
        target,
        milestones,
        budget,
        land_area_ha: rt.land_area_ha,
        count_ets_removals: rt.count_ets_removals,
        uncounted_land,
        lang: rt.lang,
        sources,
        carriers,
        energy_mix,
        carrier_mix,
        drivers,
        history,
        inputs,
        dir: match source {
            DataSource::Dir(d) => Some(d.clone()),
            DataSource::Embedded | DataSource::Memory(_) => None,
        },
        sources_md,
    })
}

#[cfg(test)]
mod tests {
    use super::super::read::carrier_mix::mix_order;

    #[test]
    fn mix_order_puts_components_first_and_finds_cycles() {
        // 2 = mix of {0, 3}; 3 = mix of {1}
        let order = mix_order(4, [(2, 0), (2, 3), (3, 1)].into_iter()).unwrap();
        let pos = |x| order.iter().position(|&v| v == x).unwrap();
        assert!(pos(0) < pos(2) && pos(3) < pos(2) && pos(1) < pos(3));
        let cycle = mix_order(3, [(0, 1), (1, 2), (2, 0)].into_iter()).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4);
    }
}
