//! The resources API: components declared once, by type and label, that
//! stream configs use with `resource: <label>` (caches and rate limits by
//! naming the label). They join the root config's resources; a stream
//! built after a change uses the new instance, streams already running
//! keep the one they were built with.

use super::{Failure, Manager};
use crate::component::registry::Kind;
use crate::component::{Build, Registry};
use crate::config::json;
use crate::config::node::{self, Node, NodeKind, Style};
use crate::config::shape::Shape;
use crate::config::types::Sandbox;

fn kind(name: &str) -> Result<Kind, Failure> {
    Kind::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        Failure::BadRequest(format!(
            "unknown resource type `{name}`; the types are {}",
            known.join(", ")
        ))
    })
}

fn is_label(item: &Node, id: &str) -> bool {
    item.get("label").and_then(Node::as_str) == Some(id)
}

fn section_items<'a>(shared: &'a mut Node, section: &str) -> Option<&'a mut Vec<Node>> {
    let NodeKind::Map(pairs) = &mut shared.kind else {
        return None;
    };
    if !pairs.iter().any(|(k, _)| k.as_str() == Some(section)) {
        pairs.push((
            scalar(section),
            Node {
                kind: NodeKind::Seq(Vec::new()),
                pos: Default::default(),
            },
        ));
    }
    pairs
        .iter_mut()
        .find(|(k, _)| k.as_str() == Some(section))
        .and_then(|(_, v)| match &mut v.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        })
}

fn scalar(text: &str) -> Node {
    Node {
        kind: NodeKind::Scalar(text.to_string(), Style::Plain),
        pos: Default::default(),
    }
}

impl Manager {
    /// Creates or replaces resource `id` of type `kind` from a YAML or
    /// JSON component config. It is checked and built (not started)
    /// before it replaces anything.
    pub fn set_resource(
        &self,
        kind_name: &str,
        id: &str,
        text: &str,
        lint: bool,
    ) -> Result<(), Failure> {
        super::check_id(id)?;
        let kind = kind(kind_name)?;
        let parsed =
            crate::config::parse(text, |n| std::env::var(n).ok()).map_err(Failure::Lint)?;
        let NodeKind::Map(pairs) = &parsed.root.kind else {
            return Err(Failure::BadRequest(format!(
                "a {kind_name} resource is an object, found {}",
                parsed.root.shape()
            )));
        };
        // A label is unique across the kinds that `resource:` names.
        for other in Kind::ALL.into_iter().filter(|k| *k != kind) {
            if self.resources.declaration(other, id).is_some() {
                return Err(Failure::BadRequest(format!(
                    "the resource label `{id}` is already used in `{}`",
                    other.resource_section()
                )));
            }
        }
        let item = labelled(id, pairs.clone(), parsed.root.pos);
        if lint {
            let shape = Shape::Component(kind.name().to_string());
            let problems = crate::config::walk(
                &crate::config::Parsed {
                    text: parsed.text.clone(),
                    root: item.clone(),
                },
                &shape,
                Sandbox::Standard,
            );
            if !problems.is_empty() {
                return Err(Failure::Lint(problems));
            }
        }
        // Built once to refuse what would not build; the shared instance
        // is built on first use.
        let mut ctx = Build::new(
            Registry::standard(),
            &self.resources,
            &parsed.text,
            Sandbox::Standard,
        );
        ctx.component(kind, &item, "")
            .map_err(|e| Failure::Lint(vec![crate::config::build_problem(e, &item)]))?;
        self.resources.replace(kind, id, item, &parsed.text);
        // What GET shows: the body as written, variables not substituted.
        let raw = node::parse(text).unwrap_or_else(|_| parsed.root.clone());
        let raw_item = match raw.kind {
            NodeKind::Map(pairs) => labelled(id, pairs, raw.pos),
            _ => labelled(id, Vec::new(), raw.pos),
        };
        let mut raw_shared = self
            .raw_shared
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        put_item(&mut raw_shared, kind.resource_section(), id, raw_item);
        Ok(())
    }

    /// Resource `id` of type `kind` as written (variables not
    /// substituted), as JSON without its label.
    pub fn get_resource(&self, kind_name: &str, id: &str) -> Result<serde_json::Value, Failure> {
        let section = kind(kind_name)?.resource_section();
        let raw_shared = self
            .raw_shared
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let item = raw_shared
            .get(section)
            .and_then(|items| match &items.kind {
                NodeKind::Seq(items) => items.iter().find(|i| is_label(i, id)),
                _ => None,
            })
            .ok_or_else(|| Failure::NotFound(format!("{kind_name} resource `{id}` not found")))?;
        let mut value = json::to_json(item);
        if let Some(map) = value.as_object_mut() {
            map.remove("label");
        }
        Ok(value)
    }

    /// Removes resource `id` of type `kind`. Streams that already use it
    /// keep the instance they were built with.
    pub fn delete_resource(&self, kind_name: &str, id: &str) -> Result<(), Failure> {
        let kind = kind(kind_name)?;
        let mut found = self.resources.remove(kind, id);
        let mut tree = self
            .raw_shared
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(items) = section_items(&mut tree, kind.resource_section()) {
            let before = items.len();
            items.retain(|i| !is_label(i, id));
            found |= items.len() != before;
        }
        if found {
            Ok(())
        } else {
            Err(Failure::NotFound(format!(
                "{kind_name} resource `{id}` not found"
            )))
        }
    }
}

/// A resource item: `label: id` and then the component's fields.
fn labelled(id: &str, pairs: Vec<(Node, Node)>, pos: crate::config::Pos) -> Node {
    let mut item_pairs = vec![(scalar("label"), scalar(id))];
    item_pairs.extend(
        pairs
            .into_iter()
            .filter(|(k, _)| k.as_str() != Some("label")),
    );
    Node {
        kind: NodeKind::Map(item_pairs),
        pos,
    }
}

/// Replaces the item labelled `id` in `section`, or adds it.
fn put_item(tree: &mut Node, section: &str, id: &str, item: Node) {
    if let Some(items) = section_items(tree, section) {
        match items.iter_mut().find(|i| is_label(i, id)) {
            Some(slot) => *slot = item,
            None => items.push(item),
        }
    }
}
