//! `import-alas --observed-out FILE`: the years the ALas files hold after the base year as the
//! observations `kymsim track` reads (`year,variable,kt,sd_kt,provenance`), so that a new ALas
//! release is an update in two commands: import it, then track against it.
//!
//! One line per year after the base year (up to the end year) and variable: gross emissions
//! (`Emissions|Kyoto Gases`, the ALas total) and every sector path of the imported sources
//! (`Emissions|Kyoto Gases|<path>`) that the imported dataset's `results.csv` has. `sd_kt` is
//! left empty: `track` then takes its documented default (5 % of the value, at least 1 kt).
//! The provenance names the release's files.

use super::aggregate::Aggregate;
use super::write::{Dataset, Settings, fmt_data, path_total, sector_paths};
use crate::error::{InputError, Result};

/// The columns, as `track` reads them.
pub const COLUMNS: [&str; 5] = ["year", "variable", "kt", "sd_kt", "provenance"];

/// The observations file of an import: `files` are the ALas files read (named in each line's
/// provenance), `dataset` the imported files (whose variables decide which sector lines are
/// written). No year after the base year is a bad request (nothing to observe).
pub fn observations_csv(
    agg: &Aggregate,
    files: &[String],
    settings: &Settings,
    dataset: &Dataset,
) -> Result<Vec<u8>> {
    let base = settings.base_year;
    let years: Vec<i32> = agg
        .years
        .iter()
        .copied()
        .filter(|&y| y > base && y <= settings.end_year)
        .collect();
    if years.is_empty() {
        return Err(InputError::new(format!(
            "--observed-out: the files hold no year after the base year {base} (they have {})",
            super::aggregate::year_list(&agg.years)
        ))
        .hint("set --base-year before the last year of the files; the later years are the observations")
        .into());
    }
    let variables = dataset_variables(dataset)?;
    let gross = crate::model::variables::GROSS;
    let fw = agg.framework.name();
    let mut rows: Vec<[String; 5]> = Vec::new();
    for y in years {
        let provenance = format!("Syke ALas {y} ({fw}): {}", files.join(" "));
        let mut lines = vec![(gross.to_string(), agg.gross(y))];
        for p in sector_paths(agg) {
            let variable = format!("{gross}|{p}");
            if variables.contains(&variable) {
                lines.push((variable, path_total(agg, &p, y)));
            }
        }
        // a negative sum (a credit row mapped to a sector) is no quantity `track` can weigh
        for (variable, kt) in lines.into_iter().filter(|(_, kt)| *kt >= 0.0) {
            rows.push([
                y.to_string(),
                variable,
                fmt_data(kt),
                String::new(),
                provenance.clone(),
            ]);
        }
    }
    Ok(crate::output::csv_bytes(|w| {
        w.write_record(COLUMNS)?;
        for r in &rows {
            w.write_record(r)?;
        }
        Ok(())
    }))
}

/// The variables of `results.csv` for the imported dataset (compiled without measures).
fn dataset_variables(dataset: &Dataset) -> Result<Vec<String>> {
    let files = dataset.files.iter().cloned().collect();
    let region = crate::data::load_region(&crate::data::DataSource::Memory(files))?;
    let model = crate::model::compile(&region, &crate::scenario::Scenario::empty("data"))?;
    Ok(model
        .variables
        .vars
        .iter()
        .map(|v| v.name.clone())
        .collect())
}
