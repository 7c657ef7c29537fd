//! End-to-end tests of `tarn streams`: the real binary, its REST API and
//! the streams' routes over 127.0.0.1 (runtime.md §6).

mod common;

use common::{Pipeline, free_port, http, temp_dir};
use std::path::Path;
use std::time::{Duration, Instant};

const MEOW: &str = "input:\n  http_server:\n    path: /meow\npipeline:\n  processors:\n    - mapping: root = \"meow \" + content()\noutput:\n  sync_response: {}\n";

/// Starts `tarn streams` with a root config serving on a free port, plus
/// `args`.
fn streams(name: &str, root_extra: &str, args: &[&str]) -> Pipeline {
    let addr = format!("127.0.0.1:{}", free_port());
    let dir = temp_dir(&format!("streams-{name}"));
    let root = dir.join("root.yaml");
    std::fs::write(&root, format!("http:\n  address: {addr}\n{root_extra}")).expect("root");
    let mut all = vec![
        "streams".to_string(),
        "-o".into(),
        root.display().to_string(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    Pipeline::spawn(&all, addr)
}

fn call(p: &Pipeline, method: &str, path: &str, body: &str) -> (u16, String) {
    let (status, _, body) = http(&p.addr, method, path, &[], body.as_bytes()).expect("reply");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Polls `check` for up to ten seconds.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn api_creates_reads_patches_and_deletes_a_stream() {
    let p = streams("crud", "", &[]);
    assert_eq!(call(&p, "GET", "/streams", ""), (200, "{}".into()));
    assert_eq!(call(&p, "POST", "/streams/foo", MEOW), (200, "OK".into()));
    assert_eq!(call(&p, "POST", "/foo/meow", "hi"), (200, "meow hi".into()));
    // The path is served under the stream's id only.
    assert_eq!(call(&p, "POST", "/meow", "hi").0, 404);

    let (status, list) = call(&p, "GET", "/streams", "");
    assert_eq!(status, 200);
    let list = json(&list);
    assert_eq!(list["foo"]["active"], true);
    assert!(
        list["foo"]["uptime"].as_f64().is_some_and(|u| u >= 0.0),
        "{list}"
    );
    assert!(
        list["foo"]["uptime_str"]
            .as_str()
            .is_some_and(|u| u.ends_with('s')),
        "{list}"
    );

    let (status, one) = call(&p, "GET", "/streams/foo", "");
    assert_eq!(status, 200);
    let one = json(&one);
    assert_eq!(one["active"], true);
    assert_eq!(one["config"]["input"]["http_server"]["path"], "/meow");

    // Creating an existing id is a bad request; unknown ids are 404.
    let (status, body) = call(&p, "POST", "/streams/foo", MEOW);
    assert_eq!(status, 400);
    assert!(
        body.starts_with("Error: ") && body.contains("already exists"),
        "{body}"
    );
    assert_eq!(call(&p, "GET", "/streams/nope", "").0, 404);
    assert_eq!(call(&p, "PUT", "/streams/nope", MEOW).0, 404);

    // PATCH merges into the config: the input stays, the mapping changes.
    let patch = r#"{"pipeline":{"processors":[{"mapping":"root = \"purr \" + content()"}]}}"#;
    assert_eq!(call(&p, "PATCH", "/streams/foo", patch), (200, "OK".into()));
    assert_eq!(call(&p, "POST", "/foo/meow", "hi"), (200, "purr hi".into()));
    let one = json(&call(&p, "GET", "/streams/foo", "").1);
    assert_eq!(one["config"]["input"]["http_server"]["path"], "/meow");

    // PUT replaces the whole config.
    let woof = MEOW.replace("/meow", "/woof").replace("meow ", "woof ");
    assert_eq!(call(&p, "PUT", "/streams/foo", &woof), (200, "OK".into()));
    assert_eq!(call(&p, "POST", "/foo/woof", "hi"), (200, "woof hi".into()));
    assert_eq!(call(&p, "POST", "/foo/meow", "hi").0, 404);

    let (status, stats) = call(&p, "GET", "/streams/foo/stats", "");
    assert_eq!(status, 200, "{stats}");
    assert!(json(&stats).is_object(), "{stats}");

    assert_eq!(call(&p, "DELETE", "/streams/foo", ""), (200, "OK".into()));
    assert_eq!(call(&p, "POST", "/foo/woof", "hi").0, 404);
    assert_eq!(call(&p, "GET", "/streams", ""), (200, "{}".into()));
    assert_eq!(call(&p, "DELETE", "/streams/foo", "").0, 404);
    let (status, body) = call(&p, "DELETE", "/streams/x?timeout=soon", "");
    assert_eq!(status, 400, "{body}");
}

#[test]
fn lint_errors_are_located_in_the_submitted_config() {
    let p = streams("lint", "", &[]);
    let bad = "input:\n  http_server:\n    pathh: /meow\noutput:\n  drop: {}\n";
    let (status, body) = call(&p, "POST", "/streams/foo", bad);
    assert_eq!(status, 400);
    let errors = json(&body);
    let first = errors["lint_errors"][0].as_str().expect("a lint error");
    assert!(
        first.starts_with("3:5: input.http_server.pathh: "),
        "{first}"
    );
    assert!(first.contains("did you mean `path`?"), "{first}");
    assert_eq!(call(&p, "GET", "/streams/foo", "").0, 404);

    // Root-only sections are not stream fields.
    let (status, body) = call(&p, "POST", "/streams/foo", "http:\n  address: x\n");
    assert_eq!(status, 400);
    assert!(
        body.contains("lint_errors") && body.contains("http"),
        "{body}"
    );

    // `?chilled=true` skips linting; the stream still has to build.
    let (status, body) = call(&p, "POST", "/streams/foo?chilled=true", bad);
    assert_eq!((status, body.as_str()), (200, "OK"));

    // The validate endpoint checks without running anything.
    let (status, body) = call(&p, "POST", "/validate", MEOW);
    assert_eq!(
        (status, json(&body)["ok"].clone()),
        (200, serde_json::json!(true))
    );
    assert_eq!(call(&p, "POST", "/validate", bad).0, 400);
    assert_eq!(call(&p, "GET", "/streams/validate", "").0, 404);
}

#[test]
fn prefixing_off_serves_paths_as_given_and_refuses_collisions() {
    let p = streams("noprefix", "", &["--prefix-stream-endpoints=false"]);
    assert_eq!(call(&p, "POST", "/streams/foo", MEOW).0, 200);
    assert_eq!(call(&p, "POST", "/meow", "hi"), (200, "meow hi".into()));
    let (status, body) = call(&p, "POST", "/streams/bar", MEOW);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("`bar`") && body.contains("`foo`"), "{body}");
    assert!(body.contains("/meow"), "{body}");
    // A path the server itself uses is refused too.
    let (status, body) = call(
        &p,
        "POST",
        "/streams/bar",
        &MEOW.replace("/meow", "/streams/x"),
    );
    assert_eq!(status, 400, "{body}");
    // The refused stream did not replace or disturb the first.
    assert_eq!(call(&p, "POST", "/meow", "hi"), (200, "meow hi".into()));
    assert_eq!(
        json(&call(&p, "GET", "/streams", "").1)
            .as_object()
            .map(|o| o.len()),
        Some(1)
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    // Write then rename, so the watcher never reads half a file.
    let tmp = dir.join(format!(".{}.tmp", name.replace('/', "_")));
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, &path).expect("rename");
}

#[test]
fn a_static_directory_and_the_api_share_ids() {
    let dir = temp_dir("streams-static-files");
    write(&dir, "a.yaml", MEOW);
    write(&dir, "sub/b.yml", &MEOW.replace("meow ", "bee "));
    let p = streams("static", "", &[&dir.display().to_string()]);
    let list = json(&call(&p, "GET", "/streams", "").1);
    assert_eq!(
        list.as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["a".into(), "sub_b".into()])
    );
    assert_eq!(call(&p, "POST", "/a/meow", "x"), (200, "meow x".into()));
    assert_eq!(call(&p, "POST", "/sub_b/meow", "x"), (200, "bee x".into()));
    // A file's id is taken for the API, and the API can replace it.
    assert_eq!(call(&p, "POST", "/streams/a", MEOW).0, 400);
    assert_eq!(
        call(&p, "PUT", "/streams/a", &MEOW.replace("meow ", "api ")).0,
        200
    );
    assert_eq!(call(&p, "POST", "/a/meow", "x"), (200, "api x".into()));
}

#[test]
fn duplicate_ids_and_bad_files_stop_the_start() {
    let dir = temp_dir("streams-dupes");
    write(&dir, "a/b.yaml", MEOW);
    write(&dir, "a_b.yaml", MEOW);
    let out = common::run_tarn(&["streams", &dir.display().to_string()], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`a_b`") && err.contains("a_b.yaml") && err.contains("b.yaml"),
        "{err}"
    );

    let dir = temp_dir("streams-bad-file");
    write(&dir, "bad.yaml", "input:\n  stdni: {}\n");
    let out = common::run_tarn(&["streams", &dir.display().to_string()], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.yaml:2:3: error: `input.stdni`"), "{err}");
    assert!(err.contains("did you mean `stdin`?"), "{err}");
}

#[test]
fn watching_follows_edits_additions_and_removals() {
    let dir = temp_dir("streams-watch-files");
    write(&dir, "cat.yaml", MEOW);
    let p = streams("watch", "", &["-w", &dir.display().to_string()]);
    assert_eq!(call(&p, "POST", "/cat/meow", "x"), (200, "meow x".into()));
    write(&dir, "cat.yaml", &MEOW.replace("meow ", "hiss "));
    eventually("the edit to take effect", || {
        call(&p, "POST", "/cat/meow", "x").1 == "hiss x"
    });
    write(&dir, "dog.yaml", &MEOW.replace("meow ", "woof "));
    eventually("the new file to start", || {
        call(&p, "POST", "/dog/meow", "x").1 == "woof x"
    });
    // A broken edit leaves the running stream as it was.
    write(&dir, "dog.yaml", "input: [\n");
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(call(&p, "POST", "/dog/meow", "x"), (200, "woof x".into()));
    std::fs::remove_file(dir.join("cat.yaml")).expect("rm");
    eventually("the removal to stop the stream", || {
        call(&p, "GET", "/streams/cat", "").0 == 404
    });
    assert_eq!(call(&p, "POST", "/cat/meow", "x").0, 404);
}

#[test]
fn bulk_replace_creates_updates_and_deletes() {
    let p = streams("bulk", "", &[]);
    assert_eq!(call(&p, "POST", "/streams/old", MEOW).0, 200);
    assert_eq!(call(&p, "POST", "/streams/keep", MEOW).0, 200);
    let body = serde_json::json!({
        "keep": {"input": {"http_server": {"path": "/meow"}}, "pipeline": {"processors": [{"mapping": "root = \"kept \" + content()"}]}, "output": {"sync_response": {}}},
        "new": {"input": {"http_server": {"path": "/n"}}, "output": {"sync_response": {}}},
    });
    assert_eq!(
        call(&p, "POST", "/streams", &body.to_string()),
        (200, "OK".into())
    );
    let list = json(&call(&p, "GET", "/streams", "").1);
    assert_eq!(
        list.as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["keep".into(), "new".into()])
    );
    assert_eq!(call(&p, "POST", "/keep/meow", "x"), (200, "kept x".into()));
    assert_eq!(call(&p, "POST", "/new/n", "x"), (200, "x".into()));
    // One bad config refuses the whole set, naming its id.
    let bad = serde_json::json!({"keep": {"input": {"nope": {}}}});
    let (status, body) = call(&p, "POST", "/streams", &bad.to_string());
    assert_eq!(status, 400);
    assert!(body.contains("keep.input.nope"), "{body}");
    assert_eq!(
        json(&call(&p, "GET", "/streams", "").1)
            .as_object()
            .map(|o| o.len()),
        Some(2)
    );
}

#[test]
fn readiness_is_per_stream_and_aggregated() {
    let p = streams("ready", "", &[]);
    assert_eq!(call(&p, "GET", "/ready", ""), (200, "OK".into()));
    assert_eq!(call(&p, "POST", "/streams/web", MEOW).0, 200);
    let once = "input:\n  generate:\n    count: 1\n    interval: ''\n    mapping: root = 1\noutput:\n  drop: {}\n";
    assert_eq!(call(&p, "POST", "/streams/once", once).0, 200);
    eventually("the finished stream to be inactive", || {
        call(&p, "GET", "/streams/once", "")
            .1
            .contains("\"active\":false")
    });
    let (status, body) = call(&p, "GET", "/ready", "");
    assert_eq!(status, 503);
    assert!(body.contains("once") && !body.contains("web"), "{body}");
    assert_eq!(call(&p, "GET", "/web/ready", ""), (200, "OK".into()));
    assert_eq!(call(&p, "GET", "/once/ready", "").0, 503);
}

#[test]
fn an_api_token_guards_changes_and_config_reads() {
    let p = streams("token", "", &["--api-token", "s3cret"]);
    let (status, body) = call(&p, "POST", "/streams/foo", MEOW);
    assert_eq!(status, 401, "{body}");
    let auth = [("Authorization", "Bearer s3cret")];
    let (status, _, _) = http(
        &p.addr,
        "POST",
        "/streams/foo",
        &[("Authorization", "Bearer nope")],
        MEOW.as_bytes(),
    )
    .expect("reply");
    assert_eq!(status, 401);
    let (status, _, _) =
        http(&p.addr, "POST", "/streams/foo", &auth, MEOW.as_bytes()).expect("reply");
    assert_eq!(status, 200);
    // Listing and stats need no token; neither do the streams' own
    // routes. Reading a config (which may hold credentials) does.
    assert_eq!(call(&p, "GET", "/streams", "").0, 200);
    assert_eq!(call(&p, "GET", "/streams/foo/stats", "").0, 200);
    assert_eq!(call(&p, "POST", "/foo/meow", "x"), (200, "meow x".into()));
    assert_eq!(call(&p, "GET", "/streams/foo", "").0, 401);
    assert_eq!(call(&p, "POST", "/validate", MEOW).0, 401);
    let (status, _, body) = http(&p.addr, "GET", "/streams/foo", &auth, b"").expect("reply");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(call(&p, "DELETE", "/streams/foo", "").0, 401);
}

#[test]
fn resources_are_shared_and_managed_over_the_api() {
    let root =
        "processor_resources:\n  - label: shout\n    mapping: root = content().uppercase()\n";
    let p = streams("resources", root, &[]);
    let uses = |name: &str| {
        format!(
            "input:\n  http_server:\n    path: /r\npipeline:\n  processors:\n    - resource: {name}\noutput:\n  sync_response: {{}}\n"
        )
    };
    assert_eq!(call(&p, "POST", "/streams/a", &uses("shout")).0, 200);
    assert_eq!(call(&p, "POST", "/a/r", "hey"), (200, "HEY".into()));
    // A resource made through the API.
    let (status, body) = call(
        &p,
        "POST",
        "/resources/processor/twice",
        "mapping: root = content() + content()",
    );
    assert_eq!((status, body.as_str()), (200, "OK"));
    assert_eq!(call(&p, "POST", "/streams/b", &uses("twice")).0, 200);
    assert_eq!(call(&p, "POST", "/b/r", "ab"), (200, "abab".into()));
    let (status, body) = call(&p, "GET", "/resources/processor/twice", "");
    assert_eq!(status, 200);
    assert_eq!(
        json(&body),
        serde_json::json!({"mapping": "root = content() + content()"})
    );
    let (status, body) = call(&p, "POST", "/resources/processor/bad", "mappin: root = 1");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("did you mean `mapping`?"), "{body}");
    assert_eq!(call(&p, "POST", "/resources/widget/x", "{}").0, 400);
    assert_eq!(call(&p, "DELETE", "/resources/processor/twice", "").0, 200);
    assert_eq!(call(&p, "GET", "/resources/processor/twice", "").0, 404);
    // A stream naming a missing resource is refused.
    let (status, body) = call(&p, "POST", "/streams/c", &uses("twice"));
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("twice"), "{body}");
}

/// A POST whose body follows its headers 50 ms later, so the request is
/// routed, and then still in flight, while the stream is being replaced.
fn slow_post(addr: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )?;
    stream.flush()?;
    std::thread::sleep(Duration::from_millis(50));
    stream.write_all(body.as_bytes())?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let status = raw.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let reply = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, reply))
}

#[test]
fn a_replace_under_load_answers_every_request() {
    let p = streams("load", "", &[]);
    let old = MEOW.replace("meow ", "old ");
    assert_eq!(call(&p, "POST", "/streams/foo", &old).0, 200);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..200)
        .map(|i| {
            let addr = p.addr.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut answers = (0usize, 0usize);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let body = format!("c{i}");
                    let (status, reply) = slow_post(&addr, "/foo/meow", &body)
                        .unwrap_or_else(|e| panic!("client {i}: no reply: {e}"));
                    assert_eq!(status, 200, "client {i}: {reply}");
                    if reply == format!("old {body}") {
                        answers.0 += 1;
                    } else if reply == format!("new {body}") || reply == format!("newer {body}") {
                        answers.1 += 1;
                    } else {
                        panic!("client {i}: unexpected reply {reply}");
                    }
                }
                answers
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        call(&p, "PUT", "/streams/foo", &MEOW.replace("meow ", "new ")).0,
        200
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        call(&p, "PUT", "/streams/foo", &MEOW.replace("meow ", "newer ")).0,
        200
    );
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut old_answers, mut new_answers) = (0, 0);
    for c in clients {
        let (o, n) = c.join().expect("a client failed");
        old_answers += o;
        new_answers += n;
    }
    assert!(
        old_answers > 0 && new_answers > 0,
        "old {old_answers}, new {new_answers}"
    );
    eprintln!("answered {old_answers} by the old stream and {new_answers} by the new ones");
}

#[test]
fn metrics_carry_the_stream_and_the_mapping_drops_a_stream() {
    let root =
        "metrics:\n  mapping: |\n    root = if meta(\"stream\") == \"noisy\" { deleted() }\n";
    let p = streams("metrics", root, &[]);
    assert_eq!(call(&p, "POST", "/streams/foo", MEOW).0, 200);
    assert_eq!(call(&p, "POST", "/streams/noisy", MEOW).0, 200);
    assert_eq!(call(&p, "POST", "/foo/meow", "a"), (200, "meow a".into()));
    assert_eq!(call(&p, "POST", "/foo/meow", "b"), (200, "meow b".into()));
    assert_eq!(call(&p, "POST", "/noisy/meow", "c"), (200, "meow c".into()));
    let metrics = call(&p, "GET", "/metrics", "").1;
    assert!(
        metrics.contains("input_received{label=\"\",path=\"root.input\",stream=\"foo\"} 2\n"),
        "{metrics}"
    );
    assert!(!metrics.contains("stream=\"noisy\""), "{metrics}");
    let stats = json(&call(&p, "GET", "/streams/foo/stats", "").1);
    assert_eq!(stats["input_received"], 2, "{stats}");
    assert_eq!(stats["output_sent"], 2, "{stats}");
    assert_eq!(stats["input_latency_ns"]["count"], 2, "{stats}");
    // A replaced stream keeps counting; a deleted one leaves no series.
    assert_eq!(call(&p, "PUT", "/streams/foo", MEOW).0, 200);
    assert_eq!(call(&p, "POST", "/foo/meow", "d").0, 200);
    let stats = json(&call(&p, "GET", "/streams/foo/stats", "").1);
    assert_eq!(stats["input_received"], 3, "{stats}");
    assert_eq!(call(&p, "DELETE", "/streams/foo", "").0, 200);
    let metrics = call(&p, "GET", "/metrics", "").1;
    assert!(!metrics.contains("stream=\"foo\""), "{metrics}");
}

/// Sends the start of a request now; the returned closure sends the rest
/// and reads the reply.
fn begin_post(addr: &str, path: &str, body: &str) -> impl FnOnce() -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("headers");
    let body = body.to_string();
    move || {
        stream.write_all(body.as_bytes()).expect("body");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("reply");
        let status = raw.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let reply = raw
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, reply)
    }
}

#[test]
fn a_change_whose_client_hangs_up_still_answers_requests_in_flight() {
    use std::io::Write;
    let p = streams("hangup", "", &[]);
    assert_eq!(
        call(&p, "POST", "/streams/foo", &MEOW.replace("meow ", "old ")).0,
        200
    );
    let in_flight = begin_post(&p.addr, "/foo/meow", "x");
    std::thread::sleep(Duration::from_millis(200));
    // A PUT whose client goes away before the answer.
    let new = MEOW.replace("meow ", "new ");
    let mut put = std::net::TcpStream::connect(&p.addr).expect("connect");
    write!(
        put,
        "PUT /streams/foo HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{new}",
        new.len()
    )
    .expect("put");
    std::thread::sleep(Duration::from_millis(300));
    drop(put);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(in_flight(), (200, "old x".into()));
    eventually("the new stream", || {
        call(&p, "POST", "/foo/meow", "y").1 == "new y"
    });
}

#[test]
fn an_open_websocket_does_not_hold_up_a_replace() {
    let p = streams("ws", "shutdown_timeout: 60s\n", &[]);
    assert_eq!(call(&p, "POST", "/streams/foo", MEOW).0, 200);
    let url = format!("ws://{}/foo/post/ws", p.addr);
    let (mut socket, _) = tungstenite::connect(url.as_str()).expect("websocket handshake");
    socket.send(tungstenite::Message::text("hi")).expect("send");
    let reply = socket.read().expect("reply");
    assert_eq!(reply.into_text().expect("text").as_str(), "meow hi");
    // The replace closes the idle socket instead of waiting a minute.
    assert_eq!(
        call(&p, "PUT", "/streams/foo", &MEOW.replace("meow ", "new ")).0,
        200
    );
    match socket.read() {
        Ok(tungstenite::Message::Close(_)) | Err(_) => {}
        Ok(other) => panic!("unexpected frame {other:?}"),
    }
    assert_eq!(call(&p, "POST", "/foo/meow", "x"), (200, "new x".into()));
}

#[test]
fn a_failed_replace_of_an_own_address_stream_keeps_it() {
    let p = streams("own", "", &[]);
    let port = free_port();
    let own = |port: u16| {
        format!(
            "input:\n  http_server:\n    address: 127.0.0.1:{port}\n    path: /in\noutput:\n  sync_response: {{}}\n"
        )
    };
    assert_eq!(call(&p, "POST", "/streams/own", &own(port)).0, 200);
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let busy_port = busy.local_addr().expect("addr").port();
    let (status, body) = call(&p, "PUT", "/streams/own", &own(busy_port));
    assert_eq!(status, 502, "{body}");
    assert_eq!(call(&p, "GET", "/streams/own", "").0, 200);
    let (status, _, reply) =
        http(&format!("127.0.0.1:{port}"), "POST", "/in", &[], b"still").expect("reply");
    assert_eq!((status, reply.as_slice()), (200, b"still".as_slice()));
    // Replacing it on its own address works: the old one lets go first.
    assert_eq!(
        call(&p, "PUT", "/streams/own", &own(port).replace("/in", "/in2")).0,
        200
    );
    let (status, _, _) =
        http(&format!("127.0.0.1:{port}"), "POST", "/in2", &[], b"x").expect("reply");
    assert_eq!(status, 200);
}

#[test]
fn secrets_checks_and_failures_leave_nothing_behind() {
    let root = "output_resources:\n  - label: out\n    drop: {}\n    processors:\n      - mapping: root = \"${TARN_TEST_SECRET:hunter2}\"\n";
    let p = streams("secrets", root, &[]);
    let (status, body) = call(&p, "GET", "/resources/output/out", "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("${TARN_TEST_SECRET:hunter2}"), "{body}");
    assert_eq!(call(&p, "GET", "/resources/widget/out", "").0, 400);
    // Checking or failing to create leaves no metric series behind.
    assert_eq!(call(&p, "POST", "/validate", MEOW).0, 200);
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken = format!(
        "input:\n  http_server:\n    address: {}\noutput:\n  drop: {{}}\n",
        busy.local_addr().expect("addr")
    );
    assert_eq!(call(&p, "POST", "/streams/ghost", &taken).0, 502);
    let metrics = call(&p, "GET", "/metrics", "").1;
    assert!(!metrics.contains("stream="), "{metrics}");
    // Ids that would hide the server's own paths are refused.
    assert_eq!(call(&p, "POST", "/streams/ready", MEOW).0, 400);
}

#[test]
fn lint_errors_of_bulk_and_patch_bodies_point_into_them() {
    let p = streams("lintpos", "", &[]);
    assert_eq!(call(&p, "POST", "/streams/foo", MEOW).0, 200);
    let bulk = "foo:\n  input:\n    http_server:\n      path: /meow\n  output:\n    stdot: {}\n";
    let (status, body) = call(&p, "POST", "/streams", bulk);
    assert_eq!(status, 400, "{body}");
    let first = json(&body)["lint_errors"][0]
        .as_str()
        .expect("an error")
        .to_string();
    assert!(first.starts_with("6:5: foo.output.stdot: "), "{first}");
    let (status, body) = call(&p, "PATCH", "/streams/foo", "pipeline:\n  threads: many\n");
    assert_eq!(status, 400, "{body}");
    let first = json(&body)["lint_errors"][0]
        .as_str()
        .expect("an error")
        .to_string();
    assert!(first.starts_with("2:3: pipeline.threads: "), "{first}");
    // Two PATCHes at once both land.
    let a = std::thread::spawn({
        let addr = p.addr.clone();
        move || {
            http(
                &addr,
                "PATCH",
                "/streams/foo",
                &[],
                b"pipeline:\n  threads: 1\n",
            )
            .expect("reply")
            .0
        }
    });
    let b = http(
        &p.addr,
        "PATCH",
        "/streams/foo",
        &[],
        b"input:\n  http_server:\n    timeout: 7s\n",
    )
    .expect("reply")
    .0;
    assert_eq!((a.join().expect("patch"), b), (200, 200));
    let config = json(&call(&p, "GET", "/streams/foo", "").1)["config"].clone();
    assert_eq!(config["pipeline"]["threads"], 1, "{config}");
    assert_eq!(config["input"]["http_server"]["timeout"], "7s", "{config}");
}

#[test]
fn watching_a_single_file_stops_its_stream_when_it_goes() {
    let dir = temp_dir("watch-single-files");
    write(&dir, "solo.yaml", MEOW);
    let file = dir.join("solo.yaml").display().to_string();
    let p = streams("watch-single", "", &["-w", &file]);
    assert_eq!(call(&p, "POST", "/solo/meow", "x"), (200, "meow x".into()));
    std::fs::remove_file(dir.join("solo.yaml")).expect("rm");
    eventually("the removal to stop the stream", || {
        call(&p, "GET", "/streams/solo", "").0 == 404
    });
    write(&dir, "solo.yaml", &MEOW.replace("meow ", "back "));
    eventually("the file to come back", || {
        call(&p, "POST", "/solo/meow", "x").1 == "back x"
    });
}
