//! Input types, one module each. The list below is the registration:
//! adding an input is one new file here plus its name in the list.

use crate::component::{
    AckHandle, BoxFuture, Entrance, Error, Input, InputProcessing, Processor, Transaction,
};
use crate::metrics::InputMetrics;
use std::collections::VecDeque;
use std::sync::Arc;

/// Declares the input modules and registers each one's types.
macro_rules! inputs {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Registers every input type.
        pub fn register_all(r: &mut crate::component::Registry) {
            $($module::register(r);)*
        }
    };
}

inputs! {
    broker,
    file,
    generate,
    http_server,
    resource,
    stdin,
}

pub mod cron;
pub mod glob;

/// An input with its metrics and its own processors: every batch it
/// reads is counted, runs through the processors, and its acknowledgement
/// time is recorded.
#[derive(Debug)]
struct Observed {
    inner: Box<dyn Input>,
    /// The input's own processors; what they produce waits in `ready`.
    processing: InputProcessing<AckHandle>,
    metrics: InputMetrics,
    /// Batches a processor split off, waiting their turn.
    ready: VecDeque<Transaction>,
}

/// Wraps `input` (labelled `label`, at config path `path`) with its
/// metrics and its own `processors`.
pub fn observed(
    input: Box<dyn Input>,
    processors: Vec<Arc<dyn Processor>>,
    label: &str,
    path: &str,
) -> Box<dyn Input> {
    Box::new(Observed {
        inner: input,
        processing: InputProcessing::new(processors),
        metrics: InputMetrics::new(crate::metrics::global(), label, path),
        ready: VecDeque::new(),
    })
}

impl Input for Observed {
    fn connect(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        self.inner.connect()
    }

    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            loop {
                if let Some(t) = self.ready.pop_front() {
                    return Ok(t);
                }
                // A batch whose read was cancelled mid-processing first.
                if let Some((batches, responses, ack)) = self.processing.finish().await {
                    let shares = ack.share(batches.len());
                    for (batch, ack) in batches.into_iter().zip(shares) {
                        self.ready.push_back(Transaction {
                            batch,
                            ack,
                            responses: responses.clone(),
                        });
                    }
                    continue;
                }
                let t = counted(&self.metrics, self.inner.read().await?);
                if self.processing.is_empty() {
                    return Ok(t);
                }
                self.processing.start(t.batch, t.responses, t.ack);
            }
        })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        self.inner.close()
    }

    fn entrance(&self) -> Option<Entrance> {
        // The input's own processors run in `read`: nothing may skip it.
        if !self.processing.is_empty() {
            return None;
        }
        let mut entrance = self.inner.entrance()?;
        entrance.metrics.push(self.metrics.clone());
        Some(entrance)
    }
}

/// `t` counted as received by an input with `metrics`; its
/// acknowledgement time is recorded when it is resolved.
pub fn counted(metrics: &InputMetrics, t: Transaction) -> Transaction {
    let since = metrics.received(&t.batch);
    let metrics = metrics.clone();
    let ack = t.ack;
    Transaction {
        batch: t.batch,
        ack: AckHandle::new(move |outcome| {
            metrics.acked(since);
            ack.resolve(outcome);
        }),
        responses: t.responses,
    }
}

#[cfg(test)]
mod tests {
    use crate::component::registry::{Built, Kind};
    use crate::component::{ErrorKind, Input};
    use std::time::Duration;

    fn input(yaml: &str) -> Box<dyn Input> {
        match crate::testing::build(Kind::Input, yaml, "") {
            Ok(Built::Input(i)) => i,
            other => panic!("not an input: {other:?}"),
        }
    }

    /// Reads cut short while the input's processors wait (the worker
    /// drops reads whenever a write finishes) lose nothing, nack nothing
    /// and process nothing twice.
    async fn cancelled_reads_keep_the_batch(yaml: &str) {
        let mut i = input(yaml);
        for _ in 0..3 {
            let cut = tokio::time::timeout(Duration::from_millis(5), i.read()).await;
            assert!(cut.is_err(), "the read should still be waiting");
        }
        // Replay is off: a batch dropped by a cut read would be gone.
        let t = i.read().await.expect("the batch");
        // Processed once: the mapping's counter ran once.
        assert_eq!(crate::testing::contents(&t.batch), ["m-1"]);
        t.ack.ack();
        // Nothing was nacked (a nack would be replayed here).
        let end = i.read().await.expect_err("one message only");
        assert_eq!(end.kind, ErrorKind::EndOfInput);
    }

    #[tokio::test]
    async fn an_inputs_own_processors_survive_cancelled_reads() {
        cancelled_reads_keep_the_batch(
            "generate:\n  count: 1\n  interval: ''\n  mapping: root = \"m\"\n  auto_replay_nacks: false\nprocessors:\n  - sleep:\n      duration: 40ms\n  - mapping: root = content().string() + \"-\" + counter().string()\n",
        )
        .await;
    }

    #[tokio::test]
    async fn a_brokers_batch_processors_survive_cancelled_reads() {
        cancelled_reads_keep_the_batch(
            "broker:\n  inputs:\n    - generate:\n        count: 1\n        interval: ''\n        mapping: root = \"m\"\n        auto_replay_nacks: false\n  batching:\n    count: 1\n    processors:\n      - sleep:\n          duration: 40ms\n      - mapping: root = content().string() + \"-\" + counter().string()\n",
        )
        .await;
    }
}
