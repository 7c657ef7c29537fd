//! Timestamp arithmetic and durations: `ts_unix*`, `ts_round`, `ts_sub`,
//! `ts_add_iso8601`, `ts_sub_iso8601`, `parse_duration` and
//! `parse_duration_iso8601`.

use super::duration::{parse_go, parse_iso};
use super::method;
use super::zone::receiver_text as text;
use super::zone::{add_date, add_nanos, from_nanos_wide, to_timestamp, unix_nanos_wide};
use crate::error::{Error, Result};
use crate::stdlib::{Example, Expect::*, Kind, Param, Spec, Status};
use crate::value::Value;
use crate::vm::Call;

/// Seconds from 0001-01-01 (Go's zero time) to the Unix epoch.
const ZERO_TO_UNIX: i128 = 62_135_596_800;

/// The parameter of `ts_add_iso8601` and `ts_sub_iso8601`.
const ISO_PARAMS: &[Param] =
    &[Param::req("duration", Kind::Str).doc("An ISO-8601 duration such as `P1Y2M3DT4H`.")];

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        examples: &[
            Example {
                mapping: r#"root.created_at_unix = this.created_at.ts_unix()"#,
                cases: &[(
                    r#"{"created_at":"2009-11-10T23:00:00Z"}"#,
                    Out(r#"{"created_at_unix":1257894000}"#),
                )],
            },
            Example {
                mapping: r#"root.timestamp = this.ts.ts_unix()"#,
                cases: &[(r#"{"ts":1257894000}"#, Out(r#"{"timestamp":1257894000}"#))],
            },
        ],
        ..method(
            "ts_unix",
            Status::Beta,
            "Returns the timestamp as whole seconds since the Unix epoch.",
            ts_unix,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.created_at_unix = this.created_at.ts_unix_milli()"#,
                cases: &[(
                    r#"{"created_at":"2009-11-10T23:00:00Z"}"#,
                    Out(r#"{"created_at_unix":1257894000000}"#),
                )],
            },
            Example {
                mapping: r#"root.js_timestamp = this.event_time.ts_unix_milli()"#,
                cases: &[(
                    r#"{"event_time":"2020-08-14T11:45:26.123Z"}"#,
                    Out(r#"{"js_timestamp":1597405526123}"#),
                )],
            },
        ],
        ..method(
            "ts_unix_milli",
            Status::Beta,
            "Returns the timestamp as milliseconds since the Unix epoch.",
            ts_unix_milli,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.created_at_unix = this.created_at.ts_unix_micro()"#,
                cases: &[(
                    r#"{"created_at":"2009-11-10T23:00:00Z"}"#,
                    Out(r#"{"created_at_unix":1257894000000000}"#),
                )],
            },
            Example {
                mapping: r#"root.precise_time = this.timestamp.ts_unix_micro()"#,
                cases: &[(
                    r#"{"timestamp":"2020-08-14T11:45:26.123456Z"}"#,
                    Out(r#"{"precise_time":1597405526123456}"#),
                )],
            },
        ],
        ..method(
            "ts_unix_micro",
            Status::Beta,
            "Returns the timestamp as microseconds since the Unix epoch.",
            ts_unix_micro,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.created_at_unix = this.created_at.ts_unix_nano()"#,
                cases: &[(
                    r#"{"created_at":"2009-11-10T23:00:00Z"}"#,
                    Out(r#"{"created_at_unix":1257894000000000000}"#),
                )],
            },
            Example {
                mapping: r#"root.precise_time = this.timestamp.ts_unix_nano()"#,
                cases: &[(
                    r#"{"timestamp":"2020-08-14T11:45:26.123456789Z"}"#,
                    Out(r#"{"precise_time":1597405526123456789}"#),
                )],
            },
        ],
        ..method(
            "ts_unix_nano",
            Status::Beta,
            "Returns the timestamp as nanoseconds since the Unix epoch.",
            ts_unix_nano,
        )
    },
    Spec {
        params: &[Param::req("duration", Kind::Int).doc("The step to round to, in nanoseconds.")],
        examples: &[
            Example {
                mapping: r#"root.created_at_hour = this.created_at.ts_round("1h".parse_duration())"#,
                cases: &[(
                    r#"{"created_at":"2020-08-14T05:54:23Z"}"#,
                    Out(r#"{"created_at_hour":"2020-08-14T06:00:00Z"}"#),
                )],
            },
            Example {
                mapping: r#"root.created_at_minute = this.created_at.ts_round("1m".parse_duration())"#,
                cases: &[(
                    r#"{"created_at":"2020-08-14T05:54:23Z"}"#,
                    Out(r#"{"created_at_minute":"2020-08-14T05:54:00Z"}"#),
                )],
            },
        ],
        ..method(
            "ts_round",
            Status::Beta,
            "Rounds a timestamp to the nearest multiple of a duration, halves rounding up.",
            ts_round,
        )
    },
    Spec {
        params: &[Param::req("t2", Kind::Timestamp).doc("The timestamp to subtract.")],
        examples: &[
            Example {
                mapping: r#"root.between = this.started_at.ts_sub("2020-08-14T05:54:23Z")"#,
                cases: &[(
                    r#"{"started_at":"2020-08-13T05:54:23Z"}"#,
                    Out(r#"{"between":-86400000000000}"#),
                )],
            },
            Example {
                mapping: r#"root.duration_ns = this.end_time.ts_sub(this.start_time)"#,
                cases: &[(
                    r#"{"start_time":"2020-08-14T10:00:00Z","end_time":"2020-08-14T11:30:00Z"}"#,
                    Out(r#"{"duration_ns":5400000000000}"#),
                )],
            },
        ],
        ..method(
            "ts_sub",
            Status::Beta,
            "Returns the nanoseconds from another timestamp to this one (negative when it is later).",
            ts_sub,
        )
    },
    Spec {
        params: ISO_PARAMS,
        examples: &[
            Example {
                mapping: r#"root.next_year = this.created_at.ts_add_iso8601("P1Y")"#,
                cases: &[(
                    r#"{"created_at":"2020-08-14T05:54:23Z"}"#,
                    Out(r#"{"next_year":"2021-08-14T05:54:23Z"}"#),
                )],
            },
            Example {
                mapping: r#"root.future_date = this.created_at.ts_add_iso8601("P1Y2M3DT4H5M6S")"#,
                cases: &[(
                    r#"{"created_at":"2020-01-01T00:00:00Z"}"#,
                    Out(r#"{"future_date":"2021-03-04T04:05:06Z"}"#),
                )],
            },
        ],
        compile: Some(check_iso),
        ..method(
            "ts_add_iso8601",
            Status::Beta,
            "Adds an ISO-8601 duration to a timestamp, counting years, months and days on the calendar.",
            ts_add_iso8601,
        )
    },
    Spec {
        params: ISO_PARAMS,
        examples: &[
            Example {
                mapping: r#"root.last_year = this.created_at.ts_sub_iso8601("P1Y")"#,
                cases: &[(
                    r#"{"created_at":"2020-08-14T05:54:23Z"}"#,
                    Out(r#"{"last_year":"2019-08-14T05:54:23Z"}"#),
                )],
            },
            Example {
                mapping: r#"root.past_date = this.created_at.ts_sub_iso8601("P1Y2M3DT4H5M6S")"#,
                cases: &[(
                    r#"{"created_at":"2021-03-04T04:05:06Z"}"#,
                    Out(r#"{"past_date":"2020-01-01T00:00:00Z"}"#),
                )],
            },
        ],
        compile: Some(check_iso),
        ..method(
            "ts_sub_iso8601",
            Status::Beta,
            "Subtracts an ISO-8601 duration from a timestamp, counting years, months and days on the calendar.",
            ts_sub_iso8601,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.delay_for_ns = this.delay_for.parse_duration()"#,
                cases: &[
                    (r#"{"delay_for":"50us"}"#, Out(r#"{"delay_for_ns":50000}"#)),
                    (
                        r#"{"delay_for":"50"}"#,
                        Fails(r#"time: missing unit in duration "50""#),
                    ),
                ],
            },
            Example {
                mapping: r#"root.delay_for_s = this.delay_for.parse_duration() / 1000000000"#,
                cases: &[(r#"{"delay_for":"2h"}"#, Out(r#"{"delay_for_s":7200}"#))],
            },
        ],
        ..method(
            "parse_duration",
            Status::Stable,
            "Parses Go duration text (`300ms`, `-1.5h`, `2h45m`; units ns, us/µs, ms, s, m, h) into nanoseconds.",
            parse_duration,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.delay_for_ns = this.delay_for.parse_duration_iso8601()"#,
                cases: &[(
                    r#"{"delay_for":"P3Y6M4DT12H30M5S"}"#,
                    Out(r#"{"delay_for_ns":110839937000000000}"#),
                )],
            },
            Example {
                mapping: r#"root.delay_for_s = this.delay_for.parse_duration_iso8601() / 1000000000"#,
                cases: &[
                    (r#"{"delay_for":"PT2H"}"#, Out(r#"{"delay_for_s":7200}"#)),
                    (r#"{"delay_for":"PT2.5S"}"#, Out(r#"{"delay_for_s":2.5}"#)),
                ],
            },
        ],
        ..method(
            "parse_duration_iso8601",
            Status::Beta,
            "Parses an ISO-8601 duration into nanoseconds; a year counts 365.2425 days and a month a twelfth of that.",
            parse_duration_iso8601,
        )
    },
];

/// Whole seconds since the epoch.
pub fn ts_unix(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::Int(to_timestamp(&v)?.unix()))
}

/// Milliseconds since the epoch.
pub fn ts_unix_milli(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::Int(scaled(&v, 1_000_000)?))
}

/// Microseconds since the epoch.
pub fn ts_unix_micro(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::Int(scaled(&v, 1_000)?))
}

/// Nanoseconds since the epoch (wrapping outside ±292 years, as Go does).
pub fn ts_unix_nano(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::Int(scaled(&v, 1)?))
}

/// The epoch time in units of `per` nanoseconds, floored.
fn scaled(v: &Value, per: i128) -> Result<i64> {
    let t = to_timestamp(v)?;
    Ok(unix_nanos_wide(&t).div_euclid(per) as i64)
}

fn ts_round(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let t = to_timestamp(&v)?;
    let d = i128::from(call.int(0));
    if d <= 0 {
        return Ok(Value::timestamp(t));
    }
    let since_zero = unix_nanos_wide(&t) + ZERO_TO_UNIX * 1_000_000_000;
    let r = since_zero.rem_euclid(d);
    let delta = if r + r < d { -r } else { d - r };
    Ok(Value::timestamp(from_nanos_wide(
        &t,
        unix_nanos_wide(&t) + delta,
    )?))
}

fn ts_sub(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let t = to_timestamp(&v)?;
    let t2 = to_timestamp(call.arg(0)).map_err(|e| {
        Error::msg(format!(
            "method 'ts_sub': failed to extract input arg 't2': {}",
            e.message()
        ))
    })?;
    let diff = unix_nanos_wide(&t) - unix_nanos_wide(&t2);
    Ok(Value::Int(
        diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
    ))
}

fn shift(call: &Call<'_, '_>, v: &Value, negate: bool) -> Result<Value> {
    let mut p = parse_iso(call.str(0))?;
    if negate {
        p = p.negate();
    }
    let t = to_timestamp(v)?;
    let t = match p.calendar_step() {
        Some((y, m, d, clock)) => add_nanos(&add_date(&t, y, m, d)?, clock)?,
        None => add_nanos(&t, p.nanos())?,
    };
    Ok(Value::timestamp(t))
}

fn ts_add_iso8601(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    shift(call, &v, false)
}

fn ts_sub_iso8601(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    shift(call, &v, true)
}

fn parse_duration(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::Int(parse_go(&text(&v)?)?))
}

fn parse_duration_iso8601(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::Int(parse_iso(&text(&v)?)?.nanos()))
}

/// Rejects a malformed literal ISO-8601 duration at compile time.
fn check_iso(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    if let Some(Some(Value::Str(s))) = args.first()
        && let Err(e) = parse_iso(s.as_str())
    {
        return Err(e.message());
    }
    Ok(None)
}
