//! Benthos-style YAML configs: environment substitution, parsing with
//! positions, and checking against the component schema.

pub mod components;
pub mod envsubst;
pub mod json;
pub mod node;
pub mod resources;
pub mod schema;
pub mod validate;

pub use node::{Node, NodeKind, Pos};
pub use validate::Problem;

use schema::{Field, ROOT_FIELDS, Ty};
use tarn_lang::Env;

/// Checks a whole config file and returns every problem found, in file
/// order. Environment variables are read through `lookup`.
pub fn lint_text(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Vec<Problem> {
    check(text, lookup).err().unwrap_or_default()
}

/// Substitutes variables, parses and checks a config file. A clean file
/// gives its tree with every `resource:` reference inlined, ready to
/// build; otherwise every problem, in file order.
pub fn check(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<Node, Vec<Problem>> {
    check_as(text, lookup, &Checks::root())
}

/// What [`check_as`] checks a config text as.
#[derive(Debug, Clone, Copy)]
pub struct Checks<'a> {
    /// The fields allowed at the top level.
    pub fields: &'static [Field],
    /// Resource sections declared elsewhere (the streams-mode root config
    /// and the resources API) that `resource:` references may name.
    pub shared: Option<&'a Node>,
    /// Check against the schema; `false` only parses, substitutes and
    /// inlines (the streams API's `?chilled=true`).
    pub lint: bool,
}

impl Checks<'static> {
    /// A whole config file.
    pub fn root() -> Checks<'static> {
        Checks {
            fields: ROOT_FIELDS,
            shared: None,
            lint: true,
        }
    }
}

/// Like [`check`], with the top-level fields, shared resources and
/// linting given by `checks`.
pub fn check_as(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
    checks: &Checks<'_>,
) -> Result<Node, Vec<Problem>> {
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
    let mut root = match node::parse(&substituted) {
        Ok(root) => root,
        Err(e) => {
            return Err(vec![Problem {
                pos: e.pos,
                path: String::new(),
                message: format!("invalid YAML: {}", e.message),
            }]);
        }
    };
    let mut problems = Vec::new();
    if checks.lint {
        let env = Env::standard();
        let mut checker = validate::Checker::new(&substituted, env);
        checker.check(&root, Ty::Object(checks.fields), "");
        problems = checker.problems;
    } else if !matches!(root.kind, NodeKind::Map(_)) {
        problems.push(Problem {
            pos: root.pos,
            path: String::new(),
            message: format!("expected an object, found {}", root.shape()),
        });
    }
    if let (Some(shared), NodeKind::Map(pairs)) = (checks.shared, &mut root.kind)
        && let NodeKind::Map(sections) = &shared.kind
    {
        for (key, value) in sections {
            if !pairs.iter().any(|(k, _)| k.as_str() == key.as_str()) {
                pairs.push((key.clone(), value.clone()));
            }
        }
    }
    let inlined = match resources::inline(&root) {
        Ok(inlined) => Some(inlined),
        Err(unresolved) => {
            problems.extend(unresolved.into_iter().map(|(pos, message)| Problem {
                pos,
                path: String::new(),
                message,
            }));
            None
        }
    };
    match inlined {
        Some(tree) if problems.is_empty() => Ok(tree),
        _ => {
            problems.sort_by_key(|p| (p.pos.line, p.pos.col));
            Err(problems)
        }
    }
}

/// Checks a config with the process environment.
pub fn lint_with_process_env(text: &str) -> Vec<Problem> {
    lint_text(text, |name| std::env::var(name).ok())
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
        lint_text(text, |name| (name == "PORT").then(|| "8080".to_string()))
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
