//! Ordering and deduplication: `sort`, `sort_by`, `unique`.

use super::common::{array, bad_receiver, obj2, type_text, wrapped};
use crate::error::{Error, Result, type_message};
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::Value;
use crate::vm::Call;
use std::collections::HashSet;

const S: Category = Category::Structured;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "sort",
        params: &[Param::opt("compare", Kind::Query)
            .doc("Given `{left, right}`, returns whether left sorts before right.")],
        category: S,
        doc: "Sorts an array of numbers or of strings ascending, or by a comparison query (stable here; upstream's order of equal elements is unspecified).",
        examples: &[
            Example {
                mapping: "root.sorted = this.foo.sort()",
                cases: &[
                    (
                        r#"{"foo":["bbb","ccc","aaa"]}"#,
                        Out(r#"{"sorted":["aaa","bbb","ccc"]}"#),
                    ),
                    (r#"{"foo":[3,1.5,2]}"#, Out(r#"{"sorted":[1.5,2,3]}"#)),
                    (
                        r#"{"foo":[1,"a"]}"#,
                        Fails("sort element 0: expected string value, got number (1)"),
                    ),
                ],
            },
            Example {
                mapping: "root.sorted = this.foo.sort(item -> item.left.v < item.right.v)",
                cases: &[(
                    r#"{"foo":[{"id":"foo","v":"bbb"},{"id":"bar","v":"ccc"},{"id":"baz","v":"aaa"}]}"#,
                    Out(
                        r#"{"sorted":[{"id":"baz","v":"aaa"},{"id":"foo","v":"bbb"},{"id":"bar","v":"ccc"}]}"#,
                    ),
                )],
            },
        ],
        imp: Impl::Method(sort),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "sort_by",
        params: &[Param::req("query", Kind::Query)
            .doc("Run per element; the numbers or strings it returns decide the order.")],
        category: S,
        doc: "Sorts an array ascending by a key computed per element (stable).",
        examples: &[
            Example {
                mapping: "root.sorted = this.foo.sort_by(ele -> ele.id)",
                cases: &[(
                    r#"{"foo":[{"id":"bbb","message":"bar"},{"id":"aaa","message":"foo"},{"id":"ccc","message":"baz"}]}"#,
                    Out(
                        r#"{"sorted":[{"id":"aaa","message":"foo"},{"id":"bbb","message":"bar"},{"id":"ccc","message":"baz"}]}"#,
                    ),
                )],
            },
            Example {
                mapping: "root.sorted = this.items.sort_by(item -> item.priority)",
                cases: &[(
                    r#"{"items":[{"name":"low","priority":3},{"name":"high","priority":1},{"name":"med","priority":2}]}"#,
                    Out(
                        r#"{"sorted":[{"name":"high","priority":1},{"name":"med","priority":2},{"name":"low","priority":3}]}"#,
                    ),
                )],
            },
        ],
        imp: Impl::Method(sort_by),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "unique",
        params: &[Param::opt("emit", Kind::Query)
            .doc("Computes the string or number that identifies each element.")],
        category: S,
        doc: "Keeps the first of each group of duplicate strings or numbers (`\"5\"` and `5` differ).",
        examples: &[
            Example {
                mapping: "root.uniques = this.foo.unique()",
                cases: &[
                    (
                        r#"{"foo":["a","b","a","c"]}"#,
                        Out(r#"{"uniques":["a","b","c"]}"#),
                    ),
                    (r#"{"foo":[1,"1",1.0,2]}"#, Out(r#"{"uniques":[1,"1",2]}"#)),
                    (
                        r#"{"foo":["a",{}]}"#,
                        Fails(
                            "field `this.foo`: index 1: expected string or number value, got object",
                        ),
                    ),
                ],
            },
            Example {
                mapping: "root.unique_users = this.users.unique(u -> u.id)",
                cases: &[(
                    r#"{"users":[{"id":1,"name":"Alice"},{"id":2,"name":"Bob"},{"id":1,"name":"Alice Duplicate"}]}"#,
                    Out(r#"{"unique_users":[{"id":1,"name":"Alice"},{"id":2,"name":"Bob"}]}"#),
                )],
            },
        ],
        imp: Impl::Method(unique),
        annotate: false,
        ..Spec::METHOD
    },
];
/// Sorts with a fallible "less than" that also receives the positions
/// compared (for error messages). Up to 12 elements this performs exactly
/// the comparisons of Go's insertion sort; larger inputs use a stable merge
/// sort. Never panics whatever the comparison returns.
fn sort_with<T>(
    mut v: Vec<T>,
    less: &mut dyn FnMut(&T, &T, usize, usize) -> Result<bool>,
) -> Result<Vec<T>> {
    if v.len() <= 12 {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && less(&v[j], &v[j - 1], j, j - 1)? {
                v.swap(j, j - 1);
                j -= 1;
            }
        }
        return Ok(v);
    }
    let mid = v.len() / 2;
    let right = v.split_off(mid);
    let left = sort_with(v, less)?;
    let right = sort_with(right, less)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().enumerate().peekable();
    let mut r = right.into_iter().enumerate().peekable();
    loop {
        match (l.peek(), r.peek()) {
            (Some((li, lv)), Some((ri, rv))) => {
                if less(rv, lv, mid + *ri, *li)? {
                    out.extend(r.next().map(|(_, x)| x));
                } else {
                    out.extend(l.next().map(|(_, x)| x));
                }
            }
            (Some(_), None) => {
                out.extend(l.map(|(_, x)| x));
                break;
            }
            _ => {
                out.extend(r.map(|(_, x)| x));
                break;
            }
        }
    }
    Ok(out)
}

/// Upstream's natural ordering: decided by the left value's type (numbers
/// as float64, strings and bytes bytewise).
fn natural_less(prefix: &str, a: &Value, b: &Value, i: usize, j: usize) -> Result<bool> {
    match a {
        Value::Int(_) | Value::UInt(_) | Value::Float(_) | Value::Number(_) => {
            let lhs = a.as_f64().unwrap_or(0.0);
            match b.as_f64() {
                Some(rhs) => Ok(lhs < rhs),
                None => Err(Error::msg(format!(
                    "{prefix} element {j}: {}",
                    type_text("number", b)
                ))),
            }
        }
        Value::Str(_) | Value::Bytes(_) => match (a.as_bytes(), b.as_bytes()) {
            (Some(lhs), Some(rhs)) => Ok(lhs < rhs),
            _ => Err(Error::msg(format!(
                "{prefix} element {j}: {}",
                type_text("string", b)
            ))),
        },
        other => Err(Error::msg(format!(
            "{prefix} element {i}: {}",
            type_text("number or string", other)
        ))),
    }
}

/// The receiver's elements as an owned vector (no copy when unshared).
fn owned(a: crate::value::Arc<Vec<Value>>) -> Vec<Value> {
    crate::value::Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone())
}

fn sort(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let Value::Array(a) = recv else {
        return Err(bad_receiver(call, "array", &recv));
    };
    if a.len() < 2 {
        return Ok(Value::Array(a));
    }
    let items = owned(a);
    let sorted = if call.given(0) {
        sort_with(items, &mut |x: &Value, y: &Value, _, _| match call
            .query(0, obj2("left", x.clone(), "right", y.clone()))?
        {
            Value::Bool(b) => Ok(b),
            other => Err(Error::msg(type_message(
                "bool",
                &other,
                Some("sort argument"),
            ))),
        })?
    } else {
        sort_with(items, &mut |x: &Value, y: &Value, i, j| {
            natural_less("sort", x, y, i, j)
        })?
    };
    Ok(Value::array(sorted))
}

fn sort_by(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let Value::Array(a) = recv else {
        return Err(bad_receiver(call, "array", &recv));
    };
    if a.len() < 2 {
        return Ok(Value::Array(a));
    }
    let mut keyed = Vec::with_capacity(a.len());
    for v in owned(a) {
        let k = call.query(0, v.clone())?;
        keyed.push((k, v));
    }
    let sorted = sort_with(keyed, &mut |x: &(Value, Value),
                                        y: &(Value, Value),
                                        i,
                                        j| {
        natural_less("sort_by", &x.0, &y.0, i, j)
    })?;
    Ok(Value::array(sorted.into_iter().map(|(_, v)| v).collect()))
}

fn unique(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let a = array(call, &recv)?;
    let emit = call.given(0);
    let mut strings: HashSet<Vec<u8>> = HashSet::new();
    let mut numbers: HashSet<u64> = HashSet::new();
    let mut out = Vec::with_capacity(a.len());
    for (i, v) in a.iter().enumerate() {
        let check = if emit {
            call.query(0, v.clone())
                .map_err(|e| wrapped(call, format_args!("index {i}: "), e))?
        } else {
            v.clone()
        };
        let fresh = match &check {
            Value::Str(_) | Value::Bytes(_) => {
                strings.insert(check.as_bytes().unwrap_or_default().to_vec())
            }
            n if n.is_number() => {
                let f = n.as_f64().unwrap_or(0.0);
                // Go map keys: NaN never equals itself, -0 equals +0.
                f.is_nan() || numbers.insert(if f == 0.0 { 0 } else { f.to_bits() })
            }
            other => {
                return Err(call.annotate(Error::msg(format!(
                    "index {i}: {}",
                    type_text("string or number", other)
                ))));
            }
        };
        if fresh {
            out.push(v.clone());
        }
    }
    Ok(Value::array(out))
}
