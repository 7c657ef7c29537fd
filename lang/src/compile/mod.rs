//! The compiler: syntax tree → register bytecode.
//!
//! Each unit (the mapping, each named map) gets a register file: `let`
//! variables first, then temporaries allocated stack-wise. Query arguments
//! of methods (`map_each(x -> …)`) become closures: code placed inline and
//! jumped over, run by the method through [`crate::vm::Call::query`].

mod adopt;
mod annot;
mod call;
mod expr;
mod scan;

pub use annot::{annotation, field_path_text};

/// True when `e` is a compile-time constant (a literal, or arithmetic and
/// comparisons of literals that fold without error).
pub fn is_constant(e: &tarn_syntax::ast::Expr) -> bool {
    matches!(annot::constant(e), Some(Ok(_)))
}

use crate::diag::Diagnostic;
use crate::env::Env;
use crate::program::{Info, Instr, Program, Reg, Unit, Wrap};
use crate::value::{Str, Value};
use std::collections::HashMap;
use tarn_syntax::ast::{IfStmt, Stmt, StmtKind};
use tarn_syntax::{LineIndex, Span};

/// What `this` means at the point being compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The input message (or the live document in a mutation).
    Input,
    /// A register holding the context value.
    Reg(Reg),
}

/// Names in scope while compiling an expression.
#[derive(Debug, Clone)]
struct Scope {
    ctx: Ctx,
    lambdas: Vec<(String, Reg)>,
}

/// The unit being built.
#[derive(Default)]
struct UnitBuilder {
    code: Vec<Instr>,
    spans: Vec<Span>,
    next: u32,
    max: u32,
    wraps: Vec<Wrap>,
    vars: HashMap<String, Reg>,
    ctx: Option<Reg>,
}

/// Compiles parsed mappings into a [`Program`].
pub(crate) struct Compiler<'e> {
    env: &'e Env,
    prog: Program,
    diags: Vec<Diagnostic>,
    unit: UnitBuilder,
    scope: Scope,
    lines: LineIndex,
    /// Line of the construct that statement lines are counted from
    /// (0 at the top level, the `map` line inside a map).
    line_base: usize,
    str_consts: HashMap<String, u32>,
}

impl<'e> Compiler<'e> {
    pub(crate) fn new(env: &'e Env, source: &str, interpolation: bool) -> Compiler<'e> {
        let prog = Program {
            source: source.to_string(),
            interpolation,
            ..Program::default()
        };
        Compiler {
            env,
            prog,
            diags: Vec::new(),
            unit: UnitBuilder::default(),
            scope: Scope {
                ctx: Ctx::Input,
                lambdas: Vec::new(),
            },
            lines: LineIndex::new(source),
            line_base: 0,
            str_consts: HashMap::new(),
        }
    }

    pub(crate) fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(span, message));
    }

    pub(crate) fn finish(mut self) -> (Program, Vec<Diagnostic>) {
        self.diags.sort_by_key(|d| (d.span.start, d.span.end));
        self.prog.adopts_input = adopt::adopts_input(&self.prog);
        (self.prog, self.diags)
    }

    /// Registers every named map name first so `apply` can be checked.
    pub(crate) fn declare_map(&mut self, name: &str, span: Span) -> Option<usize> {
        if self.prog.maps.contains_key(name) {
            self.error(span, format!("map name collision: {name}"));
            return None;
        }
        let index = 1 + self.prog.maps.len();
        self.prog.maps.insert(name.to_string(), index);
        Some(index)
    }

    /// The unit index of a declared map.
    pub(crate) fn map_index(&self, name: &str) -> Option<usize> {
        self.prog.maps.get(name).copied()
    }

    /// Compiles an imported map, whose lines count in its own file.
    pub(crate) fn compile_map_from(
        &mut self,
        index: usize,
        body: &[Stmt],
        map_span: Span,
        source: &str,
    ) {
        let saved = std::mem::replace(&mut self.lines, LineIndex::new(source));
        self.compile_map(index, body, map_span);
        self.lines = saved;
    }

    /// Compiles a single query whose value the unit returns (interpolations).
    pub(crate) fn compile_query(&mut self, e: &tarn_syntax::ast::Expr) {
        self.begin_unit(&[], None);
        let r = self.alloc();
        self.expr(e, r);
        self.emit(Instr::Return { src: r }, e.span);
        let unit = self.end_unit();
        self.prog.units.insert(0, unit);
    }

    /// Compiles the top-level statements as unit 0.
    pub(crate) fn compile_main(&mut self, stmts: &[Stmt]) {
        self.begin_unit(stmts, None);
        for s in stmts {
            self.stmt(s);
        }
        self.emit(Instr::Halt, Span::default());
        let unit = self.end_unit();
        if self.prog.units.is_empty() {
            self.prog.units.push(unit);
        } else {
            self.prog.units[0] = unit;
        }
    }

    /// Compiles a named map's body as its own unit.
    pub(crate) fn compile_map(&mut self, index: usize, body: &[Stmt], map_span: Span) {
        let saved_base = self.line_base;
        self.line_base = self.lines.line_of(map_span.start as usize);
        self.begin_unit(body, Some(()));
        for s in body {
            self.stmt(s);
        }
        self.emit(Instr::Halt, Span::default());
        let unit = self.end_unit();
        while self.prog.units.len() <= index {
            self.prog.units.push(Unit::default());
        }
        self.prog.units[index] = unit;
        self.line_base = saved_base;
    }

    fn begin_unit(&mut self, stmts: &[Stmt], has_ctx: Option<()>) {
        self.unit = UnitBuilder::default();
        self.scope = Scope {
            ctx: Ctx::Input,
            lambdas: Vec::new(),
        };
        if has_ctx.is_some() {
            let r = self.alloc();
            self.unit.ctx = Some(r);
            self.scope.ctx = Ctx::Reg(r);
        }
        for name in scan::variable_names(stmts) {
            let r = self.alloc();
            self.unit.vars.insert(name, r);
        }
    }

    fn end_unit(&mut self) -> Unit {
        let b = std::mem::take(&mut self.unit);
        let mut vars: Vec<(String, Reg)> = b.vars.into_iter().collect();
        vars.sort_by_key(|(_, r)| *r);
        Unit {
            code: b.code,
            spans: b.spans,
            n_regs: u16::try_from(b.max).unwrap_or(u16::MAX),
            wraps: b.wraps,
            ctx: b.ctx,
            vars,
        }
    }

    // ------------------------------------------------------------ emitting

    pub(crate) fn pc(&self) -> u32 {
        self.unit.code.len() as u32
    }

    pub(crate) fn emit(&mut self, instr: Instr, span: Span) -> u32 {
        self.unit.code.push(instr);
        self.unit.spans.push(span);
        self.pc() - 1
    }

    /// When the code from `from` is exactly one `ThisPath` into `dst`,
    /// removes it and returns its path, so that the instruction using the
    /// value can read the input in place.
    pub(crate) fn take_this_read(&mut self, from: u32, dst: Reg) -> Option<u32> {
        match self.unit.code.get(from as usize..)? {
            [Instr::ThisPath { dst: d, path }] if *d == dst => {
                let path = *path;
                self.unit.code.pop();
                self.unit.spans.pop();
                Some(path)
            }
            _ => None,
        }
    }

    /// Points the jump at `at` to `to`.
    pub(crate) fn patch(&mut self, at: u32, to: u32) {
        match &mut self.unit.code[at as usize] {
            Instr::Jump { to: t }
            | Instr::JumpIf { to: t, .. }
            | Instr::JumpUnless { to: t, .. }
            | Instr::JumpIfPresent { to: t, .. } => *t = to,
            _ => {}
        }
    }

    /// Errors raised by instructions in `start..end` get `prefix`.
    pub(crate) fn wrap(&mut self, start: u32, end: u32, prefix: String) {
        if start < end {
            self.unit.wraps.push(Wrap {
                start,
                end,
                prefix: prefix.into(),
            });
        }
    }

    pub(crate) fn alloc(&mut self) -> Reg {
        let r = self.unit.next;
        self.unit.next += 1;
        self.unit.max = self.unit.max.max(self.unit.next);
        if r >= u32::from(u16::MAX) {
            self.error(Span::default(), "mapping is too large: out of registers");
            return 0;
        }
        r as Reg
    }

    pub(crate) fn alloc_n(&mut self, n: usize) -> Reg {
        let first = self.unit.next;
        for _ in 0..n {
            self.alloc();
        }
        u16::try_from(first).unwrap_or(0)
    }

    pub(crate) fn mark(&self) -> u32 {
        self.unit.next
    }

    pub(crate) fn release(&mut self, mark: u32) {
        self.unit.next = mark;
    }

    pub(crate) fn konst(&mut self, v: Value) -> u32 {
        if let Value::Str(s) = &v {
            if let Some(&k) = self.str_consts.get(s.as_str()) {
                return k;
            }
            self.str_consts
                .insert(s.to_string(), self.prog.consts.len() as u32);
        }
        self.prog.consts.push(v);
        self.prog.consts.len() as u32 - 1
    }

    /// A new path id for one instruction. Paths are not shared between
    /// instructions: the VM keeps lookup hints per path id, and a hint
    /// stays right from message to message when one instruction uses it
    /// (the same path read before and after an assignment sees different
    /// positions).
    pub(crate) fn path_id(&mut self, segs: Vec<Str>) -> u32 {
        let id = self.prog.paths.len() as u32;
        self.prog.paths.push(segs.into_boxed_slice());
        id
    }

    pub(crate) fn info(&mut self, a: String, b: String) -> u32 {
        self.prog.infos.push(Info {
            a: a.into(),
            b: b.into(),
        });
        self.prog.infos.len() as u32 - 1
    }

    pub(crate) fn lambda_names(&self) -> Vec<String> {
        self.scope.lambdas.iter().map(|(n, _)| n.clone()).collect()
    }

    fn line_of(&self, span: Span) -> usize {
        let line = self.lines.line_of(span.start as usize);
        line - self.line_base + 1
    }

    // ---------------------------------------------------------- statements

    fn stmt(&mut self, s: &Stmt) {
        let start = self.pc();
        let mark = self.mark();
        let line = self.line_of(s.span);
        match &s.kind {
            StmtKind::Assign { target, value } => {
                if self.prog.interpolation {
                    self.error(s.span, "assignments are not allowed in an interpolation");
                }
                let segs = target.segments.iter().map(|n| Str::new(&n.text)).collect();
                let path = self.path_id(segs);
                if let Some(Ok(v)) = annot::constant(value) {
                    let k = self.konst(v);
                    self.emit(Instr::AssignConst { k, path }, s.span);
                } else {
                    let r = self.alloc();
                    self.expr(value, r);
                    self.emit(Instr::Assign { src: r, path }, s.span);
                }
            }
            StmtKind::Let { name, value } => {
                let r = self.alloc();
                self.expr(value, r);
                let var = self.unit.vars.get(&name.text).copied().unwrap_or(0);
                self.emit(Instr::SetVar { var, src: r }, s.span);
            }
            StmtKind::Meta { key, value } => {
                let r = self.alloc();
                self.expr(value, r);
                let key = match key {
                    Some(k) => self.konst(Value::str(&k.text)),
                    None => u32::MAX,
                };
                self.emit(Instr::SetMeta { key, src: r }, s.span);
            }
            StmtKind::If(i) => self.if_stmt(i, line),
            StmtKind::Map { .. } | StmtKind::Import { .. } => {}
        }
        self.release(mark);
        if !matches!(s.kind, StmtKind::If(_)) {
            let end = self.pc();
            self.wrap(start, end, format!("failed assignment (line {line}): "));
        }
    }

    fn if_stmt(&mut self, i: &IfStmt, line: usize) {
        let mut exits = Vec::new();
        for (n, (cond, body)) in i.branches.iter().enumerate() {
            let start = self.pc();
            let mark = self.mark();
            let r = self.alloc();
            self.expr(cond, r);
            let annot = annotation(cond, &self.lambda_names());
            let info = self.info(annot, String::new());
            self.emit(
                Instr::Cond {
                    dst: r,
                    src: r,
                    info,
                    null_is_false: false,
                },
                cond.span,
            );
            let end = self.pc();
            self.wrap(
                start,
                end,
                format!("failed to check if condition {}: ", n + 1),
            );
            self.wrap(start, end, format!("failed assignment (line {line}): "));
            let skip = self.emit(Instr::JumpUnless { cond: r, to: 0 }, cond.span);
            self.release(mark);
            for s in body {
                self.stmt(s);
            }
            exits.push(self.emit(Instr::Jump { to: 0 }, cond.span));
            let next = self.pc();
            self.patch(skip, next);
        }
        if let Some(body) = &i.otherwise {
            for s in body {
                self.stmt(s);
            }
        }
        let end = self.pc();
        for j in exits {
            self.patch(j, end);
        }
    }
}
