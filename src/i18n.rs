//! Languages of what kymsim writes for people — chart texts, `report.html` and the summary table
//! `kymsim run` prints — in English and Finnish: the [`Lang`] enum, number formats and one
//! message catalogue ([`Msg`]), shared by the charts, the report and the command line.
//!
//! The catalogue is a plain Rust table rather than a Fluent or gettext file: two languages, a
//! few hundred short strings and no plural rules beyond what the sentences avoid. Each message
//! is a key of the [`Msg`] enum with its English and Finnish text side by side, so a missing
//! translation does not compile. Placeholders are written `{name}` and filled by [`Lang::fill`].
//!
//! CSV outputs stay language-neutral (IAMC variable names and ids in English): only what is
//! read by people is translated.
//!
//! ```
//! use kymsim::i18n::{Lang, Msg};
//! assert_eq!(Lang::Fi.thousands(-1234.5), "−1\u{a0}235");
//! assert_eq!(Lang::Fi.percent(0.025), "2,5\u{a0}%");
//! assert_eq!(Lang::En.percent(0.523), "52 %");
//! assert_eq!(Lang::Fi.fill(Msg::NeutralFrom, &[("year", &2040)]), "hiilineutraali vuodesta 2040");
//! ```

use std::fmt::Display;

pub use crate::lang::Lang;

/// The no-break space (U+00A0) that separates thousands and a number from `%` in Finnish.
pub const NBSP: char = '\u{a0}';

impl Lang {
    /// The decimal separator.
    pub fn decimal_separator(self) -> char {
        match self {
            Lang::En => '.',
            Lang::Fi => ',',
        }
    }

    /// The thousands separator: a space in English (as kymsim always wrote), a no-break space
    /// in Finnish (SFS 4175 groups digits with a space; no-break keeps a number on one line).
    pub fn group_separator(self) -> char {
        match self {
            Lang::En => ' ',
            Lang::Fi => NBSP,
        }
    }

    /// A milestone's basis as region loading words it (`−80 % from 2007`, `gross ≤ 300 kt and
    /// −80 % from 2007`) in this language.
    ///
    /// ```
    /// use kymsim::i18n::Lang;
    /// assert_eq!(Lang::Fi.milestone_basis("−80 % from 2007"), "−80 % vuodesta 2007");
    /// assert_eq!(Lang::En.milestone_basis("−80 % from 2007"), "−80 % from 2007");
    /// ```
    pub fn milestone_basis(self, basis: &str) -> String {
        match self {
            Lang::En => basis.to_string(),
            Lang::Fi => basis
                .replace(" from ", " vuodesta ")
                .replace(" and ", " ja ")
                .replace("gross ≤", "bruttopäästöt ≤"),
        }
    }

    /// A number with grouped thousands and a true minus sign (U+2212): whole numbers from 100
    /// up, at most two decimals below (trailing zeros trimmed). `1 500`, `−200`, `0.25`; in
    /// Finnish `1 500`, `0,25` (no-break space).
    pub fn thousands(self, v: f64) -> String {
        if !v.is_finite() {
            return String::new();
        }
        let a = v.abs();
        if a >= 100.0 || (a - a.round()).abs() < 1e-6 {
            let neg = v < 0.0 && a.round() > 0.0;
            return self.signed(neg, a.round() as u64, "");
        }
        self.fixed_trimmed(v, 2)
    }

    /// `v` with exactly `decimals` decimals, grouped thousands and a true minus: `1 234.5`,
    /// `−0.30`; `1 234,5` in Finnish.
    pub fn fixed(self, v: f64, decimals: usize) -> String {
        if !v.is_finite() {
            return String::new();
        }
        let s = format!("{:.*}", decimals, v.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let neg = v < 0.0 && s.bytes().any(|b| (b'1'..=b'9').contains(&b));
        self.signed(neg, int.parse().unwrap_or(0), frac)
    }

    /// As [`Lang::fixed`] with trailing zeros (and a bare separator) removed.
    fn fixed_trimmed(self, v: f64, decimals: usize) -> String {
        let s = format!("{:.*}", decimals, v.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let frac = frac.trim_end_matches('0');
        let neg = v < 0.0 && s.bytes().any(|b| (b'1'..=b'9').contains(&b));
        self.signed(neg, int.parse().unwrap_or(0), frac)
    }

    fn signed(self, neg: bool, int: u64, frac: &str) -> String {
        let digits = int.to_string();
        let mut out = String::new();
        if neg {
            out.push('−');
        }
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(self.group_separator());
            }
            out.push(ch);
        }
        if !frac.is_empty() {
            out.push(self.decimal_separator());
            out.push_str(frac);
        }
        out
    }

    /// A share as a percentage: whole percent from 10 % up, one decimal below (`45 %`,
    /// `2.5 %`), `%` after a space (no-break in Finnish: `2,5 %`).
    pub fn percent(self, share: f64) -> String {
        let p = share * 100.0;
        let sep = if self == Lang::Fi { NBSP } else { ' ' };
        if p.abs() >= 10.0 || (p - p.round()).abs() < 0.05 {
            format!("{}{sep}%", self.thousands(p.round()))
        } else {
            format!("{}{sep}%", self.fixed(p, 1))
        }
    }

    /// A message without placeholders (placeholders stay as written).
    pub fn t(self, m: Msg) -> &'static str {
        m.text(self)
    }

    /// A message with its `{name}` placeholders filled from `args`.
    pub fn fill(self, m: Msg, args: &[(&str, &dyn Display)]) -> String {
        let mut out = self.t(m).to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), &value.to_string());
        }
        out
    }

    /// Yes / no.
    pub fn yes_no(self, v: bool) -> &'static str {
        self.t(if v { Msg::Met } else { Msg::Missed })
    }

    /// The display name of a programme pillar (`logistics`, …).
    pub fn pillar(self, pillar: crate::scenario::Pillar) -> &'static str {
        use crate::scenario::Pillar as P;
        self.t(match pillar {
            P::Logistics => Msg::PillarLogistics,
            P::Bioeconomy => Msg::PillarBioeconomy,
            P::Transport => Msg::PillarTransport,
            P::Digitalisation => Msg::PillarDigitalisation,
            P::Energy => Msg::PillarEnergy,
            P::Other => Msg::PillarOther,
        })
    }

    /// An adoption curve in words (`logistic 2022–2040` → `logistinen 2022–2040`), table
    /// points with a decimal comma in Finnish.
    ///
    /// ```
    /// use kymsim::i18n::Lang;
    /// assert_eq!(Lang::Fi.adoption("logistic 2022–2040"), "logistinen 2022–2040");
    /// assert_eq!(Lang::Fi.adoption("table 2026: 0.094"), "taulukko 2026: 0,094");
    /// assert_eq!(Lang::En.adoption("step from 2030"), "step from 2030");
    /// ```
    pub fn adoption(self, adoption: &str) -> String {
        if self == Lang::En {
            return adoption.to_string();
        }
        let words = adoption
            .replacen("linear", "lineaarinen", 1)
            .replacen("logistic", "logistinen", 1)
            .replacen("step", "kertaheitto", 1)
            .replacen("table", "taulukko", 1)
            .replacen(" from ", " vuodesta ", 1);
        // decimal commas in the table points (`2026: 0.094` → `2026: 0,094`)
        let chars: Vec<char> = words.chars().collect();
        let digit = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(char::is_ascii_digit)
        };
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if c == '.' && digit(i.checked_sub(1)) && digit(Some(i + 1)) {
                    ','
                } else {
                    c
                }
            })
            .collect()
    }

    /// A measure kind in words (`fuel switch`, `polttoaineen vaihto`).
    pub fn measure_kind(self, kind: crate::scenario::MeasureKind) -> &'static str {
        use crate::scenario::MeasureKind as K;
        self.t(match kind {
            K::Activity => Msg::KindActivity,
            K::Efficiency => Msg::KindEfficiency,
            K::FuelSwitch => Msg::KindFuelSwitch,
            K::Process => Msg::KindProcess,
            K::Capture => Msg::KindCapture,
            K::CarrierEf => Msg::KindCarrierEf,
            K::MixSwitch => Msg::KindMixSwitch,
            K::Removal => Msg::KindRemoval,
            K::Ccs => Msg::KindCcs,
            K::LandUseChange => Msg::KindLandUseChange,
            K::LandManagement => Msg::KindLandManagement,
        })
    }

    /// Who takes a measure, in words (`Region`, `State`, …).
    pub fn owner(self, owner: crate::scenario::Owner) -> &'static str {
        use crate::scenario::Owner as O;
        self.t(match owner {
            O::Region => Msg::OwnerRegion,
            O::Municipality => Msg::OwnerMunicipality,
            O::National => Msg::OwnerNational,
            O::Eu => Msg::OwnerEu,
        })
    }

    /// `fi` when it is given, else `en` (a name with an optional Finnish form).
    pub fn pick<'a>(self, en: &'a str, fi: Option<&'a str>) -> &'a str {
        match (self, fi) {
            (Lang::Fi, Some(f)) if !f.trim().is_empty() => f,
            _ => en,
        }
    }
}

/// The verdict on a target: met with a probability when a current batch gives one, else met or
/// missed at central values — so that no verdict is shown without saying which it is.
///
/// ```
/// use kymsim::i18n::{Lang, Verdict};
/// let v = Verdict::new(true, Some(0.523));
/// assert_eq!(v.text(Lang::En), "met with probability 52 %");
/// assert_eq!(v.text(Lang::Fi), "saavutetaan 52\u{a0}%:n todennäköisyydellä");
/// assert_eq!(v.band(), "uncertain");
/// assert_eq!(Verdict::new(true, None).text(Lang::En), "met at central values");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// No batch: the answer at the central values of every parameter.
    Central(bool),
    /// P(target met) of a current batch (a share, 0–1).
    Probability(f64),
}

impl Verdict {
    /// From the central answer and, when a current batch gives it, P(target met).
    pub fn new(met_at_central: bool, p: Option<f64>) -> Verdict {
        match p {
            Some(p) if p.is_finite() => Verdict::Probability(p.clamp(0.0, 1.0)),
            _ => Verdict::Central(met_at_central),
        }
    }

    /// The probability band, as a class name of the report (and a colour): `met` (P ≥ 90 %, or
    /// met at central values), `uncertain` (50–90 %), `unlikely` (10–50 %), `missed` (below 10 %,
    /// or missed at central values).
    pub fn band(self) -> &'static str {
        match self {
            Verdict::Central(true) => "met",
            Verdict::Central(false) => "missed",
            Verdict::Probability(p) if p >= 0.9 => "met",
            Verdict::Probability(p) if p >= 0.5 => "uncertain",
            Verdict::Probability(p) if p >= 0.1 => "unlikely",
            Verdict::Probability(_) => "missed",
        }
    }

    /// The mark before the words: ✓ met, ≈ uncertain or unlikely, ✗ missed.
    pub fn mark(self) -> char {
        match self.band() {
            "met" => '✓',
            "missed" => '✗',
            _ => '≈',
        }
    }

    /// The verdict in words: `met with probability 52 %`, `missed at central values`, …
    pub fn text(self, lang: Lang) -> String {
        match self {
            Verdict::Central(true) => lang.t(Msg::MetCentral).to_string(),
            Verdict::Central(false) => lang.t(Msg::MissedCentral).to_string(),
            Verdict::Probability(p) => {
                let m = if p >= 0.5 {
                    Msg::MetWithProbability
                } else if p >= 0.1 {
                    Msg::LikelyMissedWithProbability
                } else {
                    Msg::MissedWithProbability
                };
                lang.fill(m, &[("p", &lang.percent(p))])
            }
        }
    }
}

/// The glossary of Finnish terms: for each concept the one word the report, the charts, the
/// terminal and the explorer use, and the synonyms they must not (a test reads every Finnish
/// text of the catalogue and of the explorer's page against it).
pub const GLOSSARY_FI: &[(&str, &[&str])] = &[
    // gross emissions pair with net emissions: brutto / netto, never "kokonaispäästöt"
    ("bruttopäästöt", &["kokonaispäästö"]),
    ("nettopäästöt", &["nettoemissio"]),
    ("nielut", &["hiilinielut ja poistumat"]),
    // the year of carbon neutrality, never "nettonolla vuodesta"
    ("hiilineutraali vuodesta", &["nettonolla vuodesta"]),
    // the programme pillar of transport links, never the sector name "Liikenne" alone
    ("Liikenneyhteydet", &["'Liikenne'"]),
];

macro_rules! catalogue {
    ($($key:ident => $en:literal, $fi:literal;)*) => {
        /// A message of the catalogue; its text in each language is [`Lang::t`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $(
                #[doc = $en]
                $key,
            )*
        }

        impl Msg {
            /// Every message.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Msg::$key, Lang::En) => $en,
                        (Msg::$key, Lang::Fi) => $fi,
                    )*
                }
            }
        }
    };
}

catalogue! {
    // verdicts
    Met => "met", "saavutetaan";
    Missed => "missed", "ei saavuteta";
    TargetMet => "target {year} met", "vuoden {year} tavoite saavutetaan";
    TargetMissed => "target {year} missed", "vuoden {year} tavoitetta ei saavuteta";
    NeutralFrom => "carbon neutral from {year}", "hiilineutraali vuodesta {year}";
    NotNeutral => "not carbon neutral by the end year", "ei hiilineutraali tarkastelujakson aikana";
    Never => "never", "ei koskaan";
    MetCentral => "met at central values", "saavutetaan keskiarvioilla";
    MissedCentral => "missed at central values", "ei saavuteta keskiarvioilla";
    MetWithProbability => "met with probability {p}", "saavutetaan {p}:n todennäköisyydellä";
    LikelyMissedWithProbability => "likely missed: met with probability {p}",
        "todennäköisesti ei saavuteta: todennäköisyys {p}";
    MissedWithProbability => "missed: met with probability {p}", "ei saavuteta: todennäköisyys {p}";
    TargetVerdict => "target {year} {verdict}", "vuoden {year} tavoite: {verdict}";

    // kymsim track: the chart, the report section and the terminal
    TrackTitle => "{region}: are we on track? {scenario}: gross emissions updated by the observations",
        "{region}: olemmeko aikataulussa? {scenario}: bruttopäästöt havainnoilla päivitettynä";
    TrackSubtitle => "5–95 % bands of {n} samples before and after the observations (effective samples {ess}); observations ± 2 sd",
        "5–95 %:n vaihteluvälit {n} otoksesta ennen havaintoja ja niiden jälkeen (efektiivinen otoskoko {ess}); havainnot ± 2 keskihajontaa";
    TrackAxisGross => "Gross emissions (kt CO2e per year)", "Bruttopäästöt (kt CO2e vuodessa)";
    TrackPriorBand => "before the observations, 5–95 %", "ennen havaintoja, 5–95 %";
    TrackPriorMedian => "before the observations, median", "ennen havaintoja, mediaani";
    TrackPosteriorBand => "after the observations, 5–95 %", "havaintojen jälkeen, 5–95 %";
    TrackPosteriorMedian => "after the observations, median", "havaintojen jälkeen, mediaani";
    TrackTargetPath => "target path", "tavoitepolku";
    TrackObserved => "observed (inventory)", "havaittu (inventaario)";
    TrackHeading => "On track?", "Olemmeko aikataulussa?";
    TrackIntro => "The observed years {years} weigh the {n} samples of {scenario} (effective samples {ess}).",
        "Havaitut vuodet {years} painottavat skenaarion {scenario} {n} otosta (efektiivinen otoskoko {ess}).";
    TrackColCriterion => "Criterion", "Kriteeri";
    TrackColBefore => "P before the observations", "P ennen havaintoja";
    TrackColAfter => "P after the observations", "P havaintojen jälkeen";
    TrackTargetRow => "target {year}", "vuoden {year} tavoite";
    TrackNetRange => "Net {year} (kt), 5–50–95 %", "Nettopäästöt {year} (kt), 5–50–95 %";
    TrackBehind => "Compared with the central projection, {year}: {list}.", "Verrattuna keskiennusteeseen vuonna {year}: {list}.";
    TrackAbove => "{variable} {kt} kt above", "{variable} {kt} kt yli";
    TrackBelow => "{variable} {kt} kt below", "{variable} {kt} kt alle";
    TrackBudget => "Carbon budget {from}–{to}: {kt} kt ({basis}); the central projection uses {used} kt, {left} kt left; runs out in {year}.",
        "Hiilibudjetti {from}–{to}: {kt} kt ({basis}); keskiennuste käyttää {used} kt, jäljellä {left} kt; loppuu vuonna {year}.";
    TrackBudgetLasts => "Carbon budget {from}–{to}: {kt} kt ({basis}); the central projection uses {used} kt, {left} kt left; it lasts the horizon.",
        "Hiilibudjetti {from}–{to}: {kt} kt ({basis}); keskiennuste käyttää {used} kt, jäljellä {left} kt; riittää tarkastelujakson loppuun.";
    TrackCaption => "Gross emissions before and after the observed years, with the observations and the target path",
        "Bruttopäästöt ennen havaittuja vuosia ja niiden jälkeen, havainnot ja tavoitepolku";
    TrackColVariable => "Observed figure", "Havaittu suure";
    TrackColObserved => "Observed (kt)", "Havaittu (kt)";
    TrackColSd => "Standard deviation (kt)", "Keskihajonta (kt)";
    TrackColPriorBand => "Before the observations: 5–50–95 % (kt)", "Ennen havaintoja: 5–50–95 % (kt)";
    TrackColPercentile => "Samples below the observation", "Otoksia havaintoa pienempinä";
    BudgetOverspent => "Carbon budget {from}–{to}: {kt} kt ({basis}); the central projection uses {used} kt, {over} kt over the budget; runs out in {year}.",
        "Hiilibudjetti {from}–{to}: {kt} kt ({basis}); keskiennuste käyttää {used} kt, {over} kt yli budjetin; loppuu vuonna {year}.";
    BudgetKept => "Staying within the budget: {verdict}.", "Budjetissa pysyminen: {verdict}.";
    TrackPathNote => "Target path: {path}.", "Tavoitepolku: {path}.";
    TrackPrinted => "{scenario}: {ess} effective of {n} samples; P(target met) {before} before the observations, {after} after",
        "{scenario}: efektiivinen otoskoko {ess} / {n}; P(tavoite saavutetaan) {before} ennen havaintoja, {after} niiden jälkeen";
    TrackOutsideHead => "error: observations outside the ensemble (no sample within 5 sd), not weighted; nothing written:",
        "virhe: havaintoja otosjoukon ulkopuolella (yksikään otos ei ole 5 keskihajonnan sisällä), niitä ei painoteta; mitään ei kirjoitettu:";
    TrackOutsideLine => "{year} {variable}: observed {kt} ± {sd} kt, nearest sample {sigmas} sd away; samples span {lo} to {hi} kt",
        "{year} {variable}: havaittu {kt} ± {sd} kt, lähin otos {sigmas} keskihajonnan päässä; otokset välillä {lo} … {hi} kt";
    TrackOutsideHint => "hint: check the figure and its variable and sd_kt, or widen the scenario's uncertainties so that they cover what was observed",
        "vihje: tarkista luku, sen muuttuja ja sd_kt, tai levennä skenaarion epävarmuuksia niin, että ne kattavat havaitun";
    TrackTooFew => "error: the observations leave {ess} effective samples, fewer than {min}: the update is not trusted and nothing was written; rerun with -n {needed} or more",
        "virhe: havainnoista jää efektiiviseksi otoskooksi {ess}, alle {min}: päivitykseen ei luoteta eikä mitään kirjoitettu; aja uudelleen vähintään -n {needed}";
    BasisGross => "gross emissions", "bruttopäästöt";
    BasisNet => "net emissions", "nettopäästöt";

    // the target criteria (src/model/criteria.rs)
    CriterionGross => "gross {year} ≤ {kt} kt", "bruttopäästöt {year} ≤ {kt} kt";
    CriterionNetZero => "net {year} ≤ 0", "nettopäästöt {year} ≤ 0";
    CriterionMilestone => "milestone {year}: gross ≤ {kt} kt", "välitavoite {year}: bruttopäästöt ≤ {kt} kt";
    CriterionBudgetGross => "carbon budget {from}–{to}: gross ≤ {kt} kt in all",
        "hiilibudjetti {from}–{to}: bruttopäästöt yhteensä ≤ {kt} kt";
    CriterionBudgetNet => "carbon budget {from}–{to}: net ≤ {kt} kt in all",
        "hiilibudjetti {from}–{to}: nettopäästöt yhteensä ≤ {kt} kt";

    // who takes a measure
    OwnerRegion => "Region", "Maakunta";
    OwnerMunicipality => "Municipalities", "Kunnat";
    OwnerNational => "State", "Valtio";
    OwnerEu => "EU", "EU";
    ColOwner => "Taken by", "Toteuttaja";
    OwnMeasures => "The region's own (council, municipalities)", "Alueen omat (maakunta, kunnat)";
    NationalMeasures => "State and EU (pale, hatched)", "Valtio ja EU (vaalea, viivoitettu)";
    MaccKey => "Numbered bars", "Numeroidut palkit";
    MaccOwnShare => " · the region's own measures: {kt} kt, {meur} M€ per year",
        " · alueen omat toimenpiteet: {kt} kt, {meur} M€ vuodessa";
    ColGrossTotal => "Gross emissions", "Bruttopäästöt";
    ColReference => "Reference", "Vertailuskenaario";
    ColContributionKt => "Contribution (kt CO2e/yr)", "Osuus (kt CO2e/v)";
    ColId => "id", "tunnus";
    ColVariable => "IAMC variable", "IAMC-muuttuja";
    OwnAbatement => "The region's own measures (its council and municipalities) cut net emissions in {year} by {own} kt against {reference}, at an added annual cost of {cost} M€/yr; national and EU measures add {other} kt ({other_cost} M€/yr) and other assumptions {rest} kt.",
        "Alueen omat toimenpiteet (maakunta ja kunnat) pienentävät nettopäästöjä vuonna {year} {own} kt verrattuna skenaarioon {reference}, ja niiden lisäkustannus on {cost} M€ vuodessa; kansalliset ja EU:n toimet tuovat {other} kt ({other_cost} M€/v) ja muut oletukset {rest} kt.";

    OwnAbatementOnly => "The region's own measures (its council and municipalities) cut net emissions in {year} by {own} kt against {reference}, at an added annual cost of {cost} M€/yr; other assumptions add {rest} kt.",
        "Alueen omat toimenpiteet (maakunta ja kunnat) pienentävät nettopäästöjä vuonna {year} {own} kt verrattuna skenaarioon {reference}, ja niiden lisäkustannus on {cost} M€ vuodessa; muut oletukset tuovat {rest} kt.";
    OwnUnassigned => " A further {kt} kt come from measures counted only by pillar (too many differ to split them by measure) or that name no owner.",
        " Lisäksi {kt} kt tulee toimenpiteistä, jotka on eritelty vain painopisteittäin (eroavia toimenpiteitä on liikaa niiden erittelyyn) tai joiden toteuttajaa ei ole kerrottu.";

    // pillars
    PillarLogistics => "Logistics", "Logistiikka";
    PillarBioeconomy => "Bioeconomy", "Biotalous";
    PillarTransport => "Transport links", "Liikenneyhteydet";
    PillarDigitalisation => "Digitalisation", "Digitalisaatio";
    PillarEnergy => "Energy", "Energia";
    PillarOther => "Other", "Muut";

    // measure kinds
    KindActivity => "activity", "toiminnan vähennys";
    KindEfficiency => "efficiency", "energiatehokkuus";
    KindFuelSwitch => "fuel switch", "polttoaineen vaihto";
    KindProcess => "process", "prosessipäästöjen vähennys";
    KindCapture => "capture", "talteenotto";
    KindCarrierEf => "carrier ef", "polttoaineen päästökerroin";
    KindMixSwitch => "mix switch", "seoksen tai tuotannon rakenne";
    KindRemoval => "removal", "nielu";
    KindCcs => "ccs", "hiilidioksidin talteenotto ja varastointi";
    KindLandUseChange => "land use change", "maankäytön muutos";
    KindLandManagement => "land management", "hiilinielua lisäävä maan hoito";

    // kymsim validate
    ValidateDataset => "dataset {name} ({code}): {sources} sources, {carriers} carriers, {drivers} drivers, years {from}–{to}, accounting {accounting}",
        "aineisto {name} ({code}): {sources} lähdettä, {carriers} energialajia, {drivers} taustamuuttujaa, vuodet {from}–{to}, laskentatapa {accounting}";
    ValidateNoAccounting => "not stated", "ei ilmoitettu";
    ValidateCalibration => "base-year calibration ({year}), kt CO2e:", "perusvuoden kalibrointi ({year}), kt CO2e:";
    ValidateColSector => "sector", "sektori";
    ValidateColModelled => "modelled", "mallissa";
    ValidateColInventory => "inventory", "inventaario";
    ValidateColBasis => "basis", "peruste";
    ValidateColDiff => "diff", "ero";
    ValidateIndependent => "independent", "riippumaton";
    ValidateReconstructed => "reconstructed", "johdettu";
    ValidateTotal => "Total", "Yhteensä";
    ValidateReconstructedNote => "(a reconstructed figure comes from the same data as the sources and is not compared; history.csv `basis`)",
        "(johdettu luku tulee samasta aineistosta kuin lähteet, eikä sitä verrata; history.csv `basis`)";
    ValidateCalibrated => "calibrated residual `{id}` ({sector}): {kt} kt, {share} of {year} gross; no measure acts on it unless a scenario says so",
        "kalibroitu jäännöserä `{id}` ({sector}): {kt} kt, {share} vuoden {year} bruttopäästöistä; mikään toimenpide ei vaikuta siihen, ellei skenaario niin määrää";
    ValidateScenarioOk => "scenario {name} ok: {measures} measures, {uncertain} uncertain parameters",
        "skenaario {name} kunnossa: {measures} toimenpidettä, {uncertain} epävarmaa parametria";
    ValidateExtends => ", extends {parent}", ", jatkaa skenaariota {parent}";
    ValidatePotentialHead => "{scenario}: share of physical potential used (all measures on the same thing, central / upper values)",
        "{scenario}: käytetty osuus fyysisestä potentiaalista (kaikki samaan kohteeseen kohdistuvat toimenpiteet, keskiarvot / ylärajat)";
    ClaimHectares => "of the hectares of {id}", "kohteen {id} hehtaareista";
    ClaimCapture => "of the emissions (capture) of {id}", "kohteen {id} päästöistä (talteenotto)";
    ClaimManagedArea => "of the managed area of {id}", "kohteen {id} hoidettavasta alasta";
    ClaimCo2 => "of the CO2 of {id}", "polttoaineen {id} hiilidioksidista";

    // kymsim list
    ListId => "id", "tunnus";
    ListKind => "kind", "laji";
    ListSector => "sector", "sektori";
    ListActivity => "activity", "aktiviteetti";
    ListUnit => "unit", "yksikkö";
    ListName => "name", "nimi";
    ListEf => "ef t/MWh", "pk t/MWh";
    ListSourceEmission => "emission", "päästö";
    ListSourceRemoval => "removal", "nielu";
    ListSourceLand => "land", "maa";
    ListFuel => "fuel", "polttoaine";
    ListBlend => "blend", "seos";
    ListMix => "mix", "jakauma";
    ListFromBlend => "from blend", "seoksesta";
    ListFromMix => "from mix", "jakaumasta";
    ListInherited => " (inherited)", " (peritty)";
    ListScenariosFrom => "scenarios: {from}", "skenaariot: {from}";
    ListGross => "Emissions|Kyoto Gases", "Bruttopäästöt";
    ListRemovals => "Carbon Removal", "Nielut";
    ListLand => "Emissions|Land Use", "Maankäyttö";

    // kymsim batch --shard
    ShardHead => "shard {k}/{n} (from {source}): samples {from}..{to} of {samples} per scenario",
        "osa {k}/{n} (`{source}`): otokset {from}..{to}, yhteensä {samples} skenaariota kohden";
    ShardSkip => "{path} is complete for the same inputs: skipping shard {k}/{n} (--force recomputes)",
        "`{path}` on valmis samoilla syötteillä: osa {k}/{n} ohitetaan (--force laskee uudelleen)";
    ShardOther => "{path} is from other inputs: recomputing", "`{path}` on laskettu muilla syötteillä: lasketaan uudelleen";
    ShardDamaged => "{path} is incomplete or damaged: recomputing", "`{path}` on keskeneräinen tai vioittunut: lasketaan uudelleen";
    ShardWrote => "wrote {path}", "kirjoitettu `{path}`";

    // kymsim run
    PrintKeptSample => "evaluated at sample {sample} of {file} (the values the batch drew), not at the central values; no charts or report",
        "laskettu tiedoston `{file}` otoksella {sample} (erän arpomat arvot), ei keskiarvioilla; ei kuvia eikä raporttia";
    PrintManifestIgnored => "note: an earlier manifest.json lists {why}: left alone",
        "huom.: aiempi manifest.json luettelee {why}: jätetään ennalleen";

    // kymsim merge
    MergeMerging => "merging {shards} shards of {samples} samples per scenario",
        "yhdistetään {shards} osaa, {samples} otosta skenaariota kohden";

    // shared chart texts
    Year => "Year", "Vuosi";
    AxisNetKt => "Net emissions (kt CO2e per year)", "Nettopäästöt (kt CO2e vuodessa)";
    AxisEmissionsKt => "Emissions (kt CO2e per year)", "Päästöt (kt CO2e vuodessa)";
    NetEmissions => "Net emissions", "Nettopäästöt";
    NetZero => "Net zero", "Nettonolla";
    LegendTarget => "Target", "Tavoite";
    TargetYearMark => "target year {year} ", "tavoitevuosi {year} ";
    TargetYear => "Target year", "Tavoitevuosi";
    GrossLimit => "Gross limit {year}: {kt} kt (−{pct} % vs {reference})",
        "Bruttopäästöjen raja {year}: {kt} kt (−{pct} % vuodesta {reference})";
    NetZeroTarget => "Net zero (target {year})", "Nettonolla (tavoite {year})";
    TargetPoint => "Target point {year}", "Tavoitepiste {year}";
    ScenarioNamed => "Scenario {name}", "Skenaario {name}";

    // net_all
    NetAllTitle => "{region}: net emissions of all scenarios", "{region}: kaikkien skenaarioiden nettopäästöt";
    NetAllSubtitle => "Net emissions = gross − removals, central values",
        "Nettopäästöt = bruttopäästöt − nielut, keskiarviot";
    NetAllSubtitleBatch => "Net emissions = gross + land use − removals: central values, batch median and 5–95 % range",
        "Nettopäästöt = bruttopäästöt + maankäyttö − nielut: keskiarviot, Monte Carlo -ajon mediaani ja 5–95 %:n vaihteluväli";
    ScenariosCentral => "Scenarios (central values)", "Skenaariot (keskiarviot)";
    Batch => "Batch", "Monte Carlo -ajo";
    Median => "{name}: median", "{name}: mediaani";
    Range595 => "{name}: 5–95 % range", "{name}: 5–95 %:n vaihteluväli";

    // emissions
    EmissionsTitle => "{region}: emissions and removals — {scenario}", "{region}: päästöt ja nielut — {scenario}";
    EmissionsSubtitle => "Gross emissions by sector, land use that emits above them, sinks below zero, net line · {verdict}",
        "Bruttopäästöt sektoreittain, päästävä maankäyttö niiden päällä, nielut nollan alapuolella, nettopäästöjen viiva · {verdict}";
    GrossBySector => "Gross emissions by sector", "Bruttopäästöt sektoreittain";
    RemovalsWord => "Removals", "Nielut";
    RemovalsBelowZero => "Removals (below zero)", "Nielut (nollan alapuolella)";
    LandUseAbove => "Land use, net source", "Maankäyttö, nettolähde";
    LandUseBelow => "Land use, net sink", "Maankäyttö, nettonielu";
    TotalsAndTarget => "Totals and target", "Summat ja tavoite";
    InventoryGross => "Inventory, gross total (history)", "Inventaario, bruttopäästöt (historia)";
    TargetPath => "Target path of gross emissions: inventory {base} → milestones → limit {year}",
        "Bruttopäästöjen tavoitepolku: inventaario {base} → välitavoitteet → raja {year}";
    MilestoneLegend => "Milestone {year}: gross ≤ {kt} kt ({basis})",
        "Välitavoite {year}: bruttopäästöt ≤ {kt} kt ({basis})";
    MilestoneStricter => "Milestone {year}: gross ≤ {kt} kt ({basis}), stricter than the {target} limit",
        "Välitavoite {year}: bruttopäästöt ≤ {kt} kt ({basis}), tiukempi kuin vuoden {target} raja";
    MilestoneStricterNote => "The {year} milestone (gross ≤ {kt} kt, {basis}) is stricter than the {target} gross limit of {limit} kt: the target path on the emissions charts falls to the milestone and rises again to the {target} limit.",
        "Välitavoite {year} (bruttopäästöt ≤ {kt} kt, {basis}) on tiukempi kuin vuoden {target} bruttopäästöjen raja {limit} kt: päästökaavioiden tavoitepolku laskee välitavoitteeseen ja nousee sitten vuoden {target} rajaan.";
    MilestoneMark => "milestone {year}: ≤ {kt} kt", "välitavoite {year}: ≤ {kt} kt";

    // energy
    EnergyTitle => "{region}: final energy by carrier — {scenario}",
        "{region}: energian loppukäyttö energialähteittäin — {scenario}";
    EnergySubtitle => "Final energy use summed by carrier · electricity share {first}: {p_first} → {last}: {p_last}",
        "Energian loppukäyttö energialähteittäin · sähkön osuus {first}: {p_first} → {last}: {p_last}";
    EnergySubtitleShort => "Final energy use summed by carrier", "Energian loppukäyttö energialähteittäin";
    AxisEnergy => "Final energy (GWh per year)", "Energian loppukäyttö (GWh vuodessa)";
    Carriers => "Carriers", "Energialähteet";

    // wedges
    WedgesTitle => "{region}: reductions by pillar — {scenario}", "{region}: päästövähennykset painopisteittäin — {scenario}";
    WedgesSubtitle => "Counterfactual without measures vs the scenario · reduction in {year}: {kt} kt CO2e per year",
        "Kehitys ilman toimenpiteitä ja skenaario · vähennys vuonna {year}: {kt} kt CO2e vuodessa";
    WedgesSubtitleShort => "Counterfactual without measures vs the scenario", "Kehitys ilman toimenpiteitä ja skenaario";
    ReductionByPillar => "Reduction by pillar", "Vähennys painopisteittäin";
    ReductionOwn => "The region's own measures, by pillar", "Alueen omat toimenpiteet painopisteittäin";
    ReductionStateEu => "State and EU measures, by pillar (pale)", "Valtion ja EU:n toimet painopisteittäin (vaalea)";
    WedgesOwnShare => " · the region's own measures {kt} kt", " · alueen omat toimenpiteet {kt} kt";
    WithoutMeasures => "Without measures (counterfactual)", "Ilman toimenpiteitä (vertailukehitys)";

    // difference
    DifferenceTitle => "{region}: {scenario} against {reference}", "{region}: {scenario} verrattuna skenaarioon {reference}";
    DifferenceSubtitle => "Net emissions of both; the gap split into the measures that make it (exact Shapley) · gap in {year}: {kt} kt CO2e per year",
        "Molempien nettopäästöt; ero jaettuna sen tuottaviin toimenpiteisiin (tarkka Shapley) · ero vuonna {year}: {kt} kt CO2e vuodessa";
    GapByMeasure => "Gap by measure", "Ero toimenpiteittäin";
    GapByPillar => "Gap by pillar", "Ero painopisteittäin";
    ReferenceNamed => "Reference {name}", "Vertailu {name}";
    OtherMeasures => "{n} other measures", "{n} muuta toimenpidettä";
    OtherSettings => "Other assumptions (drivers)", "Muut oletukset (esim. väestökehitys)";

    // macc
    MaccTitle => "{region}: abatement cost curve — {scenario}", "{region}: päästövähennysten kustannuskäyrä — {scenario}";
    MaccSubtitle => "Measures sorted by cost · bar width = abatement in {year}, total {kt} kt CO2e per year · annual cost {meur} M€",
        "Toimenpiteet kustannusjärjestyksessä · palkin leveys = vähennys vuonna {year}, yhteensä {kt} kt CO2e vuodessa · vuosikustannus {meur} M€";
    MaccX => "Cumulative abatement in {year} (kt CO2e per year)", "Kertyvä päästövähennys vuonna {year} (kt CO2e vuodessa)";
    MaccY => "Cost (€ per t CO2e)", "Kustannus (€ / t CO2e)";
    Pillar => "Pillar", "Painopiste";

    // batch
    BatchTitle => "{region}: batch outcomes — {scenario}", "{region}: Monte Carlo -tulokset — {scenario}";
    BatchSubtitleExact => "{n} samples · target {year} met in {p} of samples",
        "{n} otosta · vuoden {year} tavoite saavutetaan {p}:ssa otoksista";
    BatchSubtitleNone => "{n} samples · target {year} met in none of the samples",
        "{n} otosta · vuoden {year} tavoitetta ei saavuteta yhdessäkään otoksessa";
    BatchSubtitleAll => "{n} samples · target {year} met in every sample",
        "{n} otosta · vuoden {year} tavoite saavutetaan kaikissa otoksissa";
    BatchNetZeroShare => " · net ≤ 0 in {p} of samples", " · nettopäästöt enintään nolla {p}:ssa otoksista";
    BatchNetZeroNone => " · net above zero in every sample", " · nettopäästöt yli nollan kaikissa otoksissa";
    BatchNetZeroAll => " · net ≤ 0 in every sample", " · nettopäästöt enintään nolla kaikissa otoksissa";
    BatchNearlyNone => "{n} samples · net above zero in {year} in nearly all samples",
        "{n} otosta · nettopäästöt yli nollan vuonna {year} lähes kaikissa otoksissa";
    BatchAtLeast => "{n} samples · net ≤ 0 in {year} in at least {p} of samples",
        "{n} otosta · nettopäästöt ≤ 0 vuonna {year} vähintään {p}:ssa otoksista";
    BatchNetX => "Net emissions in {year} (kt CO2e per year)", "Nettopäästöt vuonna {year} (kt CO2e vuodessa)";
    ShareOfSamples => "Share of samples (%)", "Osuus otoksista (%)";
    NeutralityYear => "Neutrality year", "Hiilineutraaliusvuosi";
    Samples => "Samples", "Otokset";
    NotNeutralBy => "Not neutral by {year}", "Ei hiilineutraali vuoteen {year} mennessä";
    BatchTargetLegend => "Net zero (left: histogram) / neutral by {year} (right)",
        "Nettonolla (vasen: histogrammi) / hiilineutraali vuoteen {year} mennessä (oikea)";

    // sensitivity, Morris, discovery
    SensitivityTitle => "{region}: what drives the outcome — {scenario}", "{region}: mikä ratkaisee tuloksen — {scenario}";
    SensitivitySubtitle => "Sobol indices of net emissions in {year} (share of variance)",
        "Vuoden {year} nettopäästöjen Sobol-indeksit (osuus varianssista)";
    HiddenParameters => " · {n} less influential parameters not shown", " · {n} vähemmän vaikuttavaa parametria ei näytetä";
    SobolAxis => "Sobol index (share of output variance, 0–1)", "Sobol-indeksi (osuus tuloksen varianssista, 0–1)";
    SobolIndex => "Sobol index", "Sobol-indeksi";
    TotalOrder => "Total-order (with interactions)", "Kokonaisvaikutus (yhteisvaikutuksineen)";
    FirstOrder => "First-order (alone)", "Suora vaikutus (yksinään)";
    GapRaises => "Raise the scenario's net (above the reference)", "Nostavat skenaarion nettopäästöjä (vertailun yläpuolella)";
    GapLowers => "Lower the scenario's net (below the reference)", "Laskevat skenaarion nettopäästöjä (vertailun alapuolella)";
    TotalOrderInterval => "95 % interval of total-order", "Kokonaisvaikutuksen 95 %:n luottamusväli";
    FirstOrderInterval => "95 % interval of first-order (wider than the gap to total-order: noise)",
        "Suoran vaikutuksen 95 %:n luottamusväli (väliä kokonaisvaikutukseen leveämpi: satunnaisvaihtelua)";
    FieldEffect => "effect", "vaikutus";
    FieldCompletion => "completion year", "valmistumisvuosi";
    FieldCost => "cost", "kustannus";
    FieldEnergyRatio => "energy ratio", "energiasuhde";
    DriverGrowth => "{driver} growth", "{driver}: kasvu";

    // Morris
    MorrisTitle => "{region}: which uncertainties matter — {scenario}", "{region}: mitkä epävarmuudet ratkaisevat — {scenario}";
    MorrisSubtitle => "Morris screening of net emissions in {year}: {trajectories} trajectories, {runs} model runs",
        "Vuoden {year} nettopäästöjen Morris-seulonta: {trajectories} polkua, {runs} mallin ajoa";
    MorrisAxis => "kt CO2e/yr of {year} net emissions across the parameter's range",
        "kt CO2e/v vuoden {year} nettopäästöissä parametrin vaihteluvälillä";
    ElementaryEffects => "Elementary effects", "Alkeisvaikutukset";
    MuStar => "μ*: mean absolute effect (influence)", "μ*: itseisarvojen keskiarvo (vaikutus)";
    SigmaSpread => "σ: their spread (interactions, non-linearity)", "σ: hajonta (yhteisvaikutukset, epälineaarisuus)";

    // discovery
    DiscoveryTitleMissed => "{region}: under which conditions is the target missed? — {scenario}",
        "{region}: millä ehdoilla tavoitetta ei saavuteta? — {scenario}";
    DiscoveryTitleMet => "{region}: under which conditions is the target met? — {scenario}",
        "{region}: millä ehdoilla tavoite saavutetaan? — {scenario}";
    DiscoveryRuleDensest => "the densest box with coverage ≥ {p}", "tihein laatikko, jonka kattavuus ≥ {p}";
    DiscoveryRulePicked => "picked with --box", "valittu --box-valinnalla";
    DiscoverySubtitle => "PRIM peeling trajectory over {n} samples · box {k} ({rule}): coverage {coverage}, density {density}",
        "PRIM-kuorintapolku {n} otoksesta · laatikko {k} ({rule}): kattavuus {coverage}, tiheys {density}";
    DiscoveryXMissed => "Coverage (share of all samples where the target is missed that lie in the box)",
        "Kattavuus (osuus otoksista, joissa tavoitetta ei saavuteta, jotka ovat laatikossa)";
    DiscoveryXMet => "Coverage (share of all samples where the target is met that lie in the box)",
        "Kattavuus (osuus otoksista, joissa tavoite saavutetaan, jotka ovat laatikossa)";
    DiscoveryYMissed => "Density (share of the box where it is missed)", "Tiheys (laatikon osuus, jossa tavoitetta ei saavuteta)";
    DiscoveryYMet => "Density (share of the box where it is met)", "Tiheys (laatikon osuus, jossa tavoite saavutetaan)";
    BoxNumber => "box {k}", "laatikko {k}";
    RestrictedParameters => "Restricted parameters", "Rajatut parametrit";
    OrMore => "{n} or more", "{n} tai enemmän";
    Boxes => "Boxes", "Laatikot";
    PeelingTrajectory => "Peeling trajectory", "Kuorintapolku";
    PastedBox => "Pasted box (ring)", "Laajennettu laatikko (rengas)";
    SelectedBox => "Selected: box {k}", "Valittu: laatikko {k}";
    CoverageThreshold => "Coverage threshold {p}", "Kattavuuden raja {p}";

    // report
    ReportTitle => "{region}: carbon-neutrality scenarios", "{region}: hiilineutraaliuden skenaariot";
    ReportLeadTarget => "Target {year}: ", "Tavoite {year}: ";
    ReportGrossTarget => "gross emissions at most {limit} kt CO2e (−{pct} % from {reference_kt} kt in {reference})",
        "bruttopäästöt enintään {limit} kt CO2e (−{pct} % vuoden {reference} {reference_kt} kt:sta)";
    ReportAnd => " and ", " ja ";
    ReportNetTarget => "net emissions (gross + land use − removals) at most zero", "nettopäästöt (bruttopäästöt + maankäyttö − nielut) enintään nolla";
    ReportYears => "years", "vuodet";
    Contents => "Contents", "Sisältö";
    Summary => "Summary", "Yhteenveto";
    AllScenarios => "All scenarios", "Kaikki skenaariot";
    Inventory => "Inventory", "Päästöinventaario";
    Provenance => "Data provenance", "Tietojen lähteet";
    ProvenanceIntro => "Dataset: {region} ({code}), base year {base}. The source and derivation of every number are written in the provenance column of the dataset's CSV files and in its SOURCES.md. The class of each emission source's numbers:",
        "Aineisto: {region} ({code}), perusvuosi {base}. Jokaisen luvun lähde ja laskelma on kirjattu aineiston CSV-tiedostojen provenance-sarakkeeseen ja englanninkieliseen tiedostoon SOURCES.md. Kunkin päästölähteen lukujen luokka:";
    ProvenanceClasses => "Classes: a published figure; derived from published figures (the formula is given); an estimate (with its reasoning); calibrated: the residual that makes the sectors add up to the published total.",
        "Luokat: julkaistu luku; johdettu julkaistuista luvuista (laskukaava kirjattu); arvio (perusteluineen); kalibroitu: jäännös, jolla sektorien summa vastaa julkaistua kokonaismäärää.";
    ColSource => "Emission source", "Päästölähde";
    ColClass => "Class", "Luokka";
    ClassSourced => "published figure", "julkaistu luku";
    ClassDerived => "derived", "johdettu";
    ClassEstimated => "estimate", "arvio";
    ClassCalibrated => "calibrated", "kalibroitu";
    ClassDerivedEstimated => "derived, partly estimated", "johdettu, osin arvio";
    ColScenario => "Scenario", "Skenaario";
    ColTargetMet => "Target met?", "Tavoite saavutetaan?";
    ColNeutralFrom => "Carbon neutral from", "Hiilineutraali vuodesta";
    ColGross => "Gross {year} (kt)", "Bruttopäästöt {year} (kt)";
    ColRemovals => "Removals {year} (kt)", "Nielut {year} (kt)";
    ColNet => "Net {year} (kt)", "Nettopäästöt {year} (kt)";
    ColGrossVs => "Gross vs {year}", "Bruttopäästöt vs. {year}";
    ColGrossLimit => "Gross ≤ limit", "Bruttopäästöt ≤ raja";
    ColNetZero => "Net ≤ 0", "Netto ≤ 0";
    ColMilestone => "Milestone {year} (gross ≤ {kt} kt)", "Välitavoite {year} (bruttopäästöt ≤ {kt} kt)";
    ColPTarget => "P(target met)", "P(tavoite saavutetaan)";
    ColNetRange => "Net {year} (kt), 5–95 %", "Nettopäästöt {year} (kt), 5–95 %";
    ColAnnualCost => "Annual cost of measures (M€/yr)", "Toimenpiteiden vuosikustannus (M€/v)";
    NoSummary => "no summary", "ei yhteenvetoa";
    NeverByEnd => "never (by the end year)", "ei koskaan (tarkastelujakson aikana)";
    RangeTo => "{lo} to {hi}", "{lo} … {hi}";
    AccountingNote => "Accounting: {basis}; removals at EU emissions-trading installations {counted}.",
        "Laskentatapa: {basis}; EU:n päästökauppalaitosten nieluja {counted}.";
    AsTheData => "as the data", "aineiston mukainen";
    AreCounted => "are counted", "lasketaan mukaan";
    AreNotCounted => "are not counted", "ei lasketa mukaan";
    LeftOut => " Left out of {scenario}: {name} ({id}).", " Jätetty pois skenaariosta {scenario}: {name} ({id}).";
    Unallocated => " Of the {year} inventory, {kt} kt ({pct}) is an unallocated residual that no measure acts on.",
        " Vuoden {year} inventaariosta {kt} kt ({pct}) on kohdentamaton jäännös, johon mikään toimenpide ei vaikuta.";
    NoMeasures => "No measures: this scenario follows the data's trends only.",
        "Ei toimenpiteitä: skenaario seuraa vain aineiston kehityssuuntia.";
    ColMeasure => "Measure", "Toimenpide";
    ColPillar => "Pillar", "Painopiste";
    ColKind => "Kind", "Tyyppi";
    ColTargets => "Targets", "Kohteet";
    ColCentral => "Central value", "Keskiarvio";
    ColAdoption => "Adoption", "Käyttöönotto";
    ColCost => "Cost (€/t)", "Kustannus (€/t)";
    ColAbatement => "Abatement {year} (kt)", "Vähennys {year} (kt)";
    ColMeasureAnnualCost => "Annual cost (M€/yr)", "Vuosikustannus (M€/v)";
    KtPerYear => "{v} kt/yr", "{v} kt/v";
    Measures => "Measures", "Toimenpiteet";
    BuildsOn => "Builds on {parent}: its measures are included below.",
        "Pohjana {parent}: sen toimenpiteet ovat mukana alla.";
    ScenarioHeading => "Scenario {name}", "Skenaario {name}";
    NoInventory => "The dataset has no historical inventory.", "Aineistossa ei ole päästöhistoriaa.";
    ColSector => "Sector", "Sektori";
    InventoryNote => "kt CO2e per year: inventory (history.csv) in the years it has, the model's {scenario} scenario from {base} on (marked *).",
        "kt CO2e vuodessa: inventaario (history.csv) sen vuosina, mallin skenaario {scenario} vuodesta {base} alkaen (merkitty *).";
    NoSources => "The dataset has no SOURCES.md.", "Aineistossa ei ole SOURCES.md-tiedostoa.";
    Footer => "Made with kymsim {version}. Charts use the DejaVu Sans font (Bitstream Vera licence).",
        "Tehty kymsimillä ({version}). Kaavioiden fontti on DejaVu Sans (Bitstream Vera -lisenssi).";
    Total => "Total", "Yhteensä";
    CapEmissions => "Gross emissions by sector, removals, net emissions, inventory and target",
        "Bruttopäästöt sektoreittain, nielut, nettopäästöt, inventaario ja tavoite";
    CapEnergy => "Final energy by carrier", "Energian loppukäyttö energialähteittäin";
    CapWedges => "Reductions from the no-measure counterfactual, by pillar",
        "Päästövähennykset ilman toimenpiteitä -kehityksestä painopisteittäin";
    CapDifference => "Against {reference}: the gap in net emissions by measure",
        "Verrattuna skenaarioon {reference}: nettopäästöjen ero toimenpiteittäin";
    CapMacc => "Marginal abatement cost curve", "Päästövähennysten rajakustannuskäyrä";
    CapBatch => "Batch: target-year net emissions and neutrality year",
        "Monte Carlo: tavoitevuoden nettopäästöt ja hiilineutraaliusvuosi";
    CapSensitivity => "Sensitivity: Sobol indices of target-year net emissions",
        "Herkkyys: tavoitevuoden nettopäästöjen Sobol-indeksit";
    CapMorris => "Screening: Morris elementary effects of target-year net emissions (morris.csv)",
        "Seulonta: tavoitevuoden nettopäästöjen Morris-vaikutukset (morris.csv)";
    CapDiscovery => "Scenario discovery: PRIM peeling trajectory (the boxes are in discovery.csv)",
        "Skenaarioiden etsintä: PRIM-kuorintapolku (laatikot ovat tiedostossa discovery.csv)";
    CapNetAll => "Net emissions of every scenario with the target",
        "Kaikkien skenaarioiden nettopäästöt ja tavoite";
    DifferenceHeading => "Against {reference}", "Verrattuna skenaarioon {reference}";
    DifferenceLead => "Net emissions in {year}: {scenario} {net} kt, {reference} {net_ref} kt; the gap of {gap} kt is made by these measures (Shapley attribution over the measures that differ; positive = lower net emissions than the reference):",
        "Nettopäästöt vuonna {year}: {scenario} {net} kt, {reference} {net_ref} kt; {gap} kt:n eron tuottavat nämä toimenpiteet (Shapley-jako eroavien toimenpiteiden kesken; positiivinen = pienemmät nettopäästöt kuin vertailussa):";
    ColContribution => "Contribution {year} (kt)", "Osuus {year} (kt)";
    SameMeasures => "No measure differs from {reference}.", "Toimenpiteet ovat samat kuin skenaariossa {reference}.";

    // printed summary of `kymsim run`
    PrintTarget => "{region}: target {year} = gross ≤ {limit} kt (−{pct} % from {reference}){net}",
        "{region}: tavoite {year} = bruttopäästöt ≤ {limit} kt (−{pct} % vuodesta {reference}){net}";
    PrintNetZero => " and net ≤ 0", " ja nettopäästöt ≤ 0";
    PrintMilestone => "milestone {year}: gross ≤ {limit} kt ({basis})", "välitavoite {year}: bruttopäästöt ≤ {limit} kt ({basis})";
    PrintAccounting => "accounting: {basis}; removals at EU ETS installations {counted}",
        "laskentatapa: {basis}; EU:n päästökauppalaitosten nieluja {counted}";
    PrintCounted => "counted", "lasketaan mukaan";
    PrintNotCounted => "not counted", "ei lasketa mukaan";
    PlanVerdict => "cheapest plan from {base} toward {menu} meeting the target in {goal} of {n} samples: {cost} M€/yr (lower bound {bound}, gap {gap}; {nodes} nodes, {seconds} s)",
        "halvin suunnitelma skenaariosta {base} kohti skenaariota {menu}, joka saavuttaa tavoitteen {goal}:ssa {n} otoksesta: {cost} M€/v (alaraja {bound}, ero {gap}; {nodes} solmua, {seconds} s)";
    PlanMeasure => "  `{id}`: level {level} ({cost} M€/yr, {kt} kt)", "  `{id}`: taso {level} ({cost} M€/v, {kt} kt)";
    PlanNone => "  no measure needed: {base} meets the goal as it is", "  toimenpiteitä ei tarvita: {base} saavuttaa tavoitteen sellaisenaan";
    PlanShares => "P(target met) in sample {inside}; out of sample {outside} (95 % interval {low}–{high}, {n} fresh samples, seed {seed})",
        "P(tavoite saavutetaan) otoksessa {inside}; otoksen ulkopuolella {outside} (95 %:n väli {low}–{high}, {n} uutta otosta, siemenluku {seed})";
    PlanShort => "warning: out of sample the plan meets the target in fewer than {goal} of samples, beyond sampling error: use more samples (-n)",
        "varoitus: otoksen ulkopuolella suunnitelma saavuttaa tavoitteen harvemmin kuin {goal}:ssa otoksista, yli otantavirheen: käytä useampia otoksia (-n)";
    PlanSeparable => "the lower bound is the separable one only: {why}; the coupled bound assumes that no measure abates more because another is taken (the gap can stay wide)",
        "alaraja on vain erillisten kustannusten alaraja: {why}; kytketty alaraja olettaa, ettei mikään toimenpide vähennä päästöjä enemmän toisen toimenpiteen ansiosta (ero voi jäädä suureksi)";
    PlanReinforcing => "these measures may reinforce each other: {pairs}", "nämä toimenpiteet voivat vahvistaa toisiaan: {pairs}";
    PlanBaseYear => "a measure acts already in the base year", "jokin toimenpide vaikuttaa jo perusvuonna";
    PlanFrontier => "  P {goal}: {cost} M€/yr (bound {bound})", "  P {goal}: {cost} M€/v (alaraja {bound})";
    PlanFrontierNone => "  P {goal}: unreachable", "  P {goal}: ei saavutettavissa";
    PlanFrontierHead => "cost against probability (see {file}):", "kustannus todennäköisyyden mukaan (ks. {file}):";
    PlanWritten => "wrote {dir}", "kirjoitettu {dir}";
    PlanUnreachable => "no plan from {base} toward {menu} meets the target in {goal} of samples: with every measure at its maximum it is met in {best} of {n} samples; at the central values net {year} emissions are {net} kt{gross}",
        "mikään suunnitelma skenaariosta {base} kohti skenaariota {menu} ei saavuta tavoitetta {goal}:ssa otoksista: kaikki toimenpiteet täysimääräisinä se saavutetaan {best}:ssa {n} otoksesta; keskiarvioilla nettopäästöt vuonna {year} ovat {net} kt{gross}";
    PlanGrossOver => ", gross {kt} kt above the limit", ", bruttopäästöt {kt} kt yli rajan";
    FrontierTitle => "{region}: the cheapest plan against the probability of meeting the target",
        "{region}: halvin suunnitelma tavoitteen saavuttamisen todennäköisyyden mukaan";
    FrontierSubtitle => "measures of {menu} added to {base}, each at one of {levels} levels; {n} samples",
        "skenaarion {menu} toimenpiteet lisättyinä skenaarioon {base}, kukin yhdellä {levels} tasosta; {n} otosta";
    FrontierAxisGoal => "Probability goal (share of samples that meet the target)",
        "Todennäköisyystavoite (tavoitteen saavuttavien otosten osuus)";
    FrontierAxisCost => "Annual cost (M€ per year)", "Vuosikustannus (M€ vuodessa)";
    FrontierCost => "cheapest plan found", "halvin löydetty suunnitelma";
    FrontierBound => "proven lower bound on the cost", "todistettu kustannuksen alaraja";
    ReportPlanHeading => "Cheapest plan", "Halvin suunnitelma";
    ReportPlanIntro => "The cheapest set of measures of {menu} to add to {base} so that the target is met in at least {goal} of {n} samples (seed {seed}), each measure at one of {levels} levels.",
        "Halvin joukko skenaarion {menu} toimenpiteitä lisättäväksi skenaarioon {base}, jolla tavoite saavutetaan vähintään {goal}:ssa {n} otoksesta (siemenluku {seed}), kukin toimenpide yhdellä {levels} tasosta.";
    ReportPlanCost => "Annual cost {cost} M€; no plan meeting the goal costs less than {bound} M€ (gap {gap}).",
        "Vuosikustannus {cost} M€; mikään tavoitteen saavuttava suunnitelma ei maksa alle {bound} M€ (ero {gap}).";
    ReportPlanShares => "The plan meets the target in {inside} of these samples, and in {outside} of {n} fresh samples (95 % interval {low}–{high}).",
        "Suunnitelma saavuttaa tavoitteen {inside}:ssa näistä otoksista ja {outside}:ssa {n} uudesta otoksesta (95 %:n väli {low}–{high}).";
    ReportPlanShort => "Out of sample the plan meets the target less often than the goal of {goal}, beyond sampling error: plan again with more samples.",
        "Otoksen ulkopuolella suunnitelma saavuttaa tavoitteen harvemmin kuin tavoiteltu {goal}, yli otantavirheen: laadi suunnitelma uudelleen useammilla otoksilla.";
    ReportPlanNone => "No measure needs adding: {base} meets the goal as it is.",
        "Toimenpiteitä ei tarvitse lisätä: {base} saavuttaa tavoitteen sellaisenaan.";
    ReportPlanColMeasure => "Measure", "Toimenpide";
    ReportPlanColLevel => "Level", "Taso";
    ReportPlanColValue => "Value", "Arvo";
    ReportPlanColCost => "Cost (M€/yr)", "Kustannus (M€/v)";
    ReportPlanColAbatement => "Abatement (kt)", "Vähennys (kt)";
    ReportPlanFiles => "Files:", "Tiedostot:";
    CapFrontier => "Cost of the cheapest plan against the probability goal, with the proven lower bound.",
        "Halvimman suunnitelman kustannus todennäköisyystavoitteen mukaan ja todistettu alaraja.";
    PrintHeadScenario => "scenario", "skenaario";
    PrintHeadGross => "gross kt", "brutto kt";
    PrintHeadRemoval => "removal kt", "nielut kt";
    PrintHeadLand => "land use kt", "maankäyttö kt";
    PrintHeadNet => "net kt", "netto kt";
    PrintHeadVsRef => "vs {year}", "muutos vuodesta {year}";
    PrintHeadTarget => "target", "tavoite";
    PrintHeadNeutral => "neutral in", "hiilineutraali";
    PrintHeadMilestone => "m{year}", "välitavoite {year}";
    PrintHeadP => "P(target)", "P(tavoite)";
    PrintCentralNote => "target: at central values (`kymsim batch` gives the probability)",
        "tavoite: keskiarvioilla (`kymsim batch` antaa todennäköisyyden)";
    PrintVerdict => "{scenario}: target {year} {verdict} (± {se}, {n} samples of {file}); {central}",
        "{scenario}: vuoden {year} tavoite – {verdict} (± {se}, {n} otosta, {file}); {central}";
    PrintExcluded => "{scenario}: `{id}` not counted: {reason}", "{scenario}: toimenpidettä `{id}` ei lasketa mukaan: {reason}";
    ExcludedEts => "a removal at an EU ETS installation, whose emissions the {basis} accounting leaves out (region.toml `count_ets_removals = false`)",
        "nielu on EU:n päästökauppalaitoksella, jonka päästöt laskentatapa {basis} jättää pois (region.toml `count_ets_removals = false`)";
    PrintMacc => "{scenario}: measures with a cost abate {kt} kt in {year} for {meur} M€/yr (see {file})",
        "{scenario}: kustannukselliset toimenpiteet vähentävät {kt} kt vuonna {year}, vuosikustannus {meur} M€ (ks. {file})";
    PrintDifference => "{scenario} vs {reference}: net {year} {gap} kt lower; the region's own measures {own} kt for {cost} M€/yr (see {file})",
        "{scenario} vs. {reference}: nettopäästöt {year} {gap} kt pienemmät; alueen omat toimenpiteet {own} kt, lisäkustannus {cost} M€/v (ks. {file})";
    PrintBatchHead => "{n} samples per scenario ({sampler}, seed {seed})", "{n} otosta skenaariota kohden ({sampler}, siemenluku {seed})";
    PrintHeadNetP5 => "net p5", "netto p5";
    PrintHeadNetP50 => "net p50", "netto p50";
    PrintHeadNetP95 => "net p95", "netto p95";
    PrintHeadNeutralP50 => "neutral p50", "neutraali p50";
    PrintSeNote => "P(target): share of samples meeting the target; ± SE its Monte Carlo standard error √(P(1 − P)/n); net in kt CO2e",
        "P(tavoite): tavoitteen saavuttavien otosten osuus; ± SE sen Monte Carlo -keskivirhe √(P(1 − P)/n); nettopäästöt kt CO2e";
    DiscoverOutcomeMet => "met", "saavutetaan";
    DiscoverOutcomeMissed => "missed", "jää saavuttamatta";
    DiscoverHead => "{scenario}: {n} samples ({sampler}, seed {seed}); target {outcome} in {k} of them ({p})",
        "{scenario}: {n} otosta ({sampler}, siemenluku {seed}); tavoite {outcome} {k} otoksessa ({p})";
    DiscoverWholeSpace => "box {k} is the whole input space: no box with coverage ≥ {p} is denser, so the samples where the target is {outcome} are not concentrated in a region PRIM can find",
        "laatikko {k} on koko syöteavaruus: mikään laatikko, jonka kattavuus on ≥ {p}, ei ole tiheämpi, joten otokset, joissa tavoite {outcome}, eivät keskity alueelle, jonka PRIM löytäisi";
    DiscoverBoxMissed => "the target is missed in {density} of samples where {conditions}; this box covers {coverage} of all misses (box {k} of {last}, {mass} of the samples)",
        "tavoitetta ei saavuteta {density}:ssa otoksista, joissa {conditions}; laatikko kattaa {coverage} kaikista otoksista, joissa tavoitetta ei saavuteta (laatikko {k}/{last}, {mass} otoksista)";
    DiscoverBoxMet => "the target is met in {density} of samples where {conditions}; this box covers {coverage} of all samples that meet it (box {k} of {last}, {mass} of the samples)",
        "tavoite saavutetaan {density}:ssa otoksista, joissa {conditions}; laatikko kattaa {coverage} kaikista otoksista, joissa tavoite saavutetaan (laatikko {k}/{last}, {mass} otoksista)";
    PlotWrote => "wrote {n} charts (PNG and SVG, {w}×{h} px) to {charts} and {report} in {s} s",
        "kirjoitettu {n} kaaviota (PNG ja SVG, {w}×{h} px) kansioon {charts} sekä {report} ({s} s)";
    PlotNoManifest => "note: no {manifest} in {dir}: batch and sensitivity files are drawn without checking their inputs",
        "huom: kansiossa {dir} ei ole tiedostoa {manifest}: Monte Carlo- ja herkkyystiedostot piirretään tarkistamatta niiden syötteitä";
    PrintWroteFiles => "wrote {files}", "kirjoitettu: {files}";
    PrintNoUncertain => "{scenario}: no uncertain parameters", "{scenario}: ei epävarmoja parametreja";
    PrintSobolHead => "{scenario}: Sobol indices of {year} net emissions, N = {n}, seed {seed} ({evaluations} evaluations)",
        "{scenario}: vuoden {year} nettopäästöjen Sobol-indeksit, N = {n}, siemenluku {seed} ({evaluations} mallin ajoa)";
    PrintMorrisHead => "{scenario}: Morris screening of {year} net emissions, r = {r} of {m} candidate trajectories, {levels} levels, seed {seed} ({evaluations} evaluations)",
        "{scenario}: vuoden {year} nettopäästöjen Morris-seulonta, r = {r} polkua {m} ehdokkaasta, {levels} tasoa, siemenluku {seed} ({evaluations} mallin ajoa)";
    PrintHeadParameter => "parameter", "parametri";
    PrintHeadFirstOrder => "first order [95 % CI]", "suora [95 %:n väli]";
    PrintHeadTotalOrder => "total order [95 % CI]", "kokonais [95 %:n väli]";
    PrintMoreIn => "  … and {n} more in {file}", "  … ja {n} muuta tiedostossa {file}";
    PrintWrote => "wrote {dir}", "tulokset kirjoitettu kansioon `{dir}`";
    PrintRemoved => "removed {n} file(s) an earlier run wrote and this one did not (e.g. {example})",
        "poistettu {n} tiedostoa, jotka aiempi ajo kirjoitti mutta tämä ei (esim. `{example}`)";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<String> {
        let mut out: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_message_has_the_same_placeholders_in_both_languages() {
        for &m in Msg::ALL {
            assert_eq!(
                placeholders(Lang::En.t(m)),
                placeholders(Lang::Fi.t(m)),
                "{m:?}"
            );
            assert!(!Lang::Fi.t(m).is_empty(), "{m:?}");
        }
    }

    #[test]
    fn finnish_numbers_use_comma_nbsp_and_minus() {
        // 1234.5 rounds to 1 235 (whole numbers from 100 up), grouped by a no-break space
        assert_eq!(Lang::Fi.thousands(1234.5), "1\u{a0}235");
        assert_eq!(Lang::En.thousands(1234.5), "1 235");
        assert_eq!(Lang::Fi.thousands(-0.25), "−0,25");
        assert_eq!(Lang::Fi.thousands(12.5), "12,5");
        assert_eq!(Lang::Fi.thousands(-0.0), "0");
        assert_eq!(Lang::Fi.fixed(-17.34, 1), "−17,3");
        assert_eq!(Lang::Fi.fixed(-0.04, 1), "0,0");
        assert_eq!(Lang::En.fixed(1234.56, 1), "1 234.6");
        // 0.523 → 52 % (whole from 10 % up); 0.025 → 2.5 %; −0.0612 → −6.1 %
        assert_eq!(Lang::Fi.percent(0.523), "52\u{a0}%");
        assert_eq!(Lang::Fi.percent(0.025), "2,5\u{a0}%");
        assert_eq!(Lang::En.percent(0.025), "2.5 %");
        assert_eq!(Lang::En.percent(-0.0612), "−6.1 %");
    }

    #[test]
    fn finnish_texts_keep_to_the_glossary() {
        // the catalogue (report, charts, terminal) and the explorer's page
        let app = include_str!("serve/assets/app.js");
        let fi_page = &app[app.find("    fi: {").expect("the page's Finnish texts")..];
        let texts = Msg::ALL
            .iter()
            .map(|&m| Lang::Fi.t(m).to_string())
            .chain([fi_page.to_string()]);
        for text in texts {
            let lower = text.to_lowercase();
            for (term, avoided) in GLOSSARY_FI {
                for a in *avoided {
                    assert!(
                        !text.contains(a) && !lower.contains(&a.to_lowercase()),
                        "`{a}` where the glossary says `{term}`: {text:.120}"
                    );
                }
            }
        }
        // the pillars have the same names in the report and the explorer
        for p in crate::scenario::Pillar::ALL {
            for lang in Lang::ALL {
                let name = lang.pillar(p);
                assert!(
                    app.contains(&format!("{}: '{name}'", p.as_str())),
                    "the explorer names pillar {} otherwise than `{name}`",
                    p.as_str()
                );
            }
        }
    }

    #[test]
    fn pillar_names_differ_from_sector_names() {
        // a pillar in a legend beside sectors must not read as one of them
        let region = crate::data::load_region(&crate::data::DataSource::Embedded).unwrap();
        for p in crate::scenario::Pillar::ALL {
            for s in &region.sources {
                let top_en = s.sector.split('|').next().unwrap();
                assert_ne!(Lang::En.pillar(p), top_en);
                if let Some(fi) = &s.sector_fi {
                    assert_ne!(Lang::Fi.pillar(p), fi.split('|').next().unwrap());
                }
            }
        }
    }

    #[test]
    fn languages_parse_and_name_themselves() {
        assert_eq!("FI".parse::<Lang>(), Ok(Lang::Fi));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("sv".parse::<Lang>().unwrap_err().contains("`en`"));
        assert_eq!(Lang::Fi.code(), "fi");
        assert_eq!(
            Lang::Fi.pick("Electric cars", Some("Sähköautot")),
            "Sähköautot"
        );
        assert_eq!(Lang::Fi.pick("Electric cars", None), "Electric cars");
        assert_eq!(
            Lang::En.pick("Electric cars", Some("Sähköautot")),
            "Electric cars"
        );
    }
}
