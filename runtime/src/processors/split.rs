//! The `split` processor: breaks a batch into smaller batches of at most
//! `size` messages and, when `byte_size` is above zero, at most
//! `byte_size` bytes of content, whichever limit comes first. Order is
//! kept and the remainder forms a last, smaller batch. As in Benthos, a
//! single message larger than `byte_size` still goes on, alone in its
//! batch, with a warning; a `size` of zero or less sets no count limit.

use crate::component::{Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

fn one() -> i64 {
    1
}

/// The `split` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The most messages a batch gets (zero or less: no count limit).
    #[serde(default = "one")]
    pub size: i64,
    /// The most content bytes a batch gets (zero or less: no byte limit).
    #[serde(default)]
    pub byte_size: i64,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "split",
        "Breaks batches into smaller ones by message count and/or total bytes.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let limit = |n: i64| usize::try_from(n).ok().filter(|&n| n > 0);
    let source = ctx.error_source();
    Ok(Arc::new(Split {
        size: limit(cfg.size),
        byte_size: limit(cfg.byte_size),
        label: source.label,
        path: source.path,
    }))
}

/// A built `split` processor.
#[derive(Debug)]
struct Split {
    size: Option<usize>,
    byte_size: Option<usize>,
    label: String,
    path: String,
}

impl Split {
    fn split(&self, batch: Batch) -> Batches {
        let mut out = Batches::new();
        let mut current = Batch::new();
        let mut bytes = 0usize;
        for msg in batch {
            let len = msg.content().as_bytes().len();
            let full = self.size.is_some_and(|n| current.len() >= n);
            let too_big = self
                .byte_size
                .is_some_and(|limit| bytes.saturating_add(len) > limit);
            if full || too_big {
                if current.is_empty() {
                    crate::log::warn_with(
                        &[("label", &self.label), ("path", &self.path)],
                        &format!(
                            "a single message exceeds the target batch byte size of {}, actual size: {len}",
                            self.byte_size.unwrap_or_default()
                        ),
                    );
                } else {
                    out.push(std::mem::take(&mut current));
                    bytes = 0;
                }
            }
            current.push(msg);
            bytes = bytes.saturating_add(len);
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    }
}

impl Processor for Split {
    fn process<'a>(&'a self, batch: Batch, _: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        let out = self.split(batch);
        Box::pin(async move { out })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{batch, contents, processor, run};

    async fn sizes(yaml: &str, items: &[&str]) -> Vec<Vec<String>> {
        let p = processor(yaml);
        run(&*p, batch(items)).await.iter().map(|b| contents(b)).collect()
    }

    #[tokio::test]
    async fn by_count_with_a_remainder() {
        assert_eq!(
            sizes("split: {size: 2}", &["a", "b", "c", "d", "e"]).await,
            [vec!["a", "b"], vec!["c", "d"], vec!["e"]]
        );
        assert_eq!(
            sizes("split: {}", &["a", "b"]).await,
            [vec!["a"], vec!["b"]],
            "size defaults to one"
        );
        assert_eq!(
            sizes("split: {size: 0}", &["a", "b", "c"]).await,
            [vec!["a", "b", "c"]],
            "no limit at all: one batch"
        );
    }

    #[tokio::test]
    async fn by_bytes_whichever_limit_comes_first() {
        assert_eq!(
            sizes("split: {size: 0, byte_size: 5}", &["ab", "cd", "e", "fgh", "i"]).await,
            [vec!["ab", "cd", "e"], vec!["fgh", "i"]]
        );
        assert_eq!(
            sizes("split: {size: 2, byte_size: 100}", &["ab", "cd", "e"]).await,
            [vec!["ab", "cd"], vec!["e"]]
        );
    }

    #[tokio::test]
    async fn an_oversized_message_goes_alone() {
        assert_eq!(
            sizes("split: {size: 10, byte_size: 3}", &["toolong", "ab", "c", "d"]).await,
            [vec!["toolong"], vec!["ab", "c"], vec!["d"]]
        );
    }

    #[tokio::test]
    async fn metadata_and_errors_travel_with_their_messages() {
        let p = processor("split: {size: 1}");
        let mut input = batch(&["a", "b"]);
        input[1].set_error(Some("earlier failure".into()));
        input[0].meta_mut().insert("k", tarn_lang::Value::str("v"));
        let out = run(&*p, input).await;
        assert_eq!(out.len(), 2);
        assert!(out[0][0].meta().get("k").is_some());
        assert_eq!(out[1][0].error(), Some("earlier failure"));
    }
}
