//! Tests of the diagnostics and of definitions and uses.

use super::*;

/// The span of the `nth` occurrence (0-based) of `needle` in `src`.
pub(super) fn at(src: &str, needle: &str, nth: usize) -> Span {
    let start = src
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .expect("needle in source");
    Span::new(start, start + needle.len())
}

fn summary(a: &Analysis) -> Vec<(Span, Severity, String)> {
    a.diagnostics
        .iter()
        .map(|d| (d.span, d.severity, d.message.clone()))
        .collect()
}

#[test]
fn clean_mapping_has_no_diagnostics() {
    let src = "let n = this.name\nmap tidy {\n  let t = this.trim()\n  root = $t\n}\nroot.n = $n.apply(\"tidy\")\n";
    let a = analyze(src);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
}

#[test]
fn every_syntax_error_is_reported() {
    let src = "root.a = )\nroot.b = 1\nroot.c = ]\nroot.d = 2 2";
    let parsed = tarn_syntax::parse(src);
    let a = analyze(src);
    assert!(parsed.errors.len() >= 3, "{:?}", parsed.errors);
    let syntax: Vec<Span> = parsed.errors.iter().map(|e| e.span).collect();
    for s in syntax {
        assert!(a.diagnostics.iter().any(|d| d.span == s), "{s:?}");
    }
}

#[test]
fn compiler_errors_are_reused_with_suggestions() {
    let src = "root.a = this.name.upercase()\nroot.b = nowz()";
    let a = analyze(src);
    let d = summary(&a);
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0].0, at(src, "upercase", 0));
    assert!(d[0].2.contains("did you mean `uppercase`"), "{}", d[0].2);
    assert_eq!(d[1].0, at(src, "nowz", 0));
    assert!(d[1].2.contains("did you mean `now`"), "{}", d[1].2);
}

#[test]
fn compiler_checks_literal_arguments() {
    let src = "root = \"a\".replace_all(\"b\")";
    let a = analyze(src);
    assert_eq!(a.diagnostics.len(), 1, "{:?}", a.diagnostics);
    assert!(a.diagnostics[0].message.contains("missing parameter"));
}

#[test]
fn semantic_errors_show_beside_syntax_errors_without_duplicates() {
    let src = "root.a = nosuchfn()\nroot.b = (\nroot.c = 1";
    let a = analyze(src);
    assert!(
        a.diagnostics.iter().any(
            |d| d.span == at(src, "nosuchfn", 0) && d.message.contains("unrecognised function")
        ),
        "{:?}",
        a.diagnostics
    );
    let mut seen = a.diagnostics.clone();
    seen.dedup();
    assert_eq!(seen.len(), a.diagnostics.len());
    assert!(a.diagnostics.windows(2).all(|w| w[0].span <= w[1].span));
}

#[test]
fn undefined_variable_with_suggestion() {
    let src = "let name = this.n\nroot = $nmae";
    let a = analyze(src);
    assert_eq!(
        summary(&a),
        vec![
            (
                at(src, "name", 0),
                Severity::Warning,
                "variable `name` is never used".to_string()
            ),
            (
                at(src, "$nmae", 0),
                Severity::Error,
                "undefined variable `$nmae`, did you mean `$name`?".to_string()
            ),
        ]
    );
    assert_eq!(a.references[0].span, at(src, "nmae", 0));
    assert_eq!(a.references[0].target, None);
}

#[test]
fn unused_let_warns() {
    let src = "let x = 1\nroot = 2";
    assert_eq!(
        summary(&analyze(src)),
        vec![(
            Span::new(4, 5),
            Severity::Warning,
            "variable `x` is never used".to_string()
        )]
    );
}

#[test]
fn let_used_before_definition() {
    let src = "root = $x\nlet x = 1";
    let a = analyze(src);
    assert_eq!(
        summary(&a),
        vec![(
            Span::new(7, 9),
            Severity::Error,
            "variable `x` is used before its `let`".to_string()
        )]
    );
    assert_eq!(a.references[0].target, Some(0));
}

#[test]
fn let_inside_if_is_visible_afterwards() {
    let src = "if this.a {\n  let x = 1\n} else {\n  let x = 2\n}\nroot = $x";
    let a = analyze(src);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    assert_eq!(a.references[0].target, Some(1));
    assert_eq!(a.occurrences(0).len(), 3);
}

#[test]
fn map_bodies_have_their_own_variables() {
    let src = "let x = 1\nmap m {\n  let inner = this\n  root = $x\n}\nroot = $inner.apply(\"m\")";
    let a = analyze(src);
    let d = summary(&a);
    assert_eq!(d.len(), 4, "{d:?}");
    assert_eq!(d[0].0, at(src, "x", 0));
    assert_eq!(d[0].2, "variable `x` is never used");
    assert_eq!(d[1].0, at(src, "inner", 0));
    assert_eq!(d[1].2, "variable `inner` is never used");
    assert_eq!(d[2].0, at(src, "$x", 0));
    assert_eq!(
        d[2].2,
        "undefined variable `$x` (variables of the mapping are not visible inside a `map`)"
    );
    assert_eq!(d[3].0, at(src, "$inner", 0));
    assert_eq!(d[3].2, "undefined variable `$inner`");
    assert_eq!(a.symbols[2].scope, Some(1));
}

#[test]
fn unknown_map_with_suggestion() {
    let src = "map greet {\n  root = 1\n}\nroot.a = this.apply(\"gret\")\nroot.b = this.apply(mapping: \"greet\")";
    let a = analyze(src);
    assert_eq!(
        summary(&a),
        vec![(
            at(src, "gret", 0),
            Severity::Error,
            "unknown map `gret`, did you mean `greet`?".to_string()
        )]
    );
    assert_eq!(a.references[1].target, Some(0));
}

#[test]
fn maps_are_usable_before_their_definition() {
    let src = "root = this.apply(\"m\")\nmap m {\n  root = 1\n}";
    let a = analyze(src);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    assert_eq!(a.references[0].kind, SymbolKind::Map);
    assert_eq!(a.references[0].target, Some(0));
    assert_eq!(a.references[0].span, at(src, "m", 0));
}

#[test]
fn failed_import_turns_the_map_check_off() {
    let src = "import \"/nonexistent/tarn-analysis.blobl\"\nroot = this.apply(\"anything\")";
    let a = analyze(src);
    assert_eq!(a.imports.len(), 1);
    assert_eq!(a.imports[0].0, "/nonexistent/tarn-analysis.blobl");
    assert_eq!(
        a.imports[0].1,
        at(src, "/nonexistent/tarn-analysis.blobl", 0)
    );
    assert_eq!(a.diagnostics.len(), 1, "{:?}", a.diagnostics);
    assert!(a.diagnostics[0].message.contains("failed to read import"));
}

#[test]
fn imported_maps_are_known() {
    let dir = std::env::temp_dir().join(format!("tarn-analysis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("lib.blobl"),
        "map shout {\n  root = this.uppercase()\n}\n",
    )
    .expect("write import");
    let src = "import \"lib.blobl\"\nroot.a = this.apply(\"shout\")\nroot.b = this.apply(\"shot\")";
    let a = analyze_in(src, Some(&dir));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        summary(&a),
        vec![(
            at(src, "shot", 0),
            Severity::Error,
            "unknown map `shot`, did you mean `shout`?".to_string()
        )]
    );
    assert_eq!(a.references[0].target, None);
}

/// The span of the name in the `nth` occurrence of `prefix` + name.
fn name_after(src: &str, prefix: &str, name: &str, nth: usize) -> Span {
    let whole = at(src, &format!("{prefix}{name}"), nth);
    let start = whole.start as usize + prefix.len();
    Span::new(start, start + name.len())
}

#[test]
fn symbols_and_references_resolve() {
    let src = "let a = 1\nlet a = $a + 1\nmap \"m\" {\n  root = this\n}\nroot.x = $a\nroot.y = this.apply(\"m\")";
    let a = analyze(src);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let def = |n| name_after(src, "let ", "a", n);
    let var = |n| name_after(src, "$", "a", n);
    let map_def = name_after(src, "map \"", "m", 0);
    let map_use = name_after(src, "apply(\"", "m", 0);
    let kinds: Vec<(SymbolKind, &str, Span)> = a
        .symbols
        .iter()
        .map(|s| (s.kind, s.name.as_str(), s.span))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (SymbolKind::Variable, "a", def(0)),
            (SymbolKind::Variable, "a", def(1)),
            (SymbolKind::Map, "m", map_def),
        ]
    );
    assert_eq!(a.symbols[0].full_span, at(src, "let a = 1", 0));
    assert_eq!(
        a.symbols[2].full_span.end as usize,
        at(src, "}", 0).end as usize
    );
    let refs: Vec<(SymbolKind, Span, Option<usize>)> = a
        .references
        .iter()
        .map(|r| (r.kind, r.span, r.target))
        .collect();
    assert_eq!(
        refs,
        vec![
            (SymbolKind::Variable, var(0), Some(0)),
            (SymbolKind::Variable, var(1), Some(1)),
            (SymbolKind::Map, map_use, Some(2)),
        ]
    );
    // Renaming either `let a` changes both lets and both uses.
    let all_a = vec![def(0), def(1), var(0), var(1)];
    let mut sorted = all_a.clone();
    sorted.sort();
    assert_eq!(a.occurrences(0), sorted);
    assert_eq!(a.occurrences(1), sorted);
    assert_eq!(a.occurrences(2), vec![map_def, map_use]);
    assert!(a.occurrences(99).is_empty());
    // symbol_at: on a definition, on a use, just after a use, elsewhere.
    assert_eq!(a.symbol_at(def(0).start as usize), Some(0));
    assert_eq!(a.symbol_at(var(1).start as usize), Some(1));
    assert_eq!(a.symbol_at(var(1).end as usize), Some(1));
    assert_eq!(a.symbol_at(map_use.start as usize), Some(2));
    assert_eq!(a.symbol_at(0), None);
}

#[test]
fn from_statement_is_reported_and_exposed() {
    let src = "from \"/nonexistent/tarn-analysis-from.blobl\"";
    let a = analyze(src);
    assert_eq!(
        a.from,
        Some((
            "/nonexistent/tarn-analysis-from.blobl".to_string(),
            at(src, "/nonexistent/tarn-analysis-from.blobl", 0)
        ))
    );
    assert_eq!(a.diagnostics.len(), 1, "{:?}", a.diagnostics);
    assert!(a.diagnostics[0].message.contains("failed to read import"));
}

#[test]
fn same_variable_name_in_two_maps_renames_separately() {
    let src = "map a {\n  let v = this\n  root = $v\n}\nmap b {\n  let v = this\n  root = $v\n}\nroot = this.apply(\"a\").apply(\"b\")";
    let a = analyze(src);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let first = a.symbol_at(at(src, "$v", 0).end as usize).expect("first v");
    let second = a
        .symbol_at(at(src, "$v", 1).end as usize)
        .expect("second v");
    assert_ne!(first, second);
    assert_eq!(
        a.occurrences(first),
        vec![
            at(src, "v =", 0).start as usize,
            at(src, "$v", 0).start as usize + 1
        ]
        .into_iter()
        .map(|s| Span::new(s, s + 1))
        .collect::<Vec<_>>()
    );
    assert_eq!(a.occurrences(second).len(), 2);
}
