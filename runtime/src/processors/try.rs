//! The `try` processor: its processors run on each message of the batch
//! as a batch of its own, and a message flagged with an error (before the
//! `try`, or by one of its processors) skips every processor after that.
//! Messages come out in the order they went in.
//!
//! As in Benthos, each processor runs over all the messages before the
//! next one starts, and when a processor splits a message into a batch,
//! the first message of that batch decides whether the batch goes on.

use crate::component::{
    Batch, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, Batches,
};
use crate::config::types::ProcessorNode;
use std::sync::Arc;

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Vec<ProcessorNode>>(
        "try",
        "Runs processors on each message until one of them fails it; failed messages skip the rest.",
        build,
    );
}

fn build(list: Vec<ProcessorNode>, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    Ok(Arc::new(Try {
        processors: ctx.processors(&list)?,
    }))
}

/// A built `try`.
#[derive(Debug)]
pub struct Try {
    processors: Vec<Arc<dyn Processor>>,
}

impl Processor for Try {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            // One part per message, kept in order through every step.
            let mut parts: Vec<Batch> = batch.into_iter().map(|m| vec![m]).collect();
            for processor in &self.processors {
                let mut next = Vec::with_capacity(parts.len());
                for part in parts {
                    if part.first().is_some_and(|m| m.error().is_some()) {
                        next.push(part);
                        continue;
                    }
                    next.extend(
                        processor
                            .process(part, ctx)
                            .await
                            .into_iter()
                            .filter(|b| !b.is_empty()),
                    );
                }
                parts = next;
                if parts.is_empty() {
                    break;
                }
            }
            super::one(parts.into_iter().flatten().collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Try;
    use crate::component::{Batch, Batches, BoxFuture, ProcessCtx, Processor};
    use crate::testing::{batch, contents, processor, run_one};
    use std::sync::Arc;
    use tarn_lang::Message;

    #[tokio::test]
    async fn a_failed_message_skips_the_remaining_processors_others_go_on_in_order() {
        let p = processor(
            r#"try:
  - mapping: 'root = if content() == "bad" { throw("boom") } else { content() + "1" }'
  - mapping: 'root = content() + "2"'
  - mapping: 'root = if content() == "b12" { throw("late") } else { content() + "3" }'
"#,
        );
        let out = run_one(&*p, batch(&["a", "bad", "b", "c"])).await;
        assert_eq!(contents(&out), ["a123", "bad", "b12", "c123"]);
        assert!(out[1].error().unwrap_or_default().contains("boom"));
        assert!(out[2].error().unwrap_or_default().contains("late"));
        assert!(out[0].error().is_none() && out[3].error().is_none());
    }

    #[tokio::test]
    async fn a_message_failed_before_the_try_runs_nothing() {
        let p = processor("try:\n  - mapping: 'root = \"changed\"'\n");
        let mut input = batch(&["failed", "fine"]);
        input[0].set_error(Some("earlier".into()));
        let out = run_one(&*p, input).await;
        assert_eq!(contents(&out), ["failed", "changed"]);
        assert_eq!(out[0].error(), Some("earlier"));
    }

    #[tokio::test]
    async fn deleted_messages_leave_the_batch_and_an_empty_try_passes_everything() {
        let p = processor(
            "try:\n  - mapping: 'root = if content() == \"x\" { deleted() } else { content() }'\n  - mapping: 'root = content().uppercase()'\n",
        );
        let out = run_one(&*p, batch(&["a", "x", "b"])).await;
        assert_eq!(contents(&out), ["A", "B"]);
        let out = run_one(&*p, batch(&["x"])).await;
        assert!(out.is_empty());
        let p = processor("try: []\n");
        assert_eq!(contents(&run_one(&*p, batch(&["a", "b"])).await), ["a", "b"]);
    }

    #[tokio::test]
    async fn each_message_runs_as_a_batch_of_one() {
        let p = processor("try:\n  - mapping: 'root = \"%v/%v\".format(batch_index(), batch_size())'\n");
        let out = run_one(&*p, batch(&["a", "b", "c"])).await;
        assert_eq!(contents(&out), ["0/1", "0/1", "0/1"]);
    }

    /// Splits `a,b` into two messages, failing those that are `!`.
    #[derive(Debug)]
    struct Split;

    impl Processor for Split {
        fn process<'a>(&'a self, batch: Batch, _: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
            Box::pin(async move {
                let mut out = Batches::new();
                for m in batch {
                    let text = String::from_utf8_lossy(m.content().as_bytes()).into_owned();
                    out.push(
                        text.split(',')
                            .map(|s| {
                                let mut m = Message::new(s.as_bytes());
                                if s == "!" {
                                    m.set_error(Some("bang".into()));
                                }
                                m
                            })
                            .collect(),
                    );
                }
                out
            })
        }
    }

    #[tokio::test]
    async fn a_split_batch_goes_on_unless_its_first_message_failed() {
        let upper = processor("mapping: 'root = content().uppercase()'");
        let p = Try {
            processors: vec![Arc::new(Split), upper],
        };
        let out = run_one(&p, batch(&["a,!", "!,b", "c"])).await;
        assert_eq!(contents(&out), ["A", "!", "!", "b", "C"]);
    }
}
