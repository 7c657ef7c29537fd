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
use tarn_runtime::config::components::COMPONENTS;
use tarn_runtime::config::schema::{ComponentKind, ComponentSpec, Ty};

/// Options of `tarn list`.
#[derive(Parser, Debug)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Only entries whose name contains this text.
    filter: Option<String>,
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

/// One pipeline component as JSON.
fn component_json(c: &ComponentSpec) -> Json {
    let fields: Vec<Json> = match c.body {
        Ty::Object(fields) => fields
            .iter()
            .map(|f| json!({"name": f.name, "type": f.ty.name()}))
            .collect(),
        _ => Vec::new(),
    };
    json!({"name": c.name, "doc": c.doc, "body": c.body.name(), "fields": fields})
}

fn components<'a>(
    args: &'a Args,
    kind: ComponentKind,
) -> impl Iterator<Item = &'static ComponentSpec> + 'a {
    COMPONENTS
        .iter()
        .filter(move |c| c.kind == kind)
        .filter(|c| args.filter.as_deref().is_none_or(|f| c.name.contains(f)))
}

/// Runs the command.
pub fn main(args: Args) -> ExitCode {
    let mut out = String::new();
    render(&args, &mut out);
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`tarn list | head`) is not an error.
    let _ = stdout.write_all(out.as_bytes());
    ExitCode::SUCCESS
}

fn render(args: &Args, text: &mut String) {
    let specs: Vec<&Spec> = Env::standard()
        .specs()
        .into_iter()
        .filter(|s| args.filter.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    match args.format {
        Format::Json => {
            let functions: Vec<Json> = specs
                .iter()
                .filter(|s| !s.is_method())
                .map(|s| spec_json(s))
                .collect();
            let methods: Vec<Json> = specs
                .iter()
                .filter(|s| s.is_method())
                .map(|s| spec_json(s))
                .collect();
            let list = |kind| {
                components(args, kind)
                    .map(component_json)
                    .collect::<Vec<_>>()
            };
            let out = json!({
                "functions": functions,
                "methods": methods,
                "inputs": list(ComponentKind::Input),
                "processors": list(ComponentKind::Processor),
                "outputs": list(ComponentKind::Output),
            });
            let _ = writeln!(
                text,
                "{}",
                serde_json::to_string_pretty(&out).unwrap_or_default()
            );
        }
        Format::Text => {
            for kind in ["function", "method"] {
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
            for kind in [
                ComponentKind::Input,
                ComponentKind::Processor,
                ComponentKind::Output,
            ] {
                let group: Vec<_> = components(args, kind).collect();
                let _ = writeln!(text, "{}s ({})", kind.name(), group.len());
                for c in group {
                    let _ = writeln!(text, "    {}  {}", c.name, c.doc);
                }
            }
        }
    }
}
