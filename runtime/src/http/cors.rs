//! `cors`: Cross-Origin Resource Sharing as Benthos answers it (gorilla's
//! `handlers.CORS` with Benthos's options).
//!
//! - `enabled: true` needs at least one origin in `allowed_origins`.
//! - An origin is allowed when it equals an entry exactly, or when an
//!   entry is `*`.
//! - A request from an allowed origin gets `Access-Control-Allow-Origin`:
//!   the origin itself, or `*` when `*` is configured; plus
//!   `Vary: Origin` when several origins are configured.
//! - A preflight (`OPTIONS` from an allowed origin) is answered here and
//!   never reaches the routes (nor basic authentication, which browsers
//!   do not send on preflights):
//!   - no `Access-Control-Request-Method`: 400;
//!   - a method other than GET, HEAD, POST, PUT, PATCH, DELETE: 405;
//!   - each requested header other than `Accept`, `Accept-Language`,
//!     `Content-Language` and `Origin` must be in `allowed_headers`
//!     (compared in canonical form, `content-type` = `Content-Type`),
//!     else 403; the ones allowed are listed in
//!     `Access-Control-Allow-Headers`. With `*` in `allowed_headers` the
//!     requested list is echoed back as it came;
//!   - a method other than GET, HEAD, POST is echoed in
//!     `Access-Control-Allow-Methods`;
//!   - otherwise 200 with an empty body.
//! - A request from another origin, or with no `Origin`, passes through
//!   untouched with no CORS headers, except an `OPTIONS` request, which
//!   gets an empty 200 (as gorilla answers it).

use super::config::CorsConfig;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::fmt;
use std::sync::Arc;

/// The methods a preflight may ask for (Benthos's fixed list).
const ALLOWED_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/// Methods a browser may use without being told they are allowed.
const SIMPLE_METHODS: &[&str] = &["GET", "HEAD", "POST"];
/// Headers always allowed in a preflight.
const DEFAULT_HEADERS: &[&str] = &["Accept", "Accept-Language", "Content-Language", "Origin"];

/// Why a `cors` object cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsConfigError {
    /// The field's path, e.g. `http.cors.allowed_origins`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for CorsConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for CorsConfigError {}

#[derive(Debug)]
struct Inner {
    any_origin: bool,
    origins: Vec<String>,
    any_header: bool,
    /// Canonical names.
    headers: Vec<String>,
}

/// A checked `cors` setting, ready to wrap a router.
#[derive(Debug, Clone)]
pub struct Cors {
    inner: Arc<Inner>,
}

impl Cors {
    /// Checks a `cors` object found at `path` (e.g. `http.cors`): `None`
    /// when it is disabled.
    pub fn from_config(config: &CorsConfig, path: &str) -> Result<Option<Cors>, CorsConfigError> {
        if !config.enabled {
            return Ok(None);
        }
        if config.allowed_origins.is_empty() {
            return Err(CorsConfigError {
                field: format!("{path}.allowed_origins"),
                reason: "must specify at least one allowed origin".to_string(),
            });
        }
        let any_origin = config.allowed_origins.iter().any(|o| o == "*");
        let any_header = config.allowed_headers.iter().any(|h| h.trim() == "*");
        let headers = config
            .allowed_headers
            .iter()
            .map(|h| canonical_header(h.trim()))
            .filter(|h| !h.is_empty())
            .collect();
        Ok(Some(Cors {
            inner: Arc::new(Inner {
                any_origin,
                origins: if any_origin {
                    Vec::new()
                } else {
                    config.allowed_origins.clone()
                },
                any_header,
                headers,
            }),
        }))
    }

    /// `app` with every route (and the fallback) behind this policy.
    pub fn wrap(&self, app: Router) -> Router {
        app.layer(axum::middleware::from_fn_with_state(self.clone(), apply))
    }

    fn allows(&self, origin: &str) -> bool {
        !origin.is_empty()
            && (self.inner.any_origin || self.inner.origins.iter().any(|o| o == origin))
    }

    /// The answer to a preflight from an allowed origin: its headers, or
    /// the refusal.
    fn preflight(
        &self,
        request: &HeaderMap,
        out: &mut HeaderMap,
    ) -> Result<(), (StatusCode, &'static str)> {
        let Some(method) = request.get(ACCESS_CONTROL_REQUEST_METHOD) else {
            return Err((
                StatusCode::BAD_REQUEST,
                "CORS preflight without Access-Control-Request-Method",
            ));
        };
        let method = method.to_str().unwrap_or("");
        if !ALLOWED_METHODS.contains(&method) {
            return Err((
                StatusCode::METHOD_NOT_ALLOWED,
                "CORS preflight for a method that is not allowed",
            ));
        }
        let requested = request.get(ACCESS_CONTROL_REQUEST_HEADERS);
        match requested {
            Some(list) if self.inner.any_header && !list.is_empty() => {
                out.insert(ACCESS_CONTROL_ALLOW_HEADERS, list.clone());
            }
            _ => {
                let list = requested.and_then(|v| v.to_str().ok()).unwrap_or("");
                let mut allowed = Vec::new();
                for name in list.split(',') {
                    let name = canonical_header(name.trim());
                    if name.is_empty() || DEFAULT_HEADERS.contains(&name.as_str()) {
                        continue;
                    }
                    if !self.inner.headers.contains(&name) {
                        return Err((
                            StatusCode::FORBIDDEN,
                            "CORS preflight for a header that is not allowed",
                        ));
                    }
                    allowed.push(name);
                }
                if !allowed.is_empty()
                    && let Ok(value) = HeaderValue::from_str(&allowed.join(","))
                {
                    out.insert(ACCESS_CONTROL_ALLOW_HEADERS, value);
                }
            }
        }
        if !SIMPLE_METHODS.contains(&method)
            && let Ok(value) = HeaderValue::from_str(method)
        {
            out.insert(ACCESS_CONTROL_ALLOW_METHODS, value);
        }
        Ok(())
    }
}

async fn apply(State(cors): State<Cors>, req: Request, next: Next) -> Response {
    let is_preflight = req.method() == Method::OPTIONS;
    let origin = req
        .headers()
        .get(ORIGIN)
        .filter(|o| cors.allows(o.to_str().unwrap_or("")))
        .cloned();
    let Some(origin) = origin else {
        return if is_preflight {
            StatusCode::OK.into_response()
        } else {
            next.run(req).await
        };
    };
    let mut headers = HeaderMap::new();
    if is_preflight && let Err(refusal) = cors.preflight(req.headers(), &mut headers) {
        return refusal.into_response();
    }
    if cors.inner.origins.len() > 1 {
        headers.insert(VARY, HeaderValue::from_static("Origin"));
    }
    let allow_origin = if cors.inner.any_origin {
        HeaderValue::from_static("*")
    } else {
        origin
    };
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    if is_preflight {
        return (StatusCode::OK, headers).into_response();
    }
    let mut response = next.run(req).await;
    for (name, value) in headers {
        if let Some(name) = name {
            if name == VARY {
                response.headers_mut().append(name, value);
            } else {
                response.headers_mut().insert(name, value);
            }
        }
    }
    response
}

/// A header name as Go's `CanonicalHeaderKey` writes it: the first
/// letter and each letter after `-` upper case, the rest lower case; a
/// name with characters outside an HTTP token is left as it is.
fn canonical_header(name: &str) -> String {
    let is_token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !name.bytes().all(is_token) {
        return name.to_string();
    }
    let mut upper = true;
    name.chars()
        .map(|c| {
            let out = if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
            upper = c == '-';
            out
        })
        .collect()
}

#[cfg(test)]
mod tests;
