//! Parsing entry points: whole mappings, single queries and `${! … }`
//! interpolated strings.
//!
//! The grammar yields a flat list of items; this module decides which are
//! statements and which are the `root = …` shorthand, checks assignment
//! targets, and phrases LALRPOP's errors in plain words.

use crate::ast::*;
use crate::error::SyntaxError;
use crate::expected::describe_expected;
use crate::lexer::{LexicalError, Tok, tokenize};
use crate::span::Span;
use lalrpop_util::{ErrorRecovery, ParseError};

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        unused,
        missing_docs
    )]
    grammar,
    "/bloblang.rs"
);

/// The result of parsing a mapping: a tree (possibly partial) and every
/// syntax error found.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The statements that parsed.
    pub mapping: Mapping,
    /// Every problem found, in source order.
    pub errors: Vec<SyntaxError>,
}

/// Parses a whole mapping, recovering after broken statements so that
/// every error of the file is reported.
pub fn parse(src: &str) -> Parsed {
    let mut errors = Vec::new();
    let tokens = tokenize(src, &mut errors);
    if let Some(e) = check_limits(&tokens) {
        return Parsed {
            mapping: Mapping::default(),
            errors: vec![e],
        };
    }
    let mut recovered = Vec::new();
    let result = grammar::MappingParser::new().parse(
        &mut errors,
        &mut recovered,
        tokens.into_iter().map(Ok::<_, LexicalError>),
    );
    for r in recovered {
        errors.push(convert_error(r.error, src));
    }
    let items = match result {
        Ok(items) => items,
        Err(e) => {
            errors.push(convert_error(e, src));
            Vec::new()
        }
    };
    let mapping = items_to_mapping(items, src, &mut errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    Parsed { mapping, errors }
}

/// Parses a single query (no statements), e.g. the body of `${! … }`.
pub fn parse_query(src: &str) -> Result<Expr, Vec<SyntaxError>> {
    parse_query_at(src, 0)
}

fn parse_query_at(src: &str, offset: usize) -> Result<Expr, Vec<SyntaxError>> {
    let mut errors = Vec::new();
    let tokens = tokenize(src, &mut errors);
    if let Some(mut e) = check_limits(&tokens) {
        e.span = Span::new(e.span.start as usize + offset, e.span.end as usize + offset);
        return Err(vec![e]);
    }
    let mut recovered: Vec<ErrorRecovery<usize, Tok<'_>, LexicalError>> = Vec::new();
    let result = grammar::QueryParser::new().parse(
        &mut errors,
        &mut recovered,
        tokens.into_iter().map(Ok::<_, LexicalError>),
    );
    let mut expr = match result {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push(convert_error(e, src));
            None
        }
    };
    for r in recovered {
        errors.push(convert_error(r.error, src));
    }
    if let Some(e) = expr.as_mut() {
        check_expr(e, &mut errors);
    }
    let shift = |s: Span| Span::new(s.start as usize + offset, s.end as usize + offset);
    match expr {
        Some(mut e) if errors.is_empty() => {
            if offset > 0 {
                shift_expr(&mut e, &shift);
            }
            Ok(e)
        }
        _ => Err(errors
            .into_iter()
            .map(|mut e| {
                e.span = shift(e.span);
                e
            })
            .collect()),
    }
}

/// Deepest bracket nesting accepted.
pub const MAX_NESTING: usize = 256;
/// Most tokens accepted in one statement.
pub const MAX_STATEMENT_TOKENS: usize = 20_000;

/// Rejects inputs whose trees would be unreasonably deep, so that no
/// input can exhaust the stack of the passes that walk the tree.
fn check_limits(tokens: &[(usize, Tok<'_>, usize)]) -> Option<SyntaxError> {
    let mut depth = 0usize;
    let mut since_break = 0usize;
    for (l, tok, r) in tokens {
        since_break += 1;
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
            Tok::RParen | Tok::RBracket | Tok::RBrace => depth = depth.saturating_sub(1),
            Tok::Newline if depth == 0 => since_break = 0,
            _ => {}
        }
        if depth > MAX_NESTING {
            return Some(SyntaxError::new(
                Span::new(*l, *r),
                format!("brackets are nested more than {MAX_NESTING} levels deep"),
            ));
        }
        if since_break > MAX_STATEMENT_TOKENS {
            return Some(SyntaxError::new(
                Span::new(*l, *r),
                format!("this statement is longer than {MAX_STATEMENT_TOKENS} tokens"),
            ));
        }
    }
    None
}

fn shift_expr(e: &mut Expr, shift: &impl Fn(Span) -> Span) {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || shift_expr_inner(e, shift));
}

fn shift_expr_inner(e: &mut Expr, shift: &impl Fn(Span) -> Span) {
    e.span = shift(e.span);
    match &mut e.kind {
        ExprKind::Call(c) | ExprKind::Method { call: c, .. } => {
            c.span = shift(c.span);
            c.name.span = shift(c.name.span);
            for n in c.args.iter_mut().filter_map(|a| a.name.as_mut()) {
                n.span = shift(n.span);
            }
        }
        ExprKind::Field { name, .. } => name.span = shift(name.span),
        ExprKind::Lambda { param, .. } => param.span = shift(param.span),
        ExprKind::Binary { op_span, .. } => *op_span = shift(*op_span),
        ExprKind::Match { cases, .. } => cases.iter_mut().for_each(|c| c.span = shift(c.span)),
        _ => {}
    }
    e.for_each_child_mut(|c| shift_expr(c, shift));
}

/// A piece of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum InterpPart {
    /// Literal text.
    Text(String),
    /// A `${! query }`; the span covers the whole `${! … }`.
    Query(Expr, Span),
}

/// Splits a config string into text and `${! … }` queries. `${{! … }}`
/// yields the literal text `${! … }`.
pub fn parse_interpolation(src: &str) -> Result<Vec<InterpPart>, Vec<SyntaxError>> {
    let mut parts = Vec::new();
    let mut errors = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < src.len() {
        let rest = &src[i..];
        if let Some(inner) = rest.strip_prefix("${{!")
            && let Some(end) = inner.find("}}")
        {
            text.push_str("${!");
            text.push_str(&inner[..end]);
            text.push('}');
            i += 4 + end + 2;
            continue;
        }
        if rest.starts_with("${!") {
            let q_start = i + 3;
            let Some(q_end) = find_query_end(&src[q_start..]).map(|e| e + q_start) else {
                errors.push(SyntaxError::new(
                    Span::new(i, src.len()),
                    "required: expected end of expression: the interpolation `${!` has no closing `}`",
                ));
                break;
            };
            if !text.is_empty() {
                parts.push(InterpPart::Text(std::mem::take(&mut text)));
            }
            match parse_query_at(&src[q_start..q_end], q_start) {
                Ok(e) => parts.push(InterpPart::Query(e, Span::new(i, q_end + 1))),
                Err(errs) => errors.extend(errs),
            }
            i = q_end + 1;
            continue;
        }
        let next = rest
            .find('$')
            .map_or(rest.len(), |p| if p == 0 { 1 } else { p });
        text.push_str(&rest[..next]);
        i += next;
    }
    if !text.is_empty() {
        parts.push(InterpPart::Text(text));
    }
    if errors.is_empty() {
        Ok(parts)
    } else {
        Err(errors)
    }
}

/// Byte offset of the `}` that closes an interpolation query (`src`
/// starts just after `${!`), brackets and strings inside it skipped.
pub fn find_query_end(src: &str) -> Option<usize> {
    let mut ignored = Vec::new();
    let mut depth = 0usize;
    for (start, tok, _) in tokenize(src, &mut ignored) {
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
            Tok::RParen | Tok::RBracket => depth = depth.saturating_sub(1),
            Tok::RBrace if depth == 0 => return Some(start),
            Tok::RBrace => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Turns a LALRPOP error into a plain-words syntax error.
fn convert_error(e: ParseError<usize, Tok<'_>, LexicalError>, src: &str) -> SyntaxError {
    match e {
        ParseError::InvalidToken { location } => {
            SyntaxError::new(Span::new(location, location + 1), "unexpected character")
        }
        ParseError::UnrecognizedEof { location, expected } => SyntaxError::new(
            Span::new(location, location),
            format!(
                "{}, but reached the end of the input",
                describe_expected(&expected)
            ),
        ),
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => {
            let found = describe_found(&tok, &src[l.min(src.len())..r.min(src.len())]);
            SyntaxError::new(
                Span::new(l, r),
                format!("{}, found {found}", describe_expected(&expected)),
            )
        }
        ParseError::ExtraToken { token: (l, tok, r) } => SyntaxError::new(
            Span::new(l, r),
            format!(
                "expected the end of the input, found {}",
                describe_found(&tok, &src[l.min(src.len())..r.min(src.len())])
            ),
        ),
        ParseError::User { .. } => SyntaxError::new(Span::new(0, 0), "unreadable input"),
    }
}

fn describe_found(tok: &Tok<'_>, text: &str) -> String {
    match tok {
        Tok::Str(_) => format!("string {}", shorten(text)),
        Tok::Error(_) => tok.describe(),
        _ => tok.describe(),
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 20 {
        text.to_string()
    } else {
        let head: String = text.chars().take(17).collect();
        format!("{head}...")
    }
}

/// Sorts items into a mapping: the lone-expression shorthand, `from`, and
/// statements.
fn items_to_mapping(items: Vec<Item>, src: &str, errors: &mut Vec<SyntaxError>) -> Mapping {
    let mut mapping = Mapping::default();
    if let [Item::Expr(e)] = items.as_slice()
        && !matches!(e.kind, ExprKind::RawIf(_))
    {
        let mut e = e.clone();
        check_expr(&mut e, errors);
        let span = e.span;
        mapping.stmts.push(Stmt {
            kind: StmtKind::Assign {
                target: Target {
                    segments: Vec::new(),
                    span: Span::new(span.start as usize, span.start as usize),
                },
                value: e,
            },
            span,
        });
        return mapping;
    }
    let count = items.len();
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Item::From(path, span) => {
                if count == 1 {
                    mapping.from = Some(path);
                } else {
                    errors.push(SyntaxError::new(
                        span,
                        "`from` loads a whole mapping from a file and must be the only statement",
                    ));
                }
            }
            Item::Expr(e) if index == 0 && !matches!(e.kind, ExprKind::RawIf(_)) => {
                let head: String = src[e.span.range()].chars().take(12).collect();
                errors.push(SyntaxError::new(
                    e.span,
                    format!(
                        "expected the mapping to end here as the beginning is shorthand for `root = {head}...`, but this shorthand form cannot be followed with more assignments"
                    ),
                ));
            }
            other => {
                if let Some(stmt) = item_to_stmt(other, Level::Top, errors) {
                    mapping.stmts.push(stmt);
                }
            }
        }
    }
    mapping
}

/// Where a statement stands, which decides what it may be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Top,
    InMap,
    InIf { in_map: bool },
}

fn item_to_stmt(item: Item, level: Level, errors: &mut Vec<SyntaxError>) -> Option<Stmt> {
    let in_map = matches!(level, Level::InMap | Level::InIf { in_map: true });
    match item {
        Item::Error(_) => None,
        Item::Expr(e) => match e.kind {
            ExprKind::RawIf(raw) => Some(raw_if_to_stmt(*raw, e.span, in_map, errors)),
            _ => {
                errors.push(SyntaxError::new(
                    Span::new(e.span.end as usize, e.span.end as usize),
                    "expected `=`: each line must be an assignment, `let`, `meta`, `if`, `map` or `import`",
                ));
                None
            }
        },
        Item::Assign(lhs, mut value, span) => {
            check_expr(&mut value, errors);
            let target = to_target(&lhs, errors)?;
            Some(Stmt {
                kind: StmtKind::Assign { target, value },
                span,
            })
        }
        Item::Let(name, mut value, span) => {
            check_expr(&mut value, errors);
            Some(Stmt {
                kind: StmtKind::Let { name, value },
                span,
            })
        }
        Item::Meta(key, mut value, span) => {
            if in_map {
                errors.push(SyntaxError::new(
                    span,
                    "setting meta fields is not allowed within this block",
                ));
                return None;
            }
            check_expr(&mut value, errors);
            Some(Stmt {
                kind: StmtKind::Meta { key, value },
                span,
            })
        }
        Item::Map(name, block, span) => {
            if level != Level::Top {
                errors.push(SyntaxError::new(
                    span,
                    "`map` definitions are only allowed at the top level of a mapping",
                ));
                return None;
            }
            let body = block
                .items
                .into_iter()
                .filter_map(|i| item_to_stmt(i, Level::InMap, errors))
                .collect();
            Some(Stmt {
                kind: StmtKind::Map { name, body },
                span,
            })
        }
        Item::Import(path, span) => {
            if level != Level::Top {
                errors.push(SyntaxError::new(
                    span,
                    "`import` is only allowed at the top level of a mapping",
                ));
                return None;
            }
            Some(Stmt {
                kind: StmtKind::Import { path },
                span,
            })
        }
        Item::From(_, span) => {
            errors.push(SyntaxError::new(
                span,
                "`from` loads a whole mapping from a file and must be the only statement",
            ));
            None
        }
    }
}

fn raw_if_to_stmt(raw: RawIf, span: Span, in_map: bool, errors: &mut Vec<SyntaxError>) -> Stmt {
    let level = Level::InIf { in_map };
    let convert_block = |b: Block, errors: &mut Vec<SyntaxError>| -> Vec<Stmt> {
        b.items
            .into_iter()
            .filter_map(|i| item_to_stmt(i, level, errors))
            .collect()
    };
    let mut branches = Vec::new();
    for (mut cond, body) in raw.branches {
        check_expr(&mut cond, errors);
        branches.push((cond, convert_block(body, errors)));
    }
    let otherwise = raw.otherwise.map(|b| convert_block(b, errors));
    Stmt {
        kind: StmtKind::If(IfStmt {
            branches,
            otherwise,
        }),
        span,
    }
}

/// Checks that an assignment's left side is a path and turns it into a
/// target below `root`.
fn to_target(lhs: &Expr, errors: &mut Vec<SyntaxError>) -> Option<Target> {
    fn walk(e: &Expr, out: &mut Vec<Name>) -> bool {
        match &e.kind {
            ExprKind::Word(w) if w == "root" => true,
            ExprKind::Word(w) => {
                out.push(Name {
                    text: w.clone(),
                    span: e.span,
                });
                true
            }
            ExprKind::Field { recv, name } => {
                if !walk(recv, out) {
                    return false;
                }
                out.push(name.clone());
                true
            }
            _ => false,
        }
    }
    let mut segments = Vec::new();
    if walk(lhs, &mut segments) {
        Some(Target {
            segments,
            span: lhs.span,
        })
    } else {
        errors.push(SyntaxError::new(
            lhs.span,
            "expected a target path such as `root.a.b` on the left of `=`",
        ));
        None
    }
}

/// Replaces statement-style `if` blocks nested inside expressions with
/// error nodes, reporting each.
fn check_expr(e: &mut Expr, errors: &mut Vec<SyntaxError>) {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || check_expr_inner(e, errors));
}

fn check_expr_inner(e: &mut Expr, errors: &mut Vec<SyntaxError>) {
    if let ExprKind::RawIf(_) = e.kind {
        errors.push(SyntaxError::new(
            e.span,
            "each branch of an `if` expression must hold exactly one expression",
        ));
        e.kind = ExprKind::Error;
        return;
    }
    e.for_each_child_mut(|c| check_expr(c, errors));
}
