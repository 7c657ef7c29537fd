//! Open documents: their text, LSP positions (UTF-16 columns) and the
//! Bloblang regions inside them: the whole file for a `.blobl`, each
//! embedded mapping or `${! … }` interpolation for a YAML config.

use lsp_types::{Position, Range};
use tarn_lang::analysis::LineStarts;

/// A region of Bloblang inside a document.
#[derive(Debug, Clone)]
pub struct Region {
    /// The Bloblang text, as the compiler sees it.
    pub source: String,
    /// An interpolation holds a query, not a mapping.
    pub query: bool,
    /// Source byte → document byte, by line: `(source line start,
    /// document offset of that line start)`, sorted.
    lines: Vec<(usize, usize)>,
}

impl Region {
    /// A region that is the whole document.
    pub fn whole(text: &str) -> Region {
        Region {
            source: text.to_string(),
            query: false,
            lines: vec![(0, 0)],
        }
    }

    /// A region whose source line `i` starts at document offset
    /// `starts[i]`.
    pub fn embedded(source: String, query: bool, starts: Vec<(usize, usize)>) -> Region {
        Region {
            source,
            query,
            lines: starts,
        }
    }

    /// Where source byte `offset` is in the document.
    pub fn to_doc(&self, offset: usize) -> usize {
        let at = self
            .lines
            .partition_point(|(s, _)| *s <= offset)
            .saturating_sub(1);
        let (s, d) = self.lines.get(at).copied().unwrap_or((0, 0));
        d + (offset - s.min(offset))
    }

    /// The source byte at document byte `offset`, when it is inside this
    /// region (its end included, for a cursor after the last character).
    pub fn from_doc(&self, offset: usize) -> Option<usize> {
        for (i, (s, d)) in self.lines.iter().enumerate() {
            let line_end = self
                .lines
                .get(i + 1)
                .map_or(self.source.len(), |(next, _)| next.saturating_sub(1));
            let len = line_end - s;
            if offset >= *d && offset <= d + len {
                return Some(s + (offset - d));
            }
        }
        None
    }
}

/// One open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The full text.
    pub text: String,
    /// A YAML config (Bloblang lives in its regions) rather than a mapping.
    pub yaml: bool,
    /// Its file path, for a sibling sample file.
    pub path: Option<std::path::PathBuf>,
    /// The config schema, when the server was given one (YAML only).
    pub schema: Option<std::sync::Arc<crate::schema::ConfigSchema>>,
    lines: LineStarts,
}

impl Document {
    /// A document with this text; `yaml` for configs.
    pub fn new(text: String, yaml: bool, path: Option<std::path::PathBuf>) -> Document {
        let lines = LineStarts::new(&text);
        Document {
            text,
            yaml,
            path,
            schema: None,
            lines,
        }
    }

    /// The same document read with a config schema: which YAML fields
    /// hold Bloblang comes from it.
    pub fn with_schema(mut self, schema: std::sync::Arc<crate::schema::ConfigSchema>) -> Document {
        self.schema = Some(schema);
        self
    }

    /// The LSP position of byte `offset` (UTF-16 column).
    pub fn position(&self, offset: usize) -> Position {
        let (line, col) = self.lines.line_col_utf16(&self.text, offset);
        Position::new(line, col)
    }

    /// The byte offset of an LSP position, clamped to its line.
    pub fn offset(&self, pos: Position) -> usize {
        self.lines
            .offset_of_utf16(&self.text, pos.line, pos.character)
    }

    /// The LSP range of a byte span.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The Bloblang regions of the document.
    pub fn regions(&self) -> Vec<Region> {
        if self.yaml {
            crate::yaml::regions(&self.text, self.schema.as_deref())
        } else {
            vec![Region::whole(&self.text)]
        }
    }

    /// The region holding document byte `offset`, with the offset in its
    /// source.
    pub fn region_at(&self, offset: usize) -> Option<(Region, usize)> {
        self.regions()
            .into_iter()
            .find_map(|r| r.from_doc(offset).map(|o| (r, o)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_round_trip() {
        let doc = Document::new("a = \"é😀\"\nb = 1\n".into(), false, None);
        let end_of_string = "a = \"é😀\"".len();
        assert_eq!(doc.position(end_of_string), Position::new(0, 9));
        assert_eq!(doc.offset(Position::new(0, 9)), end_of_string);
        assert_eq!(doc.position(doc.text.len()), Position::new(2, 0));
        assert_eq!(doc.offset(Position::new(1, 99)), "a = \"é😀\"\nb = 1".len());
        assert_eq!(doc.offset(Position::new(9, 0)), doc.text.len());
    }

    #[test]
    fn embedded_regions_map_both_ways() {
        // Source "x\ny" whose lines start at document bytes 10 and 20.
        let r = Region::embedded("x\ny".into(), false, vec![(0, 10), (2, 20)]);
        assert_eq!(r.to_doc(0), 10);
        assert_eq!(r.to_doc(2), 20);
        assert_eq!(r.from_doc(20), Some(2));
        assert_eq!(r.from_doc(21), Some(3));
        assert_eq!(r.from_doc(15), None);
    }
}
