//! `tarn run` end to end for the flow processors `try`, `retry`,
//! `for_each`, `while` and `parallel`, and their use with `catch`: real
//! pipelines through the real binary, asserting exact outputs.

mod common;

use common::{run_tarn, temp_dir};

/// Runs `tarn run` on `config` (HTTP server off) feeding `stdin`; returns
/// stdout after checking it exited cleanly.
fn run_pipeline(name: &str, config: &str, stdin: &str) -> String {
    let dir = temp_dir(&format!("flow-{name}"));
    let path = dir.join("config.yaml");
    std::fs::write(&path, format!("http:\n  enabled: false\n{config}")).expect("write config");
    let out = run_tarn(&["run".as_ref(), path.as_os_str()], stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tarn run failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn try_skips_the_rest_for_a_failed_message_and_catch_recovers_it() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - try:
        - mapping: 'root = this.n.number()'
        - mapping: 'root = this * 10'
    - catch:
        - mapping: 'root = "bad input (%s)".format(error_source_name())'
output:
  stdout: {}
"#;
    let out = run_pipeline(
        "try",
        config,
        "{\"n\":\"1\"}\n{\"n\":\"x\"}\n{\"n\":\"3\"}\n",
    );
    assert_eq!(out, "10\nbad input (mapping)\n30\n");
}

#[test]
fn retry_runs_the_original_again_until_it_succeeds() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - retry:
        backoff:
          initial_interval: 1ms
          max_interval: 2ms
        processors:
          - mutation: 'root.attempted = true'
          - mapping: 'root = if counter() % 3 != 0 { throw("flaky") } else { this }'
    - mapping: 'root = "%s %v %v".format(this.id, this.attempted, @retry_count)'
output:
  stdout: {}
"#;
    let out = run_pipeline("retry", config, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
    assert_eq!(out, "a true 2\nb true 2\n");
}

#[test]
fn while_for_each_and_parallel_work_on_the_batch() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - while:
        check: 'content().length() < 4'
        processors:
          - mapping: 'root = content() + "."'
    - for_each:
        - mapping: 'root = "%s:%v".format(content(), batch_size())'
    - parallel:
        cap: 2
        processors:
          - mapping: 'root = content().uppercase()'
output:
  stdout: {}
"#;
    let out = run_pipeline("loops", config, "a\nbb\n");
    assert_eq!(out, "A...:1\nBB..:1\n");
}
