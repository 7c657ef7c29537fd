//! Helpers shared by stdlib implementations.

use crate::error::{Error, Result};
use crate::value::{Str, Value};

/// Splits a dot path (`a.b.0`) into segments; `~1` is a literal `.` and
/// `~0` a literal `~`. The empty path has no segments.
pub fn split_path(path: &str) -> Vec<Str> {
    if path.is_empty() {
        return Vec::new();
    }
    path.split('.')
        .map(|seg| {
            if seg.contains('~') {
                Str::from(seg.replace("~1", ".").replace("~0", "~"))
            } else {
                Str::new(seg)
            }
        })
        .collect()
}

/// The receiver's text (strings and bytes).
pub fn text(v: &Value) -> Result<std::borrow::Cow<'_, str>> {
    match v {
        Value::Str(s) => Ok(std::borrow::Cow::Borrowed(s.as_str())),
        Value::Bytes(b) => Ok(String::from_utf8_lossy(b.as_bytes())),
        other => Err(Error::type_mismatch("string", other)),
    }
}

/// One step of the xorshift64 generator the robustness tests draw their
/// deterministic pseudo-random input from; returns the new state.
#[cfg(test)]
pub fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Calls `check` on `rounds` pseudo-random strings, each `len` pieces
/// drawn from `pieces` (generator state starting at `seed`); `check` also
/// gets the state after the string's last draw, for choices of its own.
#[cfg(test)]
pub fn fuzz_pieces(
    pieces: &[&str],
    mut seed: u64,
    rounds: usize,
    len: usize,
    mut check: impl FnMut(&str, u64),
) {
    for _ in 0..rounds {
        let mut t = String::new();
        for _ in 0..len {
            let r = xorshift(&mut seed);
            t.push_str(pieces[(r % pieces.len() as u64) as usize]);
        }
        check(&t, seed);
    }
}
