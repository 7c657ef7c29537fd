//! The client against real servers on 127.0.0.1: status classification
//! and retries, the `http` processor's results and flags, OAuth 2 token
//! caching and its two credential styles, rate limits, proxies, the
//! response cap and mutual TLS.

use crate::component::registry::{Built, Kind};
use crate::component::{ErrorKind, Output, Processor};
use crate::http::server::{RunningServer, ServerOptions, serve};
use crate::testing;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{any, post};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tarn_lang::{Message, Value};

/// Requests seen per path.
#[derive(Clone, Default)]
struct Hits(Arc<Mutex<HashMap<String, usize>>>);

impl Hits {
    fn count(&self, path: &str) {
        *self
            .0
            .lock()
            .expect("hits")
            .entry(path.to_string())
            .or_default() += 1;
    }
    fn of(&self, path: &str) -> usize {
        self.0.lock().expect("hits").get(path).copied().unwrap_or(0)
    }
}

async fn status(State(hits): State<Hits>, Path(code): Path<u16>) -> impl IntoResponse {
    hits.count(&code.to_string());
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    let mut headers = HeaderMap::new();
    if status.is_redirection() {
        headers.insert("location", "/status/200".parse().expect("header"));
    }
    (status, headers, format!("status {code}\nsecond line"))
}

async fn echo(headers: HeaderMap, body: String) -> impl IntoResponse {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_string();
    (
        [("x-up", "1".to_string()), ("x-auth", auth)],
        body.to_uppercase(),
    )
}

async fn upstream() -> (RunningServer, Hits) {
    let hits = Hits::default();
    let app = Router::new()
        .route("/status/{code}", any(status))
        .route("/echo", post(echo))
        .route("/big", any(|| async { "x".repeat(100) }))
        .with_state(hits.clone());
    let server = serve("127.0.0.1:0", app, ServerOptions::default())
        .await
        .expect("binds");
    (server, hits)
}

fn output(yaml: &str, resources: &str) -> Arc<dyn Output> {
    match testing::build(Kind::Output, yaml, resources) {
        Ok(Built::Output(o)) => o,
        other => panic!("{yaml}: {other:?}"),
    }
}

fn fast(url: &str, extra: &str) -> String {
    format!("http_client:\n  url: {url}\n  retry_period: 10ms\n  max_retry_backoff: 40ms\n{extra}")
}

#[tokio::test]
async fn statuses_are_classified_and_retried_as_configured() {
    let (server, hits) = upstream().await;
    let base = format!("http://{}/status", server.local_addr());
    let write = |yaml: String| async move {
        testing::write(&*output(&yaml, ""), testing::batch(&["m"])).await
    };
    let e = write(fast(&format!("{base}/500"), "  drop_on: [500]\n"))
        .await
        .expect_err("dropped");
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert!(e.message.contains("unexpected response code (500): 500 Internal Server Error, Error: status 500second line"), "{e}");
    assert_eq!(hits.of("500"), 1, "drop_on fails without retries");
    let e = write(fast(&format!("{base}/500"), "  retries: 2\n"))
        .await
        .expect_err("retried");
    assert_eq!(e.kind, ErrorKind::Retryable);
    assert_eq!(hits.of("500"), 1 + 3, "a first attempt and two retries");
    let e = write(fast(
        &format!("{base}/503"),
        "  retries: 3\n  backoff_on: [503]\n",
    ))
    .await
    .expect_err("backed off");
    assert_eq!(e.kind, ErrorKind::Retryable);
    assert_eq!(hits.of("503"), 4);
    write(fast(&format!("{base}/404"), "  successful_on: [404]\n"))
        .await
        .expect("404 counts as success");
    assert_eq!(hits.of("404"), 1);
    write(fast(&format!("{base}/302"), ""))
        .await
        .expect("followed");
    assert_eq!(hits.of("200"), 1, "the redirect was followed");
    let e = write(fast(
        &format!("{base}/302"),
        "  follow_redirects: false\n  retries: 0\n",
    ))
    .await
    .expect_err("a redirect is not a success");
    assert!(e.message.contains("(302)"), "{e}");
    write(fast(
        &format!("{base}/302"),
        "  follow_redirects: false\n  successful_on: [302]\n",
    ))
    .await
    .expect("302 as success");
    assert_eq!(hits.of("200"), 1, "not followed");
    server.shutdown().await;
}

fn processor(yaml: &str) -> Arc<dyn Processor> {
    testing::processor(yaml)
}

#[tokio::test]
async fn the_http_processor_replaces_messages_and_flags_failures() {
    let (server, hits) = upstream().await;
    let addr = server.local_addr();
    let p = processor(&format!(
        "http:\n  url: http://{addr}/echo\n  extract_headers:\n    include_prefixes: [x-up]\n"
    ));
    let input = vec![Message::new(b"hello").with_meta("keep", Value::str("me"))];
    let out = testing::run_one(&*p, input).await;
    assert_eq!(testing::contents(&out), ["HELLO"]);
    assert_eq!(
        out[0].meta().get("http_status_code"),
        Some(&Value::Int(200))
    );
    assert_eq!(out[0].meta().get("x-up"), Some(&Value::str("1")));
    assert_eq!(out[0].meta().get("keep"), Some(&Value::str("me")));
    assert!(out[0].error().is_none());
    // One request per message, in order, or all at once.
    for parallel in ["false", "true"] {
        let p = processor(&format!(
            "http:\n  url: http://{addr}/echo\n  parallel: {parallel}\n"
        ));
        let out = testing::run_one(&*p, testing::batch(&["a", "b", "c"])).await;
        assert_eq!(testing::contents(&out), ["A", "B", "C"]);
    }
    let p = processor(&format!(
        "http:\n  url: http://{addr}/status/500\n  retries: 1\n  retry_period: 10ms\n"
    ));
    let out = testing::run_one(&*p, testing::batch(&["kept"])).await;
    assert_eq!(testing::contents(&out), ["kept"], "left as it was");
    assert!(
        out[0].error().is_some_and(|e| e.contains("(500)")),
        "{:?}",
        out[0].error()
    );
    assert_eq!(
        out[0].meta().get("http_status_code"),
        Some(&Value::Int(500))
    );
    assert_eq!(hits.of("500"), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn oauth1_jwt_and_basic_auth_sign_requests() {
    let (server, _) = upstream().await;
    let addr = server.local_addr();
    let auth_of = |extra: &str| {
        let p = processor(&format!(
            "http:\n  url: http://{addr}/echo\n  extract_headers:\n    include_prefixes: [x-auth]\n{extra}"
        ));
        async move {
            let out = testing::run_one(&*p, testing::batch(&["x"])).await;
            match out[0].meta().get("x-auth") {
                Some(Value::Str(s)) => s.to_string(),
                other => panic!("{other:?} {:?}", out[0].error()),
            }
        }
    };
    let basic =
        auth_of("  basic_auth:\n    enabled: true\n    username: u\n    password: p\n").await;
    assert_eq!(basic, "Basic dTpw");
    let oauth = auth_of(
        "  oauth:\n    enabled: true\n    consumer_key: ck\n    consumer_secret: cs\n    access_token: at\n    access_token_secret: ats\n",
    )
    .await;
    assert!(
        oauth.starts_with("OAuth oauth_consumer_key=\"ck\", oauth_nonce=\""),
        "{oauth}"
    );
    assert!(
        oauth.contains("oauth_token=\"at\"") && oauth.contains("oauth_signature=\""),
        "{oauth}"
    );
    let key = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/http/testdata/rsa_pkcs1_key.pem"
    );
    let jwt = auth_of(&format!(
        "  jwt:\n    enabled: true\n    private_key_file: {key}\n    signing_method: RS256\n    claims:\n      sub: tarn\n"
    ))
    .await;
    assert!(jwt.starts_with("Bearer eyJ"), "{jwt}");
    assert_eq!(jwt.matches('.').count(), 2, "{jwt}");
    server.shutdown().await;
}

/// A token endpoint counting requests; `form_only` refuses credentials
/// in the header (as some providers do). Tokens expire after
/// `expires_in` seconds.
async fn token_server(form_only: bool, expires_in: u64) -> (RunningServer, Hits) {
    let hits = Hits::default();
    let h = hits.clone();
    let token = move |headers: HeaderMap, body: String| {
        let h = h.clone();
        async move {
            h.count("token");
            let header = headers.get("authorization").and_then(|v| v.to_str().ok());
            let by_header = header == Some("Basic aWQ6c2VjcmV0"); // id:secret
            let by_form = body.contains("client_id=id") && body.contains("client_secret=secret");
            let grant = body.contains("grant_type=client_credentials")
                && body.contains("scope=a+b")
                && body.contains("audience=api");
            if !grant || !(by_form || (by_header && !form_only)) {
                h.count("refused");
                return (StatusCode::UNAUTHORIZED, "no".to_string()).into_response();
            }
            let n = h.of("token");
            (
                [("content-type", "application/json")],
                format!(
                    r#"{{"access_token":"t{n}","token_type":"bearer","expires_in":{expires_in}}}"#
                ),
            )
                .into_response()
        }
    };
    let app = Router::new()
        .route("/token", post(token))
        .route("/echo", post(echo));
    let server = serve("127.0.0.1:0", app, ServerOptions::default())
        .await
        .expect("binds");
    (server, hits)
}

async fn bearer_after(p: &dyn Processor) -> String {
    let out = testing::run_one(p, testing::batch(&["x"])).await;
    match out[0].meta().get("x-auth") {
        Some(Value::Str(s)) => s.to_string(),
        other => panic!("{other:?}: {:?}", out[0].error()),
    }
}

fn oauth2_processor(addr: std::net::SocketAddr) -> Arc<dyn Processor> {
    processor(&format!(
        "http:\n  url: http://{addr}/echo\n  extract_headers:\n    include_prefixes: [x-auth]\n  oauth2:\n    enabled: true\n    client_key: id\n    client_secret: secret\n    token_url: http://{addr}/token\n    scopes: [a, b]\n    endpoint_params:\n      audience: [api]\n"
    ))
}

#[tokio::test]
async fn oauth2_tokens_are_fetched_once_and_cached_until_they_expire() {
    let (server, hits) = token_server(false, 3600).await;
    let p = oauth2_processor(server.local_addr());
    assert_eq!(bearer_after(&*p).await, "Bearer t1");
    assert_eq!(bearer_after(&*p).await, "Bearer t1");
    assert_eq!(hits.of("token"), 1, "the token is cached");
    server.shutdown().await;
    // A token that expires within the 10 s margin is fetched again.
    let (server, hits) = token_server(false, 5).await;
    let p = oauth2_processor(server.local_addr());
    assert_eq!(bearer_after(&*p).await, "Bearer t1");
    assert_eq!(bearer_after(&*p).await, "Bearer t2");
    assert_eq!(hits.of("token"), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn oauth2_falls_back_to_form_credentials_and_remembers() {
    let (server, hits) = token_server(true, 5).await;
    let p = oauth2_processor(server.local_addr());
    assert_eq!(
        bearer_after(&*p).await,
        "Bearer t2",
        "the header try was refused"
    );
    assert_eq!(hits.of("refused"), 1);
    assert_eq!(bearer_after(&*p).await, "Bearer t3");
    assert_eq!(hits.of("refused"), 1, "the form style is kept");
    server.shutdown().await;
}

#[tokio::test]
async fn a_rate_limit_holds_requests_back() {
    let (server, hits) = upstream().await;
    let out = output(
        &format!(
            "http_client:\n  url: http://{}/status/200\n  rate_limit: one\n",
            server.local_addr()
        ),
        "rate_limit_resources:\n  - label: one\n    local:\n      count: 1\n      interval: 1h\n",
    );
    testing::write(&*out, testing::batch(&["a"]))
        .await
        .expect("first");
    let second = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        testing::write(&*out, testing::batch(&["b"])),
    )
    .await;
    assert!(
        second.is_err(),
        "the second request waits for the next window"
    );
    assert_eq!(hits.of("200"), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn requests_go_through_the_proxy_and_bodies_are_capped() {
    let (server, _) = upstream().await;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let s = seen.clone();
    let proxy_app = Router::new().fallback(move |uri: Uri| {
        let s = s.clone();
        async move {
            s.lock().expect("seen").push(uri.to_string());
            "via proxy"
        }
    });
    let proxy = serve("127.0.0.1:0", proxy_app, ServerOptions::default())
        .await
        .expect("binds");
    let p = processor(&format!(
        "http:\n  url: http://upstream.invalid:81/x?q=1\n  proxy_url: http://{}\n",
        proxy.local_addr()
    ));
    let out = testing::run_one(&*p, testing::batch(&["x"])).await;
    assert_eq!(
        testing::contents(&out),
        ["via proxy"],
        "{:?}",
        out[0].error()
    );
    assert_eq!(
        *seen.lock().expect("seen"),
        ["http://upstream.invalid:81/x?q=1"]
    );
    let out = output(
        &format!(
            "http_client:\n  url: http://{}/big\n  max_response_bytes: 10\n",
            server.local_addr()
        ),
        "",
    );
    let e = testing::write(&*out, testing::batch(&["x"]))
        .await
        .expect_err("too large");
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert!(
        e.message
            .contains("larger than max_response_bytes (10 bytes)"),
        "{e}"
    );
    proxy.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn output_batches_are_one_request_per_message_unless_multipart() {
    let (server, hits) = upstream().await;
    let addr = server.local_addr();
    let url = format!("http://{addr}/status/${{! content() }}");
    let batch = || testing::batch(&["200", "500", "201"]);
    // One after another: the first failure fails the batch.
    let out = output(&format!("http_client:\n  url: {url}\n  retries: 0\n"), "");
    testing::write(&*out, batch())
        .await
        .expect_err("the 500 fails it");
    assert_eq!((hits.of("200"), hits.of("500"), hits.of("201")), (1, 1, 0));
    // All at once: every message is sent.
    let out = output(
        &format!("http_client:\n  url: {url}\n  retries: 0\n  parallel: true\n"),
        "",
    );
    testing::write(&*out, batch())
        .await
        .expect_err("the 500 fails it");
    assert_eq!((hits.of("200"), hits.of("500"), hits.of("201")), (2, 2, 1));
    // Propagated responses go to the input's store, in order.
    let out = output(
        &format!("http_client:\n  url: http://{addr}/echo\n  propagate_response: true\n"),
        "",
    );
    let store = crate::component::ResponseStore::new();
    let mut responses = crate::component::Responses::new();
    responses.push((0, store.clone()));
    out.write(
        testing::batch(&["a", "b"]),
        crate::component::WriteCtx { responses },
    )
    .await
    .expect("written");
    let answer = store.take().expect("a response");
    assert_eq!(testing::contents(&answer), ["A", "B"]);
    assert_eq!(
        answer[1].meta().get("http_status_code"),
        Some(&Value::Int(200))
    );
    server.shutdown().await;
}

#[path = "tests_tls.rs"]
mod tls;
