//! Arithmetic methods: rounding, `abs`, `max`/`min` of arrays, powers,
//! logarithms, trigonometry, bitwise operations and `pi()`.

use super::casts::float_to_i64;
use super::{plugin, unary};
use crate::error::{Error, Result};
use crate::stdlib::{Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::{Narrow, Num, Value};
use crate::vm::Call;

const fn bitwise(
    name: &'static str,
    doc: &'static str,
    examples: &'static [Example],
    imp: crate::stdlib::MethodImpl,
) -> Spec {
    Spec {
        params: BITWISE_PARAMS,
        ..unary(name, doc, examples, imp)
    }
}

const BITWISE_PARAMS: &[Param] = &[Param::req("value", Kind::Int).doc("The other operand.")];

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    unary(
        "round",
        "Rounds to the nearest integer, halves away from zero; an int64 when the result fits.",
        &[
            Example {
                mapping: "root.new_value = this.value.round()",
                cases: &[
                    (r#"{"value":5.3}"#, Out(r#"{"new_value":5}"#)),
                    (r#"{"value":5.9}"#, Out(r#"{"new_value":6}"#)),
                    (r#"{"value":-2.5}"#, Out(r#"{"new_value":-3}"#)),
                    (r#"{"value":1e30}"#, Out(r#"{"new_value":1e+30}"#)),
                ],
            },
            Example {
                mapping: "root.rounded = this.score.round()",
                cases: &[(r#"{"score":87.5}"#, Out(r#"{"rounded":88}"#))],
            },
            Example {
                mapping: "root.r = this.v.round()",
                cases: &[(
                    r#"{"v":"5"}"#,
                    Fails("expected number value, got string from field `this.v` (\"5\")"),
                )],
            },
        ],
        round,
    ),
    unary(
        "ceil",
        "Rounds up to the least integer not below the receiver; an int64 when the result fits.",
        &[
            Example {
                mapping: "root.new_value = this.value.ceil()",
                cases: &[
                    (r#"{"value":5.3}"#, Out(r#"{"new_value":6}"#)),
                    (r#"{"value":-5.9}"#, Out(r#"{"new_value":-5}"#)),
                ],
            },
            Example {
                mapping: "root.result = this.price.ceil()",
                cases: &[(r#"{"price":19.99}"#, Out(r#"{"result":20}"#))],
            },
        ],
        ceil,
    ),
    unary(
        "floor",
        "Rounds down to the greatest integer not above the receiver; an int64 when the result fits.",
        &[
            Example {
                mapping: "root.new_value = this.value.floor()",
                cases: &[
                    (r#"{"value":5.7}"#, Out(r#"{"new_value":5}"#)),
                    (r#"{"value":-3.2}"#, Out(r#"{"new_value":-4}"#)),
                ],
            },
            Example {
                mapping: "root.whole_seconds = this.duration_seconds.floor()",
                cases: &[(
                    r#"{"duration_seconds":12.345}"#,
                    Out(r#"{"whole_seconds":12}"#),
                )],
            },
        ],
        floor,
    ),
    plugin(unary(
        "abs",
        "The absolute value of an int64 or float64; the smallest int64 becomes the largest.",
        &[Example {
            mapping: "root.a = this.a.abs()\nroot.b = this.b.abs()\nroot.c = this.c.abs()",
            cases: &[
                (
                    r#"{"a":9,"b":-18,"c":-4.56}"#,
                    Out(r#"{"a":9,"b":18,"c":4.56}"#),
                ),
                (
                    r#"{"a":-9223372036854775808,"b":0,"c":0}"#,
                    Out(r#"{"a":9223372036854775807,"b":0,"c":0}"#),
                ),
                (
                    r#"{"a":"x","b":0,"c":0}"#,
                    Fails("expected number or integer value, got string (\"x\")"),
                ),
            ],
        }],
        abs,
    )),
    unary(
        "max",
        "The largest number of a non-empty array of numbers, as a float.",
        &[
            Example {
                mapping: "root.biggest = this.values.max()",
                cases: &[(r#"{"values":[0,3,2.5,7,5]}"#, Out(r#"{"biggest":7}"#))],
            },
            Example {
                mapping: "root.highest_temp = this.temperatures.max()",
                cases: &[(
                    r#"{"temperatures":[20.5,22.1,19.8,23.4]}"#,
                    Out(r#"{"highest_temp":23.4}"#),
                )],
            },
            Example {
                mapping: "root.new_value = [0,this.value].max()",
                cases: &[
                    (r#"{"value":-1}"#, Out(r#"{"new_value":0}"#)),
                    (r#"{"value":7}"#, Out(r#"{"new_value":7}"#)),
                ],
            },
            Example {
                mapping: "root.m = this.values.max()",
                cases: &[
                    (
                        r#"{"values":[]}"#,
                        Fails("field `this.values`: the array was empty"),
                    ),
                    (
                        r#"{"values":[1,"a"]}"#,
                        Fails(
                            "field `this.values`: index 1 of array: expected number value, got string (\"a\")",
                        ),
                    ),
                ],
            },
        ],
        max,
    ),
    unary(
        "min",
        "The smallest number of a non-empty array of numbers, as a float.",
        &[
            Example {
                mapping: "root.smallest = this.values.min()",
                cases: &[(r#"{"values":[0,3,-2.5,7,5]}"#, Out(r#"{"smallest":-2.5}"#))],
            },
            Example {
                mapping: "root.lowest_temp = this.temperatures.min()",
                cases: &[(
                    r#"{"temperatures":[20.5,22.1,19.8,23.4]}"#,
                    Out(r#"{"lowest_temp":19.8}"#),
                )],
            },
            Example {
                mapping: "root.new_value = [10,this.value].min()",
                cases: &[
                    (r#"{"value":2}"#, Out(r#"{"new_value":2}"#)),
                    (r#"{"value":23}"#, Out(r#"{"new_value":10}"#)),
                ],
            },
        ],
        min,
    ),
    Spec {
        params: &[Param::req("exponent", Kind::Float).doc("The power to raise the receiver to.")],
        ..plugin(unary(
            "pow",
            "The receiver raised to the given exponent.",
            &[
                Example {
                    mapping: "root.new_value = this.value * 10.pow(-2)",
                    cases: &[(r#"{"value":2}"#, Out(r#"{"new_value":0.02}"#))],
                },
                Example {
                    mapping: "root.new_value = this.value.pow(-2)",
                    cases: &[(r#"{"value":2}"#, Out(r#"{"new_value":0.25}"#))],
                },
            ],
            pow,
        ))
    },
    unary(
        "log",
        "The natural logarithm of the receiver.",
        &[
            Example {
                mapping: "root.new_value = this.value.log().round()",
                cases: &[
                    (r#"{"value":1}"#, Out(r#"{"new_value":0}"#)),
                    (r#"{"value":2.7183}"#, Out(r#"{"new_value":1}"#)),
                ],
            },
            Example {
                mapping: "root.ln_result = this.number.log()",
                cases: &[(
                    r#"{"number":10}"#,
                    Out(r#"{"ln_result":2.302585092994046}"#),
                )],
            },
        ],
        log,
    ),
    unary(
        "log10",
        "The base-10 logarithm of the receiver.",
        &[
            Example {
                mapping: "root.new_value = this.value.log10()",
                cases: &[
                    (r#"{"value":100}"#, Out(r#"{"new_value":2}"#)),
                    (r#"{"value":1000}"#, Out(r#"{"new_value":3}"#)),
                ],
            },
            Example {
                mapping: "root.log_value = this.magnitude.log10()",
                cases: &[(r#"{"magnitude":10000}"#, Out(r#"{"log_value":4}"#))],
            },
        ],
        log10,
    ),
    plugin(unary(
        "sin",
        "The sine of the receiver, in radians.",
        &[Example {
            mapping: "root.new_value = (this.value * (pi() / 180)).sin()",
            cases: &[
                (
                    r#"{"value":45}"#,
                    Out(r#"{"new_value":0.7071067811865475}"#),
                ),
                (r#"{"value":0}"#, Out(r#"{"new_value":0}"#)),
                (r#"{"value":90}"#, Out(r#"{"new_value":1}"#)),
            ],
        }],
        sin,
    )),
    plugin(unary(
        "cos",
        "The cosine of the receiver, in radians.",
        &[Example {
            mapping: "root.new_value = (this.value * (pi() / 180)).cos()",
            cases: &[
                (
                    r#"{"value":45}"#,
                    Out(r#"{"new_value":0.7071067811865476}"#),
                ),
                (r#"{"value":0}"#, Out(r#"{"new_value":1}"#)),
                (r#"{"value":180}"#, Out(r#"{"new_value":-1}"#)),
            ],
        }],
        cos,
    )),
    plugin(unary(
        "tan",
        "The tangent of the receiver, in radians.",
        &[Example {
            mapping: "root.new_value = (this.value * (pi() / 180)).tan().round()",
            cases: &[
                (r#"{"value":0}"#, Out(r#"{"new_value":0}"#)),
                (r#"{"value":45}"#, Out(r#"{"new_value":1}"#)),
            ],
        }],
        tan,
    )),
    bitwise(
        "bitwise_and",
        "The receiver AND-ed bit by bit with the argument, as int64s.",
        &[
            Example {
                mapping: "root.new_value = this.value.bitwise_and(6)",
                cases: &[
                    (r#"{"value":12}"#, Out(r#"{"new_value":4}"#)),
                    (r#"{"value":0}"#, Out(r#"{"new_value":0}"#)),
                    (r#"{"value":-4}"#, Out(r#"{"new_value":4}"#)),
                ],
            },
            Example {
                mapping: "root.masked = this.flags.bitwise_and(15)",
                cases: &[(r#"{"flags":127}"#, Out(r#"{"masked":15}"#))],
            },
        ],
        bitwise_and,
    ),
    bitwise(
        "bitwise_or",
        "The receiver OR-ed bit by bit with the argument, as int64s.",
        &[
            Example {
                mapping: "root.new_value = this.value.bitwise_or(6)",
                cases: &[
                    (r#"{"value":12}"#, Out(r#"{"new_value":14}"#)),
                    (r#"{"value":0}"#, Out(r#"{"new_value":6}"#)),
                    (r#"{"value":-2}"#, Out(r#"{"new_value":-2}"#)),
                ],
            },
            Example {
                mapping: "root.combined = this.flags.bitwise_or(8)",
                cases: &[(r#"{"flags":4}"#, Out(r#"{"combined":12}"#))],
            },
        ],
        bitwise_or,
    ),
    bitwise(
        "bitwise_xor",
        "The receiver XOR-ed bit by bit with the argument, as int64s.",
        &[
            Example {
                mapping: "root.new_value = this.value.bitwise_xor(6)",
                cases: &[
                    (r#"{"value":12}"#, Out(r#"{"new_value":10}"#)),
                    (r#"{"value":0}"#, Out(r#"{"new_value":6}"#)),
                    (r#"{"value":-2}"#, Out(r#"{"new_value":-8}"#)),
                ],
            },
            Example {
                mapping: "root.toggled = this.flags.bitwise_xor(5)",
                cases: &[(r#"{"flags":3}"#, Out(r#"{"toggled":6}"#))],
            },
            Example {
                mapping: "root.x = this.flags.bitwise_xor(5)",
                cases: &[(
                    r#"{"flags":"3"}"#,
                    Fails("expected integer value, got string from field `this.flags` (\"3\")"),
                )],
            },
        ],
        bitwise_xor,
    ),
    Spec {
        name: "pi",
        doc: "The constant π.",
        examples: &[
            Example {
                mapping: "root.radians = this.degrees * (pi() / 180)",
                cases: &[(
                    r#"{"degrees":45}"#,
                    Out(r#"{"radians":0.7853981633974483}"#),
                )],
            },
            Example {
                mapping: "root.degrees = this.radians * (180 / pi())",
                cases: &[(
                    r#"{"radians":0.78540}"#,
                    Out(r#"{"degrees":45.00010522957486}"#),
                )],
            },
        ],
        imp: Impl::Function(pi),
        ..Spec::FUNCTION
    },
];

/// Upstream's `ISanitize` view of a number: narrow signed types widen to
/// int64, narrow unsigned ones to uint64, float32 to float64; raw JSON
/// numbers read as int64 when they can.
fn sanitized(v: &Value) -> Option<Num> {
    match v {
        Value::Narrow(Narrow::U32(u)) => Some(Num::UInt(u64::from(*u))),
        Value::Narrow(Narrow::U16(u)) => Some(Num::UInt(u64::from(*u))),
        Value::Narrow(Narrow::U8(u)) => Some(Num::UInt(u64::from(*u))),
        other => other.num(),
    }
}

/// A rounded float as int64 when it converts exactly, else as is.
fn int_if_fits(f: f64) -> Value {
    match float_to_i64(f) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(f),
    }
}

fn rounding(v: &Value, op: fn(f64) -> f64) -> Result<Value> {
    match sanitized(v) {
        Some(Num::Float(f)) => Ok(int_if_fits(op(f))),
        Some(Num::Int(i)) => Ok(Value::Int(i)),
        Some(Num::UInt(u)) => Ok(Value::UInt(u)),
        None => Err(Error::type_mismatch("number", v)),
    }
}

fn round(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    rounding(&v, f64::round)
}

fn ceil(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    rounding(&v, f64::ceil)
}

fn floor(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    rounding(&v, f64::floor)
}

fn abs(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    match sanitized(&v) {
        Some(Num::Float(f)) => Ok(Value::Float(f.abs())),
        Some(Num::Int(i)) => Ok(Value::Int(if i == i64::MIN { i64::MAX } else { i.abs() })),
        _ => Err(Error::type_mismatch("number or integer", &v)),
    }
}

/// A number of an array element, as float64 (`IGetNumber`).
fn element_number(v: &Value) -> Result<f64> {
    v.as_f64().ok_or_else(|| Error::type_mismatch("number", v))
}

fn extreme(v: &Value, better: fn(f64, f64) -> bool) -> Result<Value> {
    let Value::Array(items) = v else {
        return Err(Error::type_mismatch("array", v));
    };
    if items.is_empty() {
        return Err(Error::msg("the array was empty"));
    }
    let mut best = 0.0;
    for (i, item) in items.iter().enumerate() {
        let f = element_number(item)
            .map_err(|e| Error::msg(format!("index {i} of array: {}", e.message())))?;
        if i == 0 || better(f, best) {
            best = f;
        }
    }
    Ok(Value::Float(best))
}

fn max(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    extreme(&v, |a, b| a > b)
}

fn min(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    extreme(&v, |a, b| a < b)
}

/// A float64 method body over `IGetNumber`.
fn float_op(v: &Value, op: impl FnOnce(f64) -> f64) -> Result<Value> {
    element_number(v).map(|f| Value::Float(op(f)))
}

fn pow(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let exp = call.float(0);
    float_op(&v, |f| f.powf(exp))
}

fn log(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    float_op(&v, f64::ln)
}

/// Go's `Log2`: exact for powers of two.
fn go_log2(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        let (frac, exp) = frexp(x);
        if frac == 0.5 {
            return f64::from(exp - 1);
        }
        return frac.ln() * std::f64::consts::LOG2_E + f64::from(exp);
    }
    x.log2()
}

/// Splits a positive finite float into a mantissa in [0.5, 1) and a power
/// of two.
fn frexp(x: f64) -> (f64, i32) {
    let mut x = x;
    let mut adjust = 0;
    if x < f64::MIN_POSITIVE {
        x *= 2f64.powi(64);
        adjust = -64;
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1022;
    let frac = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (frac, exp + adjust)
}

fn log10(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    float_op(&v, |x| go_log2(x) * std::f64::consts::LOG10_2)
}

fn sin(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    float_op(&v, f64::sin)
}

fn cos(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    float_op(&v, f64::cos)
}

fn tan(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    float_op(&v, f64::tan)
}

/// Upstream's `IGetInt`: any number truncated to int64, raw JSON numbers
/// as int64 or else truncated floats.
pub fn get_int(v: &Value) -> Option<i64> {
    v.num().map(Num::to_i64_lossy)
}

fn bitwise_op(call: &Call<'_, '_>, v: &Value, op: fn(i64, i64) -> i64) -> Result<Value> {
    let rhs = call.int(0);
    match get_int(v) {
        Some(lhs) => Ok(Value::Int(op(lhs, rhs))),
        None => Err(Error::type_mismatch("integer", v)),
    }
}

fn bitwise_and(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    bitwise_op(call, &v, |a, b| a & b)
}

fn bitwise_or(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    bitwise_op(call, &v, |a, b| a | b)
}

fn bitwise_xor(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    bitwise_op(call, &v, |a, b| a ^ b)
}

fn pi(_: &mut Call<'_, '_>) -> Result<Value> {
    Ok(Value::Float(std::f64::consts::PI))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_and_frexp() {
        assert_eq!(frexp(8.0), (0.5, 4));
        assert_eq!(go_log2(1024.0), 10.0);
        assert_eq!(go_log2(100.0) * std::f64::consts::LOG10_2, 2.0);
        assert_eq!(frexp(f64::MIN_POSITIVE / 4.0), (0.5, -1023));
    }
}
