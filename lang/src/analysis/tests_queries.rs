//! Tests of the cursor queries, robustness and a large mapping.

use super::tests::at;
use super::*;

/// The span of `needle` without its first and last character.
fn inner(src: &str, needle: &str) -> Span {
    let s = at(src, needle, 0);
    Span::new(s.start as usize + 1, s.end as usize - 1)
}

#[test]
fn nested_calls_and_arguments() {
    let src = "root = this.a.replace_all(\"x\", \"y\".uppercase())";
    let a = analyze(src);
    let names: Vec<(&str, bool)> = a
        .calls
        .iter()
        .map(|c| (c.name.as_str(), c.is_method))
        .collect();
    assert_eq!(names, vec![("replace_all", true), ("uppercase", true)]);
    let ra = &a.calls[0];
    assert_eq!(ra.name_span, at(src, "replace_all", 0));
    assert_eq!(ra.args_span, inner(src, "(\"x\", \"y\".uppercase())"));
    assert_eq!(
        ra.arg_spans,
        vec![at(src, "\"x\"", 0), at(src, "\"y\".uppercase()", 0)]
    );
    assert_eq!(ra.arg_names, vec![None, None]);
    assert_eq!(
        a.calls[1].args_span,
        Span::new(src.len() - 2, src.len() - 2)
    );
    assert!(a.calls[1].arg_spans.is_empty());

    let in_x = at(src, "x", 0).start as usize;
    let call = a.call_at(in_x).expect("call at x");
    assert_eq!(call.name, "replace_all");
    assert_eq!(call.active_arg(in_x), 0);
    let in_y = at(src, "\"y\"", 0).start as usize;
    assert_eq!(a.call_at(in_y).map(|c| c.active_arg(in_y)), Some(1));
    assert_eq!(
        a.call_at(src.len() - 2).map(|c| c.name.as_str()),
        Some("uppercase")
    );
    assert!(a.call_at(3).is_none());
    assert!(a.call_at(src.len()).is_none());
}

#[test]
fn unclosed_calls_are_found_while_typing() {
    let src = "root = now().ts_format(\"2006\", ";
    let a = analyze(src);
    assert!(!a.diagnostics.is_empty());
    let call = a.call_at(src.len()).expect("call at the end");
    assert_eq!(call.name, "ts_format");
    assert!(call.is_method);
    assert_eq!(
        call.arg_spans,
        vec![
            at(src, "\"2006\"", 0),
            Span::new(src.len() - 1, src.len() - 1)
        ]
    );
    assert_eq!(call.active_arg(src.len()), 1);
    assert_eq!(a.calls[0].name, "now");
    assert!(!a.calls[0].is_method);

    let src = "root.a = foo(1\nroot.b = bar(2)";
    let a = analyze(src);
    assert_eq!(a.calls[0].args_span, Span::new(13, 14));
    assert_eq!(
        a.call_at(src.len() - 1).map(|c| c.name.as_str()),
        Some("bar")
    );
}

#[test]
fn keyword_named_calls_named_arguments_and_non_calls() {
    let src = "root.a = meta(\"k\").from(0)\nroot.b = if (this.x) { 1 } else { 2 }\nroot.c = \"a\".replace_all(old: \"a\", new: \"b\")";
    let a = analyze(src);
    let names: Vec<(&str, bool)> = a
        .calls
        .iter()
        .map(|c| (c.name.as_str(), c.is_method))
        .collect();
    assert_eq!(
        names,
        vec![("meta", false), ("from", true), ("replace_all", true)]
    );
    assert_eq!(
        a.calls[2].arg_names,
        vec![Some("old".to_string()), Some("new".to_string())]
    );
}

#[test]
fn names_under_the_cursor() {
    let src = "root = this.name.uppercase() + now()";
    let a = analyze(src);
    let up = at(src, "uppercase", 0);
    assert_eq!(
        a.name_at(up.start as usize + 2),
        Some(("uppercase".to_string(), true, up))
    );
    let now = at(src, "now", 0);
    assert_eq!(
        a.name_at(now.end as usize),
        Some(("now".to_string(), false, now))
    );
    assert_eq!(a.name_at(at(src, "this", 0).start as usize), None);
}

#[test]
fn smallest_expression_at_the_cursor() {
    let src = "let x = \"s\"\nroot = this.a + $x.length()";
    let a = analyze(src);
    assert_eq!(
        a.expression_at(at(src, "a +", 0).start as usize),
        Some(at(src, "this.a", 0))
    );
    assert_eq!(
        a.expression_at(at(src, "length", 0).start as usize + 1),
        Some(at(src, "$x.length()", 0))
    );
    assert_eq!(
        a.expression_at(at(src, "+", 0).start as usize),
        Some(at(src, "this.a + $x.length()", 0))
    );
    assert_eq!(a.expression_at(0), None);
}

#[test]
fn statement_ends_list_top_level_statements() {
    let src = "let x = 1\nroot.a = $x\nmap m {\n  root = 1\n}\nroot = this.apply(\"m\")";
    let a = analyze(src);
    let ends = a.statement_ends();
    assert_eq!(ends.len(), 4);
    assert_eq!(ends[0], (at(src, "let x = 1", 0), None));
    assert_eq!(
        ends[1],
        (at(src, "root.a = $x", 0), Some(at(src, "root.a", 0)))
    );
    assert_eq!(ends[2].1, None);
    assert_eq!(
        ends[3],
        (
            at(src, "root = this.apply(\"m\")", 0),
            Some(at(src, "root", 2))
        )
    );
    let a = analyze("this.a.uppercase()");
    assert_eq!(
        a.statement_ends(),
        vec![(Span::new(0, 18), Some(Span::new(0, 0)))]
    );
}

/// Runs every query at `offset`; only checks that nothing panics.
fn poke(a: &Analysis, src: &str, offset: usize) {
    if let Some(s) = a.symbol_at(offset) {
        assert!(!a.occurrences(s).is_empty());
    }
    if let Some(c) = a.call_at(offset) {
        c.active_arg(offset);
    }
    a.name_at(offset);
    a.expression_at(offset);
    let (l, c) = line_col_utf16(src, offset);
    offset_of_utf16(src, l, c);
}

const REAL: &[&str] = &[
    include_str!("../../../examples/hello.blobl"),
    "root.city = this.location\nroot.forecast = if this.location == \"Berlin\" { \"sunny\" } else { \"unknown\" }\nmeta status = if this.location == \"Berlin\" { \"200\" } else { \"404\" }\n",
    "import \"lib.blobl\"\nlet ünï = this.name | \"😀 anon\"\nmap person {\n  let n = this.n\n  root.n = $n.capitalize()\n  root.kind = match this.age {\n    this < 18 => \"minor\"\n    _ => \"adult\"\n  }\n}\nroot.p = this.apply(\"person\")\nroot.items = this.items.map_each(i -> i.(x -> x + 1)).sort_by(v -> v)\nroot.t = \"\"\"triple \"quoted\" text\"\"\"\nroot.s = $ünï.replace_all(old: \"a\", new: \"b\")\nif this.x != null {\n  root.x = -this.x * 2\n} else if !this.y {\n  root = deleted()\n}\n",
];

#[test]
fn never_panics_on_prefixes_of_real_mappings() {
    for src in REAL {
        for end in (0..=src.len()).filter(|&e| src.is_char_boundary(e)) {
            let prefix = &src[..end];
            let a = analyze(prefix);
            for offset in [0, end / 2, end.saturating_sub(1), end, end + 5] {
                poke(&a, prefix, offset);
            }
        }
        let a = analyze(src);
        for offset in 0..=src.len() + 1 {
            poke(&a, src, offset);
        }
    }
}

#[test]
fn never_panics_on_garbage() {
    const PIECES: &[&str] = &[
        "(", ")", "{", "}", "[", "]", "\"", "\"\"\"", "$", "@", ".", ",", "->", "=>", "let ",
        "map ", "import ", "from ", "\n", "é", "😀", "apply(", "#", "root = ", "match ", "if ",
        "else ", ":", "1.5", "_", "\\", "!", "|", "x", "$x", "\"m\"", " ", "=", "-", "meta ",
        "this", "\r\n", "\t", "0x", "'",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..400 {
        let len = next(40);
        let src: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
        let a = analyze(&src);
        for offset in 0..=src.len() + 1 {
            poke(&a, &src, offset);
        }
    }
    // Deep nesting and long operator chains stay within the stack.
    let deep = format!("root = {}1{}", "(".repeat(300), ")".repeat(300));
    analyze(&deep);
    for long in [
        format!("root = {}1", "1 + ".repeat(9_000)),
        format!("let x = 1\nroot = {}$x", "this.a + ".repeat(1_500)),
        format!("root = this{}", ".trim()".repeat(4_000)),
    ] {
        let a = analyze(&long);
        assert!(tarn_syntax::parse(&long).errors.is_empty());
        assert!(a.expression_at(long.len() - 1).is_some());
    }
}

/// A generated mapping of over 1000 lines using every kind of statement.
fn big_mapping() -> String {
    let mut src = String::new();
    for m in 0..10 {
        src.push_str(&format!(
            "map m{m} {{\n  let t = this.trim()\n  root = $t.uppercase()\n}}\n"
        ));
    }
    for i in 0..120 {
        src.push_str(&format!(
            "let v{i} = this.name.or(\"x{i}\").lowercase()\n\
             root.f{i} = $v{i} + \"-\" + this.name.apply(\"m{}\")\n\
             if $v{i}.length() > 2 {{\n\
             \x20 root.g{i} = match $v{i} {{\n\
             \x20   \"a\" => 1\n\
             \x20   _ => this.items.map_each(x -> x * {i})\n\
             \x20 }}\n\
             }}\n",
            i % 10
        ));
    }
    src
}

#[test]
fn analyzes_a_thousand_line_mapping() {
    let src = big_mapping();
    assert!(src.lines().count() >= 1000);
    let a = analyze(&src);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics.first());
    assert_eq!(a.symbols.len(), 10 + 10 + 120);
    assert!(a.references.iter().all(|r| r.target.is_some()));
    assert_eq!(a.calls.len(), 10 * 2 + 120 * 5);
}
