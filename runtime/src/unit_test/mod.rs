//! Config unit tests, as `tarn test` runs them (Benthos's `benthos test`).
//!
//! A test names processors of a config (`target_processors`: a JSON
//! Pointer such as `/pipeline/processors`, or a label) or a Bloblang file
//! (`target_mapping`), sends batches of messages through them and checks
//! every message that comes out against conditions (`content_equals`,
//! `json_contains`, `bloblang` …). Tests live in a config's own `tests`
//! section or in a `<config>_benthos_test.yaml` file beside it.
//!
//! Only what a test runs is built — through the same registry and build
//! context as `tarn run`, each test with resources of its own — so a
//! config whose input or output Tarn lacks can still have its processors
//! tested. What is built is checked first, as `tarn lint` checks it, and
//! every problem is reported with its file, line and column. `mocks`
//! replace components (by label or JSON Pointer) before building.
//!
//! Differences from Benthos: a test's `environment` is substituted into
//! `${NAME}` references of the config; the `env()` function of mappings
//! still reads the process environment.

pub mod conditions;
pub mod definition;
pub mod discover;
pub mod json_diff;
pub mod pointer;
pub mod prepare;
pub mod report;
pub mod run;
#[cfg(test)]
mod tests;

pub use definition::{Case, Conditions, DefinitionFile, InputMessage, YamlValue};
pub use report::{CaseReport, Outcome, Report, TargetReport};

use crate::config::{self, Problem};
use std::path::PathBuf;
use std::sync::Arc;

/// Limits of a test run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The largest file (config, test file, `file_content`, `file_equals`
    /// …) a test reads, in bytes.
    pub max_file_size: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_file_size: 64 * 1024 * 1024,
        }
    }
}

/// Why tests could not be run.
#[derive(Debug)]
pub enum SetupError {
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is larger than [`Options::max_file_size`].
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Problems at places in a file: a test file, or the config a test
    /// builds.
    Located {
        /// The file.
        file: PathBuf,
        /// Its text (after variable substitution for a config).
        text: Arc<str>,
        /// What is wrong where.
        problems: Vec<Problem>,
    },
    /// The async runtime the tests run on could not start.
    Runtime(std::io::Error),
    /// A `target_mapping` file that does not compile.
    Mapping {
        /// The file.
        file: PathBuf,
        /// The compile errors.
        diagnostics: tarn_lang::Diagnostics,
    },
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetupError::Read { path, source } => {
                write!(f, "{}: error: cannot read it: {source}", path.display())
            }
            SetupError::TooLarge { path, size, limit } => write!(
                f,
                "{}: error: the file has {size} bytes, more than the {limit} a test may read (--max-file-size)",
                path.display()
            ),
            SetupError::Located {
                file,
                text,
                problems,
            } => {
                f.write_str(config::render(&file.display().to_string(), text, problems).trim_end())
            }
            SetupError::Mapping { file, diagnostics } => {
                f.write_str(diagnostics.render(&file.display().to_string()).trim_end())
            }
            SetupError::Runtime(e) => write!(f, "error: cannot start the async runtime: {e}"),
        }
    }
}

impl std::error::Error for SetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SetupError::Read { source, .. } | SetupError::Runtime(source) => Some(source),
            SetupError::Mapping { diagnostics, .. } => Some(diagnostics),
            _ => None,
        }
    }
}

impl SetupError {
    /// A one-line account of a file that could not be read, to place
    /// at the field that names the file.
    pub fn brief(&self) -> String {
        match self {
            SetupError::Read { path, source } => {
                format!("cannot read {}: {source}", path.display())
            }
            SetupError::TooLarge { path, size, limit } => format!(
                "{} has {size} bytes, more than the {limit} a test may read (--max-file-size)",
                path.display()
            ),
            other => other.to_string(),
        }
    }
}

/// Reads a file of at most `options.max_file_size` bytes.
pub fn read_file(path: &std::path::Path, options: &Options) -> Result<Vec<u8>, SetupError> {
    let read = |source| SetupError::Read {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read)?.len();
    if size > options.max_file_size {
        return Err(SetupError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: options.max_file_size,
        });
    }
    std::fs::read(path).map_err(read)
}

/// Reads a text file of at most `options.max_file_size` bytes.
pub fn read_text(path: &std::path::Path, options: &Options) -> Result<String, SetupError> {
    let bytes = read_file(path, options)?;
    String::from_utf8(bytes).map_err(|e| SetupError::Read {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
    })
}

/// Finds the tests `paths` name and runs them all.
pub fn run(paths: &[PathBuf], options: &Options) -> Report {
    let (targets, errors) = discover::targets(paths);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            return Report {
                targets: Vec::new(),
                errors: vec![SetupError::Runtime(e)],
            };
        }
    };
    let targets = targets
        .into_iter()
        .filter_map(|target| run::target(&runtime, &target, options))
        .collect();
    Report { targets, errors }
}
