//! JSON Pointers (RFC 6901) into a config tree, labels of the components
//! in it, and replacing a node (a mock) at either.

use crate::config::node::{Node, NodeKind, Style};
use std::collections::BTreeMap;

/// Why a pointer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointerError(pub String);

impl std::fmt::Display for PointerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PointerError {}

/// The segments of a JSON Pointer (`/a/b~1c` is `a`, `b/c`).
pub fn parse(pointer: &str) -> Result<Vec<String>, PointerError> {
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(PointerError(format!(
            "`{pointer}` is not a JSON Pointer: it must start with `/`"
        )));
    };
    rest.split('/')
        .map(|segment| {
            let mut out = String::with_capacity(segment.len());
            let mut chars = segment.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('0') => out.push('~'),
                    Some('1') => out.push('/'),
                    _ => {
                        return Err(PointerError(format!(
                            "`{pointer}` is not a JSON Pointer: `~` must be followed by 0 or 1"
                        )));
                    }
                }
            }
            Ok(out)
        })
        .collect()
}

/// The field path of segments, as config errors name it (`a.b.0`).
pub fn dotted(segments: &[String]) -> String {
    segments.join(".")
}

/// The node at `segments` below `root`.
pub fn get<'n>(root: &'n Node, segments: &[String]) -> Option<&'n Node> {
    let mut here = root;
    for segment in segments {
        here = match &here.kind {
            NodeKind::Map(pairs) => {
                &pairs
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(segment.as_str()))?
                    .1
            }
            NodeKind::Seq(items) => items.get(index(segment)?)?,
            NodeKind::Scalar(..) => return None,
        };
    }
    Some(here)
}

fn index(segment: &str) -> Option<usize> {
    if segment.len() > 1 && segment.starts_with('0') {
        return None;
    }
    segment.parse().ok()
}

/// Puts `value` at `segments` below `root`: replaces what is there,
/// adds a missing key of an object (creating missing objects on the
/// way), or appends to a list when the last segment is `-`. A replaced
/// component keeps its `label` when `value` has none. Gives the path the
/// value ended up at (`-` becomes the new index).
pub fn set(root: &mut Node, segments: &[String], value: Node) -> Result<Vec<String>, PointerError> {
    let Some((last, parents)) = segments.split_last() else {
        return Err(PointerError(
            "the root of a config cannot be replaced".into(),
        ));
    };
    let mut here = root;
    let mut placed = Vec::with_capacity(segments.len());
    for (i, segment) in parents.iter().enumerate() {
        let next = segments.get(i + 1).map_or("", String::as_str);
        here = child_or_insert(here, segment, next)?;
        placed.push(segment.clone());
    }
    let pos = here.pos;
    match &mut here.kind {
        NodeKind::Map(pairs) => {
            match pairs
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(last.as_str()))
            {
                Some((_, old)) => *old = keep_label(old, value),
                None => pairs.push((scalar(last, pos), value)),
            }
            placed.push(last.clone());
        }
        NodeKind::Seq(items) if last == "-" => {
            placed.push(items.len().to_string());
            items.push(value);
        }
        NodeKind::Seq(items) => {
            let len = items.len();
            let slot = index(last).and_then(|i| items.get_mut(i)).ok_or_else(|| {
                PointerError(format!(
                    "`{last}` is not an index of the list at `/{}` ({len} items)",
                    placed.join("/")
                ))
            })?;
            *slot = keep_label(slot, value);
            placed.push(last.clone());
        }
        NodeKind::Scalar(..) => {
            return Err(PointerError(format!(
                "`/{}` is a scalar, which has no `{last}`",
                placed.join("/")
            )));
        }
    }
    Ok(placed)
}

/// The child `segment` of `node`; a missing key of an object is added,
/// as a list when `next` appends or indexes, else as an object.
fn child_or_insert<'n>(
    node: &'n mut Node,
    segment: &str,
    next: &str,
) -> Result<&'n mut Node, PointerError> {
    let pos = node.pos;
    if node.is_null() {
        node.kind = NodeKind::Map(Vec::new());
    }
    match &mut node.kind {
        NodeKind::Map(pairs) => {
            let at = match pairs.iter().position(|(k, _)| k.as_str() == Some(segment)) {
                Some(at) => at,
                None => {
                    let kind = if next == "-" || index(next).is_some() {
                        NodeKind::Seq(Vec::new())
                    } else {
                        NodeKind::Map(Vec::new())
                    };
                    pairs.push((scalar(segment, pos), Node { kind, pos }));
                    pairs.len() - 1
                }
            };
            Ok(&mut pairs[at].1)
        }
        NodeKind::Seq(items) => {
            let len = items.len();
            index(segment)
                .and_then(|i| items.get_mut(i))
                .ok_or_else(|| {
                    PointerError(format!(
                        "`{segment}` is not an index of a list of {len} items"
                    ))
                })
        }
        NodeKind::Scalar(..) => Err(PointerError(format!(
            "a scalar has no `{segment}` to go into"
        ))),
    }
}

fn scalar(text: &str, pos: crate::config::node::Pos) -> Node {
    Node {
        kind: NodeKind::Scalar(text.to_string(), Style::Plain),
        pos,
    }
}

/// `value`, with the `label` of `old` when `value` has none.
fn keep_label(old: &Node, mut value: Node) -> Node {
    let Some(label) = old.get("label").cloned() else {
        return value;
    };
    if let NodeKind::Map(pairs) = &mut value.kind
        && !pairs.iter().any(|(k, _)| k.as_str() == Some("label"))
    {
        pairs.insert(0, (scalar("label", label.pos), label));
    }
    value
}

/// Where each label is given in `root` (outside its `tests` section):
/// every object with a `label` scalar. A label given twice has two paths.
pub fn labels(root: &Node) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out = BTreeMap::new();
    if let NodeKind::Map(pairs) = &root.kind {
        for (k, v) in pairs {
            let key = k.as_str().unwrap_or_default();
            if key != "tests" {
                collect(v, &mut vec![key.to_string()], &mut out);
            }
        }
    }
    out
}

fn collect(node: &Node, path: &mut Vec<String>, out: &mut BTreeMap<String, Vec<Vec<String>>>) {
    match &node.kind {
        NodeKind::Map(pairs) => {
            if let Some(label) = node.get("label").and_then(Node::as_str)
                && !label.is_empty()
            {
                out.entry(label.to_string()).or_default().push(path.clone());
            }
            for (k, v) in pairs {
                path.push(k.as_str().unwrap_or_default().to_string());
                collect(v, path, out);
                path.pop();
            }
        }
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                collect(item, path, out);
                path.pop();
            }
        }
        NodeKind::Scalar(..) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::node::parse as yaml;

    fn segs(p: &str) -> Vec<String> {
        parse(p).expect("pointer")
    }

    #[test]
    fn pointers_unescape_and_reject_bad_forms() {
        assert_eq!(segs("/a/b~1c/d~0e"), vec!["a", "b/c", "d~e"]);
        assert_eq!(segs("/"), vec![""]);
        assert!(parse("a/b").is_err());
        assert!(parse("/a~2").is_err());
    }

    #[test]
    fn get_walks_objects_and_lists() {
        let root =
            yaml("pipeline:\n  processors:\n    - noop: {}\n    - label: x\n      noop: {}\n")
                .expect("yaml");
        let n = get(&root, &segs("/pipeline/processors/1/label")).expect("found");
        assert_eq!(n.as_str(), Some("x"));
        assert!(get(&root, &segs("/pipeline/processors/2")).is_none());
        assert!(get(&root, &segs("/pipeline/processors/01")).is_none());
    }

    #[test]
    fn set_replaces_appends_and_keeps_labels() {
        let mut root =
            yaml("pipeline:\n  processors:\n    - label: x\n      http: {}\n").expect("yaml");
        let mock = yaml("mapping: root = 1\n").expect("yaml");
        let at = set(&mut root, &segs("/pipeline/processors/0"), mock.clone()).expect("set");
        assert_eq!(at, vec!["pipeline", "processors", "0"]);
        let replaced = get(&root, &segs("/pipeline/processors/0")).expect("there");
        assert_eq!(replaced.get("label").and_then(Node::as_str), Some("x"));
        assert!(replaced.get("http").is_none());
        let at = set(&mut root, &segs("/pipeline/processors/-"), mock.clone()).expect("append");
        assert_eq!(at, vec!["pipeline", "processors", "1"]);
        assert!(set(&mut root, &segs("/pipeline/processors/5"), mock.clone()).is_err());
        let mut bare = yaml("input: {}\n").expect("yaml");
        let at = set(&mut bare, &segs("/pipeline/processors/-"), mock.clone()).expect("created");
        assert_eq!(at, vec!["pipeline", "processors", "0"]);
        assert!(get(&bare, &segs("/pipeline/processors/0/mapping")).is_some());
        let mut scalar_root = yaml("pipeline: 5\n").expect("yaml");
        assert!(set(&mut scalar_root, &segs("/pipeline/processors/-"), mock).is_err());
    }

    #[test]
    fn labels_are_found_anywhere_but_tests() {
        let root = yaml(
            "pipeline:\n  processors:\n    - label: a\n      noop: {}\n    - switch:\n        - processors:\n            - label: b\n              noop: {}\nprocessor_resources:\n  - label: c\n    noop: {}\ntests:\n  - label: d\n",
        )
        .expect("yaml");
        let found = labels(&root);
        assert_eq!(found["a"], vec![segs("/pipeline/processors/0")]);
        assert_eq!(
            found["b"],
            vec![segs("/pipeline/processors/1/switch/0/processors/0")]
        );
        assert_eq!(found["c"], vec![segs("/processor_resources/0")]);
        assert!(!found.contains_key("d"));
    }
}
