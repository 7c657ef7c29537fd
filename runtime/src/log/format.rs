//! Turning one event into one line: logfmt (`level=info msg="…" k=v`) or
//! one JSON object, with the configured field names, optional timestamp
//! and static fields.

use super::{Format, Level, Logger};
use tarn_lang::Value;
use tarn_lang::convert::to_display_string;
use tarn_lang::value::{JsonStyle, write_json, write_string};

/// The line (with its newline) for an event at `level` with `message` and
/// `fields`, whatever the level. Field order: timestamp, level, message,
/// the static fields, then `fields`; in JSON a later field of the same
/// name wins, since keys are unique in an object.
pub(super) fn line(
    logger: &Logger,
    level: Level,
    message: &str,
    fields: &[(&str, Value)],
) -> String {
    let time = logger
        .add_timestamp
        .then(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let mut all: Vec<(&str, Value)> =
        Vec::with_capacity(fields.len() + logger.static_fields.len() + 3);
    if let Some(t) = &time {
        all.push((&logger.timestamp_name, Value::str(t)));
    }
    all.push((&logger.level_name, Value::str(level.name())));
    all.push((&logger.message_name, Value::str(message)));
    for (k, v) in &logger.static_fields {
        all.push((k, Value::str(v)));
    }
    all.extend(fields.iter().map(|(k, v)| (*k, v.clone())));
    match logger.format {
        Format::Logfmt => logfmt(&all),
        Format::Json => json(&all),
    }
}

fn logfmt(all: &[(&str, Value)]) -> String {
    let mut line = String::new();
    for (i, (k, v)) in all.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        push_logfmt(&mut line, k);
        line.push('=');
        push_logfmt(&mut line, &to_display_string(v));
    }
    line.push('\n');
    line
}

fn json(all: &[(&str, Value)]) -> String {
    let mut out = Vec::new();
    out.push(b'{');
    let mut first = true;
    for (i, (k, v)) in all.iter().enumerate() {
        if all.iter().skip(i + 1).any(|(later, _)| later == k) {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        write_string(&mut out, k, false);
        out.push(b':');
        let mark = out.len();
        if write_json(&mut out, v, JsonStyle::MESSAGE).is_err() {
            out.truncate(mark);
            write_string(&mut out, &to_display_string(v), false);
        }
    }
    out.extend_from_slice(b"}\n");
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends a logfmt key or value, quoted (Rust string escapes) when it is
/// empty or holds a space, quote, `=` or control character.
fn push_logfmt(line: &mut String, text: &str) {
    if !text.is_empty()
        && !text.contains(|c: char| c == ' ' || c == '"' || c == '=' || c.is_control())
    {
        line.push_str(text);
    } else {
        line.push_str(&format!("{text:?}"));
    }
}
