//! Runs the enrichment workload of the criterion benchmark `N` times on a
//! pre-parsed order record, for instruction counting under
//! `valgrind --tool=callgrind` (see `scripts/instructions`).
//!
//! Usage: `enrich [N=10000]`

#[allow(dead_code)]
#[path = "../benches/workloads/mod.rs"]
mod workloads;

use std::hint::black_box;
use tarn_lang::{Env, Message, Mode, Vm};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let prog = match Env::standard().compile(workloads::ENRICH) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("the enrichment mapping does not compile: {e:?}");
            std::process::exit(1);
        }
    };
    let msg = Message::new(workloads::ORDER.as_bytes());
    if msg.structured().is_err() {
        eprintln!("the order record does not parse");
        std::process::exit(1);
    }
    let batch = [msg];
    let mut vm = Vm::new();
    let mut ok = 0u64;
    for _ in 0..n {
        if let Ok(out) = tarn_lang::vm::run(&prog, &mut vm, black_box(&batch), 0, Mode::Mapping) {
            black_box(&out.root);
            ok += 1;
        }
    }
    println!("{ok} runs");
}
