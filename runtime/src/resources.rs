//! Resources: components declared once under `*_resources` with a unique
//! `label` and used anywhere by `resource: <label>` (caches and rate
//! limits by naming their label). A label is one instance, built on first
//! use and shared by every reference, so two references to an
//! `http_client` share one connection pool.

use crate::component::registry::{Built, Kind};
use crate::component::{BoxFuture, Error, Transaction};
use crate::component::{Build, BuildError, Cache, Input, Output, Processor, RateLimit};
use crate::config::node::{Node, NodeKind};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A declaration: the component object, its path and the text of the
/// file it is in (to place errors).
#[derive(Debug, Clone)]
struct Declared {
    node: Node,
    path: String,
    text: Arc<str>,
}

/// A built resource, in the form its references share.
#[derive(Debug, Clone)]
enum Shared {
    Input(Arc<InputCell>),
    Processor(Arc<dyn Processor>),
    Output(Arc<dyn Output>),
    Cache(Arc<dyn Cache>),
    RateLimit(Arc<dyn RateLimit>),
}

type Key = (Kind, String);

/// The declared resources of a config (or of streams mode's root config
/// and API), and the instances built so far.
#[derive(Debug, Default)]
pub struct Resources {
    declared: Mutex<HashMap<Key, Declared>>,
    built: Mutex<HashMap<Key, Shared>>,
    building: Mutex<Vec<Key>>,
}

use crate::sync::lock;

impl Resources {
    /// No resources.
    pub fn new() -> Resources {
        Resources::default()
    }

    /// Declares the resource sections of the config `root` (file text
    /// `text`). Missing or duplicate labels are errors.
    pub fn declare_all(&self, root: &Node, text: &str) -> Result<(), BuildError> {
        let text: Arc<str> = Arc::from(text);
        for kind in Kind::ALL {
            let section = kind.resource_section();
            let Some(NodeKind::Seq(items)) = root.get(section).map(|n| &n.kind) else {
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                let path = format!("{section}.{i}");
                let label = item
                    .get("label")
                    .and_then(Node::as_str)
                    .filter(|l| !l.is_empty())
                    .ok_or_else(|| BuildError {
                        pos: Some(item.pos),
                        path: path.clone(),
                        message: format!("a resource in `{section}` needs a `label`"),
                    })?;
                self.declare(kind, label, item.clone(), path, text.clone())?;
            }
        }
        Ok(())
    }

    fn declare(
        &self,
        kind: Kind,
        label: &str,
        node: Node,
        path: String,
        text: Arc<str>,
    ) -> Result<(), BuildError> {
        let mut declared = lock(&self.declared);
        if declared.contains_key(&(kind, label.to_string())) {
            return Err(BuildError {
                pos: node.get("label").map(|l| l.pos),
                path,
                message: format!("the resource label `{label}` is used twice"),
            });
        }
        declared.insert((kind, label.to_string()), Declared { node, path, text });
        Ok(())
    }

    /// Declares or replaces resource `label` (the streams API). Streams
    /// already built keep the instance they hold.
    pub fn replace(&self, kind: Kind, label: &str, node: Node, text: &str) {
        let key = (kind, label.to_string());
        lock(&self.built).remove(&key);
        lock(&self.declared).insert(
            key,
            Declared {
                node,
                path: format!("{}.{label}", kind.resource_section()),
                text: Arc::from(text),
            },
        );
    }

    /// Forgets resource `label`; true when it was declared.
    pub fn remove(&self, kind: Kind, label: &str) -> bool {
        let key = (kind, label.to_string());
        lock(&self.built).remove(&key);
        lock(&self.declared).remove(&key).is_some()
    }

    /// The declared resource `label` of `kind`, as written.
    pub fn declaration(&self, kind: Kind, label: &str) -> Option<Node> {
        lock(&self.declared)
            .get(&(kind, label.to_string()))
            .map(|d| d.node.clone())
    }

    /// Every declared label of `kind`, sorted.
    pub fn labels(&self, kind: Kind) -> Vec<String> {
        let mut out: Vec<String> = lock(&self.declared)
            .keys()
            .filter(|(k, _)| *k == kind)
            .map(|(_, l)| l.clone())
            .collect();
        out.sort();
        out
    }

    /// Builds every declared resource not built yet, so that a config
    /// with a broken but unused resource fails at start (and lint).
    pub fn build_all(&self, ctx: &mut Build<'_>) -> Result<(), BuildError> {
        let mut keys: Vec<(Key, String)> = lock(&self.declared)
            .iter()
            .map(|(k, d)| (k.clone(), d.path.clone()))
            .collect();
        keys.sort_by(|a, b| a.1.cmp(&b.1));
        for ((kind, label), path) in keys {
            if let Err(message) = self.get(kind, &label, ctx) {
                return Err(BuildError {
                    pos: None,
                    path,
                    message,
                });
            }
        }
        Ok(())
    }

    /// The shared instance of resource `label` of `kind`, built with the
    /// registry and sandbox of `ctx` on first use. The error says why it
    /// cannot be had (unknown label, a cycle, or its build error).
    pub fn get(&self, kind: Kind, label: &str, ctx: &mut Build<'_>) -> Result<Built, String> {
        let key = (kind, label.to_string());
        if let Some(shared) = lock(&self.built).get(&key)
            && !shared.is_closed()
        {
            return Ok(shared.clone().into_built(label));
        }
        let Some(declared) = lock(&self.declared).get(&key).cloned() else {
            let known = self.labels(kind);
            let hint = tarn_lang::diag::suggest(label, known.iter().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(format!(
                "no {} resource is labelled `{label}`{hint}",
                kind.name()
            ));
        };
        if lock(&self.building).contains(&key) {
            return Err(format!("the resource `{label}` refers to itself"));
        }
        lock(&self.building).push(key.clone());
        let mut sub = Build::new(ctx.registry(), self, &declared.text, ctx.sandbox());
        let result = sub.component(kind, &declared.node, &declared.path);
        for endpoint in sub.take_endpoints() {
            ctx.add_endpoint(endpoint);
        }
        lock(&self.building).retain(|k| *k != key);
        let built = result.map_err(|e| e.to_string())?;
        let shared = Shared::from_built(built);
        lock(&self.built).insert(key, shared.clone());
        Ok(shared.into_built(label))
    }
}

impl Shared {
    /// An input resource whose instance was closed.
    fn is_closed(&self) -> bool {
        matches!(self, Shared::Input(cell) if cell.closed.load(Ordering::Acquire))
    }

    fn from_built(built: Built) -> Shared {
        match built {
            Built::Input(i) => Shared::Input(Arc::new(InputCell {
                input: tokio::sync::Mutex::new(i),
                open_refs: AtomicUsize::new(0),
                closed: std::sync::atomic::AtomicBool::new(false),
            })),
            Built::Processor(p) => Shared::Processor(p),
            Built::Output(o) => Shared::Output(o),
            Built::Cache(c) => Shared::Cache(c),
            Built::RateLimit(r) => Shared::RateLimit(r),
        }
    }

    fn into_built(self, label: &str) -> Built {
        match self {
            Shared::Input(i) => {
                i.open_refs.fetch_add(1, Ordering::AcqRel);
                Built::Input(Box::new(SharedInput {
                    label: label.to_string(),
                    inner: i,
                    closed: false,
                    close_inner: false,
                }))
            }
            Shared::Processor(p) => Built::Processor(p),
            Shared::Output(o) => Built::Output(o),
            Shared::Cache(c) => Built::Cache(c),
            Shared::RateLimit(r) => Built::RateLimit(r),
        }
    }
}

/// The one instance of an input resource.
#[derive(Debug)]
struct InputCell {
    input: tokio::sync::Mutex<Box<dyn Input>>,
    /// References that have not closed (nor been dropped): the last to
    /// close closes the input.
    open_refs: AtomicUsize,
    /// Closed: a later reference (a new stream) gets a new instance.
    closed: std::sync::atomic::AtomicBool,
}

/// A reference to an input resource: every reference reads from the one
/// instance, taking turns.
#[derive(Debug)]
struct SharedInput {
    label: String,
    inner: Arc<InputCell>,
    /// This reference has been given up.
    closed: bool,
    /// It was the last open one: the input is to be closed (kept until
    /// that is done, so a cancelled close is finished by the next).
    close_inner: bool,
}

impl SharedInput {
    /// Gives up this reference (once); the last one to go closes the
    /// input.
    fn release(&mut self) {
        if !std::mem::replace(&mut self.closed, true) {
            self.close_inner = self.inner.open_refs.fetch_sub(1, Ordering::AcqRel) == 1;
        }
    }
}

impl Input for SharedInput {
    fn connect(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move { self.inner.input.lock().await.connect().await })
    }

    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move { self.inner.input.lock().await.read().await })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Other references may still read; the last one closes it.
            self.release();
            if self.close_inner {
                crate::log::debug(&format!("closing the input resource `{}`", self.label));
                self.inner.input.lock().await.close().await;
                self.inner.closed.store(true, Ordering::Release);
                self.close_inner = false;
            }
        })
    }
}

impl Drop for SharedInput {
    fn drop(&mut self) {
        self.release();
    }
}

/// The config of a `resource` reference: the label.
pub type ResourceLabel = String;

/// Builds a `resource: <label>` reference of `kind` through the context
/// (the registry's `resource` entries; component objects take the same
/// path without them).
pub fn reference(kind: Kind, label: &str, ctx: &mut Build<'_>) -> Result<Built, BuildError> {
    let resources = ctx.resources();
    resources
        .get(kind, label, ctx)
        .map_err(|message| ctx.error(message))
}
