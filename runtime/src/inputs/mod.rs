//! Input types, one module each. The list below is the registration:
//! adding an input is one new file here plus its name in the list.

use crate::component::{
    AckHandle, Batches, BoxFuture, Error, Input, ProcessCtx, Processor, Transaction, run_processors,
};
use crate::metrics::InputMetrics;
use std::collections::VecDeque;
use std::sync::Arc;
use tarn_lang::Vm;

/// Declares the input modules and registers each one's types.
macro_rules! inputs {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Registers every input type.
        pub fn register_all(r: &mut crate::component::Registry) {
            $($module::register(r);)*
        }
    };
}

inputs! {
    broker,
    file,
    generate,
    http_server,
    resource,
    stdin,
}

pub mod cron;
pub mod glob;

/// An input with its metrics and its own processors: every batch it
/// reads is counted, runs through the processors, and its acknowledgement
/// time is recorded.
#[derive(Debug)]
struct Observed {
    inner: Box<dyn Input>,
    processors: Vec<Arc<dyn Processor>>,
    metrics: InputMetrics,
    vm: Vm,
    /// Batches a processor split off, waiting their turn.
    ready: VecDeque<Transaction>,
}

/// Wraps `input` (labelled `label`, at config path `path`) with its
/// metrics and its own `processors`.
pub fn observed(
    input: Box<dyn Input>,
    processors: Vec<Arc<dyn Processor>>,
    label: &str,
    path: &str,
) -> Box<dyn Input> {
    Box::new(Observed {
        inner: input,
        processors,
        metrics: InputMetrics::new(crate::metrics::global(), label, path),
        vm: Vm::new(),
        ready: VecDeque::new(),
    })
}

impl Input for Observed {
    fn connect(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        self.inner.connect()
    }

    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            loop {
                if let Some(t) = self.ready.pop_front() {
                    return Ok(t);
                }
                let t = self.inner.read().await?;
                let since = self.metrics.received(&t.batch);
                let metrics = self.metrics.clone();
                let ack = t.ack;
                let ack = AckHandle::new(move |outcome| {
                    metrics.acked(since);
                    ack.resolve(outcome);
                });
                if self.processors.is_empty() {
                    return Ok(Transaction {
                        batch: t.batch,
                        ack,
                        responses: t.responses,
                    });
                }
                let mut ctx = ProcessCtx {
                    vm: &mut self.vm,
                    responses: &t.responses,
                };
                let mut one = Batches::new();
                one.push(t.batch);
                let batches = run_processors(&self.processors, one, &mut ctx).await;
                let shares = ack.share(batches.len());
                for (batch, ack) in batches.into_iter().zip(shares) {
                    self.ready.push_back(Transaction {
                        batch,
                        ack,
                        responses: t.responses.clone(),
                    });
                }
            }
        })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        self.inner.close()
    }
}
