//! Building arrays: `enumerated`, `find`, `find_all`, `append`, `concat`,
//! `flatten`, `zip`.

use super::common::{array, bad_receiver, obj2, type_text};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec, Status};
use crate::value::{Arc, Value, values_equal};
use crate::vm::Call;

const S: Category = Category::Structured;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "enumerated",
        category: S,
        doc: "The elements of an array as `{index, value}` objects.",
        examples: &[
            Example {
                mapping: "root.foo = this.foo.enumerated()",
                cases: &[(
                    r#"{"foo":["bar","baz"]}"#,
                    Out(r#"{"foo":[{"index":0,"value":"bar"},{"index":1,"value":"baz"}]}"#),
                )],
            },
            Example {
                mapping: "root.first_two = this.items.enumerated().filter(item -> item.index < 2).map_each(item -> item.value)",
                cases: &[(
                    r#"{"items":["a","b","c","d"]}"#,
                    Out(r#"{"first_two":["a","b"]}"#),
                )],
            },
        ],
        imp: Impl::Method(enumerated),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "find",
        params: &[Param::req("value", Kind::Any).doc("The value to look for.")],
        category: S,
        status: Status::Beta,
        doc: "The index of the first array element deep-equal to the argument, or -1.",
        examples: &[
            Example {
                mapping: r#"root.index = this.find("bar")"#,
                cases: &[(r#"["foo", "bar", "baz"]"#, Out(r#"{"index":1}"#))],
            },
            Example {
                mapping: "root.index = this.things.find(this.goal)",
                cases: &[
                    (
                        r#"{"goal":"bar","things":["foo", "bar", "baz"]}"#,
                        Out(r#"{"index":1}"#),
                    ),
                    (
                        r#"{"goal":"nope","things":["foo"]}"#,
                        Out(r#"{"index":-1}"#),
                    ),
                ],
            },
        ],
        imp: Impl::Method(find),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "find_all",
        params: &[Param::req("value", Kind::Any).doc("The value to look for.")],
        category: S,
        status: Status::Beta,
        doc: "The indexes of every array element deep-equal to the argument.",
        examples: &[
            Example {
                mapping: r#"root.index = this.find_all("bar")"#,
                cases: &[(r#"["foo", "bar", "baz", "bar"]"#, Out(r#"{"index":[1,3]}"#))],
            },
            Example {
                mapping: "root.indexes = this.things.find_all(this.goal)",
                cases: &[(
                    r#"{"goal":"bar","things":["foo", "bar", "baz", "bar", "buz"]}"#,
                    Out(r#"{"indexes":[1,3]}"#),
                )],
            },
        ],
        imp: Impl::Method(find_all),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "append",
        params: &[Param::req("values", Kind::Any)],
        variadic: true,
        category: S,
        doc: "A copy of the array with the arguments added at the end.",
        examples: &[
            Example {
                mapping: r#"root.foo = this.foo.append("and", "this")"#,
                cases: &[(
                    r#"{"foo":["bar","baz"]}"#,
                    Out(r#"{"foo":["bar","baz","and","this"]}"#),
                )],
            },
            Example {
                mapping: "root.combined = this.items.append(this.new_item)",
                cases: &[(
                    r#"{"items":["apple","banana"],"new_item":"orange"}"#,
                    Out(r#"{"combined":["apple","banana","orange"]}"#),
                )],
            },
        ],
        imp: Impl::Method(append),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "concat",
        params: &[Param::req("arrays", Kind::Any)],
        variadic: true,
        category: S,
        doc: "The array followed by the elements of each argument array.",
        examples: &[Example {
            mapping: "root.foo = this.foo.concat(this.bar, this.baz)",
            cases: &[
                (
                    r#"{"foo":["a","b"],"bar":["c"],"baz":["d","e","f"]}"#,
                    Out(r#"{"foo":["a","b","c","d","e","f"]}"#),
                ),
                (
                    r#"{"foo":["a"],"bar":"c","baz":[]}"#,
                    Fails(r#"failed assignment (line 1): expected array value, got string ("c")"#),
                ),
            ],
        }],
        imp: Impl::Method(concat),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "flatten",
        category: S,
        doc: "Replaces each array element that is itself an array by its elements (one level).",
        examples: &[
            Example {
                mapping: "root.result = this.flatten()",
                cases: &[(
                    r#"["foo",["bar","baz"],"buz"]"#,
                    Out(r#"{"result":["foo","bar","baz","buz"]}"#),
                )],
            },
            Example {
                mapping: "root.result = this.data.flatten()",
                cases: &[(
                    r#"{"data":["a",["b",["c","d"]],"e"]}"#,
                    Out(r#"{"result":["a","b",["c","d"],"e"]}"#),
                )],
            },
        ],
        imp: Impl::Method(flatten),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "zip",
        params: &[Param::req("arrays", Kind::Any)],
        variadic: true,
        category: S,
        doc: "Combines the array with argument arrays of the same length into an array of tuples `[a0, b0, …]`.",
        examples: &[Example {
            mapping: "root.foo = this.foo.zip(this.bar, this.baz)",
            cases: &[
                (
                    r#"{"foo":["a","b","c"],"bar":[1,2,3],"baz":[4,5,6]}"#,
                    Out(r#"{"foo":[["a",1,4],["b",2,5],["c",3,6]]}"#),
                ),
                (
                    r#"{"foo":["a"],"bar":[1,2],"baz":[4,5]}"#,
                    Fails("failed assignment (line 1): can't zip different length array values"),
                ),
            ],
        }],
        imp: Impl::Method(zip),
        annotate: false,
        ..Spec::METHOD
    },
];
fn enumerated(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let a = array(call, &recv)?;
    Ok(Value::array(
        a.iter()
            .enumerate()
            .map(|(i, v)| obj2("index", Value::Int(i as i64), "value", v.clone()))
            .collect(),
    ))
}

fn find(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let a = array(call, &recv)?;
    let needle = call.arg(0);
    let pos = a.iter().position(|e| values_equal(needle, e));
    Ok(Value::Int(pos.map_or(-1, |p| p as i64)))
}

fn find_all(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let a = array(call, &recv)?;
    let needle = call.arg(0);
    Ok(Value::array(
        a.iter()
            .enumerate()
            .filter(|(_, e)| values_equal(needle, e))
            .map(|(i, _)| Value::Int(i as i64))
            .collect(),
    ))
}

/// The receiver's elements as an owned vector (no copy when unshared).
fn owned(a: Arc<Vec<Value>>) -> Vec<Value> {
    Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone())
}

fn append(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let Value::Array(a) = recv else {
        return Err(bad_receiver(call, "array", &recv));
    };
    let mut out = owned(a);
    let n = call.args().len();
    out.reserve(n);
    for i in 0..n {
        out.push(call.take_arg(i));
    }
    Ok(Value::array(out))
}

fn concat(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let mut extra = 0;
    for a in call.args() {
        match a {
            Value::Array(x) => extra += x.len(),
            other => return Err(Error::msg(type_text("array", other))),
        }
    }
    let Value::Array(a) = recv else {
        return Err(Error::msg(type_text("array", &recv)));
    };
    let mut out = owned(a);
    out.reserve(extra);
    for a in call.args() {
        if let Value::Array(x) = a {
            out.extend(x.iter().cloned());
        }
    }
    Ok(Value::array(out))
}

fn flatten(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let a = array(call, &recv)?;
    let mut out = Vec::with_capacity(a.len());
    for v in a {
        match v {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::array(out))
}

fn zip(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    const SIZE: &str = "can't zip different length array values";
    let mut arrays: Vec<&[Value]> = Vec::with_capacity(call.args().len());
    for a in call.args() {
        match a {
            Value::Array(x) => {
                if arrays.first().is_some_and(|f| f.len() != x.len()) {
                    return Err(Error::msg(SIZE));
                }
                arrays.push(x.as_slice());
            }
            other => return Err(Error::msg(type_text("array", other))),
        }
    }
    let Value::Array(a) = &recv else {
        return Err(Error::msg(type_text("array", &recv)));
    };
    let Some(first) = arrays.first() else {
        return Err(Error::msg("zip requires at least one argument"));
    };
    if first.len() != a.len() {
        return Err(Error::msg(SIZE));
    }
    Ok(Value::array(
        a.iter()
            .enumerate()
            .map(|(i, v)| {
                let mut tuple = Vec::with_capacity(arrays.len() + 1);
                tuple.push(v.clone());
                tuple.extend(arrays.iter().map(|x| x[i].clone()));
                Value::array(tuple)
            })
            .collect(),
    ))
}
