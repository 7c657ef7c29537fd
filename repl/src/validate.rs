//! Whether an entry continues on the next line.
//!
//! The decision comes from the grammar: the lexer's token stream tells
//! whether brackets are still open or a triple-quoted string is
//! unterminated, and the parser tells whether it ran out of input while
//! expecting more (a trailing operator or `=`, `if`/`match`/`else`
//! waiting for `{`, a trailing `.`).

use tarn_lang::ide::tokens::{is_open_string, lex};
use tarn_syntax::lexer::Tok;
use tarn_syntax::parse;

/// True when `entry` (one or more lines) is unfinished and the editor
/// should read another line instead of submitting it.
///
/// An entry is unfinished when
/// - a `(`, `[` or `{` is still open (and every closer seen so far
///   matched its opener),
/// - it ends inside a triple-quoted `"""` string, or
/// - every syntax error the parser reports lies at the end of the input,
///   i.e. the parser wanted more tokens: `root = 1 +`, `root =`,
///   `if this.a > 1`, `} else`, `let x`. A trailing `.` (`root = this.`)
///   counts too, since a path may continue on the next line.
///
/// Complete entries, entries with an error before the end (`root = 1 )`,
/// a closer that does not match, an unterminated `"` string), blank
/// entries and REPL commands (a first line starting with `:`) are not
/// unfinished, so they are submitted and any error is shown.
pub fn is_incomplete(entry: &str) -> bool {
    let trimmed = entry.trim_start();
    if trimmed.is_empty() || trimmed.starts_with(':') {
        return false;
    }
    let tokens = lex(entry);
    let Some(last) = tokens.last() else {
        return false;
    };
    if is_open_string(entry, last) {
        // Only a triple-quoted string may span lines.
        return entry.get(last.0..).is_some_and(|t| t.starts_with("\"\"\""));
    }
    match bracket_depth(&tokens) {
        Some(0) => {}
        Some(_) => return true,
        None => return false,
    }
    let errors = parse(entry).errors;
    let end = last.2;
    !errors.is_empty() && errors.iter().all(|e| e.span.start as usize >= end)
}

/// How many brackets are still open at the end, or `None` when a closer
/// does not match the innermost opener.
fn bracket_depth(tokens: &[(usize, Tok<'_>, usize)]) -> Option<usize> {
    let mut stack = Vec::new();
    for (_, tok, _) in tokens {
        let closer = match tok {
            Tok::LParen => Tok::RParen,
            Tok::LBracket => Tok::RBracket,
            Tok::LBrace => Tok::RBrace,
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                if stack.pop().as_ref() == Some(tok) {
                    continue;
                }
                return None;
            }
            _ => continue,
        };
        stack.push(closer);
    }
    Some(stack.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tarn_lang::ide::tokens::odd_lines;

    #[test]
    fn open_brackets_continue() {
        assert!(is_incomplete("if this.a > 1 {"));
        assert!(is_incomplete("root = (1 +"));
        assert!(is_incomplete("root = [1, 2,"));
        assert!(is_incomplete("root = {\"a\": 1"));
        assert!(is_incomplete("map foo {\n  root = this"));
        assert!(is_incomplete("root = this.replace_all(\"(\","));
        assert!(is_incomplete("match this {\n  \"a\" => 1"));
    }

    #[test]
    fn closed_blocks_are_complete() {
        assert!(!is_incomplete("if this.a > 1 {\n root = 1\n}"));
        assert!(!is_incomplete("root = this.a"));
        assert!(!is_incomplete("root = [1, 2]"));
        assert!(!is_incomplete("map foo {\n  root = this\n}"));
        assert!(!is_incomplete("root = this.replace_all(\"(\", \"{\")"));
        assert!(!is_incomplete("root = 1 # trailing comment +"));
        assert!(!is_incomplete("this.a.uppercase()"));
        assert!(!is_incomplete("if this.a { root = 1 } else { root = 2 }"));
    }

    #[test]
    fn triple_quoted_strings() {
        assert!(is_incomplete("root = \"\"\"abc"));
        assert!(is_incomplete("root = \"\"\"abc\n  def \"\""));
        assert!(!is_incomplete("root = \"\"\"abc\n\"\"\""));
        // A plain string cannot span lines: show the error.
        assert!(!is_incomplete("root = \"abc"));
    }

    #[test]
    fn parser_wants_more() {
        assert!(is_incomplete("root = 1 +"));
        assert!(is_incomplete("root = this.a &&"));
        assert!(is_incomplete("root ="));
        assert!(is_incomplete("let x ="));
        assert!(is_incomplete("if this.a > 1"));
        assert!(is_incomplete("if this.a { root = 1 } else"));
        assert!(is_incomplete("root = match this.a"));
        assert!(is_incomplete("root = this."));
        assert!(is_incomplete("root = 1 + # more below"));
    }

    #[test]
    fn errors_before_the_end_are_shown() {
        assert!(!is_incomplete("root = 1 )"));
        assert!(!is_incomplete("root = (1 ]"));
        assert!(!is_incomplete("root = = 1 +"));
        assert!(!is_incomplete("root = 1 1"));
        assert!(!is_incomplete("root = ~"));
    }

    #[test]
    fn commands_and_blank_entries() {
        assert!(!is_incomplete(":input {"));
        assert!(!is_incomplete("  :mapping ("));
        assert!(!is_incomplete(""));
        assert!(!is_incomplete("  \n "));
        assert!(!is_incomplete("# just a comment"));
    }

    #[test]
    fn never_panics() {
        for line in odd_lines() {
            let _ = is_incomplete(&line);
        }
    }
}
