//! The interface stdlib implementations see: their arguments, query
//! closures, the message being processed and the VM's caches.

use super::exec::Exec;
use super::run::{Mode, Outcome, run_nested};
use crate::error::{Error, Result};
use crate::message::Message;
use crate::program::{CallSite, Program};
use crate::stdlib::{Kind, Spec};
use crate::value::{Map, Num, Value};
use smallvec::SmallVec;
use std::sync::Arc;

/// One invocation of a stdlib function or method.
pub struct Call<'c, 'a> {
    exec: &'c mut Exec<'a>,
    site: &'a CallSite,
    args: SmallVec<[Value; 4]>,
}

impl<'c, 'a> Call<'c, 'a> {
    pub(crate) fn new(
        exec: &'c mut Exec<'a>,
        site: &'a CallSite,
        args: SmallVec<[Value; 4]>,
    ) -> Self {
        Call { exec, site, args }
    }

    /// The spec being called.
    pub fn spec(&self) -> &'static Spec {
        self.site.spec
    }

    /// All argument values in parameter order (a query argument reads as
    /// `null`; an omitted optional one as `nothing()`).
    pub fn args(&self) -> &[Value] {
        &self.args
    }

    /// Argument `i`.
    pub fn arg(&self, i: usize) -> &Value {
        self.args.get(i).unwrap_or(&Value::Nothing)
    }

    /// Takes argument `i` out.
    pub fn take_arg(&mut self, i: usize) -> Value {
        self.args
            .get_mut(i)
            .map(Value::take)
            .unwrap_or(Value::Nothing)
    }

    /// True when argument `i` was given (or has a default).
    pub fn given(&self, i: usize) -> bool {
        !matches!(self.arg(i), Value::Nothing)
    }

    /// A string argument (`""` when omitted).
    pub fn str(&self, i: usize) -> &str {
        self.arg(i).as_str().unwrap_or("")
    }

    /// An optional string argument.
    pub fn opt_str(&self, i: usize) -> Option<&str> {
        self.arg(i).as_str()
    }

    /// An integer argument (0 when omitted).
    pub fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or(0)
    }

    /// An optional integer argument.
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match self.arg(i) {
            Value::Int(v) => Some(*v),
            other => other.num().map(Num::to_i64_lossy),
        }
    }

    /// A number argument (0 when omitted).
    pub fn float(&self, i: usize) -> f64 {
        self.arg(i).as_f64().unwrap_or(0.0)
    }

    /// A bool argument (false when omitted).
    pub fn bool(&self, i: usize) -> bool {
        matches!(self.arg(i), Value::Bool(true))
    }

    /// Runs query argument `i` with `this` bound to `ctx`.
    /// `Lazy` arguments ignore `ctx` and run in the caller's context.
    pub fn query(&mut self, i: usize, ctx: Value) -> Result<Value> {
        match self.site.queries.get(i).copied().flatten() {
            Some(id) => self.exec.run_closure(id, ctx),
            None => Ok(self.arg(i).clone()),
        }
    }

    /// Prefixes an error with the receiver's annotation, as the VM does for
    /// methods that do not evaluate their receiver lazily.
    pub fn annotate(&self, e: Error) -> Error {
        e.with_annotation(&self.site.annotation)
    }

    /// Evaluates a lazily evaluated receiver (`catch`, `or`, `from`).
    pub fn receiver(&mut self) -> Result<Value> {
        match self.site.receiver {
            Some(id) => self.exec.run_closure(id, Value::Null),
            None => Ok(Value::Null),
        }
    }

    /// The value of a `let` variable of the running mapping or map.
    pub fn variable(&self, name: &str) -> Option<&Value> {
        self.exec.variable(name)
    }

    /// Runs the named map on `value`.
    pub fn apply_map(&mut self, name: &str, value: Value) -> Result<Value> {
        self.exec.apply_map(name, value)
    }

    /// Runs `prog` as a mapping on `message`, nested in the running one
    /// (as `bloblang` does): it shares this run's VM and its budget of
    /// re-entries, and fails once mappings are nested
    /// [`MAX_NESTED_MAPPINGS`](super::MAX_NESTED_MAPPINGS) deep.
    pub fn run_mapping(&mut self, prog: &Program, message: &Message) -> Result<Outcome> {
        let batch = std::slice::from_ref(message);
        run_nested(prog, self.exec.vm, batch, Mode::Mapping, self.exec.depth)
    }

    /// The message index-sensitive functions read.
    pub fn message(&self) -> Option<&'a Message> {
        self.exec.message()
    }

    /// All messages of the batch.
    pub fn batch(&self) -> &'a [Message] {
        self.exec.batch
    }

    /// Index of the message being read.
    pub fn index(&self) -> usize {
        self.exec.index
    }

    /// Runs `f` with index-sensitive functions reading message `index`.
    pub fn with_index<T>(&mut self, index: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.exec.index, index);
        let out = f(self);
        self.exec.index = saved;
        out
    }

    /// The output metadata as written so far.
    pub fn output_meta(&self) -> &Map {
        &self.exec.meta
    }

    /// A compiled regular expression (cached per VM).
    pub fn regex(&mut self, pattern: &str) -> Result<Arc<regex::Regex>> {
        self.exec
            .vm
            .regex(pattern)
            .map_err(|e| Error::msg(regex_error_text(&e)))
    }

    /// The directory of the mapping file being run, when it came from one.
    pub fn mapping_dir(&self) -> Option<&'a std::path::Path> {
        self.exec.prog.dir.as_deref()
    }

    /// Runs `f` on this call site's persistent state (shared by every run
    /// of the program, across threads).
    pub fn site_state<T: Default + Send + 'static, R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = match self.site.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let slot = guard.get_or_insert_with(|| Box::new(T::default()));
        if !slot.is::<T>() {
            *slot = Box::new(T::default());
        }
        match slot.downcast_mut::<T>() {
            Some(state) => f(state),
            None => f(&mut T::default()),
        }
    }
}

/// A regex compile error phrased like Go's `regexp` errors where possible.
pub fn regex_error_text(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(s) => {
            format!("error parsing regexp: {}", s.lines().last().unwrap_or(s))
        }
        other => other.to_string(),
    }
}

/// Checks and converts arguments to their parameters' kinds: integers
/// become int64, numbers float64, strings stay strings.
pub(crate) fn coerce_args(site: &CallSite, args: &mut [Value]) -> Result<()> {
    let spec = site.spec;
    for (i, v) in args.iter_mut().enumerate() {
        let param = if spec.variadic {
            spec.params.first()
        } else {
            spec.params.get(i)
        };
        let Some(param) = param else { continue };
        if matches!(v, Value::Nothing) && param.is_optional() {
            continue;
        }
        if let Err(e) = coerce(param.kind, v) {
            let what = if spec.is_method() {
                "method"
            } else {
                "function"
            };
            return Err(Error::msg(format!(
                "{what} '{}': failed to extract input arg '{}': {}",
                spec.name,
                param.name,
                e.message()
            )));
        }
    }
    Ok(())
}

/// Converts one value to a parameter kind, or explains why it cannot be.
pub fn coerce(kind: Kind, v: &mut Value) -> Result<()> {
    match kind {
        Kind::Any | Kind::Query | Kind::Lazy | Kind::Timestamp => Ok(()),
        Kind::Str => match v {
            Value::Str(_) => Ok(()),
            Value::Bytes(b) => {
                *v = Value::from(String::from_utf8_lossy(b).into_owned());
                Ok(())
            }
            other => Err(Error::type_mismatch("string", other)),
        },
        Kind::Int => match v.num() {
            Some(Num::Int(_)) if matches!(v, Value::Int(_)) => Ok(()),
            Some(Num::Float(f)) if !f.is_finite() => Err(Error::type_mismatch("integer", v)),
            Some(n) => {
                *v = Value::Int(n.to_i64_lossy());
                Ok(())
            }
            None => Err(Error::type_mismatch("number", v)),
        },
        Kind::Float => match v.num() {
            Some(n) => {
                *v = Value::Float(n.to_f64());
                Ok(())
            }
            None => Err(Error::type_mismatch("number", v)),
        },
        Kind::Bool => match v {
            Value::Bool(_) => Ok(()),
            other => Err(Error::type_mismatch("bool", other)),
        },
        Kind::Array => match v {
            Value::Array(_) => Ok(()),
            other => Err(Error::type_mismatch("array", other)),
        },
        Kind::Object => match v {
            Value::Object(_) => Ok(()),
            other => Err(Error::type_mismatch("object", other)),
        },
    }
}
