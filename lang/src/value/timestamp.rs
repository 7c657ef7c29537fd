//! Timestamps: an instant with the zone it is shown in.

use chrono::{DateTime, FixedOffset, Offset, SecondsFormat, TimeZone, Utc};

/// An instant in time together with the zone it is displayed in.
#[derive(Debug, Clone, PartialEq)]
pub struct Timestamp {
    /// The instant, carrying the display offset.
    pub instant: DateTime<FixedOffset>,
    /// The named zone, when one was given (`ts_tz("Europe/Berlin")`).
    pub zone: Option<chrono_tz::Tz>,
}

impl Timestamp {
    /// A timestamp in UTC.
    pub fn utc(t: DateTime<Utc>) -> Timestamp {
        Timestamp {
            instant: t.fixed_offset(),
            zone: None,
        }
    }

    /// A timestamp with a fixed offset.
    pub fn fixed(t: DateTime<FixedOffset>) -> Timestamp {
        Timestamp {
            instant: t,
            zone: None,
        }
    }

    /// The same instant shown in the named zone.
    pub fn in_zone(t: DateTime<Utc>, tz: chrono_tz::Tz) -> Timestamp {
        let local = tz.from_utc_datetime(&t.naive_utc());
        let offset = local.offset().fix();
        Timestamp {
            instant: t.with_timezone(&offset),
            zone: Some(tz),
        }
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.instant.timestamp()
    }

    /// Nanoseconds since the Unix epoch (saturating outside ±292 years).
    pub fn unix_nanos(&self) -> i64 {
        self.instant
            .timestamp_nanos_opt()
            .unwrap_or(if self.instant.timestamp() < 0 {
                i64::MIN
            } else {
                i64::MAX
            })
    }

    /// Go's RFC3339Nano rendering: fractional seconds without trailing
    /// zeros, `Z` for a zero offset.
    pub fn rfc3339_nano(&self) -> String {
        let zero_offset = self.instant.offset().local_minus_utc() == 0;
        self.instant
            .to_rfc3339_opts(SecondsFormat::AutoSi, zero_offset)
            .replace_auto_frac()
    }
}

/// chrono's `AutoSi` picks 3, 6 or 9 fraction digits; Go trims every
/// trailing zero.
trait TrimFraction {
    fn replace_auto_frac(self) -> String;
}

impl TrimFraction for String {
    fn replace_auto_frac(self) -> String {
        let Some(dot) = self.find('.') else {
            return self;
        };
        let frac_end = self[dot + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(self.len(), |i| dot + 1 + i);
        let frac = self[dot + 1..frac_end].trim_end_matches('0');
        if frac.is_empty() {
            format!("{}{}", &self[..dot], &self[frac_end..])
        } else {
            format!("{}.{frac}{}", &self[..dot], &self[frac_end..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_nano() {
        let t = DateTime::parse_from_rfc3339("2020-01-02T03:04:05.120Z").unwrap();
        assert_eq!(
            Timestamp::fixed(t).rfc3339_nano(),
            "2020-01-02T03:04:05.12Z"
        );
        let t = DateTime::parse_from_rfc3339("2020-01-02T03:04:05+02:00").unwrap();
        assert_eq!(
            Timestamp::fixed(t).rfc3339_nano(),
            "2020-01-02T03:04:05+02:00"
        );
        let t = DateTime::parse_from_rfc3339("2020-01-02T03:04:05.000000001-07:30").unwrap();
        assert_eq!(
            Timestamp::fixed(t).rfc3339_nano(),
            "2020-01-02T03:04:05.000000001-07:30"
        );
    }
}
