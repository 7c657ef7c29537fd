//! `tarn lint`: check config files and report every problem, located.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use tarn_runtime::config;

/// Options of `tarn lint`.
#[derive(Parser, Debug)]
pub struct Args {
    /// Config files to check.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Runs the command: exit 0 when every file is clean, 1 otherwise.
pub fn main(args: Args) -> ExitCode {
    let mut failed = false;
    for path in &args.paths {
        let name = path.display().to_string();
        let Some(text) = crate::read_source(path) else {
            failed = true;
            continue;
        };
        let problems = tarn_runtime::pipeline::lint(&text, |n| std::env::var(n).ok());
        if !problems.is_empty() {
            failed = true;
            eprint!("{}", config::render(&name, &text, &problems));
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
