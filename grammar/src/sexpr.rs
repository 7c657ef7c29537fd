//! A compact S-expression rendering of the tree, used by tests to pin down
//! the shape a parse produced (precedence, associativity, statement kinds).

use crate::ast::*;

/// Renders a mapping, one statement per line.
pub fn mapping(m: &Mapping) -> String {
    let mut out = Vec::new();
    if let Some(f) = &m.from {
        out.push(format!("(from {:?})", f.text));
    }
    out.extend(m.stmts.iter().map(stmt));
    out.join("\n")
}

/// Renders one statement.
pub fn stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Assign { target, value } => format!("(= {} {})", target.display(), expr(value)),
        StmtKind::Let { name, value } => format!("(let {} {})", name.text, expr(value)),
        StmtKind::Meta { key, value } => match key {
            Some(k) => format!("(meta {:?} {})", k.text, expr(value)),
            None => format!("(meta {})", expr(value)),
        },
        StmtKind::If(i) => {
            let mut parts = vec!["(if".to_string()];
            for (c, body) in &i.branches {
                parts.push(format!("{} [{}]", expr(c), stmts(body)));
            }
            if let Some(o) = &i.otherwise {
                parts.push(format!("else [{}]", stmts(o)));
            }
            format!("{})", parts.join(" "))
        }
        StmtKind::Map { name, body } => format!("(map {} [{}])", name.text, stmts(body)),
        StmtKind::Import { path } => format!("(import {:?})", path.text),
    }
}

fn stmts(body: &[Stmt]) -> String {
    body.iter().map(stmt).collect::<Vec<_>>().join(" ")
}

/// Renders one expression.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Array(items) => {
            format!("[{}]", items.iter().map(expr).collect::<Vec<_>>().join(" "))
        }
        ExprKind::Object(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", expr(k), expr(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        ExprKind::Word(w) => w.clone(),
        ExprKind::Var(v) => format!("${v}"),
        ExprKind::Meta(Some(k)) => format!("@{k}"),
        ExprKind::Meta(None) => "@".into(),
        ExprKind::Call(c) => call(c),
        ExprKind::Field { recv, name } => format!("{}.{}", expr(recv), name.text),
        ExprKind::Method { recv, call: c } => format!("{}.{}", expr(recv), call(c)),
        ExprKind::MapExpr { recv, body } => format!("{}.({})", expr(recv), expr(body)),
        ExprKind::Lambda { param, body } => format!("(-> {} {})", param.text, expr(body)),
        ExprKind::Match { subject, cases } => {
            let mut parts = vec!["(match".to_string()];
            if let Some(s) = subject {
                parts.push(expr(s));
            }
            for c in cases {
                let p = c.pattern.as_ref().map_or("_".to_string(), expr);
                parts.push(format!("[{p} => {}]", expr(&c.result)));
            }
            format!("{})", parts.join(" "))
        }
        ExprKind::If(i) => {
            let mut parts = vec!["(if".to_string()];
            for (c, r) in &i.branches {
                parts.push(format!("{} {}", expr(c), expr(r)));
            }
            if let Some(o) = &i.otherwise {
                parts.push(format!("else {}", expr(o)));
            }
            format!("{})", parts.join(" "))
        }
        ExprKind::RawIf(_) => "(raw-if)".into(),
        ExprKind::Not(x) => format!("(! {})", expr(x)),
        ExprKind::Neg(x) => format!("(neg {})", expr(x)),
        ExprKind::Binary { op, lhs, rhs, .. } => {
            format!("({} {} {})", op.symbol(), expr(lhs), expr(rhs))
        }
        ExprKind::Error => "<error>".into(),
    }
}

fn call(c: &Call) -> String {
    let args: Vec<String> = c
        .args
        .iter()
        .map(|a| match &a.name {
            Some(n) => format!("{}: {}", n.text, expr(&a.value)),
            None => expr(&a.value),
        })
        .collect();
    format!("{}({})", c.name.text, args.join(", "))
}
