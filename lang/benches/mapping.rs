//! Criterion benchmarks: parse + compile of a realistic mapping, and its
//! execution on a pre-parsed message, plus path reads and writes.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tarn_lang::{Env, Message, Mode, Vm};

/// A realistic 8-statement enrichment mapping (arithmetic, comparisons,
/// literals, string concatenation, nested reads).
pub const ENRICH: &str = r#"root.id = this.id
root.customer = this.customer.first + " " + this.customer.last
root.total = this.price * this.quantity
root.discounted = this.price * this.quantity * (1 - this.discount)
root.is_large = this.quantity > 10 && this.price >= 100
root.region = if this.country == "DE" { "eu" } else { "other" }
root.tags = ["order", this.channel]
root.meta.source = "shop-" + this.store.id.string()
"#;

/// A ~400-byte order record.
pub const ORDER: &str = r#"{"id":"ord-000123","customer":{"first":"Ada","last":"Lovelace","email":"ada@example.com"},"price":129.5,"quantity":12,"discount":0.15,"country":"DE","channel":"web","store":{"id":42,"name":"Berlin Mitte"},"items":[{"sku":"A-1","qty":3},{"sku":"B-2","qty":9}],"note":"leave at the door","created":"2024-05-01T12:00:00Z"}"#;

fn benches(c: &mut Criterion) {
    let env = Env::standard();
    c.bench_function("parse+compile enrichment (8 statements)", |b| {
        b.iter(|| {
            env.compile(black_box(ENRICH))
                .map(|p| p.instruction_count())
        })
    });

    let prog = env.compile(ENRICH).expect("the benchmark mapping compiles");
    let msg = Message::new(ORDER.as_bytes());
    let _ = msg.structured();
    let batch = [msg];
    let mut vm = Vm::new();
    c.bench_function("execute enrichment on a parsed message", |b| {
        b.iter(|| tarn_lang::vm::run(&prog, &mut vm, black_box(&batch), 0, Mode::Mapping))
    });

    let identity = env.compile("root = this").expect("compiles");
    c.bench_function("execute root = this", |b| {
        b.iter(|| tarn_lang::vm::run(&identity, &mut vm, black_box(&batch), 0, Mode::Mapping))
    });

    let reads = env
        .compile("root = this.customer.first + this.store.name + this.items.1.sku")
        .expect("compiles");
    c.bench_function("path reads (3 nested)", |b| {
        b.iter(|| tarn_lang::vm::run(&reads, &mut vm, black_box(&batch), 0, Mode::Mapping))
    });

    let writes = env
        .compile("root = this\nroot.customer.first = \"Grace\"\nroot.items.0.qty = 4\nroot.new.deep.key = true")
        .expect("compiles");
    c.bench_function("path writes (copy-on-write, 3)", |b| {
        b.iter(|| tarn_lang::vm::run(&writes, &mut vm, black_box(&batch), 0, Mode::Mapping))
    });

    let line = ORDER.as_bytes();
    c.bench_function("line mode end to end (parse JSON, map, write JSON)", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            out.clear();
            tarn_lang::map_line(&prog, &mut vm, black_box(line), &mut out)
        })
    });
}

criterion_group!(mapping, benches);
criterion_main!(mapping);
