//! Lines from a byte stream, read in large blocks and split with memchr,
//! so a line costs one copy and no system call of its own. A line longer
//! than the limit is an error, never an unbounded buffer.

use tokio::io::{AsyncRead, AsyncReadExt};

/// The size of each read.
const BLOCK: usize = 64 * 1024;

/// Splits a stream into lines (`\n`, with a `\r` before it dropped).
pub struct LineReader<R> {
    reader: R,
    buf: Vec<u8>,
    /// Where the unread part of `buf` starts.
    start: usize,
    eof: bool,
    max_line: usize,
}

impl<R> std::fmt::Debug for LineReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LineReader({} buffered)", self.buf.len() - self.start)
    }
}

/// Why no line could be read.
#[derive(Debug)]
pub enum LineError {
    /// The stream failed.
    Io(std::io::Error),
    /// A line is longer than the limit.
    TooLong(usize),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::Io(e) => write!(f, "{e}"),
            LineError::TooLong(max) => write!(
                f,
                "a line is longer than the buffer limit of {max} bytes (`max_buffer`)"
            ),
        }
    }
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    /// Lines of `reader`, none longer than `max_line` bytes.
    pub fn new(reader: R, max_line: usize) -> LineReader<R> {
        LineReader {
            reader,
            buf: Vec::new(),
            start: 0,
            eof: false,
            max_line: max_line.max(1),
        }
    }

    /// The next line (without its end), `None` at the end. A last line
    /// without `\n` is still a line. Cancel-safe: bytes read before a
    /// cancelled call stay buffered.
    pub async fn next_line(&mut self) -> Result<Option<Vec<u8>>, LineError> {
        loop {
            let unread = &self.buf[self.start..];
            if let Some(at) = memchr::memchr(b'\n', unread) {
                let mut line = &unread[..at];
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                let out = line.to_vec();
                self.start += at + 1;
                return Ok(Some(out));
            }
            if unread.len() > self.max_line {
                return Err(LineError::TooLong(self.max_line));
            }
            if self.eof {
                if unread.is_empty() {
                    return Ok(None);
                }
                let mut line = unread;
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                let out = line.to_vec();
                self.start = self.buf.len();
                return Ok(Some(out));
            }
            // Move the unread tail to the front, then read more after it.
            if self.start > 0 {
                self.buf.drain(..self.start);
                self.start = 0;
            }
            self.buf.reserve(BLOCK);
            let n = self
                .reader
                .read_buf(&mut self.buf)
                .await
                .map_err(LineError::Io)?;
            if n == 0 {
                self.eof = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_with_crlf_blank_and_a_last_line_without_newline() {
        let data: &[u8] = b"one\r\ntwo\n\nfour";
        let mut r = LineReader::new(data, 100);
        let mut got = Vec::new();
        while let Some(l) = r.next_line().await.expect("reads") {
            got.push(String::from_utf8(l).expect("utf8"));
        }
        assert_eq!(got, ["one", "two", "", "four"]);
    }

    #[tokio::test]
    async fn a_line_over_the_limit_is_an_error() {
        let data = vec![b'x'; 100_000];
        let mut r = LineReader::new(&data[..], 1000);
        assert!(matches!(r.next_line().await, Err(LineError::TooLong(1000))));
    }
}
