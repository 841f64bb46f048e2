//! The `kymsim serve` page in a real browser: Debian's Chromium driven by Playwright
//! (`tests/browser/serve.mjs`, npm `playwright-core`). A slider moved by keyboard changes the
//! verdict and the net figure to what `kymsim run` gives for the exported scenario; the region's
//! own measures are marked apart from the state's and the EU's, and the own-cost line sums the
//! own measures' costs of the API's attribution; the slider-to-redraw latencies are printed (not
//! asserted: docs/serve.md reports them).
//!
//! Needs `chromium`, `node` and `npm ci` in tests/browser. Without them the test is skipped with
//! a loud message — except under CI (`CI` set), where that is a failure.

mod common;
mod serve_common;

use std::path::Path;
use std::process::Command;

use kymsim::output::fmt_num;
use serve_common::{Served, export_to, run_file, scratch};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[test]
fn a_slider_moved_by_keyboard_redraws_the_verdict_as_kymsim_run_computes_it() {
    if let Some(why) = common::browser_missing() {
        let msg = format!("the serve page was NOT checked in a browser: {why}");
        if std::env::var_os("CI").is_some() {
            panic!("{msg}");
        }
        eprintln!("\n!!!!!!!!!!!!!!!!!!!!\nSKIPPED: {msg}\n!!!!!!!!!!!!!!!!!!!!\n");
        return;
    }
    let s = Served::start(&["--bundled-scenarios"]);
    let dir = scratch("serve-browser");
    let shots = std::env::var_os("KYMSIM_SCREENSHOTS");
    let mut cmd = Command::new("node");
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser"))
        .arg("serve.mjs")
        .arg(&s.url);
    if let Some(d) = &shots {
        cmd.arg(d);
    }
    let output = cmd.output().expect("node starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser script failed:\n{stderr}"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let got: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("no JSON from the script ({e}):\n{stdout}\n{stderr}"));

    assert_eq!(got["consoleErrors"], serde_json::json!([]), "{got}");
    // nothing but the server itself was asked for anything
    for r in got["requests"].as_array().unwrap() {
        assert!(
            r.as_str().unwrap().starts_with(&s.url),
            "request elsewhere: {r}"
        );
    }
    // Tab leads from the measure's reset button to its slider, which the keys then moved
    assert_eq!(got["tabbed"], "v-forest_carbon_management");
    // the slider is labelled by its measure's name for screen readers
    assert_eq!(got["label"]["name"], "Forest carbon management");

    // neutral2040 misses the target as written (its land is a net source); forest carbon
    // management on 40 % of the forest instead of 30 % lowers net emissions, still missed
    let before = &got["before"];
    let after = &got["after"];
    assert_eq!(before["met"], false, "{got}");
    assert_eq!(before["verdict"], "Target 2040 missed");
    assert_eq!(after["met"], false, "{got}");
    assert_eq!(after["verdict"], "Target 2040 missed");
    assert!(
        after["net"].as_f64().unwrap() < before["net"].as_f64().unwrap(),
        "{got}"
    );

    // the page's figures are those of `kymsim run` of the exported settings
    let settings = &after["request"];
    assert!(
        settings["overrides"]["forest_carbon_management"]["value"].is_number(),
        "{settings}"
    );
    let file = export_to(&s, settings, &dir);
    let row = run_file(&file, &dir.join("out"));
    let net = after["net"].as_f64().unwrap();
    assert_eq!(fmt_num(net), row["net_kt"]);
    assert_eq!(row["target_met"], "false");
    // shown with one decimal, thousands grouped
    let shown = format!("{net:.1}");
    assert_eq!(
        after["netText"]
            .as_str()
            .unwrap()
            .replace([',', '\u{2212}'], "")
            .replace('-', ""),
        format!("{} kt", shown.trim_start_matches('-'))
    );
    assert_eq!(
        after["neutrality"].as_str().unwrap(),
        if row["neutrality_year"].is_empty() {
            "never"
        } else {
            &row["neutrality_year"]
        }
    );

    assert_owners_marked(&s, &got);

    // uncertainty on demand, and Finnish
    assert!(
        got["batch"].as_str().unwrap().contains("10,000 samples"),
        "{got}"
    );
    assert_eq!(got["fiLang"], "fi");
    assert_eq!(got["fi"]["verdict"], "Tavoite 2040 jää saavuttamatta");
    assert_eq!(got["fi"]["net"], after["net"]);

    // where the time goes: the request (server and HTTP), drawing, the frame after it
    let phase = |k: &str| {
        let mut v: Vec<f64> = got["phases"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p[k].as_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        percentile(&v, 0.5)
    };
    eprintln!(
        "medians: request {:.1} ms, drawing {:.1} ms, to the next frame {:.1} ms",
        phase("request"),
        phase("draw"),
        phase("frame")
    );
    let mut lat: Vec<f64> = got["latencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    assert!(lat.len() >= 41, "one redraw per key press: {got}");
    lat.sort_by(f64::total_cmp);
    eprintln!(
        "slider-to-redraw latency over {} key presses (this build): median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.95),
        lat[lat.len() - 1]
    );
}

/// Whether the region itself (its council or municipalities) takes a measure of the listing: one
/// whose `owner` is not `national` or `eu` (none given counts as the region's, as in the report).
fn own(m: &serde_json::Value) -> bool {
    !matches!(m["owner"].as_str(), Some("national" | "eu"))
}

/// The page's own-cost line equals the sum of the own measures' annual costs in the API's
/// attribution of the same settings, and the state's and the EU's measures are marked as such in
/// the measure list and in the bars (in English and in Finnish).
fn assert_owners_marked(s: &Served, got: &serde_json::Value) {
    let (status, cat) = s.get("/api/scenarios");
    assert_eq!(status, 200);
    let listed = cat["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "neutral2040")
        .unwrap()["measures"]
        .as_array()
        .unwrap()
        .clone();
    let owner_of = |id: &str| {
        listed
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("no measure {id} in the listing"))
    };
    let mut settings = got["after"]["request"].clone();
    settings["attribution"] = serde_json::json!(true);
    let (status, ev) = s.post("/api/evaluate", &settings);
    assert_eq!(status, 200, "{ev}");
    let wedges = ev["attribution"]["measures"].as_array().unwrap();
    // summed in the attribution's order, as the page sums them
    let mut own_meur = 0.0;
    let mut all_meur = 0.0;
    for w in wedges {
        let meur = w["annual_cost_meur"].as_f64().unwrap_or(0.0);
        all_meur += meur;
        if own(owner_of(w["id"].as_str().unwrap())) {
            own_meur += meur;
        }
    }
    let owners = &got["owners"];
    // within a few ulps: serde_json's float parsing is not always correctly rounded
    let shown = owners["ownCost"]["value"].as_f64().unwrap();
    assert!((shown - own_meur).abs() < 1e-9, "{own_meur} vs {owners}");
    assert_eq!(
        owners["ownCost"]["text"]
            .as_str()
            .unwrap()
            .replace(',', "")
            .replace('\u{2212}', "-"),
        format!("{own_meur:.1} M€/yr")
    );
    // the state and the EU pay for part of neutral2040's costed measures
    assert!(own_meur < all_meur, "own {own_meur} of {all_meur} M€/yr");
    // the line above it: the total of the cost curve, as `kymsim run` prints it
    let total = ev["attribution"]["annual_cost_meur"].as_f64().unwrap();
    assert_eq!(
        owners["annualCost"].as_str().unwrap().replace(',', ""),
        format!("{total:.1} M€/yr")
    );

    for (lang, words) in [("owners", "state/EU"), ("fiOwners", "valtio/EU")] {
        let shown = &got[lang];
        let rows = shown["measures"].as_array().unwrap();
        assert_eq!(rows.len(), listed.len(), "{lang}: one row per measure");
        let mut marked = 0;
        for r in rows {
            let m = owner_of(r["id"].as_str().unwrap());
            assert_eq!(r["owner"], m["owner"].as_str().unwrap_or(""), "{lang}: {r}");
            if own(m) {
                assert_eq!(r["marked"], false, "{lang}: {r}");
                assert_eq!(r["tag"], serde_json::Value::Null, "{lang}: {r}");
            } else {
                assert_eq!(r["marked"], true, "{lang}: {r}");
                assert_eq!(r["tag"], words, "{lang}: {r}");
                marked += 1;
            }
        }
        assert!(marked > 0, "{lang}: no state or EU measure in neutral2040");
        let bars = shown["bars"].as_array().unwrap();
        assert!(!bars.is_empty(), "{lang}: no bars drawn");
        let mut pale = 0;
        for b in bars {
            let m = owner_of(b["id"].as_str().unwrap());
            let label = b["label"].as_str().unwrap();
            let suffix = format!("({words})");
            assert_eq!(b["stateEu"], !own(m), "{lang}: {b}");
            assert_eq!(label.ends_with(&suffix), !own(m), "{lang}: {b}");
            pale += usize::from(!own(m));
        }
        assert!(
            pale > 0,
            "{lang}: no state or EU measure among the bars: {bars:?}"
        );
    }
}
