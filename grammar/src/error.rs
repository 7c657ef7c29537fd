//! Syntax errors and their rendering as `file:line:col` snippets.

use crate::span::{LineIndex, Span};
use std::fmt::Write;

/// One problem found while reading the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, in plain words.
    pub message: String,
}

impl SyntaxError {
    /// A new error at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            span,
            message: message.into(),
        }
    }
}

/// How serious a rendered message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops compilation.
    Error,
    /// Worth attention, does not stop anything.
    Warning,
    /// Extra information.
    Note,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// Renders one message as
///
/// ```text
/// FILE:LINE:COL: error: MESSAGE
///   |
/// 3 | the source line
///   |     ^^^
/// ```
///
/// `line_offset` is added to line numbers (for sources embedded in a larger
/// file, such as a mapping inside a YAML config).
pub fn render_snippet(
    src: &str,
    file: &str,
    span: Span,
    severity: Severity,
    message: &str,
    line_offset: usize,
) -> String {
    let index = LineIndex::new(src);
    let start = (span.start as usize).min(src.len());
    let pos = index.line_col(src, start);
    let line0 = index.line_of(start);
    let text = index.line_text(src, line0);
    let line_no = (line0 + 1 + line_offset).to_string();
    let pad = " ".repeat(line_no.len());
    let col0 = pos.col as usize - 1;
    let line_end = index.line_start(line0) + text.len();
    let end = (span.end as usize).clamp(start, line_end.max(start));
    let width = src.get(start..end).map_or(1, |s| s.chars().count()).max(1);
    let shown: String = text.replace('\t', " ");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{file}:{}:{}: {}: {message}",
        pos.line as usize + line_offset,
        pos.col,
        severity.label()
    );
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line_no} | {shown}");
    let _ = write!(out, "{pad} | {}{}", " ".repeat(col0), "^".repeat(width));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_layout() {
        let src = "root = 1\nfoo wat bar\n";
        let out = render_snippet(
            src,
            "m.blobl",
            Span::new(13, 16),
            Severity::Error,
            "expected `=`",
            0,
        );
        assert_eq!(
            out,
            "m.blobl:2:5: error: expected `=`\n  |\n2 | foo wat bar\n  |     ^^^"
        );
    }
}
