//! The languages kymsim writes for people in: [`Lang`], its code and how it is named on the
//! command line and in region.toml. It sits at the bottom of the crate so that the data layer
//! can read a region's `lang` setting; the texts of each language and its number formats are
//! the catalogue's ([`crate::i18n`]), which sits above the data and scenario layers.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language of the charts, the report and the printed tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Finnish: decimal comma, no-break space between thousands, `52,3 %`.
    Fi,
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "fi" => Ok(Lang::Fi),
            other => Err(format!(
                "unknown language `{other}`: the languages are `en` (English) and `fi` (Finnish)"
            )),
        }
    }
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fi];

    /// The language code (`en`, `fi`): the report's `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fi => "fi",
        }
    }
}
