//! The interactive front end: rustyline with completion, signature hints,
//! syntax highlighting and parser-decided multi-line entries, history kept
//! between runs, and coloured results.

use crate::commands::Flow;
use crate::plain::run_entry;
use crate::session::{Output, Session};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use std::borrow::Cow;
use std::path::PathBuf;
use tarn_lang::ide::Snapshot;

const PROMPT: &str = "tarn> ";

/// A signature shown after the cursor; never inserted into the line.
#[derive(Debug)]
pub struct SignatureHint(String);

impl Hint for SignatureHint {
    fn display(&self) -> &str {
        &self.0
    }

    fn completion(&self) -> Option<&str> {
        None
    }
}

/// The rustyline helper: everything it offers reads the stdlib registry
/// and the session snapshot.
#[derive(Debug, Default)]
pub struct ReplHelper {
    /// The session as of the last entry.
    pub snapshot: Snapshot,
    /// Colour the line and hints.
    pub color: bool,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, candidates) = crate::complete::complete(line, pos, &self.snapshot);
        let pairs = candidates
            .into_iter()
            .map(|c| Pair {
                display: c.display,
                replacement: c.replacement,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = SignatureHint;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<SignatureHint> {
        if pos < line.len() {
            return None;
        }
        tarn_lang::ide::hint::signature_hint(line, pos)
            .map(|sig| SignatureHint(format!("  ← {sig}")))
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color && !line.starts_with(':') {
            Cow::Owned(crate::highlight::highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        // An empty line ends even an unfinished entry, to see its error.
        let input = ctx.input();
        if crate::validate::is_incomplete(input) && !input.ends_with('\n') {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for ReplHelper {}

/// Where history is kept: `$TARN_REPL_HISTORY`, else
/// `$XDG_STATE_HOME/tarn/repl_history`, else
/// `~/.local/state/tarn/repl_history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TARN_REPL_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("tarn").join("repl_history"))
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn show(outputs: &[Output], color: bool) {
    for o in outputs {
        match o {
            Output::Value(v) => println!("{v}"),
            Output::Meta(m) => println!("{}", paint(color, "36", &format!("meta: {m}"))),
            Output::Note(n) => println!("{}", paint(color, "2", n)),
            Output::Error(e) => println!("{}", paint(color, "31", e)),
        }
    }
}

/// Runs the interactive REPL on the terminal until `:quit` or Ctrl-D.
pub fn run(session: &mut Session, color: bool) -> rustyline::Result<()> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .max_history_size(5000)?
        .build();
    let mut editor: Editor<ReplHelper, FileHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(ReplHelper {
        snapshot: session.snapshot(),
        color,
    }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!(
        "{}",
        paint(
            color,
            "2",
            "Tarn REPL: type Bloblang statements or expressions; `:help` lists the commands."
        )
    );
    loop {
        let entry = match editor.readline(PROMPT) {
            Ok(entry) => entry,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e),
        };
        if entry.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(entry.as_str());
        if let Some(path) = &history {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = editor.save_history(path);
        }
        let (flow, outputs) = run_entry(session, &entry);
        show(&outputs, color);
        if flow == Flow::Quit {
            break;
        }
        if let Some(helper) = editor.helper_mut() {
            helper.snapshot = session.snapshot();
        }
    }
    Ok(())
}
