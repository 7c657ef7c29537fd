//! Go-compatible JSON output: sorted keys, Go float formatting, input
//! number text preserved, bytes as base64, timestamps as RFC3339Nano.

use super::Str;
use super::scan::{inline_is_verbatim, verbatim_run};
use super::{Narrow, Value, format_float32_json, write_float_json};
use base64::Engine;

/// How JSON is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStyle<'a> {
    /// Escape `<`, `>` and `&` as `\u003c` etc. (Bloblang's to-string
    /// conversion does; message output does not).
    pub escape_html: bool,
    /// Pretty-print with this indent per level.
    pub indent: Option<&'a str>,
}

impl JsonStyle<'static> {
    /// Compact, no HTML escaping: how a message's content is written.
    pub const MESSAGE: JsonStyle<'static> = JsonStyle {
        escape_html: false,
        indent: None,
    };
    /// Compact with HTML escaping: `.string()` and interpolation.
    pub const STRING: JsonStyle<'static> = JsonStyle {
        escape_html: true,
        indent: None,
    };
}

/// Why a value cannot be written as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonWriteError(pub String);

impl std::fmt::Display for JsonWriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Writes `v` as JSON into `out`.
pub fn write_json(
    out: &mut Vec<u8>,
    v: &Value,
    style: JsonStyle<'_>,
) -> Result<(), JsonWriteError> {
    Writer { out, style }.value(v, 0)
}

/// `v` as a JSON string.
pub fn to_json(v: &Value, style: JsonStyle<'_>) -> Result<String, JsonWriteError> {
    let mut out = Vec::new();
    write_json(&mut out, v, style)?;
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

struct Writer<'o, 's> {
    out: &'o mut Vec<u8>,
    style: JsonStyle<'s>,
}

impl Writer<'_, '_> {
    fn newline(&mut self, depth: usize) {
        if let Some(indent) = self.style.indent {
            self.out.push(b'\n');
            for _ in 0..depth {
                self.out.extend_from_slice(indent.as_bytes());
            }
        }
    }

    fn float(&mut self, f: f64) -> Result<(), JsonWriteError> {
        if !f.is_finite() {
            return Err(JsonWriteError(format!(
                "json: unsupported value: {}",
                super::format_float_g(f)
            )));
        }
        write_float_json(self.out, f);
        Ok(())
    }

    fn value(&mut self, v: &Value, depth: usize) -> Result<(), JsonWriteError> {
        if self.common_scalar(v) {
            return Ok(());
        }
        match v {
            // Written by `common_scalar` above.
            Value::Str(_) | Value::Int(_) | Value::Bool(_) => {}
            Value::Null | Value::Delete | Value::Nothing => self.out.extend_from_slice(b"null"),
            Value::UInt(u) => self
                .out
                .extend_from_slice(itoa::Buffer::new().format(*u).as_bytes()),
            Value::Float(f) => self.float(*f)?,
            Value::Narrow(Narrow::F32(f)) => {
                if !f.is_finite() {
                    return self.float(f64::from(*f));
                }
                self.out
                    .extend_from_slice(format_float32_json(*f).as_bytes());
            }
            Value::Narrow(n) => {
                let i = n.num().to_i64_lossy();
                self.out
                    .extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
            }
            Value::Number(r) => self.out.extend_from_slice(r.text.as_bytes()),
            Value::Bytes(b) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(b.as_bytes());
                write_string(self.out, &encoded, false);
            }
            Value::Timestamp(t) => {
                write_string(self.out, &t.rfc3339_nano(), self.style.escape_html)
            }
            Value::Array(items) => {
                if items.is_empty() {
                    self.out.extend_from_slice(b"[]");
                    return Ok(());
                }
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.newline(depth + 1);
                    self.element(item, depth + 1)?;
                }
                self.newline(depth);
                self.out.push(b']');
            }
            Value::Object(map) => {
                if map.is_empty() {
                    self.out.extend_from_slice(b"{}");
                    return Ok(());
                }
                self.out.push(b'{');
                for (i, (k, item)) in map.iter().enumerate() {
                    if self.style.indent.is_some() || !write_compact_key(self.out, k, i > 0) {
                        if i > 0 {
                            self.out.push(b',');
                        }
                        self.newline(depth + 1);
                        write_str(self.out, k, self.style.escape_html);
                        self.out.push(b':');
                        if self.style.indent.is_some() {
                            self.out.push(b' ');
                        }
                    }
                    self.element(item, depth + 1)?;
                }
                self.newline(depth);
                self.out.push(b'}');
            }
        }
        Ok(())
    }

    /// A container's element: the common scalars written in place, the
    /// rest through [`Writer::value`] (saving a call per scalar).
    #[inline(always)]
    fn element(&mut self, v: &Value, depth: usize) -> Result<(), JsonWriteError> {
        if self.common_scalar(v) {
            return Ok(());
        }
        self.value(v, depth)
    }

    /// Writes strings, ints and bools, the values messages hold most;
    /// false, writing nothing, for any other value.
    #[inline(always)]
    fn common_scalar(&mut self, v: &Value) -> bool {
        match v {
            Value::Str(s) => write_str(self.out, s, self.style.escape_html),
            Value::Int(i) => self
                .out
                .extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
            Value::Bool(b) => self
                .out
                .extend_from_slice(if *b { b"true" } else { b"false" }),
            _ => return false,
        }
        true
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `s` as a JSON string literal. Most keys and many values are
/// short inline strings that need no escaping: those are written with
/// one fixed-size copy.
#[inline(always)]
fn write_str(out: &mut Vec<u8>, s: &Str, escape_html: bool) {
    if let Some((len, buf)) = s.inline_parts()
        && inline_is_verbatim(buf, len, escape_html)
    {
        let mut quoted = [b'"'; 16];
        quoted[1..15].copy_from_slice(buf);
        quoted[1 + len] = b'"';
        let end = out.len() + len + 2;
        out.extend_from_slice(&quoted);
        out.truncate(end);
        return;
    }
    write_string(out, s.as_str(), escape_html);
}

/// Writes `,"key":` (the comma when `comma`) for an inline key that needs
/// no escaping (with or without HTML escaping, so the style does not
/// matter), with one fixed-size copy; false, writing nothing, for any
/// other key.
#[inline(always)]
fn write_compact_key(out: &mut Vec<u8>, key: &Str, comma: bool) -> bool {
    let Some((len, buf)) = key.inline_parts() else {
        return false;
    };
    if !inline_is_verbatim(buf, len, true) {
        return false;
    }
    let at = usize::from(comma);
    let mut text = [b','; 20];
    text[at] = b'"';
    text[at + 1..at + 15].copy_from_slice(buf);
    text[at + 1 + len] = b'"';
    text[at + 2 + len] = b':';
    let end = out.len() + at + len + 3;
    out.extend_from_slice(&text);
    out.truncate(end);
    true
}

/// Writes a JSON string literal the way Go's `encoding/json` does.
pub fn write_string(out: &mut Vec<u8>, s: &str, escape_html: bool) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    loop {
        let i = start + verbatim_run(&bytes[start..], escape_html);
        out.extend_from_slice(&bytes[start..i]);
        let Some(&b) = bytes.get(i) else { break };
        start = i + 1;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0xe2 => {
                // U+2028 and U+2029 are escaped; other characters with this
                // lead byte pass through.
                if bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9))
                {
                    out.extend_from_slice(if bytes[i + 2] == 0xa8 {
                        b"\\u2028"
                    } else {
                        b"\\u2029"
                    });
                    start = i + 3;
                } else {
                    out.push(b);
                }
            }
            _ => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    fn round(s: &str, style: JsonStyle<'_>) -> String {
        to_json(&parse_json(s.as_bytes()).unwrap(), style).unwrap()
    }

    #[test]
    fn compact_sorted_and_preserved() {
        assert_eq!(
            round(r#"{"b":1.0,"a":[1e3,2,"<&>"],"c":{}}"#, JsonStyle::MESSAGE),
            r#"{"a":[1e3,2,"<&>"],"b":1.0,"c":{}}"#
        );
        assert_eq!(
            round(r#"["<&>"]"#, JsonStyle::STRING),
            r#"["\u003c\u0026\u003e"]"#
        );
        assert_eq!(
            round(r#""\u0001\b\f\u2028""#, JsonStyle::MESSAGE),
            r#""\u0001\b\f\u2028""#
        );
    }

    #[test]
    fn indented() {
        let style = JsonStyle {
            escape_html: true,
            indent: Some("  "),
        };
        assert_eq!(
            round(r#"{"doc":{"foo":"bar"},"e":[],"l":[1,2]}"#, style),
            "{\n  \"doc\": {\n    \"foo\": \"bar\"\n  },\n  \"e\": [],\n  \"l\": [\n    1,\n    2\n  ]\n}"
        );
    }

    #[test]
    fn non_finite_floats_fail() {
        assert!(to_json(&Value::Float(f64::NAN), JsonStyle::MESSAGE).is_err());
    }
}
