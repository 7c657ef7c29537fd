//! Runs of `tarn test` on small files written for each case.

use super::*;
use std::path::{Path, PathBuf};

/// A fresh folder with `files` (name, text) written into it.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tarn-unit-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    dir
}

fn run_at(path: &Path) -> Report {
    run(&[path.to_path_buf()], &Options::default())
}

/// `(name, passed, details)` of every test of the report.
fn outcomes(report: &Report) -> Vec<(String, bool, String)> {
    let mut out = Vec::new();
    for target in &report.targets {
        match &target.result {
            Ok(cases) => {
                for case in cases {
                    let details = match &case.outcome {
                        Outcome::Passed => String::new(),
                        Outcome::Failed(reasons) => reasons.join("\n"),
                        Outcome::Error(e) => e.to_string(),
                    };
                    out.push((case.name.clone(), case.passed(), details));
                }
            }
            Err(e) => out.push((String::new(), false, e.to_string())),
        }
    }
    out
}

const UPPER: &str = "pipeline:\n  processors:\n    - label: upper\n      mapping: |\n        root = content().uppercase()\n        meta seen = \"yes\"\n    - mapping: 'root = {\"text\": content().string(), \"n\": content().length()}'\n";

#[test]
fn inline_tests_run_the_pipeline_processors_and_check_every_condition() {
    let cfg = format!(
        "{UPPER}tests:\n  - name: all conditions\n    input_batch:\n      - content: ab\n        metadata: {{a: 1}}\n    output_batches:\n      - - json_equals: {{text: AB, n: 2}}\n          json_contains: '{{\"n\": 2.0}}'\n          content_matches: '\"AB\"'\n          metadata_equals: {{seen: 'yes', a: 1}}\n          bloblang: 'this.n == 2 && @seen == \"yes\"'\n          content_equals: '{{\"n\":2,\"text\":\"AB\"}}'\n"
    );
    let dir = folder("inline", &[("c.yaml", &cfg)]);
    let report = run_at(&dir.join("c.yaml"));
    assert_eq!(
        outcomes(&report),
        vec![("all conditions".into(), true, String::new())]
    );
    assert!(report.passed());
}

#[test]
fn each_failing_condition_is_reported_with_what_differs() {
    let cfg = format!(
        "{UPPER}tests:\n  - name: wrong\n    input_batch:\n      - content: ab\n    output_batches:\n      - - json_equals: {{text: AB, n: 3, x: null}}\n          json_contains: {{text: ab}}\n          metadata_equals: {{seen: 'no', gone: 1}}\n          bloblang: this.n\n          content_matches: '^x'\n      - - content_equals: more\n"
    );
    let dir = folder("failing", &[("c.yaml", &cfg)]);
    let report = run_at(&dir.join("c.yaml"));
    let all = outcomes(&report);
    let (_, passed, details) = &all[0];
    assert!(!passed);
    for want in [
        "expected 2 output batches, got 1",
        "batch 0 message 0: bloblang: the query gave 2 (number), not a boolean",
        "batch 0 message 0: content_matches: the content does not match the pattern\n  pattern: ^x\n  received: {\"n\":2,\"text\":\"AB\"}",
        "batch 0 message 0: json_contains: the document does not contain what is expected",
        "~   \"text\": \"AB\" => \"ab\"",
        "batch 0 message 0: json_equals: the document differs",
        "~   \"n\": 2 => 3,",
        "+   \"x\": null\n",
        "batch 0 message 0: metadata_equals: the key `gone` is missing\n  the key `seen` differs\n    expected: \"no\"\n    received: \"yes\"",
    ] {
        assert!(details.contains(want), "missing {want:?} in:\n{details}");
    }
    assert!(!report.passed());
    let text = report.render();
    assert!(text.contains("FAIL  "), "{text}");
    assert!(text.contains("c.yaml:9:5: wrong ---"), "{text}");
    assert!(text.ends_with("1 test: 0 passed, 1 failed\n"), "{text}");
}

#[test]
fn a_test_file_beside_the_config_targets_labels_and_pointers() {
    let tests = "parallel: true\ntests:\n  - name: by label\n    target_processors: upper\n    input_batch: [{content: ab}]\n    output_batches: [[{content_equals: AB}]]\n  - name: by pointer\n    target_processors: /pipeline/processors/1\n    input_batch: [{content: ab}]\n    output_batches: [[{json_equals: {text: ab, n: 2}}]]\n  - name: batches in order\n    input_batches:\n      - [{content: a}, {content: b}]\n      - [{content: c}]\n    input_batch: [{content: d}]\n    output_batches:\n      - [{json_contains: {text: A}}, {json_contains: {text: B}}]\n      - [{json_contains: {text: C}}]\n      - [{json_contains: {text: D}}]\n";
    let dir = folder(
        "sibling",
        &[("c.yaml", UPPER), ("c_benthos_test.yaml", tests)],
    );
    for path in [
        dir.join("c.yaml"),
        dir.join("c_benthos_test.yaml"),
        dir.clone(),
    ] {
        let report = run_at(&path);
        let all = outcomes(&report);
        assert_eq!(all.len(), 3, "{path:?}: {all:?}");
        assert!(all.iter().all(|(_, ok, _)| *ok), "{all:?}");
        assert_eq!(all[0].0, "by label");
        assert_eq!(all[2].0, "batches in order");
    }
}

#[test]
fn mocks_replace_by_label_and_pointer_and_append() {
    let cfg = "pipeline:\n  processors:\n    - mapping: 'root = content() + \"1\"'\n    - label: remote\n      http_client_that_tarn_lacks: {}\n    - resource: res\nprocessor_resources:\n  - label: res\n    nonexistent_processor: {}\ninput:\n  nonexistent_input: {}\n";
    let tests = "tests:\n  - name: mocked\n    mocks:\n      remote:\n        mapping: 'root = content() + \"2\"'\n      res:\n        mapping: 'root = content() + \"3\"'\n      /pipeline/processors/-:\n        mapping: 'root = content() + \"4\"'\n      /pipeline/processors/0:\n        mapping: 'root = content() + \"0\"'\n    input_batch: [{content: x}]\n    output_batches: [[{content_equals: x0234}]]\n  - name: not mocked\n    input_batch: [{content: x}]\n";
    let dir = folder("mocks", &[("c.yaml", cfg), ("c_benthos_test.yaml", tests)]);
    let all = outcomes(&run_at(&dir));
    assert!(all[0].1, "{all:?}");
    assert!(!all[1].1);
    assert!(
        all[1]
            .2
            .contains("c.yaml:5:7: error: `pipeline.processors.1.http_client_that_tarn_lacks`: unknown processor type"),
        "{}",
        all[1].2
    );
}

#[test]
fn environment_is_substituted_per_test_and_target_files_resolve() {
    let cfg = "pipeline:\n  processors:\n    - mapping: 'root = content() + \"${TARN_UNIT_TEST_SUFFIX:none}\"'\n";
    let tests = "tests:\n  - name: default\n    target_processors: ./sub/cfg.yaml#/pipeline/processors\n    input_batch: [{content: a}]\n    output_batches: [[{content_equals: anone}]]\n  - name: given\n    target_processors: 'sub/cfg.yaml#/pipeline/processors/0'\n    environment: {TARN_UNIT_TEST_SUFFIX: 5}\n    input_batch: [{content: a}]\n    output_batches: [[{content_equals: a5}]]\n";
    let dir = folder(
        "env",
        &[("sub/cfg.yaml", cfg), ("elsewhere_test.yaml", tests)],
    );
    let all = outcomes(&run_at(&dir.join("elsewhere_test.yaml")));
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|(_, ok, _)| *ok), "{all:?}");
}

#[test]
fn target_mapping_files_and_file_conditions() {
    let tests = "tests:\n  - name: mapped\n    target_mapping: ./m.blobl\n    input_batch:\n      - file_content: data/in.json\n      - json_content: {a: 2}\n    output_batches:\n      - - file_equals: data/out.txt\n          file_json_equals: data/out.json\n          file_json_contains: data/part.json\n        - content_equals: '{\"b\":3}'\n  - name: compile error\n    target_mapping: ./bad.blobl\n";
    let dir = folder(
        "mapping",
        &[
            ("t.yaml", tests),
            (
                "m.blobl",
                "import \"./lib.blobl\"\nroot.b = this.a.apply(\"inc\")\n",
            ),
            ("lib.blobl", "map inc {\n  root = this + 1\n}\n"),
            ("bad.blobl", "root = this.(\n"),
            ("data/in.json", "{\"a\":1}"),
            ("data/out.txt", "{\"b\":2}"),
            ("data/out.json", "{ \"b\" : 2.0 }"),
            ("data/part.json", "{}"),
        ],
    );
    let all = outcomes(&run_at(&dir.join("t.yaml")));
    assert!(all[0].1, "{all:?}");
    assert!(!all[1].1);
    assert!(all[1].2.contains("bad.blobl:1:"), "{}", all[1].2);
}

#[test]
fn broken_test_files_are_reported_located() {
    let tests = "tests:\n  - name: typo\n    input_batch:\n      - contnt: x\n    output_batches:\n      - - content_equal: x\n";
    let dir = folder(
        "broken",
        &[("c.yaml", UPPER), ("c_benthos_test.yaml", tests)],
    );
    let report = run_at(&dir);
    let text = report.render();
    assert!(
        text.contains("c_benthos_test.yaml:4:9: error: `tests.0.input_batch.0.contnt`: unknown field `contnt`; did you mean `content`?"),
        "{text}"
    );
    assert!(
        text.contains("c_benthos_test.yaml:6:11: error: `tests.0.output_batches.0.0.content_equal`: unknown field `content_equal`; did you mean `content_equals`?"),
        "{text}"
    );
    assert!(!report.passed());
}

#[test]
fn a_block_scalar_ending_the_file_has_no_final_newline() {
    let tests = "tests:\n  - name: no newline\n    target_processors: upper\n    input_batch: [{content: ab}]\n    output_batches:\n      - - content_equals: |\n            AB";
    let dir = folder("clip", &[("c.yaml", UPPER), ("c_benthos_test.yaml", tests)]);
    let all = outcomes(&run_at(&dir));
    assert!(all[0].1, "{all:?}");
    let kept = "tests:\n  - name: newline kept\n    target_processors: upper\n    input_batch: [{content: ab}]\n    output_batches:\n      - - content_equals: |+\n            AB";
    let dir = folder("keep", &[("c.yaml", UPPER), ("c_benthos_test.yaml", kept)]);
    let all = outcomes(&run_at(&dir));
    assert!(all[0].1, "{all:?}");
    let newline = "tests:\n  - name: newline\n    target_processors: upper\n    input_batch: [{content: ab}]\n    output_batches:\n      - - content_equals: |\n            AB\n";
    let dir = folder(
        "newline",
        &[("c.yaml", UPPER), ("c_benthos_test.yaml", newline)],
    );
    let all = outcomes(&run_at(&dir));
    assert!(!all[0].1, "{all:?}");
    assert!(
        all[0].2.contains("expected: \"AB\\n\"\n  received: \"AB\""),
        "{}",
        all[0].2
    );
}

#[test]
fn files_over_the_limit_are_refused() {
    let tests = "tests:\n  - name: big\n    target_processors: upper\n    input_batch: [{file_content: big.txt}]\n";
    let big = "x".repeat(5000);
    let dir = folder(
        "limit",
        &[
            ("c.yaml", UPPER),
            ("c_benthos_test.yaml", tests),
            ("big.txt", &big),
        ],
    );
    let report = run(
        &[dir.join("c.yaml")],
        &Options {
            max_file_size: 4000,
        },
    );
    let all = outcomes(&report);
    assert!(!all[0].1);
    assert!(
        all[0]
            .2
            .contains("big.txt has 5000 bytes, more than the 4000 a test may read"),
        "{}",
        all[0].2
    );
    let report = run(
        &[dir.join("c.yaml")],
        &Options {
            max_file_size: 5000,
        },
    );
    let all = outcomes(&report);
    assert!(!all[0].1, "no output was expected: {all:?}");
    assert!(
        all[0].2.contains("expected 0 output batches, got 1"),
        "{}",
        all[0].2
    );
    assert!(
        all[0].2.contains("batch 0 was not expected: [\"XXXX"),
        "{}",
        all[0].2
    );
}

#[test]
fn lint_checks_a_configs_tests_section() {
    let cfg = "pipeline:\n  processors:\n    - mapping: root = this\ntests:\n  - name: x\n    mocks:\n      a:\n        mappin: root = 1\n    output_batches:\n      - - bloblang: 'this.('\n";
    let problems = crate::pipeline::lint(cfg, |_| None);
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "tests.0.mocks.a.mappin",
            "tests.0.output_batches.0.0.bloblang"
        ],
        "{problems:?}"
    );
}

#[test]
fn null_conditions_expect_empty_content_and_json_null() {
    let tests = "tests:\n  - name: empty\n    target_processors: /pipeline/processors/0\n    input_batch: [{content: ''}]\n    output_batches: [[{content_equals: }]]\n  - name: null\n    target_processors: /pipeline/processors/0\n    input_batch: [{json_content: null}]\n    output_batches: [[{json_equals: null, json_contains: ~}]]\n  - name: not null\n    target_processors: /pipeline/processors/0\n    input_batch: [{content: x}]\n    output_batches: [[{content_equals: , json_equals: null}]]\n";
    let cfg = "pipeline:\n  processors:\n    - mapping: root = content()\n";
    let dir = folder("nulls", &[("c.yaml", cfg), ("c_benthos_test.yaml", tests)]);
    let all = outcomes(&run_at(&dir));
    assert!(all[0].1, "{all:?}");
    assert!(all[1].1, "{all:?}");
    assert!(!all[2].1);
    assert!(
        all[2]
            .2
            .contains("content_equals: the content differs\n  expected: \"\"\n  received: \"x\""),
        "{}",
        all[2].2
    );
    assert!(
        all[2]
            .2
            .contains("json_equals: the content is not valid JSON"),
        "{}",
        all[2].2
    );
}

#[test]
fn no_tests_is_not_a_pass() {
    let dir = folder("none", &[("c.yaml", UPPER)]);
    let report = run_at(&dir);
    assert!(!report.passed());
    assert_eq!(report.render(), "No tests were found.\n");
}
