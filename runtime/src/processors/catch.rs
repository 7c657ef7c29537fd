//! The `catch` processor: runs its processors on the messages flagged
//! with an error, then clears their flags. Messages without an error pass
//! unchanged.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, run_processors,
};
use crate::config::types::ProcessorNode;
use std::sync::Arc;

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Vec<ProcessorNode>>(
        "catch",
        "Runs processors only on messages flagged with an error, then clears the flag.",
        build,
    );
}

fn build(list: Vec<ProcessorNode>, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    Ok(Arc::new(Catch {
        processors: ctx.processors(&list)?,
    }))
}

#[derive(Debug)]
struct Catch {
    processors: Vec<Arc<dyn Processor>>,
}

impl Processor for Catch {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            if batch.iter().all(|m| m.error().is_none()) {
                return super::one(batch);
            }
            // Each failed message runs on its own, so the batch keeps its
            // order whatever the child processors do.
            let mut out = Batch::with_capacity(batch.len());
            for msg in batch {
                if msg.error().is_none() {
                    out.push(msg);
                    continue;
                }
                let mut one = Batches::new();
                one.push(vec![msg]);
                for b in run_processors(&self.processors, one, ctx).await {
                    out.extend(b.into_iter().map(|mut m| {
                        m.set_error(None);
                        m
                    }));
                }
            }
            super::one(out)
        })
    }
}
