//! The typed `metrics` section: the `mapping` and one exporter.
//!
//! Exporters: `prometheus` (the default), `json_api` and `none`. The
//! others Benthos has (`logger`, `statsd`, `influxdb`, `cloudwatch`,
//! `aws_cloudwatch`, `open_telemetry_collector`) are refused as not
//! supported yet, and so are the Prometheus push gateway and
//! `file_output_path`, which need the service's shutdown to run them.

use crate::config::node::Node;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::sync::Arc;

/// The `metrics` section.
#[derive(Deserialize, JsonSchema, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// A Bloblang mapping run once per new series: `this` is the metric
    /// name and the metadata its labels. Assigning a string to `root`
    /// renames it, `deleted()` drops it, `meta` edits the labels.
    #[serde(default)]
    pub mapping: Option<crate::config::types::Mapping>,
    /// Serve metrics for Prometheus scraping at `/metrics` and `/stats`
    /// (the default exporter).
    #[serde(default, deserialize_with = "present")]
    pub prometheus: Option<PrometheusConfig>,
    /// Serve metrics as one JSON object at `/metrics` and `/stats`.
    #[serde(default, deserialize_with = "present")]
    pub json_api: Option<EmptyConfig>,
    /// Record no metrics at all.
    #[serde(default, deserialize_with = "present")]
    pub none: Option<EmptyConfig>,
    /// Print metrics through the logger: not supported yet.
    #[serde(default, deserialize_with = "present")]
    pub logger: Option<serde_json::Value>,
    /// Push to StatsD: not supported yet.
    #[serde(default, deserialize_with = "present")]
    pub statsd: Option<serde_json::Value>,
    /// Push to InfluxDB: not supported yet.
    #[serde(default, deserialize_with = "present")]
    pub influxdb: Option<serde_json::Value>,
    /// Push to CloudWatch: not supported yet.
    #[serde(default, deserialize_with = "present")]
    pub cloudwatch: Option<serde_json::Value>,
    /// Push to CloudWatch: not supported yet.
    #[serde(default, deserialize_with = "present")]
    pub aws_cloudwatch: Option<serde_json::Value>,
    /// Push to an OpenTelemetry collector: not supported yet.
    #[serde(default, deserialize_with = "present")]
    pub open_telemetry_collector: Option<serde_json::Value>,
}

/// A field that is there, even as `null` (`none:`), is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(Some(Option::<T>::deserialize(d)?.unwrap_or_default()))
}

/// An exporter without fields.
#[derive(Deserialize, JsonSchema, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct EmptyConfig {}

/// `metrics.prometheus`.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct PrometheusConfig {
    /// Export timings as histograms (in seconds, over
    /// `histogram_buckets`) instead of summaries (quantiles in
    /// nanoseconds).
    #[serde(default)]
    pub use_histogram_timing: bool,
    /// The histogram bounds in seconds, ascending; empty: the Prometheus
    /// defaults (0.005 to 10). Only with `use_histogram_timing`.
    #[serde(default)]
    pub histogram_buckets: Vec<f64>,
    /// The quantiles summaries report. Each `error` (the rank error
    /// allowed) is met: the sketch finds the exact rank and reports its
    /// value to within 1%.
    #[serde(default = "default_objectives")]
    pub summary_quantiles_objectives: Vec<QuantileObjective>,
    /// Export process metrics (CPU, memory): not supported yet.
    #[serde(default)]
    pub add_process_metrics: bool,
    /// Export Go runtime metrics: there is no Go runtime.
    #[serde(default)]
    pub add_go_metrics: bool,
    /// A Prometheus push gateway to push to: not supported yet.
    #[serde(default)]
    pub push_url: String,
    /// How often to push: not supported yet.
    #[serde(default)]
    pub push_interval: String,
    /// The job name of pushes: not supported yet.
    #[serde(default = "default_job")]
    pub push_job_name: String,
    /// Basic authentication for pushes: not supported yet.
    #[serde(default)]
    pub push_basic_auth: PushBasicAuth,
    /// A file the metrics are written to at shutdown: not supported yet.
    #[serde(default)]
    pub file_output_path: String,
}

impl Default for PrometheusConfig {
    fn default() -> PrometheusConfig {
        PrometheusConfig {
            use_histogram_timing: false,
            histogram_buckets: Vec::new(),
            summary_quantiles_objectives: default_objectives(),
            add_process_metrics: false,
            add_go_metrics: false,
            push_url: String::new(),
            push_interval: String::new(),
            push_job_name: default_job(),
            push_basic_auth: PushBasicAuth::default(),
            file_output_path: String::new(),
        }
    }
}

/// One quantile a summary reports.
#[derive(Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuantileObjective {
    /// The quantile, from 0 to 1.
    pub quantile: f64,
    /// The rank error allowed, from 0 to 1.
    pub error: f64,
}

/// `push_basic_auth`.
#[derive(Deserialize, JsonSchema, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct PushBasicAuth {
    /// The user name.
    #[serde(default)]
    pub username: String,
    /// The password.
    #[serde(default)]
    pub password: String,
}

fn default_objectives() -> Vec<QuantileObjective> {
    [(0.5, 0.05), (0.9, 0.01), (0.99, 0.001)]
        .into_iter()
        .map(|(quantile, error)| QuantileObjective { quantile, error })
        .collect()
}

fn default_job() -> String {
    "benthos_push".into()
}

/// Where `/metrics` gets its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Exporter {
    /// Prometheus text.
    #[default]
    Prometheus,
    /// Benthos' `json_api` object.
    JsonApi,
    /// Nothing is recorded.
    None,
}

/// What a validated `metrics` section asks of the registry.
#[derive(Debug, Clone)]
pub struct MetricsSettings {
    /// The exporter.
    pub exporter: Exporter,
    /// The quantiles Prometheus summaries report.
    pub quantiles: Arc<[f64]>,
    /// With `use_histogram_timing`, the bounds (seconds) histograms count
    /// over; `None`: timings are summaries.
    pub histogram_buckets: Option<Arc<[f64]>>,
}

impl Default for MetricsSettings {
    fn default() -> MetricsSettings {
        MetricsSettings {
            exporter: Exporter::Prometheus,
            quantiles: Arc::from([0.5, 0.9, 0.99]),
            histogram_buckets: None,
        }
    }
}

/// Why a `metrics` section cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsConfigError {
    /// The config path of the field at fault (`metrics.prometheus.push_url`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for MetricsConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for MetricsConfigError {}

fn error(path: &str, message: impl Into<String>) -> MetricsConfigError {
    MetricsConfigError {
        path: format!("metrics.{path}"),
        message: message.into(),
    }
}

fn unsupported(path: &str, field: &str) -> MetricsConfigError {
    error(path, format!("`{field}` is not supported yet"))
}

impl MetricsConfig {
    /// Reads the `metrics` section of a config tree (absent: defaults).
    pub fn from_config(node: Option<&Node>) -> Result<MetricsConfig, MetricsConfigError> {
        match node.filter(|n| !n.is_null()) {
            None => Ok(MetricsConfig::default()),
            Some(node) => serde_json::from_value(crate::config::json::to_json(node)).map_err(|e| {
                MetricsConfigError {
                    path: "metrics".into(),
                    message: e.to_string(),
                }
            }),
        }
    }

    /// Checks the section and gives the registry's settings: one exporter
    /// at most, and every field either works or is refused.
    pub fn validate(&self) -> Result<MetricsSettings, MetricsConfigError> {
        let refused = [
            ("logger", self.logger.is_some()),
            ("statsd", self.statsd.is_some()),
            ("influxdb", self.influxdb.is_some()),
            ("cloudwatch", self.cloudwatch.is_some()),
            ("aws_cloudwatch", self.aws_cloudwatch.is_some()),
            (
                "open_telemetry_collector",
                self.open_telemetry_collector.is_some(),
            ),
        ];
        if let Some((name, _)) = refused.iter().find(|(_, given)| *given) {
            return Err(error(
                name,
                format!("the `{name}` metrics exporter is not supported yet"),
            ));
        }
        let given: Vec<&str> = [
            ("prometheus", self.prometheus.is_some()),
            ("json_api", self.json_api.is_some()),
            ("none", self.none.is_some()),
        ]
        .iter()
        .filter(|(_, g)| *g)
        .map(|(n, _)| *n)
        .collect();
        if given.len() > 1 {
            return Err(error(
                given[1],
                format!(
                    "only one exporter may be set, and `{}` already is",
                    given[0]
                ),
            ));
        }
        let mut settings = MetricsSettings::default();
        if self.json_api.is_some() {
            settings.exporter = Exporter::JsonApi;
        } else if self.none.is_some() {
            settings.exporter = Exporter::None;
        } else if let Some(p) = &self.prometheus {
            p.apply(&mut settings)?;
        }
        Ok(settings)
    }
}

impl PrometheusConfig {
    fn apply(&self, settings: &mut MetricsSettings) -> Result<(), MetricsConfigError> {
        let at = |field: &str| format!("prometheus.{field}");
        for (field, set) in [
            ("add_process_metrics", self.add_process_metrics),
            ("push_url", !self.push_url.is_empty()),
            ("push_interval", !self.push_interval.is_empty()),
            ("push_job_name", self.push_job_name != default_job()),
            (
                "push_basic_auth",
                !self.push_basic_auth.username.is_empty()
                    || !self.push_basic_auth.password.is_empty(),
            ),
            ("file_output_path", !self.file_output_path.is_empty()),
        ] {
            if set {
                return Err(unsupported(&at(field), field));
            }
        }
        if self.add_go_metrics {
            return Err(error(
                &at("add_go_metrics"),
                "`add_go_metrics` does not apply: Tarn has no Go runtime",
            ));
        }
        for (i, o) in self.summary_quantiles_objectives.iter().enumerate() {
            if !(0.0..=1.0).contains(&o.quantile) || !(0.0..1.0).contains(&o.error) {
                return Err(error(
                    &at(&format!("summary_quantiles_objectives.{i}")),
                    "a quantile is from 0 to 1 and its error from 0 up to (not including) 1",
                ));
            }
        }
        if !self.use_histogram_timing {
            if !self.histogram_buckets.is_empty() {
                return Err(error(
                    &at("histogram_buckets"),
                    "only applies with `use_histogram_timing: true`",
                ));
            }
            settings.quantiles = self
                .summary_quantiles_objectives
                .iter()
                .map(|o| o.quantile)
                .collect();
            return Ok(());
        }
        if self.summary_quantiles_objectives != default_objectives() {
            return Err(error(
                &at("summary_quantiles_objectives"),
                "does not apply with `use_histogram_timing: true`",
            ));
        }
        let buckets = if self.histogram_buckets.is_empty() {
            super::DEFAULT_BUCKETS.to_vec()
        } else {
            self.histogram_buckets.clone()
        };
        if buckets.iter().any(|b| !b.is_finite()) || buckets.windows(2).any(|w| w[0] >= w[1]) {
            return Err(error(
                &at("histogram_buckets"),
                "the bounds must be finite numbers in increasing order",
            ));
        }
        settings.histogram_buckets = Some(Arc::from(buckets));
        Ok(())
    }
}

/// Reads and validates the `metrics` section of `root` and applies its
/// exporter settings to the global registry (the mapping is left to the
/// caller, who compiles it). Call before streams are built.
pub fn apply(root: &Node) -> Result<MetricsConfig, MetricsConfigError> {
    let config = MetricsConfig::from_config(root.get("metrics"))?;
    let settings = config.validate()?;
    super::global().configure(settings);
    Ok(config)
}
