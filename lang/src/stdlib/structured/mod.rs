//! Stdlib family: structured (see language.md §4 "Objects & arrays").

use super::Spec;

mod basic;
mod common;
mod iter;
mod paths;
mod schema;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[basic::SPECS, iter::SPECS, paths::SPECS, schema::SPECS];
