//! Tarn's pipeline runtime: Benthos-style YAML configs (inputs →
//! processors → outputs) with end-to-end acknowledgements and synchronous
//! HTTP responses.

pub mod build;
pub mod config;
pub mod endpoints;
pub mod http_client;
pub mod input;
pub mod log;
pub mod metrics;
pub mod output;
pub mod processor;
pub mod ratelimit;
pub mod stream;
pub mod txn;

/// Checks, builds and parses a config text: every problem rendered for
/// `file`, or the stream ready to run.
pub fn load(file: &str, text: &str) -> Result<build::StreamConfig, String> {
    let problems = config::lint_with_process_env(text);
    if !problems.is_empty() {
        return Err(config::render(file, text, &problems));
    }
    let substituted =
        config::envsubst::substitute(text, |n| std::env::var(n).ok()).map_err(|missing| {
            format!(
                "{file}: {} environment variables are missing",
                missing.len()
            )
        })?;
    let root = config::node::parse(&substituted)
        .map_err(|e| format!("{file}:{}:{}: error: {}", e.pos.line, e.pos.col, e.message))?;
    let root = config::resources::inline(&root).map_err(|problems| {
        problems
            .iter()
            .map(|(pos, m)| format!("{file}:{}:{}: error: {m}\n", pos.line, pos.col))
            .collect::<String>()
    })?;
    build::build(&root).map_err(|e| format!("{file}: error: {e}\n"))
}
