//! Bloblang language core: values, compiler, VM and standard library.
//!
//! ```
//! use tarn_lang::{Env, Vm, map_line};
//! let prog = Env::standard().compile("root.up = this.name.uppercase()").unwrap();
//! let mut out = Vec::new();
//! map_line(&prog, &mut Vm::new(), br#"{"name":"ann"}"#, &mut out).unwrap();
//! assert_eq!(out, br#"{"up":"ANN"}"#);
//! ```

pub mod analysis;
mod compile;
pub mod convert;
pub mod diag;
pub mod embedded;
mod env;
pub mod error;
pub mod fmt;
pub mod ide;
mod interp;
mod line;
pub mod message;
pub mod ops;
pub mod program;
pub mod stdlib;
pub mod value;
pub mod vm;

pub use compile::{annotation, field_path_text, is_constant};
pub use diag::{Diagnostic, Diagnostics};
pub use env::Env;
pub use error::Error;
pub use interp::Interpolation;
pub use line::map_line;
pub use message::{ErrorSource, Message};
pub use program::Program;
pub use value::Value;
pub use vm::{Mode, Outcome, Vm};

/// Checksums the standard library computes, for other crates that need
/// the same ones (the runtime's gzip responses).
pub mod checksum {
    pub use crate::stdlib::formats::digest_util::crc32;
}
