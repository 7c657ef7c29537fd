//! Proves that evaluating read-only predicates on a pre-parsed message
//! allocates nothing: a counting global allocator wraps the system one and
//! counts the allocations made by the current thread while the VM runs.
//!
//! This test binary is the only place with `unsafe`: implementing
//! `GlobalAlloc` requires it. Each block's soundness argument is next to it.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use tarn_lang::{Env, Message, Mode, Value, Vm};

/// Forwards every call to [`System`] and counts, per thread, the calls that
/// obtain memory (`alloc`, `alloc_zeroed`, `realloc`).
struct Counting;

thread_local! {
    /// Allocations made by this thread so far. `const` initialisation and a
    /// `Cell<u64>` (no destructor) keep the thread-local itself from ever
    /// allocating, so touching it inside the allocator cannot recurse.
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with` fails (instead of panicking) while the thread is being torn
    // down; such allocations are outside any measured window anyway.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

fn allocations() -> u64 {
    ALLOCS.with(Cell::get)
}

// SAFETY: every method forwards its arguments unchanged to `System`, which
// implements `GlobalAlloc` correctly, and returns `System`'s result
// unchanged; so each method upholds exactly the contract `System` upholds
// (the caller's obligations on `layout` and `ptr` are passed straight
// through, and pointers handed back to `dealloc`/`realloc` were obtained
// from `System` through this same wrapper). The only extra work is
// `count_one`, which neither allocates (const-initialised thread-local of a
// `Cell<u64>`, no lazy registration of a destructor) nor unwinds, so it
// cannot re-enter the allocator or break the no-unwind requirement.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded verbatim; the caller guarantees `layout` is
        // valid with a non-zero size, as `System.alloc` requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: forwarded verbatim; the caller guarantees `ptr` came from
        // this allocator (hence from `System`) with `layout`, and that
        // `new_size` is valid, as `System.realloc` requires.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded verbatim; the caller guarantees `ptr` came from
        // this allocator (hence from `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A pre-parsed input record.
const INPUT: &str =
    r#"{"a":7,"b":"x","c":{"d":{"e":3.5,"f":"deep"}},"tags":["p","q","r"],"name":"Ada","n":null}"#;

const RUNS: u64 = 1000;

/// Compiles `mapping`, pre-parses the input, warms up once, then returns
/// how many allocations `RUNS` further runs made, and the last result.
fn allocations_of(mapping: &str) -> (u64, Value) {
    let prog = Env::standard()
        .compile(mapping)
        .unwrap_or_else(|e| panic!("{mapping:?} compiles: {e:?}"));
    let msg = Message::new(INPUT.as_bytes());
    msg.structured().expect("the input parses");
    let batch = [msg];
    let mut vm = Vm::new();
    let warm = tarn_lang::vm::run(&prog, &mut vm, &batch, 0, Mode::Mapping).expect("runs");
    let before = allocations();
    let mut last = Value::Nothing;
    for _ in 0..RUNS {
        let out = tarn_lang::vm::run(&prog, &mut vm, &batch, 0, Mode::Mapping);
        // Keep the result alive past the loop without inspecting it inside
        // the measured window.
        if let Ok(o) = out {
            last = o.root;
        }
    }
    let made = allocations() - before;
    assert_eq!(format!("{:?}", warm.root), format!("{last:?}"));
    (made, last)
}

fn assert_no_alloc(mapping: &str, expect: Value) {
    let (made, last) = allocations_of(mapping);
    assert_eq!(last, expect, "result of {mapping:?}");
    assert_eq!(made, 0, "{mapping:?} allocated {made} times in {RUNS} runs");
}

#[test]
fn the_counter_sees_allocations() {
    let before = allocations();
    let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(16));
    std::hint::black_box(&v);
    assert!(allocations() > before);
}

#[test]
fn comparison_and_equality_predicate_allocates_nothing() {
    assert_no_alloc(r#"root = this.a > 5 && this.b == "x""#, Value::Bool(true));
}

#[test]
fn nested_path_comparison_allocates_nothing() {
    assert_no_alloc(
        r#"root = this.c.d.e >= 3 && this.c.d.f != "shallow" || this.a < 0"#,
        Value::Bool(true),
    );
}

#[test]
fn length_predicate_allocates_nothing() {
    assert_no_alloc("root = this.tags.length() > 2", Value::Bool(true));
}

#[test]
fn null_and_negation_predicate_allocates_nothing() {
    assert_no_alloc(
        r#"root = this.n == null && !(this.name == "Grace")"#,
        Value::Bool(true),
    );
}
