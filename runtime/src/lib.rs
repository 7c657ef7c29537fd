//! Tarn's pipeline runtime: Benthos-style YAML configs (inputs →
//! processors → outputs) with end-to-end acknowledgements and synchronous
//! HTTP responses.
//!
//! The model lives in [`component`]: one trait per kind of component and
//! one registry of component types, each type a module of [`inputs`],
//! [`processors`], [`outputs`], [`caches`] or [`rate_limits`] with a typed
//! config. [`pipeline`] checks, builds and runs a whole config;
//! [`streams`] runs many of them behind a REST API.

pub mod caches;
pub mod codec;
pub mod component;
pub mod config;
pub mod endpoints;
pub mod http;
pub mod inputs;
pub mod log;
pub mod metrics;
pub mod outputs;
pub mod pipeline;
pub mod processors;
pub mod rate_limits;
pub mod resources;
pub mod streams;
pub(crate) mod sync;
#[cfg(test)]
pub mod testing;
pub mod unit_test;

/// Checks and builds a config text: every problem rendered for `file`,
/// or the pipeline and its service settings ready to run.
pub fn load(file: &str, text: &str) -> Result<(pipeline::Built, pipeline::Service), String> {
    pipeline::load(text, |name| std::env::var(name).ok())
        .map_err(|problems| config::render(file, text, &problems))
}
