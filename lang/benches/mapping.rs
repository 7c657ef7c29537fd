//! Criterion benchmarks: parse + compile of a realistic mapping; each peer
//! workload (identity, enrichment, string functions, array work) executed
//! on a pre-parsed message; path reads and writes; and line mode end to end.
//!
//! Measurement times are short so `cargo bench -p tarn-lang` finishes in a
//! few minutes; pass a benchmark name filter to run one.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use tarn_lang::{Env, Message, Mode, Program, Vm};

mod workloads;

use workloads::{ARRAYS, ENRICH, ORDER, STRINGS};

/// Runs `prog` as a mapping on the single pre-parsed message of `batch`.
fn exec(prog: &Program, vm: &mut Vm, batch: &[Message]) -> Option<tarn_lang::Value> {
    tarn_lang::vm::run(prog, vm, black_box(batch), 0, Mode::Mapping)
        .ok()
        .map(|o| o.root)
}

fn benches(c: &mut Criterion) {
    let env = Env::standard();
    c.bench_function("parse+compile enrichment (8 statements)", |b| {
        b.iter(|| {
            env.compile(black_box(ENRICH))
                .map(|p| p.instruction_count())
        })
    });

    let msg = Message::new(ORDER.as_bytes());
    let _ = msg.structured();
    let batch = [msg];
    let mut vm = Vm::new();

    let workloads = [
        ("execute identity (root = this)", "root = this"),
        ("execute enrichment (8 statements)", ENRICH),
        ("execute string functions", STRINGS),
        ("execute array work (filter + map_each)", ARRAYS),
    ];
    for (name, mapping) in workloads {
        let prog = env.compile(mapping).expect("the workload mapping compiles");
        assert!(
            exec(&prog, &mut vm, &batch).is_some(),
            "{name} runs without error"
        );
        c.bench_function(name, |b| b.iter(|| exec(&prog, &mut vm, &batch)));
    }

    let paths = [
        (
            "path copy (root.a.b.c = this.x.y.z)",
            "root.a.b.c = this.customer.first\nroot.a.b.d = this.store.name",
        ),
        (
            "path reads (3 nested)",
            "root = this.customer.first + this.store.name + this.items.1.sku",
        ),
        (
            "path deep read (4 levels)",
            "root = this.items.1.sku.length()",
        ),
        (
            "path deep write into existing object",
            "root = this\nroot.customer.first = \"Grace\"\nroot.store.address.city = \"Berlin\"",
        ),
        (
            "path writes (copy-on-write, 3)",
            "root = this\nroot.customer.first = \"Grace\"\nroot.items.0.qty = 4\nroot.new.deep.key = true",
        ),
    ];
    for (name, mapping) in paths {
        let prog = env.compile(mapping).expect("the path mapping compiles");
        assert!(
            exec(&prog, &mut vm, &batch).is_some(),
            "{name} runs without error"
        );
        c.bench_function(name, |b| b.iter(|| exec(&prog, &mut vm, &batch)));
    }

    let prog = env.compile(ENRICH).expect("the benchmark mapping compiles");
    let line = ORDER.as_bytes();
    c.bench_function("line mode end to end (parse JSON, map, write JSON)", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            out.clear();
            tarn_lang::map_line(&prog, &mut vm, black_box(line), &mut out)
        })
    });
}

criterion_group! {
    name = mapping;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = benches
}
criterion_main!(mapping);
