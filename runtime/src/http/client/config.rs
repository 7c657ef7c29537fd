//! The fields every HTTP client component shares (the `http_client`
//! output and the `http` processor), with Benthos's names and defaults.
//!
//! A component's config is one flat object, so the shared fields are
//! declared by [`http_client_config!`] inside each component's own
//! config struct (serde's `flatten` would lose both
//! `deny_unknown_fields` and the located errors), and
//! [`take_client_config!`] moves them out into a [`ClientConfig`] for
//! [`HttpClient::build`](super::HttpClient::build).

use crate::config::types::{Duration, Interp, Pattern};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Declares a component config struct: every shared HTTP client field
/// (`url`, `verb`, `headers`, `tls`, `oauth2`, `retries` …) followed by
/// the component's own fields, with `deny_unknown_fields`.
macro_rules! http_client_config {
    ($(#[$meta:meta])* pub struct $name:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The URL to send to (interpolated per request).
            pub url: $crate::config::types::Interp,
            /// The request method.
            #[serde(default = "crate::http::client::config::post")]
            pub verb: String,
            /// Request headers; values are interpolated. A `Host` header
            /// sets the request's host.
            #[serde(default)]
            pub headers: std::collections::BTreeMap<String, $crate::config::types::Interp>,
            /// Which metadata keys are sent as request headers.
            #[serde(default)]
            pub metadata: $crate::http::client::config::MetadataFilterConfig,
            /// Log each request and response at this level (TRACE, DEBUG,
            /// INFO, WARN, ERROR, FATAL); empty: no log.
            #[serde(default)]
            pub dump_request_log_level: String,
            /// OAuth 1 request signing (HMAC-SHA1).
            #[serde(default)]
            pub oauth: $crate::http::client::config::OAuthConfig,
            /// OAuth 2 client credentials: a token fetched from
            /// `token_url`, cached and refreshed when it expires.
            #[serde(default)]
            pub oauth2: $crate::http::client::config::OAuth2Config,
            /// HTTP basic authentication.
            #[serde(default)]
            pub basic_auth: $crate::http::client::config::BasicAuthConfig,
            /// A JWT bearer token signed with a private key.
            #[serde(default)]
            pub jwt: $crate::http::client::config::JwtConfig,
            /// TLS settings for `https` URLs.
            #[serde(default)]
            pub tls: $crate::http::client::config::TlsConfig,
            /// Which response headers become metadata of the response
            /// messages (names are lower-cased before matching).
            #[serde(default)]
            pub extract_headers: $crate::http::client::config::MetadataFilterConfig,
            /// A rate limit resource each request waits for.
            #[serde(default)]
            pub rate_limit: String,
            /// The deadline of one attempt, reading the response included.
            #[serde(default = "crate::http::client::config::five_seconds")]
            pub timeout: $crate::config::types::Duration,
            /// The pause before a retry; the first pause of a backoff.
            #[serde(default = "crate::http::client::config::one_second")]
            pub retry_period: $crate::config::types::Duration,
            /// The longest pause of a backoff.
            #[serde(default = "crate::http::client::config::five_minutes")]
            pub max_retry_backoff: $crate::config::types::Duration,
            /// Retries after the first attempt.
            #[serde(default = "crate::http::client::config::three")]
            pub retries: u32,
            /// Follow 3xx redirects (up to 10); when false a redirect is
            /// the response.
            #[serde(default = "crate::http::client::config::yes")]
            pub follow_redirects: bool,
            /// Status codes that are retried with an exponential backoff.
            #[serde(default = "crate::http::client::config::too_many_requests")]
            pub backoff_on: Vec<u16>,
            /// Status codes that fail at once, without retries.
            #[serde(default)]
            pub drop_on: Vec<u16>,
            /// Status codes that succeed besides 2xx.
            #[serde(default)]
            pub successful_on: Vec<u16>,
            /// An HTTP proxy for every request (`http://host:port`).
            #[serde(default)]
            pub proxy_url: String,
            /// Speak HTTP/1.1 only; otherwise HTTP/2 is offered to `https`
            /// servers.
            #[serde(default)]
            pub disable_http2: bool,
            /// The largest response body read, in bytes (Tarn's limit; a
            /// larger body fails the request).
            #[serde(default = "crate::http::client::config::max_response_bytes")]
            pub max_response_bytes: usize,
            $($extra)*
        }
    };
}
pub(crate) use http_client_config;

/// Moves the shared fields out of a config declared with
/// [`http_client_config!`] into a [`ClientConfig`]; the component's own
/// fields stay readable on the binding.
macro_rules! take_client_config {
    ($cfg:ident) => {
        $crate::http::client::config::ClientConfig {
            url: $cfg.url,
            verb: $cfg.verb,
            headers: $cfg.headers,
            metadata: $cfg.metadata,
            dump_request_log_level: $cfg.dump_request_log_level,
            oauth: $cfg.oauth,
            oauth2: $cfg.oauth2,
            basic_auth: $cfg.basic_auth,
            jwt: $cfg.jwt,
            tls: $cfg.tls,
            extract_headers: $cfg.extract_headers,
            rate_limit: $cfg.rate_limit,
            timeout: $cfg.timeout,
            retry_period: $cfg.retry_period,
            max_retry_backoff: $cfg.max_retry_backoff,
            retries: $cfg.retries,
            follow_redirects: $cfg.follow_redirects,
            backoff_on: $cfg.backoff_on,
            drop_on: $cfg.drop_on,
            successful_on: $cfg.successful_on,
            proxy_url: $cfg.proxy_url,
            disable_http2: $cfg.disable_http2,
            max_response_bytes: $cfg.max_response_bytes,
        }
    };
}
pub(crate) use take_client_config;

/// The shared HTTP client fields, taken out of a component's config.
#[derive(Debug)]
pub struct ClientConfig {
    /// The URL (interpolated).
    pub url: Interp,
    /// The request method.
    pub verb: String,
    /// Request headers (values interpolated).
    pub headers: BTreeMap<String, Interp>,
    /// Metadata sent as request headers.
    pub metadata: MetadataFilterConfig,
    /// The level requests and responses are logged at (empty: none).
    pub dump_request_log_level: String,
    /// OAuth 1.
    pub oauth: OAuthConfig,
    /// OAuth 2 client credentials.
    pub oauth2: OAuth2Config,
    /// Basic authentication.
    pub basic_auth: BasicAuthConfig,
    /// JWT bearer tokens.
    pub jwt: JwtConfig,
    /// TLS.
    pub tls: TlsConfig,
    /// Response headers copied to metadata.
    pub extract_headers: MetadataFilterConfig,
    /// A rate limit resource label (empty: none).
    pub rate_limit: String,
    /// Per-attempt deadline.
    pub timeout: Duration,
    /// Pause before a retry.
    pub retry_period: Duration,
    /// The longest backoff pause.
    pub max_retry_backoff: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Follow redirects.
    pub follow_redirects: bool,
    /// Codes retried with backoff.
    pub backoff_on: Vec<u16>,
    /// Codes that fail at once.
    pub drop_on: Vec<u16>,
    /// Codes that succeed besides 2xx.
    pub successful_on: Vec<u16>,
    /// A proxy URL (empty: none beyond the environment's).
    pub proxy_url: String,
    /// HTTP/1.1 only.
    pub disable_http2: bool,
    /// Response body cap in bytes.
    pub max_response_bytes: usize,
}

/// Which metadata keys (or response header names) are selected.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetadataFilterConfig {
    /// Keys starting with any of these prefixes.
    #[serde(default)]
    pub include_prefixes: Vec<String>,
    /// Keys matching any of these regular expressions.
    #[serde(default)]
    pub include_patterns: Vec<Pattern>,
}

/// HTTP basic authentication.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthConfig {
    /// Send the credentials.
    #[serde(default)]
    pub enabled: bool,
    /// The user name.
    #[serde(default)]
    pub username: String,
    /// The password.
    #[serde(default)]
    pub password: String,
}

/// OAuth 1 request signing.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// Sign requests.
    #[serde(default)]
    pub enabled: bool,
    /// Identifies the client to the service provider.
    #[serde(default)]
    pub consumer_key: String,
    /// Establishes ownership of the consumer key.
    #[serde(default)]
    pub consumer_secret: String,
    /// Grants access on behalf of the user.
    #[serde(default)]
    pub access_token: String,
    /// Establishes ownership of the access token.
    #[serde(default)]
    pub access_token_secret: String,
}

/// OAuth 2 with the client credentials flow.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Config {
    /// Fetch and send a token.
    #[serde(default)]
    pub enabled: bool,
    /// The client identifier.
    #[serde(default)]
    pub client_key: String,
    /// The client secret.
    #[serde(default)]
    pub client_secret: String,
    /// The token endpoint.
    #[serde(default)]
    pub token_url: String,
    /// Requested scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Extra form parameters of the token request; each value is a list
    /// of strings.
    #[serde(default)]
    pub endpoint_params: BTreeMap<String, Vec<String>>,
}

/// A JWT bearer token.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// Send a token.
    #[serde(default)]
    pub enabled: bool,
    /// A PEM private key file (PKCS#1 or PKCS#8 RSA, PKCS#8 Ed25519).
    #[serde(default)]
    pub private_key_file: String,
    /// RS256, RS384, RS512 or EdDSA.
    #[serde(default)]
    pub signing_method: String,
    /// The token's claims.
    #[serde(default)]
    pub claims: BTreeMap<String, serde_json::Value>,
    /// Extra header fields of the token.
    #[serde(default)]
    pub headers: BTreeMap<String, serde_json::Value>,
}

/// Client TLS settings (used only when `enabled`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Use these settings for `https` URLs.
    #[serde(default)]
    pub enabled: bool,
    /// Do not verify the server's certificate (insecure: for tests).
    #[serde(default)]
    pub skip_cert_verify: bool,
    /// Let the server renegotiate (not possible with rustls).
    #[serde(default)]
    pub enable_renegotiation: bool,
    /// PEM root certificates to trust instead of the system's.
    #[serde(default)]
    pub root_cas: String,
    /// A PEM file of root certificates to trust instead of the system's.
    #[serde(default)]
    pub root_cas_file: String,
    /// Client certificates for mutual TLS.
    #[serde(default)]
    pub client_certs: Vec<ClientCertConfig>,
}

/// A client certificate: inline PEM (`cert` and `key`) or files
/// (`cert_file` and `key_file`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientCertConfig {
    /// The PEM certificate chain.
    #[serde(default)]
    pub cert: String,
    /// The PEM private key.
    #[serde(default)]
    pub key: String,
    /// A file with the PEM certificate chain.
    #[serde(default)]
    pub cert_file: String,
    /// A file with the PEM private key.
    #[serde(default)]
    pub key_file: String,
    /// The password of an encrypted private key.
    #[serde(default)]
    pub password: String,
}

/// Default `verb`.
pub fn post() -> String {
    "POST".to_string()
}

/// Default `timeout`.
pub fn five_seconds() -> Duration {
    Duration::secs(5)
}

/// Default `retry_period`.
pub fn one_second() -> Duration {
    Duration::secs(1)
}

/// Default `max_retry_backoff`.
pub fn five_minutes() -> Duration {
    Duration::secs(300)
}

/// Default `retries`.
pub fn three() -> u32 {
    3
}

/// Default `follow_redirects`.
pub fn yes() -> bool {
    true
}

/// Default `backoff_on`.
pub fn too_many_requests() -> Vec<u16> {
    vec![429]
}

/// The default response body cap: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Default `max_response_bytes`.
pub fn max_response_bytes() -> usize {
    DEFAULT_MAX_RESPONSE_BYTES
}
