//! The `lines` scanner (and the `lines` / `delim:X` codecs): one message
//! per line, found with `memchr` in big buffered reads and copied once
//! into its message.
//!
//! Go's `bufio.Scanner` semantics, as Benthos uses them: with the default
//! delimiter a line ends at `\n` and loses one trailing `\r`; a custom
//! delimiter is matched exactly and nothing else is stripped; the last
//! line needs no delimiter; an empty stream has no lines. A line and its
//! delimiter must fit in `max_buffer_size` bytes (an unterminated last
//! line must be shorter than it), as in Go.

use super::source::Buffered;
use super::spec::LinesSpec;
use super::{BoxedReader, CodecError, Scanner};
use memchr::memmem::Finder;
use std::task::{Context, Poll, ready};
use tarn_lang::Message;

/// How line ends are found.
enum Delimiter {
    /// `\n`, dropping one `\r` before it.
    Newline,
    /// One exact byte.
    Byte(u8),
    /// An exact sequence of two or more bytes.
    Sequence(Box<Finder<'static>>),
}

impl Delimiter {
    fn len(&self) -> usize {
        match self {
            Delimiter::Newline | Delimiter::Byte(_) => 1,
            Delimiter::Sequence(f) => f.needle().len(),
        }
    }

    fn find(&self, hay: &[u8]) -> Option<usize> {
        match self {
            Delimiter::Newline => memchr::memchr(b'\n', hay),
            Delimiter::Byte(b) => memchr::memchr(*b, hay),
            Delimiter::Sequence(f) => f.find(hay),
        }
    }
}

pub(crate) struct LinesScanner {
    src: Buffered,
    delimiter: Delimiter,
    max: usize,
    omit_empty: bool,
    /// Unread bytes already searched without finding a delimiter.
    searched: usize,
    /// The setting that sets `max`, for error messages.
    setting: &'static str,
    done: bool,
}

impl LinesScanner {
    pub(crate) fn new(reader: BoxedReader, spec: &LinesSpec) -> LinesScanner {
        let delimiter = match spec.delimiter.as_deref() {
            None => Delimiter::Newline,
            Some([b]) => Delimiter::Byte(*b),
            Some(seq) => Delimiter::Sequence(Box::new(Finder::new(seq).into_owned())),
        };
        LinesScanner {
            src: Buffered::new(reader),
            delimiter,
            max: spec.max_buffer_size,
            omit_empty: spec.omit_empty,
            searched: 0,
            setting: spec.limit_setting,
            done: false,
        }
    }

    fn too_long(&mut self) -> CodecError {
        self.done = true;
        CodecError::TooLong {
            what: "a line",
            limit: self.max,
            setting: self.setting,
        }
    }

    /// The next line, empty lines included.
    fn poll_line(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        let dlen = self.delimiter.len();
        loop {
            let data = self.src.data();
            if let Some(at) = self.delimiter.find(&data[self.searched..]) {
                let end = self.searched + at;
                if end + dlen > self.max {
                    return Poll::Ready(Err(self.too_long()));
                }
                let mut line = &data[..end];
                if matches!(self.delimiter, Delimiter::Newline) {
                    line = line.strip_suffix(b"\r").unwrap_or(line);
                }
                let msg = Message::new(line);
                self.src.consume(end + dlen);
                self.searched = 0;
                return Poll::Ready(Ok(Some(msg)));
            }
            // A delimiter may straddle this read and the next one.
            self.searched = data.len().saturating_sub(dlen - 1);
            if data.len() >= self.max {
                return Poll::Ready(Err(self.too_long()));
            }
            if self.src.at_eof() {
                self.done = true;
                if data.is_empty() {
                    return Poll::Ready(Ok(None));
                }
                let mut line = data;
                if matches!(self.delimiter, Delimiter::Newline) {
                    line = line.strip_suffix(b"\r").unwrap_or(line);
                }
                let msg = Message::new(line);
                let n = data.len();
                self.src.consume(n);
                return Poll::Ready(Ok(Some(msg)));
            }
            if let Err(e) = ready!(self.src.poll_fill(cx)) {
                self.done = true;
                return Poll::Ready(Err(e.into()));
            }
        }
    }
}

impl Scanner for LinesScanner {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        loop {
            if self.done {
                return Poll::Ready(Ok(None));
            }
            match ready!(self.poll_line(cx)) {
                Ok(Some(msg)) if self.omit_empty && msg.content().is_empty() => continue,
                other => return Poll::Ready(other),
            }
        }
    }
}
