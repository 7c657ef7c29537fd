//! A JSON reader that builds [`Value`]s directly, keeping the text of input
//! numbers that would not print back identically, and failing with Go's
//! `encoding/json` error texts.

use super::map::COPY_HEADROOM;
use super::scan::{short_ascii_string, string_run};
use super::shapes::Shapes;
use super::{Arc, Map, Str, Value};

mod numbers;

/// A JSON syntax error with Go's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseJsonError {
    /// Go's message (`invalid character 'x' looking for beginning of value`).
    pub message: String,
    /// Byte offset of the problem.
    pub offset: usize,
}

impl std::fmt::Display for ParseJsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// How numbers are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberMode {
    /// Integers as int64 and floats as float64, keeping the source text
    /// whenever it would not print back identically (message content and
    /// `parse_json(use_number: true)`).
    Preserve,
    /// Every number as float64 (`parse_json()`).
    Float64,
}

const MAX_DEPTH: usize = 1000;

/// Parses a whole JSON document (only whitespace may follow it).
pub fn parse_json(input: &[u8]) -> Result<Value, ParseJsonError> {
    parse_document(input, NumberMode::Preserve)
}

/// Parses a whole JSON document with the given number handling.
pub fn parse_document(input: &[u8], mode: NumberMode) -> Result<Value, ParseJsonError> {
    with_reader(input, mode, |p| {
        p.skip_ws();
        let v = p.value()?;
        p.skip_ws();
        if let Some(&c) = p.src.get(p.pos) {
            return Err(p.err(format!(
                "invalid character {} after top-level value",
                quote_char(c)
            )));
        }
        Ok(v)
    })
}

/// Parses the first JSON value of `input`, ignoring what follows it.
/// Returns the value and the number of bytes consumed.
pub fn parse_json_prefix(input: &[u8], mode: NumberMode) -> Result<(Value, usize), ParseJsonError> {
    with_reader(input, mode, |p| {
        p.skip_ws();
        let v = p.value()?;
        Ok((v, p.pos))
    })
}

/// Scratch stacks the reader collects container elements on, kept per
/// thread so parsing a document allocates only the values themselves.
#[derive(Default)]
struct Scratch {
    pairs: Vec<(Str, Value)>,
    items: Vec<Value>,
    shapes: Shapes,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

fn with_reader<T>(
    input: &[u8],
    mode: NumberMode,
    parse: impl FnOnce(&mut Reader<'_>) -> Result<T, Fail>,
) -> Result<T, ParseJsonError> {
    let scratch = SCRATCH.with(|s| s.take());
    let mut reader = Reader {
        src: input,
        pos: 0,
        mode,
        depth: 0,
        scratch,
    };
    let result = parse(&mut reader);
    let mut scratch = reader.scratch;
    scratch.pairs.clear();
    scratch.items.clear();
    SCRATCH.with(|s| s.set(scratch));
    result.map_err(|e| *e)
}

/// Errors travel boxed inside the reader so that results stay small.
type Fail = Box<ParseJsonError>;

/// Go's `quoteChar`: how a byte is shown in an error message.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".to_string(),
        b'"' => "'\"'".to_string(),
        c if c.is_ascii_graphic() || c == b' ' => format!("'{}'", c as char),
        b'\n' => r"'\n'".to_string(),
        b'\r' => r"'\r'".to_string(),
        b'\t' => r"'\t'".to_string(),
        c => format!("'\\x{c:02x}'"),
    }
}

struct Reader<'a> {
    src: &'a [u8],
    pos: usize,
    mode: NumberMode,
    depth: usize,
    scratch: Scratch,
}

impl Reader<'_> {
    #[cold]
    fn err(&self, message: String) -> Fail {
        Box::new(ParseJsonError {
            message,
            offset: self.pos,
        })
    }

    #[cold]
    fn eof(&self) -> Fail {
        self.err("unexpected end of JSON input".into())
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.src.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Value, Fail> {
        let Some(&c) = self.src.get(self.pos) else {
            return Err(self.eof());
        };
        match c {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => Ok(Value::Str(self.string()?)),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            c => Err(self.err(format!(
                "invalid character {} looking for beginning of value",
                quote_char(c)
            ))),
        }
    }

    /// A container's element: strings read in place, the rest through
    /// [`Reader::value`] (saving a call per string).
    #[inline(always)]
    fn element(&mut self) -> Result<Value, Fail> {
        if self.src.get(self.pos) == Some(&b'"') {
            return Ok(Value::Str(self.string()?));
        }
        self.value()
    }

    fn literal(&mut self, word: &[u8], v: Value) -> Result<Value, Fail> {
        for (i, &expected) in word.iter().enumerate() {
            match self.src.get(self.pos + i) {
                None => {
                    self.pos += i;
                    return Err(self.eof());
                }
                Some(&c) if c != expected => {
                    self.pos += i;
                    let name = std::str::from_utf8(word).unwrap_or("literal");
                    return Err(self.err(format!(
                        "invalid character {} in literal {name} (expecting {})",
                        quote_char(c),
                        quote_char(expected)
                    )));
                }
                Some(_) => {}
            }
        }
        self.pos += word.len();
        Ok(v)
    }

    fn enter(&mut self) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!(
                "exceeded max depth of {MAX_DEPTH} nested arrays and objects"
            )));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, Fail> {
        self.enter()?;
        self.pos += 1;
        let base = self.scratch.pairs.len();
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::object(Map::new()));
        }
        loop {
            match self.src.get(self.pos) {
                None => return Err(self.eof()),
                Some(b'"') => {}
                Some(&c) => {
                    return Err(self.err(format!(
                        "invalid character {} looking for beginning of object key string",
                        quote_char(c)
                    )));
                }
            }
            let key = self.string()?;
            if self.src.get(self.pos) == Some(&b':') && !self.space_at(self.pos + 1) {
                // Compact JSON: the value follows the colon directly.
                self.pos += 1;
            } else {
                self.colon()?;
            }
            let v = self.element()?;
            self.scratch.pairs.push((key, v));
            if self.next_element(b'}', "object key:value pair")? {
                break;
            }
        }
        self.depth -= 1;
        let scratch = &mut self.scratch;
        // The document's own object gets room for a mapping's new fields
        // (`root = this` then `root.x = …` adds to it in place).
        let spare = if self.depth == 0 { COPY_HEADROOM } else { 0 };
        let entries = scratch.shapes.take_sorted(&mut scratch.pairs, base, spare);
        Ok(Value::Object(Arc::new(Map::from_sorted(entries))))
    }

    /// True when the byte at `at` is JSON whitespace.
    #[inline(always)]
    fn space_at(&self, at: usize) -> bool {
        matches!(self.src.get(at), Some(b' ' | b'\t' | b'\n' | b'\r'))
    }

    /// Reads the `:` after an object key, with whitespace around it.
    fn colon(&mut self) -> Result<(), Fail> {
        self.skip_ws();
        match self.src.get(self.pos) {
            None => return Err(self.eof()),
            Some(b':') => self.pos += 1,
            Some(&c) => {
                return Err(self.err(format!(
                    "invalid character {} after object key",
                    quote_char(c)
                )));
            }
        }
        self.skip_ws();
        Ok(())
    }

    /// [`Reader::separator`], with compact JSON (no whitespace around the
    /// comma or before the closing bracket) decided inline.
    #[inline(always)]
    fn next_element(&mut self, close: u8, element: &str) -> Result<bool, Fail> {
        match self.src.get(self.pos) {
            Some(b',') if !self.space_at(self.pos + 1) => {
                self.pos += 1;
                Ok(false)
            }
            Some(&c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => self.separator(close, element),
        }
    }

    /// Reads what follows a container element: a comma (false) or the
    /// closing bracket (true).
    fn separator(&mut self, close: u8, element: &str) -> Result<bool, Fail> {
        self.skip_ws();
        match self.src.get(self.pos) {
            None => Err(self.eof()),
            Some(b',') => {
                self.pos += 1;
                self.skip_ws();
                Ok(false)
            }
            Some(&c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            Some(&c) => Err(self.err(format!(
                "invalid character {} after {element}",
                quote_char(c)
            ))),
        }
    }

    fn array(&mut self) -> Result<Value, Fail> {
        self.enter()?;
        self.pos += 1;
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::array(Vec::new()));
        }
        let base = self.scratch.items.len();
        loop {
            let v = self.element()?;
            self.scratch.items.push(v);
            if self.next_element(b']', "array element")? {
                break;
            }
        }
        self.depth -= 1;
        let items = self.scratch.items.split_off(base);
        Ok(Value::array(items))
    }

    /// Reads a string starting at its opening quote.
    #[inline(always)]
    fn string(&mut self) -> Result<Str, Fail> {
        let start = self.pos + 1;
        // Fastest path, kept small enough to inline: a short ASCII string
        // (most keys), found with one block test.
        if let Some(chunk) = self.src.get(start..).and_then(<[u8]>::first_chunk::<16>)
            && let Some(len) = short_ascii_string(chunk)
        {
            self.pos = start + len + 1;
            return Ok(Str::from_chunk_prefix(chunk, len));
        }
        self.long_string()
    }

    /// [`Reader::string`] for everything but short ASCII strings.
    #[inline(never)]
    fn long_string(&mut self) -> Result<Str, Fail> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: a run of plain bytes up to the closing quote.
        let (len, non_ascii) = string_run(&self.src[start..]);
        self.pos += len;
        if self.src.get(self.pos) == Some(&b'"') {
            let raw = &self.src[start..self.pos];
            self.pos += 1;
            if !non_ascii {
                return Ok(Str::new(ascii_str(raw)));
            }
            return Ok(match std::str::from_utf8(raw) {
                Ok(s) => Str::new(s),
                Err(_) => Str::from(String::from_utf8_lossy(raw).into_owned()),
            });
        }
        let mut buf: Vec<u8> = self.src[start..self.pos].to_vec();
        loop {
            match self.src.get(self.pos) {
                None => return Err(self.eof()),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut buf)?;
                }
                Some(&c) if c < 0x20 => {
                    return Err(self.err(format!(
                        "invalid character {} in string literal",
                        quote_char(c)
                    )));
                }
                Some(_) => {
                    let (len, _) = string_run(&self.src[self.pos..]);
                    buf.extend_from_slice(&self.src[self.pos..self.pos + len]);
                    self.pos += len;
                }
            }
        }
        Ok(match String::from_utf8(buf) {
            Ok(s) => Str::from(s),
            Err(e) => Str::from(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        })
    }

    fn escape(&mut self, buf: &mut Vec<u8>) -> Result<(), Fail> {
        let Some(&c) = self.src.get(self.pos) else {
            return Err(self.eof());
        };
        self.pos += 1;
        let simple = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let first = self.hex4()?;
                let ch = if (0xd800..0xdc00).contains(&first)
                    && self.src.get(self.pos) == Some(&b'\\')
                    && self.src.get(self.pos + 1) == Some(&b'u')
                {
                    let save = self.pos;
                    self.pos += 2;
                    let second = self.hex4()?;
                    if (0xdc00..0xe000).contains(&second) {
                        char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))
                    } else {
                        self.pos = save;
                        None
                    }
                } else {
                    char::from_u32(first)
                };
                let ch = ch.unwrap_or('\u{fffd}');
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                return Ok(());
            }
            other => {
                self.pos -= 1;
                return Err(self.err(format!(
                    "invalid character {} in string escape code",
                    quote_char(other)
                )));
            }
        };
        buf.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Fail> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.src.get(self.pos) else {
                return Err(self.eof());
            };
            let d = (c as char).to_digit(16).ok_or_else(|| {
                self.err(format!(
                    "invalid character {} in \\u hexadecimal character escape",
                    quote_char(c)
                ))
            })?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }
}

/// `bytes` as text, for bytes already known to be ASCII.
#[inline]
fn ascii_str(bytes: &[u8]) -> &str {
    debug_assert!(bytes.is_ascii());
    // SAFETY: callers pass only runs that `string_run` scanned and found
    // free of bytes >= 0x80; every ASCII byte sequence is valid UTF-8.
    #[allow(unsafe_code)]
    unsafe {
        std::str::from_utf8_unchecked(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        parse_json(s.as_bytes()).unwrap_err().message
    }

    #[test]
    fn values() {
        let v = parse_json(br#" {"b": [1, -2.5, true, null, "x\u00e9\n"], "a": {}} "#).unwrap();
        assert_eq!(
            format!("{v:?}"),
            r#"{"a": {}, "b": [1, -2.5, true, null, "xé\n"]}"#
        );
    }

    #[test]
    fn go_error_texts() {
        assert_eq!(
            err("hello"),
            "invalid character 'h' looking for beginning of value"
        );
        assert_eq!(err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(err("nul"), "unexpected end of JSON input");
        assert_eq!(
            err("nulx"),
            "invalid character 'x' in literal null (expecting 'l')"
        );
        assert_eq!(err("{} {}"), "invalid character '{' after top-level value");
        assert_eq!(err(""), "unexpected end of JSON input");
        assert_eq!(
            err("{'a':1}"),
            r"invalid character '\'' looking for beginning of object key string"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(5000);
        assert!(err(&deep).contains("max depth"));
    }
}
