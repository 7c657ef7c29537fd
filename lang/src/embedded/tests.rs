use super::*;
use proptest::prelude::*;

/// Every source offset (every byte when `every_byte`, else every char
/// boundary) maps into the YAML and back to itself, and every source
/// character that is not folded whitespace sits at its YAML offset.
fn assert_exact(yaml: &str, e: &Embedded, every_byte: bool) {
    assert!(e.exact, "{e:?}");
    for i in 0..=e.source.len() {
        if !every_byte && !e.source.is_char_boundary(i) {
            continue;
        }
        let y = e.to_yaml(i);
        assert!(y <= yaml.len(), "offset {i} maps past the file");
        assert_eq!(
            e.from_yaml(y),
            Some(i),
            "round trip of {i} via {y} in {e:?}"
        );
    }
    for (i, c) in e.source.char_indices() {
        if c == '\n' || c == ' ' {
            continue;
        }
        assert!(
            yaml[e.to_yaml(i)..].starts_with(c),
            "source char {c:?} at {i} maps to {:?}",
            &yaml[e.to_yaml(i)..]
        );
    }
}

fn only(yaml: &str) -> Embedded {
    let mut found = find(yaml);
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

#[test]
fn plain_scalar_in_a_processor_list() {
    let yaml = "pipeline:\n  processors:\n    - mapping: root = this.a.uppercase()\n";
    let e = only(yaml);
    assert_eq!(e.kind, EmbeddedKind::Mapping);
    assert_eq!(e.field, "pipeline.processors.0.mapping");
    assert_eq!(e.source, "root = this.a.uppercase()");
    assert_eq!(e.to_yaml(0), yaml.find("root").expect("root"));
    assert_exact(yaml, &e, true);
    assert_eq!(e.from_yaml(0), None);
    assert_eq!(e.from_yaml(yaml.len()), None);
}

#[test]
fn multi_line_plain_scalar_folds() {
    let yaml =
        "mapping: root.a = this.a\n  .uppercase()\n\n  \t.lowercase()  \n  # a comment\nnext: 1\n";
    let e = only(yaml);
    assert_eq!(e.source, "root.a = this.a .uppercase()\n.lowercase()");
    assert_exact(yaml, &e, true);
}

#[test]
fn single_quoted_scalars() {
    let yaml = "mapping: 'root = this.a'\nx:\n  mutation: 'root.b = \"it''s\"'  # note\n";
    let found = find(yaml);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].source, "root = this.a");
    assert_exact(yaml, &found[0], true);
    assert_eq!(found[1].field, "x.mutation");
    assert_eq!(found[1].source, "root.b = \"it's\"");
    assert_exact(yaml, &found[1], false);
    // Both bytes of `''` lead to the one quote.
    let q = yaml.find("''").expect("quote");
    assert_eq!(
        found[1].from_yaml(q),
        Some(found[1].source.find('\'').expect("q"))
    );
}

#[test]
fn double_quoted_scalars() {
    let yaml = "check: \"this.a == 1\"\nmapping: \"root = \\\"x\\\"\\nroot.b = \\u00e9\\t1\"\n";
    let found = find(yaml);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].source, "this.a == 1");
    assert_exact(yaml, &found[0], true);
    let e = &found[1];
    assert_eq!(e.source, "root = \"x\"\nroot.b = é\t1");
    assert!(e.exact);
    for i in (0..=e.source.len()).filter(|&i| e.source.is_char_boundary(i)) {
        assert_eq!(e.from_yaml(e.to_yaml(i)), Some(i), "{i}");
    }
    // An escape's decoded character maps onto its backslash.
    let b = e.source.find('é').expect("é");
    assert!(yaml[e.to_yaml(b)..].starts_with("\\u00e9"));
    let r = e.source.find("root.b").expect("second line");
    assert!(yaml[e.to_yaml(r)..].starts_with("root.b"));
}

#[test]
fn multi_line_quoted_scalars() {
    let yaml = "mapping: \"root = \n   this.a \\\n  .b\n\n  \"\nbloblang: 'a\n\n   b '\n";
    let found = find(yaml);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].source, "root = this.a .b\n");
    assert_exact(yaml, &found[0], true);
    assert_eq!(found[1].source, "a\nb ");
    assert_exact(yaml, &found[1], true);
}

#[test]
fn literal_blocks_with_every_chomping_and_indentation() {
    for header in ["|", "|-", "|+", "|2", "|4-"] {
        for indent in [2usize, 4, 7] {
            if let Some(d) = header.chars().nth(1).and_then(|c| c.to_digit(10))
                && d as usize != indent
            {
                continue;
            }
            let pad = " ".repeat(indent);
            let yaml = format!(
                "pipeline:\n  processors:\n    - switch:\n        - check: this.x\n          processors:\n            - bloblang: {header}\n{pad}              root = this\n\n{pad}              # keep\n{pad}                root.deep = 1  \n\n\n    - mapping: x\n"
            );
            let found = find(&yaml);
            assert_eq!(found.len(), 3, "{header} {indent}: {found:?}");
            assert_eq!(found[0].field, "pipeline.processors.0.switch.0.check");
            let e = &found[1];
            assert_eq!(
                e.field,
                "pipeline.processors.0.switch.0.processors.0.bloblang"
            );
            let body = "root = this\n\n# keep\n  root.deep = 1  ";
            let want = match header {
                "|+" => format!("{body}\n\n\n"),
                "|-" | "|4-" => body.to_string(),
                _ => format!("{body}\n"),
            };
            assert_eq!(e.source, want, "{header} {indent}");
            assert_exact(&yaml, e, true);
            assert_eq!(found[2].field, "pipeline.processors.1.mapping");
        }
    }
}

#[test]
fn literal_block_after_anchor_and_leading_blank_lines() {
    let yaml =
        "a:\n  mapping: &m |\n\n    root = 1\n    root.b = 2\nb:\n  mapping: |\n\n\n    root = 3\n";
    let found = find(yaml);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].source, "\nroot = 1\nroot.b = 2\n");
    assert_exact(yaml, &found[0], true);
    assert_eq!(found[1].source, "\n\nroot = 3\n");
    assert_exact(yaml, &found[1], true);
}

#[test]
fn folded_blocks_map_line_by_line() {
    let yaml = "mapping: >\n  root = this\n  .a\n\n  root.b =\n     1\n  root.c = 2\n";
    let e = only(yaml);
    assert_eq!(e.source, "root = this .a\nroot.b =\n   1\nroot.c = 2\n");
    assert_exact(yaml, &e, true);
}

#[test]
fn interpolations_in_headers_and_paths() {
    let yaml = r#"output:
  http_client:
    url: 'http://x/${! meta("id") }/y/${! this.n + 1}'
    headers:
      X-A: '${! {"b": {"c": 1}}.b.c } and ${ENV} and ${! "}" }'
      X-B: ${HOST:localhost}
    path: "/${! json(\"p\").or(\"}\") }"
  check: not scanned ${! x }
"#;
    let found = find(yaml);
    let fields: Vec<_> = found
        .iter()
        .map(|e| (e.field.as_str(), e.source.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("output.http_client.url", r#" meta("id") "#),
            ("output.http_client.url", " this.n + 1"),
            ("output.http_client.headers.X-A", r#" {"b": {"c": 1}}.b.c "#),
            ("output.http_client.headers.X-A", r#" "}" "#),
            ("output.http_client.path", r#" json("p").or("}") "#),
            ("output.check", "not scanned ${! x }"),
        ]
    );
    for e in &found[..4] {
        assert_eq!(e.kind, found[0].kind);
        assert!(e.closed);
        assert_exact(yaml, e, true);
        assert!(yaml[e.yaml_range.clone()].starts_with("${!"));
        assert!(yaml[e.yaml_range.clone()].ends_with('}'));
    }
    assert_eq!(found[0].kind, EmbeddedKind::Interpolation);
    assert_eq!(found[5].kind, EmbeddedKind::Mapping);
    // Escaped quotes map onto their escapes.
    let p = &found[4];
    let q = p.source.find("\"p\"").expect("p");
    assert!(yaml[p.to_yaml(q)..].starts_with("\\\"p\\\""));
}

#[test]
fn escaped_and_unclosed_interpolations() {
    let found = find("a: ${{! not this }} ${! this.b\nc: [\"${! 1 }\", x]\n");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].source, " this.b");
    assert!(!found[0].closed);
    assert_eq!(found[1].field, "c.0");
    assert_eq!(found[1].source, " 1 ");
}

#[test]
fn crlf_line_endings() {
    let yaml = "pipeline:\r\n  processors:\r\n    - mapping: |\r\n        root = 1\r\n\r\n        root.b = 2\r\n    - mutation: root.c =\r\n        3\r\n    - bloblang: \"a\r\n       b\"\r\n    - log:\r\n        message: '${! 4 }'\r\n";
    let found = find(yaml);
    let sources: Vec<_> = found.iter().map(|e| e.source.as_str()).collect();
    assert_eq!(
        sources,
        vec!["root = 1\n\nroot.b = 2\n", "root.c = 3", "a b", " 4 "]
    );
    for e in &found {
        assert_exact(yaml, e, true);
    }
    // A decoded line break sits on the CR of its CRLF.
    assert_eq!(&yaml[found[0].to_yaml(8)..][..2], "\r\n");
}

#[test]
fn tabs_are_content_or_separation() {
    let yaml = "mapping:\t\"root =\tthis\"\nmutation: |\n  root.a = \"\t\"\t\n\troot: 1\n";
    let found = find(yaml);
    assert!(found.len() >= 2, "{found:?}");
    assert_eq!(found[0].source, "root =\tthis");
    assert_exact(yaml, &found[0], true);
    assert_eq!(found[1].source, "root.a = \"\t\"\t\n");
    assert_exact(yaml, &found[1], true);
}

#[test]
fn non_ascii_text_before_and_inside() {
    let yaml =
        "naïve_ключ: 日本\nmapping: |\n  root.s = \"héllo ✓\" # ünïcode\nx: '→ ${! \"ü\" }'\n";
    let found = find(yaml);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].source, "root.s = \"héllo ✓\" # ünïcode\n");
    assert_exact(yaml, &found[0], true);
    assert_eq!(found[1].source, " \"ü\" ");
    assert_exact(yaml, &found[1], true);
}

#[test]
fn values_that_are_not_scalars_or_are_keys_are_skipped() {
    let yaml = "mapping: {a: 1}\ncheck: [x]\n? mapping\n: ok\n? {mapping: inner}\n: y\nempty:\n  mapping:\n";
    let found = find(yaml);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].source, "ok");
}

#[test]
fn invalid_yaml_returns_what_came_before() {
    let found = find("mapping: root = 1\nbad: [unclosed\n  mutation: x\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].source, "root = 1");
    assert!(find("\"").is_empty());
    assert!(find("").is_empty());
    let deep = "[".repeat(50_000);
    assert!(find(&deep).is_empty());
}

#[test]
fn approximate_mapping_is_flagged_and_bounded() {
    // An explicit indentation indicator after a tag: traced line by line.
    let yaml = "x:\n  mapping: !!str |4\n        root = 1\n      root.b = 2\n";
    for e in find(yaml) {
        for i in 0..=e.source.len() {
            assert!(e.to_yaml(i) <= yaml.len());
        }
        for y in 0..=yaml.len() {
            if let Some(i) = e.from_yaml(y) {
                assert!(i <= e.source.len());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_exact_maps_round_trip(
        parts in proptest::collection::vec(prop_oneof![
            Just("mapping: "), Just("check: "), Just("\n"), Just("\r\n"), Just("  "), Just("\t"),
            Just("- "), Just("|"), Just("|-"), Just(">"), Just("'"), Just("\""), Just("\\"),
            Just("${! "), Just("}"), Just("{"), Just("a"), Just("é"), Just("#"), Just(": "),
            Just("&x "), Just("!!str "), Just("root = this"), Just("''"), Just("\\n"),
        ], 0..40)
    ) {
        let yaml: String = parts.concat();
        for e in find(&yaml) {
            for i in 0..=e.source.len() {
                prop_assert!(e.to_yaml(i) <= yaml.len());
                // A line break the parser adds at the end of the file has
                // no YAML byte of its own.
                let phantom = e.to_yaml(i) >= yaml.len() && i < e.source.len();
                if e.exact && e.source.is_char_boundary(i) && !phantom {
                    prop_assert_eq!(e.from_yaml(e.to_yaml(i)), Some(i));
                }
            }
            for y in 0..=yaml.len() {
                if let Some(i) = e.from_yaml(y) {
                    prop_assert!(i <= e.source.len());
                }
            }
        }
    }
}

#[test]
fn block_at_end_of_file_without_a_line_break() {
    // The parser adds the clipped final line break; it has no YAML byte,
    // so it maps to the end of the file.
    let yaml = "#\nmapping: |\n  root = 1";
    let e = only(yaml);
    assert_eq!(e.source, "root = 1\n");
    assert!(e.exact);
    assert_eq!(e.to_yaml(8), yaml.len());
    assert_eq!(e.to_yaml(9), yaml.len());
    for i in 0..8 {
        assert_eq!(e.from_yaml(e.to_yaml(i)), Some(i));
    }
    let e = only("mapping: >\n  \t");
    assert_eq!(e.source, "\t\n");
}

#[test]
fn flow_collections_documents_and_block_headers_with_comments() {
    let yaml = "---\nout: {mapping: root = 1, \"check\": 'this.a', url: \"x${! 2 }\"}\n---\nlog:\n  message: |  # a comment\n    hi ${! this.x }\n    and ${! [1, {\"a\": 2}] }\n  level: >-\n    ${! \"up\" }\n    there\n";
    let found = find(yaml);
    let got: Vec<_> = found
        .iter()
        .map(|e| (e.field.as_str(), e.source.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("out.mapping", "root = 1"),
            ("out.check", "this.a"),
            ("out.url", " 2 "),
            ("log.message", " this.x "),
            ("log.message", " [1, {\"a\": 2}] "),
            ("log.level", " \"up\" "),
        ]
    );
    for e in &found {
        assert_exact(yaml, e, true);
    }
}

#[test]
fn a_schema_decides_which_fields_hold_bloblang() {
    let yaml = "input:\n  generate:\n    script: root = 1\nout:\n  note: 'a ${! id } b'\n  url: 'x/${! id }'\n  check: this.ok\n  other: 'a ${! meta(\"k\") }'\n";
    let classify = |steps: &[Step<'_>]| match steps {
        [
            Step::Key("input"),
            Step::Key("generate"),
            Step::Key("script"),
        ] => Some(FieldKind::Mapping),
        [Step::Key("out"), Step::Key("note")] => Some(FieldKind::Plain),
        [Step::Key("out"), Step::Key("url")] => Some(FieldKind::Interpolated),
        [Step::Key("out"), Step::Key("check")] => Some(FieldKind::Plain),
        _ => None,
    };
    let found = find_with(yaml, &classify);
    let seen: Vec<(&str, EmbeddedKind, &str)> = found
        .iter()
        .map(|e| (e.field.as_str(), e.kind, e.source.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("input.generate.script", EmbeddedKind::Mapping, "root = 1"),
            ("out.url", EmbeddedKind::Interpolation, " id "),
            // A mapping key typed as plain text is still a mapping.
            ("out.check", EmbeddedKind::Mapping, "this.ok"),
            // Where the schema says nothing, the key names decide.
            ("out.other", EmbeddedKind::Interpolation, " meta(\"k\") "),
        ]
    );
    assert_exact(yaml, &found[0], true);
    // Without a schema, the plain `note` is taken for an interpolation
    // and `script` is not a mapping.
    let plain: Vec<String> = find(yaml).into_iter().map(|e| e.field).collect();
    assert_eq!(plain, ["out.note", "out.url", "out.check", "out.other"]);
}

#[test]
fn list_items_are_index_steps() {
    let yaml = "a:\n  - x: 1\n  - m: root = 2\n";
    let classify = |steps: &[Step<'_>]| {
        (steps == [Step::Key("a"), Step::Index(1), Step::Key("m")]).then_some(FieldKind::Mapping)
    };
    let found = find_with(yaml, &classify);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].field, "a.1.m");
}
