//! `parse_csv` (Go `encoding/csv` rules and errors) and `parse_logfmt`
//! (the `go-logfmt` decoder's rules and errors).

use super::encoding::recv_bytes;
use crate::error::{Error, Result};
use crate::stdlib::{Category, Default, Example, Expect::*, Impl, Kind, Param, Spec};
use crate::value::{Map, Value};
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "parse_csv",
        params: &[
            Param::with("parse_header_row", Kind::Bool, Default::Bool(true))
                .doc("Read the first row as the keys of an object per following row."),
            Param::with("delimiter", Kind::Str, Default::Str(","))
                .doc("The single character between fields."),
            Param::with("lazy_quotes", Kind::Bool, Default::Bool(false))
                .doc("Accept quotes inside unquoted fields and lone quotes inside quoted ones."),
        ],
        category: Category::Parsing,
        doc: "Parses RFC 4180 CSV into an array of objects (with a header row) or of string arrays.",
        examples: &[
            Example {
                mapping: r#"root.orders = this.orders.parse_csv()"#,
                cases: &[
                    (
                        r#"{"orders":"foo,bar\nfoo 1,bar 1\nfoo 2,bar 2"}"#,
                        Out(
                            r#"{"orders":[{"bar":"bar 1","foo":"foo 1"},{"bar":"bar 2","foo":"foo 2"}]}"#,
                        ),
                    ),
                    (
                        r#"{"orders":"foo,bar\nfoo 1"}"#,
                        Fails("record on line 2: wrong number of fields"),
                    ),
                    (r#"{"orders":""}"#, Fails("zero records were parsed")),
                ],
            },
            Example {
                mapping: r#"root.orders = this.orders.parse_csv(false)"#,
                cases: &[(
                    r#"{"orders":"foo 1,bar 1\nfoo 2,bar 2"}"#,
                    Out(r#"{"orders":[["foo 1","bar 1"],["foo 2","bar 2"]]}"#),
                )],
            },
            Example {
                mapping: r#"root.orders = this.orders.parse_csv(delimiter:".")"#,
                cases: &[(
                    r#"{"orders":"foo.bar\nfoo 1.bar 1\nfoo 2.bar 2"}"#,
                    Out(
                        r#"{"orders":[{"bar":"bar 1","foo":"foo 1"},{"bar":"bar 2","foo":"foo 2"}]}"#,
                    ),
                )],
            },
            Example {
                mapping: r#"root.orders = this.orders.parse_csv(lazy_quotes:true)"#,
                cases: &[(
                    r#"{"orders":"foo,bar\nfoo 1,bar 1\nfoo\" \"2,bar\" \"2"}"#,
                    Out(
                        r#"{"orders":[{"bar":"bar 1","foo":"foo 1"},{"bar":"bar\" \"2","foo":"foo\" \"2"}]}"#,
                    ),
                )],
            },
            Example {
                mapping: r#"root = this.v.parse_csv(false)"#,
                cases: &[
                    (
                        r#"{"v":"\"a,\"\"b\"\"\",c\r\n"}"#,
                        Out(r#"[["a,\"b\"","c"]]"#),
                    ),
                    (
                        r#"{"v":"a,b\"c"}"#,
                        Fails(r#"parse error on line 1, column 4: bare " in non-quoted-field"#),
                    ),
                ],
            },
        ],
        imp: Impl::Method(parse_csv),
        ..Spec::METHOD
    },
    Spec {
        name: "parse_logfmt",
        category: Category::Parsing,
        doc: "Parses logfmt `key=value` pairs into an object; a bare key reads as `true`.",
        examples: &[Example {
            mapping: r#"root = this.msg.parse_logfmt()"#,
            cases: &[
                (
                    r#"{"msg":"level=info msg=\"hello world\" dur=1.5s"}"#,
                    Out(r#"{"dur":"1.5s","level":"info","msg":"hello world"}"#),
                ),
                (
                    r#"{"msg":"debug a= b=\"x\\ty\""}"#,
                    Out(r#"{"a":"","b":"x\ty","debug":true}"#),
                ),
                (
                    r#"{"msg":"a=\"open"}"#,
                    Fails("logfmt syntax error at pos 8 on line 1: unterminated quoted value"),
                ),
            ],
        }],
        imp: Impl::Method(parse_logfmt),
        ..Spec::METHOD
    },
];

// ---------------------------------------------------------------------------
// CSV

/// A record's fields and the line it started on.
type Record = (Vec<Vec<u8>>, usize);

struct CsvError {
    start_line: usize,
    line: usize,
    col: usize,
    msg: &'static str,
}

impl CsvError {
    fn text(&self) -> String {
        if self.start_line != self.line {
            format!(
                "record on line {}; parse error on line {}, column {}: {}",
                self.start_line, self.line, self.col, self.msg
            )
        } else {
            format!(
                "parse error on line {}, column {}: {}",
                self.line, self.col, self.msg
            )
        }
    }
}

struct CsvReader<'a> {
    src: &'a [u8],
    pos: usize,
    num_line: usize,
    comma: &'a [u8],
    lazy: bool,
}

impl<'a> CsvReader<'a> {
    /// Go's `readLine`: one line with `\r\n` normalised to `\n`; `None`
    /// at the end of input.
    fn read_line(&mut self) -> Option<Vec<u8>> {
        if self.pos >= self.src.len() {
            return None;
        }
        let rest = &self.src[self.pos..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let mut line = rest[..end].to_vec();
        self.pos += end;
        self.num_line += 1;
        if !line.ends_with(b"\n") && line.ends_with(b"\r") {
            line.pop();
        }
        let n = line.len();
        if n >= 2 && line[n - 2] == b'\r' && line[n - 1] == b'\n' {
            line.truncate(n - 2);
            line.push(b'\n');
        }
        Some(line)
    }

    /// The next record and the line it started on.
    fn record(&mut self) -> Option<Result<Record, CsvError>> {
        let mut line = loop {
            let l = self.read_line()?;
            if l != b"\n" {
                break l;
            }
        };
        let rec_line = self.num_line;
        let mut fields = Vec::new();
        let mut pos_line = self.num_line;
        let mut col = 1usize;
        let mut ri = 0usize;
        let nl_len = |s: &[u8]| usize::from(s.ends_with(b"\n"));
        loop {
            if line.get(ri) != Some(&b'"') {
                let rest = &line[ri..];
                let i = find(rest, self.comma);
                let field = match i {
                    Some(i) => &rest[..i],
                    None => &rest[..rest.len() - nl_len(rest)],
                };
                if !self.lazy
                    && let Some(j) = field.iter().position(|&b| b == b'"')
                {
                    return Some(Err(CsvError {
                        start_line: rec_line,
                        line: self.num_line,
                        col: col + j,
                        msg: "bare \" in non-quoted-field",
                    }));
                }
                fields.push(field.to_vec());
                match i {
                    Some(i) => {
                        ri += i + self.comma.len();
                        col += i + self.comma.len();
                        continue;
                    }
                    None => return Some(Ok((fields, rec_line))),
                }
            }
            // Quoted field.
            let mut buf = Vec::new();
            ri += 1;
            col += 1;
            loop {
                let rest = &line[ri..];
                if let Some(i) = rest.iter().position(|&b| b == b'"') {
                    buf.extend_from_slice(&rest[..i]);
                    ri += i + 1;
                    col += i + 1;
                    let rest = &line[ri..];
                    if rest.first() == Some(&b'"') {
                        buf.push(b'"');
                        ri += 1;
                        col += 1;
                    } else if rest.starts_with(self.comma) {
                        ri += self.comma.len();
                        col += self.comma.len();
                        fields.push(buf);
                        break;
                    } else if nl_len(rest) == rest.len() {
                        fields.push(buf);
                        return Some(Ok((fields, rec_line)));
                    } else if self.lazy {
                        buf.push(b'"');
                    } else {
                        return Some(Err(CsvError {
                            start_line: rec_line,
                            line: self.num_line,
                            col: col - 1,
                            msg: "extraneous or missing \" in quoted-field",
                        }));
                    }
                } else if !rest.is_empty() {
                    buf.extend_from_slice(rest);
                    col += rest.len();
                    line = match self.read_line() {
                        Some(next) => {
                            pos_line += 1;
                            col = 1;
                            next
                        }
                        None => Vec::new(),
                    };
                    ri = 0;
                } else {
                    if !self.lazy {
                        return Some(Err(CsvError {
                            start_line: rec_line,
                            line: pos_line,
                            col,
                            msg: "extraneous or missing \" in quoted-field",
                        }));
                    }
                    fields.push(buf);
                    return Some(Ok((fields, rec_line)));
                }
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

fn text_of(b: &[u8]) -> Value {
    Value::from(String::from_utf8_lossy(b).into_owned())
}

fn parse_csv(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let header = call.bool(0);
    let delim = call.str(1).to_string();
    let lazy = call.bool(2);
    let mut chars = delim.chars();
    let comma = match (chars.next(), chars.next()) {
        (Some(c), None) => c,
        _ => return Err(Error::msg("delimiter value must be exactly one character")),
    };
    if matches!(comma, '\r' | '\n' | '"' | '\u{fffd}') {
        return Err(Error::msg("csv: invalid field or comment delimiter"));
    }
    let data = recv_bytes(&recv)?;
    let mut buf = [0u8; 4];
    let comma_bytes = comma.encode_utf8(&mut buf).as_bytes().to_vec();
    // The reader works line by line; a quoted field spanning lines owns
    // its continuation lines, so the reader is given the whole input.
    let mut r = CsvReader {
        src: data,
        pos: 0,
        num_line: 0,
        comma: &comma_bytes,
        lazy,
    };
    let mut records: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut want_fields = 0usize;
    while let Some(rec) = r.record() {
        let (rec, line) = rec.map_err(|e| Error::msg(e.text()))?;
        if records.is_empty() {
            want_fields = rec.len();
        } else if rec.len() != want_fields {
            return Err(Error::msg(format!(
                "record on line {line}: wrong number of fields"
            )));
        }
        records.push(rec);
    }
    if records.is_empty() {
        return Err(Error::msg("zero records were parsed"));
    }
    if !header {
        return Ok(Value::array(
            records
                .iter()
                .map(|rec| Value::array(rec.iter().map(|f| text_of(f)).collect()))
                .collect(),
        ));
    }
    let keys: Vec<String> = records[0]
        .iter()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    if keys.is_empty() {
        return Err(Error::msg("no headers found on first row"));
    }
    let rows = records[1..]
        .iter()
        .map(|rec| {
            let mut m = Map::new();
            for (k, f) in keys.iter().zip(rec) {
                m.insert(k.as_str(), text_of(f));
            }
            Value::object(m)
        })
        .collect();
    Ok(Value::array(rows))
}

// ---------------------------------------------------------------------------
// logfmt

fn logfmt_error(pos: usize, line: usize, msg: &str) -> Error {
    Error::msg(format!(
        "logfmt syntax error at pos {} on line {line}: {msg}",
        pos + 1
    ))
}

fn unexpected(c: u8) -> String {
    format!(
        "unexpected {}",
        tarn_syntax::strings::quote(&char::from(c).to_string()).replace('"', "'")
    )
}

fn parse_logfmt(_: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let data = recv_bytes(&recv)?;
    let mut out = Map::new();
    for (li, line) in data.split(|&b| b == b'\n').enumerate() {
        let line_no = li + 1;
        let mut pos = 0;
        loop {
            while pos < line.len() && line[pos] <= b' ' {
                pos += 1;
            }
            if pos >= line.len() {
                break;
            }
            let start = pos;
            while pos < line.len() && line[pos] > b' ' && line[pos] != b'=' {
                if line[pos] == b'"' {
                    return Err(logfmt_error(pos, line_no, &unexpected(b'"')));
                }
                pos += 1;
            }
            if pos < line.len() && line[pos] == b'=' && pos == start {
                return Err(logfmt_error(pos, line_no, &unexpected(b'=')));
            }
            let key = String::from_utf8_lossy(&line[start..pos]).into_owned();
            if pos >= line.len() || line[pos] != b'=' {
                out.insert(key.as_str(), Value::Bool(true));
                continue;
            }
            pos += 1;
            if pos >= line.len() || line[pos] <= b' ' {
                out.insert(key.as_str(), Value::str(""));
                continue;
            }
            if line[pos] == b'"' {
                let qstart = pos;
                let mut esc = false;
                let mut has_esc = false;
                let mut end = None;
                for (i, &c) in line[pos + 1..].iter().enumerate() {
                    if esc {
                        esc = false;
                    } else if c == b'\\' {
                        esc = true;
                        has_esc = true;
                    } else if c == b'"' {
                        end = Some(pos + 1 + i);
                        break;
                    }
                }
                let Some(end) = end else {
                    return Err(logfmt_error(
                        line.len(),
                        line_no,
                        "unterminated quoted value",
                    ));
                };
                pos = end + 1;
                let raw = &line[qstart..pos];
                let value = if has_esc {
                    unquote_json(raw)
                        .ok_or_else(|| logfmt_error(pos, line_no, "invalid quoted value"))?
                } else {
                    String::from_utf8_lossy(&raw[1..raw.len() - 1]).into_owned()
                };
                out.insert(key.as_str(), Value::from(value));
                continue;
            }
            let vstart = pos;
            while pos < line.len() && line[pos] > b' ' {
                if line[pos] == b'=' || line[pos] == b'"' {
                    return Err(logfmt_error(pos, line_no, &unexpected(line[pos])));
                }
                pos += 1;
            }
            out.insert(
                key.as_str(),
                Value::from(String::from_utf8_lossy(&line[vstart..pos]).into_owned()),
            );
        }
    }
    Ok(Value::object(out))
}

/// Unquotes a JSON-style quoted string (as `go-logfmt` does).
fn unquote_json(raw: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(raw).ok()?;
    match crate::value::parse_json(s.as_bytes()) {
        Ok(Value::Str(v)) => Some(v.to_string()),
        _ => None,
    }
}
