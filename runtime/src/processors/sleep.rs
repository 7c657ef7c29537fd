//! The `sleep` processor: waits for a duration before passing the batch
//! on. As Benthos (v4) does, the duration is interpolated and waited for
//! once per message of the batch, one after another; a duration that
//! cannot be computed or read is logged and skipped (the message is not
//! flagged). Waiting is a timer on the async runtime, never a blocked
//! worker thread.

use crate::component::{Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry};
use crate::config::duration::parse_duration;
use crate::config::types::Interp;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The `sleep` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How long to wait for each message, a duration such as `500ms`,
    /// interpolated per message.
    pub duration: Interp,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "sleep",
        "Waits for an interpolated duration for each message of a batch.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    // A literal duration can be checked now.
    if cfg.duration.get().is_static() && parse_duration(cfg.duration.source()).is_none() {
        return Err(ctx.field_error(
            "duration",
            format!(
                "expected a duration such as 5s or 1m30s, found `{}`",
                cfg.duration.source()
            ),
        ));
    }
    let source = ctx.error_source();
    Ok(Arc::new(Sleep {
        duration: cfg.duration,
        label: source.label,
        path: source.path,
    }))
}

/// A built `sleep` processor.
#[derive(Debug)]
struct Sleep {
    duration: Interp,
    label: String,
    path: String,
}

impl Sleep {
    /// The wait for message `i`, or `None` (logged) when there is none.
    fn period(&self, vm: &mut tarn_lang::Vm, batch: &[tarn_lang::Message], i: usize) -> Option<Duration> {
        let problem = match self.duration.render(vm, batch, i) {
            Ok(text) => match parse_duration(&text) {
                Some(d) => return Some(d),
                None => format!("failed to parse duration: invalid duration {text:?}"),
            },
            Err(e) => format!("period interpolation error: {e}"),
        };
        crate::log::error_with(&[("label", &self.label), ("path", &self.path)], &problem);
        None
    }
}

impl Processor for Sleep {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            for i in 0..batch.len() {
                if let Some(period) = self.period(ctx.vm, &batch, i) {
                    tokio::time::sleep(period).await;
                }
            }
            super::one(batch)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::component::registry::Kind;
    use crate::testing::{batch, build, contents, processor, run_one};
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn waits_once_per_message_with_its_own_duration() {
        let p = processor("sleep: {duration: '${! content() }'}");
        let started = Instant::now();
        let out = run_one(&*p, batch(&["30ms", "40ms", "not a duration"])).await;
        assert_eq!(contents(&out), ["30ms", "40ms", "not a duration"]);
        assert!(out.iter().all(|m| m.error().is_none()), "bad durations are only logged");
        assert!(started.elapsed() >= Duration::from_millis(70), "30ms + 40ms");
    }

    #[tokio::test]
    async fn waiting_leaves_the_runtime_free() {
        let p = processor("sleep: {duration: 1h}");
        let waiting = tokio::spawn(async move { run_one(&*p, batch(&["a"])).await });
        let other = tokio::spawn(async { 7 });
        assert_eq!(other.await.expect("runs"), 7);
        assert!(!waiting.is_finished());
        waiting.abort();
    }

    #[test]
    fn a_literal_duration_is_checked_when_built() {
        let err = build(Kind::Processor, "sleep: {duration: soon}", "").expect_err("bad");
        assert!(err.contains("test.sleep.duration: expected a duration"), "{err}");
        assert!(build(Kind::Processor, "sleep: {}", "").is_err(), "duration is required");
    }
}
