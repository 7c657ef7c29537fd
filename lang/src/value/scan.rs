//! Word-at-a-time byte scanning for the JSON reader and writer: both spend
//! most of their time looking for the next byte of a string that needs
//! attention (a quote, a backslash, a control byte …), and testing eight
//! bytes per step is several times faster than testing one.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The byte tests, written once for each word width used: `u64` for
/// scans of any length, `u128` for strings that fit in sixteen bytes.
macro_rules! byte_tests {
    ($word:ty, $has_byte:ident, $has_below:ident, $stops:ident, $specials:ident) => {
        /// A non-zero word when some byte of `word` equals `b`. (The classic
        /// zero-byte test: exact as a yes/no answer, which is all callers use.)
        #[inline(always)]
        fn $has_byte(word: $word, b: u8) -> $word {
            const ONES: $word = <$word>::from_ne_bytes([1; size_of::<$word>()]);
            let x = word ^ (ONES * <$word>::from(b));
            x.wrapping_sub(ONES) & !x & (ONES << 7)
        }

        /// A non-zero word when some byte of `word` is below `n` (`n` ≤ 128).
        #[inline(always)]
        fn $has_below(word: $word, n: u8) -> $word {
            const ONES: $word = <$word>::from_ne_bytes([1; size_of::<$word>()]);
            word.wrapping_sub(ONES * <$word>::from(n)) & !word & (ONES << 7)
        }

        /// Marks the bytes that end a JSON string's plain run when reading:
        /// `"`, `\` and control bytes.
        #[inline(always)]
        fn $stops(word: $word) -> $word {
            $has_byte(word, b'"') | $has_byte(word, b'\\') | $has_below(word, 0x20)
        }

        /// Marks the bytes a JSON string cannot write verbatim: the stops,
        /// the lead byte of U+2028/U+2029 (0xE2) and, with HTML escaping,
        /// `<`, `>` and `&`.
        #[inline(always)]
        fn $specials(word: $word, html: bool) -> $word {
            let mut mask = $stops(word) | $has_byte(word, 0xe2);
            if html {
                mask |= $has_byte(word, b'<') | $has_byte(word, b'>') | $has_byte(word, b'&');
            }
            mask
        }
    };
}

byte_tests!(u64, has_byte, has_below, stops, specials);
byte_tests!(u128, has_byte_16, has_below_16, stops_16, specials_16);

/// The eight bytes at `at` as a little-endian word; past the end of
/// `bytes` the word is filled with `pad`.
#[inline(always)]
fn word_at(bytes: &[u8], at: usize, pad: u8) -> u64 {
    match bytes.get(at..at + 8) {
        Some(chunk) => u64::from_le_bytes(chunk.try_into().unwrap_or_default()),
        None => {
            // Fewer than eight bytes left: gather them with overlapping
            // loads (no copy loop, which would become a `memcpy` call).
            let rest = bytes.get(at..).unwrap_or_default();
            let n = rest.len();
            let mut w = 0u64;
            if n >= 4 {
                let lo: [u8; 4] = rest[..4].try_into().unwrap_or_default();
                let hi: [u8; 4] = rest[n - 4..].try_into().unwrap_or_default();
                w = u64::from(u32::from_le_bytes(lo))
                    | u64::from(u32::from_le_bytes(hi)) << ((n - 4) * 8);
            } else if n > 0 {
                w = u64::from(rest[0])
                    | u64::from(rest[n / 2]) << (n / 2 * 8)
                    | u64::from(rest[n - 1]) << ((n - 1) * 8);
            }
            w | (ONES * u64::from(pad)) & !((1u64 << (n * 8)) - 1)
        }
    }
}

/// The index, within its word, of the lowest byte a mask marks. The masks
/// above may also mark bytes *after* a true match (a borrow runs upward),
/// never before one, so the lowest mark is exact.
#[inline(always)]
fn first_marked(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// Where a JSON string's plain run ends: the index of the first `"`, `\`
/// or control byte in `bytes` (`bytes.len()` when there is none), and
/// whether any byte before that index is non-ASCII.
#[inline]
pub(super) fn string_run(bytes: &[u8]) -> (usize, bool) {
    let mut at = 0;
    let mut high = 0u64;
    loop {
        // Padding with a quote stops the scan at the end of `bytes`.
        let w = word_at(bytes, at, b'"');
        let mask = stops(w);
        if mask != 0 {
            let n = first_marked(mask);
            // Only the bytes before the stop count towards `high`.
            high |= w & ((1u64 << (n * 8)).wrapping_sub(1));
            let end = (at + n).min(bytes.len());
            return (end, high & HIGHS != 0);
        }
        high |= w;
        at += 8;
    }
}

/// The length of the prefix of `bytes` that a JSON string writes verbatim:
/// up to the first quote, backslash, control byte, lead byte of
/// U+2028/U+2029 (0xE2) or, with HTML escaping, `<`, `>` or `&`.
#[inline]
pub(super) fn verbatim_run(bytes: &[u8], html: bool) -> usize {
    let mut at = 0;
    loop {
        let w = word_at(bytes, at, b'"');
        let mask = specials(w, html);
        if mask != 0 {
            return (at + first_marked(mask)).min(bytes.len());
        }
        at += 8;
    }
}

const HIGHS_16: u128 = u128::from_ne_bytes([0x80; 16]);

/// A short JSON string at the start of `bytes` (just after its opening
/// quote): when its closing quote is among the first 15 bytes, no
/// backslash or control byte comes before it and it is all ASCII, its
/// length. The caller falls back to [`string_run`] otherwise.
#[inline]
pub(super) fn short_ascii_string(bytes: &[u8; 16]) -> Option<usize> {
    let w = u128::from_le_bytes(*bytes);
    let n = (stops_16(w).trailing_zeros() / 8) as usize;
    // ASCII when the first byte with its high bit set comes after `n`.
    let first_high = ((w & HIGHS_16).trailing_zeros() / 8) as usize;
    (n <= 14 && bytes[n] == b'"' && first_high >= n).then_some(n)
}

/// True when the first `len` bytes of an inline string buffer (at most
/// 14, zero-padded) are all written verbatim inside a JSON string (see
/// [`verbatim_run`]).
#[inline(always)]
pub(super) fn inline_is_verbatim(buf: &[u8; 14], len: usize, html: bool) -> bool {
    let mut padded = [0u8; 16];
    padded[..14].copy_from_slice(buf);
    let w = u128::from_le_bytes(padded);
    // The zero padding from `len` on is always marked (as control bytes),
    // so the first mark is a real special byte exactly when it lies
    // before `len`.
    (specials_16(w, html).trailing_zeros() / 8) as usize >= len
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn needs_escape(b: u8, html: bool) -> bool {
        matches!(b, b'"' | b'\\' | 0..=0x1f | 0xe2) || (html && matches!(b, b'<' | b'>' | b'&'))
    }

    fn string_run_slow(bytes: &[u8]) -> (usize, bool) {
        let end = bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(bytes.len());
        (end, bytes[..end].iter().any(|&b| b >= 0x80))
    }

    #[test]
    fn finds_the_first_special_byte_in_every_position() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', 0u8, 0x1f, 0xe2, b'<'] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    let stops = special != b'<' && special != 0xe2;
                    let expected = if stops { at } else { len };
                    assert_eq!(string_run(&bytes).0, expected, "{len} {at} {special}");
                    assert_eq!(verbatim_run(&bytes, true), at);
                    let plain = if special == b'<' { len } else { at };
                    assert_eq!(verbatim_run(&bytes, false), plain);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn short_paths_agree_with_the_general_scans(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), Just(0u8), Just(0xe2u8), Just(b'<'), 0x20u8..0x7f, any::<u8>()],
                16..17,
            ),
            len in 0usize..15,
            html: bool,
        ) {
            let chunk: [u8; 16] = bytes.clone().try_into().unwrap();
            let (end, non_ascii) = string_run(&bytes);
            let want = (end <= 14 && bytes[end] == b'"' && !non_ascii).then_some(end);
            prop_assert_eq!(short_ascii_string(&chunk), want);
            let mut buf = [0u8; 14];
            buf[..len].copy_from_slice(&bytes[..len]);
            prop_assert_eq!(inline_is_verbatim(&buf, len, html), verbatim_run(&bytes[..len], html) == len);
        }

        #[test]
        fn agrees_with_a_byte_loop(bytes in proptest::collection::vec(any::<u8>(), 0..64), html: bool) {
            prop_assert_eq!(string_run(&bytes), string_run_slow(&bytes));
            let slow = bytes.iter().position(|&b| needs_escape(b, html)).unwrap_or(bytes.len());
            prop_assert_eq!(verbatim_run(&bytes, html), slow);
        }
    }
}
