//! Inputs that once crashed a fuzz target (kept under `tests/fuzz_regressions/<target>/`) must
//! now give an error or a result, never a panic. The same calls as the fuzz targets in `fuzz/`.

use std::path::Path;

use kymsim::data::{DataSource, load_region};
use kymsim::scenario::{Scenario, ScenarioLibrary};

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_name() != ".gitkeep")
                .map(|e| std::fs::read(e.path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    // a few hand-made edge cases run even when no crash has been recorded
    out.extend([
        b"".to_vec(),
        b"\xff\xfe".to_vec(),
        b"[[measures]]\n".to_vec(),
        b"\x01id,name\n,,,,\n".to_vec(),
    ]);
    out
}

#[test]
fn scenario_inputs_never_panic() {
    let region = load_region(&DataSource::Embedded).unwrap();
    let lib = ScenarioLibrary::bundled();
    for data in inputs("scenario") {
        if let Ok(sc) = lib.resolve_bytes("fuzz.toml", &data)
            && let Ok(model) = kymsim::model::compile(&region, &sc)
        {
            let _ = kymsim::engine::run_central(&model);
        }
    }
}

#[test]
fn dataset_inputs_never_panic() {
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
    for data in inputs("dataset") {
        let Some((&pick, rest)) = data.split_first() else {
            continue;
        };
        let mut files = DataSource::embedded_files();
        files.insert(
            FILES[pick as usize % FILES.len()].to_string(),
            rest.to_vec(),
        );
        if let Ok(region) = load_region(&DataSource::Memory(files))
            && let Ok(model) = kymsim::model::compile(&region, &Scenario::empty("fuzz"))
        {
            let _ = kymsim::engine::run_central(&model);
        }
    }
}

#[test]
fn alas_inputs_never_panic() {
    for data in inputs("alas") {
        if let Ok(file) = kymsim::input::TextFile::from_bytes("kunta_075.csv", &data) {
            let _ =
                kymsim::alas::reader::read_municipality_file(&file, Path::new("kunta_075.csv"), 0);
            let _ = kymsim::alas::reader::read_municipality_list(
                &file,
                Path::new("asukasluvut_2023.csv"),
            );
        }
    }
}

#[test]
fn part_inputs_never_panic() {
    use kymsim::batch::part::{Part, check_parts, with_checksum};
    for data in inputs("part") {
        let _ = Part::from_bytes(&data, "fuzz.kpart");
        if let Ok(part) = Part::from_bytes(&with_checksum(&data), "fuzz.kpart") {
            let _ = check_parts(vec![("fuzz.kpart".into(), part)]);
        }
    }
}

#[test]
fn a_part_claiming_billions_of_shards_names_a_few_missing_ones() {
    // found by fuzzing: the missing shards 1..=N were all listed, N read from the file (GBs)
    use kymsim::batch::part::{Part, check_parts, with_checksum};
    let data = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz_regressions/part/oom-huge-shard-count"),
    )
    .unwrap();
    let part = Part::from_bytes(&with_checksum(&data), "fuzz.kpart").unwrap();
    let n = part.header.shards;
    assert!(n > 1_000_000, "the seed claims {n} shards");
    let e = check_parts(vec![("fuzz.kpart".into(), part)])
        .unwrap_err()
        .to_string();
    // ten named, the rest counted
    assert!(e.contains(&format!("and {} more of {n}", n - 11)), "{e}");
}
