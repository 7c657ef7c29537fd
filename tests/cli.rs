//! End-to-end behaviour of the `tarn` command line.

use std::process::Output;

mod common;

fn tarn(args: &[&str], stdin: &str) -> Output {
    common::run_tarn(args, stdin)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn errors_go_to_stderr_and_processing_goes_on() {
    let o = tarn(
        &["blobl", "root = this.a + 1"],
        "{\"a\":1}\n{\"a\":\"x\"}\n{\"a\":3}\n",
    );
    assert!(o.status.success());
    assert_eq!(stdout(&o), "2\n4\n");
    assert!(
        stderr(&o).contains("cannot add types string (from field `this.a`)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn each_error_line_names_its_input_line() {
    let o = tarn(
        &["blobl", "root = this.a + 1"],
        "{\"a\":1}\n{\"a\":\"x\"}\n{\"a\":3}\n\n{\"a\":true}",
    );
    assert!(o.status.success());
    assert_eq!(stdout(&o), "2\n4\n");
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with("input line 2: failed assignment (line 1): cannot add types string"),
        "{err}"
    );
    assert!(lines[1].starts_with("input line 4: "), "{err}");
    assert!(lines[1].contains("message is empty"), "{err}");
    assert!(lines[2].starts_with("input line 5: "), "{err}");
}

#[test]
fn parse_errors_exit_non_zero_with_a_located_diagnostic() {
    let o = tarn(&["blobl", "root = this.a +"], "");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("<mapping>:1:16: error: expected an expression"),
        "{err}"
    );
    assert!(err.contains("1 | root = this.a +"), "{err}");
}

#[test]
fn threads_keep_input_order() {
    let input: String = (0..5000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
    let o = tarn(&["blobl", "-t", "4", "root = this.n * 2"], &input);
    assert!(o.status.success());
    let want: String = (0..5000).map(|i| format!("{}\n", i * 2)).collect();
    assert_eq!(stdout(&o), want);
}

/// Many input blocks (a few MB), a line longer than one read block, CRLF
/// line ends, failing lines and a last line without a newline: every
/// thread count prints the same lines, and the errors, in input order.
#[test]
fn threads_agree_with_one_thread_across_blocks_errors_and_long_lines() {
    let mapping = r#"root = if this.n % 97 == 0 { throw("bad " + this.n.string()) } else { {"n": this.n, "len": this.pad.length()} }"#;
    let mut input = String::new();
    for i in 0..60_000 {
        let pad = if i == 30_001 {
            "y".repeat(700_000)
        } else {
            "x".repeat(i % 40)
        };
        let end = if i % 5 == 0 { "\r\n" } else { "\n" };
        input.push_str(&format!("{{\"n\":{i},\"pad\":\"{pad}\"}}{end}"));
    }
    input.push_str("{\"n\":60001,\"pad\":\"last\"}");
    let one = tarn(&["blobl", mapping], &input);
    assert!(one.status.success());
    let lines: Vec<&str> = std::str::from_utf8(&one.stdout)
        .unwrap_or("")
        .lines()
        .collect();
    assert_eq!(lines.len(), 60_001 - 60_000 / 97 - 1);
    assert_eq!(lines[0], r#"{"len":1,"n":1}"#);
    assert!(lines.contains(&r#"{"len":700000,"n":30001}"#));
    assert_eq!(lines.last(), Some(&r#"{"len":4,"n":60001}"#));
    // Each error names its input line: message `n` is on line `n + 1`.
    let errors: Vec<String> = stderr(&one)
        .lines()
        .map(|l| {
            let (line, rest) = l
                .strip_prefix("input line ")
                .and_then(|l| l.split_once(": "))
                .unwrap_or(("?", l));
            let n = rest.split("bad ").nth(1).unwrap_or("?");
            format!("{line}:{n}")
        })
        .collect();
    let want: Vec<String> = (0..60_000)
        .step_by(97)
        .map(|i: usize| format!("{}:{i}", i + 1))
        .collect();
    assert_eq!(errors, want);
    for threads in ["2", "3", "0"] {
        let many = tarn(&["blobl", "-t", threads, mapping], &input);
        assert!(many.status.success());
        assert!(many.stdout == one.stdout, "-t {threads} output differs");
        assert_eq!(stderr(&many), stderr(&one), "-t {threads} errors differ");
    }
}

#[test]
fn mutation_mode_edits_in_place() {
    let o = tarn(
        &[
            "blobl",
            "--mutation",
            "root.b = deleted()\nroot.c = this.a + 1",
        ],
        "{\"a\":1,\"b\":2}\n",
    );
    assert_eq!(stdout(&o), "{\"a\":1,\"c\":2}\n");
}

#[test]
fn root_this_plus_fields_takes_the_input_and_reads_stay_unchanged() {
    // Adds fields only: the parsed input becomes the output document.
    let adds = "root = this\nroot.sum = this.a + this.b.c\nroot.label = this.s + \"/\"";
    let dump = tarn(&["blobl", "--dump", adds], "");
    assert!(
        stdout(&dump).contains("takes the input as root"),
        "{}",
        stdout(&dump)
    );
    let o = tarn(
        &["blobl", adds],
        "{\"s\":\"x\",\"b\":{\"c\":2},\"a\":1}\nnot json\n{\"a\":5,\"b\":{\"c\":1},\"s\":\"y\"}\n",
    );
    assert_eq!(
        stdout(&o),
        "{\"a\":1,\"b\":{\"c\":2},\"label\":\"x/\",\"s\":\"x\",\"sum\":3}\n\
         {\"a\":5,\"b\":{\"c\":1},\"label\":\"y/\",\"s\":\"y\",\"sum\":6}\n"
    );
    assert!(stderr(&o).contains("parse as json"), "{}", stderr(&o));
    // Reads a field after changing it: `this.a` must still be the input's.
    let rereads = "root = this\nroot.a = this.a + 10\nroot.b = this.a";
    let dump = tarn(&["blobl", "--dump", rereads], "");
    assert!(!stdout(&dump).contains("takes the input as root"));
    let o = tarn(&["blobl", rereads], "{\"a\":1}\n");
    assert_eq!(stdout(&o), "{\"a\":11,\"b\":1}\n");
}

#[test]
fn raw_mode_reads_lines_as_strings() {
    let o = tarn(&["blobl", "-r", "root.line = this"], "not json\n");
    assert_eq!(stdout(&o), "{\"line\":\"not json\"}\n");
    // An empty line is an empty message, which `this` cannot read.
    let o = tarn(&["blobl", "-r", "root = this"], "x\n\ny\n");
    assert_eq!(stdout(&o), "x\ny\n");
    assert!(stderr(&o).contains("message is empty"), "{}", stderr(&o));
}

#[test]
fn pretty_output() {
    let o = tarn(&["blobl", "-p", "root = this"], "{\"a\":[1]}\n");
    assert_eq!(stdout(&o), "{\n  \"a\": [\n    1\n  ]\n}\n");
}

#[test]
fn deleted_messages_print_an_empty_line() {
    let o = tarn(
        &["blobl", "root = if this.drop { deleted() } else { this }"],
        "{\"drop\":true}\n{\"drop\":false}\n",
    );
    assert_eq!(stdout(&o), "\n{\"drop\":false}\n");
}

#[test]
fn list_prints_the_registry_as_json() {
    let o = tarn(&["list", "--format", "json"], "");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let methods = v["methods"].as_array().expect("methods array");
    let catch = methods
        .iter()
        .find(|m| m["name"] == "catch")
        .expect("catch is listed");
    assert_eq!(catch["params"][0]["name"], "fallback");
    assert_eq!(catch["category"], "general");
    assert!(!catch["doc"].as_str().unwrap_or("").is_empty());
    let functions = v["functions"].as_array().expect("functions array");
    assert!(functions.iter().any(|f| f["name"] == "content"));
    assert_eq!(functions.len(), 37);
    assert_eq!(methods.len(), 153);
    let inputs = v["inputs"].as_array().expect("inputs array");
    let http = inputs
        .iter()
        .find(|c| c["name"] == "http_server")
        .expect("http_server is listed");
    assert!(
        http["fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["name"] == "sync_response"))
    );
}

#[test]
fn pure_mode_rejects_impure_functions_at_compile_time() {
    let o = tarn(&["blobl", "--pure", "root.h = hostname()"], "{}\n");
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("function 'hostname' is not available here"),
        "{}",
        stderr(&o)
    );
    let o = tarn(&["blobl", "--pure", "root.n = 1 + 2"], "{}\n");
    assert_eq!(stdout(&o), "{\"n\":3}\n");
}

/// The registry's impure functions and methods, as `--pure`'s help and
/// the README name them: `name()`, or `.name()` for a method.
fn registry_impure_names() -> Vec<String> {
    let mut names: Vec<String> = tarn_lang::stdlib::all()
        .filter(|spec| spec.impure)
        .map(|spec| {
            let dot = if spec.is_method() { "." } else { "" };
            format!("{dot}{}()", spec.name)
        })
        .collect();
    names.sort();
    names
}

/// Every `name()` (or `.name()`) written in `text`, sorted.
fn called_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices("()") {
        let start = text[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        if start < at {
            names.push(format!("{}()", &text[start..at]));
        }
    }
    names.sort();
    names
}

#[test]
fn pure_help_and_readme_name_exactly_the_registrys_impure_functions() {
    let want = registry_impure_names();
    assert!(!want.is_empty());
    let help = stdout(&tarn(&["blobl", "--help"], ""));
    let pure = help
        .split("--pure")
        .nth(1)
        .and_then(|rest| rest.split("-h, --help").next())
        .expect("--help describes --pure");
    assert_eq!(called_names(pure), want, "--help: {pure}");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let command = readme
        .find("$ tarn blobl --pure")
        .expect("the README shows --pure");
    let comment_start = readme[..command]
        .rfind("\n\n")
        .expect("a comment precedes the command");
    let comment = &readme[comment_start..command];
    assert_eq!(called_names(comment), want, "README: {comment}");
    // And --pure refuses each of them.
    for name in &want {
        let mapping = format!("root.x = {name}");
        let o = tarn(&["blobl", "--pure", &mapping], "{}\n");
        assert!(
            stderr(&o).contains("is not available here: impure functions are disabled"),
            "{name}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn three_independent_syntax_errors_are_all_reported() {
    let dir = std::env::temp_dir().join(format!("tarn-cli-three-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("broken.blobl");
    let src = "root.a = this.x +* 2\nroot.ok = true\nroot.b = [1, 2\nroot.fine = 1\nroot.c == 3\n";
    std::fs::write(&file, src).expect("write mapping");
    let path = file.to_string_lossy().to_string();
    let o = tarn(&["blobl", "-f", &path], "");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for line in [1, 3, 5] {
        assert!(
            err.contains(&format!("broken.blobl:{line}:")),
            "no error on line {line}:\n{err}"
        );
    }
    assert_eq!(err.matches(": error: ").count(), 3, "{err}");
    assert!(err.matches('^').count() >= 3, "{err}");
}

#[test]
fn file_rel_resolves_against_the_mapping_files_directory() {
    let dir = std::env::temp_dir().join(format!("tarn-cli-filerel-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("data")).expect("temp dir");
    std::fs::write(dir.join("data/lookup.json"), r#"{"de":"Germany"}"#).expect("write data");
    let mapping = dir.join("map.blobl");
    std::fs::write(
        &mapping,
        "root.country = file_rel(\"data/lookup.json\").parse_json().get(this.code)\n",
    )
    .expect("write mapping");
    let path = mapping.to_string_lossy().to_string();
    // Run from another directory: the path must not depend on the cwd.
    let o = tarn(&["blobl", "-f", &path], "{\"code\":\"de\"}\n");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(stdout(&o), "{\"country\":\"Germany\"}\n", "{}", stderr(&o));
}
