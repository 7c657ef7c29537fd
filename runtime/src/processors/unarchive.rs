//! The `unarchive` processor: replaces each message by the messages of
//! the archive it holds (`tar`, `zip`, `binary`, `lines`,
//! `json_documents`, `json_array`, `json_map`, `csv`, `csv:X`), in order,
//! in the same batch.
//!
//! As in Benthos, the new messages keep the original's metadata; `tar`
//! and `zip` entries get `archive_filename`, `json_map` values get
//! `archive_key`. A message that fails to unarchive goes on unchanged,
//! flagged with the error. The limits bound what one message may expand
//! to (a decompression bomb fails the message instead of exhausting
//! memory); batches with more than [`super::archive::INLINE_BYTES`] of
//! content are unarchived on the blocking thread pool.

use super::archive::{content_bytes, flag_text, run_sized};
use crate::codec::archive::{
    ArchiveLimits, DEFAULT_MAX_ARCHIVE_BYTES, DEFAULT_MAX_ENTRIES, UnarchiveFormat, unarchive,
};
use crate::component::{
    Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry, fail_message,
};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::ErrorSource;

fn max_bytes() -> usize {
    DEFAULT_MAX_ARCHIVE_BYTES
}

fn max_entries() -> usize {
    DEFAULT_MAX_ENTRIES
}

/// The `unarchive` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The archive format: `tar`, `zip`, `binary`, `lines`,
    /// `json_documents`, `json_array`, `json_map`, `csv` (a header row,
    /// then one JSON object per row) or `csv:X` (`csv` with the single
    /// character `X` as delimiter, such as `csv:;`).
    pub format: String,
    /// Tarn only: the largest entry one message may unarchive to, in
    /// bytes (default 256 MiB); a bigger one fails the message.
    #[serde(default = "max_bytes")]
    pub max_entry_bytes: usize,
    /// Tarn only: the most bytes one message may unarchive to in all
    /// (default 256 MiB); more fails the message.
    #[serde(default = "max_bytes")]
    pub max_total_bytes: usize,
    /// Tarn only: the most messages one message may unarchive to
    /// (default 1000000); more fails the message.
    #[serde(default = "max_entries")]
    pub max_entries: usize,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "unarchive",
        "Replaces each message by the messages of the archive it holds (tar, zip, JSON array, CSV …).",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let format = UnarchiveFormat::parse(&cfg.format)
        .map_err(|e| ctx.field_error("format", e.to_string()))?;
    for (field, value) in [
        ("max_entry_bytes", cfg.max_entry_bytes),
        ("max_total_bytes", cfg.max_total_bytes),
        ("max_entries", cfg.max_entries),
    ] {
        if value == 0 {
            return Err(ctx.field_error(field, format!("`{field}` must be at least 1")));
        }
    }
    Ok(Arc::new(Unarchive {
        format,
        limits: ArchiveLimits {
            max_entry_bytes: cfg.max_entry_bytes,
            max_total_bytes: cfg.max_total_bytes,
            max_entries: cfg.max_entries,
        },
        source: ctx.error_source(),
    }))
}

/// A built `unarchive` processor.
#[derive(Debug)]
struct Unarchive {
    format: UnarchiveFormat,
    limits: ArchiveLimits,
    source: ErrorSource,
}

/// Each message's entries, or the text to flag it with.
type Outcomes = Vec<Result<Batch, String>>;

fn unarchive_all(format: UnarchiveFormat, limits: &ArchiveLimits, batch: &[tarn_lang::Message]) -> Outcomes {
    batch
        .iter()
        .map(|msg| unarchive(format, msg, limits).map_err(|e| flag_text(&e)))
        .collect()
}

impl Processor for Unarchive {
    fn process<'a>(&'a self, batch: Batch, _: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            let (format, limits) = (self.format, self.limits);
            let shared = Arc::new(batch);
            let work = {
                let shared = shared.clone();
                move || unarchive_all(format, &limits, &shared)
            };
            let outcomes = run_sized(content_bytes(&shared), false, work).await;
            let batch = Arc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone());
            let outcomes = match outcomes {
                Ok(outcomes) => outcomes,
                Err(e) => {
                    let text = format!("unarchiving stopped: {e}");
                    batch.iter().map(|_| Err(text.clone())).collect()
                }
            };
            let mut out = Batch::with_capacity(batch.len());
            for (mut msg, outcome) in batch.into_iter().zip(outcomes) {
                match outcome {
                    Ok(entries) => out.extend(entries),
                    Err(text) => {
                        fail_message(&mut msg, text, &self.source);
                        out.push(msg);
                    }
                }
            }
            super::one(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::component::registry::Kind;
    use crate::processors::dedupe::tests::{chain, run_chain};
    use crate::testing::{batch, build, contents, processor, run_one};
    use tarn_lang::{Message, Value};

    fn meta(msg: &Message, key: &str) -> Option<String> {
        msg.meta().get(key).and_then(Value::as_str).map(str::to_string)
    }

    /// Benthos's `config/test/bloblang/message_expansion.yaml` with its
    /// `message_expansion_benthos_test.yaml` case.
    #[tokio::test]
    async fn message_expansion_from_benthos_config_tests() {
        let p = chain(
            r#"
- bloblang: |
    let doc_root = this.map_each(if key == "items" { deleted() })
    root = items.map_each($doc_root.merge(this))
- unarchive:
    format: json_array
"#,
            "",
        );
        let input = r#"{
  "id": "foobar",
  "items": [
    {"content":"foo"},
    {"content":"bar"},
    {"content":"baz"}
  ]
}
"#;
        let out = run_chain(&p, batch(&[input])).await;
        assert_eq!(out.len(), 1, "one batch");
        assert_eq!(
            contents(&out[0]),
            [
                r#"{"content":"foo","id":"foobar"}"#,
                r#"{"content":"bar","id":"foobar"}"#,
                r#"{"content":"baz","id":"foobar"}"#,
            ]
        );
    }

    #[tokio::test]
    async fn entries_keep_metadata_and_order_and_failures_stay_flagged() {
        let p = processor("unarchive: {format: json_map}");
        let mut input = batch(&[r#"{"b":2,"a":"x"}"#, "[1]", r#"{"c":{"d":true}}"#]);
        for m in &mut input {
            m.meta_mut().insert("origin", Value::str("req"));
        }
        let out = run_one(&*p, input).await;
        assert_eq!(contents(&out), [r#""x""#, "2", "[1]", r#"{"d":true}"#]);
        let keys: Vec<Option<String>> = out.iter().map(|m| meta(m, "archive_key")).collect();
        assert_eq!(keys, [Some("a".into()), Some("b".into()), None, Some("c".into())]);
        assert!(out.iter().all(|m| meta(m, "origin").as_deref() == Some("req")));
        assert_eq!(
            out[2].error(),
            Some("failed to parse message into JSON map: invalid type '[]interface {}'")
        );
        assert_eq!(out[2].error_source().map(|s| s.name.as_str()), Some("unarchive"));
        assert!(out[0].error().is_none());
    }

    #[tokio::test]
    async fn lines_documents_and_csv() {
        let lines = run_one(&*processor("unarchive: {format: lines}"), batch(&["a\nb\n"])).await;
        assert_eq!(contents(&lines), ["a", "b", ""], "like Go's bytes.Split");
        let docs = run_one(&*processor("unarchive: {format: json_documents}"), batch(&[r#"{"a":1} [2] "s""#])).await;
        assert_eq!(contents(&docs), [r#"{"a":1}"#, "[2]", r#""s""#]);
        let csv = run_one(&*processor("unarchive: {format: 'csv:;'}"), batch(&["x;y\n1;2\n3;4\n"])).await;
        assert_eq!(contents(&csv), [r#"{"x":"1","y":"2"}"#, r#"{"x":"3","y":"4"}"#]);
    }

    #[tokio::test]
    async fn a_broken_archive_is_flagged_with_go_wording() {
        let out = run_one(&*processor("unarchive: {format: zip}"), batch(&["not a zip"])).await;
        assert_eq!(contents(&out), ["not a zip"]);
        assert_eq!(out[0].error(), Some("zip: not a valid zip file"));
    }

    #[tokio::test]
    async fn limits_fail_the_message_instead_of_expanding_it() {
        let p = processor("unarchive: {format: lines, max_entries: 2}");
        let out = run_one(&*p, batch(&["a\nb", "a\nb\nc"])).await;
        assert_eq!(contents(&out), ["a", "b", "a\nb\nc"]);
        let err = out[2].error().expect("flagged");
        assert!(err.contains("over the limit of 2"), "{err}");
        let p = processor("unarchive: {format: lines, max_entry_bytes: 3, max_total_bytes: 5}");
        let out = run_one(&*p, batch(&["abc\nd", "abcd", "abc\ndef"])).await;
        assert_eq!(contents(&out), ["abc", "d", "abcd", "abc\ndef"]);
        assert!(out[2].error().is_some_and(|e| e.contains("limit of 3")));
        assert!(out[3].error().is_some_and(|e| e.contains("limit of 5")));
    }

    #[tokio::test]
    async fn a_batch_larger_than_the_inline_limit_is_unarchived_whole() {
        let body: String = (0..20_000).map(|i| format!("{i}\n")).collect();
        assert!(body.len() > super::super::archive::INLINE_BYTES);
        let out = run_one(&*processor("unarchive: {format: lines}"), batch(&[&body])).await;
        assert_eq!(out.len(), 20_001);
        assert_eq!(contents(&out[19_999..]), ["19999", ""]);
    }

    #[test]
    fn formats_and_limits_are_checked_where_written() {
        for (yaml, expected) in [
            ("unarchive: {format: rar}", "test.unarchive.format: archive format not recognised: rar"),
            ("unarchive: {format: 'csv:'}", "csv format requires a non-empty delimiter"),
            ("unarchive: {format: 'csv:ab'}", "csv format requires a single character delimiter"),
            ("unarchive: {format: tar, max_entries: 0}", "test.unarchive.max_entries: `max_entries` must be at least 1"),
            ("unarchive: {}", "format"),
        ] {
            let err = build(Kind::Processor, yaml, "").expect_err(yaml);
            assert!(err.contains(expected), "{yaml}: {err}");
        }
    }
}
