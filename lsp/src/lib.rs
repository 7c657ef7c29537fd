//! Tarn's language server for Bloblang: diagnostics, completion, hover,
//! signature help, navigation, rename, formatting and sample values, in
//! `.blobl` files and in mappings embedded in YAML configs. A thin layer
//! over `tarn_lang`: the compiler, the stdlib registry and its analysis.
//!
//! Given a [`ConfigSupport`] (a [`ConfigSchema`] of the components and a
//! lint function, which the `tarn` binary builds from the runtime's
//! registry), YAML configs also get completion and hover of component
//! types, fields and values, and lint diagnostics.

pub mod config;
pub mod document;
pub mod features;
pub mod navigate;
pub mod samples;
pub mod schema;
pub mod server;
mod yaml;

pub use schema::{ConfigProblem, ConfigSchema, ConfigSupport};

/// Serves the protocol on stdin/stdout until the client shuts down.
pub fn run_stdio() -> Result<(), String> {
    let (connection, threads) = lsp_server::Connection::stdio();
    server::serve(&connection)?;
    drop(connection);
    threads.join().map_err(|e| e.to_string())
}

/// Serves the protocol on stdin/stdout with config support: YAML configs
/// also get completion and hover of components and fields from `support`'s
/// schema, and its lint as diagnostics.
pub fn run_stdio_with(support: ConfigSupport) -> Result<(), String> {
    let (connection, threads) = lsp_server::Connection::stdio();
    server::serve_with(&connection, Some(std::sync::Arc::new(support)))?;
    drop(connection);
    threads.join().map_err(|e| e.to_string())
}
