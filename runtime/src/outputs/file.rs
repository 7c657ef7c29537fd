//! The `file` output: appends messages to files whose path may be
//! interpolated per message. Writes are group-committed: one thread
//! writes everything waiting and fsyncs each file once, and a write is
//! acknowledged only after its bytes are on disk. A file that cannot be
//! written fails only the writes that went to it.

use super::group_commit::{Framing, GroupCommit, Outcome};
use crate::component::{Batch, BoxFuture, Build, BuildError, Error, Output, Registry, WriteCtx};
use crate::config::types::Interp;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tarn_lang::Vm;

fn lines() -> String {
    "lines".into()
}

/// The `file` output's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The file to write each message to (interpolated per message).
    pub path: Interp,
    /// How messages are laid out: `lines`, `append`, `delim:X`, or
    /// `all-bytes` (each message replaces the file).
    #[serde(default = "lines")]
    pub codec: String,
}

/// Registers the output.
pub fn register(r: &mut Registry) {
    r.output::<Config>(
        "file",
        "Writes messages to files (the path may be interpolated); acknowledged once on disk.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Output>, BuildError> {
    let Some(framing) = Framing::parse(&cfg.codec) else {
        return Err(ctx.unsupported("codec", &format!("the codec `{}`", cfg.codec)));
    };
    let rewrite = framing == Framing::AllBytes;
    let mut files = OpenFiles::default();
    Ok(Arc::new(FileOutput {
        path: cfg.path,
        framing,
        writer: GroupCommit::new("file", move |work: &mut Pending| files.commit(work, rewrite)),
    }))
}

/// Bytes waiting per file, in first-write order. Entries stay (with
/// their buffers) between commits; `touched` marks those written since.
/// A file's index is the part the group commit reports it under (stable
/// from the first write of a group to its commit).
#[derive(Debug, Default)]
struct Pending {
    files: Vec<PendingFile>,
}

#[derive(Debug)]
struct PendingFile {
    path: String,
    bytes: Vec<u8>,
    touched: bool,
}

impl Pending {
    /// The index and buffer of `path`, marked as written.
    fn buffer(&mut self, path: String) -> (usize, &mut Vec<u8>) {
        let i = match self.files.iter().position(|f| f.path == path) {
            Some(i) => i,
            None => {
                self.files.push(PendingFile {
                    path,
                    bytes: Vec::new(),
                    touched: false,
                });
                self.files.len() - 1
            }
        };
        let f = &mut self.files[i];
        f.touched = true;
        (i, &mut f.bytes)
    }
}

/// The files the writer thread keeps open.
#[derive(Debug, Default)]
struct OpenFiles {
    open: HashMap<String, std::fs::File>,
}

/// How many files stay open between commits.
const MAX_OPEN: usize = 64;

impl OpenFiles {
    /// Writes and fsyncs each file written since the last commit; a file
    /// that fails is reported under its index.
    fn commit(&mut self, work: &mut Pending, rewrite: bool) -> Outcome {
        let mut outcome = Outcome::default();
        for (i, f) in work.files.iter_mut().enumerate() {
            if !f.touched {
                continue;
            }
            if let Err(e) = self.write(&f.path, &f.bytes, rewrite) {
                self.open.remove(&f.path);
                outcome.fail_part(i, Error::from(e).with_context(&f.path));
            }
            f.bytes.clear();
            f.touched = false;
        }
        // Buffers of files not written lately are let go.
        if work.files.len() > MAX_OPEN {
            work.files.retain(|f| f.touched);
        }
        if self.open.len() > MAX_OPEN {
            self.open.clear();
        }
        outcome
    }

    fn write(&mut self, path: &str, bytes: &[u8], rewrite: bool) -> std::io::Result<()> {
        if rewrite {
            let mut f = std::fs::File::create(create_parent(path)?)?;
            f.write_all(bytes)?;
            return f.sync_data();
        }
        let f = match self.open.entry(path.to_string()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(create_parent(path)?)?,
            ),
        };
        f.write_all(bytes)?;
        f.sync_data()
    }
}

/// `path`, with its parent directories created.
fn create_parent(path: &str) -> std::io::Result<PathBuf> {
    let p = PathBuf::from(path);
    if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    Ok(p)
}

/// Appends to files through the group-commit thread.
#[derive(Debug)]
struct FileOutput {
    path: Interp,
    framing: Framing,
    writer: GroupCommit<Pending>,
}

impl Output for FileOutput {
    fn write<'a>(&'a self, batch: Batch, _: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        let mut vm = Vm::new();
        let mut targets = Vec::with_capacity(batch.len());
        for i in 0..batch.len() {
            match self.path.render(&mut vm, &batch, i) {
                Ok(p) if !p.is_empty() => targets.push(p),
                Ok(_) => return Box::pin(async { Err(Error::rejected("file path: the path is empty")) }),
                Err(e) => {
                    let e = Error::rejected(format!("file path: {e}"));
                    return Box::pin(async move { Err(e) });
                }
            }
        }
        let done = self.writer.submit_parts(|pending, parts| {
            let mut added = 0;
            for (m, path) in batch.iter().zip(targets) {
                let (i, buf) = pending.buffer(path);
                if !parts.contains(&i) {
                    parts.push(i);
                }
                if self.framing == Framing::AllBytes {
                    // Each message is the whole file: the last one wins.
                    buf.clear();
                }
                added += self.framing.put(buf, m.content().as_bytes());
            }
            added
        });
        Box::pin(done)
    }

    fn max_in_flight(&self) -> usize {
        super::GROUP_COMMIT_IN_FLIGHT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use tarn_lang::{Message, Value};

    /// A file output whose first commit waits until `release` is sent
    /// (after saying so on `entered`): the writes made meanwhile all go
    /// to the next group.
    fn gated_output() -> (FileOutput, mpsc::Receiver<()>, mpsc::Sender<()>) {
        let (entered_tx, entered) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        let mut gate = Some((entered_tx, release_rx));
        let mut files = OpenFiles::default();
        let output = FileOutput {
            path: Interp::compile("${! meta(\"path\") }").expect("compiles"),
            framing: Framing::Lines,
            writer: GroupCommit::new("file-test", move |work: &mut Pending| {
                if let Some((entered, release)) = gate.take() {
                    let _ = entered.send(());
                    let _ = release.recv();
                }
                files.commit(work, false)
            }),
        };
        (output, entered, release)
    }

    fn to(path: &str, content: &str) -> Batch {
        vec![Message::new(content.as_bytes()).with_meta("path", Value::str(path))]
    }

    #[tokio::test]
    async fn an_unwritable_file_fails_only_the_writes_that_went_to_it() {
        let dir = std::env::temp_dir().join(format!("tarn-file-out-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let good = dir.join("good.txt");
        let good = good.to_str().expect("utf-8");
        let bad = "/dev/null/x";
        let (output, entered, release) = gated_output();

        // The first group is held in its commit ...
        let plug = output.write(to(good, "plug"), WriteCtx::default());
        entered.recv().expect("first commit started");
        // ... so these three writes are committed together.
        let ok = output.write(to(good, "kept"), WriteCtx::default());
        let failed = output.write(to(bad, "lost"), WriteCtx::default());
        let mut both = to(good, "both-good");
        both.extend(to(bad, "both-bad"));
        let mixed = output.write(both, WriteCtx::default());
        release.send(()).expect("release");

        plug.await.expect("the plug is written");
        ok.await.expect("the good write resolves Ok");
        let err = failed.await.expect_err("the bad write fails");
        assert!(err.message.contains(bad), "{}", err.message);
        mixed.await.expect_err("a write touching the bad file fails");
        let written = std::fs::read_to_string(good).expect("read");
        assert_eq!(written, "plug\nkept\nboth-good\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
