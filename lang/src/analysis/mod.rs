//! Language facts about one mapping for editors (the language server) and
//! the REPL: every diagnostic, the definitions of variables and named maps
//! and their uses, call sites, and position conversions.
//!
//! ```
//! use tarn_lang::analysis::analyze;
//! let a = analyze("let name = this.name\nroot.up = $nmae.uppercase()");
//! assert_eq!(a.diagnostics.len(), 2); // `$nmae` is undefined; `name` is never used
//! assert_eq!(a.calls[0].name, "uppercase");
//! ```

mod calls;
pub mod position;
mod walk;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_queries;

pub use crate::diag::{Diagnostic, Severity};
pub use calls::CallSite;
pub use position::{LineStarts, line_col_utf16, offset_of_utf16};

use crate::env::Env;
use std::path::Path;
use tarn_syntax::Span;
use tarn_syntax::ast::StmtKind;

/// What a symbol names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// A `let` variable, used as `$name`.
    Variable,
    /// A named `map`, used as `.apply("name")`.
    Map,
}

/// A definition: a `let` or a `map`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Variable or map.
    pub kind: SymbolKind,
    /// The name as defined.
    pub name: String,
    /// Where the name is written (inside the quotes of a quoted name).
    pub span: Span,
    /// The whole defining statement.
    pub full_span: Span,
    /// For a variable defined inside a `map` body, that map's symbol
    /// index; `None` at the top level and for maps.
    pub scope: Option<usize>,
}

/// A use of a variable (`$name`) or of a named map (the string literal
/// of `.apply("name")`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Variable or map.
    pub kind: SymbolKind,
    /// The name used.
    pub name: String,
    /// Just the name: without the `$`, inside the quotes.
    pub span: Span,
    /// The index into [`Analysis::symbols`] of its definition, when known.
    pub target: Option<usize>,
}

/// Everything known about one mapping.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Syntax errors, the compiler's semantic errors and this module's
    /// checks, sorted by span, without duplicates.
    pub diagnostics: Vec<Diagnostic>,
    /// Definitions in source order.
    pub symbols: Vec<Symbol>,
    /// Uses in source order.
    pub references: Vec<Reference>,
    /// Every function and method call, in order of their `(`.
    pub calls: Vec<CallSite>,
    /// Each `import "path"`: the path and the span inside its quotes.
    pub imports: Vec<(String, Span)>,
    /// `from "path"`, when the whole mapping comes from a file.
    pub from: Option<(String, Span)>,
    exprs: Vec<Span>,
    statements: Vec<(Span, Option<Span>)>,
}

/// Analyzes a mapping whose imports resolve against the current directory.
pub fn analyze(src: &str) -> Analysis {
    analyze_in(src, None)
}

/// Analyzes a mapping whose relative imports resolve against `dir` (the
/// folder of the file being edited).
pub fn analyze_in(src: &str, dir: Option<&Path>) -> Analysis {
    let parsed = tarn_syntax::parse(src);
    let stmts = &parsed.mapping.stmts;
    let mut diagnostics: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .cloned()
        .map(Diagnostic::from)
        .collect();

    let (program, semantic) = Env::standard().compile_parsed(src, &parsed.mapping, dir, 0);
    // A statement with a syntax error is only partly in the tree: the
    // compiler's view of it would be noise.
    let broken = |span: Span| {
        stmts.iter().any(|s| {
            s.span.contains(span.start as usize)
                && parsed
                    .errors
                    .iter()
                    .any(|e| s.span.contains(e.span.start as usize))
        })
    };
    diagnostics.extend(semantic.iter().filter(|d| !broken(d.span)).cloned());

    let mut walker = walk::Walker::new(src);
    let import_failed = stmts.iter().any(|s| match &s.kind {
        StmtKind::Import { path } => semantic.iter().any(|d| d.span == path.span),
        _ => false,
    });
    let has_imports = stmts
        .iter()
        .any(|s| matches!(s.kind, StmtKind::Import { .. }));
    let imported: Vec<String> = if has_imports {
        program.maps.keys().cloned().collect()
    } else {
        Vec::new()
    };
    let known = (parsed.mapping.from.is_none() && !import_failed).then_some(imported.as_slice());
    walker.run(stmts, known);
    diagnostics.append(&mut walker.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    diagnostics.dedup_by(|a, b| a.span == b.span && a.message == b.message);

    let statements = stmts
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Assign { target, .. } => (s.span, Some(target.span)),
            _ => (s.span, None),
        })
        .collect();
    Analysis {
        diagnostics,
        symbols: walker.symbols,
        references: walker.references,
        calls: calls::call_sites(src),
        imports: walker.imports,
        from: parsed
            .mapping
            .from
            .as_ref()
            .map(|f| (f.text.clone(), walk::inside_quotes(src, f.span))),
        exprs: walker.exprs,
        statements,
    }
}

impl Analysis {
    /// The symbol defined or referenced at byte `offset` (a cursor just
    /// after a name counts as on it).
    pub fn symbol_at(&self, offset: usize) -> Option<usize> {
        if let Some(i) = self.symbols.iter().position(|s| s.span.contains(offset)) {
            return Some(i);
        }
        self.references
            .iter()
            .find(|r| r.span.contains(offset))
            .and_then(|r| r.target)
    }

    /// Every span naming `symbol`: its definition (and the other `let`s of
    /// the same variable in the same scope) and all references, in order —
    /// what a rename must change.
    pub fn occurrences(&self, symbol: usize) -> Vec<Span> {
        let Some(sym) = self.symbols.get(symbol) else {
            return Vec::new();
        };
        let group: Vec<usize> = self
            .symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == sym.kind && s.name == sym.name && s.scope == sym.scope)
            .map(|(i, _)| i)
            .collect();
        let mut spans: Vec<Span> = group.iter().map(|&i| self.symbols[i].span).collect();
        spans.extend(
            self.references
                .iter()
                .filter(|r| r.target.is_some_and(|t| group.contains(&t)))
                .map(|r| r.span),
        );
        spans.sort();
        spans.dedup();
        spans
    }

    /// The innermost call whose argument text contains `offset` (for
    /// signature help).
    pub fn call_at(&self, offset: usize) -> Option<&CallSite> {
        self.calls
            .iter()
            .filter(|c| c.args_span.contains(offset))
            .min_by_key(|c| c.args_span.end - c.args_span.start)
    }

    /// The function or method name at `offset`: its name, whether it is a
    /// method, and its span (for hover).
    pub fn name_at(&self, offset: usize) -> Option<(String, bool, Span)> {
        self.calls
            .iter()
            .find(|c| c.name_span.contains(offset))
            .map(|c| (c.name.clone(), c.is_method, c.name_span))
    }

    /// The smallest expression containing `offset`.
    pub fn expression_at(&self, offset: usize) -> Option<Span> {
        let mut best: Option<Span> = None;
        for &span in &self.exprs {
            if span.contains(offset)
                && best.is_none_or(|b| span.end - span.start <= b.end - b.start)
            {
                best = Some(span);
            }
        }
        best
    }

    /// The top-level statements in order, each with its target's span when
    /// it is an assignment (`root…` = …; the `root` shorthand of a lone
    /// expression has an empty target span at its start).
    pub fn statement_ends(&self) -> Vec<(Span, Option<Span>)> {
        self.statements.clone()
    }
}
