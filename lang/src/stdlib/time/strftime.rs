//! strftime-style formatting and parsing (`%Y-%m-%d %H:%M:%S.%f`), with
//! the directive set and error texts of upstream's strftime library.

use super::golayout::quote;
use super::zone::civil;
use crate::error::{Error, Result};
use crate::value::Timestamp;
use chrono::{Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

const LONG_MONTHS: [&str; 12] = [
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
const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Expansions of the composite directives.
fn composite(c: u8) -> Option<&'static [u8]> {
    Some(match c {
        b'D' | b'x' => b"m/d/y",
        b'F' => b"Y-m-d",
        b'v' => b"e-b-Y",
        b'R' => b"H:M",
        b'r' => b"I:M:S p",
        b'T' | b'X' => b"H:M:S",
        b'c' => b"a b e H:M:S Y",
        _ => return None,
    })
}

/// Pads `v` to `width` with `pad` when `padding` is on.
fn padded(out: &mut String, v: i64, width: usize, pad: char, padding: bool) {
    let digits = v.to_string();
    if padding {
        for _ in digits.len()..width {
            out.push(pad);
        }
    }
    out.push_str(&digits);
}

/// Formats a timestamp with strftime directives. `%-X` drops padding;
/// unknown directives print their letter.
pub fn format(t: &Timestamp, layout: &str) -> String {
    let c = civil(t);
    let bytes = layout.as_bytes();
    let mut out = String::with_capacity(layout.len() + 16);
    let mut lit_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        out.push_str(&layout[lit_start..i]);
        i += 1;
        let mut padding = true;
        if bytes.get(i) == Some(&b'-') {
            padding = false;
            i += 1;
        }
        if let Some(ch) = layout.get(i..).and_then(|r| r.chars().next())
            && !ch.is_ascii()
        {
            // An unknown directive prints itself.
            out.push(ch);
            i += ch.len_utf8();
            lit_start = i;
            continue;
        }
        let Some(&d) = bytes.get(i) else {
            out.push(if padding { '%' } else { '-' });
            lit_start = i;
            break;
        };
        i += 1;
        lit_start = i;
        let expanded: Vec<u8> = match composite(d) {
            Some(list) => {
                padding = true;
                list.to_vec()
            }
            None => vec![d],
        };
        for &d in &expanded {
            let hour12 = if c.hour > 12 { c.hour - 12 } else { c.hour };
            match d {
                b'Y' => padded(&mut out, c.year.into(), 4, '0', padding),
                b'y' => padded(&mut out, (c.year % 100).into(), 2, '0', padding),
                b'C' => padded(&mut out, (c.year / 100).into(), 2, '0', padding),
                b'm' => padded(&mut out, c.month.into(), 2, '0', padding),
                b'B' => out.push_str(LONG_MONTHS[(c.month as usize + 11) % 12]),
                b'b' | b'h' => out.push_str(&LONG_MONTHS[(c.month as usize + 11) % 12][..3]),
                b'A' => out.push_str(LONG_DAYS[c.weekday as usize % 7]),
                b'a' => out.push_str(&LONG_DAYS[c.weekday as usize % 7][..3]),
                b'w' => padded(&mut out, c.weekday.into(), 0, '0', false),
                b'd' => padded(&mut out, c.day.into(), 2, '0', padding),
                b'e' => padded(&mut out, c.day.into(), 2, ' ', padding),
                b'j' => padded(&mut out, c.yday.into(), 3, '0', padding),
                b'H' => padded(&mut out, c.hour.into(), 2, '0', padding),
                b'k' => padded(&mut out, c.hour.into(), 2, ' ', padding),
                b'I' => padded(&mut out, hour12.into(), 2, '0', padding),
                b'l' => padded(&mut out, hour12.into(), 2, ' ', padding),
                b'p' => out.push_str(if c.hour <= 12 { "AM" } else { "PM" }),
                b'M' => padded(&mut out, c.minute.into(), 2, '0', padding),
                b'S' => padded(&mut out, c.second.into(), 2, '0', padding),
                b'f' => out.push_str(&format!("{:06}", c.nanos / 1000)),
                b'Z' if !c.abbr.is_empty() => out.push_str(&c.abbr),
                b'Z' | b'z' => {
                    let mins = c.offset.unsigned_abs() / 60;
                    out.push(if c.offset < 0 { '-' } else { '+' });
                    out.push_str(&format!("{:02}{:02}", mins / 60, mins % 60));
                }
                b't' => out.push('\t'),
                b'n' => out.push('\n'),
                other => out.push(other as char),
            }
        }
    }
    out.push_str(layout.get(lit_start..).unwrap_or(""));
    out
}

/// Reads up to `max` digits.
fn number(src: &[u8], max: usize, directive: u8) -> Result<(i64, usize)> {
    let n = src
        .iter()
        .take(max)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n == 0 {
        return Err(cannot(directive));
    }
    let v = src[..n]
        .iter()
        .fold(0_i64, |a, &d| a * 10 + i64::from(d - b'0'));
    Ok((v, n))
}

fn cannot(directive: u8) -> Error {
    Error::msg(format!("cannot parse %{}", directive as char))
}

fn name_index(src: &[u8], names: &[&str], short: bool) -> Option<(usize, usize)> {
    names.iter().enumerate().find_map(|(i, n)| {
        let n = if short { &n[..3] } else { n };
        src.get(..n.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(n.as_bytes()))
            .then_some((i, n.len()))
    })
}

/// Parses text with strftime directives. Fields left out default to
/// 1900-01-01 00:00:00 UTC.
pub fn parse(source: &str, layout: &str) -> Result<Timestamp> {
    parse_inner(source.as_bytes(), layout.as_bytes()).map_err(|e| {
        Error::msg(format!(
            "failed to parse {} with {}: {}",
            quote(source.as_bytes()),
            quote(layout.as_bytes()),
            e.message()
        ))
    })
}

fn expected(c: u8) -> Error {
    let shown = match c {
        b'\t' => "'\\t'".to_string(),
        b'\n' => "'\\n'".to_string(),
        b'\'' => "'\\''".to_string(),
        c if c.is_ascii_graphic() || c == b' ' => format!("'{}'", c as char),
        c => format!("'\\x{c:02x}'"),
    };
    Error::msg(format!("expected {shown}"))
}

fn parse_inner(src: &[u8], layout: &[u8]) -> Result<Timestamp> {
    let (mut year, mut month, mut day) = (1900_i64, 1_i64, 1_i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0_i64, 0_i64, 0_i64, 0_i64);
    let (mut century, mut yday) = (0_i64, 0_i64);
    let mut pm = false;
    let mut offset: Option<i64> = None;
    let mut j = 0;
    let mut i = 0;
    while i < layout.len() {
        let b = layout[i];
        i += 1;
        if b != b'%' {
            if src.get(j) != Some(&b) {
                return Err(expected(b));
            }
            j += 1;
            continue;
        }
        let Some(&d) = layout.get(i) else {
            return Err(Error::msg("stray %"));
        };
        i += 1;
        let (list, is_composite): (Vec<u8>, bool) = match composite(d) {
            Some(l) => (l.to_vec(), true),
            None => (vec![d], false),
        };
        for &d in &list {
            let rest = &src[j.min(src.len())..];
            match d {
                b'Y' => (year, j) = advance(number(rest, 4, b'Y')?, j),
                b'y' => {
                    let (v, n) = number(rest, 2, b'y')?;
                    year = v + i64::from(Utc::now().year() / 100) * 100;
                    j += n;
                }
                b'C' => (century, j) = advance(number(rest, 2, b'y')?, j),
                b'm' => (month, j) = advance(number(rest, 2, b'm')?, j),
                b'B' | b'b' | b'h' => {
                    let short = d != b'B';
                    let (m, n) = name_index(rest, &LONG_MONTHS, short)
                        .ok_or_else(|| cannot(if short { b'b' } else { b'B' }))?;
                    month = m as i64 + 1;
                    j += n;
                }
                b'A' | b'a' => {
                    let (_, n) =
                        name_index(rest, &LONG_DAYS, d == b'a').ok_or_else(|| cannot(d))?;
                    j += n;
                }
                b'w' => {
                    if !rest.first().is_some_and(|c| (b'0'..=b'6').contains(c)) {
                        return Err(cannot(b'w'));
                    }
                    j += 1;
                }
                b'd' => (day, j) = advance(number(rest, 2, b'd')?, j),
                b'e' | b'k' | b'l' => {
                    let skip = usize::from(rest.first() == Some(&b' '));
                    let (v, n) = number(&rest[skip..], 2, d)?;
                    j += skip + n;
                    if d == b'e' {
                        day = v;
                    } else {
                        hour = v;
                    }
                }
                b'j' => (yday, j) = advance(number(rest, 3, b'd')?, j),
                b'H' | b'I' => (hour, j) = advance(number(rest, 2, d)?, j),
                b'p' => {
                    let (ix, n) =
                        name_index(rest, &["AM", "PM"], false).ok_or_else(|| cannot(b'p'))?;
                    pm = ix == 1;
                    j += n;
                }
                b'M' => (min, j) = advance(number(rest, 2, b'M')?, j),
                b'S' => (sec, j) = advance(number(rest, 2, b'S')?, j),
                b'f' => {
                    let (v, n) = number(rest, 6, b'f')?;
                    nsec = v * 1000 * 10_i64.pow(6 - n as u32);
                    j += n;
                }
                b'Z' => {
                    let n = rest.iter().take_while(|c| c.is_ascii_uppercase()).count();
                    if &rest[..n] != b"UTC" && n != 3 && !(4..=5).contains(&n) {
                        return Err(Error::msg(format!(
                            "parsing time {} as \"MST\": cannot parse {} as \"MST\"",
                            quote(&rest[..n]),
                            quote(&rest[..n])
                        )));
                    }
                    offset = Some(0);
                    j += n;
                }
                b'z' => {
                    let sign = match rest.first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => return Err(cannot(b'z')),
                    };
                    let digits = rest.get(1..5).ok_or_else(|| cannot(b'z'))?;
                    let hh = std::str::from_utf8(&digits[..2])
                        .ok()
                        .and_then(|s| s.parse::<i64>().ok());
                    let mm = std::str::from_utf8(&digits[2..])
                        .ok()
                        .and_then(|s| s.parse::<i64>().ok());
                    let (Some(hh), Some(mm)) = (hh, mm) else {
                        return Err(cannot(b'z'));
                    };
                    offset = Some(sign * (hh * 60 + mm) * 60);
                    j += 5;
                }
                b't' | b'n' | b'%' => {
                    let want = match d {
                        b't' => b'\t',
                        b'n' => b'\n',
                        _ => b'%',
                    };
                    if rest.first() != Some(&want) {
                        return Err(expected(want));
                    }
                    j += 1;
                }
                other if is_composite => {
                    if rest.first() != Some(&other) {
                        return Err(expected(other));
                    }
                    j += 1;
                }
                other => {
                    return Err(Error::msg(format!(
                        "unexpected format: \"%{}\"",
                        other as char
                    )));
                }
            }
        }
    }
    if j < src.len() {
        return Err(Error::msg(format!(
            "unconverted string: {}",
            quote(&src[j..])
        )));
    }
    if pm {
        hour += 12;
    }
    if century > 0 {
        year = century * 100 + year % 100;
    }
    let range = || Error::msg("timestamp out of range");
    // Go's time.Date normalises out-of-range fields.
    let base = NaiveDate::from_ymd_opt(i32::try_from(year).map_err(|_| range())?, 1, 1)
        .ok_or_else(range)?;
    let date = if yday > 0 {
        base.checked_add_signed(Duration::days(yday - 1))
    } else {
        base.checked_add_months(chrono::Months::new(u32::try_from(month - 1).unwrap_or(0)))
            .and_then(|d| d.checked_add_signed(Duration::days(day - 1)))
    }
    .ok_or_else(range)?;
    let wall = date
        .and_hms_opt(0, 0, 0)
        .ok_or_else(range)?
        .checked_add_signed(
            Duration::hours(hour)
                + Duration::minutes(min)
                + Duration::seconds(sec)
                + Duration::nanoseconds(nsec),
        )
        .ok_or_else(range)?;
    match offset {
        Some(off) if off != 0 => {
            let fixed = FixedOffset::east_opt(off as i32).ok_or_else(range)?;
            let t = fixed
                .from_local_datetime(&wall)
                .single()
                .ok_or_else(range)?;
            Ok(Timestamp::fixed(t))
        }
        _ => Ok(Timestamp::utc(Utc.from_utc_datetime(&wall))),
    }
}

fn advance((v, n): (i64, usize), j: usize) -> (i64, usize) {
    (v, j + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = parse("2020-Aug-14 11:50:26.371000", "%Y-%b-%d %H:%M:%S.%f").unwrap();
        assert_eq!(t.rfc3339_nano(), "2020-08-14T11:50:26.371Z");
        assert_eq!(
            format(&t, "%Y-%b-%d %H:%M:%S.%f %Z %z %j %-m"),
            "2020-Aug-14 11:50:26.371000 UTC +0000 227 8"
        );
        assert_eq!(format(&t, "%F %T %%"), "2020-08-14 11:50:26 %");
        let e = parse("2020-Aug", "%Y-%m").unwrap_err();
        assert_eq!(
            e.message(),
            r#"failed to parse "2020-Aug" with "%Y-%m": cannot parse %m"#
        );
        let e = parse("2020x", "%Y").unwrap_err();
        assert_eq!(
            e.message(),
            r#"failed to parse "2020x" with "%Y": unconverted string: "x""#
        );
    }
}
