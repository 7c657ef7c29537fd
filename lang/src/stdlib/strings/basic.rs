//! Trimming, splitting, replacing and searching strings.

use super::common::{Recv, find_bytes, lossy, method};
use crate::error::{Error, Result};
use crate::stdlib::{Default, Example, Expect::*, Kind, Param, Spec};
use crate::value::Value;
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        params: &[
            Param::opt("cutset", Kind::Str).doc("Characters to strip; whitespace when omitted.")
        ],
        examples: &[Example {
            mapping: "root.title = this.title.trim(\"!?\")\nroot.description = this.description.trim()",
            cases: &[(
                r#"{"description":"  something happened and its amazing! ","title":"!!!watch out!?"}"#,
                Out(r#"{"description":"something happened and its amazing!","title":"watch out"}"#),
            )],
        }],
        ..method(
            "trim",
            "Strips leading and trailing whitespace, or the characters of a cutset.",
            trim,
        )
    },
    Spec {
        params: &[Param::req("prefix", Kind::Str).doc("The prefix to remove.")],
        examples: &[Example {
            mapping: "root.name = this.name.trim_prefix(\"foobar_\")\nroot.description = this.description.trim_prefix(\"foobar_\")",
            cases: &[(
                r#"{"description":"unchanged","name":"foobar_blobton"}"#,
                Out(r#"{"description":"unchanged","name":"blobton"}"#),
            )],
        }],
        ..method(
            "trim_prefix",
            "Removes a prefix once, when the string starts with it.",
            trim_prefix,
        )
    },
    Spec {
        params: &[Param::req("suffix", Kind::Str).doc("The suffix to remove.")],
        examples: &[Example {
            mapping: "root.name = this.name.trim_suffix(\"_foobar\")\nroot.description = this.description.trim_suffix(\"_foobar\")",
            cases: &[(
                r#"{"description":"unchanged","name":"blobton_foobar"}"#,
                Out(r#"{"description":"unchanged","name":"blobton"}"#),
            )],
        }],
        ..method(
            "trim_suffix",
            "Removes a suffix once, when the string ends with it.",
            trim_suffix,
        )
    },
    Spec {
        params: &[
            Param::req("delimiter", Kind::Str).doc("The separator; empty splits into characters."),
            Param::with("empty_as_null", Kind::Bool, Default::Bool(false))
                .doc("Gives null instead of empty parts."),
        ],
        examples: &[
            Example {
                mapping: r#"root.new_value = this.value.split(",")"#,
                cases: &[(
                    r#"{"value":"foo,bar,baz"}"#,
                    Out(r#"{"new_value":["foo","bar","baz"]}"#),
                )],
            },
            Example {
                mapping: r#"root.new_value = this.value.split(",", true)"#,
                cases: &[(
                    r#"{"value":"foo,,qux"}"#,
                    Out(r#"{"new_value":["foo",null,"qux"]}"#),
                )],
            },
            Example {
                mapping: r#"root.words = this.sentence.split(" ")"#,
                cases: &[(
                    r#"{"sentence":"hello world from bloblang"}"#,
                    Out(r#"{"words":["hello","world","from","bloblang"]}"#),
                )],
            },
            Example {
                mapping: r#"root.chars = this.s.split("")"#,
                cases: &[(r#"{"s":"añb"}"#, Out(r#"{"chars":["a","ñ","b"]}"#))],
            },
        ],
        ..method(
            "split",
            "Splits a string on a delimiter into an array of parts.",
            split,
        )
    },
    Spec {
        params: REPLACE_PARAMS,
        examples: &[
            Example {
                mapping: r#"root.new_value = this.value.replace_all("foo","dog")"#,
                cases: &[(
                    r#"{"value":"The foo ate my homework"}"#,
                    Out(r#"{"new_value":"The dog ate my homework"}"#),
                )],
            },
            Example {
                mapping: r#"root.clean = this.text.replace_all("  ", " ")"#,
                cases: &[(
                    r#"{"text":"hello  world  foo"}"#,
                    Out(r#"{"clean":"hello world foo"}"#),
                )],
            },
        ],
        ..method(
            "replace_all",
            "Replaces every occurrence of a substring.",
            replace_all,
        )
    },
    Spec {
        params: REPLACE_PARAMS,
        examples: &[Example {
            mapping: r#"root.new_value = this.value.replace("foo","dog")"#,
            cases: &[(r#"{"value":"foo foo"}"#, Out(r#"{"new_value":"dog dog"}"#))],
        }],
        ..method(
            "replace",
            "Replaces every occurrence of a substring (same as `replace_all`).",
            replace_all,
        )
    },
    Spec {
        params: MANY_PARAMS,
        compile: Some(check_pairs),
        examples: &[
            Example {
                mapping: "root.new_value = this.value.replace_all_many([\n  \"<b>\", \"&lt;b&gt;\",\n  \"</b>\", \"&lt;/b&gt;\",\n  \"<i>\", \"&lt;i&gt;\",\n  \"</i>\", \"&lt;/i&gt;\",\n])",
                cases: &[(
                    r#"{"value":"<i>Hello</i> <b>World</b>"}"#,
                    Out(r#"{"new_value":"&lt;i&gt;Hello&lt;/i&gt; &lt;b&gt;World&lt;/b&gt;"}"#),
                )],
            },
            Example {
                mapping: r#"root.v = this.value.replace_all_many(this.pairs)"#,
                cases: &[
                    (
                        r#"{"value":"abc","pairs":["a","b","b","c"]}"#,
                        Out(r#"{"v":"ccc"}"#),
                    ),
                    (
                        r#"{"value":"abc","pairs":["a","b","c"]}"#,
                        Fails(
                            "invalid arg, replacements should be in pairs and must therefore be even: [a b c]",
                        ),
                    ),
                    (
                        r#"{"value":"abc","pairs":["a",5]}"#,
                        Fails(
                            "invalid replacement value at index 1: expected string value, got number (5)",
                        ),
                    ),
                ],
            },
        ],
        ..method(
            "replace_all_many",
            "Applies pairs of replacements `[old, new, old, new, …]` in order.",
            replace_all_many,
        )
    },
    Spec {
        params: MANY_PARAMS,
        compile: Some(check_pairs),
        examples: &[Example {
            mapping: r#"root.v = this.value.replace_many(["a","1","b","2"])"#,
            cases: &[(r#"{"value":"abc"}"#, Out(r#"{"v":"12c"}"#))],
        }],
        ..method(
            "replace_many",
            "Applies pairs of replacements in order (same as `replace_all_many`).",
            replace_all_many,
        )
    },
    Spec {
        params: &[Param::req("value", Kind::Str).doc("The prefix to look for.")],
        examples: &[Example {
            mapping: "root.t1 = this.v1.has_prefix(\"foo\")\nroot.t2 = this.v2.has_prefix(\"foo\")",
            cases: &[(
                r#"{"v1":"foobar","v2":"barfoo"}"#,
                Out(r#"{"t1":true,"t2":false}"#),
            )],
        }],
        ..method(
            "has_prefix",
            "Tells whether a string starts with a prefix.",
            has_prefix,
        )
    },
    Spec {
        params: &[Param::req("value", Kind::Str).doc("The suffix to look for.")],
        examples: &[Example {
            mapping: "root.t1 = this.v1.has_suffix(\"foo\")\nroot.t2 = this.v2.has_suffix(\"foo\")",
            cases: &[(
                r#"{"v1":"foobar","v2":"barfoo"}"#,
                Out(r#"{"t1":false,"t2":true}"#),
            )],
        }],
        ..method(
            "has_suffix",
            "Tells whether a string ends with a suffix.",
            has_suffix,
        )
    },
    Spec {
        params: &[Param::req("value", Kind::Str).doc("The substring to find.")],
        examples: &[
            Example {
                mapping: r#"root.index = this.thing.index_of("bar")"#,
                cases: &[
                    (r#"{"thing":"foobar"}"#, Out(r#"{"index":3}"#)),
                    (r#"{"thing":"foo"}"#, Out(r#"{"index":-1}"#)),
                ],
            },
            Example {
                mapping: r#"root.index = content().index_of("meow")"#,
                cases: &[("the cat meowed, the dog woofed", Out(r#"{"index":8}"#))],
            },
        ],
        ..method(
            "index_of",
            "The byte offset of the first occurrence of a substring, or -1.",
            index_of,
        )
    },
    Spec {
        params: &[Param::req("count", Kind::Int).doc("How many copies; zero or more.")],
        examples: &[
            Example {
                mapping: "root.repeated = this.name.repeat(3)\nroot.not_repeated = this.name.repeat(0)",
                cases: &[(
                    r#"{"name":"bob"}"#,
                    Out(r#"{"not_repeated":"","repeated":"bobbobbob"}"#),
                )],
            },
            Example {
                mapping: r#"root.separator = "-".repeat(10)"#,
                cases: &[(r#"{}"#, Out(r#"{"separator":"----------"}"#))],
            },
            Example {
                mapping: r#"root.x = this.s.repeat(this.n)"#,
                cases: &[(
                    r#"{"s":"ab","n":-1}"#,
                    Fails("invalid count, must be greater than or equal to zero: -1"),
                )],
            },
        ],
        compile: Some(check_count),
        ..method("repeat", "Repeats a string a number of times.", repeat)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.reversed = this.thing.reverse()",
                cases: &[(
                    r#"{"thing":"backwards"}"#,
                    Out(r#"{"reversed":"sdrawkcab"}"#),
                )],
            },
            Example {
                mapping: "root = content().reverse()",
                cases: &[(r#"{"thing":"backwards"}"#, Out(r#"}"sdrawkcab":"gniht"{"#))],
            },
        ],
        ..method(
            "reverse",
            "Reverses a string by character (bytes by byte).",
            reverse,
        )
    },
];

const REPLACE_PARAMS: &[Param] = &[
    Param::req("old", Kind::Str).doc("The substring to replace."),
    Param::req("new", Kind::Str).doc("Its replacement."),
];

const MANY_PARAMS: &[Param] =
    &[Param::req("values", Kind::Array).doc("Alternating substrings and their replacements.")];

/// Re-wraps a sub-slice of the receiver as the receiver's kind.
fn sub(r: &Recv<'_>, v: &Value, start: usize, end: usize) -> Value {
    if start == 0 && end == r.bytes().len() {
        return v.clone();
    }
    match r {
        Recv::Str(s) => Value::str(s.get(start..end).unwrap_or("")),
        Recv::Bytes(b) => Value::bytes(b.get(start..end).unwrap_or(&[])),
    }
}

fn trim(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let text = r.text();
    let trimmed = match call.opt_str(0) {
        None => text.trim(),
        Some(cutset) => text.trim_matches(|c| cutset.contains(c)),
    };
    if let Recv::Str(s) = r {
        // A trimmed `&str` is a sub-slice: find its offset.
        let start = trimmed.as_ptr() as usize - s.as_ptr() as usize;
        return Ok(sub(&r, &v, start, start + trimmed.len()));
    }
    Ok(r.same_kind(trimmed.to_string()))
}

fn trim_prefix(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let p = call.str(0).as_bytes();
    let b = r.bytes();
    if b.starts_with(p) && !p.is_empty() {
        return Ok(sub(&r, &v, p.len(), b.len()));
    }
    Ok(v.clone())
}

fn trim_suffix(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let p = call.str(0).as_bytes();
    let b = r.bytes();
    if b.ends_with(p) && !p.is_empty() {
        return Ok(sub(&r, &v, 0, b.len() - p.len()));
    }
    Ok(v.clone())
}

fn split(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let delim = call.str(0);
    let empty_as_null = call.bool(1);
    let wrap = |part: Value, empty: bool| {
        if empty && empty_as_null {
            Value::Null
        } else {
            part
        }
    };
    let out: Vec<Value> = match r {
        Recv::Str(s) if delim.is_empty() => s.chars().map(|c| Value::from(c.to_string())).collect(),
        Recv::Str(s) => s
            .split(delim)
            .map(|p| wrap(Value::str(p), p.is_empty()))
            .collect(),
        Recv::Bytes(b) if delim.is_empty() => {
            let text = String::from_utf8_lossy(b);
            text.chars()
                .map(|c| Value::bytes(c.to_string().as_bytes()))
                .collect()
        }
        Recv::Bytes(b) => {
            let d = delim.as_bytes();
            let mut parts = Vec::new();
            let mut rest = b;
            while let Some(i) = find_bytes(rest, d) {
                parts.push(wrap(Value::bytes(&rest[..i]), i == 0));
                rest = &rest[i + d.len()..];
            }
            parts.push(wrap(Value::bytes(rest), rest.is_empty()));
            parts
        }
    };
    Ok(Value::array(out))
}

/// Go's `strings.ReplaceAll` on bytes (an empty `old` inserts `new`
/// around every character).
fn replace_bytes(hay: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    if old.is_empty() {
        let text = String::from_utf8_lossy(hay);
        let new = String::from_utf8_lossy(new);
        return text.replace("", &new).into_bytes();
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(i) = find_bytes(rest, old) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(new);
        rest = &rest[i + old.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn replace_all(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let (old, new) = (call.str(0), call.str(1));
    Ok(match r {
        Recv::Str(s) => Value::from(s.replace(old, new)),
        Recv::Bytes(b) => Value::Bytes(replace_bytes(b, old.as_bytes(), new.as_bytes()).into()),
    })
}

/// Checks the `[old, new, …]` array of `replace_all_many`.
fn replacement_pairs(items: &[Value]) -> Result<Vec<Vec<u8>>> {
    if !items.len().is_multiple_of(2) {
        let shown: Vec<String> = items.iter().map(super::printf::go_value_text).collect();
        return Err(Error::msg(format!(
            "invalid arg, replacements should be in pairs and must therefore be even: [{}]",
            shown.join(" ")
        )));
    }
    let mut pairs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let s = match item {
            Value::Str(s) => s.as_bytes().to_vec(),
            Value::Bytes(b) => b.as_bytes().to_vec(),
            other => {
                return Err(Error::msg(format!(
                    "invalid replacement value at index {i}: {}",
                    Error::type_mismatch("string", other).message()
                )));
            }
        };
        pairs.push(s);
    }
    Ok(pairs)
}

/// Rejects a literal replacement array at compile time, as upstream
/// checks it when the method is built.
fn check_pairs(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    if let Some(Some(Value::Array(items))) = args.first() {
        replacement_pairs(items).map_err(|e| e.message())?;
    }
    Ok(None)
}

/// Rejects a literal negative `repeat` count at compile time.
fn check_count(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    if let Some(Some(Value::Int(n))) = args.first()
        && *n < 0
    {
        return Err(negative_count(*n).message());
    }
    Ok(None)
}

fn negative_count(n: i64) -> Error {
    Error::msg(format!(
        "invalid count, must be greater than or equal to zero: {n}"
    ))
}

fn replace_all_many(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let pairs = replacement_pairs(call.arg(0).as_array().unwrap_or(&[]))?;
    let r = Recv::of(&v)?;
    let mut cur = r.bytes().to_vec();
    for pair in pairs.chunks(2) {
        if let [old, new] = pair {
            cur = replace_bytes(&cur, old, new);
        }
    }
    Ok(if r.is_bytes() {
        Value::Bytes(cur.into())
    } else {
        Value::from(lossy(cur))
    })
}

fn has_prefix(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    Ok(Value::Bool(r.bytes().starts_with(call.str(0).as_bytes())))
}

fn has_suffix(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    Ok(Value::Bool(r.bytes().ends_with(call.str(0).as_bytes())))
}

fn index_of(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let found = find_bytes(r.bytes(), call.str(0).as_bytes());
    Ok(Value::Int(found.map_or(-1, |i| i as i64)))
}

/// The largest result `repeat` builds (Go would exhaust memory instead).
const MAX_REPEAT_BYTES: usize = 1 << 30;

fn repeat(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let count = call.int(0);
    if count < 0 {
        return Err(negative_count(count));
    }
    let r = Recv::of(&v)?;
    let len = r.bytes().len();
    let total = (len as u64).checked_mul(count as u64);
    match total {
        Some(t) if t <= MAX_REPEAT_BYTES as u64 => {}
        _ => {
            return Err(Error::msg(format!(
                "invalid count, would overflow: {len}*{count}"
            )));
        }
    }
    let out = r.bytes().repeat(count as usize);
    Ok(match r {
        Recv::Bytes(_) => Value::Bytes(out.into()),
        Recv::Str(_) => Value::from(lossy(out)),
    })
}

fn reverse(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(match Recv::of(&v)? {
        Recv::Str(s) => Value::from(s.chars().rev().collect::<String>()),
        Recv::Bytes(b) => {
            let mut out = b.to_vec();
            out.reverse();
            Value::Bytes(out.into())
        }
    })
}
