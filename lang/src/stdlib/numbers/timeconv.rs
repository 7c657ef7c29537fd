//! Turning values into timestamps the way upstream's `.timestamp()` and
//! timestamp parameters do: numbers are unix seconds in the local zone,
//! strings are RFC 3339 (with optional fraction), parse errors worded like
//! Go's `time.Parse`.

use crate::error::{Error, Result};
use crate::value::{Num, Timestamp, Value};
use chrono::{DateTime, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use tarn_syntax::strings::quote;

const LAYOUT: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// A timestamp at `secs` seconds and `nanos` nanoseconds (either may be
/// negative) after the epoch, shown in the local zone like Go's `time.Unix`.
pub fn unix_local(secs: i64, nanos: i64) -> Result<Timestamp> {
    let secs = secs
        .checked_add(nanos.div_euclid(1_000_000_000))
        .ok_or_else(|| Error::msg("timestamp out of range"))?;
    let nanos = nanos.rem_euclid(1_000_000_000) as u32;
    let utc = DateTime::<Utc>::from_timestamp(secs, nanos)
        .ok_or_else(|| Error::msg("timestamp out of range"))?;
    let offset = chrono::Local
        .offset_from_utc_datetime(&utc.naive_utc())
        .fix();
    Ok(Timestamp::fixed(utc.with_timezone(&offset)))
}

fn from_float(f: f64) -> Result<Timestamp> {
    let whole = f.trunc();
    let frac = f - whole;
    unix_local(whole as i64, (frac * 1e9) as i64)
}

/// Go's `IGetTimestamp`: a timestamp as is, a number as unix seconds, a
/// string or bytes as RFC 3339; anything else is a type error.
pub fn to_timestamp(v: &Value) -> Result<Timestamp> {
    match v {
        Value::Timestamp(t) => Ok((**t).clone()),
        Value::Str(s) => parse_rfc3339(s).map_err(Error::msg),
        Value::Bytes(b) => parse_rfc3339(&String::from_utf8_lossy(b)).map_err(Error::msg),
        Value::Number(r) => match r.value {
            Num::Int(i) => unix_local(i, 0),
            Num::UInt(u) => unix_local(u as i64, 0),
            Num::Float(f) => from_float(f),
        },
        other => match other.num() {
            Some(Num::Int(i)) => unix_local(i, 0),
            Some(Num::UInt(u)) => unix_local(u as i64, 0),
            Some(Num::Float(f)) => from_float(f),
            None => Err(Error::type_mismatch("number or string", other)),
        },
    }
}

/// A `time.ParseError` text.
fn cannot_parse(value: &str, elem_value: &str, elem: &str) -> String {
    format!(
        "parsing time {} as {}: cannot parse {} as {}",
        quote(value),
        quote(LAYOUT),
        quote(elem_value),
        quote(elem)
    )
}

fn out_of_range(value: &str, what: &str) -> String {
    format!("parsing time {}: {what} out of range", quote(value))
}

/// Reads `n` fixed digits (`getnum(…, true)` for n = 2).
fn fixed_digits(s: &str, n: usize) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    if b.len() < n || !b[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// One or two digits (`getnum(…, false)`).
fn loose_digits(s: &str) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    match (b.first(), b.get(1)) {
        (Some(a), Some(c)) if a.is_ascii_digit() && c.is_ascii_digit() => fixed_digits(s, 2),
        (Some(a), _) if a.is_ascii_digit() => Some((u32::from(a - b'0'), &s[1..])),
        _ => None,
    }
}

/// Parses `s` with Go's RFC3339Nano layout.
pub fn parse_rfc3339(s: &str) -> Result<Timestamp, String> {
    let year_ok = s.len() >= 4 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if !year_ok {
        return Err(cannot_parse(s, s, "2006"));
    }
    let year: i32 = s[..4].parse().map_err(|_| cannot_parse(s, s, "2006"))?;
    let rest = &s[4..];
    let expect = |rest: &str, sep: &str| -> Result<(), String> {
        if rest.starts_with(sep) {
            Ok(())
        } else {
            Err(cannot_parse(s, rest, sep))
        }
    };
    expect(rest, "-")?;
    let rest = &rest[1..];
    let (month, rest) = fixed_digits(rest, 2).ok_or_else(|| cannot_parse(s, rest, "01"))?;
    if !(1..=12).contains(&month) {
        return Err(out_of_range(s, "month"));
    }
    expect(rest, "-")?;
    let rest = &rest[1..];
    let (day, rest) = fixed_digits(rest, 2).ok_or_else(|| cannot_parse(s, rest, "02"))?;
    expect(rest, "T")?;
    let rest = &rest[1..];
    let (hour, rest) = loose_digits(rest).ok_or_else(|| cannot_parse(s, rest, "15"))?;
    if hour >= 24 {
        return Err(out_of_range(s, "hour"));
    }
    expect(rest, ":")?;
    let rest = &rest[1..];
    let (minute, rest) = fixed_digits(rest, 2).ok_or_else(|| cannot_parse(s, rest, "04"))?;
    if minute >= 60 {
        return Err(out_of_range(s, "minute"));
    }
    expect(rest, ":")?;
    let rest = &rest[1..];
    let (second, mut rest) = fixed_digits(rest, 2).ok_or_else(|| cannot_parse(s, rest, "05"))?;
    if second >= 60 {
        return Err(out_of_range(s, "second"));
    }
    let mut nanos: u32 = 0;
    let rb = rest.as_bytes();
    if rb.len() >= 2 && (rb[0] == b'.' || rb[0] == b',') && rb[1].is_ascii_digit() {
        let n = 1 + rb[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let digits = &rest[1..n.min(10)];
        let mut scaled: u32 = digits.parse().unwrap_or(0);
        for _ in digits.len()..9 {
            scaled *= 10;
        }
        nanos = scaled;
        rest = &rest[n..];
    }
    let offset_secs: i32;
    if let Some(r) = rest.strip_prefix('Z') {
        offset_secs = 0;
        rest = r;
    } else {
        let rb = rest.as_bytes();
        if rb.len() < 6 || rb[3] != b':' || !matches!(rb[0], b'+' | b'-') {
            return Err(cannot_parse(s, rest, "Z07:00"));
        }
        let hh = rest.get(1..3).and_then(|t| fixed_digits(t, 2)).map(|x| x.0);
        let mm = rest.get(4..6).and_then(|t| fixed_digits(t, 2)).map(|x| x.0);
        let (Some(hh), Some(mm)) = (hh, mm) else {
            return Err(cannot_parse(s, rest, "Z07:00"));
        };
        if hh > 24 {
            return Err(out_of_range(s, "time zone offset hour"));
        }
        if mm > 60 {
            return Err(out_of_range(s, "time zone offset minute"));
        }
        let total = (hh * 3600 + mm * 60) as i32;
        offset_secs = if rb[0] == b'-' { -total } else { total };
        rest = rest.get(6..).unwrap_or("");
    }
    if !rest.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            quote(s),
            quote(rest)
        ));
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| out_of_range(s, "day"))?;
    let naive = date
        .and_hms_nano_opt(hour, minute, second, nanos)
        .ok_or_else(|| out_of_range(s, "second"))?;
    let offset =
        FixedOffset::east_opt(offset_secs).ok_or_else(|| out_of_range(s, "time zone offset"))?;
    let instant = offset
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| out_of_range(s, "time"))?;
    Ok(Timestamp::fixed(instant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_like_go() {
        let t = parse_rfc3339("2020-01-02T03:04:05.123456789123+02:00").unwrap();
        assert_eq!(t.rfc3339_nano(), "2020-01-02T03:04:05.123456789+02:00");
        let t = parse_rfc3339("2020-01-02T3:04:05Z").unwrap();
        assert_eq!(t.rfc3339_nano(), "2020-01-02T03:04:05Z");
        assert_eq!(
            parse_rfc3339("2020-01-02").unwrap_err(),
            "parsing time \"2020-01-02\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"\" as \"T\""
        );
        assert_eq!(
            parse_rfc3339("nope").unwrap_err(),
            "parsing time \"nope\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"nope\" as \"2006\""
        );
        assert_eq!(
            parse_rfc3339("2020-13-02T03:04:05Z").unwrap_err(),
            "parsing time \"2020-13-02T03:04:05Z\": month out of range"
        );
        assert_eq!(
            parse_rfc3339("2020-02-30T03:04:05Z").unwrap_err(),
            "parsing time \"2020-02-30T03:04:05Z\": day out of range"
        );
        assert!(parse_rfc3339("2020-02-03T03:04:05+00:0\u{e9}").is_err());
        assert!(parse_rfc3339("2020-02-03T03:04:05+\u{e9}:00").is_err());
        assert_eq!(
            parse_rfc3339("2020-02-03T03:04:05Zx").unwrap_err(),
            "parsing time \"2020-02-03T03:04:05Zx\": extra text: \"x\""
        );
    }
}
