//! The `stdin` input: standard input cut into messages by a scanner
//! (`scanner`, `lines: {}` by default, or the older `codec` string with
//! `max_buffer`), one message per transaction. Reading stops at the end
//! of the stream or at the first error, such as a message over its size
//! limit, which is reported with the limit and the setting that sets it.

use crate::codec::{Scanner, ScannerConfig, ScannerSpec, ThreadReader};
use crate::component::replay::auto_replay;
use crate::component::{
    AckHandle, BoxFuture, Build, BuildError, Error, Input, Registry, Transaction,
};
use schemars::JsonSchema;
use serde::Deserialize;

fn yes() -> bool {
    true
}

/// The `stdin` input's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How the stream is cut into messages (`lines: {}` when neither this
    /// nor `codec` is set).
    #[serde(default)]
    pub scanner: Option<ScannerConfig>,
    /// The older form of `scanner`: `lines`, `delim:X`, `csv`,
    /// `all-bytes`, `chunker:N`, `regex:P`, `tar`, with `gzip/` or
    /// `skipbom/` before them. Cannot be set with `scanner`.
    #[serde(default)]
    pub codec: Option<String>,
    /// With `codec`: the longest message in bytes for `lines`, `delim:X`
    /// and `regex:P` (1000000 by default).
    #[serde(default)]
    pub max_buffer: Option<i64>,
    /// Read a rejected message again until it is delivered (otherwise it
    /// is logged and dropped).
    #[serde(default = "yes")]
    pub auto_replay_nacks: bool,
}

/// Registers the input.
pub fn register(r: &mut Registry) {
    r.input::<Config>(
        "stdin",
        "Reads messages from standard input, cut by a scanner (one per line by default).",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Box<dyn Input>, BuildError> {
    let spec = scanner_spec(ctx, cfg.codec.as_deref(), cfg.max_buffer, cfg.scanner)?;
    let input = Stdin {
        state: State::Unopened(spec),
    };
    Ok(auto_replay(Box::new(input), cfg.auto_replay_nacks))
}

/// The scanner of an input with Benthos's `scanner` field and its older
/// `codec` / `max_buffer` fields (`stdin`, `file`), or the error placed
/// at the field that causes it.
pub(super) fn scanner_spec(
    ctx: &Build<'_>,
    codec: Option<&str>,
    max_buffer: Option<i64>,
    scanner: Option<ScannerConfig>,
) -> Result<ScannerSpec, BuildError> {
    let field = match (codec, &scanner) {
        (Some(_), Some(_)) => "scanner",
        (None, _) if max_buffer.is_some() => "max_buffer",
        (Some(_), None) if max_buffer.is_some_and(|m| m < 0) => "max_buffer",
        (Some(_), None) => "codec",
        (None, _) => "scanner",
    };
    ScannerSpec::for_input(codec, max_buffer, scanner).map_err(|e| ctx.field_error(field, e.to_string()))
}

/// Where standard input is.
enum State {
    /// Not read yet (building reads nothing).
    Unopened(ScannerSpec),
    /// Being read.
    Open(Box<dyn Scanner>),
    /// Ended or failed.
    Done,
}

/// Standard input, message by message.
struct Stdin {
    state: State,
}

impl std::fmt::Debug for Stdin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stdin")
    }
}

impl Input for Stdin {
    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            if let State::Unopened(spec) = &self.state {
                let opened = ThreadReader::spawn("stdin", std::io::stdin())
                    .map_err(|e| e.to_string())
                    .and_then(|r| spec.open(Box::new(r), "").map_err(|e| e.to_string()));
                self.state = match opened {
                    Ok(scanner) => State::Open(scanner),
                    Err(e) => {
                        self.state = State::Done;
                        return Err(Error::fatal(format!("stdin: {e}")));
                    }
                };
            }
            let State::Open(scanner) = &mut self.state else {
                return Err(Error::end_of_input());
            };
            // Cancel-safe: the scanner keeps what it has read so far.
            match scanner.next_message().await {
                Ok(Some(msg)) => Ok(Transaction::new(vec![msg], AckHandle::none())),
                Ok(None) => {
                    self.state = State::Done;
                    Err(Error::end_of_input())
                }
                Err(e) => {
                    self.state = State::Done;
                    Err(Error::fatal(format!("stdin: {e}")))
                }
            }
        })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        self.state = State::Done;
        Box::pin(async {})
    }
}
