//! Compiling expressions into a destination register.

use super::annot::{annotation, arith_op, constant};
use super::{Compiler, Ctx};
use crate::program::{Instr, Reg};
use crate::value::{Str, Value};
use tarn_syntax::Span;
use tarn_syntax::ast::{BinOp, Expr, ExprKind, IfExpr, MatchCase};

impl Compiler<'_> {
    /// Compiles `e` so that its value ends up in `dst` (a temporary).
    pub(crate) fn expr(&mut self, e: &Expr, dst: Reg) {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner(e, dst));
    }

    fn expr_inner(&mut self, e: &Expr, dst: Reg) {
        if let Some(folded) = constant(e) {
            match folded {
                Ok(v) => {
                    let k = self.konst(v);
                    self.emit(Instr::Const { dst, k }, e.span);
                }
                Err(msg) => self.error(e.span, msg),
            }
            return;
        }
        match &e.kind {
            ExprKind::Array(items) => {
                let mark = self.mark();
                let start = self.alloc_n(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.expr(item, start + i as Reg);
                }
                let len = u16::try_from(items.len()).unwrap_or(u16::MAX);
                self.emit(Instr::MakeArray { dst, start, len }, e.span);
                self.release(mark);
            }
            ExprKind::Object(pairs) => self.object(pairs, e.span, dst),
            ExprKind::Word(w) => self.word(w, &[], e.span, dst),
            ExprKind::Var(name) => {
                let var = self.unit.vars.get(name).copied().unwrap_or(0);
                let name = self.konst(Value::str(name));
                self.emit(Instr::Var { dst, var, name }, e.span);
            }
            ExprKind::Meta(key) => {
                let key = match key {
                    Some(k) => self.konst(Value::str(k)),
                    None => u32::MAX,
                };
                self.emit(Instr::Meta { dst, key }, e.span);
            }
            ExprKind::Call(call) => self.function_call(call, e.span, dst),
            ExprKind::Field { .. } => self.field_chain(e, dst),
            ExprKind::Method { recv, call } => self.method_call(recv, call, e, dst),
            ExprKind::MapExpr { recv, body } => {
                let mark = self.mark();
                let c = self.alloc();
                self.expr(recv, c);
                self.in_context(c, body, dst);
                self.release(mark);
            }
            ExprKind::Lambda { .. } => self.error(
                e.span,
                "a lambda (`x -> …`) can only be an argument of a method such as `map_each`, or the body of `.( … )`",
            ),
            ExprKind::Match { subject, cases } => self.match_expr(subject.as_deref(), cases, e.span, dst),
            ExprKind::If(i) => self.if_expr(i, e.span, dst),
            ExprKind::Not(x) => {
                self.expr(x, dst);
                let info = self.info(annotation(x, &self.lambda_names()), String::new());
                self.emit(Instr::Not { dst, src: dst, info }, e.span);
            }
            ExprKind::Neg(x) => {
                let zero = self.konst(Value::Int(0));
                self.emit(Instr::Const { dst, k: zero }, e.span);
                let mark = self.mark();
                let t = self.alloc();
                self.expr(x, t);
                let info = self.info("number literal".into(), annotation(x, &self.lambda_names()));
                self.emit(
                    Instr::Binary {
                        op: crate::ops::Op::Sub,
                        dst,
                        a: dst,
                        b: t,
                        info,
                    },
                    e.span,
                );
                self.release(mark);
            }
            ExprKind::Binary { op, lhs, rhs, .. } => self.binary(*op, lhs, rhs, e.span, dst),
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::RawIf(_)
            | ExprKind::Error => {}
        }
    }

    /// Compiles `body` with `this` (or a lambda parameter) bound to the
    /// value in register `c`.
    pub(crate) fn in_context(&mut self, c: Reg, body: &Expr, dst: Reg) {
        let saved = self.scope.clone();
        if let ExprKind::Lambda { param, body: inner } = &body.kind {
            if self.bind_lambda(&param.text, param.span, c) {
                self.expr(inner, dst);
            }
        } else {
            self.scope.ctx = Ctx::Reg(c);
            self.expr(body, dst);
        }
        self.scope = saved;
    }

    /// Binds a lambda parameter to register `r`, checking the naming rules.
    pub(crate) fn bind_lambda(&mut self, name: &str, span: Span, r: Reg) -> bool {
        match name {
            "_" => true,
            "this" | "root" => {
                self.error(span, format!("context label `{name}` is not allowed"));
                false
            }
            _ if self.scope.lambdas.iter().any(|(n, _)| n == name) => {
                self.error(
                    span,
                    format!("context label `{name}` would shadow a parent context"),
                );
                false
            }
            _ => {
                self.scope.lambdas.push((name.to_string(), r));
                true
            }
        }
    }

    fn object(&mut self, pairs: &[(Expr, Expr)], span: Span, dst: Reg) {
        let mark = self.mark();
        let start = self.alloc_n(pairs.len() * 2);
        for (i, (k, v)) in pairs.iter().enumerate() {
            if let Some(Ok(key)) = constant(k)
                && !matches!(key, Value::Str(_))
            {
                self.error(
                    k.span,
                    format!(
                        "object keys must be strings, received: {}",
                        key.go_type_name()
                    ),
                );
            }
            self.expr(k, start + 2 * i as Reg);
            self.expr(v, start + 2 * i as Reg + 1);
        }
        let len = u16::try_from(pairs.len()).unwrap_or(u16::MAX);
        let info = self.info(String::new(), String::new());
        self.emit(
            Instr::MakeObject {
                dst,
                start,
                len,
                info,
            },
            span,
        );
        self.release(mark);
    }

    /// A bare word followed by `segs`: `this`, `root`, a lambda parameter,
    /// or a field of `this`.
    fn word(&mut self, w: &str, segs: &[Str], span: Span, dst: Reg) {
        let lambda = self
            .scope
            .lambdas
            .iter()
            .rev()
            .find(|(n, _)| n == w)
            .map(|(_, r)| *r);
        let (base, segs): (Base, Vec<Str>) = match (w, lambda) {
            (_, Some(r)) => (Base::Reg(r), segs.to_vec()),
            ("this", _) => (self.ctx_base(), segs.to_vec()),
            ("root", _) => (Base::Root, segs.to_vec()),
            _ => {
                let mut all = vec![Str::new(w)];
                all.extend_from_slice(segs);
                (self.ctx_base(), all)
            }
        };
        self.load_path(base, segs, span, dst);
    }

    fn ctx_base(&self) -> Base {
        match self.scope.ctx {
            Ctx::Input => Base::Input,
            Ctx::Reg(r) => Base::Reg(r),
        }
    }

    fn load_path(&mut self, base: Base, segs: Vec<Str>, span: Span, dst: Reg) {
        let instr = if segs.is_empty() {
            match base {
                Base::Input => Instr::This { dst },
                Base::Root => Instr::Root { dst },
                Base::Reg(src) => Instr::Move { dst, src },
            }
        } else {
            let path = self.path_id(segs);
            match base {
                Base::Input => Instr::ThisPath { dst, path },
                Base::Root => Instr::RootPath { dst, path },
                Base::Reg(src) => Instr::Path { dst, src, path },
            }
        };
        self.emit(instr, span);
    }

    /// `a.b.c`: one fused path read from the chain's base.
    fn field_chain(&mut self, e: &Expr, dst: Reg) {
        let mut segs = Vec::new();
        let mut cur = e;
        while let ExprKind::Field { recv, name } = &cur.kind {
            segs.push(Str::new(&name.text));
            cur = recv;
        }
        segs.reverse();
        if let ExprKind::Word(w) = &cur.kind {
            self.word(w, &segs, e.span, dst);
            return;
        }
        self.expr(cur, dst);
        let path = self.path_id(segs);
        self.emit(
            Instr::Path {
                dst,
                src: dst,
                path,
            },
            e.span,
        );
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span, dst: Reg) {
        let names = self.lambda_names();
        match op {
            BinOp::And | BinOp::Or => {
                self.expr(lhs, dst);
                let info = self.info(annotation(lhs, &names), String::new());
                self.emit(
                    Instr::Logic {
                        dst,
                        src: dst,
                        info,
                    },
                    lhs.span,
                );
                let skip = if op == BinOp::And {
                    self.emit(Instr::JumpUnless { cond: dst, to: 0 }, span)
                } else {
                    self.emit(Instr::JumpIf { cond: dst, to: 0 }, span)
                };
                self.expr(rhs, dst);
                let info = self.info(annotation(rhs, &names), String::new());
                self.emit(
                    Instr::Logic {
                        dst,
                        src: dst,
                        info,
                    },
                    rhs.span,
                );
                let end = self.pc();
                self.patch(skip, end);
            }
            BinOp::Coalesce => self.lazy_method("or", lhs, &[rhs], span, dst),
            _ => {
                let Some(op) = arith_op(op) else { return };
                let lhs_at = self.pc();
                self.expr(lhs, dst);
                let info = self.info(annotation(lhs, &names), annotation(rhs, &names));
                let mark = self.mark();
                let instr = if let Some(Ok(v)) = constant(rhs) {
                    let k = self.konst(v);
                    match self.take_this_read(lhs_at, dst) {
                        Some(path) => Instr::BinaryThisConst {
                            op,
                            dst,
                            path,
                            k,
                            info,
                        },
                        None => Instr::BinaryConst {
                            op,
                            dst,
                            a: dst,
                            k,
                            info,
                        },
                    }
                } else {
                    let t = self.alloc();
                    self.expr(rhs, t);
                    Instr::Binary {
                        op,
                        dst,
                        a: dst,
                        b: t,
                        info,
                    }
                };
                self.emit(instr, span);
                self.release(mark);
            }
        }
    }

    fn if_expr(&mut self, i: &IfExpr, span: Span, dst: Reg) {
        let mut exits = Vec::new();
        for (n, (cond, result)) in i.branches.iter().enumerate() {
            let start = self.pc();
            self.expr(cond, dst);
            let info = self.info(annotation(cond, &self.lambda_names()), String::new());
            self.emit(
                Instr::Cond {
                    dst,
                    src: dst,
                    info,
                    null_is_false: true,
                },
                cond.span,
            );
            let end = self.pc();
            let prefix = if n == 0 {
                "failed to check if condition: ".to_string()
            } else {
                format!("failed to check if condition {n}: ")
            };
            self.wrap(start, end, prefix);
            let skip = self.emit(Instr::JumpUnless { cond: dst, to: 0 }, cond.span);
            self.expr(result, dst);
            exits.push(self.emit(Instr::Jump { to: 0 }, span));
            let next = self.pc();
            self.patch(skip, next);
        }
        match &i.otherwise {
            Some(o) => self.expr(o, dst),
            None => {
                let k = self.konst(Value::Nothing);
                self.emit(Instr::Const { dst, k }, span);
            }
        }
        let end = self.pc();
        for j in exits {
            self.patch(j, end);
        }
    }

    fn match_expr(&mut self, subject: Option<&Expr>, cases: &[MatchCase], span: Span, dst: Reg) {
        let mark = self.mark();
        let saved = self.scope.clone();
        let s = self.alloc();
        match subject {
            Some(subj) => {
                self.expr(subj, s);
                self.scope.ctx = Ctx::Reg(s);
            }
            None => {
                let needs_this = cases
                    .iter()
                    .any(|c| c.pattern.as_ref().is_some_and(|p| constant(p).is_some()));
                if needs_this {
                    let base = self.ctx_base();
                    self.load_path(base, Vec::new(), span, s);
                }
            }
        }
        let t = self.alloc();
        let mut exits = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            let skip = match &case.pattern {
                None => None,
                Some(p) => {
                    let start = self.pc();
                    if let Some(Ok(_)) = constant(p) {
                        self.expr(p, t);
                        let info = self.info(String::new(), String::new());
                        self.emit(
                            Instr::Binary {
                                op: crate::ops::Op::Eq,
                                dst: t,
                                a: s,
                                b: t,
                                info,
                            },
                            p.span,
                        );
                    } else {
                        self.expr(p, t);
                    }
                    let end = self.pc();
                    self.wrap(start, end, format!("failed to check match case {i}: "));
                    Some(self.emit(Instr::JumpUnless { cond: t, to: 0 }, p.span))
                }
            };
            self.expr(&case.result, dst);
            exits.push(self.emit(Instr::Jump { to: 0 }, case.span));
            if let Some(skip) = skip {
                let next = self.pc();
                self.patch(skip, next);
            }
        }
        let k = self.konst(Value::Nothing);
        self.emit(Instr::Const { dst, k }, span);
        let end = self.pc();
        for j in exits {
            self.patch(j, end);
        }
        self.scope = saved;
        self.release(mark);
    }
}

/// Where a path read starts.
#[derive(Debug, Clone, Copy)]
enum Base {
    Input,
    Root,
    Reg(Reg),
}
