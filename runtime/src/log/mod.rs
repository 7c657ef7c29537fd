//! Logging, through the `tracing` ecosystem: the runtime's lines, and
//! those of the libraries it uses (`tracing` events and `log` records),
//! are formatted by one [`LogLayer`] as the `logger` section says —
//! `level` (OFF, ERROR, WARN, INFO, DEBUG, TRACE; default INFO),
//! `format` (`logfmt` or `json`), `add_timestamp`, `static_fields`, the
//! names of the level, message and timestamp fields, and `file`.
//!
//! The functions here ([`error`], [`info`], [`error_with`] …) emit
//! `tracing` events with target `tarn`; fields given to the `_with`
//! forms become fields of the line. Code may also use `tracing` macros
//! directly: `tracing::warn!(target: "tarn", label = "in", "message")`.
//! See [`layer`] for which events pass the level.

mod config;
mod format;
pub mod layer;
mod processor;
mod sink;

pub use config::{LogConfigError, LogFileConfig, LogFilePlan, LoggerConfig};
pub use layer::{Captured, LogLayer, install};
pub use processor::LogProcessor;
pub use sink::FileSink;

use std::sync::{Arc, LazyLock, PoisonError, RwLock};
use tarn_lang::Value;

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
    /// The file lines go to instead of stderr (once opened).
    pub file: Option<Arc<FileSink>>,
    /// The file to open when the service starts ([`Logger::open`]).
    pub file_plan: Option<LogFilePlan>,
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
            file: None,
            file_plan: None,
        }
    }
}

impl Logger {
    /// Whether the runtime's lines at `level` are printed.
    pub fn enabled(&self, level: Level) -> bool {
        level != Level::Off && level <= self.level
    }

    /// Whether an event at `level` from `target` is printed: the
    /// runtime's up to the level, other crates' from WARN up unless the
    /// level is DEBUG or TRACE.
    pub fn allows(&self, level: Level, target: &str) -> bool {
        let limit = if layer::is_runtime_target(target) || self.level >= Level::Debug {
            self.level
        } else {
            self.level.min(Level::Warn)
        };
        level != Level::Off && level <= limit
    }

    /// One formatted line (with its newline), whatever the level.
    pub fn format_line(&self, level: Level, message: &str, fields: &[(&str, Value)]) -> String {
        format::line(self, level, message, fields)
    }

    /// Prints a line through this logger (not the current one) when
    /// `level` is enabled, without going through `tracing`.
    pub fn log(&self, level: Level, message: &str, fields: &[(&str, Value)]) {
        if self.enabled(level) {
            self.write(self.format_line(level, message, fields).into_bytes());
        }
    }

    /// Writes a formatted line to the file, or else stderr.
    pub fn write(&self, line: Vec<u8>) {
        match &self.file {
            Some(file) => file.write(line),
            None => to_stderr(&line),
        }
    }

    /// Waits until the lines written so far are in the file (nothing to
    /// do for stderr).
    pub fn flush(&self) {
        if let Some(file) = &self.file {
            file.flush();
        }
    }
}

static CURRENT: LazyLock<RwLock<Arc<Logger>>> =
    LazyLock::new(|| RwLock::new(Arc::new(Logger::default())));

/// Makes `logger` the one every later line goes through (installing the
/// `tracing` subscriber on first use); lines of the previous one are
/// flushed to its file.
pub fn set(logger: Logger) {
    install();
    let previous = {
        let mut guard = CURRENT.write().unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *guard, Arc::new(logger))
    };
    previous.flush();
    layer::levels_changed();
}

/// The logger in use.
pub fn current() -> Arc<Logger> {
    CURRENT
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Waits until every line logged so far is written: call before the
/// process exits, as a log file is written by its own thread.
pub fn flush() {
    current().flush();
}

/// Logs `message` with `fields` at `level` through `tracing` and the
/// current logger.
pub fn log(level: Level, message: &str, fields: &[(&str, Value)]) {
    let logger = current();
    if !logger.enabled(level) {
        return;
    }
    if !layer::emit(level, message, fields) {
        // No `LogLayer` saw it (none installed yet, or another subscriber
        // is the default here): print it directly.
        logger.write(logger.format_line(level, message, fields).into_bytes());
    }
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

/// Text fields as line fields.
fn text_fields<'a>(fields: &[(&'a str, &str)]) -> Vec<(&'a str, Value)> {
    fields.iter().map(|(k, v)| (*k, Value::str(v))).collect()
}

/// Logs at ERROR with text fields (`label`, `path`, `stream` …) after
/// the message.
pub fn error_with(fields: &[(&str, &str)], message: &str) {
    log(Level::Error, message, &text_fields(fields));
}

/// Logs at WARN with text fields.
pub fn warn_with(fields: &[(&str, &str)], message: &str) {
    log(Level::Warn, message, &text_fields(fields));
}

/// Logs at INFO with text fields.
pub fn info_with(fields: &[(&str, &str)], message: &str) {
    log(Level::Info, message, &text_fields(fields));
}

/// Logs at DEBUG with text fields.
pub fn debug_with(fields: &[(&str, &str)], message: &str) {
    log(Level::Debug, message, &text_fields(fields));
}

#[cfg(test)]
mod tests;

/// Writes a line to stderr. Unit tests print it with `eprint!`, which the
/// test harness captures, so a passing run does not show the errors its
/// tests cause on purpose; the binary writes the bytes and ignores a
/// closed stderr.
fn to_stderr(line: &[u8]) {
    #[cfg(test)]
    eprint!("{}", String::from_utf8_lossy(line));
    #[cfg(not(test))]
    {
        use std::io::Write as _;
        let _ = std::io::stderr().lock().write_all(line);
    }
}
