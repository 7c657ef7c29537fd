//! Where the cursor is in a YAML config: the path of the mapping it is
//! in, the key it is on or typing, and the value after that key. The
//! reading is line by line over block YAML and never fails, because the
//! text being edited is rarely valid: a half-typed key, a `- ` with
//! nothing after it, a key with no value yet all still give a place.
//!
//! What it understands: `key: value` lines (plain or quoted keys), `- `
//! items (several on one line too, and lists written at their key's
//! indentation), comments, block scalars (`|`, `>` and their lines are
//! skipped) and `---` document breaks. Flow collections (`{…}`, `[…]`)
//! are taken as opaque values.

use crate::schema::Step;
use std::collections::HashMap;

/// Where in a `key: value` line the cursor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// On the key (or where a key is being typed).
    Key,
    /// After the key's colon, on its value.
    Value,
}

/// The config context at a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The path of the mapping whose key the cursor is on.
    pub parent: Vec<Step>,
    /// The other keys of that mapping, anywhere in the file.
    pub siblings: Vec<String>,
    /// The key on the cursor's line (partial or empty while typing).
    pub key: String,
    /// Its byte range in the document.
    pub key_range: (usize, usize),
    /// Its column, in bytes from the start of the line (indentation and
    /// `- ` are ASCII, so it is also the column in characters).
    pub column: usize,
    /// True when the key already has its colon.
    pub has_colon: bool,
    /// Key or value.
    pub place: Place,
    /// The value's text range (inside quotes) when `place` is `Value`.
    pub value_range: (usize, usize),
    /// True when a space is wanted between the colon and a value.
    pub needs_space: bool,
}

impl Cursor {
    /// The path of the key's value.
    pub fn path(&self) -> Vec<Step> {
        let mut path = self.parent.clone();
        path.push(Step::Key(self.key.clone()));
        path
    }
}

#[derive(Debug)]
struct Entry {
    indent: usize,
    step: Step,
    id: usize,
    item: bool,
}

#[derive(Debug, Default)]
struct Machine {
    stack: Vec<Entry>,
    next_id: usize,
    root: usize,
    children: HashMap<usize, Vec<String>>,
    /// Inside a block scalar whose key sits at this column.
    block: Option<usize>,
}

/// A split `key: value`: the key, where it ends, where the text after the
/// colon starts (all relative to the content).
struct KeyLine {
    key: String,
    key_end: usize,
    after_colon: usize,
}

/// The text before an unquoted `#` comment.
pub(crate) fn strip_comment(text: &str) -> &str {
    let mut quote = None;
    let mut prev_blank = true;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '#') if prev_blank => return &text[..i],
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        prev_blank = c == ' ' || c == '\t';
    }
    text
}

/// Splits `key: value` (or `key:`); `None` when the content is not a key.
fn split_key(content: &str) -> Option<KeyLine> {
    let first = content.chars().next()?;
    if matches!(
        first,
        '{' | '[' | '|' | '>' | '#' | '&' | '*' | '!' | '%' | '@' | '`'
    ) {
        return None;
    }
    let colon_ok = |at: usize| {
        content.as_bytes().get(at) == Some(&b':')
            && matches!(content.as_bytes().get(at + 1), None | Some(b' ' | b'\t'))
    };
    if first == '"' || first == '\'' {
        let close = content[1..].find(first)? + 1;
        let mut at = close + 1;
        while content.as_bytes().get(at) == Some(&b' ') {
            at += 1;
        }
        return colon_ok(at).then(|| KeyLine {
            key: content[1..close].to_string(),
            key_end: close + 1,
            after_colon: at + 1,
        });
    }
    let at = (0..content.len()).find(|&i| colon_ok(i))?;
    let key = content[..at].trim_end();
    if key.is_empty() || key.contains(['{', '[', ',']) {
        return None;
    }
    Some(KeyLine {
        key: key.to_string(),
        key_end: key.len(),
        after_colon: at + 1,
    })
}

/// The length of the key `content` starts with (quotes included), when
/// it is a `key:` line.
pub(crate) fn key_len(content: &str) -> Option<usize> {
    split_key(content).map(|k| k.key_end)
}

/// The keys at the top level of every document in `text`.
pub fn top_level_keys(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '-']))
        .filter_map(|l| split_key(strip_comment(l).trim_end()))
        .map(|k| k.key)
        .collect()
}

/// True when a value is a block scalar header (`|`, `>-`, `|2`, …).
fn is_block_header(value: &str) -> bool {
    let mut chars = value.trim().chars();
    matches!(chars.next(), Some('|' | '>')) && chars.all(|c| matches!(c, '+' | '-' | '1'..='9'))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

impl Machine {
    fn new() -> Machine {
        Machine {
            next_id: 1,
            ..Machine::default()
        }
    }

    fn id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    fn parent_id(&self) -> usize {
        self.stack.last().map_or(self.root, |e| e.id)
    }

    fn path(&self) -> Vec<Step> {
        self.stack.iter().map(|e| e.step.clone()).collect()
    }

    /// A `-` at `col`: a new list item.
    fn item(&mut self, col: usize) {
        let mut index = 0;
        while let Some(top) = self.stack.last() {
            if top.indent > col {
                self.stack.pop();
            } else if top.indent == col && top.item {
                if let Step::Index(i) = top.step {
                    index = i + 1;
                }
                self.stack.pop();
                break;
            } else {
                break;
            }
        }
        let id = self.id();
        self.stack.push(Entry {
            indent: col,
            step: Step::Index(index),
            id,
            item: true,
        });
    }

    /// Closes what a key at `col` ends.
    fn close_for_key(&mut self, col: usize) {
        while self.stack.last().is_some_and(|top| top.indent >= col) {
            self.stack.pop();
        }
    }

    /// A `key:` at `col`.
    fn key(&mut self, col: usize, key: &str) {
        self.close_for_key(col);
        let parent = self.parent_id();
        self.children
            .entry(parent)
            .or_default()
            .push(key.to_string());
        let id = self.id();
        self.stack.push(Entry {
            indent: col,
            step: Step::Key(key.to_string()),
            id,
            item: false,
        });
    }

    /// True when `line` is a line of the block scalar being read.
    fn in_block(&mut self, line: &str) -> bool {
        if let Some(b) = self.block {
            if line.trim().is_empty() || indent_of(line) > b {
                return true;
            }
            self.block = None;
        }
        false
    }

    /// Reads one whole line.
    fn line(&mut self, line: &str) {
        if self.in_block(line) {
            return;
        }
        let content = strip_comment(line).trim_end();
        if content.starts_with("---") || content.starts_with("...") {
            self.stack.clear();
            self.root = self.id();
            return;
        }
        let mut col = indent_of(content);
        let mut rest = &content[col..];
        loop {
            if rest == "-" || rest.starts_with("- ") {
                self.item(col);
                let after = rest[1..].trim_start_matches(' ');
                col += rest.len() - after.len();
                rest = after;
                continue;
            }
            let Some(k) = split_key(rest) else {
                return;
            };
            self.key(col, &k.key);
            if is_block_header(strip_comment(&rest[k.after_colon..])) {
                self.block = Some(col);
            }
            return;
        }
    }
}

/// Byte ranges of the lines of `text`, without their line breaks.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |l| {
        let at = start;
        start += l.len();
        (at, l.trim_end_matches(['\n', '\r']))
    })
}

/// The config context at byte `offset` of `text`, or `None` inside a
/// block scalar, a comment, or text that is neither key nor value.
pub fn at(text: &str, offset: usize) -> Option<Cursor> {
    let mut m = Machine::new();
    let mut found: Option<(Cursor, usize)> = None;
    for (start, line) in lines(text) {
        let here = offset >= start && offset <= start + line.len();
        if found.is_none() && here {
            let cursor = cursor_line(&mut m, start, line, offset - start)?;
            let parent = m.parent_id();
            if cursor.has_colon {
                // Read the rest of the file with the cursor's key open.
                m.key(cursor.column, &cursor.key);
                let after = line.get(cursor.key_range.1 - start..).unwrap_or_default();
                let value = after.trim_start_matches([' ', '"', '\'']);
                if is_block_header(strip_comment(value.strip_prefix(':').unwrap_or(value))) {
                    m.block = Some(cursor.column);
                }
            }
            found = Some((cursor, parent));
            continue;
        }
        m.line(line);
    }
    if found.is_none() && (text.is_empty() || text.ends_with('\n')) && offset >= text.len() {
        found = Some((cursor_line(&mut m, text.len(), "", 0)?, m.parent_id()));
    }
    let (mut cursor, parent) = found?;
    cursor.siblings = m.children.remove(&parent).unwrap_or_default();
    if cursor.has_colon {
        // The cursor's own key was recorded once; other copies stay.
        let own = cursor.key.clone();
        if let Some(i) = cursor.siblings.iter().position(|k| *k == own) {
            cursor.siblings.remove(i);
        }
    }
    Some(cursor)
}

/// Reads the cursor's line up to the key it holds; `col` is the cursor's
/// byte column in `line`, which starts at document byte `start`.
fn cursor_line(m: &mut Machine, start: usize, line: &str, col: usize) -> Option<Cursor> {
    let col = col.min(line.len());
    let blank = line.trim().is_empty();
    if let Some(b) = m.block {
        // A line of the block scalar: indented past its key (on a blank
        // line, the cursor is).
        let indent = if blank { col } else { indent_of(line) };
        if indent > b {
            return None;
        }
        m.block = None;
    }
    let before = &line[..col];
    if strip_comment(before).len() < before.len() {
        return None;
    }
    let content = strip_comment(line).trim_end();
    if content.starts_with("---") || content.starts_with("...") {
        return None;
    }
    let mut at = if blank { col } else { indent_of(content) };
    if col < at {
        return None;
    }
    let mut rest = content.get(at..).unwrap_or_default();
    while (rest == "-" || rest.starts_with("- ")) && col >= at + 2 {
        m.item(at);
        let after = rest[1..].trim_start_matches(' ');
        at += rest.len() - after.len();
        rest = after;
    }
    if rest.is_empty() {
        at = at.max(col);
    }
    m.close_for_key(at);
    let parent = m.path();
    let mut cursor = Cursor {
        parent,
        siblings: Vec::new(),
        key: String::new(),
        key_range: (start + at, start + at),
        column: at,
        has_colon: false,
        place: Place::Key,
        value_range: (start + col, start + col),
        needs_space: false,
    };
    match split_key(rest) {
        Some(k) => {
            cursor.key = k.key;
            cursor.has_colon = true;
            cursor.key_range = (start + at, start + at + k.key_end);
            if col > at + k.key_end {
                let value = &rest[k.after_colon..];
                let lead = value.len() - value.trim_start().len();
                let mut from = at + k.after_colon + lead;
                let mut to = at + k.after_colon + value.trim_end().len();
                if let Some(q @ ('"' | '\'')) = value.trim_start().chars().next() {
                    from += 1;
                    let inner = content.get(from..).unwrap_or_default();
                    to = inner.find(q).map_or(content.len(), |e| from + e);
                }
                if col < at + k.after_colon {
                    return None;
                }
                cursor.place = Place::Value;
                cursor.needs_space = lead == 0 && col == at + k.after_colon;
                cursor.value_range = (start + from.min(col), start + to.max(col));
            }
        }
        None if rest.starts_with('-') => return None,
        None => {
            let word_end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
                .unwrap_or(rest.len());
            if at + word_end < col {
                return None;
            }
            cursor.key = rest[..word_end].to_string();
            cursor.key_range = (start + at, start + at + word_end);
        }
    }
    Some(cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(path: &[&str]) -> Vec<Step> {
        path.iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Key((*s).into()),
            })
            .collect()
    }

    /// The cursor at the `^` of `marked` (the mark is removed).
    fn cursor(marked: &str) -> Option<Cursor> {
        let offset = marked.find('^').expect("a cursor mark");
        let text = marked.replacen('^', "", 1);
        at(&text, offset)
    }

    #[test]
    fn a_half_typed_key_under_a_component() {
        let c =
            cursor("input:\n  http_server:\n    pa^\noutput:\n  stdout: {}\n").expect("a place");
        assert_eq!(c.parent, steps(&["input", "http_server"]));
        assert_eq!(c.key, "pa");
        assert_eq!(c.place, Place::Key);
        assert!(!c.has_colon);
        assert_eq!(c.column, 4);
        assert_eq!(c.key_range, (26, 28));
    }

    #[test]
    fn a_blank_line_takes_the_cursor_column() {
        let text = "input:\n  http_server:\n    path: /a\n^\n";
        let c = cursor(&text.replace("^", "    ^")).expect("a place");
        assert_eq!(c.parent, steps(&["input", "http_server"]));
        assert_eq!(c.siblings, ["path"]);
        let c = cursor(&text.replace("^", "  ^")).expect("a place");
        assert_eq!(c.parent, steps(&["input"]));
        assert_eq!(c.siblings, ["http_server"]);
        let c = cursor(text).expect("a place");
        assert_eq!(c.parent, Vec::new());
        assert_eq!(c.siblings, ["input"]);
    }

    #[test]
    fn list_items_count_and_compact_lists_nest() {
        let text = "pipeline:\n  processors:\n  - mapping: a\n  - log:\n      message: x\n  - ^\n";
        let c = cursor(text).expect("a place");
        assert_eq!(c.parent, steps(&["pipeline", "processors", "2"]));
        assert_eq!(c.column, 4);
        let c =
            cursor("pipeline:\n  processors:\n    - log:\n        mess^age: x\n").expect("a place");
        assert_eq!(c.parent, steps(&["pipeline", "processors", "0", "log"]));
        assert_eq!(c.key, "message");
        assert!(c.has_colon);
        let c = cursor("a:\n  - - ^\n").expect("a place");
        assert_eq!(c.parent, steps(&["a", "0", "0"]));
    }

    #[test]
    fn values_after_the_colon() {
        let c = cursor("output:\n  broker:\n    pattern: fa^\n").expect("a place");
        assert_eq!(c.place, Place::Value);
        assert_eq!(c.path(), steps(&["output", "broker", "pattern"]));
        assert_eq!(c.value_range, (31, 33));
        let c = cursor("a:\n  b: \"x^y\" # note\n").expect("a place");
        assert_eq!(c.place, Place::Value);
        assert_eq!(c.value_range, (9, 11));
        let c = cursor("a:^\n").expect("a place");
        assert_eq!(c.place, Place::Value);
        assert!(c.needs_space);
    }

    #[test]
    fn siblings_after_the_cursor_count_too() {
        let text =
            "input:\n  http_server:\n    ^\n    timeout: 5s\n    path: /x\noutput:\n  x: 1\n";
        let c = cursor(text).expect("a place");
        assert_eq!(c.siblings, ["timeout", "path"]);
        let text = "pipeline:\n  processors:\n    - ^\n      label: a\n    - log: {}\n";
        let c = cursor(text).expect("a place");
        assert_eq!(c.parent, steps(&["pipeline", "processors", "0"]));
        assert_eq!(c.siblings, ["label"]);
    }

    #[test]
    fn block_scalars_and_comments_are_not_places() {
        let text =
            "pipeline:\n  processors:\n    - mapping: |\n        root = ^this\n    - log: {}\n";
        assert_eq!(cursor(text), None);
        let after = "pipeline:\n  processors:\n    - mapping: |\n        root = this\n    - ^\n";
        let c = cursor(after).expect("a place after the block");
        assert_eq!(c.parent, steps(&["pipeline", "processors", "1"]));
        assert_eq!(cursor("a: 1 # com^ment\n"), None);
        let c = cursor("a: 1\n---\nb:\n  ^\n").expect("a place");
        assert_eq!(c.parent, steps(&["b"]));
    }

    #[test]
    fn quoted_keys_and_odd_lines() {
        let c = cursor("\"in^put\": x\n").expect("a place");
        assert_eq!(c.key, "input");
        assert_eq!(c.place, Place::Key);
        assert_eq!(cursor("{a: 1^}\n").map(|c| c.place), None);
        assert_eq!(cursor("a b c^\n"), None);
        let c = cursor("^").expect("an empty document");
        assert_eq!(c.parent, Vec::new());
    }
}
