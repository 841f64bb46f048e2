//! A scenario against a reference scenario: the gap between their net emissions, split into the
//! measures that make it by an exact Shapley attribution over the measures that differ.
//!
//! The players are the measures present in one scenario only, and the measures both have with
//! different settings (kind, targets, adoption, or any central parameter). The game is played
//! in one model compiled from the union of both scenarios' measures: the scenario's measures in
//! its order, then the reference's measures it lacks, and the reference's version of a changed
//! measure under the id `<id>__reference`. In the reference state every reference measure is
//! on and every measure of the scenario alone is off (value 0); switching a player on moves its
//! measures to the scenario's state (a changed measure: the reference's version off, the
//! scenario's on). The worth of a coalition is net(reference state) − net(coalition switched),
//! so positive contributions make the scenario's net emissions lower than the reference's.
//!
//! With more than [`MAX_MEASURE_PLAYERS`] differing measures the pillars are the players of an
//! exact Shapley attribution (all differing measures of a pillar switch together), and each
//! pillar's share is split among its measures by the Owen value — the exact Shapley value of
//! the game with the pillars as a coalition structure: measure i of pillar k gets
//! Σ_{T ⊆ pillars∖k} w(|T|, m) Σ_{S ⊆ k∖i} w(|S|, b_k) · (v(∪T ∪ S ∪ {i}) − v(∪T ∪ S)), with
//! w(s, n) = s!(n−s−1)!/n!, m pillars and b_k measures in pillar k. The measures of a pillar
//! add up to the pillar's Shapley share, so every row still adds up. A pillar with more than
//! [`MAX_OWEN_BLOCK`] differing measures keeps one row (empty `measure`).
//!
//! The union model carries the scenario's other settings (driver overrides such as a population
//! target, uncertainty factors): what they change is the rest, net emissions of the reference
//! minus those of the union in the reference state, reported as one more row ([`RESIDUAL`]) when
//! it exceeds 1e-9 of the emissions. So the measures are attributed under the scenario's
//! assumptions, the assumptions at the reference's measures, and the rows always add up to the
//! difference of the two scenarios' net emissions as `results.csv` gives them.

use serde::Serialize;

use rayon::prelude::*;

use super::shapley::{Switch, exact_between};
use super::{csv_bytes, variable_row};
use crate::data::Region;
use crate::engine::{TotalRows, Workspace, run_central};
use crate::error::Result;
use crate::model::Model;
use crate::output::fmt_num;
use crate::scenario::{Owner, Pillar, Scenario};

/// File name of the difference table.
pub use crate::output::schema::DIFFERENCE_CSV;
/// The most differing measures attributed as players of one game; above, by pillar (and
/// within a pillar by the Owen value).
pub const MAX_MEASURE_PLAYERS: usize = 16;
/// The most differing measures of one pillar split by the Owen value (2^(m−1) · 2^b
/// evaluations for m pillars and b measures: 32 · 4096 at most); above, the pillar is one row.
pub const MAX_OWEN_BLOCK: usize = 12;
/// The `measure` of the row of the scenario's other settings (drivers, uncertainty factors).
pub const RESIDUAL: &str = "_other_settings";

/// One share of the gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    /// Measure id (empty when the players are pillars; [`RESIDUAL`] for the residual).
    pub measure: String,
    /// Its pillar.
    pub pillar: Pillar,
    /// Contribution to reference net − scenario net, kt CO2e/yr, per year.
    pub kt: Vec<f64>,
    /// Who takes the measure (`owner` of the scenario, else of the reference), if known.
    pub owner: Option<Owner>,
    /// The measure's central cost, € per t CO2e (the scenario's, else the reference's).
    pub cost_eur_per_t: Option<f64>,
}

impl Share {
    /// Whether the region itself (its council or municipalities) takes the measure.
    pub fn is_regional(&self) -> bool {
        self.owner.is_some_and(Owner::is_regional)
    }

    /// The added annual cost in year index `y`, M€/yr: contribution (kt) × cost (€/t) / 1000;
    /// none for a measure without a cost.
    pub fn annual_cost_meur(&self, y: usize) -> Option<f64> {
        Some(self.kt.get(y)? * self.cost_eur_per_t? / 1000.0)
    }
}

/// The gap between a scenario and its reference.
#[derive(Debug, Clone)]
pub struct Difference {
    /// Scenario.
    pub scenario: String,
    /// Reference scenario.
    pub reference: String,
    /// First year.
    pub base_year: i32,
    /// Net emissions of the scenario, per year (as its central run).
    pub scenario_net: Vec<f64>,
    /// Net emissions of the reference, per year (as its central run).
    pub reference_net: Vec<f64>,
    /// The shares, which add up to reference net − scenario net every year.
    pub shares: Vec<Share>,
    /// Whether the players are pillars, their measures split by the Owen value (too many
    /// differing measures).
    pub by_pillar: bool,
}

/// Central values of a measure's parameters, its kind, targets and adoption, for comparison.
fn fingerprint(model: &Model, id: &str) -> Option<String> {
    let m = model.measures.iter().find(|m| m.id == id)?;
    let prefix = format!("measure.{id}.");
    let params: Vec<String> = model
        .params
        .iter()
        .filter(|p| p.name.starts_with(&prefix))
        .map(|p| format!("{}={:?}", p.name, p.central))
        .collect();
    Some(format!(
        "{:?}|{}|{:?}|{:?}|{}",
        m.kind,
        m.targets,
        m.curve,
        m.pillar,
        params.join(",")
    ))
}

/// A player of the difference game: (measure id, pillar, the union's measures it switches,
/// each with whether it is on in the reference state).
type Player = (String, Pillar, Vec<(String, bool)>);

fn net_row(model: &Model) -> Vec<f64> {
    let net = TotalRows::of(model).net;
    run_central(model).vars[net * model.ny..(net + 1) * model.ny].to_vec()
}

/// The difference of `scenario` (compiled as `model`) against `reference` (compiled as
/// `ref_model`), both on `region`.
pub fn difference(
    region: &Region,
    scenario: &Scenario,
    model: &Model,
    reference: &Scenario,
    ref_model: &Model,
) -> Result<Difference> {
    difference_with(
        region,
        scenario,
        model,
        reference,
        ref_model,
        MAX_MEASURE_PLAYERS,
    )
}

/// [`difference`] with measures as players up to `max_players`.
fn difference_with(
    region: &Region,
    scenario: &Scenario,
    model: &Model,
    reference: &Scenario,
    ref_model: &Model,
    max_players: usize,
) -> Result<Difference> {
    let ny = model.ny;
    // the union scenario and which of its measures each player switches
    let mut union = scenario.clone();
    union.name = format!("{}__against__{}", scenario.name, reference.name);
    let mut players: Vec<Player> = Vec::new();
    for m in &scenario.measures {
        let id = m.item.id().to_string();
        let in_ref = reference
            .measures
            .iter()
            .any(|r| r.item.id() == id.as_str());
        if !in_ref {
            players.push((id.clone(), m.item.common.pillar, vec![(id.clone(), false)]));
        } else if fingerprint(model, &id) != fingerprint(ref_model, &id) {
            let ref_id = format!("{id}__reference");
            players.push((
                id.clone(),
                m.item.common.pillar,
                vec![(id.clone(), false), (ref_id, true)],
            ));
        }
    }
    for r in &reference.measures {
        let id = r.item.id().to_string();
        match players.iter().find(|p| p.0 == id) {
            Some(p) if p.2.len() == 2 => {
                let mut copy = r.clone();
                copy.item.common.id =
                    toml::Spanned::new(r.item.common.id.span(), format!("{id}__reference"));
                union.measures.push(copy);
            }
            Some(_) => {}
            None if !scenario.measures.iter().any(|m| m.item.id() == id.as_str()) => {
                union.measures.push(r.clone());
                players.push((id.clone(), r.item.common.pillar, vec![(id.clone(), true)]));
            }
            None => {}
        }
    }
    let scenario_net = net_row(model);
    let reference_net = net_row(ref_model);
    let by_pillar = players.len() > max_players;
    let mut shares = Vec::new();
    if !players.is_empty() {
        let u = crate::model::compile::compile_union(region, &union)?;
        let p = u.central();
        let switches = |measures: &[(String, bool)]| -> Vec<Switch> {
            measures
                .iter()
                .filter_map(|(id, on_in_ref)| {
                    let v = u.measures.iter().find(|m| &m.id == id)?.value;
                    // the player switches from the reference state to the scenario's
                    Some(if *on_in_ref {
                        (v.get(), p[v], 0.0)
                    } else {
                        (v.get(), 0.0, p[v])
                    })
                })
                .collect()
        };
        let sw: Vec<Vec<Switch>> = players.iter().map(|pl| switches(&pl.2)).collect();
        if by_pillar {
            let blocks: Vec<(Pillar, Vec<usize>)> = Pillar::ALL
                .into_iter()
                .map(|pl| {
                    let ix = (0..players.len()).filter(|&i| players[i].1 == pl).collect();
                    (pl, ix)
                })
                .filter(|(_, ix): &(Pillar, Vec<usize>)| !ix.is_empty())
                .collect();
            let groups = blocks
                .iter()
                .map(|(_, ix)| ix.iter().flat_map(|&i| sw[i].clone()).collect())
                .collect();
            let (kt, _, _) = exact_between(&u, &p, groups);
            for (k, (pillar, ix)) in blocks.iter().enumerate() {
                if ix.len() > MAX_OWEN_BLOCK {
                    shares.push(Share {
                        measure: String::new(),
                        pillar: *pillar,
                        kt: kt[k * ny..(k + 1) * ny].to_vec(),
                        owner: None,
                        cost_eur_per_t: None,
                    });
                    continue;
                }
                for (j, phi) in owen_block(&u, &p, &sw, &blocks, k).into_iter().enumerate() {
                    shares.push(Share {
                        measure: players[ix[j]].0.clone(),
                        pillar: *pillar,
                        kt: phi,
                        owner: None,
                        cost_eur_per_t: None,
                    });
                }
            }
        } else {
            let (kt, _, _) = exact_between(&u, &p, sw);
            for (i, (measure, pillar, _)) in players.iter().enumerate() {
                shares.push(Share {
                    measure: measure.clone(),
                    pillar: *pillar,
                    kt: kt[i * ny..(i + 1) * ny].to_vec(),
                    owner: None,
                    cost_eur_per_t: None,
                });
            }
        }
    }
    // what the shares leave of the gap of the two central runs: the scenario's other settings
    let residual: Vec<f64> = (0..ny)
        .map(|y| {
            let sum: f64 = shares.iter().map(|s| s.kt[y]).sum();
            reference_net[y] - scenario_net[y] - sum
        })
        .collect();
    let scale = reference_net
        .iter()
        .chain(&scenario_net)
        .fold(1.0f64, |a, v| a.max(v.abs()));
    if residual.iter().any(|r| r.abs() > 1e-9 * scale) {
        shares.push(Share {
            measure: RESIDUAL.into(),
            pillar: Pillar::Other,
            kt: residual,
            owner: None,
            cost_eur_per_t: None,
        });
    }
    // who takes each measure, and its cost per tonne: the scenario's version, else the
    // reference's (a measure the scenario dropped)
    for share in &mut shares {
        if share.measure.is_empty() || share.measure == RESIDUAL {
            continue;
        }
        share.owner = scenario
            .measures
            .iter()
            .chain(&reference.measures)
            .find(|m| m.item.id() == share.measure)
            .and_then(|m| m.item.owner());
        share.cost_eur_per_t = [model, ref_model]
            .into_iter()
            .find_map(|md| {
                md.measures
                    .iter()
                    .find(|mi| mi.id == share.measure)
                    .map(|mi| mi.cost.map(|c| md.params[c].central))
            })
            .flatten();
    }
    Ok(Difference {
        scenario: scenario.name.clone(),
        reference: reference.name.clone(),
        base_year: model.base_year,
        scenario_net,
        reference_net,
        shares,
        by_pillar,
    })
}

/// w(s, n) = s!(n − s − 1)!/n! = 1 / (n · C(n − 1, s)), for s = 0..n.
fn shapley_weights(n: usize) -> Vec<f64> {
    let mut binom = vec![1.0f64; n.max(1)];
    for s in 1..n {
        binom[s] = binom[s - 1] * (n - s) as f64 / s as f64;
    }
    binom.iter().map(|c| 1.0 / (n as f64 * c)).collect()
}

/// The Owen values of the players of block `k` (by year), the blocks being the other unions:
/// first the net emissions of every coalition (union of some other blocks) ∪ (subset of block
/// `k`), in parallel over the other blocks' subsets, then each player's weighted marginal
/// contributions summed in a fixed order.
fn owen_block(
    model: &Model,
    p: &[f64],
    sw: &[Vec<Switch>],
    blocks: &[(Pillar, Vec<usize>)],
    k: usize,
) -> Vec<Vec<f64>> {
    let ny = model.ny;
    let net = TotalRows::of(model).net;
    let others: Vec<usize> = (0..blocks.len()).filter(|&j| j != k).collect();
    let own = &blocks[k].1;
    let b = own.len();
    let mut off = p.to_vec();
    for &(i, o, _) in sw.iter().flatten() {
        off[i] = o;
    }
    let set = |q: &mut [f64], player: usize, on: bool| {
        for &(i, o, n) in &sw[player] {
            q[i] = if on { n } else { o };
        }
    };
    // nets[t][s·ny + y]: net emissions with the blocks of `t` and the subset `s` of block k on
    let nets: Vec<Vec<f64>> = (0..1usize << others.len())
        .into_par_iter()
        .map_init(
            || (Workspace::new(model), vec![0.0; ny]),
            |(ws, out), t| {
                let mut q = off.clone();
                for (bit, &j) in others.iter().enumerate() {
                    for &i in &blocks[j].1 {
                        set(&mut q, i, t >> bit & 1 == 1);
                    }
                }
                let mut row = vec![0.0; (1usize << b) * ny];
                for s in 0..1usize << b {
                    for (bit, &i) in own.iter().enumerate() {
                        set(&mut q, i, s >> bit & 1 == 1);
                    }
                    ws.evaluate(model, &q);
                    variable_row(model, net, ws.leaves_flat(), out);
                    row[s * ny..(s + 1) * ny].copy_from_slice(out);
                }
                row
            },
        )
        .collect();
    let w_blocks = shapley_weights(others.len() + 1);
    let w_own = shapley_weights(b);
    (0..b)
        .map(|i| {
            let bit = 1usize << i;
            let mut phi = vec![0.0; ny];
            for (t, row) in nets.iter().enumerate() {
                let wt = w_blocks[t.count_ones() as usize];
                for s in (0..1usize << b).filter(|s| s & bit == 0) {
                    let w = wt * w_own[s.count_ones() as usize];
                    // v(X) = net(nothing on) − net(X): the marginal contribution is a drop in net
                    for y in 0..ny {
                        phi[y] += w * (row[s * ny + y] - row[(s | bit) * ny + y]);
                    }
                }
            }
            phi
        })
        .collect()
}

#[derive(Serialize)]
struct Row<'a> {
    scenario: &'a str,
    reference: &'a str,
    year: i32,
    measure: &'a str,
    pillar: &'a str,
    contribution_kt: String,
    owner: &'a str,
    annual_cost_meur: String,
}

/// `difference.csv`: `scenario,reference,year,measure,pillar,contribution_kt,owner,
/// annual_cost_meur`, scenarios in the given order, then shares in attribution order, then
/// years. For each scenario and year, Σ contribution_kt = reference net − scenario net;
/// `annual_cost_meur` = contribution_kt × the measure's cost per tonne / 1000 (empty without
/// a cost), `owner` who takes the measure (empty for the rest and pillar rows).
pub fn difference_csv(diffs: &[Difference]) -> Vec<u8> {
    csv_bytes(|w| {
        w.write_record(crate::output::schema::DIFFERENCE_COLUMNS)?;
        for d in diffs {
            for s in &d.shares {
                for (y, kt) in s.kt.iter().enumerate() {
                    w.serialize(Row {
                        scenario: &d.scenario,
                        reference: &d.reference,
                        year: d.base_year + y as i32,
                        measure: &s.measure,
                        pillar: s.pillar.as_str(),
                        contribution_kt: fmt_num(*kt),
                        owner: s.owner.map_or("", Owner::as_str),
                        annual_cost_meur: s.annual_cost_meur(y).map_or(String::new(), fmt_num),
                    })?;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataSource, load_region};
    use crate::model::compile;
    use crate::scenario::ScenarioLibrary;

    const REFERENCE: &str = r#"
[[measures]]
id = "a"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "cows"
pillar = "bioeconomy"
kind = "activity"
targets = ["agriculture.cows"]
value = 0.4
adoption = { curve = "linear", start = 2020, full = 2030 }
"#;

    const SCENARIO: &str = r#"
[[measures]]
id = "a"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "b"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "cows"
pillar = "bioeconomy"
kind = "activity"
targets = ["agriculture.cows"]
value = 0.6
adoption = { curve = "linear", start = 2020, full = 2030 }

[[measures]]
id = "sink"
pillar = "bioeconomy"
kind = "removal"
sector = "Biochar"
value = 3
adoption = { curve = "step", year = 2025 }
"#;

    fn compiled(toml: &[(&str, &str)]) -> (Region, Vec<(Scenario, Model)>) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in toml {
            std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
        }
        let region = load_region(&DataSource::Dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny"),
        ))
        .unwrap();
        let lib = ScenarioLibrary::from_dir(dir.path()).unwrap();
        let out = toml
            .iter()
            .map(|(name, _)| {
                let sc = lib.resolve(name).unwrap();
                let m = compile(&region, &sc).unwrap();
                (sc, m)
            })
            .collect();
        (region, out)
    }

    #[test]
    fn the_gap_adds_up_and_each_differing_measure_gets_its_share() {
        let (region, runs) = compiled(&[("s", SCENARIO), ("r", REFERENCE)]);
        let d = difference(&region, &runs[0].0, &runs[0].1, &runs[1].0, &runs[1].1).unwrap();
        // `a` is the same in both: no player; b (new), cows (changed), sink (new)
        let ids: Vec<&str> = d.shares.iter().map(|s| s.measure.as_str()).collect();
        assert_eq!(ids, ["b", "cows", "sink"]);
        // the shares add up to the difference of the two central runs' net emissions
        for y in 0..d.scenario_net.len() {
            let gap = d.reference_net[y] - d.scenario_net[y];
            let sum: f64 = d.shares.iter().map(|s| s.kt[y]).sum();
            assert!(
                (sum - gap).abs() <= 1e-9 * gap.abs().max(1.0),
                "{y}: {sum} vs {gap}"
            );
        }
        let at = |id: &str, year: i32| {
            d.shares.iter().find(|s| s.measure == id).unwrap().kt[(year - d.base_year) as usize]
        };
        // 2030: cars 12.5 kt × 80/100 population = 10 kt; with `a` on in both, 5 kt remain,
        // and `b` halves them: 2.5 kt (alone in its game with the cars: additive with cows, sink)
        assert!((at("b", 2030) - 2.5).abs() < 1e-12);
        // cows: 1000 head × 5 t = 5 kt; fully adopted in 2030, cut 0.6 instead of 0.4: 1 kt more
        assert!((at("cows", 2030) - 1.0).abs() < 1e-12);
        // cows in 2025: half adopted, 5 × (0.6 − 0.4) × 0.5 = 0.5 kt
        assert!((at("cows", 2025) - 0.5).abs() < 1e-12);
        // the removal: 3 kt from 2025, nothing before
        assert!((at("sink", 2030) - 3.0).abs() < 1e-12);
        assert_eq!(at("sink", 2024), 0.0);
        assert!(!d.by_pillar);
    }

    #[test]
    fn by_pillar_the_owen_value_splits_each_pillar_among_its_measures() {
        let (region, runs) = compiled(&[("s", SCENARIO), ("r", REFERENCE)]);
        let (s, r) = (&runs[0], &runs[1]);
        let d = difference_with(&region, &s.0, &s.1, &r.0, &r.1, 2).unwrap();
        assert!(d.by_pillar);
        // pillars in display order: bioeconomy (cows, sink), then transport (b)
        let ids: Vec<(&str, Pillar)> = d
            .shares
            .iter()
            .map(|s| (s.measure.as_str(), s.pillar))
            .collect();
        assert_eq!(
            ids,
            [
                ("cows", Pillar::Bioeconomy),
                ("sink", Pillar::Bioeconomy),
                ("b", Pillar::Transport)
            ]
        );
        // the three act on different sources (or add a sink): the game is additive, so the Owen
        // values are each measure's own effect, as in the test above: 2030 b 2.5, cows 1, sink 3
        let at = |id: &str| d.shares.iter().find(|s| s.measure == id).unwrap().kt[10];
        assert!((at("b") - 2.5).abs() < 1e-12);
        assert!((at("cows") - 1.0).abs() < 1e-12);
        assert!((at("sink") - 3.0).abs() < 1e-12);
        for y in 0..d.scenario_net.len() {
            let gap = d.reference_net[y] - d.scenario_net[y];
            let sum: f64 = d.shares.iter().map(|s| s.kt[y]).sum();
            assert!((sum - gap).abs() <= 1e-9 * gap.abs().max(1.0));
        }
    }

    #[test]
    fn owen_values_of_an_interacting_pair_split_evenly_and_add_up() {
        // two measures halving the same source in one pillar, one removal in another:
        // 2030 cars 10 kt; a and b together cut 7.5 kt, each alone 5 kt; symmetric, so the Owen
        // value gives each 3.75 (as Shapley would: the other pillar's sink is additive)
        let reference = "description = \"none\"\n";
        let scenario = r#"
[[measures]]
id = "a"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "b"
pillar = "transport"
kind = "activity"
targets = ["transport.cars"]
value = 0.5
adoption = { curve = "step", year = 2020 }

[[measures]]
id = "sink"
pillar = "bioeconomy"
kind = "removal"
sector = "Biochar"
value = 3
adoption = { curve = "step", year = 2025 }
"#;
        let (region, runs) = compiled(&[("s", scenario), ("r", reference)]);
        let (s, r) = (&runs[0], &runs[1]);
        let d = difference_with(&region, &s.0, &s.1, &r.0, &r.1, 1).unwrap();
        let at = |id: &str| d.shares.iter().find(|s| s.measure == id).unwrap().kt[10];
        assert!((at("a") - 3.75).abs() < 1e-12);
        assert!((at("b") - 3.75).abs() < 1e-12);
        assert!((at("sink") - 3.0).abs() < 1e-12);
    }

    #[test]
    fn a_measure_of_the_reference_alone_counts_against_the_scenario() {
        // reference has cows (0.4); the scenario has no measure: the gap is −cows
        let (region, runs) = compiled(&[
            ("none", "description = \"no measures\"\n"),
            ("r", REFERENCE),
        ]);
        let d = difference(&region, &runs[0].0, &runs[0].1, &runs[1].0, &runs[1].1).unwrap();
        let cows = d.shares.iter().find(|s| s.measure == "cows").unwrap();
        // 2030: 5 kt × 0.4 = 2 kt more net emissions in the scenario: a share of −2 kt
        assert!((cows.kt[10] + 2.0).abs() < 1e-12);
        let csv = String::from_utf8(difference_csv(&[d])).unwrap();
        assert!(csv.starts_with(
            "scenario,reference,year,measure,pillar,contribution_kt,owner,annual_cost_meur\n"
        ));
        // no owner and no cost given: both columns empty
        assert!(csv.contains("none,r,2030,cows,bioeconomy,-2,,\n"), "{csv}");
    }
}
