//! The `tarn` command line: argument parsing and dispatch only.

mod alloc;
mod blobl;
mod fmt;
mod lint;
mod list;
mod lsp;
mod repl;
mod run;
mod streams;
mod test;

use clap::{Parser, Subcommand};

/// mimalloc's per-thread heaps avoid the allocator lock contention the
/// runtime showed under load with the system allocator.
#[global_allocator]
static GLOBAL: alloc::Mimalloc = alloc::Mimalloc;
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
    /// Run a pipeline from a Benthos-style YAML config.
    Run(run::Args),
    /// Run many pipelines in one process, from stream files and a REST
    /// API on the shared HTTP server.
    Streams(streams::Args),
    /// Check config files: every problem with file:line:col, the field
    /// path and a suggestion; exit 1 when any is found.
    Lint(lint::Args),
    /// Run config unit tests (`tests:` sections and `*_benthos_test.yaml`
    /// files); exit 1 when any fails.
    Test(test::Args),
    /// Try mappings interactively against a sample message (scripted when
    /// stdin is not a terminal).
    Repl(repl::Args),
    /// The language server for editors, on stdin/stdout.
    Lsp(lsp::Args),
    /// List what configs and mappings can use: components (inputs,
    /// processors, outputs, caches, rate limits) with their fields, and
    /// every stdlib function and method with its parameters and docs.
    List(list::Args),
    /// Rewrite Bloblang mapping files in their canonical layout (stdin to
    /// stdout without files); `--check` lists files that would change.
    Fmt(fmt::Args),
}

/// Reads a file a command works on; on failure says so on stderr,
/// naming the file, and gives `None`.
fn read_source(path: &std::path::Path) -> Option<String> {
    std::fs::read_to_string(path)
        .map_err(|e| eprintln!("{}: error: cannot read the file: {e}", path.display()))
        .ok()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Blobl(args) => blobl::main(args),
        Command::Run(args) => run::main(args),
        Command::Streams(args) => streams::main(args),
        Command::Lint(args) => lint::main(args),
        Command::Test(args) => test::main(args),
        Command::List(args) => list::main(args),
        Command::Repl(args) => repl::main(args),
        Command::Lsp(args) => lsp::main(args),
        Command::Fmt(args) => fmt::main(args),
    }
}
