//! Rate-limit resources (`rate_limit_resources`): named limiters that
//! inputs such as `http_server` consult before taking a message.

use crate::config::node::{Node, NodeKind};
use crate::config::schema::parse_duration;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `local` rate limit: at most `count` accesses per `interval`. The
/// window starts with the first access after the previous one ran out.
#[derive(Debug)]
pub struct LocalRateLimit {
    count: u64,
    interval: Duration,
    /// When the current window started, and how many accesses it has had.
    window: Mutex<(Option<Instant>, u64)>,
}

impl LocalRateLimit {
    /// A limiter allowing `count` accesses per `interval`.
    pub fn new(count: u64, interval: Duration) -> LocalRateLimit {
        LocalRateLimit {
            count,
            interval,
            window: Mutex::new((None, 0)),
        }
    }

    /// Takes one access now: `Ok` when allowed, else how long until the
    /// next window opens.
    pub fn access(&self) -> Result<(), Duration> {
        self.access_at(Instant::now())
    }

    /// Takes one access at `now` (see [`LocalRateLimit::access`]).
    pub fn access_at(&self, now: Instant) -> Result<(), Duration> {
        let mut guard = match self.window.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (start, used) = &mut *guard;
        let open = match *start {
            Some(s) if now.saturating_duration_since(s) < self.interval => s,
            _ => {
                *start = Some(now);
                *used = 0;
                now
            }
        };
        if *used < self.count {
            *used += 1;
            Ok(())
        } else {
            Err(self
                .interval
                .saturating_sub(now.saturating_duration_since(open)))
        }
    }
}

/// The rate-limit resources of a config, by label.
pub type RateLimits = HashMap<String, Arc<LocalRateLimit>>;

fn scalar(node: Option<&Node>) -> Option<&str> {
    node.filter(|n| !n.is_null()).and_then(Node::as_str)
}

/// Builds `rate_limit_resources` from the config root.
pub fn build_resources(root: &Node) -> Result<RateLimits, String> {
    let mut out = RateLimits::new();
    let items = match root.get("rate_limit_resources").map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items.as_slice(),
        _ => &[],
    };
    for (i, item) in items.iter().enumerate() {
        let path = format!("rate_limit_resources.{i}");
        let label = scalar(item.get("label"))
            .filter(|l| !l.is_empty())
            .ok_or_else(|| format!("{path}: a rate limit resource needs a label"))?;
        let Some(local) = item.get("local") else {
            return Err(format!(
                "{path}: only the `local` rate limit is supported yet"
            ));
        };
        let count = match scalar(local.get("count")) {
            None => 1000,
            Some(t) => t
                .parse::<u64>()
                .ok()
                .filter(|c| *c > 0)
                .ok_or_else(|| format!("{path}.local.count: `{t}` is not a positive count"))?,
        };
        let interval = match scalar(local.get("interval")) {
            None => Duration::from_secs(1),
            Some(t) => parse_duration(t).filter(|d| !d.is_zero()).ok_or_else(|| {
                format!("{path}.local.interval: `{t}` is not a positive duration")
            })?,
        };
        if out
            .insert(
                label.to_string(),
                Arc::new(LocalRateLimit::new(count, interval)),
            )
            .is_some()
        {
            return Err(format!("{path}: the label `{label}` is used twice"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_count_accesses_then_waits_for_the_next() {
        let limit = LocalRateLimit::new(2, Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(limit.access_at(t0), Ok(()));
        assert_eq!(limit.access_at(t0 + Duration::from_secs(1)), Ok(()));
        assert_eq!(
            limit.access_at(t0 + Duration::from_secs(4)),
            Err(Duration::from_secs(6))
        );
        // The next window opens after the interval.
        assert_eq!(limit.access_at(t0 + Duration::from_secs(10)), Ok(()));
        assert_eq!(limit.access_at(t0 + Duration::from_secs(11)), Ok(()));
        assert!(limit.access_at(t0 + Duration::from_secs(12)).is_err());
    }

    #[test]
    fn resources_are_read_by_label() {
        let root = crate::config::node::parse(
            "rate_limit_resources:\n  - label: a\n    local:\n      count: 3\n      interval: 2s\n  - label: b\n    local: {}\n",
        )
        .expect("yaml");
        let limits = build_resources(&root).expect("built");
        assert_eq!(limits["a"].count, 3);
        assert_eq!(limits["a"].interval, Duration::from_secs(2));
        assert_eq!(limits["b"].count, 1000);
        let twice = crate::config::node::parse(
            "rate_limit_resources:\n  - label: a\n    local: {}\n  - label: a\n    local: {}\n",
        )
        .expect("yaml");
        assert!(build_resources(&twice).unwrap_err().contains("used twice"));
        let zero = crate::config::node::parse(
            "rate_limit_resources:\n  - label: a\n    local: {count: 0}\n",
        )
        .expect("yaml");
        assert!(build_resources(&zero).is_err());
    }
}
