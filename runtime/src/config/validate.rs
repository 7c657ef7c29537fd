//! Walks a parsed config against the shapes derived from the typed
//! configs and collects every problem at once: unknown fields (with the
//! nearest valid name), missing required fields, wrong shapes, bad
//! scalars and words, and mappings or interpolations that do not
//! compile — each located in the YAML file. Building (which `tarn run`
//! and `tarn lint` both do next) finds what needs more than the shape.

use super::de::locate_in_scalar;
use super::duration::parse_duration;
use super::node::{Node, NodeKind, Pos, Style};
use super::shape::{Field, Shape, StrKind};
use super::types::Sandbox;
use crate::component::build::ComponentParts;
use crate::component::{Kind, Registry};
use tarn_lang::Diagnostics;
use tarn_lang::diag::suggest;

/// One problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file.
    pub pos: Pos,
    /// The field path (`pipeline.processors.0.mapping`), empty for the
    /// file as a whole.
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// Collects the problems of one document.
pub struct Checker<'a> {
    lines: Vec<&'a str>,
    registry: &'a Registry,
    sandbox: Sandbox,
    /// What was found so far.
    pub problems: Vec<Problem>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a> Checker<'a> {
    /// A checker for the file `text`, with component types from
    /// `registry` and mappings compiled under `sandbox`.
    pub fn new(text: &'a str, registry: &'a Registry, sandbox: Sandbox) -> Checker<'a> {
        Checker {
            lines: text.lines().collect(),
            registry,
            sandbox,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, pos: Pos, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            pos,
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// Checks `node` against `shape`; `path` names it.
    pub fn check(&mut self, node: &Node, shape: &Shape, path: &str) {
        match shape {
            Shape::Any => {}
            Shape::Nullable(inner) => {
                if !node.is_null() {
                    self.check(node, inner, path);
                }
            }
            Shape::Component(kind) => {
                if let Some(kind) = Kind::parse(kind) {
                    self.component(node, kind, path);
                }
            }
            Shape::Object(fields, closed) => self.object(node, fields, *closed, path),
            Shape::Dict(value) => match &node.kind {
                NodeKind::Map(pairs) => {
                    for (k, v) in pairs {
                        let key = k.as_str().unwrap_or("?");
                        self.check(v, value, &join(path, key));
                    }
                }
                _ if node.is_null() => {}
                _ => self.mismatch(node, shape, path),
            },
            Shape::List(item) => match &node.kind {
                NodeKind::Seq(items) => {
                    for (i, it) in items.iter().enumerate() {
                        self.check(it, item, &join(path, &i.to_string()));
                    }
                }
                _ if node.is_null() => {}
                _ => self.mismatch(node, shape, path),
            },
            Shape::OneOf(options) => self.one_of(node, options, path),
            Shape::Enum(choices) => {
                let Some(text) = node.as_str() else {
                    return self.mismatch(node, shape, path);
                };
                if !choices.iter().any(|c| c.name == text) {
                    let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
                    let hint = suggest(text, names.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    let list = names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.problem(
                        node.pos,
                        path,
                        format!("`{text}` is not one of {list}{hint}"),
                    );
                }
            }
            Shape::Str(kind) => self.string(node, *kind, path),
            Shape::Int(_) | Shape::Float | Shape::Bool => self.scalar(node, shape, path),
        }
    }

    fn mismatch(&mut self, node: &Node, shape: &Shape, path: &str) {
        let message = format!("expected {}, found {}", describe(shape), node.shape());
        self.problem(node.pos, path, message);
    }

    fn scalar(&mut self, node: &Node, shape: &Shape, path: &str) {
        let Some(text) = node.as_str() else {
            return self.mismatch(node, shape, path);
        };
        let text = text.trim();
        let ok = match shape {
            Shape::Int(true) => text.parse::<u64>().is_ok(),
            Shape::Int(false) => text.parse::<i64>().is_ok(),
            Shape::Float => text.parse::<f64>().is_ok(),
            Shape::Bool => matches!(text, "true" | "false" | "True" | "False" | "TRUE" | "FALSE"),
            _ => true,
        };
        if !ok {
            let message = format!("expected {}, found `{text}`", describe(shape));
            self.problem(node.pos, path, message);
        }
    }

    fn string(&mut self, node: &Node, kind: StrKind, path: &str) {
        let Some(text) = node.as_str() else {
            return self.mismatch(node, &Shape::Str(kind), path);
        };
        match kind {
            StrKind::Plain => {}
            StrKind::Duration => {
                if parse_duration(text.trim()).is_none() {
                    let message =
                        format!("expected a duration such as 5s or 1m30s, found `{text}`");
                    self.problem(node.pos, path, message);
                }
            }
            StrKind::OptionalDuration => {
                let t = text.trim();
                if !t.is_empty() && parse_duration(t).is_none() {
                    let message = format!(
                        "expected a duration such as 5s or 1m30s, or empty, found `{text}`"
                    );
                    self.problem(node.pos, path, message);
                }
            }
            StrKind::Schedule => {
                let t = text.trim();
                if !(t.is_empty()
                    || parse_duration(t).is_some()
                    || crate::inputs::cron::Cron::parse(t).is_ok())
                {
                    let message = format!(
                        "expected a duration, a cron schedule such as `*/5 * * * *`, or empty, found `{text}`"
                    );
                    self.problem(node.pos, path, message);
                }
            }
            StrKind::Regex => {
                if let Err(e) = regex::Regex::new(text) {
                    self.problem(node.pos, path, format!("invalid regular expression: {e}"));
                }
            }
            StrKind::Mapping => {
                if let Err(d) = self.sandbox.env().compile(text) {
                    self.locate(node, text, &d, path);
                }
            }
            StrKind::Interpolation => {
                if let Err(d) = self.sandbox.env().compile_interpolation(text) {
                    self.locate(node, text, &d, path);
                }
            }
        }
    }

    fn object(&mut self, node: &Node, fields: &[Field], closed: bool, path: &str) {
        let pairs = match &node.kind {
            NodeKind::Map(pairs) => pairs.as_slice(),
            _ if node.is_null() => &[],
            _ => return self.mismatch(node, &Shape::Object(fields.to_vec(), closed), path),
        };
        for (k, v) in pairs {
            let key = k.as_str().unwrap_or("?");
            match fields.iter().find(|f| f.name == key) {
                Some(f) => self.check(v, &f.shape, &join(path, key)),
                None if !closed => {}
                None => {
                    let hint = suggest(key, fields.iter().map(|f| f.name.as_str()))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    self.problem(
                        k.pos,
                        &join(path, key),
                        format!("unknown field `{key}`{hint}"),
                    );
                }
            }
        }
        for f in fields.iter().filter(|f| f.required) {
            if !pairs
                .iter()
                .any(|(k, _)| k.as_str() == Some(f.name.as_str()))
            {
                let message = format!("the field `{}` is required", f.name);
                self.problem(node.pos, &join(path, &f.name), message);
            }
        }
    }

    /// Checks against each alternative and keeps the closest fit.
    fn one_of(&mut self, node: &Node, options: &[Shape], path: &str) {
        let mut best: Option<Vec<Problem>> = None;
        for option in options {
            let mut sub = Checker {
                lines: self.lines.clone(),
                registry: self.registry,
                sandbox: self.sandbox,
                problems: Vec::new(),
            };
            sub.check(node, option, path);
            if sub.problems.is_empty() {
                return;
            }
            if best.as_ref().is_none_or(|b| sub.problems.len() < b.len()) {
                best = Some(sub.problems);
            }
        }
        self.problems.extend(best.unwrap_or_default());
    }

    fn component(&mut self, node: &Node, kind: Kind, path: &str) {
        let NodeKind::Map(pairs) = &node.kind else {
            let message = format!("expected a {} object, found {}", kind.name(), node.shape());
            return self.problem(node.pos, path, message);
        };
        let takes_processors = matches!(kind, Kind::Input | Kind::Output);
        for (k, v) in pairs {
            let key = k.as_str().unwrap_or("?");
            let here = join(path, key);
            match key {
                "label" => self.check(v, &Shape::Str(StrKind::Plain), &here),
                "processors" if takes_processors => self.check(
                    v,
                    &Shape::List(Box::new(Shape::Component("processor".into()))),
                    &here,
                ),
                "resource" => self.check(v, &Shape::Str(StrKind::Plain), &here),
                name => match self.registry.find(kind, name) {
                    Some(entry) => self.check(v, entry.shape(), &here),
                    None => {
                        let mut names: Vec<&str> =
                            self.registry.of_kind(kind).iter().map(|e| e.name).collect();
                        names.extend(["label", "resource"]);
                        if takes_processors {
                            names.push("processors");
                        }
                        let hint = suggest(name, names)
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                        let message = format!("unknown {} type `{name}`{hint}", kind.name());
                        self.problem(k.pos, &here, message);
                    }
                },
            }
        }
        if let Err(e) = ComponentParts::of(node, kind, path) {
            let examples: Vec<String> = self
                .registry
                .of_kind(kind)
                .iter()
                .take(3)
                .map(|e| format!("`{}`", e.name))
                .collect();
            let message = if e.message.contains("found none") && !examples.is_empty() {
                format!(
                    "expected one {} type (such as {}), found none",
                    kind.name(),
                    examples.join(", ")
                )
            } else {
                e.message
            };
            self.problem(e.pos.unwrap_or(node.pos), path, message);
        }
    }

    /// Turns diagnostics of text embedded in `node` into file positions.
    fn locate(&mut self, node: &Node, src: &str, diags: &Diagnostics, path: &str) {
        let style = match &node.kind {
            NodeKind::Scalar(_, style) => *style,
            _ => Style::Plain,
        };
        for d in diags.items.iter().filter(|d| d.is_error()) {
            let pos = locate_in_scalar(node.pos, style, src, d.span.start as usize, &self.lines);
            self.problem(pos, path, d.message.clone());
        }
    }
}

/// How a shape is named in messages.
pub fn describe(shape: &Shape) -> String {
    match shape {
        Shape::Str(StrKind::Duration) => "a duration such as 5s or 1m30s".into(),
        Shape::Str(StrKind::Mapping) => "a Bloblang mapping".into(),
        Shape::Str(_) => "a string".into(),
        Shape::Int(true) => "a non-negative integer".into(),
        Shape::Int(false) => "an integer".into(),
        Shape::Float => "a number".into(),
        Shape::Bool => "true or false".into(),
        Shape::Enum(choices) => {
            let names: Vec<String> = choices.iter().map(|c| format!("`{}`", c.name)).collect();
            format!("one of {}", names.join(", "))
        }
        Shape::List(_) => "a list".into(),
        Shape::Dict(_) | Shape::Object(..) => "an object".into(),
        Shape::Component(kind) => format!("a {kind}"),
        Shape::Nullable(inner) => describe(inner),
        Shape::OneOf(_) | Shape::Any => "a value".into(),
    }
}
