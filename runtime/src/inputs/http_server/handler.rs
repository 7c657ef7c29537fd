//! Serving requests for the `http_server` input: the routes, the request
//! lifecycle (rate limit, body, transaction, waiting for the ack) and the
//! request metadata (runtime.md §3).

use super::multipart;
use super::response::{self, Accepts, Reply};
use super::HttpServerInput;
use crate::component::{AckHandle, Error, ResponseStore, Transaction};
use crate::http::server::TlsInfo;
use crate::pipeline::inline::Inline;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::header::{CONTENT_TYPE, COOKIE};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::any;
use std::net::SocketAddr;
use std::sync::Arc;
use tarn_lang::Message;
use tarn_lang::value::{Arc as MetaArc, Map, Value};
use tokio::sync::{mpsc, oneshot, watch};

impl HttpServerInput {
    /// Whether metadata `key` is copied to the response headers.
    pub fn copies_metadata(&self, key: &str) -> bool {
        self.metadata_prefixes
            .iter()
            .any(|p| key.starts_with(p.as_str()))
            || self.metadata_patterns.iter().any(|r| r.is_match(key))
    }
}

/// What a request handler needs.
#[derive(Debug, Clone)]
pub struct HttpState {
    /// The input's settings.
    pub input: Arc<HttpServerInput>,
    /// The pipeline's entrance.
    pub tx: mpsc::Sender<Transaction>,
    /// When set, requests' transactions run in their own tasks with this
    /// runner instead of going through `tx`.
    pub inline: Option<Arc<Inline>>,
    /// True once shutdown has begun: new requests are refused.
    pub stopping: watch::Receiver<bool>,
    /// True once this stream is being stopped, also when it is replaced
    /// or deleted in streams mode: open WebSocket connections close.
    pub retired: watch::Receiver<bool>,
}

/// A transaction for a request's batch (answered through `store`, when
/// given) and the receiver its outcome arrives on.
pub fn transaction(
    batch: Vec<Message>,
    store: Option<Arc<ResponseStore>>,
) -> (Transaction, oneshot::Receiver<Result<(), Error>>) {
    let (tx, rx) = oneshot::channel();
    let ack = AckHandle::new(move |outcome| {
        // The request may have given up waiting (a timeout).
        let _ = tx.send(outcome);
    });
    let t = match store {
        Some(store) => Transaction::with_response(batch, ack, store),
        None => Transaction::new(batch, ack),
    };
    (t, rx)
}

/// Adds the input's route (and, for a trailing `/`, its prefix route) to
/// `app`, each under `prefix` (empty, or `/{stream id}` in streams mode);
/// the WebSocket route too when `ws`.
pub fn add_routes(app: Router, state: HttpState, prefix: &str, ws: bool) -> Result<Router, String> {
    for (field, path) in [
        ("path", &state.input.path),
        ("ws_path", &state.input.ws_path),
    ] {
        if !path.is_empty() && !path.starts_with('/') {
            return Err(format!(
                "input.http_server.{field}: `{path}` must start with `/`"
            ));
        }
    }
    // The router refuses clashing or malformed routes by panicking; turn
    // that into an error naming the input's paths.
    let paths = format!(
        "`{prefix}{}` / `{prefix}{}`",
        state.input.path, state.input.ws_path
    );
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        routes(app, state, prefix, ws)
    }))
    .map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("invalid route");
        format!("input.http_server: the routes {paths} cannot be served: {why}")
    })
}

/// The routes an input serves under `prefix`, each with whether it is
/// the WebSocket route: its path (for a trailing `/`, the stem and a
/// catch-all below it) and, when `ws`, its `ws_path`. Streams mode
/// compares these to find collisions between streams.
pub fn route_patterns(input: &HttpServerInput, prefix: &str, ws: bool) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let path = format!("{prefix}{}", input.path);
    let route = match path.strip_suffix('/') {
        Some(stem) => {
            out.push((format!("{stem}/{{*tarn_rest}}"), false));
            if stem.is_empty() {
                "/".to_string()
            } else {
                stem.to_string()
            }
        }
        None => path,
    };
    let ws_route = format!("{prefix}{}", input.ws_path);
    if ws && !input.ws_path.is_empty() && ws_route != route {
        out.push((ws_route, true));
    }
    out.push((route, false));
    out
}

fn routes(mut app: Router, state: HttpState, prefix: &str, ws: bool) -> Router {
    // Shared, so a request clones one pointer rather than each field.
    let state = Arc::new(state);
    for (route, is_ws) in route_patterns(&state.input, prefix, ws) {
        app = if is_ws {
            app.route(&route, any(super::ws::handle_ws).with_state(state.clone()))
        } else {
            app.route(&route, any(handle).with_state(state.clone()))
        };
    }
    app
}

/// Serves one request. The request's parts are taken apart by hand
/// rather than by extractors, which would copy its headers and URI.
pub async fn handle(State(st): State<Arc<HttpState>>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let params = RawPathParams::from_request_parts(&mut parts, &()).await.ok();
    let remote = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |c| c.0);
    let tls = parts.extensions.get::<TlsInfo>().cloned();
    // The body under the size limit the request's extensions set (the
    // router's default without one).
    let mut body = Request::new(body);
    *body.extensions_mut() = std::mem::take(&mut parts.extensions);
    let body = Bytes::from_request(body, &()).await;
    let accepts = Accepts::of(&parts.headers);
    let reply = serve(
        &st,
        (remote, tls),
        params,
        &parts.method,
        &parts.uri,
        &parts.headers,
        body,
        accepts,
    )
    .await;
    response::finish(reply, accepts)
}

#[allow(clippy::too_many_arguments)]
async fn serve(
    st: &Arc<HttpState>,
    (remote, tls): (SocketAddr, Option<TlsInfo>),
    params: Option<RawPathParams>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    accepts: Accepts,
) -> Reply {
    let fail = |status, text: &str| response::error(status, text, accepts);
    if *st.stopping.borrow() {
        return fail(StatusCode::SERVICE_UNAVAILABLE, "Server is shutting down");
    }
    if !st.input.allowed_verbs.iter().any(|v| v == method.as_str()) {
        return fail(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
    }
    if let Some(limit) = &st.input.rate_limit {
        match limit.access().await {
            Ok(None) => {}
            Ok(Some(wait)) => return response::too_many(wait, accepts),
            Err(e) => {
                return fail(
                    StatusCode::BAD_GATEWAY,
                    &format!("Rate limit failed: {e}"),
                );
            }
        }
    }
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return fail(e.status(), &e.body_text());
        }
        Err(e) => {
            return fail(
                StatusCode::BAD_REQUEST,
                &format!("Failed to read the request body: {}", e.body_text()),
            );
        }
    };
    let request_meta = MetaArc::new(request_metadata(
        (remote, tls),
        params.as_ref(),
        method,
        uri,
        headers,
    ));
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let batch = match multipart::boundary(content_type) {
        None => vec![with_meta(&body, &request_meta, &[])],
        Some(Err(e)) => {
            return fail(
                StatusCode::BAD_REQUEST,
                &format!("Bad multipart request: {e}"),
            );
        }
        Some(Ok(boundary)) => match multipart::parse(&body, &boundary) {
            Ok(parts) => parts
                .iter()
                .map(|p| with_meta(&p.body, &request_meta, &p.headers))
                .collect(),
            Err(e) => {
                return fail(
                    StatusCode::BAD_REQUEST,
                    &format!("Bad multipart request: {e}"),
                );
            }
        },
    };
    if batch.is_empty() {
        return response::ok();
    }
    let store = ResponseStore::new();
    let (txn, done) = transaction(batch, Some(store.clone()));
    // One timer covers handing the request over and waiting for its
    // outcome.
    let delivered = async {
        match &st.inline {
            // The pipeline's input is gone (it was dropped, or its stop
            // timed out): nothing runs requests any more.
            _ if st.tx.is_closed() => return None,
            Some(inline) => inline.run(txn).await,
            None => {
                if st.tx.send(txn).await.is_err() {
                    return None;
                }
            }
        }
        Some(done.await.unwrap_or_else(|_| Err(Error::dropped())))
    };
    let outcome = match tokio::time::timeout(st.input.timeout, delivered).await {
        Ok(Some(result)) => result,
        Ok(None) => return fail(StatusCode::SERVICE_UNAVAILABLE, "Server is shutting down"),
        Err(_) => return fail(StatusCode::REQUEST_TIMEOUT, "Request timed out"),
    };
    if let Err(e) = outcome {
        return fail(StatusCode::BAD_GATEWAY, &e.message);
    }
    match store.take() {
        Some(batch) if !batch.is_empty() => response::stored(&st.input, &batch, accepts),
        _ => response::ok(),
    }
}

/// The request's metadata, set in the order runtime.md §3 gives (a later
/// key of the same name wins): request facts (with the TLS version and
/// cipher suite on HTTPS, as Benthos), headers (first value), query
/// parameters, path parameters, cookies.
fn request_metadata(
    (remote, tls): (SocketAddr, Option<TlsInfo>),
    params: Option<&RawPathParams>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Map {
    // The request facts, then about one entry per header.
    let mut meta = Map::with_capacity(6 + headers.len());
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    meta.insert("http_server_user_agent", Value::str(user_agent));
    meta.insert("http_server_request_path", Value::str(uri.path()));
    meta.insert("http_server_verb", Value::str(method.as_str()));
    meta.insert("http_server_remote_ip", ip_text(remote.ip()));
    if let Some(tls) = tls {
        meta.insert("http_server_tls_version", Value::str(tls.version));
        meta.insert("http_server_tls_cipher_suite", Value::str(&tls.cipher_suite));
    }
    for name in headers.keys() {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            meta.insert(canonical_header(name.as_str()), Value::str(v));
        }
    }
    for (k, v) in query_pairs(uri.query().unwrap_or("")) {
        meta.insert(k, Value::str(&v));
    }
    if let Some(params) = params {
        for (k, v) in params {
            meta.insert(k, Value::str(v));
        }
    }
    for header in headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()) {
        for (k, v) in cookies(header) {
            meta.insert(k, Value::str(&v));
        }
    }
    meta
}

/// The client's address as text (IPv4 without the formatting machinery:
/// it is written for every request).
fn ip_text(ip: std::net::IpAddr) -> Value {
    let std::net::IpAddr::V4(v4) = ip else {
        return Value::str(&ip.to_string());
    };
    let mut text = [0u8; 15];
    let mut len = 0;
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            text[len] = b'.';
            len += 1;
        }
        let digits = [octet / 100, octet / 10 % 10, octet % 10];
        let skip = if octet >= 100 { 0 } else if octet >= 10 { 1 } else { 2 };
        for d in &digits[skip..] {
            text[len] = b'0' + d;
            len += 1;
        }
    }
    Value::str(std::str::from_utf8(&text[..len]).unwrap_or_default())
}

/// A message with the request metadata (shared, not copied), then the
/// part headers (a multipart part's own headers are the most specific).
fn with_meta(body: &[u8], request: &MetaArc<Map>, part: &[(String, String)]) -> Message {
    let mut msg = Message::new(body);
    msg.set_meta(request.clone());
    if !part.is_empty() {
        let meta = msg.meta_mut();
        for (k, v) in part {
            meta.insert(canonical_header(k), Value::str(v));
        }
    }
    msg
}

/// The `name=value` pairs of one `Cookie` header (quotes around a value
/// are dropped; malformed pairs are skipped).
fn cookies(header: &str) -> Vec<(String, String)> {
    header
        .split(';')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let k = k.trim();
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(v);
            (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// `content-type` → `Content-Type`, as Go's HTTP server presents names.
fn canonical_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut word_start = true;
    for c in name.chars() {
        out.push(if word_start {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        word_start = c == '-';
    }
    out
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
        for ip in ["0.0.0.0", "10.0.0.1", "127.0.0.1", "192.168.100.255", "::1"] {
            let parsed: std::net::IpAddr = ip.parse().expect("ip");
            assert_eq!(ip_text(parsed), Value::str(ip));
        }
    }

    #[test]
    fn cookies_are_split_into_pairs() {
        assert_eq!(
            cookies("a=1; b=\"two\";bad; =x; c="),
            vec![
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), "two".to_string()),
                ("c".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn metadata_follows_the_documented_order() {
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", "ua".parse().expect("value"));
        headers.insert("x-key", "header".parse().expect("value"));
        headers.insert("cookie", "X-Key=cookie; id=c".parse().expect("value"));
        let uri: Uri = "/p/7?X-Key=query&id=q&ua=1".parse().expect("uri");
        let remote: SocketAddr = "10.0.0.1:5".parse().expect("addr");
        let meta = request_metadata((remote, None), None, &Method::POST, &uri, &headers);
        let keys: Vec<&str> = meta.iter().map(|(k, _)| k.as_str()).collect();
        for key in [
            "http_server_user_agent",
            "http_server_request_path",
            "http_server_verb",
            "http_server_remote_ip",
            "User-Agent",
            "X-Key",
            "Cookie",
            "id",
            "ua",
        ] {
            assert!(keys.contains(&key), "{key} missing from {keys:?}");
        }
        let msg = with_meta(
            b"",
            &MetaArc::new(meta),
            &[("x-part".to_string(), "p".to_string())],
        );
        let get = |k: &str| msg.meta().get(k).map(tarn_lang::convert::to_display_string);
        assert_eq!(get("X-Key").as_deref(), Some("cookie"));
        assert_eq!(get("id").as_deref(), Some("c"));
        assert_eq!(get("http_server_remote_ip").as_deref(), Some("10.0.0.1"));
        assert_eq!(get("X-Part").as_deref(), Some("p"));
    }
}
