//! `docs/architecture.md` names the files to touch for each common change: every path it names
//! must exist, so the recipes cannot drift from the code.

use std::path::Path;

/// The top-level folders and files a path in the document may start with.
const ROOTS: [&str; 8] = [
    "src/",
    "docs/",
    "tests/",
    "benches/",
    "fuzz/",
    "data/",
    "scenarios/",
    "README.md",
];

/// The `backticked` spans of a Markdown text that name a repository path: starting with one of
/// [`ROOTS`], without placeholders (`<name>`) or wildcards.
fn named_paths(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| ROOTS.iter().any(|r| s.starts_with(r)))
        .filter(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
        })
        .collect()
}

#[test]
fn every_path_the_architecture_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let paths = named_paths(&text);
    // the recipes name at least the schema, the chart loader and the command table
    for must in [
        "src/output/schema.rs",
        "src/charts/load.rs",
        "src/cli/mod.rs",
    ] {
        assert!(paths.contains(&must), "{must} is not named");
    }
    let missing: Vec<&str> = paths
        .iter()
        .copied()
        .filter(|p| !root.join(p).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md names files that do not exist: {missing:?}"
    );
}

#[test]
fn placeholders_and_other_spans_are_not_taken_for_paths() {
    let text = "see `src/a.rs`, `charts/<stem>.png`, `src/cli/<name>.rs`, `Model`, `docs/*.md` \
                and `README.md`";
    assert_eq!(named_paths(text), vec!["src/a.rs", "README.md"]);
}
