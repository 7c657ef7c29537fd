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
            let mut buf = [0u8; INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            Str(Repr::Inline {
                len: s.len() as u8,
                buf,
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
                // from a whole `&str` (valid UTF-8, copied entirely), and
                // `len` is that string's length, so `bytes` is exactly the
                // original valid UTF-8 text.
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
        self.as_bytes() == other.as_bytes()
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
    fn cmp(&self, other: &Str) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
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
        assert!(Str::new("a") < Str::new("b"));
        assert_eq!(Blob::new(b"xyz").as_bytes(), b"xyz");
    }
}
