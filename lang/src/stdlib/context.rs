//! Entries that read the pipeline context of a message (where its error
//! came from, its tracing span) and the `bloblang` method, which runs a
//! mapping given as data.

use super::{Category, Example, Expect::*, Impl, Kind, Param, Spec, Status};
use crate::convert::to_message_bytes;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::message::{ErrorSource, Message};
use crate::program::Program;
use crate::value::{Arc, Blob, Value};
use crate::vm::{Call, compile_stack, grow_stack};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    error_source_spec(
        "error_source_name",
        &[Example {
            mapping: "root.source = error_source_name()",
            cases: &[(r#"{}"#, Out(r#"{"source":null}"#))],
        }],
        "The type name of the component that failed the message, or null.",
        error_source_name,
    ),
    error_source_spec(
        "error_source_label",
        &[Example {
            mapping: "root.source = error_source_label()",
            cases: &[(r#"{}"#, Out(r#"{"source":null}"#))],
        }],
        "The label of the component that failed the message (`\"\"` when unlabelled), or null.",
        error_source_label,
    ),
    error_source_spec(
        "error_source_path",
        &[Example {
            mapping: "root.source = error_source_path()",
            cases: &[(r#"{}"#, Out(r#"{"source":null}"#))],
        }],
        "The config path of the component that failed the message, or null.",
        error_source_path,
    ),
    Spec {
        name: "tracing_span",
        category: Category::Message,
        status: Status::Experimental,
        doc: "The message's tracing span as a text map (`traceparent` …), or null when it is not traced.",
        examples: &[Example {
            mapping: r#"root.span = tracing_span()"#,
            cases: &[(r#"{}"#, Out(r#"{"span":null}"#))],
        }],
        imp: Impl::Function(tracing_span),
        ..Spec::FUNCTION
    },
    Spec {
        name: "tracing_id",
        category: Category::Message,
        status: Status::Experimental,
        doc: "The trace id of the message's tracing span, `\"\"` when it is not traced.",
        examples: &[Example {
            mapping: r#"root.trace = tracing_id()"#,
            cases: &[(r#"{}"#, Out(r#"{"trace":""}"#))],
        }],
        imp: Impl::Function(tracing_id),
        ..Spec::FUNCTION
    },
    Spec {
        name: "bloblang",
        params: &[Param::req("mapping", Kind::Str).doc("The mapping to run on the receiver.")],
        category: Category::General,
        doc: "Runs a mapping given as a string on the receiver; impure functions and imports are not available to it. \
              A mapping run this way may call `bloblang` in turn, at most 64 mappings deep: deeper nesting \
              (a mapping that hands itself to `bloblang`, say) fails with an error. Such nesting shares one \
              budget with lambdas and `apply`: at most 5000 maps and 10000 lambdas, maps and mappings in all.",
        examples: &[Example {
            mapping: r#"root.body = this.body.bloblang(this.mapping)"#,
            cases: &[
                (
                    r#"{"body":{"foo":"hello world"},"mapping":"root.foo = this.foo.uppercase()"}"#,
                    Out(r#"{"body":{"foo":"HELLO WORLD"}}"#),
                ),
                (
                    r#"{"body":{},"mapping":"root = env(\"HOME\")"}"#,
                    Fails("failed to parse mapping"),
                ),
            ],
        }],
        imp: Impl::Method(bloblang),
        annotate: false,
        ..Spec::METHOD
    },
];

/// The spec of one `error_source_*` function.
const fn error_source_spec(
    name: &'static str,
    examples: &'static [Example],
    doc: &'static str,
    imp: fn(&mut Call<'_, '_>) -> Result<Value>,
) -> Spec {
    Spec {
        name,
        category: Category::Message,
        doc,
        examples,
        imp: Impl::Function(imp),
        ..Spec::FUNCTION
    }
}

/// One field of the message's error source, null when there is none.
fn source_field(call: &Call<'_, '_>, field: impl Fn(&ErrorSource) -> &str) -> Value {
    call.message()
        .and_then(Message::error_source)
        .map_or(Value::Null, |s| Value::str(field(s)))
}

fn error_source_name(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(source_field(call, |s| &s.name))
}

fn error_source_label(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(source_field(call, |s| &s.label))
}

fn error_source_path(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(source_field(call, |s| &s.path))
}

fn tracing_span(call: &mut Call<'_, '_>) -> Result<Value> {
    Ok(call
        .message()
        .and_then(Message::tracing)
        .map_or(Value::Null, |span| Value::Object(span.clone())))
}

/// The trace id is the second field of a W3C `traceparent`
/// (`version-traceid-spanid-flags`).
fn tracing_id(call: &mut Call<'_, '_>) -> Result<Value> {
    let id = call
        .message()
        .and_then(Message::tracing)
        .and_then(|span| span.get("traceparent").and_then(Value::as_str))
        .and_then(|parent| parent.split('-').nth(1).map(str::to_string))
        .unwrap_or_default();
    Ok(Value::str(&id))
}

/// How many distinct dynamic mappings one call site keeps compiled.
const DYNAMIC_CACHE_LIMIT: usize = 64;

/// Compiled dynamic mappings of one call site, by source text.
type DynamicCache = HashMap<String, Arc<Program>>;

fn dynamic_env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| Env::new().without_impure().without_imports())
}

/// Compiling and running the mapping both happen on a stack with room
/// for them ([`compile_stack`], [`grow_stack`]); the run shares its caller's budget of
/// nesting, so a mapping that hands itself to `bloblang` fails once
/// [`MAX_NESTED_MAPPINGS`](crate::vm::MAX_NESTED_MAPPINGS) deep.
fn bloblang(call: &mut Call<'_, '_>, receiver: Value) -> Result<Value> {
    grow_stack(|| run_dynamic(call, receiver))
}

/// Compiles (or finds in the call site's cache) the mapping argument and
/// runs it on `receiver`.
fn run_dynamic(call: &mut Call<'_, '_>, receiver: Value) -> Result<Value> {
    let src = call.str(0).to_string();
    let cached = call.site_state(|cache: &mut DynamicCache| cache.get(&src).cloned());
    let program = match cached {
        Some(p) => p,
        None => {
            let p = Arc::new(
                compile_stack(|| dynamic_env().compile(&src))
                    .map_err(|d| Error::msg(format!("failed to parse mapping: {}", d.short())))?,
            );
            call.site_state(|cache: &mut DynamicCache| {
                if cache.len() >= DYNAMIC_CACHE_LIMIT {
                    cache.clear();
                }
                cache.insert(src, p.clone());
            });
            p
        }
    };
    let mut content = Vec::new();
    to_message_bytes(&receiver, &mut content)?;
    let message = Message::with_structured(Blob::new(&content), receiver.clone());
    let outcome = call.run_mapping(&program, &message)?;
    Ok(match outcome.root {
        Value::Nothing => receiver,
        root => root,
    })
}

#[cfg(test)]
mod tests {
    use crate::{Env, Vm, map_line};

    /// Runs `mapping` (given as data) through `bloblang` on `{}`.
    fn run_dynamic(mapping: &str) -> Result<String, String> {
        let prog = Env::standard()
            .compile("root = {}.bloblang(this.m)")
            .expect("compiles");
        let mut input = Vec::new();
        let doc = crate::Value::object(crate::value::Map::from_pairs(vec![(
            "m".into(),
            crate::Value::str(mapping),
        )]));
        crate::value::write_json(&mut input, &doc, crate::value::JsonStyle::MESSAGE)
            .expect("writes");
        let mut out = Vec::new();
        map_line(&prog, &mut Vm::new(), &input, &mut out).map_err(|e| e.message())?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// A mapping given as data cannot read files through `import` or
    /// `from`, though the file exists and holds a valid map.
    #[test]
    fn dynamic_mappings_cannot_import_files() {
        let dir = std::env::temp_dir().join(format!("tarn-lang-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("maps.blobl");
        std::fs::write(
            &file,
            "map x {\n  root = \"imported\"\n}\nroot = \"from\"\n",
        )
        .expect("write");
        let path = file.display().to_string();
        let plain = Env::new()
            .compile(&format!("import \"{path}\"\nroot = this.apply(\"x\")"))
            .expect("a static mapping may import");
        drop(plain);
        let err = run_dynamic(&format!("import \"{path}\"\nroot = this.apply(\"x\")"))
            .expect_err("import is refused");
        assert!(err.contains("`import` is not available here"), "{err}");
        let err = run_dynamic(&format!("from \"{path}\"")).expect_err("from is refused");
        assert!(err.contains("`from` is not available here"), "{err}");
        assert_eq!(run_dynamic("root.a = 1").as_deref(), Ok(r#"{"a":1}"#));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
