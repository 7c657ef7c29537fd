//! Go `strconv` quoting and unquoting (`Quote`, `QuoteToASCII`,
//! `QuoteRune`, `CanBackquote`, `Unquote`).

/// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers,
/// punctuation, symbols and the ASCII space. Controls, format characters,
/// separators other than space, private use and noncharacters are not.
pub(super) fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x7f {
        return u >= 0x20;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890 | 0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F
        | 0xD800..=0xF8FF | 0xFEFF | 0xFFF9..=0xFFFB | 0xFFFE | 0xFFFF
        | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F | 0xF0000..)
        && (u & 0xFFFE) != 0xFFFE
}

fn push_hex(out: &mut String, prefix: &str, v: u32, width: usize) {
    out.push_str(prefix);
    out.push_str(&format!("{v:0width$x}"));
}

/// Appends the escaped form of one character for a literal quoted with
/// `quote`.
fn escape_char(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if (c as u32) < 0x80 && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => push_hex(out, "\\x", c as u32, 2),
        c if (c as u32) < 0x10000 => push_hex(out, "\\u", c as u32, 4),
        c => push_hex(out, "\\U", c as u32, 8),
    }
}

/// `strconv.Quote` (or `QuoteToASCII`) of raw bytes: invalid UTF-8 bytes
/// become `\xHH`.
pub(super) fn quote_bytes(b: &[u8], ascii_only: bool) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            escape_char(&mut out, c, '"', ascii_only);
        }
        for byte in chunk.invalid() {
            push_hex(&mut out, "\\x", u32::from(*byte), 2);
        }
    }
    out.push('"');
    out
}

/// `strconv.QuoteRune` (or `QuoteRuneToASCII`).
pub(super) fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::from("'");
    escape_char(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

/// `strconv.CanBackquote`: a single-line string without control
/// characters other than tab, backquotes or a byte order mark.
pub(super) fn can_backquote(s: &str) -> bool {
    s.chars().all(|c| {
        c != '`' && c != '\u{FEFF}' && (c == '\t' || !((c as u32) < 0x20 || c as u32 == 0x7f))
    })
}

/// `strconv.Unquote`: decodes a Go double-quoted, single-quoted (one
/// character) or back-quoted literal. `None` means invalid syntax.
pub(super) fn unquote(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if bytes.len() < 2 {
        return None;
    }
    let quote = bytes[0];
    if quote != bytes[bytes.len() - 1] {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    match quote {
        b'`' => {
            if inner.contains('`') {
                return None;
            }
            Some(inner.replace('\r', "").into_bytes())
        }
        b'"' | b'\'' => unquote_escaped(inner, quote as char),
        _ => None,
    }
}

fn hex_digits(it: &mut std::str::Chars<'_>, n: usize) -> Option<u32> {
    let mut v: u32 = 0;
    for _ in 0..n {
        v = v * 16 + it.next()?.to_digit(16)?;
    }
    Some(v)
}

fn unquote_escaped(inner: &str, quote: char) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(inner.len());
    let mut it = inner.chars();
    let mut count = 0;
    while let Some(c) = it.next() {
        count += 1;
        if c == quote || c == '\n' {
            return None;
        }
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let e = it.next()?;
        let simple = match e {
            'a' => Some(7u8),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(11),
            '\\' => Some(b'\\'),
            '\'' | '"' if e == quote => Some(e as u8),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        match e {
            'x' => out.push(u8::try_from(hex_digits(&mut it, 2)?).ok()?),
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + it.next()?.to_digit(8)?;
                }
                out.push(u8::try_from(v).ok()?);
            }
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let c = char::from_u32(hex_digits(&mut it, n)?)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            _ => return None,
        }
    }
    if quote == '\'' && count != 1 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_bytes(b"a\"b\n\xff\x01", false), r#""a\"b\n\xff\x01""#);
        assert_eq!(quote_bytes("é\u{a0}".as_bytes(), false), "\"é\\u00a0\"");
        assert_eq!(quote_bytes("é".as_bytes(), true), "\"\\u00e9\"");
        assert_eq!(quote_rune('\'', false), r"'\''");
        assert_eq!(unquote(r#""a\tb""#), Some(b"a\tb".to_vec()));
        assert_eq!(unquote("`a\\n`"), Some(b"a\\n".to_vec()));
        assert_eq!(unquote("'x'"), Some(b"x".to_vec()));
        assert_eq!(unquote("'xy'"), None);
        assert_eq!(unquote(r#""a"b""#), None);
        assert_eq!(unquote(r#""\'""#), None);
        assert!(can_backquote("a\tb") && !can_backquote("a`"));
    }

    #[test]
    fn unquote_never_panics() {
        let pieces = [
            "\"", "'", "`", "\\", "x", "u", "U", "0", "7", "é", "\n", "f", "\r",
        ];
        crate::stdlib::util::fuzz_pieces(&pieces, 0x2545_F491_4F6C_DD1D, 20_000, 8, |t, seed| {
            let _ = unquote(t);
            let _ = quote_bytes(t.as_bytes(), seed & 1 == 0);
        });
    }
}
