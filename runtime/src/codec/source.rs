//! A buffered view over an async byte stream that scanners read from:
//! big reads into one growable buffer, with the unread bytes kept in a
//! window the scanner inspects in place and consumes as it goes.

use super::BoxedReader;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, ReadBuf};

/// Bytes asked of the reader per read (stdin and files hand over up to
/// this much at once; bigger blocks mean fewer wake-ups per line).
pub(crate) const READ_BLOCK: usize = 256 * 1024;

/// Unread bytes of a stream in `buf[start..end]`.
pub(crate) struct Buffered {
    reader: BoxedReader,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl Buffered {
    pub(crate) fn new(reader: BoxedReader) -> Buffered {
        Buffered {
            reader,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
        }
    }

    /// The unread bytes.
    #[inline]
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Number of unread bytes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    /// True once the reader has reported the end of the stream (unread
    /// bytes may remain).
    #[inline]
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    /// Marks `n` unread bytes as read.
    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.len());
        self.start += n.min(self.len());
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads once more from the stream, appending to the unread bytes.
    /// Ready with the number of bytes added: 0 means the end of the
    /// stream. Room is made by moving the unread bytes to the front or,
    /// when they fill the buffer, by doubling it; callers bound the
    /// window themselves before asking for more.
    pub(crate) fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.eof {
            return Poll::Ready(Ok(0));
        }
        if self.buf.len() - self.end < READ_BLOCK / 4 {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.buf.len() - self.end < READ_BLOCK / 4 {
                let grown = (self.buf.len() * 2).max(READ_BLOCK);
                self.buf.resize(grown, 0);
            }
        }
        let mut read = ReadBuf::new(&mut self.buf[self.end..]);
        ready!(Pin::new(&mut self.reader).poll_read(cx, &mut read))?;
        let n = read.filled().len();
        self.end += n;
        if n == 0 {
            self.eof = true;
        }
        Poll::Ready(Ok(n))
    }

    /// Reads until at least `n` bytes are unread: Ready(true) when they
    /// are, Ready(false) when the stream ended first.
    pub(crate) fn poll_ensure(&mut self, cx: &mut Context<'_>, n: usize) -> Poll<io::Result<bool>> {
        while self.len() < n {
            if ready!(self.poll_fill(cx))? == 0 {
                return Poll::Ready(Ok(false));
            }
        }
        Poll::Ready(Ok(true))
    }
}

/// Byte order marks, longest first (UTF-32 BE, UTF-32 LE, UTF-8,
/// UTF-16 BE, UTF-16 LE): the first one the stream starts with is
/// dropped.
const BYTE_ORDER_MARKS: [&[u8]; 5] = [
    &[0x00, 0x00, 0xFE, 0xFF],
    &[0xFF, 0xFE, 0x00, 0x00],
    &[0xEF, 0xBB, 0xBF],
    &[0xFE, 0xFF],
    &[0xFF, 0xFE],
];

/// A reader that drops one byte order mark from the start of a stream.
pub(crate) struct SkipBom {
    reader: BoxedReader,
    head: [u8; 4],
    head_len: usize,
    head_pos: usize,
    state: BomState,
}

#[derive(PartialEq, Eq)]
enum BomState {
    Peeking,
    Draining,
    Passing,
}

impl SkipBom {
    pub(crate) fn new(reader: BoxedReader) -> SkipBom {
        SkipBom {
            reader,
            head: [0; 4],
            head_len: 0,
            head_pos: 0,
            state: BomState::Peeking,
        }
    }
}

impl AsyncRead for SkipBom {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match this.state {
                BomState::Peeking => {
                    while this.head_len < this.head.len() {
                        let mut read = ReadBuf::new(&mut this.head[this.head_len..]);
                        ready!(Pin::new(&mut this.reader).poll_read(cx, &mut read))?;
                        let n = read.filled().len();
                        if n == 0 {
                            break;
                        }
                        this.head_len += n;
                    }
                    let head = &this.head[..this.head_len];
                    this.head_pos = BYTE_ORDER_MARKS
                        .iter()
                        .find(|bom| head.starts_with(bom))
                        .map_or(0, |bom| bom.len());
                    this.state = BomState::Draining;
                }
                BomState::Draining => {
                    if this.head_pos == this.head_len {
                        this.state = BomState::Passing;
                        continue;
                    }
                    let rest = &this.head[this.head_pos..this.head_len];
                    let n = rest.len().min(out.remaining());
                    out.put_slice(&rest[..n]);
                    this.head_pos += n;
                    return Poll::Ready(Ok(()));
                }
                BomState::Passing => return Pin::new(&mut this.reader).poll_read(cx, out),
            }
        }
    }
}
