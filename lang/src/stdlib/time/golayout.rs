//! Go reference-time layouts (`2006-01-02T15:04:05Z07:00`): formatting and
//! parsing with Go's rules and Go's error texts.

use super::zone::{Civil, civil};
use crate::value::Timestamp;

pub use super::goparse::parse;

/// Go's `time.RFC3339Nano`.
pub const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

pub(super) const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Three-letter prefixes of the names.
pub(super) fn short(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

/// One element of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PmUpper,
    PmLower,
    ZoneName,
    /// A numeric zone: `Z` prints for UTC (ISO form), a colon between
    /// fields, and which fields appear.
    Offset {
        iso: bool,
        colon: bool,
        minutes: bool,
        seconds: bool,
    },
    /// Fractional seconds: fixed width (`0`s) or trimmed (`9`s), digit
    /// count and separator.
    Frac {
        fixed: bool,
        digits: usize,
        sep: u8,
    },
}

fn starts_lower(rest: &[u8]) -> bool {
    rest.first().is_some_and(u8::is_ascii_lowercase)
}

pub(super) fn digit_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Finds the next element: `(start, element, length)`, or `None` when
/// the rest is literal text.
pub(super) fn next_chunk(layout: &[u8]) -> Option<(usize, Std, usize)> {
    let at = |i: usize, s: &str| layout.get(i..i + s.len()) == Some(s.as_bytes());
    for i in 0..layout.len() {
        // A month or weekday name: the long form, else the three-letter
        // one unless a lower-case letter follows it.
        let name = |long: &str, long_std: Std, short_std: Std| {
            if at(i, long) {
                Some((long_std, long.len()))
            } else if !starts_lower(&layout[i + 3..]) {
                Some((short_std, 3))
            } else {
                None
            }
        };
        let found = match layout[i] {
            b'J' if at(i, "Jan") => name("January", Std::LongMonth, Std::Month),
            b'M' if at(i, "Mon") => name("Monday", Std::LongWeekDay, Std::WeekDay),
            b'M' if at(i, "MST") => Some((Std::ZoneName, 3)),
            b'0' => match layout.get(i + 1) {
                Some(b'1') => Some((Std::ZeroMonth, 2)),
                Some(b'2') => Some((Std::ZeroDay, 2)),
                Some(b'3') => Some((Std::ZeroHour12, 2)),
                Some(b'4') => Some((Std::ZeroMinute, 2)),
                Some(b'5') => Some((Std::ZeroSecond, 2)),
                Some(b'6') => Some((Std::Year, 2)),
                Some(b'0') if layout.get(i + 2) == Some(&b'2') => Some((Std::ZeroYearDay, 3)),
                _ => None,
            },
            b'1' => {
                if layout.get(i + 1) == Some(&b'5') {
                    Some((Std::Hour, 2))
                } else {
                    Some((Std::NumMonth, 1))
                }
            }
            b'2' => {
                if at(i, "2006") {
                    Some((Std::LongYear, 4))
                } else {
                    Some((Std::Day, 1))
                }
            }
            b'_' => {
                if layout.get(i + 1) == Some(&b'2') {
                    if at(i + 1, "2006") {
                        // `_2006` is a literal underscore then the year.
                        return Some((i + 1, Std::LongYear, 4));
                    }
                    Some((Std::UnderDay, 2))
                } else if at(i, "__2") {
                    Some((Std::UnderYearDay, 3))
                } else {
                    None
                }
            }
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if at(i, "PM") => Some((Std::PmUpper, 2)),
            b'p' if at(i, "pm") => Some((Std::PmLower, 2)),
            c @ (b'-' | b'Z') => {
                let iso = c == b'Z';
                let forms: [(&str, bool, bool, bool); 5] = [
                    ("070000", false, true, true),
                    ("07:00:00", true, true, true),
                    ("0700", false, true, false),
                    ("07:00", true, true, false),
                    ("07", false, false, false),
                ];
                forms
                    .iter()
                    .find(|f| at(i + 1, f.0))
                    .map(|&(text, colon, minutes, seconds)| {
                        (
                            Std::Offset {
                                iso,
                                colon,
                                minutes,
                                seconds,
                            },
                            text.len() + 1,
                        )
                    })
            }
            sep @ (b'.' | b',') => match layout.get(i + 1) {
                Some(&ch @ (b'0' | b'9')) => {
                    let mut j = i + 1;
                    while layout.get(j) == Some(&ch) {
                        j += 1;
                    }
                    if digit_at(layout, j) {
                        None
                    } else {
                        Some((
                            Std::Frac {
                                fixed: ch == b'0',
                                digits: j - i - 1,
                                sep,
                            },
                            j - i,
                        ))
                    }
                }
                _ => None,
            },
            _ => None,
        };
        if let Some((std, len)) = found {
            return Some((i, std, len));
        }
    }
    None
}

fn push_int(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", v.unsigned_abs()));
}

fn push_offset(out: &mut String, c: &Civil, iso: bool, colon: bool, minutes: bool, seconds: bool) {
    if iso && c.offset == 0 {
        out.push('Z');
        return;
    }
    let abs = c.offset.unsigned_abs();
    out.push(if c.offset < 0 { '-' } else { '+' });
    let mins = abs / 60;
    out.push_str(&format!("{:02}", mins / 60));
    if minutes {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", mins % 60));
    }
    if seconds {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", abs % 60));
    }
}

/// Formats a timestamp with a Go layout.
pub fn format(t: &Timestamp, layout: &str) -> String {
    let c = civil(t);
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout.as_bytes();
    while let Some((start, std, len)) = next_chunk(rest) {
        out.push_str(&String::from_utf8_lossy(&rest[..start]));
        rest = &rest[start + len..];
        let hour12 = match c.hour % 12 {
            0 => 12,
            h => h,
        };
        match std {
            Std::LongMonth => out.push_str(LONG_MONTHS[(c.month - 1) as usize % 12]),
            Std::Month => out.push_str(short(LONG_MONTHS[(c.month - 1) as usize % 12])),
            Std::NumMonth => push_int(&mut out, c.month.into(), 0),
            Std::ZeroMonth => push_int(&mut out, c.month.into(), 2),
            Std::LongWeekDay => out.push_str(LONG_DAYS[c.weekday as usize % 7]),
            Std::WeekDay => out.push_str(short(LONG_DAYS[c.weekday as usize % 7])),
            Std::Day => push_int(&mut out, c.day.into(), 0),
            Std::UnderDay => {
                if c.day < 10 {
                    out.push(' ');
                }
                push_int(&mut out, c.day.into(), 0);
            }
            Std::ZeroDay => push_int(&mut out, c.day.into(), 2),
            Std::UnderYearDay => {
                if c.yday < 100 {
                    out.push(' ');
                    if c.yday < 10 {
                        out.push(' ');
                    }
                }
                push_int(&mut out, c.yday.into(), 0);
            }
            Std::ZeroYearDay => push_int(&mut out, c.yday.into(), 3),
            Std::Hour => push_int(&mut out, c.hour.into(), 2),
            Std::Hour12 => push_int(&mut out, hour12.into(), 0),
            Std::ZeroHour12 => push_int(&mut out, hour12.into(), 2),
            Std::Minute => push_int(&mut out, c.minute.into(), 0),
            Std::ZeroMinute => push_int(&mut out, c.minute.into(), 2),
            Std::Second => push_int(&mut out, c.second.into(), 0),
            Std::ZeroSecond => push_int(&mut out, c.second.into(), 2),
            Std::LongYear => push_int(&mut out, c.year.into(), 4),
            Std::Year => push_int(&mut out, (c.year % 100).into(), 2),
            Std::PmUpper => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Std::PmLower => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Std::ZoneName => {
                if c.abbr.is_empty() {
                    push_offset(&mut out, &c, false, false, true, false);
                } else {
                    out.push_str(&c.abbr);
                }
            }
            Std::Offset {
                iso,
                colon,
                minutes,
                seconds,
            } => push_offset(&mut out, &c, iso, colon, minutes, seconds),
            Std::Frac { fixed, digits, sep } => {
                let all = format!("{:09}", c.nanos);
                let mut frac = &all[..digits.min(9)];
                if !fixed {
                    frac = frac.trim_end_matches('0');
                    if frac.is_empty() {
                        continue;
                    }
                }
                out.push(sep as char);
                out.push_str(frac);
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(rest));
    out
}

/// Go's quoting of values in time errors: non-ASCII and control bytes as
/// `\x..`, quotes and backslashes escaped.
pub fn quote(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
        if !(0x20..0x80).contains(&b) {
            out.push_str(&format!("\\x{b:02x}"));
        } else {
            if b == b'"' || b == b'\\' {
                out.push('\\');
            }
            out.push(b as char);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        parse(RFC3339_NANO, s.as_bytes()).unwrap()
    }

    #[test]
    fn formats() {
        let t = ts("2020-08-14T05:04:03.120Z");
        assert_eq!(
            format(&t, "Mon Jan _2 15:04:05.000 MST 2006"),
            "Fri Aug 14 05:04:03.120 UTC 2020"
        );
        assert_eq!(format(&t, "3:4:5 pm 06 002 __2"), "5:4:3 am 20 227 227");
        let t = ts("2020-08-14T05:04:03+01:30");
        assert_eq!(format(&t, "Z07:00 -0700 Z07 MST"), "+01:30 +0130 +01 +0130");
        assert_eq!(format(&t, RFC3339_NANO), "2020-08-14T05:04:03+01:30");
    }
}
