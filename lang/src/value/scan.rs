//! Sixteen-bytes-at-a-time scanning for the JSON reader and writer: both
//! spend most of their time looking for the next byte of a string that
//! needs attention (a quote, a backslash, a control byte …), and testing a
//! whole block per step is several times faster than testing one byte.
//!
//! Each backend answers three questions about a 16-byte block: where the
//! first byte that ends a string's plain run is, where the first
//! non-ASCII byte is, and where the first byte a JSON string cannot write
//! verbatim is. x86-64 uses SSE2 (part of its baseline); other targets use
//! the same tests on a `u128` word.

/// Bytes examined per step.
const BLOCK: usize = 16;

#[cfg(target_arch = "x86_64")]
use sse2 as block;

#[cfg(not(target_arch = "x86_64"))]
use portable as block;

/// SSE2 backend: byte compares on a 128-bit register, one bit per byte
/// gathered by `movemask`.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x,
        _mm_set1_epi8,
    };

    // Safety of the calls below: the functions marked
    // `#[target_feature(enable = "sse2")]` only need SSE2, which every
    // x86-64 processor has (it is part of the x86_64 target's baseline,
    // checked at compile time by the assertion below), and they touch no
    // memory through pointers.
    const _: () = assert!(cfg!(target_feature = "sse2"));

    #[inline(always)]
    pub(super) fn first_stop(block: &[u8; 16]) -> usize {
        // SAFETY: see the module comment.
        #[allow(unsafe_code)]
        unsafe {
            first(stops(load(block)))
        }
    }

    #[inline(always)]
    pub(super) fn first_high(block: &[u8; 16]) -> usize {
        // SAFETY: see the module comment.
        #[allow(unsafe_code)]
        unsafe {
            first(load(block))
        }
    }

    #[inline(always)]
    pub(super) fn first_special(block: &[u8; 16], html: bool) -> usize {
        // SAFETY: see the module comment.
        #[allow(unsafe_code)]
        unsafe {
            specials(load(block), html)
        }
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn load(block: &[u8; 16]) -> __m128i {
        let (lo, hi) = block.split_at(8);
        let lo = u64::from_le_bytes(lo.try_into().unwrap_or_default());
        let hi = u64::from_le_bytes(hi.try_into().unwrap_or_default());
        _mm_set_epi64x(hi as i64, lo as i64)
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn equal_to(v: __m128i, b: u8) -> __m128i {
        _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))
    }

    /// `"`, `\` and control bytes (unsigned `min(v, 0x1f) == v`).
    #[inline]
    #[target_feature(enable = "sse2")]
    fn stops(v: __m128i) -> __m128i {
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        _mm_or_si128(_mm_or_si128(equal_to(v, b'"'), equal_to(v, b'\\')), control)
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn specials(v: __m128i, html: bool) -> usize {
        let mut marks = _mm_or_si128(stops(v), equal_to(v, 0xe2));
        if html {
            let tags = _mm_or_si128(equal_to(v, b'<'), equal_to(v, b'>'));
            marks = _mm_or_si128(marks, _mm_or_si128(tags, equal_to(v, b'&')));
        }
        first(marks)
    }

    /// The index of the lowest byte with its high bit set (a marked byte
    /// after a compare), 16 when there is none.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn first(marks: __m128i) -> usize {
        ((_mm_movemask_epi8(marks) as u32) | 1 << 16).trailing_zeros() as usize
    }
}

/// Portable backend: the classic SWAR byte tests on a `u128`, where a
/// marked byte has its high bit set. A borrow can also mark bytes *after*
/// a true match, never before one, so the lowest mark is exact.
#[cfg(any(test, not(target_arch = "x86_64")))]
mod portable {
    const ONES: u128 = u128::from_ne_bytes([1; 16]);
    const HIGHS: u128 = ONES << 7;

    #[inline(always)]
    fn equal_to(word: u128, b: u8) -> u128 {
        let x = word ^ (ONES * u128::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS
    }

    #[inline(always)]
    fn below(word: u128, n: u8) -> u128 {
        word.wrapping_sub(ONES * u128::from(n)) & !word & HIGHS
    }

    #[inline(always)]
    fn stops(word: u128) -> u128 {
        equal_to(word, b'"') | equal_to(word, b'\\') | below(word, 0x20)
    }

    #[inline(always)]
    fn first(marks: u128) -> usize {
        (marks.trailing_zeros() / 8) as usize
    }

    #[inline(always)]
    pub(super) fn first_stop(block: &[u8; 16]) -> usize {
        first(stops(u128::from_le_bytes(*block)))
    }

    #[inline(always)]
    pub(super) fn first_high(block: &[u8; 16]) -> usize {
        first(u128::from_le_bytes(*block) & HIGHS)
    }

    #[inline(always)]
    pub(super) fn first_special(block: &[u8; 16], html: bool) -> usize {
        let word = u128::from_le_bytes(*block);
        let mut marks = stops(word) | equal_to(word, 0xe2);
        if html {
            marks |= equal_to(word, b'<') | equal_to(word, b'>') | equal_to(word, b'&');
        }
        first(marks)
    }
}

/// The block of `bytes` starting at `at`; past the end it is filled with
/// `pad`.
#[inline(always)]
fn block_at(bytes: &[u8], at: usize, pad: u8) -> [u8; BLOCK] {
    let rest = bytes.get(at..).unwrap_or_default();
    match rest.first_chunk::<BLOCK>() {
        Some(block) => *block,
        None => {
            let mut block = [pad; BLOCK];
            block[..rest.len()].copy_from_slice(rest);
            block
        }
    }
}

/// Where a JSON string's plain run ends: the index of the first `"`, `\`
/// or control byte in `bytes` (`bytes.len()` when there is none), and
/// whether any byte before that index is non-ASCII.
#[inline]
pub(super) fn string_run(bytes: &[u8]) -> (usize, bool) {
    let mut at = 0;
    let mut non_ascii = false;
    loop {
        // Padding with a quote stops the scan at the end of `bytes`.
        let chunk = block_at(bytes, at, b'"');
        let n = block::first_stop(&chunk);
        non_ascii |= block::first_high(&chunk) < n;
        if n < BLOCK {
            return ((at + n).min(bytes.len()), non_ascii);
        }
        at += BLOCK;
    }
}

/// The length of the prefix of `bytes` that a JSON string writes verbatim:
/// up to the first quote, backslash, control byte, lead byte of
/// U+2028/U+2029 (0xE2) or, with HTML escaping, `<`, `>` or `&`.
#[inline]
pub(super) fn verbatim_run(bytes: &[u8], html: bool) -> usize {
    let mut at = 0;
    loop {
        let n = block::first_special(&block_at(bytes, at, b'"'), html);
        if n < BLOCK {
            return (at + n).min(bytes.len());
        }
        at += BLOCK;
    }
}

/// A short JSON string at the start of `bytes` (just after its opening
/// quote): when its closing quote is among the first 15 bytes, no
/// backslash or control byte comes before it and it is all ASCII, its
/// length. The caller falls back to [`string_run`] otherwise.
#[inline]
pub(super) fn short_ascii_string(bytes: &[u8; 16]) -> Option<usize> {
    let n = block::first_stop(bytes);
    (n <= 14 && bytes[n] == b'"' && block::first_high(bytes) >= n).then_some(n)
}

/// True when the first `len` bytes of an inline string buffer (at most
/// 14, zero-padded) are all written verbatim inside a JSON string (see
/// [`verbatim_run`]).
#[inline(always)]
pub(super) fn inline_is_verbatim(buf: &[u8; 14], len: usize, html: bool) -> bool {
    let mut padded = [0u8; BLOCK];
    padded[..14].copy_from_slice(buf);
    // The zero padding from `len` on is always marked (as control bytes),
    // so the first mark is a real special byte exactly when it lies
    // before `len`.
    block::first_special(&padded, html) >= len
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

    fn first_where(block: &[u8; 16], marked: impl Fn(u8) -> bool) -> usize {
        block.iter().position(|&b| marked(b)).unwrap_or(16)
    }

    proptest! {
        #[test]
        fn both_backends_agree_with_byte_tests(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), Just(0u8), Just(0x1fu8), Just(0x20u8), Just(0xe2u8), Just(b'<'), Just(b'&'), 0x20u8..0x7f, any::<u8>()],
                16..17,
            ),
            html: bool,
        ) {
            let chunk: [u8; 16] = bytes.clone().try_into().unwrap();
            let stop = first_where(&chunk, |b| b == b'"' || b == b'\\' || b < 0x20);
            let high = first_where(&chunk, |b| b >= 0x80);
            let special = first_where(&chunk, |b| needs_escape(b, html));
            prop_assert_eq!(portable::first_stop(&chunk), stop);
            prop_assert_eq!(portable::first_high(&chunk), high);
            prop_assert_eq!(portable::first_special(&chunk, html), special);
            prop_assert_eq!(block::first_stop(&chunk), stop);
            prop_assert_eq!(block::first_high(&chunk), high);
            prop_assert_eq!(block::first_special(&chunk, html), special);
        }

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
