//! `${! … }` interpolated strings of config fields.

use crate::compile::Compiler;
use crate::convert::append_display;
use crate::diag::{Diagnostic, Diagnostics};
use crate::env::Env;
use crate::error::Result;
use crate::message::Message;
use crate::program::Program;
use crate::vm::{Vm, eval};
use tarn_syntax::{InterpPart, parse_interpolation};

/// A compiled interpolated string.
#[derive(Debug)]
pub struct Interpolation {
    parts: Vec<Part>,
}

#[derive(Debug)]
enum Part {
    Text(String),
    Query(Box<Program>),
}

impl Env {
    /// Compiles a config string with `${! … }` queries.
    pub fn compile_interpolation(
        &self,
        src: &str,
    ) -> std::result::Result<Interpolation, Diagnostics> {
        let fail = |items: Vec<Diagnostic>| Diagnostics {
            items,
            source: src.to_string(),
        };
        let parts = parse_interpolation(src)
            .map_err(|errs| fail(errs.into_iter().map(Diagnostic::from).collect()))?;
        let mut out = Vec::with_capacity(parts.len());
        let mut diags = Vec::new();
        for part in parts {
            match part {
                InterpPart::Text(t) => out.push(Part::Text(t)),
                InterpPart::Query(e, _) => {
                    let mut c = Compiler::new(self, src, true);
                    c.compile_query(&e);
                    let (prog, d) = c.finish();
                    diags.extend(d);
                    out.push(Part::Query(Box::new(prog)));
                }
            }
        }
        if !diags.is_empty() {
            return Err(fail(diags));
        }
        Ok(Interpolation { parts: out })
    }
}

impl Interpolation {
    /// True when the string has no queries.
    pub fn is_static(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    /// Evaluates the string for message `index` of `batch`.
    pub fn render(&self, vm: &mut Vm, batch: &[Message], index: usize) -> Result<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Query(p) => {
                    let v = eval(p, vm, batch, index)?;
                    append_display(&mut out, &v);
                }
            }
        }
        Ok(out)
    }
}
