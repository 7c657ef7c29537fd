//! Reading arrays, objects and strings without queries: `length`,
//! `contains`, `keys`, `values`, `key_values`, `sum`, `index`, `slice`,
//! `join`.

use super::common::{array, bad_receiver, lossy_per_byte, obj2, type_text};
use crate::convert::{to_bytes, to_display_string};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::{Value, values_equal};
use crate::vm::Call;

const S: Category = Category::Structured;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "length",
        category: S,
        doc: "The byte length of a string or bytes, the element count of an array or the key count of an object.",
        examples: &[
            Example {
                mapping: "root.foo_len = this.foo.length()",
                cases: &[(r#"{"foo":"hello world"}"#, Out(r#"{"foo_len":11}"#))],
            },
            Example {
                mapping: "root.foo_len = this.foo.length()",
                cases: &[
                    (r#"{"foo":["first","second"]}"#, Out(r#"{"foo_len":2}"#)),
                    (
                        r#"{"foo":{"first":"bar","second":"baz"}}"#,
                        Out(r#"{"foo_len":2}"#),
                    ),
                    (
                        r#"{"foo":5}"#,
                        Fails(
                            "expected string, array or object value, got number from field `this.foo` (5)",
                        ),
                    ),
                ],
            },
        ],
        imp: Impl::Method(length),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "contains",
        params: &[
            Param::req("value", Kind::Any).doc("The element, value or substring to look for.")
        ],
        category: S,
        doc: "True when a string holds the argument (as text) as a substring, or an array element or object value deep-equals it.",
        examples: &[
            Example {
                mapping: r#"root.has_foo = this.thing.contains("foo")"#,
                cases: &[
                    (
                        r#"{"thing":["this","foo","that"]}"#,
                        Out(r#"{"has_foo":true}"#),
                    ),
                    (
                        r#"{"thing":["this","bar","that"]}"#,
                        Out(r#"{"has_foo":false}"#),
                    ),
                ],
            },
            Example {
                mapping: "root.has_bar = this.thing.contains(20)",
                cases: &[
                    (
                        r#"{"thing":[10.3,20.0,"huh",3]}"#,
                        Out(r#"{"has_bar":true}"#),
                    ),
                    (r#"{"thing":[2,3,40,67]}"#, Out(r#"{"has_bar":false}"#)),
                ],
            },
            Example {
                mapping: r#"root.has_foo = this.thing.contains("foo")"#,
                cases: &[
                    (r#"{"thing":"this foo that"}"#, Out(r#"{"has_foo":true}"#)),
                    (r#"{"thing":"this bar that"}"#, Out(r#"{"has_foo":false}"#)),
                ],
            },
        ],
        imp: Impl::Method(contains),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "keys",
        category: S,
        doc: "The keys of an object as an array, sorted.",
        examples: &[
            Example {
                mapping: "root.foo_keys = this.foo.keys()",
                cases: &[(
                    r#"{"foo":{"bar":1,"baz":2}}"#,
                    Out(r#"{"foo_keys":["bar","baz"]}"#),
                )],
            },
            Example {
                mapping: r#"root.has_id = this.data.keys().contains("id")"#,
                cases: &[(
                    r#"{"data":{"id":123,"name":"test"}}"#,
                    Out(r#"{"has_id":true}"#),
                )],
            },
        ],
        imp: Impl::Method(keys),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "values",
        category: S,
        doc: "The values of an object as an array, in key order (upstream leaves the order unspecified).",
        examples: &[
            Example {
                mapping: "root.foo_vals = this.foo.values().sort()",
                cases: &[(r#"{"foo":{"bar":1,"baz":2}}"#, Out(r#"{"foo_vals":[1,2]}"#))],
            },
            Example {
                mapping: "root.max = this.scores.values().sort().index(-1)",
                cases: &[(
                    r#"{"scores":{"player1":85,"player2":92,"player3":78}}"#,
                    Out(r#"{"max":92}"#),
                )],
            },
        ],
        imp: Impl::Method(values),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "key_values",
        category: S,
        doc: "The entries of an object as an array of `{key, value}` objects, in key order (upstream leaves the order unspecified).",
        examples: &[
            Example {
                mapping: "root.foo_key_values = this.foo.key_values().sort_by(pair -> pair.key)",
                cases: &[(
                    r#"{"foo":{"bar":1,"baz":2}}"#,
                    Out(r#"{"foo_key_values":[{"key":"bar","value":1},{"key":"baz","value":2}]}"#),
                )],
            },
            Example {
                mapping: "root.large_items = this.items.key_values().filter(pair -> pair.value > 15).map_each(pair -> pair.key)",
                cases: &[(
                    r#"{"items":{"a":5,"b":15,"c":20,"d":3}}"#,
                    Out(r#"{"large_items":["c"]}"#),
                )],
            },
        ],
        imp: Impl::Method(key_values),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "sum",
        category: S,
        doc: "The sum of an array of numbers as a float; a number receiver is returned unchanged.",
        examples: &[
            Example {
                mapping: "root.sum = this.foo.sum()",
                cases: &[(r#"{"foo":[3,8,4]}"#, Out(r#"{"sum":15}"#))],
            },
            Example {
                mapping: "root.total = this.prices.sum()",
                cases: &[
                    (r#"{"prices":[10.5,20.25,5.00]}"#, Out(r#"{"total":35.75}"#)),
                    (
                        r#"{"prices":[1,"a",2]}"#,
                        Fails(
                            r#"failed assignment (line 1): index 1: expected number value, got string ("a")"#,
                        ),
                    ),
                ],
            },
        ],
        imp: Impl::Method(sum),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "index",
        params: &[Param::req("index", Kind::Int)
            .doc("The position; negative counts from the end (-1 is the last).")],
        category: S,
        doc: "The element of an array (or the byte of a bytes value, as a number) at an index; out of range is an error.",
        examples: &[
            Example {
                mapping: "root.last_name = this.names.index(-1)",
                cases: &[
                    (
                        r#"{"names":["rachel","stevens"]}"#,
                        Out(r#"{"last_name":"stevens"}"#),
                    ),
                    (
                        r#"{"names":[]}"#,
                        Fails("field `this.names`: index '-1' was out of bounds for array size: 0"),
                    ),
                ],
            },
            Example {
                mapping: "root.last_byte = this.name.bytes().index(-1)",
                cases: &[(r#"{"name":"foobar bazson"}"#, Out(r#"{"last_byte":110}"#))],
            },
        ],
        imp: Impl::Method(index),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "slice",
        params: &[
            Param::req("low", Kind::Int)
                .doc("The first position included; negative counts from the end."),
            Param::opt("high", Kind::Int).doc(
                "The first position excluded (default: the length); negative counts from the end.",
            ),
        ],
        category: S,
        doc: "The half-open range `[low, high)` of a string (by byte), bytes value or array.",
        examples: &[
            Example {
                mapping: "root.beginning = this.value.slice(0, 2)\nroot.end = this.value.slice(4)",
                cases: &[
                    (
                        r#"{"value":"foo bar"}"#,
                        Out(r#"{"beginning":"fo","end":"bar"}"#),
                    ),
                    (
                        r#"{"value":"foo"}"#,
                        Fails(
                            "field `this.value`: lower slice bound 4 must be lower than or equal to upper bound (3) and target length (3)",
                        ),
                    ),
                ],
            },
            Example {
                mapping: "root.last_chunk = this.value.slice(-4)\nroot.the_rest = this.value.slice(0, -4)",
                cases: &[(
                    r#"{"value":"foo bar"}"#,
                    Out(r#"{"last_chunk":" bar","the_rest":"foo"}"#),
                )],
            },
            Example {
                mapping: "root.beginning = this.value.slice(0, 2)\nroot.end = this.value.slice(4)",
                cases: &[(
                    r#"{"value":["foo","bar","baz","buz","bev"]}"#,
                    Out(r#"{"beginning":["foo","bar"],"end":["bev"]}"#),
                )],
            },
            Example {
                mapping: "root.last_chunk = this.value.slice(-2)\nroot.the_rest = this.value.slice(0, -2)",
                cases: &[(
                    r#"{"value":["foo","bar","baz","buz","bev"]}"#,
                    Out(r#"{"last_chunk":["buz","bev"],"the_rest":["foo","bar","baz"]}"#),
                )],
            },
        ],
        imp: Impl::Method(slice),
        annotate: false,
        compile: Some(slice_check),
        ..Spec::METHOD
    },
    Spec {
        name: "join",
        params: &[
            Param::opt("delimiter", Kind::Str).doc("Placed between elements (default: nothing).")
        ],
        category: S,
        doc: "Joins an array of strings (or bytes) into one string.",
        examples: &[Example {
            mapping: "root.joined_words = this.words.join()\nroot.joined_numbers = this.numbers.map_each(this.string()).join(\",\")",
            cases: &[
                (
                    r#"{"words":["hello","world"],"numbers":[3,8,11]}"#,
                    Out(r#"{"joined_numbers":"3,8,11","joined_words":"helloworld"}"#),
                ),
                (
                    r#"{"words":["a",5],"numbers":[]}"#,
                    Fails(
                        "field `this.words`: failed to join element 1: expected string value, got number (5)",
                    ),
                ),
            ],
        }],
        imp: Impl::Method(join),
        annotate: false,
        ..Spec::METHOD
    },
];

fn length(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let n = match &recv {
        Value::Str(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        other => return Err(bad_receiver(call, "string, array or object", other)),
    };
    Ok(Value::Int(n as i64))
}

fn contains(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let needle = call.arg(0);
    let found = match &recv {
        Value::Str(s) => match needle {
            Value::Str(n) => s.contains(n.as_str()),
            other => s.contains(to_display_string(other).as_str()),
        },
        Value::Bytes(b) => {
            let n = to_bytes(needle);
            n.is_empty() || b.windows(n.len()).any(|w| w == n.as_slice())
        }
        Value::Array(a) => a.iter().any(|e| values_equal(needle, e)),
        Value::Object(o) => o.values().any(|e| values_equal(needle, e)),
        other => return Err(bad_receiver(call, "string, array or object", other)),
    };
    Ok(Value::Bool(found))
}

fn object<'v>(call: &Call<'_, '_>, v: &'v Value) -> Result<&'v crate::value::Map> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(bad_receiver(call, "object", other)),
    }
}

fn keys(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let o = object(call, &recv)?;
    Ok(Value::array(
        o.keys().map(|k| Value::Str(k.clone())).collect(),
    ))
}

fn values(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let o = object(call, &recv)?;
    Ok(Value::array(o.values().cloned().collect()))
}

fn key_values(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let o = object(call, &recv)?;
    Ok(Value::array(
        o.iter()
            .map(|(k, v)| obj2("key", Value::Str(k.clone()), "value", v.clone()))
            .collect(),
    ))
}

fn sum(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    if recv.is_number() {
        return Ok(recv);
    }
    let a = array(call, &recv)?;
    let mut total = 0.0;
    let mut err = None;
    for (i, v) in a.iter().enumerate() {
        match v.as_f64() {
            Some(f) => total += f,
            None => err = Some(format!("index {i}: {}", type_text("number", v))),
        }
    }
    match err {
        Some(e) => Err(Error::msg(e)),
        None => Ok(Value::Float(total)),
    }
}

/// Resolves a possibly negative index against a length.
fn resolve_index(index: i64, len: usize) -> std::result::Result<usize, i64> {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let i = if index < 0 {
        len_i.saturating_add(index)
    } else {
        index
    };
    if i < 0 || i >= len_i {
        Err(i)
    } else {
        usize::try_from(i).map_err(|_| i)
    }
}

fn index(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let want = call.int(0);
    let oob = |call: &Call<'_, '_>, i: i64, len: usize| {
        call.annotate(Error::msg(format!(
            "index '{i}' was out of bounds for array size: {len}"
        )))
    };
    match &recv {
        Value::Array(a) => match resolve_index(want, a.len()) {
            Ok(i) => Ok(a[i].clone()),
            Err(i) => Err(oob(call, i, a.len())),
        },
        Value::Bytes(b) => match resolve_index(want, b.len()) {
            Ok(i) => Ok(Value::Int(i64::from(b.as_bytes()[i]))),
            Err(i) => Err(oob(call, i, b.len())),
        },
        other => Err(bad_receiver(call, "array", other)),
    }
}

fn slice_check(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    if let (Some(Some(low)), Some(Some(high))) = (args.first(), args.get(1))
        && let (Some(low), Some(high)) = (low.num(), high.num())
    {
        let (low, high) = (low.to_i64_lossy(), high.to_i64_lossy());
        if high > 0 && low >= high {
            return Err(format!(
                "lower slice bound {low} must be lower than upper ({high})"
            ));
        }
    }
    Ok(None)
}

fn slice(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let low = call.int(0);
    let high = call.given(1).then(|| call.int(1));
    if let Some(h) = high
        && h > 0
        && low >= h
    {
        return Err(Error::msg(format!(
            "lower slice bound {low} must be lower than upper ({h})"
        )));
    }
    let bounds = |len: usize| -> Result<(usize, usize)> {
        let l = i64::try_from(len).unwrap_or(i64::MAX);
        let mut hi = match high {
            Some(h) if h < 0 => l.saturating_add(h),
            Some(h) => h,
            None => l,
        };
        hi = hi.clamp(0, l);
        let mut lo = low;
        if lo < 0 {
            lo = l.saturating_add(lo).max(0);
        }
        if lo > hi {
            return Err(call.annotate(Error::msg(format!(
                "lower slice bound {lo} must be lower than or equal to upper bound ({hi}) and target length ({l})"
            ))));
        }
        Ok((lo as usize, hi as usize))
    };
    match &recv {
        Value::Str(s) => {
            let (lo, hi) = bounds(s.len())?;
            Ok(match s.get(lo..hi) {
                Some(sub) => Value::str(sub),
                None => Value::from(lossy_per_byte(&s.as_bytes()[lo..hi])),
            })
        }
        Value::Bytes(b) => {
            let (lo, hi) = bounds(b.len())?;
            Ok(Value::bytes(&b.as_bytes()[lo..hi]))
        }
        Value::Array(a) => {
            let (lo, hi) = bounds(a.len())?;
            if lo == 0 && hi == a.len() {
                return Ok(recv.clone());
            }
            Ok(Value::array(a[lo..hi].to_vec()))
        }
        other => Err(bad_receiver(call, "array or string", other)),
    }
}

fn join(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let a = array(call, &recv)?;
    let delim = call.opt_str(0).unwrap_or("");
    let mut out: Vec<u8> = Vec::new();
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(delim.as_bytes());
        }
        match v {
            Value::Str(s) => out.extend_from_slice(s.as_bytes()),
            Value::Bytes(b) => out.extend_from_slice(b.as_bytes()),
            other => {
                return Err(call.annotate(Error::msg(format!(
                    "failed to join element {i}: {}",
                    type_text("string", other)
                ))));
            }
        }
    }
    Ok(Value::from(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => lossy_per_byte(e.as_bytes()),
    }))
}
