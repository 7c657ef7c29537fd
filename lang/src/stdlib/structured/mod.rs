//! Stdlib family: structured (see language.md §4).

use super::Spec;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[];
