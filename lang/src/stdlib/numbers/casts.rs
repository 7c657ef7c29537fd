//! Numeric casts to Go's sized types: `int64` … `int8`, `uint64` …
//! `uint8`, `float64` and `float32`, with upstream's range checks and
//! Go's literal parsing for strings.

use super::goparse::{parse_f32, parse_f64, parse_int, parse_uint};
use super::{plugin, unary};
use crate::error::{Error, Result};
use crate::stdlib::{Example, Expect::*, Spec};
use crate::value::{Narrow, Value};
use crate::vm::Call;

macro_rules! int_examples {
    ($name:literal, $hex:literal, $out:literal, $d:literal) => {
        &[
            Example {
                mapping: concat!(
                    "root.a = this.a.",
                    $name,
                    "()\nroot.b = this.b.round().",
                    $name,
                    "()\nroot.c = this.c.",
                    $name,
                    "()\nroot.d = this.d.",
                    $name,
                    "().catch(0)"
                ),
                cases: &[(
                    r#"{"a":12,"b":12.34,"c":"12","d":-12}"#,
                    Out(concat!(r#"{"a":12,"b":12,"c":12,"d":"#, $d, "}")),
                )],
            },
            Example {
                mapping: concat!("root = this.", $name, "()"),
                cases: &[(concat!("\"", $hex, "\""), Out($out))],
            },
        ]
    };
}

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    plugin(unary(
        "int64",
        "Converts a number, or parses a string with Go integer syntax (`0x`, `0o`, `0b`, `_`), into an int64; decimals and overflow fail.",
        &[
            Example {
                mapping: "root.a = this.a.int64()\nroot.b = this.b.round().int64()\nroot.c = this.c.int64()\nroot.d = this.d.int64().catch(0)",
                cases: &[(
                    r#"{"a":12,"b":12.34,"c":"12","d":-12}"#,
                    Out(r#"{"a":12,"b":12,"c":12,"d":-12}"#),
                )],
            },
            Example {
                mapping: "root = this.int64()",
                cases: &[
                    (r#""0xDEADBEEF""#, Out("3735928559")),
                    (r#""1_000""#, Out("1000")),
                    (
                        "12.5",
                        Fails(
                            "float value contains decimals and therefore cannot be cast as a signed integer, if you intend to round the value then call `.round()` explicitly before this cast",
                        ),
                    ),
                    (
                        r#""9223372036854775808""#,
                        Fails(
                            "strconv.ParseInt: parsing \"9223372036854775808\": value out of range",
                        ),
                    ),
                    ("true", Fails("expected number value, got bool (true)")),
                ],
            },
        ],
        int64,
    )),
    plugin(unary(
        "int32",
        "Like `int64`, checked to fit a 32-bit signed integer.",
        int_examples!("int32", "0xDEAD", "57005", "-12"),
        int32,
    )),
    plugin(unary(
        "int16",
        "Like `int64`, checked to fit a 16-bit signed integer.",
        int_examples!("int16", "0xDE", "222", "-12"),
        int16,
    )),
    plugin(unary(
        "int8",
        "Like `int64`, checked to fit an 8-bit signed integer.",
        &[
            Example {
                mapping: "root.a = this.a.int8()\nroot.b = this.b.round().int8()\nroot.c = this.c.int8()\nroot.d = this.d.int8().catch(0)",
                cases: &[(
                    r#"{"a":12,"b":12.34,"c":"12","d":-12}"#,
                    Out(r#"{"a":12,"b":12,"c":12,"d":-12}"#),
                )],
            },
            Example {
                mapping: "root = this.int8()",
                cases: &[
                    (r#""0xD""#, Out("13")),
                    (
                        "200",
                        Fails("value is too large to be cast as an 8-bit signed integer"),
                    ),
                ],
            },
        ],
        int8,
    )),
    plugin(unary(
        "uint64",
        "Converts a non-negative number, or parses a string with Go integer syntax, into a uint64.",
        int_examples!("uint64", "0xDEADBEEF", "3735928559", "0"),
        uint64,
    )),
    plugin(unary(
        "uint32",
        "Like `uint64`, checked to fit a 32-bit unsigned integer.",
        int_examples!("uint32", "0xDEAD", "57005", "0"),
        uint32,
    )),
    plugin(unary(
        "uint16",
        "Like `uint64`, checked to fit a 16-bit unsigned integer.",
        int_examples!("uint16", "0xDE", "222", "0"),
        uint16,
    )),
    plugin(unary(
        "uint8",
        "Like `uint64`, checked to fit an 8-bit unsigned integer.",
        &[
            Example {
                mapping: "root.a = this.a.uint8()\nroot.b = this.b.round().uint8()\nroot.c = this.c.uint8()\nroot.d = this.d.uint8().catch(0)",
                cases: &[(
                    r#"{"a":12,"b":12.34,"c":"12","d":-12}"#,
                    Out(r#"{"a":12,"b":12,"c":12,"d":0}"#),
                )],
            },
            Example {
                mapping: "root = this.uint8()",
                cases: &[
                    (r#""0xD""#, Out("13")),
                    (
                        "-1",
                        Fails(
                            "signed integer value is negative and cannot be cast as an unsigned integer",
                        ),
                    ),
                ],
            },
        ],
        uint8,
    )),
    plugin(unary(
        "float64",
        "Converts a number, or parses a string, into a float64.",
        &[Example {
            mapping: "root.out = this.in.float64()",
            cases: &[
                (
                    r#"{"in":"6.674282313423543523453425345e-11"}"#,
                    Out(r#"{"out":6.674282313423544e-11}"#),
                ),
                (
                    r#"{"in":"x"}"#,
                    Fails("strconv.ParseFloat: parsing \"x\": invalid syntax"),
                ),
            ],
        }],
        float64,
    )),
    plugin(unary(
        "float32",
        "Converts a number, or parses a string, into a float32 (printed with float32 precision).",
        &[Example {
            mapping: "root.out = this.in.float32()",
            cases: &[
                (
                    r#"{"in":"6.674282313423543523453425345e-11"}"#,
                    Out(r#"{"out":6.674283e-11}"#),
                ),
                (r#"{"in":0.1}"#, Out(r#"{"out":0.1}"#)),
            ],
        }],
        float32,
    )),
];

const TWO_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// Upstream's float64 → int64 cast with its error texts.
pub fn float_to_i64(t: f64) -> Result<i64> {
    if t.is_infinite() {
        return Err(Error::msg("cannot convert +/-INF to an integer"));
    }
    if t.is_nan() {
        return Err(Error::msg("cannot convert NAN to an integer"));
    }
    if t > TWO_63 {
        return Err(Error::msg(
            "float value is too large to be cast as a signed integer",
        ));
    }
    if t < -TWO_63 {
        return Err(Error::msg(
            "float value is too small to be cast as a signed integer",
        ));
    }
    // 2^63 itself passes the bound check but does not survive the
    // conversion, so upstream reports it as having decimals.
    if t == TWO_63 || t.fract() != 0.0 {
        return Err(Error::msg(
            "float value contains decimals and therefore cannot be cast as a signed integer, if you intend to round the value then call `.round()` explicitly before this cast",
        ));
    }
    Ok(t as i64)
}

fn float_to_u64(t: f64) -> Result<u64> {
    if t < 0.0 {
        return Err(Error::msg(
            "float value is negative and cannot be cast as an unsigned integer",
        ));
    }
    if t.is_infinite() {
        return Err(Error::msg("cannot convert +/-INF to an unsigned integer"));
    }
    if t.is_nan() {
        return Err(Error::msg("cannot convert NAN to an unsigned integer"));
    }
    if t > TWO_64 {
        return Err(Error::msg(
            "float value is too large to be cast as an unsigned integer",
        ));
    }
    if t == TWO_64 || t.fract() != 0.0 {
        return Err(Error::msg(
            "float value contains decimals and therefore cannot be cast as an unsigned integer, if you intend to round the value then call `.round()` explicitly before this cast",
        ));
    }
    Ok(t as u64)
}

fn text_of(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Upstream's `IToInt`.
pub fn to_i64(v: &Value) -> Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::UInt(u) => i64::try_from(*u).map_err(|_| {
            Error::msg("unsigned integer value is too large to be cast as a signed integer")
        }),
        Value::Float(f) => float_to_i64(*f),
        Value::Narrow(Narrow::F32(f)) => float_to_i64(f64::from(*f)),
        Value::Narrow(n) => Ok(n.num().to_i64_lossy()),
        Value::Number(r) => parse_int(&r.text, false).map_err(Error::msg),
        Value::Str(s) => parse_int(s, true).map_err(Error::msg),
        Value::Bytes(b) => parse_int(&text_of(b), true).map_err(Error::msg),
        other => Err(Error::type_mismatch("number", other)),
    }
}

fn negative() -> Error {
    Error::msg("signed integer value is negative and cannot be cast as an unsigned integer")
}

/// Upstream's `IToUint`.
fn to_u64(v: &Value) -> Result<u64> {
    match v {
        Value::UInt(u) => Ok(*u),
        Value::Int(i) => u64::try_from(*i).map_err(|_| negative()),
        Value::Float(f) => float_to_u64(*f),
        Value::Narrow(Narrow::F32(f)) => float_to_u64(f64::from(*f)),
        Value::Narrow(n) => u64::try_from(n.num().to_i64_lossy()).map_err(|_| negative()),
        Value::Number(r) => {
            let i = parse_int(&r.text, false).map_err(Error::msg)?;
            u64::try_from(i).map_err(|_| negative())
        }
        Value::Str(s) => parse_uint(s).map_err(Error::msg),
        Value::Bytes(b) => parse_uint(&text_of(b)).map_err(Error::msg),
        other => Err(Error::type_mismatch("number", other)),
    }
}

/// Casts to a narrower signed type with upstream's range messages.
fn narrow_signed<T: TryFrom<i64>>(v: &Value, bits: &str, article: &str) -> Result<T> {
    let i = to_i64(v)?;
    T::try_from(i).map_err(|_| {
        let which = if i > 0 { "large" } else { "small" };
        Error::msg(format!(
            "value is too {which} to be cast as {article} {bits}-bit signed integer"
        ))
    })
}

fn narrow_unsigned<T: TryFrom<u64>>(v: &Value, bits: &str, article: &str) -> Result<T> {
    let u = to_u64(v)?;
    T::try_from(u).map_err(|_| {
        Error::msg(format!(
            "value is too large to be cast as {article} {bits}-bit unsigned integer"
        ))
    })
}

fn int64(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    to_i64(&v).map(Value::Int)
}

/// Defines narrow-cast methods: a receiver already of the target type is
/// kept as is; anything else goes through the range-checked cast.
macro_rules! narrow_casts {
    ($($name:ident: $variant:ident = $cast:ident($bits:literal, $article:literal);)*) => {$(
        fn $name(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
            if let Value::Narrow(Narrow::$variant(_)) = v {
                return Ok(v);
            }
            $cast(&v, $bits, $article).map(|n| Value::Narrow(Narrow::$variant(n)))
        }
    )*};
}

narrow_casts! {
    int32: I32 = narrow_signed("32", "a");
    int16: I16 = narrow_signed("16", "a");
    int8: I8 = narrow_signed("8", "an");
    uint32: U32 = narrow_unsigned("32", "a");
    uint16: U16 = narrow_unsigned("16", "a");
    uint8: U8 = narrow_unsigned("8", "an");
}

fn uint64(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    to_u64(&v).map(Value::UInt)
}

fn float64(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    match &v {
        Value::Number(r) => parse_f64(&r.text).map_err(Error::msg),
        Value::Str(s) => parse_f64(s).map_err(Error::msg),
        Value::Bytes(b) => parse_f64(&text_of(b)).map_err(Error::msg),
        other => other
            .as_f64()
            .ok_or_else(|| Error::type_mismatch("number", other)),
    }
    .map(Value::Float)
}

fn float32(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let f = match &v {
        Value::Int(i) => Ok(*i as f32),
        Value::UInt(u) => Ok(*u as f32),
        Value::Float(f) => Ok(*f as f32),
        // Upstream has no float32 case here, so a float32 is a type error.
        Value::Narrow(Narrow::F32(_)) => Err(Error::type_mismatch("number", &v)),
        Value::Narrow(n) => Ok(n.num().to_i64_lossy() as f32),
        Value::Number(r) => parse_f32(&r.text).map_err(Error::msg),
        Value::Str(s) => parse_f32(s).map_err(Error::msg),
        Value::Bytes(b) => parse_f32(&text_of(b)).map_err(Error::msg),
        other => Err(Error::type_mismatch("number", other)),
    }?;
    Ok(Value::Narrow(Narrow::F32(f)))
}
