//! The walk over the syntax tree that finds definitions and uses, and the
//! checks built on them: undefined variables, variables used before their
//! `let`, unused variables and unknown named maps.

use super::{Reference, Symbol, SymbolKind};
use crate::diag::{Diagnostic, suggest};
use std::collections::{HashMap, HashSet};
use tarn_syntax::Span;
use tarn_syntax::ast::{Expr, ExprKind, Stmt, StmtKind};

/// Variables of one unit: the top-level mapping or one named map's body.
#[derive(Default)]
struct Unit {
    /// The map symbol whose body this is (`None` at the top level).
    scope: Option<usize>,
    /// Name → the latest `let` of it seen so far.
    visible: HashMap<String, usize>,
    /// Every `let` symbol of the unit, in order.
    lets: Vec<usize>,
    /// Every variable reference of the unit, with the span of `$name`.
    uses: Vec<(usize, Span)>,
}

/// What the walk collects.
#[derive(Default)]
pub(super) struct Walker<'a> {
    src: &'a str,
    pub symbols: Vec<Symbol>,
    pub references: Vec<Reference>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every expression span, parents before children.
    pub exprs: Vec<Span>,
    pub imports: Vec<(String, Span)>,
    /// `apply("name")` references, resolved once every map is known.
    map_refs: Vec<usize>,
    unit: Unit,
    done: Vec<Unit>,
}

impl<'a> Walker<'a> {
    /// A walker over `src`.
    pub fn new(src: &'a str) -> Walker<'a> {
        Walker {
            src,
            ..Walker::default()
        }
    }

    /// Walks the top-level statements and runs the checks. `known_maps`
    /// holds maps defined elsewhere (imports); `None` when those are
    /// unknown, which turns the unknown-map check off.
    pub fn run(&mut self, stmts: &[Stmt], known_maps: Option<&[String]>) {
        self.stmts(stmts);
        let top = std::mem::take(&mut self.unit);
        self.done.push(top);
        let units = std::mem::take(&mut self.done);
        let top_lets: Vec<String> = units
            .iter()
            .filter(|u| u.scope.is_none())
            .flat_map(|u| u.lets.iter().map(|&s| self.symbols[s].name.clone()))
            .collect();
        for unit in &units {
            self.check_unit(unit, &top_lets);
        }
        self.resolve_maps(known_maps);
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { value, .. } | StmtKind::Meta { value, .. } => self.expr(value),
            StmtKind::Let { name, value } => {
                self.expr(value);
                let index = self.symbols.len();
                self.symbols.push(Symbol {
                    kind: SymbolKind::Variable,
                    name: name.text.clone(),
                    span: inside_quotes(self.src, name.span),
                    full_span: s.span,
                    scope: self.unit.scope,
                });
                self.unit.visible.insert(name.text.clone(), index);
                self.unit.lets.push(index);
            }
            StmtKind::If(i) => {
                for (cond, body) in &i.branches {
                    self.expr(cond);
                    self.stmts(body);
                }
                if let Some(o) = &i.otherwise {
                    self.stmts(o);
                }
            }
            StmtKind::Map { name, body } => {
                let index = self.symbols.len();
                self.symbols.push(Symbol {
                    kind: SymbolKind::Map,
                    name: name.text.clone(),
                    span: inside_quotes(self.src, name.span),
                    full_span: s.span,
                    scope: None,
                });
                let outer = std::mem::replace(
                    &mut self.unit,
                    Unit {
                        scope: Some(index),
                        ..Unit::default()
                    },
                );
                self.stmts(body);
                let inner = std::mem::replace(&mut self.unit, outer);
                self.done.push(inner);
            }
            StmtKind::Import { path } => {
                self.imports
                    .push((path.text.clone(), inside_quotes(self.src, path.span)));
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner(e));
    }

    fn expr_inner(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Error => return,
            ExprKind::Var(name) => {
                let mut span = e.span;
                if self
                    .src
                    .get(span.range())
                    .is_some_and(|t| t.starts_with('$'))
                {
                    span.start += 1;
                }
                let index = self.references.len();
                self.references.push(Reference {
                    kind: SymbolKind::Variable,
                    name: name.clone(),
                    span,
                    target: self.unit.visible.get(name).copied(),
                });
                self.unit.uses.push((index, e.span));
            }
            ExprKind::Method { call, .. } if call.name.text == "apply" => {
                if let [arg] = call.args.as_slice()
                    && arg.name.as_ref().is_none_or(|n| n.text == "mapping")
                    && let ExprKind::Str(name) = &arg.value.kind
                {
                    self.map_refs.push(self.references.len());
                    self.references.push(Reference {
                        kind: SymbolKind::Map,
                        name: name.clone(),
                        span: inside_quotes(self.src, arg.value.span),
                        target: None,
                    });
                }
            }
            _ => {}
        }
        self.exprs.push(e.span);
        e.for_each_child(|c| self.expr(c));
    }

    /// Reports the unit's undefined, early and unused variables.
    fn check_unit(&mut self, unit: &Unit, top_lets: &[String]) {
        let names: Vec<&str> = unit
            .lets
            .iter()
            .map(|&s| self.symbols[s].name.as_str())
            .collect();
        for &(r, dollar) in &unit.uses {
            if self.references[r].target.is_some() {
                continue;
            }
            let name = self.references[r].name.clone();
            if let Some(&later) = unit.lets.iter().find(|&&s| self.symbols[s].name == name) {
                self.references[r].target = Some(later);
                self.diagnostics.push(Diagnostic::error(
                    dollar,
                    format!("variable `{name}` is used before its `let`"),
                ));
                continue;
            }
            let hint = match suggest(&name, names.iter().copied()) {
                Some(s) => format!(", did you mean `${s}`?"),
                None if unit.scope.is_some() && top_lets.contains(&name) => {
                    " (variables of the mapping are not visible inside a `map`)".to_string()
                }
                None => String::new(),
            };
            self.diagnostics.push(Diagnostic::error(
                dollar,
                format!("undefined variable `${name}`{hint}"),
            ));
        }
        let mut last_use: HashMap<&str, u32> = HashMap::new();
        let mut targeted = HashSet::new();
        for &(r, _) in &unit.uses {
            let rf = &self.references[r];
            let last = last_use.entry(rf.name.as_str()).or_insert(0);
            *last = (*last).max(rf.span.start);
            targeted.extend(rf.target);
        }
        for &s in &unit.lets {
            let sym = &self.symbols[s];
            let later = last_use
                .get(sym.name.as_str())
                .is_some_and(|&at| at > sym.full_span.end);
            if !later && !targeted.contains(&s) {
                self.diagnostics.push(Diagnostic::warning(
                    sym.span,
                    format!("variable `{}` is never used", sym.name),
                ));
            }
        }
    }

    /// Points `apply` references at their maps and reports unknown ones.
    fn resolve_maps(&mut self, known: Option<&[String]>) {
        let mut maps: HashMap<&str, usize> = HashMap::new();
        for (i, s) in self.symbols.iter().enumerate() {
            if s.kind == SymbolKind::Map {
                maps.entry(s.name.as_str()).or_insert(i);
            }
        }
        for &r in &self.map_refs {
            let name = self.references[r].name.clone();
            let name = name.as_str();
            if let Some(&target) = maps.get(name) {
                self.references[r].target = Some(target);
                continue;
            }
            let Some(known) = known else { continue };
            if known.iter().any(|k| k == name) {
                continue;
            }
            let candidates = maps.keys().copied().chain(known.iter().map(String::as_str));
            let hint = suggest(name, candidates)
                .map(|s| format!(", did you mean `{s}`?"))
                .unwrap_or_default();
            self.diagnostics.push(Diagnostic::error(
                self.references[r].span,
                format!("unknown map `{name}`{hint}"),
            ));
        }
    }
}

/// The text of a string literal or quoted name without its quotes (the
/// span unchanged when it is not quoted).
pub(super) fn inside_quotes(src: &str, span: Span) -> Span {
    let Some(text) = src.get(span.range()) else {
        return span;
    };
    let strip = if text.len() >= 6 && text.starts_with("\"\"\"") && text.ends_with("\"\"\"") {
        3
    } else if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        1
    } else {
        0
    };
    Span {
        start: span.start + strip,
        end: span.end - strip,
    }
}
