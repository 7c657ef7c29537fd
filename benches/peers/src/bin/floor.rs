//! The floor: parse each NDJSON line into a `serde_json::Value` and write it back.

use std::io::{BufRead, BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mut stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut line = String::new();
    loop {
        line.clear();
        if stdin.read_line(&mut line)? == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(v) => {
                serde_json::to_writer(&mut out, &v)?;
                out.write_all(b"\n")?;
            }
            Err(e) => eprintln!("floor: bad line: {e}"),
        }
    }
    out.flush()
}
