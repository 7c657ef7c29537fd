//! Stdlib family: numbers (see language.md §4): type coercion, arithmetic,
//! numeric casts, ids and randomness, environment and process state.

use super::Spec;

mod casts;
mod coercion;
pub(crate) mod goparse;
mod ids;
mod math;
mod system;
pub(crate) mod timeconv;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[
    coercion::SPECS,
    math::SPECS,
    casts::SPECS,
    ids::SPECS,
    system::SPECS,
];
