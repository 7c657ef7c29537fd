//! The Prometheus text exposition format (0.0.4).
//!
//! Counters and gauges are one line per series. Histograms are summaries
//! (`{quantile="0.5"}` … over the sketch's 10-minute window, then `_sum`
//! and `_count`), or, when the series counts buckets
//! (`use_histogram_timing`), histograms (`_bucket{le=…}` cumulative,
//! `_sum`, `_count`). Timings are in nanoseconds in summaries and in
//! seconds in histograms, as Benthos exports them.

use super::{Histogram, MetricsSettings, Value, sketch};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

/// The content type of the format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Renders series already sorted by name: one `# HELP`/`# TYPE` header
/// per family, then its series in the given order.
pub(super) fn render<'a>(
    series: impl Iterator<Item = (&'a str, &'a [(String, String)], &'a Value)>,
    settings: &MetricsSettings,
    descriptions: &HashMap<String, String>,
) -> String {
    let mut out = String::new();
    let mut family: Option<&str> = None;
    let epoch = sketch::now_epoch();
    for (name, labels_, value) in series {
        if family != Some(name) {
            family = Some(name);
            let (kind, help) = match value {
                Value::Histogram(h) if h.0.buckets.is_some() => {
                    ("histogram", "Benthos Timing metric")
                }
                Value::Histogram(_) => ("summary", "Benthos Timing metric"),
                Value::Counter(_) => ("counter", "Benthos Counter metric"),
                Value::Gauge(_) => ("gauge", "Benthos Gauge metric"),
            };
            let help = descriptions.get(name).map_or(help, String::as_str);
            let _ = writeln!(
                out,
                "# HELP {name} {}\n# TYPE {name} {kind}",
                escape_help(help)
            );
        }
        match value {
            Value::Counter(c) => {
                let _ = writeln!(out, "{name}{} {}", labels(labels_, None), c.get());
            }
            Value::Gauge(g) => {
                let _ = writeln!(out, "{name}{} {}", labels(labels_, None), number(g.get()));
            }
            Value::Histogram(h) if h.0.buckets.is_some() => {
                render_histogram(&mut out, name, labels_, h);
            }
            Value::Histogram(h) => render_summary(&mut out, name, labels_, h, settings, epoch),
        }
    }
    out
}

fn render_summary(
    out: &mut String,
    name: &str,
    labels_: &[(String, String)],
    h: &Histogram,
    settings: &MetricsSettings,
    epoch: u64,
) {
    // Count and sum first: a value recorded meanwhile is then at most in
    // the quantiles, never counted without its sum.
    let count = h.count();
    let sum = h.0.sum();
    let window = h.0.sketch.snapshot_at(epoch);
    for q in settings.quantiles.iter() {
        let v = window.quantile(*q).unwrap_or(f64::NAN);
        let _ = writeln!(
            out,
            "{name}{} {}",
            labels(labels_, Some(("quantile", &number(*q)))),
            number(v)
        );
    }
    let _ = writeln!(out, "{name}_sum{} {}", labels(labels_, None), number(sum));
    let _ = writeln!(out, "{name}_count{} {count}", labels(labels_, None));
}

fn render_histogram(out: &mut String, name: &str, labels_: &[(String, String)], h: &Histogram) {
    let Some(buckets) = &h.0.buckets else { return };
    let mut cumulative = 0u64;
    for (i, n) in buckets.counts.iter().enumerate() {
        cumulative = cumulative.saturating_add(n.load(Ordering::Relaxed));
        let le = buckets
            .bounds
            .get(i)
            .map_or_else(|| "+Inf".to_string(), |b| number(*b));
        let _ = writeln!(
            out,
            "{name}_bucket{} {cumulative}",
            labels(labels_, Some(("le", &le)))
        );
    }
    let scale = if h.0.timing { 1e-9 } else { 1.0 };
    let sum = h.0.sum() * scale;
    let _ = writeln!(out, "{name}_sum{} {}", labels(labels_, None), number(sum));
    // The count is the `+Inf` bucket, read once, so the two always agree.
    let _ = writeln!(out, "{name}_count{} {cumulative}", labels(labels_, None));
}

/// A sample value as Prometheus reads it.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        v.to_string()
    }
}

/// `# HELP` text escapes backslashes and newlines.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

/// `{k="v",…}` with values escaped; `extra` (`le` or `quantile`)
/// appended.
fn labels(pairs: &[(String, String)], extra: Option<(&str, &str)>) -> String {
    let mut out = String::new();
    let all = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(extra);
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
