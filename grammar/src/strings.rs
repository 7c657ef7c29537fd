//! Decoding of double quoted string literals with Go's `strconv.Unquote`
//! escape rules, which is what Bloblang uses.

/// The literal holds an escape sequence Go's `strconv.Unquote` rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadEscape;

/// Decodes `"…"` (quotes included). Returns `Err(BadEscape)` on an invalid escape.
///
/// Supported escapes: `\a \b \f \n \r \t \v \\ \"`, `\xHH`, three octal
/// digits `\OOO`, `\uHHHH` and `\UHHHHHHHH`. Byte escapes that do not form
/// valid UTF-8 are replaced with U+FFFD.
pub fn unquote(quoted: &str) -> Result<String, BadEscape> {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or(BadEscape)?;
    if !inner.contains('\\') {
        return Ok(inner.to_string());
    }
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let esc = *bytes.get(i + 1).ok_or(BadEscape)?;
        i += 2;
        let simple = match esc {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'\\' => Some(b'\\'),
            b'"' => Some(b'"'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            continue;
        }
        match esc {
            b'x' => {
                let v = hex_value(bytes.get(i..i + 2).ok_or(BadEscape)?)?;
                out.push(v as u8);
                i += 2;
            }
            b'0'..=b'7' => {
                let digits = bytes.get(i - 1..i + 2).ok_or(BadEscape)?;
                let mut v: u32 = 0;
                for d in digits {
                    if !(b'0'..=b'7').contains(d) {
                        return Err(BadEscape);
                    }
                    v = v * 8 + u32::from(d - b'0');
                }
                if v > 255 {
                    return Err(BadEscape);
                }
                out.push(v as u8);
                i += 2;
            }
            b'u' | b'U' => {
                let n = if esc == b'u' { 4 } else { 8 };
                let v = hex_value(bytes.get(i..i + n).ok_or(BadEscape)?)?;
                let c = char::from_u32(v).ok_or(BadEscape)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += n;
            }
            _ => return Err(BadEscape),
        }
    }
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn hex_value(digits: &[u8]) -> Result<u32, BadEscape> {
    let mut v: u32 = 0;
    for d in digits {
        let x = (*d as char).to_digit(16).ok_or(BadEscape)?;
        v = v * 16 + x;
    }
    Ok(v)
}

/// Encodes a string as a Go-syntax double quoted literal (`strconv.Quote`).
///
/// Printable characters are kept, everything else is escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` good enough for quoting:
/// control characters, separators other than space, and unassigned
/// private-use / surrogate ranges are not printable.
fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || (0x2028..=0x2029).contains(&u)
        || u == 0x00ad
        || (0xe000..=0xf8ff).contains(&u)
        || (0xfff9..=0xfffb).contains(&u)
        || u == 0xfeff
        || (0x200b..=0x200f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2060..=0x2064).contains(&u)
        || (0x2066..=0x206f).contains(&u)
        || u == 0x00a0
        || (0x2000..=0x200a).contains(&u)
        || u == 0x3000
        || u == 0x1680
        || u == 0x202f
        || u == 0x205f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(unquote(r#""a\tb\n""#), Ok("a\tb\n".into()));
        assert_eq!(unquote(r#""\x41\101\u00e9\U0001F600""#), Ok("AAé😀".into()));
        assert_eq!(unquote(r#""\'""#), Err(BadEscape));
        assert_eq!(unquote(r#""\q""#), Err(BadEscape));
    }

    #[test]
    fn quoting_round_trips() {
        for s in ["plain", "tab\tnew\nline", "quote\"back\\", "é😀", "\x01"] {
            assert_eq!(unquote(&quote(s)).as_deref(), Ok(s));
        }
        assert_eq!(quote("a\x01"), r#""a\x01""#);
    }
}
