//! A stream's metrics summed per name, as JSON for
//! `GET /streams/{id}/stats`.

use super::{BUCKETS, Value as Metric};
use std::collections::BTreeMap;
use tarn_lang::Value;
use tarn_lang::value::{JsonStyle, Map, to_json};

/// The totals of one metric name.
enum Total {
    Counter(u64),
    /// Observations per bucket (`+Inf` last) and their sum in ns.
    Histogram([u64; BUCKETS.len() + 1], u64),
}

/// The JSON object (sorted keys) of these series: each counter name →
/// its summed count, each histogram name → count, sum and estimated
/// percentiles in nanoseconds.
pub(super) fn render<'a>(series: impl Iterator<Item = (&'a str, &'a Metric)>) -> String {
    let mut totals: BTreeMap<&str, Total> = BTreeMap::new();
    for (name, value) in series {
        match (value, totals.get_mut(name)) {
            (Metric::Counter(c), None) => {
                totals.insert(name, Total::Counter(c.get()));
            }
            (Metric::Counter(c), Some(Total::Counter(n))) => *n = n.saturating_add(c.get()),
            (Metric::Histogram(h), None) => {
                let (buckets, sum) = h.snapshot();
                totals.insert(name, Total::Histogram(buckets, sum));
            }
            (Metric::Histogram(h), Some(Total::Histogram(buckets, sum))) => {
                let (more, more_sum) = h.snapshot();
                for (b, m) in buckets.iter_mut().zip(more) {
                    *b = b.saturating_add(m);
                }
                *sum = sum.saturating_add(more_sum);
            }
            // One name never holds both kinds; ignore it if it did.
            _ => {}
        }
    }
    let mut out = Map::new();
    for (name, total) in totals {
        let value = match total {
            Total::Counter(n) => Value::UInt(n),
            Total::Histogram(buckets, sum) => {
                let count = buckets.iter().fold(0u64, |a, b| a.saturating_add(*b));
                let mut h = Map::new();
                h.insert("count", Value::UInt(count));
                h.insert("sum_ns", Value::UInt(sum));
                for (key, q) in [("p50_ns", 0.5), ("p90_ns", 0.9), ("p99_ns", 0.99)] {
                    h.insert(key, Value::UInt(quantile_ns(&buckets, q)));
                }
                Value::object(h)
            }
        };
        out.insert(name, value);
    }
    to_json(&Value::object(out), JsonStyle::MESSAGE).unwrap_or_else(|_| "{}".to_string())
}

/// The `q` quantile (0..1) of bucketed observations in nanoseconds,
/// interpolated linearly inside its bucket; observations beyond the last
/// bound count as that bound. Zero when there are none.
fn quantile_ns(buckets: &[u64; BUCKETS.len() + 1], q: f64) -> u64 {
    let count: u64 = buckets.iter().sum();
    if count == 0 {
        return 0;
    }
    let rank = q * count as f64;
    let mut below = 0u64;
    for (i, &n) in buckets.iter().enumerate() {
        let upto = below + n;
        if n > 0 && upto as f64 >= rank {
            let lower = if i == 0 { 0.0 } else { BUCKETS[i - 1] };
            let Some(&upper) = BUCKETS.get(i) else {
                return secs_to_ns(lower);
            };
            let within = ((rank - below as f64) / n as f64).clamp(0.0, 1.0);
            return secs_to_ns(lower + (upper - lower) * within);
        }
        below = upto;
    }
    BUCKETS.last().map_or(0, |&b| secs_to_ns(b))
}

fn secs_to_ns(secs: f64) -> u64 {
    // `as` saturates and maps NaN to 0.
    (secs * 1e9).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Counter, Histogram};
    use std::time::Duration;

    #[test]
    fn quantiles_interpolate_inside_buckets() {
        let mut b = [0u64; BUCKETS.len() + 1];
        assert_eq!(quantile_ns(&b, 0.5), 0);
        // 10 observations in (0.005, 0.01]: the median is half way in.
        b[1] = 10;
        assert_eq!(quantile_ns(&b, 0.5), 7_500_000);
        assert_eq!(quantile_ns(&b, 0.9), 9_500_000);
        // Beyond the last bound: that bound.
        let mut inf = [0u64; BUCKETS.len() + 1];
        inf[BUCKETS.len()] = 3;
        assert_eq!(quantile_ns(&inf, 0.99), 10_000_000_000);
        // The first bucket starts at zero.
        let mut first = [0u64; BUCKETS.len() + 1];
        first[0] = 4;
        assert_eq!(quantile_ns(&first, 0.5), 2_500_000);
    }

    #[test]
    fn sums_per_name_with_sorted_keys() {
        let (a, b) = (Counter::default(), Counter::default());
        a.add(2);
        b.add(5);
        let h = Histogram::default();
        for _ in 0..4 {
            h.observe(Duration::from_millis(1));
        }
        let empty = Histogram::default();
        let series = [
            ("z_sent", Metric::Counter(a)),
            ("lat_ns", Metric::Histogram(h)),
            ("z_sent", Metric::Counter(b)),
            ("lat_ns", Metric::Histogram(empty)),
        ];
        assert_eq!(
            render(series.iter().map(|(n, v)| (*n, v))),
            "{\"lat_ns\":{\"count\":4,\"p50_ns\":2500000,\"p90_ns\":4500000,\
             \"p99_ns\":4950000,\"sum_ns\":4000000},\"z_sent\":7}"
        );
        assert_eq!(render(std::iter::empty()), "{}");
    }
}
