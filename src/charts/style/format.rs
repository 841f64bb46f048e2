//! Numbers and years as the axes and labels show them (English; the language-aware forms are
//! [`crate::i18n::Lang`]'s, reached through [`super::Style`]).

/// Formats an axis number with a space as the thousands separator and a true minus sign:
/// `12 500`, `−1 200`, `0.25`.
///
/// ```
/// use kymsim::charts::style::thousands;
/// assert_eq!(thousands(1234567.0), "1 234 567");
/// assert_eq!(thousands(-2500.0), "−2 500");
/// assert_eq!(thousands(0.25), "0.25");
/// assert_eq!(thousands(-0.0), "0");
/// ```
pub fn thousands(v: f64) -> String {
    crate::i18n::Lang::En.thousands(v)
}

/// Formats a year tick (blank between whole years).
pub fn year_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{}", v.round() as i64)
    } else {
        String::new()
    }
}

/// Percent with no decimals when ≥ 10, one otherwise: `45 %`, `2.5 %` (English).
pub fn percent(share: f64) -> String {
    crate::i18n::Lang::En.percent(share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits_and_signs() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1 000");
        assert_eq!(thousands(-1000.4), "−1 000");
        assert_eq!(thousands(12.5), "12.5");
        assert_eq!(thousands(-0.5), "−0.5");
        assert_eq!(thousands(2.0), "2");
    }

    #[test]
    fn year_ticks_are_whole_years() {
        assert_eq!(year_tick(2040.0), "2040");
        assert_eq!(year_tick(2040.5), "");
    }
}
