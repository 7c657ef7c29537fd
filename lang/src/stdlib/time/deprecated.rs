//! Deprecated spellings of the timestamp methods.

use super::arith::{ts_unix, ts_unix_micro, ts_unix_milli, ts_unix_nano};
use super::golayout::RFC3339_NANO;
use super::layouts::{check_tz_second, parse_layout, parse_strftime, ts_format, ts_strftime};
use crate::error::Result;
use crate::stdlib::{Category, Default, Example, Expect::*, Impl, Kind, Param, Spec, Status};
use crate::value::Value;
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "parse_timestamp",
        params: &[Param::req("format", Kind::Str).doc("A Go reference-time layout.")],
        category: Category::Time,
        status: Status::Deprecated,
        doc: "Parses a string with a Go reference-time layout and returns it as RFC3339 text; use `ts_parse`.",
        examples: &[Example {
            mapping: r#"root.t = this.t.parse_timestamp("2006-Jan-02")"#,
            cases: &[(
                r#"{"t":"2020-Aug-14"}"#,
                Out(r#"{"t":"2020-08-14T00:00:00Z"}"#),
            )],
        }],
        imp: Impl::Method(parse_timestamp),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "parse_timestamp_strptime",
        params: &[Param::req("format", Kind::Str).doc("strftime directives.")],
        category: Category::Time,
        status: Status::Deprecated,
        doc: "Parses a string with strftime directives and returns it as RFC3339 text; use `ts_strptime`.",
        examples: &[Example {
            mapping: r#"root.t = this.t.parse_timestamp_strptime("%Y-%b-%d")"#,
            cases: &[(
                r#"{"t":"2020-Aug-14"}"#,
                Out(r#"{"t":"2020-08-14T00:00:00Z"}"#),
            )],
        }],
        imp: Impl::Method(parse_timestamp_strptime),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "format_timestamp",
        params: &[
            Param::with("format", Kind::Str, Default::Str(RFC3339_NANO))
                .doc("A Go reference-time layout."),
            Param::opt("tz", Kind::Str).doc("A zone to show the time in."),
        ],
        category: Category::Time,
        status: Status::Deprecated,
        doc: "Formats a timestamp with a Go reference-time layout; use `ts_format`.",
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp("2006-Jan-02 15:04:05", "UTC")"#,
            cases: &[(
                r#"{"t":1597405526}"#,
                Out(r#"{"t":"2020-Aug-14 11:45:26"}"#),
            )],
        }],
        imp: Impl::Method(ts_format),
        annotate: false,
        compile: Some(check_tz_second),
        ..Spec::METHOD
    },
    Spec {
        name: "format_timestamp_strftime",
        params: &[
            Param::req("format", Kind::Str).doc("strftime directives."),
            Param::opt("tz", Kind::Str).doc("A zone to show the time in."),
        ],
        category: Category::Time,
        status: Status::Deprecated,
        doc: "Formats a timestamp with strftime directives; use `ts_strftime`.",
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_strftime("%Y-%b-%d %H:%M:%S", "UTC")"#,
            cases: &[(
                r#"{"t":1597405526}"#,
                Out(r#"{"t":"2020-Aug-14 11:45:26"}"#),
            )],
        }],
        imp: Impl::Method(ts_strftime),
        annotate: false,
        compile: Some(check_tz_second),
        ..Spec::METHOD
    },
    Spec {
        name: "format_timestamp_unix",
        category: Category::Time,
        status: Status::Deprecated,
        doc: "Returns a timestamp as seconds since the Unix epoch; use `ts_unix`.",
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_unix()"#,
            cases: &[(
                r#"{"t":"2009-11-10T23:00:00Z"}"#,
                Out(r#"{"t":1257894000}"#),
            )],
        }],
        imp: Impl::Method(ts_unix),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "format_timestamp_unix_milli",
        category: Category::Time,
        status: Status::Deprecated,
        doc: "Returns a timestamp as milliseconds since the Unix epoch; use `ts_unix_milli`.",
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_unix_milli()"#,
            cases: &[(
                r#"{"t":"2009-11-10T23:00:00.5Z"}"#,
                Out(r#"{"t":1257894000500}"#),
            )],
        }],
        imp: Impl::Method(ts_unix_milli),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "format_timestamp_unix_micro",
        category: Category::Time,
        status: Status::Deprecated,
        doc: "Returns a timestamp as microseconds since the Unix epoch; use `ts_unix_micro`.",
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_unix_micro()"#,
            cases: &[(
                r#"{"t":"2009-11-10T23:00:00.5Z"}"#,
                Out(r#"{"t":1257894000500000}"#),
            )],
        }],
        imp: Impl::Method(ts_unix_micro),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "format_timestamp_unix_nano",
        category: Category::Time,
        status: Status::Deprecated,
        doc: "Returns a timestamp as nanoseconds since the Unix epoch; use `ts_unix_nano`.",
        examples: &[Example {
            mapping: r#"root.t = this.t.format_timestamp_unix_nano()"#,
            cases: &[(
                r#"{"t":"2009-11-10T23:00:00.5Z"}"#,
                Out(r#"{"t":1257894000500000000}"#),
            )],
        }],
        imp: Impl::Method(ts_unix_nano),
        annotate: false,
        ..Spec::METHOD
    },
];

fn parse_timestamp(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::from(parse_layout(call, &v)?.rfc3339_nano()))
}

fn parse_timestamp_strptime(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::from(parse_strftime(call, &v)?.rfc3339_nano()))
}
