//! The registry as the `metrics` facade's recorder: `metrics::counter!`,
//! `gauge!` and `histogram!` anywhere in the process register series in
//! [`super::global`], with the current stream's label and through the
//! `metrics.mapping`, like the runtime's own.
//!
//! `metrics::histogram!` values are taken as they come (their unit is
//! the caller's); only the runtime's timings are nanoseconds. A
//! `describe_*!` text becomes the `# HELP` of the name it describes (a
//! series the mapping renames shows the default help).

use super::{GLOBAL, Metrics};
use metrics::{Key, KeyName, Metadata, Recorder, SharedString, Unit};
use std::sync::{Arc, Once};

/// The labels of a `metrics` key as pairs.
fn labels(key: &Key) -> Vec<(&str, &str)> {
    key.labels().map(|l| (l.key(), l.value())).collect()
}

impl Recorder for Metrics {
    fn describe_counter(&self, key: KeyName, _: Option<Unit>, description: SharedString) {
        self.describe(key.as_str(), &description);
    }

    fn describe_gauge(&self, key: KeyName, _: Option<Unit>, description: SharedString) {
        self.describe(key.as_str(), &description);
    }

    fn describe_histogram(&self, key: KeyName, _: Option<Unit>, description: SharedString) {
        self.describe(key.as_str(), &description);
    }

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> metrics::Counter {
        let counter = self.counter(key.name(), &labels(key));
        metrics::Counter::from_arc(counter.0)
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> metrics::Gauge {
        let gauge = self.gauge(key.name(), &labels(key));
        metrics::Gauge::from_arc(gauge.0)
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> metrics::Histogram {
        let histogram = self.distribution(key.name(), &labels(key), false);
        metrics::Histogram::from_arc(Arc::clone(&histogram.0))
    }
}

/// Forwards to the global registry.
struct GlobalRecorder;

impl Recorder for GlobalRecorder {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        GLOBAL.describe_counter(key, unit, description);
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        GLOBAL.describe_gauge(key, unit, description);
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        GLOBAL.describe_histogram(key, unit, description);
    }

    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> metrics::Counter {
        GLOBAL.register_counter(key, metadata)
    }

    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> metrics::Gauge {
        GLOBAL.register_gauge(key, metadata)
    }

    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> metrics::Histogram {
        GLOBAL.register_histogram(key, metadata)
    }
}

/// Installs the global registry as the process's `metrics` recorder,
/// once ([`super::global`] does it on first use). Should another
/// recorder already be installed, `metrics::*!` calls go there and the
/// runtime's own series still land in the registry.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = metrics::set_global_recorder(GlobalRecorder);
    });
}
