//! The figures README.md and data/kymenlaakso/SOURCES.md quote equal what the current data and
//! scenarios give: the central table `run` prints, the batch probabilities and quantiles, and
//! the base-year values of every source and sector.

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use kymsim::data::{DataSource, load_region};
use kymsim::engine::{calibration, run_central};
use kymsim::model::compile;
use kymsim::scenario::Scenario;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The lines of the code block that follows the line containing `marker`.
fn block_after(text: &str, marker: &str) -> Vec<String> {
    let start = text.find(marker).expect("marker in README");
    let rest = &text[start..];
    let open = rest.find("```\n").expect("a code block") + 4;
    let close = rest[open..].find("```").unwrap() + open;
    rest[open..close].lines().map(str::to_string).collect()
}

#[test]
fn the_central_table_is_what_run_prints() {
    let out = tempfile::tempdir().unwrap();
    let output = cargo_bin_cmd!("kymsim")
        .args(["run", "--bundled-scenarios", "--no-charts", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let quoted = block_after(&readme(), "`kymsim run` prints a table such as");
    assert!(quoted.len() >= 7, "{quoted:?}");
    for line in &quoted {
        assert!(
            printed.contains(line),
            "README quotes a line `run` no longer prints:\n{line}\n--- run prints:\n{}",
            printed.join("\n")
        );
    }
}

/// `0.76189` → `76.2 %`, as the README writes probabilities.
fn pct(p: &str) -> String {
    format!("{:.1} %", p.parse::<f64>().unwrap() * 100.0)
}

fn kt(x: &str) -> String {
    format!("{:.0}", x.parse::<f64>().unwrap())
}

#[test]
fn the_batch_table_is_what_a_batch_of_100000_samples_gives() {
    let out = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("kymsim")
        .args([
            "batch",
            "--bundled-scenarios",
            "-n",
            "100000",
            "--seed",
            "2040",
            "-q",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let summary = std::fs::read_to_string(out.path().join("batch/summary.csv")).unwrap();
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let text = readme();
    let mut checked = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let scenario = cells[col("scenario")];
        let expected = format!(
            "| {scenario} | {} | {} | {} | {} / {} / {} | {} |",
            pct(cells[col("p_target_met")]),
            pct(cells[col("p_gross_met")]),
            pct(cells[col("p_net_zero_met")]),
            kt(cells[col("net_kt_p5")]),
            kt(cells[col("net_kt_p50")]),
            kt(cells[col("net_kt_p95")]),
            pct(cells[col("p_milestone_2030")]),
        );
        assert!(
            text.contains(&expected),
            "README's batch table lacks the row\n{expected}"
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

/// The rows of the markdown table that follows the heading `heading` in `text`.
fn table_after(text: &str, heading: &str) -> Vec<Vec<String>> {
    let start = text.find(heading).expect("heading");
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

fn number(cell: &str) -> f64 {
    cell.trim_matches('*')
        .replace('−', "-")
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {cell}"))
}

#[test]
fn sources_md_quotes_the_base_year_of_every_source_and_sector() {
    let md = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/kymenlaakso/SOURCES.md"),
    )
    .unwrap();
    let region = load_region(&DataSource::Embedded).unwrap();
    let model = compile(&region, &Scenario::empty("data")).unwrap();
    let central = run_central(&model);
    // every source: the `kt` column (8th) against its base-year row, to the printed 0.1 kt
    let rows = table_after(&md, "## Every source");
    assert_eq!(rows.len(), region.sources.len(), "one row per source");
    for row in &rows {
        let id = row[0].trim_matches('`');
        let s = region
            .source_index(id)
            .unwrap_or_else(|| panic!("SOURCES.md lists `{id}`, not a source"));
        let quoted = number(&row[7]);
        let modelled = central.leaves[s * model.ny];
        assert!(
            (quoted - modelled).abs() <= 0.05 + 1e-9,
            "`{id}`: SOURCES.md says {quoted} kt, the data give {modelled:.3}"
        );
    }
    // the calibration table: modelled 2021 kt per sector
    let modelled: HashMap<String, Option<f64>> = calibration(&region)
        .unwrap()
        .into_iter()
        .map(|r| (r.sector, r.modelled_kt))
        .collect();
    let rows = table_after(&md, "## Calibration: modelled 2021");
    assert!(rows.len() >= 15);
    for row in &rows {
        let sector = row[0].replace("\\|", "|").replace("**", "");
        let sector = if sector.starts_with("Total") {
            "Total".to_string()
        } else {
            sector
        };
        let m = modelled[&sector].unwrap_or_else(|| panic!("{sector} not modelled"));
        let quoted = number(&row[1]);
        assert!(
            (quoted - m).abs() <= 0.05 + 1e-9,
            "{sector}: SOURCES.md says {quoted} kt, the data give {m:.3}"
        );
    }
    // the land balance table's total
    let land = table_after(&md, "### Land — the land balance");
    let total = land.last().unwrap();
    let sum: f64 = region
        .sources
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == kymsim::data::SourceKind::Land)
        .map(|(i, _)| central.leaves[i * model.ny])
        .sum();
    assert!((number(&total[3]) - sum).abs() <= 0.05 + 1e-9, "{sum}");
}
