//! Stdlib family: strings and regular expressions (see language.md §4).

mod basic;
mod common;
mod escape;
mod format;
mod goquote;
mod printf;
mod regex;

use super::Spec;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[basic::SPECS, escape::SPECS, format::SPECS, regex::SPECS];
