//! The `tarn` command line: argument parsing and dispatch only.

mod blobl;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Tarn: a Bloblang toolchain and pipeline runtime.
#[derive(Parser)]
#[command(name = "tarn", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a mapping over input lines (one message per line).
    Blobl(blobl::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Blobl(args) => blobl::main(args),
    }
}
