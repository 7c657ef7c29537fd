//! The process allocator: mimalloc, called the cheapest way each request
//! allows.
//!
//! The `mimalloc` crate sends every request through `mi_malloc_aligned`,
//! whose alignment checks cost about as much as the allocation itself and
//! send some word-aligned requests down a slow generic path. Nearly all of
//! Tarn's allocations (values, strings, vectors) need at most word
//! alignment, which every mimalloc block has, so those go straight to
//! `mi_malloc`; anything stricter still takes the aligned entry points.
//! (A test in this module holds the word alignment of plain allocations.)

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// Alignment every mimalloc block has: block sizes are whole machine
/// words and pages start at least 16-byte aligned. mimalloc relies on the
/// same fact itself (`mi_realloc_aligned` drops to plain `realloc` for
/// alignments up to a word).
const WORD: usize = size_of::<usize>();

/// mimalloc as the global allocator (see the module documentation).
pub struct Mimalloc;

// SAFETY: each method hands the request to the matching mimalloc entry
// point, which returns null on failure or a block of at least the asked
// size. Plain `mi_malloc`/`mi_zalloc`/`mi_realloc` are used only when the
// alignment asked for is at most a word, which every mimalloc block
// satisfies (see `WORD`); otherwise the `_aligned` variants honour the
// alignment themselves. `mi_free` accepts any pointer from either family.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl comment.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl comment.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (the `GlobalAlloc`
        // contract), so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see the impl comment; `ptr` came from this allocator.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Plain allocations of every small size (the global allocator in this
    /// test binary is `Mimalloc`) come back word-aligned, and stricter
    /// alignments are honoured.
    #[test]
    fn blocks_are_aligned_as_asked() {
        let mut keep = Vec::new();
        for size in 1..600usize {
            let bytes = vec![0u8; size];
            assert_eq!(bytes.as_ptr() as usize % super::WORD, 0, "size {size}");
            let words = vec![0u64; size.div_ceil(8)];
            assert_eq!(words.as_ptr() as usize % 8, 0, "size {size}");
            #[repr(align(32))]
            struct Wide([u8; 32]);
            let wide = Box::new(Wide([0; 32]));
            assert_eq!(&raw const *wide as usize % 32, 0);
            assert_eq!(wide.0[31], 0);
            keep.push((bytes, words, wide));
        }
        let mut grown = vec![1u64];
        for i in 0..10_000u64 {
            grown.push(i);
        }
        assert_eq!(grown.as_ptr() as usize % 8, 0);
        assert_eq!(grown.iter().sum::<u64>(), 1 + (0..10_000).sum::<u64>());
    }
}
