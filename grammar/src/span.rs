//! Byte spans and the line index that turns them into line/column positions.

/// A half-open byte range `start..end` in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets (saturating at `u32::MAX`).
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// True when `offset` lies inside the span (end inclusive, so a cursor
    /// just after a name still counts as on it).
    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset <= self.end as usize
    }
}

/// A 1-based line and column; the column counts Unicode code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column in code points.
    pub col: u32,
}

/// Maps byte offsets of one source text to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `src`.
    pub fn new(src: &str) -> LineIndex {
        let mut line_starts = vec![0];
        for (i, b) in src.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        LineIndex {
            line_starts,
            len: src.len(),
        }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte offset where 0-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// The text of 0-based line `line` without its line break.
    pub fn line_text<'a>(&self, src: &'a str, line: usize) -> &'a str {
        let start = self.line_start(line).min(src.len());
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(src.len(), |e| e - 1)
            .min(src.len());
        src.get(start..end.max(start))
            .unwrap_or("")
            .trim_end_matches('\r')
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and code-point column of a byte offset.
    pub fn line_col(&self, src: &str, offset: usize) -> LineCol {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let end = offset.min(src.len()).max(start);
        let col = src
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        LineCol {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            col: u32::try_from(col + 1).unwrap_or(u32::MAX),
        }
    }

    /// Byte offset of a 0-based line and a 0-based UTF-16 column (the LSP's
    /// position encoding), clamped to the line.
    pub fn offset_of_utf16(&self, src: &str, line: usize, col16: usize) -> usize {
        let start = self.line_start(line).min(src.len());
        let text = self.line_text(src, line);
        let mut units = 0;
        for (i, c) in text.char_indices() {
            if units >= col16 {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + text.len()
    }

    /// 0-based line and UTF-16 column of a byte offset.
    pub fn utf16_position(&self, src: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let end = offset.min(src.len()).max(start);
        let col = src
            .get(start..end)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let src = "ab\né = 1\r\nlast";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 0), LineCol { line: 1, col: 1 });
        assert_eq!(idx.line_col(src, 3), LineCol { line: 2, col: 1 });
        // 'é' is two bytes: the '=' is at code point column 3.
        assert_eq!(idx.line_col(src, 6), LineCol { line: 2, col: 3 });
        assert_eq!(idx.line_text(src, 1), "é = 1");
        assert_eq!(idx.line_text(src, 2), "last");
        assert_eq!(idx.offset_of_utf16(src, 1, 2), 6);
        assert_eq!(idx.utf16_position(src, 6), (1, 2));
    }
}
