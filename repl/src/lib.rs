//! Tarn's interactive REPL for Bloblang mappings: a session holding an
//! input message and the statements typed so far, a line editor with
//! completion, hints and highlighting drawn from the stdlib registry, and
//! a plain mode for scripts.

pub mod snapshot;

pub use snapshot::Snapshot;
