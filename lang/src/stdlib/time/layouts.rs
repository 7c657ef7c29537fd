//! Parsing and formatting timestamps: `ts_parse`, `ts_format`,
//! `ts_strptime`, `ts_strftime` and `ts_tz`.

use super::zone::receiver_text as text;
use super::zone::{Location, in_location, load_location, to_timestamp};
use super::{golayout, method, strftime};
use crate::error::{Error, Result};
use crate::stdlib::{Default, Example, Expect::*, Kind, Param, Spec, Status};
use crate::value::Value;
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        params: &[Param::req("format", Kind::Str)
            .doc("A Go reference-time layout (`Mon Jan 2 15:04:05 -0700 MST 2006`).")],
        examples: &[
            Example {
                mapping: r#"root.doc.timestamp = this.doc.timestamp.ts_parse("2006-Jan-02")"#,
                cases: &[(
                    r#"{"doc":{"timestamp":"2020-Aug-14"}}"#,
                    Out(r#"{"doc":{"timestamp":"2020-08-14T00:00:00Z"}}"#),
                )],
            },
            Example {
                mapping: r#"root.parsed = this.timestamp.ts_parse("Jan 2, 2006 at 3:04pm (MST)")"#,
                cases: &[
                    (
                        r#"{"timestamp":"Aug 14, 2020 at 5:54am (UTC)"}"#,
                        Out(r#"{"parsed":"2020-08-14T05:54:00Z"}"#),
                    ),
                    (
                        r#"{"timestamp":"Aug 14, 2020"}"#,
                        Fails(
                            r#"parsing time "Aug 14, 2020" as "Jan 2, 2006 at 3:04pm (MST)": cannot parse "" as " at ""#,
                        ),
                    ),
                ],
            },
            Example {
                mapping: r#"root.t = this.ts_parse("2006-01-02 15:04:05.000 -0700")"#,
                cases: &[
                    (
                        r#""2022-06-06 10:11:12.130 +0200""#,
                        Out(r#"{"t":"2022-06-06T10:11:12.13+02:00"}"#),
                    ),
                    (
                        r#""2022-06-31 10:11:12.130 +0200""#,
                        Fails(r#"parsing time "2022-06-31 10:11:12.130 +0200": day out of range"#),
                    ),
                ],
            },
        ],
        ..method(
            "ts_parse",
            Status::Beta,
            "Parses a string into a timestamp using a Go reference-time layout; text without a zone reads as UTC.",
            ts_parse,
        )
    },
    Spec {
        params: &[
            Param::with("format", Kind::Str, Default::Str(golayout::RFC3339_NANO))
                .doc("A Go reference-time layout."),
            Param::opt("tz", Kind::Str)
                .doc("A zone to show the time in (`UTC`, `Local` or an IANA name)."),
        ],
        examples: &[
            Example {
                mapping: r#"root.something_at = this.created_at.ts_format("2006-Jan-02 15:04:05")"#,
                cases: &[(
                    r#"{"created_at":"2020-08-14T11:50:26.371Z"}"#,
                    Out(r#"{"something_at":"2020-Aug-14 11:50:26"}"#),
                )],
            },
            Example {
                mapping: r#"root.something_at = this.created_at.ts_format(format: "2006-Jan-02 15:04:05", tz: "UTC")"#,
                cases: &[(
                    r#"{"created_at":1597405526}"#,
                    Out(r#"{"something_at":"2020-Aug-14 11:45:26"}"#),
                )],
            },
            Example {
                mapping: r#"root.a = this.t.ts_format("Mon Jan 2 15:04:05 -0700 MST 2006", "America/New_York")"#,
                cases: &[
                    (
                        r#"{"t":"2021-02-03T16:05:06.5+01:00"}"#,
                        Out(r#"{"a":"Wed Feb 3 10:05:06 -0500 EST 2021"}"#),
                    ),
                    (
                        r#"{"t":true}"#,
                        Fails("expected number or string value, got bool (true)"),
                    ),
                ],
            },
        ],
        compile: Some(check_tz_second),
        ..method(
            "ts_format",
            Status::Beta,
            "Formats a timestamp (or RFC3339 string, or unix seconds) as text using a Go reference-time layout.",
            ts_format,
        )
    },
    Spec {
        params: &[
            Param::req("format", Kind::Str).doc("strftime directives; `%f` reads microseconds.")
        ],
        examples: &[
            Example {
                mapping: r#"root.doc.timestamp = this.doc.timestamp.ts_strptime("%Y-%b-%d")"#,
                cases: &[(
                    r#"{"doc":{"timestamp":"2020-Aug-14"}}"#,
                    Out(r#"{"doc":{"timestamp":"2020-08-14T00:00:00Z"}}"#),
                )],
            },
            Example {
                mapping: r#"root.doc.timestamp = this.doc.timestamp.ts_strptime("%Y-%b-%d %H:%M:%S.%f")"#,
                cases: &[(
                    r#"{"doc":{"timestamp":"2020-Aug-14 11:50:26.371000"}}"#,
                    Out(r#"{"doc":{"timestamp":"2020-08-14T11:50:26.371Z"}}"#),
                )],
            },
        ],
        ..method(
            "ts_strptime",
            Status::Beta,
            "Parses a string into a timestamp using strftime directives; text without a zone reads as UTC.",
            ts_strptime,
        )
    },
    Spec {
        params: &[
            Param::req("format", Kind::Str).doc("strftime directives; `%f` prints microseconds."),
            Param::opt("tz", Kind::Str)
                .doc("A zone to show the time in (`UTC`, `Local` or an IANA name)."),
        ],
        examples: &[
            Example {
                mapping: r#"root.something_at = this.created_at.ts_strftime("%Y-%b-%d %H:%M:%S")"#,
                cases: &[(
                    r#"{"created_at":"2020-08-14T11:50:26.371Z"}"#,
                    Out(r#"{"something_at":"2020-Aug-14 11:50:26"}"#),
                )],
            },
            Example {
                mapping: r#"root.something_at = this.created_at.ts_strftime("%Y-%b-%d %H:%M:%S.%f", "UTC")"#,
                cases: &[(
                    r#"{"created_at":"2020-08-14T11:50:26.371Z"}"#,
                    Out(r#"{"something_at":"2020-Aug-14 11:50:26.371000"}"#),
                )],
            },
        ],
        compile: Some(check_tz_second),
        ..method(
            "ts_strftime",
            Status::Beta,
            "Formats a timestamp (or RFC3339 string, or unix seconds) as text using strftime directives.",
            ts_strftime,
        )
    },
    Spec {
        params: &[Param::req("tz", Kind::Str)
            .doc("The zone: `UTC`, `Local` or an IANA name such as `Europe/Paris`.")],
        examples: &[
            Example {
                mapping: r#"root.created_at_utc = this.created_at.ts_tz("UTC")"#,
                cases: &[(
                    r#"{"created_at":"2021-02-03T17:05:06+01:00"}"#,
                    Out(r#"{"created_at_utc":"2021-02-03T16:05:06Z"}"#),
                )],
            },
            Example {
                mapping: r#"root.created_at_ny = this.created_at.ts_tz("America/New_York")"#,
                cases: &[(
                    r#"{"created_at":"2021-02-03T16:05:06Z"}"#,
                    Out(r#"{"created_at_ny":"2021-02-03T11:05:06-05:00"}"#),
                )],
            },
            Example {
                mapping: r#"root.a = this.t.ts_tz(this.zone)"#,
                cases: &[(
                    r#"{"t":"2021-02-03T16:05:06Z","zone":"Nowhere/Land"}"#,
                    Fails("failed to parse timezone location name: unknown time zone Nowhere/Land"),
                )],
            },
        ],
        compile: Some(check_tz_first),
        ..method(
            "ts_tz",
            Status::Beta,
            "Returns the same instant shown in another time zone.",
            ts_tz,
        )
    },
];

/// Reads an optional `tz` argument.
pub fn tz_arg(call: &Call<'_, '_>, i: usize) -> Result<Option<Location>> {
    match call.opt_str(i) {
        None => Ok(None),
        Some(name) => load_location(name).map(Some).map_err(|e| {
            Error::msg(format!(
                "failed to parse timezone location name: {}",
                e.message()
            ))
        }),
    }
}

/// `ts_parse`'s work, shared with the deprecated alias.
pub fn parse_layout(call: &Call<'_, '_>, v: &Value) -> Result<crate::value::Timestamp> {
    let s = text(v)?;
    golayout::parse(call.str(0), s.as_bytes())
}

/// `ts_strptime`'s work, shared with the deprecated alias.
pub fn parse_strftime(call: &Call<'_, '_>, v: &Value) -> Result<crate::value::Timestamp> {
    let s = text(v)?;
    strftime::parse(&s, call.str(0))
}

fn ts_parse(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    parse_layout(call, &v).map(Value::timestamp)
}

fn ts_strptime(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    parse_strftime(call, &v).map(Value::timestamp)
}

/// Formats with a Go layout (argument 0) in an optional zone (argument 1).
pub fn ts_format(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let zone = tz_arg(call, 1)?;
    let mut t = to_timestamp(&v)?;
    if let Some(loc) = zone {
        t = in_location(&t, loc);
    }
    let layout = if call.given(0) {
        call.str(0)
    } else {
        golayout::RFC3339_NANO
    };
    Ok(Value::from(golayout::format(&t, layout)))
}

/// Formats with strftime directives (argument 0) in an optional zone
/// (argument 1).
pub fn ts_strftime(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let zone = tz_arg(call, 1)?;
    let mut t = to_timestamp(&v)?;
    if let Some(loc) = zone {
        t = in_location(&t, loc);
    }
    Ok(Value::from(strftime::format(&t, call.str(0))))
}

fn ts_tz(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let Some(loc) = tz_arg(call, 0)? else {
        return Err(Error::msg("missing tz"));
    };
    let t = to_timestamp(&v)?;
    Ok(Value::timestamp(in_location(&t, loc)))
}

fn check_tz(args: &[Option<&Value>], i: usize) -> std::result::Result<Option<Value>, String> {
    if let Some(Some(Value::Str(name))) = args.get(i)
        && let Err(e) = load_location(name.as_str())
    {
        return Err(format!(
            "failed to parse timezone location name: {}",
            e.message()
        ));
    }
    Ok(None)
}

/// Rejects an unknown literal zone name as the first argument at compile time.
pub fn check_tz_first(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    check_tz(args, 0)
}

/// Rejects an unknown literal zone name as the second argument at compile time.
pub fn check_tz_second(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    check_tz(args, 1)
}
