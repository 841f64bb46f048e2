//! Reading the files of a region dataset, one module per file, and what they share: the
//! location of a TOML error, ids, Finnish names, share tolerances.

pub(crate) mod carrier_ef;
pub(crate) mod carrier_mix;
pub(crate) mod carriers;
pub(crate) mod drivers;
pub(crate) mod energy_mix;
pub(crate) mod history;
pub(crate) mod region;
pub(crate) mod sources;

use crate::data::*;
use crate::error::{Error, InputError, Result, did_you_mean, name_list};
use crate::input::TextFile;

/// Turns a toml error into an input error located in `file`.
pub(crate) fn load_toml_error(file: &TextFile, e: toml::de::Error) -> Error {
    let msg = e.message().trim_end().to_string();
    let err = match e.span() {
        Some(span) => file.error_at(span.start, msg),
        None => file.error(msg),
    };
    let hint = if err.message.starts_with("unknown field") {
        Some("remove the key or check its spelling against docs/")
    } else if err.message.contains("invalid type") {
        Some("check the value's type: numbers unquoted, text in quotes, lists in [ ]")
    } else {
        None
    };
    err.maybe_hint(hint.map(str::to_string)).into()
}

pub(crate) fn key_error(file: &TextFile, key: &str, message: String) -> Error {
    key_input_error(file, key, message).into()
}

/// An error at the first line that starts with `key` (or the file).
pub(crate) fn key_input_error(file: &TextFile, key: &str, message: String) -> InputError {
    // point at the key's line when we can find it
    let offset = file
        .text
        .lines()
        .scan(0usize, |pos, l| {
            let start = *pos;
            *pos += l.len() + 1;
            Some((start, l))
        })
        .find(|(_, l)| l.trim_start().starts_with(key))
        .map(|(s, l)| s + (l.len() - l.trim_start().len()));
    match offset {
        Some(o) => file.error_at(o, message),
        None => file.error(message),
    }
}

pub(crate) fn check_id(row: &Row, column: &str) -> Result<String> {
    let id = row.required_str(column)?;
    if !is_valid_id(id) {
        return Err(row
            .error(column, format!("`{id}` is not a valid id"))
            .hint("ids are lower-case letters, digits and `_`, in parts joined by `.` (e.g. `transport.road.cars`)")
            .into());
    }
    Ok(id.to_string())
}

pub(crate) fn lookup<'a>(
    row: &Row,
    column: &str,
    what: &str,
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Result<usize> {
    let id = row.required_str(column)?;
    match ids.clone().position(|x| x == id) {
        Some(i) => Ok(i),
        None => Err(row
            .error(column, format!("unknown {what} `{id}`"))
            .hint(
                did_you_mean(id, ids.clone())
                    .unwrap_or_else(|| format!("known {what}s: {}", name_list(ids))),
            )
            .into()),
    }
}

/// The optional Finnish name of a row (`name_fi`; empty: none, the English name is shown).
pub(crate) fn name_fi(row: &super::Row) -> Result<Option<String>> {
    let v = row.str("name_fi").trim();
    if v.is_empty() {
        return Ok(None);
    }
    if let Some(what) = super::table::check_text(v) {
        return Err(row.error("name_fi", format!("`name_fi` has {what}")).into());
    }
    Ok(Some(v.to_string()))
}

/// The optional Finnish sector path (`sector_fi`): the same number of `|` parts as `sector`,
/// part by part its Finnish name (`Liikenne|Tieliikenne|Henkilöautot`).
pub(crate) fn sector_fi(row: &super::Row, sector: &str) -> Result<Option<String>> {
    let fi = row.str("sector_fi").trim();
    if fi.is_empty() {
        return Ok(None);
    }
    let (n_en, n_fi) = (sector.split('|').count(), fi.split('|').count());
    if n_en != n_fi || fi.split('|').any(|p| p.trim().is_empty() || p.trim() != p) {
        return Err(row
            .error(
                "sector_fi",
                format!(
                    "`sector_fi` `{fi}` does not match `sector` `{sector}` part by part ({n_fi} against {n_en} parts)"
                ),
            )
            .hint("give the Finnish name of each part of `sector`, separated by `|` in the same order (e.g. `Liikenne|Tieliikenne`), or leave it empty")
            .into());
    }
    Ok(Some(fi.to_string()))
}

pub(crate) const SHARE_TOLERANCE: f64 = 1e-6;

pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
