//! Decoding one YAML scalar from its raw text while remembering where
//! every decoded byte came from.
//!
//! The decoders here mirror YAML's rules for each scalar style (line
//! folding, quote and escape handling, block indentation). Their output is
//! compared with the value the YAML parser produced; only when the two
//! agree is the mapping called exact, otherwise the caller falls back to a
//! line-by-line approximation.

/// Text decoded from YAML plus, for runs of it, the YAML offset where the
/// run starts. Within a run, decoded bytes and YAML bytes correspond one to
/// one.
#[derive(Debug, Clone, Default)]
pub(super) struct Mapped {
    /// The decoded text.
    pub text: String,
    /// `(text offset, yaml offset)` run starts, both strictly increasing.
    pub segs: Vec<(usize, usize)>,
    /// The YAML offset that corresponds to the end of `text`.
    pub end: usize,
}

impl Mapped {
    /// An empty text anchored at YAML offset `at`.
    pub fn new(at: usize) -> Mapped {
        Mapped {
            text: String::new(),
            segs: vec![(0, at)],
            end: at,
        }
    }

    /// Appends `s`, whose first byte sits at YAML offset `at`.
    pub fn push(&mut self, s: &str, at: usize) {
        if s.is_empty() {
            return;
        }
        let here = self.text.len();
        match self.segs.last() {
            Some(&(s0, y0)) if y0 + (here - s0) == at => {}
            Some(&(s0, _)) if s0 == here => {
                // A run that never received text: re-anchor it.
                if let Some(last) = self.segs.last_mut() {
                    last.1 = at;
                }
            }
            _ => self.segs.push((here, at)),
        }
        self.text.push_str(s);
        self.end = at + s.len();
    }

    /// The YAML offset of text offset `i` (the end for `i ≥ len`).
    pub fn to_yaml(&self, i: usize) -> usize {
        if i >= self.text.len() {
            return self.end;
        }
        let k = self.segs.partition_point(|&(s, _)| s <= i);
        match k.checked_sub(1).and_then(|k| self.segs.get(k)) {
            Some(&(s, y)) => (y + (i - s)).min(self.end),
            None => self.end,
        }
    }

    /// The part of the text in `start..end`, with its own offsets;
    /// `yaml_end` is where the part ends in the YAML file.
    pub fn slice(&self, start: usize, end: usize) -> Mapped {
        let end = end.min(self.text.len());
        let start = start.min(end);
        let mut segs = vec![(0, self.to_yaml(start))];
        for &(s, y) in &self.segs {
            if s > start && s < end {
                segs.push((s - start, y));
            }
        }
        Mapped {
            text: self.text.get(start..end).unwrap_or_default().to_string(),
            segs,
            end: self.to_yaml(end),
        }
    }
}

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

fn is_white(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The offset just past the line break starting at `i`.
fn skip_break(bytes: &[u8], i: usize) -> usize {
    if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') {
        i + 2
    } else {
        i + 1
    }
}

/// The offset of the first line break at or after `i` (or `end`).
fn line_end(bytes: &[u8], i: usize, end: usize) -> usize {
    let mut j = i;
    while j < end && !bytes.get(j).copied().is_some_and(is_break) {
        j += 1;
    }
    j
}

/// The length of the UTF-8 character starting at `i` (1 if `i` is not a
/// character boundary, so scanning always advances).
fn char_len(text: &str, i: usize) -> usize {
    text.get(i..)
        .and_then(|r| r.chars().next())
        .map_or(1, char::len_utf8)
}

/// Flow scalar styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    /// Unquoted.
    Plain,
    /// `'…'`: `''` is a quote.
    Single,
    /// `"…"`: backslash escapes.
    Double,
}

/// Decodes the flow scalar whose content (inside any quotes) is
/// `yaml[a..b]`.
pub(super) fn decode_flow(yaml: &str, a: usize, b: usize, style: Flow) -> Mapped {
    let bytes = yaml.as_bytes();
    let b = b.min(yaml.len());
    let mut m = Mapped::new(a);
    let mut i = a;
    let mut pending_ws: Option<usize> = None;
    let mut escaped_break = false;
    while i < b {
        let c = bytes[i];
        if is_break(c) {
            pending_ws = None;
            let first_break = i;
            i = skip_break(bytes, i);
            let mut empties = Vec::new();
            loop {
                let mut j = i;
                while j < b && is_white(bytes[j]) {
                    j += 1;
                }
                if j < b && is_break(bytes[j]) {
                    empties.push(j);
                    i = skip_break(bytes, j);
                } else {
                    i = j;
                    break;
                }
            }
            if empties.is_empty() && !escaped_break {
                m.push(" ", first_break);
            }
            for e in empties {
                m.push("\n", e);
            }
            escaped_break = false;
            continue;
        }
        if is_white(c) {
            pending_ws.get_or_insert(i);
            i += 1;
            continue;
        }
        if let Some(p) = pending_ws.take() {
            m.push(&yaml[p..i], p);
        }
        match (style, c) {
            (Flow::Single, b'\'') if bytes.get(i + 1) == Some(&b'\'') => {
                m.push("'", i);
                i += 2;
            }
            (Flow::Double, b'\\') => {
                if bytes.get(i + 1).copied().is_some_and(is_break) {
                    escaped_break = true;
                    i += 1;
                } else {
                    let (decoded, len) = escape(yaml, i + 1);
                    m.push(&decoded, i);
                    i += 1 + len;
                }
            }
            _ => {
                let n = char_len(yaml, i);
                m.push(yaml.get(i..i + n).unwrap_or_default(), i);
                i += n;
            }
        }
    }
    if let Some(p) = pending_ws.take() {
        m.push(&yaml[p..b], p);
    }
    m.end = b;
    m
}

/// Decodes the escape whose letter is at `i`; returns the text and how
/// many bytes after the backslash it used.
fn escape(yaml: &str, i: usize) -> (String, usize) {
    let Some(c) = yaml.get(i..).and_then(|r| r.chars().next()) else {
        return (String::new(), 0);
    };
    let simple = match c {
        '0' => Some('\0'),
        'a' => Some('\u{07}'),
        'b' => Some('\u{08}'),
        't' | '\t' => Some('\t'),
        'n' => Some('\n'),
        'v' => Some('\u{0B}'),
        'f' => Some('\u{0C}'),
        'r' => Some('\r'),
        'e' => Some('\u{1B}'),
        ' ' => Some(' '),
        '"' => Some('"'),
        '/' => Some('/'),
        '\\' => Some('\\'),
        'N' => Some('\u{85}'),
        '_' => Some('\u{A0}'),
        'L' => Some('\u{2028}'),
        'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(s) = simple {
        return (s.to_string(), c.len_utf8());
    }
    let digits = match c {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return (c.to_string(), c.len_utf8()),
    };
    let hex = yaml.get(i + 1..i + 1 + digits).unwrap_or_default();
    let decoded = u32::from_str_radix(hex, 16)
        .ok()
        .and_then(char::from_u32)
        .map(String::from)
        .unwrap_or_default();
    (decoded, 1 + hex.len())
}

/// Decodes a literal (`|`) or folded (`>`) block whose lines start at
/// `start` (the line after the header) and end at `end`, with content
/// indentation `indent`. Every trailing line break is kept; the caller
/// trims them to the parser's chomping.
pub(super) fn decode_block(
    yaml: &str,
    start: usize,
    end: usize,
    indent: usize,
    folded: bool,
) -> Mapped {
    let bytes = yaml.as_bytes();
    let end = end.min(yaml.len());
    let mut m = Mapped::new(start);
    // Lines as (content start, content end, break offset or None).
    let mut lines = Vec::new();
    let mut i = start;
    while i < end {
        let le = line_end(bytes, i, end);
        let mut k = i;
        while k < le && k - i < indent && bytes[k] == b' ' {
            k += 1;
        }
        let brk = (le < yaml.len() && le < end).then_some(le);
        lines.push((k, le, brk));
        i = match brk {
            Some(b) => skip_break(bytes, b),
            None => le,
        };
    }
    if folded {
        fold_lines(yaml, &lines, &mut m);
    } else {
        for &(cs, ce, brk) in &lines {
            m.push(&yaml[cs..ce], cs);
            if let Some(b) = brk {
                m.push("\n", b);
            }
        }
    }
    if m.text.is_empty() {
        m.segs = vec![(0, start)];
    }
    m.end = lines.last().map_or(start, |&(_, ce, brk)| {
        brk.map_or(ce, |b| skip_break(bytes, b))
    });
    m
}

/// Folded block rule: a single break between two plain-indented content
/// lines is a space, otherwise breaks are kept.
fn fold_lines(yaml: &str, lines: &[(usize, usize, Option<usize>)], m: &mut Mapped) {
    let bytes = yaml.as_bytes();
    // The break after the last content line, not yet emitted.
    let mut held: Option<(usize, bool)> = None;
    let mut empties: Vec<usize> = Vec::new();
    for &(cs, ce, brk) in lines {
        if cs == ce {
            if let Some(b) = brk {
                empties.push(b);
            }
            continue;
        }
        let spaced = is_white(bytes[cs]);
        if let Some((b, prev_spaced)) = held.take() {
            if empties.is_empty() && !spaced && !prev_spaced {
                m.push(" ", b);
            } else if !spaced && !prev_spaced {
                // The first break is folded away.
            } else {
                m.push("\n", b);
            }
        }
        for e in empties.drain(..) {
            m.push("\n", e);
        }
        m.push(&yaml[cs..ce], cs);
        held = brk.map(|b| (b, spaced));
    }
    if let Some((b, _)) = held {
        m.push("\n", b);
    }
    for e in empties {
        m.push("\n", e);
    }
}

/// Reconciles decoded text with the parser's `value`: equal, or differing
/// only by trailing line breaks (block chomping). `None` when they differ
/// otherwise.
pub(super) fn reconcile(mut m: Mapped, value: &str) -> Option<Mapped> {
    if m.text == value {
        return Some(m);
    }
    if let Some(rest) = m.text.strip_prefix(value)
        && rest.bytes().all(|b| b == b'\n')
    {
        let end = m.to_yaml(value.len());
        m.text.truncate(value.len());
        m.segs.retain(|&(s, _)| s < value.len().max(1));
        m.end = end;
        return Some(m);
    }
    if let Some(rest) = value.strip_prefix(m.text.as_str())
        && rest.bytes().all(|b| b == b'\n')
    {
        let at = m.end;
        m.push(rest, at);
        m.end = at;
        return Some(m);
    }
    None
}

/// Best effort for text the decoders could not reproduce: source line `k`
/// starts where line `k` of the YAML region `start..end` starts (after
/// `indent` spaces, or all leading blanks when `indent` is `None`).
pub(super) fn approximate(
    yaml: &str,
    start: usize,
    end: usize,
    indent: Option<usize>,
    value: &str,
) -> Mapped {
    let bytes = yaml.as_bytes();
    let end = end.min(yaml.len()).max(start);
    let mut m = Mapped {
        text: value.to_string(),
        segs: vec![(0, start)],
        end,
    };
    let mut y = start;
    let mut src = 0;
    for (n, line) in value.split_inclusive('\n').enumerate() {
        if n > 0 {
            let le = line_end(bytes, y, end);
            y = if le < end { skip_break(bytes, le) } else { end };
            let mut k = y;
            while k < end && is_white(bytes[k]) && indent.is_none_or(|ind| k - y < ind) {
                k += 1;
            }
            let at = k.max(m.segs.last().map_or(start, |s| s.1));
            m.segs.push((src, at));
        }
        src += line.len();
    }
    m
}
