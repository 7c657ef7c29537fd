//! Everything a test needs before it runs: its input batches and its
//! processors — found in the config (after mocks), checked as `tarn lint`
//! checks them, and built with resources of the test's own; or compiled
//! from a `target_mapping` file.

use super::definition::{DEFAULT_TARGET, Definition, InputMessage, LocatedCase};
use super::{Options, SetupError, pointer};
use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, fail_message,
};
use crate::config::node::{Node, NodeKind};
use crate::config::shape::Shape;
use crate::config::types::{ProcessorNode, Sandbox};
use crate::config::validate::Checker;
use crate::config::{self, Problem};
use crate::resources::Resources;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tarn_lang::{ErrorSource, Message, Mode, Program, Value};

/// A test ready to run.
#[derive(Debug)]
pub struct Prepared {
    /// The processors, in order.
    pub processors: Vec<Arc<dyn Processor>>,
    /// The batches to send, in order.
    pub inputs: Vec<Batch>,
    /// The test's resources, kept as long as its processors.
    pub resources: Arc<Resources>,
}

/// Prepares test `lc` of `def`, whose config is `config`.
pub fn prepare(
    def: &Definition,
    config: &Path,
    lc: &LocatedCase,
    options: &Options,
) -> Result<Prepared, SetupError> {
    let inputs = inputs(def, lc, options)?;
    match lc.case.target_mapping.as_deref() {
        Some(mapping) if !mapping.is_empty() => Ok(Prepared {
            processors: vec![mapping_target(def, lc, mapping, options)?],
            inputs,
            resources: Arc::new(Resources::new()),
        }),
        _ => config_target(def, config, lc, options, inputs),
    }
}

fn inputs(def: &Definition, lc: &LocatedCase, options: &Options) -> Result<Vec<Batch>, SetupError> {
    let mut batches = Vec::new();
    for (b, batch) in lc.case.input_batches.iter().enumerate() {
        let messages = batch
            .iter()
            .enumerate()
            .map(|(m, input)| message(def, lc, input, &format!("input_batches.{b}.{m}"), options))
            .collect::<Result<Batch, _>>()?;
        batches.push(messages);
    }
    if !lc.case.input_batch.is_empty() {
        let messages = lc
            .case
            .input_batch
            .iter()
            .enumerate()
            .map(|(m, input)| message(def, lc, input, &format!("input_batch.{m}"), options))
            .collect::<Result<Batch, _>>()?;
        batches.push(messages);
    }
    Ok(batches)
}

fn message(
    def: &Definition,
    lc: &LocatedCase,
    input: &InputMessage,
    field: &str,
    options: &Options,
) -> Result<Message, SetupError> {
    let given = [
        input.content.is_some(),
        input.json_content.is_some(),
        input.file_content.is_some(),
    ]
    .into_iter()
    .filter(|g| *g)
    .count();
    if given > 1 {
        return Err(def.error(
            lc.pos_of(field),
            lc.path(field),
            "give one of `content`, `json_content` and `file_content`",
        ));
    }
    let content = if let Some(json) = &input.json_content {
        json.to_json().to_string().into_bytes()
    } else if let Some(file) = &input.file_content {
        let path = def.dir().join(file);
        super::read_file(&path, options).map_err(|e| {
            let at = format!("{field}.file_content");
            def.error(lc.pos_of(&at), lc.path(&at), e.brief())
        })?
    } else {
        input.content.clone().unwrap_or_default().into_bytes()
    };
    let mut msg = Message::new(&content);
    for (key, value) in &input.metadata {
        msg.meta_mut()
            .insert(key.as_str(), json_to_value(&value.to_json()));
    }
    Ok(msg)
}

/// A JSON value as a Bloblang value.
pub fn json_to_value(json: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match json {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::UInt(u),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::str(s),
        J::Array(items) => Value::array(items.iter().map(json_to_value).collect()),
        J::Object(map) => {
            let mut out = tarn_lang::value::Map::new();
            for (k, v) in map {
                out.insert(k.as_str(), json_to_value(v));
            }
            Value::object(out)
        }
    }
}

/// Whether field path `path` is `base` or inside it.
fn under(path: &str, base: &str) -> bool {
    path == base
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// A mock put into the config: where it went, and its key in the test.
struct Placed {
    path: String,
    key: String,
}

fn config_target(
    def: &Definition,
    config: &Path,
    lc: &LocatedCase,
    options: &Options,
    inputs: Vec<Batch>,
) -> Result<Prepared, SetupError> {
    let case = &lc.case;
    let target = case.target_processors.as_deref().unwrap_or(DEFAULT_TARGET);
    let target_error = |message: String| {
        def.error(
            lc.pos_of("target_processors"),
            lc.path("target_processors"),
            message,
        )
    };
    let (config_path, reference): (PathBuf, &str) = match target.split_once('#') {
        Some((file, reference)) if !file.is_empty() => (def.dir().join(file), reference),
        Some((_, reference)) => (config.to_path_buf(), reference),
        None => (config.to_path_buf(), target),
    };
    let raw = super::read_text(&config_path, options)?;
    let lookup = |name: &str| {
        case.environment
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
    };
    let parsed = config::parse(&raw, lookup).map_err(|problems| SetupError::Located {
        file: config_path.clone(),
        text: Arc::from(raw.as_str()),
        problems,
    })?;
    let mut root = parsed.root.clone();
    let placed = apply_mocks(def, lc, &config_path, &mut root)?;

    let segments = if reference.starts_with('/') {
        pointer::parse(reference).map_err(|e| target_error(e.0))?
    } else {
        one_label(&root, reference, &config_path).map_err(target_error)?
    };
    let node = pointer::get(&root, &segments).ok_or_else(|| {
        target_error(format!(
            "{} has nothing at `{reference}`",
            config_path.display()
        ))
    })?;
    let base = pointer::dotted(&segments);
    let items: Vec<(String, &Node)> = match &node.kind {
        NodeKind::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| (format!("{base}.{i}"), n))
            .collect(),
        _ => vec![(base, node)],
    };

    // Check what is built as lint would; mocks were checked with the test file.
    let located = |problems: Vec<Problem>| SetupError::Located {
        file: config_path.clone(),
        text: Arc::from(parsed.text.as_str()),
        problems,
    };
    let mut checker = Checker::new(&parsed.text, Registry::standard(), Sandbox::Standard);
    let component = Shape::Component("processor".into());
    for (path, item) in &items {
        checker.check(item, &component, path);
    }
    let mut problems: Vec<Problem> = checker
        .problems
        .into_iter()
        .filter(|p| !placed.iter().any(|m| under(&p.path, &m.path)))
        .collect();
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.pos.line, p.pos.col));
        return Err(located(problems));
    }

    let build_error = |e: BuildError| match placed.iter().find(|m| under(&e.path, &m.path)) {
        Some(m) => {
            let rest = &e.path[m.path.len()..];
            let field = format!("mocks.{}", m.key);
            def.error(
                e.pos.unwrap_or_else(|| lc.mock_pos(&m.key)),
                format!("{}{rest}", lc.path(&field)),
                e.message,
            )
        }
        None => located(vec![config::build_problem(e, &root)]),
    };
    let resources = Arc::new(Resources::new());
    resources
        .declare_all(&root, &parsed.text)
        .map_err(build_error)?;
    let mut build = Build::new(
        Registry::standard(),
        &resources,
        &parsed.text,
        Sandbox::Standard,
    );
    let raws: Vec<ProcessorNode> = items
        .iter()
        .map(|(path, n)| ProcessorNode::new((*n).clone(), path.clone()))
        .collect();
    let processors = build.processors(&raws).map_err(build_error)?;
    Ok(Prepared {
        processors,
        inputs,
        resources,
    })
}

/// Puts the test's mocks into `root`: JSON Pointers first, then labels.
fn apply_mocks(
    def: &Definition,
    lc: &LocatedCase,
    config_path: &Path,
    root: &mut Node,
) -> Result<Vec<Placed>, SetupError> {
    let mut placed = Vec::new();
    let mock_error = |key: &str, message: String| {
        def.error(lc.mock_pos(key), lc.path(&format!("mocks.{key}")), message)
    };
    let (by_pointer, by_label): (Vec<_>, Vec<_>) =
        lc.case.mocks.iter().partition(|(k, _)| k.starts_with('/'));
    for (key, mock) in by_pointer {
        let segments = pointer::parse(key).map_err(|e| mock_error(key, e.0))?;
        let at = pointer::set(root, &segments, mock.node.clone())
            .map_err(|e| mock_error(key, format!("cannot put the mock there: {e}")))?;
        placed.push(Placed {
            path: pointer::dotted(&at),
            key: key.clone(),
        });
    }
    for (key, mock) in by_label {
        let segments = one_label(root, key, config_path).map_err(|m| mock_error(key, m))?;
        let at = pointer::set(root, &segments, mock.node.clone())
            .map_err(|e| mock_error(key, format!("cannot put the mock there: {e}")))?;
        placed.push(Placed {
            path: pointer::dotted(&at),
            key: key.clone(),
        });
    }
    Ok(placed)
}

/// The path of the one component labelled `label` in `root`.
fn one_label(root: &Node, label: &str, config_path: &Path) -> Result<Vec<String>, String> {
    let labels = pointer::labels(root);
    match labels.get(label).map(Vec::as_slice) {
        Some([only]) => Ok(only.clone()),
        Some(many) => Err(format!(
            "the label `{label}` is given {} times in {}",
            many.len(),
            config_path.display()
        )),
        None => {
            let hint = tarn_lang::diag::suggest(label, labels.keys().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            Err(format!(
                "no component of {} is labelled `{label}`{hint}",
                config_path.display()
            ))
        }
    }
}

fn mapping_target(
    def: &Definition,
    lc: &LocatedCase,
    mapping: &str,
    options: &Options,
) -> Result<Arc<dyn Processor>, SetupError> {
    let conflict = |field: &str, why: &str| {
        def.error(
            lc.pos_of(field),
            lc.path(field),
            format!("`{field}` cannot be used with `target_mapping`: {why}"),
        )
    };
    let case = &lc.case;
    if case.target_processors.is_some() {
        return Err(conflict(
            "target_processors",
            "a test runs either processors or a mapping",
        ));
    }
    if !case.mocks.is_empty() {
        return Err(conflict("mocks", "a mapping has no processors to replace"));
    }
    if !case.environment.is_empty() {
        return Err(conflict(
            "environment",
            "its variables are substituted into a config, and a mapping file has none",
        ));
    }
    let path = def.dir().join(mapping);
    let text = super::read_text(&path, options).map_err(|e| {
        def.error(
            lc.pos_of("target_mapping"),
            lc.path("target_mapping"),
            e.brief(),
        )
    })?;
    let program = tarn_lang::Env::standard()
        .compile_in(&text, path.parent())
        .map_err(|diagnostics| SetupError::Mapping {
            file: path.clone(),
            diagnostics,
        })?;
    Ok(Arc::new(MappingFile {
        program: Arc::new(program),
        source: ErrorSource {
            name: "mapping".into(),
            label: String::new(),
            path: path.display().to_string(),
        },
    }))
}

/// A `target_mapping` file run as a processor: as the `mapping`
/// processor does, each message becomes the document the mapping builds
/// (a failed one goes on flagged, a deleted one is dropped).
#[derive(Debug)]
struct MappingFile {
    program: Arc<Program>,
    source: ErrorSource,
}

impl Processor for MappingFile {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        let mut out = Vec::with_capacity(batch.len());
        for i in 0..batch.len() {
            let mut msg = batch[i].clone();
            match tarn_lang::vm::run(&self.program, ctx.vm, &batch, i, Mode::Mapping) {
                Ok(outcome) => {
                    msg.set_meta(outcome.meta);
                    match crate::processors::set_root(&mut msg, outcome.root) {
                        Ok(true) => out.push(msg),
                        Ok(false) => {}
                        Err(e) => {
                            fail_message(&mut msg, e, &self.source);
                            out.push(msg);
                        }
                    }
                }
                Err(e) => {
                    fail_message(&mut msg, e, &self.source);
                    out.push(msg);
                }
            }
        }
        Box::pin(async move { crate::processors::one(out) })
    }
}
