//! Metrics: a registry of labelled counters, gauges and timing
//! histograms that is also the process's `metrics` recorder, so
//! `metrics::counter!`, `gauge!` and `histogram!` from any crate land in
//! it next to the runtime's own series.
//!
//! Names follow Benthos (`input_received`, `processor_sent`,
//! `output_latency_ns` …), each runtime series labelled with the
//! component's `label` and config `path` (`root.pipeline.processors.0`).
//! Timings are recorded in nanoseconds into a [`sketch`] (1% relative
//! error over a 10-minute window) that both `/metrics` and
//! `/streams/{id}/stats` read their quantiles from. `/metrics` renders
//! them as Prometheus summaries (quantiles 0.5, 0.9, 0.99 in
//! nanoseconds, `_sum`, `_count`) as Benthos' exporter does, or with
//! `use_histogram_timing` as histograms in seconds ([`config`]).
//!
//! Series registered inside [`scoped`] belong to a stream: they carry a
//! `stream` label and go away with [`Metrics::remove_stream`]. A
//! `metrics.mapping` ([`Metrics::set_mapping`]) may rename, relabel or
//! drop each series once, when it is registered.

mod component;
pub mod config;
mod mapping;
mod prometheus;
mod recorder;
pub mod sketch;
mod stats;

pub use component::{InputMetrics, OutputMetrics, ProcessorMetrics, Started};
pub use config::{Exporter, MetricsConfig, MetricsConfigError, MetricsSettings};
pub use recorder::install;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;
use tarn_lang::Program;

/// The Prometheus default histogram bounds (seconds), used with
/// `use_histogram_timing` when `histogram_buckets` is empty.
pub const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A monotonically increasing count. Clones share the value.
#[derive(Debug, Clone, Default)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The current count.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down. Clones share the value.
#[derive(Debug, Clone)]
pub struct Gauge(Arc<AtomicU64>);

impl Default for Gauge {
    fn default() -> Gauge {
        Gauge(Arc::new(AtomicU64::new(0f64.to_bits())))
    }
}

impl Gauge {
    /// Sets the value.
    pub fn set(&self, v: f64) {
        self.0.store(v.to_bits(), Ordering::Relaxed);
    }

    /// Adds `v` (subtracts a negative one).
    pub fn add(&self, v: f64) {
        add_f64(&self.0, v);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// Adds `v` to the f64 in `cell`.
fn add_f64(cell: &AtomicU64, v: f64) {
    let _ = cell.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
        Some((f64::from_bits(old) + v).to_bits())
    });
}

/// Exact per-bucket counts for histogram timings.
#[derive(Debug)]
struct Buckets {
    /// Upper bounds, ascending, in seconds for timings.
    bounds: Arc<[f64]>,
    /// Observations per bucket (not cumulative); the last is `+Inf`.
    counts: Box<[AtomicU64]>,
}

#[derive(Debug)]
struct HistogramData {
    /// Values are nanoseconds (the runtime's `_ns` timings).
    timing: bool,
    count: AtomicU64,
    /// The sum of the values, as f64 bits.
    sum: AtomicU64,
    sketch: sketch::Sketch,
    buckets: Option<Buckets>,
}

impl HistogramData {
    fn new(timing: bool, bounds: Option<Arc<[f64]>>) -> HistogramData {
        HistogramData {
            timing,
            count: AtomicU64::new(0),
            sum: AtomicU64::new(0f64.to_bits()),
            sketch: sketch::Sketch::default(),
            buckets: bounds.map(|bounds| Buckets {
                counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
                bounds,
            }),
        }
    }

    fn record(&self, v: f64) {
        if v.is_nan() {
            return;
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        add_f64(&self.sum, v);
        if let Some(b) = &self.buckets {
            let x = if self.timing { v / 1e9 } else { v };
            let slot = b.bounds.partition_point(|le| *le < x);
            if let Some(n) = b.counts.get(slot) {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.sketch.record_at(v, sketch::now_epoch());
    }

    fn sum(&self) -> f64 {
        f64::from_bits(self.sum.load(Ordering::Relaxed))
    }
}

impl metrics::HistogramFn for HistogramData {
    fn record(&self, value: f64) {
        HistogramData::record(self, value);
    }
}

/// A distribution of values: durations for the runtime's timings. Clones
/// share the data.
#[derive(Debug, Clone)]
pub struct Histogram(Arc<HistogramData>);

impl Default for Histogram {
    /// A detached timing histogram.
    fn default() -> Histogram {
        Histogram(Arc::new(HistogramData::new(true, None)))
    }
}

impl Histogram {
    /// Records one duration (in nanoseconds).
    pub fn observe(&self, d: Duration) {
        // Exact below 2^53 ns (104 days).
        self.0.record(d.as_nanos() as f64);
    }

    /// Records one value.
    pub fn record(&self, v: f64) {
        self.0.record(v);
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone)]
enum Value {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

impl Value {
    fn same_kind(&self, other: &Value) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// Label pairs in order.
type Labels = Vec<(String, String)>;

/// A metric name with its labels.
type Key = (Arc<str>, Labels);

#[derive(Debug)]
struct Series {
    name: Arc<str>,
    labels: Labels,
    value: Value,
    /// The streams that registered it.
    owners: Vec<Arc<str>>,
    /// Also registered outside any stream: never removed.
    global: bool,
}

/// What one registration (name and labels before the mapping) became.
#[derive(Debug)]
struct Resolved {
    /// The series after the mapping; `None` when it dropped it.
    target: Option<Key>,
    /// The stream that registered it.
    owner: Option<Arc<str>>,
}

#[derive(Debug, Default)]
struct Inner {
    series: Vec<Series>,
    /// Where each series is in `series`, and the kind each name holds, so
    /// a registration does not scan every series.
    index: HashMap<Key, usize>,
    kinds: HashMap<Arc<str>, Value>,
    /// The mapping's verdict per registration, so it runs (and logs an
    /// error) once per series.
    resolved: HashMap<Key, Resolved>,
    mapping: Option<Arc<Program>>,
    settings: MetricsSettings,
    /// `# HELP` texts given through `metrics::describe_*!`.
    descriptions: HashMap<String, String>,
}

/// A set of named, labelled metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

static GLOBAL: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The process-wide registry that `/metrics` renders; the first call
/// also installs it as the `metrics` recorder.
pub fn global() -> &'static Metrics {
    install();
    &GLOBAL
}

thread_local! {
    static STREAM: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// Runs `f` with `stream` as the owner of every series registered on
/// this thread meanwhile: they get a `stream` label and are removed by
/// [`Metrics::remove_stream`]. The previous scope (if any) is restored
/// afterwards, also when `f` panics.
pub fn scoped<T>(stream: &str, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<str>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            STREAM.with(|s| *s.borrow_mut() = previous);
        }
    }
    let previous = STREAM.with(|s| s.replace(Some(Arc::from(stream))));
    let _restore = Restore(previous);
    f()
}

/// The stream whose [`scoped`] call this thread is inside, if any.
pub fn current_stream() -> Option<Arc<str>> {
    STREAM.with(|s| s.borrow().clone())
}

impl Metrics {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        crate::sync::lock(&self.inner)
    }

    /// Sets (or with `None` clears) the `metrics.mapping` applied to
    /// series registered from now on; existing series keep their names.
    pub fn set_mapping(&self, program: Option<Arc<Program>>) {
        let mut inner = self.lock();
        inner.mapping = program;
        inner.resolved.clear();
    }

    /// Applies the exporter settings of a validated `metrics` section.
    /// Call it before series are registered: a histogram keeps the
    /// bucket bounds it was created with.
    pub fn configure(&self, settings: MetricsSettings) {
        self.lock().settings = settings;
    }

    /// The settings in force.
    pub fn settings(&self) -> MetricsSettings {
        self.lock().settings.clone()
    }

    /// The shared value of series `name` with `labels` (plus the current
    /// stream's label), created by `make` if new; `None` when the
    /// mapping drops it, the name already holds another kind or the
    /// exporter is `none`.
    fn get_or_add(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        make: impl FnOnce(&MetricsSettings) -> Value,
    ) -> Option<Value> {
        let owner = current_stream();
        let mut labels: Labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        if let Some(stream) = &owner {
            labels.push(("stream".to_string(), stream.to_string()));
        }
        let key: Key = (Arc::from(name), labels);
        let (value, failure) = {
            let mut inner = self.lock();
            if inner.settings.exporter == Exporter::None {
                return None;
            }
            let (target, failure) = inner.resolve(key, owner.clone());
            let value = target.and_then(|(name, labels)| inner.add(name, labels, owner, make));
            (value, failure)
        };
        if let Some(message) = failure {
            crate::log::error(&message);
        }
        value
    }

    /// The counter `name` with these labels, created at zero if new. A
    /// series the mapping drops counts into a detached value.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> Counter {
        match self.get_or_add(name, labels, |_| Value::Counter(Counter::default())) {
            Some(Value::Counter(c)) => c,
            _ => Counter::default(),
        }
    }

    /// The gauge `name` with these labels, created at zero if new. A
    /// series the mapping drops holds a detached value.
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Gauge {
        match self.get_or_add(name, labels, |_| Value::Gauge(Gauge::default())) {
            Some(Value::Gauge(g)) => g,
            _ => Gauge::default(),
        }
    }

    /// The timing histogram `name` (durations, in nanoseconds) with these
    /// labels, created empty if new. A series the mapping drops records
    /// into a detached value.
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Histogram {
        self.distribution(name, labels, true)
    }

    /// A histogram of plain values (`timing: false`) or of nanoseconds.
    fn distribution(&self, name: &str, labels: &[(&str, &str)], timing: bool) -> Histogram {
        let make = |s: &MetricsSettings| {
            Value::Histogram(Histogram(Arc::new(HistogramData::new(
                timing,
                s.histogram_buckets.clone(),
            ))))
        };
        match self.get_or_add(name, labels, make) {
            Some(Value::Histogram(h)) => h,
            _ => Histogram(Arc::new(HistogramData::new(timing, None))),
        }
    }

    /// Forgets every series owned only by `stream` (a series another
    /// stream or the unscoped code also registered stays).
    pub fn remove_stream(&self, stream: &str) {
        let mut inner = self.lock();
        inner.series.retain_mut(|s| {
            s.owners.retain(|o| &**o != stream);
            s.global || !s.owners.is_empty()
        });
        inner.reindex();
        inner
            .resolved
            .retain(|_, r| r.owner.as_deref() != Some(stream));
    }

    /// Whether any series belongs to `stream`.
    pub fn stream_has_series(&self, stream: &str) -> bool {
        self.lock()
            .series
            .iter()
            .any(|s| s.owners.iter().any(|o| &**o == stream))
    }

    /// The metrics of `stream` as a JSON object with sorted keys: each
    /// counter (and gauge) name → the sum over the stream's series, each
    /// timing name → `{"count","sum_ns","p50_ns","p90_ns","p99_ns"}` with
    /// the quantiles of the last 10 minutes (0 when there were none).
    pub fn stream_stats(&self, stream: &str) -> String {
        let inner = self.lock();
        let owned = inner
            .series
            .iter()
            .filter(|s| s.owners.iter().any(|o| &**o == stream))
            .map(|s| (&*s.name, &s.value));
        stats::render(owned)
    }

    /// What `/metrics` serves under the configured exporter: its content
    /// type and body (Prometheus text, a `json_api` object, or nothing
    /// for `none`).
    pub fn exposition(&self) -> (&'static str, String) {
        let exporter = self.lock().settings.exporter;
        match exporter {
            Exporter::Prometheus => (prometheus::CONTENT_TYPE, self.prometheus_text()),
            Exporter::JsonApi => ("application/json", self.json_api()),
            Exporter::None => ("text/plain; charset=utf-8", String::new()),
        }
    }

    /// The body of [`Metrics::exposition`].
    pub fn render(&self) -> String {
        self.exposition().1
    }

    /// Every metric in the Prometheus text exposition format (0.0.4),
    /// families sorted by name, series in registration order.
    pub fn prometheus_text(&self) -> String {
        let inner = self.lock();
        let mut series: Vec<&Series> = inner.series.iter().collect();
        // Stable: each family keeps registration order.
        series.sort_by(|a, b| a.name.cmp(&b.name));
        prometheus::render(
            series
                .iter()
                .map(|s| (&*s.name, s.labels.as_slice(), &s.value)),
            &inner.settings,
            &inner.descriptions,
        )
    }

    /// Every series as Benthos' `json_api` shows them: one object keyed
    /// `name{label="value",…}` (labels sorted), counters and gauges as
    /// numbers, timings as `{"p50","p90","p99"}`.
    pub fn json_api(&self) -> String {
        let inner = self.lock();
        stats::json_api(
            inner
                .series
                .iter()
                .map(|s| (&*s.name, s.labels.as_slice(), &s.value)),
        )
    }

    fn describe(&self, name: &str, description: &str) {
        if !description.is_empty() {
            self.lock()
                .descriptions
                .insert(name.to_string(), description.to_string());
        }
    }
}

impl Inner {
    /// What the mapping makes of the registration `key` (the key itself
    /// when there is none or it fails, `None` when it drops the series),
    /// worked out once; with the error to log the first time it fails.
    fn resolve(&mut self, key: Key, owner: Option<Arc<str>>) -> (Option<Key>, Option<String>) {
        let Some(program) = self.mapping.clone() else {
            return (Some(key), None);
        };
        if let Some(done) = self.resolved.get(&key) {
            return (done.target.clone(), None);
        }
        let (target, failure) = match mapping::apply(&program, &key.0, &key.1) {
            Ok(target) => (target, None),
            Err(e) => {
                let message = format!("Failed to apply the metrics mapping on `{}`: {e}", key.0);
                (Some(key.clone()), Some(message))
            }
        };
        let done = Resolved {
            target: target.clone(),
            owner,
        };
        self.resolved.insert(key, done);
        (target, failure)
    }

    /// Rebuilds the lookups after series were removed.
    fn reindex(&mut self) {
        self.index = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.name.clone(), s.labels.clone()), i))
            .collect();
        self.kinds = self
            .series
            .iter()
            .map(|s| (s.name.clone(), s.value.clone()))
            .collect();
    }

    /// The value of the series `name` + `labels`, added if new, with
    /// `owner` recorded; `None` when `name` holds another kind.
    fn add(
        &mut self,
        name: Arc<str>,
        labels: Labels,
        owner: Option<Arc<str>>,
        make: impl FnOnce(&MetricsSettings) -> Value,
    ) -> Option<Value> {
        let key: Key = (name, labels);
        let at = match self.index.get(&key) {
            Some(&at) => at,
            None => {
                let value = make(&self.settings);
                if let Some(kind) = self.kinds.get(&key.0)
                    && !kind.same_kind(&value)
                {
                    return None;
                }
                let (name, labels) = key.clone();
                self.kinds
                    .entry(name.clone())
                    .or_insert_with(|| value.clone());
                self.series.push(Series {
                    name,
                    labels,
                    value,
                    owners: Vec::new(),
                    global: false,
                });
                self.index.insert(key, self.series.len() - 1);
                self.series.len() - 1
            }
        };
        let series = self.series.get_mut(at)?;
        match owner {
            Some(o) if !series.owners.contains(&o) => series.owners.push(o),
            Some(_) => {}
            None => series.global = true,
        }
        Some(series.value.clone())
    }
}

#[cfg(test)]
mod tests;
