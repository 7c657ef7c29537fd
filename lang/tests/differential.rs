//! Differential test: random programs run on the VM and on a simple
//! tree-walking reference evaluator over the syntax tree must agree on the
//! output document, the metadata, and whether the run fails.
//!
//! The reference covers the core language (paths, literals, operators,
//! `if`, `match`, `.( )`, lambdas, variables, metadata, `catch`/`or`/`not`),
//! which is where register allocation, jumps and folding can go wrong.

use proptest::prelude::*;
use std::collections::HashMap;
use tarn_lang::ops::{self, Op};
use tarn_lang::value::{Map, Str, parse_json};
use tarn_lang::vm::set_path;
use tarn_lang::{Env, Message, Mode, Value, Vm};
use tarn_syntax::ast::{BinOp, Expr, ExprKind, Stmt, StmtKind};

// ------------------------------------------------------------ reference

struct Ref {
    input: Value,
    root: Value,
    vars: HashMap<String, Value>,
    meta: Map,
}

type R = Result<Value, ()>;

impl Ref {
    fn stmt(&mut self, s: &Stmt) -> Result<(), ()> {
        match &s.kind {
            StmtKind::Assign { target, value } => {
                let v = self.expr(value, &Ctx::top())?;
                if matches!(v, Value::Nothing) {
                    return Ok(());
                }
                let path: Vec<Str> = target.segments.iter().map(|n| Str::new(&n.text)).collect();
                set_path(&mut self.root, &path, v).map_err(|_| ())
            }
            StmtKind::Let { name, value } => {
                match self.expr(value, &Ctx::top())? {
                    Value::Nothing => {}
                    Value::Delete => {
                        self.vars.remove(&name.text);
                    }
                    v => {
                        self.vars.insert(name.text.clone(), v);
                    }
                }
                Ok(())
            }
            StmtKind::Meta { key, value } => {
                let v = self.expr(value, &Ctx::top())?;
                match (key, v) {
                    (_, Value::Nothing) => {}
                    (Some(k), Value::Delete) => {
                        self.meta.remove(&k.text);
                    }
                    (Some(k), v) => {
                        self.meta.insert(k.text.as_str(), v);
                    }
                    (None, Value::Delete) => self.meta = Map::new(),
                    (None, Value::Object(o)) => self.meta = (*o).clone(),
                    (None, _) => return Err(()),
                }
                Ok(())
            }
            StmtKind::If(i) => {
                for (cond, body) in &i.branches {
                    match self.expr(cond, &Ctx::top())? {
                        Value::Bool(true) => {
                            for s in body {
                                self.stmt(s)?;
                            }
                            return Ok(());
                        }
                        Value::Bool(false) => {}
                        _ => return Err(()),
                    }
                }
                if let Some(o) = &i.otherwise {
                    for s in o {
                        self.stmt(s)?;
                    }
                }
                Ok(())
            }
            StmtKind::Map { .. } | StmtKind::Import { .. } => Ok(()),
        }
    }

    fn this(&self, ctx: &Ctx) -> Value {
        ctx.this.clone().unwrap_or_else(|| self.input.clone())
    }

    fn expr(&mut self, e: &Expr, ctx: &Ctx) -> R {
        Ok(match &e.kind {
            ExprKind::Null => Value::Null,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Int(i) => Value::Int(*i),
            ExprKind::Float(f) => Value::Float(*f),
            ExprKind::Str(s) => Value::str(s),
            ExprKind::Array(items) => {
                let mut out = Vec::new();
                for i in items {
                    let v = self.expr(i, ctx)?;
                    if !matches!(v, Value::Delete | Value::Nothing) {
                        out.push(v);
                    }
                }
                Value::array(out)
            }
            ExprKind::Object(pairs) => {
                let mut out = Vec::new();
                for (k, v) in pairs {
                    let Value::Str(k) = self.expr(k, ctx)? else {
                        return Err(());
                    };
                    let v = self.expr(v, ctx)?;
                    if !matches!(v, Value::Delete | Value::Nothing) {
                        out.push((k, v));
                    }
                }
                Value::object(Map::from_pairs(out))
            }
            ExprKind::Word(w) => self.word(w, ctx),
            ExprKind::Var(v) => self.vars.get(v).cloned().ok_or(())?,
            ExprKind::Meta(Some(k)) => self.meta.get(k).cloned().unwrap_or(Value::Null),
            ExprKind::Meta(None) => Value::object(self.meta.clone()),
            ExprKind::Field { recv, name } => {
                let base = self.expr(recv, ctx)?;
                base.get_segment(&name.text).cloned().unwrap_or(Value::Null)
            }
            ExprKind::MapExpr { recv, body } => {
                let v = self.expr(recv, ctx)?;
                self.in_ctx(v, body, ctx)?
            }
            ExprKind::Method { recv, call } => match call.name.text.as_str() {
                "catch" => match self.expr(recv, ctx) {
                    Ok(v) => v,
                    Err(()) => return Err(()), // error texts are not modelled
                },
                "or" => match self.expr(recv, ctx) {
                    Ok(v) if !v.is_nullish() => v,
                    _ => self.expr(&call.args[0].value, ctx)?,
                },
                "not" => match self.expr(recv, ctx)? {
                    Value::Bool(b) => Value::Bool(!b),
                    _ => return Err(()),
                },
                "map" => {
                    let v = self.expr(recv, ctx)?;
                    self.in_ctx(v, &call.args[0].value, ctx)?
                }
                other => panic!("the generator does not produce .{other}()"),
            },
            ExprKind::Match { subject, cases } => {
                let (subj, inner) = match subject {
                    Some(s) => {
                        let v = self.expr(s, ctx)?;
                        (v.clone(), ctx.with_this(v))
                    }
                    None => (self.this(ctx), ctx.clone()),
                };
                for c in cases {
                    let hit = match &c.pattern {
                        None => true,
                        Some(p) if tarn_lang::is_constant(p) => {
                            let pv = self.expr(p, &inner)?;
                            tarn_lang::value::values_equal(&subj, &pv)
                        }
                        Some(p) => matches!(self.expr(p, &inner)?, Value::Bool(true)),
                    };
                    if hit {
                        return self.expr(&c.result, &inner);
                    }
                }
                Value::Nothing
            }
            ExprKind::If(i) => {
                for (cond, res) in &i.branches {
                    match self.expr(cond, ctx)? {
                        Value::Bool(true) => return self.expr(res, ctx),
                        Value::Bool(false) | Value::Null => {}
                        _ => return Err(()),
                    }
                }
                match &i.otherwise {
                    Some(o) => self.expr(o, ctx)?,
                    None => Value::Nothing,
                }
            }
            ExprKind::Not(x) => match self.expr(x, ctx)? {
                Value::Bool(b) => Value::Bool(!b),
                _ => return Err(()),
            },
            ExprKind::Neg(x) => {
                let v = self.expr(x, ctx)?;
                ops::apply(Op::Sub, &Value::Int(0), &v).map_err(|_| ())?
            }
            ExprKind::Binary { op, lhs, rhs, .. } => self.binary(*op, lhs, rhs, ctx)?,
            ExprKind::Call(c) if c.name.text == "deleted" => Value::Delete,
            other => panic!("the generator does not produce {other:?}"),
        })
    }

    fn word(&self, w: &str, ctx: &Ctx) -> Value {
        if let Some((_, v)) = ctx.lambdas.iter().rev().find(|(n, _)| n == w) {
            return v.clone();
        }
        match w {
            "this" => self.this(ctx),
            "root" => self.root.clone(),
            other => self
                .this(ctx)
                .get_segment(other)
                .cloned()
                .unwrap_or(Value::Null),
        }
    }

    fn in_ctx(&mut self, v: Value, body: &Expr, ctx: &Ctx) -> R {
        if let ExprKind::Lambda { param, body } = &body.kind {
            let mut inner = ctx.clone();
            if param.text != "_" {
                inner.lambdas.push((param.text.clone(), v));
            }
            return self.expr(body, &inner);
        }
        self.expr(body, &ctx.with_this(v))
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, ctx: &Ctx) -> R {
        let truth = |v: &Value| ops::logic_operand(v).ok_or(());
        match op {
            BinOp::And => {
                let a = truth(&self.expr(lhs, ctx)?)?;
                if !a {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(truth(&self.expr(rhs, ctx)?)?))
            }
            BinOp::Or => {
                let a = truth(&self.expr(lhs, ctx)?)?;
                if a {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(truth(&self.expr(rhs, ctx)?)?))
            }
            BinOp::Coalesce => match self.expr(lhs, ctx) {
                Ok(v) if !v.is_nullish() => Ok(v),
                _ => self.expr(rhs, ctx),
            },
            _ => {
                let op = match op {
                    BinOp::Add => Op::Add,
                    BinOp::Sub => Op::Sub,
                    BinOp::Mul => Op::Mul,
                    BinOp::Div => Op::Div,
                    BinOp::Mod => Op::Mod,
                    BinOp::Eq => Op::Eq,
                    BinOp::Ne => Op::Ne,
                    BinOp::Gt => Op::Gt,
                    BinOp::Ge => Op::Ge,
                    BinOp::Lt => Op::Lt,
                    _ => Op::Le,
                };
                let a = self.expr(lhs, ctx)?;
                let b = self.expr(rhs, ctx)?;
                ops::apply(op, &a, &b).map_err(|_| ())
            }
        }
    }
}

#[derive(Clone)]
struct Ctx {
    this: Option<Value>,
    lambdas: Vec<(String, Value)>,
}

impl Ctx {
    fn top() -> Ctx {
        Ctx {
            this: None,
            lambdas: Vec::new(),
        }
    }

    fn with_this(&self, v: Value) -> Ctx {
        Ctx {
            this: Some(v),
            lambdas: self.lambdas.clone(),
        }
    }
}

// ------------------------------------------------------------ generator

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("this.a".to_string()),
        Just("this.b".to_string()),
        Just("this.c".to_string()),
        Just("this.d.e".to_string()),
        Just("this.d".to_string()),
        Just("this.n".to_string()),
        Just("this.c.1".to_string()),
        Just("this.1".to_string()),
        Just("root.x".to_string()),
        Just("$v".to_string()),
        Just("@m".to_string()),
        Just("@".to_string()),
        Just("this".to_string()),
        (-5i64..50).prop_map(|i| i.to_string()),
        Just("2.5".to_string()),
        Just("\"s\"".to_string()),
        Just("\"\"".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("null".to_string()),
        Just("deleted()".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        let ops = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("%"),
            Just("|"),
            Just("=="),
            Just("!="),
            Just(">"),
            Just(">="),
            Just("<"),
            Just("<="),
            Just("&&"),
            Just("||"),
        ];
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            inner.clone().prop_map(|a| format!("!({a})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("if {c} {{ {a} }} else {{ {b} }}")),
            (inner.clone(), inner.clone()).prop_map(|(c, a)| format!("if {c} {{ {a} }}")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(s, a, b)| format!(
                "match {s} {{\n  1 => {a}\n  \"s\" => {b}\n  this == true => this\n  _ => {a}\n}}"
            )),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("match {{ {a} => {b}, _ => null }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}, {b}]")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{\"k\": {a}, \"j\": {b}}}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}).({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}).(q -> {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}).or({b})")),
            inner.clone().prop_map(|a| format!("({a}).not()")),
            inner.clone().prop_map(|a| format!("({a}).e")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}).map({b})")),
        ]
    })
}

fn stmt() -> impl Strategy<Value = String> {
    prop_oneof![
        expr().prop_map(|e| format!("root.x = {e}")),
        expr().prop_map(|e| format!("root.y.z = {e}")),
        expr().prop_map(|e| format!("root.a = {e}")),
        expr().prop_map(|e| format!("root.d.e = {e}")),
        expr().prop_map(|e| format!("root.0 = {e}")),
        Just("root.0 = deleted()".to_string()),
        expr().prop_map(|e| format!("let v = {e}")),
        expr().prop_map(|e| format!("meta m = {e}")),
        (expr(), expr())
            .prop_map(|(c, e)| format!("if {c} {{\n  root.w = {e}\n}} else {{\n  let v = 1\n}}")),
    ]
}

const INPUTS: &[&str] = &[
    r#"{"a":3,"b":"s","c":[1,2,3],"d":{"e":true},"n":null}"#,
    r#"{"a":-1.5,"b":"","c":[],"d":{"e":"x"},"n":5}"#,
    r#"{"a":0,"b":"xyz","c":[true],"d":{},"n":null}"#,
    // Not objects: never handed over as `root`, but run all the same.
    r#"[1,2,3]"#,
    r#""s""#,
];

type Run = Result<(String, String), ()>;

/// The program's result through `run`, and through `run_adopting` on an
/// owned message (which may hand the input over as `root`), and whether
/// the program allows that hand-over.
fn run_vm(src: &str, input: &str) -> Option<(Run, Run, bool)> {
    let prog = Env::standard().compile(src).ok()?;
    let shown = |out: tarn_lang::error::Result<tarn_lang::Outcome>| {
        out.map(|o| {
            (
                format!("{:?}", o.root),
                format!("{:?}", Value::Object(o.meta)),
            )
        })
        .map_err(|_| ())
    };
    let batch = [Message::new(input.as_bytes())];
    let shared = shown(tarn_lang::vm::run(
        &prog,
        &mut Vm::new(),
        &batch,
        0,
        Mode::Mapping,
    ));
    let mut owned = Message::new(input.as_bytes());
    let adopted = shown(tarn_lang::vm::run_adopting(
        &prog,
        &mut Vm::new(),
        &mut owned,
        Mode::Mapping,
    ));
    Some((shared, adopted, prog.adopts_input))
}

fn run_ref(src: &str, input: &str) -> Result<(String, String), ()> {
    let parsed = tarn_syntax::parse(src);
    let mut r = Ref {
        input: parse_json(input.as_bytes()).expect("inputs are JSON"),
        root: Value::Nothing,
        vars: HashMap::new(),
        meta: Map::new(),
    };
    for s in &parsed.mapping.stmts {
        r.stmt(s)?;
    }
    Ok((
        format!("{:?}", r.root),
        format!("{:?}", Value::object(r.meta)),
    ))
}

#[test]
fn vm_agrees_with_the_reference() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;
    let compared = Cell::new(0usize);
    let succeeded = Cell::new(0usize);
    let adopting = Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: 6000,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        any::<bool>(),
        prop::collection::vec(stmt(), 1..5),
        0..INPUTS.len(),
    );
    runner
        .run(&strategy, |(from_this, stmts, input)| {
            // Half the programs start with `root = this`, the shape whose
            // input may be handed over as `root` (`run_adopting`).
            let src = if from_this {
                format!("root = this\n{}", stmts.join("\n"))
            } else {
                stmts.join("\n")
            };
            let input = INPUTS[input];
            // Programs the compiler rejects (folded errors) are not compared.
            if let Some((vm, adopted, adopts)) = run_vm(&src, input) {
                let reference = run_ref(&src, input);
                compared.set(compared.get() + 1);
                if vm.is_ok() {
                    succeeded.set(succeeded.get() + 1);
                }
                if adopts && vm.is_ok() {
                    adopting.set(adopting.get() + 1);
                }
                prop_assert_eq!(&vm, &reference, "program:\n{}", src);
                prop_assert_eq!(&adopted, &reference, "run_adopting, program:\n{}", src);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    // The comparison must not be vacuous.
    assert!(
        compared.get() > 4000,
        "only {} programs compiled",
        compared.get()
    );
    assert!(
        succeeded.get() > 600,
        "only {} programs ran without error",
        succeeded.get()
    );
    assert!(
        adopting.get() > 100,
        "only {} programs took their input as root",
        adopting.get()
    );
    eprintln!(
        "compared {} programs, {} ran without error, {} took their input as root",
        compared.get(),
        succeeded.get(),
        adopting.get()
    );
}
