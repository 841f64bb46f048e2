//! Removals that follow the flows they come from, and the land balance (docs/model.md,
//! "Captures", "Land", "Physical potential"), against hand-computed numbers; and the bundled
//! Kymenlaakso data's land balance and removals.
//!
//! Landia (tests/fixtures/land), 2020–2030, nothing changes by itself: district heat 100,000 MWh
//! of a mix of waste (fossil 0.1, biogenic 0.2 t/MWh) and diesel (0.25), half each with
//! input_per_output 1: EF 0.5·0.1 + 0.5·0.25 = 0.175 → 17.5 kt; organic-field N2O 100 ha × 5 t =
//! 0.5 kt, lying on the 200 ha of cultivated organic soils. Gross 18.0 kt. Land: forest 5,000 ha
//! × −0.4 = −2 kt, organic soils 200 ha × 25 = +5 kt, rewetted 0 ha × 2: land use +3.0 kt. Net
//! = 18 + 3 − 0 = 21 kt. Index 5 is 2025, 7 is 2027.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use common::{close, scenarios, var};
use kymsim::data::{DataSource, Region, SourceKind, load_region};
use kymsim::engine::{CentralResult, run_central};
use kymsim::model::{Model, compile};

const Y2025: usize = 5;
const Y2027: usize = 7;

fn land_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/land")
}

fn landia() -> Region {
    load_region(&DataSource::Dir(land_dir())).unwrap()
}

fn run_land(text: &str) -> (Model, CentralResult) {
    let (_d, lib) = scenarios(&[("s", text)]);
    let m = compile(&landia(), &lib.resolve("s").unwrap()).unwrap();
    let r = run_central(&m);
    (m, r)
}

fn land_error(text: &str) -> String {
    let (_d, lib) = scenarios(&[("s", text)]);
    match lib.resolve("s") {
        Ok(sc) => compile(&landia(), &sc)
            .expect_err("expected an error")
            .to_string(),
        Err(e) => e.to_string(),
    }
}

fn measure(body: &str) -> String {
    format!(
        "[[measures]]\npillar = \"other\"\nadoption = {{ curve = \"step\", year = 2025 }}\n{body}\n"
    )
}

const CCS: &str =
    "id = \"ccs\"\nkind = \"ccs\"\ntargets = [\"waste\"]\nsector = \"BECCS|Plant\"\nvalue = 0.8";

#[test]
fn the_data_alone_give_gross_land_and_net() {
    let (m, r) = run_land("");
    close(var(&m, &r, "Emissions|Kyoto Gases")[0], 18.0);
    close(var(&m, &r, "Emissions|Land Use")[0], 3.0);
    close(var(&m, &r, "Emissions|Land Use|Forest Land")[0], -2.0);
    close(
        var(&m, &r, "Emissions|Land Use|Cropland|Organic Soils")[0],
        5.0,
    );
    close(var(&m, &r, "Carbon Removal")[0], 0.0);
    // 18 + 3 − 0
    close(var(&m, &r, "Net Emissions|Kyoto Gases")[0], 21.0);
    assert_eq!(r.summary.land_kt, 3.0);
}

#[test]
fn a_capture_lowers_the_fossil_part_and_removes_the_biogenic_part_of_the_fuel_burnt() {
    let (m, r) = run_land(&measure(CCS));
    // 2024: nothing yet
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Heating|District")[4],
        17.5,
    );
    // 2025: waste EF 0.1 · (1 − 0.8) = 0.02; mix 0.5·0.02 + 0.5·0.25 = 0.135; 100 GWh → 13.5 kt
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Heating|District")[Y2025],
        13.5,
    );
    // biogenic: 0.8 · 100 GWh · (0.5 share · 1.0 ipo · 0.2 t/MWh) = 8 kt
    close(var(&m, &r, "Carbon Removal|BECCS|Plant")[Y2025], 8.0);
    // net 2025: 13.5 + 0.5 + 3 − 8 = 9
    close(var(&m, &r, "Net Emissions|Kyoto Gases")[Y2025], 9.0);
}

#[test]
fn the_removal_follows_the_fuel_when_demand_halves() {
    let half = measure(
        "id = \"half\"\nkind = \"activity\"\ntargets = [\"heating.district\"]\nvalue = 0.5",
    );
    let (m, r) = run_land(&format!("{}{half}", measure(CCS)));
    // 50 GWh of heat: 0.8 · 50 · 0.1 = 4 kt, half of the 8 kt
    close(var(&m, &r, "Carbon Removal|BECCS|Plant")[Y2025], 4.0);
    // the waste's share of the mix moves it too: 0.5 → 0.25 of the heat from waste
    let less_waste = measure(
        "id = \"mix\"\nkind = \"mix_switch\"\ntargets = [\"district_heat\"]\nfrom = \"waste\"\nto = \"diesel\"\nvalue = 0.5",
    );
    let (m, r) = run_land(&format!("{}{less_waste}", measure(CCS)));
    // 0.8 · 100 · 0.25 · 0.2 = 4 kt
    close(var(&m, &r, "Carbon Removal|BECCS|Plant")[Y2025], 4.0);
}

#[test]
fn a_plant_that_joins_the_ets_keeps_its_fossil_capture_and_loses_its_removal() {
    let (m, r) = run_land(&measure(&format!("{CCS}\nets_from = 2027")));
    close(var(&m, &r, "Carbon Removal|BECCS|Plant")[Y2025], 8.0);
    close(var(&m, &r, "Carbon Removal|BECCS|Plant")[Y2027], 0.0);
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Heating|District")[Y2027],
        13.5,
    );
    assert_eq!(m.excluded.len(), 1);
    assert!(m.excluded[0].reason.contains("not counted from 2027"));
    assert!(!m.excluded[0].whole);
    // `ets = true`: never counted; the capture of fossil CO2 still counts
    let (m, r) = run_land(&measure(&format!("{CCS}\nets = true")));
    close(var(&m, &r, "Carbon Removal|BECCS|Plant")[Y2025], 0.0);
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Heating|District")[Y2025],
        13.5,
    );
    let e = land_error(&measure(&format!("{CCS}\nets = true\nets_from = 2027")));
    assert!(e.contains("sets both `ets` and `ets_from`"), "{e}");
}

#[test]
fn rewetting_moves_hectares_and_the_sources_on_them() {
    let (m, r) = run_land(&measure(
        "id = \"rewet\"\nkind = \"land_use_change\"\nfrom = \"land.cropland_organic\"\nto = \"land.rewetted\"\nvalue = 0.5",
    ));
    // 100 of the 200 ha move: 100 · 25 = 2.5 kt; the rewetted 100 ha · 2 = 0.2 kt
    close(
        var(&m, &r, "Emissions|Land Use|Cropland|Organic Soils")[Y2025],
        2.5,
    );
    close(
        var(&m, &r, "Emissions|Land Use|Wetlands|Rewetted")[Y2025],
        0.2,
    );
    // the N2O source on those hectares loses half its area: 50 ha · 5 t = 0.25 kt
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Agriculture|Organic Fields")[Y2025],
        0.25,
    );
    // no removal is credited: land −2 + 2.5 + 0.2 = 0.7; net 17.5 + 0.25 + 0.7 = 18.45
    close(var(&m, &r, "Carbon Removal")[Y2025], 0.0);
    close(var(&m, &r, "Net Emissions|Kyoto Gases")[Y2025], 18.45);
}

#[test]
fn land_management_follows_the_area_and_the_drawn_flux() {
    let lm = "id = \"lm\"\nkind = \"land_management\"\ntargets = [\"land.forest\"]\nsector = \"Land Use|Forest Management\"\nvalue = 0.5\ndrain_per_ha = 4\navoided = 0.1";
    let (m, r) = run_land(&measure(lm));
    // 0.5 · 5,000 ha · 0.1 · (4 + 0) / 1000 = 1 kt
    close(
        var(&m, &r, "Carbon Removal|Land Use|Forest Management")[Y2025],
        1.0,
    );
    // a forest whose flux is 0 instead of −0.4 t/ha harvests more: drain 4 + 0 − (−0.4) = 4.4
    let weaker = format!(
        "{}[[uncertainty]]\ntarget = \"source:land.forest:direct_ef\"\nfactor = 0.0\n",
        measure(lm)
    );
    let (m, r) = run_land(&weaker);
    // 0.5 · 5,000 · 0.1 · 4.4 / 1000 = 1.1 kt
    close(
        var(&m, &r, "Carbon Removal|Land Use|Forest Management")[Y2025],
        1.1,
    );
    // and a forest that is a net source (factor −1: +0.4 t/ha): drain 4.8 → 1.2 kt
    let source = format!(
        "{}[[uncertainty]]\ntarget = \"source:land.forest:direct_ef\"\nfactor = -1.0\n",
        measure(lm)
    );
    let (m, r) = run_land(&source);
    close(
        var(&m, &r, "Carbon Removal|Land Use|Forest Management")[Y2025],
        1.2,
    );
    close(var(&m, &r, "Emissions|Land Use|Forest Land")[Y2025], 2.0);
}

#[test]
fn measures_cannot_claim_more_than_there_is() {
    let a = measure(
        "id = \"a\"\nkind = \"land_use_change\"\nfrom = \"land.cropland_organic\"\nto = \"land.rewetted\"\nvalue = 0.6",
    );
    let b = measure(
        "id = \"b\"\nkind = \"land_use_change\"\nfrom = \"land.cropland_organic\"\nto = \"land.forest\"\nvalue = { dist = \"uniform\", min = 0.2, max = 0.5 }",
    );
    // at their upper values 0.6 + 0.5 = 110 % of the organic soils' hectares
    let e = land_error(&format!("{a}{b}"));
    assert!(
        e.contains("measures claim 110 % of the hectares of land.cropland_organic"),
        "{e}"
    );
    assert!(e.contains("`a` 60 % + `b` 50 %"), "{e}");
    // an `activity` measure on the N2O source claims its hectares with the land-use change
    let c = measure("id = \"c\"\nkind = \"activity\"\ntargets = [\"fields.organic\"]\nvalue = 0.5");
    let e = land_error(&format!("{a}{c}"));
    assert!(e.contains("110 % of the hectares of fields.organic"), "{e}");
    // two captures of the same fuel
    let e = land_error(&format!(
        "{}{}",
        measure(CCS),
        measure(
            "id = \"ccs2\"\nkind = \"ccs\"\ntargets = [\"waste\"]\nsector = \"BECCS|Other\"\nvalue = 0.3"
        )
    ));
    assert!(e.contains("110 % of the CO2 of waste"), "{e}");
    // within the whole: accepted, and the shares listed
    let (m, _) = run_land(&format!("{a}{c}").replace("value = 0.5", "value = 0.4"));
    let uses = kymsim::model::potential::potential_use(&m);
    close(uses[0].upper, 1.0);
}

#[test]
fn land_kinds_and_links_are_checked() {
    let e = land_error(&measure(
        "id = \"x\"\nkind = \"land_use_change\"\nfrom = \"fields.organic\"\nto = \"land.rewetted\"\nvalue = 0.5",
    ));
    assert!(
        e.contains("names `fields.organic`, a `emission` source, not a land category"),
        "{e}"
    );
    let e = land_error(&measure(
        "id = \"x\"\nkind = \"ccs\"\ntargets = [\"district_heat\"]\nsector = \"BECCS\"\nvalue = 0.5",
    ));
    assert!(
        e.contains("targets mix or blend carrier `district_heat`"),
        "{e}"
    );
    let e = land_error(&measure(
        "id = \"x\"\nkind = \"land_management\"\ntargets = [\"land.forest\"]\nsector = \"F\"\nvalue = 0.5\ndrain_per_ha = 0\navoided = 0.1",
    ));
    assert!(e.contains("`drain_per_ha` = 0 must be in (0, 100]"), "{e}");
}

/// A copy of Landia with one file replaced.
fn landia_with(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(land_dir()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    std::fs::write(dir.path().join(file), text).unwrap();
    dir
}

fn load_error(dir: &Path) -> String {
    load_region(&DataSource::Dir(dir.to_path_buf()))
        .expect_err("expected an error")
        .to_string()
}

#[test]
fn land_sources_are_checked_on_loading() {
    let sources = std::fs::read_to_string(land_dir().join("sources.csv")).unwrap();
    // a land category in another unit
    let d = landia_with(
        "sources.csv",
        &sources.replace("Forest Land,land,ha,5000", "Forest Land,land,km2,50"),
    );
    assert!(load_error(d.path()).contains("measured in `km2`, not `ha`"));
    // a source lying on a source that is not a land category
    let d = landia_with(
        "sources.csv",
        &sources.replace(
            ",land.cropland_organic,estimated",
            ",heating.district,estimated",
        ),
    );
    assert!(load_error(d.path()).contains("`heating.district` is not a land category"));
    // more hectares than the category it lies on
    let d = landia_with(
        "sources.csv",
        &sources.replace("ha,100,,,,,5", "ha,300,,,,,5"),
    );
    assert!(load_error(d.path()).contains("more than the 200 ha of land category"));
    // the land balance over the land area: 5,000 + 200 + 9,000 > 10,000
    let d = landia_with(
        "sources.csv",
        &sources.replace(
            "Wetlands|Rewetted,land,ha,0",
            "Wetlands|Rewetted,land,ha,9000",
        ),
    );
    assert!(load_error(d.path()).contains("area-based sources cover 14200 ha"));
    // an emission source's factor still may not be negative
    let d = landia_with(
        "sources.csv",
        &sources.replace("ha,100,,,,,5", "ha,100,,,,,-5"),
    );
    assert!(load_error(d.path()).contains("must not be negative"));
}

#[test]
fn an_uncounted_land_category_is_left_out_with_its_reason() {
    let region = std::fs::read_to_string(land_dir().join("region.toml")).unwrap();
    let d = landia_with(
        "region.toml",
        &region.replace(
            "\n[target]",
            "\n[[uncounted_land]]\nsource = \"land.forest\"\nreason = \"the accounting counts fields only\"\n\n[target]",
        ),
    );
    let r = load_region(&DataSource::Dir(d.path().to_path_buf())).unwrap();
    assert_eq!(r.uncounted_land.len(), 1);
    assert_eq!(
        r.uncounted_land[0].reason,
        "the accounting counts fields only"
    );
    assert!(r.source_index("land.forest").is_none());
    // the organic fields still lie on their category, moved to its new index
    let f = r.source_index("fields.organic").unwrap();
    assert_eq!(r.sources[f].land, r.source_index("land.cropland_organic"));
    let d = landia_with(
        "region.toml",
        &region.replace(
            "\n[target]",
            "\n[[uncounted_land]]\nsource = \"heating.district\"\nreason = \"x\"\n\n[target]",
        ),
    );
    assert!(load_error(d.path()).contains("only land categories can be left out"));
}

#[test]
fn validate_compares_only_independent_inventory_rows() {
    let rows = kymsim::engine::calibration(&landia()).unwrap();
    let total = rows.iter().find(|r| r.sector == "Total").unwrap();
    assert!(total.independent);
    close(total.difference().unwrap(), 0.0);
    let heat = rows
        .iter()
        .find(|r| r.sector == "Heating|District")
        .unwrap();
    assert!(!heat.independent);
    assert_eq!(heat.inventory_kt, Some(17.5));
    assert_eq!(heat.difference(), None);
}

// ---- the bundled Kymenlaakso data

fn kymenlaakso() -> Region {
    load_region(&DataSource::Embedded).unwrap()
}

#[test]
fn kymenlaakso_land_balance_fits_its_land_area_and_has_the_inventory_categories() {
    let k = kymenlaakso();
    let land: Vec<_> = k
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Land)
        .collect();
    for sector in [
        "Forest Land|Mineral Soils",
        "Forest Land|Drained Organic Soils",
        "Cropland|Mineral Soils",
        "Cropland|Organic Soils",
        "Grassland",
        "Wetlands|Peat Extraction",
        "Settlements",
    ] {
        assert!(land.iter().any(|s| s.sector == sector), "no {sector}");
    }
    let area: f64 = k
        .sources
        .iter()
        .filter(|s| s.activity_unit == "ha" && s.land.is_none())
        .map(|s| s.activity)
        .sum();
    assert!(area <= k.land_area_ha.unwrap(), "{area} ha");
    // the forest as a whole, per hectare, in 2021: at most a 0.15 t/ha sink
    let forest: Vec<_> = land
        .iter()
        .filter(|s| s.sector.starts_with("Forest Land") && s.activity > 0.0)
        .collect();
    let flux: f64 = forest.iter().map(|s| s.activity * s.direct_ef).sum();
    let ha: f64 = forest.iter().map(|s| s.activity).sum();
    assert!(flux / ha >= -0.15, "{} t/ha", flux / ha);
    // cultivated organic soils are an emission of tens of kt
    let organic = k
        .sources
        .iter()
        .find(|s| s.sector == "Cropland|Organic Soils")
        .unwrap();
    let kt = organic.activity * organic.direct_ef / 1000.0;
    assert!(kt >= 30.0, "{kt} kt");
}

#[test]
fn list_sources_shows_the_land_categories_with_their_flux() {
    let out = cargo_bin_cmd!("kymsim")
        .args(["list", "sources", "--bundled-scenarios"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("lulucf.cropland.organic"))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[1], "land");
    assert_eq!(cells[2], "Emissions|Land");
    // 5,760 ha × 25 t/ha = 144.0 kt
    assert_eq!(cells.last(), Some(&"144.0"));
}

#[test]
fn a_net_source_forest_loads_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in kymsim::data::DataSource::embedded_files() {
        let path = dir.path().join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let sources = dir.path().join("sources.csv");
    let text = std::fs::read_to_string(&sources).unwrap();
    // forest on mineral soils +0.5 t/ha: a net source in the data
    let text = text.replace("land,ha,295000,,,0,,-0.38,", "land,ha,295000,,,0,,0.5,");
    std::fs::write(&sources, text).unwrap();
    let r = load_region(&DataSource::Dir(dir.path().to_path_buf())).unwrap();
    let out = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("kymsim")
        .args([
            "run",
            "baseline",
            "-q",
            "--no-charts",
            "--bundled-scenarios",
            "--data",
        ])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let forest = r.source_index("lulucf.forest.mineral").unwrap();
    assert_eq!(r.sources[forest].direct_ef, 0.5);
    let results = std::fs::read_to_string(out.path().join("results.csv")).unwrap();
    // 295,000 ha × 0.5 t = 147.5 kt in every year
    let row = results
        .lines()
        .find(|l| l.contains(",Emissions|Land Use|Forest Land|Mineral Soils,"))
        .unwrap();
    assert!(row.ends_with(",147.5"), "{row}");
}

#[test]
fn kymenlaakso_waste_plant_removal_follows_district_heat_demand() {
    let lib = kymsim::scenario::ScenarioLibrary::bundled();
    let halved = lib
        .resolve_bytes(
            "halved.toml",
            b"extends = \"neutral2040\"\n[[measures]]\nid = \"half_heat\"\npillar = \"energy\"\nkind = \"activity\"\ntargets = [\"heating.district\"]\nvalue = 0.5\nadoption = { curve = \"step\", year = 2030 }\n",
        )
        .unwrap();
    let k = kymenlaakso();
    let removal = |sc: &kymsim::scenario::Scenario| {
        let m = compile(&k, sc).unwrap();
        let r = run_central(&m);
        let t = m.target_index();
        var(&m, &r, "Carbon Removal|BECCS|Waste-to-Energy")[t]
    };
    let full = removal(&lib.resolve("neutral2040").unwrap());
    let half = removal(&halved);
    // the waste burnt for district heat falls with the heat: the removal halves
    assert!(full > 10.0, "{full}");
    let cut = 1.0 - half / full;
    assert!((0.4..=0.6).contains(&cut), "{cut}");
    close(half / full, 0.5);
}

#[test]
fn kymenlaakso_forest_management_moves_with_the_forest_sink_draw() {
    let out = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("kymsim")
        .args([
            "batch",
            "neutral2040",
            "--bundled-scenarios",
            "-n",
            "64",
            "--keep-samples",
            "-q",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let inputs = std::fs::read_to_string(out.path().join("batch/inputs.csv")).unwrap();
    let mut lines = inputs.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (f_col, a_col) = (
        col("uncertainty.forest_sink"),
        col("measure.forest_carbon_management.avoided"),
    );
    let draws: Vec<(f64, f64)> = lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[f_col].parse().unwrap(), c[a_col].parse().unwrap())
        })
        .collect();
    let samples = std::fs::read_to_string(out.path().join("batch/samples.csv")).unwrap();
    let header: Vec<&str> = samples.lines().next().unwrap().split(',').collect();
    let y2040 = header.iter().position(|h| *h == "2040").unwrap();
    let removal: Vec<f64> = samples
        .lines()
        .filter(|l| l.contains(",Carbon Removal|Land Use,"))
        .map(|l| l.split(',').nth(y2040).unwrap().parse().unwrap())
        .collect();
    assert_eq!(removal.len(), 64);
    for ((f, avoided), r) in draws.iter().zip(&removal) {
        // 0.3 of 295,000 ha × avoided × (4.9 + (−0.38·f) − (−0.38)) t / 1000: the drain left
        // standing grows as the drawn sink weakens
        let expected = 0.3 * 295_000.0 * avoided * (4.9 - 0.38 * f + 0.38) / 1000.0;
        assert!(
            (r - expected).abs() <= 1e-5 * expected,
            "f {f}, avoided {avoided}: {r} != {expected}"
        );
    }
    assert!(removal.iter().all(|r| *r > 0.0));
}
