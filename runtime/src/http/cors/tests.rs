//! CORS answers over real sockets.

use super::*;
use crate::http::server::{RunningServer, ServerOptions, serve};
use crate::http::test_support::plain_request;
use axum::routing::get;

fn config(origins: &[&str], headers: &[&str]) -> CorsConfig {
    CorsConfig {
        enabled: true,
        allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
        allowed_headers: headers.iter().map(|s| s.to_string()).collect(),
    }
}

async fn server(cors: &CorsConfig) -> RunningServer {
    let cors = Cors::from_config(cors, "http.cors")
        .expect("valid")
        .expect("enabled");
    let app = Router::new().route(
        "/x",
        get(|| async { "data" })
            .post(|| async { "posted" })
            .options(|| async { "route options" }),
    );
    serve("127.0.0.1:0", cors.wrap(app), ServerOptions::default())
        .await
        .expect("binds")
}

/// Status, lower-cased headers and body of one request.
async fn send(
    server: &RunningServer,
    method: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, String) {
    let mut request = format!("{method} /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("Content-Length: 0\r\n\r\n");
    let reply = plain_request(server.local_addr(), &request)
        .await
        .expect("reply");
    let (head, body) = reply.split_once("\r\n\r\n").expect("head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn cors_headers(headers: &[(String, String)]) -> Vec<&str> {
    headers
        .iter()
        .filter(|(k, _)| k.starts_with("access-control-"))
        .map(|(k, _)| k.as_str())
        .collect()
}

#[tokio::test]
async fn allowed_origins_get_headers_others_none() {
    let s = server(&config(&["https://a.example", "https://b.example"], &[])).await;
    let (status, h, body) = send(&s, "GET", &[("Origin", "https://a.example")]).await;
    assert_eq!((status, body.as_str()), (200, "data"));
    assert_eq!(
        header(&h, "access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(header(&h, "vary"), Some("Origin"));

    let (status, h, body) = send(&s, "POST", &[("Origin", "https://evil.example")]).await;
    assert_eq!((status, body.as_str()), (200, "posted"));
    assert!(cors_headers(&h).is_empty(), "{h:?}");
    let (_, h, _) = send(&s, "GET", &[]).await;
    assert!(cors_headers(&h).is_empty(), "{h:?}");
    s.shutdown().await;
}

#[tokio::test]
async fn preflights_follow_gorilla() {
    let s = server(&config(
        &["https://a.example"],
        &["content-type", "X-Token"],
    ))
    .await;
    let origin = ("Origin", "https://a.example");

    let (status, h, body) = send(
        &s,
        "OPTIONS",
        &[
            origin,
            ("Access-Control-Request-Method", "PUT"),
            (
                "Access-Control-Request-Headers",
                "Content-Type, accept, x-token",
            ),
        ],
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (200, ""),
        "answered here, not by the route"
    );
    assert_eq!(
        header(&h, "access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(
        header(&h, "access-control-allow-headers"),
        Some("Content-Type,X-Token")
    );
    assert_eq!(header(&h, "access-control-allow-methods"), Some("PUT"));
    assert_eq!(header(&h, "vary"), None, "one origin: no Vary");

    let (status, h, _) = send(
        &s,
        "OPTIONS",
        &[origin, ("Access-Control-Request-Method", "POST")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&h, "access-control-allow-methods"),
        None,
        "POST is simple"
    );
    assert_eq!(header(&h, "access-control-allow-headers"), None);

    let (status, _, _) = send(&s, "OPTIONS", &[origin]).await;
    assert_eq!(status, 400, "no Access-Control-Request-Method");
    let (status, _, _) = send(
        &s,
        "OPTIONS",
        &[origin, ("Access-Control-Request-Method", "TRACE")],
    )
    .await;
    assert_eq!(status, 405);
    let (status, _, _) = send(
        &s,
        "OPTIONS",
        &[
            origin,
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "X-Other"),
        ],
    )
    .await;
    assert_eq!(status, 403);

    // Another origin's preflight: an empty 200 without CORS headers.
    let (status, h, body) = send(
        &s,
        "OPTIONS",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "PUT"),
        ],
    )
    .await;
    assert_eq!((status, body.as_str()), (200, ""));
    assert!(cors_headers(&h).is_empty(), "{h:?}");
    s.shutdown().await;
}

#[tokio::test]
async fn wildcards_allow_any_origin_and_header() {
    let s = server(&config(&["*"], &["*"])).await;
    let (_, h, _) = send(&s, "GET", &[("Origin", "https://any.example")]).await;
    assert_eq!(header(&h, "access-control-allow-origin"), Some("*"));
    let (status, h, _) = send(
        &s,
        "OPTIONS",
        &[
            ("Origin", "https://any.example"),
            ("Access-Control-Request-Method", "DELETE"),
            ("Access-Control-Request-Headers", "x-anything, X-Else"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&h, "access-control-allow-headers"),
        Some("x-anything, X-Else")
    );
    assert_eq!(header(&h, "access-control-allow-methods"), Some("DELETE"));
    s.shutdown().await;
}

#[test]
fn enabled_without_origins_is_an_error() {
    let e = Cors::from_config(&config(&[], &[]), "input.http_server.cors").expect_err("no origins");
    assert_eq!(
        e.to_string(),
        "input.http_server.cors.allowed_origins: must specify at least one allowed origin"
    );
    let off = CorsConfig::default();
    assert!(Cors::from_config(&off, "http.cors").expect("ok").is_none());
}

#[test]
fn header_names_are_canonicalised_as_go_does() {
    assert_eq!(canonical_header("content-type"), "Content-Type");
    assert_eq!(canonical_header("X-API-KEY"), "X-Api-Key");
    assert_eq!(canonical_header("bad header"), "bad header");
    assert_eq!(canonical_header(""), "");
}
