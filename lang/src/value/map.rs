//! Objects: a vector of `(key, value)` pairs kept sorted by key bytes, which
//! is already Go's JSON output order and gives fast lookups for the small
//! objects typical of messages.

use super::shapes::sort_pairs;
use super::text::Probe;
use super::{Str, Value};

/// A Bloblang object.
#[derive(Default, PartialEq)]
pub struct Map {
    entries: Vec<(Str, Value)>,
}

/// Spare entries a copy is given: objects are copied to be changed
/// (copy-on-write), and the change is usually an insertion or a few.
pub(super) const COPY_HEADROOM: usize = 8;

impl Clone for Map {
    fn clone(&self) -> Map {
        let mut entries = Vec::with_capacity(self.entries.len() + COPY_HEADROOM);
        entries.extend(self.entries.iter().cloned());
        Map { entries }
    }
}

impl Map {
    /// An empty object.
    pub fn new() -> Map {
        Map::default()
    }

    /// An empty object with room for `n` entries.
    pub fn with_capacity(n: usize) -> Map {
        Map {
            entries: Vec::with_capacity(n),
        }
    }

    /// Builds an object from pairs in any order; a repeated key keeps its
    /// last value.
    pub fn from_pairs(entries: Vec<(Str, Value)>) -> Map {
        if entries.windows(2).all(|w| w[0].0 < w[1].0) {
            return Map { entries };
        }
        Map::from_sorted(sort_pairs(entries))
    }

    /// An object from pairs already in strictly increasing key order.
    pub(super) fn from_sorted(entries: Vec<(Str, Value)>) -> Map {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        Map { entries }
    }

    #[inline]
    fn find(&self, key: &str) -> Result<usize, usize> {
        let probe = Probe::new(key);
        if self.entries.len() <= 8 {
            for (i, (k, _)) in self.entries.iter().enumerate() {
                match k.cmp_probe(&probe) {
                    std::cmp::Ordering::Less => continue,
                    std::cmp::Ordering::Equal => return Ok(i),
                    std::cmp::Ordering::Greater => return Err(i),
                }
            }
            return Err(self.entries.len());
        }
        self.entries.binary_search_by(|(k, _)| k.cmp_probe(&probe))
    }

    /// The value at `key`.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value at `key`, trying position `hint` first and updating it to
    /// where the key was found: a lookup that repeats on objects of the
    /// same shape (a path in a mapping, message after message) then costs
    /// one key comparison.
    #[inline]
    pub fn get_hinted(&self, key: &Str, hint: &mut u8) -> Option<&Value> {
        if let Some((k, v)) = self.entries.get(usize::from(*hint))
            && k == key
        {
            return Some(v);
        }
        let i = self.find(key).ok()?;
        *hint = u8::try_from(i).unwrap_or(0);
        Some(&self.entries[i].1)
    }

    /// Inserts or replaces like [`Map::insert`], first trying the position
    /// `hint` (where this key went last time, for same-shaped objects):
    /// two key comparisons confirm it instead of a search. The hint is
    /// updated to where the key is now.
    pub fn insert_hinted(&mut self, key: &Str, value: Value, hint: &mut u8) -> Option<Value> {
        let found = match self.position_at(key, usize::from(*hint)) {
            Some(found) => found,
            None => self.find(key),
        };
        let (Ok(i) | Err(i)) = found;
        *hint = u8::try_from(i).unwrap_or(0);
        match found {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key.clone(), value));
                None
            }
        }
    }

    /// Where `key` is (`Ok`) or belongs (`Err`), when that is index `at`;
    /// `None` when it is elsewhere.
    #[inline]
    fn position_at(&self, key: &Str, at: usize) -> Option<Result<usize, usize>> {
        if at > 0 && self.entries.get(at - 1)?.0 >= *key {
            return None;
        }
        match self.entries.get(at) {
            None => (at == self.entries.len()).then_some(Err(at)),
            Some((k, _)) => match k.cmp(key) {
                std::cmp::Ordering::Equal => Some(Ok(at)),
                std::cmp::Ordering::Greater => Some(Err(at)),
                std::cmp::Ordering::Less => None,
            },
        }
    }

    /// The value at `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self.find(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<Str> + AsRef<str>, value: Value) -> Option<Value> {
        match self.find(key.as_ref()) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key.into(), value));
                None
            }
        }
    }

    /// The value at `key`, inserting the result of `make` when absent.
    pub fn entry_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> Value) -> &mut Value {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (Str::new(key), make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        match self.find(key) {
            Ok(i) => Some(self.entries.remove(i).1),
            Err(_) => None,
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Str, &Value)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Values in key order, mutably.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Str> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Values in key order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Keeps the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Str, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// The entries, consumed in key order.
    pub fn into_entries(self) -> Vec<(Str, Value)> {
        self.entries
    }
}

impl FromIterator<(Str, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Str, Value)>>(iter: I) -> Map {
        Map::from_pairs(iter.into_iter().collect())
    }
}

impl IntoIterator for Map {
    type Item = (Str, Value);
    type IntoIter = std::vec::IntoIter<(Str, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl std::fmt::Debug for Map {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_keys() {
        let mut m = Map::from_pairs(vec![
            (Str::new("b"), Value::Int(1)),
            (Str::new("a"), Value::Int(2)),
            (Str::new("b"), Value::Int(3)),
        ]);
        assert_eq!(m.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(m.get("b"), Some(&Value::Int(3)));
        m.insert("0", Value::Null);
        assert_eq!(m.keys().next().map(|k| k.as_str()), Some("0"));
        assert_eq!(m.remove("a"), Some(Value::Int(2)));
        assert_eq!(m.len(), 2);
        let mut big = Map::new();
        for i in (0..100).rev() {
            big.insert(format!("k{i:03}"), Value::Int(i));
        }
        assert_eq!(big.get("k042"), Some(&Value::Int(42)));
        assert!(big.keys().zip(big.keys().skip(1)).all(|(a, b)| a < b));
    }
}
