//! Typed configs of the service sections (`http`, `logger`, `metrics`)
//! until their modules carry their own.

use super::types::Mapping;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

fn default_address() -> String {
    "0.0.0.0:4195".into()
}

fn default_root_path() -> String {
    "/benthos".into()
}

fn yes() -> bool {
    true
}

/// The service HTTP server (`http`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpServiceConfig {
    /// Serve at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `host:port` to listen on.
    #[serde(default = "default_address")]
    pub address: String,
    /// Every endpoint is also served under this prefix.
    #[serde(default = "default_root_path")]
    pub root_path: String,
    /// Serve debug endpoints (not supported yet).
    #[serde(default)]
    pub debug_endpoints: bool,
    /// A certificate chain for HTTPS (not supported yet).
    #[serde(default)]
    pub cert_file: String,
    /// The private key for HTTPS (not supported yet).
    #[serde(default)]
    pub key_file: String,
    /// Cross-origin resource sharing (not supported yet).
    pub cors: Option<serde_json::Value>,
    /// HTTP basic authentication (not supported yet).
    pub basic_auth: Option<serde_json::Value>,
}

impl Default for HttpServiceConfig {
    fn default() -> HttpServiceConfig {
        HttpServiceConfig {
            enabled: true,
            address: default_address(),
            root_path: default_root_path(),
            debug_endpoints: false,
            cert_file: String::new(),
            key_file: String::new(),
            cors: None,
            basic_auth: None,
        }
    }
}

/// The `logger` section.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoggerConfig {
    /// The most detailed level printed: OFF, ERROR, WARN, INFO, DEBUG, TRACE.
    pub level: Option<String>,
    /// `logfmt` or `json`.
    pub format: Option<String>,
    /// Start each line with the time.
    #[serde(default)]
    pub add_timestamp: bool,
    /// The key of the level field.
    pub level_name: Option<String>,
    /// The key of the timestamp field.
    pub timestamp_name: Option<String>,
    /// The key of the message field.
    pub message_name: Option<String>,
    /// Fields added to every line.
    #[serde(default)]
    pub static_fields: BTreeMap<String, String>,
    /// Write to a file (not supported yet).
    pub file: Option<serde_json::Value>,
}

/// The `metrics` section.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// A mapping run once per metric name: renames, relabels or drops it.
    pub mapping: Option<Mapping>,
    /// The Prometheus exporter (the default).
    pub prometheus: Option<serde_json::Value>,
    /// Metrics as JSON (not supported yet).
    pub json_api: Option<serde_json::Value>,
    /// No metrics.
    pub none: Option<serde_json::Value>,
    /// Metrics to the log (not supported yet).
    pub logger: Option<serde_json::Value>,
    /// StatsD (not supported yet).
    pub statsd: Option<serde_json::Value>,
    /// InfluxDB (not supported yet).
    pub influxdb: Option<serde_json::Value>,
    /// AWS CloudWatch (not supported yet).
    pub aws_cloudwatch: Option<serde_json::Value>,
}
