//! Compiled programs: register bytecode plus the tables it refers to.

use crate::ops::Op;
use crate::stdlib::Spec;
use crate::value::{Str, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use tarn_syntax::Span;

/// A register index within a unit's register file.
pub type Reg = u16;

/// One VM instruction. Operands are registers unless named otherwise;
/// `k`, `path`, `site`, `info` and `name` index the program's tables.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)] // operands are described on each variant
pub enum Instr {
    /// `dst = consts[k]`
    Const { dst: Reg, k: u32 },
    /// `dst = src` (a clone: a reference-count bump for containers)
    Move { dst: Reg, src: Reg },
    /// `dst = this` at the top level (the input document, or the live
    /// document in a mutation)
    This { dst: Reg },
    /// `dst = this.<path>` at the top level
    ThisPath { dst: Reg, path: u32 },
    /// `dst = src.<path>` (walks by reference, clones only the leaf)
    Path { dst: Reg, src: Reg, path: u32 },
    /// `dst = root`
    Root { dst: Reg },
    /// `dst = root.<path>`
    RootPath { dst: Reg, path: u32 },
    /// `dst = $var`, failing when it is not set
    Var { dst: Reg, var: Reg, name: u32 },
    /// `dst = @key` (output metadata); `key == u32::MAX` means `@`
    Meta { dst: Reg, key: u32 },
    /// `dst = a <op> b`
    Binary {
        op: Op,
        dst: Reg,
        a: Reg,
        b: Reg,
        info: u32,
    },
    /// `dst = a <op> consts[k]` (a constant right operand, not loaded
    /// into a register first)
    BinaryConst {
        op: Op,
        dst: Reg,
        a: Reg,
        k: u32,
        info: u32,
    },
    /// `dst = this.<path> <op> consts[k]`: the input's value is used in
    /// place, not copied into a register first
    BinaryThisConst {
        op: Op,
        dst: Reg,
        path: u32,
        k: u32,
        info: u32,
    },
    /// `dst = !src`
    Not { dst: Reg, src: Reg, info: u32 },
    /// `dst = src` as the bool operand of `&&` / `||`
    Logic { dst: Reg, src: Reg, info: u32 },
    /// `dst = src` as an `if` condition; `null_is_false` for expressions
    Cond {
        dst: Reg,
        src: Reg,
        info: u32,
        null_is_false: bool,
    },
    /// Continue at `to`.
    Jump { to: u32 },
    /// Continue at `to` when `cond` is `true`.
    JumpIf { cond: Reg, to: u32 },
    /// Continue at `to` unless `cond` is `true`.
    JumpUnless { cond: Reg, to: u32 },
    /// Continue at `to` when `src` is not `null`, `deleted()` or `nothing()`.
    JumpIfPresent { src: Reg, to: u32 },
    /// `dst = f(args…)`
    CallFn { dst: Reg, site: u32, args: Reg },
    /// `dst = recv.m(args…)`; `take` moves the receiver out of its register
    CallMethod {
        dst: Reg,
        recv: Reg,
        site: u32,
        args: Reg,
        take: bool,
    },
    /// `dst = [regs start..start+len]`, sentinels omitted
    MakeArray { dst: Reg, start: Reg, len: u16 },
    /// `dst = {k0: v0, …}` from `len` key/value register pairs
    MakeObject {
        dst: Reg,
        start: Reg,
        len: u16,
        info: u32,
    },
    /// `root.<path> = src`
    Assign { src: Reg, path: u32 },
    /// `root.<path> = consts[k]`
    AssignConst { k: u32, path: u32 },
    /// `$var = src`
    SetVar { var: Reg, src: Reg },
    /// `meta <key> = src`; `key == u32::MAX` replaces all metadata
    SetMeta { key: u32, src: Reg },
    /// End of a closure: its result is in `src`.
    Return { src: Reg },
    /// End of a unit.
    Halt,
}

/// Operand annotations for error messages (``field `this.a` ``,
/// `number literal`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// The left / only operand.
    pub a: Box<str>,
    /// The right operand.
    pub b: Box<str>,
}

/// A piece of code run on demand by a stdlib method (a query argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closure {
    /// First instruction.
    pub entry: u32,
    /// One past the last instruction (its `Return`).
    pub end: u32,
    /// Where the context value goes, if the closure rebinds `this`.
    pub ctx: Option<Reg>,
}

/// A code range whose errors get a prefix (statements, conditions, match
/// cases).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrap {
    /// First instruction covered.
    pub start: u32,
    /// One past the last instruction covered.
    pub end: u32,
    /// Text put in front of the error.
    pub prefix: Box<str>,
}

/// One compiled body: the main mapping or a named map.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// The instructions.
    pub code: Vec<Instr>,
    /// Source span of each instruction.
    pub spans: Vec<Span>,
    /// Registers needed.
    pub n_regs: u16,
    /// Error-prefix ranges, innermost first for equal starts.
    pub wraps: Vec<Wrap>,
    /// Where the applied value goes (named maps).
    pub ctx: Option<Reg>,
    /// Registers holding variables, by name.
    pub vars: Vec<(String, Reg)>,
}

/// A call of a stdlib function or method, with everything resolved at
/// compile time.
pub struct CallSite {
    /// The spec called.
    pub spec: &'static Spec,
    /// Annotation of the receiver (methods) or of the call (functions).
    pub annotation: Box<str>,
    /// Number of argument registers.
    pub argc: u16,
    /// Closure index for each argument that is a query.
    pub queries: Vec<Option<u32>>,
    /// Closure index of a lazily evaluated receiver.
    pub receiver: Option<u32>,
    /// Where the call is written.
    pub span: Span,
    /// Mutable state of stateful functions (`counter`, `random_int`).
    pub state: Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

impl std::fmt::Debug for CallSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallSite")
            .field("name", &self.spec.name)
            .field("annotation", &self.annotation)
            .field("argc", &self.argc)
            .finish()
    }
}

/// A compiled mapping, ready to run any number of times from any number
/// of threads.
#[derive(Debug, Default)]
pub struct Program {
    /// Unit 0 is the mapping; the rest are named maps.
    pub units: Vec<Unit>,
    /// Named maps by name.
    pub maps: HashMap<String, usize>,
    /// Constants.
    pub consts: Vec<Value>,
    /// Interned paths.
    pub paths: Vec<Box<[Str]>>,
    /// Call sites.
    pub sites: Vec<CallSite>,
    /// Operand annotations.
    pub infos: Vec<Info>,
    /// Closures, by index (each lives in the unit that created it).
    pub closures: Vec<Closure>,
    /// The source text, for error positions.
    pub source: String,
    /// True for `${! … }` interpolations (no `root`, no variables).
    pub interpolation: bool,
    /// True when the mapping may take its input document as `root`
    /// instead of a copy (see [`crate::vm::run_adopting`]): it starts with
    /// `root = this` and never reads a field of `this` it assigns.
    pub adopts_input: bool,
    /// The directory of the mapping file, when it came from one; relative
    /// paths of `file_rel()` resolve against it.
    pub dir: Option<std::path::PathBuf>,
}

impl Program {
    /// A path rendered with dots.
    pub fn path_text(&self, path: u32) -> String {
        self.paths
            .get(path as usize)
            .map(|p| p.iter().map(Str::as_str).collect::<Vec<_>>().join("."))
            .unwrap_or_default()
    }

    /// Total instruction count over all units.
    pub fn instruction_count(&self) -> usize {
        self.units.iter().map(|u| u.code.len()).sum()
    }

    /// A human-readable listing of the bytecode (for `tarn blobl --dump`
    /// and tests).
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        for (i, unit) in self.units.iter().enumerate() {
            let name = self
                .maps
                .iter()
                .find(|(_, u)| **u == i)
                .map_or("main", |(n, _)| n.as_str());
            let adopts = if i == 0 && self.adopts_input {
                ", takes the input as root"
            } else {
                ""
            };
            out.push_str(&format!(
                "unit {i} ({name}), {} registers{adopts}\n",
                unit.n_regs
            ));
            for (pc, instr) in unit.code.iter().enumerate() {
                out.push_str(&format!("  {pc:4}  {}\n", self.describe(instr)));
            }
        }
        out
    }

    /// `root.<path> = <value>` (`root = <value>` for the empty path).
    fn assignment_text(&self, path: u32, value: &str) -> String {
        let p = self.path_text(path);
        if p.is_empty() {
            format!("root = {value}")
        } else {
            format!("root.{p} = {value}")
        }
    }

    fn describe(&self, instr: &Instr) -> String {
        match *instr {
            Instr::Const { dst, k } => format!("r{dst} = const {:?}", self.consts[k as usize]),
            Instr::ThisPath { dst, path } => format!("r{dst} = this.{}", self.path_text(path)),
            Instr::Path { dst, src, path } => format!("r{dst} = r{src}.{}", self.path_text(path)),
            Instr::RootPath { dst, path } => format!("r{dst} = root.{}", self.path_text(path)),
            Instr::Assign { src, path } => self.assignment_text(path, &format!("r{src}")),
            Instr::AssignConst { k, path } => {
                self.assignment_text(path, &format!("const {:?}", self.consts[k as usize]))
            }
            Instr::BinaryConst { op, dst, a, k, .. } => {
                format!("r{dst} = r{a} {op:?} const {:?}", self.consts[k as usize])
            }
            Instr::BinaryThisConst {
                op, dst, path, k, ..
            } => format!(
                "r{dst} = this.{} {op:?} const {:?}",
                self.path_text(path),
                self.consts[k as usize]
            ),
            Instr::CallFn { dst, site, args } => {
                let s = &self.sites[site as usize];
                format!("r{dst} = {}(r{args}..+{})", s.spec.name, s.argc)
            }
            Instr::CallMethod {
                dst,
                recv,
                site,
                args,
                take,
            } => {
                let s = &self.sites[site as usize];
                let mv = if take { " (move)" } else { "" };
                format!("r{dst} = r{recv}{mv}.{}(r{args}..+{})", s.spec.name, s.argc)
            }
            other => format!("{other:?}"),
        }
    }
}
