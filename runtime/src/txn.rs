//! Transactions: a batch travelling from an input to the outputs, the
//! acknowledgement the input waits for, and the store a synchronous
//! response is written to.

use std::sync::{Arc, Mutex};
use tarn_lang::Message;
use tokio::sync::oneshot;

/// A batch of messages.
pub type Batch = Vec<Message>;

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
        let mut guard = match self.batch.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Some(batch);
    }

    /// The stored response, if any.
    pub fn take(&self) -> Option<Batch> {
        let mut guard = match self.batch.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.take()
    }
}

/// The outcome an input is told about: acknowledged, or rejected with
/// the reason.
pub type AckResult = Result<(), String>;

/// A batch on its way through the pipeline.
#[derive(Debug)]
pub struct Transaction {
    /// The messages.
    pub batch: Batch,
    /// The response store of an input that can answer, else `None`.
    pub store: Option<Arc<ResponseStore>>,
    /// Tells the input how it ended. Dropping it unanswered reads as a
    /// rejection.
    pub ack: oneshot::Sender<AckResult>,
}

impl Transaction {
    /// A transaction and the receiver its input awaits.
    pub fn new(
        batch: Batch,
        store: Option<Arc<ResponseStore>>,
    ) -> (Transaction, oneshot::Receiver<AckResult>) {
        let (ack, done) = oneshot::channel();
        (Transaction { batch, store, ack }, done)
    }

    /// Reports the outcome to the input.
    pub fn finish(self, result: AckResult) {
        // The input may have given up waiting (a timed-out request); that
        // is not an error here.
        let _ = self.ack.send(result);
    }
}
