//! Tarn's pipeline runtime: Benthos-style YAML configs (inputs →
//! processors → outputs) with end-to-end acknowledgements and synchronous
//! HTTP responses.

pub mod build;
pub mod config;
pub mod endpoints;
pub mod http;
pub mod http_client;
pub mod input;
pub mod log;
pub mod metrics;
pub mod output;
pub mod processor;
pub mod ratelimit;
pub mod stream;
pub mod streams;
pub mod txn;

/// Checks and builds a config text: every problem rendered for `file`,
/// or the stream ready to run.
pub fn load(file: &str, text: &str) -> Result<build::StreamConfig, String> {
    let root = config::check(text, |name| std::env::var(name).ok())
        .map_err(|problems| config::render(file, text, &problems))?;
    let error = |e: String| format!("{file}: error: {e}\n");
    metrics::global().set_mapping(build::metrics_mapping(&root).map_err(error)?);
    build::build(&root).map_err(error)
}
