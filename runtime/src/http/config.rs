//! Typed configs of the HTTP sections: the top-level `http` section, and
//! the `cors` and `basic_auth` objects it shares with the `http_server`
//! input. [`HttpServiceConfig::build`] and [`own_server`] check them and
//! load the TLS files without binding anything, so a linter can call
//! them.

use super::Layers;
use super::auth::{AuthConfigError, BasicAuth};
use super::cors::{Cors, CorsConfigError};
use super::tls::{TlsConfig, TlsError, TlsFiles};
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt;

/// The top-level `http` section: the service server.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct HttpServiceConfig {
    /// Whether to serve the service endpoints (`/ping`, `/metrics`, …) at all.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// The `host:port` to listen on.
    #[serde(default = "default_address")]
    pub address: String,
    /// Every endpoint is also served under this prefix.
    #[serde(default = "default_root_path")]
    pub root_path: String,
    /// Serve debug endpoints (not supported yet: `true` is refused).
    #[serde(default)]
    pub debug_endpoints: bool,
    /// A PEM certificate chain: with `key_file`, the server speaks HTTPS only.
    #[serde(default)]
    pub cert_file: String,
    /// The PEM private key (PKCS#8, RSA or SEC1) of `cert_file`'s first certificate.
    #[serde(default)]
    pub key_file: String,
    /// Cross-Origin Resource Sharing headers.
    #[serde(default)]
    pub cors: CorsConfig,
    /// HTTP Basic authentication required on every endpoint.
    #[serde(default)]
    pub basic_auth: BasicAuthConfig,
}

fn default_enabled() -> bool {
    true
}

fn default_address() -> String {
    "0.0.0.0:4195".to_string()
}

fn default_root_path() -> String {
    "/benthos".to_string()
}

impl Default for HttpServiceConfig {
    fn default() -> Self {
        HttpServiceConfig {
            enabled: default_enabled(),
            address: default_address(),
            root_path: default_root_path(),
            debug_endpoints: false,
            cert_file: String::new(),
            key_file: String::new(),
            cors: CorsConfig::default(),
            basic_auth: BasicAuthConfig::default(),
        }
    }
}

/// `cors`: which browser origins may call the server.
#[derive(Deserialize, JsonSchema, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct CorsConfig {
    /// Whether to answer CORS requests.
    #[serde(default)]
    pub enabled: bool,
    /// Origins allowed to make requests, exactly as browsers send them (`https://app.example.com`); `*` allows any.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Request headers a preflight may ask for beyond `Accept`, `Accept-Language`, `Content-Language` and `Origin`; `*` allows any.
    #[serde(default)]
    pub allowed_headers: Vec<String>,
}

/// The hash `basic_auth.password_hash` was made with.
#[derive(Deserialize, JsonSchema, Debug, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    /// MD5 of the password (unsalted; for compatibility only).
    Md5,
    /// SHA-256 of the password (unsalted).
    #[default]
    Sha256,
    /// A bcrypt hash string (`$2a$…`, `$2b$…`, `$2y$…`).
    Bcrypt,
    /// scrypt with N=32768, r=8, p=1 and a 32-byte key, salted with `salt`.
    Scrypt,
}

impl HashAlgorithm {
    /// The config value.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "md5",
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Bcrypt => "bcrypt",
            HashAlgorithm::Scrypt => "scrypt",
        }
    }
}

/// `basic_auth`: one user and the hash of their password.
#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthConfig {
    /// Whether requests must carry these credentials.
    #[serde(default)]
    pub enabled: bool,
    /// The realm named in the `WWW-Authenticate` challenge.
    #[serde(default = "default_realm")]
    pub realm: String,
    /// The user name required.
    #[serde(default)]
    pub username: String,
    /// The password's hash, base64 (standard alphabet, padded). For md5 and sha256 the raw digest of the password; for scrypt the raw 32-byte key; for bcrypt the whole `$2…$` hash string.
    #[serde(default)]
    pub password_hash: String,
    /// The algorithm of `password_hash`: `md5`, `sha256`, `bcrypt` or `scrypt`.
    #[serde(default)]
    pub algorithm: HashAlgorithm,
    /// The scrypt salt, base64 (required with scrypt; the other algorithms take no salt).
    #[serde(default)]
    pub salt: String,
}

fn default_realm() -> String {
    "restricted".to_string()
}

impl Default for BasicAuthConfig {
    fn default() -> Self {
        BasicAuthConfig {
            enabled: false,
            realm: default_realm(),
            username: String::new(),
            password_hash: String::new(),
            algorithm: HashAlgorithm::default(),
            salt: String::new(),
        }
    }
}

/// Why an HTTP section cannot be used.
#[derive(Debug)]
pub enum HttpConfigError {
    /// A field set to a value Tarn does not implement.
    NotSupported {
        /// The field's path, e.g. `http.debug_endpoints`.
        field: String,
        /// The value refused.
        value: String,
    },
    /// A server-only field set on an input served by the shared server.
    NeedsOwnAddress {
        /// The field's path, e.g. `input.http_server.cert_file`.
        field: String,
    },
    /// `cert_file` / `key_file`.
    Tls(TlsError),
    /// `basic_auth`.
    BasicAuth(AuthConfigError),
    /// `cors`.
    Cors(CorsConfigError),
}

impl fmt::Display for HttpConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpConfigError::NotSupported { field, value } => {
                write!(f, "{field}: `{value}` is not supported yet")
            }
            HttpConfigError::NeedsOwnAddress { field } => write!(
                f,
                "{field}: only valid with a custom `address`; an input without one is served by the service server, configured in the `http` section"
            ),
            HttpConfigError::Tls(e) => e.fmt(f),
            HttpConfigError::BasicAuth(e) => e.fmt(f),
            HttpConfigError::Cors(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for HttpConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HttpConfigError::Tls(e) => Some(e),
            HttpConfigError::BasicAuth(e) => Some(e),
            HttpConfigError::Cors(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TlsError> for HttpConfigError {
    fn from(e: TlsError) -> Self {
        HttpConfigError::Tls(e)
    }
}

impl From<AuthConfigError> for HttpConfigError {
    fn from(e: AuthConfigError) -> Self {
        HttpConfigError::BasicAuth(e)
    }
}

impl From<CorsConfigError> for HttpConfigError {
    fn from(e: CorsConfigError) -> Self {
        HttpConfigError::Cors(e)
    }
}

/// The service server, checked and ready to start.
#[derive(Debug, Clone)]
pub struct HttpService {
    /// Serve at all.
    pub enabled: bool,
    /// `host:port`.
    pub address: String,
    /// Every endpoint is also served under this prefix.
    pub root_path: String,
    /// HTTPS, when `cert_file` and `key_file` are set.
    pub tls: Option<TlsConfig>,
    /// CORS and basic authentication around every endpoint.
    pub layers: Layers,
}

impl HttpServiceConfig {
    /// The `cert_file` / `key_file` pair, when set.
    pub fn tls_files(&self) -> Result<Option<TlsFiles>, TlsError> {
        TlsFiles::from_fields("http", &self.cert_file, &self.key_file)
    }

    /// Checks every field and loads the TLS files (when the server is
    /// enabled): the same work for `tarn lint` as for start-up. Blocking
    /// file I/O.
    pub fn build(&self) -> Result<HttpService, HttpConfigError> {
        if self.debug_endpoints {
            return Err(HttpConfigError::NotSupported {
                field: "http.debug_endpoints".to_string(),
                value: "true".to_string(),
            });
        }
        let tls_files = self.tls_files()?;
        let layers = Layers {
            cors: Cors::from_config(&self.cors, "http.cors")?,
            basic_auth: BasicAuth::from_config(&self.basic_auth, "http.basic_auth")?,
        };
        let tls = match (&tls_files, self.enabled) {
            (Some(files), true) => Some(files.load()?),
            _ => None,
        };
        Ok(HttpService {
            enabled: self.enabled,
            address: self.address.clone(),
            root_path: self.root_path.clone(),
            tls,
            layers,
        })
    }
}

/// The TLS and CORS of a server an input runs on its own `address`
/// (the `http_server` input's `cert_file`, `key_file` and `cors`).
#[derive(Debug, Clone, Default)]
pub struct OwnServer {
    /// HTTPS, when both files are set.
    pub tls: Option<TlsConfig>,
    /// CORS (an input's own server has no basic authentication).
    pub layers: Layers,
}

/// Checks an input's server fields (`section` names it, e.g.
/// `input.http_server`) and loads its TLS files. Without an `address`
/// of its own the input is served by the service server, so setting any
/// of them is an error rather than silently ignored. Blocking file I/O.
pub fn own_server(
    section: &str,
    address: &str,
    cert_file: &str,
    key_file: &str,
    cors: &CorsConfig,
) -> Result<OwnServer, HttpConfigError> {
    let files = TlsFiles::from_fields(section, cert_file, key_file)?;
    let cors = Cors::from_config(cors, &format!("{section}.cors"))?;
    if address.is_empty() {
        let field = if !cert_file.is_empty() {
            Some("cert_file")
        } else if !key_file.is_empty() {
            Some("key_file")
        } else if cors.is_some() {
            Some("cors")
        } else {
            None
        };
        if let Some(field) = field {
            return Err(HttpConfigError::NeedsOwnAddress {
                field: format!("{section}.{field}"),
            });
        }
    }
    Ok(OwnServer {
        tls: files.map(|f| f.load()).transpose()?,
        layers: Layers {
            cors,
            basic_auth: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<HttpServiceConfig, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn defaults_follow_benthos() {
        let c = parse(json!({})).expect("empty section");
        assert!(c.enabled);
        assert_eq!(c.address, "0.0.0.0:4195");
        assert_eq!(c.root_path, "/benthos");
        assert!(!c.debug_endpoints && c.cert_file.is_empty() && c.key_file.is_empty());
        assert!(!c.cors.enabled && c.cors.allowed_origins.is_empty());
        assert!(!c.basic_auth.enabled);
        assert_eq!(c.basic_auth.realm, "restricted");
        assert_eq!(c.basic_auth.algorithm, HashAlgorithm::Sha256);
        let built = c.build().expect("defaults build");
        assert!(built.tls.is_none() && built.layers.is_empty());
    }

    #[test]
    fn unknown_fields_and_algorithms_are_refused() {
        let e = parse(json!({"adress": "x"})).expect_err("typo");
        assert!(e.to_string().contains("unknown field `adress`"), "{e}");
        let e = parse(json!({"basic_auth": {"algorithm": "sha512"}})).expect_err("algorithm");
        assert!(
            e.to_string().contains(
                "unknown variant `sha512`, expected one of `md5`, `sha256`, `bcrypt`, `scrypt`"
            ),
            "{e}"
        );
        let e = parse(json!({"cors": {"allowed_methods": ["GET"]}})).expect_err("not a field");
        assert!(
            e.to_string().contains("unknown field `allowed_methods`"),
            "{e}"
        );
    }

    #[test]
    fn debug_endpoints_are_not_supported_yet() {
        let c = parse(json!({"debug_endpoints": true})).expect("parses");
        let e = c.build().expect_err("refused");
        assert_eq!(
            e.to_string(),
            "http.debug_endpoints: `true` is not supported yet"
        );
    }

    #[test]
    fn half_a_tls_pair_is_refused_even_when_disabled() {
        let c = parse(json!({"enabled": false, "cert_file": "c.pem"})).expect("parses");
        let e = c.build().expect_err("half");
        assert!(
            matches!(e, HttpConfigError::Tls(TlsError::Incomplete { .. })),
            "{e}"
        );
    }

    #[test]
    fn input_server_fields_need_an_address() {
        let cors = CorsConfig {
            enabled: true,
            allowed_origins: vec!["https://a.example".to_string()],
            allowed_headers: vec![],
        };
        let e = own_server("input.http_server", "", "", "", &cors).expect_err("no address");
        assert!(
            e.to_string()
                .starts_with("input.http_server.cors: only valid with a custom `address`")
        );
        let e = own_server(
            "input.http_server",
            "",
            "c.pem",
            "k.pem",
            &CorsConfig::default(),
        )
        .expect_err("no address");
        assert!(
            e.to_string()
                .starts_with("input.http_server.cert_file: only valid")
        );
        let ok = own_server("input.http_server", "127.0.0.1:0", "", "", &cors).expect("fine");
        assert!(ok.tls.is_none() && ok.layers.cors.is_some());
        let plain = own_server("input.http_server", "", "", "", &CorsConfig::default())
            .expect("nothing set");
        assert!(plain.layers.is_empty());
    }

    #[test]
    fn the_schema_documents_every_field() {
        let schema = schemars::schema_for!(HttpServiceConfig);
        let text = serde_json::to_string(&schema).expect("schema");
        for field in ["cert_file", "allowed_origins", "password_hash", "scrypt"] {
            assert!(text.contains(field), "{field} missing from the schema");
        }
    }
}
