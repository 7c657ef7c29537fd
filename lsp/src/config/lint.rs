//! Config lint as diagnostics: the injected lint function's problems,
//! placed on the token they point at and merged with the Bloblang
//! diagnostics of the same document; and the worker thread that runs it
//! off the server's loop, once the text has settled, and not again for a
//! text it has already linted.

use crate::document::Document;
use crate::schema::{ConfigProblem, ConfigSupport};
use lsp_types::{Diagnostic, DiagnosticSeverity, Uri};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The byte offset of a 1-based line and character column, clamped to
/// the text and to the line.
fn offset_at(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..end]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(end, |(i, _)| start + i)
}

/// The end of the token starting at `start`: a quoted scalar, a key up to
/// its colon, or a value up to a comment or the end of the line.
fn token_end(text: &str, start: usize) -> usize {
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let rest = text[start..line_end].trim_end_matches('\r');
    let content = super::cursor::strip_comment(rest).trim_end();
    let len = match content.chars().next() {
        Some(q @ ('"' | '\'')) => content[1..].find(q).map_or(content.len(), |e| e + 2),
        Some(_) => super::cursor::key_len(content).unwrap_or(content.len()),
        None => 0,
    };
    start + len
}

/// Diagnostics for lint `problems` of `doc`. A problem inside a Bloblang
/// region that already has an error diagnostic in `bloblang` is the same
/// compile error, and is left out.
pub fn problem_diagnostics(
    doc: &Document,
    problems: &[ConfigProblem],
    bloblang: &[Diagnostic],
) -> Vec<Diagnostic> {
    let covered: Vec<(usize, usize)> = doc
        .regions()
        .iter()
        .map(|r| (r.to_doc(0), r.to_doc(r.source.len())))
        .filter(|(s, e)| {
            let (s, e) = (doc.position(*s), doc.position(*e));
            bloblang.iter().any(|d| {
                d.severity == Some(DiagnosticSeverity::ERROR)
                    && d.range.start >= s
                    && d.range.start <= e
            })
        })
        .collect();
    problems
        .iter()
        .filter_map(|p| {
            let start = offset_at(&doc.text, p.line, p.col);
            if covered.iter().any(|(s, e)| (*s..=*e).contains(&start)) {
                return None;
            }
            let end = token_end(&doc.text, start).max(start);
            Some(Diagnostic {
                range: doc.range(start, end),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("tarn lint".into()),
                message: p.message.clone(),
                ..Default::default()
            })
        })
        .collect()
}

/// Every diagnostic of a YAML config: Bloblang ones and, when the text is
/// a config, lint's.
pub fn diagnostics(doc: &Document, support: &ConfigSupport) -> Vec<Diagnostic> {
    let mut out = crate::features::diagnostics(doc);
    if super::is_config(&doc.text, &support.schema) {
        let run =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (support.lint)(&doc.text)));
        let problems = run.unwrap_or_else(|_| {
            vec![ConfigProblem {
                line: 1,
                col: 1,
                path: String::new(),
                message: "internal error: lint failed on this config; `tarn lint` shows more"
                    .into(),
            }]
        });
        let extra = problem_diagnostics(doc, &problems, &out);
        out.extend(extra);
    }
    out.sort_by_key(|d| (d.range.start, d.range.end));
    out
}

/// Work for the lint thread.
#[derive(Debug)]
pub enum Job {
    /// Diagnose this version of a document.
    Check {
        /// The document's URI.
        uri: Uri,
        /// Its version, sent back with the diagnostics.
        version: Option<i32>,
        /// The document.
        doc: Document,
    },
    /// The document was closed: clear its diagnostics.
    Close {
        /// The document's URI.
        uri: Uri,
    },
}

impl Job {
    fn uri(&self) -> &Uri {
        match self {
            Job::Check { uri, .. } | Job::Close { uri } => uri,
        }
    }
}

/// Publishes a document's diagnostics (with its version); false once the
/// client is gone.
pub type PublishFn = dyn Fn(Uri, Option<i32>, Vec<Diagnostic>) -> bool + Send;

/// The lint thread.
#[derive(Debug)]
pub struct Linter {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Linter {
    /// Starts the thread; it hands its results to `publish`.
    pub fn start(support: Arc<ConfigSupport>, publish: Box<PublishFn>) -> Result<Linter, String> {
        let (jobs, rx) = channel();
        let thread = std::thread::Builder::new()
            .name("tarn-lsp-lint".into())
            .spawn(move || run(&rx, &support, &*publish))
            .map_err(|e| format!("cannot start the lint thread: {e}"))?;
        Ok(Linter {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Queues a job.
    pub fn submit(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            // A send fails only once the thread is gone; nothing to do then.
            let _ = jobs.send(job);
        }
    }
}

impl Drop for Linter {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Adds `job`, replacing an older job for the same document.
fn merge(pending: &mut Vec<Job>, job: Job) {
    match pending.iter().position(|j| j.uri() == job.uri()) {
        Some(i) => pending[i] = job,
        None => pending.push(job),
    }
}

/// Takes the next batch of jobs: the first one, then whatever arrives
/// until the queue has been quiet for `quiet` (at most `4 × quiet` in
/// all), newest per document. `None` once the server is gone and
/// nothing is left.
pub fn next_batch(rx: &Receiver<Job>, quiet: Duration) -> Option<Vec<Job>> {
    let mut pending = vec![rx.recv().ok()?];
    let deadline = Instant::now() + quiet * 4;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            // Whatever is already queued still joins the batch.
            while let Ok(job) = rx.try_recv() {
                merge(&mut pending, job);
            }
            return Some(pending);
        }
        match rx.recv_timeout(quiet.min(left)) {
            Ok(job) => merge(&mut pending, job),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                return Some(pending);
            }
        }
    }
}

/// The lint thread's memory: the last text diagnosed per document and
/// what it gave.
struct Worker<'s> {
    support: &'s ConfigSupport,
    last: HashMap<String, (String, Vec<Diagnostic>)>,
}

impl Worker<'_> {
    /// The diagnostics to publish for `job`.
    fn handle(&mut self, job: Job) -> (Uri, Option<i32>, Vec<Diagnostic>) {
        match job {
            Job::Check { uri, version, doc } => {
                let key = uri.as_str().to_string();
                let diags = match self.last.get(&key) {
                    Some((text, diags)) if *text == doc.text => diags.clone(),
                    _ => {
                        let diags = diagnostics(&doc, self.support);
                        self.last.insert(key, (doc.text, diags.clone()));
                        diags
                    }
                };
                (uri, version, diags)
            }
            Job::Close { uri } => {
                self.last.remove(uri.as_str());
                (uri, None, Vec::new())
            }
        }
    }
}

fn run(rx: &Receiver<Job>, support: &ConfigSupport, publish: &PublishFn) {
    let mut worker = Worker {
        support,
        last: HashMap::new(),
    };
    while let Some(batch) = next_batch(rx, support.debounce) {
        for job in batch {
            let (uri, version, diags) = worker.handle(job);
            if !publish(uri, version, diags) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::sample;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn offsets_of_lines_and_character_columns() {
        let text = "a: 1\nb: é x\n";
        assert_eq!(offset_at(text, 1, 1), 0);
        assert_eq!(offset_at(text, 2, 4), 8);
        assert_eq!(offset_at(text, 2, 5), 10);
        assert_eq!(offset_at(text, 2, 99), 12);
        assert_eq!(offset_at(text, 9, 1), text.len());
        assert_eq!(token_end(text, 5), 6);
        assert_eq!(token_end("k: 'a b' # c\n", 3), 8);
        assert_eq!(token_end("k: fan outt # c\n", 3), 11);
    }

    fn doc(text: &str) -> Document {
        Document::new(text.into(), true, None).with_schema(Arc::new(sample()))
    }

    #[test]
    fn problems_land_on_their_token_and_repeat_no_bloblang_error() {
        let text = "input:\n  http_server:\n    pathh: /x\npipeline:\n  processors:\n    - mapping: root = nope(\n";
        let d = doc(text);
        let bloblang = crate::features::diagnostics(&d);
        assert_eq!(bloblang.len(), 1, "{bloblang:?}");
        let problems = [
            ConfigProblem {
                line: 3,
                col: 5,
                path: "input.http_server.pathh".into(),
                message: "unknown field `pathh`; did you mean `path`?".into(),
            },
            ConfigProblem {
                line: 6,
                col: 27,
                path: "pipeline.processors.0.mapping".into(),
                message: "the same compile error".into(),
            },
        ];
        let out = problem_diagnostics(&d, &problems, &bloblang);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].range, d.range(26, 31));
        assert_eq!(out[0].source.as_deref(), Some("tarn lint"));
    }

    fn counting(calls: Arc<AtomicUsize>) -> ConfigSupport {
        ConfigSupport::new(sample(), move |text: &str| {
            calls.fetch_add(1, Ordering::SeqCst);
            vec![ConfigProblem {
                line: 1,
                col: 1,
                path: String::new(),
                message: format!("{} bytes", text.len()),
            }]
        })
    }

    fn check(version: i32, text: &str) -> Job {
        Job::Check {
            uri: "file:///c.yaml".parse().expect("a uri"),
            version: Some(version),
            doc: doc(text),
        }
    }

    #[test]
    fn a_burst_of_changes_makes_one_job() {
        let (tx, rx) = channel();
        for (v, text) in ["input:\n", "input:\n ", "input:\n  x"].iter().enumerate() {
            tx.send(check(v as i32, text)).expect("queued");
        }
        tx.send(Job::Close {
            uri: "file:///other.yaml".parse().expect("a uri"),
        })
        .expect("queued");
        drop(tx);
        let batch = next_batch(&rx, Duration::from_millis(1)).expect("a batch");
        assert_eq!(batch.len(), 2, "{batch:?}");
        assert!(matches!(
            &batch[0],
            Job::Check {
                version: Some(2),
                ..
            }
        ));
        assert!(matches!(&batch[1], Job::Close { .. }));
        assert!(next_batch(&rx, Duration::from_millis(1)).is_none());
    }

    #[test]
    fn unchanged_text_is_not_linted_again() {
        let calls = Arc::new(AtomicUsize::new(0));
        let support = counting(calls.clone());
        let mut worker = Worker {
            support: &support,
            last: HashMap::new(),
        };
        let (_, v, first) = worker.handle(check(1, "input:\n  x: 1\n"));
        assert_eq!(v, Some(1));
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].message, "14 bytes");
        let (_, v, again) = worker.handle(check(2, "input:\n  x: 1\n"));
        assert_eq!((v, &again), (Some(2), &first));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        worker.handle(check(3, "input:\n  x: 2\n"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // A YAML file that is not a config is not linted.
        worker.handle(check(4, "jobs:\n  build: {}\n"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        let (_, _, closed) = worker.handle(Job::Close {
            uri: "file:///c.yaml".parse().expect("a uri"),
        });
        assert!(closed.is_empty());
        assert!(worker.last.is_empty());
    }

    #[test]
    fn a_panicking_lint_becomes_a_diagnostic() {
        let support = ConfigSupport::new(sample(), |_: &str| -> Vec<ConfigProblem> {
            panic!("lint bug")
        });
        let out = diagnostics(&doc("input:\n  stdin: {}\n"), &support);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].message.starts_with("internal error"), "{out:?}");
    }
}
