//! Comparing two JSON documents as Benthos's tests do — numbers by value,
//! objects by keys whatever their order — and showing how they differ.
//!
//! A message *contains* an expected document when every key and array
//! element of the expected one is in the message with an equal value; it
//! may have more keys and longer arrays.

use serde_json::Value as Json;

/// How a message's document relates to an expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The same document.
    Equal,
    /// The message has everything expected, and more.
    Superset,
    /// Something expected is missing or different.
    Differs,
}

/// The longest diff shown, in lines.
const MAX_LINES: usize = 200;

/// Compares `actual` (the message) with `expected`; the diff lists the
/// merged document, marking what differs.
pub fn compare(actual: &Json, expected: &Json) -> (Match, String) {
    let mut lines = Vec::new();
    let result = diff(actual, expected, 0, "", &mut lines);
    let mut out = String::new();
    for (i, (mark, indent, text)) in lines.iter().enumerate() {
        if i == MAX_LINES {
            out.push_str(&format!("  … {} more lines\n", lines.len() - MAX_LINES));
            break;
        }
        out.push_str(&format!("{mark} {}{text}\n", "  ".repeat(*indent)));
    }
    (result, out)
}

/// How the diff's marks read.
pub const LEGEND: &str =
    "(- only in the message, + expected but missing, ~ message value => expected value)";

type Line = (char, usize, String);

fn combine(a: Match, b: Match) -> Match {
    match (a, b) {
        (Match::Differs, _) | (_, Match::Differs) => Match::Differs,
        (Match::Superset, _) | (_, Match::Superset) => Match::Superset,
        _ => Match::Equal,
    }
}

fn scalar_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn diff(actual: &Json, expected: &Json, indent: usize, key: &str, out: &mut Vec<Line>) -> Match {
    match (actual, expected) {
        (Json::Object(a), Json::Object(e)) => {
            let mut keys: Vec<&String> = a.keys().chain(e.keys()).collect();
            keys.sort();
            keys.dedup();
            out.push((' ', indent, format!("{key}{{")));
            let mut result = Match::Equal;
            for (i, k) in keys.iter().enumerate() {
                let start = out.len();
                let label = format!("{}: ", Json::String((*k).clone()));
                let child = match (a.get(*k), e.get(*k)) {
                    (Some(x), Some(y)) => diff(x, y, indent + 1, &label, out),
                    (Some(x), None) => {
                        whole(x, '-', indent + 1, &label, out);
                        Match::Superset
                    }
                    (None, Some(y)) => {
                        whole(y, '+', indent + 1, &label, out);
                        Match::Differs
                    }
                    (None, None) => Match::Equal,
                };
                if i + 1 < keys.len()
                    && out.len() > start
                    && let Some(last) = out.last_mut()
                {
                    last.2.push(',');
                }
                result = combine(result, child);
            }
            out.push((' ', indent, "}".into()));
            result
        }
        (Json::Array(a), Json::Array(e)) => {
            out.push((' ', indent, format!("{key}[")));
            let mut result = Match::Equal;
            let len = a.len().max(e.len());
            for i in 0..len {
                let start = out.len();
                let child = match (a.get(i), e.get(i)) {
                    (Some(x), Some(y)) => diff(x, y, indent + 1, "", out),
                    (Some(x), None) => {
                        whole(x, '-', indent + 1, "", out);
                        Match::Superset
                    }
                    (None, Some(y)) => {
                        whole(y, '+', indent + 1, "", out);
                        Match::Differs
                    }
                    (None, None) => Match::Equal,
                };
                if i + 1 < len
                    && out.len() > start
                    && let Some(last) = out.last_mut()
                {
                    last.2.push(',');
                }
                result = combine(result, child);
            }
            out.push((' ', indent, "]".into()));
            result
        }
        _ if scalar_equal(actual, expected) => {
            out.push((' ', indent, format!("{key}{actual}")));
            Match::Equal
        }
        _ => {
            out.push((
                '~',
                indent,
                format!("{key}{} => {}", short(actual), short(expected)),
            ));
            Match::Differs
        }
    }
}

/// A value on one line: objects and arrays abbreviated when long.
fn short(value: &Json) -> String {
    let text = value.to_string();
    if text.chars().count() <= 80 {
        return text;
    }
    let cut: String = text.chars().take(77).collect();
    format!("{cut}…")
}

/// `value` whole, every line with `mark`.
fn whole(value: &Json, mark: char, indent: usize, key: &str, out: &mut Vec<Line>) {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    for (i, line) in pretty.lines().enumerate() {
        let spaces = line.len() - line.trim_start().len();
        let text = line.trim_start();
        let text = if i == 0 {
            format!("{key}{text}")
        } else {
            text.to_string()
        };
        out.push((mark, indent + spaces / 2, text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_superset_and_differs() {
        let doc = json!({"a": 1, "b": [1, 2, {"c": "x"}]});
        assert_eq!(
            compare(&doc, &json!({"b": [1, 2, {"c": "x"}], "a": 1.0})).0,
            Match::Equal
        );
        assert_eq!(compare(&doc, &json!({"a": 1})).0, Match::Superset);
        assert_eq!(compare(&doc, &json!({"b": [1]})).0, Match::Superset);
        assert_eq!(compare(&doc, &json!({"a": 2})).0, Match::Differs);
        assert_eq!(compare(&doc, &json!({"d": null})).0, Match::Differs);
        assert_eq!(
            compare(&doc, &json!({"b": [1, 2, {"c": "x"}, 4]})).0,
            Match::Differs
        );
        assert_eq!(compare(&json!("1"), &json!(1)).0, Match::Differs);
    }

    #[test]
    fn the_diff_marks_each_difference() {
        let (m, text) = compare(
            &json!({"a": 1, "b": 2, "c": {"x": true}}),
            &json!({"a": 1, "b": 3, "d": [1]}),
        );
        assert_eq!(m, Match::Differs);
        let want = "  {\n    \"a\": 1,\n~   \"b\": 2 => 3,\n-   \"c\": {\n-     \"x\": true\n-   },\n+   \"d\": [\n+     1\n+   ]\n  }\n";
        assert_eq!(text, want, "{text}");
    }
}
