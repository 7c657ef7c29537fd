//! No input may panic the parser, the compiler or the VM: random token
//! soups, mutations of valid mappings, and random message contents.

use proptest::prelude::*;
use tarn_lang::{Env, Message, Mode, Vm};

const TOKENS: &[&str] = &[
    "root",
    "this",
    "root.a",
    "this.a.b",
    "=",
    " = ",
    "\n",
    "\n  ",
    "let x = ",
    "$x",
    "meta",
    "meta k = ",
    "@",
    "@k",
    "map m {",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    ".",
    "=>",
    "->",
    "x -> ",
    "_",
    "!",
    "-",
    "+",
    "*",
    "/",
    "%",
    "|",
    "==",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "&&",
    "||",
    "if ",
    "else ",
    "match ",
    "true",
    "false",
    "null",
    "0",
    "1",
    "-1",
    "2.5",
    "9223372036854775807",
    "\"s\"",
    "\"\"",
    "\"a.b\"",
    "\"\"\"raw\"\"\"",
    "# c\n",
    "import \"nope\"",
    "from \"nope\"",
    ".uppercase()",
    ".length()",
    ".map_each(x -> x)",
    ".filter(v -> v > 1)",
    ".catch(0)",
    ".or(1)",
    ".apply(\"m\")",
    ".not()",
    ".string()",
    ".number()",
    ".sort()",
    ".keys()",
    ".index(-1)",
    ".slice(1)",
    ".format(1)",
    "content()",
    "json()",
    "deleted()",
    "nothing()",
    "throw(\"t\")",
    "metadata()",
    "batch_index()",
    "range(0, 3)",
    ".from(0)",
    ".from_all()",
    ".(this)",
    ".(a -> a)",
    "${!",
    "😀",
    "\t",
    "\r\n",
];

const SEEDS: &[&str] = &[
    "root = this",
    "root.a.b = this.c.d + 1",
    "let x = this.n * 2\nroot.x = $x",
    "root = match this.v {\n  \"a\" => 1\n  _ => 2\n}",
    "root = if this.n > 1 { \"big\" } else { \"small\" }",
    "map m {\n  root.v = this.v\n}\nroot = this.apply(\"m\")",
    "root.items = this.items.map_each(i -> i.name.uppercase()).filter(n -> n != \"\")",
    "meta foo = \"bar\"\nroot = @foo | \"none\"",
    "root = (this.a + this.b).catch(e -> e)",
    "if this.ok {\n  root.x = 1\n} else {\n  root.x = 2\n}",
    "root = [this.a, {\"k\": this.b}, -this.c, !this.d]",
    "root = this.list.index(0).or(this.fallback).string().length()",
];

const INPUTS: &[&str] = &[
    "",
    "{}",
    "[]",
    "null",
    "5",
    "\"s\"",
    "not json",
    "{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]}}",
    "{\"n\":3,\"v\":\"a\",\"items\":[{\"name\":\"x\"},{\"name\":\"\"}],\"list\":[]}",
    "{\"a\":\"x\",\"b\":true,\"c\":1.5e300,\"d\":false,\"ok\":true}",
    "[1,2,3]",
    "{\"a\":1e999}",
];

fn exercise(src: &str, input: &[u8]) {
    let env = Env::standard();
    if let Ok(prog) = env.compile(src) {
        let mut vm = Vm::new();
        let batch = [Message::new(input)];
        for mode in [Mode::Mapping, Mode::Mutation] {
            if let Ok(out) = tarn_lang::vm::run(&prog, &mut vm, &batch, 0, mode) {
                let mut buf = Vec::new();
                let _ = tarn_lang::convert::to_message_bytes(&out.root, &mut buf);
            }
        }
        let _ = prog.disassemble();
    }
    let _ = env.compile_interpolation(src);
}

fn mutate(seed: &str, ops: &[(u8, usize, usize)]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for &(op, a, b) in ops {
        if chars.is_empty() {
            chars.extend("root".chars());
        }
        let i = a % (chars.len() + 1);
        match op % 4 {
            0 => {
                let end = (i + b % 6).min(chars.len());
                chars.drain(i.min(chars.len())..end);
            }
            1 => {
                let tok = TOKENS[b % TOKENS.len()];
                for (k, c) in tok.chars().enumerate() {
                    chars.insert((i + k).min(chars.len()), c);
                }
            }
            2 if !chars.is_empty() => {
                let j = b % chars.len();
                let i = i % chars.len();
                chars.swap(i, j);
            }
            _ => {
                let end = (i + b % 8).min(chars.len());
                let dup: Vec<char> = chars[i.min(end)..end].to_vec();
                for (k, c) in dup.into_iter().enumerate() {
                    chars.insert((end + k).min(chars.len()), c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(picks in prop::collection::vec(0..TOKENS.len(), 0..40), input in 0..INPUTS.len()) {
        let src: String = picks.iter().map(|&i| TOKENS[i]).collect();
        exercise(&src, INPUTS[input].as_bytes());
    }

    #[test]
    fn mutated_mappings_never_panic(
        seed in 0..SEEDS.len(),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..6),
        input in 0..INPUTS.len(),
    ) {
        let src = mutate(SEEDS[seed], &ops);
        exercise(&src, INPUTS[input].as_bytes());
    }

    #[test]
    fn random_inputs_never_panic(seed in 0..SEEDS.len(), input in prop::collection::vec(any::<u8>(), 0..64)) {
        exercise(SEEDS[seed], &input);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,80}") {
        exercise(&src, b"{\"a\":1}");
    }
}

#[test]
fn stdlib_examples_survive_mutation() {
    // Every documented example mapping, with each single character removed.
    for spec in tarn_lang::stdlib::all() {
        for ex in spec.examples {
            let chars: Vec<char> = ex.mapping.chars().collect();
            for i in 0..chars.len() {
                let src: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
                exercise(&src, b"{\"a\":[1,2],\"b\":\"x\"}");
            }
        }
    }
}
