//! Tests of the codec module: each scanner and archive format, their
//! limits and errors, archives made by real tools (`tar`, `gzip`,
//! `python3 -m zipfile`), and property tests of streaming invariants.

mod archive;
mod csv;
mod props;
mod scanners;
mod tar;
mod tools;

use super::{BoxedReader, CodecError, ScannerLimits, ScannerSpec};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tarn_lang::Message;
use tokio::io::{AsyncRead, ReadBuf};

/// A reader handing out `data` in pieces of the given sizes (cycled),
/// answering `Pending` before every other piece so scanners go through
/// their waiting paths too.
pub(super) struct Pieces {
    data: Vec<u8>,
    at: usize,
    sizes: Vec<usize>,
    turn: usize,
    pause: bool,
    /// Number of `poll_read` calls that returned bytes.
    pub(super) reads: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Pieces {
    pub(super) fn new(data: &[u8], sizes: &[usize]) -> Pieces {
        Pieces {
            data: data.to_vec(),
            at: 0,
            sizes: if sizes.is_empty() {
                vec![usize::MAX]
            } else {
                sizes.iter().map(|&s| s.max(1)).collect()
            },
            turn: 0,
            pause: false,
            reads: Default::default(),
        }
    }
}

impl AsyncRead for Pieces {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.pause = !this.pause;
        if this.pause {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let size = this.sizes[this.turn % this.sizes.len()];
        this.turn += 1;
        let n = size.min(out.remaining()).min(this.data.len() - this.at);
        out.put_slice(&this.data[this.at..this.at + n]);
        this.at += n;
        if n > 0 {
            this.reads
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Poll::Ready(Ok(()))
    }
}

/// Runs a future to completion on a fresh current-thread runtime.
pub(super) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// Every message of `reader` under `spec`, or the first error.
pub(super) fn scan_reader(
    spec: &ScannerSpec,
    reader: BoxedReader,
    name: &str,
    limits: &ScannerLimits,
) -> Result<Vec<Message>, CodecError> {
    block_on(async {
        let mut scanner = spec.open_with_limits(reader, name, limits)?;
        let mut out = Vec::new();
        while let Some(msg) = scanner.next_message().await? {
            out.push(msg);
        }
        // A finished scanner stays finished.
        assert!(scanner.next_message().await?.is_none());
        Ok(out)
    })
}

/// Every message of `data` read in one go.
pub(super) fn scan(spec: &ScannerSpec, data: &[u8]) -> Result<Vec<Message>, CodecError> {
    scan_reader(
        spec,
        Box::new(io::Cursor::new(data.to_vec())),
        "",
        &ScannerLimits::default(),
    )
}

/// Every message of `data` read in pieces of the given sizes.
pub(super) fn scan_pieces(
    spec: &ScannerSpec,
    data: &[u8],
    sizes: &[usize],
) -> Result<Vec<Message>, CodecError> {
    scan_reader(
        spec,
        Box::new(Pieces::new(data, sizes)),
        "",
        &ScannerLimits::default(),
    )
}

/// The contents of messages as strings.
pub(super) fn texts(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .map(|m| String::from_utf8_lossy(m.content().as_bytes()).into_owned())
        .collect()
}

/// A metadata value as text (`None` when absent).
pub(super) fn meta(msg: &Message, key: &str) -> Option<String> {
    msg.meta().get(key).map(|v| match v.as_str() {
        Some(s) => s.to_string(),
        None => format!("{v:?}"),
    })
}

/// The codec spec for a codec string with the default `max_buffer`.
pub(super) fn codec(text: &str) -> ScannerSpec {
    ScannerSpec::from_codec(text, 0).expect("codec parses")
}

/// A spec from a JSON scanner config.
pub(super) fn config(json: &str) -> ScannerSpec {
    let config: super::ScannerConfig = serde_json::from_str(json).expect("config parses");
    ScannerSpec::try_from(config).expect("config builds")
}
