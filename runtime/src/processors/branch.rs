//! The `branch` processor: `request_map` builds a derived message from
//! each one, `processors` run on the derived messages, and `result_map`
//! maps each result back onto its original.
//!
//! Benthos semantics: the request starts with the original's metadata and
//! no content (without `request_map`, as an exact copy), and without its
//! error flag; a request mapped to `deleted()` skips the branch. A failed
//! request mapping, a request the processors flag, or a failed result
//! mapping flags the original, which is otherwise unchanged. The
//! processors must give back one message per request: when they drop or
//! add messages, every message of the batch is flagged. `result_map` reads
//! the results as a batch aligned with the originals, and a result mapped
//! to `deleted()` leaves the original as it was.

use super::set_root;
use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, fail_message,
    run_processors,
};
use crate::config::types::{Mapping, ProcessorNode};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::value::Blob;
use tarn_lang::{ErrorSource, Message, Mode, Value, Vm};

/// The `branch` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Builds the branch's message from the original (empty: a copy).
    #[serde(default)]
    pub request_map: Option<Mapping>,
    /// Run on the branch's messages (at least one processor); they must
    /// keep the number and order of the messages.
    pub processors: Vec<ProcessorNode>,
    /// Maps the result back onto the original (empty: unchanged).
    #[serde(default)]
    pub result_map: Option<Mapping>,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "branch",
        "Runs processors on a derived copy of each message and maps the result back.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    if cfg.processors.is_empty() {
        return Err(ctx.field_error(
            "processors",
            "the branch processor requires at least one child processor",
        ));
    }
    Ok(Arc::new(Branch {
        request_map: cfg.request_map.filter(|m| !m.is_blank()),
        processors: ctx.processors(&cfg.processors)?,
        result_map: cfg.result_map.filter(|m| !m.is_blank()),
        source: ctx.error_source(),
    }))
}

/// A built `branch`.
#[derive(Debug)]
pub struct Branch {
    request_map: Option<Mapping>,
    processors: Vec<Arc<dyn Processor>>,
    result_map: Option<Mapping>,
    source: ErrorSource,
}

impl Processor for Branch {
    fn process<'a>(&'a self, mut batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            // Build the requests; remember whose each one is.
            let mut owners = Vec::new();
            let mut requests = Vec::new();
            let mut request_failed = Vec::new();
            for i in 0..batch.len() {
                match self.request(ctx.vm, &batch, i) {
                    Ok(Some(req)) => {
                        owners.push(i);
                        requests.push(req);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        request_failed.push(i);
                        fail_message(
                            &mut batch[i],
                            format!("request mapping failed: {e}"),
                            &self.source,
                        );
                    }
                }
            }
            if requests.is_empty() {
                return super::one(batch);
            }
            let mut one = Batches::new();
            one.push(requests);
            let results: Batch = run_processors(&self.processors, one, ctx)
                .await
                .into_iter()
                .flatten()
                .collect();
            if results.len() != owners.len() {
                let e = if results.is_empty() {
                    "child processors resulted in zero messages".to_string()
                } else {
                    format!(
                        "message count from branch processors does not match request, started with {} messages, finished with {}",
                        owners.len(),
                        results.len()
                    )
                };
                // Every message is flagged, except that a failed request
                // mapping keeps its own error.
                for (i, msg) in batch.iter_mut().enumerate() {
                    if !request_failed.contains(&i) {
                        fail_message(msg, &e, &self.source);
                    }
                }
                return super::one(batch);
            }
            // The results, aligned with the batch (an empty message where
            // a message sent no request).
            let mut aligned: Batch = Vec::with_capacity(batch.len());
            aligned.resize_with(batch.len(), || Message::new(b""));
            for (result, &i) in results.into_iter().zip(&owners) {
                aligned[i] = result;
            }
            for &i in &owners {
                if let Some(e) = aligned[i].error() {
                    let e = format!("processors failed: {e}");
                    fail_message(&mut batch[i], e, &self.source);
                    continue;
                }
                let Some(map) = &self.result_map else {
                    continue;
                };
                match map_back(map, ctx.vm, &aligned, i, &batch[i]) {
                    Ok(Some(msg)) => batch[i] = msg,
                    Ok(None) => {}
                    Err(e) => fail_message(
                        &mut batch[i],
                        format!("result mapping failed: {e}"),
                        &self.source,
                    ),
                }
            }
            super::one(batch)
        })
    }
}

impl Branch {
    /// The branch's message for message `index`; `None` when the request
    /// mapping deleted it.
    fn request(&self, vm: &mut Vm, batch: &Batch, index: usize) -> Result<Option<Message>, String> {
        let mut msg = batch[index].clone();
        msg.set_error(None);
        let Some(map) = &self.request_map else {
            return Ok(Some(msg));
        };
        let outcome = tarn_lang::vm::run(map.program(), vm, batch, index, Mode::Mapping)
            .map_err(|e| e.to_string())?;
        msg.set_meta(outcome.meta);
        // The request starts empty: a mapping that never sets `root`
        // sends no content.
        msg.set_content(Blob::new(b""));
        Ok(set_root(&mut msg, outcome.root)?.then_some(msg))
    }
}

/// Maps result `r` onto `original`: `this` is the result, `root` starts
/// as the original document, metadata starts as the original's. `None`
/// when the mapping deleted the message (the original then stays).
fn map_back(
    map: &Mapping,
    vm: &mut Vm,
    results: &Batch,
    r: usize,
    original: &Message,
) -> Result<Option<Message>, String> {
    let root = original.structured().cloned().unwrap_or(Value::Nothing);
    let outcome = tarn_lang::vm::run_onto(
        map.program(),
        vm,
        results,
        r,
        root,
        original.meta().clone(),
    )
    .map_err(|e| e.to_string())?;
    let mut msg = original.clone();
    msg.set_meta(outcome.meta);
    Ok(set_root(&mut msg, outcome.root)?.then_some(msg))
}

#[cfg(test)]
mod tests {
    use crate::testing::{batch, contents, processor, run_one};
    use tarn_lang::{Message, Value};

    #[tokio::test]
    async fn the_result_is_mapped_onto_the_original() {
        let p = processor(
            r#"branch:
  request_map: "root.v = this.id\nmeta tmp = \"x\""
  processors: [{mapping: "root = {\"doubled\": this.v * 2}\nmeta got = @tmp"}]
  result_map: "root.result = this.doubled\nmeta seen = @orig"
"#,
        );
        let input =
            vec![Message::new(br#"{"id":21,"keep":true}"#).with_meta("orig", Value::Int(1))];
        let out = run_one(&*p, input).await;
        assert_eq!(contents(&out), [r#"{"id":21,"keep":true,"result":42}"#]);
        // Metadata starts as the original's: nothing of the branch leaks.
        let meta = out[0].meta();
        assert_eq!(meta.get("orig"), Some(&Value::Int(1)));
        assert_eq!(meta.get("seen"), Some(&Value::Int(1)));
        assert!(meta.get("tmp").is_none() && meta.get("got").is_none());
    }

    #[tokio::test]
    async fn deleted_requests_are_skipped_and_errors_flagged() {
        let p = processor(
            r#"branch:
  request_map: 'root = if this.skip { deleted() } else { this }'
  processors: [{mapping: 'root = if this.fail { throw("boom") } else { {"ok": 1} }'}]
  result_map: root.ok = this.ok
"#,
        );
        let input = batch(&[
            r#"{"skip":true}"#,
            r#"{"skip":false,"fail":true}"#,
            r#"{"skip":false,"fail":false}"#,
        ]);
        let out = run_one(&*p, input).await;
        assert_eq!(
            contents(&out),
            [
                r#"{"skip":true}"#,
                r#"{"skip":false,"fail":true}"#,
                r#"{"fail":false,"ok":1,"skip":false}"#
            ]
        );
        assert!(out[0].error().is_none() && out[2].error().is_none());
        let err = out[1].error().unwrap_or_default();
        assert!(err.contains("boom"), "{err}");
        assert_eq!(
            out[1].error_source().map(|s| s.name.as_str()),
            Some("branch")
        );
    }

    #[tokio::test]
    async fn the_result_map_can_replace_the_original_but_not_delete_it() {
        let p = processor("branch:\n  processors: [ { noop: {} } ]\n  result_map: root = this.a\n");
        let out = run_one(&*p, batch(&[r#"{"a":"x"}"#])).await;
        assert_eq!(contents(&out), ["x"]);
        let p = processor("branch:\n  processors: [ { noop: {} } ]\n  result_map: root = deleted()\n");
        assert_eq!(contents(&run_one(&*p, batch(&["1"])).await), ["1"]);
    }

    #[tokio::test]
    async fn a_request_map_that_sets_no_root_sends_no_content() {
        let p = processor(
            r#"branch:
  request_map: meta tag = "t"
  processors: [ { mapping: 'root = "[%s|%s]".format(content().string(), @tag)' } ]
  result_map: root.seen = content().string()
"#,
        );
        let out = run_one(&*p, batch(&[r#"{"a":1}"#])).await;
        assert_eq!(contents(&out), [r#"{"a":1,"seen":"[|t]"}"#]);
    }

    #[tokio::test]
    async fn result_map_reads_results_aligned_with_the_batch() {
        let p = processor(
            r#"branch:
  request_map: 'root = if this.skip == true { deleted() } else { this }'
  processors: [ { noop: {} } ]
  result_map: 'root.at = batch_index()'
"#,
        );
        let out = run_one(&*p, batch(&[r#"{"skip":true}"#, r#"{"v":1}"#])).await;
        assert_eq!(contents(&out), [r#"{"skip":true}"#, r#"{"at":1,"v":1}"#]);
    }

    #[tokio::test]
    async fn processors_that_change_the_message_count_flag_every_message() {
        let p = processor(
            r#"branch:
  request_map: 'root = if content() == "bad" { throw("no request") } else { content() }'
  processors: [ { mapping: 'root = if content() == "x" { deleted() } else { content() }' } ]
  result_map: root = "mapped"
"#,
        );
        let out = run_one(&*p, batch(&["x", "y", "bad"])).await;
        assert_eq!(contents(&out), ["x", "y", "bad"]);
        let e0 = out[0].error().unwrap_or_default();
        assert!(e0.contains("does not match request, started with 2 messages, finished with 1"), "{e0}");
        assert_eq!(out[1].error(), out[0].error());
        let e2 = out[2].error().unwrap_or_default();
        assert!(e2.contains("request mapping failed") && e2.contains("no request"), "{e2}");
        let out = run_one(&*p, batch(&["x"])).await;
        assert!(out[0].error().unwrap_or_default().contains("zero messages"));
    }

    #[test]
    fn processors_are_required() {
        let err = crate::testing::build(
            crate::component::registry::Kind::Processor,
            "branch:\n  processors: []\n",
            "",
        )
        .expect_err("empty");
        assert!(err.contains("at least one child processor"), "{err}");
    }
}
