//! Type coercion methods: `type`, `string`, `bytes`, `number`, `bool`,
//! `timestamp`, `array`, `not_null` and `not_empty`.

use super::goparse::{parse_bool, parse_f64};
use super::timeconv::to_timestamp;
use crate::convert::{to_bytes, to_display_string};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::{JsonStyle, Narrow, Value, format_float32_json, to_json};
use crate::vm::{Call, coerce};

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "type",
        category: Category::Coercion,
        doc: "The name of the receiver's type: `string`, `bytes`, `number`, `bool`, `timestamp`, `array`, `object` or `null`.",
        examples: &[
            Example {
                mapping: "root.bar_type = this.bar.type()\nroot.foo_type = this.foo.type()",
                cases: &[(
                    r#"{"bar":10,"foo":"is a string"}"#,
                    Out(r#"{"bar_type":"number","foo_type":"string"}"#),
                )],
            },
            Example {
                mapping: "root.type = this.type()",
                cases: &[
                    (r#""foobar""#, Out(r#"{"type":"string"}"#)),
                    ("666", Out(r#"{"type":"number"}"#)),
                    ("false", Out(r#"{"type":"bool"}"#)),
                    (r#"["foo", "bar"]"#, Out(r#"{"type":"array"}"#)),
                    (r#"{"foo": "bar"}"#, Out(r#"{"type":"object"}"#)),
                    ("null", Out(r#"{"type":"null"}"#)),
                ],
            },
            Example {
                mapping: "root.type = content().type()",
                cases: &[("foobar", Out(r#"{"type":"bytes"}"#))],
            },
            Example {
                mapping: "root.a = 5.int32().type()\nroot.b = \"2020-01-01T00:00:00Z\".timestamp().type()",
                cases: &[("{}", Out(r#"{"a":"number","b":"timestamp"}"#))],
            },
        ],
        imp: Impl::Method(type_of),
        ..Spec::METHOD
    },
    Spec {
        name: "string",
        category: Category::Coercion,
        doc: "The receiver as a string: numbers in Go's `%v` form, containers as JSON.",
        examples: &[
            Example {
                mapping: "root.nested_json = this.string()",
                cases: &[(
                    r#"{"foo":"bar"}"#,
                    Out(r#"{"nested_json":"{\"foo\":\"bar\"}"}"#),
                )],
            },
            Example {
                mapping: "root.id = this.id.string()",
                cases: &[(
                    r#"{"id":228930314431312345}"#,
                    Out(r#"{"id":"228930314431312345"}"#),
                )],
            },
            Example {
                mapping: "root.a = 1000000.0.string()\nroot.b = 1000000.float32().string()\nroot.c = [\"<a>\"].string()",
                cases: &[(
                    "{}",
                    Out(r#"{"a":"1e+06","b":"1000000","c":"[\"\\u003ca\\u003e\"]"}"#),
                )],
            },
            Example {
                mapping: "root = [\"NaN\".number()].string()",
                cases: &[("{}", Out("null"))],
            },
        ],
        imp: Impl::Method(string),
        ..Spec::METHOD
    },
    Spec {
        name: "bytes",
        category: Category::Coercion,
        doc: "The receiver as bytes: strings by their UTF-8 encoding, other values as with `.string()`.",
        examples: &[Example {
            mapping: "root.b = this.name.bytes()\nroot.t = this.name.bytes().type()\nroot.n = 5.bytes()",
            cases: &[(
                r#"{"name":"foobar bazson"}"#,
                Out(r#"{"b":"Zm9vYmFyIGJhenNvbg==","n":"NQ==","t":"bytes"}"#),
            )],
        }],
        imp: Impl::Method(bytes),
        ..Spec::METHOD
    },
    Spec {
        name: "number",
        params: &[Param::opt("default", Kind::Lazy)
            .doc("Returned instead when the receiver fails or is not numeric.")],
        category: Category::Coercion,
        doc: "The receiver as a float64, parsing strings; with a default, failures yield the default instead.",
        examples: &[
            Example {
                mapping: "root.foo = this.thing.number() + 10\nroot.bar = this.thing.number(5) * 10",
                cases: &[
                    (r#"{"thing":"2.5"}"#, Out(r#"{"bar":25,"foo":12.5}"#)),
                    (r#"{"thing":7}"#, Out(r#"{"bar":70,"foo":17}"#)),
                ],
            },
            Example {
                mapping: "root.bar = this.thing.number(5) * 10",
                cases: &[(r#"{"thing":"nope"}"#, Out(r#"{"bar":50}"#))],
            },
            Example {
                mapping: "root.foo = this.thing.number()",
                cases: &[
                    (
                        r#"{"thing":"nope"}"#,
                        Fails(
                            "failed assignment (line 1): field `this.thing`: strconv.ParseFloat: parsing \"nope\": invalid syntax",
                        ),
                    ),
                    (
                        r#"{"thing":true}"#,
                        Fails(
                            "failed assignment (line 1): expected number value, got bool from field `this.thing` (true)",
                        ),
                    ),
                    (r#"{"thing":"0x1p-2"}"#, Out(r#"{"foo":0.25}"#)),
                ],
            },
        ],
        imp: Impl::Method(number),
        lazy_receiver: true,
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "bool",
        params: &[Param::opt("default", Kind::Lazy)
            .doc("Returned instead when the receiver fails or cannot be read as a bool.")],
        category: Category::Coercion,
        doc: "The receiver as a bool: numbers are true when non-zero, strings `1 t T TRUE true True` and `0 f F FALSE false False` are parsed.",
        examples: &[
            Example {
                mapping: "root.foo = this.thing.bool()\nroot.bar = this.thing.bool(true)",
                cases: &[
                    (r#"{"thing":"false"}"#, Out(r#"{"bar":false,"foo":false}"#)),
                    (r#"{"thing":5}"#, Out(r#"{"bar":true,"foo":true}"#)),
                ],
            },
            Example {
                mapping: "root.bar = this.thing.bool(true)",
                cases: &[(r#"{"thing":"nope"}"#, Out(r#"{"bar":true}"#))],
            },
            Example {
                mapping: "root.foo = this.thing.bool()",
                cases: &[(
                    r#"{"thing":"nope"}"#,
                    Fails(
                        "failed assignment (line 1): expected bool value, got string from field `this.thing` (\"nope\")",
                    ),
                )],
            },
        ],
        imp: Impl::Method(bool_method),
        lazy_receiver: true,
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "timestamp",
        params: &[Param::opt("default", Kind::Lazy)
            .doc("Returned instead when the receiver fails or cannot be read as a timestamp.")],
        category: Category::Coercion,
        doc: "The receiver as a timestamp: RFC 3339 strings are parsed, numbers are unix seconds.",
        examples: &[
            Example {
                mapping: "root.foo = this.ts.timestamp()\nroot.bar = this.none.timestamp(\"2009-02-13T23:31:30Z\")",
                cases: &[(
                    r#"{"ts":"2020-01-02T03:04:05.5+02:00"}"#,
                    Out(r#"{"bar":"2009-02-13T23:31:30Z","foo":"2020-01-02T03:04:05.5+02:00"}"#),
                )],
            },
            Example {
                mapping: "root.foo = this.ts.timestamp()",
                cases: &[
                    (
                        r#"{"ts":"2020-01-02"}"#,
                        Fails(
                            "field `this.ts`: parsing time \"2020-01-02\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"\" as \"T\"",
                        ),
                    ),
                    (
                        r#"{"ts":true}"#,
                        Fails(
                            "expected number or string value, got bool from field `this.ts` (true)",
                        ),
                    ),
                ],
            },
        ],
        imp: Impl::Method(timestamp),
        lazy_receiver: true,
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "array",
        category: Category::Coercion,
        doc: "The receiver if it is an array, otherwise an array holding the receiver.",
        examples: &[Example {
            mapping: "root.my_array = this.name.array()",
            cases: &[
                (
                    r#"{"name":"foobar bazson"}"#,
                    Out(r#"{"my_array":["foobar bazson"]}"#),
                ),
                (r#"{"name":[1,2]}"#, Out(r#"{"my_array":[1,2]}"#)),
            ],
        }],
        imp: Impl::Method(array),
        ..Spec::METHOD
    },
    Spec {
        name: "not_null",
        category: Category::Coercion,
        doc: "The receiver, or an error when it is null.",
        examples: &[Example {
            mapping: "root.a = this.a.not_null()",
            cases: &[
                (r#"{"a":"foobar","b":"barbaz"}"#, Out(r#"{"a":"foobar"}"#)),
                (
                    r#"{"b":"barbaz"}"#,
                    Fails("failed assignment (line 1): field `this.a`: value is null"),
                ),
            ],
        }],
        imp: Impl::Method(not_null),
        ..Spec::METHOD
    },
    Spec {
        name: "not_empty",
        category: Category::Coercion,
        doc: "The receiver, or an error when it is an empty string, array or object.",
        examples: &[Example {
            mapping: "root.a = this.a.not_empty()",
            cases: &[
                (r#"{"a":"foo"}"#, Out(r#"{"a":"foo"}"#)),
                (
                    r#"{"a":""}"#,
                    Fails("failed assignment (line 1): field `this.a`: string value is empty"),
                ),
                (r#"{"a":["foo","bar"]}"#, Out(r#"{"a":["foo","bar"]}"#)),
                (
                    r#"{"a":[]}"#,
                    Fails("failed assignment (line 1): field `this.a`: array value is empty"),
                ),
                (
                    r#"{"a":{"b":"foo","c":"bar"}}"#,
                    Out(r#"{"a":{"b":"foo","c":"bar"}}"#),
                ),
                (
                    r#"{"a":{}}"#,
                    Fails("failed assignment (line 1): field `this.a`: object value is empty"),
                ),
                (
                    r#"{"a":5}"#,
                    Fails(
                        "expected string, array or object value, got number from field `this.a` (5)",
                    ),
                ),
            ],
        }],
        imp: Impl::Method(not_empty),
        ..Spec::METHOD
    },
];

fn type_of(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(Value::str(v.type_name()))
}

/// Upstream's fallbacks differ from the shared conversion in two places:
/// float32 prints in JSON form, and a container JSON cannot encode (NaN,
/// infinities) becomes `null`.
fn special_text(v: &Value) -> Option<String> {
    match v {
        Value::Narrow(Narrow::F32(f)) => Some(format_float32_json(*f)),
        Value::Array(_) | Value::Object(_) => {
            Some(to_json(v, JsonStyle::STRING).unwrap_or_else(|_| "null".into()))
        }
        _ => None,
    }
}

fn string(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(match v {
        Value::Str(_) => v,
        other => Value::from(special_text(&other).unwrap_or_else(|| to_display_string(&other))),
    })
}

fn bytes(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(match v {
        Value::Bytes(_) => v,
        other => match special_text(&other) {
            Some(s) => Value::Bytes(s.into_bytes().into()),
            None => Value::Bytes(to_bytes(&other).into()),
        },
    })
}

/// Upstream's `IToNumber`: any number as float64, strings and bytes parsed
/// with Go's `ParseFloat`.
pub fn to_f64(v: &Value) -> Result<f64> {
    match v {
        Value::Str(s) => parse_f64(s).map_err(Error::msg),
        Value::Bytes(b) => parse_f64(&String::from_utf8_lossy(b)).map_err(Error::msg),
        Value::Number(r) => parse_f64(&r.text).map_err(Error::msg),
        other => other
            .as_f64()
            .ok_or_else(|| Error::type_mismatch("number", other)),
    }
}

/// Upstream's `IToBool`.
fn to_bool(v: &Value) -> Result<bool> {
    let parsed = match v {
        Value::Bool(b) => Some(*b),
        Value::Number(r) => Some(&*r.text != "0"),
        Value::Str(s) => parse_bool(s),
        Value::Bytes(b) => parse_bool(&String::from_utf8_lossy(b)),
        other => other.as_f64().map(|f| f != 0.0),
    };
    parsed.ok_or_else(|| Error::type_mismatch("bool", v))
}

/// Evaluates the optional default of a coercion method and converts it,
/// failing with upstream's argument error.
fn default_value(call: &mut Call<'_, '_>, convert: fn(Value) -> Result<Value>) -> Result<Value> {
    let v = call.query(0, Value::Null)?;
    convert(v).map_err(|e| {
        Error::msg(format!(
            "method '{}': failed to extract input arg 'default': {}",
            call.spec().name,
            e.message()
        ))
    })
}

/// The shared shape of `number`, `bool` and `timestamp`: evaluate the
/// receiver, convert it, and fall back to the default (converted with
/// `convert_default`) on any failure.
fn coerce_with_default(
    call: &mut Call<'_, '_>,
    convert: fn(&Value) -> Result<Value>,
    convert_default: fn(Value) -> Result<Value>,
) -> Result<Value> {
    let has_default = call.given(0);
    let recv = match call.receiver() {
        Ok(v) => v,
        Err(_) if has_default => return default_value(call, convert_default),
        Err(e) => return Err(e),
    };
    match convert(&recv) {
        Ok(v) => Ok(v),
        Err(_) if has_default => default_value(call, convert_default),
        Err(e) => Err(call.annotate(e)),
    }
}

/// The value coerced to a parameter kind.
fn as_kind(kind: Kind, mut v: Value) -> Result<Value> {
    coerce(kind, &mut v)?;
    Ok(v)
}

fn number(call: &mut Call<'_, '_>, _: Value) -> Result<Value> {
    coerce_with_default(
        call,
        |v| to_f64(v).map(Value::Float),
        |v| as_kind(Kind::Float, v),
    )
}

fn bool_method(call: &mut Call<'_, '_>, _: Value) -> Result<Value> {
    coerce_with_default(
        call,
        |v| to_bool(v).map(Value::Bool),
        |v| as_kind(Kind::Bool, v),
    )
}

fn timestamp(call: &mut Call<'_, '_>, _: Value) -> Result<Value> {
    coerce_with_default(
        call,
        |v| to_timestamp(v).map(Value::timestamp),
        |v| to_timestamp(&v).map(Value::timestamp),
    )
}

fn array(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(match v {
        Value::Array(_) => v,
        other => Value::array(vec![other]),
    })
}

fn not_null(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    match v {
        Value::Null => Err(Error::msg("value is null")),
        other => Ok(other),
    }
}

fn not_empty(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let empty = match &v {
        Value::Str(s) => s.is_empty().then_some("string"),
        Value::Array(a) => a.is_empty().then_some("array"),
        Value::Object(o) => o.is_empty().then_some("object"),
        other => return Err(Error::type_mismatch("string, array or object", other)),
    };
    match empty {
        Some(kind) => Err(Error::msg(format!("{kind} value is empty"))),
        None => Ok(v),
    }
}
