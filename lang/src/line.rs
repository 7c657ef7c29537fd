//! Line mode: run a mapping on one raw message and produce its new
//! content, as `tarn blobl` and the conformance corpus expect.

use crate::convert::to_message_bytes;
use crate::error::Result;
use crate::message::Message;
use crate::program::Program;
use crate::value::Value;
use crate::vm::{Mode, Vm, run};

/// Runs `prog` on `input` and writes the resulting content to `out`:
/// strings and bytes raw, other values as compact JSON with sorted keys,
/// the input unchanged when `root` is never assigned, nothing when the
/// message is deleted.
pub fn map_line(prog: &Program, vm: &mut Vm, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let batch = [Message::new(input)];
    let outcome = run(prog, vm, &batch, 0, Mode::Mapping)?;
    match &outcome.root {
        Value::Nothing => out.extend_from_slice(input),
        Value::Delete => {}
        v => to_message_bytes(v, out)?,
    }
    Ok(())
}
