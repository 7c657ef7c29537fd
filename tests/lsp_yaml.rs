//! End-to-end tests of `tarn lsp` on YAML configs: lint diagnostics,
//! completion and hover of components and fields, all from the runtime's
//! component registry, through the real binary over stdio.

mod lsp_client;

use lsp_client::{Client, range};
use serde_json::Value;
use tarn_runtime::component::{Kind, Registry};
use tarn_runtime::config::shape::Field;

fn message(d: &Value) -> &str {
    d["message"].as_str().unwrap_or_default()
}

fn labels(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .expect("a list of items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect()
}

fn item<'v>(items: &'v Value, label: &str) -> &'v Value {
    items
        .as_array()
        .expect("a list of items")
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("`{label}` is offered: {items}"))
}

fn http_server_field(name: &str) -> &'static Field {
    Registry::standard()
        .find(Kind::Input, "http_server")
        .expect("the http_server input")
        .shape()
        .fields()
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("http_server has `{name}`"))
}

#[test]
fn lint_places_unknown_fields_and_bad_values_and_build_errors() {
    let mut c = Client::start();
    let uri = "file:///tmp/lint.yaml";
    let text = "input:\n  http_server:\n    pathh: /post\noutput:\n  broker:\n    pattern: fan_outt # a typo\n    outputs:\n      - stdout: {}\n";
    let diags = c.open(uri, "yaml", text);
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(range(&diags[0]), (2, 4, 2, 9), "{diags:?}");
    assert!(
        message(&diags[0]).contains("unknown field `pathh`; did you mean `path`?"),
        "{diags:?}"
    );
    assert_eq!(range(&diags[1]), (5, 13, 5, 21), "{diags:?}");
    assert!(
        message(&diags[1]).contains("`fan_outt` is not one of")
            && message(&diags[1]).contains("did you mean `fan_out`?"),
        "{diags:?}"
    );
    assert_eq!(diags[1]["source"], "tarn lint");

    // Fixed: nothing left.
    let fixed = text.replace("pathh", "path").replace("fan_outt", "fan_out");
    assert_eq!(c.change(uri, 2, &fixed), Vec::<Value>::new());

    // A build error: a resource nobody declared.
    let text = "pipeline:\n  processors:\n    - resource: nope\n";
    let diags = c.change(uri, 3, text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(range(&diags[0]), (2, 16, 2, 20), "{diags:?}");
    assert!(message(&diags[0]).contains("`nope`"), "{diags:?}");

    // A Bloblang error is reported once, by the Bloblang analysis.
    let text = "pipeline:\n  processors:\n    - mapping: root = this.a.nope()\n";
    let diags = c.change(uri, 4, text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["source"], "tarn", "{diags:?}");
}

#[test]
fn yaml_that_is_not_a_config_is_not_linted() {
    let mut c = Client::start();
    let uri = "file:///tmp/workflow.yaml";
    let diags = c.open(
        uri,
        "yaml",
        "name: ci\non:\n  push: {}\njobs:\n  build: {}\n",
    );
    assert_eq!(diags, Vec::<Value>::new());
}

#[test]
fn completion_of_processor_types_fields_and_values() {
    let mut c = Client::start();
    let uri = "file:///tmp/complete.yaml";
    let text = "input:\n  http_server:\n    \npipeline:\n  processors:\n    - \noutput:\n  broker:\n    pattern: \n    outputs: []\n";
    c.open(uri, "yaml", text);

    // Every registered processor type, at a processor list item.
    let items = c.at("textDocument/completion", uri, 5, 6);
    let offered = labels(&items);
    for p in Registry::standard().of_kind(Kind::Processor) {
        assert!(offered.contains(&p.name), "{} in {offered:?}", p.name);
    }
    let mapping = item(&items, "mapping");
    assert_eq!(mapping["textEdit"]["newText"], "mapping: $0");
    assert_eq!(
        mapping["textEdit"]["range"]["start"],
        serde_json::json!({"line": 5, "character": 6})
    );
    let branch = Registry::standard()
        .find(Kind::Processor, "branch")
        .expect("branch");
    assert!(
        item(&items, "branch")["documentation"]["value"]
            .as_str()
            .is_some_and(|d| d.contains(branch.doc)),
        "{items}"
    );

    // Every field of http_server, with its doc and default.
    let items = c.at("textDocument/completion", uri, 2, 4);
    let offered = labels(&items);
    let entry = Registry::standard()
        .find(Kind::Input, "http_server")
        .expect("http_server");
    for f in entry.shape().fields() {
        assert!(
            offered.contains(&f.name.as_str()),
            "{} in {offered:?}",
            f.name
        );
    }
    let path = http_server_field("path");
    let shown = item(&items, "path");
    assert!(
        shown["documentation"]["value"]
            .as_str()
            .is_some_and(|d| d.contains(&path.doc)),
        "{shown}"
    );
    let default = path.default.as_ref().expect("path has a default");
    assert!(
        shown["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&default.to_string())),
        "{shown}"
    );

    // The values of the broker's pattern.
    let items = c.at("textDocument/completion", uri, 8, 13);
    let offered = labels(&items);
    assert!(offered.contains(&"fan_out"), "{offered:?}");
    assert!(offered.contains(&"round_robin"), "{offered:?}");
}

#[test]
fn hover_shows_field_and_component_docs() {
    let mut c = Client::start();
    let uri = "file:///tmp/hover.yaml";
    let text = "input:\n  http_server:\n    path: /in\n    timeout: 5s\n";
    c.open(uri, "yaml", text);
    let hover = c.at("textDocument/hover", uri, 3, 6);
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    let timeout = http_server_field("timeout");
    assert!(shown.contains(&timeout.doc), "{shown}");
    assert!(shown.contains("**timeout**: `duration`"), "{shown}");
    assert_eq!(range(&hover), (3, 4, 3, 11), "{hover}");

    let hover = c.at("textDocument/hover", uri, 1, 4);
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    let entry = Registry::standard()
        .find(Kind::Input, "http_server")
        .expect("http_server");
    assert!(shown.contains(entry.doc), "{shown}");
    assert!(shown.starts_with("**http_server** — input"), "{shown}");
}

#[test]
fn the_registry_decides_which_fields_are_bloblang() {
    let mut c = Client::start();
    let uri = "file:///tmp/fields.yaml";
    // `fields_mapping` is a mapping by type, not by name; the `log`
    // message is an interpolated string.
    let text = "pipeline:\n  processors:\n    - log:\n        message: 'id ${! this.id.nope() }'\n        fields_mapping: root.a = nuh()\n";
    let diags = c.open(uri, "yaml", text);
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(range(&diags[0]).0, 3, "{diags:?}");
    assert_eq!(range(&diags[1]), (4, 33, 4, 36), "{diags:?}");
    assert!(diags.iter().all(|d| d["source"] == "tarn"), "{diags:?}");
    let items = c.at("textDocument/completion", uri, 4, 34);
    assert!(labels(&items).contains(&"now"), "{items}");
}
