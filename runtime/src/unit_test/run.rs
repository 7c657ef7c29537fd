//! Running the tests of one target: each test's batches go through its
//! processors (as a pipeline worker runs them: every processor over every
//! batch in turn), and the batches that come out are compared with the
//! expected ones.

use super::conditions::{self, CheckCtx};
use super::definition::{self, Definition, LocatedCase};
use super::discover::Target;
use super::prepare::{self, Prepared};
use super::report::{CaseReport, Outcome, TargetReport};
use super::{Options, read_text};
use crate::component::{Batch, Batches, ProcessCtx, Responses, run_processors};
use tarn_lang::Vm;

/// Runs the tests of `target`; `None` when it has none.
pub fn target(
    runtime: &tokio::runtime::Runtime,
    target: &Target,
    options: &Options,
) -> Option<TargetReport> {
    let report = |result| TargetReport {
        config: target.config.clone(),
        definition: target.definition.clone(),
        result,
    };
    let text = match read_text(&target.definition, options) {
        Ok(t) => t,
        Err(e) => return Some(report(Err(e))),
    };
    let def = match definition::read(&target.definition, &text, target.own_file) {
        Ok(Some(def)) => def,
        Ok(None) => return None,
        Err(e) => return Some(report(Err(e))),
    };
    if target.own_file && !target.config.is_file() {
        let e = def.error(
            def.cases.first().map(LocatedCase::pos).unwrap_or_default(),
            String::new(),
            format!(
                "the config these tests are for, {}, does not exist",
                target.config.display()
            ),
        );
        return Some(report(Err(e)));
    }
    Some(report(Ok(run_definition(runtime, &def, target, options))))
}

fn run_definition(
    runtime: &tokio::runtime::Runtime,
    def: &Definition,
    target: &Target,
    options: &Options,
) -> Vec<CaseReport> {
    let prepared: Vec<_> = def
        .cases
        .iter()
        .map(|lc| prepare::prepare(def, &target.config, lc, options))
        .collect();
    let outputs: Vec<Option<Vec<Batch>>> = if def.parallel {
        runtime.block_on(futures_util::future::join_all(
            prepared.iter().map(|p| run_prepared(p.as_ref().ok())),
        ))
    } else {
        prepared
            .iter()
            .map(|p| runtime.block_on(run_prepared(p.as_ref().ok())))
            .collect()
    };
    let mut vm = Vm::new();
    def.cases
        .iter()
        .zip(prepared)
        .zip(outputs)
        .map(|((lc, prepared), output)| {
            let outcome = match (prepared, output) {
                (Err(e), _) => Outcome::Error(e),
                (Ok(_), Some(output)) => {
                    let mut ctx = CheckCtx {
                        dir: def.dir(),
                        options,
                        vm: &mut vm,
                    };
                    let failures = compare(lc, &output, &mut ctx);
                    if failures.is_empty() {
                        Outcome::Passed
                    } else {
                        Outcome::Failed(failures)
                    }
                }
                (Ok(_), None) => Outcome::Failed(vec!["the test did not run".into()]),
            };
            CaseReport {
                name: lc.case.name.clone(),
                pos: lc.pos(),
                outcome,
            }
        })
        .collect()
}

async fn run_prepared(prepared: Option<&Prepared>) -> Option<Vec<Batch>> {
    let prepared = prepared?;
    let mut vm = Vm::new();
    let responses = Responses::new();
    let mut ctx = ProcessCtx {
        vm: &mut vm,
        responses: &responses,
    };
    let batches: Batches = prepared.inputs.iter().cloned().collect();
    Some(
        run_processors(&prepared.processors, batches, &mut ctx)
            .await
            .into_vec(),
    )
}

/// The longest message content quoted in a failure, in characters.
const MAX_QUOTED: usize = 200;

fn quote(msg: &tarn_lang::Message) -> String {
    let text = String::from_utf8_lossy(msg.content().as_bytes());
    match text.char_indices().nth(MAX_QUOTED) {
        Some((at, _)) => format!("{:?}…", &text[..at]),
        None => format!("{text:?}"),
    }
}

/// Every way `output` differs from what test `lc` expects.
fn compare(lc: &LocatedCase, output: &[Batch], ctx: &mut CheckCtx<'_>) -> Vec<String> {
    let expected = &lc.case.output_batches;
    let mut failures = Vec::new();
    if output.len() != expected.len() {
        failures.push(format!(
            "expected {} output batch{}, got {}",
            expected.len(),
            if expected.len() == 1 { "" } else { "es" },
            output.len()
        ));
    }
    for (b, batch) in output.iter().enumerate() {
        let Some(wanted) = expected.get(b) else {
            let contents: Vec<String> = batch
                .iter()
                .map(|msg| match msg.error() {
                    Some(e) => format!("{} (flagged as failed: {e})", quote(msg)),
                    None => quote(msg),
                })
                .collect();
            failures.push(format!(
                "batch {b} was not expected: [{}]",
                contents.join(", ")
            ));
            continue;
        };
        if batch.len() != wanted.len() {
            failures.push(format!(
                "batch {b}: expected {} message{}, got {}",
                wanted.len(),
                if wanted.len() == 1 { "" } else { "s" },
                batch.len()
            ));
        }
        for (m, msg) in batch.iter().enumerate() {
            let Some(conds) = wanted.get(m) else {
                let flagged = msg
                    .error()
                    .map_or(String::new(), |e| format!(" (flagged as failed: {e})"));
                failures.push(format!(
                    "batch {b} message {m} was not expected: {}{flagged}",
                    quote(msg)
                ));
                continue;
            };
            let reasons = conditions::check(conds, msg, ctx);
            let failed = !reasons.is_empty();
            for reason in reasons {
                failures.push(format!("batch {b} message {m}: {reason}"));
            }
            if failed && let Some(error) = msg.error() {
                failures.push(format!(
                    "batch {b} message {m} was flagged as failed: {error}"
                ));
            }
        }
    }
    failures
}
