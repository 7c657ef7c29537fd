//! Runtime errors raised while a mapping executes.

use crate::value::Value;
use std::fmt;

/// A runtime error. Type mismatches keep the offending value until the
/// call site that knows the receiver's annotation formats them.
#[derive(Clone)]
pub struct Error(Box<Kind>);

#[derive(Clone)]
enum Kind {
    Message(String),
    Type { expected: &'static str, got: Value },
}

/// Shorthand for results of runtime operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with a finished message.
    pub fn msg(message: impl Into<String>) -> Error {
        Error(Box::new(Kind::Message(message.into())))
    }

    /// A type mismatch: `expected` lists the accepted types as they are
    /// written in messages (`"string"`, `"number or string"`).
    pub fn type_mismatch(expected: &'static str, got: &Value) -> Error {
        Error(Box::new(Kind::Type {
            expected,
            got: got.clone(),
        }))
    }

    /// True for a type mismatch that has not been formatted yet.
    pub fn is_type_mismatch(&self) -> bool {
        matches!(*self.0, Kind::Type { .. })
    }

    /// The message, naming the annotated origin of a mismatched value:
    /// ``expected string value, got number from field `this.a` (5)``;
    /// other errors are prefixed: ``field `this.a`: value is null``.
    pub fn with_annotation(self, annotation: &str) -> Error {
        match *self.0 {
            Kind::Message(m) => Error::msg(format!("{annotation}: {m}")),
            Kind::Type { expected, got } => {
                Error::msg(type_message(expected, &got, Some(annotation)))
            }
        }
    }

    /// Prefixes the message (`failed assignment (line 3): …`).
    pub fn prefixed(self, prefix: &str) -> Error {
        Error::msg(format!("{prefix}{}", self.message()))
    }

    /// The message text.
    pub fn message(&self) -> String {
        match &*self.0 {
            Kind::Message(m) => m.clone(),
            Kind::Type { expected, got } => type_message(expected, got, None),
        }
    }
}

/// `expected <types> value, got <type>[ from <annot>][ (<value>)]`.
pub fn type_message(expected: &str, got: &Value, annotation: Option<&str>) -> String {
    let mut s = format!("expected {expected} value, got {}", got.type_name());
    if let Some(a) = annotation {
        s.push_str(" from ");
        s.push_str(a);
    }
    if let Some(shown) = shown_value(got) {
        s.push_str(" (");
        s.push_str(&shown);
        s.push(')');
    }
    s
}

/// How a value is shown in parentheses in type errors: strings quoted,
/// numbers and bools as text, other kinds not at all.
pub fn shown_value(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(tarn_syntax::strings::quote(s)),
        Value::Bool(_)
        | Value::Int(_)
        | Value::UInt(_)
        | Value::Float(_)
        | Value::Narrow(_)
        | Value::Number(_) => Some(crate::convert::to_display_string(v)),
        _ => None,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?})", self.message())
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(s: String) -> Error {
        Error::msg(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Error {
        Error::msg(s)
    }
}
