//! Processors: the steps between input and output. They are CPU work on
//! a batch and run synchronously on a pipeline worker with its own VM.

pub mod flow;

use crate::txn::{Batch, ResponseStore};
pub use flow::{Branch, SwitchCase};
use std::sync::Arc;
use tarn_lang::{ErrorSource, Mode, Program, Vm};

/// One configured processor.
#[derive(Debug)]
pub enum Processor {
    /// `mapping` / `bloblang` (a new document) or `mutation` (in place).
    Mapping {
        /// The compiled mapping.
        program: Arc<Program>,
        /// Mapping or mutation.
        mode: Mode,
        /// Name, label and config path, attached to messages it fails.
        source: ErrorSource,
    },
    /// Copies the batch as it is now into the response store.
    SyncResponse,
    /// Runs its processors on errored messages, then clears their errors.
    Catch(Vec<Processor>),
    /// Writes a log line per message.
    Log(crate::log::LogProcessor),
    /// A processor counted in `/metrics` under its label and path.
    Observed(Box<Processor>, crate::metrics::ProcessorMetrics),
    /// Runs each message through the first case whose check passes.
    Switch(Vec<SwitchCase>),
    /// Processes a derived message and maps the result back.
    Branch(Box<Branch>),
}

/// Runs `processors` in order on `batch`.
pub fn run_all(
    processors: &[Processor],
    vm: &mut Vm,
    mut batch: Batch,
    store: Option<&ResponseStore>,
) -> Batch {
    for p in processors {
        if batch.is_empty() {
            break;
        }
        batch = p.process(vm, batch, store);
    }
    batch
}

impl Processor {
    /// Runs this processor on a batch. Messages may be dropped (an empty
    /// batch counts as fully handled).
    pub fn process(&self, vm: &mut Vm, batch: Batch, store: Option<&ResponseStore>) -> Batch {
        match self {
            Processor::Mapping {
                program,
                mode,
                source,
            } => map_batch(program, *mode, vm, batch, source),
            Processor::SyncResponse => {
                if let Some(store) = store {
                    store.set(batch.clone());
                }
                batch
            }
            Processor::Catch(children) => {
                let (failed, mut ok): (Batch, Batch) =
                    batch.into_iter().partition(|m| m.error().is_some());
                if failed.is_empty() {
                    return ok;
                }
                let mut handled = run_all(children, vm, failed, store);
                for m in &mut handled {
                    m.set_error(None);
                }
                ok.extend(handled);
                ok
            }
            Processor::Log(log) => {
                log.process(vm, &batch);
                batch
            }
            Processor::Observed(inner, metrics) => {
                metrics.observe(batch, |b| inner.process(vm, b, store))
            }
            Processor::Switch(cases) => flow::run_switch(cases, vm, batch, store),
            Processor::Branch(branch) => branch.run(vm, batch, store),
        }
    }
}

/// Runs a mapping on every message of the batch. A failing message goes
/// on unchanged, flagged with the error; a deleted one is dropped.
fn map_batch(
    program: &Program,
    mode: Mode,
    vm: &mut Vm,
    mut batch: Batch,
    source: &ErrorSource,
) -> Batch {
    let mut out = Vec::with_capacity(batch.len());
    for i in 0..batch.len() {
        // A batch of one can hand its parsed document over as `root`
        // (no copy); in larger batches other messages' runs may read it.
        let result = match batch.as_mut_slice() {
            [only] => tarn_lang::vm::run_adopting(program, vm, only, mode),
            _ => tarn_lang::vm::run(program, vm, &batch, i, mode),
        };
        match result {
            Ok(outcome) => {
                let mut msg = batch[i].clone();
                msg.set_meta(outcome.meta);
                match flow::set_root(&mut msg, outcome.root) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => msg.set_error_from(e, source.clone()),
                }
                out.push(msg);
            }
            Err(e) => {
                let mut msg = batch[i].clone();
                msg.set_error_from(e.to_string(), source.clone());
                out.push(msg);
            }
        }
    }
    out
}
