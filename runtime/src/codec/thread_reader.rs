//! A blocking byte source (standard input, a file) read by a thread of
//! its own, a few blocks ahead of the scanner: the async side finds the
//! next block waiting instead of handing each read to tokio's blocking
//! pool and parking until it returns.

use super::source::READ_BLOCK;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

/// Blocks read but not yet taken (memory: this many times `READ_BLOCK`).
const BLOCKS_AHEAD: usize = 4;

/// The async end of a reader thread.
pub struct ThreadReader {
    blocks: mpsc::Receiver<io::Result<Vec<u8>>>,
    /// The block being handed out, and how much of it is.
    current: Vec<u8>,
    taken: usize,
    done: bool,
}

impl ThreadReader {
    /// Starts a thread named `name` that reads `source` ahead. The thread
    /// ends at the end of the stream, at an error (handed on), or once
    /// this reader is dropped and its next block is ready.
    pub fn spawn(name: &str, mut source: impl Read + Send + 'static) -> io::Result<ThreadReader> {
        let (tx, rx) = mpsc::channel(BLOCKS_AHEAD);
        std::thread::Builder::new()
            .name(format!("tarn-read-{name}"))
            .spawn(move || {
                loop {
                    let mut block = vec![0; READ_BLOCK];
                    let read = loop {
                        match source.read(&mut block) {
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                            other => break other,
                        }
                    };
                    let end = matches!(read, Ok(0) | Err(_));
                    let sent = read.map(|n| {
                        block.truncate(n);
                        block
                    });
                    if tx.blocking_send(sent).is_err() || end {
                        return;
                    }
                }
            })?;
        Ok(ThreadReader {
            blocks: rx,
            current: Vec::new(),
            taken: 0,
            done: false,
        })
    }
}

impl AsyncRead for ThreadReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        while this.taken == this.current.len() {
            if this.done {
                return Poll::Ready(Ok(()));
            }
            match this.blocks.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                // A finished thread without an empty block: the end.
                Poll::Ready(None) => this.done = true,
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(Some(Ok(block))) => {
                    this.done = block.is_empty();
                    this.current = block;
                    this.taken = 0;
                }
            }
        }
        let n = buf.remaining().min(this.current.len() - this.taken);
        buf.put_slice(&this.current[this.taken..this.taken + n]);
        this.taken += n;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn hands_on_every_byte_in_order_then_the_end() {
        let data: Vec<u8> = (0..(READ_BLOCK * 3 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        let mut r = ThreadReader::spawn("test", io::Cursor::new(data.clone())).expect("spawn");
        let mut got = Vec::new();
        r.read_to_end(&mut got).await.expect("read");
        assert_eq!(got, data);
        let mut more = [0u8; 4];
        assert_eq!(r.read(&mut more).await.expect("read at end"), 0);
    }

    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }

    #[tokio::test]
    async fn a_read_error_reaches_the_reader() {
        let mut r = ThreadReader::spawn("test", Failing).expect("spawn");
        let mut got = Vec::new();
        let e = r.read_to_end(&mut got).await.expect_err("fails");
        assert_eq!(e.to_string(), "disk on fire");
    }
}
