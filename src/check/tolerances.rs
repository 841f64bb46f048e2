//! Tolerances of `kymsim check`: the defaults, per-variable rules from a TOML file, and the
//! widening of batch statistics for sampling noise.
//!
//! A cell passes when `|actual − expected| ≤ atol + rtol·|expected|` (plus the noise allowance
//! of [`noise_allowance`] for batch statistics whose two sides used different samples or seeds).
//!
//! # Rules file
//!
//! ```toml
//! # keys are variable names or globs; `*` matches any run of characters, `|` included
//! "Final Energy|*"        = { rtol = 1e-6 }
//! "Emissions|Kyoto Gases" = { rtol = 1e-9, atol = 1e-6 }
//! "net_kt"                = { atol = 1e-3 }     # a column of a summary-type CSV
//! ```
//!
//! **Which rule applies**: the most specific rule that matches the variable (in a summary-type
//! CSV: the column name). An exact name (no `*`) beats every glob; among globs, the one with the
//! most literal (non-`*`) characters wins; on a tie, the one written first in the file. Only the
//! winning rule counts: a field it leaves out (`rtol` or `atol`) takes the default (`--rtol`,
//! `--atol`), not the value of another matching rule.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, InputError, Result, line_col};
use crate::input::TextFile;

/// The default relative tolerance.
pub const DEFAULT_RTOL: f64 = 1e-6;
/// The default absolute tolerance.
pub const DEFAULT_ATOL: f64 = 1e-9;
/// The default noise factor `k` (standard errors of the difference allowed).
pub const DEFAULT_NOISE_K: f64 = 4.0;

/// A relative and an absolute tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tol {
    /// Relative tolerance (fraction of |expected|).
    pub rtol: f64,
    /// Absolute tolerance (in the cell's unit).
    pub atol: f64,
}

impl Tol {
    /// The allowance for an expected value: `atol + rtol·|expected|`.
    pub fn allowed(&self, expected: f64) -> f64 {
        self.atol + self.rtol * expected.abs()
    }
}

/// One rule of a tolerances file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Variable name or glob.
    pub pattern: String,
    /// `rtol`, when the rule sets it.
    pub rtol: Option<f64>,
    /// `atol`, when the rule sets it.
    pub atol: Option<f64>,
    specificity: (bool, usize),
}

impl Rule {
    /// A rule for `pattern` (a name, or a glob with `*`).
    pub fn new(pattern: impl Into<String>, rtol: Option<f64>, atol: Option<f64>) -> Rule {
        let pattern = pattern.into();
        let exact = !pattern.contains('*');
        let literal = pattern.chars().filter(|&c| c != '*').count();
        Rule {
            pattern,
            rtol,
            atol,
            specificity: (exact, literal),
        }
    }
}

/// Every tolerance setting of a comparison.
///
/// ```
/// use kymsim::check::{Rule, Tolerances};
/// let tol = Tolerances::default().with_rule(Rule::new("Final Energy|*", Some(1e-3), None));
/// assert_eq!(tol.for_variable("Final Energy|Transport").rtol, 1e-3);
/// assert_eq!(tol.for_variable("Final Energy|Transport").atol, 1e-9); // the default
/// assert_eq!(tol.for_variable("Emissions|Kyoto Gases").rtol, 1e-6);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tolerances {
    /// Default tolerance (`--rtol`, `--atol`).
    pub default: Tol,
    /// Per-variable rules, in file order.
    pub rules: Vec<Rule>,
    /// Noise factor `k` for batch statistics (`--noise-k`).
    pub noise_k: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            default: Tol {
                rtol: DEFAULT_RTOL,
                atol: DEFAULT_ATOL,
            },
            rules: Vec::new(),
            noise_k: DEFAULT_NOISE_K,
        }
    }
}

impl Tolerances {
    /// Default tolerances with the given `rtol` and `atol` and no rules.
    pub fn new(rtol: f64, atol: f64) -> Tolerances {
        Tolerances {
            default: Tol { rtol, atol },
            ..Tolerances::default()
        }
    }

    /// Adds a rule after the existing ones.
    pub fn with_rule(mut self, rule: Rule) -> Tolerances {
        self.rules.push(rule);
        self
    }

    /// Sets the noise factor `k`.
    pub fn with_noise_k(mut self, k: f64) -> Tolerances {
        self.noise_k = k;
        self
    }

    /// Reads rules from a TOML file (see the module docs) and appends them.
    pub fn with_rules_file(mut self, path: &Path) -> Result<Tolerances> {
        let bytes = crate::input::read_regular(path, MAX_RULES_BYTES)?;
        let file = TextFile::from_bytes(path.display().to_string(), &bytes)?;
        self.rules.extend(parse_rules(&file)?);
        Ok(self)
    }

    /// The tolerance for a variable (or a summary column): the most specific matching rule,
    /// else the default.
    pub fn for_variable(&self, variable: &str) -> Tol {
        let mut best: Option<&Rule> = None;
        for r in &self.rules {
            if glob_match(&r.pattern, variable)
                && best.is_none_or(|b| r.specificity > b.specificity)
            {
                best = Some(r);
            }
        }
        match best {
            None => self.default,
            Some(r) => Tol {
                rtol: r.rtol.unwrap_or(self.default.rtol),
                atol: r.atol.unwrap_or(self.default.atol),
            },
        }
    }

    /// Checks the numbers: tolerances finite and ≥ 0, `k` finite and ≥ 0.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str, x: f64| -> Result<()> {
            if x.is_finite() && x >= 0.0 {
                Ok(())
            } else {
                Err(InputError::new(format!("{what} must be a number ≥ 0, not {x}")).into())
            }
        };
        bad("--rtol", self.default.rtol)?;
        bad("--atol", self.default.atol)?;
        bad("--noise-k", self.noise_k)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    rtol: Option<f64>,
    atol: Option<f64>,
}

/// The most rules a tolerances file may hold.
pub const MAX_RULES: usize = 10_000;
/// The largest tolerances file read (4 MiB).
pub const MAX_RULES_BYTES: u64 = 4 << 20;

/// Parses the rules of a tolerances file, in file order.
fn parse_rules(file: &TextFile) -> Result<Vec<Rule>> {
    let hint =
        "write one line per variable or glob: \"Final Energy|*\" = { rtol = 1e-6, atol = 1e-9 }";
    let table: std::collections::BTreeMap<String, toml::Spanned<RuleSpec>> =
        toml::from_str(&file.text).map_err(|e| {
            let msg = format!("bad tolerances file: {}", e.message());
            let err = match e.span() {
                Some(span) => file.error_at(span.start, msg),
                None => file.error(msg),
            };
            Error::from(err.hint(hint))
        })?;
    let mut spanned: Vec<(usize, String, RuleSpec)> = table
        .into_iter()
        .map(|(k, v)| (v.span().start, k, v.into_inner()))
        .collect();
    if spanned.len() > MAX_RULES {
        return Err(file
            .error(format!(
                "{} rules; a tolerances file holds at most {MAX_RULES}",
                spanned.len()
            ))
            .hint("use globs (`\"Final Energy|*\"`) for families of variables")
            .into());
    }
    // a BTreeMap sorts by key; the spans give back the order of the file
    spanned.sort_by_key(|(start, _, _)| *start);
    let mut rules = Vec::with_capacity(spanned.len());
    // line and column advance from one rule to the next: linear in the file, however many rules
    let (mut at_offset, mut at_line, mut at_col) = (0, 1, 1);
    for (start, pattern, spec) in spanned {
        let (dl, dc) = line_col(&file.text[at_offset..], start - at_offset);
        let (line, col) = if dl == 1 {
            (at_line, at_col + dc - 1)
        } else {
            (at_line + dl - 1, dc)
        };
        (at_offset, at_line, at_col) = (start, line, col);
        let at = |msg: String| -> Error { file.error_at_line(line, col, msg).hint(hint).into() };
        if spec.rtol.is_none() && spec.atol.is_none() {
            return Err(at(format!(
                "the rule for `{pattern}` sets neither rtol nor atol"
            )));
        }
        for (name, v) in [("rtol", spec.rtol), ("atol", spec.atol)] {
            if let Some(v) = v
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(at(format!(
                    "{name} of `{pattern}` must be a number ≥ 0, not {v}"
                )));
            }
        }
        rules.push(Rule::new(pattern, spec.rtol, spec.atol));
    }
    Ok(rules)
}

/// Glob match: `*` matches any run of characters (`|` included); everything else literally.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if name.len() < first.len() + last.len() || !name.starts_with(first) || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Standard error of a sample statistic in units of σ/√N, under a normal distribution:
/// 1 for `mean`; `√(p(1−p))/φ(z_p)` for the quantile `p<NN>` (p50: 1.253, p25/p75: 1.363,
/// p5/p95: 2.113). `None` for other statistics (they are not widened).
pub fn standard_error_factor(statistic: &str) -> Option<f64> {
    if statistic == "mean" {
        return Some(1.0);
    }
    let p: f64 = statistic.strip_prefix('p')?.parse().ok()?;
    let p = p / 100.0;
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let z = crate::scenario::normal_quantile(p);
    let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    Some((p * (1.0 - p)).sqrt() / density)
}

/// The noise allowance added to a batch statistic's tolerance when the two sides used
/// different sample counts or seeds:
///
/// `k · c(statistic) · sd · √(1/N_expected + 1/N_actual)`, with `sd ≈ (p95 − p5) / 3.29` of
/// the expected side and `c` from [`standard_error_factor`]: `k` standard errors of the
/// difference of two independent estimates. It is never smaller than `k · sd / √min(N)`.
///
/// ```
/// use kymsim::check::noise_allowance;
/// // mean, sd = 3.29/3.29 = 1, N = 100 and 100: 4 · 1 · 1 · √(0.02) = 0.5657
/// let a = noise_allowance(4.0, "mean", 0.0, 3.29, 100, 100).unwrap();
/// assert!((a - 0.565685).abs() < 1e-6);
/// ```
pub fn noise_allowance(
    k: f64,
    statistic: &str,
    p5: f64,
    p95: f64,
    n_expected: u64,
    n_actual: u64,
) -> Option<f64> {
    let c = standard_error_factor(statistic)?;
    if n_expected == 0 || n_actual == 0 {
        return None;
    }
    let sd = (p95 - p5).abs() / 3.29;
    if !sd.is_finite() {
        return None;
    }
    Some(k * c * sd * (1.0 / n_expected as f64 + 1.0 / n_actual as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs_of_any_characters() {
        assert!(glob_match(
            "Final Energy|*",
            "Final Energy|Transport|Diesel"
        ));
        assert!(glob_match("*|Diesel", "Final Energy|Transport|Diesel"));
        assert!(glob_match(
            "*Energy*Diesel",
            "Final Energy|Transport|Diesel"
        ));
        assert!(glob_match("*", ""));
        assert!(!glob_match("Final Energy|*", "Final Energy"));
        assert!(!glob_match("a*a", "a"));
        assert!(glob_match("a*a", "aa"));
    }

    #[test]
    fn most_specific_rule_wins_then_first() {
        let tol = Tolerances::new(1e-6, 1e-9)
            .with_rule(Rule::new("*", Some(0.1), None))
            .with_rule(Rule::new("Final Energy|*", Some(0.01), Some(1.0)))
            .with_rule(Rule::new("Final Energy|Transport", Some(0.001), None))
            .with_rule(Rule::new("*|Transport", Some(0.5), None));
        // exact name beats every glob; unset atol takes the default, not another rule's
        let t = tol.for_variable("Final Energy|Transport");
        assert_eq!((t.rtol, t.atol), (0.001, 1e-9));
        // "Final Energy|*" has 13 literal characters, "*" none
        assert_eq!(tol.for_variable("Final Energy|Heat").rtol, 0.01);
        assert_eq!(tol.for_variable("Emissions").rtol, 0.1);
        // tie on literal count (13 vs 13 would be a tie): first written wins
        let tie = Tolerances::default()
            .with_rule(Rule::new("ab*", Some(1.0), None))
            .with_rule(Rule::new("*ab", Some(2.0), None));
        assert_eq!(tie.for_variable("abab").rtol, 1.0);
    }

    #[test]
    fn rules_file_keeps_file_order_and_locates_errors() {
        let f = TextFile::from_bytes(
            "check.toml",
            b"\"z*\" = { rtol = 1.0 }\n\"*z\" = { rtol = 2.0 }\n",
        )
        .unwrap();
        let rules = parse_rules(&f).unwrap();
        assert_eq!(rules[0].pattern, "z*");
        assert_eq!(rules[1].pattern, "*z");

        let bad = TextFile::from_bytes(
            "check.toml",
            b"\"a\" = { rtol = 1.0 }\n\"b\" = { rtl = 1 }\n",
        )
        .unwrap();
        let Err(Error::Input(e)) = parse_rules(&bad) else {
            panic!()
        };
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("rtl"), "{}", e.message);

        let neg = TextFile::from_bytes("check.toml", b"\"a\" = { atol = -1 }\n").unwrap();
        let Err(Error::Input(e)) = parse_rules(&neg) else {
            panic!()
        };
        assert!(e.message.contains("atol"));
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn quantile_factors_match_normal_theory() {
        // √(0.05·0.95)/φ(1.6449) = 0.21794/0.10314 = 2.1131 (to 4 digits)
        let f = standard_error_factor("p95").unwrap();
        assert!((f - 2.1131).abs() < 1e-3, "{f}");
        assert!((standard_error_factor("p50").unwrap() - 1.2533).abs() < 1e-4);
        assert_eq!(standard_error_factor("mean"), Some(1.0));
        assert_eq!(standard_error_factor("sd"), None);
        assert_eq!(standard_error_factor("p100"), None);
    }
}
