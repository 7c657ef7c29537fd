//! End-to-end behaviour of `tarn test` on the Benthos config test vectors
//! in `tests/benthos_config_tests/` (see its README), and on failing
//! tests written here.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

const VECTORS: &str = "tests/benthos_config_tests";

/// Vectors (test file) whose config needs a processor Tarn may not have
/// yet, with that processor.
const NEEDS: &[(&str, &str)] = &[
    ("deduplicate.yaml", "dedupe"),
    ("deduplicate_by_batch.yaml", "dedupe"),
    ("bloblang/message_expansion_benthos_test.yaml", "unarchive"),
    ("unsupported/text_benthos_test.yaml", "text"),
];

/// The processor types `tarn list processors` shows.
fn processors() -> BTreeSet<String> {
    let o = common::run_tarn(&["list", "processors"], "");
    assert_eq!(o.status.code(), Some(0));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// `(status, test file relative to the vectors, test name)` of each line.
fn results(stdout: &str) -> Vec<(String, String, String)> {
    stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let (status, rest) = l.split_once("  ")?;
            let (file, name) = rest.split_once(": ")?;
            let file = file.strip_prefix(VECTORS)?.trim_start_matches('/');
            Some((status.to_string(), file.to_string(), name.to_string()))
        })
        .collect()
}

#[test]
fn the_benthos_vectors_pass_when_tarn_has_their_processors() {
    let have = processors();
    let o = common::run_tarn(&["test", &format!("{VECTORS}/...")], "");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let found = results(&stdout);
    let files: BTreeSet<&str> = found.iter().map(|(_, f, _)| f.as_str()).collect();
    for file in [
        "deduplicate.yaml",
        "deduplicate_by_batch.yaml",
        "mock_http_proc.yaml",
        "mock_http_proc_path.yaml",
        "files_for_content.yaml",
        "infile_resource_mock.yaml",
        "unit_test_example_benthos_test.yaml",
        "unsupported/text_benthos_test.yaml",
        "bloblang/message_expansion_benthos_test.yaml",
        "bloblang/boolean_operands_benthos_test.yaml",
        "bloblang/also_tests_boolean_operands.yaml",
        "bloblang/csv_benthos_test.yaml",
        "bloblang/fans_benthos_test.yaml",
        "bloblang/walk_json_benthos_test.yaml",
        "bloblang/windowed_benthos_test.yaml",
        "bloblang/cities_test.yaml",
        "bloblang/csv_formatter_test.yaml",
        "bloblang/github_releases_test.yaml",
        "resources/other_mappings_benthos_test.yaml",
        "cookbooks/filtering_benthos_test.yaml",
    ] {
        assert!(files.contains(file), "{file} was not run:\n{stdout}");
    }
    assert_eq!(found.len(), 33, "{stdout}");
    let mut expect_failure = false;
    for (status, file, name) in &found {
        let missing = NEEDS
            .iter()
            .find(|(f, p)| f == file && !have.contains(*p))
            .map(|(_, p)| *p);
        match missing {
            None => assert_eq!(status, "PASS", "{file}: {name}\n{stdout}"),
            Some(processor) => {
                expect_failure = true;
                assert_eq!(status, "FAIL", "{file}: {name}\n{stdout}");
                let want = format!("unknown processor type `{processor}`");
                assert!(
                    stdout.contains(&want),
                    "{file} should fail for want of `{processor}`:\n{stdout}"
                );
            }
        }
    }
    let code = if expect_failure { 1 } else { 0 };
    assert_eq!(o.status.code(), Some(code), "{stdout}");
}

#[test]
fn passing_tests_exit_zero() {
    let o = common::run_tarn(
        &[
            "test",
            &format!("{VECTORS}/bloblang/csv.yaml"),
            &format!("{VECTORS}/mock_http_proc.yaml"),
            &format!("{VECTORS}/files_for_content.yaml"),
        ],
        "",
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.ends_with("\n5 tests: 5 passed, 0 failed\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("PASS  tests/benthos_config_tests/bloblang/csv_benthos_test.yaml: Bloblang CSV test with whitespace\n"),
        "{stdout}"
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

#[test]
fn a_wrong_expectation_fails_with_a_readable_report() {
    let dir = common::temp_dir("config-tests-wrong");
    write(
        &dir,
        "up.yaml",
        "input:\n  kafka: {}\npipeline:\n  processors:\n    - mapping: 'root = {\"text\": content().string().uppercase(), \"len\": content().length()}'\n",
    );
    write(
        &dir,
        "up_benthos_test.yaml",
        "tests:\n  - name: right\n    input_batch: [{content: hi}]\n    output_batches: [[{json_equals: {text: HI, len: 2}}]]\n  - name: wrong\n    input_batch:\n      - content: hi\n    output_batches:\n      - - content_equals: '{\"len\":2,\"text\":\"hi\"}'\n          json_equals: {text: hi, len: 2}\n",
    );
    let o = common::run_tarn(&["test".as_ref(), dir.as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let file = dir.join("up_benthos_test.yaml").display().to_string();
    let want = format!(
        "PASS  {file}: right\nFAIL  {file}: wrong\n\nFailures:\n\n--- {file}:5:5: wrong (for {config}) ---\nbatch 0 message 0: content_equals: the content differs\n  expected: {{\"len\":2,\"text\":\"hi\"}}\n  received: {{\"len\":2,\"text\":\"HI\"}}\nbatch 0 message 0: json_equals: the document differs (- only in the message, + expected but missing, ~ message value => expected value)\n  {{\n    \"len\": 2,\n~   \"text\": \"HI\" => \"hi\"\n  }}\n\n2 tests: 1 passed, 1 failed\n",
        config = dir.join("up.yaml").display()
    );
    assert_eq!(stdout, want);
}

#[test]
fn errors_in_test_files_and_targets_are_located() {
    let dir = common::temp_dir("config-tests-located");
    write(
        &dir,
        "c.yaml",
        "pipeline:\n  processors:\n    - mapping: root = this\n    - label: api\n      http_clientt: {}\ntests:\n  - name: unknown processor\n    input_batch: [{content: x}]\n  - name: no such label\n    target_processors: apii\n",
    );
    write(
        &dir,
        "d_test.yaml",
        "tests:\n  - name: typo\n    target_processors: c.yaml#/pipeline/processors/0\n    input_batch:\n      - contnt: x\n",
    );
    let o = common::run_tarn(&["test".as_ref(), dir.join("...").as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let c = dir.join("c.yaml").display().to_string();
    let d = dir.join("d_test.yaml").display().to_string();
    for want in [
        format!("FAIL  {c}: unknown processor\n"),
        format!("FAIL  {c}: no such label\n"),
        format!("FAIL  {d}: the tests cannot be read\n"),
        format!(
            "{c}:5:7: error: `pipeline.processors.1.http_clientt`: unknown processor type `http_clientt`"
        ),
        format!(
            "{c}:10:5: error: `tests.1.target_processors`: no component of {c} is labelled `apii`; did you mean `api`?"
        ),
        format!(
            "{d}:5:9: error: `tests.0.input_batch.0.contnt`: unknown field `contnt`; did you mean `content`?"
        ),
        "2 tests: 0 passed, 2 failed; 1 file could not be read\n".to_string(),
    ] {
        assert!(stdout.contains(&want), "missing {want:?} in:\n{stdout}");
    }
}

#[test]
fn no_tests_found_is_a_failure() {
    let dir = common::temp_dir("config-tests-none");
    write(&dir, "c.yaml", "pipeline:\n  processors: []\n");
    let o = common::run_tarn(&["test".as_ref(), dir.as_os_str()], "");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "No tests were found.\n");
}

#[test]
fn the_benthos_configs_with_http_dedupe_and_unarchive_lint_clean() {
    for file in [
        "deduplicate.yaml",
        "deduplicate_by_batch.yaml",
        "mock_http_proc.yaml",
        "mock_http_proc_path.yaml",
        "bloblang/message_expansion.yaml",
        "infile_resource_mock.yaml",
    ] {
        let path = format!("{VECTORS}/{file}");
        let o = common::run_tarn(&["lint", &path], "");
        assert_eq!(
            (o.status.code(), String::from_utf8_lossy(&o.stderr).as_ref()),
            (Some(0), ""),
            "{file}"
        );
    }
}
