//! Measure definitions as TOML tables: found in a scenario file by id, and written back in the
//! order the bundled scenarios use (the explorer's export and `kymsim plan` write scenarios).

/// The keys of a `[[measures]]` table in the order the bundled scenarios write them; any other
/// key follows, sorted.
const KEY_ORDER: [&str; 16] = [
    "id",
    "name",
    "name_fi",
    "description",
    "pillar",
    "kind",
    "targets",
    "from",
    "to",
    "value",
    "energy_ratio",
    "input_per_output",
    "sector",
    "adoption",
    "cost_eur_per_t",
    "ets",
];

/// The `[[measures]]` table of measure `id` in the scenario file `text`, as written.
pub fn measure_definition(text: &str, id: &str) -> Option<toml::Table> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    doc.get("measures")?
        .as_array()?
        .iter()
        .filter_map(toml::Value::as_table)
        .find(|t| t.get("id").and_then(toml::Value::as_str) == Some(id))
        .cloned()
}

/// A `[[measures]]` entry: the header and one `key = value` line per key, the keys in
/// [`KEY_ORDER`] then the others sorted. Floats are written in the shortest form that reads back
/// to the same bits.
pub fn measure_toml(table: &toml::Table) -> String {
    let mut out = String::from("[[measures]]\n");
    let mut keys: Vec<&String> = table.keys().collect();
    keys.sort_by_key(|k| {
        (
            KEY_ORDER
                .iter()
                .position(|o| o == k)
                .unwrap_or(KEY_ORDER.len()),
            (*k).clone(),
        )
    });
    for k in keys {
        out.push_str(&format!("{} = {}\n", toml_key(k), table[k]));
    }
    out
}

/// A key, quoted when it is not a bare key.
fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        toml::Value::String(k.into()).to_string()
    }
}
