//! `carrier_ef.csv`: emission factors that change over the years.

use std::collections::BTreeMap;

use crate::data::*;
use crate::error::Result;
use crate::input::TextFile;

use super::*;

pub(crate) fn read_carrier_ef(file: &TextFile, carriers: &mut [Carrier]) -> Result<()> {
    let table = Table::read(file, &["carrier", "year", "ef"], &["provenance"])?;
    let mut points: BTreeMap<usize, Vec<(i32, f64, usize)>> = BTreeMap::new();
    for row in table.rows() {
        let c = lookup(
            &row,
            "carrier",
            "carrier",
            carriers.iter().map(|c| c.id.as_str()),
        )?;
        if carriers[c].kind.is_composite() {
            return Err(row
                .error(
                    "carrier",
                    format!("`{}` is a mix or blend carrier", carriers[c].id),
                )
                .hint("a mix carrier's emission factor comes from carrier_mix.csv")
                .into());
        }
        let year = row.year("year")?;
        let ef = row.f64("ef")?;
        if ef < 0.0 {
            return Err(row
                .error("ef", format!("emission factor {ef} is negative"))
                .into());
        }
        let list = points.entry(c).or_default();
        if list.iter().any(|p| p.0 == year) {
            return Err(row
                .error(
                    "year",
                    format!("carrier `{}` has year {year} twice", carriers[c].id),
                )
                .into());
        }
        list.push((year, ef, row.line()));
    }
    for (c, mut list) in points {
        list.sort_by_key(|p| p.0);
        carriers[c].ef = Some(Trajectory::new(list.iter().map(|p| (p.0, p.1)).collect()));
    }
    Ok(())
}
