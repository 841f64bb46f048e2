//! A compiled model with some measures' values and completion years fixed at new numbers: the
//! model that compiling the scenario with those numbers written in (`value = …`,
//! `adoption.full = …`) gives, made from the compiled one without compiling again. The explorer
//! (`kymsim serve`) moves its sliders this way.
//!
//! Both numbers are parameters of the model ([`MeasureInfo::value`], [`MeasureInfo::full`]), the
//! same slots a batch's sampler draws; a number set here is fixed, no longer drawn. The checks
//! compiling makes of such a number are made here too: its range, and the measures' physical
//! potential (docs/model.md, "Physical potential").

use super::compile::{MAX_MAGNITUDE, range_text};
use super::potential::{OVERCLAIM_HINT, first_overclaim, overclaim_message};
use super::{Curve, MeasureInfo, MeasureIx, Model, Param};
use crate::error::{Error, InputError, Result};
use crate::scenario::ValueSpec;

/// New numbers for one measure: its value and its completion year, each fixed when given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureSetting {
    /// The measure.
    pub measure: MeasureIx,
    /// Its value (a fraction; kt CO2e/yr for a `removal`), before any plan level.
    pub value: Option<f64>,
    /// The completion year of its linear or logistic adoption.
    pub full: Option<f64>,
}

impl Model {
    /// This model with each setting's value and completion year fixed: parameter for
    /// parameter, array for array what compiling the scenario gives when each changed measure
    /// is written with `value = v` and `adoption.full = f` (so its results equal those of
    /// `kymsim run` of such a scenario to the last bit, and a batch draws the same samples for
    /// the other parameters).
    ///
    /// Refuses, as compiling does, a number outside its parameter's range, a completion year
    /// for a step or table adoption, and measures that together claim more than the whole of
    /// what they act on.
    ///
    /// The model keeps its scenario's name ([`Model::scenario`]); a batch keys its samples by
    /// that name, so name the model as the scenario file it stands for before batching it.
    pub fn with_params(&self, settings: &[MeasureSetting]) -> Result<Model> {
        let mut model = self.clone();
        for s in settings {
            let m = s.measure.0;
            let info = self.measures.get(m).ok_or_else(|| {
                Error::internal(format!(
                    "measure index {m} of a setting beyond the {} measures of scenario `{}`",
                    self.measures.len(),
                    self.scenario
                ))
            })?;
            if let Some(v) = s.value {
                fix(&mut model.params[info.value.0], v)?;
            }
            if let Some(f) = s.full {
                let p = info.full.ok_or_else(|| no_completion_year(info))?;
                fix(&mut model.params[p.0], f)?;
                let mut row = model.adoption0.row_mut(m);
                let row = row.as_slice_mut().ok_or_else(|| {
                    Error::internal("the adoption rows of a model are not contiguous")
                })?;
                info.curve.fill(self.base_year, f, row);
                model.dyn_adoption.retain(|&x| x != s.measure);
            }
        }
        if let Some((claim, _)) = first_overclaim(&model) {
            return Err(InputError::new(overclaim_message(&model, &claim))
                .hint(OVERCLAIM_HINT)
                .into());
        }
        Ok(model)
    }
}

/// Fixes `param` at `x` (then taken to the parameter's plan level, as compiling does), after
/// the checks compiling makes of a fixed number.
fn fix(param: &mut Param, x: f64) -> Result<()> {
    let (lo, hi) = param.bounds;
    if !(x.is_finite() && x >= lo && x <= hi) {
        return Err(InputError::new(format!(
            "`{}` = {x} is outside its range {}",
            param.name,
            range_text(lo, hi)
        ))
        .into());
    }
    if x.abs() > MAX_MAGNITUDE {
        return Err(InputError::new(format!(
            "`{}` can reach {x:e}, beyond the limit of ±{MAX_MAGNITUDE:e} on any value",
            param.name
        ))
        .into());
    }
    param.spec = ValueSpec::Fixed(x);
    param.central = param.level.map_or(x, |l| l.apply(x));
    Ok(())
}

fn no_completion_year(info: &MeasureInfo) -> Error {
    let curve = match info.curve {
        Curve::Linear { .. } => "linear",
        Curve::Logistic { .. } => "logistic",
        Curve::Step { .. } => "step",
        Curve::Table { .. } => "table",
    };
    InputError::new(format!(
        "measure `{}` has a {curve} adoption, which has no completion year",
        info.id
    ))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compile::compile;
    use crate::model::compile::tests::{measure, tiny, tiny_scenario};

    /// Two measures on the tiny dataset: an uncertain fuel switch with a linear adoption whose
    /// completion year is uncertain too, and a removal.
    fn text(ev_value: &str, ev_full: &str, sink: &str) -> String {
        format!(
            "[[measures]]\nid = \"ev\"\npillar = \"transport\"\nkind = \"fuel_switch\"\ntargets = [\"transport.cars\"]\nfrom = \"diesel\"\nto = \"electricity\"\nvalue = {ev_value}\nadoption = {{ curve = \"linear\", start = 2020, full = {ev_full} }}\n{}",
            measure(
                "sink",
                "removal",
                &format!("sector = \"BECCS\"\nvalue = {sink}")
            )
        )
    }

    /// The parts of a model that settings change, in a comparable form.
    fn settable(m: &Model) -> String {
        format!(
            "{:?}\n{:?}\n{:?}",
            m.params
                .iter()
                .map(|p| (&p.name, &p.spec, p.central.to_bits()))
                .collect::<Vec<_>>(),
            m.adoption0,
            m.dyn_adoption
        )
    }

    #[test]
    fn settings_give_the_model_compiled_with_the_numbers_written_in() {
        let region = tiny();
        let uncertain = text(
            "{ dist = \"triangular\", min = 0.2, mode = 0.4, max = 0.6 }",
            "{ dist = \"uniform\", min = 2028, max = 2032 }",
            "5",
        );
        let model = compile(&region, &tiny_scenario(&uncertain)).unwrap();
        assert_eq!(model.dyn_adoption, [MeasureIx(0)]);
        let set = model
            .with_params(&[
                MeasureSetting {
                    measure: MeasureIx(0),
                    value: Some(0.7),
                    full: Some(2026.5),
                },
                MeasureSetting {
                    measure: MeasureIx(1),
                    value: Some(12.0),
                    full: None,
                },
            ])
            .unwrap();
        let written = compile(&region, &tiny_scenario(&text("0.7", "2026.5", "12"))).unwrap();
        assert_eq!(settable(&set), settable(&written));
        // linear from 2020 to 2026.5: (2023 − 2020)/6.5 in 2023
        assert_eq!(set.adoption0[[0, 3]], 3.0 / 6.5);
        assert!(set.dyn_adoption.is_empty());
        // the model it was made from is untouched
        assert_eq!(model.params[0].central, 0.4);
    }

    #[test]
    fn a_setting_keeps_the_measures_plan_level() {
        let region = tiny();
        let leveled = |v: &str| {
            tiny_scenario(&measure(
                "sink",
                "removal",
                &format!("sector = \"BECCS\"\nvalue = {v}\nlevel = 0.5\nlevel_from = 2"),
            ))
        };
        let model = compile(&region, &leveled("10")).unwrap();
        let set = model
            .with_params(&[MeasureSetting {
                measure: MeasureIx(0),
                value: Some(20.0),
                full: None,
            }])
            .unwrap();
        // 2 + 0.5 · (20 − 2) = 11
        assert_eq!(set.params[0].central, 11.0);
        let written = compile(&region, &leveled("20")).unwrap();
        assert_eq!(settable(&set), settable(&written));
    }

    #[test]
    fn numbers_compiling_refuses_are_refused() {
        let region = tiny();
        let model = compile(&region, &tiny_scenario(&text("0.4", "2030", "5"))).unwrap();
        let refused = |s: MeasureSetting| model.with_params(&[s]).unwrap_err().to_string();
        let e = refused(MeasureSetting {
            measure: MeasureIx(0),
            value: Some(1.5),
            full: None,
        });
        assert!(
            e.contains("`measure.ev.value` = 1.5 is outside its range [0, 1]"),
            "{e}"
        );
        let e = refused(MeasureSetting {
            measure: MeasureIx(0),
            value: None,
            full: Some(2020.0),
        });
        assert!(
            e.contains("`measure.ev.full` = 2020 is outside its range"),
            "{e}"
        );
        let e = refused(MeasureSetting {
            measure: MeasureIx(1),
            value: None,
            full: Some(2030.0),
        });
        assert!(
            e.contains("measure `sink` has a step adoption, which has no completion year"),
            "{e}"
        );
        let e = refused(MeasureSetting {
            measure: MeasureIx(1),
            value: Some(2e6),
            full: None,
        });
        assert!(e.contains("beyond the limit of ±1e6"), "{e}");
        let e = refused(MeasureSetting {
            measure: MeasureIx(1),
            value: Some(f64::NAN),
            full: None,
        });
        assert!(e.contains("is outside its range"), "{e}");
        assert!(
            model
                .with_params(&[MeasureSetting {
                    measure: MeasureIx(7),
                    value: Some(0.1),
                    full: None,
                }])
                .is_err()
        );
    }

    #[test]
    fn settings_that_claim_more_than_there_is_are_refused_as_compiling_refuses_them() {
        let region = tiny();
        // two cuts in the forest's activity, in hectares: 40 % + 50 % of them
        let change = |id: &str, v: &str| {
            measure(
                id,
                "activity",
                &format!("targets = [\"lulucf.forest\"]\nvalue = {v}"),
            )
        };
        let model = compile(
            &region,
            &tiny_scenario(&format!("{}{}", change("a", "0.4"), change("b", "0.5"))),
        )
        .unwrap();
        let e = model
            .with_params(&[MeasureSetting {
                measure: MeasureIx(1),
                value: Some(0.7),
                full: None,
            }])
            .unwrap_err();
        let written = compile(
            &region,
            &tiny_scenario(&format!("{}{}", change("a", "0.4"), change("b", "0.7"))),
        )
        .unwrap_err();
        // the same words; compiling adds where in the file the value is
        assert!(
            written.to_string().starts_with(&e.to_string()),
            "{written} / {e}"
        );
        assert!(
            e.to_string()
                .contains("measures claim 110 % of the hectares"),
            "{e}"
        );
    }
}
