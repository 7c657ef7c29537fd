//! Receiver helpers and the spec constructor shared by the string methods.

use crate::error::{Error, Result};
use crate::stdlib::{Category, Impl, MethodImpl, Spec};
use crate::value::Value;
use std::borrow::Cow;

/// A string method's receiver: text or raw bytes.
pub(super) enum Recv<'a> {
    /// A string.
    Str(&'a str),
    /// A byte string.
    Bytes(&'a [u8]),
}

impl<'a> Recv<'a> {
    /// Reads the receiver, failing with a type error for anything but
    /// strings and bytes.
    pub(super) fn of(v: &'a Value) -> Result<Recv<'a>> {
        match v {
            Value::Str(s) => Ok(Recv::Str(s.as_str())),
            Value::Bytes(b) => Ok(Recv::Bytes(b.as_bytes())),
            other => Err(Error::type_mismatch("string", other)),
        }
    }

    /// The receiver as text (bytes decoded lossily).
    pub(super) fn text(&self) -> Cow<'a, str> {
        match self {
            Recv::Str(s) => Cow::Borrowed(s),
            Recv::Bytes(b) => String::from_utf8_lossy(b),
        }
    }

    /// The receiver's raw bytes.
    pub(super) fn bytes(&self) -> &'a [u8] {
        match self {
            Recv::Str(s) => s.as_bytes(),
            Recv::Bytes(b) => b,
        }
    }

    /// True for a bytes receiver.
    pub(super) fn is_bytes(&self) -> bool {
        matches!(self, Recv::Bytes(_))
    }

    /// Wraps a result as the receiver's kind: bytes for bytes, else a string.
    pub(super) fn same_kind(&self, s: String) -> Value {
        if self.is_bytes() {
            Value::Bytes(s.into_bytes().into())
        } else {
            Value::from(s)
        }
    }
}

/// Runs `f` on the receiver's text (strings and bytes alike), the shape of
/// most string methods that always return a string.
pub(super) fn on_text(v: &Value, f: impl FnOnce(&str) -> Result<Value>) -> Result<Value> {
    let r = Recv::of(v)?;
    f(&r.text())
}

/// Text from bytes that may not be UTF-8: valid text is kept, otherwise
/// the bytes are decoded lossily.
pub(super) fn lossy(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Finds `needle` in `hay` (byte offsets); the empty needle matches at 0.
pub(super) fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A string-category method spec with the given name, doc and
/// implementation; the remaining fields come from [`Spec::METHOD`].
pub(super) const fn method(name: &'static str, doc: &'static str, imp: MethodImpl) -> Spec {
    Spec {
        name,
        doc,
        category: Category::Strings,
        imp: Impl::Method(imp),
        ..Spec::METHOD
    }
}
