//! `tarn run` end to end: real pipelines serving real HTTP on 127.0.0.1
//! (the scenarios of the runtime issue).

mod common;

use common::{Pipeline, http};
use std::path::PathBuf;

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tarn-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_mapping_answers_the_request_synchronously() {
    let p = Pipeline::start(
        "upper",
        "http:\n  address: {ADDR}\ninput:\n  http_server:\n    path: /post\npipeline:\n  processors:\n    - mapping: root = content().uppercase()\noutput:\n  sync_response: {}\n",
    );
    let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"foo bar").expect("request");
    assert_eq!((status, body.as_slice()), (200, b"FOO BAR".as_slice()));
    let (status, _, _) = http(&p.addr, "GET", "/post", &[], b"").expect("request");
    assert_eq!(status, 405, "GET is not an allowed verb");
    let (status, _, body) = http(&p.addr, "GET", "/benthos/ping", &[], b"").expect("request");
    assert_eq!((status, body.as_slice()), (200, b"pong".as_slice()));
}

#[test]
fn fan_out_answers_after_the_file_output_acknowledged() {
    let out = temp_file("fanout.txt");
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server: {{}}\noutput:\n  broker:\n    pattern: fan_out\n    outputs:\n      - file:\n          path: {}\n      - sync_response: {{}}\n        processors:\n          - mapping: root = content().uppercase()\n",
        out.display()
    );
    let p = Pipeline::start("fanout", &config);
    let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"hello world").expect("request");
    assert_eq!((status, body.as_slice()), (200, b"HELLO WORLD".as_slice()));
    // The answer came after the file output acknowledged: it is there,
    // unprocessed.
    let written = std::fs::read_to_string(&out).expect("file output written");
    assert_eq!(written, "hello world\n");
}

#[test]
fn sync_response_mid_pipeline_answers_with_the_state_at_that_point() {
    let out = temp_file("midway.txt");
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server: {{}}\npipeline:\n  processors:\n    - sync_response: {{}}\n    - mapping: root = content().uppercase()\noutput:\n  file:\n    path: {}\n",
        out.display()
    );
    let p = Pipeline::start("midway", &config);
    let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"foo bar baz").expect("request");
    assert_eq!((status, body.as_slice()), (200, b"foo bar baz".as_slice()));
    let written = std::fs::read_to_string(&out).expect("file output written");
    assert_eq!(written, "FOO BAR BAZ\n");
}

#[test]
fn structured_responses_with_interpolated_status_and_headers() {
    let config = "http:\n  address: {ADDR}\ninput:\n  http_server:\n    path: /weather\n    sync_response:\n      status: ${! @status }\n      headers:\n        Content-Type: application/json\n        X-City: ${! json(\"city\") }\npipeline:\n  processors:\n    - mapping: |\n        root.city = this.location\n        root.forecast = \"sunny\"\n        meta status = if this.location == \"Berlin\" { \"200\" } else { \"404\" }\noutput:\n  sync_response: {}\n";
    let p = Pipeline::start("weather", config);
    let (status, headers, body) = http(
        &p.addr,
        "POST",
        "/weather",
        &[],
        br#"{"location":"Berlin"}"#,
    )
    .expect("request");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    assert_eq!(header(&headers, "x-city"), Some("Berlin"));
    assert_eq!(
        String::from_utf8_lossy(&body),
        r#"{"city":"Berlin","forecast":"sunny"}"#
    );
    let (status, _, _) = http(
        &p.addr,
        "POST",
        "/weather",
        &[],
        br#"{"location":"Atlantis"}"#,
    )
    .expect("request");
    assert_eq!(status, 404);
}

#[test]
fn a_failing_output_gives_502_with_the_error() {
    // A path below a regular file cannot be created, even by root.
    let config = "http:\n  address: {ADDR}\ninput:\n  http_server: {}\noutput:\n  file:\n    path: /dev/null/tarn/out.txt\n";
    let p = Pipeline::start("nack", config);
    let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"x").expect("request");
    assert_eq!(status, 502);
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("/dev/null/tarn/out.txt"), "{body}");
}

#[test]
fn a_message_deleted_after_sync_response_is_answered_but_not_delivered() {
    let out = temp_file("deleted.txt");
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server: {{}}\npipeline:\n  processors:\n    - sync_response: {{}}\n    - mapping: root = deleted()\noutput:\n  file:\n    path: {}\n",
        out.display()
    );
    let p = Pipeline::start("deleted", &config);
    let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"keep me").expect("request");
    assert_eq!((status, body.as_slice()), (200, b"keep me".as_slice()));
    assert!(!out.exists(), "the deleted message reached the output");
}

#[test]
fn an_invalid_config_is_refused_with_a_located_error() {
    let dir = std::env::temp_dir().join(format!("tarn-http-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad.yaml");
    std::fs::write(&path, "input:\n  http_server:\n    paht: /x\n").expect("write");
    let o = common::run_tarn(&["run".as_ref(), path.as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.yaml:3:5: error: `input.http_server.paht`: unknown field `paht`; did you mean `path`?"),
        "{err}"
    );
}

#[test]
fn sigterm_under_load_loses_no_acknowledged_message() {
    let out = temp_file("shutdown.txt");
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server: {{}}\noutput:\n  broker:\n    outputs:\n      - file:\n          path: {}\n      - sync_response: {{}}\n",
        out.display()
    );
    let mut p = Pipeline::start("shutdown", &config);
    let addr = p.addr.clone();
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut answered = Vec::new();
                for i in 0..1_000_000 {
                    let body = format!("msg-{c}-{i}");
                    match http(&addr, "POST", "/post", &[], body.as_bytes()) {
                        Ok((200, _, got)) => {
                            assert_eq!(got, body.as_bytes());
                            answered.push(body);
                        }
                        Ok((503, _, _)) | Err(_) => break,
                        Ok((other, _, got)) => panic!(
                            "unexpected status {other}: {}",
                            String::from_utf8_lossy(&got)
                        ),
                    }
                }
                answered
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let code = p.terminate();
    let answered: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().expect("client thread"))
        .collect();
    assert_eq!(code, Some(0), "{}", p.take_output());
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    let lines: std::collections::HashSet<&str> = written.lines().collect();
    for body in &answered {
        assert!(
            lines.contains(body.as_str()),
            "acknowledged {body} is missing"
        );
    }
    assert!(
        !answered.is_empty(),
        "no request was answered before shutdown"
    );
    eprintln!(
        "{} requests answered before and during shutdown",
        answered.len()
    );
}

#[test]
fn the_readme_example_runs_to_completion() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = root.join("examples/hello.yaml");
    let o = common::run_tarn(&["run".as_ref(), config.as_os_str()], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(
        out.starts_with(r#"{"bulk":false,"customer":"Ada Lovelace","id":"ord-001","total":78}"#),
        "{out}"
    );
}

/// An upstream service: another pipeline answering with status 201, a
/// header and a marked body (status 500 for a body of `fail`).
fn upstream() -> Pipeline {
    Pipeline::start(
        "upstream",
        "http:\n  address: {ADDR}\ninput:\n  http_server:\n    path: /upstream\n    sync_response:\n      status: ${! @code }\n      headers:\n        X-Upstream: seen\n        Content-Type: text/plain\npipeline:\n  processors:\n    - mapping: |\n        meta code = if content().string() == \"fail\" { \"500\" } else { \"201\" }\n        root = \"upstream saw: \" + content().string()\noutput:\n  sync_response: {}\n",
    )
}

#[test]
fn http_client_with_propagate_response_makes_a_proxy() {
    let up = upstream();
    let out = temp_file("proxy.txt");
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server:\n    sync_response:\n      status: ${{! @http_status_code }}\n      metadata_headers:\n        include_prefixes: [ \"x-\" ]\noutput:\n  broker:\n    pattern: fan_out\n    outputs:\n      - http_client:\n          url: http://{}/upstream\n          propagate_response: true\n          drop_on: [ 500 ]\n          extract_headers:\n            include_prefixes: [ \"x-\" ]\n      - file:\n          path: {}\n",
        up.addr,
        out.display()
    );
    let p = Pipeline::start("proxy", &config);
    let (status, headers, body) = http(&p.addr, "POST", "/post", &[], b"ping").expect("request");
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    assert_eq!(String::from_utf8_lossy(&body), "upstream saw: ping");
    assert_eq!(header(&headers, "x-upstream"), Some("seen"));
    assert_eq!(
        std::fs::read_to_string(&out).expect("file output"),
        "ping\n"
    );
}

#[test]
fn an_upstream_status_in_drop_on_rejects_the_message_with_502() {
    let up = upstream();
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server: {{}}\noutput:\n  http_client:\n    url: http://{}/upstream\n    drop_on: [ 500 ]\n",
        up.addr
    );
    let p = Pipeline::start("drop-on", &config);
    let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"fail").expect("request");
    assert_eq!(status, 502);
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("unexpected response code (500)"), "{body}");
}

#[test]
fn a_request_not_acknowledged_in_time_gets_408() {
    // An upstream that accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let silent_addr = silent.local_addr().expect("addr");
    let config = format!(
        "http:\n  address: {{ADDR}}\nshutdown_timeout: 1s\ninput:\n  http_server:\n    timeout: 300ms\noutput:\n  http_client:\n    url: http://{silent_addr}/\n    timeout: 10s\n"
    );
    let p = Pipeline::start("timeout", &config);
    let (status, _, _) = http(&p.addr, "POST", "/post", &[], b"x").expect("request");
    assert_eq!(status, 408);
    drop(silent);
}

#[test]
fn round_robin_spreads_messages_over_the_outputs_in_turn() {
    let a = temp_file("rr-a.txt");
    let b = temp_file("rr-b.txt");
    let dir = a.parent().expect("dir").to_path_buf();
    let config = format!(
        "http:\n  enabled: false\ninput:\n  generate:\n    count: 4\n    interval: \"\"\n    mapping: root = counter()\npipeline:\n  threads: 1\noutput:\n  broker:\n    pattern: round_robin\n    outputs:\n      - file:\n          path: {}\n      - file:\n          path: {}\n",
        a.display(),
        b.display()
    );
    let path = dir.join("rr.yaml");
    std::fs::write(&path, config).expect("write config");
    let o = common::run_tarn(&["run".as_ref(), path.as_os_str()], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut a_lines: Vec<String> = std::fs::read_to_string(&a)
        .expect("a")
        .lines()
        .map(String::from)
        .collect();
    let mut b_lines: Vec<String> = std::fs::read_to_string(&b)
        .expect("b")
        .lines()
        .map(String::from)
        .collect();
    assert_eq!((a_lines.len(), b_lines.len()), (2, 2));
    a_lines.append(&mut b_lines);
    a_lines.sort();
    assert_eq!(a_lines, ["1", "2", "3", "4"]);
}

#[test]
fn resources_are_declared_once_and_used_by_label() {
    let config = "http:\n  address: {ADDR}\ninput:\n  http_server: {}\npipeline:\n  processors:\n    - resource: shout\n    - resource: shout\nprocessor_resources:\n  - label: shout\n    mapping: root = content().string() + \"!\"\noutput:\n  resource: reply\noutput_resources:\n  - label: reply\n    sync_response: {}\n";
    let p = Pipeline::start("resources", config);
    let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"hey").expect("request");
    assert_eq!((status, body.as_slice()), (200, b"hey!!".as_slice()));
}

#[test]
fn an_unknown_resource_label_is_a_located_lint_error() {
    let dir = std::env::temp_dir().join(format!("tarn-http-res-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("res.yaml");
    std::fs::write(
        &path,
        "pipeline:\n  processors:\n    - resource: shuot\nprocessor_resources:\n  - label: shout\n    mapping: root = 1\n",
    )
    .expect("write");
    let o = common::run_tarn(&["lint".as_ref(), path.as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("res.yaml:3:17: error: `pipeline.processors.0.resource`: no processor resource is labelled `shuot`; did you mean `shout`?"),
        "{err}"
    );
}

#[test]
fn http_client_sends_basic_auth_when_enabled() {
    let up = Pipeline::start(
        "auth-upstream",
        "http:\n  address: {ADDR}\ninput:\n  http_server:\n    path: /whoami\npipeline:\n  processors:\n    - mapping: root = @Authorization.or(\"anonymous\")\noutput:\n  sync_response: {}\n",
    );
    let config = format!(
        "http:\n  address: {{ADDR}}\ninput:\n  http_server: {{}}\noutput:\n  http_client:\n    url: http://{}/whoami\n    propagate_response: true\n    basic_auth:\n      enabled: true\n      username: user\n      password: pass\n",
        up.addr
    );
    let p = Pipeline::start("auth", &config);
    let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"x").expect("request");
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8_lossy(&body), "Basic dXNlcjpwYXNz");
}
