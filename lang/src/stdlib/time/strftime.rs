//! strftime-style formatting and parsing (`%Y-%m-%d %H:%M:%S.%f`), with
//! the directive set and error texts of upstream's strftime library.

use super::golayout::{LONG_DAYS, LONG_MONTHS, quote};
use super::zone::{Civil, civil};
use crate::error::{Error, Result};
use crate::value::Timestamp;
use chrono::{Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

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

/// What a directive produces before flags and width are applied.
enum Piece {
    /// A number with its default width and padding character.
    Num(i64, usize, u8),
    /// Text (names, zone, literal characters).
    Text(String),
}

/// The ISO-8601 week-based year and week number.
fn iso_week(c: &Civil) -> (i64, i64) {
    let date = NaiveDate::from_ymd_opt(c.year, c.month, c.day);
    match date {
        Some(d) => {
            let w = d.iso_week();
            (i64::from(w.year()), i64::from(w.week()))
        }
        None => (i64::from(c.year), 1),
    }
}

fn piece(t: &Timestamp, c: &Civil, d: u8, colons: usize) -> Option<Piece> {
    let hour12 = match c.hour % 12 {
        0 => 12,
        h => h,
    };
    let wday = i64::from(c.weekday);
    let yday0 = i64::from(c.yday) - 1;
    Some(match d {
        b'Y' => Piece::Num(c.year.into(), 4, b'0'),
        b'C' => Piece::Num(i64::from(c.year).div_euclid(100), 2, b'0'),
        b'y' => Piece::Num(i64::from(c.year).rem_euclid(100), 2, b'0'),
        b'G' => Piece::Num(iso_week(c).0, 4, b'0'),
        b'g' => Piece::Num(iso_week(c).0.rem_euclid(100), 2, b'0'),
        b'V' => Piece::Num(iso_week(c).1, 2, b'0'),
        b'U' => Piece::Num((yday0 + 7 - wday) / 7, 2, b'0'),
        b'W' => Piece::Num((yday0 + 7 - (wday + 6) % 7) / 7, 2, b'0'),
        b'm' => Piece::Num(c.month.into(), 2, b'0'),
        b'B' => Piece::Text(LONG_MONTHS[(c.month as usize + 11) % 12].to_string()),
        b'b' | b'h' => Piece::Text(LONG_MONTHS[(c.month as usize + 11) % 12][..3].to_string()),
        b'A' => Piece::Text(LONG_DAYS[c.weekday as usize % 7].to_string()),
        b'a' => Piece::Text(LONG_DAYS[c.weekday as usize % 7][..3].to_string()),
        b'u' => Piece::Num(if wday == 0 { 7 } else { wday }, 1, b'0'),
        b'w' => Piece::Num(wday, 1, b'0'),
        b'd' => Piece::Num(c.day.into(), 2, b'0'),
        b'e' => Piece::Num(c.day.into(), 2, b' '),
        b'j' => Piece::Num(c.yday.into(), 3, b'0'),
        b'H' => Piece::Num(c.hour.into(), 2, b'0'),
        b'k' => Piece::Num(c.hour.into(), 2, b' '),
        b'I' => Piece::Num(hour12.into(), 2, b'0'),
        b'l' => Piece::Num(hour12.into(), 2, b' '),
        b'p' => Piece::Text(if c.hour < 12 { "AM" } else { "PM" }.to_string()),
        b'P' => Piece::Text(if c.hour < 12 { "am" } else { "pm" }.to_string()),
        b'M' => Piece::Num(c.minute.into(), 2, b'0'),
        b'S' => Piece::Num(c.second.into(), 2, b'0'),
        b'f' => Piece::Num(i64::from(c.nanos / 1000), 6, b'0'),
        b's' => Piece::Num(t.unix(), 1, b'0'),
        b'Z' if !c.abbr.is_empty() => Piece::Text(c.abbr.clone()),
        b'Z' | b'z' => {
            let abs = c.offset.unsigned_abs();
            let mut s = String::from(if c.offset < 0 { "-" } else { "+" });
            s.push_str(&format!("{:02}", abs / 3600));
            if colons > 0 {
                s.push(':');
            }
            s.push_str(&format!("{:02}", abs / 60 % 60));
            if colons > 1 {
                s.push_str(&format!(":{:02}", abs % 60));
            }
            Piece::Text(s)
        }
        b't' => Piece::Text("\t".into()),
        b'n' => Piece::Text("\n".into()),
        b'%' => Piece::Text("%".into()),
        _ => return None,
    })
}

/// Formats a timestamp with strftime directives, with glibc's flags
/// (`-` no padding, `_` spaces, `0` zeros, `^` upper case, `#` swapped
/// case), field widths and `%:z`. Unknown directives print as written.
pub fn format(t: &Timestamp, layout: &str) -> String {
    let c = civil(t);
    let mut out = String::with_capacity(layout.len() + 16);
    format_into(&mut out, t, &c, layout);
    out
}

fn format_into(out: &mut String, t: &Timestamp, c: &Civil, layout: &str) {
    let bytes = layout.as_bytes();
    let mut lit_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        out.push_str(&layout[lit_start..i]);
        let start = i;
        i += 1;
        let mut pad: Option<u8> = None;
        let mut no_pad = false;
        let (mut upper, mut swap) = (false, false);
        while let Some(&f) = bytes.get(i) {
            match f {
                b'-' => no_pad = true,
                b'_' => pad = Some(b' '),
                b'0' => pad = Some(b'0'),
                b'^' => upper = true,
                b'#' => swap = true,
                _ => break,
            }
            i += 1;
        }
        let mut width: Option<usize> = None;
        while let Some(&dg) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            width = Some((width.unwrap_or(0) * 10 + usize::from(dg - b'0')).min(1024));
            i += 1;
        }
        let mut colons = 0;
        while bytes.get(i) == Some(&b':') {
            colons += 1;
            i += 1;
        }
        let Some(&d) = bytes.get(i) else {
            out.push_str(&layout[start..]);
            lit_start = bytes.len();
            break;
        };
        if !d.is_ascii() {
            lit_start = start;
            i += 1;
            continue;
        }
        i += 1;
        lit_start = i;
        let expansion: Option<&str> = match d {
            b'c' => Some("%a %b %e %H:%M:%S %Y"),
            b'D' | b'x' => Some("%m/%d/%y"),
            b'F' => Some("%Y-%m-%d"),
            b'R' => Some("%H:%M"),
            b'r' => Some("%I:%M:%S %p"),
            b'T' | b'X' => Some("%H:%M:%S"),
            b'v' => Some("%e-%b-%Y"),
            _ => None,
        };
        let text = if let Some(exp) = expansion {
            let mut sub = String::new();
            format_into(&mut sub, t, c, exp);
            sub
        } else {
            match piece(t, c, d, colons) {
                None => {
                    out.push_str(&layout[start..i]);
                    continue;
                }
                Some(Piece::Num(v, default_width, default_pad)) => {
                    let digits = v.unsigned_abs().to_string();
                    let sign = if v < 0 { "-" } else { "" };
                    let w = if no_pad {
                        0
                    } else {
                        width.unwrap_or(default_width)
                    };
                    let p = pad.unwrap_or(default_pad) as char;
                    let fill = w.saturating_sub(digits.len() + sign.len());
                    let mut s = String::with_capacity(w.max(digits.len()) + 1);
                    if p == '0' {
                        s.push_str(sign);
                        s.extend(std::iter::repeat_n('0', fill));
                    } else {
                        s.extend(std::iter::repeat_n(' ', fill));
                        s.push_str(sign);
                    }
                    s.push_str(&digits);
                    s
                }
                Some(Piece::Text(s)) => s,
            }
        };
        let text = if upper {
            text.to_uppercase()
        } else if swap {
            text.chars()
                .map(|ch| {
                    if ch.is_ascii_uppercase() {
                        ch.to_ascii_lowercase()
                    } else {
                        ch.to_ascii_uppercase()
                    }
                })
                .collect()
        } else {
            text
        };
        if let Some(w) = width
            && !no_pad
            && w > text.len()
            && (expansion.is_some()
                || !text.starts_with(|ch: char| ch.is_ascii_digit() || ch == ' ' || ch == '-'))
        {
            let p = if pad == Some(b'0') { '0' } else { ' ' };
            out.extend(std::iter::repeat_n(p, w - text.len()));
        }
        out.push_str(&text);
    }
    out.push_str(layout.get(lit_start..).unwrap_or(""));
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
    let mut ampm: Option<bool> = None;
    let mut epoch: Option<i64> = None;
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
                    year = v + if v < 69 { 2000 } else { 1900 };
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
                b'w' | b'u' => {
                    let range = if d == b'w' { b'0'..=b'6' } else { b'1'..=b'7' };
                    if !rest.first().is_some_and(|c| range.contains(c)) {
                        return Err(cannot(d));
                    }
                    j += 1;
                }
                b's' => {
                    let neg = rest.first() == Some(&b'-');
                    let (v, n) = number(&rest[usize::from(neg)..], 18, b's')?;
                    epoch = Some(if neg { -v } else { v });
                    j += usize::from(neg) + n;
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
                    ampm = Some(ix == 1);
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
                    if rest.first() == Some(&b'Z') {
                        offset = Some(0);
                        j += 1;
                        continue;
                    }
                    let sign = match rest.first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => return Err(cannot(b'z')),
                    };
                    let two = |k: usize| -> Option<i64> {
                        let p = rest.get(k..k + 2)?;
                        p.iter()
                            .all(u8::is_ascii_digit)
                            .then(|| i64::from(p[0] - b'0') * 10 + i64::from(p[1] - b'0'))
                    };
                    let hh = two(1).ok_or_else(|| cannot(b'z'))?;
                    let mut n = 3;
                    let mut mm = 0;
                    let colon = usize::from(rest.get(3) == Some(&b':'));
                    if let Some(m) = two(3 + colon) {
                        mm = m;
                        n = 5 + colon;
                    } else if colon == 1 {
                        return Err(cannot(b'z'));
                    }
                    offset = Some(sign * (hh * 60 + mm) * 60);
                    j += n;
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
    match ampm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    if let Some(secs) = epoch {
        return chrono::DateTime::from_timestamp(secs, 0)
            .map(Timestamp::utc)
            .ok_or_else(|| Error::msg("timestamp out of range"));
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
        let t = parse("12:30 AM 99 +05:30", "%I:%M %p %y %z").unwrap();
        assert_eq!(t.rfc3339_nano(), "1999-01-01T00:30:00+05:30");
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
