//! Parser tests: each grammar rule and each precedence level.

use crate::{parse, sexpr};

fn ok(src: &str) -> String {
    let p = parse(src);
    assert!(p.errors.is_empty(), "{src:?}: {:?}", p.errors);
    sexpr::mapping(&p.mapping)
}

fn errs(src: &str) -> Vec<String> {
    parse(src).errors.into_iter().map(|e| e.message).collect()
}

#[test]
fn assignments_and_paths() {
    assert_eq!(ok("root = this"), "(= root this)");
    assert_eq!(ok("root.a.b = this.c"), "(= root.a.b this.c)");
    assert_eq!(ok("a.b = 5"), "(= root.a.b 5)");
    assert_eq!(ok("this.a = 1"), "(= root.this.a 1)");
    assert_eq!(ok("root.\"a.b\".c = 1"), "(= root.a.b.c 1)");
    assert_eq!(ok("root = this.items.0.name"), "(= root this.items.0.name)");
    assert_eq!(ok("root = this.a.1.2"), "(= root this.a.1.2)");
    assert_eq!(
        ok("root = this.\"key with.dots\""),
        "(= root this.key with.dots)"
    );
    assert_eq!(ok("root = this.if.map"), "(= root this.if.map)");
}

#[test]
fn statements() {
    assert_eq!(ok("let x = 5\nlet \"y z\" = 1"), "(let x 5)\n(let y z 1)");
    assert_eq!(
        ok("meta foo = \"bar\"\nmeta = {}"),
        "(meta \"foo\" \"bar\")\n(meta {})"
    );
    assert_eq!(
        ok("map thing {\n  root.a = this.b\n}\nroot = this.apply(\"thing\")"),
        "(map thing [(= root.a this.b)])\n(= root this.apply(\"thing\"))"
    );
    assert_eq!(ok("import \"./maps.blobl\""), "(import \"./maps.blobl\")");
    assert_eq!(ok("from \"./all.blobl\""), "(from \"./all.blobl\")");
}

#[test]
fn if_statements() {
    assert_eq!(
        ok(
            "if this.a > 1 {\n  root.x = 1\n} else if this.b {\n  root.x = 2\n} else {\n  root.x = 3\n}"
        ),
        "(if (> this.a 1) [(= root.x 1)] this.b [(= root.x 2)] else [(= root.x 3)])"
    );
    assert_eq!(ok("if this.a { }"), "(if this.a [])");
    assert_eq!(
        ok("root.a = 1\nif this.a {\n  if this.b {\n    root.c = 1\n  }\n}"),
        "(= root.a 1)\n(if this.a [(if this.b [(= root.c 1)])])"
    );
    assert_eq!(
        ok("if true {\n root = 1\n}\nelse\n{\n root = 2\n}"),
        "(if true [(= root 1)] else [(= root 2)])"
    );
}

#[test]
fn root_query_shorthand() {
    assert_eq!(ok("this.foo"), "(= root this.foo)");
    assert_eq!(ok("{\"a\": 1}"), "(= root {\"a\": 1})");
    assert_eq!(
        ok("if this.a { \"x\" } else { \"y\" }"),
        "(= root (if this.a \"x\" else \"y\"))"
    );
    let e = errs("this.foo\nroot.a = 1");
    assert!(e[0].contains("shorthand for `root = this.foo...`"), "{e:?}");
}

#[test]
fn literals() {
    assert_eq!(
        ok("root = [1, 2.5, \"s\", true, false, null, -3,]"),
        "(= root [1 2.5 \"s\" true false null -3])"
    );
    assert_eq!(
        ok("root = {\"a\": 1, (this.k): 2, this.j: 3,}"),
        "(= root {\"a\": 1 this.k: 2 this.j: 3})"
    );
    assert_eq!(
        ok("root = \"\"\"raw \\n\nline\"\"\""),
        "(= root \"raw \\\\n\\nline\")"
    );
    assert_eq!(ok("root = [\n  1,\n  2\n]"), "(= root [1 2])");
}

#[test]
fn calls_methods_lambdas() {
    assert_eq!(
        ok("root = uuid_v4().uppercase().slice(0, 8)"),
        "(= root uuid_v4().uppercase().slice(0, 8))"
    );
    assert_eq!(
        ok("root = env(name: \"X\", no_cache: true)"),
        "(= root env(name: \"X\", no_cache: true))"
    );
    assert_eq!(ok("root = meta(\"k\")"), "(= root meta(\"k\"))");
    assert_eq!(
        ok("root = this.a.map_each(x -> x + 1)"),
        "(= root this.a.map_each((-> x (+ x 1))))"
    );
    assert_eq!(
        ok("root = this.a.(x -> x.b)"),
        "(= root this.a.((-> x x.b)))"
    );
    assert_eq!(ok("root = this.a.(b + 1)"), "(= root this.a.((+ b 1)))");
    assert_eq!(
        ok("root = this.a.map(\"x\").from(0)"),
        "(= root this.a.map(\"x\").from(0))"
    );
    assert_eq!(ok("root = 5.string()"), "(= root 5.string())");
    assert_eq!(ok("root = 1.5.round()"), "(= root 1.5.round())");
    assert_eq!(
        ok("root = this.\n  foo.\n  bar()"),
        "(= root this.foo.bar())"
    );
}

#[test]
fn variables_and_metadata() {
    assert_eq!(ok("root = $x + @k + @"), "(= root (+ (+ $x @k) @))");
    assert_eq!(ok("root = @\"a b\""), "(= root @a b)");
}

#[test]
fn match_expressions() {
    assert_eq!(
        ok("root = match this.x {\n  \"a\" => 1\n  this.y > 2 => 2,\n  _ => 3\n}"),
        "(= root (match this.x [\"a\" => 1] [(> this.y 2) => 2] [_ => 3]))"
    );
    assert_eq!(
        ok("root = match { this.a == 1 => \"one\", _ => \"other\" }"),
        "(= root (match [(== this.a 1) => \"one\"] [_ => \"other\"]))"
    );
}

#[test]
fn if_expressions() {
    assert_eq!(
        ok("root = if this.a { 1 } else if this.b { 2 } else { 3 }"),
        "(= root (if this.a 1 this.b 2 else 3))"
    );
    assert_eq!(ok("root.x = if this.a { 1 }"), "(= root.x (if this.a 1))");
}

#[test]
fn precedence_levels() {
    // `*` `/` `%` and `|` share the tightest binary level.
    assert_eq!(ok("root = a | b + c"), "(= root (+ (| a b) c))");
    assert_eq!(ok("root = a + b * c"), "(= root (+ a (* b c)))");
    assert_eq!(ok("root = a * b | c"), "(= root (| (* a b) c))");
    assert_eq!(ok("root = a - b - c"), "(= root (- (- a b) c))");
    assert_eq!(ok("root = a / b % c"), "(= root (% (/ a b) c))");
    assert_eq!(ok("root = a + b == c - d"), "(= root (== (+ a b) (- c d)))");
    assert_eq!(ok("root = a == b == c"), "(= root (== (== a b) c))");
    assert_eq!(
        ok("root = a < b && c >= d"),
        "(= root (&& (< a b) (>= c d)))"
    );
    // `&&` and `||` share a level, left associative.
    assert_eq!(ok("root = a || b && c"), "(= root (&& (|| a b) c))");
    assert_eq!(ok("root = a && b || c"), "(= root (|| (&& a b) c))");
    // Unary minus binds tighter than `*`; `!` applies to the whole term.
    assert_eq!(ok("root = -a * b"), "(= root (* (neg a) b))");
    assert_eq!(ok("root = !this.a.b()"), "(= root (! this.a.b()))");
    assert_eq!(ok("root = -5"), "(= root -5)");
    assert_eq!(ok("root = 1 - -2"), "(= root (- 1 -2))");
    assert_eq!(ok("root = a != b"), "(= root (!= a b))");
    assert_eq!(ok("root = a > b"), "(= root (> a b))");
    assert_eq!(ok("root = a <= b"), "(= root (<= a b))");
    assert_eq!(ok("root = (a + b) * c"), "(= root (* (+ a b) c))");
    assert_eq!(ok("root = a +\n  b"), "(= root (+ a b))");
}

#[test]
fn comments() {
    assert_eq!(
        ok("# leading\nroot = 1 # trailing\n# between\nroot.b = 2 # last"),
        "(= root 1)\n(= root.b 2)"
    );
}

#[test]
fn interpolation() {
    use crate::{InterpPart, parse_interpolation};
    let parts = parse_interpolation("a ${! this.b.uppercase() } c ${{! raw }} $").unwrap();
    assert_eq!(parts.len(), 3);
    assert!(matches!(&parts[0], InterpPart::Text(t) if t == "a "));
    match &parts[1] {
        InterpPart::Query(e, span) => {
            assert_eq!(sexpr::expr(e), "this.b.uppercase()");
            assert_eq!((span.start, span.end), (2, 26));
            assert_eq!(e.span.start, 6);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&parts[2], InterpPart::Text(t) if t == " c ${! raw } $"));
    assert!(parse_interpolation("${! {\"a\": 1}.a }").is_ok());
    assert!(parse_interpolation("${! this.a ").is_err());
}

#[test]
fn recovery_reports_every_broken_statement() {
    let src = "root.a = 1 +\nroot.b = this.x\nroot.c = )\nroot.d = 5\nfoo wat bar\nroot.e = \"ok\"\nroot.f = [1, 2";
    let p = parse(src);
    // The line break after `+` continues the expression, so `root.b` is an
    // operand and its `=` is the first error.
    let lines: Vec<u32> = p
        .errors
        .iter()
        .map(|e| {
            crate::LineIndex::new(src)
                .line_col(src, e.span.start as usize)
                .line
        })
        .collect();
    assert_eq!(lines, vec![2, 3, 5, 7], "{:#?}", p.errors);
    assert_eq!(
        sexpr::mapping(&p.mapping),
        "(= root.d 5)\n(= root.e \"ok\")"
    );
}

#[test]
fn error_messages() {
    assert_eq!(
        errs("foo wat bar"),
        vec!["expected `=` or a line break, found `wat`"]
    );
    assert_eq!(
        errs("root = this.foo bar = baz"),
        vec!["expected a line break, found `bar`"]
    );
    assert_eq!(
        errs("root = "),
        vec!["expected an expression, but reached the end of the input"]
    );
    assert!(errs("root = \"abc")[0].contains("expected end quote"));
    assert!(errs("root = 99999999999999999999")[0].contains("as integer"));
    assert!(errs("root = if x { root.a = 1 }")[0].contains("exactly one expression"));
    assert!(errs("map m {\n meta a = 1\n}")[0].contains("not allowed"));
    assert!(errs("root + 1 = 2")[0].contains("target path"));
}

#[test]
fn absurd_nesting_is_an_error_not_a_crash() {
    let deep = format!("root = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(errs(&deep)[0].contains("nested more than"));
    let long = format!("root = 1{}", " + 1".repeat(30_000));
    assert!(errs(&long)[0].contains("longer than"));
    // Just under the limits still parses.
    let ok_long = format!("root = 1{}", " + 1".repeat(9_000));
    assert!(parse(&ok_long).errors.is_empty());
}
