//! Operator semantics shared by the VM and constant folding (reference
//! §3.6).

use crate::convert::to_display_string;
use crate::value::{Num, Str, Value, compare_values, values_equal};
use std::cmp::Ordering;

/// Arithmetic and comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl Op {
    /// The verb used in "cannot <verb> types" messages.
    pub fn verb(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Sub => "subtract",
            Op::Mul => "multiply",
            Op::Div => "divide",
            Op::Mod => "modulo",
            _ => "compare",
        }
    }
}

/// Why an operator failed, before annotations are known.
#[derive(Debug, Clone, PartialEq)]
pub enum OpError {
    /// The operand types do not fit the operator.
    Mismatch,
    /// Division or modulo by zero.
    DivideByZero,
}

/// Formats an operator failure with the operands' annotations.
pub fn op_error_message(
    op: Op,
    err: &OpError,
    lhs: &Value,
    rhs: &Value,
    lhs_annot: &str,
    rhs_annot: &str,
) -> String {
    match err {
        OpError::Mismatch => format!(
            "cannot {} types {} (from {lhs_annot}) and {} (from {rhs_annot})",
            op.verb(),
            lhs.type_name(),
            rhs.type_name()
        ),
        OpError::DivideByZero => format!("{rhs_annot}: attempted to divide by zero"),
    }
}

/// Applies a binary operator.
#[inline]
pub fn apply(op: Op, a: &Value, b: &Value) -> Result<Value, OpError> {
    match op {
        Op::Add => add(a, b),
        Op::Sub | Op::Mul => {
            let (x, y) = both_numbers(a, b)?;
            Ok(Value::from(integer_op(op, x, y)))
        }
        Op::Div => {
            let (x, y) = both_numbers(a, b)?;
            let d = y.to_f64();
            if d == 0.0 {
                return Err(OpError::DivideByZero);
            }
            Ok(Value::Float(x.to_f64() / d))
        }
        Op::Mod => {
            let (x, y) = both_numbers(a, b)?;
            let d = y.to_i64_lossy();
            if d == 0 {
                return Err(OpError::DivideByZero);
            }
            Ok(Value::Int(x.to_i64_lossy().wrapping_rem(d)))
        }
        Op::Eq => Ok(Value::Bool(values_equal(a, b))),
        Op::Ne => Ok(Value::Bool(!values_equal(a, b))),
        Op::Gt | Op::Ge | Op::Lt | Op::Le => {
            let ord = compare_values(a, b).ok_or(OpError::Mismatch)?;
            Ok(Value::Bool(match op {
                Op::Gt => ord == Ordering::Greater,
                Op::Ge => ord != Ordering::Less,
                Op::Lt => ord == Ordering::Less,
                _ => ord != Ordering::Greater,
            }))
        }
    }
}

/// The left operand of arithmetic must be a 64-bit or raw number (narrow
/// types are rejected, as upstream does); the right may be any number.
#[inline]
fn both_numbers(a: &Value, b: &Value) -> Result<(Num, Num), OpError> {
    let x = match a {
        Value::Int(i) => Num::Int(*i),
        Value::Float(f) => Num::Float(*f),
        Value::UInt(u) => Num::UInt(*u),
        Value::Number(r) => r.value,
        _ => return Err(OpError::Mismatch),
    };
    let y = b.num().ok_or(OpError::Mismatch)?;
    Ok((x, y))
}

fn integer_op(op: Op, x: Num, y: Num) -> Num {
    match (x, y) {
        (Num::Float(_), _) | (_, Num::Float(_)) => {
            let (p, q) = (x.to_f64(), y.to_f64());
            Num::Float(match op {
                Op::Add => p + q,
                Op::Sub => p - q,
                _ => p * q,
            })
        }
        (Num::UInt(p), Num::UInt(q)) => Num::UInt(match op {
            Op::Add => p.wrapping_add(q),
            Op::Sub => p.wrapping_sub(q),
            _ => p.wrapping_mul(q),
        }),
        _ => {
            let (p, q) = (x.to_i64_lossy(), y.to_i64_lossy());
            Num::Int(match op {
                Op::Add => p.wrapping_add(q),
                Op::Sub => p.wrapping_sub(q),
                _ => p.wrapping_mul(q),
            })
        }
    }
}

fn add(a: &Value, b: &Value) -> Result<Value, OpError> {
    if let (Value::Str(x), Value::Str(y)) = (a, b) {
        return Ok(Value::Str(Str::concat(x, y)));
    }
    match a {
        Value::Str(_) | Value::Bytes(_) => {
            let left = a.as_bytes().unwrap_or_default();
            let mut out = String::with_capacity(left.len() + 16);
            out.push_str(&String::from_utf8_lossy(left));
            match b {
                Value::Str(s) => out.push_str(s),
                Value::Bytes(bytes) => out.push_str(&String::from_utf8_lossy(bytes)),
                Value::Timestamp(_) => out.push_str(&to_display_string(b)),
                _ => return Err(OpError::Mismatch),
            }
            Ok(Value::from(out))
        }
        _ => {
            let (x, y) = both_numbers(a, b)?;
            Ok(Value::from(integer_op(Op::Add, x, y)))
        }
    }
}

/// The truth value for `&&` / `||`: bools, and numbers (non-zero is true).
pub fn logic_operand(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        other => other.num().map(|n| n.to_f64() != 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        assert_eq!(
            apply(Op::Add, &Value::Int(1), &Value::Int(2)),
            Ok(Value::Int(3))
        );
        assert_eq!(
            apply(Op::Add, &Value::Int(1), &Value::Float(0.5)),
            Ok(Value::Float(1.5))
        );
        assert_eq!(
            apply(Op::Div, &Value::Int(4), &Value::Int(2)),
            Ok(Value::Float(2.0))
        );
        assert_eq!(
            apply(Op::Mod, &Value::Int(-7), &Value::Int(3)),
            Ok(Value::Int(-1))
        );
        assert_eq!(
            apply(Op::Mod, &Value::Float(7.9), &Value::Int(3)),
            Ok(Value::Int(1))
        );
        assert_eq!(
            apply(Op::Div, &Value::Int(1), &Value::Int(0)),
            Err(OpError::DivideByZero)
        );
        assert_eq!(
            apply(Op::Add, &Value::str("5"), &Value::Int(1)),
            Err(OpError::Mismatch)
        );
        assert_eq!(
            apply(Op::Add, &Value::Int(i64::MAX), &Value::Int(1)),
            Ok(Value::Int(i64::MIN))
        );
        assert_eq!(
            apply(Op::Add, &Value::str("a"), &Value::str("b")),
            Ok(Value::str("ab"))
        );
        assert_eq!(
            apply(Op::Sub, &Value::UInt(1), &Value::UInt(2)),
            Ok(Value::UInt(u64::MAX))
        );
    }

    #[test]
    fn comparisons() {
        assert_eq!(
            apply(Op::Lt, &Value::Int(1), &Value::Float(1.5)),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            apply(Op::Gt, &Value::Null, &Value::Int(1)),
            Err(OpError::Mismatch)
        );
        assert_eq!(
            apply(Op::Eq, &Value::Null, &Value::Int(1)),
            Ok(Value::Bool(false))
        );
    }

    #[test]
    fn messages() {
        let m = op_error_message(
            Op::Add,
            &OpError::Mismatch,
            &Value::Null,
            &Value::Int(1),
            "field `this.missing`",
            "number literal",
        );
        assert_eq!(
            m,
            "cannot add types null (from field `this.missing`) and number (from number literal)"
        );
    }
}
