//! Deprecated spellings of the timestamp methods.

use super::arith::{ts_unix, ts_unix_micro, ts_unix_milli, ts_unix_nano};
use super::golayout::RFC3339_NANO;
use super::layouts::{check_tz_second, parse_layout, parse_strftime, ts_format, ts_strftime};
use super::method;
use crate::error::Result;
use crate::stdlib::{Default, Example, Expect::*, Kind, Param, Spec, Status};
use crate::value::Value;
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        params: &[Param::req("format", Kind::Str).doc("A Go reference-time layout.")],
        examples: &[Example {
            mapping: r#"root.t = this.t.parse_timestamp("2006-Jan-02")"#,
            cases: &[(
                r#"{"t":"2020-Aug-14"}"#,
                Out(r#"{"t":"2020-08-14T00:00:00Z"}"#),
            )],
        }],
        ..method(
            "parse_timestamp",
            Status::Deprecated,
            "Parses a string with a Go reference-time layout and returns it as RFC3339 text; use `ts_parse`.",
            parse_timestamp,
        )
    },
    Spec {
        params: &[Param::req("format", Kind::Str).doc("strftime directives.")],
        examples: &[Example {
            mapping: r#"root.t = this.t.parse_timestamp_strptime("%Y-%b-%d")"#,
            cases: &[(
                r#"{"t":"2020-Aug-14"}"#,
                Out(r#"{"t":"2020-08-14T00:00:00Z"}"#),
            )],
        }],
        ..method(
            "parse_timestamp_strptime",
            Status::Deprecated,
            "Parses a string with strftime directives and returns it as RFC3339 text; use `ts_strptime`.",
            parse_timestamp_strptime,
        )
    },
    Spec {
        params: &[
            Param::with("format", Kind::Str, Default::Str(RFC3339_NANO))
                .doc("A Go reference-time layout."),
            Param::opt("tz", Kind::Str).doc("A zone to show the time in."),
        ],
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp("2006-Jan-02 15:04:05", "UTC")"#,
            cases: &[(
                r#"{"t":1597405526}"#,
                Out(r#"{"t":"2020-Aug-14 11:45:26"}"#),
            )],
        }],
        compile: Some(check_tz_second),
        ..method(
            "format_timestamp",
            Status::Deprecated,
            "Formats a timestamp with a Go reference-time layout; use `ts_format`.",
            ts_format,
        )
    },
    Spec {
        params: &[
            Param::req("format", Kind::Str).doc("strftime directives."),
            Param::opt("tz", Kind::Str).doc("A zone to show the time in."),
        ],
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_strftime("%Y-%b-%d %H:%M:%S", "UTC")"#,
            cases: &[(
                r#"{"t":1597405526}"#,
                Out(r#"{"t":"2020-Aug-14 11:45:26"}"#),
            )],
        }],
        compile: Some(check_tz_second),
        ..method(
            "format_timestamp_strftime",
            Status::Deprecated,
            "Formats a timestamp with strftime directives; use `ts_strftime`.",
            ts_strftime,
        )
    },
    Spec {
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_unix()"#,
            cases: &[(
                r#"{"t":"2009-11-10T23:00:00Z"}"#,
                Out(r#"{"t":1257894000}"#),
            )],
        }],
        ..method(
            "format_timestamp_unix",
            Status::Deprecated,
            "Returns a timestamp as seconds since the Unix epoch; use `ts_unix`.",
            ts_unix,
        )
    },
    Spec {
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_unix_milli()"#,
            cases: &[(
                r#"{"t":"2009-11-10T23:00:00.5Z"}"#,
                Out(r#"{"t":1257894000500}"#),
            )],
        }],
        ..method(
            "format_timestamp_unix_milli",
            Status::Deprecated,
            "Returns a timestamp as milliseconds since the Unix epoch; use `ts_unix_milli`.",
            ts_unix_milli,
        )
    },
    Spec {
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_unix_micro()"#,
            cases: &[(
                r#"{"t":"2009-11-10T23:00:00.5Z"}"#,
                Out(r#"{"t":1257894000500000}"#),
            )],
        }],
        ..method(
            "format_timestamp_unix_micro",
            Status::Deprecated,
            "Returns a timestamp as microseconds since the Unix epoch; use `ts_unix_micro`.",
            ts_unix_micro,
        )
    },
    Spec {
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_unix_nano()"#,
            cases: &[(
                r#"{"t":"2009-11-10T23:00:00.5Z"}"#,
                Out(r#"{"t":1257894000500000000}"#),
            )],
        }],
        ..method(
            "format_timestamp_unix_nano",
            Status::Deprecated,
            "Returns a timestamp as nanoseconds since the Unix epoch; use `ts_unix_nano`.",
            ts_unix_nano,
        )
    },
];

fn parse_timestamp(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::from(parse_layout(call, &v)?.rfc3339_nano()))
}

fn parse_timestamp_strptime(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::from(parse_strftime(call, &v)?.rfc3339_nano()))
}
