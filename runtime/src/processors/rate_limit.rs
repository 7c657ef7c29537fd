//! The `rate_limit` processor: each message waits for an access of a
//! rate limit resource before it goes on, which throttles every pipeline
//! sharing the resource.
//!
//! As in Benthos, messages take one access each, in order; when the rate
//! limit itself fails, the failure is logged and the message tries again
//! a second later. Waiting is a timer on the async runtime, never a
//! blocked worker thread.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, RateLimit, Registry,
};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// How long to wait before trying again after the rate limit failed.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(1);

/// The `rate_limit` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The label of the rate limit resource to wait on.
    pub resource: String,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "rate_limit",
        "Waits on a rate limit resource before passing on each message.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let source = ctx.error_source();
    Ok(Arc::new(Throttle {
        limit: ctx.rate_limit("resource", &cfg.resource)?,
        label: source.label,
        path: source.path,
    }))
}

/// A built `rate_limit` processor.
#[derive(Debug)]
struct Throttle {
    limit: Arc<dyn RateLimit>,
    label: String,
    path: String,
}

impl Throttle {
    /// Returns once the rate limit grants one access.
    async fn wait_for_access(&self) {
        loop {
            let wait = match self.limit.access().await {
                Ok(None) => return,
                Ok(Some(wait)) => wait,
                Err(e) => {
                    crate::log::error_with(
                        &[("label", &self.label), ("path", &self.path)],
                        &format!("failed to access rate limit: {e}"),
                    );
                    RETRY_AFTER_ERROR
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
}

impl Processor for Throttle {
    fn process<'a>(&'a self, batch: Batch, _: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            for _ in 0..batch.len() {
                self.wait_for_access().await;
            }
            super::one(batch)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::Error;
    use crate::component::registry::Kind;
    use crate::testing::{batch, build, contents, processor_with, run_one};
    use std::sync::Mutex;

    const LIMIT: &str = "rate_limit_resources:\n  - label: slow\n    local:\n      count: 2\n      interval: 1h\n";

    /// A third message in a window of two waits for the next window, on
    /// a timer: the runtime (one thread here) keeps running other tasks.
    #[tokio::test]
    async fn messages_over_the_limit_wait_without_blocking_the_runtime() {
        let p = processor_with("rate_limit: {resource: slow}", LIMIT);
        let out = run_one(&*p, batch(&["a", "b"])).await;
        assert_eq!(contents(&out), ["a", "b"], "within the window: at once");
        let waiting = tokio::spawn({
            let p = p.clone();
            async move { run_one(&*p, batch(&["c"])).await }
        });
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        let other = tokio::spawn(async { 7 });
        assert_eq!(other.await.expect("runs"), 7, "the runtime is free");
        assert!(!waiting.is_finished(), "the third message waits for the next hour");
        waiting.abort();
    }

    #[tokio::test]
    async fn a_waiting_message_goes_on_when_the_window_opens() {
        let p = processor_with(
            "rate_limit: {resource: quick}",
            "rate_limit_resources:\n  - label: quick\n    local: {count: 1, interval: 50ms}\n",
        );
        let started = std::time::Instant::now();
        let out = run_one(&*p, batch(&["a", "b", "c"])).await;
        assert_eq!(contents(&out), ["a", "b", "c"]);
        // Three accesses at one per window span at least two windows.
        assert!(started.elapsed() >= Duration::from_millis(100));
    }

    /// A rate limit that fails once, then allows everything.
    #[derive(Debug, Default)]
    struct FailsOnce(Mutex<u32>);

    impl RateLimit for FailsOnce {
        fn access(&self) -> BoxFuture<'_, Result<Option<Duration>, Error>> {
            let mut calls = self.0.lock().expect("lock");
            *calls += 1;
            let first = *calls == 1;
            Box::pin(async move {
                if first {
                    Err(Error::retryable("backend down"))
                } else {
                    Ok(None)
                }
            })
        }
    }

    #[tokio::test]
    async fn a_failing_rate_limit_is_retried_after_a_second() {
        let limit = Arc::new(FailsOnce::default());
        let p = Throttle {
            limit: limit.clone(),
            label: String::new(),
            path: "root.pipeline.processors.0".into(),
        };
        let started = std::time::Instant::now();
        let out = run_one(&p, batch(&["a", "b"])).await;
        assert_eq!(contents(&out), ["a", "b"]);
        assert!(out.iter().all(|m| m.error().is_none()));
        assert_eq!(*limit.0.lock().expect("lock"), 3, "one failure, then one access each");
        assert!(started.elapsed() >= RETRY_AFTER_ERROR);
    }

    #[test]
    fn the_resource_must_be_a_declared_rate_limit() {
        let err = build(Kind::Processor, "rate_limit: {resource: fast}", LIMIT).expect_err("unknown");
        assert!(
            err.contains("test.rate_limit.resource: no rate_limit resource is labelled `fast`"),
            "{err}"
        );
    }
}
