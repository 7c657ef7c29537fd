//! The `log` processor.

use super::{Level, current, log};
use std::sync::Arc;
use tarn_lang::Value;

/// The `log` processor: a line per message at its level, with the
/// component's `label` and `path`, the fields of `fields` and those of
/// `fields_mapping`.
#[derive(Debug)]
pub struct LogProcessor {
    /// The level of its lines.
    pub level: Level,
    /// The interpolated message.
    pub message: Arc<tarn_lang::Interpolation>,
    /// A mapping whose object result becomes extra fields.
    pub fields_mapping: Option<Arc<tarn_lang::Program>>,
    /// The older `fields`: names with interpolated values.
    pub fields: Vec<(String, Arc<tarn_lang::Interpolation>)>,
    /// The component's label.
    pub label: String,
    /// Its config path (`root.pipeline.processors.0`).
    pub path: String,
}

impl LogProcessor {
    /// Logs every message of `batch` (nothing when the level is filtered
    /// out).
    pub fn process(&self, vm: &mut tarn_lang::Vm, batch: &[tarn_lang::Message]) {
        if !current().enabled(self.level) {
            return;
        }
        for i in 0..batch.len() {
            let text = self
                .message
                .render(vm, batch, i)
                .unwrap_or_else(|e| format!("failed to render the log message: {e}"));
            let mut fields: Vec<(String, Value)> = vec![
                ("label".into(), Value::str(&self.label)),
                ("path".into(), Value::str(&self.path)),
            ];
            for (k, v) in &self.fields {
                let text = v
                    .render(vm, batch, i)
                    .unwrap_or_else(|e| format!("failed to render: {e}"));
                fields.push((k.clone(), Value::str(&text)));
            }
            if let Some(program) = &self.fields_mapping {
                match tarn_lang::vm::run(program, vm, batch, i, tarn_lang::Mode::Mapping) {
                    Ok(outcome) => {
                        if let Value::Object(map) = &outcome.root {
                            for (k, v) in map.iter() {
                                fields.push((k.to_string(), v.clone()));
                            }
                        }
                    }
                    Err(e) => log(
                        Level::Error,
                        &format!("failed to execute fields mapping: {e}"),
                        &[("path", Value::str(&self.path))],
                    ),
                }
            }
            let fields: Vec<(&str, Value)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            log(self.level, &text, &fields);
        }
    }
}
