//! The REPL's `:` commands: set and show the input and metadata, show,
//! save, load and reset the mapping, switch modes, read the docs.

use crate::session::{Output, Session, document_text};
use tarn_lang::value::parse_json;
use tarn_lang::{Env, Mode};

/// The commands with their one-line help, for `:help` and completion.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        ":input",
        "show the input; `:input {…}` or `:input text` sets it, `:input @file.json` reads a file",
    ),
    (
        ":meta",
        "show the input metadata; `:meta key=value` sets a key, `:meta -key` removes it",
    ),
    (":mapping", "show the statements so far"),
    (
        ":save",
        "`:save FILE` writes the statements so far as a .blobl file",
    ),
    (
        ":load",
        "`:load FILE` runs a mapping file and adds its statements",
    ),
    (
        ":reset",
        "forget the statements (the input and metadata stay)",
    ),
    (
        ":mode",
        "`:mode mapping` or `:mode mutation`; without an argument, show it",
    ),
    (
        ":doc",
        "`:doc NAME` shows a function's or method's documentation and examples",
    ),
    (":help", "this list"),
    (":quit", "leave (Ctrl-D does too)"),
];

/// What the front end should do after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    /// Go on reading entries.
    Continue,
    /// Leave the REPL.
    Quit,
}

fn note(text: impl Into<String>) -> Vec<Output> {
    vec![Output::Note(text.into())]
}

fn error(text: impl Into<String>) -> Vec<Output> {
    vec![Output::Error(format!("error: {}", text.into()))]
}

/// Runs a `:` command line.
pub fn run(session: &mut Session, line: &str) -> (Flow, Vec<Output>) {
    let line = line.trim();
    let (name, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let arg = arg.trim();
    let out = match name {
        ":input" | ":i" => input(session, arg),
        ":meta" | ":m" => meta(session, arg),
        ":mapping" => {
            let text = session.mapping();
            if text.is_empty() {
                note("(no statements yet)")
            } else {
                note(text.trim_end())
            }
        }
        ":save" => save(session, arg),
        ":load" => load(session, arg),
        ":reset" => {
            session.reset();
            note("the mapping is empty again")
        }
        ":mode" => mode(session, arg),
        ":doc" | ":d" => doc(arg),
        ":help" | ":h" | ":?" => note(help()),
        ":quit" | ":q" | ":exit" => return (Flow::Quit, Vec::new()),
        other => {
            let names = COMMANDS.iter().map(|(n, _)| *n);
            match tarn_lang::diag::suggest(other, names) {
                Some(near) => error(format!("unknown command `{other}`; did you mean `{near}`?")),
                None => error(format!("unknown command `{other}`; `:help` lists them")),
            }
        }
    };
    (Flow::Continue, out)
}

/// The command list.
pub fn help() -> String {
    let mut text = String::from(
        "Type statements (`root.x = …`, `let`, `map`, `meta`) to build the mapping, or an\nexpression to see its value. Commands:\n",
    );
    for (name, what) in COMMANDS {
        text.push_str(&format!("  {name:<9} {what}\n"));
    }
    text.trim_end().to_string()
}

fn input(session: &mut Session, arg: &str) -> Vec<Output> {
    if arg.is_empty() {
        let shown = match parse_json(session.input()) {
            Ok(v) => document_text(&v),
            Err(_) => String::from_utf8_lossy(session.input()).into_owned(),
        };
        return vec![Output::Value(shown)];
    }
    let raw = match arg.strip_prefix('@') {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return error(format!("cannot read {path}: {e}")),
        },
        None => arg.as_bytes().to_vec(),
    };
    let trimmed = trim_newline(&raw);
    session.set_input(trimmed);
    match parse_json(trimmed) {
        Ok(_) => note("input set (JSON)"),
        Err(_) => note("input set (raw text: `this` fails, `content()` reads it)"),
    }
}

fn trim_newline(raw: &[u8]) -> &[u8] {
    let mut end = raw.len();
    while end > 0 && matches!(raw[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &raw[..end]
}

fn meta(session: &mut Session, arg: &str) -> Vec<Output> {
    if arg.is_empty() {
        if session.meta().is_empty() {
            return note("(no input metadata)");
        }
        let lines: Vec<String> = session
            .meta()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        return note(lines.join("\n"));
    }
    if let Some(key) = arg.strip_prefix('-') {
        session.set_meta(key, None);
        return note(format!("metadata `{key}` removed"));
    }
    match arg.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            session.set_meta(key.trim(), Some(value));
            note(format!("metadata `{}` set", key.trim()))
        }
        _ => error("write `:meta key=value`, `:meta -key` or `:meta`"),
    }
}

fn save(session: &Session, path: &str) -> Vec<Output> {
    if path.is_empty() {
        return error("write `:save FILE`");
    }
    match std::fs::write(path, session.mapping()) {
        Ok(()) => note(format!("saved the mapping to {path}")),
        Err(e) => error(format!("cannot write {path}: {e}")),
    }
}

fn load(session: &mut Session, path: &str) -> Vec<Output> {
    if path.is_empty() {
        return error("write `:load FILE`");
    }
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => note(format!("{path} is empty")),
        Ok(text) => session.eval(text.trim_end()),
        Err(e) => error(format!("cannot read {path}: {e}")),
    }
}

fn mode(session: &mut Session, arg: &str) -> Vec<Output> {
    let name = |m: Mode| match m {
        Mode::Mapping => "mapping",
        Mode::Mutation => "mutation",
    };
    match arg {
        "" => note(format!("mode: {}", name(session.mode()))),
        "mapping" => {
            session.set_mode(Mode::Mapping);
            note("mode: mapping (root starts empty)")
        }
        "mutation" => {
            session.set_mode(Mode::Mutation);
            note("mode: mutation (root starts as the input)")
        }
        other => error(format!(
            "unknown mode `{other}`; use `mapping` or `mutation`"
        )),
    }
}

/// The registry's documentation of a function or method.
pub fn doc(name: &str) -> Vec<Output> {
    let name = name.trim().trim_start_matches('.').trim_end_matches("()");
    if name.is_empty() {
        return error("write `:doc NAME`");
    }
    let env = Env::standard();
    let specs: Vec<_> = [env.function(name), env.method(name)]
        .into_iter()
        .flatten()
        .collect();
    if specs.is_empty() {
        let names = env.function_names().chain(env.method_names());
        return match tarn_lang::diag::suggest(name, names) {
            Some(near) => error(format!(
                "no function or method `{name}`; did you mean `{near}`?"
            )),
            None => error(format!("no function or method `{name}`")),
        };
    }
    let mut text = String::new();
    for spec in specs {
        if !text.is_empty() {
            text.push('\n');
        }
        let kind = if spec.is_method() {
            "method"
        } else {
            "function"
        };
        text.push_str(&format!(
            "{}  ({kind}, {})\n  {}\n",
            spec.signature(),
            spec.category.name(),
            spec.doc
        ));
        for example in spec.examples.iter().take(3) {
            text.push_str(&format!(
                "  example: {}\n",
                example.mapping.replace('\n', "\n           ")
            ));
            for (input, expect) in example.cases.iter().take(2) {
                let shown = match expect {
                    tarn_lang::stdlib::Expect::Out(out) => (*out).to_string(),
                    tarn_lang::stdlib::Expect::Fails(why) => format!("error: {why}"),
                };
                text.push_str(&format!("    {input} → {shown}\n"));
            }
        }
    }
    note(text.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_meta_mode_and_mapping() {
        let mut s = Session::new();
        let (_, out) = run(&mut s, r#":input {"a": 1}"#);
        assert_eq!(out, [Output::Note("input set (JSON)".into())]);
        let (_, out) = run(&mut s, ":input");
        assert_eq!(out, [Output::Value("{\n  \"a\": 1\n}".into())]);
        run(&mut s, ":meta k=v=w");
        assert_eq!(s.meta(), [("k".to_string(), "v=w".to_string())]);
        run(&mut s, ":meta -k");
        assert!(s.meta().is_empty());
        run(&mut s, ":mode mutation");
        assert_eq!(s.mode(), Mode::Mutation);
        s.eval("root.b = 2");
        assert_eq!(
            run(&mut s, ":mapping").1,
            [Output::Note("root.b = 2".into())]
        );
        run(&mut s, ":reset");
        assert_eq!(s.mapping(), "");
        assert_eq!(run(&mut s, ":q").0, Flow::Quit);
    }

    #[test]
    fn unknown_commands_and_names_get_suggestions() {
        let mut s = Session::new();
        let (_, out) = run(&mut s, ":mapp");
        assert!(
            matches!(&out[0], Output::Error(e) if e.contains("did you mean `:mapping`?")),
            "{out:?}"
        );
        let out = doc("uppercse");
        assert!(
            matches!(&out[0], Output::Error(e) if e.contains("`uppercase`")),
            "{out:?}"
        );
        let out = doc("uppercase");
        assert!(
            matches!(&out[0], Output::Note(t) if t.starts_with(".uppercase()")),
            "{out:?}"
        );
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = std::env::temp_dir().join(format!("tarn-repl-cmd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("m.blobl");
        let file = file.to_string_lossy();
        let mut s = Session::new();
        s.eval("root.a = 1");
        s.eval("root.b = this.x.or(2)");
        run(&mut s, &format!(":save {file}"));
        let mut fresh = Session::new();
        let (_, out) = run(&mut fresh, &format!(":load {file}"));
        assert_eq!(out, [Output::Value("{\n  \"a\": 1,\n  \"b\": 2\n}".into())]);
        assert_eq!(fresh.mapping(), s.mapping());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
