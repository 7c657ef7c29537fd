//! URL escaping (`net/url`) and file paths (`path/filepath`, Unix).

use super::common::{method, on_text};
use super::goquote;
use crate::error::{Error, Result};
use crate::stdlib::percent::{self, Invalid, Mode};
use crate::stdlib::{Example, Expect::*, Spec};
use crate::value::Value;
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        examples: &[
            Example {
                mapping: "root.escaped = this.value.escape_url_query()",
                cases: &[(
                    r#"{"value":"foo & bar"}"#,
                    Out(r#"{"escaped":"foo+%26+bar"}"#),
                )],
            },
            Example {
                mapping: r#"root.url = "https://example.com?search=" + this.query.escape_url_query()"#,
                cases: &[(
                    r#"{"query":"hello world!"}"#,
                    Out(r#"{"url":"https://example.com?search=hello+world%21"}"#),
                )],
            },
        ],
        ..method(
            "escape_url_query",
            "Escapes a string for a URL query component (spaces become `+`).",
            escape_url_query,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.unescaped = this.value.unescape_url_query()",
                cases: &[
                    (
                        r#"{"value":"foo+%26+bar"}"#,
                        Out(r#"{"unescaped":"foo & bar"}"#),
                    ),
                    (
                        r#"{"value":"100%zz"}"#,
                        Fails(r#"invalid URL escape "%zz""#),
                    ),
                ],
            },
            Example {
                mapping: "root.search = this.param.unescape_url_query()",
                cases: &[(
                    r#"{"param":"hello+world%21"}"#,
                    Out(r#"{"search":"hello world!"}"#),
                )],
            },
        ],
        ..method(
            "unescape_url_query",
            "Decodes a URL query component (`+` becomes a space).",
            unescape_url_query,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.escaped = this.value.escape_url_path()",
                cases: &[(
                    r#"{"value":"foo & bar"}"#,
                    Out(r#"{"escaped":"foo%20&%20bar"}"#),
                )],
            },
            Example {
                mapping: r#"root.url = "https://example.com/docs/" + this.path.escape_url_path()"#,
                cases: &[(
                    r#"{"path":"my document.pdf"}"#,
                    Out(r#"{"url":"https://example.com/docs/my%20document.pdf"}"#),
                )],
            },
        ],
        ..method(
            "escape_url_path",
            "Escapes a string for use as a URL path segment (spaces become `%20`).",
            escape_url_path,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.unescaped = this.value.unescape_url_path()",
                cases: &[(
                    r#"{"value":"foo%20&%20bar"}"#,
                    Out(r#"{"unescaped":"foo & bar"}"#),
                )],
            },
            Example {
                mapping: "root.filename = this.path.unescape_url_path()",
                cases: &[(
                    r#"{"path":"my%20document.pdf"}"#,
                    Out(r#"{"filename":"my document.pdf"}"#),
                )],
            },
        ],
        ..method(
            "unescape_url_path",
            "Decodes a URL path segment (`+` stays as is).",
            unescape_url_path,
        )
    },
    Spec {
        examples: &[Example {
            mapping: "root.path = this.path_elements.filepath_join()",
            cases: &[
                (
                    r#"{"path_elements":["/foo/","bar.txt"]}"#,
                    Out(r#"{"path":"/foo/bar.txt"}"#),
                ),
                (
                    r#"{"path_elements":["a","../b/./c",""]}"#,
                    Out(r#"{"path":"b/c"}"#),
                ),
                (
                    r#"{"path_elements":["a",1]}"#,
                    Fails("path element 1: expected string value, got number (1)"),
                ),
            ],
        }],
        ..method(
            "filepath_join",
            "Joins an array of path elements into one cleaned file path.",
            filepath_join,
        )
    },
    Spec {
        examples: &[Example {
            mapping: "root.path_sep = this.path.filepath_split()",
            cases: &[
                (
                    r#"{"path":"/foo/bar.txt"}"#,
                    Out(r#"{"path_sep":["/foo/","bar.txt"]}"#),
                ),
                (
                    r#"{"path":"baz.txt"}"#,
                    Out(r#"{"path_sep":["","baz.txt"]}"#),
                ),
            ],
        }],
        ..method(
            "filepath_split",
            "Splits a file path after its last separator into `[dir, file]`.",
            filepath_split,
        )
    },
];

/// Go's `url.QueryUnescape` / `url.PathUnescape`.
fn url_unescape(s: &str, mode: Mode) -> Result<String> {
    percent::unescape(s, mode).map_err(|e| {
        let bad = match e {
            Invalid::Escape(bad) => bad,
            Invalid::HostChar(c) => c.to_string(),
        };
        Error::msg(format!(
            "invalid URL escape {}",
            goquote::quote_bytes(bad.as_bytes(), false)
        ))
    })
}

/// The receiver's text percent-encoded for `mode`.
fn escaped(v: &Value, mode: Mode) -> Result<Value> {
    on_text(v, |s| Ok(Value::from(percent::escape(s.as_bytes(), mode))))
}

/// The receiver's text percent-decoded for `mode`.
fn unescaped(v: &Value, mode: Mode) -> Result<Value> {
    on_text(v, |s| Ok(Value::from(url_unescape(s, mode)?)))
}

fn escape_url_query(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    escaped(&v, Mode::QueryComponent)
}

fn unescape_url_query(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    unescaped(&v, Mode::QueryComponent)
}

fn escape_url_path(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    escaped(&v, Mode::PathSegment)
}

fn unescape_url_path(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    unescaped(&v, Mode::PathSegment)
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
        Ok(Value::array(vec![
            Value::str(&s[..at]),
            Value::str(&s[at..]),
        ]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_escapes() {
        assert_eq!(clean_path("/../a//b/./c/.."), "/a/b");
        assert_eq!(clean_path("../../x"), "../../x");
        assert_eq!(clean_path("a/.."), ".");
        assert_eq!(
            percent::escape(b"a/b;c?d e", Mode::PathSegment),
            "a%2Fb%3Bc%3Fd%20e"
        );
    }
}
