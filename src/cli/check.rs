//! `kymsim check`: compare two result sets within tolerances, for regression tests and CI.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::check::{self, DEFAULT_NOISE_K, Report, Tolerances};
use crate::error::Result;
use crate::output::OutputSet;

pub(super) const CHECK_ABOUT: &str = "\
Compares ACTUAL with EXPECTED (two result folders, or two CSV files) and exits 1 when they differ.

Rows are matched by key, never by position: IAMC files (results.csv, batch/stats.csv) by scenario,
region, variable, unit (and statistic, when the file has that column; the model column is ignored);
summary-type files (summary.csv, batch/summary.csv, wedges.csv, macc.csv, distributions.csv,
sensitivity.csv) by their key columns, e.g. scenario, or scenario + measure + year. A number cell
passes when |actual − expected| ≤ atol + rtol·|expected|; text cells must be equal. Missing and extra
scenarios, variables (rows), years (columns) and files are differences. In a folder every CSV file of
EXPECTED is compared; manifest.json and charts/ are not.

Per-variable tolerances (--tolerances FILE, TOML): keys are variable names (or summary column names)
or globs where * matches any run of characters:
  \"Final Energy|*\" = { rtol = 1e-6 }
  \"Emissions|Kyoto Gases\" = { rtol = 1e-9, atol = 1e-6 }
The most specific matching rule wins: an exact name beats any glob, then the glob with the most
literal (non-*) characters, then the one written first. A field the rule leaves out takes the
--rtol/--atol default.

Batch statistics: when the two sides used different sample counts or seeds (read from each side's
batch/summary.csv, else manifest.json), mean and quantile rows get an extra allowance of
k·c·sd·√(1/N_e + 1/N_a), with sd ≈ (p95 − p5)/3.29 of the expected side, c = 1 for the mean and the
normal-theory standard-error factor for a quantile (1.25 for p50, 1.36 for p25/p75, 2.11 for p5/p95),
and k = --noise-k. This is never narrower than k·sd/√min(N). The samples and seed columns are then
not compared.";

const CHECK_AFTER: &str = "\
Exit codes:
  0  equal within tolerance
  1  differences found
  2  bad input: an unreadable or malformed file, a CSV without the IAMC columns, a cell that is not
     a number, a bad tolerances file (the message names file, line and column)
  3  the JUnit file could not be written

Examples:
  kymsim check tests/golden/programme output
  kymsim check expected/results.csv output/results.csv --rtol 1e-4 --max-rows 50
  kymsim check golden out --tolerances check.toml --junit check-junit.xml";

/// Report format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings, a table of the largest differences, and a verdict
    Table,
    /// The whole report as JSON
    Json,
}

/// Arguments of `kymsim check`.
#[derive(Debug, Args)]
#[command(after_help = CHECK_AFTER)]
pub struct CheckArgs {
    /// Expected results: a folder (e.g. tests/golden/NAME) or a CSV file
    #[arg(value_name = "EXPECTED")]
    pub expected: PathBuf,
    /// Actual results: a folder or a CSV file, like EXPECTED
    #[arg(value_name = "ACTUAL")]
    pub actual: PathBuf,
    /// Relative tolerance: a cell passes when |a − e| ≤ atol + rtol·|e|
    #[arg(long, value_name = "R", default_value = "1e-6")]
    pub rtol: f64,
    /// Absolute tolerance (in the cell's unit)
    #[arg(long, value_name = "A", default_value = "1e-9")]
    pub atol: f64,
    /// TOML file of per-variable tolerances: "Final Energy|*" = { rtol = 1e-6, atol = 1e-9 }
    #[arg(long, value_name = "FILE")]
    pub tolerances: Option<PathBuf>,
    /// Batch statistics with different samples or seeds: allow k standard errors of noise
    #[arg(long, value_name = "K", default_value_t = DEFAULT_NOISE_K)]
    pub noise_k: f64,
    /// Show at most this many of the largest differences (and of each missing/extra list)
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub max_rows: usize,
    /// Also write a JUnit XML report (one test case per scenario × variable) to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Report format on standard output
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print only the verdict (table format)
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `kymsim check`.
pub fn check(args: CheckArgs) -> Result<i32> {
    let mut tol = Tolerances::new(args.rtol, args.atol).with_noise_k(args.noise_k);
    tol.validate()?;
    // before any work: the report never replaces a FIFO, device or folder
    if let Some(j) = &args.junit {
        crate::output::check_replaceable(j)?;
    }
    if let Some(f) = &args.tolerances {
        tol = tol.with_rules_file(f)?;
    }
    let report = check::compare(&args.expected, &args.actual, &tol)?;
    if let Some(j) = &args.junit {
        check::junit::write_junit(&report, j)?;
    }
    match args.format {
        Format::Json => print!("{}", report.to_json()),
        Format::Table if args.quiet => println!("{}", report.verdict()),
        Format::Table => print!("{}", report.render_text(args.max_rows)),
    }
    Ok(report.exit_code())
}

/// `kymsim run --check DIR [--bless]`: compares the fresh output folder `out` with `dir`
/// (tolerances: the defaults, plus `DIR/check.toml` when present). With `bless`, the files in
/// `fresh` (name, bytes) are then written into `dir` atomically and the exit code is 0.
pub fn after_run(
    out: &Path,
    dir: &Path,
    bless: bool,
    fresh: &[(&str, &[u8])],
    quiet: bool,
) -> Result<i32> {
    let mut tol = Tolerances::default();
    let rules = dir.join("check.toml");
    if rules.is_file() {
        tol = tol.with_rules_file(&rules)?;
    }
    let has_expected = dir.is_dir() && fresh.iter().any(|(name, _)| dir.join(name).is_file());
    let report: Option<Report> = if has_expected {
        Some(check::compare_dirs(dir, out, &tol)?)
    } else {
        None
    };
    if bless {
        let mut set = OutputSet::new(dir)?;
        for (name, bytes) in fresh {
            set.stage(name, bytes)?;
        }
        set.commit()?;
        if !quiet {
            match &report {
                Some(r) if r.equal => println!("{}: unchanged", dir.display()),
                Some(r) => {
                    println!("{}", r.verdict());
                    println!("blessed {}: rewrote {}", dir.display(), names(fresh));
                }
                None => println!("blessed {}: wrote {}", dir.display(), names(fresh)),
            }
        }
        return Ok(0);
    }
    let Some(report) = report else {
        return Err(crate::error::InputError::new(format!(
            "no expected results in `{}`",
            dir.display()
        ))
        .hint("create them with `kymsim run … --check DIR --bless`")
        .into());
    };
    if quiet {
        // nothing when equal; the one-line verdict when not, so a failure is never silent
        if !report.equal {
            println!("{}", report.verdict());
        }
        return Ok(report.exit_code());
    }
    print!("\n{}", report.render_text(20));
    Ok(report.exit_code())
}

fn names(fresh: &[(&str, &[u8])]) -> String {
    fresh.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use crate::check::{DEFAULT_ATOL, DEFAULT_RTOL};

    #[test]
    fn help_defaults_are_the_library_defaults() {
        // the defaults are written as text so that --help shows 1e-6, not 0.000001
        assert_eq!("1e-6".parse::<f64>().unwrap(), DEFAULT_RTOL);
        assert_eq!("1e-9".parse::<f64>().unwrap(), DEFAULT_ATOL);
    }
}
