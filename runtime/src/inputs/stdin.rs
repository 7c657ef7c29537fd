//! The `stdin` input: one message per line of standard input.

use super::lines::LineReader;
use crate::component::replay::auto_replay;
use crate::component::{AckHandle, BoxFuture, Build, BuildError, Error, Input, Registry, Transaction};
use schemars::JsonSchema;
use serde::Deserialize;
use tarn_lang::Message;

fn lines() -> String {
    "lines".into()
}

fn one_mebibyte() -> usize {
    1_000_000
}

fn yes() -> bool {
    true
}

/// The `stdin` input's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How the stream is split into messages (older form of `scanner`);
    /// `lines` splits on newlines.
    #[serde(default = "lines")]
    pub codec: String,
    /// How the stream is split into messages (`{lines: {}}` by default).
    pub scanner: Option<serde_json::Value>,
    /// The longest message, in bytes; a longer line is an error.
    #[serde(default = "one_mebibyte")]
    pub max_buffer: usize,
    /// Read a rejected message again until it is delivered (otherwise it
    /// is logged and dropped).
    #[serde(default = "yes")]
    pub auto_replay_nacks: bool,
}

/// Registers the input.
pub fn register(r: &mut Registry) {
    r.input::<Config>(
        "stdin",
        "Reads messages from standard input, one per line.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Box<dyn Input>, BuildError> {
    if cfg.codec != "lines" {
        return Err(ctx.unsupported("codec", &format!("the codec `{}`", cfg.codec)));
    }
    if let Some(s) = &cfg.scanner
        && s != &serde_json::json!({"lines": {}})
        && s != &serde_json::json!({"lines": null})
    {
        return Err(ctx.unsupported("scanner", "a scanner other than `lines: {}`"));
    }
    let input = Stdin {
        lines: LineReader::new(tokio::io::stdin(), cfg.max_buffer),
    };
    Ok(auto_replay(Box::new(input), cfg.auto_replay_nacks))
}

/// Standard input, line by line.
struct Stdin {
    lines: LineReader<tokio::io::Stdin>,
}

impl std::fmt::Debug for Stdin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stdin({:?})", self.lines)
    }
}

impl Input for Stdin {
    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            match self.lines.next_line().await {
                Ok(Some(line)) => Ok(Transaction::new(
                    vec![Message::new(&line)],
                    AckHandle::none(),
                )),
                Ok(None) => Err(Error::end_of_input()),
                Err(e) => Err(Error::fatal(format!("stdin: {e}"))),
            }
        })
    }
}
