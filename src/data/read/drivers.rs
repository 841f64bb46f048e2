//! `drivers.csv`: the drivers (population, …) and their growth.

use crate::data::*;
use crate::error::Result;
use crate::input::TextFile;

use super::*;

pub(crate) fn read_drivers(file: &TextFile) -> Result<Vec<Driver>> {
    let table = Table::read(file, &["driver", "year", "value"], &["provenance"])?;
    let mut points: Vec<(String, Vec<(i32, f64)>)> = Vec::new();
    for row in table.rows() {
        let id = check_id(&row, "driver")?;
        let year = row.year("year")?;
        let value = row.f64("value")?;
        if value <= 0.0 {
            return Err(row
                .error("value", format!("driver value {value} must be positive"))
                .hint("activities scale with the ratio of a driver to its base-year value")
                .into());
        }
        let i = match points.iter().position(|p| p.0 == id) {
            Some(i) => i,
            None => {
                points.push((id.clone(), Vec::new()));
                points.len() - 1
            }
        };
        if points[i].1.iter().any(|p| p.0 == year) {
            return Err(row
                .error("year", format!("driver `{id}` has year {year} twice"))
                .into());
        }
        points[i].1.push((year, value));
    }
    Ok(points
        .into_iter()
        .map(|(id, mut p)| {
            p.sort_by_key(|x| x.0);
            Driver {
                id,
                trajectory: Trajectory::new(p),
            }
        })
        .collect())
}
