//! Acknowledgements: the handle an input gives with each batch, which
//! resolves exactly once with ack or nack; shares of one handle for a
//! batch that was split; and the ordered-ack helper that offset-based
//! inputs (Kafka, Redis streams, JetStream) commit with.

use super::error::Error;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// How a transaction ended: delivered, or rejected with the reason.
pub type Outcome = Result<(), Error>;

type AckFn = Box<dyn FnOnce(Outcome) + Send>;

/// Tells an input how its batch ended. It resolves exactly once: with
/// [`AckHandle::ack`], or, when dropped unresolved, as a nack, so a lost
/// handle never reads as delivered.
pub struct AckHandle(Option<AckFn>);

impl std::fmt::Debug for AckHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "AckHandle(pending)"
        } else {
            "AckHandle(done)"
        })
    }
}

impl AckHandle {
    /// A handle that calls `f` with the outcome.
    pub fn new(f: impl FnOnce(Outcome) + Send + 'static) -> AckHandle {
        AckHandle(Some(Box::new(f)))
    }

    /// A handle nobody waits for.
    pub fn none() -> AckHandle {
        AckHandle(None)
    }

    /// Resolves the handle.
    pub fn resolve(mut self, outcome: Outcome) {
        if let Some(f) = self.0.take() {
            f(outcome);
        }
    }

    /// Acknowledges: delivered.
    pub fn ack(self) {
        self.resolve(Ok(()));
    }

    /// Rejects with `error`.
    pub fn nack(self, error: Error) {
        self.resolve(Err(error));
    }

    /// Splits the handle into `n` shares. The original resolves once every
    /// share has: with the first error any share reported, else ack. With
    /// `n == 0` it acks at once.
    pub fn share(self, n: usize) -> Vec<AckHandle> {
        if n == 0 {
            self.ack();
            return Vec::new();
        }
        if n == 1 {
            return vec![self];
        }
        let state = Arc::new(Mutex::new(Shared {
            left: n,
            first_error: None,
            handle: Some(self),
        }));
        (0..n)
            .map(|_| {
                let state = state.clone();
                AckHandle::new(move |outcome| {
                    let mut s = crate::sync::lock(&state);
                    if let Err(e) = outcome
                        && s.first_error.is_none()
                    {
                        s.first_error = Some(e);
                    }
                    s.left -= 1;
                    if s.left == 0
                        && let Some(handle) = s.handle.take()
                    {
                        let result = s.first_error.take().map_or(Ok(()), Err);
                        drop(s);
                        handle.resolve(result);
                    }
                })
            })
            .collect()
    }

    /// One handle for several: resolving it resolves each of them with the
    /// same outcome.
    pub fn merge(handles: Vec<AckHandle>) -> AckHandle {
        if handles.len() == 1 {
            return handles.into_iter().next().unwrap_or_else(AckHandle::none);
        }
        AckHandle::new(move |outcome| {
            for h in handles {
                h.resolve(outcome.clone());
            }
        })
    }
}

impl Drop for AckHandle {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f(Err(Error::dropped()));
        }
    }
}

struct Shared {
    left: usize,
    first_error: Option<Error>,
    handle: Option<AckHandle>,
}

/// Commits offsets in order for one partition: messages may be acked in
/// any order, but the commit point only moves past an offset once every
/// offset before it (that was tracked) is acked. A nacked offset holds
/// the commit point until it is acked (the input replays it).
#[derive(Debug, Default)]
pub struct OrderedAcks {
    /// Tracked offsets not yet acked, and whether each was nacked.
    pending: BTreeMap<i64, bool>,
    /// The lowest offset tracked since the last reset.
    first: Option<i64>,
    /// The highest offset tracked so far.
    highest: Option<i64>,
    /// The last commit point handed out.
    committed: Option<i64>,
}

impl OrderedAcks {
    /// An empty tracker.
    pub fn new() -> OrderedAcks {
        OrderedAcks::default()
    }

    /// Starts tracking `offset` (offsets are tracked in increasing order).
    pub fn track(&mut self, offset: i64) {
        self.pending.insert(offset, false);
        self.first = Some(self.first.map_or(offset, |f| f.min(offset)));
        self.highest = Some(self.highest.map_or(offset, |h| h.max(offset)));
    }

    /// Records the outcome of `offset`.
    pub fn resolve(&mut self, offset: i64, acked: bool) {
        if acked {
            self.pending.remove(&offset);
        } else if let Some(nacked) = self.pending.get_mut(&offset) {
            *nacked = true;
        }
    }

    /// Offsets still waiting, nacked ones included.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }

    /// The highest offset below which everything tracked is acked: the
    /// offset to commit (Kafka commits the next offset to read, i.e. this
    /// plus one). `None` when nothing new can be committed.
    pub fn commitable(&mut self) -> Option<i64> {
        let first = self.first?;
        let point = match self.pending.keys().next() {
            Some(&lowest) => lowest - 1,
            None => self.highest?,
        };
        if point < first || self.committed.is_some_and(|c| c >= point) {
            return None;
        }
        self.committed = Some(point);
        Some(point)
    }

    /// Forgets everything (the partition was revoked): offsets in flight
    /// are never committed.
    pub fn reset(&mut self) {
        *self = OrderedAcks::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::error::ErrorKind;

    fn recorder() -> (Arc<Mutex<Vec<Outcome>>>, AckHandle) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let h = AckHandle::new(move |o| s.lock().expect("lock").push(o));
        (seen, h)
    }

    #[test]
    fn a_handle_resolves_once_and_a_dropped_one_nacks() {
        let (seen, h) = recorder();
        h.ack();
        assert_eq!(seen.lock().expect("lock").as_slice(), &[Ok(())]);
        let (seen, h) = recorder();
        drop(h);
        let got = seen.lock().expect("lock");
        assert!(matches!(&got[..], [Err(e)] if e.kind == ErrorKind::Dropped));
    }

    #[test]
    fn shares_resolve_the_original_after_the_last_with_the_first_error() {
        let (seen, h) = recorder();
        let mut parts = h.share(3);
        parts.pop().expect("share").ack();
        parts.pop().expect("share").nack(Error::retryable("boom"));
        assert!(seen.lock().expect("lock").is_empty());
        parts.pop().expect("share").nack(Error::retryable("later"));
        let got = seen.lock().expect("lock");
        assert!(
            matches!(&got[..], [Err(e)] if e.message == "boom"),
            "{got:?}"
        );
        let (seen, h) = recorder();
        assert!(h.share(0).is_empty());
        assert_eq!(seen.lock().expect("lock").as_slice(), &[Ok(())]);
    }

    #[test]
    fn merged_handles_all_get_the_outcome() {
        let (a, ha) = recorder();
        let (b, hb) = recorder();
        AckHandle::merge(vec![ha, hb]).nack(Error::rejected("no"));
        assert_eq!(a.lock().expect("lock").len(), 1);
        assert!(b.lock().expect("lock")[0].is_err());
    }

    #[test]
    fn ordered_acks_commit_the_highest_contiguous_offset() {
        let mut t = OrderedAcks::new();
        for o in 10..15 {
            t.track(o);
        }
        assert_eq!(t.commitable(), None, "nothing acked");
        t.resolve(11, true);
        t.resolve(12, true);
        assert_eq!(t.commitable(), None, "10 still pending");
        t.resolve(10, true);
        assert_eq!(t.commitable(), Some(12));
        assert_eq!(t.commitable(), None, "already handed out");
        t.resolve(13, false);
        t.resolve(14, true);
        assert_eq!(t.commitable(), None, "13 was nacked: it holds the point");
        t.resolve(13, true);
        assert_eq!(t.commitable(), Some(14));
        assert_eq!(t.in_flight(), 0);
        t.track(15);
        t.reset();
        assert_eq!(t.commitable(), None, "a revoked partition commits nothing");
    }
}
