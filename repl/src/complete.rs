//! Tab completion in the REPL: `:` command lines here; Bloblang text by
//! the language's own completer ([`tarn_lang::ide::complete`]), which the
//! language server shares.

use tarn_lang::Env;
use tarn_lang::ide::Snapshot;
use tarn_lang::ide::complete::{Candidate, starting_with};

/// The arguments of `:mode`.
pub const MODES: &[&str] = &["mapping", "mutation"];

/// The REPL's commands (from the command table).
fn commands() -> impl Iterator<Item = &'static str> {
    crate::commands::COMMANDS.iter().map(|(name, _)| *name)
}

/// Completes the word before byte offset `pos` of `line`: the start of
/// the replaced word and the candidates, sorted and without duplicates.
pub fn complete(line: &str, pos: usize, ctx: &Snapshot) -> (usize, Vec<Candidate>) {
    let pos = pos.min(line.len());
    let Some(prefix) = line.get(..pos) else {
        return (pos, Vec::new());
    };
    if !line.trim_start().starts_with(':') {
        return tarn_lang::ide::complete::complete(line, pos, ctx);
    }
    if prefix.trim_start().is_empty() {
        return (pos, Vec::new());
    }
    let (start, mut candidates) = complete_command(prefix);
    candidates.sort();
    candidates.dedup();
    (start, candidates)
}

/// Completion on a `:command` line.
fn complete_command(prefix: &str) -> (usize, Vec<Candidate>) {
    let lead = prefix.len() - prefix.trim_start().len();
    let body = &prefix[lead..];
    let Some(split) = body.find(char::is_whitespace) else {
        return (lead, starting_with(commands(), body, ""));
    };
    let command = &body[..split];
    let arg = body[split..].trim_start();
    let start = prefix.len() - arg.len();
    if arg.contains(char::is_whitespace) {
        return (start, Vec::new());
    }
    let candidates = match command {
        ":doc" => {
            let env = Env::standard();
            starting_with(env.function_names().chain(env.method_names()), arg, "")
        }
        ":mode" => starting_with(MODES.iter().copied(), arg, ""),
        _ => Vec::new(),
    };
    (start, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replacements(line: &str) -> (usize, Vec<String>) {
        let (start, c) = complete(line, line.len(), &Snapshot::default());
        (start, c.into_iter().map(|c| c.replacement).collect())
    }

    #[test]
    fn commands_and_their_arguments() {
        let (start, r) = replacements(":");
        assert_eq!(start, 0);
        assert_eq!(r.len(), commands().count());
        let (_, r) = replacements(":m");
        assert_eq!(r, vec![":mapping", ":meta", ":mode"]);
        let (start, r) = replacements("  :q");
        assert_eq!(start, 2);
        assert_eq!(r, vec![":quit"]);
        let (start, r) = replacements(":mode mu");
        assert_eq!((start, r), (6, vec!["mutation".to_string()]));
        let (_, r) = replacements(":doc upperc");
        assert_eq!(r, vec!["uppercase"]);
    }

    #[test]
    fn code_goes_to_the_language_completer() {
        let (start, r) = replacements("root = this.name.uppe");
        assert_eq!((start, r), (17, vec!["uppercase(".to_string()]));
    }
}
