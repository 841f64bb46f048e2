//! Any bytes as a scenario file: parse, resolve, compile against the embedded region, evaluate.
#![no_main]

use std::sync::OnceLock;

use kymsim::data::{DataSource, Region, load_region};
use kymsim::scenario::ScenarioLibrary;
use libfuzzer_sys::fuzz_target;

fn region() -> &'static Region {
    static R: OnceLock<Region> = OnceLock::new();
    R.get_or_init(|| load_region(&DataSource::Embedded).expect("embedded dataset loads"))
}

fuzz_target!(|data: &[u8]| {
    let lib = ScenarioLibrary::bundled();
    if let Ok(sc) = lib.resolve_bytes("fuzz.toml", data)
        && let Ok(model) = kymsim::model::compile(region(), &sc)
    {
        let _ = kymsim::engine::run_central(&model);
    }
});
