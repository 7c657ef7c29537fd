//! Stdlib family: numbers (see language.md §4): type coercion, arithmetic,
//! numeric casts, ids and randomness, environment and process state.

use super::{Category, Example, Impl, MethodImpl, Spec};

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

/// A numbers-category method spec from its name, doc, examples and
/// implementation; the remaining fields come from [`Spec::METHOD`].
const fn unary(
    name: &'static str,
    doc: &'static str,
    examples: &'static [Example],
    imp: MethodImpl,
) -> Spec {
    Spec {
        name,
        category: Category::Numbers,
        doc,
        examples,
        imp: Impl::Method(imp),
        ..Spec::METHOD
    }
}

/// Makes a method spec plugin-style: its errors are reported raw,
/// without the receiver's annotation.
const fn plugin(spec: Spec) -> Spec {
    Spec {
        annotate: false,
        ..spec
    }
}
