//! Syntax colouring of the line being edited with ANSI escapes.
//!
//! The colours come from the grammar's token stream; the text between
//! tokens (spaces, line breaks, comments) is copied unchanged, with
//! comments coloured. Only escapes are ever added: removing them with
//! [`strip_ansi`] gives back the input, for any input that does not
//! itself contain escape sequences.

use tarn_lang::ide::tokens::{Token, lex, text};
use tarn_syntax::lexer::Tok;

/// Resets all attributes.
pub const RESET: &str = "\x1b[0m";
/// Keywords: `let`, `meta`, `map`, `if`, `else`, `match`, `import`, `from`.
pub const KEYWORD: &str = "\x1b[35m";
/// String literals.
pub const STRING: &str = "\x1b[32m";
/// Numbers and `true`, `false`, `null`.
pub const LITERAL: &str = "\x1b[33m";
/// `$variables`.
pub const VARIABLE: &str = "\x1b[36m";
/// `@metadata` references.
pub const METADATA: &str = "\x1b[96m";
/// `# comments`.
pub const COMMENT: &str = "\x1b[90m";
/// Function and method names (a word followed by `(`).
pub const CALL: &str = "\x1b[34m";
/// `this` and `root`.
pub const CONTEXT: &str = "\x1b[1m";
/// Text that is not a token of the language.
pub const INVALID: &str = "\x1b[31m";

/// Returns `line` with ANSI colour escapes around keywords, strings,
/// numbers, variables, metadata references, comments, call names, `this`
/// and `root`.
///
/// Never panics and never changes the text: [`strip_ansi`] of the result
/// is `line` (for lines without escape sequences of their own), also for
/// unterminated strings and text that is not valid Bloblang.
pub fn highlight(line: &str) -> String {
    let tokens = lex(line);
    let mut out = String::with_capacity(line.len() * 2);
    let mut cursor = 0;
    for (i, tok) in tokens.iter().enumerate() {
        // Tokens are in source order; skip any that would overlap or leave
        // the text, so the copy stays exact.
        let Some(tok_text) = text(line, tok).filter(|_| tok.0 >= cursor) else {
            continue;
        };
        let Some(gap) = line.get(cursor..tok.0) else {
            continue;
        };
        push_gap(&mut out, gap);
        let next = tokens.get(i + 1).map(|t| &t.1);
        match colour(tok, next) {
            Some(c) if !tok_text.is_empty() => {
                out.push_str(c);
                out.push_str(tok_text);
                out.push_str(RESET);
            }
            _ => out.push_str(tok_text),
        }
        cursor = tok.2;
    }
    push_gap(&mut out, line.get(cursor..).unwrap_or(""));
    out
}

/// The colour of a token, given the token after it.
fn colour(tok: &Token<'_>, next: Option<&Tok<'_>>) -> Option<&'static str> {
    let call = next == Some(&Tok::LParen);
    Some(match &tok.1 {
        Tok::Word(_) | Tok::Meta if call => CALL,
        Tok::Word("this" | "root") => CONTEXT,
        Tok::Let
        | Tok::Meta
        | Tok::Map
        | Tok::Import
        | Tok::From
        | Tok::If
        | Tok::Else
        | Tok::Match => KEYWORD,
        Tok::True | Tok::False | Tok::Null | Tok::Int(_) | Tok::Float(_) => LITERAL,
        Tok::Str(_) => STRING,
        Tok::Var(_) => VARIABLE,
        Tok::MetaRef(_) => METADATA,
        Tok::Error(_) => INVALID,
        _ => return None,
    })
}

/// Copies text between tokens, colouring `#` comments to the end of
/// their line.
fn push_gap(out: &mut String, gap: &str) {
    let mut rest = gap;
    while let Some(hash) = rest.find('#') {
        out.push_str(&rest[..hash]);
        let comment = &rest[hash..];
        let len = comment.find(['\r', '\n']).unwrap_or(comment.len());
        out.push_str(COMMENT);
        out.push_str(&comment[..len]);
        out.push_str(RESET);
        rest = &comment[len..];
    }
    out.push_str(rest);
}

/// Removes ANSI escape sequences (`ESC [` … final byte, and two-character
/// `ESC x` sequences) from `s`.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        // `ESC [` runs to its final byte; `ESC x` is dropped whole.
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if ('\x40'..='\x7e').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_the_parts() {
        let h = highlight("let x = this.name.uppercase() + $y + @k # done");
        assert!(h.contains(&format!("{KEYWORD}let{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{CONTEXT}this{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{CALL}uppercase{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{VARIABLE}$y{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{METADATA}@k{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{COMMENT}# done{RESET}")), "{h:?}");
        // Plain field names stay uncoloured.
        assert!(h.contains(".name."), "{h:?}");
        let h = highlight("root = \"s\" + 1.5 + 2 + null + meta(\"k\")");
        assert!(h.contains(&format!("{CONTEXT}root{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{STRING}\"s\"{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{LITERAL}1.5{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{LITERAL}null{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{CALL}meta{RESET}")), "{h:?}");
        let h = highlight("if true { root = now() } else { meta foo = 1 }");
        assert!(h.contains(&format!("{KEYWORD}if{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{KEYWORD}else{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{KEYWORD}meta{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{CALL}now{RESET}")), "{h:?}");
    }

    #[test]
    fn strip_undoes_highlight_on_odd_inputs() {
        let inputs = [
            "",
            " ",
            "#",
            "# only a comment",
            "\"",
            "\"\"",
            "\"\"\"",
            "\"\"\"\"",
            "\"\"\"\"\"",
            "root = \"\"\"abc\n  def",
            "root = \"\"\"a\"\"\" + \"\"\"",
            "root = \"unterminated",
            "root = \"esc \\\" still open",
            "root = \"bad \\q escape\"",
            "@",
            "@\"",
            "@\"quoted meta\"",
            "$",
            "$$$",
            "@@",
            "root = ) ] } ( [ {",
            "é ü 日本 🎉 = \"日本\" # 日本",
            "root = this.\"a b\".c",
            "\t\r\n\r\n",
            "a\r\nb # c\r\nd",
            "root = 1 # a # b\n# c\n",
            "~`^&|?;'\\",
            "1.2.3.4 .5 5. ..",
            "root = 99999999999999999999999999",
            "let = = => -> ! != == >= <= && || + - * / %",
            "match this { \"x\" => 1, _ => 2 }",
            "map foo { root = this }\nroot = this.apply(\"foo\")",
            "import \"x\"\nfrom \"y\"",
            "\0\u{7f}\u{feff}",
            "x\u{2028}y",
        ];
        for input in inputs {
            let h = highlight(input);
            assert_eq!(strip_ansi(&h), input, "{input:?} -> {h:?}");
        }
    }

    #[test]
    fn strip_undoes_highlight_on_every_prefix() {
        // Every prefix of a few lines, as typed one character at a time.
        let lines = [
            "root = this.replace_all(\"(\", \"\"\"x\"\"\").uppercase() # é\nlet v = @k",
            "if $a > 1.5 { root = [1, {\"k\": null}] } else { root = !true }",
            "root = \"\\u00e9\\\"\" + \"日本",
        ];
        for line in lines {
            for (i, _) in line.char_indices().chain([(line.len(), ' ')]) {
                let prefix = &line[..i];
                assert_eq!(strip_ansi(&highlight(prefix)), prefix, "{prefix:?}");
            }
        }
    }

    #[test]
    fn pseudo_random_inputs_round_trip() {
        for line in tarn_lang::ide::tokens::odd_lines() {
            assert_eq!(strip_ansi(&highlight(&line)), line, "{line:?}");
        }
    }

    #[test]
    fn strip_ansi_removes_escapes() {
        assert_eq!(strip_ansi("\x1b[1;31mred\x1b[0m plain"), "red plain");
        assert_eq!(strip_ansi("a\x1b"), "a");
        assert_eq!(strip_ansi("a\x1b[12"), "a");
        assert_eq!(strip_ansi("日本\x1b[0m語"), "日本語");
    }
}
