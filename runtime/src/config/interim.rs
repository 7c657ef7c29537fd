//! Typed configs of the service sections (`http`, `logger`, `metrics`)
//! until their modules carry their own.

use schemars::JsonSchema;
use serde::Deserialize;

fn default_address() -> String {
    "0.0.0.0:4195".into()
}

fn default_root_path() -> String {
    "/benthos".into()
}

fn yes() -> bool {
    true
}

/// The service HTTP server (`http`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpServiceConfig {
    /// Serve at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `host:port` to listen on.
    #[serde(default = "default_address")]
    pub address: String,
    /// Every endpoint is also served under this prefix.
    #[serde(default = "default_root_path")]
    pub root_path: String,
    /// Serve debug endpoints (not supported yet).
    #[serde(default)]
    pub debug_endpoints: bool,
    /// A certificate chain for HTTPS (not supported yet).
    #[serde(default)]
    pub cert_file: String,
    /// The private key for HTTPS (not supported yet).
    #[serde(default)]
    pub key_file: String,
    /// Cross-origin resource sharing (not supported yet).
    pub cors: Option<serde_json::Value>,
    /// HTTP basic authentication (not supported yet).
    pub basic_auth: Option<serde_json::Value>,
}

impl Default for HttpServiceConfig {
    fn default() -> HttpServiceConfig {
        HttpServiceConfig {
            enabled: true,
            address: default_address(),
            root_path: default_root_path(),
            debug_endpoints: false,
            cert_file: String::new(),
            key_file: String::new(),
            cors: None,
            basic_auth: None,
        }
    }
}
