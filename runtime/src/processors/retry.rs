//! The `retry` processor: runs its processors on each message, as a batch
//! of one, and when any message they produce is flagged with an error,
//! runs them again on the message as it was when it arrived (changes made
//! by the failed attempt are thrown away), after an exponential backoff.
//!
//! Benthos semantics: an error the message carries when it arrives is
//! cleared first; the messages of a batch are retried one after the other
//! (or all at once with `parallel`). Retrying stops when an attempt
//! succeeds, when `max_retries` attempts have failed (0: no limit), or
//! when the next pause would end past `backoff.max_elapsed_time` (0s: no
//! limit); the last attempt's messages then go on, still flagged, for
//! the usual error handling. Every message that leaves gets the metadata
//! `retry_count` (failed attempts) and `backoff_duration` (nanoseconds
//! paused in total).

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, run_processors,
};
use crate::config::types::{Duration, ProcessorNode};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::{Message, Value, Vm};
use tokio::time::Instant;

/// The pauses between attempts.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackoffConfig {
    /// The first pause; each later one is 1.5 times longer (with ±50%
    /// jitter).
    #[serde(default = "half_second")]
    pub initial_interval: Duration,
    /// The longest pause.
    #[serde(default = "ten_seconds")]
    pub max_interval: Duration,
    /// Stop retrying once this much time has passed since the first
    /// attempt (0s: never stop).
    #[serde(default = "one_minute")]
    pub max_elapsed_time: Duration,
}

impl Default for BackoffConfig {
    fn default() -> BackoffConfig {
        BackoffConfig {
            initial_interval: half_second(),
            max_interval: ten_seconds(),
            max_elapsed_time: one_minute(),
        }
    }
}

fn half_second() -> Duration {
    Duration::millis(500)
}

fn ten_seconds() -> Duration {
    Duration::secs(10)
}

fn one_minute() -> Duration {
    Duration::secs(60)
}

/// The `retry` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The pauses between attempts.
    #[serde(default)]
    pub backoff: BackoffConfig,
    /// What runs on each message (at least one processor).
    pub processors: Vec<ProcessorNode>,
    /// Retries the messages of a batch all at once instead of one after
    /// the other.
    #[serde(default)]
    pub parallel: bool,
    /// Failed attempts after which the message goes on flagged; 0 means
    /// no limit.
    #[serde(default)]
    pub max_retries: i64,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "retry",
        "Runs processors on each message again, with a backoff, until they no longer fail it.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    if cfg.processors.is_empty() {
        return Err(ctx.field_error(
            "processors",
            "at least one child processor must be specified",
        ));
    }
    let b = &cfg.backoff;
    Ok(Arc::new(Retry {
        processors: ctx.processors(&cfg.processors)?,
        initial: b.initial_interval.0,
        max_interval: b.max_interval.0,
        max_elapsed: b.max_elapsed_time.0,
        parallel: cfg.parallel,
        max_retries: cfg.max_retries,
    }))
}

#[derive(Debug)]
struct Retry {
    processors: Vec<Arc<dyn Processor>>,
    initial: std::time::Duration,
    max_interval: std::time::Duration,
    max_elapsed: std::time::Duration,
    parallel: bool,
    max_retries: i64,
}

/// The growing pauses of one message's retries.
struct Backoff {
    current: std::time::Duration,
    max_interval: std::time::Duration,
    max_elapsed: std::time::Duration,
    started: Instant,
}

/// Each pause is 1.5 times the previous one …
const MULTIPLIER: f64 = 1.5;
/// … give or take half of it.
const JITTER: f64 = 0.5;

impl Backoff {
    /// The pause before the next attempt; `None` when it would end past
    /// `max_elapsed` (when that is set).
    fn next(&mut self) -> Option<std::time::Duration> {
        let elapsed = self.started.elapsed();
        let pause = self.current.mul_f64(1.0 - JITTER + 2.0 * JITTER * random_fraction());
        self.current = self.current.mul_f64(MULTIPLIER).min(self.max_interval);
        if !self.max_elapsed.is_zero() && elapsed + pause > self.max_elapsed {
            return None;
        }
        Some(pause)
    }
}

/// A number in `[0, 1)`, different on every call (jitter only: it needs
/// no strength, just spread).
fn random_fraction() -> f64 {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let bits = std::collections::hash_map::RandomState::new()
        .hash_one(CALLS.fetch_add(1, Ordering::Relaxed));
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

impl Retry {
    /// Runs the processors on `msg` until they stop failing it (or the
    /// limits say stop), and gives the last attempt's messages.
    async fn dispatch(&self, mut msg: Message, ctx: &mut ProcessCtx<'_>) -> Batch {
        msg.set_error(None);
        let mut backoff = Backoff {
            current: self.initial,
            max_interval: self.max_interval,
            max_elapsed: self.max_elapsed,
            started: Instant::now(),
        };
        let mut retries: i64 = 0;
        let mut paused = std::time::Duration::ZERO;
        let results = loop {
            let mut one = Batches::new();
            one.push(vec![msg.clone()]);
            let results = run_processors(&self.processors, one, ctx).await;
            let failed = results.iter().flatten().find_map(Message::error);
            let Some(error) = failed else {
                break results;
            };
            retries += 1;
            if retries == self.max_retries {
                crate::log::debug(&format!(
                    "retry: giving up after {retries} attempts: {error}"
                ));
                break results;
            }
            let Some(pause) = backoff.next() else {
                crate::log::debug(&format!(
                    "retry: giving up, the maximum elapsed time is reached: {error}"
                ));
                break results;
            };
            crate::log::debug(&format!("retry: failed, trying again in {pause:?}: {error}"));
            paused += pause;
            if pause.is_zero() {
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(pause).await;
            }
        };
        let paused = Value::Int(i64::try_from(paused.as_nanos()).unwrap_or(i64::MAX));
        let mut out: Batch = results.into_iter().flatten().collect();
        for m in &mut out {
            let meta = m.meta_mut();
            meta.insert("retry_count", Value::Int(retries));
            meta.insert("backoff_duration", paused.clone());
        }
        out
    }
}

impl Processor for Retry {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            let mut out = Batch::with_capacity(batch.len());
            if self.parallel && batch.len() > 1 {
                // Each message gets its own VM so the attempts can overlap.
                let responses = ctx.responses;
                let attempts = batch.into_iter().map(|msg| async move {
                    let mut vm = Vm::new();
                    let mut own = ProcessCtx {
                        vm: &mut vm,
                        responses,
                    };
                    self.dispatch(msg, &mut own).await
                });
                for part in futures_util::future::join_all(attempts).await {
                    out.extend(part);
                }
            } else {
                for msg in batch {
                    out.extend(self.dispatch(msg, ctx).await);
                }
            }
            super::one(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::component::registry::Kind;
    use crate::testing::{batch, build, contents, processor, run_one};
    use tarn_lang::Value;

    /// A retry that pauses for a millisecond at most.
    fn quick(extra: &str, processors: &str) -> String {
        format!(
            "retry:\n  backoff:\n    initial_interval: 1ms\n    max_interval: 1ms\n    max_elapsed_time: 0s\n{extra}  processors:\n{processors}"
        )
    }

    #[tokio::test]
    async fn reruns_on_the_original_message_until_it_succeeds() {
        // Fails on the first two attempts; the mutation of a failed
        // attempt is thrown away, so `n` is only incremented once.
        let p = processor(&quick(
            "",
            "    - mutation: 'root.n = this.n + 1'\n    - mapping: 'root = if counter() < 3 { throw(\"not yet\") } else { this }'\n",
        ));
        let out = run_one(&*p, batch(&[r#"{"n":1}"#])).await;
        assert_eq!(contents(&out), [r#"{"n":2}"#]);
        assert!(out[0].error().is_none());
        assert_eq!(out[0].meta().get("retry_count"), Some(&Value::Int(2)));
        assert!(matches!(out[0].meta().get("backoff_duration"), Some(Value::Int(n)) if *n > 0));
    }

    #[tokio::test]
    async fn max_retries_lets_the_flagged_message_go_on() {
        let p = processor(&quick(
            "  max_retries: 3\n",
            "    - mapping: 'root = throw(\"down \" + counter().string())'\n",
        ));
        let out = run_one(&*p, batch(&["a"])).await;
        assert_eq!(contents(&out), ["a"]);
        // The third failed attempt is the last one.
        assert!(out[0].error().unwrap_or_default().contains("down 3"), "{:?}", out[0].error());
        assert_eq!(out[0].meta().get("retry_count"), Some(&Value::Int(3)));
    }

    #[tokio::test]
    async fn max_elapsed_time_ends_the_retries() {
        let p = processor(
            "retry:\n  backoff:\n    initial_interval: 1ms\n    max_interval: 1ms\n    max_elapsed_time: 1ns\n  processors:\n    - mapping: 'root = throw(\"down\")'\n",
        );
        let out = run_one(&*p, batch(&["a"])).await;
        assert_eq!(out[0].meta().get("retry_count"), Some(&Value::Int(1)));
        assert_eq!(out[0].meta().get("backoff_duration"), Some(&Value::Int(0)));
        assert!(out[0].error().is_some());
    }

    #[tokio::test]
    async fn an_arriving_error_is_cleared_and_batches_keep_their_order() {
        for parallel in ["", "  parallel: true\n"] {
            let p = processor(&quick(
                parallel,
                "    - mapping: 'root = if content() == \"gone\" { deleted() } else { content() + \"!\" }'\n",
            ));
            let mut input = batch(&["a", "gone", "b", "c"]);
            input[0].set_error(Some("old".into()));
            let out = run_one(&*p, input).await;
            assert_eq!(contents(&out), ["a!", "b!", "c!"], "{parallel}");
            assert!(out.iter().all(|m| m.error().is_none()));
            assert_eq!(out[0].meta().get("retry_count"), Some(&Value::Int(0)));
        }
    }

    #[test]
    fn processors_are_required() {
        let err = build(Kind::Processor, "retry:\n  processors: []\n", "").expect_err("empty");
        assert!(err.contains("at least one child processor"), "{err}");
        let err = build(Kind::Processor, "retry:\n  max_retries: 2\n", "").expect_err("no list");
        assert!(err.contains("processors"), "{err}");
    }
}
