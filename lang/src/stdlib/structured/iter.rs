//! Methods that run a query per element: `map_each`, `filter`,
//! `map_each_key`, `fold`, `all`, `any`, `find_by`, `find_all_by`.

use super::common::{array, bad_receiver, direct, is_typeish, obj2, type_text, wrapped};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec, Status};
use crate::value::{Map, Str, Value};
use crate::vm::Call;

const S: Category = Category::Structured;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "map_each",
        params: &[Param::req("query", Kind::Query).doc(
            "Run per element (`this` = element) or per object entry (`this` = `{key, value}`).",
        )],
        category: S,
        doc: "Replaces each array element or object value by the query's result; `deleted()` drops it, `nothing()` keeps the original.",
        examples: &[
            Example {
                mapping: "root.new_nums = this.nums.map_each(num -> if num < 10 {\n  deleted()\n} else {\n  num - 10\n})",
                cases: &[(r#"{"nums":[3,11,4,17]}"#, Out(r#"{"new_nums":[1,7]}"#))],
            },
            Example {
                mapping: "root.new_dict = this.dict.map_each(item -> item.value.uppercase())",
                cases: &[(
                    r#"{"dict":{"foo":"hello","bar":"world"}}"#,
                    Out(r#"{"new_dict":{"bar":"WORLD","foo":"HELLO"}}"#),
                )],
            },
            Example {
                mapping: "root.out = this.list.map_each(x -> if x > 1 { x * 10 })",
                cases: &[(r#"{"list":[1,2,3]}"#, Out(r#"{"out":[1,20,30]}"#))],
            },
        ],
        imp: Impl::Method(map_each),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "filter",
        params: &[Param::req("test", Kind::Query).doc(
            "Run per element (objects: `this` = `{key, value}`); only a `true` result keeps it.",
        )],
        category: S,
        doc: "Keeps the array elements or object entries for which the test returns `true`.",
        examples: &[
            Example {
                mapping: "root.new_nums = this.nums.filter(num -> num > 10)",
                cases: &[(r#"{"nums":[3,11,4,17]}"#, Out(r#"{"new_nums":[11,17]}"#))],
            },
            Example {
                mapping: r#"root.new_dict = this.dict.filter(item -> item.value.contains("foo"))"#,
                cases: &[(
                    r#"{"dict":{"first":"hello foo","second":"world","third":"this foo is great"}}"#,
                    Out(r#"{"new_dict":{"first":"hello foo","third":"this foo is great"}}"#),
                )],
            },
        ],
        imp: Impl::Method(filter),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "map_each_key",
        params: &[Param::req("query", Kind::Query).doc(
            "Run per key (`this` = key); must return a string, or `nothing()` to keep the key.",
        )],
        category: S,
        doc: "Renames the keys of an object by a query.",
        examples: &[
            Example {
                mapping: "root.new_dict = this.dict.map_each_key(key -> key.uppercase())",
                cases: &[(
                    r#"{"dict":{"keya":"hello","keyb":"world"}}"#,
                    Out(r#"{"new_dict":{"KEYA":"hello","KEYB":"world"}}"#),
                )],
            },
            Example {
                mapping: r#"root = this.map_each_key(key -> if key.contains("kafka") { "_" + key })"#,
                cases: &[(
                    r#"{"amqp_key":"foo","kafka_key":"bar","kafka_topic":"baz"}"#,
                    Out(r#"{"_kafka_key":"bar","_kafka_topic":"baz","amqp_key":"foo"}"#),
                )],
            },
        ],
        imp: Impl::Method(map_each_key),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "fold",
        params: &[
            Param::req("initial", Kind::Any).doc("The starting tally."),
            Param::req("query", Kind::Query).doc(
                "Run per element with `this` = `{tally, value}`; its result is the next tally.",
            ),
        ],
        category: S,
        doc: "Reduces an array to one value, threading a tally through a query.",
        examples: &[
            Example {
                mapping: "root.sum = this.foo.fold(0, item -> item.tally + item.value)",
                cases: &[(r#"{"foo":[3,8,11]}"#, Out(r#"{"sum":22}"#))],
            },
            Example {
                mapping: r#"root.result = this.foo.fold("", item -> "%v%v".format(item.tally, item.value))"#,
                cases: &[(
                    r#"{"foo":["hello ", "world"]}"#,
                    Out(r#"{"result":"hello world"}"#),
                )],
            },
            Example {
                mapping: "root.smoothie = this.fruits.fold({}, item -> item.tally.merge(item.value))",
                cases: &[(
                    r#"{"fruits":[{"apple":5},{"banana":3},{"orange":8}]}"#,
                    Out(r#"{"smoothie":{"apple":5,"banana":3,"orange":8}}"#),
                )],
            },
        ],
        imp: Impl::Method(fold),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "all",
        params: &[Param::req("test", Kind::Query).doc("Run per element; must return a bool.")],
        category: S,
        doc: "True when the test is true for every element of a non-empty array.",
        examples: &[
            Example {
                mapping: "root.all_over_21 = this.patrons.all(patron -> patron.age >= 21)",
                cases: &[
                    (
                        r#"{"patrons":[{"id":"1","age":18},{"id":"2","age":23}]}"#,
                        Out(r#"{"all_over_21":false}"#),
                    ),
                    (
                        r#"{"patrons":[{"id":"1","age":45},{"id":"2","age":23}]}"#,
                        Out(r#"{"all_over_21":true}"#),
                    ),
                ],
            },
            Example {
                mapping: "root.all_positive = this.values.all(v -> v > 0)",
                cases: &[
                    (r#"{"values":[1,2,3,4,5]}"#, Out(r#"{"all_positive":true}"#)),
                    (
                        r#"{"values":[1,-2,3,4,5]}"#,
                        Out(r#"{"all_positive":false}"#),
                    ),
                    (r#"{"values":[]}"#, Out(r#"{"all_positive":false}"#)),
                ],
            },
            Example {
                mapping: "root.ok = this.values.all(v -> v)",
                cases: &[(
                    r#"{"values":[5]}"#,
                    Fails("field `this.values`: element 0: expected bool value, got number (5)"),
                )],
            },
        ],
        imp: Impl::Method(all),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "any",
        params: &[Param::req("test", Kind::Query).doc("Run per element; must return a bool.")],
        category: S,
        doc: "True when the test is true for at least one element of the array.",
        examples: &[
            Example {
                mapping: "root.any_over_21 = this.patrons.any(patron -> patron.age >= 21)",
                cases: &[
                    (
                        r#"{"patrons":[{"id":"1","age":18},{"id":"2","age":23}]}"#,
                        Out(r#"{"any_over_21":true}"#),
                    ),
                    (
                        r#"{"patrons":[{"id":"1","age":10},{"id":"2","age":12}]}"#,
                        Out(r#"{"any_over_21":false}"#),
                    ),
                ],
            },
            Example {
                mapping: r#"root.has_errors = this.results.any(r -> r.status == "error")"#,
                cases: &[
                    (
                        r#"{"results":[{"status":"ok"},{"status":"error"},{"status":"ok"}]}"#,
                        Out(r#"{"has_errors":true}"#),
                    ),
                    (
                        r#"{"results":[{"status":"ok"},{"status":"ok"}]}"#,
                        Out(r#"{"has_errors":false}"#),
                    ),
                ],
            },
        ],
        imp: Impl::Method(any),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "find_by",
        params: &[Param::req("query", Kind::Query).doc("Run per element; must return a bool.")],
        category: S,
        status: Status::Beta,
        doc: "The index of the first array element for which the query is true, or -1.",
        examples: &[
            Example {
                mapping: r#"root.index = this.find_by(v -> v != "bar")"#,
                cases: &[(r#"["foo", "bar", "baz"]"#, Out(r#"{"index":0}"#))],
            },
            Example {
                mapping: "root.first_adult = this.users.find_by(u -> u.age >= 18)",
                cases: &[(
                    r#"{"users":[{"name":"Alice","age":15},{"name":"Bob","age":22},{"name":"Carol","age":19}]}"#,
                    Out(r#"{"first_adult":1}"#),
                )],
            },
        ],
        imp: Impl::Method(find_by),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "find_all_by",
        params: &[Param::req("query", Kind::Query).doc("Run per element; must return a bool.")],
        category: S,
        status: Status::Beta,
        doc: "The indexes of every array element for which the query is true.",
        examples: &[
            Example {
                mapping: r#"root.index = this.find_all_by(v -> v != "bar")"#,
                cases: &[(r#"["foo", "bar", "baz"]"#, Out(r#"{"index":[0,2]}"#))],
            },
            Example {
                mapping: r#"root.error_indexes = this.logs.find_all_by(log -> log.level == "error")"#,
                cases: &[(
                    r#"{"logs":[{"level":"info"},{"level":"error"},{"level":"warn"},{"level":"error"}]}"#,
                    Out(r#"{"error_indexes":[1,3]}"#),
                )],
            },
        ],
        imp: Impl::Method(find_all_by),
        annotate: false,
        ..Spec::METHOD
    },
];

/// The `{key, value}` context of an object entry.
fn entry(k: &Str, v: &Value) -> Value {
    obj2("key", Value::Str(k.clone()), "value", v.clone())
}

fn map_each(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    // Upstream wraps the query's error and then adds the receiver's
    // annotation only when the error was a plain type error.
    let fail = |call: &Call<'_, '_>, at: &dyn std::fmt::Display, e: Error| {
        let msg = e.message();
        let full = Error::msg(format!("failed to process element {at}: {msg}"));
        if is_typeish(&msg) {
            call.annotate(full)
        } else {
            full
        }
    };
    match &recv {
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for (i, v) in a.iter().enumerate() {
                match call.query(0, v.clone()) {
                    Ok(Value::Delete) => {}
                    Ok(Value::Nothing) => out.push(v.clone()),
                    Ok(r) => out.push(r),
                    Err(e) => return Err(fail(call, &i, e)),
                }
            }
            Ok(Value::array(out))
        }
        Value::Object(o) => {
            let mut out = Vec::with_capacity(o.len());
            for (k, v) in o.iter() {
                match call.query(0, entry(k, v)) {
                    Ok(Value::Delete) => {}
                    Ok(Value::Nothing) => out.push((k.clone(), v.clone())),
                    Ok(r) => out.push((k.clone(), r)),
                    Err(e) => return Err(fail(call, k, e)),
                }
            }
            Ok(Value::object(Map::from_pairs(out)))
        }
        other => Err(bad_receiver(call, "array", other)),
    }
}

fn filter(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    match &recv {
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for v in a.iter() {
                match call.query(0, v.clone()) {
                    Ok(Value::Bool(true)) => out.push(v.clone()),
                    Ok(_) => {}
                    Err(e) => return Err(direct(call, e)),
                }
            }
            if out.len() == a.len() {
                return Ok(recv.clone());
            }
            Ok(Value::array(out))
        }
        Value::Object(o) => {
            let mut out = Vec::with_capacity(o.len());
            for (k, v) in o.iter() {
                match call.query(0, entry(k, v)) {
                    Ok(Value::Bool(true)) => out.push((k.clone(), v.clone())),
                    Ok(_) => {}
                    Err(e) => return Err(direct(call, e)),
                }
            }
            if out.len() == o.len() {
                return Ok(recv.clone());
            }
            Ok(Value::object(Map::from_pairs(out)))
        }
        other => Err(bad_receiver(call, "array or object", other)),
    }
}

fn map_each_key(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let Value::Object(o) = &recv else {
        return Err(bad_receiver(call, "object", &recv));
    };
    let mut out = Map::with_capacity(o.len());
    for (k, v) in o.iter() {
        match call.query(0, Value::Str(k.clone())) {
            Ok(Value::Nothing) => {
                out.insert(k.clone(), v.clone());
            }
            Ok(Value::Str(nk)) => {
                out.insert(nk, v.clone());
            }
            Ok(other) => {
                return Err(call.annotate(Error::msg(format!(
                    "unexpected result from key mapping: {}",
                    type_text("string", &other)
                ))));
            }
            Err(e) => return Err(direct(call, e)),
        }
    }
    Ok(Value::object(out))
}

fn fold(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let a = array(call, &recv)?;
    let mut tally = call.take_arg(0);
    for v in a.iter() {
        tally = call
            .query(1, obj2("tally", tally, "value", v.clone()))
            .map_err(|e| direct(call, e))?;
    }
    Ok(tally)
}

/// Runs a bool test per element; `stop_on` ends the scan early.
fn test_each(call: &mut Call<'_, '_>, recv: &Value, stop_on: bool) -> Result<bool> {
    let a = array(call, recv)?;
    if a.is_empty() {
        return Ok(false);
    }
    for (i, v) in a.iter().enumerate() {
        match call.query(0, v.clone()) {
            Ok(Value::Bool(b)) if b == stop_on => return Ok(stop_on),
            Ok(Value::Bool(_)) => {}
            Ok(other) => {
                return Err(call.annotate(Error::msg(format!(
                    "element {i}: {}",
                    type_text("bool", &other)
                ))));
            }
            Err(e) => return Err(wrapped(call, format_args!("element {i}: "), e)),
        }
    }
    Ok(!stop_on)
}

fn all(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    test_each(call, &recv, false).map(Value::Bool)
}

fn any(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    test_each(call, &recv, true).map(Value::Bool)
}

/// The indexes whose query result is true; stops at the first when `first`.
fn find_indexes(call: &mut Call<'_, '_>, recv: &Value, first: bool) -> Result<Vec<Value>> {
    let a = array(call, recv)?;
    let mut out = Vec::new();
    for (i, v) in a.iter().enumerate() {
        match call.query(0, v.clone()) {
            Ok(Value::Bool(true)) => {
                out.push(Value::Int(i as i64));
                if first {
                    break;
                }
            }
            Ok(Value::Bool(false)) => {}
            Ok(other) => {
                return Err(call.annotate(Error::msg(format!(
                    "query returned a non-boolean value for index {i}: {}",
                    type_text("bool", &other)
                ))));
            }
            Err(e) => {
                return Err(wrapped(
                    call,
                    format_args!("query returned an error for index {i}: "),
                    e,
                ));
            }
        }
    }
    Ok(out)
}

fn find_by(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    Ok(find_indexes(call, &recv, true)?
        .pop()
        .unwrap_or(Value::Int(-1)))
}

fn find_all_by(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    Ok(Value::array(find_indexes(call, &recv, false)?))
}
