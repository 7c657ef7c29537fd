//! The `http_client` output: one request per message, with Benthos's
//! status classification, retries with backoff, `max_in_flight`
//! concurrent writes, batching, and `propagate_response` to turn a
//! pipeline into a proxy.

use super::batched::batched;
use crate::component::batching::BatchingConfig;
use crate::component::{Batch, BoxFuture, Build, BuildError, Error, Output, Registry, WriteCtx};
use crate::config::types::{Duration, Interp};
use crate::http_client::{HttpClient, basic_authorization, new_client};
use axum::http::Method;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which metadata keys are sent or extracted as headers.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetadataFilter {
    /// Keys with any of these prefixes.
    #[serde(default)]
    pub include_prefixes: Vec<String>,
    /// Keys matching any of these regular expressions.
    #[serde(default)]
    pub include_patterns: Vec<String>,
}

/// HTTP basic authentication.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// Send credentials.
    #[serde(default)]
    pub enabled: bool,
    /// The user name.
    #[serde(default)]
    pub username: String,
    /// The password.
    #[serde(default)]
    pub password: String,
}

fn post() -> String {
    "POST".into()
}
fn five_seconds() -> Duration {
    Duration::secs(5)
}
fn one_second() -> Duration {
    Duration::secs(1)
}
fn five_minutes() -> Duration {
    Duration::secs(300)
}
fn three() -> u32 {
    3
}
fn yes() -> bool {
    true
}
fn too_many_requests() -> Vec<u16> {
    vec![429]
}
fn sixty_four() -> usize {
    64
}

/// The `http_client` output's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where to send each message (interpolated).
    pub url: Interp,
    /// The request method.
    #[serde(default = "post")]
    pub verb: String,
    /// Request headers (values interpolated).
    #[serde(default)]
    pub headers: BTreeMap<String, Interp>,
    /// Metadata sent as request headers.
    #[serde(default)]
    pub metadata: MetadataFilter,
    /// HTTP basic authentication.
    #[serde(default)]
    pub basic_auth: BasicAuth,
    /// OAuth 1 (not supported yet).
    pub oauth: Option<serde_json::Value>,
    /// OAuth 2 client credentials (not supported yet).
    pub oauth2: Option<serde_json::Value>,
    /// JWT signing (not supported yet).
    pub jwt: Option<serde_json::Value>,
    /// TLS settings (not supported yet).
    pub tls: Option<serde_json::Value>,
    /// Response headers copied to metadata (with `propagate_response`).
    #[serde(default)]
    pub extract_headers: MetadataFilter,
    /// A rate limit resource each request waits for (not supported yet).
    #[serde(default)]
    pub rate_limit: String,
    /// Per-attempt deadline.
    #[serde(default = "five_seconds")]
    pub timeout: Duration,
    /// Pause before a retry.
    #[serde(default = "one_second")]
    pub retry_period: Duration,
    /// The longest backoff pause.
    #[serde(default = "five_minutes")]
    pub max_retry_backoff: Duration,
    /// Retries after the first attempt.
    #[serde(default = "three")]
    pub retries: u32,
    /// Follow redirects (turning it off is not supported yet).
    #[serde(default = "yes")]
    pub follow_redirects: bool,
    /// Codes that retry with exponential backoff.
    #[serde(default = "too_many_requests")]
    pub backoff_on: Vec<u16>,
    /// Codes that fail at once.
    #[serde(default)]
    pub drop_on: Vec<u16>,
    /// Codes that count as success besides 2xx.
    #[serde(default)]
    pub successful_on: Vec<u16>,
    /// A proxy for requests (not supported yet).
    #[serde(default)]
    pub proxy_url: String,
    /// Send a batch as one multipart request (not supported yet).
    #[serde(default)]
    pub batch_as_multipart: bool,
    /// Replace the message with the response and store it as the
    /// synchronous response.
    #[serde(default)]
    pub propagate_response: bool,
    /// Concurrent writes.
    #[serde(default = "sixty_four")]
    pub max_in_flight: usize,
    /// Gather messages into batches before sending.
    #[serde(default)]
    pub batching: BatchingConfig,
    /// Explicit multipart parts (not supported yet).
    #[serde(default)]
    pub multipart: Vec<serde_json::Value>,
    /// Log requests at this level (not supported yet).
    #[serde(default)]
    pub dump_request_log_level: String,
}

/// Registers the output.
pub fn register(r: &mut Registry) {
    r.output::<Config>(
        "http_client",
        "Sends each message to an HTTP server, with retries and backoff.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Arc<dyn Output>, BuildError> {
    for (field, set) in [
        ("oauth", is_enabled(cfg.oauth.as_ref())),
        ("oauth2", is_enabled(cfg.oauth2.as_ref())),
        ("jwt", is_enabled(cfg.jwt.as_ref())),
        ("tls", is_enabled(cfg.tls.as_ref())),
        ("rate_limit", !cfg.rate_limit.is_empty()),
        ("follow_redirects", !cfg.follow_redirects),
        ("proxy_url", !cfg.proxy_url.is_empty()),
        ("batch_as_multipart", cfg.batch_as_multipart),
        ("multipart", !cfg.multipart.is_empty()),
        ("dump_request_log_level", !cfg.dump_request_log_level.is_empty()),
        ("metadata.include_patterns", !cfg.metadata.include_patterns.is_empty()),
        (
            "extract_headers.include_patterns",
            !cfg.extract_headers.include_patterns.is_empty(),
        ),
    ] {
        if set {
            return Err(ctx.unsupported(field, &format!("`{field}`")));
        }
    }
    let verb = Method::from_bytes(cfg.verb.to_ascii_uppercase().as_bytes())
        .map_err(|_| ctx.field_error("verb", format!("`{}` is not an HTTP method", cfg.verb)))?;
    if cfg.max_in_flight == 0 {
        return Err(ctx.field_error("max_in_flight", "must be at least 1"));
    }
    let client = HttpClient {
        url: cfg.url,
        verb,
        headers: cfg.headers.into_iter().collect(),
        metadata_prefixes: cfg.metadata.include_prefixes,
        timeout: cfg.timeout.0,
        retry_period: cfg.retry_period.0,
        max_retry_backoff: cfg.max_retry_backoff.0,
        retries: cfg.retries,
        backoff_on: cfg.backoff_on,
        drop_on: cfg.drop_on,
        successful_on: cfg.successful_on,
        propagate_response: cfg.propagate_response,
        extract_prefixes: cfg.extract_headers.include_prefixes,
        in_flight: tokio::sync::Semaphore::new(cfg.max_in_flight),
        client: new_client(),
        authorization: cfg
            .basic_auth
            .enabled
            .then(|| basic_authorization(&cfg.basic_auth.username, &cfg.basic_auth.password)),
    };
    let policy = cfg.batching.build(ctx)?;
    let output = Arc::new(HttpClientOutput {
        client,
        max_in_flight: cfg.max_in_flight,
    });
    Ok(batched(output, policy))
}

fn is_enabled(v: Option<&serde_json::Value>) -> bool {
    v.and_then(|v| v.get("enabled"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

#[derive(Debug)]
struct HttpClientOutput {
    client: HttpClient,
    max_in_flight: usize,
}

impl Output for HttpClientOutput {
    fn write<'a>(&'a self, batch: Batch, ctx: WriteCtx) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move { self.client.write(batch, &ctx.responses).await })
    }

    fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }
}
