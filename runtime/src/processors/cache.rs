//! The `cache` processor: one operation on a cache resource per message,
//! with the key, value and time to live interpolated for that message.
//!
//! As in Benthos: `set` overwrites; `add` fails the message with "key
//! already exists: KEY" when the key is there; `get` replaces the content
//! with the stored value, or fails the message when the key is absent;
//! `delete` of an absent key is not an error; `exists` replaces the
//! content with `true` or `false`. A message whose operation fails goes
//! on unchanged, flagged with the error.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, Cache, ProcessCtx, Processor, Registry,
    fail_message,
};
use crate::config::duration::parse_duration;
use crate::config::types::Interp;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tarn_lang::value::Blob;
use tarn_lang::{ErrorSource, Message, Value, Vm};

/// What the processor does with the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    /// Stores `value` under `key`, replacing what was there.
    Set,
    /// Stores `value` under `key` only when the key is absent; otherwise
    /// the message fails with "key already exists".
    Add,
    /// Replaces the content with the value stored under `key`; the
    /// message fails when the key is absent.
    Get,
    /// Removes `key` (absent keys are not an error).
    Delete,
    /// Replaces the content with `true` when `key` is stored, else `false`.
    Exists,
}

impl Operator {
    fn name(self) -> &'static str {
        match self {
            Operator::Set => "set",
            Operator::Add => "add",
            Operator::Get => "get",
            Operator::Delete => "delete",
            Operator::Exists => "exists",
        }
    }

    /// Whether the operation writes (and so reads `value` and `ttl`).
    fn writes(self) -> bool {
        matches!(self, Operator::Set | Operator::Add)
    }
}

/// The `cache` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The label of the cache resource to use.
    pub resource: String,
    /// The operation: `set`, `add`, `get`, `delete` or `exists`.
    pub operator: Operator,
    /// The key, interpolated per message.
    pub key: Interp,
    /// The value `set` and `add` store, interpolated per message (absent:
    /// an empty value).
    #[serde(default)]
    pub value: Option<Interp>,
    /// The time to live of what `set` and `add` store, a duration such as
    /// `60s`, interpolated per message (absent or empty: the cache's
    /// default).
    #[serde(default)]
    pub ttl: Option<Interp>,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "cache",
        "Sets, adds, gets, deletes or checks a key of a cache resource for each message.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    if !cfg.operator.writes() {
        for field in ["value", "ttl"] {
            if ctx.body_has(field) {
                return Err(ctx.field_error(
                    field,
                    format!(
                        "`{field}` is only used by the `set` and `add` operators, not `{}`",
                        cfg.operator.name()
                    ),
                ));
            }
        }
    }
    let cache = ctx.cache("resource", &cfg.resource)?;
    Ok(Arc::new(CacheProcessor {
        cache,
        operator: cfg.operator,
        key: cfg.key,
        value: cfg.value,
        ttl: cfg.ttl,
        source: ctx.error_source(),
    }))
}

/// A built `cache` processor.
#[derive(Debug)]
struct CacheProcessor {
    cache: Arc<dyn Cache>,
    operator: Operator,
    key: Interp,
    value: Option<Interp>,
    ttl: Option<Interp>,
    source: ErrorSource,
}

/// What one message asks of the cache.
struct Request {
    key: String,
    value: Vec<u8>,
    ttl: Option<Duration>,
}

impl CacheProcessor {
    /// The key, value and time to live for message `i`, or why they
    /// cannot be had.
    fn request(&self, vm: &mut Vm, batch: &[Message], i: usize) -> Result<Request, String> {
        let key = self
            .key
            .render(vm, batch, i)
            .map_err(|e| format!("key interpolation error: {e}"))?;
        let value = match &self.value {
            Some(v) => v
                .render(vm, batch, i)
                .map_err(|e| format!("value interpolation error: {e}"))?
                .into_bytes(),
            None => Vec::new(),
        };
        let ttl = match &self.ttl {
            Some(t) => {
                let text = t
                    .render(vm, batch, i)
                    .map_err(|e| format!("ttl interpolation error: {e}"))?;
                if text.is_empty() {
                    None
                } else {
                    Some(parse_duration(&text).ok_or_else(|| {
                        format!("ttl must be a duration: invalid duration {text:?}")
                    })?)
                }
            }
            None => None,
        };
        Ok(Request { key, value, ttl })
    }

    /// Runs the operation for one message, changing its content where
    /// the operation gives one.
    async fn apply(&self, msg: &mut Message, req: Request) -> Result<(), String> {
        let key = req.key;
        let failed = |e: crate::component::Error| format!("operator failed for key '{key}': {e}");
        match self.operator {
            Operator::Set => self.cache.set(&key, req.value, req.ttl).await.map_err(failed),
            Operator::Add => match self.cache.add(&key, req.value, req.ttl).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!("key already exists: {key}")),
                Err(e) => Err(failed(e)),
            },
            Operator::Get => match self.cache.get(&key).await {
                Ok(Some(value)) => {
                    msg.set_content(Blob::new(&value));
                    Ok(())
                }
                Ok(None) => Err(format!("operator failed for key '{key}': key does not exist")),
                Err(e) => Err(failed(e)),
            },
            Operator::Delete => self.cache.delete(&key).await.map_err(failed),
            Operator::Exists => {
                // As in Benthos, any failed look-up counts as absent.
                let found = matches!(self.cache.get(&key).await, Ok(Some(_)));
                let text: &[u8] = if found { b"true" } else { b"false" };
                msg.set_structured(Blob::new(text), Value::Bool(found));
                Ok(())
            }
        }
    }
}

impl Processor for CacheProcessor {
    fn process<'a>(
        &'a self,
        mut batch: Batch,
        ctx: &'a mut ProcessCtx<'_>,
    ) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            for i in 0..batch.len() {
                let outcome = match self.request(ctx.vm, &batch, i) {
                    Ok(req) => self.apply(&mut batch[i], req).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = outcome {
                    fail_message(&mut batch[i], e, &self.source);
                }
            }
            super::one(batch)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::processors::dedupe::tests::{chain, run_chain};
    use crate::testing::{batch, build, contents, processor_with, run_one};

    const MEMORY: &str = "cache_resources:\n  - label: mem\n    memory:\n      init_values:\n        known: stored\n";

    fn errors(out: &[tarn_lang::Message]) -> Vec<Option<String>> {
        out.iter().map(|m| m.error().map(str::to_string)).collect()
    }

    #[tokio::test]
    async fn set_in_one_batch_is_read_by_get_in_a_later_one() {
        // One processor (one resource instance) that sets or gets by the
        // message's `op` field.
        let p = processor_with(
            r#"switch:
  - check: this.op == "set"
    processors:
      - cache: {resource: mem, operator: set, key: '${! this.id }', value: '${! this.v }'}
  - processors:
      - cache: {resource: mem, operator: get, key: '${! this.id }'}
"#,
            MEMORY,
        );
        let first = batch(&[
            r#"{"op":"set","id":"a","v":"one"}"#,
            r#"{"op":"set","id":"b","v":"two"}"#,
        ]);
        let out = run_one(&*p, first).await;
        assert_eq!(
            contents(&out),
            [r#"{"op":"set","id":"a","v":"one"}"#, r#"{"op":"set","id":"b","v":"two"}"#],
            "set leaves the content alone"
        );
        assert_eq!(errors(&out), [None, None]);
        let out = run_one(&*p, batch(&[r#"{"id":"b"}"#, r#"{"id":"a"}"#])).await;
        assert_eq!(contents(&out), ["two", "one"]);
        assert_eq!(errors(&out), [None, None]);
    }

    #[tokio::test]
    async fn get_of_a_missing_key_fails_the_message_and_keeps_it() {
        let get = processor_with("cache: {resource: mem, operator: get, key: '${! content() }'}", MEMORY);
        let out = run_one(&*get, batch(&["known", "absent"])).await;
        assert_eq!(contents(&out), ["stored", "absent"]);
        assert_eq!(
            errors(&out),
            [None, Some("operator failed for key 'absent': key does not exist".to_string())]
        );
        let source = out[1].error_source().expect("a source");
        assert_eq!((source.name.as_str(), source.path.as_str()), ("cache", "root.test"));
    }

    #[tokio::test]
    async fn add_fails_on_an_existing_key_and_keeps_metadata() {
        let add = processor_with(
            "cache: {resource: mem, operator: add, key: '${! content() }', value: v}",
            MEMORY,
        );
        let mut input = batch(&["new", "new", "known"]);
        for m in &mut input {
            m.meta_mut().insert("kept", tarn_lang::Value::str("yes"));
        }
        let out = run_one(&*add, input).await;
        assert_eq!(contents(&out), ["new", "new", "known"]);
        assert_eq!(
            errors(&out),
            [
                None,
                Some("key already exists: new".to_string()),
                Some("key already exists: known".to_string())
            ]
        );
        assert!(out.iter().all(|m| m.meta().get("kept").is_some()), "metadata is kept");
    }

    #[tokio::test]
    async fn delete_and_exists() {
        let p = chain(
            r#"
- cache: {resource: mem, operator: exists, key: known}
- mutation: 'meta before = content().string()'
- cache: {resource: mem, operator: delete, key: known}
- cache: {resource: mem, operator: delete, key: never-there}
- cache: {resource: mem, operator: exists, key: known}
- mapping: 'root = meta("before") + " then " + content().string()'
"#,
            MEMORY,
        );
        let out = run_chain(&p, batch(&["x"])).await.concat();
        assert_eq!(
            contents(&out),
            ["true then false"],
            "deleted; deleting an absent key is fine"
        );
        assert_eq!(errors(&out), [None]);
        let exists = processor_with("cache: {resource: mem, operator: exists, key: '${! content() }'}", MEMORY);
        let out = run_one(&*exists, batch(&["known", "nope"])).await;
        assert_eq!(contents(&out), ["true", "false"]);
        assert_eq!(out[0].structured().ok(), Some(&tarn_lang::Value::Bool(true)));
    }

    #[tokio::test]
    async fn ttl_is_interpolated_and_a_bad_one_fails_the_message() {
        let p = processor_with(
            "cache: {resource: mem, operator: set, key: k, value: v, ttl: '${! content() }'}",
            MEMORY,
        );
        let out = run_one(&*p, batch(&["1h", "", "soon"])).await;
        assert_eq!(
            errors(&out),
            [None, None, Some("ttl must be a duration: invalid duration \"soon\"".to_string())]
        );
    }

    #[tokio::test]
    async fn a_short_ttl_expires() {
        let p = chain(
            r#"
- cache: {resource: mem, operator: set, key: k, value: v, ttl: 10ms}
- sleep: {duration: 30ms}
- cache: {resource: mem, operator: get, key: k}
"#,
            MEMORY,
        );
        let out = run_chain(&p, batch(&["x"])).await.concat();
        assert_eq!(
            errors(&out),
            [Some("operator failed for key 'k': key does not exist".to_string())]
        );
    }

    #[tokio::test]
    async fn key_interpolation_errors_fail_the_message() {
        let p = processor_with("cache: {resource: mem, operator: get, key: '${! this.a.b }'}", MEMORY);
        let out = run_one(&*p, batch(&["not json"])).await;
        let err = out[0].error().expect("failed");
        assert!(err.starts_with("key interpolation error: "), "{err}");
        assert_eq!(contents(&out), ["not json"]);
    }

    #[test]
    fn configs_that_cannot_work_are_rejected_where_they_are_written() {
        let cases = [
            ("cache: {resource: nope, operator: get, key: k}", "test.cache.resource: no cache resource is labelled `nope`"),
            ("cache: {resource: mem, operator: get, key: k, value: v}", "test.cache.value: `value` is only used"),
            ("cache: {resource: mem, operator: delete, key: k, ttl: 5s}", "test.cache.ttl: `ttl` is only used"),
            ("cache: {resource: mem, operator: fetch, key: k}", "operator"),
            ("cache: {resource: mem, operator: get}", "key"),
        ];
        for (yaml, expected) in cases {
            let err = build(crate::component::Kind::Processor, yaml, MEMORY).expect_err(yaml);
            assert!(err.contains(expected), "{yaml}: {err}");
        }
    }
}
