//! Bloblang language core: values, compiler, VM and standard library.

pub mod value;
