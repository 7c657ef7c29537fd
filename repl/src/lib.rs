//! Tarn's interactive REPL for Bloblang mappings: a session holding an
//! input message and the statements typed so far, a line editor with
//! completion, hints and highlighting drawn from the stdlib registry, and
//! a plain mode for scripts.

pub mod commands;
pub mod complete;
pub mod editor;
pub mod highlight;
pub mod plain;
pub mod session;
pub mod validate;

pub use tarn_lang::ide::Snapshot;
