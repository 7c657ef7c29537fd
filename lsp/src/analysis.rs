//! The language facts the server shows, from `tarn_lang::analysis`.

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

/// Every problem the analysis finds in `text`.
pub fn diagnostics(text: &str) -> Vec<Problem> {
    tarn_lang::analysis::analyze(text)
        .diagnostics
        .into_iter()
        .map(|d| Problem {
            start: d.span.start as usize,
            end: d.span.end as usize,
            severity: crate::features::severity(d.severity),
            message: d.message,
        })
        .collect()
}
