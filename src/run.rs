//! `tarn run`: run one pipeline from a config file until its input ends
//! or the process is asked to stop (SIGINT / SIGTERM).

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `tarn run`.
#[derive(Parser, Debug)]
pub struct Args {
    /// The config file.
    config: PathBuf,
}

/// Runs the command.
pub fn main(args: Args) -> ExitCode {
    let name = args.config.display().to_string();
    let text = match std::fs::read_to_string(&args.config) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read the config: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (built, service) = match tarn_runtime::load(&name, &text) {
        Ok(loaded) => loaded,
        Err(report) => {
            eprint!("{report}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match async_runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let mut service = service;
    match std::mem::take(&mut service.logger).open() {
        Ok(logger) => tarn_runtime::log::set(logger),
        Err(e) => {
            eprintln!("{name}: error: {e}");
            return ExitCode::FAILURE;
        }
    }
    match runtime.block_on(tarn_runtime::pipeline::run::run(
        built,
        service,
        stop_signal(),
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tarn_runtime::log::error(&e);
            ExitCode::FAILURE
        }
    }
}

/// The multi-threaded async runtime pipelines run on; a failure to start
/// it is reported and becomes the exit code.
pub fn async_runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
