//! Observability of `tarn run` and `tarn streams`, end to end over
//! 127.0.0.1: `/metrics` counters and timing summaries moved by real
//! requests, `/streams/{id}/stats`, `/endpoints`, `/version`, and
//! structured log lines on stderr or in `logger.file`.

mod common;

use common::{Pipeline, http};
use std::collections::HashMap;

/// `/metrics` (or `{root}/metrics`) as a map of `name{labels}` → value.
fn scrape(addr: &str, path: &str) -> (String, HashMap<String, f64>) {
    let (status, headers, body) = http(addr, "GET", path, &[], b"").expect("scrape");
    assert_eq!(status, 200);
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        content_type,
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = String::from_utf8(body).expect("utf-8");
    let mut values = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value.parse().expect("a number");
        assert!(
            values.insert(series.to_string(), value).is_none(),
            "{series} twice"
        );
    }
    (text, values)
}

fn get(values: &HashMap<String, f64>, series: &str) -> f64 {
    *values
        .get(series)
        .unwrap_or_else(|| panic!("no series {series} in {values:?}"))
}

const METRICS_CONFIG: &str = r#"http:
  address: {ADDR}
input:
  label: in
  http_server:
    path: /post
pipeline:
  processors:
    - label: upper
      mapping: root = content().uppercase()
    - mapping: 'root = if content() == "FAIL" { throw("nope") } else { content() }'
output:
  sync_response: {}
"#;

#[test]
fn metrics_count_every_request_through_every_component() {
    let p = Pipeline::start("metrics", METRICS_CONFIG);
    let input = r#"{label="in",path="root.input"}"#;
    let upper = r#"{label="upper",path="root.pipeline.processors.0"}"#;
    let check = r#"{label="",path="root.pipeline.processors.1"}"#;
    let output = r#"{label="",path="root.output"}"#;

    // Every series exists, at zero, before any traffic.
    let (text, before) = scrape(&p.addr, "/metrics");
    for series in [
        format!("input_received{input}"),
        format!("processor_received{upper}"),
        format!("processor_error{check}"),
        format!("output_sent{output}"),
        format!("output_latency_ns_count{output}"),
    ] {
        assert_eq!(get(&before, &series), 0.0, "{series}");
    }
    assert!(
        text.contains("# TYPE output_latency_ns summary\n"),
        "{text}"
    );
    // No observation yet: NaN quantiles, as Prometheus clients print them.
    let idle = r#"output_latency_ns{label="",path="root.output",quantile="0.5"}"#;
    assert!(get(&before, idle).is_nan(), "{text}");
    assert!(text.contains("# TYPE input_received counter\n"), "{text}");

    let bodies: [&[u8]; 5] = [b"a", b"bb", b"fail", b"ccc", b"dddd"];
    for body in bodies {
        let (status, _, reply) = http(&p.addr, "POST", "/post", &[], body).expect("request");
        assert_eq!(status, 200);
        assert_eq!(reply, body.to_ascii_uppercase());
    }
    // A refused verb never becomes a message.
    let (status, _, _) = http(&p.addr, "GET", "/post", &[], b"").expect("request");
    assert_eq!(status, 405);

    let n = bodies.len() as f64;
    let (_, after) = scrape(&p.addr, "/metrics");
    for (series, want) in [
        (format!("input_received{input}"), n),
        (format!("input_latency_ns_count{input}"), n),
        (format!("processor_received{upper}"), n),
        (format!("processor_batch_received{upper}"), n),
        (format!("processor_sent{upper}"), n),
        (format!("processor_batch_sent{upper}"), n),
        (format!("processor_error{upper}"), 0.0),
        (format!("processor_latency_ns_count{upper}"), n),
        (format!("processor_received{check}"), n),
        (format!("processor_sent{check}"), n),
        (format!("processor_error{check}"), 1.0),
        (format!("output_sent{output}"), n),
        (format!("output_batch_sent{output}"), n),
        (format!("output_error{output}"), 0.0),
        (format!("output_latency_ns_count{output}"), n),
    ] {
        assert_eq!(get(&after, &series), want, "{series}");
    }
    // Timings are summaries in nanoseconds with quantiles from an
    // accurate sketch: each quantile lies between the fastest and the
    // slowest of the n observations, so 0 < p50 <= p90 <= p99 <= sum. A
    // bucket-interpolated p50 (2.5 ms for anything under 5 ms) would
    // exceed the sum of five sub-millisecond processor runs.
    for (labels, timing) in [
        (upper, "processor_latency_ns"),
        (check, "processor_latency_ns"),
        (output, "output_latency_ns"),
        (input, "input_latency_ns"),
    ] {
        let inner = &labels[1..labels.len() - 1];
        let q = |q: &str| get(&after, &format!("{timing}{{{inner},quantile=\"{q}\"}}"));
        let sum = get(&after, &format!("{timing}_sum{labels}"));
        let (p50, p90, p99) = (q("0.5"), q("0.9"), q("0.99"));
        assert!(
            p50 > 0.0 && p50 <= p90 && p90 <= p99 && p99 <= sum,
            "{timing}{labels}: p50 {p50}, p90 {p90}, p99 {p99}, sum {sum}"
        );
    }

    // The same registry under the root path and at /stats.
    let (_, prefixed) = scrape(&p.addr, "/benthos/metrics");
    assert_eq!(get(&prefixed, &format!("input_received{input}")), n);
    let (_, stats) = scrape(&p.addr, "/stats");
    assert_eq!(get(&stats, &format!("output_sent{output}")), n);
}

#[test]
fn endpoints_and_version_describe_the_server() {
    let p = Pipeline::start("endpoints", METRICS_CONFIG);
    for path in ["/endpoints", "/benthos/endpoints"] {
        let (status, _, body) = http(&p.addr, "GET", path, &[], b"").expect("request");
        assert_eq!(status, 200);
        let map: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        let map = map.as_object().expect("an object");
        for key in [
            "/ping",
            "/ready",
            "/version",
            "/endpoints",
            "/metrics",
            "/stats",
            "/post",
        ] {
            assert!(
                map.get(key)
                    .and_then(|d| d.as_str())
                    .is_some_and(|d| !d.is_empty()),
                "{key} in {map:?}"
            );
        }
    }
    let (status, _, body) = http(&p.addr, "GET", "/version", &[], b"").expect("request");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["built"].is_string());
}

#[test]
fn json_logs_carry_levels_messages_and_fields() {
    let config = r#"http:
  address: {ADDR}
logger:
  level: INFO
  format: json
  add_timestamp: true
  static_fields:
    '@service': obs-test
input:
  http_server: {}
pipeline:
  processors:
    - label: shout
      log:
        level: INFO
        message: 'got ${! content() }'
        fields_mapping: 'root.size = content().length()'
    - log:
        level: DEBUG
        message: 'hidden ${! content() }'
output:
  sync_response: {}
"#;
    let mut p = Pipeline::start("jsonlog", config);
    for body in [b"abc".as_slice(), b"hello".as_slice()] {
        let (status, _, _) = http(&p.addr, "POST", "/post", &[], body).expect("request");
        assert_eq!(status, 200);
    }
    assert_eq!(p.terminate(), Some(0));
    let err = p.take_output();
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
        .collect();
    for line in &lines {
        assert_eq!(line["@service"], "obs-test", "{line}");
        assert!(
            line["time"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{line}"
        );
    }
    let msg = |l: &serde_json::Value| l["msg"].as_str().unwrap_or("").to_string();
    let got: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| msg(l).starts_with("got "))
        .collect();
    assert_eq!(got.len(), 2, "{err}");
    for (line, (text, size)) in got.iter().zip([("got abc", 3), ("got hello", 5)]) {
        assert_eq!(line["level"], "info");
        assert_eq!(line["msg"], text);
        assert_eq!(line["label"], "shout");
        assert_eq!(line["path"], "root.pipeline.processors.0");
        assert_eq!(line["size"], size);
    }
    assert!(
        !lines.iter().any(|l| msg(l).starts_with("hidden")),
        "DEBUG lines are filtered at INFO: {err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["level"] == "info" && msg(l).starts_with("Listening for HTTP requests at:")),
        "{err}"
    );
}

#[test]
fn logfmt_is_the_default_and_the_level_filters() {
    let config = r#"http:
  address: {ADDR}
logger:
  level: WARN
input:
  http_server: {}
pipeline:
  processors:
    - log:
        level: INFO
        message: 'quiet ${! content() }'
    - log:
        level: ERROR
        message: 'loud ${! content() }'
output:
  sync_response: {}
"#;
    let mut p = Pipeline::start("logfmt", config);
    let (status, _, _) = http(&p.addr, "POST", "/post", &[], b"x y").expect("request");
    assert_eq!(status, 200);
    assert_eq!(p.terminate(), Some(0));
    let err = p.take_output();
    assert_eq!(
        err,
        "level=error msg=\"loud x y\" @service=tarn label=\"\" path=root.pipeline.processors.1\n",
        "only the ERROR line passes WARN; the INFO service lines do not"
    );
}

#[test]
fn an_unknown_log_level_is_refused() {
    let dir = std::env::temp_dir().join(format!("tarn-obs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad-level.yaml");
    std::fs::write(&path, "logger:\n  level: LOUD\ninput:\n  stdin: {}\n").expect("write");
    let o = common::run_tarn(&["run".as_ref(), path.as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`logger.level`: `LOUD` is not one of"),
        "{err}"
    );
}

#[test]
fn broker_children_are_counted_under_their_own_paths() {
    let config = r#"http:
  address: {ADDR}
input:
  http_server: {}
output:
  label: fan
  broker:
    pattern: fan_out
    outputs:
      - drop: {}
      - label: answer
        sync_response: {}
        processors:
          - mapping: root = content().uppercase()
"#;
    let p = Pipeline::start("broker", config);
    for _ in 0..3 {
        let (status, _, body) = http(&p.addr, "POST", "/post", &[], b"hi").expect("request");
        assert_eq!((status, body.as_slice()), (200, b"HI".as_slice()));
    }
    let (_, m) = scrape(&p.addr, "/metrics");
    for (series, want) in [
        (r#"output_sent{label="fan",path="root.output"}"#, 3.0),
        (
            r#"output_sent{label="",path="root.output.broker.outputs.0"}"#,
            3.0,
        ),
        (
            r#"output_sent{label="answer",path="root.output.broker.outputs.1"}"#,
            3.0,
        ),
        (
            r#"processor_sent{label="",path="root.output.broker.outputs.1.processors.0"}"#,
            3.0,
        ),
        (r#"output_error{label="fan",path="root.output"}"#, 0.0),
    ] {
        assert_eq!(get(&m, series), want, "{series}");
    }
}

#[test]
fn log_fields_are_interpolated() {
    let config = r#"http:
  address: {ADDR}
logger:
  level: WARN
input:
  http_server: {}
pipeline:
  processors:
    - log:
        level: WARN
        message: seen
        fields:
          body: '${! content() }'
output:
  drop: {}
"#;
    let mut p = Pipeline::start("logfields", config);
    let (status, _, _) = http(&p.addr, "POST", "/post", &[], b"a=b").expect("request");
    assert_eq!(status, 200);
    assert_eq!(p.terminate(), Some(0));
    assert_eq!(
        p.take_output(),
        "level=warn msg=seen @service=tarn label=\"\" path=root.pipeline.processors.0 body=\"a=b\"\n"
    );
}

#[test]
fn the_metrics_mapping_renames_and_drops_series() {
    let config = r#"http:
  address: {ADDR}
metrics:
  mapping: |
    root = match this {
      "input_received" => "tarn_messages_in"
      this.has_prefix("processor_") => deleted()
    }
    meta path = deleted()
    meta service = "obs"
  prometheus: {}
input:
  label: in
  http_server:
    path: /post
pipeline:
  processors:
    - mapping: root = content().uppercase()
output:
  sync_response: {}
"#;
    let p = Pipeline::start("metricsmapping", config);
    for body in [b"a".as_slice(), b"bb".as_slice()] {
        let (status, _, reply) = http(&p.addr, "POST", "/post", &[], body).expect("request");
        assert_eq!(status, 200);
        assert_eq!(reply, body.to_ascii_uppercase());
    }
    let (text, values) = scrape(&p.addr, "/metrics");
    assert_eq!(
        get(&values, r#"tarn_messages_in{label="in",service="obs"}"#),
        2.0
    );
    assert_eq!(get(&values, r#"output_sent{label="",service="obs"}"#), 2.0);
    assert!(!text.contains("input_received"), "{text}");
    assert!(!text.contains("processor_"), "{text}");
    assert!(!text.contains("path="), "{text}");
}

#[test]
fn stream_stats_report_the_quantiles_of_what_was_observed() {
    let addr = format!("127.0.0.1:{}", common::free_port());
    let dir = common::temp_dir("obs-streams-stats");
    let root = dir.join("root.yaml");
    std::fs::write(&root, format!("http:\n  address: {addr}\n")).expect("root");
    let args = [
        "streams".to_string(),
        "-o".into(),
        root.display().to_string(),
    ];
    let p = Pipeline::spawn(&args, addr);
    let stream = "input:\n  http_server:\n    path: /in\npipeline:\n  processors:\n    - mapping: root = content().uppercase()\noutput:\n  sync_response: {}\n";
    let (status, _, _) =
        http(&p.addr, "POST", "/streams/fast", &[], stream.as_bytes()).expect("create");
    assert_eq!(status, 200);
    let (status, _, reply) = http(&p.addr, "POST", "/fast/in", &[], b"hi").expect("request");
    assert_eq!((status, reply.as_slice()), (200, b"HI".as_slice()));
    let (status, _, body) = http(&p.addr, "GET", "/streams/fast/stats", &[], b"").expect("stats");
    assert_eq!(status, 200);
    let stats: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    // One request: every quantile is that one observation, which is also
    // the sum. (Quantiles interpolated in buckets reported 2.5 ms for
    // any single observation under 5 ms, whatever it was.)
    for timing in [
        "processor_latency_ns",
        "output_latency_ns",
        "input_latency_ns",
    ] {
        let t = &stats[timing];
        assert_eq!(t["count"], 1, "{timing}: {stats}");
        let sum = t["sum_ns"].as_u64().expect("sum_ns");
        assert!(sum > 0, "{timing}: {stats}");
        for q in ["p50_ns", "p90_ns", "p99_ns"] {
            assert_eq!(t[q].as_u64(), Some(sum), "{timing}.{q}: {stats}");
        }
    }
    // And /metrics shows the same observation as the stream's quantile.
    let (_, values) = scrape(&p.addr, "/metrics");
    let series = r#"processor_latency_ns{label="",path="root.pipeline.processors.0",stream="fast",quantile="0.5"}"#;
    assert_eq!(
        get(&values, series),
        stats["processor_latency_ns"]["p50_ns"]
            .as_f64()
            .expect("a number")
    );
}

#[test]
fn logger_file_takes_the_lines_instead_of_stderr() {
    let dir = common::temp_dir("obs-logfile");
    let log = dir.join("tarn.log");
    let _ = std::fs::remove_file(&log);
    let config = format!(
        r#"http:
  address: {{ADDR}}
logger:
  level: INFO
  format: json
  file:
    path: '{}'
input:
  http_server: {{}}
pipeline:
  processors:
    - log:
        message: 'saw ${{! content() }}'
output:
  sync_response: {{}}
"#,
        log.display()
    );
    let mut p = Pipeline::start("logfile", &config);
    let (status, _, _) = http(&p.addr, "POST", "/post", &[], b"abc").expect("request");
    assert_eq!(status, 200);
    assert_eq!(p.terminate(), Some(0));
    assert_eq!(p.take_output(), "", "nothing on stderr");
    let text = std::fs::read_to_string(&log).expect("the log file");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["msg"]
            .as_str()
            .is_some_and(|m| m.starts_with("Listening for HTTP requests at:"))),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["msg"] == "saw abc" && l["path"] == "root.pipeline.processors.0"),
        "{text}"
    );
}
