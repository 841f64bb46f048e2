//! Scenario parsing and inheritance.

use super::*;

fn library(files: &[(&str, &str)]) -> (tempfile::TempDir, ScenarioLibrary) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    let lib = ScenarioLibrary::from_dir(dir.path()).unwrap();
    (dir, lib)
}

fn input_err(r: Result<Scenario>) -> InputError {
    match r {
        Err(Error::Input(e)) => *e,
        Err(e) => panic!("expected an input error, got {e}"),
        Ok(_) => panic!("expected an error"),
    }
}

const PARENT: &str = r#"
description = "parent"
[[measures]]
id = "a"
pillar = "transport"
kind = "activity"
targets = ["x"]
value = 0.1
adoption = { curve = "step", year = 2025 }

[[measures]]
id = "b"
pillar = "energy"
kind = "activity"
targets = ["x"]
value = 0.2
adoption = { curve = "step", year = 2025 }

[[uncertainty]]
id = "u1"
target = "driver:population"
factor = { dist = "uniform", min = 0.9, max = 1.1 }
"#;

#[test]
fn child_replaces_in_place_disables_and_appends() {
    let child = r#"
extends = "parent"
disable = ["a"]
[[measures]]
id = "c"
pillar = "logistics"
kind = "activity"
targets = ["x"]
value = 0.3
adoption = { curve = "step", year = 2025 }

[[measures]]
id = "b"
pillar = "energy"
kind = "activity"
targets = ["x"]
value = 0.5
adoption = { curve = "step", year = 2030 }
"#;
    let (_d, lib) = library(&[("parent", PARENT), ("child", child)]);
    let sc = lib.resolve("child").unwrap();
    let ids: Vec<&str> = sc.measures.iter().map(|m| m.item.id()).collect();
    // `a` disabled, `b` replaced where it stood, `c` appended
    assert_eq!(ids, ["b", "c"]);
    assert_eq!(
        sc.measures[0].item.common.value.get_ref(),
        &ValueSpec::Fixed(0.5)
    );
    assert_eq!(sc.uncertainties.len(), 1);
    assert_eq!(sc.extends.as_deref(), Some("parent"));
    assert_eq!(sc.files.len(), 2);
    assert_eq!(sc.description, "");
}

#[test]
fn extends_cycle_is_an_error() {
    let (_d, lib) = library(&[("a", "extends = \"b\""), ("b", "extends = \"a\"")]);
    let e = input_err(lib.resolve("a"));
    assert!(e.message.contains("cycle: a → b → a"), "{}", e.message);
    assert_eq!(e.line, Some(1));
}

#[test]
fn unknown_key_is_located() {
    let text = "description = \"x\"\n[[measures]]\nid = \"a\"\npillar = \"transport\"\nkind = \"activity\"\ntargets = [\"x\"]\nvalu = 0.1\n";
    let (_d, lib) = library(&[("s", text)]);
    let e = input_err(lib.resolve("s"));
    assert!(e.message.contains("unknown field `valu`"), "{}", e.message);
    assert_eq!(e.line, Some(7));
}

#[test]
fn disable_of_unknown_measure_suggests() {
    let (_d, lib) = library(&[
        ("parent", PARENT),
        ("child", "extends = \"parent\"\ndisable = [\"bb\"]\n"),
    ]);
    let e = input_err(lib.resolve("child"));
    assert!(e.message.contains("`bb`"));
    assert_eq!(e.hint.as_deref(), Some("did you mean `b`?"));
}

#[test]
fn unknown_parent_and_bad_pillar() {
    let (_d, lib) = library(&[("s", "extends = \"baseline2\"\n"), ("baseline", "")]);
    let e = input_err(lib.resolve("s"));
    assert!(e.message.contains("no scenario named `baseline2`"));
    assert_eq!(e.hint.as_deref(), Some("did you mean `baseline`?"));
    let bad = PARENT.replace("\"transport\"", "\"transprt\"");
    let (_d, lib) = library(&[("s", &bad)]);
    let e = input_err(lib.resolve("s"));
    assert!(
        e.message.contains("unknown variant `transprt`"),
        "{}",
        e.message
    );
}

#[test]
fn duplicate_measure_ids_and_bad_names() {
    let dup = format!(
        "{PARENT}\n[[measures]]\nid = \"a\"\npillar = \"other\"\nkind = \"activity\"\ntargets = [\"x\"]\nvalue = 0\nadoption = {{ curve = \"step\", year = 2025 }}\n"
    );
    let (_d, lib) = library(&[("s", &dup)]);
    assert!(input_err(lib.resolve("s")).message.contains("used twice"));
    let (_d, lib) = library(&[("s", "name = \"../evil\"\n")]);
    assert!(input_err(lib.resolve("s")).message.contains("not allowed"));
}

#[test]
fn bundled_scenarios_resolve() {
    let lib = ScenarioLibrary::bundled();
    let names: Vec<&str> = lib.names().collect();
    assert_eq!(names, ["baseline", "neutral2040", "programme"]);
    for n in names {
        lib.resolve(n).unwrap();
    }
}
