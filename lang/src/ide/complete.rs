//! Tab completion: which words fit at the cursor.
//!
//! The line up to the cursor is tokenised with the grammar's lexer and the
//! last tokens decide the kind of name wanted: fields of the input after
//! `this.…`, methods after any other `.`, variables after `$`, metadata
//! keys after `@`, map names inside `apply("…`, and functions and keywords
//! elsewhere. Function and method names come from the stdlib registry
//! ([`tarn_lang::Env::standard`]). Nothing is offered inside comments or
//! (apart from `apply("`) inside string literals.

use super::Snapshot;
use super::tokens::{Token, ends_in_comment, is_open_string, is_word, lex, text, word};
use crate::{Env, Value};
use tarn_syntax::lexer::Tok;
use tarn_syntax::strings::quote;

/// One completion: what the list shows and what replaces the word.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The text shown in the list of candidates.
    pub display: String,
    /// The text that replaces the word from the returned start offset up
    /// to the cursor.
    pub replacement: String,
}

impl Candidate {
    /// A candidate shown as it is inserted.
    pub fn plain(text: impl Into<String>) -> Candidate {
        let text = text.into();
        Candidate {
            display: text.clone(),
            replacement: text,
        }
    }
}

/// The keywords offered where an expression or statement starts.
pub const KEYWORDS: &[&str] = &[
    "root", "this", "let", "meta", "map", "if", "else", "match", "import", "from", "true", "false",
    "null",
];

/// Completes the word before byte offset `pos` of `line`.
///
/// Returns the byte offset where the replaced word starts (the text from
/// there to `pos` is replaced by a candidate's `replacement`) and the
/// candidates, sorted by display text and without duplicates. Functions
/// and methods are inserted with their opening parenthesis (`uppercase(`);
/// field names that are not plain words are inserted quoted (`"a b"`);
/// variables and metadata keys are inserted without their sigil (the
/// returned start is after the `$` or `@`); map names inside `apply("`
/// are inserted bare, without a closing quote.
///
/// A `pos` past the end is clamped; one that is not a character boundary
/// yields no candidates.
pub fn complete(line: &str, pos: usize, ctx: &Snapshot) -> (usize, Vec<Candidate>) {
    let pos = pos.min(line.len());
    let Some(prefix) = line.get(..pos) else {
        return (pos, Vec::new());
    };
    let (start, mut candidates) = complete_code(prefix, ctx);
    candidates.sort();
    candidates.dedup();
    (start, candidates)
}

/// Completion in Bloblang text.
fn complete_code(prefix: &str, ctx: &Snapshot) -> (usize, Vec<Candidate>) {
    let end = prefix.len();
    let none = (end, Vec::new());
    let tokens = lex(prefix);
    if ends_in_comment(prefix, &tokens) {
        return none;
    }
    let last = tokens.last().filter(|t| t.2 == end);
    if let Some(t) = last {
        if is_open_string(prefix, t) {
            return complete_apply(prefix, &tokens, ctx).unwrap_or(none);
        }
        if let Some(sigil) = sigil_completion(prefix, t, ctx) {
            return sigil;
        }
    }
    let (start, partial, before) = match last.and_then(|t| word(prefix, t).map(|w| (t.0, w))) {
        Some((start, w)) => (start, w, &tokens[..tokens.len() - 1]),
        None => match last {
            // Right after a value that is not a word (`)`, `"x"`, `$v`…)
            // there is nothing to complete; after punctuation (an
            // operator, an opening bracket, a `.`) a new word starts.
            Some(t) if !is_separator(&t.1) => {
                return none;
            }
            _ => (end, "", &tokens[..]),
        },
    };
    let candidates = match before.last().map(|t| &t.1) {
        Some(Tok::Dot) => {
            // Fields of the input where the path has some that fit a typed
            // start; otherwise (and after a bare `.`) the methods too.
            let mut fields = match (this_path(prefix, &before[..before.len() - 1]), &ctx.input) {
                (Some(path), Some(input)) => field_candidates(input, &path, partial),
                _ => Vec::new(),
            };
            if fields.is_empty() || partial.is_empty() {
                fields.extend(methods(partial));
            }
            fields
        }
        Some(Tok::Meta) => starting_with(ctx.meta_keys.iter().map(String::as_str), partial, ""),
        _ => {
            let env = Env::standard();
            let mut out = starting_with(env.function_names(), partial, "(");
            out.extend(starting_with(KEYWORDS.iter().copied(), partial, ""));
            out
        }
    };
    (start, candidates)
}

/// True for punctuation after which a new word may start directly
/// (operators, brackets, separators).
fn is_separator(tok: &Tok<'_>) -> bool {
    !matches!(
        tok,
        Tok::Word(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Str(_)
            | Tok::Var(_)
            | Tok::MetaRef(_)
            | Tok::Error(_)
            | Tok::RParen
            | Tok::RBracket
            | Tok::RBrace
    ) && tok.symbol().chars().all(|c| !c.is_alphanumeric())
}

/// `$name` and `@name` right before the cursor.
fn sigil_completion(
    prefix: &str,
    t: &Token<'_>,
    ctx: &Snapshot,
) -> Option<(usize, Vec<Candidate>)> {
    let raw = text(prefix, t)?;
    let (names, rest): (&[String], &str) = match &t.1 {
        Tok::Var(v) => (&ctx.variables, v),
        Tok::Error("$") => (&ctx.variables, ""),
        Tok::MetaRef(_) => {
            let name = raw.strip_prefix('@')?;
            if !name.is_empty() && !is_word(name) {
                return None;
            }
            (&ctx.meta_keys, name)
        }
        _ => return None,
    };
    let start = t.2 - rest.len();
    let sigil = raw.get(..1)?;
    let out = names
        .iter()
        .filter(|n| n.starts_with(rest))
        .map(|n| Candidate {
            display: format!("{sigil}{n}"),
            replacement: n.clone(),
        })
        .collect();
    Some((start, out))
}

/// Map names inside `apply("…`.
fn complete_apply(
    prefix: &str,
    tokens: &[Token<'_>],
    ctx: &Snapshot,
) -> Option<(usize, Vec<Candidate>)> {
    let [.., name, paren, string] = tokens else {
        return None;
    };
    if word(prefix, name) != Some("apply") || paren.1 != Tok::LParen {
        return None;
    }
    let raw = text(prefix, string)?;
    let typed = raw.strip_prefix('"').filter(|r| !r.starts_with('"'))?;
    let start = string.0 + 1;
    Some((
        start,
        starting_with(ctx.maps.iter().map(String::as_str), typed, ""),
    ))
}

/// Every method whose name starts with `partial`, inserted as `name(`.
fn methods(partial: &str) -> Vec<Candidate> {
    starting_with(Env::standard().method_names(), partial, "(")
}

/// The names starting with `partial`, each followed by `suffix`.
pub fn starting_with<'a>(
    names: impl Iterator<Item = &'a str>,
    partial: &str,
    suffix: &str,
) -> Vec<Candidate> {
    names
        .filter(|n| n.starts_with(partial))
        .map(|n| Candidate::plain(format!("{n}{suffix}")))
        .collect()
}

/// The segments of a `this.a."b".c` path ending with the last of
/// `tokens`, without `this`; `None` unless the chain starts at `this`.
fn this_path(src: &str, tokens: &[Token<'_>]) -> Option<Vec<String>> {
    let mut segments: Vec<String> = Vec::new();
    let mut i = tokens.len();
    loop {
        let seg = tokens.get(i.checked_sub(1)?)?;
        i -= 1;
        let before_is_dot = i > 0 && tokens.get(i - 1).is_some_and(|t| t.1 == Tok::Dot);
        match &seg.1 {
            Tok::Word("this") if !before_is_dot => {
                segments.reverse();
                return Some(segments);
            }
            Tok::Str(s) => segments.push(s.clone()),
            Tok::Float(f) => segments.extend(f.rsplit('.').map(str::to_string)),
            _ => segments.push(word(src, seg)?.to_string()),
        }
        if !before_is_dot {
            return None;
        }
        i -= 1;
    }
}

/// The keys of the object at `path` in `input` that start with `partial`.
fn field_candidates(input: &Value, path: &[String], partial: &str) -> Vec<Candidate> {
    let Some(object) = input.get_path(path).and_then(Value::as_object) else {
        return Vec::new();
    };
    object
        .keys()
        .filter(|k| k.starts_with(partial))
        .map(|k| {
            if is_word(k) {
                Candidate::plain(k.as_str())
            } else {
                Candidate::plain(quote(k))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::tokens::odd_lines;
    use crate::value::parse_json;

    fn ctx() -> Snapshot {
        Snapshot {
            input: Some(
                parse_json(
                    br#"{"name": "x", "nested": {"deep": {"leaf": 1}, "dx": 2},
                        "a b": 1, "list": [{"k": 1}], "0": {"z": 1}}"#,
                )
                .expect("json"),
            ),
            variables: vec!["user".into(), "uid".into(), "other".into()],
            meta_keys: vec!["kafka_key".into(), "kafka_topic".into(), "id".into()],
            maps: vec!["clean".into(), "clear_all".into(), "other".into()],
        }
    }

    fn replacements(line: &str) -> (usize, Vec<String>) {
        let (start, c) = complete(line, line.len(), &ctx());
        (start, c.into_iter().map(|c| c.replacement).collect())
    }

    fn has(list: &[String], s: &str) -> bool {
        list.iter().any(|x| x == s)
    }

    #[test]
    fn fields_of_this() {
        let (start, r) = replacements("root = this.na");
        assert_eq!(start, 12);
        assert!(has(&r, "name"), "{r:?}");
        assert!(!has(&r, "nested"));
        let (_, r) = replacements("root = this.nested.d");
        assert!(has(&r, "deep") && has(&r, "dx"), "{r:?}");
        let (_, r) = replacements("root = this.nested.deep.");
        assert!(has(&r, "leaf") && has(&r, "uppercase("), "{r:?}");
        let (_, r) = replacements("root = this.\"nested\".deep.l");
        assert!(has(&r, "leaf"), "{r:?}");
        let (_, r) = replacements("root = this.0.");
        assert!(has(&r, "z"), "{r:?}");
        let (_, r) = replacements("root = this.list.0.");
        assert!(has(&r, "k"), "{r:?}");
    }

    #[test]
    fn quoted_keys_and_methods_after_fields() {
        let (_, r) = replacements("this.a");
        assert!(has(&r, "\"a b\""), "{r:?}");
        // Fields that fit come first; methods only where none do.
        assert!(!has(&r, "abs("), "{r:?}");
        let (_, r) = replacements("this.ab");
        assert!(has(&r, "abs("), "{r:?}");
        let (start, r) = replacements("root = this.name.uppe");
        assert_eq!(start, 17);
        assert_eq!(r, vec!["uppercase("]);
    }

    #[test]
    fn no_input_still_gives_methods() {
        let (_, c) = complete("this.uppe", 9, &Snapshot::default());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].replacement, "uppercase(");
    }

    #[test]
    fn methods_after_other_dots() {
        for line in [
            "root = content().uppe",
            "root = \"x\".uppe",
            "root = $v.uppe",
            "root = 5.uppe",
            "root = x.uppe",
            "root = this.name.foo().uppe",
        ] {
            let (_, r) = replacements(line);
            assert_eq!(r, vec!["uppercase("], "{line}");
        }
        // Not a `this` path: no input keys.
        let (_, r) = replacements("root = content().na");
        assert!(!has(&r, "name"), "{r:?}");
        let (_, r) = replacements("root = x.this.na");
        assert!(!has(&r, "name"), "{r:?}");
    }

    #[test]
    fn variables_and_metadata() {
        let (start, c) = complete("root = $u", 9, &ctx());
        assert_eq!(start, 8);
        let r: Vec<_> = c.iter().map(|c| c.replacement.as_str()).collect();
        assert_eq!(r, vec!["uid", "user"]);
        assert_eq!(c[0].display, "$uid");
        let (start, r) = replacements("root = $");
        assert_eq!(start, 8);
        assert_eq!(r.len(), 3);
        let (start, r) = replacements("root = @kafka_");
        assert_eq!(start, 8);
        assert_eq!(r, vec!["kafka_key", "kafka_topic"]);
        let (_, r) = replacements("root = @");
        assert_eq!(r.len(), 3);
        let (_, r) = replacements("meta ka");
        assert_eq!(r, vec!["kafka_key", "kafka_topic"]);
    }

    #[test]
    fn map_names_in_apply() {
        let (start, r) = replacements("root = this.apply(\"cle");
        assert_eq!(start, 19);
        assert_eq!(r, vec!["clean", "clear_all"]);
        let (_, r) = replacements("root = this.apply(\"");
        assert_eq!(r.len(), 3);
        let (_, r) = replacements("root = this.foo(\"cle");
        assert!(r.is_empty());
    }

    #[test]
    fn functions_and_keywords() {
        let (start, r) = replacements("root = uuid_");
        assert_eq!(start, 7);
        assert!(has(&r, "uuid_v4("), "{r:?}");
        let (_, r) = replacements("ro");
        assert!(has(&r, "root"), "{r:?}");
        let (_, r) = replacements("root = th");
        assert!(has(&r, "this"), "{r:?}");
        let (_, r) = replacements("root = [1, n");
        assert!(has(&r, "now(") && has(&r, "null"), "{r:?}");
        // Methods are not functions.
        let (_, r) = replacements("root = uppe");
        assert!(r.is_empty(), "{r:?}");
        // Sorted and deduplicated.
        let (_, r) = replacements("root = ");
        let mut sorted = r.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(r, sorted);
        assert!(has(&r, "if"));
    }

    #[test]
    fn nothing_in_strings_comments_or_after_values() {
        assert!(replacements("root = \"this.na").1.is_empty());
        assert!(replacements("root = \"\"\"abc\nthis.na").1.is_empty());
        assert!(replacements("root = 1 # this.na").1.is_empty());
        assert!(replacements("root = \"x\"").1.is_empty());
        assert!(replacements("root = foo()").1.is_empty());
    }

    #[test]
    fn cursor_in_the_middle() {
        let line = "root = this.na + 1";
        let (start, c) = complete(line, 14, &ctx());
        assert_eq!(start, 12);
        assert_eq!(c[0].replacement, "name");
        // Out of range and inside a character.
        assert!(complete("é", 1, &ctx()).1.is_empty());
        assert_eq!(complete("ro", 99, &ctx()).0, 0);
    }

    #[test]
    fn never_panics() {
        let ctx = ctx();
        for line in odd_lines() {
            for pos in 0..=line.len() + 1 {
                let (start, _) = complete(&line, pos, &ctx);
                assert!(start <= pos.min(line.len()), "{line:?} {pos}");
            }
        }
    }
}
