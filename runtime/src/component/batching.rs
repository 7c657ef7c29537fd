//! The one batching policy (`batching: {count, byte_size, period, check,
//! processors}`) used by every output (and the broker input) that
//! batches: transactions are gathered until a condition fires, then
//! written as one batch whose outcome acknowledges each of them.

use super::build::{Build, BuildError};
use super::{AckHandle, Batch, Processor, Responses, Transaction};
use crate::config::types::{Mapping, OptDuration, ProcessorNode};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use tarn_lang::{Mode, Value, Vm};

/// A batching policy as configured.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchingConfig {
    /// Flush once this many messages are gathered (0: no count limit).
    #[serde(default)]
    pub count: usize,
    /// Flush once the gathered messages hold this many bytes (0: no limit).
    #[serde(default)]
    pub byte_size: usize,
    /// Flush what was gathered after this long, even if no other
    /// condition fired (empty: no period).
    #[serde(default)]
    pub period: OptDuration,
    /// A mapping run on each message as it is added; the batch is flushed
    /// after a message for which it returns `true` (empty: none).
    #[serde(default)]
    pub check: Option<Mapping>,
    /// Processors run on each flushed batch before it is written.
    #[serde(default)]
    pub processors: Vec<ProcessorNode>,
}

/// A built policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Message count that flushes (0: none).
    pub count: usize,
    /// Byte size that flushes (0: none).
    pub byte_size: usize,
    /// Time after the first gathered message that flushes.
    pub period: Option<std::time::Duration>,
    /// Per-message flush condition.
    pub check: Option<Mapping>,
    /// Run on each flushed batch.
    pub processors: Vec<Arc<dyn Processor>>,
}

impl BatchingConfig {
    /// Builds the policy; `None` when it batches nothing (every field at
    /// its default), as in Benthos.
    pub fn build(&self, ctx: &mut Build<'_>) -> Result<Option<Policy>, BuildError> {
        // A batch waits for its writes' pipeline slots: it cannot hold
        // more messages than may be in flight.
        if self.count > super::MAX_IN_FLIGHT {
            return Err(ctx.field_error(
                "batching.count",
                format!("at most {} messages per batch", super::MAX_IN_FLIGHT),
            ));
        }
        let processors = ctx.processors(&self.processors)?;
        let policy = Policy {
            count: self.count,
            byte_size: self.byte_size,
            period: self.period.0.filter(|p| !p.is_zero()),
            check: self.check.clone().filter(|c| !c.is_blank()),
            processors,
        };
        Ok(policy.batches().then_some(policy))
    }
}

impl Policy {
    /// Whether the policy gathers anything.
    pub fn batches(&self) -> bool {
        self.count > 1
            || self.byte_size > 0
            || self.period.is_some()
            || self.check.is_some()
            || !self.processors.is_empty()
    }
}

/// Transactions gathered under a policy.
#[derive(Debug)]
pub struct Batcher {
    policy: Policy,
    batch: Batch,
    acks: Vec<AckHandle>,
    responses: Responses,
    bytes: usize,
    /// When the period runs out, once something is gathered.
    deadline: Option<tokio::time::Instant>,
    vm: Vm,
}

impl Batcher {
    /// An empty batcher.
    pub fn new(policy: Policy) -> Batcher {
        Batcher {
            policy,
            batch: Vec::new(),
            acks: Vec::new(),
            responses: Responses::new(),
            bytes: 0,
            deadline: None,
            vm: Vm::new(),
        }
    }

    /// Adds a transaction; true when the batch should now be flushed.
    pub fn add(&mut self, t: Transaction) -> bool {
        let start = self.batch.len();
        for (offset, store) in t.responses {
            self.responses.push((start + offset, store));
        }
        self.acks.push(t.ack);
        let mut flush = false;
        for msg in t.batch {
            self.bytes += msg.content().len();
            self.batch.push(msg);
            if let Some(check) = &self.policy.check {
                let i = self.batch.len() - 1;
                let passed = tarn_lang::vm::run(
                    check.program(),
                    &mut self.vm,
                    &self.batch,
                    i,
                    Mode::Mapping,
                )
                .is_ok_and(|o| matches!(o.root, Value::Bool(true)));
                flush |= passed;
            }
        }
        if self.deadline.is_none()
            && let Some(p) = self.policy.period
        {
            self.deadline = Some(tokio::time::Instant::now() + p);
        }
        flush
            || (self.policy.count > 0 && self.batch.len() >= self.policy.count)
            || (self.policy.byte_size > 0 && self.bytes >= self.policy.byte_size)
    }

    /// When the period runs out, if anything is gathered.
    pub fn deadline(&self) -> Option<tokio::time::Instant> {
        self.deadline
    }

    /// Whether nothing is gathered.
    pub fn is_empty(&self) -> bool {
        self.acks.is_empty()
    }

    /// Takes what is gathered as one transaction (its processors not yet
    /// run); `None` when empty.
    pub fn take(&mut self) -> Option<Transaction> {
        if self.acks.is_empty() {
            return None;
        }
        self.bytes = 0;
        self.deadline = None;
        Some(Transaction {
            batch: std::mem::take(&mut self.batch),
            ack: AckHandle::merge(std::mem::take(&mut self.acks)),
            responses: std::mem::take(&mut self.responses),
        })
    }

    /// The processors to run on a flushed batch.
    pub fn processors(&self) -> &[Arc<dyn Processor>] {
        &self.policy.processors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tarn_lang::Message;

    fn policy(count: usize, byte_size: usize, check: Option<&str>) -> Policy {
        Policy {
            count,
            byte_size,
            period: None,
            check: check.map(|c| Mapping::compile(c).expect("compiles")),
            processors: Vec::new(),
        }
    }

    fn txn(text: &str) -> Transaction {
        Transaction::new(vec![Message::new(text.as_bytes())], AckHandle::none())
    }

    #[test]
    fn count_byte_size_and_check_flush() {
        let mut b = Batcher::new(policy(3, 0, None));
        assert!(!b.add(txn("a")));
        assert!(!b.add(txn("b")));
        assert!(b.add(txn("c")));
        assert_eq!(b.take().map(|t| t.batch.len()), Some(3));
        assert!(b.is_empty());
        let mut b = Batcher::new(policy(0, 5, None));
        assert!(!b.add(txn("abc")));
        assert!(b.add(txn("de")));
        let mut b = Batcher::new(policy(0, 0, Some("root = content() == \"end\"")));
        assert!(!b.add(txn("x")));
        assert!(b.add(txn("end")));
    }

    #[test]
    fn a_default_policy_batches_nothing() {
        assert!(!policy(0, 0, None).batches());
        assert!(!policy(1, 0, None).batches());
        assert!(policy(2, 0, None).batches());
    }
}
