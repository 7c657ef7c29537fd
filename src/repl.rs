//! `tarn repl`: try mappings against a sample message, interactively on a
//! terminal or scripted through stdin.

use clap::Parser;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use tarn_repl::commands;
use tarn_repl::session::Session;

/// Options of `tarn repl`.
#[derive(Parser, Debug)]
pub struct Args {
    /// The first input message: JSON, raw text, or `@FILE`.
    #[arg(short = 'i', long = "input")]
    input: Option<String>,
    /// Run this mapping file first; its statements start the session.
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    /// Start in mutation mode (root starts as the input).
    #[arg(long)]
    mutation: bool,
}

/// Runs the command.
pub fn main(args: Args) -> ExitCode {
    let mut session = Session::new();
    let mut setup = Vec::new();
    if let Some(input) = &args.input {
        setup.push(format!(":input {input}"));
    }
    if args.mutation {
        setup.push(":mode mutation".to_string());
    }
    if let Some(file) = &args.file {
        setup.push(format!(":load {}", file.display()));
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    for line in &setup {
        let (_, outputs) = commands::run(&mut session, line);
        // Only failures are worth a word before the session starts.
        let failures: Vec<_> = outputs
            .into_iter()
            .filter(|o| matches!(o, tarn_repl::session::Output::Error(_)))
            .collect();
        let _ = tarn_repl::plain::emit(&failures, &mut out, &mut err);
    }
    let result = if interactive {
        let color = std::env::var_os("NO_COLOR").is_none()
            && std::env::var("TERM").map_or(true, |t| t != "dumb");
        tarn_repl::editor::run(&mut session, color).map_err(|e| e.to_string())
    } else {
        tarn_repl::plain::run(&mut session, std::io::stdin().lock(), &mut out, &mut err)
            .map_err(|e| e.to_string())
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
