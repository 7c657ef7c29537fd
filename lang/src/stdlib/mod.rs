//! The standard library: every function and method as one [`Spec`].
//!
//! Each module exports `SPECS`, a plain list; [`all`] concatenates them.
//! Adding a method means adding one spec (name, params, doc, examples and
//! implementation) to the module of its category.

mod context;
mod core;
pub(crate) mod formats;
mod numbers;
mod percent;
mod spec;
mod strings;
mod structured;
mod time;
pub(crate) mod util;

pub use spec::{
    Category, CompileHook, Default, Example, Expect, FunctionImpl, Impl, Kind, MethodImpl, Param,
    Spec, Status,
};

/// Every family's specs.
const FAMILIES: &[&[&[Spec]]] = &[
    &[core::SPECS, context::SPECS],
    numbers::SPECS,
    strings::SPECS,
    structured::SPECS,
    formats::SPECS,
    time::SPECS,
];

/// Every function and method of the standard library.
pub fn all() -> impl Iterator<Item = &'static Spec> {
    FAMILIES
        .iter()
        .flat_map(|f| f.iter())
        .flat_map(|m| m.iter())
}

#[cfg(test)]
mod examples;
