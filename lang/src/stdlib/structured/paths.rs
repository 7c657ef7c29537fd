//! Dot paths and deep merges: `get`, `exists`, `without`, `with`,
//! `explode`, `collapse`, `merge`, `assign`, `squash`.

use super::common::{bad_receiver, dot_path, search, set_path, type_text};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Default, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::{Arc, Map, Str, Value};
use crate::vm::Call;

const S: Category = Category::Structured;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "get",
        params: &[Param::req("path", Kind::Str)
            .doc("A dot path; `~1` is a literal `.`, `~0` a literal `~`, `*` matches every array element.")],
        category: S,
        doc: "The value at a dot path in the receiver, or null when there is none.",
        examples: &[
            Example {
                mapping: "root.result = this.foo.get(this.target)",
                cases: &[
                    (
                        r#"{"foo":{"bar":"from bar","baz":"from baz"},"target":"bar"}"#,
                        Out(r#"{"result":"from bar"}"#),
                    ),
                    (
                        r#"{"foo":{"bar":"from bar","baz":"from baz"},"target":"baz"}"#,
                        Out(r#"{"result":"from baz"}"#),
                    ),
                ],
            },
            Example {
                mapping: r#"root.names = this.get("people.*.name")"#,
                cases: &[(
                    r#"{"people":[{"name":"a"},{"age":3},{"name":"b"}]}"#,
                    Out(r#"{"names":["a","b"]}"#),
                )],
            },
        ],
        imp: Impl::Method(get),
        ..Spec::METHOD
    },
    Spec {
        name: "exists",
        params: &[Param::req("path", Kind::Str).doc("A dot path.")],
        category: S,
        doc: "True when the dot path resolves in the receiver, even to null.",
        examples: &[
            Example {
                mapping: r#"root.result = this.foo.exists("bar.baz")"#,
                cases: &[
                    (
                        r#"{"foo":{"bar":{"baz":"yep, I exist"}}}"#,
                        Out(r#"{"result":true}"#),
                    ),
                    (r#"{"foo":{"bar":{}}}"#, Out(r#"{"result":false}"#)),
                    (r#"{"foo":{}}"#, Out(r#"{"result":false}"#)),
                ],
            },
            Example {
                mapping: r#"root.has_field = this.data.exists("optional_field")"#,
                cases: &[
                    (
                        r#"{"data":{"optional_field":null}}"#,
                        Out(r#"{"has_field":true}"#),
                    ),
                    (r#"{"data":{}}"#, Out(r#"{"has_field":false}"#)),
                ],
            },
        ],
        imp: Impl::Method(exists),
        ..Spec::METHOD
    },
    Spec {
        name: "without",
        params: &[Param::req("paths", Kind::Any)],
        variadic: true,
        category: S,
        doc: "A copy of the object without the fields at the given dot paths.",
        examples: &[
            Example {
                mapping: r#"root = this.without("inner.a","inner.c","d")"#,
                cases: &[(
                    r#"{"inner":{"a":"first","b":"second","c":"third"},"d":"fourth","e":"fifth"}"#,
                    Out(r#"{"e":"fifth","inner":{"b":"second"}}"#),
                )],
            },
            Example {
                mapping: r#"root = this.without("password","ssn","creditCard")"#,
                cases: &[(
                    r#"{"username":"alice","password":"secret","email":"alice@example.com","ssn":"123-45-6789"}"#,
                    Out(r#"{"email":"alice@example.com","username":"alice"}"#),
                )],
            },
        ],
        imp: Impl::Method(without),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "with",
        params: &[Param::req("paths", Kind::Any)],
        variadic: true,
        category: S,
        doc: "A copy of the object keeping only the fields at the given dot paths.",
        examples: &[Example {
            mapping: r#"root = this.with("inner.a","inner.c","d")"#,
            cases: &[(
                r#"{"inner":{"a":"first","b":"second","c":"third"},"d":"fourth","e":"fifth"}"#,
                Out(r#"{"d":"fourth","inner":{"a":"first","c":"third"}}"#),
            )],
        }],
        imp: Impl::Method(with),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "explode",
        params: &[Param::req("path", Kind::Str).doc("A dot path to an array or object field.")],
        category: S,
        doc: "One copy of the object per element of the array (or entry of the object) at a path, with that element in its place.",
        examples: &[
            Example {
                mapping: r#"root = this.explode("value")"#,
                cases: &[
                    (
                        r#"{"id":1,"value":["foo","bar","baz"]}"#,
                        Out(r#"[{"id":1,"value":"foo"},{"id":1,"value":"bar"},{"id":1,"value":"baz"}]"#),
                    ),
                    (
                        r#"{"id":1}"#,
                        Fails("field `this`: expected array or object value at path 'value', found: null"),
                    ),
                ],
            },
            Example {
                mapping: r#"root = this.explode("value")"#,
                cases: &[(
                    r#"{"id":1,"value":{"foo":2,"bar":[3,4],"baz":{"bev":5}}}"#,
                    Out(r#"{"bar":{"id":1,"value":[3,4]},"baz":{"id":1,"value":{"bev":5}},"foo":{"id":1,"value":2}}"#),
                )],
            },
        ],
        imp: Impl::Method(explode),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "collapse",
        params: &[Param::with("include_empty", Kind::Bool, Default::Bool(false))
            .doc("Keep empty arrays and objects as values.")],
        category: S,
        doc: "Flattens nested objects and arrays into one object keyed by dot paths (`a.b.0`).",
        examples: &[
            Example {
                mapping: "root.result = this.collapse()",
                cases: &[(
                    r#"{"foo":[{"bar":"1"},{"bar":{}},{"bar":"2"},{"bar":[]}]}"#,
                    Out(r#"{"result":{"foo.0.bar":"1","foo.2.bar":"2"}}"#),
                )],
            },
            Example {
                mapping: "root.result = this.collapse(include_empty: true)",
                cases: &[(
                    r#"{"foo":[{"bar":"1"},{"bar":{}},{"bar":"2"},{"bar":[]}]}"#,
                    Out(r#"{"result":{"foo.0.bar":"1","foo.1.bar":{},"foo.2.bar":"2","foo.3.bar":[]}}"#),
                )],
            },
        ],
        imp: Impl::Method(collapse),
        ..Spec::METHOD
    },
    Spec {
        name: "merge",
        params: &[Param::req("with", Kind::Any).doc("The value to merge in.")],
        category: S,
        doc: "Deep-merges objects, turning colliding non-object values into arrays; on an array receiver appends the argument (or its elements).",
        examples: &[
            Example {
                mapping: "root = this.foo.merge(this.bar)",
                cases: &[(
                    r#"{"foo":{"first_name":"fooer","likes":"bars"},"bar":{"second_name":"barer","likes":"foos"}}"#,
                    Out(r#"{"first_name":"fooer","likes":["bars","foos"],"second_name":"barer"}"#),
                )],
            },
            Example {
                mapping: "root.combined = this.list1.merge(this.list2)",
                cases: &[(
                    r#"{"list1":["a","b"],"list2":["c","d"]}"#,
                    Out(r#"{"combined":["a","b","c","d"]}"#),
                )],
            },
        ],
        imp: Impl::Method(merge),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "assign",
        params: &[Param::req("with", Kind::Any).doc("The value to merge in.")],
        category: S,
        doc: "Deep-merges objects with the argument's values replacing colliding ones; on an array receiver appends like `merge`.",
        examples: &[
            Example {
                mapping: "root = this.foo.assign(this.bar)",
                cases: &[(
                    r#"{"foo":{"first_name":"fooer","likes":"bars"},"bar":{"second_name":"barer","likes":"foos"}}"#,
                    Out(r#"{"first_name":"fooer","likes":"foos","second_name":"barer"}"#),
                )],
            },
            Example {
                mapping: "root.config = this.defaults.assign(this.user_settings)",
                cases: &[(
                    r#"{"defaults":{"timeout":30,"retries":3},"user_settings":{"timeout":60}}"#,
                    Out(r#"{"config":{"retries":3,"timeout":60}}"#),
                )],
            },
        ],
        imp: Impl::Method(assign),
        annotate: false,
        ..Spec::METHOD
    },
    Spec {
        name: "squash",
        category: S,
        doc: "Merges an array of objects into one object, colliding values combining as with `merge`.",
        examples: &[Example {
            mapping: "root.locations = this.locations.map_each(loc -> {loc.state: [loc.name]}).squash()",
            cases: &[(
                r#"{"locations":[{"name":"Seattle","state":"WA"},{"name":"New York","state":"NY"},{"name":"Bellevue","state":"WA"},{"name":"Olympia","state":"WA"}]}"#,
                Out(r#"{"locations":{"NY":["New York"],"WA":["Seattle","Bellevue","Olympia"]}}"#),
            )],
        }],
        imp: Impl::Method(squash),
        annotate: false,
        ..Spec::METHOD
    },
];

fn get(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let path = dot_path(call.str(0));
    Ok(search(&recv, &path).unwrap_or(Value::Null))
}

fn exists(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let path = dot_path(call.str(0));
    Ok(Value::Bool(search(&recv, &path).is_some()))
}

/// The variadic path arguments, each split into segments.
fn path_args(call: &Call<'_, '_>) -> Result<Vec<Vec<Str>>> {
    call.args()
        .iter()
        .enumerate()
        .map(|(i, a)| match a {
            Value::Str(s) => Ok(dot_path(s)),
            Value::Bytes(b) => Ok(dot_path(&String::from_utf8_lossy(b))),
            other => Err(Error::msg(format!(
                "argument {i}: {}",
                type_text("string", other)
            ))),
        })
        .collect()
}

/// The object minus the given paths (nested paths descend into objects
/// only).
pub(super) fn map_without(m: &Map, paths: &[&[Str]]) -> Map {
    filter_paths(m, paths, false)
}

/// The object reduced to the given paths (nested paths descend into
/// objects only).
fn map_with(m: &Map, paths: &[&[Str]]) -> Map {
    filter_paths(m, paths, true)
}

/// Keeps (`keep`) or drops the keys the paths name, descending into the
/// objects that nested paths go through.
fn filter_paths(m: &Map, paths: &[&[Str]], keep: bool) -> Map {
    let mut out = Vec::with_capacity(m.len());
    for (k, v) in m.iter() {
        let mut matched = false;
        let mut whole = false;
        let mut nested: Vec<&[Str]> = Vec::new();
        for p in paths {
            if let Some((first, rest)) = p.split_first()
                && first == k
            {
                matched = true;
                if rest.is_empty() {
                    whole = true;
                } else {
                    nested.push(rest);
                }
            }
        }
        if (keep && !matched) || (!keep && whole) {
            continue;
        }
        match v {
            Value::Object(inner) if !nested.is_empty() => {
                out.push((k.clone(), Value::object(filter_paths(inner, &nested, keep))));
            }
            _ => out.push((k.clone(), v.clone())),
        }
    }
    Map::from_pairs(out)
}

fn without(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let paths = path_args(call)?;
    let Value::Object(m) = &recv else {
        return Err(bad_receiver(call, "object", &recv));
    };
    let refs: Vec<&[Str]> = paths.iter().map(Vec::as_slice).collect();
    Ok(Value::object(map_without(m, &refs)))
}

fn with(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let paths = path_args(call)?;
    let Value::Object(m) = &recv else {
        return Err(Error::msg(type_text("object", &recv)));
    };
    let refs: Vec<&[Str]> = paths.iter().map(Vec::as_slice).collect();
    Ok(Value::object(map_with(m, &refs)))
}

fn explode(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let raw = call.str(0).to_string();
    let path = dot_path(&raw);
    let Value::Object(root) = &recv else {
        return Err(bad_receiver(call, "object", &recv));
    };
    let target = search(&recv, &path).unwrap_or(Value::Null);
    let base = Value::object(map_without(root, &[path.as_slice()]));
    let place = |ele: &Value| {
        let mut doc = base.clone();
        set_path(&mut doc, &path, ele.clone());
        doc
    };
    match &target {
        Value::Array(a) => Ok(Value::array(a.iter().map(place).collect())),
        Value::Object(o) => Ok(Value::object(
            o.iter().map(|(k, v)| (k.clone(), place(v))).collect(),
        )),
        other => Err(call.annotate(Error::msg(format!(
            "expected array or object value at path '{raw}', found: {}",
            other.type_name()
        )))),
    }
}

fn collapse_into(out: &mut Vec<(Str, Value)>, path: &str, v: &Value, include_empty: bool) {
    let join = |seg: &str| {
        if path.is_empty() {
            seg.to_string()
        } else {
            format!("{path}.{seg}")
        }
    };
    match v {
        Value::Object(o) => {
            if include_empty && o.is_empty() {
                out.push((Str::new(path), Value::empty_object()));
            }
            for (k, child) in o.iter() {
                collapse_into(out, &join(k), child, include_empty);
            }
        }
        Value::Array(a) => {
            if include_empty && a.is_empty() {
                out.push((Str::new(path), Value::array(Vec::new())));
            }
            for (i, child) in a.iter().enumerate() {
                collapse_into(
                    out,
                    &join(itoa::Buffer::new().format(i)),
                    child,
                    include_empty,
                );
            }
        }
        other => out.push((Str::new(path), other.clone())),
    }
}

fn collapse(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    if !matches!(recv, Value::Object(_) | Value::Array(_)) {
        return Err(Error::msg("not an object or array"));
    }
    let mut out = Vec::new();
    collapse_into(&mut out, "", &recv, call.bool(0));
    Ok(Value::object(Map::from_pairs(out)))
}

/// How colliding non-object values combine.
type Merger = fn(Value, Value) -> Value;

fn merge_values(dest: Value, source: Value) -> Value {
    match (dest, source) {
        (Value::Array(d), Value::Array(s)) => {
            let mut d = Arc::try_unwrap(d).unwrap_or_else(|d| (*d).clone());
            d.extend(s.iter().cloned());
            Value::array(d)
        }
        (Value::Array(d), s) => {
            let mut d = Arc::try_unwrap(d).unwrap_or_else(|d| (*d).clone());
            d.push(s);
            Value::array(d)
        }
        (d, Value::Array(s)) => {
            let mut out = Vec::with_capacity(s.len() + 1);
            out.push(d);
            out.extend(s.iter().cloned());
            Value::array(out)
        }
        (d, s) => Value::array(vec![d, s]),
    }
}

fn assign_values(_: Value, source: Value) -> Value {
    source
}

/// Merges the entries of `source` into `dest`: objects meeting objects
/// merge recursively, other collisions go through `merger`.
fn merge_maps(dest: &mut Map, source: &Map, merger: Merger) {
    for (k, v) in source.iter() {
        match dest.get_mut(k) {
            None => {
                dest.insert(k.clone(), v.clone());
            }
            Some(existing) => match (existing, v) {
                (Value::Object(d), Value::Object(s)) => {
                    merge_maps(Arc::make_mut(d), s, merger);
                }
                (existing, v) => {
                    let old = existing.take();
                    *existing = merger(old, v.clone());
                }
            },
        }
    }
}

fn merge_with(call: &mut Call<'_, '_>, recv: Value, merger: Merger) -> Result<Value> {
    let from = call.take_arg(0);
    match recv {
        Value::Array(a) => {
            let mut out = Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone());
            match from {
                Value::Array(s) => out.extend(s.iter().cloned()),
                other => out.push(other),
            }
            Ok(Value::array(out))
        }
        Value::Object(mut m) => {
            if let Value::Object(s) = &from {
                merge_maps(Arc::make_mut(&mut m), s, merger);
            }
            Ok(Value::Object(m))
        }
        other => Err(bad_receiver(call, "object or array", &other)),
    }
}

fn merge(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    merge_with(call, recv, merge_values)
}

fn assign(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    merge_with(call, recv, assign_values)
}

fn squash(_: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let Value::Array(a) = &recv else {
        return Err(Error::msg(type_text("array", &recv)));
    };
    let mut out = Map::new();
    for v in a.iter() {
        if let Value::Object(o) = v {
            merge_maps(&mut out, o, merge_values);
        }
    }
    Ok(Value::object(out))
}
