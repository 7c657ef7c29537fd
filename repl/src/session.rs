//! A REPL session: the current input message, the statements accepted so
//! far (the mapping being written) and how each new entry runs against
//! them.

use tarn_lang::ide::Snapshot;
use tarn_lang::value::{JsonStyle, parse_json, to_json};
use tarn_lang::{Env, Message, Mode, Value, Vm};
use tarn_syntax::ast::StmtKind;

/// One piece of what an entry printed, so a front end can colour it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The resulting document, or an expression's value.
    Value(String),
    /// The output metadata, when it differs from the input's.
    Meta(String),
    /// A remark: a variable's value, a saved file, help text.
    Note(String),
    /// An error, with the entry's line and a caret under the failing part.
    Error(String),
}

/// The state of one REPL session.
pub struct Session {
    input: Vec<u8>,
    meta: Vec<(String, String)>,
    statements: Vec<String>,
    mode: Mode,
    env: &'static Env,
    vm: Vm,
    /// Metadata keys the last run produced, for completion.
    output_meta_keys: Vec<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("statements", &self.statements)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

/// Pretty JSON for structured values; strings and bytes as their text.
pub fn document_text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => value_text(other),
    }
}

/// A value as Bloblang shows it: pretty JSON, or `deleted()` /
/// `nothing()` for the two markers.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Delete => "deleted()".into(),
        Value::Nothing => "nothing()".into(),
        // Bytes read best as the text they hold, not as base64.
        Value::Bytes(b) => value_text(&Value::from(String::from_utf8_lossy(b).into_owned())),
        other => {
            let style = JsonStyle {
                escape_html: false,
                indent: Some("  "),
            };
            to_json(other, style).unwrap_or_else(|e| format!("<{e}>"))
        }
    }
}

/// The line of `text` holding byte `offset`, its 1-based number and the
/// column (in characters) of `offset` within it.
fn locate(text: &str, offset: usize) -> (usize, &str, usize) {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let number = text[..start].matches('\n').count() + 1;
    let col = text[start..offset].chars().count();
    (number, &text[start..end], col)
}

/// `message`, then the entry line holding byte `offset` with a caret
/// under it (and its number when the entry has several lines).
pub fn caret_error(entry: &str, offset: usize, width: usize, message: &str) -> String {
    let (number, line, col) = locate(entry, offset);
    let gutter = if entry.contains('\n') {
        format!("{number} | ")
    } else {
        String::new()
    };
    let pad: String = line
        .chars()
        .take(col)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let carets = "^".repeat(width.max(1));
    format!(
        "error: {message}\n  {gutter}{line}\n  {}{pad}{carets}",
        " ".repeat(gutter.chars().count())
    )
}

impl Session {
    /// An empty session: input `{}`, no metadata, no statements.
    pub fn new() -> Session {
        Session {
            input: b"{}".to_vec(),
            meta: Vec::new(),
            statements: Vec::new(),
            mode: Mode::Mapping,
            env: Env::standard(),
            vm: Vm::new(),
            output_meta_keys: Vec::new(),
        }
    }

    /// The statements accepted so far, as a mapping file.
    pub fn mapping(&self) -> String {
        let mut text = self.statements.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        text
    }

    /// The current input's raw bytes.
    pub fn input(&self) -> &[u8] {
        &self.input
    }

    /// Replaces the input message (JSON, or any raw text).
    pub fn set_input(&mut self, raw: &[u8]) {
        self.input = raw.to_vec();
    }

    /// Sets (or, with `None`, removes) an input metadata key.
    pub fn set_meta(&mut self, key: &str, value: Option<&str>) {
        self.meta.retain(|(k, _)| k != key);
        if let Some(v) = value {
            self.meta.push((key.to_string(), v.to_string()));
        }
    }

    /// The input metadata, in the order it was set.
    pub fn meta(&self) -> &[(String, String)] {
        &self.meta
    }

    /// Mapping or mutation.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Switches between mapping and mutation.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// Forgets every statement; the input and metadata stay.
    pub fn reset(&mut self) {
        self.statements.clear();
        self.output_meta_keys.clear();
    }

    /// What completion needs to know now.
    pub fn snapshot(&self) -> Snapshot {
        let parsed = tarn_syntax::parse(&self.mapping());
        let mut variables = Vec::new();
        let mut maps = Vec::new();
        for stmt in &parsed.mapping.stmts {
            collect_names(&stmt.kind, &mut variables, &mut maps);
        }
        let mut meta_keys: Vec<String> = self.meta.iter().map(|(k, _)| k.clone()).collect();
        meta_keys.extend(self.output_meta_keys.iter().cloned());
        for list in [&mut variables, &mut maps, &mut meta_keys] {
            list.sort();
            list.dedup();
        }
        Snapshot {
            input: parse_json(&self.input).ok(),
            variables,
            meta_keys,
            maps,
        }
    }

    fn message(&self) -> Message {
        let mut msg = Message::new(&self.input);
        for (k, v) in &self.meta {
            msg.meta_mut().insert(k.as_str(), Value::str(v));
        }
        msg
    }

    /// Compiles the accepted statements followed by `tail`; the byte
    /// offset where `tail` starts in the compiled text, and the number of
    /// lines before it.
    fn source_with(&self, tail: &str) -> (String, usize, usize) {
        let prelude = self.statements.join("\n");
        if prelude.is_empty() {
            return (tail.to_string(), 0, 0);
        }
        let lines = prelude.matches('\n').count() + 1;
        let offset = prelude.len() + 1;
        (format!("{prelude}\n{tail}"), offset, lines)
    }

    /// Runs one entry: an expression is evaluated and shown; statements
    /// join the mapping when they compile and run, and the resulting
    /// document is shown.
    pub fn eval(&mut self, entry: &str) -> Vec<Output> {
        let entry = entry.trim_end();
        if entry.trim().is_empty() {
            return Vec::new();
        }
        if tarn_syntax::parse_query(entry).is_ok() {
            self.expression(entry)
        } else {
            self.statements_entry(entry)
        }
    }

    fn expression(&mut self, entry: &str) -> Vec<Output> {
        const HEAD: &str = "root = ";
        let (source, offset, lines) = self.source_with(&format!("{HEAD}{entry}"));
        match self.run(&source, entry, (offset + HEAD.len(), offset, lines)) {
            Ok((root, _)) => vec![Output::Value(value_text(&root))],
            Err(e) => vec![Output::Error(e)],
        }
    }

    fn statements_entry(&mut self, entry: &str) -> Vec<Output> {
        let (source, offset, lines) = self.source_with(entry);
        let (root, meta) = match self.run(&source, entry, (offset, offset, lines)) {
            Ok(done) => done,
            Err(e) => return vec![Output::Error(format!("{e}\n(not added to the mapping)"))],
        };
        self.statements.push(entry.trim_end().to_string());
        let mut out = Vec::new();
        let parsed = tarn_syntax::parse(entry);
        for stmt in &parsed.mapping.stmts {
            match &stmt.kind {
                StmtKind::Let { name, .. } => {
                    let shown = self.expression(&format!("${}", name.text));
                    if let Some(Output::Value(v)) = shown.first() {
                        out.push(Output::Note(format!("${} = {v}", name.text)));
                    }
                }
                StmtKind::Map { name, .. } => {
                    out.push(Output::Note(format!("map {} defined", name.text)));
                }
                _ => {}
            }
        }
        let assigns = parsed
            .mapping
            .stmts
            .iter()
            .any(|s| !matches!(s.kind, StmtKind::Let { .. } | StmtKind::Map { .. }));
        if assigns || out.is_empty() {
            let doc = match root {
                Value::Nothing => String::from_utf8_lossy(&self.input).into_owned(),
                Value::Delete => "deleted() (the message would be dropped)".into(),
                other => document_text(&other),
            };
            out.push(Output::Value(doc));
        }
        if let Some(meta) = meta {
            out.push(Output::Meta(meta));
        }
        out
    }

    /// Compiles and runs `source` on the input. `entry` starts at byte
    /// `at` of `source`, on the line after the `lines` lines of accepted
    /// statements (which end at byte `prelude`); errors are shown against
    /// it. Gives the root and, when it changed, the output metadata.
    fn run(
        &mut self,
        source: &str,
        entry: &str,
        (at, prelude, lines): (usize, usize, usize),
    ) -> Result<(Value, Option<String>), String> {
        let program = self.env.compile(source).map_err(|diags| {
            diags
                .items
                .iter()
                .filter(|d| d.is_error())
                .map(|d| {
                    let (start, end) = (d.span.start as usize, d.span.end as usize);
                    if start < prelude {
                        format!("error: {} (in an earlier statement)", d.message)
                    } else {
                        let width = end.saturating_sub(start.max(at));
                        caret_error(entry, start.saturating_sub(at), width, &d.message)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        let msg = self.message();
        let outcome = tarn_lang::vm::run(
            &program,
            &mut self.vm,
            std::slice::from_ref(&msg),
            0,
            self.mode,
        )
        .map_err(|e| runtime_error(&e.message(), entry, lines))?;
        self.output_meta_keys = outcome.meta.keys().map(|k| k.to_string()).collect();
        let meta = (outcome.meta != *msg.meta()).then(|| {
            let object = Value::Object(outcome.meta.clone());
            to_json(&object, JsonStyle::MESSAGE).unwrap_or_default()
        });
        Ok((outcome.root, meta))
    }
}

/// A runtime error, its `(line N)` made relative to the entry, with a
/// caret under the quoted part it names when that is on the line.
fn runtime_error(message: &str, entry: &str, lines: usize) -> String {
    let mut message = message.to_string();
    let mut line_no = 1;
    if let Some(at) = message.find("(line ")
        && let Some(close) = message[at..].find(')')
        && let Ok(n) = message[at + 6..at + close].parse::<usize>()
    {
        line_no = n.saturating_sub(lines).max(1);
        message.replace_range(at..at + close + 1, &format!("(line {line_no})"));
    }
    let line_start: usize = entry
        .split_inclusive('\n')
        .take(line_no - 1)
        .map(str::len)
        .sum();
    let line = entry[line_start.min(entry.len())..]
        .lines()
        .next()
        .unwrap_or("");
    // The first `quoted` part of the message found on the line.
    let quoted = message
        .split('`')
        .skip(1)
        .step_by(2)
        .find_map(|q| line.find(q).map(|at| (at, q.len())));
    let (at, width) = quoted.unwrap_or_else(|| {
        let indent = line.len() - line.trim_start().len();
        (indent, line.trim().len())
    });
    caret_error(entry, line_start + at, width, &message)
}

fn collect_names(kind: &StmtKind, variables: &mut Vec<String>, maps: &mut Vec<String>) {
    match kind {
        StmtKind::Let { name, .. } => variables.push(name.text.clone()),
        StmtKind::Map { name, body } => {
            maps.push(name.text.clone());
            for s in body {
                collect_names(&s.kind, variables, maps);
            }
        }
        StmtKind::If(chain) => {
            for (_, body) in &chain.branches {
                for s in body {
                    collect_names(&s.kind, variables, maps);
                }
            }
            for s in chain.otherwise.iter().flatten() {
                collect_names(&s.kind, variables, maps);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(out: &[Output]) -> Vec<&str> {
        out.iter()
            .filter_map(|o| match o {
                Output::Value(v) => Some(v.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn statements_accumulate_and_expressions_do_not() {
        let mut s = Session::new();
        s.set_input(br#"{"name":"ann","age":30}"#);
        assert_eq!(
            values(&s.eval("root.who = this.name.uppercase()")),
            ["{\n  \"who\": \"ANN\"\n}"]
        );
        assert_eq!(values(&s.eval("this.age + 1")), ["31"]);
        let out = s.eval("let n = this.age * 2");
        assert_eq!(out, [Output::Note("$n = 60".into())]);
        assert_eq!(
            values(&s.eval("root.n = $n")),
            ["{\n  \"n\": 60,\n  \"who\": \"ANN\"\n}"]
        );
        assert_eq!(
            s.mapping(),
            "root.who = this.name.uppercase()\nlet n = this.age * 2\nroot.n = $n\n"
        );
        assert_eq!(s.snapshot().variables, ["n"]);
    }

    #[test]
    fn compile_errors_point_into_the_entry() {
        let mut s = Session::new();
        s.eval("root.a = 1");
        let out = s.eval("root.b = this.a +");
        let [Output::Error(e)] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert!(e.starts_with("error: expected an expression"), "{e}");
        assert!(
            e.contains("\n  root.b = this.a +\n                   ^"),
            "{e}"
        );
        let out = s.eval("this.a.nope()");
        let [Output::Error(e)] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert!(e.contains("\n  this.a.nope()\n         ^^^^"), "{e}");
        assert_eq!(s.mapping(), "root.a = 1\n");
    }

    #[test]
    fn runtime_errors_name_the_entry_line_and_are_not_kept() {
        let mut s = Session::new();
        s.set_input(br#"{"a":1}"#);
        s.eval("let x = 1");
        let out = s.eval("root.b = this.b.uppercase()");
        let [Output::Error(e)] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert!(e.contains("failed assignment (line 1)"), "{e}");
        assert!(
            e.contains("\n  root.b = this.b.uppercase()\n           ^^^^^^"),
            "{e}"
        );
        assert!(e.ends_with("(not added to the mapping)"), "{e}");
        assert_eq!(s.mapping(), "let x = 1\n");
    }

    #[test]
    fn metadata_in_and_out() {
        let mut s = Session::new();
        s.set_meta("topic", Some("orders"));
        assert_eq!(values(&s.eval("@topic")), ["\"orders\""]);
        let out = s.eval("meta region = \"eu\"");
        assert!(
            out.contains(&Output::Meta(r#"{"region":"eu","topic":"orders"}"#.into())),
            "{out:?}"
        );
        assert_eq!(s.snapshot().meta_keys, ["region", "topic"]);
    }

    #[test]
    fn raw_input_and_mutation_mode() {
        let mut s = Session::new();
        s.set_input(b"hello world");
        assert_eq!(
            values(&s.eval("content().uppercase()")),
            ["\"HELLO WORLD\""]
        );
        s.set_input(br#"{"a":1,"b":2}"#);
        s.set_mode(Mode::Mutation);
        assert_eq!(values(&s.eval("root.b = deleted()")), ["{\n  \"a\": 1\n}"]);
    }
}
