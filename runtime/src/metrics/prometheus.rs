//! The Prometheus text exposition format (0.0.4).

use super::{BUCKETS, Histogram, Value};
use std::fmt::Write as _;

/// Renders series already sorted by name: one `# HELP`/`# TYPE` header
/// per family, then its series in the given order.
pub(super) fn render<'a>(
    series: impl Iterator<Item = (&'a str, &'a [(String, String)], &'a Value)>,
) -> String {
    let mut out = String::new();
    let mut family: Option<&str> = None;
    for (name, labels_, value) in series {
        if family != Some(name) {
            family = Some(name);
            let (kind, help) = match value {
                Value::Histogram(_) => ("histogram", "Benthos Timing metric"),
                Value::Counter(_) => ("counter", "Benthos Counter metric"),
            };
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        }
        match value {
            Value::Counter(c) => {
                let _ = writeln!(out, "{name}{} {}", labels(labels_, None), c.get());
            }
            Value::Histogram(h) => render_histogram(&mut out, name, labels_, h),
        }
    }
    out
}

fn render_histogram(out: &mut String, name: &str, labels_: &[(String, String)], h: &Histogram) {
    let (buckets, sum_nanos) = h.snapshot();
    let mut cumulative = 0u64;
    for (i, bucket) in buckets.iter().enumerate() {
        cumulative += bucket;
        let le = BUCKETS
            .get(i)
            .map_or_else(|| "+Inf".to_string(), |b| b.to_string());
        let _ = writeln!(
            out,
            "{name}_bucket{} {cumulative}",
            labels(labels_, Some(&le))
        );
    }
    let sum = sum_nanos as f64 / 1e9;
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
