//! `carriers.csv`: the energy carriers, their kinds and emission factors.

use std::collections::HashSet;

use crate::data::*;
use crate::error::Result;
use crate::input::TextFile;

use super::*;

pub(crate) fn read_carriers(file: &TextFile) -> Result<Vec<Carrier>> {
    let table = Table::read(
        file,
        &["id", "name", "kind", "ef"],
        &["name_fi", "bio_ef", "provenance"],
    )?;
    let mut carriers: Vec<Carrier> = Vec::new();
    let mut names = HashSet::new();
    for row in table.rows() {
        let id = check_id(&row, "id")?;
        if carriers.iter().any(|c| c.id == id) {
            return Err(row
                .error("id", format!("carrier `{id}` is defined twice"))
                .into());
        }
        let name = row.required_str("name")?.to_string();
        if !names.insert(name.clone()) {
            return Err(row
                .error("name", format!("carrier name `{name}` is used twice"))
                .hint("carrier names become output variable names and must be unique")
                .into());
        }
        if name.contains('|') {
            return Err(row
                .error("name", "a carrier name may not contain `|`")
                .into());
        }
        let kind = match row.required_str("kind")? {
            "fuel" => CarrierKind::Fuel,
            "mix" => CarrierKind::Mix,
            "blend" => CarrierKind::Blend,
            other => {
                return Err(row
                    .error("kind", format!("unknown carrier kind `{other}`"))
                    .hint("`kind` is `fuel` (own emission factor), `mix` (production mix from carrier_mix.csv) or `blend` (fuels sold blended, from carrier_mix.csv)")
                    .into());
            }
        };
        let ef = row.opt_f64("ef")?;
        let ef = match (kind, ef) {
            (CarrierKind::Fuel, None) => {
                return Err(row
                    .error("ef", format!("fuel carrier `{id}` needs an emission factor `ef`"))
                    .hint("t CO2e per MWh; 0 for carriers counted as zero (biomass, hydrogen from clean power)")
                    .into());
            }
            (CarrierKind::Fuel, Some(v)) if v < 0.0 => {
                return Err(row
                    .error("ef", format!("emission factor {v} is negative"))
                    .into());
            }
            (CarrierKind::Fuel, Some(v)) => Some(Trajectory::constant(0, v)),
            (CarrierKind::Mix | CarrierKind::Blend, Some(_)) => {
                return Err(row
                    .error(
                        "ef",
                        format!("mix or blend carrier `{id}` must leave `ef` empty"),
                    )
                    .hint("its emission factor is computed from carrier_mix.csv")
                    .into());
            }
            (CarrierKind::Mix | CarrierKind::Blend, None) => None,
        };
        let bio_ef = row.f64_or("bio_ef", 0.0)?;
        if !(0.0..=10.0).contains(&bio_ef) {
            return Err(row
                .error("bio_ef", format!("biogenic CO2 factor {bio_ef} is outside 0…10 t/MWh"))
                .hint("t of biogenic CO2 released per MWh of fuel burnt, e.g. 0.403 for wood (IPCC 2006: 112 t/TJ)")
                .into());
        }
        if bio_ef > 0.0 && kind != CarrierKind::Fuel {
            return Err(row
                .error("bio_ef", format!("mix or blend carrier `{id}` must leave `bio_ef` empty"))
                .hint("a mix or blend burns its components: give `bio_ef` to the fuels in carrier_mix.csv")
                .into());
        }
        carriers.push(Carrier {
            id,
            name,
            name_fi: name_fi(&row)?,
            kind,
            ef,
            bio_ef,
            provenance: row.str("provenance").to_string(),
        });
    }
    if carriers.is_empty() {
        return Err(file.error("no carriers are defined").into());
    }
    Ok(carriers)
}
