//! The top level of a config file and of a streams-mode stream file, as
//! typed configs: their schemas drive lint, and the builder reads them.

use super::types::{Duration, InputNode, Mapping, OutputNode, ProcessorNode, RawNode};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Marks a raw cache component.
#[derive(Debug, Clone, Copy)]
pub struct CacheKind;
impl super::types::ComponentKindMarker for CacheKind {
    const KIND: &'static str = "cache";
}

/// Marks a raw rate limit component.
#[derive(Debug, Clone, Copy)]
pub struct RateLimitKind;
impl super::types::ComponentKindMarker for RateLimitKind {
    const KIND: &'static str = "rate_limit";
}

/// A cache resource as written.
pub type CacheNode = RawNode<CacheKind>;
/// A rate limit resource as written.
pub type RateLimitNode = RawNode<RateLimitKind>;

fn minus_one() -> i64 {
    -1
}

/// The `pipeline` section.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Worker threads that run the processors; `-1` (or 0) means one per
    /// CPU core.
    #[serde(default = "minus_one")]
    pub threads: i64,
    /// The processors every message goes through, in order.
    #[serde(default)]
    pub processors: Vec<ProcessorNode>,
}

/// The `buffer` section. Only `none` (no buffer) is supported.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum BufferConfig {
    /// No buffer: the input waits for the pipeline (backpressure).
    None(Option<BTreeMap<String, String>>),
    /// An in-memory buffer (not supported yet).
    Memory(serde_json::Value),
    /// A time-window buffer (not supported yet).
    SystemWindow(serde_json::Value),
    /// An SQLite buffer (not supported yet).
    Sqlite(serde_json::Value),
}

/// The `tracer` section. Only `none` is supported.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum TracerConfig {
    /// No tracing.
    None(Option<BTreeMap<String, String>>),
    /// Jaeger (not supported yet).
    Jaeger(serde_json::Value),
    /// OpenTelemetry (not supported yet).
    OpenTelemetryCollector(serde_json::Value),
    /// Google Cloud Trace (not supported yet).
    GcpCloudtrace(serde_json::Value),
}

fn twenty_seconds() -> Duration {
    Duration::secs(20)
}

/// A whole config file for `tarn run`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RootConfig {
    /// The service HTTP server.
    #[serde(default)]
    pub http: crate::http::config::HttpServiceConfig,
    /// Where messages come from (default: `stdin`).
    pub input: Option<InputNode>,
    /// A buffer between input and pipeline.
    pub buffer: Option<BufferConfig>,
    /// The processors and their workers.
    #[serde(default)]
    pub pipeline: PipelineConfig,
    /// Where messages go (default: `stdout`).
    pub output: Option<OutputNode>,
    /// Inputs declared once and used by `resource: <label>`.
    #[serde(default)]
    pub input_resources: Vec<InputNode>,
    /// Processors declared once and used by `resource: <label>`.
    #[serde(default)]
    pub processor_resources: Vec<ProcessorNode>,
    /// Outputs declared once and used by `resource: <label>`.
    #[serde(default)]
    pub output_resources: Vec<OutputNode>,
    /// Caches, named by label.
    #[serde(default)]
    pub cache_resources: Vec<CacheNode>,
    /// Rate limits, named by label.
    #[serde(default)]
    pub rate_limit_resources: Vec<RateLimitNode>,
    /// How and where the service logs.
    #[serde(default)]
    pub logger: crate::log::LoggerConfig,
    /// Metrics: the exporter and a mapping over metric names.
    #[serde(default)]
    pub metrics: crate::metrics::MetricsConfig,
    /// Distributed tracing.
    pub tracer: Option<TracerConfig>,
    /// How long to wait after a stop signal before stopping the input.
    #[serde(default)]
    pub shutdown_delay: Duration,
    /// How long in-flight messages may take to finish at shutdown.
    #[serde(default = "twenty_seconds")]
    pub shutdown_timeout: Duration,
    /// Config unit tests, run by `tarn test`.
    pub tests: Option<Vec<crate::unit_test::Case>>,
}

/// A stream file in streams mode: only the pipeline; `http`, `logger`,
/// `metrics` and resources come from the root config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamFileConfig {
    /// Where messages come from (default: `stdin`).
    pub input: Option<InputNode>,
    /// A buffer between input and pipeline.
    pub buffer: Option<BufferConfig>,
    /// The processors and their workers.
    #[serde(default)]
    pub pipeline: PipelineConfig,
    /// Where messages go (default: `stdout`).
    pub output: Option<OutputNode>,
}

/// The `metrics.mapping` field, compiled, when the section has one.
pub fn metrics_mapping(m: &crate::metrics::MetricsConfig) -> Option<&Mapping> {
    m.mapping.as_ref().filter(|m| !m.is_blank())
}
