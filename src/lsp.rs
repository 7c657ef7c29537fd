//! `tarn lsp`: the language server on stdin/stdout. The server itself
//! (tarn-lsp) knows Bloblang only; this command hands it the runtime's
//! component registry, as a config schema, and config lint, so YAML
//! configs get component and field completion, hover and diagnostics from
//! the same registry `tarn lint`, `tarn list` and the builder read.

use clap::Parser;
use std::process::ExitCode;
use tarn_lsp::schema::{self as lsp, ConfigProblem, ConfigSchema, ConfigSupport};
use tarn_runtime::component::{Kind, Registry};
use tarn_runtime::config;
use tarn_runtime::config::shape::{Field, Shape, StrKind};

/// Options of `tarn lsp`.
#[derive(Parser, Debug)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

/// Runs the command.
pub fn main(_args: Args) -> ExitCode {
    match tarn_lsp::run_stdio_with(ConfigSupport::new(schema(), lint)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tarn lsp: {e}");
            ExitCode::FAILURE
        }
    }
}

fn str_kind(kind: StrKind) -> lsp::StrKind {
    match kind {
        StrKind::Plain => lsp::StrKind::Plain,
        StrKind::Duration | StrKind::OptionalDuration => lsp::StrKind::Duration,
        StrKind::Schedule => lsp::StrKind::Schedule,
        StrKind::Interpolation => lsp::StrKind::Interpolation,
        StrKind::Mapping => lsp::StrKind::Mapping,
        StrKind::Regex => lsp::StrKind::Regex,
    }
}

fn field(f: &Field) -> lsp::Field {
    lsp::Field {
        name: f.name.clone(),
        shape: shape(&f.shape),
        doc: f.doc.clone(),
        default: f.default.clone(),
        required: f.required,
    }
}

/// The runtime's shape in the language server's terms.
fn shape(s: &Shape) -> lsp::Shape {
    match s {
        Shape::Any => lsp::Shape::Any,
        Shape::Str(kind) => lsp::Shape::Str(str_kind(*kind)),
        Shape::Int(_) => lsp::Shape::Int,
        Shape::Float => lsp::Shape::Float,
        Shape::Bool => lsp::Shape::Bool,
        Shape::Enum(choices) => lsp::Shape::Enum(
            choices
                .iter()
                .map(|c| lsp::Choice {
                    name: c.name.clone(),
                    doc: c.doc.clone(),
                })
                .collect(),
        ),
        Shape::List(item) => lsp::Shape::List(Box::new(shape(item))),
        Shape::Dict(value) => lsp::Shape::Dict(Box::new(shape(value))),
        Shape::Object(fields, _) => lsp::Shape::Object(fields.iter().map(field).collect()),
        Shape::Component(kind) => lsp::Shape::Component(kind.clone()),
        Shape::Nullable(inner) => lsp::Shape::Nullable(Box::new(shape(inner))),
        Shape::OneOf(options) => lsp::Shape::OneOf(options.iter().map(shape).collect()),
    }
}

fn text_field(name: &str, doc: &str) -> lsp::Field {
    lsp::Field {
        name: name.into(),
        shape: lsp::Shape::Str(lsp::StrKind::Plain),
        doc: doc.into(),
        default: None,
        required: false,
    }
}

/// The fields a component of `kind` may have next to its type key, as
/// the config checker reads them.
fn common_fields(kind: Kind) -> Vec<lsp::Field> {
    let mut fields = vec![
        text_field(
            "label",
            "A name for this component: it shows in logs and metrics, and names a resource.",
        ),
        text_field(
            "resource",
            &format!(
                "Use the {} declared under `{}` with this label instead of a type.",
                kind.name(),
                kind.resource_section()
            ),
        ),
    ];
    let processors = match kind {
        Kind::Input => "Processors run on each message right after this input reads it.",
        Kind::Output => "Processors run on each message right before this output writes it.",
        _ => return fields,
    };
    fields.push(lsp::Field {
        name: "processors".into(),
        shape: lsp::Shape::List(Box::new(lsp::Shape::Component("processor".into()))),
        doc: processors.into(),
        default: None,
        required: false,
    });
    fields
}

/// The config schema of the runtime's component registry.
pub fn schema() -> ConfigSchema {
    let registry = Registry::standard();
    let components = Kind::ALL
        .into_iter()
        .flat_map(|kind| registry.of_kind(kind))
        .map(|e| lsp::Component {
            name: e.name.to_string(),
            kind: e.kind.name().to_string(),
            doc: e.doc.to_string(),
            status: e.status.name().to_string(),
            body: shape(e.shape()),
        })
        .collect();
    let kinds = Kind::ALL
        .into_iter()
        .map(|kind| lsp::KindInfo {
            name: kind.name().to_string(),
            common: common_fields(kind),
        })
        .collect();
    ConfigSchema {
        root: Some(shape(config::root_shape())),
        components,
        kinds,
    }
}

/// Lints a config as `tarn lint` does, with the server's environment
/// (building opens, binds and starts nothing).
pub fn lint(text: &str) -> Vec<ConfigProblem> {
    let problems = tarn_runtime::pipeline::lint(text, |name| std::env::var(name).ok());
    problems
        .into_iter()
        .map(|p| ConfigProblem {
            line: p.pos.line,
            col: p.pos.col,
            path: p.path,
            message: p.message,
        })
        .collect()
}
