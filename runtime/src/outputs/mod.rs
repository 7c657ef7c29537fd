//! Output types, one module each. The list below is the registration:
//! adding an output is one new file here plus its name in the list.

use crate::component::{
    Batch, Batches, BoxFuture, Error, Output, ProcessCtx, Processor, WriteCtx, run_processors,
};
use crate::metrics::OutputMetrics;
use std::sync::Arc;
use tarn_lang::Vm;

/// Declares the output modules and registers each one's types.
macro_rules! outputs {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Registers every output type.
        pub fn register_all(r: &mut crate::component::Registry) {
            $($module::register(r);)*
        }
    };
}

outputs! {
    broker,
    drop,
    file,
    http_client,
    resource,
    stdout,
    sync_response,
}

pub mod batched;
pub mod group_commit;

/// An output with its metrics and its own processors (run on each batch
/// before it is written).
#[derive(Debug)]
struct Observed {
    inner: Arc<dyn Output>,
    processors: Vec<Arc<dyn Processor>>,
    metrics: OutputMetrics,
}

/// Wraps `output` (labelled `label`, at config path `path`) with its
/// metrics and its own `processors`.
pub fn observed(
    output: Arc<dyn Output>,
    processors: Vec<Arc<dyn Processor>>,
    label: &str,
    path: &str,
) -> Arc<dyn Output> {
    Arc::new(Observed {
        inner: output,
        processors,
        metrics: OutputMetrics::new(crate::metrics::global(), label, path),
    })
}

impl Output for Observed {
    fn connect(&self) -> BoxFuture<'_, Result<(), Error>> {
        self.inner.connect()
    }

    fn write<'a>(&'a self, batch: Batch, ctx: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        if self.processors.is_empty() {
            let n = batch.len();
            let write = self.inner.write(batch, ctx);
            return Box::pin(self.metrics.observe(n, write));
        }
        Box::pin(async move {
            let mut vm = Vm::new();
            let mut pctx = ProcessCtx {
                vm: &mut vm,
                responses: &ctx.responses,
            };
            let mut one = Batches::new();
            one.push(batch);
            let batches = run_processors(&self.processors, one, &mut pctx).await;
            // What the processors split stays one write: the output
            // answers for the batch it was given.
            let batch: Batch = batches.into_iter().flatten().collect();
            if batch.is_empty() {
                return Ok(());
            }
            let n = batch.len();
            self.metrics.observe(n, self.inner.write(batch, ctx)).await
        })
    }

    fn flush(&self, when: crate::component::Flush) -> BoxFuture<'_, ()> {
        self.inner.flush(when)
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        self.inner.close()
    }

    fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight()
    }
}

/// How many writes a group-committing output (`stdout`, `file`) lets wait
/// at once: each commit covers every write waiting, so more waiting means
/// fewer system calls (and fsyncs) per message.
pub const GROUP_COMMIT_IN_FLIGHT: usize = 4096;
