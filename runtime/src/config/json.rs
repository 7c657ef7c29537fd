//! Config trees as JSON: what the streams API shows for a stream's
//! config, and the deep merge behind `PATCH /streams/{id}`.

use super::node::{Node, NodeKind, Style};
use serde_json::Value;

/// The JSON value of a config tree. Plain scalars that read as null,
/// booleans or numbers become those; every other scalar is a string.
pub fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(text, style) => {
            if *style != Style::Plain {
                return Value::String(text.clone());
            }
            if node.is_null() {
                return Value::Null;
            }
            match text.as_str() {
                "true" | "True" | "TRUE" => return Value::Bool(true),
                "false" | "False" | "FALSE" => return Value::Bool(false),
                _ => {}
            }
            // Only numbers that print back as written: `007`, `1.50` or a
            // huge integer stay text rather than change.
            if let Ok(i) = text.parse::<i64>()
                && i.to_string() == *text
            {
                return Value::from(i);
            }
            if let Ok(f) = text.parse::<f64>()
                && let Some(n) = serde_json::Number::from_f64(f)
                && n.to_string() == *text
            {
                return Value::Number(n);
            }
            Value::String(text.clone())
        }
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(pairs) => Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), to_json(v)))
                .collect(),
        ),
    }
}

/// Merges `patch` into `base`: objects merge key by key, recursively; a
/// `null` in the patch removes the key; anything else replaces.
pub fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    base.remove(&key);
                } else if let Some(slot) = base.get_mut(&key) {
                    merge(slot, value);
                } else {
                    base.insert(key, value);
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::node::parse;
    use serde_json::json;

    #[test]
    fn scalars_take_their_plain_types() {
        let tree = parse("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: 5s\ng: |\n  x\nh: [1, x]\n")
            .expect("yaml");
        assert_eq!(
            to_json(&tree),
            json!({"a": 1, "b": "1", "c": true, "d": null, "e": 1.5, "f": "5s", "g": "x\n", "h": [1, "x"]})
        );
        let odd = "a: inf\nb: 1e3\nc: 007\nd: 1.50\ne: 99999999999999999999\nf: -2\n";
        assert_eq!(
            to_json(&parse(odd).expect("yaml")),
            json!({"a": "inf", "b": "1e3", "c": "007", "d": "1.50", "e": "99999999999999999999", "f": -2})
        );
    }

    #[test]
    fn merge_is_deep_and_null_removes() {
        let mut base = json!({"input": {"http_server": {"path": "/a", "timeout": "5s"}}, "output": {"drop": {}}});
        merge(
            &mut base,
            json!({"input": {"http_server": {"path": "/b"}}, "output": null, "pipeline": {"threads": 1}}),
        );
        assert_eq!(
            base,
            json!({"input": {"http_server": {"path": "/b", "timeout": "5s"}}, "pipeline": {"threads": 1}})
        );
        let mut list = json!({"a": [1, 2]});
        merge(&mut list, json!({"a": [3]}));
        assert_eq!(list, json!({"a": [3]}));
    }
}
