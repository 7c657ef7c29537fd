//! Parsing with Go reference-time layouts, following Go's `time.Parse`
//! rules and error texts.

use super::golayout::{LONG_DAYS, LONG_MONTHS, Std, digit_at, next_chunk, quote, short};
use super::zone::{civil, local_zone};
use crate::error::{Error, Result};
use crate::value::Timestamp;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::OffsetName;

struct Bad;

fn getnum(s: &[u8], fixed: bool) -> std::result::Result<(i64, &[u8]), Bad> {
    if !digit_at(s, 0) {
        return Err(Bad);
    }
    if !digit_at(s, 1) {
        if fixed {
            return Err(Bad);
        }
        return Ok((i64::from(s[0] - b'0'), &s[1..]));
    }
    Ok((
        i64::from(s[0] - b'0') * 10 + i64::from(s[1] - b'0'),
        &s[2..],
    ))
}

fn getnum3(s: &[u8], fixed: bool) -> std::result::Result<(i64, &[u8]), Bad> {
    let mut n = 0;
    let mut i = 0;
    while i < 3 && digit_at(s, i) {
        n = n * 10 + i64::from(s[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return Err(Bad);
    }
    Ok((n, &s[i..]))
}

/// Go's `time.atoi`: optional sign, then digits only.
fn atoi(s: &[u8]) -> std::result::Result<i64, Bad> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Bad);
    }
    let mut n: i64 = 0;
    for &d in digits {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(d - b'0')))
            .ok_or(Bad)?;
    }
    Ok(if neg { -n } else { n })
}

fn lookup<'v>(
    names: &[&str],
    value: &'v [u8],
    short_names: bool,
) -> std::result::Result<(usize, &'v [u8]), Bad> {
    for (i, name) in names.iter().enumerate() {
        let name = if short_names { short(name) } else { name };
        if let Some(head) = value.get(..name.len())
            && head.eq_ignore_ascii_case(name.as_bytes())
        {
            return Ok((i, &value[name.len()..]));
        }
    }
    Err(Bad)
}

/// Go's `parseNanoseconds`: `value` starts with the separator; `n` bytes
/// are read (separator included).
fn parse_nanos(value: &[u8], n: usize) -> std::result::Result<(i64, bool), Bad> {
    if !matches!(value.first(), Some(b'.' | b',')) {
        return Err(Bad);
    }
    let n = n.min(10);
    let ns = atoi(value.get(1..n).ok_or(Bad)?)?;
    if ns < 0 {
        return Ok((0, true));
    }
    Ok((ns * 10_i64.pow((10 - n) as u32), false))
}

/// Go's `parseTimeZone`: how many bytes of `value` look like a zone name.
fn zone_name_len(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.starts_with(b"ChST") || value.starts_with(b"MeST") {
        return Some(4);
    }
    if value.starts_with(b"GMT") {
        return Some(3 + signed_offset_len(&value[3..]));
    }
    if matches!(value[0], b'+' | b'-') {
        let n = signed_offset_len(value);
        return (n > 0).then_some(n);
    }
    let upper = value
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if value[3] == b'T' || value.starts_with(b"WITA") => Some(4),
        5 if value[4] == b'T' => Some(5),
        _ => None,
    }
}

fn signed_offset_len(value: &[u8]) -> usize {
    if !matches!(value.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let digits = value[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return 0;
    }
    match atoi(&value[1..1 + digits]) {
        Ok(x) if x <= 12 => 1 + digits,
        _ => 0,
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `value` with a Go layout. Without zone information the result
/// is UTC; an offset matching the local zone gives the local zone.
pub fn parse(layout: &str, value: &[u8]) -> Result<Timestamp> {
    let full_value = value;
    let err = |value_elem: &[u8], layout_elem: &[u8]| {
        Error::msg(format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(full_value),
            quote(layout.as_bytes()),
            quote(value_elem),
            quote(layout_elem)
        ))
    };
    let msg_err = |msg: &str| Error::msg(format!("parsing time {}{msg}", quote(full_value)));

    let mut lay = layout.as_bytes();
    let mut value = value;
    let (mut year, mut month, mut day, mut yday) = (0_i64, -1_i64, -1_i64, -1_i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0_i64, 0_i64, 0_i64, 0_i64);
    let (mut am, mut pm) = (false, false);
    let mut utc_zone = false;
    let mut zone_offset: Option<i64> = None;
    let mut zone_name: Option<Vec<u8>> = None;

    loop {
        let chunk = next_chunk(lay);
        let prefix_len = chunk.map_or(lay.len(), |c| c.0);
        let prefix = &lay[..prefix_len];
        value = skip(value, prefix).map_err(|v| err(v, prefix))?;
        let Some((_, std, len)) = chunk else {
            if !value.is_empty() {
                return Err(msg_err(&format!(": extra text: {}", quote(value))));
            }
            break;
        };
        let std_str = &lay[prefix_len..prefix_len + len];
        lay = &lay[prefix_len + len..];
        let hold = value;
        let mut range_err: Option<&str> = None;
        let res: std::result::Result<(), Bad> = (|| {
            match std {
                Std::Year => {
                    let p = value.get(..2).ok_or(Bad)?;
                    value = &value[2..];
                    year = atoi(p)?;
                    year += if year >= 69 { 1900 } else { 2000 };
                }
                Std::LongYear => {
                    if value.len() < 4 || !digit_at(value, 0) {
                        return Err(Bad);
                    }
                    year = atoi(&value[..4])?;
                    value = &value[4..];
                }
                Std::Month | Std::LongMonth => {
                    let (m, rest) = lookup(&LONG_MONTHS, value, std == Std::Month)?;
                    month = m as i64 + 1;
                    value = rest;
                }
                Std::NumMonth | Std::ZeroMonth => {
                    let (m, rest) = getnum(value, std == Std::ZeroMonth)?;
                    value = rest;
                    month = m;
                    if !(1..=12).contains(&m) {
                        range_err = Some("month");
                    }
                }
                Std::WeekDay | Std::LongWeekDay => {
                    value = lookup(&LONG_DAYS, value, std == Std::WeekDay)?.1;
                }
                Std::Day | Std::UnderDay | Std::ZeroDay => {
                    if std == Std::UnderDay && value.first() == Some(&b' ') {
                        value = &value[1..];
                    }
                    let (d, rest) = getnum(value, std == Std::ZeroDay)?;
                    day = d;
                    value = rest;
                }
                Std::UnderYearDay | Std::ZeroYearDay => {
                    for _ in 0..2 {
                        if std == Std::UnderYearDay && value.first() == Some(&b' ') {
                            value = &value[1..];
                        }
                    }
                    let (d, rest) = getnum3(value, std == Std::ZeroYearDay)?;
                    yday = d;
                    value = rest;
                }
                Std::Hour => {
                    let (h, rest) = getnum(value, false)?;
                    hour = h;
                    value = rest;
                    if h >= 24 {
                        range_err = Some("hour");
                    }
                }
                Std::Hour12 | Std::ZeroHour12 => {
                    let (h, rest) = getnum(value, std == Std::ZeroHour12)?;
                    hour = h;
                    value = rest;
                    if h > 12 {
                        range_err = Some("hour");
                    }
                }
                Std::Minute | Std::ZeroMinute => {
                    let (m, rest) = getnum(value, std == Std::ZeroMinute)?;
                    min = m;
                    value = rest;
                    if m >= 60 {
                        range_err = Some("minute");
                    }
                }
                Std::Second | Std::ZeroSecond => {
                    let (s, rest) = getnum(value, std == Std::ZeroSecond)?;
                    sec = s;
                    value = rest;
                    if s >= 60 {
                        range_err = Some("second");
                        return Ok(());
                    }
                    // A fraction in the value but none in the layout.
                    if value.len() >= 2 && matches!(value[0], b'.' | b',') && digit_at(value, 1) {
                        if let Some((_, Std::Frac { .. }, _)) = next_chunk(lay) {
                            return Ok(());
                        }
                        let mut n = 2;
                        while digit_at(value, n) {
                            n += 1;
                        }
                        let (ns, bad_range) = parse_nanos(value, n)?;
                        nsec = ns;
                        if bad_range {
                            range_err = Some("fractional second");
                        }
                        value = &value[n..];
                    }
                }
                Std::PmUpper | Std::PmLower => {
                    let p = value.get(..2).ok_or(Bad)?;
                    value = &value[2..];
                    let (am_text, pm_text): (&[u8], &[u8]) = if std == Std::PmUpper {
                        (b"AM", b"PM")
                    } else {
                        (b"am", b"pm")
                    };
                    if p == pm_text {
                        pm = true;
                    } else if p == am_text {
                        am = true;
                    } else {
                        return Err(Bad);
                    }
                }
                Std::Offset {
                    iso,
                    colon,
                    minutes,
                    seconds,
                } => {
                    if iso && value.first() == Some(&b'Z') {
                        value = &value[1..];
                        utc_zone = true;
                        return Ok(());
                    }
                    let need = match (colon, minutes, seconds) {
                        (true, _, false) => 6,
                        (_, false, _) => 3,
                        (true, _, true) => 9,
                        (false, _, true) => 7,
                        (false, true, false) => 5,
                    };
                    if value.len() < need {
                        return Err(Bad);
                    }
                    let (h, m, s): (&[u8], &[u8], &[u8]) = match (colon, minutes, seconds) {
                        (true, _, false) => {
                            if value[3] != b':' {
                                return Err(Bad);
                            }
                            (&value[1..3], &value[4..6], b"00")
                        }
                        (_, false, _) => (&value[1..3], b"00", b"00"),
                        (true, _, true) => {
                            if value[3] != b':' || value[6] != b':' {
                                return Err(Bad);
                            }
                            (&value[1..3], &value[4..6], &value[7..9])
                        }
                        (false, _, true) => (&value[1..3], &value[3..5], &value[5..7]),
                        (false, true, false) => (&value[1..3], &value[3..5], b"00"),
                    };
                    let sign = value[0];
                    value = &value[need..];
                    let hr = getnum(h, true)?.0;
                    let mm = getnum(m, true)?.0;
                    let ss = getnum(s, true)?.0;
                    let off = (hr * 60 + mm) * 60 + ss;
                    zone_offset = Some(match sign {
                        b'+' => off,
                        b'-' => -off,
                        _ => return Err(Bad),
                    });
                }
                Std::ZoneName => {
                    if value.starts_with(b"UTC") {
                        utc_zone = true;
                        value = &value[3..];
                        return Ok(());
                    }
                    let n = zone_name_len(value).ok_or(Bad)?;
                    zone_name = Some(value[..n].to_vec());
                    value = &value[n..];
                }
                Std::Frac {
                    fixed: true,
                    digits,
                    ..
                } => {
                    let n = 1 + digits;
                    if value.len() < n {
                        return Err(Bad);
                    }
                    let (ns, bad_range) = parse_nanos(value, n)?;
                    nsec = ns;
                    if bad_range {
                        range_err = Some("fractional second");
                    }
                    value = &value[n..];
                }
                Std::Frac { fixed: false, .. } => {
                    if value.len() < 2 || !matches!(value[0], b'.' | b',') || !digit_at(value, 1) {
                        return Ok(());
                    }
                    let mut i = 0;
                    while digit_at(value, i + 1) {
                        i += 1;
                    }
                    let (ns, bad_range) = parse_nanos(value, 1 + i)?;
                    nsec = ns;
                    if bad_range {
                        range_err = Some("fractional second");
                    }
                    value = &value[1 + i..];
                }
            }
            Ok(())
        })();
        if let Some(what) = range_err {
            return Err(msg_err(&format!(": {what} out of range")));
        }
        if res.is_err() {
            return Err(err(hold, std_str));
        }
    }

    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }

    if yday >= 0 {
        let mut m = 0;
        let mut d = 0;
        let mut yd = yday;
        if is_leap(year) {
            if yd == 31 + 29 {
                m = 2;
                d = 29;
            } else if yd > 31 + 29 {
                yd -= 1;
            }
        }
        if !(1..=365).contains(&yd) {
            return Err(msg_err(": day-of-year out of range"));
        }
        if m == 0 {
            const BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
            m = (yd - 1) / 31 + 1;
            if BEFORE[m as usize] < yd {
                m += 1;
            }
            d = yd - BEFORE[(m - 1) as usize];
        }
        if month >= 0 && month != m {
            return Err(msg_err(": day-of-year does not match month"));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(msg_err(": day-of-year does not match day"));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month, year) {
        return Err(msg_err(": day out of range"));
    }

    let out_of_range = || {
        Error::msg(format!(
            "parsing time {}: year out of range",
            quote(full_value)
        ))
    };
    let wall = NaiveDate::from_ymd_opt(
        i32::try_from(year).map_err(|_| out_of_range())?,
        month as u32,
        day as u32,
    )
    .and_then(|d| d.and_hms_nano_opt(hour as u32, min as u32, sec as u32, nsec as u32))
    .ok_or_else(out_of_range)?;
    let as_utc = Utc.from_utc_datetime(&wall);

    if utc_zone {
        return Ok(Timestamp::utc(as_utc));
    }
    if let Some(off) = zone_offset {
        let utc = as_utc - Duration::seconds(off);
        if let Some(ts) = local_match(utc, Some(off), zone_name.as_deref()) {
            return Ok(ts);
        }
        let fixed = FixedOffset::east_opt(off as i32).ok_or_else(out_of_range)?;
        return Ok(Timestamp::fixed(utc.with_timezone(&fixed)));
    }
    if let Some(name) = zone_name {
        if let Some(ts) = local_by_name(as_utc, &name) {
            return Ok(ts);
        }
        let mut off = 0;
        if name.len() > 3 && name.starts_with(b"GMT") {
            off = atoi(&name[3..]).unwrap_or(0) * 3600;
        }
        let utc = as_utc - Duration::seconds(off);
        let fixed = FixedOffset::east_opt(off as i32).ok_or_else(out_of_range)?;
        return Ok(Timestamp::fixed(utc.with_timezone(&fixed)));
    }
    Ok(Timestamp::utc(as_utc))
}

/// The local zone, when at `utc` it has offset `off` (and name `name`).
fn local_match(utc: DateTime<Utc>, off: Option<i64>, name: Option<&[u8]>) -> Option<Timestamp> {
    let t = super::zone::local_timestamp(utc);
    let c = civil(&t);
    let off_ok = off.is_none_or(|o| i64::from(c.offset) == o);
    let name_ok = name.is_none_or(|n| n == c.abbr.as_bytes());
    (off_ok && name_ok).then_some(t)
}

/// Go's `Location.lookupName`: a local-zone abbreviation read as that
/// zone's offset around the given wall clock.
fn local_by_name(wall_as_utc: DateTime<Utc>, name: &[u8]) -> Option<Timestamp> {
    let tz = local_zone();
    let off = match tz {
        None => {
            return (name == b"UTC").then(|| Timestamp::utc(wall_as_utc));
        }
        Some(tz) => {
            let o = tz.offset_from_utc_datetime(&wall_as_utc.naive_utc());
            if o.abbreviation().map(str::as_bytes) != Some(name) {
                return None;
            }
            o.fix().local_minus_utc()
        }
    };
    local_match(
        wall_as_utc - Duration::seconds(off.into()),
        None,
        Some(name),
    )
}

/// Go's `skip`: matches literal layout text; a space in the layout
/// matches any run of spaces (but requires one unless the value ends).
fn skip<'v>(mut value: &'v [u8], mut prefix: &[u8]) -> std::result::Result<&'v [u8], &'v [u8]> {
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&c| c != b' ') {
                return Err(value);
            }
            prefix = trim_spaces(prefix);
            value = trim_spaces(value);
            continue;
        }
        if value.first() != Some(&p) {
            return Err(value);
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Ok(value)
}

fn trim_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b' ').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let t = parse(
            "Jan 2, 2006 at 3:04pm (MST)",
            b"Aug 14, 2020 at 5:54am (UTC)",
        )
        .unwrap();
        assert_eq!(t.rfc3339_nano(), "2020-08-14T05:54:00Z");
        let t = parse("2006-01-02 15:04:05", b"2020-08-14 05:54:23.5").unwrap();
        assert_eq!(t.rfc3339_nano(), "2020-08-14T05:54:23.5Z");
        let e = parse("2006-01-02", b"2020-13-01").unwrap_err();
        assert_eq!(
            e.message(),
            r#"parsing time "2020-13-01": month out of range"#
        );
        let e = parse("2006-01-02", b"2020-1x-01").unwrap_err();
        assert_eq!(
            e.message(),
            r#"parsing time "2020-1x-01" as "2006-01-02": cannot parse "1x-01" as "01""#
        );
        let e = parse("2006-01-02", b"2020-01-01 x").unwrap_err();
        assert_eq!(
            e.message(),
            r#"parsing time "2020-01-01 x": extra text: " x""#
        );
        assert!(parse("2006-01-02", "2020-0é-01".as_bytes()).is_err());
    }
}
