//! Definitions, references, rename and document symbols for `let`
//! variables and `map` names (with `apply("name")` strings), `import`
//! paths, and whole-document formatting — all from
//! `tarn_lang::analysis` and `tarn_lang::fmt`.

use crate::document::Document;
use lsp_types::{
    DocumentSymbolResponse, GotoDefinitionResponse, Location, Position, Range, SymbolInformation,
    SymbolKind, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use tarn_lang::analysis::{self, Analysis};

fn analysis_of(doc: &Document) -> Option<Analysis> {
    (!doc.yaml).then(|| analysis::analyze(&doc.text))
}

fn location(doc: &Document, uri: &Uri, start: usize, end: usize) -> Location {
    Location::new(uri.clone(), doc.range(start, end))
}

/// The definition of the variable or map at `pos`, or the file an
/// `import` at `pos` names.
pub fn definition(doc: &Document, uri: &Uri, pos: Position) -> Option<GotoDefinitionResponse> {
    let a = analysis_of(doc)?;
    let offset = doc.offset(pos);
    if let Some((path, _)) = a
        .imports
        .iter()
        .find(|(_, span)| (span.start as usize..=span.end as usize).contains(&offset))
    {
        let base = doc.path.as_ref()?.parent()?;
        let target = base.join(path);
        let target_uri: Uri = format!("file://{}", target.display()).parse().ok()?;
        return Some(GotoDefinitionResponse::Scalar(Location::new(
            target_uri,
            Range::default(),
        )));
    }
    let symbol = a.symbols.get(a.symbol_at(offset)?)?;
    Some(GotoDefinitionResponse::Scalar(location(
        doc,
        uri,
        symbol.span.start as usize,
        symbol.span.end as usize,
    )))
}

/// Every occurrence of the variable or map at `pos`; its definitions
/// too when `declarations`.
pub fn references(
    doc: &Document,
    uri: &Uri,
    pos: Position,
    declarations: bool,
) -> Option<Vec<Location>> {
    let a = analysis_of(doc)?;
    let symbol = a.symbol_at(doc.offset(pos))?;
    let defined: Vec<_> = a.symbols.iter().map(|s| s.span).collect();
    Some(
        a.occurrences(symbol)
            .into_iter()
            .filter(|s| declarations || !defined.contains(s))
            .map(|s| location(doc, uri, s.start as usize, s.end as usize))
            .collect(),
    )
}

/// Renames the variable or map at `pos` everywhere it occurs.
pub fn rename(doc: &Document, uri: &Uri, pos: Position, new_name: &str) -> Option<WorkspaceEdit> {
    let valid = !new_name.is_empty()
        && new_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return None;
    }
    let a = analysis_of(doc)?;
    let symbol = a.symbol_at(doc.offset(pos))?;
    let edits: Vec<TextEdit> = a
        .occurrences(symbol)
        .into_iter()
        .map(|s| {
            TextEdit::new(
                doc.range(s.start as usize, s.end as usize),
                new_name.to_string(),
            )
        })
        .collect();
    Some(WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    })
}

/// The mapping's variables and maps.
pub fn symbols(doc: &Document) -> DocumentSymbolResponse {
    let Some(a) = analysis_of(doc) else {
        return DocumentSymbolResponse::Flat(Vec::new());
    };
    let Ok(uri) = "file:///".parse::<Uri>() else {
        return DocumentSymbolResponse::Flat(Vec::new());
    };
    let uri = doc
        .path
        .as_ref()
        .and_then(|p| format!("file://{}", p.display()).parse().ok())
        .unwrap_or(uri);
    let list = a
        .symbols
        .iter()
        .map(|s| {
            #[allow(deprecated)]
            SymbolInformation {
                name: s.name.clone(),
                kind: match s.kind {
                    analysis::SymbolKind::Variable => SymbolKind::VARIABLE,
                    analysis::SymbolKind::Map => SymbolKind::FUNCTION,
                },
                tags: None,
                deprecated: None,
                location: location(
                    doc,
                    &uri,
                    s.full_span.start as usize,
                    s.full_span.end as usize,
                ),
                container_name: None,
            }
        })
        .collect();
    DocumentSymbolResponse::Flat(list)
}

/// The whole document formatted, as one edit (none when it is already
/// formatted or does not parse).
pub fn format(doc: &Document) -> Option<Vec<TextEdit>> {
    if doc.yaml {
        return None;
    }
    let formatted = tarn_lang::fmt::format(&doc.text).ok()?;
    if formatted == doc.text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit::new(doc.range(0, doc.text.len()), formatted)])
}
