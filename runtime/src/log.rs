//! Structured logging to stderr, configured by the `logger` section:
//! `level` (OFF, ERROR, WARN, INFO, DEBUG, TRACE; default INFO), `format`
//! (`logfmt` or `json`), `add_timestamp`, `static_fields` and the names of
//! the level, message and timestamp fields.

use crate::config::node::{Node, NodeKind};
use std::io::Write as _;
use std::sync::{Arc, LazyLock, RwLock};
use tarn_lang::Value;
use tarn_lang::value::{JsonStyle, write_json, write_string};

/// How severe a log line is; a logger prints lines up to its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing is printed.
    Off,
    /// Failures.
    Error,
    /// Problems that do not stop the work.
    Warn,
    /// What the service is doing.
    Info,
    /// Details for debugging.
    Debug,
    /// Everything.
    Trace,
}

impl Level {
    /// Reads a level name, in any case. `FATAL` reads as ERROR, `ALL` as
    /// TRACE and `NONE` as OFF, as Benthos accepts them.
    pub fn parse(name: &str) -> Option<Level> {
        Some(match name.to_ascii_uppercase().as_str() {
            "OFF" | "NONE" => Level::Off,
            "FATAL" | "ERROR" => Level::Error,
            "WARN" | "WARNING" => Level::Warn,
            "INFO" => Level::Info,
            "DEBUG" => Level::Debug,
            "TRACE" | "ALL" => Level::Trace,
            _ => return None,
        })
    }

    /// The lower-case name printed in a line.
    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }
}

/// The line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `level=info msg="…" key=value`.
    Logfmt,
    /// One JSON object per line.
    Json,
}

/// A configured logger.
#[derive(Debug, Clone)]
pub struct Logger {
    /// The most detailed level printed.
    pub level: Level,
    /// The line format.
    pub format: Format,
    /// Whether each line starts with the time.
    pub add_timestamp: bool,
    /// The key of the level field.
    pub level_name: String,
    /// The key of the message field.
    pub message_name: String,
    /// The key of the timestamp field.
    pub timestamp_name: String,
    /// Fields added to every line.
    pub static_fields: Vec<(String, String)>,
}

impl Default for Logger {
    fn default() -> Logger {
        Logger {
            level: Level::Info,
            format: Format::Logfmt,
            add_timestamp: false,
            level_name: "level".into(),
            message_name: "msg".into(),
            timestamp_name: "time".into(),
            static_fields: vec![("@service".into(), "tarn".into())],
        }
    }
}

impl Logger {
    /// Reads the `logger` section (absent: the defaults).
    pub fn from_config(node: Option<&Node>) -> Result<Logger, String> {
        let mut logger = Logger::default();
        let Some(node) = node else {
            return Ok(logger);
        };
        let text = |key: &str| {
            node.get(key)
                .filter(|n| !n.is_null())
                .and_then(Node::as_str)
        };
        if let Some(l) = text("level") {
            logger.level = Level::parse(l).ok_or_else(|| {
                format!("logger.level: `{l}` is not one of OFF, ERROR, WARN, INFO, DEBUG, TRACE")
            })?;
        }
        if let Some(f) = text("format") {
            logger.format = match f {
                "logfmt" => Format::Logfmt,
                "json" => Format::Json,
                other => {
                    return Err(format!(
                        "logger.format: `{other}` is not one of logfmt, json"
                    ));
                }
            };
        }
        logger.add_timestamp = text("add_timestamp") == Some("true");
        for (key, slot) in [
            ("level_name", &mut logger.level_name),
            ("message_name", &mut logger.message_name),
            ("timestamp_name", &mut logger.timestamp_name),
        ] {
            if let Some(v) = text(key).filter(|v| !v.is_empty()) {
                *slot = v.to_string();
            }
        }
        if let Some(NodeKind::Map(pairs)) = node.get("static_fields").map(|n| &n.kind) {
            logger.static_fields = pairs
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .collect();
        }
        Ok(logger)
    }

    /// Reads the typed `logger` section; an error names the field.
    pub fn from_typed(
        cfg: &crate::config::interim::LoggerConfig,
    ) -> Result<Logger, (&'static str, String)> {
        let mut logger = Logger::default();
        if let Some(l) = cfg.level.as_deref().filter(|l| !l.is_empty()) {
            logger.level = Level::parse(l).ok_or_else(|| {
                (
                    "level",
                    format!("`{l}` is not one of OFF, ERROR, WARN, INFO, DEBUG, TRACE"),
                )
            })?;
        }
        if let Some(f) = cfg.format.as_deref().filter(|f| !f.is_empty()) {
            logger.format = match f {
                "logfmt" => Format::Logfmt,
                "json" => Format::Json,
                other => return Err(("format", format!("`{other}` is not one of logfmt, json"))),
            };
        }
        if cfg.file.is_some() {
            return Err(("file", "logging to a file is not supported yet".into()));
        }
        logger.add_timestamp = cfg.add_timestamp;
        for (value, slot) in [
            (&cfg.level_name, &mut logger.level_name),
            (&cfg.message_name, &mut logger.message_name),
            (&cfg.timestamp_name, &mut logger.timestamp_name),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                *slot = v.to_string();
            }
        }
        if !cfg.static_fields.is_empty() {
            logger.static_fields = cfg
                .static_fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
        }
        Ok(logger)
    }

    /// Whether lines at `level` are printed.
    pub fn enabled(&self, level: Level) -> bool {
        level != Level::Off && level <= self.level
    }

    /// One formatted line (with its newline), whatever the level.
    pub fn format_line(&self, level: Level, message: &str, fields: &[(&str, Value)]) -> String {
        let time = self
            .add_timestamp
            .then(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        let mut all: Vec<(&str, Value)> = Vec::with_capacity(fields.len() + 4);
        if let Some(t) = &time {
            all.push((&self.timestamp_name, Value::str(t)));
        }
        all.push((&self.level_name, Value::str(level.name())));
        all.push((&self.message_name, Value::str(message)));
        for (k, v) in &self.static_fields {
            all.push((k, Value::str(v)));
        }
        all.extend(fields.iter().map(|(k, v)| (*k, v.clone())));
        match self.format {
            Format::Logfmt => {
                let mut line = String::new();
                for (i, (k, v)) in all.iter().enumerate() {
                    if i > 0 {
                        line.push(' ');
                    }
                    line.push_str(&logfmt_value(k));
                    line.push('=');
                    line.push_str(&logfmt_value(&tarn_lang::convert::to_display_string(v)));
                }
                line.push('\n');
                line
            }
            Format::Json => {
                let mut out = Vec::new();
                out.push(b'{');
                let mut first = true;
                for (i, (k, v)) in all.iter().enumerate() {
                    // A later field of the same name wins: keys are
                    // unique in a JSON object.
                    if all.iter().skip(i + 1).any(|(later, _)| later == k) {
                        continue;
                    }
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    write_string(&mut out, k, false);
                    out.push(b':');
                    if write_json(&mut out, v, JsonStyle::MESSAGE).is_err() {
                        write_string(&mut out, &tarn_lang::convert::to_display_string(v), false);
                    }
                }
                out.extend_from_slice(b"}\n");
                String::from_utf8_lossy(&out).into_owned()
            }
        }
    }

    /// Prints a line on stderr when `level` is enabled.
    pub fn log(&self, level: Level, message: &str, fields: &[(&str, Value)]) {
        if self.enabled(level) {
            let line = self.format_line(level, message, fields);
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }
}

/// Quotes a logfmt key or value when it needs it.
fn logfmt_value(text: &str) -> String {
    if !text.is_empty()
        && !text.contains(|c: char| c == ' ' || c == '"' || c == '=' || c.is_control())
    {
        text.to_string()
    } else {
        format!("{text:?}")
    }
}

static CURRENT: LazyLock<RwLock<Arc<Logger>>> =
    LazyLock::new(|| RwLock::new(Arc::new(Logger::default())));

/// Makes `logger` the one every later line goes through.
pub fn set(logger: Logger) {
    let mut guard = match CURRENT.write() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    *guard = Arc::new(logger);
}

/// The logger in use.
pub fn current() -> Arc<Logger> {
    match CURRENT.read() {
        Ok(g) => g.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// Logs `message` with `fields` at `level` through the current logger.
pub fn log(level: Level, message: &str, fields: &[(&str, Value)]) {
    current().log(level, message, fields);
}

/// Logs at ERROR with string fields (`label`, `path` …).
pub fn error_with(fields: &[(&str, &str)], message: &str) {
    let fields: Vec<(&str, Value)> = fields.iter().map(|(k, v)| (*k, Value::str(v))).collect();
    log(Level::Error, message, &fields);
}

/// Logs at ERROR.
pub fn error(message: &str) {
    log(Level::Error, message, &[]);
}

/// Logs at WARN.
pub fn warn(message: &str) {
    log(Level::Warn, message, &[]);
}

/// Logs at INFO.
pub fn info(message: &str) {
    log(Level::Info, message, &[]);
}

/// Logs at DEBUG.
pub fn debug(message: &str) {
    log(Level::Debug, message, &[]);
}

/// The `log` processor: a line per message at its level, with the
/// component's `label` and `path`, the fields of `fields` and those of
/// `fields_mapping`.
#[derive(Debug)]
pub struct LogProcessor {
    /// The level of its lines.
    pub level: Level,
    /// The interpolated message.
    pub message: Arc<tarn_lang::Interpolation>,
    /// A mapping whose object result becomes extra fields.
    pub fields_mapping: Option<Arc<tarn_lang::Program>>,
    /// The older `fields`: names with interpolated values.
    pub fields: Vec<(String, Arc<tarn_lang::Interpolation>)>,
    /// The component's label.
    pub label: String,
    /// Its config path (`root.pipeline.processors.0`).
    pub path: String,
}

impl LogProcessor {
    /// Logs every message of `batch` (nothing when the level is filtered
    /// out).
    pub fn process(&self, vm: &mut tarn_lang::Vm, batch: &[tarn_lang::Message]) {
        let logger = current();
        if !logger.enabled(self.level) {
            return;
        }
        for i in 0..batch.len() {
            let text = self
                .message
                .render(vm, batch, i)
                .unwrap_or_else(|e| format!("failed to render the log message: {e}"));
            let mut fields: Vec<(String, Value)> = vec![
                ("label".into(), Value::str(&self.label)),
                ("path".into(), Value::str(&self.path)),
            ];
            for (k, v) in &self.fields {
                let text = v
                    .render(vm, batch, i)
                    .unwrap_or_else(|e| format!("failed to render: {e}"));
                fields.push((k.clone(), Value::str(&text)));
            }
            if let Some(program) = &self.fields_mapping {
                match tarn_lang::vm::run(program, vm, batch, i, tarn_lang::Mode::Mapping) {
                    Ok(outcome) => {
                        if let Value::Object(map) = &outcome.root {
                            for (k, v) in map.iter() {
                                fields.push((k.to_string(), v.clone()));
                            }
                        }
                    }
                    Err(e) => logger.log(
                        Level::Error,
                        &format!("failed to execute fields mapping: {e}"),
                        &[("path", Value::str(&self.path))],
                    ),
                }
            }
            let fields: Vec<(&str, Value)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            logger.log(self.level, &text, &fields);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Logger, String> {
        let root = crate::config::node::parse(yaml).map_err(|e| e.message)?;
        Logger::from_config(root.get("logger"))
    }

    #[test]
    fn levels_filter_and_parse() {
        let l = parse("logger:\n  level: warn\n").expect("valid");
        assert!(l.enabled(Level::Error) && l.enabled(Level::Warn));
        assert!(!l.enabled(Level::Info) && !l.enabled(Level::Off));
        let off = parse("logger:\n  level: OFF\n").expect("valid");
        assert!(!off.enabled(Level::Error));
        assert_eq!(Level::parse("Trace"), Some(Level::Trace));
        assert_eq!(Level::parse("FATAL"), Some(Level::Error));
        assert!(parse("logger:\n  level: LOUD\n").is_err());
        assert!(parse("logger:\n  format: xml\n").is_err());
        assert_eq!(parse("").expect("defaults").level, Level::Info);
    }

    #[test]
    fn logfmt_lines_quote_when_needed() {
        let l = Logger::default();
        assert_eq!(
            l.format_line(
                Level::Info,
                "hello world",
                &[("path", Value::str("root.input")), ("n", Value::Int(3))]
            ),
            "level=info msg=\"hello world\" @service=tarn path=root.input n=3\n"
        );
        assert_eq!(
            l.format_line(Level::Error, "a=b", &[("e", Value::str(""))]),
            "level=error msg=\"a=b\" @service=tarn e=\"\"\n"
        );
    }

    #[test]
    fn json_lines_with_custom_names_and_static_fields() {
        let l = parse(
            "logger:\n  format: json\n  level_name: severity\n  message_name: message\n  static_fields:\n    app: demo\n",
        )
        .expect("valid");
        assert_eq!(
            l.format_line(
                Level::Debug,
                "say \"hi\"",
                &[("n", Value::Int(2)), ("app", Value::str("override"))]
            ),
            "{\"severity\":\"debug\",\"message\":\"say \\\"hi\\\"\",\"n\":2,\"app\":\"override\"}\n"
        );
    }

    #[test]
    fn timestamps_come_first() {
        let l = parse("logger:\n  format: json\n  add_timestamp: true\n").expect("valid");
        let line = l.format_line(Level::Info, "x", &[]);
        assert!(line.starts_with("{\"time\":\"20"), "{line}");
        assert!(line.contains("Z\",\"level\":\"info\""), "{line}");
    }
}
