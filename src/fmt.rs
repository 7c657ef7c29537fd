//! `tarn fmt`: rewrite Bloblang mapping files in their canonical layout.

use clap::Parser;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `tarn fmt`.
#[derive(Parser, Debug)]
pub struct Args {
    /// Mapping files to rewrite in place; without any, the mapping is read
    /// from stdin and the formatted text written to stdout.
    files: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted and exit 1
    /// when there is any.
    #[arg(long)]
    check: bool,
}

/// Runs the command: exit 1 on a syntax error, an unreadable or unwritable
/// file, or (with `--check`) a file that would change.
pub fn main(args: Args) -> ExitCode {
    if args.files.is_empty() {
        return stdin(args.check);
    }
    let mut failed = false;
    for path in &args.files {
        let name = path.display().to_string();
        let Some(text) = crate::read_source(path) else {
            failed = true;
            continue;
        };
        let formatted = match tarn_lang::fmt::format(&text) {
            Ok(f) => f,
            Err(d) => {
                eprint!("{}", d.render(&name));
                failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if args.check {
            println!("{name}");
            failed = true;
        } else if let Err(e) = std::fs::write(path, formatted) {
            eprintln!("{name}: error: cannot write the file: {e}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Formats stdin to stdout (with `--check`, prints nothing and exits 1
/// when the input would change).
fn stdin(check: bool) -> ExitCode {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("<stdin>: error: cannot read: {e}");
        return ExitCode::FAILURE;
    }
    match tarn_lang::fmt::format(&text) {
        Ok(formatted) if check => {
            if formatted == text {
                ExitCode::SUCCESS
            } else {
                println!("<stdin>");
                ExitCode::FAILURE
            }
        }
        Ok(formatted) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(formatted.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(d) => {
            eprint!("{}", d.render("<stdin>"));
            ExitCode::FAILURE
        }
    }
}
