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
