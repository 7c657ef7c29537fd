//! The syntax tree of a Bloblang mapping. Every node carries its byte span.

use crate::span::Span;

/// A whole parsed mapping.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    /// Statements in source order (a root-query shorthand becomes one
    /// assignment to `root`).
    pub stmts: Vec<Stmt>,
    /// `from "path"`: the whole mapping is loaded from that file.
    pub from: Option<Name>,
}

/// A name or string with its span (variables, maps, meta keys, paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The decoded text.
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What kind of statement.
    pub kind: StmtKind,
    /// From the first to the last token of the statement.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `target = value`.
    Assign {
        /// Where the value goes.
        target: Target,
        /// The value.
        value: Expr,
    },
    /// `let name = value`.
    Let {
        /// Variable name.
        name: Name,
        /// The value.
        value: Expr,
    },
    /// `meta key = value` or `meta = value`.
    Meta {
        /// The key, or `None` for the whole metadata object.
        key: Option<Name>,
        /// The value.
        value: Expr,
    },
    /// `if cond { … } else if cond { … } else { … }` at statement level.
    If(IfStmt),
    /// `map name { … }`.
    Map {
        /// The map's name.
        name: Name,
        /// Its statements.
        body: Vec<Stmt>,
    },
    /// `import "path"`.
    Import {
        /// The file path.
        path: Name,
    },
}

/// A statement-level `if` chain.
#[derive(Debug, Clone, PartialEq)]
pub struct IfStmt {
    /// `(condition, body)` for `if` and each `else if`.
    pub branches: Vec<(Expr, Vec<Stmt>)>,
    /// The `else` body.
    pub otherwise: Option<Vec<Stmt>>,
}

/// The left side of an assignment: a path below `root`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Path segments below `root` (empty for `root` itself).
    pub segments: Vec<Name>,
    /// The whole target text.
    pub span: Span,
}

impl Target {
    /// The path as Bloblang prints it (`root.a.b`, or `root`).
    pub fn display(&self) -> String {
        let mut s = String::from("root");
        for seg in &self.segments {
            s.push('.');
            s.push_str(&seg.text);
        }
        s
    }
}

/// An expression (a "query").
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `|` (coalesce)
    Coalesce,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Coalesce => "|",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }

    /// Binding strength: higher binds tighter (levels 4–7 of the reference
    /// map to 4, 3, 2, 1).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Coalesce => 4,
            BinOp::Add | BinOp::Sub => 3,
            BinOp::Eq | BinOp::Ne | BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le => 2,
            BinOp::And | BinOp::Or => 1,
        }
    }
}

/// A function or method call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function or method name.
    pub name: Name,
    /// The arguments in order.
    pub args: Vec<Arg>,
    /// From the name to the closing parenthesis.
    pub span: Span,
}

/// One call argument, positional or named.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// `name:` for a named argument.
    pub name: Option<Name>,
    /// The argument expression.
    pub value: Expr,
}

/// One `pattern => result` case of a `match`.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchCase {
    /// The pattern; `None` is the wildcard `_`.
    pub pattern: Option<Expr>,
    /// The result.
    pub result: Expr,
    /// The whole case.
    pub span: Span,
}

/// An `if` expression.
#[derive(Debug, Clone, PartialEq)]
pub struct IfExpr {
    /// `(condition, result)` for `if` and each `else if`.
    pub branches: Vec<(Expr, Expr)>,
    /// The `else` result.
    pub otherwise: Option<Expr>,
}

/// A statement-level `if` as the parser first sees it, before its bodies
/// are known to hold statements. [`crate::parse`] never returns this
/// variant: it becomes [`StmtKind::If`] or an error.
#[derive(Debug, Clone, PartialEq)]
pub struct RawIf {
    /// `(condition, body items)` per branch.
    pub branches: Vec<(Expr, Block)>,
    /// The `else` body.
    pub otherwise: Option<Block>,
}

/// A `{ … }` block of raw items.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The items, one per line.
    pub items: Vec<Item>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A line of a mapping before statements and root queries are told apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A bare expression.
    Expr(Expr),
    /// `lhs = value`; the left side is checked to be a path later.
    Assign(Expr, Expr, Span),
    /// `let name = value`.
    Let(Name, Expr, Span),
    /// `meta [key] = value`.
    Meta(Option<Name>, Expr, Span),
    /// `map name { … }`.
    Map(Name, Block, Span),
    /// `import "path"`.
    Import(Name, Span),
    /// `from "path"`.
    From(Name, Span),
    /// A line that did not parse (already reported).
    Error(Span),
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer literal (or a folded negative one).
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal.
    Str(String),
    /// `[a, b]`
    Array(Vec<Expr>),
    /// `{k: v}`; keys are expressions (usually string literals).
    Object(Vec<(Expr, Expr)>),
    /// A bare word: `this`, `root`, a lambda parameter, or `this.word`.
    Word(String),
    /// `$name`
    Var(String),
    /// `@name`, or `@` (`None`) for the whole metadata object.
    Meta(Option<String>),
    /// `name(args)`
    Call(Call),
    /// `recv.field` (also quoted and numeric segments).
    Field {
        /// The value the field is read from.
        recv: Box<Expr>,
        /// The segment.
        name: Name,
    },
    /// `recv.method(args)`
    Method {
        /// The receiver.
        recv: Box<Expr>,
        /// The call.
        call: Call,
    },
    /// `recv.(body)`: `body` with `this` bound to `recv`.
    MapExpr {
        /// The receiver.
        recv: Box<Expr>,
        /// The expression run on it.
        body: Box<Expr>,
    },
    /// `name -> body`
    Lambda {
        /// The parameter (`_` binds nothing).
        param: Name,
        /// The body.
        body: Box<Expr>,
    },
    /// `match [subject] { cases }`
    Match {
        /// The subject; without one, `this` is matched.
        subject: Option<Box<Expr>>,
        /// The cases in order.
        cases: Vec<MatchCase>,
    },
    /// `if c { a } else { b }`
    If(Box<IfExpr>),
    /// Parser-internal, see [`RawIf`].
    RawIf(Box<RawIf>),
    /// `!expr`
    Not(Box<Expr>),
    /// `-expr`
    Neg(Box<Expr>),
    /// `lhs op rhs`
    Binary {
        /// Operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// Where the operator is written.
        op_span: Span,
    },
    /// A part that did not parse (already reported).
    Error,
}

/// The one walk over an expression's direct children behind
/// [`Expr::for_each_child`] and [`Expr::for_each_child_mut`]; `$m` is empty
/// or `mut`.
macro_rules! visit_children {
    ($kind:expr, $f:ident, $($m:ident)?) => {
        match $kind {
            ExprKind::Array(items) => {
                for item in items {
                    $f(item);
                }
            }
            ExprKind::Object(pairs) => {
                for (k, v) in pairs {
                    $f(k);
                    $f(v);
                }
            }
            ExprKind::Call(call) => {
                for a in &$($m)? call.args {
                    $f(&$($m)? a.value);
                }
            }
            ExprKind::Field { recv, .. } | ExprKind::Lambda { body: recv, .. } => $f(recv),
            ExprKind::Method { recv, call } => {
                $f(recv);
                for a in &$($m)? call.args {
                    $f(&$($m)? a.value);
                }
            }
            ExprKind::MapExpr { recv, body } => {
                $f(recv);
                $f(body);
            }
            ExprKind::Match { subject, cases } => {
                if let Some(s) = subject {
                    $f(s);
                }
                for c in cases {
                    if let Some(p) = &$($m)? c.pattern {
                        $f(p);
                    }
                    $f(&$($m)? c.result);
                }
            }
            ExprKind::If(i) => {
                for (c, r) in &$($m)? i.branches {
                    $f(c);
                    $f(r);
                }
                if let Some(o) = &$($m)? i.otherwise {
                    $f(o);
                }
            }
            ExprKind::Not(e) | ExprKind::Neg(e) => $f(e),
            ExprKind::Binary { lhs, rhs, .. } => {
                $f(lhs);
                $f(rhs);
            }
            ExprKind::RawIf(_)
            | ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Word(_)
            | ExprKind::Var(_)
            | ExprKind::Meta(_)
            | ExprKind::Error => {}
        }
    };
}

impl Expr {
    /// A new expression node.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// True for literals, including folded constants and literal
    /// arrays/objects whose parts are all literal.
    pub fn is_literal(&self) -> bool {
        match &self.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_) => true,
            ExprKind::Array(items) => items.iter().all(Expr::is_literal),
            ExprKind::Object(pairs) => pairs
                .iter()
                .all(|(k, v)| matches!(k.kind, ExprKind::Str(_)) && v.is_literal()),
            _ => false,
        }
    }

    /// Calls `f` on each direct child expression.
    pub fn for_each_child(&self, mut f: impl FnMut(&Expr)) {
        visit_children!(&self.kind, f,);
    }

    /// Calls `f` on each direct child expression, mutably.
    pub fn for_each_child_mut(&mut self, mut f: impl FnMut(&mut Expr)) {
        visit_children!(&mut self.kind, f, mut);
    }
}

impl Stmt {
    /// Calls `f` on each expression directly inside this statement (not
    /// those of nested statements).
    pub fn for_each_expr(&self, mut f: impl FnMut(&Expr)) {
        match &self.kind {
            StmtKind::Assign { value, .. }
            | StmtKind::Let { value, .. }
            | StmtKind::Meta { value, .. } => f(value),
            StmtKind::If(i) => i.branches.iter().for_each(|(c, _)| f(c)),
            StmtKind::Map { .. } | StmtKind::Import { .. } => {}
        }
    }

    /// Calls `f` on each statement nested directly inside this one.
    pub fn for_each_child_stmt(&self, mut f: impl FnMut(&Stmt)) {
        match &self.kind {
            StmtKind::If(i) => {
                for (_, body) in &i.branches {
                    body.iter().for_each(&mut f);
                }
                if let Some(o) = &i.otherwise {
                    o.iter().for_each(&mut f);
                }
            }
            StmtKind::Map { body, .. } => body.iter().for_each(f),
            _ => {}
        }
    }
}
