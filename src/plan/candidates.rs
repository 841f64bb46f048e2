//! What a plan chooses among: the measures of MENU that BASE lacks or has with another value,
//! and the scenario file (`plan.toml`) that holds a choice of their levels.

use crate::error::{InputError, Result};
use crate::scenario::{Scenario, ScenarioLibrary, measure_definition, measure_toml};

/// The name of every plan scenario: the sample streams are keyed by it, so the search and a
/// batch of `plan.toml` draw the same numbers.
pub const PLAN_NAME: &str = "plan";

/// One measure a plan can take, at a level from 0 (BASE's setting) to 1 (MENU's).
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Measure id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// BASE's central value of the measure, when BASE has it (with another value): level 0.
    pub from: Option<f64>,
    /// MENU's central value of the measure.
    pub central: f64,
    /// Its definition in MENU, as written.
    pub table: toml::Table,
}

/// The candidates of MENU against BASE, and the BASE measures MENU drops.
#[derive(Debug, Clone)]
pub struct Menu {
    /// MENU's name.
    pub menu: String,
    /// BASE's name.
    pub base: String,
    /// The candidates in MENU's order.
    pub candidates: Vec<Candidate>,
    /// Measures of BASE that MENU disables (its own measures take their place).
    pub disabled: Vec<String>,
}

/// Whether `base` is `menu` or one of the scenarios `menu` extends.
fn extends_chain(library: &ScenarioLibrary, menu: &Scenario) -> Result<Vec<String>> {
    let mut chain = vec![menu.name.clone()];
    let mut parent = menu.extends.clone();
    while let Some(p) = parent {
        if chain.len() > crate::scenario::MAX_EXTENDS_DEPTH {
            break;
        }
        let sc = library.resolve(&p)?;
        chain.push(sc.name.clone());
        parent = sc.extends.clone();
    }
    Ok(chain)
}

impl Menu {
    /// The candidates of `menu` against `base`.
    pub fn new(library: &ScenarioLibrary, menu: &Scenario, base: &Scenario) -> Result<Menu> {
        let chain = extends_chain(library, menu)?;
        if !chain.contains(&base.name) {
            return Err(InputError::new(format!(
                "scenario `{}` does not extend `{}`: a plan chooses among the measures MENU adds to a scenario it builds on",
                menu.name, base.name
            ))
            .hint(format!(
                "give --from one of MENU's chain: {}",
                chain.join(" → ")
            ))
            .into());
        }
        let mut candidates = Vec::new();
        for m in &menu.measures {
            let id = m.item.id();
            let from = match base.measures.iter().position(|b| b.item.id() == id) {
                None => None,
                Some(b)
                    if base.measures[b].item.common.value.get_ref()
                        != m.item.common.value.get_ref() =>
                {
                    Some(base.measures[b].item.common.value.get_ref().central())
                }
                Some(_) => continue,
            };
            let table = measure_definition(&m.file.text, id).ok_or_else(|| {
                InputError::new(format!(
                    "the definition of measure `{id}` was not found in `{}`",
                    m.file.name
                ))
            })?;
            candidates.push(Candidate {
                id: id.to_string(),
                name: m.item.common.name.clone().unwrap_or_else(|| id.to_string()),
                from,
                central: m.item.common.value.get_ref().central(),
                table,
            });
        }
        if candidates.is_empty() {
            return Err(InputError::new(format!(
                "scenario `{}` has no measure that `{}` lacks or has with another value: nothing to choose",
                menu.name, base.name
            ))
            .hint("give as MENU a scenario that adds measures to BASE (e.g. `plan neutral2040 --from baseline`)")
            .into());
        }
        let disabled = base
            .measures
            .iter()
            .map(|b| b.item.id())
            .filter(|id| !menu.measures.iter().any(|m| m.item.id() == *id))
            .map(String::from)
            .collect();
        Ok(Menu {
            menu: menu.name.clone(),
            base: base.name.clone(),
            candidates,
            disabled,
        })
    }

    /// `plan.toml`: BASE extended with every candidate at its level (`levels[c]` of `steps`);
    /// a candidate at level 0 stays in the file so that every plan draws its samples alike.
    pub fn plan_toml(&self, levels: &[u8], steps: u8) -> String {
        let mut out = format!(
            "# Written by `kymsim plan {menu} --from {base}`: `{base}` with the measures of `{menu}` it\n\
             # lacks, each at the level chosen (0: as in `{base}`, 1: as in `{menu}`). `kymsim run` and\n\
             # `kymsim batch` read it as it is.\n",
            menu = self.menu,
            base = self.base
        );
        out.push_str(&format!("name = \"{PLAN_NAME}\"\n"));
        let chosen: Vec<String> = self
            .candidates
            .iter()
            .zip(levels)
            .filter(|(_, l)| **l > 0)
            .map(|(c, l)| format!("{} {}/{steps}", c.id, l))
            .collect();
        let description = format!(
            "Cheapest plan from `{}` toward `{}`: {}",
            self.base,
            self.menu,
            if chosen.is_empty() {
                "no measure added".to_string()
            } else {
                chosen.join(", ")
            }
        );
        out.push_str(&format!(
            "description = {}\n",
            toml::Value::String(description)
        ));
        out.push_str(&format!(
            "extends = {}\n",
            toml::Value::String(self.base.clone())
        ));
        if !self.disabled.is_empty() {
            let list: Vec<String> = self
                .disabled
                .iter()
                .map(|d| toml::Value::String(d.clone()).to_string())
                .collect();
            out.push_str(&format!("disable = [{}]\n", list.join(", ")));
        }
        for (c, &l) in self.candidates.iter().zip(levels) {
            let mut table = c.table.clone();
            table.insert("level".into(), toml::Value::Float(level_value(l, steps)));
            if let Some(f) = c.from {
                table.insert("level_from".into(), toml::Value::Float(f));
            }
            out.push('\n');
            out.push_str(&measure_toml(&table));
        }
        out
    }
}

/// Level `l` of `steps` as the fraction written in `plan.toml`.
pub fn level_value(l: u8, steps: u8) -> f64 {
    f64::from(l) / f64::from(steps)
}
