//! End-to-end tests of `tarn repl`: the real binary driven through a
//! pseudo-terminal (rexpect), and scripted through a pipe.

mod common;

use common::{run_tarn, temp_dir};
use rexpect::session::{PtySession, spawn_command};
use std::process::Command;

const PROMPT: &str = "tarn> ";

/// Starts `tarn repl` on a pty, without colours, with its history in
/// `dir`.
fn repl(dir: &std::path::Path, color: bool) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tarn"));
    cmd.arg("repl")
        .env("TARN_REPL_HISTORY", dir.join("history"))
        .env("TERM", "xterm");
    if color {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    let mut p = spawn_command(cmd, Some(10_000)).expect("tarn repl starts");
    p.exp_string(FRESH).expect("a prompt");
    p
}

/// The empty prompt of a fresh entry, as rustyline draws it.
const FRESH: &str = "tarn> \r\x1b[6C";

/// Types `text` (lines separated by `\n`) and Enter, and gives what the
/// REPL printed until its next fresh prompt, without escape sequences.
/// Waiting for the prompt matters: input typed while the REPL is busy may
/// be discarded when it switches the terminal back to raw mode.
fn line(p: &mut PtySession, text: &str) -> String {
    p.send(&format!("{}\r", text.replace('\n', "\r")))
        .expect("send");
    p.flush().expect("flush");
    let printed = p.exp_string(FRESH).expect("the next prompt");
    plain(&printed)
}

/// Types `text` without Enter (e.g. ending in a TAB) and waits for
/// `shown` to appear.
fn typing(p: &mut PtySession, text: &str, shown: &str) {
    p.send(text).expect("send");
    p.flush().expect("flush");
    p.exp_string(shown)
        .unwrap_or_else(|e| panic!("`{shown}` after typing {text:?}: {e}"));
}

/// `text` without ANSI escape sequences and carriage returns.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() || c == '~' {
                        break;
                    }
                }
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

fn quit(mut p: PtySession) {
    p.send(":quit\r").expect("send");
    p.flush().expect("flush");
    p.exp_eof().expect("exits");
}

#[test]
fn a_two_line_if_statement_builds_the_document() {
    let dir = temp_dir("repl-if");
    let mut p = repl(&dir, false);
    let out = line(&mut p, r#":input {"name":"ann","age":30}"#);
    assert!(out.contains("input set (JSON)"), "{out}");
    let out = line(&mut p, "if this.age > 18 {\n  root.adult = true\n}");
    assert!(out.ends_with("{\n  \"adult\": true\n}\n"), "{out}");
    let out = line(&mut p, "root.name = this.name.capitalize()");
    assert!(
        out.ends_with("{\n  \"adult\": true,\n  \"name\": \"Ann\"\n}\n"),
        "{out}"
    );
    let out = line(&mut p, ":mapping");
    assert!(
        out.ends_with(
            "if this.age > 18 {\n  root.adult = true\n}\nroot.name = this.name.capitalize()\n"
        ),
        "{out}"
    );
    quit(p);
    let history = std::fs::read_to_string(dir.join("history")).expect("history is kept");
    assert!(
        history.contains("root.name = this.name.capitalize()"),
        "{history}"
    );
    // The next run recalls it with the up arrow.
    let mut again = repl(&dir, false);
    typing(&mut again, "\x1b[A", ":quit");
    typing(&mut again, "\x1b[A", ":mapping");
    typing(&mut again, "\x1b[A", "root.name = this.name.capitalize()");
    line(&mut again, "");
    quit(again);
}

#[test]
fn tab_completes_input_fields_and_methods() {
    let dir = temp_dir("repl-tab");
    let mut p = repl(&dir, false);
    line(&mut p, r#":input {"name":"ann","nested":{"deep":1}}"#);
    typing(&mut p, "root.x = this.na\t", "this.name");
    typing(&mut p, ".uppe\t", "this.name.uppercase(");
    let out = line(&mut p, ")");
    assert!(out.ends_with("{\n  \"x\": \"ANN\"\n}\n"), "{out}");
    typing(&mut p, "root.y = this.nested.de\t", "this.nested.deep");
    let out = line(&mut p, "");
    assert!(out.contains("\"y\": 1"), "{out}");
    quit(p);
}

#[test]
fn a_syntax_error_shows_a_caret_at_its_column() {
    let dir = temp_dir("repl-caret");
    let mut p = repl(&dir, false);
    let out = line(&mut p, "root.a = this.a )");
    let shown: Vec<&str> = out.lines().collect();
    let source = shown
        .iter()
        .position(|l| *l == "  root.a = this.a )")
        .unwrap_or_else(|| panic!("the source line is shown: {out:?}"));
    assert!(shown[source - 1].starts_with("error: "), "{out:?}");
    // The caret sits under the `)`, the 17th character of the entry.
    assert_eq!(
        shown.get(source + 1).copied(),
        Some(format!("{}^", " ".repeat(2 + 16)).as_str()),
        "{out:?}"
    );
    let out = line(&mut p, ":mapping");
    assert!(
        out.contains("(no statements yet)"),
        "the bad entry was not kept: {out}"
    );
    quit(p);
}

#[test]
fn saved_mappings_run_the_same_in_blobl() {
    let dir = temp_dir("repl-save");
    let input = r#"{"user":{"first":"ann","last":"lee"},"n":[1,2,3]}"#;
    std::fs::write(dir.join("input.json"), input).expect("input file");
    let mut p = repl(&dir, false);
    let out = line(
        &mut p,
        &format!(":input @{}", dir.join("input.json").display()),
    );
    assert!(out.contains("input set (JSON)"), "{out}");
    let out = line(
        &mut p,
        "let full = this.user.first + \" \" + this.user.last",
    );
    assert!(out.contains("$full = \"ann lee\""), "{out}");
    let out = line(&mut p, "map total {\n  root = this.sum()\n}");
    assert!(out.contains("map total defined"), "{out}");
    line(&mut p, "root.name = $full.capitalize()");
    let out = line(&mut p, "root.total = this.n.apply(\"total\")");
    assert!(out.contains("\"total\": 6"), "{out}");
    let saved = dir.join("saved.blobl");
    let out = line(&mut p, &format!(":save {}", saved.display()));
    assert!(out.contains("saved the mapping"), "{out}");
    let document = line(&mut p, "root");
    quit(p);

    let out = run_tarn(
        &["blobl", "-f", &saved.display().to_string()],
        &format!("{input}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_blobl: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        from_blobl,
        serde_json::json!({"name": "Ann Lee", "total": 6})
    );
    // The REPL showed the same document for `root`.
    let start = document.find('{').expect("a JSON document");
    let end = document.rfind('}').expect("a JSON document");
    let shown: serde_json::Value = serde_json::from_str(&document[start..=end]).expect("json");
    assert_eq!(shown, from_blobl);
}

#[test]
fn signature_hints_and_colours_on_a_terminal() {
    let dir = temp_dir("repl-color");
    let mut p = repl(&dir, true);
    typing(
        &mut p,
        "root = \"a\".replace_all(",
        "replace_all(old: string, new: string)",
    );
    let out = line(&mut p, "\"a\", \"b\")");
    assert!(out.ends_with("\nb\n"), "{out:?}");
    p.send("root = this.x )\r").expect("send");
    p.flush().expect("flush");
    p.exp_string("\x1b[31merror:").expect("errors are red");
    p.exp_string(FRESH).expect("prompt");
    // The line itself is highlighted as it is typed.
    typing(&mut p, "let v = 1", "\x1b[");
    line(&mut p, "");
    quit(p);
}

#[test]
fn without_a_terminal_it_reads_a_script_plainly() {
    let script = ":input {\"a\": 2}\n:meta topic=orders\nroot.b = this.a * 10\nmeta seen = @topic\n@topic.uppercase()\nroot.c = nope(\n:doc uppercase\n";
    let out = run_tarn(&["repl"], script);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        !stdout.contains(PROMPT) && !stdout.contains('\x1b'),
        "{stdout}"
    );
    assert!(
        stdout.starts_with("input set (JSON)\nmetadata `topic` set\n{\n  \"b\": 20\n}\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("meta: {\"seen\":\"orders\",\"topic\":\"orders\"}\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\n\"ORDERS\"\n"), "{stdout}");
    assert!(
        stdout.contains(".uppercase()  (method, strings)"),
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).expect("utf8");
    assert!(
        stderr.contains("error: ") && stderr.contains("nope"),
        "{stderr}"
    );
}
