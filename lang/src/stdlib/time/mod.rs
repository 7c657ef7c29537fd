//! Stdlib family: time (see language.md §4): clock functions, timestamp
//! parsing, formatting, zones and arithmetic, durations, and the
//! deprecated spellings.

use super::Spec;

mod arith;
mod clock;
mod deprecated;
mod duration;
mod golayout;
mod layouts;
mod strftime;
mod zone;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[
    clock::SPECS,
    layouts::SPECS,
    arith::SPECS,
    deprecated::SPECS,
];
