//! Sample values: with a sample message (`#!input {…}` / `#!meta {…}`
//! directive comments at the top of a mapping, or a sibling
//! `NAME.sample.json`), hover shows what an expression evaluates to,
//! inlay hints show the document after each statement, and a runtime
//! error shows as an information diagnostic.

use crate::document::Document;
use lsp_types::{
    Diagnostic, DiagnosticSeverity, Hover, HoverContents, InlayHint, InlayHintLabel, MarkupContent,
    MarkupKind, Position,
};
use tarn_lang::value::{JsonStyle, parse_json, to_json};
use tarn_lang::{Env, Message, Mode, Value, Vm};

/// A sample message.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Its content.
    pub input: Vec<u8>,
    /// Its metadata.
    pub meta: Vec<(String, Value)>,
}

impl Sample {
    fn message(&self) -> Message {
        let mut msg = Message::new(&self.input);
        for (k, v) in &self.meta {
            msg.meta_mut().insert(k.as_str(), v.clone());
        }
        msg
    }
}

/// The document's sample: directives first, else the sibling file.
pub fn sample(doc: &Document) -> Option<Sample> {
    let mut found = None::<Sample>;
    for line in doc.text.lines() {
        let line = line.trim();
        if let Some(json) = line.strip_prefix("#!input") {
            found.get_or_insert_with(Sample::default).input = json.trim().as_bytes().to_vec();
        } else if let Some(json) = line.strip_prefix("#!meta") {
            let meta = parse_json(json.trim().as_bytes()).ok()?;
            let sample = found.get_or_insert_with(Sample::default);
            if let Some(object) = meta.as_object() {
                sample.meta = object
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
            }
        } else if !(line.is_empty() || line.starts_with('#')) {
            break;
        }
    }
    if found.is_some() {
        return found;
    }
    let path = doc.path.as_ref()?;
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let sibling = path.with_file_name(format!("{stem}.sample.json"));
    let input = std::fs::read(sibling).ok()?;
    Some(Sample {
        input: input.trim_ascii_end().to_vec(),
        meta: Vec::new(),
    })
}

/// What completion knows: the sample input, the variables and maps of
/// the mapping, the sample's metadata keys.
pub fn snapshot(doc: &Document) -> tarn_lang::ide::Snapshot {
    let sample = sample(doc);
    let analysis = (!doc.yaml).then(|| tarn_lang::analysis::analyze(&doc.text));
    let names = |kind: tarn_lang::analysis::SymbolKind| -> Vec<String> {
        let mut names: Vec<String> = analysis
            .iter()
            .flat_map(|a| a.symbols.iter())
            .filter(|s| s.kind == kind)
            .map(|s| s.name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    };
    tarn_lang::ide::Snapshot {
        input: sample.as_ref().and_then(|s| parse_json(&s.input).ok()),
        variables: names(tarn_lang::analysis::SymbolKind::Variable),
        meta_keys: sample
            .map(|s| s.meta.into_iter().map(|(k, _)| k).collect())
            .unwrap_or_default(),
        maps: names(tarn_lang::analysis::SymbolKind::Map),
    }
}

/// A value as one line of JSON, cut to `max` characters.
fn short(v: &Value, max: usize) -> String {
    let text = match v {
        Value::Nothing => "nothing()".to_string(),
        Value::Delete => "deleted()".to_string(),
        Value::Bytes(b) => format!("{:?}", String::from_utf8_lossy(b)),
        other => to_json(other, JsonStyle::MESSAGE).unwrap_or_else(|e| format!("<{e}>")),
    };
    if text.chars().count() > max {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Runs `source` on the sample: the final root, or the error message.
fn run(source: &str, sample: &Sample) -> Result<Value, String> {
    let program = Env::standard().compile(source).map_err(|d| d.short())?;
    let msg = sample.message();
    tarn_lang::vm::run(
        &program,
        &mut Vm::new(),
        std::slice::from_ref(&msg),
        0,
        Mode::Mapping,
    )
    .map(|o| o.root)
    .map_err(|e| e.message())
}

/// The most statements for which inlay hints are computed (each runs the
/// mapping up to it).
const MAX_HINTED: usize = 200;

/// Inlay hints: the document after each top-level statement that
/// assigns, run on the sample.
pub fn inlay_hints(doc: &Document) -> Vec<InlayHint> {
    if doc.yaml {
        return Vec::new();
    }
    let Some(sample) = sample(doc) else {
        return Vec::new();
    };
    let analysis = tarn_lang::analysis::analyze(&doc.text);
    if analysis
        .diagnostics
        .iter()
        .any(|d| d.severity == tarn_lang::diag::Severity::Error)
    {
        return Vec::new();
    }
    let mut hints = Vec::new();
    for (stmt, target) in analysis.statement_ends().into_iter().take(MAX_HINTED) {
        if target.is_none() {
            continue;
        }
        let end = stmt.end as usize;
        let Ok(root) = run(&doc.text[..end], &sample) else {
            break;
        };
        hints.push(InlayHint {
            position: doc.position(end),
            label: InlayHintLabel::String(format!("⇒ {}", short(&root, 80))),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    hints
}

/// A runtime error of the whole mapping on its sample, as information.
pub fn runtime_diagnostic(doc: &Document) -> Option<Diagnostic> {
    if doc.yaml {
        return None;
    }
    let sample = sample(doc)?;
    let error = run(&doc.text, &sample).err()?;
    // `(line N)` names the failing statement.
    let line = error
        .split("(line ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse::<u32>().ok())
        .map_or(0, |n| n.saturating_sub(1));
    let start = doc.offset(Position::new(line, 0));
    let end = doc.text[start..]
        .find('\n')
        .map_or(doc.text.len(), |i| start + i);
    Some(Diagnostic {
        range: doc.range(start, end),
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some("tarn sample".into()),
        message: format!("with the sample input: {error}"),
        ..Default::default()
    })
}

/// Hover with the sample value of the expression under the cursor (and
/// the registry's doc when it names a function or method).
pub fn hover(doc: &Document, pos: Position) -> Option<Hover> {
    if doc.yaml {
        return None;
    }
    let sample = sample(doc)?;
    let offset = doc.offset(pos);
    let analysis = tarn_lang::analysis::analyze(&doc.text);
    let span = analysis.expression_at(offset)?;
    let (start, end) = (span.start as usize, span.end as usize);
    let expr = doc.text.get(start..end)?;
    // The statements before this one run first, so variables are set.
    let before = analysis
        .statement_ends()
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| (s.end as usize) <= start)
        .map(|s| s.end as usize)
        .max()
        .unwrap_or(0);
    let source = format!("{}\nroot = {expr}", &doc.text[..before]);
    let value = match run(&source, &sample) {
        Ok(v) => format!("```json\n{}\n```", short(&v, 2000)),
        Err(e) => format!("error: {e}"),
    };
    let mut text = format!("`{}` with the sample input:\n{value}", short_expr(expr));
    if let Some(spec_hover) = crate::features::hover(doc, pos)
        && let HoverContents::Markup(m) = spec_hover.contents
    {
        text.push_str("\n\n---\n");
        text.push_str(&m.value);
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(doc.range(start, end)),
    })
}

fn short_expr(expr: &str) -> String {
    let one_line = expr.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(59).collect::<String>())
    } else {
        one_line
    }
}
