//! `tarn run` end to end for the flow processors (`switch`, `branch`),
//! `log` fields, the `bloblang` processor and the `file` input: real
//! pipelines through the real binary, asserting exact outputs.

mod common;

use common::{Pipeline, http, run_config_ok as run_pipeline, run_tarn, temp_dir};

#[test]
fn switch_routes_each_message_to_its_first_matching_case_in_order() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - switch:
        - check: this.type == "a"
          processors:
            - mapping: 'root = "A:" + this.v'
          fallthrough: true
        - check: this.type == "never"
          processors:
            - mapping: 'root = content() + "+fell"'
        - check: this.type == "b"
          processors:
            - mapping: 'root = "B:" + this.v'
        - check: this.type == "drop"
          processors:
            - mapping: root = deleted()
        - processors:
            - mapping: 'root = "other:" + content()'
output:
  stdout: {}
"#;
    let input = concat!(
        "{\"type\":\"a\",\"v\":\"1\"}\n",
        "{\"type\":\"b\",\"v\":\"2\"}\n",
        "{\"type\":\"drop\"}\n",
        "{\"type\":\"c\"}\n",
        "{\"type\":\"b\",\"v\":\"3\"}\n",
    );
    let (stdout, _) = run_pipeline("switch", config, input);
    assert_eq!(
        stdout, "A:1+fell\nB:2\nother:{\"type\":\"c\"}\nB:3\n",
        "a falls through into the next case without its check; drop is dropped"
    );
}

#[test]
fn switch_without_a_matching_case_passes_messages_unchanged() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - switch:
        - check: content() == "x"
          processors:
            - mapping: root = "matched"
output:
  stdout: {}
"#;
    let (stdout, _) = run_pipeline("switch-none", config, "x\ny\nx\n");
    assert_eq!(stdout, "matched\ny\nmatched\n");
}

#[test]
fn branch_enriches_the_original_and_keeps_its_metadata() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - mutation: meta origin = "stdin"
    - branch:
        request_map: |
          root.n = this.id
          meta origin = "branch"
        processors:
          - mapping: |
              root.square = this.n * this.n
              root.origin_seen = @origin
        result_map: |
          root.square = this.square
          root.seen = this.origin_seen
    - mapping: 'root = content().string() + " " + @origin'
output:
  stdout: {}
"#;
    let (stdout, _) = run_pipeline("branch", config, "{\"id\":3}\n{\"id\":5,\"x\":true}\n");
    assert_eq!(
        stdout,
        concat!(
            "{\"id\":3,\"seen\":\"branch\",\"square\":9} stdin\n",
            "{\"id\":5,\"seen\":\"branch\",\"square\":25,\"x\":true} stdin\n",
        )
    );
}

#[test]
fn branch_skips_deleted_requests_and_flags_failures_on_the_original() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - branch:
        request_map: 'root = if this.skip == true { deleted() } else { this }'
        processors:
          - mapping: 'root.doubled = this.n * 2'
        result_map: root.doubled = this.doubled
    - catch:
        - mapping: 'root = "caught " + error_source_name() + ": " + error()'
output:
  stdout: {}
"#;
    let input = "{\"n\":2}\n{\"skip\":true,\"n\":7}\n{\"n\":\"oops\"}\n";
    let (stdout, _) = run_pipeline("branch-errors", config, input);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0], "{\"doubled\":4,\"n\":2}");
    assert_eq!(lines[1], "{\"skip\":true,\"n\":7}", "skipped: unchanged");
    assert!(
        lines[2].starts_with("caught branch: processors failed: "),
        "{}",
        lines[2]
    );
}

#[test]
fn branch_answers_http_requests_through_sync_response() {
    let p = Pipeline::start(
        "branch-http",
        r#"
http:
  address: {ADDR}
input:
  http_server:
    path: /post
pipeline:
  processors:
    - branch:
        request_map: root = this.name.uppercase()
        processors:
          - mapping: 'root = "hello " + content()'
        result_map: root.greeting = content().string()
output:
  sync_response: {}
"#,
    );
    let (status, _, body) =
        http(&p.addr, "POST", "/post", &[], br#"{"name":"ada"}"#).expect("request");
    assert_eq!(
        (status, String::from_utf8_lossy(&body).into_owned()),
        (200, r#"{"greeting":"hello ADA","name":"ada"}"#.to_string())
    );
}

#[test]
fn log_appends_the_fields_of_fields_mapping() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - log:
        level: WARN
        message: 'got ${! content() }'
        fields_mapping: |
          root.size = content().length()
          root.note = "two words"
output:
  drop: {}
"#;
    let (_, stderr) = run_pipeline("log", config, "abc\n");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(r#"level=warn msg="got abc" "#)
                && l.ends_with(r#" note="two words" size=3"#)),
        "{stderr}"
    );
}

#[test]
fn the_bloblang_processor_maps_and_reports_its_own_name() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - bloblang: 'root = this.a + 1'
    - catch:
        - mapping: 'root = error_source_name()'
output:
  stdout: {}
"#;
    let (stdout, _) = run_pipeline("bloblang", config, "{\"a\":1}\nnot json\n");
    assert_eq!(stdout, "2\nbloblang\n");
}

#[test]
fn file_input_reads_every_line_of_every_globbed_file() {
    let dir = temp_dir("file-input");
    std::fs::create_dir_all(dir.join("sub/deep")).expect("mkdir");
    std::fs::write(dir.join("a.txt"), "a1\na2\n").expect("write");
    std::fs::write(dir.join("skip.log"), "no\n").expect("write");
    std::fs::write(dir.join("sub/b.txt"), "b1").expect("write");
    std::fs::write(dir.join("sub/deep/c.txt"), "c1\n").expect("write");
    let d = dir.display();
    let config = format!(
        r#"
input:
  file:
    paths: [ "{d}/**/*.txt", "{d}/a.tx?" ]
pipeline:
  threads: 1
  processors:
    - mapping: |
        root = "%s %s %v".format(@path.trim_prefix("{d}/"), content(), @mod_time.ts_unix() == @mod_time_unix)
output:
  stdout: {{}}
"#
    );
    let (stdout, _) = run_pipeline("file-input-run", &config, "");
    assert_eq!(
        stdout, "a.txt a1 true\na.txt a2 true\nsub/b.txt b1 true\nsub/deep/c.txt c1 true\n",
        "files in sorted order, each once, lines in order"
    );
}

#[test]
fn file_input_into_a_file_output_through_switch() {
    let dir = temp_dir("file-to-file");
    std::fs::write(dir.join("in.txt"), "1\n2\n3\n4\n").expect("write");
    let out = dir.join("out.txt");
    let config = format!(
        r#"
input:
  file:
    paths: [ "{}/in.txt" ]
pipeline:
  threads: 1
  processors:
    - switch:
        - check: content().number() % 2 == 0
          processors:
            - mapping: 'root = "even " + content()'
        - processors:
            - mapping: 'root = "odd " + content()'
output:
  file:
    path: {}
"#,
        dir.display(),
        out.display()
    );
    run_pipeline("file-to-file-run", &config, "");
    assert_eq!(
        std::fs::read_to_string(&out).expect("output written"),
        "odd 1\neven 2\nodd 3\neven 4\n"
    );
}

#[test]
fn file_input_deletes_files_on_finish_only_when_asked() {
    let dir = temp_dir("file-delete");
    std::fs::write(dir.join("gone.txt"), "x\n").expect("write");
    std::fs::write(dir.join("kept.dat"), "y\n").expect("write");
    let config = format!(
        "input:\n  file:\n    paths: [ \"{d}/*.txt\" ]\n    delete_on_finish: true\noutput:\n  stdout: {{}}\n",
        d = dir.display()
    );
    let (stdout, _) = run_pipeline("file-delete-run", &config, "");
    assert_eq!(stdout, "x\n");
    assert!(!dir.join("gone.txt").exists(), "acknowledged file deleted");
    let config = format!(
        "input:\n  file:\n    paths: [ \"{d}/*.dat\" ]\noutput:\n  stdout: {{}}\n",
        d = dir.display()
    );
    let (stdout, _) = run_pipeline("file-keep-run", &config, "");
    assert_eq!(stdout, "y\n");
    assert!(
        dir.join("kept.dat").exists(),
        "kept without delete_on_finish"
    );
    // A file whose message the output rejects stays (not replayed here:
    // replay would retry the write for ever).
    std::fs::write(dir.join("nacked.txt"), "z\n").expect("write");
    let config = format!(
        "input:\n  file:\n    paths: [ \"{d}/nacked.txt\" ]\n    delete_on_finish: true\n    auto_replay_nacks: false\noutput:\n  file:\n    path: {d}\n",
        d = dir.display()
    );
    let (_, stderr) = run_pipeline("file-nack-run", &config, "");
    assert!(stderr.contains("message rejected"), "{stderr}");
    assert!(dir.join("nacked.txt").exists(), "a rejected file is kept");
}

#[test]
fn generate_feeds_a_switch() {
    let config = r#"
input:
  generate:
    mapping: 'root = {"kind": "tick"}'
    interval: ""
    count: 3
pipeline:
  threads: 1
  processors:
    - switch:
        - check: this.kind == "tick"
          processors:
            - mapping: root = "tock"
output:
  stdout: {}
"#;
    let (stdout, _) = run_pipeline("generate", config, "");
    assert_eq!(stdout, "tock\ntock\ntock\n");
}

#[test]
fn lint_accepts_the_new_fields_and_rejects_typos() {
    let dir = temp_dir("lint");
    let good = dir.join("good.yaml");
    std::fs::write(
        &good,
        r#"
input:
  file:
    paths: [ "./*.txt" ]
pipeline:
  processors:
    - switch:
        - check: this.a == 1
          processors: [ { mapping: root = 1 } ]
          fallthrough: true
    - branch:
        request_map: root = this
        processors: [ { log: { message: hi, fields_mapping: root.a = 1 } } ]
        result_map: root.b = this
"#,
    )
    .expect("write");
    let out = run_tarn(&["lint".as_ref(), good.as_os_str()], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "pipeline:\n  processors:\n    - switch:\n        - check: this.a == 1\n          fallthru: true\n",
    )
    .expect("write");
    let out = run_tarn(&["lint".as_ref(), bad.as_os_str()], "");
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{report}");
    assert!(report.contains("fallthru"), "{report}");
}

#[test]
fn a_failing_mapping_logs_one_error_naming_its_processor_and_passes_the_message_on() {
    let config = "input:\n  stdin: {}\npipeline:\n  threads: 1\n  processors:\n    - mapping: root = this\n    - label: to_number\n      mapping: root.x = this.a.number()\noutput:\n  stdout: {}\n";
    let (stdout, stderr) =
        run_pipeline("failing-mapping", config, "{\"a\":\"1\"}\n{\"a\":\"zz\"}\n");
    // As in Benthos, the failed message goes on unchanged, flagged.
    assert_eq!(stdout, "{\"x\":1}\n{\"a\":\"zz\"}\n");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("level=error"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    for want in [
        "failed assignment (line 1)",
        "label=to_number",
        "path=root.pipeline.processors.1",
    ] {
        assert!(errors[0].contains(want), "{want:?} not in {}", errors[0]);
    }
}

#[test]
fn a_failing_mapping_behind_http_is_logged_too() {
    let config = "http:\n  address: {ADDR}\ninput:\n  http_server:\n    path: /weather\npipeline:\n  processors:\n    - mapping: root.forecast = this.location.uppercase()\noutput:\n  sync_response: {}\n";
    let mut p = Pipeline::start("failing-mapping-http", config);
    let (status, _, body) =
        http(&p.addr, "POST", "/weather", &[], br#"{"location":3}"#).expect("request");
    assert_eq!(
        (status, body.as_slice()),
        (200, br#"{"location":3}"#.as_slice())
    );
    assert_eq!(p.terminate(), Some(0));
    let stderr = p.take_output();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("level=error"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("path=root.pipeline.processors.0"),
        "{}",
        errors[0]
    );
}
