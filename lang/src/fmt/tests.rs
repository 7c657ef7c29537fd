use super::format;
use crate::stdlib::{Expect, all};
use crate::{Env, Vm, map_line};
use std::path::{Path, PathBuf};

fn fmt(src: &str) -> String {
    format(src).unwrap_or_else(|d| panic!("{src:?} does not format:\n{}", d.render("test")))
}

/// Formats `src`, checks idempotence and returns the result.
fn fmt_stable(src: &str) -> String {
    let once = fmt(src);
    let twice = fmt(&once);
    assert_eq!(once, twice, "not idempotent for {src:?}");
    once
}

/// The output (or the fact of failing) of `mapping` on `input`.
fn run(mapping: &str, input: &str) -> Result<Option<String>, ()> {
    let Ok(prog) = Env::standard().compile(mapping) else {
        return Err(());
    };
    let mut out = Vec::new();
    Ok(map_line(&prog, &mut Vm::new(), input.as_bytes(), &mut out)
        .ok()
        .map(|()| String::from_utf8_lossy(&out).into_owned()))
}

/// Checks that formatting keeps `mapping` stable and its behaviour on
/// every input.
fn check_mapping(name: &str, mapping: &str, inputs: &[&str]) {
    let formatted = fmt_stable(mapping);
    for input in inputs {
        assert_eq!(
            run(mapping, input),
            run(&formatted, input),
            "{name}: behaviour changed on {input}\n--- before\n{mapping}\n--- after\n{formatted}"
        );
    }
}

#[test]
fn messy_file_becomes_canonical() {
    let messy = "\n\n# header comment   \n\n\n\nroot.a=this.a+1   # add one\nroot.b =   this.b.c.uppercase( )\n\n\n\nlet x=-5\nmeta  \"k\"=\"v\"\nroot.obj = {\"a\":1,\"b\":  [1,2 ,3,]}\nroot.multi = {\n\"x\": 1, \"y\": 2,\n  # about z\n  \"z\": [\n 1,\n 2\n],\n}\nmap thing{root.v=this.v\n# inside\n}\nif this.ok{root.ok=true}\nelse if this.no {root.ok=false}else{\nroot.ok=null}\nroot.m = match this.k {\"a\"=>1, \"b\"=>2,\n_ => 3,}\nroot.s = \"  spaced\\t\\\"str\\\"  \"   \nroot.r = \"\"\"raw   \n  # not a comment\n\"\"\"\nroot.l = this.xs.map_each(x->x*2).filter(x -> !x.contains(\"#\"))\nroot.cont = this.a +\nthis.b\n# trailing comment\n\n\n";
    let want = "# header comment

root.a = this.a + 1 # add one
root.b = this.b.c.uppercase()

let x = -5
meta \"k\" = \"v\"
root.obj = {\"a\": 1, \"b\": [1, 2, 3]}
root.multi = {
  \"x\": 1,
  \"y\": 2,
  # about z
  \"z\": [
    1,
    2
  ]
}
map thing {
  root.v = this.v
  # inside
}
if this.ok {
  root.ok = true
} else if this.no {
  root.ok = false
} else {
  root.ok = null
}
root.m = match this.k {
  \"a\" => 1
  \"b\" => 2
  _ => 3
}
root.s = \"  spaced\\t\\\"str\\\"  \"
root.r = \"\"\"raw   
  # not a comment
\"\"\"
root.l = this.xs.map_each(x -> x * 2).filter(x -> !x.contains(\"#\"))
root.cont = this.a +
  this.b
# trailing comment
";
    assert_eq!(fmt(messy), want);
    assert_eq!(fmt(want), want);
    check_mapping(
        "messy",
        messy,
        &[
            r#"{"a":1,"b":{"c":"q"},"ok":true,"k":"b","xs":[1,2],"v":3}"#,
            r#"{"a":1,"b":{"c":"q"},"no":true,"k":"z","xs":[],"v":3}"#,
        ],
    );
}

#[test]
fn comments_stay_where_they_were() {
    let src = "# one\nroot = this # two\n# three\n\n# four\nmap m { # five\n  # six\n  root = 1 # seven\n  # eight\n}\nroot.x = [ # nine\n  1, # ten\n  2\n]\n# end";
    let out = fmt_stable(src);
    let comments: Vec<&str> = out
        .lines()
        .filter_map(|l| l.find('#').map(|i| &l[i..]))
        .collect();
    assert_eq!(
        comments,
        [
            "# one", "# two", "# three", "# four", "# five", "# six", "# seven", "# eight",
            "# nine", "# ten", "# end"
        ]
    );
    assert_eq!(
        out,
        "# one\nroot = this # two\n# three\n\n# four\nmap m { # five\n  # six\n  root = 1 # seven\n  # eight\n}\nroot.x = [ # nine\n  1, # ten\n  2\n]\n# end\n"
    );
}

#[test]
fn strings_are_kept_byte_for_byte() {
    let src = "root.a = \"\\u00e9\\n\\\"q\\\"  \"\nroot.b = \"\"\"  raw \\n \"quoted\"\n   # kept\n\"\"\"\nroot.c = @\"odd key\"\nroot.d = this.\"dotted.key\"";
    let out = fmt_stable(src);
    assert_eq!(out, format!("{src}\n"));
}

#[test]
fn syntax_errors_are_refused() {
    for bad in ["root = ", "root = (1", "root = \"open", "root = 1 +\nmap {"] {
        let err = format(bad).expect_err(bad);
        assert!(err.has_errors(), "{bad}");
        assert_eq!(err.source, bad);
        assert!(!err.render("x.blobl").is_empty());
    }
}

#[test]
fn layout_rules() {
    let cases = [
        ("root = {}", "root = {}\n"),
        ("root = [\n]", "root = []\n"),
        (
            "root = if this.a { 1 } else { 2 }",
            "root = if this.a {\n  1\n} else {\n  2\n}\n",
        ),
        ("root = foo(a:1,b: 2,)", "root = foo(a: 1, b: 2)\n"),
        (
            "root = this.a.(x -> x - -1)",
            "root = this.a.(x -> x - -1)\n",
        ),
        (
            "root = match {\n  this.a == 1 => \"x\",\n  _ => \"y\" }",
            "root = match {\n  this.a == 1 => \"x\"\n  _ => \"y\"\n}\n",
        ),
        (
            "root = match this { {\"a\": 1} => 1, {\"b\": 2} => 2 }",
            "root = match this {\n  {\"a\": 1} => 1,\n  {\"b\": 2} => 2\n}\n",
        ),
        (
            "root = this.x.map_each(e -> {\n\"v\": e\n})",
            "root = this.x.map_each(e -> {\n  \"v\": e\n})\n",
        ),
        ("root = [{\"a\": [\n1]}]", "root = [{\"a\": [\n  1\n]}]\n"),
        (
            "import \"./a.blobl\"\n\n\n\nroot = this.apply(\"x\")",
            "import \"./a.blobl\"\n\nroot = this.apply(\"x\")\n",
        ),
        ("root = this.a\n  .b", "root = this.a\n.b\n"),
        (
            "root = meta(\"k\") | @k | @",
            "root = meta(\"k\") | @k | @\n",
        ),
        ("", ""),
        ("# only\n", "# only\n"),
        (
            "root = 1 # c\r\n\r\nroot.b = 2\r\n",
            "root = 1 # c\n\nroot.b = 2\n",
        ),
        ("# h\n\nroot = 1", "# h\n\nroot = 1\n"),
        ("\n# h   \n\n\nroot = 1 \n\n", "# h\n\nroot = 1\n"),
        ("map m {\n\n  root = 1\n\n}", "map m {\n  root = 1\n}\n"),
        (
            "root = 1 +\n\n 2 # c\n\n\nroot.b = [1,\n\n 2]",
            "root = 1 +\n  2 # c\n\nroot.b = [\n  1,\n\n  2\n]\n",
        ),
        (
            "root = !this.a && (this.b || -this.c > 2)",
            "root = !this.a && (this.b || -this.c > 2)\n",
        ),
    ];
    for (src, want) in cases {
        if want == "root = this.a\n.b\n" {
            // A line starting with `.` does not continue the one before.
            assert!(format(src).is_err());
            continue;
        }
        assert_eq!(fmt_stable(src), want, "for {src:?}");
    }
}

/// The workspace root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn blobl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name();
        if path.is_dir() {
            if name != "target" && name != ".git" {
                blobl_files(&path, out);
            }
        } else if path.extension().is_some_and(|x| x == "blobl") {
            out.push(path);
        }
    }
}

#[test]
fn every_blobl_file_formats_stably() {
    let mut files = Vec::new();
    blobl_files(&repo(), &mut files);
    assert!(!files.is_empty());
    for f in files {
        let src = std::fs::read_to_string(&f).expect("readable");
        check_mapping(
            &f.display().to_string(),
            &src,
            &[
                "{}",
                r#"{"id":1,"name":" ann ","email":"A@B","tags":["x",""],"age":20}"#,
            ],
        );
    }
}

/// `(name, mapping, inputs)` of every case of a spec file.
fn spec_cases(text: &str) -> Vec<(String, String, Vec<String>)> {
    let mut cases = Vec::new();
    let mut section = "";
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            cases.push((name.to_string(), String::new(), Vec::new()));
            section = "mapping";
        } else if let Some(s) = line.strip_prefix("--- ") {
            section = if s == "in" { "in" } else { "other" };
        } else if let Some(case) = cases.last_mut() {
            match section {
                "mapping" => {
                    case.1.push_str(line);
                    case.1.push('\n');
                }
                "in" => case.2.push(line.to_string()),
                _ => {}
            }
        }
    }
    cases
}

#[test]
fn every_spec_file_mapping_keeps_its_behaviour() {
    let dir = repo().join("tests/specs");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/specs").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        for (name, mapping, inputs) in spec_cases(&text) {
            if format(&mapping).is_err() {
                // Cases about syntax errors.
                assert!(!tarn_syntax::parse(&mapping).errors.is_empty(), "{name}");
                continue;
            }
            let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            check_mapping(&name, &mapping, &inputs);
            count += 1;
        }
    }
    assert!(count > 50, "only {count} spec mappings");
}

#[test]
fn every_stdlib_example_keeps_its_behaviour() {
    let mut count = 0;
    for spec in all() {
        for ex in spec.examples {
            // `count` keeps process-wide counters: use counters of our own
            // so that the stdlib's own example test is not disturbed.
            let mapping = ex.mapping.replace("count(\"", "count(\"fmt_test_");
            let formatted = fmt_stable(&mapping);
            let prog = Env::standard().compile(&formatted).unwrap_or_else(|d| {
                panic!(
                    "{}: {formatted:?} does not compile: {}",
                    spec.name,
                    d.short()
                )
            });
            for (input, expect) in ex.cases {
                count += 1;
                let mut out = Vec::new();
                let got = map_line(&prog, &mut Vm::new(), input.as_bytes(), &mut out)
                    .map(|()| String::from_utf8_lossy(&out).into_owned());
                let ok = match (expect, &got) {
                    (Expect::Out(want), Ok(s)) => s == want,
                    (Expect::Fails(want), Err(e)) => e.message().contains(want),
                    _ => false,
                };
                assert!(
                    ok,
                    "{}: {formatted:?} on {input}: want {expect:?}, got {got:?}",
                    spec.name
                );
            }
        }
    }
    assert!(count > 100, "only {count} example cases");
}

/// Pieces of Bloblang glued at random: formatting never panics, and what
/// it accepts it formats stably, keeping the tree.
mod random {
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "root",
        "this",
        ".",
        "a",
        "=",
        " ",
        "\n",
        "# c\n",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"s\"",
        "\"\"\"r\n\"\"\"",
        "1",
        "-",
        "+",
        "!",
        "=>",
        "->",
        "if",
        "else",
        "match",
        "map",
        "let",
        "$v",
        "@",
        "@m",
        "_",
        "x",
        "|",
        "&&",
    ];

    /// Whitespace, line breaks and comments where the lexer ignores them.
    fn sep() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", " ", "\n", "  \n\n ", " # c\n", "\n# d\n\n"])
    }

    /// Random well-formed expressions with messy layout.
    fn expr() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![
            "this.a",
            "1",
            "\"s # t\"",
            "$v",
            "@m",
            "null",
            "true",
            "2.5",
            "this.\"q\".0",
            "\"\"\"r\n # x\n\"\"\"",
            "@",
            "now()",
        ])
        .prop_map(str::to_string);
        leaf.prop_recursive(4, 40, 3, |inner| {
            let op = prop::sample::select(vec!["+", "-", "*", "==", "&&", "|", "%"]);
            prop_oneof![
                (inner.clone(), op, sep(), inner.clone())
                    .prop_map(|(a, o, s, b)| format!("{a} {o}{s}{b}")),
                (
                    sep(),
                    inner.clone(),
                    sep(),
                    inner.clone(),
                    sep(),
                    any::<bool>()
                )
                    .prop_map(|(s1, a, s2, b, s3, t)| {
                        format!("[{s1}{a},{s2}{b}{}{s3}]", if t { "," } else { "" })
                    }),
                (sep(), inner.clone(), sep(), inner.clone(), sep()).prop_map(
                    |(s1, a, s2, b, s3)| format!("{{{s1}\"k\":{s2}{a}, \"j\": {b}{s3}}}")
                ),
                (sep(), inner.clone(), sep(), inner.clone(), sep())
                    .prop_map(|(s1, a, s2, b, s3)| format!("foo({s1}{a},{s2}n: {b}{s3})")),
                (inner.clone(), sep(), inner.clone())
                    .prop_map(|(a, s, b)| format!("({a}).bar({s}{b}).(x ->{s}x)")),
                (inner.clone(), sep(), inner.clone(), sep(), any::<bool>()).prop_map(
                    |(a, s1, b, s2, comma)| {
                        let case_sep = if comma {
                            ",".to_string()
                        } else {
                            "\n".to_string()
                        };
                        format!("match {a} {{{s1}{b} => {a}{case_sep}{s2}_ => {b}{s2}}}")
                    }
                ),
                (inner.clone(), sep(), inner.clone(), sep())
                    .prop_map(|(a, s1, b, s2)| format!("if {a} {{{s1}{b}{s2}}} else {{ {a} }}")),
                inner.clone().prop_map(|a| format!("!({a})")),
                inner.prop_map(|a| format!("-({a})")),
            ]
        })
    }

    fn statement() -> impl Strategy<Value = String> {
        (expr(), expr(), 0..4usize).prop_map(|(a, b, k)| match k {
            0 => format!("root.x = {a}"),
            1 => format!("let v = {a}"),
            2 => format!("map m {{ root = {a}\n  root.y={b} }}"),
            _ => format!("if {a} {{\nroot = {b} }} else {{ root.z = {a} # e\n}}"),
        })
    }

    proptest! {
        #[test]
        fn generated_mappings_format_stably(
            stmts in proptest::collection::vec(statement(), 1..5),
            seps in proptest::collection::vec(prop::sample::select(vec!["\n", "\n\n\n", "\n# s\n", " # t\n\n"]), 5),
        ) {
            let mut src = String::new();
            for (i, st) in stmts.iter().enumerate() {
                src.push_str(st);
                src.push_str(seps[i % seps.len()]);
            }
            prop_assert!(tarn_syntax::parse(&src).errors.is_empty(), "generator made {:?}", src);
            let out = format(&src);
            prop_assert!(out.is_ok(), "refused {:?}: {:?}", src, out);
            let out = out.unwrap_or_default();
            prop_assert_eq!(format(&out).ok(), Some(out.clone()), "for {:?}", src);
            let count = |t: &str| t.matches('#').count();
            prop_assert_eq!(count(&src), count(&out));
        }

        #[test]
        fn never_panics_and_is_stable(idx in proptest::collection::vec(0..PIECES.len(), 0..40)) {
            let src: String = idx.iter().map(|&i| PIECES[i]).collect();
            let clean = tarn_syntax::parse(&src).errors.is_empty();
            match format(&src) {
                Ok(out) => prop_assert_eq!(format(&out).ok(), Some(out.clone()), "for {:?}", src),
                Err(_) => prop_assert!(!clean, "clean source refused: {:?}", src),
            }
        }

        #[test]
        fn statement_shapes_are_stable(
            idx in proptest::collection::vec(0..PIECES.len(), 0..12),
            tail in proptest::collection::vec(0..PIECES.len(), 0..12),
        ) {
            let mid: String = idx.iter().map(|&i| PIECES[i]).collect();
            let end: String = tail.iter().map(|&i| PIECES[i]).collect();
            let src = format!("root.a = [{mid}]\nroot.b = {{\"k\": {end}}}\nroot.c = match {{ {mid} => {end} }}");
            let clean = tarn_syntax::parse(&src).errors.is_empty();
            match format(&src) {
                Ok(out) => prop_assert_eq!(format(&out).ok(), Some(out.clone()), "for {:?}", src),
                Err(_) => prop_assert!(!clean, "clean source refused: {:?}", src),
            }
        }
    }
}
