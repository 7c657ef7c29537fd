//! The `for_each` processor: its processors run on each message of the
//! batch as though it were a batch of one, one message after the other;
//! the results come out in the order of the messages they came from.
//! Useful for processors that work on whole batches (`batch_size()`,
//! `archive`) when they should see one message at a time.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, run_processors,
};
use crate::config::types::ProcessorNode;
use std::sync::Arc;

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Vec<ProcessorNode>>(
        "for_each",
        "Runs processors on each message of a batch as though it were a batch of one.",
        build,
    );
}

fn build(list: Vec<ProcessorNode>, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    Ok(Arc::new(ForEach {
        processors: ctx.processors(&list)?,
    }))
}

#[derive(Debug)]
struct ForEach {
    processors: Vec<Arc<dyn Processor>>,
}

impl Processor for ForEach {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            let mut out = Batch::with_capacity(batch.len());
            for msg in batch {
                let mut one = Batches::new();
                one.push(vec![msg]);
                for b in run_processors(&self.processors, one, ctx).await {
                    out.extend(b);
                }
            }
            super::one(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{batch, contents, processor, run_one};

    #[tokio::test]
    async fn each_message_is_a_batch_of_one_and_order_is_kept() {
        let p = processor(
            "for_each:\n  - mapping: 'root = \"%s %v/%v\".format(content(), batch_index(), batch_size())'\n",
        );
        let out = run_one(&*p, batch(&["a", "b", "c"])).await;
        assert_eq!(contents(&out), ["a 0/1", "b 0/1", "c 0/1"]);
    }

    #[tokio::test]
    async fn failures_are_flagged_and_later_processors_still_run_deletions_leave() {
        let p = processor(
            r#"for_each:
  - mapping: 'root = if content() == "bad" { throw("boom") } else if content() == "gone" { deleted() } else { content() }'
  - mapping: 'root = content() + "!"'
"#,
        );
        let out = run_one(&*p, batch(&["a", "bad", "gone", "b"])).await;
        // Unlike `try`, a failed message still runs the next processor
        // (which, being a mapping, keeps the flag it had).
        assert_eq!(contents(&out), ["a!", "bad!", "b!"]);
        assert!(out[1].error().unwrap_or_default().contains("boom"));
        assert!(out[0].error().is_none() && out[2].error().is_none());
        let out = run_one(&*p, batch(&["gone"])).await;
        assert!(out.is_empty());
    }
}
