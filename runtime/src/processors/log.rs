//! The `log` processor: a log line per message, at its level, with the
//! component's label and path and the fields of `fields_mapping`.

use crate::component::{Batch, Batches, BoxFuture, Build, BuildError, ProcessCtx, Processor, Registry};
use crate::config::types::{Interp, Mapping};
use crate::log::{Level, LogProcessor};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The level of a log line.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum LevelName {
    /// Failures.
    #[serde(alias = "error", alias = "Error")]
    Error,
    /// Problems that do not stop the work.
    #[serde(alias = "warn", alias = "Warn")]
    Warn,
    /// What the service is doing.
    #[serde(alias = "info", alias = "Info")]
    Info,
    /// Details for debugging.
    #[serde(alias = "debug", alias = "Debug")]
    Debug,
    /// Everything.
    #[serde(alias = "trace", alias = "Trace")]
    Trace,
    /// Failures (as ERROR).
    #[serde(alias = "fatal", alias = "Fatal")]
    Fatal,
    /// Everything (as TRACE).
    #[serde(alias = "all", alias = "All")]
    All,
}

fn info() -> LevelName {
    LevelName::Info
}

/// The `log` processor's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The level of the lines.
    #[serde(default = "info")]
    pub level: LevelName,
    /// The message, interpolated per message.
    #[serde(default)]
    pub message: Option<Interp>,
    /// A mapping whose object result becomes fields of the line.
    pub fields_mapping: Option<Mapping>,
    /// Fields with interpolated values (older form of `fields_mapping`).
    #[serde(default)]
    pub fields: BTreeMap<String, Interp>,
}

/// Registers the processor.
pub fn register(r: &mut Registry) {
    r.processor::<Config>("log", "Writes a log line for each message.", build);
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Processor>, BuildError> {
    let level = match cfg.level {
        LevelName::Error | LevelName::Fatal => Level::Error,
        LevelName::Warn => Level::Warn,
        LevelName::Info => Level::Info,
        LevelName::Debug => Level::Debug,
        LevelName::Trace | LevelName::All => Level::Trace,
    };
    let message = match cfg.message {
        Some(m) => m,
        None => Interp::literal(""),
    };
    Ok(Arc::new(Log(LogProcessor {
        level,
        message: message.get_arc(),
        fields_mapping: cfg
            .fields_mapping
            .filter(|m| !m.is_blank())
            .map(|m| m.program().clone()),
        fields: cfg
            .fields
            .into_iter()
            .map(|(k, v)| (k, v.get_arc()))
            .collect(),
        label: ctx.label().to_string(),
        path: ctx.metrics_path(),
    })))
}

#[derive(Debug)]
struct Log(LogProcessor);

impl Processor for Log {
    fn process<'a>(&'a self, batch: Batch, ctx: &'a mut ProcessCtx<'_>) -> BoxFuture<'a, Batches> {
        self.0.process(ctx.vm, &batch);
        Box::pin(async move { super::one(batch) })
    }
}
