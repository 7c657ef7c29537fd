//! The conformance ratchet: every case id listed in
//! `tests/conformance/passing.txt` must still pass on Benthos's own
//! documented examples (`../shared/conformance`). The list only grows.
//!
//! When `../shared` is absent the check is skipped with a visible notice.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_runner() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runner = root.join("../shared/conformance/run");
    runner.exists().then_some(runner)
}

#[test]
fn conformance_ratchet_holds() {
    let Some(runner) = shared_runner() else {
        eprintln!(
            "\n*** SKIPPED: ../shared/conformance is not present; the conformance ratchet was not checked ***\n"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_json =
        std::env::temp_dir().join(format!("tarn-conformance-{}.json", std::process::id()));
    let status = Command::new("python3")
        .arg(&runner)
        .args([
            "--tarn",
            env!("CARGO_BIN_EXE_tarn"),
            "--failures",
            "0",
            "--jobs",
            "2",
            "--json",
        ])
        .arg(&out_json)
        .status()
        .expect("python3 runs the conformance runner");
    assert!(status.success(), "the conformance runner failed to run");
    let report = std::fs::read_to_string(&out_json).expect("runner wrote its report");
    let _ = std::fs::remove_file(&out_json);
    let results: Vec<serde_json::Value> = serde_json::from_str(&report).expect("report is JSON");
    let passing: BTreeSet<String> = results
        .iter()
        .filter(|r| r["ok"].as_bool() == Some(true))
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    let ratchet_path = root.join("tests/conformance/passing.txt");
    let ratchet_text = std::fs::read_to_string(&ratchet_path).unwrap_or_default();
    let ratchet: BTreeSet<String> = ratchet_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let regressed: Vec<&String> = ratchet.difference(&passing).collect();
    let gained: Vec<&String> = passing.difference(&ratchet).collect();
    let detail = |id: &str| {
        results
            .iter()
            .find(|r| r["id"].as_str() == Some(id))
            .and_then(|r| r["detail"].as_str())
            .unwrap_or("")
            .to_string()
    };
    eprintln!(
        "conformance: {} of {} cases pass; ratchet lists {}",
        passing.len(),
        results.len(),
        ratchet.len()
    );
    if !gained.is_empty() {
        eprintln!(
            "{} newly passing cases are not in the ratchet yet; run scripts/update-ratchet to add them",
            gained.len()
        );
    }
    assert!(
        regressed.is_empty(),
        "{} ratcheted conformance cases no longer pass:\n{}",
        regressed.len(),
        regressed
            .iter()
            .map(|id| format!("{id}: {}", detail(id)))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
