//! `auto_replay_nacks` for inputs that cannot replay by themselves
//! (`stdin`, `file`, `generate` …): a rejected batch is read again, after
//! a growing pause, until it is delivered; the source's own
//! acknowledgement waits for that. Waiting batches are read again in
//! the order they fall due, whatever order they were rejected in. With
//! replay off, a rejected batch is logged and its rejection passed on to
//! the source.

use super::ack::AckHandle;
use super::error::Error;
use super::{Batch, BoxFuture, Input, Responses, Transaction};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The first pause before a rejected batch is read again.
const FIRST_PAUSE: Duration = Duration::from_millis(10);
/// The longest pause between replays of the same batch.
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// A batch waiting to be read again.
struct Replay {
    batch: Batch,
    responses: Responses,
    source_ack: AckHandle,
    pause: Duration,
    due: Instant,
}

/// An input wrapped so its nacked batches are replayed (or let go).
#[derive(Debug)]
pub struct AutoReplay {
    inner: Box<dyn Input>,
    replay: bool,
    queue: Arc<Mutex<ReplayQueue>>,
    /// The source's end was reported as draining since the last pause.
    drain_reported: bool,
}

/// Batches waiting to be read again, earliest due first.
#[derive(Debug, Default)]
struct ReplayQueue {
    heap: BinaryHeap<ReplaySlot>,
    /// Numbers entries in queueing order: equal due times keep it.
    next_seq: u64,
}

impl ReplayQueue {
    fn push(&mut self, replay: Replay) {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.heap.push(ReplaySlot { replay, seq });
    }

    /// When the earliest entry falls due.
    fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|s| s.replay.due)
    }

    /// The earliest entry, if it is due at `now`.
    fn pop_due(&mut self, now: Instant) -> Option<Replay> {
        if self.next_due().is_some_and(|due| due <= now) {
            self.heap.pop().map(|s| s.replay)
        } else {
            None
        }
    }
}

/// A queue entry, ordered so the heap's top is the earliest due (and,
/// among equals, the first queued).
struct ReplaySlot {
    replay: Replay,
    seq: u64,
}

impl std::fmt::Debug for ReplaySlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Replay({} messages)", self.replay.batch.len())
    }
}

impl Ord for ReplaySlot {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: `BinaryHeap` is a max-heap.
        other
            .replay
            .due
            .cmp(&self.replay.due)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for ReplaySlot {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ReplaySlot {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ReplaySlot {}

/// Wraps `inner`: with `replay`, nacked batches are read again; without,
/// they are logged and acknowledged to the source.
pub fn auto_replay(inner: Box<dyn Input>, replay: bool) -> Box<dyn Input> {
    Box::new(AutoReplay {
        inner,
        replay,
        queue: Arc::new(Mutex::new(ReplayQueue::default())),
        drain_reported: false,
    })
}

impl AutoReplay {
    /// A transaction whose nack queues its batch for replay.
    fn track(
        &self,
        batch: Batch,
        responses: Responses,
        source_ack: AckHandle,
        pause: Duration,
    ) -> Transaction {
        let keep = batch.clone();
        let keep_responses = responses.clone();
        let queue = self.queue.clone();
        let replay = self.replay;
        let ack = AckHandle::new(move |outcome| match outcome {
            Ok(()) => source_ack.ack(),
            Err(e) if replay => {
                crate::log::warn(&format!(
                    "message rejected, it will be read again in {pause:?}: {e}"
                ));
                let mut q = crate::sync::lock(&queue);
                q.push(Replay {
                    batch: keep,
                    responses: keep_responses,
                    source_ack,
                    pause: (pause * 2).min(MAX_PAUSE),
                    due: Instant::now() + pause,
                });
            }
            Err(e) => {
                // Not read again: the source hears of the rejection (a file
                // input then keeps its file).
                crate::log::error(&format!(
                    "message rejected and not replayed (auto_replay_nacks is off): {e}"
                ));
                source_ack.nack(e);
            }
        });
        Transaction {
            batch,
            ack,
            responses,
        }
    }

    fn next_due(&self) -> Option<Instant> {
        crate::sync::lock(&self.queue).next_due()
    }

    fn pop_due(&self) -> Option<Replay> {
        crate::sync::lock(&self.queue).pop_due(Instant::now())
    }
}

impl Input for AutoReplay {
    fn connect(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        self.inner.connect()
    }

    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            loop {
                if let Some(r) = self.pop_due() {
                    return Ok(self.track(r.batch, r.responses, r.source_ack, r.pause));
                }
                let due = self.next_due();
                let read = self.inner.read();
                let outcome = match due {
                    Some(due) => tokio::select! {
                        t = read => Some(t),
                        () = tokio::time::sleep_until(due) => None,
                    },
                    None => Some(read.await),
                };
                match outcome {
                    Some(Ok(t)) => {
                        return Ok(self.track(t.batch, t.responses, t.ack, FIRST_PAUSE));
                    }
                    // The source has ended, but replays are pending: keep
                    // serving them.
                    Some(Err(e)) if e.kind == super::ErrorKind::EndOfInput => {
                        match self.next_due() {
                            Some(due) => tokio::time::sleep_until(due).await,
                            None => {
                                if self.waiting_for_acks() {
                                    // Between pauses: outputs holding
                                    // messages back (a partial batch)
                                    // write them now, including ones that
                                    // reached them since the last time.
                                    if !self.drain_reported {
                                        self.drain_reported = true;
                                        return Err(Error::draining());
                                    }
                                    tokio::time::sleep(FIRST_PAUSE).await;
                                    self.drain_reported = false;
                                } else {
                                    return Err(e);
                                }
                            }
                        }
                    }
                    Some(Err(e)) => return Err(e),
                    None => {}
                }
            }
        })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        self.inner.close()
    }
}

impl AutoReplay {
    /// Whether batches are still out whose nack would need a replay. The
    /// input only ends once it knows none will come back.
    fn waiting_for_acks(&self) -> bool {
        // A replayed batch's handle holds a clone of the queue.
        self.replay && Arc::strong_count(&self.queue) > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::ErrorKind;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tarn_lang::Message;

    /// An input of `n` one-message batches that counts source acks (and
    /// nacks, when `nacks` is given).
    #[derive(Debug)]
    struct Counted {
        left: usize,
        acked: Arc<AtomicUsize>,
    }

    impl Input for Counted {
        fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
            Box::pin(async move {
                if self.left == 0 {
                    return Err(Error::end_of_input());
                }
                self.left -= 1;
                let acked = self.acked.clone();
                let ack = AckHandle::new(move |o| {
                    // Acks count 1, nacks 100.
                    acked.fetch_add(if o.is_ok() { 1 } else { 100 }, Ordering::SeqCst);
                });
                Ok(Transaction::new(vec![Message::new(b"m")], ack))
            })
        }
    }

    #[tokio::test]
    async fn a_nacked_batch_is_read_again_until_acked() {
        let acked = Arc::new(AtomicUsize::new(0));
        let mut input = auto_replay(
            Box::new(Counted {
                left: 1,
                acked: acked.clone(),
            }),
            true,
        );
        let first = input.read().await.expect("first read");
        first.ack.nack(Error::retryable("output down"));
        assert_eq!(acked.load(Ordering::SeqCst), 0, "not acked to the source");
        let again = input.read().await.expect("replayed");
        assert_eq!(again.batch[0].content().as_bytes(), b"m");
        again.ack.ack();
        assert_eq!(acked.load(Ordering::SeqCst), 1);
        let end = input.read().await.expect_err("ended");
        assert_eq!(end.kind, ErrorKind::EndOfInput);
    }

    #[tokio::test]
    async fn without_replay_the_source_hears_of_the_nack() {
        let acked = Arc::new(AtomicUsize::new(0));
        let mut input = auto_replay(
            Box::new(Counted {
                left: 1,
                acked: acked.clone(),
            }),
            false,
        );
        input
            .read()
            .await
            .expect("read")
            .ack
            .nack(Error::retryable("x"));
        assert_eq!(acked.load(Ordering::SeqCst), 100);
        assert!(input.read().await.is_err());
    }

    /// An input of the messages sent to it; it ends when the sender goes.
    #[derive(Debug)]
    struct Fed(tokio::sync::mpsc::UnboundedReceiver<&'static str>);

    impl Input for Fed {
        fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
            Box::pin(async move {
                match self.0.recv().await {
                    Some(c) => Ok(Transaction::new(
                        vec![Message::new(c.as_bytes())],
                        AckHandle::new(|_| {}),
                    )),
                    None => Err(Error::end_of_input()),
                }
            })
        }
    }

    async fn read_content(input: &mut Box<dyn Input>) -> (String, Transaction) {
        let t = input.read().await.expect("read");
        let text = String::from_utf8_lossy(t.batch[0].content().as_bytes()).into_owned();
        (text, t)
    }

    #[tokio::test]
    async fn the_earliest_due_replay_is_read_first() {
        let (feed, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut input = auto_replay(Box::new(Fed(rx)), true);
        feed.send("old").expect("send");
        // Nacked six times (10 + 20 + … + 160 ms of pauses): its next
        // replay is 320 ms away.
        for _ in 0..6 {
            let (text, t) = read_content(&mut input).await;
            assert_eq!(text, "old");
            t.ack.nack(Error::retryable("output down"));
        }
        feed.send("new").expect("send");
        let (text, t) = read_content(&mut input).await;
        assert_eq!(text, "new");
        // Nacked once: its replay is 10 ms away, well before the old one's
        // (which waits ahead of it in rejection order).
        t.ack.nack(Error::retryable("output down"));

        let (text, t) = read_content(&mut input).await;
        assert_eq!(text, "new", "the fresh batch is due first");
        t.ack.ack();
        let (text, t) = read_content(&mut input).await;
        assert_eq!(text, "old");
        t.ack.ack();
        drop(feed);
        let end = input.read().await.expect_err("ended");
        assert_eq!(end.kind, ErrorKind::EndOfInput);
    }
}
