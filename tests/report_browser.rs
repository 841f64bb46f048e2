//! `report.html` opens in headless Chromium with no console errors and renders a non-empty page.
//!
//! Needs Debian's `chromium` package. Without it the test is skipped with a loud message —
//! except under CI (`CI` set), where a missing browser is a failure.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn copy_csvs(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            copy_csvs(&p, &to.join(p.file_name().unwrap()));
        } else if p.extension().is_some_and(|x| x == "csv") {
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// Chromium, or None when it is missing outside CI (said loudly); under CI a missing browser
/// fails the test.
fn chromium_or_skip() -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        let msg = "chromium is not installed: report.html was NOT checked in a browser \
                   (apt-get install -y chromium)";
        if std::env::var_os("CI").is_some() {
            panic!("{msg}");
        }
        eprintln!("\n!!!!!!!!!!!!!!!!!!!!\nSKIPPED: {msg}\n!!!!!!!!!!!!!!!!!!!!\n");
    }
    found
}

/// Opens `page` in headless Chromium (a fresh profile under `base`) with `extra` arguments,
/// waits up to 120 s, asserts success and returns its stderr. With `--dump-dom`, the rendered
/// DOM is written to `base/dom.html`.
fn chromium_run(chromium: &Path, base: &Path, page: &Path, extra: &[&str]) -> String {
    let profile = base.join("profile");
    fs::create_dir_all(&profile).unwrap();
    let log = base.join("chromium.log");
    let dom = base.join("dom.html");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,2000",
        ])
        .args(extra)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&dom).unwrap())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stderr = fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "chromium failed ({status}):\n{stderr}");
    stderr
}

/// The text of a rendered DOM: tags removed, the entities kymsim writes decoded.
fn dom_text(dom: &str) -> String {
    let mut out = String::with_capacity(dom.len());
    let mut in_tag = false;
    for c in dom.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn report_opens_in_headless_chromium_without_console_errors() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let _ = fs::remove_dir_all(&base);
    let out = base.join("out");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    copy_csvs(&fixtures.join("charts/extra"), &out);
    common::record_derived_inputs(
        &out,
        &fixtures.join("tiny"),
        &fixtures.join("charts/scenarios"),
    );
    cargo_bin_cmd!("kymsim")
        .arg("run")
        .arg("--data")
        .arg(fixtures.join("tiny"))
        .arg("--scenarios")
        .arg(fixtures.join("charts/scenarios"))
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .success();
    let report = fs::canonicalize(out.join("report.html")).unwrap();
    let shot = base.join("screenshot.png");
    let stderr = chromium_run(
        &chromium,
        &base,
        &report,
        &[&format!("--screenshot={}", shot.display())],
    );
    for bad in ["Uncaught", "ERROR:CONSOLE"] {
        assert!(
            !stderr.contains(bad),
            "console error ({bad}) in report.html:\n{stderr}"
        );
    }
    let bytes = fs::read(&shot).expect("chromium wrote a screenshot");
    let mut dec = png::Decoder::new(std::io::Cursor::new(&bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1400, 2000));
    let channels = info.color_type.samples();
    let inked = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .filter(|p| p[..3].iter().any(|&c| c < 160))
        .count();
    let pixels = (info.width * info.height) as usize;
    assert!(
        inked * 100 > pixels,
        "the screenshot is nearly blank: {inked} of {pixels} pixels have ink"
    );
}

#[test]
fn finnish_report_renders_finnish_text_and_measure_names_in_chromium() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser-fi");
    let _ = fs::remove_dir_all(&base);
    let out = base.join("out");
    cargo_bin_cmd!("kymsim")
        .args([
            "run",
            "--bundled-scenarios",
            "--lang",
            "fi",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let report = fs::canonicalize(out.join("report.html")).unwrap();
    // the DOM as Chromium rendered it, and a screenshot to look at
    chromium_run(&chromium, &base, &report, &["--dump-dom"]);
    let dom = fs::read_to_string(base.join("dom.html")).unwrap();
    assert!(
        dom.contains("<html lang=\"fi\">"),
        "{}",
        &dom[..dom.len().min(300)]
    );
    let text = dom_text(&dom);
    for want in [
        "hiilineutraali",
        "Hiilineutraali vuodesta",
        // the verdict says it is the answer at central values (no batch here)
        "ei saavuteta keskiarvioilla",
        "Nettopäästöt",
        "Toimenpiteet",
        "Vuosikustannus (M€/v)",
        "HaminaKotkan sataman sähköistäminen",
        "Öljylämmitys lämpöpumppuihin",
        // the Finnish provenance appendix, generated from the data
        "Henkilöautot",
    ] {
        assert!(
            text.contains(want),
            "the rendered Finnish report lacks {want:?}"
        );
    }
    // the MACC figure's SVG, as rendered, names the measures
    let macc = dom
        .split("id=\"fig-macc_programme\"")
        .nth(1)
        .and_then(|rest| rest.split("</figure>").next())
        .expect("the programme's MACC figure");
    let macc_text = dom_text(macc);
    for want in ["Öljylämmitys lämpöpumppuihin", "Turve pois kaukolämmöstä"] {
        assert!(macc_text.contains(want), "the MACC SVG lacks {want:?}");
    }
    let shot = base.join("report-fi.png");
    chromium_run(
        &chromium,
        &base,
        &report,
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(fs::metadata(&shot).unwrap().len() > 10_000, "a screenshot");
}
