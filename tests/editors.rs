//! The editor integrations under `editors/`: the VS Code extension's
//! manifest, language configuration and TextMate grammar are valid JSON
//! with the keys VS Code needs, the grammar's regular expressions compile
//! and highlight the basics, and the Neovim snippet starts `tarn lsp`.

use regex::Regex;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn editors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn str_at<'v>(v: &'v Value, pointer: &str) -> &'v str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing string at {pointer}"))
}

fn grammar() -> Value {
    read_json(&editors().join("vscode/syntaxes/bloblang.tmLanguage.json"))
}

/// Every `match`, `begin` and `end` regex of the grammar, with where it is.
fn regexes(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let here = format!("{at}/{k}");
                if matches!(k.as_str(), "match" | "begin" | "end")
                    && let Some(s) = child.as_str()
                {
                    out.push((here, s.to_string()));
                } else {
                    regexes(child, &here, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                regexes(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The `match` rules of a repository entry (itself or its `patterns`).
fn rules<'g>(g: &'g Value, entry: &str) -> Vec<&'g Value> {
    let e = &g["repository"][entry];
    match e.get("patterns").and_then(Value::as_array) {
        Some(list) => list.iter().collect(),
        None => vec![e],
    }
}

/// The scope name the first rule of `entry` that matches all of `text`
/// gives it.
fn scope_of(g: &Value, entry: &str, text: &str) -> Option<String> {
    for rule in rules(g, entry) {
        let Some(pat) = rule.get("match").and_then(Value::as_str) else {
            continue;
        };
        let re = Regex::new(pat).expect("compiles");
        if let Some(m) = re.find(text)
            && m.start() == 0
            && m.end() == text.len()
        {
            return rule.get("name").and_then(Value::as_str).map(str::to_string);
        }
    }
    None
}

#[test]
fn vscode_package_json_declares_language_grammar_and_server() {
    let dir = editors().join("vscode");
    let pkg = read_json(&dir.join("package.json"));
    assert_eq!(str_at(&pkg, "/name"), "tarn-bloblang");
    for key in ["/version", "/publisher", "/engines/vscode", "/main"] {
        str_at(&pkg, key);
    }
    assert!(dir.join(str_at(&pkg, "/main")).is_file());
    let lang = &pkg["contributes"]["languages"][0];
    assert_eq!(str_at(lang, "/id"), "bloblang");
    assert_eq!(lang["extensions"], serde_json::json!([".blobl"]));
    assert!(dir.join(str_at(lang, "/configuration")).is_file());
    let gram = &pkg["contributes"]["grammars"][0];
    assert_eq!(str_at(gram, "/language"), "bloblang");
    assert_eq!(str_at(gram, "/scopeName"), str_at(&grammar(), "/scopeName"));
    assert!(dir.join(str_at(gram, "/path")).is_file());
    assert_eq!(
        str_at(
            &pkg,
            "/contributes/configuration/properties/tarn.path/default"
        ),
        "tarn"
    );
    str_at(&pkg, "/dependencies/vscode-languageclient");
    let events: Vec<_> = pkg["activationEvents"]
        .as_array()
        .expect("activationEvents")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(events.contains(&"onLanguage:bloblang") && events.contains(&"onLanguage:yaml"));

    let ext = std::fs::read_to_string(dir.join("extension.js")).expect("extension.js");
    for needle in [
        "vscode-languageclient/node",
        "'lsp'",
        "'tarn'",
        "tarn.path",
        "language: 'yaml'",
        "language: 'bloblang'",
    ] {
        assert!(ext.contains(needle), "extension.js lacks {needle}");
    }
    assert!(dir.join("README.md").is_file());
}

#[test]
fn vscode_language_configuration_has_comments_and_brackets() {
    let conf = read_json(&editors().join("vscode/language-configuration.json"));
    assert_eq!(str_at(&conf, "/comments/lineComment"), "#");
    let brackets = conf["brackets"].as_array().expect("brackets");
    assert_eq!(brackets.len(), 3);
    assert!(
        conf["autoClosingPairs"]
            .as_array()
            .is_some_and(|p| p.len() >= 4)
    );
    for key in ["increaseIndentPattern", "decreaseIndentPattern"] {
        Regex::new(str_at(&conf, &format!("/indentationRules/{key}"))).expect("compiles");
    }
}

#[test]
fn textmate_grammar_regexes_compile() {
    let g = grammar();
    assert_eq!(str_at(&g, "/scopeName"), "source.bloblang");
    let mut found = Vec::new();
    regexes(&g, "", &mut found);
    assert!(found.len() > 20, "{found:?}");
    for (at, pat) in &found {
        Regex::new(pat).unwrap_or_else(|e| panic!("{at}: {pat}: {e}"));
    }
    // Every include names a repository entry.
    let mut includes = Vec::new();
    collect_includes(&g, &mut includes);
    for inc in includes {
        let name = inc.trim_start_matches('#');
        assert!(g["repository"].get(name).is_some(), "unknown include {inc}");
    }
}

fn collect_includes(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                match (k.as_str(), child.as_str()) {
                    ("include", Some(s)) => out.push(s.to_string()),
                    _ => collect_includes(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|c| collect_includes(c, out)),
        _ => {}
    }
}

#[test]
fn textmate_grammar_highlights_the_basics() {
    let g = grammar();
    for word in ["let", "map", "meta", "import", "from"] {
        assert_eq!(
            scope_of(&g, "keywords", word).as_deref(),
            Some("keyword.other.bloblang"),
            "{word}"
        );
    }
    for word in ["if", "else", "match"] {
        assert_eq!(
            scope_of(&g, "keywords", word).as_deref(),
            Some("keyword.control.conditional.bloblang"),
            "{word}"
        );
    }
    for word in ["root", "this"] {
        assert_eq!(
            scope_of(&g, "keywords", word).as_deref(),
            Some("variable.language.bloblang")
        );
    }
    for word in ["true", "false", "null"] {
        assert_eq!(
            scope_of(&g, "constants", word).as_deref(),
            Some("constant.language.bloblang")
        );
    }
    for n in ["0", "42", "3.25"] {
        assert_eq!(
            scope_of(&g, "numbers", n).as_deref(),
            Some("constant.numeric.bloblang")
        );
    }
    assert_eq!(
        scope_of(&g, "comment", "# a comment").as_deref(),
        Some("comment.line.number-sign.bloblang")
    );
    assert_eq!(
        scope_of(&g, "variables", "@kafka_key").as_deref(),
        Some("variable.other.metadata.bloblang")
    );
    assert!(
        Regex::new(rules(&g, "variables")[0]["match"].as_str().expect("var"))
            .expect("re")
            .is_match("$name")
    );

    // Calls capture the function or method name.
    let calls = rules(&g, "calls");
    let method = Regex::new(calls[0]["match"].as_str().expect("method")).expect("re");
    let caps = method
        .captures("this.name.uppercase()")
        .expect("method call");
    assert_eq!(&caps[2], "uppercase");
    let function = Regex::new(calls[1]["match"].as_str().expect("function")).expect("re");
    let caps = function.captures("root = now()").expect("function call");
    assert_eq!(&caps[1], "now");

    // Strings: plain with escapes, and triple-quoted raw strings.
    let strings = rules(&g, "strings");
    let names: Vec<_> = strings.iter().filter_map(|r| r["name"].as_str()).collect();
    assert!(names.contains(&"string.quoted.triple.bloblang"));
    assert!(names.contains(&"string.quoted.double.bloblang"));
    assert_eq!(
        strings[0]["begin"], "\"\"\"",
        "triple quotes come before plain quotes"
    );
    let esc = Regex::new(rules(&g, "escape")[0]["match"].as_str().expect("escape")).expect("re");
    for e in [r"\n", r"\u00e9", r#"\""#, r"\\"] {
        assert!(esc.is_match(e), "{e}");
    }
}

#[test]
fn neovim_snippet_registers_filetype_and_starts_the_server() {
    let lua = std::fs::read_to_string(editors().join("neovim/tarn.lua")).expect("tarn.lua");
    for needle in [
        "vim.filetype.add",
        "blobl = 'bloblang'",
        "vim.lsp.start",
        "{ 'tarn', 'lsp' }",
    ] {
        assert!(lua.contains(needle), "tarn.lua lacks {needle}");
    }
    assert!(!lua.contains("lspconfig'"), "no nvim-lspconfig dependency");
    assert!(editors().join("neovim/README.md").is_file());
}
