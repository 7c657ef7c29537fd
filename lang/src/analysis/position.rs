//! Conversions between byte offsets and the LSP's positions: 0-based lines
//! and 0-based columns counted in UTF-16 code units.
//!
//! Only `\n` ends a line; a `\r` before it is not part of any column a
//! position can name. Every function clamps out-of-range input and never
//! panics. [`LineStarts`] answers many conversions of one text without
//! rescanning it.

/// 0-based line and UTF-16 column of byte `offset` in `src`. An offset
/// past the end means the end; one inside a multi-byte character means
/// that character's start.
pub fn line_col_utf16(src: &str, offset: usize) -> (u32, u32) {
    let offset = floor_boundary(src, offset);
    let before = &src.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (to_u32(line), to_u32(utf16_len(&src[start..offset])))
}

/// Byte offset of 0-based `line` and UTF-16 column `col` in `src`. A line
/// past the end means the end of the text; a column past the end of its
/// line means the end of the line (before its line break); a column inside
/// a surrogate pair means the start of that character.
pub fn offset_of_utf16(src: &str, line: u32, col: u32) -> usize {
    let mut start = 0;
    for _ in 0..line {
        match src[start..].find('\n') {
            Some(p) => start += p + 1,
            None => return src.len(),
        }
    }
    column_offset(src, start, col)
}

/// The start of every line of one text, for repeated conversions.
#[derive(Debug, Clone)]
pub struct LineStarts {
    starts: Vec<usize>,
}

impl LineStarts {
    /// Indexes the line starts of `src`.
    pub fn new(src: &str) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineStarts { starts }
    }

    /// Same as [`line_col_utf16`]; `src` must be the indexed text.
    pub fn line_col_utf16(&self, src: &str, offset: usize) -> (u32, u32) {
        let offset = floor_boundary(src, offset);
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts.get(line).copied().unwrap_or(0).min(offset);
        (to_u32(line), to_u32(utf16_len(&src[start..offset])))
    }

    /// Same as [`offset_of_utf16`]; `src` must be the indexed text.
    pub fn offset_of_utf16(&self, src: &str, line: u32, col: u32) -> usize {
        match self.starts.get(line as usize) {
            Some(&start) if start <= src.len() && src.is_char_boundary(start) => {
                column_offset(src, start, col)
            }
            _ => src.len(),
        }
    }
}

/// The byte offset `col` UTF-16 units into the line starting at `start`.
fn column_offset(src: &str, start: usize, col: u32) -> usize {
    let rest = &src[start..];
    let line = rest.find('\n').map_or(rest, |p| &rest[..p]);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut units = 0usize;
    for (i, c) in line.char_indices() {
        let next = units + c.len_utf16();
        if next > col as usize {
            return start + i;
        }
        units = next;
    }
    start + line.len()
}

/// `offset` clamped to the text and moved back to a character boundary.
fn floor_boundary(src: &str, offset: usize) -> usize {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_multibyte_positions() {
        // 'é' is 2 bytes and 1 UTF-16 unit; '😀' is 4 bytes and 2 units.
        let src = "ab\né😀 = 1\r\nlast";
        assert_eq!(line_col_utf16(src, 0), (0, 0));
        assert_eq!(line_col_utf16(src, 2), (0, 2));
        assert_eq!(line_col_utf16(src, 3), (1, 0));
        assert_eq!(line_col_utf16(src, 5), (1, 1)); // after 'é'
        assert_eq!(line_col_utf16(src, 9), (1, 3)); // after '😀'
        assert_eq!(line_col_utf16(src, 7), (1, 1)); // inside '😀': its start
        assert_eq!(line_col_utf16(src, src.len()), (2, 4));
        assert_eq!(line_col_utf16(src, 10_000), (2, 4));
        assert_eq!(offset_of_utf16(src, 1, 0), 3);
        assert_eq!(offset_of_utf16(src, 1, 1), 5);
        assert_eq!(offset_of_utf16(src, 1, 2), 5); // inside the pair
        assert_eq!(offset_of_utf16(src, 1, 3), 9);
        // Past the end of the line: before "\r\n".
        assert_eq!(offset_of_utf16(src, 1, 99), 13);
        assert_eq!(offset_of_utf16(src, 2, 2), 17);
        assert_eq!(offset_of_utf16(src, 7, 0), src.len());
        assert_eq!(offset_of_utf16("", 0, 5), 0);
        assert_eq!(line_col_utf16("", 3), (0, 0));
    }

    #[test]
    fn round_trips_and_index_agrees() {
        let src = "let ü = \"日本\"\n\nroot = $ü + \"𝄞x\"\n";
        let index = LineStarts::new(src);
        for offset in 0..=src.len() + 2 {
            let (l, c) = line_col_utf16(src, offset);
            assert_eq!(index.line_col_utf16(src, offset), (l, c), "{offset}");
            let back = offset_of_utf16(src, l, c);
            assert_eq!(index.offset_of_utf16(src, l, c), back);
            if offset <= src.len() && src.is_char_boundary(offset) {
                assert_eq!(back, offset);
            }
        }
        assert_eq!(index.offset_of_utf16(src, 99, 0), src.len());
    }
}
