//! Where lines go: stderr (written by the logging thread, as every line
//! is small) or a file written by a dedicated thread, so that async
//! workers never wait on the disk.
//!
//! The file's queue holds [`QUEUE_LINES`] lines. It is lossless: when the
//! disk cannot keep up and the queue is full, the logging thread waits
//! for room rather than drop a line. A write that fails is reported on
//! stderr once, and the lines that cannot be written go to stderr.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::time::{Duration, SystemTime};

/// How many lines wait for the file writer before a logging thread has to.
pub const QUEUE_LINES: usize = 16 * 1024;

/// The size past which a rotated file is renamed and a new one started.
pub const ROTATE_BYTES: u64 = 10 * 1024 * 1024;

/// How a file is rotated.
#[derive(Debug, Clone, Copy)]
pub struct Rotation {
    /// The size a file does not grow past (a single longer line still
    /// goes in whole).
    pub max_bytes: u64,
    /// Rotated files older than this are deleted; 0 keeps them.
    pub max_age_days: u64,
}

enum Command {
    Line(Vec<u8>),
    Flush(SyncSender<()>),
}

/// A log file and the thread that writes it.
#[derive(Debug)]
pub struct FileSink {
    path: String,
    queue: Mutex<SyncSender<Command>>,
}

impl FileSink {
    /// Opens (creating, appending) `path` and starts its writer thread.
    pub fn open(path: &str, rotation: Option<Rotation>) -> io::Result<FileSink> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        let (tx, rx) = sync_channel(QUEUE_LINES);
        let writer = Writer {
            path: PathBuf::from(path),
            out: BufWriter::new(file),
            size,
            rotation,
            failed: false,
        };
        std::thread::Builder::new()
            .name("tarn-log-file".into())
            .spawn(move || writer.run(rx))?;
        Ok(FileSink {
            path: path.to_string(),
            queue: Mutex::new(tx),
        })
    }

    /// The file's path as configured.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Queues `line`, waiting only while the queue is full. Should the
    /// writer be gone, the line goes to stderr.
    pub fn write(&self, line: Vec<u8>) {
        let sender = self.sender();
        if let Err(e) = sender.send(Command::Line(line))
            && let Command::Line(line) = e.0
        {
            let _ = io::stderr().lock().write_all(&line);
        }
    }

    /// Waits until every line queued so far is in the file (flushed to
    /// the operating system).
    pub fn flush(&self) {
        let (ack, done) = sync_channel(1);
        if self.sender().send(Command::Flush(ack)).is_ok() {
            let _ = done.recv();
        }
    }

    fn sender(&self) -> SyncSender<Command> {
        crate::sync::lock(&self.queue).clone()
    }
}

struct Writer {
    path: PathBuf,
    out: BufWriter<File>,
    size: u64,
    rotation: Option<Rotation>,
    /// A write failed and was reported: lines go to stderr.
    failed: bool,
}

impl Writer {
    fn run(mut self, rx: Receiver<Command>) {
        while let Ok(command) = rx.recv() {
            self.handle(command);
            // Take what else is queued, then flush once the queue is empty.
            loop {
                match rx.try_recv() {
                    Ok(command) => self.handle(command),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        self.flush();
                        return;
                    }
                }
            }
            self.flush();
        }
        self.flush();
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Line(line) => self.write(&line),
            Command::Flush(ack) => {
                self.flush();
                let _ = ack.send(());
            }
        }
    }

    fn write(&mut self, line: &[u8]) {
        if self.failed {
            let _ = io::stderr().lock().write_all(line);
            return;
        }
        if let Some(rotation) = self.rotation
            && self.size > 0
            && self.size + line.len() as u64 > rotation.max_bytes
            && let Err(e) = self.rotate(rotation)
        {
            self.fail(&format!("cannot rotate it: {e}"));
        }
        match self.out.write_all(line) {
            Ok(()) => self.size += line.len() as u64,
            Err(e) => {
                self.fail(&format!("cannot write to it: {e}"));
                let _ = io::stderr().lock().write_all(line);
            }
        }
    }

    fn flush(&mut self) {
        if !self.failed
            && let Err(e) = self.out.flush()
        {
            self.fail(&format!("cannot write to it: {e}"));
        }
    }

    fn fail(&mut self, why: &str) {
        if !self.failed {
            self.failed = true;
            let _ = writeln!(
                io::stderr().lock(),
                "level=error msg=\"log file {}: {why}; logging to stderr from now on\"",
                self.path.display()
            );
        }
    }

    /// Renames the file to its rotated name, starts a new one and prunes
    /// old rotated files.
    fn rotate(&mut self, rotation: Rotation) -> io::Result<()> {
        self.out.flush()?;
        let now = chrono::Utc::now();
        let backup = rotated_name(&self.path, &now.format("%Y-%m-%dT%H-%M-%S%.3f").to_string());
        std::fs::rename(&self.path, &backup)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.out = BufWriter::new(file);
        self.size = 0;
        prune(&self.path, &backup, rotation.max_age_days);
        Ok(())
    }
}

/// `dir/name-<stamp>.ext` for `dir/name.ext`.
fn rotated_name(path: &Path, stamp: &str) -> PathBuf {
    let (stem, ext) = split_name(path);
    path.with_file_name(format!("{stem}-{stamp}{ext}"))
}

/// The file name's stem and extension (with its dot, or empty).
fn split_name(path: &Path) -> (String, String) {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (stem, ext)
}

/// Deletes every rotated file of `path` but `keep`, the newest; with a
/// maximum age, `keep` too once it is older than that.
fn prune(path: &Path, keep: &Path, max_age_days: u64) {
    let (stem, ext) = split_name(path);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let max_age = Duration::from_secs(max_age_days.saturating_mul(24 * 3600));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stamp) = name
            .strip_prefix(&format!("{stem}-"))
            .and_then(|rest| rest.strip_suffix(ext.as_str()))
        else {
            continue;
        };
        if chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H-%M-%S%.3f").is_err() {
            continue;
        }
        let here = entry.path();
        let too_old = max_age_days > 0
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > max_age);
        if here != keep || too_old {
            let _ = std::fs::remove_file(here);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tarn-log-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn lines_reach_the_file_in_order_after_a_flush() {
        let dir = temp_dir("order");
        let path = dir.join("x.log");
        std::fs::write(&path, "before\n").expect("seed");
        let sink = FileSink::open(path.to_str().expect("utf-8"), None).expect("opens");
        for i in 0..1000 {
            sink.write(format!("line {i}\n").into_bytes());
        }
        sink.flush();
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1001);
        assert_eq!(lines[0], "before", "appends");
        assert_eq!(lines[1000], "line 999");
        assert!(
            lines[1..]
                .iter()
                .enumerate()
                .all(|(i, l)| *l == format!("line {i}"))
        );
    }

    #[test]
    fn rotation_renames_past_the_size_and_keeps_one_backup() {
        let dir = temp_dir("rotate");
        let path = dir.join("svc.log");
        let rotation = Rotation {
            max_bytes: 100,
            max_age_days: 0,
        };
        let sink = FileSink::open(path.to_str().expect("utf-8"), Some(rotation)).expect("opens");
        let line = "0123456789012345678901234567890123456789\n"; // 41 bytes
        for _ in 0..2 {
            sink.write(line.as_bytes().to_vec());
        }
        sink.flush();
        assert_eq!(std::fs::read_to_string(&path).expect("read").len(), 82);
        for _ in 0..6 {
            sink.write(line.as_bytes().to_vec());
            sink.flush();
        }
        let current = std::fs::read_to_string(&path).expect("read");
        assert!(
            current.len() <= 100 && !current.is_empty(),
            "{}",
            current.len()
        );
        let backups: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "svc.log")
            .collect();
        assert_eq!(backups.len(), 1, "{backups:?}");
        assert!(
            backups[0].starts_with("svc-20") && backups[0].ends_with(".log"),
            "{backups:?}"
        );
        let backup = std::fs::read_to_string(dir.join(&backups[0])).expect("read");
        assert_eq!(backup.len() % line.len(), 0);
        // Nothing lost: 8 lines in all, at most 2 per file, and only the
        // last backup is kept, so current + backup hold the last lines.
        assert!(current.len() + backup.len() >= 2 * line.len());
    }

    #[test]
    fn a_missing_directory_is_an_open_error() {
        let dir = temp_dir("missing");
        let path = dir.join("no/such/dir/x.log");
        assert!(FileSink::open(path.to_str().expect("utf-8"), None).is_err());
    }
}
