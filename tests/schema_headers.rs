//! Every CSV file the commands write has the header `src/output/schema.rs` lists for it: the
//! commands run end to end (run, batch with kept samples, Sobol, Morris, discover, plan with its
//! frontier, track), and each file's first line is compared with the schema's columns — the
//! whole header where the schema lists every column, the leading columns where the rest follow
//! the data (years, milestones, criteria, parameters).

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use kymsim::output::schema::*;

fn kymsim(dir: &Path, args: &[&str]) {
    let o = cargo_bin_cmd!("kymsim")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .args(["-q", "--out"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {o:?}");
}

fn header(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text.lines().next().unwrap_or_default();
    line.split(',').map(str::to_string).collect()
}

#[test]
fn every_csv_file_has_the_header_of_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let bundled = d.join("bundled");
    kymsim(
        &bundled,
        &["batch", "-n", "60", "--keep-samples", "--bundled-scenarios"],
    );
    kymsim(&bundled, &["run", "--bundled-scenarios"]);
    kymsim(
        &bundled,
        &[
            "sensitivity",
            "programme",
            "-n",
            "16",
            "--bundled-scenarios",
        ],
    );
    kymsim(
        &bundled,
        &[
            "sensitivity",
            "programme",
            "--method",
            "morris",
            "--trajectories",
            "2",
            "--candidates",
            "4",
            "--bundled-scenarios",
        ],
    );
    let observed = d.join("observed.csv");
    std::fs::write(
        &observed,
        "year,variable,kt,sd_kt,provenance\n2022,Emissions|Kyoto Gases,1035,60,test\n",
    )
    .unwrap();
    kymsim(
        &bundled,
        &[
            "track",
            "programme",
            "-n",
            "400",
            "--bundled-scenarios",
            "--observed",
            observed.to_str().unwrap(),
        ],
    );
    let fixtures = d.join("fixtures");
    kymsim(
        &fixtures,
        &[
            "discover",
            "threshold",
            "--data",
            "tests/fixtures/tiny",
            "--scenarios",
            "tests/fixtures/discovery",
        ],
    );
    kymsim(
        &fixtures,
        &[
            "plan",
            "menu",
            "--from",
            "base",
            "-p",
            "0.8",
            "--steps",
            "1",
            "--frontier",
            "--data",
            "tests/fixtures/tiny",
            "--scenarios",
            "tests/fixtures/plan",
        ],
    );

    // (folder, file, the schema's columns, whether they are the whole header)
    let files: Vec<(&Path, &str, Vec<&str>, bool)> = vec![
        (&bundled, RESULTS_CSV, IAMC_COLUMNS.to_vec(), false),
        (&bundled, SUMMARY_CSV, SUMMARY_COLUMNS.to_vec(), false),
        (&bundled, WEDGES_CSV, WEDGES_COLUMNS.to_vec(), true),
        (&bundled, MACC_CSV, MACC_COLUMNS.to_vec(), true),
        (&bundled, DIFFERENCE_CSV, DIFFERENCE_COLUMNS.to_vec(), true),
        (
            &bundled,
            SENSITIVITY_CSV,
            SENSITIVITY_COLUMNS.to_vec(),
            true,
        ),
        (&bundled, MORRIS_CSV, MORRIS_COLUMNS.to_vec(), true),
        (
            &bundled,
            STATS_CSV,
            IAMC_COLUMNS
                .iter()
                .copied()
                .chain([STATISTIC_COLUMN])
                .collect(),
            false,
        ),
        (
            &bundled,
            SAMPLES_CSV,
            IAMC_COLUMNS
                .iter()
                .copied()
                .chain([SAMPLE_COLUMN])
                .collect(),
            false,
        ),
        (
            &bundled,
            BATCH_SUMMARY_CSV,
            BATCH_SUMMARY_COLUMNS.to_vec(),
            false,
        ),
        (
            &bundled,
            DISTRIBUTIONS_CSV,
            DISTRIBUTIONS_COLUMNS.to_vec(),
            true,
        ),
        (&bundled, INPUTS_CSV, INPUTS_COLUMNS.to_vec(), false),
        (
            &bundled,
            TRACK_OBSERVATIONS_CSV,
            TRACK_OBSERVATIONS_COLUMNS.to_vec(),
            true,
        ),
        (
            &bundled,
            TRACK_DEVIATION_CSV,
            TRACK_DEVIATION_COLUMNS.to_vec(),
            true,
        ),
        (&fixtures, DISCOVERY_CSV, DISCOVERY_COLUMNS.to_vec(), false),
        (
            &fixtures,
            DISCOVERY_TRAJECTORY_CSV,
            DISCOVERY_TRAJECTORY_COLUMNS.to_vec(),
            true,
        ),
        (&fixtures, PLAN_CSV, PLAN_COLUMNS.to_vec(), true),
        (&fixtures, PORTFOLIO_CSV, PORTFOLIO_COLUMNS.to_vec(), true),
        (&fixtures, FRONTIER_CSV, FRONTIER_COLUMNS.to_vec(), true),
    ];
    let mut wrong = Vec::new();
    for (dir, file, columns, whole) in &files {
        let got = header(&dir.join(file));
        let same = if *whole {
            got == *columns
        } else {
            got.len() >= columns.len() && got[..columns.len()] == columns[..]
        };
        if !same {
            wrong.push(format!(
                "{file}: {got:?}, the schema says {columns:?}{}",
                if *whole { "" } else { " …" }
            ));
        }
    }
    // the budget's figures follow its verdict in summary.csv
    let summary = header(&bundled.join(SUMMARY_CSV));
    let at = summary
        .iter()
        .position(|c| c == "within_budget")
        .expect("within_budget");
    assert_eq!(summary[at + 1..at + 4], BUDGET_COLUMNS, "{summary:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
