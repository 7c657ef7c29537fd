//! The metrics each pipeline component registers: inputs, processors
//! and outputs, labelled with the component's `label` and config `path`.

use super::{Counter, Histogram, Metrics};
use crate::component::{Batch, Outcome as AckResult};
use std::time::Instant;

/// The metrics of an input: messages received and the time from when the
/// pipeline took a transaction to its acknowledgement.
#[derive(Debug, Clone, Default)]
pub struct InputMetrics {
    received: Counter,
    latency: Histogram,
}

impl InputMetrics {
    /// Registers the input at `path` with `label` in `m`.
    pub fn new(m: &Metrics, label: &str, path: &str) -> InputMetrics {
        let l = [("label", label), ("path", path)];
        InputMetrics {
            received: m.counter("input_received", &l),
            latency: m.histogram("input_latency_ns", &l),
        }
    }

    /// Counts a batch taken by the pipeline; returns when it was taken.
    pub fn received(&self, batch: &Batch) -> Instant {
        self.received.add(batch.len() as u64);
        Instant::now()
    }

    /// Records the acknowledgement (or rejection) of a batch taken at
    /// `since`.
    pub fn acked(&self, since: Instant) {
        self.latency.observe(since.elapsed());
    }
}

/// The metrics of one processor.
#[derive(Debug, Clone, Default)]
pub struct ProcessorMetrics {
    received: Counter,
    batch_received: Counter,
    sent: Counter,
    batch_sent: Counter,
    error: Counter,
    latency: Histogram,
}

impl ProcessorMetrics {
    /// Registers the processor at `path` with `label` in `m`.
    pub fn new(m: &Metrics, label: &str, path: &str) -> ProcessorMetrics {
        let l = [("label", label), ("path", path)];
        ProcessorMetrics {
            received: m.counter("processor_received", &l),
            batch_received: m.counter("processor_batch_received", &l),
            sent: m.counter("processor_sent", &l),
            batch_sent: m.counter("processor_batch_sent", &l),
            error: m.counter("processor_error", &l),
            latency: m.histogram("processor_latency_ns", &l),
        }
    }

    /// Counts a batch going in; pass the result to [`ProcessorMetrics::finish`].
    pub fn start(&self, batch: &Batch) -> Started {
        self.received.add(batch.len() as u64);
        self.batch_received.add(1);
        Started {
            at: Instant::now(),
            failed_before: batch.iter().filter(|m| m.error().is_some()).count(),
        }
    }

    /// Counts what came out of a processor started at `started`.
    pub fn finish(&self, started: Started, out: &[Batch]) {
        self.latency.observe(started.at.elapsed());
        let failed: usize = out
            .iter()
            .map(|b| b.iter().filter(|m| m.error().is_some()).count())
            .sum();
        self.error
            .add(failed.saturating_sub(started.failed_before) as u64);
        let sent: usize = out.iter().map(Vec::len).sum();
        if sent > 0 {
            self.sent.add(sent as u64);
            self.batch_sent
                .add(out.iter().filter(|b| !b.is_empty()).count() as u64);
        }
    }

    /// Runs `process` on `batch`, counting what goes in and out. Errors
    /// are the messages that leave flagged beyond those that came in
    /// flagged.
    pub fn observe(&self, batch: Batch, process: impl FnOnce(Batch) -> Batch) -> Batch {
        let failed = |b: &Batch| b.iter().filter(|m| m.error().is_some()).count();
        self.received.add(batch.len() as u64);
        self.batch_received.add(1);
        let failed_before = failed(&batch);
        let started = Instant::now();
        let out = process(batch);
        self.latency.observe(started.elapsed());
        self.error
            .add(failed(&out).saturating_sub(failed_before) as u64);
        if !out.is_empty() {
            self.sent.add(out.len() as u64);
            self.batch_sent.add(1);
        }
        out
    }
}

/// A batch going through a processor: when it went in and how many of
/// its messages were already flagged.
#[derive(Debug)]
pub struct Started {
    at: Instant,
    failed_before: usize,
}

/// The metrics of one output.
#[derive(Debug, Clone, Default)]
pub struct OutputMetrics {
    sent: Counter,
    batch_sent: Counter,
    error: Counter,
    latency: Histogram,
}

impl OutputMetrics {
    /// Registers the output at `path` with `label` in `m`.
    pub fn new(m: &Metrics, label: &str, path: &str) -> OutputMetrics {
        let l = [("label", label), ("path", path)];
        OutputMetrics {
            sent: m.counter("output_sent", &l),
            batch_sent: m.counter("output_batch_sent", &l),
            error: m.counter("output_error", &l),
            latency: m.histogram("output_latency_ns", &l),
        }
    }

    /// Awaits one write of `messages` messages and counts its outcome.
    pub async fn observe(
        &self,
        messages: usize,
        write: impl std::future::Future<Output = AckResult>,
    ) -> AckResult {
        let started = Instant::now();
        let result = write.await;
        self.latency.observe(started.elapsed());
        match &result {
            Ok(()) => {
                self.sent.add(messages as u64);
                self.batch_sent.add(1);
            }
            Err(_) => self.error.add(messages as u64),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tarn_lang::Message;

    #[test]
    fn processor_metrics_count_messages_batches_and_new_errors() {
        let m = Metrics::default();
        let p = ProcessorMetrics::new(&m, "up", "root.pipeline.processors.0");
        let batch = vec![Message::new(b"a"), Message::new(b"b"), Message::new(b"c")];
        let out = p.observe(batch, |mut b| {
            b.pop();
            b[0].set_error(Some("boom".into()));
            b
        });
        assert_eq!(out.len(), 2);
        let dropped = p.observe(vec![Message::new(b"x")], |_| Vec::new());
        assert!(dropped.is_empty());
        let text = m.render();
        let l = "{label=\"up\",path=\"root.pipeline.processors.0\"}";
        for line in [
            format!("processor_received{l} 4\n"),
            format!("processor_batch_received{l} 2\n"),
            format!("processor_sent{l} 2\n"),
            format!("processor_batch_sent{l} 1\n"),
            format!("processor_error{l} 1\n"),
            format!("processor_latency_ns_count{l} 2\n"),
        ] {
            assert!(text.contains(&line), "{line} in\n{text}");
        }
    }

    #[test]
    fn output_metrics_split_success_and_failure() {
        let m = Metrics::default();
        let o = OutputMetrics::new(&m, "", "root.output");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(async {
            assert_eq!(o.observe(3, async { Ok(()) }).await, Ok(()));
            assert!(
                o.observe(2, async { Err(crate::component::Error::fatal("no")) })
                    .await
                    .is_err()
            );
        });
        let text = m.render();
        let l = "{label=\"\",path=\"root.output\"}";
        for line in [
            format!("output_sent{l} 3\n"),
            format!("output_batch_sent{l} 1\n"),
            format!("output_error{l} 2\n"),
            format!("output_latency_ns_count{l} 2\n"),
        ] {
            assert!(text.contains(&line), "{line} in\n{text}");
        }
    }
}
