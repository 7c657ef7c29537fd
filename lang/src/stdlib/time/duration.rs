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

/// An ISO-8601 duration (`P3Y6M4DT12H30M5S`, `P2W`, `-PT1M`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Period {
    /// A leading `-`.
    pub negative: bool,
    /// Years.
    pub years: f64,
    /// Months.
    pub months: f64,
    /// Weeks.
    pub weeks: f64,
    /// Days.
    pub days: f64,
    /// Hours.
    pub hours: f64,
    /// Minutes.
    pub minutes: f64,
    /// Seconds.
    pub seconds: f64,
}

fn unexpected() -> Error {
    Error::msg("unexpected input")
}

/// Go's `strconv.ParseFloat` error for a malformed number.
fn float(num: &str) -> Result<f64> {
    num.parse::<f64>().map_err(|_| {
        Error::msg(format!(
            "strconv.ParseFloat: parsing {}: invalid syntax",
            quote(num.as_bytes())
        ))
    })
}

/// Parses an ISO-8601 duration.
pub fn parse_iso(text: &str) -> Result<Period> {
    let mut p = Period::default();
    let mut in_time = false;
    let mut num = String::new();
    let mut chars = text.chars().peekable();
    if chars.peek() == Some(&'-') {
        p.negative = true;
        chars.next();
    }
    for c in chars {
        let slot = match c {
            'P' => {
                in_time = false;
                continue;
            }
            'T' => {
                in_time = true;
                continue;
            }
            'Y' if !in_time => &mut p.years,
            'M' if !in_time => &mut p.months,
            'W' if !in_time => &mut p.weeks,
            'D' if !in_time => &mut p.days,
            'H' if in_time => &mut p.hours,
            'M' => &mut p.minutes,
            'S' if in_time => &mut p.seconds,
            c if c.is_ascii_digit() || c == '.' => {
                num.push(c);
                continue;
            }
            _ => return Err(unexpected()),
        };
        *slot = float(&num)?;
        num.clear();
    }
    Ok(p)
}

const NS_PER_DAY: f64 = 86_400e9;
const NS_PER_YEAR: f64 = 365.2425 * NS_PER_DAY;

fn part(v: f64, unit: f64) -> i64 {
    if v == 0.0 {
        0
    } else {
        (v * unit).round() as i64
    }
}

impl Period {
    /// The whole period in nanoseconds, with years of 365.2425 days and
    /// months of a twelfth of that.
    pub fn nanos(&self) -> i64 {
        let total = [
            part(self.years, NS_PER_YEAR),
            part(self.months, NS_PER_YEAR / 12.0),
            part(self.weeks, 7.0 * NS_PER_DAY),
            part(self.days, NS_PER_DAY),
            part(self.hours, 3600e9),
            part(self.minutes, 60e9),
            part(self.seconds, 1e9),
        ]
        .iter()
        .fold(0_i64, |a, b| a.wrapping_add(*b));
        if self.negative {
            total.wrapping_neg()
        } else {
            total
        }
    }

    /// The clock part (hours, minutes, seconds) in nanoseconds.
    pub fn clock_nanos(&self) -> i64 {
        part(self.hours, 3600e9)
            .wrapping_add(part(self.minutes, 60e9))
            .wrapping_add(part(self.seconds, 1e9))
    }

    /// The calendar part as whole (years, months, days).
    pub fn calendar(&self) -> (i64, i64, i64) {
        (
            self.years as i64,
            self.months as i64,
            (self.days + self.weeks * 7.0) as i64,
        )
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
        assert!(parse_iso("P1X").is_err());
    }
}
