//! The `switch` processor: each message runs through the processors of
//! the first case whose check passes (and of the following cases while
//! they fall through). Messages no case takes pass unchanged.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, run_processors,
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
    /// What runs on a message that reaches this case.
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
        .map(|c| {
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

impl Processor for Switch {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            // Which case each message starts at (`cases.len()`: none).
            let starts: Vec<usize> = (0..batch.len())
                .map(|i| {
                    self.cases
                        .iter()
                        .position(|case| match &case.check {
                            None => true,
                            Some(check) => check_passes(check, ctx.vm, &batch, i).unwrap_or_else(|e| {
                                crate::log::error_with(
                                    &[("label", &self.source.label), ("path", &self.source.path)],
                                    &format!("failed to test a switch case: {e}"),
                                );
                                false
                            }),
                        })
                        .unwrap_or(self.cases.len())
                })
                .collect();
            let mut out = Batch::with_capacity(batch.len());
            for (msg, start) in batch.into_iter().zip(starts) {
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
    async fn deleted_messages_go_and_bad_checks_count_as_failing() {
        let p = processor(
            r#"switch:
  - check: '"yes"'
    processors: [{mapping: root = deleted()}]
  - check: content() == "x"
    processors: [{mapping: root = deleted()}]
"#,
        );
        let out = run_one(&*p, batch(&["x", "y"])).await;
        assert_eq!(contents(&out), ["y"]);
    }
}
