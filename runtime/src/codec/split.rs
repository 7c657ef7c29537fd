//! The `chunker`, `to_the_end` and `re_match` scanners (and the
//! `chunker:N`, `all-bytes` and `regex:P` codecs).

use super::source::Buffered;
use super::{BoxedReader, CodecError, Scanner};
use regex::bytes::Regex;
use std::task::{Context, Poll, ready};
use tarn_lang::Message;

/// Messages of exactly `size` bytes; the last one holds what is left.
pub(crate) struct ChunkerScanner {
    src: Buffered,
    size: usize,
    done: bool,
}

impl ChunkerScanner {
    pub(crate) fn new(reader: BoxedReader, size: usize) -> ChunkerScanner {
        ChunkerScanner {
            src: Buffered::new(reader),
            size,
            done: false,
        }
    }
}

impl Scanner for ChunkerScanner {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        if self.done {
            return Poll::Ready(Ok(None));
        }
        if let Err(e) = ready!(self.src.poll_ensure(cx, self.size)) {
            self.done = true;
            return Poll::Ready(Err(e.into()));
        }
        let n = self.src.len().min(self.size);
        if n == 0 {
            self.done = true;
            return Poll::Ready(Ok(None));
        }
        let msg = Message::new(&self.src.data()[..n]);
        self.src.consume(n);
        Poll::Ready(Ok(Some(msg)))
    }
}

/// The whole stream as one message (an empty stream gives one empty
/// message), up to `max` bytes.
pub(crate) struct ToTheEndScanner {
    src: Buffered,
    max: usize,
    done: bool,
}

impl ToTheEndScanner {
    pub(crate) fn new(reader: BoxedReader, max: usize) -> ToTheEndScanner {
        ToTheEndScanner {
            src: Buffered::new(reader),
            max,
            done: false,
        }
    }
}

impl Scanner for ToTheEndScanner {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        if self.done {
            return Poll::Ready(Ok(None));
        }
        loop {
            if self.src.len() > self.max {
                self.done = true;
                return Poll::Ready(Err(CodecError::TooLong {
                    what: "the stream",
                    limit: self.max,
                    setting: "max_message_bytes",
                }));
            }
            match ready!(self.src.poll_fill(cx)) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Poll::Ready(Err(e.into()));
                }
            }
        }
        self.done = true;
        Poll::Ready(Ok(Some(Message::new(self.src.data()))))
    }
}

/// Segments that each start where the pattern matches (text before the
/// first match is a segment of its own), as Benthos's `re_match`
/// scanner cuts them with Go's `bufio.Scanner`: a segment must be
/// shorter than `max` bytes (the next match has to start inside Go's
/// buffer). The window is searched again after each read, so a huge
/// `max` with rare matches costs time, never unbounded memory.
pub(crate) struct ReMatchScanner {
    src: Buffered,
    pattern: Regex,
    max: usize,
    setting: &'static str,
    done: bool,
}

impl ReMatchScanner {
    pub(crate) fn new(
        reader: BoxedReader,
        pattern: Regex,
        max: usize,
        setting: &'static str,
    ) -> ReMatchScanner {
        ReMatchScanner {
            src: Buffered::new(reader),
            pattern,
            max,
            setting,
            done: false,
        }
    }

    /// Where the next segment ends, if it can be told yet.
    fn segment_end(&self) -> Option<usize> {
        let data = self.src.data();
        let eof = self.src.at_eof();
        let mut starts = self.pattern.find_iter(data).map(|m| m.start());
        match (starts.next(), starts.next()) {
            (None, _) => eof.then_some(data.len()),
            (Some(0), None) => eof.then_some(data.len()),
            (Some(first), None) => eof.then_some(first),
            (Some(0), Some(second)) => Some(second),
            (Some(first), Some(_)) => Some(first),
        }
    }
}

impl Scanner for ReMatchScanner {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        loop {
            if self.done {
                return Poll::Ready(Ok(None));
            }
            if self.src.at_eof() && self.src.len() == 0 {
                self.done = true;
                return Poll::Ready(Ok(None));
            }
            match self.segment_end() {
                Some(end) if end < self.max => {
                    let msg = Message::new(&self.src.data()[..end]);
                    self.src.consume(end);
                    return Poll::Ready(Ok(Some(msg)));
                }
                Some(_) => {}
                None if self.src.len() < self.max => {
                    if let Err(e) = ready!(self.src.poll_fill(cx)) {
                        self.done = true;
                        return Poll::Ready(Err(e.into()));
                    }
                    continue;
                }
                None => {}
            }
            self.done = true;
            return Poll::Ready(Err(CodecError::TooLong {
                what: "a segment",
                limit: self.max,
                setting: self.setting,
            }));
        }
    }
}
