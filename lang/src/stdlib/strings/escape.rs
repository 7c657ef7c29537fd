//! Quoting, HTML and URL escaping, and file paths.

use super::common::{Recv, lossy, on_text};
use super::goquote;
use crate::error::{Error, Result};
use crate::stdlib::{Category, Example, Expect::*, Impl, Spec};
use crate::value::Value;
use crate::vm::Call;
use std::collections::HashMap;
use std::sync::OnceLock;

const fn method(name: &'static str, doc: &'static str, imp: crate::stdlib::MethodImpl) -> Spec {
    Spec {
        name,
        doc,
        category: Category::Strings,
        imp: Impl::Method(imp),
        ..Spec::METHOD
    }
}

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        examples: &[
            Example {
                mapping: "root.quoted = this.thing.quote()",
                cases: &[(r#"{"thing":"foo\nbar"}"#, Out(r#"{"quoted":"\"foo\\nbar\""}"#))],
            },
            Example {
                mapping: "root.literal = this.text.quote()",
                cases: &[(r#"{"text":"hello\tworld"}"#, Out(r#"{"literal":"\"hello\\tworld\""}"#))],
            },
        ],
        ..method("quote", "Quotes a string as a Go string literal, escaping control and non-printable characters.", quote)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.unquoted = this.thing.unquote()",
                cases: &[
                    (r#"{"thing":"\"foo\\nbar\""}"#, Out(r#"{"unquoted":"foo\nbar"}"#)),
                    (r#"{"thing":"foo"}"#, Fails("field `this.thing`: invalid syntax")),
                ],
            },
            Example {
                mapping: "root.text = this.literal.unquote()",
                cases: &[(r#"{"literal":"\"hello\\tworld\""}"#, Out(r#"{"text":"hello\tworld"}"#))],
            },
        ],
        ..method("unquote", "Decodes a Go string literal (double quoted, back quoted or a single quoted character).", unquote)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.escaped = this.value.escape_html()",
                cases: &[(r#"{"value":"foo & bar"}"#, Out(r#"{"escaped":"foo &amp; bar"}"#))],
            },
            Example {
                mapping: "root.safe_html = this.user_input.escape_html()",
                cases: &[(
                    r#"{"user_input":"<script>alert('xss')</script>"}"#,
                    Out(r#"{"safe_html":"&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"}"#),
                )],
            },
        ],
        ..method("escape_html", "Escapes the five HTML special characters `<`, `>`, `&`, `'` and `\"`.", escape_html)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.unescaped = this.value.unescape_html()",
                cases: &[
                    (r#"{"value":"foo &amp; bar"}"#, Out(r#"{"unescaped":"foo & bar"}"#)),
                    (r#"{"value":"&aacute;&#225;&#xE1;&ampx&notit;&NotEqualTilde;&bogus;"}"#, Out(r#"{"unescaped":"ááá&x¬it;≂̸&bogus;"}"#)),
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
        ..method("unescape_html", "Decodes HTML character references, named and numeric.", unescape_html)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.escaped = this.value.escape_url_query()",
                cases: &[(r#"{"value":"foo & bar"}"#, Out(r#"{"escaped":"foo+%26+bar"}"#))],
            },
            Example {
                mapping: r#"root.url = "https://example.com?search=" + this.query.escape_url_query()"#,
                cases: &[(
                    r#"{"query":"hello world!"}"#,
                    Out(r#"{"url":"https://example.com?search=hello+world%21"}"#),
                )],
            },
        ],
        ..method("escape_url_query", "Escapes a string for a URL query component (spaces become `+`).", escape_url_query)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.unescaped = this.value.unescape_url_query()",
                cases: &[
                    (r#"{"value":"foo+%26+bar"}"#, Out(r#"{"unescaped":"foo & bar"}"#)),
                    (r#"{"value":"100%zz"}"#, Fails(r#"invalid URL escape "%zz""#)),
                ],
            },
            Example {
                mapping: "root.search = this.param.unescape_url_query()",
                cases: &[(r#"{"param":"hello+world%21"}"#, Out(r#"{"search":"hello world!"}"#))],
            },
        ],
        ..method("unescape_url_query", "Decodes a URL query component (`+` becomes a space).", unescape_url_query)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.escaped = this.value.escape_url_path()",
                cases: &[(r#"{"value":"foo & bar"}"#, Out(r#"{"escaped":"foo%20&%20bar"}"#))],
            },
            Example {
                mapping: r#"root.url = "https://example.com/docs/" + this.path.escape_url_path()"#,
                cases: &[(
                    r#"{"path":"my document.pdf"}"#,
                    Out(r#"{"url":"https://example.com/docs/my%20document.pdf"}"#),
                )],
            },
        ],
        ..method("escape_url_path", "Escapes a string for use as a URL path segment (spaces become `%20`).", escape_url_path)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.unescaped = this.value.unescape_url_path()",
                cases: &[(r#"{"value":"foo%20&%20bar"}"#, Out(r#"{"unescaped":"foo & bar"}"#))],
            },
            Example {
                mapping: "root.filename = this.path.unescape_url_path()",
                cases: &[(r#"{"path":"my%20document.pdf"}"#, Out(r#"{"filename":"my document.pdf"}"#))],
            },
        ],
        ..method("unescape_url_path", "Decodes a URL path segment (`+` stays as is).", unescape_url_path)
    },
    Spec {
        examples: &[Example {
            mapping: "root.path = this.path_elements.filepath_join()",
            cases: &[
                (r#"{"path_elements":["/foo/","bar.txt"]}"#, Out(r#"{"path":"/foo/bar.txt"}"#)),
                (r#"{"path_elements":["a","../b/./c",""]}"#, Out(r#"{"path":"b/c"}"#)),
                (r#"{"path_elements":["a",1]}"#, Fails("path element 1: expected string value, got number (1)")),
            ],
        }],
        ..method("filepath_join", "Joins an array of path elements into one cleaned file path.", filepath_join)
    },
    Spec {
        examples: &[Example {
            mapping: "root.path_sep = this.path.filepath_split()",
            cases: &[
                (r#"{"path":"/foo/bar.txt"}"#, Out(r#"{"path_sep":["/foo/","bar.txt"]}"#)),
                (r#"{"path":"baz.txt"}"#, Out(r#"{"path_sep":["","baz.txt"]}"#)),
            ],
        }],
        ..method("filepath_split", "Splits a file path after its last separator into `[dir, file]`.", filepath_split)
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
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
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
                x = x.wrapping_mul(if hex { 16 } else { 10 }).wrapping_add(d as i32);
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

#[derive(Clone, Copy, PartialEq)]
enum UrlMode {
    Query,
    PathSegment,
}

fn should_escape(c: u8, mode: UrlMode) -> bool {
    if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
        return false;
    }
    match c {
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            UrlMode::PathSegment => matches!(c, b'/' | b';' | b',' | b'?'),
            UrlMode::Query => true,
        },
        _ => true,
    }
}

/// Go's `url.QueryEscape` / `url.PathEscape`.
fn url_escape(s: &[u8], mode: UrlMode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s {
        if c == b' ' && mode == UrlMode::Query {
            out.push('+');
        } else if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(c as char);
        }
    }
    out
}

/// Go's `url.QueryUnescape` / `url.PathUnescape`.
fn url_unescape(s: &str, mode: UrlMode) -> Result<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let h = b.get(i + 1..i + 3).and_then(|h| {
                    let hex = std::str::from_utf8(h).ok()?;
                    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                        return None;
                    }
                    u8::from_str_radix(hex, 16).ok()
                });
                let Some(h) = h else {
                    let end = (i + 3).min(b.len());
                    let bad = String::from_utf8_lossy(&b[i..end]);
                    return Err(Error::msg(format!(
                        "invalid URL escape {}",
                        goquote::quote_bytes(bad.as_bytes(), false)
                    )));
                };
                out.push(h);
                i += 3;
            }
            b'+' if mode == UrlMode::Query => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(lossy(out))
}

fn escape_url_query(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |s| Ok(Value::from(url_escape(s.as_bytes(), UrlMode::Query))))
}

fn unescape_url_query(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |s| Ok(Value::from(url_unescape(s, UrlMode::Query)?)))
}

fn escape_url_path(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |s| Ok(Value::from(url_escape(s.as_bytes(), UrlMode::PathSegment))))
}

fn unescape_url_path(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |s| Ok(Value::from(url_unescape(s, UrlMode::PathSegment)?)))
}

/// Go's `path/filepath.Clean` for Unix paths.
fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn filepath_join(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let Value::Array(items) = &v else {
        return Err(Error::type_mismatch("array", &v));
    };
    let mut parts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Str(s) => parts.push(s.to_string()),
            Value::Bytes(b) => parts.push(String::from_utf8_lossy(b).into_owned()),
            other => {
                return Err(Error::msg(format!(
                    "path element {i}: {}",
                    Error::type_mismatch("string", other).message()
                )));
            }
        }
    }
    let nonempty: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if nonempty.is_empty() {
        return Ok(Value::str(""));
    }
    Ok(Value::from(clean_path(&nonempty.join("/"))))
}

fn filepath_split(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    on_text(&v, |s| {
        let at = s.rfind('/').map_or(0, |i| i + 1);
        Ok(Value::array(vec![Value::str(&s[..at]), Value::str(&s[at..])]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_entities() {
        assert_eq!(clean_path("/../a//b/./c/.."), "/a/b");
        assert_eq!(clean_path("../../x"), "../../x");
        assert_eq!(clean_path("a/.."), ".");
        assert_eq!(html_unescape("&lt&gt;&#x41;&#65&#0;&#128;&"), "<>AA\u{FFFD}€&");
        assert_eq!(url_escape(b"a/b;c?d e", UrlMode::PathSegment), "a%2Fb%3Bc%3Fd%20e");
    }
}
