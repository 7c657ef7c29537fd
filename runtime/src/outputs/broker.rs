//! The `broker` output: sends batches to several outputs with a fan-out
//! or balancing pattern (runtime.md §5).

use super::batched::batched;
use crate::component::batching::BatchingConfig;
use crate::component::{Batch, BoxFuture, Build, BuildError, Error, Output, Registry, WriteCtx};
use crate::config::types::OutputNode;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How a broker spreads batches over its outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// Every output in parallel, each retrying until it succeeds.
    #[default]
    FanOut,
    /// Every output in parallel; the first failure rejects the batch.
    FanOutFailFast,
    /// Every output in turn, each retrying until it succeeds.
    FanOutSequential,
    /// Every output in turn; the first failure rejects the batch.
    FanOutSequentialFailFast,
    /// One output per batch, in turn.
    RoundRobin,
    /// One output per batch: the one with the fewest writes in flight.
    Greedy,
}

impl Pattern {
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

fn one() -> usize {
    1
}

/// The `broker` output's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How many copies of the list of outputs to run.
    #[serde(default = "one")]
    pub copies: usize,
    /// How batches are spread over the outputs.
    #[serde(default)]
    pub pattern: Pattern,
    /// The outputs.
    pub outputs: Vec<OutputNode>,
    /// Gather messages into batches before they are spread.
    #[serde(default)]
    pub batching: BatchingConfig,
}

/// Registers the output.
pub fn register(r: &mut Registry) {
    r.output::<Config>(
        "broker",
        "Sends messages to several outputs with a fan-out or balancing pattern.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Output>, BuildError> {
    if cfg.outputs.is_empty() {
        return Err(ctx.field_error("outputs", "at least one output is needed"));
    }
    if cfg.copies == 0 {
        return Err(ctx.field_error("copies", "at least one copy is needed"));
    }
    let mut outputs = Vec::with_capacity(cfg.outputs.len() * cfg.copies);
    for _ in 0..cfg.copies {
        for raw in &cfg.outputs {
            outputs.push(ctx.output(raw)?);
        }
    }
    let policy = cfg.batching.build(ctx)?;
    let in_flight = outputs.iter().map(|_| AtomicUsize::new(0)).collect();
    let broker = Arc::new(Broker {
        pattern: cfg.pattern,
        outputs,
        turn: AtomicUsize::new(0),
        in_flight,
    });
    Ok(batched(broker, policy))
}

/// The longest pause between retries of a failing output.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(5);

#[derive(Debug)]
struct Broker {
    pattern: Pattern,
    outputs: Vec<Arc<dyn Output>>,
    turn: AtomicUsize,
    in_flight: Vec<AtomicUsize>,
}

/// Writes to one output, retrying with a growing pause when `retry`.
async fn write_child(
    child: &dyn Output,
    batch: Batch,
    ctx: WriteCtx,
    retry: bool,
) -> Result<(), Error> {
    let mut pause = Duration::from_millis(50);
    loop {
        match child.write(batch.clone(), ctx.clone()).await {
            Ok(()) => return Ok(()),
            Err(e) if !retry => return Err(e),
            Err(e) => {
                crate::log::warn(&format!(
                    "broker: an output failed, retrying in {pause:?}: {e}"
                ));
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
            }
        }
    }
}

impl Broker {
    /// The output the next batch goes to.
    fn pick(&self) -> usize {
        match self.pattern {
            Pattern::Greedy => self
                .in_flight
                .iter()
                .enumerate()
                .min_by_key(|(_, n)| n.load(Ordering::Relaxed))
                .map_or(0, |(i, _)| i),
            _ => self.turn.fetch_add(1, Ordering::Relaxed) % self.outputs.len().max(1),
        }
    }
}

impl Output for Broker {
    fn connect(&self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            for o in &self.outputs {
                o.connect().await?;
            }
            Ok(())
        })
    }

    fn write<'a>(&'a self, batch: Batch, ctx: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            if matches!(self.pattern, Pattern::RoundRobin | Pattern::Greedy) {
                let i = self.pick();
                let Some(child) = self.outputs.get(i) else {
                    return Err(Error::fatal("the broker has no outputs"));
                };
                let counter = &self.in_flight[i];
                counter.fetch_add(1, Ordering::Relaxed);
                let result = write_child(child.as_ref(), batch, ctx, true).await;
                counter.fetch_sub(1, Ordering::Relaxed);
                return result;
            }
            let retry = self.pattern.retries();
            if self.pattern.parallel() {
                let writes = self
                    .outputs
                    .iter()
                    .map(|o| write_child(o.as_ref(), batch.clone(), ctx.clone(), retry));
                let fail_fast = self.pattern == Pattern::FanOutFailFast;
                first_error(writes, fail_fast).await
            } else {
                for o in &self.outputs {
                    write_child(o.as_ref(), batch.clone(), ctx.clone(), retry).await?;
                }
                Ok(())
            }
        })
    }

    fn flush(&self, when: crate::component::Flush) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            for o in &self.outputs {
                o.flush(when).await;
            }
        })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            for o in &self.outputs {
                o.close().await;
            }
        })
    }

    fn max_in_flight(&self) -> usize {
        self.outputs
            .iter()
            .map(|o| o.max_in_flight())
            .max()
            .unwrap_or(1)
    }
}

/// Runs the writes concurrently: the first error (at once when
/// `fail_fast`, else after all finished), or success.
async fn first_error<F: std::future::Future<Output = Result<(), Error>>>(
    writes: impl Iterator<Item = F>,
    fail_fast: bool,
) -> Result<(), Error> {
    use futures_util::StreamExt;
    let mut all: futures_util::stream::FuturesUnordered<F> = writes.collect();
    let mut first = None;
    while let Some(result) = all.next().await {
        if let Err(e) = result {
            if fail_fast {
                return Err(e);
            }
            first.get_or_insert(e);
        }
    }
    first.map_or(Ok(()), Err)
}
