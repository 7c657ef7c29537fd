//! Group commit for outputs that write to blocking destinations (standard
//! output, files): writes append to a shared buffer at once, in call
//! order, and a dedicated thread commits everything that is waiting in
//! one go (one write, one fsync); every write in that group resolves
//! with the outcome of what it touched: a group may span several parts
//! (files), and a part that fails fails only the writes that reported
//! it. Nothing resolves before its bytes are committed, and the async
//! workers never block.

use crate::component::{BoxFuture, Error};
use smallvec::SmallVec;
use std::sync::{Arc, Condvar, Mutex};
use tokio::sync::watch;

/// The parts (indices the pending work gives, e.g. one per file) a write
/// added bytes to.
pub type Parts = SmallVec<[usize; 4]>;

/// The outcome of committing one group: a failure of the whole group,
/// or failures of some of its parts.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// A failure every write of the group shares.
    group: Option<Error>,
    /// Failed parts, by the index the writes reported.
    parts: Vec<(usize, Error)>,
}

impl Outcome {
    /// Records that `part` failed with `error`: the writes that touched
    /// it fail, the others do not.
    pub fn fail_part(&mut self, part: usize, error: Error) {
        self.parts.push((part, error));
    }

    /// The outcome of a write that touched `parts`: the group's failure,
    /// else the failure of the first failed part it touched.
    fn of(&self, parts: &[usize]) -> Result<(), Error> {
        if let Some(e) = &self.group {
            return Err(e.clone());
        }
        match self.parts.iter().find(|(p, _)| parts.contains(p)) {
            Some((_, e)) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

impl From<Result<(), Error>> for Outcome {
    /// A result for the whole group.
    fn from(r: Result<(), Error>) -> Outcome {
        Outcome {
            group: r.err(),
            parts: Vec::new(),
        }
    }
}

/// The outcome of one group, shared by its writes.
type GroupResult = Option<Outcome>;

struct State<T> {
    /// What is waiting to be committed.
    pending: T,
    /// Writes in `pending`.
    waiting: usize,
    /// The outcome channel of the group `pending` belongs to.
    group: Option<watch::Sender<GroupResult>>,
    /// Bytes in `pending` (as the writes reported them).
    bytes: usize,
    /// The owner is gone: commit what is left and stop.
    closed: bool,
    /// The thread has been started.
    started: bool,
    /// The thread waits for a first write (it must be woken).
    idle: bool,
    /// The thread lingers for more writes (woken once enough wait).
    lingering: bool,
}

/// How long the writer thread lets a small group grow before committing
/// it: a busy pipeline then commits many writes at once (one system call,
/// one fsync) instead of waking the thread per write; a lone write waits
/// at most this long.
const LINGER: std::time::Duration = std::time::Duration::from_micros(500);

/// A group this large is committed without lingering.
const GROUP_BYTES: usize = 256 * 1024;

struct Shared<T> {
    state: Mutex<State<T>>,
    wake: Condvar,
}

/// What commits a group's pending work.
type CommitFn<T> = Box<dyn FnMut(&mut T) -> Outcome + Send>;

/// A group-committing writer whose pending work is a `T` (bytes, or
/// bytes per file) and whose commit is `commit`.
pub struct GroupCommit<T: Default + Send + 'static> {
    shared: Arc<Shared<T>>,
    commit: Mutex<Option<CommitFn<T>>>,
    name: &'static str,
}

impl<T: Default + Send + 'static> std::fmt::Debug for GroupCommit<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GroupCommit({})", self.name)
    }
}

use crate::sync::lock;

impl<T: Default + Send + 'static> GroupCommit<T> {
    /// A writer that commits with `commit` on a thread named `name`,
    /// started by the first write. `commit` must leave the work it is
    /// given empty (its buffers are reused, so it keeps their capacity);
    /// it gives a result for the whole group or an [`Outcome`] per part.
    pub fn new<R: Into<Outcome>>(
        name: &'static str,
        mut commit: impl FnMut(&mut T) -> R + Send + 'static,
    ) -> GroupCommit<T> {
        GroupCommit {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    pending: T::default(),
                    waiting: 0,
                    group: None,
                    bytes: 0,
                    closed: false,
                    started: false,
                    idle: false,
                    lingering: false,
                }),
                wake: Condvar::new(),
            }),
            commit: Mutex::new(Some(Box::new(move |work: &mut T| commit(work).into()))),
            name,
        }
    }

    /// Adds work with `fill` (at once, so writes keep their call order);
    /// `fill` returns how many bytes it added. Gives the future of the
    /// write's outcome: the failure of the whole group, if any.
    pub fn submit(
        &self,
        fill: impl FnOnce(&mut T) -> usize,
    ) -> BoxFuture<'static, Result<(), Error>> {
        self.submit_parts(|work, _| fill(work))
    }

    /// Like [`GroupCommit::submit`], but `fill` also records in its
    /// second argument the parts it added bytes to: the write then fails
    /// only if the whole group or one of those parts fails.
    pub fn submit_parts(
        &self,
        fill: impl FnOnce(&mut T, &mut Parts) -> usize,
    ) -> BoxFuture<'static, Result<(), Error>> {
        let mut start = false;
        let mut parts = Parts::new();
        let rx = {
            let mut state = lock(&self.shared.state);
            if state.closed {
                return Box::pin(async { Err(Error::closed()) });
            }
            if !state.started {
                state.started = true;
                start = true;
            }
            state.bytes += fill(&mut state.pending, &mut parts);
            state.waiting += 1;
            let group = state.group.get_or_insert_with(|| watch::channel(None).0);
            let rx = group.subscribe();
            // Wake the thread only when it needs it: a first write, or a
            // group grown big enough to commit before the linger ends.
            if state.idle || (state.lingering && state.bytes >= GROUP_BYTES) {
                self.shared.wake.notify_one();
            }
            rx
        };
        // Outside the lock: a thread that cannot start fails the writes
        // waiting, which takes the lock.
        if start {
            self.start();
        }
        Box::pin(wait(rx, parts))
    }

    fn start(&self) {
        let Some(mut commit) = lock(&self.commit).take() else {
            return;
        };
        let shared = self.shared.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("tarn-{}", self.name))
            .spawn(move || {
                let mut work = T::default();
                loop {
                    let group = {
                        let mut state = lock(&shared.state);
                        while state.waiting == 0 && !state.closed {
                            state.idle = true;
                            state = shared
                                .wake
                                .wait(state)
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            state.idle = false;
                        }
                        if state.waiting == 0 {
                            return;
                        }
                        let until = std::time::Instant::now() + LINGER;
                        while state.bytes < GROUP_BYTES && !state.closed {
                            let left = until.saturating_duration_since(std::time::Instant::now());
                            if left.is_zero() {
                                break;
                            }
                            state.lingering = true;
                            state = shared
                                .wake
                                .wait_timeout(state, left)
                                .map(|(s, _)| s)
                                .unwrap_or_else(|p| p.into_inner().0);
                            state.lingering = false;
                        }
                        state.waiting = 0;
                        state.bytes = 0;
                        // The emptied buffers of the last commit take the
                        // place of the pending work.
                        std::mem::swap(&mut state.pending, &mut work);
                        state.group.take()
                    };
                    let result = commit(&mut work);
                    if let Some(group) = group {
                        let _ = group.send(Some(result));
                    }
                }
            });
        if let Err(e) = spawned {
            // Every write waiting now (and later) fails.
            let mut state = lock(&self.shared.state);
            state.closed = true;
            if let Some(group) = state.group.take() {
                let _ = group.send(Some(Outcome::from(Err(Error::fatal(format!(
                    "cannot start the {} writer thread: {e}",
                    self.name
                ))))));
            }
        }
    }
}

async fn wait(mut rx: watch::Receiver<GroupResult>, parts: Parts) -> Result<(), Error> {
    match rx.wait_for(Option::is_some).await {
        Ok(r) => r
            .as_ref()
            .map_or_else(|| Err(Error::dropped()), |o| o.of(&parts)),
        Err(_) => Err(Error::closed()),
    }
}

impl<T: Default + Send + 'static> Drop for GroupCommit<T> {
    fn drop(&mut self) {
        let mut state = lock(&self.shared.state);
        state.closed = true;
        self.shared.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_are_committed_in_call_order_and_resolve_after_commit() {
        let seen = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
        let s = seen.clone();
        let gc: GroupCommit<Vec<u8>> = GroupCommit::new("test", move |bytes: &mut Vec<u8>| {
            s.lock().expect("lock").push(std::mem::take(bytes));
            Ok(())
        });
        let waits: Vec<_> = (0..50u8)
            .map(|i| {
                gc.submit(|buf| {
                    buf.push(i);
                    1
                })
            })
            .collect();
        for w in waits {
            w.await.expect("committed");
        }
        let all: Vec<u8> = seen.lock().expect("lock").concat();
        assert_eq!(all, (0..50).collect::<Vec<u8>>());
    }

    #[tokio::test]
    async fn a_failed_commit_fails_its_writes() {
        let gc: GroupCommit<Vec<u8>> = GroupCommit::new("test", |b: &mut Vec<u8>| {
            b.clear();
            Err(Error::retryable("disk full"))
        });
        let err = gc
            .submit(|b| {
                b.push(1);
                1
            })
            .await
            .expect_err("fails");
        assert_eq!(err.message, "disk full");
    }

    #[tokio::test]
    async fn a_failed_part_fails_only_the_writes_that_touched_it() {
        // Part 1 always fails; parts 0 and 2 are written.
        let gc: GroupCommit<Vec<u8>> = GroupCommit::new("test", |b: &mut Vec<u8>| {
            b.clear();
            let mut outcome = Outcome::default();
            outcome.fail_part(1, Error::retryable("part 1 failed"));
            outcome
        });
        let write = |touched: &'static [usize]| {
            gc.submit_parts(move |b, parts| {
                b.push(0);
                parts.extend_from_slice(touched);
                1
            })
        };
        let (good, bad, mixed, none) = (write(&[0, 2]), write(&[1]), write(&[2, 1]), write(&[]));
        good.await.expect("parts 0 and 2 committed");
        assert_eq!(bad.await.expect_err("part 1").message, "part 1 failed");
        assert_eq!(mixed.await.expect_err("part 1").message, "part 1 failed");
        none.await.expect("touched nothing that failed");
    }
}

/// How messages are laid out in a byte stream (the `codec` field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// Each message followed by a newline.
    Lines,
    /// Messages back to back.
    Append,
    /// Each message followed by a custom delimiter.
    Delim(Vec<u8>),
    /// Each message is the whole destination (a file is rewritten).
    AllBytes,
}

impl Framing {
    /// Reads a `codec` value; `None` for one Tarn does not support.
    pub fn parse(codec: &str) -> Option<Framing> {
        match codec {
            "lines" => Some(Framing::Lines),
            "append" => Some(Framing::Append),
            "all-bytes" => Some(Framing::AllBytes),
            other => other
                .strip_prefix("delim:")
                .filter(|d| !d.is_empty())
                .map(|d| Framing::Delim(d.as_bytes().to_vec())),
        }
    }

    /// Appends `content` framed; gives the bytes added.
    pub fn put(&self, out: &mut Vec<u8>, content: &[u8]) -> usize {
        let before = out.len();
        out.extend_from_slice(content);
        match self {
            Framing::Lines => out.push(b'\n'),
            Framing::Delim(d) => out.extend_from_slice(d),
            Framing::Append | Framing::AllBytes => {}
        }
        out.len() - before
    }
}
