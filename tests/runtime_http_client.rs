//! The HTTP client end to end: `tarn run` pipelines whose `http_client`
//! outputs and `http` processors talk to upstream servers started by the
//! test on 127.0.0.1 (HTTPS with a CA made in the test), checking TLS
//! trust, `max_in_flight`, batching, connection pools, status handling,
//! auth and the `http` processor's results.

mod common;
mod https_support;

use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, post};
use common::{Pipeline, http, temp_dir};
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tarn_runtime::http::server::{RunningServer, ServerOptions, serve};

/// One request the upstream received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
    peer: SocketAddr,
}

/// What the upstream observed.
#[derive(Default)]
struct Log {
    requests: Mutex<Vec<Seen>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    /// Bodies `/flaky` has already refused once.
    refused: Mutex<BTreeSet<Vec<u8>>>,
}

impl Log {
    fn requests(&self) -> Vec<Seen> {
        self.requests.lock().expect("log").clone()
    }
    fn to(&self, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
    fn peers(&self) -> BTreeSet<u16> {
        self.requests().iter().map(|r| r.peer.port()).collect()
    }
}

type Shared = State<Arc<Log>>;

fn record(log: &Log, path: &str, headers: &HeaderMap, body: &[u8], peer: SocketAddr) {
    let headers = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    log.requests.lock().expect("log").push(Seen {
        path: path.to_string(),
        headers,
        body: body.to_vec(),
        peer,
    });
}

async fn echo(
    State(log): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> impl IntoResponse {
    record(&log, "/echo", &headers, &body, peer);
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_string();
    (
        [("x-upstream", "seen".to_string()), ("x-auth", auth)],
        format!("echo: {}", String::from_utf8_lossy(&body)),
    )
}

async fn slow(
    State(log): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> &'static str {
    let now = log.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    log.peak.fetch_max(now, Ordering::SeqCst);
    record(&log, "/slow", &headers, &body, peer);
    tokio::time::sleep(Duration::from_millis(300)).await;
    log.in_flight.fetch_sub(1, Ordering::SeqCst);
    "ok"
}

async fn status(
    State(log): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<u16>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> impl IntoResponse {
    record(&log, &format!("/status/{code}"), &headers, &body, peer);
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, format!("answered {code}"))
}

/// Refuses each body with 500 the first time it arrives, then takes it.
async fn flaky(
    State(log): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, &'static str) {
    record(&log, "/flaky", &headers, &body, peer);
    if log.refused.lock().expect("log").insert(body.to_vec()) {
        (StatusCode::INTERNAL_SERVER_ERROR, "not this time")
    } else {
        (StatusCode::OK, "taken")
    }
}

/// A client credentials token endpoint for `id` / `secret`.
async fn token(
    State(log): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> impl IntoResponse {
    record(&log, "/token", &headers, &body, peer);
    let by_header =
        headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Basic aWQ6c2VjcmV0");
    if !by_header || !String::from_utf8_lossy(&body).contains("grant_type=client_credentials") {
        return (StatusCode::UNAUTHORIZED, "no".to_string()).into_response();
    }
    (
        [("content-type", "application/json")],
        r#"{"access_token":"tok-1","token_type":"bearer","expires_in":3600}"#.to_string(),
    )
        .into_response()
}

fn app(log: Arc<Log>) -> Router {
    Router::new()
        .route("/echo", any(echo))
        .route("/slow", post(slow))
        .route("/flaky", post(flaky))
        .route("/status/{code}", any(status))
        .route("/token", post(token))
        .with_state(log)
}

/// An upstream on a free port; `tls` serves HTTPS.
async fn upstream(tls: Option<tarn_runtime::http::tls::TlsConfig>) -> (RunningServer, Arc<Log>) {
    let log = Arc::new(Log::default());
    let server = serve(
        "127.0.0.1:0",
        app(log.clone()),
        ServerOptions::with_tls(tls),
    )
    .await
    .expect("upstream binds");
    (server, log)
}

/// Runs `config` (no HTTP server of its own) to completion: stdout and
/// stderr; the run must succeed.
fn run(name: &str, config: &str) -> (String, String) {
    common::run_config_ok(name, config, "")
}

/// One message through an `http` processor with `settings`; what the
/// message became (`failed: …` when it was flagged).
fn one_message_through(name: &str, settings: &str) -> String {
    let config = format!(
        "input:\n  generate:\n    count: 1\n    interval: \"\"\n    mapping: root = \"hi\"\npipeline:\n  processors:\n    - http:\n{settings}    - mapping: 'root = if errored() {{ \"failed: \" + error() }} else {{ content().string() }}'\noutput:\n  stdout: {{}}\n"
    );
    run(name, &config).0.trim_end().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_upstreams_need_their_ca_and_nothing_falls_back_to_insecure() {
    let dir = temp_dir("client-pki");
    let pki = https_support::Pki::new(&dir, "tarn client e2e CA");
    let files = tarn_runtime::http::tls::TlsFiles::from_fields(
        "test",
        pki.cert_file.to_str().expect("utf-8"),
        pki.key_file.to_str().expect("utf-8"),
    )
    .expect("fields")
    .expect("files");
    let (server, log) = upstream(Some(files.load().expect("server TLS"))).await;
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).expect("write CA");
    let url = format!("https://localhost:{}/echo", server.local_addr().port());
    let trusted = one_message_through(
        "https-trusted",
        &format!(
            "        url: {url}\n        retries: 0\n        tls:\n          enabled: true\n          root_cas_file: {}\n",
            ca_file.display()
        ),
    );
    assert_eq!(trusted, "echo: hi");
    let untrusted = one_message_through(
        "https-untrusted",
        &format!("        url: {url}\n        retries: 0\n"),
    );
    assert!(
        untrusted.starts_with("failed: ") && untrusted.contains("UnknownIssuer"),
        "{untrusted}"
    );
    let enabled_without_ca = one_message_through(
        "https-enabled",
        &format!("        url: {url}\n        retries: 0\n        tls:\n          enabled: true\n"),
    );
    assert!(
        enabled_without_ca.contains("UnknownIssuer"),
        "{enabled_without_ca}"
    );
    let skipped = one_message_through(
        "https-skip",
        &format!(
            "        url: {url}\n        retries: 0\n        tls:\n          enabled: true\n          skip_cert_verify: true\n"
        ),
    );
    assert_eq!(skipped, "echo: hi");
    assert_eq!(
        log.to("/echo").len(),
        2,
        "only the trusted and the skipping runs got through"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_in_flight_bounds_concurrent_requests() {
    let (server, log) = upstream(None).await;
    let config = format!(
        "input:\n  generate:\n    count: 20\n    interval: \"\"\n    mapping: root = counter()\npipeline:\n  threads: 1\noutput:\n  http_client:\n    url: http://{}/slow\n    max_in_flight: 4\n",
        server.local_addr()
    );
    run("in-flight", &config);
    let peak = log.peak.load(Ordering::SeqCst);
    eprintln!("max_in_flight 4: peak concurrent requests seen upstream = {peak}");
    assert_eq!(log.to("/slow").len(), 20);
    assert_eq!(peak, 4);
    server.shutdown().await;
}

/// The bodies `/flaky` received, in order.
fn flaky_bodies(log: &Log) -> Vec<String> {
    log.to("/flaky")
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_write_is_nacked_and_replayed_until_delivered() {
    let (server, log) = upstream(None).await;
    let config = |replay: bool| {
        format!(
            "input:\n  generate:\n    count: 3\n    interval: \"\"\n    mapping: root = \"m\" + counter().string()\n    auto_replay_nacks: {replay}\npipeline:\n  threads: 1\noutput:\n  http_client:\n    url: http://{}/flaky\n    retries: 0\n    max_in_flight: 1\n",
            server.local_addr()
        )
    };
    // Replay is the default: every message is refused once, nacked,
    // read again and then delivered; the run ends only when all are.
    let (_, stderr) = run(
        "replay-on",
        &config(true).replace("    auto_replay_nacks: true\n", ""),
    );
    let mut got = flaky_bodies(&log);
    eprintln!("auto_replay_nacks on: upstream saw {got:?}");
    got.sort();
    assert_eq!(got, ["m1", "m1", "m2", "m2", "m3", "m3"]);
    assert_eq!(
        stderr.matches("it will be read again").count(),
        3,
        "{stderr}"
    );

    // Without replay, a refused message is reported and let go.
    log.refused.lock().expect("log").clear();
    log.requests.lock().expect("log").clear();
    let (_, stderr) = run("replay-off", &config(false));
    assert_eq!(flaky_bodies(&log), ["m1", "m2", "m3"]);
    assert_eq!(
        stderr.matches("auto_replay_nacks is off").count(),
        3,
        "{stderr}"
    );
    server.shutdown().await;
}

/// The part bodies of a multipart request.
fn parts(seen: &Seen) -> Vec<String> {
    let ct = seen
        .headers
        .get("content-type")
        .cloned()
        .unwrap_or_default();
    let boundary = ct
        .split_once("boundary=")
        .map(|(_, b)| b.trim_matches('"').to_string())
        .unwrap_or_else(|| panic!("not multipart: {ct}"));
    let body = String::from_utf8_lossy(&seen.body).into_owned();
    body.split(&format!("--{boundary}"))
        .skip(1)
        .filter(|p| !p.starts_with("--"))
        .map(|p| {
            let (_, content) = p.split_once("\r\n\r\n").expect("part head");
            content.trim_end_matches("\r\n").to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_by_count_are_multipart_requests() {
    let (server, log) = upstream(None).await;
    let config = format!(
        "input:\n  generate:\n    count: 6\n    interval: \"\"\n    mapping: root = \"m\" + counter().string()\npipeline:\n  threads: 1\noutput:\n  http_client:\n    url: http://{}/echo\n    batch_as_multipart: true\n    max_in_flight: 1\n    batching:\n      count: 3\n",
        server.local_addr()
    );
    run("batch-count", &config);
    let seen = log.to("/echo");
    assert_eq!(seen.len(), 2, "six messages in batches of three");
    let all: Vec<Vec<String>> = seen.iter().map(parts).collect();
    assert_eq!(all, [["m1", "m2", "m3"], ["m4", "m5", "m6"]]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_batch_is_written_when_a_finite_input_ends() {
    let (server, log) = upstream(None).await;
    let url = format!("http://{}/echo", server.local_addr());
    let client = |batch: &str| {
        format!(
            "http_client:\n    url: {url}\n    batch_as_multipart: true\n    batching:\n      count: {batch}\n"
        )
    };
    // No period: only the input's end can flush the last messages (with
    // replay on, the input waits for their acks before it ends).
    let generate = |count: usize, extra: &str| {
        format!(
            "  generate:\n    count: {count}\n    interval: \"\"\n    mapping: root = counter()\n{extra}"
        )
    };
    let cases = [
        (
            "replay-on",
            15,
            generate(15, ""),
            format!("  {}", client("10")),
        ),
        (
            "replay-off",
            15,
            generate(15, "    auto_replay_nacks: false\n"),
            format!("  {}", client("10")),
        ),
        // Batching inside batching: both partial batches are written.
        (
            "nested",
            7,
            generate(7, ""),
            format!(
                "  broker:\n    batching:\n      count: 5\n    outputs:\n      - {}",
                client("10").replace("\n    ", "\n          ")
            ),
        ),
        // A broker input passes its child's end on.
        (
            "broker-input",
            15,
            format!(
                "  broker:\n    inputs:\n      - {}",
                generate(15, "")
                    .trim_start()
                    .replace("\n    ", "\n          ")
            ),
            format!("  {}", client("10")),
        ),
    ];
    for (name, count, input, output) in cases {
        log.requests.lock().expect("log").clear();
        let config = format!("input:\n{input}pipeline:\n  threads: 1\noutput:\n{output}");
        run(&format!("batch-tail-{name}"), &config);
        let sizes: Vec<usize> = log.to("/echo").iter().map(|r| parts(r).len()).collect();
        eprintln!("{name}: request sizes {sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), count, "{name}: {sizes:?}");
        if name != "nested" {
            let mut sorted = sizes.clone();
            sorted.sort();
            assert_eq!(sorted, [5, 10], "{name}");
        }
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_larger_than_the_default_window_still_fills() {
    let (server, log) = upstream(None).await;
    let config = format!(
        "input:\n  generate:\n    count: 5000\n    interval: \"\"\n    mapping: root = counter()\noutput:\n  http_client:\n    url: http://{}/echo\n    batch_as_multipart: true\n    batching:\n      count: 5000\n",
        server.local_addr()
    );
    run("batch-5000", &config);
    let seen = log.to("/echo");
    assert_eq!(seen.len(), 1, "one request for the whole batch");
    assert_eq!(parts(&seen[0]).len(), 5000);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_period_flushes_what_was_gathered() {
    let (server, log) = upstream(None).await;
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server:\n    timeout: 10s\noutput:\n  http_client:\n    url: http://{}/echo\n    batch_as_multipart: true\n    batching:\n      count: 100\n      period: 500ms\n",
        server.local_addr()
    );
    let p = Pipeline::start("batch-period", &config);
    // Two requests wait together: only the period can flush them (the
    // count is never reached and the input stays open).
    let senders: Vec<_> = ["first", "second"]
        .into_iter()
        .map(|body| {
            let addr = p.addr.clone();
            std::thread::spawn(move || http(&addr, "POST", "/post", &[], body.as_bytes()))
        })
        .collect();
    for s in senders {
        let (status, _, body) = s.join().expect("thread").expect("request");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    let seen = log.to("/echo");
    assert_eq!(seen.len(), 1, "one request for both messages");
    let mut got = parts(&seen[0]);
    got.sort();
    assert_eq!(got, ["first", "second"]);
    server.shutdown().await;
}

/// Three requests, one after another, through a fan-out to two outputs.
fn three_through_two(name: &str, outputs: &str, resources: &str) {
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server: {{}}\noutput:\n  broker:\n    pattern: fan_out_sequential\n    outputs:\n{outputs}{resources}"
    );
    let p = Pipeline::start(name, &config);
    for i in 0..3 {
        let (status, _, _) =
            http(&p.addr, "POST", "/post", &[], format!("r{i}").as_bytes()).expect("request");
        assert_eq!(status, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_http_client_resource_is_one_connection_pool() {
    let (server, log) = upstream(None).await;
    let url = format!("http://{}/echo", server.local_addr());
    three_through_two(
        "pool-shared",
        "      - resource: up\n      - resource: up\n",
        &format!("output_resources:\n  - label: up\n    http_client:\n      url: {url}\n"),
    );
    assert_eq!(log.to("/echo").len(), 6);
    let shared = log.peers();
    log.requests.lock().expect("log").clear();
    three_through_two(
        "pool-separate",
        &format!(
            "      - http_client:\n          url: {url}\n      - http_client:\n          url: {url}\n"
        ),
        "",
    );
    assert_eq!(log.to("/echo").len(), 6);
    let separate = log.peers();
    eprintln!(
        "connections: shared resource {} ({shared:?}), two outputs {} ({separate:?})",
        shared.len(),
        separate.len()
    );
    assert_eq!(shared.len(), 1, "one pool, one kept-alive connection");
    assert_eq!(separate.len(), 2, "a pool per output");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_retries_and_propagated_responses_through_a_pipeline() {
    let (server, log) = upstream(None).await;
    let up = server.local_addr();
    let post = |name: &str, output: &str| {
        let config = format!(
            "http:\n  address: {{ADDR}}\ninput:\n  http_server:\n    sync_response:\n      metadata_headers:\n        include_prefixes: [ \"x-\" ]\noutput:\n  http_client:\n    retry_period: 10ms\n    max_retry_backoff: 20ms\n{output}"
        );
        let p = Pipeline::start(name, &config);
        http(&p.addr, "POST", "/post", &[], b"ping").expect("request")
    };
    let (status, _, body) = post(
        "st-drop",
        &format!("    url: http://{up}/status/500\n    drop_on: [500]\n"),
    );
    assert_eq!(status, 502);
    assert!(String::from_utf8_lossy(&body).contains("unexpected response code (500)"));
    assert_eq!(log.to("/status/500").len(), 1, "drop_on: no retry");
    let (status, _, _) = post(
        "st-retry",
        &format!("    url: http://{up}/status/500\n    retries: 2\n"),
    );
    assert_eq!(status, 502);
    assert_eq!(
        log.to("/status/500").len(),
        1 + 3,
        "a first attempt and two retries"
    );
    let (status, _, _) = post(
        "st-backoff",
        &format!("    url: http://{up}/status/429\n    retries: 3\n"),
    );
    assert_eq!(status, 502);
    assert_eq!(
        log.to("/status/429").len(),
        4,
        "429 is in the default backoff_on"
    );
    let (status, _, body) = post(
        "st-success",
        &format!(
            "    url: http://{up}/status/404\n    successful_on: [404]\n    propagate_response: true\n"
        ),
    );
    assert_eq!(
        (status, String::from_utf8_lossy(&body).as_ref()),
        (200, "answered 404")
    );
    // The proxy case: the upstream's answer (body and an extracted
    // header) goes back to the http_server client.
    let (status, headers, body) = post(
        "st-proxy",
        &format!(
            "    url: http://{up}/echo\n    propagate_response: true\n    extract_headers:\n      include_prefixes: [x-]\n"
        ),
    );
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8_lossy(&body), "echo: ping");
    assert!(
        headers.contains(&("x-upstream".to_string(), "seen".to_string())),
        "{headers:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth2_client_credentials_and_basic_auth_are_sent() {
    let (server, log) = upstream(None).await;
    let up = server.local_addr();
    let oauth2 = one_message_through(
        "oauth2",
        &format!(
            "        url: http://{up}/echo\n        oauth2:\n          enabled: true\n          client_key: id\n          client_secret: secret\n          token_url: http://{up}/token\n"
        ),
    );
    assert_eq!(oauth2, "echo: hi");
    let echoed = log.to("/echo");
    assert_eq!(
        echoed[0].headers.get("authorization").map(String::as_str),
        Some("Bearer tok-1")
    );
    assert_eq!(log.to("/token").len(), 1);
    let basic = one_message_through(
        "basic",
        &format!(
            "        url: http://{up}/echo\n        basic_auth:\n          enabled: true\n          username: user\n          password: pass\n"
        ),
    );
    assert_eq!(basic, "echo: hi");
    let echoed = log.to("/echo");
    assert_eq!(
        echoed[1].headers.get("authorization").map(String::as_str),
        Some("Basic dXNlcjpwYXNz")
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_processor_replaces_messages_and_catch_sees_failures() {
    let (server, log) = upstream(None).await;
    let up = server.local_addr();
    let config = format!(
        "input:\n  generate:\n    count: 2\n    interval: \"\"\n    mapping: root = \"msg\" + counter().string()\npipeline:\n  threads: 1\n  processors:\n    - http:\n        url: http://{up}/echo\n        dump_request_log_level: INFO\n    - mapping: |\n        root = content().string() + \" code=\" + @http_status_code.string()\n    - http:\n        url: http://{up}/status/500\n        retries: 1\n        retry_period: 10ms\n    - catch:\n        - mapping: |\n            root = \"caught[\" + content().string() + \"] code=\" + @http_status_code.string() + \" error=\" + error()\noutput:\n  stdout: {{}}\n"
    );
    let (stdout, stderr) = run("processor", &config);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        assert!(
            line.starts_with(&format!("caught[echo: msg{n} code=200] code=500 error=")),
            "{line}"
        );
        assert!(line.contains("unexpected response code (500)"), "{line}");
    }
    assert_eq!(
        log.to("/status/500").len(),
        4,
        "two messages, two attempts each"
    );
    assert!(
        stderr.contains("http request log") && stderr.contains("access_log"),
        "dump_request_log_level logs each exchange: {stderr}"
    );
    server.shutdown().await;
}
