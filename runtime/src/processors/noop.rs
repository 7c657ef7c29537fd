//! The `noop` processor: passes messages on unchanged.

use crate::component::{Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

/// The processor has no fields.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>("noop", "Does nothing: messages pass unchanged.", build);
}

fn build(_: Config, _: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    Ok(Arc::new(Noop))
}

#[derive(Debug)]
struct Noop;

impl Processor for Noop {
    fn process<'a>(&'a self, batch: Batch, _: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move { super::one(batch) })
    }
}
