//! A quantile sketch with bounded relative error, over a sliding time
//! window.
//!
//! Values fall into logarithmic buckets: bucket `i` holds the values in
//! `(γ^(i-1), γ^i]` with `γ = (1 + α) / (1 - α)`, and reports
//! `2γ^i / (γ + 1)`, which is within `α` ([`RELATIVE_ERROR`], 1%) of every
//! value in it. The bucket holding the rank a quantile asks for is known
//! exactly, so a reported quantile is within 1% of the value observed at
//! that rank (the nearest-rank definition: the `⌈q·n⌉`-th), and it is
//! clamped to the smallest and largest value seen. Values from 1e-9 to
//! 1e18 in magnitude are told apart (nanoseconds up to 30 years); smaller
//! ones count as zero, larger ones as 1e18.
//!
//! As Prometheus client summaries do, quantiles cover a sliding window of
//! the last [`WINDOW`] (10 minutes), kept as [`SLOTS`] slots of 2
//! minutes; the oldest slot is cleared as time moves on. Recording takes
//! no lock (atomic counters in lazily allocated chunks of 64 buckets),
//! except for the clearing of a slot, once every 2 minutes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The largest relative error of a reported quantile: 1%.
pub const RELATIVE_ERROR: f64 = 0.01;

/// How far back quantiles look.
pub const WINDOW: Duration = Duration::from_secs(600);

/// How many slots the window is kept in.
pub const SLOTS: usize = 5;

const SLOT_SECONDS: u64 = WINDOW.as_secs() / SLOTS as u64;
const GAMMA: f64 = (1.0 + RELATIVE_ERROR) / (1.0 - RELATIVE_ERROR);
const MIN_VALUE: f64 = 1e-9;
const MAX_VALUE: f64 = 1e18;
const CHUNK: usize = 64;

/// `ln γ`, the width of a bucket in log space.
static LN_GAMMA: LazyLock<f64> = LazyLock::new(|| GAMMA.ln());

/// The bucket index of a value in `[MIN_VALUE, MAX_VALUE]`.
fn index_of(v: f64) -> i64 {
    // `as` saturates; v is within bounds, so the index is small.
    (v.ln() / *LN_GAMMA).ceil() as i64
}

static MIN_INDEX: LazyLock<i64> = LazyLock::new(|| index_of(MIN_VALUE));
static BUCKETS: LazyLock<usize> =
    LazyLock::new(|| usize::try_from(index_of(MAX_VALUE) - *MIN_INDEX + 1).unwrap_or(0));

/// The position in a store of the bucket of magnitude `v` (≥ MIN_VALUE).
fn position(v: f64) -> usize {
    let i = index_of(v.min(MAX_VALUE)) - *MIN_INDEX;
    usize::try_from(i)
        .unwrap_or(0)
        .min(BUCKETS.saturating_sub(1))
}

/// The value a bucket position reports.
fn representative(position: usize) -> f64 {
    let i = position as f64 + *MIN_INDEX as f64;
    2.0 * GAMMA.powf(i) / (GAMMA + 1.0)
}

/// The current window slot number (2-minute periods since start).
pub fn now_epoch() -> u64 {
    static START: LazyLock<Instant> = LazyLock::new(Instant::now);
    START.elapsed().as_secs() / SLOT_SECONDS
}

type Chunk = [AtomicU64; CHUNK];

/// Counts per bucket of one sign, allocated a chunk at a time.
#[derive(Debug)]
struct Store {
    chunks: Box<[OnceLock<Box<Chunk>>]>,
}

impl Store {
    fn new() -> Store {
        Store {
            chunks: (0..BUCKETS.div_ceil(CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    fn add(&self, position: usize) {
        if let Some(chunk) = self.chunks.get(position / CHUNK) {
            let chunk = chunk.get_or_init(|| Box::new(std::array::from_fn(|_| AtomicU64::new(0))));
            if let Some(n) = chunk.get(position % CHUNK) {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn clear(&self) {
        for chunk in self.chunks.iter().filter_map(OnceLock::get) {
            chunk.iter().for_each(|n| n.store(0, Ordering::Relaxed));
        }
    }

    /// Adds the counts into `into` (dense, one per bucket).
    fn add_into(&self, into: &mut [u64]) {
        for (c, chunk) in self.chunks.iter().enumerate() {
            let Some(chunk) = chunk.get() else { continue };
            for (o, n) in chunk.iter().enumerate() {
                if let Some(slot) = into.get_mut(c * CHUNK + o) {
                    *slot = slot.saturating_add(n.load(Ordering::Relaxed));
                }
            }
        }
    }
}

/// One slot of the window: the values recorded in one period.
#[derive(Debug)]
struct Slot {
    epoch: AtomicU64,
    positive: Store,
    negative: OnceLock<Box<Store>>,
    zero: AtomicU64,
    min: AtomicU64,
    max: AtomicU64,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            epoch: AtomicU64::new(0),
            positive: Store::new(),
            negative: OnceLock::new(),
            zero: AtomicU64::new(0),
            min: AtomicU64::new(f64::INFINITY.to_bits()),
            max: AtomicU64::new(f64::NEG_INFINITY.to_bits()),
        }
    }

    fn add(&self, v: f64) {
        let magnitude = v.abs();
        if magnitude < MIN_VALUE {
            self.zero.fetch_add(1, Ordering::Relaxed);
        } else if v > 0.0 {
            self.positive.add(position(magnitude));
        } else {
            self.negative
                .get_or_init(|| Box::new(Store::new()))
                .add(position(magnitude));
        }
        update(&self.min, |old| v < old, v);
        update(&self.max, |old| v > old, v);
    }

    fn clear(&self) {
        self.positive.clear();
        if let Some(n) = self.negative.get() {
            n.clear();
        }
        self.zero.store(0, Ordering::Relaxed);
        self.min.store(f64::INFINITY.to_bits(), Ordering::Relaxed);
        self.max
            .store(f64::NEG_INFINITY.to_bits(), Ordering::Relaxed);
    }
}

/// Stores `v` in the f64 `cell` while `better(old)` holds.
fn update(cell: &AtomicU64, better: impl Fn(f64) -> bool, v: f64) {
    let mut current = cell.load(Ordering::Relaxed);
    while better(f64::from_bits(current)) {
        match cell.compare_exchange_weak(current, v.to_bits(), Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => return,
            Err(now) => current = now,
        }
    }
}

/// A windowed sketch.
#[derive(Debug)]
pub struct Sketch {
    slots: [Slot; SLOTS],
    clearing: Mutex<()>,
}

impl Default for Sketch {
    fn default() -> Sketch {
        Sketch {
            slots: std::array::from_fn(|_| Slot::new()),
            clearing: Mutex::new(()),
        }
    }
}

impl Sketch {
    /// Records `v` (NaN is ignored) in the slot of `epoch`.
    pub fn record_at(&self, v: f64, epoch: u64) {
        if v.is_nan() {
            return;
        }
        let Some(slot) = self.slots.get((epoch % SLOTS as u64) as usize) else {
            return;
        };
        if slot.epoch.load(Ordering::Acquire) < epoch {
            let _guard = crate::sync::lock(&self.clearing);
            if slot.epoch.load(Ordering::Acquire) < epoch {
                slot.clear();
                slot.epoch.store(epoch, Ordering::Release);
            }
        }
        slot.add(v);
    }

    /// The values recorded in the window that ends with `epoch`.
    pub fn snapshot_at(&self, epoch: u64) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for slot in &self.slots {
            let e = slot.epoch.load(Ordering::Acquire);
            if e > epoch || epoch - e >= SLOTS as u64 {
                continue;
            }
            snapshot.add_slot(slot);
        }
        snapshot
    }
}

/// The merged counts of some slots (of one or more sketches).
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    positive: Vec<u64>,
    negative: Vec<u64>,
    zero: u64,
    min: Option<f64>,
    max: Option<f64>,
}

impl Snapshot {
    fn add_slot(&mut self, slot: &Slot) {
        if self.positive.is_empty() {
            self.positive = vec![0; *BUCKETS];
        }
        slot.positive.add_into(&mut self.positive);
        if let Some(n) = slot.negative.get() {
            if self.negative.is_empty() {
                self.negative = vec![0; *BUCKETS];
            }
            n.add_into(&mut self.negative);
        }
        self.zero = self.zero.saturating_add(slot.zero.load(Ordering::Relaxed));
        let (min, max) = (
            f64::from_bits(slot.min.load(Ordering::Relaxed)),
            f64::from_bits(slot.max.load(Ordering::Relaxed)),
        );
        if min.is_finite() {
            self.min = Some(self.min.map_or(min, |m| m.min(min)));
        }
        if max.is_finite() {
            self.max = Some(self.max.map_or(max, |m| m.max(max)));
        }
    }

    /// Adds the values of `other`.
    pub fn merge(&mut self, other: &Snapshot) {
        for (mine, theirs) in [
            (&mut self.positive, &other.positive),
            (&mut self.negative, &other.negative),
        ] {
            if theirs.is_empty() {
                continue;
            }
            if mine.is_empty() {
                mine.clone_from(theirs);
            } else {
                mine.iter_mut()
                    .zip(theirs)
                    .for_each(|(m, t)| *m = m.saturating_add(*t));
            }
        }
        self.zero = self.zero.saturating_add(other.zero);
        self.min = match (self.min, other.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// How many values it holds.
    pub fn count(&self) -> u64 {
        let sum = |v: &[u64]| v.iter().fold(0u64, |a, b| a.saturating_add(*b));
        sum(&self.positive)
            .saturating_add(sum(&self.negative))
            .saturating_add(self.zero)
    }

    /// The `q` quantile (0 to 1), `None` when empty: the `⌈q·n⌉`-th
    /// smallest value (the first for q = 0) to within [`RELATIVE_ERROR`].
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        let q = if q.is_nan() { 0.5 } else { q.clamp(0.0, 1.0) };
        // The nearest rank: the ⌈q·n⌉-th value (from 1). `as` saturates.
        let rank = ((q * count as f64).ceil() as u64).clamp(1, count) - 1;
        let mut seen = 0u64;
        let mut found = None;
        // Negative values from the most negative up, zero, then positive.
        for (p, n) in self.negative.iter().enumerate().rev() {
            seen = seen.saturating_add(*n);
            if seen > rank {
                found = Some(-representative(p));
                break;
            }
        }
        if found.is_none() {
            seen = seen.saturating_add(self.zero);
            if seen > rank {
                found = Some(0.0);
            }
        }
        if found.is_none() {
            for (p, n) in self.positive.iter().enumerate() {
                seen = seen.saturating_add(*n);
                if seen > rank {
                    found = Some(representative(p));
                    break;
                }
            }
        }
        let value = found?;
        // The extremes are known exactly.
        if rank == 0
            && let Some(min) = self.min
        {
            return Some(min);
        }
        if rank == count - 1
            && let Some(max) = self.max
        {
            return Some(max);
        }
        let low = self.min.unwrap_or(value);
        let high = self.max.unwrap_or(value).max(low);
        Some(value.clamp(low, high))
    }
}

#[cfg(test)]
mod tests;
