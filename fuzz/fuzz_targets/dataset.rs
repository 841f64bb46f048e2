//! Any bytes as one file of the embedded dataset (the first byte picks which): load, then run.
#![no_main]

use kymsim::data::{DataSource, load_region};
use kymsim::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

const FILES: [&str; 8] = [
    "region.toml",
    "sources.csv",
    "energy_mix.csv",
    "carriers.csv",
    "carrier_ef.csv",
    "carrier_mix.csv",
    "drivers.csv",
    "history.csv",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let mut files = DataSource::embedded_files();
    files.insert(FILES[pick as usize % FILES.len()].to_string(), rest.to_vec());
    if let Ok(region) = load_region(&DataSource::Memory(files))
        && let Ok(model) = kymsim::model::compile(&region, &Scenario::empty("fuzz"))
    {
        let _ = kymsim::engine::run_central(&model);
        let _ = kymsim::engine::calibration(&region);
    }
});
