//! Outputs: where batches go. A write resolves only when the batch is
//! safely delivered; its result becomes the transaction's acknowledgement.

use crate::processor::{Processor, run_all};
use crate::txn::{AckResult, Batch, ResponseStore};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tarn_lang::{Interpolation, Vm};
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

/// How a broker spreads batches over its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Every child in parallel, each retrying until it succeeds.
    FanOut,
    /// Every child in parallel; the first failure rejects the batch.
    FanOutFailFast,
    /// Every child in turn, each retrying until it succeeds.
    FanOutSequential,
    /// Every child in turn; the first failure rejects the batch.
    FanOutSequentialFailFast,
    /// One child per batch, in turn.
    RoundRobin,
    /// One child per batch: the one with the fewest writes in flight.
    Greedy,
}

impl Pattern {
    /// The pattern named in the config.
    pub fn from_name(name: &str) -> Option<Pattern> {
        Some(match name {
            "fan_out" => Pattern::FanOut,
            "fan_out_fail_fast" => Pattern::FanOutFailFast,
            "fan_out_sequential" => Pattern::FanOutSequential,
            "fan_out_sequential_fail_fast" => Pattern::FanOutSequentialFailFast,
            "round_robin" => Pattern::RoundRobin,
            "greedy" => Pattern::Greedy,
            _ => return None,
        })
    }

    fn retries(self) -> bool {
        !matches!(
            self,
            Pattern::FanOutFailFast | Pattern::FanOutSequentialFailFast
        )
    }

    fn parallel(self) -> bool {
        matches!(self, Pattern::FanOut | Pattern::FanOutFailFast)
    }
}

/// One configured output.
#[derive(Debug)]
pub enum Output {
    /// Lines on standard output.
    Stdout,
    /// Appends lines to a file whose path may be interpolated.
    File {
        /// The path, per message.
        path: Interpolation,
        /// Serialises writes.
        lock: Mutex<()>,
    },
    /// Accepts and discards.
    Drop,
    /// Answers the input that produced the batch.
    SyncResponse,
    /// Several outputs.
    Broker {
        /// How batches are spread.
        pattern: Pattern,
        /// The children.
        outputs: Vec<Arc<Output>>,
        /// Writes in flight per child, and the round-robin turn.
        load: BrokerLoad,
    },
    /// Sends each message to an HTTP server.
    HttpClient(Arc<crate::http_client::HttpClient>),
    /// An output with its own processors in front.
    WithProcessors {
        /// Run first, on a copy of the batch.
        processors: Vec<Processor>,
        /// Then this output.
        inner: Arc<Output>,
    },
    /// An output counted in `/metrics` under its label and path.
    Observed(Arc<Output>, crate::metrics::OutputMetrics),
}

/// The longest pause between retries of a failing broker child.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(5);

impl Output {
    /// Writes a batch and resolves once it is delivered.
    pub fn write<'a>(
        self: &'a Arc<Self>,
        batch: Batch,
        store: Option<Arc<ResponseStore>>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = AckResult> + Send + 'a>> {
        Box::pin(async move {
            match &**self {
                Output::Stdout => {
                    let mut out = Vec::new();
                    for m in &batch {
                        out.extend_from_slice(m.content().as_bytes());
                        out.push(b'\n');
                    }
                    let mut stdout = tokio::io::stdout();
                    stdout.write_all(&out).await.map_err(|e| e.to_string())?;
                    stdout.flush().await.map_err(|e| e.to_string())
                }
                Output::File { path, lock } => {
                    let _guard = lock.lock().await;
                    let mut vm = Vm::new();
                    for (i, m) in batch.iter().enumerate() {
                        let target = path
                            .render(&mut vm, &batch, i)
                            .map_err(|e| format!("file path: {e}"))?;
                        let mut f = tokio::fs::OpenOptions::new()
                            .create(true)
                            .append(true)
                            .open(&target)
                            .await
                            .map_err(|e| format!("open {target}: {e}"))?;
                        let mut line = m.content().as_bytes().to_vec();
                        line.push(b'\n');
                        f.write_all(&line).await.map_err(|e| e.to_string())?;
                        f.sync_data().await.map_err(|e| e.to_string())?;
                    }
                    Ok(())
                }
                Output::Drop => Ok(()),
                Output::SyncResponse => {
                    if let Some(store) = store {
                        store.set(batch);
                    }
                    Ok(())
                }
                Output::HttpClient(client) => client.write(batch, store).await,
                Output::Broker {
                    pattern,
                    outputs,
                    load,
                } => broker_write(*pattern, outputs, load, batch, store).await,
                Output::WithProcessors { processors, inner } => {
                    let mut vm = Vm::new();
                    let batch = run_all(processors, &mut vm, batch, store.as_deref());
                    if batch.is_empty() {
                        return Ok(());
                    }
                    inner.write(batch, store).await
                }
                Output::Observed(inner, metrics) => {
                    metrics
                        .observe(batch.len(), inner.write(batch, store))
                        .await
                }
            }
        })
    }
}

/// Writes to one child, retrying with a growing pause when asked to.
async fn write_child(
    child: Arc<Output>,
    batch: Batch,
    store: Option<Arc<ResponseStore>>,
    retry: bool,
) -> AckResult {
    let mut pause = Duration::from_millis(50);
    loop {
        match child.write(batch.clone(), store.clone()).await {
            Ok(()) => return Ok(()),
            Err(e) if !retry => return Err(e),
            Err(_) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
            }
        }
    }
}

/// The state a balancing broker keeps.
#[derive(Debug, Default)]
pub struct BrokerLoad {
    turn: AtomicUsize,
    in_flight: Vec<AtomicUsize>,
}

impl BrokerLoad {
    /// State for a broker of `children` outputs.
    pub fn new(children: usize) -> BrokerLoad {
        BrokerLoad {
            turn: AtomicUsize::new(0),
            in_flight: (0..children).map(|_| AtomicUsize::new(0)).collect(),
        }
    }

    /// The child the next batch goes to.
    fn pick(&self, pattern: Pattern, children: usize) -> usize {
        match pattern {
            Pattern::Greedy => self
                .in_flight
                .iter()
                .enumerate()
                .min_by_key(|(_, n)| n.load(Ordering::Relaxed))
                .map_or(0, |(i, _)| i),
            _ => self.turn.fetch_add(1, Ordering::Relaxed) % children.max(1),
        }
    }
}

async fn broker_write(
    pattern: Pattern,
    outputs: &[Arc<Output>],
    load: &BrokerLoad,
    batch: Batch,
    store: Option<Arc<ResponseStore>>,
) -> AckResult {
    if matches!(pattern, Pattern::RoundRobin | Pattern::Greedy) {
        let i = load.pick(pattern, outputs.len());
        let Some(child) = outputs.get(i) else {
            return Err("the broker has no outputs".into());
        };
        let counter = load.in_flight.get(i);
        if let Some(c) = counter {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let result = write_child(child.clone(), batch, store, true).await;
        if let Some(c) = counter {
            c.fetch_sub(1, Ordering::Relaxed);
        }
        return result;
    }
    if pattern.parallel() {
        let mut tasks = tokio::task::JoinSet::new();
        for child in outputs {
            tasks.spawn(write_child(
                child.clone(),
                batch.clone(),
                store.clone(),
                pattern.retries(),
            ));
        }
        let mut first_error = None;
        while let Some(joined) = tasks.join_next().await {
            let result = joined.unwrap_or_else(|e| Err(format!("output task failed: {e}")));
            if let Err(e) = result
                && first_error.is_none()
            {
                first_error = Some(e);
                if pattern == Pattern::FanOutFailFast {
                    tasks.abort_all();
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    } else {
        for child in outputs {
            write_child(
                child.clone(),
                batch.clone(),
                store.clone(),
                pattern.retries(),
            )
            .await?;
        }
        Ok(())
    }
}
