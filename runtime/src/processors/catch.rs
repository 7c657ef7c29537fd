//! The `catch` processor: runs its processors on the messages flagged
//! with an error, each as a batch of its own, then clears the flags of
//! everything that leaves. Messages without an error pass unchanged, and
//! the batch keeps its order. A message flagged on the way in runs every
//! processor, even one that a processor clears or sets the flag of.

use crate::component::{Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry};
use crate::config::types::ProcessorNode;
use std::sync::Arc;

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Vec<ProcessorNode>>(
        "catch",
        "Runs processors only on messages flagged with an error, then clears the flag.",
        build,
    );
}

fn build(list: Vec<ProcessorNode>, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    Ok(Arc::new(Catch {
        processors: ctx.processors(&list)?,
    }))
}

#[derive(Debug)]
struct Catch {
    processors: Vec<Arc<dyn Processor>>,
}

impl Processor for Catch {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            if batch.iter().all(|m| m.error().is_none()) {
                return super::one(batch);
            }
            // Each message is a group of its own, in batch order; a group
            // whose message was flagged on the way in runs every
            // processor (each over all the caught groups before the next
            // one, as Benthos does), whatever the processors do to flags.
            let mut groups: Vec<(bool, Batches)> = batch
                .into_iter()
                .map(|m| {
                    let mut one = Batches::new();
                    let caught = m.error().is_some();
                    one.push(vec![m]);
                    (caught, one)
                })
                .collect();
            for processor in &self.processors {
                for (caught, group) in &mut groups {
                    if !*caught || group.is_empty() {
                        continue;
                    }
                    let mut next = Batches::new();
                    for b in std::mem::take(group) {
                        next.extend(processor.process(b, ctx).await.into_iter().filter(|b| !b.is_empty()));
                    }
                    *group = next;
                }
            }
            let out: Batch = groups
                .into_iter()
                .flat_map(|(_, group)| group.into_iter().flatten())
                .map(|mut m| {
                    m.set_error(None);
                    m
                })
                .collect();
            super::one(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{batch, contents, processor, run_one};

    #[tokio::test]
    async fn only_flagged_messages_run_and_leave_cleared_in_order() {
        let p = processor(
            r#"catch:
  - mapping: 'root = "fixed " + content() + " (" + error() + ")"'
  - mapping: 'root = if content().contains("drop") { deleted() } else { content() }'
"#,
        );
        let mut input = batch(&["ok", "bad", "drop me", "fine"]);
        input[1].set_error(Some("e1".into()));
        input[2].set_error(Some("e2".into()));
        let out = run_one(&*p, input).await;
        assert_eq!(contents(&out), ["ok", "fixed bad (e1)", "fine"]);
        assert!(out.iter().all(|m| m.error().is_none()));
    }

    #[tokio::test]
    async fn a_caught_message_runs_every_processor_even_once_its_flag_changes() {
        // The first processor fails again, the second still runs (catch
        // is not `try`), and the flag is cleared at the end.
        let p = processor(
            r#"catch:
  - mapping: 'root = throw("again")'
  - mapping: 'root = content() + " recovered"'
"#,
        );
        let mut input = batch(&["m"]);
        input[0].set_error(Some("first".into()));
        let out = run_one(&*p, input).await;
        assert_eq!(contents(&out), ["m recovered"]);
        assert!(out[0].error().is_none());
    }
}
