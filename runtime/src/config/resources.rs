//! Resources: components declared once under `input_resources`,
//! `processor_resources` or `output_resources` with a unique `label`, and
//! used anywhere by `resource: <label>`. References are inlined before the
//! config is built, so every use runs its own instance.

use super::node::{Node, NodeKind, Pos};
use std::collections::HashMap;

/// The sections that declare resources.
const SECTIONS: &[&str] = &["input_resources", "processor_resources", "output_resources"];

/// How deep resources may refer to other resources.
const MAX_DEPTH: usize = 32;

/// A problem with resources: where, and what.
pub type ResourceProblem = (Pos, String);

/// Every declared resource by label; duplicate or missing labels are
/// problems.
fn declared(root: &Node, problems: &mut Vec<ResourceProblem>) -> HashMap<String, Node> {
    let mut by_label: HashMap<String, Node> = HashMap::new();
    for section in SECTIONS {
        let Some(NodeKind::Seq(items)) = root.get(section).map(|n| &n.kind) else {
            continue;
        };
        for item in items {
            match item.get("label").and_then(Node::as_str) {
                Some(label) if !label.is_empty() => {
                    if by_label.insert(label.to_string(), item.clone()).is_some() {
                        problems.push((
                            item.pos,
                            format!("the resource label `{label}` is used twice"),
                        ));
                    }
                }
                _ => problems.push((
                    item.pos,
                    format!("a resource in `{section}` needs a `label`"),
                )),
            }
        }
    }
    by_label
}

/// Returns `root` with every `resource: <label>` replaced by the declared
/// component, or the problems found (unknown labels, cycles).
pub fn inline(root: &Node) -> Result<Node, Vec<ResourceProblem>> {
    let mut problems = Vec::new();
    let resources = declared(root, &mut problems);
    let mut out = root.clone();
    if let NodeKind::Map(pairs) = &mut out.kind {
        for (key, value) in pairs.iter_mut() {
            // Declarations are used through references, not run as they stand.
            if !key.as_str().is_some_and(|k| SECTIONS.contains(&k)) {
                replace(value, &resources, 0, &mut problems);
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn replace(
    node: &mut Node,
    resources: &HashMap<String, Node>,
    depth: usize,
    problems: &mut Vec<ResourceProblem>,
) {
    if let Some(label) = reference(node) {
        let Some(found) = resources.get(&label) else {
            let known: Vec<&str> = resources.keys().map(String::as_str).collect();
            let hint = tarn_lang::diag::suggest(&label, known)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            problems.push((node.pos, format!("no resource is labelled `{label}`{hint}")));
            return;
        };
        if depth >= MAX_DEPTH {
            problems.push((node.pos, format!("the resource `{label}` refers to itself")));
            return;
        }
        let pos = node.pos;
        *node = found.clone();
        node.pos = pos;
        replace(node, resources, depth + 1, problems);
        return;
    }
    match &mut node.kind {
        NodeKind::Map(pairs) => {
            for (_, v) in pairs.iter_mut() {
                replace(v, resources, depth, problems);
            }
        }
        NodeKind::Seq(items) => {
            for v in items.iter_mut() {
                replace(v, resources, depth, problems);
            }
        }
        NodeKind::Scalar(..) => {}
    }
}

/// The label of a `{resource: <label>}` component object.
fn reference(node: &Node) -> Option<String> {
    let NodeKind::Map(pairs) = &node.kind else {
        return None;
    };
    let only_reference = pairs
        .iter()
        .all(|(k, _)| matches!(k.as_str(), Some("resource" | "label" | "processors")));
    if !only_reference {
        return None;
    }
    node.get("resource")
        .and_then(Node::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::node::parse;

    #[test]
    fn references_are_inlined_and_unknown_ones_reported() {
        let doc = parse(
            "processor_resources:\n  - label: up\n    mapping: root = content().uppercase()\npipeline:\n  processors:\n    - resource: up\n    - resource: upp\n",
        )
        .expect("parses");
        let problems = inline(&doc).expect_err("one unknown label");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0.line, 7);
        assert!(problems[0].1.contains("did you mean `up`?"), "{problems:?}");

        let doc = parse(
            "processor_resources:\n  - label: up\n    mapping: root = content().uppercase()\npipeline:\n  processors:\n    - resource: up\n",
        )
        .expect("parses");
        let inlined = inline(&doc).expect("resolves");
        let first = inlined
            .get("pipeline")
            .and_then(|p| p.get("processors"))
            .and_then(|p| match &p.kind {
                NodeKind::Seq(items) => items.first(),
                _ => None,
            })
            .expect("a processor");
        assert!(first.get("mapping").is_some());
    }

    #[test]
    fn cycles_and_duplicates_are_problems() {
        let doc = parse(
            "processor_resources:\n  - label: a\n    resource: a\n  - label: b\n    mapping: root = 1\n  - label: b\n    mapping: root = 2\npipeline:\n  processors:\n    - resource: a\n",
        )
        .expect("parses");
        let problems = inline(&doc).expect_err("problems");
        assert!(
            problems.iter().any(|(_, m)| m.contains("used twice")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|(_, m)| m.contains("refers to itself")),
            "{problems:?}"
        );
    }
}
