//! The runtime's typed error: what went wrong, and whether trying again
//! can help.

use std::fmt;

/// How an error should be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A passing fault (a timeout, a lost connection, a 5xx): try again
    /// later.
    Retryable,
    /// Not connected (yet, or any more): connect again, then retry.
    NotConnected,
    /// The peer refused this message (a 4xx, a code in `drop_on`):
    /// sending it again would not help.
    Rejected,
    /// Never succeeds as configured (a bad URL, refused credentials).
    Fatal,
    /// The input has no more messages.
    EndOfInput,
    /// The input's source has ended, but it waits for the outcome of
    /// what it gave (a nack would still be replayed): outputs should
    /// write what they hold back now.
    Draining,
    /// The component was closed (shutting down).
    Closed,
    /// The message was dropped before anyone answered for it.
    Dropped,
    /// No answer within the deadline.
    Timeout,
}

impl ErrorKind {
    /// Whether trying the same work again can succeed.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::Retryable | ErrorKind::NotConnected | ErrorKind::Timeout
        )
    }
}

/// An error of a pipeline component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// How to handle it.
    pub kind: ErrorKind,
    /// What happened, in plain words.
    pub message: String,
}

impl Error {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// A passing fault.
    pub fn retryable(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Retryable, message)
    }

    /// Refused by the peer.
    pub fn rejected(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Rejected, message)
    }

    /// Wrong as configured.
    pub fn fatal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Fatal, message)
    }

    /// Not connected.
    pub fn not_connected(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotConnected, message)
    }

    /// The input has ended.
    pub fn end_of_input() -> Error {
        Error::new(ErrorKind::EndOfInput, "the input has ended")
    }

    /// The source has ended; acknowledgements are awaited.
    pub fn draining() -> Error {
        Error::new(
            ErrorKind::Draining,
            "the input has ended and waits for its messages to be delivered",
        )
    }

    /// Shutting down.
    pub fn closed() -> Error {
        Error::new(ErrorKind::Closed, "the component is closed")
    }

    /// Dropped unanswered.
    pub fn dropped() -> Error {
        Error::new(
            ErrorKind::Dropped,
            "the message was dropped before it was delivered",
        )
    }

    /// The same error, with `context` (a file, a URL) before its message.
    pub fn with_context(mut self, context: &str) -> Error {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// Out of time.
    pub fn timeout(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Timeout, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        use std::io::ErrorKind as Io;
        let kind = match e.kind() {
            Io::NotFound | Io::PermissionDenied | Io::InvalidInput | Io::Unsupported => {
                ErrorKind::Fatal
            }
            Io::BrokenPipe | Io::ConnectionReset | Io::ConnectionAborted | Io::NotConnected => {
                ErrorKind::NotConnected
            }
            Io::TimedOut => ErrorKind::Timeout,
            _ => ErrorKind::Retryable,
        };
        Error::new(kind, e.to_string())
    }
}
