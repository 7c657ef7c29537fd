//! The `http_server` input: each request becomes a transaction, and the
//! response waits for its acknowledgement (runtime.md §3–4).

use crate::txn::{ResponseStore, Transaction};
use axum::body::{Body, Bytes};
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{ConnectInfo, RawPathParams, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tarn_lang::value::Value;
use tarn_lang::{Interpolation, Message, Vm};
use tokio::sync::{mpsc, watch};

/// The configuration of one `http_server` input.
#[derive(Debug)]
pub struct HttpServerInput {
    /// The route; `{name}` segments become metadata, a trailing `/`
    /// matches as a prefix.
    pub path: String,
    /// Accepted methods, upper case.
    pub allowed_verbs: Vec<String>,
    /// How long a request may wait to be accepted, and then to be acked.
    pub timeout: Duration,
    /// The response status, interpolated against the response message.
    pub status: Interpolation,
    /// Response headers, interpolated.
    pub headers: Vec<(String, Interpolation)>,
    /// Metadata keys with these prefixes become response headers.
    pub metadata_prefixes: Vec<String>,
}

/// What a request handler needs.
#[derive(Debug, Clone)]
pub struct HttpState {
    /// The input's settings.
    pub input: Arc<HttpServerInput>,
    /// The pipeline's entrance.
    pub tx: mpsc::Sender<Transaction>,
    /// True once shutdown has begun.
    pub stopping: watch::Receiver<bool>,
}

fn plain(status: StatusCode, body: impl Into<String>) -> Response {
    (status, body.into()).into_response()
}

/// Serves one request.
pub async fn handle(
    State(st): State<HttpState>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if *st.stopping.borrow() {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "Server is shutting down");
    }
    if !st.input.allowed_verbs.iter().any(|v| v == method.as_str()) {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
    }
    let mut msg = Message::new(&body);
    {
        let meta = msg.meta_mut();
        let user_agent = headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        meta.insert("http_server_user_agent", Value::str(user_agent));
        meta.insert("http_server_request_path", Value::str(uri.path()));
        meta.insert("http_server_verb", Value::str(method.as_str()));
        meta.insert(
            "http_server_remote_ip",
            Value::str(&remote.ip().to_string()),
        );
        for name in headers.keys() {
            if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
                meta.insert(canonical_header(name.as_str()), Value::str(v));
            }
        }
        for (k, v) in query_pairs(uri.query().unwrap_or("")) {
            meta.insert(k, Value::str(&v));
        }
        if let Ok(params) = &params {
            for (k, v) in params {
                meta.insert(k, Value::str(v));
            }
        }
    }
    let store = ResponseStore::new();
    let (txn, done) = Transaction::new(vec![msg], Some(store.clone()));
    let deadline = tokio::time::Instant::now() + st.input.timeout;
    match tokio::time::timeout_at(deadline, st.tx.send(txn)).await {
        Ok(Ok(())) => {}
        Ok(Err(_)) => return plain(StatusCode::SERVICE_UNAVAILABLE, "Server is shutting down"),
        Err(_) => return plain(StatusCode::REQUEST_TIMEOUT, "Request timed out"),
    }
    let outcome = match tokio::time::timeout_at(deadline, done).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("the message was dropped before it was delivered".to_string()),
        Err(_) => return plain(StatusCode::REQUEST_TIMEOUT, "Request timed out"),
    };
    if let Err(e) = outcome {
        return plain(StatusCode::BAD_GATEWAY, e);
    }
    match store.take() {
        None => StatusCode::OK.into_response(),
        Some(batch) if batch.is_empty() => StatusCode::OK.into_response(),
        Some(batch) => respond(&st.input, &batch),
    }
}

/// Builds the response from the stored batch (one message: its body; more:
/// a multipart body).
fn respond(input: &HttpServerInput, batch: &[Message]) -> Response {
    let mut vm = Vm::new();
    let status_text = match input.status.render(&mut vm, batch, 0) {
        Ok(s) => s,
        Err(e) => return plain(StatusCode::BAD_GATEWAY, format!("status: {e}")),
    };
    let Some(status) = status_text
        .trim()
        .parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
    else {
        return plain(
            StatusCode::BAD_GATEWAY,
            format!("status: `{status_text}` is not an HTTP status code"),
        );
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &input.headers {
        let Ok(text) = value.render(&mut vm, batch, 0) else {
            continue;
        };
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&text),
        ) {
            headers.insert(n, v);
        }
    }
    if let Some(first) = batch.first() {
        for (k, v) in first.meta().iter() {
            if input
                .metadata_prefixes
                .iter()
                .any(|p| k.starts_with(p.as_str()))
                && let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(&tarn_lang::convert::to_display_string(v)),
                )
            {
                headers.insert(n, v);
            }
        }
    }
    let body = if let [only] = batch {
        Body::from(only.content().as_bytes().to_vec())
    } else {
        let boundary = "tarn-multipart-boundary";
        let mut out = Vec::new();
        for m in batch {
            out.extend_from_slice(format!("--{boundary}\r\n\r\n").as_bytes());
            out.extend_from_slice(m.content().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        if let Ok(v) = HeaderValue::from_str(&format!("multipart/mixed; boundary={boundary}")) {
            headers.insert(axum::http::header::CONTENT_TYPE, v);
        }
        Body::from(out)
    };
    (status, headers, body).into_response()
}

/// `content-type` → `Content-Type`, as Go's HTTP server presents names.
fn canonical_header(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(c) => {
                    c.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Decodes `a=1&b=x%20y` (the first value of a repeated key wins).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (percent_decode(k), percent_decode(v));
        if !out.iter().any(|(seen, _)| *seen == k) {
            out.push((k, v));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or(""), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_queries() {
        assert_eq!(canonical_header("content-type"), "Content-Type");
        assert_eq!(canonical_header("x-api-KEY"), "X-Api-Key");
        assert_eq!(
            query_pairs("a=1&b=x%20y+z&a=2&c"),
            vec![
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), "x y z".to_string()),
                ("c".to_string(), String::new()),
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
