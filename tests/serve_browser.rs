//! The `kymsim serve` page in a real browser: Debian's Chromium driven by Playwright
//! (`tests/browser/serve.mjs`, npm `playwright-core`). A slider moved by keyboard changes the
//! verdict and the net figure to what `kymsim run` gives for the exported scenario; the
//! slider-to-redraw latencies are printed (not asserted: docs/serve.md reports them).
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
