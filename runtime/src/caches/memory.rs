//! The `memory` cache: keys and values held in this process, each with a
//! time to live; expired keys are invisible at once and removed by a
//! compaction that runs at most once per `compaction_interval`. As in
//! Benthos, an empty or zero `compaction_interval` turns expiry off
//! entirely: keys then live until deleted.

use crate::component::{BoxFuture, Build, BuildError, Cache, Error, Registry};
use crate::config::types::Duration;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

fn five_minutes() -> Duration {
    Duration::secs(300)
}

fn sixty_seconds() -> Interval {
    Interval(Some(std::time::Duration::from_secs(60)))
}

/// A duration that may be written empty (`""`: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval(pub Option<std::time::Duration>);

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Ok(Interval(None));
        }
        crate::config::duration::parse_duration(text.trim())
            .map(|d| Interval(Some(d)))
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "expected a duration such as 60s, or empty, found `{text}`"
                ))
            })
    }
}

impl JsonSchema for Interval {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DurationOrEmpty".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // A plain string: the shared duration kind would reject "".
        schemars::json_schema!({ "type": "string" })
    }
}

fn one() -> usize {
    1
}

/// The `memory` cache's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How long a key lives unless a write gives its own time to live.
    #[serde(default = "five_minutes")]
    pub default_ttl: Duration,
    /// How often expired keys are swept out. Empty or `0s` turns expiry
    /// off: keys never expire, whatever their time to live.
    #[serde(default = "sixty_seconds")]
    pub compaction_interval: Interval,
    /// Keys set when the cache is created (they never expire).
    #[serde(default)]
    pub init_values: BTreeMap<String, String>,
    /// Split the keys over this many independently locked shards.
    #[serde(default = "one")]
    pub shards: usize,
}

/// Registers the cache.
pub fn register(r: &mut Registry) {
    r.cache::<Config>(
        "memory",
        "Stores keys in memory, each with a time to live.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Cache>, BuildError> {
    if cfg.shards == 0 {
        return Err(ctx.field_error("shards", "at least one shard is needed"));
    }
    let cache = MemoryCache {
        default_ttl: cfg.default_ttl.0,
        compaction: cfg.compaction_interval.0.filter(|d| !d.is_zero()),
        shards: (0..cfg.shards)
            .map(|_| {
                Mutex::new(Shard {
                    items: HashMap::new(),
                    compacted: Instant::now(),
                })
            })
            .collect(),
        hasher: std::collections::hash_map::RandomState::new(),
    };
    for (k, v) in cfg.init_values {
        cache.shard(&k).items.insert(
            k,
            Item {
                value: v.into_bytes(),
                expires: None,
            },
        );
    }
    Ok(Arc::new(cache))
}

#[derive(Debug)]
struct Item {
    value: Vec<u8>,
    expires: Option<Instant>,
}

impl Item {
    fn live(&self, now: Instant) -> bool {
        self.expires.is_none_or(|e| e > now)
    }
}

#[derive(Debug)]
struct Shard {
    items: HashMap<String, Item>,
    compacted: Instant,
}

/// The cache.
#[derive(Debug)]
pub struct MemoryCache {
    default_ttl: std::time::Duration,
    compaction: Option<std::time::Duration>,
    shards: Vec<Mutex<Shard>>,
    hasher: std::collections::hash_map::RandomState,
}

impl MemoryCache {
    fn shard(&self, key: &str) -> MutexGuard<'_, Shard> {
        let i = (self.hasher.hash_one(key) as usize) % self.shards.len();
        let mut shard = crate::sync::lock(&self.shards[i]);
        let now = Instant::now();
        if let Some(every) = self.compaction
            && now.duration_since(shard.compacted) >= every
        {
            shard.items.retain(|_, item| item.live(now));
            shard.compacted = now;
        }
        shard
    }

    /// When a key written now with `ttl` expires; never when expiry is
    /// off (no compaction) or the time to live is zero.
    fn expiry(&self, ttl: Option<std::time::Duration>) -> Option<Instant> {
        self.compaction?;
        let ttl = ttl.unwrap_or(self.default_ttl);
        (!ttl.is_zero()).then(|| Instant::now() + ttl)
    }
}

impl Cache for MemoryCache {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, Error>> {
        let now = Instant::now();
        let found = self
            .shard(key)
            .items
            .get(key)
            .filter(|i| i.live(now))
            .map(|i| i.value.clone());
        Box::pin(async move { Ok(found) })
    }

    fn set<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        ttl: Option<std::time::Duration>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        let expires = self.expiry(ttl);
        self.shard(key)
            .items
            .insert(key.to_string(), Item { value, expires });
        Box::pin(async { Ok(()) })
    }

    fn add<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        ttl: Option<std::time::Duration>,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        let expires = self.expiry(ttl);
        let now = Instant::now();
        let mut shard = self.shard(key);
        let added = match shard.items.get(key) {
            Some(item) if item.live(now) => false,
            _ => {
                shard
                    .items
                    .insert(key.to_string(), Item { value, expires });
                true
            }
        };
        drop(shard);
        Box::pin(async move { Ok(added) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        self.shard(key).items.remove(key);
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(ttl_ms: u64) -> MemoryCache {
        MemoryCache {
            default_ttl: std::time::Duration::from_millis(ttl_ms),
            compaction: Some(std::time::Duration::from_millis(1)),
            shards: (0..2)
                .map(|_| {
                    Mutex::new(Shard {
                        items: HashMap::new(),
                        compacted: Instant::now(),
                    })
                })
                .collect(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    #[tokio::test]
    async fn set_get_add_delete_and_expiry() {
        let c = cache(60_000);
        assert_eq!(c.get("a").await, Ok(None));
        c.set("a", b"1".to_vec(), None).await.expect("set");
        assert_eq!(c.get("a").await, Ok(Some(b"1".to_vec())));
        assert_eq!(c.add("a", b"2".to_vec(), None).await, Ok(false));
        assert_eq!(c.add("b", b"2".to_vec(), None).await, Ok(true));
        c.delete("a").await.expect("delete");
        assert_eq!(c.get("a").await, Ok(None));
        c.set("short", b"x".to_vec(), Some(std::time::Duration::from_millis(20)))
            .await
            .expect("set");
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        assert_eq!(c.get("short").await, Ok(None), "expired");
        assert_eq!(c.add("short", b"y".to_vec(), None).await, Ok(true));
    }

    fn built(yaml: &str) -> Arc<dyn Cache> {
        match crate::testing::build(crate::component::Kind::Cache, yaml, "") {
            Ok(crate::component::registry::Built::Cache(c)) => c,
            other => panic!("{yaml}: {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_empty_or_zero_compaction_interval_turns_expiry_off_as_in_benthos() {
        for yaml in [
            "memory: {compaction_interval: ''}",
            "memory: {compaction_interval: 0s, default_ttl: 1ms}",
        ] {
            let c = built(yaml);
            let short = Some(std::time::Duration::from_millis(5));
            c.set("k", b"v".to_vec(), short).await.expect("set");
            c.set("d", b"v".to_vec(), None).await.expect("set");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            assert_eq!(c.get("k").await, Ok(Some(b"v".to_vec())), "{yaml}");
            assert_eq!(c.get("d").await, Ok(Some(b"v".to_vec())), "{yaml}");
            assert_eq!(c.add("k", b"w".to_vec(), None).await, Ok(false), "{yaml}");
        }
        let err = crate::testing::build(crate::component::Kind::Cache, "memory: {compaction_interval: often}", "")
            .expect_err("not a duration");
        assert!(err.contains("expected a duration such as 60s, or empty"), "{err}");
    }
}
