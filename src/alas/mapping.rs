//! The ALas sector codes (`taso_3`, `taso_4`, `taso_5`) and how they map to kymsim sources.
//!
//! The table is the single place where the mapping lives: the importer, `SOURCES.md` and
//! `docs/alas-import.md` all describe this table. Rules are tried in order; the first whose
//! codes all match wins. Every known `taso_3` code ends with a catch-all rule, so a row with an
//! unexpected `taso_4`/`taso_5` code still lands in its sector (and is reported).

/// A kymsim source that ALas rows are summed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceDef {
    /// Dotted source id, e.g. `transport.road.cars`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// IAMC sector path, e.g. `Transport|Road|Passenger Cars`.
    pub sector: &'static str,
}

/// Where one ALas row goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Summed into the source with this index in [`SOURCES`].
    Source(usize),
    /// A wind-power emission credit (`Tuu`): not an emission source.
    WindCredit,
}

/// The sources an import can produce, in output order.
pub const SOURCES: &[SourceDef] = &[
    src(
        "transport.road.cars",
        "Passenger cars",
        "Transport|Road|Passenger Cars",
    ),
    src("transport.road.vans", "Vans", "Transport|Road|Vans"),
    src("transport.road.trucks", "Trucks", "Transport|Road|Trucks"),
    src("transport.road.buses", "Buses", "Transport|Road|Buses"),
    src(
        "transport.road.two_wheelers",
        "Motorcycles and mopeds",
        "Transport|Road|Two-Wheelers",
    ),
    src(
        "transport.road.other",
        "Other road transport",
        "Transport|Road|Other",
    ),
    src("transport.rail", "Rail transport", "Transport|Rail"),
    src("transport.water", "Water transport", "Transport|Water"),
    src("machinery", "Off-road machinery", "Machinery"),
    src("heating.district", "District heat", "Heating|District"),
    src("heating.oil", "Oil heating", "Heating|Oil"),
    src("heating.electric", "Electric heating", "Heating|Electric"),
    src("heating.other", "Other heating", "Heating|Other"),
    src(
        "electricity.consumer",
        "Consumer electricity",
        "Electricity|Consumer",
    ),
    src("industry", "Industry", "Industry"),
    src(
        "agriculture.livestock",
        "Livestock",
        "Agriculture|Livestock",
    ),
    src("agriculture.fields", "Crop farming", "Agriculture|Fields"),
    src(
        "agriculture.other",
        "Other agriculture",
        "Agriculture|Other",
    ),
    src("waste.landfill", "Landfills", "Waste|Landfill"),
    src(
        "waste.wastewater",
        "Wastewater treatment",
        "Waste|Wastewater",
    ),
    src(
        "waste.composting",
        "Composting and digestion",
        "Waste|Composting and Digestion",
    ),
    src("waste.other", "Other waste treatment", "Waste|Other"),
    src("fgases", "F-gases", "F-Gases"),
    src("other.unmapped", "Unmapped ALas codes", "Other|Unmapped"),
];

const fn src(id: &'static str, name: &'static str, sector: &'static str) -> SourceDef {
    SourceDef { id, name, sector }
}

/// Index in [`SOURCES`] of the catch-all for rows whose `taso_3` is unknown.
pub const UNMAPPED: usize = SOURCES.len() - 1;

/// Which codes a rule looks at.
#[derive(Debug, Clone, Copy)]
pub enum Codes {
    /// Any row with this `taso_3`.
    Any,
    /// `taso_4` equals the code.
    Level4(&'static str),
    /// `taso_4` or `taso_5` equals the code (vehicle types appear on either level).
    Level4Or5(&'static str),
}

/// One mapping rule: `taso_3` and optionally a deeper code → a source id (or the wind credit).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The `taso_3` code.
    pub taso_3: &'static str,
    /// Deeper codes, if any.
    pub codes: Codes,
    /// Source id, or `None` for the wind credit.
    pub source: Option<&'static str>,
}

const fn rule(taso_3: &'static str, codes: Codes, source: &'static str) -> Rule {
    Rule {
        taso_3,
        codes,
        source: Some(source),
    }
}

use Codes::{Any, Level4, Level4Or5};

/// The mapping rules, tried in order.
pub const RULES: &[Rule] = &[
    rule("Tie", Level4Or5("Hen"), "transport.road.cars"),
    rule("Tie", Level4Or5("PaA"), "transport.road.vans"),
    rule("Tie", Level4Or5("KuA"), "transport.road.trucks"),
    rule("Tie", Level4Or5("LiA"), "transport.road.buses"),
    rule("Tie", Level4Or5("MoM"), "transport.road.two_wheelers"),
    rule("Tie", Any, "transport.road.other"),
    rule("Rai", Any, "transport.rail"),
    rule("Ves", Any, "transport.water"),
    rule("Työ", Any, "machinery"),
    rule("Kau", Any, "heating.district"),
    rule("Ölj", Any, "heating.oil"),
    rule("Säh", Any, "heating.electric"),
    rule("Muu", Any, "heating.other"),
    rule("Kul", Any, "electricity.consumer"),
    rule("Teo", Any, "industry"),
    rule("Maa", Level4("Kot"), "agriculture.livestock"),
    rule("Maa", Level4("Pel"), "agriculture.fields"),
    rule("Maa", Any, "agriculture.other"),
    rule("Jät", Level4("Kaa"), "waste.landfill"),
    rule("Jät", Level4("JäP"), "waste.wastewater"),
    rule("Jät", Level4("Kom"), "waste.composting"),
    rule("Jät", Level4("Mäd"), "waste.composting"),
    rule("Jät", Any, "waste.other"),
    rule("F-k", Any, "fgases"),
    Rule {
        taso_3: "Tuu",
        codes: Any,
        source: None,
    },
];

/// `taso_3` codes of the published ALas results (Syke), with their Finnish names.
pub const TASO_3: &[(&str, &str)] = &[
    ("Kul", "Kulutussähkö (consumer electricity)"),
    ("Säh", "Sähkölämmitys (electric heating)"),
    ("Kau", "Kaukolämpö (district heat)"),
    ("Ölj", "Öljylämmitys (oil heating)"),
    ("Muu", "Muu lämmitys (other heating)"),
    ("Teo", "Teollisuus (industry)"),
    ("Työ", "Työkoneet (machinery)"),
    ("Tie", "Tieliikenne (road transport)"),
    ("Rai", "Raideliikenne (rail transport)"),
    ("Ves", "Vesiliikenne (water transport)"),
    ("Maa", "Maatalous (agriculture)"),
    ("Jät", "Jätteiden käsittely (waste treatment)"),
    ("F-k", "F-kaasut (F-gases)"),
    ("Tuu", "Päästöhyvitykset (wind-power emission credits)"),
];

/// Known `taso_4` codes (the `taso_3` codes repeat on this level where there is no split).
pub const TASO_4: &[&str] = &[
    "Kul", "Säh", "Kau", "Ölj", "Muu", "MaL", "Puu", "Kad", "Ti", "TaL", "HeL", "LäL", "Läp",
    "MoM", "HuV", "Lai", "TyV", "Teo", "Työ", "Maa", "Kot", "Pel", "Kom", "Mäd", "JäP", "Kaa",
    "AjI", "RaI", "KAK", "MuF", "Tuu",
];

/// Known `taso_5` codes.
pub const TASO_5: &[&str] = &[
    "Asu", "Pal", "Teo", "Maa", "TeP", "MuT", "MMK", "RaK", "Kai", "TiK", "HuV", "MaL", "TaL",
    "Kal", "Lau", "TyV", "Elä", "Lai", "Epä", "Lan", "Ma", "MuV", "Org", "Yhd", "KAK", "RaI",
    "AjI", "MuF", "Hen", "KuA", "LiA", "PaA", "Läp", "MoM", "Met", "LäJ", "Die", "Sä", "Tuu",
];

/// Index of a source id in [`SOURCES`].
pub fn source_index(id: &str) -> Option<usize> {
    SOURCES.iter().position(|s| s.id == id)
}

/// Where a row with these codes goes (empty strings for missing codes). Unknown `taso_3`
/// codes go to [`UNMAPPED`].
///
/// ```
/// use kymsim::alas::mapping::{map_codes, Target, SOURCES};
/// let Target::Source(i) = map_codes("Tie", "Ti", "Hen") else { panic!() };
/// assert_eq!(SOURCES[i].id, "transport.road.cars");
/// assert_eq!(map_codes("Tuu", "Tuu", ""), Target::WindCredit);
/// ```
pub fn map_codes(taso_3: &str, taso_4: &str, taso_5: &str) -> Target {
    for r in RULES {
        if r.taso_3 != taso_3 {
            continue;
        }
        let hit = match r.codes {
            Any => true,
            Level4(c) => taso_4 == c,
            Level4Or5(c) => taso_4 == c || taso_5 == c,
        };
        if hit {
            return match r.source {
                Some(id) => Target::Source(source_index(id).expect("rule names a known source")),
                None => Target::WindCredit,
            };
        }
    }
    Target::Source(UNMAPPED)
}

/// Which level's code is not in the published code lists, if any: `(level, code)`.
pub fn unknown_code<'a>(
    taso_3: &'a str,
    taso_4: &'a str,
    taso_5: &'a str,
) -> Option<(u8, &'a str)> {
    if !TASO_3.iter().any(|(c, _)| *c == taso_3) {
        return Some((3, taso_3));
    }
    // a level without a split repeats the code above it (e.g. `Kul;Kul;Kul`)
    if !taso_4.is_empty() && taso_4 != taso_3 && !TASO_4.contains(&taso_4) {
        return Some((4, taso_4));
    }
    if !taso_5.is_empty() && taso_5 != taso_4 && taso_5 != taso_3 && !TASO_5.contains(&taso_5) {
        return Some((5, taso_5));
    }
    None
}

/// Human-readable description of a rule's match, e.g. `Tie / Hen (taso_4 or taso_5)`.
pub fn describe_rule(r: &Rule) -> String {
    match r.codes {
        Any => format!("{} (any other)", r.taso_3),
        Level4(c) => format!("{} / {c} (taso_4)", r.taso_3),
        Level4Or5(c) => format!("{} / {c} (taso_4 or taso_5)", r.taso_3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(t: Target) -> &'static str {
        match t {
            Target::Source(i) => SOURCES[i].id,
            Target::WindCredit => "wind",
        }
    }

    #[test]
    fn table_maps_the_documented_codes() {
        let cases = [
            (("Tie", "Kad", "Hen"), "transport.road.cars"),
            (("Tie", "Ti", "PaA"), "transport.road.vans"),
            (("Tie", "Ti", "KuA"), "transport.road.trucks"),
            (("Tie", "Kad", "LiA"), "transport.road.buses"),
            (("Tie", "MoM", ""), "transport.road.two_wheelers"),
            (("Tie", "Läp", ""), "transport.road.other"),
            (("Rai", "Rai", "Die"), "transport.rail"),
            (("Ves", "HuV", ""), "transport.water"),
            (("Työ", "Työ", "RaK"), "machinery"),
            (("Kau", "Kau", "Asu"), "heating.district"),
            (("Ölj", "Ölj", ""), "heating.oil"),
            (("Säh", "MaL", ""), "heating.electric"),
            (("Muu", "Puu", ""), "heating.other"),
            (("Kul", "Kul", "Pal"), "electricity.consumer"),
            (("Teo", "Teo", "TeP"), "industry"),
            (("Maa", "Kot", "Elä"), "agriculture.livestock"),
            (("Maa", "Pel", "Epä"), "agriculture.fields"),
            (("Jät", "Kaa", "Yhd"), "waste.landfill"),
            (("Jät", "JäP", ""), "waste.wastewater"),
            (("Jät", "Kom", ""), "waste.composting"),
            (("Jät", "Mäd", ""), "waste.composting"),
            (("F-k", "AjI", "AjI"), "fgases"),
            (("Tuu", "Tuu", "Tuu"), "wind"),
            (("Xyz", "", ""), "other.unmapped"),
        ];
        for ((a, b, c), want) in cases {
            assert_eq!(id(map_codes(a, b, c)), want, "{a}/{b}/{c}");
        }
    }

    #[test]
    fn every_rule_names_a_source_and_paths_do_not_nest() {
        for r in RULES {
            if let Some(s) = r.source {
                assert!(source_index(s).is_some(), "{s}");
            }
        }
        for a in SOURCES {
            for b in SOURCES {
                assert!(
                    !b.sector.starts_with(&format!("{}|", a.sector)),
                    "{} {}",
                    a.sector,
                    b.sector
                );
            }
            assert!(crate::data::is_valid_id(a.id));
        }
    }

    #[test]
    fn unknown_codes_are_found_per_level() {
        assert_eq!(unknown_code("Tie", "Ti", "Hen"), None);
        assert_eq!(unknown_code("Xyz", "", ""), Some((3, "Xyz")));
        assert_eq!(unknown_code("Tie", "Zz", ""), Some((4, "Zz")));
        assert_eq!(unknown_code("Tie", "Ti", "Zz"), Some((5, "Zz")));
        assert_eq!(unknown_code("Rai", "Rai", "Rai"), None);
    }
}
