//! What the server knows of pipeline configs, handed to it by the caller
//! (the `tarn` binary reads it from the runtime's component registry; the
//! language server never depends on the runtime): the shape of a config
//! file, every component type with its fields, and a lint function.

use std::sync::Arc;
use std::time::Duration;

/// Kinds of string a config field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    /// Any text.
    Plain,
    /// A Go duration (`5s`, `1m30s`).
    Duration,
    /// A duration, a cron expression, or empty.
    Schedule,
    /// Text with `${! … }` interpolations.
    Interpolation,
    /// A Bloblang mapping.
    Mapping,
    /// A regular expression.
    Regex,
}

/// One value of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The value as written in configs.
    pub name: String,
    /// What it means (may be empty).
    pub doc: String,
}

/// One field of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its key.
    pub name: String,
    /// What it holds.
    pub shape: Shape,
    /// What it is for.
    pub doc: String,
    /// Its default as JSON, when it has one worth showing.
    pub default: Option<serde_json::Value>,
    /// Whether a config must give it.
    pub required: bool,
}

/// What a config value may be.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Anything.
    Any,
    /// A string of some kind.
    Str(StrKind),
    /// A whole number.
    Int,
    /// A number.
    Float,
    /// `true` or `false`.
    Bool,
    /// One of these words.
    Enum(Vec<Choice>),
    /// A list of values of one shape.
    List(Box<Shape>),
    /// An object with free keys and values of one shape.
    Dict(Box<Shape>),
    /// An object with known fields.
    Object(Vec<Field>),
    /// A component of a kind (`input`, `processor`, …): an object keyed by
    /// one type name, plus the kind's common fields.
    Component(String),
    /// The value may also be null.
    Nullable(Box<Shape>),
    /// One of several shapes.
    OneOf(Vec<Shape>),
}

static ANY: Shape = Shape::Any;

impl Shape {
    /// A short name for listings and hovers.
    pub fn type_name(&self) -> String {
        match self {
            Shape::Any => "any".into(),
            Shape::Str(StrKind::Plain) => "string".into(),
            Shape::Str(StrKind::Duration) => "duration".into(),
            Shape::Str(StrKind::Schedule) => "duration or cron".into(),
            Shape::Str(StrKind::Interpolation) => "interpolated string".into(),
            Shape::Str(StrKind::Mapping) => "mapping".into(),
            Shape::Str(StrKind::Regex) => "regex".into(),
            Shape::Int => "int".into(),
            Shape::Float => "float".into(),
            Shape::Bool => "bool".into(),
            Shape::Enum(_) => "enum".into(),
            Shape::List(item) => format!("list of {}", item.type_name()),
            Shape::Dict(v) => format!("object of {}", v.type_name()),
            Shape::Object(_) => "object".into(),
            Shape::Component(kind) => kind.clone(),
            Shape::Nullable(inner) => inner.type_name(),
            Shape::OneOf(options) => {
                let mut names: Vec<String> = Vec::new();
                for name in options.iter().map(Shape::type_name) {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                names.join(" or ")
            }
        }
    }

    /// The shape without its `Nullable` wrappers.
    pub fn unwrapped(&self) -> &Shape {
        match self {
            Shape::Nullable(inner) => inner.unwrapped(),
            other => other,
        }
    }

    /// The enumeration values this shape accepts (through `Nullable` and
    /// `OneOf`).
    pub fn choices(&self) -> Vec<&Choice> {
        match self.unwrapped() {
            Shape::Enum(choices) => choices.iter().collect(),
            Shape::OneOf(options) => options.iter().flat_map(Shape::choices).collect(),
            _ => Vec::new(),
        }
    }

    /// True when the value is a block (object, list or component) rather
    /// than a scalar.
    pub fn is_block(&self) -> bool {
        match self.unwrapped() {
            Shape::List(_) | Shape::Dict(_) | Shape::Object(_) | Shape::Component(_) => true,
            Shape::OneOf(options) => options.iter().all(Shape::is_block),
            _ => false,
        }
    }
}

/// One registered component type.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// The type name, the key in configs (`http_server`).
    pub name: String,
    /// Its kind (`input`, `processor`, `output`, `cache`, `rate_limit`).
    pub kind: String,
    /// What it does.
    pub doc: String,
    /// How settled it is (`stable`, `beta`, `experimental`).
    pub status: String,
    /// The shape of its config body.
    pub body: Shape,
}

/// A kind of component and the fields every component of it may have
/// next to its type key (`label`, `resource`, an input's `processors`).
#[derive(Debug, Clone, PartialEq)]
pub struct KindInfo {
    /// The kind's name (`input`).
    pub name: String,
    /// The common fields.
    pub common: Vec<Field>,
}

/// The whole config schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigSchema {
    /// The shape of a config file.
    pub root: Option<Shape>,
    /// Every component type.
    pub components: Vec<Component>,
    /// Every kind, with its common fields.
    pub kinds: Vec<KindInfo>,
}

/// One step of a path in a config: a key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The value of this key.
    Key(String),
    /// The item at this index.
    Index(usize),
}

/// What a key names, for hover and completion.
#[derive(Debug, Clone, Copy)]
pub enum KeyInfo<'s> {
    /// A field of an object (or a kind's common field).
    Field(&'s Field),
    /// A component type.
    Component(&'s Component),
}

impl ConfigSchema {
    /// The component type `name` of `kind`.
    pub fn component(&self, kind: &str, name: &str) -> Option<&Component> {
        self.components
            .iter()
            .find(|c| c.kind == kind && c.name == name)
    }

    /// Every component type of `kind`, in the order given.
    pub fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s Component> + 's {
        self.components.iter().filter(move |c| c.kind == kind)
    }

    /// The common fields of `kind`.
    pub fn common(&self, kind: &str) -> &[Field] {
        self.kinds
            .iter()
            .find(|k| k.name == kind)
            .map_or(&[], |k| k.common.as_slice())
    }

    /// What `key` names inside a value of shape `container`.
    pub fn key_info<'s>(&'s self, container: &'s Shape, key: &str) -> Option<KeyInfo<'s>> {
        match container.unwrapped() {
            Shape::Object(fields) => fields.iter().find(|f| f.name == key).map(KeyInfo::Field),
            Shape::Component(kind) => self
                .common(kind)
                .iter()
                .find(|f| f.name == key)
                .map(KeyInfo::Field)
                .or_else(|| self.component(kind, key).map(KeyInfo::Component)),
            Shape::OneOf(options) => options.iter().find_map(|o| self.key_info(o, key)),
            _ => None,
        }
    }

    /// The shape one step below a value of shape `shape`.
    pub fn step<'s>(&'s self, shape: &'s Shape, step: &Step) -> Option<&'s Shape> {
        match (shape, step) {
            (Shape::Any, _) => Some(&ANY),
            (Shape::Nullable(inner), _) => self.step(inner, step),
            (Shape::OneOf(options), _) => options.iter().find_map(|o| self.step(o, step)),
            (Shape::Dict(value), Step::Key(_)) => Some(value),
            (Shape::List(item), Step::Index(_)) => Some(item),
            (Shape::Object(_) | Shape::Component(_), Step::Key(key)) => {
                match self.key_info(shape, key)? {
                    KeyInfo::Field(f) => Some(&f.shape),
                    KeyInfo::Component(c) => Some(&c.body),
                }
            }
            _ => None,
        }
    }

    /// The shape at `path` from the root, when the schema knows it.
    pub fn resolve(&self, path: &[Step]) -> Option<&Shape> {
        let mut shape = self.root.as_ref()?;
        for step in path {
            shape = self.step(shape, step)?;
        }
        Some(shape)
    }

    /// The root fields whose values hold components somewhere (`input`,
    /// `pipeline`, `output`, the resource lists): a YAML file whose top
    /// level has one of them is taken for a config.
    pub fn config_markers(&self) -> Vec<&str> {
        fn holds_component(shape: &Shape, depth: usize) -> bool {
            if depth > 8 {
                return false;
            }
            match shape {
                Shape::Component(_) => true,
                Shape::Nullable(s) | Shape::List(s) | Shape::Dict(s) => {
                    holds_component(s, depth + 1)
                }
                Shape::Object(fields) => {
                    fields.iter().any(|f| holds_component(&f.shape, depth + 1))
                }
                Shape::OneOf(options) => options.iter().any(|o| holds_component(o, depth + 1)),
                _ => false,
            }
        }
        self.root
            .as_ref()
            .map(|r| {
                r.unwrapped()
                    .fields_of()
                    .iter()
                    .filter(|f| holds_component(&f.shape, 0))
                    .map(|f| f.name.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Shape {
    /// The fields of an object shape (none for other shapes).
    pub fn fields_of(&self) -> &[Field] {
        match self.unwrapped() {
            Shape::Object(fields) => fields,
            _ => &[],
        }
    }
}

/// One problem lint found in a config, at a 1-based line and column
/// (the column counts characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub col: usize,
    /// The field path (`input.http_server.path`), empty for the file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The function that lints a whole config text.
pub type LintFn = dyn Fn(&str) -> Vec<ConfigProblem> + Send + Sync;

/// Everything the server needs for YAML configs: the schema and lint.
pub struct ConfigSupport {
    /// The schema for completion, hover and finding Bloblang fields.
    pub schema: Arc<ConfigSchema>,
    /// Lints a config text.
    pub lint: Box<LintFn>,
    /// How long the text must stay unchanged before it is linted.
    pub debounce: Duration,
}

impl std::fmt::Debug for ConfigSupport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigSupport")
            .field("components", &self.schema.components.len())
            .field("debounce", &self.debounce)
            .finish()
    }
}

impl ConfigSupport {
    /// Support from a schema and a lint function, with the default
    /// debounce (150 ms).
    pub fn new(
        schema: ConfigSchema,
        lint: impl Fn(&str) -> Vec<ConfigProblem> + Send + Sync + 'static,
    ) -> ConfigSupport {
        ConfigSupport {
            schema: Arc::new(schema),
            lint: Box::new(lint),
            debounce: Duration::from_millis(150),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn field(name: &str, shape: Shape, required: bool) -> Field {
        Field {
            name: name.into(),
            shape,
            doc: format!("The {name}."),
            default: None,
            required,
        }
    }

    /// A small schema shaped like Tarn's, for the tests of this crate.
    pub(crate) fn sample() -> ConfigSchema {
        let processor = || Shape::Component("processor".into());
        let label = field("label", Shape::Str(StrKind::Plain), false);
        let mut path = field("path", Shape::Str(StrKind::Plain), false);
        path.default = Some(serde_json::json!("/post"));
        ConfigSchema {
            root: Some(Shape::Object(vec![
                field(
                    "input",
                    Shape::Nullable(Box::new(Shape::Component("input".into()))),
                    false,
                ),
                field(
                    "pipeline",
                    Shape::Object(vec![
                        field("threads", Shape::Int, false),
                        field("processors", Shape::List(Box::new(processor())), false),
                    ]),
                    false,
                ),
                field("output", Shape::Component("output".into()), false),
                field(
                    "http",
                    Shape::Object(vec![field("address", Shape::Str(StrKind::Plain), false)]),
                    false,
                ),
                field("tests", Shape::Any, false),
            ])),
            components: vec![
                Component {
                    name: "http_server".into(),
                    kind: "input".into(),
                    doc: "Receives messages over HTTP.".into(),
                    status: "stable".into(),
                    body: Shape::Object(vec![
                        path,
                        field("timeout", Shape::Str(StrKind::Duration), false),
                        field(
                            "verb",
                            Shape::Enum(vec![
                                Choice {
                                    name: "GET".into(),
                                    doc: "Reads.".into(),
                                },
                                Choice {
                                    name: "POST".into(),
                                    doc: "Writes.".into(),
                                },
                            ]),
                            false,
                        ),
                    ]),
                },
                Component {
                    name: "stdin".into(),
                    kind: "input".into(),
                    doc: "Reads lines from stdin.".into(),
                    status: "stable".into(),
                    body: Shape::Object(Vec::new()),
                },
                Component {
                    name: "mapping".into(),
                    kind: "processor".into(),
                    doc: "Maps.".into(),
                    status: "stable".into(),
                    body: Shape::Str(StrKind::Mapping),
                },
                Component {
                    name: "log".into(),
                    kind: "processor".into(),
                    doc: "Logs.".into(),
                    status: "stable".into(),
                    body: Shape::Object(vec![
                        field("message", Shape::Str(StrKind::Interpolation), true),
                        field("fields_mapping", Shape::Str(StrKind::Mapping), false),
                        field("note", Shape::Str(StrKind::Plain), false),
                    ]),
                },
                Component {
                    name: "broker".into(),
                    kind: "output".into(),
                    doc: "Fans out.".into(),
                    status: "beta".into(),
                    body: Shape::Object(vec![
                        field(
                            "pattern",
                            Shape::Nullable(Box::new(Shape::Enum(vec![
                                Choice {
                                    name: "fan_out".into(),
                                    doc: "Every output.".into(),
                                },
                                Choice {
                                    name: "round_robin".into(),
                                    doc: "One by one.".into(),
                                },
                            ]))),
                            false,
                        ),
                        field(
                            "outputs",
                            Shape::List(Box::new(Shape::Component("output".into()))),
                            true,
                        ),
                    ]),
                },
            ],
            kinds: ["input", "processor", "output"]
                .into_iter()
                .map(|k| KindInfo {
                    name: k.into(),
                    common: if k == "processor" {
                        vec![label.clone()]
                    } else {
                        vec![
                            label.clone(),
                            field("processors", Shape::List(Box::new(processor())), false),
                        ]
                    },
                })
                .collect(),
        }
    }

    fn keys(path: &[&str]) -> Vec<Step> {
        path.iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Key((*s).into()),
            })
            .collect()
    }

    #[test]
    fn paths_resolve_through_components_lists_and_nullables() {
        let s = sample();
        assert_eq!(
            s.resolve(&keys(&["input", "http_server", "timeout"])),
            Some(&Shape::Str(StrKind::Duration))
        );
        assert_eq!(
            s.resolve(&keys(&["pipeline", "processors", "3", "mapping"])),
            Some(&Shape::Str(StrKind::Mapping))
        );
        assert_eq!(
            s.resolve(&keys(&["output", "processors", "0"])),
            Some(&Shape::Component("processor".into()))
        );
        assert_eq!(
            s.resolve(&keys(&["tests", "a", "0", "b"])),
            Some(&Shape::Any)
        );
        assert_eq!(s.resolve(&keys(&["input", "nope"])), None);
        assert_eq!(s.resolve(&keys(&["pipeline", "0"])), None);
        assert_eq!(s.config_markers(), ["input", "pipeline", "output"]);
    }

    #[test]
    fn type_names_and_choices() {
        let s = sample();
        let pattern = s
            .resolve(&keys(&["output", "broker", "pattern"]))
            .expect("pattern");
        assert_eq!(pattern.type_name(), "enum");
        let names: Vec<&str> = pattern.choices().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["fan_out", "round_robin"]);
        assert_eq!(
            Shape::List(Box::new(Shape::Component("processor".into()))).type_name(),
            "list of processor"
        );
        assert!(
            s.resolve(&keys(&["output", "broker"]))
                .is_some_and(Shape::is_block)
        );
    }
}
