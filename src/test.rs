//! `tarn test`: run the config unit tests found in the given paths and
//! report each test; exit 1 when any fails or none is found.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use tarn_runtime::log::{Level, Logger};
use tarn_runtime::unit_test::{self, Options};

/// Options of `tarn test`.
#[derive(Parser, Debug)]
pub struct Args {
    /// Configs, their `_benthos_test.yaml` files, folders (their YAML
    /// files), `DIR/...` (every YAML file below DIR) or `*` patterns.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Let components log at this level (to stderr): error, warn, info,
    /// debug or trace. Off by default.
    #[arg(long, value_name = "LEVEL")]
    log: Option<String>,
    /// The largest file a test may read (configs, test files,
    /// `file_content`, `file_equals` …), in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Options::default().max_file_size)]
    max_file_size: u64,
}

/// Runs the command.
pub fn main(args: Args) -> ExitCode {
    let level = match args.log.as_deref() {
        None => Level::Off,
        Some(name) => match Level::parse(name) {
            Some(level) => level,
            None => {
                eprintln!(
                    "error: `{name}` is not a log level (off, error, warn, info, debug, trace)"
                );
                return ExitCode::FAILURE;
            }
        },
    };
    tarn_runtime::log::set(Logger {
        level,
        ..Logger::default()
    });
    let options = Options {
        max_file_size: args.max_file_size,
    };
    let report = unit_test::run(&args.paths, &options);
    print!("{}", report.render());
    tarn_runtime::log::flush();
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
