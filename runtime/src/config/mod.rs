//! Benthos-style YAML configs: environment substitution, parsing with
//! positions, typed reading with located errors, and the shape walk that
//! lint runs before building.

pub mod de;
pub mod duration;
pub mod envsubst;
pub mod json;
pub mod node;
pub mod root;
pub mod shape;
pub mod types;
pub mod validate;

pub use node::{Node, NodeKind, Pos};
pub use validate::Problem;

use crate::component::{BuildError, Registry};
use shape::Shape;
use std::sync::LazyLock;
use types::Sandbox;

/// A config text after variable substitution and YAML parsing.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The text with variables substituted (positions refer to it).
    pub text: String,
    /// The YAML tree.
    pub root: Node,
}

/// Substitutes environment variables (read through `lookup`) and parses
/// the YAML; problems are located.
pub fn parse(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<Parsed, Vec<Problem>> {
    let substituted = match envsubst::substitute(text, lookup) {
        Ok(s) => s,
        Err(missing) => {
            return Err(missing
                .into_iter()
                .map(|m| Problem {
                    pos: Pos { line: m.line, col: 1 },
                    path: String::new(),
                    message: if m.undecodable {
                        format!("environment variable `{}` is not valid base64 text", m.name)
                    } else {
                        format!(
                            "environment variable `{}` is not set and has no default (write ${{{}:default}} to give one)",
                            m.name, m.name
                        )
                    },
                })
                .collect());
        }
    };
    match node::parse(&substituted) {
        Ok(root) => Ok(Parsed {
            text: substituted,
            root,
        }),
        Err(e) => Err(vec![Problem {
            pos: e.pos,
            path: String::new(),
            message: format!("invalid YAML: {}", e.message),
        }]),
    }
}

/// The shape of a whole config file.
pub fn root_shape() -> &'static Shape {
    static SHAPE: LazyLock<Shape> = LazyLock::new(|| {
        Shape::from_root_schema(
            schemars::SchemaGenerator::default()
                .into_root_schema_for::<root::RootConfig>()
                .as_value(),
        )
    });
    &SHAPE
}

/// The shape of a streams-mode stream file.
pub fn stream_shape() -> &'static Shape {
    static SHAPE: LazyLock<Shape> = LazyLock::new(|| {
        Shape::from_root_schema(
            schemars::SchemaGenerator::default()
                .into_root_schema_for::<root::StreamFileConfig>()
                .as_value(),
        )
    });
    &SHAPE
}

/// Every shape problem of `parsed` against `shape`, in file order.
pub fn walk(parsed: &Parsed, shape: &Shape, sandbox: Sandbox) -> Vec<Problem> {
    let registry = Registry::standard();
    let mut checker = validate::Checker::new(&parsed.text, registry, sandbox);
    checker.check(&parsed.root, shape, "");
    let mut problems = checker.problems;
    problems.sort_by_key(|p| (p.pos.line, p.pos.col));
    problems
}

/// A build error as a located problem: at its own position, else where
/// `root` writes its field path.
pub fn build_problem(e: BuildError, root: &Node) -> Problem {
    let pos = e.pos.or_else(|| node_at(root, &e.path)).unwrap_or(root.pos);
    Problem {
        pos,
        path: e.path,
        message: e.message,
    }
}

/// Where the field at `path` (`a.b.0.c`) is written in `node`: the key of
/// the last field, or the item of the last index.
pub fn node_at(node: &Node, path: &str) -> Option<Pos> {
    let mut here = node;
    let mut pos = node.pos;
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        match &here.kind {
            NodeKind::Map(pairs) => {
                let (key, value) = pairs.iter().find(|(k, _)| k.as_str() == Some(segment))?;
                pos = key.pos;
                here = value;
            }
            NodeKind::Seq(items) => {
                here = items.get(segment.parse::<usize>().ok()?)?;
                pos = here.pos;
            }
            NodeKind::Scalar(..) => return None,
        }
    }
    Some(pos)
}

/// Renders problems as `file:line:col: error: path: message`, each with
/// the offending line and a caret under the column.
pub fn render(file: &str, text: &str, problems: &[Problem]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for p in problems {
        if !out.is_empty() {
            out.push('\n');
        }
        let at = if p.path.is_empty() {
            String::new()
        } else {
            format!("`{}`: ", p.path)
        };
        out.push_str(&format!(
            "{file}:{}:{}: error: {at}{}\n",
            p.pos.line, p.pos.col, p.message
        ));
        if let Some(line) = lines.get(p.pos.line.saturating_sub(1)) {
            let number = p.pos.line.to_string();
            let gutter = " ".repeat(number.len());
            let caret_pad: String = line
                .chars()
                .take(p.pos.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "{gutter} |\n{number} | {line}\n{gutter} | {caret_pad}^\n"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(text: &str) -> Vec<Problem> {
        crate::pipeline::lint(text, |name| (name == "PORT").then(|| "8080".to_string()))
    }

    #[test]
    fn a_valid_config_has_no_problems() {
        let cfg = "http:\n  address: 0.0.0.0:${PORT}\ninput:\n  http_server:\n    path: /post\n    timeout: 5s\npipeline:\n  processors:\n    - mapping: root = content().uppercase()\noutput:\n  sync_response: {}\n";
        assert_eq!(lint(cfg), Vec::new());
    }

    #[test]
    fn unknown_fields_name_the_path_and_suggest() {
        let cfg = "input:\n  http_server:\n    pathh: /post\noutput:\n  stdot: {}\n";
        let p = lint(cfg);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].path, "input.http_server.pathh");
        assert_eq!(p[0].pos, Pos { line: 3, col: 5 });
        assert!(
            p[0].message.contains("did you mean `path`?"),
            "{}",
            p[0].message
        );
        assert_eq!(p[1].path, "output.stdot");
        assert!(
            p[1].message.contains("did you mean `stdout`?"),
            "{}",
            p[1].message
        );
    }

    #[test]
    fn mapping_errors_are_located_inside_the_yaml() {
        let cfg = "pipeline:\n  processors:\n    - mapping: |\n        root.a = this.a\n        root.b = this.b +\n        root.c = 1\n";
        let p = lint(cfg);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, "pipeline.processors.0.mapping");
        assert_eq!(p[0].pos.line, 6, "{p:?}");
        let cfg = "pipeline:\n  processors:\n    - mapping: 'root = this.nope('\n";
        let p = lint(cfg);
        assert_eq!(p[0].pos.line, 3, "{p:?}");
        assert!(p[0].pos.col > 20, "{p:?}");
    }

    #[test]
    fn the_metrics_section_checks_its_mapping_and_keys() {
        let ok = "metrics:\n  mapping: 'root = this.replace_all(\"_\", \"-\")'\n  prometheus: {}\n";
        assert_eq!(lint(ok), Vec::new());
        let cfg = "metrics:\n  mapping: |\n    meta a = 1\n    root = this +\n  prometheus: {}\n";
        let p = lint(cfg);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, "metrics.mapping");
        assert_eq!(p[0].pos.line, 4, "{p:?}");
        let p = lint("metrics:\n  promethues: {}\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, "metrics.promethues");
        assert!(p[0].message.contains("did you mean `prometheus`?"), "{p:?}");
    }

    #[test]
    fn bad_scalars_shapes_and_missing_variables() {
        let p = lint("shutdown_timeout: soon\npipeline:\n  threads: many\n");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].message.contains("duration"));
        assert!(p[1].message.contains("integer"));
        let p = lint("input:\n  stdin: {}\n  generate: {}\n");
        assert!(p[0].message.contains("exactly one type"), "{p:?}");
        assert_eq!(
            lint("input:\n  generate:\n    interval: '*/5 * * * *'\n    mapping: root = 1\n"),
            Vec::new()
        );
        let p = lint("input:\n  generate:\n    interval: soonish\n    mapping: root = 1\n");
        assert!(p[0].message.contains("cron schedule"), "{p:?}");
        let p = lint("http:\n  address: ${NOPE}\n");
        assert_eq!(p[0].pos.line, 2);
        assert!(p[0].message.contains("`NOPE`"));
    }

    #[test]
    fn rendering_shows_the_line_and_a_caret() {
        let text = "input:\n  stdni: {}\n";
        let out = render("c.yaml", text, &lint(text));
        assert!(out.starts_with("c.yaml:2:3: error: `input.stdni`: unknown input type `stdni`; did you mean `stdin`?"), "{out}");
        assert!(out.contains("2 |   stdni: {}\n  |   ^"), "{out}");
    }
}
