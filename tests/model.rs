//! The model of DESIGN §4 against hand-computed numbers on the tiny dataset.
//!
//! Tinyland, 2020–2030: cars 100 Mvkm × (population ratio, 100 → 80 linear) × 500 MWh/Mvkm on
//! diesel (0.25 t/MWh) = 12.5·r kt; district heat 100,000 MWh × mix EF (0.5·1.25·wood 0 +
//! 0.5·1.0·diesel 0.25 = 0.125) = 12.5 kt; cows 1000 × 5 t = 5 kt; forest sink 1000 × 2 t = 2 kt.
//! Electricity EF falls linearly 0.1 (2020) → 0 (2030). Index 5 is 2025 (ratio 0.9).

mod common;
use common::*;

const Y2025: usize = 5;
const Y2030: usize = 10;

fn measure(body: &str) -> String {
    format!("[[measures]]\npillar = \"other\"\n{body}\n")
}

#[test]
fn no_measures_reproduces_the_data() {
    let (m, r) = run_tiny("");
    let gross = var(&m, &r, "Emissions|Kyoto Gases");
    close(gross[0], 30.0);
    // 11.25 + 12.5 + 5
    close(gross[Y2025], 28.75);
    close(var(&m, &r, "Net Emissions|Kyoto Gases")[Y2025], 26.75);
    close(var(&m, &r, "Carbon Removal|Land Use|Forest")[Y2025], 2.0);
    // 100 · 0.9 · 500 MWh = 45,000 MWh = 45 GWh
    close(
        var(&m, &r, "Final Energy|Transport|Cars|Diesel")[Y2025],
        45.0,
    );
    close(var(&m, &r, "Final Energy")[Y2025], 145.0);
}

#[test]
fn activity_linear() {
    let (m, r) = run_tiny(&measure(
        "id = \"a\"\nkind = \"activity\"\ntargets = [\"transport.cars\"]\nvalue = 0.2\nadoption = { curve = \"linear\", start = 2020, full = 2030 }",
    ));
    // u(2025) = 0.5: 11.25 · (1 − 0.2·0.5) = 10.125
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[Y2025],
        10.125,
    );
    // u(2030) = 1: 12.5 · 0.8 · 0.8 = 8
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[Y2030],
        8.0,
    );
}

#[test]
fn efficiency_step() {
    let (m, r) = run_tiny(&measure(
        "id = \"e\"\nkind = \"efficiency\"\ntargets = [\"transport.*\"]\nvalue = 0.4\nadoption = { curve = \"step\", year = 2025 }",
    ));
    let cars = var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars");
    // 2024: ratio 0.92, no effect yet: 12.5 · 0.92 = 11.5; 2025: 11.25 · 0.6 = 6.75
    close(cars[4], 11.5);
    close(cars[Y2025], 6.75);
}

#[test]
fn fuel_switch_with_energy_ratio() {
    let (m, r) = run_tiny(&measure(
        "id = \"ev\"\nkind = \"fuel_switch\"\ntargets = [\"transport.cars\"]\nfrom = \"diesel\"\nto = \"electricity\"\nvalue = 0.5\nenergy_ratio = 0.4\nadoption = { curve = \"linear\", start = 2020, full = 2030 }",
    ));
    // 2025: moved = 0.5·0.5·1 = 0.25 → diesel 0.75, electricity 0.25·0.4 = 0.1 of 45,000 MWh
    close(
        var(&m, &r, "Final Energy|Transport|Cars|Diesel")[Y2025],
        33.75,
    );
    close(
        var(&m, &r, "Final Energy|Transport|Cars|Electricity")[Y2025],
        4.5,
    );
    // 33,750·0.25 + 4,500·0.05 = 8,437.5 + 225 t = 8.6625 kt
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[Y2025],
        8.6625,
    );
    close(var(&m, &r, "Final Energy|Transport|Cars")[Y2025], 38.25);
}

#[test]
fn chained_fuel_switches_apply_in_order() {
    let text = measure(
        "id = \"a\"\nkind = \"fuel_switch\"\ntargets = [\"transport.cars\"]\nfrom = \"diesel\"\nto = \"wood\"\nvalue = 0.5\nadoption = { curve = \"step\", year = 2020 }",
    ) + &measure(
        "id = \"b\"\nkind = \"fuel_switch\"\ntargets = [\"transport.cars\"]\nfrom = \"wood\"\nto = \"electricity\"\nvalue = 0.5\nadoption = { curve = \"step\", year = 2020 }",
    );
    let (m, r) = run_tiny(&text);
    // diesel 0.5; wood 0.5 → half moved on: wood 0.25, electricity 0.25 (of 50 GWh in 2020)
    close(var(&m, &r, "Final Energy|Transport|Cars|Diesel")[0], 25.0);
    close(var(&m, &r, "Final Energy|Transport|Cars|Wood")[0], 12.5);
    close(
        var(&m, &r, "Final Energy|Transport|Cars|Electricity")[0],
        12.5,
    );
}

#[test]
fn process_table_curve() {
    let (m, r) = run_tiny(&measure(
        "id = \"p\"\nkind = \"process\"\ntargets = [\"agriculture.cows\"]\nvalue = 0.5\nadoption = { curve = \"table\", points = { 2020 = 0.0, 2030 = 1.0 } }",
    ));
    // u(2025) = 0.5: 5 · (1 − 0.25) = 3.75
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Agriculture")[Y2025],
        3.75,
    );
}

#[test]
fn capture_multiplies_whole_source() {
    let (m, r) = run_tiny(&measure(
        "id = \"c\"\nkind = \"capture\"\ntargets = [\"heating.district\"]\nvalue = 0.9\nadoption = { curve = \"step\", year = 2030 }",
    ));
    let dh = var(&m, &r, "Emissions|Kyoto Gases|Heating|District");
    close(dh[9], 12.5);
    close(dh[Y2030], 1.25);
}

#[test]
fn carrier_ef_reaches_mixes() {
    let (m, r) = run_tiny(&measure(
        "id = \"d\"\nkind = \"carrier_ef\"\ntargets = [\"diesel\"]\nvalue = 0.2\nadoption = { curve = \"linear\", start = 2020, full = 2030 }",
    ));
    // diesel EF 2025: 0.25 · 0.9 = 0.225: cars 45,000 · 0.225 = 10.125 kt
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[Y2025],
        10.125,
    );
    // mix EF 0.5 · 1.0 · 0.225 = 0.1125 → 11.25 kt
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Heating|District")[Y2025],
        11.25,
    );
}

#[test]
fn mix_switch_logistic_and_new_component() {
    let (m, r) = run_tiny(&measure(
        "id = \"w\"\nkind = \"mix_switch\"\ntargets = [\"district_heat\"]\nfrom = \"diesel\"\nto = \"wood\"\nvalue = 1.0\nadoption = { curve = \"logistic\", start = 2020, full = 2030 }",
    ));
    // logistic midpoint u = 0.5: diesel share 0.25 → EF 0.25·1.0·0.25 = 0.0625 → 6.25 kt
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Heating|District")[Y2025],
        6.25,
    );
    let (m, r) = run_tiny(&measure(
        "id = \"hp\"\nkind = \"mix_switch\"\ntargets = [\"district_heat\"]\nfrom = \"diesel\"\nto = \"electricity\"\ninput_per_output = 0.5\nvalue = 1.0\nadoption = { curve = \"step\", year = 2020 }",
    ));
    // EF 2025 = 0.5·0.5·0.05 = 0.0125 → 1.25 kt
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Heating|District")[Y2025],
        1.25,
    );
}

#[test]
fn removal_measure_and_neutrality_year() {
    let (m, r) = run_tiny(&measure(
        "id = \"r\"\nkind = \"removal\"\nsector = \"BECCS\"\nvalue = 3\nadoption = { curve = \"linear\", start = 2020, full = 2030 }",
    ));
    close(var(&m, &r, "Carbon Removal|BECCS")[Y2025], 1.5);
    close(var(&m, &r, "Carbon Removal")[Y2025], 3.5);
    assert_eq!(r.summary.neutrality_year, None);
    let (_, r) = run_tiny(&measure(
        "id = \"r\"\nkind = \"removal\"\nsector = \"BECCS\"\nvalue = 100\nadoption = { curve = \"step\", year = 2027 }",
    ));
    assert_eq!(r.summary.neutrality_year, Some(2027));
    assert_eq!(r.summary.net_zero_met, Some(true));
    // 2030 gross 10 + 12.5 + 5 = 27.5 ≤ 50 (0.5 · 100)
    close(r.summary.gross_kt, 27.5);
    assert_eq!(r.summary.gross_met, Some(true));
    assert!(r.summary.target_met);
    close(r.summary.reduction_vs_reference, 0.725);
}

#[test]
fn measures_on_one_target_multiply() {
    let one = "kind = \"activity\"\ntargets = [\"transport.cars\"]\nvalue = 0.5\nadoption = { curve = \"step\", year = 2020 }";
    let (m, r) = run_tiny(
        &(measure(&format!("id = \"a\"\n{one}")) + &measure(&format!("id = \"b\"\n{one}"))),
    );
    // 12.5 · 0.5 · 0.5
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[0],
        3.125,
    );
}

#[test]
fn driver_overrides() {
    let (m, r) = run_tiny("[drivers.population]\ngrowth = -0.1\n");
    // ratio 2022 = 0.9² = 0.81 → 12.5 · 0.81
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[2],
        10.125,
    );
    let (m, r) = run_tiny("[drivers.population]\npoints = { 2025 = 50 }\n");
    let cars = var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars");
    // kept (2020, 100), then (2025, 50): 2022 = 80 → 10; 2030 held at 50 → 6.25
    close(cars[2], 10.0);
    close(cars[Y2030], 6.25);
}

#[test]
fn uncertainty_factors_at_central_values() {
    let (m, r) = run_tiny(
        "[[uncertainty]]\ntarget = \"source:transport.*:activity\"\nfactor = { dist = \"normal\", mean = 1.2, sd = 0.01 }\n",
    );
    close(var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[0], 15.0);
    let (m, r) = run_tiny(
        "[[uncertainty]]\ntarget = \"driver:population\"\nfactor = { dist = \"uniform\", min = 0.4, max = 0.6 }\n",
    );
    // D = 100 + 0.5·(80 − 100) = 90 in 2030 → 12.5 · 0.9
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[Y2030],
        11.25,
    );
    let (m, r) = run_tiny(
        "[[uncertainty]]\ntarget = \"carrier:diesel:ef\"\nfactor = { dist = \"triangular\", min = 0.5, mode = 0.8, max = 1.0 }\n",
    );
    // diesel 0.2: cars 10, district heat 0.5·0.2·100,000 = 10
    close(var(&m, &r, "Emissions|Kyoto Gases")[0], 25.0);
    assert_eq!(m.uncertain_params().len(), 1);
}

#[test]
fn uncertain_full_year_uses_its_central_value() {
    let (m, r) = run_tiny(&measure(
        "id = \"a\"\nkind = \"activity\"\ntargets = [\"transport.cars\"]\nvalue = 0.2\nadoption = { curve = \"linear\", start = 2020, full = { dist = \"uniform\", min = 2028, max = 2032 } }",
    ));
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[Y2025],
        10.125,
    );
    assert_eq!(m.dyn_adoption, vec![kymsim::model::MeasureIx(0)]);
}

#[test]
fn inheritance_runs_parent_measures_first() {
    let parent = measure(
        "id = \"a\"\nkind = \"activity\"\ntargets = [\"transport.cars\"]\nvalue = 0.5\nadoption = { curve = \"step\", year = 2020 }",
    );
    let child = "extends = \"parent\"\n".to_string()
        + &measure(
            "id = \"a\"\nkind = \"activity\"\ntargets = [\"transport.cars\"]\nvalue = 0.2\nadoption = { curve = \"step\", year = 2020 }",
        );
    let (_d, lib) = scenarios(&[("parent", &parent), ("child", &child)]);
    let m = kymsim::model::compile(&tiny(), &lib.resolve("child").unwrap()).unwrap();
    let r = kymsim::engine::run_central(&m);
    // replaced, not added: 12.5 · 0.8
    close(var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[0], 10.0);
}

#[test]
fn aggregates_equal_the_sum_of_their_children() {
    let region = kymsim::data::load_region(&kymsim::data::DataSource::Embedded).unwrap();
    let lib = kymsim::scenario::ScenarioLibrary::bundled();
    for name in ["baseline", "programme", "neutral2040"] {
        let m = kymsim::model::compile(&region, &lib.resolve(name).unwrap()).unwrap();
        let r = kymsim::engine::run_central(&m);
        let names: Vec<&str> = m.variables.vars.iter().map(|v| v.name.as_str()).collect();
        let mut checked = 0;
        for parent in &names {
            if *parent == "Net Emissions|Kyoto Gases" {
                continue;
            }
            let prefix = format!("{parent}|");
            let children: Vec<&&str> = names
                .iter()
                .filter(|c| c.starts_with(&prefix) && !c[prefix.len()..].contains('|'))
                .collect();
            if children.is_empty() {
                continue;
            }
            for y in 0..m.ny {
                let sum: f64 = children.iter().map(|c| var(&m, &r, c)[y]).sum();
                let total = var(&m, &r, parent)[y];
                assert!(
                    (sum - total).abs() <= 1e-9 * total.abs().max(1.0),
                    "{name}: {parent} {y}: {sum} vs {total}"
                );
            }
            checked += 1;
        }
        assert!(checked > 10, "{name}: only {checked} aggregates");
        let net = var(&m, &r, "Net Emissions|Kyoto Gases");
        let gross = var(&m, &r, "Emissions|Kyoto Gases");
        let rem = var(&m, &r, "Carbon Removal");
        let land = var(&m, &r, "Emissions|Land Use");
        for y in 0..m.ny {
            assert!((net[y] - (gross[y] + land[y] - rem[y])).abs() < 1e-9);
        }
    }
}

#[test]
fn base_year_reproduces_the_dataset() {
    let region = kymsim::data::load_region(&kymsim::data::DataSource::Embedded).unwrap();
    let rows = kymsim::engine::calibration(&region).unwrap();
    let total = rows.iter().find(|r| r.sector == "Total").unwrap();
    // the derived 2021 figure: 6.4 t/person × 161,391 persons ≈ 1,033 kt, within 1 %
    let modelled = total.modelled_kt.unwrap();
    assert!((modelled / 1033.0 - 1.0).abs() < 0.01, "{modelled}");
    // every base-year sector of the history is reproduced within 1 %
    for r in &rows {
        if let Some(d) = r.difference() {
            assert!(d.abs() < 0.01, "{}: {d}", r.sector);
        }
    }
    // tiny: exactly 30 kt
    let rows = kymsim::engine::calibration(&tiny()).unwrap();
    close(rows.last().unwrap().modelled_kt.unwrap(), 30.0);
}

/// A factor of `dist` on `target`, in split group `group` when given.
fn factor(id: &str, target: &str, dist: &str, group: Option<&str>) -> String {
    let split = group.map_or(String::new(), |g| format!("split = \"{g}\"\n"));
    format!("[[uncertainty]]\nid = \"{id}\"\ntarget = \"{target}\"\nfactor = {dist}\n{split}\n")
}

/// A model of the tiny dataset evaluated at its central values with `set` changed, as a batch
/// sample is: (parameter name, value).
fn evaluate_at(m: &kymsim::model::Model, set: &[(&str, f64)]) -> kymsim::engine::CentralResult {
    let mut p = m.central();
    for (name, v) in set {
        let i = m.params.iter().position(|x| x.name == *name).unwrap();
        p[i] = *v;
    }
    kymsim::engine::run_at(m, &p)
}

#[test]
fn a_split_group_is_scaled_by_its_total_factor_at_central_values() {
    let text = factor(
        "cars",
        "source:transport.cars:activity",
        "{ dist = \"normal\", mean = 1.0, sd = 0.1, min = 0.6, max = 1.4 }",
        Some("g"),
    ) + &factor(
        "cows",
        "source:agriculture.cows:direct_ef",
        "{ dist = \"uniform\", min = 0.8, max = 1.2 }",
        Some("g"),
    ) + &factor(
        "total",
        "split:g",
        "{ dist = \"uniform\", min = 1.0, max = 1.04 }",
        None,
    );
    let (m, r) = run_tiny(&text);
    // T = 12.5 + 5 = 17.5 at the central values; f = (1.0 + 1.04)/2 = 1.02, so k = T·f/T = 1.02:
    // cars 12.5 · 1.02 = 12.75, cows 5 · 1.02 = 5.1, heat (not in the group) 12.5
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[0],
        12.75,
    );
    close(var(&m, &r, "Emissions|Kyoto Gases|Agriculture")[0], 5.1);
    close(var(&m, &r, "Emissions|Kyoto Gases")[0], 30.35);
    // every later year scales with the base year: cars 2025 = 11.25 · 1.02
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[Y2025],
        11.475,
    );
    // and the energy rows with the emissions: 45 GWh · 1.02
    close(
        var(&m, &r, "Final Energy|Transport|Cars|Diesel")[Y2025],
        45.9,
    );
    // a sample: cars × 1.2, total factor 1.0: S = 15 + 5 = 20, k = 17.5 · 1.0 / 20 = 0.875
    let r = evaluate_at(&m, &[("uncertainty.cars", 1.2), ("uncertainty.total", 1.0)]);
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[0],
        13.125,
    );
    close(var(&m, &r, "Emissions|Kyoto Gases|Agriculture")[0], 4.375);
}

#[test]
fn the_kept_split_total_includes_the_measures_central_values() {
    let text = factor(
        "cars",
        "source:transport.cars:activity",
        "{ dist = \"uniform\", min = 0.8, max = 1.2 }",
        Some("g"),
    ) + &factor(
        "heat",
        "source:heating.district:intensity",
        "{ dist = \"uniform\", min = 0.8, max = 1.2 }",
        Some("g"),
    ) + &measure(
        "id = \"insulation\"\nkind = \"efficiency\"\ntargets = [\"heating.district\"]\nvalue = { dist = \"uniform\", min = 0.1, max = 0.3 }\nadoption = { curve = \"step\", year = 2020 }",
    );
    let (m, r) = run_tiny(&text);
    // T = cars 12.5 + heat 12.5 · (1 − 0.2) = 22.5: the measure's central value 0.2 is in it
    close(var(&m, &r, "Emissions|Kyoto Gases")[0], 22.5 + 5.0);
    // a sample with the measure at 0.1: S = 12.5 + 11.25 = 23.75, k = 22.5/23.75; the group
    // keeps 22.5 in the base year (not 23.75), heat 11.25 · 22.5/23.75
    let r = evaluate_at(&m, &[("measure.insulation.value", 0.1)]);
    close(var(&m, &r, "Emissions|Kyoto Gases")[0], 27.5);
    close(
        var(&m, &r, "Emissions|Kyoto Gases|Heating|District")[0],
        11.25 * 22.5 / 23.75,
    );
}

#[test]
fn a_split_scale_that_is_not_a_positive_number_is_one() {
    let text = factor(
        "cows",
        "source:agriculture.cows:direct_ef",
        "{ dist = \"uniform\", min = 0.0, max = 2.0 }",
        Some("g"),
    ) + &factor(
        "total",
        "split:g",
        "{ dist = \"uniform\", min = 0.0, max = 2.0 }",
        None,
    );
    let (m, r) = run_tiny(&text);
    // central: T = 5, f = 1, k = 1
    close(var(&m, &r, "Emissions|Kyoto Gases|Agriculture")[0], 5.0);
    // f = 0: k = 5 · 0 / 6 = 0 is not > 0, so k = 1 and the cows keep 5 · 1.2 = 6
    let r = evaluate_at(&m, &[("uncertainty.cows", 1.2), ("uncertainty.total", 0.0)]);
    close(var(&m, &r, "Emissions|Kyoto Gases|Agriculture")[0], 6.0);
    // S = 0: k = 5/0 is not finite, so k = 1: the cows emit 0, not NaN
    let r = evaluate_at(&m, &[("uncertainty.cows", 0.0), ("uncertainty.total", 1.5)]);
    assert_eq!(var(&m, &r, "Emissions|Kyoto Gases|Agriculture")[0], 0.0);
    close(var(&m, &r, "Emissions|Kyoto Gases")[0], 25.0);
}

#[test]
fn unnamed_uncertainties_are_numbered_over_the_inherited_list() {
    let parent = factor(
        "a",
        "source:transport.cars:activity",
        "{ dist = \"uniform\", min = 0.9, max = 1.1 }",
        None,
    ) + "[[uncertainty]]\ntarget = \"carrier:diesel:ef\"\nfactor = { dist = \"uniform\", min = 0.9, max = 1.1 }\n";
    let child = "extends = \"parent\"\n\n[[uncertainty]]\ntarget = \"driver:population\"\nfactor = { dist = \"uniform\", min = 0.9, max = 1.1 }\n\n".to_string()
        + &factor("a", "source:agriculture.cows:direct_ef", "2.0", None);
    let (_d, lib) = scenarios(&[("parent", &parent), ("child", &child)]);
    let m = kymsim::model::compile(&tiny(), &lib.resolve("child").unwrap()).unwrap();
    let names: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
    // `a` is replaced where the parent had it (position 1); the unnamed ones are numbered by
    // their position in the whole list, the inherited ones first
    assert_eq!(
        names,
        [
            "uncertainty.a",
            "uncertainty.carrier:diesel:ef#2",
            "uncertainty.driver:population#3"
        ]
    );
    // the child's `a` acts, the parent's does not: cows 5 · 2, cars 12.5
    let r = kymsim::engine::run_central(&m);
    close(var(&m, &r, "Emissions|Kyoto Gases|Agriculture")[0], 10.0);
    close(var(&m, &r, "Emissions|Kyoto Gases|Transport|Cars")[0], 12.5);
}
