//! `basic_auth`: HTTP Basic authentication as Benthos does it.
//!
//! How the fields are read (Benthos's `httpserver.BasicAuthConfig`):
//! - `password_hash` is base64 (standard alphabet, padded; line breaks
//!   are ignored, as Go's decoder does). What it decodes to depends on
//!   `algorithm`:
//!   - `md5`: the 16-byte MD5 digest of the password;
//!   - `sha256`: the 32-byte SHA-256 digest of the password;
//!   - `bcrypt`: the bcrypt hash *string* (`$2a$10$…`, 60 characters);
//!   - `scrypt`: the 32-byte scrypt key of the password with N=32768,
//!     r=8, p=1.
//! - `salt` is base64 too and only scrypt uses it (bcrypt carries its
//!   own salt; md5 and sha256 are unsalted in Benthos). Benthos ignores a
//!   salt given with another algorithm; Tarn refuses it, since a user
//!   who set one expects it to matter.
//! - A password hash that does not decode, or decodes to the wrong size
//!   for its algorithm, is a config error (Benthos answers every request
//!   with 500 or 401 instead).
//!
//! Each request must carry `Authorization: Basic base64(user:password)`.
//! Without it, or with other credentials, the answer is 401 with
//! `WWW-Authenticate: Basic realm="<realm>", charset="UTF-8"`. The user
//! name and the digest are compared in constant time. bcrypt and scrypt
//! run on the blocking thread pool, at most one per CPU at a time (an
//! scrypt check takes 32 MiB), so a flood of guesses queues rather than
//! exhausting memory or starving the async workers.

use super::config::{BasicAuthConfig, HashAlgorithm};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest;
use std::fmt;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// Benthos's scrypt parameters: N = 2^15, r = 8, p = 1, 32-byte key.
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
const SCRYPT_KEY_LEN: usize = 32;

/// Why a `basic_auth` object cannot be used; names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfigError {
    /// The field's path, e.g. `http.basic_auth.password_hash`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for AuthConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for AuthConfigError {}

/// What the password is checked against.
enum Expected {
    Md5([u8; 16]),
    Sha256([u8; 32]),
    Bcrypt(String),
    Scrypt { salt: Vec<u8>, key: Vec<u8> },
}

impl Expected {
    /// Whether `password` hashes to the expected value. bcrypt and
    /// scrypt are slow: call them off the async workers.
    fn matches(&self, password: &[u8]) -> bool {
        match self {
            Expected::Md5(digest) => {
                bool::from(md5::Md5::digest(password).as_slice().ct_eq(digest))
            }
            Expected::Sha256(digest) => {
                bool::from(sha2::Sha256::digest(password).as_slice().ct_eq(digest))
            }
            // As Go's CompareHashAndPassword: a password past 72 bytes is
            // cut there; a malformed hash never matches.
            Expected::Bcrypt(hash) => bcrypt::verify(password, hash).unwrap_or(false),
            Expected::Scrypt { salt, key } => {
                let Ok(params) = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P) else {
                    return false;
                };
                let mut out = [0u8; SCRYPT_KEY_LEN];
                if scrypt::scrypt(password, salt, &params, &mut out).is_err() {
                    return false;
                }
                bool::from(out.as_slice().ct_eq(key))
            }
        }
    }

    fn is_slow(&self) -> bool {
        matches!(self, Expected::Bcrypt(_) | Expected::Scrypt { .. })
    }
}

struct Inner {
    username: Vec<u8>,
    expected: Expected,
    challenge: HeaderValue,
    slow_checks: Semaphore,
}

/// A checked `basic_auth` setting, ready to guard a router.
#[derive(Clone)]
pub struct BasicAuth {
    inner: Arc<Inner>,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the user name or the hash.
        f.debug_struct("BasicAuth")
            .field("challenge", &self.inner.challenge)
            .finish_non_exhaustive()
    }
}

/// Decodes base64 as Go's `StdEncoding.DecodeString` does: padded
/// standard alphabet, carriage returns and line feeds skipped.
fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    STANDARD.decode(compact)
}

impl BasicAuth {
    /// Checks a `basic_auth` object found at `path` (e.g.
    /// `http.basic_auth`): `None` when it is disabled.
    pub fn from_config(
        config: &BasicAuthConfig,
        path: &str,
    ) -> Result<Option<BasicAuth>, AuthConfigError> {
        if !config.enabled {
            return Ok(None);
        }
        let error = |field: &str, reason: String| AuthConfigError {
            field: format!("{path}.{field}"),
            reason,
        };
        if config.username.is_empty() || config.password_hash.is_empty() {
            let field = if config.username.is_empty() {
                "username"
            } else {
                "password_hash"
            };
            return Err(error(
                field,
                "both username and password_hash are required when basic_auth is enabled"
                    .to_string(),
            ));
        }
        let algorithm = config.algorithm;
        let hash = decode_base64(&config.password_hash)
            .map_err(|e| error("password_hash", format!("not valid base64: {e}")))?;
        let sized = |len: usize| {
            error(
                "password_hash",
                format!(
                    "decodes to {} bytes, but a {} hash has {len}",
                    hash.len(),
                    algorithm.name()
                ),
            )
        };
        if algorithm != HashAlgorithm::Scrypt && !config.salt.is_empty() {
            return Err(error(
                "salt",
                format!(
                    "only the scrypt algorithm takes a salt; {} hashes the password alone (bcrypt keeps its salt inside the hash)",
                    algorithm.name()
                ),
            ));
        }
        let expected = match algorithm {
            HashAlgorithm::Md5 => Expected::Md5(hash.as_slice().try_into().map_err(|_| sized(16))?),
            HashAlgorithm::Sha256 => {
                Expected::Sha256(hash.as_slice().try_into().map_err(|_| sized(32))?)
            }
            HashAlgorithm::Bcrypt => {
                let text = String::from_utf8(hash).map_err(|_| {
                    error(
                        "password_hash",
                        "does not decode to a bcrypt hash string".to_string(),
                    )
                })?;
                text.parse::<bcrypt::HashParts>().map_err(|e| {
                    error(
                        "password_hash",
                        format!("does not decode to a bcrypt hash (`$2b$10$…`): {e}"),
                    )
                })?;
                Expected::Bcrypt(text)
            }
            HashAlgorithm::Scrypt => {
                if config.salt.is_empty() {
                    return Err(error("salt", "is required for scrypt".to_string()));
                }
                let salt = decode_base64(&config.salt)
                    .map_err(|e| error("salt", format!("not valid base64: {e}")))?;
                if hash.len() != SCRYPT_KEY_LEN {
                    return Err(sized(SCRYPT_KEY_LEN));
                }
                Expected::Scrypt { salt, key: hash }
            }
        };
        let quoted = config.realm.replace('\\', "\\\\").replace('"', "\\\"");
        let challenge = HeaderValue::from_bytes(
            format!("Basic realm=\"{quoted}\", charset=\"UTF-8\"").as_bytes(),
        )
        .map_err(|_| error("realm", "must not contain control characters".to_string()))?;
        let slots = if expected.is_slow() {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            1
        };
        Ok(Some(BasicAuth {
            inner: Arc::new(Inner {
                username: config.username.clone().into_bytes(),
                expected,
                challenge,
                slow_checks: Semaphore::new(slots),
            }),
        }))
    }

    /// Whether the `Authorization` header of `headers` carries the
    /// configured user name and password.
    pub async fn admits(&self, headers: &HeaderMap) -> Result<bool, VerifyError> {
        let Some((user, password)) = credentials(headers) else {
            return Ok(false);
        };
        let user_ok = bool::from(user.as_slice().ct_eq(&self.inner.username));
        let password_ok = if self.inner.expected.is_slow() {
            let _slot = self
                .inner
                .slow_checks
                .acquire()
                .await
                .map_err(|_| VerifyError)?;
            let inner = self.inner.clone();
            tokio::task::spawn_blocking(move || inner.expected.matches(&password))
                .await
                .map_err(|_| VerifyError)?
        } else {
            self.inner.expected.matches(&password)
        };
        Ok(user_ok & password_ok)
    }

    /// `app` with every route (and the fallback) behind this check.
    pub fn wrap(&self, app: Router) -> Router {
        app.layer(axum::middleware::from_fn_with_state(self.clone(), guard))
    }

    fn unauthorized(&self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            [
                (WWW_AUTHENTICATE, self.inner.challenge.clone()),
                (
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                ),
            ],
            "Unauthorized",
        )
            .into_response()
    }
}

/// A password check that could not run (the blocking pool failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyError;

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the password check could not run")
    }
}

impl std::error::Error for VerifyError {}

/// The user name and password of a `Basic` `Authorization` header, as
/// Go's `Request.BasicAuth` reads them: the scheme in any case, standard
/// base64, split at the first `:`.
fn credentials(headers: &HeaderMap) -> Option<(Vec<u8>, Vec<u8>)> {
    let value = headers.get(AUTHORIZATION)?.as_bytes();
    const SCHEME: &[u8] = b"basic ";
    if value.len() < SCHEME.len() || !value[..SCHEME.len()].eq_ignore_ascii_case(SCHEME) {
        return None;
    }
    let decoded = STANDARD.decode(&value[SCHEME.len()..]).ok()?;
    let colon = decoded.iter().position(|b| *b == b':')?;
    Some((decoded[..colon].to_vec(), decoded[colon + 1..].to_vec()))
}

async fn guard(State(auth): State<BasicAuth>, req: Request, next: Next) -> Response {
    match auth.admits(req.headers()).await {
        Ok(true) => next.run(req).await,
        Ok(false) => auth.unauthorized(),
        Err(e) => {
            crate::log::error(&format!("http: basic_auth: {e}"));
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
    }
}

#[cfg(test)]
mod tests;
