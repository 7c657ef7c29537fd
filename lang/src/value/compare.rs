//! Equality and ordering of values.

use super::{Num, Value};
use std::cmp::Ordering;

/// Compares two numbers: exactly when both are integers of one kind,
/// otherwise as floats.
pub fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::UInt(x), Num::UInt(y)) => Some(x.cmp(&y)),
        (Num::Int(x), Num::UInt(y)) => Some(if x < 0 {
            Ordering::Less
        } else {
            (x as u64).cmp(&y)
        }),
        (Num::UInt(x), Num::Int(y)) => Some(if y < 0 {
            Ordering::Greater
        } else {
            x.cmp(&(y as u64))
        }),
        _ => a.to_f64().partial_cmp(&b.to_f64()),
    }
}

/// Bloblang's `==`, with the upstream quirks: a bool on the left equals a
/// number on the right when the number is non-zero (`true == 1`), but not
/// the other way round; strings equal bytes with the same content; objects
/// with the same key count compare missing keys as null.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Bool(x), other) => match other.num() {
            Some(n) => *x == (n.to_f64() != 0.0),
            None => false,
        },
        (Value::Str(_) | Value::Bytes(_), Value::Str(_) | Value::Bytes(_)) => {
            a.as_bytes() == b.as_bytes()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| values_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| values_equal(v, y.get(k).unwrap_or(&Value::Null)))
        }
        (Value::Timestamp(x), Value::Timestamp(y)) => x.rfc3339_nano() == y.rfc3339_nano(),
        (Value::Delete, Value::Delete) | (Value::Nothing, Value::Nothing) => true,
        _ => match (a.num(), b.num()) {
            (Some(x), Some(y)) => num_cmp(x, y) == Some(Ordering::Equal),
            _ => false,
        },
    }
}

/// Symmetric structural equality (Rust's `PartialEq` for values).
pub fn structural_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(_), _) | (_, Value::Bool(_)) => {
            matches!((a, b), (Value::Bool(x), Value::Bool(y)) if x == y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| structural_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && structural_eq(v1, v2))
        }
        _ => values_equal(a, b),
    }
}

/// Ordering for `<`, `>`, `<=`, `>=`: numbers numerically, strings and
/// bytes bytewise, timestamps by their RFC3339 text. `None` when the two
/// cannot be ordered.
pub fn compare_values(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.num(), b.num()) {
        return num_cmp(x, y);
    }
    match (a, b) {
        (Value::Str(_) | Value::Bytes(_), Value::Str(_) | Value::Bytes(_)) => {
            Some(a.as_bytes()?.cmp(b.as_bytes()?))
        }
        (Value::Timestamp(x), Value::Timestamp(y)) => Some(x.rfc3339_nano().cmp(&y.rfc3339_nano())),
        (Value::Timestamp(x), Value::Str(s)) => Some(x.rfc3339_nano().as_str().cmp(s.as_str())),
        (Value::Str(s), Value::Timestamp(y)) => Some(s.as_str().cmp(y.rfc3339_nano().as_str())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Map, Str};

    #[test]
    fn equality_quirks() {
        assert!(values_equal(&Value::Bool(true), &Value::Int(1)));
        assert!(!values_equal(&Value::Int(1), &Value::Bool(true)));
        assert!(values_equal(&Value::Int(1), &Value::Float(1.0)));
        assert!(values_equal(&Value::str("a"), &Value::bytes(b"a")));
        let a = Value::object(Map::from_pairs(vec![
            (Str::new("a"), Value::Null),
            (Str::new("b"), Value::Int(1)),
        ]));
        let b = Value::object(Map::from_pairs(vec![
            (Str::new("b"), Value::Int(1)),
            (Str::new("c"), Value::Null),
        ]));
        assert!(values_equal(&a, &b));
        assert_ne!(a, b);
    }

    #[test]
    fn ordering() {
        assert_eq!(
            compare_values(&Value::Int(-1), &Value::UInt(1)),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_values(&Value::str("b"), &Value::str("a")),
            Some(Ordering::Greater)
        );
        assert_eq!(compare_values(&Value::Null, &Value::Int(1)), None);
    }
}
