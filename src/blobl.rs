//! `tarn blobl`: run a mapping over newline-separated messages.
//!
//! Each input line is one message; each message gives one output line
//! (an empty line when the message is deleted). A message that fails
//! prints its error on stderr and processing goes on.

use clap::Parser;
use std::io::{BufRead, BufWriter, Read, Write};
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
    /// Worker threads (output order is kept).
    #[arg(short = 't', long = "threads", default_value_t = 1)]
    threads: usize,
    /// Run as a mutation (edit the input in place) instead of a mapping.
    #[arg(long)]
    mutation: bool,
    /// Print the compiled bytecode and exit.
    #[arg(long)]
    dump: bool,
    /// Sandbox the mapping: impure functions (env, file, hostname, random
    /// ids, counters …) are rejected at compile time.
    #[arg(long)]
    pure: bool,
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
    let (source, name, compiled) = match (&args.file, &args.mapping) {
        (Some(path), _) => match std::fs::read_to_string(path) {
            Ok(src) => {
                let prog = env.compile_in(&src, path.parent());
                (src, path.display().to_string(), prog)
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
        (None, Some(m)) => (m.clone(), "<mapping>".to_string(), env.compile(m)),
        (None, None) => {
            eprintln!("error: give a mapping as an argument or with -f FILE");
            return ExitCode::from(2);
        }
    };
    let _ = source;
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
    let input: Box<dyn Read> = match &args.input {
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", p.display());
                return ExitCode::FAILURE;
            }
        },
        None => Box::new(std::io::stdin().lock()),
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
    let result = if args.threads > 1 {
        run_parallel(&prog, input, args.threads, opts)
    } else {
        run_sequential(&prog, input, opts)
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
    let msg = if opts.raw {
        let text = String::from_utf8_lossy(line).into_owned();
        Message::with_structured(line.into(), Value::from(text))
    } else {
        Message::new(line)
    };
    let outcome = tarn_lang::vm::run(prog, vm, std::slice::from_ref(&msg), 0, opts.mode)
        .map_err(|e| e.message())?;
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

fn strip_newline(line: &mut Vec<u8>) {
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
}

fn run_sequential(prog: &Program, input: Box<dyn Read>, opts: LineOptions) -> std::io::Result<()> {
    let mut reader = std::io::BufReader::new(input);
    let stdout = std::io::stdout();
    let mut writer = BufWriter::new(stdout.lock());
    let mut vm = Vm::new();
    let mut line = Vec::new();
    let mut out = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        strip_newline(&mut line);
        out.clear();
        let result = map_one(prog, &mut vm, &line, opts, &mut out).map(|()| &mut out);
        emit(&mut writer, result)?;
    }
    writer.flush()
}

/// Prints one mapped line, or flushes what came before and reports the
/// error on stderr.
fn emit(writer: &mut impl Write, result: Result<&mut Vec<u8>, String>) -> std::io::Result<()> {
    match result {
        Ok(out) => {
            out.push(b'\n');
            writer.write_all(out)
        }
        Err(e) => {
            writer.flush()?;
            eprintln!("{e}");
            Ok(())
        }
    }
}

/// Processes chunks of lines on `threads` workers and prints results in
/// input order.
fn run_parallel(
    prog: &Program,
    input: Box<dyn Read>,
    threads: usize,
    opts: LineOptions,
) -> std::io::Result<()> {
    const CHUNK: usize = 1024;
    let mut reader = std::io::BufReader::new(input);
    let stdout = std::io::stdout();
    let mut writer = BufWriter::new(stdout.lock());
    let mut done = false;
    while !done {
        // Read up to threads × CHUNK lines, map them in parallel, print.
        let mut chunks: Vec<Vec<Vec<u8>>> = Vec::new();
        for _ in 0..threads {
            let mut chunk = Vec::with_capacity(CHUNK);
            for _ in 0..CHUNK {
                let mut line = Vec::new();
                if reader.read_until(b'\n', &mut line)? == 0 {
                    done = true;
                    break;
                }
                strip_newline(&mut line);
                chunk.push(line);
            }
            if !chunk.is_empty() {
                chunks.push(chunk);
            }
            if done {
                break;
            }
        }
        let results: Vec<Vec<Result<Vec<u8>, String>>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|chunk| {
                    s.spawn(move || {
                        let mut vm = Vm::new();
                        chunk
                            .iter()
                            .map(|line| {
                                let mut out = Vec::new();
                                map_one(prog, &mut vm, line, opts, &mut out).map(|()| out)
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for mut r in results.into_iter().flatten() {
            emit(&mut writer, r.as_mut().map_err(std::mem::take))?;
        }
    }
    writer.flush()
}
