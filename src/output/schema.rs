//! The output schema: every file kymsim writes into `--out`, with its name (relative to the
//! output folder), its fixed columns and the record type its readers parse it into.
//!
//! The writers (`output`, `output::batch`, `batch`, `decision`) write these names and columns,
//! and the readers (`charts::load`, `check`, `output::recorded`) read them from here; the
//! tests below write each file and compare its header with the columns listed here, so a column
//! added to a writer without its schema entry fails. Files whose columns depend on the data
//! (one per year, one per milestone, one per uncertain parameter) list their fixed columns, and
//! the rule for the others is a function here ([`milestone_column`], …).

use std::ops::Deref;

use crate::engine::Summary;

// ---- files of `kymsim run`

/// IAMC results (`model,scenario,region,variable,unit,<years>`).
pub const RESULTS_CSV: &str = "results.csv";
/// One row per scenario: the target-year figures.
pub const SUMMARY_CSV: &str = "summary.csv";
/// What produced the outputs of a command (the only file with a timestamp).
pub const MANIFEST_JSON: &str = "manifest.json";
/// Region, scenarios and measures, for the charts.
pub const METADATA_JSON: &str = "metadata.json";
/// Shapley wedges of each measure.
pub const WEDGES_CSV: &str = "wedges.csv";
/// Marginal abatement cost table.
pub const MACC_CSV: &str = "macc.csv";
/// Each scenario against the reference scenario: the gap split into what makes it.
pub const DIFFERENCE_CSV: &str = "difference.csv";

// ---- files of `kymsim sensitivity`, `kymsim discover`

/// Sobol indices.
pub const SENSITIVITY_CSV: &str = "sensitivity.csv";
/// The inputs `sensitivity.csv` came from.
pub const SENSITIVITY_IDENTITY_JSON: &str = "sensitivity-identity.json";
/// Morris screening.
pub const MORRIS_CSV: &str = "morris.csv";
/// The inputs `morris.csv` came from.
pub const MORRIS_IDENTITY_JSON: &str = "morris_identity.json";
/// PRIM boxes.
pub const DISCOVERY_CSV: &str = "discovery.csv";
/// PRIM peeling trajectory.
pub const DISCOVERY_TRAJECTORY_CSV: &str = "discovery_trajectory.csv";
/// The inputs `discovery.csv` came from.
pub const DISCOVERY_IDENTITY_JSON: &str = "discovery_identity.json";

// ---- files of `kymsim batch` and `kymsim merge`

/// IAMC statistics of every cell.
pub const STATS_CSV: &str = "batch/stats.csv";
/// Per scenario: probabilities and target-year quantiles.
pub const BATCH_SUMMARY_CSV: &str = "batch/summary.csv";
/// Bins of target-year net emissions and neutrality years.
pub const DISTRIBUTIONS_CSV: &str = "batch/distributions.csv";
/// `--keep-samples`: every sample's top-level variables.
pub const SAMPLES_CSV: &str = "batch/samples.csv";
/// `--keep-samples`: every sample's drawn inputs.
pub const INPUTS_CSV: &str = "batch/inputs.csv";
/// What determines `batch/` (no timestamp).
pub const BATCH_IDENTITY_JSON: &str = "batch/identity.json";
/// SHA-256 of each result file of `batch/`, in `sha256sum` format.
pub const BATCH_CHECKSUMS: &str = "batch/checksums.sha256";
/// The batch's manifest.
pub const BATCH_MANIFEST_JSON: &str = "batch/manifest.json";
/// Part files of a sharded batch.
pub const PARTS_DIR: &str = "batch/parts";

// ---- columns

/// The IAMC key columns of `results.csv`, `batch/stats.csv` and `batch/samples.csv`; the
/// year columns follow (after `statistic` or `sample` in the batch files).
pub const IAMC_COLUMNS: [&str; 5] = ["model", "scenario", "region", "variable", "unit"];
/// The column of `batch/stats.csv` between the IAMC keys and the years.
pub const STATISTIC_COLUMN: &str = "statistic";
/// The column of `batch/samples.csv` between the IAMC keys and the years.
pub const SAMPLE_COLUMN: &str = "sample";

/// `summary.csv`, before one [`milestone_column`] per milestone.
pub const SUMMARY_COLUMNS: [&str; 14] = [
    "scenario",
    "target_year",
    "gross_kt",
    "removals_kt",
    "land_use_kt",
    "net_kt",
    "reference_kt",
    "reduction_vs_reference",
    "gross_limit_kt",
    "gross_met",
    "net_zero_met",
    "target_met",
    "neutrality_year",
    "cumulative_net_kt",
];

/// `summary.csv`'s column of a milestone.
pub fn milestone_column(year: i32) -> String {
    format!("milestone_{year}")
}

/// The columns of `summary.csv` after [`SUMMARY_COLUMNS`], generated from the criteria list:
/// each criterion reported on its own by its id (`milestone_<year>`, `within_budget`), the
/// budget followed by [`BUDGET_COLUMNS`].
pub fn criterion_columns(criteria: &crate::model::Criteria) -> Vec<String> {
    let mut out = Vec::new();
    for c in criteria.reported() {
        out.push(c.id.clone());
        if c.role == crate::model::criteria::Role::Budget {
            out.extend(BUDGET_COLUMNS.iter().map(|s| s.to_string()));
        }
    }
    out
}

/// The figures of the budget in `summary.csv`, after its `within_budget` verdict.
pub const BUDGET_COLUMNS: [&str; 3] = ["budget_used_kt", "budget_left_kt", "budget_exhausted_year"];

/// `batch/summary.csv`'s column of a criterion: P(met), `p_<id>`.
pub fn p_criterion_column(c: &crate::model::Criterion) -> String {
    format!("p_{}", c.id)
}

/// `batch/summary.csv`, before one [`p_criterion_column`] per criterion reported on its own.
pub const BATCH_SUMMARY_COLUMNS: [&str; 18] = [
    "scenario",
    "samples",
    "seed",
    "sampler",
    "target_year",
    "p_target_met",
    "p_gross_met",
    "p_net_zero_met",
    "net_kt_mean",
    "net_kt_p5",
    "net_kt_p25",
    "net_kt_p50",
    "net_kt_p75",
    "net_kt_p95",
    "neutrality_p5",
    "neutrality_p50",
    "neutrality_p95",
    "p_never",
];

/// `batch/summary.csv`'s column of a milestone.
pub fn p_milestone_column(year: i32) -> String {
    format!("p_milestone_{year}")
}

/// `batch/distributions.csv`.
pub const DISTRIBUTIONS_COLUMNS: [&str; 5] = ["scenario", "quantity", "bin_lo", "bin_hi", "count"];

/// `batch/inputs.csv`, before one column per uncertain parameter.
pub const INPUTS_COLUMNS: [&str; 2] = ["scenario", "sample"];

/// `wedges.csv`.
pub const WEDGES_COLUMNS: [&str; 6] = ["scenario", "measure", "pillar", "year", "kt", "se_kt"];

/// `difference.csv`.
pub const DIFFERENCE_COLUMNS: [&str; 8] = [
    "scenario",
    "reference",
    "year",
    "measure",
    "pillar",
    "contribution_kt",
    "owner",
    "annual_cost_meur",
];

/// `macc.csv`.
pub const MACC_COLUMNS: [&str; 8] = [
    "scenario",
    "measure",
    "name",
    "pillar",
    "target_year",
    "abatement_kt",
    "cost_eur_per_t",
    "annual_cost_meur",
];

/// The folder of `kymsim plan`'s files.
pub const PLAN_DIR: &str = "plan";
/// `plan/plan.toml`: the chosen plan as a scenario.
pub const PLAN_TOML: &str = "plan/plan.toml";
/// `plan/plan.csv`.
pub const PLAN_CSV: &str = "plan/plan.csv";
/// `plan/portfolio.csv`.
pub const PORTFOLIO_CSV: &str = "plan/portfolio.csv";
/// `plan/frontier.csv`.
pub const FRONTIER_CSV: &str = "plan/frontier.csv";
/// `plan/identity.json`: the kymsim version, menu, base, steps and input files of the plan (the
/// report shows `plan/` only while they are the run's).
pub const PLAN_IDENTITY_JSON: &str = "plan/identity.json";

/// `track/summary.csv` (written by `kymsim track`, `src/track/write.rs`; read by the report).
pub const TRACK_SUMMARY_CSV: &str = "track/summary.csv";
/// `track/observations.csv`.
pub const TRACK_OBSERVATIONS_CSV: &str = "track/observations.csv";
/// `track/deviation.csv`.
pub const TRACK_DEVIATION_CSV: &str = "track/deviation.csv";
/// `track/identity.json`: the inputs the update read.
pub const TRACK_IDENTITY_JSON: &str = "track/identity.json";

/// `track/observations.csv`'s columns.
pub const TRACK_OBSERVATIONS_COLUMNS: [&str; 8] = [
    "year",
    "variable",
    "observed_kt",
    "sd_kt",
    "p5",
    "p50",
    "p95",
    "percentile",
];
/// `track/deviation.csv`'s columns.
pub const TRACK_DEVIATION_COLUMNS: [&str; 5] = [
    "year",
    "variable",
    "observed_kt",
    "central_kt",
    "deviation_kt",
];

/// `plan/plan.csv`: one row.
pub const PLAN_COLUMNS: [&str; 14] = [
    "menu",
    "base",
    "probability_goal",
    "samples",
    "seed",
    "probability_in_sample",
    "probability_out_of_sample",
    "probability_out_of_sample_low",
    "probability_out_of_sample_high",
    "cost_meur_per_yr",
    "lower_bound_meur_per_yr",
    "gap",
    "nodes",
    "seconds",
];

/// `plan/portfolio.csv`: one row per candidate.
pub const PORTFOLIO_COLUMNS: [&str; 6] = [
    "measure",
    "name",
    "level",
    "value",
    "cost_meur_per_yr",
    "abatement_kt",
];

/// `plan/frontier.csv`: one row per probability goal.
pub const FRONTIER_COLUMNS: [&str; 4] = [
    "probability_goal",
    "cost_meur_per_yr",
    "lower_bound_meur_per_yr",
    "gap",
];

/// `sensitivity.csv`.
pub const SENSITIVITY_COLUMNS: [&str; 8] = [
    "scenario",
    "parameter",
    "first_order",
    "first_order_lo",
    "first_order_hi",
    "total_order",
    "total_order_lo",
    "total_order_hi",
];

/// `morris.csv`.
pub const MORRIS_COLUMNS: [&str; 5] = ["scenario", "parameter", "mu_star", "mu", "sigma"];

/// `discovery.csv`.
pub const DISCOVERY_COLUMNS: [&str; 9] = [
    "scenario",
    "outcome",
    "box",
    "parameter",
    "lower",
    "upper",
    "coverage",
    "density",
    "selected",
];

/// `discovery_trajectory.csv`.
pub const DISCOVERY_TRAJECTORY_COLUMNS: [&str; 10] = [
    "scenario",
    "outcome",
    "box",
    "coverage",
    "density",
    "mass",
    "samples",
    "restricted",
    "pasted",
    "selected",
];

/// The columns of `all` that are not in `except` (a reader's required columns are the schema's
/// except the optional ones, and its optional ones the schema's except the required ones).
pub fn columns_except<'a>(all: &[&'a str], except: &[&str]) -> Vec<&'a str> {
    all.iter()
        .copied()
        .filter(|c| !except.contains(c))
        .collect()
}

// ---- records

/// A row of `summary.csv` as read back: the engine's [`Summary`] of a scenario (the figures
/// `run` wrote from) and each milestone's verdict. Dereferences to the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRecord {
    /// The target-year figures. `cumulative_net_kt` is NaN when the file has no such column.
    pub summary: Summary,
    /// Each milestone of the metadata met (None: the column is absent or empty).
    pub milestones: Vec<Option<bool>>,
}

impl Deref for SummaryRecord {
    type Target = Summary;

    fn deref(&self) -> &Summary {
        &self.summary
    }
}

/// A row of `batch/summary.csv` as the charts read it back: the probabilities and the range of
/// target-year net emissions (the columns the report and the distribution chart show).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSummaryRecord {
    /// Samples.
    pub samples: u64,
    /// P(every criterion met).
    pub p_target_met: f64,
    /// P(net ≤ 0 in the target year).
    pub p_net_zero_met: Option<f64>,
    /// 5th percentile of target-year net emissions.
    pub net_kt_p5: f64,
    /// 95th percentile.
    pub net_kt_p95: f64,
    /// P(each milestone of the metadata met), None where the column is absent.
    pub p_milestones: Vec<Option<f64>>,
    /// P(within the carbon budget), None where the column is absent.
    pub p_within_budget: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataSource, load_region};
    use crate::scenario::ScenarioLibrary;

    fn header(bytes: &[u8]) -> Vec<String> {
        let text = std::str::from_utf8(bytes).unwrap();
        let first = text.lines().next().unwrap_or("");
        first.split(',').map(str::to_string).collect()
    }

    fn fixed(cols: &[&str]) -> Vec<String> {
        cols.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn the_summary_writer_writes_the_schema_columns() {
        let region = load_region(&DataSource::Embedded).unwrap();
        let sc = ScenarioLibrary::bundled().resolve("baseline").unwrap();
        let m = crate::model::compile(&region, &sc).unwrap();
        let r = crate::engine::run_central(&m);
        let got = header(&crate::output::summary_csv(&[(&m, &r)]));
        let mut want = fixed(&SUMMARY_COLUMNS);
        want.extend(criterion_columns(&m.criteria));
        assert_eq!(got, want);
        // Kymenlaakso has one milestone (2030) and a budget: 14 fixed columns + milestone_2030,
        // within_budget and the budget's 3 figures
        assert_eq!(got.len(), 19);
        assert_eq!(got[14], milestone_column(2030));
        let got = header(&crate::output::results_csv(&[(&m, &r)]));
        assert_eq!(&got[..5], &fixed(&IAMC_COLUMNS)[..]);
        assert_eq!(got[5], m.base_year.to_string());
    }

    #[test]
    fn the_batch_writers_write_the_schema_columns() {
        use crate::engine::batch::{BatchOptions, binning, run_batch};
        use crate::engine::sampler::SamplerKind;
        use crate::engine::stats::finish_cells;
        use crate::output::batch::{BatchOutcome, batch_summary_csv, distributions_csv, stats_csv};
        let region = load_region(&DataSource::Embedded).unwrap();
        let sc = ScenarioLibrary::bundled().resolve("baseline").unwrap();
        let m = crate::model::compile(&region, &sc).unwrap();
        let opts = BatchOptions::new(8, SamplerKind::MonteCarlo, 1);
        let bin = binning(&m, &opts);
        let never = std::sync::atomic::AtomicBool::new(false);
        let partial = run_batch(&m, &opts, &bin, &never, &|_| {}).unwrap();
        let cells = finish_cells(&partial, &bin);
        let o = [BatchOutcome {
            model: &m,
            partial: &partial,
            cells: &cells,
            seed: 1,
            sampler: "mc",
        }];
        let mut want = fixed(&BATCH_SUMMARY_COLUMNS);
        want.extend(m.criteria.reported().map(p_criterion_column));
        // p_milestone_2030 and p_within_budget follow the 18 fixed columns
        assert_eq!(want.len(), 20);
        assert_eq!(want[18], p_milestone_column(2030));
        assert_eq!(header(&batch_summary_csv(&o)), want);
        assert_eq!(
            header(&distributions_csv(&o)),
            fixed(&DISTRIBUTIONS_COLUMNS)
        );
        let stats = header(&stats_csv(&o));
        assert_eq!(&stats[..5], &fixed(&IAMC_COLUMNS)[..]);
        assert_eq!(stats[5], STATISTIC_COLUMN);
        // the years follow: base year 2021 through 2050 is 30 columns
        assert_eq!(stats.len(), 6 + 30);
    }

    #[test]
    fn columns_except_leaves_out_the_named_ones() {
        assert_eq!(
            columns_except(&DISTRIBUTIONS_COLUMNS, &["scenario", "quantity", "count"]),
            vec!["bin_lo", "bin_hi"]
        );
    }
}
