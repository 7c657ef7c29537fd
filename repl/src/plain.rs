//! The REPL without a terminal: entries come from a reader (one per line,
//! continued while the parser says the entry is incomplete) and results
//! go out without prompts or colours, so sessions can be scripted.

use crate::commands::{self, Flow};
use crate::session::{Output, Session};
use std::io::{BufRead, Write};

/// Writes one entry's outputs: values, metadata and notes to `out`,
/// errors to `err`.
pub fn emit(outputs: &[Output], out: &mut impl Write, err: &mut impl Write) -> std::io::Result<()> {
    for o in outputs {
        match o {
            Output::Value(v) => writeln!(out, "{v}")?,
            Output::Meta(m) => writeln!(out, "meta: {m}")?,
            Output::Note(n) => writeln!(out, "{n}")?,
            Output::Error(e) => {
                out.flush()?;
                writeln!(err, "{e}")?;
            }
        }
    }
    out.flush()
}

/// Runs one complete entry (a command or Bloblang) on the session.
pub fn run_entry(session: &mut Session, entry: &str) -> (Flow, Vec<Output>) {
    if entry.trim_start().starts_with(':') {
        commands::run(session, entry)
    } else {
        (Flow::Continue, session.eval(entry))
    }
}

/// Reads entries from `input` until it ends or `:quit`.
pub fn run(
    session: &mut Session,
    input: impl BufRead,
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<()> {
    let mut entry = String::new();
    for line in input.lines() {
        let line = line?;
        // A command ends whatever entry was left open before it.
        if line.trim_start().starts_with(':') && !entry.is_empty() {
            let (_, outputs) = run_entry(session, &entry);
            entry.clear();
            emit(&outputs, out, err)?;
        }
        if !entry.is_empty() {
            entry.push('\n');
        }
        entry.push_str(&line);
        // An empty line ends even an unfinished entry, to see its error.
        if crate::validate::is_incomplete(&entry) && !line.trim().is_empty() {
            continue;
        }
        let (flow, outputs) = run_entry(session, &entry);
        entry.clear();
        emit(&outputs, out, err)?;
        if flow == Flow::Quit {
            return Ok(());
        }
    }
    if !entry.trim().is_empty() {
        let (_, outputs) = run_entry(session, &entry);
        emit(&outputs, out, err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scripted_session() {
        let script = ":input {\"age\": 20}\nif this.age > 18 {\n  root.adult = true\n}\nthis.age\nroot.x = nope(\n:quit\nroot.never = 1\n";
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut s = Session::new();
        run(&mut s, script.as_bytes(), &mut out, &mut err).expect("run");
        let out = String::from_utf8(out).expect("utf8");
        assert_eq!(out, "input set (JSON)\n{\n  \"adult\": true\n}\n20\n");
        let err = String::from_utf8(err).expect("utf8");
        assert!(err.starts_with("error: "), "{err}");
        assert_eq!(s.mapping(), "if this.age > 18 {\n  root.adult = true\n}\n");
    }
}
