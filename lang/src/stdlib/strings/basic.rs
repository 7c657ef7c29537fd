//! Case mapping, trimming, splitting, replacing and searching strings.

use super::common::{Recv, find_bytes, lossy};
use crate::error::{Error, Result};
use crate::stdlib::{Category, Default, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::Value;
use crate::vm::Call;

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
                mapping: "root.foo = this.foo.uppercase()",
                cases: &[(r#"{"foo":"hello world"}"#, Out(r#"{"foo":"HELLO WORLD"}"#))],
            },
            Example {
                mapping: "root.code = this.product_code.uppercase()",
                cases: &[
                    (r#"{"product_code":"abc-123"}"#, Out(r#"{"code":"ABC-123"}"#)),
                    (r#"{"product_code":5}"#, Fails("expected string value, got number from field `this.product_code` (5)")),
                ],
            },
        ],
        ..method("uppercase", "Converts every letter of a string to upper case.", uppercase)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.foo = this.foo.lowercase()",
                cases: &[(r#"{"foo":"HELLO WORLD"}"#, Out(r#"{"foo":"hello world"}"#))],
            },
            Example {
                mapping: "root.email = this.user_email.lowercase()",
                cases: &[(r#"{"user_email":"User@Example.COM"}"#, Out(r#"{"email":"user@example.com"}"#))],
            },
        ],
        ..method("lowercase", "Converts every letter of a string to lower case.", lowercase)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.title = this.title.capitalize()",
                cases: &[
                    (r#"{"title":"the foo bar"}"#, Out(r#"{"title":"The Foo Bar"}"#)),
                    (r#"{"title":"hELLO wORLD-wide o'neil"}"#, Out(r#"{"title":"Hello World-Wide O'neil"}"#)),
                ],
            },
            Example {
                mapping: "root.name = this.name.capitalize()",
                cases: &[(r#"{"name":"alice smith"}"#, Out(r#"{"name":"Alice Smith"}"#))],
            },
        ],
        ..method("capitalize", "Title-cases each word: its first letter upper case, the rest lower case.", capitalize)
    },
    Spec {
        params: &[Param::opt("cutset", Kind::Str).doc("Characters to strip; whitespace when omitted.")],
        examples: &[Example {
            mapping: "root.title = this.title.trim(\"!?\")\nroot.description = this.description.trim()",
            cases: &[(
                r#"{"description":"  something happened and its amazing! ","title":"!!!watch out!?"}"#,
                Out(r#"{"description":"something happened and its amazing!","title":"watch out"}"#),
            )],
        }],
        ..method("trim", "Strips leading and trailing whitespace, or the characters of a cutset.", trim)
    },
    Spec {
        params: &[Param::req("prefix", Kind::Str).doc("The prefix to remove.")],
        examples: &[Example {
            mapping: "root.name = this.name.trim_prefix(\"foobar_\")\nroot.description = this.description.trim_prefix(\"foobar_\")",
            cases: &[(
                r#"{"description":"unchanged","name":"foobar_blobton"}"#,
                Out(r#"{"description":"unchanged","name":"blobton"}"#),
            )],
        }],
        ..method("trim_prefix", "Removes a prefix once, when the string starts with it.", trim_prefix)
    },
    Spec {
        params: &[Param::req("suffix", Kind::Str).doc("The suffix to remove.")],
        examples: &[Example {
            mapping: "root.name = this.name.trim_suffix(\"_foobar\")\nroot.description = this.description.trim_suffix(\"_foobar\")",
            cases: &[(
                r#"{"description":"unchanged","name":"blobton_foobar"}"#,
                Out(r#"{"description":"unchanged","name":"blobton"}"#),
            )],
        }],
        ..method("trim_suffix", "Removes a suffix once, when the string ends with it.", trim_suffix)
    },
    Spec {
        params: &[
            Param::req("delimiter", Kind::Str).doc("The separator; empty splits into characters."),
            Param::with("empty_as_null", Kind::Bool, Default::Bool(false))
                .doc("Gives null instead of empty parts."),
        ],
        examples: &[
            Example {
                mapping: r#"root.new_value = this.value.split(",")"#,
                cases: &[(r#"{"value":"foo,bar,baz"}"#, Out(r#"{"new_value":["foo","bar","baz"]}"#))],
            },
            Example {
                mapping: r#"root.new_value = this.value.split(",", true)"#,
                cases: &[(r#"{"value":"foo,,qux"}"#, Out(r#"{"new_value":["foo",null,"qux"]}"#))],
            },
            Example {
                mapping: r#"root.words = this.sentence.split(" ")"#,
                cases: &[(
                    r#"{"sentence":"hello world from bloblang"}"#,
                    Out(r#"{"words":["hello","world","from","bloblang"]}"#),
                )],
            },
            Example {
                mapping: r#"root.chars = this.s.split("")"#,
                cases: &[(r#"{"s":"añb"}"#, Out(r#"{"chars":["a","ñ","b"]}"#))],
            },
        ],
        ..method("split", "Splits a string on a delimiter into an array of parts.", split)
    },
    Spec {
        params: REPLACE_PARAMS,
        examples: &[
            Example {
                mapping: r#"root.new_value = this.value.replace_all("foo","dog")"#,
                cases: &[(
                    r#"{"value":"The foo ate my homework"}"#,
                    Out(r#"{"new_value":"The dog ate my homework"}"#),
                )],
            },
            Example {
                mapping: r#"root.clean = this.text.replace_all("  ", " ")"#,
                cases: &[(r#"{"text":"hello  world  foo"}"#, Out(r#"{"clean":"hello world foo"}"#))],
            },
        ],
        ..method("replace_all", "Replaces every occurrence of a substring.", replace_all)
    },
    Spec {
        params: REPLACE_PARAMS,
        examples: &[Example {
            mapping: r#"root.new_value = this.value.replace("foo","dog")"#,
            cases: &[(r#"{"value":"foo foo"}"#, Out(r#"{"new_value":"dog dog"}"#))],
        }],
        ..method("replace", "Replaces every occurrence of a substring (same as `replace_all`).", replace_all)
    },
    Spec {
        params: MANY_PARAMS,
        examples: &[
            Example {
                mapping: "root.new_value = this.value.replace_all_many([\n  \"<b>\", \"&lt;b&gt;\",\n  \"</b>\", \"&lt;/b&gt;\",\n  \"<i>\", \"&lt;i&gt;\",\n  \"</i>\", \"&lt;/i&gt;\",\n])",
                cases: &[(
                    r#"{"value":"<i>Hello</i> <b>World</b>"}"#,
                    Out(r#"{"new_value":"&lt;i&gt;Hello&lt;/i&gt; &lt;b&gt;World&lt;/b&gt;"}"#),
                )],
            },
            Example {
                mapping: r#"root.v = this.value.replace_all_many(this.pairs)"#,
                cases: &[
                    (r#"{"value":"abc","pairs":["a","b","b","c"]}"#, Out(r#"{"v":"ccc"}"#)),
                    (
                        r#"{"value":"abc","pairs":["a","b","c"]}"#,
                        Fails("invalid arg, replacements should be in pairs and must therefore be even: [a b c]"),
                    ),
                    (
                        r#"{"value":"abc","pairs":["a",5]}"#,
                        Fails("invalid replacement value at index 1: expected string value, got number (5)"),
                    ),
                ],
            },
        ],
        ..method("replace_all_many", "Applies pairs of replacements `[old, new, old, new, …]` in order.", replace_all_many)
    },
    Spec {
        params: MANY_PARAMS,
        examples: &[Example {
            mapping: r#"root.v = this.value.replace_many(["a","1","b","2"])"#,
            cases: &[(r#"{"value":"abc"}"#, Out(r#"{"v":"12c"}"#))],
        }],
        ..method("replace_many", "Applies pairs of replacements in order (same as `replace_all_many`).", replace_all_many)
    },
    Spec {
        params: &[Param::req("value", Kind::Str).doc("The prefix to look for.")],
        examples: &[Example {
            mapping: "root.t1 = this.v1.has_prefix(\"foo\")\nroot.t2 = this.v2.has_prefix(\"foo\")",
            cases: &[(r#"{"v1":"foobar","v2":"barfoo"}"#, Out(r#"{"t1":true,"t2":false}"#))],
        }],
        ..method("has_prefix", "Tells whether a string starts with a prefix.", has_prefix)
    },
    Spec {
        params: &[Param::req("value", Kind::Str).doc("The suffix to look for.")],
        examples: &[Example {
            mapping: "root.t1 = this.v1.has_suffix(\"foo\")\nroot.t2 = this.v2.has_suffix(\"foo\")",
            cases: &[(r#"{"v1":"foobar","v2":"barfoo"}"#, Out(r#"{"t1":false,"t2":true}"#))],
        }],
        ..method("has_suffix", "Tells whether a string ends with a suffix.", has_suffix)
    },
    Spec {
        params: &[Param::req("value", Kind::Str).doc("The substring to find.")],
        examples: &[
            Example {
                mapping: r#"root.index = this.thing.index_of("bar")"#,
                cases: &[
                    (r#"{"thing":"foobar"}"#, Out(r#"{"index":3}"#)),
                    (r#"{"thing":"foo"}"#, Out(r#"{"index":-1}"#)),
                ],
            },
            Example {
                mapping: r#"root.index = content().index_of("meow")"#,
                cases: &[("the cat meowed, the dog woofed", Out(r#"{"index":8}"#))],
            },
        ],
        ..method("index_of", "The byte offset of the first occurrence of a substring, or -1.", index_of)
    },
    Spec {
        params: &[Param::req("count", Kind::Int).doc("How many copies; zero or more.")],
        examples: &[
            Example {
                mapping: "root.repeated = this.name.repeat(3)\nroot.not_repeated = this.name.repeat(0)",
                cases: &[(r#"{"name":"bob"}"#, Out(r#"{"not_repeated":"","repeated":"bobbobbob"}"#))],
            },
            Example {
                mapping: r#"root.separator = "-".repeat(10)"#,
                cases: &[(r#"{}"#, Out(r#"{"separator":"----------"}"#))],
            },
            Example {
                mapping: r#"root.x = this.s.repeat(this.n)"#,
                cases: &[(
                    r#"{"s":"ab","n":-1}"#,
                    Fails("invalid count, must be greater than or equal to zero: -1"),
                )],
            },
        ],
        ..method("repeat", "Repeats a string a number of times.", repeat)
    },
    Spec {
        examples: &[
            Example {
                mapping: "root.reversed = this.thing.reverse()",
                cases: &[(r#"{"thing":"backwards"}"#, Out(r#"{"reversed":"sdrawkcab"}"#))],
            },
            Example {
                mapping: "root = content().reverse()",
                cases: &[(r#"{"thing":"backwards"}"#, Out(r#"}"sdrawkcab":"gniht"{"#))],
            },
        ],
        ..method("reverse", "Reverses a string by character (bytes by byte).", reverse)
    },
];

const REPLACE_PARAMS: &[Param] = &[
    Param::req("old", Kind::Str).doc("The substring to replace."),
    Param::req("new", Kind::Str).doc("Its replacement."),
];

const MANY_PARAMS: &[Param] = &[Param::req("values", Kind::Array)
    .doc("Alternating substrings and their replacements.")];

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

/// A character that ends a word: anything that is not a letter, digit,
/// connector, combining mark or in-word punctuation.
fn is_break(c: char) -> bool {
    !(c.is_alphanumeric()
        || is_mid(c)
        || is_combining(c)
        || matches!(c, '_' | '\u{203F}' | '\u{2040}' | '\u{2054}' | '\u{FE33}' | '\u{FE34}' | '\u{FE4D}'..='\u{FE4F}' | '\u{FF3F}'))
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

/// Re-wraps a sub-slice of the receiver as the receiver's kind.
fn sub(r: &Recv<'_>, v: &Value, start: usize, end: usize) -> Value {
    if start == 0 && end == r.bytes().len() {
        return v.clone();
    }
    match r {
        Recv::Str(s) => Value::str(s.get(start..end).unwrap_or("")),
        Recv::Bytes(b) => Value::bytes(b.get(start..end).unwrap_or(&[])),
    }
}

fn trim(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let text = r.text();
    let trimmed = match call.opt_str(0) {
        None => text.trim(),
        Some(cutset) => text.trim_matches(|c| cutset.contains(c)),
    };
    if let Recv::Str(s) = r {
        // A trimmed `&str` is a sub-slice: find its offset.
        let start = trimmed.as_ptr() as usize - s.as_ptr() as usize;
        return Ok(sub(&r, &v, start, start + trimmed.len()));
    }
    Ok(r.same_kind(trimmed.to_string()))
}

fn trim_prefix(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let p = call.str(0).as_bytes();
    let b = r.bytes();
    if b.starts_with(p) && !p.is_empty() {
        return Ok(sub(&r, &v, p.len(), b.len()));
    }
    Ok(v.clone())
}

fn trim_suffix(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let p = call.str(0).as_bytes();
    let b = r.bytes();
    if b.ends_with(p) && !p.is_empty() {
        return Ok(sub(&r, &v, 0, b.len() - p.len()));
    }
    Ok(v.clone())
}

fn split(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let delim = call.str(0);
    let empty_as_null = call.bool(1);
    let wrap = |part: Value, empty: bool| {
        if empty && empty_as_null {
            Value::Null
        } else {
            part
        }
    };
    let out: Vec<Value> = match r {
        Recv::Str(s) if delim.is_empty() => s
            .chars()
            .map(|c| Value::from(c.to_string()))
            .collect(),
        Recv::Str(s) => s.split(delim).map(|p| wrap(Value::str(p), p.is_empty())).collect(),
        Recv::Bytes(b) if delim.is_empty() => {
            let text = String::from_utf8_lossy(b);
            text.chars()
                .map(|c| Value::bytes(c.to_string().as_bytes()))
                .collect()
        }
        Recv::Bytes(b) => {
            let d = delim.as_bytes();
            let mut parts = Vec::new();
            let mut rest = b;
            while let Some(i) = find_bytes(rest, d) {
                parts.push(wrap(Value::bytes(&rest[..i]), i == 0));
                rest = &rest[i + d.len()..];
            }
            parts.push(wrap(Value::bytes(rest), rest.is_empty()));
            parts
        }
    };
    Ok(Value::array(out))
}

/// Go's `strings.ReplaceAll` on bytes (an empty `old` inserts `new`
/// around every character).
fn replace_bytes(hay: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    if old.is_empty() {
        let text = String::from_utf8_lossy(hay);
        let new = String::from_utf8_lossy(new);
        return text.replace("", &new).into_bytes();
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(i) = find_bytes(rest, old) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(new);
        rest = &rest[i + old.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn replace_all(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let (old, new) = (call.str(0), call.str(1));
    Ok(match r {
        Recv::Str(s) => Value::from(s.replace(old, new)),
        Recv::Bytes(b) => Value::Bytes(replace_bytes(b, old.as_bytes(), new.as_bytes()).into()),
    })
}

fn replace_all_many(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let items = call.arg(0).as_array().unwrap_or(&[]);
    if items.len() % 2 != 0 {
        let shown: Vec<String> = items.iter().map(super::printf::go_value_text).collect();
        return Err(Error::msg(format!(
            "invalid arg, replacements should be in pairs and must therefore be even: [{}]",
            shown.join(" ")
        )));
    }
    let mut pairs = Vec::with_capacity(items.len() / 2);
    for (i, item) in items.iter().enumerate() {
        let s = match item {
            Value::Str(s) => s.as_bytes().to_vec(),
            Value::Bytes(b) => b.as_bytes().to_vec(),
            other => {
                return Err(Error::msg(format!(
                    "invalid replacement value at index {i}: {}",
                    Error::type_mismatch("string", other).message()
                )));
            }
        };
        pairs.push(s);
    }
    let r = Recv::of(&v)?;
    let mut cur = r.bytes().to_vec();
    for pair in pairs.chunks(2) {
        if let [old, new] = pair {
            cur = replace_bytes(&cur, old, new);
        }
    }
    Ok(if r.is_bytes() {
        Value::Bytes(cur.into())
    } else {
        Value::from(lossy(cur))
    })
}

fn has_prefix(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    Ok(Value::Bool(r.bytes().starts_with(call.str(0).as_bytes())))
}

fn has_suffix(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    Ok(Value::Bool(r.bytes().ends_with(call.str(0).as_bytes())))
}

fn index_of(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let r = Recv::of(&v)?;
    let found = find_bytes(r.bytes(), call.str(0).as_bytes());
    Ok(Value::Int(found.map_or(-1, |i| i as i64)))
}

/// The largest result `repeat` builds (Go would exhaust memory instead).
const MAX_REPEAT_BYTES: usize = 1 << 30;

fn repeat(call: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    let count = call.int(0);
    if count < 0 {
        return Err(Error::msg(format!(
            "invalid count, must be greater than or equal to zero: {count}"
        )));
    }
    let r = Recv::of(&v)?;
    let len = r.bytes().len();
    let total = (len as u64).checked_mul(count as u64);
    match total {
        Some(t) if t <= MAX_REPEAT_BYTES as u64 => {}
        _ => {
            return Err(Error::msg(format!(
                "invalid count, would overflow: {len}*{count}"
            )));
        }
    }
    let out = r.bytes().repeat(count as usize);
    Ok(match r {
        Recv::Bytes(_) => Value::Bytes(out.into()),
        Recv::Str(_) => Value::from(lossy(out)),
    })
}

fn reverse(_: &mut Call<'_, '_>, v: Value) -> Result<Value> {
    Ok(match Recv::of(&v)? {
        Recv::Str(s) => Value::from(s.chars().rev().collect::<String>()),
        Recv::Bytes(b) => {
            let mut out = b.to_vec();
            out.reverse();
            Value::Bytes(out.into())
        }
    })
}
