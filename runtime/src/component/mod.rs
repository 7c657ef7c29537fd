//! The component model: one trait per kind of pipeline component
//! (inputs, processors, outputs, caches, rate limits), the batches and
//! acknowledgements that travel between them, the registry every
//! component type is listed in, and the build context that turns a typed
//! config into a component.
//!
//! A component type lives in one module of `inputs/`, `processors/`,
//! `outputs/`, `caches/` or `rate_limits/`: a serde config struct (with
//! `deny_unknown_fields`, its schema derived from the same type), a build
//! function, and the component itself. It is listed once in its folder's
//! `mod.rs`, which is the registration.

pub mod ack;
pub mod batching;
pub mod build;
pub mod error;
pub mod registry;
pub mod replay;

#[cfg(test)]
mod fields_test;

pub use ack::{AckHandle, OrderedAcks, Outcome};
pub use build::{Build, BuildError};
pub use error::{Error, ErrorKind};
pub use registry::{Kind, Registry, Status};

use smallvec::SmallVec;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tarn_lang::{ErrorSource, Message, Vm};

/// A boxed future, as the component traits return them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A batch of messages.
pub type Batch = Vec<Message>;

/// What a processor gives back: usually one batch, sometimes none
/// (everything dropped) or several (a split).
pub type Batches = SmallVec<[Batch; 1]>;

/// Where `sync_response` puts the answer for the input that produced a
/// transaction. Each write replaces the batch held so far.
#[derive(Debug, Default)]
pub struct ResponseStore {
    batch: Mutex<Option<Batch>>,
}

impl ResponseStore {
    /// An empty store.
    pub fn new() -> Arc<ResponseStore> {
        Arc::new(ResponseStore::default())
    }

    /// Keeps `batch` as the response.
    pub fn set(&self, batch: Batch) {
        *crate::sync::lock(&self.batch) = Some(batch);
    }

    /// The stored response, if any.
    pub fn take(&self) -> Option<Batch> {
        crate::sync::lock(&self.batch).take()
    }
}

/// The response stores of a batch: from message `start` on, messages
/// answer the input through `store`. A batch from one transaction has
/// one entry; an output batch made of several transactions has one per
/// transaction that can be answered.
pub type Responses = SmallVec<[(usize, Arc<ResponseStore>); 1]>;

/// The messages of `batch` that belong to each store, in order.
pub fn split_by_store(
    batch: &[Message],
    responses: &Responses,
) -> Vec<(Arc<ResponseStore>, Batch)> {
    let mut out = Vec::with_capacity(responses.len());
    for (i, (start, store)) in responses.iter().enumerate() {
        let end = responses
            .get(i + 1)
            .map_or(batch.len(), |(next, _)| *next)
            .min(batch.len());
        let part = batch.get(*start..end).unwrap_or_default().to_vec();
        out.push((store.clone(), part));
    }
    out
}

/// A batch with everything that travels with it: the acknowledgement
/// the input waits for, and where a synchronous response goes.
#[derive(Debug)]
pub struct Transaction {
    /// The messages.
    pub batch: Batch,
    /// Tells the input how the batch ended.
    pub ack: AckHandle,
    /// Response stores of inputs that can answer.
    pub responses: Responses,
}

impl Transaction {
    /// A transaction that no input can answer.
    pub fn new(batch: Batch, ack: AckHandle) -> Transaction {
        Transaction {
            batch,
            ack,
            responses: Responses::new(),
        }
    }

    /// A transaction whose response goes to `store`.
    pub fn with_response(batch: Batch, ack: AckHandle, store: Arc<ResponseStore>) -> Transaction {
        let mut responses = Responses::new();
        responses.push((0, store));
        Transaction {
            batch,
            ack,
            responses,
        }
    }
}

/// A source of messages. The runtime drives one input from one task:
/// `connect`, then `read` until it reports the end, then `close`.
pub trait Input: Send + std::fmt::Debug {
    /// Connects to the source; called again when a read reports
    /// [`ErrorKind::NotConnected`].
    fn connect(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async { Ok(()) })
    }

    /// The next transaction; [`ErrorKind::EndOfInput`] when there are no
    /// more. Must be cancel-safe: dropping the future before it completes
    /// loses no message.
    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>>;

    /// Stops taking new messages. Later reads give what the input already
    /// holds (requests handed to an `http_server` input, say), then
    /// [`ErrorKind::EndOfInput`]. Messages already read are still
    /// acknowledged through their handles.
    fn close(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// Whether the pipeline may run this input's transactions in the
    /// tasks that make them instead of reading them: only an input that
    /// hands each transaction over unchanged, in no order that matters
    /// (the `http_server` input's requests), says so. `None` by default.
    fn entrance(&self) -> Option<Entrance> {
        None
    }
}

/// How an input's transactions may skip its `read`: which endpoint makes
/// them, and the metrics each must be counted in on the way (what the
/// input's wrappers would have done in `read`).
#[derive(Debug, Clone)]
pub struct Entrance {
    /// The endpoint that makes the transactions (its settings' address,
    /// as [`Entrance::key_of`] gives it).
    pub endpoint: usize,
    /// Input metrics to count each transaction in, innermost first.
    pub metrics: Vec<crate::metrics::InputMetrics>,
}

impl Entrance {
    /// The key of the endpoint whose shared settings are `settings`.
    pub fn key_of<T>(settings: &Arc<T>) -> usize {
        Arc::as_ptr(settings) as *const () as usize
    }
}

/// What a processor runs with: the worker's VM and where a synchronous
/// response goes.
pub struct ProcessCtx<'a> {
    /// The worker's reusable VM.
    pub vm: &'a mut Vm,
    /// Response stores of the batch's transaction.
    pub responses: &'a Responses,
}

/// A step between input and output. Processors are async (an `http`
/// processor waits on the network); CPU-only ones simply never await.
pub trait Processor: Send + Sync + std::fmt::Debug {
    /// Processes one batch. Failed messages stay in the batch, flagged
    /// with their error; dropped messages are left out.
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches>;
}

/// Runs `processors` in order over `batches`.
pub async fn run_processors(
    processors: &[Arc<dyn Processor>],
    mut batches: Batches,
    ctx: &mut ProcessCtx<'_>,
) -> Batches {
    for p in processors {
        let mut next = Batches::new();
        for batch in batches {
            if !batch.is_empty() {
                next.extend(p.process(batch, ctx).await);
            }
        }
        batches = next;
        if batches.is_empty() {
            break;
        }
    }
    batches.retain(|b| !b.is_empty());
    batches
}

/// Processors an input runs inside its `read` (its own `processors`, a
/// broker's batching processors), kept running across cancelled reads:
/// `read` must be cancel-safe, so a batch being processed when its read
/// is dropped is finished by the next read, not lost (nor processed
/// twice).
pub struct InputProcessing<T> {
    processors: Arc<[Arc<dyn Processor>]>,
    vm: Option<Vm>,
    running: Option<BoxFuture<'static, Processed<T>>>,
}

/// What a finished [`InputProcessing`] run hands back (its VM is kept).
type Processed<T> = (Vm, Batches, Responses, T);

impl<T: Send + 'static> InputProcessing<T> {
    /// Runs `processors` (none: batches pass through).
    pub fn new(processors: Vec<Arc<dyn Processor>>) -> Self {
        InputProcessing {
            processors: processors.into(),
            vm: None,
            running: None,
        }
    }

    /// Whether there are no processors to run.
    pub fn is_empty(&self) -> bool {
        self.processors.is_empty()
    }

    /// Starts processing `batch` (with `responses`); `carry` comes back
    /// with the result. Any processing still unfinished must be finished
    /// first with [`InputProcessing::finish`].
    pub fn start(&mut self, batch: Batch, responses: Responses, carry: T) {
        let processors = self.processors.clone();
        let mut vm = self.vm.take().unwrap_or_default();
        self.running = Some(Box::pin(async move {
            let mut one = Batches::new();
            one.push(batch);
            let out = {
                let mut ctx = ProcessCtx {
                    vm: &mut vm,
                    responses: &responses,
                };
                run_processors(&processors, one, &mut ctx).await
            };
            (vm, out, responses, carry)
        }));
    }

    /// The result of the processing started last (its batches, the
    /// responses and carry it was started with), once it has finished
    /// (cancel-safe); `None` when nothing is being processed.
    pub async fn finish(&mut self) -> Option<(Batches, Responses, T)> {
        let running = self.running.as_mut()?;
        let (vm, out, responses, carry) = running.await;
        self.running = None;
        self.vm = Some(vm);
        Some((out, responses, carry))
    }
}

impl<T> std::fmt::Debug for InputProcessing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputProcessing")
            .field("processors", &self.processors.len())
            .field("running", &self.running.is_some())
            .finish()
    }
}

/// When [`Output::flush`] writes what is held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// At once.
    Now,
    /// Only if nothing arrived since the previous such call: what the
    /// input gave may still be on its way (callers repeat it).
    WhenSettled,
}

/// The most writes an output may keep in flight (`max_in_flight`).
pub const MAX_IN_FLIGHT: usize = 65_536;

/// What an output writes with.
#[derive(Debug, Clone, Default)]
pub struct WriteCtx {
    /// Response stores of the messages being written.
    pub responses: Responses,
}

/// A destination. Writes may run concurrently (up to the output's
/// `max_in_flight`); a write resolves only once the batch is delivered.
pub trait Output: Send + Sync + std::fmt::Debug {
    /// Connects; called again after a write reports
    /// [`ErrorKind::NotConnected`].
    fn connect(&self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async { Ok(()) })
    }

    /// Delivers one batch.
    fn write<'a>(&'a self, batch: Batch, ctx: WriteCtx) -> BoxFuture<'a, Result<(), Error>>;

    /// Writes what the output holds back (a partial batch): the input
    /// has ended and waits for those messages' acks.
    fn flush(&self, _when: Flush) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// Flushes and releases the destination.
    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// How many writes may run at once (`max_in_flight`).
    fn max_in_flight(&self) -> usize {
        1
    }
}

/// A key–value store shared by processors (`cache`, `dedupe`).
pub trait Cache: Send + Sync + std::fmt::Debug {
    /// The value of `key`; `Ok(None)` when it is absent.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, Error>>;

    /// Sets `key`, with a time to live (`None`: the cache's default).
    fn set<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<(), Error>>;

    /// Sets `key` only when it is absent: `Ok(false)` when it was there.
    fn add<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<bool, Error>>;

    /// Removes `key`.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>>;
}

/// A limit on how often something may happen, shared by label.
pub trait RateLimit: Send + Sync + std::fmt::Debug {
    /// Takes one access: `Ok(None)` when allowed now, `Ok(Some(wait))`
    /// when the caller must wait that long and try again.
    fn access(&self) -> BoxFuture<'_, Result<Option<Duration>, Error>>;
}

/// Resolves once `stop` turns true (or its sender is gone).
pub async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Flags `msg` as failed by the component `source` and logs it at error
/// level with the component's label and path, as Benthos does.
pub fn fail_message(msg: &mut Message, error: impl std::fmt::Display, source: &ErrorSource) {
    let text = error.to_string();
    crate::log::error_with(&[("label", &source.label), ("path", &source.path)], &text);
    msg.set_error_from(text, source.clone());
}
