//! The `http_client` output: one request per message, with Benthos's
//! status classification, retries with backoff, a bound on requests in
//! flight, and `propagate_response` to turn a pipeline into a proxy.

use crate::component::{Batch, Error, Responses, split_by_store};
use crate::config::types::Interp;
use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;
use tarn_lang::value::{Blob, Value};
use tarn_lang::{Message, Vm};
use tokio::sync::Semaphore;

/// The configuration and connection pool of one `http_client` output.
#[derive(Debug)]
pub struct HttpClient {
    /// Where to send, per message.
    pub url: Interp,
    /// The request method.
    pub verb: Method,
    /// Extra headers, per message.
    pub headers: Vec<(String, Interp)>,
    /// Metadata keys with these prefixes are sent as headers.
    pub metadata_prefixes: Vec<String>,
    /// Per-attempt deadline.
    pub timeout: Duration,
    /// Pause before a retry.
    pub retry_period: Duration,
    /// The longest backoff pause.
    pub max_retry_backoff: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Codes that retry with exponential backoff.
    pub backoff_on: Vec<u16>,
    /// Codes that fail at once.
    pub drop_on: Vec<u16>,
    /// Codes that count as success besides 2xx.
    pub successful_on: Vec<u16>,
    /// Store the response as the message and as the sync response.
    pub propagate_response: bool,
    /// Response headers with these prefixes become metadata.
    pub extract_prefixes: Vec<String>,
    /// Bounds concurrent requests.
    pub in_flight: Semaphore,
    /// The connection pool.
    pub client: Client<HttpConnector, Full<Bytes>>,
    /// `Authorization: Basic …` from `basic_auth`, when enabled.
    pub authorization: Option<String>,
}

/// The `Authorization` value for HTTP basic authentication.
pub fn basic_authorization(username: &str, password: &str) -> String {
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    format!("Basic {token}")
}

/// A new connection pool.
pub fn new_client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

/// What one attempt came to.
enum Attempt {
    Done(u16, Vec<(String, String)>, Bytes),
    Retry(String),
    Backoff(String),
    Fail(String),
}

impl HttpClient {
    /// Sends every message of the batch; resolves when all are delivered.
    pub async fn write(&self, batch: Batch, stores: &Responses) -> Result<(), Error> {
        let mut responses = Vec::with_capacity(batch.len());
        for i in 0..batch.len() {
            responses.push(self.send_one(&batch, i).await?);
        }
        if self.propagate_response {
            for (store, part) in split_by_store(&responses, stores) {
                store.set(part);
            }
        }
        Ok(())
    }

    /// Sends message `index`, retrying per the classification; returns
    /// the message the response makes.
    async fn send_one(&self, batch: &[Message], index: usize) -> Result<Message, Error> {
        let request = self.build(batch, index).map_err(Error::rejected)?;
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|_| Error::closed())?;
        let mut attempt = 0u32;
        let mut backoff = self.retry_period;
        loop {
            let outcome = self.attempt(&request).await;
            let (retry_in, why) = match outcome {
                Attempt::Done(code, headers, body) => {
                    return Ok(self.response_message(&batch[index], code, &headers, body));
                }
                Attempt::Fail(why) => return Err(Error::rejected(why)),
                Attempt::Retry(why) => (self.retry_period, why),
                Attempt::Backoff(why) => {
                    let pause = backoff;
                    backoff = (backoff * 2).min(self.max_retry_backoff);
                    (pause, why)
                }
            };
            if attempt >= self.retries {
                return Err(Error::retryable(why));
            }
            attempt += 1;
            tokio::time::sleep(retry_in).await;
        }
    }

    fn build(&self, batch: &[Message], index: usize) -> Result<Request<Full<Bytes>>, String> {
        let mut vm = Vm::new();
        let url = self
            .url
            .render(&mut vm, batch, index)
            .map_err(|e| format!("url: {e}"))?;
        let msg = &batch[index];
        let mut builder = Request::builder()
            .method(self.verb.clone())
            .uri(url.as_str());
        if let Some(auth) = &self.authorization {
            builder = builder.header(axum::http::header::AUTHORIZATION, auth.as_str());
        }
        for (k, v) in msg.meta().iter() {
            if self
                .metadata_prefixes
                .iter()
                .any(|p| k.starts_with(p.as_str()))
            {
                builder = builder.header(k.as_str(), tarn_lang::convert::to_display_string(v));
            }
        }
        for (name, value) in &self.headers {
            let text = value
                .render(&mut vm, batch, index)
                .map_err(|e| format!("header {name}: {e}"))?;
            let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&text),
            ) else {
                return Err(format!("header {name}: not a valid header"));
            };
            builder = builder.header(n, v);
        }
        builder
            .body(Full::new(Bytes::copy_from_slice(msg.content().as_bytes())))
            .map_err(|e| format!("request to {url}: {e}"))
    }

    async fn attempt(&self, request: &Request<Full<Bytes>>) -> Attempt {
        let mut req = Request::builder()
            .method(request.method().clone())
            .uri(request.uri().clone());
        for (k, v) in request.headers() {
            req = req.header(k, v);
        }
        let Ok(req) = req.body(request.body().clone()) else {
            return Attempt::Fail("could not rebuild the request".into());
        };
        let sent = tokio::time::timeout(self.timeout, async {
            let resp = self.client.request(req).await.map_err(|e| e.to_string())?;
            let (parts, body) = resp.into_parts();
            let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
            Ok::<_, String>((parts, bytes))
        })
        .await;
        let (parts, body) = match sent {
            Err(_) => return Attempt::Retry(format!("request to {} timed out", request.uri())),
            Ok(Err(e)) => {
                return Attempt::Retry(format!("request to {} failed: {e}", request.uri()));
            }
            Ok(Ok(r)) => r,
        };
        let code = parts.status.as_u16();
        let headers = parts
            .headers
            .iter()
            .filter_map(|(k, v)| {
                v.to_str()
                    .ok()
                    .map(|v| (k.as_str().to_string(), v.to_string()))
            })
            .collect();
        let why = || {
            let reason = StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            format!(
                "HTTP request returned unexpected response code ({code}): {code} {reason}, body: {}",
                String::from_utf8_lossy(&body).trim()
            )
        };
        if self.drop_on.contains(&code) {
            Attempt::Fail(why())
        } else if self.backoff_on.contains(&code) {
            Attempt::Backoff(why())
        } else if self.successful_on.contains(&code) || (200..300).contains(&code) {
            Attempt::Done(code, headers, body)
        } else {
            Attempt::Retry(why())
        }
    }

    /// The message a response makes: with `propagate_response`, its body
    /// and `http_status_code` plus the extracted headers as metadata.
    fn response_message(
        &self,
        original: &Message,
        code: u16,
        headers: &[(String, String)],
        body: Bytes,
    ) -> Message {
        let mut msg = original.clone();
        if !self.propagate_response {
            return msg;
        }
        msg.set_content(Blob::new(&body));
        let meta = msg.meta_mut();
        meta.insert("http_status_code", Value::str(&code.to_string()));
        for (k, v) in headers {
            if self
                .extract_prefixes
                .iter()
                .any(|p| k.starts_with(&p.to_lowercase()))
            {
                meta.insert(k.as_str(), Value::str(v));
            }
        }
        msg
    }
}
