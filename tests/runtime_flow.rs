//! `tarn run` end to end for the flow processors `try`, `retry`,
//! `for_each`, `while` and `parallel`, and their use with `catch`: real
//! pipelines through the real binary, asserting exact outputs.

mod common;

/// Runs `config` to completion on `stdin`: its stdout.
fn run_pipeline(name: &str, config: &str, stdin: &str) -> String {
    common::run_config_ok(name, config, stdin).0
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
