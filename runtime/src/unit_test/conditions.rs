//! The conditions an output message is checked against. Each failing
//! condition gives one reason, led by its name; the conditions of a
//! message are checked in name order, as Benthos reports them.

use super::definition::{Conditions, YamlValue};
use super::json_diff::{self, Match};
use super::prepare::json_to_value;
use super::{Options, read_file};
use std::path::Path;
use tarn_lang::value::values_equal;
use tarn_lang::{Message, Mode, Value, Vm};

/// Where a check runs: the folder relative files are read from, the
/// limits, and a VM for `bloblang` conditions.
pub struct CheckCtx<'a> {
    /// The folder of the test file.
    pub dir: &'a Path,
    /// Limits on files read.
    pub options: &'a Options,
    /// The VM `bloblang` conditions run on.
    pub vm: &'a mut Vm,
}

/// Checks every condition of `conds` on `msg`; one reason per failure.
pub fn check(conds: &Conditions, msg: &Message, ctx: &mut CheckCtx<'_>) -> Vec<String> {
    let mut failures = Vec::new();
    let mut fail = |name: &str, result: Result<(), String>| {
        if let Err(reason) = result {
            failures.push(format!("{name}: {reason}"));
        }
    };
    let content = msg.content().as_bytes();
    if let Some(mapping) = &conds.bloblang {
        fail("bloblang", query(mapping.program(), msg, ctx.vm));
    }
    if let Some(expected) = &conds.content_equals {
        fail("content_equals", same_text(expected.as_bytes(), content));
    }
    if let Some(pattern) = &conds.content_matches {
        let text = String::from_utf8_lossy(content);
        let result = if pattern.0.is_match(&text) {
            Ok(())
        } else {
            Err(format!(
                "the content does not match the pattern\n  pattern: {}\n{}",
                pattern.0.as_str(),
                show("received", content)
            ))
        };
        fail("content_matches", result);
    }
    if let Some(file) = &conds.file_equals {
        let result = read(ctx, file).and_then(|expected| same_text(&expected, content));
        fail("file_equals", result);
    }
    if let Some(file) = &conds.file_json_contains {
        let result = read(ctx, file).and_then(|expected| json(content, &expected, true));
        fail("file_json_contains", result);
    }
    if let Some(file) = &conds.file_json_equals {
        let result = read(ctx, file).and_then(|expected| json(content, &expected, false));
        fail("file_json_equals", result);
    }
    if let Some(expected) = &conds.json_contains {
        fail(
            "json_contains",
            json(content, expected.json_text().as_bytes(), true),
        );
    }
    if let Some(expected) = &conds.json_equals {
        fail(
            "json_equals",
            json(content, expected.json_text().as_bytes(), false),
        );
    }
    if let Some(expected) = &conds.metadata_equals {
        fail("metadata_equals", metadata(expected, msg));
    }
    failures
}

fn read(ctx: &CheckCtx<'_>, file: &str) -> Result<Vec<u8>, String> {
    read_file(&ctx.dir.join(file), ctx.options).map_err(|e| e.brief())
}

fn query(program: &tarn_lang::Program, msg: &Message, vm: &mut Vm) -> Result<(), String> {
    let batch = std::slice::from_ref(msg);
    match tarn_lang::vm::run(program, vm, batch, 0, Mode::Mapping) {
        Ok(outcome) => match outcome.root {
            Value::Bool(true) => Ok(()),
            Value::Bool(false) => Err("the query gave false".into()),
            other => Err(format!(
                "the query gave {} ({}), not a boolean",
                tarn_lang::convert::to_display_string(&other),
                other.type_name()
            )),
        },
        Err(e) => Err(format!("the query failed: {e}")),
    }
}

fn same_text(expected: &[u8], received: &[u8]) -> Result<(), String> {
    if expected == received {
        return Ok(());
    }
    let quote = needs_quotes(expected) || needs_quotes(received);
    let mut out = format!(
        "the content differs\n{}\n{}",
        show_as("expected", expected, quote),
        show_as("received", received, quote)
    );
    if let Some((line, col)) = first_difference(expected, received) {
        out.push_str(&format!("\n  first difference: line {line}, column {col}"));
    }
    Err(out)
}

/// The longest text shown of a message, in characters.
const MAX_SHOWN: usize = 4000;

/// Whether a one-line text would hide something unless quoted: spaces
/// at its ends, a final line break, control characters, or nothing.
fn needs_quotes(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let one_line = text.strip_suffix('\n').unwrap_or(&text);
    if one_line.contains('\n') {
        return false;
    }
    text.is_empty() || text.trim() != text || text.chars().any(|c| c.is_control() && c != '\t')
}

/// Shows a text under a label (see [`show_as`]), quoted when needed.
pub fn show(label: &str, bytes: &[u8]) -> String {
    show_as(label, bytes, needs_quotes(bytes))
}

/// Shows a text under a label: on the label's line when it is one line
/// (quoted when `quote`), else as an indented block.
fn show_as(label: &str, bytes: &[u8], quote: bool) -> String {
    let text = String::from_utf8_lossy(bytes);
    let (text, cut) = match text.char_indices().nth(MAX_SHOWN) {
        Some((at, _)) => (&text[..at], Some(bytes.len() - at)),
        None => (&text[..], None),
    };
    let more = cut.map_or(String::new(), |n| format!(" … ({n} more bytes)"));
    let body = text.strip_suffix('\n').unwrap_or(text);
    if !body.contains('\n') {
        return if quote {
            format!("  {label}: {text:?}{more}")
        } else {
            format!("  {label}: {text}{more}")
        };
    }
    let mut out = format!("  {label}:");
    for line in body.split('\n') {
        out.push_str(&format!("\n    | {line}"));
    }
    if body.len() == text.len() && cut.is_none() {
        out.push_str("\n    (no line break at the end)");
    }
    out.push_str(&more);
    out
}

/// The 1-based line and column of the first character that differs.
fn first_difference(a: &[u8], b: &[u8]) -> Option<(usize, usize)> {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    if !a.contains('\n') && !b.contains('\n') {
        return None;
    }
    let (mut line, mut col) = (1, 1);
    let mut ai = a.chars();
    let mut bi = b.chars();
    loop {
        match (ai.next(), bi.next()) {
            (Some(x), Some(y)) if x == y => {
                if x == '\n' {
                    line += 1;
                    col = 1;
                } else {
                    col += 1;
                }
            }
            (None, None) => return None,
            _ => return Some((line, col)),
        }
    }
}

fn json(content: &[u8], expected: &[u8], contains: bool) -> Result<(), String> {
    let actual: serde_json::Value = serde_json::from_slice(content).map_err(|e| {
        format!(
            "the content is not valid JSON ({e})\n{}",
            show("received", content)
        )
    })?;
    let wanted: serde_json::Value = serde_json::from_slice(expected)
        .map_err(|e| format!("the expected document is not valid JSON: {e}"))?;
    let (result, diff) = json_diff::compare(&actual, &wanted);
    match result {
        Match::Equal => Ok(()),
        Match::Superset if contains => Ok(()),
        Match::Superset => Err(format!(
            "the document has more than expected {}\n{diff}",
            json_diff::LEGEND
        )
        .trim_end()
        .to_string()),
        Match::Differs if contains => Err(format!(
            "the document does not contain what is expected {}\n{diff}",
            json_diff::LEGEND
        )
        .trim_end()
        .to_string()),
        Match::Differs => Err(
            format!("the document differs {}\n{diff}", json_diff::LEGEND)
                .trim_end()
                .to_string(),
        ),
    }
}

fn metadata(
    expected: &std::collections::BTreeMap<String, YamlValue>,
    msg: &Message,
) -> Result<(), String> {
    let mut problems = Vec::new();
    for (key, value) in expected {
        let want = json_to_value(&value.to_json());
        match msg.meta().get(key) {
            None => problems.push(format!("the key `{key}` is missing")),
            Some(have) if !values_equal(&want, have) => problems.push(format!(
                "the key `{key}` differs\n    expected: {}\n    received: {}",
                display(&want),
                display(have)
            )),
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::Str(_) | Value::Bytes(_) => {
            format!("{:?}", tarn_lang::convert::to_display_string(v))
        }
        other => format!(
            "{} ({})",
            tarn_lang::convert::to_display_string(other),
            other.type_name()
        ),
    }
}
