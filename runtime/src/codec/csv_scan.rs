//! The `csv` scanner (and the `csv` / `csv:X` codecs): one message per
//! row. With a header row each row is an object of strings keyed by the
//! header (a row's extra fields dropped), otherwise an array of strings.
//! The scanner sets `csv_row` (the row's index from 0, header excluded);
//! with `continue_on_error` a bad row becomes a message flagged with the
//! error (holding what parsed) and reading goes on. A header that fails
//! to parse, or any error without `continue_on_error`, ends the stream.
//! An empty stream has no rows even when a header is expected.

use super::csv::{CsvParser, CsvStep};
use super::source::Buffered;
use super::spec::CsvSpec;
use super::{BoxedReader, CodecError, Scanner};
use std::task::{Context, Poll, ready};
use tarn_lang::value::{Blob, JsonStyle, Map, Str, write_json};
use tarn_lang::{Message, Value};

/// A record's fields and the text of its error.
type Record = (Vec<String>, Option<String>);

pub(crate) struct CsvScanner {
    src: Buffered,
    parser: CsvParser,
    spec: CsvSpec,
    headers: Option<Vec<Str>>,
    row: i64,
    max: usize,
    /// Window bytes already known to hold no complete record.
    waited_for: usize,
    done: bool,
}

/// A row as its structured value: an object by header, or an array.
pub(crate) fn row_value(headers: Option<&[Str]>, fields: Vec<String>) -> Value {
    match headers {
        Some(headers) => {
            let pairs = headers
                .iter()
                .zip(fields)
                .map(|(h, f)| (h.clone(), Value::from(f)))
                .collect();
            Value::object(Map::from_pairs(pairs))
        }
        None => Value::array(fields.into_iter().map(Value::from).collect()),
    }
}

/// A message whose content is the JSON of `value` (as Benthos writes a
/// structured message) and whose structured form is `value` itself.
pub(crate) fn structured_message(value: Value) -> Message {
    let mut out = Vec::new();
    // Strings and containers of strings always have a JSON form.
    let _ = write_json(&mut out, &value, JsonStyle::MESSAGE);
    Message::with_structured(Blob::new(&out), value)
}

impl CsvScanner {
    pub(crate) fn new(reader: BoxedReader, spec: CsvSpec, max: usize) -> CsvScanner {
        CsvScanner {
            src: Buffered::new(reader),
            parser: CsvParser::new(spec.delimiter, spec.lazy_quotes),
            spec,
            headers: None,
            row: 0,
            max,
            waited_for: 0,
            done: false,
        }
    }

    /// The next record and its error, `None` at the end.
    fn poll_record(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Record>, CodecError>> {
        loop {
            let fresh = self.src.len() > self.waited_for
                && memchr::memchr(b'\n', &self.src.data()[self.waited_for..]).is_some();
            if fresh || self.src.at_eof() {
                match self.parser.next_record(self.src.data(), self.src.at_eof()) {
                    CsvStep::End => return Poll::Ready(Ok(None)),
                    CsvStep::Record {
                        fields,
                        error,
                        consumed,
                    } => {
                        self.src.consume(consumed);
                        self.waited_for = 0;
                        return Poll::Ready(Ok(Some((fields, error.map(|e| e.to_string())))));
                    }
                    CsvStep::NeedMore { skipped } => {
                        self.src.consume(skipped);
                    }
                }
            }
            self.waited_for = self.src.len();
            if self.src.len() > self.max {
                return Poll::Ready(Err(CodecError::TooLong {
                    what: "a csv row",
                    limit: self.max,
                    setting: "max_message_bytes",
                }));
            }
            ready!(self.src.poll_fill(cx))?;
        }
    }

    fn step(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        let malformed = |detail| CodecError::Malformed {
            format: "csv",
            detail,
        };
        if self.spec.parse_header_row && self.headers.is_none() {
            let Some((fields, error)) = ready!(self.poll_record(cx))? else {
                return Poll::Ready(Ok(None));
            };
            if let Some(e) = error {
                return Poll::Ready(Err(malformed(e)));
            }
            self.headers = Some(fields.iter().map(|f| Str::from(f.as_str())).collect());
        }
        let Some((fields, error)) = ready!(self.poll_record(cx))? else {
            return Poll::Ready(Ok(None));
        };
        if let Some(e) = &error
            && !self.spec.continue_on_error
        {
            return Poll::Ready(Err(malformed(e.clone())));
        }
        let mut msg = structured_message(row_value(self.headers.as_deref(), fields));
        if self.spec.row_metadata {
            msg.meta_mut().insert("csv_row", Value::Int(self.row));
        }
        msg.set_error(error);
        self.row += 1;
        Poll::Ready(Ok(Some(msg)))
    }
}

impl Scanner for CsvScanner {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        if self.done {
            return Poll::Ready(Ok(None));
        }
        let result = ready!(self.step(cx));
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        Poll::Ready(result)
    }
}
