//! Rolling municipal ALas rows up to a region: membership (boundary rules), accounting
//! frameworks, sums per source and year, wind credits, gaps and unknown codes, and an
//! independent cross-check of the totals.

use std::collections::{BTreeMap, BTreeSet};

use super::mapping::{self, SOURCES, Target};
use super::reader::{AlasRow, MunicipalityList};
use crate::error::{InputError, Result, did_you_mean, name_list};

/// Which ALas rows count, and whether wind-power credits are subtracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    /// Rows with `hinku_laskenta` true, minus wind-power credits (the Hinku rules).
    Hinku,
    /// Rows with `hinku_laskenta` true, no credits.
    HinkuNoWind,
    /// Every ALas emission row.
    All,
    /// The emissions-trading part only (`päästökauppa` true).
    Ets,
    /// Everything outside emissions trading (`päästökauppa` false; the effort-sharing sector).
    NonEts,
}

impl Framework {
    /// Every framework, in documentation order.
    pub const EVERY: [Framework; 5] = [
        Framework::Hinku,
        Framework::HinkuNoWind,
        Framework::All,
        Framework::Ets,
        Framework::NonEts,
    ];

    /// The name used on the command line and in `region.toml`'s `accounting`.
    pub fn name(self) -> &'static str {
        match self {
            Framework::Hinku => "hinku",
            Framework::HinkuNoWind => "hinku-no-wind",
            Framework::All => "all",
            Framework::Ets => "ets",
            Framework::NonEts => "non-ets",
        }
    }

    /// One sentence on what it counts.
    pub fn description(self) -> &'static str {
        match self {
            Framework::Hinku => {
                "rows with hinku_laskenta TRUE (Hinku rules: no emissions-trading industry fuels, industrial electricity or through-traffic), minus wind-power emission credits"
            }
            Framework::HinkuNoWind => "rows with hinku_laskenta TRUE, without wind-power credits",
            Framework::All => {
                "every ALas emission row (both flags ignored), without wind-power credits"
            }
            Framework::Ets => "rows with päästökauppa TRUE (the EU emissions-trading part only)",
            Framework::NonEts => {
                "rows with päästökauppa FALSE (the effort-sharing part: everything outside emissions trading)"
            }
        }
    }

    /// Parses a name given on the command line.
    pub fn parse(name: &str) -> Option<Framework> {
        Framework::EVERY.into_iter().find(|f| f.name() == name)
    }

    /// Whether a row with these flags counts (a missing flag counts as false).
    pub fn includes(self, hinku: Option<bool>, ets: Option<bool>) -> bool {
        match self {
            Framework::Hinku | Framework::HinkuNoWind => hinku == Some(true),
            Framework::All => true,
            Framework::Ets => ets == Some(true),
            Framework::NonEts => ets != Some(true),
        }
    }

    /// Whether wind-power credits are subtracted.
    pub fn with_credits(self) -> bool {
        self == Framework::Hinku
    }
}

/// A municipality moving from one region to another at the start of `year`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionMove {
    /// Municipality number.
    pub municipality: u32,
    /// Region before `year`.
    pub from: String,
    /// Region from `year` on.
    pub to: String,
    /// First year in the new region.
    pub year: i32,
}

/// The built-in table of municipalities that changed region (used by `--boundary historical`).
pub fn known_moves() -> Vec<RegionMove> {
    vec![RegionMove {
        // Iitti: Kymenlaakso → Päijät-Häme on 1.1.2021
        municipality: 142,
        from: "Kymenlaakso".into(),
        to: "Päijät-Häme".into(),
        year: 2021,
    }]
}

/// Which municipalities make up the region.
#[derive(Debug, Clone)]
pub enum Selection {
    /// The municipalities whose `maakunta_fi` is `name` (case-insensitive).
    Region {
        /// The region's name as in `maakunta_fi`.
        name: String,
        /// `false`: today's boundary for every year; `true`: apply `moves` year by year.
        historical: bool,
        /// Region changes applied when `historical`.
        moves: Vec<RegionMove>,
    },
    /// An explicit list of municipality numbers, for every year.
    Only(Vec<u32>),
}

/// A member municipality and the years it belongs to the region.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Municipality number.
    pub number: u32,
    /// Name from the list file.
    pub name: String,
    /// Half-open year ranges `[start, end)` of membership.
    pub periods: Vec<(i32, i32)>,
}

impl Member {
    /// Whether the municipality belongs to the region in `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.periods.iter().any(|&(a, b)| a <= year && year < b)
    }

    /// `Iitti (142)`.
    pub fn label(&self) -> String {
        format!("{} ({:03})", self.name, self.number)
    }

    /// The periods in words, e.g. `all years` or `before 2021`.
    pub fn describe_periods(&self) -> String {
        let parts: Vec<String> = self
            .periods
            .iter()
            .map(|&(a, b)| match (a == i32::MIN, b == i32::MAX) {
                (true, true) => "all years".to_string(),
                (true, false) => format!("before {b}"),
                (false, true) => format!("from {a}"),
                (false, false) => format!("{a}–{}", b - 1),
            })
            .collect();
        parts.join(", ")
    }
}

fn same_region(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The member municipalities of a selection, in municipality-number order.
pub fn members(list: &MunicipalityList, selection: &Selection) -> Result<Vec<Member>> {
    let mut out: Vec<Member> = Vec::new();
    match selection {
        Selection::Only(numbers) => {
            for &n in numbers {
                let Some(m) = list.get(n) else {
                    return Err(InputError::new(format!(
                        "municipality {n:03} given in --only is not in the municipality list"
                    ))
                    .hint(
                        "use the numbers of the list file's `kuntanro` column, e.g. --only 075,285",
                    )
                    .into());
                };
                if out.iter().any(|x| x.number == n) {
                    continue;
                }
                out.push(Member {
                    number: n,
                    name: m.name.clone(),
                    periods: vec![(i32::MIN, i32::MAX)],
                });
            }
        }
        Selection::Region {
            name,
            historical,
            moves,
        } => {
            for m in &list.municipalities {
                let mut periods = Vec::new();
                if *historical {
                    let mut mv: Vec<&RegionMove> = moves
                        .iter()
                        .filter(|x| x.municipality == m.number)
                        .collect();
                    mv.sort_by_key(|x| x.year);
                    // the timeline: first `from` until the first move, each `to` until the next
                    // move, and the list file's region after the last one
                    let mut start = i32::MIN;
                    let mut region = mv.first().map_or(m.region.as_str(), |x| x.from.as_str());
                    for x in &mv {
                        if same_region(region, name) {
                            periods.push((start, x.year));
                        }
                        start = x.year;
                        region = x.to.as_str();
                    }
                    if same_region(&m.region, name) {
                        periods.push((start, i32::MAX));
                    }
                } else if same_region(&m.region, name) {
                    periods.push((i32::MIN, i32::MAX));
                }
                if !periods.is_empty() {
                    out.push(Member {
                        number: m.number,
                        name: m.name.clone(),
                        periods,
                    });
                }
            }
            if out.is_empty() {
                let regions: BTreeSet<&str> = list
                    .municipalities
                    .iter()
                    .map(|m| m.region.as_str())
                    .collect();
                return Err(InputError::new(format!(
                    "no municipality of the list belongs to region `{name}`"
                ))
                .hint(
                    did_you_mean(name, regions.iter().copied()).unwrap_or_else(|| {
                        format!(
                            "regions in the list (`maakunta_fi`): {}",
                            name_list(regions.iter().copied())
                        )
                    }),
                )
                .into());
            }
        }
    }
    out.sort_by_key(|m| m.number);
    Ok(out)
}

/// What a reported problem is about. None of them stops an import unless `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IssueKind {
    /// A member municipality has no file at all.
    MissingMunicipality,
    /// A member municipality lacks a year that others have.
    Gap,
    /// A sector code not in the published code lists.
    UnknownCode,
    /// A row without `hinku_laskenta` or `päästökauppa`.
    MissingFlag,
    /// A wind-credit row with a positive value (credits are negative in ALas).
    PositiveCredit,
    /// A value kymsim's sources cannot hold (negative base-year emissions or energy).
    Unrepresentable,
    /// Files given for municipalities outside the region (only counted).
    Skipped,
}

/// A problem found while importing: printed as a warning and listed in `SOURCES.md`.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// What kind of problem.
    pub kind: IssueKind,
    /// One sentence.
    pub message: String,
}

impl Issue {
    /// Whether `--strict` turns it into an error (everything but skipped files).
    pub fn is_strict_error(&self) -> bool {
        self.kind != IssueKind::Skipped
    }
}

/// Sums of one source in one year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    /// kt CO2e, all rows.
    pub kt: f64,
    /// kt CO2e of the rows that report energy (`GWh` > 0).
    pub kt_energy: f64,
    /// GWh of final energy.
    pub gwh: f64,
    /// Number of rows summed.
    pub rows: usize,
}

/// The region's inventory under one framework.
#[derive(Debug, Clone)]
pub struct Aggregate {
    /// The framework.
    pub framework: Framework,
    /// Every year some member has rows for, ascending.
    pub years: Vec<i32>,
    /// Indices into [`SOURCES`] of the sources that have rows, in table order.
    pub sources: Vec<usize>,
    /// Sums per (source index, year).
    pub cells: BTreeMap<(usize, i32), Cell>,
    /// Wind-power credit per year, kt (positive = a reduction). Empty unless the framework has credits.
    pub credits: BTreeMap<i32, f64>,
    /// Framework gross emissions per (municipality, year), kt.
    pub by_municipality: BTreeMap<(u32, i32), f64>,
    /// Rows read for member municipalities in member years.
    pub rows_member: usize,
    /// Rows counted under the framework.
    pub rows_used: usize,
    /// Counted rows whose `kt` was missing (read as 0).
    pub rows_missing_kt: usize,
    /// Problems found.
    pub issues: Vec<Issue>,
}

impl Aggregate {
    /// Gross emissions in `year` (sum over sources), kt.
    pub fn gross(&self, year: i32) -> f64 {
        self.sources
            .iter()
            .map(|&s| self.cells.get(&(s, year)).map_or(0.0, |c| c.kt))
            .sum()
    }

    /// Wind credit in `year`, kt (0 without credits).
    pub fn credit(&self, year: i32) -> f64 {
        self.credits.get(&year).copied().unwrap_or(0.0)
    }

    /// The framework's total in `year`: gross minus the wind credit.
    pub fn total(&self, year: i32) -> f64 {
        self.gross(year) - self.credit(year)
    }

    /// The cell of a source in a year (zero when it has no rows then).
    pub fn cell(&self, source: usize, year: i32) -> Cell {
        self.cells.get(&(source, year)).copied().unwrap_or_default()
    }

    /// Whether the wind credit is anywhere non-zero.
    pub fn has_credits(&self) -> bool {
        self.credits.values().any(|&c| c != 0.0)
    }
}

/// The wind-credit contribution of one row (negative = a reduction), under a credit framework.
/// A `Tuu` row contributes its `kt_tuuli` (or `kt` when that is missing); any other row
/// contributes `kt_tuuli − kt` when it has `kt_tuuli` (zero in the published files, where
/// `kt_tuuli` = `kt` outside the credit rows).
fn wind_delta(row: &AlasRow, is_credit_row: bool) -> f64 {
    if is_credit_row {
        row.kt_wind.or(row.kt).unwrap_or(0.0)
    } else {
        match row.kt_wind {
            Some(w) => w - row.kt.unwrap_or(0.0),
            None => 0.0,
        }
    }
}

/// Sums the rows of the member municipalities under `framework`. `file_names` names the files
/// by index (for messages).
pub fn aggregate(
    rows: &[AlasRow],
    file_names: &[String],
    members: &[Member],
    framework: Framework,
) -> Aggregate {
    let member = |n: u32| members.iter().find(|m| m.number == n);
    let mut years: BTreeSet<i32> = BTreeSet::new();
    let mut has_year: BTreeSet<(u32, i32)> = BTreeSet::new();
    let mut cells: BTreeMap<(usize, i32), Cell> = BTreeMap::new();
    let mut credits: BTreeMap<i32, f64> = BTreeMap::new();
    let mut by_municipality: BTreeMap<(u32, i32), f64> = BTreeMap::new();
    let mut unknown: BTreeMap<(u8, String), (usize, String, f64, String)> = BTreeMap::new();
    let mut missing_flag: Option<(usize, String)> = None;
    let mut positive_credit: Option<(usize, String)> = None;
    let (mut rows_member, mut rows_used, mut rows_missing_kt) = (0, 0, 0);
    let at = |r: &AlasRow| format!("{}:{}", file_names[r.file], r.line);

    for r in rows {
        let Some(m) = member(r.municipality) else {
            continue;
        };
        if !m.covers(r.year) {
            continue;
        }
        rows_member += 1;
        years.insert(r.year);
        has_year.insert((r.municipality, r.year));
        if r.hinku.is_none() || r.ets.is_none() {
            let e = missing_flag.get_or_insert_with(|| (0, at(r)));
            e.0 += 1;
        }
        let target = mapping::map_codes(&r.taso_3, &r.taso_4, &r.taso_5);
        let included = framework.includes(r.hinku, r.ets);
        if let Some((level, code)) = mapping::unknown_code(&r.taso_3, &r.taso_4, &r.taso_5) {
            let into = || match target {
                Target::Source(i) => SOURCES[i].sector.to_string(),
                Target::WindCredit => "the wind credit".to_string(),
            };
            let e = unknown
                .entry((level, code.to_string()))
                .or_insert_with(|| (0, at(r), 0.0, into()));
            e.0 += 1;
            if included {
                e.2 += r.kt.unwrap_or(0.0);
            }
        }
        if !included {
            continue;
        }
        rows_used += 1;
        match target {
            Target::WindCredit => {
                if framework.with_credits() {
                    let d = wind_delta(r, true);
                    if d > 0.0 {
                        let e = positive_credit.get_or_insert_with(|| (0, at(r)));
                        e.0 += 1;
                    }
                    *credits.entry(r.year).or_insert(0.0) -= d;
                }
            }
            Target::Source(s) => {
                if r.kt.is_none() {
                    rows_missing_kt += 1;
                }
                let kt = r.kt.unwrap_or(0.0);
                let c = cells.entry((s, r.year)).or_default();
                c.kt += kt;
                c.rows += 1;
                if let Some(g) = r.gwh
                    && g != 0.0
                {
                    c.gwh += g;
                    c.kt_energy += kt;
                }
                *by_municipality
                    .entry((r.municipality, r.year))
                    .or_insert(0.0) += kt;
                if framework.with_credits() {
                    let d = wind_delta(r, false);
                    if d != 0.0 {
                        *credits.entry(r.year).or_insert(0.0) -= d;
                    }
                }
            }
        }
    }

    let mut issues = Vec::new();
    for m in members {
        let missing: Vec<i32> = years
            .iter()
            .copied()
            .filter(|&y| m.covers(y) && !has_year.contains(&(m.number, y)))
            .collect();
        if !has_year.iter().any(|&(n, _)| n == m.number) {
            issues.push(Issue {
                kind: IssueKind::MissingMunicipality,
                message: format!(
                    "no rows for member municipality {} ({}): give its file kunta_{:03}.csv; its emissions are missing from every total",
                    m.label(),
                    m.describe_periods(),
                    m.number
                ),
            });
        } else if !missing.is_empty() {
            issues.push(Issue {
                kind: IssueKind::Gap,
                message: format!(
                    "municipality {} has no rows for {} (other municipalities have them); those years' totals lack it",
                    m.label(),
                    year_list(&missing)
                ),
            });
        }
    }
    for ((level, code), (n, first, kt, into)) in &unknown {
        let code_shown = if code.is_empty() {
            "(empty)".to_string()
        } else {
            format!("`{code}`")
        };
        issues.push(Issue {
            kind: IssueKind::UnknownCode,
            message: format!(
                "unknown taso_{level} code {code_shown} in {n} row{} (first at {first}): {} kt over all years counted under {into}",
                if *n == 1 { "" } else { "s" },
                crate::output::fmt_num(*kt)
            ),
        });
    }
    if let Some((n, first)) = missing_flag {
        issues.push(Issue {
            kind: IssueKind::MissingFlag,
            message: format!(
                "{n} row(s) lack hinku_laskenta or päästökauppa (first at {first}); a missing flag is read as FALSE"
            ),
        });
    }
    if let Some((n, first)) = positive_credit {
        issues.push(Issue {
            kind: IssueKind::PositiveCredit,
            message: format!(
                "{n} wind-credit row(s) have a positive value (first at {first}); ALas credits are negative, so these add to the total"
            ),
        });
    }

    let present: BTreeSet<usize> = cells.keys().map(|&(s, _)| s).collect();
    Aggregate {
        framework,
        years: years.into_iter().collect(),
        sources: present.into_iter().collect(),
        cells,
        credits,
        by_municipality,
        rows_member,
        rows_used,
        rows_missing_kt,
        issues,
    }
}

/// `2019, 2020–2022`: a compact list of years.
pub fn year_list(years: &[i32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < years.len() {
        let mut j = i;
        while j + 1 < years.len() && years[j + 1] == years[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}–{}", years[i], years[j])
        } else {
            years[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// Per-year totals computed straight from the rows, without the mapping: `(gross, total)` where
/// gross = Σ `kt` of counted rows other than credit rows and total = gross with the credits
/// (Σ `kt_tuuli`, falling back to `kt`, over every counted row) under a credit framework.
pub fn independent_totals(
    rows: &[AlasRow],
    members: &[Member],
    framework: Framework,
) -> BTreeMap<i32, (f64, f64)> {
    let mut out: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    for r in rows {
        let counted = members
            .iter()
            .any(|m| m.number == r.municipality && m.covers(r.year))
            && framework.includes(r.hinku, r.ets);
        if !counted {
            continue;
        }
        let e = out.entry(r.year).or_insert((0.0, 0.0));
        let credit_row = r.taso_3 == "Tuu";
        if !credit_row {
            e.0 += r.kt.unwrap_or(0.0);
        }
        e.1 += if framework.with_credits() {
            r.kt_wind.or(r.kt).unwrap_or(0.0)
        } else if credit_row {
            0.0
        } else {
            r.kt.unwrap_or(0.0)
        };
    }
    out
}

/// Relative tolerance of the cross-check.
pub const CHECK_TOLERANCE: f64 = 1e-9;

fn differs(a: f64, b: f64) -> bool {
    (a - b).abs() > CHECK_TOLERANCE * a.abs().max(b.abs()).max(1e-12)
}

/// Compares the aggregate with [`independent_totals`]; `Err` describes the first difference.
pub fn cross_check(agg: &Aggregate, independent: &BTreeMap<i32, (f64, f64)>) -> Result<(), String> {
    for &y in &agg.years {
        let (gross, total) = independent.get(&y).copied().unwrap_or((0.0, 0.0));
        if differs(agg.gross(y), gross) {
            return Err(format!(
                "{y}: the sum over sources is {} kt but the rows sum to {} kt",
                agg.gross(y),
                gross
            ));
        }
        if differs(agg.total(y), total) {
            return Err(format!(
                "{y}: the {} total is {} kt but the rows sum to {} kt",
                agg.framework.name(),
                agg.total(y),
                total
            ));
        }
        let by_m: f64 = agg
            .by_municipality
            .range((0, y)..=(u32::MAX, y))
            .filter(|((_, yy), _)| *yy == y)
            .map(|(_, v)| v)
            .sum();
        if differs(by_m, gross) {
            return Err(format!(
                "{y}: the sum over municipalities is {by_m} kt but the rows sum to {gross} kt"
            ));
        }
    }
    for y in independent.keys() {
        if !agg.years.contains(y) {
            return Err(format!("{y} has rows but is not among the imported years"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alas::reader::Municipality;

    fn row(m: u32, year: i32, kt: f64, hinku: bool, ets: bool, codes: [&str; 3]) -> AlasRow {
        AlasRow {
            file: 0,
            line: 2,
            municipality: m,
            year,
            kt: Some(kt),
            kt_wind: Some(kt),
            gwh: None,
            hinku: Some(hinku),
            ets: Some(ets),
            taso_3: codes[0].into(),
            taso_4: codes[1].into(),
            taso_5: codes[2].into(),
        }
    }

    fn list() -> MunicipalityList {
        let m = |number, name: &str, region: &str| Municipality {
            number,
            name: name.into(),
            region: region.into(),
            population: None,
        };
        MunicipalityList {
            municipalities: vec![
                m(75, "Hamina", "Kymenlaakso"),
                m(142, "Iitti", "Päijät-Häme"),
                m(285, "Kotka", "Kymenlaakso"),
                m(398, "Lahti", "Päijät-Häme"),
            ],
            population_column: None,
            population_year: None,
        }
    }

    #[test]
    fn boundary_rules() {
        let current = Selection::Region {
            name: "kymenlaakso".into(),
            historical: false,
            moves: known_moves(),
        };
        let m = members(&list(), &current).unwrap();
        assert_eq!(
            m.iter().map(|x| x.number).collect::<Vec<_>>(),
            vec![75, 285]
        );
        let historical = Selection::Region {
            name: "Kymenlaakso".into(),
            historical: true,
            moves: known_moves(),
        };
        let m = members(&list(), &historical).unwrap();
        let iitti = m.iter().find(|x| x.number == 142).unwrap();
        assert!(iitti.covers(2020) && !iitti.covers(2021));
        assert_eq!(iitti.describe_periods(), "before 2021");
        let ph = Selection::Region {
            name: "Päijät-Häme".into(),
            historical: true,
            moves: known_moves(),
        };
        let m = members(&list(), &ph).unwrap();
        let iitti = m.iter().find(|x| x.number == 142).unwrap();
        assert!(!iitti.covers(2020) && iitti.covers(2021));
        let e = members(
            &list(),
            &Selection::Region {
                name: "Kymenlaaksso".into(),
                historical: false,
                moves: vec![],
            },
        )
        .unwrap_err();
        assert_eq!(e.hint(), Some("did you mean `Kymenlaakso`?"));
    }

    #[test]
    fn frameworks_and_credits_add_up() {
        let mut credit = row(75, 2020, 0.0, true, false, ["Tuu", "Tuu", "Tuu"]);
        credit.kt = None;
        credit.kt_wind = Some(-1.5);
        let rows = vec![
            row(75, 2020, 10.0, true, false, ["Tie", "Ti", "Hen"]),
            row(75, 2020, 4.0, false, true, ["Teo", "Teo", "TeP"]),
            row(285, 2020, 2.0, true, false, ["Kau", "Kau", ""]),
            credit,
        ];
        let m = members(&list(), &Selection::Only(vec![75, 285])).unwrap();
        let names = vec!["f".to_string()];
        // hinku: 10 + 2 = 12 gross, credit 1.5, total 10.5
        let a = aggregate(&rows, &names, &m, Framework::Hinku);
        assert_eq!(
            (a.gross(2020), a.credit(2020), a.total(2020)),
            (12.0, 1.5, 10.5)
        );
        assert!(cross_check(&a, &independent_totals(&rows, &m, Framework::Hinku)).is_ok());
        // hinku-no-wind: 12; all: 16; ets: 4; non-ets: 12
        for (f, want) in [
            (Framework::HinkuNoWind, 12.0),
            (Framework::All, 16.0),
            (Framework::Ets, 4.0),
            (Framework::NonEts, 12.0),
        ] {
            let a = aggregate(&rows, &names, &m, f);
            assert_eq!(a.total(2020), want, "{}", f.name());
            assert!(cross_check(&a, &independent_totals(&rows, &m, f)).is_ok());
        }
    }

    #[test]
    fn cross_check_catches_a_lost_row() {
        let rows = vec![
            row(75, 2020, 10.0, true, false, ["Tie", "Ti", "Hen"]),
            row(285, 2020, 2.0, true, false, ["Kau", "Kau", ""]),
        ];
        let m = members(&list(), &Selection::Only(vec![75, 285])).unwrap();
        let mut a = aggregate(&rows, &["f".to_string()], &m, Framework::All);
        let independent = independent_totals(&rows, &m, Framework::All);
        assert!(cross_check(&a, &independent).is_ok());
        // drop district heat from the sums: 10 ≠ 12
        a.cells
            .retain(|&(s, _), _| SOURCES[s].id != "heating.district");
        let e = cross_check(&a, &independent).unwrap_err();
        assert!(
            e.contains("2020: the sum over sources is 10 kt but the rows sum to 12 kt"),
            "{e}"
        );
    }

    #[test]
    fn gaps_and_unknown_codes_are_reported() {
        let rows = vec![
            row(75, 2020, 1.0, true, false, ["Tie", "Ti", "Hen"]),
            row(75, 2021, 1.0, true, false, ["Xyz", "", ""]),
            row(285, 2020, 1.0, true, false, ["Tie", "Ti", "Hen"]),
        ];
        let m = members(&list(), &Selection::Only(vec![75, 285])).unwrap();
        let a = aggregate(&rows, &["kunta_075.csv".to_string()], &m, Framework::All);
        let kinds: Vec<IssueKind> = a.issues.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, vec![IssueKind::Gap, IssueKind::UnknownCode]);
        assert!(
            a.issues[0]
                .message
                .contains("Kotka (285) has no rows for 2021")
        );
        assert!(
            a.issues[1].message.contains("`Xyz`"),
            "{}",
            a.issues[1].message
        );
        // the unknown row still counts, under Other|Unmapped
        assert_eq!(a.total(2021), 1.0);
    }

    #[test]
    fn year_lists_compact_runs() {
        assert_eq!(year_list(&[2005, 2010, 2011, 2012]), "2005, 2010–2012");
    }
}
