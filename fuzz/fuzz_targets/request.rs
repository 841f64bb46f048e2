//! Fuzzes the explorer's request handling: any bytes as a request body, parsed and checked as
//! `kymsim serve` does, evaluated, exported and — the export back to `run` — the exported TOML
//! resolved, compiled and run: its target-year net emissions must equal the evaluation's to the
//! bit. A small batch runs when the request asks for one of at most 200 samples.
#![no_main]

use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use kymsim::data::{DataSource, load_region};
use kymsim::engine::run_central;
use kymsim::model::compile;
use kymsim::scenario::ScenarioLibrary;
use kymsim::serve::{Explorer, ExplorerOptions, Request};
use libfuzzer_sys::fuzz_target;

const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/tiny");
const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/batch");

fn library() -> ScenarioLibrary {
    ScenarioLibrary::from_dir(std::path::Path::new(SCENARIOS)).expect("the fixture scenarios")
}

fn explorer() -> &'static Explorer {
    static E: OnceLock<Explorer> = OnceLock::new();
    E.get_or_init(|| {
        let region = load_region(&DataSource::Dir(TINY.into())).expect("the tiny dataset");
        let lib = library();
        let models = lib
            .names()
            .map(|n| {
                let sc = lib.resolve(n).expect("resolves");
                let m = compile(&region, &sc).expect("compiles");
                (sc, m)
            })
            .collect();
        Explorer::new(
            region,
            lib,
            models,
            ExplorerOptions {
                seed: 2040,
                permutations: 50,
                background_threads: 1,
            },
        )
        .expect("an explorer")
    })
}

fn region() -> &'static kymsim::data::Region {
    static R: OnceLock<kymsim::data::Region> = OnceLock::new();
    R.get_or_init(|| load_region(&DataSource::Dir(TINY.into())).expect("the tiny dataset"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(req) = Request::parse(data) else {
        return;
    };
    let e = explorer();
    if e.validate(&req).is_err() {
        assert!(e.evaluate(&req).is_err(), "evaluate accepts what validate refuses");
        return;
    }
    let Ok(ev) = e.evaluate(&req) else {
        return;
    };
    if let Ok((toml, name)) = e.export(&req) {
        let sc = library()
            .resolve_bytes(&format!("{name}.toml"), toml.as_bytes())
            .unwrap_or_else(|err| panic!("the export does not read back: {err}\n{toml}"));
        let model = compile(region(), &sc).expect("the export compiles");
        let r = run_central(&model);
        assert_eq!(
            r.summary.net_kt.to_bits(),
            ev.summary.net_kt.to_bits(),
            "the export's net emissions differ from the evaluation's\n{toml}"
        );
    }
    if req.samples.is_some_and(|n| n <= 200) && e.validate_batch(&req).is_ok() {
        static CANCEL: AtomicBool = AtomicBool::new(false);
        let _ = e.batch(&req, &CANCEL);
    }
});
