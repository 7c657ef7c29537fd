//! The shape of a stdlib entry. One [`Spec`] per function or method holds
//! everything the compiler, the VM, the docs, the REPL and the language
//! server need to know about it.

use crate::error::Result;
use crate::value::Value;
use crate::vm::Call;

/// What an argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any value.
    Any,
    /// A string (bytes are accepted and read as UTF-8).
    Str,
    /// An integer (any number, truncated toward zero).
    Int,
    /// A number (read as float64).
    Float,
    /// A boolean.
    Bool,
    /// An array.
    Array,
    /// An object.
    Object,
    /// An expression evaluated by the method itself, possibly many times,
    /// with `this` bound to the value the method passes (`map_each`,
    /// `filter`, `catch` …).
    Query,
    /// An expression evaluated by the method only when needed, in the
    /// caller's context (`or`, the defaults of `number` and `bool`).
    Lazy,
    /// A timestamp, RFC3339 string or unix number.
    Timestamp,
}

impl Kind {
    /// The type name used in messages and signatures.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Any => "any",
            Kind::Str => "string",
            Kind::Int => "integer",
            Kind::Float => "number",
            Kind::Bool => "bool",
            Kind::Array => "array",
            Kind::Object => "object",
            Kind::Query => "query",
            Kind::Lazy => "query",
            Kind::Timestamp => "timestamp",
        }
    }
}

/// The default of a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// The argument is required.
    Required,
    /// The argument may be left out; it then reads as `nothing()`.
    Optional,
    /// Defaults to `null`.
    Null,
    /// Defaults to a bool.
    Bool(bool),
    /// Defaults to an integer.
    Int(i64),
    /// Defaults to a float.
    Float(f64),
    /// Defaults to a string.
    Str(&'static str),
}

impl Default {
    /// The default as a value, when there is one.
    pub fn value(self) -> Option<Value> {
        match self {
            Default::Required => None,
            Default::Optional => Some(Value::Nothing),
            Default::Null => Some(Value::Null),
            Default::Bool(b) => Some(Value::Bool(b)),
            Default::Int(i) => Some(Value::Int(i)),
            Default::Float(f) => Some(Value::Float(f)),
            Default::Str(s) => Some(Value::str(s)),
        }
    }
}

/// One parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// Name, used by named arguments.
    pub name: &'static str,
    /// Accepted values.
    pub kind: Kind,
    /// Default, or whether it is required.
    pub default: Default,
    /// One line of documentation.
    pub doc: &'static str,
}

impl Param {
    /// A required parameter.
    pub const fn req(name: &'static str, kind: Kind) -> Param {
        Param {
            name,
            kind,
            default: Default::Required,
            doc: "",
        }
    }

    /// An optional parameter without a default.
    pub const fn opt(name: &'static str, kind: Kind) -> Param {
        Param {
            name,
            kind,
            default: Default::Optional,
            doc: "",
        }
    }

    /// A parameter with a default.
    pub const fn with(name: &'static str, kind: Kind, default: Default) -> Param {
        Param {
            name,
            kind,
            default,
            doc: "",
        }
    }

    /// Adds documentation.
    pub const fn doc(mut self, doc: &'static str) -> Param {
        self.doc = doc;
        self
    }

    /// True when the argument may be omitted.
    pub fn is_optional(&self) -> bool {
        self.default != Default::Required
    }
}

/// Where an entry is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Control and general purpose.
    General,
    /// Reading the message and its context.
    Message,
    /// Type conversion.
    Coercion,
    /// Numbers and maths.
    Numbers,
    /// Strings.
    Strings,
    /// Regular expressions.
    Regex,
    /// Encoding, hashing and encryption.
    Encoding,
    /// Parsing and formatting of data formats.
    Parsing,
    /// Objects and arrays.
    Structured,
    /// Timestamps and durations.
    Time,
    /// Environment, files, randomness and ids.
    Environment,
}

impl Category {
    /// A lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Category::General => "general",
            Category::Message => "message",
            Category::Coercion => "coercion",
            Category::Numbers => "numbers",
            Category::Strings => "strings",
            Category::Regex => "regex",
            Category::Encoding => "encoding",
            Category::Parsing => "parsing",
            Category::Structured => "structured",
            Category::Time => "time",
            Category::Environment => "environment",
        }
    }
}

/// Stability of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Stable.
    Stable,
    /// Beta.
    Beta,
    /// Experimental.
    Experimental,
    /// Deprecated: still works, prefer the replacement.
    Deprecated,
    /// Undocumented upstream.
    Hidden,
}

impl Status {
    /// A lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Status::Stable => "stable",
            Status::Beta => "beta",
            Status::Experimental => "experimental",
            Status::Deprecated => "deprecated",
            Status::Hidden => "hidden",
        }
    }
}

/// A documented example that runs as a test: `mapping` applied to each
/// input line gives the output line (or, for `Err`, an error containing
/// the text).
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The mapping.
    pub mapping: &'static str,
    /// `(input, expected)` pairs.
    pub cases: &'static [(&'static str, Expect)],
}

/// What an example case expects.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// This exact output.
    Out(&'static str),
    /// An error containing this text.
    Fails(&'static str),
}

/// A function implementation.
pub type FunctionImpl = fn(&mut Call<'_, '_>) -> Result<Value>;
/// A method implementation: receives the receiver by value.
pub type MethodImpl = fn(&mut Call<'_, '_>, Value) -> Result<Value>;
/// A compile-time hook: sees the literal arguments (`None` where an
/// argument is dynamic) and may reject them or replace the whole call by a
/// constant.
pub type CompileHook = fn(&[Option<&Value>]) -> std::result::Result<Option<Value>, String>;

/// How an entry is run.
#[derive(Clone, Copy)]
pub enum Impl {
    /// A function.
    Function(FunctionImpl),
    /// A method.
    Method(MethodImpl),
}

/// One stdlib function or method.
#[derive(Clone, Copy)]
pub struct Spec {
    /// Its name.
    pub name: &'static str,
    /// Parameters in positional order.
    pub params: &'static [Param],
    /// All arguments are positional values of `params[0]`'s kind.
    pub variadic: bool,
    /// Where it is listed.
    pub category: Category,
    /// Stability.
    pub status: Status,
    /// Depends on the outside world (time, randomness, environment, files);
    /// removed when impure functions are disabled.
    pub impure: bool,
    /// One line of documentation.
    pub doc: &'static str,
    /// Examples that run as tests.
    pub examples: &'static [Example],
    /// The implementation.
    pub imp: Impl,
    /// The receiver is evaluated by the method itself (`catch`, `or`,
    /// `from`), not before the call.
    pub lazy_receiver: bool,
    /// Errors are prefixed with the receiver's annotation (most methods);
    /// plugin-style methods report raw errors.
    pub annotate: bool,
    /// Checks or folds literal arguments at compile time.
    pub compile: Option<CompileHook>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec").field("name", &self.name).finish()
    }
}

fn unimplemented_function(_: &mut Call<'_, '_>) -> Result<Value> {
    Err(crate::error::Error::msg("not implemented"))
}

impl Spec {
    /// A template for functions: fill in at least name, doc and imp.
    pub const FUNCTION: Spec = Spec {
        name: "",
        params: &[],
        variadic: false,
        category: Category::General,
        status: Status::Stable,
        impure: false,
        doc: "",
        examples: &[],
        imp: Impl::Function(unimplemented_function),
        lazy_receiver: false,
        annotate: true,
        compile: None,
    };

    /// A template for methods.
    pub const METHOD: Spec = Spec::FUNCTION;

    /// True for methods.
    pub fn is_method(&self) -> bool {
        matches!(self.imp, Impl::Method(_))
    }

    /// The signature as shown in docs and hovers: `name(a: string, b: int = 1)`.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| {
                let mut s = format!("{}: {}", p.name, p.kind.name());
                if self.variadic {
                    s = format!("...{s}");
                }
                match p.default {
                    Default::Required => {}
                    Default::Optional => s = format!("{}?: {}", p.name, p.kind.name()),
                    Default::Null => s.push_str(" = null"),
                    Default::Bool(b) => s.push_str(&format!(" = {b}")),
                    Default::Int(i) => s.push_str(&format!(" = {i}")),
                    Default::Float(f) => s.push_str(&format!(" = {f}")),
                    Default::Str(v) => s.push_str(&format!(" = {v:?}")),
                }
                s
            })
            .collect();
        let dot = if self.is_method() { "." } else { "" };
        format!("{dot}{}({})", self.name, params.join(", "))
    }
}
