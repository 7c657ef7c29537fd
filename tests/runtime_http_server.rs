//! The `http_server` input end to end over 127.0.0.1: multipart requests
//! and responses, gzip, rate limits, its own address, metadata, JSON
//! errors and unreadable bodies.

mod common;

use common::{Pipeline, free_port, gunzip, http, http_raw};

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Splits a multipart body (CRLF line ends) into (headers, body) parts.
fn parts(body: &[u8], boundary: &str) -> Vec<(String, Vec<u8>)> {
    let text = String::from_utf8(body.to_vec()).expect("utf-8 body");
    let closing = format!("--{boundary}--\r\n");
    assert!(text.ends_with(&closing), "closing delimiter: {text:?}");
    let inner = text[..text.len() - closing.len()]
        .strip_suffix("\r\n")
        .expect("CRLF before the closing delimiter");
    let opening = format!("--{boundary}\r\n");
    assert!(inner.starts_with(&opening), "opening delimiter: {text:?}");
    inner[opening.len()..]
        .split(&format!("\r\n--{boundary}\r\n"))
        .map(|p| {
            let (head, content) = p.split_once("\r\n\r\n").expect("part header end");
            (head.to_string(), content.as_bytes().to_vec())
        })
        .collect()
}

#[test]
fn a_multipart_request_is_a_batch_and_the_answer_is_multipart() {
    let p = Pipeline::start(
        "multipart",
        "http:\n  address: {ADDR}\ninput:\n  http_server:\n    sync_response:\n      headers:\n        Content-Type: text/plain\n        X-Part: ${! meta(\"X-Id\") }\npipeline:\n  processors:\n    - mapping: root = content().string().uppercase() + \" \" + meta(\"X-Id\") + \" \" + meta(\"http_server_verb\") + \" \" + batch_size().string()\noutput:\n  sync_response: {}\n",
    );
    let body = b"ignored preamble\r\n--b0undary\r\nX-Id: one\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--b0undary\r\nX-Id: two\r\n\r\nsecond part\r\n--b0undary--\r\n";
    let (status, headers, reply) = http(
        &p.addr,
        "POST",
        "/post",
        &[("Content-Type", "multipart/mixed; boundary=\"b0undary\"")],
        body,
    )
    .expect("request");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    let content_type = header(&headers, "content-type").expect("content type");
    let boundary = content_type
        .strip_prefix("multipart/mixed; boundary=")
        .expect("a multipart answer");
    let got = parts(&reply, boundary);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].1, b"FIRST one POST 2");
    assert_eq!(got[1].1, b"SECOND PART two POST 2");
    // Each part carries the headers rendered against its own message.
    assert!(got[0].0.contains("x-part: one"), "{:?}", got[0].0);
    assert!(got[1].0.contains("x-part: two"), "{:?}", got[1].0);
    assert!(
        got[1].0.contains("content-type: text/plain"),
        "{:?}",
        got[1].0
    );

    let (status, _, _) = http(
        &p.addr,
        "POST",
        "/post",
        &[("Content-Type", "multipart/mixed; boundary=b0undary")],
        b"--b0undary\r\nX-Id: one\r\n\r\nno closing boundary",
    )
    .expect("request");
    assert_eq!(status, 400, "a broken multipart body is unreadable");
}

#[test]
fn responses_are_gzipped_when_the_client_accepts_it() {
    let p = Pipeline::start(
        "gzip",
        "http:\n  address: {ADDR}\ninput:\n  http_server: {}\npipeline:\n  processors:\n    - mapping: root = content().string().repeat(50)\noutput:\n  sync_response: {}\n",
    );
    let (status, headers, body) = http(
        &p.addr,
        "POST",
        "/post",
        &[("Accept-Encoding", "br;q=1.0, gzip;q=0.5")],
        b"squeeze me ",
    )
    .expect("request");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    let plain = "squeeze me ".repeat(50);
    assert!(body.len() < plain.len(), "compressed: {}", body.len());
    assert_eq!(gunzip(&body), plain.as_bytes());

    let (status, headers, body) = http(&p.addr, "POST", "/post", &[], b"plain ").expect("request");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), None);
    assert_eq!(body, "plain ".repeat(50).as_bytes());

    let (_, headers, body) = http(
        &p.addr,
        "POST",
        "/post",
        &[("Accept-Encoding", "gzip;q=0")],
        b"refused ",
    )
    .expect("request");
    assert_eq!(header(&headers, "content-encoding"), None);
    assert_eq!(body, "refused ".repeat(50).as_bytes());
}

#[test]
fn a_local_rate_limit_answers_429_with_retry_after() {
    let p = Pipeline::start(
        "ratelimit",
        "http:\n  address: {ADDR}\ninput:\n  http_server:\n    rate_limit: slow\nrate_limit_resources:\n  - label: slow\n    local:\n      count: 2\n      interval: 1h\noutput:\n  drop: {}\n",
    );
    for _ in 0..2 {
        let (status, _, _) = http(&p.addr, "POST", "/post", &[], b"x").expect("request");
        assert_eq!(status, 200);
    }
    let (status, headers, body) = http(&p.addr, "POST", "/post", &[], b"x").expect("request");
    assert_eq!(status, 429, "{}", String::from_utf8_lossy(&body));
    let retry: u64 = header(&headers, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((3500..=3600).contains(&retry), "{retry}");
    let (status, headers, body) = http(
        &p.addr,
        "POST",
        "/post",
        &[("Accept", "application/json")],
        b"x",
    )
    .expect("request");
    assert_eq!(status, 429);
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON error");
    assert_eq!(v["error"], "Too Many Requests");
}

#[test]
fn an_unknown_rate_limit_label_is_refused_at_start() {
    let dir = std::env::temp_dir().join(format!("tarn-hs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("missing-limit.yaml");
    std::fs::write(
        &path,
        "input:\n  http_server:\n    rate_limit: nope\noutput:\n  drop: {}\n",
    )
    .expect("write");
    let o = common::run_tarn(&["run".as_ref(), path.as_os_str()], "");
    assert_ne!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("input.http_server.rate_limit"), "{err}");
    assert!(err.contains("`nope`"), "{err}");
}

#[test]
fn rate_limit_resources_are_linted() {
    let dir = std::env::temp_dir().join(format!("tarn-hs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("limit-good.yaml");
    std::fs::write(
        &good,
        "input:\n  http_server:\n    rate_limit: a\nrate_limit_resources:\n  - label: a\n    local:\n      count: 5\n      interval: 1s\noutput:\n  drop: {}\n",
    )
    .expect("write");
    let o = common::run_tarn(&["lint".as_ref(), good.as_os_str()], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bad = dir.join("limit-bad.yaml");
    std::fs::write(
        &bad,
        "rate_limit_resources:\n  - label: a\n    local:\n      coutn: 5\n      interval: soon\n",
    )
    .expect("write");
    let o = common::run_tarn(&["lint".as_ref(), bad.as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("rate_limit_resources.0.local.coutn"), "{err}");
    assert!(err.contains("count"), "{err}");
    assert!(
        err.contains("rate_limit_resources.0.local.interval"),
        "{err}"
    );
}

#[test]
fn an_input_with_its_own_address_listens_there() {
    let own = format!("127.0.0.1:{}", free_port());
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server:\n    address: {own}\n    path: /in\npipeline:\n  processors:\n    - mapping: root = \"got \" + content()\noutput:\n  sync_response: {{}}\n"
    );
    let p = Pipeline::start("own-address", &config);
    let (status, _, body) = http(&own, "POST", "/in", &[], b"x").expect("request");
    assert_eq!((status, body.as_slice()), (200, b"got x".as_slice()));
    // The service server keeps its endpoints but not the input's route.
    let (status, _, _) = http(&p.addr, "POST", "/in", &[], b"x").expect("request");
    assert_eq!(status, 404);
    let (status, _, body) = http(&p.addr, "GET", "/ping", &[], b"").expect("request");
    assert_eq!((status, body.as_slice()), (200, b"pong".as_slice()));
}

#[test]
fn metadata_order_ends_with_cookies_and_patterns_select_response_headers() {
    let p = Pipeline::start(
        "metadata",
        "http:\n  address: {ADDR}\ninput:\n  http_server:\n    path: /items/{id}\n    sync_response:\n      metadata_headers:\n        include_prefixes: [Pre-]\n        include_patterns: ['^X-Out-\\d+$']\npipeline:\n  processors:\n    - mutation: |\n        meta \"X-Out-1\" = \"one\"\n        meta \"X-Out-a\" = \"not a number\"\n        meta \"Pre-Fix\" = \"prefixed\"\n        root = [meta(\"id\"), meta(\"X-Key\"), meta(\"q\"), meta(\"flavour\"), meta(\"http_server_request_path\")].join(\",\")\noutput:\n  sync_response: {}\n",
    );
    let (status, headers, body) = http(
        &p.addr,
        "POST",
        "/items/path?id=query&X-Key=query&q=1",
        &[
            ("X-Key", "header"),
            ("Cookie", "id=cookie; flavour=\"oat\""),
        ],
        b"",
    )
    .expect("request");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    // id: query < path parameter < cookie; X-Key: header < query.
    assert_eq!(
        String::from_utf8_lossy(&body),
        "cookie,query,1,oat,/items/path"
    );
    assert_eq!(header(&headers, "x-out-1"), Some("one"));
    assert_eq!(header(&headers, "x-out-a"), None);
    assert_eq!(header(&headers, "pre-fix"), Some("prefixed"));
}

#[test]
fn errors_are_json_when_the_client_asks_for_json() {
    let p = Pipeline::start(
        "json-errors",
        "http:\n  address: {ADDR}\ninput:\n  http_server: {}\noutput:\n  file:\n    path: /dev/null/tarn/out.txt\n",
    );
    let (status, headers, body) = http(
        &p.addr,
        "POST",
        "/post",
        &[("Accept", "text/html, application/json")],
        b"x",
    )
    .expect("request");
    assert_eq!(status, 502);
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON error");
    let text = v["error"].as_str().expect("error text");
    assert!(text.contains("/dev/null/tarn/out.txt"), "{text}");

    let (status, _, body) = http(
        &p.addr,
        "GET",
        "/post",
        &[("Accept", "application/json")],
        b"",
    )
    .expect("request");
    assert_eq!(status, 405);
    assert_eq!(body, br#"{"error":"Method not allowed"}"#);
    let (status, _, body) = http(&p.addr, "GET", "/post", &[], b"").expect("request");
    assert_eq!(
        (status, body.as_slice()),
        (405, b"Method not allowed".as_slice())
    );
}

#[test]
fn an_unreadable_body_is_a_400() {
    let p = Pipeline::start(
        "unreadable",
        "http:\n  address: {ADDR}\ninput:\n  http_server: {}\noutput:\n  drop: {}\n",
    );
    // The body ends (the client closes its side) before Content-Length.
    let req = format!(
        "POST /post HTTP/1.1\r\nHost: {}\r\nContent-Length: 100\r\n\r\nonly a little",
        p.addr
    );
    let (status, _, body) = http_raw(&p.addr, req.as_bytes()).expect("request");
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    // A broken chunked encoding.
    let req = format!(
        "POST /post HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\nAccept: application/json\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        p.addr
    );
    let (status, _, body) = http_raw(&p.addr, req.as_bytes()).expect("request");
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON error");
    assert!(v["error"].is_string());
    // The server is still fine.
    let (status, _, _) = http(&p.addr, "POST", "/post", &[], b"ok").expect("request");
    assert_eq!(status, 200);
}
