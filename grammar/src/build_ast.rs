//! Small constructors called from the grammar's actions, kept here so the
//! grammar file stays readable.

use crate::ast::*;
use crate::error::SyntaxError;
use crate::lexer::{LexicalError, Tok};
use crate::span::Span;
use lalrpop_util::{ErrorRecovery, ParseError};

/// `first` followed by `rest`.
pub fn prepend<T>(first: T, rest: Vec<T>) -> Vec<T> {
    let mut v = Vec::with_capacity(rest.len() + 1);
    v.push(first);
    v.extend(rest);
    v
}

/// A name from a word token.
pub fn name(text: &str, l: usize, r: usize) -> Name {
    Name {
        text: text.to_string(),
        span: Span::new(l, r),
    }
}

/// Keeps a recovered syntax error and stands an error item in its place.
pub fn recover<'s>(
    recovered: &mut Vec<ErrorRecovery<usize, Tok<'s>, LexicalError>>,
    e: ErrorRecovery<usize, Tok<'s>, LexicalError>,
) -> Item {
    let start = match &e.error {
        ParseError::InvalidToken { location } | ParseError::UnrecognizedEof { location, .. } => {
            *location
        }
        ParseError::UnrecognizedToken { token, .. } | ParseError::ExtraToken { token } => token.0,
        ParseError::User { .. } => 0,
    };
    let end = e.dropped_tokens.last().map_or(start, |t| t.2);
    recovered.push(e);
    Item::Error(Span::new(start, end))
}

/// `lhs op rhs`.
pub fn binary(op: BinOp, lhs: Expr, rhs: Expr, ol: usize, or: usize) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr::new(
        ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            op_span: Span::new(ol, or),
        },
        span,
    )
}

/// Unary minus; a number literal folds into a negative literal.
pub fn negate(e: Expr, span: Span) -> Expr {
    let kind = match e.kind {
        ExprKind::Int(i) => ExprKind::Int(i.wrapping_neg()),
        ExprKind::Float(f) => ExprKind::Float(-f),
        other => ExprKind::Neg(Box::new(Expr::new(other, e.span))),
    };
    Expr::new(kind, span)
}

/// `recv.1.2`: the lexer saw a float, the path means two numeric segments.
pub fn float_fields(recv: Expr, text: &str, l: usize, fl: usize, r: usize) -> Expr {
    let dot = text.find('.').unwrap_or(text.len());
    let first = Expr::new(
        ExprKind::Field {
            recv: Box::new(recv),
            name: name(&text[..dot], fl, fl + dot),
        },
        Span::new(l, fl + dot),
    );
    let rest = text.get(dot + 1..).unwrap_or("");
    Expr::new(
        ExprKind::Field {
            recv: Box::new(first),
            name: name(rest, fl + dot + 1, r),
        },
        Span::new(l, r),
    )
}

/// A call node.
pub fn call(n: &str, nl: usize, nr: usize, args: Vec<Arg>, l: usize, r: usize) -> Call {
    Call {
        name: name(n, nl, nr),
        args,
        span: Span::new(l, r),
    }
}

/// An integer literal; overflow is a syntax error.
pub fn int(diags: &mut Vec<SyntaxError>, digits: &str, span: Span) -> Expr {
    match digits.parse::<i64>() {
        Ok(v) => Expr::new(ExprKind::Int(v), span),
        Err(_) => {
            diags.push(SyntaxError::new(
                span,
                format!(
                    "failed to parse '{digits}' as integer: strconv.ParseInt: parsing \"{digits}\": value out of range"
                ),
            ));
            Expr::new(ExprKind::Error, span)
        }
    }
}

/// A float literal (the lexer guarantees the digits are valid).
pub fn float(text: &str, span: Span) -> Expr {
    Expr::new(ExprKind::Float(text.parse().unwrap_or(f64::NAN)), span)
}

/// `( e )` keeps the inner node with the wider span.
pub fn paren(e: Expr, span: Span) -> Expr {
    Expr::new(e.kind, span)
}

/// `@name` / `@`.
pub fn meta_ref(name: String, span: Span) -> Expr {
    let key = if name.is_empty() { None } else { Some(name) };
    Expr::new(ExprKind::Meta(key), span)
}

/// Adds one `else if` branch in front of the rest of the chain.
pub fn prepend_branch(
    cond: Expr,
    body: Block,
    tail: (Vec<(Expr, Block)>, Option<Block>),
) -> (Vec<(Expr, Block)>, Option<Block>) {
    (prepend((cond, body), tail.0), tail.1)
}

/// Returns the expression of a block that holds exactly one bare
/// expression which is not itself a statement-level `if`.
fn single_expr(block: &Block) -> Option<&Expr> {
    match block.items.as_slice() {
        [Item::Expr(e)] if !matches!(e.kind, ExprKind::RawIf(_)) => Some(e),
        _ => None,
    }
}

/// An `if` chain: an expression when every body is a single expression,
/// otherwise a raw statement-level `if` for [`crate::parse`] to check.
pub fn if_chain(
    cond: Expr,
    body: Block,
    tail: (Vec<(Expr, Block)>, Option<Block>),
    span: Span,
) -> Expr {
    let branches = prepend((cond, body), tail.0);
    let otherwise = tail.1;
    let all_exprs = branches.iter().all(|(_, b)| single_expr(b).is_some())
        && otherwise.as_ref().is_none_or(|b| single_expr(b).is_some());
    if !all_exprs {
        return Expr::new(
            ExprKind::RawIf(Box::new(RawIf {
                branches,
                otherwise,
            })),
            span,
        );
    }
    let take = |b: Block| match b.items.into_iter().next() {
        Some(Item::Expr(e)) => e,
        _ => Expr::new(ExprKind::Error, b.span),
    };
    let branches = branches.into_iter().map(|(c, b)| (c, take(b))).collect();
    let otherwise = otherwise.map(take);
    Expr::new(
        ExprKind::If(Box::new(IfExpr {
            branches,
            otherwise,
        })),
        span,
    )
}

/// A `match` expression.
pub fn match_expr(subject: Option<Expr>, cases: Vec<MatchCase>, span: Span) -> Expr {
    Expr::new(
        ExprKind::Match {
            subject: subject.map(Box::new),
            cases,
        },
        span,
    )
}

/// One `match` case; the pattern `_` is the wildcard.
pub fn case(pattern: Expr, result: Expr, span: Span) -> MatchCase {
    let pattern = match &pattern.kind {
        ExprKind::Word(w) if w == "_" => None,
        _ => Some(pattern),
    };
    MatchCase {
        pattern,
        result,
        span,
    }
}
