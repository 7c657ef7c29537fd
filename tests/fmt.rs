//! End-to-end behaviour of `tarn fmt`.

mod common;

use std::path::Path;

const MESSY: &str = "# tidy me\nroot.a=this.a+1 # one\n\n\nroot.b = {\"x\":[1,2,],}\n";
const TIDY: &str = "# tidy me\nroot.a = this.a + 1 # one\n\nroot.b = {\"x\": [1, 2]}\n";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn arg(p: &Path) -> &std::ffi::OsStr {
    p.as_os_str()
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let o = common::run_tarn(&["fmt"], MESSY);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), TIDY);
}

#[test]
fn files_are_rewritten_in_place() {
    let dir = common::temp_dir("fmt-write");
    let messy = dir.join("messy.blobl");
    let tidy = dir.join("tidy.blobl");
    std::fs::write(&messy, MESSY).expect("write");
    std::fs::write(&tidy, TIDY).expect("write");
    let o = common::run_tarn(&["fmt".as_ref(), arg(&messy), arg(&tidy)], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), TIDY);
    assert_eq!(std::fs::read_to_string(&tidy).expect("read"), TIDY);
}

#[test]
fn check_lists_files_that_would_change() {
    let dir = common::temp_dir("fmt-check");
    let messy = dir.join("messy.blobl");
    let tidy = dir.join("tidy.blobl");
    std::fs::write(&messy, MESSY).expect("write");
    std::fs::write(&tidy, TIDY).expect("write");
    let o = common::run_tarn(
        &["fmt".as_ref(), "--check".as_ref(), arg(&messy), arg(&tidy)],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    let listed = text(&o.stdout);
    assert!(listed.contains("messy.blobl"), "{listed}");
    assert!(!listed.contains("tidy.blobl"), "{listed}");
    // Nothing was written.
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), MESSY);

    let o = common::run_tarn(&["fmt".as_ref(), "--check".as_ref(), arg(&tidy)], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(o.stdout.is_empty());
}

#[test]
fn syntax_errors_are_reported_and_files_kept() {
    let dir = common::temp_dir("fmt-bad");
    let bad = dir.join("bad.blobl");
    let src = "root.a = this.a +\nroot.b = (1\n";
    std::fs::write(&bad, src).expect("write");
    let o = common::run_tarn(&["fmt".as_ref(), arg(&bad)], "");
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("bad.blobl:"), "{err}");
    assert!(err.contains("error"), "{err}");
    assert_eq!(std::fs::read_to_string(&bad).expect("read"), src);

    let o = common::run_tarn(&["fmt"], "root = (");
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(
        text(&o.stderr).contains("<stdin>:1:"),
        "{}",
        text(&o.stderr)
    );
}
