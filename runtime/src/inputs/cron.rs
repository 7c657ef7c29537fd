//! Cron schedules for the `generate` input's `interval`: five fields
//! (minute, hour, day of month, month, day of week) with `*`, lists,
//! ranges and `/step`, or the descriptors `@yearly`, `@monthly`,
//! `@weekly`, `@daily`, `@hourly`. Times are the machine's local time.

use chrono::{DateTime, Datelike, Duration, Local, Timelike};

/// A parsed schedule: the allowed values of each field as bit sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    /// Both day fields restricted: a day matches when either does (as cron does).
    either_day: bool,
}

fn bits(lo: u32, hi: u32, step: u32) -> u64 {
    (lo..=hi)
        .step_by(step.max(1) as usize)
        .fold(0, |acc, v| acc | (1u64 << v))
}

/// Parses one field whose values lie in `min..=max`.
fn field(text: &str, min: u32, max: u32) -> Result<u64, String> {
    let mut set = 0;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("bad step in `{part}`"))?,
            ),
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let a = a.parse().map_err(|_| format!("bad number in `{part}`"))?;
            let b = b.parse().map_err(|_| format!("bad number in `{part}`"))?;
            (a, b)
        } else {
            let v = range
                .parse()
                .map_err(|_| format!("bad number in `{part}`"))?;
            (v, if step > 1 { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("`{part}` is outside {min}-{max}"));
        }
        set |= bits(lo, hi, step);
    }
    Ok(set)
}

impl Cron {
    /// Parses a schedule, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<Cron, String> {
        let expanded = match text.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [m, h, dom, mon, dow] = fields.as_slice() else {
            return Err(format!("`{text}` is not a cron schedule of five fields"));
        };
        let mut weekdays = field(dow, 0, 7)?;
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1; // 7 is Sunday too
        }
        Ok(Cron {
            minutes: field(m, 0, 59)?,
            hours: field(h, 0, 23)?,
            days: field(dom, 1, 31)?,
            months: field(mon, 1, 12)?,
            weekdays,
            either_day: *dom != "*" && *dow != "*",
        })
    }

    fn matches(&self, t: &DateTime<Local>) -> bool {
        let has = |set: u64, v: u32| set & (1u64 << v) != 0;
        let day = has(self.days, t.day());
        let weekday = has(self.weekdays, t.weekday().num_days_from_sunday());
        let day_ok = if self.either_day {
            day || weekday
        } else {
            day && weekday
        };
        has(self.minutes, t.minute())
            && has(self.hours, t.hour())
            && has(self.months, t.month())
            && day_ok
    }

    /// The first minute after `after` the schedule fires, looking up to
    /// five years ahead.
    pub fn next_after(&self, after: DateTime<Local>) -> Option<DateTime<Local>> {
        let start = after.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let mut t = start;
        for _ in 0..(5 * 366 * 24 * 60) {
            if self.matches(&t) {
                return Some(t);
            }
            t += Duration::minutes(1);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Local> {
        Local
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("a local time")
    }

    #[test]
    fn next_fire_times() {
        let every_5 = Cron::parse("*/5 * * * *").expect("parses");
        assert_eq!(
            every_5.next_after(at(2024, 5, 1, 10, 2)),
            Some(at(2024, 5, 1, 10, 5))
        );
        let hourly = Cron::parse("@hourly").expect("parses");
        assert_eq!(
            hourly.next_after(at(2024, 5, 1, 10, 0)),
            Some(at(2024, 5, 1, 11, 0))
        );
        let weekdays = Cron::parse("30 9 * * 1-5").expect("parses");
        // 2024-05-04 is a Saturday: the next weekday 09:30 is Monday the 6th.
        assert_eq!(
            weekdays.next_after(at(2024, 5, 4, 12, 0)),
            Some(at(2024, 5, 6, 9, 30))
        );
    }

    #[test]
    fn bad_schedules_are_refused() {
        for bad in [
            "",
            "* * * *",
            "61 * * * *",
            "*/0 * * * *",
            "a * * * *",
            "5-1 * * * *",
        ] {
            assert!(Cron::parse(bad).is_err(), "{bad}");
        }
    }
}
