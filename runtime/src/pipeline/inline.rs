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
//! before a write permit is free hands nothing over, as a request that
//! could not reach a worker; once admitted, its transaction is not cut
//! short: what is left of it goes on in a task of its own, as it would in
//! a worker. Stopping the pipeline waits for those (see
//! [`Inline::is_busy`]).
//!
//! Unlike the workers, transactions from different connections reach
//! the output in no set order, even with one thread; the input's
//! WebSocket frames still go through the workers, which have
//! `pipeline.threads` processing turns of their own. A processor that
//! panics ends the request's connection (or its detached task) rather
//! than a worker.

use super::worker::{Shared, deliver};
use crate::component::{Batches, ProcessCtx, Processor, Transaction, run_processors};
use crate::metrics::InputMetrics;
use futures_util::future::BoxFuture;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    /// Transactions admitted and not yet acknowledged.
    busy: Arc<AtomicUsize>,
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
            busy: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Processes `t` and writes what it became; resolves once its
    /// acknowledgement has been resolved (through its own handle).
    ///
    /// Until a write permit is free the request may give up (its
    /// timeout): `t` is then dropped, so nacked, and nothing of it is
    /// delivered, as when a request could not hand its transaction to a
    /// worker. Once admitted, dropping the future leaves the rest to a
    /// task of its own.
    pub async fn run(self: &Arc<Self>, t: Transaction) {
        let Ok(permit) = self.in_flight.clone().acquire_owned().await else {
            return; // never closed; the dropped ack nacks.
        };
        // Counted once admitted: a request that gave up before is neither
        // received nor delivered.
        let t = self
            .metrics
            .iter()
            .fold(t, |t, m| crate::inputs::counted(m, t));
        let busy = Busy::new(&self.busy);
        let this = self.clone();
        Detached(Some(Box::pin(async move {
            let _busy = busy;
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
        .await
    }

    /// Whether transactions admitted here are still being processed or
    /// written.
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire) > 0
    }
}

/// Counts one admitted transaction as busy until dropped.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn new(count: &Arc<AtomicUsize>) -> Busy {
        count.fetch_add(1, Ordering::AcqRel);
        Busy(count.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A transaction's run: awaited to its end by the request, or, when
/// dropped before, finished by a task of its own.
pub struct Detached(Option<BoxFuture<'static, ()>>);

impl std::future::Future for Detached {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Taken out while polled: a run that panics is dropped in the
        // unwinding, not handed to a task of its own by `drop`.
        let Some(mut run) = self.0.take() else {
            return Poll::Ready(());
        };
        match run.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(()),
            Poll::Pending => {
                self.0 = Some(run);
                Poll::Pending
            }
        }
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
