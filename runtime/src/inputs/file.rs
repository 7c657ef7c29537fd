//! The `file` input: every line of every file the `paths` globs match is
//! a message, with metadata `path`, `mod_time` (RFC 3339, UTC) and
//! `mod_time_unix`. Files are read as streams, one block at a time.

use super::glob::matched_files;
use super::lines::LineReader;
use crate::component::replay::auto_replay;
use crate::component::{AckHandle, BoxFuture, Build, BuildError, Error, Input, Registry, Transaction};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tarn_lang::{Message, Value};

fn lines() -> String {
    "lines".into()
}

fn one_mebibyte() -> usize {
    1_000_000
}

fn yes() -> bool {
    true
}

/// The `file` input's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Glob patterns of the files to read (`*`, `?`, `**`).
    pub paths: Vec<String>,
    /// How a file is split into messages (older form of `scanner`).
    #[serde(default = "lines")]
    pub codec: String,
    /// How a file is split into messages (`{lines: {}}` by default).
    pub scanner: Option<serde_json::Value>,
    /// The longest message, in bytes; a longer line is an error.
    #[serde(default = "one_mebibyte")]
    pub max_buffer: usize,
    /// Delete each file once all its messages are delivered.
    #[serde(default)]
    pub delete_on_finish: bool,
    /// Read a rejected message again until it is delivered (otherwise it
    /// is logged and dropped).
    #[serde(default = "yes")]
    pub auto_replay_nacks: bool,
}

/// Registers the input.
pub fn register(r: &mut Registry) {
    r.input::<Config>(
        "file",
        "Reads messages from the files that glob patterns match, one per line.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Box<dyn Input>, BuildError> {
    if cfg.codec != "lines" {
        return Err(ctx.unsupported("codec", &format!("the codec `{}`", cfg.codec)));
    }
    if let Some(s) = &cfg.scanner
        && s != &serde_json::json!({"lines": {}})
        && s != &serde_json::json!({"lines": null})
    {
        return Err(ctx.unsupported("scanner", "a scanner other than `lines: {}`"));
    }
    if cfg.paths.is_empty() {
        return Err(ctx.field_error("paths", "at least one path is needed"));
    }
    let input = Files {
        patterns: cfg.paths,
        max_buffer: cfg.max_buffer,
        delete_on_finish: cfg.delete_on_finish,
        queue: None,
        current: None,
    };
    Ok(auto_replay(Box::new(input), cfg.auto_replay_nacks))
}

/// The file being read.
struct Open {
    lines: LineReader<tokio::fs::File>,
    meta: [(&'static str, Value); 3],
    tracker: Arc<FileDone>,
}

/// Counts a file's messages in flight, to delete it once all are
/// delivered.
#[derive(Debug)]
struct FileDone {
    path: PathBuf,
    delete: bool,
    pending: AtomicUsize,
    /// Every line has been read.
    read_all: AtomicBool,
    failed: AtomicBool,
}

impl FileDone {
    fn settle(&self) {
        if self.delete
            && self.read_all.load(Ordering::SeqCst)
            && self.pending.load(Ordering::SeqCst) == 0
            && !self.failed.swap(true, Ordering::SeqCst)
        {
            let path = self.path.clone();
            tokio::task::spawn_blocking(move || {
                if let Err(e) = std::fs::remove_file(&path) {
                    crate::log::error(&format!("file {}: cannot delete: {e}", path.display()));
                }
            });
        }
    }
}

struct Files {
    patterns: Vec<String>,
    max_buffer: usize,
    delete_on_finish: bool,
    /// Files still to read (found at the first read).
    queue: Option<VecDeque<PathBuf>>,
    current: Option<Open>,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Files({:?})", self.patterns)
    }
}

impl Files {
    async fn open(&self, path: PathBuf) -> std::io::Result<Open> {
        let file = tokio::fs::File::open(&path).await?;
        let modified = file.metadata().await?.modified()?;
        let stamp: chrono::DateTime<chrono::Utc> = modified.into();
        let shown = path.to_string_lossy().into_owned();
        let meta = [
            ("path", Value::str(&shown)),
            (
                "mod_time",
                Value::str(&stamp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ),
            ("mod_time_unix", Value::Int(stamp.timestamp())),
        ];
        Ok(Open {
            lines: LineReader::new(file, self.max_buffer),
            meta,
            tracker: Arc::new(FileDone {
                path,
                delete: self.delete_on_finish,
                pending: AtomicUsize::new(0),
                read_all: AtomicBool::new(false),
                failed: AtomicBool::new(false),
            }),
        })
    }
}

impl Input for Files {
    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            if self.queue.is_none() {
                let patterns = self.patterns.clone();
                let found = tokio::task::spawn_blocking(move || matched_files(&patterns))
                    .await
                    .map_err(|e| Error::fatal(format!("listing files: {e}")))?;
                self.queue = Some(found.into());
            }
            loop {
                if let Some(open) = &mut self.current {
                    match open.lines.next_line().await {
                        Ok(Some(line)) => {
                            let mut msg = Message::new(&line);
                            for (k, v) in &open.meta {
                                msg.meta_mut().insert(*k, v.clone());
                            }
                            let tracker = open.tracker.clone();
                            tracker.pending.fetch_add(1, Ordering::SeqCst);
                            let ack = AckHandle::new(move |outcome| {
                                if outcome.is_err() {
                                    tracker.failed.store(true, Ordering::SeqCst);
                                }
                                tracker.pending.fetch_sub(1, Ordering::SeqCst);
                                tracker.settle();
                            });
                            return Ok(Transaction::new(vec![msg], ack));
                        }
                        Ok(None) => {
                            open.tracker.read_all.store(true, Ordering::SeqCst);
                            open.tracker.settle();
                            self.current = None;
                        }
                        Err(e) => {
                            let path = open.tracker.path.display().to_string();
                            open.tracker.failed.store(true, Ordering::SeqCst);
                            self.current = None;
                            crate::log::error(&format!("file {path}: {e}"));
                        }
                    }
                }
                // Taken off the queue only once opened: a read cancelled
                // while opening leaves it there.
                let next = self.queue.as_ref().and_then(|q| q.front().cloned());
                let Some(path) = next else {
                    return Err(Error::end_of_input());
                };
                let opened = self.open(path.clone()).await;
                if let Some(q) = self.queue.as_mut() {
                    q.pop_front();
                }
                match opened {
                    Ok(open) => self.current = Some(open),
                    Err(e) => crate::log::error(&format!("file {}: {e}", path.display())),
                }
            }
        })
    }
}
