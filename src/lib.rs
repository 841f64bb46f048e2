//! kymsim: a carbon-neutrality scenario simulator for a Finnish region.
//!
//! The embedded default region is Kymenlaakso, whose regional programme sets the target of
//! carbon neutrality in 2040 (−80 % gross emissions from 1990, the rest compensated by sinks).
//!
//! Data flows one way:
//! files → [`data::Region`] + [`scenario::Scenario`] → [`model::Model`] (dense arrays and a
//! parameter table) → [`engine`] (parameters → results) → [`output`].
//!
//! ```
//! use kymsim::{data, engine, model, scenario};
//! let region = data::load_region(&data::DataSource::Embedded).unwrap();
//! let sc = scenario::ScenarioLibrary::bundled().resolve("baseline").unwrap();
//! let m = model::compile(&region, &sc).unwrap();
//! let r = engine::run_central(&m);
//! assert!(r.summary.gross_kt > 0.0);
//! ```

pub mod alas;
pub mod batch;
pub mod charts;
pub mod check;
pub mod cli;
pub mod data;
pub mod decision;
pub mod engine;
pub mod error;
pub mod i18n;
pub mod input;
pub mod lang;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod scenario;
pub mod serve;
pub mod track;

pub use error::{Error, InputError, Result};
