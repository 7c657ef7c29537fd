//! Signature hints: while the cursor is inside a call's argument list,
//! the called function's or method's signature from the stdlib registry.

use super::tokens::{ends_in_comment, lex, word};
use crate::Env;
use tarn_syntax::lexer::Tok;

/// An opening bracket still waiting for its closer.
enum Open<'s> {
    /// `name(`, with `true` when the name follows a `.` (a method).
    Call(&'s str, bool),
    /// Any other `(`, `[` or `{`.
    Other,
}

/// The signature of the innermost unclosed call around byte offset `pos`
/// of `line`, e.g. `replace_all(old: string, new: string)`.
///
/// The call is the nearest `name(` before the cursor whose parenthesis is
/// still open (brackets and blocks in between, such as an array argument,
/// do not hide it); it is a method when `name` follows a `.`, otherwise a
/// function. Brackets inside strings and comments do not count. The
/// signature is [`tarn_lang::stdlib::Spec::signature`] without the leading
/// `.` of methods. Returns `None` when there is no such call, when the
/// name is not in the registry, when the cursor is inside a comment, or
/// when `pos` is not a character boundary of `line`. A name with no `(`
/// typed yet gives `None`.
pub fn signature_hint(line: &str, pos: usize) -> Option<String> {
    let prefix = line.get(..pos.min(line.len()))?;
    let tokens = lex(prefix);
    if ends_in_comment(prefix, &tokens) {
        return None;
    }
    let mut stack: Vec<Open<'_>> = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        match tok.1 {
            Tok::LParen => {
                let callee = i
                    .checked_sub(1)
                    .and_then(|p| tokens.get(p))
                    .filter(|t| !matches!(t.1, Tok::Int(_)))
                    .and_then(|t| word(prefix, t));
                let open = match callee {
                    Some(name) => {
                        let method = i >= 2 && tokens.get(i - 2).is_some_and(|t| t.1 == Tok::Dot);
                        Open::Call(name, method)
                    }
                    None => Open::Other,
                };
                stack.push(open);
            }
            Tok::LBracket | Tok::LBrace => stack.push(Open::Other),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                stack.pop();
            }
            _ => {}
        }
    }
    // A string still open at the cursor is an argument being typed; the
    // brackets inside it were never tokens, so the stack is already right.
    let (name, method) = stack.iter().rev().find_map(|o| match o {
        Open::Call(name, method) => Some((*name, *method)),
        Open::Other => None,
    })?;
    let env = Env::standard();
    let spec = if method {
        env.method(name)
    } else {
        env.function(name)
    }?;
    let sig = spec.signature();
    Some(sig.strip_prefix('.').map(str::to_string).unwrap_or(sig))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::tokens::odd_lines;

    fn at_end(line: &str) -> Option<String> {
        signature_hint(line, line.len())
    }

    #[test]
    fn methods_and_functions() {
        assert_eq!(
            at_end("root = this.replace_all("),
            Some("replace_all(old: string, new: string)".into())
        );
        assert_eq!(
            at_end("root = this.replace_all(\"a\", "),
            Some("replace_all(old: string, new: string)".into())
        );
        let sig = at_end("root = uuid_v4(").expect("function");
        assert!(sig.starts_with("uuid_v4("), "{sig}");
        let sig = at_end("root = meta(").expect("meta function");
        assert!(sig.starts_with("meta("), "{sig}");
    }

    #[test]
    fn innermost_call_wins() {
        let sig = at_end("root = this.replace_all(this.x.trim(").expect("trim");
        assert!(sig.starts_with("trim("), "{sig}");
        let sig = at_end("root = this.replace_all(this.x.trim(), ").expect("outer");
        assert!(sig.starts_with("replace_all("), "{sig}");
        // Brackets and plain parentheses inside the arguments.
        let sig = at_end("root = this.contains([1, (2").expect("contains");
        assert!(sig.starts_with("contains("), "{sig}");
    }

    #[test]
    fn strings_and_comments() {
        let sig = at_end("root = this.replace_all(\"(\", ").expect("string paren");
        assert!(sig.starts_with("replace_all("), "{sig}");
        let sig = at_end("root = this.replace_all(\"a)").expect("inside string");
        assert!(sig.starts_with("replace_all("), "{sig}");
        assert_eq!(at_end("root = this.replace_all( # note"), None);
        assert_eq!(at_end("root = \"this.replace_all(\""), None);
    }

    #[test]
    fn nothing_outside_calls() {
        assert_eq!(at_end("root = this.replace_all(\"a\", \"b\")"), None);
        assert_eq!(at_end("root = this.replace_all"), None);
        assert_eq!(at_end("root = (1 + "), None);
        assert_eq!(at_end("root = this.no_such_method("), None);
        // `uppercase` is a method, not a function.
        assert_eq!(at_end("root = uppercase("), None);
        assert_eq!(at_end(""), None);
        assert_eq!(signature_hint("é(", 1), None);
    }

    #[test]
    fn cursor_position_matters() {
        let line = "root = this.trim() + this.replace_all(";
        assert_eq!(
            signature_hint(line, 17).as_deref().map(|s| &s[..5]),
            Some("trim(")
        );
        assert_eq!(signature_hint(line, 18), None);
    }

    #[test]
    fn never_panics() {
        for line in odd_lines() {
            for pos in 0..=line.len() + 1 {
                let _ = signature_hint(&line, pos);
            }
        }
    }
}
