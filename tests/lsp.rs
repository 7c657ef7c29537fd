//! End-to-end tests of `tarn lsp`: the real binary, spoken to in
//! JSON-RPC over its stdin and stdout as an editor would.

mod lsp_client;

use lsp_client::{Client, range};
use serde_json::{Value, json};

#[test]
fn two_errors_both_get_diagnostics_with_their_ranges() {
    let mut c = Client::start();
    let text = "root.a = this.a.uppercse()\nroot.b = nope()\n";
    let diags = c.open("file:///tmp/two.blobl", "bloblang", text);
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(range(&diags[0]), (0, 16, 0, 24), "{diags:?}");
    assert!(
        diags[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("did you mean `uppercase`")),
        "{diags:?}"
    );
    assert_eq!(range(&diags[1]), (1, 9, 1, 13), "{diags:?}");
    // An edit that fixes both clears them.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///tmp/two.blobl", "version": 2},
               "contentChanges": [{"text": "root.a = this.a.uppercase()\n"}]}),
    );
    assert_eq!(c.diagnostics("file:///tmp/two.blobl"), Vec::<Value>::new());
}

#[test]
fn completion_hover_and_signature_help_come_from_the_registry() {
    let mut c = Client::start();
    let uri = "file:///tmp/complete.blobl";
    let text = "root.a = this.name.up\nroot.b = \"%s\".format(this.a)\n";
    c.open(uri, "bloblang", text);
    let items = c.at("textDocument/completion", uri, 0, 21);
    let items = items.as_array().expect("a list");
    let upper = items
        .iter()
        .find(|i| i["label"] == "uppercase")
        .unwrap_or_else(|| panic!("uppercase is offered: {items:?}"));
    assert_eq!(upper["textEdit"]["newText"], "uppercase()$0");
    assert_eq!(upper["textEdit"]["range"]["start"]["character"], 19);

    let hover = c.at("textDocument/hover", uri, 1, 16);
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    let spec = tarn_lang::Env::standard().method("format").expect("format");
    assert!(shown.contains(spec.doc), "{shown}");
    assert!(shown.contains(&spec.signature()), "{shown}");

    let help = c.at("textDocument/signatureHelp", uri, 1, 21);
    assert!(
        help["signatures"][0]["label"]
            .as_str()
            .is_some_and(|l| l.starts_with("format(")),
        "{help}"
    );
}

#[test]
fn renaming_a_variable_updates_every_use() {
    let mut c = Client::start();
    let uri = "file:///tmp/rename.blobl";
    let text = "let total = this.a + this.b\nroot.sum = $total\nroot.twice = $total * 2\n";
    let diags = c.open(uri, "bloblang", text);
    assert_eq!(diags, Vec::<Value>::new());
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 13}, "newName": "sum"}),
    );
    let mut edits: Vec<(u64, u64, u64, u64)> = edit["changes"][uri]
        .as_array()
        .expect("edits")
        .iter()
        .map(|e| {
            assert_eq!(e["newText"], "sum");
            range(e)
        })
        .collect();
    edits.sort();
    assert_eq!(edits, vec![(0, 4, 0, 9), (1, 12, 1, 17), (2, 14, 2, 19)]);
    let def = c.at("textDocument/definition", uri, 2, 15);
    assert_eq!(range(&def), (0, 4, 0, 9), "{def}");
}

#[test]
fn formatting_is_stable() {
    let mut c = Client::start();
    let uri = "file:///tmp/messy.blobl";
    let messy = "root.a=this.a+1   # keep me\n\n\n\nroot.b   =   \"x\"\n";
    c.open(uri, "bloblang", messy);
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let formatted = edits[0]["newText"]
        .as_str()
        .expect("the new text")
        .to_string();
    assert_eq!(
        formatted,
        "root.a = this.a + 1 # keep me\n\nroot.b = \"x\"\n"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": formatted}]}),
    );
    let again = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(again, json!([]));
}

#[test]
fn a_mapping_embedded_in_yaml_gets_its_diagnostic_in_place() {
    let mut c = Client::start();
    let uri = "file:///tmp/config.yaml";
    let text = "input:\n  stdin: {}\npipeline:\n  processors:\n    - mapping: |\n        root.a = this.a\n        root.b = this.b.nope()\n    - mutation: 'root.c = nuh()'\n";
    let diags = c.open(uri, "yaml", text);
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(range(&diags[0]), (6, 24, 6, 28), "{diags:?}");
    assert_eq!(range(&diags[1]), (7, 26, 7, 29), "{diags:?}");

    // Completion and hover inside the block scalar and an interpolation.
    let text = "pipeline:\n  processors:\n    - mapping: |\n        root.a = this.name.up\noutput:\n  http_client:\n    url: 'http://x/${! this.id.string() }'\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    c.diagnostics(uri);
    let items = c.at("textDocument/completion", uri, 3, 29);
    let upper = items
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["label"] == "uppercase")
        .cloned()
        .unwrap_or_else(|| panic!("uppercase is offered: {items}"));
    assert_eq!(
        upper["textEdit"]["range"]["start"],
        json!({"line": 3, "character": 27})
    );
    let hover = c.at("textDocument/hover", uri, 6, 33);
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    let spec = tarn_lang::Env::standard().method("string").expect("string");
    assert!(shown.contains(spec.doc), "{hover}");
}

#[test]
fn a_sample_input_gives_inlay_hints_and_hover_values() {
    let mut c = Client::start();
    let uri = "file:///tmp/sample.blobl";
    let text = "#!input {\"a\": 2, \"name\": \"ann\"}\nroot.b = this.a * 10\nroot.who = this.name.uppercase()\n";
    let diags = c.open(uri, "bloblang", text);
    assert_eq!(diags, Vec::<Value>::new());
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}}),
    );
    let hints = hints.as_array().expect("hints");
    assert_eq!(hints.len(), 2, "{hints:?}");
    assert_eq!(hints[0]["position"], json!({"line": 1, "character": 20}));
    assert_eq!(hints[0]["label"], "⇒ {\"b\":20}");
    assert_eq!(hints[1]["label"], "⇒ {\"b\":20,\"who\":\"ANN\"}");
    let hover = c.at("textDocument/hover", uri, 2, 17);
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    assert!(shown.contains("\"ann\""), "{shown}");
    // A runtime error with the sample shows as information.
    let broken = format!("{text}root.c = this.missing.uppercase()\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let diags = c.diagnostics(uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["severity"], 3, "{diags:?}");
    assert_eq!(range(&diags[0]).0, 3, "{diags:?}");
}

#[test]
fn maps_references_symbols_and_variable_completion() {
    let mut c = Client::start();
    let uri = "file:///tmp/maps.blobl";
    let text = "map greet {\n  root = \"hi \" + this\n}\nlet who = this.name\nroot.a = $who.apply(\"greet\")\nroot.b = $w\n";
    let diags = c.open(uri, "bloblang", text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`$w`")),
        "{diags:?}"
    );
    // The map's definition from the name inside `apply("…")`.
    let def = c.at("textDocument/definition", uri, 4, 22);
    assert_eq!(range(&def), (0, 4, 0, 9), "{def}");
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 5}, "context": {"includeDeclaration": true}}),
    );
    let mut refs: Vec<_> = refs
        .as_array()
        .expect("locations")
        .iter()
        .map(range)
        .collect();
    refs.sort();
    assert_eq!(refs, vec![(0, 4, 0, 9), (4, 21, 4, 26)]);
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["greet", "who"]);
    let items = c.at("textDocument/completion", uri, 5, 11);
    let labels: Vec<&str> = items
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert_eq!(labels, ["who"]);
}
