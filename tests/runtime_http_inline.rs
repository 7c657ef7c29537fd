//! An `http_server` input's requests run in the tasks serving them
//! (`pipeline::inline`): the pipeline's bounds and guarantees are the
//! workers' own. Over 127.0.0.1 with real `tarn run` processes and a
//! slow upstream started by the test.

mod common;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use common::{Pipeline, http, temp_dir};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tarn_runtime::http::server::{RunningServer, ServerOptions, serve};

/// How many requests the upstream holds at once, and the most it held.
#[derive(Default)]
struct Load {
    now: AtomicUsize,
    peak: AtomicUsize,
}

/// Holds each request for 300 ms, counting how many it holds at once.
async fn slow(State(load): State<Arc<Load>>) -> &'static str {
    let now = load.now.fetch_add(1, Ordering::SeqCst) + 1;
    load.peak.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    load.now.fetch_sub(1, Ordering::SeqCst);
    "done"
}

/// The slow upstream on a free port, with what it observed.
async fn slow_upstream() -> (RunningServer, Arc<Load>) {
    let load = Arc::new(Load::default());
    let app = Router::new()
        .route("/slow", post(slow))
        .with_state(load.clone());
    let upstream = serve("127.0.0.1:0", app, ServerOptions::default())
        .await
        .expect("upstream binds");
    (upstream, load)
}

/// `n` POSTs to `/in` of `addr` at once (`m0`, `m1`…), each on a
/// connection of its own; their replies, in that order.
async fn posts_at_once(addr: &str, n: usize) -> Vec<common::Reply> {
    let addr = addr.to_string();
    tokio::task::spawn_blocking(move || {
        let clients: Vec<_> = (0..n)
            .map(|i| {
                let addr = addr.clone();
                std::thread::spawn(move || {
                    http(&addr, "POST", "/in", &[], format!("m{i}").as_bytes())
                })
            })
            .collect();
        clients
            .into_iter()
            .map(|c| c.join().expect("client thread").expect("reply"))
            .collect()
    })
    .await
    .expect("clients")
}

/// `pipeline.threads` bounds how many requests are in the processors at
/// once, as it bounds the workers: six concurrent requests through an
/// `http` processor reach the upstream two at a time, and each gets the
/// upstream's answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_bound_the_requests_in_the_processors() {
    let (upstream, load) = slow_upstream().await;
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server:\n    path: /in\npipeline:\n  threads: 2\n  processors:\n    - http:\n        url: http://{}/slow\n        verb: POST\noutput:\n  sync_response: {{}}\n",
        upstream.local_addr()
    );
    let p = Pipeline::start("inline-threads", &config);
    let answers = posts_at_once(&p.addr, 6).await;
    for (status, _, body) in &answers {
        assert_eq!((*status, body.as_slice()), (200, b"done".as_slice()));
    }
    let peak = load.peak.load(Ordering::SeqCst);
    eprintln!("threads 2: peak concurrent upstream requests = {peak}");
    assert_eq!(peak, 2);
    upstream.shutdown().await;
}

/// A request that stops waiting does not cut its transaction short: the
/// client gets 408 at the input's timeout, the message still reaches the
/// output, and a stop right after waits for it.
#[test]
fn a_timed_out_request_still_delivers_its_message() {
    let dir = temp_dir("inline-timeout");
    let out = dir.join("out.txt");
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server:\n    path: /in\n    timeout: 200ms\npipeline:\n  processors:\n    - sleep:\n        duration: 800ms\noutput:\n  file:\n    path: {}\n",
        out.display()
    );
    let mut p = Pipeline::start("inline-timeout", &config);
    let (status, _, body) = http(&p.addr, "POST", "/in", &[], b"late").expect("reply");
    assert_eq!(status, 408, "{}", String::from_utf8_lossy(&body));
    // Stopped while the message is still in the processor.
    assert_eq!(p.terminate(), Some(0));
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    assert_eq!(written, "late\n", "{}", p.take_output());
}

/// Pipeline workers waiting on the input hold no write permit that the
/// requests need: with `max_in_flight: 1` and two threads, concurrent
/// requests are each written, one at a time, and answered 200.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_workers_leave_the_write_permits_to_the_requests() {
    let (upstream, load) = slow_upstream().await;
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server:\n    path: /in\n    timeout: 10s\npipeline:\n  threads: 2\noutput:\n  http_client:\n    url: http://{}/slow\n    verb: POST\n    max_in_flight: 1\n",
        upstream.local_addr()
    );
    let p = Pipeline::start("inline-permits", &config);
    let statuses: Vec<u16> = posts_at_once(&p.addr, 3)
        .await
        .into_iter()
        .map(|(status, _, _)| status)
        .collect();
    assert_eq!(statuses, [200, 200, 200]);
    assert_eq!(load.peak.load(Ordering::SeqCst), 1);
    upstream.shutdown().await;
}

/// Stopping while requests wait on a batch that only a count would fill
/// writes the partial batch and ends, rather than waiting out the
/// shutdown timeout with the messages unwritten.
#[test]
fn a_stop_writes_the_partial_batch_of_requests_that_timed_out() {
    let dir = temp_dir("inline-batch-stop");
    let out = dir.join("out.txt");
    let config = format!(
        "http:\n  address: {{ADDR}}\nshutdown_timeout: 30s\ninput:\n  http_server:\n    path: /in\n    timeout: 200ms\noutput:\n  broker:\n    outputs:\n      - file:\n          path: {}\n    batching:\n      count: 100\n",
        out.display()
    );
    let mut p = Pipeline::start("inline-batch-stop", &config);
    for body in ["a", "b"] {
        let (status, _, _) = http(&p.addr, "POST", "/in", &[], body.as_bytes()).expect("reply");
        assert_eq!(status, 408);
    }
    let stopping = std::time::Instant::now();
    assert_eq!(p.terminate(), Some(0));
    let waited = stopping.elapsed();
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    assert_eq!(written, "a\nb\n", "{}", p.take_output());
    // Far below the 30 s shutdown timeout: the stop did not wait it out.
    assert!(waited < Duration::from_secs(20), "stopped after {waited:?}");
}

/// A request still waiting on a partial batch when the stop begins is
/// written and answered 200, not left to time out.
#[test]
fn a_stop_answers_the_requests_waiting_on_a_partial_batch() {
    let dir = temp_dir("inline-batch-waiting");
    let out = dir.join("out.txt");
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server:\n    path: /in\n    timeout: 30s\noutput:\n  broker:\n    outputs:\n      - file:\n          path: {}\n    batching:\n      count: 100\n",
        out.display()
    );
    let mut p = Pipeline::start("inline-batch-waiting", &config);
    let addr = p.addr.clone();
    let waiting = std::thread::spawn(move || http(&addr, "POST", "/in", &[], b"w"));
    // The request is admitted and its message waits in the batch.
    std::thread::sleep(Duration::from_millis(300));
    assert!(!waiting.is_finished(), "the request waits on the batch");
    assert_eq!(p.terminate(), Some(0));
    let (status, _, _) = waiting.join().expect("client").expect("reply");
    assert_eq!(status, 200);
    assert_eq!(std::fs::read_to_string(&out).unwrap_or_default(), "w\n");
}
