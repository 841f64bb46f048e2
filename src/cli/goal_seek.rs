//! `kymsim goal-seek`: how far must one measure go, alone, for the scenario to meet the target?

use clap::{Args, ValueEnum};

use super::InputArgs;
use crate::decision::{Goal, Lever, goal_seek};
use crate::error::{InputError, Result, did_you_mean, name_list};

/// The measure parameter to search.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LeverArg {
    /// The measure's value: the smallest that meets the target (tolerance 1e-6)
    Value,
    /// The adoption's completion year: the latest that meets the target (tolerance 0.01 yr)
    Full,
}

/// The part of the target to meet in the target year.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TargetArg {
    /// Net emissions ≤ 0
    Net,
    /// Gross emissions ≤ the region's limit
    Gross,
    /// Every criterion of the region's target
    Both,
}

/// Arguments of `kymsim goal-seek`.
#[derive(Debug, Args)]
pub struct GoalSeekArgs {
    /// Scenario name (bundled, or in --scenarios) or path to a .toml file
    #[arg(value_name = "SCENARIO|FILE")]
    pub scenario: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// Id of the measure to push (`kymsim list scenarios` shows them)
    #[arg(long, value_name = "ID")]
    pub measure: String,
    /// Which parameter of the measure to search
    #[arg(long, value_enum, default_value = "value")]
    pub param: LeverArg,
    /// What must be met in the target year
    #[arg(long, value_enum, default_value = "both")]
    pub target: TargetArg,
    /// Print nothing but errors (the exit code says whether the target can be met)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `kymsim goal-seek`: exit 0 when the target can be met, 1 when this measure alone cannot.
pub fn goal_seek_cmd(args: GoalSeekArgs) -> Result<i32> {
    let region = args.input.region()?;
    let models = args
        .input
        .models(&region, std::slice::from_ref(&args.scenario))?;
    args.input.announce(&region, args.quiet);
    let (_, model) = &models[0];
    let Some(measure) = model.measures.iter().position(|m| m.id == args.measure) else {
        let ids = || model.measures.iter().map(|m| m.id.as_str());
        let hint = if model.measures.is_empty() {
            "this scenario has no measures".to_string()
        } else {
            did_you_mean(&args.measure, ids())
                .unwrap_or_else(|| format!("its measures are {}", name_list(ids())))
        };
        return Err(InputError::new(format!(
            "scenario `{}` has no measure `{}`",
            model.scenario, args.measure
        ))
        .hint(hint)
        .into());
    };
    let lever = match args.param {
        LeverArg::Value => Lever::Value,
        LeverArg::Full => Lever::Full,
    };
    let goal = match args.target {
        TargetArg::Net => Goal::Net,
        TargetArg::Gross => Goal::Gross,
        TargetArg::Both => Goal::Both,
    };
    let result = goal_seek(model, measure, lever, goal)?;
    if !args.quiet {
        println!("scenario `{}`", model.scenario);
        println!("{}", result.describe(model));
    }
    Ok(if result.met { 0 } else { 1 })
}
