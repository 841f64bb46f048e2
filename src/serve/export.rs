//! The explorer's settings as a scenario TOML that extends the scenario picked.
//!
//! Each changed measure is written whole (an inherited id replaces that measure in place, see
//! docs/scenario-format.md): its `[[measures]]` table as written in its file, with `value` and
//! `adoption.full` set to the numbers chosen — the numbers the explorer fixes in the model's
//! parameters ([`crate::model::Model::with_params`]). Floats are written in the shortest form that reads
//! back to the same bits, so `kymsim run` of the file reproduces the page's figures exactly.

use super::{ApiError, Entry};
use crate::model::MeasureSetting;
use crate::scenario::{measure_definition, measure_toml};

/// A number as TOML writes it: shortest round-trip digits, `.0` on whole numbers.
fn number(x: f64) -> String {
    toml::Value::Float(x).to_string()
}

/// The scenario file `name` extending `entry` with `changes`.
pub(super) fn scenario_toml(
    entry: &Entry,
    changes: &[MeasureSetting],
    name: &str,
) -> Result<String, ApiError> {
    let mut said = Vec::new();
    for c in changes {
        let m = &entry.measures[c.measure.0];
        let mut what = Vec::new();
        if let Some(v) = c.value {
            what.push(format!("value {} (was {})", number(v), number(m.value)));
        }
        if let (Some(f), Some(was)) = (c.full, m.adoption.full) {
            what.push(format!("full {} (was {})", number(f), number(was)));
        }
        said.push(format!("{} {}", m.id, what.join(", ")));
    }
    let description = if said.is_empty() {
        format!("`{}` as written", entry.name)
    } else {
        format!("`{}` with {}", entry.name, said.join("; "))
    };
    let mut out = String::new();
    out.push_str(&format!(
        "# Written by `kymsim serve` from scenario `{}`; `kymsim run` of this file reproduces the\n\
         # explorer's figures. Each measure below replaces the inherited one of the same id; a value\n\
         # or year chosen in the explorer is fixed (no longer drawn from a distribution in batches).\n",
        entry.name
    ));
    out.push_str(&format!("name = {}\n", toml::Value::String(name.into())));
    out.push_str(&format!(
        "description = {}\n",
        toml::Value::String(description)
    ));
    out.push_str(&format!(
        "extends = {}\n",
        toml::Value::String(entry.name.clone())
    ));
    for c in changes {
        let spec = &entry.scenario.measures[entry.specs[c.measure.0]];
        let mut table = measure_definition(&spec.file.text, spec.item.id()).ok_or_else(|| {
            ApiError::request(format!(
                "the definition of measure `{}` was not found in `{}`",
                spec.item.id(),
                spec.file.name
            ))
        })?;
        if let Some(v) = c.value {
            table.insert("value".into(), toml::Value::Float(v));
        }
        if let Some(f) = c.full
            && let Some(toml::Value::Table(a)) = table.get_mut("adoption")
        {
            a.insert("full".into(), toml::Value::Float(f));
        }
        out.push('\n');
        out.push_str(&measure_toml(&table));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_read_back_to_the_same_bits() {
        for x in [
            0.1,
            0.1 + 0.2,
            0.61,
            1.0 / 3.0,
            2035.0,
            2035.5,
            1e-7,
            123456.789,
            1e6,
            0.0,
            5e-324,
        ] {
            let text = format!("x = {}", number(x));
            let back: toml::Table = toml::from_str(&text).unwrap();
            assert_eq!(
                back["x"].as_float().unwrap().to_bits(),
                x.to_bits(),
                "{text}"
            );
        }
        // shortest forms, not 17 digits
        assert_eq!(number(0.61), "0.61");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number(2035.0), "2035.0");
    }
}
