//! Stdlib family: strings and regular expressions (see language.md §4).

mod basic;
mod case;
mod common;
mod escape;
mod format;
mod goquote;
mod printf;
mod regex;
mod url;

use super::Spec;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[
    case::SPECS,
    basic::SPECS,
    escape::SPECS,
    format::SPECS,
    regex::SPECS,
    url::SPECS,
];
