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

use crate::txn::{AckResult, Batch};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

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
}

#[derive(Debug, Clone)]
enum Value {
    Counter(Counter),
    Histogram(Histogram),
}

#[derive(Debug)]
struct Series {
    name: &'static str,
    labels: Vec<(String, String)>,
    value: Value,
}

/// A set of named, labelled metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<Vec<Series>>,
}

static GLOBAL: LazyLock<Metrics> = LazyLock::new(Metrics::default);

/// The process-wide registry that `/metrics` renders.
pub fn global() -> &'static Metrics {
    &GLOBAL
}

impl Metrics {
    fn get_or_add(
        &self,
        name: &'static str,
        labels: &[(&str, &str)],
        make: impl FnOnce() -> Value,
    ) -> Value {
        let mut series = match self.series.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let same = |s: &&Series| {
            s.name == name
                && s.labels.len() == labels.len()
                && s.labels
                    .iter()
                    .zip(labels)
                    .all(|((k, v), (k2, v2))| k == k2 && v == v2)
        };
        if let Some(s) = series.iter().find(same) {
            return s.value.clone();
        }
        let value = make();
        series.push(Series {
            name,
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            value: value.clone(),
        });
        value
    }

    /// The counter `name` with these labels, created at zero if new.
    pub fn counter(&self, name: &'static str, labels: &[(&str, &str)]) -> Counter {
        match self.get_or_add(name, labels, || Value::Counter(Counter::default())) {
            Value::Counter(c) => c,
            // A name registered as a histogram: count into a detached value.
            Value::Histogram(_) => Counter::default(),
        }
    }

    /// The histogram `name` with these labels, created empty if new.
    pub fn histogram(&self, name: &'static str, labels: &[(&str, &str)]) -> Histogram {
        match self.get_or_add(name, labels, || Value::Histogram(Histogram::default())) {
            Value::Histogram(h) => h,
            Value::Counter(_) => Histogram::default(),
        }
    }

    /// Every metric in the Prometheus text exposition format (0.0.4),
    /// families sorted by name, series in registration order.
    pub fn render(&self) -> String {
        let series = match self.series.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut names: Vec<&'static str> = series.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        let mut out = String::new();
        for name in names {
            let family: Vec<&Series> = series.iter().filter(|s| s.name == name).collect();
            let (kind, help) = match family.first().map(|s| &s.value) {
                Some(Value::Histogram(_)) => ("histogram", "Benthos Timing metric"),
                _ => ("counter", "Benthos Counter metric"),
            };
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for s in family {
                match &s.value {
                    Value::Counter(c) => {
                        let _ = writeln!(out, "{name}{} {}", labels(&s.labels, None), c.get());
                    }
                    Value::Histogram(h) => render_histogram(&mut out, name, &s.labels, h),
                }
            }
        }
        out
    }
}

fn render_histogram(out: &mut String, name: &str, labels_: &[(String, String)], h: &Histogram) {
    let mut cumulative = 0u64;
    for (i, bucket) in h.0.buckets.iter().enumerate() {
        cumulative += bucket.load(Ordering::Relaxed);
        let le = BUCKETS
            .get(i)
            .map_or_else(|| "+Inf".to_string(), |b| b.to_string());
        let _ = writeln!(
            out,
            "{name}_bucket{} {cumulative}",
            labels(labels_, Some(&le))
        );
    }
    let sum = h.0.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
    let _ = writeln!(out, "{name}_sum{} {sum}", labels(labels_, None));
    // The count is the `+Inf` bucket, read once, so the two always agree.
    let _ = writeln!(out, "{name}_count{} {cumulative}", labels(labels_, None));
}

/// `{k="v",…}` with values escaped; `le` appended for histogram buckets.
fn labels(pairs: &[(String, String)], le: Option<&str>) -> String {
    let mut out = String::new();
    let all = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(le.map(|le| ("le", le)));
    for (i, (k, v)) in all.enumerate() {
        out.push(if i == 0 { '{' } else { ',' });
        out.push_str(k);
        out.push_str("=\"");
        for c in v.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    if !out.is_empty() {
        out.push('}');
    }
    out
}

/// The metrics of an input: messages received and the time from when the
/// pipeline took a transaction to its acknowledgement.
#[derive(Debug, Clone, Default)]
pub struct InputMetrics {
    received: Counter,
    latency: Histogram,
}

impl InputMetrics {
    /// Registers the input at `path` with `label` in `m`.
    pub fn new(m: &Metrics, label: &str, path: &str) -> InputMetrics {
        let l = [("label", label), ("path", path)];
        InputMetrics {
            received: m.counter("input_received", &l),
            latency: m.histogram("input_latency_ns", &l),
        }
    }

    /// Counts a batch taken by the pipeline; returns when it was taken.
    pub fn received(&self, batch: &Batch) -> Instant {
        self.received.add(batch.len() as u64);
        Instant::now()
    }

    /// Records the acknowledgement (or rejection) of a batch taken at
    /// `since`.
    pub fn acked(&self, since: Instant) {
        self.latency.observe(since.elapsed());
    }
}

/// The metrics of one processor.
#[derive(Debug, Clone, Default)]
pub struct ProcessorMetrics {
    received: Counter,
    batch_received: Counter,
    sent: Counter,
    batch_sent: Counter,
    error: Counter,
    latency: Histogram,
}

impl ProcessorMetrics {
    /// Registers the processor at `path` with `label` in `m`.
    pub fn new(m: &Metrics, label: &str, path: &str) -> ProcessorMetrics {
        let l = [("label", label), ("path", path)];
        ProcessorMetrics {
            received: m.counter("processor_received", &l),
            batch_received: m.counter("processor_batch_received", &l),
            sent: m.counter("processor_sent", &l),
            batch_sent: m.counter("processor_batch_sent", &l),
            error: m.counter("processor_error", &l),
            latency: m.histogram("processor_latency_ns", &l),
        }
    }

    /// Runs `process` on `batch`, counting what goes in and out. Errors
    /// are the messages that leave flagged beyond those that came in
    /// flagged.
    pub fn observe(&self, batch: Batch, process: impl FnOnce(Batch) -> Batch) -> Batch {
        let failed = |b: &Batch| b.iter().filter(|m| m.error().is_some()).count();
        self.received.add(batch.len() as u64);
        self.batch_received.add(1);
        let failed_before = failed(&batch);
        let started = Instant::now();
        let out = process(batch);
        self.latency.observe(started.elapsed());
        self.error
            .add(failed(&out).saturating_sub(failed_before) as u64);
        if !out.is_empty() {
            self.sent.add(out.len() as u64);
            self.batch_sent.add(1);
        }
        out
    }
}

/// The metrics of one output.
#[derive(Debug, Clone, Default)]
pub struct OutputMetrics {
    sent: Counter,
    batch_sent: Counter,
    error: Counter,
    latency: Histogram,
}

impl OutputMetrics {
    /// Registers the output at `path` with `label` in `m`.
    pub fn new(m: &Metrics, label: &str, path: &str) -> OutputMetrics {
        let l = [("label", label), ("path", path)];
        OutputMetrics {
            sent: m.counter("output_sent", &l),
            batch_sent: m.counter("output_batch_sent", &l),
            error: m.counter("output_error", &l),
            latency: m.histogram("output_latency_ns", &l),
        }
    }

    /// Awaits one write of `messages` messages and counts its outcome.
    pub async fn observe(
        &self,
        messages: usize,
        write: impl std::future::Future<Output = AckResult>,
    ) -> AckResult {
        let started = Instant::now();
        let result = write.await;
        self.latency.observe(started.elapsed());
        match &result {
            Ok(()) => {
                self.sent.add(messages as u64);
                self.batch_sent.add(1);
            }
            Err(_) => self.error.add(messages as u64),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tarn_lang::Message;

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

    #[test]
    fn processor_metrics_count_messages_batches_and_new_errors() {
        let m = Metrics::default();
        let p = ProcessorMetrics::new(&m, "up", "root.pipeline.processors.0");
        let batch = vec![Message::new(b"a"), Message::new(b"b"), Message::new(b"c")];
        let out = p.observe(batch, |mut b| {
            b.pop();
            b[0].set_error(Some("boom".into()));
            b
        });
        assert_eq!(out.len(), 2);
        let dropped = p.observe(vec![Message::new(b"x")], |_| Vec::new());
        assert!(dropped.is_empty());
        let text = m.render();
        let l = "{label=\"up\",path=\"root.pipeline.processors.0\"}";
        for line in [
            format!("processor_received{l} 4\n"),
            format!("processor_batch_received{l} 2\n"),
            format!("processor_sent{l} 2\n"),
            format!("processor_batch_sent{l} 1\n"),
            format!("processor_error{l} 1\n"),
            format!("processor_latency_ns_count{l} 2\n"),
        ] {
            assert!(text.contains(&line), "{line} in\n{text}");
        }
    }

    #[test]
    fn output_metrics_split_success_and_failure() {
        let m = Metrics::default();
        let o = OutputMetrics::new(&m, "", "root.output");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(async {
            assert_eq!(o.observe(3, async { Ok(()) }).await, Ok(()));
            assert!(o.observe(2, async { Err("no".to_string()) }).await.is_err());
        });
        let text = m.render();
        let l = "{label=\"\",path=\"root.output\"}";
        for line in [
            format!("output_sent{l} 3\n"),
            format!("output_batch_sent{l} 1\n"),
            format!("output_error{l} 2\n"),
            format!("output_latency_ns_count{l} 2\n"),
        ] {
            assert!(text.contains(&line), "{line} in\n{text}");
        }
    }
}
