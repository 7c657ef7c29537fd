//! Case mapping: `uppercase`, `lowercase` and `capitalize` (Go's simple
//! case mappings and x/text title casing).

use super::common::{Recv, method};
use crate::error::Result;
use crate::stdlib::{Example, Expect::*, Spec};
use crate::value::Value;
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        examples: &[
            Example {
                mapping: "root.foo = this.foo.uppercase()",
                cases: &[(r#"{"foo":"hello world"}"#, Out(r#"{"foo":"HELLO WORLD"}"#))],
            },
            Example {
                mapping: "root.code = this.product_code.uppercase()",
                cases: &[
                    (
                        r#"{"product_code":"abc-123"}"#,
                        Out(r#"{"code":"ABC-123"}"#),
                    ),
                    (
                        r#"{"product_code":5}"#,
                        Fails(
                            "expected string value, got number from field `this.product_code` (5)",
                        ),
                    ),
                ],
            },
        ],
        ..method(
            "uppercase",
            "Converts every letter of a string to upper case.",
            uppercase,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.foo = this.foo.lowercase()",
                cases: &[(r#"{"foo":"HELLO WORLD"}"#, Out(r#"{"foo":"hello world"}"#))],
            },
            Example {
                mapping: "root.email = this.user_email.lowercase()",
                cases: &[(
                    r#"{"user_email":"User@Example.COM"}"#,
                    Out(r#"{"email":"user@example.com"}"#),
                )],
            },
        ],
        ..method(
            "lowercase",
            "Converts every letter of a string to lower case.",
            lowercase,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.title = this.title.capitalize()",
                cases: &[
                    (
                        r#"{"title":"the foo bar"}"#,
                        Out(r#"{"title":"The Foo Bar"}"#),
                    ),
                    (
                        r#"{"title":"hELLO wORLD-wide o'neil"}"#,
                        Out(r#"{"title":"Hello World-Wide O'neil"}"#),
                    ),
                ],
            },
            Example {
                mapping: "root.name = this.name.capitalize()",
                cases: &[(
                    r#"{"name":"alice smith"}"#,
                    Out(r#"{"name":"Alice Smith"}"#),
                )],
            },
        ],
        ..method(
            "capitalize",
            "Title-cases each word: its first letter upper case, the rest lower case.",
            capitalize,
        )
    },
];

/// Go's simple upper-case mapping: characters whose upper case is more
/// than one character stay as they are.
fn upper_char(c: char, out: &mut String) {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => out.push(u),
        _ => out.push(c),
    }
}

/// Go's simple lower-case mapping.
fn lower_char(c: char, out: &mut String) {
    out.push(c.to_lowercase().next().unwrap_or(c));
}

fn map_text(r: &Recv<'_>, f: fn(char, &mut String)) -> Value {
    let text = r.text();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        f(c, &mut out);
    }
    r.same_kind(out)
}

fn uppercase(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(map_text(&Recv::of(&v)?, upper_char))
}

fn lowercase(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(map_text(&Recv::of(&v)?, lower_char))
}

fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || is_titlecase(c)
}

fn is_titlecase(c: char) -> bool {
    matches!(c as u32,
        0x01C5 | 0x01C8 | 0x01CB | 0x01F2 | 0x1F88..=0x1F8F | 0x1F98..=0x1F9F
        | 0x1FA8..=0x1FAF | 0x1FBC | 0x1FCC | 0x1FFC)
}

/// Characters that may sit inside a word between letters (Unicode word
/// break classes MidLetter, MidNumLet and Single_Quote).
fn is_mid(c: char) -> bool {
    matches!(
        c,
        '\'' | '.'
            | ':'
            | '\u{00B7}'
            | '\u{0387}'
            | '\u{055F}'
            | '\u{05F4}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{2024}'
            | '\u{2027}'
            | '\u{FE13}'
            | '\u{FE52}'
            | '\u{FE55}'
            | '\u{FF07}'
            | '\u{FF0E}'
            | '\u{FF1A}'
    )
}

fn is_combining(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200C | 0x200D
        | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F)
}

/// Letters whose word-break class is not ALetter (ideographs, kana and
/// the South-East Asian scripts), which end words like punctuation does.
fn is_non_aletter(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF | 0x1950..=0x19DF
        | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x3FFFF)
}

/// A character that ends a word: anything that is not a letter, digit,
/// connector, combining mark, format character or in-word punctuation.
fn is_break(c: char) -> bool {
    if is_non_aletter(c) {
        return true;
    }
    !(c.is_alphanumeric()
        || is_mid(c)
        || is_combining(c)
        || matches!(
            c,
            '_' | '\u{00AD}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}'
                | '\u{203F}'
                | '\u{2040}'
                | '\u{2054}'
                | '\u{FE33}'
                | '\u{FE34}'
                | '\u{FE4D}'..='\u{FE4F}'
                | '\u{FF3F}'
        ))
}

fn title_char(c: char, out: &mut String) {
    let t = match c as u32 {
        0x01C4..=0x01C6 => '\u{01C5}',
        0x01C7..=0x01C9 => '\u{01C8}',
        0x01CA..=0x01CC => '\u{01CB}',
        0x01F1..=0x01F3 => '\u{01F2}',
        _ => return upper_char(c, out),
    };
    out.push(t);
}

/// Title-cases like golang.org/x/text/cases.Title: the first cased letter
/// of each word is title-cased, later ones lower-cased.
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut mid_word = false;
    let mut prev_mid = false;
    for c in s.chars() {
        let mid = is_mid(c);
        if prev_mid && mid {
            mid_word = false;
        }
        if is_cased(c) {
            if mid_word {
                lower_char(c, &mut out);
            } else {
                title_char(c, &mut out);
                mid_word = true;
            }
        } else {
            out.push(c);
            if is_break(c) {
                mid_word = false;
            }
        }
        prev_mid = mid;
    }
    out
}

fn capitalize(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    Ok(r.same_kind(title_case(&r.text())))
}
