//! Helpers for unit tests of components: build one from YAML through the
//! registry (as a config would) and run it on a batch.

use crate::component::registry::{Built, Kind};
use crate::component::{Batch, Build, Output, ProcessCtx, Processor, Registry, WriteCtx};
use crate::config::types::Sandbox;
use crate::resources::Resources;
use std::sync::Arc;
use tarn_lang::{Message, Vm};

/// Builds the component object `yaml` (e.g. `mapping: root = 1`) of
/// `kind`, with resources declared by `resources_yaml` (a config with
/// `*_resources` sections, or empty).
pub fn build(kind: Kind, yaml: &str, resources_yaml: &str) -> Result<Built, String> {
    build_with_endpoints(kind, yaml, resources_yaml).map(|(b, _)| b)
}

/// Like [`build`], with the HTTP endpoints the component registered.
pub fn build_with_endpoints(
    kind: Kind,
    yaml: &str,
    resources_yaml: &str,
) -> Result<(Built, Vec<crate::component::build::Endpoint>), String> {
    let resources = Resources::new();
    if !resources_yaml.is_empty() {
        let root = crate::config::node::parse(resources_yaml).map_err(|e| e.message)?;
        resources
            .declare_all(&root, resources_yaml)
            .map_err(|e| e.to_string())?;
    }
    let node = crate::config::node::parse(yaml).map_err(|e| e.message)?;
    let mut ctx = Build::new(Registry::standard(), &resources, yaml, Sandbox::Standard);
    let built = ctx
        .component(kind, &node, "test")
        .map_err(|e| e.to_string())?;
    Ok((built, ctx.take_endpoints()))
}

/// The processor `yaml` builds (panics with the build error otherwise).
pub fn processor(yaml: &str) -> Arc<dyn Processor> {
    processor_with(yaml, "")
}

/// The processor `yaml` builds with the resources of `resources_yaml`.
pub fn processor_with(yaml: &str, resources_yaml: &str) -> Arc<dyn Processor> {
    match build(Kind::Processor, yaml, resources_yaml) {
        Ok(Built::Processor(p)) => p,
        Ok(other) => panic!("not a processor: {other:?}"),
        Err(e) => panic!("{yaml}: {e}"),
    }
}

/// The output `yaml` builds (panics with the build error otherwise).
pub fn output(yaml: &str) -> Arc<dyn Output> {
    match build(Kind::Output, yaml, "") {
        Ok(Built::Output(o)) => o,
        Ok(other) => panic!("not an output: {other:?}"),
        Err(e) => panic!("{yaml}: {e}"),
    }
}

/// A batch of messages with these contents.
pub fn batch(items: &[&str]) -> Batch {
    items.iter().map(|s| Message::new(s.as_bytes())).collect()
}

/// The contents of a batch, as text.
pub fn contents(batch: &[Message]) -> Vec<String> {
    batch
        .iter()
        .map(|m| String::from_utf8_lossy(m.content().as_bytes()).into_owned())
        .collect()
}

/// Runs `processor` on `batch` (on a fresh VM, no response store) and
/// gives the batches it produced.
pub async fn run(processor: &dyn Processor, batch: Batch) -> Vec<Batch> {
    let mut vm = Vm::new();
    let responses = Default::default();
    let mut ctx = ProcessCtx {
        vm: &mut vm,
        responses: &responses,
    };
    processor.process(batch, &mut ctx).await.into_vec()
}

/// Runs `processor` on `batch` and gives the one batch it produced (or
/// an empty one when it dropped everything).
pub async fn run_one(processor: &dyn Processor, batch: Batch) -> Batch {
    let mut out = run(processor, batch).await;
    assert!(out.len() <= 1, "expected one batch, got {}", out.len());
    out.pop().unwrap_or_default()
}

/// Writes `batch` to `output`.
pub async fn write(output: &dyn Output, batch: Batch) -> Result<(), crate::component::Error> {
    output.write(batch, WriteCtx::default()).await
}
