//! `kymsim import-alas`: build a region dataset from Syke's ALas municipal results.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::alas::aggregate::{Framework, IssueKind, RegionMove};
use crate::alas::{self, Request};
use crate::error::{Error, InputError, IoKind, Result};
use crate::output::{OutputSet, fmt_num};

/// Accounting frameworks (see docs/alas-import.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FrameworkArg {
    /// hinku_laskenta TRUE rows, minus wind-power credits (Hinku rules)
    Hinku,
    /// hinku_laskenta TRUE rows, no credits
    HinkuNoWind,
    /// every ALas emission row
    All,
    /// päästökauppa TRUE rows (emissions trading only)
    Ets,
    /// päästökauppa FALSE rows (everything outside emissions trading)
    NonEts,
}

impl From<FrameworkArg> for Framework {
    fn from(f: FrameworkArg) -> Framework {
        match f {
            FrameworkArg::Hinku => Framework::Hinku,
            FrameworkArg::HinkuNoWind => Framework::HinkuNoWind,
            FrameworkArg::All => Framework::All,
            FrameworkArg::Ets => Framework::Ets,
            FrameworkArg::NonEts => Framework::NonEts,
        }
    }
}

/// Which boundary a region has over the years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BoundaryArg {
    /// today's municipalities (the list file's region) for every year
    Current,
    /// the region as it was each year, using the built-in table of moves (and --move)
    Historical,
}

/// Arguments of `kymsim import-alas`.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  kymsim import-alas --municipalities asukasluvut_2023.csv Tulokset_taso_5/ \\
      --region Kymenlaakso --out data/kymenlaakso-alas
  kymsim validate --data data/kymenlaakso-alas      # scenarios: data/kymenlaakso-alas/scenarios/

Files are `;`-separated with a decimal comma, as Syke publishes them. Gaps (a municipality
missing a year) and unknown codes are warnings (exit 0) listed in SOURCES.md; --strict makes
them errors (exit 2). The mapping table and the rules: docs/alas-import.md.")]
pub struct ImportAlasArgs {
    /// The municipality list (asukasluvut_<year>.csv: kuntanro, kunta_fi, maakunta_fi, …)
    #[arg(long, value_name = "LIST.csv")]
    pub municipalities: PathBuf,
    /// ALas municipality files kunta_<number>.csv, or folders of them
    #[arg(value_name = "FILES", required = true)]
    pub files: Vec<PathBuf>,
    /// Region name: the `maakunta_fi` whose municipalities are summed (also the dataset's name)
    #[arg(long, value_name = "NAME")]
    pub region: String,
    /// Output folder for the dataset
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Sum these municipality numbers instead of the region's, e.g. 075,285
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        conflicts_with = "boundary"
    )]
    pub only: Option<Vec<String>>,
    /// Boundary over the years
    #[arg(long, value_enum, default_value_t = BoundaryArg::Current)]
    pub boundary: BoundaryArg,
    /// Add a region move NUMBER:FROM:TO:YEAR (first year in TO) to the built-in table
    #[arg(long = "move", value_name = "MOVE")]
    pub moves: Vec<String>,
    /// Accounting framework (recorded as `accounting` in region.toml)
    #[arg(long, value_enum, default_value_t = FrameworkArg::Hinku)]
    pub framework: FrameworkArg,
    /// NUTS 3 code (default: looked up from the region name, e.g. FI1C4 for Kymenlaakso)
    #[arg(long)]
    pub code: Option<String>,
    /// Base year (default: the last year in the files)
    #[arg(long, value_name = "YEAR")]
    pub base_year: Option<i32>,
    /// Last modelled year
    #[arg(long, value_name = "YEAR", default_value_t = 2050)]
    pub end_year: i32,
    /// Target year
    #[arg(long, value_name = "YEAR", default_value_t = 2040)]
    pub target_year: i32,
    /// Reference year of the target (default: the first year in the files)
    #[arg(long, value_name = "YEAR")]
    pub reference_year: Option<i32>,
    /// Reference emissions in kt CO2e (default: the gross total of the reference year)
    #[arg(long, value_name = "KT")]
    pub reference_kt: Option<f64>,
    /// Gross emissions in the target year at most this fraction of the reference (`none`: no limit)
    #[arg(long, value_name = "FRACTION", default_value = "0.2")]
    pub max_gross_fraction: String,
    /// Require net emissions ≤ 0 in the target year
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub net_zero: bool,
    /// Also write the years after the base year as observations for `kymsim track`
    /// (year,variable,kt,sd_kt,provenance)
    #[arg(long, value_name = "FILE")]
    pub observed_out: Option<PathBuf>,
    /// Treat gaps, unknown codes and other warnings as errors (exit 2)
    #[arg(long)]
    pub strict: bool,
    /// Write into a folder that already has files (they are replaced)
    #[arg(long)]
    pub force: bool,
    /// Print nothing but warnings and errors
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_only(items: &[String]) -> Result<Vec<u32>> {
    items
        .iter()
        .map(|s| {
            s.trim().parse::<u32>().map_err(|_| {
                Error::from(
                    InputError::new(format!("--only: `{s}` is not a municipality number"))
                        .hint("give numbers separated by commas, e.g. --only 075,285"),
                )
            })
        })
        .collect()
}

fn parse_move(s: &str) -> Result<RegionMove> {
    let parts: Vec<&str> = s.split(':').collect();
    let bad = || {
        Error::from(
            InputError::new(format!("--move `{s}` is not NUMBER:FROM:TO:YEAR"))
                .hint("e.g. --move 142:Kymenlaakso:Päijät-Häme:2021"),
        )
    };
    let [n, from, to, year] = parts.as_slice() else {
        return Err(bad());
    };
    Ok(RegionMove {
        municipality: n.trim().parse().map_err(|_| bad())?,
        from: from.trim().to_string(),
        to: to.trim().to_string(),
        year: year.trim().parse().map_err(|_| bad())?,
    })
}

/// Runs `kymsim import-alas`.
pub fn import_alas(args: ImportAlasArgs) -> Result<i32> {
    crate::output::check_out_dir(&args.out)?;
    let only = args.only.as_deref().map(parse_only).transpose()?;
    let extra_moves = args
        .moves
        .iter()
        .map(|m| parse_move(m))
        .collect::<Result<Vec<_>>>()?;
    let max_gross_fraction = match args.max_gross_fraction.trim() {
        "none" => None,
        s => Some(s.parse::<f64>().map_err(|_| {
            Error::from(
                InputError::new(format!("--max-gross-fraction `{s}` is not a number"))
                    .hint("a fraction such as 0.2 (−80 %), or `none`"),
            )
        })?),
    };
    if args.out.is_dir() && !args.force {
        let non_empty = std::fs::read_dir(&args.out)
            .map_err(|e| Error::io(IoKind::Read, &args.out, e))?
            .next()
            .is_some();
        if non_empty {
            return Err(InputError::new(format!(
                "the output folder `{}` is not empty",
                args.out.display()
            ))
            .hint("choose a new folder, or add --force to replace the dataset files in it")
            .into());
        }
    }
    for stale in ["carrier_ef.csv", "carrier_mix.csv"] {
        if args.out.join(stale).exists() {
            return Err(InputError::new(format!(
                "`{}` has a {stale} that the imported dataset would load with the new files",
                args.out.display()
            ))
            .hint("remove it or choose an empty folder")
            .into());
        }
    }

    let req = Request {
        list: args.municipalities.clone(),
        files: args.files.clone(),
        region: args.region.clone(),
        only,
        historical: args.boundary == BoundaryArg::Historical,
        extra_moves,
        framework: args.framework.into(),
        code: args.code.clone(),
        base_year: args.base_year,
        end_year: args.end_year,
        target_year: args.target_year,
        reference_year: args.reference_year,
        reference_kt: args.reference_kt,
        max_gross_fraction,
        net_zero: args.net_zero,
    };
    let outcome = alas::import(&req)?;

    for i in &outcome.issues {
        let label = if i.kind == IssueKind::Skipped {
            "note"
        } else {
            "warning"
        };
        eprintln!("{label}: {}", i.message);
    }
    if let Err(msg) = &outcome.check {
        return Err(importer_bug(
            "the sums of the new dataset do not check",
            msg,
        ));
    }
    let strict_errors = outcome
        .issues
        .iter()
        .filter(|i| i.is_strict_error())
        .count();
    if args.strict && strict_errors > 0 {
        return Err(InputError::new(format!(
            "{strict_errors} problem(s) found and --strict is set; nothing was written"
        ))
        .hint("give the missing files or fix the codes, or drop --strict to import with warnings")
        .into());
    }

    let calibration = !outcome
        .issues
        .iter()
        .any(|i| i.kind == IssueKind::Unrepresentable);
    if let Err(msg) = alas::verify(&outcome.dataset, calibration) {
        return Err(importer_bug("the new dataset does not load", &msg));
    }

    let observed = match &args.observed_out {
        Some(file) => Some((
            file,
            alas::observed::observations_csv(
                &outcome.aggregate,
                &outcome.files,
                &outcome.settings,
                &outcome.dataset,
            )?,
        )),
        None => None,
    };

    let mut set = OutputSet::new(&args.out)?;
    for (name, bytes) in &outcome.dataset.files {
        set.stage(name, bytes)?;
    }
    // the observations: staged beside the dataset's files when in the same folder (one lock),
    // else in their own folder; committed after the dataset
    let mut observed_set = None;
    if let Some((file, bytes)) = &observed {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                InputError::new(format!("--observed-out `{}` names no file", file.display()))
                    .hint("give a file name such as observed.csv")
            })?
            .to_string();
        let parent = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let same = |a: &std::path::Path, b: &std::path::Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y);
        if same(&parent, &args.out) {
            set.stage(&name, bytes)?;
        } else {
            let mut s = OutputSet::new(&parent)?;
            s.stage(&name, bytes)?;
            observed_set = Some(s);
        }
    }
    set.commit()?;
    if let Some(s) = observed_set {
        s.commit()?;
    }

    if !args.quiet {
        let a = &outcome.aggregate;
        let s = &outcome.settings;
        let b = s.base_year;
        println!(
            "imported {}{}: {} municipalities, {}–{}, framework {}",
            s.name,
            if s.code.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.code)
            },
            outcome.members.len(),
            a.years.first().copied().unwrap_or(b),
            a.years.last().copied().unwrap_or(b),
            a.framework.name()
        );
        println!(
            "base year {b}: gross {} kt, wind credit {} kt, total {} kt in {} sources; reference {} = {} kt",
            fmt_num(a.gross(b)),
            fmt_num(a.credit(b)),
            fmt_num(a.total(b)),
            a.sources.len(),
            s.reference_year,
            fmt_num(s.reference_kt)
        );
        if strict_errors > 0 {
            println!("{strict_errors} warning(s), listed in SOURCES.md");
        }
        println!("wrote {}", args.out.display());
        if let Some((file, _)) = &observed {
            println!("wrote {}", file.display());
        }
    }
    Ok(0)
}

/// A check of the imported dataset that failed: a bug in the importer (exit code 3), not bad
/// input; nothing was written.
fn importer_bug(what: &str, detail: &str) -> Error {
    Error::internal(format!(
        "{what}: {detail} (a bug in the importer; nothing was written)"
    ))
}
