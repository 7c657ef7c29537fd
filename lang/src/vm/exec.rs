//! The instruction loop.

use super::Vm;
use super::assign::set_path_hinted;
use super::call::{Call, coerce_args};
use super::depth::{Depth, grow_stack};
use super::run::Mode;
use crate::convert::to_display_string;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::ops::{self, Op, logic_operand};
use crate::program::{Instr, Program, Reg};
use crate::stdlib::Impl;
use crate::value::{Arc, Map, Str, Value};
use smallvec::SmallVec;

/// A copy of `doc.<path>` (`doc` itself without a path), `null` when the
/// path does not resolve.
fn read_path(prog: &Program, vm: &mut Vm, doc: &Value, path: Option<u32>) -> Value {
    let found = match path {
        None => Some(doc),
        Some(p) => doc.get_path_hinted(&prog.paths[p as usize], vm.path_hints(p)),
    };
    found.cloned().unwrap_or(Value::Null)
}

/// `x <op> y`, failing with upstream's message built from the operands'
/// annotations in `prog.infos[info]`.
#[inline(always)]
fn apply_binary(prog: &Program, op: Op, x: &Value, y: &Value, info: u32) -> Result<Value> {
    match ops::apply(op, x, y) {
        Ok(v) => Ok(v),
        Err(e) => Err(binary_error(prog, op, &e, x, y, info)),
    }
}

#[cold]
#[inline(never)]
fn binary_error(
    prog: &Program,
    op: Op,
    e: &ops::OpError,
    x: &Value,
    y: &Value,
    info: u32,
) -> Error {
    let i = &prog.infos[info as usize];
    Error::msg(ops::op_error_message(op, e, x, y, &i.a, &i.b))
}

/// The state of one run.
pub(crate) struct Exec<'a> {
    pub(crate) prog: &'a Program,
    pub(crate) vm: &'a mut Vm,
    pub(crate) regs: Vec<Value>,
    pub(crate) batch: &'a [Message],
    pub(crate) this_index: usize,
    /// The parsed input document, once a read has needed it.
    pub(super) this_doc: Option<&'a Value>,
    /// The input document handed over by [`run_adopting`], until the
    /// opening `root = this` takes it.
    pub(super) adopted: Option<Value>,
    /// True once `root` is the adopted input: `this.<path>` reads go to
    /// `root`, whose assigned fields they never name.
    pub(super) reads_root: bool,
    pub(crate) index: usize,
    pub(super) mode: Mode,
    pub(super) root: Value,
    pub(super) root_loaded: bool,
    pub(crate) meta: Arc<Map>,
    pub(super) unit: usize,
    /// The re-entries open around the code being run, counted from the
    /// outermost run (a mapping run by `bloblang` continues its caller's).
    pub(super) depth: Depth,
}

impl<'a> Exec<'a> {
    /// The message that index-sensitive functions read.
    pub(crate) fn message(&self) -> Option<&'a Message> {
        self.batch.get(self.index)
    }

    fn structured_input(&self, path: Option<u32>) -> Result<&'a Value> {
        let Some(msg) = self.batch.get(self.this_index) else {
            return Err(Error::msg("context was undefined"));
        };
        let with = || match path {
            Some(p) => format!("this.{}", self.prog.path_text(p)),
            None => "this".to_string(),
        };
        if msg.content().is_empty() {
            return Err(Error::msg(format!(
                "unable to reference message as structured (with '{}'): message is empty",
                with()
            )));
        }
        msg.structured().map_err(|e| {
            Error::msg(format!(
                "unable to reference message as structured (with '{}'): parse as json: {e}",
                with()
            ))
        })
    }

    /// Loads the input document as `root` on first use in a mutation.
    fn load_root(&mut self) {
        if !self.root_loaded {
            self.root_loaded = true;
            if let Some(Ok(v)) = self.batch.get(self.this_index).map(Message::structured) {
                self.root = v.clone();
            }
        }
    }

    fn this_path(&mut self, path: Option<u32>) -> Result<Value> {
        if path.is_none()
            && let Some(doc) = self.adopted.take()
        {
            self.reads_root = true;
            return Ok(doc);
        }
        Ok(self.this_at(path)?.cloned().unwrap_or(Value::Null))
    }

    /// `this` (or `this.<path>`) where it lies, not copied; `None` when
    /// the path does not resolve. The input is `root` once adopted or in
    /// a mutation, else the message's parsed document.
    fn this_at(&mut self, path: Option<u32>) -> Result<Option<&Value>> {
        let prog = self.prog;
        let doc: &Value = if self.reads_root && self.unit == 0 {
            &self.root
        } else if self.mode == Mode::Mutation {
            self.load_root();
            if matches!(self.root, Value::Nothing) {
                self.structured_input(path)?;
            }
            &self.root
        } else {
            self.input_doc(path)?
        };
        Ok(match path {
            None => Some(doc),
            Some(p) => doc.get_path_hinted(&prog.paths[p as usize], self.vm.path_hints(p)),
        })
    }

    /// The parsed input document (mapping mode), looked up once per run;
    /// `path` only words the error.
    fn input_doc(&mut self, path: Option<u32>) -> Result<&'a Value> {
        if let Some(doc) = self.this_doc {
            return Ok(doc);
        }
        let doc = self.structured_input(path)?;
        self.this_doc = Some(doc);
        Ok(doc)
    }

    /// `this.<path> <op> consts[k]` without copying the input's value.
    fn this_path_binary(&mut self, path: u32, op: Op, k: u32, info: u32) -> Result<Value> {
        let prog = self.prog;
        let x = self.this_at(Some(path))?.unwrap_or(&Value::Null);
        apply_binary(prog, op, x, &prog.consts[k as usize], info)
    }

    fn root_path(&mut self, path: Option<u32>) -> Result<Value> {
        if self.prog.interpolation {
            return Err(Error::msg("unable to reference `root` from this context"));
        }
        self.load_root();
        Ok(read_path(self.prog, self.vm, &self.root, path))
    }

    /// The value of variable `name` in the running unit, if set.
    pub(crate) fn variable(&self, name: &str) -> Option<&Value> {
        let unit = &self.prog.units[self.unit];
        let (_, r) = unit.vars.iter().find(|(n, _)| n == name)?;
        Some(&self.regs[*r as usize]).filter(|v| !matches!(v, Value::Nothing))
    }

    /// Runs a closure of the current unit with `ctx` as its context.
    pub(crate) fn run_closure(&mut self, id: u32, ctx: Value) -> Result<Value> {
        let closure = self.prog.closures[id as usize];
        let outer = self.depth;
        self.depth = outer.enter_closure()?;
        if let Some(r) = closure.ctx {
            self.regs[r as usize] = ctx;
        }
        let result = grow_stack(|| self.run_range(closure.entry, closure.entry, closure.end));
        self.depth = outer;
        result
    }

    /// Runs named map `name` with `this = value`, returning its `root`.
    pub(crate) fn apply_map(&mut self, name: &str, value: Value) -> Result<Value> {
        let Some(&unit_index) = self.prog.maps.get(name) else {
            return Err(Error::msg(format!("map {name} was not found")));
        };
        let outer = self.depth;
        let inner = outer.enter_map(name)?;
        let unit = &self.prog.units[unit_index];
        let mut regs = self.vm.frame(unit.n_regs as usize);
        if let Some(r) = unit.ctx {
            regs[r as usize] = value;
        }
        let saved_regs = std::mem::replace(&mut self.regs, regs);
        let saved_root = std::mem::replace(&mut self.root, Value::Nothing);
        let saved_loaded = std::mem::replace(&mut self.root_loaded, true);
        let saved_mode = std::mem::replace(&mut self.mode, Mode::Mapping);
        let saved_unit = std::mem::replace(&mut self.unit, unit_index);
        self.depth = inner;
        let result = grow_stack(|| self.run_range(0, 0, unit.code.len() as u32));
        self.depth = outer;
        let regs = std::mem::replace(&mut self.regs, saved_regs);
        self.vm.recycle(regs);
        let root = std::mem::replace(&mut self.root, saved_root);
        self.root_loaded = saved_loaded;
        self.mode = saved_mode;
        self.unit = saved_unit;
        result.map(|_| root)
    }

    /// Adds the prefixes of the error ranges around `pc` that lie within
    /// `[lo, hi)` (the code being run), innermost first.
    fn wrap_error(&self, pc: u32, lo: u32, hi: u32, mut err: Error) -> Error {
        let unit = &self.prog.units[self.unit];
        for w in &unit.wraps {
            if w.start <= pc && pc < w.end && lo <= w.start && w.end <= hi {
                err = err.prefixed(&w.prefix);
            }
        }
        err
    }

    /// `root.<path> = v` (nothing when `v` is `nothing`).
    fn assign(&mut self, path: u32, v: Value) -> Result<()> {
        if matches!(v, Value::Nothing) {
            return Ok(());
        }
        self.load_root();
        let segs = &self.prog.paths[path as usize];
        let hints = self.vm.path_hints(path);
        set_path_hinted(&mut self.root, segs, v, hints).map_err(Error::msg)
    }

    fn reg(&self, r: Reg) -> &Value {
        &self.regs[r as usize]
    }

    /// Executes instructions from `pc` until `Return` or `Halt`; errors are
    /// wrapped by the ranges within `[lo, hi)`.
    pub(super) fn run_range(&mut self, mut pc: u32, lo: u32, hi: u32) -> Result<Value> {
        let prog = self.prog;
        let unit = &prog.units[self.unit];
        loop {
            let at = pc;
            let Some(&instr) = unit.code.get(pc as usize) else {
                return Ok(Value::Nothing);
            };
            pc += 1;
            let step: Result<()> = (|| {
                match instr {
                    Instr::Const { dst, k } => {
                        self.regs[dst as usize] = prog.consts[k as usize].clone();
                    }
                    Instr::Move { dst, src } => {
                        self.regs[dst as usize] = self.regs[src as usize].clone();
                    }
                    Instr::This { dst } => {
                        self.regs[dst as usize] = self.this_path(None)?;
                    }
                    Instr::ThisPath { dst, path } => {
                        self.regs[dst as usize] = self.this_path(Some(path))?;
                    }
                    Instr::Path { dst, src, path } => {
                        let v = read_path(prog, self.vm, &self.regs[src as usize], Some(path));
                        self.regs[dst as usize] = v;
                    }
                    Instr::Root { dst } => {
                        self.regs[dst as usize] = self.root_path(None)?;
                    }
                    Instr::RootPath { dst, path } => {
                        self.regs[dst as usize] = self.root_path(Some(path))?;
                    }
                    Instr::Var { dst, var, name } => {
                        let v = self.reg(var);
                        if matches!(v, Value::Nothing) {
                            let name = to_display_string(&prog.consts[name as usize]);
                            return Err(Error::msg(if prog.interpolation {
                                "variables were undefined".to_string()
                            } else {
                                format!("variable '{name}' undefined")
                            }));
                        }
                        self.regs[dst as usize] = v.clone();
                    }
                    Instr::Meta { dst, key } => {
                        let v = if key == u32::MAX {
                            Value::Object(self.meta.clone())
                        } else {
                            let k = prog.consts[key as usize].as_str().unwrap_or("");
                            self.meta.get(k).cloned().unwrap_or(Value::Null)
                        };
                        self.regs[dst as usize] = v;
                    }
                    Instr::Binary {
                        op,
                        dst,
                        a,
                        b,
                        info,
                    } => {
                        let v = apply_binary(prog, op, self.reg(a), self.reg(b), info)?;
                        self.regs[dst as usize] = v;
                    }
                    Instr::BinaryConst {
                        op,
                        dst,
                        a,
                        k,
                        info,
                    } => {
                        let y = &prog.consts[k as usize];
                        let v = apply_binary(prog, op, self.reg(a), y, info)?;
                        self.regs[dst as usize] = v;
                    }
                    Instr::BinaryThisConst {
                        op,
                        dst,
                        path,
                        k,
                        info,
                    } => {
                        let v = self.this_path_binary(path, op, k, info)?;
                        self.regs[dst as usize] = v;
                    }
                    Instr::Not { dst, src, info } => match self.reg(src) {
                        Value::Bool(b) => self.regs[dst as usize] = Value::Bool(!b),
                        other => {
                            return Err(Error::type_mismatch("bool", other)
                                .with_annotation(&prog.infos[info as usize].a));
                        }
                    },
                    Instr::Logic { dst, src, info } => {
                        let v = self.reg(src);
                        match logic_operand(v) {
                            Some(b) => self.regs[dst as usize] = Value::Bool(b),
                            None => {
                                let a = &prog.infos[info as usize].a;
                                return Err(Error::msg(format!(
                                    "expected bool value, got {} from {a}",
                                    v.type_name()
                                )));
                            }
                        }
                    }
                    Instr::Cond {
                        dst,
                        src,
                        info,
                        null_is_false,
                    } => {
                        let v = self.reg(src);
                        let b = match v {
                            Value::Bool(b) => *b,
                            Value::Null if null_is_false => false,
                            other => {
                                let a = &prog.infos[info as usize].a;
                                return Err(Error::msg(format!(
                                    "{a} resolved to a non-boolean value {} ({})",
                                    to_display_string(other),
                                    other.go_type_name()
                                )));
                            }
                        };
                        self.regs[dst as usize] = Value::Bool(b);
                    }
                    Instr::Jump { to } => pc = to,
                    Instr::JumpIf { cond, to } => {
                        if matches!(self.reg(cond), Value::Bool(true)) {
                            pc = to;
                        }
                    }
                    Instr::JumpUnless { cond, to } => {
                        if !matches!(self.reg(cond), Value::Bool(true)) {
                            pc = to;
                        }
                    }
                    Instr::JumpIfPresent { src, to } => {
                        if !self.reg(src).is_nullish() {
                            pc = to;
                        }
                    }
                    Instr::CallFn { dst, site, args } => {
                        let v = self.call(site, None, args, false)?;
                        self.regs[dst as usize] = v;
                    }
                    Instr::CallMethod {
                        dst,
                        recv,
                        site,
                        args,
                        take,
                    } => {
                        let v = self.call(site, Some(recv), args, take)?;
                        self.regs[dst as usize] = v;
                    }
                    Instr::MakeArray { dst, start, len } => {
                        let mut items = Vec::with_capacity(len as usize);
                        for r in start..start + len {
                            let v = self.regs[r as usize].take();
                            if !matches!(v, Value::Delete | Value::Nothing) {
                                items.push(v);
                            }
                        }
                        self.regs[dst as usize] = Value::array(items);
                    }
                    Instr::MakeObject {
                        dst,
                        start,
                        len,
                        info,
                    } => {
                        let mut pairs = Vec::with_capacity(len as usize);
                        for i in 0..len {
                            let k = self.regs[(start + 2 * i) as usize].take();
                            let v = self.regs[(start + 2 * i + 1) as usize].take();
                            let key = match k {
                                Value::Str(s) => s,
                                Value::Bytes(b) => {
                                    Str::from(String::from_utf8_lossy(&b).into_owned())
                                }
                                other => {
                                    let _ = info;
                                    return Err(Error::msg(format!(
                                        "object keys must be strings, received: {}",
                                        other.go_type_name()
                                    )));
                                }
                            };
                            if !matches!(v, Value::Delete | Value::Nothing) {
                                pairs.push((key, v));
                            }
                        }
                        self.regs[dst as usize] = Value::object(Map::from_pairs(pairs));
                    }
                    Instr::Assign { src, path } => {
                        let v = self.regs[src as usize].take();
                        self.assign(path, v)?;
                    }
                    Instr::AssignConst { k, path } => {
                        self.assign(path, prog.consts[k as usize].clone())?;
                    }
                    Instr::SetVar { var, src } => {
                        let v = self.regs[src as usize].take();
                        match v {
                            Value::Nothing => {}
                            Value::Delete => self.regs[var as usize] = Value::Nothing,
                            v => self.regs[var as usize] = v,
                        }
                    }
                    Instr::SetMeta { key, src } => {
                        let v = self.regs[src as usize].take();
                        self.set_meta(key, v)?;
                    }
                    Instr::Return { .. } | Instr::Halt => {}
                }
                Ok(())
            })();
            if let Err(e) = step {
                return Err(self.wrap_error(at, lo, hi, e));
            }
            match instr {
                Instr::Return { src } => return Ok(self.regs[src as usize].take()),
                Instr::Halt => return Ok(Value::Nothing),
                _ => {}
            }
        }
    }

    fn set_meta(&mut self, key: u32, v: Value) -> Result<()> {
        if key == u32::MAX {
            match v {
                Value::Nothing => {}
                Value::Delete => self.meta = Arc::new(Map::new()),
                Value::Object(o) => self.meta = o,
                other => {
                    return Err(Error::msg(format!(
                        "setting root meta object requires object value, received: {}",
                        other.go_type_name()
                    )));
                }
            }
            return Ok(());
        }
        let k = self.prog.consts[key as usize].as_str().unwrap_or("");
        match v {
            Value::Nothing => {}
            Value::Delete => {
                Arc::make_mut(&mut self.meta).remove(k);
            }
            v => {
                Arc::make_mut(&mut self.meta).insert(k, v);
            }
        }
        Ok(())
    }

    fn call(&mut self, site_index: u32, recv: Option<Reg>, args: Reg, take: bool) -> Result<Value> {
        let prog = self.prog;
        let site = &prog.sites[site_index as usize];
        let mut values: SmallVec<[Value; 4]> = SmallVec::new();
        for r in args..args + site.argc {
            values.push(self.regs[r as usize].take());
        }
        coerce_args(site, &mut values)?;
        match site.spec.imp {
            Impl::Function(f) => {
                let mut call = Call::new(self, site, values);
                f(&mut call)
            }
            Impl::Method(m) => {
                let receiver = match recv {
                    Some(r) if site.receiver.is_none() => {
                        if take {
                            self.regs[r as usize].take()
                        } else {
                            self.regs[r as usize].clone()
                        }
                    }
                    _ => Value::Null,
                };
                let mut call = Call::new(self, site, values);
                m(&mut call, receiver).map_err(|e| {
                    if site.spec.annotate {
                        e.with_annotation(&site.annotation)
                    } else {
                        Error::msg(e.message())
                    }
                })
            }
        }
    }
}
