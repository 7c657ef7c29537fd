//! The `while` processor: runs its processors on the whole batch again
//! and again for as long as `check` (run on the batch's first message)
//! returns true. With `at_least_once` the processors run once before the
//! first check, like a do … while loop; `max_loops` (when above zero)
//! caps the loops. The loop ends when the processors leave no message; when
//! they split the batch, the check reads the first batch's first message.
//! A check that fails (or returns something other than a bool) counts as
//! false and is logged.

use super::switch::check_passes;
use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, run_processors,
};
use crate::config::types::{Mapping, ProcessorNode};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::ErrorSource;

/// The `while` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Runs the processors once before the check is first asked.
    #[serde(default)]
    pub at_least_once: bool,
    /// The most loops per batch; 0 (or less) means no limit.
    #[serde(default)]
    pub max_loops: i64,
    /// A mapping returning a bool: whether to loop (again). Required.
    #[serde(default)]
    pub check: Option<Mapping>,
    /// What runs on each loop.
    pub processors: Vec<ProcessorNode>,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "while",
        "Runs processors on a batch again and again while a check on its first message passes.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let Some(check) = cfg.check.filter(|m| !m.is_blank()) else {
        return Err(ctx.field_error("check", "a check query is required"));
    };
    Ok(Arc::new(While {
        at_least_once: cfg.at_least_once,
        max_loops: usize::try_from(cfg.max_loops).unwrap_or(0),
        check,
        processors: ctx.processors(&cfg.processors)?,
        source: ctx.error_source(),
    }))
}

#[derive(Debug)]
struct While {
    at_least_once: bool,
    /// 0: no limit.
    max_loops: usize,
    check: Mapping,
    processors: Vec<Arc<dyn Processor>>,
    source: ErrorSource,
}

impl While {
    fn passes(&self, ctx: &mut ProcessCtx<'_>, batch: &[tarn_lang::Message]) -> bool {
        check_passes(&self.check, ctx.vm, batch, 0).unwrap_or_else(|e| {
            crate::log::error_with(
                &[("label", &self.source.label), ("path", &self.source.path)],
                &format!("query failed for loop: {e}"),
            );
            false
        })
    }
}

impl Processor for While {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            let mut loop_again = self.at_least_once || self.passes(ctx, &batch);
            let mut batches = Batches::new();
            batches.push(batch);
            let mut loops = 0;
            while loop_again {
                if self.max_loops > 0 && loops >= self.max_loops {
                    break;
                }
                batches = run_processors(&self.processors, batches, ctx).await;
                let Some(first) = batches.first() else {
                    break;
                };
                loop_again = self.passes(ctx, first);
                loops += 1;
                // A loop of CPU-only processors never waits: let the
                // worker's other tasks (and shutdown) in between loops.
                tokio::task::yield_now().await;
            }
            batches
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{batch, build, contents, processor, run_one};
    use crate::component::registry::Kind;

    #[tokio::test]
    async fn loops_while_the_check_on_the_first_message_passes() {
        let p = processor(
            "while:\n  check: this.n < 5\n  processors:\n    - mapping: 'root.n = this.n + 1'\n",
        );
        let out = run_one(&*p, batch(&[r#"{"n":1}"#, r#"{"n":0}"#])).await;
        // The first message decides for the whole batch.
        assert_eq!(contents(&out), [r#"{"n":5}"#, r#"{"n":4}"#]);
        let out = run_one(&*p, batch(&[r#"{"n":7}"#])).await;
        assert_eq!(contents(&out), [r#"{"n":7}"#], "not even once");
    }

    #[tokio::test]
    async fn at_least_once_runs_before_the_first_check() {
        let p = processor(
            "while:\n  at_least_once: true\n  check: this.n < 5\n  processors:\n    - mapping: 'root.n = this.n + 1'\n",
        );
        let out = run_one(&*p, batch(&[r#"{"n":7}"#])).await;
        assert_eq!(contents(&out), [r#"{"n":8}"#]);
    }

    #[tokio::test]
    async fn max_loops_caps_an_endless_loop() {
        let p = processor(
            "while:\n  check: 'true'\n  max_loops: 3\n  processors:\n    - mapping: 'root = content() + \"x\"'\n",
        );
        assert_eq!(contents(&run_one(&*p, batch(&["a"])).await), ["axxx"]);
        let p = processor(
            "while:\n  check: 'true'\n  max_loops: 2\n  at_least_once: true\n  processors:\n    - mapping: 'root = content() + \"x\"'\n",
        );
        assert_eq!(contents(&run_one(&*p, batch(&["a"])).await), ["axx"]);
    }

    #[tokio::test]
    async fn deleting_everything_ends_the_loop_and_a_failing_check_is_false() {
        let p = processor(
            "while:\n  check: 'true'\n  processors:\n    - mapping: root = deleted()\n",
        );
        assert!(run_one(&*p, batch(&["a", "b"])).await.is_empty());
        let p = processor(
            "while:\n  at_least_once: true\n  check: this.missing.number() > 1\n  processors:\n    - mapping: 'root = content() + \"x\"'\n",
        );
        assert_eq!(contents(&run_one(&*p, batch(&["a"])).await), ["ax"]);
        let p = processor(
            "while:\n  check: '\"yes\"'\n  processors:\n    - mapping: 'root = content() + \"x\"'\n",
        );
        assert_eq!(contents(&run_one(&*p, batch(&["a"])).await), ["a"]);
    }

    #[test]
    fn the_check_and_processors_are_required() {
        let err = build(Kind::Processor, "while:\n  processors: []\n", "").expect_err("no check");
        assert!(err.contains("a check query is required"), "{err}");
        let err = build(Kind::Processor, "while:\n  check: 'true'\n", "").expect_err("no list");
        assert!(err.contains("processors"), "{err}");
    }
}
