//! Duration texts: Go's `time.ParseDuration` syntax and ISO-8601 periods.

use super::golayout::quote;
use crate::error::{Error, Result};

const NS: u64 = 1;
const US: u64 = 1_000;
const MS: u64 = 1_000_000;
const SEC: u64 = 1_000_000_000;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;
const LIMIT: u64 = 1 << 63;

fn unit(u: &[u8]) -> Option<u64> {
    Some(match u {
        b"ns" => NS,
        b"us" => US,
        [0xc2, 0xb5, b's'] | [0xce, 0xbc, b's'] => US, // µs, μs
        b"ms" => MS,
        b"s" => SEC,
        b"m" => MIN,
        b"h" => HOUR,
        _ => return None,
    })
}

/// Parses Go duration text (`1h30m`, `-1.5h`, `300ms`, `2us`) into
/// nanoseconds, with Go's error texts.
pub fn parse_go(text: &str) -> Result<i64> {
    let orig = text.as_bytes();
    let invalid = || Error::msg(format!("time: invalid duration {}", quote(orig)));
    let mut s = orig;
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // Whole part.
        let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut v: u64 = 0;
        for &d in &s[..digits] {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(d - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
        }
        let pre = digits > 0;
        s = &s[digits..];
        // Fraction.
        let (mut f, mut scale, mut post) = (0_u64, 1.0_f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
            let mut overflow = false;
            for &d in &s[..digits] {
                if overflow {
                    continue;
                }
                if f > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + u64::from(d - b'0');
                if y > LIMIT {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            post = digits > 0;
            s = &s[digits..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        // Unit.
        let ulen = s
            .iter()
            .take_while(|&&c| c != b'.' && !c.is_ascii_digit())
            .count();
        if ulen == 0 {
            return Err(Error::msg(format!(
                "time: missing unit in duration {}",
                quote(orig)
            )));
        }
        let u = &s[..ulen];
        s = &s[ulen..];
        let Some(unit) = unit(u) else {
            return Err(Error::msg(format!(
                "time: unknown unit {} in duration {}",
                quote(u),
                quote(orig)
            )));
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((total as i64).wrapping_neg());
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(total as i64)
}

/// A decimal field of a period: `coef × 10^-scale`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dec {
    /// The signed coefficient.
    pub coef: i64,
    /// Digits after the decimal point.
    pub scale: u32,
}

impl Dec {
    /// `self × factor`, where `factor` is the value of one whole unit; the
    /// factor loses a digit per fraction digit, as upstream computes it.
    fn times(self, factor: i64) -> i64 {
        if self.coef == 0 {
            return 0;
        }
        let mut f = factor;
        for _ in 0..self.scale {
            f /= 10;
        }
        self.coef.wrapping_mul(f)
    }

    fn parse(text: &str) -> Option<Dec> {
        let (neg, body) = match text.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, text),
        };
        let (whole, frac) = match body.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (body, None),
        };
        let frac = frac.unwrap_or("");
        if whole.is_empty() || (body.contains('.') && frac.is_empty()) || frac.contains('.') {
            return None;
        }
        let digits = format!("{whole}{frac}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 19 {
            return None;
        }
        let coef = if digits.is_empty() {
            0
        } else {
            digits.parse::<i64>().ok()?
        };
        Some(Dec {
            coef: if neg { -coef } else { coef },
            scale: u32::try_from(frac.len()).ok()?,
        })
    }
}

/// An ISO-8601 period (`P3Y6M4DT12H30M5S`, `P2W`, `-PT1M`), each field a
/// decimal.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Period {
    /// A leading `-`.
    pub negative: bool,
    /// Years, months, weeks, days, hours, minutes, seconds.
    pub fields: [Dec; 7],
}

const DESIGNATORS: [char; 7] = ['Y', 'M', 'W', 'D', 'H', 'M', 'S'];

/// Parses an ISO-8601 period with upstream's rules and error texts.
pub fn parse_iso(text: &str) -> Result<Period> {
    let fail = |m: String| Error::msg(format!("{text}: {m}"));
    let blank = || Error::msg("cannot parse a blank string as a period");
    let mut p = Period::default();
    let mut rest = text;
    if let Some(r) = rest.strip_prefix('-') {
        p.negative = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    match rest {
        "" => return Err(blank()),
        "P0Y" | "P0M" | "P0W" | "P0D" | "PT0H" | "PT0M" | "PT0S" => {
            return Ok(Period::default());
        }
        _ => {}
    }
    let Some(mut rest) = rest.strip_prefix('P') else {
        return Err(fail("expected 'P' period mark at the start".into()));
    };
    // 0 = not allowed here, 1 = allowed, 2 = already set.
    let mut state = [1_u8, 1, 1, 1, 0, 0, 0];
    let mut in_time = false;
    let mut fraction_in: Option<usize> = None;
    let mut count = 0;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('T') {
            if in_time {
                return Err(fail("'T' designator cannot occur more than once".into()));
            }
            in_time = true;
            state = [0, 0, 0, 0, 1, 1, 1];
            rest = r;
            continue;
        }
        let mut number = String::new();
        let mut end = None;
        for (i, c) in rest.char_indices() {
            if i == 0 && c == '-' {
                number.push(c);
            } else if c == '.' || c == ',' {
                number.push('.');
            } else if c.is_ascii_digit() {
                number.push(c);
            } else if !number.is_empty() {
                end = Some(i);
                break;
            } else {
                return Err(fail(format!("expected a number but found '{c}'")));
            }
        }
        let Some(end) = end else {
            return Err(fail("missing designator at the end".into()));
        };
        let value =
            Dec::parse(&number).ok_or_else(|| fail("number invalid or out of range".into()))?;
        let des = rest[end..].chars().next().unwrap_or(' ');
        let slot = match des {
            'Y' => 0,
            'M' if in_time => 5,
            'M' => 1,
            'W' => 2,
            'D' => 3,
            'H' => 4,
            'S' => 6,
            other => {
                return Err(fail(format!(
                    "expected a designator Y, M, W, D, H, or S not '{other}'"
                )));
            }
        };
        if let Some(prev) = fraction_in
            && value.coef != 0
        {
            return Err(fail(format!(
                "'{}' & '{des}' only the last field can have a fraction",
                DESIGNATORS[prev]
            )));
        }
        match state[slot] {
            0 => return Err(fail(format!("'{des}' designator cannot occur here"))),
            2 => {
                return Err(fail(format!(
                    "'{des}' designator cannot occur more than once"
                )));
            }
            _ => {}
        }
        state[slot] = 2;
        p.fields[slot] = value;
        count += 1;
        if value.scale > 0 {
            fraction_in = Some(slot);
        }
        rest = &rest[end + des.len_utf8()..];
    }
    if count == 0 {
        return Err(fail(
            "expected 'Y', 'M', 'W', 'D', 'H', 'M', or 'S' designator".into(),
        ));
    }
    Ok(p)
}

/// Days per year and per month in millionths (365.2425 and a twelfth).
const DAYS_PER_YEAR_E6: i64 = 365_242_500;
const DAYS_PER_MONTH_E6: i64 = DAYS_PER_YEAR_E6 / 12;

impl Period {
    fn sign(&self) -> i64 {
        if self.negative { -1 } else { 1 }
    }

    fn calendar_zero(&self) -> bool {
        self.fields[..4].iter().all(|f| f.coef == 0)
    }

    /// The clock part (hours, minutes, seconds) in nanoseconds, unsigned
    /// by the leading `-`.
    fn clock(&self) -> i64 {
        self.fields[4]
            .times(3_600_000_000_000)
            .wrapping_add(self.fields[5].times(60_000_000_000))
            .wrapping_add(self.fields[6].times(1_000_000_000))
    }

    /// The whole period in nanoseconds, with years of 365.2425 days and
    /// months of a twelfth of that.
    pub fn nanos(&self) -> i64 {
        let days_e9 = self.fields[3]
            .times(1_000_000_000)
            .wrapping_add(self.fields[2].times(7_000_000_000))
            .wrapping_add(self.fields[1].times(DAYS_PER_MONTH_E6 * 1000))
            .wrapping_add(self.fields[0].times(DAYS_PER_YEAR_E6 * 1000));
        days_e9
            .wrapping_mul(86_400)
            .wrapping_add(self.clock())
            .wrapping_mul(self.sign())
    }

    /// How upstream adds the period to a time: whole calendar fields
    /// `(years, months, days)` go through the calendar, then the clock
    /// nanoseconds are added; a fractional calendar field makes the whole
    /// period an approximate duration (`None`).
    pub fn calendar_step(&self) -> Option<(i64, i64, i64, i64)> {
        if self.calendar_zero() || self.fields[..4].iter().any(|f| f.scale > 0) {
            return None;
        }
        let s = self.sign();
        let [y, m, w, d] = [0, 1, 2, 3].map(|i| self.fields[i].coef.wrapping_mul(s));
        Some((
            y,
            m,
            w.wrapping_mul(7).wrapping_add(d),
            self.clock().wrapping_mul(s),
        ))
    }

    /// The same period with the opposite sign.
    pub fn negate(mut self) -> Period {
        self.negative = !self.negative;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_go("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse_go("50µs").unwrap(), 50_000);
        assert_eq!(parse_go(".5s").unwrap(), 500_000_000);
        assert_eq!(parse_go("0").unwrap(), 0);
        assert_eq!(
            parse_go("1").unwrap_err().message(),
            r#"time: missing unit in duration "1""#
        );
        assert_eq!(
            parse_go("1x").unwrap_err().message(),
            r#"time: unknown unit "x" in duration "1x""#
        );
        assert_eq!(
            parse_go("").unwrap_err().message(),
            r#"time: invalid duration """#
        );
        assert!(parse_go("9999999999999999999h").is_err());
    }

    #[test]
    fn iso_durations() {
        assert_eq!(
            parse_iso("P3Y6M4DT12H30M5S").unwrap().nanos(),
            110_839_937_000_000_000
        );
        assert_eq!(parse_iso("PT2H").unwrap().nanos(), 7_200_000_000_000);
        assert_eq!(parse_iso("P1W").unwrap().nanos(), 604_800_000_000_000);
        assert_eq!(parse_iso("PT2,5S").unwrap().nanos(), 2_500_000_000);
        assert_eq!(
            parse_iso("P1X").unwrap_err().message(),
            "P1X: expected a designator Y, M, W, D, H, or S not 'X'"
        );
        assert_eq!(
            parse_iso("P1.5Y2M").unwrap_err().message(),
            "P1.5Y2M: 'Y' & 'M' only the last field can have a fraction"
        );
        assert_eq!(
            parse_iso("1D").unwrap_err().message(),
            "1D: expected 'P' period mark at the start"
        );
        assert_eq!(
            parse_iso("P").unwrap_err().message(),
            "P: expected 'Y', 'M', 'W', 'D', 'H', 'M', or 'S' designator"
        );
        assert_eq!(
            parse_iso("P1").unwrap_err().message(),
            "P1: missing designator at the end"
        );
    }
}
