//! Helpers of the `kymsim serve` tests: start the server on a free port, talk HTTP/1.1 to it,
//! and run `kymsim run` on an exported scenario.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `kymsim serve`, stopped when dropped (unless only attached to).
pub struct Served {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Served {
    /// Starts `kymsim serve --port 0 ARGS…` and reads the URL it prints.
    pub fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kymsim"))
            .args(["serve", "--port", "0", "--quiet"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("kymsim serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("kymsim serve prints its URL");
        let url = line
            .trim()
            .strip_prefix("kymsim serve: ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Served {
            child: Some(child),
            url,
            addr,
        }
    }

    /// A second handle on a server another handle started (for other threads).
    pub fn attach(url: &str) -> Served {
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Served {
            child: None,
            url: url.to_string(),
            addr,
        }
    }

    /// Sends SIGTERM and waits (at most 30 s) for the server to end; returns its exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let mut child = self.child.take().expect("a server this handle started");
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        for _ in 0..300 {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        panic!("the server did not stop within 30 s of SIGTERM");
    }

    /// Sends one request; returns (status, headers in lower case, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> (u16, HashMap<String, String>, String) {
        let mut s = TcpStream::connect(&self.addr).expect("connects to the server");
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        // a server may answer (413) before reading a large body and close: ignore the write error
        let _ = s.write_all(body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let text = String::from_utf8(raw).expect("UTF-8 answer");
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .expect("a status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
            .collect();
        (status, headers, body.to_string())
    }

    /// POSTs JSON; returns (status, parsed answer).
    pub fn post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let (status, _, text) = self.request("POST", path, body.to_string().as_bytes());
        let v = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path} answered no JSON ({e}): {text}"));
        (status, v)
    }

    /// GETs JSON.
    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, _, text) = self.request("GET", path, b"");
        let v = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path} answered no JSON ({e}): {text}"));
        (status, v)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A fresh folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Exports `settings` through the API and writes the file into `dir`; returns its path.
pub fn export_to(server: &Served, settings: &serde_json::Value, dir: &Path) -> PathBuf {
    let (status, headers, toml) =
        server.request("POST", "/api/export", settings.to_string().as_bytes());
    assert_eq!(status, 200, "{toml}");
    let name = headers["content-disposition"]
        .split("filename=\"")
        .nth(1)
        .and_then(|s| s.strip_suffix('"'))
        .expect("a file name")
        .to_string();
    let path = dir.join(name);
    std::fs::write(&path, toml).unwrap();
    path
}

/// `kymsim run --bundled-scenarios FILE --no-charts` into `out`; returns summary.csv's row as
/// column → text.
pub fn run_file(file: &Path, out: &Path) -> HashMap<String, String> {
    let status = Command::new(env!("CARGO_BIN_EXE_kymsim"))
        .args([
            "run",
            "--bundled-scenarios",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(out)
        .arg(file)
        .status()
        .expect("kymsim run starts");
    assert!(status.success(), "kymsim run {} failed", file.display());
    csv_rows(&out.join("summary.csv")).remove(0)
}

/// A CSV file's rows as column → text.
pub fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}
