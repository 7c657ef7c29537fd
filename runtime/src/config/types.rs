//! Value types that typed component configs use for fields with more
//! meaning than a string: durations, schedules, interpolated strings,
//! Bloblang mappings, regular expressions and child components. Each
//! reads (and checks) itself from the config, so a built config holds
//! compiled values, and describes itself in the schema so lint, `tarn
//! list` and the language server know the field's kind.

use super::de::{DeError, RAW_NODE, take_captured};
use super::node::Node;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::sync::{Arc, LazyLock};
use tarn_lang::{Env, Interpolation, Program};

/// The schema keyword that marks Tarn's own kinds of string.
pub const KIND_KEY: &str = "x-tarn-kind";

/// Which functions mappings in configs may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sandbox {
    /// The whole standard library.
    #[default]
    Standard,
    /// No impure functions (`env`, `file`, `hostname` …): configs from
    /// the streams API unless the operator allows them.
    Pure,
}

impl Sandbox {
    /// The compile environment.
    pub fn env(self) -> &'static Env {
        static PURE: LazyLock<Env> = LazyLock::new(|| Env::new().without_impure());
        match self {
            Sandbox::Standard => Env::standard(),
            Sandbox::Pure => &PURE,
        }
    }
}

thread_local! {
    static SANDBOX: Cell<Sandbox> = const { Cell::new(Sandbox::Standard) };
}

/// Runs `f` with mappings compiled under `sandbox` on this thread.
pub fn with_sandbox<T>(sandbox: Sandbox, f: impl FnOnce() -> T) -> T {
    struct Restore(Sandbox);
    impl Drop for Restore {
        fn drop(&mut self) {
            SANDBOX.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(SANDBOX.with(|s| s.replace(sandbox)));
    f()
}

thread_local! {
    static LENIENT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with unknown fields ignored (with a warning) instead of
/// refused, on this thread: the streams API's `?chilled=true`, which
/// skips linting as Benthos does.
pub fn with_lenient<T>(lenient: bool, f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            LENIENT.with(|l| l.set(self.0));
        }
    }
    let _restore = Restore(LENIENT.with(|l| l.replace(lenient)));
    f()
}

/// Whether unknown fields are ignored on this thread now.
pub fn lenient() -> bool {
    LENIENT.with(Cell::get)
}

/// The environment mappings compile in on this thread now.
pub fn current_env() -> &'static Env {
    SANDBOX.with(Cell::get).env()
}

fn string_schema(kind: &str, format: Option<&str>) -> Schema {
    let mut schema = json_schema!({ "type": "string" });
    schema.insert(KIND_KEY.into(), kind.into());
    if let Some(f) = format {
        schema.insert("format".into(), f.into());
    }
    schema
}

/// A Go-style duration (`5s`, `1m30s`, `250ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub std::time::Duration);

impl Duration {
    /// `n` seconds.
    pub const fn secs(n: u64) -> Duration {
        Duration(std::time::Duration::from_secs(n))
    }

    /// `n` milliseconds.
    pub const fn millis(n: u64) -> Duration {
        Duration(std::time::Duration::from_millis(n))
    }
}

impl std::ops::Deref for Duration {
    type Target = std::time::Duration;
    fn deref(&self) -> &std::time::Duration {
        &self.0
    }
}

/// Go's text for a duration: `0s`, `1.5s`, `2m0s`, `1h30m0s`, `250ms`.
pub fn go_duration(d: std::time::Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000_000_000 {
        let (unit, per) = if nanos < 1_000 {
            ("ns", 1)
        } else if nanos < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{}{unit}", trim_fraction(nanos, per));
    }
    let hours = nanos / 3_600_000_000_000;
    let minutes = (nanos / 60_000_000_000) % 60;
    let secs = trim_fraction(nanos % 60_000_000_000, 1_000_000_000);
    match (hours, minutes) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m{secs}s"),
        (h, m) => format!("{h}h{m}m{secs}s"),
    }
}

fn trim_fraction(value: u128, per: u128) -> String {
    let whole = value / per;
    let frac = value % per;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = per.ilog10() as usize;
    let text = format!("{frac:0digits$}");
    format!("{whole}.{}", text.trim_end_matches('0'))
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&go_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        super::duration::parse_duration(text.trim())
            .map(Duration)
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "expected a duration such as 5s or 1m30s, found `{text}`"
                ))
            })
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema("duration", Some("duration"))
    }
}

/// A duration that may be left empty (`""`: none), as Benthos writes
/// optional durations such as a batching `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptDuration(pub Option<std::time::Duration>);

impl Serialize for OptDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.map(go_duration).unwrap_or_default())
    }
}

impl<'de> Deserialize<'de> for OptDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(OptDuration(None));
        }
        super::duration::parse_duration(text)
            .map(|d| OptDuration(Some(d)))
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "expected a duration such as 5s or 1m30s, or empty, found `{text}`"
                ))
            })
    }
}

impl JsonSchema for OptDuration {
    fn schema_name() -> Cow<'static, str> {
        "OptionalDuration".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema("optional_duration", None)
    }
}

/// When the `generate` input makes messages: a duration, a cron
/// expression, or empty for as fast as possible.
#[derive(Debug, Clone, Default)]
pub enum Schedule {
    /// As fast as possible.
    #[default]
    Asap,
    /// The first at once, then one per period.
    Every(std::time::Duration),
    /// At the times a cron schedule names.
    Cron(crate::inputs::cron::Cron),
}

impl Serialize for Schedule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Schedule::Asap => s.serialize_str(""),
            Schedule::Every(d) => s.serialize_str(&go_duration(*d)),
            Schedule::Cron(_) => s.serialize_str("<cron>"),
        }
    }
}

impl<'de> Deserialize<'de> for Schedule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(Schedule::Asap);
        }
        if let Some(d) = super::duration::parse_duration(text) {
            return Ok(Schedule::Every(d));
        }
        crate::inputs::cron::Cron::parse(text)
            .map(Schedule::Cron)
            .map_err(|e| {
                de::Error::custom(format!(
                    "expected a duration, a cron schedule such as `*/5 * * * *`, or empty: {e}"
                ))
            })
    }
}

impl JsonSchema for Schedule {
    fn schema_name() -> Cow<'static, str> {
        "Schedule".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema("schedule", None)
    }
}

/// A string with `${! … }` interpolations, compiled.
#[derive(Clone)]
pub struct Interp {
    source: String,
    compiled: Arc<Interpolation>,
}

impl Interp {
    /// A literal string (no queries), for defaults.
    pub fn literal(text: &str) -> Interp {
        Interp::compile(text).unwrap_or_else(|_| Interp {
            source: text.to_string(),
            compiled: Arc::new(
                Env::standard()
                    .compile_interpolation("")
                    .unwrap_or_else(|_| unreachable_empty()),
            ),
        })
    }

    /// Compiles `text` in the current sandbox.
    pub fn compile(text: &str) -> Result<Interp, DeError> {
        match current_env().compile_interpolation(text) {
            Ok(i) => Ok(Interp {
                source: text.to_string(),
                compiled: Arc::new(i),
            }),
            Err(d) => Err(first_error(&d)),
        }
    }

    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The compiled form.
    pub fn get(&self) -> &Interpolation {
        &self.compiled
    }

    /// The compiled form, shared.
    pub fn get_arc(&self) -> Arc<Interpolation> {
        self.compiled.clone()
    }

    /// Renders it for message `index` of `batch`.
    pub fn render(
        &self,
        vm: &mut tarn_lang::Vm,
        batch: &[tarn_lang::Message],
        index: usize,
    ) -> Result<String, tarn_lang::Error> {
        self.compiled.render(vm, batch, index)
    }
}

/// The empty interpolation always compiles; this is never reached.
fn unreachable_empty() -> Interpolation {
    panic!("the empty interpolation failed to compile")
}

/// The first error of diagnostics, placed at its offset.
fn first_error(d: &tarn_lang::Diagnostics) -> DeError {
    match d.items.iter().find(|i| i.is_error()) {
        Some(item) => DeError::in_text(item.span.start as usize, item.message.clone()),
        None => DeError::new(d.short()),
    }
}

impl fmt::Debug for Interp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Interp({:?})", self.source)
    }
}

impl PartialEq for Interp {
    fn eq(&self, other: &Interp) -> bool {
        self.source == other.source
    }
}

impl Serialize for Interp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Interp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Interp::compile(&text).map_err(embedded)
    }
}

/// Carries a located [`DeError`] through a generic deserializer's error.
fn embedded<E: de::Error>(e: DeError) -> E {
    EMBEDDED.with(|slot| slot.set(e.offset));
    E::custom(e.message)
}

thread_local! {
    /// The offset of the last embedded error, picked up by the config
    /// deserializer (which can place it) through [`take_embedded_offset`].
    static EMBEDDED: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The offset inside a scalar's text of the error just raised, if any.
pub(crate) fn take_embedded_offset() -> Option<usize> {
    EMBEDDED.with(Cell::take)
}

impl JsonSchema for Interp {
    fn schema_name() -> Cow<'static, str> {
        "Interpolated".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema("interpolation", None)
    }
}

/// A Bloblang mapping, compiled.
#[derive(Clone)]
pub struct Mapping {
    source: String,
    program: Arc<Program>,
}

impl Mapping {
    /// Compiles `text` in the current sandbox.
    pub fn compile(text: &str) -> Result<Mapping, DeError> {
        current_env()
            .compile(text)
            .map(|p| Mapping {
                source: text.to_string(),
                program: Arc::new(p),
            })
            .map_err(|d| first_error(&d))
    }

    /// The mapping as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The compiled program.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// True when the mapping is only blank space (a field left empty).
    pub fn is_blank(&self) -> bool {
        self.source.trim().is_empty()
    }
}

impl fmt::Debug for Mapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mapping({:?})", self.source)
    }
}

impl Serialize for Mapping {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Mapping {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Mapping::compile(&text).map_err(embedded)
    }
}

impl JsonSchema for Mapping {
    fn schema_name() -> Cow<'static, str> {
        "Mapping".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema("mapping", None)
    }
}

/// A regular expression (RE2 syntax, as Go's), compiled.
#[derive(Clone)]
pub struct Pattern(pub regex::Regex);

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        regex::Regex::new(&text)
            .map(Pattern)
            .map_err(|e| de::Error::custom(format!("invalid regular expression: {e}")))
    }
}

impl JsonSchema for Pattern {
    fn schema_name() -> Cow<'static, str> {
        "Regex".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema("regex", Some("regex"))
    }
}

/// What kind of component a [`RawNode`] holds.
pub trait ComponentKindMarker {
    /// `input`, `processor`, `output`, `cache` or `rate_limit`.
    const KIND: &'static str;
}

macro_rules! kind_marker {
    ($name:ident, $text:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl ComponentKindMarker for $name {
            const KIND: &'static str = $text;
        }
    };
}

kind_marker!(InputKind, "input", "Marks a raw input component.");
kind_marker!(
    ProcessorKind,
    "processor",
    "Marks a raw processor component."
);
kind_marker!(OutputKind, "output", "Marks a raw output component.");

/// A child component's config, kept as written (with its place in the
/// file) for the registry to build.
#[derive(Clone)]
pub struct RawNode<K> {
    /// The component object.
    pub node: Node,
    /// Its field path (`pipeline.processors.0`).
    pub path: String,
    kind: std::marker::PhantomData<K>,
}

/// A child processor.
pub type ProcessorNode = RawNode<ProcessorKind>;
/// A child output.
pub type OutputNode = RawNode<OutputKind>;
/// A child input.
pub type InputNode = RawNode<InputKind>;

impl<K> RawNode<K> {
    /// Wraps a node at `path`.
    pub fn new(node: Node, path: String) -> RawNode<K> {
        RawNode {
            node,
            path,
            kind: std::marker::PhantomData,
        }
    }
}

impl<K> fmt::Debug for RawNode<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawNode({})", self.path)
    }
}

impl<'de, K> Deserialize<'de> for RawNode<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Capture<K>(std::marker::PhantomData<K>);
        impl<'de, K> Visitor<'de> for Capture<K> {
            type Value = RawNode<K>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a component")
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawNode<K>, E> {
                take_captured()
                    .map(|(node, path)| RawNode::new(node, path))
                    .ok_or_else(|| E::custom("a component can only be read from a config file"))
            }
        }
        d.deserialize_newtype_struct(RAW_NODE, Capture(std::marker::PhantomData))
    }
}

impl<K: ComponentKindMarker> JsonSchema for RawNode<K> {
    fn schema_name() -> Cow<'static, str> {
        format!("Component_{}", K::KIND).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = json_schema!({ "type": "object" });
        schema.insert("x-tarn-component".into(), K::KIND.into());
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration as Std;

    #[test]
    fn go_duration_text() {
        assert_eq!(go_duration(Std::ZERO), "0s");
        assert_eq!(go_duration(Std::from_secs(5)), "5s");
        assert_eq!(go_duration(Std::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Std::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Std::from_secs(300)), "5m0s");
        assert_eq!(go_duration(Std::from_secs(3600)), "1h0m0s");
        assert_eq!(go_duration(Std::from_millis(250)), "250ms");
        assert_eq!(go_duration(Std::from_micros(3)), "3µs");
    }

    #[test]
    fn pure_sandbox_refuses_impure_functions() {
        assert!(Mapping::compile("root = env(\"HOME\")").is_ok());
        let refused = with_sandbox(Sandbox::Pure, || Mapping::compile("root = env(\"HOME\")"));
        assert!(refused.is_err());
        assert!(Mapping::compile("root = env(\"HOME\")").is_ok(), "restored");
    }
}
