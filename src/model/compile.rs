//! Compiling a scenario against a region into a [`Model`], as a pipeline of named phases:
//!
//! 1. [`accounting_exclusions`]: measures the region's accounting leaves out;
//! 2. [`driver_plans`] and [`uncertainty::factors`]: drivers and uncertainty factors;
//! 3. per measure ([`measures`]): resolve targets → validate per kind → lay out parameters;
//! 4. [`layout::lay_out_ops`]: energy slots, mixes and the operations on their rows;
//! 5. [`layout::static_arrays`]: the `[row × year]` arrays at the central values;
//! 6. [`VariablePlan::build`]: the output variables.
//!
//! The checks of the input, each giving a located error, happen in phases 1–3, in the mix order
//! of phase 4 (switches may make mixes form a cycle) and in [`check_driver_paths`] at the end
//! (a driver must stay ≥ 0 at its parameters' extremes); the rest lays out checked input.

mod layout;
mod measures;
mod uncertainty;

use super::*;
use crate::data::{Region, SourceKind};
use crate::error::{InputError, Result, did_you_mean, name_list};
use crate::scenario::{Located, MeasureAction, MeasureSpec, Scenario, ValueSpec};

/// Whether `id` matches `pattern`, where `*` matches any run of characters (dots included).
///
/// ```
/// use kymsim::model::glob_match;
/// assert!(glob_match("transport.road.*", "transport.road.cars"));
/// assert!(glob_match("*.cars", "transport.road.cars"));
/// assert!(!glob_match("transport.rail", "transport.road.cars"));
/// ```
pub fn glob_match(pattern: &str, id: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == id;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !id.starts_with(first) || id.len() < first.len() + last.len() || !id.ends_with(last) {
        return false;
    }
    let mut rest = &id[first.len()..id.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The parameter table as the phases fill it: each scenario value becomes a [`ParamIx`].
#[derive(Debug, Default)]
struct ParamTable {
    params: Vec<Param>,
}

/// The largest magnitude of any scenario value (removals in kt, costs in €/t, factors, years):
/// far above any real value, far below where sums of them overflow.
pub const MAX_MAGNITUDE: f64 = 1e6;

/// The probabilities at which a distribution's extremes are checked against the limits (the
/// samplers draw no closer to 0 or 1 in practice).
const EXTREME_P: f64 = 1e-12;

/// The gentlest logistic adoption curve: below it the curve's normalisation 0/0s.
pub const MIN_LOGISTIC_K: f64 = 0.01;

impl ParamTable {
    /// Adds a parameter after checking it lies within `bounds`.
    fn param(
        &mut self,
        name: String,
        spec: &ValueSpec,
        bounds: (f64, f64),
        err: impl Fn(String) -> InputError,
    ) -> Result<ParamIx> {
        let (lo, hi) = bounds;
        if let ValueSpec::Dist(d) = spec {
            d.check().map_err(&err)?;
        }
        let central = spec.central();
        if !central.is_finite() || central < lo || central > hi {
            return Err(err(format!(
                "`{name}` = {central} is outside its range {}",
                range_text(lo, hi)
            ))
            .into());
        }
        let (q_lo, q_hi) = match spec {
            ValueSpec::Dist(d) => (d.quantile(EXTREME_P), d.quantile(1.0 - EXTREME_P)),
            ValueSpec::Fixed(v) => (*v, *v),
        };
        for x in [central, q_lo, q_hi] {
            if !(x.is_finite() && x.abs() <= MAX_MAGNITUDE) {
                return Err(err(format!(
                    "`{name}` can reach {x:e}, beyond the limit of ±{MAX_MAGNITUDE:e} on any value"
                ))
                .hint("check the unit and the distribution's spread (a lognormal `sigma` of a few units already spans many orders of magnitude)")
                .into());
            }
        }
        let (slo, shi) = spec.support();
        let clamped_normal_ok = match spec {
            ValueSpec::Dist(crate::scenario::Dist::Normal { mean, sd, .. }) => {
                mean - 5.0 * sd >= lo.max(slo) - 1e-12 && mean + 5.0 * sd <= hi.min(shi) + 1e-12
            }
            _ => false,
        };
        if (slo < lo || shi > hi) && !clamped_normal_ok {
            return Err(err(format!(
                "`{name}` can take values outside its range {}",
                range_text(lo, hi)
            ))
            .hint("keep the distribution within the range (truncate a normal or lognormal with `min`/`max`)")
            .into());
        }
        self.params.push(Param {
            name,
            spec: spec.clone(),
            central,
            bounds,
            level: None,
        });
        Ok(ParamIx(self.params.len() - 1))
    }

    /// Puts parameter `i` (a measure's value) at a plan level: its central value and every draw
    /// are taken to it.
    fn set_level(&mut self, i: ParamIx, level: crate::model::Level) {
        let p = &mut self.params[i.0];
        p.central = level.apply(p.central);
        p.level = Some(level);
    }
}

pub(super) fn range_text(lo: f64, hi: f64) -> String {
    let f = |x: f64| {
        if x == f64::INFINITY {
            "∞".to_string()
        } else if x == f64::NEG_INFINITY {
            "−∞".to_string()
        } else {
            x.to_string()
        }
    };
    format!("[{}, {}]", f(lo), f(hi))
}

/// The most measures a scenario may have (attribution cost grows with their number).
pub const MAX_MEASURES: usize = 500;

/// Compiles `scenario` against `region` into a [`Model`], refusing measures that together
/// claim more than the whole of what they act on (docs/model.md, "Physical potential").
pub fn compile(region: &Region, scenario: &Scenario) -> Result<Model> {
    let (model, scenario) = compile_measures_of(region, scenario)?;
    check_potential(&model, &scenario)?;
    Ok(model)
}

/// Compiles without the potential check: for the union of two scenarios' measures that the
/// difference view evaluates (each scenario was checked on its own; together they overlap).
pub(crate) fn compile_union(region: &Region, scenario: &Scenario) -> Result<Model> {
    compile_measures_of(region, scenario).map(|(m, _)| m)
}

/// The model, with the scenario its measure indices refer to (without the measures the
/// accounting leaves out).
fn compile_measures_of<'s>(
    region: &Region,
    scenario: &'s Scenario,
) -> Result<(Model, std::borrow::Cow<'s, Scenario>)> {
    check_measure_count(scenario)?;
    let excluded = accounting_exclusions(region, scenario);
    let kept: std::borrow::Cow<'s, Scenario> = if excluded.iter().any(|e| e.whole) {
        let mut s = scenario.clone();
        s.measures
            .retain(|m| !excluded.iter().any(|e| e.whole && e.id == m.item.id()));
        std::borrow::Cow::Owned(s)
    } else {
        std::borrow::Cow::Borrowed(scenario)
    };
    let scenario: &Scenario = &kept;
    let mut params = ParamTable::default();
    let mut drivers = driver_plans(region, scenario, &mut params)?;
    let factors = uncertainty::factors(region, scenario, &mut params, &mut drivers)?;
    let compiled = measures::compile_measures(region, scenario, &mut params)?;
    let counted_until = |m: &MeasureSpec| -> Option<usize> {
        if region.count_ets_removals {
            return None;
        }
        ets_year(m).map(|y| (y.max(region.base_year) - region.base_year) as usize)
    };
    let counted: Vec<Option<usize>> = scenario
        .measures
        .iter()
        .map(|m| counted_until(&m.item))
        .collect();
    let ops = layout::lay_out_ops(region, scenario, &compiled, &counted)?;
    let measures: Vec<MeasureInfo> = compiled.measures.into_iter().map(|m| m.info).collect();
    let arrays = layout::static_arrays(region, &drivers, &params.params, &measures);
    let variables = VariablePlan::build(
        region,
        &measures,
        &ops.removal_ops,
        &ops.slot_carrier,
        &ops.source_slots,
        &ops.blend_leaves,
        &ops.mix_components,
    );
    check_driver_paths(&drivers, &params.params, region.base_year)?;
    let model = Model {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        extends: scenario.extends.clone(),
        region: region.name.clone(),
        base_year: region.base_year,
        ny: region.n_years(),
        target: region.target.clone(),
        milestones: region.milestones.clone(),
        criteria: criteria::Criteria::of(
            &region.target,
            &region.milestones,
            region.budget.as_ref(),
        ),
        accounting: region.accounting.clone(),
        count_ets_removals: region.count_ets_removals,
        excluded,
        params: params.params,
        measures,
        source_ids: region.sources.iter().map(|s| s.id.clone()).collect(),
        source_in_ha: region
            .sources
            .iter()
            .map(|s| s.activity_unit == "ha")
            .collect(),
        source_direct_only: region
            .sources
            .iter()
            .map(|s| s.kind != SourceKind::Emission)
            .collect(),
        act0: arrays.act0,
        dyn_drivers: arrays.dyn_drivers,
        dyn_pow: arrays.dyn_pow,
        dyn_activity: arrays.dyn_activity,
        int0: arrays.int0,
        def0: region.sources.iter().map(|s| s.direct_ef).collect(),
        source_factors: factors.source,
        split_groups: factors.split_groups,
        mult_ops: ops.mult_ops,
        slot_carrier: ops.slot_carrier,
        source_slots: ops.source_slots,
        slot_share: ops.slot_share,
        fuel_switches: ops.fuel_switches,
        ef0: arrays.ef0,
        carrier_factors: factors.carrier,
        carrier_ops: ops.carrier_ops,
        mixes: ops.mixes,
        mix_components: ops.mix_components,
        mix_switches: ops.mix_switches,
        blend_leaves: ops.blend_leaves,
        removal_ops: ops.removal_ops,
        ccs_flows: ops.ccs_flows,
        land_management: ops.land_management,
        land_moves: ops.land_moves,
        drivers,
        source_driver: region
            .sources
            .iter()
            .map(|s| s.driver.map(DriverIx))
            .collect(),
        adoption0: arrays.adoption0,
        dyn_adoption: arrays.dyn_adoption,
        n_carriers: region.carriers.len(),
        carrier_ids: region.carriers.iter().map(|c| c.id.clone()).collect(),
        variables,
    };
    Ok((model, kept))
}

/// Refuses measures that together claim more than the whole of a source, fuel or land
/// category (docs/model.md, "Physical potential").
fn check_potential(model: &Model, scenario: &Scenario) -> Result<()> {
    let Some((claim, m)) = super::potential::first_overclaim(model) else {
        return Ok(());
    };
    let spec = &scenario.measures[m];
    Err(spec
        .error_at(
            &spec.item.common.value.span(),
            super::potential::overclaim_message(model, &claim),
        )
        .hint(super::potential::OVERCLAIM_HINT)
        .into())
}

/// Refuses a scenario with more than [`MAX_MEASURES`] measures.
fn check_measure_count(scenario: &Scenario) -> Result<()> {
    if scenario.measures.len() > MAX_MEASURES {
        let m = &scenario.measures[MAX_MEASURES];
        return Err(m
            .error(format!(
                "scenario `{}` has {} measures; at most {MAX_MEASURES} are allowed",
                scenario.name,
                scenario.measures.len()
            ))
            .hint("group similar measures into one measure with several targets")
            .into());
    }
    Ok(())
}

/// The year from which a measure's removal is at an installation in the EU ETS: `ets = true`
/// (always: `i32::MIN`) or `ets_from = YEAR`, on a `removal` or a `ccs`.
pub(super) fn ets_year(m: &MeasureSpec) -> Option<i32> {
    let (ets, from) = m.action.ets_keys()?;
    match (ets.as_ref().map(|e| *e.get_ref()), from) {
        (_, Some(y)) => Some(*y.get_ref()),
        (Some(true), None) => Some(i32::MIN),
        _ => None,
    }
}

/// Phase 1: the removals at EU ETS installations that the region's accounting leaves out: a
/// `removal` at an installation in the ETS from the base year on is left out of the model; a
/// `ccs` keeps its capture of fossil CO2 and loses its removal from the year its plant joins
/// the ETS, as does a `removal` that joins later (`RemovalOp::counted_until`).
fn accounting_exclusions(region: &Region, scenario: &Scenario) -> Vec<ExcludedMeasure> {
    if region.count_ets_removals {
        return Vec::new();
    }
    let basis = region.accounting.as_deref().unwrap_or("region's");
    scenario
        .measures
        .iter()
        .filter_map(|m| {
            let year = ets_year(&m.item)?;
            let id = m.item.id().to_string();
            let whole = m.item.kind() == crate::scenario::MeasureKind::Removal
                && year <= region.base_year;
            let reason = match (whole, m.item.kind()) {
                (true, _) => format!(
                    "a removal at an EU ETS installation, whose emissions the {basis} accounting leaves out (region.toml `count_ets_removals = false`)"
                ),
                (false, crate::scenario::MeasureKind::Ccs) if year <= region.base_year => format!(
                    "its captured biogenic CO2 is a removal at an EU ETS installation, which the {basis} accounting leaves out (region.toml `count_ets_removals = false`); its capture of fossil CO2 counts"
                ),
                _ => format!(
                    "its removal is not counted from {year}, when its installation joins the EU ETS, whose emissions the {basis} accounting leaves out (region.toml `count_ets_removals = false`)"
                ),
            };
            Some(ExcludedMeasure {
                name: m.item.common.name.clone().unwrap_or_else(|| id.clone()),
                id,
                reason,
                whole,
            })
        })
        .collect()
}

/// Phase 2a: each driver's path with the scenario's overrides; a `growth` becomes a parameter.
fn driver_plans(
    region: &Region,
    scenario: &Scenario,
    params: &mut ParamTable,
) -> Result<Vec<DriverPlan>> {
    let ny = region.n_years();
    let base = region.base_year;
    let mut drivers: Vec<DriverPlan> = region
        .drivers
        .iter()
        .map(|d| DriverPlan {
            id: d.id.clone(),
            path: (0..ny)
                .map(|i| d.trajectory.at((base + i as i32) as f64))
                .collect(),
            growth: None,
            factors: Vec::new(),
        })
        .collect();
    for (id, o) in &scenario.drivers {
        let Some(di) = region.driver_index(id) else {
            let ids = region.drivers.iter().map(|d| d.id.as_str());
            return Err(o
                .error(format!("unknown driver `{id}`"))
                .hint(
                    did_you_mean(id, ids.clone())
                        .unwrap_or_else(|| format!("known drivers: {}", name_list(ids))),
                )
                .into());
        };
        match (&o.item.points, &o.item.growth) {
            (Some(points), None) => {
                let mut pts: Vec<(i32, f64)> = Vec::new();
                for (k, v) in points {
                    let year = parse_year(k).ok_or_else(|| {
                        o.error(format!("driver `{id}` point `{k}` is not a year"))
                    })?;
                    if !(v.is_finite() && *v > 0.0) {
                        return Err(o
                            .error(format!(
                                "driver `{id}` value {v} in {year} must be positive"
                            ))
                            .into());
                    }
                    pts.push((year, *v));
                }
                pts.sort_by_key(|p| p.0);
                let first = pts[0].0;
                let data = &region.drivers[di].trajectory;
                let mut all: Vec<(i32, f64)> = data
                    .points()
                    .iter()
                    .copied()
                    .filter(|p| p.0 < first)
                    .collect();
                all.extend(pts);
                let traj = crate::data::Trajectory::new(all);
                drivers[di].path = (0..ny).map(|i| traj.at((base + i as i32) as f64)).collect();
            }
            (None, Some(g)) => {
                let p = params.param(
                    format!("driver.{id}.growth"),
                    g.get_ref(),
                    (-0.5, 0.5),
                    |msg| o.error_at(&g.span(), msg),
                )?;
                drivers[di].growth = Some(p);
            }
            _ => {
                return Err(o
                    .error(format!(
                        "driver override `{id}` needs exactly one of `points` or `growth`"
                    ))
                    .hint("points = { 2030 = 150000 } or growth = -0.005")
                    .into());
            }
        }
    }

    Ok(drivers)
}

fn is_split_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// Refuses drivers that go negative or non-finite: at the central values, and with each of
/// their uncertain parameters (growth, factors) at its extremes while the others stay central.
/// A driver below zero has no meaning (a negative population) and its power is NaN.
fn check_driver_paths(drivers: &[DriverPlan], params: &[Param], base: i32) -> Result<()> {
    let mut p: Vec<f64> = params.iter().map(|x| x.central).collect();
    let mut ratio = vec![0.0; drivers.first().map_or(0, |d| d.path.len())];
    for d in drivers {
        if !d.path.first().is_some_and(|&d0| d0.is_finite() && d0 > 0.0) {
            continue;
        }
        let check = |p: &[f64], ratio: &mut [f64], what: &str| -> Result<()> {
            driver_ratio(d, p, ratio);
            if let Some(y) = ratio.iter().position(|r| !(r.is_finite() && *r >= 0.0)) {
                return Err(InputError::new(format!(
                    "driver `{}` becomes {} in {} {what}",
                    d.id,
                    if ratio[y].is_finite() { "negative" } else { "not a finite number" },
                    base + y as i32,
                ))
                .hint("check the driver's values (drivers.csv, `points`) and narrow any factor or growth on it so that it stays ≥ 0 (a factor f scales the change from the base year: d₀ + f·(d − d₀))")
                .into());
            }
            Ok(())
        };
        check(&p, &mut ratio, "at the central values")?;
        for &i in d.growth.iter().chain(&d.factors) {
            let Some(dist) = params[i].spec.dist() else {
                continue;
            };
            let (lo, hi) = params[i].bounds;
            for u in [EXTREME_P, 1.0 - EXTREME_P] {
                let x = dist.quantile(u).clamp(lo, hi);
                p[i] = x;
                check(&p, &mut ratio, &format!("when `{}` = {x}", params[i].name))?;
            }
            p[i] = params[i].central;
        }
    }
    Ok(())
}

/// Fills `out[y]` = D[y]/D[base] for a driver plan at parameters `p` (DESIGN §3 driver rules).
pub fn driver_ratio(plan: &DriverPlan, p: &[f64], out: &mut [f64]) {
    let d0 = plan.path[0];
    let growth = plan.growth.map(|g| 1.0 + p[g]);
    let mut compound = 1.0;
    for (y, o) in out.iter_mut().enumerate() {
        let mut d = match growth {
            Some(g) => {
                let d = d0 * compound;
                compound *= g;
                d
            }
            None => plan.path[y],
        };
        for &f in &plan.factors {
            d = d0 + p[f] * (d - d0);
        }
        *o = d / d0;
    }
}

fn parse_year(key: &str) -> Option<i32> {
    key.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1800..=2300).contains(y))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::data::{DataSource, load_region};
    use crate::scenario::ScenarioLibrary;

    /// The tiny dataset of tests/fixtures: sources cars (0), district heat (1), cows (2),
    /// forest sink (3); carriers diesel (0), electricity (1), wood (2), district_heat (3, a mix
    /// of wood and diesel); population 100 (2020) → 80 (2030).
    pub(in crate::model) fn tiny() -> Region {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
        load_region(&DataSource::Dir(dir)).unwrap()
    }

    /// A scenario of `text` (no parent).
    pub(in crate::model) fn tiny_scenario(text: &str) -> Scenario {
        ScenarioLibrary::bundled()
            .resolve_bytes("s.toml", text.as_bytes())
            .unwrap()
    }

    /// A measure of `kind` with a step adoption and the given extra lines.
    pub(in crate::model) fn measure(id: &str, kind: &str, lines: &str) -> String {
        format!(
            "[[measures]]\nid = \"{id}\"\npillar = \"other\"\nkind = \"{kind}\"\nadoption = {{ curve = \"step\", year = 2025 }}\n{lines}\n"
        )
    }

    #[test]
    fn ets_removals_are_excluded_where_the_accounting_leaves_them_out() {
        let mut region = tiny();
        let sc = tiny_scenario(&format!(
            "{}{}",
            measure("r1", "removal", "sector = \"BECCS\"\nvalue = 5\nets = true"),
            measure("r2", "removal", "sector = \"DACCS\"\nvalue = 5")
        ));
        region.count_ets_removals = false;
        let excluded = accounting_exclusions(&region, &sc);
        assert_eq!(excluded.len(), 1);
        assert_eq!(excluded[0].id, "r1");
        assert!(
            excluded[0].reason.contains("test accounting"),
            "{}",
            excluded[0].reason
        );
        region.count_ets_removals = true;
        assert!(accounting_exclusions(&region, &sc).is_empty());
    }

    #[test]
    fn driver_growth_becomes_a_parameter_and_points_replace_the_data() {
        let region = tiny();
        let sc = tiny_scenario("[drivers.population]\ngrowth = -0.01\n");
        let mut params = ParamTable::default();
        let plans = driver_plans(&region, &sc, &mut params).unwrap();
        assert_eq!(plans[0].growth, Some(ParamIx(0)));
        assert_eq!(params.params[0].name, "driver.population.growth");
        // growth from the base year: 100 · 0.99² = 98.01 in 2022
        let mut ratio = vec![0.0; region.n_years()];
        driver_ratio(&plans[0], &[-0.01], &mut ratio);
        assert!((ratio[2] - 0.9801).abs() < 1e-12, "{}", ratio[2]);

        let sc = tiny_scenario("[drivers.population]\npoints = { 2025 = 50 }\n");
        let plans = driver_plans(&region, &sc, &mut ParamTable::default()).unwrap();
        // data 100 (2020) kept before the first override, then 50 from 2025 on:
        // 2022 = 100 + (50 − 100)·2/5 = 80
        assert_eq!(plans[0].path[2], 80.0);
        assert_eq!(plans[0].path[10], 50.0);
        assert_eq!(plans[0].growth, None);
    }

    #[test]
    fn the_pipeline_numbers_parameters_in_declaration_order() {
        let region = tiny();
        let sc = tiny_scenario(&format!(
            "[drivers.population]\ngrowth = -0.01\n{}{}",
            measure(
                "ev",
                "fuel_switch",
                "targets = [\"transport.cars\"]\nfrom = \"diesel\"\nto = \"electricity\"\nvalue = 0.5\nenergy_ratio = 0.3\ncost_eur_per_t = 10"
            ),
            measure("sink", "removal", "sector = \"BECCS\"\nvalue = 5")
        ));
        let m = compile(&region, &sc).unwrap();
        let names: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "driver.population.growth",
                "measure.ev.value",
                "measure.ev.cost",
                "measure.ev.energy_ratio",
                "measure.sink.value"
            ]
        );
        assert_eq!(m.measures[0].targets, "transport.cars");
        assert_eq!(m.measures[1].targets, "Carbon Removal|BECCS");
        assert_eq!(
            m.removal_ops,
            [RemovalOp {
                measure: MeasureIx(1),
                value: ParamIx(4),
                basis: RemovalBasis::Fixed,
                counted_until: None,
            }]
        );
    }
}
