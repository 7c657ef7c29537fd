//! The `tracing` layer that formats every event — the runtime's own and
//! those of the libraries it uses, `tracing` events and `log` records
//! alike — with the configured [`Logger`].
//!
//! Filtering: events of the runtime (target `tarn` or a `tarn_*` crate)
//! pass up to the configured level. Other crates' events pass from WARN
//! up, unless the level is DEBUG or TRACE, when they pass up to it too:
//! client libraries say a lot at INFO that is noise in a pipeline's log.
//! Their lines carry a `target` field naming where they come from.

use super::{Level, Logger, current};
use std::cell::RefCell;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, Once};
use tarn_lang::Value;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// The target of the events the runtime's logging functions emit.
pub const RUNTIME_TARGET: &str = "tarn";

/// Whether `target` is the runtime's own (`tarn`, `tarn_runtime::…`).
pub fn is_runtime_target(target: &str) -> bool {
    target == RUNTIME_TARGET || target.starts_with("tarn_") || target.starts_with("tarn::")
}

thread_local! {
    /// Fields handed from [`emit`] to the layer for the event it emits
    /// next on this thread; taken by the layer.
    static PENDING: RefCell<Option<Vec<(String, Value)>>> = const { RefCell::new(None) };
}

/// Emits a runtime event at `level` with `message` and `fields` through
/// `tracing`. Returns whether a [`LogLayer`] took it.
pub(super) fn emit(level: Level, message: &str, fields: &[(&str, Value)]) -> bool {
    let owned = fields
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    PENDING.with(|p| *p.borrow_mut() = Some(owned));
    match level {
        Level::Off => {}
        Level::Error => tracing::event!(target: "tarn", tracing::Level::ERROR, message),
        Level::Warn => tracing::event!(target: "tarn", tracing::Level::WARN, message),
        Level::Info => tracing::event!(target: "tarn", tracing::Level::INFO, message),
        Level::Debug => tracing::event!(target: "tarn", tracing::Level::DEBUG, message),
        Level::Trace => tracing::event!(target: "tarn", tracing::Level::TRACE, message),
    }
    PENDING.with(|p| p.borrow_mut().take()).is_none()
}

/// Installs, once per process, a `tracing` subscriber with a
/// [`LogLayer`] over the current logger as the global default, and the
/// bridge that turns `log` records into `tracing` events. When another
/// subscriber or `log` logger is already installed, the runtime's own
/// lines are still printed (directly), other crates' go to that one.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt as _;
        use tracing_subscriber::util::SubscriberInitExt as _;
        let _ = tracing_subscriber::registry()
            .with(LogLayer::current())
            .try_init();
    });
}

/// Makes `tracing` and `log` re-read the levels after the logger changed.
pub(super) fn levels_changed() {
    tracing::callsite::rebuild_interest_cache();
    log::set_max_level(match LevelFilter::current().into_level() {
        None => log::LevelFilter::Off,
        Some(tracing::Level::ERROR) => log::LevelFilter::Error,
        Some(tracing::Level::WARN) => log::LevelFilter::Warn,
        Some(tracing::Level::INFO) => log::LevelFilter::Info,
        Some(tracing::Level::DEBUG) => log::LevelFilter::Debug,
        Some(tracing::Level::TRACE) => log::LevelFilter::Trace,
    });
}

/// A `tracing_subscriber` layer that prints events as configured by a
/// [`Logger`]: the process's current one ([`LogLayer::current`]) or a
/// fixed one writing into memory ([`LogLayer::capture`]).
#[derive(Debug)]
pub struct LogLayer {
    source: Source,
}

#[derive(Debug)]
enum Source {
    Current,
    Captured(Arc<Logger>, Captured),
}

/// The lines a [`LogLayer::capture`] layer printed.
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything printed so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&crate::sync::lock(&self.0)).into_owned()
    }
}

impl LogLayer {
    /// A layer printing through the current logger ([`super::set`]).
    pub fn current() -> LogLayer {
        LogLayer {
            source: Source::Current,
        }
    }

    /// A layer formatting with `logger` into memory, for tests.
    pub fn capture(logger: Logger) -> (LogLayer, Captured) {
        let captured = Captured::default();
        let layer = LogLayer {
            source: Source::Captured(Arc::new(logger), captured.clone()),
        };
        (layer, captured)
    }

    fn logger(&self) -> Arc<Logger> {
        match &self.source {
            Source::Current => current(),
            Source::Captured(logger, _) => logger.clone(),
        }
    }
}

impl<S: Subscriber> Layer<S> for LogLayer {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // The level can change at run time, and `log` records share a few
        // callsites whatever their target: decide per event.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        metadata.is_event()
            && self
                .logger()
                .allows(Level::from(*metadata.level()), metadata.target())
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(match self.logger().level {
            Level::Off => LevelFilter::OFF,
            Level::Error => LevelFilter::ERROR,
            Level::Warn => LevelFilter::WARN,
            Level::Info => LevelFilter::INFO,
            Level::Debug => LevelFilter::DEBUG,
            Level::Trace => LevelFilter::TRACE,
        })
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let metadata = event.metadata();
        let level = Level::from(*metadata.level());
        let logger = self.logger();
        let pending = if metadata.target() == RUNTIME_TARGET {
            PENDING.with(|p| p.borrow_mut().take())
        } else {
            None
        };
        let mut visitor = Fields {
            message: String::new(),
            log_target: None,
            fields: pending.unwrap_or_default(),
        };
        event.record(&mut visitor);
        // A `log` record's target is a field of the bridge's event.
        let target = visitor.log_target.as_deref().unwrap_or(metadata.target());
        if !logger.allows(level, target) {
            return;
        }
        let mut fields: Vec<(&str, Value)> = Vec::with_capacity(visitor.fields.len() + 1);
        if !is_runtime_target(target) {
            fields.push(("target", Value::str(target)));
        }
        fields.extend(visitor.fields.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let line = logger.format_line(level, &visitor.message, &fields);
        match &self.source {
            Source::Current => logger.write(line.into_bytes()),
            Source::Captured(_, into) => {
                crate::sync::lock(&into.0).extend_from_slice(line.as_bytes())
            }
        }
    }
}

impl From<tracing::Level> for Level {
    fn from(level: tracing::Level) -> Level {
        match level {
            tracing::Level::ERROR => Level::Error,
            tracing::Level::WARN => Level::Warn,
            tracing::Level::INFO => Level::Info,
            tracing::Level::DEBUG => Level::Debug,
            tracing::Level::TRACE => Level::Trace,
        }
    }
}

/// Collects an event's message and fields; the `log.*` fields the `log`
/// bridge adds (target, module, file, line) are left out.
struct Fields {
    message: String,
    /// The `log.target` of a bridged `log` record.
    log_target: Option<String>,
    fields: Vec<(String, Value)>,
}

impl Fields {
    fn add(&mut self, field: &Field, value: Value) {
        let name = field.name();
        if name == "message" {
            self.message = tarn_lang::convert::to_display_string(&value);
        } else if name == "log.target" {
            self.log_target = Some(tarn_lang::convert::to_display_string(&value));
        } else if !name.starts_with("log.") {
            self.fields.push((name.to_string(), value));
        }
    }
}

impl Visit for Fields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.add(field, Value::Float(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.add(field, Value::Int(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.add(field, Value::UInt(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.add(field, Value::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.add(field, Value::str(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.add(field, Value::str(&value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.add(field, Value::str(&format!("{value:?}")));
    }
}
