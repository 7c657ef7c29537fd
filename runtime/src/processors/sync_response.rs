//! The `sync_response` processor: stores the batch as it is now as the
//! synchronous response of the input that produced it, and passes it on.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, split_by_store,
};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

/// The processor has no fields.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "sync_response",
        "Stores the message as it is now as the synchronous response; processing goes on.",
        build,
    );
}

fn build(_: Config, _: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    Ok(Arc::new(SyncResponse))
}

/// Copies batches into their response stores.
#[derive(Debug)]
struct SyncResponse;

impl Processor for SyncResponse {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        for (store, part) in split_by_store(&batch, ctx.responses) {
            store.set(part);
        }
        Box::pin(async move { super::one(batch) })
    }
}
