//! `metrics.mapping`: a Bloblang mapping run once per new series, with
//! `this` the metric name and the labels as metadata. Assigning a string
//! to `root` renames the metric, `root = deleted()` drops it, not
//! assigning `root` keeps the name; the metadata it leaves is the label
//! set.

use super::{Key, Labels};
use std::sync::Arc;
use tarn_lang::convert::to_display_string;
use tarn_lang::value::Blob;
use tarn_lang::{Message, Mode, Program, Value, Vm};

/// What `program` makes of the series `name` + `labels`: the new name and
/// labels, `None` when it drops the series, or why it failed.
pub(super) fn apply(program: &Program, name: &str, labels: &Labels) -> Result<Option<Key>, String> {
    let mut msg = Message::with_structured(Blob::new(name.as_bytes()), Value::str(name));
    let meta = msg.meta_mut();
    for (k, v) in labels {
        meta.insert(k.as_str(), Value::str(v));
    }
    let outcome = tarn_lang::vm::run(
        program,
        &mut Vm::new(),
        std::slice::from_ref(&msg),
        0,
        Mode::Mapping,
    )
    .map_err(|e| e.to_string())?;
    let new_name: Arc<str> = match &outcome.root {
        Value::Delete => return Ok(None),
        Value::Nothing => Arc::from(name),
        Value::Str(s) if !s.as_str().is_empty() => Arc::from(s.as_str()),
        Value::Str(_) => return Err("the mapping gave an empty metric name".to_string()),
        other => {
            return Err(format!(
                "expected a string metric name, got {}",
                other.type_name()
            ));
        }
    };
    let label = |v: &Value| match v {
        Value::Delete | Value::Nothing => None,
        v => Some(to_display_string(v)),
    };
    // Labels that stay keep their places; new ones follow in key order.
    let mut out: Labels = labels
        .iter()
        .filter_map(|(k, _)| Some((k.clone(), label(outcome.meta.get(k)?)?)))
        .collect();
    for (k, v) in outcome.meta.iter() {
        if !labels.iter().any(|(old, _)| old == k.as_str())
            && let Some(v) = label(v)
        {
            out.push((k.to_string(), v));
        }
    }
    Ok(Some((new_name, out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tarn_lang::Env;

    fn run(src: &str, name: &str, labels: &[(&str, &str)]) -> Result<Option<Key>, String> {
        let program = Env::standard().compile(src).expect("compiles");
        let labels: Labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        apply(&program, name, &labels)
    }

    fn key(name: &str, labels: &[(&str, &str)]) -> Key {
        (
            Arc::from(name),
            labels
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        )
    }

    #[test]
    fn renames_drops_and_keeps() {
        let l = [("label", "in"), ("path", "root.input")];
        let src = r#"root = if this == "input_received" { "tarn_in" } else if this.has_prefix("output_") { deleted() }"#;
        assert_eq!(run(src, "input_received", &l), Ok(Some(key("tarn_in", &l))));
        assert_eq!(run(src, "output_sent", &l), Ok(None));
        assert_eq!(
            run(src, "processor_sent", &l),
            Ok(Some(key("processor_sent", &l)))
        );
    }

    #[test]
    fn metadata_becomes_the_labels() {
        let l = [("label", "in"), ("path", "root.input"), ("stream", "s1")];
        let src = "meta path = deleted()\nmeta label = @label.uppercase()\nmeta env = \"prod\"\nmeta n = 3";
        assert_eq!(
            run(src, "input_received", &l),
            Ok(Some(key(
                "input_received",
                &[
                    ("label", "IN"),
                    ("stream", "s1"),
                    ("env", "prod"),
                    ("n", "3")
                ]
            )))
        );
        assert_eq!(run("meta = deleted()", "x", &l), Ok(Some(key("x", &[]))));
    }

    #[test]
    fn errors_and_non_strings_fail() {
        let l = [("label", "")];
        let thrown = run(r#"root = throw("no")"#, "x", &l).expect_err("throws");
        assert!(thrown.contains("no"), "{thrown}");
        let number = run("root = 5", "x", &l).expect_err("a number");
        assert!(number.contains("string"), "{number}");
        assert!(run(r#"root = """#, "x", &l).is_err());
    }
}
