//! String and byte payloads: [`Str`] keeps up to 14 bytes inline and longer
//! text in a thin reference-counted buffer, so cloning never copies text;
//! [`Blob`] is a shared, immutable byte buffer.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

const INLINE: usize = 14;

#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(arcstr::ArcStr),
}

/// An immutable UTF-8 string, 16 bytes wide, cheap to clone.
#[derive(Clone)]
pub struct Str(Repr);

impl Str {
    /// The empty string.
    pub const EMPTY: Str = Str(Repr::Inline {
        len: 0,
        buf: [0; INLINE],
    });

    /// Copies `s` into a new string.
    pub fn new(s: &str) -> Str {
        if s.len() <= INLINE {
            Str(Repr::Inline {
                len: s.len() as u8,
                buf: inline_buf(s.as_bytes()),
            })
        } else {
            Str(Repr::Heap(arcstr::ArcStr::from(s)))
        }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, buf } => {
                let bytes = &buf[..*len as usize];
                // SAFETY: an inline buffer is only ever filled by `Str::new`
                // from a whole `&str` (valid UTF-8, copied entirely), by
                // `Str::concat` from two whole `&str`s one after the other
                // (a concatenation of valid UTF-8 is valid UTF-8), or by
                // `Str::from_chunk_prefix` with bytes it has checked are all
                // ASCII (valid UTF-8), and `len` is that text's length, so
                // `bytes` is exactly valid UTF-8.
                #[allow(unsafe_code)]
                unsafe {
                    std::str::from_utf8_unchecked(bytes)
                }
            }
            Repr::Heap(s) => s.as_str(),
        }
    }

    /// The text as bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, buf } => &buf[..*len as usize],
            Repr::Heap(s) => s.as_bytes(),
        }
    }
}

impl Str {
    /// `a` followed by `b`, built in place: inline when short, otherwise
    /// in a single allocation.
    pub fn concat(a: &str, b: &str) -> Str {
        let n = a.len() + b.len();
        if n <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..a.len()].copy_from_slice(a.as_bytes());
            buf[a.len()..n].copy_from_slice(b.as_bytes());
            return Str(Repr::Inline { len: n as u8, buf });
        }
        let joined = arcstr::ArcStr::init_with(n, |out| {
            let (head, tail) = out.split_at_mut(a.len());
            head.copy_from_slice(a.as_bytes());
            tail.copy_from_slice(b.as_bytes());
        });
        match joined {
            Ok(s) => Str(Repr::Heap(s)),
            // Two whole strings joined are valid UTF-8; kept total anyway.
            Err(_) => Str::from(format!("{a}{b}")),
        }
    }

    /// The first `len` bytes of `chunk` as an inline string, built from
    /// the block in registers (no copy loop) when they fit inline and are
    /// ASCII; otherwise the bytes are taken through [`Str::new`]'s checks.
    #[inline(always)]
    pub(crate) fn from_chunk_prefix(chunk: &[u8; 16], len: usize) -> Str {
        const HIGHS: u128 = u128::from_ne_bytes([0x80; 16]);
        if let Some(&keep) = PREFIX_MASKS.get(len) {
            let word = u128::from_le_bytes(*chunk) & keep;
            if word & HIGHS == 0 {
                let mut buf = [0u8; INLINE];
                buf.copy_from_slice(&word.to_le_bytes()[..INLINE]);
                return Str(Repr::Inline {
                    len: len as u8,
                    buf,
                });
            }
        }
        let bytes = &chunk[..len.min(16)];
        Str::from(String::from_utf8_lossy(bytes).into_owned())
    }

    /// For a string stored inline: its length and its zero-padded buffer.
    #[inline(always)]
    pub(crate) fn inline_parts(&self) -> Option<(usize, &[u8; INLINE])> {
        match &self.0 {
            Repr::Inline { len, buf } => Some((usize::from(*len), buf)),
            Repr::Heap(_) => None,
        }
    }
}

/// `PREFIX_MASKS[n]` keeps the low `n` bytes of a little-endian `u128`
/// (a table load instead of a variable 128-bit shift).
const PREFIX_MASKS: [u128; INLINE + 1] = {
    let mut masks = [0u128; INLINE + 1];
    let mut n = 1;
    while n <= INLINE {
        masks[n] = (1u128 << (n * 8)) - 1;
        n += 1;
    }
    masks
};

/// `bytes` (at most `INLINE` long) zero-padded, copied with fixed-size
/// moves: two overlapping words instead of a `memcpy` call.
#[inline(always)]
fn inline_buf(bytes: &[u8]) -> [u8; INLINE] {
    let mut buf = [0u8; INLINE];
    let n = bytes.len();
    if n >= 8 {
        buf[..8].copy_from_slice(&bytes[..8]);
        buf[n - 8..n].copy_from_slice(&bytes[n - 8..]);
    } else if n >= 4 {
        buf[..4].copy_from_slice(&bytes[..4]);
        buf[n - 4..n].copy_from_slice(&bytes[n - 4..]);
    } else {
        for (to, from) in buf.iter_mut().zip(bytes) {
            *to = *from;
        }
    }
    buf
}

impl Default for Str {
    fn default() -> Str {
        Str::EMPTY
    }
}

impl Deref for Str {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str::new(s)
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        if s.len() <= INLINE {
            Str::new(&s)
        } else {
            Str(Repr::Heap(arcstr::ArcStr::from(s)))
        }
    }
}

impl From<&String> for Str {
    fn from(s: &String) -> Str {
        Str::new(s)
    }
}

impl PartialEq for Str {
    #[inline]
    fn eq(&self, other: &Str) -> bool {
        match (&self.0, &other.0) {
            // Zero-padded buffers: equal strings have equal whole buffers.
            (Repr::Inline { len: a, buf: x }, Repr::Inline { len: b, buf: y }) => {
                a == b && inline_words(x) == inline_words(y)
            }
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}

impl Eq for Str {}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Str) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str {
    #[inline]
    fn cmp(&self, other: &Str) -> Ordering {
        match (&self.0, &other.0) {
            // Inline buffers are zero-padded, so comparing whole buffers
            // (as two big-endian words) and then lengths is byte order.
            (Repr::Inline { len: a, buf: x }, Repr::Inline { len: b, buf: y }) => {
                inline_words(x).cmp(&inline_words(y)).then(a.cmp(b))
            }
            _ => compare_bytes(self.as_bytes(), other.as_bytes()),
        }
    }
}

/// An inline buffer as two big-endian words (bytes 0..8 and 6..14): when
/// the first words are equal, bytes 6 and 7 are too, so comparing the pairs
/// compares all 14 bytes in order.
#[inline(always)]
fn inline_words(buf: &[u8; INLINE]) -> (u64, u64) {
    let head: [u8; 8] = buf[..8].try_into().unwrap_or_default();
    let tail: [u8; 8] = buf[INLINE - 8..].try_into().unwrap_or_default();
    (u64::from_be_bytes(head), u64::from_be_bytes(tail))
}

/// A key prepared for many comparisons against [`Str`]s (object lookups):
/// its first 14 bytes as two words, so that comparing with an inline
/// string is two word comparisons.
pub(crate) struct Probe<'a> {
    bytes: &'a [u8],
    words: (u64, u64),
}

impl<'a> Probe<'a> {
    /// Prepares `key`.
    #[inline]
    pub(crate) fn new(key: &'a str) -> Probe<'a> {
        let bytes = key.as_bytes();
        let head = bytes.get(..INLINE).unwrap_or(bytes);
        Probe {
            bytes,
            words: inline_words(&inline_buf(head)),
        }
    }
}

impl Str {
    /// Byte order of this string against a prepared key.
    #[inline]
    pub(crate) fn cmp_probe(&self, probe: &Probe<'_>) -> Ordering {
        match &self.0 {
            Repr::Inline { len, buf } => match inline_words(buf).cmp(&probe.words) {
                // Equal words: this string is the key's first `len` bytes.
                Ordering::Equal => usize::from(*len).cmp(&probe.bytes.len()),
                order => order,
            },
            Repr::Heap(s) => compare_bytes(s.as_bytes(), probe.bytes),
        }
    }
}

/// Byte-order comparison written out for short keys, where a call to
/// `memcmp` costs more than the loop.
#[inline]
pub(crate) fn compare_bytes(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An immutable shared byte buffer.
#[derive(Clone)]
pub struct Blob(triomphe::ThinArc<(), u8>);

impl Blob {
    /// Copies `bytes` into a new buffer.
    pub fn new(bytes: &[u8]) -> Blob {
        Blob(triomphe::ThinArc::from_header_and_slice((), bytes))
    }

    /// The bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0.slice
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.slice.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.slice.is_empty()
    }
}

impl Deref for Blob {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl From<&[u8]> for Blob {
    fn from(b: &[u8]) -> Blob {
        Blob::new(b)
    }
}

impl From<Vec<u8>> for Blob {
    fn from(b: Vec<u8>) -> Blob {
        Blob::new(&b)
    }
}

impl PartialEq for Blob {
    fn eq(&self, other: &Blob) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Blob {}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_for_probe() -> [&'static str; 12] {
        [
            "",
            "a",
            "a\0",
            "ab",
            "b",
            "exactly14bytes",
            "exactly14bytez",
            "exactly14bytes!",
            "exactly14bytes\0",
            "exactly14",
            "\u{ff}",
            "zzzzzzzzzzzzzzzzzz",
        ]
    }

    #[test]
    fn concatenation_and_equality_agree_with_std() {
        for x in words_for_probe() {
            for y in words_for_probe() {
                let joined = Str::concat(x, y);
                assert_eq!(joined.as_str(), format!("{x}{y}"));
                assert_eq!(joined, Str::new(&format!("{x}{y}")), "{x:?} + {y:?}");
                assert_eq!(Str::new(x) == Str::new(y), x == y, "{x:?} == {y:?}");
            }
        }
    }

    #[test]
    fn inline_and_heap() {
        for s in [
            "",
            "short",
            "exactly14bytes",
            "fifteen bytes!!",
            "é😀 unicode text that is long",
        ] {
            let v = Str::new(s);
            assert_eq!(v.as_str(), s);
            assert_eq!(v.clone(), v);
            assert_eq!(Str::from(s.to_string()).as_str(), s);
        }
        assert_eq!(std::mem::size_of::<Str>(), 16);
        let alphabet = "abcdefghijklmnopqrstuvwxyz";
        for n in 0..=alphabet.len() {
            assert_eq!(
                Str::new(&alphabet[..n]).as_str(),
                &alphabet[..n],
                "length {n}"
            );
        }
        assert!(Str::new("a") < Str::new("b"));
        for x in words_for_probe() {
            for y in words_for_probe() {
                assert_eq!(
                    Str::new(x).cmp_probe(&Probe::new(y)),
                    x.as_bytes().cmp(y.as_bytes()),
                    "{x:?} {y:?}"
                );
            }
        }
        let words = [
            "",
            "a",
            "a\0",
            "a\0\0",
            "ab",
            "b",
            "exactly14bytes",
            "exactly14bytez",
            "exactly14bytes!",
            "\u{ff}",
            "zz",
        ];
        for x in words {
            for y in words {
                assert_eq!(
                    Str::new(x).cmp(&Str::new(y)),
                    x.as_bytes().cmp(y.as_bytes()),
                    "{x:?} {y:?}"
                );
            }
        }
        assert_eq!(Blob::new(b"xyz").as_bytes(), b"xyz");
    }
}
