//! Any bytes as a Syke ALas municipality file.
#![no_main]

use std::path::Path;

use kymsim::input::TextFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = TextFile::from_bytes("kunta_075.csv", data) {
        let _ = kymsim::alas::reader::read_municipality_file(&file, Path::new("kunta_075.csv"), 0);
        let _ = kymsim::alas::reader::read_municipality_list(&file, Path::new("asukasluvut_2023.csv"));
    }
});
