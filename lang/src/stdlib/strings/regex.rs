//! Regular expression methods (RE2 syntax, Go semantics).

use super::common::{Recv, lossy};
use crate::error::Result;
use crate::stdlib::{Category, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::{Map, Value};
use crate::vm::Call;
use std::borrow::Cow;
use std::sync::Arc;

const PATTERN: Param = Param::req("pattern", Kind::Str).doc("A regular expression (RE2 syntax).");

const fn method(name: &'static str, doc: &'static str, imp: crate::stdlib::MethodImpl) -> Spec {
    Spec {
        name,
        doc,
        params: &[PATTERN],
        category: Category::Regex,
        imp: Impl::Method(imp),
        compile: Some(check_pattern),
        ..Spec::METHOD
    }
}

const REPLACE_PARAMS: &[Param] = &[
    PATTERN,
    Param::req("value", Kind::Str).doc("The replacement; `$1` and `${name}` expand to groups."),
];

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        examples: &[
            Example {
                mapping: r#"root.matches = this.value.re_match("[0-9]")"#,
                cases: &[
                    (
                        r#"{"value":"there are 10 puppies"}"#,
                        Out(r#"{"matches":true}"#),
                    ),
                    (
                        r#"{"value":"there are ten puppies"}"#,
                        Out(r#"{"matches":false}"#),
                    ),
                ],
            },
            Example {
                mapping: r#"root.m = this.value.re_match("^\\d$")"#,
                cases: &[(r#"{"value":"٣"}"#, Out(r#"{"m":false}"#))],
            },
        ],
        ..method(
            "re_match",
            "Tells whether a regular expression matches anywhere in a string.",
            re_match,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.matches = this.value.re_find_all("a.")"#,
                cases: &[(
                    r#"{"value":"paranormal"}"#,
                    Out(r#"{"matches":["ar","an","al"]}"#),
                )],
            },
            Example {
                mapping: r#"root.numbers = this.text.re_find_all("[0-9]+")"#,
                cases: &[(
                    r#"{"text":"I have 2 apples and 15 oranges"}"#,
                    Out(r#"{"numbers":["2","15"]}"#),
                )],
            },
        ],
        ..method(
            "re_find_all",
            "All successive matches of a regular expression.",
            re_find_all,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.matches = this.value.re_find_all_submatch("a(x*)b")"#,
                cases: &[(
                    r#"{"value":"-axxb-ab-"}"#,
                    Out(r#"{"matches":[["axxb","xx"],["ab",""]]}"#),
                )],
            },
            Example {
                mapping: r#"root.emails = this.text.re_find_all_submatch("(\\w+)@(\\w+\\.\\w+)")"#,
                cases: &[(
                    r#"{"text":"Contact: alice@example.com or bob@test.org"}"#,
                    Out(
                        r#"{"emails":[["alice@example.com","alice","example.com"],["bob@test.org","bob","test.org"]]}"#,
                    ),
                )],
            },
        ],
        ..method(
            "re_find_all_submatch",
            "Every match with its groups, as arrays `[match, group1, …]`.",
            re_find_all_submatch,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.matches = this.value.re_find_object("a(?P<foo>x*)b")"#,
                cases: &[
                    (
                        r#"{"value":"-axxb-ab-"}"#,
                        Out(r#"{"matches":{"0":"axxb","foo":"xx"}}"#),
                    ),
                    (r#"{"value":"none"}"#, Out(r#"{"matches":{}}"#)),
                ],
            },
            Example {
                mapping: r#"root.matches = this.value.re_find_object("(?P<key>\\w+):\\s+(?P<value>\\w+)")"#,
                cases: &[(
                    r#"{"value":"option1: value1"}"#,
                    Out(r#"{"matches":{"0":"option1: value1","key":"option1","value":"value1"}}"#),
                )],
            },
        ],
        ..method(
            "re_find_object",
            "The first match as an object keyed by group name (or index; `0` is the whole match).",
            re_find_object,
        )
    },
    Spec {
        examples: &[
            Example {
                mapping: r#"root.matches = this.value.re_find_all_object("a(?P<foo>x*)b")"#,
                cases: &[(
                    r#"{"value":"-axxb-ab-"}"#,
                    Out(r#"{"matches":[{"0":"axxb","foo":"xx"},{"0":"ab","foo":""}]}"#),
                )],
            },
            Example {
                mapping: r#"root.matches = this.value.re_find_all_object("(?m)(?P<key>\\w+):\\s+(?P<value>\\w+)$")"#,
                cases: &[(
                    r#"{"value":"option1: value1\noption2: value2\noption3: value3"}"#,
                    Out(
                        r#"{"matches":[{"0":"option1: value1","key":"option1","value":"value1"},{"0":"option2: value2","key":"option2","value":"value2"},{"0":"option3: value3","key":"option3","value":"value3"}]}"#,
                    ),
                )],
            },
        ],
        ..method(
            "re_find_all_object",
            "Every match as an object keyed by group name (or index).",
            re_find_all_object,
        )
    },
    Spec {
        params: REPLACE_PARAMS,
        examples: &[
            Example {
                mapping: r#"root.new_value = this.value.re_replace_all("ADD ([0-9]+)","+($1)")"#,
                cases: &[(
                    r#"{"value":"foo ADD 70"}"#,
                    Out(r#"{"new_value":"foo +(70)"}"#),
                )],
            },
            Example {
                mapping: r#"root.masked = this.email.re_replace_all("(\\w{2})\\w+@", "$1***@")"#,
                cases: &[(
                    r#"{"email":"alice@example.com"}"#,
                    Out(r#"{"masked":"al***@example.com"}"#),
                )],
            },
            Example {
                mapping: r#"root.v = this.v.re_replace_all("(?P<x>a)(b)", "[$1x|${x}|$2|$$]")"#,
                cases: &[(r#"{"v":"abc"}"#, Out(r#"{"v":"[|a|b|$]c"}"#))],
            },
        ],
        ..method(
            "re_replace_all",
            "Replaces every match of a regular expression; `$1`/`${name}` expand to groups.",
            re_replace_all,
        )
    },
    Spec {
        params: REPLACE_PARAMS,
        examples: &[Example {
            mapping: r#"root.v = this.v.re_replace("[aeiou]", "*")"#,
            cases: &[(r#"{"v":"banana"}"#, Out(r#"{"v":"b*n*n*"}"#))],
        }],
        ..method(
            "re_replace",
            "Replaces every match of a regular expression (same as `re_replace_all`).",
            re_replace_all,
        )
    },
];

/// Rewrites the Perl classes `\d \w \s \b \B` (and negations) to their
/// ASCII meaning, as in Go's RE2; the regex crate reads them as Unicode.
fn go_pattern(p: &str) -> Cow<'_, str> {
    if !p.contains('\\') {
        return Cow::Borrowed(p);
    }
    let mut out = String::with_capacity(p.len() + 16);
    let mut it = p.chars();
    let mut literal = false;
    while let Some(c) = it.next() {
        if literal {
            if c == '\\' && it.clone().next() == Some('E') {
                it.next();
                literal = false;
            } else {
                out.push_str(&regex::escape(c.encode_utf8(&mut [0u8; 4])));
            }
            continue;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = it.next() else {
            out.push(c);
            break;
        };
        match e {
            'd' => out.push_str("[0-9]"),
            'D' => out.push_str("[^0-9]"),
            'w' => out.push_str("[0-9A-Za-z_]"),
            'W' => out.push_str("[^0-9A-Za-z_]"),
            's' => out.push_str("[\\t\\n\\f\\r ]"),
            'S' => out.push_str("[^\\t\\n\\f\\r ]"),
            'b' => out.push_str("(?-u:\\b)"),
            'B' => out.push_str("(?-u:\\B)"),
            'Q' => literal = true,
            // Rust reads these as word boundaries; in Go they are literals.
            '<' => out.push_str("\\x3C"),
            '>' => out.push_str("\\x3E"),
            // Octal escapes (`\0`, `\12`, `\123`); a lone `\1`-`\7` stays
            // a (rejected) backreference.
            '0'..='7'
                if e == '0' || it.clone().next().is_some_and(|d| ('0'..='7').contains(&d)) =>
            {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match it.clone().next().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            it.next();
                        }
                        None => break,
                    }
                }
                out.push_str(&format!("\\x{{{v:X}}}"));
            }
            e => {
                out.push('\\');
                out.push(e);
            }
        }
    }
    Cow::Owned(out)
}

/// Rejects a literal pattern that does not compile, at compile time.
fn check_pattern(args: &[Option<&Value>]) -> std::result::Result<Option<Value>, String> {
    if let Some(Some(Value::Str(p))) = args.first()
        && let Err(e) = regex::Regex::new(&go_pattern(p))
    {
        return Err(regex_error_text(&go_pattern(p), &e));
    }
    Ok(None)
}

/// The span the regex crate's caret line marks, in characters of the
/// pattern, when the error has the usual one-line layout.
fn caret_span(lines: &[&str]) -> Option<(usize, usize)> {
    if lines.len() != 4 {
        return None;
    }
    let carets = lines[2].strip_prefix("    ")?;
    let start = carets.find('^')?;
    let len = carets[start..]
        .find(|c| c != '^')
        .unwrap_or(carets.len() - start);
    Some((start, start + len))
}

/// A compile error in the words of Go's `regexp/syntax`:
/// ``error parsing regexp: missing closing ): `(abc` ``.
fn regex_error_text(pattern: &str, e: &regex::Error) -> String {
    let regex::Error::Syntax(s) = e else {
        return e.to_string();
    };
    let lines: Vec<&str> = s.lines().collect();
    let msg = lines.last().map_or("", |l| l.trim_start_matches("error: "));
    let chars: Vec<char> = pattern.chars().collect();
    let (start, end) = caret_span(&lines).unwrap_or((0, 0));
    let (start, end) = (start.min(chars.len()), end.min(chars.len()));
    let text = |a: usize, b: usize| chars[a..b.max(a)].iter().collect::<String>();
    // Start of the group syntax `(?` that holds the marked position.
    let group_start = || {
        (0..=start)
            .rev()
            .find(|&i| chars.get(i) == Some(&'(') && chars.get(i + 1) == Some(&'?'))
            .unwrap_or(start)
    };
    let (code, expr) = match msg {
        "unclosed group" => ("missing closing )", pattern.to_string()),
        "unopened group" => ("unexpected )", pattern.to_string()),
        "unclosed character class" => ("missing closing ]", text(start, chars.len())),
        m if m.starts_with("incomplete escape sequence") => {
            ("trailing backslash at end of expression", String::new())
        }
        "unrecognized escape sequence" | "backreferences are not supported" => {
            ("invalid escape sequence", text(start, end))
        }
        "repetition operator missing expression" => {
            ("missing argument to repetition operator", text(start, end))
        }
        m if m.starts_with("invalid character class range") => {
            ("invalid character class range", text(start, end))
        }
        m if m.starts_with("invalid repetition count") || m.contains("decimal") => {
            ("invalid repeat count", text(start, end))
        }
        m if m.starts_with("look-around") => {
            ("invalid or unsupported Perl syntax", text(start, end))
        }
        m if m.contains("flag") => (
            "invalid or unsupported Perl syntax",
            text(group_start(), end),
        ),
        m if m.contains("capture group") => ("invalid named capture", text(group_start(), end)),
        other => return format!("error parsing regexp: {other}"),
    };
    format!("error parsing regexp: {code}: `{expr}`")
}

fn compiled(call: &mut Call<'_, '_>) -> Result<Arc<regex::Regex>> {
    let pattern = go_pattern(call.str(0)).into_owned();
    call.regex(&pattern)
        .map_err(|e| match regex::Regex::new(&pattern) {
            Err(re) => crate::error::Error::msg(regex_error_text(&pattern, &re)),
            Ok(_) => e,
        })
}

/// Runs `f` on the compiled pattern, the receiver's text and whether the
/// receiver is bytes.
fn with_regex(
    call: &mut Call<'_, '_>,
    v: &Value,
    f: impl FnOnce(&regex::Regex, &str, bool) -> Value,
) -> Result<Value> {
    let r = Recv::of(v)?;
    let re = compiled(call)?;
    Ok(f(&re, &r.text(), r.is_bytes()))
}

fn re_match(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    with_regex(call, &v, |re, text, _| Value::Bool(re.is_match(text)))
}

fn re_find_all(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    with_regex(call, &v, |re, text, _| {
        Value::array(re.find_iter(text).map(|m| Value::str(m.as_str())).collect())
    })
}

fn re_find_all_submatch(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    with_regex(call, &v, |re, text, _| {
        Value::array(
            re.captures_iter(text)
                .map(|caps| {
                    Value::array(
                        caps.iter()
                            .map(|g| Value::str(g.map_or("", |m| m.as_str())))
                            .collect(),
                    )
                })
                .collect(),
        )
    })
}

/// One match as an object: group names (or indexes) to their texts.
fn group_object(re: &regex::Regex, caps: &regex::Captures<'_>, bytes: bool) -> Value {
    let mut map = Map::new();
    for (i, name) in re.capture_names().enumerate() {
        let key = name.map_or_else(|| i.to_string(), str::to_string);
        let text = caps.get(i).map_or("", |m| m.as_str());
        let value = if bytes {
            Value::bytes(text.as_bytes())
        } else {
            Value::str(text)
        };
        map.insert(crate::value::Str::from(key), value);
    }
    Value::object(map)
}

fn re_find_object(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    with_regex(call, &v, |re, text, bytes| match re.captures(text) {
        Some(caps) => group_object(re, &caps, bytes),
        None => Value::empty_object(),
    })
}

fn re_find_all_object(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    with_regex(call, &v, |re, text, bytes| {
        Value::array(
            re.captures_iter(text)
                .map(|caps| group_object(re, &caps, bytes))
                .collect(),
        )
    })
}

fn re_replace_all(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let re = compiled(call)?;
    let with = call.str(1);
    let text = r.text();
    let out = re.replace_all(&text, with);
    Ok(Value::from(lossy(out.into_owned().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_classes() {
        assert_eq!(go_pattern(r"\d+\.\w"), r"[0-9]+\.[0-9A-Za-z_]");
        assert_eq!(go_pattern(r"[\d-]"), r"[[0-9]-]");
        assert_eq!(go_pattern(r"\<a\>\101\0\1"), r"\x3Ca\x3E\x{41}\x{0}\1");
        assert_eq!(go_pattern(r"\Q\d.\E\d"), r"\\d\.[0-9]");
        assert!(regex::Regex::new(&go_pattern(r"[\s\S]\b")).is_ok());
        for (p, want) in [
            ("(abc", "missing closing ): `(abc`"),
            ("abc)", "unexpected ): `abc)`"),
            ("x[abc", "missing closing ]: `[abc`"),
            ("a\\qb", "invalid escape sequence: `\\q`"),
            ("*a", "missing argument to repetition operator: `*`"),
            ("[z-a]", "invalid character class range: `z-a`"),
            ("a(?z)", "invalid or unsupported Perl syntax: `(?z`"),
            ("(?P<>a)", "invalid named capture: `(?P<>`"),
            ("x\\", "trailing backslash at end of expression: ``"),
        ] {
            let e = regex::Regex::new(p).err().map(|e| regex_error_text(p, &e));
            assert_eq!(e, Some(format!("error parsing regexp: {want}")), "{p}");
        }
    }
}
