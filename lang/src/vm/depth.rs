//! How deeply a run has re-entered the VM, and the limits on it.
//!
//! The VM re-enters itself for a lambda or `.( )` body (a closure), for a
//! named map run by `apply`, and for a mapping run by the `bloblang`
//! method. Every re-entry counts against one budget, and a mapping run by
//! `bloblang` starts from its caller's count instead of from zero, so no
//! chain of them — a map applying itself, a mapping handing itself to
//! `bloblang`, or both in turn — can recurse without end. Each re-entry
//! also moves to a fresh stack segment when the thread's stack runs low
//! ([`grow_stack`]), so reaching a limit is an error, never a stack
//! overflow, on any thread a mapping runs on.

use crate::error::{Error, Result};

/// Most named maps open at once through `apply` (upstream's limit).
pub const MAX_APPLY_DEPTH: u32 = 5000;

/// Most mappings open at once through the `bloblang` method: a mapping
/// run by `bloblang` may itself call `bloblang`, this many levels deep.
/// One level takes about 2.2 KiB of stack in a release build and 8 KiB in
/// a debug build (measured), so even 64 levels fit in a 2 MiB worker
/// thread's stack several times over before it ever has to grow; and no
/// mapping needs them unless it recurses by mistake.
pub const MAX_NESTED_MAPPINGS: u32 = 64;

/// Most re-entries of any kind open at once: closures, maps and nested
/// mappings together. It bounds the stack (and memory) that lambdas in
/// recursive maps can take: a closure or map level takes about 1.3 KiB of
/// stack in a release build (6 KiB in a debug build), so the deepest run
/// allowed stays near 13 MiB (60 MiB), spread over 4 MiB stack
/// segments. It is twice [`MAX_APPLY_DEPTH`], so a map that recurses
/// through one lambda per level still reaches upstream's map limit.
pub const MAX_REENTRIES: u32 = 2 * MAX_APPLY_DEPTH;

/// Stack kept free before a re-entry: when less is left, the re-entry
/// runs on a fresh segment. One level uses a few KiB before the next
/// check; the rest covers stdlib calls that recurse over values.
const RED_ZONE: usize = 256 * 1024;

/// Stack kept free before compiling a mapping at run time (`bloblang`).
/// Dropping the syntax tree of the longest statement the parser accepts
/// (20 000 tokens, e.g. a 10 000-link path) recurses once per node: up to
/// about 770 KiB of stack in a release build and 1.15 MiB in a debug
/// build (measured).
const COMPILE_RED_ZONE: usize = 1536 * 1024;

/// Size of each fresh stack segment.
const SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f`, first moving to a fresh stack segment when less than
/// [`RED_ZONE`] of stack is left, so deep nesting cannot overflow whatever
/// thread a mapping runs on.
pub(crate) fn grow_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

/// Runs `f`, a compile of a mapping, first moving to a fresh stack segment
/// when less than [`COMPILE_RED_ZONE`] of stack is left.
pub(crate) fn compile_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(COMPILE_RED_ZONE, SEGMENT, f)
}

/// The re-entries open around the code being run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Depth {
    /// Named maps entered by `apply`.
    applies: u32,
    /// Mappings entered by `bloblang`.
    mappings: u32,
    /// Re-entries of every kind.
    reentries: u32,
}

impl Depth {
    /// The depth inside one more closure.
    #[inline]
    pub(crate) fn enter_closure(self) -> Result<Depth> {
        self.reentered()
    }

    /// The depth inside named map `name`.
    pub(crate) fn enter_map(self, name: &str) -> Result<Depth> {
        if self.applies >= MAX_APPLY_DEPTH {
            return Err(Error::msg(format!(
                "entering map {name} exceeded maximum allowed stacks of {MAX_APPLY_DEPTH}, this could be due to unbounded recursion"
            )));
        }
        Ok(Depth {
            applies: self.applies + 1,
            ..self.reentered()?
        })
    }

    /// The depth inside one more mapping run by `bloblang`.
    pub(crate) fn enter_mapping(self) -> Result<Depth> {
        if self.mappings >= MAX_NESTED_MAPPINGS {
            return Err(Error::msg(format!(
                "running a mapping exceeded the maximum of {MAX_NESTED_MAPPINGS} mappings nested through bloblang, this could be due to unbounded recursion"
            )));
        }
        Ok(Depth {
            mappings: self.mappings + 1,
            ..self.reentered()?
        })
    }

    /// One more re-entry of any kind.
    #[inline]
    fn reentered(self) -> Result<Depth> {
        if self.reentries >= MAX_REENTRIES {
            return Err(Error::msg(format!(
                "exceeded the maximum of {MAX_REENTRIES} nested lambdas, maps and mappings, this could be due to unbounded recursion"
            )));
        }
        Ok(Depth {
            reentries: self.reentries + 1,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Env, Vm, map_line};

    /// Runs `f` on a thread with a 2 MiB stack, the size of a tokio
    /// worker's: a stack overflow there aborts the test process.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .expect("a thread starts")
            .join()
            .expect("the thread does not panic")
    }

    /// Maps `input` with `mapping`: the output line, or the error text.
    fn map(mapping: &str, input: &str) -> Result<String, String> {
        let prog = Env::standard().compile(mapping).expect("compiles");
        let mut out = Vec::new();
        map_line(&prog, &mut Vm::new(), input.as_bytes(), &mut out).map_err(|e| e.message())?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// The `bloblang` method's documented example as the outer mapping.
    const OUTER: &str = "root.body = this.body.bloblang(this.mapping)";

    /// A mapping that counts `this.n` down to 0, one `bloblang` deeper
    /// each step: `n + 1` mappings deep in all.
    const COUNTDOWN: &str = r#"root = if this.n == 0 { "done" } else { {"n": this.n - 1, "m": this.m}.bloblang(this.m) }"#;

    fn countdown_input(n: u32) -> String {
        let m = json_string(COUNTDOWN);
        format!(r#"{{"body":{{"n":{n},"m":{m}}},"mapping":{m}}}"#)
    }

    /// `text` as a JSON string literal.
    fn json_string(text: &str) -> String {
        let mut out = Vec::new();
        crate::value::write_json(
            &mut out,
            &crate::Value::str(text),
            crate::value::JsonStyle::MESSAGE,
        )
        .expect("a string writes");
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    #[test]
    fn a_mapping_handing_itself_to_bloblang_fails_with_an_error() {
        let got = on_small_stack(|| {
            let m = json_string("root = this.bloblang(this.m)");
            map(OUTER, &format!(r#"{{"body":{{"m":{m}}},"mapping":{m}}}"#))
        });
        let err = got.expect_err("unbounded recursion fails");
        assert!(
            err.ends_with(&format!(
                "running a mapping exceeded the maximum of {MAX_NESTED_MAPPINGS} mappings nested through bloblang, this could be due to unbounded recursion"
            )),
            "{err}"
        );
    }

    #[test]
    fn bloblang_nests_up_to_the_limit() {
        let (deepest, deeper) = on_small_stack(|| {
            let n = MAX_NESTED_MAPPINGS - 1;
            (
                map(OUTER, &countdown_input(n)),
                map(OUTER, &countdown_input(n + 1)),
            )
        });
        assert_eq!(deepest.as_deref(), Ok(r#"{"body":"done"}"#));
        let err = deeper.expect_err("one level deeper fails");
        assert!(err.contains("mappings nested through bloblang"), "{err}");
        assert_eq!(
            map(OUTER, &countdown_input(3)).as_deref(),
            Ok(r#"{"body":"done"}"#)
        );
    }

    /// A map applying itself `this.n` times, then running `this.inner`
    /// (a mapping) through `bloblang`.
    const APPLY_THEN_BLOBLANG: &str = r#"map down {
  root = if this.n == 0 { this.inner.bloblang(this.inner.m) } else { {"n": this.n - 1, "inner": this.inner}.apply("down") }
}
root = this.apply("down")"#;

    /// A mapping whose own map applies itself `this.n` times.
    const INNER_RECURSION: &str = r#"map down {
  root = if this.n == 0 { "bottom" } else { {"n": this.n - 1}.apply("down") }
}
root = this.apply("down")"#;

    fn apply_input(outer: u32, inner: u32) -> String {
        let m = json_string(INNER_RECURSION);
        format!(r#"{{"n":{outer},"inner":{{"n":{inner},"m":{m}}}}}"#)
    }

    #[test]
    fn a_nested_mapping_shares_its_callers_apply_budget() {
        let (each_alone, together) = on_small_stack(|| {
            (
                map(APPLY_THEN_BLOBLANG, &apply_input(2000, 1)),
                map(APPLY_THEN_BLOBLANG, &apply_input(3000, 2999)),
            )
        });
        assert_eq!(each_alone.as_deref(), Ok("bottom"));
        assert_eq!(
            map(APPLY_THEN_BLOBLANG, &apply_input(1, 3000)).as_deref(),
            Ok("bottom")
        );
        let err = together.expect_err("6000 nested maps in all fail");
        assert!(
            err.ends_with(&format!(
                "entering map down exceeded maximum allowed stacks of {MAX_APPLY_DEPTH}, this could be due to unbounded recursion"
            )),
            "{}",
            &err[err.len().saturating_sub(300)..]
        );
    }

    /// A map recursing `this.n` times through two lambdas per level:
    /// three re-entries a level.
    const THROUGH_LAMBDAS: &str = r#"map down {
  root = if this.n == 0 { 0 } else { [this].map_each(a -> [a].map_each(b -> {"n": b.n - 1}.apply("down"))).index(0).index(0) }
}
root = this.apply("down")"#;

    #[test]
    fn lambdas_count_against_the_reentry_budget() {
        let limit = MAX_REENTRIES / 3;
        let (within, beyond) = on_small_stack(move || {
            (
                map(THROUGH_LAMBDAS, &format!(r#"{{"n":{}}}"#, limit - 1)),
                map(THROUGH_LAMBDAS, &format!(r#"{{"n":{}}}"#, limit + 1)),
            )
        });
        assert_eq!(within.as_deref(), Ok("0"));
        let err = beyond.expect_err("too many re-entries fail");
        assert!(
            err.ends_with(&format!(
                "exceeded the maximum of {MAX_REENTRIES} nested lambdas, maps and mappings, this could be due to unbounded recursion"
            )),
            "{}",
            &err[err.len().saturating_sub(300)..]
        );
    }

    #[test]
    fn compiling_the_longest_statement_at_run_time_fits_the_stack() {
        // 9 998 path links, as many as one statement may hold: dropping
        // its syntax tree needs more stack than this 1 MiB thread has
        // in a debug build, so the compile must move to a fresh segment.
        let deep = format!("root = this{}", ".a".repeat(9998));
        let m = json_string(&deep);
        let input = format!(r#"{{"body":{{}},"mapping":{m}}}"#);
        let got = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || map(OUTER, &input))
            .expect("a thread starts")
            .join()
            .expect("the thread does not panic");
        assert_eq!(got.as_deref(), Ok(r#"{"body":null}"#));
    }

    #[test]
    fn the_bloblang_doc_states_the_limits() {
        let spec = crate::stdlib::all()
            .find(|s| s.name == "bloblang")
            .expect("bloblang is registered");
        for limit in [MAX_NESTED_MAPPINGS, MAX_APPLY_DEPTH, MAX_REENTRIES] {
            assert!(
                spec.doc.contains(&format!(" {limit} ")),
                "{limit}: {}",
                spec.doc
            );
        }
    }
}
