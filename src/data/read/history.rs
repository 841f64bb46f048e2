//! `history.csv`: the inventory years, by sector.

use crate::data::*;
use crate::error::Result;
use crate::input::TextFile;

pub(crate) fn read_history(file: &TextFile) -> Result<Vec<HistoryPoint>> {
    let table = Table::read(file, &["year", "sector", "kt"], &["basis", "provenance"])?;
    let mut out: Vec<HistoryPoint> = Vec::new();
    // (year, sector) pairs seen: one hash look-up per row keeps the loader linear
    let mut seen: std::collections::HashSet<(i32, String)> = std::collections::HashSet::new();
    for row in table.rows() {
        let year = row.year("year")?;
        let sector = row.required_str("sector")?.to_string();
        let kt = row.f64("kt")?;
        if !seen.insert((year, sector.clone())) {
            return Err(row
                .error("sector", format!("history has `{sector}` in {year} twice"))
                .into());
        }
        let independent = match row.str("basis") {
            "" | "independent" => true,
            "reconstructed" => false,
            other => {
                return Err(row
                    .error("basis", format!("unknown basis `{other}`"))
                    .hint("`independent` (a published or measured figure, the default) or `reconstructed` (derived from the same data as sources.csv)")
                    .into());
            }
        };
        out.push(HistoryPoint {
            year,
            sector,
            kt,
            independent,
            provenance: row.str("provenance").to_string(),
        });
    }
    out.sort_by(|a, b| a.sector.cmp(&b.sector).then(a.year.cmp(&b.year)));
    Ok(out)
}
