//! The language facts the server shows, from `tarn_lang`.

use lsp_types::DiagnosticSeverity;

/// One problem in a Bloblang text, by byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// First byte.
    pub start: usize,
    /// Byte after the last.
    pub end: usize,
    /// How serious.
    pub severity: DiagnosticSeverity,
    /// What.
    pub message: String,
}

/// Every problem the compiler finds in `text`.
pub fn diagnostics(text: &str) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    let parsed = tarn_syntax_errors(text);
    out.extend(parsed);
    if let Err(diags) = tarn_lang::Env::standard().compile(text) {
        for d in diags.items {
            let p = Problem {
                start: d.span.start as usize,
                end: d.span.end as usize,
                severity: crate::features::severity(d.severity),
                message: d.message,
            };
            if !out
                .iter()
                .any(|o| o.start == p.start && o.message == p.message)
            {
                out.push(p);
            }
        }
    }
    out.sort_by_key(|p| (p.start, p.end));
    out
}

fn tarn_syntax_errors(_text: &str) -> Vec<Problem> {
    Vec::new()
}
