//! Applies a VRL program (path given as the first argument) to each NDJSON
//! line on stdin and writes the resulting event as one JSON line.

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};

use vrl::compiler::state::RuntimeState;
use vrl::compiler::{Context, TargetValue, TimeZone, compile};
use vrl::value::{Secrets, Value};

fn main() {
    if let Err(e) = run() {
        eprintln!("vrl-map: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: vrl-map PROGRAM.vrl < in.ndjson")?;
    let src = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let fns = vrl::stdlib::all();
    let compiled = compile(&src, &fns).map_err(|d| format!("compile {path}: {d:?}"))?;
    let program = compiled.program;
    let tz = TimeZone::default();
    let mut state = RuntimeState::default();
    let mut stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut line = String::new();
    loop {
        line.clear();
        if stdin.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        // Straight into VRL's own value type (no serde_json::Value in between).
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("vrl-map: bad line: {e}");
                continue;
            }
        };
        let mut target = TargetValue {
            value,
            metadata: Value::Object(BTreeMap::new()),
            secrets: Secrets::default(),
        };
        state.clear();
        let mut ctx = Context::new(&mut target, &mut state, &tz);
        if let Err(e) = program.resolve(&mut ctx) {
            eprintln!("vrl-map: runtime error: {e}");
            continue;
        }
        serde_json::to_writer(&mut out, &target.value).map_err(|e| e.to_string())?;
        out.write_all(b"\n").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}
