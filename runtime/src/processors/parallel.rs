//! The `parallel` processor: like `for_each`, its processors run on each
//! message of the batch as a batch of one, but on all the messages at
//! once (at most `cap` at a time when `cap` is above zero). The results
//! come out in the order of the messages they came from. The overlap helps
//! processors that wait (an HTTP call); each message in flight has its
//! own mapping VM.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, run_processors,
};
use crate::config::types::ProcessorNode;
use futures_util::StreamExt;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::Vm;

/// The `parallel` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The most messages processed at the same time; 0 means all the
    /// messages of the batch.
    #[serde(default)]
    pub cap: i64,
    /// What runs on each message.
    pub processors: Vec<ProcessorNode>,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "parallel",
        "Runs processors on each message of a batch as a batch of one, all messages at the same time.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let Ok(cap) = usize::try_from(cfg.cap) else {
        return Err(ctx.field_error(
            "cap",
            format!("must be 0 (no limit) or more, got {}", cfg.cap),
        ));
    };
    Ok(Arc::new(Parallel {
        cap,
        processors: ctx.processors(&cfg.processors)?,
    }))
}

#[derive(Debug)]
struct Parallel {
    /// 0: no limit.
    cap: usize,
    processors: Vec<Arc<dyn Processor>>,
}

impl Processor for Parallel {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            if batch.is_empty() {
                return Batches::new();
            }
            let limit = match self.cap {
                0 => batch.len(),
                cap => cap.min(batch.len()),
            };
            let responses = ctx.responses;
            let parts: Vec<Batch> = futures_util::stream::iter(batch)
                .map(|msg| async move {
                    let mut vm = Vm::new();
                    let mut own = ProcessCtx {
                        vm: &mut vm,
                        responses,
                    };
                    let mut one = Batches::new();
                    one.push(vec![msg]);
                    let out: Batch = run_processors(&self.processors, one, &mut own)
                        .await
                        .into_iter()
                        .flatten()
                        .collect();
                    out
                })
                .buffered(limit)
                .collect()
                .await;
            super::one(parts.into_iter().flatten().collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Parallel;
    use crate::component::registry::Kind;
    use crate::component::{Batch, Batches, BoxFuture, ProcessCtx, Processor};
    use crate::testing::{batch, build, contents, processor, run_one};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Notify;

    #[tokio::test]
    async fn each_message_runs_alone_and_results_keep_the_batch_order() {
        let p = processor(
            r#"parallel:
  cap: 2
  processors:
    - mapping: 'root = if content() == "x" { deleted() } else if content() == "bad" { throw("boom") } else { "%s %v/%v".format(content(), batch_index(), batch_size()) }'
"#,
        );
        let out = run_one(&*p, batch(&["a", "x", "bad", "b", "c"])).await;
        assert_eq!(contents(&out), ["a 0/1", "bad", "b 0/1", "c 0/1"]);
        assert!(out[1].error().unwrap_or_default().contains("boom"));
    }

    /// Waits until `expected` messages are inside at the same time (or
    /// the batch can never get there), counting the most seen at once.
    #[derive(Debug)]
    struct Gate {
        inside: AtomicUsize,
        most: AtomicUsize,
        expected: usize,
        open: Notify,
    }

    impl Processor for Gate {
        fn process<'a>(&'a self, batch: Batch, _: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
            Box::pin(async move {
                let now = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
                self.most.fetch_max(now, Ordering::SeqCst);
                if now >= self.expected {
                    self.open.notify_waiters();
                } else {
                    self.open.notified().await;
                }
                self.inside.fetch_sub(1, Ordering::SeqCst);
                let mut out = Batches::new();
                out.push(batch);
                out
            })
        }
    }

    #[tokio::test]
    async fn messages_overlap_up_to_the_cap() {
        // Three messages that each wait for the others: only possible when
        // all three are in flight together.
        let gate = Arc::new(Gate {
            inside: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            expected: 3,
            open: Notify::new(),
        });
        let p = Parallel {
            cap: 0,
            processors: vec![gate.clone()],
        };
        let out = run_one(&p, batch(&["a", "b", "c"])).await;
        assert_eq!(contents(&out), ["a", "b", "c"]);
        assert_eq!(gate.most.load(Ordering::SeqCst), 3);
        // With a cap of one, they pass one at a time (each opens its own
        // gate, as one is all there will ever be).
        let gate = Arc::new(Gate {
            inside: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            expected: 1,
            open: Notify::new(),
        });
        let p = Parallel {
            cap: 1,
            processors: vec![gate.clone()],
        };
        assert_eq!(contents(&run_one(&p, batch(&["a", "b"])).await), ["a", "b"]);
        assert_eq!(gate.most.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_negative_cap_is_refused() {
        let err = build(Kind::Processor, "parallel:\n  cap: -1\n  processors: []\n", "")
            .expect_err("negative");
        assert!(err.contains("cap"), "{err}");
    }
}
