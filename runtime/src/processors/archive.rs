//! The `archive` processor: joins all the messages of a batch into one
//! message in an archive format (`binary`, `concatenate`, `json_array`,
//! `lines`, `tar`, `zip`). The result keeps the first message's metadata.
//! For `tar` and `zip` each message becomes a file named by the
//! interpolated `path`; as in Benthos, a path that cannot be computed is
//! logged and the file gets an empty name. When archiving fails (a
//! message that is not JSON for `json_array`) every message goes on
//! unchanged, flagged with the error.
//!
//! The archive is built on the blocking thread pool when the batch holds
//! more than [`INLINE_BYTES`] of content (zip archives always), so large
//! archives never hold an async worker.

use crate::codec::archive::{ArchiveError, ArchiveFormat, archive};
use crate::component::{Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry};
use crate::config::types::Interp;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::{ErrorSource, Message};

/// Batches with at most this many content bytes are (un)archived on the
/// async worker; larger ones on the blocking thread pool.
///
/// Measured (release build, 2 busy cores): a round trip through the
/// blocking pool costs 11–25 µs; at 1 KiB the slowest format
/// (`json_array`, ~17 ns a byte) takes about as long, while at 4 KiB it
/// already takes ~170 µs, more than an async task should run between
/// awaits. Writing a zip costs ~150 µs a file whatever its size
/// (deflate set-up), so zip archives are always built on the pool.
pub const INLINE_BYTES: usize = 1024;

/// Runs `work` on the async worker when `bytes` is at most
/// [`INLINE_BYTES`] and `always_block` is false, else on the blocking
/// thread pool. `Err` only when the blocking task panicked or the
/// runtime is shutting down.
pub(super) async fn run_sized<T, F>(
    bytes: usize,
    always_block: bool,
    work: F,
) -> Result<T, tokio::task::JoinError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    if bytes <= INLINE_BYTES && !always_block {
        Ok(work())
    } else {
        tokio::task::spawn_blocking(work).await
    }
}

/// Total content bytes of `batch`.
pub(super) fn content_bytes(batch: &[Message]) -> usize {
    batch
        .iter()
        .map(|m| m.content().as_bytes().len())
        .fold(0, usize::saturating_add)
}

/// The text a message is flagged with: Benthos's own wording for
/// malformed input (Go's error text), else the full description.
pub(super) fn flag_text(error: &ArchiveError) -> String {
    match error {
        ArchiveError::Malformed { detail, .. } => detail.clone(),
        other => other.to_string(),
    }
}

/// The `archive` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The archive format.
    pub format: ArchiveFormat,
    /// The file name of each message in `tar` and `zip` archives,
    /// interpolated per message (for example
    /// `${! meta("kafka_key") }-${! json("id") }.json`); default empty.
    #[serde(default)]
    pub path: Option<Interp>,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>(
        "archive",
        "Joins the messages of a batch into one message in an archive format (tar, zip, lines …).",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let path = match cfg.path {
        Some(_) if !cfg.format.has_paths() => {
            return Err(ctx.field_error(
                "path",
                "`path` names files in `tar` and `zip` archives only; other formats have no file names",
            ));
        }
        Some(path) => path,
        None => Interp::literal(""),
    };
    Ok(Arc::new(Archive {
        format: cfg.format,
        path,
        source: ctx.error_source(),
    }))
}

/// A built `archive` processor.
#[derive(Debug)]
struct Archive {
    format: ArchiveFormat,
    path: Interp,
    source: ErrorSource,
}

impl Archive {
    /// The file names of the batch's messages (tar and zip only).
    fn names(&self, vm: &mut tarn_lang::Vm, batch: &[Message]) -> Vec<String> {
        if !self.format.has_paths() {
            return Vec::new();
        }
        (0..batch.len())
            .map(|i| {
                self.path.render(vm, batch, i).unwrap_or_else(|e| {
                    self.log_error(&format!("name interpolation error: {e}"));
                    String::new()
                })
            })
            .collect()
    }

    fn log_error(&self, text: &str) {
        crate::log::error_with(
            &[("label", &self.source.label), ("path", &self.source.path)],
            text,
        );
    }
}

impl Processor for Archive {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        Box::pin(async move {
            if batch.is_empty() {
                return Batches::new();
            }
            let names = self.names(ctx.vm, &batch);
            let format = self.format;
            let shared = Arc::new(batch);
            let work = {
                let shared = shared.clone();
                move || {
                    archive(format, &shared, |i| {
                        Ok::<_, std::convert::Infallible>(names.get(i).cloned().unwrap_or_default())
                    })
                    .map_err(|e| flag_text(&e))
                }
            };
            let zip = self.format == ArchiveFormat::Zip;
            let outcome = run_sized(content_bytes(&shared), zip, work).await;
            let mut batch = Arc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone());
            let error = match outcome {
                Ok(Ok(Some(archived))) => return super::one(vec![archived]),
                Ok(Ok(None)) => return Batches::new(),
                Ok(Err(e)) => e,
                Err(e) => format!("archiving stopped: {e}"),
            };
            // Benthos flags every message with the one error; log it once.
            self.log_error(&format!("failed to create archive: {error}"));
            for msg in &mut batch {
                msg.set_error_from(error.clone(), self.source.clone());
            }
            super::one(batch)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::component::registry::Kind;
    use crate::testing::{batch, build, contents, processor, run_one};
    use tarn_lang::Value;

    #[tokio::test]
    async fn text_formats_join_the_batch_into_one_message_with_the_first_metadata() {
        let mut input = batch(&["a", "b", "c"]);
        input[0].meta_mut().insert("first", Value::str("1"));
        input[1].meta_mut().insert("second", Value::str("2"));
        for (format, expected) in [("lines", "a\nb\nc"), ("concatenate", "abc")] {
            let p = processor(&format!("archive: {{format: {format}}}"));
            let out = run_one(&*p, input.clone()).await;
            assert_eq!(contents(&out), [expected], "{format}");
            assert!(out[0].meta().get("first").is_some());
            assert!(out[0].meta().get("second").is_none());
        }
    }

    #[tokio::test]
    async fn json_array_collects_documents_and_fails_on_a_non_json_message() {
        let p = processor("archive: {format: json_array}");
        let out = run_one(&*p, batch(&[r#"{"a":1}"#, "2", r#""x""#])).await;
        assert_eq!(contents(&out), [r#"[{"a":1},2,"x"]"#]);
        let out = run_one(&*p, batch(&["1", "not json"])).await;
        assert_eq!(contents(&out), ["1", "not json"], "unchanged");
        for m in &out {
            let err = m.error().expect("flagged");
            assert!(err.starts_with("failed to parse message as JSON: "), "{err}");
            assert_eq!(m.error_source().map(|s| s.name.as_str()), Some("archive"));
        }
    }

    #[tokio::test]
    async fn tar_and_zip_name_files_by_path_and_unarchive_gives_them_back() {
        for format in ["tar", "zip"] {
            let p = processor(&format!(
                "archive: {{format: {format}, path: '${{! meta(\"name\") }}.txt'}}"
            ));
            let mut input = batch(&["first body", "second body"]);
            input[0].meta_mut().insert("name", Value::str("one"));
            input[1].meta_mut().insert("name", Value::str("dir/two"));
            let out = run_one(&*p, input).await;
            assert_eq!(out.len(), 1);
            let un = processor(&format!("unarchive: {{format: {format}}}"));
            let back = run_one(&*un, out).await;
            assert_eq!(contents(&back), ["first body", "second body"], "{format}");
            let names: Vec<String> = back
                .iter()
                .map(|m| {
                    let name = m.meta().get("archive_filename").and_then(Value::as_str);
                    name.unwrap_or_default().to_string()
                })
                .collect();
            assert_eq!(names, ["one.txt", "dir/two.txt"], "{format}");
        }
    }

    #[tokio::test]
    async fn binary_round_trips_a_batch_larger_than_the_inline_limit() {
        let big = "x".repeat(super::INLINE_BYTES);
        let items = [big.as_str(), "", "tail"];
        let p = processor("archive: {format: binary}");
        let out = run_one(&*p, batch(&items)).await;
        assert_eq!(out.len(), 1);
        let back = run_one(&*processor("unarchive: {format: binary}"), out).await;
        assert_eq!(contents(&back), items);
    }

    #[test]
    fn formats_and_path_are_checked() {
        for (yaml, expected) in [
            ("archive: {format: rar}", "format"),
            ("archive: {format: lines, path: x.txt}", "test.archive.path: `path` names files"),
            ("archive: {}", "format"),
        ] {
            let err = build(Kind::Processor, yaml, "").expect_err(yaml);
            assert!(err.contains(expected), "{yaml}: {err}");
        }
        assert!(build(Kind::Processor, "archive: {format: tar}", "").is_ok(), "path defaults to empty");
    }
}

