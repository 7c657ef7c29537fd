//! The `stdout` output: messages on standard output, one per line by
//! default. Writes are group-committed on a writer thread, so a busy
//! pipeline makes one system call for many messages, and a write resolves
//! only once its bytes are written.

use super::group_commit::{Framing, GroupCommit};
use crate::component::{Batch, BoxFuture, Build, BuildError, Error, Output, Registry, WriteCtx};
use schemars::JsonSchema;
use serde::Deserialize;
use std::io::Write;
use std::sync::Arc;

fn lines() -> String {
    "lines".into()
}

/// The `stdout` output's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How messages are separated: `lines`, `append`, or `delim:X`.
    #[serde(default = "lines")]
    pub codec: String,
}

/// Registers the output.
pub fn register(r: &mut Registry) {
    r.output::<Config>(
        "stdout",
        "Writes messages to standard output, one per line.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Output>, BuildError> {
    let framing = match Framing::parse(&cfg.codec) {
        Some(Framing::AllBytes) | None => {
            return Err(ctx.unsupported("codec", &format!("the codec `{}`", cfg.codec)));
        }
        Some(f) => f,
    };
    Ok(Arc::new(Stdout {
        framing,
        writer: GroupCommit::new("stdout", |bytes: &mut Vec<u8>| {
            let mut out = std::io::stdout().lock();
            let written = out.write_all(bytes).and_then(|()| out.flush());
            bytes.clear();
            Ok(written?)
        }),
    }))
}

/// Writes to standard output through the group-commit thread.
#[derive(Debug)]
struct Stdout {
    framing: Framing,
    writer: GroupCommit<Vec<u8>>,
}

impl Output for Stdout {
    fn write<'a>(&'a self, batch: Batch, _: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        let done = self.writer.submit(|buf| {
            batch
                .iter()
                .map(|m| self.framing.put(buf, m.content().as_bytes()))
                .sum()
        });
        Box::pin(done)
    }

    fn max_in_flight(&self) -> usize {
        super::GROUP_COMMIT_IN_FLIGHT
    }
}
