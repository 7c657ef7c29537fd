//! The `drop` output: accepts messages and discards them.

use crate::component::{Batch, BoxFuture, Build, BuildError, Error, Output, Registry, WriteCtx};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

/// The output has no fields.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {}

/// Registers the output.
pub fn register(r: &mut Registry) {
    r.output::<Config>("drop", "Accepts messages and discards them.", build);
}

fn build(_: Config, _: &mut Build<'_>) -> Result<Arc<dyn Output>, BuildError> {
    Ok(Arc::new(Drop))
}

#[derive(Debug)]
struct Drop;

impl Output for Drop {
    fn write<'a>(&'a self, _: Batch, _: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async { Ok(()) })
    }

    fn max_in_flight(&self) -> usize {
        64
    }
}
