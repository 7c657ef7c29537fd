//! `parse_json`, `format_json`, `parse_yaml` and `format_yaml`.

use super::encoding::recv_bytes;
use super::yaml;
use crate::error::{Error, Result};
use crate::stdlib::{Category, Default, Example, Expect::*, Impl, Kind, Param, Spec, Status};
use crate::value::{JsonStyle, NumberMode, Value, parse_json_prefix, to_json};
use crate::vm::Call;

/// The entries of this module.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "parse_json",
        params: &[Param::opt("use_number", Kind::Bool)
            .doc("Keep numbers as their JSON text instead of reading them as float64.")],
        category: Category::Parsing,
        doc: "Parses the first JSON value of a string or byte array (anything after it is ignored).",
        examples: &[
            Example {
                mapping: r#"root.doc = this.doc.parse_json()"#,
                cases: &[
                    (
                        r#"{"doc":"{\"foo\":\"bar\"}"}"#,
                        Out(r#"{"doc":{"foo":"bar"}}"#),
                    ),
                    (
                        r#"{"doc":"{\"foo\""}"#,
                        Fails("failed to parse value as JSON: unexpected EOF"),
                    ),
                ],
            },
            Example {
                mapping: r#"root.doc = this.doc.parse_json(use_number: true)"#,
                cases: &[(
                    r#"{"doc":"{\"foo\":\"11380878173205700000000000000000000000000000000\"}"}"#,
                    Out(r#"{"doc":{"foo":"11380878173205700000000000000000000000000000000"}}"#),
                )],
            },
        ],
        imp: Impl::Method(parse_json),
        ..Spec::METHOD
    },
    Spec {
        name: "format_json",
        params: &[
            Param::with("indent", Kind::Str, Default::Str("    "))
                .doc("The indentation of each nesting level."),
            Param::with("no_indent", Kind::Bool, Default::Bool(false))
                .doc("Write compact JSON on one line."),
            Param::with("escape_html", Kind::Bool, Default::Bool(true))
                .doc("Escape `<`, `>` and `&` inside strings."),
        ],
        category: Category::Parsing,
        status: Status::Beta,
        doc: "Serialises a value as JSON bytes with sorted keys, pretty-printed by default.",
        examples: &[
            Example {
                mapping: r#"root = this.doc.format_json()"#,
                cases: &[(
                    r#"{"doc":{"foo":"bar"}}"#,
                    Out("{\n    \"foo\": \"bar\"\n}"),
                )],
            },
            Example {
                mapping: r#"root = this.format_json("  ")"#,
                cases: &[(
                    r#"{"doc":{"foo":"bar"}}"#,
                    Out("{\n  \"doc\": {\n    \"foo\": \"bar\"\n  }\n}"),
                )],
            },
            Example {
                mapping: r#"root = this.doc.format_json(no_indent: true)"#,
                cases: &[(r#"{"doc":{"foo":"bar"}}"#, Out(r#"{"foo":"bar"}"#))],
            },
            Example {
                mapping: r#"root = this.doc.format_json()"#,
                cases: &[(
                    r#"{"doc":{"email":"foo&bar@benthos.dev","name":"foo>bar"}}"#,
                    Out(
                        "{\n    \"email\": \"foo\\u0026bar@benthos.dev\",\n    \"name\": \"foo\\u003ebar\"\n}",
                    ),
                )],
            },
            Example {
                mapping: r#"root = this.doc.format_json(escape_html: false)"#,
                cases: &[(
                    r#"{"doc":{"email":"foo&bar@benthos.dev","name":"foo>bar"}}"#,
                    Out("{\n    \"email\": \"foo&bar@benthos.dev\",\n    \"name\": \"foo>bar\"\n}"),
                )],
            },
        ],
        imp: Impl::Method(format_json),
        ..Spec::METHOD
    },
    Spec {
        name: "parse_yaml",
        category: Category::Parsing,
        doc: "Parses a string or byte array as a single YAML document.",
        examples: &[Example {
            mapping: r#"root.doc = this.doc.parse_yaml()"#,
            cases: &[
                (r#"{"doc":"foo: bar"}"#, Out(r#"{"doc":{"foo":"bar"}}"#)),
                (
                    r#"{"doc":"a: 1\nb: [true, 0x1f, 1.5, null, \"2\"]\nc: yes"}"#,
                    Out(r#"{"doc":{"a":1,"b":[true,31,1.5,null,"2"],"c":"yes"}}"#),
                ),
            ],
        }],
        imp: Impl::Method(parse_yaml),
        ..Spec::METHOD
    },
    Spec {
        name: "format_yaml",
        category: Category::Parsing,
        doc: "Serialises a value as YAML bytes (sorted keys, four-space indentation).",
        examples: &[
            Example {
                mapping: r#"root = this.doc.format_yaml()"#,
                cases: &[
                    (r#"{"doc":{"foo":"bar"}}"#, Out("foo: bar\n")),
                    (
                        r#"{"doc":{"b":[1,"2",{"c":true}],"a":"x\ny"}}"#,
                        Out("a: |-\n    x\n    y\nb:\n    - 1\n    - \"2\"\n    -   c: true\n"),
                    ),
                ],
            },
            Example {
                mapping: r#"root.doc = this.doc.format_yaml()"#,
                cases: &[(r#"{"doc":{"foo":"bar"}}"#, Out(r#"{"doc":"Zm9vOiBiYXIK"}"#))],
            },
        ],
        imp: Impl::Method(format_yaml),
        ..Spec::METHOD
    },
];

fn parse_json(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let mode = if call.bool(0) {
        NumberMode::Preserve
    } else {
        NumberMode::Float64
    };
    let data = recv_bytes(&recv)?;
    let fail = |m: &str| Error::msg(format!("failed to parse value as JSON: {m}"));
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail("EOF"));
    }
    match parse_json_prefix(data, mode) {
        Ok((v, _)) => Ok(v),
        Err(e) if e.message == "unexpected end of JSON input" => Err(fail("unexpected EOF")),
        Err(e) => Err(fail(&e.message)),
    }
}

fn format_json(call: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let indent = call.str(0).to_string();
    let style = JsonStyle {
        escape_html: call.bool(2),
        indent: if call.bool(1) {
            None
        } else {
            Some(indent.as_str())
        },
    };
    let out = to_json(&recv, style).map_err(|e| Error::msg(e.0))?;
    Ok(Value::Bytes(out.into_bytes().into()))
}

fn parse_yaml(_: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    let data = recv_bytes(&recv)?;
    let text = std::str::from_utf8(data).map_err(|_| {
        Error::msg("failed to parse value as YAML: yaml: invalid leading UTF-8 octet")
    })?;
    yaml::parse(text).map_err(|e| Error::msg(format!("failed to parse value as YAML: {e}")))
}

fn format_yaml(_: &mut Call<'_, '_>, recv: Value) -> Result<Value> {
    Ok(Value::Bytes(yaml::format(&recv).into_bytes().into()))
}
