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

/// The Rust names (`Kind`, `Job::draw`, `lay_out_ops`) of a `backticked` span, or `None` when
/// the span is not a plain path of identifiers.
fn rust_name(span: &str) -> Option<&str> {
    let ident = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    span.split("::")
        .all(ident)
        .then(|| span.rsplit("::").next().unwrap())
}

/// The recipes' steps: each numbered item with its continuation lines.
fn recipe_steps(text: &str) -> Vec<String> {
    let recipes = &text[text.find("## Recipes").expect("a Recipes section")..];
    let mut steps: Vec<String> = Vec::new();
    for line in recipes.lines() {
        let trimmed = line.trim_start();
        let numbered = trimmed
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if numbered && !line.starts_with(' ') {
            steps.push(line.to_string());
        } else if line.starts_with("   ") && !steps.is_empty() {
            let last = steps.last_mut().unwrap();
            last.push(' ');
            last.push_str(trimmed);
        }
    }
    steps
}

#[test]
fn every_name_a_recipe_step_gives_is_in_the_source_files_it_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let steps = recipe_steps(&text);
    assert!(steps.len() >= 15, "only {} recipe steps found", steps.len());
    let mut checked = 0;
    let mut missing = Vec::new();
    for step in &steps {
        // the Rust sources the step names; a step naming none (docs, tests) is not checked
        let sources: Vec<String> = named_paths(step)
            .into_iter()
            .filter(|p| p.starts_with("src/") && p.ends_with(".rs"))
            .map(|p| std::fs::read_to_string(root.join(p)).unwrap())
            .collect();
        if sources.is_empty() {
            continue;
        }
        for span in step.split('`').skip(1).step_by(2) {
            let Some(name) = rust_name(span) else {
                continue;
            };
            if ROOTS
                .iter()
                .any(|r| span.starts_with(r.trim_end_matches('/')))
            {
                continue;
            }
            let word = |s: &str| {
                s.match_indices(name).any(|(i, _)| {
                    let before = s[..i].chars().next_back();
                    let after = s[i + name.len()..].chars().next();
                    let boundary = |c: Option<char>| {
                        c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
                    };
                    boundary(before) && boundary(after)
                })
            };
            checked += 1;
            if !sources.iter().any(|s| word(s)) {
                missing.push(format!("`{span}` in: {}", &step[..step.len().min(60)]));
            }
        }
    }
    assert!(checked >= 30, "only {checked} names checked");
    assert!(
        missing.is_empty(),
        "docs/architecture.md names what its files do not hold:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_step_is_a_numbered_item_with_its_continuation_lines() {
    let text = "## Recipes\n\n### A\n\n1. In `src/a.rs`: `Kind`\n   and `Job::draw`.\n2. Two.\nNot a step.\n";
    assert_eq!(
        recipe_steps(text),
        vec!["1. In `src/a.rs`: `Kind` and `Job::draw`.", "2. Two."]
    );
    assert_eq!(rust_name("Job::draw"), Some("draw"));
    assert_eq!(rust_name("#[serde(deny_unknown_fields)]"), None);
    assert_eq!(rust_name("-q/--quiet"), None);
}
