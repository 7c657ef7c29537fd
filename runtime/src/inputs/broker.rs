//! The `broker` input: several inputs (each `copies` times) read at once
//! and merged into one stream, optionally batched.

use crate::component::batching::{Batcher, BatchingConfig};
use crate::component::{InputProcessing, BoxFuture, Build, BuildError, Error, ErrorKind, Input, Registry, Transaction};
use crate::config::types::InputNode;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinSet;

fn one() -> usize {
    1
}

/// The `broker` input's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The inputs to read from.
    pub inputs: Vec<InputNode>,
    /// How many copies of each input to run.
    #[serde(default = "one")]
    pub copies: usize,
    /// Gather messages of the inputs into batches.
    #[serde(default)]
    pub batching: BatchingConfig,
}

/// Registers the input.
pub fn register(r: &mut Registry) {
    r.input::<Config>(
        "broker",
        "Reads several inputs at once and merges their messages into one stream.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Box<dyn Input>, BuildError> {
    if cfg.inputs.is_empty() {
        return Err(ctx.field_error("inputs", "at least one input is needed"));
    }
    if cfg.copies == 0 {
        return Err(ctx.field_error("copies", "at least one copy is needed"));
    }
    let mut children = Vec::with_capacity(cfg.inputs.len() * cfg.copies);
    for _ in 0..cfg.copies {
        for raw in &cfg.inputs {
            children.push(ctx.input(raw)?);
        }
    }
    let batcher = cfg.batching.build(ctx)?.map(Batcher::new);
    let processors = batcher
        .as_ref()
        .map(|b| b.processors().to_vec())
        .unwrap_or_default();
    Ok(Box::new(Broker {
        children,
        running: None,
        batcher,
        processing: InputProcessing::new(processors),
    }))
}

/// The children's tasks, once started.
#[derive(Debug)]
struct Running {
    rx: mpsc::Receiver<Transaction>,
    stop: watch::Sender<bool>,
    /// Told when a child's source has ended and it waits for acks.
    draining: Arc<Notify>,
    /// Dropped with the broker, which aborts the children.
    _tasks: JoinSet<()>,
}

#[derive(Debug)]
struct Broker {
    /// Children not started yet.
    children: Vec<Box<dyn Input>>,
    running: Option<Running>,
    batcher: Option<Batcher>,
    /// The batching policy's processors, run on each flushed batch.
    processing: InputProcessing<Transaction>,
}

/// Reads one child until it ends or the broker stops.
async fn pump(
    mut child: Box<dyn Input>,
    tx: mpsc::Sender<Transaction>,
    mut stop: watch::Receiver<bool>,
    draining: Arc<Notify>,
) {
    let mut pause = Duration::from_millis(50);
    loop {
        let connected = tokio::select! {
            r = child.connect() => r,
            () = crate::component::stopped(&mut stop) => break,
        };
        if let Err(e) = connected {
            crate::log::error(&format!("broker input: connecting a child: {e}"));
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = crate::component::stopped(&mut stop) => break,
            }
            pause = (pause * 2).min(Duration::from_secs(5));
            continue;
        }
        let mut closing = false;
        loop {
            let read = tokio::select! {
                r = child.read() => r,
                () = crate::component::stopped(&mut stop), if !closing => {
                    // What the child still holds is read to its end.
                    child.close().await;
                    closing = true;
                    continue;
                }
            };
            match read {
                Ok(t) => {
                    if tx.send(t).await.is_err() {
                        child.close().await;
                        return;
                    }
                }
                // A child waiting for its acks keeps being read (even
                // while closing: replays may come); the broker passes the
                // signal on.
                Err(e) if e.kind == ErrorKind::Draining => draining.notify_one(),
                Err(_) if closing => return,
                Err(e) if e.kind == ErrorKind::EndOfInput => {
                    child.close().await;
                    return;
                }
                Err(e) if e.kind == ErrorKind::NotConnected => break,
                Err(e) => {
                    crate::log::error(&format!("broker input: {e}"));
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }
    child.close().await;
}

impl Broker {
    fn start(&mut self) -> &mut Running {
        self.running.get_or_insert_with(|| {
            let (tx, rx) = mpsc::channel(self.children.len().max(1) * 4);
            let (stop, stop_rx) = watch::channel(false);
            let mut tasks = JoinSet::new();
            let draining = Arc::new(Notify::new());
            for child in self.children.drain(..) {
                tasks.spawn(pump(child, tx.clone(), stop_rx.clone(), draining.clone()));
            }
            Running {
                rx,
                stop,
                draining,
                _tasks: tasks,
            }
        })
    }
}

impl Input for Broker {
    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            self.start();
            let Some(batcher) = &mut self.batcher else {
                let running = self.start();
                return tokio::select! {
                    biased;
                    t = running.rx.recv() => t.ok_or_else(Error::end_of_input),
                    () = running.draining.notified() => Err(Error::draining()),
                };
            };
            // A batch whose read was cancelled mid-processing first.
            if let Some((out, responses, mut t)) = self.processing.finish().await {
                // The batch stays one transaction: a split joins back up.
                t.batch = out.into_iter().flatten().collect();
                t.responses = responses;
                return Ok(t);
            }
            let Some(running) = &mut self.running else {
                return Err(Error::end_of_input());
            };
            loop {
                let deadline = batcher.deadline();
                let next = tokio::select! {
                    biased;
                    t = running.rx.recv() => Some(t),
                    () = sleep_until(deadline), if deadline.is_some() => None,
                    // A child waits for its acks: what is gathered goes
                    // now, and the signal goes on when nothing is.
                    () = running.draining.notified() => {
                        if batcher.is_empty() {
                            return Err(Error::draining());
                        }
                        None
                    }
                };
                match next {
                    Some(Some(t)) => {
                        if batcher.add(t) {
                            break;
                        }
                    }
                    // Every child has ended: flush what is left.
                    Some(None) => {
                        if batcher.is_empty() {
                            return Err(Error::end_of_input());
                        }
                        break;
                    }
                    None => break,
                }
            }
            let mut t = batcher.take().ok_or_else(Error::end_of_input)?;
            if self.processing.is_empty() {
                return Ok(t);
            }
            let batch = std::mem::take(&mut t.batch);
            let responses = std::mem::take(&mut t.responses);
            self.processing.start(batch, responses, t);
            let (out, responses, mut t) = self
                .processing
                .finish()
                .await
                .ok_or_else(Error::end_of_input)?;
            t.batch = out.into_iter().flatten().collect();
            t.responses = responses;
            Ok(t)
        })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Children not started never will be; started ones are told to
            // close and their last messages are still read.
            self.children.clear();
            if let Some(running) = &mut self.running {
                let _ = running.stop.send(true);
            }
        })
    }
}

/// Sleeps until `deadline` (for ever without one).
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
