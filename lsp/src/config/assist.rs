//! Completion and hover for the config itself (not the Bloblang inside
//! it): component type names where a component goes, field names inside
//! a component or section, enumeration values, and their documentation —
//! all read from the injected [`ConfigSchema`].

use super::cursor::{self, Cursor, Place};
use crate::document::Document;
use crate::schema::{Component, ConfigSchema, Field, KeyInfo, Shape};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, Hover, HoverContents,
    InsertTextFormat, InsertTextMode, MarkupContent, MarkupKind, TextEdit,
};

/// Markdown for a field: its type, whether it is required or its
/// default, its doc and its values.
pub fn field_markdown(f: &Field) -> String {
    let mut text = format!("**{}**: `{}`", f.name, f.shape.type_name());
    if f.required {
        text.push_str(" (required)");
    } else if let Some(d) = &f.default {
        text.push_str(&format!(" — default `{d}`"));
    }
    if !f.doc.is_empty() {
        text.push_str(&format!("\n\n{}", f.doc));
    }
    let choices = f.shape.choices();
    if !choices.is_empty() {
        text.push_str("\n\nValues:");
        for c in choices {
            text.push_str(&format!("\n- `{}`", c.name));
            if !c.doc.is_empty() {
                text.push_str(&format!(": {}", c.doc));
            }
        }
    }
    text
}

/// Markdown for a component type: kind, status, doc and its fields.
pub fn component_markdown(c: &Component) -> String {
    let mut text = format!("**{}** — {} ({})\n\n{}", c.name, c.kind, c.status, c.doc);
    let fields = c.body.fields_of();
    if fields.is_empty() {
        if !matches!(c.body.unwrapped(), Shape::Object(_)) {
            text.push_str(&format!("\n\nConfig: `{}`", c.body.type_name()));
        }
        return text;
    }
    text.push_str("\n\nFields:");
    for f in fields {
        let mark = if f.required { " (required)" } else { "" };
        text.push_str(&format!("\n- `{}`: {}{mark}", f.name, f.shape.type_name()));
    }
    text
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

/// What to type after a new key whose value has shape `shape`, the key
/// being at `column`: a block on the next lines or a scalar on this one.
fn key_snippet(name: &str, shape: &Shape, column: usize) -> String {
    let inner = " ".repeat(column + 2);
    match shape.unwrapped() {
        Shape::Object(fields) if fields.is_empty() => format!("{name}: {{}}$0"),
        Shape::List(_) => format!("{name}:\n{inner}- $0"),
        block if block.is_block() => format!("{name}:\n{inner}$0"),
        _ => format!("{name}: $0"),
    }
}

/// One key completion.
struct KeyItem {
    name: String,
    kind: CompletionItemKind,
    detail: String,
    doc: String,
    value: Shape,
    rank: u8,
}

/// `alternative` when the field belongs to one of several shapes a value
/// may take: it is then required only within that alternative.
fn field_item(f: &Field, rank: u8, alternative: bool) -> KeyItem {
    let relaxed;
    let f = if alternative && f.required {
        relaxed = Field {
            required: false,
            ..f.clone()
        };
        &relaxed
    } else {
        f
    };
    let detail = if f.required {
        format!("{} (required)", f.shape.type_name())
    } else {
        match &f.default {
            Some(d) => format!("{} = {d}", f.shape.type_name()),
            None => f.shape.type_name(),
        }
    };
    KeyItem {
        name: f.name.clone(),
        kind: CompletionItemKind::FIELD,
        detail,
        doc: field_markdown(f),
        value: f.shape.clone(),
        rank: if f.required { 0 } else { rank },
    }
}

/// The keys that may go in a value of shape `container`, leaving out
/// `present` ones; `depth` counts the `OneOf`s passed through.
fn key_items(
    schema: &ConfigSchema,
    container: &Shape,
    present: &[String],
    depth: usize,
) -> Vec<KeyItem> {
    let alternative = depth > 0;
    let absent = |name: &str| !present.iter().any(|p| p == name);
    match container.unwrapped() {
        Shape::Object(fields) => fields
            .iter()
            .filter(|f| absent(&f.name))
            .map(|f| field_item(f, 1, alternative))
            .collect(),
        Shape::Component(kind) => {
            let typed = present.iter().any(|p| schema.component(kind, p).is_some());
            let mut items: Vec<KeyItem> = Vec::new();
            if !typed {
                items.extend(schema.of_kind(kind).map(|c| KeyItem {
                    name: c.name.clone(),
                    kind: CompletionItemKind::CLASS,
                    detail: format!("{} ({})", c.kind, c.status),
                    doc: component_markdown(c),
                    value: c.body.clone(),
                    rank: 1,
                }));
            }
            items.extend(
                schema
                    .common(kind)
                    .iter()
                    .filter(|f| absent(&f.name) && !items.iter().any(|i| i.name == f.name))
                    .map(|f| field_item(f, 2, alternative))
                    .collect::<Vec<_>>(),
            );
            items
        }
        Shape::OneOf(options) if depth < 4 => {
            let mut items: Vec<KeyItem> = Vec::new();
            for o in options {
                for item in key_items(schema, o, present, depth + 1) {
                    if !items.iter().any(|i| i.name == item.name) {
                        items.push(item);
                    }
                }
            }
            items
        }
        _ => Vec::new(),
    }
}

/// Completion of config keys and values at byte `offset`.
pub fn completion(doc: &Document, schema: &ConfigSchema, offset: usize) -> Vec<CompletionItem> {
    let Some(c) = cursor::at(&doc.text, offset) else {
        return Vec::new();
    };
    match c.place {
        Place::Key => key_completion(doc, schema, &c),
        Place::Value => value_completion(doc, schema, &c),
    }
}

fn key_completion(doc: &Document, schema: &ConfigSchema, c: &Cursor) -> Vec<CompletionItem> {
    let Some(container) = schema.resolve(&c.parent) else {
        return Vec::new();
    };
    // Under a list key with no `- ` typed yet: offer the items, dashed.
    let (container, dash) = match container.unwrapped() {
        Shape::List(item) if !c.has_colon => (&**item, true),
        _ => (container, false),
    };
    let present = if dash { &[][..] } else { &c.siblings[..] };
    let range = doc.range(c.key_range.0, c.key_range.1);
    let column = if dash { c.column + 2 } else { c.column };
    key_items(schema, container, present, 0)
        .into_iter()
        .map(|item| {
            let (text, format) = if c.has_colon {
                (item.name.clone(), InsertTextFormat::PLAIN_TEXT)
            } else {
                let snippet = key_snippet(&item.name, &item.value, column);
                let dash = if dash { "- " } else { "" };
                (format!("{dash}{snippet}"), InsertTextFormat::SNIPPET)
            };
            CompletionItem {
                label: item.name.clone(),
                kind: Some(item.kind),
                detail: Some(item.detail),
                documentation: Some(markdown(item.doc)),
                sort_text: Some(format!("{}{}", item.rank, item.name)),
                filter_text: Some(if dash {
                    format!("- {}", item.name)
                } else {
                    item.name.clone()
                }),
                insert_text_format: Some(format),
                insert_text_mode: Some(InsertTextMode::AS_IS),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, text))),
                ..Default::default()
            }
        })
        .collect()
}

fn value_completion(doc: &Document, schema: &ConfigSchema, c: &Cursor) -> Vec<CompletionItem> {
    let Some(shape) = schema.resolve(&c.path()) else {
        return Vec::new();
    };
    let mut values: Vec<(String, String)> = shape
        .choices()
        .into_iter()
        .map(|ch| (ch.name.clone(), ch.doc.clone()))
        .collect();
    if matches!(shape.unwrapped(), Shape::Bool) {
        values = vec![
            ("true".into(), String::new()),
            ("false".into(), String::new()),
        ];
    }
    let range = doc.range(c.value_range.0, c.value_range.1);
    let space = if c.needs_space { " " } else { "" };
    values
        .into_iter()
        .enumerate()
        .map(|(i, (name, about))| CompletionItem {
            label: name.clone(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(shape.type_name()),
            documentation: (!about.is_empty()).then(|| markdown(about)),
            sort_text: Some(format!("{i:04}")),
            insert_text_format: Some(InsertTextFormat::PLAIN_TEXT),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                range,
                format!("{space}{name}"),
            ))),
            ..Default::default()
        })
        .collect()
}

/// Hover on a config key (a component type or a field) or on an
/// enumeration value.
pub fn hover(doc: &Document, schema: &ConfigSchema, offset: usize) -> Option<Hover> {
    let c = cursor::at(&doc.text, offset)?;
    let (text, range) = match c.place {
        Place::Key => {
            if c.key.is_empty() || offset < c.key_range.0 || offset > c.key_range.1 {
                return None;
            }
            let container = schema.resolve(&c.parent)?;
            let text = match schema.key_info(container, &c.key)? {
                KeyInfo::Field(f) => field_markdown(f),
                KeyInfo::Component(comp) => component_markdown(comp),
            };
            (text, c.key_range)
        }
        Place::Value => {
            let value = doc.text.get(c.value_range.0..c.value_range.1)?.trim();
            let shape = schema.resolve(&c.path())?;
            let choice = shape.choices().into_iter().find(|ch| ch.name == value)?;
            let mut text = format!("`{}` ({} of `{}`)", choice.name, shape.type_name(), c.key);
            if !choice.doc.is_empty() {
                text.push_str(&format!("\n\n{}", choice.doc));
            }
            (text, c.value_range)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(doc.range(range.0, range.1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::sample;

    /// The document and offset of the `^` in `marked`.
    fn at(marked: &str) -> (Document, usize) {
        let offset = marked.find('^').expect("a cursor mark");
        let doc = Document::new(marked.replacen('^', "", 1), true, None);
        (doc, offset)
    }

    fn labels(items: &[CompletionItem]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    fn edit(item: &CompletionItem) -> &TextEdit {
        match item.text_edit.as_ref() {
            Some(CompletionTextEdit::Edit(e)) => e,
            other => panic!("a plain edit: {other:?}"),
        }
    }

    #[test]
    fn component_types_where_a_component_goes() {
        let s = sample();
        let (doc, at_) = at("input:\n  ^\n");
        let items = completion(&doc, &s, at_);
        assert_eq!(
            labels(&items),
            ["http_server", "stdin", "label", "processors"]
        );
        assert_eq!(edit(&items[0]).new_text, "http_server:\n    $0");
        assert_eq!(edit(&items[1]).new_text, "stdin: {}$0");
        // A processor list item, dashed or not yet.
        let (doc, at_) = at("pipeline:\n  processors:\n    - ma^\n");
        let items = completion(&doc, &s, at_);
        assert_eq!(labels(&items), ["mapping", "log", "label"]);
        assert_eq!(edit(&items[0]).new_text, "mapping: $0");
        assert_eq!(edit(&items[0]).range.start.character, 6);
        let (doc, at_) = at("pipeline:\n  processors:\n    ^\n");
        let items = completion(&doc, &s, at_);
        assert_eq!(edit(&items[1]).new_text, "- log:\n        $0");
        // Once a type is there, only the common fields are left.
        let (doc, at_) = at("pipeline:\n  processors:\n    - log: {}\n      ^\n");
        assert_eq!(labels(&completion(&doc, &s, at_)), ["label"]);
    }

    #[test]
    fn fields_skip_present_ones_and_mark_required_ones() {
        let s = sample();
        let (doc, at_) = at("input:\n  http_server:\n    verb: GET\n    ^\n");
        let items = completion(&doc, &s, at_);
        assert_eq!(labels(&items), ["path", "timeout"]);
        assert_eq!(items[0].detail.as_deref(), Some("string = \"/post\""));
        let (doc, at_) = at("pipeline:\n  processors:\n    - log:\n        ^\n");
        let items = completion(&doc, &s, at_);
        let message = items
            .iter()
            .find(|i| i.label == "message")
            .expect("message");
        assert_eq!(
            message.detail.as_deref(),
            Some("interpolated string (required)")
        );
        assert_eq!(message.sort_text.as_deref(), Some("0message"));
    }

    #[test]
    fn enum_and_bool_values() {
        let s = sample();
        let (doc, at_) = at("output:\n  broker:\n    pattern: f^\n");
        let items = completion(&doc, &s, at_);
        assert_eq!(labels(&items), ["fan_out", "round_robin"]);
        assert_eq!(edit(&items[0]).range.start.character, 13);
        let (doc, at_) = at("input:\n  http_server:\n    verb:^\n");
        let items = completion(&doc, &s, at_);
        assert_eq!(edit(&items[0]).new_text, " GET");
    }

    #[test]
    fn hover_on_components_fields_and_values() {
        let s = sample();
        let (doc, at_) = at("input:\n  http_se^rver:\n    path: /x\n");
        let h = hover(&doc, &s, at_).expect("a hover");
        let HoverContents::Markup(m) = h.contents else {
            panic!("markdown")
        };
        assert!(
            m.value.starts_with("**http_server** — input (stable)"),
            "{}",
            m.value
        );
        assert!(m.value.contains("Receives messages over HTTP."));
        let (doc, at_) = at("input:\n  http_server:\n    pa^th: /x\n");
        let h = hover(&doc, &s, at_).expect("a hover");
        let HoverContents::Markup(m) = h.contents else {
            panic!("markdown")
        };
        assert_eq!(
            m.value,
            "**path**: `string` — default `\"/post\"`\n\nThe path."
        );
        let (doc, at_) = at("output:\n  broker:\n    pattern: round_r^obin\n");
        let h = hover(&doc, &s, at_).expect("a hover");
        let HoverContents::Markup(m) = h.contents else {
            panic!("markdown")
        };
        assert!(m.value.contains("One by one."), "{}", m.value);
        let (doc, at_) = at("input:\n  http_server:\n    path: /^x\n");
        assert!(hover(&doc, &s, at_).is_none());
    }

    #[test]
    fn any_offset_of_odd_text_gives_an_answer_or_none() {
        let s = sample();
        let texts = [
            "input:\r\n  http_server:\r\n    path: é/ü\r\n",
            "\t- : :\n- - - \n  \"a\\\": b\n'x: y\n{a: [1, 2}\n",
            "output:\n  broker:\n    pattern: 'fan\n    outputs: [\n      - x\n",
            "pipeline:\n  processors:\n    - mapping: >-\n\n        root = \"😀\"\n    -\n",
            "a: |\n  b\n---\n... \n# c\n  -: x\n\"\": 1\n'': 2\n",
        ];
        for text in texts {
            let doc = Document::new(text.to_string(), true, None);
            for offset in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
                let _ = completion(&doc, &s, offset);
                let _ = hover(&doc, &s, offset);
            }
        }
    }
}
