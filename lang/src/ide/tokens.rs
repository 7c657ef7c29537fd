//! Small helpers over the grammar's token stream shared by completion,
//! hints, highlighting and the continuation check.

use tarn_syntax::lexer::{Tok, tokenize};

/// A positioned token: start byte, token, end byte.
pub type Token<'s> = (usize, Tok<'s>, usize);

/// Tokenises `src`, ignoring the lexer's recorded problems.
pub fn lex(src: &str) -> Vec<Token<'_>> {
    let mut errors = Vec::new();
    tokenize(src, &mut errors)
}

/// True for a non-empty run of `[A-Za-z0-9_]`, the characters of a word
/// (keywords and integers included).
pub fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The source text of a token, when the span is a valid slice.
pub fn text<'s>(src: &'s str, tok: &Token<'_>) -> Option<&'s str> {
    src.get(tok.0..tok.2)
}

/// The token's text when it is a word: a name, a keyword or an integer.
pub fn word<'s>(src: &'s str, tok: &Token<'_>) -> Option<&'s str> {
    text(src, tok).filter(|t| is_word(t))
}

/// True when the token is a string literal that has no closing quote
/// (the cursor, at the end of `src`, is inside it).
pub fn is_open_string(src: &str, tok: &Token<'_>) -> bool {
    if !matches!(tok.1, Tok::Str(_)) {
        return false;
    }
    let Some(t) = text(src, tok) else {
        return false;
    };
    if let Some(body) = t.strip_prefix("\"\"\"") {
        return !body.ends_with("\"\"\"");
    }
    let Some(inner) = t.strip_prefix('"') else {
        return false;
    };
    match inner.strip_suffix('"') {
        // A closing quote counts unless it is escaped by an odd number of
        // backslashes.
        Some(rest) => rest.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1,
        None => true,
    }
}

/// True when the end of `src` lies inside a `#` comment: the text after the
/// last token, on its last line, holds a `#`.
pub fn ends_in_comment(src: &str, tokens: &[Token<'_>]) -> bool {
    let tail_start = tokens.last().map_or(0, |t| t.2);
    let tail = src.get(tail_start..).unwrap_or("");
    tail.rsplit('\n')
        .next()
        .is_some_and(|line| line.contains('#'))
}

/// Test input for robustness tests of editor features: small
/// deterministic pseudo-random lines over Bloblang-ish pieces.
#[doc(hidden)]
pub fn odd_lines() -> Vec<String> {
    const PIECES: &[&str] = &[
        "a",
        "this",
        "root",
        "(",
        ")",
        "\"",
        "\"\"\"",
        "#",
        "\n",
        " ",
        "$",
        "@",
        ".",
        "1",
        "\\",
        "{",
        "}",
        "=",
        "é",
        "if",
        "apply",
        ":",
        "[",
        "]",
        ",",
        "+",
        "replace_all",
        "meta",
        "\r",
        "=>",
        "\"x\"",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    (0..600)
        .map(|_| {
            let mut s = String::new();
            for _ in 0..(seed % 20) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            }
            seed = seed.wrapping_add(1);
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last_open(src: &str) -> bool {
        let toks = lex(src);
        toks.last().is_some_and(|t| is_open_string(src, t))
    }

    #[test]
    fn open_strings() {
        assert!(last_open("\"abc"));
        assert!(last_open("\"abc\\\""));
        assert!(last_open("\"\"\"abc"));
        assert!(last_open("\"\"\"abc\"\""));
        assert!(last_open("\"\"\"\""));
        assert!(!last_open("\"abc\""));
        assert!(!last_open("\"a\\\\\""));
        assert!(!last_open("\"\""));
        assert!(!last_open("\"\"\"abc\"\"\""));
        assert!(!last_open("\"\"\"\"\"\""));
        assert!(!last_open("abc"));
    }

    #[test]
    fn comments() {
        let src = "root = 1 # note";
        assert!(ends_in_comment(src, &lex(src)));
        let src = "root = 1 # note\nroot = ";
        assert!(!ends_in_comment(src, &lex(src)));
        let src = "root = \"#\"";
        assert!(!ends_in_comment(src, &lex(src)));
        let src = "# only";
        assert!(ends_in_comment(src, &lex(src)));
    }

    #[test]
    fn words() {
        assert!(is_word("abc_1"));
        assert!(is_word("12"));
        assert!(!is_word(""));
        assert!(!is_word("a b"));
        assert!(!is_word("é"));
    }
}
