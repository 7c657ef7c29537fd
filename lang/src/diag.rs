//! Compile-time diagnostics: syntax errors and semantic problems, each
//! with a span, rendered as `file:line:col` snippets.

pub use tarn_syntax::Severity;
use tarn_syntax::{Span, SyntaxError, render_snippet};

/// One problem found while compiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where.
    pub span: Span,
    /// How serious.
    pub severity: Severity,
    /// What, in plain words.
    pub message: String,
}

impl Diagnostic {
    /// An error.
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// True when this diagnostic stops compilation.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A warning.
    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

impl From<SyntaxError> for Diagnostic {
    fn from(e: SyntaxError) -> Diagnostic {
        Diagnostic::error(e.span, e.message)
    }
}

/// Every diagnostic of one source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The problems, in source order.
    pub items: Vec<Diagnostic>,
    /// The source they refer to.
    pub source: String,
}

impl Diagnostics {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Renders every diagnostic as a snippet naming `file`.
    pub fn render(&self, file: &str) -> String {
        self.render_with_offset(file, 0)
    }

    /// Renders with line numbers shifted by `line_offset` (sources embedded
    /// in a larger file).
    pub fn render_with_offset(&self, file: &str, line_offset: usize) -> String {
        self.items
            .iter()
            .map(|d| {
                render_snippet(
                    &self.source,
                    file,
                    d.span,
                    d.severity,
                    &d.message,
                    line_offset,
                )
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// The messages only, one per line, as `line L char C: message`
    /// (upstream's positional format).
    pub fn short(&self) -> String {
        let index = tarn_syntax::LineIndex::new(&self.source);
        self.items
            .iter()
            .map(|d| {
                let p = index.line_col(&self.source, d.span.start as usize);
                format!("line {} char {}: {}", p.line, p.col, d.message)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.short())
    }
}

impl std::error::Error for Diagnostics {}

/// Edit distance counting an insertion, a deletion, a substitution or a
/// swap of two neighbouring characters as one edit, for "did you mean"
/// suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: distance between a[..i] and b[..j]; three rows suffice.
    let mut before_prev: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before_prev[j - 2] + 1);
            }
            cur[j] = d;
        }
        before_prev = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// The closest candidate to `name`, if any is close enough to suggest.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= limit || (c.starts_with(name) && name.len() >= 3))
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let names = ["uppercase", "lowercase", "upper_snake", "length"];
        assert_eq!(suggest("upercase", names), Some("uppercase"));
        assert_eq!(suggest("lenght", names), Some("length"));
        assert_eq!(suggest("zzz", names), None);
        assert_eq!(edit_distance("stdni", "stdin"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
