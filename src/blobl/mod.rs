//! `tarn blobl`: run a mapping over newline-separated messages.
//!
//! Each input line is one message; each message gives one output line
//! (an empty line when the message is deleted). A message that fails
//! prints its error on stderr as `input line N: <error>` (N is its
//! 1-based input line) and processing goes on.

mod lines;

use clap::Parser;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use tarn_lang::value::{JsonStyle, write_json};
use tarn_lang::{Env, Message, Mode, Program, Value, Vm};

/// Options of `tarn blobl`.
#[derive(Parser, Debug)]
pub struct Args {
    /// The mapping text (instead of --file).
    #[arg(conflicts_with = "file")]
    mapping: Option<String>,
    /// Read the mapping from a file.
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    /// Read messages from a file instead of stdin.
    #[arg(short = 'i', long = "input")]
    input: Option<PathBuf>,
    /// Treat each line as a raw string: `this` is the line's text.
    #[arg(short = 'r', long = "raw")]
    raw: bool,
    /// Pretty-print structured output.
    #[arg(short = 'p', long = "pretty")]
    pretty: bool,
    /// Worker threads; output keeps the input's order (0 = one per core).
    #[arg(short = 't', long = "threads", default_value_t = 1)]
    threads: usize,
    /// Run as a mutation (edit the input in place) instead of a mapping.
    #[arg(long)]
    mutation: bool,
    /// Print the compiled bytecode and exit.
    #[arg(long)]
    dump: bool,
    // Sandbox the mapping; the help names what it rejects, from the registry.
    #[arg(long, help = pure_help())]
    pure: bool,
}

/// The impure functions and methods of the standard library, which
/// `--pure` rejects, sorted: `name()` for a function, `.name()` for a
/// method.
fn impure_names() -> Vec<String> {
    let mut names: Vec<String> = tarn_lang::stdlib::all()
        .filter(|spec| spec.impure)
        .map(|spec| {
            let dot = if spec.is_method() { "." } else { "" };
            format!("{dot}{}()", spec.name)
        })
        .collect();
    names.sort();
    names
}

/// The help of `--pure`, naming every impure function it rejects.
fn pure_help() -> String {
    let names = impure_names();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((only, _)) => only.clone(),
        None => "nothing".to_string(),
    };
    format!(
        "Sandbox the mapping: reject, at compile time, the impure functions {list} (`import` and `from` still read files)"
    )
}

/// Runs the command.
pub fn main(args: Args) -> ExitCode {
    let pure_env;
    let env = if args.pure {
        pure_env = Env::new().without_impure();
        &pure_env
    } else {
        Env::standard()
    };
    let (name, compiled) = match (&args.file, &args.mapping) {
        (Some(path), _) => match std::fs::read_to_string(path) {
            Ok(src) => (
                path.display().to_string(),
                env.compile_in(&src, path.parent()),
            ),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
        (None, Some(m)) => ("<mapping>".to_string(), env.compile(m)),
        (None, None) => {
            eprintln!("error: give a mapping as an argument or with -f FILE");
            return ExitCode::from(2);
        }
    };
    let prog = match compiled {
        Ok(p) => p,
        Err(diags) => {
            eprintln!("{}", diags.render(&name));
            return ExitCode::FAILURE;
        }
    };
    if args.dump {
        print!("{}", prog.disassemble());
        return ExitCode::SUCCESS;
    }
    let input: Box<dyn Read + Send> = match &args.input {
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", p.display());
                return ExitCode::FAILURE;
            }
        },
        None => Box::new(std::io::stdin()),
    };
    let opts = LineOptions {
        raw: args.raw,
        pretty: args.pretty,
        mode: if args.mutation {
            Mode::Mutation
        } else {
            Mode::Mapping
        },
    };
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let result = if threads > 1 {
        lines::run_parallel(&prog, input, threads, opts)
    } else {
        lines::run_sequential(&prog, input, opts)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// How each line is read and written.
#[derive(Clone, Copy)]
struct LineOptions {
    raw: bool,
    pretty: bool,
    mode: Mode,
}

/// Maps one line; `Ok(bytes)` is the output line without its newline,
/// `Err(text)` the error to report.
fn map_one(
    prog: &Program,
    vm: &mut Vm,
    line: &[u8],
    opts: LineOptions,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let mut msg = if opts.raw {
        let text = String::from_utf8_lossy(line).into_owned();
        Message::with_structured(line.into(), Value::from(text))
    } else {
        Message::new(line)
    };
    let outcome =
        tarn_lang::vm::run_adopting(prog, vm, &mut msg, opts.mode).map_err(|e| e.message())?;
    match &outcome.root {
        Value::Nothing => out.extend_from_slice(line),
        Value::Delete => {}
        Value::Str(s) => out.extend_from_slice(s.as_bytes()),
        Value::Bytes(b) => out.extend_from_slice(b),
        v => {
            let style = if opts.pretty {
                JsonStyle {
                    escape_html: false,
                    indent: Some("  "),
                }
            } else {
                JsonStyle::MESSAGE
            };
            write_json(out, v, style).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
