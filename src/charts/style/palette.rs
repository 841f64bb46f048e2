//! Colours: the fixed ink colours, Paul Tol's colour-blind-safe schemes (muted, bright, light)
//! for sectors, removals and carriers, Okabe–Ito for pillars and scenarios, and the name →
//! colour maps that keep a name's colour in every chart of an output folder.

use super::*;

/// `#rrggbb` to a colour.
const fn hex(v: u32) -> RGBColor {
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// Text and axes.
pub const INK: RGBColor = hex(0x222222);
/// Secondary text.
pub const MUTED: RGBColor = hex(0x666666);
/// Grid lines.
pub const GRID: RGBColor = hex(0xE3E3E3);
/// Target markers.
pub const TARGET: RGBColor = hex(0xB2182B);

/// Paul Tol's muted scheme (colour-blind safe), for emission sectors.
const SECTOR_POOL: [RGBColor; 10] = [
    hex(0xCC6677), // rose: transport
    hex(0x332288), // indigo: electricity
    hex(0xDDCC77), // sand: heating
    hex(0x117733), // green: land use
    hex(0x88CCEE), // cyan: machinery
    hex(0x882255), // wine: industry
    hex(0x44AA99), // teal: waste
    hex(0x999933), // olive: agriculture
    hex(0xAA4499), // purple: f-gases
    hex(0xBBBBBB), // grey: other
];

/// Sector names (lower case, matched as a prefix) with a fixed colour of [`SECTOR_POOL`].
const SECTOR_KNOWN: [(&str, usize); 14] = [
    ("transport", 0),
    ("electricity", 1),
    ("energy", 1),
    ("heating", 2),
    ("buildings", 2),
    ("land use", 3),
    ("lulucf", 3),
    ("forest", 3),
    ("machinery", 4),
    ("industry", 5),
    ("waste", 6),
    ("agriculture", 7),
    ("f-gases", 8),
    ("other", 9),
];

/// Greens and blues for removal sectors (drawn below zero).
const REMOVAL_POOL: [RGBColor; 6] = [
    hex(0x117733), // green: land use, forests
    hex(0x44AA99), // teal: BECCS
    hex(0x88CCEE), // cyan: DACCS, technical
    hex(0x999933), // olive: soils, agriculture
    hex(0x332288), // indigo
    hex(0x6699CC), // blue
];

/// Removal sector names (lower case, prefix) with a fixed colour of [`REMOVAL_POOL`].
const REMOVAL_KNOWN: [(&str, usize); 7] = [
    ("land use", 0),
    ("lulucf", 0),
    ("forest", 0),
    ("beccs", 1),
    ("daccs", 2),
    ("dac", 2),
    ("agriculture", 3),
];

/// Browns and greens for land categories (the land balance).
const LAND_POOL: [RGBColor; 6] = [
    hex(0x225522), // dark green: forest land
    hex(0x8C510A), // brown: cropland
    hex(0xBF812D), // ochre: grassland
    hex(0x5E8C99), // grey blue: wetlands
    hex(0x777777), // grey: settlements
    hex(0xDFC27D), // sand: other land
];

/// Land category names (lower case, prefix) with a fixed colour of [`LAND_POOL`].
const LAND_KNOWN: [(&str, usize); 6] = [
    ("forest", 0),
    ("cropland", 1),
    ("grassland", 2),
    ("wetland", 3),
    ("settlement", 4),
    ("other", 5),
];

/// Carrier colours, grouped by family (electricity blue, heat red, fossil greys and oranges,
/// biogenic greens); a pool large enough that each carrier of a region has its own.
const CARRIER_POOL: [RGBColor; 20] = [
    hex(0x4477AA), // 0 blue: electricity
    hex(0xEE6677), // 1 red: district heat
    hex(0x555555), // 2 dark grey: diesel
    hex(0xAAAAAA), // 3 grey: petrol
    hex(0x228833), // 4 green: wood
    hex(0xCCBB44), // 5 yellow: natural gas
    hex(0x66CCEE), // 6 cyan: biogas
    hex(0x997744), // 7 brown: peat
    hex(0xAA3377), // 8 purple: hydrogen
    hex(0x99DDFF), // 9 light blue: heat pumps, ambient heat
    hex(0x44BB99), // 10 mint: renewable diesel, HVO
    hex(0xEE8866), // 11 orange: light fuel oil
    hex(0xBBCC33), // 12 pear: ethanol
    hex(0x222222), // 13 black: coal
    hex(0x994455), // 14 wine: heavy fuel oil
    hex(0x225522), // 15 dark green: firewood
    hex(0xDDAA33), // 16 ochre: LPG
    hex(0x77AADD), // 17 sky
    hex(0xFFAABB), // 18 pink
    hex(0x6699CC), // 19 steel blue
];

/// Carrier names (lower case; matched exactly first, then as a substring, in this order) with
/// a colour of [`CARRIER_POOL`].
const CARRIER_KNOWN: [(&str, usize); 24] = [
    ("district", 1),
    ("heat pump", 9),
    ("ambient", 9),
    ("electric", 0),
    ("renewable diesel", 10),
    ("hvo", 10),
    ("biodiesel", 10),
    ("diesel", 2),
    ("petrol", 3),
    ("gasoline", 3),
    ("firewood", 15),
    ("wood", 4),
    ("biomass", 4),
    ("biogas", 6),
    ("biomethane", 6),
    ("natural gas", 5),
    ("lpg", 16),
    ("peat", 7),
    ("hydrogen", 8),
    ("ethanol", 12),
    ("heavy fuel oil", 14),
    ("light fuel oil", 11),
    ("oil", 11),
    ("coal", 13),
];

/// Okabe–Ito, for scenarios (in the folder's scenario order).
const SCENARIO_POOL: [RGBColor; 7] = [
    hex(0x0072B2),
    hex(0xD55E00),
    hex(0x009E73),
    hex(0xCC79A7),
    hex(0xE69F00),
    hex(0x56B4E9),
    hex(0x000000),
];

/// FNV-1a, 64-bit: a hash that never changes between builds or platforms.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The colour of a pillar (Okabe–Ito; fixed for every chart).
pub fn pillar_color(pillar: Pillar) -> RGBColor {
    match pillar {
        Pillar::Logistics => hex(0x0072B2),
        Pillar::Bioeconomy => hex(0x009E73),
        Pillar::Transport => hex(0xE69F00),
        Pillar::Digitalisation => hex(0xCC79A7),
        Pillar::Energy => hex(0xD55E00),
        Pillar::Other => hex(0x999999),
    }
}

/// The pillar written `name` in files (`logistics`, …), if it is one.
pub fn pillar_named(name: &str) -> Option<Pillar> {
    Pillar::ALL.into_iter().find(|p| p.as_str() == name)
}

/// A name → colour map built from all names of an output folder.
#[derive(Debug, Clone, Default)]
pub struct ColorMap {
    colors: BTreeMap<String, RGBColor>,
}

impl ColorMap {
    /// Known names take their fixed colour unless another name already has it; the rest take
    /// unused pool colours in sorted order (cycling only when the pool runs out).
    fn build(
        names: impl IntoIterator<Item = String>,
        pool: &[RGBColor],
        known: &[(&str, usize)],
        prefix: bool,
    ) -> ColorMap {
        let names: std::collections::BTreeSet<String> = names.into_iter().collect();
        let mut colors = BTreeMap::new();
        let mut used = vec![false; pool.len()];
        let mut rest = Vec::new();
        // exact names first, so `Diesel` gets diesel's colour before `Renewable Diesel` matches
        let matched = |lower: &str, exact: bool| {
            known.iter().find(|(k, _)| {
                if exact {
                    lower == *k
                } else if prefix {
                    lower.starts_with(k)
                } else {
                    lower.contains(k)
                }
            })
        };
        let mut pending: Vec<&String> = Vec::new();
        for n in &names {
            match matched(&n.to_lowercase(), true) {
                Some(&(_, i)) if !used[i] => {
                    used[i] = true;
                    colors.insert(n.clone(), pool[i]);
                }
                _ => pending.push(n),
            }
        }
        for n in pending {
            match matched(&n.to_lowercase(), false) {
                Some(&(_, i)) if !used[i] => {
                    used[i] = true;
                    colors.insert(n.clone(), pool[i]);
                }
                _ => rest.push(n.clone()),
            }
        }
        let free: Vec<usize> = (0..pool.len()).filter(|&i| !used[i]).collect();
        for (j, n) in rest.into_iter().enumerate() {
            let i = if free.is_empty() {
                j % pool.len()
            } else {
                free[j % free.len()]
            };
            colors.insert(n, pool[i]);
        }
        ColorMap { colors }
    }

    /// Colours of top-level emission sectors.
    pub fn sectors(names: impl IntoIterator<Item = String>) -> ColorMap {
        ColorMap::build(names, &SECTOR_POOL, &SECTOR_KNOWN, true)
    }

    /// Colours of top-level removal sectors.
    pub fn removals(names: impl IntoIterator<Item = String>) -> ColorMap {
        ColorMap::build(names, &REMOVAL_POOL, &REMOVAL_KNOWN, true)
    }

    /// Colours of top-level land categories.
    pub fn land(names: impl IntoIterator<Item = String>) -> ColorMap {
        ColorMap::build(names, &LAND_POOL, &LAND_KNOWN, true)
    }

    /// Colours of carriers.
    pub fn carriers(names: impl IntoIterator<Item = String>) -> ColorMap {
        ColorMap::build(names, &CARRIER_POOL, &CARRIER_KNOWN, false)
    }

    /// Colours of scenarios, fixed by name so that a scenario looks the same in every output
    /// folder: the bundled scenarios have their own, any other name the pool colour its hash
    /// picks. Where two names of one run would share a colour, the later one by name takes the
    /// next free colour (while any is free).
    pub fn scenarios<'a>(names: impl IntoIterator<Item = &'a str>) -> ColorMap {
        let mut names: Vec<&str> = names.into_iter().collect();
        names.sort_unstable();
        names.dedup();
        let mut used = [false; SCENARIO_POOL.len()];
        let mut colors = BTreeMap::new();
        for n in names {
            let own = match n {
                "baseline" => 0,
                "neutral2040" => 1,
                "programme" => 2,
                _ => (fnv1a(n) % SCENARIO_POOL.len() as u64) as usize,
            };
            let free = (0..SCENARIO_POOL.len())
                .map(|k| (own + k) % SCENARIO_POOL.len())
                .find(|&i| !used[i])
                .unwrap_or(own);
            used[free] = true;
            colors.insert(n.to_string(), SCENARIO_POOL[free]);
        }
        ColorMap { colors }
    }

    /// The colour of a name (grey when unknown).
    pub fn get(&self, name: &str) -> RGBColor {
        self.colors.get(name).copied().unwrap_or(hex(0x999999))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_keeps_its_colour_in_every_folder() {
        let alone = ColorMap::scenarios(["programme"]);
        let with_others = ColorMap::scenarios(["zeta", "baseline", "programme", "alpha"]);
        assert_eq!(alone.get("programme"), with_others.get("programme"));
        assert_eq!(alone.get("programme"), SCENARIO_POOL[2]);
        // an unknown name: the same colour whatever else runs, as long as it is free
        let a = ColorMap::scenarios(["my_scenario"]).get("my_scenario");
        let b = ColorMap::scenarios(["baseline", "my_scenario"]).get("my_scenario");
        assert_eq!(a, b);
        // names of one run never share a colour while the pool lasts
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let m = ColorMap::scenarios(names);
        let mut seen: Vec<RGBColor> = names.iter().map(|n| m.get(n)).collect();
        seen.sort_by_key(|c| (c.0, c.1, c.2));
        seen.dedup();
        assert_eq!(seen.len(), 7);
    }

    #[test]
    fn known_names_keep_their_colour_whatever_else_is_present() {
        let a = ColorMap::sectors(["Transport".to_string(), "Zeta".to_string()]);
        let b = ColorMap::sectors([
            "Alpha".to_string(),
            "Transport".to_string(),
            "Waste".to_string(),
        ]);
        assert_eq!(a.get("Transport"), b.get("Transport"));
        let names = [
            "Electricity",
            "District Heat",
            "Diesel",
            "Renewable Diesel",
            "Wood",
            "Firewood",
            "Light Fuel Oil",
            "Heavy Fuel Oil",
            "Coal",
            "Gasoline",
            "Ethanol",
            "Peat",
        ];
        let c = ColorMap::carriers(names.map(String::from));
        let distinct: std::collections::BTreeSet<_> =
            names.iter().map(|n| format!("{:?}", c.get(n))).collect();
        assert_eq!(
            distinct.len(),
            names.len(),
            "every carrier has its own colour"
        );
        assert_eq!(c.get("Diesel"), CARRIER_POOL[2]);
        assert_eq!(c.get("Renewable Diesel"), CARRIER_POOL[10]);
    }
}
