//! `kymsim import-alas` on hand-written fixtures in Syke's exact ALas format
//! (`tests/fixtures/alas/`: `;`, decimal comma, NA/NULL/empty, both flags, a wind credit, an
//! unknown code, three municipalities of which two are in Kymenlaakso, and a list file).

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const FIX: &str = "tests/fixtures/alas";

fn kymsim() -> assert_cmd::Command {
    cargo_bin_cmd!("kymsim")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(FIX).join(name)
}

/// `import-alas --municipalities LIST FILES… --out DIR` plus `extra` arguments.
fn import(out: &Path, files: &[&str], extra: &[&str]) -> assert_cmd::Command {
    let mut c = kymsim();
    c.arg("import-alas")
        .arg("--municipalities")
        .arg(fixture("asukasluvut_2023.csv"));
    for f in files {
        c.arg(fixture(f));
    }
    c.arg("--out").arg(out).args(extra);
    c
}

const MAIN_FILES: &[&str] = &["kunta_075.csv", "kunta_398.csv", "kunta_489.csv"];

/// `(year, sector) → kt` from history.csv.
fn history(dir: &Path) -> Vec<(i32, String, f64)> {
    let text = std::fs::read_to_string(dir.join("history.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[0].parse().unwrap(),
                rec[1].to_string(),
                rec[2].parse().unwrap(),
            )
        })
        .collect()
}

fn kt(h: &[(i32, String, f64)], year: i32, sector: &str) -> Option<f64> {
    h.iter()
        .find(|(y, s, _)| *y == year && s == sector)
        .map(|x| x.2)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn hinku_import_matches_hand_sums() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("kymi");
    import(&out, MAIN_FILES, &["--region", "Kymenlaakso"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: unknown taso_3 code `Xyz`",
        ))
        .stdout(predicate::str::contains("2 municipalities, 2020–2022"));
    let h = history(&out);
    // 2022, rows with hinku_laskenta TRUE (Lahti, 398, is in Päijät-Häme and not counted):
    //   Hamina:     cars 10.5 + trucks 6.25 + district heat 8 + livestock 4.5 + landfill 1.25
    //               + unknown `Xyz` 0.25 = 30.75 (through-traffic trucks 3 and ETS industry 100
    //               have hinku_laskenta FALSE)
    //   Miehikkälä: cars 2.5 + oil heating 1.5 + fields 3 + F-gases 0.5 = 7.5
    //   gross = 30.75 + 7.5 = 38.25; wind credit (Tuu, kt_tuuli −0,5) = 0.5; Hinku total 37.75
    assert_eq!(kt(&h, 2022, "Total"), Some(38.25));
    assert_eq!(kt(&h, 2022, "Wind Credits"), Some(0.5));
    assert_eq!(kt(&h, 2022, "Transport|Road|Passenger Cars"), Some(13.0)); // 10.5 + 2.5
    assert_eq!(kt(&h, 2022, "Transport"), Some(19.25)); // 13 + 6.25
    assert_eq!(kt(&h, 2022, "Heating"), Some(9.5)); // 8 + 1.5
    assert_eq!(kt(&h, 2022, "Other|Unmapped"), Some(0.25));
    assert_eq!(kt(&h, 2022, "Industry"), None);
    // 2020 (the reference year): Hamina 12 + 7 + 10 + 5 + 2 + 0.25 = 36.25;
    // Miehikkälä 3 + 2 + 3 + 0.5 = 8.5; total 44.75, no wind credit yet
    assert_eq!(kt(&h, 2020, "Total"), Some(44.75));
    assert_eq!(kt(&h, 2020, "Wind Credits"), Some(0.0));
    // 2021: Hamina 11 + 6.5 + 9 + 4.75 + 1.5 + 0.25 = 33; Miehikkälä 2.75 + 1.75 + 3 + 0.5 = 8
    assert_eq!(kt(&h, 2021, "Total"), Some(41.0));
    // every aggregate equals the sum of its children
    for y in 2020..=2022 {
        let top: f64 = h
            .iter()
            .filter(|(yy, s, _)| {
                *yy == y && !s.contains('|') && s != "Total" && s != "Wind Credits"
            })
            .map(|x| x.2)
            .sum();
        assert!(close(top, kt(&h, y, "Total").unwrap()), "{y}: {top}");
    }

    let region = std::fs::read_to_string(out.join("region.toml")).unwrap();
    for line in [
        "name = \"Kymenlaakso\"",
        "code = \"FI1C4\"",
        "base_year = 2022",
        "end_year = 2050",
        "accounting = \"hinku\"",
        "year = 2040",
        "reference_year = 2020",
        "reference_kt = 44.75",
        "max_gross_fraction = 0.2",
        "net_zero = true",
    ] {
        assert!(
            region.lines().any(|l| l == line),
            "{line} missing in\n{region}"
        );
    }
    // district heat: 50 GWh → 50,000 MWh at 8 kt / 50 GWh = 0.16 t/MWh; livestock is direct:
    // activity 1, direct_ef 4.5 kt × 1000 = 4500 t
    let sources = std::fs::read_to_string(out.join("sources.csv")).unwrap();
    assert!(sources.contains("heating.district,District heat,Heating|District,emission,MWh,50000,,,1,,0,\"sourced: Syke ALas 2022"));
    assert!(sources.contains("agriculture.livestock,Livestock,Agriculture|Livestock,emission,kt/yr-equivalent,1,,,,,4500,\"sourced: Syke ALas 2022"));
    assert!(sources.contains("credits.wind,Wind-power emission credits (Hinku),Wind Credits,removal,kt/yr-equivalent,1,,,,,500,"));
    let carriers = std::fs::read_to_string(out.join("carriers.csv")).unwrap();
    assert!(carriers.contains("heating.district_mix,District heat (ALas mix),fuel,0.16,"));
    assert!(carriers.contains("transport.road.cars_mix,Passenger cars (ALas mix),fuel,0.26,")); // 13 / 50
    let drivers = std::fs::read_to_string(out.join("drivers.csv")).unwrap();
    assert!(drivers.contains("population,2023,21286,")); // 19534 + 1752

    let md = std::fs::read_to_string(out.join("SOURCES.md")).unwrap();
    for needle in [
        "| kunta_075.csv | Hamina (075) | `",
        "| 489 | Miehikkälä | all years | 2020–2022 |",
        "| 2022 | 38.25 | 0.5 | 37.75 | 2 |",
        "unknown taso_3 code `Xyz` in 3 rows (first at kunta_075.csv:9)",
    ] {
        assert!(md.contains(needle), "{needle} missing in SOURCES.md");
    }
    let list_sha =
        kymsim::input::sha256_hex(&std::fs::read(fixture("asukasluvut_2023.csv")).unwrap());
    assert!(md.contains(&list_sha));
}

#[test]
fn each_framework_counts_its_rows() {
    // (framework, 2022 gross, 2022 wind credit, 2020 reference)
    //   all:     Hamina 10.5 + 6.25 + 3 + 8 + 100 + 4.5 + 1.25 + 0.25 = 133.75, + Miehikkälä 7.5
    //            = 141.25; 2020: 12 + 7 + 3 + 10 + 120 + 5 + 2 + 0.25 + 8.5 = 167.75
    //   ets:     Hamina's industry only: 100; 2020: 120
    //   non-ets: 141.25 − 100 = 41.25; 2020: 167.75 − 120 = 47.75
    let cases = [
        ("hinku", 38.25, Some(0.5), 44.75),
        ("hinku-no-wind", 38.25, None, 44.75),
        ("all", 141.25, None, 167.75),
        ("ets", 100.0, None, 120.0),
        ("non-ets", 41.25, None, 47.75),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (fw, gross, credit, reference) in cases {
        let out = tmp.path().join(fw);
        import(
            &out,
            MAIN_FILES,
            &["--region", "Kymenlaakso", "--framework", fw],
        )
        .assert()
        .success();
        let h = history(&out);
        assert!(close(kt(&h, 2022, "Total").unwrap(), gross), "{fw}");
        assert_eq!(kt(&h, 2022, "Wind Credits"), credit, "{fw}");
        let region = std::fs::read_to_string(out.join("region.toml")).unwrap();
        assert!(region.contains(&format!("accounting = \"{fw}\"")), "{fw}");
        assert!(
            region.contains(&format!("reference_kt = {reference:?}\n")),
            "{fw}: {region}"
        );
        if fw == "ets" {
            assert_eq!(kt(&h, 2022, "Industry"), Some(100.0));
            assert_eq!(kt(&h, 2022, "Transport"), None);
        }
        // every framework's dataset loads and runs
        let scenarios = out.join("scenarios");
        kymsim()
            .args(["validate", "--data"])
            .arg(&out)
            .arg("--scenarios")
            .arg(&scenarios)
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("accounting {fw}")));
    }
}

#[test]
fn imported_dataset_validates_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("kymi");
    import(&out, MAIN_FILES, &["--region", "Kymenlaakso", "-q"])
        .assert()
        .success();
    // a scenario written for the test: no measures, and one that cuts car traffic by 50 %
    let sc = tmp.path().join("scenarios");
    std::fs::create_dir(&sc).unwrap();
    std::fs::write(sc.join("none.toml"), "description = \"no measures\"\n").unwrap();
    std::fs::write(
        sc.join("cars.toml"),
        r#"description = "half the car traffic by 2030"
[[measures]]
id = "fewer_cars"
name = "Fewer car trips"
pillar = "transport"
kind = "activity"
targets = ["transport.road.cars"]
value = 0.5
adoption = { curve = "step", year = 2030 }
"#,
    )
    .unwrap();
    kymsim()
        .args(["validate", "--data"])
        .arg(&out)
        .arg("--scenarios")
        .arg(&sc)
        .assert()
        .success()
        .stdout(predicate::str::contains("Kymenlaakso (FI1C4)"))
        .stdout(predicate::str::contains("Wind Credits"));
    let run = tmp.path().join("run");
    kymsim()
        .args(["run", "--no-charts", "-q", "--data"])
        .arg(&out)
        .arg("--scenarios")
        .arg(&sc)
        .arg("--out")
        .arg(&run)
        .assert()
        .success();
    let summary = std::fs::read_to_string(run.join("summary.csv")).unwrap();
    // no measures, 2040: gross 38.25, removals (wind credit) 0.5, net 37.75;
    // cars halved from 2030: gross 38.25 − 13 / 2 = 31.75, net 31.25
    assert!(
        summary.contains("none,2040,38.25,0.5,0,37.75,44.75,"),
        "{summary}"
    );
    assert!(
        summary.contains("cars,2040,31.75,0.5,0,31.25,44.75,"),
        "{summary}"
    );
    let results = std::fs::read_to_string(run.join("results.csv")).unwrap();
    assert!(results.contains("Carbon Removal|Wind Credits"));
    assert!(results.contains("Final Energy|Heating|District|District heat (ALas mix)"));
}

#[test]
fn a_region_from_an_explicit_list_of_two_municipalities() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pair");
    // Hamina (Kymenlaakso) and Lahti (Päijät-Häme) under one name, framework hinku-no-wind:
    // 2022: Hamina 30.75 + Lahti 460 = 490.75; 2020: 36.25 + 500 = 536.25
    import(
        &out,
        MAIN_FILES,
        &[
            "--region",
            "Kaakko ja Lahti",
            "--only",
            "075,398",
            "--framework",
            "hinku-no-wind",
            "--code",
            "XX1",
        ],
    )
    .assert()
    .success();
    let h = history(&out);
    assert_eq!(kt(&h, 2022, "Total"), Some(490.75));
    assert_eq!(kt(&h, 2020, "Total"), Some(536.25));
    assert_eq!(kt(&h, 2022, "Transport|Road|Passenger Cars"), Some(470.5)); // 10.5 + 460
    let region = std::fs::read_to_string(out.join("region.toml")).unwrap();
    assert!(region.contains("name = \"Kaakko ja Lahti\""));
    assert!(region.contains("code = \"XX1\""));
    // Miehikkälä's file was given but is not in the list: not read
    let md = std::fs::read_to_string(out.join("SOURCES.md")).unwrap();
    assert!(!md.contains("kunta_489.csv |"));
    assert!(md.contains("--only 075,398"));
}

#[test]
fn historical_boundary_counts_iitti_before_2021() {
    let tmp = tempfile::tempdir().unwrap();
    let files = ["kunta_075.csv", "kunta_489.csv", "iitti"];
    // current boundary: Iitti is in Päijät-Häme in the list, so never counted
    let cur = tmp.path().join("current");
    import(&cur, &files, &["--region", "Kymenlaakso"])
        .assert()
        .success();
    assert_eq!(kt(&history(&cur), 2020, "Total"), Some(44.75));
    // historical: Iitti (142) belongs to Kymenlaakso until 2020: 44.75 + 4 = 48.75 in 2020;
    // its 2022 row is not counted (it moved on 1.1.2021), and missing 2021 is no gap
    let hist = tmp.path().join("historical");
    import(
        &hist,
        &files,
        &["--region", "Kymenlaakso", "--boundary", "historical"],
    )
    .assert()
    .success()
    .stderr(predicate::str::contains("Iitti").not());
    let h = history(&hist);
    assert_eq!(kt(&h, 2020, "Total"), Some(48.75));
    assert_eq!(kt(&h, 2021, "Total"), Some(41.0));
    assert_eq!(kt(&h, 2022, "Total"), Some(38.25));
    let md = std::fs::read_to_string(hist.join("SOURCES.md")).unwrap();
    assert!(md.contains("| 142 | Iitti | before 2021 | 2020 |"), "{md}");
    assert!(md.contains("Iitti (142): Kymenlaakso → Päijät-Häme from 2021"));
}

#[test]
fn gaps_and_unknown_codes_warn_and_strict_makes_them_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("gap");
    // Iitti's file has 2020 and 2022 but not 2021, which the others have
    import(
        &out,
        &["kunta_075.csv", "kunta_489.csv", "iitti"],
        &["--region", "Test", "--only", "075,489,142"],
    )
    .assert()
    .success()
    .stderr(predicate::str::contains(
        "warning: municipality Iitti (142) has no rows for 2021",
    ));
    let md = std::fs::read_to_string(out.join("SOURCES.md")).unwrap();
    assert!(md.contains("Iitti (142) has no rows for 2021"));

    let strict = tmp.path().join("strict");
    import(
        &strict,
        &["kunta_075.csv", "kunta_489.csv", "iitti"],
        &["--region", "Test", "--only", "075,489,142", "--strict"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("--strict"));
    assert!(!strict.join("history.csv").exists());

    // the unknown code alone is enough under --strict
    import(
        &strict,
        MAIN_FILES,
        &["--region", "Kymenlaakso", "--strict"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("unknown taso_3 code `Xyz`"));
    assert!(!strict.join("history.csv").exists());

    // a member without any file is reported too
    import(&strict, &["kunta_075.csv"], &["--region", "Kymenlaakso"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "no rows for member municipality Miehikkälä (489)",
        ));
}

#[test]
fn comma_separated_file_is_rejected_with_its_location() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    import(
        &out,
        &["bad/comma/kunta_075.csv"],
        &["--region", "Kymenlaakso"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("comma-separated"))
    // "vuosi" is 5 characters: the first comma is column 6
    .stderr(predicate::str::contains("kunta_075.csv:1:6"));
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
}

#[test]
fn non_numeric_kt_is_rejected_with_its_location() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    // line 3 is `2022;n/a;…`: `kt` starts at column 6
    import(
        &out,
        &["bad/number/kunta_075.csv"],
        &["--region", "Kymenlaakso"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("`kt` must be a number, not `n/a`"))
    .stderr(predicate::str::contains("kunta_075.csv:3:6"));
}

#[test]
fn unknown_region_suggests_the_near_name() {
    let tmp = tempfile::tempdir().unwrap();
    import(
        &tmp.path().join("x"),
        MAIN_FILES,
        &["--region", "Kymenlakso"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("did you mean `Kymenlaakso`?"));
}

#[test]
fn output_is_identical_between_runs_and_not_written_over_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        import(out, MAIN_FILES, &["--region", "Kymenlaakso", "-q"])
            .assert()
            .success();
    }
    for f in [
        "region.toml",
        "sources.csv",
        "carriers.csv",
        "energy_mix.csv",
        "drivers.csv",
        "history.csv",
        "SOURCES.md",
        "scenarios/baseline.toml",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    import(&a, MAIN_FILES, &["--region", "Kymenlaakso"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not empty"));
    import(
        &a,
        MAIN_FILES,
        &["--region", "Kymenlaakso", "--force", "-q"],
    )
    .assert()
    .success();
}

#[test]
fn import_then_validate_then_run_uses_the_starter_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("kymi");
    import(&out, MAIN_FILES, &["--region", "Kymenlaakso", "-q"])
        .assert()
        .success();
    assert!(out.join("scenarios/baseline.toml").is_file());
    // no --scenarios: the dataset's own scenarios/ folder is used, never the bundled set
    kymsim()
        .args(["validate", "--data"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("scenario baseline"))
        .stderr(predicate::str::contains("(the dataset's folder)"));
    let run = tmp.path().join("run");
    kymsim()
        .args(["run", "--no-charts", "--data"])
        .arg(&out)
        .arg("--out")
        .arg(&run)
        .assert()
        .success();
    let summary = std::fs::read_to_string(run.join("summary.csv")).unwrap();
    let mut r = csv::Reader::from_reader(summary.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "baseline");
    // the starter has no measures and no source follows a driver: 2040 = the 2022 base year,
    // gross 38.25 kt (hinku_import_matches_hand_sums) less the 0.5 kt wind credit = net 37.75
    assert_eq!(&rows[0][2], "38.25");
    // gross, removals, land use (none imported), net
    assert_eq!(&rows[0][4], "0");
    assert_eq!(&rows[0][5], "37.75");
    let manifest = std::fs::read_to_string(run.join("manifest.json")).unwrap();
    assert!(manifest.contains("scenarios/baseline.toml"));
    assert!(!manifest.contains("embedded:scenarios"));
}

#[test]
fn observed_out_writes_the_later_years_and_track_reads_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("kymi");
    let observed = tmp.path().join("observed.csv");
    // the update in two commands: import with the base year 2020 (the files hold 2020–2022),
    // then track against the years after it
    import(
        &out,
        MAIN_FILES,
        &["--region", "Kymenlaakso", "--base-year", "2020", "-q"],
    )
    .arg("--observed-out")
    .arg(&observed)
    .assert()
    .success();
    let text = std::fs::read_to_string(&observed).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("year,variable,kt,sd_kt,provenance"));
    let provenance = "Syke ALas 2021 (hinku): kunta_075.csv kunta_489.csv";
    // 2021 gross: Hamina 33 + Miehikkälä 8 = 41 (hinku_import_matches_hand_sums); 2022: 38.25;
    // sd empty (track's default); the provenance names the files read
    assert!(
        text.contains(&format!("2021,Emissions|Kyoto Gases,41,,{provenance}\n")),
        "{text}"
    );
    assert!(text.contains("2022,Emissions|Kyoto Gases,38.25,,Syke ALas 2022 (hinku): "));
    // 2022 sectors: passenger cars 10.5 + 2.5 = 13, transport 13 + 6.25 = 19.25, heating 9.5
    for line in [
        "2022,Emissions|Kyoto Gases|Transport|Road|Passenger Cars,13,,",
        "2022,Emissions|Kyoto Gases|Transport,19.25,,",
        "2022,Emissions|Kyoto Gases|Heating,9.5,,",
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
    // no base-year line, no wind credit (not a gross variable)
    assert!(!text.contains("\n2020,"), "{text}");
    assert!(!text.contains("Wind"), "{text}");
    let track = tmp.path().join("track-out");
    let o = kymsim()
        .args(["track", "baseline", "-n", "200", "-q", "--data"])
        .arg(&out)
        .arg("--observed")
        .arg(&observed)
        .arg("--out")
        .arg(&track)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let obs = std::fs::read_to_string(track.join("track/observations.csv")).unwrap();
    assert!(obs.contains("2022,Emissions|Kyoto Gases,38.25,"), "{obs}");
}

#[test]
fn observed_out_without_later_years_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("kymi");
    let observed = tmp.path().join("observed.csv");
    // the base year defaults to the last year in the files (2022): nothing after it
    import(&out, MAIN_FILES, &["--region", "Kymenlaakso", "-q"])
        .arg("--observed-out")
        .arg(&observed)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no year after the base year 2022"));
    assert!(!observed.exists());
    assert!(!out.join("region.toml").exists());
}
