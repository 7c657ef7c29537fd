//! Annotations (how an expression is named in error messages) and
//! constant folding.

use crate::ops;
use crate::value::{Map, Str, Value};
use tarn_syntax::ast::{BinOp, Expr, ExprKind};

/// How upstream names an expression in errors: ``field `this.a` ``,
/// `number literal`, `method uppercase`…
pub fn annotation(e: &Expr, lambdas: &[String]) -> String {
    match &e.kind {
        ExprKind::Null => "null literal".into(),
        ExprKind::Bool(_) => "bool literal".into(),
        ExprKind::Int(_) | ExprKind::Float(_) => "number literal".into(),
        ExprKind::Str(_) => "string literal".into(),
        ExprKind::Array(_) => "array literal".into(),
        ExprKind::Object(_) => "object literal".into(),
        ExprKind::Word(w) => match w.as_str() {
            "this" | "root" => format!("field `{w}`"),
            w if lambdas.iter().any(|l| l == w) => format!("field `{w}`"),
            w => format!("field `this.{w}`"),
        },
        ExprKind::Field { .. } => match field_path_text(e, lambdas) {
            Some(p) => format!("field `{p}`"),
            None => {
                let mut segs = Vec::new();
                let mut cur = e;
                while let ExprKind::Field { recv, name } = &cur.kind {
                    segs.push(name.text.as_str());
                    cur = recv;
                }
                segs.reverse();
                format!("path `{}`", segs.join("."))
            }
        },
        ExprKind::Var(v) => format!("variable {v}"),
        ExprKind::Meta(Some(k)) => format!("meta field {k}"),
        ExprKind::Meta(None) => "meta object".into(),
        ExprKind::Call(c) if c.name.text == "deleted" => "delete".into(),
        ExprKind::Call(c) => format!("function {}", c.name.text),
        ExprKind::Method { call, .. } => format!("method {}", call.name.text),
        ExprKind::MapExpr { body, .. } => annotation(body, lambdas),
        ExprKind::Lambda { body, .. } => annotation(body, lambdas),
        ExprKind::Match { .. } => "match expression".into(),
        ExprKind::If(_) | ExprKind::RawIf(_) => "if expression".into(),
        ExprKind::Not(x) => format!("not {}", annotation(x, lambdas)),
        ExprKind::Neg(x) => annotation(x, lambdas),
        ExprKind::Binary { rhs, .. } => annotation(rhs, lambdas),
        ExprKind::Error => "expression".into(),
    }
}

/// `this.a.b`, `root.a`, `x.a` for a field chain on a context, root,
/// lambda name or bare word; `None` when the chain starts elsewhere.
pub fn field_path_text(e: &Expr, lambdas: &[String]) -> Option<String> {
    let mut segs = Vec::new();
    let mut cur = e;
    while let ExprKind::Field { recv, name } = &cur.kind {
        segs.push(name.text.as_str());
        cur = recv;
    }
    let ExprKind::Word(w) = &cur.kind else {
        return None;
    };
    segs.reverse();
    let base = match w.as_str() {
        "this" | "root" => w.clone(),
        w if lambdas.iter().any(|l| l == w) => w.to_string(),
        w => format!("this.{w}"),
    };
    if segs.is_empty() {
        Some(base)
    } else {
        Some(format!("{base}.{}", segs.join(".")))
    }
}

/// The operator behind an arithmetic or comparison AST operator.
pub fn arith_op(op: BinOp) -> Option<ops::Op> {
    Some(match op {
        BinOp::Add => ops::Op::Add,
        BinOp::Sub => ops::Op::Sub,
        BinOp::Mul => ops::Op::Mul,
        BinOp::Div => ops::Op::Div,
        BinOp::Mod => ops::Op::Mod,
        BinOp::Eq => ops::Op::Eq,
        BinOp::Ne => ops::Op::Ne,
        BinOp::Gt => ops::Op::Gt,
        BinOp::Ge => ops::Op::Ge,
        BinOp::Lt => ops::Op::Lt,
        BinOp::Le => ops::Op::Le,
        BinOp::Coalesce | BinOp::And | BinOp::Or => return None,
    })
}

/// The value of a constant expression: literals, arrays and objects of
/// constants, and arithmetic or comparisons of constants. `Err` carries the
/// message of a folded operation that fails (a compile error).
pub fn constant(e: &Expr) -> Option<Result<Value, String>> {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || constant_inner(e))
}

fn constant_inner(e: &Expr) -> Option<Result<Value, String>> {
    Some(Ok(match &e.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Float(f) => Value::Float(*f),
        ExprKind::Str(s) => Value::str(s),
        ExprKind::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match constant(item)? {
                    Ok(v) => out.push(v),
                    Err(e) => return Some(Err(e)),
                }
            }
            Value::array(out)
        }
        ExprKind::Object(pairs) => {
            let mut out = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                let ExprKind::Str(key) = &k.kind else {
                    return None;
                };
                match constant(v)? {
                    Ok(v) => out.push((Str::new(key), v)),
                    Err(e) => return Some(Err(e)),
                }
            }
            Value::object(Map::from_pairs(out))
        }
        ExprKind::Binary { op, lhs, rhs, .. } => {
            let op2 = arith_op(*op)?;
            let a = match constant(lhs)? {
                Ok(v) => v,
                Err(e) => return Some(Err(e)),
            };
            let b = match constant(rhs)? {
                Ok(v) => v,
                Err(e) => return Some(Err(e)),
            };
            match ops::apply(op2, &a, &b) {
                Ok(v) => v,
                Err(err) => {
                    return Some(Err(ops::op_error_message(
                        op2,
                        &err,
                        &a,
                        &b,
                        &annotation(lhs, &[]),
                        &annotation(rhs, &[]),
                    )));
                }
            }
        }
        _ => return None,
    }))
}
