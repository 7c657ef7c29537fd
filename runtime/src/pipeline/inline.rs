//! Running a request's transaction in the task that serves the request.
//!
//! An `http_server` input's requests are independent of each other, so
//! instead of handing each transaction to a worker over a channel (and
//! its outcome back over another), the connection's own task runs it
//! through the processors and starts its writes: no thread is woken
//! twice per request. The pipeline's bounds stay what they are with
//! workers:
//! - at most `pipeline.threads` transactions are in the processors at
//!   once, each on a VM of its own (kept for reuse);
//! - the output's `max_in_flight` permits are the workers' own.
//!
//! A request that stops waiting (its timeout, or a client that left)
//! does not cut its transaction short: what is left of it goes on in a
//! task of its own, as it would in a worker.

use super::worker::{Shared, deliver};
use crate::component::{Batches, ProcessCtx, Processor, Transaction, run_processors};
use crate::metrics::InputMetrics;
use futures_util::future::BoxFuture;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tarn_lang::Vm;
use tokio::sync::Semaphore;

/// Runs transactions for one input's endpoint in the caller's task.
#[derive(Debug)]
pub struct Inline {
    processors: Arc<Vec<Arc<dyn Processor>>>,
    output: Arc<dyn crate::component::Output>,
    /// The output's write permits, shared with the workers.
    in_flight: Arc<Semaphore>,
    /// One permit per transaction in the processors (`pipeline.threads`).
    processing: Semaphore,
    /// Idle VMs, one per permit at most.
    vms: std::sync::Mutex<Vec<Vm>>,
    /// What the input's wrappers count each transaction in.
    metrics: Vec<InputMetrics>,
}

impl Inline {
    /// A runner with the workers' processors, output and write permits,
    /// `threads` transactions in the processors at most, counting each
    /// transaction in `metrics`.
    pub fn new(shared: &Shared, threads: usize, metrics: Vec<InputMetrics>) -> Inline {
        Inline {
            processors: shared.processors.clone(),
            output: shared.output.clone(),
            in_flight: shared.in_flight.clone(),
            processing: Semaphore::new(threads.max(1)),
            vms: std::sync::Mutex::new(Vec::new()),
            metrics,
        }
    }

    /// Processes `t` and writes what it became; resolves once its
    /// acknowledgement has been resolved (through its own handle).
    /// `hold` is kept until then (the input's entrance, so the pipeline
    /// does not end under the transaction). Dropping the returned future
    /// early leaves the rest to run in a task of its own.
    pub fn run<H: Send + 'static>(self: &Arc<Self>, t: Transaction, hold: H) -> Detached {
        let this = self.clone();
        Detached(Some(Box::pin(async move {
            let _hold = hold;
            let t = this
                .metrics
                .iter()
                .fold(t, |t, m| crate::inputs::counted(m, t));
            // A permit first, as a worker takes one before its read.
            let Ok(permit) = this.in_flight.clone().acquire_owned().await else {
                return; // never closed; the dropped ack would nack.
            };
            let Transaction {
                batch,
                ack,
                responses,
            } = t;
            let mut batches = Batches::new();
            batches.push(batch);
            if !this.processors.is_empty() {
                let Ok(_turn) = this.processing.acquire().await else {
                    return;
                };
                let mut vm = crate::sync::lock(&this.vms).pop().unwrap_or_default();
                let mut ctx = ProcessCtx {
                    vm: &mut vm,
                    responses: &responses,
                };
                batches = run_processors(&this.processors, batches, &mut ctx).await;
                crate::sync::lock(&this.vms).push(vm);
            }
            deliver(this.output.as_ref(), batches, ack, responses, permit).await;
        })))
    }
}

/// A transaction's run: awaited to its end by the request, or, when
/// dropped before, finished by a task of its own.
pub struct Detached(Option<BoxFuture<'static, ()>>);

impl std::future::Future for Detached {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(run) = self.0.as_mut() {
            std::task::ready!(run.as_mut().poll(cx));
            self.0 = None;
        }
        Poll::Ready(())
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        if let Some(run) = self.0.take() {
            // Outside a runtime (the process is ending) the run is
            // dropped: its acknowledgement handle then nacks.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(run);
            }
        }
    }
}
