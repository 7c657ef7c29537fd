//! Helpers shared by the structured family: error wrapping the way
//! upstream's `ErrFrom` does it, object construction, dot paths and
//! upstream's path search (with the `*` wildcard).

use crate::error::{Error, Result, type_message};
use crate::value::{Map, Str, Value};
use crate::vm::Call;

/// A type mismatch on the receiver, annotated with the receiver's origin.
pub fn bad_receiver(call: &Call<'_, '_>, expected: &'static str, got: &Value) -> Error {
    call.annotate(Error::type_mismatch(expected, got))
}

/// A type mismatch message without origin: `expected bool value, got number (5)`.
pub fn type_text(expected: &str, got: &Value) -> String {
    type_message(expected, got, None)
}

/// True when an error text is a type error or operator mismatch, which
/// upstream keeps unwrapped.
pub fn is_typeish(msg: &str) -> bool {
    msg.starts_with("expected ") || msg.starts_with("cannot ")
}

/// True when an error text already starts with an origin annotation
/// (``field `this.a`: …``, `method foo: …`), possibly behind the element
/// prefixes structured methods add.
pub fn is_annotated(msg: &str) -> bool {
    const WRAPPERS: &[&str] = &[
        "failed to process element ",
        "element ",
        "index ",
        "query returned an error for index ",
    ];
    for w in WRAPPERS {
        if let Some(rest) = msg.strip_prefix(w)
            && let Some((_, inner)) = rest.split_once(": ")
        {
            return is_annotated(inner);
        }
    }
    const TICKED: &[&str] = &["field `", "path `", "json path `"];
    for p in TICKED {
        if let Some(rest) = msg.strip_prefix(p) {
            return rest.contains("`: ");
        }
    }
    const NAMED: &[&str] = &[
        "method ",
        "function ",
        "variable ",
        "map ",
        "metadata field ",
        "meta field ",
    ];
    for p in NAMED {
        if let Some(rest) = msg.strip_prefix(p)
            && let Some((name, _)) = rest.split_once(": ")
            && !name.contains(' ')
        {
            return true;
        }
    }
    const FIXED: &[&str] = &[
        "meta object: ",
        "match expression: ",
        "if expression: ",
        "string literal: ",
        "number literal: ",
        "bool literal: ",
        "null literal: ",
        "array literal: ",
        "object literal: ",
        "delete: ",
        "not ",
    ];
    FIXED.iter().any(|p| msg.starts_with(p))
}

/// An error returned as is by a method body: upstream leaves type errors
/// and annotated errors alone and prefixes anything else with the
/// receiver's annotation.
pub fn direct(call: &Call<'_, '_>, e: Error) -> Error {
    let msg = e.message();
    if is_typeish(&msg) || is_annotated(&msg) {
        Error::msg(msg)
    } else {
        call.annotate(Error::msg(msg))
    }
}

/// An error wrapped with a prefix (`element 3: …`): upstream then adds
/// the receiver's annotation unless the wrapped error was annotated.
pub fn wrapped(call: &Call<'_, '_>, prefix: std::fmt::Arguments<'_>, e: Error) -> Error {
    let msg = e.message();
    let full = format!("{prefix}{msg}");
    if is_annotated(&msg) {
        Error::msg(full)
    } else {
        call.annotate(Error::msg(full))
    }
}

/// An object from pairs already in key order.
pub fn obj2(k1: &'static str, v1: Value, k2: &'static str, v2: Value) -> Value {
    debug_assert!(k1 < k2);
    Value::object(Map::from_pairs(vec![
        (Str::new(k1), v1),
        (Str::new(k2), v2),
    ]))
}

/// Splits a dot path like upstream's `DotPathToSlice`: the empty path is
/// one empty segment.
pub fn dot_path(path: &str) -> Vec<Str> {
    if path.is_empty() {
        vec![Str::EMPTY]
    } else {
        super::super::util::split_path(path)
    }
}

/// Parses an array index the way Go's `strconv.Atoi` does (optional sign,
/// decimal digits).
pub fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Upstream's path search: object keys, array indexes, and `*` on an array
/// collecting the rest of the path from every element (`None` when nothing
/// matches).
pub fn search(v: &Value, path: &[Str]) -> Option<Value> {
    let mut cur = v;
    for (i, seg) in path.iter().enumerate() {
        match cur {
            Value::Object(m) => cur = m.get(seg)?,
            Value::Array(a) => {
                if seg.as_str() == "*" {
                    let rest = &path[i + 1..];
                    if rest.is_empty() {
                        return if a.is_empty() {
                            None
                        } else {
                            Some(Value::Array(a.clone()))
                        };
                    }
                    let found: Vec<Value> = a.iter().filter_map(|e| search(e, rest)).collect();
                    return if found.is_empty() {
                        None
                    } else {
                        Some(Value::array(found))
                    };
                }
                let idx = usize::try_from(go_atoi(seg)?).ok()?;
                cur = a.get(idx)?;
            }
            _ => return None,
        }
    }
    Some(cur.clone())
}

/// Sets `value` at `path`, creating objects for missing or null keys;
/// failures (scalars in the way, bad indexes) are ignored as upstream's
/// `explode` does.
pub fn set_path(target: &mut Value, path: &[Str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *target = value;
        return;
    };
    if target.is_nullish() {
        *target = Value::empty_object();
    }
    match target {
        Value::Object(m) => {
            let m = crate::value::Arc::make_mut(m);
            if rest.is_empty() {
                m.insert(first.clone(), value);
            } else {
                let child = m.entry_or_insert_with(first, Value::empty_object);
                if child.is_nullish() {
                    *child = Value::empty_object();
                }
                set_path(child, rest, value);
            }
        }
        Value::Array(a) => {
            let a = crate::value::Arc::make_mut(a);
            if first.as_str() == "-" {
                if rest.is_empty() {
                    a.push(value);
                } else {
                    let mut child = Value::empty_object();
                    set_path(&mut child, rest, value);
                    a.push(child);
                }
                return;
            }
            let Some(idx) = go_atoi(first).and_then(|i| usize::try_from(i).ok()) else {
                return;
            };
            if let Some(slot) = a.get_mut(idx) {
                if rest.is_empty() {
                    *slot = value;
                } else {
                    set_path(slot, rest, value);
                }
            }
        }
        _ => {}
    }
}

/// The receiver's array, reading through without copying.
pub fn array<'v>(call: &Call<'_, '_>, v: &'v Value) -> Result<&'v [Value]> {
    match v {
        Value::Array(a) => Ok(a.as_slice()),
        other => Err(bad_receiver(call, "array", other)),
    }
}

/// Bytes as a string, each invalid byte replaced by U+FFFD (as Go's JSON
/// encoder renders invalid UTF-8).
pub fn lossy_per_byte(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut out = String::with_capacity(b.len() + 8);
            let mut rest = b;
            while !rest.is_empty() {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        break;
                    }
                    Err(e) => {
                        let (good, bad) = rest.split_at(e.valid_up_to());
                        out.push_str(std::str::from_utf8(good).unwrap_or_default());
                        out.push('\u{FFFD}');
                        rest = bad.get(1..).unwrap_or_default();
                    }
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_detected() {
        assert!(is_annotated("field `this.a`: value is null"));
        assert!(is_annotated("method uppercase: nope"));
        assert!(is_annotated("failed to process element 0: field `x`: boom"));
        assert!(!is_annotated("boom"));
        assert!(!is_annotated("expected string value, got number (5)"));
        assert!(!is_annotated(
            "element 0: expected bool value, got number (5)"
        ));
    }

    #[test]
    fn lossy_bytes() {
        assert_eq!(lossy_per_byte(b"a\xe2\x82b"), "a\u{FFFD}\u{FFFD}b");
        assert_eq!(lossy_per_byte("é".as_bytes()), "é");
    }

    #[test]
    fn atoi() {
        assert_eq!(go_atoi("+3"), Some(3));
        assert_eq!(go_atoi("-0"), Some(0));
        assert_eq!(go_atoi("a"), None);
        assert_eq!(go_atoi(""), None);
    }
}
