//! The `switch` processor: each message runs through the processors of
//! the first case whose check passes (and of the following cases while
//! they fall through). Messages no case takes pass unchanged.
//!
//! As in Benthos, each case's check runs on the messages no earlier case
//! took, as a batch of their own (`batch_index()` counts within it); a
//! check that fails or returns something other than a bool flags its
//! message, which then skips every case. Every case needs at least one
//! processor. Unlike Benthos, the messages a case takes run its
//! processors one at a time rather than as one batch: Tarn cannot tell
//! which message a result came from once a processor drops or splits
//! messages, and the result must keep the batch's order.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, fail_message,
    run_processors,
};
use crate::config::types::{Mapping, ProcessorNode};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::{Message, Mode, Value, Vm};

/// One case.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// A mapping that returns a bool; empty always passes.
    pub check: Option<Mapping>,
    /// What runs on a message that reaches this case (at least one
    /// processor; `noop` for a case that does nothing).
    #[serde(default)]
    pub processors: Vec<ProcessorNode>,
    /// Whether a message that ran this case goes on to the next one.
    #[serde(default)]
    pub fallthrough: bool,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Vec<Case>>(
        "switch",
        "Runs each message through the processors of the first case whose check passes.",
        build,
    );
}

fn build(cases: Vec<Case>, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let cases = cases
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            if c.processors.is_empty() {
                return Err(ctx.field_error(
                    &i.to_string(),
                    "case has no processors, in order to have a no-op case use a `noop` processor",
                ));
            }
            Ok(BuiltCase {
                check: c.check.filter(|m| !m.is_blank()),
                processors: ctx.processors(&c.processors)?,
                fallthrough: c.fallthrough,
            })
        })
        .collect::<Result<_, BuildError>>()?;
    Ok(Arc::new(Switch {
        cases,
        source: ctx.error_source(),
    }))
}

#[derive(Debug)]
struct BuiltCase {
    check: Option<Mapping>,
    processors: Vec<Arc<dyn Processor>>,
    fallthrough: bool,
}

#[derive(Debug)]
struct Switch {
    cases: Vec<BuiltCase>,
    source: tarn_lang::ErrorSource,
}

/// Runs a `check` on message `index`: `Ok(true)` when it passes.
pub fn check_passes(
    check: &Mapping,
    vm: &mut Vm,
    batch: &[Message],
    index: usize,
) -> Result<bool, String> {
    let outcome = tarn_lang::vm::run(check.program(), vm, batch, index, Mode::Mapping)
        .map_err(|e| e.to_string())?;
    match outcome.root {
        Value::Bool(b) => Ok(b),
        other => Err(format!(
            "expected bool value, got {}",
            tarn_lang::convert::to_display_string(&other)
        )),
    }
}

/// Where a message starts in the switch.
enum Start {
    /// At this case.
    Case(usize),
    /// Nowhere: no case took it, or its check failed (and flagged it).
    Nowhere,
}

impl Switch {
    /// Tests the cases in order, each on the messages no earlier case
    /// took (as a batch of their own, as Benthos does); gives where each
    /// message starts. A check that fails flags its message, which then
    /// skips every case.
    fn route(&self, batch: Batch, vm: &mut Vm) -> Vec<(Message, Start)> {
        let mut routed: Vec<Option<(Message, Start)>> = Vec::new();
        routed.resize_with(batch.len(), || None);
        let mut remaining = batch;
        let mut remaining_at: Vec<usize> = (0..remaining.len()).collect();
        for (c, case) in self.cases.iter().enumerate() {
            if remaining.is_empty() {
                break;
            }
            let verdicts: Vec<Result<bool, String>> = (0..remaining.len())
                .map(|j| match &case.check {
                    None => Ok(true),
                    Some(check) => check_passes(check, vm, &remaining, j),
                })
                .collect();
            let mut left = Vec::new();
            let mut left_at = Vec::new();
            for ((mut msg, at), verdict) in remaining.into_iter().zip(remaining_at).zip(verdicts) {
                match verdict {
                    Ok(true) => routed[at] = Some((msg, Start::Case(c))),
                    Ok(false) => {
                        left.push(msg);
                        left_at.push(at);
                    }
                    Err(e) => {
                        fail_message(&mut msg, e, &self.source);
                        routed[at] = Some((msg, Start::Nowhere));
                    }
                }
            }
            remaining = left;
            remaining_at = left_at;
        }
        for (msg, at) in remaining.into_iter().zip(remaining_at) {
            routed[at] = Some((msg, Start::Nowhere));
        }
        routed.into_iter().flatten().collect()
    }
}

impl Processor for Switch {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            let routed = self.route(batch, ctx.vm);
            // Each message runs its cases on its own, so the result keeps
            // the order of the batch whatever the processors do.
            let mut out = Batch::with_capacity(routed.len());
            for (msg, start) in routed {
                let Start::Case(start) = start else {
                    out.push(msg);
                    continue;
                };
                let mut part = Batches::new();
                part.push(vec![msg]);
                for case in self.cases.iter().skip(start) {
                    part = run_processors(&case.processors, part, ctx).await;
                    if !case.fallthrough || part.is_empty() {
                        break;
                    }
                }
                out.extend(part.into_iter().flatten());
            }
            super::one(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{batch, contents, processor, run_one};

    #[tokio::test]
    async fn the_first_passing_case_runs_and_order_is_kept() {
        let p = processor(
            r#"switch:
  - check: this.n > 5
    processors: [{mapping: 'root = "big " + this.n.string()'}]
  - check: this.n > 2
    processors: [{mapping: 'root = "mid " + this.n.string()'}]
"#,
        );
        let out = run_one(&*p, batch(&[r#"{"n":1}"#, r#"{"n":9}"#, r#"{"n":3}"#])).await;
        assert_eq!(contents(&out), [r#"{"n":1}"#, "big 9", "mid 3"]);
    }

    #[tokio::test]
    async fn fallthrough_runs_the_next_case_regardless_of_its_check() {
        let p = processor(
            r#"switch:
  - check: content() == "a"
    processors: [{mapping: 'root = content() + "1"'}]
    fallthrough: true
  - check: "false"
    processors: [{mapping: 'root = content() + "2"'}]
  - processors: [{mapping: 'root = content() + "3"'}]
"#,
        );
        let out = run_one(&*p, batch(&["a", "b"])).await;
        assert_eq!(contents(&out), ["a12", "b3"]);
    }

    #[tokio::test]
    async fn deleted_messages_go_and_a_failing_check_flags_and_skips_the_rest() {
        let p = processor(
            r#"switch:
  - check: 'if content() == "x" { "yes" } else { false }'
    processors: [{mapping: root = deleted()}]
  - check: content() == "x" || content() == "y"
    processors: [{mapping: root = deleted()}]
"#,
        );
        let out = run_one(&*p, batch(&["x", "y", "z"])).await;
        assert_eq!(contents(&out), ["x", "z"]);
        let err = out[0].error().unwrap_or_default();
        assert!(err.contains("expected bool"), "{err}");
        assert_eq!(out[0].error_source().map(|s| s.name.as_str()), Some("switch"));
        assert!(out[1].error().is_none());
    }

    #[tokio::test]
    async fn each_check_sees_the_messages_no_earlier_case_took() {
        let p = processor(
            r#"switch:
  - check: content() == "a"
    processors: [{noop: {}}]
  - check: batch_index() == 0
    processors: [{mapping: 'root = "first left: " + content()'}]
"#,
        );
        let out = run_one(&*p, batch(&["a", "b", "c"])).await;
        assert_eq!(contents(&out), ["a", "first left: b", "c"]);
    }

    #[test]
    fn a_case_without_processors_is_refused() {
        let err = crate::testing::build(
            crate::component::registry::Kind::Processor,
            "switch:\n  - check: 'true'\n",
            "",
        )
        .expect_err("empty case");
        assert!(err.contains("use a `noop` processor"), "{err}");
    }
}
