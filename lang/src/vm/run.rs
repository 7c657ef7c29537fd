//! Entry points: running a program on a message, as a mapping or a
//! mutation, onto another document, or as a query.

use super::Vm;
use super::depth::{Depth, grow_stack};
use super::exec::Exec;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::program::Program;
use crate::value::{Arc, Map, Value};

/// How the document is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new document: `root` starts empty, `this` is the input.
    Mapping,
    /// In place: `root` and `this` are the same live input document.
    Mutation,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The final `root`: `nothing()` when never assigned, `deleted()` when
    /// the message is to be dropped.
    pub root: Value,
    /// The output metadata.
    pub meta: Arc<Map>,
}

/// Runs `prog` on message `index` of `batch`.
pub fn run(
    prog: &Program,
    vm: &mut Vm,
    batch: &[Message],
    index: usize,
    mode: Mode,
) -> Result<Outcome> {
    run_top(
        prog,
        vm,
        batch,
        index,
        mode,
        Start::Fresh,
        Depth::default(),
        outcome,
    )
}

/// [`run`] inside a run whose re-entries are `outer`: the nested run
/// continues that count (one mapping deeper), so mappings running
/// mappings fail with an error once too deep instead of overflowing
/// the stack.
pub(super) fn run_nested(
    prog: &Program,
    vm: &mut Vm,
    batch: &[Message],
    mode: Mode,
    outer: Depth,
) -> Result<Outcome> {
    let depth = outer.enter_mapping()?;
    grow_stack(|| run_top(prog, vm, batch, 0, mode, Start::Fresh, depth, outcome))
}

/// [`run`] on a message the caller owns: when the program allows it
/// ([`Program::adopts_input`]) and the input is a JSON object parsed from
/// the content, that object becomes `root` itself instead of a copy, and
/// the message's parse cache is left empty (a later read parses the
/// unchanged content again). The outcome is the same as [`run`]'s.
pub fn run_adopting(prog: &Program, vm: &mut Vm, msg: &mut Message, mode: Mode) -> Result<Outcome> {
    let start = if prog.adopts_input && mode == Mode::Mapping {
        msg.take_structured_object()
            .map_or(Start::Fresh, Start::Adopt)
    } else {
        Start::Fresh
    };
    let batch = std::slice::from_ref(&*msg);
    run_top(prog, vm, batch, 0, mode, start, Depth::default(), outcome)
}

/// Runs `prog` as a mapping on message `index` of `batch` (its `this`),
/// with `root` starting as `root` and the output metadata starting as
/// `meta` instead of the message's own: a mapping "onto" another
/// document, as a branch's `result_map` runs.
pub fn run_onto(
    prog: &Program,
    vm: &mut Vm,
    batch: &[Message],
    index: usize,
    root: Value,
    meta: Arc<Map>,
) -> Result<Outcome> {
    run_top(
        prog,
        vm,
        batch,
        index,
        Mode::Mapping,
        Start::Onto(root, meta),
        Depth::default(),
        outcome,
    )
}

/// Evaluates a query program (an interpolation) on message `index`.
pub fn eval(prog: &Program, vm: &mut Vm, batch: &[Message], index: usize) -> Result<Value> {
    run_top(
        prog,
        vm,
        batch,
        index,
        Mode::Mapping,
        Start::Fresh,
        Depth::default(),
        |_, result| result,
    )
}

/// The final document and metadata of a finished run.
fn outcome(exec: &mut Exec<'_>, result: Result<Value>) -> Result<Outcome> {
    result.map(|_| Outcome {
        root: std::mem::take(&mut exec.root),
        meta: exec.meta.clone(),
    })
}

/// How a run's `root` starts.
enum Start {
    /// Empty, with the message's metadata.
    Fresh,
    /// As this document, with this output metadata ([`run_onto`]).
    Onto(Value, Arc<Map>),
    /// Empty, with the message's metadata, holding the parsed input
    /// that the opening `root = this` takes ([`run_adopting`]).
    Adopt(Value),
}

/// Runs the top unit of `prog`, `depth` re-entries deep, and lets
/// `finish` read the final state before the registers go back to the pool.
#[allow(clippy::too_many_arguments)]
fn run_top<T>(
    prog: &Program,
    vm: &mut Vm,
    batch: &[Message],
    index: usize,
    mode: Mode,
    start: Start,
    depth: Depth,
    finish: impl FnOnce(&mut Exec<'_>, Result<Value>) -> Result<T>,
) -> Result<T> {
    let Some(unit) = prog.units.first() else {
        return Err(Error::msg("empty program"));
    };
    let message_meta = || {
        batch
            .get(index)
            .map_or_else(|| Arc::new(Map::new()), |m| m.meta().clone())
    };
    let (root, meta, adopted) = match start {
        Start::Fresh => (Value::Nothing, message_meta(), None),
        Start::Onto(root, meta) => (root, meta, None),
        Start::Adopt(doc) => (Value::Nothing, message_meta(), Some(doc)),
    };
    let regs = vm.frame(unit.n_regs as usize);
    let mut exec = Exec {
        prog,
        vm,
        regs,
        batch,
        this_index: index,
        this_doc: None,
        adopted,
        reads_root: false,
        index,
        mode,
        root,
        root_loaded: mode == Mode::Mapping,
        meta,
        unit: 0,
        depth,
    };
    let result = exec.run_range(0, 0, unit.code.len() as u32);
    let out = finish(&mut exec, result);
    let regs = std::mem::take(&mut exec.regs);
    exec.vm.recycle(regs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Env;

    /// `run_adopting` gives what `run` gives, whatever the input.
    #[test]
    fn adopting_matches_a_plain_run() {
        let cases = [
            ("root = this\nroot.b = this.a + 1", r#"{"a":1}"#),
            (
                "root = this\nroot.0 = deleted()\nroot.0 = this.1",
                "[1,2,3]",
            ),
            ("root = this\nroot.\"-\" = 5\nroot.\"-\" = this.2", "[1,2]"),
            ("root = this\nroot.x = this.y", r#""text""#),
            ("root = this\nroot.x = this.y", "null"),
            ("root = this\nroot.x = this.y", ""),
            ("root = this\nroot.x = this.y", "not json"),
            (
                "root = this\nroot.x = this.a.b\nroot.a.c = 1",
                r#"{"a":{"b":2}}"#,
            ),
        ];
        for (mapping, input) in cases {
            let prog = Env::standard().compile(mapping).expect("compiles");
            let plain = run(
                &prog,
                &mut Vm::new(),
                &[Message::new(input.as_bytes())],
                0,
                Mode::Mapping,
            );
            let mut owned = Message::new(input.as_bytes());
            let adopted = run_adopting(&prog, &mut Vm::new(), &mut owned, Mode::Mapping);
            let shown = |r: &Result<Outcome>| match r {
                Ok(o) => format!("{:?}", o.root),
                Err(e) => format!("error: {}", e.message()),
            };
            assert_eq!(shown(&adopted), shown(&plain), "{mapping} on {input}");
        }
    }

    /// A structured form that was given (a mapping's output, raw text) is
    /// never taken: parsing the content again could not give it back.
    #[test]
    fn a_given_structured_form_stays() {
        let prog = Env::standard()
            .compile("root = this\nroot.x = 1")
            .expect("compiles");
        let mut obj = Map::new();
        obj.insert("b", Value::bytes(b"hi"));
        let mut msg = Message::with_structured(
            crate::value::Blob::new(br#"{"b":"aGk="}"#),
            Value::object(obj),
        );
        let out = run_adopting(&prog, &mut Vm::new(), &mut msg, Mode::Mapping);
        assert!(out.is_ok());
        let kept = msg.structured().expect("still structured");
        assert!(matches!(kept.get_path(&["b"]), Some(Value::Bytes(_))));
    }
}
