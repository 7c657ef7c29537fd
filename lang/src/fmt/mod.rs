//! The Bloblang source formatter behind `tarn fmt`.
//!
//! # Approach
//!
//! The formatter is a token re-printer: it never rebuilds text from the
//! syntax tree, it re-emits the source's own tokens (each one's text copied
//! byte for byte, so strings, raw strings, numbers and names are untouched)
//! and only decides the whitespace between them.
//!
//! * Tokens come from the raw lexer ([`tarn_syntax::token::RawTok`]) with
//!   their byte spans. Comments are skipped by the lexer, so they are found
//!   again in the gaps between tokens: a gap holds only blanks, line breaks
//!   and comments, so every `#` in a gap starts a comment. A comment on the
//!   line of the token before the gap stays a trailing comment; the others
//!   become whole lines at the indentation of what follows them.
//! * The syntax tree tells the three kinds of `{` apart: object literals,
//!   statement blocks (`map`, `if`, `else`) and `match` case lists.
//! * Blocks (`map`, `if`/`else`, also in `if` expressions) and `match`
//!   case lists are always laid out one statement or case per line,
//!   indented by two spaces. Brackets of literals and calls
//!   (`(`, `[`, object `{`) stay on one line when they were written on one
//!   line; when any line break was written directly inside them, they are
//!   laid out one entry per line. Trailing commas are always removed, and
//!   commas between `match` cases become line breaks.
//! * A line break is only ever added or removed where the lexer ignores
//!   it (after an opening bracket, operator or comma, before a closing
//!   bracket, `{` or `else`); significant line breaks are kept. Other line
//!   breaks the author wrote inside an expression are kept as continuation
//!   lines, indented one level more.
//! * Blank lines are kept, collapsed to one, except right after an opening
//!   bracket, right before a closing one and at the ends of the file.
//!
//! Before returning, the output is parsed again and its tree (without
//! spans) and string literals are compared with the input's; a mismatch
//! would be a formatter bug and is reported as an error instead of
//! changing the mapping's meaning.

mod print;

use crate::diag::{Diagnostic, Diagnostics};
use logos::Logos;
use print::{Group, Tok};
use tarn_syntax::Span;
use tarn_syntax::ast::{Expr, ExprKind, Stmt};
use tarn_syntax::token::RawTok;

/// Formats a Bloblang mapping into its canonical layout.
///
/// Returns the syntax errors (with `src` as their source) when the mapping
/// does not parse cleanly; formatting never changes what a mapping does.
pub fn format(src: &str) -> Result<String, Diagnostics> {
    let parsed = tarn_syntax::parse(src);
    if !parsed.errors.is_empty() {
        return Err(Diagnostics {
            items: parsed.errors.into_iter().map(Diagnostic::from).collect(),
            source: src.to_string(),
        });
    }
    let mut toks = Vec::new();
    let mut lex = RawTok::lexer(src);
    while let Some(item) = lex.next() {
        let span = lex.span();
        match item {
            Ok(RawTok::Newline) => {}
            Ok(raw) => toks.push(Tok {
                start: span.start,
                end: span.end,
                raw,
            }),
            Err(()) => return Err(internal(src, span.start, "unexpected character")),
        }
    }
    let mut marks = BraceMarks::default();
    for stmt in &parsed.mapping.stmts {
        marks.stmt(stmt);
    }
    let groups = classify(&toks, &marks);
    let out = print::print(src, &toks, &groups);
    verify(src, &out)?;
    Ok(out)
}

/// Byte offsets the tree gives for object literals and `match` case lists:
/// the brace is the first `{` at or after each offset.
#[derive(Default)]
struct BraceMarks {
    objects: Vec<usize>,
    matches: Vec<usize>,
}

impl BraceMarks {
    fn stmt(&mut self, s: &Stmt) {
        s.for_each_expr(|e| self.expr(e));
        s.for_each_child_stmt(|c| self.stmt(c));
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Object(_) => self.objects.push(e.span.start as usize),
            ExprKind::Match { subject, .. } => {
                let after = match subject {
                    Some(s) => s.span.end as usize,
                    // Past the `match` keyword itself.
                    None => e.span.start as usize + 1,
                };
                self.matches.push(after);
            }
            _ => {}
        }
        e.for_each_child(|c| self.expr(c));
    }
}

/// The kind of every opening bracket token (`None` for other tokens).
fn classify(toks: &[Tok<'_>], marks: &BraceMarks) -> Vec<Option<Group>> {
    let mut groups: Vec<Option<Group>> = toks
        .iter()
        .map(|t| match t.raw {
            RawTok::LParen => Some(Group::Paren),
            RawTok::LBracket => Some(Group::Bracket),
            RawTok::LBrace => Some(Group::Block),
            _ => None,
        })
        .collect();
    let first_brace_from = |at: usize| {
        let i = toks.partition_point(|t| t.start < at);
        (i..toks.len()).find(|&j| toks[j].raw == RawTok::LBrace)
    };
    for &at in &marks.objects {
        if let Some(i) = first_brace_from(at) {
            groups[i] = Some(Group::Object);
        }
    }
    for &at in &marks.matches {
        if let Some(i) = first_brace_from(at) {
            groups[i] = Some(Group::MatchBlock);
        }
    }
    groups
}

/// Checks that `out` means what `src` means: same tree, same strings.
fn verify(src: &str, out: &str) -> Result<(), Diagnostics> {
    let before = tarn_syntax::parse(src);
    let after = tarn_syntax::parse(out);
    let same_tree = after.errors.is_empty()
        && tarn_syntax::sexpr::mapping(&before.mapping)
            == tarn_syntax::sexpr::mapping(&after.mapping);
    if same_tree && string_tokens(src) == string_tokens(out) {
        Ok(())
    } else {
        Err(internal(
            src,
            0,
            "the formatter could not lay this mapping out without changing it; \
             the file was left as it is (please report this)",
        ))
    }
}

/// The text of every string-like token, in order.
fn string_tokens(src: &str) -> Vec<&str> {
    let mut lex = RawTok::lexer(src);
    let mut out = Vec::new();
    while let Some(item) = lex.next() {
        if let Ok(RawTok::Str(_) | RawTok::RawStr(_) | RawTok::MetaStr(_)) = item {
            out.push(lex.slice());
        }
    }
    out
}

fn internal(src: &str, at: usize, message: &str) -> Diagnostics {
    Diagnostics {
        items: vec![Diagnostic::error(Span::new(at, at), message)],
        source: src.to_string(),
    }
}

#[cfg(test)]
mod tests;
