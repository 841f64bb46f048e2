//! Charts and report: `kymsim run` draws them, `kymsim plot` redraws identical files from the
//! output folder, each SVG names its title, axes and legend, each PNG has the asked size and
//! is not blank.
//!
//! Data: the tiny region (`tests/fixtures/tiny`) with the scenarios of
//! `tests/fixtures/charts/scenarios`, and hand-made optional inputs (sensitivity, batch; also
//! wedges and MACC, which `run` replaces with its own) in `tests/fixtures/charts/extra` (see
//! `make_extra.py` there).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::PredicateBooleanExt;

const SCENARIOS: [&str; 3] = ["base", "electrify", "neutral"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else if p.extension().is_some_and(|x| x == "csv") {
            fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A fresh folder under cargo's test scratch space.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("charts-tests")
        .join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn run(out: &Path, extra_args: &[&str]) {
    let mut cmd = cargo_bin_cmd!("kymsim");
    cmd.arg("run")
        .arg("--data")
        .arg(fixtures().join("tiny"))
        .arg("--scenarios")
        .arg(fixtures().join("charts/scenarios"))
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra_args)
        .args(SCENARIOS);
    cmd.assert().success();
}

/// One run with every optional input present, shared by the tests of this file.
fn full_run() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = scratch("full");
        copy_dir(&fixtures().join("charts/extra"), &d);
        common::record_derived_inputs(
            &d,
            &fixtures().join("tiny"),
            &fixtures().join("charts/scenarios"),
        );
        run(&d, &[]);
        d
    })
}

fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir.join("charts")).unwrap() {
        let p = e.unwrap().path();
        out.insert(
            format!("charts/{}", p.file_name().unwrap().to_string_lossy()),
            fs::read(&p).unwrap(),
        );
    }
    out.insert(
        "report.html".into(),
        fs::read(dir.join("report.html")).unwrap(),
    );
    out
}

#[test]
fn run_draws_every_chart_in_png_and_svg() {
    let files = files_under(full_run());
    let mut stems = vec!["net_all".to_string()];
    for s in SCENARIOS {
        stems.push(format!("emissions_{s}"));
        stems.push(format!("energy_{s}"));
        stems.push(format!("batch_{s}"));
    }
    for s in ["electrify", "neutral"] {
        for kind in ["wedges", "macc", "sensitivity"] {
            stems.push(format!("{kind}_{s}"));
        }
    }
    for stem in &stems {
        for ext in ["png", "svg"] {
            assert!(
                files.contains_key(&format!("charts/{stem}.{ext}")),
                "charts/{stem}.{ext} missing; have {:?}",
                files.keys().collect::<Vec<_>>()
            );
        }
    }
    // nothing else: 2 files per chart + the report
    assert_eq!(files.len(), stems.len() * 2 + 1);
    assert!(full_run().join("metadata.json").is_file());
    let manifest = fs::read_to_string(full_run().join("manifest.json")).unwrap();
    assert!(manifest.contains("charts/net_all.svg") && manifest.contains("report.html"));
}

fn svg(stem: &str) -> String {
    fs::read_to_string(full_run().join(format!("charts/{stem}.svg"))).unwrap()
}

/// The text nodes of an SVG (plotters writes each `<text …>` content on its own line).
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

/// Each wanted text is a text node of the chart (`=x`: exactly `x`; else: contains it).
fn assert_has(stem: &str, wanted: &[&str]) {
    let texts = svg_texts(&svg(stem));
    for w in wanted {
        let found = match w.strip_prefix('=') {
            Some(exact) => texts.iter().any(|t| t == exact),
            None => texts.iter().any(|t| t.contains(w)),
        };
        assert!(found, "{stem}.svg lacks {w:?}; its texts: {texts:?}");
    }
}

#[test]
fn svgs_hold_title_axis_labels_and_legend() {
    assert_has(
        "emissions_neutral",
        &[
            "Tinyland: emissions and removals — neutral",
            "Emissions (kt CO2e per year)",
            "=Year",
            "Gross emissions by sector",
            "=Transport",
            "=Heating",
            "=Agriculture",
            "Removals (below zero)",
            "=Land Use",
            "Net emissions",
            "Inventory, gross total (history)",
            "Gross limit 2030: 50 kt",
            "Net zero (target 2030)",
            "=1990",
        ],
    );
    assert_has(
        "net_all",
        &[
            "Tinyland: net emissions of all scenarios",
            "Net emissions (kt CO2e per year)",
            "=base",
            "=electrify",
            "=neutral",
            "neutral: median",
            "neutral: 5–95 % range",
            "Net zero (target 2030)",
            "Target point 2030",
        ],
    );
    // the inventory's gross totals belong on the emissions charts, not on a net axis
    let net_texts = svg_texts(&svg("net_all"));
    assert!(
        !net_texts.iter().any(|t| t.contains("Inventory")),
        "{net_texts:?}"
    );
    assert_has(
        "energy_electrify",
        &[
            "Tinyland: final energy by carrier — electrify",
            "Final energy (GWh per year)",
            "=Electricity",
            "=Diesel",
            "=District Heat",
        ],
    );
    assert_has(
        "wedges_neutral",
        &[
            "Tinyland: reductions by pillar — neutral",
            "Net emissions (kt CO2e per year)",
            "=Transport links",
            "=Energy",
            "=Bioeconomy",
            "Without measures (counterfactual)",
        ],
    );
    assert_has(
        "batch_neutral",
        &[
            "Tinyland: batch outcomes — neutral",
            "Net emissions in 2030 (kt CO2e per year)",
            "Neutrality year",
            "Share of samples (%)",
            "=never",
            "Not neutral by 2030",
            // exact shares from batch/summary.csv
            "1 000 samples · target 2030 met in 35 % of samples · net ≤ 0 in 40 % of samples",
        ],
    );
    assert_has(
        "macc_neutral",
        &[
            "Tinyland: abatement cost curve — neutral",
            "Cost (€ per t CO2e)",
            "Cumulative abatement in 2030 (kt CO2e per year)",
            "=Bioeconomy",
            "=Electric cars",
        ],
    );
    assert_has(
        "sensitivity_neutral",
        &[
            "Tinyland: what drives the outcome — neutral",
            "Sobol index (share of output variance, 0–1)",
            "Total-order (with interactions)",
            "First-order (alone)",
            "Electric cars (effect)",
            "uncertainty.road_activity",
        ],
    );
}

/// Decodes a PNG: (width, height, RGB bytes).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn assert_not_blank(name: &str, rgb: &[u8]) {
    let pixels = rgb.len() / 3;
    let inked = rgb
        .chunks_exact(3)
        .filter(|p| p.iter().any(|&c| c < 200))
        .count();
    let colours: std::collections::BTreeSet<&[u8]> = rgb.chunks_exact(3).collect();
    // a chart has text, axes and filled shapes: several % of the image, many colours
    assert!(
        inked * 100 > pixels * 2,
        "{name}: only {inked} of {pixels} pixels are not white"
    );
    assert!(colours.len() > 20, "{name}: only {} colours", colours.len());
}

#[test]
fn pngs_decode_to_the_default_size_and_are_not_blank() {
    for (name, bytes) in files_under(full_run()) {
        if name.ends_with(".png") {
            let (w, h, rgb) = decode(&bytes);
            assert_eq!((w, h), (1600, 900), "{name}");
            assert_not_blank(&name, &rgb);
        }
    }
}

#[test]
fn size_option_sets_png_and_svg_size() {
    let d = scratch("size");
    run(&d, &["--size", "1040x585"]);
    let (w, h, rgb) = decode(&fs::read(d.join("charts/emissions_base.png")).unwrap());
    assert_eq!((w, h), (1040, 585));
    assert_not_blank("emissions_base.png at 1040x585", &rgb);
    let s = fs::read_to_string(d.join("charts/net_all.svg")).unwrap();
    assert!(s.contains("width=\"1040\" height=\"585\""), "{}", &s[..200]);
    // run writes wedges and MACC itself; without batch or sensitivity files those are skipped
    assert!(d.join("charts/wedges_neutral.png").exists());
    assert!(d.join("charts/macc_neutral.png").exists());
    assert!(!d.join("charts/batch_neutral.png").exists());
    assert!(!d.join("charts/sensitivity_neutral.png").exists());
}

#[test]
fn sizes_below_the_legible_minimum_are_refused() {
    // 800×450 would draw the 17 px notes at 8.5 px
    let d = scratch("too-small");
    cargo_bin_cmd!("kymsim")
        .current_dir(&d)
        .args(["run", "-q", "--size", "800x450", "--out", "o"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "below 1040x585 the smallest text would be under 11 px",
        ));
}

#[test]
fn plot_after_run_gives_identical_files() {
    let a = full_run();
    let b = scratch("replot");
    // every CSV of the run (results, summary, wedges, MACC, sensitivity, batch) and the metadata
    copy_dir(a, &b);
    fs::copy(a.join("metadata.json"), b.join("metadata.json")).unwrap();
    let _ = fs::remove_dir_all(b.join("charts"));
    cargo_bin_cmd!("kymsim")
        .arg("plot")
        .arg(&b)
        .arg("--quiet")
        .assert()
        .success();
    let fa = files_under(a);
    let fb = files_under(&b);
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(&fb[name] == bytes, "{name} differs between run and plot");
    }
}

#[test]
fn no_charts_skips_charts_but_keeps_metadata() {
    let d = scratch("nocharts");
    run(&d, &["--no-charts"]);
    assert!(!d.join("charts").exists());
    assert!(!d.join("report.html").exists());
    let meta = fs::read_to_string(d.join("metadata.json")).unwrap();
    for t in [
        "\"region\": \"Tinyland\"",
        "\"name\": \"neutral\"",
        "\"id\": \"new_forest\"",
        "\"pillar\": \"bioeconomy\"",
        "\"cost_eur_per_t\": -10.0",
        "\"gross_limit_kt\": 50.0",
        "\"sector\": \"Total\"",
    ] {
        assert!(meta.contains(t), "metadata.json lacks {t}:\n{meta}");
    }
    // no timestamp: identical to the metadata of the full run
    assert_eq!(
        meta,
        fs::read_to_string(full_run().join("metadata.json")).unwrap()
    );
}

#[test]
fn report_holds_summary_charts_measures_and_provenance() {
    let html = fs::read_to_string(full_run().join("report.html")).unwrap();
    for t in [
        "<!DOCTYPE html>",
        "<h2>Summary</h2>",
        "Carbon neutral from",
        "Gross vs 1990",
        "id=\"fig-net_all\"",
        "id=\"fig-emissions_neutral\"",
        "id=\"fig-macc_neutral\"",
        "Wood for district heat",
        "Plant forest on idle fields.",
        "Data provenance",
        // batch/summary.csv: P(target met) and the 5–95 % range of target-year net emissions
        "<th class=\"num\">P(target met)</th>",
        // P(target met) second, and the verdict with it, coloured by its band (10–50 %)
        "<td class=\"num\">35 %</td><td><span class=\"unlikely\">≈ likely missed: met with probability 35 %</span></td>",
        // −5.25 to one decimal: −5.3
        "<td class=\"num\">−5.3 to 12.5</td>",
    ] {
        assert!(html.contains(t), "report.html lacks {t:?}");
    }
    // self-contained: every chart inline, nothing fetched
    assert_eq!(html.matches("<svg ").count(), 16);
    for bad in ["<script", "<link", "<img", "src=", "url(", "@import"] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
}

#[test]
fn plot_of_a_folder_without_results_is_bad_input() {
    let d = scratch("empty");
    cargo_bin_cmd!("kymsim")
        .arg("plot")
        .arg(&d)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("results.csv"))
        .stderr(predicates::str::contains("kymsim run"))
        // no note on unchecked batch files before the real error
        .stderr(predicates::str::contains("note:").not());
}

#[test]
fn an_output_path_through_a_file_is_bad_input_naming_the_file() {
    let d = scratch("through-a-file");
    fs::write(d.join("afile.txt"), "x").unwrap();
    cargo_bin_cmd!("kymsim")
        .args(["run", "-q", "--out"])
        .arg(d.join("afile.txt/sub"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is a file, not a folder"))
        .stderr(predicates::str::contains("afile.txt`"));
}

#[test]
fn plot_rejects_a_bad_size() {
    cargo_bin_cmd!("kymsim")
        .args(["plot", "--size", "100x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("100x"));
}

#[test]
fn a_bad_optional_file_is_located() {
    let d = scratch("badwedges");
    for f in ["results.csv", "summary.csv", "metadata.json"] {
        fs::copy(full_run().join(f), d.join(f)).unwrap();
    }
    fs::write(
        d.join("wedges.csv"),
        "scenario,measure,pillar,year,kt\nneutral,ev_cars,transprt,2030,1\n",
    )
    .unwrap();
    cargo_bin_cmd!("kymsim")
        .arg("plot")
        .arg(&d)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown pillar `transprt`"))
        .stderr(predicates::str::contains("wedges.csv:2:"))
        .stderr(predicates::str::contains("transport"));
}

/// `results.csv` net emissions of a scenario by year.
fn net_by_year(results: &str, scenario: &str) -> BTreeMap<i32, f64> {
    let mut lines = results.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row = lines
        .map(|l| l.split(',').collect::<Vec<&str>>())
        .find(|f| f[1] == scenario && f[3] == "Net Emissions|Kyoto Gases")
        .unwrap();
    header
        .iter()
        .zip(&row)
        .filter_map(|(h, v)| Some((h.parse().ok()?, v.parse().unwrap())))
        .collect()
}

/// The gap in `difference.csv` adds up to the difference of net emissions in `results.csv`.
/// Each number is written with 6 decimals, so the sum of k rows and the two nets may be off by
/// (k + 2) × 5e-7 from the exact values (whose shares add up within 1e-9 relative: unit test
/// `decision::difference::tests`).
fn assert_gap_adds_up(dir: &Path, scenario: &str, reference: &str) {
    let results = fs::read_to_string(dir.join("results.csv")).unwrap();
    let (net, net_ref) = (
        net_by_year(&results, scenario),
        net_by_year(&results, reference),
    );
    let diff = fs::read_to_string(dir.join("difference.csv")).unwrap();
    let mut sums: BTreeMap<i32, (f64, usize)> = BTreeMap::new();
    for l in diff.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if f[0] == scenario {
            assert_eq!(f[1], reference, "{l}");
            let e = sums.entry(f[2].parse().unwrap()).or_default();
            e.0 += f[5].parse::<f64>().unwrap();
            e.1 += 1;
        }
    }
    assert_eq!(sums.len(), net.len(), "a row for every year");
    for (year, (sum, k)) in sums {
        let gap = net_ref[&year] - net[&year];
        assert!(
            (sum - gap).abs() <= (k + 2) as f64 * 5e-7 + 1e-9 * gap.abs(),
            "{scenario} {year}: shares add up to {sum}, the gap is {gap}"
        );
    }
}

#[test]
fn finnish_charts_report_and_the_difference_view() {
    let d = scratch("finnish");
    run(&d, &["--lang", "fi", "--against", "base"]);
    // the tiny region has no Finnish names: its sectors stay in English, the rest is Finnish
    let texts = svg_texts(&fs::read_to_string(d.join("charts/emissions_neutral.svg")).unwrap());
    for want in [
        "Päästöt (kt CO2e vuodessa)",
        "Vuosi",
        "Bruttopäästöt sektoreittain",
        "Transport",
    ] {
        assert!(texts.iter().any(|t| t == want), "{want:?} not in {texts:?}");
    }
    let report = fs::read_to_string(d.join("report.html")).unwrap();
    assert!(report.contains("<html lang=\"fi\">"));
    assert!(report.contains("Yhteenveto") && report.contains("Toimenpiteet"));
    // no tiny scenario reaches net zero: the verdict in the chart subtitles says so in Finnish
    assert!(
        report.contains("ei hiilineutraali tarkastelujakson aikana"),
        "no Finnish verdict"
    );
    // every scenario but the reference against it
    for s in ["electrify", "neutral"] {
        assert!(
            d.join(format!("charts/difference_{s}.svg")).is_file(),
            "{s}"
        );
        assert_gap_adds_up(&d, s, "base");
    }
    assert!(!d.join("charts/difference_base.svg").exists());
    let texts = svg_texts(&fs::read_to_string(d.join("charts/difference_neutral.svg")).unwrap());
    assert!(
        texts
            .iter()
            .any(|t| t == "Tinyland: neutral verrattuna skenaarioon base"),
        "{texts:?}"
    );
    // `plot` draws in the run's language (metadata.json) and gives the same bytes; `--lang en`
    // redraws in English
    let before = files_under(&d);
    cargo_bin_cmd!("kymsim")
        .args(["plot", "--quiet"])
        .arg(&d)
        .assert()
        .success();
    assert!(before == files_under(&d), "plot changed the Finnish files");
    cargo_bin_cmd!("kymsim")
        .args(["plot", "--quiet", "--lang", "en"])
        .arg(&d)
        .assert()
        .success();
    let report = fs::read_to_string(d.join("report.html")).unwrap();
    assert!(report.contains("<html lang=\"en\">") && report.contains("Summary"));
}

#[test]
fn against_none_writes_no_difference_and_a_bad_language_is_refused() {
    let d = scratch("against-none");
    run(&d, &["--against", "none"]);
    assert!(!d.join("difference.csv").exists());
    cargo_bin_cmd!("kymsim")
        .args(["run", "--lang", "sv", "--out"])
        .arg(d.join("x"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "`en` (English) and `fi` (Finnish)",
        ));
}

#[test]
fn default_data_shows_what_the_programme_adds_to_the_baseline() {
    let d = scratch("default-difference");
    cargo_bin_cmd!("kymsim")
        .args([
            "run",
            "--bundled-scenarios",
            "--quiet",
            "--lang",
            "fi",
            "--out",
        ])
        .arg(&d)
        .assert()
        .success();
    assert!(d.join("charts/difference_programme.svg").is_file());
    assert!(d.join("charts/difference_programme.png").is_file());
    assert_gap_adds_up(&d, "programme", "baseline");
    assert_gap_adds_up(&d, "neutral2040", "baseline");
    // 18 measures differ: pillars are the players, each split among its measures (Owen value);
    // the programme's population target is the row of the other settings (it raises emissions)
    let diff = fs::read_to_string(d.join("difference.csv")).unwrap();
    assert!(
        diff.contains("programme,baseline,2040,port_electrification,logistics,"),
        "by measure"
    );
    // neutral2040 differs in more than 12 bioeconomy measures: that pillar stays one row
    assert!(diff.contains("neutral2040,baseline,2040,,bioeconomy,"));
    let other = diff
        .lines()
        .find(|l| l.starts_with("programme,baseline,2040,_other_settings,other,"))
        .expect("the population target's row");
    // contribution_kt, the sixth column
    assert!(other.split(',').nth(5).unwrap().parse::<f64>().unwrap() < 0.0);
    // Finnish names of the data and the scenarios in the charts and the report
    let texts = svg_texts(&fs::read_to_string(d.join("charts/macc_programme.svg")).unwrap());
    assert!(
        texts.iter().any(|t| t == "Öljylämmitys lämpöpumppuihin"),
        "{texts:?}"
    );
    let texts = svg_texts(&fs::read_to_string(d.join("charts/energy_baseline.svg")).unwrap());
    assert!(texts.iter().any(|t| t == "Kaukolämpö"), "{texts:?}");
    let report = fs::read_to_string(d.join("report.html")).unwrap();
    // the Finnish provenance appendix is generated from the data: every source by its
    // Finnish name and the class of its numbers
    for want in [
        "HaminaKotkan sataman sähköistäminen",
        "Liikenne",
        "Perusura",
        "Maakuntaohjelma",
        "<td>Henkilöautot</td><td>Liikenne › Tieliikenne › Henkilöautot</td><td>johdettu</td>",
    ] {
        assert!(report.contains(want), "{want}");
    }
    assert!(!report.contains("Pyhtaa"));
}
