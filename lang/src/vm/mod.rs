//! The register VM that runs compiled programs.

mod assign;
mod call;
mod depth;
mod exec;
mod run;

pub use assign::set_path;
pub use call::Call;
pub use call::coerce;
pub use depth::{MAX_APPLY_DEPTH, MAX_NESTED_MAPPINGS, MAX_REENTRIES};
pub(crate) use depth::{compile_stack, grow_stack};
pub use run::{Mode, Outcome, eval, run, run_adopting, run_onto};

use crate::value::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Reusable per-thread state: register files and caches. Keep one per
/// worker and pass it to every run.
#[derive(Default)]
pub struct Vm {
    frames: Vec<Vec<Value>>,
    regexes: HashMap<String, Arc<regex::Regex>>,
    /// Object-lookup position hints for the first segments of each
    /// interned path (only hints: a stale or foreign one costs a miss).
    path_hints: Vec<[u8; HINTED_SEGMENTS]>,
}

/// How many leading segments of a path get position hints.
const HINTED_SEGMENTS: usize = 4;

const REGEX_CACHE_LIMIT: usize = 256;

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("cached_regexes", &self.regexes.len())
            .finish_non_exhaustive()
    }
}

impl Vm {
    /// A VM with empty caches.
    pub fn new() -> Vm {
        Vm::default()
    }

    /// A register file of `n` registers, all `nothing()` (unset).
    pub(crate) fn frame(&mut self, n: usize) -> Vec<Value> {
        let mut f = self.frames.pop().unwrap_or_default();
        f.clear();
        f.resize(n, Value::Nothing);
        f
    }

    /// Returns a register file for reuse.
    pub(crate) fn recycle(&mut self, mut f: Vec<Value>) {
        f.clear();
        if self.frames.len() < 64 {
            self.frames.push(f);
        }
    }

    /// The lookup hints of interned path `path`.
    #[inline]
    pub(crate) fn path_hints(&mut self, path: u32) -> &mut [u8; HINTED_SEGMENTS] {
        let i = path as usize;
        if i >= self.path_hints.len() {
            self.path_hints.resize(i + 1, [0; HINTED_SEGMENTS]);
        }
        &mut self.path_hints[i]
    }

    /// A compiled regular expression, cached by pattern.
    pub(crate) fn regex(&mut self, pattern: &str) -> Result<Arc<regex::Regex>, regex::Error> {
        if let Some(r) = self.regexes.get(pattern) {
            return Ok(r.clone());
        }
        let r = Arc::new(regex::Regex::new(pattern)?);
        if self.regexes.len() >= REGEX_CACHE_LIMIT {
            self.regexes.clear();
        }
        self.regexes.insert(pattern.to_string(), r.clone());
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Arc, Map};
    use crate::{Env, Message, Value};

    #[test]
    fn run_onto_starts_root_and_metadata_from_another_document() {
        let prog = Env::standard()
            .compile("root.got = this.x\nmeta seen = @base\nroot.had = root.keep")
            .expect("compiles");
        let batch = [Message::new(br#"{"x":1}"#).with_meta("base", Value::Int(9))];
        let mut meta = Map::new();
        meta.insert("base", Value::Int(7));
        let root = Value::Object(Arc::new(Map::from_pairs(vec![(
            "keep".into(),
            Value::Bool(true),
        )])));
        let out = run_onto(&prog, &mut Vm::new(), &batch, 0, root, Arc::new(meta)).expect("runs");
        let Value::Object(doc) = &out.root else {
            panic!("an object: {:?}", out.root);
        };
        assert_eq!(doc.get("got"), Some(&Value::Int(1)));
        assert_eq!(doc.get("keep"), Some(&Value::Bool(true)));
        assert_eq!(doc.get("had"), Some(&Value::Bool(true)));
        // `@` reads, and writes go to, the given metadata.
        assert_eq!(out.meta.get("seen"), Some(&Value::Int(7)));
        assert_eq!(out.meta.get("base"), Some(&Value::Int(7)));
    }
}
