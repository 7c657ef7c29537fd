//! Codecs: how inputs such as `stdin` and `file` cut a byte stream into
//! messages (Benthos *scanners*, configured by the `scanner` field or the
//! older `codec` string), and the archive formats of the `archive` and
//! `unarchive` processors ([`archive`]).
//!
//! A [`ScannerSpec`] comes from a typed [`ScannerConfig`] or from a
//! `codec` string ([`ScannerSpec::from_codec`]); [`ScannerSpec::open`]
//! turns it into a [`Scanner`] over any async reader. Scanners read big
//! blocks and keep at most one message (bounded by a documented limit)
//! in memory; a message over its limit is an error naming the limit.

pub mod archive;
mod config;
mod csv;
mod csv_scan;
mod inflate;
mod lines;
mod source;
mod spec;
mod split;
mod tar;
mod tar_scan;
#[cfg(test)]
mod tests;
mod thread_reader;

pub use config::{
    AvroConfig, ChunkerConfig, CsvConfig, DecompressAlgorithm, DecompressConfig, EmptyConfig,
    LinesConfig, ReMatchConfig, ScannerConfig, SkipBomConfig, SwitchCaseConfig,
};
pub use spec::{CsvSpec, DEFAULT_CODEC_MAX_BUFFER, LinesSpec, ScannerSpec, SwitchCase};
pub use thread_reader::ThreadReader;

use std::fmt;
use std::future::Future;
use std::task::{Context, Poll};
use tarn_lang::Message;
use tokio::io::AsyncRead;

/// The byte streams scanners read.
pub type BoxedReader = Box<dyn AsyncRead + Send + Unpin>;

/// Default of [`ScannerLimits::max_message_bytes`]: 256 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Bounds for scanners whose Benthos config has no size setting of its
/// own (`to_the_end`, `chunker`, a `csv` row, a `tar` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScannerLimits {
    /// Largest message such a scanner produces; a bigger one is an error.
    pub max_message_bytes: usize,
}

impl Default for ScannerLimits {
    fn default() -> ScannerLimits {
        ScannerLimits {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }
}

/// Cuts a byte stream into messages.
///
/// Poll-style so that it stays object safe and costs no allocation per
/// message; `scanner.next_message().await` (on `dyn Scanner`) is the
/// async form.
/// An error ends the stream: later polls give `Ok(None)`. Every
/// scanner keeps its progress in itself, so dropping an unfinished
/// `next_message()` future (a `select!` on shutdown) loses nothing.
pub trait Scanner: Send {
    /// The next message, `Ok(None)` at the end of the stream.
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>>;
}

impl dyn Scanner + '_ {
    /// The next message, `Ok(None)` at the end of the stream.
    pub fn next_message(
        &mut self,
    ) -> impl Future<Output = Result<Option<Message>, CodecError>> + Send + '_ {
        std::future::poll_fn(move |cx| self.poll_next(cx))
    }
}

/// Why a scanner could not be built or could not go on.
#[derive(Debug)]
#[non_exhaustive]
pub enum CodecError {
    /// A `codec` string or scanner config that cannot work (unknown codec,
    /// bad delimiter, invalid regular expression …).
    Config(String),
    /// A scanner, codec or algorithm Tarn does not implement yet.
    Unsupported(String),
    /// Reading the stream failed (decompression errors arrive here too,
    /// as `InvalidData`).
    Io(std::io::Error),
    /// A message would be longer than the limit that bounds it.
    TooLong {
        /// What was too long (`line`, `tar entry` …).
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The setting that sets the limit.
        setting: &'static str,
    },
    /// The stream is not in the format the scanner reads.
    Malformed {
        /// The format (`tar`, `csv` …).
        format: &'static str,
        /// What is wrong, in Go's wording where Benthos shows Go's.
        detail: String,
    },
    /// The `switch` scanner had no case for this source.
    NoMatchingScanner {
        /// The source's name.
        source: String,
    },
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Config(text) | CodecError::Unsupported(text) => f.write_str(text),
            CodecError::Io(e) => write!(f, "{e}"),
            CodecError::TooLong {
                what,
                limit,
                setting,
            } => write!(
                f,
                "{what} is longer than the limit of {limit} bytes (`{setting}`)"
            ),
            CodecError::Malformed { format, detail } => write!(f, "{format}: {detail}"),
            CodecError::NoMatchingScanner { source } => write!(
                f,
                "source details did not match against any scanners (source `{source}`)"
            ),
        }
    }
}

impl std::error::Error for CodecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CodecError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for CodecError {
    fn from(e: std::io::Error) -> CodecError {
        CodecError::Io(e)
    }
}
