//! The `dedupe` processor: adds each message's key to a cache resource
//! and drops the message when the key was already there, so only the
//! first message with a key goes on (within the cache's time to live).
//!
//! As in Benthos: each message is handled on its own (a batch keeps its
//! first message of each key, later batches lose keys seen before); a
//! message whose key cannot be computed is flagged and dropped; when the
//! cache itself fails, `drop_on_err` decides between dropping the
//! message and passing it on flagged with the error.

use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, Cache, ProcessCtx, Processor, Registry,
    fail_message,
};
use crate::config::types::Interp;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::ErrorSource;

fn yes() -> bool {
    true
}

/// The `dedupe` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The label of the cache resource that remembers the keys.
    pub cache: String,
    /// The key to deduplicate by, interpolated per message (for example
    /// `${! meta("kafka_key") }` or `${! content().hash("xxhash64") }`).
    pub key: Interp,
    /// Whether a message is dropped when the cache fails (a lost
    /// connection); when false it goes on flagged with the error.
    #[serde(default = "yes")]
    pub drop_on_err: bool,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "dedupe",
        "Drops messages whose key was already added to a cache resource.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    if cfg.key.source().is_empty() {
        return Err(ctx.field_error("key", "dedupe key must not be empty"));
    }
    let cache = ctx.cache("cache", &cfg.cache)?;
    Ok(Arc::new(Dedupe {
        cache,
        key: cfg.key,
        drop_on_err: cfg.drop_on_err,
        source: ctx.error_source(),
    }))
}

/// A built `dedupe` processor.
#[derive(Debug)]
struct Dedupe {
    cache: Arc<dyn Cache>,
    key: Interp,
    drop_on_err: bool,
    source: ErrorSource,
}

impl Processor for Dedupe {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            let mut keys = Vec::with_capacity(batch.len());
            for i in 0..batch.len() {
                keys.push(self.key.render(ctx.vm, &batch, i));
            }
            let mut out = Batch::with_capacity(batch.len());
            for (mut msg, key) in batch.into_iter().zip(keys) {
                let key = match key {
                    Ok(key) => key,
                    Err(e) => {
                        // Benthos flags the message and leaves it out.
                        fail_message(&mut msg, format!("key interpolation error: {e}"), &self.source);
                        continue;
                    }
                };
                match self.cache.add(&key, b"t".to_vec(), None).await {
                    Ok(true) => out.push(msg),
                    Ok(false) => {}
                    Err(e) => {
                        // Logged either way; a kept message is flagged with
                        // the cache's own error, as in Benthos.
                        crate::log::error_with(
                            &[("label", &self.source.label), ("path", &self.source.path)],
                            &format!("cache error: {e}"),
                        );
                        if !self.drop_on_err {
                            msg.set_error_from(e.to_string(), self.source.clone());
                            out.push(msg);
                        }
                    }
                }
            }
            super::one(out)
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::component::registry::{Built, Kind};
    use crate::component::{BoxFuture, Error};
    use crate::testing::{batch, build, contents, processor_with, run, run_one};
    use std::time::Duration;

    /// Builds the processor list `yaml` (a YAML sequence) with the
    /// resources of `resources_yaml`, as `pipeline.processors` would be.
    pub(crate) fn chain(yaml: &str, resources_yaml: &str) -> Vec<Arc<dyn Processor>> {
        use crate::config::node::{NodeKind, parse};
        use crate::config::types::{ProcessorNode, Sandbox};
        let resources = crate::resources::Resources::new();
        if !resources_yaml.is_empty() {
            let root = parse(resources_yaml).expect("resources parse");
            resources.declare_all(&root, resources_yaml).expect("resources declare");
        }
        let node = parse(yaml).expect("yaml parses");
        let NodeKind::Seq(items) = &node.kind else {
            panic!("expected a list of processors: {yaml}");
        };
        let raws: Vec<ProcessorNode> = items
            .iter()
            .enumerate()
            .map(|(i, n)| ProcessorNode::new(n.clone(), format!("test.{i}")))
            .collect();
        let mut ctx = Build::new(Registry::standard(), &resources, yaml, Sandbox::Standard);
        ctx.processors(&raws).expect("processors build")
    }

    /// Runs `processors` in order on `batch`, as a pipeline worker does.
    pub(crate) async fn run_chain(processors: &[Arc<dyn Processor>], batch: Batch) -> Vec<Batch> {
        let mut vm = tarn_lang::Vm::new();
        let responses = Default::default();
        let mut ctx = ProcessCtx {
            vm: &mut vm,
            responses: &responses,
        };
        let mut start = Batches::new();
        start.push(batch);
        crate::component::run_processors(processors, start, &mut ctx)
            .await
            .into_vec()
    }

    const MEMORY: &str = "cache_resources:\n  - label: local\n    memory:\n      default_ttl: 1m\n";

    /// Benthos's `config/test/deduplicate.yaml`: keys seen in an earlier
    /// batch are dropped from later ones.
    #[tokio::test]
    async fn deduplicates_across_batches() {
        let p = processor_with("dedupe: {cache: local, key: '${! content() }'}", MEMORY);
        let out = run(&*p, batch(&["1", "2", "3", "4"])).await;
        assert_eq!(out.len(), 1);
        assert_eq!(contents(&out[0]), ["1", "2", "3", "4"]);
        let out = run(&*p, batch(&["4", "3", "2", "1"])).await;
        assert!(out.is_empty(), "every message was a duplicate: {out:?}");
    }

    /// Benthos's `config/test/deduplicate_by_batch.yaml`: the key is the
    /// first message's random batch tag plus the content, so duplicates
    /// go within a batch but not across batches.
    #[tokio::test]
    async fn deduplicates_within_each_batch_by_a_batch_tag() {
        let p = chain(
            r#"
- mapping: |
    meta batch_tag = if batch_index() == 0 {
      nanoid(10)
    }
- dedupe:
    cache: local
    key: ${! meta("batch_tag").from(0) + content() }
"#,
            MEMORY,
        );
        let out = run_chain(&p, batch(&["1", "2", "3", "4", "3", "3", "3"])).await;
        assert_eq!(out.len(), 1);
        assert_eq!(contents(&out[0]), ["1", "2", "3", "4"]);
        let out = run_chain(&p, batch(&["4", "1", "1", "3", "4", "4", "2", "1"])).await;
        assert_eq!(out.len(), 1);
        assert_eq!(contents(&out[0]), ["4", "1", "3", "2"]);
    }

    #[tokio::test]
    async fn a_message_whose_key_fails_is_dropped_as_in_benthos() {
        let p = processor_with("dedupe: {cache: local, key: '${! this.id }'}", MEMORY);
        let out = run_one(&*p, batch(&[r#"{"id":1}"#, "not json", r#"{"id":2}"#])).await;
        assert_eq!(contents(&out), [r#"{"id":1}"#, r#"{"id":2}"#]);
        assert!(out.iter().all(|m| m.error().is_none()));
    }

    /// A cache that always fails, as a lost connection would.
    #[derive(Debug)]
    struct Broken;

    impl Cache for Broken {
        fn get<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, Error>> {
            Box::pin(async { Err(Error::not_connected("connection refused")) })
        }
        fn set<'a>(
            &'a self,
            _: &'a str,
            _: Vec<u8>,
            _: Option<Duration>,
        ) -> BoxFuture<'a, Result<(), Error>> {
            Box::pin(async { Err(Error::not_connected("connection refused")) })
        }
        fn add<'a>(
            &'a self,
            _: &'a str,
            _: Vec<u8>,
            _: Option<Duration>,
        ) -> BoxFuture<'a, Result<bool, Error>> {
            Box::pin(async { Err(Error::not_connected("connection refused")) })
        }
        fn delete<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(), Error>> {
            Box::pin(async { Err(Error::not_connected("connection refused")) })
        }
    }

    fn with_broken_cache(drop_on_err: bool) -> Dedupe {
        Dedupe {
            cache: Arc::new(Broken),
            key: Interp::compile("${! content() }").expect("compiles"),
            drop_on_err,
            source: ErrorSource {
                name: "dedupe".into(),
                label: "d".into(),
                path: "root.pipeline.processors.0".into(),
            },
        }
    }

    #[tokio::test]
    async fn cache_errors_drop_or_flag_by_drop_on_err() {
        let out = run(&with_broken_cache(true), batch(&["a", "b"])).await;
        assert!(out.is_empty(), "dropped: {out:?}");
        let out = run_one(&with_broken_cache(false), batch(&["a", "b"])).await;
        assert_eq!(contents(&out), ["a", "b"]);
        assert_eq!(out[0].error(), Some("connection refused"));
        assert_eq!(out[1].error_source().map(|s| s.label.as_str()), Some("d"));
    }

    #[test]
    fn drop_on_err_defaults_to_true_and_bad_configs_are_located() {
        let Ok(Built::Processor(_)) =
            build(Kind::Processor, "dedupe: {cache: local, key: x, drop_on_err: false}", MEMORY)
        else {
            panic!("builds");
        };
        for (yaml, expected) in [
            ("dedupe: {cache: other, key: x}", "test.dedupe.cache: no cache resource is labelled `other`"),
            ("dedupe: {cache: local, key: ''}", "test.dedupe.key: dedupe key must not be empty"),
            ("dedupe: {cache: local}", "key"),
            ("dedupe: {cache: local, key: x, drop: true}", "drop"),
        ] {
            let err = build(Kind::Processor, yaml, MEMORY).expect_err(yaml);
            assert!(err.contains(expected), "{yaml}: {err}");
        }
    }
}
