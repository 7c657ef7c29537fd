//! Flow processors: `switch` (per-message cases) and `branch` (processors
//! on a derived message whose result is mapped back onto the original).

use super::{Processor, run_all};
use crate::txn::{Batch, ResponseStore};
use std::sync::Arc;
use tarn_lang::convert::to_message_bytes;
use tarn_lang::value::Blob;
use tarn_lang::{ErrorSource, Message, Mode, Program, Value, Vm};

/// One case of a `switch`.
#[derive(Debug)]
pub struct SwitchCase {
    /// The check; `None` always passes.
    pub check: Option<Arc<Program>>,
    /// What runs on a message that reaches this case.
    pub processors: Vec<Processor>,
    /// Whether a message that ran this case goes on to the next one.
    pub fallthrough: bool,
}

/// A `branch` processor.
#[derive(Debug)]
pub struct Branch {
    /// Builds the branch's message from the original (`None`: a copy).
    pub request_map: Option<Arc<Program>>,
    /// Run on the branch's messages.
    pub processors: Vec<Processor>,
    /// Maps the result back onto the original (`None`: unchanged).
    pub result_map: Option<Arc<Program>>,
    /// Who flags a message that fails here.
    pub source: ErrorSource,
}

/// Sets the document a mapping produced as the message's content.
/// `Ok(false)` means the mapping deleted the message.
pub fn set_root(msg: &mut Message, root: Value) -> Result<bool, String> {
    match root {
        Value::Delete => return Ok(false),
        Value::Nothing => {}
        Value::Str(s) => msg.set_content(Blob::new(s.as_bytes())),
        Value::Bytes(b) => msg.set_content(b),
        root => {
            let mut bytes = Vec::new();
            to_message_bytes(&root, &mut bytes).map_err(|e| e.to_string())?;
            msg.set_structured(Blob::new(&bytes), root);
        }
    }
    Ok(true)
}

/// Runs a `check` on message `index`: `Ok(true)` when it passes.
fn check_passes(
    program: &Program,
    vm: &mut Vm,
    batch: &Batch,
    index: usize,
) -> Result<bool, String> {
    let outcome =
        tarn_lang::vm::run(program, vm, batch, index, Mode::Mapping).map_err(|e| e.to_string())?;
    match outcome.root {
        Value::Bool(b) => Ok(b),
        other => Err(format!(
            "expected bool value, got {}",
            tarn_lang::convert::to_display_string(&other)
        )),
    }
}

/// Runs a switch: each message goes through the processors of the first
/// case whose check passes (and of the following cases while they fall
/// through). Each message is processed on its own, so the result keeps
/// the batch's order; messages no case takes pass unchanged.
pub fn run_switch(
    cases: &[SwitchCase],
    vm: &mut Vm,
    batch: Batch,
    store: Option<&ResponseStore>,
) -> Batch {
    // Which case each message starts at (`cases.len()`: none).
    let starts: Vec<usize> = (0..batch.len())
        .map(|i| {
            cases
                .iter()
                .position(|case| match &case.check {
                    None => true,
                    Some(p) => check_passes(p, vm, &batch, i).unwrap_or_else(|e| {
                        eprintln!(
                            "level=error msg={:?}",
                            format!("switch: failed to test a case: {e}")
                        );
                        false
                    }),
                })
                .unwrap_or(cases.len())
        })
        .collect();
    let mut out = Vec::with_capacity(batch.len());
    for (msg, start) in batch.into_iter().zip(starts) {
        let mut part = vec![msg];
        for case in cases.iter().skip(start) {
            part = run_all(&case.processors, vm, part, store);
            if !case.fallthrough || part.is_empty() {
                break;
            }
        }
        out.extend(part);
    }
    out
}

impl Branch {
    /// Runs the branch on every message of the batch.
    pub fn run(&self, vm: &mut Vm, mut batch: Batch, store: Option<&ResponseStore>) -> Batch {
        // Build the requests; remember whose each one is.
        let mut owners = Vec::new();
        let mut requests = Vec::new();
        for i in 0..batch.len() {
            match self.request(vm, &batch, i) {
                Ok(Some(req)) => {
                    owners.push(i);
                    requests.push(req);
                }
                Ok(None) => {}
                Err(e) => batch[i]
                    .set_error_from(format!("request mapping failed: {e}"), self.source.clone()),
            }
        }
        if requests.is_empty() {
            return batch;
        }
        let results = run_all(&self.processors, vm, requests, store);
        if results.len() != owners.len() {
            let e = format!(
                "child processors resulted in {} messages, expected {}",
                results.len(),
                owners.len()
            );
            for &i in &owners {
                batch[i].set_error_from(e.clone(), self.source.clone());
            }
            return batch;
        }
        let mut deleted = vec![false; batch.len()];
        for (r, &i) in owners.iter().enumerate() {
            if let Some(e) = results[r].error() {
                let e = format!("processors failed: {e}");
                batch[i].set_error_from(e, self.source.clone());
                continue;
            }
            let Some(map) = &self.result_map else {
                continue;
            };
            match self.map_back(map, vm, &results, r, &batch[i]) {
                Ok(Some(msg)) => batch[i] = msg,
                Ok(None) => deleted[i] = true,
                Err(e) => batch[i]
                    .set_error_from(format!("result mapping failed: {e}"), self.source.clone()),
            }
        }
        batch
            .into_iter()
            .zip(deleted)
            .filter(|(_, d)| !d)
            .map(|(m, _)| m)
            .collect()
    }

    /// The branch's message for message `index`; `None` when the request
    /// mapping deleted it.
    fn request(&self, vm: &mut Vm, batch: &Batch, index: usize) -> Result<Option<Message>, String> {
        let mut msg = batch[index].clone();
        msg.set_error(None);
        let Some(map) = &self.request_map else {
            return Ok(Some(msg));
        };
        let outcome =
            tarn_lang::vm::run(map, vm, batch, index, Mode::Mapping).map_err(|e| e.to_string())?;
        msg.set_meta(outcome.meta);
        Ok(set_root(&mut msg, outcome.root)?.then_some(msg))
    }

    /// Maps result `r` onto `original`: `this` is the result, `root` starts
    /// as the original document, metadata starts as the original's.
    fn map_back(
        &self,
        map: &Program,
        vm: &mut Vm,
        results: &Batch,
        r: usize,
        original: &Message,
    ) -> Result<Option<Message>, String> {
        let root = original.structured().cloned().unwrap_or(Value::Nothing);
        let outcome = tarn_lang::vm::run_onto(map, vm, results, r, root, original.meta().clone())
            .map_err(|e| e.to_string())?;
        let mut msg = original.clone();
        msg.set_meta(outcome.meta);
        Ok(set_root(&mut msg, outcome.root)?.then_some(msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tarn_lang::Env;

    fn prog(src: &str) -> Arc<Program> {
        Arc::new(Env::standard().compile(src).expect("compiles"))
    }

    fn mapping(src: &str) -> Processor {
        Processor::Mapping {
            program: prog(src),
            mode: Mode::Mapping,
            source: tarn_lang::ErrorSource {
                name: "mapping".to_string(),
                label: String::new(),
                path: "test".to_string(),
            },
        }
    }

    fn contents(batch: &Batch) -> Vec<String> {
        batch
            .iter()
            .map(|m| String::from_utf8_lossy(m.content().as_bytes()).into_owned())
            .collect()
    }

    fn batch(items: &[&str]) -> Batch {
        items.iter().map(|s| Message::new(s.as_bytes())).collect()
    }

    #[test]
    fn switch_takes_the_first_passing_case_and_keeps_order() {
        let cases = vec![
            SwitchCase {
                check: Some(prog("root = this.n > 5")),
                processors: vec![mapping(r#"root = "big " + this.n.string()"#)],
                fallthrough: false,
            },
            SwitchCase {
                check: Some(prog("root = this.n > 2")),
                processors: vec![mapping(r#"root = "mid " + this.n.string()"#)],
                fallthrough: false,
            },
        ];
        let out = run_switch(
            &cases,
            &mut Vm::new(),
            batch(&[r#"{"n":1}"#, r#"{"n":9}"#, r#"{"n":3}"#]),
            None,
        );
        assert_eq!(contents(&out), [r#"{"n":1}"#, "big 9", "mid 3"]);
    }

    #[test]
    fn switch_fallthrough_runs_the_next_case_regardless_of_its_check() {
        let cases = vec![
            SwitchCase {
                check: Some(prog(r#"root = content() == "a""#)),
                processors: vec![mapping(r#"root = content() + "1""#)],
                fallthrough: true,
            },
            SwitchCase {
                check: Some(prog("root = false")),
                processors: vec![mapping(r#"root = content() + "2""#)],
                fallthrough: false,
            },
            SwitchCase {
                check: None,
                processors: vec![mapping(r#"root = content() + "3""#)],
                fallthrough: false,
            },
        ];
        let out = run_switch(&cases, &mut Vm::new(), batch(&["a", "b"]), None);
        assert_eq!(contents(&out), ["a12", "b3"]);
    }

    #[test]
    fn switch_drops_deleted_messages_and_treats_bad_checks_as_failing() {
        let cases = vec![
            SwitchCase {
                check: Some(prog(r#"root = "yes""#)),
                processors: vec![mapping("root = deleted()")],
                fallthrough: false,
            },
            SwitchCase {
                check: Some(prog(r#"root = content() == "x""#)),
                processors: vec![mapping("root = deleted()")],
                fallthrough: false,
            },
        ];
        let out = run_switch(&cases, &mut Vm::new(), batch(&["x", "y"]), None);
        assert_eq!(contents(&out), ["y"]);
    }

    fn branch(req: Option<&str>, procs: Vec<Processor>, res: Option<&str>) -> Branch {
        Branch {
            request_map: req.map(prog),
            processors: procs,
            result_map: res.map(prog),
            source: ErrorSource {
                name: "branch".into(),
                label: String::new(),
                path: "root.pipeline.processors.0".into(),
            },
        }
    }

    #[test]
    fn branch_maps_the_result_onto_the_original() {
        let b = branch(
            Some("root.v = this.id\nmeta tmp = \"x\""),
            vec![mapping("root = {\"doubled\": this.v * 2}\nmeta got = @tmp")],
            Some("root.result = this.doubled\nmeta seen = @orig"),
        );
        let input =
            vec![Message::new(br#"{"id":21,"keep":true}"#).with_meta("orig", Value::Int(1))];
        let out = b.run(&mut Vm::new(), input, None);
        assert_eq!(contents(&out), [r#"{"id":21,"keep":true,"result":42}"#]);
        // Metadata starts as the original's: nothing of the branch leaks.
        let meta = out[0].meta();
        assert_eq!(meta.get("orig"), Some(&Value::Int(1)));
        assert_eq!(meta.get("seen"), Some(&Value::Int(1)));
        assert!(meta.get("tmp").is_none() && meta.get("got").is_none());
    }

    #[test]
    fn branch_skips_deleted_requests_and_flags_errors() {
        let b = branch(
            Some(r#"root = if this.skip { deleted() } else { this }"#),
            vec![mapping(
                r#"root = if this.fail { throw("boom") } else { {"ok": 1} }"#,
            )],
            Some("root.ok = this.ok"),
        );
        let input = batch(&[
            r#"{"skip":true}"#,
            r#"{"skip":false,"fail":true}"#,
            r#"{"skip":false,"fail":false}"#,
        ]);
        let out = b.run(&mut Vm::new(), input, None);
        assert_eq!(
            contents(&out),
            [
                r#"{"skip":true}"#,
                r#"{"skip":false,"fail":true}"#,
                r#"{"fail":false,"ok":1,"skip":false}"#
            ]
        );
        assert!(out[0].error().is_none() && out[2].error().is_none());
        let err = out[1].error().unwrap_or_default();
        assert!(err.contains("boom"), "{err}");
        assert_eq!(
            out[1].error_source().map(|s| s.name.as_str()),
            Some("branch")
        );
    }

    #[test]
    fn branch_result_map_can_replace_or_delete_the_original() {
        let b = branch(None, vec![], Some("root = this.a"));
        let out = b.run(&mut Vm::new(), batch(&[r#"{"a":"x"}"#]), None);
        assert_eq!(contents(&out), ["x"]);
        let b = branch(None, vec![], Some("root = deleted()"));
        assert!(b.run(&mut Vm::new(), batch(&["1"]), None).is_empty());
    }
}
