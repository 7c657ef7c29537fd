//! What the line editor knows of the session while a line is typed: the
//! current input document and the names in scope, for completion.

use crate::Value;

/// The session as completion and hints see it.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The current input document (`this`), when it is set.
    pub input: Option<Value>,
    /// `let` variables defined so far (without `$`).
    pub variables: Vec<String>,
    /// Metadata keys of the input and of the last output (without `@`).
    pub meta_keys: Vec<String>,
    /// `map` definitions so far.
    pub maps: Vec<String>,
}
