//! The structure `docs/architecture.md` promises, checked on the source files: modules use only
//! modules on lower floors (the "Layers" table), the files of one module use each other
//! without circles, nothing below `cli` prints, no `cli` file grows over 350 lines and no
//! function over 200.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A source file's code: without its unit-test module (`#[cfg(test)]` then `mod …` to the end
/// of the file) and without comments (whole-line `//` comments and trailing ` // …`).
fn code_of(text: &str) -> String {
    let test_module = text.match_indices("#[cfg(test)]\n").find(|(i, m)| {
        let next = &text[i + m.len()..];
        ["mod ", "pub mod ", "pub(crate) mod "]
            .iter()
            .any(|p| next.starts_with(p))
    });
    let text = match test_module {
        Some((i, _)) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.split(" // ").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first identifier of `s`.
fn ident(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The paths that follow `prefix` (`crate::`, `super::`) in `code`, as their segments up to
/// `depth`: `crate::a::b::C` gives `["a", "b"]` at depth 2, and `crate::{a::b, c}` gives
/// `["a", "b"]` and `["c"]`. `$crate` (macros) is skipped.
fn paths_after(code: &str, prefix: &str, depth: usize) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices(prefix) {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == ':') {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // the items of a group, split at its top-level commas
            let mut level = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => level += 1,
                    '}' if level == 0 => break,
                    '}' => level -= 1,
                    ',' if level == 0 => {
                        out.push(segments(&item, depth));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            out.push(segments(&item, depth));
        } else {
            out.push(segments(rest, depth));
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// The leading `::`-separated identifiers of `s`, at most `depth`.
fn segments(s: &str, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while out.len() < depth {
        let id = ident(rest);
        if id.is_empty() {
            break;
        }
        out.push(id.to_string());
        match rest[id.len()..].strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    out
}

/// The floors of `docs/architecture.md`'s "Layers" table: module → floor.
fn floors(doc: &str) -> BTreeMap<String, u32> {
    let section = &doc[doc.find("## Layers").expect("a Layers section")..];
    let mut out = BTreeMap::new();
    for line in section.lines().skip(1) {
        if line.starts_with("## ") {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(floor) = cells.get(1).and_then(|c| c.parse::<u32>().ok()) else {
            continue;
        };
        for m in cells[2].split(',') {
            out.insert(m.trim().trim_matches('`').to_string(), floor);
        }
    }
    out
}

/// The top-level module a file under `src/` belongs to (`None` for `lib.rs` and `main.rs`),
/// and its place inside it (`codec` for `src/batch/codec.rs`, `mod` for the module's root).
fn module_of(src: &Path, file: &Path) -> Option<(String, String)> {
    let rel: Vec<String> = file
        .strip_prefix(src)
        .unwrap()
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    match rel.as_slice() {
        [one] if one == "lib" || one == "main" => None,
        [one] => Some((one.clone(), "mod".to_string())),
        [m, rest @ ..] => Some((m.clone(), rest[0].clone())),
        [] => None,
    }
}

/// The imports between top-level modules: (from, to) → the files that make them.
fn module_imports(src: &Path) -> BTreeMap<(String, String), BTreeSet<String>> {
    let modules: BTreeSet<String> = rust_files(src)
        .iter()
        .filter_map(|f| module_of(src, f).map(|m| m.0))
        .collect();
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in rust_files(src) {
        let Some((m, _)) = module_of(src, &f) else {
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        for p in paths_after(&code, "crate::", 1) {
            if p[0] != m && modules.contains(&p[0]) {
                out.entry((m.clone(), p[0].clone()))
                    .or_default()
                    .insert(f.strip_prefix(src).unwrap().display().to_string());
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_modules_on_lower_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let floors = floors(&std::fs::read_to_string(root.join("docs/architecture.md")).unwrap());
    let modules: BTreeSet<String> = rust_files(&src)
        .iter()
        .filter_map(|f| module_of(&src, f).map(|m| m.0))
        .collect();
    let unplaced: Vec<&String> = modules
        .iter()
        .filter(|m| !floors.contains_key(*m))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from the Layers table of docs/architecture.md: {unplaced:?}"
    );
    let stale: Vec<&String> = floors.keys().filter(|m| !modules.contains(*m)).collect();
    assert!(
        stale.is_empty(),
        "the Layers table names no such modules: {stale:?}"
    );
    let imports = module_imports(&src);
    // the house has its rooms connected: a parser that found nothing would pass vacuously
    assert!(imports.len() >= 60, "only {} imports found", imports.len());
    assert!(imports.contains_key(&("data".to_string(), "lang".to_string())));
    let wrong: Vec<String> = imports
        .iter()
        .filter(|((from, to), _)| floors[from] <= floors[to])
        .map(|((from, to), files)| {
            format!(
                "{from} (floor {}) → {to} (floor {}) in {files:?}",
                floors[from], floors[to]
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "imports pointing sideways or up:\n{}",
        wrong.join("\n")
    );
}

/// Whether the graph `edges` has a circle; returns one when it does.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        v: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(v.to_string(), 1);
        path.push(v.to_string());
        for w in edges.get(v).into_iter().flatten() {
            match state.get(w.as_str()) {
                Some(1) => {
                    let at = path.iter().position(|p| p == w).unwrap();
                    let mut c = path[at..].to_vec();
                    c.push(w.clone());
                    return Some(c);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(w, edges, state, path) {
                        return Some(c);
                    }
                }
            }
        }
        path.pop();
        state.insert(v.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for v in edges.keys() {
        if !state.contains_key(v) {
            if let Some(c) = visit(v, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_files_of_a_module_use_each_other_without_circles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    // module → (file → files of the same module it uses)
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for f in rust_files(&src) {
        let Some((m, file)) = module_of(&src, &f) else {
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        let graph = graphs.entry(m.clone()).or_default();
        let uses = graph.entry(file.clone()).or_default();
        let siblings = paths_after(&code, "crate::", 2)
            .into_iter()
            .filter(|p| p.len() == 2 && p[0] == m)
            .map(|p| p[1].clone());
        // `super::x` from a file directly in the module's folder names a sibling
        let direct = f.parent().unwrap().parent() == Some(src.as_path());
        let supers = paths_after(&code, "super::", 1)
            .into_iter()
            .filter(|_| direct && file != "mod")
            .map(|p| p[0].clone());
        for s in siblings.chain(supers) {
            if s != file {
                uses.insert(s);
            }
        }
    }
    // only the module's own files are nodes: names of items (`super::Identity`) are dropped
    for graph in graphs.values_mut() {
        let files: BTreeSet<String> = graph.keys().cloned().collect();
        for uses in graph.values_mut() {
            uses.retain(|u| files.contains(u));
        }
    }
    let batch = &graphs["batch"];
    assert!(batch["part"].contains("codec"), "{batch:?}");
    for (m, graph) in &graphs {
        assert_eq!(circle(graph), None, "a circle among the files of `{m}`");
    }
}

#[test]
fn a_circle_is_found_and_a_tree_has_none() {
    let g = |pairs: &[(&str, &str)]| {
        let mut e: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in pairs {
            e.entry(a.to_string()).or_default().insert(b.to_string());
        }
        e
    };
    assert_eq!(circle(&g(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    assert_eq!(
        circle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        paths_after(
            "use crate::{a::b, c};\nx = $crate::d; crate::e::F",
            "crate::",
            2
        ),
        vec![vec!["a", "b"], vec!["c"], vec!["e", "F"]]
    );
}

#[test]
fn nothing_below_the_command_line_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut found = Vec::new();
    for f in rust_files(&src) {
        if f.starts_with(src.join("cli")) || f.ends_with("main.rs") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        for mac in ["println!", "eprintln!", "print!", "eprint!"] {
            for (i, _) in code.match_indices(mac) {
                let before = code[..i].chars().next_back();
                if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    found.push(format!(
                        "{}: {mac}",
                        f.strip_prefix(root).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(found.is_empty(), "printing below src/cli/: {found:?}");
}

/// The functions of `text` with their length in lines: from the `fn` line to the closing brace
/// at the same indentation (declarations without a body are skipped).
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let body = l.trim_start();
        let indent = &l[..l.len() - body.len()];
        let mut rest = body;
        for prefix in [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        let Some(name) = rest.strip_prefix("fn ") else {
            continue;
        };
        if l.trim_end().ends_with(';') {
            continue;
        }
        let close = format!("{indent}}}");
        if let Some(j) = (i + 1..lines.len()).find(|&j| lines[j] == close) {
            out.push((ident(name).to_string(), j - i + 1));
        }
    }
    out
}

#[test]
fn no_function_grows_over_200_lines_and_no_command_file_over_350() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut long = Vec::new();
    for f in rust_files(&src) {
        let text = std::fs::read_to_string(&f).unwrap();
        let rel = f.strip_prefix(root).unwrap().display().to_string();
        for (name, n) in function_lengths(&text) {
            if n > 200 {
                long.push(format!("{rel}: fn {name}, {n} lines"));
            }
        }
        let n = text.lines().count();
        if f.starts_with(src.join("cli")) && n > 350 {
            long.push(format!("{rel}: {n} lines"));
        }
    }
    assert!(long.is_empty(), "too long: {long:#?}");
}

#[test]
fn function_lengths_count_from_fn_to_its_brace() {
    let text = "fn a() {\n    x();\n}\n\nimpl T {\n    pub fn b(&self) {\n        y();\n        z();\n    }\n    fn c();\n}\n";
    assert_eq!(
        function_lengths(text),
        vec![("a".to_string(), 3), ("b".to_string(), 4)]
    );
}
