//! The explorer's requests: the JSON body of `POST /api/evaluate`, `/api/export` and
//! `/api/batch`, read strictly (unknown fields and repeated measures refused), and the error
//! format every refusal answers (`{"error": …, "field": …}`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{BATCH_SAMPLES, DEFAULT_BATCH_SAMPLES};

/// A rejected request: what is wrong, naming the field (`{"error": …, "field": …}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    /// The message, starting with the field it concerns.
    pub error: String,
    /// The request field at fault (`scenario`, `overrides.ev_cars.value`, …), when there is one.
    pub field: Option<String>,
}

impl ApiError {
    /// An error in `field`.
    pub fn field(field: impl Into<String>, message: impl std::fmt::Display) -> ApiError {
        let field = field.into();
        ApiError {
            error: format!("{field}: {message}"),
            field: Some(field),
        }
    }

    /// An error of the request as a whole.
    pub fn request(message: impl Into<String>) -> ApiError {
        ApiError {
            error: message.into(),
            field: None,
        }
    }
}

/// One measure's changed settings.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The measure's value (a fraction; kt CO2e/yr for a `removal`), fixed: it is no longer
    /// drawn from the measure's distribution.
    pub value: Option<f64>,
    /// The completion year of a linear or logistic adoption, fixed.
    pub full: Option<f64>,
}

/// The body of `POST /api/evaluate`, `/api/export` and `/api/batch`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The scenario explored (a name of the library, as `kymsim run NAME` takes).
    pub scenario: String,
    /// Changed measures by id (a measure named twice is an error, not the last one kept).
    #[serde(default, deserialize_with = "unique_overrides")]
    pub overrides: BTreeMap<String, Override>,
    /// `evaluate`: add the Shapley attribution and the cost curve (≈ 0.1–0.5 s).
    #[serde(default)]
    pub attribution: bool,
    /// `export`: the new scenario's name (default `<scenario>-explored`).
    pub name: Option<String>,
    /// `batch`: samples (default [`DEFAULT_BATCH_SAMPLES`]).
    pub samples: Option<u64>,
    /// `batch`: seed (default: the explorer's seed, 2040).
    pub seed: Option<u64>,
}

/// Reads the `overrides` object, refusing a measure id given twice: JSON leaves repeated keys
/// undefined, and silently keeping one of them would evaluate settings nobody asked for.
fn unique_overrides<'de, D>(de: D) -> Result<BTreeMap<String, Override>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Unique;
    impl<'de> serde::de::Visitor<'de> for Unique {
        type Value = BTreeMap<String, Override>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of measure ids")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(id) = map.next_key::<String>()? {
                let o: Override = map.next_value()?;
                if out.insert(id.clone(), o).is_some() {
                    return Err(serde::de::Error::custom(format!(
                        "measure `{}` is given twice; give each measure once",
                        crate::error::printable(&id, 80)
                    )));
                }
            }
            Ok(out)
        }
    }
    de.deserialize_map(Unique)
}

impl Request {
    /// Parses a JSON body; a bad one names the field and says what was expected.
    pub fn parse(body: &[u8]) -> Result<Request, ApiError> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let parsed: Result<Request, _> = serde_path_to_error::deserialize(&mut de);
        match parsed {
            Ok(r) => {
                de.end()
                    .map_err(|e| ApiError::request(format!("body: {e} after the JSON object")))?;
                Ok(r)
            }
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                // `?` marks a place the parser did not reach: the JSON itself is broken
                let field = if path == "." || path.is_empty() || path.contains('?') {
                    "body".to_string()
                } else {
                    path
                };
                let hint = if field == "body" {
                    " (send a JSON object such as {\"scenario\": \"programme\", \"overrides\": {}})"
                } else {
                    ""
                };
                Err(ApiError::field(field, format!("{inner}{hint}")))
            }
        }
    }
}

/// The samples of a batch request, checked against [`BATCH_SAMPLES`].
pub(super) fn batch_samples(req: &Request) -> Result<u64, ApiError> {
    let samples = req.samples.unwrap_or(DEFAULT_BATCH_SAMPLES);
    if !BATCH_SAMPLES.contains(&samples) {
        return Err(ApiError::field(
            "samples",
            format!(
                "{samples} is outside {}–{} (run `kymsim batch` on the exported scenario for more)",
                BATCH_SAMPLES.start(),
                BATCH_SAMPLES.end()
            ),
        ));
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_bodies_name_the_field() {
        let e = Request::parse(b"{\"scenario\": 3}").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("scenario"));
        let e =
            Request::parse(b"{\"scenario\": \"x\", \"overrides\": {\"a\": {\"value\": \"high\"}}}")
                .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("overrides.a.value"));
        assert!(
            e.error
                .starts_with("overrides.a.value: invalid type: string"),
            "{}",
            e.error
        );
        let e = Request::parse(b"{\"scenario\": \"x\", \"overides\": {}}").unwrap_err();
        assert!(e.error.contains("unknown field `overides`"), "{}", e.error);
        let e = Request::parse(b"{\"scenario\": \"x\", \"overrides\": {\"a\": {\"value\": 1,")
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"), "{}", e.error);
        let e = Request::parse(b"not json").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
        let e = Request::parse(b"{\"scenario\": \"x\"} trailing").unwrap_err();
        assert!(e.error.starts_with("body: "), "{}", e.error);
        let r = Request::parse(b"{\"scenario\": \"x\", \"overrides\": {\"a\": {\"full\": 2035}}}")
            .unwrap();
        assert_eq!(
            r.overrides["a"],
            Override {
                value: None,
                full: Some(2035.0)
            }
        );
    }
}
