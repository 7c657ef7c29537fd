//! What the server answers: diagnostics, completion, hover and signature
//! help, each over the Bloblang region under the cursor. The language
//! facts come from `tarn_lang` (the compiler, the stdlib registry and
//! `tarn_lang::ide`); this module only translates them to LSP shapes.

use crate::document::{Document, Region};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Diagnostic, DiagnosticSeverity,
    Documentation, Hover, HoverContents, InsertTextFormat, MarkupContent, MarkupKind,
    ParameterInformation, ParameterLabel, Position, SignatureHelp, SignatureInformation, TextEdit,
};
use tarn_lang::Env;
use tarn_lang::stdlib::Spec;

/// What an interpolation's query is compiled inside.
pub const QUERY_HEAD: &str = "root = ";

/// The text the compiler sees for a region, and how many bytes were put
/// in front of the region's source.
pub fn compiled_text(region: &Region) -> (String, usize) {
    if region.query {
        (format!("{QUERY_HEAD}{}", region.source), QUERY_HEAD.len())
    } else {
        (region.source.clone(), 0)
    }
}

/// Every problem in the document, placed in it.
pub fn diagnostics(doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for region in doc.regions() {
        let (text, head) = compiled_text(&region);
        for d in tarn_lang::analysis::analyze(&text).diagnostics {
            let start = (d.span.start as usize).saturating_sub(head);
            let end = (d.span.end as usize).saturating_sub(head).max(start);
            out.push(Diagnostic {
                range: doc.range(region.to_doc(start), region.to_doc(end)),
                severity: Some(severity(d.severity)),
                source: Some("tarn".into()),
                message: d.message,
                ..Default::default()
            });
        }
    }
    if out.is_empty() {
        out.extend(crate::samples::runtime_diagnostic(doc));
    }
    out
}

/// The spec a name refers to: a method after `.`, else a function.
pub fn spec_for(name: &str, method: bool) -> Option<&'static Spec> {
    let env = Env::standard();
    if method {
        env.method(name)
    } else {
        env.function(name)
    }
}

/// A snippet that fills the required parameters: `replace_all(${1:old}, ${2:new})$0`.
fn call_snippet(spec: &Spec) -> String {
    let required: Vec<String> = spec
        .params
        .iter()
        .filter(|p| !p.is_optional())
        .enumerate()
        .map(|(i, p)| format!("${{{}:{}}}", i + 1, p.name))
        .collect();
    format!("{}({})$0", spec.name, required.join(", "))
}

/// Completion at `pos`.
pub fn completion(
    doc: &Document,
    pos: Position,
    snapshot: &tarn_lang::ide::Snapshot,
) -> Vec<CompletionItem> {
    let offset = doc.offset(pos);
    let Some((region, at)) = doc.region_at(offset) else {
        return Vec::new();
    };
    let (start, candidates) = tarn_lang::ide::complete::complete(&region.source, at, snapshot);
    let method = region.source[..start].ends_with('.');
    let range = doc.range(region.to_doc(start), offset);
    candidates
        .into_iter()
        .map(|c| {
            let name = c.replacement.trim_end_matches('(');
            let spec = c
                .replacement
                .ends_with('(')
                .then(|| spec_for(name, method))
                .flatten();
            let (kind, text, format, detail, documentation) = match spec {
                Some(spec) => (
                    if method {
                        CompletionItemKind::METHOD
                    } else {
                        CompletionItemKind::FUNCTION
                    },
                    call_snippet(spec),
                    InsertTextFormat::SNIPPET,
                    Some(spec.signature()),
                    Some(Documentation::String(spec.doc.to_string())),
                ),
                None => {
                    let kind = if region.source[..start].ends_with('$') {
                        CompletionItemKind::VARIABLE
                    } else if region.source[..start].ends_with('@') {
                        CompletionItemKind::CONSTANT
                    } else if method {
                        CompletionItemKind::FIELD
                    } else {
                        CompletionItemKind::KEYWORD
                    };
                    (
                        kind,
                        c.replacement.clone(),
                        InsertTextFormat::PLAIN_TEXT,
                        None,
                        None,
                    )
                }
            };
            CompletionItem {
                label: name.to_string(),
                kind: Some(kind),
                detail,
                documentation,
                insert_text_format: Some(format),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, text))),
                ..Default::default()
            }
        })
        .collect()
}

/// Markdown for a stdlib entry: signature, doc and its first example.
pub fn spec_markdown(spec: &Spec) -> String {
    let kind = if spec.is_method() {
        "method"
    } else {
        "function"
    };
    let mut text = format!(
        "```bloblang\n{}\n```\n{} ({kind}, {})",
        spec.signature(),
        spec.doc,
        spec.category.name()
    );
    if let Some(example) = spec.examples.first() {
        text.push_str(&format!(
            "\n\nExample:\n```bloblang\n{}\n```",
            example.mapping
        ));
        if let Some((input, tarn_lang::stdlib::Expect::Out(out))) = example.cases.first() {
            text.push_str(&format!("\n`{input}` → `{out}`"));
        }
    }
    text
}

/// Hover at `pos`: the registry's doc of the function or method named
/// there.
pub fn hover(doc: &Document, pos: Position) -> Option<Hover> {
    let (region, at) = doc.region_at(doc.offset(pos))?;
    let (text, head) = compiled_text(&region);
    let (name, method, span) = tarn_lang::analysis::analyze(&text).name_at(at + head)?;
    let spec = spec_for(&name, method)?;
    let start = region.to_doc((span.start as usize).saturating_sub(head));
    let end = region.to_doc((span.end as usize).saturating_sub(head));
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: spec_markdown(spec),
        }),
        range: Some(doc.range(start, end)),
    })
}

/// Signature help inside a call's parentheses, with the argument the
/// cursor is in.
pub fn signature_help(doc: &Document, pos: Position) -> Option<SignatureHelp> {
    let (region, at) = doc.region_at(doc.offset(pos))?;
    let (text, head) = compiled_text(&region);
    let analysis = tarn_lang::analysis::analyze(&text);
    let call = analysis.call_at(at + head)?;
    let spec = spec_for(&call.name, call.is_method)?;
    let params = spec
        .params
        .iter()
        .map(|p| ParameterInformation {
            label: ParameterLabel::Simple(format!("{}: {}", p.name, p.kind.name())),
            documentation: None,
        })
        .collect();
    let active = u32::try_from(call.active_arg(at + head)).unwrap_or(0);
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: spec.signature().trim_start_matches('.').to_string(),
            documentation: Some(Documentation::String(spec.doc.to_string())),
            parameters: Some(params),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

/// An LSP severity for a compiler one.
pub fn severity(s: tarn_lang::diag::Severity) -> DiagnosticSeverity {
    match s {
        tarn_lang::diag::Severity::Error => DiagnosticSeverity::ERROR,
        _ => DiagnosticSeverity::WARNING,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_fill_required_parameters() {
        let spec = spec_for("replace_all", true).expect("a method");
        assert_eq!(call_snippet(spec), "replace_all(${1:old}, ${2:new})$0");
        let spec = spec_for("uppercase", true).expect("a method");
        assert_eq!(call_snippet(spec), "uppercase()$0");
    }
}
