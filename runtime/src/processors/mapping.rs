//! The `mapping` processor (and its older name `bloblang`), which builds
//! a new document from each message, and `mutation`, which edits each
//! message in place.

use super::set_root;
use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, fail_message,
};
use crate::config::types::Mapping;
use std::sync::Arc;
use tarn_lang::{ErrorSource, Mode};

/// Registers `mapping`, `bloblang` and `mutation`.
pub fn register(r: &mut Registry) {
    r.processor::<Mapping>(
        "mapping",
        "Builds a new document from each message with a Bloblang mapping; metadata is kept.",
        |m, ctx| build(m, ctx, Mode::Mapping),
    );
    r.processor::<Mapping>(
        "bloblang",
        "The older name of the `mapping` processor.",
        |m, ctx| build(m, ctx, Mode::Mapping),
    );
    r.processor::<Mapping>(
        "mutation",
        "Edits each message in place with a Bloblang mapping.",
        |m, ctx| build(m, ctx, Mode::Mutation),
    );
}

fn build(mapping: Mapping, ctx: &mut Build<'_>, mode: Mode) -> Result<Arc<dyn Processor>, BuildError> {
    Ok(Arc::new(MappingProcessor {
        mapping,
        mode,
        source: ctx.error_source(),
    }))
}

/// A compiled mapping run on every message.
#[derive(Debug)]
pub struct MappingProcessor {
    mapping: Mapping,
    mode: Mode,
    source: ErrorSource,
}

impl Processor for MappingProcessor {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        let out = map_batch(self.mapping.program(), self.mode, ctx, batch, &self.source);
        Box::pin(async move { super::one(out) })
    }
}

/// Runs a mapping on every message of the batch. A failing message goes
/// on unchanged, flagged with the error (and logged); a deleted one is
/// dropped.
fn map_batch(
    program: &tarn_lang::Program,
    mode: Mode,
    ctx: &mut ProcessCtx<'_>,
    mut batch: Batch,
    source: &ErrorSource,
) -> Batch {
    // A batch of one can hand its parsed document over as `root` (no
    // copy); in larger batches other messages' runs may read it.
    if let [only] = batch.as_mut_slice() {
        let result = tarn_lang::vm::run_adopting(program, ctx.vm, only, mode);
        return match result {
            Ok(outcome) => {
                let mut msg = std::mem::replace(only, tarn_lang::Message::new(b""));
                msg.set_meta(outcome.meta);
                match set_root(&mut msg, outcome.root) {
                    Ok(true) => vec![msg],
                    Ok(false) => Vec::new(),
                    Err(e) => {
                        fail_message(&mut msg, e, source);
                        vec![msg]
                    }
                }
            }
            Err(e) => {
                fail_message(only, e, source);
                batch
            }
        };
    }
    let mut out = Vec::with_capacity(batch.len());
    for i in 0..batch.len() {
        match tarn_lang::vm::run(program, ctx.vm, &batch, i, mode) {
            Ok(outcome) => {
                let mut msg = batch[i].clone();
                msg.set_meta(outcome.meta);
                match set_root(&mut msg, outcome.root) {
                    Ok(true) => out.push(msg),
                    Ok(false) => {}
                    Err(e) => {
                        fail_message(&mut msg, e, source);
                        out.push(msg);
                    }
                }
            }
            Err(e) => {
                let mut msg = batch[i].clone();
                fail_message(&mut msg, e, source);
                out.push(msg);
            }
        }
    }
    out
}
