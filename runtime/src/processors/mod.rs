//! Processor types, one module each. The list below is the registration:
//! adding a processor is one new file here plus its name in the list.

use crate::component::{Batch, Batches, BoxFuture, ProcessCtx, Processor};
use crate::metrics::ProcessorMetrics;
use std::sync::Arc;
use tarn_lang::convert::to_message_bytes;
use tarn_lang::value::Blob;
use tarn_lang::{Message, Value};

/// Declares the processor modules and registers each one's types.
macro_rules! processors {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Registers every processor type.
        pub fn register_all(r: &mut crate::component::Registry) {
            $($module::register(r);)*
        }
    };
}

processors! {
    archive,
    branch,
    cache,
    catch,
    dedupe,
    for_each,
    http,
    log,
    mapping,
    noop,
    parallel,
    rate_limit,
    resource,
    retry,
    sleep,
    split,
    switch,
    sync_response,
    r#try,
    unarchive,
    r#while,
}

/// A processor counted in `/metrics` under its label and path.
#[derive(Debug)]
struct Observed {
    inner: Arc<dyn Processor>,
    metrics: ProcessorMetrics,
}

/// Wraps `processor` (labelled `label`, at `path`) with its metrics.
pub fn observed(processor: Arc<dyn Processor>, label: &str, path: &str) -> Arc<dyn Processor> {
    Arc::new(Observed {
        inner: processor,
        metrics: ProcessorMetrics::new(crate::metrics::global(), label, path),
    })
}

impl Processor for Observed {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            let started = self.metrics.start(&batch);
            let out = self.inner.process(batch, ctx).await;
            self.metrics.finish(started, &out);
            out
        })
    }
}

/// One batch as processor output.
pub fn one(batch: Batch) -> Batches {
    let mut out = Batches::new();
    if !batch.is_empty() {
        out.push(batch);
    }
    out
}

thread_local! {
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The largest serialisation buffer kept for reuse.
const MAX_SCRATCH: usize = 1 << 20;

/// Sets the document a mapping produced as the message's content.
/// `Ok(false)` means the mapping deleted the message.
pub fn set_root(msg: &mut Message, root: Value) -> Result<bool, String> {
    match root {
        Value::Delete => return Ok(false),
        Value::Nothing => {}
        Value::Str(s) => msg.set_content(Blob::new(s.as_bytes())),
        Value::Bytes(b) => msg.set_content(b),
        root => {
            // Serialised into a per-thread buffer that keeps its capacity,
            // then copied once into the message.
            let content = SCRATCH.with(|cell| {
                let mut bytes = cell.take();
                bytes.clear();
                let written = to_message_bytes(&root, &mut bytes).map(|()| Blob::new(&bytes));
                if bytes.capacity() <= MAX_SCRATCH {
                    cell.set(bytes);
                }
                written
            });
            msg.set_structured(content.map_err(|e| e.to_string())?, root);
        }
    }
    Ok(true)
}
