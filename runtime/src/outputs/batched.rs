//! An output behind a batching policy: writes are gathered until the
//! policy flushes, the batch's processors run, and the gathered batch is
//! written to the inner output (up to its `max_in_flight` at once); each
//! gathered write resolves with that batch's outcome.

use crate::component::batching::{Batcher, Policy};
use crate::component::{
    AckHandle, Batch, Batches, BoxFuture, Error, Output, ProcessCtx, Transaction, WriteCtx,
    run_processors,
};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Wraps `inner` with `policy` (`None`: no batching, `inner` itself).
pub fn batched(inner: Arc<dyn Output>, policy: Option<Policy>) -> Arc<dyn Output> {
    match policy {
        None => inner,
        Some(policy) => Arc::new(Batched {
            inner,
            policy,
            entrance: Mutex::new(None),
            done: tokio::sync::Mutex::new(None),
            flush: Arc::default(),
        }),
    }
}

/// The batching wrapper.
#[derive(Debug)]
struct Batched {
    inner: Arc<dyn Output>,
    policy: Policy,
    /// The gathering task's entrance, once started.
    entrance: Mutex<Option<mpsc::Sender<Transaction>>>,
    /// Resolves when the gathering task has flushed and ended.
    done: tokio::sync::Mutex<Option<oneshot::Receiver<()>>>,
    /// Tells the gathering task to write its partial batch.
    flush: Arc<FlushSignals>,
}

/// How the gathering task is told to write its partial batch.
#[derive(Debug, Default)]
struct FlushSignals {
    now: tokio::sync::Notify,
    when_settled: tokio::sync::Notify,
}

impl Batched {
    fn sender(&self) -> Option<mpsc::Sender<Transaction>> {
        let mut entrance = crate::sync::lock(&self.entrance);
        if entrance.is_none() {
            let (tx, rx) = mpsc::channel(1024);
            let (done_tx, done_rx) = oneshot::channel();
            if let Ok(mut done) = self.done.try_lock() {
                *done = Some(done_rx);
            }
            tokio::spawn(gather(
                self.inner.clone(),
                Batcher::new(self.policy.clone()),
                rx,
                done_tx,
                self.flush.clone(),
            ));
            *entrance = Some(tx);
        }
        entrance.clone()
    }
}

impl Output for Batched {
    fn connect(&self) -> BoxFuture<'_, Result<(), Error>> {
        self.inner.connect()
    }

    fn write<'a>(&'a self, batch: Batch, ctx: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let Some(tx) = self.sender() else {
                return Err(Error::closed());
            };
            let (result_tx, result_rx) = oneshot::channel();
            let ack = AckHandle::new(move |o| {
                let _ = result_tx.send(o);
            });
            let t = Transaction {
                batch,
                ack,
                responses: ctx.responses,
            };
            tx.send(t).await.map_err(|_| Error::closed())?;
            result_rx.await.unwrap_or_else(|_| Err(Error::dropped()))
        })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let sender = crate::sync::lock(&self.entrance).take();
            drop(sender);
            if let Some(done) = self.done.lock().await.take() {
                let _ = done.await;
            }
            self.inner.close().await;
        })
    }

    fn flush(&self, when: crate::component::Flush) -> BoxFuture<'_, ()> {
        match when {
            crate::component::Flush::Now => self.flush.now.notify_one(),
            crate::component::Flush::WhenSettled => self.flush.when_settled.notify_one(),
        }
        // An inner output may batch too.
        self.inner.flush(when)
    }

    fn max_in_flight(&self) -> usize {
        // Writes only wait to be gathered: let enough in to fill a batch
        // for each write the inner output keeps in flight.
        // Without a count (byte_size or check alone) no number of
        // messages is known to fill one: allow the most.
        if self.policy.count == 0 {
            return crate::component::MAX_IN_FLIGHT;
        }
        let fill = self.policy.count * self.inner.max_in_flight().max(1);
        fill.clamp(
            super::GROUP_COMMIT_IN_FLIGHT,
            crate::component::MAX_IN_FLIGHT,
        )
    }
}

/// Gathers transactions and writes flushed batches.
async fn gather(
    inner: Arc<dyn Output>,
    mut batcher: Batcher,
    mut rx: mpsc::Receiver<Transaction>,
    done: oneshot::Sender<()>,
    flush: Arc<FlushSignals>,
) {
    let limit = inner.max_in_flight().max(1);
    let mut writes = FuturesUnordered::new();
    let mut vm = tarn_lang::Vm::new();
    let mut open = true;
    // Whether messages arrived since the last drain signal: the input has
    // ended, but what it gave may still be on its way here.
    let mut grew = false;
    loop {
        let deadline = batcher.deadline();
        // Biased: what is queued is gathered before a flush signal counts.
        let flush = tokio::select! {
            biased;
            t = rx.recv(), if open && writes.len() < limit => match t {
                Some(t) => {
                    grew = true;
                    batcher.add(t)
                }
                None => {
                    open = false;
                    true
                }
            },
            Some(()) = writes.next(), if !writes.is_empty() => false,
            () = sleep_until(deadline), if deadline.is_some() => true,
            () = flush.now.notified(), if open => true,
            // The input has ended: write the partial batch once it has
            // stopped growing (signals repeat while acks are awaited).
            () = flush.when_settled.notified(), if open => !std::mem::take(&mut grew),
            else => break,
        };
        if flush && let Some(mut t) = batcher.take() {
            if !batcher.processors().is_empty() {
                let mut ctx = ProcessCtx {
                    vm: &mut vm,
                    responses: &t.responses,
                };
                let mut one = Batches::new();
                one.push(std::mem::take(&mut t.batch));
                t.batch = run_processors(batcher.processors(), one, &mut ctx)
                    .await
                    .into_iter()
                    .flatten()
                    .collect();
            }
            let inner = inner.clone();
            writes.push(async move {
                if t.batch.is_empty() {
                    t.ack.ack();
                    return;
                }
                let ctx = WriteCtx {
                    responses: t.responses,
                };
                let result = inner.write(t.batch, ctx).await;
                t.ack.resolve(result);
            });
        }
        if !open && batcher.is_empty() && writes.is_empty() {
            break;
        }
    }
    let _ = done.send(());
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
