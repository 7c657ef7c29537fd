//! Runs every spec's documented examples.

use super::{Expect, all};
use crate::{Env, Vm, map_line};

#[test]
fn every_example_passes() {
    let env = Env::standard();
    let mut failures = Vec::new();
    let mut count = 0;
    for spec in all() {
        for ex in spec.examples {
            let prog = match env.compile(ex.mapping) {
                Ok(p) => p,
                Err(d) => {
                    failures.push(format!(
                        "{}: {:?} does not compile: {}",
                        spec.name,
                        ex.mapping,
                        d.short()
                    ));
                    continue;
                }
            };
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
                if !ok {
                    failures.push(format!(
                        "{}: {:?} on {input}: want {expect:?}, got {got:?}",
                        spec.name, ex.mapping
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} example cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_spec_is_documented() {
    for spec in all() {
        assert!(!spec.doc.is_empty(), "{} has no doc line", spec.name);
        assert!(
            spec.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{} is not snake case",
            spec.name
        );
    }
}
