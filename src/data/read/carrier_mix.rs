//! `carrier_mix.csv`: the components of mix and blend carriers, and the order mixes are
//! computed in.

use std::collections::HashMap;

use crate::data::*;
use crate::error::{Error, Result};
use crate::input::TextFile;

use super::*;

pub(crate) fn read_carrier_mix(file: &TextFile, carriers: &[Carrier]) -> Result<Vec<MixComponent>> {
    let table = Table::read(
        file,
        &["carrier", "component", "share"],
        &["input_per_output", "provenance"],
    )?;
    let mut comps: Vec<MixComponent> = Vec::new();
    let mut first_line: HashMap<usize, usize> = HashMap::new();
    for row in table.rows() {
        let ids = carriers.iter().map(|c| c.id.as_str());
        let c = lookup(&row, "carrier", "carrier", ids.clone())?;
        if !carriers[c].kind.is_composite() {
            return Err(row
                .error(
                    "carrier",
                    format!(
                        "`{}` is a fuel carrier; only `mix` and `blend` carriers have components",
                        carriers[c].id
                    ),
                )
                .hint("set its `kind` to `mix` or `blend` in carriers.csv, or remove these rows")
                .into());
        }
        let k = lookup(&row, "component", "carrier", ids)?;
        let blend = carriers[c].kind == CarrierKind::Blend;
        if blend && carriers[k].kind != CarrierKind::Fuel {
            return Err(row
                .error(
                    "component",
                    format!(
                        "blend `{}` can only hold fuels; `{}` is a mix or blend",
                        carriers[c].id, carriers[k].id
                    ),
                )
                .hint("a blend's components are the fuels sold in it (e.g. gasoline and ethanol)")
                .into());
        }
        if k == c {
            return Err(row
                .error("component", "a mix carrier cannot be its own component")
                .into());
        }
        let share = row.f64("share")?;
        if !(0.0..=1.0).contains(&share) {
            return Err(row
                .error("share", format!("share {share} is outside 0…1"))
                .into());
        }
        let ipo = row.f64_or("input_per_output", 1.0)?;
        if blend && ipo != 1.0 {
            return Err(row
                .error(
                    "input_per_output",
                    format!("input_per_output {ipo} in blend `{}`", carriers[c].id),
                )
                .hint(
                    "a blend's components are its final energy: leave input_per_output empty or 1",
                )
                .into());
        }
        if ipo <= 0.0 || ipo > 100.0 {
            return Err(row
                .error("input_per_output", format!("input_per_output {ipo} must be in (0, 100]"))
                .hint("MWh of the component needed per MWh of the mix carrier (e.g. 1.1 for a boiler, 0.33 for a heat pump)")
                .into());
        }
        if comps.iter().any(|x| x.carrier == c && x.component == k) {
            return Err(row
                .error("component", "component listed twice for this carrier")
                .into());
        }
        first_line.entry(c).or_insert(row.line());
        comps.push(MixComponent {
            carrier: c,
            component: k,
            share,
            input_per_output: ipo,
        });
    }
    for (&c, &line) in &first_line {
        let sum: f64 = comps
            .iter()
            .filter(|x| x.carrier == c)
            .map(|x| x.share)
            .sum();
        if (sum - 1.0).abs() > SHARE_TOLERANCE {
            return Err(file
                .error(format!(
                    "the shares of mix carrier `{}` sum to {}, not 1",
                    carriers[c].id,
                    round6(sum)
                ))
                .at(line, 1)
                .into());
        }
    }
    Ok(comps)
}

pub(crate) fn check_mix_carriers(
    file: &TextFile,
    mix_file: Option<&TextFile>,
    carriers: &[Carrier],
    mix: &[MixComponent],
) -> Result<()> {
    for (i, c) in carriers.iter().enumerate() {
        if c.kind.is_composite() && !mix.iter().any(|m| m.carrier == i) {
            return Err(file
                .error(format!("mix or blend carrier `{}` has no components", c.id))
                .hint("add its components to carrier_mix.csv")
                .into());
        }
    }
    mix_order(carriers.len(), mix.iter().map(|m| (m.carrier, m.component))).map_err(|cycle| {
        let names: Vec<&str> = cycle.iter().map(|&i| carriers[i].id.as_str()).collect();
        Error::from(
            mix_file.unwrap_or(file).error(format!("mix carriers form a cycle: {}", names.join(" → ")))
                .hint("a mix carrier's components must not depend on it, directly or through other mixes"),
        )
    })?;
    Ok(())
}

/// Orders carriers so each mix comes after its components; `Err` holds a cycle.
pub fn mix_order(
    n: usize,
    edges: impl Iterator<Item = (usize, usize)>,
) -> Result<Vec<usize>, Vec<usize>> {
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (mix, comp) in edges {
        if !deps[mix].contains(&comp) {
            deps[mix].push(comp);
        }
    }
    // 0 = unvisited, 1 = on stack, 2 = done
    let mut state = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    fn visit(
        v: usize,
        deps: &[Vec<usize>],
        state: &mut [u8],
        order: &mut Vec<usize>,
        stack: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match state[v] {
            2 => return Ok(()),
            1 => {
                let start = stack.iter().position(|&x| x == v).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(v);
                return Err(cycle);
            }
            _ => {}
        }
        state[v] = 1;
        stack.push(v);
        for &d in &deps[v] {
            visit(d, deps, state, order, stack)?;
        }
        stack.pop();
        state[v] = 2;
        order.push(v);
        Ok(())
    }
    let mut stack = Vec::new();
    for v in 0..n {
        visit(v, &deps, &mut state, &mut order, &mut stack)?;
    }
    Ok(order)
}
