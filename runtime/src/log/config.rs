//! The typed `logger` section and how it becomes a [`Logger`].

use super::sink::{FileSink, Rotation};
use super::{Format, Level, Logger};
use crate::config::node::Node;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The `logger` section: where log lines go and how they look.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct LoggerConfig {
    /// The most detailed level printed: `OFF`, `FATAL`, `ERROR`, `WARN`,
    /// `INFO`, `DEBUG`, `TRACE` or `ALL`, in any case (`NONE` is `OFF`,
    /// `FATAL` prints as `ERROR` and `ALL` as `TRACE`). Lines from the
    /// libraries the runtime uses (HTTP, Kafka or SQL clients) are printed
    /// from `WARN` up unless the level is `DEBUG` or `TRACE`.
    #[serde(default = "default_level")]
    pub level: String,
    /// The line format: `logfmt` (`level=info msg="…" key=value`) or
    /// `json` (one object per line).
    #[serde(default = "default_format")]
    pub format: String,
    /// Whether each line starts with the time (RFC 3339 in UTC, with
    /// milliseconds).
    #[serde(default)]
    pub add_timestamp: bool,
    /// The key of the level field (empty: `level`).
    #[serde(default = "default_level_name")]
    pub level_name: String,
    /// The key of the timestamp field when `add_timestamp` is on (empty:
    /// `time`).
    #[serde(default = "default_timestamp_name")]
    pub timestamp_name: String,
    /// The key of the message field (empty: `msg`).
    #[serde(default = "default_message_name")]
    pub message_name: String,
    /// Key/value pairs added to every line, in key order; giving any
    /// replaces the default `{"@service": "tarn"}`.
    #[serde(default = "default_static_fields")]
    pub static_fields: BTreeMap<String, String>,
    /// Writing the lines to a file instead of stderr.
    #[serde(default)]
    pub file: LogFileConfig,
}

/// `logger.file`: lines go to this file instead of stderr.
#[derive(Deserialize, JsonSchema, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct LogFileConfig {
    /// The file lines are appended to, created if missing (its directory
    /// must exist). Empty: no file, lines go to stderr.
    #[serde(default)]
    pub path: String,
    /// Whether the file is rotated: when it would grow past 10 MiB it is
    /// renamed to `<name>-<UTC time>.<ext>` and a new one started. One
    /// rotated file is kept (it is not compressed).
    #[serde(default)]
    pub rotate: bool,
    /// With `rotate`, rotated files older than this many days are
    /// deleted; 0 keeps them (up to the one kept).
    #[serde(default)]
    pub rotate_max_age_days: i64,
}

fn default_level() -> String {
    "INFO".into()
}
fn default_format() -> String {
    "logfmt".into()
}
fn default_level_name() -> String {
    "level".into()
}
fn default_timestamp_name() -> String {
    "time".into()
}
fn default_message_name() -> String {
    "msg".into()
}
fn default_static_fields() -> BTreeMap<String, String> {
    BTreeMap::from([("@service".to_string(), "tarn".to_string())])
}

impl Default for LoggerConfig {
    fn default() -> LoggerConfig {
        LoggerConfig {
            level: default_level(),
            format: default_format(),
            add_timestamp: false,
            level_name: default_level_name(),
            timestamp_name: default_timestamp_name(),
            message_name: default_message_name(),
            static_fields: default_static_fields(),
            file: LogFileConfig::default(),
        }
    }
}

/// Why a `logger` section cannot be used.
#[derive(Debug)]
pub enum LogConfigError {
    /// `level` names no level.
    Level(String),
    /// `format` is neither `logfmt` nor `json`.
    Format(String),
    /// A field holds a value the logger refuses; `path` is the field's
    /// config path (`logger.file.rotate_max_age_days`).
    Invalid {
        /// The field's config path.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The section does not have the shape of a `logger` section.
    Shape(String),
    /// `file.path` cannot be opened for appending.
    File {
        /// The file.
        path: String,
        /// The failure.
        source: std::io::Error,
    },
}

impl fmt::Display for LogConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogConfigError::Level(l) => write!(
                f,
                "logger.level: `{l}` is not one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL, NONE"
            ),
            LogConfigError::Format(x) => {
                write!(f, "logger.format: `{x}` is not one of logfmt, json")
            }
            LogConfigError::Invalid { path, message } => write!(f, "{path}: {message}"),
            LogConfigError::Shape(message) => write!(f, "logger: {message}"),
            LogConfigError::File { path, source } => {
                write!(
                    f,
                    "logger.file.path: cannot open `{path}` for writing: {source}"
                )
            }
        }
    }
}

impl std::error::Error for LogConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LogConfigError::File { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Logger {
    /// The logger a typed `logger` section describes. A `file.path` is
    /// opened (appending) here, and its writer thread started.
    pub fn from_typed(config: LoggerConfig) -> Result<Logger, LogConfigError> {
        let level = Level::parse(&config.level).ok_or(LogConfigError::Level(config.level))?;
        let format = match config.format.as_str() {
            "logfmt" => Format::Logfmt,
            "json" => Format::Json,
            _ => return Err(LogConfigError::Format(config.format)),
        };
        let name = |given: String, default: &str| {
            if given.is_empty() {
                default.to_string()
            } else {
                given
            }
        };
        let file_plan = plan_file(config.file)?;
        Ok(Logger {
            level,
            format,
            add_timestamp: config.add_timestamp,
            level_name: name(config.level_name, "level"),
            message_name: name(config.message_name, "msg"),
            timestamp_name: name(config.timestamp_name, "time"),
            static_fields: config.static_fields.into_iter().collect(),
            file: None,
            file_plan,
        })
    }

    /// Opens the log file the section names (creating it, appending) and
    /// starts its writer thread: done when the service starts, never when
    /// a config is only checked.
    pub fn open(mut self) -> Result<Logger, LogConfigError> {
        if let Some(plan) = self.file_plan.take() {
            let sink = FileSink::open(&plan.path, plan.rotation).map_err(|source| {
                LogConfigError::File {
                    path: plan.path.clone(),
                    source,
                }
            })?;
            self.file = Some(Arc::new(sink));
        }
        Ok(self)
    }

    /// Reads the `logger` section of a config tree (absent: the defaults).
    pub fn from_config(node: Option<&Node>) -> Result<Logger, String> {
        let config = match node.filter(|n| !n.is_null()) {
            None => LoggerConfig::default(),
            Some(node) => {
                let mut value = crate::config::json::to_json(node);
                stringify_scalars(&mut value);
                serde_json::from_value::<LoggerConfig>(value)
                    .map_err(|e| LogConfigError::Shape(e.to_string()).to_string())?
            }
        };
        Logger::from_typed(config)
            .and_then(Logger::open)
            .map_err(|e| e.to_string())
    }
}

/// YAML scalars the tree reader took for numbers or booleans where the
/// section wants text (`level: 5`, `static_fields: {n: 1}`) become text
/// again, as Benthos reads them.
fn stringify_scalars(value: &mut serde_json::Value) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    let text = |v: &mut serde_json::Value| match v {
        serde_json::Value::Number(n) => *v = serde_json::Value::String(n.to_string()),
        serde_json::Value::Bool(b) => *v = serde_json::Value::String(b.to_string()),
        _ => {}
    };
    for key in [
        "level",
        "format",
        "level_name",
        "timestamp_name",
        "message_name",
    ] {
        if let Some(v) = map.get_mut(key) {
            text(v);
        }
    }
    if let Some(fields) = map.get_mut("static_fields").and_then(|f| f.as_object_mut()) {
        fields.values_mut().for_each(text);
    }
    if let Some(path) = map
        .get_mut("file")
        .and_then(|f| f.as_object_mut())
        .and_then(|f| f.get_mut("path"))
    {
        text(path);
    }
}

/// Where a log file goes, checked but not opened yet.
#[derive(Debug, Clone)]
pub struct LogFilePlan {
    /// The file.
    pub path: String,
    /// How it is rotated, if at all.
    pub rotation: Option<Rotation>,
}

/// Checks `logger.file` when it names a path (its directory must exist);
/// the file is opened by [`Logger::open`].
fn plan_file(file: LogFileConfig) -> Result<Option<LogFilePlan>, LogConfigError> {
    let invalid = |field: &str, message: String| LogConfigError::Invalid {
        path: format!("logger.file.{field}"),
        message,
    };
    if file.rotate_max_age_days < 0 {
        return Err(invalid(
            "rotate_max_age_days",
            format!("must be 0 or more, not {}", file.rotate_max_age_days),
        ));
    }
    if file.path.is_empty() {
        if file.rotate {
            return Err(invalid("rotate", "needs `logger.file.path`".into()));
        }
        return Ok(None);
    }
    if file.rotate_max_age_days > 0 && !file.rotate {
        return Err(invalid(
            "rotate_max_age_days",
            "only applies with `rotate: true`".into(),
        ));
    }
    let rotation = file.rotate.then(|| Rotation {
        max_bytes: super::sink::ROTATE_BYTES,
        max_age_days: u64::try_from(file.rotate_max_age_days).unwrap_or(0),
    });
    let path = std::path::Path::new(&file.path);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if path.is_dir() {
        return Err(invalid("path", format!("`{}` is a directory", file.path)));
    }
    if !dir.is_dir() {
        return Err(invalid(
            "path",
            format!("the directory `{}` does not exist", dir.display()),
        ));
    }
    Ok(Some(LogFilePlan {
        path: file.path,
        rotation,
    }))
}
