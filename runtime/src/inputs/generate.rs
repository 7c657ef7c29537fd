//! The `generate` input: messages made by a mapping, on an interval, a
//! cron schedule, or as fast as possible.

use crate::component::replay::auto_replay;
use crate::component::{AckHandle, BoxFuture, Build, BuildError, Error, Input, Registry, Transaction};
use crate::config::types::{Mapping, Schedule};
use schemars::JsonSchema;
use serde::Deserialize;
use tarn_lang::{Message, Mode, Value, Vm};

fn one_second() -> Schedule {
    Schedule::Every(std::time::Duration::from_secs(1))
}

fn one() -> usize {
    1
}

fn yes() -> bool {
    true
}

/// The `generate` input's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The mapping whose `root` becomes each message (it runs on an empty
    /// message).
    pub mapping: Mapping,
    /// When to make a batch: a duration (the first at once), a cron
    /// expression, or empty for as fast as possible.
    #[serde(default = "one_second")]
    pub interval: Schedule,
    /// How many batches to make before the input ends (0: no end).
    #[serde(default)]
    pub count: u64,
    /// Messages per batch.
    #[serde(default = "one")]
    pub batch_size: usize,
    /// Make a rejected batch again until it is delivered (otherwise it is
    /// logged and dropped).
    #[serde(default = "yes")]
    pub auto_replay_nacks: bool,
}

/// The largest `batch_size` (every message of a batch is in memory at
/// once).
pub const MAX_BATCH_SIZE: usize = 100_000;

/// Registers the input.
pub fn register(r: &mut Registry) {
    r.input::<Config>(
        "generate",
        "Creates messages from a mapping, on an interval, a cron schedule or as fast as possible.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Box<dyn Input>, BuildError> {
    if cfg.batch_size == 0 || cfg.batch_size > MAX_BATCH_SIZE {
        return Err(ctx.field_error(
            "batch_size",
            format!("the batch size must be from 1 to {MAX_BATCH_SIZE}"),
        ));
    }
    let input = Generate {
        source: ctx.error_source(),
        cfg,
        made: 0,
        vm: Vm::new(),
        next: None,
        closed: false,
    };
    let replay = input.cfg.auto_replay_nacks;
    Ok(auto_replay(Box::new(input), replay))
}

#[derive(Debug)]
struct Generate {
    cfg: Config,
    source: tarn_lang::ErrorSource,
    made: u64,
    vm: Vm,
    /// When the next batch is due (`None`: now).
    next: Option<tokio::time::Instant>,
    /// Closed: no more batches.
    closed: bool,
}

impl Generate {
    /// Runs the mapping once; `None` when it deleted the message or failed
    /// (logged).
    fn one(&mut self) -> Option<Message> {
        let seed = [Message::new(b"")];
        let outcome =
            match tarn_lang::vm::run(self.cfg.mapping.program(), &mut self.vm, &seed, 0, Mode::Mapping) {
                Ok(o) => o,
                Err(e) => {
                    crate::log::error_with(
                        &[("label", &self.source.label), ("path", &self.source.path)],
                        &format!("generate: {e}"),
                    );
                    return None;
                }
            };
        if matches!(outcome.root, Value::Nothing) {
            return None;
        }
        let mut msg = Message::new(b"");
        msg.set_meta(outcome.meta);
        match crate::processors::set_root(&mut msg, outcome.root) {
            Ok(true) => Some(msg),
            Ok(false) => None,
            Err(e) => {
                crate::log::error(&format!("generate: {e}"));
                None
            }
        }
    }
}

impl Input for Generate {
    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            loop {
                if self.closed || (self.cfg.count > 0 && self.made >= self.cfg.count) {
                    return Err(Error::end_of_input());
                }
                let now = tokio::time::Instant::now();
                match &self.cfg.interval {
                    Schedule::Asap => {}
                    Schedule::Every(period) => {
                        if let Some(due) = self.next {
                            tokio::time::sleep_until(due).await;
                        }
                        self.next = Some(self.next.unwrap_or(now).max(now) + *period);
                    }
                    Schedule::Cron(cron) => {
                        let wall = chrono::Local::now();
                        let Some(wait) = cron
                            .next_after(wall)
                            .and_then(|next| (next - wall).to_std().ok())
                        else {
                            return Err(Error::end_of_input());
                        };
                        tokio::time::sleep(wait).await;
                    }
                }
                // The count is of batches made, whatever the mapping did.
                self.made += 1;
                let batch: Vec<Message> = (0..self.cfg.batch_size).filter_map(|_| self.one()).collect();
                if !batch.is_empty() {
                    return Ok(Transaction::new(batch, AckHandle::none()));
                }
            }
        })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        self.closed = true;
        Box::pin(async {})
    }
}
