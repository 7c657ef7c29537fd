//! The parser's token stream: raw tokens with Bloblang's line-break rules
//! applied and string literals decoded.
//!
//! A line break ends a statement (or a `match` case) unless the token before
//! it expects more (an operator, an opening bracket, a comma, a `.`) or the
//! token after it closes a bracket, opens a block or is `else`. Runs of line
//! breaks collapse into one, and line breaks at the start and end of the
//! input are dropped.

use crate::error::SyntaxError;
use crate::span::Span;
use crate::strings::unquote;
use crate::token::RawTok;
use logos::Logos;

/// A token as the grammar sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok<'s> {
    /// A significant line break.
    Newline,
    /// A word: a name or path segment.
    Word(&'s str),
    /// An integer literal's digits.
    Int(&'s str),
    /// A float literal's text.
    Float(&'s str),
    /// A decoded string literal (quoted or triple-quoted).
    Str(String),
    /// `$name`.
    Var(&'s str),
    /// `@name`, `@"name"` or `@` (empty name).
    MetaRef(String),
    /// `let`
    Let,
    /// `meta`
    Meta,
    /// `map`
    Map,
    /// `import`
    Import,
    /// `from`
    From,
    /// `if`
    If,
    /// `else`
    Else,
    /// `match`
    Match,
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
    /// `=`
    Assign,
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `=>`
    FatArrow,
    /// `->`
    Arrow,
    /// `!`
    Bang,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `|`
    Pipe,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// Text that is not a token of the language.
    Error(&'s str),
}

/// Errors the external lexer can hand to LALRPOP (it never does: lexical
/// problems become [`Tok::Error`] tokens or recorded diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexicalError;

/// One positioned token as LALRPOP consumes it.
pub type Spanned<'s> = Result<(usize, Tok<'s>, usize), LexicalError>;

/// Tokenises a whole source text, applying the line-break rules.
///
/// Problems that do not stop tokenising (bad escapes, unterminated strings)
/// are appended to `errors`.
pub fn tokenize<'s>(src: &'s str, errors: &mut Vec<SyntaxError>) -> Vec<(usize, Tok<'s>, usize)> {
    let mut out = Vec::new();
    let mut pending_newline: Option<(usize, usize)> = None;
    let mut prev: Option<RawTok<'s>> = None;
    let mut lex = RawTok::lexer(src);
    while let Some(item) = lex.next() {
        let span = lex.span();
        let raw = match item {
            Ok(raw) => raw,
            Err(()) => {
                let text = &src[span.clone()];
                if text.starts_with(r#"""""#) {
                    errors.push(SyntaxError::new(
                        Span::new(span.start, src.len()),
                        "required: expected end triple-quote",
                    ));
                    let body = &src[span.end..];
                    lex.bump(body.len());
                    push_token(&mut out, &mut pending_newline, prev, &RawTok::RawStr(body));
                    out.push((span.start, Tok::Str(body.to_string()), src.len()));
                    break;
                }
                flush_newline(&mut out, &mut pending_newline, prev, None);
                out.push((span.start, Tok::Error(text), span.end));
                prev = None;
                continue;
            }
        };
        if raw == RawTok::Newline {
            if pending_newline.is_none() {
                pending_newline = Some((span.start, span.end));
            }
            continue;
        }
        push_token(&mut out, &mut pending_newline, prev, &raw);
        out.push((span.start, convert(raw, span.start, errors), span.end));
        prev = Some(raw);
    }
    out
}

/// Emits a pending line break before `next` when it is significant.
fn push_token<'s>(
    out: &mut Vec<(usize, Tok<'s>, usize)>,
    pending: &mut Option<(usize, usize)>,
    prev: Option<RawTok<'s>>,
    next: &RawTok<'s>,
) {
    flush_newline(out, pending, prev, Some(next));
}

fn flush_newline<'s>(
    out: &mut Vec<(usize, Tok<'s>, usize)>,
    pending: &mut Option<(usize, usize)>,
    prev: Option<RawTok<'s>>,
    next: Option<&RawTok<'s>>,
) {
    let Some((start, end)) = pending.take() else {
        return;
    };
    let after_continuation = prev.is_none_or(|p| p.continues_line());
    let before_join = next.is_some_and(|n| n.joins_previous_line());
    if !after_continuation && !before_join && !out.is_empty() {
        out.push((start, Tok::Newline, end));
    }
}

fn convert<'s>(raw: RawTok<'s>, at: usize, errors: &mut Vec<SyntaxError>) -> Tok<'s> {
    use RawTok as R;
    match raw {
        R::Newline => Tok::Newline,
        R::Word(w) => Tok::Word(w),
        R::Int(i) => Tok::Int(i),
        R::Float(f) => Tok::Float(f),
        R::Str(s) => Tok::Str(decode(s, at, errors)),
        R::UnterminatedStr(s) => {
            errors.push(SyntaxError::new(
                Span::new(at, at + s.len()),
                "required: expected end quote",
            ));
            Tok::Str(s[1..].to_string())
        }
        R::RawStr(s) => Tok::Str(s.to_string()),
        R::Var(v) => Tok::Var(v),
        R::MetaName(m) => Tok::MetaRef(m.to_string()),
        R::MetaStr(s) => Tok::MetaRef(decode(s, at + 1, errors)),
        R::Let => Tok::Let,
        R::Meta => Tok::Meta,
        R::Map => Tok::Map,
        R::Import => Tok::Import,
        R::From => Tok::From,
        R::If => Tok::If,
        R::Else => Tok::Else,
        R::Match => Tok::Match,
        R::True => Tok::True,
        R::False => Tok::False,
        R::Null => Tok::Null,
        R::Assign => Tok::Assign,
        R::Dot => Tok::Dot,
        R::Comma => Tok::Comma,
        R::Colon => Tok::Colon,
        R::LParen => Tok::LParen,
        R::RParen => Tok::RParen,
        R::LBracket => Tok::LBracket,
        R::RBracket => Tok::RBracket,
        R::LBrace => Tok::LBrace,
        R::RBrace => Tok::RBrace,
        R::FatArrow => Tok::FatArrow,
        R::Arrow => Tok::Arrow,
        R::Bang => Tok::Bang,
        R::Plus => Tok::Plus,
        R::Minus => Tok::Minus,
        R::Star => Tok::Star,
        R::Slash => Tok::Slash,
        R::Percent => Tok::Percent,
        R::Pipe => Tok::Pipe,
        R::EqEq => Tok::EqEq,
        R::NotEq => Tok::NotEq,
        R::Gt => Tok::Gt,
        R::Ge => Tok::Ge,
        R::Lt => Tok::Lt,
        R::Le => Tok::Le,
        R::AndAnd => Tok::AndAnd,
        R::OrOr => Tok::OrOr,
    }
}

/// Decodes a quoted literal (quotes included), recording a bad escape.
fn decode(quoted: &str, at: usize, errors: &mut Vec<SyntaxError>) -> String {
    match unquote(quoted) {
        Ok(s) => s,
        Err(_) => {
            errors.push(SyntaxError::new(
                Span::new(at, at + quoted.len()),
                "required: failed to unescape quoted string contents: invalid syntax",
            ));
            quoted.trim_matches('"').to_string()
        }
    }
}

impl Tok<'_> {
    /// A short plain-words description used in "found …" messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Newline => "a line break".into(),
            Tok::Word(w) => format!("`{w}`"),
            Tok::Int(i) | Tok::Float(i) => format!("number `{i}`"),
            Tok::Str(_) => "a string".into(),
            Tok::Var(v) => format!("`${v}`"),
            Tok::MetaRef(m) => format!("`@{m}`"),
            Tok::Error(e) => format!("unexpected character `{e}`"),
            other => format!("`{}`", other.symbol()),
        }
    }

    /// The literal spelling of keyword and punctuation tokens.
    pub fn symbol(&self) -> &'static str {
        match self {
            Tok::Let => "let",
            Tok::Meta => "meta",
            Tok::Map => "map",
            Tok::Import => "import",
            Tok::From => "from",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::Match => "match",
            Tok::True => "true",
            Tok::False => "false",
            Tok::Null => "null",
            Tok::Assign => "=",
            Tok::Dot => ".",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::FatArrow => "=>",
            Tok::Arrow => "->",
            Tok::Bang => "!",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Pipe => "|",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok<'_>> {
        let mut errs = Vec::new();
        let t = tokenize(src, &mut errs)
            .into_iter()
            .map(|(_, t, _)| t)
            .collect();
        assert!(errs.is_empty(), "{errs:?}");
        t
    }

    #[test]
    fn newline_rules() {
        use Tok::*;
        assert_eq!(
            toks("\n\na = 1\n\n\nb = [\n1,\n2\n]\n"),
            vec![
                Word("a"),
                Assign,
                Int("1"),
                Newline,
                Word("b"),
                Assign,
                LBracket,
                Int("1"),
                Comma,
                Int("2"),
                RBracket
            ]
        );
        assert_eq!(
            toks("a +\n b\n.c"),
            vec![Word("a"), Plus, Word("b"), Newline, Dot, Word("c")]
        );
        assert_eq!(toks("}\nelse\n{"), vec![RBrace, Else, LBrace]);
    }

    #[test]
    fn comments_keep_their_line_break() {
        use Tok::*;
        assert_eq!(
            toks("a = 1 # one\nb = 2 # two"),
            vec![
                Word("a"),
                Assign,
                Int("1"),
                Newline,
                Word("b"),
                Assign,
                Int("2")
            ]
        );
    }

    #[test]
    fn string_problems_are_recorded() {
        let mut errs = Vec::new();
        let t = tokenize("a = \"x\\q\"\nb = \"open", &mut errs);
        assert_eq!(errs.len(), 2);
        assert!(matches!(t.last(), Some((_, Tok::Str(s), _)) if s == "open"));
    }
}
