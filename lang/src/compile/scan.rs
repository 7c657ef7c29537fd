//! Pre-scans of a unit: which variable names it uses.

use tarn_syntax::ast::{Expr, ExprKind, Stmt, StmtKind};

/// Every variable a unit sets or reads, in first-seen order (named maps'
/// bodies are separate units and are skipped).
pub fn variable_names(stmts: &[Stmt]) -> Vec<String> {
    let mut out = Vec::new();
    for s in stmts {
        stmt_vars(s, &mut out);
    }
    out
}

fn stmt_vars(s: &Stmt, out: &mut Vec<String>) {
    if matches!(s.kind, StmtKind::Map { .. }) {
        return;
    }
    if let StmtKind::Let { name, .. } = &s.kind {
        push(out, &name.text);
    }
    s.for_each_expr(|e| expr_vars(e, out));
    s.for_each_child_stmt(|c| stmt_vars(c, out));
}

fn expr_vars(e: &Expr, out: &mut Vec<String>) {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || expr_vars_inner(e, out));
}

fn expr_vars_inner(e: &Expr, out: &mut Vec<String>) {
    if let ExprKind::Var(v) = &e.kind {
        push(out, v);
    }
    e.for_each_child(|c| expr_vars(c, out));
}

fn push(out: &mut Vec<String>, name: &str) {
    if !out.iter().any(|n| n == name) {
        out.push(name.to_string());
    }
}
