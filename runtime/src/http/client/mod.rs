//! The HTTP client shared by the `http_client` output and the `http`
//! processor: reqwest over rustls (ring, no aws-lc, no openssl), one
//! connection pool per component instance (made on first use: building a
//! component never connects), with Benthos's request making, auth, TLS,
//! rate limiting, status classification and retries:
//!
//! 1. a status in `drop_on` fails at once ([`ErrorKind::Rejected`]);
//! 2. one in `backoff_on` is retried after a pause that starts at
//!    `retry_period` and doubles up to `max_retry_backoff`;
//! 3. one in `successful_on`, or any 2xx, succeeds;
//! 4. anything else (and a failed exchange) is retried after
//!    `retry_period`;
//!
//! up to `retries` times, waiting for the `rate_limit` before every
//! attempt; then the request fails ([`ErrorKind::Retryable`], or
//! [`ErrorKind::Timeout`] after a timeout). Response bodies are read up
//! to `max_response_bytes` (64 MiB by default); a larger one fails the
//! request with a clear error.
//!
//! [`ErrorKind::Rejected`]: crate::component::ErrorKind::Rejected
//! [`ErrorKind::Retryable`]: crate::component::ErrorKind::Retryable
//! [`ErrorKind::Timeout`]: crate::component::ErrorKind::Timeout

pub mod auth;
pub mod config;
pub mod dump;
pub mod multipart;
pub mod oauth2;
pub mod request;
pub mod response;
pub mod tls;

use crate::component::{Build, BuildError, Error, ErrorKind, RateLimit};
use auth::Signer;
use config::ClientConfig;
use dump::{Dump, Exchange};
use oauth2::OAuth2;
use request::{ExplicitPart, MetaFilter, Prepared, RequestTemplate};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName};
use response::{StatusPolicy, Verdict};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tarn_lang::Message;
use tls::ClientTls;
use tokio::sync::OnceCell;

/// A request that failed: the error, and the last status code seen (for
/// `http_status_code` on a flagged message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, typed.
    pub error: Error,
    /// The status of the last response, when there was one.
    pub status: Option<u16>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Failure {}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            status: None,
        }
    }
}

/// How the connection pool is made.
#[derive(Debug)]
struct Transport {
    tls: ClientTls,
    timeout: Duration,
    follow_redirects: bool,
    proxy: Option<reqwest::Proxy>,
    http1_only: bool,
}

/// One component's HTTP client and connection pool.
#[derive(Debug)]
pub struct HttpClient {
    template: RequestTemplate,
    signer: Signer,
    oauth2: Option<OAuth2>,
    policy: StatusPolicy,
    retries: u32,
    retry_period: Duration,
    max_backoff: Duration,
    rate_limit: Option<Arc<dyn RateLimit>>,
    dump: Option<Dump>,
    extract: MetaFilter,
    max_response_bytes: usize,
    transport: Transport,
    pool: OnceCell<reqwest::Client>,
}

/// Logs that a block's settings are ignored because it is disabled.
fn warn_disabled(ctx: &Build<'_>, field: &str, enabled: &str) {
    crate::log::warn_with(
        &[("path", &ctx.metrics_path())],
        &format!("{field} is ignored: `{enabled}` is false"),
    );
}

impl HttpClient {
    /// The client `cfg` describes. Checks everything (files included)
    /// and connects nothing.
    pub fn build(cfg: ClientConfig, ctx: &mut Build<'_>) -> Result<HttpClient, BuildError> {
        let method = reqwest::Method::from_bytes(cfg.verb.to_ascii_uppercase().as_bytes())
            .map_err(|_| {
                ctx.field_error("verb", format!("`{}` is not an HTTP method", cfg.verb))
            })?;
        check_auth(&cfg, ctx)?;
        let mut headers = Vec::with_capacity(cfg.headers.len());
        for (name, value) in cfg.headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                ctx.field_error(&format!("headers.{name}"), "not a valid header name")
            })?;
            headers.push((header, value));
        }
        let signer = Signer::from_config(&cfg.basic_auth, &cfg.oauth, &cfg.jwt, ctx)?;
        let oauth2 = OAuth2::from_config(&cfg.oauth2, ctx)?;
        let tls = ClientTls::from_config(&cfg.tls, "tls", ctx)?;
        let rate_limit = match cfg.rate_limit.trim() {
            "" => None,
            label => Some(ctx.rate_limit("rate_limit", label)?),
        };
        let proxy = match cfg.proxy_url.trim() {
            "" => None,
            url => Some(reqwest::Proxy::all(url).map_err(|e| {
                ctx.field_error("proxy_url", format!("`{url}` is not a proxy URL: {e}"))
            })?),
        };
        if cfg.max_response_bytes == 0 {
            return Err(ctx.field_error("max_response_bytes", "must be at least 1"));
        }
        Ok(HttpClient {
            template: RequestTemplate {
                url: cfg.url,
                method,
                headers,
                metadata: MetaFilter::new(cfg.metadata),
                parts: Vec::new(),
            },
            signer,
            oauth2,
            policy: StatusPolicy {
                drop_on: cfg.drop_on,
                backoff_on: cfg.backoff_on,
                successful_on: cfg.successful_on,
            },
            retries: cfg.retries,
            retry_period: cfg.retry_period.0,
            max_backoff: cfg.max_retry_backoff.0,
            rate_limit,
            dump: Dump::from_config(&cfg.dump_request_log_level, ctx)?,
            extract: MetaFilter::new(cfg.extract_headers),
            max_response_bytes: cfg.max_response_bytes,
            transport: Transport {
                tls,
                timeout: cfg.timeout.0,
                follow_redirects: cfg.follow_redirects,
                proxy,
                http1_only: cfg.disable_http2,
            },
            pool: OnceCell::new(),
        })
    }

    /// The same client, with request bodies made of explicit multipart
    /// parts instead of the messages.
    pub fn with_parts(mut self, parts: Vec<ExplicitPart>) -> HttpClient {
        self.template.parts = parts;
        self
    }

    /// The configured URL, as written (for logs).
    pub fn url_text(&self) -> &str {
        self.template.url.source()
    }

    /// Makes the connection pool now (it is otherwise made on the first
    /// request). Connects nothing.
    pub async fn connect(&self) -> Result<(), Error> {
        self.pool().await.map(|_| ())
    }

    async fn pool(&self) -> Result<&reqwest::Client, Error> {
        self.pool
            .get_or_try_init(|| async {
                let t = &self.transport;
                let alpn = if t.http1_only {
                    vec![b"http/1.1".to_vec()]
                } else {
                    vec![b"h2".to_vec(), b"http/1.1".to_vec()]
                };
                let tls = t.tls.rustls_config(alpn).await?;
                if t.tls.skips_verification() {
                    crate::log::warn(&format!(
                        "http client for {}: tls.skip_cert_verify is true: server certificates are NOT verified",
                        self.url_text()
                    ));
                }
                let redirects = if t.follow_redirects {
                    reqwest::redirect::Policy::limited(10)
                } else {
                    reqwest::redirect::Policy::none()
                };
                let mut builder = reqwest::Client::builder()
                    .tls_backend_preconfigured(tls)
                    .redirect(redirects);
                if !t.timeout.is_zero() {
                    builder = builder.timeout(t.timeout);
                }
                if t.http1_only {
                    builder = builder.http1_only();
                }
                if let Some(proxy) = &t.proxy {
                    builder = builder.proxy(proxy.clone());
                }
                builder
                    .build()
                    .map_err(|e| Error::fatal(format!("cannot make the HTTP client: {e}")))
            })
            .await
    }

    /// Sends one request made of `batch` (one message: its content; more:
    /// a multipart body), retrying as configured; the response's messages
    /// on success.
    pub async fn send(&self, batch: &[Message]) -> Result<Vec<Message>, Failure> {
        let prepared = self.template.prepare(batch)?;
        let pool = self.pool().await?;
        let mut backoff = self.retry_period;
        let mut attempt = 0u32;
        loop {
            self.wait_for_access().await;
            let (pause, failure) = match self.attempt(pool, &prepared).await {
                Ok((code, headers, body)) => {
                    let url = prepared.url.as_str();
                    match self.policy.classify(code) {
                        Verdict::Success => {
                            return response::to_messages(code, &headers, body, &self.extract)
                                .map_err(|error| Failure {
                                    error,
                                    status: Some(code),
                                });
                        }
                        Verdict::Drop => {
                            return Err(Failure {
                                error: Error::rejected(response::unexpected_status(
                                    url, code, &body,
                                )),
                                status: Some(code),
                            });
                        }
                        Verdict::Backoff => {
                            let pause = backoff;
                            backoff = backoff.saturating_mul(2).min(self.max_backoff);
                            (
                                pause,
                                Failure {
                                    error: Error::retryable(response::unexpected_status(
                                        url, code, &body,
                                    )),
                                    status: Some(code),
                                },
                            )
                        }
                        Verdict::Retry => (
                            self.retry_period,
                            Failure {
                                error: Error::retryable(response::unexpected_status(
                                    url, code, &body,
                                )),
                                status: Some(code),
                            },
                        ),
                    }
                }
                Err(error)
                    if error.kind == ErrorKind::Rejected || error.kind == ErrorKind::Fatal =>
                {
                    return Err(error.into());
                }
                Err(error) => (self.retry_period, Failure::from(error)),
            };
            if attempt >= self.retries {
                return Err(failure);
            }
            attempt += 1;
            tokio::time::sleep(pause).await;
        }
    }

    /// Waits until the rate limit (if any) grants an access.
    async fn wait_for_access(&self) {
        let Some(limit) = &self.rate_limit else {
            return;
        };
        loop {
            match limit.access().await {
                Ok(None) => return,
                Ok(Some(wait)) => tokio::time::sleep(wait).await,
                Err(e) => {
                    crate::log::error(&format!("http client: rate limit error: {e}"));
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// One exchange: the signed request, its status, headers and body.
    async fn attempt(
        &self,
        pool: &reqwest::Client,
        prepared: &Prepared,
    ) -> Result<(u16, HeaderMap, Vec<u8>), Error> {
        let mut request = prepared.clone();
        self.signer.sign(&mut request)?;
        if let Some(oauth2) = &self.oauth2 {
            request
                .headers
                .insert(AUTHORIZATION, oauth2.authorization(pool).await?);
        }
        let started = Instant::now();
        let result = async {
            let response = pool
                .request(request.method.clone(), request.url.clone())
                .headers(request.headers.clone())
                .body(request.body.clone())
                .send()
                .await
                .map_err(|e| {
                    if e.is_builder() {
                        Error::rejected(format!("cannot make the HTTP request: {e}"))
                    } else {
                        response::transport_error(&e).with_context(request.url.as_str())
                    }
                })?;
            let code = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response::read_body(response, self.max_response_bytes).await?;
            Ok::<_, Error>((code, headers, body))
        }
        .await;
        if let Some(dump) = &self.dump {
            let exchange = match &result {
                Ok((status, headers, body)) => Exchange::Response {
                    status: *status,
                    headers,
                    body,
                },
                Err(e) => Exchange::Error(&e.message),
            };
            dump.log(&request, exchange, started.elapsed());
        }
        result
    }
}

/// At most one auth method sets `Authorization`; the settings of a
/// disabled one are ignored, with a warning (as Benthos ignores them).
fn check_auth(cfg: &ClientConfig, ctx: &Build<'_>) -> Result<(), BuildError> {
    let blocks = [
        (
            "oauth",
            cfg.oauth.enabled,
            !(cfg.oauth.consumer_key.is_empty()
                && cfg.oauth.consumer_secret.is_empty()
                && cfg.oauth.access_token.is_empty()
                && cfg.oauth.access_token_secret.is_empty()),
        ),
        (
            "oauth2",
            cfg.oauth2.enabled,
            !(cfg.oauth2.client_key.is_empty()
                && cfg.oauth2.client_secret.is_empty()
                && cfg.oauth2.token_url.is_empty()
                && cfg.oauth2.scopes.is_empty()
                && cfg.oauth2.endpoint_params.is_empty()),
        ),
        (
            "basic_auth",
            cfg.basic_auth.enabled,
            !(cfg.basic_auth.username.is_empty() && cfg.basic_auth.password.is_empty()),
        ),
        (
            "jwt",
            cfg.jwt.enabled,
            !(cfg.jwt.private_key_file.is_empty()
                && cfg.jwt.signing_method.is_empty()
                && cfg.jwt.claims.is_empty()
                && cfg.jwt.headers.is_empty()),
        ),
    ];
    let enabled: Vec<&str> = blocks.iter().filter(|b| b.1).map(|b| b.0).collect();
    if let [first, second, ..] = enabled.as_slice() {
        return Err(ctx.field_error(
            &format!("{second}.enabled"),
            format!("`{first}` and `{second}` both set the Authorization header; enable only one"),
        ));
    }
    for (name, on, set) in blocks {
        if !on && set {
            warn_disabled(ctx, name, &format!("{name}.enabled"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
