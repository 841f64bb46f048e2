//! The observations `track` reads: `year,variable,kt,sd_kt,provenance`, one inventory figure a
//! line, each checked against the model's variables and years.

use crate::data::Table;
use crate::error::{InputError, Result, did_you_mean};
use crate::input::TextFile;
use crate::model::Model;

/// The columns of an observations file, in the order `import-alas --observed-out` writes them.
pub const OBSERVED_COLUMNS: [&str; 5] = ["year", "variable", "kt", "sd_kt", "provenance"];

/// The standard deviation of an observation without `sd_kt`, as a share of its value: 5 % (an
/// estimate of a municipal inventory's uncertainty, not a published figure: docs/track.md).
pub const DEFAULT_SD_SHARE: f64 = 0.05;

/// The smallest default standard deviation, kt (so that a figure near 0 is not taken as exact).
pub const MIN_DEFAULT_SD_KT: f64 = 1.0;

/// One observed inventory figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The year.
    pub year: i32,
    /// A variable of `results.csv`.
    pub variable: String,
    /// Its row in the model's variables.
    pub row: usize,
    /// The observed value, kt CO2e (or GWh for a `Final Energy` row).
    pub kt: f64,
    /// Its standard deviation (given, or the default).
    pub sd_kt: f64,
    /// Where it comes from.
    pub provenance: String,
}

/// Reads and checks an observations file against `model`: every variable one of its
/// variables, every year after the base year and within the horizon, no (year, variable)
/// twice, values finite and ≥ 0, `sd_kt` finite and > 0. Rows come back sorted by year, then
/// variable.
pub fn read_observations(file: &TextFile, model: &Model) -> Result<Vec<Observation>> {
    let table = Table::read(file, &["year", "variable", "kt"], &["sd_kt", "provenance"])?;
    let end = model.base_year + model.ny as i32 - 1;
    let mut out: Vec<(Observation, usize)> = Vec::new();
    for row in table.rows() {
        let year = row.year("year")?;
        if year <= model.base_year || year > end {
            return Err(row
                .error(
                    "year",
                    format!(
                        "year {year} is outside the years an observation can update: {}–{end}",
                        model.base_year + 1
                    ),
                )
                .hint(format!(
                    "observations are years after the base year {} and up to the end year {end}",
                    model.base_year
                ))
                .into());
        }
        let variable = row.required_str("variable")?.to_string();
        let Some(r) = model.variables.index(&variable) else {
            let names = model.variables.vars.iter().map(|v| v.name.as_str());
            let mut e = row.error("variable", format!("unknown variable `{variable}`"));
            e = match did_you_mean(&variable, names) {
                Some(s) => e.hint(format!("did you mean `{s}`? (a variable of results.csv)")),
                None => e.hint("name a variable of results.csv, e.g. `Emissions|Kyoto Gases`"),
            };
            return Err(e.into());
        };
        let kt = row.f64("kt")?;
        if !(kt.is_finite() && kt >= 0.0) {
            return Err(row
                .error("kt", format!("`kt` = {kt} must be a finite number ≥ 0"))
                .hint("an inventory figure is a quantity emitted or used in the year")
                .into());
        }
        let sd_kt = match row.opt_f64("sd_kt")? {
            Some(sd) if !(sd.is_finite() && sd > 0.0) => {
                return Err(row
                    .error(
                        "sd_kt",
                        format!("`sd_kt` = {sd} must be a finite number > 0"),
                    )
                    .hint("leave it empty for the default (5 % of the value, at least 1 kt)")
                    .into());
            }
            Some(sd) => sd,
            None => (DEFAULT_SD_SHARE * kt).max(MIN_DEFAULT_SD_KT),
        };
        if let Some((_, first)) = out
            .iter()
            .find(|(o, _)| o.year == year && o.variable == variable)
        {
            return Err(row
                .row_error(format!(
                    "`{variable}` in {year} is observed twice (first on line {first})"
                ))
                .hint("keep one figure per year and variable")
                .into());
        }
        out.push((
            Observation {
                year,
                variable,
                row: r,
                kt,
                sd_kt,
                provenance: row.str("provenance").to_string(),
            },
            row.line(),
        ));
    }
    if out.is_empty() {
        return Err(InputError::new(format!("{}: no observations", file.name))
            .hint("give at least one line `year,variable,kt,sd_kt,provenance`")
            .into());
    }
    let mut obs: Vec<Observation> = out.into_iter().map(|(o, _)| o).collect();
    obs.sort_by(|a, b| (a.year, &a.variable).cmp(&(b.year, &b.variable)));
    Ok(obs)
}
