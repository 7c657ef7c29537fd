//! A CSV record reader with the behaviour of Go's `encoding/csv` (which
//! Benthos uses): records end at `\n`, `\r\n` counts as `\n`, empty lines
//! are skipped, quoted fields may hold delimiters, `""` and line breaks,
//! the first record fixes the number of fields every later record must
//! have, and errors carry Go's texts and positions.
//!
//! It works on a window of buffered bytes and either reads one whole
//! record from its start or asks for more bytes, so a streaming scanner
//! and an in-memory parser share it.

use std::fmt;

/// What went wrong in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CsvErrorKind {
    /// A `"` inside an unquoted field.
    BareQuote,
    /// A quote that neither closes a field nor is doubled, or a quoted
    /// field still open at the end of the input.
    Quote,
    /// A record whose number of fields differs from the first record's.
    FieldCount,
}

/// A record error, displayed as Go's `csv.ParseError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvError {
    start_line: usize,
    line: usize,
    column: usize,
    kind: CsvErrorKind,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            CsvErrorKind::BareQuote => "bare \" in non-quoted-field",
            CsvErrorKind::Quote => "extraneous or missing \" in quoted-field",
            CsvErrorKind::FieldCount => {
                return write!(f, "record on line {}: wrong number of fields", self.line);
            }
        };
        if self.start_line != self.line {
            write!(
                f,
                "record on line {}; parse error on line {}, column {}: {what}",
                self.start_line, self.line, self.column
            )
        } else {
            write!(
                f,
                "parse error on line {}, column {}: {what}",
                self.line, self.column
            )
        }
    }
}

impl std::error::Error for CsvError {}

/// One step of reading.
#[derive(Debug)]
pub(crate) enum CsvStep {
    /// The window ends inside a record: drop the `skipped` bytes of empty
    /// lines before it, read more and ask again.
    NeedMore { skipped: usize },
    /// No records are left (only at the end of the input).
    End,
    /// A record (possibly partial when `error` is set, as Go returns it)
    /// and the number of window bytes it used.
    Record {
        fields: Vec<String>,
        error: Option<CsvError>,
        consumed: usize,
    },
}

/// Whether `c` can separate fields (Go's `validDelim`).
pub(crate) fn valid_delimiter(c: char) -> bool {
    !matches!(c, '\0' | '"' | '\r' | '\n' | '\u{FFFD}')
}

/// Reading state that lasts across records.
pub(crate) struct CsvParser {
    delimiter: [u8; 4],
    delimiter_len: usize,
    lazy_quotes: bool,
    /// Fields every record must have; 0 until the first record.
    fields_per_record: usize,
    /// Lines read so far.
    num_line: usize,
}

/// A physical line: its bytes without the line end, and whether it had one.
struct Line<'a> {
    text: &'a [u8],
    newline: bool,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    eof: bool,
    num_line: usize,
}

impl<'a> Cursor<'a> {
    /// Go's `readLine`: `None` when the window holds no whole line yet.
    fn read_line(&mut self) -> Option<Line<'a>> {
        let rest = &self.data[self.pos..];
        let line = match memchr::memchr(b'\n', rest) {
            Some(i) => {
                self.pos += i + 1;
                let text = &rest[..i];
                Line {
                    text: text.strip_suffix(b"\r").unwrap_or(text),
                    newline: true,
                }
            }
            None if self.eof => {
                self.pos += rest.len();
                Line {
                    text: rest.strip_suffix(b"\r").unwrap_or(rest),
                    newline: false,
                }
            }
            None => return None,
        };
        self.num_line += 1;
        Some(line)
    }
}

impl CsvParser {
    /// A reader for fields separated by `delimiter` (check it with
    /// [`valid_delimiter`] first).
    pub(crate) fn new(delimiter: char, lazy_quotes: bool) -> CsvParser {
        let mut buf = [0; 4];
        let delimiter_len = delimiter.encode_utf8(&mut buf).len();
        CsvParser {
            delimiter: buf,
            delimiter_len,
            lazy_quotes,
            fields_per_record: 0,
            num_line: 0,
        }
    }

    fn delimiter(&self) -> &[u8] {
        &self.delimiter[..self.delimiter_len]
    }

    /// Reads the record at the start of `window`; `eof` tells whether
    /// the input ends with the window. State changes only for the bytes
    /// the step says were used.
    pub(crate) fn next_record(&mut self, window: &[u8], eof: bool) -> CsvStep {
        let mut cur = Cursor {
            data: window,
            pos: 0,
            eof,
            num_line: self.num_line,
        };
        // Where the record's first line starts, and the lines before it.
        let (mut start, mut lines_before);
        let first = loop {
            (start, lines_before) = (cur.pos, cur.num_line);
            let Some(line) = cur.read_line() else {
                self.num_line = lines_before;
                return CsvStep::NeedMore { skipped: start };
            };
            if line.text.is_empty() {
                if line.newline {
                    continue;
                }
                self.num_line = cur.num_line;
                return CsvStep::End;
            }
            break line;
        };
        let rec_line = cur.num_line;
        let Some((fields, mut error)) = self.fields(&mut cur, first, rec_line) else {
            self.num_line = lines_before;
            return CsvStep::NeedMore { skipped: start };
        };
        self.num_line = cur.num_line;
        if self.fields_per_record > 0 {
            if fields.len() != self.fields_per_record && error.is_none() {
                error = Some(CsvError {
                    start_line: rec_line,
                    line: rec_line,
                    column: 1,
                    kind: CsvErrorKind::FieldCount,
                });
            }
        } else {
            self.fields_per_record = fields.len();
        }
        CsvStep::Record {
            fields: fields
                .into_iter()
                .map(|f| String::from_utf8_lossy(&f).into_owned())
                .collect(),
            error,
            consumed: cur.pos,
        }
    }

    /// Splits a record into fields, reading more lines for quoted fields
    /// that span them. `None` when the window ends inside the record.
    fn fields(
        &self,
        cur: &mut Cursor<'_>,
        first: Line<'_>,
        rec_line: usize,
    ) -> Option<(Vec<Vec<u8>>, Option<CsvError>)> {
        let delim = self.delimiter();
        let mut fields: Vec<Vec<u8>> = Vec::new();
        let mut text = first.text;
        let mut newline = first.newline;
        let mut line_no = rec_line;
        let mut col = 1;
        let error = |line: usize, column: usize, kind| CsvError {
            start_line: rec_line,
            line,
            column,
            kind,
        };
        loop {
            if text.first() != Some(&b'"') {
                let end = memchr::memmem::find(text, delim);
                let field = &text[..end.unwrap_or(text.len())];
                if !self.lazy_quotes
                    && let Some(j) = memchr::memchr(b'"', field)
                {
                    let e = error(line_no, col + j, CsvErrorKind::BareQuote);
                    return Some((fields, Some(e)));
                }
                fields.push(field.to_vec());
                match end {
                    Some(i) => {
                        text = &text[i + delim.len()..];
                        col += i + delim.len();
                        continue;
                    }
                    None => return Some((fields, None)),
                }
            }
            // A quoted field.
            text = &text[1..];
            col += 1;
            let mut field = Vec::new();
            loop {
                if let Some(i) = memchr::memchr(b'"', text) {
                    field.extend_from_slice(&text[..i]);
                    text = &text[i + 1..];
                    col += i + 1;
                    if text.first() == Some(&b'"') {
                        field.push(b'"');
                        text = &text[1..];
                        col += 1;
                    } else if text.starts_with(delim) {
                        text = &text[delim.len()..];
                        col += delim.len();
                        fields.push(field);
                        break;
                    } else if text.is_empty() {
                        fields.push(field);
                        return Some((fields, None));
                    } else if self.lazy_quotes {
                        field.push(b'"');
                    } else {
                        let e = error(line_no, col - 1, CsvErrorKind::Quote);
                        return Some((fields, Some(e)));
                    }
                } else if !text.is_empty() || newline {
                    field.extend_from_slice(text);
                    if newline {
                        field.push(b'\n');
                    }
                    col += text.len() + usize::from(newline);
                    let next = cur.read_line()?;
                    if !next.text.is_empty() || next.newline {
                        line_no += 1;
                        col = 1;
                    }
                    text = next.text;
                    newline = next.newline;
                } else {
                    if !self.lazy_quotes {
                        let e = error(line_no, col, CsvErrorKind::Quote);
                        return Some((fields, Some(e)));
                    }
                    fields.push(field);
                    return Some((fields, None));
                }
            }
        }
    }
}
