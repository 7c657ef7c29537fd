//! The `http_server` input: each request becomes a transaction, and the
//! response waits for its acknowledgement (runtime.md §3–4). Requests
//! arrive on the service server (or the input's own `address`), which the
//! stream mounts from the [`Endpoint`] this input registers.

pub mod handler;
pub mod multipart;
pub mod response;
pub mod ws;

pub use handler::{HttpState, add_routes, route_patterns};

use crate::component::build::Endpoint as AnyEndpoint;
use crate::component::{
    BoxFuture, Build, BuildError, Entrance, Error, Input, RateLimit, Registry, Transaction,
};
use crate::config::types::{Duration, Interp, Pattern};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::mpsc;

fn post_path() -> String {
    "/post".into()
}

fn ws_post_path() -> String {
    "/post/ws".into()
}

fn post_only() -> Vec<String> {
    vec!["POST".into()]
}

fn five_seconds() -> Duration {
    Duration::secs(5)
}

fn status_200() -> Interp {
    Interp::literal("200")
}

fn octet_stream() -> BTreeMap<String, Interp> {
    BTreeMap::from([(
        "Content-Type".to_string(),
        Interp::literal("application/octet-stream"),
    )])
}

/// Which metadata keys become response headers.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetadataFilter {
    /// Keys with any of these prefixes.
    #[serde(default)]
    pub include_prefixes: Vec<String>,
    /// Keys matching any of these regular expressions.
    #[serde(default)]
    pub include_patterns: Vec<Pattern>,
}

/// How a synchronous response is answered.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncResponse {
    /// The status code, interpolated against the response message.
    #[serde(default = "status_200")]
    pub status: Interp,
    /// Response headers, interpolated against the response message.
    #[serde(default = "octet_stream")]
    pub headers: BTreeMap<String, Interp>,
    /// Metadata of the response message copied to response headers.
    #[serde(default)]
    pub metadata_headers: MetadataFilter,
}

impl Default for SyncResponse {
    fn default() -> SyncResponse {
        SyncResponse {
            status: status_200(),
            headers: octet_stream(),
            metadata_headers: MetadataFilter::default(),
        }
    }
}

/// The `http_server` input's config.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Its own `host:port`; empty means the service server.
    #[serde(default)]
    pub address: String,
    /// The route; `{name}` segments become metadata, a trailing `/`
    /// matches as a prefix.
    #[serde(default = "post_path")]
    pub path: String,
    /// The WebSocket route: each frame is a message.
    #[serde(default = "ws_post_path")]
    pub ws_path: String,
    /// Sent to each WebSocket client when it connects.
    #[serde(default)]
    pub ws_welcome_message: String,
    /// Sent to a WebSocket client whose frame the rate limit holds back.
    #[serde(default)]
    pub ws_rate_limit_message: String,
    /// Accepted request methods.
    #[serde(default = "post_only")]
    pub allowed_verbs: Vec<String>,
    /// How long a request may wait to be accepted, and then to be
    /// acknowledged.
    #[serde(default = "five_seconds")]
    pub timeout: Duration,
    /// A rate limit resource every request must pass.
    #[serde(default)]
    pub rate_limit: String,
    /// A certificate chain (PEM) to serve HTTPS on the input's own address.
    #[serde(default)]
    pub cert_file: String,
    /// The private key (PEM) for `cert_file`.
    #[serde(default)]
    pub key_file: String,
    /// Cross-origin resource sharing on the input's own address.
    #[serde(default)]
    pub cors: crate::http::config::CorsConfig,
    /// How synchronous responses are answered.
    #[serde(default)]
    pub sync_response: SyncResponse,
}

/// The settings of one `http_server` input, as its handlers use them.
#[derive(Debug)]
pub struct HttpServerInput {
    /// Its own `host:port`; empty means the service server.
    pub address: String,
    /// TLS and CORS of the server on its own `address` (none without one).
    pub own_server: crate::http::config::OwnServer,
    /// The route.
    pub path: String,
    /// Accepted methods, upper case.
    pub allowed_verbs: Vec<String>,
    /// How long a request may wait to be accepted, and then to be acked.
    pub timeout: std::time::Duration,
    /// The response status, interpolated against the response message.
    pub status: Interp,
    /// Response headers, interpolated.
    pub headers: Vec<(String, Interp)>,
    /// The status and headers worked out once when they have no queries.
    pub fixed: response::Fixed,
    /// Metadata keys with these prefixes become response headers.
    pub metadata_prefixes: Vec<String>,
    /// Metadata keys matching these patterns become response headers.
    pub metadata_patterns: Vec<regex::Regex>,
    /// The rate limit every request must pass.
    pub rate_limit: Option<Arc<dyn RateLimit>>,
    /// The WebSocket route (empty: none).
    pub ws_path: String,
    /// Whether the config set `ws_path` rather than taking the default.
    pub ws_path_set: bool,
    /// Sent to each WebSocket client when it connects.
    pub ws_welcome_message: Option<String>,
    /// Sent to a WebSocket client held back by the rate limit.
    pub ws_rate_limit_message: Option<String>,
}

/// What the stream mounts for an `http_server` input: its settings and
/// the entrance its requests go in by.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The settings.
    pub input: Arc<HttpServerInput>,
    /// Where requests hand their transactions over.
    pub tx: mpsc::Sender<Transaction>,
}

/// Registers the input.
pub fn register(r: &mut Registry) {
    r.input::<Config>(
        "http_server",
        "Receives messages over HTTP (and WebSocket) and can answer each request synchronously.",
        build,
    );
}

fn build(cfg: Config, ctx: &mut Build<'_>) -> Result<Box<dyn Input>, BuildError> {
    for (field, path) in [("path", &cfg.path), ("ws_path", &cfg.ws_path)] {
        if !path.is_empty() && !path.starts_with('/') {
            return Err(ctx.field_error(field, format!("`{path}` must start with `/`")));
        }
    }
    if cfg.allowed_verbs.is_empty() {
        return Err(ctx.field_error("allowed_verbs", "at least one verb is needed"));
    }
    // The section name the HTTP errors give is replaced by the field
    // path below.
    let own_server = crate::http::config::own_server(
        "",
        &cfg.address,
        &cfg.cert_file,
        &cfg.key_file,
        &cfg.cors,
    )
    .map_err(|e| {
        let text = e.to_string();
        match text.split_once(": ") {
            Some((field, message)) => {
                ctx.field_error(field.trim_start_matches('.'), message.to_string())
            }
            None => ctx.error(text),
        }
    })?;
    let rate_limit = match cfg.rate_limit.as_str() {
        "" => None,
        label => Some(ctx.rate_limit("rate_limit", label)?),
    };
    let ws_path_set = ctx.body_has("ws_path");
    let status = cfg.sync_response.status;
    let headers: Vec<(String, Interp)> = cfg.sync_response.headers.into_iter().collect();
    let input = Arc::new(HttpServerInput {
        address: cfg.address,
        own_server,
        path: cfg.path,
        allowed_verbs: cfg
            .allowed_verbs
            .iter()
            .map(|v| v.to_ascii_uppercase())
            .collect(),
        timeout: cfg.timeout.0,
        fixed: response::Fixed::of(&status, &headers),
        status,
        headers,
        metadata_prefixes: cfg.sync_response.metadata_headers.include_prefixes,
        metadata_patterns: cfg
            .sync_response
            .metadata_headers
            .include_patterns
            .into_iter()
            .map(|p| p.0)
            .collect(),
        rate_limit,
        ws_path: cfg.ws_path,
        ws_path_set,
        ws_welcome_message: Some(cfg.ws_welcome_message).filter(|m| !m.is_empty()),
        ws_rate_limit_message: Some(cfg.ws_rate_limit_message).filter(|m| !m.is_empty()),
    });
    let (tx, rx) = mpsc::channel(64);
    let key = Entrance::key_of(&input);
    ctx.add_endpoint(AnyEndpoint::HttpServer(Endpoint { input, tx }));
    Ok(Box::new(HttpServer { rx, key }))
}

/// The input side: the transactions handed over through the channel (the
/// WebSocket frames, and every request when the pipeline does not run
/// them in their own tasks), in arrival order.
#[derive(Debug)]
struct HttpServer {
    rx: mpsc::Receiver<Transaction>,
    /// Its endpoint's key ([`Entrance::key_of`]).
    key: usize,
}

impl Input for HttpServer {
    fn read(&mut self) -> BoxFuture<'_, Result<Transaction, Error>> {
        Box::pin(async move {
            match self.rx.recv().await {
                Some(t) => Ok(t),
                None => Err(Error::end_of_input()),
            }
        })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        // Nothing to do: new requests are refused by the handlers (the
        // server is stopping) or no longer routed here (a replaced
        // stream), and the requests in flight still hand their
        // transactions over; reads end once the last handler lets go.
        Box::pin(async {})
    }

    /// Requests are independent: the pipeline may run each in the task
    /// serving it (see [`crate::pipeline::inline`]).
    fn entrance(&self) -> Option<Entrance> {
        Some(Entrance {
            endpoint: self.key,
            metrics: Vec::new(),
        })
    }
}
