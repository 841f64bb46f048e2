//! `kymsim check` and `kymsim run --check/--bless`: matching by key, tolerances, reports,
//! JUnit XML, exit codes, and the library API.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use kymsim::check::{self, Rule, Tolerances};
use predicates::prelude::*;

const HEADER: &str = "model,scenario,region,variable,unit";
const VARIABLES: [(&str, &str); 4] = [
    ("Emissions|Kyoto Gases", "kt CO2e/yr"),
    ("Emissions|Kyoto Gases|Transport", "kt CO2e/yr"),
    ("Final Energy|Transport", "GWh/yr"),
    ("Net Emissions|Kyoto Gases", "kt CO2e/yr"),
];

/// A value that differs per scenario, variable and year.
fn value(s: usize, v: usize, y: i32) -> f64 {
    100.0 + 10.0 * s as f64 + v as f64 - 0.5 * (y - 2020) as f64
}

/// IAMC text for scenarios × VARIABLES × years.
fn iamc(scenarios: &[&str], years: &[i32]) -> String {
    iamc_with(scenarios, years, value)
}

/// IAMC text with values from `f(scenario, variable, year)`.
fn iamc_with(scenarios: &[&str], years: &[i32], f: fn(usize, usize, i32) -> f64) -> String {
    let mut t = String::from(HEADER);
    for y in years {
        t.push_str(&format!(",{y}"));
    }
    t.push('\n');
    for (s, sc) in scenarios.iter().enumerate() {
        for (v, (var, unit)) in VARIABLES.iter().enumerate() {
            t.push_str(&format!("kymsim 0.1.0,{sc},Tinyland,{var},{unit}"));
            for &y in years {
                t.push_str(&format!(",{}", f(s, v, y)));
            }
            t.push('\n');
        }
    }
    t
}

const YEARS: [i32; 3] = [2020, 2025, 2030];

/// Replaces the cell of (scenario, variable, year) in IAMC text.
fn set_cell(text: &str, scenario: &str, variable: &str, year: i32, new: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|h| *h == year.to_string()).unwrap();
    for l in lines.iter_mut().skip(1) {
        let mut f: Vec<String> = l.split(',').map(String::from).collect();
        if f[1] == scenario && f[3] == variable {
            f[col] = new.to_string();
            *l = f.join(",");
        }
    }
    lines.join("\n") + "\n"
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Two result folders with equal results.csv and summary.csv.
fn two_dirs() -> (tempfile::TempDir, tempfile::TempDir) {
    let (e, a) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let results = iamc(&["base", "ev"], &YEARS);
    let summary = "scenario,target_year,net_kt,target_met,neutrality_year\n\
                   base,2030,25.5,false,\nev,2030,20.5,false,\n";
    for d in [&e, &a] {
        write(d.path(), "results.csv", &results);
        write(d.path(), "summary.csv", summary);
        write(d.path(), "manifest.json", "{\"created\": \"now\"}\n");
    }
    // the manifest is never compared
    write(a.path(), "manifest.json", "{\"created\": \"later\"}\n");
    (e, a)
}

fn check_cmd(e: &Path, a: &Path) -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.arg("check").arg(e).arg(a);
    c
}

#[test]
fn equal_folders_pass() {
    let (e, a) = two_dirs();
    check_cmd(e.path(), a.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("OK: "))
        .stdout(predicate::str::contains("2 files"));
}

#[test]
fn perturbed_cell_is_reported_with_scenario_variable_and_year() {
    let (e, a) = two_dirs();
    let text = std::fs::read_to_string(a.path().join("results.csv")).unwrap();
    // 112 + 0.5 − 2.5 = ... any value 1 % off is far beyond rtol 1e-6
    let v = value(1, 2, 2025) * 1.01;
    write(
        a.path(),
        "results.csv",
        &set_cell(&text, "ev", "Final Energy|Transport", 2025, &v.to_string()),
    );
    let out = check_cmd(e.path(), a.path()).assert().code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let row = stdout
        .lines()
        .find(|l| l.starts_with("results.csv ") && l.contains("Final Energy|Transport"))
        .unwrap_or_else(|| panic!("no difference row in\n{stdout}"));
    assert!(row.contains(" ev ") && row.contains("2025"), "{row}");
    // expected value(1, 2, 2025) = 100 + 10 + 2 − 2.5 = 109.5, actual 110.595
    assert!(row.contains("109.5") && row.contains("110.595"), "{row}");
    assert!(stdout.contains("FAILED: 1 of "), "{stdout}");
}

#[test]
fn within_tolerance_passes_and_beyond_fails() {
    let (e, a) = two_dirs();
    let text = std::fs::read_to_string(a.path().join("results.csv")).unwrap();
    // 109.5 · (1 + 5e-7) is within rtol 1e-6
    let v = value(1, 2, 2025) * (1.0 + 5e-7);
    write(
        a.path(),
        "results.csv",
        &set_cell(&text, "ev", "Final Energy|Transport", 2025, &v.to_string()),
    );
    check_cmd(e.path(), a.path()).assert().code(0);
    check_cmd(e.path(), a.path())
        .args(["--rtol", "1e-7"])
        .assert()
        .code(1);
}

#[test]
fn reordered_rows_and_columns_compare_equal() {
    let (e, a) = two_dirs();
    // columns in another order, the model renamed, rows reversed
    let text = std::fs::read_to_string(e.path().join("results.csv")).unwrap();
    let mut lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let order = [7, 3, 1, 0, 6, 4, 2, 5];
    let mut out = Vec::new();
    for (i, f) in lines.iter_mut().enumerate() {
        let mut row: Vec<String> = order.iter().map(|&c| f[c].to_string()).collect();
        if i > 0 {
            row[3] = "kymsim 9.9.9".into();
        }
        out.push(row.join(","));
    }
    let (head, rows) = out.split_at_mut(1);
    rows.reverse();
    let text = format!("{}\n{}\n", head[0], rows.join("\n"));
    write(a.path(), "results.csv", &text);
    write(
        a.path(),
        "summary.csv",
        "neutrality_year,scenario,net_kt,target_met,target_year\n,ev,20.5,false,2030\n,base,25.5,false,2030\n",
    );
    check_cmd(e.path(), a.path()).assert().code(0);
}

#[test]
fn quoted_names_crlf_and_byte_order_mark_compare_equal() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "e.csv",
        "model,scenario,region,variable,unit,2020\nm,s,R,\"Heat, other\",GWh/yr,1\nm,s,R,E,kt,2\n",
    );
    write(
        dir.path(),
        "a.csv",
        "\u{feff}model,scenario,region,variable,unit,2020\r\nm,s,R,E,kt,2\r\nm,s,R,\"Heat, other\",GWh/yr,1\r\n",
    );
    check_cmd(&dir.path().join("e.csv"), &dir.path().join("a.csv"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 cells compared, equal"));
}

#[test]
fn missing_variable_and_extra_year_are_reported() {
    let (e, a) = two_dirs();
    let text = iamc(&["base", "ev"], &[2020, 2025, 2030, 2035]);
    let text: String = text
        .lines()
        .filter(|l| !(l.contains(",ev,") && l.contains("Emissions|Kyoto Gases|Transport")))
        .map(|l| format!("{l}\n"))
        .collect();
    write(a.path(), "results.csv", &text);
    check_cmd(e.path(), a.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "missing in actual: `Emissions|Kyoto Gases|Transport`",
        ))
        .stdout(predicate::str::contains("in scenario `ev`"))
        .stdout(predicate::str::contains("extra in actual: year 2035"))
        .stdout(predicate::str::contains("1 row missing"))
        .stdout(predicate::str::contains("1 year/column extra"));
}

#[test]
fn missing_and_extra_scenarios_and_files_are_reported() {
    let (e, a) = two_dirs();
    write(
        a.path(),
        "results.csv",
        &iamc(&["base", "hydrogen"], &YEARS),
    );
    std::fs::remove_file(a.path().join("summary.csv")).unwrap();
    write(a.path(), "wedges.csv", "scenario,measure,pillar,year,kt\n");
    check_cmd(e.path(), a.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("missing in actual: scenario `ev`"))
        .stdout(predicate::str::contains(
            "extra in actual: scenario `hydrogen`",
        ))
        .stdout(predicate::str::contains("summary.csv: missing in actual"))
        .stdout(predicate::str::contains("wedges.csv: in actual only"));
}

#[test]
fn summary_cells_compare_numbers_with_tolerance_and_text_exactly() {
    let (e, a) = two_dirs();
    write(
        a.path(),
        "summary.csv",
        "scenario,target_year,net_kt,target_met,neutrality_year\n\
         base,2030,25.50000001,true,\nev,2030,20.5,false,2029\n",
    );
    let out = check_cmd(e.path(), a.path())
        .args(["--format", "json"])
        .assert()
        .code(1);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let diffs = json["differences"].as_array().unwrap();
    let cells: Vec<(String, String, String)> = diffs
        .iter()
        .map(|d| {
            (
                d["scenario"].as_str().unwrap().to_string(),
                d["variable"].as_str().unwrap().to_string(),
                d["actual"].to_string(),
            )
        })
        .collect();
    // 25.50000001 is within rtol 1e-6 of 25.5; "true" ≠ "false" and "2029" ≠ "" are not
    assert_eq!(cells.len(), 2, "{cells:?}");
    assert!(cells.contains(&("base".into(), "target_met".into(), "\"true\"".into())));
    assert!(cells.contains(&("ev".into(), "neutrality_year".into(), "\"2029\"".into())));
    assert_eq!(json["equal"], false);
    assert_eq!(json["files"][1]["file"], "summary.csv");
    assert_eq!(json["files"][1]["cells_failed"], 2);
}

#[test]
fn tolerance_file_applies_by_glob() {
    let (e, a) = two_dirs();
    let text = std::fs::read_to_string(a.path().join("results.csv")).unwrap();
    // Final Energy 0.1 % off, Net Emissions 0.1 % off
    let text = set_cell(
        &text,
        "base",
        "Final Energy|Transport",
        2030,
        &(value(0, 2, 2030) * 1.001).to_string(),
    );
    write(a.path(), "results.csv", &text);
    let rules = e.path().join("check.toml");
    std::fs::write(
        &rules,
        "\"Final Energy|*\" = { rtol = 1e-2 }\n\"*\" = { rtol = 1e-9 }\n",
    )
    .unwrap();
    check_cmd(e.path(), a.path()).assert().code(1);
    check_cmd(e.path(), a.path())
        .arg("--tolerances")
        .arg(&rules)
        .assert()
        .code(0);
    // the glob loosens only Final Energy: the same change in Net Emissions still fails
    let text = set_cell(
        &text,
        "base",
        "Net Emissions|Kyoto Gases",
        2030,
        &(value(0, 3, 2030) * 1.001).to_string(),
    );
    write(a.path(), "results.csv", &text);
    check_cmd(e.path(), a.path())
        .arg("--tolerances")
        .arg(&rules)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Net Emissions|Kyoto Gases"))
        .stdout(predicate::str::contains("FAILED: 1 of"));
}

#[test]
fn library_tolerances_pick_the_most_specific_rule() {
    let (e, a) = two_dirs();
    let text = std::fs::read_to_string(a.path().join("results.csv")).unwrap();
    let text = set_cell(
        &text,
        "ev",
        "Emissions|Kyoto Gases|Transport",
        2020,
        &(value(1, 1, 2020) + 0.5).to_string(),
    );
    write(a.path(), "results.csv", &text);
    // "Emissions|*" would allow it; the exact name is more specific and does not
    let tol = Tolerances::default()
        .with_rule(Rule::new("Emissions|*", None, Some(1.0)))
        .with_rule(Rule::new(
            "Emissions|Kyoto Gases|Transport",
            None,
            Some(0.1),
        ));
    let r = check::compare_dirs(e.path(), a.path(), &tol).unwrap();
    assert!(!r.equal);
    assert_eq!(r.cells_failed, 1);
    let d = &r.differences[0];
    assert_eq!(
        (d.scenario.as_str(), d.variable.as_str(), d.year.as_deref()),
        ("ev", "Emissions|Kyoto Gases|Transport", Some("2020"))
    );
    // allowed = atol 0.1 + rtol 1e-6 · 110
    assert!((d.allowed.unwrap() - (0.1 + 1e-6 * value(1, 1, 2020))).abs() < 1e-12);
    let loose = Tolerances::default().with_rule(Rule::new("Emissions|*", None, Some(1.0)));
    assert!(
        check::compare_dirs(e.path(), a.path(), &loose)
            .unwrap()
            .equal
    );
}

/// Parses JUnit XML (must be well-formed) and returns (testcases, failures, the testsuites
/// `failures` attribute, the classname/name of each failing case).
fn parse_junit(xml: &str) -> (usize, usize, usize, Vec<(String, String)>) {
    use quick_xml::XmlVersion;
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let (mut cases, mut failures, mut declared) = (0, 0, usize::MAX);
    let mut failing = Vec::new();
    let mut current: Option<(String, String)> = None;
    let mut depth = 0i32;
    loop {
        let ev = r.read_event().expect("well-formed XML");
        let (e, empty) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => {
                depth -= 1;
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        let Some(e) = e else { continue };
        if !empty {
            depth += 1;
        }
        let attr = |name: &str| -> Option<String> {
            e.try_get_attribute(name).unwrap().map(|a| {
                a.normalized_value(XmlVersion::Explicit1_0)
                    .unwrap()
                    .into_owned()
            })
        };
        for a in e.attributes() {
            a.expect("well-formed attribute")
                .normalized_value(XmlVersion::Explicit1_0)
                .unwrap();
        }
        match e.name().as_ref() {
            b"testsuites" => declared = attr("failures").unwrap().parse().unwrap(),
            b"testcase" => {
                cases += 1;
                current = Some((attr("classname").unwrap(), attr("name").unwrap()));
            }
            b"failure" => {
                failures += 1;
                assert!(!attr("message").unwrap().is_empty());
                failing.push(current.clone().unwrap());
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    (cases, failures, declared, failing)
}

#[test]
fn junit_report_is_well_formed_with_one_failure_per_failing_case() {
    let (e, a) = two_dirs();
    let text = std::fs::read_to_string(a.path().join("results.csv")).unwrap();
    // two cells of one variable (one case) and one cell of another: 2 failing cases
    let text = set_cell(&text, "base", "Final Energy|Transport", 2020, "1");
    let text = set_cell(&text, "base", "Final Energy|Transport", 2030, "2");
    let text = set_cell(&text, "ev", "Net Emissions|Kyoto Gases", 2025, "3");
    write(a.path(), "results.csv", &text);
    // markup in a scenario name must be escaped
    write(
        e.path(),
        "summary.csv",
        "scenario,net_kt\n\"a<b & \"\"c\"\"\",1\n",
    );
    write(
        a.path(),
        "summary.csv",
        "scenario,net_kt\n\"a<b & \"\"c\"\"\",1\n",
    );
    let junit = e.path().join("out/junit.xml");
    check_cmd(e.path(), a.path())
        .arg("--junit")
        .arg(&junit)
        .assert()
        .code(1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let (cases, failures, declared, failing) = parse_junit(&xml);
    // results.csv: 2 scenarios × 4 variables; summary.csv: 1 scenario × 1 column
    assert_eq!(cases, 9, "{xml}");
    assert_eq!(failures, 2, "{xml}");
    assert_eq!(declared, 2);
    assert!(failing.contains(&("base".into(), "Final Energy|Transport".into())));
    assert!(failing.contains(&("ev".into(), "Net Emissions|Kyoto Gases".into())));
    assert!(
        xml.contains("classname=\"a&lt;b &amp; &quot;c&quot;\""),
        "{xml}"
    );
    // the failure message carries the worst cell: 102 → 1 exceeds its allowance
    // (1e-6 · 102 + 1e-9) 990,000 times, 97 → 2 only 979,000 times
    assert!(
        xml.contains("2 of 3 cells beyond tolerance; worst: base / Final Energy|Transport / 2020"),
        "{xml}"
    );
}

#[test]
fn junit_of_equal_folders_has_no_failures() {
    let (e, a) = two_dirs();
    let junit = a.path().join("junit.xml");
    check_cmd(e.path(), a.path())
        .arg("--junit")
        .arg(&junit)
        .assert()
        .code(0);
    let (cases, failures, declared, _) = parse_junit(&std::fs::read_to_string(&junit).unwrap());
    assert_eq!((cases, failures, declared), (8 + 2 * 4, 0, 0));
}

#[test]
fn single_files_compare_and_exit_codes() {
    let (e, a) = two_dirs();
    let (ef, af) = (e.path().join("results.csv"), a.path().join("results.csv"));
    check_cmd(&ef, &af).assert().code(0);
    let text = std::fs::read_to_string(&af).unwrap();
    std::fs::write(
        &af,
        set_cell(&text, "ev", "Emissions|Kyoto Gases", 2030, ""),
    )
    .unwrap();
    check_cmd(&ef, &af)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("NaN"));
    // folder against file
    check_cmd(e.path(), &af).assert().code(2);
}

#[test]
fn malformed_csv_exits_2_with_its_line() {
    let (e, a) = two_dirs();
    let text = std::fs::read_to_string(a.path().join("results.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[3] = "kymsim 0.1.0,base,Tinyland,Final Energy|Transport,GWh/yr,1,2";
    write(a.path(), "results.csv", &(lines.join("\n") + "\n"));
    check_cmd(e.path(), a.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "this row has 7 fields but the header has 8",
        ))
        .stderr(predicate::str::contains("results.csv:4:1"));
}

#[test]
fn non_numeric_year_cell_exits_2_with_line_and_column() {
    let (e, a) = two_dirs();
    let text = std::fs::read_to_string(a.path().join("results.csv")).unwrap();
    write(
        a.path(),
        "results.csv",
        &set_cell(&text, "base", "Emissions|Kyoto Gases", 2025, "n/a"),
    );
    // line 2: "kymsim 0.1.0,base,Tinyland,Emissions|Kyoto Gases,kt CO2e/yr,100,n/a,..."
    // column of n/a = (12+1) + (4+1) + (8+1) + (21+1) + (10+1) + (3+1) + 1 = 65
    check_cmd(e.path(), a.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the 2025 cell `n/a` is not a number",
        ))
        .stderr(predicate::str::contains("results.csv:2:65"));
}

#[test]
fn csv_without_iamc_columns_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", "name,value\nx,1\n");
    write(dir.path(), "b.csv", "name,value\nx,1\n");
    cargo_bin_cmd!("kymsim")
        .arg("check")
        .arg(dir.path().join("a.csv"))
        .arg(dir.path().join("b.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an IAMC CSV"))
        .stderr(predicate::str::contains("`scenario`"));
}

#[test]
fn results_csv_without_iamc_columns_in_a_folder_exits_2() {
    let (e, a) = two_dirs();
    write(
        a.path(),
        "results.csv",
        "scenario,variable,2020\nbase,x,1\n",
    );
    check_cmd(e.path(), a.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "not an IAMC CSV: no `region`, `unit` columns",
        ));
}

#[test]
fn bad_tolerances_file_exits_2_with_its_line() {
    let (e, a) = two_dirs();
    let rules = e.path().join("check.toml");
    std::fs::write(
        &rules,
        "\"Final Energy|*\" = { rtol = 1e-6 }\n\"x\" = { rtl = 1 }\n",
    )
    .unwrap();
    check_cmd(e.path(), a.path())
        .arg("--tolerances")
        .arg(&rules)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad tolerances file"))
        .stderr(predicate::str::contains("check.toml:2:"));
    check_cmd(e.path(), a.path())
        .args(["--rtol", "-1"])
        .assert()
        .code(2);
    check_cmd(e.path(), a.path().join("nope").as_path())
        .assert()
        .code(2);
}

#[test]
fn max_rows_caps_the_table() {
    let (e, a) = two_dirs();
    let shifted = iamc_with(&["base", "ev"], &YEARS, |s, v, y| value(s, v, y) + 1.0);
    write(a.path(), "results.csv", &shifted);
    let out = check_cmd(e.path(), a.path())
        .args(["--max-rows", "3"])
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let rows = stdout
        .lines()
        .filter(|l| l.starts_with("results.csv "))
        .count();
    assert_eq!(rows, 3, "{stdout}");
    // every cell of the 4 variables × 2 scenarios × 3 years is off: 24 cells, 4 variables
    assert!(
        stdout.contains("(worst cell of 3 of 4 differing variables, 24 differing cells in all"),
        "{stdout}"
    );
}

#[test]
fn table_shows_the_worst_cell_per_variable_in_plain_decimals() {
    let (e, a) = two_dirs();
    let mut actual = iamc(&["base", "ev"], &YEARS);
    // base Final Energy|Transport (value 100 + 2 − 0.5·(y − 2020): 102, 99.5, 97) is 100 off in
    // every year; ev Net Emissions (100 + 10 + 3 − 5 = 108 in 2030) is 0.5 off in one year
    for (y, v) in [(2020, "202"), (2025, "199.5"), (2030, "197")] {
        actual = set_cell(&actual, "base", "Final Energy|Transport", y, v);
    }
    actual = set_cell(&actual, "ev", "Net Emissions|Kyoto Gases", 2030, "108.5");
    write(a.path(), "results.csv", &actual);
    let out = check_cmd(e.path(), a.path()).assert().code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with("results.csv "))
        .map(|l| l.split_whitespace().collect())
        .collect();
    // one row per variable, worst first; the worst Final Energy cell is 2030, where the
    // expected value is smallest: rel diff 100/97 = 1.0309 → 1.031; 0.5/108 = 0.00463
    assert_eq!(rows.len(), 2, "{stdout}");
    assert_eq!(
        rows[0],
        [
            "results.csv",
            "base",
            "Final",
            "Energy|Transport",
            "2030",
            "97",
            "197",
            "100",
            "1.031",
            "3"
        ],
        "{stdout}"
    );
    assert_eq!(
        rows[1],
        [
            "results.csv",
            "ev",
            "Net",
            "Emissions|Kyoto",
            "Gases",
            "2030",
            "108",
            "108.5",
            "0.5",
            "0.00463",
            "1"
        ],
        "{stdout}"
    );
    assert!(!stdout.contains("e-") && !stdout.contains("e0"), "{stdout}");
    assert!(stdout.contains("worst cell of 2 of 2 differing variables, 4 differing cells in all"));
}

#[test]
fn missing_folder_hint_does_not_point_at_scenarios() {
    let (e, _a) = two_dirs();
    check_cmd(e.path(), &e.path().join("no-such-folder"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-folder"))
        .stderr(predicate::str::contains("list scenarios").not());
}

/// stats.csv rows: mean, p5, p95 per variable, for a distribution with sd 1 (p95 − p5 = 3.29).
fn stats(mean: f64) -> String {
    let mut t = String::from("model,scenario,region,variable,unit,statistic,2030\n");
    for (stat, v) in [("mean", mean), ("p5", 10.0 - 1.645), ("p95", 10.0 + 1.645)] {
        t.push_str(&format!(
            "m,base,R,Net Emissions|Kyoto Gases,kt,{stat},{v}\n"
        ));
    }
    t
}

fn batch_summary(samples: u64, seed: u64) -> String {
    format!("scenario,samples,seed,p_target_met,net_kt_mean\nbase,{samples},{seed},0.5,10\n")
}

#[test]
fn batch_statistics_allow_sampling_noise_when_samples_differ() {
    let (e, a) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // sd = 3.29/3.29 = 1; N = 1000 and 100: allowance of the mean
    // 4 · 1 · 1 · √(1/1000 + 1/100) = 0.4195
    write(e.path(), "batch/stats.csv", &stats(10.0));
    write(e.path(), "batch/summary.csv", &batch_summary(1000, 1));
    write(a.path(), "batch/stats.csv", &stats(10.3));
    write(a.path(), "batch/summary.csv", &batch_summary(100, 7));
    let out = check_cmd(e.path(), a.path()).assert().code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("noise allowance"), "{stdout}");
    // a mean 0.5 off is beyond it
    write(a.path(), "batch/stats.csv", &stats(10.5));
    check_cmd(e.path(), a.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Net Emissions|Kyoto Gases [mean]"));
    // with the same samples and seed there is no allowance: 0.3 off fails
    write(a.path(), "batch/stats.csv", &stats(10.3));
    write(a.path(), "batch/summary.csv", &batch_summary(1000, 1));
    check_cmd(e.path(), a.path()).assert().code(1);
    // a larger k widens it: 0.5 off passes with k = 6 (allowance 0.629)
    write(a.path(), "batch/stats.csv", &stats(10.5));
    write(a.path(), "batch/summary.csv", &batch_summary(100, 7));
    check_cmd(e.path(), a.path())
        .args(["--noise-k", "6"])
        .assert()
        .code(0);
}

#[test]
fn batch_summary_allows_sampling_noise_when_samples_differ() {
    let (e, a) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let summary = |samples: u64, seed: u64, p: f64, mean: f64| {
        format!(
            "scenario,samples,seed,p_target_met,net_kt_mean,net_kt_p5,net_kt_p95\n\
             base,{samples},{seed},{p},{mean},{},{}\n",
            10.0 - 1.645,
            10.0 + 1.645
        )
    };
    write(e.path(), "batch/summary.csv", &summary(1000, 1, 0.5, 10.0));
    // p: allowance 4 · √(0.25 · (1/1000 + 1/100)) = 0.2098; mean: 0.4195 as for stats.csv
    write(a.path(), "batch/summary.csv", &summary(100, 2, 0.6, 10.3));
    let out = check_cmd(e.path(), a.path()).assert().code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("expected has 1000 samples, seed 1, actual 100 samples, seed 2"),
        "{stdout}"
    );
    write(a.path(), "batch/summary.csv", &summary(100, 2, 0.75, 10.3));
    check_cmd(e.path(), a.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("p_target_met"));
    // the same samples and seed: no allowance, and the samples column is compared again
    write(a.path(), "batch/summary.csv", &summary(1000, 1, 0.6, 10.0));
    check_cmd(e.path(), a.path()).assert().code(1);
}

fn tiny() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny")
}

const EV: &str = r#"
description = "electric cars"
[[measures]]
id = "ev"
name = "Electric cars"
pillar = "transport"
kind = "fuel_switch"
targets = ["transport.cars"]
from = "diesel"
to = "electricity"
value = 0.5
energy_ratio = 0.33
adoption = { curve = "linear", start = 2020, full = 2030 }
"#;

fn run_tiny(scenarios: &Path, out: &Path) -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("kymsim");
    c.args(["run", "-q", "--no-charts", "--data"])
        .arg(tiny())
        .arg("--scenarios")
        .arg(scenarios)
        .arg("--out")
        .arg(out);
    c
}

#[test]
fn run_check_and_bless() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = tmp.path().join("scenarios");
    write(&sc, "base.toml", "description = \"no measures\"\n");
    write(&sc, "ev.toml", EV);
    let golden = tmp.path().join("golden");
    let out = tmp.path().join("out");
    // nothing to compare with yet
    run_tiny(&sc, &out)
        .arg("--check")
        .arg(&golden)
        .assert()
        .code(2);
    // --bless writes the expected files
    run_tiny(&sc, &out)
        .arg("--check")
        .arg(&golden)
        .arg("--bless")
        .assert()
        .code(0);
    assert!(golden.join("results.csv").is_file() && golden.join("summary.csv").is_file());
    assert!(!golden.join("manifest.json").exists());
    run_tiny(&sc, &out)
        .arg("--check")
        .arg(&golden)
        .assert()
        .code(0);
    // a change in a scenario is a difference
    write(&sc, "ev.toml", &EV.replace("value = 0.5", "value = 0.6"));
    // -q: the one-line verdict, never silence
    run_tiny(&sc, &out)
        .arg("--check")
        .arg(&golden)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("FAILED: "))
        .stdout(predicate::function(|s: &str| s.lines().count() == 1));
    // without -q: the table names the scenario
    cargo_bin_cmd!("kymsim")
        .args(["run", "--no-charts", "--data"])
        .arg(tiny())
        .arg("--scenarios")
        .arg(&sc)
        .arg("--out")
        .arg(&out)
        .arg("--check")
        .arg(&golden)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("results.csv  ev "))
        .stdout(predicate::str::contains("FAILED"));
    // bless it (quiet: nothing printed), and it passes again
    run_tiny(&sc, &out)
        .arg("--check")
        .arg(&golden)
        .arg("--bless")
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    assert_eq!(
        std::fs::read(golden.join("results.csv")).unwrap(),
        std::fs::read(out.join("results.csv")).unwrap()
    );
    run_tiny(&sc, &out)
        .arg("--check")
        .arg(&golden)
        .assert()
        .code(0);
    // --bless needs --check
    run_tiny(&sc, &out).arg("--bless").assert().code(2);
}

#[test]
fn bundled_scenarios_match_the_golden_folder_through_check() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let out = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("kymsim")
        .args(["run", "-q", "--no-charts", "--out"])
        .arg(out.path())
        .arg("--check")
        .arg(&golden)
        .assert()
        .code(0);
}
