//! Phrasing of the parser's "expected one of these tokens" lists in plain
//! words.

const EXPR_START: &[&str] = &[
    "word", "int", "float", "string", "var", "metaref", "null", "true", "false", "(", "[", "{",
    "!", "-", "if", "match",
];
const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "%", "|", "==", "!=", ">", ">=", "<", "<=", "&&", "||", ".", "->",
];

/// Turns LALRPOP's expected terminal names into `expected A, B, or C`.
pub fn describe_expected(expected: &[String]) -> String {
    let names: Vec<&str> = expected.iter().map(|e| e.trim_matches('"')).collect();
    let has = |n: &str| names.contains(&n);
    let mut phrases: Vec<String> = Vec::new();
    let expr_count = EXPR_START.iter().filter(|n| has(n)).count();
    let wants_expr = expr_count >= 3;
    if wants_expr {
        phrases.push("an expression".into());
    }
    for (tok, phrase) in [
        ("=", "`=`"),
        ("=>", "`=>`"),
        (":", "`:`"),
        (",", "`,`"),
        (")", "`)`"),
        ("]", "`]`"),
        ("}", "`}`"),
        ("else", "`else`"),
        ("line break", "a line break"),
    ] {
        if has(tok) {
            phrases.push(phrase.into());
        }
    }
    if !wants_expr {
        if has("{") {
            phrases.push("`{`".into());
        }
        if has("word") {
            phrases.push("a name".into());
        } else if has("string") {
            phrases.push("a quoted string".into());
        }
        if has("(") && phrases.is_empty() {
            phrases.push("`(`".into());
        }
    }
    let only_operators = phrases.is_empty() && names.iter().any(|n| OPERATORS.contains(n));
    if only_operators {
        phrases.push("an operator".into());
    }
    if phrases.is_empty() {
        if names.is_empty() {
            return "unexpected input".into();
        }
        phrases = names.iter().map(|n| format!("`{n}`")).collect();
    }
    format!("expected {}", join_or(&phrases))
}

/// `a`, `a or b`, `a, b, or c`.
pub fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} or {b}"),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| format!("\"{n}\"")).collect()
    }

    #[test]
    fn phrases() {
        assert_eq!(
            describe_expected(&quoted(&["=", "line break", "+", ".", "->"])),
            "expected `=` or a line break"
        );
        assert_eq!(
            describe_expected(&quoted(&["word", "int", "string", "(", "[", "{", "-", "!"])),
            "expected an expression"
        );
        assert_eq!(
            describe_expected(&quoted(&["word", "string"])),
            "expected a name"
        );
        assert_eq!(
            describe_expected(&quoted(&[")", ",", "+"])),
            "expected `,` or `)`"
        );
        assert_eq!(join_or(&["a".into(), "b".into(), "c".into()]), "a, b, or c");
    }
}
