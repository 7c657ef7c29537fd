//! Conversions between values and text/bytes (reference §3.9).

use crate::error::Error;
use crate::value::{
    JsonStyle, Narrow, Value, format_float_g, format_float32_g, to_json, write_json,
};

/// Bloblang's to-string conversion (`.string()`, interpolation, `+`
/// concatenation of timestamps): strings as is, bytes as UTF-8, numbers in
/// Go's `%v` form, `null`, RFC3339Nano timestamps, containers as compact
/// JSON with HTML escaping.
pub fn to_display_string(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b.as_bytes()).into_owned(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => format_float_g(*f),
        Value::Narrow(Narrow::F32(f)) => format_float32_g(*f),
        Value::Narrow(n) => n.num().to_i64_lossy().to_string(),
        Value::Number(r) => r.text.to_string(),
        Value::Timestamp(t) => t.rfc3339_nano(),
        Value::Array(_) | Value::Object(_) => to_json(v, JsonStyle::STRING).unwrap_or_else(|e| e.0),
        Value::Delete => "null".into(),
        Value::Nothing => "null".into(),
    }
}

/// The to-bytes conversion: like [`to_display_string`] but bytes stay raw.
pub fn to_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::Bytes(b) => b.as_bytes().to_vec(),
        Value::Str(s) => s.as_bytes().to_vec(),
        other => to_display_string(other).into_bytes(),
    }
}

/// Appends the to-string conversion of `v` to `out` without an
/// intermediate string where possible.
pub fn append_display(out: &mut String, v: &Value) {
    match v {
        Value::Str(s) => out.push_str(s),
        Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        other => out.push_str(&to_display_string(other)),
    }
}

/// The content a message gets when a mapping's result is `v`: strings and
/// bytes raw, everything else as compact JSON without HTML escaping.
pub fn to_message_bytes(v: &Value, out: &mut Vec<u8>) -> Result<(), Error> {
    match v {
        Value::Str(s) => out.extend_from_slice(s.as_bytes()),
        Value::Bytes(b) => out.extend_from_slice(b.as_bytes()),
        other => write_json(out, other, JsonStyle::MESSAGE).map_err(|e| Error::msg(e.0))?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    #[test]
    fn display_strings() {
        assert_eq!(to_display_string(&Value::Float(1e6)), "1e+06");
        assert_eq!(to_display_string(&Value::Float(2.0)), "2");
        let v = parse_json(br#"{"a":"<b>","n":1.0}"#).unwrap();
        assert_eq!(to_display_string(&v), r#"{"a":"\u003cb\u003e","n":1.0}"#);
        let mut out = Vec::new();
        to_message_bytes(&v, &mut out).unwrap();
        assert_eq!(out, br#"{"a":"<b>","n":1.0}"#);
    }
}
