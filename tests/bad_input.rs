//! Bad input gives exit code 2, a message naming the file, the place and the problem, and writes nothing.
//!
//! Each case is a folder under `tests/bad_inputs/`: files that replace those of the tiny dataset
//! (`*.csv`, `region.toml`), an optional `scenario.toml` given on the command line, an optional
//! `remove` listing dataset files to delete, and `expect`: lines that must all appear on stderr.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn check_case(name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let case = root.join("tests/bad_inputs").join(name);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    copy_dir(&root.join("tests/fixtures/tiny"), &data);
    let mut scenario = None;
    for e in std::fs::read_dir(&case).unwrap() {
        let path = e.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        match file.as_str() {
            "expect" => {}
            "remove" => {
                for f in std::fs::read_to_string(&path).unwrap().lines() {
                    std::fs::remove_file(data.join(f.trim())).unwrap();
                }
            }
            "scenario.toml" => {
                let dest = tmp.path().join("scenario.toml");
                std::fs::copy(&path, &dest).unwrap();
                scenario = Some(dest);
            }
            _ => {
                std::fs::copy(&path, data.join(&file)).unwrap();
            }
        }
    }
    let expect = std::fs::read_to_string(case.join("expect")).unwrap();
    let out = tmp.path().join("out");
    for command in ["validate", "run"] {
        let mut cmd = cargo_bin_cmd!("kymsim");
        cmd.arg(command).arg("--data").arg(&data);
        if command == "run" {
            cmd.arg("--out").arg(&out);
        }
        if let Some(s) = &scenario {
            cmd.arg(s);
        }
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{name} ({command}): exit code; stderr:\n{stderr}"
        );
        assert!(stderr.starts_with("error: "), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        for line in expect.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                stderr.contains(line),
                "{name} ({command}): stderr lacks `{line}`:\n{stderr}"
            );
        }
    }
    assert!(!out.exists(), "{name}: run left an output folder behind");
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_case(stringify!($name));
            }
        )*

        #[test]
        fn every_case_folder_has_a_test() {
            let listed = [$(stringify!($name)),*];
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
            for e in std::fs::read_dir(dir).unwrap() {
                let name = e.unwrap().file_name().into_string().unwrap();
                assert!(listed.contains(&name.as_str()), "tests/bad_inputs/{name} has no test");
            }
        }
    };
}

cases!(
    blend_switch_ipo,
    blend_switch_to_mix,
    carrier_ef_glob_on_mix,
    carrier_ef_on_mix,
    csv_nan,
    cyclic_mix,
    driver_points_and_growth,
    duplicate_carrier_name,
    duplicate_history,
    duplicate_measure,
    duplicate_source,
    duplicate_uncertainty_id,
    empty_region,
    empty_sources,
    extends_self,
    extends_unknown,
    field_not_applicable,
    fraction_out_of_range,
    fuel_switch_without_to,
    glob_no_match,
    huge_number,
    land_area_exceeded,
    land_area_not_positive,
    lognormal_negative,
    malformed_csv,
    missing_column,
    missing_file,
    mix_shares_not_one,
    mix_switch_glob_on_fuel,
    mix_switch_no_ipo,
    name_traversal,
    negative_activity,
    nested_sectors,
    non_utf8_csv,
    non_utf8_scenario,
    normal_zero_sd,
    not_a_number,
    nul_in_name,
    region_bad_lang,
    region_name_too_long,
    region_syntax,
    region_wrong_type,
    region_years_reversed,
    removal_with_targets,
    removal_without_sector,
    sector_fi_parts,
    shares_not_one,
    shares_out_of_range,
    split_sink,
    split_total_first,
    split_two_groups,
    split_two_totals,
    split_zero_total,
    step_year_out_of_range,
    switch_from_unused,
    triangular_order,
    uncertainty_bad_field,
    uncertainty_bad_target,
    uncertainty_carrier_on_mix,
    unknown_carrier,
    unknown_column,
    unknown_driver,
    unknown_field_for_kind,
    unknown_key,
    unknown_kind,
    unknown_source,
    value_inf,
    value_nan,
    value_wrong_type,
    years_reversed,
);
