//! Bloblang embedded in a pipeline config: the mapping fields (`mapping`,
//! `mutation`, `bloblang`, `check`, `request_map`, `result_map`) and the
//! `${! … }` interpolations inside other string fields, each with a map
//! between offsets in the Bloblang text and offsets in the YAML file, so
//! an editor can treat every piece as a document of its own.
//!
//! ```
//! use tarn_lang::embedded::{find, EmbeddedKind};
//! let yaml = "pipeline:\n  processors:\n    - mapping: root = this.a\n";
//! let found = find(yaml);
//! assert_eq!(found[0].kind, EmbeddedKind::Mapping);
//! assert_eq!(found[0].field, "pipeline.processors.0.mapping");
//! assert_eq!(found[0].source, "root = this.a");
//! assert_eq!(&yaml[found[0].to_yaml(0)..][..4], "root");
//! ```
//!
//! Offsets are exact when the decoded text can be traced byte by byte:
//! plain scalars, single- and double-quoted scalars (escapes included: the
//! bytes an escape decodes to map onto the escape sequence), literal and
//! folded blocks (a folded line break maps onto the break it replaces).
//! When tracing fails (an unusual construct, such as a block scalar with
//! an explicit indentation indicator after an anchor or tag), the text is
//! still returned with [`Embedded::exact`] false, and each source line maps
//! to the start of the corresponding YAML line of the scalar as a best
//! effort.
//!
//! Invalid YAML never fails: whatever was read before the first syntax
//! error is returned.
//!
//! [`find`] decides by key name alone. A caller that knows the config's
//! schema uses [`find_with`] and says, for each scalar's path, whether the
//! field holds a mapping, an interpolated string or plain text; the key
//! names stay the rule wherever the schema has nothing to say.

mod scalar;
#[cfg(test)]
mod tests;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};
use scalar::{Flow, Mapped, approximate, decode_block, decode_flow, reconcile};

/// Keys whose scalar value is a whole Bloblang mapping.
pub const MAPPING_KEYS: &[&str] = &[
    "mapping",
    "mutation",
    "bloblang",
    "check",
    "request_map",
    "result_map",
];

/// What an embedded piece of Bloblang is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddedKind {
    /// The whole value of a mapping field.
    Mapping,
    /// The query inside one `${! … }` of a string field.
    Interpolation,
}

/// One step of a scalar's path: a mapping key or a list index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'k> {
    /// The value of this key.
    Key(&'k str),
    /// The item at this index.
    Index(usize),
}

/// What a schema says a string field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A whole Bloblang mapping.
    Mapping,
    /// Text with `${! … }` interpolations.
    Interpolated,
    /// Plain text: `${! … }` in it is not evaluated. A key of
    /// [`MAPPING_KEYS`] still counts as a mapping (some mapping fields are
    /// typed as plain strings and compiled by hand).
    Plain,
}

/// One piece of Bloblang found in a YAML file.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// Mapping field or interpolation.
    pub kind: EmbeddedKind,
    /// Dotted path of the field, list items by index, e.g.
    /// `pipeline.processors.0.mapping`.
    pub field: String,
    /// The Bloblang text as the YAML value decodes it; for an
    /// interpolation, the text between `${!` and its closing `}`.
    pub source: String,
    /// True when every offset maps exactly; false when the mapping is the
    /// line-by-line approximation.
    pub exact: bool,
    /// False for an interpolation with no closing `}` (its source then
    /// runs to the end of the string).
    pub closed: bool,
    /// For interpolations, the YAML range of the whole `${! … }`; for
    /// mapping fields, the YAML range of the decoded text.
    pub yaml_range: std::ops::Range<usize>,
    map: Mapped,
}

impl Embedded {
    /// The YAML byte offset of source byte offset `source_offset`;
    /// offsets at or past the end of the source give the YAML offset just
    /// past the text.
    pub fn to_yaml(&self, source_offset: usize) -> usize {
        self.map.to_yaml(source_offset)
    }

    /// The source byte offset at YAML byte offset `yaml_offset`, or `None`
    /// when that offset is outside this piece. Offsets inside the piece
    /// that no source byte maps to (block indentation, the tail of an
    /// escape sequence, a folded line break's extra bytes) give the source
    /// offset just after the preceding source byte.
    pub fn from_yaml(&self, yaml_offset: usize) -> Option<usize> {
        let m = &self.map;
        let first = m.segs.first().map_or(m.end, |s| s.1);
        if yaml_offset < first || yaml_offset > m.end {
            return None;
        }
        if yaml_offset == m.end {
            return Some(m.text.len());
        }
        let k = m.segs.partition_point(|&(_, y)| y <= yaml_offset);
        let idx = k.checked_sub(1)?;
        let (s, y) = *m.segs.get(idx)?;
        let run_end = m.segs.get(idx + 1).map_or(m.text.len(), |n| n.0);
        Some((s + (yaml_offset - y)).min(run_end))
    }

    /// The `(source offset, YAML offset)` starts of runs within which
    /// source and YAML bytes correspond one to one.
    pub fn segments(&self) -> &[(usize, usize)] {
        &self.map.segs
    }
}

/// Finds every embedded piece of Bloblang in `yaml`, in file order,
/// by key name.
pub fn find(yaml: &str) -> Vec<Embedded> {
    find_with(yaml, &|_| None)
}

/// Finds every embedded piece of Bloblang in `yaml`, asking `classify`
/// what the field at each scalar's path holds; where it answers `None`,
/// the key name decides as in [`find`].
pub fn find_with(yaml: &str, classify: &dyn Fn(&[Step<'_>]) -> Option<FieldKind>) -> Vec<Embedded> {
    let mut w = Walker {
        yaml,
        chars: char_offsets(yaml),
        frames: Vec::new(),
        out: Vec::new(),
        classify,
    };
    for item in Parser::new_from_str(yaml) {
        match item {
            Ok((ev, span)) => w.event(ev, span),
            Err(_) => break,
        }
    }
    w.out
}

/// Byte offsets of every character when the text is not ASCII (saphyr
/// counts positions in characters).
fn char_offsets(yaml: &str) -> Option<Vec<usize>> {
    if yaml.is_ascii() {
        return None;
    }
    let mut v: Vec<usize> = yaml.char_indices().map(|(i, _)| i).collect();
    v.push(yaml.len());
    Some(v)
}

#[derive(Debug)]
enum Frame {
    Seq { index: usize },
    Map { key: Option<String>, want_key: bool },
}

struct Walker<'y> {
    yaml: &'y str,
    classify: &'y dyn Fn(&[Step<'_>]) -> Option<FieldKind>,
    chars: Option<Vec<usize>>,
    /// Open collections and whether each sits inside a complex key.
    frames: Vec<(Frame, bool)>,
    out: Vec<Embedded>,
}

impl Walker<'_> {
    fn byte(&self, char_index: usize) -> usize {
        match &self.chars {
            None => char_index.min(self.yaml.len()),
            Some(v) => v.get(char_index).copied().unwrap_or(self.yaml.len()),
        }
    }

    fn in_key(&self) -> bool {
        self.frames.last().is_some_and(|f| f.1)
    }

    /// True when the next node is a mapping key.
    fn at_key(&self) -> bool {
        matches!(
            self.frames.last(),
            Some((Frame::Map { want_key: true, .. }, _))
        )
    }

    /// Records that a node finished in the innermost collection; `key` is
    /// the key text when that node was a mapping key.
    fn node_done(&mut self, key: Option<String>) {
        match self.frames.last_mut() {
            Some((Frame::Seq { index }, _)) => *index += 1,
            Some((Frame::Map { key: k, want_key }, _)) => {
                if *want_key {
                    *k = Some(key.unwrap_or_else(|| "?".into()));
                    *want_key = false;
                } else {
                    *k = None;
                    *want_key = true;
                }
            }
            None => {}
        }
    }

    fn path(&self) -> String {
        let mut parts = Vec::with_capacity(self.frames.len());
        for (f, _) in &self.frames {
            match f {
                Frame::Seq { index } => parts.push(index.to_string()),
                Frame::Map { key, .. } => parts.push(key.clone().unwrap_or_else(|| "?".into())),
            }
        }
        parts.join(".")
    }

    fn event(&mut self, ev: Event<'_>, span: YSpan) {
        match ev {
            Event::Scalar(value, style, _, _) => {
                if self.at_key() {
                    self.node_done(Some(value.into_owned()));
                    return;
                }
                if !self.in_key() {
                    self.value(&value, style, span);
                }
                self.node_done(None);
            }
            Event::Alias(_) => self.node_done(None),
            Event::SequenceStart(..) => {
                let in_key = self.in_key() || self.at_key();
                self.frames.push((Frame::Seq { index: 0 }, in_key));
            }
            Event::MappingStart(..) => {
                let in_key = self.in_key() || self.at_key();
                self.frames.push((
                    Frame::Map {
                        key: None,
                        want_key: true,
                    },
                    in_key,
                ));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.frames.pop();
                self.node_done(None);
            }
            Event::DocumentStart(_) | Event::DocumentEnd => self.frames.clear(),
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }

    /// The steps of the current path.
    fn steps(&self) -> Vec<Step<'_>> {
        self.frames
            .iter()
            .map(|(f, _)| match f {
                Frame::Seq { index } => Step::Index(*index),
                Frame::Map { key, .. } => Step::Key(key.as_deref().unwrap_or("?")),
            })
            .collect()
    }

    /// A scalar value at the current path.
    fn value(&mut self, value: &str, style: ScalarStyle, span: YSpan) {
        let mapping_key = matches!(
            self.frames.last(),
            Some((Frame::Map { key: Some(k), .. }, _)) if MAPPING_KEYS.contains(&k.as_str())
        );
        let (is_mapping, interpolates) = match (self.classify)(&self.steps()) {
            Some(FieldKind::Mapping) => (true, false),
            Some(FieldKind::Interpolated) => (false, true),
            Some(FieldKind::Plain) => (mapping_key, false),
            None => (mapping_key, true),
        };
        let interpolated = interpolates && value.contains("${!");
        if !(is_mapping || interpolated) {
            return;
        }
        if is_mapping && style == ScalarStyle::Plain && value.is_empty() {
            return;
        }
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        let (map, exact) = self.trace(value, style, start, end);
        let field = self.path();
        if is_mapping {
            self.out.push(Embedded {
                kind: EmbeddedKind::Mapping,
                field,
                source: map.text.clone(),
                exact,
                closed: true,
                yaml_range: map.to_yaml(0)..map.end,
                map,
            });
            return;
        }
        for (open, q_start, q_end, closed) in interpolations(&map.text) {
            let part = map.slice(q_start, q_end);
            let range_end = if closed {
                map.to_yaml(q_end + 1)
            } else {
                map.end
            };
            self.out.push(Embedded {
                kind: EmbeddedKind::Interpolation,
                field: field.clone(),
                source: part.text.clone(),
                exact,
                closed,
                yaml_range: map.to_yaml(open)..range_end,
                map: part,
            });
        }
    }

    /// Decodes the scalar at `start..end` and reconciles it with the
    /// parser's `value`; falls back to the line approximation.
    fn trace(&self, value: &str, style: ScalarStyle, start: usize, end: usize) -> (Mapped, bool) {
        let yaml = self.yaml;
        let bytes = yaml.as_bytes();
        let a = skip_properties(yaml, start, end);
        let decoded = match style {
            ScalarStyle::Plain => {
                let mut b = end;
                while b > a && matches!(bytes.get(b - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                    b -= 1;
                }
                Some(decode_flow(yaml, a, b, Flow::Plain))
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let (q, flow) = if style == ScalarStyle::SingleQuoted {
                    (b'\'', Flow::Single)
                } else {
                    (b'"', Flow::Double)
                };
                (bytes.get(a) == Some(&q))
                    .then(|| closing_quote(bytes, a + 1, q))
                    .flatten()
                    .map(|close| decode_flow(yaml, a + 1, close, flow))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                block_layout(yaml, start, a, end).map(|(first_line, indent)| {
                    decode_block(yaml, first_line, end, indent, style == ScalarStyle::Folded)
                })
            }
        };
        if let Some(m) = decoded.and_then(|m| reconcile(m, value)) {
            return (m, true);
        }
        let (region_start, indent) = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => match block_layout(yaml, start, a, end) {
                Some((first, indent)) => (first + indent, Some(indent)),
                None => (a, None),
            },
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => ((a + 1).min(end), None),
            ScalarStyle::Plain => (a, None),
        };
        (approximate(yaml, region_start, end, indent, value), false)
    }
}

/// Skips anchors, tags, blanks and comments before a scalar's text.
fn skip_properties(yaml: &str, mut i: usize, end: usize) -> usize {
    let bytes = yaml.as_bytes();
    loop {
        match bytes.get(i) {
            Some(b' ' | b'\t' | b'\r' | b'\n') if i < end => i += 1,
            Some(b'&' | b'!') if i < end => {
                while i < end && !matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r' | b'\n') | None)
                {
                    i += 1;
                }
            }
            Some(b'#') if i < end && i > 0 && matches!(bytes.get(i - 1), Some(b' ' | b'\t')) => {
                while i < end && !matches!(bytes.get(i), Some(b'\r' | b'\n') | None) {
                    i += 1;
                }
            }
            _ => return i,
        }
    }
}

/// The offset of the quote closing a quoted scalar whose content starts
/// at `i`.
fn closing_quote(bytes: &[u8], mut i: usize, q: u8) -> Option<usize> {
    while let Some(&c) = bytes.get(i) {
        if q == b'"' && c == b'\\' {
            i += 2;
        } else if c == q {
            if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Where a block scalar's lines start and its content indentation.
///
/// The parser's span starts either at the scalar's properties (then the
/// header follows them) or, without properties, at the first content
/// character, whose column is the indentation.
fn block_layout(
    yaml: &str,
    start: usize,
    after_props: usize,
    end: usize,
) -> Option<(usize, usize)> {
    let bytes = yaml.as_bytes();
    if start < after_props && is_block_header(bytes, after_props) {
        // Properties, then the header: content starts on the next line;
        // the indentation is the first non-blank line's.
        let first = next_line(bytes, after_props);
        let mut i = first;
        let mut indent = 0;
        while i < end {
            let mut k = i;
            while k < end && bytes[k] == b' ' {
                k += 1;
            }
            if k < end && !matches!(bytes[k], b'\n' | b'\r') {
                indent = k - i;
                break;
            }
            indent = indent.max(k - i);
            i = next_line(bytes, k);
        }
        return Some((first, indent));
    }
    let ls = line_start(bytes, start);
    if !bytes.get(ls..start)?.iter().all(|&b| b == b' ') {
        return None;
    }
    // Walk back over blank lines to the line after the header.
    let mut first = ls;
    while first > 0 {
        let brk = if first >= 2 && &bytes[first - 2..first] == b"\r\n" {
            first - 2
        } else {
            first - 1
        };
        let prev = line_start(bytes, brk);
        if bytes[prev..first]
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            first = prev;
        } else {
            break;
        }
    }
    Some((first, start - ls))
}

/// True when a block scalar header (`|` or `>`, indicators, then a blank,
/// a comment or the end of the line) starts at `i`.
fn is_block_header(bytes: &[u8], i: usize) -> bool {
    if !matches!(bytes.get(i), Some(b'|' | b'>')) {
        return false;
    }
    let mut j = i + 1;
    while matches!(bytes.get(j), Some(b'1'..=b'9' | b'+' | b'-')) {
        j += 1;
    }
    matches!(bytes.get(j), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// The start of the line holding offset `i`.
fn line_start(bytes: &[u8], i: usize) -> usize {
    bytes[..i.min(bytes.len())]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |p| p + 1)
}

/// The start of the line after the one holding offset `i`.
fn next_line(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < bytes.len() && !matches!(bytes[j], b'\n' | b'\r') {
        j += 1;
    }
    if bytes.get(j) == Some(&b'\r') && bytes.get(j + 1) == Some(&b'\n') {
        j + 2
    } else {
        (j + 1).min(bytes.len())
    }
}

/// The `${! … }` queries of a decoded string, as (offset of `${!`, query
/// start, query end, closed); an unclosed query runs to the end. `${{! … }}`
/// is an escaped literal, not a query.
fn interpolations(text: &str) -> Vec<(usize, usize, usize, bool)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = text.get(i..).and_then(|r| r.find("${")) {
        let at = i + p;
        let rest = &text[at..];
        if let Some(inner) = rest.strip_prefix("${{!")
            && let Some(e) = inner.find("}}")
        {
            i = at + 4 + e + 2;
            continue;
        }
        if rest.starts_with("${!") {
            let q = at + 3;
            match tarn_syntax::find_query_end(&text[q..]) {
                Some(e) => {
                    out.push((at, q, q + e, true));
                    i = q + e + 1;
                }
                None => {
                    out.push((at, q, text.len(), false));
                    break;
                }
            }
            continue;
        }
        i = at + 2;
    }
    out
}
