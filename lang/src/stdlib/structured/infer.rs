//! `infer_schema`: describes a value's shape as upstream's common schema
//! (`{type, name?, children?}`).

use crate::error::{Error, Result};
use crate::stdlib::{Category, Example, Expect::*, Impl, Spec};
use crate::value::{Map, Narrow, Str, Value};
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[Spec {
    name: "infer_schema",
    category: Category::Parsing,
    doc: "Describes the value's shape as a common schema object (`type`, `name`, `children`); arrays must hold one element type. Numbers are INT64 or FLOAT64 by value.",
    examples: &[Example {
        mapping: "root = this.infer_schema()",
        cases: &[
            (
                r#"{"a":"x","b":[true],"c":1.5}"#,
                Out(
                    r#"{"children":[{"name":"a","type":"STRING"},{"children":[{"type":"BOOLEAN"}],"name":"b","type":"ARRAY"},{"name":"c","type":"FLOAT64"}],"type":"OBJECT"}"#,
                ),
            ),
            (
                r#"{"a":[1,"x"]}"#,
                Fails(".a.1 mismatched array types, found INT64 and STRING"),
            ),
        ],
    }],
    imp: Impl::Method(infer_schema),
    annotate: false,
    ..Spec::METHOD
}];

/// A schema node: its type name and children.
struct Node {
    name: Option<Str>,
    kind: &'static str,
    children: Vec<Node>,
}

impl Node {
    fn into_value(self) -> Value {
        let mut m = Map::with_capacity(3);
        m.insert("type", Value::str(self.kind));
        if let Some(n) = self.name.filter(|n| !n.is_empty()) {
            m.insert("name", Value::Str(n));
        }
        if !self.children.is_empty() {
            let kids = self.children.into_iter().map(Node::into_value).collect();
            m.insert("children", Value::array(kids));
        }
        Value::object(m)
    }
}

fn infer(name: Option<Str>, v: &Value, depth: usize) -> std::result::Result<Node, String> {
    if depth > 2000 {
        return Err(" value nested too deeply".into());
    }
    let mut node = Node {
        name,
        kind: "",
        children: Vec::new(),
    };
    node.kind = match v {
        Value::Bool(_) => "BOOLEAN",
        Value::Narrow(Narrow::I32(_)) => "INT32",
        Value::Narrow(Narrow::F32(_)) => "FLOAT32",
        Value::Int(_) => "INT64",
        Value::Float(_) => "FLOAT64",
        Value::Number(r) => match r.value {
            crate::value::Num::Int(_) => "INT64",
            crate::value::Num::UInt(_) => return Err(" unsupported data type: uint64".into()),
            crate::value::Num::Float(_) => "FLOAT64",
        },
        Value::Bytes(_) => "BYTE_ARRAY",
        Value::Str(_) => "STRING",
        Value::Timestamp(_) => "TIMESTAMP",
        Value::Null => "NULL",
        Value::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                let child = infer(None, e, depth + 1).map_err(|e| format!(".{i}{e}"))?;
                match node.children.first() {
                    None => node.children.push(child),
                    Some(first) if first.kind != child.kind => {
                        return Err(format!(
                            ".{i} mismatched array types, found {} and {}",
                            first.kind, child.kind
                        ));
                    }
                    Some(_) => {}
                }
            }
            "ARRAY"
        }
        Value::Object(o) => {
            for (k, e) in o.iter() {
                let child = infer(Some(k.clone()), e, depth + 1).map_err(|e| format!(".{k}{e}"))?;
                node.children.push(child);
            }
            "OBJECT"
        }
        other => {
            return Err(format!(" unsupported data type: {}", other.go_type_name()));
        }
    };
    Ok(node)
}

fn infer_schema(_: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    infer(None, &recv, 0)
        .map(Node::into_value)
        .map_err(Error::msg)
}
