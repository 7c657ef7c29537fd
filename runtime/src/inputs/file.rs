//! The `file` input: the files the `paths` globs match, one after the
//! other, each cut into messages by a scanner (`scanner`, `lines: {}` by
//! default, or the older `codec` string with `max_buffer`), one message
//! per transaction. Every message gets the metadata `path`, `mod_time`
//! (RFC 3339, UTC) and `mod_time_unix`, next to what the scanner sets
//! (`csv_row`, `tar_name` …). Files are streamed, never read whole.
//!
//! A file that cannot be opened or scanned to its end (a message over its
//! limit, a broken archive) is logged and left, and the next file is
//! read. With `delete_on_finish`, a file is deleted once it was read to
//! its end and every one of its messages was delivered; a file with a
//! message that was rejected (and not delivered by a replay) stays.

use super::glob::matched_files;
use super::stdin::scanner_spec;
use crate::codec::{Scanner, ScannerConfig, ScannerSpec};
use crate::component::replay::auto_replay;
use crate::component::{
    AckHandle, BoxFuture, Build, BuildError, Error, Input, Registry, Transaction,
};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tarn_lang::value::{Arc as MetaArc, Map};
use tarn_lang::{Message, Value};

fn yes() -> bool {
    true
}

/// The `file` input's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Glob patterns of the files to read, in order (`*`, `?`, `**`).
    pub paths: Vec<String>,
    /// How each file is cut into messages (`lines: {}` when neither this
    /// nor `codec` is set).
    #[serde(default)]
    pub scanner: Option<ScannerConfig>,
    /// The older form of `scanner`: `lines`, `delim:X`, `csv`,
    /// `all-bytes`, `chunker:N`, `regex:P`, `tar`, `auto`, with `gzip/`
    /// or `skipbom/` before them. Cannot be set with `scanner`.
    #[serde(default)]
    pub codec: Option<String>,
    /// With `codec`: the longest message in bytes for `lines`, `delim:X`
    /// and `regex:P` (1000000 by default).
    #[serde(default)]
    pub max_buffer: Option<i64>,
    /// Delete each file once it is read to its end and all its messages
    /// are delivered.
    #[serde(default)]
    pub delete_on_finish: bool,
    /// Read a rejected message again until it is delivered (otherwise it
    /// is logged and dropped, and its file is not deleted).
    #[serde(default = "yes")]
    pub auto_replay_nacks: bool,
}

/// Registers the input.
pub fn register(r: &mut Registry) {
    r.input::<Config>(
        "file",
        "Reads messages from the files that glob patterns match, cut by a scanner (one per line by default).",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Box<dyn Input>, BuildError> {
    let spec = scanner_spec(ctx, cfg.codec.as_deref(), cfg.max_buffer, cfg.scanner)?;
    if cfg.paths.is_empty() {
        return Err(ctx.field_error("paths", "at least one path is needed"));
    }
    let input = Box::new(Files {
        patterns: cfg.paths,
        spec,
        delete_on_finish: cfg.delete_on_finish,
        replayed: cfg.auto_replay_nacks,
        queue: None,
        current: None,
    });
    // Without replay the input sees the rejections itself: a file with a
    // dropped message must not be deleted.
    Ok(if cfg.auto_replay_nacks {
        auto_replay(input, true)
    } else {
        input
    })
}

/// The file being read.
struct Open {
    scanner: Box<dyn Scanner>,
    /// `path`, `mod_time`, `mod_time_unix`, shared by its messages.
    meta: MetaArc<Map>,
    tracker: Arc<FileDone>,
}

/// A file's messages in flight, to delete it once all are delivered.
#[derive(Debug)]
struct FileDone {
    path: PathBuf,
    delete: bool,
    pending: AtomicUsize,
    /// Every message has been read.
    read_all: AtomicBool,
    /// A message was rejected, or the file could not be read to its end.
    failed: AtomicBool,
    /// The deletion has been started.
    deleting: AtomicBool,
}

impl FileDone {
    /// Deletes the file when it is done, once.
    fn settle(&self) {
        if !self.delete
            || !self.read_all.load(Ordering::SeqCst)
            || self.pending.load(Ordering::SeqCst) != 0
            || self.failed.load(Ordering::SeqCst)
            || self.deleting.swap(true, Ordering::SeqCst)
        {
            return;
        }
        let path = self.path.clone();
        let remove = move || {
            if let Err(e) = std::fs::remove_file(&path) {
                crate::log::error(&format!("file {}: cannot delete: {e}", path.display()));
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn_blocking(remove);
            }
            Err(_) => remove(),
        }
    }
}

struct Files {
    patterns: Vec<String>,
    spec: ScannerSpec,
    delete_on_finish: bool,
    /// Rejections are replayed by the wrapper (else they are logged here).
    replayed: bool,
    /// Files still to read (found at the first read).
    queue: Option<VecDeque<PathBuf>>,
    current: Option<Open>,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Files")
            .field("patterns", &self.patterns)
            .field("spec", &self.spec)
            .field("delete_on_finish", &self.delete_on_finish)
            .field("replayed", &self.replayed)
            .finish_non_exhaustive()
    }
}

/// Opens `path` and its scanner.
async fn open(spec: &ScannerSpec, delete: bool, path: PathBuf) -> Result<Open, String> {
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| e.to_string())?;
        let modified = file
            .metadata()
            .await
            .and_then(|m| m.modified())
            .map_err(|e| format!("reading its modification time: {e}"))?;
        let stamp: chrono::DateTime<chrono::Utc> = modified.into();
        let shown = path.to_string_lossy().into_owned();
        let reader = crate::codec::ThreadReader::spawn("file", file.into_std().await)
            .map_err(|e| format!("starting its reader thread: {e}"))?;
        let scanner = spec
            .open(Box::new(reader), &shown)
            .map_err(|e| e.to_string())?;
        let mut meta = Map::new();
        meta.insert("path", Value::str(&shown));
        meta.insert(
            "mod_time",
            Value::str(&stamp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
        meta.insert("mod_time_unix", Value::Int(stamp.timestamp()));
        Ok(Open {
            scanner,
            meta: MetaArc::new(meta),
            tracker: Arc::new(FileDone {
                path,
                delete,
                pending: AtomicUsize::new(0),
                read_all: AtomicBool::new(false),
                failed: AtomicBool::new(false),
                deleting: AtomicBool::new(false),
            }),
        })
}

/// The transaction of one message of the open file (`replayed`: a
/// rejection is replayed by the wrapper, else it is logged here).
fn transaction(open: &Open, replayed: bool, mut msg: Message) -> Transaction {
        if msg.meta().is_empty() {
            msg.set_meta(open.meta.clone());
        } else {
            let meta = msg.meta_mut();
            for (k, v) in open.meta.iter() {
                meta.insert(k.clone(), v.clone());
            }
        }
        let tracker = open.tracker.clone();
        tracker.pending.fetch_add(1, Ordering::SeqCst);
        let ack = AckHandle::new(move |outcome| {
            if let Err(e) = outcome {
                if !replayed {
                    crate::log::error(&format!(
                        "message rejected and dropped (auto_replay_nacks is off): {e}"
                    ));
                }
                tracker.failed.store(true, Ordering::SeqCst);
            }
            tracker.pending.fetch_sub(1, Ordering::SeqCst);
            tracker.settle();
        });
        Transaction::new(vec![msg], ack)
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
                    // Cancel-safe: the scanner keeps what it has read.
                    match open.scanner.next_message().await {
                        Ok(Some(msg)) => return Ok(transaction(open, self.replayed, msg)),
                        Ok(None) => {
                            open.tracker.read_all.store(true, Ordering::SeqCst);
                            open.tracker.settle();
                            self.current = None;
                        }
                        Err(e) => {
                            let path = open.tracker.path.display().to_string();
                            open.tracker.failed.store(true, Ordering::SeqCst);
                            open.tracker.read_all.store(true, Ordering::SeqCst);
                            self.current = None;
                            crate::log::error(&format!("file {path}: {e}"));
                        }
                    }
                    continue;
                }
                // Taken off the queue only once opened: a read cancelled
                // while opening leaves it there.
                let next = self.queue.as_ref().and_then(|q| q.front().cloned());
                let Some(path) = next else {
                    return Err(Error::end_of_input());
                };
                let opened = open(&self.spec, self.delete_on_finish, path.clone()).await;
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

    fn close(&mut self) -> BoxFuture<'_, ()> {
        self.current = None;
        self.queue = Some(VecDeque::new());
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use crate::component::registry::{Built, Kind};
    use crate::component::{Error, ErrorKind, Input, Transaction};
    use std::path::{Path, PathBuf};
    use tarn_lang::{Message, Value};

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tarn-file-input-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("mkdir");
        d
    }

    fn input(yaml: &str) -> Box<dyn Input> {
        match crate::testing::build(Kind::Input, yaml, "") {
            Ok(Built::Input(i)) => i,
            Ok(other) => panic!("not an input: {other:?}"),
            Err(e) => panic!("{yaml}: {e}"),
        }
    }

    fn text(msg: &Message) -> String {
        String::from_utf8_lossy(msg.content().as_bytes()).into_owned()
    }

    fn meta(msg: &Message, key: &str) -> Option<Value> {
        msg.meta().get(key).cloned()
    }

    /// Reads every message until the end, acking each transaction (the
    /// input only ends once nothing is out).
    async fn drain(input: &mut dyn Input) -> Vec<Message> {
        let mut all = Vec::new();
        loop {
            match input.read().await {
                Ok(t) => {
                    assert_eq!(t.batch.len(), 1, "one message per transaction");
                    all.extend(t.batch);
                    t.ack.ack();
                }
                Err(e) => {
                    assert_eq!(e.kind, ErrorKind::EndOfInput, "{e}");
                    return all;
                }
            }
        }
    }

    /// Reads `n` transactions, leaving them unacknowledged.
    async fn read_n(input: &mut dyn Input, n: usize) -> Vec<Transaction> {
        let mut all = Vec::new();
        for _ in 0..n {
            let t = input.read().await.expect("a message");
            assert_eq!(t.batch.len(), 1, "one message per transaction");
            all.push(t);
        }
        all
    }

    /// Waits (a bounded number of rounds) for `path` to be gone.
    async fn gone(path: &Path) -> bool {
        for _ in 0..500 {
            if !path.exists() {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        false
    }

    #[tokio::test]
    async fn lines_of_each_file_in_order_with_metadata() {
        let d = dir("lines");
        std::fs::write(d.join("a.txt"), "a1\r\na2\n").expect("write");
        std::fs::write(d.join("b.txt"), "b1").expect("write");
        let mut i = input(&format!("file:\n  paths: [ '{}/*.txt' ]\n", d.display()));
        let got = drain(&mut *i).await;
        let texts: Vec<String> = got.iter().map(text).collect();
        assert_eq!(texts, ["a1", "a2", "b1"]);
        let path = format!("{}/b.txt", d.display());
        assert_eq!(meta(&got[2], "path"), Some(Value::str(&path)));
        let Some(Value::Int(unix)) = meta(&got[2], "mod_time_unix") else {
            panic!("mod_time_unix");
        };
        let Some(Value::Str(stamp)) = meta(&got[2], "mod_time") else {
            panic!("mod_time");
        };
        let parsed = chrono::DateTime::parse_from_rfc3339(stamp.as_str()).expect("rfc 3339");
        assert_eq!(parsed.timestamp(), unix);
        assert!(stamp.as_str().ends_with('Z'), "{stamp:?}");
    }

    #[tokio::test]
    async fn a_scanner_cuts_files_and_its_metadata_stays() {
        let d = dir("csv");
        std::fs::write(d.join("rows.csv"), "name,n\nada,1\nbob,2\n").expect("write");
        let mut i = input(&format!(
            "file:\n  paths: [ '{}/rows.csv' ]\n  scanner: {{ csv: {{}} }}\n",
            d.display()
        ));
        let got = drain(&mut *i).await;
        let texts: Vec<String> = got.iter().map(text).collect();
        assert_eq!(texts, [r#"{"n":"1","name":"ada"}"#, r#"{"n":"2","name":"bob"}"#]);
        assert_eq!(meta(&got[1], "csv_row"), Some(Value::Int(1)));
        assert!(meta(&got[1], "path").is_some() && meta(&got[1], "mod_time").is_some());
        // The older codec string works too.
        let mut i = input(&format!(
            "file:\n  paths: [ '{}/rows.csv' ]\n  codec: all-bytes\n",
            d.display()
        ));
        let got = drain(&mut *i).await;
        assert_eq!(got.iter().map(text).collect::<Vec<_>>(), ["name,n\nada,1\nbob,2\n"]);
    }

    #[tokio::test]
    async fn a_line_over_the_limit_ends_its_file_and_the_next_one_is_read() {
        let d = dir("too-long");
        std::fs::write(d.join("1.txt"), "ok\nthis line is too long\nnever\n").expect("write");
        std::fs::write(d.join("2.txt"), "next\n").expect("write");
        let mut i = input(&format!(
            "file:\n  paths: [ '{}/*.txt' ]\n  scanner: {{ lines: {{ max_buffer_size: 8 }} }}\n  delete_on_finish: true\n",
            d.display()
        ));
        let got = drain(&mut *i).await;
        assert_eq!(got.iter().map(text).collect::<Vec<_>>(), ["ok", "next"]);
        assert!(gone(&d.join("2.txt")).await, "read to its end and acked");
        assert!(d.join("1.txt").exists(), "not read to its end: kept");
    }

    #[tokio::test]
    async fn delete_on_finish_waits_for_every_message_of_the_file() {
        let d = dir("delete");
        let file = d.join("f.txt");
        std::fs::write(&file, "1\n2\n3\n").expect("write");
        // Without replay the input ends while messages are still out.
        let mut i = input(&format!(
            "file:\n  paths: [ '{}' ]\n  delete_on_finish: true\n  auto_replay_nacks: false\n",
            file.display()
        ));
        let mut got = read_n(&mut *i, 3).await;
        assert_eq!(i.read().await.expect_err("end").kind, ErrorKind::EndOfInput);
        let last = got.remove(1);
        for t in got {
            t.ack.ack();
        }
        // Give a wrongly early deletion every chance to happen.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(file.exists(), "read to its end, but one message is still out");
        last.ack.ack();
        assert!(gone(&file).await, "deleted once all are acked");
    }

    #[tokio::test]
    async fn a_rejected_message_is_replayed_or_keeps_its_file() {
        let d = dir("nack");
        let file = d.join("f.txt");
        std::fs::write(&file, "only\n").expect("write");
        let yaml = |replay: bool| {
            format!(
                "file:\n  paths: [ '{}' ]\n  delete_on_finish: true\n  auto_replay_nacks: {replay}\n",
                file.display()
            )
        };
        // Replayed: the file goes once the replay is delivered.
        let mut i = input(&yaml(true));
        let first = i.read().await.expect("read");
        first.ack.nack(Error::retryable("output down"));
        let again = i.read().await.expect("replayed");
        assert_eq!(text(&again.batch[0]), "only");
        again.ack.ack();
        assert_eq!(i.read().await.expect_err("end").kind, ErrorKind::EndOfInput);
        assert!(gone(&file).await);
        // Not replayed: dropped, and the file stays.
        std::fs::write(&file, "only\n").expect("write");
        let mut i = input(&yaml(false));
        for t in read_n(&mut *i, 1).await {
            t.ack.nack(Error::rejected("no"));
        }
        assert_eq!(i.read().await.expect_err("end").kind, ErrorKind::EndOfInput);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(file.exists());
    }

    #[test]
    fn codec_and_scanner_errors_are_placed_at_their_field() {
        let build = |yaml: &str| crate::testing::build(Kind::Input, yaml, "").map(|_| ());
        let err = build("file:\n  paths: [ x ]\n  codec: lines\n  scanner: { lines: {} }\n")
            .expect_err("both");
        assert!(err.contains("file.scanner") && err.contains("cannot both"), "{err}");
        let err = build("file:\n  paths: [ x ]\n  max_buffer: 10\n").expect_err("no codec");
        assert!(err.contains("file.max_buffer"), "{err}");
        let err = build("file:\n  paths: [ x ]\n  codec: nope\n").expect_err("bad codec");
        assert!(err.contains("file.codec") && err.contains("nope"), "{err}");
        let err = build("file:\n  paths: [ x ]\n  scanner: { json_array: {} }\n").expect_err("later");
        assert!(err.contains("is not supported yet"), "{err}");
        let err = build("file:\n  paths: [ x ]\n  scanner: { line: {} }\n").expect_err("typo");
        assert!(err.contains("line"), "{err}");
        build("file:\n  paths: [ x ]\n  codec: gzip/lines\n  max_buffer: 10\n").expect("codec");
        build("stdin:\n  scanner: { decompress: { algorithm: gzip, into: { lines: {} } } }\n")
            .expect("stdin scanner");
        let err = build("stdin:\n  codec: csv\n  scanner: { lines: {} }\n").expect_err("both");
        assert!(err.contains("stdin.scanner"), "{err}");
    }
}
