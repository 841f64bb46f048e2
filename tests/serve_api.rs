//! `kymsim serve`'s JSON API over real HTTP: the scenario listing, evaluations that equal
//! `kymsim run` of the exported scenario, 400s that name the field (the physical-potential check
//! included), bounds, loopback default.

mod serve_common;

use kymsim::output::fmt_num;
use serde_json::json;
use serve_common::{Served, csv_rows, export_to, run_file, scratch};

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn scenarios_lists_every_scenario_with_its_measures() {
    let s = Served::start(&["--bundled-scenarios"]);
    let (status, cat) = s.get("/api/scenarios");
    assert_eq!(status, 200);
    let names: Vec<&str> = cat["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["baseline", "neutral2040", "programme"]);
    assert_eq!(cat["reference"], "baseline");
    assert_eq!(cat["default"], "programme");
    assert_eq!(cat["target"]["year"], 2040);
    assert_eq!(cat["years"].as_array().unwrap().len(), 30);

    // the same measures as the library compiles, in the same order
    let region = kymsim::data::load_region(&kymsim::data::DataSource::Embedded).unwrap();
    let sc = kymsim::scenario::ScenarioLibrary::bundled()
        .resolve("programme")
        .unwrap();
    let model = kymsim::model::compile(&region, &sc).unwrap();
    let programme = &cat["scenarios"][2];
    let measures = programme["measures"].as_array().unwrap();
    let ids: Vec<&str> = measures.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = model.measures.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, expected);

    // scenarios/programme.toml: triangular 0.4 / 0.6 / 0.8, linear 2023 → 2035, 60 €/t
    let port = measures
        .iter()
        .find(|m| m["id"] == "port_electrification")
        .unwrap();
    assert_eq!(port["name"], "HaminaKotka port electrification");
    assert_eq!(port["name_fi"], "HaminaKotkan sataman sähköistäminen");
    // carriers.csv: the names the page shows for a switch's `from` and `to`
    assert_eq!(cat["carriers"]["diesel"]["name"], "Diesel");
    assert_eq!(cat["carriers"]["electricity"]["name_fi"], "Sähkö");
    assert_eq!(port["pillar"], "logistics");
    assert_eq!(port["kind"], "fuel_switch");
    assert_eq!(port["from"], "diesel");
    assert_eq!(port["to"], "electricity");
    assert_eq!(port["unit"], "fraction");
    assert_eq!(num(&port["value"]), 0.6);
    assert_eq!(port["range"], json!([0.0, 1.0]));
    assert_eq!(port["distribution"]["dist"], "triangular");
    // triangular(0.4, 0.6, 0.8): p5 = 0.4 + sqrt(0.05 · 0.4 · 0.2) = 0.4632…
    assert!(
        (num(&port["distribution"]["p5"]) - (0.4 + (0.05f64 * 0.4 * 0.2).sqrt())).abs() < 1e-12
    );
    assert_eq!(port["adoption"]["curve"], "linear");
    assert_eq!(port["adoption"]["start"], 2023);
    assert_eq!(num(&port["adoption"]["full"]), 2035.0);
    assert_eq!(num(&port["cost_eur_per_t"]), 60.0);
    // a table adoption has no completion year to move
    let shore = measures.iter().find(|m| m["id"] == "shore_power").unwrap();
    assert_eq!(shore["adoption"]["curve"], "table");
    assert_eq!(shore["adoption"]["full"], serde_json::Value::Null);

    // the listed central figures are those of `kymsim run`
    let out = scratch("serve-api-listing");
    let row = run_file(std::path::Path::new("programme"), &out);
    assert_eq!(fmt_num(num(&programme["summary"]["net_kt"])), row["net_kt"]);
    assert_eq!(
        programme["summary"]["target_met"]
            .as_bool()
            .unwrap()
            .to_string(),
        row["target_met"]
    );
}

/// Evaluates `settings`, exports them, runs the export and compares the figures.
fn assert_evaluate_equals_run(
    s: &Served,
    settings: serde_json::Value,
    tag: &str,
) -> serde_json::Value {
    let (status, ev) = s.post("/api/evaluate", &settings);
    assert_eq!(status, 200, "{ev}");
    let dir = scratch(&format!("serve-api-{tag}"));
    let file = export_to(s, &settings, &dir);
    let row = run_file(&file, &dir.join("out"));
    let sum = &ev["summary"];
    for col in [
        "gross_kt",
        "removals_kt",
        "net_kt",
        "cumulative_net_kt",
        "reduction_vs_reference",
    ] {
        assert_eq!(fmt_num(num(&sum[col])), row[col], "{tag}: {col}");
    }
    assert_eq!(
        sum["target_met"].as_bool().unwrap().to_string(),
        row["target_met"],
        "{tag}"
    );
    assert_eq!(
        sum["neutrality_year"]
            .as_i64()
            .map_or(String::new(), |y| y.to_string()),
        row["neutrality_year"],
        "{tag}"
    );
    assert_eq!(
        sum["milestone_2030"].as_bool().unwrap().to_string(),
        row["milestone_2030"]
    );
    // every year of net emissions, as results.csv writes them
    let results = csv_rows(&dir.join("out/results.csv"));
    let net = results
        .iter()
        .find(|r| r["variable"] == "Net Emissions|Kyoto Gases")
        .unwrap();
    for (i, y) in (2021..=2050).enumerate() {
        assert_eq!(
            fmt_num(num(&ev["series"]["net_kt"][i])),
            net[&y.to_string()],
            "{tag} {y}"
        );
    }
    ev
}

#[test]
fn evaluate_equals_kymsim_run_of_the_exported_scenario() {
    let s = Served::start(&["--bundled-scenarios"]);
    // values and completion years moved, one of them a distribution fixed at a new value
    let ev = assert_evaluate_equals_run(
        &s,
        json!({"scenario": "programme", "overrides": {
            "port_electrification": {"value": 0.9, "full": 2030},
            "rail_freight_shift": {"value": 0.15},
            "remote_work": {"full": 2045.5}
        }}),
        "programme",
    );
    assert_eq!(ev["summary"]["target_met"], false);
    // sectors carry their Finnish names (sources.csv `sector_fi`: Transport → Liikenne)
    let transport = ev["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Transport")
        .expect("a Transport sector");
    assert_eq!(transport["name_fi"], "Liikenne");
    // neutral2040 with 330 kt of biochar meets the target (net 297.5 − 310 = −12.5 kt at
    // central values); without its forest carbon management (≈ 39 kt) it does not
    let (_, base) = s.post(
        "/api/evaluate",
        &json!({"scenario": "neutral2040", "overrides": {"biochar": {"value": 330}}}),
    );
    assert_eq!(base["summary"]["target_met"], true);
    let ev = assert_evaluate_equals_run(
        &s,
        json!({"scenario": "neutral2040", "overrides": {
            "biochar": {"value": 330},
            "forest_carbon_management": {"value": 0.0},
            "industry_electrification": {"value": 0.61}
        }}),
        "neutral2040",
    );
    assert_eq!(ev["summary"]["target_met"], false);
    assert!(num(&ev["summary"]["net_kt"]) > num(&base["summary"]["net_kt"]));
}

#[test]
fn attribution_equals_the_wedges_of_kymsim_run() {
    let s = Served::start(&["--bundled-scenarios"]);
    // baseline has 14 measures: exact Shapley values
    let settings = json!({"scenario": "baseline", "attribution": true,
        "overrides": {"ev_cars_gasoline": {"value": 0.9}}});
    let (status, ev) = s.post("/api/evaluate", &settings);
    assert_eq!(status, 200, "{ev}");
    let a = &ev["attribution"];
    assert_eq!(a["method"], "exact");
    let dir = scratch("serve-api-wedges");
    let file = export_to(&s, &settings, &dir);
    run_file(&file, &dir.join("out"));
    let wedges = csv_rows(&dir.join("out/wedges.csv"));
    let measures = a["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 14);
    for m in measures {
        let id = m["id"].as_str().unwrap();
        for (i, y) in (2021..=2050).enumerate() {
            let row = wedges
                .iter()
                .find(|r| r["measure"] == id && r["year"] == y.to_string())
                .unwrap();
            assert_eq!(fmt_num(num(&m["kt"][i])), row["kt"], "{id} {y}");
        }
    }
    // efficiency: the wedges add up to the counterfactual minus the scenario (2040: index 19)
    let total: f64 = measures.iter().map(|m| num(&m["kt"][19])).sum();
    let whole = num(&a["counterfactual_net_kt"][19]) - num(&ev["series"]["net_kt"][19]);
    assert!((total - whole).abs() < 1e-9, "{total} vs {whole}");
}

#[test]
fn batch_gives_what_kymsim_batch_gives_for_the_export() {
    let s = Served::start(&["--bundled-scenarios"]);
    // with 320 kt of biochar neutral2040's net 2040 straddles zero: 0 < P(target met) < 1
    let settings = json!({"scenario": "neutral2040", "samples": 1000,
        "overrides": {"biochar": {"value": 320}}});
    let (status, b) = s.post("/api/batch", &settings);
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["samples"], 1000);
    assert_eq!(b["seed"], 2040);
    let dir = scratch("serve-api-batch");
    let file = export_to(&s, &settings, &dir);
    let out = dir.join("out");
    let ok = std::process::Command::new(env!("CARGO_BIN_EXE_kymsim"))
        .args([
            "batch",
            "--bundled-scenarios",
            "-n",
            "1000",
            "--seed",
            "2040",
            "-q",
            "--out",
        ])
        .arg(&out)
        .arg(&file)
        .status()
        .unwrap();
    assert!(ok.success());
    let row = &csv_rows(&out.join("batch/summary.csv"))[0];
    for col in [
        "p_target_met",
        "p_gross_met",
        "p_net_zero_met",
        "net_kt_p5",
        "net_kt_p50",
        "net_kt_p95",
        "p_never",
    ] {
        assert_eq!(fmt_num(num(&b[col])), row[col], "{col}");
    }
    assert!(num(&b["p_target_met"]) > 0.0 && num(&b["p_target_met"]) < 1.0);
    // the fan brackets the median, year by year
    for i in 0..30 {
        assert!(num(&b["fan"]["p5"][i]) <= num(&b["fan"]["p50"][i]));
        assert!(num(&b["fan"]["p50"][i]) <= num(&b["fan"]["p95"][i]));
    }
}

/// (endpoint, what, body, status, field, a part of the message).
type BadCase = (
    &'static str,
    &'static str,
    &'static [u8],
    u16,
    &'static str,
    &'static str,
);

#[test]
fn bad_requests_get_400_naming_the_field_and_the_server_stays_up() {
    let s = Served::start(&["--bundled-scenarios"]);
    let cases: [BadCase; 13] = [
        ("evaluate", "not JSON", b"{scenario", 400, "body", "key must be a string"),
        ("evaluate", "empty", b"", 400, "body", "EOF"),
        ("evaluate", "unknown scenario", br#"{"scenario": "programm"}"#, 400, "scenario", "did you mean `programme`"),
        ("evaluate", "unknown measure", br#"{"scenario": "programme", "overrides": {"ev_car": {"value": 0.5}}}"#, 400, "overrides.ev_car", "no measure `ev_car`"),
        ("evaluate", "above the range", br#"{"scenario": "programme", "overrides": {"port_electrification": {"value": 1.5}}}"#, 400, "overrides.port_electrification.value", "outside the measure's range 0–1"),
        ("evaluate", "below the range", br#"{"scenario": "neutral2040", "overrides": {"biochar": {"value": -1}}}"#, 400, "overrides.biochar.value", "outside the measure's range 0–1000000"),
        ("evaluate", "not a number", br#"{"scenario": "programme", "overrides": {"port_electrification": {"value": "high"}}}"#, 400, "overrides.port_electrification.value", "invalid type"),
        ("evaluate", "full before start", br#"{"scenario": "programme", "overrides": {"port_electrification": {"full": 2023}}}"#, 400, "overrides.port_electrification.full", "after 2023"),
        ("evaluate", "full of a table", br#"{"scenario": "programme", "overrides": {"shore_power": {"full": 2030}}}"#, 400, "overrides.shore_power.full", "table adoption"),
        ("evaluate", "unknown field", br#"{"scenario": "programme", "override": {}}"#, 400, "override", "unknown field `override`"),
        ("export", "bad name", br#"{"scenario": "programme", "name": "My Plan"}"#, 400, "name", "not a scenario name"),
        ("export", "name taken", br#"{"scenario": "programme", "name": "baseline"}"#, 400, "name", "already a scenario"),
        ("batch", "too many samples", br#"{"scenario": "programme", "samples": 100000000}"#, 400, "samples", "outside 100–100000"),
    ];
    for (endpoint, what, body, code, field, message) in cases {
        let (status, _, text) = s.request("POST", &format!("/api/{endpoint}"), body);
        assert_eq!(status, code, "{what}: {text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["field"], field, "{what}: {text}");
        let error = v["error"].as_str().unwrap();
        assert!(error.starts_with(&format!("{field}: ")), "{what}: {error}");
        assert!(error.contains(message), "{what}: {error}");
    }
    // a body over 64 KiB is refused before it is parsed
    let big = vec![b' '; 70 * 1024];
    let (status, _, text) = s.request("POST", "/api/evaluate", &big);
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("larger than 64 KiB"), "{text}");
    // wrong method and unknown path answer JSON too
    let (status, v) = s.get("/api/evaluate");
    assert_eq!(status, 405);
    assert!(v["error"].as_str().unwrap().contains("GET is not allowed"));
    let (status, _) = s.get("/api/nothing");
    assert_eq!(status, 404);
    // still serving
    let (status, ev) = s.post("/api/evaluate", &json!({"scenario": "programme"}));
    assert_eq!(status, 200);
    assert_eq!(ev["summary"]["target_met"], false);
}

#[test]
fn overrides_that_claim_more_than_there_is_are_refused_as_kymsim_run_refuses_the_export() {
    // two cuts in the tiny dataset's forest hectares (40 % + 50 %), each with an uncertain
    // completion year; moving the second to 70 % claims 110 % of the hectares
    let dir = scratch("serve-api-potential");
    let scenarios = dir.join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    let cut = |id: &str, v: &str| {
        format!(
            "[[measures]]\nid = \"{id}\"\npillar = \"other\"\nkind = \"activity\"\ntargets = [\"lulucf.forest\"]\nvalue = {v}\nadoption = {{ curve = \"linear\", start = 2022, full = {{ dist = \"uniform\", min = 2028, max = 2032 }} }}\n"
        )
    };
    std::fs::write(
        scenarios.join("forest.toml"),
        format!(
            "name = \"forest\"\ndescription = \"two cuts\"\n\n{}\n{}",
            cut("a", "0.4"),
            cut("b", "0.5")
        ),
    )
    .unwrap();
    let tiny = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny");
    let s = Served::start(&["--data", tiny, "--scenarios", scenarios.to_str().unwrap()]);
    let bad = json!({"scenario": "forest", "overrides": {"b": {"value": 0.7}}});
    let (status, v) = s.post("/api/evaluate", &bad);
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["field"], "overrides", "{v}");
    let error = v["error"].as_str().unwrap();
    assert!(
        error.starts_with(
            "overrides: measures claim 110 % of the hectares of lulucf.forest at their upper values (`a` 40 % + `b` 70 %): more than there is"
        ),
        "{error}"
    );
    let (status, b) = s.post(
        "/api/batch",
        &json!({"scenario": "forest", "samples": 100, "overrides": {"b": {"value": 0.7}}}),
    );
    assert_eq!(status, 400, "{b}");
    assert_eq!(b["error"], v["error"]);
    // `kymsim run` of the exported settings refuses them with the same words
    let file = export_to(&s, &bad, &dir);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_kymsim"))
        .args(["run", "--data", tiny, "--scenarios"])
        .arg(&scenarios)
        .args(["--no-charts", "--quiet", "--out"])
        .arg(dir.join("out"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("measures claim 110 % of the hectares of lulucf.forest at their upper values (`a` 40 % + `b` 70 %): more than there is"),
        "{stderr}"
    );
    // within the potential, and a completion year moved: as `kymsim run` of the export
    let ok = json!({"scenario": "forest", "overrides": {"b": {"value": 0.6, "full": 2030.5}}});
    let (status, ev) = s.post("/api/evaluate", &ok);
    assert_eq!(status, 200, "{ev}");
    let file = export_to(&s, &ok, &dir);
    let out = dir.join("out-ok");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_kymsim"))
        .args(["run", "--data", tiny, "--scenarios"])
        .arg(&scenarios)
        .args(["--no-charts", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .status()
        .unwrap();
    assert!(run.success());
    let row = &csv_rows(&out.join("summary.csv"))[0];
    assert_eq!(fmt_num(num(&ev["summary"]["net_kt"])), row["net_kt"]);
    assert_eq!(
        fmt_num(num(&ev["summary"]["cumulative_net_kt"])),
        row["cumulative_net_kt"]
    );
}

#[test]
fn batches_are_rate_limited() {
    let s = Served::start(&["--bundled-scenarios"]);
    let one = json!({"scenario": "baseline", "samples": 100});
    for i in 0..kymsim::serve::http::BATCHES_PER_MINUTE {
        let (status, v) = s.post("/api/batch", &one);
        assert_eq!(status, 200, "batch {i}: {v}");
    }
    let (status, headers, text) = s.request("POST", "/api/batch", one.to_string().as_bytes());
    assert_eq!(status, 429, "{text}");
    assert!(text.contains("batches a minute"), "{text}");
    assert!(headers.contains_key("retry-after"));
    // evaluations are not limited
    let (status, _) = s.post("/api/evaluate", &json!({"scenario": "baseline"}));
    assert_eq!(status, 200);
}

#[test]
fn listens_on_loopback_by_default_and_serves_the_page() {
    let s = Served::start(&["--bundled-scenarios"]);
    assert!(s.url.starts_with("http://127.0.0.1:"), "{}", s.url);
    let (status, headers, page) = s.request("GET", "/", b"");
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(headers["content-security-policy"].contains("default-src 'none'"));
    assert!(page.contains("<script src=\"/app.js\" defer></script>"));
    // no resource from elsewhere: every src and href is local
    for attr in ["src=\"", "href=\""] {
        for part in page.split(attr).skip(1) {
            assert!(
                part.starts_with('/') || part.starts_with('#'),
                "{attr}{part}"
            );
        }
    }
    // a request naming another host (DNS rebinding) is refused
    let mut tcp = std::net::TcpStream::connect(&s.addr).unwrap();
    use std::io::{Read, Write};
    tcp.write_all(
        b"GET /api/scenarios HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    let _ = tcp.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(
        answer.contains("is not this server's loopback address"),
        "{answer}"
    );
    let (status, headers, js) = s.request("GET", "/app.js", b"");
    assert_eq!(status, 200);
    assert!(headers["content-type"].starts_with("text/javascript"));
    assert!(js.contains("/api/evaluate"));
}

#[test]
fn one_batch_at_a_time_and_sliders_answer_meanwhile() {
    let s = Served::start(&["--bundled-scenarios"]);
    let long = std::thread::spawn({
        let s2 = Served::attach(&s.url);
        move || loop {
            // a probe below may hold the flag for a moment: ask again then
            let (status, v) = s2.post(
                "/api/batch",
                &json!({"scenario": "neutral2040", "samples": 100000}),
            );
            if status != 429 {
                return (status, v);
            }
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    // while it runs, another batch is refused (this small probe runs if it is let in: a bad
    // request would be answered 400 before the running batch is looked at) and evaluations are
    // answered
    let mut refused = None;
    for _ in 0..10 {
        let (status, v) = s.post(
            "/api/batch",
            &json!({"scenario": "baseline", "samples": 100}),
        );
        if status == 429 {
            refused = Some(v);
            let (status, ev) = s.post("/api/evaluate", &json!({"scenario": "programme"}));
            assert_eq!(status, 200, "{ev}");
            break;
        }
        assert_eq!(status, 200, "{v}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (status, v) = long.join().unwrap();
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["samples"], 100000);
    let refused = refused.expect("a second batch was refused while the first ran");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("already running"),
        "{refused}"
    );
}

#[test]
fn sigterm_stops_the_server_with_exit_code_0() {
    let s = Served::start(&["--bundled-scenarios"]);
    let (status, _) = s.get("/api/scenarios");
    assert_eq!(status, 200);
    assert_eq!(s.terminate(), Some(0));
}
