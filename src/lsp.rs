//! `tarn lsp`: the language server on stdin/stdout.

use clap::Parser;
use std::process::ExitCode;

/// Options of `tarn lsp`.
#[derive(Parser, Debug)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

/// Runs the command.
pub fn main(_args: Args) -> ExitCode {
    match tarn_lsp::run_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tarn lsp: {e}");
            ExitCode::FAILURE
        }
    }
}
