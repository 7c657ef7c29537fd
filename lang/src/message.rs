//! Messages as mappings see them: raw content, metadata, a lazily parsed
//! structured form and an error flag.

use crate::value::{Arc, Blob, Map, ParseJsonError, Value, parse_json};
use std::sync::OnceLock;

/// Shared empty metadata: a new message bumps a count instead of
/// allocating (the first write copies it). One per thread: a single
/// process-wide count would be bumped by every thread for every message,
/// and the cores would trade its cache line back and forth.
fn empty_meta() -> Arc<Map> {
    thread_local! {
        static EMPTY: Arc<Map> = Arc::new(Map::new());
    }
    EMPTY.with(Arc::clone)
}

/// One message of a batch.
#[derive(Debug, Clone)]
pub struct Message {
    content: Blob,
    meta: Arc<Map>,
    structured: OnceLock<Result<Value, ParseJsonError>>,
    /// True when `structured` was given (a mapping's output, raw text),
    /// not parsed from `content`: parsing the content again would not
    /// always give it back (bytes, timestamps …).
    structured_given: bool,
    error: Option<Arc<Failure>>,
    tracing: Option<Arc<Map>>,
}

/// The component that failed a message, as `error_source_*()` report it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorSource {
    /// The component's type name (`mapping`, `http_client` …).
    pub name: String,
    /// Its label, `""` when it has none.
    pub label: String,
    /// Its path in the config (`root.pipeline.processors.0`).
    pub path: String,
}

/// An error attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    text: String,
    source: Option<ErrorSource>,
}

impl Message {
    /// A message with raw content and no metadata.
    pub fn new(content: &[u8]) -> Message {
        Message {
            content: Blob::new(content),
            meta: empty_meta(),
            structured: OnceLock::new(),
            structured_given: false,
            error: None,
            tracing: None,
        }
    }

    /// A message whose content is `content` and whose structured form is
    /// already known to be `value` (no re-parse when a later step reads it).
    pub fn with_structured(content: Blob, value: Value) -> Message {
        let structured = OnceLock::new();
        let _ = structured.set(Ok(value));
        Message {
            content,
            meta: empty_meta(),
            structured,
            structured_given: true,
            error: None,
            tracing: None,
        }
    }

    /// The raw content.
    pub fn content(&self) -> &Blob {
        &self.content
    }

    /// Replaces the content, forgetting the parsed form.
    pub fn set_content(&mut self, content: Blob) {
        self.content = content;
        self.structured = OnceLock::new();
        self.structured_given = false;
    }

    /// Replaces the content with a known structured form.
    pub fn set_structured(&mut self, content: Blob, value: Value) {
        self.content = content;
        let cell = OnceLock::new();
        let _ = cell.set(Ok(value));
        self.structured = cell;
        self.structured_given = true;
    }

    /// The content parsed as JSON (parsed once, on first use).
    pub fn structured(&self) -> Result<&Value, &ParseJsonError> {
        self.structured
            .get_or_init(|| parse_json(self.content.as_bytes()))
            .as_ref()
    }

    /// Takes the parsed content out of the message when it is a JSON
    /// object parsed from the content (parsing it first if that has not
    /// happened yet), leaving the cache empty: a later
    /// [`Message::structured`] parses the unchanged content again and gets
    /// the same object. `None`, with the message unchanged, for empty
    /// content, content that is not a JSON object, and a structured form
    /// that was given rather than parsed.
    pub fn take_structured_object(&mut self) -> Option<Value> {
        if self.structured_given
            || self.content.is_empty()
            || !matches!(self.structured(), Ok(Value::Object(_)))
        {
            return None;
        }
        self.structured.take()?.ok()
    }

    /// The metadata.
    pub fn meta(&self) -> &Arc<Map> {
        &self.meta
    }

    /// The metadata, for changing.
    pub fn meta_mut(&mut self) -> &mut Map {
        Arc::make_mut(&mut self.meta)
    }

    /// Replaces all metadata.
    pub fn set_meta(&mut self, meta: Arc<Map>) {
        self.meta = meta;
    }

    /// Sets one metadata key.
    pub fn with_meta(mut self, key: &str, value: Value) -> Message {
        self.meta_mut().insert(key, value);
        self
    }

    /// The error text attached by a failed step.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref().map(|f| f.text.as_str())
    }

    /// The component that attached the error, when it is known.
    pub fn error_source(&self) -> Option<&ErrorSource> {
        self.error.as_deref().and_then(|f| f.source.as_ref())
    }

    /// Attaches (or clears) an error with no known source.
    pub fn set_error(&mut self, error: Option<String>) {
        self.error = error.map(|text| Arc::new(Failure { text, source: None }));
    }

    /// Attaches an error raised by the component `source`.
    pub fn set_error_from(&mut self, text: String, source: ErrorSource) {
        self.error = Some(Arc::new(Failure {
            text,
            source: Some(source),
        }));
    }

    /// The tracing span as a text map (`traceparent` …), when traced.
    pub fn tracing(&self) -> Option<&Arc<Map>> {
        self.tracing.as_ref()
    }

    /// Attaches (or clears) the tracing span text map.
    pub fn set_tracing(&mut self, span: Option<Arc<Map>>) {
        self.tracing = span;
    }
}
