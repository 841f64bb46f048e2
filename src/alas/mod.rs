//! Importing Syke's ALas municipal emission results as a kymsim region dataset.
//!
//! Syke publishes each municipality's inventory (`kunta_<number>.csv`) and a municipality list
//! (`asukasluvut_<year>.csv`). [`import`] reads them ([`reader`]), picks the region's
//! municipalities and the rows of one accounting framework, sums them per kymsim source and year
//! ([`mapping`], [`aggregate`]), checks the sums against an independent sum of the rows, and
//! builds the dataset's files ([`write`]). The command `kymsim import-alas` writes them.
//! Rules and the mapping table: `docs/alas-import.md`.

pub mod aggregate;
pub mod mapping;
pub mod observed;
pub mod reader;
pub mod write;

use std::path::{Path, PathBuf};

use crate::error::{Error, InputError, IoKind, Result};
use crate::input::TextFile;
use aggregate::{Aggregate, Framework, Issue, IssueKind, Member, RegionMove, Selection};
use reader::AlasRow;
use write::{Dataset, InputInfo, Settings};

/// NUTS 3 codes (NUTS 2021) of Finland's regions, by `maakunta_fi`.
pub const NUTS3: &[(&str, &str)] = &[
    ("Uusimaa", "FI1B1"),
    ("Varsinais-Suomi", "FI1C1"),
    ("Kanta-Häme", "FI1C2"),
    ("Päijät-Häme", "FI1C3"),
    ("Kymenlaakso", "FI1C4"),
    ("Etelä-Karjala", "FI1C5"),
    ("Keski-Suomi", "FI193"),
    ("Etelä-Pohjanmaa", "FI194"),
    ("Pohjanmaa", "FI195"),
    ("Satakunta", "FI196"),
    ("Pirkanmaa", "FI197"),
    ("Etelä-Savo", "FI1D1"),
    ("Pohjois-Savo", "FI1D2"),
    ("Pohjois-Karjala", "FI1D3"),
    ("Keski-Pohjanmaa", "FI1D5"),
    ("Lappi", "FI1D7"),
    ("Kainuu", "FI1D8"),
    ("Pohjois-Pohjanmaa", "FI1D9"),
    ("Ahvenanmaa", "FI200"),
];

/// The NUTS 3 code of a region named as in `maakunta_fi` (case-insensitive).
pub fn nuts3(region: &str) -> Option<&'static str> {
    let r = region.trim().to_lowercase();
    NUTS3
        .iter()
        .find(|(n, _)| n.to_lowercase() == r)
        .map(|(_, c)| *c)
}

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Request {
    /// The municipality list (`asukasluvut_<year>.csv`).
    pub list: PathBuf,
    /// Municipality files; a folder stands for its `kunta_*.csv` files.
    pub files: Vec<PathBuf>,
    /// Region name (`maakunta_fi`, or any name with `only`).
    pub region: String,
    /// An explicit list of municipality numbers instead of the region's.
    pub only: Option<Vec<u32>>,
    /// Apply region moves year by year (`--boundary historical`).
    pub historical: bool,
    /// Moves added to the built-in table.
    pub extra_moves: Vec<RegionMove>,
    /// Accounting framework.
    pub framework: Framework,
    /// NUTS 3 code (default: looked up from the region name).
    pub code: Option<String>,
    /// Base year (default: the last year in the files).
    pub base_year: Option<i32>,
    /// Last modelled year.
    pub end_year: i32,
    /// Target year.
    pub target_year: i32,
    /// Reference year (default: the first year in the files).
    pub reference_year: Option<i32>,
    /// Reference emissions (default: the gross total of the reference year).
    pub reference_kt: Option<f64>,
    /// Gross emissions limit as a fraction of the reference (`None`: no gross limit).
    pub max_gross_fraction: Option<f64>,
    /// Net ≤ 0 required in the target year.
    pub net_zero: bool,
}

/// The result of an import, before anything is written.
#[derive(Debug)]
pub struct Outcome {
    /// The dataset's files.
    pub dataset: Dataset,
    /// The sums.
    pub aggregate: Aggregate,
    /// The member municipalities.
    pub members: Vec<Member>,
    /// Every problem found (aggregation and writing), in a stable order.
    pub issues: Vec<Issue>,
    /// The settings written to region.toml.
    pub settings: Settings,
    /// `Err` when the sums disagree with the independent sum of the rows (a bug: exit 3).
    pub check: std::result::Result<(), String>,
    /// The ALas municipality files read, by file name.
    pub files: Vec<String>,
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Expands folders into their `kunta_*.csv` files, sorted by name.
fn expand(files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(f)
                .map_err(|e| Error::io(IoKind::Read, f, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = file_name(p);
                    n.starts_with("kunta_") && n.ends_with(".csv")
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(InputError::new(format!(
                    "the folder `{}` has no kunta_*.csv files",
                    f.display()
                ))
                .hint("give the ALas municipality files (Tulokset_taso_5/kunta_<number>.csv) or their folder")
                .into());
            }
            out.extend(found);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

fn quote_arg(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "-_.,:/".contains(c))
    {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\\\""))
    }
}

/// Runs the import: reads, aggregates, checks and builds the files. Writes nothing.
pub fn import(req: &Request) -> Result<Outcome> {
    let list_file = TextFile::read(&req.list)?;
    let list_name = file_name(&req.list);
    let list = reader::read_municipality_list(&list_file, &req.list)?;

    let mut moves = aggregate::known_moves();
    moves.extend(req.extra_moves.iter().cloned());
    let selection = match &req.only {
        Some(numbers) => Selection::Only(numbers.clone()),
        None => Selection::Region {
            name: req.region.clone(),
            historical: req.historical,
            moves: moves.clone(),
        },
    };
    let members = aggregate::members(&list, &selection)?;
    let read = read_member_files(req, &list, &members, &list_file, &list_name)?;
    let (rows, names, inputs, skipped) = (read.rows, read.names, read.inputs, read.skipped);

    let agg = aggregate::aggregate(&rows, &names, &members, req.framework);
    if agg.years.is_empty() {
        return Err(InputError::new(format!(
            "none of the files has rows for the municipalities of `{}` ({})",
            req.region,
            members
                .iter()
                .take(10)
                .map(Member::label)
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("give the members' files kunta_<number>.csv (or their folder)")
        .into());
    }
    let independent = aggregate::independent_totals(&rows, &members, req.framework);
    let check = aggregate::cross_check(&agg, &independent);

    let years = check_years(req, &agg)?;
    let (base_year, reference_year) = (years.base_year, years.reference_year);
    let (reference_kt, reference_note) = (years.reference_kt, years.reference_note);

    let code = match &req.code {
        Some(c) => c.clone(),
        None => nuts3(&req.region).unwrap_or("").to_string(),
    };
    let boundary = boundary_text(&selection, &list, &list_name);
    let command = command_text(req, &list_name, &names, skipped);

    let settings = Settings {
        name: req.region.clone(),
        code,
        base_year,
        end_year: req.end_year,
        target_year: req.target_year,
        reference_year,
        reference_kt,
        reference_note,
        max_gross_fraction: req.max_gross_fraction,
        net_zero: req.net_zero,
        boundary,
        command,
    };
    let dataset = write::build(&agg, &members, &list, &list_name, &inputs, &settings);
    let mut issues = agg.issues.clone();
    issues.extend(dataset.issues.iter().cloned());
    if skipped > 0 {
        issues.push(Issue {
            kind: IssueKind::Skipped,
            message: format!(
                "{skipped} file(s) of municipalities outside the region were not read"
            ),
        });
    }
    Ok(Outcome {
        dataset,
        aggregate: agg,
        members,
        issues,
        settings,
        check,
        files: names,
    })
}

/// The member files read, in order of municipality number.
struct MemberFiles {
    rows: Vec<AlasRow>,
    names: Vec<String>,
    inputs: Vec<InputInfo>,
    /// Files of municipalities outside the region, not read.
    skipped: usize,
}

/// Reads the files of the region's members (a file named for a non-member is skipped unread);
/// a municipality with rows in two files is refused.
fn read_member_files(
    req: &Request,
    list: &reader::MunicipalityList,
    members: &[Member],
    list_file: &TextFile,
    list_name: &str,
) -> Result<MemberFiles> {
    let is_member = |n: u32| members.iter().any(|m| m.number == n);
    // read the member files (a file named for a non-member is skipped unread)
    let paths = expand(&req.files)?;
    let mut paths: Vec<(Option<u32>, PathBuf)> = paths
        .into_iter()
        .map(|p| (reader::number_from_file_name(&p), p))
        .collect();
    paths.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut rows: Vec<AlasRow> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut inputs: Vec<InputInfo> = vec![InputInfo {
        name: list_name.to_string(),
        sha256: list_file.sha256.clone(),
        role: "municipality list".into(),
    }];
    let mut skipped = 0usize;
    let mut owner: Vec<(u32, usize)> = Vec::new();
    for (number, path) in &paths {
        if let Some(n) = number
            && !is_member(*n)
        {
            skipped += 1;
            continue;
        }
        let file = TextFile::read(path)?;
        let index = names.len();
        names.push(file_name(path));
        let file_rows = reader::read_municipality_file(&file, path, index)?;
        let mut here: Vec<u32> = file_rows.iter().map(|r| r.municipality).collect();
        here.sort_unstable();
        here.dedup();
        for &n in &here {
            if let Some(&(_, other)) = owner.iter().find(|(m, _)| *m == n) {
                return Err(InputError::new(format!(
                    "municipality {n:03} has rows in two files: {} and {}",
                    names[other], names[index]
                ))
                .in_file(path.display().to_string())
                .hint("give each municipality's results once")
                .into());
            }
            owner.push((n, index));
        }
        let role = match here.as_slice() {
            [n] => match list.get(*n) {
                Some(m) if is_member(*n) => format!("{} ({n:03})", m.name),
                Some(m) => format!("{} ({n:03}): not in the region, not counted", m.name),
                None => format!("{n:03}: not in the municipality list, not counted"),
            },
            many => format!(
                "{} municipalities, {} of them in the region",
                many.len(),
                many.iter().filter(|n| is_member(**n)).count()
            ),
        };
        inputs.push(InputInfo {
            name: names[index].clone(),
            sha256: file.sha256.clone(),
            role,
        });
        rows.extend(file_rows);
    }

    Ok(MemberFiles {
        rows,
        names,
        inputs,
        skipped,
    })
}

/// The base year, the reference year and emissions of the target, checked against the years
/// the files hold.
struct Years {
    base_year: i32,
    reference_year: i32,
    reference_kt: f64,
    reference_note: String,
}

fn check_years(req: &Request, agg: &Aggregate) -> Result<Years> {
    let first = agg.years[0];
    let last = *agg.years.last().unwrap_or(&first);
    let base_year = req.base_year.unwrap_or(last);
    if !agg.years.contains(&base_year) {
        return Err(InputError::new(format!(
            "base year {base_year} is not in the files (they have {})",
            aggregate::year_list(&agg.years)
        ))
        .hint("choose --base-year among the years in the files")
        .into());
    }
    if req.end_year <= base_year || req.end_year > base_year + 150 {
        return Err(InputError::new(format!(
            "end year {} must be after the base year {base_year} (and at most 150 years later)",
            req.end_year
        ))
        .hint("set --end-year")
        .into());
    }
    if req.target_year < base_year || req.target_year > req.end_year {
        return Err(InputError::new(format!(
            "target year {} is outside the modelled years {base_year}–{}",
            req.target_year, req.end_year
        ))
        .hint("set --target-year (or --end-year)")
        .into());
    }
    let reference_year = req.reference_year.unwrap_or(first);
    let (reference_kt, reference_note) = match req.reference_kt {
        Some(kt) => (kt, "given with --reference-kt".to_string()),
        None => {
            if !agg.years.contains(&reference_year) {
                return Err(InputError::new(format!(
                    "reference year {reference_year} is not in the files (they have {})",
                    aggregate::year_list(&agg.years)
                ))
                .hint(
                    "choose --reference-year among the years in the files, or give --reference-kt",
                )
                .into());
            }
            (
                agg.gross(reference_year),
                format!(
                    "the gross ALas total of {reference_year} under `{}`",
                    req.framework.name()
                ),
            )
        }
    };
    if !(reference_kt.is_finite() && reference_kt > 0.0) {
        return Err(InputError::new(format!(
            "the reference emissions ({reference_year}) are {reference_kt} kt; a target needs a positive reference"
        ))
        .hint("give --reference-kt, or choose another --reference-year or --framework")
        .into());
    }
    if let Some(f) = req.max_gross_fraction
        && !(0.0..=1.0).contains(&f)
    {
        return Err(
            InputError::new(format!("--max-gross-fraction {f} must be between 0 and 1")).into(),
        );
    }

    Ok(Years {
        base_year,
        reference_year,
        reference_kt,
        reference_note,
    })
}

/// The boundary in words, for region.toml.
fn boundary_text(
    selection: &Selection,
    list: &reader::MunicipalityList,
    list_name: &str,
) -> String {
    match selection {
        Selection::Only(n) => format!(
            "Explicit list of municipalities (--only {}), the same for every year.",
            n.iter()
                .map(|x| format!("{x:03}"))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Selection::Region {
            name,
            historical: false,
            ..
        } => format!(
            "Current boundary for every year: the municipalities whose `maakunta_fi` is `{name}` in {list_name}."
        ),
        Selection::Region { name, moves, .. } => {
            let shown: Vec<String> = moves
                .iter()
                .map(|m| {
                    let who = list
                        .get(m.municipality)
                        .map_or(format!("{:03}", m.municipality), |x| {
                            format!("{} ({:03})", x.name, m.municipality)
                        });
                    format!("{who}: {} → {} from {}", m.from, m.to, m.year)
                })
                .collect();
            format!(
                "Historical boundary: `{name}` as it was each year: the municipalities whose `maakunta_fi` is `{name}` in {list_name}, changed by the region moves {}.",
                shown.join("; ")
            )
        }
    }
}

/// The command that reproduces the import, for SOURCES.md.
fn command_text(req: &Request, list_name: &str, names: &[String], skipped: usize) -> String {
    let mut command = format!(
        "kymsim import-alas --municipalities {} --region {} --framework {}",
        quote_arg(list_name),
        quote_arg(&req.region),
        req.framework.name()
    );
    match &req.only {
        Some(n) => command.push_str(&format!(
            " --only {}",
            n.iter()
                .map(|x| format!("{x:03}"))
                .collect::<Vec<_>>()
                .join(",")
        )),
        None => command.push_str(if req.historical {
            " --boundary historical"
        } else {
            " --boundary current"
        }),
    }
    for m in &req.extra_moves {
        command.push_str(&format!(
            " --move {}",
            quote_arg(&format!(
                "{:03}:{}:{}:{}",
                m.municipality, m.from, m.to, m.year
            ))
        ));
    }
    for n in names {
        command.push(' ');
        command.push_str(&quote_arg(n));
    }
    if skipped > 0 {
        command.push_str(&format!(
            "\n# and {skipped} file(s) of municipalities outside the region, not read"
        ));
    }

    command
}

/// Loads the dataset's files from memory (nothing is written anywhere) and, when `calibration`,
/// checks the base year reproduces `history.csv` (within 1e-6 relative). `Err` describes what
/// failed (a bug: exit 3).
pub fn verify(dataset: &Dataset, calibration: bool) -> std::result::Result<(), String> {
    let files = dataset.files.iter().cloned().collect();
    let region = crate::data::load_region(&crate::data::DataSource::Memory(files))
        .map_err(|e| format!("the imported dataset does not load: {e}"))?;
    let rows = crate::engine::calibration(&region)
        .map_err(|e| format!("the imported dataset does not compile: {e}"))?;
    for r in rows.into_iter().filter(|_| calibration) {
        if let (Some(m), Some(i)) = (r.modelled_kt, r.inventory_kt)
            && (m - i).abs() > 1e-6 * m.abs().max(i.abs()).max(1e-9)
        {
            return Err(format!(
                "base-year {}: modelled {m} kt but history.csv has {i} kt",
                r.sector
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nuts3_codes_by_region_name() {
        assert_eq!(nuts3("Kymenlaakso"), Some("FI1C4"));
        assert_eq!(nuts3(" päijät-häme "), Some("FI1C3"));
        assert_eq!(nuts3("Tinyland"), None);
    }

    #[test]
    fn quoting_of_command_arguments() {
        assert_eq!(quote_arg("kunta_075.csv"), "kunta_075.csv");
        assert_eq!(quote_arg("Kaakko ja Lahti"), "\"Kaakko ja Lahti\"");
    }
}
