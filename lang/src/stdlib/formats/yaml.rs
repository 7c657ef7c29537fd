//! YAML reading (events from `saphyr-parser`, scalars resolved the way Go's
//! `yaml.v3` resolves them into `interface{}`) and writing in `yaml.v3`'s
//! default style: four-space indentation, naturally sorted keys.

use crate::convert::to_display_string;
use crate::value::{Map, Value, format_float_g};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

const MAX_DEPTH: usize = 1000;

/// Parses the first document of `text`; an empty stream is `null`.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut r = Reader {
        events: Parser::new_from_str(text),
        anchors: HashMap::new(),
    };
    loop {
        match r.next()? {
            None | Some((Event::StreamEnd, _)) => return Ok(Value::Null),
            Some((Event::DocumentStart(_), _)) => break,
            Some(_) => {}
        }
    }
    match r.next()? {
        Some((Event::DocumentEnd, _)) | None => Ok(Value::Null),
        Some((ev, span)) => r.node(ev, span, 0),
    }
}

struct Reader<'a> {
    events: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Value>,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, String> {
        match self.events.next() {
            None => Ok(None),
            Some(Ok(ev)) => Ok(Some(ev)),
            Some(Err(e)) => Err(format!("yaml: line {}: {}", e.marker().line(), e.info())),
        }
    }

    fn expect_next(&mut self) -> Result<(Event<'a>, Span), String> {
        self.next()?
            .ok_or_else(|| "yaml: unexpected end of stream".to_string())
    }

    fn node(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("yaml: exceeded max depth".into());
        }
        let (value, anchor) = match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let forced_str = tag
                    .as_ref()
                    .is_some_and(|t| t.suffix == "str" || t.suffix == "tag:yaml.org,2002:str");
                let v = if style != ScalarStyle::Plain || forced_str {
                    Value::from(text.into_owned())
                } else {
                    resolve_plain(&text)
                };
                (v, anchor)
            }
            Event::Alias(id) => {
                return self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| format!("yaml: line {}: unknown anchor", span.start.line()));
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (ev, sp) = self.expect_next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev, sp, depth + 1)?);
                }
                (Value::array(items), anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut map = Map::new();
                let mut merges = Vec::new();
                loop {
                    let (ev, sp) = self.expect_next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let line = sp.start.line();
                    let is_merge =
                        matches!(&ev, Event::Scalar(t, ScalarStyle::Plain, _, None) if t == "<<");
                    let key = self.node(ev, sp, depth + 1)?;
                    let (vev, vsp) = self.expect_next()?;
                    let val = self.node(vev, vsp, depth + 1)?;
                    if is_merge {
                        merges.push(val);
                        continue;
                    }
                    let key = key_text(&key);
                    if map.contains_key(&key) {
                        return Err(format!(
                            "yaml: unmarshal errors:\n  line {line}: mapping key {} already defined",
                            tarn_syntax::strings::quote(&key)
                        ));
                    }
                    map.insert(key, val);
                }
                for m in merges {
                    let sources: Vec<Value> = match m {
                        Value::Array(a) => a.iter().cloned().collect(),
                        other => vec![other],
                    };
                    for src in sources {
                        if let Value::Object(o) = src {
                            for (k, v) in o.iter() {
                                if !map.contains_key(k) {
                                    map.insert(k.clone(), v.clone());
                                }
                            }
                        }
                    }
                }
                (Value::object(map), anchor)
            }
            other => return Err(format!("yaml: unexpected event {other:?}")),
        };
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        Ok(value)
    }
}

fn key_text(k: &Value) -> String {
    match k {
        Value::Str(s) => s.to_string(),
        other => to_display_string(other),
    }
}

/// `yaml.v3`'s resolution of an untagged plain scalar.
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Value::from(s);
    }
    let plain = s.replace('_', "");
    if let Some(i) = go_parse_int(&plain) {
        return Value::Int(i);
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Value::UInt(u);
    }
    if is_yaml_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::from(s)
}

/// Go's `strconv.ParseUint(s, 0, 64)` for an unsigned body.
fn go_parse_uint(s: &str) -> Option<u64> {
    let (digits, radix) = if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (r, 16)
    } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (r, 8)
    } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (r, 2)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(body)?;
    if neg {
        if u <= 1u64 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

// ---------------------------------------------------------------------------
// Writing

/// Serialises `v` as a YAML document.
pub fn format(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(o) if !o.is_empty() => write_map(&mut out, o, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Object(o) => !o.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

/// Writes the map's entries at `indent`; the first line's indentation is
/// assumed to be written already by the caller when `indent` is reached
/// through a sequence dash.
fn write_map(out: &mut String, o: &Map, indent: usize) {
    let mut entries: Vec<_> = o.iter().collect();
    entries.sort_by(|a, b| natural_cmp(a.0, b.0));
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 || !out.ends_with(' ') {
            pad(out, indent);
        }
        out.push_str(&string_scalar(k, true, indent));
        out.push(':');
        write_value_after_key(out, v, indent);
    }
}

fn write_value_after_key(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(o) if !o.is_empty() => {
            out.push('\n');
            write_map(out, o, indent + 4);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, indent + 4);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, indent + 4));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], indent: usize) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 || !out.ends_with(' ') {
            pad(out, indent);
        }
        if is_block(v) {
            out.push_str("-   ");
            match v {
                Value::Object(o) => write_map(out, o, indent + 4),
                Value::Array(items) => write_seq(out, items, indent + 4),
                _ => {}
            }
        } else {
            out.push_str("- ");
            out.push_str(&scalar(v, indent + 4));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Null | Value::Delete | Value::Nothing => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => yaml_float(*f),
        Value::Str(s) => string_scalar(s, false, indent),
        Value::Bytes(b) => string_scalar(&String::from_utf8_lossy(b.as_bytes()), false, indent),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::Timestamp(t) => t.rfc3339_nano(),
        other => to_display_string(other),
    }
}

fn yaml_float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f == f64::INFINITY {
        ".inf".into()
    } else if f == f64::NEG_INFINITY {
        "-.inf".into()
    } else {
        format_float_g(f)
    }
}

fn string_scalar(s: &str, is_key: bool, indent: usize) -> String {
    if s.contains('\n') && !is_key {
        return literal_block(s, indent);
    }
    let resolves_other = !s.is_empty() && !matches!(resolve_plain(s), Value::Str(_));
    if s.is_empty() || resolves_other || is_old_bool(s) || is_base60_float(s) {
        return double_quoted(s);
    }
    if plain_allowed(s) {
        s.to_string()
    } else if s.chars().all(|c| !c.is_control()) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

/// YAML 1.1 sexagesimal numbers (`10:30`), which `yaml.v3` quotes.
fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int_part, frac) = match body.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (body, None),
    };
    if frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit() || b == b'_')) {
        return false;
    }
    let mut parts = int_part.split(':');
    let Some(head) = parts.next() else {
        return false;
    };
    let head_ok = head.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mut n = 0;
    for p in parts {
        n += 1;
        let ok = matches!(p.len(), 1 | 2)
            && p.bytes().all(|b| b.is_ascii_digit())
            && (p.len() == 1 || p.as_bytes()[0] <= b'5');
        if !ok {
            return false;
        }
    }
    head_ok && n > 0
}

fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn plain_allowed(s: &str) -> bool {
    let b = s.as_bytes();
    let first = b[0];
    if b" \t".contains(&first) || b.last().is_some_and(|c| b" \t".contains(c)) {
        return false;
    }
    if b"#,[]{}&*!|>'\"%@`".contains(&first) {
        return false;
    }
    if matches!(first, b'-' | b'?' | b':') && (b.len() == 1 || matches!(b[1], b' ' | b'\t')) {
        return false;
    }
    if s == "---" || s == "..." || s.starts_with("--- ") || s.starts_with("... ") {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    s.chars().all(|c| !c.is_control() && c != '\u{feff}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn literal_block(s: &str, indent: usize) -> String {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let lead = if s.starts_with(' ') { "4" } else { "" };
    let mut out = format!("|{lead}{chomp}");
    let body = if trailing > 0 { &s[..s.len() - 1] } else { s };
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(line);
        }
    }
    out
}

/// `yaml.v3`'s key order: numbers inside keys compare numerically and
/// letters sort before other characters.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let less = |x: bool| if x { Ordering::Less } else { Ordering::Greater };
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            digits = ar[i].is_numeric();
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return less(if digits { al } else { bl });
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_numeric() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let (an, ai) = digit_run(&ar, i, an);
        let (bn, bi) = digit_run(&br, i, bn);
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// Accumulates the ASCII digits of `s` from `start` onto `n` (wrapping):
/// the number and the index after the digits.
fn digit_run(s: &[char], start: usize, mut n: i64) -> (i64, usize) {
    let mut k = start;
    while k < s.len() && s[k].is_ascii_digit() {
        n = n
            .wrapping_mul(10)
            .wrapping_add(i64::from(s[k] as u8 - b'0'));
        k += 1;
    }
    (n, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_is_natural() {
        let mut keys = vec!["a10", "a2", "b", "A", "1"];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(keys, vec!["1", "A", "a2", "a10", "b"]);
    }

    #[test]
    fn nested_output() {
        let v = parse("x:\n  - a: 1\n    b: [1, 2]\n  - []\ny: ''").unwrap();
        assert_eq!(
            format(&v),
            "x:\n    -   a: 1\n        b:\n            - 1\n            - 2\n    - []\n\"y\": \"\"\n"
        );
    }

    #[test]
    fn anchors_and_merges() {
        let v = parse("base: &b {x: 1}\nd:\n  <<: *b\n  z: 2").unwrap();
        assert_eq!(format(&v), "base:\n    x: 1\nd:\n    x: 1\n    z: 2\n");
    }
}
