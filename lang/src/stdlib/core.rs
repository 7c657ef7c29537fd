//! Control, context and message-access entries: `catch`, `or`, `apply`,
//! `from`, `content()`, `json()`, `metadata()`, `deleted()`, `throw()` …

use super::util::split_path;
use super::{Category, Example, Expect::*, Impl, Kind, Param, Spec, Status};
use crate::convert::to_display_string;
use crate::error::{Error, Result};
use crate::value::{Map, Value};
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "catch",
        params: &[Param::req("fallback", Kind::Query)
            .doc("Evaluated when the receiver fails, with `this` set to the error message.")],
        doc: "Returns the receiver, or the fallback when evaluating the receiver fails.",
        examples: &[Example {
            mapping: r#"root.doc = this.doc.number().catch(0)"#,
            cases: &[
                (r#"{"doc":"nope"}"#, Out(r#"{"doc":0}"#)),
                (r#"{"doc":"5"}"#, Out(r#"{"doc":5}"#)),
            ],
        }],
        imp: Impl::Method(catch),
        lazy_receiver: true,
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "or",
        params: &[
            Param::req("fallback", Kind::Lazy).doc("Evaluated when the receiver is null or fails.")
        ],
        doc: "Returns the receiver unless it is null, deleted, nothing or fails; then the fallback.",
        examples: &[Example {
            mapping: r#"root.name = this.name.or("anonymous")"#,
            cases: &[
                (r#"{}"#, Out(r#"{"name":"anonymous"}"#)),
                (r#"{"name":"x"}"#, Out(r#"{"name":"x"}"#)),
            ],
        }],
        imp: Impl::Method(or),
        lazy_receiver: true,
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "map",
        params: &[Param::req("query", Kind::Query)],
        doc: "Evaluates the query with `this` set to the receiver (the same as `.( … )`).",
        examples: &[Example {
            mapping: r#"root.total = this.order.map(this.price * this.qty)"#,
            cases: &[(r#"{"order":{"price":2,"qty":3}}"#, Out(r#"{"total":6}"#))],
        }],
        imp: Impl::Method(map_method),
        ..Spec::METHOD
    },
    Spec {
        name: "not",
        doc: "Negates a boolean (the same as `!`).",
        examples: &[Example {
            mapping: r#"root.off = this.on.not()"#,
            cases: &[(r#"{"on":true}"#, Out(r#"{"off":false}"#))],
        }],
        imp: Impl::Method(not),
        ..Spec::METHOD
    },
    Spec {
        name: "apply",
        params: &[
            Param::req("mapping", Kind::Str).doc("The name of a `map` defined in the mapping.")
        ],
        doc: "Runs a named map with `this` set to the receiver and returns the map's `root`.",
        examples: &[Example {
            mapping: "map greet {\n  root.msg = \"hello \" + this.name\n}\nroot = this.apply(\"greet\")",
            cases: &[(r#"{"name":"ann"}"#, Out(r#"{"msg":"hello ann"}"#))],
        }],
        imp: Impl::Method(apply),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "from",
        params: &[Param::req("index", Kind::Int)],
        doc: "Evaluates the receiver against another message of the batch (for `content()`, `json()`, `metadata()` and `batch_index()`).",
        examples: &[Example {
            mapping: r#"root.first = batch_index().from(0)"#,
            cases: &[(r#"{}"#, Out(r#"{"first":0}"#))],
        }],
        imp: Impl::Method(from),
        lazy_receiver: true,
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "from_all",
        doc: "Evaluates the receiver against every message of the batch and returns the results as an array.",
        examples: &[Example {
            mapping: r#"root.all = json("n").from_all()"#,
            cases: &[(r#"{"n":1}"#, Out(r#"{"all":[1]}"#))],
        }],
        imp: Impl::Method(from_all),
        lazy_receiver: true,
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "content",
        category: Category::Message,
        doc: "The raw content of the input message as bytes, whatever the mapping has assigned so far.",
        examples: &[Example {
            mapping: r#"root.doc = content().string()"#,
            cases: &[(r#"{"foo":"bar"}"#, Out(r#"{"doc":"{\"foo\":\"bar\"}"}"#))],
        }],
        imp: Impl::Function(content),
        ..Spec::FUNCTION
    },
    Spec {
        name: "json",
        params: &[Param::with("path", Kind::Str, super::Default::Str(""))
            .doc("A dot path into the document; empty for the whole document.")],
        category: Category::Message,
        doc: "The input message parsed as JSON (or the value at a dot path in it), whatever `this` is.",
        examples: &[Example {
            mapping: r#"root.mapped = json("foo.bar")"#,
            cases: &[(
                r#"{"foo":{"bar":"hello world"}}"#,
                Out(r#"{"mapped":"hello world"}"#),
            )],
        }],
        imp: Impl::Function(json),
        ..Spec::FUNCTION
    },
    Spec {
        name: "metadata",
        params: &[Param::with("key", Kind::Str, super::Default::Str(""))],
        category: Category::Message,
        doc: "A metadata value of the input message (null when absent), or all metadata as an object when no key is given.",
        examples: &[Example {
            mapping: r#"root.topic = metadata("kafka_topic")"#,
            cases: &[(r#"{}"#, Out(r#"{"topic":null}"#))],
        }],
        imp: Impl::Function(metadata),
        ..Spec::FUNCTION
    },
    Spec {
        name: "meta",
        params: &[Param::with("key", Kind::Str, super::Default::Str(""))],
        category: Category::Message,
        status: Status::Deprecated,
        doc: "A metadata value of the input message as a string (null when absent or empty); prefer `metadata()` or `@`.",
        examples: &[Example {
            mapping: r#"root.topic = meta("kafka_topic")"#,
            cases: &[(r#"{}"#, Out(r#"{"topic":null}"#))],
        }],
        imp: Impl::Function(meta),
        ..Spec::FUNCTION
    },
    Spec {
        name: "root_meta",
        params: &[Param::with("key", Kind::Str, super::Default::Str(""))],
        category: Category::Message,
        status: Status::Deprecated,
        doc: "A metadata value of the output message as a string; prefer `@`.",
        examples: &[],
        imp: Impl::Function(root_meta),
        ..Spec::FUNCTION
    },
    Spec {
        name: "batch_index",
        category: Category::Message,
        doc: "The index of the message within its batch.",
        examples: &[Example {
            mapping: r#"root.i = batch_index()"#,
            cases: &[(r#"{}"#, Out(r#"{"i":0}"#))],
        }],
        imp: Impl::Function(batch_index),
        ..Spec::FUNCTION
    },
    Spec {
        name: "batch_size",
        category: Category::Message,
        doc: "The number of messages in the batch.",
        examples: &[Example {
            mapping: r#"root.n = batch_size()"#,
            cases: &[(r#"{}"#, Out(r#"{"n":1}"#))],
        }],
        imp: Impl::Function(batch_size),
        ..Spec::FUNCTION
    },
    Spec {
        name: "error",
        category: Category::Message,
        doc: "The error attached to the message by an earlier failed step, or null.",
        examples: &[Example {
            mapping: r#"root.e = error()"#,
            cases: &[(r#"{}"#, Out(r#"{"e":null}"#))],
        }],
        imp: Impl::Function(error),
        ..Spec::FUNCTION
    },
    Spec {
        name: "errored",
        category: Category::Message,
        doc: "True when an earlier step failed on this message.",
        examples: &[Example {
            mapping: r#"root.failed = errored()"#,
            cases: &[(r#"{}"#, Out(r#"{"failed":false}"#))],
        }],
        imp: Impl::Function(errored),
        ..Spec::FUNCTION
    },
    Spec {
        name: "deleted",
        doc: "The deletion sentinel: assigned to `root` it drops the message, to a field it removes the field, in an array literal it omits the element.",
        examples: &[Example {
            mapping: "root = this\nroot.bar = deleted()",
            cases: &[(r#"{"bar":1,"baz":2}"#, Out(r#"{"baz":2}"#))],
        }],
        imp: Impl::Function(deleted),
        ..Spec::FUNCTION
    },
    Spec {
        name: "nothing",
        status: Status::Hidden,
        doc: "The nothing sentinel: an assignment of it is skipped.",
        examples: &[Example {
            mapping: "root.a = 1\nroot.a = nothing()",
            cases: &[(r#"{}"#, Out(r#"{"a":1}"#))],
        }],
        imp: Impl::Function(nothing),
        ..Spec::FUNCTION
    },
    Spec {
        name: "throw",
        params: &[Param::req("why", Kind::Str)],
        doc: "Fails with exactly the given message.",
        examples: &[Example {
            mapping: r#"root = if this.ok { this } else { throw("not ok") }"#,
            cases: &[(
                r#"{"ok":false}"#,
                Fails("failed assignment (line 1): not ok"),
            )],
        }],
        imp: Impl::Function(throw),
        ..Spec::FUNCTION
    },
    Spec {
        name: "var",
        params: &[Param::req("name", Kind::Str)],
        status: Status::Hidden,
        doc: "The value of a variable by name, for names `$` cannot spell.",
        examples: &[Example {
            mapping: "let \"my var\" = 5\nroot.v = var(\"my var\")",
            cases: &[(r#"{}"#, Out(r#"{"v":5}"#))],
        }],
        imp: Impl::Function(var),
        ..Spec::FUNCTION
    },
];

fn var(call: &mut Call<'_, '_>) -> Result<Value> {
    let name = call.str(0);
    match call.variable(name) {
        Some(v) => Ok(v.clone()),
        None => Err(Error::msg(format!("variable '{name}' undefined"))),
    }
}

fn catch(call: &mut Call<'_, '_>, _: Value) -> Result<Value> {
    match call.receiver() {
        Ok(v) => Ok(v),
        Err(e) => call.query(0, Value::from(e.message())),
    }
}

fn or(call: &mut Call<'_, '_>, _: Value) -> Result<Value> {
    match call.receiver() {
        Ok(v) if !v.is_nullish() => Ok(v),
        _ => call.query(0, Value::Null),
    }
}

fn map_method(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    call.query(0, recv)
}

fn not(_: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    match recv {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        other => Err(Error::type_mismatch("bool", &other)),
    }
}

fn apply(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let name = call.str(0).to_string();
    call.apply_map(&name, recv)
}

fn batch_position(call: &Call<'_, '_>, index: i64) -> Result<usize> {
    let size = call.batch().len();
    usize::try_from(index)
        .ok()
        .filter(|i| *i < size)
        .ok_or_else(|| {
            Error::msg(format!(
                "index {index} is out of bounds for a batch of size {size}"
            ))
        })
}

fn from(call: &mut Call<'_, '_>, _: Value) -> Result<Value> {
    let index = batch_position(call, call.int(0))?;
    call.with_index(index, |c| c.receiver())
}

fn from_all(call: &mut Call<'_, '_>, _: Value) -> Result<Value> {
    let size = call.batch().len();
    let mut out = Vec::with_capacity(size);
    for i in 0..size {
        out.push(call.with_index(i, |c| c.receiver())?);
    }
    Ok(Value::array(out))
}

fn content(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(call
        .message()
        .map_or_else(|| Value::bytes(b""), |m| Value::Bytes(m.content().clone())))
}

fn json(call: &mut Call<'_, '_>) -> Result<Value> {
    let Some(msg) = call.message() else {
        return Ok(Value::Null);
    };
    let doc = msg
        .structured()
        .map_err(|e| Error::msg(format!("failed to parse message as JSON: {e}")))?;
    let path = split_path(call.str(0));
    Ok(doc.get_path(&path).cloned().unwrap_or(Value::Null))
}

fn metadata(call: &mut Call<'_, '_>) -> Result<Value> {
    let Some(msg) = call.message() else {
        return Ok(Value::Null);
    };
    let key = call.str(0);
    if key.is_empty() {
        return Ok(Value::Object(msg.meta().clone()));
    }
    Ok(msg.meta().get(key).cloned().unwrap_or(Value::Null))
}

fn stringified(meta: &Map, key: &str) -> Value {
    if key.is_empty() {
        return Value::object(
            meta.iter()
                .map(|(k, v)| (k.clone(), Value::from(to_display_string(v))))
                .collect(),
        );
    }
    match meta.get(key) {
        None => Value::Null,
        Some(v) => {
            let s = to_display_string(v);
            if s.is_empty() {
                Value::Null
            } else {
                Value::from(s)
            }
        }
    }
}

fn meta(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(call
        .message()
        .map_or(Value::Null, |m| stringified(m.meta(), call.str(0))))
}

fn root_meta(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(stringified(call.output_meta(), call.str(0)))
}

fn batch_index(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(Value::Int(call.index() as i64))
}

fn batch_size(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(Value::Int(call.batch().len() as i64))
}

fn error(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(call
        .message()
        .and_then(|m| m.error())
        .map_or(Value::Null, Value::str))
}

fn errored(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(Value::Bool(
        call.message().is_some_and(|m| m.error().is_some()),
    ))
}

fn deleted(_: &mut Call<'_, '_>) -> Result<Value> {
    Ok(Value::Delete)
}

fn nothing(_: &mut Call<'_, '_>) -> Result<Value> {
    Ok(Value::Nothing)
}

fn throw(call: &mut Call<'_, '_>) -> Result<Value> {
    Err(Error::msg(call.str(0)))
}
