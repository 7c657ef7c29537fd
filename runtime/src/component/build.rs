//! The build context: what a component's build function is handed next
//! to its typed config — the registry (to build child components), the
//! shared resources, where in the file the component is (to place
//! errors), and what the component registers with the stream (HTTP
//! endpoints). Building never connects or binds anything, so `tarn lint`
//! is a build whose result is thrown away.

use super::registry::{Built, Kind, Registry};
use super::{Cache, Input, Output, Processor, RateLimit};
use crate::config::de::{DeError, from_node};
use crate::config::node::{Node, NodeKind, Pos};
use crate::config::types::{
    InputNode, OutputNode, ProcessorNode, Sandbox, with_lenient, with_sandbox,
};
use crate::resources::Resources;
use std::sync::Arc;
use tarn_lang::ErrorSource;

/// A config that cannot be built: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// Where in the file, when known.
    pub pos: Option<Pos>,
    /// The field path (`output.http_client.url`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for BuildError {}

impl From<DeError> for BuildError {
    fn from(e: DeError) -> BuildError {
        BuildError {
            pos: e.pos,
            path: e.path.unwrap_or_default(),
            message: e.message,
        }
    }
}

/// Something a component serves over HTTP, mounted by the stream on the
/// service server (or its own address) when it starts.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// The routes of an `http_server` input.
    HttpServer(crate::inputs::http_server::Endpoint),
}

/// What a build function works with.
pub struct Build<'a> {
    registry: &'a Registry,
    resources: &'a Resources,
    lines: Vec<String>,
    sandbox: Sandbox,
    /// The path of the component object being built (`pipeline.processors.0`).
    path: String,
    /// The field path of its body (`pipeline.processors.0.mapping`).
    body_path: String,
    /// Its body, to place errors about its fields.
    body: Option<Node>,
    name: &'static str,
    label: String,
    endpoints: Vec<Endpoint>,
    lenient: bool,
}

impl std::fmt::Debug for Build<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Build")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl<'a> Build<'a> {
    /// A context for building from a config file whose text is `text`.
    pub fn new(
        registry: &'a Registry,
        resources: &'a Resources,
        text: &str,
        sandbox: Sandbox,
    ) -> Build<'a> {
        Build {
            registry,
            resources,
            lines: text.lines().map(str::to_string).collect(),
            sandbox,
            path: String::new(),
            body_path: String::new(),
            body: None,
            name: "",
            label: String::new(),
            endpoints: Vec::new(),
            lenient: false,
        }
    }

    /// Ignores unknown fields (with a warning) instead of refusing them:
    /// for configs whose linting was skipped on purpose.
    pub fn set_lenient(&mut self, lenient: bool) {
        self.lenient = lenient;
    }

    /// The registry components are built from.
    pub fn registry(&self) -> &'a Registry {
        self.registry
    }

    /// The resources `resource:` references and caches name.
    pub fn resources(&self) -> &'a Resources {
        self.resources
    }

    /// Which functions mappings may call.
    pub fn sandbox(&self) -> Sandbox {
        self.sandbox
    }

    /// Reads a typed config from `node` (at the current body's path).
    pub fn parse<C: serde::de::DeserializeOwned>(&self, node: &Node) -> Result<C, BuildError> {
        let lines: Vec<&str> = self.lines.iter().map(String::as_str).collect();
        with_sandbox(self.sandbox, || {
            with_lenient(self.lenient, || from_node(node, &self.body_path, &lines))
        })
        .map_err(Into::into)
    }

    /// Reads a typed config from `node` at `path` (a section that is not
    /// a component, such as `http` or `logger`).
    pub fn parse_at<C: serde::de::DeserializeOwned>(
        &self,
        node: &Node,
        path: &str,
    ) -> Result<C, BuildError> {
        let lines: Vec<&str> = self.lines.iter().map(String::as_str).collect();
        with_sandbox(self.sandbox, || {
            with_lenient(self.lenient, || from_node(node, path, &lines))
        })
        .map_err(Into::into)
    }

    /// The component's label (`""` when it has none).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The component's path as metrics and error sources name it
    /// (`root.pipeline.processors.0`).
    pub fn metrics_path(&self) -> String {
        if self.path.is_empty() {
            "root".to_string()
        } else {
            format!("root.{}", self.path)
        }
    }

    /// Who flags the messages this component fails.
    pub fn error_source(&self) -> ErrorSource {
        ErrorSource {
            name: self.name.to_string(),
            label: self.label.clone(),
            path: self.metrics_path(),
        }
    }

    /// An error about the component as a whole.
    pub fn error(&self, message: impl Into<String>) -> BuildError {
        BuildError {
            pos: self.body.as_ref().map(|b| b.pos),
            path: self.body_path.clone(),
            message: message.into(),
        }
    }

    /// An error about field `field` (`tls.root_cas_file`) of the body,
    /// placed at the field's key when it is written.
    pub fn field_error(&self, field: &str, message: impl Into<String>) -> BuildError {
        let pos = self
            .body
            .as_ref()
            .and_then(|b| key_pos(b, field))
            .or_else(|| self.body.as_ref().map(|b| b.pos));
        BuildError {
            pos,
            path: format!("{}.{field}", self.body_path),
            message: message.into(),
        }
    }

    /// Whether the body writes the key `field` (dotted for nested objects).
    pub fn body_has(&self, field: &str) -> bool {
        self.body.as_ref().and_then(|b| key_pos(b, field)).is_some()
    }

    /// The "`field` is not supported yet" error for a field whose value
    /// Tarn cannot honour.
    pub fn unsupported(&self, field: &str, what: &str) -> BuildError {
        self.field_error(field, format!("{what} is not supported yet"))
    }

    /// Registers an HTTP endpoint the stream serves when it starts.
    pub fn add_endpoint(&mut self, endpoint: Endpoint) {
        self.endpoints.push(endpoint);
    }

    /// Takes the endpoints registered so far.
    pub fn take_endpoints(&mut self) -> Vec<Endpoint> {
        std::mem::take(&mut self.endpoints)
    }

    /// Builds the component object `node` at `path` of `kind`.
    pub fn component(&mut self, kind: Kind, node: &Node, path: &str) -> Result<Built, BuildError> {
        let parts = ComponentParts::of(node, kind, path)?;
        if parts.name == "resource" {
            let label = parts.body.as_str().unwrap_or_default().to_string();
            return self
                .resources
                .get(kind, &label, self)
                .map_err(|message| BuildError {
                    pos: Some(parts.body.pos),
                    path: format!("{path}.resource"),
                    message,
                });
        }
        let Some(entry) = self.registry.find(kind, parts.name) else {
            let known = self.registry.of_kind(kind);
            let hint = tarn_lang::diag::suggest(parts.name, known.iter().map(|e| e.name))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(BuildError {
                pos: Some(parts.key_pos),
                path: format!("{path}.{}", parts.name),
                message: format!("unknown {} type `{}`{hint}", kind.name(), parts.name),
            });
        };
        let saved = (
            std::mem::replace(&mut self.path, path.to_string()),
            std::mem::replace(&mut self.body_path, format!("{path}.{}", parts.name)),
            self.body.replace(parts.body.clone()),
            std::mem::replace(&mut self.name, entry.name),
            std::mem::replace(&mut self.label, parts.label.clone()),
        );
        let built = entry.build(parts.body, self);
        let built = match (built, kind) {
            (Ok(Built::Processor(p)), Kind::Processor) => Ok(Built::Processor(
                crate::processors::observed(p, &self.label, &self.metrics_path()),
            )),
            (Ok(Built::Output(o)), Kind::Output) => self
                .wrap_output(o, parts.processors, path)
                .map(Built::Output),
            (Ok(Built::Input(i)), Kind::Input) => {
                self.wrap_input(i, parts.processors, path).map(Built::Input)
            }
            (other, _) => other,
        };
        (self.path, self.body_path, self.body, self.name, self.label) = saved;
        built
    }

    fn wrap_output(
        &mut self,
        output: Arc<dyn Output>,
        processors: Option<&Node>,
        path: &str,
    ) -> Result<Arc<dyn Output>, BuildError> {
        let list = self.processor_list(processors, &format!("{path}.processors"))?;
        Ok(crate::outputs::observed(
            output,
            list,
            &self.label,
            &self.metrics_path(),
        ))
    }

    fn wrap_input(
        &mut self,
        input: Box<dyn Input>,
        processors: Option<&Node>,
        path: &str,
    ) -> Result<Box<dyn Input>, BuildError> {
        let list = self.processor_list(processors, &format!("{path}.processors"))?;
        Ok(crate::inputs::observed(
            input,
            list,
            &self.label,
            &self.metrics_path(),
        ))
    }

    fn processor_list(
        &mut self,
        node: Option<&Node>,
        path: &str,
    ) -> Result<Vec<Arc<dyn Processor>>, BuildError> {
        let items: &[Node] = match node.map(|n| &n.kind) {
            Some(NodeKind::Seq(items)) => items,
            _ => &[],
        };
        let raws: Vec<ProcessorNode> = items
            .iter()
            .enumerate()
            .map(|(i, n)| ProcessorNode::new(n.clone(), format!("{path}.{i}")))
            .collect();
        self.processors(&raws)
    }

    /// Builds a child processor.
    pub fn processor(&mut self, raw: &ProcessorNode) -> Result<Arc<dyn Processor>, BuildError> {
        match self.component(Kind::Processor, &raw.node, &raw.path)? {
            Built::Processor(p) => Ok(p),
            other => Err(self.error(format!("expected a processor, built {other:?}"))),
        }
    }

    /// Builds a list of child processors; every failing one is reported
    /// (the first error, with the others' count).
    pub fn processors(
        &mut self,
        raws: &[ProcessorNode],
    ) -> Result<Vec<Arc<dyn Processor>>, BuildError> {
        raws.iter().map(|r| self.processor(r)).collect()
    }

    /// Builds a child output.
    pub fn output(&mut self, raw: &OutputNode) -> Result<Arc<dyn Output>, BuildError> {
        match self.component(Kind::Output, &raw.node, &raw.path)? {
            Built::Output(o) => Ok(o),
            other => Err(self.error(format!("expected an output, built {other:?}"))),
        }
    }

    /// Builds a child input.
    pub fn input(&mut self, raw: &InputNode) -> Result<Box<dyn Input>, BuildError> {
        match self.component(Kind::Input, &raw.node, &raw.path)? {
            Built::Input(i) => Ok(i),
            other => Err(self.error(format!("expected an input, built {other:?}"))),
        }
    }

    /// The cache resource labelled `label`, for field `field`.
    pub fn cache(&mut self, field: &str, label: &str) -> Result<Arc<dyn Cache>, BuildError> {
        match self.resources.get(Kind::Cache, label, self) {
            Ok(Built::Cache(c)) => Ok(c),
            Ok(_) => Err(self.field_error(field, format!("`{label}` is not a cache"))),
            Err(message) => Err(self.field_error(field, message)),
        }
    }

    /// The rate limit resource labelled `label`, for field `field`.
    pub fn rate_limit(
        &mut self,
        field: &str,
        label: &str,
    ) -> Result<Arc<dyn RateLimit>, BuildError> {
        match self.resources.get(Kind::RateLimit, label, self) {
            Ok(Built::RateLimit(r)) => Ok(r),
            Ok(_) => Err(self.field_error(field, format!("`{label}` is not a rate limit"))),
            Err(message) => Err(self.field_error(field, message)),
        }
    }
}

/// Where the key `field` (dotted for nested objects) is written in `body`.
fn key_pos(body: &Node, field: &str) -> Option<Pos> {
    let mut here = body;
    let mut pos = None;
    for segment in field.split('.') {
        let NodeKind::Map(pairs) = &here.kind else {
            return pos;
        };
        let (key, value) = pairs.iter().find(|(k, _)| k.as_str() == Some(segment))?;
        pos = Some(key.pos);
        here = value;
    }
    pos
}

/// The pieces of a component object: `{label, <type>: body, processors}`.
pub struct ComponentParts<'n> {
    /// The type name (or `resource`).
    pub name: &'n str,
    /// Where the type key is written.
    pub key_pos: Pos,
    /// The type's config body.
    pub body: &'n Node,
    /// The label, `""` when absent.
    pub label: String,
    /// The component's own processors (inputs and outputs).
    pub processors: Option<&'n Node>,
}

impl<'n> ComponentParts<'n> {
    /// Splits a component object; exactly one type key is expected.
    pub fn of(node: &'n Node, kind: Kind, path: &str) -> Result<ComponentParts<'n>, BuildError> {
        let NodeKind::Map(pairs) = &node.kind else {
            return Err(BuildError {
                pos: Some(node.pos),
                path: path.to_string(),
                message: format!("expected a {} object, found {}", kind.name(), node.shape()),
            });
        };
        let mut label = String::new();
        let mut processors = None;
        let mut types = Vec::new();
        for (k, v) in pairs {
            match k.as_str().unwrap_or_default() {
                "label" => label = v.as_str().unwrap_or_default().to_string(),
                "processors" if matches!(kind, Kind::Input | Kind::Output) => processors = Some(v),
                name => types.push((name, k.pos, v)),
            }
        }
        match types.as_slice() {
            [(name, key_pos, body)] => Ok(ComponentParts {
                name,
                key_pos: *key_pos,
                body,
                label,
                processors,
            }),
            [] => Err(BuildError {
                pos: Some(node.pos),
                path: path.to_string(),
                message: format!("expected one {} type, found none", kind.name()),
            }),
            [(a, _, _), (b, pos, _), ..] => Err(BuildError {
                pos: Some(*pos),
                path: path.to_string(),
                message: format!(
                    "a {} has exactly one type, found `{a}` and `{b}`",
                    kind.name()
                ),
            }),
        }
    }
}
