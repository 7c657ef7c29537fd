//! The resources API: components declared once, by type and label, that
//! stream configs use with `resource: <label>`. They join the root
//! config's resource sections; a stream inlines them when it is built,
//! so a change reaches streams created or updated after it.

use super::{Failure, Manager};
use crate::config::json;
use crate::config::node::{self, Node, NodeKind, Style};
use crate::config::schema::Ty;
use crate::config::validate::Checker;
use tarn_lang::Env;

/// The resource types, their section of the root config and their schema.
const KINDS: &[(&str, &str, Ty)] = &[
    ("input", "input_resources", Ty::Input),
    ("processor", "processor_resources", Ty::Processor),
    ("output", "output_resources", Ty::Output),
    ("cache", "cache_resources", Ty::Any),
    (
        "rate_limit",
        "rate_limit_resources",
        Ty::Object(crate::config::components::RATE_LIMIT_RESOURCE_FIELDS),
    ),
];

fn kind(name: &str) -> Result<(&'static str, Ty), Failure> {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == name)
        .map(|(_, section, ty)| (*section, *ty))
        .ok_or_else(|| {
            let known: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).collect();
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
    /// JSON component config.
    pub fn set_resource(
        &self,
        kind_name: &str,
        id: &str,
        text: &str,
        lint: bool,
    ) -> Result<(), Failure> {
        super::check_id(id)?;
        let (section, ty) = kind(kind_name)?;
        let substituted = crate::config::envsubst::substitute(text, |n| std::env::var(n).ok())
            .map_err(|missing| {
                let names: Vec<String> = missing.into_iter().map(|m| m.name).collect();
                Failure::BadRequest(format!(
                    "environment variables not set: {}",
                    names.join(", ")
                ))
            })?;
        let body =
            node::parse(&substituted).map_err(|e| Failure::Lint(vec![super::yaml_problem(e)]))?;
        // What GET shows: the body as written, variables not substituted.
        let raw = node::parse(text).unwrap_or_else(|_| body.clone());
        if lint {
            let mut checker = Checker::new(&substituted, Env::standard());
            checker.check(&body, ty, "");
            if !checker.problems.is_empty() {
                return Err(Failure::Lint(checker.problems));
            }
        }
        let NodeKind::Map(pairs) = body.kind else {
            return Err(Failure::BadRequest(format!(
                "a {kind_name} resource is an object, found {}",
                body.shape()
            )));
        };
        let item = labelled(id, pairs, body.pos);
        let raw_item = match raw.kind {
            NodeKind::Map(pairs) => labelled(id, pairs, raw.pos),
            _ => item.clone(),
        };
        let mut shared = self
            .shared
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A label is unique across the sections that `resource:` names.
        for (_, other, _) in KINDS.iter().filter(|(_, s, _)| *s != section) {
            if section_items(&mut shared, other)
                .is_some_and(|items| items.iter().any(|i| is_label(i, id)))
            {
                return Err(Failure::BadRequest(format!(
                    "the resource label `{id}` is already used in `{other}`"
                )));
            }
        }
        put_item(&mut shared, section, id, item);
        drop(shared);
        let mut raw_shared = self
            .raw_shared
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        put_item(&mut raw_shared, section, id, raw_item);
        Ok(())
    }

    /// Resource `id` of type `kind` as written (variables not
    /// substituted), as JSON without its label.
    pub fn get_resource(&self, kind_name: &str, id: &str) -> Result<serde_json::Value, Failure> {
        let (section, _) = kind(kind_name)?;
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
    /// keep the copy they were built with.
    pub fn delete_resource(&self, kind_name: &str, id: &str) -> Result<(), Failure> {
        let (section, _) = kind(kind_name)?;
        let mut found = false;
        for tree in [&self.shared, &self.raw_shared] {
            let mut tree = tree
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(items) = section_items(&mut tree, section) {
                let before = items.len();
                items.retain(|i| !is_label(i, id));
                found |= items.len() != before;
            }
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
