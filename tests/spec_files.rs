//! Runs the spec files in `tests/specs/` through the real `tarn blobl`
//! binary.
//!
//! Format: a case starts with `=== name`, followed by the mapping; then any
//! number of `--- in` / `--- out` (or `--- err`) pairs, each one line of
//! input and its exact output line (or a substring of the error). A case
//! may instead end with `--- compile-err` and a substring that the
//! diagnostic must contain (the command must exit non-zero).

mod common;

use std::ffi::OsStr;
use std::path::Path;

#[derive(Debug, Default)]
struct Case {
    file: String,
    name: String,
    mapping: String,
    checks: Vec<(String, Expect)>,
    compile_err: Option<String>,
}

#[derive(Debug)]
enum Expect {
    Out(String),
    Err(String),
}

fn parse_file(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).expect("spec file is readable");
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    let mut section = String::new();
    let mut pending_in: Option<String> = None;
    let mut buf: Vec<&str> = Vec::new();
    let flush = |cur: &mut Option<Case>,
                 section: &str,
                 buf: &mut Vec<&str>,
                 pending_in: &mut Option<String>| {
        let Some(case) = cur.as_mut() else { return };
        // The mapping is every line of its section; the other sections
        // hold exactly one line (blank lines after it separate cases).
        let body = if section == "mapping" {
            buf.join("\n").trim_end().to_string()
        } else {
            buf.first().map_or(String::new(), |l| (*l).to_string())
        };
        buf.clear();
        match section {
            "mapping" => case.mapping = body,
            "in" => *pending_in = Some(body),
            "out" => case.checks.push((
                pending_in.take().expect("--- out follows --- in"),
                Expect::Out(body),
            )),
            "err" => case.checks.push((
                pending_in.take().expect("--- err follows --- in"),
                Expect::Err(body),
            )),
            "compile-err" => case.compile_err = Some(body),
            other => panic!("{file}: unknown section {other}"),
        }
    };
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            flush(&mut cur, &section, &mut buf, &mut pending_in);
            if let Some(c) = cur.take() {
                cases.push(c);
            }
            cur = Some(Case {
                file: file.clone(),
                name: name.trim().to_string(),
                ..Case::default()
            });
            section = "mapping".into();
        } else if let Some(s) = line.strip_prefix("--- ") {
            flush(&mut cur, &section, &mut buf, &mut pending_in);
            section = s.trim().to_string();
        } else if cur.is_some() {
            buf.push(line);
        }
    }
    flush(&mut cur, &section, &mut buf, &mut pending_in);
    cases.extend(cur);
    cases
}

fn run(mapping_file: &Path, input: &str) -> (i32, String, String) {
    let out = common::run_tarn(
        &[
            OsStr::new("blobl"),
            OsStr::new("-f"),
            mapping_file.as_os_str(),
        ],
        input,
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn spec_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs");
    let tmp = std::env::temp_dir().join(format!("tarn-specs-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/specs exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in files {
        for (i, case) in parse_file(&path).into_iter().enumerate() {
            let mapping_file = tmp.join(format!("{}-{i}.blobl", case.file));
            std::fs::write(&mapping_file, &case.mapping).expect("mapping written");
            let label = format!("{} / {}", case.file, case.name);
            if let Some(want) = &case.compile_err {
                count += 1;
                let (code, out, err) = run(&mapping_file, "");
                if code == 0 || !out.is_empty() || !err.contains(want.as_str()) {
                    failures.push(format!("{label}: want compile error containing {want:?}, got exit {code}, stderr {err:?}"));
                }
                continue;
            }
            assert!(!case.checks.is_empty(), "{label}: no checks");
            for (input, expect) in &case.checks {
                count += 1;
                let (code, out, err) = run(&mapping_file, &format!("{input}\n"));
                let ok = match expect {
                    Expect::Out(want) => code == 0 && out == format!("{want}\n"),
                    Expect::Err(want) => code == 0 && out.is_empty() && err.contains(want.as_str()),
                };
                if !ok {
                    failures.push(format!(
                        "{label}: input {input:?}: want {expect:?}, got exit {code}, stdout {out:?}, stderr {err:?}"
                    ));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(count > 0, "no spec cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} spec checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
