//! Streaming decompression for the `decompress` scanner and the `gzip/`
//! codec prefix: gzip (several members in a row read as one stream, as
//! Go's reader does), zlib and raw deflate, inflated with `miniz_oxide`
//! in steps bounded by the reader's buffer, so the async runtime is
//! never held for long. The gzip CRC-32 and length and the zlib Adler-32
//! are checked.

use super::BoxedReader;
use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, ReadBuf};

/// Compressed bytes asked of the source per read.
const INPUT_BLOCK: usize = 64 * 1024;

/// Longest gzip header accepted (file name and comment included).
const MAX_GZIP_HEADER: usize = 1 << 20;

/// The formats [`Inflater`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inflation {
    Gzip,
    Zlib,
    Flate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    GzipHeader,
    Body,
    GzipTrailer,
    Done,
}

/// An async reader giving the decompressed bytes of another.
pub(crate) struct Inflater {
    source: BoxedReader,
    input: Vec<u8>,
    start: usize,
    end: usize,
    source_done: bool,
    state: Box<InflateState>,
    format: Inflation,
    phase: Phase,
    crc: crc32fast::Hasher,
    length: u32,
    members: usize,
}

fn bad_data(text: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, text.to_string())
}

fn truncated() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "unexpected EOF")
}

/// The length of the gzip member header at the start of `data`:
/// `Ok(None)` while it is incomplete.
fn gzip_header_len(data: &[u8]) -> Result<Option<usize>, io::Error> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if data.len() < 10 {
        return Ok(None);
    }
    if data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err(bad_data("gzip: invalid header"));
    }
    let flags = data[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let Some(len) = data.get(at..at + 2) else {
            return Ok(None);
        };
        at += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let Some(rest) = data.get(at..) else {
                return Ok(None);
            };
            let Some(nul) = memchr::memchr(0, rest) else {
                return Ok(None);
            };
            at += nul + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    Ok((at <= data.len()).then_some(at))
}

impl Inflater {
    pub(crate) fn new(source: BoxedReader, format: Inflation) -> Inflater {
        let data_format = match format {
            Inflation::Zlib => DataFormat::Zlib,
            Inflation::Gzip | Inflation::Flate => DataFormat::Raw,
        };
        Inflater {
            source,
            input: Vec::new(),
            start: 0,
            end: 0,
            source_done: false,
            state: InflateState::new_boxed(data_format),
            format,
            phase: if format == Inflation::Gzip {
                Phase::GzipHeader
            } else {
                Phase::Body
            },
            crc: crc32fast::Hasher::new(),
            length: 0,
            members: 0,
        }
    }

    fn available(&self) -> &[u8] {
        &self.input[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads more compressed bytes; Ready(0) at the end of the source.
    fn poll_input(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.source_done {
            return Poll::Ready(Ok(0));
        }
        if self.input.len() - self.end < INPUT_BLOCK / 2 {
            self.input.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.input.len() - self.end < INPUT_BLOCK / 2 {
                let grown = (self.input.len() * 2).max(INPUT_BLOCK);
                self.input.resize(grown, 0);
            }
        }
        let mut read = ReadBuf::new(&mut self.input[self.end..]);
        ready!(Pin::new(&mut self.source).poll_read(cx, &mut read))?;
        let n = read.filled().len();
        self.end += n;
        self.source_done = n == 0;
        Poll::Ready(Ok(n))
    }

    fn read(&mut self, cx: &mut Context<'_>, out: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        loop {
            match self.phase {
                Phase::Done => return Poll::Ready(Ok(())),
                Phase::GzipHeader => {
                    if let Some(len) = gzip_header_len(self.available())? {
                        self.consume(len);
                        self.state.reset(DataFormat::Raw);
                        self.crc = crc32fast::Hasher::new();
                        self.length = 0;
                        self.phase = Phase::Body;
                        continue;
                    }
                    if self.available().len() > MAX_GZIP_HEADER {
                        return Poll::Ready(Err(bad_data("gzip: header too long")));
                    }
                    if ready!(self.poll_input(cx))? == 0 {
                        if self.members > 0 && self.available().is_empty() {
                            self.phase = Phase::Done;
                            continue;
                        }
                        return Poll::Ready(Err(truncated()));
                    }
                }
                Phase::GzipTrailer => {
                    if self.available().len() < 8 {
                        if ready!(self.poll_input(cx))? == 0 {
                            return Poll::Ready(Err(truncated()));
                        }
                        continue;
                    }
                    let t = self.available();
                    let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
                    let length = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
                    let computed = std::mem::take(&mut self.crc).finalize();
                    if crc != computed || length != self.length {
                        return Poll::Ready(Err(bad_data("gzip: invalid checksum")));
                    }
                    self.consume(8);
                    self.members += 1;
                    self.phase = Phase::GzipHeader;
                }
                Phase::Body => {
                    if out.remaining() == 0 {
                        return Poll::Ready(Ok(()));
                    }
                    let (start, end) = (self.start, self.end);
                    let target = out.initialize_unfilled();
                    let result = inflate(
                        &mut self.state,
                        &self.input[start..end],
                        target,
                        MZFlush::None,
                    );
                    let written = result.bytes_written;
                    if self.format == Inflation::Gzip {
                        self.crc.update(&target[..written]);
                        self.length = self.length.wrapping_add(written as u32);
                    }
                    out.advance(written);
                    self.consume(result.bytes_consumed);
                    match result.status {
                        Ok(MZStatus::StreamEnd) => {
                            self.phase = if self.format == Inflation::Gzip {
                                Phase::GzipTrailer
                            } else {
                                Phase::Done
                            };
                        }
                        Ok(_) | Err(MZError::Buf) => {}
                        Err(_) => {
                            let what = match self.format {
                                Inflation::Gzip => "gzip: corrupt deflate data",
                                Inflation::Zlib => "zlib: corrupt data or invalid checksum",
                                Inflation::Flate => "flate: corrupt input",
                            };
                            return Poll::Ready(Err(bad_data(what)));
                        }
                    }
                    // Bytes handed out must be returned before any wait.
                    if written > 0 {
                        return Poll::Ready(Ok(()));
                    }
                    if self.phase != Phase::Body
                        || (result.bytes_consumed > 0 && result.status.is_ok())
                    {
                        continue;
                    }
                    if ready!(self.poll_input(cx))? == 0 {
                        return Poll::Ready(Err(truncated()));
                    }
                }
            }
        }
    }
}

impl AsyncRead for Inflater {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = ready!(this.read(cx, out));
        if result.is_err() {
            this.phase = Phase::Done;
        }
        Poll::Ready(result)
    }
}
