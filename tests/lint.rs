//! End-to-end behaviour of `tarn lint`.

mod common;

use std::path::PathBuf;

fn write_config(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tarn-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn a_clean_config_passes_silently() {
    let path = write_config(
        "good.yaml",
        "input:\n  http_server:\n    path: /post\npipeline:\n  processors:\n    - mapping: root = content().uppercase()\noutput:\n  sync_response: {}\n",
    );
    let o = common::run_tarn(&["lint".as_ref(), path.as_os_str()], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stderr.is_empty());
}

#[test]
fn every_problem_is_reported_with_its_location_path_and_suggestion() {
    let path = write_config(
        "bad.yaml",
        "http:\n  adress: 0.0.0.0:4195\ninput:\n  http_server:\n    timeout: soon\npipeline:\n  processors:\n    - mapping: |\n        root.a = this.a\n        root.b = this.b.uppercse()\noutput:\n  sync_respons: {}\n",
    );
    let o = common::run_tarn(&["lint".as_ref(), path.as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "bad.yaml:2:3: error: `http.adress`: unknown field `adress`; did you mean `address`?",
        "bad.yaml:5:14: error: `input.http_server.timeout`: expected a duration",
        "bad.yaml:10:25: error: `pipeline.processors.0.mapping`: unrecognised method 'uppercse'",
        "bad.yaml:12:3: error: `output.sync_respons`: unknown output type `sync_respons`; did you mean `sync_response`?",
        "10 |         root.b = this.b.uppercse()",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn a_missing_environment_variable_is_named() {
    let path = write_config(
        "env.yaml",
        "http:\n  address: ${TARN_LINT_TEST_SURELY_UNSET}\n",
    );
    let o = common::run_tarn(&["lint".as_ref(), path.as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "env.yaml:2:1: error: environment variable `TARN_LINT_TEST_SURELY_UNSET` is not set"
        ),
        "{err}"
    );
}

/// Runs `tarn COMMAND path`, which must refuse the config: its report.
fn refused(command: &str, path: &std::path::Path) -> String {
    let o = common::run_tarn(&[command.as_ref(), path.as_os_str()], "");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{command} did not refuse {path:?}"
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn what_run_refuses_at_start_lint_refuses_with_its_location() {
    let cases = [
        (
            "level.yaml",
            "logger:\n  level: LOUD\ninput:\n  stdin: {}\noutput:\n  drop: {}\n",
            "level.yaml:2:3: error: `logger.level`: `LOUD` is not one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL, NONE",
        ),
        (
            "pattern.yaml",
            "input:\n  stdin: {}\noutput:\n  broker:\n    pattern: bogus\n    outputs:\n      - drop: {}\n",
            "pattern.yaml:5:14: error: `output.broker.pattern`: `bogus` is not one of `fan_out`",
        ),
        (
            "url.yaml",
            "input:\n  stdin: {}\noutput:\n  http_client:\n    verb: POST\n",
            "url.yaml:5:5: error: `output.http_client.url`: the field `url` is required",
        ),
        // How http_server inputs use the service server.
        (
            "disabled.yaml",
            "http:\n  enabled: false\ninput:\n  http_server:\n    path: /post\noutput:\n  drop: {}\n",
            "disabled.yaml:3:1: error: `input`: http_server: the input uses the service server (no `address`), but `http.enabled` is false",
        ),
        (
            "clash.yaml",
            "input:\n  http_server:\n    path: /ping\noutput:\n  drop: {}\n",
            "clash.yaml:1:1: error: `input`: http_server: the path /ping clashes with a service endpoint",
        ),
        // Numbers that would exhaust the process are bounded.
        (
            "threads.yaml",
            "pipeline:\n  threads: 1000000000\n",
            "threads.yaml:2:3: error: `pipeline.threads`: at most 1024 threads are supported",
        ),
        (
            "in-flight.yaml",
            "output:\n  http_client:\n    url: http://127.0.0.1:1/\n    max_in_flight: 18446744073709551615\n",
            "`output.http_client.max_in_flight`: must be from 1 to 65536",
        ),
        (
            "batch.yaml",
            "input:\n  generate:\n    mapping: root = 1\n    batch_size: 1000000000\noutput:\n  drop: {}\n",
            "`input.generate.batch_size`: the batch size must be from 1 to 100000",
        ),
    ];
    for (name, text, want) in cases {
        let path = write_config(name, text);
        let report = refused("lint", &path);
        assert!(report.contains(want), "missing {want:?} in:\n{report}");
        // `run` refuses it with the same words before starting anything.
        assert!(refused("run", &path).contains(want), "{name}");
    }
}

#[test]
fn a_broker_input_lints_clean_and_runs() {
    let path = write_config(
        "broker-input.yaml",
        "http:\n  enabled: false\ninput:\n  broker:\n    inputs:\n      - generate: { mapping: 'root = \"a\"', count: 2, interval: \"\" }\n      - generate: { mapping: 'root = \"b\"', count: 1, interval: \"\" }\noutput:\n  stdout: {}\n",
    );
    let o = common::run_tarn(&["lint".as_ref(), path.as_os_str()], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = common::run_tarn(&["run".as_ref(), path.as_os_str()], "");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut lines: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    assert_eq!(lines, ["a", "a", "b"]);
}
