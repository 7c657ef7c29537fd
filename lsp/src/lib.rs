//! Tarn's language server for Bloblang: diagnostics, completion, hover,
//! signature help, navigation, rename, formatting and sample values, in
//! `.blobl` files and in mappings embedded in YAML configs. A thin layer
//! over `tarn_lang`: the compiler, the stdlib registry and its analysis.

pub mod document;
pub mod features;
pub mod navigate;
pub mod samples;
pub mod server;
mod yaml;

/// Serves the protocol on stdin/stdout until the client shuts down.
pub fn run_stdio() -> Result<(), String> {
    let (connection, threads) = lsp_server::Connection::stdio();
    server::serve(&connection)?;
    drop(connection);
    threads.join().map_err(|e| e.to_string())
}
