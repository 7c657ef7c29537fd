//! Shared timestamp plumbing for the time family: the local zone, zone
//! names, turning receivers into timestamps, the broken-down wall clock
//! and Go-style calendar arithmetic.

use crate::error::{Error, Result};
use crate::value::{Num, Timestamp, Value};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone,
    Timelike, Utc,
};
use chrono_tz::{OffsetName, Tz};
use std::sync::OnceLock;

use super::golayout;

/// A zone a timestamp can be moved into: `None` is UTC.
pub type Location = Option<Tz>;

/// The process's local zone, found the way Go finds it: `TZ`, else the
/// target of `/etc/localtime`, else UTC. `None` means UTC.
pub fn local_zone() -> Location {
    static LOCAL: OnceLock<Location> = OnceLock::new();
    *LOCAL.get_or_init(find_local_zone)
}

fn find_local_zone() -> Location {
    match std::env::var("TZ") {
        Ok(name) => {
            let name = name.strip_prefix(':').unwrap_or(&name);
            if name.is_empty() || name == "UTC" {
                return None;
            }
            name.parse::<Tz>().ok()
        }
        Err(_) => {
            let link = std::fs::read_link("/etc/localtime").ok()?;
            let text = link.to_string_lossy();
            let (_, name) = text.split_once("zoneinfo/")?;
            name.parse::<Tz>().ok()
        }
    }
}

/// Go's `time.LoadLocation`: `""` and `UTC` are UTC, `Local` the local
/// zone, anything else an IANA name.
pub fn load_location(name: &str) -> Result<Location> {
    match name {
        "" | "UTC" => Ok(None),
        "Local" => Ok(local_zone()),
        _ => name
            .parse::<Tz>()
            .map(Some)
            .map_err(|_| Error::msg(format!("unknown time zone {name}"))),
    }
}

/// The same instant shown in `loc`.
pub fn in_location(t: &Timestamp, loc: Location) -> Timestamp {
    let utc = t.instant.with_timezone(&Utc);
    match loc {
        None => Timestamp::utc(utc),
        Some(tz) => Timestamp::in_zone(utc, tz),
    }
}

/// An instant shown in the local zone (what Go's `time.Unix` returns).
pub fn local_timestamp(utc: DateTime<Utc>) -> Timestamp {
    match local_zone() {
        None => Timestamp::utc(utc),
        Some(tz) => Timestamp::in_zone(utc, tz),
    }
}

/// An instant in the same zone as `like` (a named zone is kept, a fixed
/// offset stays fixed).
pub fn same_zone(like: &Timestamp, utc: DateTime<Utc>) -> Timestamp {
    match like.zone {
        Some(tz) => Timestamp::in_zone(utc, tz),
        None => Timestamp::fixed(utc.with_timezone(like.instant.offset())),
    }
}

/// The instant `secs` seconds plus `nanos` nanoseconds after the epoch
/// (either may be negative), in the local zone.
pub fn from_unix(secs: i64, nanos: i64) -> Result<Timestamp> {
    let total = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    let s = total.div_euclid(1_000_000_000);
    let n = total.rem_euclid(1_000_000_000);
    let utc = i64::try_from(s)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, u32::try_from(n).unwrap_or(0)))
        .ok_or_else(|| Error::msg("timestamp out of range"))?;
    Ok(local_timestamp(utc))
}

fn from_float(f: f64) -> Result<Timestamp> {
    if !f.is_finite() || f.abs() > 9.2e18 {
        return Err(Error::msg("timestamp out of range"));
    }
    let whole = f.trunc();
    from_unix(whole as i64, ((f - whole) * 1e9) as i64)
}

/// Reads a timestamp-like value as upstream does: timestamps as they are,
/// numbers as unix seconds (fractions are sub-second) in the local zone,
/// strings and bytes as RFC3339 text.
pub fn to_timestamp(v: &Value) -> Result<Timestamp> {
    match v {
        Value::Timestamp(t) => Ok((**t).clone()),
        Value::Str(_) | Value::Bytes(_) => {
            let text = v.as_bytes().unwrap_or_default();
            golayout::parse(golayout::RFC3339_NANO, text)
        }
        other => match other.num() {
            Some(Num::Int(i)) => from_unix(i, 0),
            Some(Num::UInt(u)) => from_unix(u as i64, 0),
            Some(Num::Float(f)) => from_float(f),
            None => Err(Error::type_mismatch("number or string", other)),
        },
    }
}

/// The wall clock of a timestamp in its own zone.
#[derive(Debug, Clone)]
pub struct Civil {
    /// Year (may be negative).
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Day of the year, 1–366.
    pub yday: u32,
    /// Day of the week, 0 = Sunday.
    pub weekday: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second.
    pub second: u32,
    /// Nanosecond of the second.
    pub nanos: u32,
    /// Offset east of UTC in seconds.
    pub offset: i32,
    /// Zone abbreviation; empty when the zone has no name (a bare offset).
    pub abbr: String,
}

/// Breaks a timestamp down into its wall clock.
pub fn civil(t: &Timestamp) -> Civil {
    let local = t.instant.naive_local();
    let offset = t.instant.offset().local_minus_utc();
    let abbr = match t.zone {
        Some(tz) => {
            let off = tz.offset_from_utc_datetime(&t.instant.naive_utc());
            match off.abbreviation() {
                Some(a) => a.to_string(),
                None => numeric_abbr(offset),
            }
        }
        None if offset == 0 => "UTC".to_string(),
        None => String::new(),
    };
    Civil {
        year: local.year(),
        month: local.month(),
        day: local.day(),
        yday: local.ordinal(),
        weekday: local.weekday().num_days_from_sunday(),
        hour: local.hour(),
        minute: local.minute(),
        second: local.second(),
        nanos: local.nanosecond() % 1_000_000_000,
        offset,
        abbr,
    }
}

/// How tzdata spells zones without a letter abbreviation: `-03`, `+0530`.
fn numeric_abbr(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let mins = offset.unsigned_abs() / 60;
    if mins.is_multiple_of(60) {
        format!("{sign}{:02}", mins / 60)
    } else {
        format!("{sign}{:02}{:02}", mins / 60, mins % 60)
    }
}

/// A wall-clock time resolved in a zone the way Go's `time.Date` does:
/// look up the offset as if the wall clock were UTC, then correct it once
/// if the instant it gives falls under a different offset. In a gap or an
/// overlap this picks what Go picks.
pub fn resolve_wall(
    wall: NaiveDateTime,
    zone: Option<Tz>,
    fixed: FixedOffset,
) -> Option<Timestamp> {
    match zone {
        Some(tz) => {
            let offset_at = |t: NaiveDateTime| {
                i64::from(tz.offset_from_utc_datetime(&t).fix().local_minus_utc())
            };
            let mut off = offset_at(wall);
            if off != 0 {
                let utc = wall.checked_sub_signed(Duration::seconds(off))?;
                let actual = offset_at(utc);
                if actual != off {
                    off = actual;
                }
            }
            let utc = wall.checked_sub_signed(Duration::seconds(off))?;
            Some(Timestamp::in_zone(Utc.from_utc_datetime(&utc), tz))
        }
        None => fixed
            .from_local_datetime(&wall)
            .single()
            .map(Timestamp::fixed),
    }
}

/// Go's `Time.AddDate`: adds years, months and days to the wall clock and
/// normalises overflowing days (Jan 31 + 1 month = Mar 2 or 3).
pub fn add_date(t: &Timestamp, years: i64, months: i64, days: i64) -> Result<Timestamp> {
    let wall = t.instant.naive_local();
    let total_months = i64::from(wall.year())
        .checked_mul(12)
        .and_then(|m| m.checked_add(i64::from(wall.month0())))
        .and_then(|m| m.checked_add(years.checked_mul(12)?))
        .and_then(|m| m.checked_add(months))
        .ok_or_else(out_of_range)?;
    let year = i32::try_from(total_months.div_euclid(12)).map_err(|_| out_of_range())?;
    let month0 = total_months.rem_euclid(12) as u32;
    let first = NaiveDate::from_ymd_opt(year, month0 + 1, 1).ok_or_else(out_of_range)?;
    let date = first
        .checked_add_signed(
            days.checked_add(i64::from(wall.day()) - 1)
                .and_then(Duration::try_days)
                .ok_or_else(out_of_range)?,
        )
        .ok_or_else(out_of_range)?;
    let wall = date.and_time(wall.time());
    resolve_wall(wall, t.zone, *t.instant.offset()).ok_or_else(out_of_range)
}

/// Adds nanoseconds to a timestamp, keeping its zone.
pub fn add_nanos(t: &Timestamp, nanos: i64) -> Result<Timestamp> {
    let utc = t
        .instant
        .with_timezone(&Utc)
        .checked_add_signed(Duration::nanoseconds(nanos))
        .ok_or_else(out_of_range)?;
    Ok(same_zone(t, utc))
}

fn out_of_range() -> Error {
    Error::msg("timestamp out of range")
}

/// Nanoseconds since the epoch as a wide integer.
pub fn unix_nanos_wide(t: &Timestamp) -> i128 {
    i128::from(t.instant.timestamp()) * 1_000_000_000
        + i128::from(t.instant.timestamp_subsec_nanos() % 1_000_000_000)
}

/// A wide nanosecond count back to a timestamp in the zone of `like`.
pub fn from_nanos_wide(like: &Timestamp, nanos: i128) -> Result<Timestamp> {
    let s = i64::try_from(nanos.div_euclid(1_000_000_000)).map_err(|_| out_of_range())?;
    let n = nanos.rem_euclid(1_000_000_000) as u32;
    let utc = DateTime::from_timestamp(s, n).ok_or_else(out_of_range)?;
    Ok(same_zone(like, utc))
}

/// A string receiver as upstream reads one: strings and bytes as text,
/// timestamps as RFC3339 text.
pub fn receiver_text(v: &Value) -> Result<std::borrow::Cow<'_, str>> {
    match v {
        Value::Timestamp(t) => Ok(std::borrow::Cow::Owned(t.rfc3339_nano())),
        other => crate::stdlib::util::text(other),
    }
}
