//! Component metrics: a small registry of atomic counters and
//! fixed-bucket histograms, rendered in the Prometheus text exposition
//! format at `/metrics`.
//!
//! Names follow Benthos (`input_received`, `processor_sent`,
//! `output_latency_ns` …), each series labelled with the component's
//! `label` and config `path` (`root.pipeline.processors.0`). Timings are
//! histograms whose observations are in seconds, as Benthos' Prometheus
//! exporter does with `use_histogram_timings: true`, over the Prometheus
//! default buckets.
//!
//! Series registered inside [`scoped`] belong to a stream: they carry a
//! `stream` label and go away with [`Metrics::remove_stream`]. A
//! `metrics.mapping` ([`Metrics::set_mapping`]) may rename, relabel or
//! drop each series once, when it is registered.

mod component;
mod mapping;
mod prometheus;
mod stats;

pub use component::{InputMetrics, OutputMetrics, ProcessorMetrics, Started};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;
use tarn_lang::Program;

/// Upper bounds (seconds) of the latency histogram buckets.
pub const BUCKETS: [f64; 11] = [
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

#[derive(Debug, Default)]
struct HistogramData {
    /// Observations per bucket (not cumulative); the last is `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

/// A distribution of durations over [`BUCKETS`]. Clones share the data.
#[derive(Debug, Clone, Default)]
pub struct Histogram(Arc<HistogramData>);

impl Histogram {
    /// Records one duration.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|&le| secs <= le)
            .unwrap_or(BUCKETS.len());
        if let Some(b) = self.0.buckets.get(slot) {
            b.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.0.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.0.count.fetch_add(1, Ordering::Relaxed);
    }

    /// How many durations were recorded.
    pub fn count(&self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }

    /// The observations per bucket (not cumulative, `+Inf` last) and
    /// their sum in nanoseconds.
    fn snapshot(&self) -> ([u64; BUCKETS.len() + 1], u64) {
        let mut buckets = [0; BUCKETS.len() + 1];
        for (out, b) in buckets.iter_mut().zip(&self.0.buckets) {
            *out = b.load(Ordering::Relaxed);
        }
        (buckets, self.0.sum_nanos.load(Ordering::Relaxed))
    }
}

#[derive(Debug, Clone)]
enum Value {
    Counter(Counter),
    Histogram(Histogram),
}

impl Value {
    fn same_kind(&self, other: &Value) -> bool {
        matches!(
            (self, other),
            (Value::Counter(_), Value::Counter(_)) | (Value::Histogram(_), Value::Histogram(_))
        )
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
}

/// A set of named, labelled metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

static GLOBAL: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The process-wide registry that `/metrics` renders.
pub fn global() -> &'static Metrics {
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
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Sets (or with `None` clears) the `metrics.mapping` applied to
    /// series registered from now on; existing series keep their names.
    pub fn set_mapping(&self, program: Option<Arc<Program>>) {
        let mut inner = self.lock();
        inner.mapping = program;
        inner.resolved.clear();
    }

    /// The shared value of series `name` with `labels` (plus the current
    /// stream's label), created by `make` if new; `None` when the
    /// mapping drops it or the name already holds the other kind.
    fn get_or_add(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        make: impl FnOnce() -> Value,
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
        match self.get_or_add(name, labels, || Value::Counter(Counter::default())) {
            Some(Value::Counter(c)) => c,
            _ => Counter::default(),
        }
    }

    /// The histogram `name` with these labels, created empty if new. A
    /// series the mapping drops records into a detached value.
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Histogram {
        match self.get_or_add(name, labels, || Value::Histogram(Histogram::default())) {
            Some(Value::Histogram(h)) => h,
            _ => Histogram::default(),
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
    /// counter name → the sum over the stream's series, each histogram
    /// name → `{"count","sum_ns","p50_ns","p90_ns","p99_ns"}`.
    pub fn stream_stats(&self, stream: &str) -> String {
        let inner = self.lock();
        let owned = inner
            .series
            .iter()
            .filter(|s| s.owners.iter().any(|o| &**o == stream))
            .map(|s| (&*s.name, &s.value));
        stats::render(owned)
    }

    /// Every metric in the Prometheus text exposition format (0.0.4),
    /// families sorted by name, series in registration order.
    pub fn render(&self) -> String {
        let inner = self.lock();
        let mut series: Vec<&Series> = inner.series.iter().collect();
        // Stable: each family keeps registration order.
        series.sort_by(|a, b| a.name.cmp(&b.name));
        prometheus::render(
            series
                .iter()
                .map(|s| (&*s.name, s.labels.as_slice(), &s.value)),
        )
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
    /// `owner` recorded; `None` when `name` holds the other kind.
    fn add(
        &mut self,
        name: Arc<str>,
        labels: Labels,
        owner: Option<Arc<str>>,
        make: impl FnOnce() -> Value,
    ) -> Option<Value> {
        let value = make();
        let key: Key = (name, labels);
        let at = match self.index.get(&key) {
            Some(&at) => at,
            None => {
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
mod tests {
    use super::*;

    #[test]
    fn counters_are_shared_per_name_and_labels() {
        let m = Metrics::default();
        let a = m.counter("x_total", &[("label", "a"), ("path", "root.input")]);
        a.add(2);
        m.counter("x_total", &[("label", "a"), ("path", "root.input")])
            .add(3);
        m.counter("x_total", &[("label", "b"), ("path", "root.input")])
            .add(1);
        assert_eq!(a.get(), 5);
        assert_eq!(
            m.render(),
            "# HELP x_total Benthos Counter metric\n# TYPE x_total counter\n\
             x_total{label=\"a\",path=\"root.input\"} 5\n\
             x_total{label=\"b\",path=\"root.input\"} 1\n"
        );
    }

    #[test]
    fn histograms_render_cumulative_buckets_sum_and_count() {
        let m = Metrics::default();
        let h = m.histogram("t_ns", &[("path", "p")]);
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_millis(20));
        h.observe(Duration::from_secs(60));
        let text = m.render();
        assert!(text.starts_with("# HELP t_ns Benthos Timing metric\n# TYPE t_ns histogram\n"));
        for line in [
            "t_ns_bucket{path=\"p\",le=\"0.005\"} 1\n",
            "t_ns_bucket{path=\"p\",le=\"0.01\"} 1\n",
            "t_ns_bucket{path=\"p\",le=\"0.025\"} 2\n",
            "t_ns_bucket{path=\"p\",le=\"10\"} 2\n",
            "t_ns_bucket{path=\"p\",le=\"+Inf\"} 3\n",
            "t_ns_sum{path=\"p\"} 60.023\n",
            "t_ns_count{path=\"p\"} 3\n",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert_eq!(h.count(), 3);
    }

    #[test]
    fn label_values_are_escaped_and_families_sorted() {
        let m = Metrics::default();
        m.counter("b", &[]).add(1);
        m.counter("a", &[("label", "q\"uo\\te\nx")]).add(7);
        assert_eq!(
            m.render(),
            "# HELP a Benthos Counter metric\n# TYPE a counter\na{label=\"q\\\"uo\\\\te\\nx\"} 7\n\
             # HELP b Benthos Counter metric\n# TYPE b counter\nb 1\n"
        );
    }

    fn program(src: &str) -> Option<Arc<Program>> {
        Some(Arc::new(
            tarn_lang::Env::standard().compile(src).expect("compiles"),
        ))
    }

    #[test]
    fn scopes_label_series_nest_and_restore() {
        let m = Metrics::default();
        let l = [("label", "in"), ("path", "root.input")];
        scoped("a", || {
            m.counter("c", &l).add(1);
            scoped("b", || m.counter("c", &l).add(2));
            assert_eq!(current_stream().as_deref(), Some("a"));
            m.counter("c", &l).add(3);
        });
        assert_eq!(current_stream(), None);
        m.counter("c", &l).add(10);
        let unwound = std::panic::catch_unwind(|| scoped("x", || panic!("boom")));
        assert!(unwound.is_err());
        assert_eq!(current_stream(), None);
        let text = m.render();
        for line in [
            "c{label=\"in\",path=\"root.input\",stream=\"a\"} 4\n",
            "c{label=\"in\",path=\"root.input\",stream=\"b\"} 2\n",
            "c{label=\"in\",path=\"root.input\"} 10\n",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert!(m.stream_has_series("a") && m.stream_has_series("b"));
        assert!(!m.stream_has_series("x"));
    }

    #[test]
    fn removing_a_stream_forgets_only_its_series() {
        let m = Metrics::default();
        let l = [("path", "p")];
        let old = scoped("s", || m.counter("sent", &l));
        old.add(4);
        // A replaced stream registers the same series: it continues.
        let again = scoped("s", || m.counter("sent", &l));
        again.add(1);
        assert_eq!(old.get(), 5);
        scoped("t", || m.histogram("lat_ns", &l));
        m.counter("global", &[]);
        m.remove_stream("s");
        assert!(!m.stream_has_series("s"));
        assert!(m.stream_has_series("t"));
        let text = m.render();
        assert!(!text.contains("sent"), "{text}");
        assert!(
            text.contains("lat_ns_count{path=\"p\",stream=\"t\"} 0\n"),
            "{text}"
        );
        assert!(text.contains("global 0\n"), "{text}");
        // Registered anew after removal: from zero.
        assert_eq!(scoped("s", || m.counter("sent", &l)).get(), 0);
    }

    #[test]
    fn mapping_renames_drops_relabels_and_keeps() {
        let m = Metrics::default();
        m.set_mapping(program(
            r#"root = match this {
  "input_received" => "tarn_input_received"
  "output_error" => deleted()
}
meta path = deleted()
meta env = "test""#,
        ));
        let l = [("label", "in"), ("path", "root.input")];
        m.counter("input_received", &l).add(3);
        let dropped = m.counter("output_error", &l);
        dropped.add(9);
        assert_eq!(dropped.get(), 9);
        scoped("s1", || m.histogram("output_latency_ns", &l));
        let text = m.render();
        assert!(
            text.contains("tarn_input_received{label=\"in\",env=\"test\"} 3\n"),
            "{text}"
        );
        assert!(!text.contains("\ninput_received"), "{text}");
        assert!(!text.contains("output_error"), "{text}");
        assert!(
            text.contains("output_latency_ns_count{label=\"in\",stream=\"s1\",env=\"test\"} 0\n"),
            "{text}"
        );
        // The renamed series is shared by a second registration.
        assert_eq!(m.counter("input_received", &l).get(), 3);
        // Owned by its stream even though the mapping ran.
        assert!(m.stream_has_series("s1"));
        assert!(m.stream_stats("s1").contains("\"output_latency_ns\":{"));
    }

    #[test]
    fn mapping_errors_keep_the_original_series() {
        let m = Metrics::default();
        m.set_mapping(program(
            r#"root = if this == "a" { throw("no") } else { 42 }"#,
        ));
        m.counter("a", &[("path", "p")]).add(1);
        m.counter("b", &[]).add(2);
        m.set_mapping(None);
        m.counter("c", &[]).add(3);
        assert_eq!(
            m.render(),
            "# HELP a Benthos Counter metric\n# TYPE a counter\na{path=\"p\"} 1\n\
             # HELP b Benthos Counter metric\n# TYPE b counter\nb 2\n\
             # HELP c Benthos Counter metric\n# TYPE c counter\nc 3\n"
        );
    }

    #[test]
    fn a_name_keeps_one_kind() {
        let m = Metrics::default();
        m.set_mapping(program(r#"root = "same""#));
        m.counter("x", &[("k", "1")]).add(1);
        let h = m.histogram("y", &[("k", "2")]);
        h.observe(Duration::from_millis(1));
        let text = m.render();
        assert!(!text.contains("histogram"), "{text}");
        assert!(text.contains("same{k=\"1\"} 1\n"), "{text}");
    }

    #[test]
    fn stream_stats_sum_the_stream_series() {
        let m = Metrics::default();
        scoped("s", || {
            m.counter("processor_sent", &[("path", "a")]).add(2);
            m.counter("processor_sent", &[("path", "b")]).add(3);
            let h = m.histogram("output_latency_ns", &[("path", "o")]);
            h.observe(Duration::from_millis(20));
            h.observe(Duration::from_millis(40));
        });
        scoped("other", || m.counter("processor_sent", &[]).add(100));
        m.counter("processor_sent", &[]).add(1000);
        assert_eq!(
            m.stream_stats("s"),
            "{\"output_latency_ns\":{\"count\":2,\"p50_ns\":25000000,\"p90_ns\":45000000,\
             \"p99_ns\":49500000,\"sum_ns\":60000000},\"processor_sent\":5}"
        );
        assert_eq!(m.stream_stats("missing"), "{}");
    }
}
