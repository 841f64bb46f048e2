//! Valid but odd inputs work: Windows line endings, byte-order marks, blank lines, reordered
//! columns, an empty scenario file, quoted fields.

mod common;
use common::*;

use kymsim::data::{DataSource, load_region};
use kymsim::engine::run_central;
use kymsim::model::compile;
use kymsim::scenario::Scenario;

#[test]
fn crlf_bom_blank_lines_and_reordered_columns_load_identically() {
    let tmp = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(tiny_dir()).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut odd = text.replace('\n', "\r\n");
        if path.extension().is_some_and(|x| x == "csv") {
            odd = format!("\u{feff}{odd}\r\n\r\n");
        }
        std::fs::write(tmp.path().join(path.file_name().unwrap()), odd).unwrap();
    }
    // columns in another order, a quoted field with a comma
    std::fs::write(
        tmp.path().join("carriers.csv"),
        "\u{feff}kind,id,ef,name,provenance\r\nfuel,diesel,0.25,Diesel,\"estimated, round\"\r\nfuel,electricity,0.1,Electricity,x\r\nfuel,wood,0,Wood,x\r\nmix,district_heat,,District Heat,x\r\n",
    )
    .unwrap();
    let odd = load_region(&DataSource::Dir(tmp.path().to_path_buf())).unwrap();
    let plain = tiny();
    let (a, b) = (
        compile(&odd, &Scenario::empty("x")).unwrap(),
        compile(&plain, &Scenario::empty("x")).unwrap(),
    );
    assert_eq!(run_central(&a).vars, run_central(&b).vars);
    assert_eq!(odd.carriers[0].provenance, "estimated, round");
}

#[test]
fn empty_and_crlf_scenarios_work() {
    let (m, r) = run_tiny("");
    close(var(&m, &r, "Emissions|Kyoto Gases")[0], 30.0);
    let text = "description = \"crlf\"\r\n[[measures]]\r\nid = \"a\"\r\npillar = \"transport\"\r\nkind = \"activity\"\r\ntargets = [\"transport.cars\"]\r\nvalue = 0.5\r\nadoption = { curve = \"step\", year = 2020 }\r\n";
    let (m, r) = run_tiny(text);
    close(var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[0], 6.25);
}
