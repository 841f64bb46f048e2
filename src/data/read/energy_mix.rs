//! `energy_mix.csv`: each energy source's carrier shares.

use std::collections::HashMap;

use crate::data::*;
use crate::error::Result;
use crate::input::TextFile;

use super::*;

pub(crate) fn read_energy_mix(
    file: &TextFile,
    sources: &[Source],
    carriers: &[Carrier],
) -> Result<Vec<EnergyShare>> {
    let table = Table::read(file, &["source", "carrier", "share"], &["provenance"])?;
    let mut shares: Vec<EnergyShare> = Vec::new();
    let mut first_line: HashMap<usize, usize> = HashMap::new();
    for row in table.rows() {
        let s = lookup(
            &row,
            "source",
            "source",
            sources.iter().map(|s| s.id.as_str()),
        )?;
        let c = lookup(
            &row,
            "carrier",
            "carrier",
            carriers.iter().map(|c| c.id.as_str()),
        )?;
        let share = row.f64("share")?;
        if !(0.0..=1.0).contains(&share) {
            return Err(row
                .error("share", format!("share {share} is outside 0…1"))
                .into());
        }
        if shares.iter().any(|x| x.source == s && x.carrier == c) {
            return Err(row
                .error(
                    "carrier",
                    format!(
                        "source `{}` lists carrier `{}` twice",
                        sources[s].id, carriers[c].id
                    ),
                )
                .into());
        }
        if sources[s].intensity == 0.0 {
            return Err(row
                .error(
                    "source",
                    format!(
                        "source `{}` has no energy intensity, so it has no energy mix",
                        sources[s].id
                    ),
                )
                .hint("give the source an `intensity` in sources.csv or remove these rows")
                .into());
        }
        first_line.entry(s).or_insert(row.line());
        shares.push(EnergyShare {
            source: s,
            carrier: c,
            share,
        });
    }
    for (i, src) in sources.iter().enumerate() {
        if src.intensity == 0.0 {
            continue;
        }
        let sum: f64 = shares
            .iter()
            .filter(|x| x.source == i)
            .map(|x| x.share)
            .sum();
        match first_line.get(&i) {
            None => {
                return Err(file
                    .error(format!(
                        "source `{}` uses energy but has no energy mix",
                        src.id
                    ))
                    .hint("add rows `source,carrier,share` whose shares sum to 1")
                    .into());
            }
            Some(&line) if (sum - 1.0).abs() > SHARE_TOLERANCE => {
                return Err(file
                    .error(format!(
                        "the shares of source `{}` sum to {}, not 1",
                        src.id,
                        round6(sum)
                    ))
                    .at(line, 1)
                    .hint("shares are fractions of the source's final energy and must add up to 1")
                    .into());
            }
            _ => {}
        }
    }
    Ok(shares)
}
