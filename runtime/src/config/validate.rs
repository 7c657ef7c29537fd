//! Walks a parsed config against its schema and collects every problem:
//! unknown fields (with the nearest valid name), wrong shapes, bad
//! scalars, and mappings or interpolations that do not compile, each
//! located in the YAML file.

use super::components;
use super::node::{Node, NodeKind, Pos, Style};
use super::schema::{ComponentKind, Field, Ty, is_duration};
use tarn_lang::diag::suggest;
use tarn_lang::{Diagnostics, Env};

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
    env: &'a Env,
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
    /// A checker for the file `text`, compiling mappings with `env`.
    pub fn new(text: &'a str, env: &'a Env) -> Checker<'a> {
        Checker {
            lines: text.lines().collect(),
            env,
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

    /// Checks `node` against `ty`; `path` names it.
    pub fn check(&mut self, node: &Node, ty: Ty, path: &str) {
        match ty {
            Ty::Any => {}
            Ty::Input => self.component(node, ComponentKind::Input, path),
            Ty::Processor => self.component(node, ComponentKind::Processor, path),
            Ty::Output => self.component(node, ComponentKind::Output, path),
            Ty::Object(fields) => self.object(node, fields, path),
            Ty::Dict(value_ty) => match &node.kind {
                NodeKind::Map(pairs) => {
                    for (k, v) in pairs {
                        let key = k.as_str().unwrap_or("?");
                        self.check(v, *value_ty, &join(path, key));
                    }
                }
                _ if node.is_null() => {}
                _ => self.mismatch(node, ty, path),
            },
            Ty::List(item_ty) => match &node.kind {
                NodeKind::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item, *item_ty, &join(path, &i.to_string()));
                    }
                }
                _ if node.is_null() => {}
                _ => self.mismatch(node, ty, path),
            },
            Ty::Mapping => self.mapping(node, path),
            Ty::Interp => self.interpolation(node, path),
            Ty::Str | Ty::Int | Ty::Bool | Ty::Float | Ty::Duration | Ty::Schedule => {
                self.scalar(node, ty, path)
            }
        }
    }

    fn mismatch(&mut self, node: &Node, ty: Ty, path: &str) {
        let message = format!("expected {}, found {}", ty.describe(), node.shape());
        self.problem(node.pos, path, message);
    }

    fn scalar(&mut self, node: &Node, ty: Ty, path: &str) {
        let Some(text) = node.as_str() else {
            return self.mismatch(node, ty, path);
        };
        let ok = match ty {
            Ty::Int => text.parse::<i64>().is_ok(),
            Ty::Float => text.parse::<f64>().is_ok(),
            Ty::Bool => matches!(text, "true" | "false" | "True" | "False" | "TRUE" | "FALSE"),
            Ty::Duration => is_duration(text),
            Ty::Schedule => {
                text.is_empty()
                    || is_duration(text)
                    || crate::input::cron::Cron::parse(text).is_ok()
            }
            _ => true,
        };
        if !ok {
            let message = format!("expected {}, found `{text}`", ty.describe());
            self.problem(node.pos, path, message);
        }
    }

    fn object(&mut self, node: &Node, fields: &'static [Field], path: &str) {
        let pairs = match &node.kind {
            NodeKind::Map(pairs) => pairs,
            _ if node.is_null() => return,
            _ => return self.mismatch(node, Ty::Object(fields), path),
        };
        for (k, v) in pairs {
            let key = k.as_str().unwrap_or("?");
            match fields.iter().find(|f| f.name == key) {
                Some(f) => self.check(v, f.ty, &join(path, key)),
                None => {
                    let hint = suggest(key, fields.iter().map(|f| f.name))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    let message = format!("unknown field `{key}`{hint}");
                    self.problem(k.pos, &join(path, key), message);
                }
            }
        }
    }

    fn component(&mut self, node: &Node, kind: ComponentKind, path: &str) {
        let pairs = match &node.kind {
            NodeKind::Map(pairs) => pairs,
            _ => return self.mismatch(node, Ty::from_kind(kind), path),
        };
        let extras = kind.extra_keys();
        let mut found: Vec<&str> = Vec::new();
        for (k, v) in pairs {
            let key = k.as_str().unwrap_or("?");
            let here = join(path, key);
            if let Some(f) = extras.iter().find(|f| f.name == key) {
                self.check(v, f.ty, &here);
            } else if key == "resource" {
                found.push(key);
                self.check(v, Ty::Str, &here);
            } else if let Some(spec) = components::find(kind, key) {
                found.push(key);
                self.check(v, spec.body, &here);
            } else {
                let names = components::of_kind(kind)
                    .map(|c| c.name)
                    .chain(extras.iter().map(|f| f.name))
                    .chain(["resource"]);
                let hint = suggest(key, names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                let message = format!("unknown {} type `{key}`{hint}", kind.name());
                self.problem(k.pos, &here, message);
                found.push(key);
            }
        }
        match found.as_slice() {
            [] => {
                let examples: Vec<String> = components::of_kind(kind)
                    .take(3)
                    .map(|c| format!("`{}`", c.name))
                    .collect();
                let message = format!(
                    "expected one {} type (such as {}), found none",
                    kind.name(),
                    examples.join(", ")
                );
                self.problem(node.pos, path, message);
            }
            [_] => {}
            [first, second, ..] => {
                let message = format!(
                    "a {} has exactly one type, found `{first}` and `{second}`",
                    kind.name()
                );
                self.problem(node.pos, path, message);
            }
        }
    }

    fn mapping(&mut self, node: &Node, path: &str) {
        let Some(src) = node.as_str() else {
            return self.mismatch(node, Ty::Mapping, path);
        };
        if let Err(diags) = self.env.compile(src) {
            self.locate(node, src, &diags, path);
        }
    }

    fn interpolation(&mut self, node: &Node, path: &str) {
        let Some(src) = node.as_str() else {
            return self.mismatch(node, Ty::Interp, path);
        };
        if let Err(diags) = self.env.compile_interpolation(src) {
            self.locate(node, src, &diags, path);
        }
    }

    /// Turns diagnostics of text embedded in `node` into file positions.
    fn locate(&mut self, node: &Node, src: &str, diags: &Diagnostics, path: &str) {
        let style = match &node.kind {
            NodeKind::Scalar(_, style) => *style,
            _ => Style::Plain,
        };
        for d in diags.items.iter().filter(|d| d.is_error()) {
            let start = (d.span.start as usize).min(src.len());
            let before = src.get(..start).unwrap_or("");
            let line_in_src = before.matches('\n').count();
            let col_in_src = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
            let pos = match style {
                Style::Block => {
                    // The node starts at the block's first content line.
                    let first = node.pos.line;
                    let indent = self
                        .lines
                        .get(first - 1)
                        .map_or(0, |l| l.len() - l.trim_start().len());
                    Pos {
                        line: first + line_in_src,
                        col: indent + col_in_src + 1,
                    }
                }
                Style::Plain | Style::Quoted => {
                    let quote = usize::from(style == Style::Quoted);
                    let col = if line_in_src == 0 {
                        node.pos.col + quote + col_in_src
                    } else {
                        col_in_src + 1
                    };
                    Pos {
                        line: node.pos.line + line_in_src,
                        col,
                    }
                }
            };
            self.problem(pos, path, d.message.clone());
        }
    }
}

impl Ty {
    fn from_kind(kind: ComponentKind) -> Ty {
        match kind {
            ComponentKind::Input => Ty::Input,
            ComponentKind::Processor => Ty::Processor,
            ComponentKind::Output => Ty::Output,
        }
    }
}
