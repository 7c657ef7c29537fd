//! The compilation environment: which functions and methods exist, whether
//! impure ones are allowed, and how `import` / `from` find files.

use crate::compile::Compiler;
use crate::diag::{Diagnostic, Diagnostics};
use crate::program::Program;
use crate::stdlib::{self, Spec};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tarn_syntax::ast::{Mapping, Stmt, StmtKind};
use tarn_syntax::{Span, parse};

/// Functions and methods available to mappings, plus compile options.
#[derive(Debug, Clone)]
pub struct Env {
    functions: HashMap<&'static str, &'static Spec>,
    methods: HashMap<&'static str, &'static Spec>,
    allow_impure: bool,
    allow_imports: bool,
}

impl Default for Env {
    fn default() -> Env {
        Env::new()
    }
}

const MAX_IMPORT_DEPTH: usize = 16;

impl Env {
    /// The full standard library.
    pub fn new() -> Env {
        let mut functions = HashMap::new();
        let mut methods = HashMap::new();
        for spec in stdlib::all() {
            if spec.is_method() {
                methods.insert(spec.name, spec);
            } else {
                functions.insert(spec.name, spec);
            }
        }
        Env {
            functions,
            methods,
            allow_impure: true,
            allow_imports: true,
        }
    }

    /// A shared environment with the full standard library.
    pub fn standard() -> &'static Env {
        static ENV: OnceLock<Env> = OnceLock::new();
        ENV.get_or_init(Env::new)
    }

    /// The same environment with impure functions (time, randomness,
    /// environment variables, files, host) disabled.
    pub fn without_impure(mut self) -> Env {
        self.allow_impure = false;
        self
    }

    /// The same environment with `import` and `from` (which read files)
    /// rejected at compile time.
    pub fn without_imports(mut self) -> Env {
        self.allow_imports = false;
        self
    }

    /// True when `import` and `from` are allowed.
    pub fn imports_allowed(&self) -> bool {
        self.allow_imports
    }

    /// True when impure functions are allowed.
    pub fn impure_allowed(&self) -> bool {
        self.allow_impure
    }

    /// True when `spec` may be used here.
    pub fn allows(&self, spec: &Spec) -> bool {
        self.allow_impure || !spec.impure
    }

    /// A function by name.
    pub fn function(&self, name: &str) -> Option<&'static Spec> {
        self.functions.get(name).copied()
    }

    /// A method by name.
    pub fn method(&self, name: &str) -> Option<&'static Spec> {
        self.methods.get(name).copied()
    }

    /// Every function name.
    pub fn function_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.functions.keys().copied()
    }

    /// Every method name.
    pub fn method_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.methods.keys().copied()
    }

    /// Every spec, functions then methods, each sorted by name.
    pub fn specs(&self) -> Vec<&'static Spec> {
        let mut f: Vec<_> = self.functions.values().copied().collect();
        f.sort_by_key(|s| s.name);
        let mut m: Vec<_> = self.methods.values().copied().collect();
        m.sort_by_key(|s| s.name);
        f.extend(m);
        f
    }

    /// Compiles a mapping; `import` and `from` paths resolve against the
    /// current directory.
    pub fn compile(&self, src: &str) -> Result<Program, Diagnostics> {
        self.compile_in(src, None)
    }

    /// Compiles the mapping in `path`; imports resolve against its folder.
    pub fn compile_file(&self, path: &Path) -> Result<Program, Diagnostics> {
        let src = std::fs::read_to_string(path).map_err(|e| Diagnostics {
            items: vec![Diagnostic::error(
                Span::default(),
                format!("failed to read {}: {e}", path.display()),
            )],
            source: String::new(),
        })?;
        self.compile_in(&src, path.parent())
    }

    /// Compiles a mapping whose relative imports resolve against `dir`.
    pub fn compile_in(&self, src: &str, dir: Option<&Path>) -> Result<Program, Diagnostics> {
        self.compile_depth(src, dir, 0)
    }

    fn compile_depth(
        &self,
        src: &str,
        dir: Option<&Path>,
        depth: usize,
    ) -> Result<Program, Diagnostics> {
        let fail = |items: Vec<Diagnostic>| Diagnostics {
            items,
            source: src.to_string(),
        };
        let parsed = parse(src);
        if !parsed.errors.is_empty() {
            return Err(fail(
                parsed.errors.into_iter().map(Diagnostic::from).collect(),
            ));
        }
        let (program, diags) = self.compile_parsed(src, &parsed.mapping, dir, depth);
        if diags
            .iter()
            .any(|d| d.severity == tarn_syntax::Severity::Error)
        {
            return Err(fail(diags));
        }
        Ok(program)
    }

    /// Compiles an already parsed (possibly partial) mapping, returning
    /// the program and every semantic diagnostic; the program is only
    /// usable when no diagnostic is an error.
    pub(crate) fn compile_parsed(
        &self,
        src: &str,
        mapping: &Mapping,
        dir: Option<&Path>,
        depth: usize,
    ) -> (Program, Vec<Diagnostic>) {
        let fail = |d: Diagnostic| (Program::default(), vec![d]);
        if let Some(from) = &mapping.from {
            if !self.allow_imports {
                return fail(Diagnostic::error(
                    from.span,
                    "`from` is not available here: imports are disabled",
                ));
            }
            if depth >= MAX_IMPORT_DEPTH {
                return fail(Diagnostic::error(
                    from.span,
                    "imports are nested too deeply",
                ));
            }
            let path = resolve(dir, &from.text);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    return fail(Diagnostic::error(
                        from.span,
                        format!("failed to read import: {e}"),
                    ));
                }
            };
            return match self.compile_depth(&text, path.parent(), depth + 1) {
                Ok(program) => (program, Vec::new()),
                Err(d) => fail(Diagnostic::error(
                    from.span,
                    format!("failed to parse import '{}': {}", from.text, d.short()),
                )),
            };
        }
        let mut compiler = Compiler::new(self, src, false);
        let stmts = &mapping.stmts;
        let mut imported: Vec<(usize, Stmt, String)> = Vec::new();
        for s in stmts {
            match &s.kind {
                StmtKind::Map { name, .. } => {
                    compiler.declare_map(&name.text, name.span);
                }
                StmtKind::Import { path } => {
                    self.import(
                        &mut compiler,
                        dir,
                        &path.text,
                        path.span,
                        depth,
                        &mut imported,
                    );
                }
                _ => {}
            }
        }
        compiler.compile_main(stmts);
        for s in stmts {
            if let StmtKind::Map { name, body } = &s.kind
                && let Some(index) = compiler.map_index(&name.text)
            {
                compiler.compile_map(index, body, s.span);
            }
        }
        for (index, stmt, text) in &imported {
            if let StmtKind::Map { body, .. } = &stmt.kind {
                compiler.compile_map_from(*index, body, stmt.span, text);
            }
        }
        let (mut program, diags) = compiler.finish();
        program.dir = dir.map(Path::to_path_buf);
        (program, diags)
    }

    fn import(
        &self,
        compiler: &mut Compiler<'_>,
        dir: Option<&Path>,
        rel: &str,
        span: Span,
        depth: usize,
        out: &mut Vec<(usize, Stmt, String)>,
    ) {
        if !self.allow_imports {
            compiler.error(span, "`import` is not available here: imports are disabled");
            return;
        }
        if depth >= MAX_IMPORT_DEPTH {
            compiler.error(span, "imports are nested too deeply");
            return;
        }
        let path = resolve(dir, rel);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                compiler.error(span, format!("failed to read import: {e}"));
                return;
            }
        };
        let parsed = parse(&text);
        if let Some(first) = parsed.errors.first() {
            let d = Diagnostics {
                items: vec![Diagnostic::from(first.clone())],
                source: text.clone(),
            };
            compiler.error(
                span,
                format!("failed to parse import '{rel}': {}", d.short()),
            );
            return;
        }
        let maps: Vec<&Stmt> = parsed
            .mapping
            .stmts
            .iter()
            .filter(|s| matches!(s.kind, StmtKind::Map { .. }))
            .collect();
        if maps.is_empty() {
            compiler.error(span, format!("no maps to import from '{rel}'"));
            return;
        }
        let collisions: Vec<&str> = maps
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Map { name, .. } if compiler.map_index(&name.text).is_some() => {
                    Some(name.text.as_str())
                }
                _ => None,
            })
            .collect();
        if !collisions.is_empty() {
            compiler.error(
                span,
                format!(
                    "map name collisions from import '{rel}': [{}]",
                    collisions.join(" ")
                ),
            );
            return;
        }
        for s in maps {
            if let StmtKind::Map { name, .. } = &s.kind
                && let Some(index) = compiler.declare_map(&name.text, span)
            {
                out.push((index, s.clone(), text.clone()));
            }
        }
    }
}

fn resolve(dir: Option<&Path>, rel: &str) -> PathBuf {
    let p = Path::new(rel);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    match dir {
        Some(d) if d.join(p).exists() => d.join(p),
        _ => p.to_path_buf(),
    }
}
