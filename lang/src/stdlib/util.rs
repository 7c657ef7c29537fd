//! Helpers shared by stdlib implementations.
#![allow(dead_code)] // some helpers serve only the modules still to come

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

/// Returns a string result as bytes when the receiver was bytes, as
/// upstream's string methods do.
pub fn same_kind(receiver_was_bytes: bool, s: String) -> Value {
    if receiver_was_bytes {
        Value::Bytes(s.into_bytes().into())
    } else {
        Value::from(s)
    }
}
