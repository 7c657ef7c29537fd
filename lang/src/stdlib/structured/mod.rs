//! Stdlib family: structured (see language.md §4 "Objects & arrays").

use super::Spec;

mod arrays;
mod basic;
mod common;
mod infer;
mod iter;
mod paths;
mod schema;
mod schema_fmt;
mod sort;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[
    basic::SPECS,
    arrays::SPECS,
    iter::SPECS,
    sort::SPECS,
    paths::SPECS,
    schema::SPECS,
    infer::SPECS,
];
