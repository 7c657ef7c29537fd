//! The `local` rate limit: at most `count` accesses per `interval` in
//! this process, shared by everything that names its label.

use crate::component::{BoxFuture, Build, BuildError, Error, RateLimit, Registry};
use crate::config::types::Duration;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A `local` rate limit: at most `count` accesses per `interval`. The
/// window starts with the first access after the previous one ran out.
#[derive(Debug)]
pub struct LocalRateLimit {
    count: u64,
    interval: std::time::Duration,
    /// When the current window started, and how many accesses it has had.
    window: Mutex<(Option<Instant>, u64)>,
}

impl LocalRateLimit {
    /// A limiter allowing `count` accesses per `interval`.
    pub fn new(count: u64, interval: std::time::Duration) -> LocalRateLimit {
        LocalRateLimit {
            count,
            interval,
            window: Mutex::new((None, 0)),
        }
    }

    /// Takes one access now: `Ok` when allowed, else how long until the
    /// next window opens.
    pub fn access_now(&self) -> Result<(), std::time::Duration> {
        self.access_at(Instant::now())
    }

    /// Takes one access at `now` (see [`LocalRateLimit::access`]).
    pub fn access_at(&self, now: Instant) -> Result<(), std::time::Duration> {
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

fn thousand() -> u64 {
    1000
}

fn one_second() -> Duration {
    Duration::secs(1)
}

/// The `local` rate limit's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Accesses allowed per interval.
    #[serde(default = "thousand")]
    pub count: u64,
    /// The length of a window.
    #[serde(default = "one_second")]
    pub interval: Duration,
}

/// Registers the rate limit.
pub fn register(r: &mut Registry) {
    r.rate_limit::<Config>(
        "local",
        "Allows `count` accesses per `interval`, counted in this process.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn RateLimit>, BuildError> {
    if cfg.count == 0 {
        return Err(ctx.field_error("count", "the count must be at least 1"));
    }
    if cfg.interval.is_zero() {
        return Err(ctx.field_error("interval", "the interval must be longer than zero"));
    }
    Ok(Arc::new(LocalRateLimit::new(cfg.count, cfg.interval.0)))
}

impl RateLimit for LocalRateLimit {
    fn access(&self) -> BoxFuture<'_, Result<Option<std::time::Duration>, Error>> {
        let wait = self.access_now().err();
        Box::pin(async move { Ok(wait) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
}
