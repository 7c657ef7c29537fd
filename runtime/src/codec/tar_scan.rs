//! The `tar` scanner (and codec): each entry of a streamed tar archive is
//! a message, with its name in the `tar_name` metadata (the scanner sets
//! it, the old `tar` codec did not). Entries are read one at a time, so
//! memory holds one entry at most; one bigger than
//! [`ScannerLimits::max_message_bytes`](super::ScannerLimits) is an error.

use super::source::Buffered;
use super::tar::{BLOCK, Step, TarDecoder};
use super::{BoxedReader, CodecError, Scanner};
use std::task::{Context, Poll, ready};
use tarn_lang::{Message, Value};

enum State {
    Header,
    AfterZero,
    Meta {
        size: usize,
        pad: usize,
    },
    Body {
        name: String,
        size: usize,
        pad: usize,
    },
    Pad(usize),
    Done,
}

pub(crate) struct TarScanner {
    src: Buffered,
    decoder: TarDecoder,
    state: State,
    max: usize,
    name_metadata: bool,
}

fn malformed(detail: impl Into<String>) -> CodecError {
    CodecError::Malformed {
        format: "tar",
        detail: detail.into(),
    }
}

impl TarScanner {
    pub(crate) fn new(reader: BoxedReader, max: usize, name_metadata: bool) -> TarScanner {
        TarScanner {
            src: Buffered::new(reader),
            decoder: TarDecoder::default(),
            state: State::Header,
            max,
            name_metadata,
        }
    }

    fn message(&self, content: &[u8], name: &str) -> Message {
        let msg = Message::new(content);
        if self.name_metadata {
            msg.with_meta("tar_name", Value::str(name))
        } else {
            msg
        }
    }

    fn step(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        loop {
            match &self.state {
                State::Done => return Poll::Ready(Ok(None)),
                State::Header | State::AfterZero => {
                    if !ready!(self.src.poll_ensure(cx, BLOCK))? {
                        if self.src.len() == 0 {
                            self.state = State::Done;
                            continue;
                        }
                        return Poll::Ready(Err(malformed("unexpected EOF")));
                    }
                    let step = self
                        .decoder
                        .header(&self.src.data()[..BLOCK])
                        .map_err(|e| malformed(e.0))?;
                    self.src.consume(BLOCK);
                    let after_zero = matches!(self.state, State::AfterZero);
                    self.state = match step {
                        Step::Zero if after_zero => State::Done,
                        Step::Zero => State::AfterZero,
                        _ if after_zero => {
                            return Poll::Ready(Err(malformed("archive/tar: invalid tar header")));
                        }
                        Step::Meta { size, pad } => State::Meta {
                            size: size as usize,
                            pad: pad as usize,
                        },
                        Step::Entry { name, size, pad } => {
                            let size = usize::try_from(size).unwrap_or(usize::MAX);
                            if size > self.max {
                                return Poll::Ready(Err(CodecError::TooLong {
                                    what: "a tar entry",
                                    limit: self.max,
                                    setting: "max_message_bytes",
                                }));
                            }
                            State::Body {
                                name,
                                size,
                                pad: pad as usize,
                            }
                        }
                    };
                }
                &State::Meta { size, pad } => {
                    if !ready!(self.src.poll_ensure(cx, size))? {
                        return Poll::Ready(Err(malformed("unexpected EOF")));
                    }
                    let global = self
                        .decoder
                        .meta(&self.src.data()[..size])
                        .map_err(|e| malformed(e.0))?;
                    self.src.consume(size);
                    self.state = State::Pad(pad);
                    if let Some(name) = global {
                        return Poll::Ready(Ok(Some(self.message(b"", &name))));
                    }
                }
                State::Body { name, size, pad } => {
                    let (size, pad) = (*size, *pad);
                    if !ready!(self.src.poll_ensure(cx, size))? {
                        return Poll::Ready(Err(malformed("unexpected EOF")));
                    }
                    let msg = self.message(&self.src.data()[..size], name);
                    self.src.consume(size);
                    self.state = State::Pad(pad);
                    return Poll::Ready(Ok(Some(msg)));
                }
                &State::Pad(pad) => {
                    // Go ends the archive quietly when padding is cut short.
                    if !ready!(self.src.poll_ensure(cx, pad))? {
                        self.state = State::Done;
                        continue;
                    }
                    self.src.consume(pad);
                    self.state = State::Header;
                }
            }
        }
    }
}

impl Scanner for TarScanner {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, CodecError>> {
        let result = ready!(self.step(cx));
        if result.is_err() {
            self.state = State::Done;
        }
        Poll::Ready(result)
    }
}
