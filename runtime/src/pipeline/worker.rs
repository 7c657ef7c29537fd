//! The pipeline's workers. Each worker takes the next transaction from
//! the input itself (the input sits behind a lock, held only while one
//! transaction is read; the holder also takes the few that are ready at
//! once into a shared queue, so busy workers pick the next one up without
//! waiting on the lock or waking each other), runs the processors on its
//! own VM, and starts
//! the output's write without waiting for it: the worker keeps its
//! writes in flight next to its reading, up to the output's
//! `max_in_flight` across all workers, and acknowledges each transaction
//! with its write's outcome. There is no hand-over between tasks on the
//! way, so a busy pipeline does not wake threads per message.

use crate::component::{
    AckHandle, Batches, ErrorKind, Input, Output, ProcessCtx, Processor, Transaction, WriteCtx,
    run_processors, stopped,
};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tarn_lang::Vm;
use tokio::sync::{Mutex, Notify, OwnedSemaphorePermit, Semaphore, watch};

/// How long an input that failed to connect or read waits at most before
/// trying again.
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// How many times a worker tries the input's lock before waiting for it
/// (about three microseconds: the holder's reads of ready transactions
/// take about that long).
const LOCK_SPINS: usize = 64;

/// How many transactions a worker handles between two yields to the
/// other tasks of its thread.
const YIELD_EVERY: usize = 256;

/// How many transactions that are ready at once the lock holder takes
/// into the shared queue after the one it waited for. Any worker takes
/// them from there, so a slow processor on one worker holds none back.
const READ_AHEAD: usize = 16;

/// The input and what the workers know of it.
#[derive(Debug)]
pub struct Source {
    reader: Mutex<Reader>,
    /// Told when the input's source has ended and it waits for the acks
    /// of what it gave.
    draining: Arc<Notify>,
    /// The lock holder's read is waiting for the input to have something.
    holder_waits: AtomicBool,
    /// Transactions already read, for the next worker that asks.
    ready: std::sync::Mutex<std::collections::VecDeque<Transaction>>,
    ended: AtomicBool,
    ended_notify: Notify,
}

#[derive(Debug)]
struct Reader {
    input: Box<dyn Input>,
    connected: bool,
    pause: Duration,
    /// `close()` was called: what the input still holds is read, then it
    /// ends.
    closing: bool,
    /// The input has ended.
    done: bool,
    /// Told when the input's source has ended and it waits for acks.
    draining: Arc<Notify>,
}

impl Source {
    /// The source of `input`, not connected yet.
    pub fn new(input: Box<dyn Input>) -> Source {
        let draining = Arc::new(Notify::new());
        Source {
            reader: Mutex::new(Reader {
                input,
                connected: false,
                pause: Duration::from_millis(50),
                closing: false,
                done: false,
                draining: draining.clone(),
            }),
            draining,
            holder_waits: AtomicBool::new(false),
            ready: std::sync::Mutex::new(std::collections::VecDeque::new()),
            ended: AtomicBool::new(false),
            ended_notify: Notify::new(),
        }
    }

    /// Whether the input has ended (or was stopped).
    pub fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Whether the input has ended and every transaction it gave has
    /// been taken.
    pub fn is_exhausted(&self) -> bool {
        self.has_ended() && crate::sync::lock(&self.ready).is_empty()
    }

    fn take_ready(&self) -> Option<Transaction> {
        crate::sync::lock(&self.ready).pop_front()
    }

    /// Resolves once the input's source has ended while acks are
    /// awaited (the output should write what it holds back).
    pub async fn draining(&self) {
        self.draining.notified().await;
    }

    /// Resolves once the input has ended.
    pub async fn ended(&self) {
        loop {
            let notified = self.ended_notify.notified();
            if self.has_ended() {
                return;
            }
            notified.await;
        }
    }

    /// The next transaction; `None` once the input has ended. When `stop`
    /// turns true the input is closed (once) and what it still holds is
    /// read to its end: requests already handed to an `http_server`
    /// input are still answered.
    async fn next(&self, stop: &mut watch::Receiver<bool>) -> Option<Transaction> {
        if let Some(t) = self.take_ready() {
            return Some(t);
        }
        if self.has_ended() {
            return None;
        }
        // The lock is usually held for a few quick reads: spin for it
        // before waiting. A worker that waits is woken into the queue of
        // the thread that released the lock, behind the task still
        // running there, while this thread idles.
        let mut spun = None;
        for _ in 0..LOCK_SPINS {
            // The holder waits for the input itself: nothing to spin for.
            if self.holder_waits.load(Ordering::Relaxed) {
                break;
            }
            if let Ok(r) = self.reader.try_lock() {
                spun = Some(r);
                break;
            }
            if let Some(t) = self.take_ready() {
                return Some(t);
            }
            std::hint::spin_loop();
        }
        let mut r = match spun {
            Some(r) => r,
            None => self.reader.lock().await,
        };
        // Another worker may have filled the queue while this one waited.
        if let Some(t) = self.take_ready() {
            return Some(t);
        }
        let next = loop {
            if r.done {
                break None;
            }
            tokio::select! {
                t = Flagged::new(&self.holder_waits, r.read()) => break t,
                () = stopped(stop), if !r.closing => {
                    // Marked only once done: a close cut short (this
                    // future dropped) is done again by the next call.
                    r.input.close().await;
                    r.closing = true;
                }
            }
        };
        if next.is_none() {
            self.mark_ended(&mut r);
        } else if !r.closing {
            self.read_ahead(&mut r);
        }
        next
    }

    /// Records that the input has ended and tells whoever waits for it.
    fn mark_ended(&self, r: &mut Reader) {
        r.done = true;
        self.ended.store(true, Ordering::Release);
        self.ended_notify.notify_waiters();
    }

    /// Moves the transactions the input has ready right now (up to
    /// `READ_AHEAD`) into the shared queue. A read that would wait is
    /// dropped, which inputs allow (their reads are cancel-safe).
    fn read_ahead(&self, r: &mut Reader) {
        use futures_util::FutureExt;
        for _ in 0..READ_AHEAD {
            match r.read().now_or_never() {
                Some(Some(t)) => crate::sync::lock(&self.ready).push_back(t),
                Some(None) => {
                    self.mark_ended(r);
                    return;
                }
                None => return,
            }
        }
    }
}

impl Reader {
    /// Connects when needed and reads one transaction; `None` at the end
    /// (or after a fatal error, logged).
    async fn read(&mut self) -> Option<Transaction> {
        loop {
            if !self.connected {
                if self.closing {
                    return None;
                }
                match self.input.connect().await {
                    Ok(()) => {
                        self.connected = true;
                        self.pause = Duration::from_millis(50);
                    }
                    Err(e) => {
                        crate::log::error(&format!("input: cannot connect: {e}"));
                        self.back_off().await;
                        continue;
                    }
                }
            }
            match self.input.read().await {
                Ok(t) => return Some(t),
                // Waiting for acks (even while closing): replays may come.
                Err(e) if e.kind == ErrorKind::Draining => self.draining.notify_one(),
                // A closing input that fails has nothing more to give.
                Err(_) if self.closing => return None,
                Err(e) => match e.kind {
                    ErrorKind::EndOfInput | ErrorKind::Closed => return None,
                    ErrorKind::NotConnected => self.connected = false,
                    ErrorKind::Fatal => {
                        crate::log::error(&format!("input: {e}"));
                        return None;
                    }
                    _ => {
                        crate::log::error(&format!("input: {e}"));
                        self.back_off().await;
                    }
                },
            }
        }
    }

    async fn back_off(&mut self) {
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(MAX_PAUSE);
    }
}

pin_project_lite::pin_project! {
    /// A future that keeps `flag` true while it is pending (and false
    /// once it is ready or dropped).
    struct Flagged<'a, F> {
        flag: &'a AtomicBool,
        #[pin]
        inner: F,
    }

    impl<F> PinnedDrop for Flagged<'_, F> {
        fn drop(this: Pin<&mut Self>) {
            this.flag.store(false, Ordering::Relaxed);
        }
    }
}

impl<'a, F: std::future::Future> Flagged<'a, F> {
    fn new(flag: &'a AtomicBool, inner: F) -> Self {
        Flagged { flag, inner }
    }
}

impl<F: std::future::Future> std::future::Future for Flagged<'_, F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<F::Output> {
        let this = self.project();
        let polled = this.inner.poll(cx);
        this.flag.store(polled.is_pending(), Ordering::Relaxed);
        polled
    }
}

/// What every worker shares.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Where transactions come from.
    pub source: Arc<Source>,
    /// The pipeline's processors.
    pub processors: Arc<Vec<Arc<dyn Processor>>>,
    /// Where batches go.
    pub output: Arc<dyn Output>,
    /// One permit per write in flight (the output's `max_in_flight`).
    pub in_flight: Arc<Semaphore>,
    /// Turns true when the pipeline is told to stop.
    pub stop: watch::Receiver<bool>,
    /// Take a write permit only once a transaction is read, not before:
    /// when most transactions skip the read (see [`super::inline`]), a
    /// worker waiting on the input must not sit on a permit they need.
    pub permit_after_read: bool,
}

/// One worker: reads, processes and writes until the input has ended,
/// then waits for its writes to finish.
pub async fn work(shared: Shared) {
    let Shared {
        source,
        processors,
        output,
        in_flight,
        mut stop,
        permit_after_read,
    } = shared;
    let mut vm = Vm::new();
    let mut writes = FuturesUnordered::new();
    let mut since_yield = 0usize;
    loop {
        // Run unconstrained by tokio's budget, the worker gives its
        // thread to other tasks (HTTP connections, timers) every so many
        // transactions.
        since_yield += 1;
        if since_yield == YIELD_EVERY {
            since_yield = 0;
            tokio::task::yield_now().await;
        }
        if source.is_exhausted() {
            // Nothing more comes to this worker: hand its writes to the
            // output (a write starts when first polled), then have the
            // output write what it holds back (a partial batch).
            use futures_util::FutureExt;
            while let Some(Some(())) = writes.next().now_or_never() {}
            output.flush(crate::component::Flush::Now).await;
            while writes.next().await.is_some() {}
            return;
        }
        // A permit first, so no transaction is taken that cannot be
        // written; own writes finishing meanwhile give theirs back.
        let early = if permit_after_read {
            None
        } else {
            match write_permit(&in_flight, &mut writes).await {
                Permit::Got(p) => Some(p),
                // Back to the top: the input may have ended meanwhile.
                Permit::WriteDone => continue,
                Permit::Closed => return,
            }
        };
        let next = tokio::select! {
            biased;
            Some(()) = writes.next(), if !writes.is_empty() => continue,
            t = source.next(&mut stop) => t,
        };
        let Some(t) = next else { continue };
        let permit = match early {
            Some(p) => p,
            None => loop {
                match write_permit(&in_flight, &mut writes).await {
                    Permit::Got(p) => break p,
                    Permit::WriteDone => {}
                    // Never closed: the dropped transaction would be nacked.
                    Permit::Closed => return,
                }
            },
        };
        let Transaction {
            batch,
            ack,
            responses,
        } = t;
        let batches = if processors.is_empty() {
            let mut one = Batches::new();
            one.push(batch);
            one
        } else {
            let mut ctx = ProcessCtx {
                vm: &mut vm,
                responses: &responses,
            };
            let mut one = Batches::new();
            one.push(batch);
            // The worker's writes go on while a processor waits (an
            // `http` call, a `sleep`): their acks are not held back.
            let processing = run_processors(&processors, one, &mut ctx);
            tokio::pin!(processing);
            loop {
                tokio::select! {
                    biased;
                    batches = &mut processing => break batches,
                    Some(()) = writes.next(), if !writes.is_empty() => {}
                }
            }
        };
        writes.push(deliver(output.as_ref(), batches, ack, responses, permit));
    }
}

/// What waiting for a write permit came to.
enum Permit {
    Got(OwnedSemaphorePermit),
    /// One of the worker's own writes finished first (giving its permit
    /// back).
    WriteDone,
    /// The permits were closed (never done).
    Closed,
}

/// A write permit, unless one of the worker's own writes finishes first.
async fn write_permit<F: std::future::Future<Output = ()>>(
    in_flight: &Arc<Semaphore>,
    writes: &mut FuturesUnordered<F>,
) -> Permit {
    if let Ok(p) = in_flight.clone().try_acquire_owned() {
        return Permit::Got(p);
    }
    tokio::select! {
        Some(()) = writes.next(), if !writes.is_empty() => Permit::WriteDone,
        p = in_flight.clone().acquire_owned() => p.map_or(Permit::Closed, Permit::Got),
    }
}

/// Writes every batch made from one transaction and acknowledges the
/// transaction with the outcome (the first error, if any). Every write
/// starts now, in order, so outputs that lay messages out as they are
/// given (stdout, file) keep the order transactions were processed in.
pub(super) fn deliver<'a>(
    output: &'a dyn Output,
    batches: Batches,
    ack: AckHandle,
    responses: crate::component::Responses,
    permit: OwnedSemaphorePermit,
) -> impl std::future::Future<Output = ()> + 'a {
    let writes: Vec<_> = batches
        .into_iter()
        .map(|b| {
            output.write(
                b,
                WriteCtx {
                    responses: responses.clone(),
                },
            )
        })
        .collect();
    async move {
        let mut outcome = Ok(());
        for write in writes {
            let result = write.await;
            if outcome.is_ok() {
                outcome = result;
            }
        }
        ack.resolve(outcome);
        drop(permit);
    }
}
