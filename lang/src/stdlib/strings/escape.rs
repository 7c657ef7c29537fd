//! Go string literals (`quote`, `unquote`) and HTML escaping.

use super::common::{Recv, lossy, method, on_text};
use super::goquote;
use crate::error::{Error, Result};
use crate::stdlib::{Example, Expect::*, Spec};
use crate::value::Value;
use crate::vm::Call;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        examples: &[
            Example {
                mapping: "root.quoted = this.thing.quote()",
                cases: &[(
                    r#"{"thing":"foo\nbar"}"#,
                    Out(r#"{"quoted":"\"foo\\nbar\""}"#),
                )],
            },
            Example {
                mapping: "root.literal = this.text.quote()",
                cases: &[(
                    r#"{"text":"hello\tworld"}"#,
                    Out(r#"{"literal":"\"hello\\tworld\""}"#),
                )],
            },
        ],
        ..method(
            "quote",
            "Quotes a string as a Go string literal, escaping control and non-printable characters.",
            quote,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.unquoted = this.thing.unquote()",
                cases: &[
                    (
                        r#"{"thing":"\"foo\\nbar\""}"#,
                        Out(r#"{"unquoted":"foo\nbar"}"#),
                    ),
                    (
                        r#"{"thing":"foo"}"#,
                        Fails("field `this.thing`: invalid syntax"),
                    ),
                ],
            },
            Example {
                mapping: "root.text = this.literal.unquote()",
                cases: &[(
                    r#"{"literal":"\"hello\\tworld\""}"#,
                    Out(r#"{"text":"hello\tworld"}"#),
                )],
            },
        ],
        ..method(
            "unquote",
            "Decodes a Go string literal (double quoted, back quoted or a single quoted character).",
            unquote,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.escaped = this.value.escape_html()",
                cases: &[(
                    r#"{"value":"foo & bar"}"#,
                    Out(r#"{"escaped":"foo &amp; bar"}"#),
                )],
            },
            Example {
                mapping: "root.safe_html = this.user_input.escape_html()",
                cases: &[(
                    r#"{"user_input":"<script>alert('xss')</script>"}"#,
                    Out(r#"{"safe_html":"&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"}"#),
                )],
            },
        ],
        ..method(
            "escape_html",
            "Escapes the five HTML special characters `<`, `>`, `&`, `'` and `\"`.",
            escape_html,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.unescaped = this.value.unescape_html()",
                cases: &[
                    (
                        r#"{"value":"foo &amp; bar"}"#,
                        Out(r#"{"unescaped":"foo & bar"}"#),
                    ),
                    (
                        r#"{"value":"&aacute;&#225;&#xE1;&ampx&notit;&NotEqualTilde;&bogus;"}"#,
                        Out(r#"{"unescaped":"ááá&x¬it;≂̸&bogus;"}"#),
                    ),
                ],
            },
            Example {
                mapping: "root.text = this.html.unescape_html()",
                cases: &[(
                    r#"{"html":"&lt;p&gt;Hello &amp; goodbye&lt;/p&gt;"}"#,
                    Out(r#"{"text":"<p>Hello & goodbye</p>"}"#),
                )],
            },
        ],
        ..method(
            "unescape_html",
            "Decodes HTML character references, named and numeric.",
            unescape_html,
        )
    },
];

fn quote(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    Ok(Value::from(goquote::quote_bytes(r.bytes(), false)))
}

fn unquote(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |s| match goquote::unquote(s) {
        Some(b) => Ok(Value::from(lossy(b))),
        None => Err(Error::msg("invalid syntax")),
    })
}

fn escape_html(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |s| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '\'' => out.push_str("&#39;"),
                '"' => out.push_str("&#34;"),
                c => out.push(c),
            }
        }
        Ok(Value::from(out))
    })
}

/// Named character references keyed by name without the `&` (most end
/// in `;`, a legacy few also appear without it).
fn entity_table() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        entities::ENTITIES
            .iter()
            .map(|e| (e.entity.trim_start_matches('&'), e.characters))
            .collect()
    })
}

/// The longest entity name that is recognised without a trailing `;`.
const LONGEST_WITHOUT_SEMICOLON: usize = 6;

/// Windows-1252 replacements for numeric references 0x80–0x9F.
const CP1252: [u32; 32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
];

/// Decodes one character reference at the start of `s` (which begins with
/// `&`); returns the text to emit and the bytes consumed.
fn unescape_entity(s: &str) -> (String, usize) {
    let b = s.as_bytes();
    if b.len() <= 1 {
        return ("&".into(), 1);
    }
    let mut i = 1;
    if b[i] == b'#' {
        if b.len() <= 3 {
            return ("&".into(), 1);
        }
        i += 1;
        let hex = matches!(b[i], b'x' | b'X');
        if hex {
            i += 1;
        }
        let mut x: i32 = 0;
        while i < b.len() {
            let c = b[i];
            i += 1;
            let digit = if hex {
                (c as char).to_digit(16)
            } else {
                (c as char).to_digit(10)
            };
            if let Some(d) = digit {
                x = x
                    .wrapping_mul(if hex { 16 } else { 10 })
                    .wrapping_add(d as i32);
                continue;
            }
            if c != b';' {
                i -= 1;
            }
            break;
        }
        if i <= 3 {
            return ("&".into(), 1);
        }
        let code = if (0x80..=0x9F).contains(&x) {
            CP1252[(x - 0x80) as usize]
        } else {
            x as u32
        };
        let c = if x <= 0 {
            '\u{FFFD}'
        } else {
            char::from_u32(code).unwrap_or('\u{FFFD}')
        };
        return (c.to_string(), i);
    }
    while i < b.len() {
        let c = b[i];
        i += 1;
        if c.is_ascii_alphanumeric() {
            continue;
        }
        if c != b';' {
            i -= 1;
        }
        break;
    }
    let name = &s[1..i];
    let table = entity_table();
    if !name.is_empty() {
        if let Some(chars) = table.get(name) {
            return ((*chars).to_string(), i);
        }
        let max = (name.len() - 1).min(LONGEST_WITHOUT_SEMICOLON);
        for j in (2..=max).rev() {
            if let Some(chars) = table.get(&name[..j]) {
                return ((*chars).to_string(), j + 1);
            }
        }
    }
    (s[..i].to_string(), i)
}

/// Go's `html.UnescapeString`.
fn html_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (text, used) = unescape_entity(&rest[at..]);
        out.push_str(&text);
        rest = &rest[at + used..];
    }
    out.push_str(rest);
    out
}

fn unescape_html(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |s| Ok(Value::from(html_unescape(s))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(
            html_unescape("&lt&gt;&#x41;&#65&#0;&#128;&"),
            "<>AA\u{FFFD}€&"
        );
    }

    #[test]
    fn unescape_never_panics() {
        let pieces = [
            "&", "#", "x", "X", ";", "amp", "1", "9", "é", "lt", "notin", "f", " ",
        ];
        crate::stdlib::util::fuzz_pieces(&pieces, 0x2545_F491_4F6C_DD1D, 20_000, 8, |t, _| {
            let _ = html_unescape(t);
        });
    }
}
