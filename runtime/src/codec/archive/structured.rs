//! The structured `unarchive` formats (`json_documents`, `json_array`,
//! `json_map`, `csv`) and the `json_array` archive format. Each new
//! message holds its document both as JSON content and as its known
//! structured form.

use super::super::csv::{CsvParser, CsvStep};
use super::super::csv_scan::row_value;
use super::{ArchiveError, Budget};
use tarn_lang::Message;
use tarn_lang::value::{Blob, JsonStyle, NumberMode, Str, Value, parse_json_prefix, write_json};

/// A copy of `original` (metadata, error flag) holding `value`.
fn with_value(
    original: &Message,
    value: Value,
    budget: &mut Budget<'_>,
    what: &'static str,
) -> Result<Message, ArchiveError> {
    let mut out = Vec::new();
    write_json(&mut out, &value, JsonStyle::MESSAGE).map_err(|e| ArchiveError::Malformed {
        format: "json",
        detail: e.to_string(),
    })?;
    budget.take(what, out.len() as u64)?;
    let mut msg = original.clone();
    msg.set_structured(Blob::new(&out), value);
    Ok(msg)
}

pub(super) fn json_documents(
    message: &Message,
    budget: &mut Budget<'_>,
) -> Result<Vec<Message>, ArchiveError> {
    let data = message.content().as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        while data.get(at).is_some_and(|b| b" \t\r\n".contains(b)) {
            at += 1;
        }
        if at == data.len() {
            return Ok(out);
        }
        let (value, used) = parse_json_prefix(&data[at..], NumberMode::Preserve).map_err(|e| {
            ArchiveError::Malformed {
                format: "json_documents",
                detail: e.message,
            }
        })?;
        at += used;
        out.push(with_value(message, value, budget, "a JSON document")?);
    }
}

/// The message's document, which must be of the kind `kind` names.
fn document(message: &Message, kind: &str) -> Result<Value, ArchiveError> {
    let format = if kind == "array" {
        "json_array"
    } else {
        "json_map"
    };
    let doc = message.structured().map_err(|e| ArchiveError::Malformed {
        format,
        detail: format!("failed to parse message into JSON {kind}: {e}"),
    })?;
    let right = match kind {
        "array" => matches!(doc, Value::Array(_)),
        _ => matches!(doc, Value::Object(_)),
    };
    if !right {
        return Err(ArchiveError::Malformed {
            format,
            detail: format!(
                "failed to parse message into JSON {kind}: invalid type '{}'",
                doc.go_type_name()
            ),
        });
    }
    Ok(doc.clone())
}

pub(super) fn json_array(
    message: &Message,
    budget: &mut Budget<'_>,
) -> Result<Vec<Message>, ArchiveError> {
    let Value::Array(items) = document(message, "array")? else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|item| with_value(message, item.clone(), budget, "a JSON array element"))
        .collect()
}

pub(super) fn json_map(
    message: &Message,
    budget: &mut Budget<'_>,
) -> Result<Vec<Message>, ArchiveError> {
    let Value::Object(map) = document(message, "map")? else {
        return Ok(Vec::new());
    };
    map.iter()
        .map(|(key, value)| {
            let msg = with_value(message, value.clone(), budget, "a JSON map value")?;
            Ok(msg.with_meta("archive_key", Value::Str(key.clone())))
        })
        .collect()
}

pub(super) fn csv(
    message: &Message,
    delimiter: char,
    budget: &mut Budget<'_>,
) -> Result<Vec<Message>, ArchiveError> {
    let mut data = message.content().as_bytes();
    let mut parser = CsvParser::new(delimiter, false);
    let mut headers: Option<Vec<Str>> = None;
    let mut out = Vec::new();
    loop {
        let (fields, error, consumed) = match parser.next_record(data, true) {
            CsvStep::End | CsvStep::NeedMore { .. } => return Ok(out),
            CsvStep::Record {
                fields,
                error,
                consumed,
            } => (fields, error, consumed),
        };
        if let Some(e) = error {
            return Err(ArchiveError::Malformed {
                format: "csv",
                detail: format!("failed to parse message as csv: {e}"),
            });
        }
        data = &data[consumed..];
        match &headers {
            None => headers = Some(fields.iter().map(|f| Str::from(f.as_str())).collect()),
            Some(h) => out.push(with_value(
                message,
                row_value(Some(h), fields),
                budget,
                "a csv row",
            )?),
        }
    }
}

pub(super) fn archive_json_array(messages: &[Message]) -> Result<Message, ArchiveError> {
    let mut items = Vec::with_capacity(messages.len());
    for msg in messages {
        let doc = msg.structured().map_err(|e| ArchiveError::Malformed {
            format: "json_array",
            detail: format!("failed to parse message as JSON: {e}"),
        })?;
        items.push(doc.clone());
    }
    let value = Value::array(items);
    let mut out = Vec::new();
    write_json(&mut out, &value, JsonStyle::MESSAGE).map_err(|e| ArchiveError::Malformed {
        format: "json_array",
        detail: e.to_string(),
    })?;
    let mut msg = messages[0].clone();
    msg.set_structured(Blob::new(&out), value);
    Ok(msg)
}
