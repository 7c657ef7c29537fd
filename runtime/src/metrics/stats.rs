//! Metrics as JSON: a stream's metrics summed per name for
//! `GET /streams/{id}/stats`, and every series for the `json_api`
//! exporter.

use super::sketch::{Snapshot, now_epoch};
use super::{Histogram, Value as Metric};
use std::collections::BTreeMap;
use tarn_lang::Value;
use tarn_lang::value::{JsonStyle, Map, to_json};

/// The totals of one metric name.
enum Total {
    Counter(u64),
    Gauge(f64),
    /// Count, sum and window of the series, and whether they are timings.
    Histogram(u64, f64, Snapshot, bool),
}

/// The JSON object (sorted keys) of these series: each counter or gauge
/// name → its sum, each timing name → `count`, `sum_ns` and the
/// `p50_ns`, `p90_ns`, `p99_ns` quantiles of the window (0 when it is
/// empty); other histograms the same without `_ns`.
pub(super) fn render<'a>(series: impl Iterator<Item = (&'a str, &'a Metric)>) -> String {
    let epoch = now_epoch();
    let mut totals: BTreeMap<&str, Total> = BTreeMap::new();
    for (name, value) in series {
        match (value, totals.get_mut(name)) {
            (Metric::Counter(c), None) => {
                totals.insert(name, Total::Counter(c.get()));
            }
            (Metric::Counter(c), Some(Total::Counter(n))) => *n = n.saturating_add(c.get()),
            (Metric::Gauge(g), None) => {
                totals.insert(name, Total::Gauge(g.get()));
            }
            (Metric::Gauge(g), Some(Total::Gauge(v))) => *v += g.get(),
            (Metric::Histogram(h), None) => {
                let window = h.0.sketch.snapshot_at(epoch);
                totals.insert(
                    name,
                    Total::Histogram(h.count(), h.0.sum(), window, h.0.timing),
                );
            }
            (Metric::Histogram(h), Some(Total::Histogram(count, sum, window, _))) => {
                *count = count.saturating_add(h.count());
                *sum += h.0.sum();
                window.merge(&h.0.sketch.snapshot_at(epoch));
            }
            // One name never holds two kinds; ignore it if it did.
            _ => {}
        }
    }
    let mut out = Map::new();
    for (name, total) in totals {
        let value = match total {
            Total::Counter(n) => Value::UInt(n),
            Total::Gauge(v) => number(v),
            Total::Histogram(count, sum, window, timing) => {
                let unit = if timing { "_ns" } else { "" };
                let mut h = Map::new();
                h.insert("count", Value::UInt(count));
                h.insert(format!("sum{unit}"), amount(sum, timing));
                for (key, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
                    let v = window.quantile(q).unwrap_or(0.0);
                    h.insert(format!("{key}{unit}"), amount(v, timing));
                }
                Value::object(h)
            }
        };
        out.insert(name, value);
    }
    to_json(&Value::object(out), JsonStyle::MESSAGE).unwrap_or_else(|_| "{}".to_string())
}

/// Nanoseconds as a whole number; other values as they are.
fn amount(v: f64, timing: bool) -> Value {
    if timing && v.is_finite() && v >= 0.0 {
        // `as` saturates.
        Value::UInt(v.round() as u64)
    } else {
        number(v)
    }
}

/// A finite number, or null.
fn number(v: f64) -> Value {
    if v.is_finite() {
        Value::Float(v)
    } else {
        Value::Null
    }
}

/// The `json_api` object: `name{label="value",…}` (label names sorted,
/// values quoted as Go does) → a counter's or gauge's value, or a
/// histogram's `{"p50","p90","p99"}`.
pub(super) fn json_api<'a>(
    series: impl Iterator<Item = (&'a str, &'a [(String, String)], &'a Metric)>,
) -> String {
    let epoch = now_epoch();
    let mut out = Map::new();
    for (name, labels, value) in series {
        let value = match value {
            Metric::Counter(c) => Value::UInt(c.get()),
            Metric::Gauge(g) => number(g.get()),
            Metric::Histogram(h) => percentiles(h, epoch),
        };
        out.insert(labelled(name, labels), value);
    }
    to_json(&Value::object(out), JsonStyle::MESSAGE).unwrap_or_else(|_| "{}".to_string())
}

fn percentiles(h: &Histogram, epoch: u64) -> Value {
    let window = h.0.sketch.snapshot_at(epoch);
    let mut m = Map::new();
    for (key, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
        m.insert(key, number(window.quantile(q).unwrap_or(0.0)));
    }
    Value::object(m)
}

fn labelled(name: &str, labels: &[(String, String)]) -> String {
    if labels.is_empty() {
        return name.to_string();
    }
    let mut sorted: Vec<&(String, String)> = labels.iter().collect();
    sorted.sort();
    let pairs: Vec<String> = sorted
        .iter()
        .map(|(k, v)| format!("{k}={}", quote_ascii(v)))
        .collect();
    format!("{name}{{{}}}", pairs.join(","))
}

/// A double-quoted string with Go's escapes, non-ASCII as `\u` / `\U`.
fn quote_ascii(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}
