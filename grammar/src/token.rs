//! Raw tokens produced by the logos lexer.
//!
//! The raw token stream still contains every line break; [`crate::lexer`]
//! turns it into the parser's token stream, deciding which line breaks end a
//! statement and which are plain whitespace.

use logos::Logos;

/// A lexical token of Bloblang, borrowing its text from the source.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t]+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
pub enum RawTok<'s> {
    /// A line break (`\n` or `\r\n`).
    #[regex(r"\r?\n")]
    Newline,
    /// `[A-Za-z0-9_]+` that is not a pure number or keyword.
    #[regex(r"[A-Za-z0-9_]+", priority = 2)]
    Word(&'s str),
    /// A decimal integer literal.
    #[regex(r"[0-9]+", priority = 4)]
    Int(&'s str),
    /// A decimal literal with a fractional part (`1.5`).
    #[regex(r"[0-9]+\.[0-9]+", priority = 4)]
    Float(&'s str),
    /// A double quoted string, quotes included, escapes not yet decoded.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    Str(&'s str),
    /// A double quoted string with no closing quote on its line.
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, priority = 1)]
    UnterminatedStr(&'s str),
    /// A triple quoted raw string: `"""` up to the next `"""`.
    #[token(r#"""""#, lex_raw_string)]
    RawStr(&'s str),
    /// `$name`.
    #[regex(r"\$[A-Za-z0-9_]+", |lex| &lex.slice()[1..])]
    Var(&'s str),
    /// `@name` or a bare `@`.
    #[regex(r"@[A-Za-z0-9_]*", |lex| &lex.slice()[1..])]
    MetaName(&'s str),
    /// `@"quoted name"`, escapes not yet decoded (quotes included).
    #[regex(r#"@"([^"\\\n]|\\[^\n])*""#, |lex| &lex.slice()[1..])]
    MetaStr(&'s str),

    /// `let`
    #[token("let")]
    Let,
    /// `meta`
    #[token("meta")]
    Meta,
    /// `map`
    #[token("map")]
    Map,
    /// `import`
    #[token("import")]
    Import,
    /// `from`
    #[token("from")]
    From,
    /// `if`
    #[token("if")]
    If,
    /// `else`
    #[token("else")]
    Else,
    /// `match`
    #[token("match")]
    Match,
    /// `true`
    #[token("true")]
    True,
    /// `false`
    #[token("false")]
    False,
    /// `null`
    #[token("null")]
    Null,

    /// `=`
    #[token("=")]
    Assign,
    /// `.`
    #[token(".")]
    Dot,
    /// `,`
    #[token(",")]
    Comma,
    /// `:`
    #[token(":")]
    Colon,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `=>`
    #[token("=>")]
    FatArrow,
    /// `->`
    #[token("->")]
    Arrow,
    /// `!`
    #[token("!")]
    Bang,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `/`
    #[token("/")]
    Slash,
    /// `%`
    #[token("%")]
    Percent,
    /// `|`
    #[token("|")]
    Pipe,
    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    NotEq,
    /// `>`
    #[token(">")]
    Gt,
    /// `>=`
    #[token(">=")]
    Ge,
    /// `<`
    #[token("<")]
    Lt,
    /// `<=`
    #[token("<=")]
    Le,
    /// `&&`
    #[token("&&")]
    AndAnd,
    /// `||`
    #[token("||")]
    OrOr,
}

/// Consumes a raw string body up to and including the closing `"""`.
///
/// Returns the body without quotes; an unterminated raw string fails the
/// token, which the lexer reports as "expected end triple-quote".
fn lex_raw_string<'s>(lex: &mut logos::Lexer<'s, RawTok<'s>>) -> Option<&'s str> {
    let rest = lex.remainder();
    let end = rest.find(r#"""""#)?;
    lex.bump(end + 3);
    Some(&rest[..end])
}

impl RawTok<'_> {
    /// True for tokens after which a line break is not significant.
    pub fn continues_line(&self) -> bool {
        use RawTok::*;
        matches!(
            self,
            LParen
                | LBracket
                | LBrace
                | Comma
                | Dot
                | Colon
                | Assign
                | FatArrow
                | Arrow
                | Bang
                | Plus
                | Minus
                | Star
                | Slash
                | Percent
                | Pipe
                | EqEq
                | NotEq
                | Gt
                | Ge
                | Lt
                | Le
                | AndAnd
                | OrOr
                | Else
        )
    }

    /// True for tokens before which a line break is not significant.
    pub fn joins_previous_line(&self) -> bool {
        use RawTok::*;
        matches!(self, RParen | RBracket | RBrace | LBrace | Else)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(src: &str) -> Vec<RawTok<'_>> {
        RawTok::lexer(src)
            .map(|t| t.expect("valid token"))
            .collect()
    }

    #[test]
    fn words_numbers_and_keywords() {
        use RawTok::*;
        assert_eq!(
            lex("nullable null 5 5.5 5x let letter"),
            vec![
                Word("nullable"),
                Null,
                Int("5"),
                Float("5.5"),
                Word("5x"),
                Let,
                Word("letter")
            ]
        );
    }

    #[test]
    fn strings_and_comments() {
        use RawTok::*;
        assert_eq!(
            lex("\"a\\\"b\" # note\n\"\"\"raw\n\"x\" \"\"\""),
            vec![Str("\"a\\\"b\""), Newline, RawStr("raw\n\"x\" ")]
        );
        assert_eq!(lex("\"open"), vec![UnterminatedStr("\"open")]);
    }

    #[test]
    fn sigils() {
        use RawTok::*;
        assert_eq!(
            lex("$x @ @k @\"a b\" 1.2.3"),
            vec![
                Var("x"),
                MetaName(""),
                MetaName("k"),
                MetaStr("\"a b\""),
                Float("1.2"),
                Dot,
                Int("3")
            ]
        );
    }
}
