//! `report.xlsx` read back with a reader crate (calamine): its sheets hold the numbers of
//! `results.csv`, `summary.csv`, `macc.csv` and `difference.csv`, in the run's language, and the
//! same inputs give the same bytes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use calamine::{Data, DataType, Reader, Xlsx, open_workbook};

fn run(dir: &Path, lang: &str) {
    cargo_bin_cmd!("kymsim")
        .args(["run", "--bundled-scenarios", "-q", "--lang", lang, "--out"])
        .arg(dir)
        .assert()
        .success();
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xlsx-tests")
        .join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// A CSV file as a header and rows of fields (no quoted commas in the columns compared).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = ::csv::Reader::from_path(path).unwrap();
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (head, rows)
}

fn sheet(wb: &mut Xlsx<std::io::BufReader<fs::File>>, name: &str) -> Vec<Vec<Data>> {
    wb.worksheet_range(name)
        .unwrap()
        .rows()
        .map(|r| r.to_vec())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn report_xlsx_round_trips_to_the_csv_files() {
    let d = scratch("en");
    run(&d, "en");
    let mut wb: Xlsx<_> = open_workbook(d.join("report.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Summary", "Emissions", "Measures", "MACC", "Difference"]
    );

    // emissions: every row equals its variable of results.csv, year by year
    let (head, rows) = csv(&d.join("results.csv"));
    let years: Vec<&String> = head[5..].iter().collect();
    let results: BTreeMap<(String, String), Vec<f64>> = rows
        .iter()
        .map(|r| {
            (
                (r[1].clone(), r[3].clone()),
                r[5..].iter().map(|v| v.parse().unwrap()).collect(),
            )
        })
        .collect();
    let emissions = sheet(&mut wb, "Emissions");
    let xhead: Vec<String> = emissions[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        &xhead[3..],
        years.iter().map(|y| y.as_str()).collect::<Vec<_>>()
    );
    assert!(emissions.len() > 10, "{} rows", emissions.len());
    for row in &emissions[1..] {
        // the scenario column holds display names: find the id by the variable's values
        let var = row[2].get_string().unwrap();
        let values: Vec<f64> = row[3..].iter().map(|c| c.get_float().unwrap()).collect();
        let found = results
            .iter()
            .filter(|((_, v), _)| v == var)
            .any(|(_, want)| want.iter().zip(&values).all(|(a, b)| close(*a, *b)));
        assert!(found, "{var}: {values:?} is no row of results.csv");
    }

    // summary: net emissions of the target year as summary.csv
    let (shead, srows) = csv(&d.join("summary.csv"));
    let net_col = shead.iter().position(|h| h == "net_kt").unwrap();
    let summary = sheet(&mut wb, "Summary");
    let xnet = summary[0]
        .iter()
        .position(|h| h.get_string().is_some_and(|h| h.starts_with("Net ")))
        .unwrap();
    for r in &srows {
        let row = summary
            .iter()
            .find(|x| x[1].get_string() == Some(r[0].as_str()))
            .unwrap_or_else(|| panic!("no summary row of {}", r[0]));
        let net = row[xnet].get_float().unwrap();
        assert!(close(net, r[net_col].parse().unwrap()), "{}: {net}", r[0]);
    }

    // difference: every row of difference.csv, its contribution and added cost
    let (dhead, drows) = csv(&d.join("difference.csv"));
    let col = |n: &str| dhead.iter().position(|h| h == n).unwrap();
    let diff = sheet(&mut wb, "Difference");
    assert_eq!(diff.len() - 1, drows.len());
    for (x, r) in diff[1..].iter().zip(&drows) {
        assert_eq!(x[3].get_string().unwrap_or(""), r[col("measure")]);
        assert_eq!(
            x[2].get_float().unwrap() as i32,
            r[col("year")].parse::<i32>().unwrap()
        );
        assert!(close(
            x[7].get_float().unwrap(),
            r[col("contribution_kt")].parse().unwrap()
        ));
        match r[col("annual_cost_meur")].as_str() {
            "" => assert!(x.get(8).is_none_or(|c| c.is_empty())),
            c => assert!(close(x[8].get_float().unwrap(), c.parse().unwrap())),
        }
    }

    // MACC: macc.csv's rows
    let (mhead, mrows) = csv(&d.join("macc.csv"));
    let mcol = |n: &str| mhead.iter().position(|h| h == n).unwrap();
    let macc = sheet(&mut wb, "MACC");
    assert!(macc.len() > 10, "{} rows", macc.len());
    for x in &macc[1..] {
        let id = x[1].get_string().unwrap();
        let cost = x[5].get_float().unwrap();
        assert!(
            mrows.iter().any(|r| r[mcol("measure")] == id
                && close(cost, r[mcol("cost_eur_per_t")].parse().unwrap())),
            "{id}: {cost} is no row of macc.csv"
        );
    }

    // measures: each has its owner
    let measures = sheet(&mut wb, "Measures");
    assert!(
        measures[1..]
            .iter()
            .all(|r| r[3].get_string().is_some_and(|o| !o.is_empty())),
        "a measure without its owner"
    );
}

#[test]
fn report_xlsx_is_in_the_run_language_and_deterministic() {
    let d = scratch("fi");
    run(&d, "fi");
    let first = fs::read(d.join("report.xlsx")).unwrap();
    run(&d, "fi");
    assert_eq!(
        first,
        fs::read(d.join("report.xlsx")).unwrap(),
        "not byte-identical"
    );
    let mut wb: Xlsx<_> = open_workbook(d.join("report.xlsx")).unwrap();
    assert_eq!(wb.sheet_names()[0], "Yhteenveto");
    let summary = sheet(&mut wb, "Yhteenveto");
    assert_eq!(summary[0][0].get_string(), Some("Skenaario"));
    assert!(
        summary
            .iter()
            .any(|r| r[0].get_string() == Some("Maakuntaohjelma")),
        "{summary:?}"
    );
}

#[test]
fn the_report_states_the_programmes_own_abatement_and_cost_as_difference_csv() {
    let d = scratch("own");
    run(&d, "en");
    let (head, rows) = csv(&d.join("difference.csv"));
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let own: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[col("scenario")] == "programme" && r[col("year")] == "2040")
        .filter(|r| ["region", "municipality"].contains(&r[col("owner")].as_str()))
        .collect();
    assert!(
        own.len() >= 10,
        "the programme's own measures: {}",
        own.len()
    );
    let kt: f64 = own
        .iter()
        .map(|r| r[col("contribution_kt")].parse::<f64>().unwrap())
        .sum();
    let cost: f64 = own
        .iter()
        .filter(|r| !r[col("annual_cost_meur")].is_empty())
        .map(|r| r[col("annual_cost_meur")].parse::<f64>().unwrap())
        .sum();
    // kt below 100 with one decimal, M€ with one decimal
    let want = format!(
        "cut net emissions in 2040 by {:.1} kt against baseline, at an added annual cost of {:.1} M€/yr",
        kt, cost
    );
    let html = fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains(&want), "report.html lacks {want:?}");
    // and it is not the 391 kt of every measure the programme holds (national and EU ones too)
    assert!(kt > 50.0 && kt < 100.0, "{kt}");
}
