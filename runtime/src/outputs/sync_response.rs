//! The `sync_response` output: answers the input that produced each
//! message with it (an `http_server` request gets it as its response).
//! Messages from inputs that cannot answer are accepted and dropped.

use crate::component::{
    Batch, BoxFuture, Build, BuildError, Error, Output, Registry, WriteCtx, split_by_store,
};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

/// The output has no fields.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {}

/// Registers the output.
pub fn register(r: &mut Registry) {
    r.output::<Config>(
        "sync_response",
        "Answers the input that produced each message with it.",
        build,
    );
}

fn build(_: Config, _: &mut Build<'_>) -> Result<Arc<dyn Output>, BuildError> {
    Ok(Arc::new(SyncResponse))
}

#[derive(Debug)]
struct SyncResponse;

impl Output for SyncResponse {
    fn write<'a>(&'a self, batch: Batch, ctx: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        for (store, part) in split_by_store(&batch, &ctx.responses) {
            store.set(part);
        }
        Box::pin(async { Ok(()) })
    }

    fn max_in_flight(&self) -> usize {
        64
    }
}
