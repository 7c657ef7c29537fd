//! Compiling function and method calls: binding arguments to parameters,
//! compile-time checks of literal arguments, and query closures.

use super::annot::{annotation, constant};
use super::{Compiler, Ctx};
use crate::diag::suggest;
use crate::program::{CallSite, Closure, Instr, Reg};
use crate::stdlib::{Kind, Spec};
use crate::value::Value;
use crate::vm::coerce;
use std::sync::Mutex;
use tarn_syntax::Span;
use tarn_syntax::ast::{Arg, Call, Expr, ExprKind};

/// An argument after binding: an expression or a default value.
enum Slot<'e> {
    Expr(&'e Expr),
    Value(Value),
}

impl Compiler<'_> {
    pub(crate) fn function_call(&mut self, call: &Call, span: Span, dst: Reg) {
        let name = call.name.text.as_str();
        let Some(spec) = self.env.function(name) else {
            let hint = suggest(name, self.env.function_names())
                .map(|s| format!(", did you mean `{s}`?"))
                .unwrap_or_default();
            self.error(
                call.name.span,
                format!("unrecognised function '{name}'{hint}"),
            );
            return;
        };
        if !self.env.allows(spec) {
            self.error(
                call.name.span,
                format!("function '{name}' is not available here: impure functions are disabled"),
            );
            return;
        }
        match name {
            "deleted" | "nothing" if call.args.is_empty() => {
                let v = if name == "deleted" {
                    Value::Delete
                } else {
                    Value::Nothing
                };
                let k = self.konst(v);
                self.emit(Instr::Const { dst, k }, span);
                return;
            }
            _ => {}
        }
        let Some(slots) = self.bind_args(spec, &call.args, call.span) else {
            return;
        };
        if let Some(v) = self.run_compile_hook(spec, &slots, call.span) {
            let k = self.konst(v);
            self.emit(Instr::Const { dst, k }, span);
            return;
        }
        let annot = format!("function {name}");
        self.emit_call(spec, None, slots, annot, span, dst);
    }

    pub(crate) fn method_call(&mut self, recv: &Expr, call: &Call, whole: &Expr, dst: Reg) {
        let name = call.name.text.as_str();
        let Some(spec) = self.env.method(name) else {
            let hint = suggest(name, self.env.method_names())
                .map(|s| format!(", did you mean `{s}`?"))
                .unwrap_or_default();
            self.error(
                call.name.span,
                format!("unrecognised method '{name}'{hint}"),
            );
            return;
        };
        if !self.env.allows(spec) {
            self.error(
                call.name.span,
                format!("method '{name}' is not available here: impure functions are disabled"),
            );
            return;
        }
        let Some(slots) = self.bind_args(spec, &call.args, call.span) else {
            return;
        };
        match (name, slots.as_slice()) {
            ("map", [Slot::Expr(body)]) => {
                let mark = self.mark();
                let c = self.alloc();
                self.expr(recv, c);
                self.in_context(c, body, dst);
                self.release(mark);
                return;
            }
            ("not", []) => {
                self.expr(recv, dst);
                let info = self.info(annotation(recv, &self.lambda_names()), String::new());
                self.emit(
                    Instr::Not {
                        dst,
                        src: dst,
                        info,
                    },
                    whole.span,
                );
                return;
            }
            _ => {}
        }
        if spec.compile.is_some() {
            let _ = self.run_compile_hook(spec, &slots, call.span);
        }
        let annot = annotation(recv, &self.lambda_names());
        self.emit_call(spec, Some(recv), slots, annot, whole.span, dst);
    }

    /// A method whose receiver is evaluated lazily, called with plain
    /// expressions (used for the `|` operator).
    pub(crate) fn lazy_method(
        &mut self,
        name: &str,
        recv: &Expr,
        args: &[&Expr],
        span: Span,
        dst: Reg,
    ) {
        let Some(spec) = self.env.method(name) else {
            self.error(span, format!("internal: method '{name}' is missing"));
            return;
        };
        let slots = args.iter().map(|e| Slot::Expr(e)).collect();
        let annot = annotation(recv, &self.lambda_names());
        self.emit_call(spec, Some(recv), slots, annot, span, dst);
    }

    fn emit_call(
        &mut self,
        spec: &'static Spec,
        recv: Option<&Expr>,
        slots: Vec<Slot<'_>>,
        annotation: String,
        span: Span,
        dst: Reg,
    ) {
        let mark = self.mark();
        let argc = u16::try_from(slots.len()).unwrap_or(u16::MAX);
        let args = self.alloc_n(slots.len());
        let mut receiver = None;
        let mut take = false;
        if let Some(r) = recv {
            if spec.lazy_receiver {
                receiver = Some(self.closure(r, false));
            } else {
                self.expr(r, dst);
                take = true;
            }
        }
        let mut queries = Vec::with_capacity(slots.len());
        for (i, slot) in slots.into_iter().enumerate() {
            let kind = param_kind(spec, i);
            let reg = args + i as Reg;
            match slot {
                Slot::Expr(e) if matches!(kind, Kind::Query | Kind::Lazy) => {
                    queries.push(Some(self.closure(e, kind == Kind::Query)));
                    let k = self.konst(Value::Null);
                    self.emit(Instr::Const { dst: reg, k }, e.span);
                }
                Slot::Expr(e) => {
                    queries.push(None);
                    self.expr(e, reg);
                }
                Slot::Value(v) => {
                    queries.push(None);
                    let k = self.konst(v);
                    self.emit(Instr::Const { dst: reg, k }, span);
                }
            }
        }
        let site = self.prog.sites.len() as u32;
        self.prog.sites.push(CallSite {
            spec,
            annotation: annotation.into(),
            argc,
            queries,
            receiver,
            span,
            state: Mutex::new(None),
        });
        let instr = match recv {
            Some(_) => Instr::CallMethod {
                dst,
                recv: dst,
                site,
                args,
                take,
            },
            None => Instr::CallFn { dst, site, args },
        };
        self.emit(instr, span);
        self.release(mark);
    }

    /// Compiles `body` as a closure placed inline behind a jump. With
    /// `rebind`, the closure's context register receives the value the
    /// method passes (a lambda binds its parameter to it instead).
    fn closure(&mut self, body: &Expr, rebind: bool) -> u32 {
        let jump = self.emit(Instr::Jump { to: 0 }, body.span);
        let entry = self.pc();
        let saved = self.scope.clone();
        let ctx = rebind.then(|| self.alloc());
        let result = self.alloc();
        match (&body.kind, ctx) {
            (ExprKind::Lambda { param, body: inner }, Some(c)) => {
                if self.bind_lambda(&param.text, param.span, c) {
                    self.expr(inner, result);
                }
            }
            (_, Some(c)) => {
                self.scope.ctx = Ctx::Reg(c);
                self.expr(body, result);
            }
            (_, None) => self.expr(body, result),
        }
        self.emit(Instr::Return { src: result }, body.span);
        let end = self.pc();
        self.patch(jump, end);
        self.scope = saved;
        self.prog.closures.push(Closure { entry, end, ctx });
        self.prog.closures.len() as u32 - 1
    }

    /// Matches call arguments to parameters, filling defaults and checking
    /// literal arguments against the parameter kinds.
    fn bind_args<'a>(&mut self, spec: &Spec, args: &'a [Arg], span: Span) -> Option<Vec<Slot<'a>>> {
        let named = args.iter().filter(|a| a.name.is_some()).count();
        if named > 0 && named < args.len() {
            self.error(span, "cannot mix named and nameless arguments");
            return None;
        }
        if spec.variadic {
            if named > 0 {
                self.error(span, "named arguments are not supported");
                return None;
            }
            let slots: Vec<Slot<'a>> = args.iter().map(|a| Slot::Expr(&a.value)).collect();
            for a in args {
                self.check_literal(spec, 0, &a.value);
            }
            return Some(slots);
        }
        let params = spec.params;
        let mut bound: Vec<Option<&'a Expr>> = vec![None; params.len()];
        if named == 0 {
            if args.len() > params.len() {
                self.error(
                    span,
                    format!(
                        "wrong number of arguments, expected {}, got {}",
                        params.len(),
                        args.len()
                    ),
                );
                return None;
            }
            for (i, a) in args.iter().enumerate() {
                bound[i] = Some(&a.value);
            }
        } else {
            let mut ok = true;
            for a in args {
                let Some(n) = &a.name else { continue };
                match params.iter().position(|p| p.name == n.text) {
                    Some(i) if bound[i].is_some() => {
                        self.error(n.span, format!("duplicate named arg: {}", n.text));
                        ok = false;
                    }
                    Some(i) => bound[i] = Some(&a.value),
                    None => {
                        let hint = suggest(&n.text, params.iter().map(|p| p.name))
                            .map(|s| format!(", did you mean {s}?"))
                            .unwrap_or_default();
                        self.error(n.span, format!("unknown parameter {}{hint}", n.text));
                        ok = false;
                    }
                }
            }
            if !ok {
                return None;
            }
        }
        let missing: Vec<&str> = params
            .iter()
            .zip(&bound)
            .filter(|(p, b)| b.is_none() && !p.is_optional())
            .map(|(p, _)| p.name)
            .collect();
        match missing.as_slice() {
            [] => {}
            [one] => {
                self.error(span, format!("missing parameter: {one}"));
                return None;
            }
            many => {
                self.error(span, format!("missing parameters: {}", many.join(", ")));
                return None;
            }
        }
        let mut slots = Vec::with_capacity(params.len());
        for (i, (p, b)) in params.iter().zip(bound).enumerate() {
            match b {
                Some(e) => {
                    self.check_literal(spec, i, e);
                    slots.push(Slot::Expr(e));
                }
                None => slots.push(Slot::Value(p.default.value().unwrap_or(Value::Nothing))),
            }
        }
        // Trailing omitted optional parameters without defaults are kept as
        // `nothing()` so every parameter has a register.
        Some(slots)
    }

    fn check_literal(&mut self, spec: &Spec, i: usize, e: &Expr) {
        let kind = param_kind(spec, i);
        if matches!(kind, Kind::Query | Kind::Lazy) {
            return;
        }
        if let Some(Ok(mut v)) = constant(e)
            && let Err(err) = coerce(kind, &mut v)
        {
            let name = spec
                .params
                .get(if spec.variadic { 0 } else { i })
                .map_or("argument", |p| p.name);
            self.error(e.span, format!("field {name}: {}", err.message()));
        }
    }

    /// Runs a spec's compile-time hook on the literal arguments; returns a
    /// constant that replaces the call, if the hook folds it.
    fn run_compile_hook(&mut self, spec: &Spec, slots: &[Slot<'_>], span: Span) -> Option<Value> {
        let hook = spec.compile?;
        let values: Vec<Option<Value>> = slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut v = match s {
                    Slot::Value(v) => Some(v.clone()),
                    Slot::Expr(e) => constant(e).and_then(Result::ok),
                }?;
                coerce(param_kind(spec, i), &mut v).ok()?;
                Some(v)
            })
            .collect();
        let refs: Vec<Option<&Value>> = values.iter().map(Option::as_ref).collect();
        match hook(&refs) {
            Ok(v) => v,
            Err(msg) => {
                self.error(span, msg);
                None
            }
        }
    }
}

fn param_kind(spec: &Spec, i: usize) -> Kind {
    let p = if spec.variadic {
        spec.params.first()
    } else {
        spec.params.get(i)
    };
    p.map_or(Kind::Any, |p| p.kind)
}
