//! `report.xlsx`: the report's tables for planners who work in Excel — the summary with the
//! verdicts and their probability, emissions by sector and year, the measures with who takes
//! them, their abatement and cost, the cost curve and the difference against the reference — in
//! the run's language, with number formats and a frozen header row on every sheet.
//!
//! Read from the same [`ChartData`] as the charts and `report.html`, so the numbers are those of
//! the CSV files. Deterministic: the document's creation time is fixed (2000-01-01), so the same
//! output folder gives the same bytes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::load::ChartData;
use crate::error::{Error, Result};
use crate::i18n::{Lang, Msg, Verdict};
use crate::model::variables::{GROSS, NET, REMOVALS};
use crate::scenario::Owner;

/// File name of the workbook.
pub const REPORT_XLSX: &str = "report.xlsx";

/// The sheets, by their names in each language (summary, emissions, measures, MACC,
/// difference).
pub fn sheet_names(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::En => ["Summary", "Emissions", "Measures", "MACC", "Difference"],
        Lang::Fi => [
            "Yhteenveto",
            "Päästöt",
            "Toimenpiteet",
            "Kustannuskäyrä",
            "Ero vertailuun",
        ],
    }
}

struct Formats {
    head: Format,
    kt: Format,
    share: Format,
    eur: Format,
    meur: Format,
}

fn internal(e: XlsxError) -> Error {
    Error::Internal(format!("cannot write {REPORT_XLSX}: {e}"))
}

/// Writes a header row (bold, frozen) and sets column widths.
fn header(ws: &mut Worksheet, f: &Formats, cols: &[String]) -> std::result::Result<(), XlsxError> {
    for (c, h) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &f.head)?;
        let width = (h.chars().count() as f64 + 2.0).clamp(8.0, 40.0);
        ws.set_column_width(c as u16, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The workbook of `data` in `lang`.
pub fn workbook(data: &ChartData, lang: Lang) -> Result<Vec<u8>> {
    build(data, lang).map_err(internal)
}

fn build(data: &ChartData, lang: Lang) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // a fixed creation time: the same inputs give the same bytes
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(lang.fill(Msg::ReportTitle, &[("region", &data.meta.region)]))
            .set_creation_datetime(&created),
    );
    let f = Formats {
        head: Format::new().set_bold().set_text_wrap(),
        kt: Format::new().set_num_format("#,##0.0"),
        share: Format::new().set_num_format("0.0%"),
        eur: Format::new().set_num_format("#,##0"),
        meur: Format::new().set_num_format("#,##0.00"),
    };
    let names = sheet_names(lang);

    let sheets: [Sheet; 5] = [
        summary_sheet,
        emissions_sheet,
        measures_sheet,
        macc_sheet,
        difference_sheet,
    ];
    for (name, sheet) in names.into_iter().zip(sheets) {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        sheet(ws, data, lang, &f)?;
    }
    wb.save_to_buffer()
}

/// Writes one sheet of the workbook.
type Sheet = fn(&mut Worksheet, &ChartData, Lang, &Formats) -> std::result::Result<(), XlsxError>;

/// The sheet of summary: one row per scenario.
fn summary_sheet(
    ws: &mut Worksheet,
    data: &ChartData,
    lang: Lang,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    let year = data.meta.target.year;
    let y = &year;
    let sname = |n: &str| data.meta.scenario_name(n, lang);
    let batch = !data.batch_summary.is_empty();
    let mut cols = vec![
        lang.t(Msg::ColScenario).to_string(),
        lang.t(Msg::ColId).to_string(),
    ];
    if batch {
        cols.push(lang.t(Msg::ColPTarget).into());
    }
    cols.extend([
        lang.t(Msg::ColTargetMet).to_string(),
        lang.t(Msg::ColNeutralFrom).to_string(),
        lang.fill(Msg::ColGross, &[("year", y)]),
        lang.fill(Msg::ColRemovals, &[("year", y)]),
        lang.fill(Msg::ColNet, &[("year", y)]),
        lang.t(Msg::ColAnnualCost).to_string(),
    ]);
    header(ws, f, &cols)?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(if batch { 3 } else { 2 }, 36)?;
    for (i, sc) in data.scenarios.iter().enumerate() {
        let r = i as u32 + 1;
        let Some(s) = &sc.summary else { continue };
        let p = data.batch_summary.get(&sc.name).map(|b| b.p_target_met);
        let mut c = 0u16;
        ws.write_string(r, c, sname(&sc.name))?;
        c += 1;
        ws.write_string(r, c, &sc.name)?;
        c += 1;
        if batch {
            if let Some(p) = p {
                ws.write_number_with_format(r, c, p, &f.share)?;
            }
            c += 1;
        }
        ws.write_string(r, c, Verdict::new(s.target_met, p).text(lang))?;
        c += 1;
        match s.neutrality_year {
            Some(n) => ws.write_number(r, c, f64::from(n))?,
            None => ws.write_string(r, c, lang.t(Msg::Never))?,
        };
        c += 1;
        for v in [s.gross_kt, s.removals_kt, s.net_kt] {
            ws.write_number_with_format(r, c, v, &f.kt)?;
            c += 1;
        }
        if data.macc.is_some() {
            ws.write_number_with_format(r, c, data.annual_cost_meur(&sc.name), &f.meur)?;
        }
    }
    Ok(())
}

/// The sheet of emissions: scenario × sector rows, one column per year (kt CO2e).
fn emissions_sheet(
    ws: &mut Worksheet,
    data: &ChartData,
    lang: Lang,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    let meta = &data.meta;
    let sname = |n: &str| data.meta.scenario_name(n, lang);
    let mut cols = vec![
        lang.t(Msg::ColScenario).to_string(),
        lang.t(Msg::ColSector).to_string(),
        lang.t(Msg::ColVariable).to_string(),
    ];
    cols.extend(data.years.iter().map(|y| y.to_string()));
    header(ws, f, &cols)?;
    ws.set_column_width(0, 20)?;
    ws.set_column_width(1, 34)?;
    ws.set_column_width(2, 44)?;
    let n = data.years.len();
    let mut r = 1u32;
    for sc in &data.scenarios {
        let mut rows: Vec<(String, String)> = sc
            .top_level(GROSS)
            .into_iter()
            .map(|(s, _)| {
                (
                    lang.pick(&s, meta.finnish(&s)).to_string(),
                    format!("{GROSS}|{s}"),
                )
            })
            .collect();
        rows.push((lang.t(Msg::ColGrossTotal).to_string(), GROSS.to_string()));
        rows.push((lang.t(Msg::RemovalsWord).to_string(), REMOVALS.to_string()));
        rows.push((lang.t(Msg::NetEmissions).to_string(), NET.to_string()));
        for (label, var) in rows {
            if !sc.vars.contains_key(&var) {
                continue;
            }
            ws.write_string(r, 0, sname(&sc.name))?;
            ws.write_string(r, 1, &label)?;
            ws.write_string(r, 2, &var)?;
            for (j, v) in sc.values(&var, n).into_iter().enumerate() {
                ws.write_number_with_format(r, 3 + j as u16, v, &f.kt)?;
            }
            r += 1;
        }
    }
    Ok(())
}

/// The sheet of measures: who takes each, its abatement in the target year and its cost.
fn measures_sheet(
    ws: &mut Worksheet,
    data: &ChartData,
    lang: Lang,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    let year = data.meta.target.year;
    let y = &year;
    let sname = |n: &str| data.meta.scenario_name(n, lang);
    let cols = vec![
        lang.t(Msg::ColScenario).to_string(),
        lang.t(Msg::ColId).to_string(),
        lang.t(Msg::ColMeasure).to_string(),
        lang.t(Msg::ColOwner).to_string(),
        lang.t(Msg::ColPillar).to_string(),
        lang.fill(Msg::ColAbatement, &[("year", y)]),
        lang.t(Msg::ColCost).to_string(),
        lang.t(Msg::ColMeasureAnnualCost).to_string(),
    ];
    header(ws, f, &cols)?;
    ws.set_column_width(2, 44)?;
    let mut r = 1u32;
    for sc in &data.scenarios {
        for m in &sc.meta.measures {
            let ab = data.wedges.as_ref().and_then(|w| {
                w.iter()
                    .find(|w| w.scenario == sc.name && w.measure == m.id && w.year == year)
                    .map(|w| w.kt)
            });
            ws.write_string(r, 0, sname(&sc.name))?;
            ws.write_string(r, 1, &m.id)?;
            ws.write_string(r, 2, lang.pick(&m.name, m.name_fi.as_deref()))?;
            if let Some(o) = m.owner.as_deref().and_then(Owner::parse) {
                ws.write_string(r, 3, lang.owner(o))?;
            }
            let pillar =
                super::style::pillar_named(&m.pillar).unwrap_or(crate::scenario::Pillar::Other);
            ws.write_string(r, 4, lang.pillar(pillar))?;
            if let Some(a) = ab {
                ws.write_number_with_format(r, 5, a, &f.kt)?;
            }
            if let Some(c) = m.cost_eur_per_t {
                ws.write_number_with_format(r, 6, c, &f.eur)?;
            }
            if let (Some(a), Some(c)) = (ab, m.cost_eur_per_t) {
                ws.write_number_with_format(r, 7, a * c / 1000.0, &f.meur)?;
            }
            r += 1;
        }
    }
    Ok(())
}

/// The sheet of the cost curve: macc.csv's rows.
fn macc_sheet(
    ws: &mut Worksheet,
    data: &ChartData,
    lang: Lang,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    let meta = &data.meta;
    let year = data.meta.target.year;
    let y = &year;
    let sname = |n: &str| data.meta.scenario_name(n, lang);
    let cols = vec![
        lang.t(Msg::ColScenario).to_string(),
        lang.t(Msg::ColId).to_string(),
        lang.t(Msg::ColMeasure).to_string(),
        lang.t(Msg::ColPillar).to_string(),
        lang.fill(Msg::ColAbatement, &[("year", y)]),
        lang.t(Msg::ColCost).to_string(),
    ];
    header(ws, f, &cols)?;
    ws.set_column_width(2, 44)?;
    for (i, row) in data.macc.iter().flatten().enumerate() {
        let r = i as u32 + 1;
        let name = meta
            .scenario(&row.scenario)
            .and_then(|s| s.measures.iter().find(|m| m.id == row.measure))
            .map_or(row.name.clone(), |m| {
                lang.pick(&m.name, m.name_fi.as_deref()).to_string()
            });
        ws.write_string(r, 0, sname(&row.scenario))?;
        ws.write_string(r, 1, &row.measure)?;
        ws.write_string(r, 2, &name)?;
        ws.write_string(r, 3, lang.pillar(row.pillar))?;
        ws.write_number_with_format(r, 4, row.abatement_kt, &f.kt)?;
        ws.write_number_with_format(r, 5, row.cost_eur_per_t, &f.eur)?;
    }
    Ok(())
}

/// The sheet of the difference against the reference: difference.csv's rows.
fn difference_sheet(
    ws: &mut Worksheet,
    data: &ChartData,
    lang: Lang,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    let meta = &data.meta;
    let sname = |n: &str| data.meta.scenario_name(n, lang);
    let cols = vec![
        lang.t(Msg::ColScenario).to_string(),
        lang.t(Msg::ColReference).to_string(),
        lang.t(Msg::Year).to_string(),
        lang.t(Msg::ColId).to_string(),
        lang.t(Msg::ColMeasure).to_string(),
        lang.t(Msg::ColOwner).to_string(),
        lang.t(Msg::ColPillar).to_string(),
        lang.t(Msg::ColContributionKt).to_string(),
        lang.t(Msg::ColMeasureAnnualCost).to_string(),
    ];
    header(ws, f, &cols)?;
    ws.set_column_width(4, 44)?;
    for (i, row) in data.difference.iter().flatten().enumerate() {
        let r = i as u32 + 1;
        let name = if row.measure == crate::decision::difference::RESIDUAL {
            lang.t(Msg::OtherSettings).to_string()
        } else {
            meta.measure_of(&row.scenario, &row.reference, &row.measure)
                .map_or(row.measure.clone(), |m| {
                    lang.pick(&m.name, m.name_fi.as_deref()).to_string()
                })
        };
        ws.write_string(r, 0, sname(&row.scenario))?;
        ws.write_string(r, 1, sname(&row.reference))?;
        ws.write_number(r, 2, f64::from(row.year))?;
        ws.write_string(r, 3, &row.measure)?;
        ws.write_string(r, 4, &name)?;
        if let Some(o) = row.owner {
            ws.write_string(r, 5, lang.owner(o))?;
        }
        ws.write_string(r, 6, lang.pillar(row.pillar))?;
        ws.write_number_with_format(r, 7, row.kt, &f.kt)?;
        if let Some(c) = row.annual_cost_meur {
            ws.write_number_with_format(r, 8, c, &f.meur)?;
        }
    }
    Ok(())
}
