//! `tarn list`: the standard library registry and the pipeline components,
//! as text or JSON — the same data the REPL's completion, the language
//! server's hover and `tarn lint` read.

use clap::{Parser, ValueEnum};
use serde_json::{Value as Json, json};
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use tarn_lang::Env;
use tarn_lang::stdlib::{Default, Expect, Spec};
use tarn_runtime::component::registry::{Entry, Kind, Registry};

/// Options of `tarn list`.
#[derive(Parser, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A kind to list (`inputs`, `processors`, `outputs`, `caches`,
    /// `rate_limits`, `functions`, `methods`), or text that names must
    /// contain.
    filter: Option<String>,
    /// With a kind: one component or function, shown in full.
    name: Option<String>,
}

/// How `tarn list` prints.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// One line per entry, grouped by kind and category.
    Text,
    /// The full registry as JSON.
    Json,
}

fn default_json(d: Default) -> Json {
    match d {
        Default::Required | Default::Optional => Json::Null,
        Default::Null => Json::Null,
        Default::Bool(b) => json!(b),
        Default::Int(i) => json!(i),
        Default::Float(f) => json!(f),
        Default::Str(s) => json!(s),
    }
}

/// One spec as JSON.
pub fn spec_json(spec: &Spec) -> Json {
    let params: Vec<Json> = spec
        .params
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "type": p.kind.name(),
                "required": !p.is_optional(),
                "default": default_json(p.default),
                "has_default": !matches!(p.default, Default::Required | Default::Optional),
                "doc": p.doc,
            })
        })
        .collect();
    let examples: Vec<Json> = spec
        .examples
        .iter()
        .map(|ex| {
            let cases: Vec<Json> = ex
                .cases
                .iter()
                .map(|(input, expect)| match expect {
                    Expect::Out(o) => json!({"input": input, "output": o}),
                    Expect::Fails(e) => json!({"input": input, "error": e}),
                })
                .collect();
            json!({"mapping": ex.mapping, "cases": cases})
        })
        .collect();
    json!({
        "name": spec.name,
        "kind": if spec.is_method() { "method" } else { "function" },
        "signature": spec.signature(),
        "params": params,
        "variadic": spec.variadic,
        "category": spec.category.name(),
        "status": spec.status.name(),
        "impure": spec.impure,
        "doc": spec.doc,
        "examples": examples,
    })
}

/// One pipeline component as JSON: its doc, status and every field.
pub fn component_json(e: &Entry) -> Json {
    let mut body = e.shape().to_json();
    body["name"] = json!(e.name);
    body["kind"] = json!(e.kind.name());
    body["doc"] = json!(e.doc);
    body["status"] = json!(e.status.name());
    body
}

/// What the positional arguments select.
struct Selection {
    /// Only this kind of component (or `functions` / `methods`).
    kind: Option<String>,
    /// Names must contain this (or, with a kind and `exact`, equal it).
    name: Option<String>,
    exact: bool,
}

impl Selection {
    fn of(args: &Args) -> Result<Selection, String> {
        let first = args.filter.as_deref();
        let is_kind = |k: &str| Kind::parse(k).is_some() || matches!(k, "functions" | "methods");
        match (first, args.name.as_deref()) {
            (Some(k), name) if is_kind(k) => Ok(Selection {
                kind: Some(k.to_string()),
                name: name.map(str::to_string),
                exact: name.is_some(),
            }),
            (_, Some(_)) => Err(format!(
                "`{}` is not a kind; the kinds are inputs, processors, outputs, caches, rate_limits, functions, methods",
                first.unwrap_or_default()
            )),
            (filter, None) => Ok(Selection {
                kind: None,
                name: filter.map(str::to_string),
                exact: false,
            }),
        }
    }

    fn wants_kind(&self, kind: &str) -> bool {
        self.kind.as_deref().is_none_or(|k| {
            k == kind || Kind::parse(k).is_some_and(|k| k.plural() == kind || k.name() == kind)
        })
    }

    fn wants_name(&self, name: &str) -> bool {
        match &self.name {
            None => true,
            Some(n) if self.exact => n == name,
            Some(n) => name.contains(n.as_str()),
        }
    }
}

fn components(sel: &Selection, kind: Kind) -> Vec<&'static Entry> {
    if !sel.wants_kind(kind.plural()) {
        return Vec::new();
    }
    Registry::standard()
        .of_kind(kind)
        .into_iter()
        .filter(|e| sel.wants_name(e.name))
        .collect()
}

/// Runs the command.
pub fn main(args: Args) -> ExitCode {
    let sel = match Selection::of(&args) {
        Ok(sel) => sel,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = String::new();
    let found = render(&args, &sel, &mut out);
    if !found && sel.exact {
        eprintln!(
            "error: no {} is named `{}`",
            sel.kind.as_deref().unwrap_or("entry"),
            sel.name.as_deref().unwrap_or_default()
        );
        return ExitCode::FAILURE;
    }
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`tarn list | head`) is not an error.
    let _ = stdout.write_all(out.as_bytes());
    ExitCode::SUCCESS
}

fn render(args: &Args, sel: &Selection, text: &mut String) -> bool {
    let specs: Vec<&Spec> = Env::standard()
        .specs()
        .into_iter()
        .filter(|s| sel.wants_name(s.name))
        .filter(|s| {
            sel.wants_kind(if s.is_method() {
                "methods"
            } else {
                "functions"
            })
        })
        .collect();
    let mut found = !specs.is_empty();
    let by_kind: Vec<(Kind, Vec<&Entry>)> = Kind::ALL
        .into_iter()
        .map(|k| (k, components(sel, k)))
        .collect();
    found |= by_kind.iter().any(|(_, list)| !list.is_empty());
    let single = sel.exact && sel.kind.as_deref().and_then(Kind::parse).is_some();
    match args.format {
        Format::Json if single => {
            let one = by_kind
                .iter()
                .flat_map(|(_, list)| list.iter())
                .next()
                .map(|e| component_json(e))
                .unwrap_or(Json::Null);
            let _ = writeln!(
                text,
                "{}",
                serde_json::to_string_pretty(&one).unwrap_or_default()
            );
        }
        Format::Json => {
            let mut out = serde_json::Map::new();
            if sel.wants_kind("functions") {
                let functions: Vec<Json> = specs
                    .iter()
                    .filter(|s| !s.is_method())
                    .map(|s| spec_json(s))
                    .collect();
                out.insert("functions".into(), json!(functions));
            }
            if sel.wants_kind("methods") {
                let methods: Vec<Json> = specs
                    .iter()
                    .filter(|s| s.is_method())
                    .map(|s| spec_json(s))
                    .collect();
                out.insert("methods".into(), json!(methods));
            }
            for (kind, list) in &by_kind {
                if sel.wants_kind(kind.plural()) {
                    let items: Vec<Json> = list.iter().map(|e| component_json(e)).collect();
                    out.insert(kind.plural().into(), json!(items));
                }
            }
            let _ = writeln!(
                text,
                "{}",
                serde_json::to_string_pretty(&Json::Object(out)).unwrap_or_default()
            );
        }
        Format::Text if single => {
            if let Some(e) = by_kind.iter().flat_map(|(_, list)| list.iter()).next() {
                describe_component(e, text);
            }
        }
        Format::Text => {
            for kind in ["function", "method"] {
                if !sel.wants_kind(&format!("{kind}s")) {
                    continue;
                }
                let mut group: Vec<&&Spec> = specs
                    .iter()
                    .filter(|s| s.is_method() == (kind == "method"))
                    .collect();
                group.sort_by_key(|s| (s.category, s.name));
                let _ = writeln!(text, "{}s ({})", kind, group.len());
                let mut category = None;
                for s in group {
                    if category != Some(s.category) {
                        category = Some(s.category);
                        let _ = writeln!(text, "  {}:", s.category.name());
                    }
                    let status = match s.status.name() {
                        "stable" => String::new(),
                        other => format!(" [{other}]"),
                    };
                    let _ = writeln!(text, "    {}{status}  {}", s.signature(), s.doc);
                }
            }
            for (kind, group) in &by_kind {
                if !sel.wants_kind(kind.plural()) {
                    continue;
                }
                let _ = writeln!(text, "{} ({})", kind.plural(), group.len());
                for c in group {
                    let status = match c.status.name() {
                        "stable" => String::new(),
                        other => format!(" [{other}]"),
                    };
                    let _ = writeln!(text, "    {}{status}  {}", c.name, c.doc);
                }
            }
        }
    }
    found
}

/// One component in full: its doc and every field with its type,
/// default and doc, nested objects indented.
fn describe_component(e: &Entry, text: &mut String) {
    let _ = writeln!(text, "{} {} ({})", e.kind.name(), e.name, e.status.name());
    let _ = writeln!(text, "  {}", e.doc);
    let shape = e.shape();
    if shape.fields().is_empty() {
        let _ = writeln!(text, "  config: {}", shape.type_name());
        return;
    }
    let _ = writeln!(text, "  fields:");
    describe_fields(shape.fields(), 2, text);
}

fn describe_fields(fields: &[tarn_runtime::config::shape::Field], depth: usize, text: &mut String) {
    let pad = "  ".repeat(depth);
    for f in fields {
        let mut line = format!("{pad}{}: {}", f.name, f.shape.type_name());
        if f.required {
            line.push_str(" (required)");
        } else if let Some(d) = &f.default {
            line.push_str(&format!(" = {d}"));
        }
        if let tarn_runtime::config::shape::Shape::Enum(choices) = &f.shape {
            let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
            line.push_str(&format!(" [{}]", names.join(", ")));
        }
        let _ = writeln!(text, "{line}");
        if !f.doc.is_empty() {
            let _ = writeln!(text, "{pad}    {}", f.doc.replace('\n', " "));
        }
        if !f.shape.fields().is_empty() {
            describe_fields(f.shape.fields(), depth + 2, text);
        }
    }
}
