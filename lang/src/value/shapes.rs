//! Key orders of recently read objects. Messages in a stream mostly share
//! their shape, so the reader remembers, for each recent key sequence, the
//! order that sorts it: an object whose keys match a remembered sequence
//! is put in order by that permutation, with one equality test per key
//! instead of a sort's many comparisons.

use super::{Str, Value};

/// Remembered shapes (a power of two: slots are picked by masking).
const SLOTS: usize = 32;

/// Objects with more keys than this are sorted each time (a permutation is
/// stored as bytes, and such objects are rarely repeated shapes).
const MAX_KEYS: usize = 64;

/// One remembered key sequence and the order that sorts it.
#[derive(Default)]
struct Shape {
    /// The keys in input order.
    keys: Vec<Str>,
    /// Input positions in sorted-key order.
    order: Vec<u8>,
}

/// A small table of key sequences seen recently (see the module docs).
#[derive(Default)]
pub(super) struct Shapes {
    slots: Vec<Shape>,
}

impl Shapes {
    /// Moves `pairs[base..]` out, sorted by key, into a vector with room
    /// for `spare` more entries; a repeated key keeps its last value. The
    /// result is ready for [`super::Map::from_sorted`].
    pub(super) fn take_sorted(
        &mut self,
        pairs: &mut Vec<(Str, Value)>,
        base: usize,
        spare: usize,
    ) -> Vec<(Str, Value)> {
        let fields = pairs.get(base..).unwrap_or_default();
        let n = fields.len();
        if fields.windows(2).all(|w| w[0].0 < w[1].0) {
            let mut sorted = Vec::with_capacity(n + spare);
            sorted.extend(pairs.drain(base..));
            return sorted;
        }
        if n > MAX_KEYS {
            return sort_pairs(pairs.split_off(base));
        }
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, Shape::default);
        }
        let shape = &mut self.slots[slot(fields)];
        let known =
            shape.keys.len() == n && shape.keys.iter().zip(fields).all(|(k, (f, _))| k == f);
        if !known {
            let mut order: Vec<u8> = (0..n as u8).collect();
            order.sort_by(|&a, &b| fields[usize::from(a)].0.cmp(&fields[usize::from(b)].0));
            let repeated = order
                .windows(2)
                .any(|w| fields[usize::from(w[0])].0 == fields[usize::from(w[1])].0);
            if repeated {
                return sort_pairs(pairs.split_off(base));
            }
            shape.keys.clear();
            shape.keys.extend(fields.iter().map(|(k, _)| k.clone()));
            shape.order = order;
        }
        shape.take_in_order(pairs, base, spare)
    }
}

impl Shape {
    /// Moves `pairs[base..]` out in sorted-key order (each entry moved
    /// once, no placeholders left behind) and shortens `pairs` to `base`.
    /// The caller has checked that those pairs have this shape's keys.
    fn take_in_order(
        &self,
        pairs: &mut Vec<(Str, Value)>,
        base: usize,
        spare: usize,
    ) -> Vec<(Str, Value)> {
        let n = self.order.len();
        assert_eq!(pairs.len().checked_sub(base), Some(n));
        let mut sorted: Vec<(Str, Value)> = Vec::with_capacity(n.saturating_add(spare));
        #[allow(unsafe_code)]
        // SAFETY: `order` is only ever set to a sorted `0..n` (see
        // `take_sorted`), so it is a permutation of `0..n`, and the assert
        // gives `base + n == pairs.len()`: every read is in bounds and each
        // of the `n` initialised entries is read exactly once. The writes
        // fill the first `n` slots of `sorted` (capacity at least `n`). Nothing in
        // the loop can panic; afterwards `pairs` no longer counts the moved
        // entries and `sorted` counts exactly the written ones, so none is
        // dropped twice or leaked.
        unsafe {
            let from = pairs.as_ptr().add(base);
            let to = sorted.as_mut_ptr();
            for (j, &i) in self.order.iter().enumerate() {
                std::ptr::copy_nonoverlapping(from.add(usize::from(i)), to.add(j), 1);
            }
            pairs.set_len(base);
            sorted.set_len(n);
        }
        sorted
    }
}

/// The slot for a key sequence: from its length and its first key.
#[inline]
fn slot(fields: &[(Str, Value)]) -> usize {
    let first = fields
        .first()
        .map(|(k, _)| k.as_bytes())
        .unwrap_or_default();
    let head = first.iter().take(8).fold(first.len(), |h, &b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    (head.wrapping_mul(31).wrapping_add(fields.len())) & (SLOTS - 1)
}

/// Sorts pairs by key, stably, keeping the last value of a repeated key.
pub(super) fn sort_pairs(mut entries: Vec<(Str, Value)>) -> Vec<(Str, Value)> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if entries.windows(2).any(|w| w[0].0 == w[1].0) {
        let mut out: Vec<(Str, Value)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        entries = out;
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(keys: &[&str]) -> Vec<(Str, Value)> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| (Str::from(*k), Value::Int(i as i64)))
            .collect()
    }

    proptest! {
        /// Whatever was seen before, the result is the sorted pairs with
        /// the last value of each key, and the stack below `base` is kept.
        #[test]
        fn sorts_like_a_plain_sort(
            objects in proptest::collection::vec(
                proptest::collection::vec(prop_oneof![Just("a"), Just("b"), Just("id"), Just("zz"), Just("a long key beyond fourteen bytes")], 0..7),
                1..12,
            ),
        ) {
            let mut shapes = Shapes::default();
            for keys in &objects {
                let mut stack = pairs(&["below"]);
                stack.extend(pairs(keys));
                let want = sort_pairs(pairs(keys));
                prop_assert_eq!(shapes.take_sorted(&mut stack, 1, 0), want);
                prop_assert_eq!(stack, pairs(&["below"]));
            }
        }
    }

    #[test]
    fn a_repeated_shape_uses_the_remembered_order() {
        let mut shapes = Shapes::default();
        let keys = ["ts", "id", "level", "host", "msg"];
        for _ in 0..3 {
            let mut stack = pairs(&keys);
            let got = shapes.take_sorted(&mut stack, 0, 2);
            let names: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(names, ["host", "id", "level", "msg", "ts"]);
            assert_eq!(got[0].1, Value::Int(3));
        }
        let remembered = shapes.slots.iter().filter(|s| !s.keys.is_empty()).count();
        assert_eq!(remembered, 1);
    }
}
