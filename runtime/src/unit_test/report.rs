//! What a test run found, and its text: one line per test (`PASS` or
//! `FAIL` with the file and the test's name), then each failure in full
//! (located at the test, with every difference), then the counts.

use super::SetupError;
use crate::config::node::Pos;
use std::fmt::Write as _;
use std::path::PathBuf;

/// How one test ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every output met its conditions.
    Passed,
    /// The output differed: one reason per difference.
    Failed(Vec<String>),
    /// The test could not run (its processors or inputs are wrong).
    Error(SetupError),
}

/// One test's result.
#[derive(Debug)]
pub struct CaseReport {
    /// The test's name.
    pub name: String,
    /// Where it is written.
    pub pos: Pos,
    /// How it ended.
    pub outcome: Outcome,
}

impl CaseReport {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        matches!(self.outcome, Outcome::Passed)
    }
}

/// The tests of one config.
#[derive(Debug)]
pub struct TargetReport {
    /// The config tested.
    pub config: PathBuf,
    /// The file the tests are written in.
    pub definition: PathBuf,
    /// Each test's result, or why the test file could not be read.
    pub result: Result<Vec<CaseReport>, SetupError>,
}

/// A whole run.
#[derive(Debug)]
pub struct Report {
    /// Each config with tests, sorted by path.
    pub targets: Vec<TargetReport>,
    /// Paths that could not be looked at.
    pub errors: Vec<SetupError>,
}

/// Test counts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed or could not run.
    pub failed: usize,
    /// Test files that could not be read.
    pub broken_files: usize,
}

impl Report {
    /// The counts.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            broken_files: self.errors.len(),
            ..Counts::default()
        };
        for target in &self.targets {
            match &target.result {
                Ok(cases) => {
                    for case in cases {
                        if case.passed() {
                            counts.passed += 1;
                        } else {
                            counts.failed += 1;
                        }
                    }
                }
                Err(_) => counts.broken_files += 1,
            }
        }
        counts
    }

    /// True when tests were found and every one passed.
    pub fn passed(&self) -> bool {
        let c = self.counts();
        c.failed == 0 && c.broken_files == 0 && c.passed > 0
    }

    /// The report as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut failures = String::new();
        for target in &self.targets {
            let file = target.definition.display().to_string();
            let about = if target.definition == target.config {
                String::new()
            } else {
                format!(" (for {})", target.config.display())
            };
            match &target.result {
                Err(e) => {
                    let _ = writeln!(out, "FAIL  {file}{about}: the tests cannot be read");
                    let _ = writeln!(failures, "\n--- {file} ---\n{e}");
                }
                Ok(cases) => {
                    for case in cases {
                        let status = if case.passed() { "PASS" } else { "FAIL" };
                        let _ = writeln!(out, "{status}  {file}: {}", case.name);
                        let details = match &case.outcome {
                            Outcome::Passed => continue,
                            Outcome::Failed(reasons) => reasons.join("\n"),
                            Outcome::Error(e) => format!("the test cannot run:\n{e}"),
                        };
                        let _ = writeln!(
                            failures,
                            "\n--- {file}:{}:{}: {}{about} ---\n{details}",
                            case.pos.line, case.pos.col, case.name
                        );
                    }
                }
            }
        }
        for e in &self.errors {
            let _ = writeln!(failures, "\n{e}");
        }
        if !failures.is_empty() {
            out.push_str("\nFailures:\n");
            out.push_str(&failures);
        }
        let c = self.counts();
        if c.passed + c.failed + c.broken_files == 0 {
            out.push_str("No tests were found.\n");
            return out;
        }
        let _ = write!(
            out,
            "\n{} test{}: {} passed, {} failed",
            c.passed + c.failed,
            if c.passed + c.failed == 1 { "" } else { "s" },
            c.passed,
            c.failed
        );
        if c.broken_files > 0 {
            let _ = write!(
                out,
                "; {} file{} could not be read",
                c.broken_files,
                if c.broken_files == 1 { "" } else { "s" }
            );
        }
        out.push('\n');
        out
    }
}
