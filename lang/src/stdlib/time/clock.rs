//! The clock functions: `now()` and `timestamp_unix*()`. They read the
//! system clock but, as upstream, are not flagged impure.

use super::golayout::{RFC3339_NANO, format};
use super::zone::{local_timestamp, unix_nanos_wide};
use crate::error::Result;
use crate::stdlib::{Category, Example, Expect::*, Impl, Spec};
use crate::value::{Timestamp, Value};
use crate::vm::Call;
use chrono::Utc;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "now",
        category: Category::Environment,
        doc: "Returns the current time in the local zone as an RFC3339 string with nanoseconds.",
        examples: &[Example {
            mapping: r#"root.ok = now().ts_unix() > 1600000000"#,
            cases: &[(r#"{}"#, Out(r#"{"ok":true}"#))],
        }],
        imp: Impl::Function(now),
        ..Spec::FUNCTION
    },
    Spec {
        name: "timestamp_unix",
        category: Category::Environment,
        doc: "Returns the current time as whole seconds since the Unix epoch.",
        examples: &[Example {
            mapping: r#"root.ok = timestamp_unix() > 1600000000"#,
            cases: &[(r#"{}"#, Out(r#"{"ok":true}"#))],
        }],
        imp: Impl::Function(timestamp_unix),
        ..Spec::FUNCTION
    },
    Spec {
        name: "timestamp_unix_milli",
        category: Category::Environment,
        doc: "Returns the current time as milliseconds since the Unix epoch.",
        examples: &[Example {
            mapping: r#"root.ok = timestamp_unix_milli() > 1600000000000"#,
            cases: &[(r#"{}"#, Out(r#"{"ok":true}"#))],
        }],
        imp: Impl::Function(timestamp_unix_milli),
        ..Spec::FUNCTION
    },
    Spec {
        name: "timestamp_unix_micro",
        category: Category::Environment,
        doc: "Returns the current time as microseconds since the Unix epoch.",
        examples: &[Example {
            mapping: r#"root.ok = timestamp_unix_micro() > 1600000000000000"#,
            cases: &[(r#"{}"#, Out(r#"{"ok":true}"#))],
        }],
        imp: Impl::Function(timestamp_unix_micro),
        ..Spec::FUNCTION
    },
    Spec {
        name: "timestamp_unix_nano",
        category: Category::Environment,
        doc: "Returns the current time as nanoseconds since the Unix epoch.",
        examples: &[Example {
            mapping: r#"root.ok = timestamp_unix_nano() > 1600000000000000000"#,
            cases: &[(r#"{}"#, Out(r#"{"ok":true}"#))],
        }],
        imp: Impl::Function(timestamp_unix_nano),
        ..Spec::FUNCTION
    },
];

fn current() -> Timestamp {
    Timestamp::utc(Utc::now())
}

fn now(_: &mut Call<'_, '_>) -> Result<Value> {
    Ok(Value::from(format(
        &local_timestamp(Utc::now()),
        RFC3339_NANO,
    )))
}

fn since_epoch(per: i128) -> Value {
    Value::Int(unix_nanos_wide(&current()).div_euclid(per) as i64)
}

fn timestamp_unix(_: &mut Call<'_, '_>) -> Result<Value> {
    Ok(since_epoch(1_000_000_000))
}

fn timestamp_unix_milli(_: &mut Call<'_, '_>) -> Result<Value> {
    Ok(since_epoch(1_000_000))
}

fn timestamp_unix_micro(_: &mut Call<'_, '_>) -> Result<Value> {
    Ok(since_epoch(1_000))
}

fn timestamp_unix_nano(_: &mut Call<'_, '_>) -> Result<Value> {
    Ok(since_epoch(1))
}
