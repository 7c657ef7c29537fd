//! Editor support shared by the REPL and the language server: completion
//! and signature hints drawn from the stdlib registry, over the grammar's
//! tokens.

pub mod complete;
pub mod hint;
pub mod snapshot;
pub mod tokens;

pub use snapshot::Snapshot;
