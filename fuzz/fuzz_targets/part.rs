//! Fuzzes `merge`'s part reader: any bytes as a part file, and the same bytes as the payload of
//! a part with a valid checksum (so the decoder and the header checks are reached), then the
//! checks that merge applies to a set of parts.
#![no_main]

use kymsim::batch::part::{Part, check_parts, with_checksum};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Part::from_bytes(data, "fuzz.kpart");
    if let Ok(part) = Part::from_bytes(&with_checksum(data), "fuzz.kpart") {
        let _ = check_parts(vec![("fuzz.kpart".into(), part)]);
    }
});
